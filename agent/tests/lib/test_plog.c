// SPDX-License-Identifier: GPL-2.0
/*
 * test_plog.c - the log line: a peer's bytes escaped (control bytes,
 * invalid UTF-8, backslash) so one line stays one valid UTF-8 line; the
 * warning rate limiter on an injected clock; SIP message lines at debug
 * only, whatever the message.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lib/plog.h"
#include "ktap.h"

static char out[65536];

static const char *esc(const char *s, size_t len)
{
	static char buf[1024];

	plog_escape(buf, sizeof(buf), s, len);
	return buf;
}

#define ESC(lit)	esc(lit, sizeof(lit) - 1)

/* the log written to a temporary file; read() gives what it holds */
static FILE *capture(enum plog_level level)
{
	FILE *f = tmpfile();

	if (!f)
		ktap_abort();
	plog_init("t", level);
	plog_set_output(f);
	return f;
}

static const char *read_all(FILE *f)
{
	size_t n;

	fflush(f);
	rewind(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	return out;
}

static int count(const char *s, const char *what)
{
	int n = 0;

	while ((s = strstr(s, what))) {
		n++;
		s += strlen(what);
	}
	return n;
}

/* @s is whole lines of valid UTF-8 without control bytes: escaping a
 * line (its backslashes aside) changes nothing */
static bool clean(const char *s)
{
	char line[8192];
	const char *e;

	for (; *s; s = e + 1) {
		e = strchr(s, '\n');
		if (!e)
			return false;	/* a line without its end */
		memcpy(line, s, (size_t)(e - s));
		line[e - s] = '\0';
		for (char *c = line; *c; c++)
			if (*c == '\\')
				*c = '_';
		if (strcmp(esc(line, strlen(line)), line))
			return false;
	}
	return true;
}

TEST(escapes_control_bytes_and_backslash)
{
	EXPECT_STREQ(ESC("plain text | k=v"), "plain text | k=v");
	EXPECT_STREQ(ESC("a\nb\r\x01\x1f\x7f"), "a\\x0ab\\x0d\\x01\\x1f\\x7f");
	EXPECT_STREQ(ESC("tab\there"), "tab\\x09here");
	EXPECT_STREQ(ESC("c:\\x0a"), "c:\\\\x0a");
	EXPECT_STREQ(esc("nul\0x", 5), "nul\\x00x");
}

TEST(keeps_valid_utf8_escapes_the_rest)
{
	/* é € U+1F600 */
	EXPECT_STREQ(ESC("\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
		     "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	EXPECT_STREQ(ESC("\xff\xfe"), "\\xff\\xfe");
	/* a lone continuation byte, overlong NUL and '/', a surrogate,
	 * above U+10FFFF, a sequence cut short */
	EXPECT_STREQ(ESC("\x80x"), "\\x80x");
	EXPECT_STREQ(ESC("\xc0\x80"), "\\xc0\\x80");
	EXPECT_STREQ(ESC("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");
	EXPECT_STREQ(ESC("\xed\xa0\x80"), "\\xed\\xa0\\x80");
	EXPECT_STREQ(ESC("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
	EXPECT_STREQ(ESC("\xe2\x82"), "\\xe2\\x82");
	EXPECT_STREQ(ESC("\xe2\x82x"), "\\xe2\\x82x");
}

TEST(escape_stops_at_a_whole_character)
{
	char b[6];

	EXPECT_EQ(plog_escape(b, sizeof(b), "ab\x01", 3), 2);
	EXPECT_STREQ(b, "ab");
	EXPECT_EQ(plog_escape(b, sizeof(b), "abc\xe2\x82\xac", 6), 3);
	EXPECT_STREQ(b, "abc");
	EXPECT_EQ(plog_escape(b, 1, "abc", 3), 0);
	EXPECT_STREQ(b, "");
}

TEST(hostile_peer_text_stays_one_valid_line)
{
	FILE *f = capture(PLOG_DEBUG);
	const char *from = "<sip:\xff\xfe\r\n1767225600.000 alice . call 1 "
			   "incoming -> established\x1b[2J\\@x>";
	const char *s;

	plog(PLOG_INFO, "call 1 from %s | id=1", from);
	plog_msg('<', "200 %s | call=%s cseq=1/INVITE branch=b "
		 "peer=127.0.0.1:5060", "OK\n", "x\x01y");
	s = read_all(f);
	EXPECT_EQ(count(s, "\n"), 2);
	EXPECT_TRUE(clean(s));
	EXPECT_TRUE(strstr(s, " t . call 1 from <sip:\\xff\\xfe\\x0d\\x0a"
			   "1767225600.000 alice . call 1 incoming -> "
			   "established\\x1b[2J\\\\@x> | id=1\n") != NULL);
	EXPECT_TRUE(strstr(s, " t < 200 OK\\x0a | call=x\\x01y ") != NULL);
	fclose(f);
}

/* a few lines of calls and of the rest, sent and received */
static void message_lines(void)
{
	plog_msg('<', "INVITE sip:x | call=a cseq=1/INVITE");
	plog_msg('>', "200 OK | call=a cseq=1/INVITE");
	plog_msg('<', "BYE sip:x | call=a cseq=2/BYE");
	plog_msg('>', "REGISTER sip:x | call=r cseq=1/REGISTER");
	plog_msg('<', "OPTIONS sip:x | call=o cseq=1/OPTIONS");
}

TEST(message_lines_at_debug_only)
{
	static const enum plog_level below[] = {
		PLOG_ERR, PLOG_WARN, PLOG_INFO,
	};
	unsigned int i;
	FILE *f;

	for (i = 0; i < sizeof(below) / sizeof(below[0]); i++) {
		f = capture(below[i]);
		message_lines();
		plog(below[i], "the level's own line");
		/* only that one: no message line below debug */
		read_all(f);
		EXPECT_EQ(count(out, "\n"), 1);
		EXPECT_EQ(count(out, " the level's own line\n"), 1);
		EXPECT_EQ(count(out, " | call="), 0);
		fclose(f);
	}

	f = capture(PLOG_DEBUG);
	message_lines();
	read_all(f);
	EXPECT_EQ(count(out, "\n"), 5);
	EXPECT_TRUE(strstr(out, " t < INVITE sip:x | call=a ") != NULL);
	EXPECT_TRUE(strstr(out, " t > 200 OK | call=a ") != NULL);
	EXPECT_TRUE(strstr(out, " t < BYE sip:x | call=a ") != NULL);
	EXPECT_TRUE(strstr(out, " t > REGISTER sip:x | call=r ") != NULL);
	EXPECT_TRUE(strstr(out, " t < OPTIONS sip:x | call=o ") != NULL);
	fclose(f);
}

static uint64_t now;

static uint64_t fake_ms(void)
{
	return now;
}

TEST(rate_limiter_burst_then_interval)
{
	struct plog_rl rl = { 0 };
	unsigned long sup;
	int i, passed = 0;

	plog_set_clock(fake_ms);
	now = 1000;
	for (i = 0; i < 100; i++) {
		passed += plog_rl_pass(&rl, &sup);
		EXPECT_EQ(sup, 0);
		now += 10;			/* 1 s in all */
	}
	EXPECT_EQ(passed, PLOG_RL_BURST);
	/* still the same interval */
	now = 1000 + PLOG_RL_INTERVAL_MS - 1;
	EXPECT_FALSE(plog_rl_pass(&rl, &sup));
	EXPECT_EQ(sup, 0);
	/* the next: passes, and says how many the last one refused */
	now = 1000 + PLOG_RL_INTERVAL_MS;
	EXPECT_TRUE(plog_rl_pass(&rl, &sup));
	EXPECT_EQ(sup, 100 - PLOG_RL_BURST + 1);
	EXPECT_TRUE(plog_rl_pass(&rl, &sup));
	EXPECT_EQ(sup, 0);
	/* a quiet interval: nothing to report */
	now += 3 * PLOG_RL_INTERVAL_MS;
	EXPECT_TRUE(plog_rl_pass(&rl, &sup));
	EXPECT_EQ(sup, 0);
}

static void warn_bad(int i)
{
	plog(PLOG_WARN, "bad request from 10.0.0.%d: no Via", i);
}

static void warn_other(void)
{
	plog(PLOG_WARN, "another warning");
}

TEST(warnings_rate_limited_per_call_site)
{
	FILE *f = capture(PLOG_INFO);
	const char *s;
	int i;

	plog_set_clock(fake_ms);
	now = 50;
	for (i = 0; i < 1000; i++)
		warn_bad(i);
	warn_other();
	for (i = 0; i < 1000; i++)
		plog(PLOG_INFO, "info %d", i);	/* info: not limited */
	s = read_all(f);
	EXPECT_EQ(count(s, "bad request from"), PLOG_RL_BURST);
	EXPECT_EQ(count(s, "another warning"), 1);
	EXPECT_EQ(count(s, " t . info "), 1000);
	EXPECT_EQ(count(s, "suppressed"), 0);

	now += PLOG_RL_INTERVAL_MS;
	warn_bad(1);
	s = read_all(f);
	EXPECT_EQ(count(s, "bad request from"), PLOG_RL_BURST + 1);
	EXPECT_TRUE(strstr(s, " t W 990 more lines like the next one were "
			   "suppressed\n") != NULL);
	fclose(f);
}

TEST(plog_rl_limits_any_level)
{
	FILE *f = capture(PLOG_INFO);
	int i;

	plog_set_clock(fake_ms);
	now = 7;
	for (i = 0; i < 50; i++)
		plog_rl(PLOG_INFO, "no ACK for %d (Timer H), branch %s", 486,
			"z9hG4bK1");
	for (i = 0; i < 50; i++)
		plog_rl(PLOG_DEBUG, "off at info");
	EXPECT_EQ(count(read_all(f), "no ACK for 486"), PLOG_RL_BURST);
	EXPECT_EQ(count(out, "off at info"), 0);
	fclose(f);
}
