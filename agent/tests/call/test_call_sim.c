// SPDX-License-Identifier: GPL-2.0
/*
 * test_call_sim.c - two call machines wired back to back (a message queue
 * instead of sockets) to check that both sides converge.
 */
#include <string.h>

#include "call_helpers.h"

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
