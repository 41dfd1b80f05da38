// SPDX-License-Identifier: GPL-2.0
/*
 * test_sip_100rel.c - reliable provisional responses (RFC 3262;
 * sip/sip_100rel.h): option tags, RSeq/RAck syntax, the UAS's one
 * outstanding 1xx with its T1-doubling retransmissions and PRACK match,
 * the UAC's in-order PRACKs per early dialog.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sip/sip_100rel.h"
#include "sip/sip_msg.h"
#include "sip/sip_tx.h"
#include "ktap.h"

static osip_message_t *msg(const char *first, const char *extra)
{
	char buf[1024];
	int n;

	sip_msg_init();
	n = snprintf(buf, sizeof(buf), "%s\r\n"
		     "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n"
		     "From: <sip:a@192.0.2.1>;tag=f\r\n"
		     "To: <sip:b@192.0.2.2>;tag=t\r\n"
		     "Call-ID: c1\r\nCSeq: 7 INVITE\r\n%s"
		     "Content-Length: 0\r\n\r\n", first, extra);
	return sip_msg_parse(buf, (size_t)n);
}

#define INV	"INVITE sip:b@192.0.2.2 SIP/2.0"
#define RING	"SIP/2.0 180 Ringing"

TEST(option_tags_in_lists_and_compact_form)
{
	osip_message_t *m = msg(INV, "Supported: timer, 100REL\r\n");

	ASSERT_TRUE(m);
	EXPECT_TRUE(sip_option_tag(m, "supported", "100rel"));
	EXPECT_FALSE(sip_option_tag(m, "require", "100rel"));
	EXPECT_FALSE(sip_option_tag(m, "supported", "100"));
	osip_message_free(m);
	m = msg(INV, "k: path\r\nk: 100rel\r\n");
	ASSERT_TRUE(m);
	EXPECT_TRUE(sip_option_tag(m, "supported", "100rel"));
	osip_message_free(m);
}

/* off never, on when required, prefer when required or supported */
TEST(uas_reliable_by_mode)
{
	osip_message_t *req = msg(INV, "Require: 100rel\r\n");
	osip_message_t *sup = msg(INV, "Supported: 100rel\r\n");
	osip_message_t *none = msg(INV, "");

	ASSERT_TRUE(req && sup && none);
	EXPECT_FALSE(sip_100rel_uas_wanted(SIP_100REL_OFF, req));
	EXPECT_TRUE(sip_100rel_uas_wanted(SIP_100REL_ON, req));
	EXPECT_FALSE(sip_100rel_uas_wanted(SIP_100REL_ON, sup));
	EXPECT_TRUE(sip_100rel_uas_wanted(SIP_100REL_PREFER, sup));
	EXPECT_FALSE(sip_100rel_uas_wanted(SIP_100REL_PREFER, none));
	osip_message_free(req);
	osip_message_free(sup);
	osip_message_free(none);
}

TEST(mode_names)
{
	enum sip_100rel_mode m;

	EXPECT_EQ(sip_100rel_mode_parse("prefer", &m), 0);
	EXPECT_EQ(m, SIP_100REL_PREFER);
	EXPECT_EQ(sip_100rel_mode_parse("yes", &m), -EINVAL);
	EXPECT_STREQ(sip_100rel_mode_name(SIP_100REL_OFF), "off");
}

TEST(rseq_syntax)
{
	uint32_t v;

	EXPECT_EQ(sip_rseq_parse(" 42 ", &v), 0);
	EXPECT_EQ(v, 42u);
	EXPECT_EQ(sip_rseq_parse("2147483647", &v), 0);
	EXPECT_EQ(sip_rseq_parse("4294967295", &v), 0);	/* 1..2^32 - 1 */
	EXPECT_EQ(v, 4294967295u);
	EXPECT_EQ(sip_rseq_parse("4294967296", &v), -EINVAL);
	EXPECT_EQ(sip_rseq_parse("0", &v), -EINVAL);
	EXPECT_EQ(sip_rseq_parse("-1", &v), -EINVAL);
	EXPECT_EQ(sip_rseq_parse("12a", &v), -EINVAL);
	EXPECT_EQ(sip_rseq_parse("", &v), -EINVAL);
	EXPECT_EQ(sip_rseq_parse("00000000001", &v), -EINVAL);
}

