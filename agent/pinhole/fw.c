// SPDX-License-Identifier: GPL-2.0
/*
 * fw.c - the pinhole netlink layer: the only place that builds and parses
 * pinhole generic netlink messages.
 *
 * libnl-3 builds the requests and resolves the family; replies are read by
 * our own loop (fw_xfer) so that the kernel's errno and its extended ack
 * reach the caller unchanged (libnl would translate both away).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>

#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "fw.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define FW_RECV_BUF_INIT	(32 * 1024)
#define FW_EVENT_RCVBUF		(1024 * 1024)
#define FW_REPLY_TIMEOUT_S	10
#define FW_DUMP_RETRIES		5

#define FW_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct fw_buf {
	unsigned char *p;
	size_t len;
};

struct fw {
	struct nl_sock *sk;		/* commands; its port id owns pinholes */
	struct nl_sock *ev;		/* events, NULL until subscribed */
	int family_id;
	int events_grp;			/* -1 if the family has no such group */
	struct fw_buf rx;		/* replies to commands */
	struct fw_buf evrx;		/* events: callbacks may send commands */
};

/* ---------------------------------------------------------------- errors */

static int fw_seterr(struct fw_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fw_seterr(struct fw_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->code = code;
		err->msg[0] = '\0';
		if (fmt) {
			va_start(ap, fmt);
			vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
			va_end(ap);
		}
	}
	return code;
}

static void fw_clearerr(struct fw_err *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}

/* ------------------------------------------------------------------ names */

enum fw_value_kind { FW_VK_STATE, FW_VK_REASON, FW_VK_EVENT, FW_VK_PROTO };

static const struct fw_value_name {
	enum fw_value_kind kind;
	unsigned int value;
	const char *name;
} fw_value_names[] = {
	{ FW_VK_STATE,	PINHOLE_STATE_OPEN,		"open" },
	{ FW_VK_STATE,	PINHOLE_STATE_PINNED,		"pinned" },
	{ FW_VK_STATE,	PINHOLE_STATE_ACTIVE,		"active" },
	{ FW_VK_REASON,	PINHOLE_REASON_REQUESTED,	"requested" },
	{ FW_VK_REASON,	PINHOLE_REASON_EXPIRED,		"expired" },
	{ FW_VK_REASON,	PINHOLE_REASON_OWNER_GONE,	"owner-gone" },
	{ FW_VK_REASON,	PINHOLE_REASON_FLUSH,		"flush" },
	{ FW_VK_REASON,	PINHOLE_REASON_NETNS_EXIT,	"netns-exit" },
	{ FW_VK_REASON,	PINHOLE_REASON_MODULE_EXIT,	"module-exit" },
	{ FW_VK_EVENT,	PINHOLE_CMD_OPENED_NTF,		"opened" },
	{ FW_VK_EVENT,	PINHOLE_CMD_PINNED_NTF,		"pinned" },
	{ FW_VK_EVENT,	PINHOLE_CMD_ACTIVATED_NTF,	"activated" },
	{ FW_VK_EVENT,	PINHOLE_CMD_CLOSED_NTF,		"closed" },
	{ FW_VK_PROTO,	IPPROTO_UDP,			"udp" },
	{ FW_VK_PROTO,	IPPROTO_TCP,			"tcp" },
};

/* The name of @value of @kind, or @unknown. */
static const char *fw_value_name(enum fw_value_kind kind, unsigned int value,
				 const char *unknown)
{
	const struct fw_value_name *n;

	for (n = fw_value_names;
	     n < fw_value_names + FW_ARRAY_SIZE(fw_value_names); n++)
		if (n->kind == kind && n->value == value)
			return n->name;
	return unknown;
}

const char *fw_state_name(uint8_t state)
{
	return fw_value_name(FW_VK_STATE, state, "?");
}

const char *fw_reason_name(uint8_t reason)
{
	return fw_value_name(FW_VK_REASON, reason, "?");
}

const char *fw_event_name(uint8_t cmd)
{
	return fw_value_name(FW_VK_EVENT, cmd, "?");
}

const char *fw_proto_name(uint8_t proto)
{
	return fw_value_name(FW_VK_PROTO, proto, NULL);
}

/* Attribute names, to say which attribute the kernel's extack points at. */
enum fw_attr_space { FW_SP_TOP, FW_SP_CFG, FW_SP_RANGES, FW_SP_RANGE,
		     FW_SP_STATS, FW_SP_NONE };

static const char *const fw_top_names[] = {
	[PINHOLE_A_ID] = "PINHOLE_A_ID",
	[PINHOLE_A_COOKIE] = "PINHOLE_A_COOKIE",
	[PINHOLE_A_FAMILY] = "PINHOLE_A_FAMILY",
	[PINHOLE_A_PROTO] = "PINHOLE_A_PROTO",
	[PINHOLE_A_LOCAL_ADDR] = "PINHOLE_A_LOCAL_ADDR",
	[PINHOLE_A_LOCAL_PORT] = "PINHOLE_A_LOCAL_PORT",
	[PINHOLE_A_REMOTE_ADDR] = "PINHOLE_A_REMOTE_ADDR",
	[PINHOLE_A_REMOTE_PORT] = "PINHOLE_A_REMOTE_PORT",
	[PINHOLE_A_STATE] = "PINHOLE_A_STATE",
	[PINHOLE_A_LEASE_MS] = "PINHOLE_A_LEASE_MS",
	[PINHOLE_A_OWNER] = "PINHOLE_A_OWNER",
	[PINHOLE_A_PACKETS] = "PINHOLE_A_PACKETS",
	[PINHOLE_A_BYTES] = "PINHOLE_A_BYTES",
	[PINHOLE_A_IDLE_MS] = "PINHOLE_A_IDLE_MS",
	[PINHOLE_A_FLAGS] = "PINHOLE_A_FLAGS",
	[PINHOLE_A_REASON] = "PINHOLE_A_REASON",
	[PINHOLE_A_COUNT] = "PINHOLE_A_COUNT",
	[PINHOLE_A_CONFIG] = "PINHOLE_A_CONFIG",
	[PINHOLE_A_STATS] = "PINHOLE_A_STATS",
};

