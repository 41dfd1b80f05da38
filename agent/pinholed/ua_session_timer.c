// SPDX-License-Identifier: GPL-2.0
/*
 * ua_session_timer.c - SIP session timers (RFC 4028) for pinholed's
 * calls, on sip/sip_session_timer.h's decisions (--session-expires,
 * --min-se):
 *
 *   UAC  our INVITE says Supported: timer, Session-Expires and Min-SE; a
 *        422 is sent again once (a new CSeq, the call's credentials) with
 *        the larger Min-SE; the 2xx's Session-Expires decides who
 *        refreshes (none: no timer).
 *   UAS  an INVITE, re-INVITE or UPDATE asking less than our Min-SE gets
 *        422 with it; our 2xx carries Session-Expires with the refresher
 *        (ours when the UAC left it open or cannot refresh) and Require:
 *        timer when the UAC supports it.
 *   the refresher (us) refreshes at half the interval: an UPDATE without
 *        SDP when the peer Allows UPDATE (401/407, 422, 491 answered),
 *        else a re-INVITE with our current SDP (ua_mid_refresh: the
 *        re-INVITE machinery's 491 and auth handling); a refresh that
 *        fails keeps the session until its expiry.
 *   the other side (us) sends BYE at interval - min(32, interval / 3)
 *        unless a refresh came. Every refresh, either way, re-arms it.
 *   a restart (--state-dir) carries the interval, the role and the
 *        wall-clock time the timer fires at: the restarted daemon
 *        refreshes, or ends the call, when the old one would have.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "call/glare.h"
#include "lib/pjson.h"
#include "lib/plog.h"
#include "lib/rand.h"
#include "lib/tmr.h"
#include "sip/sip_100rel.h"
#include "sip/sip_auth.h"
#include "sip/sip_dialog.h"
#include "sip/sip_session_timer.h"
#include "sip/sip_tx.h"
#include "state.h"
#include "ua_priv.h"

static struct sip_dialog *call_dialog(struct ua_call *uc)
{
	return uc->call.leg == CALL_LEG_UAC ? &uc->uac_dlg : &uc->uas_dlg;
}

/* every @name header of @m removed */
static void hdr_del(osip_message_t *m, const char *name)
{
	osip_header_t *h = NULL;
	int i;

	while ((i = osip_message_header_get_byname(m, name, 0, &h)) >= 0) {
		osip_list_remove(&m->headers, i);
		osip_header_free(h);
	}
}

/* whether @m's Allow headers name UPDATE (libosip2 keeps them apart) */
static bool allows_update(const osip_message_t *m)
{
	osip_allow_t *a = NULL;

	for (int i = 0; osip_message_get_allow(m, i, &a) >= 0; i++) {
		const char *v = a && a->value ? a->value : "";

		while (*v) {
			size_t n;

			v += strspn(v, " \t,");
			n = strcspn(v, " \t,");
			if (n == 6 && !strncasecmp(v, "UPDATE", 6))
				return true;
			v += n;
		}
	}
	return false;
}

static void st_tmr_h(void *arg);

/* the wall clock in ms: what a state file's times are in */
static uint64_t realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void arm(struct ua_call *uc, uint64_t ms)
{
	tmr_start(&uc->st.tmr, ms, st_tmr_h, uc);
	uc->st.due_rt = realtime_ms() + ms;
	uc->ua->state_dirty = true;	/* the state file carries it */
}

/* the session's timer is now @r (interval 0: none) */
static void st_set(struct ua_call *uc, const struct sip_st_result *r,
		   const char *why)
{
	uc->st.res = *r;
	uc->st.min_se_422 = 0;
	uc->st.retried_422 = false;
	if (!r->interval) {
		tmr_cancel(&uc->st.tmr);
		return;
	}
	arm(uc, sip_st_due_ms(r));
	plog(PLOG_DEBUG, "call %u: session timer %u s (%s), %s refreshes | "
	     "id=%u interval=%u refresher=%s", uc->id, r->interval, why,
	     r->we_refresh ? "we" : "the peer", uc->id, r->interval,
	     r->we_refresh ? "us" : "peer");
}

