// SPDX-License-Identifier: GPL-2.0
/*
 * test_sip_auth_retry.c - Digest answers to any request (RFC 3261 22.2,
 * 22.3): SHA-256 (FIPS 180-4, RFC 7616's worked example), every challenge
 * of a response (several realms, a proxy and a UAS, stale=true), the
 * retry builder (CSeq + 1, same Call-ID and From tag, no Via for a new
 * branch, Authorization vs Proxy-Authorization), nonce counts, the refusal
 * of a second challenge, pre-authorization, and the credentials the ACK
 * and CANCEL of an INVITE copy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_port.h>

#include "sip/sip_auth.h"
#include "sip/sip_msg.h"
#include "ktap.h"

static void sha_hex(const char *s, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t d[32];

	sip_auth_sha256(s, strlen(s), d);
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[64] = 0;
}

TEST(sha256_fips_vectors)
{
	char out[65], big[1001];

	sha_hex("", out);
	EXPECT_STREQ(out, "e3b0c44298fc1c149afbf4c8996fb924"
			  "27ae41e4649b934ca495991b7852b855");
	sha_hex("abc", out);
	EXPECT_STREQ(out, "ba7816bf8f01cfea414140de5dae2223"
			  "b00361a396177a9cb410ff61f20015ad");
	/* 56 bytes: the length goes into a second padding block */
	sha_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		out);
	EXPECT_STREQ(out, "248d6a61d20638b8e5c026930c3e6039"
			  "a33ce45964ff2167f6ecedd419db06c1");
	memset(big, 'a', 1000);
	big[1000] = 0;
	sha_hex(big, out);
	EXPECT_STREQ(out, "41edece42d63e8d9bf515a9ba6932e1c"
			  "20cbc9f5a5d134645adb5db1b9737ea3");
}

TEST(rfc7616_example_md5_and_sha256)
{
	static const char *nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
	static const char *cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
	char out[65];

	/* RFC 7616 3.9.1 */
	sip_auth_response_alg(SIP_AUTH_MD5, "Mufasa", "http-auth@example.org",
			      "Circle of Life", "GET", "/dir/index.html",
			      nonce, "00000001", cnonce, "auth", out);
	EXPECT_STREQ(out, "8ca523f5e9506fed4657c9700eebdbec");
	sip_auth_response_alg(SIP_AUTH_SHA256, "Mufasa",
			      "http-auth@example.org", "Circle of Life", "GET",
			      "/dir/index.html", nonce, "00000001", cnonce,
			      "auth", out);
	EXPECT_STREQ(out, "753927fa0e85d155564e2e272a28d180"
			  "2ca10daf4496794697cf8db5856cb6c1");
}

/* a response to the INVITE of invite() with the headers @hdrs */
static osip_message_t *resp(int code, int cseq, const char *hdrs)
{
	char buf[2048];
	int n;

	sip_msg_init();
	n = snprintf(buf, sizeof(buf),
		     "SIP/2.0 %d Challenge\r\n"
		     "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKold\r\n"
		     "From: <sip:alice@example.com>;tag=ft1\r\n"
		     "To: <sip:bob@example.net>;tag=uas9\r\n"
		     "Call-ID: cid-1@192.0.2.1\r\nCSeq: %d INVITE\r\n%s"
		     "Content-Length: 0\r\n\r\n", code, cseq, hdrs);
	return sip_msg_parse(buf, (size_t)n);
}

static osip_message_t *invite(void)
{
	static const char inv[] =
		"INVITE sip:bob@example.net SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKold;rport\r\n"
		"Max-Forwards: 70\r\n"
		"Route: <sip:proxy.example.net;lr>\r\n"
		"From: <sip:alice@example.com>;tag=ft1\r\n"
		"To: <sip:bob@example.net>\r\n"
		"Call-ID: cid-1@192.0.2.1\r\nCSeq: 1 INVITE\r\n"
		"Contact: <sip:alice@192.0.2.1:5060>\r\n"
		"Content-Type: application/sdp\r\n"
		"Content-Length: 4\r\n\r\nv=0\n";

	sip_msg_init();
	return sip_msg_parse(inv, strlen(inv));
}

