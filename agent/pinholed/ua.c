// SPDX-License-Identifier: GPL-2.0
/*
 * ua.c - the user agent: SIP and user events in, call_event(), actions out.
 *
 * A call's events are processed one at a time by call_run(): it feeds the
 * event to call_event() and performs the resulting actions in order. An
 * action that fails or needs an answer from the state machine (a firewall
 * op failing, a CANCEL with nothing to cancel) posts an event to the call's
 * small queue, run after the current actions. Calls are only freed by
 * their linger timer, never inside a handler.
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

#include "lib/pjson.h"
#include "lib/plog.h"
#include "lib/rand.h"
#include "lib/tmr.h"
#include "media/media.h"
#include "sip/sdp.h"
#include "sip/sip_dialog.h"
#include "sip/sip_msg.h"
#include "sip/sip_reg.h"
#include "sip/sip_transport.h"
#include "sip/sip_tx.h"
#include "glare_sip.h"
#include "ua.h"

/* a closed call stays this long to absorb late retransmissions */
#define UA_LINGER_MS		SIP_TIMER_L_MS
#define UA_EVQ_MAX		4
#define UA_ALLOW		"INVITE, ACK, CANCEL, BYE, OPTIONS"

enum ua_glare_result {
	UA_GR_SESSION_OWN,
	UA_GR_SESSION_PEER,
	UA_GR_FAILED,
	UA_GR_RETRY,
	UA_GR__MAX,
};

static const char *const glare_result_names[UA_GR__MAX] = {
	"session-own", "session-peer", "failed", "retry",
};

static const char *const verdict_names[] = {
	[GLARE_HIGHER] = "higher", [GLARE_LOWER] = "lower",
	[GLARE_UNDECIDED] = "undecided", [GLARE_CONVENTIONAL] = "conventional",
};

struct ua_fw_counts {
	uint64_t opens, pins, activates, renews, closes, errors;
};

struct ua_call {
	struct ua_call *next;
	struct ua *ua;
	unsigned int id;
	struct call call;
	bool outgoing;			/* we dialed */
	char peer_uri[256];
	char peer_aor[256];		/* To AoR of our INVITE: glare key */
	uint64_t cookie;
	uint64_t t_start;
	struct media *media;
	struct fwops_port port;
	struct ua_fw_counts fw;

	/* the dialog of our INVITE */
	struct sip_dialog uac_dlg;
	bool uac_dlg_valid;
	struct sip_ctx *inv;
	uint32_t inv_cseq;
	bool uac_2xx_seen;
	struct sdp_stream uac_sdp;
	bool uac_sdp_ok;

	/* the dialog of the peer's INVITE */
	struct sip_dialog uas_dlg;
	bool uas_dlg_valid;
	struct sip_stx *stx;
	struct sdp_stream uas_sdp;
	bool uas_sdp_ok;

	struct sip_ctx *bye[3];		/* by enum call_leg */

	struct tmr tmr_answer;
	struct tmr tmr_ring;		/* --ring-timeout */
	struct tmr tmr_backoff;
	struct tmr tmr_glare;		/* CALL_TMR_GLARE_WAIT */
	struct tmr tmr_renew;
	struct tmr tmr_linger;

	bool in_glare;
	unsigned int crossings_seen;	/* call.crossings already counted */
	enum glare_verdict verdict;
	bool glare_done;
	enum ua_glare_result glare_result;
	bool finished;

	struct call_ev evq[UA_EVQ_MAX];
	unsigned int nevq;
	bool running;
};

struct ua_stats {
	uint64_t calls_in, calls_out;
	uint64_t outcome[CALL_END_FIREWALL + 1];
	uint64_t established;
	uint64_t glare_detected;
	uint64_t glare_verdict[GLARE_CONVENTIONAL + 1];
	uint64_t glare_result[UA_GR__MAX];
	uint64_t sip_rejected;		/* 4xx/5xx sent outside calls */
	uint64_t calls_refused;		/* --max-calls reached */
};

struct ua {
	struct ua_cfg cfg;
	struct sip_transport *tp;
	struct sip *sip;
	struct fwops *fw;
	struct ua_call *calls;
	unsigned int next_id;
	char host[64];			/* domain of our AoR */
	char local_uri[256];		/* sip:user@domain */
	char contact[256];		/* sip:user@listen */
	ua_event_h *ev_h;
	void *ev_arg;
	struct ua_stats stats;
	struct sip_reg *reg;		/* --register */
	struct ua_call **poll_calls;	/* by pollfd index, from ua_poll_fill */
	unsigned int poll_max;
};

static void call_run(struct ua_call *uc, const struct call_ev *ev);

/* ------------------------------------------------------------ helpers */

static uint64_t new_tiebreak(struct ua *ua)
{
	if (ua->cfg.tiebreak == UA_TIEBREAK_RANDOM)
		return rand_u64();
	return ua->cfg.tiebreak_id;
}

static const char *leg_name(enum call_leg l)
{
	return l == CALL_LEG_UAC ? "uac" : l == CALL_LEG_UAS ? "uas" : "-";
}

static const char *ev_name(enum call_ev_type t)
{
	static const char *const n[] = {
		[CALL_EV_DIAL] = "dial",	[CALL_EV_UAC_1XX] = "uac-1xx",
		[CALL_EV_UAC_FINAL] = "uac-final",
		[CALL_EV_UAS_INVITE] = "uas-invite",
		[CALL_EV_UAS_RESENT] = "uas-resent",
		[CALL_EV_UAS_ACK] = "uas-ack",
		[CALL_EV_UAS_ACK_TIMEOUT] = "uas-ack-timeout",
		[CALL_EV_UAS_CANCEL] = "uas-cancel",
		[CALL_EV_ANSWER] = "answer",	[CALL_EV_REJECT] = "reject",
		[CALL_EV_HANGUP] = "hangup",	[CALL_EV_BYE] = "bye",
		[CALL_EV_BYE_DONE] = "bye-done", [CALL_EV_TIMER] = "timer",
		[CALL_EV_PORT_ERROR] = "port-error",
	};

	return (unsigned int)t < sizeof(n) / sizeof(n[0]) ? n[t] : "?";
}

static struct ua_call *call_find(struct ua *ua, unsigned int id)
{
	for (struct ua_call *uc = ua->calls; uc; uc = uc->next)
		if (uc->id == id)
			return uc;
	return NULL;
}

static void post(struct ua_call *uc, const struct call_ev *ev)
{
	if (uc->nevq < UA_EVQ_MAX)
		uc->evq[uc->nevq++] = *ev;
	else
		plog(PLOG_ERR, "call %u: event queue full, %s lost", uc->id,
		     ev_name(ev->type));
}

static void event_json(struct ua_call *uc, const char *what)
{
	struct ua *ua = uc->ua;
	json_t *o;
	char *buf;

	if (!ua->ev_h)
		return;
	o = json_object();
	pj_set_str(o, "event", what);
	pj_set_u64(o, "id", uc->id);
	pj_set_str(o, "state", call_state_name(uc->call.state));
	pj_set_str(o, "peer", uc->peer_uri);
	pj_set_str(o, "direction", uc->outgoing ? "out" : "in");
	if (uc->call.state == CALL_CLOSED)
		pj_set_str(o, "end", call_end_name(uc->call.end));
	buf = pj_dumps(o);
	json_decref(o);
	if (buf)
		ua->ev_h(buf, ua->ev_arg);
	free(buf);
}

