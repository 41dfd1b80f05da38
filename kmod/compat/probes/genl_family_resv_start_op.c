// SPDX-License-Identifier: GPL-2.0
/*
 * genl_family.resv_start_op (6.0): from that command on, the core rejects
 * non-zero reserved header bytes and attributes without a policy.
 * Fallback: nothing (older kernels do not check them at all).
 */
#include <linux/build_bug.h>
#include <net/genetlink.h>

static_assert(sizeof(((struct genl_family *)0)->resv_start_op) == 1);