static const char *const fw_cfg_names[] = {
	[PINHOLE_CFG_A_RANGES] = "PINHOLE_CFG_A_RANGES",
	[PINHOLE_CFG_A_RANGE] = "PINHOLE_CFG_A_RANGE",
	[PINHOLE_CFG_A_MAX_PINHOLES] = "PINHOLE_CFG_A_MAX_PINHOLES",
	[PINHOLE_CFG_A_MAX_PER_OWNER] = "PINHOLE_CFG_A_MAX_PER_OWNER",
	[PINHOLE_CFG_A_OPEN_LEASE_MS] = "PINHOLE_CFG_A_OPEN_LEASE_MS",
	[PINHOLE_CFG_A_PINNED_LEASE_MS] = "PINHOLE_CFG_A_PINNED_LEASE_MS",
	[PINHOLE_CFG_A_ACTIVE_LEASE_MS] = "PINHOLE_CFG_A_ACTIVE_LEASE_MS",
	[PINHOLE_CFG_A_MAX_LEASE_MS] = "PINHOLE_CFG_A_MAX_LEASE_MS",
	[PINHOLE_CFG_A_OWNER_GRACE_MS] = "PINHOLE_CFG_A_OWNER_GRACE_MS",
};

static const char *const fw_range_names[] = {
	[PINHOLE_RANGE_A_PROTO] = "PINHOLE_RANGE_A_PROTO",
	[PINHOLE_RANGE_A_FIRST] = "PINHOLE_RANGE_A_FIRST",
	[PINHOLE_RANGE_A_LAST] = "PINHOLE_RANGE_A_LAST",
};

#define FW_NAME(tbl, t) \
	((unsigned int)(t) < FW_ARRAY_SIZE(tbl) ? tbl[t] : NULL)

static const char *fw_attr_name(enum fw_attr_space sp, unsigned int type)
{
	switch (sp) {
	case FW_SP_TOP:		return FW_NAME(fw_top_names, type);
	case FW_SP_CFG:		return FW_NAME(fw_cfg_names, type);
	case FW_SP_RANGES:	return type == PINHOLE_CFG_A_RANGE ?
				       "PINHOLE_CFG_A_RANGE" : NULL;
	case FW_SP_RANGE:	return FW_NAME(fw_range_names, type);
	default:		return NULL;
	}
}

static enum fw_attr_space fw_nest_space(enum fw_attr_space sp,
					unsigned int type)
{
	if (sp == FW_SP_TOP && type == PINHOLE_A_CONFIG)
		return FW_SP_CFG;
	if (sp == FW_SP_TOP && type == PINHOLE_A_STATS)
		return FW_SP_STATS;
	if (sp == FW_SP_CFG && type == PINHOLE_CFG_A_RANGES)
		return FW_SP_RANGES;
	if (sp == FW_SP_RANGES && type == PINHOLE_CFG_A_RANGE)
		return FW_SP_RANGE;
	return FW_SP_NONE;
}

/*
 * Find the attribute starting at byte @off of the request; return its name
 * (or, with @inner, the space of the nest starting there).
 */
static const char *fw_find_attr(const struct nlattr *head, int len,
				const unsigned char *base, uint32_t off,
				enum fw_attr_space sp, enum fw_attr_space *inner)
{
	const struct nlattr *a;
	int rem;

	nla_for_each_attr(a, head, len, rem) {
		uint32_t start = (const unsigned char *)a - base;
		uint32_t end = start + a->nla_len;
		enum fw_attr_space nsp;

		if (off == start) {
			if (inner)
				*inner = fw_nest_space(sp, nla_type(a));
			return fw_attr_name(sp, nla_type(a));
		}
		if (off > start && off < end) {
			nsp = fw_nest_space(sp, nla_type(a));
			if (nsp == FW_SP_NONE)
				return NULL;
			return fw_find_attr(nla_data(a), nla_len(a), base, off,
					    nsp, inner);
		}
	}
	return NULL;
}

static const char *fw_req_attr_at(struct nl_msg *req, uint32_t off,
				  enum fw_attr_space *inner)
{
	struct nlmsghdr *nlh = nlmsg_hdr(req);
	struct nlattr *head = genlmsg_attrdata(nlmsg_data(nlh), 0);
	int len = genlmsg_attrlen(nlmsg_data(nlh), 0);

	if (off >= nlh->nlmsg_len)
		return NULL;
	return fw_find_attr(head, len, (const unsigned char *)nlh, off,
			    FW_SP_TOP, inner);
}

/*
 * Fill @err from the extended ack TLVs at @tlv (@len bytes) of an error or
 * done message answering @req.
 */
static void fw_extack(struct fw_err *err, int code, const void *tlv, int len,
		      struct nl_msg *req)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
	enum fw_attr_space sp = FW_SP_TOP;
	const char *text = NULL, *name;
	size_t n;

	fw_seterr(err, code, NULL);
	if (!err || len <= 0 ||
	    nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)tlv, len, NULL))
		return;

	if (tb[NLMSGERR_ATTR_MSG] && nla_len(tb[NLMSGERR_ATTR_MSG]) > 0) {
		text = nla_data(tb[NLMSGERR_ATTR_MSG]);
		n = strnlen(text, nla_len(tb[NLMSGERR_ATTR_MSG]));
		snprintf(err->msg, sizeof(err->msg), "%.*s", (int)n, text);
	}

	if (tb[NLMSGERR_ATTR_OFFS] && nla_len(tb[NLMSGERR_ATTR_OFFS]) >= 4) {
		name = fw_req_attr_at(req, nla_get_u32(tb[NLMSGERR_ATTR_OFFS]),
				      NULL);
		n = strlen(err->msg);
		if (name)
			snprintf(err->msg + n, sizeof(err->msg) - n,
				 "%s(attribute %s)", n ? " " : "", name);
	}

	if (tb[NLMSGERR_ATTR_MISS_TYPE] &&
	    nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) >= 4) {
		uint32_t type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);

		if (tb[NLMSGERR_ATTR_MISS_NEST] &&
		    nla_len(tb[NLMSGERR_ATTR_MISS_NEST]) >= 4) {
			sp = FW_SP_NONE;
			fw_req_attr_at(req,
				       nla_get_u32(tb[NLMSGERR_ATTR_MISS_NEST]),
				       &sp);
		}
		name = fw_attr_name(sp, type);
		n = strlen(err->msg);
		if (name)
			snprintf(err->msg + n, sizeof(err->msg) - n,
				 "%s(missing attribute %s)", n ? " " : "",
				 name);
		else
			snprintf(err->msg + n, sizeof(err->msg) - n,
				 "%s(missing attribute %u)", n ? " " : "",
				 type);
	}
}

