// SPDX-License-Identifier: GPL-2.0
/*
 * genl_multicast_group.flags and GENL_MCAST_CAP_NET_ADMIN (6.7, and the
 * stable kernels it was backported to, 6.1 among them): joining the group
 * needs CAP_NET_ADMIN in the namespace's user namespace. Fallback: no flag;
 * any socket of the namespace may listen, as before 6.7.
 */
#include <linux/build_bug.h>
#include <net/genetlink.h>

static_assert(sizeof(((struct genl_multicast_group *)0)->flags) &&
	      GENL_MCAST_CAP_NET_ADMIN);
