// SPDX-License-Identifier: GPL-2.0
/*
 * test_sip_auth.c - Digest authentication: RFC 2617's worked example,
 * challenge parsing, the Authorization header added to a request.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <osipparser2/osip_port.h>

#include "sip/sip_auth.h"
#include "sip/sip_msg.h"
#include "ktap.h"

TEST(rfc2617_example_response)
{
	char out[33];

	/* RFC 2617 3.5 */
	sip_auth_response("Mufasa", "testrealm@host.com", "Circle Of Life",
			  "GET", "/dir/index.html",
			  "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001",
			  "0a4f113b", "auth", out);
	EXPECT_STREQ(out, "6629fae49393a05397450978507c4ef1");
}

static osip_message_t *challenge(int code, const char *hdr)
{
	static char buf[1024];
	int n;

	sip_msg_init();
	n = snprintf(buf, sizeof(buf),
		     "SIP/2.0 %d Unauthorized\r\n"
		     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa\r\n"
		     "From: <sip:alice@example.com>;tag=1\r\n"
		     "To: <sip:alice@example.com>;tag=2\r\n"
		     "Call-ID: r1\r\nCSeq: 1 REGISTER\r\n%s\r\n"
		     "Content-Length: 0\r\n\r\n", code, hdr);
	return sip_msg_parse(buf, (size_t)n);
}

TEST(parse_www_authenticate)
{
	osip_message_t *m = challenge(401,
		"WWW-Authenticate: Digest realm=\"example.com\", "
		"nonce=\"abc123\", opaque=\"xyz\", qop=\"auth,auth-int\", "
		"algorithm=MD5");
	struct sip_auth_challenge ch;

	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(sip_auth_parse(m, &ch), 0);
	EXPECT_STREQ(ch.realm, "example.com");
	EXPECT_STREQ(ch.nonce, "abc123");
	EXPECT_STREQ(ch.opaque, "xyz");
	EXPECT_TRUE(ch.qop_auth);
	EXPECT_FALSE(ch.proxy);
	osip_message_free(m);
}

TEST(parse_proxy_authenticate_without_qop)
{
	osip_message_t *m = challenge(407,
		"Proxy-Authenticate: Digest realm=\"p\", nonce=\"n\"");
	struct sip_auth_challenge ch;

	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(sip_auth_parse(m, &ch), 0);
	EXPECT_TRUE(ch.proxy);
	EXPECT_FALSE(ch.qop_auth);
	osip_message_free(m);
}

TEST(unsupported_algorithm_refused)
{
	osip_message_t *m = challenge(401,
		"WWW-Authenticate: Digest realm=\"r\", nonce=\"n\", "
		"algorithm=SHA-256");
	struct sip_auth_challenge ch;

	ASSERT_TRUE(m != NULL);
	EXPECT_EQ(sip_auth_parse(m, &ch), -ENOENT);
	osip_message_free(m);
}

TEST(apply_adds_authorization)
{
	static const char reg[] =
		"REGISTER sip:example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa\r\n"
		"From: <sip:alice@example.com>;tag=1\r\n"
		"To: <sip:alice@example.com>\r\n"
		"Call-ID: r1\r\nCSeq: 2 REGISTER\r\n"
		"Content-Length: 0\r\n\r\n";
	struct sip_auth_challenge ch = { .qop_auth = false };
	osip_message_t *m;
	char *buf = NULL, want[33], *p;
	size_t len;

	sip_msg_init();
	m = sip_msg_parse(reg, strlen(reg));

	ASSERT_TRUE(m != NULL);
	strcpy(ch.realm, "example.com");
	strcpy(ch.nonce, "n1");
	ASSERT_EQ(sip_auth_apply(m, &ch, "alice", "secret", 1), 0);
	osip_message_force_update(m);
	ASSERT_EQ(sip_msg_to_buf(m, &buf, &len), 0);
	sip_auth_response("alice", "example.com", "secret", "REGISTER",
			  "sip:example.com", "n1", NULL, NULL, NULL, want);
	p = strstr(buf, "Authorization: Digest ");
	EXPECT_TRUE(p != NULL);
	EXPECT_TRUE(strstr(buf, want) != NULL);
	EXPECT_TRUE(strstr(buf, "uri=\"sip:example.com\"") != NULL);
	osip_free(buf);
	osip_message_free(m);
}
