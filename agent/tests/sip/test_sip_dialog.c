// SPDX-License-Identifier: GPL-2.0
/*
 * test_sip_dialog.c - dialogs (RFC 3261 12): route sets from Record-Route
 * in both roles, loose and strict routing, matching, CSeq rules, ACK, and
 * the dialogs of a forked INVITE (13.2.2.4).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_port.h>

#include "sip/sip_dialog.h"
#include "sip/sip_msg.h"
#include "sip/sip_transport.h"
#include "ktap.h"

static osip_message_t *parse(const char *text)
{
	sip_msg_init();
	return sip_msg_parse(text, strlen(text));
}

static const char resp_200[] =
	"SIP/2.0 200 OK\r\n"
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa\r\n"
	"Record-Route: <sip:p2.example.com;lr>\r\n"
	"Record-Route: <sip:p1.example.com;lr>\r\n"
	"From: <sip:alice@example.com>;tag=A\r\n"
	"To: <sip:bob@example.com>;tag=B\r\n"
	"Call-ID: X\r\n"
	"CSeq: 1 INVITE\r\n"
	"Contact: <sip:bob@192.0.2.9:5070>\r\n"
	"Content-Length: 0\r\n\r\n";

static char *str_of(osip_message_t *m)
{
	char *buf = NULL;
	size_t len;

	osip_message_force_update(m);
	if (sip_msg_to_buf(m, &buf, &len))
		return NULL;
	return buf;
}

static char *route_str(osip_message_t *m, int pos)
{
	osip_route_t *r = NULL;
	char *s = NULL;

	osip_message_get_route(m, pos, &r);
	if (!r || osip_route_to_str(r, &s))
		return NULL;
	return s;
}

static char *ruri(osip_message_t *m)
{
	char *s = NULL;

	osip_uri_to_str(m->req_uri, &s);
	return s;
}

TEST(uac_initial_request_has_new_ids)
{
	struct sip_dialog d;
	osip_message_t *m;
	char *s;

	ASSERT_EQ(sip_dialog_uac_init(&d, "sip:alice@example.com",
				      "sip:bob@192.0.2.9:5070",
				      "sip:alice@192.0.2.1:5060", NULL,
				      "192.0.2.1"), 0);
	m = sip_dialog_request(&d, "INVITE");
	ASSERT_TRUE(m != NULL);
	s = ruri(m);
	EXPECT_STREQ(s, "sip:bob@192.0.2.9:5070");
	osip_free(s);
	EXPECT_STREQ(m->cseq->number, "1");
	EXPECT_STREQ(m->cseq->method, "INVITE");
	s = str_of(m);
	EXPECT_TRUE(s && strstr(s, "Max-Forwards: 70\r\n"));
	osip_free(s);
	EXPECT_TRUE(osip_list_size(&m->contacts) == 1);
	EXPECT_EQ(osip_list_size(&m->routes), 0);
	EXPECT_FALSE(d.established);
	EXPECT_EQ(d.local_cseq, 2);
	s = str_of(m);
	EXPECT_TRUE(s && strstr(s, ";tag=") != NULL);
	osip_free(s);
	osip_message_free(m);
	sip_dialog_reset(&d);
}

TEST(uac_dialog_reverses_record_route)
{
	struct sip_dialog d;
	osip_message_t *r = parse(resp_200), *bye;
	char *s;

	ASSERT_TRUE(r != NULL);
	sip_dialog_uac_init(&d, "sip:alice@example.com", "sip:bob@example.com",
			    "sip:alice@192.0.2.1", NULL, "h");
	d.local_cseq = 5;
	ASSERT_EQ(sip_dialog_uac_response(&d, r), 0);
	EXPECT_TRUE(d.established);
	EXPECT_STREQ(d.remote_tag, "B");
	EXPECT_STREQ(d.remote_target, "sip:bob@192.0.2.9:5070");
	ASSERT_EQ(d.nroutes, 2);
	EXPECT_TRUE(strstr(d.routes[0], "p1.example.com") != NULL);
	EXPECT_TRUE(strstr(d.routes[1], "p2.example.com") != NULL);

	bye = sip_dialog_request(&d, "BYE");
	ASSERT_TRUE(bye != NULL);
	s = ruri(bye);		/* loose routing: the target stays */
	EXPECT_STREQ(s, "sip:bob@192.0.2.9:5070");
	osip_free(s);
	s = route_str(bye, 0);
	EXPECT_TRUE(s && strstr(s, "p1.example.com"));
	osip_free(s);
	s = route_str(bye, 1);
	EXPECT_TRUE(s && strstr(s, "p2.example.com"));
	osip_free(s);
	EXPECT_STREQ(bye->cseq->number, "5");
	EXPECT_EQ(osip_list_size(&bye->contacts), 0);
	s = str_of(bye);
	EXPECT_TRUE(s && strstr(s, "To: <sip:bob@example.com>;tag=B"));
	osip_free(s);
	osip_message_free(bye);
	/* a target refresh (RFC 3311 5.1): one Contact, the dialog's */
	bye = sip_dialog_request(&d, "UPDATE");
	ASSERT_TRUE(bye != NULL);
	EXPECT_EQ(osip_list_size(&bye->contacts), 1);
	osip_message_free(bye);
	osip_message_free(r);
	sip_dialog_reset(&d);
}

