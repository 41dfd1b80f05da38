// SPDX-License-Identifier: GPL-2.0
/*
 * test_sip_msg.c - SIP message helpers: Glare-Tiebreak extraction, AoRs,
 * glare detection on real INVITE text.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../sip_msg.h"
#include "ktap.h"

static osip_message_t *invite(const char *extra, const char *to_tag)
{
	static char buf[2048];
	int n;

	sip_msg_init();
	n = snprintf(buf, sizeof(buf),
		"INVITE sip:alice@198.51.100.1:5060 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 198.51.100.2:5060;branch=z9hG4bKx1\r\n"
		"Max-Forwards: 70\r\n"
		"From: \"Bob\" <sip:bob@Example.com>;tag=b1\r\n"
		"To: <sip:alice@example.com>%s\r\n"
		"Call-ID: c1@198.51.100.2\r\n"
		"CSeq: 1 INVITE\r\n"
		"Contact: <sip:bob@198.51.100.2:5060>\r\n"
		"%s"
		"Content-Length: 0\r\n\r\n", to_tag, extra);
	return sip_msg_parse(buf, (size_t)n);
}

TEST(sip_tiebreak_header_valid)
{
	osip_message_t *m = invite("Glare-Tiebreak: 18446744073709551615\r\n", "");
	uint64_t tb = 0;

	ASSERT_TRUE(m != NULL);
	EXPECT_EQ(sip_msg_tiebreak(m, &tb), GLARE_PEER_TB_VALID);
	EXPECT_TRUE(tb == UINT64_MAX);
	osip_message_free(m);
}

TEST(sip_tiebreak_header_name_case_insensitive)
{
	osip_message_t *m = invite("glare-tiebreak:   42  \r\n", "");
	uint64_t tb = 0;

	ASSERT_TRUE(m != NULL);
	EXPECT_EQ(sip_msg_tiebreak(m, &tb), GLARE_PEER_TB_VALID);
	EXPECT_EQ(tb, 42);
	osip_message_free(m);
}

TEST(sip_tiebreak_header_absent)
{
	osip_message_t *m = invite("", "");
	uint64_t tb = 0;

	ASSERT_TRUE(m != NULL);
	EXPECT_EQ(sip_msg_tiebreak(m, &tb), GLARE_PEER_TB_ABSENT);
	osip_message_free(m);
}

TEST(sip_tiebreak_header_overflow_invalid)
{
	osip_message_t *m = invite("Glare-Tiebreak: 18446744073709551616\r\n", "");
	uint64_t tb = 0;

	ASSERT_TRUE(m != NULL);
	EXPECT_EQ(sip_msg_tiebreak(m, &tb), GLARE_PEER_TB_INVALID);
	osip_message_free(m);
}

TEST(sip_tiebreak_header_repeated_invalid)
{
	osip_message_t *m = invite("Glare-Tiebreak: 1\r\nGlare-Tiebreak: 2\r\n", "");
	uint64_t tb = 0;

	ASSERT_TRUE(m != NULL);
	EXPECT_EQ(sip_msg_tiebreak(m, &tb), GLARE_PEER_TB_INVALID);
	osip_message_free(m);
}

TEST(sip_tiebreak_set_roundtrip)
{
	osip_message_t *m = invite("", ""), *back;
	uint64_t tb = 0;
	size_t len;
	char *txt;

	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(sip_msg_set_tiebreak(m, 1234567890123ULL), 0);
	ASSERT_EQ(sip_msg_to_buf(m, &txt, &len), 0);
	back = sip_msg_parse(txt, len);
	ASSERT_TRUE(back != NULL);
	EXPECT_EQ(sip_msg_tiebreak(back, &tb), GLARE_PEER_TB_VALID);
	EXPECT_TRUE(tb == 1234567890123ULL);
	osip_free(txt);
	osip_message_free(back);
	osip_message_free(m);
}

TEST(sip_uri_aor_strips_scheme_and_params)
{
	osip_message_t *m = invite("", "");
	char aor[64];

	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(sip_uri_aor(m->from->url, aor, sizeof(aor)), 0);
	EXPECT_STREQ(aor, "bob@Example.com");
	EXPECT_EQ(sip_uri_aor(m->from->url, aor, 4), -ENOSPC);
	osip_message_free(m);
}

TEST(sip_glare_detected_from_matches_our_to)
{
	osip_message_t *m = invite("", "");

	ASSERT_TRUE(m != NULL);
	EXPECT_TRUE(sip_msg_is_glare(m, true, "bob@example.com"));
	EXPECT_FALSE(sip_msg_is_glare(m, false, "bob@example.com"));
	EXPECT_FALSE(sip_msg_is_glare(m, true, "carol@example.com"));
	osip_message_free(m);
}

TEST(sip_reinvite_is_not_glare)
{
	osip_message_t *m = invite("", ";tag=a9");

	ASSERT_TRUE(m != NULL);
	EXPECT_FALSE(sip_msg_is_glare(m, true, "bob@example.com"));
	osip_message_free(m);
}
