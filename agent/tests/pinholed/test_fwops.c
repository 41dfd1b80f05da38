// SPDX-License-Identifier: GPL-2.0
/*
 * test_fwops.c - fwops.c without pinhole.ko: the "none" ops, argument
 * validation, the loss logic fed with synthetic kernel events, reason
 * mapping, user-defined ops, conntrack matching, and the message of
 * fwops_kmod_new() when the module is absent (skipped when it is loaded).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/un.h>

#include "pinhole/fw.h"
#include "pinholed/conntrack.h"
#include "pinholed/fwops.h"
#include "pinholed/fwops_priv.h"
#include "ktap.h"

static struct sockaddr_in v4(const char *a, uint16_t port)
{
	struct sockaddr_in s = { .sin_family = AF_INET,
				 .sin_port = htons(port) };

	inet_pton(AF_INET, a, &s.sin_addr);
	return s;
}

static struct sockaddr_in6 v6(const char *a, uint16_t port)
{
	struct sockaddr_in6 s = { .sin6_family = AF_INET6,
				  .sin6_port = htons(port) };

	inet_pton(AF_INET6, a, &s.sin6_addr);
	return s;
}

#define SA(x) ((const struct sockaddr *)&(x))

TEST(none_ops_succeed_and_count)
{
	struct fwops *ops = fwops_none_new();
	struct sockaddr_in l = v4("0.0.0.0", 10000), r = v4("192.0.2.1", 5004);
	struct fwops_counters c;
	struct fwops_port p;
	char err[FWOPS_ERR_LEN];

	ASSERT_TRUE(ops != NULL);
	EXPECT_STREQ(fwops_name(ops), "none");
	EXPECT_EQ(fwops_event_fd(ops), -1);
	memset(&p, 0, sizeof(p));
	EXPECT_EQ(fwops_open(ops, &p, 42, SA(l), err, sizeof(err)), 0);
	EXPECT_EQ(p.cookie, 42);
	EXPECT_EQ(p.rtp_id, 0);
	EXPECT_EQ(p.local.ss_family, AF_INET);
	EXPECT_EQ(fwops_pin(ops, &p, err, sizeof(err)), 0);
	EXPECT_EQ(fwops_activate(ops, &p, SA(r), err, sizeof(err)), 0);
	EXPECT_EQ(fwops_renew(ops, &p, err, sizeof(err)), 0);
	EXPECT_EQ(fwops_renew(ops, &p, NULL, 0), 0);
	fwops_event_dispatch(ops, NULL, NULL);
	EXPECT_EQ(fwops_close(ops, &p, err, sizeof(err)), 0);
	EXPECT_EQ(p.local.ss_family, AF_UNSPEC);
	EXPECT_EQ(fwops_close(ops, &p, err, sizeof(err)), 0);	/* idempotent */
	/* the port can be opened again */
	EXPECT_EQ(fwops_open(ops, &p, 43, SA(l), err, sizeof(err)), 0);
	fwops_counters(ops, &c);
	EXPECT_EQ(c.opens, 2);
	EXPECT_EQ(c.pins, 1);
	EXPECT_EQ(c.activates, 1);
	EXPECT_EQ(c.renews, 2);
	EXPECT_EQ(c.closes, 1);
	EXPECT_EQ(c.errors, 0);
	EXPECT_EQ(c.lost, 0);
	fwops_free(ops);
	fwops_free(NULL);
}

