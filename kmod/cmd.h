/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pinhole commands of the "pinhole" family.
 */
#ifndef _PINHOLE_CMD_H
#define _PINHOLE_CMD_H

struct genl_info;
struct sk_buff;

int pinhole_cmd_open(struct sk_buff *skb, struct genl_info *info);
int pinhole_cmd_by_id(struct sk_buff *skb, struct genl_info *info);
int pinhole_cmd_close(struct sk_buff *skb, struct genl_info *info);
int pinhole_cmd_flush(struct sk_buff *skb, struct genl_info *info);

#endif /* _PINHOLE_CMD_H */
