// SPDX-License-Identifier: GPL-2.0
/*
 * The "pinhole" generic netlink family: its operations, multicast group
 * and registration. uapi/linux/pinhole.h is the specification; policy.c
 * holds the policies, cmd.c, dump.c, admin.c and adopt.c the handlers,
 * msg.c the messages and event.c the events.
 */
#define pr_fmt(fmt) "pinhole: " fmt

#include <net/genetlink.h>
#include <linux/pinhole.h>

#include "admin.h"
#include "adopt.h"
#include "cmd.h"
#include "compat.h"
#include "dump.h"
#include "event.h"
#include "msg.h"
#include "netlink.h"
#include "policy.h"

/*
 * Every operation needs CAP_NET_ADMIN over the socket's namespace.
 *
 * OPEN and CLOSE, the batched commands, parse the family's policy only up
 * to the last attribute they take (PINHOLE_A_FLAGS): generic netlink
 * allocates and clears an attribute table of maxattr + 1 pointers for
 * every request, a third of it spent on attributes they reject anyway.
 * Those above are refused by the strict parse (EINVAL, "Unknown attribute
 * type"), the others they do not take by pinhole_policy_only().
 */
static const struct genl_ops pinhole_genl_ops[] = {
	{
		.cmd = PINHOLE_CMD_OPEN,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = pinhole_cmd_open,
		.policy = pinhole_policy,
		.maxattr = PINHOLE_A_FLAGS,
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
		.policy = pinhole_policy,
		.maxattr = PINHOLE_A_FLAGS,
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
	{
		.cmd = PINHOLE_CMD_REBIND,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = pinhole_cmd_by_id,
	},
	{
		.cmd = PINHOLE_CMD_ADOPT,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = pinhole_adopt_cmd,
	},
};

/* Listeners need CAP_NET_ADMIN, as the operations do (see compat.h). */
static const struct genl_multicast_group pinhole_genl_mcgrps[] = {
	PINHOLE_GENL_MCGRP_ADMIN(PINHOLE_MCGRP_EVENTS),
};

static struct genl_family pinhole_genl_family __ro_after_init = {
	.name = PINHOLE_GENL_NAME,
	.version = PINHOLE_GENL_VERSION,
	.maxattr = PINHOLE_A_MAX,
	.policy = pinhole_policy,
	.netnsok = true,
	.parallel_ops = true,	/* each namespace has its own lock */
	.module = THIS_MODULE,
	.ops = pinhole_genl_ops,
	.n_ops = ARRAY_SIZE(pinhole_genl_ops),
	.mcgrps = pinhole_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(pinhole_genl_mcgrps),
};

int __init pinhole_nl_init(void)
{
	int err;

	/* strict header checks for every command */
	pinhole_genl_strict_from(&pinhole_genl_family, PINHOLE_CMD_OPEN);
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