TEST(validation_open)
{
	struct fwops *ops = fwops_none_new();
	struct sockaddr_in l0 = v4("127.0.0.1", 0), lmax = v4("127.0.0.1", 65535),
			   l = v4("127.0.0.1", 10000);
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct fwops_counters c;
	struct fwops_port p;
	char err[FWOPS_ERR_LEN];

	memset(&p, 0, sizeof(p));
	EXPECT_EQ(fwops_open(NULL, &p, 1, SA(l), err, sizeof(err)), -EINVAL);
	EXPECT_EQ(fwops_open(ops, NULL, 1, SA(l), err, sizeof(err)), -EINVAL);
	EXPECT_EQ(fwops_open(ops, &p, 1, NULL, err, sizeof(err)), -EINVAL);
	EXPECT_EQ(fwops_open(ops, &p, 1, SA(un), err, sizeof(err)),
		  -EAFNOSUPPORT);
	EXPECT_TRUE(strstr(err, "not IPv4 or IPv6") != NULL);
	EXPECT_EQ(fwops_open(ops, &p, 1, SA(l0), err, sizeof(err)), -EINVAL);
	EXPECT_TRUE(strstr(err, "media port 0") != NULL);
	EXPECT_EQ(fwops_open(ops, &p, 1, SA(lmax), err, sizeof(err)), -EINVAL);
	EXPECT_EQ(p.local.ss_family, AF_UNSPEC);	/* left closed */
	EXPECT_EQ(fwops_open(ops, &p, 1, SA(l), err, sizeof(err)), 0);
	EXPECT_STREQ(err, "");
	EXPECT_EQ(fwops_open(ops, &p, 1, SA(l), err, sizeof(err)), -EBUSY);
	EXPECT_EQ(p.cookie, 1);		/* untouched */
	fwops_counters(ops, &c);
	EXPECT_EQ(c.opens, 1);
	EXPECT_EQ(c.errors, 4);		/* the NULL arguments are not counted */
	fwops_free(ops);
}

TEST(validation_port_state_and_remote)
{
	struct fwops *ops = fwops_none_new();
	struct sockaddr_in l = v4("127.0.0.1", 10000), r = v4("192.0.2.1", 5004),
			   r0 = v4("192.0.2.1", 0);
	struct sockaddr_in6 l6 = v6("::", 10002), r6 = v6("2001:db8::1", 5004);
	struct fwops_port p, q;
	char err[FWOPS_ERR_LEN];

	memset(&p, 0, sizeof(p));
	EXPECT_EQ(fwops_pin(ops, &p, err, sizeof(err)), -EINVAL);
	EXPECT_STREQ(err, "the media port is not open");
	EXPECT_EQ(fwops_activate(ops, &p, SA(r), err, sizeof(err)), -EINVAL);
	EXPECT_EQ(fwops_renew(ops, &p, err, sizeof(err)), -EINVAL);
	EXPECT_EQ(fwops_pin(NULL, &p, err, sizeof(err)), -EINVAL);
	EXPECT_EQ(fwops_close(NULL, &p, err, sizeof(err)), -EINVAL);
	EXPECT_EQ(fwops_close(ops, &p, err, sizeof(err)), 0);

	ASSERT_EQ(fwops_open(ops, &p, 7, SA(l), err, sizeof(err)), 0);
	EXPECT_EQ(fwops_activate(ops, &p, NULL, err, sizeof(err)), -EINVAL);
	EXPECT_EQ(fwops_activate(ops, &p, SA(r6), err, sizeof(err)),
		  -EAFNOSUPPORT);
	EXPECT_STREQ(err, "remote media address is IPv6, the local port IPv4");
	EXPECT_EQ(fwops_activate(ops, &p, SA(r0), err, sizeof(err)), -EINVAL);
	EXPECT_EQ(fwops_activate(ops, &p, SA(r), err, sizeof(err)), 0);

	memset(&q, 0, sizeof(q));
	ASSERT_EQ(fwops_open(ops, &q, 8, SA(l6), err, sizeof(err)), 0);
	EXPECT_EQ(fwops_activate(ops, &q, SA(r), err, sizeof(err)),
		  -EAFNOSUPPORT);
	EXPECT_EQ(fwops_activate(ops, &q, SA(r6), err, sizeof(err)), 0);
	fwops_free(ops);
}

