// SPDX-License-Identifier: GPL-2.0
/*
 * test_sip_tcp_limits.c - TCP connections are bounded (issue 13): at most
 * SIP_TCP_MAX_IN_PER_SRC accepted from one address, SIP_TCP_MAX_IN in
 * all; beyond, the oldest that never carried a SIP message gives way, else
 * the new one is closed at once; a slot freed by a close is taken again.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/plog.h"
#include "lib/tmr.h"
#include "sip/sip_msg.h"
#include "sip/sip_transport.h"
#include "ktap.h"

static void on_msg(osip_message_t *msg, const struct sockaddr_storage *src,
		   void *arg)
{
	(void)msg;
	(void)src;
	(void)arg;
}

static struct sip_transport *tcp_transport(void)
{
	char err[256];
	struct sip_transport *tp;

	plog_init("test", PLOG_ERR);
	sip_msg_init();
	tmr_fake_clock(1000);
	tp = sip_transport_new_mode("127.0.0.1:0", SIP_TP_TCP, on_msg, NULL,
				    err, sizeof(err));
	if (!tp)
		ktap_fail(__FILE__, __LINE__, "transport: %s", err);
	return tp;
}

/* a connection from @addr to @tp, then the transport runs */
static int connect_from(struct sip_transport *tp, const char *addr)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct pollfd pfd = { .fd = sip_transport_fd(tp), .events = POLLIN };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, addr, &a.sin_addr);
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	if (connect(fd, (const struct sockaddr *)sip_transport_local(tp),
		    sizeof(struct sockaddr_in))) {
		close(fd);
		return -1;
	}
	while (poll(&pfd, 1, 100) > 0)
		sip_transport_on_readable(tp);
	return fd;
}

/* the peer saw its connection closed */
static bool closed(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c;

	return poll(&pfd, 1, 200) > 0 && recv(fd, &c, 1, MSG_DONTWAIT) == 0;
}

TEST(tcp_accepted_per_source_capped)
{
	struct sip_transport *tp = tcp_transport();
	int fds[SIP_TCP_MAX_IN_PER_SRC + 1], extra;

	ASSERT_TRUE(tp != NULL);
	for (int i = 0; i <= SIP_TCP_MAX_IN_PER_SRC; i++)
		fds[i] = connect_from(tp, "127.0.0.2");
	EXPECT_EQ(sip_transport_conns_in(tp), SIP_TCP_MAX_IN_PER_SRC);
	EXPECT_TRUE(closed(fds[SIP_TCP_MAX_IN_PER_SRC]));
	EXPECT_FALSE(closed(fds[0]));
	/* another address is not held back by this one */
	extra = connect_from(tp, "127.0.0.3");
	EXPECT_EQ(sip_transport_conns_in(tp), SIP_TCP_MAX_IN_PER_SRC + 1);
	EXPECT_FALSE(closed(extra));
	/* one closed by the peer: its slot comes back */
	close(fds[0]);
	{
		struct pollfd pfd = { .fd = sip_transport_fd(tp),
				      .events = POLLIN };

		while (poll(&pfd, 1, 100) > 0)
			sip_transport_on_readable(tp);
	}
	fds[0] = connect_from(tp, "127.0.0.2");
	EXPECT_FALSE(closed(fds[0]));
	EXPECT_EQ(sip_transport_conns_in(tp), SIP_TCP_MAX_IN_PER_SRC + 1);
	sip_transport_free(tp);
}

/* the transport runs until nothing is pending */
static void pump(struct sip_transport *tp)
{
	struct pollfd pfd = { .fd = sip_transport_fd(tp), .events = POLLIN };

	while (poll(&pfd, 1, 100) > 0)
		sip_transport_on_readable(tp);
}

/* SIP_TCP_MAX_IN connections from 127.0.1.x, each saying one OPTIONS
 * when @speak; their fds in @fds */
static void fill(struct sip_transport *tp, int *fds, bool speak)
{
	static const char opt[] =
		"OPTIONS sip:a@127.0.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKfill\r\n"
		"From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:a@127.0.0.1>\r\n"
		"Call-ID: fill\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
		"Content-Length: 0\r\n\r\n";
	char addr[32];
	int n = 0;

	for (int a = 2; n < SIP_TCP_MAX_IN; a++) {
		snprintf(addr, sizeof(addr), "127.0.1.%d", a);
		for (int i = 0; i < SIP_TCP_MAX_IN_PER_SRC &&
		     n < SIP_TCP_MAX_IN; i++, n++) {
			fds[n] = connect_from(tp, addr);
			if (speak && write(fds[n], opt, sizeof(opt) - 1) < 0)
				ktap_fail(__FILE__, __LINE__, "write");
		}
	}
	pump(tp);
}

/* all taken by connections that never said anything: a new one takes
 * the place of the oldest */
TEST(tcp_accepted_capped_mute_oldest_gives_way)
{
	struct sip_transport *tp = tcp_transport();
	int fds[SIP_TCP_MAX_IN], last;

	ASSERT_TRUE(tp != NULL);
	fill(tp, fds, false);
	EXPECT_EQ(sip_transport_conns_in(tp), SIP_TCP_MAX_IN);
	tmr_fake_clock(2000);		/* the new one is the youngest */
	last = connect_from(tp, "127.0.2.1");
	EXPECT_FALSE(closed(last));
	EXPECT_TRUE(closed(fds[0]));
	EXPECT_FALSE(closed(fds[1]));
	EXPECT_EQ(sip_transport_conns(tp), SIP_TCP_MAX_IN);
	sip_transport_free(tp);
}

/* all taken by connections that carried a SIP message: a new one is
 * closed, none of them */
TEST(tcp_accepted_capped_in_all)
{
	struct sip_transport *tp = tcp_transport();
	int fds[SIP_TCP_MAX_IN], last;

	ASSERT_TRUE(tp != NULL);
	fill(tp, fds, true);
	EXPECT_EQ(sip_transport_conns_in(tp), SIP_TCP_MAX_IN);
	last = connect_from(tp, "127.0.2.1");
	EXPECT_TRUE(closed(last));
	EXPECT_FALSE(closed(fds[0]));
	EXPECT_EQ(sip_transport_conns(tp), SIP_TCP_MAX_IN);
	sip_transport_free(tp);
}
