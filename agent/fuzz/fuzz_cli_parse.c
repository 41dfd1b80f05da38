// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_cli_parse.c - every parser of pinholectl's arguments (cli_parse.c)
 * on the input as one argument. What a parser accepts must come back
 * through its formatter: cli_fmt_addr / cli_fmt_endpoint / cli_fmt_range
 * of a parsed value parses again to the same value; anything else aborts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "pinholectl/cli_parse.h"

static void check_rc(int rc)
{
	if (rc && rc != -EINVAL && rc != -ERANGE)
		abort();
}

static int addr_eq(const struct fw_addr *a, const struct fw_addr *b)
{
	if (a->family != b->family)
		return 0;
	if (a->family == AF_INET)
		return !memcmp(&a->v4, &b->v4, sizeof(a->v4));
	if (a->family == AF_INET6)
		return !memcmp(&a->v6, &b->v6, sizeof(a->v6));
	return 1;
}

static void addrs(const char *s)
{
	char buf[CLI_ENDPOINT_STRLEN];
	struct fw_addr a, b;
	uint16_t port, port2;
	int rc;

	rc = cli_parse_addr(s, &a);
	check_rc(rc);
	if (!rc && (cli_parse_addr(cli_fmt_addr(&a, buf, sizeof(buf)), &b) ||
		    !addr_eq(&a, &b)))
		abort();

	rc = cli_parse_endpoint(s, &a, &port);
	check_rc(rc);
	/* "ADDR:*" (an address, no port) is for display only */
	if (rc || (port == 0 && a.family != AF_UNSPEC))
		return;
	cli_fmt_endpoint(&a, port, buf, sizeof(buf));
	if (cli_parse_endpoint(buf, &b, &port2) || !addr_eq(&a, &b) ||
	    port2 != port)
		abort();
}

static void ranges(const char *s)
{
	char buf[64];
	struct fw_range r, r2;
	int rc;

	rc = cli_parse_range(s, &r);
	check_rc(rc);
	if (rc)
		return;
	cli_fmt_range(&r, buf, sizeof(buf));
	if (cli_parse_range(buf, &r2) || r2.proto != r.proto ||
	    r2.first != r.first || r2.last != r.last)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	uint32_t u32;
	uint64_t u64;
	uint16_t u16;
	uint8_t u8;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_rc(cli_parse_u32(s, &u32));
	check_rc(cli_parse_u64(s, &u64));
	check_rc(cli_parse_port(s, &u16));
	check_rc(cli_parse_ms(s, &u32));
	check_rc(cli_parse_proto(s, &u8));
	check_rc(cli_parse_family(s, &u16));
	addrs(s);
	ranges(s);
	free(s);
	return 0;
}
