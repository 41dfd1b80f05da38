// SPDX-License-Identifier: GPL-2.0
/*
 * call.c - the call state machine (caller S61-S87, callee S111-S121, glare
 * S65-S107 through call_glare.c and glare.c), pure: events in, state and
 * actions out. call_event() dispatches to one handler per state.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <errno.h>
#include <string.h>

#include "call_internal.h"

/* ---- actions and transitions shared by several states ---- */

void call_act(struct call_acts *o, enum call_act_type t, enum call_leg leg,
	      int code)
{
	if (o->n >= CALL_ACTS_MAX)
		return;		/* cannot happen: bounded by the handlers */
	o->a[o->n++] = (struct call_act){ .type = t, .leg = leg, .code = code };
}

void call_act_timer(struct call_acts *o, enum call_act_type t,
		    enum call_timer tmr, uint32_t ms)
{
	if (o->n >= CALL_ACTS_MAX)
		return;
	o->a[o->n++] = (struct call_act){ .type = t, .timer = tmr, .ms = ms };
}

static void port_open(struct call *c, struct call_acts *o)
{
	call_act(o, CA_PORT_OPEN, CALL_LEG_NONE, 0);
	c->port_open = true;
}

void call_port_close(struct call *c, struct call_acts *o)
{
	if (!c->port_open)
		return;
	call_act(o, CA_PORT_CLOSE, CALL_LEG_NONE, 0);
	c->port_open = false;
}

void call_closed(struct call *c, enum call_end why)
{
	c->state = CALL_CLOSED;
	if (c->end == CALL_END_NONE)
		c->end = why;
}

void call_establish(struct call *c, enum call_leg leg, struct call_acts *o)
{
	call_act(o, CA_PORT_ACTIVATE, leg, 0);
	call_act(o, CA_MEDIA_START, leg, 0);
	c->leg = leg;
	c->state = CALL_ESTABLISHED;
}

static void send_invite(struct call *c, uint64_t tb, struct call_acts *o)
{
	c->our_tb = tb;
	port_open(c, o);			/* S61: before the INVITE */
	call_act(o, CA_INVITE_SEND, CALL_LEG_UAC, 0);	/* S63 */
	c->uac_pending = true;
	c->uas_2xx_sent = false;
	c->uas_acked = false;
	c->attempts++;
	c->state = CALL_OUTGOING;
}

static void accept_incoming(struct call *c, struct call_acts *o)
{
	port_open(c, o);				/* S111 */
	call_act(o, CA_ANSWER, CALL_LEG_UAS, 200);	/* S113/S115 */
	c->uas_2xx_sent = true;
	c->state = CALL_ANSWERED;
}

/* TERMINATING is over when nothing is outstanding any more. */
void call_terminating_check(struct call *c)
{
	if (c->byes || c->bye_uas_after_ack || c->uac_pending)
		c->state = CALL_TERMINATING;
	else
		call_closed(c, CALL_END_NORMAL);
}

void call_bye_uas(struct call *c, struct call_acts *o)
{
	/* RFC 3261 15: the callee BYEs only after the ACK (or its timeout) */
	if (c->uas_acked) {
		call_act(o, CA_BYE_SEND, CALL_LEG_UAS, 0);
		c->byes++;
	} else {
		c->bye_uas_after_ack = true;
	}
}

/*
 * A 2xx on our INVITE that must not carry a session (the CANCEL lost the
 * race, the call is ending, or glare gave the session to the other
 * dialog): ACK it and BYE it (RFC 3261 9.1, 15).
 */
void call_ack_bye_late_2xx(struct call *c, struct call_acts *o)
{
	call_act(o, CA_ACK_SEND, CALL_LEG_UAC, 0);
	call_act(o, CA_BYE_SEND, CALL_LEG_UAC, 0);
	c->byes++;
}

