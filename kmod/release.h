/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Closing an owner's pinholes, on request and when its socket goes.
 */
#ifndef _PINHOLE_RELEASE_H
#define _PINHOLE_RELEASE_H

#include <linux/types.h>

struct pinhole_net;
struct pinhole_owner;
struct sock;

int pinhole_release_module_init(void);
void pinhole_release_module_exit(void);
unsigned int pinhole_release_owner(struct pinhole_net *pn, u32 portid,
				   const struct sock *sk, const u64 *cookie,
				   u8 reason);
struct pinhole_owner *pinhole_release_stale(struct pinhole_net *pn,
					    u32 portid, const struct sock *sk);

#endif /* _PINHOLE_RELEASE_H */
