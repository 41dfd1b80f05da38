// SPDX-License-Identifier: GPL-2.0
/*
 * sip_stx.c - server transactions (RFC 3261 17.2, RFC 6026): INVITE (G,
 * H, I; 2xx retransmitted until the ACK or Timer L) and non-INVITE (J),
 * the matching of requests to them (17.2.3, and the ACK of a 2xx by its
 * dialog), retransmitted requests, ACKs and CANCEL (9.2).
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

/* of the Call-ID's number part (osip_call_id_match() compares the rest) */
static uint32_t callid_hash(const osip_message_t *m)
{
	return htab_hash_str(m->call_id && m->call_id->number ?
			     m->call_id->number : "");
}

static bool streq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* st->ids: sent-by, then Call-ID, then CSeq number */
static const char *ids_next(const char *p)
{
	return p + strlen(p) + 1;
}

static void stx_resend(struct sip_stx *st, const char *why)
{
	const char *cid = ids_next(st->ids), *cseq = ids_next(cid);
	char what[16];

	snprintf(what, sizeof(what), "%d", st->resp_code);
	sip_tx_log_retransmit(cid, cseq, st->method, what, why,
			      st->branch, &st->dst);
	sip_transport_send_buf(st->s->tp, st->resp, st->resp_len, &st->dst);
}

/* --------------------------------------------------- per-source count */

static struct sip_src *src_find(struct sip *s, const char *key)
{
	struct hnode *n;

	for (n = htab_first(&s->src_by_key, htab_hash_str(key)); n;
	     n = htab_next(n)) {
		struct sip_src *e = htab_entry(n, struct sip_src, hn);

		if (!strcmp(e->key, key))
			return e;
	}
	return NULL;
}

unsigned int sip_stx_count(const struct sip *s,
			   const struct sockaddr_storage *src)
{
	struct sip_src *e;
	char key[48];

	if (!src)
		return s->nstx;
	sip_src_key(src, key, sizeof(key));
	e = src_find((struct sip *)s, key);
	return e ? e->n : 0;
}

/* room for one more server transaction from @src (see sip_tx.h) */
static bool stx_admit(struct sip *s, const struct sockaddr_storage *src)
{
	struct sip_src *e;
	char key[48], p[64];

	if (s->nstx >= s->lim.stx_max) {
		plog_rl(PLOG_WARN, "%u server transactions already: requests "
			"answered 503 (%s)", s->nstx,
			sa_str(src, p, sizeof(p)));
		return false;
	}
	sip_src_key(src, key, sizeof(key));
	e = src_find(s, key);
	if (e && e->n >= s->lim.stx_per_src_max) {
		plog_rl(PLOG_WARN, "%u server transactions from %s already: "
			"its requests answered 503", e->n, key);
		return false;
	}
	return true;
}

static int src_hold(struct sip_stx *st, const struct sockaddr_storage *src)
{
	struct sip *s = st->s;
	struct sip_src *e;
	char key[48];

	sip_src_key(src, key, sizeof(key));
	e = src_find(s, key);
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		snprintf(e->key, sizeof(e->key), "%s", key);
		if (htab_add(&s->src_by_key, &e->hn, htab_hash_str(key))) {
			free(e);
			return -ENOMEM;
		}
	}
	e->n++;
	st->from = e;
	return 0;
}

static void src_release(struct sip_stx *st)
{
	struct sip_src *e = st->from;

	if (!e || --e->n)
		return;
	htab_del(&st->s->src_by_key, &e->hn);
	free(e);
}

/* ---------------------------------------------------------- lifetime */

