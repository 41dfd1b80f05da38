// SPDX-License-Identifier: GPL-2.0
/*
 * test_sip_resolve.c - client transactions and stateless requests to a
 * host name, on the real clock with a DNS server that never answers (a
 * bound UDP socket nobody reads): the request waits for its lookup and is
 * never sent; the failed lookup ends the transaction with 503 (resp NULL);
 * releasing or cancelling it during the lookup drops it without a
 * callback; an IP literal goes out at once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/plog.h"
#include "lib/resolve.h"
#include "lib/tmr.h"
#include "sip/sip_msg.h"
#include "sip/sip_tx.h"
#include "ktap.h"

static struct {
	struct sip_transport *tp;
	struct sip *sip;
	int peer, dns;
	uint16_t peer_port;
	int codes[8], ncodes;
	bool resp_null;
} E;

static void on_req(struct sip *s, const osip_message_t *req,
		   const struct sockaddr_storage *src, void *arg)
{
	(void)s; (void)req; (void)src; (void)arg;
}

static int udp_socket(uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &len);
	*port = ntohs(a.sin_port);
	return fd;
}

static void setup(void)
{
	char err[256], csv[64];
	uint16_t dport;

	memset(&E, 0, sizeof(E));
	plog_init("test", PLOG_ERR);
	sip_msg_init();
	E.tp = sip_transport_new("127.0.0.1:0", sip_input, NULL, err,
				 sizeof(err));
	if (!E.tp)
		ktap_fail(__FILE__, __LINE__, "transport: %s", err);
	E.sip = sip_new(E.tp, on_req, NULL);
	sip_transport_set_handler(E.tp, sip_input, E.sip);
	E.peer = udp_socket(&E.peer_port);
	E.dns = udp_socket(&dport);
	snprintf(csv, sizeof(csv), "127.0.0.1:%u", dport);
	if (resolve_init(csv, 50, err, sizeof(err)))
		ktap_fail(__FILE__, __LINE__, "resolver: %s", err);
}

static void teardown(void)
{
	sip_free(E.sip);
	sip_transport_free(E.tp);
	resolve_cleanup();
	close(E.peer);
	close(E.dns);
}

static void resp_h(struct sip_ctx *ct, const osip_message_t *resp, int code,
		   void *arg)
{
	(void)arg;
	if (E.ncodes < 8)
		E.codes[E.ncodes++] = code;
	E.resp_null = !resp;
	sip_ctx_release(ct);
}

/* pinholed's loop for @ms */
static void run_for(unsigned int ms)
{
	uint64_t end = tmr_now() + ms;
	struct pollfd pfd[16];

	while (tmr_now() < end) {
		unsigned int n = resolve_poll_fill(pfd, 16);
		int t = tmr_next_timeout(20);

		poll(pfd, n, t < 0 || t > 20 ? 20 : t);
		resolve_poll_handle(pfd, n);
		tmr_run();
	}
}

static int peer_count(void)
{
	char buf[4096];
	int n = 0;

	while (recv(E.peer, buf, sizeof(buf), 0) > 0)
		n++;
	return n;
}

static osip_message_t *request(const char *method, const char *host)
{
	char txt[1024];

	snprintf(txt, sizeof(txt),
		 "%s sip:bob@%s:%u SIP/2.0\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: <sip:alice@127.0.0.1>;tag=a1\r\n"
		 "To: <sip:bob@%s>\r\n"
		 "Call-ID: rs1@127.0.0.1\r\n"
		 "CSeq: 1 %s\r\n"
		 "Content-Length: 0\r\n\r\n", method, host, E.peer_port, host,
		 method);
	return sip_msg_parse(txt, strlen(txt));
}

static char uri[128];

static const char *to(const char *host)
{
	snprintf(uri, sizeof(uri), "sip:bob@%s:%u", host, E.peer_port);
	return uri;
}

