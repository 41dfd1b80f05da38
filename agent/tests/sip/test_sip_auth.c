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
		"algorithm=MD5-sess");
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

/* ------------------------------------------------------- server side */

TEST(hmac_md5_rfc2104_vectors)
{
	static const uint8_t k1[16] = {
		0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
		0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
	};
	static const uint8_t d1[16] = {
		0x92, 0x94, 0x72, 0x7a, 0x36, 0x38, 0xbb, 0x1c,
		0x13, 0xf4, 0x8e, 0xf8, 0x15, 0x8b, 0xfc, 0x9d,
	};
	static const uint8_t d2[16] = {
		0x75, 0x0c, 0x78, 0x3e, 0x6a, 0xb0, 0xb5, 0x03,
		0xea, 0xa8, 0x6e, 0x31, 0x0a, 0x5d, 0xb7, 0x38,
	};
	uint8_t out[16];

	sip_auth_hmac_md5(k1, sizeof(k1), "Hi There", 8, out);
	EXPECT_TRUE(!memcmp(out, d1, 16));
	sip_auth_hmac_md5((const uint8_t *)"Jefe", 4,
			  "what do ya want for nothing?", 28, out);
	EXPECT_TRUE(!memcmp(out, d2, 16));
}

static const uint8_t key[SIP_AUTH_KEY_LEN] = "0123456789abcde";

TEST(nonce_fresh_stale_forged)
{
	char n[SIP_AUTH_NONCE_LEN + 1], bad[SIP_AUTH_NONCE_LEN + 1];

	sip_auth_nonce(key, "example.com", 1000, n);
	EXPECT_EQ(strlen(n), SIP_AUTH_NONCE_LEN);
	EXPECT_EQ(sip_auth_nonce_check(key, "example.com", n, 1000, 300), 0);
	EXPECT_EQ(sip_auth_nonce_check(key, "example.com", n, 1299, 300), 0);
	EXPECT_EQ(sip_auth_nonce_check(key, "example.com", n, 1300, 300),
		  -ESTALE);
	/* from the future, another realm, another key */
	EXPECT_EQ(sip_auth_nonce_check(key, "example.com", n, 999, 300),
		  -EINVAL);
	EXPECT_EQ(sip_auth_nonce_check(key, "example.org", n, 1000, 300),
		  -EINVAL);
	EXPECT_EQ(sip_auth_nonce_check((const uint8_t *)"fedcba987654321",
				       "example.com", n, 1000, 300), -EINVAL);
	/* a later time under the same MAC, one flipped MAC digit */
	memcpy(bad, n, sizeof(bad));
	bad[15] = '9';
	EXPECT_EQ(sip_auth_nonce_check(key, "example.com", bad, 1010, 300),
		  -EINVAL);
	memcpy(bad, n, sizeof(bad));
	bad[40] = bad[40] == '0' ? '1' : '0';
	EXPECT_EQ(sip_auth_nonce_check(key, "example.com", bad, 1000, 300),
		  -EINVAL);
	/* malformed */
	EXPECT_EQ(sip_auth_nonce_check(key, "example.com", "", 1000, 300),
		  -EINVAL);
	EXPECT_EQ(sip_auth_nonce_check(key, "example.com", "dcd98b7102dd2f0e",
				       1000, 300), -EINVAL);
	memcpy(bad, n, sizeof(bad));
	bad[3] = 'X';
	EXPECT_EQ(sip_auth_nonce_check(key, "example.com", bad, 1000, 300),
		  -EINVAL);
}

TEST(challenge_header)
{
	char h[256];

	ASSERT_EQ(sip_auth_challenge_hdr(h, sizeof(h), "example.com", "n1",
					 true), 0);
	EXPECT_STREQ(h, "Digest realm=\"example.com\", nonce=\"n1\", "
		     "qop=\"auth\", algorithm=MD5, stale=true");
	EXPECT_EQ(sip_auth_challenge_hdr(h, 20, "example.com", "n1", false),
		  -ENOSPC);
}

static struct sip_auth_creds mufasa(void)
{
	struct sip_auth_creds c = {
		.username = "Mufasa", .realm = "testrealm@host.com",
		.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093",
		.uri = "/dir/index.html",
		.response = "6629fae49393a05397450978507c4ef1",
		.qop = "auth", .nc = "00000001", .cnonce = "0a4f113b",
	};

