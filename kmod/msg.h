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
struct pinhole_remote;
struct sk_buff;

/*
 * The remotes a message reports: @cur as the pinhole's (not necessarily
 * the one published by the time the message is built), @old as the one
 * it replaced (REBOUND_NTF), and the time of the change (events; 0 = now).
 */
struct pinhole_msg_remotes {
	const struct pinhole_remote *cur;
	const struct pinhole_remote *old;
	u64 time_ns;
};

void pinhole_msg_init(const struct genl_family *family);
void *pinhole_msg_put(struct sk_buff *skb, u32 portid, u32 seq, int flags,
		      u8 cmd);
void *pinhole_msg_put_reply(struct sk_buff *skb, struct genl_info *info);

size_t pinhole_msg_remote_size(u16 family);
size_t pinhole_msg_pinhole_size(u16 family, u8 lflags, bool owner, u8 reason);
struct sk_buff *pinhole_msg_new_pinhole(const struct pinhole *ph, u8 reason);
int pinhole_msg_put_pinhole(struct sk_buff *skb, const struct pinhole *ph,
			    u8 reason);
int pinhole_msg_put_pinhole_remotes(struct sk_buff *skb,
				    const struct pinhole *ph, u8 reason,
				    const struct pinhole_msg_remotes *rem);
int pinhole_msg_fill(struct sk_buff *skb, const struct pinhole *ph,
		     u32 portid, u32 seq, int flags, u8 cmd, u8 reason);
int pinhole_msg_reply_pinhole(struct sk_buff *msg, struct genl_info *info,
			      const struct pinhole *ph);
struct sk_buff *pinhole_msg_new_count(void);
int pinhole_msg_reply_count(struct sk_buff *msg, struct genl_info *info,
			    u32 count);

#endif /* _PINHOLE_MSG_H */
