// SPDX-License-Identifier: GPL-2.0
/*
 * test_policy.c - pinholed's inbound policy as pure functions (policy.h):
 * CIDR prefixes parsed (IPv4, IPv6, /0, /32, /128, bad input) and
 * matched, the token bucket on an injected clock, the per-source table.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <netinet/in.h>
#include <string.h>

#include "pinholed/policy.h"
#include "ktap.h"

static char err[160];

static struct sockaddr_storage sa(const char *addr)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &((struct sockaddr_in *)&ss)->sin_addr))
		ss.ss_family = AF_INET;
	else if (inet_pton(AF_INET6, addr,
			   &((struct sockaddr_in6 *)&ss)->sin6_addr))
		ss.ss_family = AF_INET6;
	((struct sockaddr_in *)&ss)->sin_port = htons(5060);
	return ss;
}

static bool match(const char *cidr, const char *addr)
{
	struct sockaddr_storage ss = sa(addr);
	struct pol_cidr c;

	if (pol_cidr_parse(cidr, &c, err, sizeof(err)))
		return false;
	return pol_cidr_match(&c, (struct sockaddr *)&ss);
}

TEST(cidr_v4)
{
	struct pol_cidr c;

	ASSERT_EQ(pol_cidr_parse("192.0.2.0/24", &c, err, sizeof(err)), 0);
	EXPECT_EQ(c.family, AF_INET);
	EXPECT_EQ(c.bits, 24);
	EXPECT_TRUE(match("192.0.2.0/24", "192.0.2.200"));
	EXPECT_FALSE(match("192.0.2.0/24", "192.0.3.1"));
	EXPECT_TRUE(match("10.0.0.0/9", "10.127.255.255"));
	EXPECT_FALSE(match("10.0.0.0/9", "10.128.0.0"));
	EXPECT_FALSE(match("192.0.2.0/24", "2001:db8::1"));
}

TEST(cidr_v4_32_and_bare)
{
	EXPECT_TRUE(match("127.0.0.1/32", "127.0.0.1"));
	EXPECT_FALSE(match("127.0.0.1/32", "127.0.0.2"));
	EXPECT_TRUE(match("127.0.0.1", "127.0.0.1"));
	EXPECT_FALSE(match("127.0.0.1", "127.0.0.2"));
}

TEST(cidr_zero_prefix)
{
	EXPECT_TRUE(match("0.0.0.0/0", "203.0.113.9"));
	EXPECT_FALSE(match("0.0.0.0/0", "2001:db8::1"));
	EXPECT_TRUE(match("::/0", "2001:db8::1"));
	EXPECT_FALSE(match("::/0", "203.0.113.9"));
}

TEST(cidr_v6)
{
	EXPECT_TRUE(match("2001:db8::/32", "2001:db8:ffff::1"));
	EXPECT_FALSE(match("2001:db8::/32", "2001:db9::1"));
	EXPECT_TRUE(match("2001:db8:0:8000::/49", "2001:db8:0:ffff::1"));
	EXPECT_FALSE(match("2001:db8:0:8000::/49", "2001:db8:0:7fff::1"));
	EXPECT_TRUE(match("::1/128", "::1"));
	EXPECT_FALSE(match("::1/128", "::2"));
	EXPECT_TRUE(match("::1", "::1"));
}

TEST(cidr_v4_mapped_source_is_v4)
{
	EXPECT_TRUE(match("127.0.0.1/32", "::ffff:127.0.0.1"));
	EXPECT_FALSE(match("::ffff:0:0/96", "::ffff:127.0.0.1"));
}

TEST(cidr_bad_input)
{
	static const char *const bad[] = {
		"", "/", "1.2.3.4/", "1.2.3.4/33", "::1/129", "1.2.3.4/-1",
		"1.2.3.4/+8", "1.2.3.4/ 8", "1.2.3/24", "localhost",
		"1.2.3.4/8x", "1.2.3.4//8", "1.2.3.4/99999999999999999999",
		"fe80::1%lo/128", "10.0.0.1/8", "2001:db8::1/32",
		"123456789012345678901234567890123456789012345678901234567890",
	};
	struct pol_cidr c;

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		EXPECT_EQ(pol_cidr_parse(bad[i], &c, err, sizeof(err)),
			  -EINVAL);
		EXPECT_TRUE(err[0] != 0);
		EXPECT_EQ(c.family, 0);
	}
	pol_cidr_parse("10.0.0.1/8", &c, err, sizeof(err));
	EXPECT_STREQ(err, "'10.0.0.1/8': host bits set after /8");
	pol_cidr_parse("1.2.3.4/33", &c, err, sizeof(err));
	EXPECT_STREQ(err, "'1.2.3.4/33': the prefix length is 0-32");
	pol_cidr_parse("nope", &c, err, sizeof(err));
	EXPECT_STREQ(err, "'nope' is not an IPv4 or IPv6 address[/prefix]");
}

TEST(cidr_list)
{
	struct pol_cidr l[3];
	struct sockaddr_storage a = sa("::1"), b = sa("127.0.0.3");
	unsigned int n = 0;

	ASSERT_EQ(pol_cidr_list_add(l, &n, 3, "127.0.0.1/32, ::1", err,
				    sizeof(err)), 0);
	EXPECT_EQ(n, 2);
	EXPECT_TRUE(pol_allowed(l, n, (struct sockaddr *)&a));
	EXPECT_FALSE(pol_allowed(l, n, (struct sockaddr *)&b));
	/* a bad element or too many: nothing added */
	EXPECT_EQ(pol_cidr_list_add(l, &n, 3, "127.0.0.3,bad", err,
				    sizeof(err)), -EINVAL);
	EXPECT_EQ(n, 2);
	EXPECT_EQ(pol_cidr_list_add(l, &n, 3, "127.0.0.3,127.0.0.4", err,
				    sizeof(err)), -EINVAL);
	EXPECT_STREQ(err, "more than 3 prefixes");
	EXPECT_EQ(n, 2);
	EXPECT_EQ(pol_cidr_list_add(l, &n, 3, "127.0.0.3,", err,
				    sizeof(err)), -EINVAL);
	EXPECT_EQ(pol_cidr_list_add(l, &n, 3, "", err, sizeof(err)),
		  -EINVAL);
	EXPECT_EQ(n, 2);
	/* no list: everyone */
	EXPECT_TRUE(pol_allowed(l, 0, (struct sockaddr *)&b));
}

