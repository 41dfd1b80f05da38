// SPDX-License-Identifier: GPL-2.0
/*
 * test_sip_tx.c - transactions (RFC 3261 17, RFC 6026) on a fake clock:
 * the retransmission schedules of Timers A, E and G and of the 2xx, the
 * timeouts B, F, H and L, the ACK of a non-2xx, retransmitted INVITEs
 * reported to the TU, the ACK of a 2xx matched by dialog, CANCEL; the
 * retransmission lines of the log at debug only.
 *
 * pinholed's transaction layer talks to a plain UDP socket on loopback
 * ("the peer") that plays the other side by hand.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <osipparser2/osip_port.h>

#include "lib/plog.h"
#include "lib/tmr.h"
#include "sip/sip_msg.h"
#include "sip/sip_tx.h"
#include "ktap.h"

struct env {
	struct sip_transport *tp;
	struct sip *sip;
	int peer;			/* the other side */
	struct sockaddr_storage peer_addr, our_addr;
	/* what the handlers saw */
	int codes[16];
	int ncodes;
	int resent, acks, ack_timeouts, cancels;
	struct sip_stx *stx;
	bool reply_180;
	bool reply_200;			/* answer 200 and release */
	int reqs;			/* requests the core saw */
};

static struct env E;

static void on_req(struct sip *s, const osip_message_t *req,
		   const struct sockaddr_storage *src, void *arg);

static void setup(void)
{
	char err[256];
	socklen_t len = sizeof(E.peer_addr);
	struct sockaddr_in *p = (void *)&E.peer_addr;

	memset(&E, 0, sizeof(E));
	plog_init("test", PLOG_ERR);
	sip_msg_init();
	tmr_fake_clock(1000);
	E.tp = sip_transport_new("127.0.0.1:0", sip_input, NULL, err,
				 sizeof(err));
	if (!E.tp)
		ktap_fail(__FILE__, __LINE__, "transport: %s", err);
	E.sip = sip_new(E.tp, on_req, NULL);
	sip_transport_set_handler(E.tp, sip_input, E.sip);
	E.our_addr = *sip_transport_local(E.tp);
	E.peer = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	p->sin_family = AF_INET;
	p->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(E.peer, (struct sockaddr *)p, sizeof(*p));
	getsockname(E.peer, (struct sockaddr *)&E.peer_addr, &len);
}

/* datagrams waiting at the peer; their first lines into @first */
static int peer_recv(char first[][128], int max)
{
	char buf[4096];
	int n = 0;
	struct pollfd pfd = { .fd = E.peer, .events = POLLIN };

	while (poll(&pfd, 1, 50) > 0) {
		ssize_t k = recv(E.peer, buf, sizeof(buf) - 1, 0);

		if (k <= 0)
			break;
		buf[k] = 0;
		if (first && n < max) {
			char *eol = strstr(buf, "\r\n");

			if (eol)
				*eol = 0;
			buf[127] = 0;
			memcpy(first[n], buf, strlen(buf) + 1);
		}
		n++;
	}
	return n;
}

static int peer_count(void)
{
	return peer_recv(NULL, 0);
}

/* the last datagram the peer got, whole */
static char last[4096];

static int peer_recv_last(void)
{
	struct pollfd pfd = { .fd = E.peer, .events = POLLIN };
	int n = 0;

	while (poll(&pfd, 1, 50) > 0) {
		ssize_t k = recv(E.peer, last, sizeof(last) - 1, 0);

		if (k <= 0)
			break;
		last[k] = 0;
		n++;
	}
	return n;
}

static void peer_send(const char *text)
{
	struct pollfd pfd = { .fd = sip_transport_fd(E.tp), .events = POLLIN };

	sendto(E.peer, text, strlen(text), 0, (struct sockaddr *)&E.our_addr,
	       sizeof(struct sockaddr_in));
	poll(&pfd, 1, 200);
	sip_transport_on_readable(E.tp);
}

static void resp_h(struct sip_ctx *ct, const osip_message_t *resp, int code,
		   void *arg)
{
	(void)ct;
	(void)resp;
	(void)arg;
	if (E.ncodes < 16)
		E.codes[E.ncodes++] = code;
}

