/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ua_session_timer.h - what a call keeps of its session timer (RFC 4028,
 * ua_session_timer.c): the interval and our role, the timer of our next
 * refresh or of the BYE when the peer's does not come (and when, on the
 * wall clock: the state file carries it across a restart), our refresh
 * UPDATE, and the counts `calls --json` shows.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#ifndef PINHOLE_AGENT_UA_SESSION_TIMER_H
#define PINHOLE_AGENT_UA_SESSION_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/tmr.h"
#include "sip/sip_session_timer.h"

struct sip_ctx;

struct ua_st {
	struct sip_st_result res;	/* interval 0: no session timer */
	struct tmr tmr;			/* refresh, or BYE at expiry */
	uint64_t due_rt;		/* CLOCK_REALTIME ms it fires at */
	uint32_t asked;			/* our last request's interval */
	uint32_t min_se_422;		/* a 422's Min-SE, asked again */
	bool retried_422;		/* the request's one 422 retry */
	bool peer_update;		/* the peer Allows UPDATE */
	struct sip_ctx *upd;		/* our refresh UPDATE */
	unsigned int upd_auth_tries;
	uint64_t sent, received;	/* refreshes */
};

#endif /* PINHOLE_AGENT_UA_SESSION_TIMER_H */
