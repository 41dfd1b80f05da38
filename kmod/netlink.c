// SPDX-License-Identifier: GPL-2.0
/*
 * The "pinhole" generic netlink family: requests, replies, dumps, events.
 * uapi/linux/pinhole.h is the specification.
 *
 * Every command runs under the namespace's lock (pinhole_net.lock), checks
 * the whole request before it changes anything, and names what it refuses
 * in the extended ack.
 */
#define pr_fmt(fmt) "pinhole: " fmt

#include <linux/in.h>
#include <linux/jiffies.h>
#include <linux/socket.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>
#include <linux/pinhole.h>

#include "config.h"
#include "hook.h"
#include "main.h"
#include "netlink.h"
#include "owner.h"
#include "table.h"

static struct genl_family pinhole_genl_family;

/* Set while the family is registered: events may be sent. */
static bool pinhole_nl_registered;

/* Not const: 6.1's struct nla_policy points to them without const. */
static struct netlink_range_validation pinhole_lease_range __ro_after_init = {
	.min = PINHOLE_MIN_LEASE_MS,
	.max = PINHOLE_MAX_LEASE_MS,
};

static struct netlink_range_validation pinhole_grace_range __ro_after_init = {
	.min = 0,
	.max = PINHOLE_MAX_LEASE_MS,
};

/* An address is 4 (AF_INET) or 16 (AF_INET6) bytes; the family is checked later. */
static int pinhole_nl_validate_addr(const struct nlattr *attr,
				    struct netlink_ext_ack *extack)
{
	if (nla_len(attr) == 4 || nla_len(attr) == 16)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr, "address must be 4 or 16 bytes");
	return -EINVAL;
}

static const struct nla_policy pinhole_range_policy[PINHOLE_RANGE_A_MAX + 1] = {
	[PINHOLE_RANGE_A_PROTO] = { .type = NLA_U8 },
	[PINHOLE_RANGE_A_FIRST] = { .type = NLA_U16 },
	[PINHOLE_RANGE_A_LAST] = { .type = NLA_U16 },
};

static const struct nla_policy pinhole_cfg_policy[PINHOLE_CFG_A_MAX + 1] = {
	[PINHOLE_CFG_A_RANGES] = NLA_POLICY_NESTED_ARRAY(pinhole_range_policy),
	[PINHOLE_CFG_A_RANGE] = { .type = NLA_REJECT },
	[PINHOLE_CFG_A_MAX_PINHOLES] = { .type = NLA_U32 },
	[PINHOLE_CFG_A_MAX_PER_OWNER] = { .type = NLA_U32 },
	[PINHOLE_CFG_A_OPEN_LEASE_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &pinhole_lease_range),
	[PINHOLE_CFG_A_PINNED_LEASE_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &pinhole_lease_range),
	[PINHOLE_CFG_A_ACTIVE_LEASE_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &pinhole_lease_range),
	[PINHOLE_CFG_A_MAX_LEASE_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &pinhole_lease_range),
	[PINHOLE_CFG_A_OWNER_GRACE_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &pinhole_grace_range),
};

/*
 * Values the policy could bound with NLA_POLICY_MIN() (ids, ports, limits
 * of 0) are checked in code instead: the uapi promises EINVAL for them,
 * and the policy would answer ERANGE. Leases are bounded by the policy:
 * ERANGE is what the uapi promises for them.
 *
 * One policy for the family. Attributes that are only ever sent by the
 * kernel (state, owner, counters, reason, count, stats) are left out:
 * strict validation rejects them in requests. Which of the others each
 * command accepts is checked by pinhole_nl_only().
 */
static const struct nla_policy pinhole_policy[PINHOLE_A_MAX + 1] = {
	[PINHOLE_A_ID] = { .type = NLA_U32 },
	[PINHOLE_A_COOKIE] = { .type = NLA_U64 },
	[PINHOLE_A_FAMILY] = { .type = NLA_U16 },
	[PINHOLE_A_PROTO] = { .type = NLA_U8 },
	[PINHOLE_A_LOCAL_ADDR] =
		NLA_POLICY_VALIDATE_FN(NLA_BINARY, pinhole_nl_validate_addr),
	[PINHOLE_A_LOCAL_PORT] = { .type = NLA_U16 },
	[PINHOLE_A_REMOTE_ADDR] =
		NLA_POLICY_VALIDATE_FN(NLA_BINARY, pinhole_nl_validate_addr),
	[PINHOLE_A_REMOTE_PORT] = { .type = NLA_U16 },
	[PINHOLE_A_LEASE_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &pinhole_lease_range),
	[PINHOLE_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, PINHOLE_F_ALL),
	[PINHOLE_A_CONFIG] = NLA_POLICY_NESTED(pinhole_cfg_policy),
};

#define A(x)	BIT_ULL(PINHOLE_A_##x)

