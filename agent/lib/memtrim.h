/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrim.h - memory given back to the system after a flood (issue 13).
 *
 * glibc keeps what free() returns in the heap; after a flood of 30 000
 * transactions the daemon stayed at the flood's peak RSS. memtrim_tick()
 * is called from the event loop with the number of objects alive (the
 * SIP transactions): when it has fallen to half of its high mark since
 * the last trim, that mark was at least MEMTRIM_MIN, and MEMTRIM_GAP_MS
 * have passed, it calls malloc_trim(0), which also returns the free pages
 * inside the heap (madvise), not only its top.
 */
#ifndef PINHOLE_AGENT_MEMTRIM_H
#define PINHOLE_AGENT_MEMTRIM_H

#include <stdbool.h>
#include <stdint.h>

#define MEMTRIM_MIN	256u
#define MEMTRIM_GAP_MS	1000u

struct memtrim {
	unsigned int high;		/* most objects since the last trim */
	uint64_t last_ms;		/* of the last trim */
};

/* the decision alone: true when a trim is due now (and counted done) */
bool memtrim_due(struct memtrim *m, unsigned int alive, uint64_t now_ms);
/* memtrim_due() and, if due, malloc_trim(0); true when trimmed */
bool memtrim_tick(struct memtrim *m, unsigned int alive, uint64_t now_ms);

#endif /* PINHOLE_AGENT_MEMTRIM_H */
