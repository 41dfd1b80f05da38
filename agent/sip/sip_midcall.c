// SPDX-License-Identifier: GPL-2.0
/*
 * sip_midcall.c - a session changed inside its dialog: the pure decisions
 * of sip_midcall.h.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <string.h>

#include "sip_midcall.h"

enum sip_mid_verdict sip_mid_admit(const struct sip_mid_state *s,
				   bool cseq_ok)
{
	/* 12.2.2 before anything: an old request is no offer at all */
	if (!cseq_ok)
		return SIP_MID_CSEQ_500;
	if (!s->established)
		return SIP_MID_NO_SESSION;
	if (s->peer_pending)
		return SIP_MID_PENDING_500;
	if (s->our_offer && (s->our_in_2xx || !s->peer_wins))
		return SIP_MID_491;
	return SIP_MID_ACCEPT;
}

int sip_mid_code(enum sip_mid_verdict v)
{
	switch (v) {
	case SIP_MID_ACCEPT:
		return 0;
	case SIP_MID_CSEQ_500:
	case SIP_MID_PENDING_500:
		return 500;
	case SIP_MID_491:
	case SIP_MID_NO_SESSION:
		return 491;
	}
	return 500;
}

const char *sip_mid_verdict_name(enum sip_mid_verdict v)
{
	static const char *const n[] = {
		[SIP_MID_ACCEPT] = "accept", [SIP_MID_CSEQ_500] = "cseq-500",
		[SIP_MID_PENDING_500] = "pending-500",
		[SIP_MID_491] = "491", [SIP_MID_NO_SESSION] = "no-session",
	};

	return (unsigned int)v < sizeof(n) / sizeof(n[0]) ? n[v] : "?";
}

bool sip_mid_log_info(uint64_t nth)
{
	return nth <= SIP_MID_LOG_INFO_MAX;
}

enum sdp_dir sip_mid_answer_dir(enum sdp_dir offer, bool held)
{
	enum sdp_dir d = sdp_dir_answer(offer);

	if (!held)
		return d;
	/* holding, we do not receive */
	if (d == SDP_DIR_SENDRECV)
		return SDP_DIR_SENDONLY;
	if (d == SDP_DIR_RECVONLY)
		return SDP_DIR_INACTIVE;
	return d;
}

enum sdp_dir sip_mid_offer_dir(bool hold)
{
	return hold ? SDP_DIR_SENDONLY : SDP_DIR_SENDRECV;
}

static bool peer_sends(enum sdp_dir d)
{
	return d == SDP_DIR_SENDRECV || d == SDP_DIR_SENDONLY;
}

void sip_mid_change(const struct sdp_stream *old,
		    const struct sdp_stream *nu, struct sip_mid_change *out)
{
	memset(out, 0, sizeof(*out));
	out->moved = old->family != nu->family || old->port != nu->port ||
		     strcmp(old->addr, nu->addr);
	out->rtcp_moved = out->moved ||
			  sdp_rtcp_remote_port(old) != sdp_rtcp_remote_port(nu);
	out->format = old->pt != nu->pt || old->codec != nu->codec ||
		      old->ptime != nu->ptime || old->te_pt != nu->te_pt ||
		      old->rtcp_mux != nu->rtcp_mux;
	out->we_send = sdp_we_send(nu);
	out->peer_sends = peer_sends(nu->dir);
	/* a peer that holds us no longer receives (sendonly, inactive) */
	out->hold_by_peer = sdp_we_send(old) && !out->we_send;
	out->resume_by_peer = !sdp_we_send(old) && out->we_send;
}
