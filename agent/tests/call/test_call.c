// SPDX-License-Identifier: GPL-2.0
/*
 * test_call.c - the call state machine: normal caller/callee flows, glare
 * flows through glare.c, and two machines wired back to back (a message
 * queue instead of sockets) to check that both sides converge.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "call/call.h"
#include "ktap.h"

static const char *leg_name(enum call_leg l)
{
	return l == CALL_LEG_UAC ? "uac" : l == CALL_LEG_UAS ? "uas" : NULL;
}

static const char *tmr_name(enum call_timer t)
{
	return t == CALL_TMR_ANSWER ? "answer" : t == CALL_TMR_BACKOFF ?
	       "backoff" : t == CALL_TMR_GLARE_WAIT ? "glare-wait" : "none";
}

/* "port-open invite/uac" etc.; back-off durations are left out */
static const char *acts_str(const struct call_acts *o)
{
	static char buf[512];
	size_t n = 0;

	buf[0] = 0;
	for (unsigned int i = 0; i < o->n; i++) {
		const struct call_act *a = &o->a[i];

		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
				      i ? " " : "", call_act_name(a->type));
		if (a->type == CA_TIMER_START || a->type == CA_TIMER_STOP)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "/%s",
					      tmr_name(a->timer));
		else if (a->type == CA_ANSWER)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "/%d",
					      a->code);
		else if (leg_name(a->leg))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "/%s",
					      leg_name(a->leg));
	}
	return buf;
}

#define EXPECT_ACTS(o, want)						\
	do {								\
		const char *acts_ = acts_str(o);			\
		if (strcmp(acts_, want))				\
			ktap_fail(__FILE__, __LINE__,			\
				  "actions \"%s\", want \"%s\"", acts_, want); \
	} while (0)

static struct call_cfg cfg_mode(enum glare_mode m)
{
	return (struct call_cfg){ .mode = m, .auto_answer_ms = -1 };
}

static struct call mk(enum glare_mode m)
{
	struct call c;
	struct call_cfg cfg = cfg_mode(m);

	call_init(&c, &cfg);
	return c;
}

static int ev(struct call *c, struct call_acts *o, enum call_ev_type t)
{
	struct call_ev e = { .type = t };

	return call_event(c, &e, o);
}

static int ev_code(struct call *c, struct call_acts *o, enum call_ev_type t,
		   int code)
{
	struct call_ev e = { .type = t, .code = code };

	return call_event(c, &e, o);
}

static int ev_leg(struct call *c, struct call_acts *o, enum call_ev_type t,
		  enum call_leg leg)
{
	struct call_ev e = { .type = t, .leg = leg };

	return call_event(c, &e, o);
}

static int dial(struct call *c, struct call_acts *o, uint64_t tb)
{
	struct call_ev e = { .type = CALL_EV_DIAL, .tb = tb };

	return call_event(c, &e, o);
}

static int peer_invite(struct call *c, struct call_acts *o,
		       enum glare_peer_tb st, uint64_t tb)
{
	struct call_ev e = { .type = CALL_EV_UAS_INVITE, .tb_state = st,
			     .tb = tb };

	return call_event(c, &e, o);
}

static int timer(struct call *c, struct call_acts *o, enum call_timer t,
		 uint64_t tb)
{
	struct call_ev e = { .type = CALL_EV_TIMER, .timer = t, .tb = tb };

	return call_event(c, &e, o);
}

/* ---- normal caller (S61-S87) ---- */

TEST(caller_opens_port_before_invite)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	EXPECT_EQ(dial(&c, &o, 5), 0);
	EXPECT_ACTS(&o, "port-open invite/uac");
	EXPECT_EQ(c.state, CALL_OUTGOING);
	EXPECT_TRUE(c.our_tb == 5);
}

TEST(caller_200_acks_and_activates)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	dial(&c, &o, 5);
	EXPECT_EQ(ev(&c, &o, CALL_EV_UAC_1XX), 0);
	EXPECT_EQ(o.n, 0);
	ev_code(&c, &o, CALL_EV_UAC_FINAL, 200);
	EXPECT_ACTS(&o, "ack/uac port-activate/uac media-start/uac");
	EXPECT_EQ(c.state, CALL_ESTABLISHED);
	EXPECT_EQ(c.leg, CALL_LEG_UAC);
	/* a retransmitted 2xx is ACKed again */
	ev_code(&c, &o, CALL_EV_UAC_FINAL, 200);
	EXPECT_ACTS(&o, "ack/uac");
}

TEST(caller_486_closes_port)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	dial(&c, &o, 5);
	ev_code(&c, &o, CALL_EV_UAC_FINAL, 486);
	EXPECT_ACTS(&o, "port-close");
	EXPECT_EQ(c.state, CALL_CLOSED);
	EXPECT_EQ(c.end, CALL_END_REJECTED);
}

TEST(caller_603_closes_port)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	dial(&c, &o, 5);
	ev_code(&c, &o, CALL_EV_UAC_FINAL, 603);
	EXPECT_ACTS(&o, "port-close");
	EXPECT_EQ(c.state, CALL_CLOSED);
}