TEST(parse_all_realms_proxy_uas_stale)
{
	osip_message_t *m = resp(401, 1,
		"WWW-Authenticate: Digest realm=\"a\", nonce=\"na\", "
		"qop=\"auth\", algorithm=MD5\r\n"
		"WWW-Authenticate: Digest realm=\"a\", nonce=\"na2\", "
		"qop=\"auth\", algorithm=SHA-256\r\n"
		"WWW-Authenticate: Digest realm=\"b\", nonce=\"nb\"\r\n"
		"WWW-Authenticate: Basic realm=\"c\"\r\n"
		"Proxy-Authenticate: Digest realm=\"p\", nonce=\"np\", "
		"stale=TRUE, opaque=\"op\", qop=\"auth-int,auth\"\r\n");
	struct sip_auth_challenge ch[4];

	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(sip_auth_parse_all(m, ch, 4), 3);
	EXPECT_STREQ(ch[0].realm, "a");
	EXPECT_EQ(ch[0].alg, SIP_AUTH_SHA256);	/* RFC 8760: preferred */
	EXPECT_STREQ(ch[0].nonce, "na2");
	EXPECT_FALSE(ch[0].proxy);
	EXPECT_FALSE(ch[0].stale);
	EXPECT_STREQ(ch[1].realm, "b");
	EXPECT_FALSE(ch[1].qop_auth);
	EXPECT_STREQ(ch[2].realm, "p");
	EXPECT_TRUE(ch[2].proxy);
	EXPECT_TRUE(ch[2].stale);
	EXPECT_TRUE(ch[2].qop_auth);
	EXPECT_STREQ(ch[2].opaque, "op");
	/* at most @max */
	EXPECT_EQ(sip_auth_parse_all(m, ch, 1), 1);
	osip_message_free(m);
}

/* the value of the @proxy credentials of @m for @realm, or NULL */
static osip_authorization_t *creds(const osip_message_t *m, bool proxy,
				   const char *realm)
{
	const osip_list_t *l = proxy ? &m->proxy_authorizations :
			       &m->authorizations;
	char q[140];

	snprintf(q, sizeof(q), "\"%s\"", realm);
	for (int i = 0; !osip_list_eol(l, i); i++) {
		osip_authorization_t *a = osip_list_get(l, i);

		if (a->realm && !strcmp(a->realm, q))
			return a;
	}
	return NULL;
}

/* the server side of sip_auth.c accepts what the client side wrote */
static int verify(const osip_message_t *m, const char *password)
{
	struct sip_auth_creds c;
	osip_message_t *copy = NULL;
	int ret;

	if (osip_message_clone(m, &copy))
		return -ENOMEM;
	ret = sip_auth_creds_get(copy, &c);
	if (!ret)
		ret = sip_auth_creds_check(&c, copy->sip_method, "alice",
					   c.realm, password);
	osip_message_free(copy);
	return ret;
}

TEST(retry_builder_cseq_callid_tag_via)
{
	struct sip_auth_cache c = { 0 };
	osip_message_t *inv = invite(), *r, *m;
	osip_authorization_t *a;
	osip_body_t *b = NULL;
	int err = 1;

	ASSERT_TRUE(inv != NULL);
	r = resp(401, 1, "WWW-Authenticate: Digest realm=\"example.net\", "
		 "nonce=\"n1\", qop=\"auth\"\r\n");
	ASSERT_TRUE(r != NULL);
	m = sip_auth_retry(&c, inv, r, "alice", "secret", 0, &err);
	ASSERT_TRUE(m != NULL);
	EXPECT_EQ(err, 0);
	EXPECT_STREQ(m->cseq->number, "2");
	EXPECT_STREQ(m->cseq->method, "INVITE");
	EXPECT_STREQ(m->call_id->number, "cid-1");
	EXPECT_STREQ(sip_msg_tag(m->from), "ft1");
	EXPECT_TRUE(sip_msg_tag(m->to) == NULL);	/* not the 401's */
	EXPECT_EQ(osip_list_size(&m->vias), 0);	/* a new branch comes */
	EXPECT_EQ(osip_list_size(&m->routes), 1);
	osip_message_get_body(m, 0, &b);
	EXPECT_TRUE(b && b->body && !strcmp(b->body, "v=0\n"));
	EXPECT_EQ(osip_list_size(&m->proxy_authorizations), 0);
	a = creds(m, false, "example.net");
	ASSERT_TRUE(a != NULL);
	EXPECT_STREQ(a->nonce_count, "00000001");
	EXPECT_STREQ(a->message_qop, "auth");
	EXPECT_STREQ(a->uri, "\"sip:bob@example.net\"");
	EXPECT_EQ(verify(m, "secret"), 0);
	EXPECT_EQ(verify(m, "wrong"), -EACCES);
	EXPECT_EQ(c.n, 1u);
	osip_message_free(r);
	osip_message_free(m);
	osip_message_free(inv);
}