	return c;
}

TEST(creds_check_rfc2617_example)
{
	struct sip_auth_creds c = mufasa();

	EXPECT_EQ(sip_auth_creds_check(&c, "GET", "Mufasa",
				       "testrealm@host.com", "Circle Of Life"),
		  0);
	strcpy(c.algorithm, "MD5");
	strcpy(c.response, "6629FAE49393A05397450978507C4EF1");
	EXPECT_EQ(sip_auth_creds_check(&c, "GET", "Mufasa",
				       "testrealm@host.com", "Circle Of Life"),
		  0);
}

TEST(creds_check_refusals)
{
	struct sip_auth_creds c = mufasa();
	const char *r = "testrealm@host.com", *pw = "Circle Of Life";

	EXPECT_EQ(sip_auth_creds_check(&c, "GET", "Mufasa", r, "circle of life"),
		  -EACCES);
	EXPECT_EQ(sip_auth_creds_check(&c, "POST", "Mufasa", r, pw), -EACCES);
	EXPECT_EQ(sip_auth_creds_check(&c, "GET", "Simba", r, pw), -EACCES);
	EXPECT_EQ(sip_auth_creds_check(&c, "GET", "Mufasa", "other", pw),
		  -EACCES);
	c = mufasa();
	strcpy(c.qop, "");		/* RFC 2069: not accepted */
	EXPECT_EQ(sip_auth_creds_check(&c, "GET", "Mufasa", r, pw), -EACCES);
	c = mufasa();
	strcpy(c.algorithm, "SHA-256");
	EXPECT_EQ(sip_auth_creds_check(&c, "GET", "Mufasa", r, pw), -EACCES);
	c = mufasa();
	strcpy(c.nc, "1");
	EXPECT_EQ(sip_auth_creds_check(&c, "GET", "Mufasa", r, pw), -EACCES);
	c = mufasa();
	strcpy(c.cnonce, "");
	EXPECT_EQ(sip_auth_creds_check(&c, "GET", "Mufasa", r, pw), -EACCES);
	c = mufasa();
	c.response[31] = 0;
	EXPECT_EQ(sip_auth_creds_check(&c, "GET", "Mufasa", r, pw), -EACCES);
}

static osip_message_t *request(const char *hdr)
{
	static char buf[1024];
	int n;

	sip_msg_init();
	n = snprintf(buf, sizeof(buf),
		     "INVITE sip:alice@example.com SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa\r\n"
		     "From: <sip:bob@example.com>;tag=1\r\n"
		     "To: <sip:alice@example.com>\r\n"
		     "Call-ID: r1\r\nCSeq: 1 INVITE\r\n%s"
		     "Content-Length: 0\r\n\r\n", hdr);
	return sip_msg_parse(buf, (size_t)n);
}

TEST(creds_get_and_round_trip)
{
	struct sip_auth_challenge ch = { .qop_auth = true,
					 .realm = "example.com" };
	struct sip_auth_creds c;
	osip_message_t *m = request("");

	ASSERT_TRUE(m != NULL);
	EXPECT_EQ(sip_auth_creds_get(m, &c), -ENOENT);
	/* our own client's answer verifies */
	sip_auth_nonce(key, "example.com", 5000, ch.nonce);
	ASSERT_EQ(sip_auth_apply(m, &ch, "alice", "s3cret", 1), 0);
	ASSERT_EQ(sip_auth_creds_get(m, &c), 0);
	EXPECT_STREQ(c.username, "alice");
	EXPECT_STREQ(c.nc, "00000001");
	EXPECT_STREQ(c.uri, "sip:alice@example.com");
	EXPECT_EQ(sip_auth_nonce_check(key, "example.com", c.nonce, 5001,
				       300), 0);
	EXPECT_EQ(sip_auth_creds_check(&c, "INVITE", "alice", "example.com",
				       "s3cret"), 0);
	EXPECT_EQ(sip_auth_creds_check(&c, "INVITE", "alice", "example.com",
				       "wrong"), -EACCES);
	osip_message_free(m);
	/* Basic, or an oversized parameter: no credentials */
	m = request("Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n");
	ASSERT_TRUE(m != NULL);
	EXPECT_EQ(sip_auth_creds_get(m, &c), -ENOENT);
	osip_message_free(m);
}
