// SPDX-License-Identifier: GPL-2.0
/*
 * The dump of GET: every pinhole of the namespace, in id order, over as
 * many parts as it takes.
 */
#define pr_fmt(fmt) "pinhole: " fmt

#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/xarray.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <linux/pinhole.h>

#include "dump.h"
#include "msg.h"
#include "object.h"
#include "pernet.h"

/*
 * cb->args[0]: the id to resume from; cb->args[1]: set when done. cb->seq
 * is the table's generation: a change between two parts of the dump marks
 * the next part NLM_F_DUMP_INTR.
 */
int pinhole_dump_pinholes(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct pinhole_net *pn = pinhole_pernet(sock_net(skb->sk));
	unsigned long id;
	struct pinhole *ph;
	void *hdr;

	if (cb->args[1])
		return 0;

	mutex_lock(&pn->lock);
	cb->seq = pn->gen;
	xa_for_each_start(&pn->ids, id, ph, cb->args[0]) {
		hdr = pinhole_msg_put(skb, NETLINK_CB(cb->skb).portid,
				      cb->nlh->nlmsg_seq, NLM_F_MULTI,
				      PINHOLE_CMD_GET);
		if (!hdr)
			goto out_full;
		genl_dump_check_consistent(cb, hdr);
		if (pinhole_msg_put_pinhole(skb, ph, 0)) {
			genlmsg_cancel(skb, hdr);
			goto out_full;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[1] = 1;
	mutex_unlock(&pn->lock);
	return skb->len;

out_full:
	cb->args[0] = id;
	mutex_unlock(&pn->lock);
	return skb->len;
}
