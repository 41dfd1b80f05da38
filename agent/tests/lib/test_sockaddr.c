// SPDX-License-Identifier: GPL-2.0
/*
 * test_sockaddr.c - lib/sockaddr.c (lengths, ports, address comparison,
 * text) and lib/rand.c (hex length and alphabet, no repeats).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "lib/rand.h"
#include "lib/sockaddr.h"
#include "ktap.h"

static struct sockaddr_storage v4(const char *a, uint16_t port)
{
	struct sockaddr_storage ss = { .ss_family = AF_INET };

	inet_pton(AF_INET, a, &((struct sockaddr_in *)&ss)->sin_addr);
	sa_set_port(&ss, port);
	return ss;
}

static struct sockaddr_storage v6(const char *a, uint16_t port)
{
	struct sockaddr_storage ss = { .ss_family = AF_INET6 };

	inet_pton(AF_INET6, a, &((struct sockaddr_in6 *)&ss)->sin6_addr);
	sa_set_port(&ss, port);
	return ss;
}

TEST(sockaddr_len_and_port)
{
	struct sockaddr_storage a = v4("192.0.2.1", 5060), b = v6("2001:db8::1", 5062);
	struct sockaddr_storage u = { .ss_family = AF_UNIX };

	EXPECT_EQ(sa_len(AF_INET), sizeof(struct sockaddr_in));
	EXPECT_EQ(sa_len(AF_INET6), sizeof(struct sockaddr_in6));
	EXPECT_EQ(sa_port((struct sockaddr *)&a), 5060);
	EXPECT_EQ(sa_port((struct sockaddr *)&b), 5062);
	EXPECT_EQ(sa_port((struct sockaddr *)&u), 0);
}

TEST(sockaddr_same_addr_ignores_port_not_family)
{
	struct sockaddr_storage a = v4("192.0.2.1", 1), b = v4("192.0.2.1", 2);
	struct sockaddr_storage c = v4("192.0.2.2", 1), d = v6("::ffff:192.0.2.1", 1);
	struct sockaddr_storage e = v6("2001:db8::1", 1), f = v6("2001:db8::1", 9);

	EXPECT_TRUE(sa_same_addr(&a, &b));
	EXPECT_FALSE(sa_same_addr(&a, &c));
	EXPECT_FALSE(sa_same_addr(&a, &d));
	EXPECT_TRUE(sa_same_addr(&e, &f));
	EXPECT_FALSE(sa_same_addr(&d, &e));
}

TEST(sockaddr_str_brackets_v6)
{
	struct sockaddr_storage a = v4("192.0.2.1", 5060), b = v6("2001:db8::1", 5062);
	char buf[64];

	EXPECT_STREQ(sa_str(&a, buf, sizeof(buf)), "192.0.2.1:5060");
	EXPECT_STREQ(sa_str(&b, buf, sizeof(buf)), "[2001:db8::1]:5062");
}

TEST(rand_hex_length_alphabet_and_fit)
{
	char a[17], b[17], small[5];

	rand_hex(a, sizeof(a), 8);
	rand_hex(b, sizeof(b), 8);
	EXPECT_EQ(strlen(a), 16);
	EXPECT_EQ(strspn(a, "0123456789abcdef"), 16);
	EXPECT_STRNE(a, b);
	rand_hex(small, sizeof(small), 8);	/* shortened to what fits */
	EXPECT_EQ(strlen(small), 4);
}

TEST(rand_u64_varies)
{
	uint64_t x = rand_u64(), y = rand_u64(), z = rand_u64();

	EXPECT_TRUE(x != y || y != z);
}
