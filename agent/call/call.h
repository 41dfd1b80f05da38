// SPDX-License-Identifier: GPL-2.0
/*
 * call.h - one call with one peer: caller, callee and glare flows as an
 * explicit state machine with pure transitions.
 *
 * call_event() takes the call and one event, moves the call to its new
 * state and appends the actions to perform, in order, to a struct
 * call_acts. It does no I/O: the UA (ua.c) performs the actions (SIP
 * messages, firewall ops, media, timers) and feeds back what happens.
 *
 * A call has up to two INVITE legs with the peer:
 *   CALL_LEG_UAC  the dialog of our INVITE
 *   CALL_LEG_UAS  the dialog of the peer's INVITE
 * In glare both exist at once; glare.c decides which one carries the
 * session.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#ifndef PINHOLE_CALL_H
#define PINHOLE_CALL_H

#include <stdbool.h>
#include <stdint.h>

#include "glare.h"

enum call_state {
	CALL_IDLE,
	CALL_OUTGOING,		/* port open, our INVITE sent, no final */
	CALL_INCOMING,		/* peer's INVITE, not accepted yet (180) */
	CALL_ANSWERED,		/* 200 sent with our port, waiting for ACK */
	CALL_GLARE,		/* both INVITEs pending: glare.c decides */
	CALL_BACKOFF,		/* rfc3261 mode: port closed, back-off */
	CALL_CANCELLING,	/* CANCEL sent for our INVITE */
	CALL_ESTABLISHED,	/* session up on call->leg */
	CALL_TERMINATING,	/* BYE(s) outstanding */
	CALL_CLOSED,		/* final; see call->end */
};

enum call_leg {
	CALL_LEG_NONE,
	CALL_LEG_UAC,
	CALL_LEG_UAS,
};

enum call_timer {
	CALL_TMR_NONE,
	CALL_TMR_ANSWER,	/* --auto-answer delay */
	CALL_TMR_BACKOFF,	/* RFC 3261 14.1 */
	CALL_TMR_GLARE_WAIT,	/* announced glare: the peer's INVITE is due */
};

/*
 * Announced glare: the peer's answer to our INVITE overtook the peer's own
 * INVITE (the paths are uneven). pinholed's glare answers carry its
 * Glare-Tiebreak, so the answer says "I am calling you too":
 *   - 491 with a lower value: the peer is the lower side and its INVITE is
 *     on the way; we keep our port and wait this long for it (64*T1, the
 *     longest its INVITE transaction may live), then answer it 200;
 *   - 2xx with a higher value: the peer is the higher side and took our
 *     INVITE; the session is up on our dialog, and its crossing INVITE,
 *     when it comes, gets 491 within this call (not a second call).
 */
#define CALL_GLARE_WAIT_MS	32000u

enum call_end {
	CALL_END_NONE,
	CALL_END_NORMAL,	/* BYE after a session */
	CALL_END_REJECTED,	/* final >= 300 on our INVITE */
	CALL_END_DECLINED,	/* we rejected the peer's INVITE */
	CALL_END_CANCELLED,
	CALL_END_NO_ACK,	/* our 200 was never ACKed */
	CALL_END_GLARE_FAILED,	/* both 200 or both 491 */
	CALL_END_FIREWALL,	/* the pinhole could not be opened */
	CALL_END_MEDIA_REFUSED,	/* the answer's media address is not
				 * allowed (--media-allow, --media-peer) */
	CALL_END_MEDIA_TIMEOUT,	/* no RTP/RTCP for --rtp-timeout */
	CALL_END__MAX = CALL_END_MEDIA_TIMEOUT,
};

enum call_ev_type {
	CALL_EV_DIAL,		/* user: call the peer; tb = our tiebreaker */
	CALL_EV_UAC_1XX,
	CALL_EV_UAC_FINAL,	/* code (408 for Timer B); tb_state, tb:
				 * the answer's Glare-Tiebreak */
	CALL_EV_UAS_INVITE,	/* peer's INVITE (glare if ours is pending) */
	CALL_EV_UAS_RESENT,	/* peer's INVITE arrived again */
	CALL_EV_UAS_ACK,	/* ACK for our 2xx */
	CALL_EV_UAS_ACK_TIMEOUT,/* 2xx retransmissions gave up (64*T1) */
	CALL_EV_UAS_CANCEL,	/* peer cancelled its INVITE */
	CALL_EV_ANSWER,		/* user accepts */
	CALL_EV_REJECT,		/* user rejects with code (486, 603) */
	CALL_EV_HANGUP,		/* user ends the call, whatever its state */
	CALL_EV_BYE,		/* peer's BYE on leg */
	CALL_EV_BYE_DONE,	/* our BYE on leg got its final or timed out */
	CALL_EV_TIMER,		/* timer expired */
	CALL_EV_PORT_ERROR,	/* a firewall op failed */
	CALL_EV_MEDIA_REFUSED,	/* the session's remote media address is
				 * not allowed: end it without media */
	CALL_EV_MEDIA_TIMEOUT,	/* established: the peer sent nothing */
};

