// SPDX-License-Identifier: GPL-2.0
/*
 * gen_fw_corpus.c - writes corpus/fuzz_fw_parse/: netlink replies, dumps,
 * events and errors as pinhole.ko sends them (uapi/linux/pinhole.h), built
 * with libnl-3. Not part of the build; to regenerate:
 *
 *   cc -I../../uapi -I/usr/include/libnl3 gen_fw_corpus.c \
 *	-lnl-genl-3 -lnl-3 -o /tmp/gen && /tmp/gen corpus/fuzz_fw_parse
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netlink.h>

#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>

#include "linux/pinhole.h"

#define FAMILY	0x1d

static unsigned char out[8192];
static size_t outlen;

static void add(struct nl_msg *m)
{
	struct nlmsghdr *h = nlmsg_hdr(m);

	memcpy(out + outlen, h, NLMSG_ALIGN(h->nlmsg_len));
	outlen += NLMSG_ALIGN(h->nlmsg_len);
	nlmsg_free(m);
}

static void save(const char *dir, const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(out, 1, outlen, f) != outlen)
		exit(1);
	fclose(f);
	outlen = 0;
}

static struct nl_msg *genl(uint8_t cmd, int flags)
{
	struct nl_msg *m = nlmsg_alloc();

	genlmsg_put(m, 0, 1, FAMILY, 0, flags, cmd, PINHOLE_GENL_VERSION);
	return m;
}

static struct nl_msg *pinhole(uint8_t cmd, int v6, uint32_t id)
{
	struct nl_msg *m = genl(cmd, 0);
	unsigned char a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	uint32_t a4 = htonl(0xc0000201);

	nla_put_u32(m, PINHOLE_A_ID, id);
	nla_put_u64(m, PINHOLE_A_COOKIE, 0x1122334455667788ull);
	nla_put_u16(m, PINHOLE_A_FAMILY, v6 ? AF_INET6 : AF_INET);
	nla_put_u8(m, PINHOLE_A_PROTO, IPPROTO_UDP);
	if (v6)
		nla_put(m, PINHOLE_A_LOCAL_ADDR, 16, a6);
	else
		nla_put(m, PINHOLE_A_LOCAL_ADDR, 4, &a4);
	nla_put_u16(m, PINHOLE_A_LOCAL_PORT, 10000);
	if (v6)
		nla_put(m, PINHOLE_A_REMOTE_ADDR, 16, a6);
	else
		nla_put(m, PINHOLE_A_REMOTE_ADDR, 4, &a4);
	nla_put_u16(m, PINHOLE_A_REMOTE_PORT, 40000);
	nla_put_u8(m, PINHOLE_A_STATE, PINHOLE_STATE_ACTIVE);
	nla_put_u32(m, PINHOLE_A_OWNER, 4242);
	nla_put_u32(m, PINHOLE_A_LEASE_MS, 30000);
	nla_put_u64(m, PINHOLE_A_PACKETS, 100);
	nla_put_u64(m, PINHOLE_A_BYTES, 17200);
	nla_put_u64(m, PINHOLE_A_IDLE_MS, 20);
	nla_put_u32(m, PINHOLE_A_FLAGS, 0);
	return m;
}

static void done(int error)
{
	struct nl_msg *m = nlmsg_alloc_simple(NLMSG_DONE, NLM_F_MULTI);

	nlmsg_append(m, &error, sizeof(error), NLMSG_ALIGNTO);
	add(m);
}

/* an NLMSG_ERROR; capped: with extack TLVs after the request's header */
static void error(int code, const char *text, int offs, int miss_type,
		  int miss_nest)
{
	struct nl_msg *m = nlmsg_alloc_simple(NLMSG_ERROR,
					      text ? NLM_F_CAPPED |
					      NLM_F_ACK_TLVS : NLM_F_CAPPED);
	struct nlmsgerr e = { .error = code };

	e.msg.nlmsg_len = 60;
	e.msg.nlmsg_type = FAMILY;
	e.msg.nlmsg_seq = 1;
	nlmsg_append(m, &e, sizeof(e), NLMSG_ALIGNTO);
	if (text)
		nla_put_string(m, NLMSGERR_ATTR_MSG, text);
	if (offs >= 0)
		nla_put_u32(m, NLMSGERR_ATTR_OFFS, offs);
	if (miss_type >= 0)
		nla_put_u32(m, NLMSGERR_ATTR_MISS_TYPE, miss_type);
	if (miss_nest >= 0)
		nla_put_u32(m, NLMSGERR_ATTR_MISS_NEST, miss_nest);
	add(m);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	struct nlattr *n, *rs, *r;
	struct nl_msg *m;
	int i;

	add(pinhole(PINHOLE_CMD_GET, 0, 1));
	save(dir, "get_v4");

	add(pinhole(PINHOLE_CMD_OPEN, 1, 2));
	error(0, NULL, -1, -1, -1);
	save(dir, "open_v6_ack");

	add(pinhole(PINHOLE_CMD_GET, 0, 1));
	add(pinhole(PINHOLE_CMD_GET, 1, 2));
	done(0);
	save(dir, "dump_done");

	m = pinhole(PINHOLE_CMD_CLOSED_NTF, 0, 3);
	nla_put_u8(m, PINHOLE_A_REASON, PINHOLE_REASON_EXPIRED);
	add(m);
	save(dir, "event_closed");

	m = genl(PINHOLE_CMD_CLOSE, 0);
	nla_put_u32(m, PINHOLE_A_COUNT, 5);
	add(m);
	error(0, NULL, -1, -1, -1);
	save(dir, "count");

	m = genl(PINHOLE_CMD_GET_CONFIG, 0);
	n = nla_nest_start(m, PINHOLE_A_CONFIG);
	rs = nla_nest_start(m, PINHOLE_CFG_A_RANGES);
	for (i = 0; i < 2; i++) {
		r = nla_nest_start(m, PINHOLE_CFG_A_RANGE);
		nla_put_u8(m, PINHOLE_RANGE_A_PROTO, i ? IPPROTO_TCP :
			   IPPROTO_UDP);
		nla_put_u16(m, PINHOLE_RANGE_A_FIRST, 10000);
		nla_put_u16(m, PINHOLE_RANGE_A_LAST, 20000);
		nla_nest_end(m, r);
	}
	nla_nest_end(m, rs);
	nla_put_u32(m, PINHOLE_CFG_A_MAX_PINHOLES, 4096);
	nla_put_u32(m, PINHOLE_CFG_A_MAX_PER_OWNER, 1024);
	nla_put_u32(m, PINHOLE_CFG_A_OPEN_LEASE_MS, 30000);
	nla_put_u32(m, PINHOLE_CFG_A_PINNED_LEASE_MS, 60000);
	nla_put_u32(m, PINHOLE_CFG_A_ACTIVE_LEASE_MS, 120000);
	nla_put_u32(m, PINHOLE_CFG_A_MAX_LEASE_MS, 3600000);
	nla_put_u32(m, PINHOLE_CFG_A_OWNER_GRACE_MS, 5000);
	nla_nest_end(m, n);
	add(m);
	save(dir, "config");

	m = genl(PINHOLE_CMD_GET_STATS, 0);
	n = nla_nest_start(m, PINHOLE_A_STATS);
	for (i = PINHOLE_STATS_A_PINHOLES; i <= PINHOLE_STATS_A_REFUSED; i++)
		nla_put_u64(m, i, 1000 + i);
	nla_nest_end(m, n);
	add(m);
	save(dir, "stats");

	/* the request of fuzz_fw_parse.c: range 1's PROTO at 40, nest 36 */
	error(-EINVAL, "port range overlaps another", 40, -1, -1);
	save(dir, "extack_offs");
	error(-EINVAL, "missing attribute", -1, PINHOLE_RANGE_A_LAST, 36);
	save(dir, "extack_miss_nest");
	error(-ENOENT, "", -1, PINHOLE_A_ID, -1);
	save(dir, "extack_miss_top");

	add(pinhole(PINHOLE_CMD_GET, 0, 1));
	m = nlmsg_alloc_simple(NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS);
	i = -EBUSY;
	nlmsg_append(m, &i, sizeof(i), NLMSG_ALIGNTO);
	nla_put_string(m, NLMSGERR_ATTR_MSG, "dump interrupted");
	add(m);
	save(dir, "done_extack");
	return 0;
}
