// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_sip_msg.c - SIP messages from the wire, without the network.
 *
 * The input is one or more messages separated by NUL bytes. Each one is
 * first parsed on its own (sip_msg_parse) and put through what the agent
 * does with a parsed message: Glare-Tiebreak (sip_msg_tiebreak), tags,
 * AoRs, serialisation, the CANCEL / ACK built from an INVITE
 * (sip_msg_from_invite), a response skeleton, a UAS dialog and its
 * requests, the UAC dialog update, TCP framing (sip_stream_frame), its
 * Session-Expires and Min-SE (RFC 4028: read back the same, bounded, and
 * what a UAS answers to them).
 *
 * Then the messages go, in order, into a real transport's input
 * (sip_tp_input: checks, 400s) and the transaction layer above it
 * (sip_input: client and server transaction matching, dialogs), as the
 * test_sip_tx.c tests drive it, on a fake clock. A client INVITE is
 * outstanding for each input; in the input, "$BR" stands for its Via
 * branch, "$HP" for our host:port, "$CID" for its Call-ID and "$FT" for
 * its From tag, so that responses can match it. Nothing is sent: the
 * transport's sendto() is wrapped (-Wl,--wrap=sendto, see the Makefile).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <osipparser2/osip_port.h>

#include "lib/plog.h"
#include "lib/tmr.h"
#include "sip/sdp.h"
#include "sip/sip_dialog.h"
#include "sip/sip_fork.h"
#include "sip/sip_msg.h"
#include "sip/sip_session_timer.h"
#include "sip/sip_tp_priv.h"
#include "sip/sip_transport.h"
#include "sip/sip_tx.h"

#define MAX_PARTS	6
#define FUZZ_CONTACT		"sip:fuzz@127.0.0.1"

ssize_t __wrap_sendto(int fd, const void *buf, size_t len, int flags,
		      const struct sockaddr *to, socklen_t tolen);
ssize_t __wrap_sendto(int fd, const void *buf, size_t len, int flags,
		      const struct sockaddr *to, socklen_t tolen)
{
	(void)fd; (void)buf; (void)flags; (void)to; (void)tolen;
	return (ssize_t)len;
}

static struct sip_transport *tp;
static struct sip_dialog uac, uas;
static bool uas_set;

static void put_msg(osip_message_t *m)
{
	char *buf = NULL;
	size_t len;

	if (!m)
		return;
	if (sip_msg_to_buf(m, &buf, &len) == 0)
		osip_free(buf);
	osip_message_free(m);
}

/* ------------------------------------------------------ one message alone */

static void aor(const osip_uri_t *u)
{
	char buf[128];

	if (u)
		sip_uri_aor(u, buf, sizeof(buf));
}

static void body_sdp(const osip_message_t *m)
{
	osip_body_t *b = osip_list_get(&m->bodies, 0);
	struct sdp_stream st;

	if (b && b->body)
		sdp_parse(b->body, &st);
}

/* RFC 4028 headers: within bounds, formatted and read back the same; the
 * UAS decision never takes an interval below our Min-SE */
static void session_timer(const osip_message_t *m)
{
	static const struct sip_st_cfg cfg = { .se = 1800, .min_se = 90 };
	struct sip_st_req q = { 0 };
	struct sip_st_uas u;
	struct sip_se se, back;
	char buf[SIP_ST_LEN];
	uint32_t v;

	if (!sip_st_get_min_se(m, &v) && (!v || v > SIP_ST_MAX))
		abort();
	if (sip_st_get_se(m, &se))
		return;
	if (!se.delta || se.delta > SIP_ST_MAX ||
	    sip_se_format(&se, buf, sizeof(buf)) < 0 ||
	    sip_se_parse(buf, &back) || back.delta != se.delta ||
	    back.refresher != se.refresher)
		abort();
	q.has_se = true;
	q.se = se;
	sip_st_uas_decide(&cfg, &q, &u);
	if (u.code != 422 && (u.res.interval < cfg.min_se ||
			      u.se.refresher == SIP_ST_REF_NONE))
		abort();
}

