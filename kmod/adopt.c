// SPDX-License-Identifier: GPL-2.0
/*
 * PINHOLE_CMD_ADOPT: the pinholes of a session whose owner socket went,
 * still in their owner grace (release.c), are given to the caller (an
 * agent started again), whole or not at all.
 *
 * A session's pinholes are found by walking the id index: there is no
 * index by cookie (the packet path needs none, and an agent adopts only
 * when it starts).
 */
#define pr_fmt(fmt) "pinhole: " fmt

#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <linux/pinhole.h>

#include "adopt.h"
#include "compat.h"
#include "msg.h"
#include "object.h"
#include "pernet.h"
#include "policy.h"
#include "release.h"
#include "table.h"

#define A(x)	BIT_ULL(PINHOLE_A_##x)

/*
 * The orphans of @cookie, in their grace, into @phs (up to @max of
 * them; NULL to count only). Lease-only pinholes and expired ones (gone,
 * if not reaped yet) are not the session's any more.
 *
 * Return: how many, or -EBUSY if a live pinhole of @cookie has an owner.
 */
static int pinhole_adopt_find(struct pinhole_net *pn, u64 cookie,
			      struct pinhole **phs, unsigned int max)
{
	u32 now = pinhole_now();
	struct pinhole *ph;
	unsigned long id;
	unsigned int n = 0;

	lockdep_assert_held(&pn->lock);
	xa_for_each(&pn->ids, id, ph) {
		if (ph->cookie != cookie || pinhole_expired(ph, now) ||
		    (ph->flags & PINHOLE_PF_LEASE_ONLY))
			continue;
		if (ph->owner)
			return -EBUSY;
		if (!(ph->flags & PINHOLE_PF_ORPHAN))
			continue;
		if (phs && n < max)
			phs[n] = ph;
		n++;
	}
	return n;
}

int pinhole_adopt_cmd(struct sk_buff *skb, struct genl_info *info)
{
	struct pinhole_net *pn = pinhole_pernet(genl_info_net(info));
	const struct nlattr *cla = info->attrs[PINHOLE_A_COOKIE];
	struct pinhole_owner *owner;
	struct pinhole **phs = NULL;
	struct sk_buff *msg;
	u32 lease_ms;
	u64 cookie;
	int n, err;

	err = pinhole_policy_only(info, A(COOKIE) | A(LEASE_MS)) ?:
	      pinhole_policy_need(info, PINHOLE_A_COOKIE);
	if (err)
		return err;
	/* A request from the kernel itself (port id 0) cannot own. */
	if (!info->snd_portid) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "a kernel socket cannot own pinholes");
		return -EINVAL;
	}
	cookie = nla_get_u64(cla);
	lease_ms = pinhole_nla_get_u32_default(info->attrs[PINHOLE_A_LEASE_MS],
					       0);
	msg = pinhole_msg_new_count();
	if (!msg)
		return -ENOMEM;

	mutex_lock(&pn->lock);
	/* a gone socket's owner under the caller's port id goes first */
	owner = pinhole_release_stale(pn, info->snd_portid, NETLINK_CB(skb).sk);
	n = pinhole_adopt_find(pn, cookie, NULL, 0);
	if (n == -EBUSY) {
		NL_SET_ERR_MSG_ATTR(info->extack, cla,
				    "a pinhole of this session has a live owner");
		err = n;
		goto out;
	}
	if (!n) {
		NL_SET_ERR_MSG_ATTR(info->extack, cla,
				    "no orphan in its grace has this cookie");
		err = -ENOENT;
		goto out;
	}
	phs = kmalloc_array(n, sizeof(*phs), GFP_KERNEL);
	if (!phs) {
		err = -ENOMEM;
		goto out;
	}
	/* under the same lock: the same pinholes */
	pinhole_adopt_find(pn, cookie, phs, n);
	err = pinhole_table_adopt(pn, phs, n, owner, info->snd_portid,
				  NETLINK_CB(skb).sk, lease_ms, info->extack);
	if (err == -ERANGE)
		NL_SET_BAD_ATTR(info->extack, info->attrs[PINHOLE_A_LEASE_MS]);
	if (!err) {
		err = pinhole_msg_reply_count(msg, info, n);
		msg = NULL;
	}
out:
	mutex_unlock(&pn->lock);
	kfree(phs);
	nlmsg_free(msg);
	return err;
}
