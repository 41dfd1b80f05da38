// SPDX-License-Identifier: GPL-2.0
/*
 * sip_dialog.c - dialog state and in-dialog requests (RFC 3261 12).
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_port.h>

#include "sip_dialog.h"
#include "sip_msg.h"
#include "sip_transport.h"

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = xstrdup(s);
}

static char *uri_str(const osip_uri_t *u)
{
	char *s = NULL, *r;

	if (!u || osip_uri_to_str(u, &s))
		return NULL;
	r = strdup(s);
	osip_free(s);
	return r;
}

/* the whole Call-ID: libosip2 splits it at '@' */
static char *callid_str(const osip_call_id_t *c)
{
	char *s = NULL, *r;

	if (!c || osip_call_id_to_str(c, &s))
		return NULL;
	r = strdup(s);
	osip_free(s);
	return r;
}

static void routes_clear(struct sip_dialog *d)
{
	for (unsigned int i = 0; i < d->nroutes; i++)
		free(d->routes[i]);
	d->nroutes = 0;
}

static void route_add(struct sip_dialog *d, const char *r)
{
	if (d->nroutes < SIP_DIALOG_MAX_ROUTES)
		d->routes[d->nroutes++] = strdup(r);
}

/* Record-Route of @m into the route set, reversed for the UAC (12.1.2) */
static void routes_from_rr(struct sip_dialog *d, const osip_message_t *m,
			   bool reverse)
{
	int n = osip_list_size(&m->record_routes);

	routes_clear(d);
	for (int i = 0; i < n; i++) {
		osip_record_route_t *rr;
		char *s = NULL;

		rr = osip_list_get(&m->record_routes, reverse ? n - 1 - i : i);
		if (rr && osip_record_route_to_str(rr, &s) == 0) {
			route_add(d, s);
			osip_free(s);
		}
	}
}

static char *contact_of(const osip_message_t *m)
{
	osip_contact_t *c = osip_list_get(&m->contacts, 0);

	return c ? uri_str(c->url) : NULL;
}

void sip_dialog_reset(struct sip_dialog *d)
{
	free(d->call_id);
	free(d->local_tag);
	free(d->remote_tag);
	free(d->local_uri);
	free(d->remote_uri);
	free(d->remote_target);
	free(d->local_contact);
	routes_clear(d);
	memset(d, 0, sizeof(*d));
}

int sip_dialog_uac_init(struct sip_dialog *d, const char *local_uri,
			const char *remote_uri, const char *contact,
			const char *proxy, const char *host)
{
	char tok[24], cid[128];

	memset(d, 0, sizeof(*d));
	sip_token_new(tok, sizeof(tok));
	snprintf(cid, sizeof(cid), "%s@%s", tok, host ? host : "pinhole");
	d->call_id = strdup(cid);
	sip_token_new(tok, sizeof(tok));
	d->local_tag = strdup(tok);
	d->local_uri = strdup(local_uri);
	d->remote_uri = strdup(remote_uri);
	d->remote_target = strdup(remote_uri);
	d->local_contact = strdup(contact);
	d->local_cseq = 1;
	if (proxy) {
		char r[256];

		/* a preloaded route (8.1.2); we assume the proxy routes loosely */
		snprintf(r, sizeof(r), strstr(proxy, ";lr") ? "<%s>" :
			 "<%s;lr>", proxy);
		route_add(d, r);
	}
	if (!d->call_id || !d->local_tag || !d->local_uri ||
	    !d->remote_uri || !d->remote_target || !d->local_contact) {
		sip_dialog_reset(d);
		return -ENOMEM;
	}
	return 0;
}