static int sdp_to_sa(const struct sdp_stream *s, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (s->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (void *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(s->port);
		return inet_pton(AF_INET6, s->addr, &s6->sin6_addr) == 1 ?
		       0 : -EINVAL;
	}
	struct sockaddr_in *s4 = (void *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons(s->port);
	return inet_pton(AF_INET, s->addr, &s4->sin_addr) == 1 ? 0 : -EINVAL;
}

static const struct sdp_stream *leg_sdp(struct ua_call *uc, enum call_leg l)
{
	if (l == CALL_LEG_UAC)
		return uc->uac_sdp_ok ? &uc->uac_sdp : NULL;
	if (l == CALL_LEG_UAS)
		return uc->uas_sdp_ok ? &uc->uas_sdp : NULL;
	return NULL;
}

static int body_sdp(const osip_message_t *m, struct sdp_stream *out)
{
	osip_body_t *b = NULL;

	osip_message_get_body(m, 0, &b);
	if (!b || !b->body)
		return -ENOENT;
	return sdp_parse(b->body, out);
}

static int attach_sdp(struct ua_call *uc, osip_message_t *m)
{
	struct sdp_stream l = { 0 };
	const struct sockaddr_storage *ss;
	char buf[1024];
	int n;

	if (!uc->media)
		return -ENODEV;
	ss = media_local(uc->media);
	l.family = ss->ss_family;
	if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr,
			  l.addr, sizeof(l.addr));
	else
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr,
			  l.addr, sizeof(l.addr));
	l.port = media_port(uc->media);
	l.pt = SDP_PT_PCMU;
	l.sess_id = uc->cookie & 0x7fffffffffffffffULL;
	n = sdp_build(buf, sizeof(buf), uc->ua->cfg.user, &l, uc->call.attempts);
	if (n < 0)
		return n;
	osip_message_set_body(m, buf, (size_t)n);
	osip_message_set_content_type(m, "application/sdp");
	return 0;
}

/* ----------------------------------------------------- firewall acts */

static void fw_failed(struct ua_call *uc, const char *op, const char *err)
{
	uc->fw.errors++;
	plog(PLOG_ERR, "call %u: firewall %s failed: %s | id=%u", uc->id, op,
	     err, uc->id);
	post(uc, &(struct call_ev){ .type = CALL_EV_PORT_ERROR });
}

/*
 * The port's leases are renewed from open to close, not only while the
 * session is up: an INVITE may wait 64*T1 for its final response and a
 * callee may ring for --ring-timeout, both longer than a short OPEN lease.
 */
static void renew_tmr_h(void *arg)
{
	struct ua_call *uc = arg;
	char err[FWOPS_ERR_LEN];

	if (uc->call.state == CALL_CLOSED)
		return;
	uc->fw.renews++;
	if (fwops_renew(uc->ua->fw, &uc->port, err, sizeof(err)))
		plog(PLOG_WARN, "call %u: firewall renew: %s", uc->id, err);
	tmr_start(&uc->tmr_renew, fwops_renew_ms(&uc->port), renew_tmr_h, uc);
}

static void renew_arm(struct ua_call *uc)
{
	tmr_start(&uc->tmr_renew, fwops_renew_ms(&uc->port), renew_tmr_h, uc);
}

static void act_port(struct ua_call *uc, const struct call_act *a)
{
	struct fwops *fw = uc->ua->fw;
	struct sockaddr_storage remote;
	const struct sdp_stream *sdp;
	char err[FWOPS_ERR_LEN] = "";

	switch (a->type) {
	case CA_PORT_OPEN:
		uc->fw.opens++;
		if (!uc->media ||
		    fwops_open(fw, &uc->port, uc->cookie,
			       (const struct sockaddr *)media_local(uc->media),
			       err, sizeof(err)))
			fw_failed(uc, "open", err);
		else
			renew_arm(uc);
		break;
	case CA_PORT_PIN:
		uc->fw.pins++;
		if (fwops_pin(fw, &uc->port, err, sizeof(err)))
			fw_failed(uc, "pin", err);
		else
			renew_arm(uc);
		break;
	case CA_PORT_ACTIVATE:
		uc->fw.activates++;
		sdp = leg_sdp(uc, a->leg);
		if (!sdp || sdp_to_sa(sdp, &remote)) {
			fw_failed(uc, "activate", "no remote media address");
			break;
		}
		if (fwops_activate(fw, &uc->port, (struct sockaddr *)&remote,
				   err, sizeof(err)))
			fw_failed(uc, "activate", err);
		else
			renew_arm(uc);
		break;
	case CA_PORT_CLOSE:
		uc->fw.closes++;
		tmr_cancel(&uc->tmr_renew);
		if (fwops_close(fw, &uc->port, err, sizeof(err)))
			plog(PLOG_WARN, "call %u: firewall close: %s", uc->id,
			     err);
		break;
	default:
		break;
	}
}

/* --------------------------------------------------------- SIP acts */

static void inv_resp_h(struct sip_ctx *ct, const osip_message_t *resp,
		       int code, void *arg);
static void bye_resp_h(struct sip_ctx *ct, const osip_message_t *resp,
		       int code, void *arg);

/* forget the peer's INVITE of an earlier round (rfc3261 back-off) */
static void uas_leg_reset(struct ua_call *uc)
{
	sip_stx_release(uc->stx);
	uc->stx = NULL;
	if (uc->uas_dlg_valid)
		sip_dialog_reset(&uc->uas_dlg);
	uc->uas_dlg_valid = false;
	uc->uas_sdp_ok = false;
}

static void act_invite(struct ua_call *uc)
{
	struct ua *ua = uc->ua;
	struct sockaddr_storage dst;
	osip_message_t *req;

	/* a retry (rfc3261 back-off) is a new INVITE in a new dialog; the
	 * peer's INVITE of the round before is over (we answered it 491) */
	if (uc->stx && sip_stx_final(uc->stx) >= 300)
		uas_leg_reset(uc);
	sip_ctx_release(uc->inv);
	uc->inv = NULL;
	if (uc->uac_dlg_valid)
		sip_dialog_reset(&uc->uac_dlg);
	uc->uac_dlg_valid = false;
	uc->uac_2xx_seen = false;
	uc->uac_sdp_ok = false;
	if (sip_dialog_uac_init(&uc->uac_dlg, ua->local_uri, uc->peer_uri,
				ua->contact, ua->cfg.proxy, ua->host))
		goto fail;
	uc->uac_dlg_valid = true;
	uc->inv_cseq = uc->uac_dlg.local_cseq;
	req = sip_dialog_request(&uc->uac_dlg, "INVITE");
	if (!req)
		goto fail;
	if (sip_msg_set_tiebreak(req, uc->call.our_tb) || attach_sdp(uc, req)) {
		osip_message_free(req);
		goto fail;
	}
	if (sip_dialog_next_hop(&uc->uac_dlg, &dst)) {
		plog(PLOG_ERR, "call %u: cannot resolve %s", uc->id,
		     uc->peer_uri);
		osip_message_free(req);
		goto fail;
	}
	uc->inv = sip_ctx_send(ua->sip, req, &dst, inv_resp_h, uc);
	if (uc->inv)
		return;
fail:
	post(uc, &(struct call_ev){ .type = CALL_EV_UAC_FINAL, .code = 503,
				    .rnd = (uint32_t)rand_u64() });
}

