// SPDX-License-Identifier: GPL-2.0
/*
 * test_glare.c - the glare claim table (docs/claims.md), one test per
 * branch of the method, and the Glare-Tiebreak parser.
 */
#include <errno.h>

#include "call/glare.h"
#include "ktap.h"

#define OURS	200u
#define LOW	100u
#define HIGH	300u

/* a glare situation in the given mode, the peer's INVITE just arrived */
static struct glare_situation sit(enum glare_mode mode, uint64_t peer)
{
	return (struct glare_situation){
		.mode = mode,
		.our_tb = OURS,
		.peer_tb_state = GLARE_PEER_TB_VALID,
		.peer_tb = peer,
		.own_final = GLARE_OWN_NONE,
		.answered = GLARE_ANSWER_NONE,
	};
}

/* feed the first decision back in and let a final response arrive */
static struct glare_action then_final(struct glare_situation s,
				      enum glare_own_final f)
{
	struct glare_action a;

	glare_decide(&s, &a);
	s.answered = a.answer;
	s.own_final = f;
	glare_decide(&s, &a);
	return a;
}

/* ---- main embodiment (--glare tiebreak) ---- */

TEST(glare_higher_sends_200_and_pins)
{
	struct glare_situation s = sit(GLARE_MODE_TIEBREAK, LOW);
	struct glare_action a;

	glare_decide(&s, &a);
	EXPECT_EQ(a.verdict, GLARE_HIGHER);
	EXPECT_EQ(a.answer, GLARE_ANSWER_200);
	EXPECT_EQ(a.port, GLARE_PORT_PIN);
	EXPECT_EQ(a.result, GLARE_PENDING);
	EXPECT_TRUE(!a.resend_own);
}

/* announced glare: the lower side's 491 overtook its INVITE; the INVITE
 * now arrives with our final already known: 200 + pin, session on its
 * dialog at once (no second decision needed) */
TEST(glare_announced_491_then_invite_session_peer)
{
	struct glare_situation s = sit(GLARE_MODE_TIEBREAK, LOW);
	struct glare_action a;

	s.own_final = GLARE_OWN_491;
	glare_decide(&s, &a);
	EXPECT_EQ(a.verdict, GLARE_HIGHER);
	EXPECT_EQ(a.answer, GLARE_ANSWER_200);
	EXPECT_EQ(a.port, GLARE_PORT_PIN);
	EXPECT_EQ(a.own, GLARE_OWN_ACT_NONE);
	EXPECT_EQ(a.result, GLARE_SESSION_PEER);
}

/* ... and if the INVITE says we are the lower side after all: NG after
 * NG, the port is closed (S83/S85); with --nack-after-ok the held NG goes
 * out at once, our final being there already */
TEST(glare_announced_491_then_lower_invite_fails)
{
	struct glare_situation s = sit(GLARE_MODE_TIEBREAK, HIGH);
	struct glare_action a;

	s.own_final = GLARE_OWN_491;
	glare_decide(&s, &a);
	EXPECT_EQ(a.answer, GLARE_ANSWER_491);
	EXPECT_EQ(a.port, GLARE_PORT_CLOSE);
	EXPECT_EQ(a.result, GLARE_FAILED);
	s.nack_after_ok = true;
	glare_decide(&s, &a);
	EXPECT_EQ(a.answer, GLARE_ANSWER_491);
	EXPECT_EQ(a.result, GLARE_FAILED);
}

TEST(glare_higher_then_491_session_on_peer_dialog)
{
	struct glare_action a = then_final(sit(GLARE_MODE_TIEBREAK, LOW),
					   GLARE_OWN_491);

	EXPECT_EQ(a.result, GLARE_SESSION_PEER);
	EXPECT_EQ(a.port, GLARE_PORT_KEEP);
	EXPECT_EQ(a.own, GLARE_OWN_ACT_NONE);	/* tx ACKs the 491 */
	EXPECT_EQ(a.answer, GLARE_ANSWER_NONE);
	EXPECT_TRUE(!a.bye_peer);
}

TEST(glare_higher_then_other_reject_session_on_peer_dialog)
{
	struct glare_action a = then_final(sit(GLARE_MODE_TIEBREAK, LOW),
					   GLARE_OWN_OTHER);

	EXPECT_EQ(a.result, GLARE_SESSION_PEER);
	EXPECT_EQ(a.port, GLARE_PORT_KEEP);
}

