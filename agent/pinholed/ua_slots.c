// SPDX-License-Identifier: GPL-2.0
/*
 * ua_slots.c - call slots (--max-calls, ua_priv.h): what a call holds of
 * them (ua_call_slot), who may have a new one (ua_admit), and the load
 * those decisions read, kept up to date where a call changes (ua_slot_sync)
 * so that admitting a call costs the same at 10 and at 1000 calls (a walk
 * of every call per new call was 23 % of pinholed's CPU at 1000 calls).
 *
 * A call holds the slot ua_call_slot() gives it while it is on the
 * registry (ua.calls) and none before or after; uc->slot is the one it is
 * counted in. Every change of what ua_call_slot() reads goes through
 * ua_slot_sync(): calls_link() and calls_unlink() (ua.c), the call
 * machine's transitions (call_run_one()), ua_call_finish() and
 * ua_call_set_state() for the states set outside the machine. The
 * unanswered incoming calls are also counted per source address, in
 * ua->slots.by_src, one struct ua_src_load per address with any.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <netinet/in.h>

#include "lib/plog.h"
#include "lib/sockaddr.h"
#include "ua_priv.h"

struct ua_src_load {
	struct hnode hn;		/* ua->slots.by_src */
	struct sockaddr_storage addr;	/* ports ignored */
	unsigned int early_in;		/* its calls in UA_SLOT_EARLY_IN */
};

enum ua_slot ua_call_slot(bool outgoing, bool finished, enum call_state st)
{
	if (finished || st == CALL_CLOSED || st == CALL_TERMINATING)
		return UA_SLOT_NONE;
	if (!outgoing && (st == CALL_IDLE || st == CALL_INCOMING ||
			  st == CALL_ANSWERED))
		return UA_SLOT_EARLY_IN;
	return UA_SLOT_CALL;
}

unsigned int ua_early_in_max(unsigned int max)
{
	unsigned int reserve = max / 8;

	return max - (reserve > UA_SLOT_RESERVE ? UA_SLOT_RESERVE : reserve);
}

unsigned int ua_early_in_per_src_max(unsigned int max)
{
	return max > 1 ? max / 2 : 1;
}

int ua_admit(const struct ua_load *l, unsigned int max, bool outgoing,
	     char *err, size_t errlen)
{
	if (l->calls >= max) {
		snprintf(err, errlen, "%u calls already (--max-calls)", max);
		return -EBUSY;
	}
	if (outgoing)
		return 0;
	if (l->early_in >= ua_early_in_max(max)) {
		snprintf(err, errlen, "%u unanswered incoming calls already "
			 "(the rest of --max-calls is kept for answered and "
			 "outgoing calls)", l->early_in);
		return -EBUSY;
	}
	if (l->early_in_src >= ua_early_in_per_src_max(max)) {
		snprintf(err, errlen, "%u unanswered incoming calls from this "
			 "address already", l->early_in_src);
		return -EBUSY;
	}
	return 0;
}

/* ------------------------------------------------ per source address */

static bool has_host(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET || ss->ss_family == AF_INET6;
}

/* FNV-1a of the address (not the port) */
static uint32_t host_hash(const struct sockaddr_storage *ss)
{
	const unsigned char *p;
	uint32_t h = 2166136261u;
	size_t n;

	if (ss->ss_family == AF_INET) {
		p = (const void *)&((const struct sockaddr_in *)ss)->sin_addr;
		n = sizeof(struct in_addr);
	} else {
		p = (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
		n = sizeof(struct in6_addr);
	}
	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static struct ua_src_load *src_find(const struct ua_slots *s,
				    const struct sockaddr_storage *ss,
				    uint32_t h)
{
	for (struct hnode *n = htab_first(&s->by_src, h); n;
	     n = htab_next(n)) {
		struct ua_src_load *sl = htab_entry(n, struct ua_src_load, hn);

		if (sa_same_addr(&sl->addr, ss))
			return sl;
	}
	return NULL;
}

/* @uc's source counted: its entry, made when new; NULL when it has no
 * address or the entry cannot be made (the call then counts for none) */
static struct ua_src_load *src_get(struct ua_slots *s,
				   const struct ua_call *uc)
{
	struct ua_src_load *sl;
	uint32_t h;

	if (!has_host(&uc->src))
		return NULL;
	h = host_hash(&uc->src);
	sl = src_find(s, &uc->src, h);
	if (sl)
		return sl;
	sl = calloc(1, sizeof(*sl));
	if (sl && htab_add(&s->by_src, &sl->hn, h)) {
		free(sl);
		sl = NULL;
	}
	if (!sl) {
		plog(PLOG_WARN, "call %u: out of memory: not counted against "
		     "its address's unanswered calls | id=%u", uc->id, uc->id);
		return NULL;
	}
	sl->addr = uc->src;
	return sl;
}

static void src_put(struct ua_slots *s, struct ua_src_load *sl)
{
	if (--sl->early_in)
		return;
	htab_del(&s->by_src, &sl->hn);
	free(sl);
}

/* ------------------------------------------------------- the counts */

static void slot_leave(struct ua_slots *s, struct ua_call *uc)
{
	switch (uc->slot) {
	case UA_SLOT_NONE:
		return;
	case UA_SLOT_EARLY_IN:
		s->early_in--;
		if (uc->slot_src)
			src_put(s, uc->slot_src);
		uc->slot_src = NULL;
		break;
	case UA_SLOT_CALL:
		break;
	}
	s->calls--;
}

static void slot_enter(struct ua_slots *s, struct ua_call *uc)
{
	switch (uc->slot) {
	case UA_SLOT_NONE:
		return;
	case UA_SLOT_EARLY_IN:
		s->early_in++;
		uc->slot_src = src_get(s, uc);
		if (uc->slot_src)
			uc->slot_src->early_in++;
		break;
	case UA_SLOT_CALL:
		break;
	}
	s->calls++;
}

void ua_slot_sync(struct ua_call *uc)
{
	enum ua_slot now = UA_SLOT_NONE;
	struct ua_slots *s = &uc->ua->slots;

	if (uc->pprev)			/* on the registry */
		now = ua_call_slot(uc->outgoing, uc->finished,
				   uc->call.state);
	if (now == uc->slot)
		return;
	slot_leave(s, uc);
	uc->slot = now;
	slot_enter(s, uc);
}

void ua_call_set_state(struct ua_call *uc, enum call_state st)
{
	uc->call.state = st;
	ua_slot_sync(uc);
}

void ua_load(const struct ua *ua, const struct sockaddr_storage *src,
	     struct ua_load *l)
{
	const struct ua_src_load *sl = NULL;

	l->calls = ua->slots.calls;
	l->early_in = ua->slots.early_in;
	if (src && has_host(src))
		sl = src_find(&ua->slots, src, host_hash(src));
	l->early_in_src = sl ? sl->early_in : 0;
}

void ua_load_walk(const struct ua *ua, const struct sockaddr_storage *src,
		  struct ua_load *l)
{
	*l = (struct ua_load){ 0 };
	for (const struct ua_call *uc = ua->calls; uc; uc = uc->next) {
		switch (ua_call_slot(uc->outgoing, uc->finished,
				     uc->call.state)) {
		case UA_SLOT_NONE:
			continue;
		case UA_SLOT_EARLY_IN:
			l->early_in++;
			if (src && has_host(src) && sa_same_addr(src, &uc->src))
				l->early_in_src++;
			break;
		case UA_SLOT_CALL:
			break;
		}
		l->calls++;
	}
}
