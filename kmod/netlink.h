/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "pinhole" generic netlink family.
 */
#ifndef _PINHOLE_NETLINK_H
#define _PINHOLE_NETLINK_H

int pinhole_nl_init(void);
void pinhole_nl_uninit(void);

#endif /* _PINHOLE_NETLINK_H */
