/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Messages of the "pinhole" family.
 */
#ifndef _PINHOLE_MSG_H
#define _PINHOLE_MSG_H

#include <linux/types.h>

struct genl_family;
struct genl_info;
struct pinhole;
struct sk_buff;

void pinhole_msg_init(const struct genl_family *family);
void *pinhole_msg_put(struct sk_buff *skb, u32 portid, u32 seq, int flags,
		      u8 cmd);
void *pinhole_msg_put_reply(struct sk_buff *skb, struct genl_info *info);

size_t pinhole_msg_pinhole_size(u16 family, u8 lflags, u8 remote,
				bool owner, u8 reason);
struct sk_buff *pinhole_msg_new_pinhole(const struct pinhole *ph,
					u8 remote, u8 reason);
int pinhole_msg_put_pinhole(struct sk_buff *skb, const struct pinhole *ph,
			    u8 reason);
int pinhole_msg_fill(struct sk_buff *skb, const struct pinhole *ph,
		     u32 portid, u32 seq, int flags, u8 cmd, u8 reason);
int pinhole_msg_reply_pinhole(struct sk_buff *msg, struct genl_info *info,
			      const struct pinhole *ph);
struct sk_buff *pinhole_msg_new_count(void);
int pinhole_msg_reply_count(struct sk_buff *msg, struct genl_info *info,
			    u32 count);

#endif /* _PINHOLE_MSG_H */