/* -------------------------------------------------------------- receiving */

static ssize_t fw_recv(struct fw_buf *b, int fd, int flags)
{
	ssize_t n;
	void *nbuf;

	for (;;) {
		n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC | flags);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if ((size_t)n > b->len || !b->p) {
			size_t len = (size_t)n > FW_RECV_BUF_INIT ?
				     (size_t)n : FW_RECV_BUF_INIT;

			nbuf = realloc(b->p, len);
			if (!nbuf)
				return -ENOMEM;
			b->p = nbuf;
			b->len = len;
		}
		n = recv(fd, b->p, b->len, flags);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		return n;
	}
}

/* Called for each reply message of the family; negative return = error. */
typedef int (*fw_parse_fn)(struct nlmsghdr *nlh, void *arg);

/*
 * Send @req (consumed) and read the replies until the ack, the error or the
 * end of the dump. @parse sees each family message. A dump flagged as
 * interrupted ends in -EINTR.
 */
static int fw_xfer(struct fw *fw, struct nl_msg *req, fw_parse_fn parse,
		   void *arg, struct fw_err *err)
{
	int fd = nl_socket_get_fd(fw->sk);
	bool done = false, intr = false;
	uint32_t seq;
	int rc = 0, cbrc;
	ssize_t n;

	fw_clearerr(err);
	n = nl_send_auto(fw->sk, req);
	if (n < 0) {
		rc = fw_seterr(err, -EIO, "sending the request failed: %s",
			       nl_geterror(n));
		goto out;
	}
	seq = nlmsg_hdr(req)->nlmsg_seq;

	while (!done) {
		struct nlmsghdr *nlh;
		int len;

		n = fw_recv(&fw->rx, fd, 0);
		if (n < 0) {
			if (n == -EAGAIN || n == -EWOULDBLOCK)
				rc = fw_seterr(err, -ETIMEDOUT,
					       "no reply from the kernel");
			else
				rc = fw_seterr(err, n, "receiving: %s",
					       strerror(-n));
			goto out;
		}
		len = n;
		for (nlh = (struct nlmsghdr *)fw->rx.p; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_seq != seq)
				continue;	/* stale, from an aborted call */
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;

			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nlh);
				size_t pl = sizeof(*e);

				done = true;
				if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
					rc = fw_seterr(err, -EPROTO,
						       "truncated netlink error");
					break;
				}
				if (e->error == 0)
					break;	/* the ack */
				if (rc)
					break;	/* keep the first error */
				rc = e->error;
				if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
					pl += e->msg.nlmsg_len - NLMSG_HDRLEN;
				pl = NLMSG_ALIGN(pl);
				if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
				    NLMSG_LENGTH(pl) > nlh->nlmsg_len)
					fw_seterr(err, rc, NULL);
				else
					fw_extack(err, rc,
						  (char *)NLMSG_DATA(nlh) + pl,
						  nlh->nlmsg_len -
						  NLMSG_LENGTH(pl), req);
				break;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				size_t pl = NLMSG_ALIGN(sizeof(int));
				int derr = 0;

				done = true;
				if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					memcpy(&derr, NLMSG_DATA(nlh),
					       sizeof(int));
				if (derr < 0 && !rc) {
					rc = derr;
					if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
					    NLMSG_LENGTH(pl) <= nlh->nlmsg_len)
						fw_extack(err, rc,
							  (char *)NLMSG_DATA(nlh) + pl,
							  nlh->nlmsg_len -
							  NLMSG_LENGTH(pl), req);
					else
						fw_seterr(err, rc, NULL);
				}
				break;
			}
			if (nlh->nlmsg_type == NLMSG_NOOP)
				continue;
			if (nlh->nlmsg_type == NLMSG_OVERRUN) {
				if (!rc)
					rc = fw_seterr(err, -EIO,
						       "netlink overrun");
				continue;
			}
			if (nlh->nlmsg_type != fw->family_id || !parse || rc)
				continue;
			cbrc = parse(nlh, arg);
			if (cbrc < 0)
				rc = fw_seterr(err, cbrc, cbrc == -EPROTO ?
					       "malformed reply from the kernel" :
					       NULL);
		}
	}
	if (!rc && intr)
		rc = fw_seterr(err, -EINTR,
			       "dump interrupted by concurrent changes");
out:
	nlmsg_free(req);
	return rc;
}

/* ---------------------------------------------------------------- parsing */

static struct nla_policy fw_policy[PINHOLE_A_MAX + 1] = {
	[PINHOLE_A_ID]		= { .type = NLA_U32 },
	[PINHOLE_A_COOKIE]	= { .type = NLA_U64 },
	[PINHOLE_A_FAMILY]	= { .type = NLA_U16 },
	[PINHOLE_A_PROTO]	= { .type = NLA_U8 },
	[PINHOLE_A_LOCAL_ADDR]	= { .type = NLA_UNSPEC, .minlen = 4 },
	[PINHOLE_A_LOCAL_PORT]	= { .type = NLA_U16 },
	[PINHOLE_A_REMOTE_ADDR]	= { .type = NLA_UNSPEC, .minlen = 4 },
	[PINHOLE_A_REMOTE_PORT]	= { .type = NLA_U16 },
	[PINHOLE_A_STATE]	= { .type = NLA_U8 },
	[PINHOLE_A_LEASE_MS]	= { .type = NLA_U32 },
	[PINHOLE_A_OWNER]	= { .type = NLA_U32 },
	[PINHOLE_A_PACKETS]	= { .type = NLA_U64 },
	[PINHOLE_A_BYTES]	= { .type = NLA_U64 },
	[PINHOLE_A_IDLE_MS]	= { .type = NLA_U64 },
	[PINHOLE_A_FLAGS]	= { .type = NLA_U32 },
	[PINHOLE_A_REASON]	= { .type = NLA_U8 },
	[PINHOLE_A_COUNT]	= { .type = NLA_U32 },
	[PINHOLE_A_CONFIG]	= { .type = NLA_NESTED },
	[PINHOLE_A_STATS]	= { .type = NLA_NESTED },
};

