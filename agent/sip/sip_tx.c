// SPDX-License-Identifier: GPL-2.0
/*
 * sip_tx.c - client and server transactions (RFC 3261 17, RFC 6026).
 *
 * Each transaction is an explicit state machine; the message handlers
 * (ctx_response, stx_request) and the timer handlers switch on its state.
 * A handler of the owner is always the last thing a function does with
 * the transaction: the owner may release it from inside.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_port.h>

#include "lib/htab.h"
#include "lib/plog.h"
#include "lib/sockaddr.h"
#include "lib/tmr.h"
#include "sip_msg.h"
#include "sip_tx.h"

#define BRANCH_LEN	64

struct sip {
	struct sip_transport *tp;
	sip_req_h *req_h;
	void *arg;
	/* the transactions, by the branch of their top Via (17.1.3,
	 * 17.2.3); server ones by Call-ID too (the ACK of a 2xx) */
	struct htab ctx_by_branch;
	struct htab stx_by_branch;
	struct htab stx_by_callid;
	unsigned int count;
};

struct sip_ctx {
	struct hnode hb;		/* s->ctx_by_branch, once sent */
	struct sip *s;
	enum sip_ctx_state state;
	bool invite;
	bool released;
	bool cancel_pending;		/* CANCEL asked before any 1xx */
	bool cancelled;
	osip_message_t *req;
	char *buf;			/* wire form, for retransmissions */
	size_t len;
	char branch[BRANCH_LEN];
	struct sockaddr_storage dst;
	struct tmr retx;		/* A or E */
	struct tmr timeout;		/* B, F; then D, K, M */
	uint32_t retx_ms;
	sip_ctx_h *h;
	void *arg;
};

struct sip_stx {
	struct hnode hb;		/* s->stx_by_branch */
	struct hnode hc;		/* s->stx_by_callid */
	struct sip *s;
	enum sip_stx_state state;
	bool invite;
	bool released;
	bool acked;			/* ACK of our 2xx seen */
	osip_message_t *req;		/* our copy */
	char branch[BRANCH_LEN];
	char method[16];
	struct sockaddr_storage src;
	struct sockaddr_storage dst;	/* where responses go */
	char *resp;			/* last response sent, wire form */
	size_t resp_len;
	int resp_code;
	char *to_tag;			/* of our 2xx: matches its ACK */
	struct tmr retx;		/* G, or the 2xx retransmissions */
	struct tmr timeout;		/* H, I, J, L */
	uint32_t retx_ms;
	struct sip_stx_handlers h;
	void *arg;
};

/* ------------------------------------------------------------- helpers */

/* of the Call-ID's number part (osip_call_id_match() compares the rest) */
static uint32_t callid_hash(const osip_message_t *m)
{
	return htab_hash_str(m->call_id && m->call_id->number ?
			     m->call_id->number : "");
}

static const char *top_branch(const osip_message_t *m)
{
	osip_via_t *via = osip_list_get(&m->vias, 0);
	osip_generic_param_t *br = NULL;

	if (!via)
		return NULL;
	osip_via_param_get_byname(via, "branch", &br);
	return br ? br->gvalue : NULL;
}

static bool streq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static int serialize(osip_message_t *m, char **buf, size_t *len)
{
	osip_message_force_update(m);
	return sip_msg_to_buf(m, buf, len);
}

/*
 * Retransmissions: the wire form again, and a line in the log (tag '.',
 * "retransmit WHAT (WHY) | call= cseq= branch= peer=") so that a ladder
 * read from the log shows what the peer saw.
 */
static void log_retransmit(const osip_message_t *req, const char *what,
			   const char *why, const char *branch,
			   const struct sockaddr_storage *dst)
{
	char p[64];

	if (!plog_enabled(PLOG_INFO))
		return;
	plog(PLOG_INFO, "retransmit %s (%s) | call=%s cseq=%s/%s branch=%s "
	     "peer=%s", what, why,
	     req->call_id && req->call_id->number ? req->call_id->number : "-",
	     req->cseq && req->cseq->number ? req->cseq->number : "-",
	     req->cseq && req->cseq->method ? req->cseq->method : "-",
	     branch, sa_str(dst, p, sizeof(p)));
}

