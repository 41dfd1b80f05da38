// SPDX-License-Identifier: GPL-2.0
/*
 * test_sip_midcall.c - the session changed in its dialog (sip/sip_midcall.h):
 * which re-INVITE or UPDATE is taken or refused 500/491 (RFC 3261 12.2.2,
 * 14.2, re-INVITE glare by the tiebreaker), the direction of our answer
 * and offer on hold (RFC 3264 8.4), what a new SDP of the peer changes,
 * and our offer's a= direction line.
 */
#include <stdio.h>
#include <string.h>

#include "sip/sdp.h"
#include "sip/sip_midcall.h"
#include "ktap.h"

static const struct sip_mid_state idle = { .established = true };

/* a peer's first SIP_MID_LOG_INFO_MAX changes at info, then debug */
TEST(mid_log_info_bounded_per_call)
{
	EXPECT_TRUE(sip_mid_log_info(1));
	EXPECT_TRUE(sip_mid_log_info(SIP_MID_LOG_INFO_MAX));
	EXPECT_FALSE(sip_mid_log_info(SIP_MID_LOG_INFO_MAX + 1));
	EXPECT_FALSE(sip_mid_log_info(UINT64_MAX));
}

TEST(admit_idle_accepts)
{
	EXPECT_EQ(sip_mid_admit(&idle, true), SIP_MID_ACCEPT);
	EXPECT_EQ(sip_mid_code(SIP_MID_ACCEPT), 0);
}

/* 12.2.2: a lower CSeq is 500 whatever else is going on */
TEST(admit_old_cseq_500_first)
{
	struct sip_mid_state s = { .established = true, .our_offer = true };

	EXPECT_EQ(sip_mid_admit(&idle, false), SIP_MID_CSEQ_500);
	EXPECT_EQ(sip_mid_admit(&s, false), SIP_MID_CSEQ_500);
	EXPECT_EQ(sip_mid_code(SIP_MID_CSEQ_500), 500);
}

/* 14.2: our offer pending -> 491; the peer's earlier one unanswered ->
 * 500 (with Retry-After) */
TEST(admit_pending)
{
	struct sip_mid_state ours = { .established = true, .our_offer = true };
	struct sip_mid_state peer = { .established = true,
				      .peer_pending = true };

	EXPECT_EQ(sip_mid_admit(&ours, true), SIP_MID_491);
	EXPECT_EQ(sip_mid_code(SIP_MID_491), 491);
	EXPECT_EQ(sip_mid_admit(&peer, true), SIP_MID_PENDING_500);
	EXPECT_EQ(sip_mid_code(SIP_MID_PENDING_500), 500);
}

/* glare of re-INVITEs: the higher tiebreaker's goes on, in one round
 * trip; our offer in a 2xx (waiting for the ACK) is never overtaken */
TEST(admit_glare_tiebreak)
{
	struct sip_mid_state s = { .established = true, .our_offer = true,
				   .peer_wins = true };

	EXPECT_EQ(sip_mid_admit(&s, true), SIP_MID_ACCEPT);
	s.peer_wins = false;
	EXPECT_EQ(sip_mid_admit(&s, true), SIP_MID_491);
	s.peer_wins = true;
	s.our_in_2xx = true;
	EXPECT_EQ(sip_mid_admit(&s, true), SIP_MID_491);
}

TEST(admit_no_session)
{
	struct sip_mid_state s = { 0 };

	EXPECT_EQ(sip_mid_admit(&s, true), SIP_MID_NO_SESSION);
	EXPECT_EQ(sip_mid_code(SIP_MID_NO_SESSION), 491);
	EXPECT_STREQ(sip_mid_verdict_name(SIP_MID_NO_SESSION), "no-session");
	EXPECT_STREQ(sip_mid_verdict_name(SIP_MID_CSEQ_500), "cseq-500");
}

/* RFC 3264 8.4: answering sendonly is recvonly; holding we never
 * receive */