static void stx_destroy(struct sip_stx *st)
{
	htab_del(&st->s->stx_by_branch, &st->hb);
	htab_del(&st->s->stx_by_callid, &st->hc);
	src_release(st);
	st->s->nstx--;
	tmr_cancel(&st->retx);
	tmr_cancel(&st->timeout);
	osip_message_free(st->req);
	free(st->ids);
	free(st->resp);
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
	const char *br = top_branch(req);
	osip_via_t *via = osip_list_get(&req->vias, 0);
	const char *cid = req->call_id && req->call_id->number ?
			  req->call_id->number : "";
	const char *cseq = req->cseq && req->cseq->number ?
			   req->cseq->number : "";
	struct sip_stx *st;
	size_t n;

	if (!stx_admit(s, src)) {
		s->stx_refused++;
		errno = EBUSY;
		return NULL;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->s = s;
	tmr_init(&st->retx);
	tmr_init(&st->timeout);
	s->nstx++;
	/* sent-by (17.2.3), Call-ID and CSeq number, "\0"-separated */
	n = (via && via->host ? strlen(via->host) : 0) + 1 +
	    (via && via->port ? strlen(via->port) : 0) + 1 + strlen(cid) + 1 +
	    strlen(cseq) + 1;
	st->ids = malloc(n);
	if (!st->ids || src_hold(st, src) ||
	    osip_message_clone(req, &st->req)) {
		stx_destroy(st);
		return NULL;
	}
	snprintf(st->ids, n, "%s:%s%c%s%c%s", via && via->host ? via->host : "",
		 via && via->port ? via->port : "", 0, cid, 0, cseq);
	st->reliable = via && via->protocol &&
		       (!strcasecmp(via->protocol, "TCP") ||
			!strcasecmp(via->protocol, "TLS"));
	st->invite = MSG_IS_INVITE(req);
	st->state = SIP_STX_PROCEEDING;
	snprintf(st->branch, sizeof(st->branch), "%s", br ? br : "");
	snprintf(st->method, sizeof(st->method), "%s", req->sip_method);
	st->src = *src;
	sip_response_dst(req, src, &st->dst);
	if (h)
		st->h = *h;
	st->arg = arg;
	/* by Call-ID: the ACK of an INVITE's 2xx only */
	if (htab_add(&s->stx_by_branch, &st->hb, htab_hash_str(st->branch)) ||
	    (st->invite &&
	     htab_add(&s->stx_by_callid, &st->hc, callid_hash(st->req)))) {
		stx_destroy(st);	/* a transaction no message could find */
		return NULL;
	}
	return st;
}

static int stx_send_resp(struct sip_stx *st, osip_message_t *resp)
{
	free(st->resp);
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
		st->retx_ms = st->s->t1;
		tmr_start(&st->retx, st->retx_ms, stx_retx_h, st);
		tmr_start(&st->timeout, SIP_TIMER_L(st->s->t1), stx_timeout_h, st);
	} else if (st->invite) {
		st->state = SIP_STX_COMPLETED;
		st->retx_ms = SIP_TIMER_G(st->s->t1);
		tmr_start(&st->retx, st->retx_ms, stx_retx_h, st);
		tmr_start(&st->timeout, SIP_TIMER_H(st->s->t1), stx_timeout_h, st);
	} else {
		st->state = SIP_STX_COMPLETED;
		/* what a retransmission needs is in resp and ids */
		osip_message_free(st->req);
		st->req = NULL;
		/* 17.2.2: Timer J is 0 on a reliable transport */
		tmr_start(&st->timeout, st->reliable ? 0 : SIP_TIMER_J(st->s->t1),
			  stx_timeout_h, st);
	}
	return ret;
}

int sip_stx_reply_code(struct sip_stx *st, int code, const char *to_tag)
{
	osip_message_t *r;

	if (!st->req)
		return -EALREADY;
	r = sip_reply_new(st->req, code, to_tag);

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
		/* Timer H: no ACK for our non-2xx (a peer's INVITE flood
		 * that never ACKs: rate-limited) */
		if (st->invite)
			plog_rl(PLOG_INFO,
				"no ACK for %d (Timer H), branch %s",
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
	osip_via_t *b = osip_list_get(&req->vias, 0);
	struct hnode *n;
	char sent_by[300];

	if (!br || strncmp(br, SIP_BRANCH_MAGIC, strlen(SIP_BRANCH_MAGIC)) ||
	    !b || !b->host)
		return NULL;
	if ((size_t)snprintf(sent_by, sizeof(sent_by), "%s:%s", b->host,
			     b->port ? b->port : "") >= sizeof(sent_by))
		return NULL;
	for (n = htab_first(&s->stx_by_branch, htab_hash_str(br)); n;
	     n = htab_next(n)) {
		struct sip_stx *st = htab_entry(n, struct sip_stx, hb);

		if (strcmp(st->branch, br) || strcasecmp(st->method, method) ||
		    strcmp(st->ids, sent_by))
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

static void stx_ack(struct sip_stx *st, const osip_message_t *ack)
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
			st->h.ack(st, ack, st->arg);
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
	if (st) {
		/* the To tag of our provisional, if we sent one */
		sip_stx_reply_code(st, 200, NULL);
		sip_stx_release(st);
	} else {
		/* beyond the limits: the INVITE is cancelled all the same */
		sip_reply_stateless(s, req, src, 200);
	}
	if (inv->state == SIP_STX_PROCEEDING && !inv->released &&
	    inv->h.cancel)
		inv->h.cancel(inv, inv->arg);
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

/* a request: to its transaction, or to the core */
void sip_tx_stx_input(struct sip *s, const osip_message_t *msg,
		      const struct sockaddr_storage *src)
{
	struct sip_stx *st;

	if (MSG_IS_ACK(msg)) {
		st = stx_match(s, msg, "INVITE");
		if (!st)
			st = stx_match_2xx_ack(s, msg);
		if (st)
			stx_ack(st, msg);
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
	if (!stx_admit(s, src)) {
		s->stx_refused++;
		sip_reply_overload(s, msg, src);
		return;
	}
	s->req_h(s, msg, src, s->arg);
}

void sip_tx_stx_free_all(struct sip *s)
{
	struct hnode *n;

	while ((n = htab_any(&s->stx_by_branch)))
		stx_destroy(htab_entry(n, struct sip_stx, hb));
}
