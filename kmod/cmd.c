// SPDX-License-Identifier: GPL-2.0
/*
 * The pinhole commands of the "pinhole" family: OPEN, PIN, ACTIVATE,
 * REBIND, RENEW, CLOSE, GET (one pinhole; dump.c dumps them all) and
 * FLUSH.
 *
 * Every command runs under the namespace's lock (pinhole_net.lock), checks
 * the whole request before it changes anything, and names what it refuses
 * in the extended ack.
 */
#define pr_fmt(fmt) "pinhole: " fmt

#include <linux/in.h>
#include <linux/mutex.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <linux/pinhole.h>

#include "cmd.h"
#include "compat.h"
#include "msg.h"
#include "object.h"
#include "pernet.h"
#include "policy.h"
#include "release.h"
#include "table.h"

#define A(x)	BIT_ULL(PINHOLE_A_##x)

static int pinhole_cmd_addr(struct genl_info *info, int attr, u16 family,
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

/* Optional remote address and port of OPEN, ACTIVATE and REBIND. */
static int pinhole_cmd_remote(struct genl_info *info, u16 family,
			      struct pinhole_remote *remote)
{
	int err;

	memset(remote, 0, sizeof(*remote));
	if (info->attrs[PINHOLE_A_REMOTE_ADDR]) {
		err = pinhole_cmd_addr(info, PINHOLE_A_REMOTE_ADDR, family,
				       &remote->addr);
		if (err)
			return err;
		remote->flags |= PINHOLE_R_ADDR;
	}
	if (info->attrs[PINHOLE_A_REMOTE_PORT]) {
		remote->port = nla_get_u16(info->attrs[PINHOLE_A_REMOTE_PORT]);
		if (remote->port)
			remote->flags |= PINHOLE_R_PORT;
	}
	return 0;
}

/*
 * ACTIVATE and REBIND: PINHOLE_F_LATCH and its window (into @remote and
 * @latch_ms); REBIND without a latch needs a remote address.
 */
static int pinhole_cmd_latch(struct genl_info *info, u8 cmd,
			     struct pinhole_remote *remote, u32 *latch_ms)
{
	const struct nlattr *fla = info->attrs[PINHOLE_A_FLAGS];
	const struct nlattr *wla = info->attrs[PINHOLE_A_LATCH_MS];
	u32 flags = pinhole_nla_get_u32_default(fla, 0);

	if (flags & ~PINHOLE_F_LATCH) {
		if (cmd == PINHOLE_CMD_REBIND)
			NL_SET_ERR_MSG_ATTR(info->extack, fla,
					    "flag not valid for REBIND");
		else
			NL_SET_ERR_MSG_ATTR(info->extack, fla,
					    "flag not valid for ACTIVATE");
		return -EINVAL;
	}
	if (wla && !(flags & PINHOLE_F_LATCH)) {
		NL_SET_ERR_MSG_ATTR(info->extack, wla,
				    "latch window without PINHOLE_F_LATCH");
		return -EINVAL;
	}
	*latch_ms = pinhole_nla_get_u32_default(wla, 0);
	if (flags & PINHOLE_F_LATCH) {
		remote->flags |= PINHOLE_R_LATCH;
		return 0;
	}
	if (cmd == PINHOLE_CMD_REBIND && !(remote->flags & PINHOLE_R_ADDR)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "REBIND needs a remote address or PINHOLE_F_LATCH");
		pinhole_nl_attr_miss(info->extack, NULL, PINHOLE_A_REMOTE_ADDR);
		return -EINVAL;
	}
	return 0;
}

static u32 pinhole_cmd_lease(struct genl_info *info)
{
	return pinhole_nla_get_u32_default(info->attrs[PINHOLE_A_LEASE_MS], 0);
}

/*
 * PINHOLE_F_ACK_ONLY of OPEN and CLOSE: 1 when set (no reply message: the
 * result goes in the ack's cookie, so the request must ask for the ack),
 * 0 when not, or an error.
 */
static int pinhole_cmd_ack_only(struct genl_info *info, u32 flags)
{
	if (!(flags & PINHOLE_F_ACK_ONLY))
		return 0;
	if (!(info->nlhdr->nlmsg_flags & NLM_F_ACK)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[PINHOLE_A_FLAGS],
				    "PINHOLE_F_ACK_ONLY needs NLM_F_ACK");
		return -EINVAL;
	}
	return 1;
}

