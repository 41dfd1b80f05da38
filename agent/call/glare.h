// SPDX-License-Identifier: GPL-2.0
/*
 * glare.h - the glare decision of JP5338765B2 as pure functions.
 *
 * Glare: while our INVITE (which carried our open media port and our
 * tiebreaker) has no final response, an INVITE arrives from the party we
 * are calling (its From AoR equals the To AoR of our INVITE). What we
 * answer, what happens to our pinhole and which dialog carries the session
 * is a function of the situation only; glare_decide() computes it. It is
 * called again whenever the situation changes (a final response to our
 * INVITE arrives, the peer re-sends its INVITE), so the whole table in
 * docs/claims.md is exercised without sockets (agent/tests/call/test_glare.c).
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#ifndef PINHOLE_GLARE_H
#define PINHOLE_GLARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum glare_mode {
	GLARE_MODE_TIEBREAK,		/* patent main embodiment (default) */
	GLARE_MODE_TIEBREAK_RESEND,	/* variant: higher side re-sends */
	GLARE_MODE_RFC3261,		/* conventional: 491 + back-off */
};

/* what the peer's INVITE carried in Glare-Tiebreak */
enum glare_peer_tb {
	GLARE_PEER_TB_ABSENT,
	GLARE_PEER_TB_INVALID,		/* present but not a valid tiebreaker */
	GLARE_PEER_TB_VALID,
};

/* the final response that has arrived to our INVITE, if any */
enum glare_own_final {
	GLARE_OWN_NONE,
	GLARE_OWN_2XX,
	GLARE_OWN_491,
	GLARE_OWN_OTHER,		/* any other >= 300, or Timer B */
};

/* what we have answered (or are holding) on the peer's INVITE */
enum glare_answer {
	GLARE_ANSWER_NONE,
	GLARE_ANSWER_200,		/* 200 OK with our already-open port */
	GLARE_ANSWER_491,		/* 491 Request Pending */
	GLARE_ANSWER_HOLD_491,		/* 491 decided, held until our final */
	GLARE_ANSWER_HOLD_RESEND,	/* no final yet: 200 when the peer re-sends */
};

enum glare_verdict {
	GLARE_HIGHER,			/* our tiebreaker is higher */
	GLARE_LOWER,
	GLARE_UNDECIDED,		/* no/invalid peer tiebreaker, or equal */
	GLARE_CONVENTIONAL,		/* rfc3261 mode: no comparison */
};

enum glare_port {
	GLARE_PORT_KEEP,		/* leave the pinhole as it is */
	GLARE_PORT_PIN,			/* must persist: we answer 200 with it */
	GLARE_PORT_CLOSE,
};

/* what to do with our own INVITE's final response */
enum glare_own_act {
	GLARE_OWN_ACT_NONE,		/* non-2xx are ACKed by the transaction */
	GLARE_OWN_ACT_ACK,		/* ACK the 2xx: session on our dialog */
	GLARE_OWN_ACT_ACK_BYE,		/* ACK the 2xx, then BYE it */
};

enum glare_result {
	GLARE_PENDING,			/* wait for the next event */
	GLARE_SESSION_OWN,		/* session on our INVITE's dialog */
	GLARE_SESSION_PEER,		/* session on the peer's INVITE's dialog */
	GLARE_FAILED,			/* no session: pinhole closed */
	GLARE_RETRY,			/* rfc3261: port closed, back off, retry */
};

struct glare_situation {
	enum glare_mode mode;
	bool nack_after_ok;		/* --nack-after-ok */
	uint64_t our_tb;
	enum glare_peer_tb peer_tb_state;
	uint64_t peer_tb;		/* valid if peer_tb_state == VALID */
	enum glare_own_final own_final;
	enum glare_answer answered;	/* GLARE_ANSWER_NONE on the first call */
	bool peer_resent;		/* the peer's INVITE arrived again */
};

struct glare_action {
	enum glare_verdict verdict;
	enum glare_answer answer;	/* to send/hold now; NONE = nothing new */
	enum glare_port port;
	bool resend_own;		/* re-send our INVITE now (resend variant) */
	enum glare_own_act own;
	bool bye_peer;			/* end the peer's dialog (BYE after its ACK) */
	enum glare_result result;
};

enum glare_verdict glare_compare(const struct glare_situation *s);
void glare_decide(const struct glare_situation *s, struct glare_action *a);

/*
 * RFC 3261 14.1 back-off in ms, from a random value: 2100..4000 for the
 * owner of the Call-ID (who generated it), 0..2000 otherwise; 10 ms steps.
 */
uint32_t glare_backoff_ms(bool callid_owner, uint32_t rnd);

/*
 * Glare detection: true when an INVITE from peer_from_aor arrives while
 * our INVITE to our_to_aor has no final response. AoRs are compared as
 * user@host: user case-sensitive, host case-insensitive, scheme/params
 * already stripped by the caller.
 */
bool glare_detect(bool our_invite_pending, const char *our_to_aor,
		  const char *peer_from_aor);

const char *glare_mode_name(enum glare_mode m);
int glare_mode_parse(const char *s, enum glare_mode *m);
const char *glare_result_name(enum glare_result r);

#endif /* PINHOLE_GLARE_H */