TEST(rack_syntax_round_trip)
{
	uint32_t r, c;
	char m[16], buf[SIP_RACK_LEN];

	EXPECT_EQ(sip_rack_parse("776656 1 INVITE", &r, &c, m, sizeof(m)), 0);
	EXPECT_EQ(r, 776656u);
	EXPECT_EQ(c, 1u);
	EXPECT_STREQ(m, "INVITE");
	EXPECT_EQ(sip_rack_parse(" 5\t9  INVITE ", &r, &c, m, sizeof(m)), 0);
	EXPECT_EQ(sip_rack_parse("5 9", &r, &c, m, sizeof(m)), -EINVAL);
	EXPECT_EQ(sip_rack_parse("59 INVITE", &r, &c, m, sizeof(m)), -EINVAL);
	EXPECT_EQ(sip_rack_parse("5 9 INVITE x", &r, &c, m, sizeof(m)),
		  -EINVAL);
	EXPECT_EQ(sip_rack_parse("0 9 INVITE", &r, &c, m, sizeof(m)), -EINVAL);
	EXPECT_EQ(sip_rack_parse("5 9 INVITEINVITEINVITE", &r, &c, m,
				 sizeof(m)), -EINVAL);
	EXPECT_EQ(sip_rack_format(buf, sizeof(buf), 5, 9, "INVITE"), 10);
	EXPECT_STREQ(buf, "5 9 INVITE");
}

/* Require: 100rel and one RSeq on a 101-199 */
TEST(reliable_provisional_recognised)
{
	osip_message_t *m = msg(RING, "Require: 100rel\r\nRSeq: 9\r\n");
	uint32_t v = 0;

	ASSERT_TRUE(m);
	EXPECT_EQ(sip_100rel_rseq(m, &v), 0);
	EXPECT_EQ(v, 9u);
	osip_message_free(m);
	m = msg(RING, "RSeq: 9\r\n");
	EXPECT_EQ(sip_100rel_rseq(m, &v), -ENOENT);
	osip_message_free(m);
	m = msg(RING, "Require: 100rel\r\n");
	EXPECT_EQ(sip_100rel_rseq(m, &v), -EINVAL);
	osip_message_free(m);
	m = msg(RING, "Require: 100rel\r\nRSeq: 9\r\nRSeq: 10\r\n");
	EXPECT_EQ(sip_100rel_rseq(m, &v), -EINVAL);
	osip_message_free(m);
	m = msg("SIP/2.0 200 OK", "Require: 100rel\r\nRSeq: 9\r\n");
	EXPECT_EQ(sip_100rel_rseq(m, &v), -ENOENT);
	osip_message_free(m);
}

/* RSeq one higher each time; none while one is unacknowledged */
TEST(uas_one_outstanding_in_sequence)
{
	struct sip_rel_uas u;
	uint32_t r;

	sip_rel_uas_init(&u, 100, SIP_T1_MS);
	EXPECT_EQ(sip_rel_uas_send(&u, &r), (int)SIP_T1_MS);
	EXPECT_EQ(r, 100u);
	EXPECT_EQ(sip_rel_uas_send(&u, &r), -EBUSY);
	EXPECT_EQ(sip_rel_uas_prack(&u, 100, 7, "INVITE", 7), 0);
	EXPECT_EQ(sip_rel_uas_send(&u, &r), (int)SIP_T1_MS);
	EXPECT_EQ(r, 101u);
	/* the first below 2^31, the next past it: no wrap (RFC 3262 3) */
	sip_rel_uas_init(&u, SIP_RSEQ_MAX, SIP_T1_MS);
	sip_rel_uas_send(&u, &r);
	EXPECT_EQ(r, SIP_RSEQ_FIRST_MAX);
	EXPECT_EQ(sip_rel_uas_prack(&u, r, 7, "INVITE", 7), 0);
	sip_rel_uas_send(&u, &r);
	EXPECT_EQ(r, SIP_RSEQ_FIRST_MAX + 1);
	sip_rel_uas_init(&u, 0, SIP_T1_MS);
	sip_rel_uas_send(&u, &r);
	EXPECT_EQ(r, 1u);
}

/* a PRACK matches RSeq, the INVITE's CSeq and method, once */
TEST(uas_prack_match_else_481)
{
	struct sip_rel_uas u;
	uint32_t r;

	sip_rel_uas_init(&u, 5, SIP_T1_MS);
	EXPECT_EQ(sip_rel_uas_prack(&u, 5, 7, "INVITE", 7), -ENOENT);
	sip_rel_uas_send(&u, &r);
	EXPECT_EQ(sip_rel_uas_prack(&u, 4, 7, "INVITE", 7), -ENOENT);
	EXPECT_EQ(sip_rel_uas_prack(&u, 5, 8, "INVITE", 7), -ENOENT);
	EXPECT_EQ(sip_rel_uas_prack(&u, 5, 7, "BYE", 7), -ENOENT);
	EXPECT_TRUE(u.unacked);
	EXPECT_EQ(sip_rel_uas_prack(&u, 5, 7, "INVITE", 7), 0);
	EXPECT_FALSE(u.unacked);
	EXPECT_EQ(sip_rel_uas_prack(&u, 5, 7, "INVITE", 7), -ENOENT);
	EXPECT_EQ(sip_rel_uas_retx(&u), 0u);	/* acked: no more */
}