/* the same response from another fork: To tag @tag, Contact @contact,
 * one Record-Route @rr (or none) */
static osip_message_t *fork_resp(int code, const char *tag,
				 const char *contact, const char *rr)
{
	char txt[1024];

	snprintf(txt, sizeof(txt),
		 "SIP/2.0 %d %s\r\n"
		 "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa\r\n"
		 "%s%s%s"
		 "From: <sip:alice@example.com>;tag=A\r\n"
		 "To: <sip:bob@example.com>;tag=%s\r\n"
		 "Call-ID: X\r\n"
		 "CSeq: 1 INVITE\r\n"
		 "Contact: <%s>\r\n"
		 "Content-Length: 0\r\n\r\n", code,
		 code < 200 ? "Ringing" : "OK", rr ? "Record-Route: <" : "",
		 rr ? rr : "", rr ? ">\r\n" : "", tag, contact);
	return parse(txt);
}

/*
 * RFC 3261 12.1, 13.2.2.4: a 180 of fork A makes an early dialog, but
 * the 200 of fork B confirms B's dialog - its tag, its target, its route
 * set (A's Record-Route is not B's) - not A's.
 */
TEST(first_2xx_confirms_its_own_fork)
{
	struct sip_dialog d;
	osip_message_t *a = fork_resp(180, "FA", "sip:a@192.0.2.10",
				      "sip:pa.example.com;lr");
	osip_message_t *b = fork_resp(200, "FB", "sip:b@192.0.2.11", NULL);

	ASSERT_TRUE(a && b);
	sip_dialog_uac_init(&d, "sip:alice@example.com", "sip:bob@example.com",
			    "sip:alice@192.0.2.1", NULL, "h");
	ASSERT_EQ(sip_dialog_uac_response(&d, a), 0);
	EXPECT_TRUE(d.established);
	EXPECT_FALSE(d.confirmed);
	EXPECT_STREQ(d.remote_tag, "FA");
	EXPECT_EQ(d.nroutes, 1);

	ASSERT_EQ(sip_dialog_uac_response(&d, b), 0);
	EXPECT_TRUE(d.confirmed);
	EXPECT_STREQ(d.remote_tag, "FB");
	EXPECT_STREQ(d.remote_target, "sip:b@192.0.2.11");
	EXPECT_EQ(d.nroutes, 0);
	/* a retransmission of B's 200 is the same dialog */
	EXPECT_EQ(sip_dialog_uac_response(&d, b), 0);
	EXPECT_STREQ(d.remote_tag, "FB");
	/* a late 180 of A changes nothing */
	EXPECT_EQ(sip_dialog_uac_response(&d, a), -EEXIST);
	EXPECT_STREQ(d.remote_target, "sip:b@192.0.2.11");
	osip_message_free(a);
	osip_message_free(b);
	sip_dialog_reset(&d);
}

