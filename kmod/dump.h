/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The dump of the pinholes of a namespace.
 */
#ifndef _PINHOLE_DUMP_H
#define _PINHOLE_DUMP_H

struct netlink_callback;
struct sk_buff;

int pinhole_dump_pinholes(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* _PINHOLE_DUMP_H */
