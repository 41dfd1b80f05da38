// SPDX-License-Identifier: GPL-2.0
/*
 * phnl: raw generic netlink helpers for the pinhole selftests (libmnl).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "phnl.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

uint64_t ph_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t ph_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct nlmsghdr *phnl_req(struct phnl *p, void *buf, uint8_t cmd,
			  uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = p->family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++p->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = PINHOLE_GENL_VERSION;
	return nlh;
}

static void parse_extack(struct phnl *p, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	size_t off = sizeof(*err);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (MNL_NLMSG_HDRLEN + off > nlh->nlmsg_len)
		return;
	mnl_attr_for_each_payload((const struct nlattr *)((const char *)err + off),
				  nlh->nlmsg_len - MNL_NLMSG_HDRLEN - off) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG)
			snprintf(p->ext_msg, sizeof(p->ext_msg), "%s",
				 mnl_attr_get_str(attr));
		else if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_OFFS)
			p->ext_off = mnl_attr_get_u32(attr);
		else if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_COOKIE &&
			 mnl_attr_get_payload_len(attr) == sizeof(uint64_t)) {
			memcpy(&p->ack_cookie, mnl_attr_get_payload(attr),
			       sizeof(uint64_t));
			p->has_ack_cookie = true;
		}
	}
}

int phnl_talk_raw(struct phnl *p, void *msg, size_t len, uint32_t seq,
		  mnl_cb_t cb, void *data)
{
	static char rbuf[PHNL_BUF * 4];
	int ret;

	p->ext_msg[0] = 0;
	p->ext_off = 0;
	p->has_ack_cookie = false;
	p->ack_cookie = 0;
	p->replies = 0;
	if (mnl_socket_sendto(p->nl, msg, len) < 0)
		return -errno;
	for (;;) {
		struct nlmsghdr *nlh;
		int n = mnl_socket_recvfrom(p->nl, rbuf, sizeof(rbuf));

		if (n < 0)
			return -errno;
		for (nlh = (struct nlmsghdr *)rbuf; mnl_nlmsg_ok(nlh, n);
		     nlh = mnl_nlmsg_next(nlh, &n)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e =
					mnl_nlmsg_get_payload(nlh);

				parse_extack(p, nlh);
				return e->error;
			}
			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
			p->replies++;
			if (cb) {
				ret = cb(nlh, data);
				if (ret < 0)
					return ret;
			}
		}
	}
}

int phnl_talk(struct phnl *p, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	return phnl_talk_raw(p, nlh, nlh->nlmsg_len, nlh->nlmsg_seq, cb, data);
}

struct ctrl_data {
	uint16_t id;
	uint32_t grp;
};

static int ctrl_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ctrl_data *cd = data;
	const struct nlattr *a, *g, *ga;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			cd->id = mnl_attr_get_u16(a);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			mnl_attr_for_each_nested(g, a) {
				const char *name = NULL;
				uint32_t id = 0;

				mnl_attr_for_each_nested(ga, g) {
					if (mnl_attr_get_type(ga) ==
					    CTRL_ATTR_MCAST_GRP_NAME)
						name = mnl_attr_get_str(ga);
					else if (mnl_attr_get_type(ga) ==
						 CTRL_ATTR_MCAST_GRP_ID)
						id = mnl_attr_get_u32(ga);
				}
				if (name && !strcmp(name, PINHOLE_MCGRP_EVENTS))
					cd->grp = id;
			}
			break;
		}
	}
	return MNL_CB_OK;
}

int phnl_open(struct phnl *p)
{
	return phnl_open_portid(p, MNL_SOCKET_AUTOPID);
}

int phnl_open_portid(struct phnl *p, uint32_t portid)
{
	char buf[512];
	struct nlmsghdr *nlh;
	struct ctrl_data cd = { 0 };
	int one = 1, ret;

	memset(p, 0, sizeof(*p));
	p->seq = (uint32_t)time(NULL);
	p->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!p->nl)
		return -errno;
	if (mnl_socket_bind(p->nl, 0, portid) < 0) {
		ret = -errno;
		goto err;
	}
	p->portid = mnl_socket_get_portid(p->nl);
	mnl_socket_setsockopt(p->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(p->nl, NETLINK_CAP_ACK, &one, sizeof(one));

	p->family_id = GENL_ID_CTRL;
	nlh = phnl_req(p, buf, CTRL_CMD_GETFAMILY, 0);
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, PINHOLE_GENL_NAME);
	ret = phnl_talk(p, nlh, ctrl_cb, &cd);
	if (ret)
		goto err;
	p->family_id = cd.id;
	p->mcgrp_events = cd.grp;
	return 0;
err:
	mnl_socket_close(p->nl);
	p->nl = NULL;
	return ret;
}

void phnl_close(struct phnl *p)
{
	if (p->nl)
		mnl_socket_close(p->nl);
	p->nl = NULL;
}

bool phnl_family_present(void)
{
	struct phnl p;

	if (phnl_open(&p))
		return false;
	phnl_close(&p);
	return true;
}

int phnl_subscribe(struct phnl *p)
{
	int grp = p->mcgrp_events;

	if (!grp)
		return -ENOENT;
	if (mnl_socket_setsockopt(p->nl, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0)
		return -errno;
	return 0;
}

int phnl_set_rcvbuf(struct phnl *p, int bytes)
{
	int fd = mnl_socket_get_fd(p->nl);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)))
		return -errno;
	return 0;
}

void ph_parse(const struct nlmsghdr *nlh, struct ph *ph)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	memset(ph, 0, sizeof(*ph));
	ph->cmd = g->cmd;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		size_t len = mnl_attr_get_payload_len(a);

		switch (mnl_attr_get_type(a)) {
		case PINHOLE_A_ID:
			ph->id = mnl_attr_get_u32(a); break;
		case PINHOLE_A_COOKIE:
			ph->cookie = mnl_attr_get_u64(a); break;
		case PINHOLE_A_FAMILY:
			ph->family = mnl_attr_get_u16(a); break;
		case PINHOLE_A_PROTO:
			ph->proto = mnl_attr_get_u8(a); break;
		case PINHOLE_A_LOCAL_ADDR:
			ph->has_laddr = true;
			memcpy(ph->laddr, mnl_attr_get_payload(a),
			       len > 16 ? 16 : len);
			break;
		case PINHOLE_A_LOCAL_PORT:
			ph->lport = mnl_attr_get_u16(a); break;
		case PINHOLE_A_REMOTE_ADDR:
			ph->has_raddr = true;
			memcpy(ph->raddr, mnl_attr_get_payload(a),
			       len > 16 ? 16 : len);
			break;
		case PINHOLE_A_REMOTE_PORT:
			ph->has_rport = true;
			ph->rport = mnl_attr_get_u16(a); break;
		case PINHOLE_A_STATE:
			ph->state = mnl_attr_get_u8(a); break;
		case PINHOLE_A_LEASE_MS:
			ph->has_lease = true;
			ph->lease_ms = mnl_attr_get_u32(a); break;
		case PINHOLE_A_OWNER:
			ph->has_owner = true;
			ph->owner = mnl_attr_get_u32(a); break;
		case PINHOLE_A_PACKETS:
			ph->packets = mnl_attr_get_u64(a); break;
		case PINHOLE_A_BYTES:
			ph->bytes = mnl_attr_get_u64(a); break;
		case PINHOLE_A_IDLE_MS:
			ph->has_idle = true;
			ph->idle_ms = mnl_attr_get_u64(a); break;
		case PINHOLE_A_FLAGS:
			ph->flags = mnl_attr_get_u32(a); break;
		case PINHOLE_A_REASON:
			ph->has_reason = true;
			ph->reason = mnl_attr_get_u8(a); break;
		case PINHOLE_A_COUNT:
			ph->has_count = true;
			ph->count = mnl_attr_get_u32(a); break;
		case PINHOLE_A_TIME_NS:
			ph->has_time = true;
			ph->time_ns = mnl_attr_get_u64(a); break;
		case PINHOLE_A_OLD_REMOTE_ADDR:
			ph->has_old_raddr = true;
			memcpy(ph->old_raddr, mnl_attr_get_payload(a),
			       len > 16 ? 16 : len);
			break;
		case PINHOLE_A_OLD_REMOTE_PORT:
			ph->has_old_rport = true;
			ph->old_rport = mnl_attr_get_u16(a); break;
		}
	}
}

int ph_parse_cb(const struct nlmsghdr *nlh, void *data)
{
	if (data)
		ph_parse(nlh, data);
	return MNL_CB_OK;
}

int ph_open_args(struct phnl *p, const struct ph_open_args *a, struct ph *out)
{
	char buf[1024];
	struct nlmsghdr *nlh = phnl_req(p, buf, PINHOLE_CMD_OPEN, 0);
	size_t alen = a->family == AF_INET6 ? 16 : 4;
	struct ph tmp;

	mnl_attr_put_u16(nlh, PINHOLE_A_FAMILY, a->family);
	mnl_attr_put_u8(nlh, PINHOLE_A_PROTO, a->proto);
	mnl_attr_put_u16(nlh, PINHOLE_A_LOCAL_PORT, a->lport);
	if (a->laddr)
		mnl_attr_put(nlh, PINHOLE_A_LOCAL_ADDR, alen, a->laddr);
	if (a->raddr)
		mnl_attr_put(nlh, PINHOLE_A_REMOTE_ADDR, alen, a->raddr);
	if (a->rport)
		mnl_attr_put_u16(nlh, PINHOLE_A_REMOTE_PORT, a->rport);
	if (a->has_cookie)
		mnl_attr_put_u64(nlh, PINHOLE_A_COOKIE, a->cookie);
	if (a->lease_ms)
		mnl_attr_put_u32(nlh, PINHOLE_A_LEASE_MS, a->lease_ms);
	if (a->has_flags || a->flags)
		mnl_attr_put_u32(nlh, PINHOLE_A_FLAGS, a->flags);
	return phnl_talk(p, nlh, ph_parse_cb, out ? out : &tmp);
}

int ph_open(struct phnl *p, uint16_t family, uint8_t proto, uint16_t lport,
	    uint32_t lease_ms, uint32_t flags, struct ph *out)
{
	struct ph_open_args a = {
		.family = family, .proto = proto, .lport = lport,
		.lease_ms = lease_ms, .flags = flags,
	};

	return ph_open_args(p, &a, out);
}

int ph_id_cmd(struct phnl *p, uint8_t cmd, uint32_t id, uint32_t lease_ms,
	      struct ph *out)
{
	char buf[256];
	struct nlmsghdr *nlh = phnl_req(p, buf, cmd, 0);
	struct ph tmp;

	mnl_attr_put_u32(nlh, PINHOLE_A_ID, id);
	if (lease_ms)
		mnl_attr_put_u32(nlh, PINHOLE_A_LEASE_MS, lease_ms);
	return phnl_talk(p, nlh, ph_parse_cb, out ? out : &tmp);
}

int ph_activate(struct phnl *p, uint32_t id, uint16_t family,
		const void *raddr, uint16_t rport, struct ph *out)
{
	char buf[256];
	struct nlmsghdr *nlh = phnl_req(p, buf, PINHOLE_CMD_ACTIVATE, 0);
	struct ph tmp;

	mnl_attr_put_u32(nlh, PINHOLE_A_ID, id);
	if (raddr)
		mnl_attr_put(nlh, PINHOLE_A_REMOTE_ADDR,
			     family == AF_INET6 ? 16 : 4, raddr);
	if (rport)
		mnl_attr_put_u16(nlh, PINHOLE_A_REMOTE_PORT, rport);
	return phnl_talk(p, nlh, ph_parse_cb, out ? out : &tmp);
}

int ph_bind_args(struct phnl *p, const struct ph_bind_args *a, struct ph *out)
{
	char buf[256];
	struct nlmsghdr *nlh = phnl_req(p, buf, a->cmd, 0);
	struct ph tmp;

	mnl_attr_put_u32(nlh, PINHOLE_A_ID, a->id);
	if (a->raddr)
		mnl_attr_put(nlh, PINHOLE_A_REMOTE_ADDR,
			     a->family == AF_INET6 ? 16 : 4, a->raddr);
	if (a->rport)
		mnl_attr_put_u16(nlh, PINHOLE_A_REMOTE_PORT, a->rport);
	if (a->has_flags)
		mnl_attr_put_u32(nlh, PINHOLE_A_FLAGS, a->flags);
	if (a->latch_ms)
		mnl_attr_put_u32(nlh, PINHOLE_A_LATCH_MS, a->latch_ms);
	return phnl_talk(p, nlh, ph_parse_cb, out ? out : &tmp);
}

int ph_rebind(struct phnl *p, uint32_t id, uint16_t family,
	      const void *raddr, uint16_t rport, struct ph *out)
{
	struct ph_bind_args a = {
		.cmd = PINHOLE_CMD_REBIND, .id = id, .family = family,
		.raddr = raddr, .rport = rport,
	};

	return ph_bind_args(p, &a, out);
}

static int count_reply(struct phnl *p, struct nlmsghdr *nlh, uint32_t *count)
{
	struct ph r;
	int ret;

	memset(&r, 0, sizeof(r));
	ret = phnl_talk(p, nlh, ph_parse_cb, &r);
	if (!ret && count)
		*count = r.has_count ? r.count : UINT32_MAX;
	return ret;
}

int ph_close_id(struct phnl *p, uint32_t id, uint32_t *count)
{
	char buf[256];
	struct nlmsghdr *nlh = phnl_req(p, buf, PINHOLE_CMD_CLOSE, 0);

	mnl_attr_put_u32(nlh, PINHOLE_A_ID, id);
	return count_reply(p, nlh, count);
}

int ph_close_cookie(struct phnl *p, uint64_t cookie, uint32_t *count)
{
	char buf[256];
	struct nlmsghdr *nlh = phnl_req(p, buf, PINHOLE_CMD_CLOSE, 0);

	mnl_attr_put_u64(nlh, PINHOLE_A_COOKIE, cookie);
	return count_reply(p, nlh, count);
}

int ph_adopt(struct phnl *p, uint64_t cookie, uint32_t lease_ms,
	     uint32_t *count)
{
	char buf[256];
	struct nlmsghdr *nlh = phnl_req(p, buf, PINHOLE_CMD_ADOPT, 0);

	mnl_attr_put_u64(nlh, PINHOLE_A_COOKIE, cookie);
	if (lease_ms)
		mnl_attr_put_u32(nlh, PINHOLE_A_LEASE_MS, lease_ms);
	return count_reply(p, nlh, count);
}

int ph_flush(struct phnl *p, uint32_t flags, uint32_t *count)
{
	char buf[256];
	struct nlmsghdr *nlh = phnl_req(p, buf, PINHOLE_CMD_FLUSH, 0);

	if (flags)
		mnl_attr_put_u32(nlh, PINHOLE_A_FLAGS, flags);
	return count_reply(p, nlh, count);
}

struct dump_data {
	struct ph *out;
	int max, n;
	bool intr;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_data *d = data;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		d->intr = true;
	if (d->out && d->n < d->max)
		ph_parse(nlh, &d->out[d->n]);
	d->n++;
	return MNL_CB_OK;
}

int ph_dump(struct phnl *p, struct ph *out, int max, bool *intr)
{
	char buf[256];
	struct nlmsghdr *nlh = phnl_req(p, buf, PINHOLE_CMD_GET, NLM_F_DUMP);
	struct dump_data d = { .out = out, .max = max };
	int ret = phnl_talk(p, nlh, dump_cb, &d);

	if (intr)
		*intr = d.intr;
	return ret ? ret : d.n;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ph_stats *st = data;
	const struct nlattr *a, *s;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) != PINHOLE_A_STATS)
			continue;
		mnl_attr_for_each_nested(s, a) {
			int t = mnl_attr_get_type(s);

			if (t > PINHOLE_STATS_A_MAX || t == PINHOLE_STATS_A_PAD)
				continue;
			st->has[t] = true;
			st->v[t] = mnl_attr_get_payload_len(s) == 8 ?
				mnl_attr_get_u64(s) : mnl_attr_get_u32(s);
		}
	}
	return MNL_CB_OK;
}

int ph_get_stats(struct phnl *p, struct ph_stats *st)
{
	char buf[256];
	struct nlmsghdr *nlh = phnl_req(p, buf, PINHOLE_CMD_GET_STATS, 0);

	memset(st, 0, sizeof(*st));
	return phnl_talk(p, nlh, stats_cb, st);
}

uint64_t ph_stat(struct phnl *p, int attr)
{
	struct ph_stats st;

	if (ph_get_stats(p, &st) || !st.has[attr])
		return ~0ULL;
	return st.v[attr];
}

static int cfg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ph_cfg *cfg = data;
	const struct nlattr *a, *c, *r, *ra;

	memset(cfg, 0, sizeof(*cfg));
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) != PINHOLE_A_CONFIG)
			continue;
		mnl_attr_for_each_nested(c, a) {
			int t = mnl_attr_get_type(c);

			if (t == PINHOLE_CFG_A_RANGES) {
				cfg->has[t] = true;
				mnl_attr_for_each_nested(r, c) {
					struct ph_range *pr;

					if (cfg->nranges >= (int)(sizeof(cfg->ranges) /
								  sizeof(cfg->ranges[0])))
						break;
					pr = &cfg->ranges[cfg->nranges++];
					mnl_attr_for_each_nested(ra, r) {
						switch (mnl_attr_get_type(ra)) {
						case PINHOLE_RANGE_A_PROTO:
							pr->proto = mnl_attr_get_u8(ra);
							break;
						case PINHOLE_RANGE_A_FIRST:
							pr->first = mnl_attr_get_u16(ra);
							break;
						case PINHOLE_RANGE_A_LAST:
							pr->last = mnl_attr_get_u16(ra);
							break;
						}
					}
				}
			} else if (t == PINHOLE_CFG_A_IFACES) {
				cfg->has[t] = true;
				mnl_attr_for_each_nested(r, c) {
					if (cfg->nifaces >= (int)(sizeof(cfg->ifaces) /
								  sizeof(cfg->ifaces[0])))
						break;
					snprintf(cfg->ifaces[cfg->nifaces++], 16, "%s",
						 mnl_attr_get_str(r));
				}
			} else if (ph_cfg_is_u32(t)) {
				cfg->has[t] = true;
				cfg->val[t] = mnl_attr_get_u32(c);
			}
		}
	}
	return MNL_CB_OK;
}

int ph_get_config(struct phnl *p, struct ph_cfg *cfg)
{
	char buf[256];
	struct nlmsghdr *nlh = phnl_req(p, buf, PINHOLE_CMD_GET_CONFIG, 0);

	memset(cfg, 0, sizeof(*cfg));
	return phnl_talk(p, nlh, cfg_cb, cfg);
}

int ph_set_config(struct phnl *p, const struct ph_cfg *cfg, bool set_ranges,
		  struct ph_cfg *reply)
{
	char buf[4096];
	struct nlmsghdr *nlh = phnl_req(p, buf, PINHOLE_CMD_SET_CONFIG, 0);
	struct nlattr *nest, *rn, *r;
	struct ph_cfg tmp;
	int i;

	nest = mnl_attr_nest_start(nlh, PINHOLE_A_CONFIG);
	for (i = PINHOLE_CFG_A_RANGE + 1; i <= PINHOLE_CFG_A_MAX; i++)
		if (cfg->has[i] && ph_cfg_is_u32(i))
			mnl_attr_put_u32(nlh, i, cfg->val[i]);
	if (cfg->has[PINHOLE_CFG_A_IFACES]) {
		rn = mnl_attr_nest_start(nlh, PINHOLE_CFG_A_IFACES);
		for (i = 0; i < cfg->nifaces; i++)
			mnl_attr_put_strz(nlh, PINHOLE_CFG_A_IFACE,
					  cfg->ifaces[i]);
		mnl_attr_nest_end(nlh, rn);
	}
	if (set_ranges) {
		rn = mnl_attr_nest_start(nlh, PINHOLE_CFG_A_RANGES);
		for (i = 0; i < cfg->nranges; i++) {
			r = mnl_attr_nest_start(nlh, PINHOLE_CFG_A_RANGE);
			mnl_attr_put_u8(nlh, PINHOLE_RANGE_A_PROTO,
					cfg->ranges[i].proto);
			mnl_attr_put_u16(nlh, PINHOLE_RANGE_A_FIRST,
					 cfg->ranges[i].first);
			mnl_attr_put_u16(nlh, PINHOLE_RANGE_A_LAST,
					 cfg->ranges[i].last);
			mnl_attr_nest_end(nlh, r);
		}
		mnl_attr_nest_end(nlh, rn);
	}
	mnl_attr_nest_end(nlh, nest);
	return phnl_talk(p, nlh, cfg_cb, reply ? reply : &tmp);
}

int ph_set_u32(struct phnl *p, int cfg_attr, uint32_t val)
{
	struct ph_cfg c;

	memset(&c, 0, sizeof(c));
	c.has[cfg_attr] = true;
	c.val[cfg_attr] = val;
	return ph_set_config(p, &c, false, NULL);
}

int ph_set_scope(struct phnl *p, uint32_t hooks, const char *const *ifaces,
		 int n)
{
	struct ph_cfg c;
	int i;

	memset(&c, 0, sizeof(c));
	if (hooks) {
		c.has[PINHOLE_CFG_A_HOOKS] = true;
		c.val[PINHOLE_CFG_A_HOOKS] = hooks;
	}
	if (n >= 0) {
		c.has[PINHOLE_CFG_A_IFACES] = true;
		for (i = 0; i < n && i < (int)(sizeof(c.ifaces) / sizeof(c.ifaces[0])); i++)
			snprintf(c.ifaces[i], sizeof(c.ifaces[i]), "%s", ifaces[i]);
		c.nifaces = i;
	}
	return ph_set_config(p, &c, false, NULL);
}

int ph_set_ranges(struct phnl *p, const struct ph_range *r, int n)
{
	struct ph_cfg c;

	memset(&c, 0, sizeof(c));
	memcpy(c.ranges, r, n * sizeof(*r));
	c.nranges = n;
	return ph_set_config(p, &c, true, NULL);
}

int ph_recv_event(struct phnl *p, int timeout_ms, struct ph *ev)
{
	char buf[8192];
	struct pollfd pfd = { .fd = mnl_socket_get_fd(p->nl), .events = POLLIN };
	uint64_t end = ph_now_ms() + timeout_ms;

	for (;;) {
		struct nlmsghdr *nlh;
		int64_t left = (int64_t)(end - ph_now_ms());
		int n;

		if (left <= 0)
			return 0;
		n = poll(&pfd, 1, (int)left);
		if (n < 0)
			return -errno;
		if (!n)
			return 0;
		n = recv(pfd.fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN)
				continue;
			return -errno;
		}
		nlh = (struct nlmsghdr *)buf;
		if (mnl_nlmsg_ok(nlh, n) && nlh->nlmsg_type == p->family_id) {
			ph_parse(nlh, ev);
			return 1;
		}
	}
}

int ph_wait_closed(struct phnl *p, uint32_t id, int timeout_ms, struct ph *ev)
{
	uint64_t end = ph_now_ms() + timeout_ms;

	while (ph_now_ms() < end) {
		int ret = ph_recv_event(p, (int)(end - ph_now_ms()), ev);

		if (ret <= 0)
			return ret;
		if (ev->cmd == PINHOLE_CMD_CLOSED_NTF && ev->id == id)
			return 1;
	}
	return 0;
}

int ph_wait_event(struct phnl *p, uint8_t cmd, uint32_t id, int timeout_ms,
		  struct ph *ev)
{
	uint64_t end = ph_now_ms() + timeout_ms;

	while (ph_now_ms() < end) {
		int ret = ph_recv_event(p, (int)(end - ph_now_ms()), ev);

		if (ret <= 0)
			return ret;
		if (ev->cmd == cmd && ev->id == id)
			return 1;
	}
	return 0;
}

int ph_link_up(const char *ifname)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), ret = 0;

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		ret = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!ret && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int ph_netns_new(void)
{
	if (unshare(CLONE_NEWNET))
		return -errno;
	return ph_link_up("lo");
}

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>

static socklen_t mkaddr(int family, const char *addr, uint16_t port,
			struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (addr)
			inet_pton(AF_INET6, addr, &s6->sin6_addr);
		return sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		if (addr)
			inet_pton(AF_INET, addr, &s4->sin_addr);
		return sizeof(*s4);
	}
}

int ph_udp_bind(int family, const char *addr, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t sl = mkaddr(family, addr, port, &ss);
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	int one = 1, big = 4 << 20;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl)) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

int ph_peer_ns = -1;

/* Into ph_peer_ns, if set: returns the fd to come back with, or -1. */
static int peer_enter(void)
{
	int home;

	if (ph_peer_ns < 0)
		return -1;
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home >= 0 && setns(ph_peer_ns, CLONE_NEWNET)) {
		close(home);
		return -1;
	}
	return home;
}