/* a 2xx of another fork than the confirmed dialog's is not this dialog:
 * it makes its own, with our identity and its tag, to ACK and BYE */
TEST(another_forks_2xx_makes_its_own_dialog)
{
	struct sip_dialog d, f;
	osip_message_t *b = fork_resp(200, "FB", "sip:b@192.0.2.11", NULL);
	osip_message_t *c = fork_resp(200, "FC", "sip:c@192.0.2.12",
				      "sip:pc.example.com;lr");
	osip_message_t *bye;
	char *s;

	ASSERT_TRUE(b && c);
	sip_dialog_uac_init(&d, "sip:alice@example.com", "sip:bob@example.com",
			    "sip:alice@192.0.2.1", NULL, "h");
	osip_message_free(sip_dialog_request(&d, "INVITE"));
	ASSERT_EQ(sip_dialog_uac_response(&d, b), 0);
	EXPECT_EQ(sip_dialog_uac_response(&d, c), -EEXIST);
	EXPECT_STREQ(d.remote_tag, "FB");

	ASSERT_EQ(sip_dialog_uac_fork(&f, &d, c), 0);
	EXPECT_STREQ(f.call_id, d.call_id);
	EXPECT_STREQ(f.local_tag, d.local_tag);
	EXPECT_STREQ(f.remote_tag, "FC");
	EXPECT_STREQ(f.remote_target, "sip:c@192.0.2.12");
	EXPECT_TRUE(f.confirmed);
	ASSERT_EQ(f.nroutes, 1);
	bye = sip_dialog_request(&f, "BYE");
	ASSERT_TRUE(bye != NULL);
	s = str_of(bye);
	EXPECT_TRUE(s && strstr(s, "To: <sip:bob@example.com>;tag=FC"));
	EXPECT_TRUE(s && strstr(s, "BYE sip:c@192.0.2.12 SIP/2.0"));
	EXPECT_TRUE(s && strstr(s, "Route: <sip:pc.example.com;lr>"));
	osip_free(s);
	EXPECT_STREQ(bye->cseq->number, "2");
	osip_message_free(bye);
	/* the confirmed dialog is untouched */
	EXPECT_STREQ(d.remote_target, "sip:b@192.0.2.11");
	EXPECT_EQ(d.nroutes, 0);
	sip_dialog_reset(&f);
	osip_message_free(b);
	osip_message_free(c);
	sip_dialog_reset(&d);
}

static const char req_invite[] =
	"INVITE sip:bob@192.0.2.9 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa\r\n"
	"Record-Route: <sip:p2.example.com;lr>\r\n"
	"Record-Route: <sip:p1.example.com;lr>\r\n"
	"From: <sip:alice@example.com>;tag=A\r\n"
	"To: <sip:bob@example.com>\r\n"
	"Call-ID: X@192.0.2.1\r\n"
	"CSeq: 7 INVITE\r\n"
	"Contact: <sip:alice@192.0.2.1:5060>\r\n"
	"Content-Length: 0\r\n\r\n";

