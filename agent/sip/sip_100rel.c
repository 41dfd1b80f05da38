// SPDX-License-Identifier: GPL-2.0
/*
 * sip_100rel.c - reliable provisional responses (RFC 3262), the pure
 * decisions of sip_100rel.h.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sip_100rel.h"

const char *sip_100rel_mode_name(enum sip_100rel_mode m)
{
	switch (m) {
	case SIP_100REL_OFF:	return "off";
	case SIP_100REL_ON:	return "on";
	case SIP_100REL_PREFER:	return "prefer";
	}
	return "?";
}

int sip_100rel_mode_parse(const char *s, enum sip_100rel_mode *m)
{
	for (int i = SIP_100REL_OFF; i <= SIP_100REL_PREFER; i++) {
		if (!strcmp(s, sip_100rel_mode_name(i))) {
			*m = i;
			return 0;
		}
	}
	return -EINVAL;
}

static bool list_has(const char *v, const char *tag)
{
	size_t tl = strlen(tag);

	while (*v) {
		size_t n;

		v += strspn(v, " \t,");
		n = strcspn(v, " \t,");
		if (n == tl && !strncasecmp(v, tag, n))
			return true;
		v += n;
	}
	return false;
}

static bool hdr_has(const osip_message_t *m, const char *name,
		    const char *tag)
{
	osip_header_t *h = NULL;

	for (int i = 0;
	     (i = osip_message_header_get_byname(m, name, i, &h)) >= 0; i++)
		if (h && h->hvalue && list_has(h->hvalue, tag))
			return true;
	return false;
}

bool sip_option_tag(const osip_message_t *m, const char *hdr,
		    const char *tag)
{
	if (hdr_has(m, hdr, tag))
		return true;
	return !strcasecmp(hdr, "supported") && hdr_has(m, "k", tag);
}

bool sip_100rel_uas_wanted(enum sip_100rel_mode mode,
			   const osip_message_t *req)
{
	if (mode == SIP_100REL_OFF)
		return false;
	if (sip_option_tag(req, "require", SIP_100REL_TAG))
		return true;
	return mode == SIP_100REL_PREFER &&
	       sip_option_tag(req, "supported", SIP_100REL_TAG);
}

/* 1*DIGIT up to @max, blanks around; the rest after it in *@end */
static int num_parse(const char *s, uint32_t max, uint32_t *out,
		     const char **end)
{
	unsigned long long v = 0;
	const char *p = s + strspn(s, " \t");
	const char *d = p;

	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (unsigned int)(*p - '0');
		if (v > max || p - d >= 10)
			return -EINVAL;
		p++;
	}
	if (p == d)
		return -EINVAL;
	*out = (uint32_t)v;
	*end = p + strspn(p, " \t");
	return 0;
}

int sip_rseq_parse(const char *s, uint32_t *rseq)
{
	const char *end;
	uint32_t v;

	if (!s || num_parse(s, SIP_RSEQ_MAX, &v, &end) || *end || !v)
		return -EINVAL;
	*rseq = v;
	return 0;
}

int sip_rack_parse(const char *s, uint32_t *rseq, uint32_t *cseq,
		   char *method, size_t size)
{
	const char *p, *m;
	size_t n;

	/* blanks between the three parts (RFC 3262 7.2: LWS) */
	if (!s || num_parse(s, SIP_RSEQ_MAX, rseq, &p) || !*rseq ||
	    (p[-1] != ' ' && p[-1] != '\t') ||
	    num_parse(p, UINT32_MAX >> 1, cseq, &m) ||
	    (m[-1] != ' ' && m[-1] != '\t'))
		return -EINVAL;
	n = strcspn(m, " \t");
	if (!n || n >= size || m[n + strspn(m + n, " \t")])
		return -EINVAL;
	memcpy(method, m, n);
	method[n] = '\0';
	return 0;
}

int sip_rack_format(char *buf, size_t size, uint32_t rseq, uint32_t cseq,
		    const char *method)
{
	int n = snprintf(buf, size, "%u %u %s", rseq, cseq, method);

	return n < 0 || (size_t)n >= size ? -ENOSPC : n;
}

