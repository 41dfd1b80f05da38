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

int fwops_track(struct fwops *ops, uint32_t id, uint64_t cookie)
{
	if (!ops || !id)
		return -EINVAL;
	if (ops->n_watch == ops->cap_watch) {
		size_t cap = ops->cap_watch ? 2 * ops->cap_watch : 32;
		struct fwops_watch *w = realloc(ops->watch, cap * sizeof(*w));

		if (!w)
			return -ENOMEM;
		ops->watch = w;
		ops->cap_watch = cap;
	}
	ops->watch[ops->n_watch].id = id;
	ops->watch[ops->n_watch].cookie = cookie;
	ops->n_watch++;
	return 0;
}

void fwops_untrack_id(struct fwops *ops, uint32_t id)
{
	size_t i;

	for (i = 0; i < ops->n_watch; i++) {
		if (ops->watch[i].id == id) {
			ops->watch[i] = ops->watch[--ops->n_watch];
			return;
		}
	}
}

void fwops_untrack_cookie(struct fwops *ops, uint64_t cookie)
{
	size_t i = 0;

	while (i < ops->n_watch) {
		if (ops->watch[i].cookie == cookie)
			ops->watch[i] = ops->watch[--ops->n_watch];
		else
			i++;
	}
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
	for (size_t i = 0; i < ops->n_watch; i++)
		if (ops->watch[i].id == id && ops->watch[i].cookie == cookie)
			return &ops->watch[i];
	return NULL;
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
	size_t i;

	if (!ops || !ev)
		return;
	if (ev->cmd == PINHOLE_CMD_LATCHED_NTF ||
	    ev->cmd == PINHOLE_CMD_LATCH_EXPIRED_NTF) {
		latch_event(ops, ev);
		return;
	}
	if (ev->cmd != PINHOLE_CMD_CLOSED_NTF)
		return;
	for (i = 0; i < ops->n_watch; i++) {
		if (ops->watch[i].id == ev->ph.id &&
		    ops->watch[i].cookie == ev->ph.cookie) {
			lost(ops, ev->ph.cookie,
			     fwops_lost_reason_from_kernel(ev->reason), cb, arg);
			return;
		}
	}
}

