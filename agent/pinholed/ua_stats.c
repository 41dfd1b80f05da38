// SPDX-License-Identifier: GPL-2.0
/*
 * ua_stats.c - the UA's numbers and their views: the glare bookkeeping of
 * a call (detected, verdict, result; counted and logged), the call events
 * for `pinholectl events`, and `pinholectl calls` / `stats` as JSON and as
 * text.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lib/pjson.h"
#include "lib/plog.h"
#include "lib/sockaddr.h"
#include "lib/tmr.h"
#include "media/media.h"
#include "sip/sip_reg.h"
#include "sip/sip_transport.h"
#include "sip/sip_tx.h"
#include "ua_priv.h"

static const char *const glare_result_names[UA_GR__MAX] = {
	"session-own", "session-peer", "failed", "retry",
};

static const char *const verdict_names[] = {
	[GLARE_HIGHER] = "higher", [GLARE_LOWER] = "lower",
	[GLARE_UNDECIDED] = "undecided", [GLARE_CONVENTIONAL] = "conventional",
};

/* ----------------------------------------------------------- events */

void ua_event_json(struct ua_call *uc, const char *what)
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

/* ------------------------------------------------------------ glare */

void ua_glare_bookkeeping(struct ua_call *uc, enum call_state prev)
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

/* ------------------------------------------------------------ views */

void ua_calls_json(struct ua *ua, json_t *reply)
{
	json_t *calls = json_array();

	for (struct ua_call *uc = ua->calls; uc; uc = uc->next) {
		struct media_stats ms = { 0 };
		json_t *o = json_object(), *g, *fw, *m;
		struct sockaddr_storage ss;
		char lb[64];

		if (uc->media)
			media_get_stats(uc->media, &ms);
		else
			ms = uc->media_end;
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
			   uc->media ? media_port(uc->media) : uc->media_port_end);
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
		pj_set_u64(m, "tx_dtmf", ms.tx_dtmf);
		pj_set_u64(m, "rx_dtmf", ms.rx_dtmf);
		pj_set_str(m, "rx_digits", ms.rx_digits);
		if (ua_nat_latched(uc, &ss))	/* symmetric RTP */
			pj_set_str(m, "latched", sa_str(&ss, lb, sizeof(lb)));
		if (ua_nat_kernel_latched(uc, &ss))	/* the pinhole's */
			pj_set_str(m, "kernel_latched",
				   sa_str(&ss, lb, sizeof(lb)));
		json_object_set_new(o, "media", m);
		ua_mid_json(uc, o);
		ua_st_json(uc, o);
		json_array_append_new(calls, o);
	}
	json_object_set_new(reply, "calls", calls);
}

void ua_stats_json(struct ua *ua, json_t *reply)
{
	struct ua_stats *s = &ua->stats;
	struct fwops_counters fc;
	uint64_t refused, dropped;
	json_t *o;

	o = json_object();
	pj_set_u64(o, "outgoing", s->calls_out);
	pj_set_u64(o, "incoming", s->calls_in);
	pj_set_u64(o, "active", ua_active_calls(ua));
	pj_set_u64(o, "held", ua_held_calls(ua));
	pj_set_u64(o, "established", s->established);
	pj_set_u64(o, "refused", s->calls_refused);
	json_object_set_new(reply, "calls", o);
	o = json_object();
	for (int e = CALL_END_NORMAL; e <= CALL_END__MAX; e++)
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
	pj_set_u64(o, "server_transactions", sip_stx_count(ua->sip, NULL));
	/* beyond the transaction limits: 503 statelessly, not sent */
	pj_set_u64(o, "overload_refused", sip_stx_refused(ua->sip));
	pj_set_u64(o, "client_refused", sip_ctx_refused(ua->sip));
	pj_set_u64(o, "rejected", s->sip_rejected);
	sip_transport_malformed(ua->tp, &refused, &dropped);
	pj_set_u64(o, "malformed_refused", refused);
	pj_set_u64(o, "malformed_dropped", dropped);
	pj_set_str(o, "transport",
		   sip_tp_mode_name(sip_transport_mode(ua->tp)));
	pj_set_u64(o, "tcp_connections", sip_transport_conns(ua->tp));
	json_object_set_new(reply, "sip", o);
	o = json_object();
	/* armed timers of the event loop: transactions, calls, media */
	pj_set_u64(o, "timers", tmr_armed());
	json_object_set_new(reply, "loop", o);
}

unsigned int ua_transactions(const struct ua *ua)
{
	return sip_tx_count(ua->sip);
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

	fprintf(f, "calls: %llu outgoing, %llu incoming, %u active, %u held, "
		"%llu established\noutcomes:", (unsigned long long)s->calls_out,
		(unsigned long long)s->calls_in, ua_active_calls(ua),
		ua_held_calls(ua), (unsigned long long)s->established);
	for (int e = CALL_END_NORMAL; e <= CALL_END__MAX; e++)
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
	fprintf(f, "sip: %u transactions; loop: %zu timers\n",
		sip_tx_count(ua->sip), tmr_armed());
}