static int ctx_resend(struct sip_ctx *ct, const char *why)
{
	log_retransmit(ct->req, ct->req->sip_method ? ct->req->sip_method :
		       "request", why, ct->branch, &ct->dst);
	return sip_transport_send_buf(ct->s->tp, ct->buf, ct->len, &ct->dst);
}

static void stx_resend(struct sip_stx *st, const char *why)
{
	char what[16];

	snprintf(what, sizeof(what), "%d", st->resp_code);
	log_retransmit(st->req, what, why, st->branch, &st->dst);
	sip_transport_send_buf(st->s->tp, st->resp, st->resp_len, &st->dst);
}

struct sip *sip_new(struct sip_transport *tp, sip_req_h *h, void *arg)
{
	struct sip *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->tp = tp;
	s->req_h = h;
	s->arg = arg;
	return s;
}

static void ctx_destroy(struct sip_ctx *ct);
static void stx_destroy(struct sip_stx *st);

void sip_free(struct sip *s)
{
	struct hnode *n;

	if (!s)
		return;
	while ((n = htab_any(&s->ctx_by_branch)))
		ctx_destroy(htab_entry(n, struct sip_ctx, hb));
	while ((n = htab_any(&s->stx_by_branch)))
		stx_destroy(htab_entry(n, struct sip_stx, hb));
	htab_free(&s->ctx_by_branch);
	htab_free(&s->stx_by_branch);
	htab_free(&s->stx_by_callid);
	free(s);
}

struct sip_transport *sip_transport(const struct sip *s)
{
	return s->tp;
}

unsigned int sip_tx_count(const struct sip *s)
{
	return s->count;
}

/* ---------------------------------------------------------- client */

/* the one destructor: unlink, cancel timers, free members */
static void ctx_destroy(struct sip_ctx *ct)
{
	htab_del(&ct->s->ctx_by_branch, &ct->hb);
	ct->s->count--;
	tmr_cancel(&ct->retx);
	tmr_cancel(&ct->timeout);
	osip_message_free(ct->req);
	osip_free(ct->buf);
	free(ct);
}