TEST(caller_timeout_closes_port)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	dial(&c, &o, 5);
	ev_code(&c, &o, CALL_EV_UAC_FINAL, 408);
	EXPECT_ACTS(&o, "port-close");
	EXPECT_EQ(c.state, CALL_CLOSED);
}

TEST(caller_491_without_glare_closes_in_tiebreak_mode)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	dial(&c, &o, 5);
	ev_code(&c, &o, CALL_EV_UAC_FINAL, 491);
	EXPECT_ACTS(&o, "port-close");
	EXPECT_EQ(c.state, CALL_CLOSED);
}

static int final_tb(struct call *c, struct call_acts *o, int code,
		    enum glare_peer_tb st, uint64_t tb)
{
	struct call_ev e = { .type = CALL_EV_UAC_FINAL, .code = code,
			     .tb_state = st, .tb = tb };

	return call_event(c, &e, o);
}

/* a 491 whose Glare-Tiebreak is higher than ours (or equal, or any in
 * rfc3261 mode) announces nothing we could win: the port is closed */
TEST(caller_491_from_higher_closes)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	dial(&c, &o, 5);
	final_tb(&c, &o, 491, GLARE_PEER_TB_VALID, 9);
	EXPECT_ACTS(&o, "port-close");
	EXPECT_EQ(c.state, CALL_CLOSED);
	c = mk(GLARE_MODE_TIEBREAK);
	dial(&c, &o, 5);
	final_tb(&c, &o, 491, GLARE_PEER_TB_VALID, 5);
	EXPECT_ACTS(&o, "port-close");
	c = mk(GLARE_MODE_TIEBREAK_RESEND);
	dial(&c, &o, 5);
	final_tb(&c, &o, 491, GLARE_PEER_TB_VALID, 1);
	EXPECT_ACTS(&o, "port-close");
}

/* announced glare, 491 first: the lower side's NG overtook its INVITE;
 * the port stays open (never closed and reopened) and the INVITE, when it
 * comes, gets 200 with it */
TEST(caller_announced_491_keeps_port_for_the_invite)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	dial(&c, &o, 7);
	final_tb(&c, &o, 491, GLARE_PEER_TB_VALID, 3);
	EXPECT_ACTS(&o, "timer-start/glare-wait");
	EXPECT_EQ(c.state, CALL_GLARE);
	EXPECT_TRUE(c.port_open);
	EXPECT_TRUE(call_takes_peer_invite(&c, GLARE_PEER_TB_VALID, 3));
	EXPECT_TRUE(call_takes_peer_invite(&c, GLARE_PEER_TB_ABSENT, 0));
	peer_invite(&c, &o, GLARE_PEER_TB_VALID, 3);
	EXPECT_ACTS(&o, "timer-stop/glare-wait answer/200 port-pin");
	EXPECT_EQ(c.state, CALL_ANSWERED);
	EXPECT_FALSE(call_takes_peer_invite(&c, GLARE_PEER_TB_VALID, 3));
	ev(&c, &o, CALL_EV_UAS_ACK);
	EXPECT_ACTS(&o, "port-activate/uas media-start/uas");
	EXPECT_EQ(c.leg, CALL_LEG_UAS);
}

TEST(caller_announced_invite_never_comes_closes)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	dial(&c, &o, 7);
	final_tb(&c, &o, 491, GLARE_PEER_TB_VALID, 3);
	EXPECT_EQ(timer(&c, &o, CALL_TMR_BACKOFF, 0), -EINVAL);
	EXPECT_EQ(timer(&c, &o, CALL_TMR_GLARE_WAIT, 0), 0);
	EXPECT_ACTS(&o, "port-close");
	EXPECT_EQ(c.state, CALL_CLOSED);
	EXPECT_EQ(c.end, CALL_END_REJECTED);
	/* a hang-up while waiting stops the timer and closes */
	c = mk(GLARE_MODE_TIEBREAK);
	dial(&c, &o, 7);
	final_tb(&c, &o, 491, GLARE_PEER_TB_VALID, 3);
	ev(&c, &o, CALL_EV_HANGUP);
	EXPECT_ACTS(&o, "timer-stop/glare-wait cancel/uac port-close");
	EXPECT_EQ(c.state, CALL_CLOSED);
}

/* announced glare, 2xx first: the higher side took our INVITE before its
 * own reached us; its INVITE then belongs to this call and gets 491 */
TEST(caller_announced_2xx_answers_crossing_invite_491)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	dial(&c, &o, 3);
	final_tb(&c, &o, 200, GLARE_PEER_TB_VALID, 7);
	EXPECT_ACTS(&o, "ack/uac port-activate/uac media-start/uac");
	EXPECT_EQ(c.state, CALL_ESTABLISHED);
	EXPECT_TRUE(call_takes_peer_invite(&c, GLARE_PEER_TB_VALID, 7));
	/* another INVITE of the same peer is another call */
	EXPECT_FALSE(call_takes_peer_invite(&c, GLARE_PEER_TB_VALID, 8));
	EXPECT_FALSE(call_takes_peer_invite(&c, GLARE_PEER_TB_ABSENT, 0));
	peer_invite(&c, &o, GLARE_PEER_TB_VALID, 7);
	EXPECT_ACTS(&o, "answer/491");
	EXPECT_EQ(c.state, CALL_ESTABLISHED);
	EXPECT_EQ(c.leg, CALL_LEG_UAC);
	EXPECT_EQ(c.crossings, 1);
	EXPECT_FALSE(call_takes_peer_invite(&c, GLARE_PEER_TB_VALID, 7));
	/* a plain 2xx (no tiebreaker, or a lower one) announces nothing */
	c = mk(GLARE_MODE_TIEBREAK);
	dial(&c, &o, 3);
	final_tb(&c, &o, 200, GLARE_PEER_TB_VALID, 1);
	EXPECT_FALSE(call_takes_peer_invite(&c, GLARE_PEER_TB_VALID, 1));
	EXPECT_EQ(peer_invite(&c, &o, GLARE_PEER_TB_VALID, 1), -EINVAL);
}