TEST(uas_dialog_keeps_record_route_order)
{
	struct sip_dialog d;
	osip_message_t *inv = parse(req_invite), *bye;
	struct sockaddr_storage dst;
	char *s;

	ASSERT_TRUE(inv != NULL);
	ASSERT_EQ(sip_dialog_uas_init(&d, inv, "sip:bob@192.0.2.9:5060"), 0);
	EXPECT_STREQ(d.call_id, "X@192.0.2.1");
	EXPECT_STREQ(d.remote_tag, "A");
	EXPECT_TRUE(d.local_tag && strlen(d.local_tag) >= 8);
	EXPECT_STREQ(d.remote_target, "sip:alice@192.0.2.1:5060");
	ASSERT_EQ(d.nroutes, 2);
	EXPECT_TRUE(strstr(d.routes[0], "p2.example.com") != NULL);
	EXPECT_EQ(d.remote_cseq, 7);

	bye = sip_dialog_request(&d, "BYE");
	ASSERT_TRUE(bye != NULL);
	s = str_of(bye);
	EXPECT_TRUE(s && strstr(s, "From: <sip:bob@example.com>;tag="));
	EXPECT_TRUE(s && strstr(s, "To: <sip:alice@example.com>;tag=A"));
	EXPECT_TRUE(s && strstr(s, "Call-ID: X@192.0.2.1"));
	osip_free(s);
	osip_message_free(bye);

	/* loose route: the next hop is the first route, resolved */
	d.nroutes = 2;
	free(d.routes[0]);
	d.routes[0] = strdup("<sip:192.0.2.77:5080;lr>");
	ASSERT_EQ(sip_dialog_next_hop(&d, &dst), 0);
	EXPECT_EQ(ntohs(((struct sockaddr_in *)&dst)->sin_port), 5080);
	osip_message_free(inv);
	sip_dialog_reset(&d);
}

/* 12.1.1: the UAS copies the Record-Route into dialog-making responses
 * (in order) so the caller's ACK and BYE go through the proxies; not
 * into 100 Trying nor into error responses */
TEST(uas_reply_copies_record_route)
{
	osip_message_t *inv = parse(req_invite), *r;
	osip_record_route_t *rr;
	char *s = NULL;

	ASSERT_TRUE(inv != NULL);
	r = sip_reply_new(inv, 200, "T");
	ASSERT_TRUE(r != NULL);
	ASSERT_EQ(osip_list_size(&r->record_routes), 2);
	rr = osip_list_get(&r->record_routes, 0);
	ASSERT_EQ(osip_record_route_to_str(rr, &s), 0);
	EXPECT_TRUE(strstr(s, "p2.example.com") != NULL);
	osip_free(s);
	osip_message_free(r);

	r = sip_reply_new(inv, 180, "T");
	ASSERT_TRUE(r != NULL);
	EXPECT_EQ(osip_list_size(&r->record_routes), 2);
	osip_message_free(r);

	r = sip_reply_new(inv, 100, NULL);
	ASSERT_TRUE(r != NULL);
	EXPECT_EQ(osip_list_size(&r->record_routes), 0);
	osip_message_free(r);

	r = sip_reply_new(inv, 491, "T");
	ASSERT_TRUE(r != NULL);
	EXPECT_EQ(osip_list_size(&r->record_routes), 0);
	osip_message_free(r);
	osip_message_free(inv);
}

TEST(strict_route_takes_the_request_uri)
{
	struct sip_dialog d;
	osip_message_t *m;
	char *s;

	sip_dialog_uac_init(&d, "sip:a@x", "sip:b@192.0.2.9", "sip:a@y", NULL,
			    "h");
	free(d.routes[0]);
	d.routes[0] = strdup("<sip:strict.example.com>");
	d.routes[1] = strdup("<sip:p2.example.com;lr>");
	d.nroutes = 2;
	m = sip_dialog_request(&d, "OPTIONS");
	ASSERT_TRUE(m != NULL);
	s = ruri(m);
	EXPECT_STREQ(s, "sip:strict.example.com");
	osip_free(s);
	s = route_str(m, 0);
	EXPECT_TRUE(s && strstr(s, "p2.example.com"));
	osip_free(s);
	s = route_str(m, 1);	/* the remote target goes last */
	EXPECT_TRUE(s && strstr(s, "sip:b@192.0.2.9"));
	osip_free(s);
	osip_message_free(m);
	sip_dialog_reset(&d);
}

