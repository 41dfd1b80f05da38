// SPDX-License-Identifier: GPL-2.0
/*
 * sip_auth.c - Digest (RFC 2617) answers to SIP challenges; MD5 from
 * libosip2.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

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
