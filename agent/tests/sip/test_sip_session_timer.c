// SPDX-License-Identifier: GPL-2.0
/*
 * test_sip_session_timer.c - SIP session timers (RFC 4028;
 * sip/sip_session_timer.h): Session-Expires and Min-SE syntax, the UAS's
 * 422 and refresher choice, the UAC's request, 422 retry and 2xx, when
 * the refresh or the BYE is due.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sip/sip_msg.h"
#include "sip/sip_session_timer.h"
#include "ktap.h"

static osip_message_t *msg(const char *extra)
{
	char buf[1024];
	int n;

	sip_msg_init();
	n = snprintf(buf, sizeof(buf), "SIP/2.0 200 OK\r\n"
		     "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n"
		     "From: <sip:a@192.0.2.1>;tag=f\r\n"
		     "To: <sip:b@192.0.2.2>;tag=t\r\n"
		     "Call-ID: c1\r\nCSeq: 7 INVITE\r\n%s"
		     "Content-Length: 0\r\n\r\n", extra);
	return sip_msg_parse(buf, (size_t)n);
}

TEST(se_parse_refresher_and_params)
{
	struct sip_se se;

	ASSERT_EQ(sip_se_parse("1800", &se), 0);
	EXPECT_EQ(se.delta, 1800);
	EXPECT_EQ(se.refresher, SIP_ST_REF_NONE);
	ASSERT_EQ(sip_se_parse(" 90 ; refresher = UAC", &se), 0);
	EXPECT_EQ(se.delta, 90);
	EXPECT_EQ(se.refresher, SIP_ST_REF_UAC);
	ASSERT_EQ(sip_se_parse("4000;foo=bar;refresher=uas", &se), 0);
	EXPECT_EQ(se.refresher, SIP_ST_REF_UAS);
	/* an unknown refresher value is no refresher */
	ASSERT_EQ(sip_se_parse("4000;refresher=uasx", &se), 0);
	EXPECT_EQ(se.refresher, SIP_ST_REF_NONE);
}

TEST(se_parse_refuses_garbage)
{
	struct sip_se se = { .delta = 7 };

	EXPECT_EQ(sip_se_parse("", &se), -EINVAL);
	EXPECT_EQ(sip_se_parse("0", &se), -EINVAL);
	EXPECT_EQ(sip_se_parse("-5", &se), -EINVAL);
	EXPECT_EQ(sip_se_parse("12x", &se), -EINVAL);
	EXPECT_EQ(sip_se_parse("99999999999", &se), -EINVAL);
	EXPECT_EQ(sip_se_parse("86401", &se), -EINVAL);
	EXPECT_EQ(sip_se_parse(NULL, &se), -EINVAL);
	/* nothing changed */
	EXPECT_EQ(se.delta, 7);
}

TEST(se_format_round_trip)
{
	struct sip_se se = { .delta = 600, .refresher = SIP_ST_REF_UAS }, b;
	char buf[SIP_ST_LEN];

	ASSERT_TRUE(sip_se_format(&se, buf, sizeof(buf)) > 0);
	EXPECT_STREQ(buf, "600;refresher=uas");
	ASSERT_EQ(sip_se_parse(buf, &b), 0);
	EXPECT_EQ(b.delta, 600);
	EXPECT_EQ(b.refresher, SIP_ST_REF_UAS);
	se.refresher = SIP_ST_REF_NONE;
	ASSERT_TRUE(sip_se_format(&se, buf, sizeof(buf)) > 0);
	EXPECT_STREQ(buf, "600");
	EXPECT_EQ(sip_se_format(&se, buf, 3), -ENOSPC);
}

TEST(min_se_parse)
{
	uint32_t v = 0;

	ASSERT_EQ(sip_min_se_parse(" 120 ", &v), 0);
	EXPECT_EQ(v, 120);
	ASSERT_EQ(sip_min_se_parse("90;x=y", &v), 0);
	EXPECT_EQ(v, 90);
	EXPECT_EQ(sip_min_se_parse("abc", &v), -EINVAL);
	EXPECT_EQ(v, 90);
}

TEST(headers_of_a_message_and_compact_form)
{
	osip_message_t *m = msg("Session-Expires: 300;refresher=uac\r\n"
				"Min-SE: 120\r\n");
	osip_message_t *c = msg("x: 200\r\n");
	osip_message_t *none = msg("");
	struct sip_se se;
	uint32_t v;

	ASSERT_TRUE(m && c && none);
	ASSERT_EQ(sip_st_get_se(m, &se), 0);
	EXPECT_EQ(se.delta, 300);
	EXPECT_EQ(se.refresher, SIP_ST_REF_UAC);
	ASSERT_EQ(sip_st_get_min_se(m, &v), 0);
	EXPECT_EQ(v, 120);
	ASSERT_EQ(sip_st_get_se(c, &se), 0);
	EXPECT_EQ(se.delta, 200);
	EXPECT_EQ(sip_st_get_se(none, &se), -ENOENT);
	EXPECT_EQ(sip_st_get_min_se(none, &v), -ENOENT);
	osip_message_free(m);
	osip_message_free(c);
	osip_message_free(none);
}

static const struct sip_st_cfg cfg = { .se = 1800, .min_se = 90 };

/* 9: below our Min-SE -> 422 with ours */
TEST(uas_422_below_min_se)
{
	struct sip_st_req r = { .has_se = true, .se = { .delta = 60 },
				.supported = true };
	struct sip_st_uas u;

	sip_st_uas_decide(&cfg, &r, &u);
	EXPECT_EQ(u.code, 422);
	EXPECT_EQ(u.min_se, 90);
	EXPECT_EQ(u.res.interval, 0);
	r.se.delta = 90;
	sip_st_uas_decide(&cfg, &r, &u);
	EXPECT_EQ(u.code, 0);
	EXPECT_EQ(u.res.interval, 90);
}

