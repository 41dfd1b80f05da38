// SPDX-License-Identifier: GPL-2.0
/*
 * test_state.c - pinholed's state file (state.h): a state round-trips
 * through the text and through the file; corrupt, truncated or invalid
 * text is refused with a message naming the problem and leaves an empty
 * state (a clean start); a save replaces the file whole and a leftover
 * temporary file of a crashed save changes nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include "pinholed/state.h"
#include "ktap.h"

static char err[512];

static int decode(const char *text, struct state *s)
{
	err[0] = 0;
	return state_decode(text, strlen(text), s, err, sizeof(err));
}

static void set4(struct sockaddr_storage *ss, const char *a, uint16_t port)
{
	struct sockaddr_in *in = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	inet_pton(AF_INET, a, &in->sin_addr);
}

static void set6(struct sockaddr_storage *ss, const char *a, uint16_t port)
{
	struct sockaddr_in6 *in6 = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	inet_pton(AF_INET6, a, &in6->sin6_addr);
}

/* two calls: an established one with a full dialog, one being set up */
static void sample(struct state *s)
{
	struct state_call *c;
	struct state_dialog *d;

	memset(s, 0, sizeof(*s));
	c = state_add(s);
	c->id = 7;
	c->outgoing = true;
	c->established = true;
	c->leg = STATE_LEG_UAC;
	snprintf(c->peer, sizeof(c->peer), "sip:bob@192.0.2.2:5060");
	c->cookie = 0xfedcba9876543210ULL;	/* above 2^63: exact? */
	c->rtp_id = 11;
	c->rtcp_id = 12;
	set4(&c->media_local, "192.0.2.1", 10000);
	set4(&c->media_remote, "192.0.2.2", 20002);
	c->has_dialog = true;
	d = &c->dlg;
	snprintf(d->call_id, sizeof(d->call_id), "abc@192.0.2.1");
	snprintf(d->local_tag, sizeof(d->local_tag), "lt1");
	snprintf(d->remote_tag, sizeof(d->remote_tag), "rt2");
	snprintf(d->local_uri, sizeof(d->local_uri), "sip:alice@192.0.2.1");
	snprintf(d->remote_uri, sizeof(d->remote_uri), "sip:bob@192.0.2.2");
	snprintf(d->remote_target, sizeof(d->remote_target),
		 "sip:bob@192.0.2.2:5062;transport=udp");
	snprintf(d->local_contact, sizeof(d->local_contact),
		 "sip:alice@192.0.2.1:5060");
	snprintf(d->routes[0], sizeof(d->routes[0]), "<sip:p1.example;lr>");
	snprintf(d->routes[1], sizeof(d->routes[1]), "<sip:p2.example;lr>");
	d->nroutes = 2;
	d->local_cseq = 3;
	d->remote_cseq = 4000000000u;
	d->remote_cseq_set = true;
	c->has_st = true;
	c->st.interval = 1800;
	c->st.we_refresh = true;
	c->st.peer_update = true;
	c->st.due_ms = 1796601600123ULL;	/* 2026-12, in ms */
	c->st.sent = 2;
	c->st.received = 5;

	c = state_add(s);
	c->id = 8;
	c->leg = STATE_LEG_UAS;
	snprintf(c->peer, sizeof(c->peer), "sip:carol@[2001:db8::2]");
	c->cookie = 1;
	c->rtp_id = 13;
	set6(&c->media_local, "2001:db8::1", 10002);
}