static void peer_leave(int home)
{
	if (home < 0)
		return;
	if (setns(home, CLONE_NEWNET))
		perror("setns back");
	close(home);
}

int ph_peer_socket(int domain, int type, int proto)
{
	int home = peer_enter(), fd = socket(domain, type, proto), e = errno;

	peer_leave(home);
	errno = e;
	return fd;
}

/*
 * The current namespace (T) and a new peer namespace (P) joined by a veth
 * pair, so that the tests' traffic comes in on a real interface (never lo):
 *   T: phv0 10.99.0.1/24 10.99.0.3/24 fd99::1/64 fd99::3/64
 *   P: phpeer 10.99.0.2/24 10.99.0.4/24 fd99::2/64 fd99::4/64 (deprecated)
 * Sets ph_peer_ns to P; we stay in T.
 */
/* RTM_GETADDR dump callback: sets *@data when an address of the
 * interface in the first int is tentative */
static int tentative_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	int *st = data;
	uint32_t flags;

	if (nlh->nlmsg_type != RTM_NEWADDR || (int)ifa->ifa_index != st[0])
		return MNL_CB_OK;
	flags = ifa->ifa_flags;
	mnl_attr_for_each(a, nlh, sizeof(*ifa))
		if (mnl_attr_get_type(a) == IFA_FLAGS &&
		    mnl_attr_get_payload_len(a) == sizeof(uint32_t))
			flags = mnl_attr_get_u32(a);
	if (flags & IFA_F_TENTATIVE)
		st[1] = 1;
	return MNL_CB_OK;
}

