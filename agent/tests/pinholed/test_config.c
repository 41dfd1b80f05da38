// SPDX-License-Identifier: GPL-2.0
/*
 * test_config.c - pinholed's config file (config.h): good text sets the
 * options; bad text (unknown key, bad value, missing '=', an overlong
 * line, a NUL byte) is an error naming the line and changes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pinholed/config.h"
#include "ktap.h"

static struct opts o;
static char err[512];

static int parse(const char *text, size_t len)
{
	err[0] = 0;
	return config_parse(&o, text, len, "t.conf", err, sizeof(err));
}

#define PARSE(s)	parse(s, sizeof(s) - 1)

/* @o unchanged by a failed parse: the defaults and no owned string */
static void expect_defaults(void)
{
	struct opts d;

	config_defaults(&d);
	EXPECT_EQ(o.nowned, 0);
	EXPECT_TRUE(o.ua.listen == NULL);
	EXPECT_TRUE(o.ua.user == NULL);
	EXPECT_EQ(o.ua.max_calls, d.ua.max_calls);
	EXPECT_EQ(o.ua.call.auto_answer_ms, d.ua.call.auto_answer_ms);
	EXPECT_STREQ(o.firewall, d.firewall);
}

TEST(good_file_sets_options)
{
	config_defaults(&o);
	ASSERT_EQ(PARSE("# comment\n\n  listen = 192.0.2.1:5070  \r\n"
			"user=alice # trailing comment\n"
			"auto-answer = 500\nnack-after-ok = yes\n"
			"max-calls = 10\nfirewall = none\nregister = yes"), 0);
	EXPECT_STREQ(o.ua.listen, "192.0.2.1:5070");
	EXPECT_STREQ(o.ua.user, "alice");
	EXPECT_EQ(o.ua.call.auto_answer_ms, 500);
	EXPECT_TRUE(o.ua.call.nack_after_ok);
	EXPECT_EQ(o.ua.max_calls, 10);
	EXPECT_STREQ(o.firewall, "none");
	EXPECT_TRUE(o.ua.do_register);
	config_free(&o);
}

TEST(example_file_parses)
{
	char buf[8192];
	FILE *f = fopen("../dist/pinholed.conf.example", "r");
	size_t n;

	if (!f)
		SKIP("dist/pinholed.conf.example not found");
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	config_defaults(&o);
	EXPECT_EQ(parse(buf, n), 0);
	EXPECT_STREQ(err, "");
	config_free(&o);
}

TEST(unknown_key)
{
	config_defaults(&o);
	EXPECT_EQ(PARSE("listen = 192.0.2.1\nfrobnicate = 1\n"), -EINVAL);
	EXPECT_STREQ(err, "t.conf:2: unknown key 'frobnicate'");
	expect_defaults();
}

TEST(config_and_help_are_not_keys)
{
	config_defaults(&o);
	EXPECT_EQ(PARSE("config = other.conf\n"), -EINVAL);
	EXPECT_STREQ(err, "t.conf:1: unknown key 'config'");
	EXPECT_EQ(PARSE("help = yes\n"), -EINVAL);
	expect_defaults();
}

TEST(bad_value)
{
	config_defaults(&o);
	EXPECT_EQ(PARSE("user = alice\nmax-calls = 0\n"), -EINVAL);
	EXPECT_STREQ(err, "t.conf:2: --max-calls is 1-100000, not '0'");
	expect_defaults();
	EXPECT_EQ(PARSE("media-ports = 20000\n"), -EINVAL);
	EXPECT_EQ(PARSE("register = maybe\n"), -EINVAL);
	EXPECT_EQ(PARSE("glare = coin\n"), -EINVAL);
	EXPECT_EQ(PARSE("user = a@b\n"), -EINVAL);
	expect_defaults();
}

/* --codecs and --codec-order, in either order; bad ones change nothing */
TEST(codecs)
{
	config_defaults(&o);
	EXPECT_EQ(o.ua.codecs.n, 2);
	EXPECT_EQ(o.ua.codecs.codec[0], SDP_CODEC_PCMU);
	EXPECT_FALSE(o.ua.codecs.ours_first);
	ASSERT_EQ(PARSE("codec-order = ours\ncodecs = pcma\n"), 0);
	EXPECT_EQ(o.ua.codecs.n, 1);
	EXPECT_EQ(o.ua.codecs.codec[0], SDP_CODEC_PCMA);
	EXPECT_TRUE(o.ua.codecs.ours_first);
	config_free(&o);
	config_defaults(&o);
	EXPECT_EQ(PARSE("codecs = pcma,g729\n"), -EINVAL);
	EXPECT_STREQ(err, "t.conf:1: --codecs is a list of pcmu, pcma (each "
		     "once), not 'pcma,g729'");
	EXPECT_EQ(PARSE("codec-order = answerer\n"), -EINVAL);
	EXPECT_EQ(o.ua.codecs.n, 2);
	EXPECT_FALSE(o.ua.codecs.ours_first);
	expect_defaults();
}

