/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Netfilter hooks: the packet path.
 */
#ifndef _PINHOLE_HOOK_H
#define _PINHOLE_HOOK_H

#include <linux/types.h>

struct pinhole_net;

struct pinhole_hook_stats {
	u64 pkts_accepted;
	u64 bytes_accepted;
	u64 pkts_dropped;
	u64 bytes_dropped;
	u64 pkts_malformed;
};

int pinhole_hook_init(struct pinhole_net *pn);
void pinhole_hook_pre_exit(struct pinhole_net *pn);
void pinhole_hook_uninit(struct pinhole_net *pn);
void pinhole_hook_stats(struct pinhole_net *pn,
			struct pinhole_hook_stats *stats);

#endif /* _PINHOLE_HOOK_H */