static osip_message_t *request(const char *method)
{
	char txt[1024];
	struct sockaddr_in *p = (void *)&E.peer_addr;

	snprintf(txt, sizeof(txt),
		 "%s sip:bob@127.0.0.1:%u SIP/2.0\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: <sip:alice@127.0.0.1>;tag=a1\r\n"
		 "To: <sip:bob@127.0.0.1>\r\n"
		 "Call-ID: tx1@127.0.0.1\r\n"
		 "CSeq: 1 %s\r\n"
		 "Content-Length: 0\r\n\r\n", method, ntohs(p->sin_port),
		 method);
	return sip_msg_parse(txt, strlen(txt));
}

/* a response to the request in `last` (Via copied), with To tag */
static void peer_respond(int code, const char *reason)
{
	char out[4096], via[512] = "", cseq[64] = "";
	char *v = strstr(last, "\r\nVia: "), *c = strstr(last, "\r\nCSeq: ");

	if (v)
		sscanf(v + 2, "%511[^\r]", via);
	if (c)
		sscanf(c + 2, "%63[^\r]", cseq);
	snprintf(out, sizeof(out),
		 "SIP/2.0 %d %s\r\n%s\r\n"
		 "From: <sip:alice@127.0.0.1>;tag=a1\r\n"
		 "To: <sip:bob@127.0.0.1>;tag=b1\r\n"
		 "Call-ID: tx1@127.0.0.1\r\n%s\r\n"
		 "Content-Length: 0\r\n\r\n", code, reason, via, cseq);
	peer_send(out);
}

TEST(invite_client_timer_a_doubles_until_timer_b)
{
	struct sip_ctx *ct;
	int sent = 0;

	setup();
	ct = sip_ctx_send(E.sip, request("INVITE"), &E.peer_addr, resp_h, NULL);
	ASSERT_TRUE(ct != NULL);
	sent += peer_count();
	EXPECT_EQ(sent, 1);
	/* A: 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s; B at 32 s */
	tmr_fake_advance(SIP_TIMER_A_MS);
	EXPECT_EQ(peer_count(), 1);
	tmr_fake_advance(SIP_TIMER_B_MS - SIP_TIMER_A_MS - 1);
	EXPECT_EQ(peer_count(), 5);
	EXPECT_EQ(E.ncodes, 0);
	tmr_fake_advance(1);
	EXPECT_EQ(E.ncodes, 1);
	EXPECT_EQ(E.codes[0], 408);
	EXPECT_EQ(sip_ctx_state(ct), SIP_CTX_TERMINATED);
	sip_ctx_release(ct);
	EXPECT_EQ(sip_tx_count(E.sip), 0);
}

TEST(non_invite_client_timer_e_capped_at_t2_then_f)
{
	struct sip_ctx *ct;

	setup();
	ct = sip_ctx_send(E.sip, request("OPTIONS"), &E.peer_addr, resp_h, NULL);
	ASSERT_TRUE(ct != NULL);
	EXPECT_EQ(peer_count(), 1);
	/* E: 0.5, 1.5, 3.5, 7.5, then every T2: 11.5 .. 31.5 s */
	tmr_fake_advance(SIP_TIMER_F_MS - 1);
	EXPECT_EQ(peer_count(), 10);
	tmr_fake_advance(1);
	ASSERT_EQ(E.ncodes, 1);
	EXPECT_EQ(E.codes[0], 408);
	sip_ctx_release(ct);
}

TEST(invite_client_acks_a_non_2xx_itself)
{
	char first[4][128];
	struct sip_ctx *ct;

	setup();
	ct = sip_ctx_send(E.sip, request("INVITE"), &E.peer_addr, resp_h, NULL);
	ASSERT_TRUE(ct != NULL);
	ASSERT_EQ(peer_recv_last(), 1);
	peer_respond(486, "Busy Here");
	ASSERT_EQ(E.ncodes, 1);
	EXPECT_EQ(E.codes[0], 486);
	EXPECT_EQ(sip_ctx_state(ct), SIP_CTX_COMPLETED);
	ASSERT_EQ(peer_recv(first, 4), 1);
	EXPECT_TRUE(!strncmp(first[0], "ACK ", 4));
	/* a retransmitted 486: ACK again, nothing to the TU */
	peer_respond(486, "Busy Here");
	EXPECT_EQ(peer_recv(first, 4), 1);
	EXPECT_EQ(E.ncodes, 1);
	/* no more INVITE retransmissions; Timer D ends it */
	tmr_fake_advance(SIP_TIMER_D_MS);
	EXPECT_EQ(peer_count(), 0);
	EXPECT_EQ(sip_ctx_state(ct), SIP_CTX_TERMINATED);
	sip_ctx_release(ct);
}