/* 1: an IPv6 address of interface @ifindex is tentative, 0: none, -errno */
static int any_tentative(int ifindex)
{
	static char buf[32768];		/* a dump's messages */
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	unsigned int seq = 1, portid;
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	int st[2] = { ifindex, 0 }, n, r = MNL_CB_OK, e = 0;

	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		n = -errno;
		mnl_socket_close(nl);
		return n;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		r = MNL_CB_ERROR;
		e = errno;
	}
	while (r > MNL_CB_STOP) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n <= 0) {
			r = MNL_CB_ERROR;
			e = n < 0 ? errno : EPROTO;
			break;
		}
		r = mnl_cb_run(buf, n, seq, portid, tentative_cb, st);
		if (r == MNL_CB_ERROR)
			e = errno;
	}
	mnl_socket_close(nl);
	/* an address changed during the dump (libmnl: EINTR for
	 * NLM_F_DUMP_INTR), as it does while they leave tentative: again */
	if (r == MNL_CB_ERROR)
		return e == EINTR ? 1 : -e;
	return st[1];
}

/*
 * Wait until no IPv6 address of @dev is tentative: until the link has its
 * carrier (veth: both ends up, signalled through linkwatch, which may take
 * a second) even a "nodad" address is tentative, unusable as a source and
 * not local as a destination. Polled over rtnetlink, no process per look
 * (a shell loop of "ip" and "sleep" took most of a test's time on a
 * loaded TCG host); at most 10 s.
 */
