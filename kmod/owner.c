// SPDX-License-Identifier: GPL-2.0
/*
 * Per-owner accounting, and closing an owner's pinholes when its netlink
 * socket is released (NETLINK_URELEASE).
 */
#define pr_fmt(fmt) "pinhole: " fmt

#include <linux/lockdep.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <linux/pinhole.h>

#include "config.h"
#include "main.h"
#include "owner.h"
#include "table.h"

void pinhole_owner_init(struct pinhole_net *pn)
{
	xa_init(&pn->owners);
}

/* Every pinhole is closed: every owner is gone. */
void pinhole_owner_uninit(struct pinhole_net *pn)
{
	WARN_ON_ONCE(!xa_empty(&pn->owners));
	xa_destroy(&pn->owners);
}

/**
 * pinhole_owner_attach - give a pinhole to an owner, creating the owner
 * @pn: the namespace
 * @ph: the pinhole, not owned yet
 * @portid: the owner's netlink port id, not 0
 * @max: how many pinholes an owner may have
 *
 * Return: 0, -EDQUOT if the owner has @max already, or -ENOMEM.
 */
int pinhole_owner_attach(struct pinhole_net *pn, struct pinhole *ph,
			 u32 portid, u32 max)
{
	struct pinhole_owner *owner;
	int err;

	lockdep_assert_held(&pn->lock);
	owner = xa_load(&pn->owners, portid);
	if (owner && owner->count >= max)
		return -EDQUOT;
	if (!owner) {
		owner = kzalloc(sizeof(*owner), GFP_KERNEL);
		if (!owner)
			return -ENOMEM;
		owner->portid = portid;
		INIT_LIST_HEAD(&owner->pinholes);
		err = xa_insert(&pn->owners, portid, owner, GFP_KERNEL);
		if (err) {
			kfree(owner);
			return err;
		}
	}
	list_add_tail(&ph->owner_node, &owner->pinholes);
	owner->count++;
	ph->owner = owner;
	return 0;
}

/**
 * pinhole_owner_detach - take a pinhole from its owner, freeing an owner
 *			  left with none
 * @pn: the namespace
 * @ph: the pinhole, owned
 */
void pinhole_owner_detach(struct pinhole_net *pn, struct pinhole *ph)
{
	struct pinhole_owner *owner = ph->owner;

	lockdep_assert_held(&pn->lock);
	list_del_init(&ph->owner_node);
	ph->owner = NULL;
	if (--owner->count)
		return;
	xa_erase(&pn->owners, owner->portid);
	kfree(owner);
}

/**
 * pinhole_owner_close - close pinholes of one owner
 * @pn: the namespace
 * @portid: the owner's netlink port id
 * @cookie: only the pinholes of this session cookie, or NULL for all
 * @reason: PINHOLE_REASON_*
 *
 * Return: how many were closed.
 */
unsigned int pinhole_owner_close(struct pinhole_net *pn, u32 portid,
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
static void pinhole_owner_gone(struct pinhole_net *pn, u32 portid)
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
		pinhole_owner_close(pn, portid, NULL,
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
static int pinhole_owner_event(struct notifier_block *nb,
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
	pinhole_owner_gone(pn, n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block pinhole_owner_notifier = {
	.notifier_call = pinhole_owner_event,
};

int pinhole_owner_module_init(void)
{
	return netlink_register_notifier(&pinhole_owner_notifier);
}

void pinhole_owner_module_exit(void)
{
	netlink_unregister_notifier(&pinhole_owner_notifier);
}
