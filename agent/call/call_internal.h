/* SPDX-License-Identifier: GPL-2.0 */
/*
 * call_internal.h - what call.c (the dispatcher, the plain states and the
 * helpers) and call_glare.c (glare in the call machine) share. Not for
 * callers of the call machine: they use call.h.
 *
 * Every state has one handler, on_<state>(c, ev, o) (call_on_glare() for
 * CALL_GLARE), returning 0, or -EINVAL when the event does not apply in
 * that state. call_event() has already handled HANGUP and PORT_ERROR and
 * recorded UAC_FINAL (uac_pending) and UAS_ACK (uas_acked) when it calls
 * the handler.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#ifndef PINHOLE_CALL_INTERNAL_H
#define PINHOLE_CALL_INTERNAL_H

#include "call.h"
#include "glare.h"

/* call.c: actions and the transitions shared by several states */
void call_act(struct call_acts *o, enum call_act_type t, enum call_leg leg,
	      int code);
void call_act_timer(struct call_acts *o, enum call_act_type t,
		    enum call_timer tmr, uint32_t ms);
void call_port_close(struct call *c, struct call_acts *o);
void call_closed(struct call *c, enum call_end why);
void call_establish(struct call *c, enum call_leg leg, struct call_acts *o);
void call_terminating_check(struct call *c);
void call_bye_uas(struct call *c, struct call_acts *o);
void call_ack_bye_late_2xx(struct call *c, struct call_acts *o);
void call_teardown(struct call *c, enum call_end why, struct call_acts *o);
enum glare_own_final call_classify(int code);

/* call_glare.c */
void call_glare_start(struct call *c, const struct call_ev *ev,
		      struct call_acts *o);
bool call_glare_announced(struct call *c, const struct call_ev *ev,
			  struct call_acts *o);
void call_glare_teardown(struct call *c, enum call_end why,
			 struct call_acts *o);
int call_on_glare(struct call *c, const struct call_ev *ev,
		  struct call_acts *o);

#endif /* PINHOLE_CALL_INTERNAL_H */
