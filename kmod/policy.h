/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The attribute policies of the "pinhole" family.
 */
#ifndef _PINHOLE_POLICY_H
#define _PINHOLE_POLICY_H

#include <linux/types.h>
#include <net/netlink.h>
#include <linux/pinhole.h>

struct genl_info;

extern const struct nla_policy pinhole_policy_range[PINHOLE_RANGE_A_MAX + 1];
extern const struct nla_policy pinhole_policy_cfg[PINHOLE_CFG_A_MAX + 1];
extern const struct nla_policy pinhole_policy[PINHOLE_A_MAX + 1];

int pinhole_policy_only(struct genl_info *info, u64 allowed);
int pinhole_policy_need(struct genl_info *info, int attr);
int pinhole_policy_need_id(struct genl_info *info);

#endif /* _PINHOLE_POLICY_H */