int sip_dialog_uac_response(struct sip_dialog *d, const osip_message_t *resp)
{
	const char *tag = sip_msg_tag(resp->to);
	bool final = resp->status_code >= 200;
	char *target;

	if (!tag)
		return -EINVAL;
	if (d->confirmed && d->remote_tag && strcmp(d->remote_tag, tag))
		return -EEXIST;		/* another fork: not this dialog */
	if (d->confirmed && !final)
		return 0;		/* a late 1xx changes nothing */
	if (d->remote_tag && strcmp(d->remote_tag, tag)) {
		/* another fork than the early dialog's: nothing of it is
		 * this one's (12.1, 13.2.2.4) */
		free(d->remote_target);
		d->remote_target = xstrdup(d->remote_uri);
		if (!d->remote_target)
			return -ENOMEM;
	}
	set_str(&d->remote_tag, tag);
	if (!d->remote_tag)
		return -ENOMEM;
	/* 12.1.2: route set from the Record-Route of the response, reversed
	 * (none: empty), remote target from its Contact; 13.2.2.4: the 2xx
	 * recomputes them for an early dialog. A 2xx retransmission of the
	 * confirmed dialog changes nothing. */
	if (!d->confirmed) {
		routes_from_rr(d, resp, true);
		target = contact_of(resp);
		if (target) {
			free(d->remote_target);
			d->remote_target = target;
		}
	}
	d->established = true;
	if (final)
		d->confirmed = true;
	return 0;
}

int sip_dialog_uac_fork(struct sip_dialog *out, const struct sip_dialog *d,
			const osip_message_t *resp)
{
	int ret;

	memset(out, 0, sizeof(*out));
	out->call_id = xstrdup(d->call_id);
	out->local_tag = xstrdup(d->local_tag);
	out->local_uri = xstrdup(d->local_uri);
	out->remote_uri = xstrdup(d->remote_uri);
	out->remote_target = xstrdup(d->remote_uri);
	out->local_contact = xstrdup(d->local_contact);
	out->local_cseq = d->local_cseq;
	if (!out->call_id || !out->local_tag || !out->local_uri ||
	    !out->remote_uri || !out->remote_target || !out->local_contact) {
		sip_dialog_reset(out);
		return -ENOMEM;
	}
	ret = sip_dialog_uac_response(out, resp);
	if (ret)
		sip_dialog_reset(out);
	return ret;
}

int sip_dialog_uas_init(struct sip_dialog *d, const osip_message_t *req,
			const char *contact)
{
	char tok[24];

	memset(d, 0, sizeof(*d));
	sip_token_new(tok, sizeof(tok));
	d->call_id = callid_str(req->call_id);
	d->local_tag = strdup(tok);
	d->remote_tag = xstrdup(sip_msg_tag(req->from));
	d->local_uri = uri_str(req->to->url);
	d->remote_uri = uri_str(req->from->url);
	d->remote_target = contact_of(req);
	if (!d->remote_target)
		d->remote_target = xstrdup(d->remote_uri);
	d->local_contact = strdup(contact);
	routes_from_rr(d, req, false);	/* 12.1.1: in order */
	d->remote_cseq = (uint32_t)strtoul(req->cseq->number, NULL, 10);
	d->remote_cseq_set = true;
	d->local_cseq = 1;
	d->established = true;
	d->confirmed = true;
	if (!d->call_id || !d->local_tag || !d->local_uri || !d->remote_uri ||
	    !d->remote_target || !d->local_contact) {
		sip_dialog_reset(d);
		return -ENOMEM;
	}
	return 0;
}

static bool route_is_loose(const char *r)
{
	osip_route_t *rt;
	osip_uri_param_t *lr = NULL;
	bool loose = false;

	if (osip_route_init(&rt))
		return true;
	if (osip_route_parse(rt, r) == 0 && rt->url) {
		osip_uri_uparam_get_byname(rt->url, "lr", &lr);
		loose = lr != NULL;
	}
	osip_route_free(rt);
	return loose;
}

/* the URI inside "<...>" (a route entry) */
static char *route_uri(const char *r)
{
	const char *a = strchr(r, '<'), *b = a ? strchr(a, '>') : NULL;

	if (!a || !b)
		return strdup(r);
	return strndup(a + 1, (size_t)(b - a - 1));
}