TEST(caller_cancel_closes_port)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	dial(&c, &o, 5);
	ev(&c, &o, CALL_EV_HANGUP);
	EXPECT_ACTS(&o, "cancel/uac port-close");
	EXPECT_EQ(c.state, CALL_CANCELLING);
	ev_code(&c, &o, CALL_EV_UAC_FINAL, 487);
	EXPECT_EQ(o.n, 0);
	EXPECT_EQ(c.state, CALL_CLOSED);
	EXPECT_EQ(c.end, CALL_END_NORMAL);
}

TEST(caller_cancel_race_200_acks_and_byes)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	dial(&c, &o, 5);
	ev(&c, &o, CALL_EV_HANGUP);
	ev_code(&c, &o, CALL_EV_UAC_FINAL, 200);
	EXPECT_ACTS(&o, "ack/uac bye/uac");
	EXPECT_EQ(c.state, CALL_TERMINATING);
	ev_leg(&c, &o, CALL_EV_BYE_DONE, CALL_LEG_UAC);
	EXPECT_EQ(c.state, CALL_CLOSED);
}

TEST(caller_firewall_error_cancels)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	dial(&c, &o, 5);
	ev(&c, &o, CALL_EV_PORT_ERROR);
	EXPECT_ACTS(&o, "cancel/uac");
	EXPECT_EQ(c.end, CALL_END_FIREWALL);
}

/* ---- normal callee (S111-S121) ---- */

TEST(callee_rings_without_port)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	peer_invite(&c, &o, GLARE_PEER_TB_VALID, 9);
	EXPECT_ACTS(&o, "answer/180");
	EXPECT_EQ(c.state, CALL_INCOMING);
	EXPECT_TRUE(!c.port_open);
}

TEST(callee_opens_port_on_accept)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	peer_invite(&c, &o, GLARE_PEER_TB_VALID, 9);
	ev(&c, &o, CALL_EV_ANSWER);
	EXPECT_ACTS(&o, "timer-stop/answer port-open answer/200");
	EXPECT_EQ(c.state, CALL_ANSWERED);
}

TEST(callee_ack_activates)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	peer_invite(&c, &o, GLARE_PEER_TB_VALID, 9);
	ev(&c, &o, CALL_EV_ANSWER);
	ev(&c, &o, CALL_EV_UAS_ACK);
	EXPECT_ACTS(&o, "port-activate/uas media-start/uas");
	EXPECT_EQ(c.state, CALL_ESTABLISHED);
	EXPECT_EQ(c.leg, CALL_LEG_UAS);
}

TEST(callee_no_ack_closes_port)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	peer_invite(&c, &o, GLARE_PEER_TB_VALID, 9);
	ev(&c, &o, CALL_EV_ANSWER);
	ev(&c, &o, CALL_EV_UAS_ACK_TIMEOUT);
	EXPECT_ACTS(&o, "port-close bye/uas");
	EXPECT_EQ(c.state, CALL_TERMINATING);
	EXPECT_EQ(c.end, CALL_END_NO_ACK);
	ev_leg(&c, &o, CALL_EV_BYE_DONE, CALL_LEG_UAS);
	EXPECT_EQ(c.state, CALL_CLOSED);
}

TEST(callee_auto_answer_timer)
{
	struct call_cfg cfg = cfg_mode(GLARE_MODE_TIEBREAK);
	struct call c;
	struct call_acts o;

	cfg.auto_answer_ms = 300;
	call_init(&c, &cfg);
	peer_invite(&c, &o, GLARE_PEER_TB_ABSENT, 0);
	EXPECT_ACTS(&o, "answer/180 timer-start/answer");
	EXPECT_EQ(o.a[1].ms, 300);
	timer(&c, &o, CALL_TMR_ANSWER, 0);
	EXPECT_ACTS(&o, "port-open answer/200");
}

TEST(callee_auto_answer_zero_answers_at_once)
{
	struct call_cfg cfg = cfg_mode(GLARE_MODE_TIEBREAK);
	struct call c;
	struct call_acts o;

	cfg.auto_answer_ms = 0;
	call_init(&c, &cfg);
	peer_invite(&c, &o, GLARE_PEER_TB_ABSENT, 0);
	EXPECT_ACTS(&o, "answer/180 port-open answer/200");
	EXPECT_EQ(c.state, CALL_ANSWERED);
}

TEST(callee_reject_486_no_port)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	peer_invite(&c, &o, GLARE_PEER_TB_VALID, 9);
	ev_code(&c, &o, CALL_EV_REJECT, 486);
	EXPECT_ACTS(&o, "timer-stop/answer answer/486");
	EXPECT_EQ(c.state, CALL_CLOSED);
	EXPECT_EQ(c.end, CALL_END_DECLINED);
}