TEST(retry_407_proxy_authorization_then_refused)
{
	struct sip_auth_cache c = { 0 };
	osip_message_t *inv = invite(), *r, *m1, *m2, *m3;
	int err;

	ASSERT_TRUE(inv != NULL);
	/* 401 from the UAS */
	r = resp(401, 1, "WWW-Authenticate: Digest realm=\"uas\", "
		 "nonce=\"nu\", qop=\"auth\"\r\n");
	m1 = sip_auth_retry(&c, inv, r, "alice", "pw", 0, &err);
	osip_message_free(r);
	ASSERT_TRUE(m1 != NULL);
	/* then 407 from a proxy: a new realm, the UAS's kept */
	r = resp(407, 2, "Proxy-Authenticate: Digest realm=\"px\", "
		 "nonce=\"np\", qop=\"auth\"\r\n");
	m2 = sip_auth_retry(&c, m1, r, "alice", "pw", 1, &err);
	osip_message_free(r);
	ASSERT_TRUE(m2 != NULL);
	EXPECT_STREQ(m2->cseq->number, "3");
	ASSERT_TRUE(creds(m2, true, "px") != NULL);
	EXPECT_STREQ(creds(m2, true, "px")->nonce_count, "00000001");
	EXPECT_TRUE(creds(m2, false, "px") == NULL);
	ASSERT_TRUE(creds(m2, false, "uas") != NULL);
	/* the same nonce once more: its count goes on */
	EXPECT_STREQ(creds(m2, false, "uas")->nonce_count, "00000002");
	EXPECT_EQ(osip_list_size(&m2->authorizations), 1);
	EXPECT_EQ(osip_list_size(&m2->proxy_authorizations), 1);
	/* the proxy challenges its realm again, not stale: refused */
	r = resp(407, 3, "Proxy-Authenticate: Digest realm=\"px\", "
		 "nonce=\"np2\", qop=\"auth\"\r\n");
	m3 = sip_auth_retry(&c, m2, r, "alice", "pw", 2, &err);
	EXPECT_TRUE(m3 == NULL);
	EXPECT_EQ(err, -EACCES);
	osip_message_free(r);
	/* stale=true: a new nonce, not a refusal; its count restarts */
	r = resp(407, 3, "Proxy-Authenticate: Digest realm=\"px\", "
		 "nonce=\"np3\", qop=\"auth\", stale=true\r\n");
	m3 = sip_auth_retry(&c, m2, r, "alice", "pw", 2, &err);
	osip_message_free(r);
	ASSERT_TRUE(m3 != NULL);
	EXPECT_STREQ(creds(m3, true, "px")->nonce, "\"np3\"");
	EXPECT_STREQ(creds(m3, true, "px")->nonce_count, "00000001");
	EXPECT_STREQ(creds(m3, false, "uas")->nonce_count, "00000003");
	EXPECT_STREQ(m3->cseq->number, "4");
	/* and no end of stale nonces: bounded */
	r = resp(407, 4, "Proxy-Authenticate: Digest realm=\"px\", "
		 "nonce=\"np4\", stale=true\r\n");
	EXPECT_TRUE(sip_auth_retry(&c, m3, r, "alice", "pw",
				   SIP_AUTH_MAX_TRIES, &err) == NULL);
	EXPECT_EQ(err, -ELOOP);
	osip_message_free(r);
	osip_message_free(m1);
	osip_message_free(m2);
	osip_message_free(m3);
	osip_message_free(inv);
}

TEST(retry_refusals)
{
	struct sip_auth_cache c = { 0 };
	osip_message_t *inv = invite(), *r, *m;
	int err;

	ASSERT_TRUE(inv != NULL);
	/* nothing to answer: Basic, auth-int only, no nonce */
	r = resp(401, 1, "WWW-Authenticate: Basic realm=\"x\"\r\n"
		 "WWW-Authenticate: Digest realm=\"y\", nonce=\"n\", "
		 "qop=\"auth-int\"\r\n"
		 "WWW-Authenticate: Digest realm=\"z\"\r\n");
	EXPECT_TRUE(sip_auth_retry(&c, inv, r, "alice", "pw", 0, &err) ==
		    NULL);
	EXPECT_EQ(err, -ENOENT);
	EXPECT_EQ(c.n, 0u);
	osip_message_free(r);
	/* pre-authorized (tries 0) and refused: one retry allowed ... */
	r = resp(401, 1, "WWW-Authenticate: Digest realm=\"y\", "
		 "nonce=\"n1\"\r\n");
	m = sip_auth_retry(&c, inv, r, "alice", "pw", 0, &err);
	ASSERT_TRUE(m != NULL);
	osip_message_free(r);
	r = resp(401, 2, "WWW-Authenticate: Digest realm=\"y\", "
		 "nonce=\"n2\"\r\n");
	{
		osip_message_t *m2 = sip_auth_retry(&c, m, r, "alice", "pw", 0,
						    &err);

		EXPECT_TRUE(m2 != NULL);
		osip_message_free(m2);
	}
	/* ... not after it (tries 1) */
	EXPECT_TRUE(sip_auth_retry(&c, m, r, "alice", "pw", 1, &err) == NULL);
	EXPECT_EQ(err, -EACCES);
	osip_message_free(r);
	osip_message_free(m);
	osip_message_free(inv);
}

