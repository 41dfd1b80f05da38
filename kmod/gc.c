// SPDX-License-Identifier: GPL-2.0
/*
 * Lease collector, one deferrable delayed work per namespace.
 *
 * The packet path never honours an expired pinhole, so the collector only
 * has to free expired pinholes and announce them (CLOSED_NTF, reason
 * EXPIRED or OWNER_GONE); it may run late. It is armed for the earliest
 * expiry in the table and runs at most every PINHOLE_GC_MIN_INTERVAL; it is
 * deferrable, so an idle CPU is not woken for it. Each run walks the table.
 */
#define pr_fmt(fmt) "pinhole: " fmt

#include <linux/jiffies.h>
#include <linux/lockdep.h>
#include <linux/workqueue.h>

#include "gc.h"
#include "main.h"
#include "table.h"

#define PINHOLE_GC_MIN_INTERVAL	(HZ / 10)

static void pinhole_gc_work(struct work_struct *work)
{
	struct pinhole_net *pn = container_of(to_delayed_work(work),
					      struct pinhole_net, gc_work);
	unsigned long next;

	mutex_lock(&pn->lock);
	pn->gc_armed = false;
	if (!pn->dead && pinhole_table_expire(pn, &next))
		pinhole_gc_schedule(pn, next);
	mutex_unlock(&pn->lock);
}

void pinhole_gc_init(struct pinhole_net *pn)
{
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

/* pn->dead is set: the work cannot rearm itself. */
void pinhole_gc_uninit(struct pinhole_net *pn)
{
	cancel_delayed_work_sync(&pn->gc_work);
}