TEST(callee_reject_603)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	peer_invite(&c, &o, GLARE_PEER_TB_VALID, 9);
	ev_code(&c, &o, CALL_EV_REJECT, 603);
	EXPECT_ACTS(&o, "timer-stop/answer answer/603");
}

TEST(callee_cancel_487)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	peer_invite(&c, &o, GLARE_PEER_TB_VALID, 9);
	ev(&c, &o, CALL_EV_UAS_CANCEL);
	EXPECT_ACTS(&o, "timer-stop/answer answer/487");
	EXPECT_EQ(c.end, CALL_END_CANCELLED);
}

TEST(bye_from_peer_closes_port)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	dial(&c, &o, 5);
	ev_code(&c, &o, CALL_EV_UAC_FINAL, 200);
	ev_leg(&c, &o, CALL_EV_BYE, CALL_LEG_UAC);
	EXPECT_ACTS(&o, "media-stop port-close");
	EXPECT_EQ(c.state, CALL_CLOSED);
	EXPECT_EQ(c.end, CALL_END_NORMAL);
}

TEST(hangup_sends_bye_and_closes_port)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	peer_invite(&c, &o, GLARE_PEER_TB_VALID, 9);
	ev(&c, &o, CALL_EV_ANSWER);
	ev(&c, &o, CALL_EV_UAS_ACK);
	ev(&c, &o, CALL_EV_HANGUP);
	EXPECT_ACTS(&o, "media-stop bye/uas port-close");
	EXPECT_EQ(c.state, CALL_TERMINATING);
	ev_leg(&c, &o, CALL_EV_BYE_DONE, CALL_LEG_UAS);
	EXPECT_EQ(c.state, CALL_CLOSED);
}

TEST(invalid_event_is_refused)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	EXPECT_EQ(ev(&c, &o, CALL_EV_UAS_ACK), -EINVAL);
	EXPECT_EQ(c.state, CALL_IDLE);
	EXPECT_EQ(o.n, 0);
}

/* ---- glare through the call machine ---- */

static struct call glare_call(struct call_cfg cfg, uint64_t ours,
			      enum glare_peer_tb st, uint64_t peer,
			      struct call_acts *o)
{
	struct call c;

	call_init(&c, &cfg);
	dial(&c, o, ours);
	peer_invite(&c, o, st, peer);
	return c;
}

TEST(call_glare_higher_pins_then_491_then_ack)
{
	struct call_acts o;
	struct call c = glare_call(cfg_mode(GLARE_MODE_TIEBREAK), 7,
				   GLARE_PEER_TB_VALID, 3, &o);

	EXPECT_ACTS(&o, "answer/200 port-pin");
	EXPECT_EQ(c.state, CALL_GLARE);
	ev_code(&c, &o, CALL_EV_UAC_FINAL, 491);
	EXPECT_EQ(o.n, 0);
	EXPECT_EQ(c.state, CALL_ANSWERED);
	ev(&c, &o, CALL_EV_UAS_ACK);
	EXPECT_ACTS(&o, "port-activate/uas media-start/uas");
	EXPECT_EQ(c.leg, CALL_LEG_UAS);
}

TEST(call_glare_higher_ack_before_491)
{
	struct call_acts o;
	struct call c = glare_call(cfg_mode(GLARE_MODE_TIEBREAK), 7,
				   GLARE_PEER_TB_VALID, 3, &o);

	ev(&c, &o, CALL_EV_UAS_ACK);
	EXPECT_EQ(o.n, 0);
	EXPECT_EQ(c.state, CALL_GLARE);
	ev_code(&c, &o, CALL_EV_UAC_FINAL, 491);
	EXPECT_ACTS(&o, "port-activate/uas media-start/uas");
	EXPECT_EQ(c.state, CALL_ESTABLISHED);
}

TEST(call_glare_lower_491_then_200)
{
	struct call_acts o;
	struct call c = glare_call(cfg_mode(GLARE_MODE_TIEBREAK), 3,
				   GLARE_PEER_TB_VALID, 7, &o);

	EXPECT_ACTS(&o, "answer/491");
	EXPECT_TRUE(c.port_open);
	ev_code(&c, &o, CALL_EV_UAC_FINAL, 200);
	EXPECT_ACTS(&o, "ack/uac port-activate/uac media-start/uac");
	EXPECT_EQ(c.leg, CALL_LEG_UAC);
}

TEST(call_glare_both_200_ack_bye_both)
{
	struct call_acts o;
	struct call c = glare_call(cfg_mode(GLARE_MODE_TIEBREAK), 7,
				   GLARE_PEER_TB_VALID, 3, &o);

	ev_code(&c, &o, CALL_EV_UAC_FINAL, 200);
	EXPECT_ACTS(&o, "port-close ack/uac bye/uac");
	EXPECT_EQ(c.state, CALL_TERMINATING);
	EXPECT_EQ(c.end, CALL_END_GLARE_FAILED);
	ev(&c, &o, CALL_EV_UAS_ACK);
	EXPECT_ACTS(&o, "bye/uas");
	ev_leg(&c, &o, CALL_EV_BYE_DONE, CALL_LEG_UAC);
	EXPECT_EQ(c.state, CALL_TERMINATING);
	ev_leg(&c, &o, CALL_EV_BYE_DONE, CALL_LEG_UAS);
	EXPECT_EQ(c.state, CALL_CLOSED);
	EXPECT_EQ(c.end, CALL_END_GLARE_FAILED);
}

