// SPDX-License-Identifier: GPL-2.0
/*
 * glare.c - the glare decision (JP5338765B2 S65-S107, claims 1-10),
 * mapped onto RFC 3261. Pure functions: no I/O, no clock, no randomness.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "glare.h"

/* S67 (is there a tiebreaker?) and S69 (compare it with ours). */
enum glare_verdict glare_compare(const struct glare_situation *s)
{
	if (s->mode == GLARE_MODE_RFC3261)
		return GLARE_CONVENTIONAL;
	if (s->peer_tb_state != GLARE_PEER_TB_VALID)
		return GLARE_UNDECIDED;
	if (s->our_tb == s->peer_tb)
		return GLARE_UNDECIDED;
	return s->our_tb > s->peer_tb ? GLARE_HIGHER : GLARE_LOWER;
}

/* The peer's INVITE has just arrived: what do we answer? */
static void decide_first(const struct glare_situation *s, struct glare_action *a)
{
	enum glare_answer nack = s->nack_after_ok ? GLARE_ANSWER_HOLD_491 :
						    GLARE_ANSWER_491;

	switch (a->verdict) {
	case GLARE_HIGHER:
		if (s->mode == GLARE_MODE_TIEBREAK_RESEND) {
			/* variant: re-send ours, refuse theirs */
			a->resend_own = true;
			a->answer = nack;
		} else {
			/* S71/S73: 200 with our open port; it must persist */
			a->answer = GLARE_ANSWER_200;
			a->port = GLARE_PORT_PIN;
		}
		break;
	case GLARE_LOWER:
		if (s->mode == GLARE_MODE_TIEBREAK_RESEND) {
			/* variant: stay silent, answer 200 to the re-send */
			a->answer = GLARE_ANSWER_HOLD_RESEND;
			a->port = GLARE_PORT_PIN;
		} else {
			/* S75: NG; our port stays open (S39) */
			a->answer = nack;
		}
		break;
	case GLARE_UNDECIDED:
		/* S67: NO -> S75; equal cannot be decided either */
		a->answer = GLARE_ANSWER_491;
		break;
	case GLARE_CONVENTIONAL:
		a->answer = GLARE_ANSWER_491;
		break;
	}
}

/* A final response to our INVITE has arrived (a->answer was given earlier). */
static void decide_own_final(const struct glare_situation *s,
			     struct glare_action *a)
{
	bool ok = s->own_final == GLARE_OWN_2XX;

	switch (s->answered) {
	case GLARE_ANSWER_200:
		if (ok) {
			/* S91: both sides said OK -> failure (S93); RFC 3261
			 * replaces the patent's CANCEL by ACK+BYE */
			a->own = GLARE_OWN_ACT_ACK_BYE;
			a->bye_peer = true;
			a->port = GLARE_PORT_CLOSE;
			a->result = GLARE_FAILED;
		} else {
			/* S97/S99: NG on ours -> session on the peer's
			 * dialog once its ACK arrives (S101/S103) */
			a->result = GLARE_SESSION_PEER;
		}
		break;
	case GLARE_ANSWER_HOLD_RESEND:
		if (ok) {
			/* the peer took our INVITE after all: refuse its own */
			a->answer = GLARE_ANSWER_491;
			a->own = GLARE_OWN_ACT_ACK;
			a->result = GLARE_SESSION_OWN;
		} else {
			/* the higher side refuses ours; keep waiting for
			 * its re-sent INVITE */
			a->result = GLARE_PENDING;
		}
		break;
	case GLARE_ANSWER_HOLD_491:
		/* collision-avoidance variant: the NG goes out only now */
		a->answer = GLARE_ANSWER_491;
		/* fall through */
	case GLARE_ANSWER_491:
	case GLARE_ANSWER_NONE:
		if (ok) {
			/* S77/S79: OK on ours -> session on our dialog */
			a->own = GLARE_OWN_ACT_ACK;
			a->result = GLARE_SESSION_OWN;
		} else if (s->own_final == GLARE_OWN_491 &&
			   s->mode == GLARE_MODE_RFC3261) {
			a->port = GLARE_PORT_CLOSE;
			a->result = GLARE_RETRY;
		} else {
			/* S83/S85: NG on ours too -> close the port */
			a->port = GLARE_PORT_CLOSE;
			a->result = GLARE_FAILED;
		}
		break;
	}
}

