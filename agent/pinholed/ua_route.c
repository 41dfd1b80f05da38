// SPDX-License-Identifier: GPL-2.0
/*
 * ua_route.c - what comes from the network, routed to its call: requests
 * outside a transaction (a new call, a crossing INVITE of a call of ours
 * (glare), a re-INVITE or BYE in a dialog, OPTIONS and the methods we do
 * not do), the responses to our INVITEs and BYEs, the INVITE server
 * transaction's events, and pinholes the firewall lost.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <errno.h>
#include <string.h>

#include <osipparser2/osip_port.h>

#include "lib/plog.h"
#include "lib/rand.h"
#include "lib/sockaddr.h"
#include "lib/tmr.h"
#include "sip/sdp.h"
#include "sip/sip_dialog.h"
#include "sip/sip_fork.h"
#include "sip/sip_msg.h"
#include "sip/sip_transport.h"
#include "sip/sip_tx.h"
#include "glare_sip.h"
#include "refuse.h"
#include "ua_priv.h"

/* @m's SDP, the stream chosen by our --codecs; -ENOENT: no body */
static int body_sdp(const struct ua *ua, const osip_message_t *m,
		    struct sdp_stream *out)
{
	osip_body_t *b = NULL;

	osip_message_get_body(m, 0, &b);
	if (!b || !b->body)
		return -ENOENT;
	return sdp_parse_prefs(b->body, &ua->cfg.codecs, out);
}

static void ring_tmr_h(void *arg)
{
	struct ua_call *uc = arg;

	if (uc->call.state != CALL_INCOMING)
		return;
	plog(PLOG_INFO, "call %u: not answered in %u ms (--ring-timeout)",
	     uc->id, uc->ua->cfg.ring_timeout_ms);
	ua_call_run(uc, &(struct call_ev){ .type = CALL_EV_REJECT,
					   .code = 480 });
}

/* ---------------------------------------------------- SIP callbacks */

/*
 * Forking (RFC 3261 12.1, 13.2.2.4; sip_fork.h): the early dialogs of our
 * INVITE per To tag; the first 2xx confirms its own fork's dialog (the
 * call's, with its SDP), another fork's 2xx is ACKed and BYEd, a 2xx
 * retransmission ACKed again. true: the call machine sees the response
 * (the 1xx, the first 2xx), false: handled here.
 */
static bool ua_fork_response(struct ua_call *uc, const osip_message_t *resp)
{
	const char *tag = sip_msg_tag(resp->to);
	int code = resp->status_code;
	enum sip_fork_act a = sip_fork_response(&uc->forks, code, tag);

	switch (a) {
	case SIP_FORK_ACT_EARLY_NEW:
		/* the second early dialog on: the INVITE was forked */
		plog(sip_forks_count(&uc->forks) > 1 ? PLOG_INFO : PLOG_DEBUG,
		     "call %u: early dialog %u (%d) | id=%u tag=%s", uc->id,
		     sip_forks_count(&uc->forks), code, uc->id, tag);
		return true;
	case SIP_FORK_ACT_NONE:
	case SIP_FORK_ACT_EARLY:
		return code < 200;
	case SIP_FORK_ACT_CONFIRM:
		uc->uac_2xx_seen = true;
		if (sip_dialog_uac_response(&uc->uac_dlg, resp))
			plog(PLOG_WARN, "call %u: 2xx without To tag", uc->id);
		else
			plog(sip_forks_count(&uc->forks) > 1 ? PLOG_INFO :
			     PLOG_DEBUG, "call %u: dialog confirmed | id=%u "
			     "tag=%s forks=%u", uc->id, uc->id, tag,
			     sip_forks_count(&uc->forks));
		uc->uac_sdp_ok = body_sdp(uc->ua, resp, &uc->uac_sdp) == 0;
		ua_st_uac_2xx(uc, resp, false);
		return true;
	case SIP_FORK_ACT_REACK:
		ua_send_ack(uc);
		return false;
	case SIP_FORK_ACT_ACK_BYE:
	case SIP_FORK_ACT_ACK:
		ua_fork_refuse(uc, resp, a == SIP_FORK_ACT_ACK_BYE);
		return false;
	}
	return false;
}