struct call_ev {
	enum call_ev_type type;
	int code;			/* UAC_FINAL, REJECT */
	enum call_leg leg;		/* BYE, BYE_DONE */
	enum call_timer timer;		/* TIMER */
	enum glare_peer_tb tb_state;	/* UAS_INVITE */
	uint64_t tb;			/* UAS_INVITE: peer's; DIAL, TIMER
					 * BACKOFF: ours for the new INVITE */
	uint32_t rnd;			/* random input for the back-off */
	bool uas_2xx_held;		/* UAS_CANCEL: our 2xx waits for the
					 * PRACK of our reliable 1xx (RFC
					 * 3262 3): the INVITE has no final
					 * response yet, it gets 487 */
};

enum call_act_type {
	CA_PORT_OPEN,		/* open our media pinhole (state OPEN) */
	CA_PORT_PIN,		/* OPEN -> PINNED: it must persist */
	CA_PORT_ACTIVATE,	/* -> ACTIVE, remote from leg's SDP */
	CA_PORT_CLOSE,
	CA_INVITE_SEND,		/* new INVITE: our port + Glare-Tiebreak */
	CA_INVITE_RESEND,	/* retransmit our INVITE now */
	CA_CANCEL_SEND,
	CA_ACK_SEND,		/* ACK the 2xx of our INVITE */
	CA_BYE_SEND,		/* on leg */
	CA_ANSWER,		/* response code on the peer's INVITE */
	CA_MEDIA_START,		/* leg: whose SDP gives the remote */
	CA_MEDIA_STOP,
	CA_TIMER_START,		/* timer, ms */
	CA_TIMER_STOP,		/* timer */
};

struct call_act {
	enum call_act_type type;
	enum call_leg leg;
	int code;
	enum call_timer timer;
	uint32_t ms;
};

#define CALL_ACTS_MAX 16

struct call_acts {
	unsigned int n;
	struct call_act a[CALL_ACTS_MAX];
};

struct call_cfg {
	enum glare_mode mode;
	bool nack_after_ok;
	int auto_answer_ms;		/* < 0: wait for CALL_EV_ANSWER */
};

struct call {
	enum call_state state;
	struct call_cfg cfg;
	uint64_t our_tb;		/* tiebreaker of our current INVITE */
	struct glare_situation g;	/* valid in CALL_GLARE */
	enum call_leg leg;		/* the session's leg */
	enum call_end end;
	bool port_open;
	bool uac_pending;		/* our INVITE has no final response */
	bool uas_2xx_sent;		/* we answered the peer's INVITE 200 */
	bool uas_acked;
	bool bye_uas_after_ack;		/* BYE the peer's dialog once ACKed */
	unsigned int byes;		/* our BYEs outstanding */
	unsigned int attempts;		/* INVITEs sent (rfc3261 retries) */
	/* announced glare, 2xx first: the peer's crossing INVITE (with
	 * this tiebreaker) is due and gets 491 */
	bool crossing_due;
	uint64_t crossing_tb;
	unsigned int crossings;		/* crossing INVITEs answered 491 */
};

void call_init(struct call *c, const struct call_cfg *cfg);
/* returns 0, or -EINVAL when the event does not apply in this state */
int call_event(struct call *c, const struct call_ev *ev, struct call_acts *out);

/*
 * An INVITE from the peer, with this Glare-Tiebreak, belongs to this call
 * (glare) rather than being a new call: ours has no final response, we are
 * backing off to retry it (rfc3261), or the peer has announced this INVITE
 * (see above).
 */
bool call_takes_peer_invite(const struct call *c, enum glare_peer_tb tb_state,
			    uint64_t tb);

const char *call_state_name(enum call_state s);
const char *call_end_name(enum call_end e);
const char *call_act_name(enum call_act_type t);

#endif /* PINHOLE_CALL_H */