static void act_cancel(struct ua_call *uc)
{
	if (uc->inv && sip_ctx_cancel(uc->inv) == 0)
		return;
	/* nothing left to cancel: its final response has come or will */
	if (!uc->inv || sip_ctx_state(uc->inv) == SIP_CTX_TERMINATED)
		post(uc, &(struct call_ev){ .type = CALL_EV_UAC_FINAL,
					    .code = 487 });
}

static void send_ack(struct ua_call *uc)
{
	struct sockaddr_storage dst;
	osip_message_t *ack;

	if (!uc->uac_dlg_valid)
		return;
	ack = sip_dialog_ack(&uc->uac_dlg, uc->inv_cseq);
	if (!ack)
		return;
	if (sip_dialog_next_hop(&uc->uac_dlg, &dst) == 0)
		sip_send_stateless(uc->ua->sip, ack, &dst);
	osip_message_free(ack);
}

static void act_bye(struct ua_call *uc, enum call_leg leg)
{
	struct sip_dialog *d = leg == CALL_LEG_UAC ? &uc->uac_dlg : &uc->uas_dlg;
	bool valid = leg == CALL_LEG_UAC ? uc->uac_dlg_valid && d->remote_tag :
		     uc->uas_dlg_valid;
	struct sockaddr_storage dst;
	osip_message_t *req;

	if (!valid || !(req = sip_dialog_request(d, "BYE")))
		goto fail;
	if (sip_dialog_next_hop(d, &dst)) {
		osip_message_free(req);
		goto fail;
	}
	sip_ctx_release(uc->bye[leg]);
	uc->bye[leg] = sip_ctx_send(uc->ua->sip, req, &dst, bye_resp_h, uc);
	if (uc->bye[leg])
		return;
fail:
	post(uc, &(struct call_ev){ .type = CALL_EV_BYE_DONE, .leg = leg });
}

static void act_answer(struct ua_call *uc, int code)
{
	osip_message_t *r;
	char buf[300];

	if (!uc->stx || sip_stx_state(uc->stx) != SIP_STX_PROCEEDING) {
		plog(PLOG_DEBUG, "call %u: answer %d: no pending INVITE",
		     uc->id, code);
		return;
	}
	if (!uc->uas_dlg_valid) {
		if (sip_dialog_uas_init(&uc->uas_dlg, sip_stx_request(uc->stx),
					uc->ua->contact))
			return;
		uc->uas_dlg_valid = true;
	}
	r = sip_reply_new(sip_stx_request(uc->stx), code,
			  uc->uas_dlg.local_tag);
	if (!r)
		return;
	if (code < 300) {
		snprintf(buf, sizeof(buf), "<%s>", uc->ua->contact);
		osip_message_set_contact(r, buf);
	}
	/* a glare answer (the call has our INVITE too) says so: if it
	 * overtakes our INVITE, the peer knows ours is coming (call.h) */
	if (uc->outgoing && code >= 200 && code != 488 &&
	    sip_msg_set_tiebreak(r, uc->call.our_tb)) {
		osip_message_free(r);
		return;
	}
	if (code >= 200 && code < 300) {
		osip_message_set_header(r, "Allow", UA_ALLOW);
		if (attach_sdp(uc, r)) {
			osip_message_free(r);
			return;
		}
	}
	sip_stx_reply(uc->stx, r);
}

static void act_media(struct ua_call *uc, const struct call_act *a)
{
	struct sockaddr_storage remote;
	const struct sdp_stream *sdp;
	char err[256];

	if (!uc->media)
		return;
	if (a->type == CA_MEDIA_STOP) {
		media_stop(uc->media);
		return;
	}
	sdp = leg_sdp(uc, a->leg);
	if (!sdp || sdp_to_sa(sdp, &remote) ||
	    media_start(uc->media, (struct sockaddr *)&remote, err,
			sizeof(err)))
		plog(PLOG_ERR, "call %u: media start failed", uc->id);
}

static void answer_tmr_h(void *arg)
{
	struct ua_call *uc = arg;

	call_run(uc, &(struct call_ev){ .type = CALL_EV_TIMER,
					.timer = CALL_TMR_ANSWER });
}

static void backoff_tmr_h(void *arg)
{
	struct ua_call *uc = arg;

	call_run(uc, &(struct call_ev){ .type = CALL_EV_TIMER,
					.timer = CALL_TMR_BACKOFF,
					.tb = new_tiebreak(uc->ua) });
}

static void glare_wait_tmr_h(void *arg)
{
	struct ua_call *uc = arg;

	plog(PLOG_INFO, "call %u: the announced INVITE did not come | id=%u",
	     uc->id, uc->id);
	call_run(uc, &(struct call_ev){ .type = CALL_EV_TIMER,
					.timer = CALL_TMR_GLARE_WAIT });
}

static void act_timer(struct ua_call *uc, const struct call_act *a)
{
	struct tmr *t;
	tmr_h *fn;

	switch (a->timer) {
	case CALL_TMR_ANSWER:
		t = &uc->tmr_answer;
		fn = answer_tmr_h;
		break;
	case CALL_TMR_BACKOFF:
		t = &uc->tmr_backoff;
		fn = backoff_tmr_h;
		break;
	case CALL_TMR_GLARE_WAIT:
		t = &uc->tmr_glare;
		fn = glare_wait_tmr_h;
		break;
	default:
		return;
	}
	if (a->type == CA_TIMER_STOP) {
		tmr_cancel(t);
		return;
	}
	if (a->timer == CALL_TMR_BACKOFF)
		plog(PLOG_INFO, "call %u backoff | ms=%u", uc->id, a->ms);
	tmr_start(t, a->ms, fn, uc);
}

static void perform(struct ua_call *uc, const struct call_act *a)
{
	switch (a->type) {
	case CA_PORT_OPEN:
	case CA_PORT_PIN:
	case CA_PORT_ACTIVATE:
	case CA_PORT_CLOSE:
		act_port(uc, a);
		break;
	case CA_INVITE_SEND:
		act_invite(uc);
		break;
	case CA_INVITE_RESEND:
		if (uc->inv)
			sip_ctx_retransmit(uc->inv);
		break;
	case CA_CANCEL_SEND:
		act_cancel(uc);
		break;
	case CA_ACK_SEND:
		send_ack(uc);
		break;
	case CA_BYE_SEND:
		act_bye(uc, a->leg);
		break;
	case CA_ANSWER:
		act_answer(uc, a->code);
		break;
	case CA_MEDIA_START:
	case CA_MEDIA_STOP:
		act_media(uc, a);
		break;
	case CA_TIMER_START:
	case CA_TIMER_STOP:
		act_timer(uc, a);
		break;
	}
}