TEST(literal_sent_at_once)
{
	struct sip_ctx *ct;

	setup();
	ct = sip_ctx_send_uri(E.sip, request("OPTIONS", "127.0.0.1"),
			      to("127.0.0.1"), resp_h, NULL);
	ASSERT_TRUE(ct != NULL);
	EXPECT_FALSE(sip_ctx_resolving(ct));
	EXPECT_EQ(sip_resolving_count(E.sip), 0);
	usleep(20000);
	EXPECT_EQ(peer_count(), 1);
	sip_ctx_release(ct);
	teardown();
}

TEST(failed_lookup_is_503_nothing_sent)
{
	struct sip_ctx *ct;

	setup();
	ct = sip_ctx_send_uri(E.sip, request("INVITE", "dead.example"),
			      to("dead.example"), resp_h, NULL);
	ASSERT_TRUE(ct != NULL);
	EXPECT_TRUE(sip_ctx_resolving(ct));
	EXPECT_EQ(sip_ctx_state(ct), SIP_CTX_CALLING);
	EXPECT_EQ(sip_resolving_count(E.sip), 1);
	/* no retransmission of a request never sent */
	EXPECT_EQ(sip_ctx_retransmit(ct), -EAGAIN);
	EXPECT_EQ(E.ncodes, 0);
	run_for(600);
	ASSERT_EQ(E.ncodes, 1);
	EXPECT_EQ(E.codes[0], 503);
	EXPECT_TRUE(E.resp_null);
	EXPECT_EQ(peer_count(), 0);
	EXPECT_EQ(sip_resolving_count(E.sip), 0);
	EXPECT_EQ(sip_tx_count(E.sip), 0);
	teardown();
}

TEST(released_during_lookup_no_callback)
{
	struct sip_ctx *ct;

	setup();
	ct = sip_ctx_send_uri(E.sip, request("BYE", "dead.example"),
			      to("dead.example"), resp_h, NULL);
	ASSERT_TRUE(ct != NULL);
	run_for(20);
	sip_ctx_release(ct);		/* the call went away */
	EXPECT_EQ(sip_tx_count(E.sip), 0);
	EXPECT_EQ(sip_resolving_count(E.sip), 0);
	run_for(400);
	EXPECT_EQ(E.ncodes, 0);
	EXPECT_EQ(peer_count(), 0);
	teardown();
}

TEST(cancel_during_lookup_terminates_unsent)
{
	struct sip_ctx *ct;

	setup();
	ct = sip_ctx_send_uri(E.sip, request("INVITE", "dead.example"),
			      to("dead.example"), resp_h, NULL);
	ASSERT_TRUE(ct != NULL);
	EXPECT_EQ(sip_ctx_cancel(ct), -EALREADY);
	EXPECT_EQ(sip_ctx_state(ct), SIP_CTX_TERMINATED);
	EXPECT_FALSE(sip_ctx_resolving(ct));
	run_for(400);
	EXPECT_EQ(E.ncodes, 0);
	EXPECT_EQ(peer_count(), 0);
	sip_ctx_release(ct);
	EXPECT_EQ(sip_tx_count(E.sip), 0);
	teardown();
}

TEST(stateless_waits_then_dropped_or_freed)
{
	osip_message_t *ack;

	setup();
	ack = request("ACK", "dead.example");
	ASSERT_EQ(sip_send_stateless_uri(E.sip, ack, to("dead.example")), 0);
	EXPECT_EQ(sip_resolving_count(E.sip), 1);
	run_for(400);
	EXPECT_EQ(sip_resolving_count(E.sip), 0);
	EXPECT_EQ(peer_count(), 0);
	/* one still waiting when the layer goes: freed with it */
	ASSERT_EQ(sip_send_stateless_uri(E.sip, ack, to("dead.example")), 0);
	ASSERT_EQ(sip_send_stateless_uri(E.sip, ack, to("127.0.0.1")), 0);
	usleep(20000);
	EXPECT_EQ(peer_count(), 1);
	osip_message_free(ack);
	teardown();
}
