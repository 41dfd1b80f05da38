// SPDX-License-Identifier: GPL-2.0
/*
 * test_call_glare.c - glare flows through the call machine (glare.c makes
 * the decision, call_glare.c carries it out): tiebreak, resend, rfc3261
 * back-off and the peer retrying during glare.
 */
#include <errno.h>

#include "call_helpers.h"

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
