/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ua.h - pinholed's user agent: many concurrent calls with peers, each a
 * struct call (call.h) whose actions the UA performs (SIP messages through
 * sip_tx/sip_dialog, firewall ops through fwops, RTP through media) and
 * whose events it feeds back from the network, the timers and the user.
 *
 * Glare: an INVITE without To tag whose From AoR equals the To AoR of one
 * of our pending INVITEs (glare_sip_is_glare) is CALL_EV_UAS_INVITE on that
 * call, not a new call. Everything else outside a dialog is a new call.
 */
#ifndef PINHOLE_AGENT_UA_H
#define PINHOLE_AGENT_UA_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "call/call.h"
#include "media/media_policy.h"
#include "sip/sdp.h"
#include "sip/sip_100rel.h"
#include "sip/sip_session_timer.h"
#include "sip/sip_transport.h"
#include "fwops.h"
#include "policy.h"

enum ua_tiebreak {
	UA_TIEBREAK_ID,		/* --tiebreak id:N */
	UA_TIEBREAK_RANDOM,	/* getrandom() per INVITE */
};

/* calls at once (each holds a media port pair and, in glare, two
 * transactions); a new one beyond this is refused with 503 */
#define UA_MAX_CALLS_DEFAULT	64

struct ua_cfg {
	const char *listen;		/* ADDR[:PORT] */
	enum sip_tp_mode transport;	/* --transport; 0 = UDP */
	/* --tls-cert, --tls-key, --tls-ca (PEM files; transport tls) */
	const char *tls_cert, *tls_key, *tls_ca;
	unsigned int max_calls;		/* 0 = UA_MAX_CALLS_DEFAULT */
	unsigned int ring_timeout_ms;	/* unanswered: 480 after; 0 never */
	/* server and client transactions at once, a quarter of them per
	 * source; 0 = SIP_STX_MAX_DEFAULT (sip_tx.h) */
	unsigned int max_transactions;
	/* --sip-t1: RFC 3261 T1 in ms, its timers (B, H, ...) follow;
	 * 0 = SIP_T1_MS (sip_tx.h) */
	unsigned int sip_t1_ms;
	const char *user;
	const char *domain;		/* NULL: the listen address */
	const char *proxy;		/* outbound proxy URI or NULL */
	bool do_register;
	const char *password;
	uint16_t media_lo, media_hi;
	const char *media_source;	/* "tone" or a file */
	enum ua_tiebreak tiebreak;
	uint64_t tiebreak_id;
	struct call_cfg call;		/* glare mode, nack-after-ok, answer */
	unsigned int register_expires;	/* s */
	/* where RTP may go (media_policy.h): --media-allow, --media-peer */
	unsigned int media_allow;	/* MEDIA_ALLOW_* */
	enum media_peer_mode media_peer;
	/* --latch: symmetric RTP (media_policy.h); 0 = off */
	enum media_latch_mode latch;
	/* --latch-window: how long the kernel's latch waits for the first
	 * packet before the call falls back to the SDP's address */
	unsigned int latch_window_ms;
	/* --public-address: what Contact and SDP advertise; NULL: the
	 * listen and media addresses */
	const char *public_address;
	/* --rtp-timeout: an established call whose peer sent no RTP or
	 * RTCP for this long is ended (BYE); 0 = never */
	unsigned int rtp_timeout_ms;
	/* --codecs, --codec-order: what we offer and accept (sdp.h) */
	struct sdp_prefs codecs;
	/* --100rel: reliable provisional responses (RFC 3262) */
	enum sip_100rel_mode rel100;
	/* --session-expires, --min-se: session timers (RFC 4028) in s;
	 * se 0: we ask for none (a peer's is still honoured) */
	struct sip_st_cfg st;
	/* inbound policy (policy.h, ua_policy.c) */
	struct pol_cidr allow[POL_ALLOW_MAX];	/* --allow; none: all */
	unsigned int nallow;
	bool auth_inbound;		/* --auth-inbound: digest */
	const char *inbound_password;	/* NULL: password */
	unsigned int new_dialog_rate;	/* per source and s; 0: no limit */
	/* --state-dir: the calls carried across a restart (state.h);
	 * NULL: none */
	const char *state_dir;
};

struct ua;

/* --public-address: an IPv4 or IPv6 literal (no port, no brackets) into
 * @out (may be NULL); 0 or -EINVAL (ua_nat.c) */
int ua_nat_public_parse(const char *s, struct sockaddr_storage *out);

/* a call event for `pinholectl events`: one JSON object, no newline */
typedef void (ua_event_h)(const char *json, void *arg);

struct ua *ua_new(const struct ua_cfg *cfg, struct fwops *fw,
		  char *err, size_t errlen);
void ua_free(struct ua *ua);
void ua_set_event_handler(struct ua *ua, ua_event_h *h, void *arg);

/* the poll() loop: fill in the fds, then hand back the results */
unsigned int ua_poll_fill(struct ua *ua, struct pollfd *pfd, unsigned int max);
void ua_poll_handle(struct ua *ua, const struct pollfd *pfd, unsigned int n);
/* SIP transactions alive */
unsigned int ua_transactions(const struct ua *ua);

/* user operations; 0 or -errno (-ENOENT: no such call, -EINVAL: not now) */
int ua_dial(struct ua *ua, const char *uri, unsigned int *id, char *err,
	    size_t errlen);
int ua_answer(struct ua *ua, unsigned int id);
int ua_reject(struct ua *ua, unsigned int id, int code);
int ua_hangup(struct ua *ua, unsigned int id);
void ua_hangup_all(struct ua *ua);
/* hold (our offer sendonly) or resume (sendrecv) an established call by
 * a re-INVITE (ua_midcall.c): -EBUSY while an offer is pending */
int ua_hold(struct ua *ua, unsigned int id, bool hold);
/* DTMF (RFC 4733) on an established call: -ENOTSUP no telephone-event
 * agreed, -EINVAL not established or bad digits, -ENOSPC queue full */
int ua_dtmf(struct ua *ua, unsigned int id, const char *digits);

/* JSON for the control socket: they add their members to @reply
 * ("calls": [...]; "calls", "outcomes", "glare", "firewall", "sip") */
void ua_calls_json(struct ua *ua, json_t *reply);
void ua_stats_json(struct ua *ua, json_t *reply);
/* the same for people (`pinholectl calls` without --json) */
void ua_calls_text(struct ua *ua, FILE *f);
void ua_stats_text(struct ua *ua, FILE *f);
/*
 * --state-dir (ua_resume.c): ua_state_flush() writes the state file when
 * the calls changed since (call it once per loop turn); ua_resume() reads
 * it at start: established calls resume, set-up ones are ended - the
 * number resumed, 0 without a file, or -errno with @err (unreadable
 * file: start clean); ua_leave_calls() writes it and leaves the calls'
 * pinholes to the kernel's owner grace (a stop that is a restart) -
 * the number left.
 */
void ua_state_flush(struct ua *ua);
int ua_resume(struct ua *ua, char *err, size_t errlen);
unsigned int ua_leave_calls(struct ua *ua);
/* --state-dir is set: a stop leaves the calls to the next start */
bool ua_carries_calls(const struct ua *ua);
/* calls not closed yet */
unsigned int ua_active_calls(const struct ua *ua);
/* call objects in memory: active ones and closed ones not yet freed
 * (kept for Timer L / late retransmissions) */
unsigned int ua_held_calls(const struct ua *ua);

#endif /* PINHOLE_AGENT_UA_H */