/* The pinhole named by PINHOLE_A_ID, or NULL with the extack set. */
static struct pinhole *pinhole_cmd_find(struct pinhole_net *pn,
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

int pinhole_cmd_open(struct sk_buff *skb, struct genl_info *info)
{
	struct pinhole_net *pn = pinhole_pernet(genl_info_net(info));
	struct sk_buff *msg;
	struct nlattr **attrs = info->attrs;
	struct pinhole_spec spec = {};
	struct pinhole *ph;
	int ack_only;
	u32 flags;
	u16 family;
	int err;

	err = pinhole_policy_only(info, A(FAMILY) | A(PROTO) | A(LOCAL_PORT) |
			      A(LOCAL_ADDR) | A(REMOTE_ADDR) | A(REMOTE_PORT) |
			      A(COOKIE) | A(LEASE_MS) | A(FLAGS));
	if (err)
		return err;
	err = pinhole_policy_need(info, PINHOLE_A_FAMILY) ?:
	      pinhole_policy_need(info, PINHOLE_A_PROTO) ?:
	      pinhole_policy_need(info, PINHOLE_A_LOCAL_PORT);
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
		err = pinhole_cmd_addr(info, PINHOLE_A_LOCAL_ADDR, family,
				       &spec.key.laddr);
		if (err)
			return err;
		spec.lflags |= PINHOLE_L_ADDR;
	}
	err = pinhole_cmd_remote(info, family, &spec.remote);
	if (err)
		return err;
	flags = pinhole_nla_get_u32_default(attrs[PINHOLE_A_FLAGS], 0);
	if (flags & ~(PINHOLE_F_LEASE_ONLY | PINHOLE_F_ACK_ONLY)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[PINHOLE_A_FLAGS],
				    "flag not valid for OPEN");
		return -EINVAL;
	}
	ack_only = pinhole_cmd_ack_only(info, flags);
	if (ack_only < 0)
		return ack_only;
	if (attrs[PINHOLE_A_COOKIE])
		spec.cookie = nla_get_u64(attrs[PINHOLE_A_COOKIE]);
	spec.lease_ms = pinhole_cmd_lease(info);
	/* A request from the kernel itself (port id 0) cannot own. */
	if (!(flags & PINHOLE_F_LEASE_ONLY)) {
		spec.owner = info->snd_portid;
		spec.owner_sk = NETLINK_CB(skb).sk;
	}

	msg = NULL;
	if (!ack_only) {
		msg = genlmsg_new(pinhole_msg_pinhole_size(family, spec.lflags,
							   spec.owner, 0),
				  GFP_KERNEL);
		if (!msg)
			return -ENOMEM;
	}

	mutex_lock(&pn->lock);
	/* whatever comes of this request: that socket is gone */
	if (spec.owner)
		spec.owner_of = pinhole_release_stale(pn, spec.owner,
						      spec.owner_sk);
	ph = pinhole_table_open(pn, &spec, info->extack);
	if (IS_ERR(ph)) {
		err = PTR_ERR(ph);
		if (err == -ERANGE)
			NL_SET_BAD_ATTR(info->extack, attrs[PINHOLE_A_LEASE_MS]);
		nlmsg_free(msg);
	} else if (msg) {
		err = pinhole_msg_reply_pinhole(msg, info, ph);
	} else {
		/* read under the lock: a CLOSE may free it once we let go */
		nl_set_extack_cookie_u64(info->extack, ph->id);
		err = 0;
	}
	mutex_unlock(&pn->lock);
	return err;
}

/*
 * Attributes PIN, ACTIVATE, REBIND, RENEW and GET take besides
 * PINHOLE_A_ID.
 */
static const u64 pinhole_cmd_id_attrs[PINHOLE_CMD_MAX + 1] = {
	[PINHOLE_CMD_PIN] = A(LEASE_MS),
	[PINHOLE_CMD_ACTIVATE] = A(REMOTE_ADDR) | A(REMOTE_PORT) | A(LEASE_MS) |
				 A(FLAGS) | A(LATCH_MS),
	[PINHOLE_CMD_REBIND] = A(REMOTE_ADDR) | A(REMOTE_PORT) | A(FLAGS) |
			       A(LATCH_MS),
	[PINHOLE_CMD_RENEW] = A(LEASE_MS),
	[PINHOLE_CMD_GET] = 0,
};

/*
 * PIN, ACTIVATE, REBIND, RENEW and GET (doit): apply the command to the
 * pinhole named by PINHOLE_A_ID and reply with the pinhole.
 */
