// SPDX-License-Identifier: GPL-2.0
/*
 * fwops.c - the firewall interface of the call layer (see fwops.h):
 * "kmod" over fw.h and conntrack.h, "none", and user-defined ops.
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
#include "fwops.h"

enum fwops_kind { FWOPS_NONE, FWOPS_KMOD, FWOPS_CUSTOM };

/* A kernel pinhole of a port that is open here. */
struct fwops_watch {
	uint32_t id;
	uint64_t cookie;
};

struct fwops {
	enum fwops_kind kind;
	const struct fwops_impl *impl;	/* FWOPS_CUSTOM */
	void *priv;
	struct fw *fw;			/* FWOPS_KMOD */
	struct fwops_watch *watch;
	size_t n_watch, cap_watch;
	struct fwops_counters cnt;
	struct nfct_handle *ct;		/* kept open between closes */
};

static void clearerr_(char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
}

/* "<what>: <strerror>[: <kernel message>]" */
static int fwerr(char *err, size_t errlen, int code, const struct fw_err *fe,
		 const char *what)
{
	if (fe && fe->msg[0])
		return seterr(err, errlen, code, "%s: %s: %s", what,
			      strerror(-code), fe->msg);
	return seterr(err, errlen, code, "%s: %s", what, strerror(-code));
}

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

static void untrack_id(struct fwops *ops, uint32_t id)
{
	size_t i;

	for (i = 0; i < ops->n_watch; i++) {
		if (ops->watch[i].id == id) {
			ops->watch[i] = ops->watch[--ops->n_watch];
			return;
		}
	}
}

static void untrack_cookie(struct fwops *ops, uint64_t cookie)
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
	untrack_cookie(ops, cookie);
	ops->cnt.lost++;
	if (cb)
		cb(arg, cookie, reason);
}