TEST(invite_client_passes_2xx_retransmissions_up)
{
	struct sip_ctx *ct;

	setup();
	ct = sip_ctx_send(E.sip, request("INVITE"), &E.peer_addr, resp_h, NULL);
	ASSERT_EQ(peer_recv_last(), 1);
	peer_respond(180, "Ringing");
	peer_respond(200, "OK");
	EXPECT_EQ(sip_ctx_state(ct), SIP_CTX_ACCEPTED);
	peer_respond(200, "OK");
	ASSERT_EQ(E.ncodes, 3);
	EXPECT_EQ(E.codes[0], 180);
	EXPECT_EQ(E.codes[1], 200);
	EXPECT_EQ(E.codes[2], 200);
	/* the transaction sends no ACK for a 2xx (the TU does) */
	EXPECT_EQ(peer_count(), 0);
	tmr_fake_advance(SIP_TIMER_M_MS);
	EXPECT_EQ(sip_ctx_state(ct), SIP_CTX_TERMINATED);
	sip_ctx_release(ct);
}

/* the core: an INVITE server transaction with the test's handlers */
static void h_resent(struct sip_stx *st, void *arg)
{
	(void)st;
	(void)arg;
	E.resent++;
}

static void h_ack(struct sip_stx *st, void *arg)
{
	(void)st;
	(void)arg;
	E.acks++;
}

static void h_ack_timeout(struct sip_stx *st, void *arg)
{
	(void)st;
	(void)arg;
	E.ack_timeouts++;
}

static void h_cancel(struct sip_stx *st, void *arg)
{
	(void)arg;
	E.cancels++;
	sip_stx_reply_code(st, 487, "ours");
}

static const struct sip_stx_handlers H = {
	h_resent, h_ack, h_ack_timeout, h_cancel,
};

static void on_req(struct sip *s, const osip_message_t *req,
		   const struct sockaddr_storage *src, void *arg)
{
	(void)arg;
	if (MSG_IS_ACK(req))
		return;
	E.reqs++;
	if (E.reply_200) {
		struct sip_stx *st = sip_stx_new(s, req, src, NULL, NULL);

		if (st)
			sip_stx_reply_code(st, 200, "ours");
		sip_stx_release(st);
		return;
	}
	E.stx = sip_stx_new(s, req, src, &H, NULL);
	if (E.reply_180)
		sip_stx_reply_code(E.stx, 180, "ours");
}

static char invite_txt[1024];

static void peer_invite(const char *branch)
{
	snprintf(invite_txt, sizeof(invite_txt),
		 "INVITE sip:alice@127.0.0.1 SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=%s;rport\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: <sip:bob@127.0.0.1>;tag=b9\r\n"
		 "To: <sip:alice@127.0.0.1>\r\n"
		 "Call-ID: srv1@127.0.0.1\r\n"
		 "CSeq: 3 INVITE\r\n"
		 "Content-Length: 0\r\n\r\n",
		 ntohs(((struct sockaddr_in *)&E.peer_addr)->sin_port), branch);
	peer_send(invite_txt);
}

static void peer_method(const char *method, const char *branch,
			const char *to_tag)
{
	char txt[1024];

	snprintf(txt, sizeof(txt),
		 "%s sip:alice@127.0.0.1 SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=%s;rport\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: <sip:bob@127.0.0.1>;tag=b9\r\n"
		 "To: <sip:alice@127.0.0.1>%s%s\r\n"
		 "Call-ID: srv1@127.0.0.1\r\n"
		 "CSeq: 3 %s\r\n"
		 "Content-Length: 0\r\n\r\n", method,
		 ntohs(((struct sockaddr_in *)&E.peer_addr)->sin_port), branch,
		 to_tag ? ";tag=" : "", to_tag ? to_tag : "", method);
	peer_send(txt);
}