enum glare_own_final call_classify(int code)
{
	if (code >= 200 && code < 300)
		return GLARE_OWN_2XX;
	if (code == 491)
		return GLARE_OWN_491;
	return GLARE_OWN_OTHER;
}

/* User hang-up or a firewall failure: end whatever is in progress. */
void call_teardown(struct call *c, enum call_end why, struct call_acts *o)
{
	switch (c->state) {
	case CALL_IDLE:
	case CALL_CLOSED:
		call_closed(c, why);
		return;
	case CALL_BACKOFF:
		call_act_timer(o, CA_TIMER_STOP, CALL_TMR_BACKOFF, 0);
		call_port_close(c, o);
		call_closed(c, why);
		return;
	case CALL_INCOMING:
		call_act_timer(o, CA_TIMER_STOP, CALL_TMR_ANSWER, 0);
		call_act(o, CA_ANSWER, CALL_LEG_UAS, 603);
		call_closed(c, why);
		return;
	case CALL_OUTGOING:
		call_act(o, CA_CANCEL_SEND, CALL_LEG_UAC, 0);
		call_port_close(c, o);
		c->end = why;
		c->state = CALL_CANCELLING;
		return;
	case CALL_GLARE:
		call_glare_teardown(c, why, o);
		return;
	case CALL_ANSWERED:
		call_bye_uas(c, o);
		call_port_close(c, o);
		c->end = why;
		call_terminating_check(c);
		return;
	case CALL_ESTABLISHED:
		call_act(o, CA_MEDIA_STOP, CALL_LEG_NONE, 0);
		call_act(o, CA_BYE_SEND, c->leg, 0);
		c->byes++;
		call_port_close(c, o);
		c->end = why;
		call_terminating_check(c);
		return;
	case CALL_CANCELLING:
	case CALL_TERMINATING:
		return;
	}
}

/* ---- one handler per state (CALL_GLARE: call_glare.c) ---- */

static int on_idle(struct call *c, const struct call_ev *ev,
		   struct call_acts *o)
{
	switch (ev->type) {
	case CALL_EV_DIAL:
		send_invite(c, ev->tb, o);
		return 0;
	case CALL_EV_UAS_INVITE:
		call_act(o, CA_ANSWER, CALL_LEG_UAS, 180);
		c->state = CALL_INCOMING;
		if (c->cfg.auto_answer_ms == 0)
			accept_incoming(c, o);
		else if (c->cfg.auto_answer_ms > 0)
			call_act_timer(o, CA_TIMER_START, CALL_TMR_ANSWER,
				       (uint32_t)c->cfg.auto_answer_ms);
		return 0;
	default:
		return -EINVAL;
	}
}

/* the final response to our INVITE, no glare yet */
static void outgoing_final(struct call *c, const struct call_ev *ev,
			   struct call_acts *o)
{
	if (call_glare_announced(c, ev, o))
		return;
	if (call_classify(ev->code) == GLARE_OWN_2XX) {
		call_act(o, CA_ACK_SEND, CALL_LEG_UAC, 0);	/* S79 */
		call_establish(c, CALL_LEG_UAC, o);		/* S81 */
	} else if (ev->code == 491 && c->cfg.mode == GLARE_MODE_RFC3261) {
		call_port_close(c, o);
		call_act_timer(o, CA_TIMER_START, CALL_TMR_BACKOFF,
			       glare_backoff_ms(true, ev->rnd));
		c->state = CALL_BACKOFF;
	} else {
		call_port_close(c, o);				/* S85 */
		call_closed(c, CALL_END_REJECTED);
	}
}

static int on_outgoing(struct call *c, const struct call_ev *ev,
		       struct call_acts *o)
{
	switch (ev->type) {
	case CALL_EV_UAC_1XX:
		return 0;
	case CALL_EV_UAC_FINAL:
		outgoing_final(c, ev, o);
		return 0;
	case CALL_EV_UAS_INVITE:
		call_glare_start(c, ev, o);			/* S65 */
		return 0;
	default:
		return -EINVAL;
	}
}