TEST(glare_both_200_closes)
{
	struct glare_action a = then_final(sit(GLARE_MODE_TIEBREAK, LOW),
					   GLARE_OWN_2XX);

	EXPECT_EQ(a.result, GLARE_FAILED);
	EXPECT_EQ(a.port, GLARE_PORT_CLOSE);
	EXPECT_EQ(a.own, GLARE_OWN_ACT_ACK_BYE);
	EXPECT_TRUE(a.bye_peer);
}

TEST(glare_lower_sends_491_keeps_port)
{
	struct glare_situation s = sit(GLARE_MODE_TIEBREAK, HIGH);
	struct glare_action a;

	glare_decide(&s, &a);
	EXPECT_EQ(a.verdict, GLARE_LOWER);
	EXPECT_EQ(a.answer, GLARE_ANSWER_491);
	EXPECT_EQ(a.port, GLARE_PORT_KEEP);
	EXPECT_EQ(a.result, GLARE_PENDING);
}

TEST(glare_lower_then_200_acks_session_on_own_dialog)
{
	struct glare_action a = then_final(sit(GLARE_MODE_TIEBREAK, HIGH),
					   GLARE_OWN_2XX);

	EXPECT_EQ(a.result, GLARE_SESSION_OWN);
	EXPECT_EQ(a.own, GLARE_OWN_ACT_ACK);
	EXPECT_EQ(a.port, GLARE_PORT_KEEP);
	EXPECT_TRUE(!a.bye_peer);
}

TEST(glare_both_491_closes)
{
	struct glare_action a = then_final(sit(GLARE_MODE_TIEBREAK, HIGH),
					   GLARE_OWN_491);

	EXPECT_EQ(a.result, GLARE_FAILED);
	EXPECT_EQ(a.port, GLARE_PORT_CLOSE);
	EXPECT_EQ(a.own, GLARE_OWN_ACT_NONE);
}

TEST(glare_lower_then_reject_closes)
{
	struct glare_action a = then_final(sit(GLARE_MODE_TIEBREAK, HIGH),
					   GLARE_OWN_OTHER);

	EXPECT_EQ(a.result, GLARE_FAILED);
	EXPECT_EQ(a.port, GLARE_PORT_CLOSE);
}

TEST(glare_no_tiebreak_491)
{
	struct glare_situation s = sit(GLARE_MODE_TIEBREAK, LOW);
	struct glare_action a;

	s.peer_tb_state = GLARE_PEER_TB_ABSENT;
	glare_decide(&s, &a);
	EXPECT_EQ(a.verdict, GLARE_UNDECIDED);
	EXPECT_EQ(a.answer, GLARE_ANSWER_491);
	EXPECT_EQ(a.port, GLARE_PORT_KEEP);
}

TEST(glare_invalid_tiebreak_491)
{
	struct glare_situation s = sit(GLARE_MODE_TIEBREAK, LOW);
	struct glare_action a;

	s.peer_tb_state = GLARE_PEER_TB_INVALID;
	glare_decide(&s, &a);
	EXPECT_EQ(a.verdict, GLARE_UNDECIDED);
	EXPECT_EQ(a.answer, GLARE_ANSWER_491);
	EXPECT_EQ(a.port, GLARE_PORT_KEEP);
}

TEST(glare_no_tiebreak_nack_after_ok_not_held)
{
	struct glare_situation s = sit(GLARE_MODE_TIEBREAK, LOW);
	struct glare_action a;

	s.peer_tb_state = GLARE_PEER_TB_ABSENT;
	s.nack_after_ok = true;
	glare_decide(&s, &a);
	EXPECT_EQ(a.answer, GLARE_ANSWER_491);
}

TEST(glare_equal_491)
{
	struct glare_situation s = sit(GLARE_MODE_TIEBREAK, OURS);
	struct glare_action a;

	glare_decide(&s, &a);
	EXPECT_EQ(a.verdict, GLARE_UNDECIDED);
	EXPECT_EQ(a.answer, GLARE_ANSWER_491);
	EXPECT_EQ(a.port, GLARE_PORT_KEEP);
}

