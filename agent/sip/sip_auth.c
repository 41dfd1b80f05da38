// SPDX-License-Identifier: GPL-2.0
/*
 * sip_auth.c - Digest (RFC 2617) answers to SIP challenges, and the
 * server side: stateless nonces, Authorization verified; MD5 from
 * libosip2.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_md5.h>
#include <osipparser2/osip_port.h>

#include "sip_auth.h"
#include "sip_transport.h"

/* a quoted-string parameter without its quotes */
static void unquote(char *dst, size_t size, const char *s)
{
	size_t n;

	if (!s) {
		dst[0] = 0;
		return;
	}
	n = strlen(s);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s++;
		n -= 2;
	}
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = 0;
}

/* @w as a challenge we can answer (Digest, MD5 or SHA-256, qop auth or
 * none, a nonce); false otherwise */
static bool challenge_get(const osip_www_authenticate_t *w, bool proxy,
			  struct sip_auth_challenge *ch)
{
	char alg[32], qop[128], stale[16];

	memset(ch, 0, sizeof(*ch));
	ch->proxy = proxy;
	if (!w->auth_type || strcasecmp(w->auth_type, "Digest"))
		return false;
	unquote(alg, sizeof(alg), w->algorithm);
	if (!alg[0] || !strcasecmp(alg, "MD5"))
		ch->alg = SIP_AUTH_MD5;
	else if (!strcasecmp(alg, "SHA-256"))
		ch->alg = SIP_AUTH_SHA256;
	else
		return false;	/* MD5-sess, SHA-512-256, ...: not ours */
	unquote(ch->realm, sizeof(ch->realm), w->realm);
	unquote(ch->nonce, sizeof(ch->nonce), w->nonce);
	unquote(ch->opaque, sizeof(ch->opaque), w->opaque);
	unquote(stale, sizeof(stale), w->stale);
	ch->stale = !strcasecmp(stale, "true");
	unquote(qop, sizeof(qop), w->qop_options);
	/* qop-options is a list: "auth", "auth,auth-int" */
	for (char *sp, *t = strtok_r(qop, ", \t", &sp); t;
	     t = strtok_r(NULL, ", \t", &sp))
		if (!strcasecmp(t, "auth"))
			ch->qop_auth = true;
	if (qop[0] && !ch->qop_auth)
		return false;	/* auth-int only */
	return ch->nonce[0];
}

int sip_auth_parse(const osip_message_t *resp, struct sip_auth_challenge *ch)
{
	bool proxy = resp->status_code == 407;
	const osip_list_t *l = proxy ? &resp->proxy_authenticates :
			       &resp->www_authenticates;

	for (int i = 0; !osip_list_eol(l, i); i++)
		if (challenge_get(osip_list_get(l, i), proxy, ch))
			return 0;
	memset(ch, 0, sizeof(*ch));
	ch->proxy = proxy;
	return -ENOENT;
}

int sip_auth_parse_all(const osip_message_t *resp,
		       struct sip_auth_challenge *ch, int max)
{
	struct sip_auth_challenge c;
	int n = 0;

	for (int proxy = 0; proxy < 2; proxy++) {
		const osip_list_t *l = proxy ? &resp->proxy_authenticates :
				       &resp->www_authenticates;

		for (int i = 0; !osip_list_eol(l, i); i++) {
			int j;

			if (!challenge_get(osip_list_get(l, i), proxy, &c))
				continue;
			for (j = 0; j < n; j++)
				if (ch[j].proxy == c.proxy &&
				    !strcmp(ch[j].realm, c.realm))
					break;
			/* the realm again: the better hash */
			if (j < n) {
				if (c.alg > ch[j].alg)
					ch[j] = c;
			} else if (n < max) {
				ch[n++] = c;
			}
		}
	}
	return n;
}

/* ----------------------------------------------------------- SHA-256 */

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b,
	0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
	0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7,
	0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152,
	0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
	0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
	0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
	0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha256_block(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64], v[8], t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^
			      w[i - 15] >> 3;
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^
			      w[i - 2] >> 10;

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(v, h, sizeof(v));
	for (i = 0; i < 64; i++) {
		t1 = v[7] + (ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25)) +
		     ((v[4] & v[5]) ^ (~v[4] & v[6])) + sha_k[i] + w[i];
		t2 = (ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22)) +
		     ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		h[i] += v[i];
}

void sip_auth_sha256(const void *msg, size_t len, uint8_t out[32])
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	const uint8_t *p = msg;
	uint64_t bits = (uint64_t)len * 8;
	uint8_t last[128] = { 0 };
	size_t rest, n;

	for (; len >= 64; p += 64, len -= 64)
		sha256_block(h, p);
	rest = len;
	memcpy(last, p, rest);
	last[rest] = 0x80;
	n = rest < 56 ? 64 : 128;
	for (int i = 0; i < 8; i++)
		last[n - 1 - i] = (uint8_t)(bits >> (8 * i));
	sha256_block(h, last);
	if (n == 128)
		sha256_block(h, last + 64);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(h[i] >> 8);
		out[4 * i + 3] = (uint8_t)h[i];
	}
}

