// SPDX-License-Identifier: GPL-2.0
/*
 * sip_tx.c - the transaction layer of one transport (RFC 3261 17, RFC
 * 6026): struct sip, the dispatch of every received message to the client
 * (sip_ctx.c) or server (sip_stx.c) side or to the core, requests and
 * answers outside any transaction, and the retransmission log line.
 *
 * Each transaction is an explicit state machine; the message handlers
 * (ctx_response, stx_request) and the timer handlers switch on its state.
 * A handler of the owner is always the last thing a function does with
 * the transaction: the owner may release it from inside.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_port.h>

#include "lib/plog.h"
#include "lib/sockaddr.h"
#include "sip_tx_priv.h"

/*
 * Retransmissions: the wire form again, and a debug line in the log (tag
 * 'D', "retransmit WHAT (WHY) | call= cseq= branch= peer=", like the
 * message lines: plog.h) so that a ladder read from the log shows what the
 * peer saw.
 */
void sip_tx_log_retransmit(const char *call_id, const char *cseq,
			   const char *method, const char *what,
			   const char *why, const char *branch,
			   const struct sockaddr_storage *dst)
{
	char p[64];

	if (!plog_enabled(PLOG_DEBUG))
		return;
	plog(PLOG_DEBUG, "retransmit %s (%s) | call=%s cseq=%s/%s branch=%s "
	     "peer=%s", what, why, call_id ? call_id : "-", cseq ? cseq : "-",
	     method ? method : "-", branch, sa_str(dst, p, sizeof(p)));
}

void sip_src_key(const struct sockaddr_storage *src, char *key, size_t size)
{
	const struct sockaddr_in6 *s6 = (const void *)src;
	const struct sockaddr_in *s4 = (const void *)src;
	struct in6_addr a;

	if (src->ss_family == AF_INET6 &&
	    !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		/* one host may own a whole /64 (RFC 4291 2.5.1) */
		a = s6->sin6_addr;
		memset(a.s6_addr + 8, 0, 8);
		inet_ntop(AF_INET6, &a, key, (socklen_t)size);
	} else if (src->ss_family == AF_INET6) {
		inet_ntop(AF_INET, s6->sin6_addr.s6_addr + 12, key,
			  (socklen_t)size);
	} else if (src->ss_family == AF_INET) {
		inet_ntop(AF_INET, &s4->sin_addr, key, (socklen_t)size);
	} else {
		snprintf(key, size, "?");
	}
}

void sip_limits_default(struct sip_limits *l, unsigned int stx_max)
{
	l->stx_max = stx_max ? stx_max : SIP_STX_MAX_DEFAULT;
	l->stx_per_src_max = l->stx_max > 4 ? l->stx_max / 4 : 1;
	l->ctx_max = stx_max ? stx_max : SIP_CTX_MAX_DEFAULT;
}

struct sip *sip_new(struct sip_transport *tp, sip_req_h *h, void *arg)
{
	struct sip *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->tp = tp;
	s->req_h = h;
	s->arg = arg;
	sip_limits_default(&s->lim, 0);
	s->t1 = SIP_T1_MS;
	sip_transport_set_fail_handler(tp, sip_tx_ctx_conn_failed, s);
	return s;
}

void sip_set_limits(struct sip *s, const struct sip_limits *l)
{
	s->lim = *l;
}

int sip_set_t1(struct sip *s, unsigned int ms)
{
	if (ms < SIP_T1_MIN_MS || ms > SIP_T1_MAX_MS)
		return -ERANGE;
	s->t1 = ms;
	return 0;
}

uint32_t sip_t1(const struct sip *s)
{
	return s->t1;
}

static void lookup_send_free(struct sip_lookup_send *ls);

void sip_free(struct sip *s)
{
	if (!s)
		return;
	while (s->lookups)
		lookup_send_free(s->lookups);
	sip_tx_ctx_free_all(s);
	sip_tx_stx_free_all(s);
	htab_free(&s->ctx_by_branch);
	htab_free(&s->stx_by_branch);
	htab_free(&s->stx_by_callid);
	htab_free(&s->src_by_key);
	free(s);
}

struct sip_transport *sip_transport(const struct sip *s)
{
	return s->tp;
}

unsigned int sip_tx_count(const struct sip *s)
{
	return s->nctx + s->nstx;
}

uint64_t sip_stx_refused(const struct sip *s)
{
	return s->stx_refused;
}

uint64_t sip_ctx_refused(const struct sip *s)
{
	return s->ctx_refused;
}

unsigned int sip_resolving_count(const struct sip *s)
{
	return s->resolving;
}

enum sip_loc_tp sip_tx_loc_tp(const struct sip *s, const osip_message_t *req)
{
	if (sip_transport_mode(s->tp) & SIP_TP_TLS_BIT)
		return SIP_LOC_TLS;
	return sip_transport_req_tcp(s->tp, req) ? SIP_LOC_TCP : SIP_LOC_UDP;
}

int sip_tx_family(const struct sip *s)
{
	return sip_transport_local(s->tp)->ss_family;
}

const char *sip_tx_callid(const osip_message_t *m)
{
	return m->call_id && m->call_id->number ? m->call_id->number : "-";
}

int sip_tx_next_hop(const char *uri, struct sockaddr_storage *dst,
		    char **host, uint16_t *port)
{
	const char *h;
	osip_uri_t *u;
	int ret;

	if (!uri)
		return -EINVAL;
	if (osip_uri_init(&u))
		return -ENOMEM;
	ret = osip_uri_parse(u, uri) ? -EINVAL :
	      sip_osip_uri_hostport(u, &h, port);
	if (!ret && resolve_literal(h, *port, dst)) {
		*host = strdup(h);
		ret = *host ? 1 : -ENOMEM;
		if (!u->port || !*u->port)
			*port = 0;	/* RFC 3263 4.2: NAPTR/SRV apply */
	}
	osip_uri_free(u);
	return ret;
}

