// SPDX-License-Identifier: GPL-2.0
/*
 * refuse.h - what pinholed refuses of a request before it reaches a call,
 * as pure functions: 404 for a Request-URI user that is not ours (RFC 3261
 * 8.2.2.1), 420 with Unsupported for option tags in Require we do not
 * support (8.2.2.3), 415 for a body that is not SDP or has a content coding
 * or disposition we do not handle (8.2.3), 488 with a Warning for an SDP
 * offer we cannot use (RFC 3264 6; 13.3.1.1, 20.43): its c= address not
 * of the family it names (301), only RTP/SAVP or other transports (302),
 * no audio (304), no codec of ours (305); or whose address is not
 * allowed to receive our RTP (ua_refuse_media).
 * The syntax refusals (400/416/505) are sip/sip_check.h's.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#ifndef PINHOLE_PINHOLED_REFUSE_H
#define PINHOLE_PINHOLED_REFUSE_H

#include <sys/socket.h>

#include <osipparser2/osip_parser.h>

#include "media/media_policy.h"
#include "sip/sdp.h"

/*
 * The option tags (RFC 3261 19.2, 20.32) we support, comma-separated, as
 * our Supported header says them; "": none (no Supported header).
 */
#define UA_SUPPORTED		"timer"

struct ua_refusal {
	int code;			/* 0: nothing refused */
	const char *reason;		/* reason phrase */
	const char *accept;		/* Accept value, or NULL */
	const char *accept_encoding;	/* Accept-Encoding value, or NULL */
	char warning[160];		/* Warning value, or "" */
	char unsupported[160];		/* Unsupported value (420), or "" */
	enum sdp_warn sdp_warn;		/* 488: why the SDP is unusable */
};

/*
 * @req: a request outside any transaction and not an ACK; @user: our
 * --user; @agent: our host:port (the Warning's warn-agent). A request
 * without a user in its Request-URI (OPTIONS keep-alives to the host) is
 * ours; a request with a To tag (in a dialog) is not checked for its
 * user. Require is checked on every request but CANCEL and ACK (8.2.2.3),
 * against @supported (UA_SUPPORTED's syntax). The body checks apply to
 * INVITE and OPTIONS, an INVITE's SDP read with @codecs (NULL: the
 * defaults). Returns r->code.
 */
int ua_refuse(const osip_message_t *req, const char *user, const char *agent,
	      const struct sdp_prefs *codecs, const char *supported,
	      struct ua_refusal *r);
/*
 * The option tags of @req's Require headers not in @supported, into @out
 * (comma-separated, at most @size bytes, the last tags dropped if it is
 * full); their number.
 */
unsigned int ua_require_unsupported(const osip_message_t *req,
				    const char *supported, char *out,
				    size_t size);

/*
 * An INVITE whose SDP offer names a media address or port the policy
 * refuses (media_policy.h; @src: the INVITE's source, the signalling
 * peer): 488 with Warning: 301 @agent "Media address not allowed", before
 * any port, pinhole or RTP. @why: what is wrong with the address. The
 * stream checked is the one @codecs picks (NULL: the defaults), the one
 * the call would use. An INVITE without a usable offer is not refused
 * here. Returns r->code.
 */
int ua_refuse_media(const osip_message_t *req,
		    const struct sockaddr_storage *src,
		    const struct media_policy *p,
		    const struct sdp_prefs *codecs, const char *agent,
		    struct ua_refusal *r, enum media_addr *why);

#endif /* PINHOLE_PINHOLED_REFUSE_H */
