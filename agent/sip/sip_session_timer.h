/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sip_session_timer.h - SIP session timers (RFC 4028) as pure decisions:
 * the Session-Expires ("x") and Min-SE syntax, what the UAS of an
 * INVITE, re-INVITE or UPDATE answers (422 with Min-SE for an interval
 * below ours, the refresher chosen when the UAC left it open, Require:
 * timer in the 2xx), what the UAC makes of a 422 and of a 2xx, and when
 * the refresher refreshes and the other side gives up.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#ifndef PINHOLE_AGENT_SIP_SESSION_TIMER_H
#define PINHOLE_AGENT_SIP_SESSION_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <osipparser2/osip_parser.h>

#define SIP_ST_TAG		"timer"
#define SIP_ST_FLOOR		90	/* RFC 4028 4: Min-SE at least */
#define SIP_ST_MAX		86400u	/* the largest interval we take */
#define SIP_ST_LEN		48	/* a formatted Session-Expires */

/* who refreshes, in the terms of the transaction that said it */
enum sip_st_refresher {
	SIP_ST_REF_NONE,	/* not said */
	SIP_ST_REF_UAC,
	SIP_ST_REF_UAS,
};

struct sip_se {
	uint32_t delta;			/* seconds, >= 1 */
	enum sip_st_refresher refresher;
};

const char *sip_st_refresher_name(enum sip_st_refresher r);
/*
 * "delta-seconds *(;generic-param)", refresher=uac|uas (any other value,
 * or other parameters, ignored): 0 or -EINVAL (no or a zero delta, too
 * large, garbage after it).
 */
int sip_se_parse(const char *v, struct sip_se *out);
/* "delta[;refresher=uac|uas]": its length, or -ENOSPC */
int sip_se_format(const struct sip_se *se, char *buf, size_t size);
/* "delta-seconds *(;generic-param)": 0 or -EINVAL */
int sip_min_se_parse(const char *v, uint32_t *out);

/*
 * The first Session-Expires (or "x") / Min-SE header of @m: 0, -ENOENT
 * (none), -EINVAL (unreadable).
 */
int sip_st_get_se(const osip_message_t *m, struct sip_se *out);
int sip_st_get_min_se(const osip_message_t *m, uint32_t *out);

/* our configuration: @se 0 = we ask for no timer (we honour one) */
struct sip_st_cfg {
	uint32_t se;
	uint32_t min_se;
};

/* what a request (INVITE, re-INVITE, UPDATE) said */
struct sip_st_req {
	bool has_se;
	struct sip_se se;
	uint32_t min_se;	/* 0: no Min-SE */
	bool supported;		/* Supported (or Require): timer */
};

/* the session timer after a 2xx, from our side */
struct sip_st_result {
	uint32_t interval;	/* 0: no session timer */
	bool we_refresh;	/* else the peer refreshes, we watch */
};

/* the UAS's answer to a request */
struct sip_st_uas {
	int code;		/* 0, or 422 */
	uint32_t min_se;	/* the 422's Min-SE */
	struct sip_se se;	/* the 2xx's Session-Expires (delta 0: none) */
	bool require;		/* Require: timer in the 2xx */
	struct sip_st_result res;
};

/*
 * RFC 4028 9: an interval below our Min-SE is refused 422 with it, any
 * other taken as asked (never shortened); without one in the request we
 * ask for ours (cfg->se, raised to the request's Min-SE) unless it is 0;
 * the refresher the UAC named, else we (the UAS) refresh; a UAC without
 * Supported: timer cannot refresh: uas. Require: timer when the UAC
 * supports it.
 */
void sip_st_uas_decide(const struct sip_st_cfg *cfg,
		       const struct sip_st_req *req, struct sip_st_uas *out);

/*
 * RFC 4028 7: our request's Session-Expires and Min-SE under @cfg after
 * @min_se_422 (0: none yet): false when we ask for no timer.
 */
bool sip_st_uac_request(const struct sip_st_cfg *cfg, uint32_t min_se_422,
			struct sip_se *se, uint32_t *min_se);
/*
 * RFC 4028 7.2, 7.4: a 2xx with Session-Expires @se (@has_se) to our
 * request: we refresh when it says uac (or nothing), else the peer does;
 * none: no session timer (we do not make ourselves refresher).
 */
void sip_st_uac_2xx(bool has_se, const struct sip_se *se,
		    struct sip_st_result *out);
/*
 * A 422 to our request with Min-SE @min_se: the value to ask for again,
 * or 0 when there is nothing to retry (already retried, no usable Min-SE,
 * not more than we asked, above SIP_ST_MAX).
 */
uint32_t sip_st_uac_422(uint32_t asked, bool has_min_se, uint32_t min_se,
			bool retried);

/*
 * Milliseconds until the refresher's refresh (half the interval) or the
 * other side's BYE (interval - min(32, interval / 3), RFC 4028 10).
 */
uint64_t sip_st_due_ms(const struct sip_st_result *r);

#endif /* PINHOLE_AGENT_SIP_SESSION_TIMER_H */
