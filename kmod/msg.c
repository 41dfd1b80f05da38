// SPDX-License-Identifier: GPL-2.0
/*
 * Messages of the "pinhole" family: a pinhole's attributes, and the
 * replies, dumps and events that carry them.
 */
#define pr_fmt(fmt) "pinhole: " fmt

#include <linux/jiffies.h>
#include <linux/socket.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <linux/pinhole.h>

#include "msg.h"
#include "object.h"
#include "owner.h"

/* Set before the family is registered: no request comes in before. */
static const struct genl_family *pinhole_msg_family __read_mostly;

/**
 * pinhole_msg_init - name the family the messages are for
 * @family: the family, not registered yet
 */
void pinhole_msg_init(const struct genl_family *family)
{
	pinhole_msg_family = family;
}

/* genlmsg_put() for the family. */
void *pinhole_msg_put(struct sk_buff *skb, u32 portid, u32 seq, int flags,
		      u8 cmd)
{
	return genlmsg_put(skb, portid, seq, pinhole_msg_family, flags, cmd);
}

/* genlmsg_put_reply() for the family, in the request's command. */
void *pinhole_msg_put_reply(struct sk_buff *skb, struct genl_info *info)
{
	return genlmsg_put_reply(skb, info, pinhole_msg_family, 0,
				 info->genlhdr->cmd);
}

/*
 * Exact message sizes: a message sized NLMSG_GOODSIZE costs a 4 KB
 * allocation that init_on_alloc clears, and netlink_trim() copies it
 * again to shrink it. Each size below sums what the matching put function
 * writes (nla_total_size_64bit() counts the pad a 64-bit value may need).
 */
/* A remote's address and port, at most. */
size_t pinhole_msg_remote_size(u16 family)
{
	return nla_total_size(family == AF_INET ? 4 : 16) +
	       nla_total_size(sizeof(u16));
}

/*
 * The remote's address and port are always counted: the packet path may
 * latch a remote between the sizing and the filling.
 */
size_t pinhole_msg_pinhole_size(u16 family, u8 lflags, bool owner, u8 reason)
{
	size_t alen = family == AF_INET ? 4 : 16;
	size_t size;

	size = nla_total_size(sizeof(u32)) +		/* ID */
	       nla_total_size_64bit(sizeof(u64)) +	/* COOKIE */
	       nla_total_size(sizeof(u16)) +		/* FAMILY */
	       nla_total_size(sizeof(u8)) +		/* PROTO */
	       nla_total_size(sizeof(u16)) +		/* LOCAL_PORT */
	       nla_total_size(sizeof(u8)) +		/* STATE */
	       nla_total_size(sizeof(u32)) +		/* LEASE_MS */
	       nla_total_size_64bit(sizeof(u64)) * 2 +	/* PACKETS, BYTES */
	       nla_total_size(sizeof(u32)) +		/* FLAGS */
	       /* IDLE_MS: the packet path may set last_seen at any time */
	       nla_total_size_64bit(sizeof(u64));
	if (lflags & PINHOLE_L_ADDR)
		size += nla_total_size(alen);
	size += pinhole_msg_remote_size(family);
	if (owner)
		size += nla_total_size(sizeof(u32));
	if (reason)
		size += nla_total_size(sizeof(u8));
	return size;
}

/* A message for @ph. Lock held: its owner cannot change until it is filled. */
struct sk_buff *pinhole_msg_new_pinhole(const struct pinhole *ph, u8 reason)
{
	return genlmsg_new(pinhole_msg_pinhole_size(ph->key.family, ph->lflags,
						   ph->owner, reason),
			   GFP_KERNEL);
}

static int pinhole_msg_put_remote(struct sk_buff *skb, int alen,
				  const struct pinhole_remote *r,
				  int addr_attr, int port_attr)
{
	if (!r)
		return 0;
	if ((r->flags & PINHOLE_R_ADDR) &&
	    nla_put(skb, addr_attr, alen, &r->addr))
		return -EMSGSIZE;
	if ((r->flags & PINHOLE_R_PORT) && nla_put_u16(skb, port_attr, r->port))
		return -EMSGSIZE;
	return 0;
}

/* PINHOLE_A_FLAGS of a pinhole whose remote is @r. */
static u32 pinhole_msg_flags(const struct pinhole *ph,
			     const struct pinhole_remote *r)
{
	u32 flags = 0;

	if (ph->flags & PINHOLE_PF_LEASE_ONLY)
		flags |= PINHOLE_F_LEASE_ONLY;
	if (r && (r->flags & PINHOLE_R_LATCH))
		flags |= READ_ONCE(pinhole_remote_latch_of(r)->expired) ?
			 PINHOLE_F_LATCH_EXPIRED : PINHOLE_F_LATCH;
	return flags;
}

