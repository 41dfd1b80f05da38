/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktap.h - a tiny unit test runner printing KTAP.
 *
 *	#include "ktap.h"
 *
 *	TEST(parses_port)
 *	{
 *		uint16_t port;
 *
 *		ASSERT_EQ(cli_parse_port("5060", &port), 0);
 *		EXPECT_EQ(port, 5060);
 *	}
 *
 * tests/ktap.c provides main(): every TEST() of the binary runs in its
 * own child process (a crash fails only that test) and prints
 * "ok N name", "not ok N name" or "ok N name # SKIP reason", then a
 * "# Totals:" line. EXPECT_* records a failure and goes on, ASSERT_*
 * ends the test. The exit status is 0 when nothing failed, 1 otherwise.
 * Arguments select tests by name.
 */
#ifndef PINHOLE_TESTS_KTAP_H
#define PINHOLE_TESTS_KTAP_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct ktap_test {
	const char *name;
	void (*fn)(void);
	struct ktap_test *next;
};

void ktap_register(struct ktap_test *t);
void ktap_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ktap_abort(void) __attribute__((noreturn));
void ktap_skip(const char *reason) __attribute__((noreturn));

#define TEST(name)							\
	static void name(void);						\
	static struct ktap_test ktap_test_##name = { #name, name, 0 };	\
	__attribute__((constructor)) static void ktap_reg_##name(void)	\
	{								\
		ktap_register(&ktap_test_##name);			\
	}								\
	static void name(void)

#define KTAP_CHECK(cond, fatal, ...)					\
	do {								\
		if (!(cond)) {						\
			ktap_fail(__FILE__, __LINE__, __VA_ARGS__);	\
			if (fatal)					\
				ktap_abort();				\
		}							\
	} while (0)

#define KTAP_CMP(a, op, b, fatal)					\
	do {								\
		long long ka_ = (long long)(a), kb_ = (long long)(b);	\
		KTAP_CHECK(ka_ op kb_, fatal,				\
			   "%s %s %s (%lld vs %lld)", #a, #op, #b,	\
			   ka_, kb_);					\
	} while (0)

#define KTAP_STR(a, b, eq, fatal)					\
	do {								\
		const char *ka_ = (a), *kb_ = (b);			\
		KTAP_CHECK(ka_ && kb_ && (strcmp(ka_, kb_) == 0) == (eq),	\
			   fatal, "%s %s %s (\"%s\" vs \"%s\")", #a,	\
			   (eq) ? "==" : "!=", #b,			\
			   ka_ ? ka_ : "(null)", kb_ ? kb_ : "(null)"); \
	} while (0)

#define EXPECT_TRUE(c)		KTAP_CHECK(c, false, "%s", #c)
#define EXPECT_FALSE(c)		KTAP_CHECK(!(c), false, "!(%s)", #c)
#define EXPECT_EQ(a, b)		KTAP_CMP(a, ==, b, false)
#define EXPECT_NE(a, b)		KTAP_CMP(a, !=, b, false)
#define EXPECT_LT(a, b)		KTAP_CMP(a, <, b, false)
#define EXPECT_STREQ(a, b)	KTAP_STR(a, b, true, false)
#define EXPECT_STRNE(a, b)	KTAP_STR(a, b, false, false)
#define ASSERT_TRUE(c)		KTAP_CHECK(c, true, "%s", #c)
#define ASSERT_FALSE(c)		KTAP_CHECK(!(c), true, "!(%s)", #c)
#define ASSERT_EQ(a, b)		KTAP_CMP(a, ==, b, true)
#define ASSERT_NE(a, b)		KTAP_CMP(a, !=, b, true)
#define ASSERT_STREQ(a, b)	KTAP_STR(a, b, true, true)
#define SKIP(reason)		ktap_skip(reason)

#endif /* PINHOLE_TESTS_KTAP_H */