/* Reject any attribute outside @allowed (a mask of A() bits). */
static int pinhole_nl_only(struct genl_info *info, u64 allowed)
{
	int i;

	for (i = 1; i <= PINHOLE_A_MAX; i++) {
		if (info->attrs[i] && !(allowed & BIT_ULL(i))) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[i],
					    "attribute not valid for this command");
			return -EINVAL;
		}
	}
	return 0;
}

static int pinhole_nl_need(struct genl_info *info, int attr)
{
	if (info->attrs[attr])
		return 0;
	NL_SET_ERR_MSG_MOD(info->extack, "missing required attribute");
	NL_SET_ERR_ATTR_MISS(info->extack, NULL, attr);
	return -EINVAL;
}

/* PINHOLE_A_ID is present and not 0. */
static int pinhole_nl_need_id(struct genl_info *info)
{
	const struct nlattr *nla = info->attrs[PINHOLE_A_ID];
	int err = pinhole_nl_need(info, PINHOLE_A_ID);

	if (!err && !nla_get_u32(nla)) {
		NL_SET_ERR_MSG_ATTR(info->extack, nla, "id 0 is never valid");
		err = -EINVAL;
	}
	return err;
}

/* --- messages --- */

/*
 * Exact message sizes: a message sized NLMSG_GOODSIZE costs a 4 KB
 * allocation that init_on_alloc clears, and netlink_trim() copies it
 * again to shrink it. Each size below sums what the matching put function
 * writes (nla_total_size_64bit() counts the pad a 64-bit value may need).
 */
static size_t pinhole_nl_pinhole_size(u16 family, u8 lflags, u8 remote,
				      bool owner, u8 reason)
{
	size_t alen = family == AF_INET ? 4 : 16;
	size_t size;

	size = nla_total_size(sizeof(u32)) +		/* ID */
	       nla_total_size_64bit(sizeof(u64)) +	/* COOKIE */
	       nla_total_size(sizeof(u16)) +		/* FAMILY */
	       nla_total_size(sizeof(u8)) +		/* PROTO */
	       nla_total_size(sizeof(u16)) +		/* LOCAL_PORT */
	       nla_total_size(sizeof(u8)) +		/* STATE */
	       nla_total_size(sizeof(u32)) +		/* LEASE_MS */
	       nla_total_size_64bit(sizeof(u64)) * 2 +	/* PACKETS, BYTES */
	       nla_total_size(sizeof(u32)) +		/* FLAGS */
	       /* IDLE_MS: the packet path may set last_seen at any time */
	       nla_total_size_64bit(sizeof(u64));
	if (lflags & PINHOLE_L_ADDR)
		size += nla_total_size(alen);
	if (remote & PINHOLE_R_ADDR)
		size += nla_total_size(alen);
	if (remote & PINHOLE_R_PORT)
		size += nla_total_size(sizeof(u16));
	if (owner)
		size += nla_total_size(sizeof(u32));
	if (reason)
		size += nla_total_size(sizeof(u8));
	return size;
}

/*
 * A message for @ph, once it has bound @remote too. Lock held: the
 * pinhole's remote and owner cannot change until it is filled.
 */
static struct sk_buff *pinhole_nl_new_pinhole(const struct pinhole *ph,
					      u8 remote, u8 reason)
{
	return genlmsg_new(pinhole_nl_pinhole_size(ph->key.family, ph->lflags,
						   ph->remote | remote,
						   ph->owner, reason),
			   GFP_KERNEL);
}

static int pinhole_nl_put_pinhole(struct sk_buff *skb,
				  const struct pinhole *ph, u8 reason)
{
	u32 now = pinhole_now(), expires = READ_ONCE(ph->expires);
	u32 seen = READ_ONCE(ph->last_seen);
	int alen = ph->key.family == AF_INET ? 4 : 16;
	u32 left = 0;

	if (time_before32(now, expires))
		left = jiffies_to_msecs(expires - now);
	if (nla_put_u32(skb, PINHOLE_A_ID, ph->id) ||
	    nla_put_u64_64bit(skb, PINHOLE_A_COOKIE, ph->cookie,
			      PINHOLE_A_PAD) ||
	    nla_put_u16(skb, PINHOLE_A_FAMILY, ph->key.family) ||
	    nla_put_u8(skb, PINHOLE_A_PROTO, ph->key.proto) ||
	    nla_put_u16(skb, PINHOLE_A_LOCAL_PORT, ph->key.port) ||
	    nla_put_u8(skb, PINHOLE_A_STATE, ph->state) ||
	    nla_put_u32(skb, PINHOLE_A_LEASE_MS, left) ||
	    nla_put_u64_64bit(skb, PINHOLE_A_PACKETS,
			      atomic64_read(&ph->packets), PINHOLE_A_PAD) ||
	    nla_put_u64_64bit(skb, PINHOLE_A_BYTES,
			      atomic64_read(&ph->bytes), PINHOLE_A_PAD) ||
	    nla_put_u32(skb, PINHOLE_A_FLAGS,
			(ph->flags & PINHOLE_PF_LEASE_ONLY) ?
			PINHOLE_F_LEASE_ONLY : 0))
		return -EMSGSIZE;
	if ((ph->lflags & PINHOLE_L_ADDR) &&
	    nla_put(skb, PINHOLE_A_LOCAL_ADDR, alen, &ph->key.laddr))
		return -EMSGSIZE;
	if ((ph->remote & PINHOLE_R_ADDR) &&
	    nla_put(skb, PINHOLE_A_REMOTE_ADDR, alen, &ph->raddr))
		return -EMSGSIZE;
	if ((ph->remote & PINHOLE_R_PORT) &&
	    nla_put_u16(skb, PINHOLE_A_REMOTE_PORT, ph->rport))
		return -EMSGSIZE;
	if (ph->owner && nla_put_u32(skb, PINHOLE_A_OWNER, ph->owner->portid))
		return -EMSGSIZE;
	if (seen && nla_put_u64_64bit(skb, PINHOLE_A_IDLE_MS,
				      jiffies_to_msecs(now - seen),
				      PINHOLE_A_PAD))
		return -EMSGSIZE;
	if (reason && nla_put_u8(skb, PINHOLE_A_REASON, reason))
		return -EMSGSIZE;
	return 0;
}