static int wait_not_tentative(const char *dev)
{
	int idx = (int)if_nametoindex(dev), r;
	uint64_t end = ph_now_ms() + 10000;

	if (!idx)
		return -errno;
	while ((r = any_tentative(idx)) == 1 && ph_now_ms() < end)
		usleep(20 * 1000);
	return r == 1 ? -ETIMEDOUT : r;
}

/*
 * "ip" commands, one a line, in one "ip -batch" (stops at the first that
 * fails): one process instead of one per command, which on a loaded TCG
 * host cost most of a test's set-up. 0 or -EIO.
 */
static int ip_batch(const char *cmds)
{
	FILE *f = popen("ip -batch -", "w");

	if (!f)
		return -EIO;
	fputs(cmds, f);
	return pclose(f) ? -EIO : 0;
}

int ph_netns_peer(void)
{
	char cmd[512];
	int home, peer, r;

	home = open("/proc/self/ns/net", O_RDONLY);
	if (home < 0)
		return -errno;
	if (unshare(CLONE_NEWNET)) {
		r = -errno;
		close(home);
		return r;
	}
	peer = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(cmd, sizeof(cmd),
		 "link set lo up\n"
		 "link add phpeer type veth peer name phv0 netns /proc/self/fd/%d\n"
		 "addr add 10.99.0.2/24 dev phpeer\n"
		 "addr add 10.99.0.4/24 dev phpeer\n"
		 "addr add fd99::2/64 dev phpeer nodad\n"
		 "addr add fd99::4/64 dev phpeer nodad preferred_lft 0\n"
		 "link set phpeer up\n", home);
	r = ip_batch(cmd);
	if (setns(home, CLONE_NEWNET))
		r = -errno;
	if (!r && ip_batch("addr add 10.99.0.1/24 dev phv0\n"
			   "addr add 10.99.0.3/24 dev phv0\n"
			   "addr add fd99::1/64 dev phv0 nodad\n"
			   "addr add fd99::3/64 dev phv0 nodad\n"
			   "link set phv0 up\n"))
		r = -EIO;
	if (!r)
		r = wait_not_tentative("phv0");
	if (!r && !setns(peer, CLONE_NEWNET)) {
		r = wait_not_tentative("phpeer");
		if (setns(home, CLONE_NEWNET))
			r = -errno;
	}
	close(home);
	if (r) {
		close(peer);
		return r;
	}
	ph_peer_ns = peer;
	/* neighbours resolved on a port no test manages */
	ph_udp_send(AF_INET, NULL, 0, "10.99.0.1", 9, 1, 10);
	ph_udp_send(AF_INET6, NULL, 0, "fd99::1", 9, 1, 10);
	usleep(50 * 1000);
	return 0;
}