static int fw_parse_attrs(struct nlmsghdr *nlh, struct nlattr **tb)
{
	if (genlmsg_parse(nlh, 0, tb, PINHOLE_A_MAX, fw_policy) < 0)
		return -EPROTO;
	return 0;
}

static int fw_get_addr(const struct nlattr *a, uint16_t family,
		       struct fw_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (!a)
		return 0;
	if (family == AF_INET && nla_len(a) == 4) {
		memcpy(&out->v4, nla_data(a), 4);
	} else if (family == AF_INET6 && nla_len(a) == 16) {
		memcpy(&out->v6, nla_data(a), 16);
	} else {
		return -EPROTO;
	}
	out->family = family;
	return 0;
}

static int fw_fill_pinhole(struct nlattr **tb, struct fw_pinhole *ph)
{
	memset(ph, 0, sizeof(*ph));
	if (!tb[PINHOLE_A_ID] || !tb[PINHOLE_A_FAMILY])
		return -EPROTO;
	ph->id = nla_get_u32(tb[PINHOLE_A_ID]);
	ph->family = nla_get_u16(tb[PINHOLE_A_FAMILY]);
	if (tb[PINHOLE_A_COOKIE])
		ph->cookie = nla_get_u64(tb[PINHOLE_A_COOKIE]);
	if (tb[PINHOLE_A_PROTO])
		ph->proto = nla_get_u8(tb[PINHOLE_A_PROTO]);
	if (fw_get_addr(tb[PINHOLE_A_LOCAL_ADDR], ph->family, &ph->local) ||
	    fw_get_addr(tb[PINHOLE_A_REMOTE_ADDR], ph->family, &ph->remote))
		return -EPROTO;
	if (tb[PINHOLE_A_LOCAL_PORT])
		ph->local_port = nla_get_u16(tb[PINHOLE_A_LOCAL_PORT]);
	if (tb[PINHOLE_A_REMOTE_PORT])
		ph->remote_port = nla_get_u16(tb[PINHOLE_A_REMOTE_PORT]);
	if (tb[PINHOLE_A_STATE])
		ph->state = nla_get_u8(tb[PINHOLE_A_STATE]);
	if (tb[PINHOLE_A_OWNER]) {
		ph->has_owner = true;
		ph->owner = nla_get_u32(tb[PINHOLE_A_OWNER]);
	}
	if (tb[PINHOLE_A_LEASE_MS])
		ph->lease_ms = nla_get_u32(tb[PINHOLE_A_LEASE_MS]);
	if (tb[PINHOLE_A_PACKETS])
		ph->packets = nla_get_u64(tb[PINHOLE_A_PACKETS]);
	if (tb[PINHOLE_A_BYTES])
		ph->bytes = nla_get_u64(tb[PINHOLE_A_BYTES]);
	if (tb[PINHOLE_A_IDLE_MS]) {
		ph->has_idle = true;
		ph->idle_ms = nla_get_u64(tb[PINHOLE_A_IDLE_MS]);
	}
	if (tb[PINHOLE_A_FLAGS])
		ph->flags = nla_get_u32(tb[PINHOLE_A_FLAGS]);
	return 0;
}

static int fw_parse_pinhole(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[PINHOLE_A_MAX + 1];
	struct fw_pinhole tmp;

	if (fw_parse_attrs(nlh, tb))
		return -EPROTO;
	return fw_fill_pinhole(tb, arg ? arg : &tmp);
}

static int fw_parse_count(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[PINHOLE_A_MAX + 1];

	if (fw_parse_attrs(nlh, tb))
		return -EPROTO;
	if (arg && tb[PINHOLE_A_COUNT])
		*(uint32_t *)arg = nla_get_u32(tb[PINHOLE_A_COUNT]);
	return 0;
}

static struct nla_policy fw_cfg_policy[PINHOLE_CFG_A_MAX + 1] = {
	[PINHOLE_CFG_A_RANGES]		= { .type = NLA_NESTED },
	[PINHOLE_CFG_A_MAX_PINHOLES]	= { .type = NLA_U32 },
	[PINHOLE_CFG_A_MAX_PER_OWNER]	= { .type = NLA_U32 },
	[PINHOLE_CFG_A_OPEN_LEASE_MS]	= { .type = NLA_U32 },
	[PINHOLE_CFG_A_PINNED_LEASE_MS]	= { .type = NLA_U32 },
	[PINHOLE_CFG_A_ACTIVE_LEASE_MS]	= { .type = NLA_U32 },
	[PINHOLE_CFG_A_MAX_LEASE_MS]	= { .type = NLA_U32 },
	[PINHOLE_CFG_A_OWNER_GRACE_MS]	= { .type = NLA_U32 },
};

static struct nla_policy fw_range_policy[PINHOLE_RANGE_A_MAX + 1] = {
	[PINHOLE_RANGE_A_PROTO]	= { .type = NLA_U8 },
	[PINHOLE_RANGE_A_FIRST]	= { .type = NLA_U16 },
	[PINHOLE_RANGE_A_LAST]	= { .type = NLA_U16 },
};

