// SPDX-License-Identifier: GPL-2.0
/*
 * conntrack.c - delete the conntrack entries of closed media ports
 * (see conntrack.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include "conntrack.h"

bool ct_endpoint_matches(const struct ct_match *m, uint8_t l4proto,
			 const struct ct_endpoint *ep)
{
	size_t alen = m->family == AF_INET6 ? 16 : 4;
	unsigned int i;

	if (l4proto != m->l4proto)
		return false;
	for (i = 0; i < m->n_ports && i < CT_MAX_PORTS; i++) {
		if (ep->port != m->ports[i])
			continue;
		if (!m->has_addr)
			return true;
		return ep->addr && memcmp(ep->addr, &m->addr, alen) == 0;
	}
	return false;
}

struct ct_ctx {
	const struct ct_match *m;
	struct nf_conntrack **found;
	size_t n, cap;
	int err;			/* -ENOMEM while collecting */
};

static bool ct_entry_matches(const struct ct_match *m,
			     const struct nf_conntrack *ct)
{
	static const struct {
		int port, addr4, addr6;
	} side[] = {
		{ ATTR_ORIG_PORT_SRC, ATTR_ORIG_IPV4_SRC, ATTR_ORIG_IPV6_SRC },
		{ ATTR_ORIG_PORT_DST, ATTR_ORIG_IPV4_DST, ATTR_ORIG_IPV6_DST },
		{ ATTR_REPL_PORT_SRC, ATTR_REPL_IPV4_SRC, ATTR_REPL_IPV6_SRC },
		{ ATTR_REPL_PORT_DST, ATTR_REPL_IPV4_DST, ATTR_REPL_IPV6_DST },
	};
	uint8_t l4proto;
	size_t i;

	if (nfct_get_attr_u8(ct, ATTR_ORIG_L3PROTO) != m->family ||
	    !nfct_attr_is_set(ct, ATTR_ORIG_L4PROTO))
		return false;
	l4proto = nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO);
	for (i = 0; i < sizeof(side) / sizeof(side[0]); i++) {
		struct ct_endpoint ep;

		if (!nfct_attr_is_set(ct, side[i].port))
			continue;
		ep.port = ntohs(nfct_get_attr_u16(ct, side[i].port));
		ep.addr = nfct_get_attr(ct, m->family == AF_INET6 ?
					side[i].addr6 : side[i].addr4);
		if (ct_endpoint_matches(m, l4proto, &ep))
			return true;
	}
	return false;
}

static int ct_collect(enum nf_conntrack_msg_type type,
		      struct nf_conntrack *ct, void *data)
{
	struct ct_ctx *c = data;
	struct nf_conntrack *copy;

	(void)type;
	if (c->err || !ct_entry_matches(c->m, ct))
		return NFCT_CB_CONTINUE;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		struct nf_conntrack **f = realloc(c->found, cap * sizeof(*f));

		if (!f) {
			c->err = -ENOMEM;
			return NFCT_CB_CONTINUE;
		}
		c->found = f;
		c->cap = cap;
	}
	copy = nfct_clone(ct);
	if (!copy) {
		c->err = -ENOMEM;
		return NFCT_CB_CONTINUE;
	}
	c->found[c->n++] = copy;
	return NFCT_CB_CONTINUE;
}

/* ctnetlink absent or not loadable: there is nothing to delete */
static bool ct_unavailable(int e)
{
	return e == EOPNOTSUPP || e == EPROTONOSUPPORT || e == ENOENT ||
	       e == EAFNOSUPPORT;
}

/*
 * The connection to use: *@cache when open, else a new one (kept in
 * *@cache when there is one). NULL with 0 (no ctnetlink) or -errno.
 */
static struct nfct_handle *ct_get(struct nfct_handle **cache, char *err,
				  size_t errlen, int *rc)
{
	struct nfct_handle *h;

	*rc = 0;
	if (cache && *cache)
		return *cache;
	h = nfct_open(CONNTRACK, 0);
	if (h) {
		if (cache)
			*cache = h;
		return h;
	}
	*rc = -errno;
	if (ct_unavailable(-*rc))
		*rc = 0;
	else if (err)
		snprintf(err, errlen, "conntrack: cannot open ctnetlink: %s",
			 strerror(-*rc));
	return NULL;
}

/* done with @h: closed unless cached; a failed cached one is dropped */
static void ct_put(struct nfct_handle **cache, struct nfct_handle *h,
		   bool failed)
{
	if (cache && *cache == h && !failed)
		return;
	if (cache && *cache == h)
		*cache = NULL;
	nfct_close(h);
}

void ct_conn_close(struct nfct_handle **cache)
{
	if (cache && *cache) {
		nfct_close(*cache);
		*cache = NULL;
	}
}

