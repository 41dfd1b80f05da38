// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for pjson.c: the compact text of jansson values, escaping,
 * exact u64, invalid UTF-8, and reading a reply line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/pjson.h"
#include "ktap.h"

/* pj_dumps(@v), compared with @want; @v is consumed */
static void check_dump(json_t *v, const char *want)
{
	char *s = pj_dumps(v);

	EXPECT_STREQ(s, want);
	free(s);
	json_decref(v);
}

static void check_str(const char *in, const char *want)
{
	check_dump(pj_str(in), want);
}

TEST(escapes_quotes_and_backslashes)
{
	check_str("plain", "\"plain\"");
	check_str("", "\"\"");
	check_str("say \"hi\"", "\"say \\\"hi\\\"\"");
	check_str("C:\\path", "\"C:\\\\path\"");
	check_str("a/b", "\"a/b\"");
	check_dump(pj_str(NULL), "null");
}

TEST(escapes_control_characters)
{
	check_str("l1\nl2", "\"l1\\nl2\"");
	check_str("\t\r\b\f", "\"\\t\\r\\b\\f\"");
	/* jansson writes \u001F; DEL needs no escape in JSON */
	check_str("\x01\x1f\x7f", "\"\\u0001\\u001F\x7f\"");
}

TEST(passes_utf8_through)
{
	check_str("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x9e",
		  "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x9e\"");
}

#define FFFD "\xef\xbf\xbd"

TEST(replaces_invalid_utf8)
{
	check_str("a\xff" "b", "\"a" FFFD "b\"");
	check_str("\xc3", "\"" FFFD "\"");			/* cut short */
	check_str("\xc3(x", "\"" FFFD "(x\"");		/* bad follower */
	check_str("\xc0\xaf", "\"" FFFD FFFD "\"");		/* overlong */
	check_str("\xe0\x80\xaf", "\"" FFFD FFFD FFFD "\"");	/* overlong */
	check_str("\xed\xa0\x80", "\"" FFFD FFFD FFFD "\"");	/* surrogate */
	check_str("\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"");
	check_str("\x80\"\xfe", "\"" FFFD "\\\"" FFFD "\"");
}

TEST(object_with_members_and_nesting)
{
	json_t *o = json_object(), *a = json_array(), *r;

	pj_set_u64(o, "id", 7);
	pj_set_str(o, "state", "open");
	pj_set_null(o, "owner");
	pj_set_bool(o, "lease_only", true);
	pj_set_bool(o, "registered", false);
	pj_set_u64(o, "big", UINT64_MAX);
	r = json_object();
	pj_set_str(r, "proto", "udp");
	json_array_append_new(a, r);
	r = json_object();
	pj_set_str(r, "quote\"key", NULL);
	json_array_append_new(a, r);
	json_object_set_new(o, "ranges", a);
	json_object_set_new(o, "empty", json_object());
	check_dump(o, "{\"id\":7,\"state\":\"open\",\"owner\":null,"
		   "\"lease_only\":true,\"registered\":false,"
		   "\"big\":18446744073709551615,"
		   "\"ranges\":[{\"proto\":\"udp\"},{\"quote\\\"key\":null}],"
		   "\"empty\":{}}");
}

TEST(u64_is_exact_across_int64_max)
{
	json_t *a = json_array();

	json_array_append_new(a, pj_u64(0));
	json_array_append_new(a, pj_u64(INT64_MAX));
	json_array_append_new(a, pj_u64((uint64_t)INT64_MAX + 1));
	json_array_append_new(a, pj_u64(12247473065455579039ULL));
	json_array_append_new(a, pj_u64(UINT64_MAX));
	json_array_append_new(a, pj_str("-1 is a string"));
	json_array_append_new(a, pj_str("\\\"-2"));
	check_dump(a, "[0,9223372036854775807,9223372036854775808,"
		   "12247473065455579039,18446744073709551615,"
		   "\"-1 is a string\",\"\\\\\\\"-2\"]");
}

TEST(keys_with_dashes_are_kept)
{
	json_t *o = json_object();

	pj_set_u64(o, "session-own", 3);
	pj_set_u64(o, "no-ack", UINT64_MAX - 1);
	check_dump(o, "{\"session-own\":3,\"no-ack\":18446744073709551614}");
}

TEST(print_ends_the_line)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *o = json_object(), *a = json_array();

	ASSERT_TRUE(f != NULL);
	pj_set_u64(o, "n", 1);
	EXPECT_EQ(pj_print(f, o), 0);
	EXPECT_EQ(pj_print(f, a), 0);
	EXPECT_EQ(pj_print(f, NULL), -1);
	fclose(f);
	EXPECT_STREQ(buf, "{\"n\":1}\n[]\n");
	json_decref(o);
	json_decref(a);
	free(buf);
}

TEST(loads_reads_big_numbers_and_bad_utf8)
{
	json_t *r = pj_loads("{\"ok\":true,\"id\":3,"
			     "\"cookie\":18446744073709551615,"
			     "\"peer\":\"a\xff\"}");

	ASSERT_TRUE(json_is_object(r));
	EXPECT_TRUE(json_is_true(json_object_get(r, "ok")));
	EXPECT_EQ(json_number_value(json_object_get(r, "id")), 3);
	EXPECT_TRUE(json_is_number(json_object_get(r, "cookie")));
	EXPECT_STREQ(json_string_value(json_object_get(r, "peer")),
		     "a" FFFD);
	json_decref(r);
	EXPECT_TRUE(pj_loads("{\"ok\":") == NULL);
	EXPECT_TRUE(pj_loads("") == NULL);
}
