// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the transport's read budget: one turn of the loop reads
 * at most SIP_RX_MAX_MSGS datagrams and works at most SIP_RX_MAX_MS, so a
 * backlog (a flood, a slow machine) leaves the timers and the control
 * socket their turn; the rest is read at the next turns.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <osipparser2/osip_parser.h>

#include "lib/tmr.h"
#include "sip/sip_msg.h"
#include "sip/sip_transport.h"
#include "ktap.h"

static unsigned int received;

static void on_msg(osip_message_t *msg, const struct sockaddr_storage *src,
		   void *arg)
{
	(void)msg;
	(void)src;
	(void)arg;
	received++;
}

TEST(budget_in_messages_and_time)
{
	EXPECT_TRUE(sip_rx_budget_left(0, 0));
	EXPECT_TRUE(sip_rx_budget_left(SIP_RX_MAX_MSGS - 1, SIP_RX_MAX_MS - 1));
	EXPECT_FALSE(sip_rx_budget_left(SIP_RX_MAX_MSGS, 0));
	EXPECT_FALSE(sip_rx_budget_left(0, SIP_RX_MAX_MS));
	EXPECT_TRUE(SIP_RX_MAX_MSGS <= 64 && SIP_RX_MAX_MS <= 50);
}

TEST(a_backlog_is_read_over_several_turns)
{
	/* within the socket's default queue (~200 kB): none dropped */
	const unsigned int n = SIP_RX_MAX_MSGS + 10;
	struct sockaddr_storage us;
	struct sip_transport *tp;
	struct pollfd pfd;
	char err[256], buf[512];
	unsigned int i, turns = 0;
	int peer, len;

	tmr_fake_clock(1000);	/* no time passes: the count bounds it */
	sip_msg_init();
	tp = sip_transport_new("127.0.0.1:0", on_msg, NULL, err, sizeof(err));
	ASSERT_TRUE(tp != NULL);
	us = *sip_transport_local(tp);
	peer = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_TRUE(peer >= 0);
	for (i = 0; i < n; i++) {
		len = snprintf(buf, sizeof(buf),
			"OPTIONS sip:alice@127.0.0.1 SIP/2.0\r\n"
			"Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKrx%u\r\n"
			"Max-Forwards: 70\r\n"
			"From: <sip:bob@127.0.0.1>;tag=b\r\n"
			"To: <sip:alice@127.0.0.1>\r\n"
			"Call-ID: rx%u@127.0.0.1\r\nCSeq: 1 OPTIONS\r\n"
			"Content-Length: 0\r\n\r\n", i, i);
		ASSERT_EQ(sendto(peer, buf, (size_t)len, 0,
				 (struct sockaddr *)&us,
				 sizeof(struct sockaddr_in)), len);
	}
	pfd = (struct pollfd){ .fd = sip_transport_fd(tp), .events = POLLIN };
	ASSERT_EQ(poll(&pfd, 1, 1000), 1);
	sip_transport_on_readable(tp);
	EXPECT_EQ(received, SIP_RX_MAX_MSGS);
	turns = 1;
	while (received < n && turns < 100) {
		pfd.revents = 0;
		if (poll(&pfd, 1, 1000) != 1)
			break;
		sip_transport_on_readable(tp);
		turns++;
	}
	EXPECT_EQ(received, n);
	EXPECT_EQ(turns, 2);
	close(peer);
	sip_transport_free(tp);
}