TEST(call_glare_both_491_closes)
{
	struct call_acts o;
	struct call c = glare_call(cfg_mode(GLARE_MODE_TIEBREAK), 3,
				   GLARE_PEER_TB_VALID, 7, &o);

	ev_code(&c, &o, CALL_EV_UAC_FINAL, 491);
	EXPECT_ACTS(&o, "port-close");
	EXPECT_EQ(c.state, CALL_CLOSED);
	EXPECT_EQ(c.end, CALL_END_GLARE_FAILED);
}

TEST(call_glare_no_tiebreak_491)
{
	struct call_acts o;
	struct call c = glare_call(cfg_mode(GLARE_MODE_TIEBREAK), 3,
				   GLARE_PEER_TB_ABSENT, 0, &o);

	EXPECT_ACTS(&o, "answer/491");
	EXPECT_EQ(c.state, CALL_GLARE);
}

TEST(call_glare_equal_491)
{
	struct call_acts o;
	struct call c = glare_call(cfg_mode(GLARE_MODE_TIEBREAK), 3,
				   GLARE_PEER_TB_VALID, 3, &o);

	EXPECT_ACTS(&o, "answer/491");
	EXPECT_EQ(c.state, CALL_GLARE);
}

TEST(call_nack_after_ok_holds_then_releases)
{
	struct call_cfg cfg = cfg_mode(GLARE_MODE_TIEBREAK);
	struct call_acts o;
	struct call c;

	cfg.nack_after_ok = true;
	c = glare_call(cfg, 3, GLARE_PEER_TB_VALID, 7, &o);
	EXPECT_EQ(o.n, 0);
	ev_code(&c, &o, CALL_EV_UAC_FINAL, 200);
	EXPECT_ACTS(&o, "answer/491 ack/uac port-activate/uac media-start/uac");
}

TEST(call_glare_peer_cancels_held_invite)
{
	struct call_cfg cfg = cfg_mode(GLARE_MODE_TIEBREAK);
	struct call_acts o;
	struct call c;

	cfg.nack_after_ok = true;
	c = glare_call(cfg, 3, GLARE_PEER_TB_VALID, 7, &o);
	ev(&c, &o, CALL_EV_UAS_CANCEL);
	EXPECT_ACTS(&o, "answer/487");
	EXPECT_EQ(c.state, CALL_OUTGOING);
}

TEST(call_glare_no_ack_tears_down)
{
	struct call_acts o;
	struct call c = glare_call(cfg_mode(GLARE_MODE_TIEBREAK), 7,
				   GLARE_PEER_TB_VALID, 3, &o);

	ev(&c, &o, CALL_EV_UAS_ACK_TIMEOUT);
	EXPECT_ACTS(&o, "bye/uas cancel/uac port-close");
	EXPECT_EQ(c.state, CALL_TERMINATING);
	EXPECT_EQ(c.end, CALL_END_NO_ACK);
	ev_code(&c, &o, CALL_EV_UAC_FINAL, 487);
	ev_leg(&c, &o, CALL_EV_BYE_DONE, CALL_LEG_UAS);
	EXPECT_EQ(c.state, CALL_CLOSED);
}

TEST(call_resend_higher_resends_and_491)
{
	struct call_acts o;
	struct call c = glare_call(cfg_mode(GLARE_MODE_TIEBREAK_RESEND), 7,
				   GLARE_PEER_TB_VALID, 3, &o);

	EXPECT_ACTS(&o, "answer/491 invite-resend/uac");
	ev_code(&c, &o, CALL_EV_UAC_FINAL, 200);
	EXPECT_ACTS(&o, "ack/uac port-activate/uac media-start/uac");
}

TEST(call_resend_lower_waits_then_200)
{
	struct call_acts o;
	struct call c = glare_call(cfg_mode(GLARE_MODE_TIEBREAK_RESEND), 3,
				   GLARE_PEER_TB_VALID, 7, &o);

	EXPECT_ACTS(&o, "port-pin");
	ev(&c, &o, CALL_EV_UAS_RESENT);
	EXPECT_ACTS(&o, "answer/200");
	ev_code(&c, &o, CALL_EV_UAC_FINAL, 491);
	EXPECT_EQ(c.state, CALL_ANSWERED);
	ev(&c, &o, CALL_EV_UAS_ACK);
	EXPECT_EQ(c.state, CALL_ESTABLISHED);
	EXPECT_EQ(c.leg, CALL_LEG_UAS);
}

