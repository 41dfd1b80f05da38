/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pinhole owners: the netlink sockets that opened pinholes, and the
 * pinholes each one owns.
 */
#ifndef _PINHOLE_OWNER_H
#define _PINHOLE_OWNER_H

#include <linux/list.h>
#include <linux/types.h>

struct pinhole;
struct pinhole_net;

/* One per netlink port id that owns pinholes; lock (pinhole_net.lock). */
struct pinhole_owner {
	u32 portid;
	u32 count;			/* pinholes on @pinholes */
	struct list_head pinholes;	/* pinhole.owner_node */
};

void pinhole_owner_init(struct pinhole_net *pn);
void pinhole_owner_uninit(struct pinhole_net *pn);

int pinhole_owner_attach(struct pinhole_net *pn, struct pinhole *ph,
			 u32 portid, u32 max);
void pinhole_owner_detach(struct pinhole_net *pn, struct pinhole *ph);

#endif /* _PINHOLE_OWNER_H */