TEST(reason_mapping)
{
	EXPECT_EQ(fwops_lost_reason_from_kernel(PINHOLE_REASON_EXPIRED),
		  FWOPS_LOST_EXPIRED);
	EXPECT_EQ(fwops_lost_reason_from_kernel(PINHOLE_REASON_OWNER_GONE),
		  FWOPS_LOST_OWNER_GONE);
	EXPECT_EQ(fwops_lost_reason_from_kernel(PINHOLE_REASON_FLUSH),
		  FWOPS_LOST_FLUSH);
	EXPECT_EQ(fwops_lost_reason_from_kernel(PINHOLE_REASON_REQUESTED),
		  FWOPS_LOST_OTHER);
	EXPECT_EQ(fwops_lost_reason_from_kernel(PINHOLE_REASON_NETNS_EXIT),
		  FWOPS_LOST_OTHER);
	EXPECT_EQ(fwops_lost_reason_from_kernel(PINHOLE_REASON_MODULE_EXIT),
		  FWOPS_LOST_OTHER);
	EXPECT_EQ(fwops_lost_reason_from_kernel(0), FWOPS_LOST_OTHER);
	EXPECT_EQ(fwops_lost_reason_from_kernel(99), FWOPS_LOST_OTHER);
	EXPECT_STREQ(fwops_lost_reason_name(FWOPS_LOST_EXPIRED), "expired");
	EXPECT_STREQ(fwops_lost_reason_name(FWOPS_LOST_OWNER_GONE), "owner-gone");
	EXPECT_STREQ(fwops_lost_reason_name(FWOPS_LOST_FLUSH), "flush");
	EXPECT_STREQ(fwops_lost_reason_name(FWOPS_LOST_OTHER), "other");
	EXPECT_STREQ(fwops_lost_reason_name(0), "?");
}

struct lost_log {
	int n;
	uint64_t cookie[8];
	enum fwops_lost_reason reason[8];
};

static void on_lost(void *arg, uint64_t cookie, enum fwops_lost_reason reason)
{
	struct lost_log *l = arg;

	if (l->n < 8) {
		l->cookie[l->n] = cookie;
		l->reason[l->n] = reason;
	}
	l->n++;
}

static struct fw_event ev(uint8_t cmd, uint32_t id, uint64_t cookie,
			  uint8_t reason)
{
	struct fw_event e;

	memset(&e, 0, sizeof(e));
	e.cmd = cmd;
	e.reason = reason;
	e.ph.id = id;
	e.ph.cookie = cookie;
	return e;
}

TEST(lost_once_per_cookie_for_watched_pinholes)
{
	struct fwops *ops = fwops_none_new();
	struct lost_log log = { 0 };
	struct fwops_counters c;
	struct fw_event e;

	ASSERT_EQ(fwops_track(ops, 10, 7), 0);	/* RTP and RTCP of call 7 */
	ASSERT_EQ(fwops_track(ops, 11, 7), 0);
	ASSERT_EQ(fwops_track(ops, 12, 8), 0);
	EXPECT_EQ(fwops_track(ops, 0, 8), -EINVAL);

	/* not CLOSED_NTF, unknown id, id of another cookie: ignored */
	e = ev(PINHOLE_CMD_ACTIVATED_NTF, 10, 7, 0);
	fwops_handle_event(ops, &e, on_lost, &log);
	e = ev(PINHOLE_CMD_CLOSED_NTF, 99, 7, PINHOLE_REASON_EXPIRED);
	fwops_handle_event(ops, &e, on_lost, &log);
	e = ev(PINHOLE_CMD_CLOSED_NTF, 12, 7, PINHOLE_REASON_EXPIRED);
	fwops_handle_event(ops, &e, on_lost, &log);
	EXPECT_EQ(log.n, 0);

	/* RTP expires: reported; RTCP of the same call: not again */
	e = ev(PINHOLE_CMD_CLOSED_NTF, 10, 7, PINHOLE_REASON_EXPIRED);
	fwops_handle_event(ops, &e, on_lost, &log);
	e = ev(PINHOLE_CMD_CLOSED_NTF, 11, 7, PINHOLE_REASON_EXPIRED);
	fwops_handle_event(ops, &e, on_lost, &log);
	ASSERT_EQ(log.n, 1);
	EXPECT_EQ(log.cookie[0], 7);
	EXPECT_EQ(log.reason[0], FWOPS_LOST_EXPIRED);

	/* someone else's CLOSE of our pinhole */
	e = ev(PINHOLE_CMD_CLOSED_NTF, 12, 8, PINHOLE_REASON_REQUESTED);
	fwops_handle_event(ops, &e, on_lost, &log);
	ASSERT_EQ(log.n, 2);
	EXPECT_EQ(log.cookie[1], 8);
	EXPECT_EQ(log.reason[1], FWOPS_LOST_OTHER);
	fwops_handle_event(ops, &e, on_lost, &log);
	EXPECT_EQ(log.n, 2);

	/* a NULL callback still counts */
	ASSERT_EQ(fwops_track(ops, 13, 9), 0);
	e = ev(PINHOLE_CMD_CLOSED_NTF, 13, 9, PINHOLE_REASON_FLUSH);
	fwops_handle_event(ops, &e, NULL, NULL);
	fwops_counters(ops, &c);
	EXPECT_EQ(c.lost, 3);
	fwops_free(ops);
}