TEST(missing_equals)
{
	config_defaults(&o);
	EXPECT_EQ(PARSE("listen 192.0.2.1\n"), -EINVAL);
	EXPECT_STREQ(err, "t.conf:1: expected 'key = value', got "
		     "'listen 192.0.2.1'");
	expect_defaults();
}

TEST(missing_value)
{
	config_defaults(&o);
	EXPECT_EQ(PARSE("listen =\n"), -EINVAL);
	EXPECT_STREQ(err, "t.conf:1: 'listen' needs a value");
	expect_defaults();
}

TEST(overlong_line)
{
	char buf[CONFIG_LINE_MAX + 40];

	config_defaults(&o);
	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "user = alice\nuser = ", 20);
	EXPECT_EQ(parse(buf, sizeof(buf)), -EINVAL);
	EXPECT_TRUE(strstr(err, "t.conf:2: line longer than") == err);
	expect_defaults();
	/* CONFIG_LINE_MAX itself is fine (a comment) */
	memset(buf, 'x', sizeof(buf));
	buf[0] = '#';
	EXPECT_EQ(parse(buf, CONFIG_LINE_MAX), 0);
}

TEST(nul_byte)
{
	config_defaults(&o);
	EXPECT_EQ(parse("user = alice\nlisten = 1\0.2.3.4\n", 29), -EINVAL);
	EXPECT_STREQ(err, "t.conf:2: NUL byte in the line");
	expect_defaults();
}

TEST(command_line_wins_later)
{
	char e2[128];

	config_defaults(&o);
	ASSERT_EQ(PARSE("max-calls = 10\n"), 0);
	ASSERT_EQ(config_apply(&o, O_MAX_CALLS, "20", "", e2, sizeof(e2)), 0);
	EXPECT_EQ(o.ua.max_calls, 20);
	config_free(&o);
	EXPECT_EQ(o.nowned, 0);
}

TEST(failed_second_file_keeps_first)
{
	config_defaults(&o);
	ASSERT_EQ(PARSE("user = alice\n"), 0);
	EXPECT_EQ(PARSE("user = bob\nbogus = 1\n"), -EINVAL);
	EXPECT_STREQ(o.ua.user, "alice");
	EXPECT_EQ(o.nowned, 1);
	config_free(&o);
}

/* the descriptor limit follows --max-calls: 2 per call and a base */
TEST(nofile_soft_limit)
{
	EXPECT_EQ(config_fds_needed(1000), 2256ULL);
	/* the usual 1024/524288: raised to the need */
	EXPECT_EQ(config_nofile_soft(1000, 1024, 524288), 2256ULL);
	/* already enough: left alone, never lowered */
	EXPECT_EQ(config_nofile_soft(64, 1024, 524288), 1024ULL);
	EXPECT_EQ(config_nofile_soft(1000, 65536, 524288), 65536ULL);
	/* a hard limit below the need: as far as it goes */
	EXPECT_EQ(config_nofile_soft(1000, 1024, 2048), 2048ULL);
	EXPECT_EQ(config_nofile_soft(1000, 1024, 1024), 1024ULL);
}

TEST(load_missing_file)
{
	config_defaults(&o);
	EXPECT_EQ(config_load(&o, "/nonexistent/p.conf", err, sizeof(err)),
		  -EINVAL);
	EXPECT_STREQ(err, "/nonexistent/p.conf: No such file or directory");
	expect_defaults();
}

/* --100rel: on by default, off|on|prefer, nothing else */
TEST(rel100_modes)
{
	config_defaults(&o);
	EXPECT_EQ(o.ua.rel100, SIP_100REL_ON);
	ASSERT_EQ(PARSE("100rel = prefer\n"), 0);
	EXPECT_EQ(o.ua.rel100, SIP_100REL_PREFER);
	config_free(&o);
	config_defaults(&o);
	EXPECT_EQ(PARSE("100rel = yes\n"), -EINVAL);
	EXPECT_STREQ(err, "t.conf:1: --100rel is off, on or prefer, not 'yes'");
	EXPECT_EQ(o.ua.rel100, SIP_100REL_ON);
	expect_defaults();
}

