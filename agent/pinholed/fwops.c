// SPDX-License-Identifier: GPL-2.0
/*
 * fwops.c - the firewall interface of the call layer (see fwops.h): the
 * API's argument checks, port state and counters, dispatched by kind to
 * "kmod" (fwops_kmod.c, with the watches of fwops_watch.c), "none" (does
 * nothing) or user-defined ops (struct fwops_impl).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "lib/errbuf.h"
#include "lib/sockaddr.h"
#include "pinhole/fw.h"
#include "conntrack.h"
#include "fwops_priv.h"

/* --------------------------------------------------------- constructors */

struct fwops *fwops_alloc(enum fwops_kind kind)
{
	struct fwops *ops = calloc(1, sizeof(*ops));

	if (ops)
		ops->kind = kind;
	return ops;
}

struct fwops *fwops_none_new(void)
{
	return fwops_alloc(FWOPS_NONE);
}

struct fwops *fwops_custom_new(const struct fwops_impl *impl, void *priv)
{
	struct fwops *ops;

	if (!impl)
		return NULL;
	ops = fwops_alloc(FWOPS_CUSTOM);
	if (ops) {
		ops->impl = impl;
		ops->priv = priv;
	}
	return ops;
}

void fwops_free(struct fwops *ops)
{
	if (!ops)
		return;
	if (ops->kind == FWOPS_CUSTOM && ops->impl->free)
		ops->impl->free(ops->priv);
	if (ops->fw)
		fw_close_handle(ops->fw);
	ct_conn_close(&ops->ct);
	fwops_untrack_all(ops);
	free(ops);
}

const char *fwops_name(const struct fwops *ops)
{
	if (!ops)
		return "?";
	switch (ops->kind) {
	case FWOPS_KMOD:
		return "kmod";
	case FWOPS_CUSTOM:
		return ops->impl->name ? ops->impl->name : "custom";
	case FWOPS_NONE:
		break;
	}
	return "none";
}

static bool port_is_open(const struct fwops_port *p)
{
	return p->local.ss_family == AF_INET || p->local.ss_family == AF_INET6;
}

static int check_port(const struct fwops *ops, const struct fwops_port *p,
		      char *err, size_t errlen)
{
	if (!ops || !p)
		return seterr(err, errlen, -EINVAL, "no firewall or no port");
	if (!port_is_open(p))
		return seterr(err, errlen, -EINVAL, "the media port is not open");
	return 0;
}

static int count(struct fwops *ops, uint64_t *counter, int rc)
{
	if (rc < 0)
		ops->cnt.errors++;
	else
		(*counter)++;
	return rc;
}

/* ------------------------------------------------------------- API */

int fwops_open(struct fwops *ops, struct fwops_port *p, uint64_t cookie,
	       const struct sockaddr *local, char *err, size_t errlen)
{
	uint16_t port;
	int rc = 0;

	fwops_clearerr(err, errlen);
	if (!ops || !p || !local)
		return seterr(err, errlen, -EINVAL, "no firewall, port or address");
	if (local->sa_family != AF_INET && local->sa_family != AF_INET6) {
		ops->cnt.errors++;
		return seterr(err, errlen, -EAFNOSUPPORT,
			      "media address family %d is not IPv4 or IPv6",
			      local->sa_family);
	}
	if (port_is_open(p) || p->rtp_id || p->rtcp_id) {
		ops->cnt.errors++;
		return seterr(err, errlen, -EBUSY, "the media port is already open");
	}
	memset(p, 0, sizeof(*p));
	memcpy(&p->local, local, sa_len(local->sa_family));
	port = sa_port((const struct sockaddr *)&p->local);
	if (port == 0 || port == 65535) {
		memset(p, 0, sizeof(*p));
		ops->cnt.errors++;
		return seterr(err, errlen, -EINVAL,
			      "media port %u: RTP needs 1..65534 (RTCP is port + 1)",
			      port);
	}
	p->cookie = cookie;
	if (ops->kind == FWOPS_KMOD)
		rc = fwops_kmod_open(ops, p, err, errlen);
	else if (ops->kind == FWOPS_CUSTOM && ops->impl->open)
		rc = ops->impl->open(ops->priv, p, err, errlen);
	if (rc < 0)
		memset(p, 0, sizeof(*p));
	return count(ops, &ops->cnt.opens, rc);
}

int fwops_pin(struct fwops *ops, struct fwops_port *p, char *err, size_t errlen)
{
	int rc;

	fwops_clearerr(err, errlen);
	rc = check_port(ops, p, err, errlen);
	if (rc < 0)
		return ops ? count(ops, NULL, rc) : rc;
	if (ops->kind == FWOPS_KMOD)
		rc = fwops_kmod_pin(ops, p, err, errlen);
	else if (ops->kind == FWOPS_CUSTOM && ops->impl->pin)
		rc = ops->impl->pin(ops->priv, p, err, errlen);
	return count(ops, &ops->cnt.pins, rc);
}

