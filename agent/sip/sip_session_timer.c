// SPDX-License-Identifier: GPL-2.0
/*
 * sip_session_timer.c - SIP session timers (RFC 4028): the pure
 * decisions of sip_session_timer.h.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sip_session_timer.h"

const char *sip_st_refresher_name(enum sip_st_refresher r)
{
	return r == SIP_ST_REF_UAC ? "uac" : r == SIP_ST_REF_UAS ? "uas" :
	       "none";
}

/* 1*DIGIT, blanks around, at most SIP_ST_MAX; the rest in *@end */
static int delta_parse(const char *s, uint32_t *out, const char **end)
{
	const char *p = s + strspn(s, " \t");
	const char *d = p;
	uint32_t v = 0;

	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (uint32_t)(*p - '0');
		if (v > SIP_ST_MAX)
			return -EINVAL;
		p++;
	}
	if (p == d || !v)
		return -EINVAL;
	p += strspn(p, " \t");
	if (*p && *p != ';')
		return -EINVAL;
	*out = v;
	*end = p;
	return 0;
}

int sip_se_parse(const char *v, struct sip_se *out)
{
	const char *p;
	struct sip_se se = { 0 };

	if (!v || delta_parse(v, &se.delta, &p))
		return -EINVAL;
	while (*p == ';') {
		size_t n;

		p++;
		p += strspn(p, " \t");
		n = strcspn(p, ";");
		if (n >= 9 && !strncasecmp(p, "refresher", 9)) {
			const char *q = p + 9 + strspn(p + 9, " \t");

			if (*q == '=') {
				q++;
				q += strspn(q, " \t");
				if (!strncasecmp(q, "uac", 3) &&
				    strspn(q + 3, " \t") == strcspn(q + 3, ";"))
					se.refresher = SIP_ST_REF_UAC;
				else if (!strncasecmp(q, "uas", 3) &&
					 strspn(q + 3, " \t") ==
					 strcspn(q + 3, ";"))
					se.refresher = SIP_ST_REF_UAS;
			}
		}
		p += n;
	}
	*out = se;
	return 0;
}

int sip_se_format(const struct sip_se *se, char *buf, size_t size)
{
	int n;

	if (se->refresher == SIP_ST_REF_NONE)
		n = snprintf(buf, size, "%u", se->delta);
	else
		n = snprintf(buf, size, "%u;refresher=%s", se->delta,
			     sip_st_refresher_name(se->refresher));
	return n < 0 || (size_t)n >= size ? -ENOSPC : n;
}

int sip_min_se_parse(const char *v, uint32_t *out)
{
	const char *p;

	if (!v)
		return -EINVAL;
	return delta_parse(v, out, &p);
}

static const char *hvalue(const osip_message_t *m, const char *name)
{
	osip_header_t *h = NULL;

	if (osip_message_header_get_byname(m, name, 0, &h) < 0 || !h)
		return NULL;
	return h->hvalue ? h->hvalue : "";
}

int sip_st_get_se(const osip_message_t *m, struct sip_se *out)
{
	const char *v = hvalue(m, "session-expires");

	if (!v)
		v = hvalue(m, "x");
	if (!v)
		return -ENOENT;
	return sip_se_parse(v, out);
}

int sip_st_get_min_se(const osip_message_t *m, uint32_t *out)
{
	const char *v = hvalue(m, "min-se");

	if (!v)
		return -ENOENT;
	return sip_min_se_parse(v, out);
}

static uint32_t max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

void sip_st_uas_decide(const struct sip_st_cfg *cfg,
		       const struct sip_st_req *req, struct sip_st_uas *out)
{
	uint32_t floor = max_u32(cfg->min_se, req->min_se);
	uint32_t iv;

	memset(out, 0, sizeof(*out));
	if (req->has_se && req->se.delta < cfg->min_se) {
		out->code = 422;
		out->min_se = cfg->min_se;
		return;
	}
	if (req->has_se) {
		/* 9 lets us make it shorter: we take it as asked */
		iv = req->se.delta;
		out->se.refresher = req->se.refresher;
	} else if (cfg->se) {
		iv = max_u32(cfg->se, floor);
	} else {
		return;		/* nobody asks: no timer */
	}
	out->se.delta = iv;
	if (!req->supported)
		out->se.refresher = SIP_ST_REF_UAS;	/* 9: it cannot */
	else if (out->se.refresher == SIP_ST_REF_NONE)
		out->se.refresher = SIP_ST_REF_UAS;	/* ours to choose */
	out->require = req->supported;
	out->res.interval = iv;
	out->res.we_refresh = out->se.refresher == SIP_ST_REF_UAS;
}

bool sip_st_uac_request(const struct sip_st_cfg *cfg, uint32_t min_se_422,
			struct sip_se *se, uint32_t *min_se)
{
	memset(se, 0, sizeof(*se));
	*min_se = 0;
	if (!cfg->se && !min_se_422)
		return false;
	/* 7.1: never below the Min-SE we heard or say */
	se->delta = max_u32(max_u32(cfg->se, cfg->min_se), min_se_422);
	*min_se = max_u32(cfg->min_se, min_se_422);
	return true;
}

void sip_st_uac_2xx(bool has_se, const struct sip_se *se,
		    struct sip_st_result *out)
{
	memset(out, 0, sizeof(*out));
	if (!has_se)
		return;
	out->interval = se->delta;
	out->we_refresh = se->refresher != SIP_ST_REF_UAS;
}

uint32_t sip_st_uac_422(uint32_t asked, bool has_min_se, uint32_t min_se,
			bool retried)
{
	if (retried || !has_min_se || min_se <= asked || min_se > SIP_ST_MAX)
		return 0;
	return min_se;
}

uint64_t sip_st_due_ms(const struct sip_st_result *r)
{
	uint32_t guard = r->interval / 3 < 32 ? r->interval / 3 : 32;

	if (r->we_refresh)
		return (uint64_t)r->interval * 1000 / 2;
	return ((uint64_t)r->interval - guard) * 1000;
}