/* --session-expires (0: none asked) and --min-se (at least 1): RFC 4028;
 * bad ones change nothing */
TEST(session_timer_options)
{
	config_defaults(&o);
	EXPECT_EQ(o.ua.st.se, 1800);
	EXPECT_EQ(o.ua.st.min_se, 90);
	ASSERT_EQ(PARSE("session-expires = 0\nmin-se = 2\n"), 0);
	EXPECT_EQ(o.ua.st.se, 0);
	EXPECT_EQ(o.ua.st.min_se, 2);
	config_free(&o);
	config_defaults(&o);
	EXPECT_EQ(PARSE("min-se = 0\n"), -EINVAL);
	EXPECT_STREQ(err, "t.conf:1: --min-se takes seconds (1-86400), not '0'");
	EXPECT_EQ(PARSE("session-expires = 86401\n"), -EINVAL);
	EXPECT_STREQ(err, "t.conf:1: --session-expires takes seconds "
		     "(0-86400), not '86401'");
	EXPECT_EQ(o.ua.st.se, 1800);
	EXPECT_EQ(o.ua.st.min_se, 90);
	expect_defaults();
}

/* --latch and --public-address (ua_nat.c); bad ones change nothing */
TEST(latch_and_public_address)
{
	config_defaults(&o);
	EXPECT_EQ(o.ua.latch, MEDIA_LATCH_OFF);
	EXPECT_TRUE(o.ua.public_address == NULL);
	ASSERT_EQ(PARSE("latch = auto\npublic-address = 203.0.113.7\n"), 0);
	EXPECT_EQ(o.ua.latch, MEDIA_LATCH_AUTO);
	EXPECT_STREQ(o.ua.public_address, "203.0.113.7");
	config_free(&o);
	config_defaults(&o);
	ASSERT_EQ(PARSE("public-address = 2001:db8::7\n"), 0);
	config_free(&o);
	config_defaults(&o);
	EXPECT_EQ(PARSE("latch = sometimes\n"), -EINVAL);
	EXPECT_STREQ(err, "t.conf:1: --latch is off, auto or always, not "
		     "'sometimes'");
	EXPECT_EQ(PARSE("public-address = nat.example.net\n"), -EINVAL);
	EXPECT_EQ(PARSE("public-address = 203.0.113.7:5060\n"), -EINVAL);
	EXPECT_EQ(PARSE("public-address = [2001:db8::7]\n"), -EINVAL);
	EXPECT_EQ(o.ua.latch, MEDIA_LATCH_OFF);
	EXPECT_TRUE(o.ua.public_address == NULL);
	/* --latch-window: 100..600000 ms, default 10000 */
	EXPECT_EQ(o.ua.latch_window_ms, 10000);
	EXPECT_EQ(PARSE("latch-window = 99\n"), -EINVAL);
	EXPECT_STREQ(err, "t.conf:1: --latch-window takes milliseconds "
		     "(100-600000), not '99'");
	EXPECT_EQ(PARSE("latch-window = 600001\n"), -EINVAL);
	EXPECT_EQ(o.ua.latch_window_ms, 10000);
	ASSERT_EQ(PARSE("latch-window = 1500\n"), 0);
	EXPECT_EQ(o.ua.latch_window_ms, 1500);
	config_defaults(&o);
	expect_defaults();
}

/* --sip-t1: RFC 3261 T1 in ms, 50..5000, default 500; a bad one changes
 * nothing */
TEST(sip_t1)
{
	config_defaults(&o);
	EXPECT_EQ(o.ua.sip_t1_ms, 500);
	EXPECT_EQ(PARSE("sip-t1 = 49\n"), -EINVAL);
	EXPECT_STREQ(err, "t.conf:1: --sip-t1 takes milliseconds (50-5000), "
		     "not '49'");
	EXPECT_EQ(PARSE("sip-t1 = 5001\n"), -EINVAL);
	EXPECT_EQ(PARSE("sip-t1 = 100ms\n"), -EINVAL);
	EXPECT_EQ(PARSE("sip-t1 = -100\n"), -EINVAL);
	EXPECT_EQ(o.ua.sip_t1_ms, 500);
	ASSERT_EQ(PARSE("sip-t1 = 50\n"), 0);
	EXPECT_EQ(o.ua.sip_t1_ms, 50);
	ASSERT_EQ(PARSE("sip-t1 = 5000\n"), 0);
	EXPECT_EQ(o.ua.sip_t1_ms, 5000);
	config_free(&o);
	config_defaults(&o);
	expect_defaults();
}