void ua_st_request(struct ua_call *uc, osip_message_t *req)
{
	struct sip_se se;
	char buf[SIP_ST_LEN];
	uint32_t min_se;

	hdr_del(req, "session-expires");
	hdr_del(req, "x");
	hdr_del(req, "min-se");
	if (uc->st.res.interval) {
		/* a refresh (7.4): the session's interval, our role kept */
		se.delta = uc->st.res.interval > uc->st.min_se_422 ?
			   uc->st.res.interval : uc->st.min_se_422;
		se.refresher = uc->st.res.we_refresh ? SIP_ST_REF_UAC :
			       SIP_ST_REF_UAS;
		min_se = uc->ua->cfg.st.min_se > uc->st.min_se_422 ?
			 uc->ua->cfg.st.min_se : uc->st.min_se_422;
	} else if (!sip_st_uac_request(&uc->ua->cfg.st, uc->st.min_se_422,
				       &se, &min_se)) {
		return;
	}
	uc->st.asked = se.delta;
	if (sip_se_format(&se, buf, sizeof(buf)) > 0)
		osip_message_set_header(req, "Session-Expires", buf);
	snprintf(buf, sizeof(buf), "%u", min_se);
	osip_message_set_header(req, "Min-SE", buf);
}

void ua_st_dialog_headers(struct ua_call *uc, osip_message_t *req)
{
	osip_message_set_header(req, "Allow", UA_ALLOW);
	ua_set_supported(uc->ua, req);
	ua_st_request(uc, req);
}

uint32_t ua_st_422(struct ua_call *uc, const osip_message_t *resp)
{
	uint32_t min_se = 0;
	bool has = sip_st_get_min_se(resp, &min_se) == 0;
	uint32_t v = sip_st_uac_422(uc->st.asked, has, min_se,
				    uc->st.retried_422);

	if (!v) {
		plog(PLOG_INFO, "call %u: 422 Session Interval Too Small, "
		     "not retried (Min-SE %s) | id=%u", uc->id,
		     has ? "not above ours" : "missing", uc->id);
		return 0;
	}
	plog(PLOG_INFO, "call %u: 422 Session Interval Too Small: again with "
	     "Session-Expires %u | id=%u min_se=%u", uc->id, v, uc->id, v);
	uc->st.retried_422 = true;
	uc->st.min_se_422 = v;
	return v;
}

bool ua_st_inv_422(struct ua_call *uc, const osip_message_t *resp)
{
	osip_message_t *m;
	struct sip_ctx *ct;
	uint32_t cseq;

	if (!uc->inv || uc->inv_cancelled || uc->uac_2xx_seen ||
	    !uc->uac_dlg_valid || !ua_st_422(uc, resp))
		return false;
	m = sip_request_renew(sip_ctx_request(uc->inv));
	if (!m)
		return false;
	ua_st_request(uc, m);
	if (ua_preauthorize(uc, m)) {
		osip_message_free(m);
		return false;
	}
	cseq = (uint32_t)strtoul(m->cseq->number, NULL, 10);
	if (cseq >= uc->uac_dlg.local_cseq)
		uc->uac_dlg.local_cseq = cseq + 1;
	ct = sip_ctx_send(uc->ua->sip, m, sip_ctx_dst(uc->inv), ua_inv_resp_h,
			  uc);
	if (!ct)
		return false;
	sip_ctx_release(uc->inv);
	uc->inv = ct;
	ua_inv_resent(uc, cseq);
	return true;
}

void ua_st_uac_2xx(struct ua_call *uc, const osip_message_t *resp,
		   bool refresh)
{
	struct sip_st_result r;
	struct sip_se se;
	bool has = sip_st_get_se(resp, &se) == 0;

	if (!refresh)
		uc->st.peer_update = allows_update(resp);
	sip_st_uac_2xx(has, &se, &r);
	if (refresh && r.interval)
		uc->st.sent++;
	st_set(uc, &r, refresh ? "our refresh" : "2xx");
}