void sip_input(osip_message_t *msg, const struct sockaddr_storage *src,
	       void *arg)
{
	struct sip *s = arg;

	if (MSG_IS_RESPONSE(msg))
		sip_tx_ctx_input(s, msg);
	else
		sip_tx_stx_input(s, msg, src);
}

/* --------------------------------------------------------- stateless */

int sip_send_stateless(struct sip *s, osip_message_t *req,
		       const struct sockaddr_storage *dst)
{
	char branch[BRANCH_LEN];

	if (sip_transport_add_via(s->tp, req, branch, sizeof(branch)))
		return -ENOMEM;
	return sip_transport_send(s->tp, req, dst);
}

/* a stateless request waiting for its next hop's lookup */
struct sip_lookup_send {
	struct sip_lookup_send *next, **pprev;	/* s->lookups */
	struct sip *s;
	osip_message_t *req;
	struct sip_locate *lookup;
	char *host;
};

static void lookup_send_free(struct sip_lookup_send *ls)
{
	*ls->pprev = ls->next;
	if (ls->next)
		ls->next->pprev = ls->pprev;
	if (ls->lookup)
		ls->s->resolving--;
	sip_locate_cancel(ls->lookup);
	osip_message_free(ls->req);
	free(ls->host);
	free(ls);
}

static void lookup_send_h(int err, const struct sockaddr_storage *addrs,
			  unsigned int n, void *arg)
{
	struct sip_lookup_send *ls = arg;

	(void)n;
	ls->lookup = NULL;
	ls->s->resolving--;
	if (err)
		plog(PLOG_WARN, "%s not sent: cannot resolve %s: %s | call=%s",
		     ls->req->sip_method, ls->host, resolve_err_str(err),
		     sip_tx_callid(ls->req));
	else {
		sip_transport_peer_name(ls->s->tp, &addrs[0], ls->host);
		sip_send_stateless(ls->s, ls->req, &addrs[0]);
	}
	lookup_send_free(ls);
}

int sip_send_stateless_uri(struct sip *s, const osip_message_t *req,
			   const char *uri)
{
	struct sockaddr_storage dst;
	struct sip_lookup_send *ls;
	osip_message_t *copy;
	uint16_t port;
	char *host;
	int ret = sip_tx_next_hop(uri, &dst, &host, &port);

	if (ret < 0)
		return ret;
	if (osip_message_clone(req, &copy)) {
		if (ret)
			free(host);
		return -ENOMEM;
	}
	if (ret == 0) {
		ret = sip_send_stateless(s, copy, &dst);
		osip_message_free(copy);
		return ret;
	}
	ls = calloc(1, sizeof(*ls));
	if (!ls) {
		osip_message_free(copy);
		free(host);
		return -ENOMEM;
	}
	ls->s = s;
	ls->req = copy;
	ls->host = host;
	ls->next = s->lookups;
	if (ls->next)
		ls->next->pprev = &ls->next;
	ls->pprev = &s->lookups;
	s->lookups = ls;
	ls->lookup = sip_locate_start(host, port, sip_tx_loc_tp(s, copy),
				      sip_tx_family(s), lookup_send_h, ls);
	if (!ls->lookup) {
		lookup_send_free(ls);
		return -ENOMEM;
	}
	s->resolving++;
	return 0;
}

static int reply_stateless(struct sip *s, const osip_message_t *req,
			   const struct sockaddr_storage *src, int code,
			   unsigned int retry_after)
{
	struct sockaddr_storage dst;
	osip_message_t *r;
	char tag[24], ra[16];
	int ret;

	if (MSG_IS_ACK(req))
		return 0;		/* never answered (17.2.1) */
	sip_token_new(tag, sizeof(tag));
	r = sip_reply_new(req, code, tag);
	if (!r)
		return -ENOMEM;
	if (retry_after) {
		snprintf(ra, sizeof(ra), "%u", retry_after);
		osip_message_set_header(r, "Retry-After", ra);
	}
	sip_response_dst(req, src, &dst);
	ret = sip_transport_send(s->tp, r, &dst);
	osip_message_free(r);
	return ret;
}

int sip_reply_stateless(struct sip *s, const osip_message_t *req,
			const struct sockaddr_storage *src, int code)
{
	return reply_stateless(s, req, src, code, 0);
}

int sip_reply_overload(struct sip *s, const osip_message_t *req,
		       const struct sockaddr_storage *src)
{
	return reply_stateless(s, req, src, 503, SIP_RETRY_AFTER_S);
}

const char *sip_ctx_state_name(enum sip_ctx_state st)
{
	switch (st) {
	case SIP_CTX_CALLING:		return "calling";
	case SIP_CTX_PROCEEDING:	return "proceeding";
	case SIP_CTX_COMPLETED:		return "completed";
	case SIP_CTX_ACCEPTED:		return "accepted";
	case SIP_CTX_TERMINATED:	return "terminated";
	}
	return "?";
}

const char *sip_stx_state_name(enum sip_stx_state st)
{
	switch (st) {
	case SIP_STX_PROCEEDING:	return "proceeding";
	case SIP_STX_COMPLETED:		return "completed";
	case SIP_STX_CONFIRMED:		return "confirmed";
	case SIP_STX_ACCEPTED:		return "accepted";
	case SIP_STX_TERMINATED:	return "terminated";
	}
	return "?";
}
