// SPDX-License-Identifier: GPL-2.0
/*
 * The pinhole table: pinhole objects, their index by id (xarray) and their
 * index by {family, proto, local port} (rhltable) for the packet path.
 */
#define pr_fmt(fmt) "pinhole: " fmt

#include <linux/build_bug.h>
#include <linux/lockdep.h>
#include <linux/netlink.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <linux/pinhole.h>

#include "config.h"
#include "gc.h"
#include "main.h"
#include "netlink.h"
#include "owner.h"
#include "table.h"

/*
 * 144 bytes on x86-64 (pahole): the packet path reads the first cache line
 * (hash node, key, addresses, ports, flags) and the expiry and counters of
 * the second. Keep it within three cache lines.
 */
static_assert(sizeof(struct pinhole) <= 192);
static_assert(sizeof(struct pinhole_key) == 4);

static struct kmem_cache *pinhole_cache __read_mostly;

static const struct rhashtable_params pinhole_rht_params = {
	.head_offset = offsetof(struct pinhole, node),
	.key_offset = offsetof(struct pinhole, key),
	.key_len = sizeof(struct pinhole_key),
	.automatic_shrinking = true,
};

int pinhole_table_module_init(void)
{
	pinhole_cache = KMEM_CACHE(pinhole, 0);
	return pinhole_cache ? 0 : -ENOMEM;
}

/* Callers have waited for pending RCU callbacks (rcu_barrier()). */
void pinhole_table_module_exit(void)
{
	kmem_cache_destroy(pinhole_cache);
}

int pinhole_table_init(struct pinhole_net *pn)
{
	xa_init_flags(&pn->ids, XA_FLAGS_ALLOC1);
	pn->gen = 1;
	return rhltable_init(&pn->table, &pinhole_rht_params);
}

/* The table is empty and no packet path can reach it any more. */
void pinhole_table_uninit(struct pinhole_net *pn)
{
	WARN_ON_ONCE(pn->count);
	rhltable_destroy(&pn->table);
	xa_destroy(&pn->ids);
}

/*
 * call_rcu() rather than kfree_rcu(): on 6.1 rcu_barrier() does not wait
 * for kfree_rcu()'s batches, and the cache must be empty when module exit
 * destroys it.
 */
static void pinhole_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(pinhole_cache, container_of(head, struct pinhole, rcu));
}

static const struct pinhole_config *pinhole_table_config(struct pinhole_net *pn)
{
	return rcu_dereference_protected(pn->config,
					 lockdep_is_held(&pn->lock));
}

static void pinhole_table_changed(struct pinhole_net *pn)
{
	lockdep_assert_held(&pn->lock);
	if (!++pn->gen)
		pn->gen = 1;
}

/* Check a requested lease (0 = default) and turn it into jiffies. */
static int pinhole_table_lease(struct pinhole_net *pn, u8 state, u32 lease_ms,
			       unsigned long *expires,
			       struct netlink_ext_ack *extack)
{
	const struct pinhole_config *cfg = pinhole_table_config(pn);

	if (!lease_ms) {
		lease_ms = pinhole_config_state_lease(cfg, state);
	} else if (lease_ms > cfg->max_lease_ms) {
		NL_SET_ERR_MSG_MOD(extack, "lease over the configured maximum");
		return -ERANGE;
	}
	*expires = jiffies + msecs_to_jiffies(lease_ms);
	return 0;
}

static void pinhole_table_set_expires(struct pinhole_net *pn,
				      struct pinhole *ph,
				      unsigned long expires)
{
	lockdep_assert_held(&pn->lock);
	WRITE_ONCE(ph->expires, expires);
	pinhole_gc_schedule(pn, expires);
}

