// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for fw.c that need no pinhole.ko: names, and the error a
 * caller gets when the module is absent (skipped when it is loaded).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pinhole/fw.h"
#include "ktap.h"

TEST(state_reason_event_names)
{
	EXPECT_STREQ(fw_state_name(PINHOLE_STATE_OPEN), "open");
	EXPECT_STREQ(fw_state_name(PINHOLE_STATE_PINNED), "pinned");
	EXPECT_STREQ(fw_state_name(PINHOLE_STATE_ACTIVE), "active");
	EXPECT_STREQ(fw_state_name(0), "?");
	EXPECT_STREQ(fw_reason_name(PINHOLE_REASON_REQUESTED), "requested");
	EXPECT_STREQ(fw_reason_name(PINHOLE_REASON_EXPIRED), "expired");
	EXPECT_STREQ(fw_reason_name(PINHOLE_REASON_OWNER_GONE), "owner-gone");
	EXPECT_STREQ(fw_reason_name(PINHOLE_REASON_FLUSH), "flush");
	EXPECT_STREQ(fw_reason_name(PINHOLE_REASON_NETNS_EXIT), "netns-exit");
	EXPECT_STREQ(fw_reason_name(PINHOLE_REASON_MODULE_EXIT), "module-exit");
	EXPECT_STREQ(fw_reason_name(200), "?");
	EXPECT_STREQ(fw_event_name(PINHOLE_CMD_OPENED_NTF), "opened");
	EXPECT_STREQ(fw_event_name(PINHOLE_CMD_PINNED_NTF), "pinned");
	EXPECT_STREQ(fw_event_name(PINHOLE_CMD_ACTIVATED_NTF), "activated");
	EXPECT_STREQ(fw_event_name(PINHOLE_CMD_CLOSED_NTF), "closed");
	EXPECT_STREQ(fw_event_name(PINHOLE_CMD_OPEN), "?");
	EXPECT_STREQ(fw_proto_name(IPPROTO_UDP), "udp");
	EXPECT_STREQ(fw_proto_name(IPPROTO_TCP), "tcp");
	EXPECT_TRUE(fw_proto_name(IPPROTO_SCTP) == NULL);
}

TEST(open_without_module_says_not_loaded)
{
	struct fw_err err;
	struct fw *fw;

	memset(&err, 0x55, sizeof(err));
	fw = fw_open(&err);
	if (fw) {
		fw_close_handle(fw);
		SKIP("pinhole.ko is loaded");
	}
	if (err.code == -EIO && strstr(err.msg, "socket"))
		SKIP("no generic netlink here");
	EXPECT_EQ(err.code, -ENOENT);
	EXPECT_STREQ(err.msg,
		     "pinhole.ko is not loaded (generic netlink family 'pinhole' not found)");
}

TEST(open_accepts_null_err)
{
	struct fw *fw = fw_open(NULL);

	fw_close_handle(fw);	/* NULL or not, no crash */
	fw_close_handle(NULL);
}
