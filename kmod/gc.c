// SPDX-License-Identifier: GPL-2.0
/*
 * Lease collector, one deferrable delayed work per namespace.
 *
 * The packet path never honours an expired pinhole, so the collector only
 * has to free expired pinholes and announce them (CLOSED_NTF, reason
 * EXPIRED or OWNER_GONE); it may run late. It is armed for the earliest
 * expiry in the table and runs at most every PINHOLE_GC_MIN_INTERVAL; it is
 * deferrable, so an idle CPU is not woken for it.
 *
 * Expiry slots: every pinhole is filed, by its expiry, in the slot of
 * PINHOLE_GC_SLOT jiffies that holds it (pinhole_net.gc_slots, an xarray
 * indexed by expires / PINHOLE_GC_SLOT). A slot is a headless ring of
 * pinholes linked by pinhole.gc_node; the xarray points to any one of
 * them. A run takes only the slots up to the current one, so its work is
 * proportional to what expires (plus the not-yet-expired pinholes of the
 * current slot), not to the size of the table. Filing a pinhole in a new
 * slot allocates in the xarray; if that fails the pinhole goes on
 * pinhole_net.gc_loose, which every run walks whole (PINHOLE_PF_GC_LOOSE
 * marks it, and the pinholes a run has taken out of their slots).
 * Slot indexes are jiffies-based: 64-bit jiffies do not wrap.
 */
#define pr_fmt(fmt) "pinhole: " fmt

#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/sched.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "gc.h"
#include "main.h"
#include "table.h"

#define PINHOLE_GC_MIN_INTERVAL	(HZ / 10)
#define PINHOLE_GC_SLOT		PINHOLE_GC_MIN_INTERVAL

static unsigned long pinhole_gc_slot(unsigned long expires)
{
	return expires / PINHOLE_GC_SLOT;
}

static unsigned long pinhole_gc_ph_slot(const struct pinhole *ph)
{
	return pinhole_gc_slot(pinhole_jiffies(ph->expires));
}

/**
 * pinhole_gc_file - file a pinhole in the slot of its expiry
 * @pn: the namespace
 * @ph: the pinhole, in no slot
 */
void pinhole_gc_file(struct pinhole_net *pn, struct pinhole *ph)
{
	unsigned long slot = pinhole_gc_ph_slot(ph);
	struct pinhole *first;

	lockdep_assert_held(&pn->lock);
	first = xa_load(&pn->gc_slots, slot);
	if (first) {
		list_add_tail(&ph->gc_node, &first->gc_node);
		return;
	}
	if (!xa_insert(&pn->gc_slots, slot, ph, GFP_KERNEL))
		return;
	ph->flags |= PINHOLE_PF_GC_LOOSE;
	list_add_tail(&ph->gc_node, &pn->gc_loose);
}

/**
 * pinhole_gc_unfile - take a pinhole out of its expiry slot
 * @pn: the namespace
 * @ph: the pinhole, filed (its expiry unchanged since)
 */
void pinhole_gc_unfile(struct pinhole_net *pn, struct pinhole *ph)
{
	unsigned long slot = pinhole_gc_ph_slot(ph);

	lockdep_assert_held(&pn->lock);
	if (ph->flags & PINHOLE_PF_GC_LOOSE) {
		ph->flags &= ~PINHOLE_PF_GC_LOOSE;
	} else if (xa_load(&pn->gc_slots, slot) == ph) {
		/* Replacing a present entry allocates nothing. */
		if (list_empty(&ph->gc_node))
			xa_erase(&pn->gc_slots, slot);
		else
			xa_store(&pn->gc_slots, slot,
				 list_next_entry(ph, gc_node), GFP_KERNEL);
	}
	list_del_init(&ph->gc_node);
}

static void pinhole_gc_earlier(const struct pinhole *ph, bool *any,
			       unsigned long *next)
{
	unsigned long expires = pinhole_jiffies(ph->expires);

	if (!*any || time_before(expires, *next))
		*next = expires;
	*any = true;
}

