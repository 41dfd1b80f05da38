// SPDX-License-Identifier: GPL-2.0
/*
 * ua_100rel.c - reliable provisional responses (RFC 3262) for pinholed's
 * calls, on sip/sip_100rel.h's decisions (--100rel):
 *
 *   UAS  our 1xx to an INVITE that requires 100rel (or, "prefer", only
 *        supports it) carries Require: 100rel and RSeq and is sent again
 *        at T1, 2T1, 4T1... until its PRACK (answered 200; a PRACK that
 *        matches nothing unacknowledged 481); the 2xx waits for that
 *        PRACK (RFC 3262 3); 64*T1 without it: an unanswered INVITE is
 *        refused 500, a waiting 2xx goes (our 1xx carry no SDP: allowed);
 *        a CANCEL while the 2xx waits gets the INVITE its 487 instead
 *        (RFC 3261 9.2: it has no final response yet).
 *   UAC  a reliable 1xx to our INVITE is PRACKed in its early dialog
 *        (RAck, the dialog's next CSeq, credentials of the realms that
 *        challenged the call, a 401/407 answered), in order per To tag;
 *        a retransmitted or out-of-order one is not processed further.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/plog.h"
#include "lib/rand.h"
#include "lib/tmr.h"
#include "sip/sip_100rel.h"
#include "sip/sip_dialog.h"
#include "sip/sip_msg.h"
#include "sip/sip_tx.h"
#include "refuse.h"
#include "ua_priv.h"

struct ua_100rel {
	/* UAS: the reliable 1xx of the peer's current INVITE */
	struct sip_rel_uas uas;
	bool uas_init;
	osip_message_t *last;		/* the unacknowledged one, to resend */
	struct tmr tmr;
	int deferred;			/* a 2xx waiting for the PRACK, or 0 */
	/* UAC: the reliable 1xx of our current INVITE and our PRACK */
	struct sip_rel_uac uac;
	struct sip_ctx *prack;
	unsigned int prack_tries;
};

const char *ua_supported(const struct ua *ua)
{
	if (ua->cfg.rel100 == SIP_100REL_OFF)
		return UA_SUPPORTED;
	return *UA_SUPPORTED ? UA_SUPPORTED ", " SIP_100REL_TAG :
	       SIP_100REL_TAG;
}

void ua_set_supported(const struct ua *ua, osip_message_t *m)
{
	if (*ua_supported(ua))
		osip_message_set_header(m, "Supported", ua_supported(ua));
}

static struct ua_100rel *rel_get(struct ua_call *uc)
{
	if (!uc->rel) {
		uc->rel = calloc(1, sizeof(*uc->rel));
		if (uc->rel)
			tmr_init(&uc->rel->tmr);
	}
	return uc->rel;
}

void ua_100rel_reset_uas(struct ua_call *uc)
{
	struct ua_100rel *r = uc->rel;

	if (!r)
		return;
	tmr_cancel(&r->tmr);
	osip_message_free(r->last);
	r->last = NULL;
	r->uas_init = false;
	r->deferred = 0;
}

void ua_100rel_reset_uac(struct ua_call *uc)
{
	struct ua_100rel *r = uc->rel;

	if (!r)
		return;
	sip_rel_uac_reset(&r->uac);
	sip_ctx_release(r->prack);
	r->prack = NULL;
	r->prack_tries = 0;
}

void ua_100rel_free(struct ua_call *uc)
{
	if (!uc->rel)
		return;
	ua_100rel_reset_uas(uc);
	ua_100rel_reset_uac(uc);
	free(uc->rel);
	uc->rel = NULL;
}

/* ------------------------------------------------------------- UAS */

static void uas_send_deferred(struct ua_call *uc)
{
	int code = uc->rel->deferred;

	uc->rel->deferred = 0;
	if (code)
		ua_act_answer(uc, code);
}