static int on_backoff(struct call *c, const struct call_ev *ev,
		      struct call_acts *o)
{
	switch (ev->type) {
	case CALL_EV_TIMER:
		if (ev->timer != CALL_TMR_BACKOFF)
			return -EINVAL;
		send_invite(c, ev->tb, o);	/* reopen, retry */
		return 0;
	case CALL_EV_UAS_INVITE:
		/* the peer retried first: we wanted this call */
		call_act_timer(o, CA_TIMER_STOP, CALL_TMR_BACKOFF, 0);
		accept_incoming(c, o);
		return 0;
	default:
		return -EINVAL;
	}
}

static int on_incoming(struct call *c, const struct call_ev *ev,
		       struct call_acts *o)
{
	switch (ev->type) {
	case CALL_EV_TIMER:
		if (ev->timer != CALL_TMR_ANSWER)
			return -EINVAL;
		accept_incoming(c, o);
		return 0;
	case CALL_EV_ANSWER:
	case CALL_EV_DIAL:
		/* DIAL: the user calls the party whose INVITE is ringing (it
		 * arrived before ours was sent: no crossing, no glare): the
		 * call they want is this one, answer it */
		call_act_timer(o, CA_TIMER_STOP, CALL_TMR_ANSWER, 0);
		accept_incoming(c, o);
		return 0;
	case CALL_EV_REJECT:
		call_act_timer(o, CA_TIMER_STOP, CALL_TMR_ANSWER, 0);
		call_act(o, CA_ANSWER, CALL_LEG_UAS,
			 ev->code >= 300 ? ev->code : 486);
		call_closed(c, CALL_END_DECLINED);
		return 0;
	case CALL_EV_UAS_CANCEL:
		call_act_timer(o, CA_TIMER_STOP, CALL_TMR_ANSWER, 0);
		call_act(o, CA_ANSWER, CALL_LEG_UAS, 487);
		call_closed(c, CALL_END_CANCELLED);
		return 0;
	case CALL_EV_UAS_RESENT:
		return 0;
	default:
		return -EINVAL;
	}
}

static int on_answered(struct call *c, const struct call_ev *ev,
		       struct call_acts *o)
{
	switch (ev->type) {
	case CALL_EV_UAS_ACK:
		call_establish(c, CALL_LEG_UAS, o);	/* S117: YES, S119 */
		return 0;
	case CALL_EV_UAS_ACK_TIMEOUT:
		c->uas_acked = true;
		call_port_close(c, o);			/* S117: NO, S121 */
		call_bye_uas(c, o);			/* RFC 3261 13.3.1.4 */
		c->end = CALL_END_NO_ACK;
		call_terminating_check(c);
		return 0;
	case CALL_EV_UAS_CANCEL:
		if (!ev->uas_2xx_held)
			return 0;	/* too late: the 2xx went */
		/* the 2xx never left (RFC 3262 3): the INVITE is still
		 * pending and the CANCEL ends it (RFC 3261 9.2) */
		call_act(o, CA_ANSWER, CALL_LEG_UAS, 487);
		c->uas_2xx_sent = false;
		call_port_close(c, o);
		call_closed(c, CALL_END_CANCELLED);
		return 0;
	case CALL_EV_UAS_RESENT:
	case CALL_EV_UAC_1XX:
		return 0;	/* absorbed */
	case CALL_EV_BYE:
		call_port_close(c, o);
		call_closed(c, CALL_END_NORMAL);
		return 0;
	default:
		return -EINVAL;
	}
}

