// SPDX-License-Identifier: GPL-2.0
/*
 * test_ua_load.c - the load new calls are admitted on (pinholed/
 * ua_slots.c: ua_load()) is kept up to date where calls change, not
 * walked for: two user agents in this process (firewall none, on
 * 127.0.0.1) call each other, and after every step the counts of both
 * equal those of a walk of their calls (ua_load_walk()) - all calls, the
 * unanswered incoming ones, and those from each source address: calls
 * created, ringing, answered, established, rejected, cancelled, hung up,
 * and states set outside the call machine (a restored call).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "lib/plog.h"
#include "lib/resolve.h"
#include "lib/sockaddr.h"
#include "lib/tmr.h"
#include "sip/sip_msg.h"
#include "pinholed/config.h"
#include "pinholed/ua_priv.h"
#include "ktap.h"

static char err[512];
static struct ua *ua_a, *ua_b;		/* the caller, the callee */

static struct ua *ua_make(const char *user, uint16_t media_lo,
			  struct fwops *fw)
{
	struct opts o;

	config_defaults(&o);
	o.ua.listen = "127.0.0.1:0";
	o.ua.user = user;
	o.ua.media_lo = media_lo;
	o.ua.media_hi = media_lo + 99;
	o.ua.media_allow = MEDIA_ALLOW_LOOPBACK | MEDIA_ALLOW_OWN;
	o.ua.rtp_timeout_ms = 0;
	o.ua.ring_timeout_ms = 0;
	return ua_new(&o.ua, fw, err, sizeof(err));
}

/* one turn of both event loops */
static void pump_once(void)
{
	struct pollfd pfd[16];
	unsigned int na, nb, nr;

	na = ua_poll_fill(ua_a, pfd, 3);
	nb = ua_poll_fill(ua_b, pfd + na, 3);
	nr = resolve_poll_fill(pfd + na + nb, 16 - na - nb);
	if (poll(pfd, na + nb + nr, tmr_next_timeout(10)) < 0 &&
	    errno != EINTR)
		return;
	ua_poll_handle(ua_a, pfd, na);
	ua_poll_handle(ua_b, pfd + na, nb);
	resolve_poll_handle(pfd + na + nb, nr);
	tmr_run();
}

/* the calls of @ua in @st */
static unsigned int in_state(const struct ua *ua, enum call_state st)
{
	unsigned int n = 0;

	for (const struct ua_call *uc = ua->calls; uc; uc = uc->next)
		n += uc->call.state == st;
	return n;
}

/* turn the loops until @ua has @n calls in @st (a bound on the turns,
 * not a time: the loopback exchange needs a handful) */
static bool until(const struct ua *ua, enum call_state st, unsigned int n)
{
	for (unsigned int i = 0; i < 3000; i++) {
		if (in_state(ua, st) == n)
			return true;
		pump_once();
	}
	return in_state(ua, st) == n;
}

/* the user's answer ('a'), rejection with 486 ('r') or hang-up ('h') of
 * @ua's first call in @st */
static int user_op(struct ua *ua, enum call_state st, char op)
{
	for (struct ua_call *uc = ua->calls; uc; uc = uc->next) {
		if (uc->call.state != st)
			continue;
		return op == 'a' ? ua_answer(ua, uc->id) :
		       op == 'r' ? ua_reject(ua, uc->id, 486) :
		       ua_hangup(ua, uc->id);
	}
	return -ENOENT;
}

static struct sockaddr_storage host(const char *a)
{
	struct sockaddr_storage ss = { 0 };

