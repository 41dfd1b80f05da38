// SPDX-License-Identifier: GPL-2.0
/*
 * test_refuse.c - what pinholed refuses before a call sees a request
 * (refuse.h): 404 for another user, 415 for a body that is not SDP, 488
 * with Warning 301 for an SDP c= address of the wrong family or one the
 * media policy refuses (ua_refuse_media); and what it
 * lets through (our user with URI parameters, the bare host, in-dialog
 * requests).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "pinholed/refuse.h"
#include "sip/sip_msg.h"
#include "ktap.h"

#define C4	"c=IN IP4 192.0.2.2\r\n"
#define SDP(c)	"v=0\r\no=x 1 1 IN IP4 192.0.2.2\r\ns=-\r\n" c \
		"t=0 0\r\nm=audio 49170 RTP/AVP 0\r\n"

static struct ua_refusal ref;
static const struct sdp_prefs *prefs;	/* NULL: the defaults */
static const char *supported = "";

/* ua_refuse() on a request to @uri with @hdrs and @body; returns the code */
static int refuse(const char *method, const char *uri, const char *hdrs,
		  const char *body)
{
	char buf[2048];
	osip_message_t *m;
	int n, code;

	sip_msg_init();
	n = snprintf(buf, sizeof(buf),
		     "%s %s SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 192.0.2.2:5060;branch=z9hG4bKr1\r\n"
		     "Max-Forwards: 70\r\n"
		     "From: <sip:bob@example.com>;tag=b1\r\n"
		     "To: <sip:alice@example.com>%s\r\n"
		     "Call-ID: r1@192.0.2.2\r\nCSeq: 1 %s\r\n%s"
		     "Content-Length: %zu\r\n\r\n%s", method, uri,
		     strstr(hdrs, "X-In-Dialog") ? ";tag=a1" : "", method,
		     hdrs, strlen(body), body);
	m = sip_msg_parse(buf, (size_t)n);
	if (!m)
		return -1;
	code = ua_refuse(m, "alice", "192.0.2.1:5060", prefs, supported, &ref);
	osip_message_free(m);
	return code;
}

#define CT_SDP	"Content-Type: application/sdp\r\n"

TEST(refuse_none_our_user)
{
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1", CT_SDP, SDP(C4)), 0);
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1:5060;transport=udp",
			 CT_SDP, SDP(C4)), 0);
	EXPECT_EQ(refuse("OPTIONS", "sip:192.0.2.1", "", ""), 0);
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1",
			 "Content-Type: Application/SDP\r\n"
			 "Content-Disposition: session;handling=required\r\n"
			 "Content-Encoding: identity\r\n", SDP(C4)), 0);
	/* IPv6 */
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1", CT_SDP,
			 SDP("c=IN IP6 2001:db8::2\r\n")), 0);
}

TEST(refuse_404_other_user)
{
	EXPECT_EQ(refuse("INVITE", "sip:service@192.0.2.1", CT_SDP, SDP(C4)),
		  404);
	EXPECT_STREQ(ref.reason, "Not Found");
	EXPECT_EQ(refuse("OPTIONS", "sip:service@192.0.2.1", "", ""), 404);
	/* in a dialog the Request-URI is the Contact: not checked here */
	EXPECT_EQ(refuse("BYE", "sip:service@192.0.2.1", "X-In-Dialog: 1\r\n",
			 ""), 0);
}

TEST(refuse_415_content_type)
{
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1",
			 "Content-Type: application/x-frobnicate\r\n",
			 SDP(C4)), 415);
	EXPECT_STREQ(ref.accept, "application/sdp");
	EXPECT_STREQ(ref.reason, "Unsupported Media Type");
	/* a body without a Content-Type */
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1", "", SDP(C4)), 415);
	EXPECT_EQ(refuse("OPTIONS", "sip:alice@192.0.2.1",
			 "Content-Type: text/plain\r\n", "hello"), 415);
}

TEST(refuse_415_content_encoding_disposition)
{
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1",
			 CT_SDP "Content-Encoding: gzip\r\n", SDP(C4)), 415);
	EXPECT_STREQ(ref.accept_encoding, "identity");
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1",
			 CT_SDP "Content-Disposition: render\r\n", SDP(C4)),
		  415);
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1",
			 CT_SDP "Content-Disposition: render;handling=optional"
			 "\r\n", SDP(C4)), 0);
}