void ua_inv_resp_h(struct sip_ctx *ct, const osip_message_t *resp,
		   int code, void *arg)
{
	struct call_ev ev = { .type = CALL_EV_UAC_FINAL };
	struct ua_call *uc = arg;

	if (ct != uc->inv)
		return;
	if (resp && code > 100 && code < 200 && !ua_100rel_uac_1xx(uc, resp))
		return;
	/* challenged: the INVITE goes on with credentials, not final */
	if (resp && (code == 401 || code == 407) &&
	    ua_inv_auth_retry(uc, resp))
		return;
	/* RFC 4028 7.4: asked again once with the larger Min-SE */
	if (resp && code == 422 && ua_st_inv_422(uc, resp))
		return;
	if (resp && code < 300 && !ua_fork_response(uc, resp))
		return;
	if (resp && code < 200) {
		ua_call_run(uc, &(struct call_ev){ .type = CALL_EV_UAC_1XX,
						   .code = code });
		return;
	}
	ev.code = code;
	ev.rnd = (uint32_t)rand_u64();
	if (resp)
		ev.tb_state = glare_sip_peer_tb((osip_message_t *)resp, &ev.tb);
	ua_call_run(uc, &ev);
}

void ua_bye_resp_h(struct sip_ctx *ct, const osip_message_t *resp,
		   int code, void *arg)
{
	struct ua_call *uc = arg;
	enum call_leg leg;

	if (code < 200)
		return;
	leg = ct == uc->bye[CALL_LEG_UAC] ? CALL_LEG_UAC : CALL_LEG_UAS;
	if (resp && (code == 401 || code == 407) &&
	    ua_bye_auth_retry(uc, leg, resp))
		return;
	ua_call_run(uc, &(struct call_ev){ .type = CALL_EV_BYE_DONE,
					   .leg = leg });
}

static void stx_resent_h(struct sip_stx *st, void *arg)
{
	struct ua_call *uc = arg;

	(void)st;
	ua_call_run(uc, &(struct call_ev){ .type = CALL_EV_UAS_RESENT });
}

static void stx_ack_h(struct sip_stx *st, const osip_message_t *ack,
		      void *arg)
{
	struct ua_call *uc = arg;
	int rc;

	(void)st;
	if (uc->uas_late && !uc->uas_sdp_ok) {
		/* our offer was in the 2xx: the answer is here, or the
		 * session has no media and ends (CA_PORT_ACTIVATE) */
		rc = body_sdp(uc->ua, ack, &uc->uas_sdp);
		uc->uas_sdp_ok = rc == 0;
		if (rc)
			plog(PLOG_WARN, "call %u: ACK %s an answer to our "
			     "offer | id=%u", uc->id, rc == -ENOENT ?
			     "without" : "with no usable", uc->id);
	}
	ua_call_run(uc, &(struct call_ev){ .type = CALL_EV_UAS_ACK });
}

static void stx_ack_timeout_h(struct sip_stx *st, void *arg)
{
	struct ua_call *uc = arg;

	(void)st;
	plog(PLOG_WARN, "call %u: no ACK for our 2xx (64*T1)", uc->id);
	ua_call_run(uc, &(struct call_ev){ .type = CALL_EV_UAS_ACK_TIMEOUT });
}

static void stx_cancel_h(struct sip_stx *st, void *arg)
{
	struct ua_call *uc = arg;

	(void)st;
	ua_call_run(uc, &(struct call_ev){ .type = CALL_EV_UAS_CANCEL,
					   .uas_2xx_held = ua_100rel_held(uc) });
}

static const struct sip_stx_handlers invite_handlers = {
	.resent = stx_resent_h,
	.ack = stx_ack_h,
	.ack_timeout = stx_ack_timeout_h,
	.cancel = stx_cancel_h,
};