/* The u32 members of struct fw_config: attribute, FW_CFG_* bit, member. */
static const struct fw_cfg_u32 {
	int attr;
	uint32_t bit;
	size_t off;
} fw_cfg_u32s[] = {
#define F(a, b, m) { a, b, offsetof(struct fw_config, m) }
	F(PINHOLE_CFG_A_MAX_PINHOLES, FW_CFG_MAX_PINHOLES, max_pinholes),
	F(PINHOLE_CFG_A_MAX_PER_OWNER, FW_CFG_MAX_PER_OWNER, max_per_owner),
	F(PINHOLE_CFG_A_OPEN_LEASE_MS, FW_CFG_OPEN_LEASE, open_lease_ms),
	F(PINHOLE_CFG_A_PINNED_LEASE_MS, FW_CFG_PINNED_LEASE, pinned_lease_ms),
	F(PINHOLE_CFG_A_ACTIVE_LEASE_MS, FW_CFG_ACTIVE_LEASE, active_lease_ms),
	F(PINHOLE_CFG_A_MAX_LEASE_MS, FW_CFG_MAX_LEASE, max_lease_ms),
	F(PINHOLE_CFG_A_OWNER_GRACE_MS, FW_CFG_OWNER_GRACE, owner_grace_ms),
#undef F
};

static uint32_t fw_cfg_get_u32(const struct fw_config *cfg,
			       const struct fw_cfg_u32 *f)
{
	return *(const uint32_t *)((const char *)cfg + f->off);
}

static void fw_cfg_set_u32(struct fw_config *cfg, const struct fw_cfg_u32 *f,
			   uint32_t v)
{
	*(uint32_t *)((char *)cfg + f->off) = v;
}

/* The top-level attributes of @nlh, then those of its nest @attr in @ntb. */
static int fw_parse_nest(struct nlmsghdr *nlh, int attr, struct nlattr **ntb,
			 int max, struct nla_policy *policy)
{
	struct nlattr *tb[PINHOLE_A_MAX + 1];

	if (fw_parse_attrs(nlh, tb) || !tb[attr] ||
	    nla_parse_nested(ntb, max, tb[attr], policy) < 0)
		return -EPROTO;
	return 0;
}

/* One PINHOLE_CFG_A_RANGE nest into @fr; all its members are required. */
static int fw_parse_range(struct nlattr *r, struct fw_range *fr)
{
	struct nlattr *rtb[PINHOLE_RANGE_A_MAX + 1];

	if (nla_parse_nested(rtb, PINHOLE_RANGE_A_MAX, r,
			     fw_range_policy) < 0 ||
	    !rtb[PINHOLE_RANGE_A_PROTO] ||
	    !rtb[PINHOLE_RANGE_A_FIRST] ||
	    !rtb[PINHOLE_RANGE_A_LAST])
		return -EPROTO;
	fr->proto = nla_get_u8(rtb[PINHOLE_RANGE_A_PROTO]);
	fr->first = nla_get_u16(rtb[PINHOLE_RANGE_A_FIRST]);
	fr->last = nla_get_u16(rtb[PINHOLE_RANGE_A_LAST]);
	return 0;
}

/* The PINHOLE_CFG_A_RANGES nest @ranges into @cfg. */
static int fw_parse_ranges(struct nlattr *ranges, struct fw_config *cfg)
{
	struct nlattr *r;
	int rem;

	cfg->present |= FW_CFG_RANGES;
	nla_for_each_nested(r, ranges, rem) {
		if (nla_type(r) != PINHOLE_CFG_A_RANGE)
			continue;
		if (cfg->n_ranges >= FW_MAX_RANGES ||
		    fw_parse_range(r, &cfg->ranges[cfg->n_ranges]))
			return -EPROTO;
		cfg->n_ranges++;
	}
	return 0;
}

static int fw_parse_config(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *ctb[PINHOLE_CFG_A_MAX + 1];
	struct fw_config *cfg = arg;
	const struct fw_cfg_u32 *f;

	if (fw_parse_nest(nlh, PINHOLE_A_CONFIG, ctb, PINHOLE_CFG_A_MAX,
			  fw_cfg_policy))
		return -EPROTO;
	if (!cfg)
		return 0;
	memset(cfg, 0, sizeof(*cfg));
	for (f = fw_cfg_u32s; f < fw_cfg_u32s + FW_ARRAY_SIZE(fw_cfg_u32s);
	     f++) {
		if (!ctb[f->attr])
			continue;
		fw_cfg_set_u32(cfg, f, nla_get_u32(ctb[f->attr]));
		cfg->present |= f->bit;
	}
	if (ctb[PINHOLE_CFG_A_RANGES])
		return fw_parse_ranges(ctb[PINHOLE_CFG_A_RANGES], cfg);
	return 0;
}

static struct nla_policy fw_stats_policy[PINHOLE_STATS_A_MAX + 1] = {
	[PINHOLE_STATS_A_PINHOLES]	 = { .type = NLA_U64 },
	[PINHOLE_STATS_A_OPENED]	 = { .type = NLA_U64 },
	[PINHOLE_STATS_A_CLOSED]	 = { .type = NLA_U64 },
	[PINHOLE_STATS_A_EXPIRED]	 = { .type = NLA_U64 },
	[PINHOLE_STATS_A_OWNER_GONE]	 = { .type = NLA_U64 },
	[PINHOLE_STATS_A_PKTS_ACCEPTED]	 = { .type = NLA_U64 },
	[PINHOLE_STATS_A_BYTES_ACCEPTED] = { .type = NLA_U64 },
	[PINHOLE_STATS_A_PKTS_DROPPED]	 = { .type = NLA_U64 },
	[PINHOLE_STATS_A_BYTES_DROPPED]	 = { .type = NLA_U64 },
	[PINHOLE_STATS_A_REFUSED]	 = { .type = NLA_U64 },
};

