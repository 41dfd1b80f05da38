/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pinhole table of a namespace.
 */
#ifndef _PINHOLE_TABLE_H
#define _PINHOLE_TABLE_H

#include <linux/atomic.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/netfilter.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>

struct netlink_ext_ack;
struct pinhole_net;
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
#define PINHOLE_PF_GC_LOOSE	BIT(2)	/* @gc_node not in an expiry slot (gc.c) */

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
		/* in its expiry slot, see gc.c; lock */
		struct list_head gc_node;
		/* once closed: no longer in a slot */
		struct rcu_head rcu;
	};
};

/* What PINHOLE_CMD_OPEN asks for. */
struct pinhole_spec {
	struct pinhole_key key;		/* laddr zero unless PINHOLE_L_ADDR */
	u8 lflags;			/* PINHOLE_L_* */
	u8 remote;			/* PINHOLE_R_* */
	u16 rport;
	union nf_inet_addr raddr;
	u64 cookie;
	u32 lease_ms;			/* 0 = the state's default */
	u32 owner;			/* netlink port id, 0 = lease-only */
};

int pinhole_table_module_init(void);
void pinhole_table_module_exit(void);
int pinhole_table_init(struct pinhole_net *pn);
void pinhole_table_uninit(struct pinhole_net *pn);

struct pinhole *pinhole_table_open(struct pinhole_net *pn,
				   const struct pinhole_spec *spec,
				   struct netlink_ext_ack *extack);
struct pinhole *pinhole_table_find(struct pinhole_net *pn, u32 id);
int pinhole_table_pin(struct pinhole_net *pn, struct pinhole *ph,
		      u32 lease_ms, struct netlink_ext_ack *extack);
int pinhole_table_activate(struct pinhole_net *pn, struct pinhole *ph,
			   u8 remote, const union nf_inet_addr *raddr,
			   u16 rport, u32 lease_ms,
			   struct netlink_ext_ack *extack);
int pinhole_table_renew(struct pinhole_net *pn, struct pinhole *ph,
			u32 lease_ms, struct netlink_ext_ack *extack);
void pinhole_table_close(struct pinhole_net *pn, struct pinhole *ph,
			 u8 reason);
unsigned int pinhole_table_close_all(struct pinhole_net *pn, u8 reason);
bool pinhole_table_reap(struct pinhole_net *pn, struct pinhole *ph);
void pinhole_table_orphan(struct pinhole_net *pn, struct pinhole *ph,
			  u32 grace_ms);

bool pinhole_table_match(struct pinhole_net *pn, struct pinhole_key *key,
			 const union nf_inet_addr *saddr, u16 sport,
			 unsigned int len);

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

#endif /* _PINHOLE_TABLE_H */