TEST(refuse_488_sdp_address_family)
{
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1", CT_SDP,
			 SDP("c=IN IP6 192.0.2.2\r\n")), 488);
	EXPECT_STREQ(ref.reason, "Not Acceptable Here");
	EXPECT_STREQ(ref.warning, "301 192.0.2.1:5060 \"Incompatible network "
		     "address formats\"");
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1", CT_SDP,
			 SDP("c=IN IP4 2001:db8::2\r\n")), 488);
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1", CT_SDP,
			 SDP("c=IN IPX 192.0.2.2\r\n")), 488);
}

#define HEAD4	"v=0\r\no=- 1 1 IN IP4 192.0.2.2\r\ns=-\r\n" \
		"c=IN IP4 192.0.2.2\r\nt=0 0\r\n"

/* RFC 3264 6: nothing usable in the offer, and the Warning says why */
TEST(refuse_488_sdp_nothing_usable)
{
	struct sdp_prefs pcmu = { 0 };

	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1", CT_SDP,
			 HEAD4 "m=audio 4000 RTP/SAVP 0\r\n"), 488);
	EXPECT_STREQ(ref.warning, "302 192.0.2.1:5060 \"Incompatible "
		     "transport protocol\"");
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1", CT_SDP,
			 HEAD4 "m=video 4000 RTP/AVP 96\r\n"), 488);
	EXPECT_STREQ(ref.warning, "304 192.0.2.1:5060 \"Media type not "
		     "available\"");
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1", CT_SDP,
			 HEAD4 "m=audio 4000 RTP/AVP 18\r\n"), 488);
	EXPECT_STREQ(ref.warning, "305 192.0.2.1:5060 \"Incompatible media "
		     "format\"");
	/* PCMA only: usable by default, not with --codecs pcmu */
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1", CT_SDP,
			 HEAD4 "m=audio 4000 RTP/AVP 8\r\n"), 0);
	ASSERT_EQ(sdp_prefs_parse("pcmu", &pcmu), 0);
	prefs = &pcmu;
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1", CT_SDP,
			 HEAD4 "m=audio 4000 RTP/AVP 8\r\n"), 488);
	prefs = NULL;
	/* audio and video: answered (video refused in the answer) */
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1", CT_SDP,
			 HEAD4 "m=audio 4000 RTP/AVP 0\r\n"
			 "m=video 4002 RTP/AVP 96\r\n"), 0);
	/* OPTIONS bodies are not offers */
	EXPECT_EQ(refuse("OPTIONS", "sip:alice@192.0.2.1", CT_SDP,
			 HEAD4 "m=audio 4000 RTP/SAVP 0\r\n"), 0);
}

/* RFC 3261 8.2.2.3 */
TEST(refuse_420_require)
{
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1",
			 CT_SDP "Require: foo\r\n", SDP(C4)), 420);
	EXPECT_STREQ(ref.reason, "Bad Extension");
	EXPECT_STREQ(ref.unsupported, "foo");
	/* every unknown tag, once, from every Require header */
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1",
			 CT_SDP "Require: 100rel, foo\r\nRequire: foo,timer"
			 "\r\n", SDP(C4)), 420);
	EXPECT_STREQ(ref.unsupported, "100rel, foo, timer");
	/* what we support passes */
	supported = "timer, 100rel";
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1",
			 CT_SDP "Require: 100rel, foo\r\n", SDP(C4)), 420);
	EXPECT_STREQ(ref.unsupported, "foo");
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1",
			 CT_SDP "Require: TIMER\r\n", SDP(C4)), 0);
	/* ours: session timers (RFC 4028) always, even when we ask none */
	supported = UA_SUPPORTED;
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1",
			 CT_SDP "Require: timer\r\n", SDP(C4)), 0);
	supported = "";
	/* BYE too (in a dialog), not CANCEL */
	EXPECT_EQ(refuse("BYE", "sip:alice@192.0.2.1",
			 "X-In-Dialog: 1\r\nRequire: foo\r\n", ""), 420);
	EXPECT_EQ(refuse("CANCEL", "sip:alice@192.0.2.1", "Require: foo\r\n",
			 ""), 0);
	/* 420 before the body's checks (8.2.2 before 8.2.3) */
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1",
			 "Content-Type: text/plain\r\nRequire: foo\r\n",
			 "hi"), 420);
	EXPECT_EQ(refuse("INVITE", "sip:alice@192.0.2.1", CT_SDP, SDP(C4)), 0);
	EXPECT_STREQ(ref.unsupported, "");
}