TEST(invite_server_reports_resent_invite_and_repeats_1xx)
{
	char first[4][128];

	setup();
	E.reply_180 = true;
	peer_invite("z9hG4bKs1");
	ASSERT_TRUE(E.stx != NULL);
	ASSERT_EQ(peer_recv(first, 4), 1);
	EXPECT_TRUE(!strncmp(first[0], "SIP/2.0 180", 11));
	peer_send(invite_txt);			/* retransmission */
	EXPECT_EQ(E.resent, 1);
	ASSERT_EQ(peer_recv(first, 4), 1);
	EXPECT_TRUE(!strncmp(first[0], "SIP/2.0 180", 11));
	/* the response went back to the source port (rport) */
	sip_stx_release(E.stx);
}

TEST(invite_server_2xx_retransmitted_until_ack)
{
	setup();
	peer_invite("z9hG4bKs2");
	ASSERT_TRUE(E.stx != NULL);
	sip_stx_reply_code(E.stx, 200, "ours");
	EXPECT_EQ(sip_stx_state(E.stx), SIP_STX_ACCEPTED);
	EXPECT_EQ(peer_count(), 1);
	/* 13.3.1.4: T1, 2T1, 4T1 */
	tmr_fake_advance(SIP_T1_MS);
	EXPECT_EQ(peer_count(), 1);
	tmr_fake_advance(2 * SIP_T1_MS);
	EXPECT_EQ(peer_count(), 1);
	/* the ACK of a 2xx has its own branch: matched by dialog */
	peer_method("ACK", "z9hG4bKack", "ours");
	EXPECT_EQ(E.acks, 1);
	tmr_fake_advance(SIP_T2_MS * 2);
	EXPECT_EQ(peer_count(), 0);
	/* an ACK retransmission is absorbed until Timer L */
	peer_method("ACK", "z9hG4bKack", "ours");
	EXPECT_EQ(E.acks, 1);
	tmr_fake_advance(SIP_TIMER_L_MS);
	EXPECT_EQ(E.ack_timeouts, 0);
	EXPECT_EQ(sip_stx_state(E.stx), SIP_STX_TERMINATED);
	sip_stx_release(E.stx);
	EXPECT_EQ(sip_tx_count(E.sip), 0);
}

TEST(invite_server_2xx_gives_up_after_64_t1)
{
	int sent;

	setup();
	peer_invite("z9hG4bKs3");
	sip_stx_reply_code(E.stx, 200, "ours");
	tmr_fake_advance(SIP_TIMER_L_MS - 1);
	sent = peer_count();
	/* 1 + (0.5, 1.5, 3.5, 7.5, then every T2 to 31.5 s) = 11 */
	EXPECT_EQ(sent, 11);
	EXPECT_EQ(E.ack_timeouts, 0);
	tmr_fake_advance(1);
	EXPECT_EQ(E.ack_timeouts, 1);
	sip_stx_release(E.stx);
}

TEST(invite_server_non_2xx_timer_g_stops_on_ack)
{
	setup();
	peer_invite("z9hG4bKs4");
	sip_stx_reply_code(E.stx, 486, "ours");
	EXPECT_EQ(peer_count(), 1);
	tmr_fake_advance(SIP_TIMER_G_MS);
	EXPECT_EQ(peer_count(), 1);
	/* the ACK of a non-2xx has the INVITE's branch (17.1.1.3) */
	peer_method("ACK", "z9hG4bKs4", "ours");
	EXPECT_EQ(sip_stx_state(E.stx), SIP_STX_CONFIRMED);
	EXPECT_EQ(E.acks, 0);			/* not the TU's business */
	tmr_fake_advance(SIP_T2_MS);
	EXPECT_EQ(peer_count(), 0);
	tmr_fake_advance(SIP_TIMER_I_MS);
	EXPECT_EQ(sip_stx_state(E.stx), SIP_STX_TERMINATED);
	sip_stx_release(E.stx);
}

TEST(invite_server_timer_h_without_ack)
{
	setup();
	peer_invite("z9hG4bKs5");
	sip_stx_reply_code(E.stx, 603, "ours");
	tmr_fake_advance(SIP_TIMER_H_MS);
	EXPECT_EQ(sip_stx_state(E.stx), SIP_STX_TERMINATED);
	EXPECT_EQ(E.ack_timeouts, 0);
	sip_stx_release(E.stx);
}

