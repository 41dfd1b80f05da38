/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "pinhole" generic netlink family.
 */
#ifndef _PINHOLE_NETLINK_H
#define _PINHOLE_NETLINK_H

#include <linux/types.h>

struct pinhole;
struct pinhole_net;

int pinhole_nl_init(void);
void pinhole_nl_uninit(void);
void pinhole_nl_notify(struct pinhole_net *pn, const struct pinhole *ph,
		       u8 cmd, u8 reason);

#endif /* _PINHOLE_NETLINK_H */