static void retx_tmr_h(void *arg)
{
	struct ua_call *uc = arg;
	struct ua_100rel *r = uc->rel;
	osip_message_t *copy;
	uint32_t ms;

	if (uc->finished || !uc->stx ||
	    sip_stx_state(uc->stx) != SIP_STX_PROCEEDING) {
		r->uas.unacked = false;		/* answered otherwise */
		return;
	}
	ms = sip_rel_uas_retx(&r->uas);
	if (!ms) {
		plog(PLOG_WARN, "call %u: no PRACK for our reliable %d in "
		     "64*T1 | id=%u rseq=%u", uc->id, r->last->status_code,
		     uc->id, r->uas.rseq);
		if (r->deferred)
			uas_send_deferred(uc);
		else
			ua_call_run(uc, &(struct call_ev){
					.type = CALL_EV_REJECT, .code = 500 });
		return;
	}
	if (osip_message_clone(r->last, &copy) == 0)
		sip_stx_reply(uc->stx, copy);
	tmr_start(&r->tmr, ms, retx_tmr_h, uc);
}

int ua_100rel_provisional(struct ua_call *uc, osip_message_t *resp)
{
	const osip_message_t *inv = sip_stx_request(uc->stx);
	struct ua_100rel *r;
	char v[16];
	uint32_t rseq;
	int ms;

	if (resp->status_code <= 100 || !inv ||
	    !sip_100rel_uas_wanted(uc->ua->cfg.rel100, inv))
		return 0;
	r = rel_get(uc);
	if (!r)
		return -ENOMEM;
	if (!r->uas_init) {
		sip_rel_uas_init(&r->uas, (uint32_t)rand_u64(),
				 sip_t1(uc->ua->sip));
		r->uas_init = true;
	}
	ms = sip_rel_uas_send(&r->uas, &rseq);
	if (ms < 0)
		return ms;	/* the last one is not PRACKed yet */
	snprintf(v, sizeof(v), "%u", rseq);
	osip_message_set_header(resp, "Require", SIP_100REL_TAG);
	osip_message_set_header(resp, "RSeq", v);
	osip_message_free(r->last);
	r->last = NULL;
	if (osip_message_clone(resp, &r->last))
		return -ENOMEM;
	tmr_start(&r->tmr, (uint64_t)ms, retx_tmr_h, uc);
	plog(PLOG_INFO, "call %u: %d sent reliably | id=%u rseq=%u", uc->id,
	     resp->status_code, uc->id, rseq);
	return 0;
}

bool ua_100rel_defer(struct ua_call *uc, int code)
{
	struct ua_100rel *r = uc->rel;

	if (r && r->deferred && code >= 300) {
		/* a final refusal (487 to a CANCEL) replaces the held 2xx:
		 * it is never sent, nor is the 1xx any more */
		plog(PLOG_INFO, "call %u: %d instead of the %d that waited "
		     "for the PRACK | id=%u", uc->id, code, r->deferred,
		     uc->id);
		r->deferred = 0;
		tmr_cancel(&r->tmr);
		return false;
	}
	if (!r || !r->uas.unacked || code < 200 || code >= 300)
		return false;
	plog(PLOG_INFO, "call %u: %d waits for the PRACK of our %d | id=%u "
	     "rseq=%u", uc->id, code, r->last ? r->last->status_code : 0,
	     uc->id, r->uas.rseq);
	r->deferred = code;
	return true;
}

bool ua_100rel_held(const struct ua_call *uc)
{
	return uc->rel && uc->rel->deferred;
}

int ua_100rel_prack(struct ua_call *uc, enum call_leg leg,
		    const osip_message_t *req)
{
	const osip_message_t *inv = uc->stx ? sip_stx_request(uc->stx) : NULL;
	struct ua_100rel *r = uc->rel;
	osip_header_t *h = NULL;
	uint32_t rseq, cseq;
	char method[16];

	if (leg != CALL_LEG_UAS || !r || !inv || !inv->cseq ||
	    osip_message_header_get_byname(req, "rack", 0, &h) < 0 || !h ||
	    sip_rack_parse(h->hvalue, &rseq, &cseq, method, sizeof(method)) ||
	    sip_rel_uas_prack(&r->uas, rseq, cseq, method,
			      (uint32_t)strtoul(inv->cseq->number, NULL, 10))) {
		plog_rl(PLOG_INFO, "call %u: PRACK matching no reliable 1xx of "
		     "ours, 481 | id=%u rack=%s", uc->id, uc->id,
		     h && h->hvalue ? h->hvalue : "-");
		return 481;
	}
	tmr_cancel(&r->tmr);
	plog(PLOG_INFO, "call %u: PRACK of our %d | id=%u rseq=%u", uc->id,
	     r->last ? r->last->status_code : 0, uc->id, rseq);
	return 200;
}