TEST(answer_dir)
{
	EXPECT_EQ(sip_mid_answer_dir(SDP_DIR_SENDRECV, false), SDP_DIR_SENDRECV);
	EXPECT_EQ(sip_mid_answer_dir(SDP_DIR_SENDONLY, false), SDP_DIR_RECVONLY);
	EXPECT_EQ(sip_mid_answer_dir(SDP_DIR_RECVONLY, false), SDP_DIR_SENDONLY);
	EXPECT_EQ(sip_mid_answer_dir(SDP_DIR_INACTIVE, false), SDP_DIR_INACTIVE);
	EXPECT_EQ(sip_mid_answer_dir(SDP_DIR_SENDRECV, true), SDP_DIR_SENDONLY);
	EXPECT_EQ(sip_mid_answer_dir(SDP_DIR_SENDONLY, true), SDP_DIR_INACTIVE);
	EXPECT_EQ(sip_mid_answer_dir(SDP_DIR_RECVONLY, true), SDP_DIR_SENDONLY);
	EXPECT_EQ(sip_mid_answer_dir(SDP_DIR_INACTIVE, true), SDP_DIR_INACTIVE);
	EXPECT_EQ(sip_mid_offer_dir(true), SDP_DIR_SENDONLY);
	EXPECT_EQ(sip_mid_offer_dir(false), SDP_DIR_SENDRECV);
}

static void stream(struct sdp_stream *s, const char *addr, uint16_t port,
		   enum sdp_dir dir)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->addr, sizeof(s->addr), "%s", addr);
	s->family = 2;
	s->port = port;
	s->codec = SDP_CODEC_PCMU;
	s->ptime = 20;
	s->te_pt = 101;
	s->dir = dir;
}

TEST(change_hold_resume_move)
{
	struct sdp_stream a, b;
	struct sip_mid_change c;

	stream(&a, "192.0.2.1", 4000, SDP_DIR_SENDRECV);
	b = a;
	sip_mid_change(&a, &b, &c);
	EXPECT_FALSE(c.moved || c.rtcp_moved || c.format);
	EXPECT_TRUE(c.we_send && c.peer_sends);
	EXPECT_FALSE(c.hold_by_peer || c.resume_by_peer);

	b.dir = SDP_DIR_SENDONLY;		/* the peer holds us */
	sip_mid_change(&a, &b, &c);
	EXPECT_TRUE(c.hold_by_peer);
	EXPECT_FALSE(c.we_send);
	EXPECT_TRUE(c.peer_sends);
	b.dir = SDP_DIR_INACTIVE;
	sip_mid_change(&a, &b, &c);
	EXPECT_TRUE(c.hold_by_peer);
	EXPECT_FALSE(c.we_send || c.peer_sends);
	sip_mid_change(&b, &a, &c);		/* and resumes */
	EXPECT_TRUE(c.resume_by_peer);
	EXPECT_TRUE(c.we_send);

	stream(&b, "192.0.2.9", 4000, SDP_DIR_SENDRECV);
	sip_mid_change(&a, &b, &c);
	EXPECT_TRUE(c.moved && c.rtcp_moved);
	stream(&b, "192.0.2.1", 4002, SDP_DIR_SENDRECV);
	sip_mid_change(&a, &b, &c);
	EXPECT_TRUE(c.moved);
	/* rtcp-mux: only the RTCP pinhole moves (to the RTP port) */
	b = a;
	b.rtcp_mux = true;
	sip_mid_change(&a, &b, &c);
	EXPECT_FALSE(c.moved);
	EXPECT_TRUE(c.rtcp_moved && c.format);
	b = a;
	b.codec = SDP_CODEC_PCMA;
	b.pt = 8;
	sip_mid_change(&a, &b, &c);
	EXPECT_TRUE(c.format);
	EXPECT_FALSE(c.moved);
}

/* our hold offer says sendonly, once; the parser reads it back */
TEST(offer_direction_line)
{
	struct sdp_stream l = { .family = 2, .port = 5000,
				.dir = SDP_DIR_SENDONLY }, back;
	char buf[1024];
	int n;

	snprintf(l.addr, sizeof(l.addr), "192.0.2.5");
	n = sdp_offer_build(buf, sizeof(buf), "u", &l, NULL, false, 2);
	ASSERT_TRUE(n > 0);
	EXPECT_TRUE(strstr(buf, "a=sendonly\r\n") != NULL);
	EXPECT_TRUE(strstr(buf, "sendrecv") == NULL);
	ASSERT_EQ(sdp_parse(buf, &back), 0);
	EXPECT_EQ(back.dir, SDP_DIR_SENDONLY);
	l.dir = SDP_DIR_SENDRECV;
	n = sdp_offer_build(buf, sizeof(buf), "u", &l, NULL, false, 3);
	ASSERT_TRUE(n > 0);
	EXPECT_TRUE(strstr(buf, "a=sendrecv\r\n") != NULL);
}
