// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for cli_json.c: escaping and structure of the output.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lib/json.h"
#include "ktap.h"

struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static void cap_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	ASSERT_TRUE(c->f != NULL);
}

static const char *cap_done(struct capture *c)
{
	fclose(c->f);
	return c->buf;
}

static void check_escape(const char *in, const char *want)
{
	struct capture c;

	cap_open(&c);
	json_write_escaped(c.f, in);
	EXPECT_STREQ(cap_done(&c), want);
	free(c.buf);
}

TEST(escapes_quotes_and_backslashes)
{
	check_escape("plain", "\"plain\"");
	check_escape("", "\"\"");
	check_escape("say \"hi\"", "\"say \\\"hi\\\"\"");
	check_escape("C:\\path", "\"C:\\\\path\"");
	check_escape("a/b", "\"a/b\"");
}

TEST(escapes_control_characters)
{
	check_escape("l1\nl2", "\"l1\\nl2\"");
	check_escape("\t\r\b\f", "\"\\t\\r\\b\\f\"");
	check_escape("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
}

TEST(passes_utf8_through)
{
	check_escape("caf\xc3\xa9", "\"caf\xc3\xa9\"");
}

TEST(object_with_members_and_nesting)
{
	struct capture c;
	struct json j;

	cap_open(&c);
	json_init(&j, c.f);
	json_begin_object(&j, NULL);
	json_u64(&j, "id", 7);
	json_string(&j, "state", "open");
	json_null(&j, "owner");
	json_bool(&j, "lease_only", true);
	json_i64(&j, "neg", -3);
	json_u64(&j, "big", UINT64_MAX);
	json_begin_array(&j, "ranges");
	json_begin_object(&j, NULL);
	json_string(&j, "proto", "udp");
	json_end_object(&j);
	json_begin_object(&j, NULL);
	json_string(&j, "quote\"key", NULL);
	json_end_object(&j);
	json_end_array(&j);
	json_end_object(&j);
	EXPECT_STREQ(cap_done(&c),
		     "{\"id\":7,\"state\":\"open\",\"owner\":null,"
		     "\"lease_only\":true,\"neg\":-3,"
		     "\"big\":18446744073709551615,"
		     "\"ranges\":[{\"proto\":\"udp\"},{\"quote\\\"key\":null}]}\n");
	free(c.buf);
}

TEST(top_level_values_are_one_per_line)
{
	struct capture c;
	struct json j;

	cap_open(&c);
	json_init(&j, c.f);
	json_begin_object(&j, NULL);
	json_u64(&j, "n", 1);
	json_end_object(&j);
	json_begin_object(&j, NULL);
	json_u64(&j, "n", 2);
	json_end_object(&j);
	json_begin_array(&j, NULL);
	json_end_array(&j);
	EXPECT_STREQ(cap_done(&c), "{\"n\":1}\n{\"n\":2}\n[]\n");
	free(c.buf);
}