int sip_100rel_rseq(const osip_message_t *resp, uint32_t *rseq)
{
	osip_header_t *h = NULL, *again = NULL;
	int i;

	if (!MSG_IS_RESPONSE(resp) || resp->status_code <= 100 ||
	    resp->status_code >= 200 ||
	    !sip_option_tag(resp, "require", SIP_100REL_TAG))
		return -ENOENT;
	/* exactly one RSeq */
	i = osip_message_header_get_byname(resp, "rseq", 0, &h);
	if (i < 0 || !h ||
	    osip_message_header_get_byname(resp, "rseq", i + 1, &again) >= 0)
		return -EINVAL;
	return sip_rseq_parse(h->hvalue, rseq);
}

/* ------------------------------------------------------------- UAS */

void sip_rel_uas_init(struct sip_rel_uas *u, uint32_t first, uint32_t t1)
{
	first &= SIP_RSEQ_FIRST_MAX;
	*u = (struct sip_rel_uas){ .rseq = (first ? first : 1) - 1, .t1 = t1 };
}

int sip_rel_uas_send(struct sip_rel_uas *u, uint32_t *rseq)
{
	if (u->unacked)
		return -EBUSY;
	/* RFC 3262 3: one higher each time, never wrapping (2^31 of
	 * them from a first below 2^31) */
	if (u->rseq >= SIP_RSEQ_MAX)
		return -ERANGE;
	u->rseq++;
	u->unacked = true;
	u->retx_ms = u->t1;
	u->elapsed_ms = 0;
	*rseq = u->rseq;
	return (int)u->t1;
}

uint32_t sip_rel_uas_retx(struct sip_rel_uas *u)
{
	if (!u->unacked)
		return 0;
	u->elapsed_ms += u->retx_ms;
	if (u->elapsed_ms >= 64u * u->t1) {
		u->unacked = false;
		return 0;
	}
	u->retx_ms *= 2;
	if (u->elapsed_ms + u->retx_ms > 64u * u->t1)
		u->retx_ms = 64u * u->t1 - u->elapsed_ms;
	return u->retx_ms;
}

int sip_rel_uas_prack(struct sip_rel_uas *u, uint32_t rseq, uint32_t cseq,
		      const char *method, uint32_t inv_cseq)
{
	if (!u->unacked || rseq != u->rseq || cseq != inv_cseq ||
	    strcmp(method, "INVITE"))
		return -ENOENT;
	u->unacked = false;
	return 0;
}

/* ------------------------------------------------------------- UAC */

void sip_rel_uac_reset(struct sip_rel_uac *u)
{
	memset(u, 0, sizeof(*u));
}

enum sip_rel_uac_act sip_rel_uac_response(struct sip_rel_uac *u,
					  const char *tag, uint32_t rseq)
{
	unsigned int i;

	if (!tag || !*tag || strlen(tag) >= SIP_REL_TAG_LEN)
		return SIP_REL_DROP;
	for (i = 0; i < u->n; i++)
		if (!strcmp(u->d[i].tag, tag))
			break;
	if (i == u->n) {
		/* the first reliable 1xx of this early dialog sets it */
		if (u->n == SIP_REL_UAC_MAX)
			return SIP_REL_DROP;
		snprintf(u->d[i].tag, sizeof(u->d[i].tag), "%s", tag);
		u->d[i].rseq = rseq;
		u->n++;
		return SIP_REL_PRACK;
	}
	/* one higher; RSeq never wraps (RFC 3262 3) */
	if (u->d[i].rseq < SIP_RSEQ_MAX && rseq == u->d[i].rseq + 1) {
		u->d[i].rseq = rseq;
		return SIP_REL_PRACK;
	}
	/* not one higher: not PRACKed, not processed further */
	if (rseq <= u->d[i].rseq)
		return SIP_REL_DUP;
	return SIP_REL_GAP;
}

const char *sip_rel_uac_act_name(enum sip_rel_uac_act a)
{
	switch (a) {
	case SIP_REL_PRACK:	return "prack";
	case SIP_REL_DUP:	return "duplicate";
	case SIP_REL_GAP:	return "out-of-order";
	case SIP_REL_DROP:	return "no-dialog";
	}
	return "?";
}
