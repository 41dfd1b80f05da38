// SPDX-License-Identifier: GPL-2.0
/*
 * test_call.c - the call state machine: normal caller and callee flows.
 * Glare through the machine is in test_call_glare.c, two machines back to
 * back in test_call_sim.c.
 */
#include <errno.h>

#include "call_helpers.h"

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

/* the answer's media address is refused: ACKed, BYEd, no media */
TEST(caller_media_refused_acks_and_byes)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	dial(&c, &o, 5);
	/* only a session can be refused */
	EXPECT_EQ(ev(&c, &o, CALL_EV_MEDIA_REFUSED), -EINVAL);
	ev_code(&c, &o, CALL_EV_UAC_FINAL, 200);
	EXPECT_EQ(ev(&c, &o, CALL_EV_MEDIA_REFUSED), 0);
	EXPECT_ACTS(&o, "media-stop bye/uac port-close");
	EXPECT_EQ(c.state, CALL_TERMINATING);
	ev_leg(&c, &o, CALL_EV_BYE_DONE, CALL_LEG_UAC);
	EXPECT_EQ(c.state, CALL_CLOSED);
	EXPECT_EQ(c.end, CALL_END_MEDIA_REFUSED);
	EXPECT_STREQ(call_end_name(c.end), "media-refused");
}

/* the peer went silent: BYE on the session's leg, the port closed */
TEST(media_timeout_byes_and_closes)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	peer_invite(&c, &o, GLARE_PEER_TB_VALID, 9);
	EXPECT_EQ(ev(&c, &o, CALL_EV_MEDIA_TIMEOUT), -EINVAL);
	ev(&c, &o, CALL_EV_ANSWER);
	EXPECT_EQ(ev(&c, &o, CALL_EV_MEDIA_TIMEOUT), -EINVAL);
	ev(&c, &o, CALL_EV_UAS_ACK);
	EXPECT_EQ(ev(&c, &o, CALL_EV_MEDIA_TIMEOUT), 0);
	EXPECT_ACTS(&o, "media-stop bye/uas port-close");
	EXPECT_EQ(c.state, CALL_TERMINATING);
	/* our BYE answered */
	ev_leg(&c, &o, CALL_EV_BYE_DONE, CALL_LEG_UAS);
	EXPECT_EQ(c.state, CALL_CLOSED);
	EXPECT_EQ(c.end, CALL_END_MEDIA_TIMEOUT);
	EXPECT_STREQ(call_end_name(c.end), "media-timeout");
	EXPECT_EQ(ev(&c, &o, CALL_EV_MEDIA_TIMEOUT), -EINVAL);
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

/* our 200 waits for the PRACK of our reliable 180 (RFC 3262 3) when the
 * CANCEL comes: the INVITE has no final response, it gets 487 and the
 * call ends with its port closed; the held 200 is never sent */
TEST(callee_cancel_held_2xx_487)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_ev e = { .type = CALL_EV_UAS_CANCEL, .uas_2xx_held = true };
	struct call_acts o;

	peer_invite(&c, &o, GLARE_PEER_TB_VALID, 9);
	ev(&c, &o, CALL_EV_ANSWER);
	EXPECT_EQ(c.state, CALL_ANSWERED);
	EXPECT_EQ(call_event(&c, &e, &o), 0);
	EXPECT_ACTS(&o, "answer/487 port-close");
	EXPECT_EQ(c.state, CALL_CLOSED);
	EXPECT_EQ(c.end, CALL_END_CANCELLED);
	EXPECT_FALSE(c.port_open);
}

/* the 200 went: the CANCEL is too late and changes nothing */
TEST(callee_cancel_after_2xx_absorbed)
{
	struct call c = mk(GLARE_MODE_TIEBREAK);
	struct call_acts o;

	peer_invite(&c, &o, GLARE_PEER_TB_VALID, 9);
	ev(&c, &o, CALL_EV_ANSWER);
	EXPECT_EQ(ev(&c, &o, CALL_EV_UAS_CANCEL), 0);
	EXPECT_ACTS(&o, "");
	EXPECT_EQ(c.state, CALL_ANSWERED);
	EXPECT_TRUE(c.port_open);
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
