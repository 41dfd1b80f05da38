// SPDX-License-Identifier: GPL-2.0
/*
 * test_sip_tx_bounds.c - the transaction layer's bounds (issue 13): the
 * server transactions' cap and per-source share with a stateless 503 +
 * Retry-After beyond, a CANCEL still served at the cap, the client cap, and
 * the size of an answered non-INVITE transaction (environment: tx_env.h).
 */
#include "tx_env.h"

/* ------------------------------------------------ bounds (issue 13) */

static int other_peer(const char *addr)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	inet_pton(AF_INET, addr, &a.sin_addr);
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	return fd;
}

/* an OPTIONS with @branch from socket @fd */
static void options_from(int fd, const char *branch)
{
	struct pollfd pfd = { .fd = sip_transport_fd(E.tp), .events = POLLIN };
	struct sockaddr_in me;
	socklen_t len = sizeof(me);
	char txt[1024], host[32];

	getsockname(fd, (struct sockaddr *)&me, &len);
	inet_ntop(AF_INET, &me.sin_addr, host, sizeof(host));
	snprintf(txt, sizeof(txt),
		 "OPTIONS sip:alice@127.0.0.1 SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP %s:%u;branch=%s;rport\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: <sip:bob@127.0.0.1>;tag=b9\r\n"
		 "To: <sip:alice@127.0.0.1>\r\n"
		 "Call-ID: %s@127.0.0.1\r\n"
		 "CSeq: 1 OPTIONS\r\n"
		 "Content-Length: 0\r\n\r\n", host, ntohs(me.sin_port), branch,
		 branch);
	sendto(fd, txt, strlen(txt), 0, (struct sockaddr *)&E.our_addr,
	       sizeof(struct sockaddr_in));
	poll(&pfd, 1, 200);
	sip_transport_on_readable(E.tp);
}

/* the status code of the last datagram waiting at @fd, 0 if none */
static int last_code_at(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int code = 0;

	while (poll(&pfd, 1, 50) > 0) {
		ssize_t k = recv(fd, last, sizeof(last) - 1, 0);

		if (k <= 0)
			break;
		last[k] = 0;
		code = atoi(last + 8);
	}
	return code;
}

static void limits(unsigned int stx, unsigned int per_src, unsigned int ctx)
{
	struct sip_limits l = { stx, per_src, ctx };

	sip_set_limits(E.sip, &l);
}

TEST(server_transactions_per_source_share_then_503_retry_after)
{
	struct sockaddr_storage src2;
	socklen_t len = sizeof(src2);
	int other;

	setup();
	E.reply_200 = true;
	limits(8, 2, 8);
	options_from(E.peer, "z9hG4bK-a1");
	EXPECT_EQ(last_code_at(E.peer), 200);
	options_from(E.peer, "z9hG4bK-a2");
	EXPECT_EQ(last_code_at(E.peer), 200);
	EXPECT_EQ(sip_stx_count(E.sip, &E.peer_addr), 2);
	/* the source's share is taken: 503 without the core, no state */
	options_from(E.peer, "z9hG4bK-a3");
	EXPECT_EQ(last_code_at(E.peer), 503);
	EXPECT_TRUE(strstr(last, "\r\nRetry-After: 10\r\n") != NULL);
	EXPECT_EQ(E.reqs, 2);
	EXPECT_EQ(sip_stx_count(E.sip, NULL), 2);
	EXPECT_EQ(sip_stx_refused(E.sip), 1);
	/* a retransmission of an admitted one: its 200 again */
	options_from(E.peer, "z9hG4bK-a1");
	EXPECT_EQ(last_code_at(E.peer), 200);
	/* another source still has its own share */
	other = other_peer("127.0.0.2");
	getsockname(other, (struct sockaddr *)&src2, &len);
	options_from(other, "z9hG4bK-b1");
	EXPECT_EQ(last_code_at(other), 200);
	EXPECT_EQ(E.reqs, 3);
	EXPECT_EQ(sip_stx_count(E.sip, &src2), 1);
	/* Timer J frees the slots, and the per-source entries */
	tmr_fake_advance(SIP_TIMER_J_MS);
	EXPECT_EQ(sip_stx_count(E.sip, NULL), 0);
	EXPECT_EQ(sip_stx_count(E.sip, &E.peer_addr), 0);
	options_from(E.peer, "z9hG4bK-a4");
	EXPECT_EQ(last_code_at(E.peer), 200);
	close(other);
}