/* --------------------------------------------------------- call life */

static void call_destroy(struct ua_call *uc)
{
	struct ua_call **pp;
	char err[FWOPS_ERR_LEN];

	for (pp = &uc->ua->calls; *pp; pp = &(*pp)->next) {
		if (*pp == uc) {
			*pp = uc->next;
			break;
		}
	}
	tmr_cancel(&uc->tmr_answer);
	tmr_cancel(&uc->tmr_ring);
	tmr_cancel(&uc->tmr_backoff);
	tmr_cancel(&uc->tmr_glare);
	tmr_cancel(&uc->tmr_renew);
	tmr_cancel(&uc->tmr_linger);
	sip_ctx_release(uc->inv);
	sip_stx_release(uc->stx);
	for (unsigned int i = 0; i < 3; i++)
		sip_ctx_release(uc->bye[i]);
	if (uc->uac_dlg_valid)
		sip_dialog_reset(&uc->uac_dlg);
	if (uc->uas_dlg_valid)
		sip_dialog_reset(&uc->uas_dlg);
	fwops_close(uc->ua->fw, &uc->port, err, sizeof(err));
	media_free(uc->media);
	free(uc);
}

static void linger_tmr_h(void *arg)
{
	call_destroy(arg);
}


static void call_finish(struct ua_call *uc)
{
	struct ua *ua = uc->ua;

	uc->finished = true;
	ua->stats.outcome[uc->call.end]++;
	if (uc->media)
		media_stop(uc->media);
	tmr_cancel(&uc->tmr_renew);
	tmr_cancel(&uc->tmr_answer);
	tmr_cancel(&uc->tmr_ring);
	tmr_cancel(&uc->tmr_backoff);
	tmr_cancel(&uc->tmr_glare);
	plog(PLOG_INFO, "call %u closed | id=%u end=%s fw_opens=%llu "
	     "fw_pins=%llu fw_closes=%llu", uc->id, uc->id,
	     call_end_name(uc->call.end), (unsigned long long)uc->fw.opens,
	     (unsigned long long)uc->fw.pins,
	     (unsigned long long)uc->fw.closes);
	tmr_start(&uc->tmr_linger, UA_LINGER_MS, linger_tmr_h, uc);
}

static void glare_bookkeeping(struct ua_call *uc, enum call_state prev)
{
	struct ua_stats *st = &uc->ua->stats;
	enum call_state now = uc->call.state;
	enum ua_glare_result r;

	if (now == CALL_GLARE && !uc->in_glare) {
		uc->in_glare = true;
		uc->verdict = glare_compare(&uc->call.g);
		st->glare_detected++;
		st->glare_verdict[uc->verdict]++;
		plog(PLOG_INFO, "call %u glare | id=%u verdict=%s our_tb=%llu "
		     "peer_tb=%llu", uc->id, uc->id, verdict_names[uc->verdict],
		     (unsigned long long)uc->call.g.our_tb,
		     (unsigned long long)uc->call.g.peer_tb);
	}
	if (uc->call.crossings != uc->crossings_seen) {
		/* announced glare, 2xx first: resolved by the higher peer
		 * before we saw its INVITE; we were the lower side */
		uc->crossings_seen = uc->call.crossings;
		st->glare_detected++;
		st->glare_verdict[GLARE_LOWER]++;
		st->glare_result[UA_GR_SESSION_OWN]++;
		uc->verdict = GLARE_LOWER;
		uc->glare_done = true;
		uc->glare_result = UA_GR_SESSION_OWN;
		plog(PLOG_INFO, "call %u glare | id=%u verdict=%s our_tb=%llu "
		     "peer_tb=%llu announced=2xx", uc->id, uc->id,
		     verdict_names[GLARE_LOWER],
		     (unsigned long long)uc->call.our_tb,
		     (unsigned long long)uc->call.crossing_tb);
		plog(PLOG_INFO, "call %u glare-resolved | id=%u result=%s",
		     uc->id, uc->id, glare_result_names[UA_GR_SESSION_OWN]);
	}
	if (prev != CALL_GLARE || now == CALL_GLARE)
		return;
	if (now == CALL_ESTABLISHED)
		r = uc->call.leg == CALL_LEG_UAC ? UA_GR_SESSION_OWN :
		    UA_GR_SESSION_PEER;
	else if (now == CALL_ANSWERED)
		r = UA_GR_SESSION_PEER;
	else if (now == CALL_BACKOFF)
		r = UA_GR_RETRY;
	else if (now == CALL_OUTGOING)
		return;		/* the peer cancelled its INVITE */
	else
		r = UA_GR_FAILED;
	uc->glare_done = true;
	uc->glare_result = r;
	uc->in_glare = false;
	st->glare_result[r]++;
	plog(PLOG_INFO, "call %u glare-resolved | id=%u result=%s", uc->id,
	     uc->id, glare_result_names[r]);
}

static void acts_str(const struct call_acts *o, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = 0;
	for (unsigned int i = 0; i < o->n && n < size; i++) {
		const struct call_act *a = &o->a[i];
		int k;

		if (a->type == CA_ANSWER)
			k = snprintf(buf + n, size - n, "%s%s/%d", i ? "," : "",
				     call_act_name(a->type), a->code);
		else if (a->leg != CALL_LEG_NONE)
			k = snprintf(buf + n, size - n, "%s%s/%s", i ? "," : "",
				     call_act_name(a->type), leg_name(a->leg));
		else
			k = snprintf(buf + n, size - n, "%s%s", i ? "," : "",
				     call_act_name(a->type));
		if (k < 0)
			break;
		n += (size_t)k;
	}
	if (!buf[0])
		snprintf(buf, size, "-");
}

static void call_run_one(struct ua_call *uc, const struct call_ev *ev)
{
	enum call_state prev = uc->call.state;
	struct call_acts acts;
	char as[512];

	if (call_event(&uc->call, ev, &acts)) {
		plog(PLOG_DEBUG, "call %u: %s ignored in state %s", uc->id,
		     ev_name(ev->type), call_state_name(prev));
		return;
	}
	acts_str(&acts, as, sizeof(as));
	plog(PLOG_INFO, "call %u %s -> %s | id=%u ev=%s code=%d acts=%s",
	     uc->id, call_state_name(prev), call_state_name(uc->call.state),
	     uc->id, ev_name(ev->type), ev->code, as);
	for (unsigned int i = 0; i < acts.n; i++)
		perform(uc, &acts.a[i]);
	glare_bookkeeping(uc, prev);
	if (uc->call.state == CALL_ESTABLISHED && prev != CALL_ESTABLISHED)
		uc->ua->stats.established++;
	if (prev != uc->call.state)
		event_json(uc, "state");
	if (uc->call.state == CALL_CLOSED && !uc->finished)
		call_finish(uc);
}

static void call_run(struct ua_call *uc, const struct call_ev *ev)
{
	if (uc->running) {		/* from inside an action */
		post(uc, ev);
		return;
	}
	uc->running = true;
	call_run_one(uc, ev);
	while (uc->nevq) {
		struct call_ev next = uc->evq[0];

		memmove(uc->evq, uc->evq + 1, --uc->nevq * sizeof(uc->evq[0]));
		call_run_one(uc, &next);
	}
	uc->running = false;
}

