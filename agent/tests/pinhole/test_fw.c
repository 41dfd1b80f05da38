// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for fw.c that need no pinhole.ko: names, the error a caller
 * gets when the module is absent (skipped when it is loaded), and the
 * parse of events built here as the kernel builds them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

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
	EXPECT_STREQ(fw_event_name(PINHOLE_CMD_REBOUND_NTF), "rebound");
	EXPECT_STREQ(fw_event_name(PINHOLE_CMD_LATCHED_NTF), "latched");
	EXPECT_STREQ(fw_event_name(PINHOLE_CMD_LATCH_EXPIRED_NTF),
		     "latch-expired");
	EXPECT_STREQ(fw_event_name(PINHOLE_CMD_REBIND), "?");
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

/* An event as the kernel builds it, into a libnl message. */
static struct nl_msg *event_msg(uint8_t cmd, bool with_time, uint64_t t,
				uint64_t idle)
{
	struct nl_msg *m = nlmsg_alloc();

	if (!m)
		return NULL;
	genlmsg_put(m, 0, 0, 0x20, 0, 0, cmd, PINHOLE_GENL_VERSION);
	nla_put_u32(m, PINHOLE_A_ID, 7);
	nla_put_u16(m, PINHOLE_A_FAMILY, AF_INET);
	nla_put_u8(m, PINHOLE_A_PROTO, IPPROTO_UDP);
	nla_put_u16(m, PINHOLE_A_LOCAL_PORT, 5004);
	nla_put_u8(m, PINHOLE_A_STATE, PINHOLE_STATE_OPEN);
	nla_put_u64(m, PINHOLE_A_IDLE_MS, idle);
	if (cmd == PINHOLE_CMD_CLOSED_NTF)
		nla_put_u8(m, PINHOLE_A_REASON, PINHOLE_REASON_EXPIRED);
	if (with_time)
		nla_put_u64(m, PINHOLE_A_TIME_NS, t);
	return m;
}

TEST(parse_event_time_reason_and_idle_above_2_32)
{
	struct fw_event ev;
	struct nl_msg *m;

	m = event_msg(PINHOLE_CMD_CLOSED_NTF, true, 1796564164328123456ULL,
		      (1ULL << 32) + 5);
	ASSERT_TRUE(m != NULL);
	EXPECT_EQ(fw_parse_event(nlmsg_hdr(m), &ev), 0);
	EXPECT_EQ(ev.cmd, PINHOLE_CMD_CLOSED_NTF);
	EXPECT_EQ(ev.reason, PINHOLE_REASON_EXPIRED);
	EXPECT_TRUE(ev.has_time);
	EXPECT_TRUE(ev.time_ns == 1796564164328123456ULL);
	EXPECT_EQ(ev.ph.id, 7);
	EXPECT_EQ(ev.ph.local_port, 5004);
	EXPECT_TRUE(ev.ph.has_idle);
	EXPECT_TRUE(ev.ph.idle_ms == (1ULL << 32) + 5);
	nlmsg_free(m);

	/* an older kernel: no time */
	m = event_msg(PINHOLE_CMD_OPENED_NTF, false, 0, 1);
	ASSERT_TRUE(m != NULL);
	EXPECT_EQ(fw_parse_event(nlmsg_hdr(m), &ev), 0);
	EXPECT_FALSE(ev.has_time);
	EXPECT_EQ(ev.reason, 0);
	nlmsg_free(m);

	/* not an event */
	m = event_msg(PINHOLE_CMD_GET, true, 1, 1);
	ASSERT_TRUE(m != NULL);
	EXPECT_EQ(fw_parse_event(nlmsg_hdr(m), &ev), -ENOMSG);
	nlmsg_free(m);
}