/* answer a request in its own (released) server transaction */
static void reply_simple(struct ua *ua, const osip_message_t *req,
			 const struct sockaddr_storage *src, int code,
			 const char *allow)
{
	struct sip_stx *st = sip_stx_new(ua->sip, req, src, NULL, NULL);
	osip_message_t *r;
	char tag[24];

	if (!st)
		return;
	sip_token_new(tag, sizeof(tag));
	r = sip_reply_new(req, code, tag);
	if (r) {
		if (allow)
			osip_message_set_header(r, "Allow", allow);
		if (code == 200 && MSG_IS_OPTIONS(req)) {
			osip_message_set_accept(r, "application/sdp");
			ua_set_supported(ua, r);
		}
		sip_stx_reply(st, r);
	}
	if (code >= 300)
		ua->stats.sip_rejected++;
	sip_stx_release(st);
}

/* a refusal of refuse.h, in its own (released) server transaction */
static void reply_refusal(struct ua *ua, const osip_message_t *req,
			  const struct sockaddr_storage *src,
			  const struct ua_refusal *ref)
{
	struct sip_stx *st = sip_stx_new(ua->sip, req, src, NULL, NULL);
	osip_message_t *r;
	char tag[24];

	if (!st)
		return;
	sip_token_new(tag, sizeof(tag));
	r = sip_reply_new(req, ref->code, tag);
	if (r) {
		osip_free(r->reason_phrase);
		r->reason_phrase = osip_strdup(ref->reason);
		if (ref->accept)
			osip_message_set_accept(r, ref->accept);
		if (ref->accept_encoding)
			osip_message_set_accept_encoding(r,
							 ref->accept_encoding);
		if (ref->warning[0])
			osip_message_set_header(r, "Warning", ref->warning);
		if (ref->unsupported[0])
			osip_message_set_header(r, "Unsupported",
						ref->unsupported);
		sip_stx_reply(st, r);
	}
	ua->stats.sip_rejected++;
	sip_stx_release(st);
}

/* RFC 4028 9: an INVITE asking a session interval below our Min-SE */
static bool refuse_422(struct ua *ua, const osip_message_t *req,
		       const struct sockaddr_storage *src)
{
	uint32_t min_se = ua_st_uas_check(ua, req);
	struct sip_stx *st;
	osip_message_t *r;
	char tag[24];

	if (!min_se)
		return false;
	st = sip_stx_new(ua->sip, req, src, NULL, NULL);
	if (!st)
		return true;
	sip_token_new(tag, sizeof(tag));
	r = sip_reply_new(req, 422, tag);
	if (r) {
		ua_st_min_se_header(r, min_se);
		sip_stx_reply(st, r);
	}
	ua->stats.sip_rejected++;
	sip_stx_release(st);
	return true;
}

static struct ua_call *find_glare_call(struct ua *ua, const osip_message_t *req)
{
	uint64_t tb = 0;
	enum glare_peer_tb tb_state;

	/* only a call we dialed can be in glare: a gateway answering
	 * thousands of calls walks none of them for each INVITE */
	if (!ua->noutgoing)
		return NULL;
	tb_state = glare_sip_peer_tb((osip_message_t *)req, &tb);
	for (struct ua_call *uc = ua->calls; uc; uc = uc->next) {
		bool pending;

		/* one INVITE of the peer per round: a second one while the
		 * first is unanswered or accepted is another call */
		if (!uc->outgoing || uc->finished ||
		    (uc->stx && sip_stx_final(uc->stx) < 300))
			continue;
		pending = call_takes_peer_invite(&uc->call, tb_state, tb);
		if (glare_sip_is_glare((osip_message_t *)req, pending,
				     uc->peer_aor))
			return uc;
	}
	return NULL;
}

static struct ua_call *find_dialog_call(struct ua *ua, const osip_message_t *req,
					enum call_leg *leg)
{
	return ua_dialog_call(ua, req, leg);
}