static bool pinhole_same_remote(const struct pinhole *ph, u8 remote,
				const union nf_inet_addr *raddr, u16 rport)
{
	if (ph->remote != remote)
		return false;
	if ((remote & PINHOLE_R_ADDR) && !nf_inet_addr_cmp(&ph->raddr, raddr))
		return false;
	return !(remote & PINHOLE_R_PORT) || ph->rport == rport;
}

/*
 * Close, if it expired, a pinhole found by a control operation: the packet
 * path already ignores it; this only saves waiting for the collector.
 */
static bool pinhole_table_reap(struct pinhole_net *pn, struct pinhole *ph)
{
	if (!pinhole_expired(ph, jiffies))
		return false;
	pinhole_table_close(pn, ph, (ph->flags & PINHOLE_PF_ORPHAN) ?
			    PINHOLE_REASON_OWNER_GONE : PINHOLE_REASON_EXPIRED);
	return true;
}

/* A live pinhole with this identity other than @self, or NULL. */
static struct pinhole *pinhole_table_twin(struct pinhole_net *pn,
					  const struct pinhole *self,
					  const struct pinhole_key *key,
					  u8 lflags,
					  const union nf_inet_addr *laddr,
					  u8 remote,
					  const union nf_inet_addr *raddr,
					  u16 rport)
{
	struct rhlist_head *list, *pos;
	struct pinhole *ph, *twin = NULL;

	lockdep_assert_held(&pn->lock);
	rcu_read_lock();
	list = rhltable_lookup(&pn->table, key, pinhole_rht_params);
	rhl_for_each_entry_rcu(ph, pos, list, node) {
		if (ph == self || ph->lflags != lflags)
			continue;
		if ((lflags & PINHOLE_L_ADDR) &&
		    !nf_inet_addr_cmp(&ph->laddr, laddr))
			continue;
		if (!pinhole_same_remote(ph, remote, raddr, rport))
			continue;
		twin = ph;
		break;
	}
	rcu_read_unlock();
	if (twin && pinhole_table_reap(pn, twin))
		twin = NULL;
	return twin;
}

/**
 * pinhole_table_open - create a pinhole in state OPEN
 * @pn: the namespace
 * @spec: what to open (checked for syntax by the caller)
 * @extack: where to report a refusal
 *
 * Return: the pinhole, or ERR_PTR(-EEXIST/-ENOSPC/-EDQUOT/-ERANGE/-ENOMEM).
 */
struct pinhole *pinhole_table_open(struct pinhole_net *pn,
				   const struct pinhole_spec *spec,
				   struct netlink_ext_ack *extack)
{
	const struct pinhole_config *cfg = pinhole_table_config(pn);
	unsigned long expires;
	struct pinhole *ph;
	int err;

	lockdep_assert_held(&pn->lock);

	if (pn->dead || pinhole_module_exiting()) {
		NL_SET_ERR_MSG_MOD(extack, "shutting down");
		return ERR_PTR(-ESHUTDOWN);
	}
	err = pinhole_table_lease(pn, PINHOLE_STATE_OPEN, spec->lease_ms,
				  &expires, extack);
	if (err)
		return ERR_PTR(err);
	if (pinhole_table_twin(pn, NULL, &spec->key, spec->lflags,
			       &spec->laddr, spec->remote, &spec->raddr,
			       spec->rport)) {
		NL_SET_ERR_MSG_MOD(extack, "an identical pinhole exists");
		return ERR_PTR(-EEXIST);
	}
	if (pn->count >= cfg->max_pinholes) {
		pn->refused++;
		NL_SET_ERR_MSG_MOD(extack, "namespace pinhole limit reached");
		return ERR_PTR(-ENOSPC);
	}
	if (spec->owner &&
	    pinhole_owner_count(pn, spec->owner) >= cfg->max_per_owner) {
		pn->refused++;
		NL_SET_ERR_MSG_MOD(extack, "owner pinhole limit reached");
		return ERR_PTR(-EDQUOT);
	}

