// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_fw_parse.c - what pinhole/ does with the kernel's netlink replies
 * and events, without a socket: the input is a received buffer, walked as
 * fw_xfer() and fw_event_recv() walk theirs (NLMSG_OK / NLMSG_NEXT). An
 * NLMSG_ERROR or NLMSG_DONE goes to fw_xfer_error() / fw_xfer_done() (with
 * the extended ack resolved against a real request, a SET_CONFIG with
 * nests, as fw_extack() walks it); any other message goes to every reply
 * parser (pinhole, count, config, stats) and to the event parser.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pinhole/fw_priv.h"

#define FAMILY	0x1d	/* any id >= NLMSG_MIN_TYPE */

/* a SET_CONFIG request with every nest, for the extack's offsets */
static struct nl_msg *request(void)
{
	struct nlattr *cfg, *ranges, *range;
	struct nl_msg *msg = nlmsg_alloc();
	int i;

	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, 1, FAMILY, 0, 0,
				 PINHOLE_CMD_SET_CONFIG, PINHOLE_GENL_VERSION))
		abort();
	nla_put_u32(msg, PINHOLE_A_ID, 7);
	cfg = nla_nest_start(msg, PINHOLE_A_CONFIG);
	ranges = nla_nest_start(msg, PINHOLE_CFG_A_RANGES);
	for (i = 0; i < 2; i++) {
		range = nla_nest_start(msg, PINHOLE_CFG_A_RANGE);
		nla_put_u8(msg, PINHOLE_RANGE_A_PROTO, IPPROTO_UDP);
		nla_put_u16(msg, PINHOLE_RANGE_A_FIRST, 10000);
		nla_put_u16(msg, PINHOLE_RANGE_A_LAST, 20000);
		nla_nest_end(msg, range);
	}
	nla_nest_end(msg, ranges);
	nla_put_u32(msg, PINHOLE_CFG_A_MAX_PINHOLES, 100);
	nla_nest_end(msg, cfg);
	return msg;
}

static void check_err(const struct fw_err *err)
{
	if (strnlen(err->msg, sizeof(err->msg)) >= sizeof(err->msg))
		abort();
}

static void event(struct nlmsghdr *nlh)
{
	struct nlattr *tb[PINHOLE_A_MAX + 1];
	struct fw_event ev;

	if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
		return;
	memset(&ev, 0, sizeof(ev));
	ev.cmd = ((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd;
	if (fw_parse_attrs(nlh, tb) || fw_fill_pinhole(tb, &ev.ph))
		return;
	if (tb[PINHOLE_A_REASON])
		ev.reason = nla_get_u8(tb[PINHOLE_A_REASON]);
	(void)fw_event_name(ev.cmd);
	(void)fw_state_name(ev.ph.state);
	(void)fw_reason_name(ev.reason);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nl_msg *req;
	struct nlmsghdr *nlh;
	struct fw_pinhole ph;
	struct fw_config cfg;
	struct fw_stats st;
	struct fw_err err;
	uint32_t count;
	void *buf;
	int len, rc = 0;

	if (!req)
		req = request();
	if (size > 1 << 20)
		return 0;
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	len = (int)size;
	for (nlh = buf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
		memset(&err, 0, sizeof(err));
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			rc = fw_xfer_error(nlh, 0, req, &err);
			check_err(&err);
			break;
		}
		if (nlh->nlmsg_type == NLMSG_DONE) {
			rc = fw_xfer_done(nlh, 0, req, &err);
			check_err(&err);
			break;
		}
		if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
			continue;
		fw_parse_pinhole(nlh, &ph);
		fw_parse_count(nlh, &count);
		if (fw_parse_config(nlh, &cfg) == 0 &&
		    cfg.n_ranges > FW_MAX_RANGES)
			abort();
		fw_parse_stats(nlh, &st);
		event(nlh);
	}
	(void)rc;
	free(buf);
	return 0;
}