static void ctx_terminate(struct sip_ctx *ct)
{
	ct->state = SIP_CTX_TERMINATED;
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

static struct sip_ctx *ctx_start(struct sip *s, osip_message_t *req,
				 const struct sockaddr_storage *dst,
				 bool add_via, sip_ctx_h *h, void *arg)
{
	struct sip_ctx *ct = calloc(1, sizeof(*ct));
	const char *br;

	if (!ct) {
		osip_message_free(req);
		return NULL;
	}
	ct->s = s;
	ct->req = req;
	ct->dst = *dst;
	ct->h = h;
	ct->arg = arg;
	ct->invite = MSG_IS_INVITE(req);
	ct->state = SIP_CTX_CALLING;
	tmr_init(&ct->retx);
	tmr_init(&ct->timeout);
	s->count++;
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
	if (sip_transport_send(s->tp, req, dst))
		goto fail;
	/* A/E start at T1 on an unreliable transport; B/F bound the whole */
	ct->retx_ms = ct->invite ? SIP_TIMER_A_MS : SIP_TIMER_E_MS;
	tmr_start(&ct->retx, ct->retx_ms, ctx_retx_h, ct);
	tmr_start(&ct->timeout, ct->invite ? SIP_TIMER_B_MS : SIP_TIMER_F_MS,
		  ctx_timeout_h, ct);
	return ct;
fail:
	ctx_destroy(ct);
	return NULL;
}

struct sip_ctx *sip_ctx_send(struct sip *s, osip_message_t *req,
			     const struct sockaddr_storage *dst,
			     sip_ctx_h *h, void *arg)
{
	return ctx_start(s, req, dst, true, h, arg);
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
			} else if (ct->state == SIP_CTX_CALLING) {
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
		if (ct->invite && code < 300) {
			ct->state = SIP_CTX_ACCEPTED;
			tmr_start(&ct->timeout, SIP_TIMER_M_MS, ctx_timeout_h, ct);
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
	tmr_start(&ct->timeout, SIP_TIMER_B_MS, ctx_timeout_h, ct);
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
	if (ct->state == SIP_CTX_TERMINATED)
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

/* ---------------------------------------------------------- server */

static void stx_destroy(struct sip_stx *st)
{
	htab_del(&st->s->stx_by_branch, &st->hb);
	htab_del(&st->s->stx_by_callid, &st->hc);
	st->s->count--;
	tmr_cancel(&st->retx);
	tmr_cancel(&st->timeout);
	osip_message_free(st->req);
	osip_free(st->resp);
	free(st->to_tag);
	free(st);
}

static void stx_terminate(struct sip_stx *st)
{
	st->state = SIP_STX_TERMINATED;
	tmr_cancel(&st->retx);
	tmr_cancel(&st->timeout);
	if (st->released)
		stx_destroy(st);
}

static void stx_retx_h(void *arg);
static void stx_timeout_h(void *arg);

struct sip_stx *sip_stx_new(struct sip *s, const osip_message_t *req,
			    const struct sockaddr_storage *src,
			    const struct sip_stx_handlers *h, void *arg)
{
	struct sip_stx *st = calloc(1, sizeof(*st));
	const char *br = top_branch(req);

	if (!st)
		return NULL;
	if (osip_message_clone(req, &st->req)) {
		free(st);
		return NULL;
	}
	st->s = s;
	st->invite = MSG_IS_INVITE(req);
	st->state = SIP_STX_PROCEEDING;
	snprintf(st->branch, sizeof(st->branch), "%s", br ? br : "");
	snprintf(st->method, sizeof(st->method), "%s", req->sip_method);
	st->src = *src;
	sip_response_dst(req, src, &st->dst);
	if (h)
		st->h = *h;
	st->arg = arg;
	tmr_init(&st->retx);
	tmr_init(&st->timeout);
	s->count++;
	if (htab_add(&s->stx_by_branch, &st->hb, htab_hash_str(st->branch)) ||
	    htab_add(&s->stx_by_callid, &st->hc, callid_hash(st->req))) {
		stx_destroy(st);	/* a transaction no message could find */
		return NULL;
	}
	return st;
}

static int stx_send_resp(struct sip_stx *st, osip_message_t *resp)
{
	osip_free(st->resp);
	st->resp = NULL;
	if (serialize(resp, &st->resp, &st->resp_len))
		return -EINVAL;
	st->resp_code = resp->status_code;
	return sip_transport_send(st->s->tp, resp, &st->dst);
}

int sip_stx_reply(struct sip_stx *st, osip_message_t *resp)
{
	int code = resp->status_code, ret;

	if (st->state != SIP_STX_PROCEEDING) {
		osip_message_free(resp);
		return -EALREADY;
	}
	ret = stx_send_resp(st, resp);
	if (code >= 200 && code < 300 && st->invite) {
		const char *tag = sip_msg_tag(resp->to);

		free(st->to_tag);
		st->to_tag = tag ? strdup(tag) : NULL;
	}
	osip_message_free(resp);
	if (code < 200)
		return ret;
	if (st->invite && code < 300) {
		/* 13.3.1.4 / RFC 6026: 2xx again at T1, 2T1.. T2 until ACK */
		st->state = SIP_STX_ACCEPTED;
		st->retx_ms = SIP_T1_MS;
		tmr_start(&st->retx, st->retx_ms, stx_retx_h, st);
		tmr_start(&st->timeout, SIP_TIMER_L_MS, stx_timeout_h, st);
	} else if (st->invite) {
		st->state = SIP_STX_COMPLETED;
		st->retx_ms = SIP_TIMER_G_MS;
		tmr_start(&st->retx, st->retx_ms, stx_retx_h, st);
		tmr_start(&st->timeout, SIP_TIMER_H_MS, stx_timeout_h, st);
	} else {
		st->state = SIP_STX_COMPLETED;
		tmr_start(&st->timeout, SIP_TIMER_J_MS, stx_timeout_h, st);
	}
	return ret;
}

int sip_stx_reply_code(struct sip_stx *st, int code, const char *to_tag)
{
	osip_message_t *r = sip_reply_new(st->req, code, to_tag);

	if (!r)
		return -ENOMEM;
	return sip_stx_reply(st, r);
}

static void stx_retx_h(void *arg)
{
	struct sip_stx *st = arg;

	switch (st->state) {
	case SIP_STX_COMPLETED:		/* Timer G */
	case SIP_STX_ACCEPTED:		/* 2xx retransmission */
		if (st->state == SIP_STX_ACCEPTED && st->acked)
			break;
		stx_resend(st, st->state == SIP_STX_COMPLETED ? "Timer G" :
			   "2xx until ACK");
		st->retx_ms *= 2;
		if (st->retx_ms > SIP_T2_MS)
			st->retx_ms = SIP_T2_MS;
		tmr_start(&st->retx, st->retx_ms, stx_retx_h, st);
		break;
	case SIP_STX_PROCEEDING:
	case SIP_STX_CONFIRMED:
	case SIP_STX_TERMINATED:
		break;
	}
}

static void stx_timeout_h(void *arg)
{
	struct sip_stx *st = arg;
	bool no_ack;

	switch (st->state) {
	case SIP_STX_COMPLETED:
		if (st->invite)		/* Timer H: no ACK for our non-2xx */
			plog(PLOG_INFO, "no ACK for %d (Timer H), branch %s",
			     st->resp_code, st->branch);
		stx_terminate(st);	/* Timer J otherwise */
		break;
	case SIP_STX_CONFIRMED:		/* Timer I */
		stx_terminate(st);
		break;
	case SIP_STX_ACCEPTED:		/* Timer L */
		no_ack = !st->acked && !st->released && st->h.ack_timeout;
		stx_terminate(st);	/* frees it if released */
		if (no_ack)
			st->h.ack_timeout(st, st->arg);
		break;
	case SIP_STX_PROCEEDING:
	case SIP_STX_TERMINATED:
		break;
	}
}

/* 17.2.3: branch, sent-by, method (ACK matches the INVITE) */
static struct sip_stx *stx_match(struct sip *s, const osip_message_t *req,
				 const char *method)
{
	const char *br = top_branch(req);
	struct hnode *n;

	if (!br || strncmp(br, SIP_BRANCH_MAGIC, strlen(SIP_BRANCH_MAGIC)))
		return NULL;
	for (n = htab_first(&s->stx_by_branch, htab_hash_str(br)); n;
	     n = htab_next(n)) {
		struct sip_stx *st = htab_entry(n, struct sip_stx, hb);
		osip_via_t *a = osip_list_get(&st->req->vias, 0);
		osip_via_t *b = osip_list_get(&req->vias, 0);

		if (strcmp(st->branch, br) || strcasecmp(st->method, method))
			continue;
		if (!a || !b || !streq(a->host, b->host) ||
		    !(streq(a->port, b->port) || (!a->port && !b->port)))
			continue;
		return st;
	}
	return NULL;
}

/* 13.3.1.4 / 17.2.3: an ACK of our 2xx has its own branch: match it by
 * the dialog (Call-ID, tags) and the CSeq number of the INVITE */
static struct sip_stx *stx_match_2xx_ack(struct sip *s,
					 const osip_message_t *ack)
{
	struct hnode *n;

	for (n = htab_first(&s->stx_by_callid, callid_hash(ack)); n;
	     n = htab_next(n)) {
		struct sip_stx *st = htab_entry(n, struct sip_stx, hc);

		if (!st->invite || st->state != SIP_STX_ACCEPTED)
			continue;
		if (osip_call_id_match(st->req->call_id, ack->call_id) ||
		    !streq(st->req->cseq->number, ack->cseq->number) ||
		    !streq(sip_msg_tag(st->req->from), sip_msg_tag(ack->from)) ||
		    !streq(st->to_tag, sip_msg_tag(ack->to)))
			continue;
		return st;
	}
	return NULL;
}

static void stx_retransmission(struct sip_stx *st)
{
	switch (st->state) {
	case SIP_STX_PROCEEDING:
		if (st->resp)		/* the last provisional, if any */
			stx_resend(st, "request retransmitted");
		if (st->invite && !st->released && st->h.resent)
			st->h.resent(st, st->arg);
		return;
	case SIP_STX_COMPLETED:
	case SIP_STX_ACCEPTED:
		if (st->resp)
			stx_resend(st, "request retransmitted");
		return;
	case SIP_STX_CONFIRMED:
	case SIP_STX_TERMINATED:
		return;
	}
}

static void stx_ack(struct sip_stx *st)
{
	switch (st->state) {
	case SIP_STX_COMPLETED:
		st->state = SIP_STX_CONFIRMED;
		tmr_cancel(&st->retx);
		tmr_start(&st->timeout, SIP_TIMER_I_MS, stx_timeout_h, st);
		return;
	case SIP_STX_ACCEPTED:
		if (st->acked)
			return;		/* absorbed until Timer L */
		st->acked = true;
		tmr_cancel(&st->retx);
		if (!st->released && st->h.ack)
			st->h.ack(st, st->arg);
		return;
	case SIP_STX_PROCEEDING:
	case SIP_STX_CONFIRMED:
	case SIP_STX_TERMINATED:
		return;
	}
}

/* 9.2: a CANCEL matching a pending INVITE is answered 200 here */
static void stx_cancel(struct sip *s, const osip_message_t *req,
		       const struct sockaddr_storage *src)
{
	struct sip_stx *inv = stx_match(s, req, "INVITE"), *st;

	if (!inv || inv->state == SIP_STX_TERMINATED) {
		sip_reply_stateless(s, req, src, 481);
		return;
	}
	st = sip_stx_new(s, req, src, NULL, NULL);
	if (!st)
		return;
	/* the To tag of our provisional, if we sent one */
	sip_stx_reply_code(st, 200, NULL);
	sip_stx_release(st);
	if (inv->state == SIP_STX_PROCEEDING && !inv->released &&
	    inv->h.cancel)
		inv->h.cancel(inv, inv->arg);
}

void sip_input(osip_message_t *msg, const struct sockaddr_storage *src,
	       void *arg)
{
	struct sip *s = arg;
	struct sip_stx *st;
	struct sip_ctx *ct;

	if (MSG_IS_RESPONSE(msg)) {
		ct = ctx_match(s, msg);
		if (ct)
			ctx_response(ct, msg);
		else
			plog(PLOG_DEBUG, "stray response %d dropped",
			     msg->status_code);
		return;
	}
	if (MSG_IS_ACK(msg)) {
		st = stx_match(s, msg, "INVITE");
		if (!st)
			st = stx_match_2xx_ack(s, msg);
		if (st)
			stx_ack(st);
		else
			s->req_h(s, msg, src, s->arg);
		return;
	}
	st = stx_match(s, msg, msg->sip_method);
	if (st) {
		stx_retransmission(st);
		return;
	}
	if (MSG_IS_CANCEL(msg)) {
		stx_cancel(s, msg, src);
		return;
	}
	s->req_h(s, msg, src, s->arg);
}

const osip_message_t *sip_stx_request(const struct sip_stx *st)
{
	return st->req;
}

const struct sockaddr_storage *sip_stx_src(const struct sip_stx *st)
{
	return &st->src;
}

enum sip_stx_state sip_stx_state(const struct sip_stx *st)
{
	return st->state;
}

int sip_stx_final(const struct sip_stx *st)
{
	return st->resp_code >= 200 ? st->resp_code : 0;
}

void sip_stx_release(struct sip_stx *st)
{
	if (!st)
		return;
	st->released = true;
	if (st->state == SIP_STX_TERMINATED)
		stx_destroy(st);
	else if (st->state == SIP_STX_PROCEEDING && !st->resp_code)
		stx_destroy(st);	/* never answered: nothing to absorb */
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

int sip_reply_stateless(struct sip *s, const osip_message_t *req,
			const struct sockaddr_storage *src, int code)
{
	struct sockaddr_storage dst;
	osip_message_t *r;
	char tag[24];
	int ret;

	if (MSG_IS_ACK(req))
		return 0;		/* never answered (17.2.1) */
	sip_token_new(tag, sizeof(tag));
	r = sip_reply_new(req, code, tag);
	if (!r)
		return -ENOMEM;
	sip_response_dst(req, src, &dst);
	ret = sip_transport_send(s->tp, r, &dst);
	osip_message_free(r);
	return ret;
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