/* decide_first() gave @a; the final to ours is already there too */
static void decide_both(const struct glare_situation *s,
			struct glare_action *a)
{
	struct glare_situation now = *s;
	struct glare_action b;

	now.answered = a->answer;
	memset(&b, 0, sizeof(b));
	b.answer = GLARE_ANSWER_NONE;
	b.port = GLARE_PORT_KEEP;
	decide_own_final(&now, &b);
	if (b.answer != GLARE_ANSWER_NONE)
		a->answer = b.answer;
	if (b.port != GLARE_PORT_KEEP)
		a->port = b.port;
	a->own = b.own;
	a->bye_peer = b.bye_peer;
	a->result = b.result;
}

void glare_decide(const struct glare_situation *s, struct glare_action *a)
{
	memset(a, 0, sizeof(*a));
	a->verdict = glare_compare(s);
	a->answer = GLARE_ANSWER_NONE;
	a->port = GLARE_PORT_KEEP;
	a->own = GLARE_OWN_ACT_NONE;
	a->result = GLARE_PENDING;

	if (s->answered == GLARE_ANSWER_NONE) {
		/* the peer's INVITE has just arrived; ours has no final
		 * response yet, or (announced glare, call.h) the peer's
		 * final has overtaken its INVITE: then both at once */
		decide_first(s, a);
		if (s->own_final != GLARE_OWN_NONE)
			decide_both(s, a);
		return;
	}

	if (s->answered == GLARE_ANSWER_HOLD_RESEND && s->peer_resent &&
	    s->own_final != GLARE_OWN_2XX) {
		/* variant: the higher side re-sent its INVITE -> 200 */
		a->answer = GLARE_ANSWER_200;
		if (s->own_final != GLARE_OWN_NONE)
			a->result = GLARE_SESSION_PEER;
		return;
	}

	if (s->own_final != GLARE_OWN_NONE)
		decide_own_final(s, a);
}

uint32_t glare_backoff_ms(bool callid_owner, uint32_t rnd)
{
	/* RFC 3261 14.1: multiples of 10 ms */
	if (callid_owner)
		return 2100 + (rnd % 191) * 10;
	return (rnd % 201) * 10;
}

static int aor_cmp(const char *a, const char *b)
{
	const char *at_a = strrchr(a, '@'), *at_b = strrchr(b, '@');
	size_t ua, ub;

	if (!at_a || !at_b)
		return strcasecmp(a, b);
	ua = (size_t)(at_a - a);
	ub = (size_t)(at_b - b);
	if (ua != ub || strncmp(a, b, ua))
		return 1;
	return strcasecmp(at_a + 1, at_b + 1);
}

bool glare_detect(bool our_invite_pending, const char *our_to_aor,
		  const char *peer_from_aor)
{
	if (!our_invite_pending || !our_to_aor || !peer_from_aor)
		return false;
	return aor_cmp(our_to_aor, peer_from_aor) == 0;
}

static const char *const mode_names[] = {
	[GLARE_MODE_TIEBREAK]		= "tiebreak",
	[GLARE_MODE_TIEBREAK_RESEND]	= "tiebreak-resend",
	[GLARE_MODE_RFC3261]		= "rfc3261",
};

const char *glare_mode_name(enum glare_mode m)
{
	if ((unsigned int)m >= sizeof(mode_names) / sizeof(mode_names[0]))
		return "?";
	return mode_names[m];
}

int glare_mode_parse(const char *s, enum glare_mode *m)
{
	for (unsigned int i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (!strcmp(s, mode_names[i])) {
			*m = (enum glare_mode)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *glare_result_name(enum glare_result r)
{
	switch (r) {
	case GLARE_PENDING:		return "pending";
	case GLARE_SESSION_OWN:		return "session-own";
	case GLARE_SESSION_PEER:	return "session-peer";
	case GLARE_FAILED:		return "failed";
	case GLARE_RETRY:		return "retry";
	}
	return "?";
}