/* -------------------------------------------------- Digest responses */

static void to_hex(const uint8_t *d, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * n] = 0;
}

static void md5_hex(const char *s, char out[33])
{
	unsigned char d[16];
	osip_MD5_CTX c;

	osip_MD5Init(&c);
	osip_MD5Update(&c, (unsigned char *)s, (unsigned int)strlen(s));
	osip_MD5Final(d, &c);
	to_hex(d, 16, out);
}

static void hash_hex(enum sip_auth_alg alg, const char *s, char out[65])
{
	uint8_t d[32];

	if (alg == SIP_AUTH_MD5) {
		md5_hex(s, out);
		return;
	}
	sip_auth_sha256(s, strlen(s), d);
	to_hex(d, 32, out);
}

void sip_auth_response_alg(enum sip_auth_alg alg, const char *user,
			   const char *realm, const char *password,
			   const char *method, const char *uri,
			   const char *nonce, const char *nc,
			   const char *cnonce, const char *qop, char out[65])
{
	char buf[1024], ha1[65], ha2[65];

	snprintf(buf, sizeof(buf), "%s:%s:%s", user, realm, password);
	hash_hex(alg, buf, ha1);			/* A1 */
	snprintf(buf, sizeof(buf), "%s:%s", method, uri);
	hash_hex(alg, buf, ha2);			/* A2 */
	if (qop && *qop)
		snprintf(buf, sizeof(buf), "%s:%s:%s:%s:%s:%s", ha1, nonce, nc,
			 cnonce, qop, ha2);
	else					/* RFC 2069 compatibility */
		snprintf(buf, sizeof(buf), "%s:%s:%s", ha1, nonce, ha2);
	hash_hex(alg, buf, out);
}

void sip_auth_response(const char *user, const char *realm,
		       const char *password, const char *method,
		       const char *uri, const char *nonce, const char *nc,
		       const char *cnonce, const char *qop, char out[33])
{
	char r[65];

	sip_auth_response_alg(SIP_AUTH_MD5, user, realm, password, method,
			      uri, nonce, nc, cnonce, qop, r);
	memcpy(out, r, 33);
}

int sip_auth_apply(osip_message_t *req, const struct sip_auth_challenge *ch,
		   const char *user, const char *password, uint32_t nc)
{
	char uri_buf[512], hdr[1536], resp[65], ncs[9], cnonce[24];
	char *uri = NULL;
	int n;

	if (!req->req_uri || osip_uri_to_str(req->req_uri, &uri))
		return -EINVAL;
	snprintf(uri_buf, sizeof(uri_buf), "%s", uri);
	osip_free(uri);
	snprintf(ncs, sizeof(ncs), "%08x", nc);
	sip_token_new(cnonce, sizeof(cnonce));
	sip_auth_response_alg(ch->alg, user, ch->realm,
			      password ? password : "", req->sip_method,
			      uri_buf, ch->nonce, ncs, cnonce,
			      ch->qop_auth ? "auth" : NULL, resp);
	n = snprintf(hdr, sizeof(hdr),
		     "Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", "
		     "uri=\"%s\", response=\"%s\", algorithm=%s",
		     user, ch->realm, ch->nonce, uri_buf, resp,
		     ch->alg == SIP_AUTH_SHA256 ? "SHA-256" : "MD5");
	if (ch->qop_auth && n > 0 && (size_t)n < sizeof(hdr))
		n += snprintf(hdr + n, sizeof(hdr) - (size_t)n,
			      ", qop=auth, nc=%s, cnonce=\"%s\"", ncs, cnonce);
	if (ch->opaque[0] && n > 0 && (size_t)n < sizeof(hdr))
		n += snprintf(hdr + n, sizeof(hdr) - (size_t)n,
			      ", opaque=\"%s\"", ch->opaque);
	if (n < 0 || (size_t)n >= sizeof(hdr))
		return -ENOSPC;
	if (ch->proxy)
		return osip_message_set_proxy_authorization(req, hdr) ? -EINVAL : 0;
	return osip_message_set_authorization(req, hdr) ? -EINVAL : 0;
}

/* ---------------------------------------- any request: retry, cache */

int sip_auth_authorize(struct sip_auth_cache *c, osip_message_t *req,
		       const char *user, const char *password)
{
	for (unsigned int i = 0; i < c->n; i++) {
		int ret = sip_auth_apply(req, &c->r[i].ch, user, password,
					 ++c->r[i].nc);

		if (ret)
			return ret;
	}
	osip_message_force_update(req);
	return 0;
}