static void alone(const char *buf, size_t len)
{
	struct sip_dialog d;
	osip_message_t *m;
	uint64_t tb;
	size_t n;

	sip_stream_frame(buf, len, SIP_TCP_MSG_MAX, &n);
	m = sip_msg_parse(buf, len);
	if (!m)
		return;
	if (sip_msg_tiebreak(m, &tb) == SIP_TB_VALID)
		sip_msg_set_tiebreak(m, tb + 1);
	sip_msg_tag(m->from);
	sip_msg_tag(m->to);
	aor(m->req_uri);
	if (m->from)
		aor(m->from->url);
	if (m->to)
		aor(m->to->url);
	body_sdp(m);
	session_timer(m);
	if (MSG_IS_REQUEST(m) && m->from && m->to && m->call_id &&
	    m->cseq && m->cseq->number && m->cseq->method) {
		put_msg(sip_msg_from_invite(m, "CANCEL", m->to));
		put_msg(sip_msg_from_invite(m, "ACK", m->to));
		put_msg(sip_reply_new(m, 486, "t0"));
		if (m->call_id->number && sip_dialog_uas_init(&d, m, FUZZ_CONTACT) == 0) {
			sip_dialog_match(&d, m);
			sip_dialog_remote_cseq(&d, m);
			put_msg(sip_dialog_request(&d, "BYE"));
			put_msg(sip_dialog_ack(&d, 1));
			sip_dialog_reset(&d);
		}
	} else if (MSG_IS_RESPONSE(m) && m->to) {
		if (sip_dialog_uac_init(&d, "sip:a@127.0.0.1",
					"sip:b@127.0.0.1", FUZZ_CONTACT,
					"sip:127.0.0.1:5070", "127.0.0.1") == 0) {
			struct sip_forks forks;
			struct sip_dialog f;

			/* the response twice: a confirmed dialog, then
			 * another fork's dialog when the tag differs */
			sip_forks_reset(&forks);
			sip_fork_response(&forks, m->status_code,
					  sip_msg_tag(m->to));
			sip_fork_response(&forks, m->status_code,
					  sip_msg_tag(m->to));
			sip_dialog_uac_response(&d, m);
			put_msg(sip_dialog_request(&d, "BYE"));
			put_msg(sip_dialog_ack(&d, 1));
			if (sip_dialog_uac_fork(&f, &d, m) == 0) {
				put_msg(sip_dialog_request(&f, "BYE"));
				sip_dialog_reset(&f);
			}
			sip_dialog_reset(&d);
		}
	}
	put_msg(m);
}

/* ------------------------------------------------ through the transport */

static void st_noop(struct sip_stx *st, void *arg)
{
	(void)st; (void)arg;
}

static void st_ack_noop(struct sip_stx *st, const osip_message_t *ack,
			void *arg)
{
	(void)st; (void)ack; (void)arg;
}

static const struct sip_stx_handlers stx_h = {
	.resent = st_noop, .ack = st_ack_noop, .ack_timeout = st_noop,
	.cancel = st_noop,
};

static void on_req(struct sip *s, const osip_message_t *req,
		   const struct sockaddr_storage *src, void *arg)
{
	struct sip_stx *st;
	uint64_t tb;

	(void)arg;
	if (MSG_IS_ACK(req))
		return;
	sip_msg_tiebreak((osip_message_t *)req, &tb);
	st = sip_stx_new(s, req, src, &stx_h, NULL);
	if (!st)
		return;
	if (MSG_IS_INVITE(req)) {
		sip_stx_reply_code(st, 180, "fuzzT");
		/* an odd CSeq is refused, an even one accepted */
		if (strtoul(req->cseq->number, NULL, 10) & 1) {
			sip_stx_reply_code(st, 486, "fuzzT");
		} else {
			if (!uas_set && sip_dialog_uas_init(&uas, req,
							    FUZZ_CONTACT) == 0)
				uas_set = true;
			sip_stx_reply_code(st, 200, "fuzzT");
		}
	} else if (uas_set && sip_dialog_match(&uas, req)) {
		sip_stx_reply_code(st, sip_dialog_remote_cseq(&uas, req) ?
				   500 : 200, NULL);
	} else {
		sip_stx_reply_code(st, 481, "fuzzT");
	}
	sip_stx_release(st);
}

static void on_resp(struct sip_ctx *ct, const osip_message_t *resp, int code,
		    void *arg)
{
	(void)ct; (void)arg;
	if (!resp || code < 200 || sip_dialog_uac_response(&uac, resp))
		return;
	if (code < 300)
		put_msg(sip_dialog_ack(&uac, 1));
	put_msg(sip_dialog_request(&uac, "BYE"));
}

