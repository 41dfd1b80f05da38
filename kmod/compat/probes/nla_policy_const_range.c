// SPDX-License-Identifier: GPL-2.0
/*
 * struct nla_policy points to the netlink_range_validation of
 * NLA_POLICY_FULL_RANGE() as const (6.12: yes; 6.1: no, the range must be
 * writable). Fallback: the ranges are __ro_after_init instead of const.
 */
#include <linux/build_bug.h>
#include <net/netlink.h>

static_assert(__builtin_types_compatible_p(typeof(((struct nla_policy *)0)->range),
					   const struct netlink_range_validation *));
