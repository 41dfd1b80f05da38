// SPDX-License-Identifier: GPL-2.0
/*
 * memtrim.c - malloc_trim(0) when the objects of a flood are gone (see
 * memtrim.h).
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <malloc.h>

#include "memtrim.h"

bool memtrim_due(struct memtrim *m, unsigned int alive, uint64_t now_ms)
{
	if (alive > m->high)
		m->high = alive;
	if (m->high < MEMTRIM_MIN || alive > m->high / 2 ||
	    now_ms - m->last_ms < MEMTRIM_GAP_MS)
		return false;
	m->last_ms = now_ms;
	m->high = alive;
	return true;
}

bool memtrim_tick(struct memtrim *m, unsigned int alive, uint64_t now_ms)
{
	if (!memtrim_due(m, alive, now_ms))
		return false;
	malloc_trim(0);
	return true;
}
