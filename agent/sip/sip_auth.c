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

int sip_auth_parse(const osip_message_t *resp, struct sip_auth_challenge *ch)
{
	const osip_list_t *l = resp->status_code == 407 ?
			       &resp->proxy_authenticates :
			       &resp->www_authenticates;
	char alg[32], qop[128];

	memset(ch, 0, sizeof(*ch));
	ch->proxy = resp->status_code == 407;
	for (int i = 0; !osip_list_eol(l, i); i++) {
		osip_www_authenticate_t *w = osip_list_get(l, i);

		if (!w->auth_type || strcasecmp(w->auth_type, "Digest"))
			continue;
		unquote(alg, sizeof(alg), w->algorithm);
		if (alg[0] && strcasecmp(alg, "MD5"))
			continue;	/* MD5-sess, SHA-256: not ours */
		unquote(ch->realm, sizeof(ch->realm), w->realm);
		unquote(ch->nonce, sizeof(ch->nonce), w->nonce);
		unquote(ch->opaque, sizeof(ch->opaque), w->opaque);
		unquote(qop, sizeof(qop), w->qop_options);
		/* qop-options is a list: "auth", "auth,auth-int" */
		for (char *t = strtok(qop, ", \t"); t; t = strtok(NULL, ", \t"))
			if (!strcasecmp(t, "auth"))
				ch->qop_auth = true;
		if (qop[0] && !ch->qop_auth)
			continue;	/* auth-int only */
		return ch->nonce[0] ? 0 : -ENOENT;
	}
	return -ENOENT;
}

static void md5_hex(const char *s, char out[33])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[16];
	osip_MD5_CTX c;

	osip_MD5Init(&c);
	osip_MD5Update(&c, (unsigned char *)s, (unsigned int)strlen(s));
	osip_MD5Final(d, &c);
	for (int i = 0; i < 16; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[32] = 0;
}

void sip_auth_response(const char *user, const char *realm,
		       const char *password, const char *method,
		       const char *uri, const char *nonce, const char *nc,
		       const char *cnonce, const char *qop, char out[33])
{
	char buf[1024], ha1[33], ha2[33];

	snprintf(buf, sizeof(buf), "%s:%s:%s", user, realm, password);
	md5_hex(buf, ha1);				/* A1 */
	snprintf(buf, sizeof(buf), "%s:%s", method, uri);
	md5_hex(buf, ha2);				/* A2 */
	if (qop && *qop)
		snprintf(buf, sizeof(buf), "%s:%s:%s:%s:%s:%s", ha1, nonce, nc,
			 cnonce, qop, ha2);
	else					/* RFC 2069 compatibility */
		snprintf(buf, sizeof(buf), "%s:%s:%s", ha1, nonce, ha2);
	md5_hex(buf, out);
}

int sip_auth_apply(osip_message_t *req, const struct sip_auth_challenge *ch,
		   const char *user, const char *password, uint32_t nc)
{
	char uri_buf[512], hdr[1536], resp[33], ncs[9], cnonce[24];
	char *uri = NULL;
	int n;

	if (!req->req_uri || osip_uri_to_str(req->req_uri, &uri))
		return -EINVAL;
	snprintf(uri_buf, sizeof(uri_buf), "%s", uri);
	osip_free(uri);
	snprintf(ncs, sizeof(ncs), "%08x", nc);
	sip_token_new(cnonce, sizeof(cnonce));
	sip_auth_response(user, ch->realm, password ? password : "",
			  req->sip_method, uri_buf, ch->nonce, ncs, cnonce,
			  ch->qop_auth ? "auth" : NULL, resp);
	n = snprintf(hdr, sizeof(hdr),
		     "Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", "
		     "uri=\"%s\", response=\"%s\", algorithm=MD5",
		     user, ch->realm, ch->nonce, uri_buf, resp);
	if (ch->qop_auth)
		n += snprintf(hdr + n, sizeof(hdr) - (size_t)n,
			      ", qop=auth, nc=%s, cnonce=\"%s\"", ncs, cnonce);
	if (ch->opaque[0])
		n += snprintf(hdr + n, sizeof(hdr) - (size_t)n,
			      ", opaque=\"%s\"", ch->opaque);
	if ((size_t)n >= sizeof(hdr))
		return -ENOSPC;
	if (ch->proxy)
		return osip_message_set_proxy_authorization(req, hdr) ? -EINVAL : 0;
	return osip_message_set_authorization(req, hdr) ? -EINVAL : 0;
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