/* The earliest expiry among the pinholes of @ring (a slot) and @head. */
static void pinhole_gc_earliest(struct list_head *ring, struct list_head *head,
				bool *any, unsigned long *next)
{
	struct pinhole *ph;

	if (ring) {
		pinhole_gc_earlier(list_entry(ring, struct pinhole, gc_node),
				   any, next);
		list_for_each_entry(ph, ring, gc_node)
			pinhole_gc_earlier(ph, any, next);
	}
	list_for_each_entry(ph, head, gc_node)
		pinhole_gc_earlier(ph, any, next);
}

/*
 * Close the expired pinholes of the slots due by now and of the loose
 * list; file the others again. Return whether any pinhole remains, with
 * the earliest expiry in @next.
 */
static bool pinhole_gc_expire(struct pinhole_net *pn, unsigned long *next)
{
	unsigned long slot, now = jiffies;
	struct pinhole *ph, *tmp;
	struct list_head *first = NULL;
	LIST_HEAD(due);
	bool any = false;

	lockdep_assert_held(&pn->lock);
	xa_for_each_range(&pn->gc_slots, slot, ph, 0, pinhole_gc_slot(now)) {
		LIST_HEAD(ring);

		xa_erase(&pn->gc_slots, slot);
		/* Give the headless ring a head, then move it to @due. */
		list_add_tail(&ring, &ph->gc_node);
		list_splice_tail(&ring, &due);
	}
	list_splice_tail_init(&pn->gc_loose, &due);
	list_for_each_entry(ph, &due, gc_node)
		ph->flags |= PINHOLE_PF_GC_LOOSE;

	/* Closing a pinhole takes it, and only it, off @due. */
	list_for_each_entry_safe(ph, tmp, &due, gc_node) {
		if (!pinhole_table_reap(pn, ph)) {
			pinhole_gc_unfile(pn, ph);
			pinhole_gc_file(pn, ph);
		}
		cond_resched();
	}

	ph = xa_find(&pn->gc_slots, &slot, ULONG_MAX, XA_PRESENT);
	if (ph)
		first = &ph->gc_node;
	pinhole_gc_earliest(first, &pn->gc_loose, &any, next);
	return any;
}

static void pinhole_gc_work(struct work_struct *work)
{
	struct pinhole_net *pn = container_of(to_delayed_work(work),
					      struct pinhole_net, gc_work);
	unsigned long next;

	mutex_lock(&pn->lock);
	pn->gc_armed = false;
	if (!pn->dead && pinhole_gc_expire(pn, &next))
		pinhole_gc_schedule(pn, next);
	mutex_unlock(&pn->lock);
}

void pinhole_gc_init(struct pinhole_net *pn)
{
	xa_init(&pn->gc_slots);
	INIT_LIST_HEAD(&pn->gc_loose);
	INIT_DEFERRABLE_WORK(&pn->gc_work, pinhole_gc_work);
}

/**
 * pinhole_gc_schedule - make the collector run after a pinhole expires
 * @pn: the namespace
 * @expires: the jiffies after which the pinhole is expired
 */
void pinhole_gc_schedule(struct pinhole_net *pn, unsigned long expires)
{
	unsigned long now = jiffies;
	unsigned long due = expires + 1;

	lockdep_assert_held(&pn->lock);
	if (pn->dead)
		return;
	if (time_before(due, now + PINHOLE_GC_MIN_INTERVAL))
		due = now + PINHOLE_GC_MIN_INTERVAL;
	if (pn->gc_armed && !time_before(due, pn->gc_next))
		return;
	pn->gc_next = due;
	pn->gc_armed = true;
	mod_delayed_work(system_power_efficient_wq, &pn->gc_work, due - now);
}

/* pn->dead is set and every pinhole closed: the work cannot rearm itself. */
void pinhole_gc_uninit(struct pinhole_net *pn)
{
	cancel_delayed_work_sync(&pn->gc_work);
	WARN_ON_ONCE(!xa_empty(&pn->gc_slots) || !list_empty(&pn->gc_loose));
	xa_destroy(&pn->gc_slots);
}