TEST(rfc3261_mode_glare_backoff_and_retry)
{
	struct call_acts o;
	struct call c = glare_call(cfg_mode(GLARE_MODE_RFC3261), 7,
				   GLARE_PEER_TB_VALID, 3, &o);

	EXPECT_ACTS(&o, "answer/491");
	ev_code(&c, &o, CALL_EV_UAC_FINAL, 491);
	EXPECT_ACTS(&o, "port-close timer-start/backoff");
	EXPECT_TRUE(o.a[1].ms >= 2100 && o.a[1].ms <= 4000);
	EXPECT_EQ(c.state, CALL_BACKOFF);
	EXPECT_TRUE(!c.port_open);
	timer(&c, &o, CALL_TMR_BACKOFF, 11);
	EXPECT_ACTS(&o, "port-open invite/uac");
	EXPECT_EQ(c.attempts, 2);
	EXPECT_TRUE(c.our_tb == 11);
}

TEST(rfc3261_mode_peer_retries_first)
{
	struct call_acts o;
	struct call c = glare_call(cfg_mode(GLARE_MODE_RFC3261), 7,
				   GLARE_PEER_TB_VALID, 3, &o);

	ev_code(&c, &o, CALL_EV_UAC_FINAL, 491);
	peer_invite(&c, &o, GLARE_PEER_TB_ABSENT, 0);
	EXPECT_ACTS(&o, "timer-stop/backoff port-open answer/200");
	EXPECT_EQ(c.state, CALL_ANSWERED);
}

TEST(rfc3261_mode_491_without_glare_retries)
{
	struct call c = mk(GLARE_MODE_RFC3261);
	struct call_acts o;

	dial(&c, &o, 1);
	ev_code(&c, &o, CALL_EV_UAC_FINAL, 491);
	EXPECT_ACTS(&o, "port-close timer-start/backoff");
}

/* the peer backed off after our 491 and retried (a new INVITE) while our
 * own INVITE is still pending: a new round, answered again - never left
 * without an answer */
TEST(rfc3261_mode_peer_retry_during_glare_is_new_round)
{
	struct call_acts o;
	struct call c = glare_call(cfg_mode(GLARE_MODE_RFC3261), 7,
				   GLARE_PEER_TB_VALID, 3, &o);

	EXPECT_ACTS(&o, "answer/491");
	EXPECT_EQ(peer_invite(&c, &o, GLARE_PEER_TB_VALID, 4), 0);
	EXPECT_ACTS(&o, "answer/491");
	EXPECT_EQ(c.state, CALL_GLARE);
	EXPECT_TRUE(c.g.peer_tb == 4);
	/* our own INVITE then succeeds: session on our dialog */
	ev_code(&c, &o, CALL_EV_UAC_FINAL, 200);
	EXPECT_ACTS(&o, "ack/uac port-activate/uac media-start/uac");
	EXPECT_EQ(c.state, CALL_ESTABLISHED);
}

TEST(tiebreak_mode_peer_retry_during_glare_decided_afresh)
{
	struct call_acts o;
	struct call c = glare_call(cfg_mode(GLARE_MODE_TIEBREAK), 7,
				   GLARE_PEER_TB_VALID, 9, &o);

	EXPECT_ACTS(&o, "answer/491");		/* lower */
	/* the retry carries a new (lower) tiebreaker: now we are higher */
	EXPECT_EQ(peer_invite(&c, &o, GLARE_PEER_TB_VALID, 2), 0);
	EXPECT_ACTS(&o, "answer/200 port-pin");
	EXPECT_EQ(c.state, CALL_GLARE);
}

/* the user dials the party whose INVITE is ringing (it came before ours
 * was sent - no crossing): the ringing call is answered */
TEST(callee_dial_while_ringing_answers)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	peer_invite(&c, &o, GLARE_PEER_TB_VALID, 9);
	EXPECT_EQ(dial(&c, &o, 5), 0);
	EXPECT_ACTS(&o, "timer-stop/answer port-open answer/200");
	EXPECT_EQ(c.state, CALL_ANSWERED);
	EXPECT_EQ(c.attempts, 0);
}

/* ---- two machines back to back ---- */

struct msg {
	int to;			/* 0 = A, 1 = B */
	struct call_ev ev;
};

struct sim {
	struct call c[2];
	struct msg q[64];
	unsigned int head, tail;
	unsigned int media[2];	/* media-start count */
	unsigned int opens[2], closes[2], pins[2];
	unsigned int second_calls;	/* INVITEs no call would take */
};

static void sim_push(struct sim *s, int to, struct call_ev ev)
{
	s->q[s->tail++ % 64] = (struct msg){ .to = to, .ev = ev };
}

static enum call_leg other(enum call_leg l)
{
	return l == CALL_LEG_UAC ? CALL_LEG_UAS : CALL_LEG_UAC;
}

