// SPDX-License-Identifier: GPL-2.0
/*
 * ua.c - the user agent: the UA object, its call registry and a call's
 * life (creation, the event runner, closing, lingering, eviction), the
 * user's operations (dial, answer, reject, hangup) and the poll loop glue.
 * SIP and firewall events come in through ua_route.c, the actions go out
 * through ua_actions.c, the numbers and views are ua_stats.c (ua_priv.h).
 *
 * A call's events are processed one at a time by ua_call_run(): it feeds
 * the event to call_event() and performs the resulting actions in order.
 * An action that fails or needs an answer from the state machine (a
 * firewall op failing, a CANCEL with nothing to cancel) posts an event to
 * the call's small queue, run after the current actions. Calls are only
 * freed by their linger timer, never inside a handler.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "lib/plog.h"
#include "lib/rand.h"
#include "lib/sockaddr.h"
#include "lib/tmr.h"
#include "media/media.h"
#include "sip/sip_check.h"
#include "sip/sip_dialog.h"
#include "sip/sip_msg.h"
#include "sip/sip_reg.h"
#include "sip/sip_transport.h"
#include "sip/sip_tx.h"
#include "ua_priv.h"

/* ------------------------------------------------------------ helpers */

uint16_t ua_media_cursor(uint16_t lo, uint16_t hi, uint16_t port)
{
	uint32_t next = (uint32_t)port + 2;

	return next + 1 > hi ? lo : (uint16_t)next;
}

/*
 * A media port pair for a new call: next fit from where the last one was
 * found, then from the start of --media-ports. From the start every time,
 * a call at 1000 calls up tried ~1000 bound ports first (a socket, bind
 * and close each: most of pinholed's CPU per call at that load); next
 * fit also leaves a port just given back alone for a while.
 */
static struct media *media_next_free(struct ua *ua, char *err, size_t errlen)
{
	const struct sockaddr *local =
		(const struct sockaddr *)sip_transport_local(ua->tp);
	uint16_t lo = ua->cfg.media_lo, hi = ua->cfg.media_hi;
	struct media *m = NULL;

	if (ua->media_next > lo && ua->media_next < hi)
		m = media_new(local, ua->media_next, hi, ua->cfg.media_source,
			      err, errlen);
	if (!m)
		m = media_new(local, lo, hi, ua->cfg.media_source, err, errlen);
	if (m)
		ua->media_next = ua_media_cursor(lo, hi, media_port(m));
	return m;
}