static int on_established(struct call *c, const struct call_ev *ev,
			  struct call_acts *o)
{
	switch (ev->type) {
	case CALL_EV_UAC_FINAL:
		/* a retransmitted 2xx is ACKed again (13.2.2.4) */
		if (c->leg == CALL_LEG_UAC &&
		    call_classify(ev->code) == GLARE_OWN_2XX)
			call_act(o, CA_ACK_SEND, CALL_LEG_UAC, 0);
		return 0;
	case CALL_EV_UAS_ACK:
	case CALL_EV_UAS_RESENT:
	case CALL_EV_UAC_1XX:
	case CALL_EV_UAS_ACK_TIMEOUT:
		return 0;
	case CALL_EV_UAS_INVITE:
		/* the announced crossing INVITE of the higher side: the
		 * lower side's NG (S75), the session stays */
		if (!c->crossing_due || c->leg != CALL_LEG_UAC)
			return -EINVAL;
		call_act(o, CA_ANSWER, CALL_LEG_UAS, 491);
		c->crossing_due = false;
		c->crossings++;
		return 0;
	case CALL_EV_BYE:
		if (ev->leg != c->leg)
			return -EINVAL;
		call_act(o, CA_MEDIA_STOP, CALL_LEG_NONE, 0);
		call_port_close(c, o);
		call_closed(c, CALL_END_NORMAL);
		return 0;
	case CALL_EV_MEDIA_REFUSED:
		call_teardown(c, CALL_END_MEDIA_REFUSED, o);
		return 0;
	case CALL_EV_MEDIA_TIMEOUT:
		call_teardown(c, CALL_END_MEDIA_TIMEOUT, o);
		return 0;
	default:
		return -EINVAL;
	}
}

static int on_cancelling(struct call *c, const struct call_ev *ev,
			 struct call_acts *o)
{
	switch (ev->type) {
	case CALL_EV_UAC_1XX:
		return 0;
	case CALL_EV_UAC_FINAL:
		if (call_classify(ev->code) == GLARE_OWN_2XX) {
			/* the CANCEL lost the race */
			call_ack_bye_late_2xx(c, o);
			call_terminating_check(c);
		} else {
			call_closed(c, CALL_END_CANCELLED);
		}
		return 0;
	case CALL_EV_UAS_INVITE:
		call_act(o, CA_ANSWER, CALL_LEG_UAS, 486);
		return 0;
	default:
		return -EINVAL;
	}
}

static int on_terminating(struct call *c, const struct call_ev *ev,
			  struct call_acts *o)
{
	switch (ev->type) {
	case CALL_EV_BYE_DONE:
		if (c->byes)
			c->byes--;
		break;
	case CALL_EV_UAS_ACK:
	case CALL_EV_UAS_ACK_TIMEOUT:
		c->uas_acked = true;
		if (c->bye_uas_after_ack) {
			c->bye_uas_after_ack = false;
			call_act(o, CA_BYE_SEND, CALL_LEG_UAS, 0);
			c->byes++;
		}
		break;
	case CALL_EV_UAC_FINAL:
		if (call_classify(ev->code) == GLARE_OWN_2XX)
			call_ack_bye_late_2xx(c, o);
		break;
	case CALL_EV_BYE:
		if (ev->leg == CALL_LEG_UAS)
			c->bye_uas_after_ack = false;
		break;
	case CALL_EV_UAC_1XX:
	case CALL_EV_UAS_RESENT:
	case CALL_EV_UAS_CANCEL:
		break;
	default:
		return -EINVAL;
	}
	call_terminating_check(c);
	return 0;
}

/* late retransmissions after the end */
static int on_closed(struct call *c, const struct call_ev *ev,
		     struct call_acts *o)
{
	(void)c;
	if (ev->type == CALL_EV_UAC_FINAL &&
	    call_classify(ev->code) == GLARE_OWN_2XX)
		call_act(o, CA_ACK_SEND, CALL_LEG_UAC, 0);
	return ev->type == CALL_EV_UAC_FINAL ||
	       ev->type == CALL_EV_UAS_ACK ||
	       ev->type == CALL_EV_BYE_DONE ? 0 : -EINVAL;
}

