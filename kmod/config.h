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
bool pinhole_config_managed(const struct pinhole_config *cfg, u8 proto,
			    u16 port);
u32 pinhole_config_state_lease(const struct pinhole_config *cfg, u8 state);
int pinhole_config_check(const struct pinhole_config *cfg,
			 struct netlink_ext_ack *extack);

#endif /* _PINHOLE_CONFIG_H */