int ph_udp_send(int family, const char *src, uint16_t sport,
		const char *dst, uint16_t dport, int n, int len)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char payload[2048];
	int fd, i, sent = 0, home;

	home = peer_enter();
	fd = src || sport ? ph_udp_bind(family, src, sport)
			  : socket(family, SOCK_DGRAM, 0);
	if (fd < 0 && fd >= -1)
		fd = -errno;
	peer_leave(home);
	if (fd < 0)
		return fd;
	fcntl(fd, F_SETFL, 0);
	sl = mkaddr(family, dst, dport, &ss);
	memset(payload, 'p', sizeof(payload));
	if (len > (int)sizeof(payload))
		len = sizeof(payload);
	for (i = 0; i < n; i++)
		if (sendto(fd, payload, len, 0, (struct sockaddr *)&ss, sl) == len)
			sent++;
	close(fd);
	return sent;
}

int ph_udp_drain(int fd, int want, int timeout_ms)
{
	char buf[4096];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int got = 0;

	while (want < 0 || got < want) {
		int r = poll(&pfd, 1, timeout_ms);

		if (r <= 0)
			break;
		while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
			got++;
	}
	return got;
}

int ph_tcp_try(int family, const char *dst, uint16_t port, int timeout_ms)
{
	struct sockaddr_storage ss;
	socklen_t sl = mkaddr(family, dst, port, &ss);
	struct pollfd pfd;
	int fd = ph_peer_socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0), err = 0;
	socklen_t el = sizeof(err);

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&ss, sl) == 0) {
		close(fd);
		return 1;
	}
	if (errno != EINPROGRESS) {
		close(fd);
		return 0;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	if (poll(&pfd, 1, timeout_ms) != 1) {
		close(fd);
		return 0;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
	close(fd);
	return err == 0;
}
