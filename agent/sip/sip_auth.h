/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sip_auth.h - HTTP Digest authentication for SIP (RFC 3261 22.4, RFC 2617
 * with MD5 and qop "auth" or none): read a 401/407 challenge, answer it
 * with an Authorization / Proxy-Authorization header.
 */
#ifndef PINHOLE_AGENT_SIP_AUTH_H
#define PINHOLE_AGENT_SIP_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <osipparser2/osip_parser.h>

struct sip_auth_challenge {
	bool proxy;		/* 407: Proxy-Authorization */
	bool qop_auth;		/* the server offered qop="auth" */
	char realm[128];
	char nonce[256];
	char opaque[256];	/* "" when absent */
};

/* 0, -ENOENT (no Digest/MD5 challenge we can answer) */
int sip_auth_parse(const osip_message_t *resp, struct sip_auth_challenge *ch);

/* RFC 2617 3.2.2.1: request-digest in lower-case hex (33 bytes) */
void sip_auth_response(const char *user, const char *realm,
		       const char *password, const char *method,
		       const char *uri, const char *nonce, const char *nc,
		       const char *cnonce, const char *qop, char out[33]);

/* adds the answer to @req (for @ch, nonce count @nc); 0 or -errno */
int sip_auth_apply(osip_message_t *req, const struct sip_auth_challenge *ch,
		   const char *user, const char *password, uint32_t nc);

#endif /* PINHOLE_AGENT_SIP_AUTH_H */
