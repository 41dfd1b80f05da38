// SPDX-License-Identifier: GPL-2.0
/*
 * The "pinhole" generic netlink family: its operations, multicast group
 * and registration. uapi/linux/pinhole.h is the specification; policy.c
 * holds the policies, cmd.c, dump.c and admin.c the handlers, msg.c the
 * messages and event.c the events.
 */
#define pr_fmt(fmt) "pinhole: " fmt

#include <net/genetlink.h>
#include <linux/pinhole.h>

#include "admin.h"
#include "cmd.h"
#include "dump.h"
#include "event.h"
#include "msg.h"
#include "netlink.h"
#include "policy.h"

/* Every operation needs CAP_NET_ADMIN over the socket's namespace. */
static const struct genl_small_ops pinhole_genl_ops[] = {
	{
		.cmd = PINHOLE_CMD_OPEN,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = pinhole_cmd_open,
	},
	{
		.cmd = PINHOLE_CMD_PIN,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = pinhole_cmd_by_id,
	},
	{
		.cmd = PINHOLE_CMD_ACTIVATE,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = pinhole_cmd_by_id,
	},
	{
		.cmd = PINHOLE_CMD_RENEW,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = pinhole_cmd_by_id,
	},
	{
		.cmd = PINHOLE_CMD_CLOSE,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = pinhole_cmd_close,
	},
	{
		.cmd = PINHOLE_CMD_GET,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = pinhole_cmd_by_id,
		.dumpit = pinhole_dump_pinholes,
	},
	{
		.cmd = PINHOLE_CMD_FLUSH,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = pinhole_cmd_flush,
	},
	{
		.cmd = PINHOLE_CMD_SET_CONFIG,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = pinhole_admin_set_config,
	},
	{
		.cmd = PINHOLE_CMD_GET_CONFIG,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = pinhole_admin_get_config,
	},
	{
		.cmd = PINHOLE_CMD_GET_STATS,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = pinhole_admin_get_stats,
	},
};

/*
 * GENL_MCAST_CAP_NET_ADMIN (6.1 and 6.12) checks CAP_NET_ADMIN in the user
 * namespace owning the socket's network namespace, like
 * GENL_UNS_ADMIN_PERM does for the operations.
 */
static const struct genl_multicast_group pinhole_genl_mcgrps[] = {
	{ .name = PINHOLE_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static struct genl_family pinhole_genl_family __ro_after_init = {
	.name = PINHOLE_GENL_NAME,
	.version = PINHOLE_GENL_VERSION,
	.maxattr = PINHOLE_A_MAX,
	.policy = pinhole_policy,
	.netnsok = true,
	.parallel_ops = true,	/* each namespace has its own lock */
	.module = THIS_MODULE,
	.small_ops = pinhole_genl_ops,
	.n_small_ops = ARRAY_SIZE(pinhole_genl_ops),
	.resv_start_op = PINHOLE_CMD_OPEN,	/* strict header checks for all */
	.mcgrps = pinhole_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(pinhole_genl_mcgrps),
};

int __init pinhole_nl_init(void)
{
	int err;

	pinhole_msg_init(&pinhole_genl_family);
	err = genl_register_family(&pinhole_genl_family);
	if (!err)
		pinhole_event_start(&pinhole_genl_family);
	return err;
}

void pinhole_nl_uninit(void)
{
	pinhole_event_stop();
	genl_unregister_family(&pinhole_genl_family);
}
