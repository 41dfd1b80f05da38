// SPDX-License-Identifier: GPL-2.0
/*
 * call.c - the call state machine (caller S61-S87, callee S111-S121, glare
 * S65-S107 through glare.c), pure: events in, state and actions out.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <errno.h>
#include <string.h>

#include "call.h"

static void act(struct call_acts *o, enum call_act_type t, enum call_leg leg,
		int code)
{
	if (o->n >= CALL_ACTS_MAX)
		return;		/* cannot happen: bounded by the table below */
	o->a[o->n++] = (struct call_act){ .type = t, .leg = leg, .code = code };
}

static void act_timer(struct call_acts *o, enum call_act_type t,
		      enum call_timer tmr, uint32_t ms)
{
	if (o->n >= CALL_ACTS_MAX)
		return;
	o->a[o->n++] = (struct call_act){ .type = t, .timer = tmr, .ms = ms };
}

static void port_open(struct call *c, struct call_acts *o)
{
	act(o, CA_PORT_OPEN, CALL_LEG_NONE, 0);
	c->port_open = true;
}

static void port_close(struct call *c, struct call_acts *o)
{
	if (!c->port_open)
		return;
	act(o, CA_PORT_CLOSE, CALL_LEG_NONE, 0);
	c->port_open = false;
}

static void closed(struct call *c, enum call_end why)
{
	c->state = CALL_CLOSED;
	if (c->end == CALL_END_NONE)
		c->end = why;
}

static void establish(struct call *c, enum call_leg leg, struct call_acts *o)
{
	act(o, CA_PORT_ACTIVATE, leg, 0);
	act(o, CA_MEDIA_START, leg, 0);
	c->leg = leg;
	c->state = CALL_ESTABLISHED;
}

static void send_invite(struct call *c, uint64_t tb, struct call_acts *o)
{
	c->our_tb = tb;
	port_open(c, o);			/* S61: before the INVITE */
	act(o, CA_INVITE_SEND, CALL_LEG_UAC, 0);	/* S63 */
	c->uac_pending = true;
	c->uas_2xx_sent = false;
	c->uas_acked = false;
	c->attempts++;
	c->state = CALL_OUTGOING;
}

static void accept_incoming(struct call *c, struct call_acts *o)
{
	port_open(c, o);			/* S111 */
	act(o, CA_ANSWER, CALL_LEG_UAS, 200);	/* S113/S115 */
	c->uas_2xx_sent = true;
	c->state = CALL_ANSWERED;
}

/* TERMINATING is over when nothing is outstanding any more. */
static void terminating_check(struct call *c)
{
	if (c->byes || c->bye_uas_after_ack || c->uac_pending)
		c->state = CALL_TERMINATING;
	else
		closed(c, CALL_END_NORMAL);
}

static void bye_uas(struct call *c, struct call_acts *o)
{
	/* RFC 3261 15: the callee BYEs only after the ACK (or its timeout) */
	if (c->uas_acked) {
		act(o, CA_BYE_SEND, CALL_LEG_UAS, 0);
		c->byes++;
	} else {
		c->bye_uas_after_ack = true;
	}
}

static enum glare_own_final classify(int code)
{
	if (code >= 200 && code < 300)
		return GLARE_OWN_2XX;
	if (code == 491)
		return GLARE_OWN_491;
	return GLARE_OWN_OTHER;
}