static const char *media_extra = "";	/* m-lines after the first */

/* ua_refuse_media() on an INVITE from @src whose SDP says @c and @port */
static int refuse_media(const char *c, const char *port, const char *src,
			const struct media_policy *p, enum media_addr *why)
{
	char buf[2048], body[512];
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (void *)&ss;
	osip_message_t *m;
	int n, code;

	sip_msg_init();
	snprintf(body, sizeof(body), "v=0\r\no=x 1 1 IN IP4 %s\r\ns=-\r\n"
		 "c=IN IP4 %s\r\nt=0 0\r\nm=audio %s RTP/AVP 0\r\n%s", c, c,
		 port, media_extra);
	n = snprintf(buf, sizeof(buf),
		     "INVITE sip:alice@192.0.2.1 SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP %s:5060;branch=z9hG4bKm1\r\n"
		     "Max-Forwards: 70\r\n"
		     "From: <sip:bob@example.com>;tag=b1\r\n"
		     "To: <sip:alice@example.com>\r\n"
		     "Call-ID: m1@x\r\nCSeq: 1 INVITE\r\n" CT_SDP
		     "Content-Length: %zu\r\n\r\n%s", src, strlen(body), body);
	m = sip_msg_parse(buf, (size_t)n);
	if (!m)
		return -1;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(5060);
	inet_pton(AF_INET, src, &s4->sin_addr);
	code = ua_refuse_media(m, &ss, p, prefs, "192.0.2.1:5060", &ref, why);
	osip_message_free(m);
	return code;
}

/* the stream checked is the one --codecs makes the call use */
TEST(refuse_media_checks_the_chosen_stream)
{
	struct media_policy p = { 0 };
	struct sdp_prefs pcma = { 0 };
	enum media_addr why;

	media_extra = "m=audio 40002 RTP/AVP 8\r\nc=IN IP4 192.0.2.9\r\n";
	EXPECT_EQ(refuse_media("198.51.100.7", "40000", "198.51.100.7", &p,
			       &why), 0);
	ASSERT_EQ(sdp_prefs_parse("pcma", &pcma), 0);
	prefs = &pcma;		/* the second (PCMA) stream, a third party's */
	EXPECT_EQ(refuse_media("198.51.100.7", "40000", "198.51.100.7", &p,
			       &why), 488);
	EXPECT_EQ(why, MEDIA_ADDR_NOT_PEER);
	prefs = NULL;
	media_extra = "";
}

TEST(refuse_488_media_address)
{
	struct media_policy p = { 0 };
	enum media_addr why;

	EXPECT_EQ(refuse_media("198.51.100.7", "40000", "198.51.100.7", &p,
			       &why), 0);
	EXPECT_EQ(why, MEDIA_ADDR_OK);
	EXPECT_STREQ(ref.warning, "");
	/* a third party: not the INVITE's source */
	EXPECT_EQ(refuse_media("192.0.2.9", "40000", "198.51.100.7", &p,
			       &why), 488);
	EXPECT_EQ(why, MEDIA_ADDR_NOT_PEER);
	EXPECT_STREQ(ref.reason, "Not Acceptable Here");
	EXPECT_STREQ(ref.warning,
		     "301 192.0.2.1:5060 \"Media address not allowed\"");
	EXPECT_EQ(refuse_media("127.0.0.1", "40000", "127.0.0.1", &p, &why),
		  488);
	EXPECT_EQ(why, MEDIA_ADDR_LOOPBACK);
	EXPECT_EQ(refuse_media("198.51.100.7", "53", "198.51.100.7", &p,
			       &why), 488);
	EXPECT_EQ(why, MEDIA_ADDR_PORT);
	p.allow = MEDIA_ALLOW_LOOPBACK;
	EXPECT_EQ(refuse_media("127.0.0.1", "40000", "127.0.0.1", &p, &why),
		  0);
	p.peer = MEDIA_PEER_ANY;
	EXPECT_EQ(refuse_media("192.0.2.9", "40000", "198.51.100.7", &p,
			       &why), 0);
	/* no usable offer: not this check's to refuse */
	EXPECT_EQ(refuse_media("not-an-address", "40000", "198.51.100.7", &p,
			       &why), 0);
}