static int fw_parse_stats(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *stb[PINHOLE_STATS_A_MAX + 1];
	struct fw_stats *st = arg;

	if (fw_parse_nest(nlh, PINHOLE_A_STATS, stb, PINHOLE_STATS_A_MAX,
			  fw_stats_policy))
		return -EPROTO;
	if (!st)
		return 0;
#define S(a, m) st->m = stb[a] ? nla_get_u64(stb[a]) : 0
	S(PINHOLE_STATS_A_PINHOLES, pinholes);
	S(PINHOLE_STATS_A_OPENED, opened);
	S(PINHOLE_STATS_A_CLOSED, closed);
	S(PINHOLE_STATS_A_EXPIRED, expired);
	S(PINHOLE_STATS_A_OWNER_GONE, owner_gone);
	S(PINHOLE_STATS_A_PKTS_ACCEPTED, pkts_accepted);
	S(PINHOLE_STATS_A_BYTES_ACCEPTED, bytes_accepted);
	S(PINHOLE_STATS_A_PKTS_DROPPED, pkts_dropped);
	S(PINHOLE_STATS_A_BYTES_DROPPED, bytes_dropped);
	S(PINHOLE_STATS_A_REFUSED, refused);
#undef S
	return 0;
}

/* --------------------------------------------------------------- building */

