/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-namespace configuration: managed port ranges, limits and leases.
 */
#ifndef _PINHOLE_CONFIG_H
#define _PINHOLE_CONFIG_H

#include <linux/rcupdate.h>
#include <linux/types.h>
#include <linux/pinhole.h>

struct netlink_ext_ack;

struct pinhole_range {
	u8 proto;
	u16 first;
	u16 last;
};

/*
 * Immutable once published: a change builds a new copy, publishes it with
 * rcu_assign_pointer() under pinhole_net.lock and frees the old one after
 * a grace period.
 */
struct pinhole_config {
	struct rcu_head rcu;
	u32 max_pinholes;
	u32 max_per_owner;
	u32 open_lease_ms;
	u32 pinned_lease_ms;
	u32 active_lease_ms;
	u32 max_lease_ms;
	u32 owner_grace_ms;
	unsigned int nranges;
	struct pinhole_range ranges[PINHOLE_MAX_RANGES];
};

int pinhole_config_check_params(void);
struct pinhole_config *pinhole_config_new_default(void);
u32 pinhole_config_state_lease(const struct pinhole_config *cfg, u8 state);
int pinhole_config_check(const struct pinhole_config *cfg,
			 struct netlink_ext_ack *extack);

/**
 * pinhole_config_managed - is this destination port in a managed range?
 * @cfg: the configuration (RCU or lock held)
 * @proto: IPPROTO_UDP or IPPROTO_TCP
 * @port: destination port, host order
 *
 * At most PINHOLE_MAX_RANGES ranges: a linear scan is cheaper than any
 * index for so few. Inline: the packet path calls it for every UDP and
 * TCP packet.
 */
static inline bool pinhole_config_managed(const struct pinhole_config *cfg,
					  u8 proto, u16 port)
{
	unsigned int i;

	for (i = 0; i < cfg->nranges; i++) {
		const struct pinhole_range *r = &cfg->ranges[i];

		if (r->proto == proto && port >= r->first && port <= r->last)
			return true;
	}
	return false;
}

#endif /* _PINHOLE_CONFIG_H */
