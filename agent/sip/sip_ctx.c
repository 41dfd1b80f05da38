// SPDX-License-Identifier: GPL-2.0
/*
 * sip_ctx.c - client transactions (RFC 3261 17.1, RFC 6026): INVITE
 * (Timers A, B, D; 2xx passed up in Accepted until Timer M) and
 * non-INVITE (E, F, K), the ACK of a non-2xx final and CANCEL (9.1), and
 * the matching of responses to them (17.1.3).
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_port.h>

#include "lib/plog.h"
#include "lib/sockaddr.h"
#include "sip_tx_priv.h"

static int ctx_resend(struct sip_ctx *ct, const char *why)
{
	const osip_message_t *r = ct->req;

	sip_tx_log_retransmit(r->call_id ? r->call_id->number : NULL,
			      r->cseq ? r->cseq->number : NULL,
			      r->cseq ? r->cseq->method : NULL,
			      r->sip_method ? r->sip_method : "request", why,
			      ct->branch, &ct->dst);
	return sip_transport_send_buf(ct->s->tp, ct->buf, ct->len, &ct->dst);
}

/* a lookup still running is dropped: its request is never sent */
static void ctx_lookup_drop(struct sip_ctx *ct)
{
	if (!ct->lookup)
		return;
	sip_locate_cancel(ct->lookup);
	ct->lookup = NULL;
	ct->s->resolving--;
}

/* the one destructor: unlink, cancel timers, free members */
static void ctx_destroy(struct sip_ctx *ct)
{
	htab_del(&ct->s->ctx_by_branch, &ct->hb);
	ct->s->nctx--;
	ctx_lookup_drop(ct);
	tmr_cancel(&ct->retx);
	tmr_cancel(&ct->timeout);
	osip_message_free(ct->req);
	free(ct->buf);
	free(ct->host);
	free(ct);
}

static void ctx_terminate(struct sip_ctx *ct)
{
	ct->state = SIP_CTX_TERMINATED;
	ctx_lookup_drop(ct);
	tmr_cancel(&ct->retx);
	tmr_cancel(&ct->timeout);
	if (ct->released)
		ctx_destroy(ct);
}

/* report to the owner: the last use of @ct by the caller */
static void ctx_report(struct sip_ctx *ct, const osip_message_t *resp,
		       int code)
{
	if (ct->h && !ct->released)
		ct->h(ct, resp, code, ct->arg);
}

static void ctx_retx_h(void *arg);
static void ctx_timeout_h(void *arg);

/* the transaction without its first send: Via, branch, wire form */
static struct sip_ctx *ctx_new(struct sip *s, osip_message_t *req,
			       bool add_via, sip_ctx_h *h, void *arg)
{
	struct sip_ctx *ct;
	const char *br;

	/* a CANCEL (add_via false) belongs to an INVITE already counted */
	if (add_via && s->nctx >= s->lim.ctx_max) {
		s->ctx_refused++;
		plog_rl(PLOG_WARN, "%u client transactions already, %s not "
			"sent", s->nctx, req->sip_method);
		osip_message_free(req);
		errno = EBUSY;
		return NULL;
	}
	ct = calloc(1, sizeof(*ct));
	if (!ct) {
		osip_message_free(req);
		return NULL;
	}
	ct->s = s;
	ct->req = req;
	ct->h = h;
	ct->arg = arg;
	ct->invite = MSG_IS_INVITE(req);
	ct->state = SIP_CTX_CALLING;
	tmr_init(&ct->retx);
	tmr_init(&ct->timeout);
	s->nctx++;
	if (add_via && sip_transport_add_via(s->tp, req, ct->branch,
					     sizeof(ct->branch)))
		goto fail;
	br = top_branch(req);
	if (!br)
		goto fail;
	snprintf(ct->branch, sizeof(ct->branch), "%s", br);
	if (htab_add(&s->ctx_by_branch, &ct->hb, htab_hash_str(ct->branch)) ||
	    serialize(req, &ct->buf, &ct->len))
		goto fail;
	return ct;
fail:
	ctx_destroy(ct);
	return NULL;
}

static void ctx_timeout_start(struct sip_ctx *ct)
{
	uint32_t t1 = ct->s->t1;

	tmr_start(&ct->timeout, ct->invite ? SIP_TIMER_B(t1) : SIP_TIMER_F(t1),
		  ctx_timeout_h, ct);
}

/* whether the request goes over a stream (TCP, TLS): no retransmission */
static bool ctx_reliable(const struct sip_ctx *ct)
{
	return sip_transport_req_tcp(ct->s->tp, ct->req);
}

