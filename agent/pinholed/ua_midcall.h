/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ua_midcall.h - what a call keeps of the changes to its established
 * session (ua_midcall.c): the peer's re-INVITE or UPDATE being answered,
 * our re-INVITE (hold/resume) and its RFC 3261 14.1 back-off.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#ifndef PINHOLE_AGENT_UA_MIDCALL_H
#define PINHOLE_AGENT_UA_MIDCALL_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/tmr.h"

struct sip_stx;
struct sip_ctx;

struct ua_mid {
	/* the peer's last re-INVITE, until the next one or the call's end
	 * (its ACK, with the answer when our offer was in the 2xx) */
	struct sip_stx *stx;
	bool late;		/* our offer in its 2xx, no ACK yet */
	/* our re-INVITE */
	struct sip_ctx *ctx;
	uint32_t ctx_cseq;
	bool ctx_acked;		/* its 2xx ACKed (retransmissions again) */
	unsigned int auth_tries;	/* its retries with credentials */
	bool want_hold;		/* what the user asked last */
	bool held;		/* our last offer agreed was sendonly */
	bool refresh;		/* our re-INVITE is a session refresh */
	bool peer_won;		/* its 491 came from the tiebreaker: again
				 * at once after the peer's */
	uint64_t tb;		/* our re-INVITEs' tiebreaker (0: none yet;
				 * a callee's call has none of its own) */
	struct tmr tmr_retry;	/* after a 491 */
	uint32_t sdp_ver;	/* o= versions since the initial SDP */
	uint64_t reinvites_in, updates_in, reinvites_out, rebinds;
};

#endif /* PINHOLE_AGENT_UA_MIDCALL_H */
