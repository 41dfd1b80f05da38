// SPDX-License-Identifier: GPL-2.0
/*
 * Events: every change of a pinhole is announced on the family's "events"
 * multicast group, in the namespace it happened in.
 */
#define pr_fmt(fmt) "pinhole: " fmt

#include <linux/lockdep.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "event.h"
#include "msg.h"
#include "object.h"
#include "pernet.h"

/* The family while it is registered: events may be sent. */
static const struct genl_family *pinhole_event_family;

/* The family is registered: start sending events. */
void pinhole_event_start(const struct genl_family *family)
{
	WRITE_ONCE(pinhole_event_family, family);
}

/* The family is about to be unregistered: stop sending events. */
void pinhole_event_stop(void)
{
	WRITE_ONCE(pinhole_event_family, NULL);
}

/**
 * pinhole_event_notify - announce a change on the "events" group
 * @pn: the namespace (lock held: events go out in the order of changes)
 * @ph: the pinhole
 * @cmd: PINHOLE_CMD_*_NTF
 * @reason: PINHOLE_REASON_* for CLOSED_NTF, else 0
 *
 * Nothing is built when no socket of the namespace listens.
 */
void pinhole_event_notify(struct pinhole_net *pn, const struct pinhole *ph,
			  u8 cmd, u8 reason)
{
	const struct genl_family *family = READ_ONCE(pinhole_event_family);
	struct sk_buff *msg;

	lockdep_assert_held(&pn->lock);
	if (!family || !genl_has_listeners(family, pn->net, 0))
		return;
	msg = pinhole_msg_new_pinhole(ph, 0, reason);
	if (!msg)
		return;
	if (pinhole_msg_fill(msg, ph, 0, 0, 0, cmd, reason)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast_netns(family, pn->net, msg, 0, 0,
				GFP_KERNEL);
}