uint64_t ua_new_tiebreak(struct ua *ua)
{
	if (ua->cfg.tiebreak == UA_TIEBREAK_RANDOM)
		return rand_u64();
	return ua->cfg.tiebreak_id;
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
		[CALL_EV_MEDIA_REFUSED] = "media-refused",
		[CALL_EV_MEDIA_TIMEOUT] = "media-timeout",
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

void ua_post(struct ua_call *uc, const struct call_ev *ev)
{
	if (uc->nevq < UA_EVQ_MAX)
		uc->evq[uc->nevq++] = *ev;
	else
		plog(PLOG_ERR, "call %u: event queue full, %s lost", uc->id,
		     ev_name(ev->type));
}

/* --------------------------------------------------------- call life */

/* every timer of a live call (not the linger that follows its end) */
static void call_timers_stop(struct ua_call *uc)
{
	tmr_cancel(&uc->tmr_answer);
	tmr_cancel(&uc->tmr_ring);
	tmr_cancel(&uc->tmr_backoff);
	tmr_cancel(&uc->tmr_glare);
	tmr_cancel(&uc->tmr_renew);
	tmr_cancel(&uc->tmr_rtp);
	tmr_cancel(&uc->mid.tmr_retry);
	tmr_cancel(&uc->st.tmr);
	tmr_cancel(&uc->tmr_media);
}

/* ------------------------------------------------- the call registry */

static void calls_link(struct ua *ua, struct ua_call *uc)
{
	uc->next = ua->calls;
	if (uc->next)
		uc->next->pprev = &uc->next;
	uc->pprev = &ua->calls;
	ua->calls = uc;
	ua->ncalls++;
	ua->noutgoing += uc->outgoing;
	ua_slot_sync(uc);
}

static void calls_unlink(struct ua *ua, struct ua_call *uc)
{
	if (!uc->pprev)
		return;
	*uc->pprev = uc->next;
	if (uc->next)
		uc->next->pprev = uc->pprev;
	uc->pprev = NULL;
	ua->ncalls--;
	ua->noutgoing -= uc->outgoing;
	ua_slot_sync(uc);
	htab_del(&ua->by_callid, &uc->dlg_hn[0].hn);
	htab_del(&ua->by_callid, &uc->dlg_hn[1].hn);
}

static const struct sip_dialog *leg_dlg(const struct ua_call *uc, int i)
{
	if (i == 0)
		return uc->uac_dlg_valid ? &uc->uac_dlg : NULL;
	return uc->uas_dlg_valid ? &uc->uas_dlg : NULL;
}

void ua_dlg_index(struct ua_call *uc)
{
	struct htab *t = &uc->ua->by_callid;

	for (int i = 0; i < 2; i++) {
		const struct sip_dialog *d = leg_dlg(uc, i);
		struct hnode *n = &uc->dlg_hn[i].hn;
		uint32_t h;

		if (!d || !d->call_id || !uc->pprev) {
			htab_del(t, n);
			continue;
		}
		h = sip_dialog_key(d->call_id);
		if (n->pprev && n->hash == h)
			continue;
		htab_del(t, n);
		uc->dlg_hn[i].uc = uc;
		htab_add(t, n, h);	/* if it fails: found by the walk */
	}
}

/* @uc's dialog matches @req: which leg (the UAC's first, as always) */
static bool dialog_leg(const struct ua_call *uc, const osip_message_t *req,
		       enum call_leg *leg)
{
	if (uc->uac_dlg_valid && uc->uac_dlg.remote_tag &&
	    sip_dialog_match(&uc->uac_dlg, req)) {
		*leg = CALL_LEG_UAC;
		return true;
	}
	if (uc->uas_dlg_valid && sip_dialog_match(&uc->uas_dlg, req)) {
		*leg = CALL_LEG_UAS;
		return true;
	}
	return false;
}

struct ua_call *ua_dialog_call(struct ua *ua, const osip_message_t *req,
			       enum call_leg *leg)
{
	struct ua_call *best = NULL;
	enum call_leg best_leg = CALL_LEG_NONE, l;
	struct hnode *n;

	if (!req->call_id || !req->call_id->number)
		return NULL;
	/* the indexed calls of the Call-ID: the newest that matches, as the
	 * walk below would find it first */
	for (n = htab_first(&ua->by_callid, sip_dialog_key(req->call_id->number));
	     n; n = htab_next(n)) {
		struct ua_call *uc = htab_entry(n, struct ua_dlg_node, hn)->uc;

		if ((!best || uc->id > best->id) && dialog_leg(uc, req, &l)) {
			best = uc;
			best_leg = l;
		}
	}
	if (best) {
		*leg = best_leg;
		return best;
	}
	for (struct ua_call *uc = ua->calls; uc; uc = uc->next) {
		if (dialog_leg(uc, req, leg)) {
			ua_dlg_index(uc);
			return uc;
		}
	}
	return NULL;
}

static void call_destroy(struct ua_call *uc)
{
	char err[FWOPS_ERR_LEN];

	calls_unlink(uc->ua, uc);
	call_timers_stop(uc);
	tmr_cancel(&uc->tmr_linger);
	ua_mid_stop(uc);
	ua_st_stop(uc);
	if (uc->media)
		epoll_ctl(uc->ua->epfd, EPOLL_CTL_DEL, media_fd(uc->media), NULL);
	sip_ctx_release(uc->inv);
	sip_stx_release(uc->stx);
	for (unsigned int i = 0; i < 3; i++)
		sip_ctx_release(uc->bye[i]);
	for (unsigned int i = 0; i < uc->nfork_byes; i++)
		sip_ctx_release(uc->fork_byes[i]);
	if (uc->uac_dlg_valid)
		sip_dialog_reset(&uc->uac_dlg);
	if (uc->uas_dlg_valid)
		sip_dialog_reset(&uc->uas_dlg);
	fwops_close(uc->ua->fw, &uc->port, err, sizeof(err));
	media_free(uc->media);
	free(uc->auth);
	ua_100rel_free(uc);
	free(uc);
}

static void linger_tmr_h(void *arg)
{
	call_destroy(arg);
}

void ua_call_finish(struct ua_call *uc)
{
	struct ua *ua = uc->ua;

	uc->finished = true;
	ua_slot_sync(uc);
	ua->stats.outcome[uc->call.end]++;
	/* the media ports go back at once, not after the linger: a call
	 * rate times 64*T1 of closed calls would hold as many port pairs
	 * (and descriptors) as the calls up; its figures stay readable */
	if (uc->media) {
		media_get_stats(uc->media, &uc->media_end);
		uc->media_port_end = media_port(uc->media);
		epoll_ctl(ua->epfd, EPOLL_CTL_DEL, media_fd(uc->media), NULL);
		media_free(uc->media);
		uc->media = NULL;
	}
	call_timers_stop(uc);
	plog(PLOG_INFO, "call %u closed | id=%u end=%s fw_opens=%llu "
	     "fw_pins=%llu fw_closes=%llu", uc->id, uc->id,
	     call_end_name(uc->call.end), (unsigned long long)uc->fw.opens,
	     (unsigned long long)uc->fw.pins,
	     (unsigned long long)uc->fw.closes);
	tmr_start(&uc->tmr_linger, UA_LINGER_MS(uc->ua), linger_tmr_h, uc);
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
	ua_slot_sync(uc);
	acts_str(&acts, as, sizeof(as));
	/* an event that changes nothing (a peer's 1xx after 1xx, a fork
	 * storm's thousands) is at the peer's will: rate-limited */
	(prev == uc->call.state && !acts.n ? plog_rl : plog)(PLOG_INFO,
	     "call %u %s -> %s | id=%u ev=%s code=%d acts=%s",
	     uc->id, call_state_name(prev), call_state_name(uc->call.state),
	     uc->id, ev_name(ev->type), ev->code, as);
	for (unsigned int i = 0; i < acts.n; i++)
		ua_perform(uc, &acts.a[i]);
	ua_glare_bookkeeping(uc, prev);
	if (uc->call.state == CALL_ESTABLISHED && prev != CALL_ESTABLISHED)
		uc->ua->stats.established++;
	if (prev != uc->call.state)
		ua_event_json(uc, "state");
	if (uc->call.state == CALL_CLOSED && !uc->finished)
		ua_call_finish(uc);
	uc->ua->state_dirty = true;
}

void ua_call_run(struct ua_call *uc, const struct call_ev *ev)
{
	if (uc->running) {		/* from inside an action */
		ua_post(uc, ev);
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
	while (ua->ncalls >= keep) {
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

/* the call machine and timers of a new (or restored) call */
static void call_setup(struct ua_call *uc)
{
	call_init(&uc->call, &uc->ua->cfg.call);
	uc->t_start = tmr_now();
	tmr_init(&uc->tmr_answer);
	tmr_init(&uc->tmr_ring);
	tmr_init(&uc->tmr_backoff);
	tmr_init(&uc->tmr_glare);
	tmr_init(&uc->tmr_renew);
	tmr_init(&uc->tmr_linger);
	tmr_init(&uc->tmr_rtp);
	tmr_init(&uc->tmr_media);
}

struct ua_call *ua_call_restore(struct ua *ua, unsigned int id,
				bool outgoing, const char *peer_uri,
				uint64_t cookie,
				const struct sockaddr_storage *media_local,
				char *err, size_t errlen)
{
	struct ua_call *uc = calloc(1, sizeof(*uc));
	uint16_t port;

	if (!uc) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	uc->ua = ua;
	uc->outgoing = outgoing;
	snprintf(uc->peer_uri, sizeof(uc->peer_uri), "%s", peer_uri);
	uc->cookie = cookie;
	call_setup(uc);
	if (media_local) {
		/* the very port the peer sends to, and RTCP above it */
		port = sa_port((const struct sockaddr *)media_local);
		uc->media = media_new((const struct sockaddr *)media_local,
				      port, port + 1, ua->cfg.media_source,
				      err, errlen);
		if (!uc->media || ua_media_watch(uc, err, errlen)) {
			media_free(uc->media);
			free(uc);
			return NULL;
		}
	}
	uc->id = id;
	if (id > ua->next_id)
		ua->next_id = id;
	calls_link(ua, uc);
	ua_dlg_index(uc);
	return uc;
}

const char *ua_call_contact(struct ua_call *uc)
{
	if (!uc->sips || sip_contact_sips(uc->ua->contact, uc->sips_contact,
					  sizeof(uc->sips_contact)))
		return uc->ua->contact;
	return uc->sips_contact;
}

const char *ua_call_from(const struct ua_call *uc, char *buf, size_t size)
{
	if (!uc->sips || sip_contact_sips(uc->ua->local_uri, buf, size))
		return uc->ua->local_uri;
	return buf;
}

struct ua_call *ua_call_new(struct ua *ua, bool outgoing,
			    const char *peer_uri,
			    const struct sockaddr_storage *src, char *err,
			    size_t errlen)
{
	struct ua_call *uc;
	osip_uri_t *u = NULL;
	unsigned int max = ua->cfg.max_calls ? ua->cfg.max_calls :
			   UA_MAX_CALLS_DEFAULT;
	struct ua_load load;

	evict_finished(ua, 4 * max);
	ua_load(ua, src, &load);
	if (ua_admit(&load, max, outgoing, err, errlen)) {
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
	sip_forks_reset(&uc->forks);
	if (src)
		uc->src = *src;
	snprintf(uc->peer_uri, sizeof(uc->peer_uri), "%s", peer_uri);
	if (osip_uri_init(&u) == 0 && osip_uri_parse(u, peer_uri) == 0)
		sip_uri_aor(u, uc->peer_aor, sizeof(uc->peer_aor));
	osip_uri_free(u);
	do
		uc->cookie = rand_u64();
	while (!uc->cookie);
	call_setup(uc);
	/* the media port is bound first: it is the port the SDP offers and
	 * the pinhole opens (S61) */
	uc->media = media_next_free(ua, err, errlen);
	if (!uc->media || ua_media_watch(uc, err, errlen)) {
		media_free(uc->media);
		free(uc);
		return NULL;
	}
	uc->id = ++ua->next_id;
	calls_link(ua, uc);
	if (outgoing)
		ua->stats.calls_out++;
	else
		ua->stats.calls_in++;
	return uc;
}

/* ------------------------------------------------------------ public */

struct ua *ua_new(const struct ua_cfg *cfg, struct fwops *fw, char *err,
		  size_t errlen)
{
	struct ua *ua = calloc(1, sizeof(*ua));
	char allow[80], hp[96];

	if (!ua) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ua->epfd = -1;
	ua->cfg = *cfg;
	ua->fw = fw;
	fwops_set_latch_cb(fw, ua_nat_kernel_latch, ua);
	ua->mpol.allow = cfg->media_allow;
	ua->mpol.peer = cfg->media_peer;
	ua->mpol.latch = cfg->latch;
	ua->srcs = calloc(1, sizeof(*ua->srcs));
	if (!ua->srcs) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	ua->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (ua->epfd < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		goto fail;
	}
	rand_bytes(ua->auth_key, sizeof(ua->auth_key));
	ua->tp = sip_transport_new_mode(cfg->listen, cfg->transport ?
					cfg->transport : SIP_TP_UDP,
					sip_input, NULL, err, errlen);
	if (!ua->tp)
		goto fail;
	/* the tls-* settings are read with transport tls only */
	if (cfg->transport == SIP_TP_TLS &&
	    sip_transport_set_tls(ua->tp, cfg->tls_cert, cfg->tls_key,
				  cfg->tls_ca, err, errlen))
		goto fail;
	ua->sip = sip_new(ua->tp, ua_on_request, ua);
	if (ua->sip) {
		struct sip_limits lim;

		sip_limits_default(&lim, cfg->max_transactions);
		sip_set_limits(ua->sip, &lim);
		if (cfg->sip_t1_ms && sip_set_t1(ua->sip, cfg->sip_t1_ms)) {
			snprintf(err, errlen, "--sip-t1 %u: not within %u-%u ms",
				 cfg->sip_t1_ms, SIP_T1_MIN_MS, SIP_T1_MAX_MS);
			goto fail;
		}
	}
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
	if (ua_nat_hostport(cfg->public_address,
			    sip_transport_local(ua->tp), hp, sizeof(hp)))
		snprintf(hp, sizeof(hp), "%s", sip_transport_hostport(ua->tp));
	snprintf(ua->contact, sizeof(ua->contact), "sip:%s@%s%s", cfg->user,
		 hp, sip_transport_uri_params(ua->tp));
	if (cfg->do_register) {
		ua->reg = sip_reg_new(ua->sip, ua->local_uri, cfg->proxy,
				      ua->contact, cfg->user, cfg->password,
				      cfg->register_expires, ua->host);
		if (!ua->reg) {
			snprintf(err, errlen, "cannot register %s with %s",
				 ua->local_uri, cfg->proxy ? cfg->proxy : "-");
			goto fail;
		}
		/* RFC 3581: behind a NAT, the Contact the registrar saw */
		sip_reg_set_rewrite(ua->reg, !cfg->public_address);
	}
	plog(PLOG_INFO, "listening on %s as %s (glare %s, firewall %s)",
	     sip_transport_hostport(ua->tp), ua->local_uri,
	     glare_mode_name(cfg->call.mode), fwops_name(fw));
	ua_media_policy(ua);
	plog(PLOG_INFO, "media to %s, allowed: %s (%u addresses of this "
	     "host); rtp-timeout %u s",
	     cfg->media_peer == MEDIA_PEER_ANY ? "any address" :
	     "the signalling peer",
	     media_allow_str(cfg->media_allow, allow, sizeof(allow)),
	     ua->mpol.n_own, cfg->rtp_timeout_ms / 1000);
	if (sip_t1(ua->sip) != SIP_T1_MS)
		plog(PLOG_INFO, "SIP T1 %u ms (--sip-t1): INVITE timeout %u ms",
		     sip_t1(ua->sip), SIP_TIMER_B(sip_t1(ua->sip)));
	if (sip_transport_mode(ua->tp) != SIP_TP_UDP)
		plog(PLOG_INFO, "transport %s: SIP over %s on port %u",
		     sip_tp_mode_name(sip_transport_mode(ua->tp)),
		     sip_transport_mode(ua->tp) == SIP_TP_TCP ? "TCP" :
		     sip_transport_mode(ua->tp) == SIP_TP_TLS ? "TLS" :
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
	htab_free(&ua->by_callid);
	htab_free(&ua->slots.by_src);
	sip_reg_free(ua->reg);
	sip_free(ua->sip);
	sip_transport_free(ua->tp);
	if (ua->epfd >= 0)
		close(ua->epfd);
	free(ua->state_text);
	media_policy_free_own(&ua->mpol);
	free(ua->srcs);
	free(ua);
}

void ua_set_event_handler(struct ua *ua, ua_event_h *h, void *arg)
{
	ua->ev_h = h;
	ua->ev_arg = arg;
}

/*
 * The event loop's share of a UA: its SIP socket, the firewall's event
 * socket and one epoll descriptor for every call's RTP socket, so that a
 * turn of the loop costs the same at 10 and at 1000 calls (a pollfd per
 * call capped the calls read at the array's size, and polling them all,
 * with a walk of every call for its media schedule, made each turn
 * O(calls)); the media schedules are timers (ua_media_arm()).
 */
unsigned int ua_poll_fill(struct ua *ua, struct pollfd *pfd, unsigned int max)
{
	if (max < 3)
		return 0;
	pfd[0] = (struct pollfd){ .fd = sip_transport_fd(ua->tp),
				  .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = fwops_event_fd(ua->fw),
				  .events = POLLIN };
	pfd[2] = (struct pollfd){ .fd = ua->epfd, .events = POLLIN };
	return 3;
}

#define UA_EPOLL_BATCH	64
#define UA_EPOLL_ROUNDS	4	/* 256 calls' sockets a turn */

void ua_poll_handle(struct ua *ua, const struct pollfd *pfd, unsigned int n)
{
	struct epoll_event ev[UA_EPOLL_BATCH];
	uint64_t t0 = tmr_now();
	int k, rounds = 0;

	/* media_on_readable() frees no call: the batch stays valid. As the
	 * SIP socket's (sip_rx_budget_left()), the media's turn is bounded:
	 * level-triggered, the rest comes back after the timers ran */
	if (n > 2 && pfd[2].revents & POLLIN) {
		do {
			k = epoll_wait(ua->epfd, ev, UA_EPOLL_BATCH, 0);
			for (int i = 0; i < k; i++) {
				struct ua_call *uc = ev[i].data.ptr;

				if (uc->media)
					media_on_readable(uc->media);
			}
		} while (k == UA_EPOLL_BATCH && ++rounds < UA_EPOLL_ROUNDS &&
			 sip_rx_budget_left(0, tmr_now() - t0));
	}
	if (n > 1 && pfd[1].fd >= 0 && pfd[1].revents)
		fwops_event_dispatch(ua->fw, ua_fw_lost, ua);
	if (n > 0 && pfd[0].revents & POLLIN) {
		sip_transport_on_readable(ua->tp);
		ua_nat_contact_follow(ua);
	}
}

int ua_media_watch(struct ua_call *uc, char *err, size_t errlen)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = uc };

	if (epoll_ctl(uc->ua->epfd, EPOLL_CTL_ADD, media_fd(uc->media), &ev)) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static void media_tmr_h(void *arg)
{
	struct ua_call *uc = arg;

	media_tick(uc->media, tmr_now());
	ua_media_arm(uc);
}

void ua_media_arm(struct ua_call *uc)
{
	int64_t ms = uc->media ? media_next_ms(uc->media, tmr_now()) : -1;

	if (ms < 0 || uc->finished)
		tmr_cancel(&uc->tmr_media);
	else
		tmr_start(&uc->tmr_media, (uint64_t)ms, media_tmr_h, uc);
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
	bool sips = sip_uri_is_sips(uri);
	bool ok;

	/* sips: asks for TLS on every hop (RFC 3261 26.2.2) */
	if (sips && sip_scheme_refusal(uri, 4, sip_transport_mode(ua->tp) &
				       SIP_TP_TLS_BIT)) {
		snprintf(err, errlen, "'%s': a sips: URI needs --transport "
			 "tls", uri);
		return -EINVAL;
	}
	if (strncmp(uri, "sip:", 4) && !sips)
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
		ua_call_run(uc, &(struct call_ev){ .type = CALL_EV_DIAL });
		return 0;
	}
	uc = ua_call_new(ua, true, full, NULL, err, errlen);
	if (!uc)
		return -ENOMEM;
	uc->sips = sips;
	*id = uc->id;
	ua_call_run(uc, &(struct call_ev){ .type = CALL_EV_DIAL,
					   .tb = ua_new_tiebreak(ua) });
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
	ua_call_run(uc, &ev);
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
	ua_call_run(uc, &(struct call_ev){ .type = CALL_EV_HANGUP });
	return 0;
}

int ua_dtmf(struct ua *ua, unsigned int id, const char *digits)
{
	struct ua_call *uc = call_find(ua, id);
	int rc;

	if (!uc)
		return -ENOENT;
	if (uc->finished)
		return -EALREADY;
	if (uc->call.state != CALL_ESTABLISHED || !uc->media)
		return -EINVAL;
	rc = media_dtmf_send(uc->media, digits);
	ua_media_arm(uc);
	if (rc == -ENOTCONN)
		rc = -EINVAL;
	if (!rc)
		plog(PLOG_INFO, "call %u: DTMF %s queued | id=%u", uc->id,
		     digits, uc->id);
	return rc;
}

void ua_hangup_all(struct ua *ua)
{
	const struct call_ev hangup = { .type = CALL_EV_HANGUP };

	for (struct ua_call *uc = ua->calls; uc; uc = uc->next)
		if (!uc->finished)
			ua_call_run(uc, &hangup);
}

unsigned int ua_held_calls(const struct ua *ua)
{
	unsigned int n = 0;

	for (const struct ua_call *uc = ua->calls; uc; uc = uc->next)
		n++;
	return n;
}

unsigned int ua_active_calls(const struct ua *ua)
{
	unsigned int n = 0;

	for (const struct ua_call *uc = ua->calls; uc; uc = uc->next)
		n += !uc->finished;
	return n;
}