	ph = kmem_cache_zalloc(pinhole_cache, GFP_KERNEL);
	if (!ph)
		return ERR_PTR(-ENOMEM);
	ph->key = spec->key;
	ph->lflags = spec->lflags;
	ph->laddr = spec->laddr;
	ph->raddr = spec->raddr;
	ph->rport = spec->rport;
	ph->remote = spec->remote;	/* published by the table insertion */
	ph->state = PINHOLE_STATE_OPEN;
	ph->cookie = spec->cookie;
	ph->expires = expires;
	INIT_LIST_HEAD(&ph->owner_node);
	if (!spec->owner)
		ph->flags |= PINHOLE_PF_LEASE_ONLY;

	if (spec->owner) {
		err = pinhole_owner_attach(pn, ph, spec->owner);
		if (err)
			goto err_free;
	}
	err = xa_alloc_cyclic(&pn->ids, &ph->id, ph, XA_LIMIT(1, U32_MAX),
			      &pn->next_id, GFP_KERNEL);
	if (err < 0) {
		if (err == -EBUSY)
			err = -ENOSPC;
		NL_SET_ERR_MSG_MOD(extack, "cannot allocate a pinhole id");
		goto err_owner;
	}
	err = rhltable_insert(&pn->table, &ph->node, pinhole_rht_params);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot insert into the table");
		goto err_id;
	}

	pn->count++;
	pn->opened++;
	pinhole_table_changed(pn);
	pinhole_gc_schedule(pn, expires);
	pinhole_nl_notify(pn, ph, PINHOLE_CMD_OPENED_NTF, 0);
	return ph;

err_id:
	xa_erase(&pn->ids, ph->id);
err_owner:
	if (ph->owner)
		pinhole_owner_detach(pn, ph);
err_free:
	kmem_cache_free(pinhole_cache, ph);
	return ERR_PTR(err);
}

/**
 * pinhole_table_find - the live pinhole with this id
 * @pn: the namespace
 * @id: its id
 *
 * An expired pinhole is closed on the way and not returned.
 *
 * Return: the pinhole or NULL.
 */
struct pinhole *pinhole_table_find(struct pinhole_net *pn, u32 id)
{
	struct pinhole *ph;

	lockdep_assert_held(&pn->lock);
	ph = xa_load(&pn->ids, id);
	if (ph && pinhole_table_reap(pn, ph))
		ph = NULL;
	return ph;
}

/**
 * pinhole_table_pin - OPEN -> PINNED, or renew a PINNED pinhole
 * @pn: the namespace
 * @ph: the pinhole
 * @lease_ms: the lease, 0 = the PINNED default
 * @extack: where to report a refusal
 *
 * Return: 0, -EBUSY if ACTIVE, -ERANGE for a lease over the maximum.
 */
int pinhole_table_pin(struct pinhole_net *pn, struct pinhole *ph,
		      u32 lease_ms, struct netlink_ext_ack *extack)
{
	unsigned long expires;
	u8 old = ph->state;
	int err;

	lockdep_assert_held(&pn->lock);
	if (old == PINHOLE_STATE_ACTIVE) {
		NL_SET_ERR_MSG_MOD(extack, "pinhole is already active");
		return -EBUSY;
	}
	err = pinhole_table_lease(pn, PINHOLE_STATE_PINNED, lease_ms, &expires,
				  extack);
	if (err)
		return err;
	ph->state = PINHOLE_STATE_PINNED;
	pinhole_table_set_expires(pn, ph, expires);
	pinhole_table_changed(pn);
	if (old != PINHOLE_STATE_PINNED)
		pinhole_nl_notify(pn, ph, PINHOLE_CMD_PINNED_NTF, 0);
	return 0;
}

