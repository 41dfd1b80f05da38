// SPDX-License-Identifier: GPL-2.0
/*
 * Closing an owner's pinholes: on request (CLOSE by cookie, FLUSH), and
 * when its netlink socket is released (NETLINK_URELEASE), at once or
 * after the configured grace period.
 */
#define pr_fmt(fmt) "pinhole: " fmt

#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/xarray.h>
#include <linux/pinhole.h>

#include "config.h"
#include "object.h"
#include "owner.h"
#include "pernet.h"
#include "release.h"
#include "table.h"

/**
 * pinhole_release_owner - close pinholes of one owner
 * @pn: the namespace
 * @portid: the owner's netlink port id
 * @cookie: only the pinholes of this session cookie, or NULL for all
 * @reason: PINHOLE_REASON_*
 *
 * Return: how many were closed.
 */
unsigned int pinhole_release_owner(struct pinhole_net *pn, u32 portid,
				   const u64 *cookie, u8 reason)
{
	struct pinhole_owner *owner;
	struct pinhole *ph, *tmp;
	unsigned int n = 0;

	lockdep_assert_held(&pn->lock);
	owner = xa_load(&pn->owners, portid);
	if (!owner)
		return 0;
	/* The last close frees @owner: stop before touching it again. */
	list_for_each_entry_safe(ph, tmp, &owner->pinholes, owner_node) {
		bool last = owner->count == 1;

		if (cookie && ph->cookie != *cookie)
			continue;
		pinhole_table_close(pn, ph, reason);
		n++;
		if (last)
			break;
	}
	return n;
}

/* The owner's socket went: close its pinholes or start their grace. */
static void pinhole_release_gone(struct pinhole_net *pn, u32 portid)
{
	const struct pinhole_config *cfg;
	struct pinhole_owner *owner;
	struct pinhole *ph, *tmp;
	u32 grace_ms;

	mutex_lock(&pn->lock);
	cfg = rcu_dereference_protected(pn->config,
					lockdep_is_held(&pn->lock));
	grace_ms = cfg->owner_grace_ms;
	if (!grace_ms) {
		pinhole_release_owner(pn, portid, NULL,
				      PINHOLE_REASON_OWNER_GONE);
		goto out;
	}
	owner = xa_load(&pn->owners, portid);
	if (!owner)
		goto out;
	list_for_each_entry_safe(ph, tmp, &owner->pinholes, owner_node) {
		bool last = owner->count == 1;

		pinhole_owner_detach(pn, ph);
		pinhole_table_orphan(pn, ph, grace_ms);
		if (last)
			break;
	}
out:
	mutex_unlock(&pn->lock);
}

/*
 * Called, in process context, for every netlink socket released in any
 * namespace. Our pernet state exists for every live namespace: the
 * notifier is registered after the pernet operations and unregistered
 * before them.
 */
static int pinhole_release_event(struct notifier_block *nb,
				 unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;
	struct pinhole_net *pn;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC ||
	    !n->portid)
		return NOTIFY_DONE;
	pn = pinhole_pernet(n->net);
	/*
	 * Unlocked peek: the owner, if any, was created by a request from
	 * this very socket, which can send no more.
	 */
	if (!xa_load(&pn->owners, n->portid))
		return NOTIFY_DONE;
	pinhole_release_gone(pn, n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block pinhole_release_notifier = {
	.notifier_call = pinhole_release_event,
};

int pinhole_release_module_init(void)
{
	return netlink_register_notifier(&pinhole_release_notifier);
}

void pinhole_release_module_exit(void)
{
	netlink_unregister_notifier(&pinhole_release_notifier);
}