TEST(preloaded_proxy_route)
{
	struct sip_dialog d;
	struct sockaddr_storage dst;
	osip_message_t *m;
	char *s;

	sip_dialog_uac_init(&d, "sip:a@x", "sip:b@example.com", "sip:a@y",
			    "sip:192.0.2.50:5062", "h");
	ASSERT_EQ(d.nroutes, 1);
	EXPECT_STREQ(d.routes[0], "<sip:192.0.2.50:5062;lr>");
	ASSERT_EQ(sip_dialog_next_hop(&d, &dst), 0);
	EXPECT_EQ(ntohs(((struct sockaddr_in *)&dst)->sin_port), 5062);
	m = sip_dialog_request(&d, "INVITE");
	s = ruri(m);
	EXPECT_STREQ(s, "sip:b@example.com");
	osip_free(s);
	EXPECT_EQ(osip_list_size(&m->routes), 1);
	osip_message_free(m);
	sip_dialog_reset(&d);
}

TEST(match_needs_call_id_and_both_tags)
{
	struct sip_dialog d;
	osip_message_t *inv = parse(req_invite), *bye;
	char txt[1024];

	sip_dialog_uas_init(&d, inv, "sip:bob@192.0.2.9");
	snprintf(txt, sizeof(txt),
		 "BYE sip:bob@192.0.2.9 SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKb\r\n"
		 "From: <sip:alice@example.com>;tag=A\r\n"
		 "To: <sip:bob@example.com>;tag=%s\r\n"
		 "Call-ID: X@192.0.2.1\r\nCSeq: 8 BYE\r\n"
		 "Content-Length: 0\r\n\r\n", d.local_tag);
	bye = parse(txt);
	ASSERT_TRUE(bye != NULL);
	EXPECT_TRUE(sip_dialog_match(&d, bye));
	/* the index key: the dialog's Call-ID and the request's number */
	EXPECT_STREQ(d.call_id, "X@192.0.2.1");
	EXPECT_EQ(sip_dialog_key(d.call_id),
		  sip_dialog_key(bye->call_id->number));
	EXPECT_EQ(sip_dialog_key("X"), sip_dialog_key("X@elsewhere"));
	EXPECT_NE(sip_dialog_key("X"), sip_dialog_key("Y@192.0.2.1"));
	EXPECT_EQ(sip_dialog_remote_cseq(&d, bye), 0);
	EXPECT_EQ(d.remote_cseq, 8);
	osip_message_free(bye);

	/* the Call-ID's host part counts too */
	snprintf(txt, sizeof(txt),
		 "BYE sip:bob@192.0.2.9 SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKb\r\n"
		 "From: <sip:alice@example.com>;tag=A\r\n"
		 "To: <sip:bob@example.com>;tag=%s\r\n"
		 "Call-ID: X\r\nCSeq: 6 BYE\r\n"
		 "Content-Length: 0\r\n\r\n", d.local_tag);
	bye = parse(txt);
	EXPECT_FALSE(sip_dialog_match(&d, bye));
	/* 12.2.2: a lower CSeq is refused */
	EXPECT_EQ(sip_dialog_remote_cseq(&d, bye), -ERANGE);
	osip_message_free(bye);
	osip_message_free(inv);
	sip_dialog_reset(&d);
}

TEST(ack_of_2xx_has_the_invite_cseq)
{
	struct sip_dialog d;
	osip_message_t *r = parse(resp_200), *ack;

	sip_dialog_uac_init(&d, "sip:a@x", "sip:b@x", "sip:a@y", NULL, "h");
	osip_message_free(sip_dialog_request(&d, "INVITE"));
	sip_dialog_uac_response(&d, r);
	ack = sip_dialog_ack(&d, 1);
	ASSERT_TRUE(ack != NULL);
	EXPECT_STREQ(ack->cseq->number, "1");
	EXPECT_STREQ(ack->cseq->method, "ACK");
	EXPECT_STREQ(ack->sip_method, "ACK");
	/* the ACK does not use up a CSeq (13.2.2.4) */
	EXPECT_EQ(d.local_cseq, 2);
	osip_message_free(ack);
	osip_message_free(r);
	sip_dialog_reset(&d);
}