/**
 * pinhole_table_activate - OPEN or PINNED -> ACTIVE, binding the remote
 * @pn: the namespace
 * @ph: the pinhole
 * @remote: PINHOLE_R_* bits of the remote constraint asked, 0 = none
 * @raddr: the remote address if PINHOLE_R_ADDR
 * @rport: the remote port if PINHOLE_R_PORT
 * @lease_ms: the lease, 0 = the ACTIVE default
 * @extack: where to report a refusal
 *
 * The remote constraint is bound once: asking for another one on a pinhole
 * that has one is -EBUSY; asking for the same one is fine. Activating an
 * ACTIVE pinhole renews it (and may bind a remote it did not have yet).
 *
 * Return: 0, -EBUSY, -EEXIST (the binding would duplicate another
 * pinhole) or -ERANGE.
 */
int pinhole_table_activate(struct pinhole_net *pn, struct pinhole *ph,
			   u8 remote, const union nf_inet_addr *raddr,
			   u16 rport, u32 lease_ms,
			   struct netlink_ext_ack *extack)
{
	bool bind = remote && !ph->remote;
	unsigned long expires;
	u8 old = ph->state;
	int err;

	lockdep_assert_held(&pn->lock);
	if (remote && ph->remote &&
	    !pinhole_same_remote(ph, remote, raddr, rport)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "pinhole already bound to another remote");
		return -EBUSY;
	}
	if (bind && pinhole_table_twin(pn, ph, &ph->key, ph->lflags,
				       &ph->laddr, remote, raddr, rport)) {
		NL_SET_ERR_MSG_MOD(extack, "an identical pinhole exists");
		return -EEXIST;
	}
	err = pinhole_table_lease(pn, PINHOLE_STATE_ACTIVE, lease_ms, &expires,
				  extack);
	if (err)
		return err;

	if (bind) {
		if (remote & PINHOLE_R_ADDR)
			ph->raddr = *raddr;
		if (remote & PINHOLE_R_PORT)
			ph->rport = rport;
		/* Pairs with smp_load_acquire() in pinhole_table_match(). */
		smp_store_release(&ph->remote, remote);
	}
	ph->state = PINHOLE_STATE_ACTIVE;
	pinhole_table_set_expires(pn, ph, expires);
	pinhole_table_changed(pn);
	if (old != PINHOLE_STATE_ACTIVE || bind)
		pinhole_nl_notify(pn, ph, PINHOLE_CMD_ACTIVATED_NTF, 0);
	return 0;
}

/**
 * pinhole_table_renew - restart a pinhole's lease
 * @pn: the namespace
 * @ph: the pinhole
 * @lease_ms: the lease, 0 = the current state's default
 * @extack: where to report a refusal
 *
 * Return: 0 or -ERANGE.
 */
int pinhole_table_renew(struct pinhole_net *pn, struct pinhole *ph,
			u32 lease_ms, struct netlink_ext_ack *extack)
{
	unsigned long expires;
	int err;

	lockdep_assert_held(&pn->lock);
	err = pinhole_table_lease(pn, ph->state, lease_ms, &expires, extack);
	if (err)
		return err;
	pinhole_table_set_expires(pn, ph, expires);
	pinhole_table_changed(pn);
	return 0;
}

/**
 * pinhole_table_orphan - the owner of a pinhole went; start its grace
 * @pn: the namespace
 * @ph: the pinhole, already detached from its owner
 * @grace_ms: the grace period; the lease is cut to it
 */
void pinhole_table_orphan(struct pinhole_net *pn, struct pinhole *ph,
			  u32 grace_ms)
{
	unsigned long expires = jiffies + msecs_to_jiffies(grace_ms);

	lockdep_assert_held(&pn->lock);
	ph->flags |= PINHOLE_PF_ORPHAN;
	if (time_before(expires, ph->expires))
		pinhole_table_set_expires(pn, ph, expires);
	pinhole_table_changed(pn);
}

/**
 * pinhole_table_close - unlink a pinhole, announce it, free it after RCU
 * @pn: the namespace
 * @ph: the pinhole
 * @reason: PINHOLE_REASON_*
 */