/* finished calls linger (their late retransmissions); beyond @keep calls
 * in the list the oldest finished ones go at once: memory and media
 * ports stay bounded under a flood */
static void evict_finished(struct ua *ua, unsigned int keep)
{
	for (;;) {
		struct ua_call *old = NULL;
		unsigned int n = 0;

		for (struct ua_call *uc = ua->calls; uc; uc = uc->next) {
			n++;
			if (uc->finished)
				old = uc;	/* newest first: the last wins */
		}
		if (n < keep || !old)
			return;
		call_destroy(old);
	}
}

static void ring_tmr_h(void *arg)
{
	struct ua_call *uc = arg;

	if (uc->call.state != CALL_INCOMING)
		return;
	plog(PLOG_INFO, "call %u: not answered in %u ms (--ring-timeout)",
	     uc->id, uc->ua->cfg.ring_timeout_ms);
	call_run(uc, &(struct call_ev){ .type = CALL_EV_REJECT, .code = 480 });
}

static struct ua_call *call_new(struct ua *ua, bool outgoing,
				const char *peer_uri, char *err, size_t errlen)
{
	struct ua_call *uc;
	osip_uri_t *u = NULL;
	unsigned int max = ua->cfg.max_calls ? ua->cfg.max_calls :
			   UA_MAX_CALLS_DEFAULT;

	evict_finished(ua, 4 * max);
	if (ua_active_calls(ua) >= max) {
		snprintf(err, errlen, "%u calls already (--max-calls)", max);
		ua->stats.calls_refused++;
		return NULL;
	}
	uc = calloc(1, sizeof(*uc));
	if (!uc) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	uc->ua = ua;
	uc->outgoing = outgoing;
	snprintf(uc->peer_uri, sizeof(uc->peer_uri), "%s", peer_uri);
	if (osip_uri_init(&u) == 0 && osip_uri_parse(u, peer_uri) == 0)
		sip_uri_aor(u, uc->peer_aor, sizeof(uc->peer_aor));
	osip_uri_free(u);
	call_init(&uc->call, &ua->cfg.call);
	do
		uc->cookie = rand_u64();
	while (!uc->cookie);
	uc->t_start = tmr_now();
	tmr_init(&uc->tmr_answer);
	tmr_init(&uc->tmr_ring);
	tmr_init(&uc->tmr_backoff);
	tmr_init(&uc->tmr_glare);
	tmr_init(&uc->tmr_renew);
	tmr_init(&uc->tmr_linger);
	/* the media port is bound first: it is the port the SDP offers and
	 * the pinhole opens (S61) */
	uc->media = media_new((const struct sockaddr *)sip_transport_local(ua->tp),
			      ua->cfg.media_lo, ua->cfg.media_hi,
			      ua->cfg.media_source, err, errlen);
	if (!uc->media) {
		free(uc);
		return NULL;
	}
	uc->id = ++ua->next_id;
	uc->next = ua->calls;
	ua->calls = uc;
	if (outgoing)
		ua->stats.calls_out++;
	else
		ua->stats.calls_in++;
	return uc;
}

/* ---------------------------------------------------- SIP callbacks */

static void inv_resp_h(struct sip_ctx *ct, const osip_message_t *resp,
		       int code, void *arg)
{
	struct call_ev ev = { .type = CALL_EV_UAC_FINAL };
	struct ua_call *uc = arg;

	if (ct != uc->inv)
		return;
	if (resp && code < 200) {
		osip_generic_param_t *tag = NULL;

		osip_to_get_tag(resp->to, &tag);
		if (tag)
			sip_dialog_uac_response(&uc->uac_dlg, resp);
		call_run(uc, &(struct call_ev){ .type = CALL_EV_UAC_1XX,
						.code = code });
		return;
	}
	if (resp && code < 300) {
		if (uc->uac_2xx_seen) {
			/* 13.2.2.4: a retransmitted 2xx is ACKed again by
			 * the TU; another fork's 2xx is not handled */
			osip_generic_param_t *tag = NULL;

			osip_to_get_tag(resp->to, &tag);
			if (tag && uc->uac_dlg.remote_tag &&
			    !strcmp(tag->gvalue, uc->uac_dlg.remote_tag))
				send_ack(uc);
			return;
		}
		uc->uac_2xx_seen = true;
		if (sip_dialog_uac_response(&uc->uac_dlg, resp))
			plog(PLOG_WARN, "call %u: 2xx without To tag", uc->id);
		uc->uac_sdp_ok = body_sdp(resp, &uc->uac_sdp) == 0;
	}
	ev.code = code;
	ev.rnd = (uint32_t)rand_u64();
	if (resp)
		ev.tb_state = glare_sip_peer_tb((osip_message_t *)resp, &ev.tb);
	call_run(uc, &ev);
}

static void bye_resp_h(struct sip_ctx *ct, const osip_message_t *resp,
		       int code, void *arg)
{
	struct ua_call *uc = arg;
	enum call_leg leg;

	(void)resp;
	if (code < 200)
		return;
	leg = ct == uc->bye[CALL_LEG_UAC] ? CALL_LEG_UAC : CALL_LEG_UAS;
	call_run(uc, &(struct call_ev){ .type = CALL_EV_BYE_DONE, .leg = leg });
}

static void stx_resent_h(struct sip_stx *st, void *arg)
{
	struct ua_call *uc = arg;

	(void)st;
	call_run(uc, &(struct call_ev){ .type = CALL_EV_UAS_RESENT });
}

static void stx_ack_h(struct sip_stx *st, void *arg)
{
	struct ua_call *uc = arg;

	(void)st;
	call_run(uc, &(struct call_ev){ .type = CALL_EV_UAS_ACK });
}

static void stx_ack_timeout_h(struct sip_stx *st, void *arg)
{
	struct ua_call *uc = arg;

	(void)st;
	plog(PLOG_WARN, "call %u: no ACK for our 2xx (64*T1)", uc->id);
	call_run(uc, &(struct call_ev){ .type = CALL_EV_UAS_ACK_TIMEOUT });
}

static void stx_cancel_h(struct sip_stx *st, void *arg)
{
	struct ua_call *uc = arg;

	(void)st;
	call_run(uc, &(struct call_ev){ .type = CALL_EV_UAS_CANCEL });
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
		if (code == 200 && MSG_IS_OPTIONS(req))
			osip_message_set_accept(r, "application/sdp");
		sip_stx_reply(st, r);
	}
	if (code >= 300)
		ua->stats.sip_rejected++;
	sip_stx_release(st);
}

static struct ua_call *find_glare_call(struct ua *ua, const osip_message_t *req)
{
	uint64_t tb = 0;
	enum glare_peer_tb tb_state = glare_sip_peer_tb((osip_message_t *)req,
							&tb);

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
	for (struct ua_call *uc = ua->calls; uc; uc = uc->next) {
		if (uc->uac_dlg_valid && uc->uac_dlg.remote_tag &&
		    sip_dialog_match(&uc->uac_dlg, req)) {
			*leg = CALL_LEG_UAC;
			return uc;
		}
		if (uc->uas_dlg_valid && sip_dialog_match(&uc->uas_dlg, req)) {
			*leg = CALL_LEG_UAS;
			return uc;
		}
	}
	return NULL;
}

