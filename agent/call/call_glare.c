// SPDX-License-Identifier: GPL-2.0
/*
 * call_glare.c - glare in the call machine (S65-S107): entering CALL_GLARE
 * (crossing INVITEs, or announced by the answer to ours), the events of
 * that state, and carrying out what glare_decide() (glare.c) says.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <errno.h>
#include <string.h>

#include "call_internal.h"

static void glare_answer(struct call *c, enum glare_answer answer,
			 struct call_acts *o)
{
	switch (answer) {
	case GLARE_ANSWER_200:
		call_act(o, CA_ANSWER, CALL_LEG_UAS, 200);
		c->uas_2xx_sent = true;
		break;
	case GLARE_ANSWER_491:
		call_act(o, CA_ANSWER, CALL_LEG_UAS, 491);
		break;
	case GLARE_ANSWER_NONE:
	case GLARE_ANSWER_HOLD_491:
	case GLARE_ANSWER_HOLD_RESEND:
		break;
	}
	if (answer != GLARE_ANSWER_NONE)
		c->g.answered = answer;
}

static void glare_result(struct call *c, const struct glare_action *a,
			 const struct call_ev *ev, struct call_acts *o)
{
	switch (a->result) {
	case GLARE_PENDING:
		c->state = CALL_GLARE;
		break;
	case GLARE_SESSION_OWN:
		call_establish(c, CALL_LEG_UAC, o);
		break;
	case GLARE_SESSION_PEER:
		if (c->uas_acked)
			call_establish(c, CALL_LEG_UAS, o);	/* S101/S103 */
		else
			c->state = CALL_ANSWERED;
		break;
	case GLARE_FAILED:
		c->end = CALL_END_GLARE_FAILED;
		if (a->bye_peer)
			call_bye_uas(c, o);
		call_terminating_check(c);
		break;
	case GLARE_RETRY:
		/* we generated our INVITE's Call-ID: we own it */
		call_act_timer(o, CA_TIMER_START, CALL_TMR_BACKOFF,
			       glare_backoff_ms(true, ev->rnd));
		c->state = CALL_BACKOFF;
		break;
	}
}

/* Carry out what glare_decide() said. */
static void glare_apply(struct call *c, const struct glare_action *a,
			const struct call_ev *ev, struct call_acts *o)
{
	glare_answer(c, a->answer, o);

	if (a->port == GLARE_PORT_PIN)
		call_act(o, CA_PORT_PIN, CALL_LEG_NONE, 0);
	else if (a->port == GLARE_PORT_CLOSE)
		call_port_close(c, o);

	if (a->resend_own)
		call_act(o, CA_INVITE_RESEND, CALL_LEG_UAC, 0);

	if (a->own == GLARE_OWN_ACT_ACK)
		call_act(o, CA_ACK_SEND, CALL_LEG_UAC, 0);
	else if (a->own == GLARE_OWN_ACT_ACK_BYE)
		call_ack_bye_late_2xx(c, o);

	glare_result(c, a, ev, o);
}

/* a fresh glare situation: the peer's tiebreaker from @ev, nothing answered */
static void glare_init(struct call *c, const struct call_ev *ev,
		       enum glare_own_final own_final)
{
	memset(&c->g, 0, sizeof(c->g));
	c->g.mode = c->cfg.mode;
	c->g.nack_after_ok = c->cfg.nack_after_ok;
	c->g.our_tb = c->our_tb;
	c->g.peer_tb_state = ev->tb_state;
	c->g.peer_tb = ev->tb;
	c->g.own_final = own_final;
	c->g.answered = GLARE_ANSWER_NONE;
}

void call_glare_start(struct call *c, const struct call_ev *ev,
		      struct call_acts *o)
{
	struct glare_action a;

	glare_init(c, ev, GLARE_OWN_NONE);
	glare_decide(&c->g, &a);
	glare_apply(c, &a, ev, o);
}

static void glare_again(struct call *c, const struct call_ev *ev,
			struct call_acts *o)
{
	struct glare_action a;

	glare_decide(&c->g, &a);
	glare_apply(c, &a, ev, o);
}

/*
 * The final response to our INVITE announces the peer's crossing INVITE
 * (call.h): tiebreak mode, a valid Glare-Tiebreak in the answer, 491 from
 * a lower or 2xx from a higher side. Any other answer is what it says.
 */
static bool announced(const struct call *c, const struct call_ev *ev)
{
	enum glare_own_final f = call_classify(ev->code);

	if (c->cfg.mode != GLARE_MODE_TIEBREAK ||
	    ev->tb_state != GLARE_PEER_TB_VALID)
		return false;
	return (f == GLARE_OWN_491 && ev->tb < c->our_tb) ||
	       (f == GLARE_OWN_2XX && ev->tb > c->our_tb);
}