static void expect_same(const struct state *a, const struct state *b)
{
	unsigned int i;

	ASSERT_EQ(a->ncalls, b->ncalls);
	for (i = 0; i < a->ncalls; i++) {
		const struct state_call *x = &a->calls[i], *y = &b->calls[i];

		EXPECT_EQ(x->id, y->id);
		EXPECT_EQ(x->outgoing, y->outgoing);
		EXPECT_EQ(x->established, y->established);
		EXPECT_EQ(x->leg, y->leg);
		EXPECT_STREQ(x->peer, y->peer);
		EXPECT_TRUE(x->cookie == y->cookie);
		EXPECT_EQ(x->rtp_id, y->rtp_id);
		EXPECT_EQ(x->rtcp_id, y->rtcp_id);
		EXPECT_TRUE(!memcmp(&x->media_local, &y->media_local,
				    sizeof(x->media_local)));
		EXPECT_TRUE(!memcmp(&x->media_remote, &y->media_remote,
				    sizeof(x->media_remote)));
		EXPECT_EQ(x->has_dialog, y->has_dialog);
		/* the whole dialog, routes and CSeqs included */
		EXPECT_TRUE(!memcmp(&x->dlg, &y->dlg, sizeof(x->dlg)));
		EXPECT_STREQ(x->uac_msg ?: "(none)", y->uac_msg ?: "(none)");
		EXPECT_STREQ(x->uas_msg ?: "(none)", y->uas_msg ?: "(none)");
		EXPECT_TRUE(!memcmp(&x->uac_dst, &y->uac_dst,
				    sizeof(x->uac_dst)));
		EXPECT_TRUE(!memcmp(&x->uas_src, &y->uas_src,
				    sizeof(x->uas_src)));
		EXPECT_STREQ(x->uas_tag, y->uas_tag);
		/* the session timer, its wall-clock time to the ms */
		EXPECT_EQ(x->has_st, y->has_st);
		EXPECT_EQ(x->st.interval, y->st.interval);
		EXPECT_EQ(x->st.we_refresh, y->st.we_refresh);
		EXPECT_EQ(x->st.peer_update, y->st.peer_update);
		EXPECT_TRUE(x->st.due_ms == y->st.due_ms);
		EXPECT_TRUE(x->st.sent == y->st.sent);
		EXPECT_TRUE(x->st.received == y->st.received);
	}
}

#define INVITE_TEXT							\
	"INVITE sip:bob@192.0.2.2 SIP/2.0\r\n"				\
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc\r\n"		\
	"From: <sip:alice@192.0.2.1>;tag=lt1\r\n"			\
	"To: <sip:bob@192.0.2.2>\r\nCall-ID: c1@192.0.2.1\r\n"		\
	"CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"

/* a glare being set up: our INVITE and the peer's, both pending */
static void sample_pending(struct state *s)
{
	struct state_call *c;

	memset(s, 0, sizeof(*s));
	c = state_add(s);
	c->id = 9;
	c->outgoing = true;
	c->leg = STATE_LEG_UAC;
	snprintf(c->peer, sizeof(c->peer), "sip:bob@192.0.2.2");
	c->cookie = 2;
	c->rtp_id = 21;
	c->rtcp_id = 22;
	set4(&c->media_local, "192.0.2.1", 10004);
	c->has_dialog = true;
	snprintf(c->dlg.call_id, sizeof(c->dlg.call_id), "c1@192.0.2.1");
	snprintf(c->dlg.local_tag, sizeof(c->dlg.local_tag), "lt1");
	c->dlg.local_cseq = 2;
	c->uac_msg = strdup(INVITE_TEXT);
	set4(&c->uac_dst, "192.0.2.2", 5060);
	c->uas_msg = strdup(INVITE_TEXT);
	set6(&c->uas_src, "2001:db8::2", 5062);
	snprintf(c->uas_tag, sizeof(c->uas_tag), "ourtag");
}

TEST(pending_invites_round_trip)
{
	struct state a, b;
	char *text;

	sample_pending(&a);
	ASSERT_TRUE(a.calls[0].uac_msg && a.calls[0].uas_msg);
	text = state_encode(&a);
	ASSERT_TRUE(text != NULL);
	ASSERT_EQ(state_decode(text, strlen(text), &b, err, sizeof(err)), 0);
	expect_same(&a, &b);
	free(text);
	state_free(&a);
	state_free(&b);
}

static void plan_of(const struct state_call *c, char *buf, size_t size)
{
	struct state_plan p;

	state_plan(c, &p);
	snprintf(buf, size, "%s%s%s%s%s", p.resume ? "resume " : "",
		 p.bye ? "bye " : "", p.cancel ? "cancel " : "",
		 p.reject ? "reject " : "", p.close ? "close " : "");
}