static osip_message_t *build(struct sip_dialog *d, const char *method,
			     uint32_t cseq)
{
	osip_message_t *m;
	osip_uri_t *ruri;
	char buf[512], *target = NULL;
	unsigned int first = 0;
	bool strict;

	if (osip_message_init(&m))
		return NULL;
	osip_message_set_method(m, osip_strdup(method));
	osip_message_set_version(m, osip_strdup("SIP/2.0"));
	/* 12.2.1.1: loose routing keeps the target in the Request-URI;
	 * a strict first hop takes the Request-URI, the target goes last */
	strict = d->nroutes && !route_is_loose(d->routes[0]);
	target = strict ? route_uri(d->routes[0]) : strdup(d->remote_target);
	if (strict)
		first = 1;
	if (!target || osip_uri_init(&ruri) ||
	    osip_uri_parse(ruri, target)) {
		free(target);
		osip_message_free(m);
		return NULL;
	}
	free(target);
	osip_message_set_uri(m, ruri);
	for (unsigned int i = first; i < d->nroutes; i++)
		osip_message_set_route(m, d->routes[i]);
	if (strict) {
		snprintf(buf, sizeof(buf), "<%s>", d->remote_target);
		osip_message_set_route(m, buf);
	}
	snprintf(buf, sizeof(buf), "<%s>;tag=%s", d->local_uri, d->local_tag);
	osip_message_set_from(m, buf);
	if (d->remote_tag)
		snprintf(buf, sizeof(buf), "<%s>;tag=%s", d->remote_uri,
			 d->remote_tag);
	else
		snprintf(buf, sizeof(buf), "<%s>", d->remote_uri);
	osip_message_set_to(m, buf);
	osip_message_set_call_id(m, d->call_id);
	snprintf(buf, sizeof(buf), "%u %s", cseq, method);
	osip_message_set_cseq(m, buf);
	osip_message_set_max_forwards(m, SIP_MAX_FORWARDS);
	/* target refresh requests carry Contact (RFC 3261 12.2.1.1, RFC 3311 5.1) */
	if (!strcmp(method, "INVITE") || !strcmp(method, "UPDATE") ||
	    !strcmp(method, "REGISTER")) {
		snprintf(buf, sizeof(buf), "<%s>", d->local_contact);
		osip_message_set_contact(m, buf);
	}
	osip_message_set_header(m, "User-Agent", "pinholed");
	if (!m->from || !m->to || !m->call_id || !m->cseq) {
		osip_message_free(m);
		return NULL;
	}
	return m;
}

osip_message_t *sip_dialog_request(struct sip_dialog *d, const char *method)
{
	osip_message_t *m = build(d, method, d->local_cseq);

	if (m)
		d->local_cseq++;
	return m;
}

osip_message_t *sip_dialog_ack(struct sip_dialog *d, uint32_t cseq)
{
	return build(d, "ACK", cseq);
}

char *sip_dialog_next_hop_uri(const struct sip_dialog *d)
{
	if (!d->nroutes)
		return d->remote_target ? strdup(d->remote_target) : NULL;
	return route_uri(d->routes[0]);
}

int sip_dialog_next_hop(const struct sip_dialog *d,
			struct sockaddr_storage *dst)
{
	char *u = sip_dialog_next_hop_uri(d);
	int ret;

	if (!u)
		return -ENOMEM;
	ret = sip_uri_resolve(u, dst);
	free(u);
	return ret;
}

uint32_t sip_dialog_key(const char *call_id)
{
	uint32_t h = 2166136261u;	/* FNV-1a, as htab_hash_str() */

	for (; call_id && *call_id && *call_id != '@'; call_id++)
		h = (h ^ (unsigned char)*call_id) * 16777619u;
	return h;
}

bool sip_dialog_match(const struct sip_dialog *d, const osip_message_t *req)
{
	const char *to_tag = sip_msg_tag(req->to), *from_tag = sip_msg_tag(req->from);
	char *cid;
	bool same;

	if (!d->call_id || !req->call_id)
		return false;
	cid = callid_str(req->call_id);
	same = cid && !strcmp(d->call_id, cid);
	free(cid);
	return same && to_tag && d->local_tag && !strcmp(to_tag, d->local_tag) &&
	       from_tag && d->remote_tag && !strcmp(from_tag, d->remote_tag);
}

int sip_dialog_remote_cseq(struct sip_dialog *d, const osip_message_t *req)
{
	uint32_t n = (uint32_t)strtoul(req->cseq->number, NULL, 10);

	if (MSG_IS_ACK(req) || MSG_IS_CANCEL(req))
		return 0;
	if (d->remote_cseq_set && n < d->remote_cseq)
		return -ERANGE;
	d->remote_cseq = n;
	d->remote_cseq_set = true;
	return 0;
}