static int pinhole_nl_fill(struct sk_buff *skb, const struct pinhole *ph,
			   u32 portid, u32 seq, int flags, u8 cmd, u8 reason)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &pinhole_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (pinhole_nl_put_pinhole(skb, ph, reason)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * Replies are allocated before the command changes anything, so that a
 * command that changed state does not fail for want of memory afterwards.
 */

/* Reply to @info with one pinhole, in a message of the request's command. */
static int pinhole_nl_reply_pinhole(struct sk_buff *msg,
				    struct genl_info *info,
				    const struct pinhole *ph)
{
	int err;

	err = pinhole_nl_fill(msg, ph, info->snd_portid, info->snd_seq, 0,
			      info->genlhdr->cmd, 0);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static struct sk_buff *pinhole_nl_new_count(void)
{
	return genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
}

static int pinhole_nl_reply_count(struct sk_buff *msg, struct genl_info *info,
				  u32 count)
{
	void *hdr;

	hdr = genlmsg_put_reply(msg, info, &pinhole_genl_family, 0,
				info->genlhdr->cmd);
	if (!hdr || nla_put_u32(msg, PINHOLE_A_COUNT, count)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/**
 * pinhole_nl_notify - announce a change on the "events" group
 * @pn: the namespace (lock held: events go out in the order of changes)
 * @ph: the pinhole
 * @cmd: PINHOLE_CMD_*_NTF
 * @reason: PINHOLE_REASON_* for CLOSED_NTF, else 0
 *
 * Nothing is built when no socket of the namespace listens.
 */
void pinhole_nl_notify(struct pinhole_net *pn, const struct pinhole *ph,
		       u8 cmd, u8 reason)
{
	struct sk_buff *msg;

	lockdep_assert_held(&pn->lock);
	if (!READ_ONCE(pinhole_nl_registered) ||
	    !genl_has_listeners(&pinhole_genl_family, pn->net, 0))
		return;
	msg = pinhole_nl_new_pinhole(ph, 0, reason);
	if (!msg)
		return;
	if (pinhole_nl_fill(msg, ph, 0, 0, 0, cmd, reason)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast_netns(&pinhole_genl_family, pn->net, msg, 0, 0,
				GFP_KERNEL);
}

/* --- request parsing --- */

static int pinhole_nl_addr(struct genl_info *info, int attr, u16 family,
			   union nf_inet_addr *addr)
{
	const struct nlattr *nla = info->attrs[attr];
	int alen = family == AF_INET ? 4 : 16;

	if (nla_len(nla) != alen) {
		NL_SET_ERR_MSG_ATTR(info->extack, nla,
				    "address length does not match the family");
		return -EINVAL;
	}
	memset(addr, 0, sizeof(*addr));
	nla_memcpy(addr, nla, alen);
	return 0;
}

/* Optional remote address and port of OPEN and ACTIVATE. */
static int pinhole_nl_remote(struct genl_info *info, u16 family, u8 *remote,
			     union nf_inet_addr *raddr, u16 *rport)
{
	int err;

	*remote = 0;
	*rport = 0;
	memset(raddr, 0, sizeof(*raddr));
	if (info->attrs[PINHOLE_A_REMOTE_ADDR]) {
		err = pinhole_nl_addr(info, PINHOLE_A_REMOTE_ADDR, family,
				      raddr);
		if (err)
			return err;
		*remote |= PINHOLE_R_ADDR;
	}
	if (info->attrs[PINHOLE_A_REMOTE_PORT]) {
		*rport = nla_get_u16(info->attrs[PINHOLE_A_REMOTE_PORT]);
		if (*rport)
			*remote |= PINHOLE_R_PORT;
	}
	return 0;
}

static u32 pinhole_nl_lease(struct genl_info *info)
{
	const struct nlattr *nla = info->attrs[PINHOLE_A_LEASE_MS];

	return nla ? nla_get_u32(nla) : 0;
}

/* The pinhole named by PINHOLE_A_ID, or NULL with the extack set. */
static struct pinhole *pinhole_nl_find(struct pinhole_net *pn,
				       struct genl_info *info)
{
	struct pinhole *ph;

	ph = pinhole_table_find(pn, nla_get_u32(info->attrs[PINHOLE_A_ID]));
	if (!ph) {
		NL_SET_ERR_MSG_MOD(info->extack, "no such pinhole");
		NL_SET_BAD_ATTR(info->extack, info->attrs[PINHOLE_A_ID]);
	}
	return ph;
}

/* --- commands --- */

static int pinhole_nl_open(struct sk_buff *skb, struct genl_info *info)
{
	struct pinhole_net *pn = pinhole_pernet(genl_info_net(info));
	struct sk_buff *msg;
	struct nlattr **attrs = info->attrs;
	struct pinhole_spec spec = {};
	struct pinhole *ph;
	u32 flags = 0;
	u16 family;
	int err;

	err = pinhole_nl_only(info, A(FAMILY) | A(PROTO) | A(LOCAL_PORT) |
			      A(LOCAL_ADDR) | A(REMOTE_ADDR) | A(REMOTE_PORT) |
			      A(COOKIE) | A(LEASE_MS) | A(FLAGS));
	if (err)
		return err;
	err = pinhole_nl_need(info, PINHOLE_A_FAMILY) ?:
	      pinhole_nl_need(info, PINHOLE_A_PROTO) ?:
	      pinhole_nl_need(info, PINHOLE_A_LOCAL_PORT);
	if (err)
		return err;

	family = nla_get_u16(attrs[PINHOLE_A_FAMILY]);
	if (family != AF_INET && family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[PINHOLE_A_FAMILY],
				    "family must be AF_INET or AF_INET6");
		return -EINVAL;
	}
	spec.key.family = family;
	spec.key.proto = nla_get_u8(attrs[PINHOLE_A_PROTO]);
	if (spec.key.proto != IPPROTO_UDP && spec.key.proto != IPPROTO_TCP) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[PINHOLE_A_PROTO],
				    "protocol must be UDP or TCP");
		return -EINVAL;
	}
	spec.key.port = nla_get_u16(attrs[PINHOLE_A_LOCAL_PORT]);
	if (!spec.key.port) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[PINHOLE_A_LOCAL_PORT],
				    "local port must not be 0");
		return -EINVAL;
	}
	if (attrs[PINHOLE_A_LOCAL_ADDR]) {
		err = pinhole_nl_addr(info, PINHOLE_A_LOCAL_ADDR, family,
				      &spec.key.laddr);
		if (err)
			return err;
		spec.lflags |= PINHOLE_L_ADDR;
	}
	err = pinhole_nl_remote(info, family, &spec.remote, &spec.raddr,
				&spec.rport);
	if (err)
		return err;
	if (attrs[PINHOLE_A_FLAGS])
		flags = nla_get_u32(attrs[PINHOLE_A_FLAGS]);
	if (flags & ~PINHOLE_F_LEASE_ONLY) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[PINHOLE_A_FLAGS],
				    "flag not valid for OPEN");
		return -EINVAL;
	}
	if (attrs[PINHOLE_A_COOKIE])
		spec.cookie = nla_get_u64(attrs[PINHOLE_A_COOKIE]);
	spec.lease_ms = pinhole_nl_lease(info);
	/* A request from the kernel itself (port id 0) cannot own. */
	if (!(flags & PINHOLE_F_LEASE_ONLY))
		spec.owner = info->snd_portid;

	msg = genlmsg_new(pinhole_nl_pinhole_size(family, spec.lflags,
						  spec.remote, spec.owner, 0),
			  GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&pn->lock);
	ph = pinhole_table_open(pn, &spec, info->extack);
	if (IS_ERR(ph)) {
		err = PTR_ERR(ph);
		if (err == -ERANGE)
			NL_SET_BAD_ATTR(info->extack, attrs[PINHOLE_A_LEASE_MS]);
		nlmsg_free(msg);
	} else {
		err = pinhole_nl_reply_pinhole(msg, info, ph);
	}
	mutex_unlock(&pn->lock);
	return err;
}

