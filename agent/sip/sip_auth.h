/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sip_auth.h - HTTP Digest authentication for SIP (RFC 3261 22.4, RFC 2617
 * with MD5 and qop "auth" or none): read a 401/407 challenge, answer it
 * with an Authorization / Proxy-Authorization header.
 *
 * The server side (a UAS challenging requests, 22.1): stateless nonces,
 * "TIME-HMAC" where HMAC-MD5 under a secret of the server covers the
 * time and the realm, so a nonce needs no memory and is checked for
 * forgery and age alone (expired: stale=true, RFC 2617 3.2.1); the
 * Authorization header read and the request-digest verified (qop=auth,
 * MD5). A nonce may be replayed within its lifetime: nonce counts are
 * not tracked.
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

/* ------------------------------------------------------- server side */

#define SIP_AUTH_KEY_LEN	16
#define SIP_AUTH_NONCE_LEN	48	/* 16 hex digits of time, 32 of HMAC */
#define SIP_AUTH_NONCE_TTL	300	/* s */

/* HMAC-MD5 (RFC 2104) of @msg under @key */
void sip_auth_hmac_md5(const uint8_t *key, size_t keylen, const void *msg,
		       size_t len, uint8_t out[16]);

/* a nonce for @realm at @now_s (any clock of seconds the checker shares) */
void sip_auth_nonce(const uint8_t key[SIP_AUTH_KEY_LEN], const char *realm,
		    uint64_t now_s, char out[SIP_AUTH_NONCE_LEN + 1]);

/* 0: ours and younger than @ttl_s; -ESTALE: ours, expired;
 * -EINVAL: not ours (forged, other realm, malformed, from the future) */
int sip_auth_nonce_check(const uint8_t key[SIP_AUTH_KEY_LEN],
			 const char *realm, const char *nonce, uint64_t now_s,
			 unsigned int ttl_s);

/* the value of a WWW-Authenticate header challenging with @nonce;
 * 0 or -ENOSPC */
int sip_auth_challenge_hdr(char *buf, size_t size, const char *realm,
			   const char *nonce, bool stale);

/* a Digest Authorization header's parameters, unquoted ("" when absent) */
struct sip_auth_creds {
	char username[128];
	char realm[128];
	char nonce[128];
	char uri[512];
	char response[40];
	char algorithm[16];
	char qop[16];
	char nc[16];
	char cnonce[128];
};

/* the first Digest Authorization of @req (a parameter too long counts as
 * absent); 0 or -ENOENT */
int sip_auth_creds_get(const osip_message_t *req, struct sip_auth_creds *c);

/*
 * @c answers for @user in @realm with @password a request of @method:
 * username and realm ours, algorithm MD5, qop=auth with an 8-digit nc and
 * a cnonce, and the request-digest right (compared in constant time).
 * The nonce is checked apart (sip_auth_nonce_check). 0 or -EACCES.
 */
int sip_auth_creds_check(const struct sip_auth_creds *c, const char *method,
			 const char *user, const char *realm,
			 const char *password);

#endif /* PINHOLE_AGENT_SIP_AUTH_H */