static void uas_read(const struct ua *ua, const osip_message_t *req,
		     struct sip_st_uas *u)
{
	struct sip_st_req q = { 0 };

	q.has_se = sip_st_get_se(req, &q.se) == 0;
	if (sip_st_get_min_se(req, &q.min_se))
		q.min_se = 0;
	q.supported = sip_option_tag(req, "supported", SIP_ST_TAG) ||
		      sip_option_tag(req, "require", SIP_ST_TAG);
	sip_st_uas_decide(&ua->cfg.st, &q, u);
}

uint32_t ua_st_uas_check(const struct ua *ua, const osip_message_t *req)
{
	struct sip_st_uas u;

	uas_read(ua, req, &u);
	return u.code == 422 ? u.min_se : 0;
}

void ua_st_min_se_header(osip_message_t *r, uint32_t min_se)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", min_se);
	osip_message_set_header(r, "Min-SE", buf);
}

void ua_st_uas_2xx(struct ua_call *uc, const osip_message_t *req,
		   osip_message_t *resp, bool refresh)
{
	struct sip_st_uas u;
	char buf[SIP_ST_LEN];

	uas_read(uc->ua, req, &u);
	if (!refresh)
		uc->st.peer_update = allows_update(req);
	if (u.code || !u.res.interval) {
		st_set(uc, &u.res, "none asked");
		return;
	}
	if (sip_se_format(&u.se, buf, sizeof(buf)) > 0)
		osip_message_set_header(resp, "Session-Expires", buf);
	if (u.require)
		osip_message_set_header(resp, "Require", SIP_ST_TAG);
	if (refresh)
		uc->st.received++;
	st_set(uc, &u.res, refresh ? "the peer's refresh" : "our 2xx");
}

/* ------------------------------------------------ our refresh UPDATE */

static void refresh_failed(struct ua_call *uc, int code)
{
	struct sip_st_result r = uc->st.res;
	uint32_t guard = r.interval / 3 < 32 ? r.interval / 3 : 32;
	uint32_t half = r.interval / 2;

	/* half the interval is gone: the session ends at its expiry
	 * unless a refresh of the peer's comes (10) */
	plog(PLOG_WARN, "call %u: session refresh refused %d, BYE at the "
	     "expiry unless the peer refreshes | id=%u", uc->id, code, uc->id);
	uc->st.res.we_refresh = false;
	arm(uc, half > guard ? (uint64_t)(half - guard) * 1000 : 0);
}

static void send_update(struct ua_call *uc);

static void upd_resp_h(struct sip_ctx *ct, const osip_message_t *resp,
		       int code, void *arg)
{
	struct ua_call *uc = arg;
	uint32_t cseq;

	if (ct != uc->st.upd || code < 200 || uc->finished)
		return;
	if (resp && (code == 401 || code == 407) &&
	    ua_auth_retry(uc, &uc->st.upd, &uc->st.upd_auth_tries,
			  call_dialog(uc), resp, upd_resp_h, &cseq))
		return;
	if (code < 300 && resp) {
		ua_st_uac_2xx(uc, resp, true);
		return;
	}
	if (code == 422 && resp && ua_st_422(uc, resp)) {
		send_update(uc);
		return;
	}
	if (code == 491) {
		/* 14.1's back-off, as for a re-INVITE */
		arm(uc, glare_backoff_ms(uc->call.leg == CALL_LEG_UAC,
					 (uint32_t)rand_u64()));
		return;
	}
	if (code == 481 || code == 408) {
		plog(PLOG_INFO, "call %u: session refresh answered %d, ending "
		     "the call | id=%u", uc->id, code, uc->id);
		ua_call_run(uc, &(struct call_ev){ .type = CALL_EV_HANGUP });
		return;
	}
	refresh_failed(uc, code);
}

