// SPDX-License-Identifier: GPL-2.0
/*
 * fwops_watch.c - the kernel pinholes of the ports open here ("watches",
 * by id and cookie) and the loss logic on them: a CLOSED_NTF for a watched
 * pinhole that fwops_close() did not ask for reports its cookie as lost,
 * once, and the kernel's close reasons as fwops_lost_reason; the latch
 * events of a watched pinhole go to the latch callback.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pinhole/fw.h"
#include "fwops_priv.h"

/* ------------------------------------------------------------- reasons */

enum fwops_lost_reason fwops_lost_reason_from_kernel(uint8_t reason)
{
	switch (reason) {
	case PINHOLE_REASON_EXPIRED:
		return FWOPS_LOST_EXPIRED;
	case PINHOLE_REASON_OWNER_GONE:
		return FWOPS_LOST_OWNER_GONE;
	case PINHOLE_REASON_FLUSH:
		return FWOPS_LOST_FLUSH;
	default:	/* REQUESTED by someone else, NETNS_EXIT, MODULE_EXIT */
		return FWOPS_LOST_OTHER;
	}
}

const char *fwops_lost_reason_name(enum fwops_lost_reason reason)
{
	switch (reason) {
	case FWOPS_LOST_EXPIRED:
		return "expired";
	case FWOPS_LOST_OWNER_GONE:
		return "owner-gone";
	case FWOPS_LOST_FLUSH:
		return "flush";
	case FWOPS_LOST_OTHER:
		return "other";
	}
	return "?";
}

/* ------------------------------------------------------------- watches */

static uint32_t id_hash(uint32_t id)
{
	return id * 2654435761u;	/* Knuth's multiplicative hash */
}

static struct fwops_watch *find(const struct fwops *ops, uint32_t id)
{
	struct hnode *n;

	for (n = htab_first(&ops->watch, id_hash(id)); n; n = htab_next(n)) {
		struct fwops_watch *w = htab_entry(n, struct fwops_watch, hn);

		if (w->id == id)
			return w;
	}
	return NULL;
}

static void drop(struct fwops *ops, struct fwops_watch *w)
{
	htab_del(&ops->watch, &w->hn);
	free(w);
}

int fwops_track(struct fwops *ops, uint32_t id, uint64_t cookie)
{
	struct fwops_watch *w;

	if (!ops || !id)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->id = id;
	w->cookie = cookie;
	if (htab_add(&ops->watch, &w->hn, id_hash(id))) {
		free(w);
		return -ENOMEM;
	}
	return 0;
}

void fwops_untrack_id(struct fwops *ops, uint32_t id)
{
	struct fwops_watch *w = find(ops, id);

	if (w)
		drop(ops, w);
}

/* every watch (the table's buckets walked), @fn may drop the one it gets */
static void each_watch(struct fwops *ops,
		       void (*fn)(struct fwops *, struct fwops_watch *, void *),
		       void *arg)
{
	size_t i;

	for (i = 0; i < ops->watch.nb; i++) {
		struct hnode *n = ops->watch.b[i], *next;

		for (; n; n = next) {
			next = n->next;
			fn(ops, htab_entry(n, struct fwops_watch, hn), arg);
		}
	}
}

static void drop_of_cookie(struct fwops *ops, struct fwops_watch *w,
			   void *arg)
{
	if (w->cookie == *(const uint64_t *)arg)
		drop(ops, w);
}

/* a port's pinholes by cookie: rare (a close without ids, a loss) */
void fwops_untrack_cookie(struct fwops *ops, uint64_t cookie)
{
	each_watch(ops, drop_of_cookie, &cookie);
}

void fwops_untrack_all(struct fwops *ops)
{
	struct hnode *n;

	while ((n = htab_any(&ops->watch)))
		drop(ops, htab_entry(n, struct fwops_watch, hn));
	htab_free(&ops->watch);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int fwops_watch_gone(const struct fwops *ops, const uint32_t *ids, size_t n,
		     uint64_t **gone)
{
	uint32_t *sorted = NULL;
	uint64_t *g;
	size_t i, k = 0, out = 0;

	*gone = NULL;
	g = calloc(ops->watch.n + 1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	if (n) {
		sorted = malloc(n * sizeof(*sorted));
		if (!sorted) {
			free(g);
			return -ENOMEM;
		}
		memcpy(sorted, ids, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), cmp_u32);
	}
	for (i = 0; i < ops->watch.nb; i++) {
		const struct hnode *h;

		for (h = ops->watch.b[i]; h; h = h->next) {
			const struct fwops_watch *w =
				htab_entry(h, struct fwops_watch, hn);

			if (!n || !bsearch(&w->id, sorted, n, sizeof(*sorted),
					   cmp_u32))
				g[k++] = w->cookie;
		}
	}
	free(sorted);
	/* each cookie once */
	qsort(g, k, sizeof(*g), cmp_u64);
	for (i = 0; i < k; i++)
		if (!out || g[out - 1] != g[i])
			g[out++] = g[i];
	*gone = g;
	return (int)out;
}

static void lost(struct fwops *ops, uint64_t cookie,
		 enum fwops_lost_reason reason, fwops_lost_cb cb, void *arg)
{
	fwops_untrack_cookie(ops, cookie);
	ops->cnt.lost++;
	if (cb)
		cb(arg, cookie, reason);
}

void fwops_set_latch_cb(struct fwops *ops, fwops_latch_cb cb, void *arg)
{
	if (ops) {
		ops->latch_cb = cb;
		ops->latch_arg = arg;
	}
}

/* the watch of kernel pinhole @id of @cookie, or NULL */
static const struct fwops_watch *watched(const struct fwops *ops,
					 uint32_t id, uint64_t cookie)
{
	const struct fwops_watch *w = find(ops, id);

	return w && w->cookie == cookie ? w : NULL;
}

/* LATCHED_NTF / LATCH_EXPIRED_NTF of a watched pinhole to the latch cb */
static void latch_event(struct fwops *ops, const struct fw_event *ev)
{
	struct sockaddr_storage ss = { 0 };
	const struct fw_pinhole *ph = &ev->ph;

	if (!ops->latch_cb || !watched(ops, ph->id, ph->cookie))
		return;
	if (ev->cmd == PINHOLE_CMD_LATCH_EXPIRED_NTF) {
		ops->latch_cb(ops->latch_arg, ph->cookie, ph->id, NULL);
		return;
	}
	if (ph->remote.family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_addr = ph->remote.v4;
		s4->sin_port = htons(ph->remote_port);
	} else if (ph->remote.family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = ph->remote.v6;
		s6->sin6_port = htons(ph->remote_port);
	} else {
		return;		/* a latch event without its remote */
	}
	ops->latch_cb(ops->latch_arg, ph->cookie, ph->id, &ss);
}

void fwops_handle_event(struct fwops *ops, const struct fw_event *ev,
			fwops_lost_cb cb, void *arg)
{
	const struct fwops_watch *w;

	if (!ops || !ev)
		return;
	if (ev->cmd == PINHOLE_CMD_LATCHED_NTF ||
	    ev->cmd == PINHOLE_CMD_LATCH_EXPIRED_NTF) {
		latch_event(ops, ev);
		return;
	}
	if (ev->cmd != PINHOLE_CMD_CLOSED_NTF)
		return;
	w = find(ops, ev->ph.id);
	if (w && w->cookie == ev->ph.cookie)
		lost(ops, ev->ph.cookie,
		     fwops_lost_reason_from_kernel(ev->reason), cb, arg);
}

