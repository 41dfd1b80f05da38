/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The namespace commands of the "pinhole" family: configuration and
 * statistics.
 */
#ifndef _PINHOLE_ADMIN_H
#define _PINHOLE_ADMIN_H

struct genl_info;
struct sk_buff;

int pinhole_admin_set_config(struct sk_buff *skb, struct genl_info *info);
int pinhole_admin_get_config(struct sk_buff *skb, struct genl_info *info);
int pinhole_admin_get_stats(struct sk_buff *skb, struct genl_info *info);

#endif /* _PINHOLE_ADMIN_H */