/* Attributes PIN, ACTIVATE, RENEW and GET take besides PINHOLE_A_ID. */
static const u64 pinhole_nl_id_attrs[PINHOLE_CMD_MAX + 1] = {
	[PINHOLE_CMD_PIN] = A(LEASE_MS),
	[PINHOLE_CMD_ACTIVATE] = A(REMOTE_ADDR) | A(REMOTE_PORT) | A(LEASE_MS),
	[PINHOLE_CMD_RENEW] = A(LEASE_MS),
	[PINHOLE_CMD_GET] = 0,
};

/*
 * PIN, ACTIVATE, RENEW and GET (doit): apply the command to the pinhole
 * named by PINHOLE_A_ID and reply with the pinhole.
 */
static int pinhole_nl_by_id(struct sk_buff *skb, struct genl_info *info)
{
	struct pinhole_net *pn = pinhole_pernet(genl_info_net(info));
	u8 cmd = info->genlhdr->cmd;
	u32 lease_ms = pinhole_nl_lease(info);
	struct sk_buff *msg = NULL;
	union nf_inet_addr raddr;
	struct pinhole *ph;
	u8 remote = 0;
	u16 rport = 0;
	int err;

	err = pinhole_nl_only(info, A(ID) | pinhole_nl_id_attrs[cmd]) ?:
	      pinhole_nl_need_id(info);
	if (err)
		return err;

	mutex_lock(&pn->lock);
	ph = pinhole_nl_find(pn, info);
	if (!ph) {
		err = -ENOENT;
		goto out;
	}
	if (cmd == PINHOLE_CMD_ACTIVATE) {
		err = pinhole_nl_remote(info, ph->key.family, &remote, &raddr,
					&rport);
		if (err)
			goto out;
	}
	msg = pinhole_nl_new_pinhole(ph, remote, 0);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	switch (cmd) {
	case PINHOLE_CMD_PIN:
		err = pinhole_table_pin(pn, ph, lease_ms, info->extack);
		break;
	case PINHOLE_CMD_ACTIVATE:
		err = pinhole_table_activate(pn, ph, remote, &raddr, rport,
					     lease_ms, info->extack);
		break;
	case PINHOLE_CMD_RENEW:
		err = pinhole_table_renew(pn, ph, lease_ms, info->extack);
		break;
	}
	if (!err) {
		err = pinhole_nl_reply_pinhole(msg, info, ph);
		msg = NULL;
	}
out:
	mutex_unlock(&pn->lock);
	nlmsg_free(msg);
	return err;
}