/* fwops_latch_cb of latch_events_of_watched_pinholes */
struct latch_log {
	int n;
	uint64_t cookie;
	uint32_t id;
	bool expired;
	struct sockaddr_storage remote;
};

static void on_latch(void *arg, uint64_t cookie, uint32_t id,
		     const struct sockaddr_storage *remote)
{
	struct latch_log *l = arg;

	l->n++;
	l->cookie = cookie;
	l->id = id;
	l->expired = !remote;
	if (remote)
		l->remote = *remote;
}

/* LATCHED_NTF and LATCH_EXPIRED_NTF of a watched pinhole reach the latch
 * callback (the learnt remote, or NULL); others' are ignored, and a latch
 * is no loss */
TEST(latch_events_of_watched_pinholes)
{
	struct fwops *ops = fwops_none_new();
	struct latch_log l = { 0 };
	struct fwops_counters c;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&l.remote;
	struct fw_event e;

	ASSERT_EQ(fwops_track(ops, 10, 7), 0);
	e = ev(PINHOLE_CMD_LATCHED_NTF, 10, 7, 0);
	e.ph.remote.family = AF_INET;
	e.ph.remote.v4.s_addr = htonl(0x0a580005);	/* 10.88.0.5 */
	e.ph.remote_port = 40002;
	fwops_handle_event(ops, &e, NULL, NULL);	/* no latch cb yet */
	fwops_set_latch_cb(ops, on_latch, &l);
	fwops_handle_event(ops, &e, NULL, NULL);
	ASSERT_EQ(l.n, 1);
	EXPECT_EQ(l.cookie, 7);
	EXPECT_EQ(l.id, 10);
	EXPECT_FALSE(l.expired);
	EXPECT_EQ(s4->sin_family, AF_INET);
	EXPECT_EQ(ntohl(s4->sin_addr.s_addr), 0x0a580005);
	EXPECT_EQ(ntohs(s4->sin_port), 40002);
	e.ph.id = 99;					/* not watched */
	fwops_handle_event(ops, &e, NULL, NULL);
	e = ev(PINHOLE_CMD_LATCH_EXPIRED_NTF, 10, 8, 0);	/* other cookie */
	fwops_handle_event(ops, &e, NULL, NULL);
	EXPECT_EQ(l.n, 1);
	e = ev(PINHOLE_CMD_LATCH_EXPIRED_NTF, 10, 7, 0);
	fwops_handle_event(ops, &e, NULL, NULL);
	ASSERT_EQ(l.n, 2);
	EXPECT_TRUE(l.expired);
	fwops_counters(ops, &c);
	EXPECT_EQ(c.lost, 0);
	fwops_free(ops);
}

