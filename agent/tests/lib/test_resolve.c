// SPDX-License-Identifier: GPL-2.0
/*
 * test_resolve.c - lib/resolve on the real clock: IP literals answered
 * without DNS and never inside resolve_start(); a DNS server that never
 * answers (a bound UDP socket nobody reads) gives -ETIMEDOUT after the
 * configured tries; a cancelled lookup is never called back, whether
 * c-ares still holds it or its answer waits for delivery; cleanup with a
 * lookup pending; bad server lists refused.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/resolve.h"
#include "lib/sockaddr.h"
#include "lib/tmr.h"
#include "ktap.h"

static struct {
	int calls, err;
	unsigned int n;
	struct sockaddr_storage a;
	bool inside_start;
	bool called_inside;
} G;

static void cb(int err, const struct sockaddr_storage *addrs, unsigned int n,
	       void *arg)
{
	(void)arg;
	G.calls++;
	G.err = err;
	G.n = n;
	if (n)
		G.a = addrs[0];
	if (G.inside_start)
		G.called_inside = true;
}

/* the loop of pinholed, for @ms or until a callback */
static void run_for(unsigned int ms, bool until_cb)
{
	uint64_t end = tmr_now() + ms;
	struct pollfd pfd[16];

	while (tmr_now() < end && !(until_cb && G.calls)) {
		unsigned int n = resolve_poll_fill(pfd, 16);
		int t = tmr_next_timeout(50);

		poll(pfd, n, t < 0 ? 50 : t);
		resolve_poll_handle(pfd, n);
		tmr_run();
	}
}

/* a UDP port that swallows queries */
static int dead_server(char *csv, size_t size)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &len);
	snprintf(csv, size, "127.0.0.1:%u", ntohs(a.sin_port));
	return fd;
}

static struct resolve *start(const char *name, uint16_t port, int family)
{
	struct resolve *r;

	G.inside_start = true;
	r = resolve_start(name, port, family, cb, NULL);
	G.inside_start = false;
	return r;
}

TEST(literal_answered_from_the_loop)
{
	char buf[64];

	memset(&G, 0, sizeof(G));
	ASSERT_TRUE(start("127.0.0.1", 5060, AF_INET) != NULL);
	EXPECT_EQ(G.calls, 0);
	EXPECT_EQ(resolve_pending(), 1);
	run_for(500, true);
	ASSERT_EQ(G.calls, 1);
	EXPECT_FALSE(G.called_inside);
	EXPECT_EQ(G.err, 0);
	EXPECT_EQ(G.n, 1);
	EXPECT_STREQ(sa_str(&G.a, buf, sizeof(buf)), "127.0.0.1:5060");
	EXPECT_EQ(resolve_pending(), 0);

	memset(&G, 0, sizeof(G));
	ASSERT_TRUE(start("[::1]", 5070, AF_UNSPEC) != NULL);
	run_for(500, true);
	ASSERT_EQ(G.calls, 1);
	EXPECT_STREQ(sa_str(&G.a, buf, sizeof(buf)), "[::1]:5070");
	resolve_cleanup();
}

TEST(literal_helper)
{
	struct sockaddr_storage ss;

	EXPECT_EQ(resolve_literal("192.0.2.1", 1, &ss), 0);
	EXPECT_EQ(ss.ss_family, AF_INET);
	EXPECT_EQ(resolve_literal("[2001:db8::1]", 1, &ss), 0);
	EXPECT_EQ(ss.ss_family, AF_INET6);
	EXPECT_EQ(resolve_literal("pbx.example", 1, &ss), -EINVAL);
	EXPECT_EQ(resolve_literal("[pbx]", 1, &ss), -EINVAL);
}

TEST(dead_server_times_out)
{
	char csv[64], err[128];
	uint64_t t0;
	int fd = dead_server(csv, sizeof(csv));

	memset(&G, 0, sizeof(G));
	ASSERT_EQ(resolve_init(csv, 50, err, sizeof(err)), 0);
	t0 = tmr_now();
	ASSERT_TRUE(start("dead.example", 5060, AF_INET) != NULL);
	EXPECT_EQ(G.calls, 0);
	run_for(5000, true);
	ASSERT_EQ(G.calls, 1);
	EXPECT_FALSE(G.called_inside);
	EXPECT_EQ(G.err, -ETIMEDOUT);
	EXPECT_EQ(G.n, 0);
	/* two tries: 50 ms, then 100 ms */
	EXPECT_TRUE(tmr_now() - t0 >= 140);
	EXPECT_LT(tmr_now() - t0, 2000);
	EXPECT_EQ(resolve_pending(), 0);
	EXPECT_STREQ(resolve_err_str(G.err), "no answer from the DNS servers");
	resolve_cleanup();
	close(fd);
}

TEST(cancelled_lookup_never_called_back)
{
	char csv[64], err[128];
	struct resolve *r;
	int fd = dead_server(csv, sizeof(csv));

	memset(&G, 0, sizeof(G));
	ASSERT_EQ(resolve_init(csv, 50, err, sizeof(err)), 0);
	r = start("dead.example", 5060, AF_INET);
	ASSERT_TRUE(r != NULL);
	run_for(30, false);
	resolve_cancel(r);
	EXPECT_EQ(resolve_pending(), 0);
	run_for(600, false);		/* c-ares gives up meanwhile */
	EXPECT_EQ(G.calls, 0);

	/* an answer waiting for delivery (a literal) */
	r = start("10.0.0.1", 1, AF_INET);
	ASSERT_TRUE(r != NULL);
	resolve_cancel(r);
	run_for(100, false);
	EXPECT_EQ(G.calls, 0);
	EXPECT_EQ(resolve_pending(), 0);
	resolve_cleanup();
	close(fd);
}

TEST(cleanup_with_a_lookup_pending)
{
	char csv[64], err[128];
	int fd = dead_server(csv, sizeof(csv));

	memset(&G, 0, sizeof(G));
	ASSERT_EQ(resolve_init(csv, 1000, err, sizeof(err)), 0);
	ASSERT_TRUE(start("dead.example", 5060, AF_UNSPEC) != NULL);
	run_for(30, false);
	EXPECT_EQ(resolve_pending(), 1);
	/* configuring again is refused while a lookup runs */
	EXPECT_EQ(resolve_init(NULL, 0, err, sizeof(err)), -EBUSY);
	resolve_cleanup();
	EXPECT_EQ(G.calls, 0);
	EXPECT_EQ(resolve_pending(), 0);
	close(fd);
}

TEST(bad_server_list_refused)
{
	char err[128] = "";

	EXPECT_EQ(resolve_init("not-an-address", 0, err, sizeof(err)),
		  -EINVAL);
	EXPECT_TRUE(strstr(err, "not-an-address") != NULL);
	resolve_cleanup();
}