TEST(glare_undecided_then_200_session_own)
{
	struct glare_situation s = sit(GLARE_MODE_TIEBREAK, OURS);
	struct glare_action a = then_final(s, GLARE_OWN_2XX);

	EXPECT_EQ(a.result, GLARE_SESSION_OWN);
	EXPECT_EQ(a.own, GLARE_OWN_ACT_ACK);
}

TEST(glare_undecided_then_491_closes)
{
	struct glare_action a = then_final(sit(GLARE_MODE_TIEBREAK, OURS),
					   GLARE_OWN_491);

	EXPECT_EQ(a.result, GLARE_FAILED);
	EXPECT_EQ(a.port, GLARE_PORT_CLOSE);
}

TEST(glare_extremes_compare_unsigned)
{
	struct glare_situation s = sit(GLARE_MODE_TIEBREAK, 0);
	struct glare_action a;

	s.our_tb = UINT64_MAX;
	glare_decide(&s, &a);
	EXPECT_EQ(a.verdict, GLARE_HIGHER);
	s.our_tb = 0;
	s.peer_tb = UINT64_MAX;
	glare_decide(&s, &a);
	EXPECT_EQ(a.verdict, GLARE_LOWER);
}

TEST(glare_pending_without_final_does_nothing)
{
	struct glare_situation s = sit(GLARE_MODE_TIEBREAK, LOW);
	struct glare_action a;

	s.answered = GLARE_ANSWER_200;
	glare_decide(&s, &a);
	EXPECT_EQ(a.answer, GLARE_ANSWER_NONE);
	EXPECT_EQ(a.port, GLARE_PORT_KEEP);
	EXPECT_EQ(a.result, GLARE_PENDING);
}

/* ---- collision-avoidance variant (--nack-after-ok) ---- */

TEST(nack_after_ok_lower_holds_491)
{
	struct glare_situation s = sit(GLARE_MODE_TIEBREAK, HIGH);
	struct glare_action a;

	s.nack_after_ok = true;
	glare_decide(&s, &a);
	EXPECT_EQ(a.answer, GLARE_ANSWER_HOLD_491);
	EXPECT_EQ(a.port, GLARE_PORT_KEEP);
	EXPECT_EQ(a.result, GLARE_PENDING);
}

TEST(nack_after_ok_releases_491_on_200)
{
	struct glare_situation s = sit(GLARE_MODE_TIEBREAK, HIGH);
	struct glare_action a;

	s.nack_after_ok = true;
	a = then_final(s, GLARE_OWN_2XX);
	EXPECT_EQ(a.answer, GLARE_ANSWER_491);
	EXPECT_EQ(a.own, GLARE_OWN_ACT_ACK);
	EXPECT_EQ(a.result, GLARE_SESSION_OWN);
}

TEST(nack_after_ok_releases_491_on_491_and_closes)
{
	struct glare_situation s = sit(GLARE_MODE_TIEBREAK, HIGH);
	struct glare_action a;

	s.nack_after_ok = true;
	a = then_final(s, GLARE_OWN_491);
	EXPECT_EQ(a.answer, GLARE_ANSWER_491);
	EXPECT_EQ(a.port, GLARE_PORT_CLOSE);
	EXPECT_EQ(a.result, GLARE_FAILED);
}

TEST(nack_after_ok_higher_still_sends_200_at_once)
{
	struct glare_situation s = sit(GLARE_MODE_TIEBREAK, LOW);
	struct glare_action a;

	s.nack_after_ok = true;
	glare_decide(&s, &a);
	EXPECT_EQ(a.answer, GLARE_ANSWER_200);
	EXPECT_EQ(a.port, GLARE_PORT_PIN);
}

/* ---- re-send variant (--glare tiebreak-resend) ---- */

TEST(resend_variant_higher_resends_and_sends_491)
{
	struct glare_situation s = sit(GLARE_MODE_TIEBREAK_RESEND, LOW);
	struct glare_action a;

	glare_decide(&s, &a);
	EXPECT_EQ(a.verdict, GLARE_HIGHER);
	EXPECT_TRUE(a.resend_own);
	EXPECT_EQ(a.answer, GLARE_ANSWER_491);
	EXPECT_EQ(a.port, GLARE_PORT_KEEP);
}

