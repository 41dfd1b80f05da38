/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pinhole object: its hash key, its flags and its times. The table
 * (table.c) creates, indexes and frees pinholes; the collector (gc.c)
 * and the owners (owner.c) link them on their lists.
 */
#ifndef _PINHOLE_OBJECT_H
#define _PINHOLE_OBJECT_H

#include <linux/atomic.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/netfilter.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>

struct pinhole_owner;

/*
 * Hash key: the packet's family, protocol, destination port and address.
 * A pinhole bound to a local address is hashed with it; one that accepts
 * any local address with @laddr all zero. The packet path looks up its
 * destination address first and, if that finds nothing, the "any" key:
 * its cost does not depend on how many pinholes share the port on other
 * local addresses. @laddr is all zero past the 4 bytes of an IPv4 address.
 */
struct pinhole_key {
	u8 family;
	u8 proto;
	u16 port;			/* local port, host order */
	union nf_inet_addr laddr;	/* local address, or zero = any */
};

/* pinhole.lflags, immutable */
#define PINHOLE_L_ADDR		BIT(0)	/* bound to a local address */

/* pinhole.remote, written once (smp_store_release) */
#define PINHOLE_R_ADDR		BIT(0)	/* bound to a remote address */
#define PINHOLE_R_PORT		BIT(1)	/* bound to a remote port */

/* pinhole.flags; lock */
#define PINHOLE_PF_LEASE_ONLY	BIT(0)	/* opened without an owner */
#define PINHOLE_PF_ORPHAN	BIT(1)	/* its owner went; in its grace period */
#define PINHOLE_PF_GC_LOOSE	BIT(2)	/* @gc_node on gc_loose (gc_slots.h) */

/**
 * struct pinhole - one pinhole
 *
 * Lifetime: created and linked under pinhole_net.lock; unlinked under it
 * and freed after an RCU grace period, so the packet path may read any
 * pinhole it found in the table until it leaves its RCU read section.
 * Fields marked "lock" are written under pinhole_net.lock only.
 * sizeof(struct pinhole) is checked to be at most 136 bytes (table.c).
 */
struct pinhole {
	struct rhlist_head node;	/* in pinhole_net.table; lock */
	struct pinhole_key key;		/* immutable */
	u32 id;				/* immutable, never 0 */
	union nf_inet_addr raddr;	/* written before @remote publishes it */
	u16 rport;			/* written before @remote publishes it */
	u8 lflags;			/* PINHOLE_L_*, immutable */
	u8 remote;			/* PINHOLE_R_*, smp_store_release(), once */
	u8 state;			/* PINHOLE_STATE_*; lock */
	u8 flags;			/* PINHOLE_PF_*; lock */
	u32 expires;			/* pinhole time; lock, READ_ONCE */
	u32 last_seen;			/* pinhole time of the last packet, 0 = none */
	u64 cookie;			/* immutable */
	atomic64_t packets;
	atomic64_t bytes;
	struct pinhole_owner *owner;	/* NULL if lease-only or orphan; lock */
	struct list_head owner_node;	/* in owner->pinholes; lock */
	union {
		/* in its expiry slot, see gc_slots.h; lock */
		struct list_head gc_node;
		/* once closed: no longer in a slot */
		struct rcu_head rcu;
	};
};

/*
 * Pinhole times are jiffies truncated to 32 bits (it keeps struct pinhole
 * within 136 bytes). A lease is at most a week, far below 2^31 jiffies, so
 * time_after32() orders them. An idle time (now - last_seen) wraps after
 * 2^32 jiffies (198 days at HZ=250).
 */
static inline u32 pinhole_now(void)
{
	return (u32)jiffies;
}

static inline bool pinhole_expired(const struct pinhole *ph, u32 now)
{
	return time_after32(now, READ_ONCE(ph->expires));
}

/* The full jiffies of a pinhole time within 2^31 jiffies of now. */
static inline unsigned long pinhole_jiffies(u32 t)
{
	unsigned long now = jiffies;

	return now + (long)(s32)(t - (u32)now);
}

#endif /* _PINHOLE_OBJECT_H */