static int (*const on_state[])(struct call *c, const struct call_ev *ev,
			       struct call_acts *o) = {
	[CALL_IDLE]		= on_idle,
	[CALL_OUTGOING]		= on_outgoing,
	[CALL_INCOMING]		= on_incoming,
	[CALL_ANSWERED]		= on_answered,
	[CALL_GLARE]		= call_on_glare,
	[CALL_BACKOFF]		= on_backoff,
	[CALL_CANCELLING]	= on_cancelling,
	[CALL_ESTABLISHED]	= on_established,
	[CALL_TERMINATING]	= on_terminating,
	[CALL_CLOSED]		= on_closed,
};

void call_init(struct call *c, const struct call_cfg *cfg)
{
	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	c->state = CALL_IDLE;
}

int call_event(struct call *c, const struct call_ev *ev, struct call_acts *o)
{
	o->n = 0;

	/* events that mean the same in every state */
	if (ev->type == CALL_EV_HANGUP) {
		call_teardown(c, CALL_END_NORMAL, o);
		return 0;
	}
	if (ev->type == CALL_EV_PORT_ERROR) {
		c->port_open = false;
		call_teardown(c, CALL_END_FIREWALL, o);
		return 0;
	}
	if (ev->type == CALL_EV_UAC_FINAL)
		c->uac_pending = false;
	if (ev->type == CALL_EV_UAS_ACK)
		c->uas_acked = true;

	if ((unsigned int)c->state >= sizeof(on_state) / sizeof(on_state[0]))
		return -EINVAL;
	return on_state[c->state](c, ev, o);
}

const char *call_state_name(enum call_state s)
{
	static const char *const n[] = {
		[CALL_IDLE] = "idle",		[CALL_OUTGOING] = "outgoing",
		[CALL_INCOMING] = "incoming",	[CALL_ANSWERED] = "answered",
		[CALL_GLARE] = "glare",		[CALL_BACKOFF] = "backoff",
		[CALL_CANCELLING] = "cancelling",
		[CALL_ESTABLISHED] = "established",
		[CALL_TERMINATING] = "terminating", [CALL_CLOSED] = "closed",
	};

	return (unsigned int)s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

const char *call_end_name(enum call_end e)
{
	static const char *const n[] = {
		[CALL_END_NONE] = "none",	[CALL_END_NORMAL] = "normal",
		[CALL_END_REJECTED] = "rejected",
		[CALL_END_DECLINED] = "declined",
		[CALL_END_CANCELLED] = "cancelled",
		[CALL_END_NO_ACK] = "no-ack",
		[CALL_END_GLARE_FAILED] = "glare-failed",
		[CALL_END_FIREWALL] = "firewall",
		[CALL_END_MEDIA_REFUSED] = "media-refused",
		[CALL_END_MEDIA_TIMEOUT] = "media-timeout",
	};

	return (unsigned int)e < sizeof(n) / sizeof(n[0]) ? n[e] : "?";
}

const char *call_act_name(enum call_act_type t)
{
	static const char *const n[] = {
		[CA_PORT_OPEN] = "port-open",	[CA_PORT_PIN] = "port-pin",
		[CA_PORT_ACTIVATE] = "port-activate",
		[CA_PORT_CLOSE] = "port-close",
		[CA_INVITE_SEND] = "invite",	[CA_INVITE_RESEND] = "invite-resend",
		[CA_CANCEL_SEND] = "cancel",	[CA_ACK_SEND] = "ack",
		[CA_BYE_SEND] = "bye",		[CA_ANSWER] = "answer",
		[CA_MEDIA_START] = "media-start", [CA_MEDIA_STOP] = "media-stop",
		[CA_TIMER_START] = "timer-start", [CA_TIMER_STOP] = "timer-stop",
	};

	return (unsigned int)t < sizeof(n) / sizeof(n[0]) ? n[t] : "?";
}