/* @req has credentials for @ch's realm (in the header @ch asks for) */
static bool has_creds(const osip_message_t *req,
		      const struct sip_auth_challenge *ch)
{
	const osip_list_t *l = ch->proxy ? &req->proxy_authorizations :
			       &req->authorizations;
	char realm[128];

	for (int i = 0; !osip_list_eol(l, i); i++) {
		osip_authorization_t *a = osip_list_get(l, i);

		unquote(realm, sizeof(realm), a->realm);
		if (!strcmp(realm, ch->realm))
			return true;
	}
	return false;
}

static void cache_put(struct sip_auth_cache *c,
		      const struct sip_auth_challenge *ch)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		if (c->r[i].ch.proxy == ch->proxy &&
		    !strcmp(c->r[i].ch.realm, ch->realm))
			break;
	if (i == SIP_AUTH_REALMS) {	/* full: the oldest goes */
		memmove(c->r, c->r + 1, sizeof(c->r[0]) * (i - 1));
		i--;
	} else if (i == c->n) {
		c->n++;
	}
	c->r[i].ch = *ch;
	c->r[i].nc = 0;
}

static void auth_list_clear(osip_list_t *l)
{
	osip_list_special_free(l, (void (*)(void *))osip_authorization_free);
	osip_list_init(l);
}

osip_message_t *sip_request_renew(const osip_message_t *req)
{
	osip_message_t *m = NULL;
	osip_via_t *via;
	char num[16];

	if (osip_message_clone(req, &m) || !m->cseq || !m->cseq->number)
		goto nomem;
	/* a new transaction: its own branch in a Via of its own */
	while ((via = osip_list_get(&m->vias, 0))) {
		osip_list_remove(&m->vias, 0);
		osip_via_free(via);
	}
	snprintf(num, sizeof(num), "%lu",
		 strtoul(m->cseq->number, NULL, 10) + 1);
	osip_free(m->cseq->number);
	m->cseq->number = osip_strdup(num);
	auth_list_clear(&m->authorizations);
	auth_list_clear(&m->proxy_authorizations);
	if (m->cseq->number)
		return m;
nomem:
	osip_message_free(m);
	return NULL;
}

osip_message_t *sip_auth_retry(struct sip_auth_cache *c,
			       const osip_message_t *req,
			       const osip_message_t *resp, const char *user,
			       const char *password, unsigned int tries,
			       int *err)
{
	struct sip_auth_challenge ch[SIP_AUTH_REALMS];
	osip_message_t *m = NULL;
	int n;

	n = sip_auth_parse_all(resp, ch, SIP_AUTH_REALMS);
	if (!n) {
		*err = -ENOENT;
		return NULL;
	}
	if (tries >= SIP_AUTH_MAX_TRIES) {
		*err = -ELOOP;
		return NULL;
	}
	/* 22.2, 22.3: answered once and challenged again, not for a stale
	 * nonce: the credentials are wrong; no second answer */
	for (int i = 0; i < n; i++) {
		if (tries && !ch[i].stale && has_creds(req, &ch[i])) {
			*err = -EACCES;
			return NULL;
		}
	}
	for (int i = 0; i < n; i++)
		cache_put(c, &ch[i]);
	m = sip_request_renew(req);
	if (!m || sip_auth_authorize(c, m, user, password ? password : ""))
		goto nomem;
	*err = 0;
	return m;
nomem:
	osip_message_free(m);
	*err = -ENOMEM;
	return NULL;
}

int sip_auth_copy(osip_message_t *dst, const osip_message_t *src)
{
	int (*cl)(void *, void **) = (int (*)(void *, void **))
				     osip_authorization_clone;

	if (osip_list_clone(&src->authorizations, &dst->authorizations, cl) ||
	    osip_list_clone(&src->proxy_authorizations,
			    &dst->proxy_authorizations, cl))
		return -ENOMEM;
	osip_message_force_update(dst);
	return 0;
}

/* ------------------------------------------------------- server side */

void sip_auth_hmac_md5(const uint8_t *key, size_t keylen, const void *msg,
		       size_t len, uint8_t out[16])
{
	unsigned char k[64] = { 0 }, pad[64];
	osip_MD5_CTX c;

	if (keylen > sizeof(k)) {
		osip_MD5Init(&c);
		osip_MD5Update(&c, (unsigned char *)key, (unsigned int)keylen);
		osip_MD5Final(k, &c);
	} else {
		memcpy(k, key, keylen);
	}
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	osip_MD5Init(&c);
	osip_MD5Update(&c, pad, 64);
	osip_MD5Update(&c, (unsigned char *)msg, (unsigned int)len);
	osip_MD5Final(out, &c);
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	osip_MD5Init(&c);
	osip_MD5Update(&c, pad, 64);
	osip_MD5Update(&c, out, 16);
	osip_MD5Final(out, &c);
}