/* a remote for activate and rebind: the port's family, a port */
static int check_remote(const struct fwops_port *p,
			const struct sockaddr *remote, char *err,
			size_t errlen)
{
	if (!remote)
		return seterr(err, errlen, -EINVAL, "no remote media address");
	if (remote->sa_family != p->local.ss_family)
		return seterr(err, errlen, -EAFNOSUPPORT,
			      "remote media address is IPv%c, the local port IPv%c",
			      remote->sa_family == AF_INET6 ? '6' :
			      remote->sa_family == AF_INET ? '4' : '?',
			      p->local.ss_family == AF_INET6 ? '6' : '4');
	if (!sa_port(remote))
		return seterr(err, errlen, -EINVAL, "remote media port 0");
	return 0;
}

/* ACTIVATE (@rebind false) or REBIND of @p toward @remote, counted */
static int remote_op(struct fwops *ops, struct fwops_port *p,
		     const struct sockaddr *remote, bool rebind, char *err,
		     size_t errlen)
{
	int rc;

	fwops_clearerr(err, errlen);
	rc = check_port(ops, p, err, errlen);
	if (rc < 0)
		return ops ? count(ops, NULL, rc) : rc;
	rc = check_remote(p, remote, err, errlen);
	if (rc < 0)
		return count(ops, NULL, rc);
	if (ops->kind == FWOPS_KMOD)
		rc = rebind ? fwops_kmod_rebind(ops, p, remote, err, errlen) :
			      fwops_kmod_activate(ops, p, remote, err, errlen);
	else if (ops->kind == FWOPS_CUSTOM && rebind && ops->impl->rebind)
		rc = ops->impl->rebind(ops->priv, p, remote, err, errlen);
	else if (ops->kind == FWOPS_CUSTOM && !rebind && ops->impl->activate)
		rc = ops->impl->activate(ops->priv, p, remote, err, errlen);
	return count(ops, rebind ? &ops->cnt.rebinds : &ops->cnt.activates,
		     rc);
}

int fwops_activate(struct fwops *ops, struct fwops_port *p,
		   const struct sockaddr *remote, char *err, size_t errlen)
{
	return remote_op(ops, p, remote, false, err, errlen);
}

int fwops_rebind(struct fwops *ops, struct fwops_port *p,
		 const struct sockaddr *remote, char *err, size_t errlen)
{
	return remote_op(ops, p, remote, true, err, errlen);
}

int fwops_renew(struct fwops *ops, struct fwops_port *p, char *err,
		size_t errlen)
{
	int rc;

	fwops_clearerr(err, errlen);
	rc = check_port(ops, p, err, errlen);
	if (rc < 0)
		return ops ? count(ops, NULL, rc) : rc;
	if (ops->kind == FWOPS_KMOD)
		rc = fwops_kmod_renew(ops, p, err, errlen);
	else if (ops->kind == FWOPS_CUSTOM && ops->impl->renew)
		rc = ops->impl->renew(ops->priv, p, err, errlen);
	return count(ops, &ops->cnt.renews, rc);
}

int fwops_adopt(struct fwops *ops, struct fwops_port *p, char *err,
		size_t errlen)
{
	int rc;

	fwops_clearerr(err, errlen);
	rc = check_port(ops, p, err, errlen);
	if (rc < 0)
		return ops ? count(ops, NULL, rc) : rc;
	if (ops->kind == FWOPS_KMOD && (!p->rtp_id || !p->rtcp_id))
		rc = seterr(err, errlen, -EINVAL, "no pinhole ids to adopt");
	else if (ops->kind == FWOPS_KMOD)
		rc = fwops_kmod_adopt(ops, p, err, errlen);
	return count(ops, &ops->cnt.adopts, rc);
}

uint32_t fwops_renew_ms(const struct fwops_port *p)
{
	uint32_t ms = p && p->lease_ms ? p->lease_ms / 3 :
		      FWOPS_RENEW_DEFAULT_MS;

	if (ms < FWOPS_RENEW_MIN_MS)
		return FWOPS_RENEW_MIN_MS;
	return ms > FWOPS_RENEW_MAX_MS ? FWOPS_RENEW_MAX_MS : ms;
}

int fwops_close(struct fwops *ops, struct fwops_port *p, char *err,
		size_t errlen)
{
	int rc = 0;

	fwops_clearerr(err, errlen);
	if (!ops || !p)
		return seterr(err, errlen, -EINVAL, "no firewall or no port");
	if (!port_is_open(p))
		return 0;	/* closed already (or never opened) */
	if (ops->kind == FWOPS_KMOD)
		rc = fwops_kmod_close(ops, p, err, errlen);
	else if (ops->kind == FWOPS_CUSTOM && ops->impl->close)
		rc = ops->impl->close(ops->priv, p, err, errlen);
	/* whatever happened, the port is no longer ours to use */
	p->rtp_id = 0;
	p->rtcp_id = 0;
	p->lease_ms = 0;
	p->local.ss_family = AF_UNSPEC;
	p->ct_exact = false;
	ops->cnt.closes++;
	if (rc < 0)
		ops->cnt.errors++;
	return rc;
}

void fwops_counters(const struct fwops *ops, struct fwops_counters *c)
{
	if (ops)
		*c = ops->cnt;
	else
		memset(c, 0, sizeof(*c));
}