int ct_delete(struct nfct_handle **cache, const struct ct_match *m,
	      char *err, size_t errlen)
{
	struct ct_ctx c = { .m = m };
	struct nfct_filter_dump *filter = NULL;
	struct nfct_handle *h;
	int rc = 0, deleted = 0;
	size_t i;

	if (err && errlen)
		err[0] = '\0';
	if (!m || (m->family != AF_INET && m->family != AF_INET6) ||
	    !m->n_ports || m->n_ports > CT_MAX_PORTS) {
		if (err)
			snprintf(err, errlen, "conntrack: invalid match");
		return -EINVAL;
	}
	h = ct_get(cache, err, errlen, &rc);
	if (!h)
		return rc;
	filter = nfct_filter_dump_create();
	if (!filter) {
		rc = -ENOMEM;
		if (err)
			snprintf(err, errlen, "conntrack: out of memory");
		goto out;
	}
	nfct_filter_dump_set_attr_u8(filter, NFCT_FILTER_DUMP_L3NUM, m->family);
	nfct_callback_register(h, NFCT_T_ALL, ct_collect, &c);
	if (nfct_query(h, NFCT_Q_DUMP_FILTER, filter) < 0) {
		rc = -errno;
		if (ct_unavailable(-rc)) {
			rc = 0;
			goto out;
		}
		if (err)
			snprintf(err, errlen, "conntrack: dump failed: %s",
				 strerror(-rc));
		goto out;
	}
	nfct_callback_unregister(h);
	if (c.err) {
		rc = c.err;
		if (err)
			snprintf(err, errlen, "conntrack: out of memory");
		/* still delete what was collected */
	}
	for (i = 0; i < c.n; i++) {
		if (nfct_query(h, NFCT_Q_DESTROY, c.found[i]) == 0) {
			deleted++;
		} else if (errno != ENOENT && !rc) {
			/* ENOENT: it timed out or was deleted meanwhile */
			rc = -errno;
			if (err)
				snprintf(err, errlen,
					 "conntrack: deleting an entry failed: %s",
					 strerror(-rc));
		}
	}
out:
	nfct_callback_unregister(h);	/* the handle may outlive @c */
	for (i = 0; i < c.n; i++)
		nfct_destroy(c.found[i]);
	free(c.found);
	if (filter)
		nfct_filter_dump_destroy(filter);
	ct_put(cache, h, rc < 0);
	return rc < 0 ? rc : deleted;
}

bool ct_exact_ok(bool local_known, uint16_t rtcp_rport,
		 uint64_t rtp_packets_at_bind, uint64_t rtcp_packets_at_bind)
{
	return local_known && rtcp_rport &&
	       !rtp_packets_at_bind && !rtcp_packets_at_bind;
}

/* the tuple local -> remote: as an entry's original or reply direction */
static struct nf_conntrack *ct_flow_tuple(const struct ct_flow *f)
{
	struct nf_conntrack *ct = nfct_new();

	if (!ct)
		return NULL;
	nfct_set_attr_u8(ct, ATTR_L3PROTO, f->family);
	if (f->family == AF_INET6) {
		nfct_set_attr(ct, ATTR_IPV6_SRC, &f->local.v6);
		nfct_set_attr(ct, ATTR_IPV6_DST, &f->remote.v6);
	} else {
		nfct_set_attr_u32(ct, ATTR_IPV4_SRC, f->local.v4.s_addr);
		nfct_set_attr_u32(ct, ATTR_IPV4_DST, f->remote.v4.s_addr);
	}
	nfct_set_attr_u8(ct, ATTR_L4PROTO, f->l4proto);
	nfct_set_attr_u16(ct, ATTR_PORT_SRC, htons(f->lport));
	nfct_set_attr_u16(ct, ATTR_PORT_DST, htons(f->rport));
	return ct;
}

int ct_delete_flows(struct nfct_handle **cache, const struct ct_flow *f,
		    unsigned int n, char *err, size_t errlen)
{
	struct nfct_handle *h;
	int rc = 0, deleted = 0;
	unsigned int i;

	if (err && errlen)
		err[0] = '\0';
	for (i = 0; i < n; i++) {
		if (f[i].family != AF_INET && f[i].family != AF_INET6) {
			if (err)
				snprintf(err, errlen, "conntrack: invalid flow");
			return -EINVAL;
		}
	}
	if (!n)
		return 0;
	h = ct_get(cache, err, errlen, &rc);
	if (!h)
		return rc;
	for (i = 0; i < n; i++) {
		struct nf_conntrack *ct = ct_flow_tuple(&f[i]);

		if (!ct) {
			rc = -ENOMEM;
			if (err)
				snprintf(err, errlen, "conntrack: out of memory");
			break;
		}
		if (nfct_query(h, NFCT_Q_DESTROY, ct) == 0) {
			deleted++;
		} else if (!ct_unavailable(errno) && !rc) {	/* ENOENT: none */
			rc = -errno;
			if (err)
				snprintf(err, errlen,
					 "conntrack: deleting a flow's entry failed: %s",
					 strerror(-rc));
		}
		nfct_destroy(ct);
	}
	ct_put(cache, h, rc < 0);
	return rc < 0 ? rc : deleted;
}
