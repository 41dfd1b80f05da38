// SPDX-License-Identifier: GPL-2.0
/*
 * tmr.c - one-shot timers on a list sorted by due time.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <stddef.h>
#include <time.h>

#include "tmr.h"

static struct tmr *tmr_head;		/* sorted by due, earliest first */
static bool fake;
static uint64_t fake_now;

uint64_t tmr_now(void)
{
	struct timespec ts;

	if (fake)
		return fake_now;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void tmr_init(struct tmr *t)
{
	t->next = NULL;
	t->armed = false;
	t->h = NULL;
	t->arg = NULL;
}

void tmr_cancel(struct tmr *t)
{
	struct tmr **pp;

	if (!t->armed)
		return;
	for (pp = &tmr_head; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	t->next = NULL;
	t->armed = false;
}

void tmr_start(struct tmr *t, uint64_t ms, tmr_h *h, void *arg)
{
	struct tmr **pp;

	tmr_cancel(t);
	t->due = tmr_now() + ms;
	t->h = h;
	t->arg = arg;
	t->armed = true;
	/* after the timers with the same due time: FIFO among equals */
	for (pp = &tmr_head; *pp && (*pp)->due <= t->due; pp = &(*pp)->next)
		;
	t->next = *pp;
	*pp = t;
}

uint64_t tmr_left(const struct tmr *t)
{
	uint64_t now = tmr_now();

	if (!t->armed)
		return 0;
	return t->due > now ? t->due - now : 0;
}

int tmr_next_timeout(int cap)
{
	uint64_t now = tmr_now(), left;

	if (!tmr_head)
		return cap;
	left = tmr_head->due > now ? tmr_head->due - now : 0;
	if (cap >= 0 && left > (uint64_t)cap)
		return cap;
	return (int)left;
}

void tmr_run(void)
{
	uint64_t now = tmr_now();

	while (tmr_head && tmr_head->due <= now) {
		struct tmr *t = tmr_head;

		tmr_head = t->next;
		t->next = NULL;
		t->armed = false;
		t->h(t->arg);	/* may re-arm or free t */
	}
}

void tmr_fake_clock(uint64_t start_ms)
{
	fake = true;
	fake_now = start_ms;
}

void tmr_fake_advance(uint64_t ms)
{
	uint64_t end = fake_now + ms;

	/* step through each due time so handlers see the right clock */
	while (tmr_head && tmr_head->due <= end) {
		if (tmr_head->due > fake_now)
			fake_now = tmr_head->due;
		tmr_run();
	}
	fake_now = end;
}