void ua_100rel_pracked(struct ua_call *uc)
{
	if (uc->rel)
		uas_send_deferred(uc);
}

/* ------------------------------------------------------------- UAC */

static void prack_resp_h(struct sip_ctx *ct, const osip_message_t *resp,
			 int code, void *arg)
{
	struct ua_call *uc = arg;
	struct ua_100rel *r = uc->rel;
	uint32_t cseq;

	if (!r || ct != r->prack || code < 200)
		return;
	if (resp && (code == 401 || code == 407) && uc->uac_dlg_valid &&
	    ua_auth_retry(uc, &r->prack, &r->prack_tries, &uc->uac_dlg, resp,
			  prack_resp_h, &cseq))
		return;
	plog(code < 300 ? PLOG_DEBUG : PLOG_WARN, "call %u: PRACK answered "
	     "%d | id=%u", uc->id, code, uc->id);
}

static void send_prack(struct ua_call *uc, const osip_message_t *resp,
		       uint32_t rseq)
{
	struct ua_100rel *r = uc->rel;
	struct sip_dialog d;
	osip_message_t *req;
	char rack[SIP_RACK_LEN], *hop;

	/* the early dialog of the 1xx: its tag, route set and target */
	if (!uc->uac_dlg_valid || !resp->cseq ||
	    sip_dialog_uac_fork(&d, &uc->uac_dlg, resp))
		return;
	req = sip_dialog_request(&d, "PRACK");
	if (!req)
		goto out;
	uc->uac_dlg.local_cseq = d.local_cseq;	/* one CSeq space */
	if (sip_rack_format(rack, sizeof(rack), rseq,
			    (uint32_t)strtoul(resp->cseq->number, NULL, 10),
			    "INVITE") < 0 ||
	    osip_message_set_header(req, "RAck", rack) ||
	    ua_preauthorize(uc, req) || !(hop = sip_dialog_next_hop_uri(&d))) {
		osip_message_free(req);
		goto out;
	}
	sip_ctx_release(r->prack);
	r->prack_tries = 0;
	r->prack = sip_ctx_send_uri(uc->ua->sip, req, hop, prack_resp_h, uc);
	free(hop);
	plog(PLOG_INFO, "call %u: PRACK %s | id=%u rack=%s tag=%s", uc->id,
	     r->prack ? "sent" : "not sent", uc->id, rack, d.remote_tag);
out:
	sip_dialog_reset(&d);
}

bool ua_100rel_uac_1xx(struct ua_call *uc, const osip_message_t *resp)
{
	const char *tag = sip_msg_tag(resp->to);
	enum sip_rel_uac_act a;
	uint32_t rseq;
	int rc;

	if (uc->ua->cfg.rel100 == SIP_100REL_OFF)
		return true;
	rc = sip_100rel_rseq(resp, &rseq);
	if (rc == -ENOENT)
		return true;
	if (rc) {
		plog(PLOG_WARN, "call %u: %d requires 100rel without a valid "
		     "RSeq: ignored | id=%u", uc->id, resp->status_code,
		     uc->id);
		return false;
	}
	if (!rel_get(uc))
		return true;
	a = sip_rel_uac_response(&uc->rel->uac, tag, rseq);
	if (a == SIP_REL_PRACK)
		send_prack(uc, resp, rseq);
	else
		plog(a == SIP_REL_DROP ? PLOG_WARN : PLOG_DEBUG, "call %u: "
		     "reliable %d not PRACKed (%s) | id=%u rseq=%u tag=%s",
		     uc->id, resp->status_code, sip_rel_uac_act_name(a), uc->id,
		     rseq, tag ? tag : "-");
	return a == SIP_REL_PRACK || a == SIP_REL_DROP;
}
