// SPDX-License-Identifier: GPL-2.0
/*
 * Per-owner accounting: which pinholes each netlink port id owns, and how
 * many (release.c closes them).
 */
#define pr_fmt(fmt) "pinhole: " fmt

#include <linux/lockdep.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "object.h"
#include "owner.h"
#include "pernet.h"

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
		owner = kzalloc(sizeof(*owner), GFP_KERNEL_ACCOUNT);
		if (!owner)
			return -ENOMEM;
		owner->portid = portid;
		INIT_LIST_HEAD(&owner->pinholes);
		err = xa_insert(&pn->owners, portid, owner, GFP_KERNEL_ACCOUNT);
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