/* @in with "$BR", "$HP", "$CID" and "$FT" replaced; malloc()ed */
static char *expand(const char *in, size_t len, const char *const *from,
		    const char *const *to, int n, size_t *outlen)
{
	size_t cap = len + 1, o = 0, i = 0;
	char *out = malloc(cap);
	int k;

	while (out && i < len) {
		for (k = 0; k < n; k++) {
			size_t fl = strlen(from[k]);

			if (len - i >= fl && !memcmp(in + i, from[k], fl))
				break;
		}
		const char *add = k < n ? to[k] : in + i;
		size_t al = k < n ? strlen(to[k]) : 1;

		if (o + al + 1 > cap) {
			char *nb;

			cap = 2 * cap + al;
			nb = realloc(out, cap);
			if (!nb) {
				free(out);
				return NULL;
			}
			out = nb;
		}
		memcpy(out + o, add, al);
		o += al;
		i += k < n ? strlen(from[k]) : 1;
	}
	if (out)
		out[o] = '\0';
	*outlen = o;
	return out;
}

static const char *top_branch(const osip_message_t *m)
{
	osip_via_t *via = osip_list_get(&m->vias, 0);
	osip_generic_param_t *b = NULL;

	if (via)
		osip_via_param_get_byname(via, "branch", &b);
	return b && b->gvalue ? b->gvalue : "none";
}

static void through(const uint8_t *data, size_t size)
{
	static const char *const from[] = { "$BR", "$HP", "$CID", "$FT" };
	const char *to[4];
	struct sockaddr_storage dst, src;
	struct sockaddr_in *sin = (void *)&src;
	const uint8_t *p = data, *end = data + size;
	osip_message_t *inv;
	struct sip_ctx *ct;
	struct sip *s;
	int parts = 0;

	memset(&src, 0, sizeof(src));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin->sin_port = htons(5062);
	dst = src;

	s = sip_new(tp, on_req, NULL);
	if (!s)
		return;
	sip_transport_set_handler(tp, sip_input, s);
	uas_set = false;
	sip_dialog_uac_init(&uac, "sip:fuzz@127.0.0.1", "sip:peer@127.0.0.1",
			    FUZZ_CONTACT, NULL, "127.0.0.1");
	inv = sip_dialog_request(&uac, "INVITE");
	ct = inv ? sip_ctx_send(s, inv, &dst, on_resp, NULL) : NULL;
	to[0] = ct ? top_branch(sip_ctx_request(ct)) : "none";
	to[1] = sip_transport_hostport(tp);
	to[2] = uac.call_id ? uac.call_id : "none";
	to[3] = uac.local_tag ? uac.local_tag : "none";

	while (p < end && parts++ < MAX_PARTS) {
		const uint8_t *nul = memchr(p, 0, (size_t)(end - p));
		size_t n = nul ? (size_t)(nul - p) : (size_t)(end - p), xl;
		char *x = expand((const char *)p, n, from, to, 4, &xl);

		if (x) {
			sip_tp_input(tp, x, xl, &src, false);
			free(x);
		}
		tmr_fake_advance(100);
		p += n + 1;
	}
	/* every timer out: retransmissions, timeouts, the TU told */
	tmr_fake_advance(2 * SIP_TIMER_B_MS);
	if (ct)
		sip_ctx_release(ct);
	sip_free(s);
	sip_transport_set_handler(tp, sip_input, NULL);
	sip_dialog_reset(&uac);
	if (uas_set)
		sip_dialog_reset(&uas);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	int parts = 0;

	if (!tp) {
		char err[256];

		plog_init("fuzz", PLOG_ERR);
		sip_msg_init();
		tmr_fake_clock(1000);
		tp = sip_transport_new("127.0.0.1:0", sip_input, NULL, err,
				       sizeof(err));
		if (!tp)
			abort();
	}
	if (size > 64 * 1024)
		return 0;
	while (p < end && parts++ < MAX_PARTS) {
		const uint8_t *nul = memchr(p, 0, (size_t)(end - p));
		size_t n = nul ? (size_t)(nul - p) : (size_t)(end - p);
		char *m = malloc(n + 1);

		if (!m)
			break;
		memcpy(m, p, n);
		m[n] = '\0';
		alone(m, n);
		free(m);
		p += n + 1;
	}
	through(data, size);
	return 0;
}