/* the first send to ct->dst; 0 or -errno */
static int ctx_first_send(struct sip_ctx *ct)
{
	if (sip_transport_send(ct->s->tp, ct->req, &ct->dst))
		return -EIO;
	/* A/E start at T1 on an unreliable transport only (17.1.1.2,
	 * 17.1.2.2); B/F bound the whole */
	ct->retx_ms = ct->invite ? SIP_TIMER_A(ct->s->t1) :
				   SIP_TIMER_E(ct->s->t1);
	if (!ctx_reliable(ct))
		tmr_start(&ct->retx, ct->retx_ms, ctx_retx_h, ct);
	return 0;
}

/* a fresh branch for the same request (RFC 3263 4.3: a new transaction
 * to the next address); 0 or -errno */
static int ctx_rebranch(struct sip_ctx *ct)
{
	osip_via_t *via = osip_list_get(&ct->req->vias, 0);

	if (via) {
		osip_list_remove(&ct->req->vias, 0);
		osip_via_free(via);
	}
	htab_del(&ct->s->ctx_by_branch, &ct->hb);
	if (sip_transport_add_via(ct->s->tp, ct->req, ct->branch,
				  sizeof(ct->branch)))
		return -ENOMEM;
	free(ct->buf);
	ct->buf = NULL;
	if (htab_add(&ct->s->ctx_by_branch, &ct->hb,
		     htab_hash_str(ct->branch)) ||
	    serialize(ct->req, &ct->buf, &ct->len))
		return -ENOMEM;
	return 0;
}

/*
 * RFC 3263 4.3: the request to the next located address, after a
 * transport error, a timeout or a 503 from the one before (a new branch,
 * Timers anew). 0, or -ENOENT when no address is left.
 */
static int ctx_next_target(struct sip_ctx *ct, const char *why)
{
	char a[64];

	while (ct->next < ct->naddrs) {
		if (ct->next) {
			sa_str(&ct->dst, a, sizeof(a));
			plog(PLOG_INFO, "%s to %s: %s, trying the next address "
			     "(%u of %u) | call=%s", ct->req->sip_method, a,
			     why, ct->next + 1, ct->naddrs,
			     sip_tx_callid(ct->req));
			tmr_cancel(&ct->retx);
			ct->state = SIP_CTX_CALLING;
			if (ctx_rebranch(ct))
				return -ENOMEM;
			ctx_timeout_start(ct);
		}
		ct->dst = ct->addrs[ct->next++];
		sip_transport_peer_name(ct->s->tp, &ct->dst, ct->host);
		if (!ctx_first_send(ct))
			return 0;
		why = "cannot send";
	}
	return -ENOENT;
}

/* whether a failure of the request may go on to the next address */
static bool ctx_can_fail_over(const struct sip_ctx *ct)
{
	return !ct->lookup && !ct->cancelled && ct->next < ct->naddrs;
}

static struct sip_ctx *ctx_start(struct sip *s, osip_message_t *req,
				 const struct sockaddr_storage *dst,
				 bool add_via, sip_ctx_h *h, void *arg)
{
	struct sip_ctx *ct = ctx_new(s, req, add_via, h, arg);

	if (!ct)
		return NULL;
	ct->dst = *dst;
	if (ctx_first_send(ct)) {
		ctx_destroy(ct);
		return NULL;
	}
	ctx_timeout_start(ct);
	return ct;
}

struct sip_ctx *sip_ctx_send(struct sip *s, osip_message_t *req,
			     const struct sockaddr_storage *dst,
			     sip_ctx_h *h, void *arg)
{
	return ctx_start(s, req, dst, true, h, arg);
}

struct sip_ctx *sip_ctx_send_targets(struct sip *s, osip_message_t *req,
				     const struct sockaddr_storage *addrs,
				     unsigned int n, sip_ctx_h *h, void *arg)
{
	struct sip_ctx *ct;

	if (!n) {
		osip_message_free(req);
		return NULL;
	}
	ct = ctx_new(s, req, true, h, arg);
	if (!ct)
		return NULL;
	ct->naddrs = n > RESOLVE_MAX_ADDRS ? RESOLVE_MAX_ADDRS : n;
	memcpy(ct->addrs, addrs, ct->naddrs * sizeof(addrs[0]));
	if (ctx_next_target(ct, NULL)) {
		ctx_destroy(ct);
		return NULL;
	}
	ctx_timeout_start(ct);
	return ct;
}