static struct nl_msg *fw_msg(struct fw *fw, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, fw->family_id, 0,
			 flags, cmd, PINHOLE_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int fw_put_addr(struct nl_msg *msg, int attr, const struct fw_addr *a)
{
	if (!a || a->family == AF_UNSPEC)
		return 0;
	if (a->family == AF_INET)
		return nla_put(msg, attr, sizeof(a->v4), &a->v4);
	if (a->family == AF_INET6)
		return nla_put(msg, attr, sizeof(a->v6), &a->v6);
	return -NLE_INVAL;
}

static int fw_nomem(struct nl_msg *msg, struct fw_err *err)
{
	nlmsg_free(msg);
	return fw_seterr(err, -ENOMEM, "building the request failed");
}

/* Commands on one pinhole id replying with the pinhole. */
static int fw_id_cmd(struct fw *fw, uint8_t cmd, uint32_t id,
		     const struct fw_addr *remote, uint16_t remote_port,
		     uint32_t lease_ms, struct fw_pinhole *out,
		     struct fw_err *err)
{
	struct nl_msg *msg = fw_msg(fw, cmd, 0);

	if (!msg)
		return fw_seterr(err, -ENOMEM, "out of memory");
	if (nla_put_u32(msg, PINHOLE_A_ID, id) ||
	    (remote && remote->family != AF_UNSPEC &&
	     fw_put_addr(msg, PINHOLE_A_REMOTE_ADDR, remote)) ||
	    (remote_port && nla_put_u16(msg, PINHOLE_A_REMOTE_PORT,
					remote_port)) ||
	    (lease_ms && nla_put_u32(msg, PINHOLE_A_LEASE_MS, lease_ms)))
		return fw_nomem(msg, err);
	return fw_xfer(fw, msg, fw_parse_pinhole, out, err);
}

/* Commands with no attribute. */
static int fw_plain_cmd(struct fw *fw, uint8_t cmd, int flags,
			fw_parse_fn parse, void *arg, struct fw_err *err)
{
	struct nl_msg *msg = fw_msg(fw, cmd, flags);

	if (!msg)
		return fw_seterr(err, -ENOMEM, "out of memory");
	return fw_xfer(fw, msg, parse, arg, err);
}

/*
 * CLOSE and FLUSH: at most one attribute, @attr of @len bytes at @val (none
 * when @val is NULL); @count (may be NULL) gets the PINHOLE_A_COUNT of the
 * reply, 0 without one.
 */
static int fw_count_cmd(struct fw *fw, uint8_t cmd, int attr, const void *val,
			int len, uint32_t *count, struct fw_err *err)
{
	struct nl_msg *msg = fw_msg(fw, cmd, 0);

	if (!msg)
		return fw_seterr(err, -ENOMEM, "out of memory");
	if (val && nla_put(msg, attr, len, val))
		return fw_nomem(msg, err);
	if (count)
		*count = 0;
	return fw_xfer(fw, msg, fw_parse_count, count, err);
}

/* ---------------------------------------------------------------- handle */

static int fw_set_opt(int fd, int opt)
{
	int one = 1;

	return setsockopt(fd, SOL_NETLINK, opt, &one, sizeof(one));
}

struct fw *fw_open(struct fw_err *err)
{
	struct timeval tv = { .tv_sec = FW_REPLY_TIMEOUT_S };
	struct fw *fw;
	int rc, fd;

	fw_clearerr(err);
	fw = calloc(1, sizeof(*fw));
	if (!fw) {
		fw_seterr(err, -ENOMEM, "out of memory");
		return NULL;
	}
	fw->events_grp = -1;
	fw->sk = nl_socket_alloc();
	if (!fw->sk) {
		fw_seterr(err, -ENOMEM, "out of memory");
		goto fail;
	}
	rc = genl_connect(fw->sk);
	if (rc < 0) {
		fw_seterr(err, -EIO, "cannot open a generic netlink socket: %s",
			  nl_geterror(rc));
		goto fail;
	}
	rc = genl_ctrl_resolve(fw->sk, PINHOLE_GENL_NAME);
	if (rc < 0) {
		if (rc == -NLE_OBJ_NOTFOUND)
			fw_seterr(err, -ENOENT,
				  "pinhole.ko is not loaded (generic netlink family '%s' not found)",
				  PINHOLE_GENL_NAME);
		else
			fw_seterr(err, -EIO,
				  "cannot resolve generic netlink family '%s': %s",
				  PINHOLE_GENL_NAME, nl_geterror(rc));
		goto fail;
	}
	fw->family_id = rc;
	rc = genl_ctrl_resolve_grp(fw->sk, PINHOLE_GENL_NAME,
				   PINHOLE_MCGRP_EVENTS);
	if (rc >= 0)
		fw->events_grp = rc;

	/* Errors and their extack without an echo of our request. */
	fd = nl_socket_get_fd(fw->sk);
	fw_set_opt(fd, NETLINK_EXT_ACK);
	fw_set_opt(fd, NETLINK_CAP_ACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fw;

fail:
	fw_close_handle(fw);
	return NULL;
}

void fw_close_handle(struct fw *fw)
{
	if (!fw)
		return;
	if (fw->ev)
		nl_socket_free(fw->ev);	/* closes the fd */
	if (fw->sk)
		nl_socket_free(fw->sk);
	free(fw->rx.p);
	free(fw->evrx.p);
	free(fw);
}

uint32_t fw_portid(const struct fw *fw)
{
	return nl_socket_get_local_port(fw->sk);
}

/* -------------------------------------------------------------- commands */

int fw_pinhole_open(struct fw *fw, const struct fw_pinhole_req *req,
		    struct fw_pinhole *out, struct fw_err *err)
{
	struct nl_msg *msg;

	if (!req)
		return fw_seterr(err, -EINVAL, "no request");
	msg = fw_msg(fw, PINHOLE_CMD_OPEN, 0);
	if (!msg)
		return fw_seterr(err, -ENOMEM, "out of memory");
	if (nla_put_u16(msg, PINHOLE_A_FAMILY, req->family) ||
	    nla_put_u8(msg, PINHOLE_A_PROTO, req->proto) ||
	    nla_put_u16(msg, PINHOLE_A_LOCAL_PORT, req->local_port) ||
	    fw_put_addr(msg, PINHOLE_A_LOCAL_ADDR, &req->local) ||
	    fw_put_addr(msg, PINHOLE_A_REMOTE_ADDR, &req->remote) ||
	    (req->remote_port &&
	     nla_put_u16(msg, PINHOLE_A_REMOTE_PORT, req->remote_port)) ||
	    nla_put_u64(msg, PINHOLE_A_COOKIE, req->cookie) ||
	    (req->lease_ms &&
	     nla_put_u32(msg, PINHOLE_A_LEASE_MS, req->lease_ms)) ||
	    (req->flags && nla_put_u32(msg, PINHOLE_A_FLAGS, req->flags)))
		return fw_nomem(msg, err);
	return fw_xfer(fw, msg, fw_parse_pinhole, out, err);
}

int fw_pin(struct fw *fw, uint32_t id, uint32_t lease_ms,
	   struct fw_pinhole *out, struct fw_err *err)
{
	return fw_id_cmd(fw, PINHOLE_CMD_PIN, id, NULL, 0, lease_ms, out, err);
}

int fw_activate(struct fw *fw, uint32_t id, const struct fw_addr *remote,
		uint16_t remote_port, uint32_t lease_ms,
		struct fw_pinhole *out, struct fw_err *err)
{
	return fw_id_cmd(fw, PINHOLE_CMD_ACTIVATE, id, remote, remote_port,
			 lease_ms, out, err);
}

int fw_renew(struct fw *fw, uint32_t id, uint32_t lease_ms,
	     struct fw_pinhole *out, struct fw_err *err)
{
	return fw_id_cmd(fw, PINHOLE_CMD_RENEW, id, NULL, 0, lease_ms, out,
			 err);
}

int fw_get(struct fw *fw, uint32_t id, struct fw_pinhole *out,
	   struct fw_err *err)
{
	return fw_id_cmd(fw, PINHOLE_CMD_GET, id, NULL, 0, 0, out, err);
}

int fw_pinhole_close(struct fw *fw, uint32_t id, uint32_t *count,
		     struct fw_err *err)
{
	return fw_count_cmd(fw, PINHOLE_CMD_CLOSE, PINHOLE_A_ID, &id,
			    sizeof(id), count, err);
}

int fw_close_cookie(struct fw *fw, uint64_t cookie, uint32_t *count,
		    struct fw_err *err)
{
	return fw_count_cmd(fw, PINHOLE_CMD_CLOSE, PINHOLE_A_COOKIE, &cookie,
			    sizeof(cookie), count, err);
}

int fw_flush(struct fw *fw, bool all, uint32_t *count, struct fw_err *err)
{
	uint32_t flags = PINHOLE_F_FLUSH_ALL;

	return fw_count_cmd(fw, PINHOLE_CMD_FLUSH, PINHOLE_A_FLAGS,
			    all ? &flags : NULL, sizeof(flags), count, err);
}

struct fw_dump_ctx {
	fw_pinhole_cb cb;
	void *arg;
};

static int fw_parse_dump(struct nlmsghdr *nlh, void *arg)
{
	struct fw_dump_ctx *ctx = arg;
	struct fw_pinhole ph;
	int rc;

	rc = fw_parse_pinhole(nlh, &ph);
	if (rc)
		return rc;
	return ctx->cb ? ctx->cb(&ph, ctx->arg) : 0;
}

int fw_dump(struct fw *fw, fw_pinhole_cb cb, void *arg, struct fw_err *err)
{
	struct fw_dump_ctx ctx = { .cb = cb, .arg = arg };

	return fw_plain_cmd(fw, PINHOLE_CMD_GET, NLM_F_DUMP, fw_parse_dump,
			    &ctx, err);
}

struct fw_vec {
	struct fw_pinhole *v;
	size_t n, cap;
};

static int fw_vec_add(const struct fw_pinhole *ph, void *arg)
{
	struct fw_vec *vec = arg;
	struct fw_pinhole *nv;

	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? 2 * vec->cap : 16;

		nv = realloc(vec->v, cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		vec->v = nv;
		vec->cap = cap;
	}
	vec->v[vec->n++] = *ph;
	return 0;
}

int fw_dump_all(struct fw *fw, struct fw_pinhole **phs, struct fw_err *err)
{
	struct fw_vec vec = { 0 };
	int rc = -EINTR, tries;

	*phs = NULL;
	for (tries = 0; tries < FW_DUMP_RETRIES && rc == -EINTR; tries++) {
		vec.n = 0;
		rc = fw_dump(fw, fw_vec_add, &vec, err);
	}
	if (rc < 0) {
		free(vec.v);
		return rc;
	}
	if ((size_t)(int)vec.n != vec.n) {
		free(vec.v);
		return fw_seterr(err, -EOVERFLOW, "too many pinholes");
	}
	*phs = vec.v;
	return (int)vec.n;
}

int fw_config_get(struct fw *fw, struct fw_config *out, struct fw_err *err)
{
	return fw_plain_cmd(fw, PINHOLE_CMD_GET_CONFIG, 0, fw_parse_config, out,
			    err);
}

int fw_config_set(struct fw *fw, const struct fw_config *in,
		  struct fw_config *out, struct fw_err *err)
{
	const struct fw_cfg_u32 *f;
	struct nlattr *cfg, *ranges, *range;
	struct nl_msg *msg;
	unsigned int i;

	if (!in || in->n_ranges > FW_MAX_RANGES)
		return fw_seterr(err, -EINVAL, "bad configuration request");
	msg = fw_msg(fw, PINHOLE_CMD_SET_CONFIG, 0);
	if (!msg)
		return fw_seterr(err, -ENOMEM, "out of memory");
	cfg = nla_nest_start(msg, PINHOLE_A_CONFIG);
	if (!cfg)
		return fw_nomem(msg, err);
	if (in->present & FW_CFG_RANGES) {
		ranges = nla_nest_start(msg, PINHOLE_CFG_A_RANGES);
		if (!ranges)
			return fw_nomem(msg, err);
		for (i = 0; i < in->n_ranges; i++) {
			const struct fw_range *r = &in->ranges[i];

			range = nla_nest_start(msg, PINHOLE_CFG_A_RANGE);
			if (!range ||
			    nla_put_u8(msg, PINHOLE_RANGE_A_PROTO, r->proto) ||
			    nla_put_u16(msg, PINHOLE_RANGE_A_FIRST, r->first) ||
			    nla_put_u16(msg, PINHOLE_RANGE_A_LAST, r->last))
				return fw_nomem(msg, err);
			nla_nest_end(msg, range);
		}
		/* An empty nest clears the ranges: libnl would drop it. */
		nla_nest_end_keep_empty(msg, ranges);
	}
	for (f = fw_cfg_u32s; f < fw_cfg_u32s + FW_ARRAY_SIZE(fw_cfg_u32s);
	     f++) {
		if (!(in->present & f->bit))
			continue;
		if (nla_put_u32(msg, f->attr, fw_cfg_get_u32(in, f)))
			return fw_nomem(msg, err);
	}
	nla_nest_end_keep_empty(msg, cfg);
	return fw_xfer(fw, msg, fw_parse_config, out, err);
}

int fw_stats(struct fw *fw, struct fw_stats *out, struct fw_err *err)
{
	return fw_plain_cmd(fw, PINHOLE_CMD_GET_STATS, 0, fw_parse_stats, out,
			    err);
}

/* ---------------------------------------------------------------- events */

int fw_subscribe_events(struct fw *fw, struct fw_err *err)
{
	int rc, fd;

	fw_clearerr(err);
	if (fw->ev)
		return 0;
	if (fw->events_grp < 0)
		return fw_seterr(err, -ENOENT,
				 "the '%s' family has no '%s' multicast group",
				 PINHOLE_GENL_NAME, PINHOLE_MCGRP_EVENTS);
	fw->ev = nl_socket_alloc();
	if (!fw->ev)
		return fw_seterr(err, -ENOMEM, "out of memory");
	nl_socket_disable_seq_check(fw->ev);
	rc = nl_connect(fw->ev, NETLINK_GENERIC);
	if (rc < 0) {
		rc = fw_seterr(err, -EIO,
			       "cannot open a generic netlink socket: %s",
			       nl_geterror(rc));
		goto fail;
	}
	fd = nl_socket_get_fd(fw->ev);
	/* A large queue: bursts of events (flush) must not overrun it. */
	nl_socket_set_buffer_size(fw->ev, FW_EVENT_RCVBUF, 0);
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &fw->events_grp, sizeof(fw->events_grp)) < 0) {
		rc = fw_seterr(err, -errno,
			       "cannot join the '%s' multicast group",
			       PINHOLE_MCGRP_EVENTS);
		goto fail;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		rc = fw_seterr(err, -errno, "cannot make the socket non-blocking");
		goto fail;
	}
	return 0;

fail:
	nl_socket_free(fw->ev);
	fw->ev = NULL;
	return rc;
}