static void send_update(struct ua_call *uc)
{
	struct sip_dialog *d = call_dialog(uc);
	osip_message_t *req;
	char *hop;

	sip_ctx_release(uc->st.upd);
	uc->st.upd = NULL;
	uc->st.upd_auth_tries = 0;
	req = sip_dialog_request(d, "UPDATE");
	if (!req)
		goto fail;
	ua_st_dialog_headers(uc, req);
	if (ua_preauthorize(uc, req) || !(hop = sip_dialog_next_hop_uri(d))) {
		osip_message_free(req);
		goto fail;
	}
	uc->st.upd = sip_ctx_send_uri(uc->ua->sip, req, hop, upd_resp_h, uc);
	free(hop);
	if (uc->st.upd)
		return;
fail:
	plog(PLOG_ERR, "call %u: cannot send a session refresh | id=%u",
	     uc->id, uc->id);
	refresh_failed(uc, 0);
}

/* ------------------------------------------------------------ timer */

static void st_tmr_h(void *arg)
{
	struct ua_call *uc = arg;
	int rc;

	if (uc->finished || uc->call.state != CALL_ESTABLISHED)
		return;
	if (!uc->st.res.we_refresh) {
		plog(PLOG_INFO, "call %u: session expired (RFC 4028): no "
		     "refresh within %u s, BYE | id=%u interval=%u", uc->id,
		     uc->st.res.interval, uc->id, uc->st.res.interval);
		ua_call_run(uc, &(struct call_ev){ .type = CALL_EV_HANGUP });
		return;
	}
	plog(PLOG_DEBUG, "call %u: session refresh by %s | id=%u", uc->id,
	     uc->st.peer_update ? "UPDATE" : "re-INVITE", uc->id);
	if (uc->st.peer_update) {
		send_update(uc);
		return;
	}
	/* busy (an offer of either side on its way): its 2xx refreshes,
	 * else we try again in a second; no SDP of the peer's to offer
	 * again (a call carried across a restart): as a refused refresh */
	rc = ua_mid_refresh(uc);
	if (rc == -EBUSY)
		arm(uc, 1000);
	else if (rc == -EINVAL)
		refresh_failed(uc, 0);
}

void ua_st_refresh_failed(struct ua_call *uc, int code)
{
	if (uc->st.res.interval && uc->st.res.we_refresh)
		refresh_failed(uc, code);
}

void ua_st_stop(struct ua_call *uc)
{
	tmr_cancel(&uc->st.tmr);
	sip_ctx_release(uc->st.upd);
	uc->st.upd = NULL;
}

bool ua_st_out(const struct ua_call *uc, struct state_st *t)
{
	if (!uc->st.res.interval || !tmr_running(&uc->st.tmr))
		return false;
	t->interval = uc->st.res.interval;
	t->we_refresh = uc->st.res.we_refresh;
	t->peer_update = uc->st.peer_update;
	t->due_ms = uc->st.due_rt;
	t->sent = uc->st.sent;
	t->received = uc->st.received;
	return true;
}

void ua_st_in(struct ua_call *uc, const struct state_st *t)
{
	uint64_t now = realtime_ms();

	uc->st.res.interval = t->interval;
	uc->st.res.we_refresh = t->we_refresh;
	uc->st.peer_update = t->peer_update;
	uc->st.sent = t->sent;
	uc->st.received = t->received;
	arm(uc, t->due_ms > now ? t->due_ms - now : 0);
	uc->st.due_rt = t->due_ms;
	plog(PLOG_INFO, "call %u: session timer %u s carried, %s refreshes, "
	     "due in %llu ms | id=%u interval=%u refresher=%s", uc->id,
	     t->interval, t->we_refresh ? "we" : "the peer",
	     (unsigned long long)tmr_left(&uc->st.tmr), uc->id, t->interval,
	     t->we_refresh ? "us" : "peer");
}

void ua_st_json(const struct ua_call *uc, json_t *o)
{
	json_t *t = json_object();

	if (!t)
		return;
	pj_set_u64(t, "interval", uc->st.res.interval);
	pj_set_str(t, "refresher", !uc->st.res.interval ? "none" :
		   uc->st.res.we_refresh ? "us" : "peer");
	pj_set_u64(t, "refreshes_sent", uc->st.sent);
	pj_set_u64(t, "refreshes_received", uc->st.received);
	json_object_set_new(o, "session_timer", t);
}
