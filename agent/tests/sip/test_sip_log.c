// SPDX-License-Identifier: GPL-2.0
/*
 * test_sip_log.c - what SIP puts in the log: libosip2's traces of a
 * malformed message go nowhere at the default level and become our own
 * debug lines at debug (never its "| ERROR |" lines on stdout); every
 * message line ('<' '>') at debug only: the messages of calls, of the
 * registration and the rest, sent and received, requests and responses,
 * and the transport's own refusals, through a real transport on loopback.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/plog.h"
#include "sip/sip_msg.h"
#include "sip/sip_transport.h"
#include "ktap.h"

static const char *const garbage[] = {
	"INVITE sip:x SIP/2.0\r\nVia: garbage\r\nCSeq: x\r\n\r\n",
	"SIP/2.0 2OO OK\r\n\r\n",
	"OPTIONS sip:\xff\x01 SIP/2.0\r\nFrom: \x1b[2J\r\n"
	"Content-Length: 9\r\n",
	"\x80\x81\x82\r\n\r\n",
	"REGISTER  SIP/2.0\r\nTo: <>\r\nCall-ID: \r\n\r\n",
};

static char out[65536];

/* stdout (where libosip2 prints by default), stderr and the log into one
 * temporary file; @level the log's */
static const char *parse_garbage(enum plog_level level)
{
	FILE *f = tmpfile();
	unsigned int i;
	int saved;
	size_t n;

	ASSERT_TRUE(f != NULL);
	fflush(stdout);
	fflush(stderr);
	saved = dup(STDOUT_FILENO);
	ASSERT_TRUE(saved >= 0);
	ASSERT_TRUE(dup2(fileno(f), STDOUT_FILENO) >= 0);
	ASSERT_TRUE(dup2(fileno(f), STDERR_FILENO) >= 0);
	plog_init("t", level);
	ASSERT_EQ(sip_msg_init(), 0);
	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		osip_message_t *m = sip_msg_parse(garbage[i],
						  strlen(garbage[i]));

		osip_message_free(m);
	}
	fflush(stdout);
	fflush(stderr);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	return out;
}

TEST(osip_traces_silent_at_info)
{
	const char *s = parse_garbage(PLOG_INFO);

	EXPECT_TRUE(strstr(s, "| ERROR |") == NULL);
	EXPECT_STREQ(s, "");
}

TEST(osip_traces_are_debug_lines_at_debug)
{
	const char *s = parse_garbage(PLOG_DEBUG);
	const char *l;

	EXPECT_TRUE(strstr(s, "| ERROR |") == NULL);
	EXPECT_TRUE(strstr(s, " t D osip: ") != NULL);
	/* every line ours: "TIME t D osip: ..." */
	for (l = s; *l; l = strchr(l, '\n') + 1) {
		ASSERT_TRUE(strchr(l, '\n') != NULL);
		EXPECT_TRUE(strncmp(strchr(l, ' '), " t D osip: ", 11) == 0);
	}
}

/* calls, the registration and the rest: all alike */
static const char *const methods[] = {
	"INVITE", "ACK", "BYE", "CANCEL", "PRACK", "UPDATE", "INFO", "REFER",
	"REGISTER", "OPTIONS", "SUBSCRIBE", "FOO",
};
#define NMETHODS	(sizeof(methods) / sizeof(methods[0]))

static struct sip_transport *tp;
static int peer = -1;
static struct sockaddr_storage peer_addr, our_addr;
static unsigned int received;

static void on_msg(osip_message_t *msg, const struct sockaddr_storage *src,
		   void *arg)
{
	(void)msg;
	(void)src;
	(void)arg;
	received++;
}

static void fixture(void)
{
	struct sockaddr_in *p = (void *)&peer_addr;
	socklen_t len = sizeof(peer_addr);
	char err[256];

	if (tp)
		return;
	sip_msg_init();
	tp = sip_transport_new("127.0.0.1:0", on_msg, NULL, err, sizeof(err));
	if (!tp)
		ktap_fail(__FILE__, __LINE__, "transport: %s", err);
	our_addr = *sip_transport_local(tp);
	peer = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	p->sin_family = AF_INET;
	p->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ASSERT_EQ(bind(peer, (struct sockaddr *)p, sizeof(*p)), 0);
	getsockname(peer, (struct sockaddr *)&peer_addr, &len);
}

/* @first: a request line or a status line; a response the peer sends
 * names our Via (the transport drops another's), the rest the peer's */
static int text(char *buf, size_t size, const char *first, const char *method,
		unsigned int n, bool to_us)
{
	char via[64];

	if (to_us && !strncmp(first, "SIP/2.0 ", 8))
		snprintf(via, sizeof(via), "%s", sip_transport_hostport(tp));
	else
		snprintf(via, sizeof(via), "127.0.0.1:%u",
			 ntohs(((struct sockaddr_in *)&peer_addr)->sin_port));
	return snprintf(buf, size,
		"%s\r\n"
		"Via: SIP/2.0/UDP %s;branch=z9hG4bKlog%u\r\n"
		"Max-Forwards: 70\r\n"
		"From: <sip:bob@127.0.0.1>;tag=b1\r\n"
		"To: <sip:alice@127.0.0.1>\r\n"
		"Call-ID: log%u@127.0.0.1\r\n"
		"CSeq: 1 %s\r\n"
		"Content-Length: 0\r\n\r\n", first, via, n, n, method);
}