struct sip_ctx *sip_ctx_restore(struct sip *s, osip_message_t *req,
				const struct sockaddr_storage *dst,
				sip_ctx_h *h, void *arg)
{
	struct sip_ctx *ct;

	if (!MSG_IS_INVITE(req)) {
		osip_message_free(req);
		return NULL;
	}
	ct = ctx_new(s, req, false, h, arg);
	if (!ct)
		return NULL;
	ct->dst = *dst;
	ct->addrs[0] = *dst;
	ct->naddrs = ct->next = 1;
	ct->state = SIP_CTX_PROCEEDING;
	ctx_timeout_start(ct);
	return ct;
}

/* the next hop's lookup is done: the request goes out, or 503 (RFC 3263
 * 4.3: no address to try is a transport failure, 8.1.3.1) */
static void ctx_resolved(int err, const struct sockaddr_storage *addrs,
			 unsigned int n, void *arg)
{
	struct sip_ctx *ct = arg;

	ct->lookup = NULL;
	ct->s->resolving--;
	if (!err) {
		ct->naddrs = n > RESOLVE_MAX_ADDRS ? RESOLVE_MAX_ADDRS : n;
		memcpy(ct->addrs, addrs, ct->naddrs * sizeof(addrs[0]));
		if (!ctx_next_target(ct, NULL))
			return;
	}
	if (err)
		plog(PLOG_ERR, "%s not sent: cannot resolve %s: %s | call=%s "
		     "branch=%s", ct->req->sip_method, ct->host,
		     resolve_err_str(err), sip_tx_callid(ct->req), ct->branch);
	else
		plog(PLOG_ERR, "%s not sent: cannot send to %s | call=%s "
		     "branch=%s", ct->req->sip_method, ct->host,
		     sip_tx_callid(ct->req), ct->branch);
	ctx_terminate(ct);
	ctx_report(ct, NULL, 503);
}

struct sip_ctx *sip_ctx_send_uri(struct sip *s, osip_message_t *req,
				 const char *uri, sip_ctx_h *h, void *arg)
{
	struct sockaddr_storage dst;
	struct sip_ctx *ct;
	uint16_t port;
	char *host;
	int ret = sip_tx_next_hop(uri, &dst, &host, &port);

	if (ret < 0) {
		osip_message_free(req);
		return NULL;
	}
	if (ret == 0)
		return ctx_start(s, req, &dst, true, h, arg);
	ct = ctx_new(s, req, true, h, arg);
	if (!ct) {
		free(host);
		return NULL;
	}
	ct->host = host;
	ct->lookup = sip_locate_start(host, port, sip_tx_loc_tp(s, req),
				      sip_tx_family(s), ctx_resolved, ct);
	if (!ct->lookup) {
		ctx_destroy(ct);
		return NULL;
	}
	s->resolving++;
	plog(PLOG_DEBUG, "%s waits for the lookup of %s | call=%s branch=%s",
	     req->sip_method, host, sip_tx_callid(req), ct->branch);
	ctx_timeout_start(ct);
	return ct;
}

bool sip_ctx_resolving(const struct sip_ctx *ct)
{
	return ct->lookup;
}

static void ctx_retx_h(void *arg)
{
	struct sip_ctx *ct = arg;

	switch (ct->state) {
	case SIP_CTX_CALLING:
		ctx_resend(ct, ct->invite ? "Timer A" : "Timer E");
		/* A doubles without bound (17.1.1.2); E is capped at T2 */
		ct->retx_ms *= 2;
		if (!ct->invite && ct->retx_ms > SIP_T2_MS)
			ct->retx_ms = SIP_T2_MS;
		tmr_start(&ct->retx, ct->retx_ms, ctx_retx_h, ct);
		break;
	case SIP_CTX_PROCEEDING:
		if (ct->invite)
			break;
		/* non-INVITE in Proceeding: every T2 (17.1.2.2) */
		ctx_resend(ct, "Timer E");
		tmr_start(&ct->retx, SIP_T2_MS, ctx_retx_h, ct);
		break;
	case SIP_CTX_COMPLETED:
	case SIP_CTX_ACCEPTED:
	case SIP_CTX_TERMINATED:
		break;
	}
}

