// SPDX-License-Identifier: GPL-2.0
/*
 * test_media_rtp.c - media_rtp.c: RFC 3550 loss and jitter bookkeeping.
 */
#include <stdint.h>

#include "media/media.h"
#include "ktap.h"

/* --------------------------------------------------------- RFC 3550 */

static void feed(struct rtp_rx *r, const uint16_t *seq, int n)
{
	for (int i = 0; i < n; i++)
		rtp_rx_update(r, seq[i], seq[i] * 160u, seq[i] * 160u + 400);
}

TEST(rtp_rx_loss_in_order_and_gaps)
{
	static const uint16_t in_order[] = { 100, 101, 102, 103 };
	static const uint16_t gaps[] = { 100, 101, 104, 105, 109 };
	struct rtp_rx r;

	rtp_rx_init(&r, 100);
	feed(&r, in_order, 4);
	EXPECT_EQ(r.received, 4);
	EXPECT_EQ(rtp_rx_lost(&r), 0);

	rtp_rx_init(&r, 100);
	feed(&r, gaps, 5);
	EXPECT_EQ(r.received, 5);
	EXPECT_EQ(rtp_rx_lost(&r), 5);	/* 102 103 106 107 108 */
}

TEST(rtp_rx_loss_wraparound)
{
	static const uint16_t wrap[] = { 65533, 65534, 65535, 0, 1, 2 };
	static const uint16_t wrap_gap[] = { 65534, 65535, 2, 3 };
	struct rtp_rx r;

	rtp_rx_init(&r, 65533);
	feed(&r, wrap, 6);
	EXPECT_EQ(r.cycles, 65536);
	EXPECT_EQ(r.max_seq, 2);
	EXPECT_EQ(rtp_rx_lost(&r), 0);

	rtp_rx_init(&r, 65534);
	feed(&r, wrap_gap, 4);
	EXPECT_EQ(r.cycles, 65536);
	EXPECT_EQ(rtp_rx_lost(&r), 2);	/* 0 and 1 */
}

TEST(rtp_rx_reorder_duplicates_and_restart)
{
	static const uint16_t reorder[] = { 10, 12, 11, 13 };
	static const uint16_t dup[] = { 10, 11, 11, 12 };
	static const uint16_t jump[] = { 10, 11, 30000 };
	struct rtp_rx r;

	rtp_rx_init(&r, 10);
	feed(&r, reorder, 4);
	EXPECT_EQ(rtp_rx_lost(&r), 0);
	EXPECT_EQ(r.max_seq, 13);
	EXPECT_EQ(r.cycles, 0);		/* 11 after 12 is no wrap */

	rtp_rx_init(&r, 10);
	feed(&r, dup, 4);
	EXPECT_EQ(rtp_rx_lost(&r), 0);	/* negative loss is 0 */

	/* a lone big jump is ignored; the next in sequence restarts */
	rtp_rx_init(&r, 10);
	feed(&r, jump, 3);
	EXPECT_EQ(r.received, 2);
	EXPECT_EQ(r.max_seq, 11);
	rtp_rx_update(&r, 30001, 0, 0);
	EXPECT_EQ(r.base_seq, 30001);
	EXPECT_EQ(r.received, 1);
	EXPECT_EQ(rtp_rx_lost(&r), 0);
}

TEST(rtp_rx_update_initialises_itself)
{
	struct rtp_rx r;

	memset(&r, 0, sizeof(r));
	rtp_rx_update(&r, 5000, 0, 0);
	rtp_rx_update(&r, 5002, 320, 320);
	EXPECT_EQ(r.base_seq, 5000);
	EXPECT_EQ(rtp_rx_lost(&r), 1);
}

TEST(rtp_rx_jitter_constant_transit_is_zero)
{
	struct rtp_rx r;
	uint32_t ts = 0xfffff000u;	/* the RTP timestamp wraps too */

	rtp_rx_init(&r, 1);
	for (int i = 0; i < 100; i++)
		rtp_rx_update(&r, 1 + i, ts + 160u * i, 77777u + 160u * i);
	EXPECT_TRUE(r.jitter == 0.0);
}

TEST(rtp_rx_jitter_varying_transit)
{
	struct rtp_rx r;
	int i;

	/* one late packet: D = 160 once, J = 160/16 */
	rtp_rx_init(&r, 0);
	rtp_rx_update(&r, 0, 0, 1000);
	rtp_rx_update(&r, 1, 160, 1160);
	rtp_rx_update(&r, 2, 320, 1480);
	EXPECT_TRUE(r.jitter == 10.0);

	/* transit alternating by 80 units (10 ms): J tends to 80 */
	rtp_rx_init(&r, 0);
	for (i = 0; i < 400; i++)
		rtp_rx_update(&r, i, 160u * i, 160u * i + (i & 1 ? 80 : 0));
	EXPECT_TRUE(r.jitter > 79.0 && r.jitter <= 80.0);
}

