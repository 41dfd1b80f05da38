// SPDX-License-Identifier: GPL-2.0
/*
 * ua_policy.c - pinholed's inbound policy on a request no transaction
 * took, before anything else looks at it (ua_priv.h, policy.h):
 *
 *   1. --allow: a source outside the prefixes gets 403 Forbidden;
 *   2. --auth-inbound: an out-of-dialog request (no To tag; ACK never
 *      comes here, CANCEL is not challenged) without a valid Digest
 *      Authorization for --user in the realm of our domain gets 401 with
 *      a fresh stateless nonce (stale=true when its nonce only expired);
 *   3. --new-dialog-rate: an out-of-dialog INVITE beyond the source's
 *      token bucket gets 503 with Retry-After.
 *
 * These refusals are answered statelessly (8.2.7: a flood leaves no
 * transaction behind) and are themselves limited per source to
 * POL_REFUSE_RATE/s: beyond that, the source is not answered at all.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <osipparser2/osip_port.h>

#include "lib/plog.h"
#include "lib/sockaddr.h"
#include "lib/tmr.h"
#include "sip/sip_auth.h"
#include "sip/sip_transport.h"
#include "ua_priv.h"

static const char *who(const struct sockaddr_storage *ss)
{
	static char buf[80];

	return sa_str(ss, buf, sizeof(buf));
}

/* answer @code (with header @name: @value) statelessly, unless @src has
 * been refused too often lately; false either way */
static bool refuse(struct ua *ua, const osip_message_t *req,
		   const struct sockaddr_storage *src, int code,
		   const char *name, const char *value, uint64_t now)
{
	struct pol_src *ps = pol_src_get(ua->srcs,
					 (const struct sockaddr *)src, now);
	struct sockaddr_storage dst;
	osip_message_t *r;
	char tag[24];

	if (ps && !pol_bucket_take(&ps->refusals, POL_REFUSE_RATE,
				   POL_REFUSE_BURST, now)) {
		ps->silenced++;
		ua->stats.pol_silenced++;
		if (!(ps->silenced & (ps->silenced - 1)))
			plog(PLOG_WARN, "policy: %s refused too often, not "
			     "answered (%llu so far)", who(src),
			     (unsigned long long)ps->silenced);
		return false;
	}
	sip_token_new(tag, sizeof(tag));
	r = sip_reply_new(req, code, tag);
	if (!r)
		return false;
	if (name)
		osip_message_set_header(r, name, value);
	sip_response_dst(req, src, &dst);
	sip_transport_send(ua->tp, r, &dst);
	osip_message_free(r);
	ua->stats.sip_rejected++;
	return false;
}

/* 0: authenticated; else the answer was sent (or withheld) */
static int authenticate(struct ua *ua, const osip_message_t *req,
			const struct sockaddr_storage *src, uint64_t now)
{
	const char *pw = ua->cfg.inbound_password ? ua->cfg.inbound_password :
			 ua->cfg.password ? ua->cfg.password : "";
	char nonce[SIP_AUTH_NONCE_LEN + 1], hdr[400];
	struct sip_auth_creds c;
	bool stale = false;

	if (sip_auth_creds_get(req, &c) == 0) {
		int nr = sip_auth_nonce_check(ua->auth_key, ua->host, c.nonce,
					      now / 1000, SIP_AUTH_NONCE_TTL);
		int cr = sip_auth_creds_check(&c, req->sip_method,
					      ua->cfg.user, ua->host, pw);

		if (!nr && !cr)
			return 0;
		/* the right password on an old nonce: ask again, stale */
		stale = nr == -ESTALE && !cr;
		if (!stale)
			plog(PLOG_WARN, "policy: %s from %s: authentication "
			     "failed (%s)", req->sip_method, who(src),
			     cr ? "wrong credentials" : "not our nonce");
	}
	sip_auth_nonce(ua->auth_key, ua->host, now / 1000, nonce);
	if (sip_auth_challenge_hdr(hdr, sizeof(hdr), ua->host, nonce, stale))
		return -ENOSPC;
	ua->stats.pol_challenged++;
	refuse(ua, req, src, 401, "WWW-Authenticate", hdr, now);
	return -EACCES;
}

bool ua_policy_admit(struct ua *ua, const osip_message_t *req,
		     const struct sockaddr_storage *src)
{
	const struct sockaddr *sa = (const struct sockaddr *)src;
	osip_generic_param_t *totag = NULL;
	uint64_t now = tmr_now();
	struct pol_src *ps;

	if (!pol_allowed(ua->cfg.allow, ua->cfg.nallow, sa)) {
		ua->stats.pol_forbidden++;
		plog(PLOG_DEBUG, "policy: %s from %s: not in --allow",
		     req->sip_method, who(src));
		return refuse(ua, req, src, 403, NULL, NULL, now);
	}
	osip_to_get_tag(req->to, &totag);
	if (totag || MSG_IS_CANCEL(req))
		return true;
	if (ua->cfg.auth_inbound && authenticate(ua, req, src, now))
		return false;
	if (!MSG_IS_INVITE(req) || !ua->cfg.new_dialog_rate)
		return true;
	ps = pol_src_get(ua->srcs, sa, now);
	if (!ps || pol_bucket_take(&ps->dialogs, ua->cfg.new_dialog_rate,
				   ua->cfg.new_dialog_rate, now))
		return true;
	ua->stats.pol_rate_limited++;
	plog(PLOG_DEBUG, "policy: INVITE from %s beyond --new-dialog-rate",
	     who(src));
	return refuse(ua, req, src, 503, "Retry-After", "1", now);
}