static void ctx_timeout_h(void *arg)
{
	struct sip_ctx *ct = arg;

	switch (ct->state) {
	case SIP_CTX_CALLING:
	case SIP_CTX_PROCEEDING:
		/* RFC 3263 4.3: no answer at all, the next address */
		if (ct->state == SIP_CTX_CALLING && ctx_can_fail_over(ct) &&
		    !ctx_next_target(ct, "timed out"))
			break;
		/* Timer B / F (or the CANCEL guard of 9.1): 408 to the TU */
		plog(PLOG_INFO, "transaction %s %s timed out", ct->branch,
		     ct->req->sip_method);
		if (ct->released) {
			ctx_terminate(ct);	/* frees it */
			break;
		}
		ctx_terminate(ct);
		ctx_report(ct, NULL, 408);
		break;
	case SIP_CTX_COMPLETED:		/* Timer D / K */
	case SIP_CTX_ACCEPTED:		/* Timer M */
		ctx_terminate(ct);
		break;
	case SIP_CTX_TERMINATED:
		break;
	}
}

static void ctx_send_ack(struct sip_ctx *ct, const osip_message_t *resp)
{
	/* 17.1.1.3: the ACK of a non-2xx final is built by the transaction */
	osip_message_t *ack = sip_msg_from_invite(ct->req, "ACK", resp->to);

	if (!ack)
		return;
	sip_transport_send(ct->s->tp, ack, &ct->dst);
	osip_message_free(ack);
}

static int ctx_send_cancel(struct sip_ctx *ct);

static void ctx_response(struct sip_ctx *ct, const osip_message_t *resp)
{
	int code = resp->status_code;

	switch (ct->state) {
	case SIP_CTX_CALLING:
	case SIP_CTX_PROCEEDING:
		if (code < 200) {
			if (ct->invite) {
				tmr_cancel(&ct->retx);
				/* Timer B guards Calling only (17.1.1.2) */
				if (!ct->cancelled)
					tmr_cancel(&ct->timeout);
			} else if (ct->state == SIP_CTX_CALLING &&
				   !ctx_reliable(ct)) {
				tmr_start(&ct->retx, SIP_T2_MS, ctx_retx_h, ct);
			}
			ct->state = SIP_CTX_PROCEEDING;
			if (ct->cancel_pending) {
				ct->cancel_pending = false;
				ctx_send_cancel(ct);
			}
			ctx_report(ct, resp, code);
			return;
		}
		tmr_cancel(&ct->retx);
		/* RFC 3263 4.3: a 503 is a failure of this address */
		if (code == 503 && ctx_can_fail_over(ct)) {
			if (ct->invite)
				ctx_send_ack(ct, resp);
			if (!ctx_next_target(ct, "503"))
				return;
		}
		if (ct->invite && code < 300) {
			ct->state = SIP_CTX_ACCEPTED;
			tmr_start(&ct->timeout, SIP_TIMER_M(ct->s->t1), ctx_timeout_h, ct);
		} else if (ct->invite) {
			ctx_send_ack(ct, resp);
			ct->state = SIP_CTX_COMPLETED;
			tmr_start(&ct->timeout, SIP_TIMER_D_MS, ctx_timeout_h, ct);
		} else {
			ct->state = SIP_CTX_COMPLETED;
			tmr_start(&ct->timeout, SIP_TIMER_K_MS, ctx_timeout_h, ct);
		}
		ctx_report(ct, resp, code);
		return;
	case SIP_CTX_COMPLETED:
		/* retransmitted final: the ACK again, nothing to the TU */
		if (ct->invite && code >= 300)
			ctx_send_ack(ct, resp);
		return;
	case SIP_CTX_ACCEPTED:
		/* RFC 6026 7.2: 2xx retransmissions go to the TU */
		if (code >= 200 && code < 300)
			ctx_report(ct, resp, code);
		return;
	case SIP_CTX_TERMINATED:
		return;
	}
}

/* 9.1: CANCEL has the INVITE's Request-URI, Call-ID, To, From, CSeq
 * number, Route and top Via (same branch), in its own transaction */
static int ctx_send_cancel(struct sip_ctx *ct)
{
	osip_message_t *c = sip_msg_from_invite(ct->req, "CANCEL", ct->req->to);

	if (!c)
		return -ENOMEM;
	ct->cancelled = true;
	/* 9.1: if no final arrives 64*T1 after the CANCEL, give up */
	tmr_start(&ct->timeout, SIP_TIMER_B(ct->s->t1), ctx_timeout_h, ct);
	ct = ctx_start(ct->s, c, &ct->dst, false, NULL, NULL);
	if (!ct)
		return -EIO;
	sip_ctx_release(ct);	/* lives on until Timer K / F */
	return 0;
}

