/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pinhole table of a namespace.
 */
#ifndef _PINHOLE_TABLE_H
#define _PINHOLE_TABLE_H

#include <linux/netfilter.h>
#include <linux/types.h>

#include "object.h"

struct netlink_ext_ack;
struct pinhole_net;
struct pinhole_owner;
struct sock;

/* What PINHOLE_CMD_OPEN asks for. */
struct pinhole_spec {
	struct pinhole_key key;		/* laddr zero unless PINHOLE_L_ADDR */
	u8 lflags;			/* PINHOLE_L_* */
	struct pinhole_remote remote;	/* flags 0 = any remote */
	u64 cookie;
	u32 lease_ms;			/* 0 = the state's default */
	u32 owner;			/* netlink port id, 0 = lease-only */
	struct sock *owner_sk;		/* the socket bound to @owner */
	/* @owner_sk's owner record, NULL if none: pinhole_release_stale() */
	struct pinhole_owner *owner_of;
};

int pinhole_table_module_init(void);
void pinhole_table_module_exit(void);
int pinhole_table_init(struct pinhole_net *pn);
void pinhole_table_uninit(struct pinhole_net *pn);

struct pinhole *pinhole_table_open(struct pinhole_net *pn,
				   const struct pinhole_spec *spec,
				   struct netlink_ext_ack *extack);
struct pinhole *pinhole_table_find(struct pinhole_net *pn, u32 id);
int pinhole_table_pin(struct pinhole_net *pn, struct pinhole *ph,
		      u32 lease_ms, struct netlink_ext_ack *extack);
int pinhole_table_activate(struct pinhole_net *pn, struct pinhole *ph,
			   const struct pinhole_remote *remote, u32 latch_ms,
			   u32 lease_ms, struct netlink_ext_ack *extack);
int pinhole_table_rebind(struct pinhole_net *pn, struct pinhole *ph,
			 const struct pinhole_remote *remote, u32 latch_ms,
			 struct netlink_ext_ack *extack);
int pinhole_table_renew(struct pinhole_net *pn, struct pinhole *ph,
			u32 lease_ms, struct netlink_ext_ack *extack);
void pinhole_table_close(struct pinhole_net *pn, struct pinhole *ph,
			 u8 reason);
unsigned int pinhole_table_close_all(struct pinhole_net *pn, u8 reason);
bool pinhole_table_reap(struct pinhole_net *pn, struct pinhole *ph);
void pinhole_table_orphan(struct pinhole_net *pn, struct pinhole *ph,
			  u32 grace_ms);
int pinhole_table_adopt(struct pinhole_net *pn, struct pinhole **phs,
			unsigned int n, struct pinhole_owner *owner, u32 portid,
			struct sock *sk, u32 lease_ms,
			struct netlink_ext_ack *extack);

bool pinhole_table_match(struct pinhole_net *pn, struct pinhole_key *key,
			 const union nf_inet_addr *saddr, u16 sport,
			 unsigned int len);

#endif /* _PINHOLE_TABLE_H */
