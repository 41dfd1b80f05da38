/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fwops_priv.h - what the files of fwops share (fwops.h is the API):
 *
 *   fwops.c        the API: checks, port state, counters; none and custom
 *   fwops_kmod.c   the kmod firewall (pinhole.ko, conntrack flush, events)
 *   fwops_watch.c  the kernel pinholes watched for losses
 */
#ifndef PINHOLE_AGENT_FWOPS_PRIV_H
#define PINHOLE_AGENT_FWOPS_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "lib/htab.h"
#include "fwops.h"

enum fwops_kind { FWOPS_NONE, FWOPS_KMOD, FWOPS_CUSTOM };

/* A kernel pinhole of a port that is open here, in fwops.watch by id. */
struct fwops_watch {
	struct hnode hn;
	uint32_t id;
	uint64_t cookie;
};

struct fwops {
	enum fwops_kind kind;
	const struct fwops_impl *impl;	/* FWOPS_CUSTOM */
	void *priv;
	struct fw *fw;			/* FWOPS_KMOD */
	struct htab watch;		/* struct fwops_watch, by id */
	struct fwops_counters cnt;
	struct nfct_handle *ct;		/* kept open between closes */
	fwops_latch_cb latch_cb;	/* fwops_set_latch_cb() */
	void *latch_arg;
};

static inline void fwops_clearerr(char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
}

/* fwops.c */
struct fwops *fwops_alloc(enum fwops_kind kind);

/* fwops_watch.c: forget a watched pinhole (by id), or a port's (cookie),
 * or all of them */
void fwops_untrack_id(struct fwops *ops, uint32_t id);
void fwops_untrack_cookie(struct fwops *ops, uint64_t cookie);
void fwops_untrack_all(struct fwops *ops);
/* the distinct cookies of the watched pinholes whose id is not among the
 * @n of @ids (the kernel's table): a malloc'd array in *@gone, its size
 * returned; -ENOMEM */
int fwops_watch_gone(const struct fwops *ops, const uint32_t *ids, size_t n,
		     uint64_t **gone);

/* fwops_kmod.c: the kmod ops, on a port fwops.c has checked */
int fwops_kmod_open(struct fwops *ops, struct fwops_port *p, char *err,
		    size_t errlen);
int fwops_kmod_pin(struct fwops *ops, struct fwops_port *p, char *err,
		   size_t errlen);
int fwops_kmod_activate(struct fwops *ops, struct fwops_port *p,
			const struct sockaddr *remote, char *err,
			size_t errlen);
int fwops_kmod_rebind(struct fwops *ops, struct fwops_port *p,
		      const struct sockaddr *remote, char *err, size_t errlen);
int fwops_kmod_renew(struct fwops *ops, struct fwops_port *p, char *err,
		     size_t errlen);
int fwops_kmod_close(struct fwops *ops, struct fwops_port *p, char *err,
		     size_t errlen);
int fwops_kmod_adopt(struct fwops *ops, struct fwops_port *p, char *err,
		     size_t errlen);

#endif /* PINHOLE_AGENT_FWOPS_PRIV_H */
