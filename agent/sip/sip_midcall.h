/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sip_midcall.h - a session changed inside its dialog (re-INVITE, RFC 3261
 * 14; UPDATE, RFC 3311) as pure decisions: whether the peer's request is
 * taken or answered 500/491 (12.2.2, 14.2, RFC 3311 5.2), the direction
 * we answer while we hold the call (RFC 3264 8.4), and what a new SDP of
 * the peer changes for the media and its pinhole (RFC 3264 8.3.1).
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#ifndef PINHOLE_AGENT_SIP_MIDCALL_H
#define PINHOLE_AGENT_SIP_MIDCALL_H

#include <stdbool.h>
#include <stdint.h>

#include "sdp.h"

enum sip_mid_verdict {
	SIP_MID_ACCEPT,
	SIP_MID_CSEQ_500,	/* CSeq lower than the last (12.2.2): 500 */
	SIP_MID_PENDING_500,	/* the peer's earlier one unanswered (14.2):
				 * 500 with Retry-After */
	SIP_MID_491,		/* an offer of ours is pending (14.2) */
	SIP_MID_NO_SESSION,	/* no established session in it: 491 */
};

/* where the dialog's offer/answer stands when the peer's request comes */
struct sip_mid_state {
	bool established;	/* the initial INVITE's 2xx was ACKed */
	bool peer_pending;	/* a re-INVITE/UPDATE of the peer has no
				 * final response yet */
	bool our_offer;		/* an offer of ours has no answer: our
				 * re-INVITE or UPDATE in progress, or our
				 * offer in a 2xx waiting for its ACK */
	bool our_in_2xx;	/* that offer is in a 2xx (no glare rule) */
	bool peer_wins;		/* both re-INVITEs carry tiebreakers and
				 * the peer's is higher: its offer goes on,
				 * ours gets 491 (glare as for the initial
				 * INVITEs, one round trip) */
};

/* @cseq_ok: sip_dialog_remote_cseq() took the request's CSeq */
enum sip_mid_verdict sip_mid_admit(const struct sip_mid_state *s,
				   bool cseq_ok);
/* the status code of a refusal (0 for SIP_MID_ACCEPT) */
int sip_mid_code(enum sip_mid_verdict v);
const char *sip_mid_verdict_name(enum sip_mid_verdict v);

/*
 * The peer's first SIP_MID_LOG_INFO_MAX accepted changes (re-INVITE,
 * UPDATE) of a call are logged at info, the ones after at debug: a peer
 * flooding its dialog with offers cannot flood the log. @nth: 1 for the
 * first. true: at info.
 */
#define SIP_MID_LOG_INFO_MAX	16
bool sip_mid_log_info(uint64_t nth);

/*
 * Our direction answering an offer of direction @offer while we hold the
 * call (@held: our last offer was sendonly) or not: the usual answer
 * (sdp_dir_answer), less our receiving when we hold.
 */
enum sdp_dir sip_mid_answer_dir(enum sdp_dir offer, bool held);
/* the direction of our offer: sendonly when we hold, else sendrecv */
enum sdp_dir sip_mid_offer_dir(bool hold);

/* what the peer's new SDP @nu changes from @old (RFC 3264 8.3.1, 8.4) */
struct sip_mid_change {
	bool moved;		/* another RTP address or port: re-bind */
	bool rtcp_moved;	/* another RTCP port (a=rtcp, rtcp-mux) */
	bool format;		/* another codec, PT, ptime, DTMF or mux */
	bool we_send;		/* the peer receives: we send RTP */
	bool peer_sends;	/* the peer sends: its silence is a timeout */
	bool hold_by_peer;	/* it stopped receiving (sendonly/inactive) */
	bool resume_by_peer;	/* it receives again */
};
void sip_mid_change(const struct sdp_stream *old,
		    const struct sdp_stream *nu, struct sip_mid_change *out);

#endif /* PINHOLE_AGENT_SIP_MIDCALL_H */