/* after an overrun: the cookies of the watched pinholes the kernel no
 * longer has, each once; thousands of watches, found and dropped by id */
TEST(watch_gone_after_overrun)
{
	struct fwops *ops = fwops_none_new();
	const uint32_t kernel[] = { 99, 13, 11 };
	struct lost_log log = { 0 };
	struct fw_event e;
	uint64_t *gone;
	uint32_t id;

	ASSERT_EQ(fwops_track(ops, 10, 7), 0);
	ASSERT_EQ(fwops_track(ops, 11, 7), 0);
	ASSERT_EQ(fwops_track(ops, 12, 8), 0);
	ASSERT_EQ(fwops_track(ops, 13, 9), 0);
	ASSERT_EQ(fwops_watch_gone(ops, kernel, 3, &gone), 2);
	EXPECT_EQ(gone[0], 7);
	EXPECT_EQ(gone[1], 8);
	free(gone);
	ASSERT_EQ(fwops_watch_gone(ops, NULL, 0, &gone), 3);
	free(gone);

	for (id = 100; id < 4100; id++)
		ASSERT_EQ(fwops_track(ops, id, id / 2), 0);
	for (id = 100; id < 4100; id += 2)
		fwops_untrack_id(ops, id);	/* our own closes of RTP */
	e = ev(PINHOLE_CMD_CLOSED_NTF, 2000, 1000, PINHOLE_REASON_EXPIRED);
	fwops_handle_event(ops, &e, on_lost, &log);
	EXPECT_EQ(log.n, 0);			/* untracked: ours */
	e = ev(PINHOLE_CMD_CLOSED_NTF, 2001, 1000, PINHOLE_REASON_EXPIRED);
	fwops_handle_event(ops, &e, on_lost, &log);
	ASSERT_EQ(log.n, 1);
	EXPECT_EQ(log.cookie[0], 1000);
	fwops_untrack_cookie(ops, 7);
	/* 1999 cookies of the odd ids left, and 8 (12) */
	ASSERT_EQ(fwops_watch_gone(ops, kernel, 3, &gone), 2000);
	free(gone);
	fwops_free(ops);
}

/* a recording fake, as the UA's tests would write one */
struct fake {
	char log[256];
	int fail_pin;
	int freed;
};

static void fake_log(struct fake *f, const char *what)
{
	strncat(f->log, what, sizeof(f->log) - strlen(f->log) - 1);
}

static int fake_open(void *priv, struct fwops_port *p, char *err, size_t len)
{
	(void)err;
	(void)len;
	fake_log(priv, "open ");
	p->rtp_id = 100;
	p->rtcp_id = 101;
	return 0;
}

static int fake_pin(void *priv, struct fwops_port *p, char *err, size_t len)
{
	struct fake *f = priv;

	(void)p;
	fake_log(f, "pin ");
	if (f->fail_pin) {
		snprintf(err, len, "injected");
		return -EIO;
	}
	return 0;
}

static int fake_close(void *priv, struct fwops_port *p, char *err, size_t len)
{
	(void)err;
	(void)len;
	fake_log(priv, p->rtp_id == 100 ? "close(100) " : "close(?) ");
	return 0;
}

static void fake_free(void *priv)
{
	((struct fake *)priv)->freed = 1;
}

/* renew at a third of the lease, within bounds; the default when unknown */
TEST(renew_pace)
{
	struct fwops_port p;

	memset(&p, 0, sizeof(p));
	EXPECT_EQ(fwops_renew_ms(NULL), FWOPS_RENEW_DEFAULT_MS);
	EXPECT_EQ(fwops_renew_ms(&p), FWOPS_RENEW_DEFAULT_MS);
	p.lease_ms = 32000;			/* the module's OPEN default */
	EXPECT_EQ(fwops_renew_ms(&p), 10666);
	p.lease_ms = 3000;
	EXPECT_EQ(fwops_renew_ms(&p), 1000);
	p.lease_ms = 150;
	EXPECT_EQ(fwops_renew_ms(&p), FWOPS_RENEW_MIN_MS);
	p.lease_ms = 300000;			/* its ACTIVE default */
	EXPECT_EQ(fwops_renew_ms(&p), FWOPS_RENEW_MAX_MS);
	EXPECT_EQ(FWOPS_RENEW_MAX_MS, 60000);
	p.lease_ms = 600000;
	EXPECT_EQ(fwops_renew_ms(&p), FWOPS_RENEW_MAX_MS);
}