static void on_invite(struct ua *ua, const osip_message_t *req,
		      const struct sockaddr_storage *src)
{
	osip_generic_param_t *totag = NULL;
	struct ua_call *uc;
	struct call_ev ev = { .type = CALL_EV_UAS_INVITE };
	char err[256], *from = NULL;
	enum call_leg leg;
	int rc;

	osip_to_get_tag(req->to, &totag);
	if (totag) {
		/* a re-INVITE: the session changed (ua_midcall.c) */
		uc = find_dialog_call(ua, req, &leg);
		if (uc)
			ua_mid_request(uc, leg, req, src);
		else
			reply_simple(ua, req, src, 481, NULL);
		return;
	}
	if (refuse_422(ua, req, src))
		return;
	uc = find_glare_call(ua, req);
	if (!uc) {
		if (!req->from->url || osip_uri_to_str(req->from->url, &from)) {
			reply_simple(ua, req, src, 400, NULL);
			return;
		}
		uc = ua_call_new(ua, false, from, src, err, sizeof(err));
		osip_free(from);
		if (!uc) {
			/* overload: answered statelessly (8.2.7), so that a
			 * flood leaves no transaction behind */
			if (!(ua->stats.calls_refused & (ua->stats.calls_refused - 1)))
				plog(PLOG_WARN, "incoming call refused: %s "
				     "(%llu so far)", err,
				     (unsigned long long)ua->stats.calls_refused);
			ua->stats.sip_rejected++;
			sip_reply_overload(ua->sip, req, src);
			return;
		}
		/* the transport let a sips: Request-URI in over TLS only
		 * (sip_check.c); our Contact follows it (RFC 5630) */
		uc->sips = req->req_uri && req->req_uri->scheme &&
			   !osip_strcasecmp(req->req_uri->scheme, "sips");
	}
	ua_uas_leg_reset(uc);
	uc->stx = sip_stx_new(ua->sip, req, src, &invite_handlers, uc);
	if (!uc->stx) {
		/* no transaction for it (out of memory, or the limits of
		 * sip_tx.h): refused statelessly, a new call closed */
		ua->stats.sip_rejected++;
		sip_reply_overload(ua->sip, req, src);
		if (!uc->outgoing) {
			ua_call_set_state(uc, CALL_CLOSED);
			uc->call.end = CALL_END_DECLINED;
			ua_call_finish(uc);
		}
		return;
	}
	rc = body_sdp(ua, req, &uc->uas_sdp);
	uc->uas_sdp_ok = rc == 0;
	/* no body: a late offer, ours goes in the 2xx (RFC 3264 4) */
	uc->uas_late = rc == -ENOENT;
	if (!uc->uas_sdp_ok && !uc->uas_late) {
		/* an offer we cannot read (unusable ones: refuse.c) */
		ua_act_answer(uc, 488);
		if (!uc->outgoing) {
			ua_call_set_state(uc, CALL_CLOSED);
			uc->call.end = CALL_END_DECLINED;
			ua_call_finish(uc);
		}
		return;
	}
	ev.tb_state = glare_sip_peer_tb((osip_message_t *)req, &ev.tb);
	if (uc->call.state == CALL_GLARE &&
	    uc->call.g.answered != GLARE_ANSWER_NONE)
		uc->in_glare = false;	/* a new round: counted again */
	ua_call_run(uc, &ev);
	if (uc->call.state == CALL_INCOMING && ua->cfg.ring_timeout_ms &&
	    !tmr_running(&uc->tmr_ring))
		tmr_start(&uc->tmr_ring, ua->cfg.ring_timeout_ms, ring_tmr_h, uc);
}

static void on_bye(struct ua *ua, const osip_message_t *req,
		   const struct sockaddr_storage *src)
{
	enum call_leg leg = CALL_LEG_NONE;
	struct ua_call *uc = find_dialog_call(ua, req, &leg);
	struct sip_dialog *d;

	if (!uc) {
		reply_simple(ua, req, src, 481, NULL);
		return;
	}
	d = leg == CALL_LEG_UAC ? &uc->uac_dlg : &uc->uas_dlg;
	if (sip_dialog_remote_cseq(d, req)) {
		reply_simple(ua, req, src, 500, NULL);
		return;
	}
	reply_simple(ua, req, src, 200, NULL);
	ua_call_run(uc, &(struct call_ev){ .type = CALL_EV_BYE, .leg = leg });
}