/* turn side i's actions into the peer's events */
static void sim_out(struct sim *s, int i, const struct call_acts *o)
{
	int p = !i;

	for (unsigned int k = 0; k < o->n; k++) {
		const struct call_act *a = &o->a[k];

		switch (a->type) {
		case CA_INVITE_SEND:
			sim_push(s, p, (struct call_ev){
				.type = CALL_EV_UAS_INVITE,
				.tb_state = GLARE_PEER_TB_VALID,
				.tb = s->c[i].our_tb });
			break;
		case CA_INVITE_RESEND:
			sim_push(s, p, (struct call_ev){
				.type = CALL_EV_UAS_RESENT });
			break;
		case CA_ANSWER:
			/* pinholed's answers carry its tiebreaker when it
			 * has an INVITE of its own (ua.c act_answer) */
			sim_push(s, p, (struct call_ev){
				.type = a->code < 200 ? CALL_EV_UAC_1XX :
							CALL_EV_UAC_FINAL,
				.code = a->code, .rnd = (uint32_t)(i * 150),
				.tb_state = s->c[i].attempts ?
					    GLARE_PEER_TB_VALID :
					    GLARE_PEER_TB_ABSENT,
				.tb = s->c[i].our_tb });
			break;
		case CA_ACK_SEND:
			sim_push(s, p, (struct call_ev){ .type = CALL_EV_UAS_ACK });
			break;
		case CA_CANCEL_SEND:
			sim_push(s, p, (struct call_ev){ .type = CALL_EV_UAS_CANCEL });
			break;
		case CA_BYE_SEND:
			sim_push(s, p, (struct call_ev){ .type = CALL_EV_BYE,
				.leg = other(a->leg) });
			sim_push(s, i, (struct call_ev){ .type = CALL_EV_BYE_DONE,
				.leg = a->leg });
			break;
		case CA_MEDIA_START:
			s->media[i]++;
			break;
		case CA_PORT_OPEN:
			s->opens[i]++;
			break;
		case CA_PORT_CLOSE:
			s->closes[i]++;
			break;
		case CA_PORT_PIN:
			s->pins[i]++;
			break;
		default:
			break;
		}
	}
}

/* both users dial; their INVITEs are queued, nothing delivered yet */
static void sim_dial_both(struct sim *s, struct call_cfg cfg, uint64_t a,
			  uint64_t b)
{
	struct call_acts o;

	memset(s, 0, sizeof(*s));
	call_init(&s->c[0], &cfg);
	call_init(&s->c[1], &cfg);
	dial(&s->c[0], &o, a);
	sim_out(s, 0, &o);
	dial(&s->c[1], &o, b);
	sim_out(s, 1, &o);
}

static void sim_run(struct sim *s)
{
	struct call_acts o;

	while (s->head != s->tail) {
		struct msg m = s->q[s->head++ % 64];

		/* the UA hands a peer's INVITE to a call only when the
		 * call takes it; otherwise it would be a second call */
		if (m.ev.type == CALL_EV_UAS_INVITE &&
		    s->c[m.to].state != CALL_IDLE &&
		    !call_takes_peer_invite(&s->c[m.to], m.ev.tb_state,
					    m.ev.tb))
			s->second_calls++;
		call_event(&s->c[m.to], &m.ev, &o);
		sim_out(s, m.to, &o);
	}
}

/*
 * Uneven paths: A's INVITE reaches B first, and B's answer reaches A
 * before B's own INVITE does (announced glare, call.h).
 */
static void sim_uneven(struct sim *s, struct call_cfg cfg, uint64_t a,
		       uint64_t b)
{
	struct call_acts o;
	struct msg m;

	sim_dial_both(s, cfg, a, b);
	/* B gets A's INVITE and answers */
	m = s->q[s->head++ % 64];
	call_event(&s->c[m.to], &m.ev, &o);
	sim_out(s, m.to, &o);
	/* B's INVITE to A is overtaken by B's answer */
	m = s->q[s->head++ % 64];
	s->q[s->tail++ % 64] = m;
	sim_run(s);
}

/* both users dial at once; the INVITEs cross */
static void sim_glare(struct sim *s, struct call_cfg cfg, uint64_t a,
		      uint64_t b)
{
	sim_dial_both(s, cfg, a, b);
	sim_run(s);
}

static void expect_one_session(struct sim *s)
{
	EXPECT_EQ(s->c[0].state, CALL_ESTABLISHED);
	EXPECT_EQ(s->c[1].state, CALL_ESTABLISHED);
	/* both on the same dialog: one side's UAC is the other's UAS */
	EXPECT_TRUE(s->c[0].leg == other(s->c[1].leg));
	EXPECT_EQ(s->media[0], 1);
	EXPECT_EQ(s->media[1], 1);
	/* no port was closed and reopened (the point of the patent) */
	EXPECT_EQ(s->opens[0], 1);
	EXPECT_EQ(s->opens[1], 1);
	EXPECT_EQ(s->closes[0], 0);
	EXPECT_EQ(s->closes[1], 0);
	EXPECT_EQ(s->second_calls, 0);
}

TEST(sim_glare_tiebreak_converges)
{
	struct sim s;

	sim_glare(&s, cfg_mode(GLARE_MODE_TIEBREAK), 100, 200);
	expect_one_session(&s);
	/* the higher side (B) answered 200 on A's dialog and pinned */
	EXPECT_EQ(s.c[1].leg, CALL_LEG_UAS);
	EXPECT_EQ(s.pins[1], 1);
	EXPECT_EQ(s.pins[0], 0);
}

/* uneven paths, the lower side answers first: its 491 overtakes its
 * INVITE; A keeps its port and answers that INVITE 200 when it comes */
TEST(sim_uneven_491_first_converges)
{
	struct sim s;

	sim_uneven(&s, cfg_mode(GLARE_MODE_TIEBREAK), 200, 100);
	expect_one_session(&s);
	EXPECT_EQ(s.c[0].leg, CALL_LEG_UAS);
	EXPECT_EQ(s.pins[0], 1);
	EXPECT_EQ(s.pins[1], 0);
}