/* what a restart does with each kind of call read back */
TEST(plan_per_call_state)
{
	struct state s;
	struct state_call *c;
	char buf[64];
	char *uac, *uas;

	sample(&s);
	plan_of(&s.calls[0], buf, sizeof(buf));
	EXPECT_STREQ(buf, "resume ");		/* established */
	plan_of(&s.calls[1], buf, sizeof(buf));
	EXPECT_STREQ(buf, "close ");		/* set up, port only */
	s.calls[1].media_local.ss_family = AF_UNSPEC;
	plan_of(&s.calls[1], buf, sizeof(buf));
	EXPECT_STREQ(buf, "");
	/* a 2xx exchanged, not established (waiting for the ACK): BYE */
	s.calls[0].established = false;
	plan_of(&s.calls[0], buf, sizeof(buf));
	EXPECT_STREQ(buf, "bye close ");
	state_free(&s);

	sample_pending(&s);
	c = &s.calls[0];
	plan_of(c, buf, sizeof(buf));
	EXPECT_STREQ(buf, "cancel reject close ");	/* glare */
	uas = c->uas_msg;
	c->uas_msg = NULL;
	plan_of(c, buf, sizeof(buf));
	EXPECT_STREQ(buf, "cancel close ");	/* our INVITE ringing */
	uac = c->uac_msg;
	c->uac_msg = NULL;
	c->uas_msg = uas;
	c->has_dialog = false;
	c->leg = STATE_LEG_UAS;
	plan_of(c, buf, sizeof(buf));
	EXPECT_STREQ(buf, "reject close ");	/* the peer's INVITE ringing */
	/* the peer's INVITE answered 2xx, ours pending: BYE, no CANCEL
	 * (our INVITE's dialog is not in the file) */
	c->uac_msg = uac;
	c->uas_msg = NULL;
	c->has_dialog = true;
	plan_of(c, buf, sizeof(buf));
	EXPECT_STREQ(buf, "bye close ");
	state_free(&s);
}

TEST(pending_invites_refused_when_bad)
{
	static const struct {
		const char *pending, *msg;
	} cases[] = {
		{ "\"uac_invite\":3", "state file: call 1: uac_invite: not an object" },
		{ "\"uac_invite\":{\"addr\":{\"addr\":\"192.0.2.1\",\"port\":5}}",
		  "state file: call 1: uac_invite: msg" },
		{ "\"uac_invite\":{\"msg\":\"\",\"addr\":{\"addr\":\"192.0.2.1\",\"port\":5}}",
		  "state file: call 1: uac_invite: msg" },
		{ "\"uac_invite\":{\"msg\":\"INVITE\"}",
		  "state file: call 1: uac_invite: addr: missing" },
		{ "\"uac_invite\":{\"msg\":\"INVITE\",\"addr\":{\"addr\":\"x\",\"port\":5}}",
		  "state file: call 1: uac_invite.addr: not an IP address" },
		{ "\"uas_invite\":{\"msg\":\"INVITE\",\"addr\":{\"addr\":\"192.0.2.1\",\"port\":5}}",
		  "state file: call 1: uas_invite.tag: missing" },
	};
	char text[1024];
	unsigned int i;
	struct state s;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "{\"version\":1,\"calls\":[{\"id\":1,"
			 "\"outgoing\":true,\"established\":false,"
			 "\"leg\":\"uac\",\"peer\":\"p\","
			 "\"cookie\":\"0000000000000012\",\"rtp_id\":1,"
			 "\"rtcp_id\":2,%s}]}", cases[i].pending);
		EXPECT_EQ(decode(text, &s), -EINVAL);
		KTAP_CHECK(!strncmp(err, cases[i].msg, strlen(cases[i].msg)),
			   false, "case %u: \"%s\"", i, err);
		EXPECT_EQ(s.ncalls, 0);
	}
	/* an established call has no pending INVITE */
	sample_pending(&s);
	s.calls[0].established = true;
	{
		char *t = state_encode(&s);
		struct state b;

		ASSERT_TRUE(t != NULL);
		EXPECT_EQ(decode(t, &b), -EINVAL);
		EXPECT_TRUE(!strncmp(err, "state file: call 1: established: "
				     "with an INVITE pending", 50));
		free(t);
	}
	state_free(&s);
}

TEST(round_trip_text)
{
	struct state a, b;
	char *text;

	sample(&a);
	text = state_encode(&a);
	ASSERT_TRUE(text != NULL);
	ASSERT_EQ(state_decode(text, strlen(text), &b, err, sizeof(err)), 0);
	expect_same(&a, &b);
	EXPECT_TRUE(strstr(text, "\"cookie\":\"fedcba9876543210\"") != NULL);
	free(text);
	state_free(&a);
	state_free(&b);
}

TEST(empty_state_round_trips)
{
	struct state a = { 0 }, b;
	char *text = state_encode(&a);

	ASSERT_TRUE(text != NULL);
	EXPECT_STREQ(text, "{\"calls\":[],\"version\":1}");
	ASSERT_EQ(state_decode(text, strlen(text), &b, err, sizeof(err)), 0);
	EXPECT_EQ(b.ncalls, 0);
	free(text);
}

/* every proper prefix of a good text is refused and leaves nothing */
TEST(truncated_text_refused_at_every_length)
{
	struct state a, b;
	size_t len, bad = 0;
	char *text;

	sample(&a);
	text = state_encode(&a);
	ASSERT_TRUE(text != NULL);
	for (len = 0; len < strlen(text); len++) {
		err[0] = 0;
		if (state_decode(text, len, &b, err, sizeof(err)) != -EINVAL ||
		    b.ncalls || b.calls || !err[0])
			bad++;
	}
	EXPECT_EQ(bad, 0);
	free(text);
	state_free(&a);
}