/*
 * The renewal schedule of a call's port, with RTP and without (a=inactive:
 * the port is activated all the same and nothing in the kernel extends a
 * lease for packets), through its life as the kernel reports its leases:
 * the soak's (open 30 s, active 60 s) and the module's defaults. Every
 * renewal leaves at least two thirds of the lease it renews, so one late
 * by less than that loses no pinhole; and none is renewed needlessly
 * often (at least a third of the lease, up to the cap).
 */
static int fake_renew_lease(void *priv, struct fwops_port *p, char *err,
			    size_t len)
{
	(void)err;
	(void)len;
	p->lease_ms = *(uint32_t *)priv;	/* as the kernel reports it */
	return 0;
}

TEST(renew_schedule_leaves_two_thirds_of_the_lease)
{
	static const uint32_t leases[][2] = {	/* open, then active */
		{ 30000, 60000 }, { 32000, 300000 }, { 3000, 3000 },
		{ 100, 100 }, { 600000, 7u * 24 * 3600 * 1000 },
	};
	const struct fwops_impl impl = { .renew = fake_renew_lease };
	uint32_t lease = 0;
	struct fwops *ops = fwops_custom_new(&impl, &lease);
	struct fwops_port p;
	unsigned int i, k;

	ASSERT_TRUE(ops != NULL);
	for (i = 0; i < sizeof(leases) / sizeof(leases[0]); i++) {
		for (k = 0; k < 2; k++) {
			uint32_t ms;

			memset(&p, 0, sizeof(p));
			p.local.ss_family = AF_INET;
			lease = leases[i][k];
			EXPECT_EQ(fwops_renew(ops, &p, NULL, 0), 0);
			EXPECT_EQ(p.lease_ms, lease);
			ms = fwops_renew_ms(&p);
			if (lease >= 3 * FWOPS_RENEW_MIN_MS)
				EXPECT_TRUE((uint64_t)ms * 3 <= lease);
			EXPECT_TRUE(ms >= FWOPS_RENEW_MIN_MS);
			EXPECT_TRUE(ms == FWOPS_RENEW_MAX_MS ||
				    (uint64_t)ms * 3 + 3 > lease ||
				    ms == FWOPS_RENEW_MIN_MS);
		}
	}
	fwops_free(ops);
}

TEST(custom_ops)
{
	static const struct fwops_impl impl = {
		.name = "fake", .open = fake_open, .pin = fake_pin,
		.close = fake_close, .free = fake_free,
	};
	struct sockaddr_in l = v4("127.0.0.1", 10000), r = v4("192.0.2.1", 5004);
	struct fake f = { .fail_pin = 1 };
	struct fwops_counters c;
	struct fwops_port p;
	struct fwops *ops;
	char err[FWOPS_ERR_LEN];

	EXPECT_TRUE(fwops_custom_new(NULL, NULL) == NULL);
	ops = fwops_custom_new(&impl, &f);
	ASSERT_TRUE(ops != NULL);
	EXPECT_STREQ(fwops_name(ops), "fake");
	EXPECT_EQ(fwops_event_fd(ops), -1);
	memset(&p, 0, sizeof(p));
	EXPECT_EQ(fwops_open(ops, &p, 5, SA(l), err, sizeof(err)), 0);
	EXPECT_EQ(p.rtp_id, 100);
	EXPECT_EQ(fwops_pin(ops, &p, err, sizeof(err)), -EIO);
	EXPECT_STREQ(err, "injected");
	EXPECT_EQ(fwops_activate(ops, &p, SA(r), err, sizeof(err)), 0);
	EXPECT_EQ(fwops_close(ops, &p, err, sizeof(err)), 0);
	EXPECT_EQ(p.rtp_id, 0);
	EXPECT_EQ(fwops_close(ops, &p, err, sizeof(err)), 0);
	EXPECT_STREQ(f.log, "open pin close(100) ");
	fwops_counters(ops, &c);
	EXPECT_EQ(c.errors, 1);
	EXPECT_EQ(c.pins, 0);
	EXPECT_EQ(c.activates, 1);
	fwops_free(ops);
	EXPECT_EQ(f.freed, 1);
}