static void on_invite(struct ua *ua, const osip_message_t *req,
		      const struct sockaddr_storage *src)
{
	osip_generic_param_t *totag = NULL;
	struct ua_call *uc;
	struct call_ev ev = { .type = CALL_EV_UAS_INVITE };
	char err[256], *from = NULL;
	enum call_leg leg;

	osip_to_get_tag(req->to, &totag);
	if (totag) {
		/* a re-INVITE: sessions are not modified (no hold, no
		 * codec change) - refuse the offer, keep the dialog */
		reply_simple(ua, req, src,
			     find_dialog_call(ua, req, &leg) ? 488 : 481, NULL);
		return;
	}
	uc = find_glare_call(ua, req);
	if (!uc) {
		if (!req->from->url || osip_uri_to_str(req->from->url, &from)) {
			reply_simple(ua, req, src, 400, NULL);
			return;
		}
		uc = call_new(ua, false, from, err, sizeof(err));
		osip_free(from);
		if (!uc) {
			/* overload: answered statelessly (8.2.7), so that a
			 * flood leaves no transaction behind */
			if (!(ua->stats.calls_refused & (ua->stats.calls_refused - 1)))
				plog(PLOG_WARN, "incoming call refused: %s "
				     "(%llu so far)", err,
				     (unsigned long long)ua->stats.calls_refused);
			ua->stats.sip_rejected++;
			sip_reply_stateless(ua->sip, req, src, 503);
			return;
		}
	}
	uas_leg_reset(uc);
	uc->stx = sip_stx_new(ua->sip, req, src, &invite_handlers, uc);
	if (!uc->stx)
		return;
	uc->uas_sdp_ok = body_sdp(req, &uc->uas_sdp) == 0;
	if (!uc->uas_sdp_ok) {
		/* offer/answer (RFC 3264) needs the offer in the INVITE */
		act_answer(uc, 488);
		if (!uc->outgoing) {
			uc->call.state = CALL_CLOSED;
			uc->call.end = CALL_END_DECLINED;
			call_finish(uc);
		}
		return;
	}
	ev.tb_state = glare_sip_peer_tb((osip_message_t *)req, &ev.tb);
	if (uc->call.state == CALL_GLARE &&
	    uc->call.g.answered != GLARE_ANSWER_NONE)
		uc->in_glare = false;	/* a new round: counted again */
	call_run(uc, &ev);
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
	call_run(uc, &(struct call_ev){ .type = CALL_EV_BYE, .leg = leg });
}

static bool method_known(const char *m)
{
	static const char *const known[] = {
		"REGISTER", "PRACK", "UPDATE", "INFO", "SUBSCRIBE", "NOTIFY",
		"REFER", "MESSAGE", "PUBLISH",
	};

	for (unsigned int i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(m, known[i]))
			return true;
	return false;
}

static void on_request(struct sip *s, const osip_message_t *req,
		       const struct sockaddr_storage *src, void *arg)
{
	struct ua *ua = arg;

	(void)s;
	if (MSG_IS_ACK(req)) {
		plog(PLOG_DEBUG, "ACK matching nothing dropped");
		return;
	}
	if (MSG_IS_INVITE(req))
		on_invite(ua, req, src);
	else if (MSG_IS_BYE(req))
		on_bye(ua, req, src);
	else if (MSG_IS_OPTIONS(req))
		reply_simple(ua, req, src, 200, UA_ALLOW);
	else if (method_known(req->sip_method))
		reply_simple(ua, req, src, 405, UA_ALLOW);
	else
		reply_simple(ua, req, src, 501, UA_ALLOW);
}

/* ------------------------------------------------------- firewall events */

static void fw_lost(void *arg, uint64_t cookie, enum fwops_lost_reason reason)
{
	struct ua *ua = arg;

	for (struct ua_call *uc = ua->calls; uc; uc = uc->next) {
		if (uc->cookie != cookie || uc->finished)
			continue;
		plog(PLOG_WARN, "call %u: pinhole lost (%s), ending the call | "
		     "id=%u reason=%s", uc->id, fwops_lost_reason_name(reason),
		     uc->id, fwops_lost_reason_name(reason));
		call_run(uc, &(struct call_ev){ .type = CALL_EV_PORT_ERROR });
		return;
	}
}

/* ------------------------------------------------------------ public */

struct ua *ua_new(const struct ua_cfg *cfg, struct fwops *fw, char *err,
		  size_t errlen)
{
	struct ua *ua = calloc(1, sizeof(*ua));

	if (!ua) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ua->cfg = *cfg;
	ua->fw = fw;
	ua->tp = sip_transport_new_mode(cfg->listen, cfg->transport ?
					cfg->transport : SIP_TP_UDP,
					sip_input, NULL, err, errlen);
	if (!ua->tp)
		goto fail;
	ua->sip = sip_new(ua->tp, on_request, ua);
	if (!ua->sip) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* the transport hands every message to the transaction layer */
	sip_transport_set_handler(ua->tp, sip_input, ua->sip);
	if (cfg->domain) {
		snprintf(ua->host, sizeof(ua->host), "%s", cfg->domain);
	} else {
		const char *hp = sip_transport_hostport(ua->tp);

		snprintf(ua->host, sizeof(ua->host), "%s", hp);
	}
	snprintf(ua->local_uri, sizeof(ua->local_uri), "sip:%s@%s", cfg->user,
		 ua->host);
	snprintf(ua->contact, sizeof(ua->contact), "sip:%s@%s%s", cfg->user,
		 sip_transport_hostport(ua->tp),
		 sip_transport_uri_params(ua->tp));
	if (cfg->do_register) {
		ua->reg = sip_reg_new(ua->sip, ua->local_uri, cfg->proxy,
				      ua->contact, cfg->user, cfg->password,
				      cfg->register_expires, ua->host);
		if (!ua->reg) {
			snprintf(err, errlen, "cannot register %s with %s",
				 ua->local_uri, cfg->proxy ? cfg->proxy : "-");
			goto fail;
		}
	}
	plog(PLOG_INFO, "listening on %s as %s (glare %s, firewall %s)",
	     sip_transport_hostport(ua->tp), ua->local_uri,
	     glare_mode_name(cfg->call.mode), fwops_name(fw));
	if (sip_transport_mode(ua->tp) != SIP_TP_UDP)
		plog(PLOG_INFO, "transport %s: SIP over %s on port %u",
		     sip_tp_mode_name(sip_transport_mode(ua->tp)),
		     sip_transport_mode(ua->tp) == SIP_TP_TCP ? "TCP" :
		     "UDP and TCP", ntohs(((const struct sockaddr_in *)
					   sip_transport_local(ua->tp))->sin_port));
	return ua;
fail:
	ua_free(ua);
	return NULL;
}

void ua_free(struct ua *ua)
{
	if (!ua)
		return;
	while (ua->calls)
		call_destroy(ua->calls);
	sip_reg_free(ua->reg);
	sip_free(ua->sip);
	sip_transport_free(ua->tp);
	free(ua->poll_calls);
	free(ua);
}