TEST(parse_rebound_event_old_and_new_remote)
{
	struct in_addr a_new = { htonl(0xc6336407) }, a_old = { htonl(0xc0000201) };
	struct fw_event ev;
	struct nl_msg *m;

	m = event_msg(PINHOLE_CMD_REBOUND_NTF, true, 42, 1);
	ASSERT_TRUE(m != NULL);
	nla_put(m, PINHOLE_A_REMOTE_ADDR, 4, &a_new);
	nla_put_u16(m, PINHOLE_A_REMOTE_PORT, 7002);
	nla_put(m, PINHOLE_A_OLD_REMOTE_ADDR, 4, &a_old);
	nla_put_u16(m, PINHOLE_A_OLD_REMOTE_PORT, 7001);
	EXPECT_EQ(fw_parse_event(nlmsg_hdr(m), &ev), 0);
	EXPECT_EQ(ev.cmd, PINHOLE_CMD_REBOUND_NTF);
	EXPECT_EQ(ev.ph.remote.family, AF_INET);
	EXPECT_TRUE(ev.ph.remote.v4.s_addr == a_new.s_addr);
	EXPECT_EQ(ev.ph.remote_port, 7002);
	EXPECT_EQ(ev.old_remote.family, AF_INET);
	EXPECT_TRUE(ev.old_remote.v4.s_addr == a_old.s_addr);
	EXPECT_EQ(ev.old_remote_port, 7001);
	nlmsg_free(m);

	/* LATCHED: the learnt remote, no old one */
	m = event_msg(PINHOLE_CMD_LATCHED_NTF, true, 43, 1);
	ASSERT_TRUE(m != NULL);
	nla_put(m, PINHOLE_A_REMOTE_ADDR, 4, &a_new);
	nla_put_u16(m, PINHOLE_A_REMOTE_PORT, 7004);
	EXPECT_EQ(fw_parse_event(nlmsg_hdr(m), &ev), 0);
	EXPECT_EQ(ev.cmd, PINHOLE_CMD_LATCHED_NTF);
	EXPECT_EQ(ev.ph.remote_port, 7004);
	EXPECT_EQ(ev.old_remote.family, AF_UNSPEC);
	EXPECT_EQ(ev.old_remote_port, 0);
	nlmsg_free(m);

	/* an old address of the wrong length is malformed */
	m = event_msg(PINHOLE_CMD_REBOUND_NTF, true, 44, 1);
	ASSERT_TRUE(m != NULL);
	nla_put(m, PINHOLE_A_OLD_REMOTE_ADDR, 16, &in6addr_loopback);
	EXPECT_EQ(fw_parse_event(nlmsg_hdr(m), &ev), -EPROTO);
	nlmsg_free(m);

	/* the command REBIND is not an event */
	m = event_msg(PINHOLE_CMD_REBIND, true, 45, 1);
	ASSERT_TRUE(m != NULL);
	EXPECT_EQ(fw_parse_event(nlmsg_hdr(m), &ev), -ENOMSG);
	nlmsg_free(m);
}

/* the event filter's program, run by the kernel on a datagram socket:
 * only the commands asked for pass, short datagrams do not */
static int filtered_pair(const uint8_t *cmds, size_t n, int sv[2])
{
	struct sock_filter prog[FW_EVENT_FILTER_LEN];
	struct sock_fprog fprog = { .filter = prog };
	int len = fw_event_filter_prog(cmds, n, prog);

	if (len < 0 || socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv))
		return -1;
	fprog.len = (unsigned short)len;
	return setsockopt(sv[1], SOL_SOCKET, SO_ATTACH_FILTER, &fprog,
			  sizeof(fprog));
}

/* @cmd as the genl command of a datagram of @len bytes: does it arrive? */
static bool passes(int sv[2], uint8_t cmd, size_t len)
{
	uint8_t msg[64] = { 0 }, in[64];

	msg[NLMSG_HDRLEN] = cmd;
	if (send(sv[0], msg, len, 0) != (ssize_t)len)
		return false;
	return recv(sv[1], in, sizeof(in), 0) == (ssize_t)len;
}

TEST(event_filter_passes_only_its_commands)
{
	const uint8_t closed = PINHOLE_CMD_CLOSED_NTF;
	const uint8_t two[] = { PINHOLE_CMD_CLOSED_NTF,
				PINHOLE_CMD_LATCHED_NTF };
	struct sock_filter prog[FW_EVENT_FILTER_LEN];
	uint8_t many[FW_EVENT_FILTER_MAX + 1] = { 0 };
	int sv[2];

	ASSERT_EQ(filtered_pair(&closed, 1, sv), 0);
	EXPECT_TRUE(passes(sv, PINHOLE_CMD_CLOSED_NTF, 20));
	EXPECT_FALSE(passes(sv, PINHOLE_CMD_OPENED_NTF, 20));
	EXPECT_FALSE(passes(sv, PINHOLE_CMD_ACTIVATED_NTF, 20));
	EXPECT_FALSE(passes(sv, PINHOLE_CMD_LATCHED_NTF, 20));
	EXPECT_FALSE(passes(sv, PINHOLE_CMD_CLOSED_NTF, 10));
	close(sv[0]);
	close(sv[1]);

	ASSERT_EQ(filtered_pair(two, 2, sv), 0);
	EXPECT_TRUE(passes(sv, PINHOLE_CMD_CLOSED_NTF, 20));
	EXPECT_TRUE(passes(sv, PINHOLE_CMD_LATCHED_NTF, 20));
	EXPECT_FALSE(passes(sv, PINHOLE_CMD_PINNED_NTF, 20));
	close(sv[0]);
	close(sv[1]);

	EXPECT_EQ(fw_event_filter_prog(many, 0, prog), -EINVAL);
	EXPECT_EQ(fw_event_filter_prog(many, sizeof(many), prog), -EINVAL);
	EXPECT_EQ(fw_event_filter_prog(many, FW_EVENT_FILTER_MAX, prog),
		  FW_EVENT_FILTER_LEN);
}