void pinhole_table_close(struct pinhole_net *pn, struct pinhole *ph,
			 u8 reason)
{
	lockdep_assert_held(&pn->lock);

	pinhole_nl_notify(pn, ph, PINHOLE_CMD_CLOSED_NTF, reason);

	rhltable_remove(&pn->table, &ph->node, pinhole_rht_params);
	xa_erase(&pn->ids, ph->id);
	if (ph->owner)
		pinhole_owner_detach(pn, ph);

	pn->count--;
	pn->closed++;
	if (reason == PINHOLE_REASON_EXPIRED)
		pn->expired++;
	else if (reason == PINHOLE_REASON_OWNER_GONE)
		pn->owner_gone++;
	pinhole_table_changed(pn);

	call_rcu(&ph->rcu, pinhole_free_rcu);
}

/**
 * pinhole_table_close_all - close every pinhole of the namespace
 * @pn: the namespace
 * @reason: PINHOLE_REASON_*
 *
 * Return: how many were closed.
 */
unsigned int pinhole_table_close_all(struct pinhole_net *pn, u8 reason)
{
	unsigned int n = 0;
	struct pinhole *ph;
	unsigned long id;

	lockdep_assert_held(&pn->lock);
	xa_for_each(&pn->ids, id, ph) {
		pinhole_table_close(pn, ph, reason);
		n++;
		cond_resched();
	}
	return n;
}

/**
 * pinhole_table_expire - close the pinholes whose lease ran out
 * @pn: the namespace
 * @next: set to the earliest expiry among the remaining pinholes
 *
 * Return: whether any pinhole remains (and @next is valid).
 */
bool pinhole_table_expire(struct pinhole_net *pn, unsigned long *next)
{
	bool any = false;
	struct pinhole *ph;
	unsigned long id;

	lockdep_assert_held(&pn->lock);
	xa_for_each(&pn->ids, id, ph) {
		if (!pinhole_table_reap(pn, ph)) {
			if (!any || time_before(ph->expires, *next))
				*next = ph->expires;
			any = true;
		}
		cond_resched();
	}
	return any;
}

/**
 * pinhole_table_match - does a live pinhole let this packet in?
 * @pn: the namespace
 * @key: family, protocol and destination port of the packet
 * @daddr: its destination address
 * @saddr: its source address
 * @sport: its source port, host order
 * @len: its length, accounted on the pinhole that matches
 *
 * Packet path: RCU read side, no lock.
 *
 * Return: true if a pinhole matched (and counted the packet).
 */
bool pinhole_table_match(struct pinhole_net *pn,
			 const struct pinhole_key *key,
			 const union nf_inet_addr *daddr,
			 const union nf_inet_addr *saddr, u16 sport,
			 unsigned int len)
{
	unsigned long now = jiffies;
	struct rhlist_head *list, *pos;
	struct pinhole *ph;

	list = rhltable_lookup(&pn->table, key, pinhole_rht_params);
	rhl_for_each_entry_rcu(ph, pos, list, node) {
		u8 remote;

		if (pinhole_expired(ph, now))
			continue;
		if ((ph->lflags & PINHOLE_L_ADDR) &&
		    !nf_inet_addr_cmp(&ph->laddr, daddr))
			continue;
		/* Pairs with smp_store_release() in pinhole_table_activate(). */
		remote = smp_load_acquire(&ph->remote);
		if ((remote & PINHOLE_R_ADDR) &&
		    !nf_inet_addr_cmp(&ph->raddr, saddr))
			continue;
		if ((remote & PINHOLE_R_PORT) && ph->rport != sport)
			continue;

		atomic64_inc(&ph->packets);
		atomic64_add(len, &ph->bytes);
		if (READ_ONCE(ph->last_seen) != now)
			WRITE_ONCE(ph->last_seen, now ?: 1);
		return true;
	}
	return false;
}