/* the UAC's refresher is kept; left open, we (uas) refresh */
TEST(uas_refresher)
{
	struct sip_st_req r = { .has_se = true,
				.se = { 600, SIP_ST_REF_UAC },
				.supported = true };
	struct sip_st_uas u;

	sip_st_uas_decide(&cfg, &r, &u);
	EXPECT_EQ(u.se.refresher, SIP_ST_REF_UAC);
	EXPECT_FALSE(u.res.we_refresh);
	EXPECT_TRUE(u.require);
	EXPECT_EQ(u.se.delta, 600);
	r.se.refresher = SIP_ST_REF_NONE;
	sip_st_uas_decide(&cfg, &r, &u);
	EXPECT_EQ(u.se.refresher, SIP_ST_REF_UAS);
	EXPECT_TRUE(u.res.we_refresh);
}

/* a UAC without Supported: timer cannot refresh: we do, no Require */
TEST(uas_unsupported_uac_we_refresh)
{
	struct sip_st_req r = { .has_se = true,
				.se = { 600, SIP_ST_REF_UAC } };
	struct sip_st_uas u;

	sip_st_uas_decide(&cfg, &r, &u);
	EXPECT_EQ(u.se.refresher, SIP_ST_REF_UAS);
	EXPECT_TRUE(u.res.we_refresh);
	EXPECT_FALSE(u.require);
}

/* no Session-Expires: ours (raised to its Min-SE), none when off */
TEST(uas_no_se_in_request)
{
	struct sip_st_cfg off = { .se = 0, .min_se = 90 };
	struct sip_st_req r = { .supported = true, .min_se = 2000 };
	struct sip_st_uas u;

	sip_st_uas_decide(&cfg, &r, &u);
	EXPECT_EQ(u.res.interval, 2000);
	EXPECT_EQ(u.se.delta, 2000);
	EXPECT_TRUE(u.res.we_refresh);
	sip_st_uas_decide(&off, &r, &u);
	EXPECT_EQ(u.code, 0);
	EXPECT_EQ(u.res.interval, 0);
	EXPECT_EQ(u.se.delta, 0);
	EXPECT_FALSE(u.require);
}

/* off still honours a peer that asks; an interval asked is taken as it
 * is, whatever ours */
TEST(uas_interval_choice)
{
	struct sip_st_cfg off = { .se = 0, .min_se = 90 };
	struct sip_st_cfg shorter = { .se = 100, .min_se = 90 };
	struct sip_st_req r = { .has_se = true, .se = { 3600, 0 },
				.min_se = 300, .supported = true };
	struct sip_st_uas u;

	sip_st_uas_decide(&off, &r, &u);
	EXPECT_EQ(u.res.interval, 3600);
	sip_st_uas_decide(&shorter, &r, &u);
	EXPECT_EQ(u.res.interval, 3600);
	r.se.delta = 200;
	r.min_se = 0;
	sip_st_uas_decide(&cfg, &r, &u);
	EXPECT_EQ(u.res.interval, 200);
}

TEST(uac_request_and_422)
{
	struct sip_st_cfg off = { .se = 0, .min_se = 90 };
	struct sip_se se;
	uint32_t min;

	ASSERT_TRUE(sip_st_uac_request(&cfg, 0, &se, &min));
	EXPECT_EQ(se.delta, 1800);
	EXPECT_EQ(se.refresher, SIP_ST_REF_NONE);
	EXPECT_EQ(min, 90);
	EXPECT_FALSE(sip_st_uac_request(&off, 0, &se, &min));
	/* 422 Min-SE: 3600 -> asked again with it */
	EXPECT_EQ(sip_st_uac_422(1800, true, 3600, false), 3600);
	ASSERT_TRUE(sip_st_uac_request(&cfg, 3600, &se, &min));
	EXPECT_EQ(se.delta, 3600);
	EXPECT_EQ(min, 3600);
	/* once only; no or no larger Min-SE: final */
	EXPECT_EQ(sip_st_uac_422(1800, true, 3600, true), 0);
	EXPECT_EQ(sip_st_uac_422(1800, false, 0, false), 0);
	EXPECT_EQ(sip_st_uac_422(1800, true, 1800, false), 0);
	EXPECT_EQ(sip_st_uac_422(1800, true, SIP_ST_MAX + 1, false), 0);
}

TEST(uac_2xx_role)
{
	struct sip_se uac = { 600, SIP_ST_REF_UAC }, uas = { 600,
							     SIP_ST_REF_UAS };
	struct sip_st_result r;

	sip_st_uac_2xx(true, &uac, &r);
	EXPECT_EQ(r.interval, 600);
	EXPECT_TRUE(r.we_refresh);
	sip_st_uac_2xx(true, &uas, &r);
	EXPECT_FALSE(r.we_refresh);
	sip_st_uac_2xx(false, NULL, &r);
	EXPECT_EQ(r.interval, 0);
}

/* 10: refresh at half, BYE at interval - min(32, interval / 3) */
TEST(due_times)
{
	struct sip_st_result r = { .interval = 1800, .we_refresh = true };

	EXPECT_EQ(sip_st_due_ms(&r), 900000);
	r.we_refresh = false;
	EXPECT_EQ(sip_st_due_ms(&r), 1768000);
	r.interval = 6;
	EXPECT_EQ(sip_st_due_ms(&r), 4000);
	r.we_refresh = true;
	EXPECT_EQ(sip_st_due_ms(&r), 3000);
}
