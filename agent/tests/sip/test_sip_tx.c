// SPDX-License-Identifier: GPL-2.0
/*
 * test_sip_tx.c - transactions (RFC 3261 17, RFC 6026) on a fake clock:
 * the retransmission schedules of Timers A, E and G and of the 2xx (no A
 * over TCP), the timeouts B, F, H and L, the ACK of a non-2xx,
 * retransmitted INVITEs reported to the TU, the ACK of a 2xx matched by
 * dialog, CANCEL; the retransmission lines of the log at debug only
 * (environment: tx_env.h).
 */
#include "tx_env.h"

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

/* the INVITE requests a stream @fd (accepted from @lfd) has received */
static int stream_invites(struct sip_transport *tp, int lfd, int *fd)
{
	struct pollfd pfd = { .fd = sip_transport_fd(tp), .events = POLLIN };
	char buf[8192];
	int n = 0;

	for (int i = 0; i < 20; i++) {		/* connect, flush the queue */
		if (poll(&pfd, 1, 10) > 0)
			sip_transport_on_readable(tp);
		if (*fd < 0)
			*fd = accept(lfd, NULL, NULL);
	}
	for (ssize_t k; *fd >= 0 &&
	     (k = recv(*fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0;) {
		buf[k] = 0;
		for (char *q = buf; (q = strstr(q, "INVITE sip:")); q++)
			n++;
	}
	return n;
}

/* RFC 3261 17.1.1.2: over TCP no Timer A, only B */
TEST(invite_client_over_tcp_not_retransmitted)
{
	struct sockaddr_in *a = (void *)&E.peer_addr;
	struct sip_transport *tp;
	struct sip_ctx *ct;
	struct sip *s;
	socklen_t len = sizeof(*a);
	char err[256];
	int lfd, fd = -1;

	setup();
	tp = sip_transport_new_mode("127.0.0.1:0", SIP_TP_TCP, sip_input,
				    NULL, err, sizeof(err));
	ASSERT_TRUE(tp != NULL);
	s = sip_new(tp, on_req, NULL);
	sip_transport_set_handler(tp, sip_input, s);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	a->sin_port = 0;
	ASSERT_EQ(bind(lfd, (struct sockaddr *)a, sizeof(*a)), 0);
	ASSERT_EQ(listen(lfd, 1), 0);
	getsockname(lfd, (struct sockaddr *)a, &len);
	ct = sip_ctx_send(s, request("INVITE"), &E.peer_addr, resp_h, NULL);
	ASSERT_TRUE(ct != NULL);
	EXPECT_EQ(stream_invites(tp, lfd, &fd), 1);
	tmr_fake_advance(SIP_TIMER_B_MS - 1);
	EXPECT_EQ(stream_invites(tp, lfd, &fd), 0);
	EXPECT_EQ(E.ncodes, 0);
	tmr_fake_advance(1);			/* B still ends it */
	EXPECT_EQ(E.ncodes, 1);
	EXPECT_EQ(E.codes[0], 408);
	sip_ctx_release(ct);
	sip_free(s);
	sip_transport_free(tp);
	close(fd);
	close(lfd);
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
	EXPECT_STREQ(E.ack_callid, "srv1");	/* the number before @ */
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

/* RFC 3261 17.1.1.1: T1 is set within its bounds only */
TEST(t1_set_within_bounds)
{
	setup();
	EXPECT_EQ(sip_t1(E.sip), SIP_T1_MS);
	EXPECT_EQ(sip_set_t1(E.sip, SIP_T1_MIN_MS - 1), -ERANGE);
	EXPECT_EQ(sip_set_t1(E.sip, SIP_T1_MAX_MS + 1), -ERANGE);
	EXPECT_EQ(sip_set_t1(E.sip, 0), -ERANGE);
	EXPECT_EQ(sip_t1(E.sip), SIP_T1_MS);	/* unchanged */
	EXPECT_EQ(sip_set_t1(E.sip, SIP_T1_MIN_MS), 0);
	EXPECT_EQ(sip_t1(E.sip), SIP_T1_MIN_MS);
	EXPECT_EQ(sip_set_t1(E.sip, SIP_T1_MAX_MS), 0);
	EXPECT_EQ(sip_t1(E.sip), SIP_T1_MAX_MS);
}

/* T1 100 ms: Timer A from 100 ms, doubling (0.1, 0.3 .. 3.1, 6.3 s),
 * Timer B at 64*T1 = 6.4 s, not 32 */
TEST(invite_client_timers_follow_t1)
{
	struct sip_ctx *ct;

	setup();
	ASSERT_EQ(sip_set_t1(E.sip, 100), 0);
	ct = sip_ctx_send(E.sip, request("INVITE"), &E.peer_addr, resp_h, NULL);
	ASSERT_TRUE(ct != NULL);
	EXPECT_EQ(peer_count(), 1);
	tmr_fake_advance(99);
	EXPECT_EQ(peer_count(), 0);
	tmr_fake_advance(1);
	EXPECT_EQ(peer_count(), 1);
	tmr_fake_advance(SIP_TIMER_B(100) - 100 - 1);
	EXPECT_EQ(peer_count(), 5);
	EXPECT_EQ(E.ncodes, 0);
	tmr_fake_advance(1);
	ASSERT_EQ(E.ncodes, 1);
	EXPECT_EQ(E.codes[0], 408);
	sip_ctx_release(ct);
}

/* T1 100 ms: Timer E from 100 ms (0.1, 0.3 .. 3.1, 6.3 s: its T2 cap of
 * 4 s, not from T1, not reached), Timer F at 6.4 s */
TEST(non_invite_client_timers_follow_t1)
{
	struct sip_ctx *ct;

	setup();
	ASSERT_EQ(sip_set_t1(E.sip, 100), 0);
	ct = sip_ctx_send(E.sip, request("OPTIONS"), &E.peer_addr, resp_h, NULL);
	ASSERT_TRUE(ct != NULL);
	EXPECT_EQ(peer_count(), 1);
	tmr_fake_advance(SIP_TIMER_F(100) - 1);
	EXPECT_EQ(peer_count(), 6);
	EXPECT_EQ(E.ncodes, 0);
	tmr_fake_advance(1);
	ASSERT_EQ(E.ncodes, 1);
	EXPECT_EQ(E.codes[0], 408);
	sip_ctx_release(ct);
}

/* T1 100 ms: the 2xx again at 0.1, 0.3 .. 3.1, 6.3 s, given up (Timer L)
 * at 6.4 s; a non-2xx's Timer G from 100 ms and Timer H at 6.4 s */
TEST(invite_server_timers_follow_t1)
{
	setup();
	ASSERT_EQ(sip_set_t1(E.sip, 100), 0);
	peer_invite("z9hG4bKt1a");
	ASSERT_TRUE(E.stx != NULL);
	sip_stx_reply_code(E.stx, 200, "ours");
	EXPECT_EQ(peer_count(), 1);
	tmr_fake_advance(100);
	EXPECT_EQ(peer_count(), 1);
	tmr_fake_advance(SIP_TIMER_L(100) - 100 - 1);
	EXPECT_EQ(peer_count(), 5);
	EXPECT_EQ(E.ack_timeouts, 0);
	tmr_fake_advance(1);
	EXPECT_EQ(E.ack_timeouts, 1);
	sip_stx_release(E.stx);

	peer_invite("z9hG4bKt1b");
	ASSERT_TRUE(E.stx != NULL);
	sip_stx_reply_code(E.stx, 486, "ours");
	EXPECT_EQ(peer_count(), 1);
	tmr_fake_advance(100);
	EXPECT_EQ(peer_count(), 1);
	tmr_fake_advance(SIP_TIMER_H(100) - 100 - 1);
	EXPECT_EQ(sip_stx_state(E.stx), SIP_STX_COMPLETED);
	tmr_fake_advance(1);
	EXPECT_EQ(sip_stx_state(E.stx), SIP_STX_TERMINATED);
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

/* an INVITE sent before a restart: restored from its wire text, nothing
 * sent; CANCELled at once with its branch; its 487 ACKed by the
 * transaction, a late 2xx reaches the TU */
TEST(restored_invite_cancelled_with_its_branch)
{
	const struct sockaddr_in *o = (const void *)&E.our_addr;
	char inv[1024];
	struct sip_ctx *ct;

	setup();
	/* as the process before the restart sent it */
	snprintf(inv, sizeof(inv),
		 "INVITE sip:bob@127.0.0.1 SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKrestored1\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: <sip:alice@127.0.0.1>;tag=a1\r\n"
		 "To: <sip:bob@127.0.0.1>\r\n"
		 "Call-ID: tx1@127.0.0.1\r\n"
		 "CSeq: 1 INVITE\r\n"
		 "Content-Length: 0\r\n\r\n", ntohs(o->sin_port));
	ct = sip_ctx_restore(E.sip, sip_msg_parse(inv, strlen(inv)),
			     &E.peer_addr, resp_h, NULL);
	ASSERT_TRUE(ct != NULL);
	EXPECT_EQ(peer_count(), 0);		/* nothing sent again */
	EXPECT_EQ(sip_ctx_state(ct), SIP_CTX_PROCEEDING);
	EXPECT_EQ(sip_ctx_cancel(ct), 0);
	ASSERT_EQ(peer_recv_last(), 1);
	EXPECT_TRUE(!strncmp(last, "CANCEL sip:bob@127.0.0.1", 24));
	EXPECT_TRUE(strstr(last, "branch=z9hG4bKrestored1") != NULL);
	EXPECT_TRUE(strstr(last, "CSeq: 1 CANCEL") != NULL);
	/* 487 to the INVITE (its Via): ACKed by the transaction */
	snprintf(last, sizeof(last), "%s", inv);
	peer_respond(487, "Request Terminated");
	ASSERT_EQ(E.ncodes, 1);
	EXPECT_EQ(E.codes[0], 487);
	ASSERT_EQ(peer_recv_last(), 1);
	EXPECT_TRUE(!strncmp(last, "ACK ", 4));
	sip_ctx_release(ct);

	/* only an INVITE is restored */
	EXPECT_TRUE(sip_ctx_restore(E.sip, request("OPTIONS"), &E.peer_addr,
				    resp_h, NULL) == NULL);
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