int fw_event_fd(const struct fw *fw)
{
	return fw->ev ? nl_socket_get_fd(fw->ev) : -1;
}

int fw_event_recv(struct fw *fw, fw_event_cb cb, void *arg,
		  struct fw_err *err)
{
	int count = 0, rc;
	ssize_t n;

	fw_clearerr(err);
	if (!fw->ev)
		return fw_seterr(err, -ENOTCONN, "not subscribed to events");
	for (;;) {
		struct nlmsghdr *nlh;
		int len;

		n = fw_recv(&fw->evrx, nl_socket_get_fd(fw->ev), MSG_DONTWAIT);
		if (n == -EAGAIN || n == -EWOULDBLOCK)
			return count;
		if (n == -ENOBUFS)
			return fw_seterr(err, -ENOBUFS,
					 "event queue overran, events were lost");
		if (n < 0)
			return fw_seterr(err, n, "receiving events: %s",
					 strerror(-n));
		if (n == 0)
			return count;
		len = n;
		for (nlh = (struct nlmsghdr *)fw->evrx.p; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			struct nlattr *tb[PINHOLE_A_MAX + 1];
			struct genlmsghdr *gh;
			struct fw_event ev;

			if (nlh->nlmsg_type != fw->family_id ||
			    nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
				continue;
			gh = NLMSG_DATA(nlh);
			if (gh->cmd < PINHOLE_CMD_OPENED_NTF ||
			    gh->cmd > PINHOLE_CMD_CLOSED_NTF)
				continue;
			memset(&ev, 0, sizeof(ev));
			ev.cmd = gh->cmd;
			if (fw_parse_attrs(nlh, tb) ||
			    fw_fill_pinhole(tb, &ev.ph))
				return fw_seterr(err, -EPROTO,
						 "malformed event from the kernel");
			if (tb[PINHOLE_A_REASON])
				ev.reason = nla_get_u8(tb[PINHOLE_A_REASON]);
			count++;
			if (cb) {
				rc = cb(&ev, arg);
				if (rc < 0)
					return fw_seterr(err, rc, NULL);
			}
		}
	}
}