static int pinhole_nl_close(struct sk_buff *skb, struct genl_info *info)
{
	struct pinhole_net *pn = pinhole_pernet(genl_info_net(info));
	struct sk_buff *msg;
	struct nlattr **attrs = info->attrs;
	unsigned int n = 0;
	struct pinhole *ph;
	u64 cookie;
	int err;

	err = pinhole_nl_only(info, A(ID) | A(COOKIE));
	if (err)
		return err;
	if (!attrs[PINHOLE_A_ID] == !attrs[PINHOLE_A_COOKIE]) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "give either an id or a cookie");
		return -EINVAL;
	}
	if (attrs[PINHOLE_A_ID]) {
		err = pinhole_nl_need_id(info);
		if (err)
			return err;
	}

	msg = pinhole_nl_new_count();
	if (!msg)
		return -ENOMEM;

	mutex_lock(&pn->lock);
	if (attrs[PINHOLE_A_ID]) {
		ph = pinhole_nl_find(pn, info);
		if (ph) {
			pinhole_table_close(pn, ph, PINHOLE_REASON_REQUESTED);
			n = 1;
		}
	} else {
		cookie = nla_get_u64(attrs[PINHOLE_A_COOKIE]);
		n = pinhole_owner_close(pn, info->snd_portid, &cookie,
					PINHOLE_REASON_REQUESTED);
		if (!n) {
			NL_SET_ERR_MSG_MOD(info->extack,
					   "no pinhole of yours has this cookie");
			NL_SET_BAD_ATTR(info->extack, attrs[PINHOLE_A_COOKIE]);
		}
	}
	if (n) {
		err = pinhole_nl_reply_count(msg, info, n);
	} else {
		err = -ENOENT;
		nlmsg_free(msg);
	}
	mutex_unlock(&pn->lock);
	return err;
}

/*
 * cb->args[0]: the id to resume from; cb->args[1]: set when done. cb->seq
 * is the table's generation: a change between two parts of the dump marks
 * the next part NLM_F_DUMP_INTR.
 */
static int pinhole_nl_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct pinhole_net *pn = pinhole_pernet(sock_net(skb->sk));
	unsigned long id;
	struct pinhole *ph;
	void *hdr;

	if (cb->args[1])
		return 0;

	mutex_lock(&pn->lock);
	cb->seq = pn->gen;
	xa_for_each_start(&pn->ids, id, ph, cb->args[0]) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &pinhole_genl_family,
				  NLM_F_MULTI, PINHOLE_CMD_GET);
		if (!hdr)
			goto out_full;
		genl_dump_check_consistent(cb, hdr);
		if (pinhole_nl_put_pinhole(skb, ph, 0)) {
			genlmsg_cancel(skb, hdr);
			goto out_full;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[1] = 1;
	mutex_unlock(&pn->lock);
	return skb->len;

out_full:
	cb->args[0] = id;
	mutex_unlock(&pn->lock);
	return skb->len;
}