void ua_set_event_handler(struct ua *ua, ua_event_h *h, void *arg)
{
	ua->ev_h = h;
	ua->ev_arg = arg;
}

unsigned int ua_poll_fill(struct ua *ua, struct pollfd *pfd, unsigned int max)
{
	unsigned int n = 0;
	int fd;

	if (ua->poll_max < max) {
		free(ua->poll_calls);
		ua->poll_calls = calloc(max, sizeof(*ua->poll_calls));
		ua->poll_max = ua->poll_calls ? max : 0;
	}
	if (!ua->poll_calls || max < 2)
		return 0;
	pfd[n] = (struct pollfd){ .fd = sip_transport_fd(ua->tp),
				  .events = POLLIN };
	ua->poll_calls[n++] = NULL;
	fd = fwops_event_fd(ua->fw);
	pfd[n] = (struct pollfd){ .fd = fd, .events = POLLIN };
	ua->poll_calls[n++] = NULL;
	for (struct ua_call *uc = ua->calls; uc && n < max; uc = uc->next) {
		if (!uc->media)
			continue;
		pfd[n] = (struct pollfd){ .fd = media_fd(uc->media),
					  .events = POLLIN };
		ua->poll_calls[n++] = uc;
	}
	return n;
}

void ua_poll_handle(struct ua *ua, const struct pollfd *pfd, unsigned int n)
{
	for (unsigned int i = 2; i < n; i++)
		if (pfd[i].revents & POLLIN && ua->poll_calls[i]->media)
			media_on_readable(ua->poll_calls[i]->media);
	if (n > 1 && pfd[1].fd >= 0 && pfd[1].revents)
		fwops_event_dispatch(ua->fw, fw_lost, ua);
	if (n > 0 && pfd[0].revents & POLLIN)
		sip_transport_on_readable(ua->tp);
}

int ua_media_timeout(struct ua *ua)
{
	uint64_t now = tmr_now();
	int64_t best = -1;

	for (struct ua_call *uc = ua->calls; uc; uc = uc->next) {
		int64_t ms;

		if (!uc->media)
			continue;
		ms = media_next_ms(uc->media, now);
		if (ms >= 0 && (best < 0 || ms < best))
			best = ms;
	}
	return best > 1000 ? 1000 : (int)best;
}

void ua_media_tick(struct ua *ua)
{
	uint64_t now = tmr_now();

	for (struct ua_call *uc = ua->calls; uc; uc = uc->next)
		if (uc->media && media_next_ms(uc->media, now) == 0)
			media_tick(uc->media, now);
}

/* an incoming call from @uri's AoR that rings (not answered yet) */
static struct ua_call *find_ringing_call(struct ua *ua, const char *uri)
{
	osip_uri_t *u = NULL;
	char aor[sizeof(ua->calls->peer_aor)];
	bool ok;

	ok = osip_uri_init(&u) == 0 && osip_uri_parse(u, uri) == 0 &&
	     sip_uri_aor(u, aor, sizeof(aor)) == 0;
	osip_uri_free(u);
	if (!ok)
		return NULL;
	for (struct ua_call *uc = ua->calls; uc; uc = uc->next)
		if (!uc->outgoing && !uc->finished &&
		    uc->call.state == CALL_INCOMING &&
		    glare_detect(true, aor, uc->peer_aor))
			return uc;
	return NULL;
}

int ua_dial(struct ua *ua, const char *uri, unsigned int *id, char *err,
	    size_t errlen)
{
	char full[256];
	struct ua_call *uc;
	osip_uri_t *u = NULL;
	bool ok;

	if (strncmp(uri, "sip:", 4))
		snprintf(full, sizeof(full), "sip:%s", uri);
	else
		snprintf(full, sizeof(full), "%s", uri);
	ok = osip_uri_init(&u) == 0 && osip_uri_parse(u, full) == 0 &&
	     u->host && u->username;
	osip_uri_free(u);
	if (!ok) {
		snprintf(err, errlen, "bad SIP URI '%s' (sip:user@host[:port])",
			 uri);
		return -EINVAL;
	}
	uc = find_ringing_call(ua, full);
	if (uc) {
		/* its INVITE came before ours was sent: no crossing, no
		 * glare; the call the user wants is this one */
		plog(PLOG_INFO, "call %u: dialing %s, whose call is ringing: "
		     "answering it", uc->id, full);
		*id = uc->id;
		call_run(uc, &(struct call_ev){ .type = CALL_EV_DIAL });
		return 0;
	}
	uc = call_new(ua, true, full, err, errlen);
	if (!uc)
		return -ENOMEM;
	*id = uc->id;
	call_run(uc, &(struct call_ev){ .type = CALL_EV_DIAL,
					.tb = new_tiebreak(ua) });
	return 0;
}

static int user_event(struct ua *ua, unsigned int id, struct call_ev ev)
{
	struct ua_call *uc = call_find(ua, id);
	struct call saved;
	struct call_acts probe;

	if (!uc)
		return -ENOENT;
	/* try it on a copy first: the user learns whether it applied */
	saved = uc->call;
	if (call_event(&saved, &ev, &probe))
		return -EINVAL;
	call_run(uc, &ev);
	return 0;
}

int ua_answer(struct ua *ua, unsigned int id)
{
	return user_event(ua, id, (struct call_ev){ .type = CALL_EV_ANSWER });
}

int ua_reject(struct ua *ua, unsigned int id, int code)
{
	if (code && (code < 300 || code > 699))
		return -EINVAL;
	return user_event(ua, id, (struct call_ev){ .type = CALL_EV_REJECT,
						    .code = code ? code : 486 });
}

int ua_hangup(struct ua *ua, unsigned int id)
{
	struct ua_call *uc = call_find(ua, id);

	if (!uc)
		return -ENOENT;
	if (uc->finished)
		return -EALREADY;
	call_run(uc, &(struct call_ev){ .type = CALL_EV_HANGUP });
	return 0;
}

void ua_hangup_all(struct ua *ua)
{
	for (struct ua_call *uc = ua->calls; uc; uc = uc->next)
		if (!uc->finished)
			call_run(uc, &(struct call_ev){ .type = CALL_EV_HANGUP });
}

unsigned int ua_active_calls(const struct ua *ua)
{
	unsigned int n = 0;

	for (const struct ua_call *uc = ua->calls; uc; uc = uc->next)
		n += !uc->finished;
	return n;
}