TEST(resend_variant_higher_then_200_session_own)
{
	struct glare_action a = then_final(sit(GLARE_MODE_TIEBREAK_RESEND, LOW),
					   GLARE_OWN_2XX);

	EXPECT_EQ(a.result, GLARE_SESSION_OWN);
	EXPECT_EQ(a.own, GLARE_OWN_ACT_ACK);
}

TEST(resend_variant_higher_then_491_closes)
{
	struct glare_action a = then_final(sit(GLARE_MODE_TIEBREAK_RESEND, LOW),
					   GLARE_OWN_491);

	EXPECT_EQ(a.result, GLARE_FAILED);
	EXPECT_EQ(a.port, GLARE_PORT_CLOSE);
}

TEST(resend_variant_higher_nack_after_ok_holds_491)
{
	struct glare_situation s = sit(GLARE_MODE_TIEBREAK_RESEND, LOW);
	struct glare_action a;

	s.nack_after_ok = true;
	glare_decide(&s, &a);
	EXPECT_TRUE(a.resend_own);
	EXPECT_EQ(a.answer, GLARE_ANSWER_HOLD_491);
	a = then_final(s, GLARE_OWN_2XX);
	EXPECT_EQ(a.answer, GLARE_ANSWER_491);
	EXPECT_EQ(a.result, GLARE_SESSION_OWN);
}

TEST(resend_variant_lower_waits_and_pins)
{
	struct glare_situation s = sit(GLARE_MODE_TIEBREAK_RESEND, HIGH);
	struct glare_action a;

	glare_decide(&s, &a);
	EXPECT_EQ(a.verdict, GLARE_LOWER);
	EXPECT_EQ(a.answer, GLARE_ANSWER_HOLD_RESEND);
	EXPECT_EQ(a.port, GLARE_PORT_PIN);
	EXPECT_TRUE(!a.resend_own);
	EXPECT_EQ(a.result, GLARE_PENDING);
}

TEST(resend_variant_lower_answers_200_on_resend)
{
	struct glare_situation s = sit(GLARE_MODE_TIEBREAK_RESEND, HIGH);
	struct glare_action a;

	s.answered = GLARE_ANSWER_HOLD_RESEND;
	s.peer_resent = true;
	glare_decide(&s, &a);
	EXPECT_EQ(a.answer, GLARE_ANSWER_200);
	EXPECT_EQ(a.result, GLARE_PENDING);
	/* and then the higher side's 491 on ours: session on its dialog */
	s.answered = GLARE_ANSWER_200;
	s.own_final = GLARE_OWN_491;
	glare_decide(&s, &a);
	EXPECT_EQ(a.result, GLARE_SESSION_PEER);
}

TEST(resend_variant_lower_491_first_keeps_waiting)
{
	struct glare_action a = then_final(sit(GLARE_MODE_TIEBREAK_RESEND, HIGH),
					   GLARE_OWN_491);

	EXPECT_EQ(a.result, GLARE_PENDING);
	EXPECT_EQ(a.port, GLARE_PORT_KEEP);
	EXPECT_EQ(a.answer, GLARE_ANSWER_NONE);
}

TEST(resend_variant_lower_resend_after_491_session_peer)
{
	struct glare_situation s = sit(GLARE_MODE_TIEBREAK_RESEND, HIGH);
	struct glare_action a;

	s.answered = GLARE_ANSWER_HOLD_RESEND;
	s.own_final = GLARE_OWN_491;
	s.peer_resent = true;
	glare_decide(&s, &a);
	EXPECT_EQ(a.answer, GLARE_ANSWER_200);
	EXPECT_EQ(a.result, GLARE_SESSION_PEER);
}

TEST(resend_variant_lower_200_on_own_refuses_held)
{
	struct glare_action a = then_final(sit(GLARE_MODE_TIEBREAK_RESEND, HIGH),
					   GLARE_OWN_2XX);

	EXPECT_EQ(a.answer, GLARE_ANSWER_491);
	EXPECT_EQ(a.own, GLARE_OWN_ACT_ACK);
	EXPECT_EQ(a.result, GLARE_SESSION_OWN);
}