TEST(invalid_texts_name_the_problem)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "garbage", "state file: not JSON" },
		{ "{\"calls\":[]}", "state file: version: missing" },
		{ "{\"version\":2,\"calls\":[]}", "state file: version" },
		{ "{\"version\":1}", "state file: calls: missing" },
		{ "{\"version\":1,\"calls\":[3]}", "state file: call 1: : not an object" },
		{ "{\"version\":1,\"calls\":[{\"id\":1,\"outgoing\":true,"
		  "\"established\":false,\"leg\":\"uac\",\"peer\":\"p\","
		  "\"cookie\":\"12\",\"rtp_id\":1,\"rtcp_id\":2}]}",
		  "state file: call 1: cookie: not 16 hex digits" },
		{ "{\"version\":1,\"calls\":[{\"id\":1,\"outgoing\":true,"
		  "\"established\":true,\"leg\":\"uac\",\"peer\":\"p\","
		  "\"cookie\":\"0000000000000012\",\"rtp_id\":1,\"rtcp_id\":2}]}",
		  "state file: call 1: dialog: missing for an established call" },
		{ "{\"version\":1,\"calls\":[{\"id\":1,\"outgoing\":true,"
		  "\"established\":false,\"leg\":\"sideways\",\"peer\":\"p\","
		  "\"cookie\":\"0000000000000012\",\"rtp_id\":1,\"rtcp_id\":2}]}",
		  "state file: call 1: leg" },
		{ "{\"version\":1,\"calls\":[{\"id\":1,\"outgoing\":true,"
		  "\"established\":false,\"leg\":\"uac\",\"peer\":\"p\","
		  "\"cookie\":\"0000000000000012\",\"rtp_id\":-1,\"rtcp_id\":2}]}",
		  "state file: call 1: rtp_id" },
		{ "{\"version\":1,\"calls\":[{\"id\":1,\"outgoing\":true,"
		  "\"established\":false,\"leg\":\"uac\",\"peer\":\"p\","
		  "\"cookie\":\"0000000000000012\",\"rtp_id\":1,\"rtcp_id\":2,"
		  "\"media_local\":{\"addr\":\"nowhere\",\"port\":5}}]}",
		  "state file: call 1: media_local: not an IP address" },
		{ "{\"version\":1,\"version\":1,\"calls\":[]}", "state file: not JSON" },
	};
	unsigned int i;
	struct state s;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT_EQ(decode(cases[i].text, &s), -EINVAL);
		KTAP_CHECK(!strncmp(err, cases[i].msg, strlen(cases[i].msg)),
			   false, "case %u: \"%s\"", i, err);
		EXPECT_EQ(s.ncalls, 0);
		EXPECT_TRUE(s.calls == NULL);
	}
}

/* the sample's session timer replaced by each bad one: refused, named */
TEST(session_timer_refused_when_bad)
{
	static const struct {
		const char *st, *msg;
	} cases[] = {
		{ "3", "state file: call 1: session_timer.: not an object" },
		{ "{\"interval\":0,\"refresher\":\"us\",\"peer_update\":true,"
		  "\"due_ms\":1,\"sent\":0,\"received\":0}",
		  "state file: call 1: session_timer.interval: 0" },
		{ "{\"interval\":86401,\"refresher\":\"us\",\"peer_update\":true,"
		  "\"due_ms\":1,\"sent\":0,\"received\":0}",
		  "state file: call 1: session_timer.interval: missing or not" },
		{ "{\"interval\":90,\"refresher\":\"uac\",\"peer_update\":true,"
		  "\"due_ms\":1,\"sent\":0,\"received\":0}",
		  "state file: call 1: session_timer.refresher: neither" },
		{ "{\"interval\":90,\"refresher\":\"us\",\"peer_update\":true,"
		  "\"due_ms\":-1,\"sent\":0,\"received\":0}",
		  "state file: call 1: session_timer.due_ms: missing or not" },
		{ "{\"interval\":90,\"refresher\":\"us\",\"peer_update\":true,"
		  "\"sent\":0,\"received\":0}",
		  "state file: call 1: session_timer.due_ms: missing or not" },
	};
	struct state a, b;
	char text[8192], *enc, *p, *end;
	unsigned int i;

	sample(&a);
	enc = state_encode(&a);
	ASSERT_TRUE(enc != NULL);
	p = strstr(enc, "\"session_timer\":{");
	ASSERT_TRUE(p != NULL);
	end = strchr(p, '}');
	ASSERT_TRUE(end != NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "%.*s\"session_timer\":%s%s",
			 (int)(p - enc), enc, cases[i].st, end + 1);
		EXPECT_EQ(decode(text, &b), -EINVAL);
		KTAP_CHECK(!strncmp(err, cases[i].msg, strlen(cases[i].msg)),
			   false, "case %u: \"%s\"", i, err);
		EXPECT_EQ(b.ncalls, 0);
	}
	free(enc);
	state_free(&a);
	/* a call being set up has no session timer yet */
	sample(&a);
	a.calls[0].established = false;
	enc = state_encode(&a);
	ASSERT_TRUE(enc != NULL);
	EXPECT_EQ(decode(enc, &b), -EINVAL);
	EXPECT_TRUE(strstr(err, "session_timer: of a call not established")
		    != NULL);
	free(enc);
	state_free(&a);
}