static int pinhole_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct pinhole_net *pn = pinhole_pernet(genl_info_net(info));
	struct sk_buff *msg;
	const struct nlattr *nla = info->attrs[PINHOLE_A_FLAGS];
	unsigned int n;
	u32 flags = 0;
	int err;

	err = pinhole_nl_only(info, A(FLAGS));
	if (err)
		return err;
	if (nla)
		flags = nla_get_u32(nla);
	if (flags & ~PINHOLE_F_FLUSH_ALL) {
		NL_SET_ERR_MSG_ATTR(info->extack, nla,
				    "flag not valid for FLUSH");
		return -EINVAL;
	}

	msg = pinhole_nl_new_count();
	if (!msg)
		return -ENOMEM;

	mutex_lock(&pn->lock);
	if (flags & PINHOLE_F_FLUSH_ALL)
		n = pinhole_table_close_all(pn, PINHOLE_REASON_FLUSH);
	else
		n = pinhole_owner_close(pn, info->snd_portid, NULL,
					PINHOLE_REASON_FLUSH);
	err = pinhole_nl_reply_count(msg, info, n);
	mutex_unlock(&pn->lock);
	return err;
}

/* --- configuration and statistics --- */

static int pinhole_nl_put_config(struct sk_buff *skb,
				 const struct pinhole_config *cfg)
{
	struct nlattr *nest, *ranges, *range;
	unsigned int i;

	nest = nla_nest_start(skb, PINHOLE_A_CONFIG);
	if (!nest)
		return -EMSGSIZE;
	ranges = nla_nest_start(skb, PINHOLE_CFG_A_RANGES);
	if (!ranges)
		goto cancel;
	for (i = 0; i < cfg->nranges; i++) {
		const struct pinhole_range *r = &cfg->ranges[i];

		range = nla_nest_start(skb, PINHOLE_CFG_A_RANGE);
		if (!range ||
		    nla_put_u8(skb, PINHOLE_RANGE_A_PROTO, r->proto) ||
		    nla_put_u16(skb, PINHOLE_RANGE_A_FIRST, r->first) ||
		    nla_put_u16(skb, PINHOLE_RANGE_A_LAST, r->last))
			goto cancel;
		nla_nest_end(skb, range);
	}
	nla_nest_end(skb, ranges);
	if (nla_put_u32(skb, PINHOLE_CFG_A_MAX_PINHOLES, cfg->max_pinholes) ||
	    nla_put_u32(skb, PINHOLE_CFG_A_MAX_PER_OWNER, cfg->max_per_owner) ||
	    nla_put_u32(skb, PINHOLE_CFG_A_OPEN_LEASE_MS, cfg->open_lease_ms) ||
	    nla_put_u32(skb, PINHOLE_CFG_A_PINNED_LEASE_MS,
			cfg->pinned_lease_ms) ||
	    nla_put_u32(skb, PINHOLE_CFG_A_ACTIVE_LEASE_MS,
			cfg->active_lease_ms) ||
	    nla_put_u32(skb, PINHOLE_CFG_A_MAX_LEASE_MS, cfg->max_lease_ms) ||
	    nla_put_u32(skb, PINHOLE_CFG_A_OWNER_GRACE_MS,
			cfg->owner_grace_ms))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* What pinhole_nl_put_config() writes. */
static size_t pinhole_nl_config_size(const struct pinhole_config *cfg)
{
	size_t range = nla_total_size(0) +			/* RANGE */
		       nla_total_size(sizeof(u8)) +		/* PROTO */
		       nla_total_size(sizeof(u16)) * 2;		/* FIRST, LAST */

	return nla_total_size(0) +				/* CONFIG */
	       nla_total_size(0) + cfg->nranges * range +	/* RANGES */
	       nla_total_size(sizeof(u32)) * 7;			/* values */
}

static int pinhole_nl_reply_config(struct genl_info *info,
				   const struct pinhole_config *cfg)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(pinhole_nl_config_size(cfg), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &pinhole_genl_family, 0,
				info->genlhdr->cmd);
	if (!hdr || pinhole_nl_put_config(msg, cfg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* Parse PINHOLE_CFG_A_RANGES into @cfg; nothing is published yet. */
static int pinhole_nl_parse_ranges(struct pinhole_config *cfg,
				   const struct nlattr *ranges,
				   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[PINHOLE_RANGE_A_MAX + 1];
	const struct nlattr *nla;
	unsigned int i, n = 0;
	int rem, err;

	nla_for_each_nested(nla, ranges, rem) {
		struct pinhole_range r;

		if (nla_type(nla) != PINHOLE_CFG_A_RANGE) {
			NL_SET_ERR_MSG_ATTR(extack, nla,
					    "expected PINHOLE_CFG_A_RANGE");
			return -EINVAL;
		}
		if (n == PINHOLE_MAX_RANGES) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "too many ranges");
			return -E2BIG;
		}
		err = nla_parse_nested(tb, PINHOLE_RANGE_A_MAX, nla,
				       pinhole_range_policy, extack);
		if (err)
			return err;
		if (!tb[PINHOLE_RANGE_A_PROTO] || !tb[PINHOLE_RANGE_A_FIRST] ||
		    !tb[PINHOLE_RANGE_A_LAST]) {
			NL_SET_ERR_MSG_ATTR(extack, nla,
					    "range needs proto, first and last");
			return -EINVAL;
		}
		r.proto = nla_get_u8(tb[PINHOLE_RANGE_A_PROTO]);
		r.first = nla_get_u16(tb[PINHOLE_RANGE_A_FIRST]);
		r.last = nla_get_u16(tb[PINHOLE_RANGE_A_LAST]);
		if (r.proto != IPPROTO_UDP && r.proto != IPPROTO_TCP) {
			NL_SET_ERR_MSG_ATTR(extack, tb[PINHOLE_RANGE_A_PROTO],
					    "protocol must be UDP or TCP");
			return -EINVAL;
		}
		if (!r.first || r.first > r.last) {
			NL_SET_ERR_MSG_ATTR(extack, tb[PINHOLE_RANGE_A_LAST],
					    "range must satisfy 1 <= first <= last");
			return -EINVAL;
		}
		for (i = 0; i < n; i++) {
			const struct pinhole_range *o = &cfg->ranges[i];

			if (o->proto == r.proto && r.first <= o->last &&
			    o->first <= r.last) {
				NL_SET_ERR_MSG_ATTR(extack, nla,
						    "range overlaps another");
				return -EINVAL;
			}
		}
		cfg->ranges[n++] = r;
	}
	cfg->nranges = n;
	return 0;
}

static void pinhole_nl_cfg_u32(u32 *val, struct nlattr **tb, int attr)
{
	if (tb[attr])
		*val = nla_get_u32(tb[attr]);
}

static int pinhole_nl_set_config(struct sk_buff *skb, struct genl_info *info)
{
	struct pinhole_net *pn = pinhole_pernet(genl_info_net(info));
	struct nlattr *tb[PINHOLE_CFG_A_MAX + 1];
	struct pinhole_config *cfg, *old;
	int err;

	err = pinhole_nl_only(info, A(CONFIG)) ?:
	      pinhole_nl_need(info, PINHOLE_A_CONFIG);
	if (err)
		return err;
	err = nla_parse_nested(tb, PINHOLE_CFG_A_MAX,
			       info->attrs[PINHOLE_A_CONFIG],
			       pinhole_cfg_policy, info->extack);
	if (err)
		return err;
	cfg = kmalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;

	mutex_lock(&pn->lock);
	old = rcu_dereference_protected(pn->config,
					lockdep_is_held(&pn->lock));
	*cfg = *old;
	if (tb[PINHOLE_CFG_A_RANGES]) {
		err = pinhole_nl_parse_ranges(cfg, tb[PINHOLE_CFG_A_RANGES],
					      info->extack);
		if (err)
			goto err_unlock;
	}
	pinhole_nl_cfg_u32(&cfg->max_pinholes, tb, PINHOLE_CFG_A_MAX_PINHOLES);
	pinhole_nl_cfg_u32(&cfg->max_per_owner, tb,
			   PINHOLE_CFG_A_MAX_PER_OWNER);
	pinhole_nl_cfg_u32(&cfg->open_lease_ms, tb,
			   PINHOLE_CFG_A_OPEN_LEASE_MS);
	pinhole_nl_cfg_u32(&cfg->pinned_lease_ms, tb,
			   PINHOLE_CFG_A_PINNED_LEASE_MS);
	pinhole_nl_cfg_u32(&cfg->active_lease_ms, tb,
			   PINHOLE_CFG_A_ACTIVE_LEASE_MS);
	pinhole_nl_cfg_u32(&cfg->max_lease_ms, tb, PINHOLE_CFG_A_MAX_LEASE_MS);
	pinhole_nl_cfg_u32(&cfg->owner_grace_ms, tb,
			   PINHOLE_CFG_A_OWNER_GRACE_MS);
	err = pinhole_config_check(cfg, info->extack);
	if (err) {
		NL_SET_BAD_ATTR(info->extack, info->attrs[PINHOLE_A_CONFIG]);
		goto err_unlock;
	}
	rcu_assign_pointer(pn->config, cfg);
	kfree_rcu(old, rcu);
	err = pinhole_nl_reply_config(info, cfg);
	mutex_unlock(&pn->lock);
	return err;

err_unlock:
	mutex_unlock(&pn->lock);
	kfree(cfg);
	return err;
}

static int pinhole_nl_get_config(struct sk_buff *skb, struct genl_info *info)
{
	struct pinhole_net *pn = pinhole_pernet(genl_info_net(info));
	int err;

	err = pinhole_nl_only(info, 0);
	if (err)
		return err;
	mutex_lock(&pn->lock);
	err = pinhole_nl_reply_config(info,
				      rcu_dereference_protected(pn->config,
								lockdep_is_held(&pn->lock)));
	mutex_unlock(&pn->lock);
	return err;
}

static int pinhole_nl_put_stats(struct sk_buff *skb, struct pinhole_net *pn)
{
	struct pinhole_hook_stats hs;
	struct nlattr *nest;

	pinhole_hook_stats(pn, &hs);
	nest = nla_nest_start(skb, PINHOLE_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, PINHOLE_STATS_A_PINHOLES, pn->count,
			      PINHOLE_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, PINHOLE_STATS_A_OPENED, pn->opened,
			      PINHOLE_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, PINHOLE_STATS_A_CLOSED, pn->closed,
			      PINHOLE_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, PINHOLE_STATS_A_EXPIRED, pn->expired,
			      PINHOLE_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, PINHOLE_STATS_A_OWNER_GONE, pn->owner_gone,
			      PINHOLE_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, PINHOLE_STATS_A_PKTS_ACCEPTED,
			      hs.pkts_accepted, PINHOLE_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, PINHOLE_STATS_A_BYTES_ACCEPTED,
			      hs.bytes_accepted, PINHOLE_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, PINHOLE_STATS_A_PKTS_DROPPED,
			      hs.pkts_dropped, PINHOLE_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, PINHOLE_STATS_A_BYTES_DROPPED,
			      hs.bytes_dropped, PINHOLE_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, PINHOLE_STATS_A_REFUSED, pn->refused,
			      PINHOLE_STATS_A_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int pinhole_nl_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct pinhole_net *pn = pinhole_pernet(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;
	int err;

	err = pinhole_nl_only(info, 0);
	if (err)
		return err;
	/* What pinhole_nl_put_stats() writes: a nest of ten u64. */
	msg = genlmsg_new(nla_total_size(0) +
			  nla_total_size_64bit(sizeof(u64)) * 10, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &pinhole_genl_family, 0,
				info->genlhdr->cmd);
	if (!hdr) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	mutex_lock(&pn->lock);
	err = pinhole_nl_put_stats(msg, pn);
	mutex_unlock(&pn->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* Every operation needs CAP_NET_ADMIN over the socket's namespace. */
static const struct genl_small_ops pinhole_genl_ops[] = {
	{
		.cmd = PINHOLE_CMD_OPEN,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = pinhole_nl_open,
	},
	{
		.cmd = PINHOLE_CMD_PIN,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = pinhole_nl_by_id,
	},
	{
		.cmd = PINHOLE_CMD_ACTIVATE,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = pinhole_nl_by_id,
	},
	{
		.cmd = PINHOLE_CMD_RENEW,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = pinhole_nl_by_id,
	},
	{
		.cmd = PINHOLE_CMD_CLOSE,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = pinhole_nl_close,
	},
	{
		.cmd = PINHOLE_CMD_GET,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = pinhole_nl_by_id,
		.dumpit = pinhole_nl_dump,
	},
	{
		.cmd = PINHOLE_CMD_FLUSH,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = pinhole_nl_flush,
	},
	{
		.cmd = PINHOLE_CMD_SET_CONFIG,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = pinhole_nl_set_config,
	},
	{
		.cmd = PINHOLE_CMD_GET_CONFIG,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = pinhole_nl_get_config,
	},
	{
		.cmd = PINHOLE_CMD_GET_STATS,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = pinhole_nl_get_stats,
	},
};

/*
 * GENL_MCAST_CAP_NET_ADMIN (6.1 and 6.12) checks CAP_NET_ADMIN in the user
 * namespace owning the socket's network namespace, like
 * GENL_UNS_ADMIN_PERM does for the operations.
 */
static const struct genl_multicast_group pinhole_genl_mcgrps[] = {
	{ .name = PINHOLE_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static struct genl_family pinhole_genl_family __ro_after_init = {
	.name = PINHOLE_GENL_NAME,
	.version = PINHOLE_GENL_VERSION,
	.maxattr = PINHOLE_A_MAX,
	.policy = pinhole_policy,
	.netnsok = true,
	.parallel_ops = true,	/* each namespace has its own lock */
	.module = THIS_MODULE,
	.small_ops = pinhole_genl_ops,
	.n_small_ops = ARRAY_SIZE(pinhole_genl_ops),
	.resv_start_op = PINHOLE_CMD_OPEN,	/* strict header checks for all */
	.mcgrps = pinhole_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(pinhole_genl_mcgrps),
};

int __init pinhole_nl_init(void)
{
	int err = genl_register_family(&pinhole_genl_family);

	if (!err)
		WRITE_ONCE(pinhole_nl_registered, true);
	return err;
}

void pinhole_nl_uninit(void)
{
	WRITE_ONCE(pinhole_nl_registered, false);
	genl_unregister_family(&pinhole_genl_family);
}