TEST(cancel_answered_200_and_reported)
{
	char first[4][128];
	struct sip_stx *inv;
	int n;

	setup();
	E.reply_180 = true;
	peer_invite("z9hG4bKs6");
	inv = E.stx;
	peer_recv(first, 4);
	peer_method("CANCEL", "z9hG4bKs6", NULL);
	EXPECT_EQ(E.cancels, 1);
	n = peer_recv(first, 4);
	ASSERT_EQ(n, 2);
	/* our handler answered the INVITE 487 from inside */
	EXPECT_TRUE(!strncmp(first[0], "SIP/2.0 200", 11) ||
		    !strncmp(first[1], "SIP/2.0 200", 11));
	EXPECT_TRUE(!strncmp(first[0], "SIP/2.0 487", 11) ||
		    !strncmp(first[1], "SIP/2.0 487", 11));
	EXPECT_EQ(sip_stx_final(inv), 487);
	sip_stx_release(inv);
}

TEST(cancel_of_nothing_is_481)
{
	char first[4][128];

	setup();
	peer_method("CANCEL", "z9hG4bKnone", NULL);
	ASSERT_EQ(peer_recv(first, 4), 1);
	EXPECT_TRUE(!strncmp(first[0], "SIP/2.0 481", 11));
	EXPECT_EQ(E.cancels, 0);
}

TEST(client_cancel_waits_for_a_provisional)
{
	char first[4][128];
	struct sip_ctx *ct;

	setup();
	ct = sip_ctx_send(E.sip, request("INVITE"), &E.peer_addr, resp_h, NULL);
	ASSERT_EQ(peer_recv_last(), 1);
	EXPECT_EQ(sip_ctx_cancel(ct), 0);
	EXPECT_EQ(peer_count(), 0);		/* 9.1: not before a 1xx */
	peer_respond(180, "Ringing");
	ASSERT_EQ(peer_recv(first, 4), 1);
	EXPECT_TRUE(!strncmp(first[0], "CANCEL ", 7));
	sip_ctx_release(ct);
}

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

/* an INVITE of ours resent (Timer A) and our 2xx resent until the ACK:
 * the log at @level in @buf */
static void retransmissions(enum plog_level level, char *buf, size_t size)
{
	FILE *f = tmpfile();
	struct sip_ctx *ct;
	size_t n;

	ASSERT_TRUE(f != NULL);
	setup();
	plog_init("test", level);
	plog_set_output(f);
	ct = sip_ctx_send(E.sip, request("INVITE"), &E.peer_addr, resp_h, NULL);
	ASSERT_TRUE(ct != NULL);
	tmr_fake_advance(SIP_TIMER_A_MS);
	peer_invite("z9hG4bKlog");
	ASSERT_TRUE(E.stx != NULL);
	sip_stx_reply_code(E.stx, 200, "ours");
	/* Timer A at 0.5 and 1.5 s, the 2xx again at 0.5 s after it */
	tmr_fake_advance(2 * SIP_T1_MS);
	EXPECT_EQ(peer_count(), 5);
	sip_stx_release(E.stx);
	sip_ctx_release(ct);
	plog_set_output(NULL);
	plog_init("test", PLOG_ERR);
	fflush(f);
	rewind(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static int count_of(const char *s, const char *what)
{
	int n = 0;

	while ((s = strstr(s, what))) {
		n++;
		s += strlen(what);
	}
	return n;
}

TEST(retransmission_lines_at_debug_only)
{
	static const enum plog_level below[] = {
		PLOG_ERR, PLOG_WARN, PLOG_INFO,
	};
	static char log[16384];
	unsigned int i;

	for (i = 0; i < sizeof(below) / sizeof(below[0]); i++) {
		retransmissions(below[i], log, sizeof(log));
		EXPECT_EQ(count_of(log, "retransmit"), 0);
		EXPECT_EQ(count_of(log, " | call="), 0);
	}
	retransmissions(PLOG_DEBUG, log, sizeof(log));
	EXPECT_EQ(count_of(log, " test D retransmit INVITE (Timer A) | "
			   "call=tx1 cseq=1/INVITE "), 2);
	EXPECT_EQ(count_of(log, " test D retransmit 200 (2xx until ACK) | "
			   "call=srv1 cseq=3/INVITE "), 1);
}