/* RFC 3262: the PRACK of a reliable 1xx of ours (ua_100rel.c) */
static void on_prack(struct ua *ua, const osip_message_t *req,
		     const struct sockaddr_storage *src)
{
	enum call_leg leg = CALL_LEG_NONE;
	struct ua_call *uc = find_dialog_call(ua, req, &leg);
	int code;

	if (!uc) {
		reply_simple(ua, req, src, 481, NULL);
		return;
	}
	if (sip_dialog_remote_cseq(leg == CALL_LEG_UAC ? &uc->uac_dlg :
				   &uc->uas_dlg, req)) {
		reply_simple(ua, req, src, 500, NULL);
		return;
	}
	code = ua_100rel_prack(uc, leg, req);
	reply_simple(ua, req, src, code, NULL);
	if (code == 200)
		ua_100rel_pracked(uc);
}

/* RFC 3311: in a dialog, the session changed (ua_midcall.c) */
static void on_update(struct ua *ua, const osip_message_t *req,
		      const struct sockaddr_storage *src)
{
	enum call_leg leg = CALL_LEG_NONE;
	struct ua_call *uc = find_dialog_call(ua, req, &leg);

	if (uc)
		ua_mid_request(uc, leg, req, src);
	else
		reply_simple(ua, req, src, 481, NULL);
}

static bool method_known(const char *m)
{
	static const char *const known[] = {
		"REGISTER", "PRACK", "INFO", "SUBSCRIBE", "NOTIFY",
		"REFER", "MESSAGE", "PUBLISH",
	};

	for (unsigned int i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(m, known[i]))
			return true;
	return false;
}

void ua_on_request(struct sip *s, const osip_message_t *req,
		   const struct sockaddr_storage *src, void *arg)
{
	struct ua *ua = arg;
	struct ua_refusal ref;
	enum media_addr why;
	char buf[64];

	(void)s;
	if (MSG_IS_ACK(req)) {
		plog(PLOG_DEBUG, "ACK matching nothing dropped");
		return;
	}
	if (!ua_policy_admit(ua, req, src))
		return;
	/* 8.2.1 first (405/501 below), then 8.2.2 and 8.2.3 */
	if ((MSG_IS_INVITE(req) || MSG_IS_BYE(req) || MSG_IS_OPTIONS(req) ||
	     MSG_IS_PRACK(req) || MSG_IS_UPDATE(req)) &&
	    ua_refuse(req, ua->cfg.user, sip_transport_hostport(ua->tp),
		      &ua->cfg.codecs, ua_supported(ua), &ref)) {
		reply_refusal(ua, req, src, &ref);
		return;
	}
	if (ua_refuse_media(req, src, ua_media_policy(ua), &ua->cfg.codecs,
			    sip_transport_hostport(ua->tp), &ref, &why)) {
		plog(PLOG_INFO, "INVITE from %s refused: %s in its SDP | "
		     "peer=%s", sa_str(src, buf, sizeof(buf)),
		     media_addr_name(why), buf);
		reply_refusal(ua, req, src, &ref);
		return;
	}
	if (MSG_IS_INVITE(req))
		on_invite(ua, req, src);
	else if (MSG_IS_UPDATE(req))
		on_update(ua, req, src);
	else if (MSG_IS_BYE(req))
		on_bye(ua, req, src);
	else if (MSG_IS_PRACK(req))
		on_prack(ua, req, src);
	else if (MSG_IS_OPTIONS(req))
		reply_simple(ua, req, src, 200, UA_ALLOW);
	else if (method_known(req->sip_method))
		reply_simple(ua, req, src, 405, UA_ALLOW);
	else
		reply_simple(ua, req, src, 501, UA_ALLOW);
}

/* ------------------------------------------------------- firewall events */

void ua_fw_lost(void *arg, uint64_t cookie, enum fwops_lost_reason reason)
{
	struct ua *ua = arg;

	for (struct ua_call *uc = ua->calls; uc; uc = uc->next) {
		if (uc->cookie != cookie || uc->finished)
			continue;
		plog(PLOG_WARN, "call %u: pinhole lost (%s), ending the call | "
		     "id=%u reason=%s", uc->id, fwops_lost_reason_name(reason),
		     uc->id, fwops_lost_reason_name(reason));
		ua_call_run(uc,
			    &(struct call_ev){ .type = CALL_EV_PORT_ERROR });
		return;
	}
}