void ua_calls_json(struct ua *ua, json_t *reply)
{
	json_t *calls = json_array();

	for (struct ua_call *uc = ua->calls; uc; uc = uc->next) {
		struct media_stats ms = { 0 };
		json_t *o = json_object(), *g, *fw, *m;

		if (uc->media)
			media_get_stats(uc->media, &ms);
		pj_set_u64(o, "id", uc->id);
		pj_set_str(o, "state", call_state_name(uc->call.state));
		pj_set_str(o, "direction", uc->outgoing ? "out" : "in");
		pj_set_str(o, "peer", uc->peer_uri);
		pj_set_str(o, "leg", uc->call.state == CALL_ESTABLISHED ?
			   leg_name(uc->call.leg) : NULL);
		pj_set_str(o, "end", uc->call.state == CALL_CLOSED ?
			   call_end_name(uc->call.end) : NULL);
		pj_set_u64(o, "cookie", uc->cookie);
		pj_set_u64(o, "media_port",
			   uc->media ? media_port(uc->media) : 0);
		pj_set_u64(o, "invites", uc->call.attempts);
		pj_set_u64(o, "tiebreak", uc->call.our_tb);
		if (uc->in_glare || uc->glare_done) {
			g = json_object();
			pj_set_str(g, "verdict", verdict_names[uc->verdict]);
			pj_set_str(g, "result", uc->glare_done ?
				   glare_result_names[uc->glare_result] :
				   "pending");
			json_object_set_new(o, "glare", g);
		}
		fw = json_object();
		pj_set_u64(fw, "opens", uc->fw.opens);
		pj_set_u64(fw, "pins", uc->fw.pins);
		pj_set_u64(fw, "activates", uc->fw.activates);
		pj_set_u64(fw, "renews", uc->fw.renews);
		pj_set_u64(fw, "closes", uc->fw.closes);
		pj_set_u64(fw, "errors", uc->fw.errors);
		json_object_set_new(o, "fw", fw);
		m = json_object();
		pj_set_u64(m, "tx_packets", ms.tx_packets);
		pj_set_u64(m, "rx_packets", ms.rx_packets);
		pj_set_u64(m, "rx_lost", ms.rx_lost);
		json_object_set_new(o, "media", m);
		json_array_append_new(calls, o);
	}
	json_object_set_new(reply, "calls", calls);
}

void ua_stats_json(struct ua *ua, json_t *reply)
{
	struct ua_stats *s = &ua->stats;
	struct fwops_counters fc;
	json_t *o;

	o = json_object();
	pj_set_u64(o, "outgoing", s->calls_out);
	pj_set_u64(o, "incoming", s->calls_in);
	pj_set_u64(o, "active", ua_active_calls(ua));
	pj_set_u64(o, "established", s->established);
	pj_set_u64(o, "refused", s->calls_refused);
	json_object_set_new(reply, "calls", o);
	o = json_object();
	for (int e = CALL_END_NORMAL; e <= CALL_END_FIREWALL; e++)
		pj_set_u64(o, call_end_name(e), s->outcome[e]);
	json_object_set_new(reply, "outcomes", o);
	o = json_object();
	pj_set_u64(o, "detected", s->glare_detected);
	for (int v = GLARE_HIGHER; v <= GLARE_CONVENTIONAL; v++)
		pj_set_u64(o, verdict_names[v], s->glare_verdict[v]);
	for (int r = 0; r < UA_GR__MAX; r++)
		pj_set_u64(o, glare_result_names[r], s->glare_result[r]);
	json_object_set_new(reply, "glare", o);
	fwops_counters(ua->fw, &fc);
	o = json_object();
	pj_set_str(o, "kind", fwops_name(ua->fw));
	pj_set_u64(o, "opens", fc.opens);
	pj_set_u64(o, "pins", fc.pins);
	pj_set_u64(o, "activates", fc.activates);
	pj_set_u64(o, "renews", fc.renews);
	pj_set_u64(o, "closes", fc.closes);
	pj_set_u64(o, "errors", fc.errors);
	pj_set_u64(o, "ct_deleted", fc.ct_deleted);
	pj_set_u64(o, "ct_by_tuple", fc.ct_by_tuple);
	pj_set_u64(o, "ct_dumps", fc.ct_dumps);
	json_object_set_new(reply, "firewall", o);
	o = json_object();
	pj_set_bool(o, "registered", sip_reg_registered(ua->reg));
	pj_set_u64(o, "transactions", sip_tx_count(ua->sip));
	pj_set_u64(o, "rejected", s->sip_rejected);
	pj_set_str(o, "transport",
		   sip_tp_mode_name(sip_transport_mode(ua->tp)));
	pj_set_u64(o, "tcp_connections", sip_transport_conns(ua->tp));
	json_object_set_new(reply, "sip", o);
}

void ua_calls_text(struct ua *ua, FILE *f)
{
	fprintf(f, "%-4s %-12s %-3s %-32s %-4s %-12s %-22s %s\n", "ID",
		"STATE", "DIR", "PEER", "LEG", "END", "GLARE", "FW o/p/a/c");
	for (struct ua_call *uc = ua->calls; uc; uc = uc->next) {
		char g[32] = "-";

		if (uc->in_glare || uc->glare_done)
			snprintf(g, sizeof(g), "%s/%s", verdict_names[uc->verdict],
				 uc->glare_done ?
				 glare_result_names[uc->glare_result] : "pending");
		fprintf(f, "%-4u %-12s %-3s %-32s %-4s %-12s %-22s %llu/%llu/%llu/%llu\n",
			uc->id, call_state_name(uc->call.state),
			uc->outgoing ? "out" : "in", uc->peer_uri,
			uc->call.state == CALL_ESTABLISHED ?
			leg_name(uc->call.leg) : "-",
			uc->call.state == CALL_CLOSED ?
			call_end_name(uc->call.end) : "-", g,
			(unsigned long long)uc->fw.opens,
			(unsigned long long)uc->fw.pins,
			(unsigned long long)uc->fw.activates,
			(unsigned long long)uc->fw.closes);
	}
}

void ua_stats_text(struct ua *ua, FILE *f)
{
	struct ua_stats *s = &ua->stats;
	struct fwops_counters fc;

	fprintf(f, "calls: %llu outgoing, %llu incoming, %u active, %llu "
		"established\noutcomes:", (unsigned long long)s->calls_out,
		(unsigned long long)s->calls_in, ua_active_calls(ua),
		(unsigned long long)s->established);
	for (int e = CALL_END_NORMAL; e <= CALL_END_FIREWALL; e++)
		fprintf(f, " %s=%llu", call_end_name(e),
			(unsigned long long)s->outcome[e]);
	fprintf(f, "\nglare: %llu detected;", (unsigned long long)s->glare_detected);
	for (int v = GLARE_HIGHER; v <= GLARE_CONVENTIONAL; v++)
		fprintf(f, " %s=%llu", verdict_names[v],
			(unsigned long long)s->glare_verdict[v]);
	fprintf(f, ";");
	for (int r = 0; r < UA_GR__MAX; r++)
		fprintf(f, " %s=%llu", glare_result_names[r],
			(unsigned long long)s->glare_result[r]);
	fwops_counters(ua->fw, &fc);
	fprintf(f, "\nfirewall (%s): opens=%llu pins=%llu activates=%llu "
		"renews=%llu closes=%llu errors=%llu; conntrack: deleted=%llu "
		"by_tuple=%llu dumps=%llu\n", fwops_name(ua->fw),
		(unsigned long long)fc.opens, (unsigned long long)fc.pins,
		(unsigned long long)fc.activates, (unsigned long long)fc.renews,
		(unsigned long long)fc.closes, (unsigned long long)fc.errors,
		(unsigned long long)fc.ct_deleted,
		(unsigned long long)fc.ct_by_tuple,
		(unsigned long long)fc.ct_dumps);
}