TEST(resend_variant_lower_both_200_closes)
{
	struct glare_situation s = sit(GLARE_MODE_TIEBREAK_RESEND, HIGH);
	struct glare_action a;

	s.answered = GLARE_ANSWER_200;
	s.own_final = GLARE_OWN_2XX;
	glare_decide(&s, &a);
	EXPECT_EQ(a.result, GLARE_FAILED);
	EXPECT_EQ(a.own, GLARE_OWN_ACT_ACK_BYE);
	EXPECT_TRUE(a.bye_peer);
	EXPECT_EQ(a.port, GLARE_PORT_CLOSE);
}

TEST(resend_variant_equal_491)
{
	struct glare_situation s = sit(GLARE_MODE_TIEBREAK_RESEND, OURS);
	struct glare_action a;

	glare_decide(&s, &a);
	EXPECT_EQ(a.verdict, GLARE_UNDECIDED);
	EXPECT_EQ(a.answer, GLARE_ANSWER_491);
	EXPECT_TRUE(!a.resend_own);
}

/* ---- conventional (--glare rfc3261) ---- */

TEST(rfc3261_mode_answers_491_ignoring_tiebreak)
{
	struct glare_situation s = sit(GLARE_MODE_RFC3261, LOW);
	struct glare_action a;

	glare_decide(&s, &a);
	EXPECT_EQ(a.verdict, GLARE_CONVENTIONAL);
	EXPECT_EQ(a.answer, GLARE_ANSWER_491);
	EXPECT_EQ(a.port, GLARE_PORT_KEEP);
}

TEST(rfc3261_mode_491_closes_and_retries)
{
	struct glare_action a = then_final(sit(GLARE_MODE_RFC3261, LOW),
					   GLARE_OWN_491);

	EXPECT_EQ(a.result, GLARE_RETRY);
	EXPECT_EQ(a.port, GLARE_PORT_CLOSE);
}

TEST(rfc3261_mode_200_session_own)
{
	struct glare_action a = then_final(sit(GLARE_MODE_RFC3261, LOW),
					   GLARE_OWN_2XX);

	EXPECT_EQ(a.result, GLARE_SESSION_OWN);
	EXPECT_EQ(a.own, GLARE_OWN_ACT_ACK);
}

TEST(rfc3261_mode_reject_closes_no_retry)
{
	struct glare_action a = then_final(sit(GLARE_MODE_RFC3261, LOW),
					   GLARE_OWN_OTHER);

	EXPECT_EQ(a.result, GLARE_FAILED);
	EXPECT_EQ(a.port, GLARE_PORT_CLOSE);
}

TEST(rfc3261_backoff_ranges)
{
	for (uint32_t r = 0; r < 5000; r += 7) {
		uint32_t o = glare_backoff_ms(true, r);
		uint32_t n = glare_backoff_ms(false, r);

		EXPECT_TRUE(o >= 2100 && o <= 4000 && o % 10 == 0);
		EXPECT_TRUE(n <= 2000 && n % 10 == 0);
	}
	EXPECT_EQ(glare_backoff_ms(true, 190), 4000);
	EXPECT_EQ(glare_backoff_ms(false, 200), 2000);
}

/* ---- detection and names ---- */

TEST(glare_detect_matches_to_aor)
{
	EXPECT_TRUE(glare_detect(true, "bob@Example.COM", "bob@example.com"));
	EXPECT_TRUE(!glare_detect(true, "bob@example.com", "Bob@example.com"));
	EXPECT_TRUE(!glare_detect(true, "bob@example.com", "carol@example.com"));
	EXPECT_TRUE(!glare_detect(false, "bob@example.com", "bob@example.com"));
}

TEST(glare_mode_names_roundtrip)
{
	enum glare_mode m;

	EXPECT_EQ(glare_mode_parse("tiebreak", &m), 0);
	EXPECT_EQ(m, GLARE_MODE_TIEBREAK);
	EXPECT_EQ(glare_mode_parse("tiebreak-resend", &m), 0);
	EXPECT_EQ(m, GLARE_MODE_TIEBREAK_RESEND);
	EXPECT_EQ(glare_mode_parse("rfc3261", &m), 0);
	EXPECT_EQ(m, GLARE_MODE_RFC3261);
	EXPECT_EQ(glare_mode_parse("bogus", &m), -EINVAL);
	EXPECT_TRUE(!strcmp(glare_mode_name(GLARE_MODE_RFC3261), "rfc3261"));
}