/* T1, 2T1, 4T1... no T2 cap, given up at 64*T1 (RFC 3262 3) */
TEST(uas_retransmit_doubling_until_64t1)
{
	struct sip_rel_uas u;
	uint32_t r, ms, total, n = 0;

	sip_rel_uas_init(&u, 1, SIP_T1_MS);
	total = (uint32_t)sip_rel_uas_send(&u, &r);
	while ((ms = sip_rel_uas_retx(&u)) != 0) {
		EXPECT_EQ(ms, n < 5 ? SIP_T1_MS << (n + 1) :
			  64u * SIP_T1_MS - total);
		total += ms;
		n++;
	}
	EXPECT_EQ(n, 6u);			/* 7 sends in all */
	EXPECT_EQ(total, 64u * SIP_T1_MS);
	EXPECT_FALSE(u.unacked);
	EXPECT_EQ(sip_rel_uas_send(&u, &r), (int)SIP_T1_MS);
}

/* the same schedule from another T1 (--sip-t1): 64*T1 = 6.4 s at 100 ms */
TEST(uas_retransmit_follows_t1)
{
	struct sip_rel_uas u;
	uint32_t r, ms, total, n = 0;

	sip_rel_uas_init(&u, 1, 100);
	total = (uint32_t)sip_rel_uas_send(&u, &r);
	EXPECT_EQ(total, 100u);
	while ((ms = sip_rel_uas_retx(&u)) != 0) {
		EXPECT_EQ(ms, n < 5 ? 100u << (n + 1) : 6400u - total);
		total += ms;
		n++;
	}
	EXPECT_EQ(n, 6u);
	EXPECT_EQ(total, 6400u);
}

/* in order per To tag; duplicates and gaps not processed further */
TEST(uac_in_order_per_dialog)
{
	struct sip_rel_uac u;

	sip_rel_uac_reset(&u);
	EXPECT_EQ(sip_rel_uac_response(&u, "A", 10), SIP_REL_PRACK);
	EXPECT_EQ(sip_rel_uac_response(&u, "A", 10), SIP_REL_DUP);
	EXPECT_EQ(sip_rel_uac_response(&u, "A", 12), SIP_REL_GAP);
	EXPECT_EQ(sip_rel_uac_response(&u, "A", 11), SIP_REL_PRACK);
	EXPECT_EQ(sip_rel_uac_response(&u, "A", 12), SIP_REL_PRACK);
	EXPECT_EQ(sip_rel_uac_response(&u, "A", 3), SIP_REL_DUP);
	/* another fork's dialog has its own space */
	EXPECT_EQ(sip_rel_uac_response(&u, "B", 3), SIP_REL_PRACK);
	EXPECT_EQ(sip_rel_uac_response(&u, "B", 4), SIP_REL_PRACK);
	/* past 2^31 is in order; RSeq never wraps back to 1 */
	EXPECT_EQ(sip_rel_uac_response(&u, "C", SIP_RSEQ_FIRST_MAX), SIP_REL_PRACK);
	EXPECT_EQ(sip_rel_uac_response(&u, "C", SIP_RSEQ_FIRST_MAX + 1), SIP_REL_PRACK);
	EXPECT_EQ(sip_rel_uac_response(&u, "D", SIP_RSEQ_MAX), SIP_REL_PRACK);
	EXPECT_EQ(sip_rel_uac_response(&u, "D", 1), SIP_REL_DUP);
	EXPECT_EQ(sip_rel_uac_response(&u, NULL, 1), SIP_REL_DROP);
	EXPECT_EQ(sip_rel_uac_response(&u, "", 1), SIP_REL_DROP);
	EXPECT_STREQ(sip_rel_uac_act_name(SIP_REL_GAP), "out-of-order");
}

/* a bounded table: a ninth early dialog is not PRACKed */
TEST(uac_table_bounded)
{
	struct sip_rel_uac u;
	char tag[8];

	sip_rel_uac_reset(&u);
	for (int i = 0; i < SIP_REL_UAC_MAX; i++) {
		snprintf(tag, sizeof(tag), "t%d", i);
		EXPECT_EQ(sip_rel_uac_response(&u, tag, 1), SIP_REL_PRACK);
	}
	EXPECT_EQ(sip_rel_uac_response(&u, "x", 1), SIP_REL_DROP);
	EXPECT_EQ(sip_rel_uac_response(&u, "t0", 2), SIP_REL_PRACK);
}