int pinhole_cmd_by_id(struct sk_buff *skb, struct genl_info *info)
{
	struct pinhole_net *pn = pinhole_pernet(genl_info_net(info));
	u8 cmd = info->genlhdr->cmd;
	u32 lease_ms = pinhole_cmd_lease(info);
	struct pinhole_remote remote = {};
	struct sk_buff *msg = NULL;
	struct pinhole *ph;
	u32 latch_ms = 0;
	int err;

	err = pinhole_policy_only(info, A(ID) | pinhole_cmd_id_attrs[cmd]) ?:
	      pinhole_policy_need_id(info);
	if (err)
		return err;

	mutex_lock(&pn->lock);
	ph = pinhole_cmd_find(pn, info);
	if (!ph) {
		err = -ENOENT;
		goto out;
	}
	if (cmd == PINHOLE_CMD_ACTIVATE || cmd == PINHOLE_CMD_REBIND) {
		err = pinhole_cmd_remote(info, ph->key.family, &remote) ?:
		      pinhole_cmd_latch(info, cmd, &remote, &latch_ms);
		if (err)
			goto out;
	}
	msg = pinhole_msg_new_pinhole(ph, 0);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	switch (cmd) {
	case PINHOLE_CMD_PIN:
		err = pinhole_table_pin(pn, ph, lease_ms, info->extack);
		break;
	case PINHOLE_CMD_ACTIVATE:
		err = pinhole_table_activate(pn, ph, &remote, latch_ms,
					     lease_ms, info->extack);
		break;
	case PINHOLE_CMD_REBIND:
		err = pinhole_table_rebind(pn, ph, &remote, latch_ms,
					   info->extack);
		break;
	case PINHOLE_CMD_RENEW:
		err = pinhole_table_renew(pn, ph, lease_ms, info->extack);
		break;
	}
	if (!err) {
		err = pinhole_msg_reply_pinhole(msg, info, ph);
		msg = NULL;
	}
out:
	mutex_unlock(&pn->lock);
	nlmsg_free(msg);
	return err;
}

int pinhole_cmd_close(struct sk_buff *skb, struct genl_info *info)
{
	struct pinhole_net *pn = pinhole_pernet(genl_info_net(info));
	struct sk_buff *msg;
	struct nlattr **attrs = info->attrs;
	unsigned int n = 0;
	struct pinhole *ph;
	int ack_only;
	u64 cookie;
	u32 flags;
	int err;

	err = pinhole_policy_only(info, A(ID) | A(COOKIE) | A(FLAGS));
	if (err)
		return err;
	flags = pinhole_nla_get_u32_default(attrs[PINHOLE_A_FLAGS], 0);
	if (flags & ~PINHOLE_F_ACK_ONLY) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[PINHOLE_A_FLAGS],
				    "flag not valid for CLOSE");
		return -EINVAL;
	}
	ack_only = pinhole_cmd_ack_only(info, flags);
	if (ack_only < 0)
		return ack_only;
	if (!attrs[PINHOLE_A_ID] == !attrs[PINHOLE_A_COOKIE]) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "give either an id or a cookie");
		return -EINVAL;
	}
	if (attrs[PINHOLE_A_ID]) {
		err = pinhole_policy_need_id(info);
		if (err)
			return err;
	}

	msg = NULL;
	if (!ack_only) {
		msg = pinhole_msg_new_count();
		if (!msg)
			return -ENOMEM;
	}

	mutex_lock(&pn->lock);
	if (attrs[PINHOLE_A_ID]) {
		ph = pinhole_cmd_find(pn, info);
		if (ph) {
			pinhole_table_close(pn, ph, PINHOLE_REASON_REQUESTED);
			n = 1;
		}
	} else {
		cookie = nla_get_u64(attrs[PINHOLE_A_COOKIE]);
		n = pinhole_release_owner(pn, info->snd_portid,
					  NETLINK_CB(skb).sk, &cookie,
					  PINHOLE_REASON_REQUESTED);
		if (!n) {
			NL_SET_ERR_MSG_MOD(info->extack,
					   "no pinhole of yours has this cookie");
			NL_SET_BAD_ATTR(info->extack, attrs[PINHOLE_A_COOKIE]);
		}
	}
	if (!n) {
		err = -ENOENT;
		nlmsg_free(msg);
	} else if (msg) {
		err = pinhole_msg_reply_count(msg, info, n);
	} else {
		nl_set_extack_cookie_u64(info->extack, n);
		err = 0;
	}
	mutex_unlock(&pn->lock);
	return err;
}

int pinhole_cmd_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct pinhole_net *pn = pinhole_pernet(genl_info_net(info));
	struct sk_buff *msg;
	const struct nlattr *nla = info->attrs[PINHOLE_A_FLAGS];
	unsigned int n;
	u32 flags;
	int err;

	err = pinhole_policy_only(info, A(FLAGS));
	if (err)
		return err;
	flags = pinhole_nla_get_u32_default(nla, 0);
	if (flags & ~PINHOLE_F_FLUSH_ALL) {
		NL_SET_ERR_MSG_ATTR(info->extack, nla,
				    "flag not valid for FLUSH");
		return -EINVAL;
	}

	msg = pinhole_msg_new_count();
	if (!msg)
		return -ENOMEM;

	mutex_lock(&pn->lock);
	if (flags & PINHOLE_F_FLUSH_ALL)
		n = pinhole_table_close_all(pn, PINHOLE_REASON_FLUSH);
	else
		n = pinhole_release_owner(pn, info->snd_portid,
					  NETLINK_CB(skb).sk, NULL,
					  PINHOLE_REASON_FLUSH);
	err = pinhole_msg_reply_count(msg, info, n);
	mutex_unlock(&pn->lock);
	return err;
}