static void glare_announced(struct call *c, const struct call_ev *ev,
			    struct call_acts *o)
{
	if (call_classify(ev->code) == GLARE_OWN_2XX) {
		/* the higher side took our INVITE: session on our dialog
		 * (S77-S81); its own INVITE, when it comes, gets 491 */
		c->crossing_due = true;
		c->crossing_tb = ev->tb;
		call_act(o, CA_ACK_SEND, CALL_LEG_UAC, 0);
		call_establish(c, CALL_LEG_UAC, o);
		return;
	}
	/* the lower side refused ours: keep the port (it is the one our
	 * 200 will carry) and wait for its INVITE */
	glare_init(c, ev, GLARE_OWN_491);
	call_act_timer(o, CA_TIMER_START, CALL_TMR_GLARE_WAIT,
		       CALL_GLARE_WAIT_MS);
	c->state = CALL_GLARE;
}

/* The final response to our INVITE (OUTGOING): true when it announced
 * glare, and it has been handled. */
bool call_glare_announced(struct call *c, const struct call_ev *ev,
			  struct call_acts *o)
{
	if (!announced(c, ev))
		return false;
	glare_announced(c, ev, o);
	return true;
}

bool call_takes_peer_invite(const struct call *c, enum glare_peer_tb tb_state,
			    uint64_t tb)
{
	if (c->crossing_due && c->state == CALL_ESTABLISHED)
		return tb_state == GLARE_PEER_TB_VALID && tb == c->crossing_tb;
	return c->uac_pending || c->state == CALL_BACKOFF ||
	       (c->state == CALL_GLARE && c->g.answered == GLARE_ANSWER_NONE);
}

/* CALL_GLARE, CALL_EV_UAS_INVITE */
static void glare_peer_invite(struct call *c, const struct call_ev *ev,
			      struct call_acts *o)
{
	if (c->g.answered == GLARE_ANSWER_NONE) {
		/* the announced INVITE (491 first) */
		call_act_timer(o, CA_TIMER_STOP, CALL_TMR_GLARE_WAIT, 0);
		c->g.peer_tb_state = ev->tb_state;
		c->g.peer_tb = ev->tb;
		glare_again(c, ev, o);
		return;
	}
	/* a new INVITE of the peer after we answered its previous one 491
	 * (it backed off and retried, RFC 3261 14.1) while ours is still
	 * pending: a new round of glare, decided afresh. Any other case is
	 * a second INVITE we cannot take now: 491 too, so no INVITE is ever
	 * left unanswered. */
	if (c->uac_pending && c->g.answered == GLARE_ANSWER_491)
		call_glare_start(c, ev, o);
	else
		call_act(o, CA_ANSWER, CALL_LEG_UAS, 491);
}

static bool glare_held(const struct call *c)
{
	return c->g.answered == GLARE_ANSWER_HOLD_491 ||
	       c->g.answered == GLARE_ANSWER_HOLD_RESEND;
}

/* user hang-up, a firewall failure or no ACK in CALL_GLARE */
void call_glare_teardown(struct call *c, enum call_end why,
			 struct call_acts *o)
{
	if (c->g.answered == GLARE_ANSWER_NONE)
		call_act_timer(o, CA_TIMER_STOP, CALL_TMR_GLARE_WAIT, 0);
	if (glare_held(c))
		call_act(o, CA_ANSWER, CALL_LEG_UAS, 603);
	if (c->uas_2xx_sent)
		call_bye_uas(c, o);
	call_act(o, CA_CANCEL_SEND, CALL_LEG_UAC, 0);
	call_port_close(c, o);
	c->end = why;
	call_terminating_check(c);
}

int call_on_glare(struct call *c, const struct call_ev *ev,
		  struct call_acts *o)
{
	switch (ev->type) {
	case CALL_EV_UAC_1XX:
		return 0;
	case CALL_EV_UAC_FINAL:
		c->g.own_final = call_classify(ev->code);
		glare_again(c, ev, o);
		return 0;
	case CALL_EV_UAS_RESENT:
		c->g.peer_resent = true;
		glare_again(c, ev, o);
		return 0;
	case CALL_EV_UAS_INVITE:
		glare_peer_invite(c, ev, o);
		return 0;
	case CALL_EV_UAS_ACK:
		return 0;	/* recorded; used on our final */
	case CALL_EV_UAS_ACK_TIMEOUT:
		c->uas_acked = true;	/* transaction over: may BYE */
		call_teardown(c, CALL_END_NO_ACK, o);
		return 0;
	case CALL_EV_TIMER:
		if (ev->timer != CALL_TMR_GLARE_WAIT ||
		    c->g.answered != GLARE_ANSWER_NONE)
			return -EINVAL;
		/* the announced INVITE never came: ours was refused */
		call_port_close(c, o);
		call_closed(c, CALL_END_REJECTED);
		return 0;
	case CALL_EV_UAS_CANCEL:
		if (glare_held(c)) {
			call_act(o, CA_ANSWER, CALL_LEG_UAS, 487);
			c->state = CALL_OUTGOING;
		}
		return 0;
	case CALL_EV_BYE:
		/* the peer ends the dialog we answered 200 */
		if (ev->leg == CALL_LEG_UAS && c->uas_2xx_sent)
			call_teardown(c, CALL_END_NORMAL, o);
		return 0;
	default:
		return -EINVAL;
	}
}