TEST(conntrack_endpoint_matching)
{
	struct ct_match m = { .family = AF_INET, .l4proto = IPPROTO_UDP,
			      .n_ports = 2, .ports = { 10000, 10001 } };
	struct in_addr a, b;
	struct ct_endpoint ep;

	inet_pton(AF_INET, "10.0.0.1", &a);
	inet_pton(AF_INET, "10.0.0.2", &b);
	ep.addr = &a;
	ep.port = 10000;
	EXPECT_TRUE(ct_endpoint_matches(&m, IPPROTO_UDP, &ep));
	ep.port = 10001;
	EXPECT_TRUE(ct_endpoint_matches(&m, IPPROTO_UDP, &ep));
	EXPECT_FALSE(ct_endpoint_matches(&m, IPPROTO_TCP, &ep));
	ep.port = 10002;
	EXPECT_FALSE(ct_endpoint_matches(&m, IPPROTO_UDP, &ep));

	m.has_addr = true;
	m.addr.v4 = a;
	ep.port = 10000;
	EXPECT_TRUE(ct_endpoint_matches(&m, IPPROTO_UDP, &ep));
	ep.addr = &b;
	EXPECT_FALSE(ct_endpoint_matches(&m, IPPROTO_UDP, &ep));
	ep.addr = NULL;
	EXPECT_FALSE(ct_endpoint_matches(&m, IPPROTO_UDP, &ep));
	m.n_ports = 0;
	EXPECT_EQ(ct_delete(NULL, &m, NULL, 0), -EINVAL);
}

/* closing deletes conntrack entries by tuple only when they can be named */
TEST(conntrack_exact_only_when_nothing_passed_unbound)
{
	struct ct_flow f = { .family = AF_UNSPEC };

	EXPECT_TRUE(ct_exact_ok(true, 7001, 0, 0));
	/* a wildcard local address: the tuples have no local end */
	EXPECT_FALSE(ct_exact_ok(false, 7001, 0, 0));
	/* RTCP bound to any remote port (RTP port 65535) */
	EXPECT_FALSE(ct_exact_ok(true, 0, 0, 0));
	/* packets passed before the remote was bound: any source could */
	EXPECT_FALSE(ct_exact_ok(true, 7001, 1, 0));
	EXPECT_FALSE(ct_exact_ok(true, 7001, 0, 3));
	EXPECT_EQ(ct_delete_flows(NULL, &f, 1, NULL, 0), -EINVAL);
	EXPECT_EQ(ct_delete_flows(NULL, NULL, 0, NULL, 0), 0);
}

TEST(kmod_new_without_module_says_how_to_run)
{
	char err[FWOPS_ERR_LEN] = "";
	struct fwops *ops;

	ops = fwops_kmod_new(err, sizeof(err));
	if (ops) {
		EXPECT_STREQ(fwops_name(ops), "kmod");
		EXPECT_TRUE(fwops_event_fd(ops) >= 0);
		fwops_free(ops);
		SKIP("pinhole.ko is loaded");
	}
	if (strstr(err, "socket"))
		SKIP("no generic netlink here");
	EXPECT_TRUE(strstr(err, "pinhole.ko is not loaded") != NULL);
	EXPECT_TRUE(strstr(err, "use --firewall none to run without pinholes") != NULL);
	printf("# %s\n", err);
}
