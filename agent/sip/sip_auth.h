/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sip_auth.h - HTTP Digest authentication for SIP (RFC 3261 22.4, RFC 2617
 * with MD5, RFC 8760 with SHA-256, qop "auth" or none): read a 401/407
 * challenge, answer it with an Authorization / Proxy-Authorization header.
 *
 * Any request we send (RFC 3261 22.2, 22.3): sip_auth_retry() turns a
 * request and its 401/407 into the request to send instead (a new
 * transaction: CSeq + 1, same Call-ID and From tag, the top Via gone for a
 * new branch) carrying credentials for every realm challenged so far,
 * kept in a struct sip_auth_cache (realm -> nonce, nonce count) that also
 * pre-authorizes later requests (sip_auth_authorize: a BYE in the dialog).
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

enum sip_auth_alg {
	SIP_AUTH_MD5,
	SIP_AUTH_SHA256,	/* RFC 8760 */
};

struct sip_auth_challenge {
	bool proxy;		/* 407: Proxy-Authorization */
	bool qop_auth;		/* the server offered qop="auth" */
	bool stale;		/* stale=true: the nonce expired, not the
				 * credentials (RFC 2617 3.2.1) */
	enum sip_auth_alg alg;
	char realm[128];
	char nonce[256];
	char opaque[256];	/* "" when absent */
};

/* the first challenge of a 401 (WWW-Authenticate) or 407
 * (Proxy-Authenticate) we can answer; 0, -ENOENT (none) */
int sip_auth_parse(const osip_message_t *resp, struct sip_auth_challenge *ch);

/*
 * Every challenge of @resp we can answer (Digest, MD5 or SHA-256, qop
 * auth or none), from its WWW-Authenticate and its Proxy-Authenticate
 * headers (a proxy and a UAS, several realms, RFC 3261 22.3): one per
 * realm, SHA-256 preferred to MD5 (RFC 8760 2.4). How many (at most @max).
 */
int sip_auth_parse_all(const osip_message_t *resp,
		       struct sip_auth_challenge *ch, int max);

/* RFC 2617 3.2.2.1: request-digest in lower-case hex (33 bytes) */
void sip_auth_response(const char *user, const char *realm,
		       const char *password, const char *method,
		       const char *uri, const char *nonce, const char *nc,
		       const char *cnonce, const char *qop, char out[33]);
/* the same with @alg's hash (RFC 7616 3.4.1; 65 bytes for SHA-256) */
void sip_auth_response_alg(enum sip_auth_alg alg, const char *user,
			   const char *realm, const char *password,
			   const char *method, const char *uri,
			   const char *nonce, const char *nc,
			   const char *cnonce, const char *qop, char out[65]);

/* SHA-256 (FIPS 180-4) of @len bytes at @msg */
void sip_auth_sha256(const void *msg, size_t len, uint8_t out[32]);

/* adds the answer to @req (for @ch, nonce count @nc); 0 or -errno */
int sip_auth_apply(osip_message_t *req, const struct sip_auth_challenge *ch,
		   const char *user, const char *password, uint32_t nc);

/* ---------------------------------------- any request: retry, cache */

#define SIP_AUTH_REALMS		4	/* realms kept per cache */
#define SIP_AUTH_MAX_TRIES	4	/* retries of one request, stale
					 * nonces and new realms included */

struct sip_auth_realm {
	struct sip_auth_challenge ch;
	uint32_t nc;			/* the last nonce count sent */
};

/* what the challenges so far asked for, per realm (zeroed: empty) */
struct sip_auth_cache {
	struct sip_auth_realm r[SIP_AUTH_REALMS];
	unsigned int n;
};

/* credentials for every realm of @c added to @req, each with its
 * nonce's next count (pre-authorization, RFC 3261 22.3); 0 or -errno */
int sip_auth_authorize(struct sip_auth_cache *c, osip_message_t *req,
		       const char *user, const char *password);

/*
 * The request to send instead of @req, answered @resp (401/407), when it
 * is the @tries'th retry of the first one (0: @req is the first): a copy
 * with CSeq + 1, the same Call-ID, From, To, Route and body, no Via (the
 * new client transaction adds one, with a new branch) and credentials for
 * every realm of @c, @c updated with @resp's challenges first (nonce
 * counts restart for a new nonce). NULL with *@err:
 *   -ENOENT   no challenge we can answer
 *   -EACCES   refused: a realm @req had credentials for challenged again,
 *             not stale, after a retry (a pre-authorization, @tries 0,
 *             may be refused once: its nonce may be gone)
 *   -ELOOP    @tries reached SIP_AUTH_MAX_TRIES
 *   -ENOMEM
 */
/*
 * @req sent again as a new transaction: CSeq + 1, same Call-ID, tags and
 * body, its top Via gone (a new branch) and its credentials too (to be
 * authorized afresh). NULL when out of memory.
 */
osip_message_t *sip_request_renew(const osip_message_t *req);

osip_message_t *sip_auth_retry(struct sip_auth_cache *c,
			       const osip_message_t *req,
			       const osip_message_t *resp, const char *user,
			       const char *password, unsigned int tries,
			       int *err);

/* the Authorization and Proxy-Authorization headers of @src copied to
 * @dst (an ACK has its INVITE's credentials, 13.2.2.4); 0 or -ENOMEM */
int sip_auth_copy(osip_message_t *dst, const osip_message_t *src);

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