TEST(server_transactions_global_cap)
{
	const char *addrs[] = { "127.0.0.2", "127.0.0.3", "127.0.0.4" };
	int fds[3];
	char br[32];

	setup();
	E.reply_200 = true;
	limits(3, 2, 8);
	for (int i = 0; i < 3; i++) {
		fds[i] = other_peer(addrs[i]);
		snprintf(br, sizeof(br), "z9hG4bK-g%d", i);
		options_from(fds[i], br);
		EXPECT_EQ(last_code_at(fds[i]), 200);
	}
	options_from(E.peer, "z9hG4bK-g9");
	EXPECT_EQ(last_code_at(E.peer), 503);
	EXPECT_EQ(E.reqs, 3);
	/* nor can the core make one */
	{
		osip_message_t *r = request("OPTIONS");
		struct sip_stx *st;

		osip_message_set_via(r,
				     "SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKx");
		errno = 0;
		st = sip_stx_new(E.sip, r, &E.peer_addr, NULL, NULL);
		EXPECT_TRUE(st == NULL);
		EXPECT_EQ(errno, EBUSY);
		osip_message_free(r);
	}
	for (int i = 0; i < 3; i++)
		close(fds[i]);
}

TEST(cancel_beyond_the_cap_still_cancels)
{
	setup();
	limits(1, 1, 8);
	peer_invite("z9hG4bK-c1");
	ASSERT_TRUE(E.stx != NULL);
	peer_recv_last();
	peer_method("CANCEL", "z9hG4bK-c1", NULL);
	EXPECT_EQ(E.cancels, 1);
	EXPECT_EQ(sip_tx_count(E.sip), 1);	/* the INVITE only */
	sip_stx_release(E.stx);
}

TEST(client_transactions_capped)
{
	struct sip_ctx *ct[3];

	setup();
	limits(8, 8, 2);
	ct[0] = sip_ctx_send(E.sip, request("OPTIONS"), &E.peer_addr, resp_h,
			     NULL);
	ct[1] = sip_ctx_send(E.sip, request("OPTIONS"), &E.peer_addr, resp_h,
			     NULL);
	errno = 0;
	ct[2] = sip_ctx_send(E.sip, request("OPTIONS"), &E.peer_addr, resp_h,
			     NULL);
	EXPECT_TRUE(ct[0] && ct[1]);
	EXPECT_TRUE(ct[2] == NULL);
	EXPECT_EQ(errno, EBUSY);
	EXPECT_EQ(sip_ctx_refused(E.sip), 1);
	EXPECT_EQ(peer_count(), 2);
	sip_ctx_release(ct[0]);
	sip_ctx_release(ct[1]);
	tmr_fake_advance(SIP_TIMER_F_MS);
	EXPECT_EQ(sip_tx_count(E.sip), 0);
}

TEST(answered_non_invite_transaction_is_small)
{
	struct mallinfo2 a, b;
	char br[32];
	int n = 500;

	setup();
	E.reply_200 = true;
	/* one answered, then kept: only its response and what matches */
	options_from(E.peer, "z9hG4bK-warm");
	peer_count();
	a = mallinfo2();
	for (int i = 0; i < n; i++) {
		snprintf(br, sizeof(br), "z9hG4bK-m%d", i);
		options_from(E.peer, br);
	}
	b = mallinfo2();
	peer_count();
	EXPECT_EQ(sip_stx_count(E.sip, NULL), n + 1);
	printf("# %zu bytes a transaction\n",
		  (b.uordblks - a.uordblks) / (size_t)n);
	/* was over 8 KB: libosip2's 8000-byte buffer, the request's tree */
	EXPECT_LT((b.uordblks - a.uordblks) / (size_t)n, 1536);
}