/* uneven paths, the higher side answers first: its 200 overtakes its
 * INVITE; A's session is up on its own dialog and B's INVITE gets 491
 * inside the same call (not a second call) */
TEST(sim_uneven_2xx_first_converges)
{
	struct sim s;

	sim_uneven(&s, cfg_mode(GLARE_MODE_TIEBREAK), 100, 200);
	expect_one_session(&s);
	EXPECT_EQ(s.c[0].leg, CALL_LEG_UAC);
	EXPECT_EQ(s.c[0].crossings, 1);
	EXPECT_EQ(s.pins[1], 1);
}

/* --nack-after-ok over uneven paths, both orders: the lower side holds
 * its 491 (nothing overtakes), the higher side's 200 may: one session */
TEST(sim_uneven_nack_after_ok_converges)
{
	struct call_cfg cfg = cfg_mode(GLARE_MODE_TIEBREAK);
	struct sim s;

	cfg.nack_after_ok = true;
	sim_uneven(&s, cfg, 200, 100);
	expect_one_session(&s);
	EXPECT_EQ(s.c[0].leg, CALL_LEG_UAS);
	sim_uneven(&s, cfg, 100, 200);
	expect_one_session(&s);
	EXPECT_EQ(s.c[0].leg, CALL_LEG_UAC);
}

/* the same uneven paths without announcements (rfc3261 mode): the port
 * is closed on the 491 and the peer's INVITE is another call */
TEST(sim_uneven_rfc3261_reopens)
{
	struct sim s;

	sim_uneven(&s, cfg_mode(GLARE_MODE_RFC3261), 200, 100);
	EXPECT_EQ(s.closes[0], 1);
	EXPECT_TRUE(s.c[0].state != CALL_ESTABLISHED ||
		    s.opens[0] == 2);
}

TEST(sim_glare_nack_after_ok_converges)
{
	struct call_cfg cfg = cfg_mode(GLARE_MODE_TIEBREAK);
	struct sim s;

	cfg.nack_after_ok = true;
	sim_glare(&s, cfg, 200, 100);
	expect_one_session(&s);
	EXPECT_EQ(s.c[0].leg, CALL_LEG_UAS);
}

TEST(sim_glare_resend_converges)
{
	struct sim s;

	sim_glare(&s, cfg_mode(GLARE_MODE_TIEBREAK_RESEND), 100, 200);
	expect_one_session(&s);
	/* the higher side's (B's) dialog carries the session */
	EXPECT_EQ(s.c[1].leg, CALL_LEG_UAC);
	EXPECT_EQ(s.pins[0], 1);
}

TEST(sim_glare_equal_fails_and_closes_both)
{
	struct sim s;

	sim_glare(&s, cfg_mode(GLARE_MODE_TIEBREAK), 5, 5);
	EXPECT_EQ(s.c[0].state, CALL_CLOSED);
	EXPECT_EQ(s.c[1].state, CALL_CLOSED);
	EXPECT_EQ(s.c[0].end, CALL_END_GLARE_FAILED);
	EXPECT_EQ(s.closes[0], 1);
	EXPECT_EQ(s.closes[1], 1);
}

TEST(sim_glare_rfc3261_backs_off_and_retries)
{
	struct call_acts o;
	struct sim s;

	sim_glare(&s, cfg_mode(GLARE_MODE_RFC3261), 5, 6);
	EXPECT_EQ(s.c[0].state, CALL_BACKOFF);
	EXPECT_EQ(s.c[1].state, CALL_BACKOFF);
	EXPECT_EQ(s.closes[0], 1);
	EXPECT_EQ(s.closes[1], 1);
	/* A's back-off fires first: B accepts A's retry */
	timer(&s.c[0], &o, CALL_TMR_BACKOFF, 9);
	sim_out(&s, 0, &o);
	sim_run(&s);
	EXPECT_EQ(s.c[0].state, CALL_ESTABLISHED);
	EXPECT_EQ(s.c[1].state, CALL_ESTABLISHED);
	EXPECT_EQ(s.opens[0], 2);	/* reopened: the cost the patent avoids */
	EXPECT_EQ(s.opens[1], 2);
}

TEST(sim_normal_call_and_hangup)
{
	struct call_cfg cfg = cfg_mode(GLARE_MODE_TIEBREAK);
	struct call_acts o;
	struct sim s;

	memset(&s, 0, sizeof(s));
	cfg.auto_answer_ms = 0;
	call_init(&s.c[0], &cfg);
	call_init(&s.c[1], &cfg);
	dial(&s.c[0], &o, 1);
	sim_out(&s, 0, &o);
	sim_run(&s);
	EXPECT_EQ(s.c[0].state, CALL_ESTABLISHED);
	EXPECT_EQ(s.c[1].state, CALL_ESTABLISHED);
	ev(&s.c[1], &o, CALL_EV_HANGUP);
	sim_out(&s, 1, &o);
	sim_run(&s);
	EXPECT_EQ(s.c[0].state, CALL_CLOSED);
	EXPECT_EQ(s.c[1].state, CALL_CLOSED);
	EXPECT_EQ(s.closes[0], 1);
	EXPECT_EQ(s.closes[1], 1);
}

