// SPDX-License-Identifier: GPL-2.0
/*
 * NL_SET_ERR_ATTR_MISS(extack, nest, type) (6.0): report which attribute
 * is missing (NLMSGERR_ATTR_MISS_TYPE). Fallback: only the message.
 */
#include <linux/netlink.h>

void pinhole_probe(struct netlink_ext_ack *extack);
void pinhole_probe(struct netlink_ext_ack *extack)
{
	NL_SET_ERR_ATTR_MISS(extack, NULL, 1);
}
