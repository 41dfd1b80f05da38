// SPDX-License-Identifier: GPL-2.0
/*
 * NLA_POLICY_MASK() (added around 5.15): the policy rejects bits outside a mask.
 * Fallback: a plain NLA_U32; the commands check their flags anyway.
 */
#include <linux/build_bug.h>
#include <net/netlink.h>

static_assert(sizeof((struct nla_policy)NLA_POLICY_MASK(NLA_U32, 3)));