TEST(bucket_burst_then_rate)
{
	struct pol_bucket b = { 0 };
	unsigned int got = 0;

	for (int i = 0; i < 10; i++)
		got += pol_bucket_take(&b, 5, 5, 1000);
	EXPECT_EQ(got, 5);
	/* 5/s: one token per 200 ms */
	EXPECT_FALSE(pol_bucket_take(&b, 5, 5, 1199));
	EXPECT_TRUE(pol_bucket_take(&b, 5, 5, 1200));
	EXPECT_FALSE(pol_bucket_take(&b, 5, 5, 1200));
	/* over one second at most 5 */
	got = 0;
	for (uint64_t t = 1200; t <= 2200; t += 10)
		got += pol_bucket_take(&b, 5, 5, t);
	EXPECT_EQ(got, 5);
	/* a long pause fills it to the burst, not beyond */
	got = 0;
	for (int i = 0; i < 20; i++)
		got += pol_bucket_take(&b, 5, 5, UINT64_MAX / 2);
	EXPECT_EQ(got, 5);
	/* the clock going back takes nothing away and adds nothing */
	EXPECT_FALSE(pol_bucket_take(&b, 5, 5, 10));
}

TEST(bucket_fractional_rate)
{
	struct pol_bucket b = { 0 };

	EXPECT_TRUE(pol_bucket_take(&b, 3, 1, 0));
	EXPECT_FALSE(pol_bucket_take(&b, 3, 1, 333));
	EXPECT_TRUE(pol_bucket_take(&b, 3, 1, 334));
}

TEST(src_table)
{
	static struct pol_srcs t;
	struct sockaddr_storage a = sa("192.0.2.1"), a2 = sa("192.0.2.1"),
				m = sa("::ffff:192.0.2.1"), b = sa("2001:db8::1");
	struct sockaddr_storage u = { .ss_family = AF_UNIX };
	struct pol_src *pa, *pb;

	((struct sockaddr_in *)&a2)->sin_port = htons(9999);
	pa = pol_src_get(&t, (struct sockaddr *)&a, 1);
	ASSERT_TRUE(pa != NULL);
	pa->silenced = 7;
	EXPECT_TRUE(pol_src_get(&t, (struct sockaddr *)&a2, 2) == pa);
	EXPECT_TRUE(pol_src_get(&t, (struct sockaddr *)&m, 3) == pa);
	pb = pol_src_get(&t, (struct sockaddr *)&b, 4);
	ASSERT_TRUE(pb != NULL);
	EXPECT_TRUE(pb != pa);
	EXPECT_EQ(pb->silenced, 0);
	EXPECT_TRUE(pol_src_get(&t, (struct sockaddr *)&u, 5) == NULL);
}

TEST(src_table_evicts_least_recent)
{
	static struct pol_srcs t;
	struct sockaddr_storage a;
	char ip[32];

	/* many more sources than slots: every lookup gets an entry */
	for (unsigned int i = 0; i < 4 * POL_SRC_SLOTS; i++) {
		snprintf(ip, sizeof(ip), "10.%u.%u.%u", i >> 16 & 255,
			 i >> 8 & 255, i & 255);
		a = sa(ip);
		ASSERT_TRUE(pol_src_get(&t, (struct sockaddr *)&a, i) != NULL);
	}
	/* the last one is still there */
	EXPECT_EQ(pol_src_get(&t, (struct sockaddr *)&a, 0)->seen_ms, 0);
}

TEST(rate_parse)
{
	unsigned int r = 0;

	EXPECT_EQ(pol_rate_parse("5", &r), 0);
	EXPECT_EQ(r, 5);
	EXPECT_EQ(pol_rate_parse("20/s", &r), 0);
	EXPECT_EQ(r, 20);
	EXPECT_EQ(pol_rate_parse("0", &r), -EINVAL);
	EXPECT_EQ(pol_rate_parse("-1", &r), -EINVAL);
	EXPECT_EQ(pol_rate_parse("5/m", &r), -EINVAL);
	EXPECT_EQ(pol_rate_parse("100001", &r), -EINVAL);
	EXPECT_EQ(pol_rate_parse("", &r), -EINVAL);
	EXPECT_EQ(pol_rate_parse(NULL, &r), -EINVAL);
}