/* the HMAC half of a nonce for the time in hex @ts */
static void nonce_mac(const uint8_t key[SIP_AUTH_KEY_LEN], const char *realm,
		      const char ts[17], char out[33])
{
	static const char hex[] = "0123456789abcdef";
	char msg[200];
	uint8_t d[16];
	int n;

	n = snprintf(msg, sizeof(msg), "%s:%s", ts, realm);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	sip_auth_hmac_md5(key, SIP_AUTH_KEY_LEN, msg, (size_t)n, d);
	for (int i = 0; i < 16; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[32] = 0;
}

void sip_auth_nonce(const uint8_t key[SIP_AUTH_KEY_LEN], const char *realm,
		    uint64_t now_s, char out[SIP_AUTH_NONCE_LEN + 1])
{
	char ts[17];

	snprintf(ts, sizeof(ts), "%016llx", (unsigned long long)now_s);
	memcpy(out, ts, 16);
	nonce_mac(key, realm, ts, out + 16);
}

/* constant time for equal lengths */
static bool same(const char *a, const char *b)
{
	size_t n = strlen(a);
	unsigned char d = 0;

	if (n != strlen(b))
		return false;
	for (size_t i = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return !d;
}

static bool lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

int sip_auth_nonce_check(const uint8_t key[SIP_AUTH_KEY_LEN],
			 const char *realm, const char *nonce, uint64_t now_s,
			 unsigned int ttl_s)
{
	char ts[17], mac[33];
	unsigned long long t;

	if (strlen(nonce) != SIP_AUTH_NONCE_LEN ||
	    !lower_hex(nonce, SIP_AUTH_NONCE_LEN))
		return -EINVAL;
	memcpy(ts, nonce, 16);
	ts[16] = 0;
	nonce_mac(key, realm, ts, mac);
	if (!same(mac, nonce + 16))
		return -EINVAL;
	t = strtoull(ts, NULL, 16);
	if (t > now_s)
		return -EINVAL;
	return now_s - t >= ttl_s ? -ESTALE : 0;
}

int sip_auth_challenge_hdr(char *buf, size_t size, const char *realm,
			   const char *nonce, bool stale)
{
	int n = snprintf(buf, size, "Digest realm=\"%s\", nonce=\"%s\", "
			 "qop=\"auth\", algorithm=MD5%s", realm, nonce,
			 stale ? ", stale=true" : "");

	return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}

/* @s unquoted into @dst; false when it does not fit */
static bool param(char *dst, size_t size, const char *s)
{
	unquote(dst, size, s);
	return !s || strlen(s) < size;
}

int sip_auth_creds_get(const osip_message_t *req, struct sip_auth_creds *c)
{
	const osip_list_t *l = &req->authorizations;

	for (int i = 0; !osip_list_eol(l, i); i++) {
		osip_authorization_t *a = osip_list_get(l, i);

		memset(c, 0, sizeof(*c));
		if (!a->auth_type || strcasecmp(a->auth_type, "Digest"))
			continue;
		if (param(c->username, sizeof(c->username), a->username) &&
		    param(c->realm, sizeof(c->realm), a->realm) &&
		    param(c->nonce, sizeof(c->nonce), a->nonce) &&
		    param(c->uri, sizeof(c->uri), a->uri) &&
		    param(c->response, sizeof(c->response), a->response) &&
		    param(c->algorithm, sizeof(c->algorithm), a->algorithm) &&
		    param(c->qop, sizeof(c->qop), a->message_qop) &&
		    param(c->nc, sizeof(c->nc), a->nonce_count) &&
		    param(c->cnonce, sizeof(c->cnonce), a->cnonce))
			return 0;
	}
	memset(c, 0, sizeof(*c));
	return -ENOENT;
}

int sip_auth_creds_check(const struct sip_auth_creds *c, const char *method,
			 const char *user, const char *realm,
			 const char *password)
{
	char want[33], got[33];

	if (!same(c->username, user) || strcmp(c->realm, realm) ||
	    (c->algorithm[0] && strcasecmp(c->algorithm, "MD5")) ||
	    strcmp(c->qop, "auth") || strlen(c->nc) != 8 ||
	    strspn(c->nc, "0123456789abcdefABCDEF") != 8 || !c->cnonce[0] ||
	    !c->uri[0] || strlen(c->response) != 32)
		return -EACCES;
	sip_auth_response(user, realm, password, method, c->uri, c->nonce,
			  c->nc, c->cnonce, c->qop, want);
	for (int i = 0; i < 33; i++)	/* hex digits in either case */
		got[i] = (char)tolower((unsigned char)c->response[i]);
	return same(want, got) ? 0 : -EACCES;
}