	if (inet_pton(AF_INET, a, &((struct sockaddr_in *)&ss)->sin_addr) == 1)
		ss.ss_family = AF_INET;
	else if (inet_pton(AF_INET6, a,
			   &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1)
		ss.ss_family = AF_INET6;
	return ss;
}

/* the kept counts equal a walk's, for our own calls and from each
 * address; false (and the figures in the KTAP diagnostics) when not */
static bool load_matches(const struct ua *ua, const char *step)
{
	static const char *const srcs[] = { "127.0.0.1", "192.0.2.7",
					    "2001:db8::7", "198.51.100.1" };
	struct ua_load k, w;
	bool ok = true;

	for (int i = -1; i < (int)(sizeof(srcs) / sizeof(srcs[0])); i++) {
		struct sockaddr_storage ss;

		if (i >= 0)
			ss = host(srcs[i]);
		ua_load(ua, i < 0 ? NULL : &ss, &k);
		ua_load_walk(ua, i < 0 ? NULL : &ss, &w);
		if (k.calls == w.calls && k.early_in == w.early_in &&
		    k.early_in_src == w.early_in_src)
			continue;
		printf("# %s, from %s: kept %u/%u/%u, walked %u/%u/%u\n",
		       step, i < 0 ? "us" : srcs[i], k.calls, k.early_in,
		       k.early_in_src, w.calls, w.early_in, w.early_in_src);
		ok = false;
	}
	return ok;
}

#define LOAD_OK(step)							\
	do {								\
		EXPECT_TRUE(load_matches(ua_a, "caller: " step));	\
		EXPECT_TRUE(load_matches(ua_b, "callee: " step));	\
	} while (0)

/* @ua's load for a call from @src (NULL: ours) is @calls/@early/@src_n */
static bool load_is(const struct ua *ua, const char *src, unsigned int calls,
		    unsigned int early, unsigned int src_n)
{
	struct sockaddr_storage ss = host(src ? src : "");
	struct ua_load l;

	ua_load(ua, src ? &ss : NULL, &l);
	if (l.calls == calls && l.early_in == early && l.early_in_src == src_n)
		return true;
	printf("# from %s: %u/%u/%u, want %u/%u/%u\n", src ? src : "us",
	       l.calls, l.early_in, l.early_in_src, calls, early, src_n);
	return false;
}

/* a user's act on a call, and the states it leads to */
static const struct step {
	const char *name;
	bool on_callee;
	enum call_state st;		/* of the call it is done on */
	char op;			/* user_op() */
	enum call_state b_st, a_st;	/* then the callee has b_n calls */
	unsigned int b_n, a_n;		/* in b_st, the caller a_n in a_st */
	unsigned int load[3];		/* the callee's, from 127.0.0.1 */
} steps[] = {
	{ "answered", true, CALL_INCOMING, 'a',
	  CALL_ESTABLISHED, CALL_ESTABLISHED, 1, 1, { 3, 2, 2 } },
	{ "rejected", true, CALL_INCOMING, 'r',
	  CALL_INCOMING, CALL_OUTGOING, 1, 1, { 2, 1, 1 } },
	{ "cancelled", false, CALL_OUTGOING, 'h',
	  CALL_INCOMING, CALL_CANCELLING, 0, 0, { 1, 0, 0 } },
	{ "hung up", false, CALL_ESTABLISHED, 'h',
	  CALL_ESTABLISHED, CALL_TERMINATING, 0, 0, { 0, 0, 0 } },
};

TEST(ua_load_kept_as_calls_change)
{
	struct fwops *fw_a = fwops_none_new(), *fw_b = fwops_none_new();
	struct sockaddr_storage src;
	struct ua_call *r1, *r2;
	unsigned int id;
	char uri[96];

	plog_init("test_ua_load", PLOG_ERR);
	ASSERT_EQ(sip_msg_init(), 0);
	ASSERT_TRUE(fw_a && fw_b);
	ua_a = ua_make("a", 47000, fw_a);
	ASSERT_TRUE(ua_a != NULL);
	ua_b = ua_make("b", 47100, fw_b);
	ASSERT_TRUE(ua_b != NULL);
	snprintf(uri, sizeof(uri), "sip:b@%s",
		 sa_str(sip_transport_local(ua_b->tp), err, sizeof(err)));

	/* three calls ringing: the callee's are unanswered, one address */
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(ua_dial(ua_a, uri, &id, err, sizeof(err)), 0);
	LOAD_OK("dialed");
	ASSERT_TRUE(until(ua_b, CALL_INCOMING, 3));
	ASSERT_TRUE(until(ua_a, CALL_OUTGOING, 3));
	LOAD_OK("ringing");
	EXPECT_TRUE(load_is(ua_b, "127.0.0.1", 3, 3, 3));

	/* the user's acts, each as both sides see it once settled */
	for (unsigned int i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		const struct step *t = &steps[i];
		struct ua *on = t->on_callee ? ua_b : ua_a;

		ASSERT_EQ(user_op(on, t->st, t->op), 0);
		EXPECT_TRUE(load_matches(on, t->name));
		ASSERT_TRUE(until(ua_b, t->b_st, t->b_n));
		ASSERT_TRUE(until(ua_a, t->a_st, t->a_n));
		EXPECT_TRUE(load_matches(ua_a, t->name));
		EXPECT_TRUE(load_matches(ua_b, t->name));
		EXPECT_TRUE(load_is(ua_b, "127.0.0.1", t->load[0], t->load[1],
				    t->load[2]));
	}
	EXPECT_TRUE(load_is(ua_a, NULL, 0, 0, 0));

	/* states set outside the call machine (ua_resume.c, ua_route.c):
	 * unanswered calls from two addresses, one of them then
	 * established as a restored call is, the other closed as a refused
	 * INVITE is */
	src = host("192.0.2.7");
	r1 = ua_call_new(ua_b, false, "sip:x@192.0.2.7", &src, err,
			 sizeof(err));
	ASSERT_TRUE(r1 != NULL);
	src = host("2001:db8::7");
	r2 = ua_call_new(ua_b, false, "sip:y@[2001:db8::7]", &src, err,
			 sizeof(err));
	ASSERT_TRUE(r2 != NULL);
	LOAD_OK("new from two addresses");
	EXPECT_TRUE(load_is(ua_b, "2001:db8::7", 2, 2, 1));
	ua_call_set_state(r1, CALL_ESTABLISHED);
	LOAD_OK("set established");
	ua_call_set_state(r2, CALL_CLOSED);
	ua_call_finish(r2);
	LOAD_OK("set closed");
	EXPECT_TRUE(load_is(ua_b, "2001:db8::7", 1, 0, 0));
	ua_call_set_state(r1, CALL_CLOSED);
	ua_call_finish(r1);
	LOAD_OK("all closed");
	EXPECT_TRUE(load_is(ua_b, "192.0.2.7", 0, 0, 0));

	ua_free(ua_a);
	ua_free(ua_b);
	fwops_free(fw_a);
	fwops_free(fw_b);
	resolve_cleanup();
}