void fwops_handle_event(struct fwops *ops, const struct fw_event *ev,
			fwops_lost_cb cb, void *arg)
{
	size_t i;

	if (!ops || !ev || ev->cmd != PINHOLE_CMD_CLOSED_NTF)
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

/* --------------------------------------------------------- constructors */

static struct fwops *fwops_alloc(enum fwops_kind kind)
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

struct fwops *fwops_kmod_new(char *err, size_t errlen)
{
	struct fw_err fe;
	struct fwops *ops;
	int rc;

	clearerr_(err, errlen);
	ops = fwops_alloc(FWOPS_KMOD);
	if (!ops) {
		seterr(err, errlen, -ENOMEM, "out of memory");
		return NULL;
	}
	ops->fw = fw_open(&fe);
	if (!ops->fw) {
		if (fe.code == -ENOENT)
			seterr(err, errlen, -ENOENT,
			       "pinhole.ko is not loaded (no generic netlink family '%s'); "
			       "load it, or use --firewall none to run without pinholes",
			       PINHOLE_GENL_NAME);
		else
			seterr(err, errlen, fe.code, "pinhole netlink: %s",
			       fe.msg[0] ? fe.msg : strerror(-fe.code));
		goto fail;
	}
	rc = fw_subscribe_events(ops->fw, &fe);
	if (rc < 0) {
		fwerr(err, errlen, rc, &fe,
		      rc == -EPERM || rc == -EACCES ?
		      "pinhole events (pinholed needs CAP_NET_ADMIN)" :
		      "pinhole events");
		goto fail;
	}
	return ops;

fail:
	fwops_free(ops);
	return NULL;
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
	free(ops->watch);
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

/* ------------------------------------------------------------- helpers */

/* @sa's address into @a; AF_UNSPEC for a wildcard address */
static void sa_to_fw_addr(const struct sockaddr *sa, struct fw_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		if (s4->sin_addr.s_addr == htonl(INADDR_ANY))
			return;
		a->family = AF_INET;
		a->v4 = s4->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		if (IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr))
			return;
		a->family = AF_INET6;
		a->v6 = s6->sin6_addr;
	}
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

/* ------------------------------------------------------------- kmod */

static const char *const what_open[2] = {
	"opening the RTP pinhole", "opening the RTCP pinhole"
};

static int kmod_close_id(struct fwops *ops, uint32_t id, char *err,
			 size_t errlen, const char *what)
{
	struct fw_err fe;
	int rc;

	if (!id)
		return 0;
	untrack_id(ops, id);	/* its CLOSED_NTF is ours, not a loss */
	rc = fw_pinhole_close(ops->fw, id, NULL, &fe);
	if (rc == -ENOENT)
		return 0;
	return rc < 0 ? fwerr(err, errlen, rc, &fe, what) : 0;
}

/* the shorter of the two leases the kernel reported */
static void note_lease(struct fwops_port *p, const struct fw_pinhole *out,
		       bool first)
{
	if (first || out->lease_ms < p->lease_ms)
		p->lease_ms = out->lease_ms;
}

static int kmod_open(struct fwops *ops, struct fwops_port *p, char *err,
		     size_t errlen)
{
	struct fw_pinhole_req req;
	struct fw_pinhole out;
	struct fw_err fe;
	uint32_t ids[2] = { 0, 0 };
	int i, rc;

	memset(&req, 0, sizeof(req));
	req.family = p->local.ss_family;
	req.proto = IPPROTO_UDP;
	req.cookie = p->cookie;
	sa_to_fw_addr((const struct sockaddr *)&p->local, &req.local);
	for (i = 0; i < 2; i++) {
		req.local_port = sa_port((const struct sockaddr *)&p->local) + i;
		rc = fw_pinhole_open(ops->fw, &req, &out, &fe);
		if (rc < 0) {
			fwerr(err, errlen, rc, &fe, what_open[i]);
			goto fail;
		}
		ids[i] = out.id;
		note_lease(p, &out, i == 0);
		rc = fwops_track(ops, out.id, p->cookie);
		if (rc < 0) {
			seterr(err, errlen, rc, "out of memory");
			goto fail;
		}
	}
	p->rtp_id = ids[0];
	p->rtcp_id = ids[1];
	return 0;

fail:
	for (i = 0; i < 2; i++)
		kmod_close_id(ops, ids[i], NULL, 0, "");
	return rc;
}

typedef int (*fw_lease_fn)(struct fw *fw, uint32_t id, uint32_t lease_ms,
			   struct fw_pinhole *out, struct fw_err *err);

/* PIN or RENEW both pinholes of @p with their state's default lease */
static int kmod_lease_op(struct fwops *ops, struct fwops_port *p,
			 fw_lease_fn fn, const char *const what[2], char *err,
			 size_t errlen)
{
	const uint32_t ids[2] = { p->rtp_id, p->rtcp_id };
	struct fw_pinhole out;
	struct fw_err fe;
	int i, rc;

	for (i = 0; i < 2; i++) {
		rc = fn(ops->fw, ids[i], 0, &out, &fe);
		if (rc < 0)
			return fwerr(err, errlen, rc, &fe, what[i]);
		note_lease(p, &out, i == 0);
	}
	return 0;
}

static const char *const what_pin[2] = {
	"pinning the RTP pinhole", "pinning the RTCP pinhole"
};

static const char *const what_renew[2] = {
	"renewing the RTP pinhole", "renewing the RTCP pinhole"
};

/* the address of an AF_INET or AF_INET6 socket address */
static union ct_addr ct_addr_of(const struct sockaddr_storage *ss)
{
	union ct_addr a;

	memset(&a, 0, sizeof(a));
	if (ss->ss_family == AF_INET6)
		a.v6 = ((const struct sockaddr_in6 *)ss)->sin6_addr;
	else
		a.v4 = ((const struct sockaddr_in *)ss)->sin_addr;
	return a;
}

/* the port's local address is a real one, not the wildcard */
static bool local_known(const struct fwops_port *p)
{
	static const union ct_addr any;
	union ct_addr a = ct_addr_of(&p->local);

	return memcmp(&a, &any, sizeof(a)) != 0;
}

static int kmod_activate(struct fwops *ops, struct fwops_port *p,
			 const struct sockaddr *remote, char *err,
			 size_t errlen)
{
	struct fw_pinhole out;
	struct fw_addr ra;
	struct fw_err fe;
	uint16_t rport, rtcp_rport;
	uint64_t rtp_packets;
	int rc;

	p->ct_exact = false;
	sa_to_fw_addr(remote, &ra);
	rport = sa_port(remote);
	rtcp_rport = rport == 65535 ? 0 : rport + 1;
	rc = fw_activate(ops->fw, p->rtp_id, &ra, rport, 0, &out, &fe);
	if (rc < 0)
		return fwerr(err, errlen, rc, &fe, "activating the RTP pinhole");
	note_lease(p, &out, true);
	rtp_packets = out.packets;
	rc = fw_activate(ops->fw, p->rtcp_id, &ra, rtcp_rport, 0, &out, &fe);
	if (rc < 0)
		return fwerr(err, errlen, rc, &fe, "activating the RTCP pinhole");
	note_lease(p, &out, false);
	memset(&p->remote, 0, sizeof(p->remote));
	memcpy(&p->remote, remote, remote->sa_family == AF_INET6 ?
	       sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	p->ct_exact = ct_exact_ok(local_known(p), rtcp_rport, rtp_packets,
				  out.packets);
	return 0;
}

static int kmod_close(struct fwops *ops, struct fwops_port *p, char *err,
		      size_t errlen)
{
	struct ct_match m;
	struct fw_err fe;
	int rc, rc2;

	if (p->rtp_id || p->rtcp_id) {
		rc = kmod_close_id(ops, p->rtp_id, err, errlen,
				   "closing the RTP pinhole");
		rc2 = kmod_close_id(ops, p->rtcp_id, rc < 0 ? NULL : err,
				    errlen, "closing the RTCP pinhole");
		if (rc2 < 0 && rc == 0)
			rc = rc2;
	} else {
		untrack_cookie(ops, p->cookie);
		rc = fw_close_cookie(ops->fw, p->cookie, NULL, &fe);
		if (rc == -ENOENT)
			rc = 0;
		if (rc < 0)
			fwerr(err, errlen, rc, &fe, "closing the port's pinholes");
	}
	if (rc < 0)
		return rc;

	if (p->ct_exact) {
		/* the only entries there can be: the two bound flows */
		struct ct_flow f[2];

		memset(f, 0, sizeof(f));
		f[0].family = p->local.ss_family;
		f[0].l4proto = IPPROTO_UDP;
		f[0].lport = sa_port((const struct sockaddr *)&p->local);
		f[0].rport = sa_port((const struct sockaddr *)&p->remote);
		f[0].local = ct_addr_of(&p->local);
		f[0].remote = ct_addr_of(&p->remote);
		f[1] = f[0];
		f[1].lport++;
		f[1].rport++;
		rc = ct_delete_flows(&ops->ct, f, 2, err, errlen);
		ops->cnt.ct_by_tuple++;
	} else {
		memset(&m, 0, sizeof(m));
		m.family = p->local.ss_family;
		m.l4proto = IPPROTO_UDP;
		m.ports[m.n_ports++] = sa_port((const struct sockaddr *)&p->local);
		if (m.ports[0] < 65535)
			m.ports[m.n_ports++] = m.ports[0] + 1;
		m.has_addr = local_known(p);
		m.addr = ct_addr_of(&p->local);
		rc = ct_delete(&ops->ct, &m, err, errlen);
		ops->cnt.ct_dumps++;
	}
	if (rc > 0)
		ops->cnt.ct_deleted += rc;
	return rc < 0 ? rc : 0;
}

struct dispatch_ctx {
	struct fwops *ops;
	fwops_lost_cb cb;
	void *arg;
};

static int on_event(const struct fw_event *ev, void *arg)
{
	struct dispatch_ctx *d = arg;

	fwops_handle_event(d->ops, ev, d->cb, d->arg);
	return 0;
}

static int has_id(const struct fw_pinhole *phs, int n, uint32_t id)
{
	int i;

	for (i = 0; i < n; i++)
		if (phs[i].id == id)
			return 1;
	return 0;
}

/* Events were dropped: whatever we watch and the kernel lacks is lost. */
static void kmod_resync(struct fwops *ops, fwops_lost_cb cb, void *arg)
{
	struct fw_pinhole *phs = NULL;
	uint64_t *gone;
	size_t i, n_gone = 0;
	int n;

	n = fw_dump_all(ops->fw, &phs, NULL);
	if (n < 0)
		return;		/* try again at the next overrun */
	gone = calloc(ops->n_watch + 1, sizeof(*gone));
	if (!gone) {
		free(phs);
		return;
	}
	for (i = 0; i < ops->n_watch; i++) {
		const struct fwops_watch *w = &ops->watch[i];
		size_t j;

		if (has_id(phs, n, w->id))
			continue;
		for (j = 0; j < n_gone && gone[j] != w->cookie; j++)
			;
		if (j == n_gone)
			gone[n_gone++] = w->cookie;
	}
	free(phs);
	for (i = 0; i < n_gone; i++)
		untrack_cookie(ops, gone[i]);
	/* callbacks last: they may close ports and change the watch list */
	for (i = 0; i < n_gone; i++) {
		ops->cnt.lost++;
		if (cb)
			cb(arg, gone[i], FWOPS_LOST_OTHER);
	}
	free(gone);
}

/* ------------------------------------------------------------- API */

int fwops_open(struct fwops *ops, struct fwops_port *p, uint64_t cookie,
	       const struct sockaddr *local, char *err, size_t errlen)
{
	uint16_t port;
	int rc = 0;

	clearerr_(err, errlen);
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
		rc = kmod_open(ops, p, err, errlen);
	else if (ops->kind == FWOPS_CUSTOM && ops->impl->open)
		rc = ops->impl->open(ops->priv, p, err, errlen);
	if (rc < 0)
		memset(p, 0, sizeof(*p));
	return count(ops, &ops->cnt.opens, rc);
}

int fwops_pin(struct fwops *ops, struct fwops_port *p, char *err, size_t errlen)
{
	int rc;

	clearerr_(err, errlen);
	rc = check_port(ops, p, err, errlen);
	if (rc < 0)
		return ops ? count(ops, NULL, rc) : rc;
	if (ops->kind == FWOPS_KMOD)
		rc = kmod_lease_op(ops, p, fw_pin, what_pin, err, errlen);
	else if (ops->kind == FWOPS_CUSTOM && ops->impl->pin)
		rc = ops->impl->pin(ops->priv, p, err, errlen);
	return count(ops, &ops->cnt.pins, rc);
}

int fwops_activate(struct fwops *ops, struct fwops_port *p,
		   const struct sockaddr *remote, char *err, size_t errlen)
{
	int rc;

	clearerr_(err, errlen);
	rc = check_port(ops, p, err, errlen);
	if (rc < 0)
		return ops ? count(ops, NULL, rc) : rc;
	if (!remote)
		rc = seterr(err, errlen, -EINVAL, "no remote media address");
	else if (remote->sa_family != p->local.ss_family)
		rc = seterr(err, errlen, -EAFNOSUPPORT,
			    "remote media address is IPv%c, the local port IPv%c",
			    remote->sa_family == AF_INET6 ? '6' :
			    remote->sa_family == AF_INET ? '4' : '?',
			    p->local.ss_family == AF_INET6 ? '6' : '4');
	else if (!sa_port(remote))
		rc = seterr(err, errlen, -EINVAL, "remote media port 0");
	if (rc < 0)
		return count(ops, NULL, rc);
	if (ops->kind == FWOPS_KMOD)
		rc = kmod_activate(ops, p, remote, err, errlen);
	else if (ops->kind == FWOPS_CUSTOM && ops->impl->activate)
		rc = ops->impl->activate(ops->priv, p, remote, err, errlen);
	return count(ops, &ops->cnt.activates, rc);
}

int fwops_renew(struct fwops *ops, struct fwops_port *p, char *err,
		size_t errlen)
{
	int rc;

	clearerr_(err, errlen);
	rc = check_port(ops, p, err, errlen);
	if (rc < 0)
		return ops ? count(ops, NULL, rc) : rc;
	if (ops->kind == FWOPS_KMOD)
		rc = kmod_lease_op(ops, p, fw_renew, what_renew, err, errlen);
	else if (ops->kind == FWOPS_CUSTOM && ops->impl->renew)
		rc = ops->impl->renew(ops->priv, p, err, errlen);
	return count(ops, &ops->cnt.renews, rc);
}

uint32_t fwops_renew_ms(const struct fwops_port *p)
{
	uint32_t ms = p && p->lease_ms ? p->lease_ms / 3 : FWOPS_RENEW_MAX_MS;

	if (ms < FWOPS_RENEW_MIN_MS)
		return FWOPS_RENEW_MIN_MS;
	return ms > FWOPS_RENEW_MAX_MS ? FWOPS_RENEW_MAX_MS : ms;
}

int fwops_close(struct fwops *ops, struct fwops_port *p, char *err,
		size_t errlen)
{
	int rc = 0;

	clearerr_(err, errlen);
	if (!ops || !p)
		return seterr(err, errlen, -EINVAL, "no firewall or no port");
	if (!port_is_open(p))
		return 0;	/* closed already (or never opened) */
	if (ops->kind == FWOPS_KMOD)
		rc = kmod_close(ops, p, err, errlen);
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

int fwops_event_fd(struct fwops *ops)
{
	return ops && ops->kind == FWOPS_KMOD ? fw_event_fd(ops->fw) : -1;
}

void fwops_event_dispatch(struct fwops *ops, fwops_lost_cb cb, void *arg)
{
	struct dispatch_ctx d = { ops, cb, arg };
	int rc, rounds;

	if (!ops || ops->kind != FWOPS_KMOD)
		return;
	for (rounds = 0; rounds < 4; rounds++) {
		rc = fw_event_recv(ops->fw, on_event, &d, NULL);
		if (rc != -ENOBUFS)
			break;
		kmod_resync(ops, cb, arg);
	}
}

void fwops_counters(const struct fwops *ops, struct fwops_counters *c)
{
	if (ops)
		*c = ops->cnt;
	else
		memset(c, 0, sizeof(*c));
}
