// SPDX-License-Identifier: GPL-2.0
/*
 * test_memtrim.c - when memory is given back after a flood: once the
 * objects alive have halved from a high mark of at least MEMTRIM_MIN, at
 * most once per MEMTRIM_GAP_MS, and never for a small daemon.
 */
#include <stdlib.h>

#include "lib/memtrim.h"
#include "ktap.h"

TEST(memtrim_after_a_flood_halves)
{
	struct memtrim m = { 0 };
	uint64_t t = 10000;

	EXPECT_FALSE(memtrim_due(&m, 30000, t));	/* the flood */
	EXPECT_FALSE(memtrim_due(&m, 15001, t += 5000));
	EXPECT_TRUE(memtrim_due(&m, 15000, t += 10));
	/* the next one at half of that, not before the gap */
	EXPECT_FALSE(memtrim_due(&m, 7000, t + MEMTRIM_GAP_MS - 1));
	EXPECT_TRUE(memtrim_due(&m, 7000, t += MEMTRIM_GAP_MS));
	EXPECT_FALSE(memtrim_due(&m, 3501, t += MEMTRIM_GAP_MS));
	EXPECT_TRUE(memtrim_due(&m, 3000, t += MEMTRIM_GAP_MS));
}

TEST(memtrim_never_for_a_small_daemon)
{
	struct memtrim m = { 0 };
	uint64_t t = 10000;

	for (int i = 0; i < 100; i++) {
		EXPECT_FALSE(memtrim_due(&m, MEMTRIM_MIN - 1, t += 5000));
		EXPECT_FALSE(memtrim_due(&m, 0, t += 5000));
	}
}

TEST(memtrim_tick_trims_real_memory)
{
	struct memtrim m = { 0 };
	void *p[4096];

	/* what a flood leaves: many small blocks, freed */
	for (int i = 0; i < 4096; i++)
		p[i] = malloc(1000);
	for (int i = 0; i < 4096; i++)
		free(p[i]);
	EXPECT_FALSE(memtrim_tick(&m, 4096, 100000));
	EXPECT_TRUE(memtrim_tick(&m, 0, 200000));
}