/* the peer sends it, the transport reads it */
static void receive(const char *first, const char *method, unsigned int n)
{
	struct pollfd pfd = { .fd = sip_transport_fd(tp), .events = POLLIN };
	char buf[1024];
	int len = text(buf, sizeof(buf), first, method, n, true);

	sendto(peer, buf, (size_t)len, 0, (struct sockaddr *)&our_addr,
	       sizeof(struct sockaddr_in));
	ASSERT_EQ(poll(&pfd, 1, 1000), 1);
	sip_transport_on_readable(tp);
}

/* the transport sends it to the peer */
static void send_to_peer(const char *first, const char *method,
			 unsigned int n)
{
	char buf[1024];
	int len = text(buf, sizeof(buf), first, method, n, false);
	osip_message_t *m = sip_msg_parse(buf, (size_t)len);

	ASSERT_TRUE(m != NULL);
	EXPECT_EQ(sip_transport_send(tp, m, &peer_addr), 0);
	osip_message_free(m);
}

static unsigned int drain_peer(void)
{
	struct pollfd pfd = { .fd = peer, .events = POLLIN };
	char buf[4096];
	unsigned int n = 0;

	while (poll(&pfd, 1, 50) > 0 && recv(peer, buf, sizeof(buf), 0) > 0)
		n++;
	return n;
}

/* every method's request and 200 both ways, then a request the transport
 * refuses itself (400: no Call-ID); the log at @level */
static const char *traffic(enum plog_level level)
{
	FILE *f = tmpfile();
	char first[64];
	unsigned int i;
	size_t n;

	ASSERT_TRUE(f != NULL);
	fixture();
	plog_init("t", level);
	plog_set_output(f);
	received = 0;
	for (i = 0; i < NMETHODS; i++) {
		snprintf(first, sizeof(first), "%s sip:alice@127.0.0.1 SIP/2.0",
			 methods[i]);
		receive(first, methods[i], i);
		send_to_peer(first, methods[i], i);
		receive("SIP/2.0 200 OK", methods[i], i);
		send_to_peer("SIP/2.0 200 OK", methods[i], i);
	}
	EXPECT_EQ(received, 2 * NMETHODS);
	receive("BYE sip:alice@127.0.0.1 SIP/2.0\r\nCall-ID:", "BYE", 99);
	EXPECT_EQ(received, 2 * NMETHODS);
	/* the requests, the responses and the 400 */
	EXPECT_EQ(drain_peer(), 2 * NMETHODS + 1);
	plog_set_output(NULL);
	fflush(f);
	rewind(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	return out;
}

/* lines "TIME t TAG ..." with TAG '<' or '>' */
static unsigned int message_lines(const char *s)
{
	unsigned int n = 0;
	const char *l;

	for (l = s; *l; l = strchr(l, '\n') + 1) {
		const char *tag = strstr(l, " t ");

		ASSERT_TRUE(strchr(l, '\n') != NULL);
		if (tag && tag < strchr(l, '\n') && (tag[3] == '<' ||
						     tag[3] == '>'))
			n++;
	}
	return n;
}

TEST(no_message_line_below_debug)
{
	static const enum plog_level below[] = {
		PLOG_ERR, PLOG_WARN, PLOG_INFO,
	};
	unsigned int i;

	for (i = 0; i < sizeof(below) / sizeof(below[0]); i++) {
		const char *s = traffic(below[i]);

		EXPECT_EQ(message_lines(s), 0);
		EXPECT_TRUE(strstr(s, " | call=") == NULL);
	}
}

TEST(every_message_line_at_debug)
{
	const char *s = traffic(PLOG_DEBUG);
	char want[128];
	unsigned int i;

	/* four per method and the refused request with its 400 */
	EXPECT_EQ(message_lines(s), 4 * NMETHODS + 2);
	for (i = 0; i < NMETHODS; i++) {
		snprintf(want, sizeof(want), " t < %s sip:alice@127.0.0.1 | "
			 "call=log%u@127.0.0.1 cseq=1/%s ", methods[i], i,
			 methods[i]);
		EXPECT_TRUE(strstr(s, want) != NULL);
		snprintf(want, sizeof(want), " t > %s sip:alice@127.0.0.1 | "
			 "call=log%u@127.0.0.1 cseq=1/%s ", methods[i], i,
			 methods[i]);
		EXPECT_TRUE(strstr(s, want) != NULL);
		snprintf(want, sizeof(want), " t < 200 OK | "
			 "call=log%u@127.0.0.1 cseq=1/%s ", i, methods[i]);
		EXPECT_TRUE(strstr(s, want) != NULL);
		snprintf(want, sizeof(want), " t > 200 OK | "
			 "call=log%u@127.0.0.1 cseq=1/%s ", i, methods[i]);
		EXPECT_TRUE(strstr(s, want) != NULL);
	}
	EXPECT_TRUE(strstr(s, " t > 400 ") != NULL);
}