int sip_ctx_cancel(struct sip_ctx *ct)
{
	if (!ct->invite || ct->cancelled)
		return -EINVAL;
	switch (ct->state) {
	case SIP_CTX_CALLING:
		if (ct->lookup) {
			/* never sent: nothing to CANCEL, the INVITE is over */
			plog(PLOG_INFO, "%s not sent: cancelled during the "
			     "lookup of %s | call=%s branch=%s",
			     ct->req->sip_method, ct->host,
			     sip_tx_callid(ct->req), ct->branch);
			ctx_terminate(ct);
			return -EALREADY;
		}
		ct->cancel_pending = true;	/* 9.1: wait for a 1xx */
		return 0;
	case SIP_CTX_PROCEEDING:
		return ctx_send_cancel(ct);
	case SIP_CTX_COMPLETED:
	case SIP_CTX_ACCEPTED:
	case SIP_CTX_TERMINATED:
		break;
	}
	return -EALREADY;
}

int sip_ctx_retransmit(struct sip_ctx *ct)
{
	if (ct->state != SIP_CTX_CALLING && ct->state != SIP_CTX_PROCEEDING)
		return -EALREADY;
	if (ct->lookup)
		return -EAGAIN;		/* the first send is still to come */
	return ctx_resend(ct, "asked");
}

const osip_message_t *sip_ctx_request(const struct sip_ctx *ct)
{
	return ct->req;
}

const struct sockaddr_storage *sip_ctx_dst(const struct sip_ctx *ct)
{
	return &ct->dst;
}

enum sip_ctx_state sip_ctx_state(const struct sip_ctx *ct)
{
	return ct->state;
}

void sip_ctx_release(struct sip_ctx *ct)
{
	if (!ct)
		return;
	ct->released = true;
	ct->h = NULL;
	if (ct->lookup)
		ctx_terminate(ct);	/* never sent: nothing to absorb */
	else if (ct->state == SIP_CTX_TERMINATED)
		ctx_destroy(ct);
}

static struct sip_ctx *ctx_match(struct sip *s, const osip_message_t *resp)
{
	const char *br = top_branch(resp);
	struct sip_ctx *ct;
	struct hnode *n;

	if (!br)
		return NULL;
	/* 17.1.3: branch and CSeq method */
	for (n = htab_first(&s->ctx_by_branch, htab_hash_str(br)); n;
	     n = htab_next(n)) {
		ct = htab_entry(n, struct sip_ctx, hb);
		if (!strcmp(ct->branch, br) &&
		    !strcasecmp(ct->req->sip_method, resp->cseq->method))
			return ct;
	}
	return NULL;
}

/* a response: to its transaction, or dropped */
void sip_tx_ctx_input(struct sip *s, const osip_message_t *resp)
{
	struct sip_ctx *ct = ctx_match(s, resp);

	if (ct)
		ctx_response(ct, resp);
	else
		plog(PLOG_DEBUG, "stray response %d dropped",
		     resp->status_code);
}

/* the transactions still waiting for an answer from @dst, at most @max */
static unsigned int ctx_waiting_on(struct sip *s,
				   const struct sockaddr_storage *dst,
				   struct sip_ctx **out, unsigned int max)
{
	const struct htab *t = &s->ctx_by_branch;
	unsigned int n = 0;

	for (size_t i = 0; i < t->nb && n < max; i++)
		for (struct hnode *h = t->b[i]; h && n < max; h = h->next) {
			struct sip_ctx *ct = htab_entry(h, struct sip_ctx, hb);

			if (ct->state == SIP_CTX_CALLING && !ct->lookup &&
			    sa_same_addr(&ct->dst, dst) &&
			    sa_port((const struct sockaddr *)&ct->dst) ==
			    sa_port((const struct sockaddr *)dst))
				out[n++] = ct;
		}
	return n;
}

void sip_tx_ctx_conn_failed(const struct sockaddr_storage *dst,
			    const char *why, void *arg)
{
	struct sip_ctx *cts[64];
	struct sip *s = arg;
	unsigned int n = ctx_waiting_on(s, dst, cts, 64);

	/* collected first: failing over re-keys the table */
	for (unsigned int i = 0; i < n; i++) {
		struct sip_ctx *ct = cts[i];

		if (ctx_can_fail_over(ct) && !ctx_next_target(ct, why))
			continue;
		plog(PLOG_ERR, "%s not sent: %s | call=%s branch=%s",
		     ct->req->sip_method, why, sip_tx_callid(ct->req),
		     ct->branch);
		if (ct->released) {
			ctx_terminate(ct);	/* frees it */
			continue;
		}
		ctx_terminate(ct);
		ctx_report(ct, NULL, 503);
	}
}

void sip_tx_ctx_free_all(struct sip *s)
{
	struct hnode *n;

	while ((n = htab_any(&s->ctx_by_branch)))
		ctx_destroy(htab_entry(n, struct sip_ctx, hb));
}