/* Carry out what glare_decide() said. */
static void glare_apply(struct call *c, const struct glare_action *a,
			const struct call_ev *ev, struct call_acts *o)
{
	switch (a->answer) {
	case GLARE_ANSWER_200:
		act(o, CA_ANSWER, CALL_LEG_UAS, 200);
		c->uas_2xx_sent = true;
		break;
	case GLARE_ANSWER_491:
		act(o, CA_ANSWER, CALL_LEG_UAS, 491);
		break;
	case GLARE_ANSWER_NONE:
	case GLARE_ANSWER_HOLD_491:
	case GLARE_ANSWER_HOLD_RESEND:
		break;
	}
	if (a->answer != GLARE_ANSWER_NONE)
		c->g.answered = a->answer;

	if (a->port == GLARE_PORT_PIN)
		act(o, CA_PORT_PIN, CALL_LEG_NONE, 0);
	else if (a->port == GLARE_PORT_CLOSE)
		port_close(c, o);

	if (a->resend_own)
		act(o, CA_INVITE_RESEND, CALL_LEG_UAC, 0);

	if (a->own == GLARE_OWN_ACT_ACK) {
		act(o, CA_ACK_SEND, CALL_LEG_UAC, 0);
	} else if (a->own == GLARE_OWN_ACT_ACK_BYE) {
		act(o, CA_ACK_SEND, CALL_LEG_UAC, 0);
		act(o, CA_BYE_SEND, CALL_LEG_UAC, 0);
		c->byes++;
	}

	switch (a->result) {
	case GLARE_PENDING:
		c->state = CALL_GLARE;
		break;
	case GLARE_SESSION_OWN:
		establish(c, CALL_LEG_UAC, o);
		break;
	case GLARE_SESSION_PEER:
		if (c->uas_acked)
			establish(c, CALL_LEG_UAS, o);	/* S101/S103 */
		else
			c->state = CALL_ANSWERED;
		break;
	case GLARE_FAILED:
		c->end = CALL_END_GLARE_FAILED;
		if (a->bye_peer)
			bye_uas(c, o);
		terminating_check(c);
		break;
	case GLARE_RETRY:
		/* we generated our INVITE's Call-ID: we own it */
		act_timer(o, CA_TIMER_START, CALL_TMR_BACKOFF,
			  glare_backoff_ms(true, ev->rnd));
		c->state = CALL_BACKOFF;
		break;
	}
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

static void glare_start(struct call *c, const struct call_ev *ev,
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
	enum glare_own_final f = classify(ev->code);

	if (c->cfg.mode != GLARE_MODE_TIEBREAK ||
	    ev->tb_state != GLARE_PEER_TB_VALID)
		return false;
	return (f == GLARE_OWN_491 && ev->tb < c->our_tb) ||
	       (f == GLARE_OWN_2XX && ev->tb > c->our_tb);
}

static void glare_announced(struct call *c, const struct call_ev *ev,
			    struct call_acts *o)
{
	if (classify(ev->code) == GLARE_OWN_2XX) {
		/* the higher side took our INVITE: session on our dialog
		 * (S77-S81); its own INVITE, when it comes, gets 491 */
		c->crossing_due = true;
		c->crossing_tb = ev->tb;
		act(o, CA_ACK_SEND, CALL_LEG_UAC, 0);
		establish(c, CALL_LEG_UAC, o);
		return;
	}
	/* the lower side refused ours: keep the port (it is the one our
	 * 200 will carry) and wait for its INVITE */
	glare_init(c, ev, GLARE_OWN_491);
	act_timer(o, CA_TIMER_START, CALL_TMR_GLARE_WAIT, CALL_GLARE_WAIT_MS);
	c->state = CALL_GLARE;
}

bool call_takes_peer_invite(const struct call *c, enum glare_peer_tb tb_state,
			    uint64_t tb)
{
	if (c->crossing_due && c->state == CALL_ESTABLISHED)
		return tb_state == GLARE_PEER_TB_VALID && tb == c->crossing_tb;
	return c->uac_pending || c->state == CALL_BACKOFF ||
	       (c->state == CALL_GLARE && c->g.answered == GLARE_ANSWER_NONE);
}

/* User hang-up or a firewall failure: end whatever is in progress. */
static void teardown(struct call *c, enum call_end why, struct call_acts *o)
{
	switch (c->state) {
	case CALL_IDLE:
	case CALL_CLOSED:
		closed(c, why);
		return;
	case CALL_BACKOFF:
		act_timer(o, CA_TIMER_STOP, CALL_TMR_BACKOFF, 0);
		port_close(c, o);
		closed(c, why);
		return;
	case CALL_INCOMING:
		act_timer(o, CA_TIMER_STOP, CALL_TMR_ANSWER, 0);
		act(o, CA_ANSWER, CALL_LEG_UAS, 603);
		closed(c, why);
		return;
	case CALL_OUTGOING:
		act(o, CA_CANCEL_SEND, CALL_LEG_UAC, 0);
		port_close(c, o);
		c->end = why;
		c->state = CALL_CANCELLING;
		return;
	case CALL_CANCELLING:
		return;
	case CALL_GLARE:
		if (c->g.answered == GLARE_ANSWER_NONE)
			act_timer(o, CA_TIMER_STOP, CALL_TMR_GLARE_WAIT, 0);
		if (c->g.answered == GLARE_ANSWER_HOLD_491 ||
		    c->g.answered == GLARE_ANSWER_HOLD_RESEND)
			act(o, CA_ANSWER, CALL_LEG_UAS, 603);
		if (c->uas_2xx_sent)
			bye_uas(c, o);
		act(o, CA_CANCEL_SEND, CALL_LEG_UAC, 0);
		port_close(c, o);
		c->end = why;
		terminating_check(c);
		return;
	case CALL_ANSWERED:
		bye_uas(c, o);
		port_close(c, o);
		c->end = why;
		terminating_check(c);
		return;
	case CALL_ESTABLISHED:
		act(o, CA_MEDIA_STOP, CALL_LEG_NONE, 0);
		act(o, CA_BYE_SEND, c->leg, 0);
		c->byes++;
		port_close(c, o);
		c->end = why;
		terminating_check(c);
		return;
	case CALL_TERMINATING:
		return;
	}
}

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
		teardown(c, CALL_END_NORMAL, o);
		return 0;
	}
	if (ev->type == CALL_EV_PORT_ERROR) {
		c->port_open = false;
		teardown(c, CALL_END_FIREWALL, o);
		return 0;
	}
	if (ev->type == CALL_EV_UAC_FINAL)
		c->uac_pending = false;
	if (ev->type == CALL_EV_UAS_ACK)
		c->uas_acked = true;

	switch (c->state) {
	case CALL_IDLE:
		switch (ev->type) {
		case CALL_EV_DIAL:
			send_invite(c, ev->tb, o);
			return 0;
		case CALL_EV_UAS_INVITE:
			act(o, CA_ANSWER, CALL_LEG_UAS, 180);
			c->state = CALL_INCOMING;
			if (c->cfg.auto_answer_ms == 0) {
				accept_incoming(c, o);
			} else if (c->cfg.auto_answer_ms > 0) {
				act_timer(o, CA_TIMER_START, CALL_TMR_ANSWER,
					  (uint32_t)c->cfg.auto_answer_ms);
			}
			return 0;
		default:
			return -EINVAL;
		}

	case CALL_OUTGOING:
		switch (ev->type) {
		case CALL_EV_UAC_1XX:
			return 0;
		case CALL_EV_UAC_FINAL:
			if (announced(c, ev)) {
				glare_announced(c, ev, o);
			} else if (classify(ev->code) == GLARE_OWN_2XX) {
				act(o, CA_ACK_SEND, CALL_LEG_UAC, 0); /* S79 */
				establish(c, CALL_LEG_UAC, o);	/* S81 */
			} else if (ev->code == 491 &&
				   c->cfg.mode == GLARE_MODE_RFC3261) {
				port_close(c, o);
				act_timer(o, CA_TIMER_START, CALL_TMR_BACKOFF,
					  glare_backoff_ms(true, ev->rnd));
				c->state = CALL_BACKOFF;
			} else {
				port_close(c, o);		/* S85 */
				closed(c, CALL_END_REJECTED);
			}
			return 0;
		case CALL_EV_UAS_INVITE:
			glare_start(c, ev, o);		/* S65 */
			return 0;
		default:
			return -EINVAL;
		}

	case CALL_GLARE:
		switch (ev->type) {
		case CALL_EV_UAC_1XX:
			return 0;
		case CALL_EV_UAC_FINAL:
			c->g.own_final = classify(ev->code);
			glare_again(c, ev, o);
			return 0;
		case CALL_EV_UAS_RESENT:
			c->g.peer_resent = true;
			glare_again(c, ev, o);
			return 0;
		case CALL_EV_UAS_INVITE:
			if (c->g.answered == GLARE_ANSWER_NONE) {
				/* the announced INVITE (491 first) */
				act_timer(o, CA_TIMER_STOP,
					  CALL_TMR_GLARE_WAIT, 0);
				c->g.peer_tb_state = ev->tb_state;
				c->g.peer_tb = ev->tb;
				glare_again(c, ev, o);
				return 0;
			}
			/* a new INVITE of the peer after we answered its
			 * previous one 491 (it backed off and retried, RFC
			 * 3261 14.1) while ours is still pending: a new round
			 * of glare, decided afresh. Any other case is a
			 * second INVITE we cannot take now: 491 too, so no
			 * INVITE is ever left unanswered. */
			if (c->uac_pending &&
			    c->g.answered == GLARE_ANSWER_491)
				glare_start(c, ev, o);
			else
				act(o, CA_ANSWER, CALL_LEG_UAS, 491);
			return 0;
		case CALL_EV_UAS_ACK:
			return 0;	/* recorded; used on our final */
		case CALL_EV_UAS_ACK_TIMEOUT:
			c->uas_acked = true;	/* transaction over: may BYE */
			teardown(c, CALL_END_NO_ACK, o);
			return 0;
		case CALL_EV_TIMER:
			if (ev->timer != CALL_TMR_GLARE_WAIT ||
			    c->g.answered != GLARE_ANSWER_NONE)
				return -EINVAL;
			/* the announced INVITE never came: ours was refused */
			port_close(c, o);
			closed(c, CALL_END_REJECTED);
			return 0;
		case CALL_EV_UAS_CANCEL:
			if (c->g.answered == GLARE_ANSWER_HOLD_491 ||
			    c->g.answered == GLARE_ANSWER_HOLD_RESEND) {
				act(o, CA_ANSWER, CALL_LEG_UAS, 487);
				c->state = CALL_OUTGOING;
			}
			return 0;
		case CALL_EV_BYE:
			/* the peer ends the dialog we answered 200 */
			if (ev->leg == CALL_LEG_UAS && c->uas_2xx_sent)
				teardown(c, CALL_END_NORMAL, o);
			return 0;
		default:
			return -EINVAL;
		}

	case CALL_BACKOFF:
		switch (ev->type) {
		case CALL_EV_TIMER:
			if (ev->timer != CALL_TMR_BACKOFF)
				return -EINVAL;
			send_invite(c, ev->tb, o);	/* reopen, retry */
			return 0;
		case CALL_EV_UAS_INVITE:
			/* the peer retried first: we wanted this call */
			act_timer(o, CA_TIMER_STOP, CALL_TMR_BACKOFF, 0);
			accept_incoming(c, o);
			return 0;
		default:
			return -EINVAL;
		}

	case CALL_INCOMING:
		switch (ev->type) {
		case CALL_EV_TIMER:
			if (ev->timer != CALL_TMR_ANSWER)
				return -EINVAL;
			accept_incoming(c, o);
			return 0;
		case CALL_EV_ANSWER:
			act_timer(o, CA_TIMER_STOP, CALL_TMR_ANSWER, 0);
			accept_incoming(c, o);
			return 0;
		case CALL_EV_DIAL:
			/* the user calls the party whose INVITE is ringing
			 * (it arrived before ours was sent: no crossing, no
			 * glare): the call they want is this one, answer it */
			act_timer(o, CA_TIMER_STOP, CALL_TMR_ANSWER, 0);
			accept_incoming(c, o);
			return 0;
		case CALL_EV_REJECT:
			act_timer(o, CA_TIMER_STOP, CALL_TMR_ANSWER, 0);
			act(o, CA_ANSWER, CALL_LEG_UAS,
			    ev->code >= 300 ? ev->code : 486);
			closed(c, CALL_END_DECLINED);
			return 0;
		case CALL_EV_UAS_CANCEL:
			act_timer(o, CA_TIMER_STOP, CALL_TMR_ANSWER, 0);
			act(o, CA_ANSWER, CALL_LEG_UAS, 487);
			closed(c, CALL_END_CANCELLED);
			return 0;
		case CALL_EV_UAS_RESENT:
			return 0;
		default:
			return -EINVAL;
		}

	case CALL_ANSWERED:
		switch (ev->type) {
		case CALL_EV_UAS_ACK:
			establish(c, CALL_LEG_UAS, o);	/* S117: YES, S119 */
			return 0;
		case CALL_EV_UAS_ACK_TIMEOUT:
			c->uas_acked = true;
			port_close(c, o);		/* S117: NO, S121 */
			bye_uas(c, o);			/* RFC 3261 13.3.1.4 */
			c->end = CALL_END_NO_ACK;
			terminating_check(c);
			return 0;
		case CALL_EV_UAS_CANCEL:
		case CALL_EV_UAS_RESENT:
		case CALL_EV_UAC_1XX:
			return 0;	/* too late / absorbed */
		case CALL_EV_BYE:
			port_close(c, o);
			closed(c, CALL_END_NORMAL);
			return 0;
		default:
			return -EINVAL;
		}

	case CALL_ESTABLISHED:
		switch (ev->type) {
		case CALL_EV_UAC_FINAL:
			/* a retransmitted 2xx is ACKed again (13.2.2.4) */
			if (c->leg == CALL_LEG_UAC &&
			    classify(ev->code) == GLARE_OWN_2XX)
				act(o, CA_ACK_SEND, CALL_LEG_UAC, 0);
			return 0;
		case CALL_EV_UAS_ACK:
		case CALL_EV_UAS_RESENT:
		case CALL_EV_UAC_1XX:
		case CALL_EV_UAS_ACK_TIMEOUT:
			return 0;
		case CALL_EV_UAS_INVITE:
			/* the announced crossing INVITE of the higher side:
			 * the lower side's NG (S75), the session stays */
			if (!c->crossing_due || c->leg != CALL_LEG_UAC)
				return -EINVAL;
			act(o, CA_ANSWER, CALL_LEG_UAS, 491);
			c->crossing_due = false;
			c->crossings++;
			return 0;
		case CALL_EV_BYE:
			if (ev->leg != c->leg)
				return -EINVAL;
			act(o, CA_MEDIA_STOP, CALL_LEG_NONE, 0);
			port_close(c, o);
			closed(c, CALL_END_NORMAL);
			return 0;
		default:
			return -EINVAL;
		}

	case CALL_CANCELLING:
		switch (ev->type) {
		case CALL_EV_UAC_1XX:
			return 0;
		case CALL_EV_UAC_FINAL:
			if (classify(ev->code) == GLARE_OWN_2XX) {
				/* CANCEL lost the race: ACK and BYE (9.1) */
				act(o, CA_ACK_SEND, CALL_LEG_UAC, 0);
				act(o, CA_BYE_SEND, CALL_LEG_UAC, 0);
				c->byes++;
				terminating_check(c);
			} else {
				closed(c, CALL_END_CANCELLED);
			}
			return 0;
		case CALL_EV_UAS_INVITE:
			act(o, CA_ANSWER, CALL_LEG_UAS, 486);
			return 0;
		default:
			return -EINVAL;
		}

	case CALL_TERMINATING:
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
				act(o, CA_BYE_SEND, CALL_LEG_UAS, 0);
				c->byes++;
			}
			break;
		case CALL_EV_UAC_FINAL:
			if (classify(ev->code) == GLARE_OWN_2XX) {
				act(o, CA_ACK_SEND, CALL_LEG_UAC, 0);
				act(o, CA_BYE_SEND, CALL_LEG_UAC, 0);
				c->byes++;
			}
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
		terminating_check(c);
		return 0;

	case CALL_CLOSED:
		/* late retransmissions after the end */
		if (ev->type == CALL_EV_UAC_FINAL &&
		    classify(ev->code) == GLARE_OWN_2XX)
			act(o, CA_ACK_SEND, CALL_LEG_UAC, 0);
		return ev->type == CALL_EV_UAC_FINAL ||
		       ev->type == CALL_EV_UAS_ACK ||
		       ev->type == CALL_EV_BYE_DONE ? 0 : -EINVAL;
	}
	return -EINVAL;
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