/* The pinhole's attributes, with its remote as published now. */
int pinhole_msg_put_pinhole(struct sk_buff *skb,
			    const struct pinhole *ph, u8 reason)
{
	struct pinhole_msg_remotes rem = {};
	int err;

	rcu_read_lock();
	rem.cur = rcu_dereference(ph->remote);
	err = pinhole_msg_put_pinhole_remotes(skb, ph, reason, &rem);
	rcu_read_unlock();
	return err;
}

/*
 * The pinhole's attributes with the remotes of @rem: @rem->cur as its
 * remote, @rem->old (if any) as PINHOLE_A_OLD_REMOTE_*. Either lock held
 * or under RCU: the remotes stay valid meanwhile.
 */
int pinhole_msg_put_pinhole_remotes(struct sk_buff *skb,
				    const struct pinhole *ph, u8 reason,
				    const struct pinhole_msg_remotes *rem)
{
	u32 now = pinhole_now(), expires = READ_ONCE(ph->expires);
	u32 seen = READ_ONCE(ph->last_seen);
	int alen = ph->key.family == AF_INET ? 4 : 16;
	u32 left = 0;

	if (time_before32(now, expires))
		left = jiffies_to_msecs(expires - now);
	if (nla_put_u32(skb, PINHOLE_A_ID, ph->id) ||
	    nla_put_u64_64bit(skb, PINHOLE_A_COOKIE, ph->cookie,
			      PINHOLE_A_PAD) ||
	    nla_put_u16(skb, PINHOLE_A_FAMILY, ph->key.family) ||
	    nla_put_u8(skb, PINHOLE_A_PROTO, ph->key.proto) ||
	    nla_put_u16(skb, PINHOLE_A_LOCAL_PORT, ph->key.port) ||
	    nla_put_u8(skb, PINHOLE_A_STATE, ph->state) ||
	    nla_put_u32(skb, PINHOLE_A_LEASE_MS, left) ||
	    nla_put_u64_64bit(skb, PINHOLE_A_PACKETS,
			      atomic64_read(&ph->packets), PINHOLE_A_PAD) ||
	    nla_put_u64_64bit(skb, PINHOLE_A_BYTES,
			      atomic64_read(&ph->bytes), PINHOLE_A_PAD) ||
	    nla_put_u32(skb, PINHOLE_A_FLAGS, pinhole_msg_flags(ph, rem->cur)))
		return -EMSGSIZE;
	if ((ph->lflags & PINHOLE_L_ADDR) &&
	    nla_put(skb, PINHOLE_A_LOCAL_ADDR, alen, &ph->key.laddr))
		return -EMSGSIZE;
	if (pinhole_msg_put_remote(skb, alen, rem->cur, PINHOLE_A_REMOTE_ADDR,
				   PINHOLE_A_REMOTE_PORT) ||
	    pinhole_msg_put_remote(skb, alen, rem->old,
				   PINHOLE_A_OLD_REMOTE_ADDR,
				   PINHOLE_A_OLD_REMOTE_PORT))
		return -EMSGSIZE;
	if (ph->owner && nla_put_u32(skb, PINHOLE_A_OWNER, ph->owner))
		return -EMSGSIZE;
	/*
	 * jiffies_to_msecs() returns an unsigned int: at HZ=250 it would
	 * wrap an idle time of 2^32 ms (49.7 days) that the u32 jiffies
	 * still hold. Convert in 64 bits.
	 */
	if (seen && nla_put_u64_64bit(skb, PINHOLE_A_IDLE_MS,
				      jiffies64_to_msecs((u32)(now - seen)),
				      PINHOLE_A_PAD))
		return -EMSGSIZE;
	if (reason && nla_put_u8(skb, PINHOLE_A_REASON, reason))
		return -EMSGSIZE;
	return 0;
}

int pinhole_msg_fill(struct sk_buff *skb, const struct pinhole *ph,
		     u32 portid, u32 seq, int flags, u8 cmd, u8 reason)
{
	void *hdr;

	hdr = pinhole_msg_put(skb, portid, seq, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (pinhole_msg_put_pinhole(skb, ph, reason)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * Replies are allocated before the command changes anything, so that a
 * command that changed state does not fail for want of memory afterwards.
 */

/* Reply to @info with one pinhole, in a message of the request's command. */
int pinhole_msg_reply_pinhole(struct sk_buff *msg,
			      struct genl_info *info,
				    const struct pinhole *ph)
{
	int err;

	err = pinhole_msg_fill(msg, ph, info->snd_portid, info->snd_seq, 0,
			       info->genlhdr->cmd, 0);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

struct sk_buff *pinhole_msg_new_count(void)
{
	return genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
}

int pinhole_msg_reply_count(struct sk_buff *msg, struct genl_info *info,
			    u32 count)
{
	void *hdr;

	hdr = pinhole_msg_put_reply(msg, info);
	if (!hdr || nla_put_u32(msg, PINHOLE_A_COUNT, count)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}
