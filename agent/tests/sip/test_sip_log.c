// SPDX-License-Identifier: GPL-2.0
/*
 * test_sip_log.c - what SIP puts in the log: libosip2's traces of a
 * malformed message go nowhere at the default level and become our own
 * debug lines at debug (never its "| ERROR |" lines on stdout); which
 * messages are logged at info (calls, our registration) and which at
 * debug (OPTIONS and the rest).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/plog.h"
#include "sip/sip_msg.h"
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

static osip_message_t *msg(const char *first, const char *method)
{
	static char buf[1024];
	int n;

	sip_msg_init();
	n = snprintf(buf, sizeof(buf),
		"%s\r\n"
		"Via: SIP/2.0/UDP 198.51.100.2:5060;branch=z9hG4bKx1\r\n"
		"From: <sip:bob@example.com>;tag=b1\r\n"
		"To: <sip:alice@example.com>\r\n"
		"Call-ID: c1@198.51.100.2\r\n"
		"CSeq: 1 %s\r\n"
		"Content-Length: 0\r\n\r\n", first, method);
	return sip_msg_parse(buf, (size_t)n);
}

static enum plog_level level_of(const char *first, const char *method,
				bool sent)
{
	osip_message_t *m = msg(first, method);
	enum plog_level l;

	ASSERT_TRUE(m != NULL);
	l = sip_msg_log_level(m, sent);
	osip_message_free(m);
	return l;
}

TEST(call_messages_at_info)
{
	static const char *const methods[] = {
		"INVITE", "ACK", "BYE", "CANCEL", "PRACK", "UPDATE",
	};
	char first[64];
	unsigned int i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		snprintf(first, sizeof(first), "%s sip:a@x SIP/2.0",
			 methods[i]);
		EXPECT_EQ(level_of(first, methods[i], true), PLOG_INFO);
		EXPECT_EQ(level_of(first, methods[i], false), PLOG_INFO);
		EXPECT_EQ(level_of("SIP/2.0 200 OK", methods[i], true),
			  PLOG_INFO);
		EXPECT_EQ(level_of("SIP/2.0 491 Request Pending", methods[i],
				   false), PLOG_INFO);
	}
}

TEST(our_registration_at_info_theirs_at_debug)
{
	const char *reg = "REGISTER sip:example.com SIP/2.0";

	EXPECT_EQ(level_of(reg, "REGISTER", true), PLOG_INFO);
	EXPECT_EQ(level_of("SIP/2.0 401 Unauthorized", "REGISTER", false),
		  PLOG_INFO);
	EXPECT_EQ(level_of(reg, "REGISTER", false), PLOG_DEBUG);
	EXPECT_EQ(level_of("SIP/2.0 405 Method Not Allowed", "REGISTER",
			   true), PLOG_DEBUG);
}

TEST(options_and_the_rest_at_debug)
{
	EXPECT_EQ(level_of("OPTIONS sip:a@x SIP/2.0", "OPTIONS", false),
		  PLOG_DEBUG);
	EXPECT_EQ(level_of("SIP/2.0 200 OK", "OPTIONS", true), PLOG_DEBUG);
	EXPECT_EQ(level_of("OPTIONS sip:a@x SIP/2.0", "OPTIONS", true),
		  PLOG_DEBUG);
	EXPECT_EQ(level_of("FOO sip:a@x SIP/2.0", "FOO", false), PLOG_DEBUG);
	EXPECT_EQ(level_of("SIP/2.0 501 Not Implemented", "FOO", true),
		  PLOG_DEBUG);
	EXPECT_EQ(level_of("SUBSCRIBE sip:a@x SIP/2.0", "SUBSCRIBE", false),
		  PLOG_DEBUG);
}