TEST(authorize_preauth_nc_increments)
{
	struct sip_auth_cache c = { 0 };
	osip_message_t *inv = invite(), *r, *m;
	int err;

	ASSERT_TRUE(inv != NULL);
	/* no realm known: nothing added */
	EXPECT_EQ(sip_auth_authorize(&c, inv, "alice", "pw"), 0);
	EXPECT_EQ(osip_list_size(&inv->authorizations), 0);
	r = resp(401, 1, "WWW-Authenticate: Digest realm=\"r\", "
		 "nonce=\"n\", qop=\"auth\", algorithm=SHA-256\r\n");
	m = sip_auth_retry(&c, inv, r, "alice", "pw", 0, &err);
	ASSERT_TRUE(m != NULL);
	EXPECT_STREQ(creds(m, false, "r")->algorithm, "SHA-256");
	EXPECT_EQ(strlen(creds(m, false, "r")->response), 66u);
	osip_message_free(m);
	/* a later request (a BYE) pre-authorized: count 2, then 3 */
	EXPECT_EQ(sip_auth_authorize(&c, inv, "alice", "pw"), 0);
	EXPECT_STREQ(creds(inv, false, "r")->nonce_count, "00000002");
	EXPECT_EQ(c.r[0].nc, 2u);
	osip_message_free(r);
	osip_message_free(inv);
}

TEST(retry_cache_full_drops_oldest)
{
	struct sip_auth_cache c = { 0 };
	osip_message_t *inv = invite(), *r, *m;
	char h[128];
	int err;

	ASSERT_TRUE(inv != NULL);
	for (int i = 0; i < SIP_AUTH_REALMS + 1; i++) {
		snprintf(h, sizeof(h), "WWW-Authenticate: Digest realm=\"r%d\","
			 " nonce=\"n\"\r\n", i);
		r = resp(401, 1, h);
		m = sip_auth_retry(&c, inv, r, "alice", "pw", 0, &err);
		EXPECT_TRUE(m != NULL);
		osip_message_free(m);
		osip_message_free(r);
	}
	EXPECT_EQ(c.n, (unsigned int)SIP_AUTH_REALMS);
	EXPECT_STREQ(c.r[0].ch.realm, "r1");
	EXPECT_STREQ(c.r[SIP_AUTH_REALMS - 1].ch.realm, "r4");
	osip_message_free(inv);
}

TEST(cancel_and_ack_copy_credentials)
{
	struct sip_auth_cache c = { 0 };
	osip_message_t *inv = invite(), *r, *m, *cancel, *ack;
	int err;

	ASSERT_TRUE(inv != NULL);
	r = resp(407, 1, "Proxy-Authenticate: Digest realm=\"px\", "
		 "nonce=\"np\"\r\n");
	m = sip_auth_retry(&c, inv, r, "alice", "pw", 0, &err);
	ASSERT_TRUE(m != NULL);
	/* the transaction adds its Via before any CANCEL or ACK */
	osip_message_set_via(m, "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKnew");
	cancel = sip_msg_from_invite(m, "CANCEL", m->to);
	ack = sip_msg_from_invite(m, "ACK", r->to);
	ASSERT_TRUE(cancel != NULL);
	ASSERT_TRUE(ack != NULL);
	EXPECT_STREQ(cancel->cseq->number, "2");
	EXPECT_STREQ(creds(cancel, true, "px")->response,
		     creds(m, true, "px")->response);
	EXPECT_STREQ(creds(ack, true, "px")->response,
		     creds(m, true, "px")->response);
	osip_message_free(cancel);
	osip_message_free(ack);
	/* sip_auth_copy: an ACK of a 2xx built apart */
	ack = sip_msg_from_invite(inv, "ACK", r->to);
	ASSERT_TRUE(ack != NULL);
	EXPECT_EQ(osip_list_size(&ack->proxy_authorizations), 0);
	EXPECT_EQ(sip_auth_copy(ack, m), 0);
	EXPECT_EQ(osip_list_size(&ack->proxy_authorizations), 1);
	osip_message_free(ack);
	osip_message_free(m);
	osip_message_free(r);
	osip_message_free(inv);
}
