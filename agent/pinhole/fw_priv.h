// SPDX-License-Identifier: GPL-2.0
/*
 * fw_priv.h - what the netlink client's files share (fw.c, fw_err.c,
 * fw_msg.c, fw_parse.c): the handle, the reply loop's callback type, the
 * error helpers and the parsers the requests use. Not for use outside
 * pinhole/fw*.c.
 */
#ifndef PINHOLE_AGENT_FW_PRIV_H
#define PINHOLE_AGENT_FW_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

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

/* Called for each reply message of the family; negative return = error. */
typedef int (*fw_parse_fn)(struct nlmsghdr *nlh, void *arg);

/* fw.c: send @req (consumed), read the replies (see there) */
int fw_xfer(struct fw *fw, struct nl_msg *req, fw_parse_fn parse,
	    void *arg, struct fw_err *err);
/* fw.c: an NLMSG_ERROR / NLMSG_DONE answering @req; @rc the result so far */
int fw_xfer_error(struct nlmsghdr *nlh, int rc, struct nl_msg *req,
		  struct fw_err *err);
int fw_xfer_done(struct nlmsghdr *nlh, int rc, struct nl_msg *req,
		 struct fw_err *err);

/* fw_err.c: @err (may be NULL) gets @code and the text; returns @code */
int fw_seterr(struct fw_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void fw_clearerr(struct fw_err *err);
/* @err from the extended ack TLVs of an error or done message */
void fw_extack(struct fw_err *err, int code, const void *tlv, int len,
	       struct nl_msg *req);

/* fw_parse.c: replies and events into the structs of fw.h */
int fw_parse_attrs(struct nlmsghdr *nlh, struct nlattr **tb);
int fw_fill_pinhole(struct nlattr **tb, struct fw_pinhole *ph);
int fw_parse_pinhole(struct nlmsghdr *nlh, void *arg);
int fw_parse_count(struct nlmsghdr *nlh, void *arg);
int fw_parse_config(struct nlmsghdr *nlh, void *arg);
int fw_parse_stats(struct nlmsghdr *nlh, void *arg);

/* The u32 members of struct fw_config: attribute, FW_CFG_* bit, member. */
struct fw_cfg_u32 {
	int attr;
	uint32_t bit;
	size_t off;
};
extern const struct fw_cfg_u32 fw_cfg_u32s[];
extern const size_t fw_n_cfg_u32s;

static inline uint32_t fw_cfg_get_u32(const struct fw_config *cfg,
				      const struct fw_cfg_u32 *f)
{
	return *(const uint32_t *)((const char *)cfg + f->off);
}

static inline void fw_cfg_set_u32(struct fw_config *cfg,
				  const struct fw_cfg_u32 *f, uint32_t v)
{
	*(uint32_t *)((char *)cfg + f->off) = v;
}

#endif /* PINHOLE_AGENT_FW_PRIV_H */
