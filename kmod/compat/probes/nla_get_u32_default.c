// SPDX-License-Identifier: GPL-2.0
/*
 * nla_get_u32_default() (6.13): an optional u32 attribute's value, or a
 * default when absent. Fallback: the same, open-coded.
 */
#include <linux/build_bug.h>
#include <net/netlink.h>

static_assert(__builtin_types_compatible_p(typeof(&nla_get_u32_default),
					   u32 (*)(const struct nlattr *, u32)));