/* a second bad call after a good one: nothing of the good one is kept */
TEST(one_bad_call_refuses_the_file)
{
	struct state a, b;
	char *text, *p;

	sample(&a);
	text = state_encode(&a);
	ASSERT_TRUE(text != NULL);
	p = strstr(text, "\"id\":8");
	ASSERT_TRUE(p != NULL);
	memcpy(p, "\"ix\"", 4);
	EXPECT_EQ(decode(text, &b), -EINVAL);
	EXPECT_TRUE(!strncmp(err, "state file: call 2: id:", 23));
	EXPECT_EQ(b.ncalls, 0);
	free(text);
	state_free(&a);
}

/* each test runs in its own process: its own directory */
static char dir[64];

static void mkdir_fresh(void)
{
	snprintf(dir, sizeof(dir), "/var/tmp/test_state.XXXXXX");
	ASSERT_TRUE(mkdtemp(dir) != NULL);
}

static void path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

static void rmdir_all(void)
{
	char p[256];

	path(p, sizeof(p), STATE_FILE);
	unlink(p);
	path(p, sizeof(p), STATE_FILE ".tmp");
	unlink(p);
	rmdir(dir);
}

TEST(save_load_file)
{
	struct state a, b;
	char p[256];

	mkdir_fresh();
	err[0] = 0;
	EXPECT_EQ(state_load(dir, &b, err, sizeof(err)), -ENOENT);
	EXPECT_TRUE(err[0] != 0);
	sample(&a);
	ASSERT_EQ(state_save(dir, &a, err, sizeof(err)), 0);
	path(p, sizeof(p), STATE_FILE ".tmp");
	EXPECT_EQ(access(p, F_OK), -1);		/* renamed away */
	ASSERT_EQ(state_load(dir, &b, err, sizeof(err)), 0);
	expect_same(&a, &b);
	state_free(&b);

	/* a save replaces the file whole: fewer calls than before */
	a.ncalls = 1;
	ASSERT_EQ(state_save(dir, &a, err, sizeof(err)), 0);
	ASSERT_EQ(state_load(dir, &b, err, sizeof(err)), 0);
	expect_same(&a, &b);
	state_free(&b);
	state_free(&a);
	rmdir_all();
}

/* a crash in the middle of a save leaves a partial temporary file only */
TEST(crashed_save_leaves_the_old_file)
{
	struct state a, b;
	char p[256];
	int fd;

	mkdir_fresh();
	sample(&a);
	ASSERT_EQ(state_save(dir, &a, err, sizeof(err)), 0);
	path(p, sizeof(p), STATE_FILE ".tmp");
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(write(fd, "{\"version\":1,\"ca", 16), 16);
	close(fd);
	ASSERT_EQ(state_load(dir, &b, err, sizeof(err)), 0);
	expect_same(&a, &b);
	state_free(&b);
	/* and the next save goes through */
	ASSERT_EQ(state_save(dir, &a, err, sizeof(err)), 0);
	state_free(&a);
	rmdir_all();
}

TEST(corrupt_file_clean_start)
{
	struct state b;
	char p[256];
	int fd;

	mkdir_fresh();
	path(p, sizeof(p), STATE_FILE);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(write(fd, "{\"version\":1,\"calls\":[{\"id\"", 27), 27);
	close(fd);
	err[0] = 0;
	EXPECT_EQ(state_load(dir, &b, err, sizeof(err)), -EINVAL);
	EXPECT_TRUE(!strncmp(err, "state file: not JSON", 20));
	EXPECT_EQ(b.ncalls, 0);
	rmdir_all();
}

