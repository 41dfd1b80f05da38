// SPDX-License-Identifier: GPL-2.0
/*
 * sip_transport.c - the SIP transport (see sip_transport.h): the sockets
 * and the epoll set, UDP, the choice of UDP or TCP for each message, our
 * Via, and the checks, stamping and logging of every message received or
 * sent. TCP connections are sip_tcp.c, addresses sip_addr.c.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <osipparser2/osip_port.h>

#include "lib/plog.h"
#include "lib/sockaddr.h"
#include "lib/tmr.h"
#include "sip_check.h"
#include "sip_msg.h"
#include "sip_tp_priv.h"

/* RFC 3261 18.1.1: above this (path MTU 1500 - 200) TCP would be due */
#define SIP_UDP_MTU_LIMIT	1300

/* ------------------------------------------------------------- logging */

static const char *hdr_or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

static void log_msg(char tag, osip_message_t *m,
		    const struct sockaddr_storage *peer)
{
	char p[64], tbs[48] = "", *uri = NULL;
	osip_via_t *via = NULL;
	osip_generic_param_t *br = NULL;
	uint64_t tb;
	enum sip_tb st;
	char cid[128] = "-";

	/* plog.h: every message line at debug, whatever its method */
	if (!plog_enabled(PLOG_DEBUG))
		return;
	if (m->call_id && m->call_id->number)
		snprintf(cid, sizeof(cid), "%s%s%s", m->call_id->number,
			 m->call_id->host ? "@" : "",
			 m->call_id->host ? m->call_id->host : "");
	st = sip_msg_tiebreak(m, &tb);
	if (st == SIP_TB_VALID)
		snprintf(tbs, sizeof(tbs), " (Glare-Tiebreak %llu)",
			 (unsigned long long)tb);
	else if (st == SIP_TB_INVALID)
		snprintf(tbs, sizeof(tbs), " (Glare-Tiebreak invalid)");
	osip_message_get_via(m, 0, &via);
	if (via)
		osip_via_param_get_byname(via, "branch", &br);
	sa_str(peer, p, sizeof(p));
	if (MSG_IS_REQUEST(m)) {
		if (m->req_uri)
			osip_uri_to_str(m->req_uri, &uri);
		plog_msg(tag,
			 "%s %s%s | call=%s cseq=%s/%s branch=%s peer=%s",
			 m->sip_method, hdr_or(uri, "-"), tbs,
			 cid,
			 m->cseq ? hdr_or(m->cseq->number, "-") : "-",
			 m->cseq ? hdr_or(m->cseq->method, "-") : "-",
			 br ? hdr_or(br->gvalue, "-") : "-", p);
		osip_free(uri);
	} else {
		plog_msg(tag,
			 "%d %s%s | call=%s cseq=%s/%s branch=%s peer=%s",
			 m->status_code, hdr_or(m->reason_phrase, "-"), tbs,
			 cid,
			 m->cseq ? hdr_or(m->cseq->number, "-") : "-",
			 m->cseq ? hdr_or(m->cseq->method, "-") : "-",
			 br ? hdr_or(br->gvalue, "-") : "-", p);
	}
}

/* ------------------------------------------------------------ lifetime */

int sip_tp_mode_parse(const char *s, enum sip_tp_mode *m)
{
	if (!strcmp(s, "udp"))
		*m = SIP_TP_UDP;
	else if (!strcmp(s, "tcp"))
		*m = SIP_TP_TCP;
	else if (!strcmp(s, "tls"))
		*m = SIP_TP_TLS;
	else if (!strcmp(s, "both"))
		*m = SIP_TP_BOTH;
	else
		return -EINVAL;
	return 0;
}

const char *sip_tp_mode_name(enum sip_tp_mode m)
{
	return m == SIP_TP_TCP ? "tcp" : m == SIP_TP_BOTH ? "both" :
	       m == SIP_TP_TLS ? "tls" : "udp";
}

int sip_tp_ep_add(struct sip_transport *tp, int fd, void *ptr, uint32_t ev)
{
	struct epoll_event e = { .events = ev, .data.ptr = ptr };

	return epoll_ctl(tp->ep, EPOLL_CTL_ADD, fd, &e);
}

struct sip_transport *sip_transport_new(const char *listen, sip_recv_h *h,
					void *arg, char *err, size_t errlen)
{
	return sip_transport_new_mode(listen, SIP_TP_UDP, h, arg, err, errlen);
}

struct sip_transport *sip_transport_new_mode(const char *addr,
					     enum sip_tp_mode mode,
					     sip_recv_h *h, void *arg,
					     char *err, size_t errlen)
{
	struct sip_transport *tp;
	char a[INET6_ADDRSTRLEN];
	socklen_t len;
	int one = 1;

	tp = calloc(1, sizeof(*tp));
	if (tp) {
		tp->fd = -1;
		tp->lfd = -1;
		tp->ep = -1;
	}
	if (!tp || !(tp->rxbuf = malloc(SIP_UDP_MAX + 1))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	tp->mode = mode;
	tp->recv_h = h;
	tp->arg = arg;
	tmr_init(&tp->idle_tmr);
	tp->ep = epoll_create1(EPOLL_CLOEXEC);
	if (tp->ep < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		goto fail;
	}
	if (sip_hostport_parse(addr, SIP_DEFAULT_PORT, &tp->local)) {
		snprintf(err, errlen, "bad listen address '%s' (ADDR[:PORT])",
			 addr);
		goto fail;
	}
	if (mode & SIP_TP_UDP) {
		tp->fd = socket(tp->local.ss_family, SOCK_DGRAM |
				SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (tp->fd < 0 || bind(tp->fd, (struct sockaddr *)&tp->local,
				       sa_len(tp->local.ss_family))) {
			snprintf(err, errlen, "cannot bind %s (UDP): %s",
				 addr, strerror(errno));
			goto fail;
		}
		len = sizeof(tp->local);
		getsockname(tp->fd, (struct sockaddr *)&tp->local, &len);
		if (sip_tp_ep_add(tp, tp->fd, &tp->fd, EPOLLIN)) {
			snprintf(err, errlen, "epoll: %s", strerror(errno));
			goto fail;
		}
	}
	if (mode & SIP_TP_TCP) {
		/* the port UDP got (it may have been 0): one port for both */
		tp->lfd = socket(tp->local.ss_family, SOCK_STREAM |
				 SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (tp->lfd >= 0)
			setsockopt(tp->lfd, SOL_SOCKET, SO_REUSEADDR, &one,
				   sizeof(one));
		if (tp->lfd < 0 || bind(tp->lfd, (struct sockaddr *)&tp->local,
					sa_len(tp->local.ss_family)) ||
		    listen(tp->lfd, 16)) {
			snprintf(err, errlen, "cannot bind %s (TCP): %s",
				 addr, strerror(errno));
			goto fail;
		}
		len = sizeof(tp->local);
		getsockname(tp->lfd, (struct sockaddr *)&tp->local, &len);
		if (sip_tp_ep_add(tp, tp->lfd, &tp->lfd, EPOLLIN)) {
			snprintf(err, errlen, "epoll: %s", strerror(errno));
			goto fail;
		}
	}
	if (tp->local.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (void *)&tp->local;

		if (IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr)) {
			snprintf(err, errlen, "listen on a concrete address, "
				 "not ::");
			goto fail;
		}
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		tp->port = ntohs(s6->sin6_port);
		snprintf(tp->host, sizeof(tp->host), "[%s]", a);
	} else {
		struct sockaddr_in *s4 = (void *)&tp->local;

		if (s4->sin_addr.s_addr == htonl(INADDR_ANY)) {
			snprintf(err, errlen, "listen on a concrete address, "
				 "not 0.0.0.0 (it goes into Via and Contact)");
			goto fail;
		}
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		tp->port = ntohs(s4->sin_port);
		snprintf(tp->host, sizeof(tp->host), "%s", a);
	}
	snprintf(tp->hostport, sizeof(tp->hostport), "%s:%u", tp->host,
		 tp->port);
	return tp;
fail:
	sip_transport_free(tp);
	return NULL;
}

void sip_transport_free(struct sip_transport *tp)
{
	if (!tp)
		return;
	while (tp->nconns)
		sip_tcp_close(tp, tp->conns[0], NULL);
	tmr_cancel(&tp->idle_tmr);
	sip_tls_free(tp);
	if (tp->fd >= 0)
		close(tp->fd);
	if (tp->lfd >= 0)
		close(tp->lfd);
	if (tp->ep >= 0)
		close(tp->ep);
	free(tp->rxbuf);
	free(tp);
}

enum sip_tp_mode sip_transport_mode(const struct sip_transport *tp)
{
	return tp->mode;
}

const char *sip_transport_uri_params(const struct sip_transport *tp)
{
	return tp->mode == SIP_TP_TCP ? ";transport=tcp" :
	       tp->mode == SIP_TP_TLS ? ";transport=tls" : "";
}

void sip_transport_set_fail_handler(struct sip_transport *tp,
				    sip_conn_fail_h *h, void *arg)
{
	tp->fail_h = h;
	tp->fail_arg = arg;
}

void sip_transport_malformed(const struct sip_transport *tp,
			     uint64_t *refused, uint64_t *dropped)
{
	*refused = tp->refused;
	*dropped = tp->dropped;
}

unsigned int sip_transport_conns_in(const struct sip_transport *tp)
{
	return tp->nconns_in;
}

unsigned int sip_transport_conns(const struct sip_transport *tp)
{
	return tp->nconns;
}

void sip_transport_set_handler(struct sip_transport *tp, sip_recv_h *h,
			       void *arg)
{
	tp->recv_h = h;
	tp->arg = arg;
}

int sip_transport_fd(const struct sip_transport *tp)
{
	return tp->ep;
}

const struct sockaddr_storage *sip_transport_local(const struct sip_transport *tp)
{
	return &tp->local;
}

const char *sip_transport_hostport(const struct sip_transport *tp)
{
	return tp->hostport;
}

/* --------------------------------------------------------------- send */

/* the transport named by the top Via of a serialised message */
static bool buf_via_tcp(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
		const char *v = NULL;

		if (n == 0)
			return false;		/* end of the headers */
		if (n > 4 && !strncasecmp(p, "Via:", 4))
			v = p + 4;
		else if (n > 2 && !strncasecmp(p, "v:", 2))
			v = p + 2;
		if (v) {
			const char *slash = memchr(v, '/', n - (size_t)(v - p));

			/* "SIP/2.0/TCP": the second slash */
			if (slash)
				slash = memchr(slash + 1, '/',
					       n - (size_t)(slash + 1 - p));
			if (!slash)
				return false;
			slash++;
			while (slash < p + n && (*slash == ' ' || *slash == '\t'))
				slash++;
			return p + n - slash >= 3 && !strncasecmp(slash, "TCP", 3);
		}
		if (!eol)
			break;
		p = eol + 2;
	}
	return false;
}

int sip_transport_send_buf(struct sip_transport *tp, const char *buf,
			   size_t len, const struct sockaddr_storage *dst)
{
	if ((tp->mode & SIP_TP_TCP) &&
	    (!(tp->mode & SIP_TP_UDP) || buf_via_tcp(buf, len))) {
		int ret = sip_tcp_send(tp, buf, len, dst);

		if (ret) {
			char p[64];

			plog(PLOG_WARN, "send to %s (TCP): %s",
			     sa_str(dst, p, sizeof(p)), strerror(-ret));
		}
		return ret;
	}
	if (len > SIP_UDP_MTU_LIMIT)
		plog(PLOG_DEBUG, "message of %zu bytes over UDP (RFC 3261 "
		     "18.1.1 would use TCP)", len);
	if (sendto(tp->fd, buf, len, 0, (const struct sockaddr *)dst,
		   sa_len(dst->ss_family)) < 0) {
		char p[64];

		plog(PLOG_WARN, "send to %s: %s", sa_str(dst, p, sizeof(p)),
		     strerror(errno));
		return -errno;
	}
	return 0;
}

int sip_transport_send(struct sip_transport *tp, osip_message_t *msg,
		       const struct sockaddr_storage *dst)
{
	char *buf = NULL;
	size_t len;
	int ret;

	osip_message_force_update(msg);
	if (sip_msg_to_buf(msg, &buf, &len))
		return -EINVAL;
	log_msg('>', msg, dst);
	ret = sip_transport_send_buf(tp, buf, len, dst);
	osip_free(buf);
	return ret;
}

/* tcp mode: always; both: when the Request-URI says ;transport=tcp */
static bool want_tcp(const struct sip_transport *tp, const osip_message_t *req)
{
	osip_uri_param_t *t = NULL;

	if (!(tp->mode & SIP_TP_TCP))
		return false;
	if (!(tp->mode & SIP_TP_UDP))
		return true;
	return req->req_uri &&
	       osip_uri_uparam_get_byname(req->req_uri, "transport", &t) == 0 &&
	       t && t->gvalue && !strcasecmp(t->gvalue, "tcp");
}

bool sip_transport_req_tcp(const struct sip_transport *tp,
			   const osip_message_t *req)
{
	return want_tcp(tp, req);
}

int sip_transport_add_via(struct sip_transport *tp, osip_message_t *req,
			  char *branch, size_t size)
{
	char v[160];
	osip_via_t *via;

	sip_branch_new(branch, size);
	snprintf(v, sizeof(v), "SIP/2.0/%s %s;branch=%s;rport",
		 tp->mode & SIP_TP_TLS_BIT ? "TLS" :
		 want_tcp(tp, req) ? "TCP" : "UDP", tp->hostport, branch);
	if (osip_via_init(&via))
		return -ENOMEM;
	if (osip_via_parse(via, v)) {
		osip_via_free(via);
		return -EINVAL;
	}
	osip_list_add(&req->vias, via, 0);
	osip_message_force_update(req);
	return 0;
}

/* ------------------------------------------------------------ receive */

/* 18.2.1 and RFC 3581 4: remember where the request really came from */
static void via_stamp(osip_message_t *req, const struct sockaddr_storage *src)
{
	osip_via_t *via = osip_list_get(&req->vias, 0);
	osip_generic_param_t *rport = NULL;
	char a[64], *colon, port[8];

	if (!via)
		return;
	sa_str(src, a, sizeof(a));
	colon = strrchr(a, ':');
	snprintf(port, sizeof(port), "%s", colon + 1);
	*colon = 0;
	if (a[0] == '[') {		/* received= carries the bare v6 */
		memmove(a, a + 1, strlen(a));
		a[strlen(a) - 1] = 0;
	}
	if (!via->host || strcmp(via->host, a))
		osip_via_set_received(via, osip_strdup(a));
	osip_via_param_get_byname(via, "rport", &rport);
	if (rport) {
		osip_free(rport->gvalue);
		rport->gvalue = osip_strdup(port);
		/* RFC 3581 4: received= even when the host matches */
		if (via->host && !strcmp(via->host, a))
			osip_via_set_received(via, osip_strdup(a));
	}
	osip_message_force_update(req);
}

static bool via_is_ours(struct sip_transport *tp, const osip_message_t *m)
{
	osip_via_t *via = osip_list_get(&m->vias, 0);
	unsigned long port;
	const char *host;
	size_t hl;

	if (!via || !via->host)
		return false;
	port = via->port && *via->port ? strtoul(via->port, NULL, 10) :
	       SIP_DEFAULT_PORT;
	host = tp->host;
	hl = strlen(host);
	if (host[0] == '[') {		/* osip stores v6 hosts bare */
		host++;
		hl -= 2;
	}
	return port == tp->port && strlen(via->host) == hl &&
	       !strncasecmp(via->host, host, hl);
}

static const char *missing_header(const osip_message_t *m)
{
	if (osip_list_eol(&m->vias, 0))
		return "Via";
	if (!m->from)
		return "From";
	if (!m->to)
		return "To";
	if (!m->call_id || !m->call_id->number)
		return "Call-ID";
	if (!m->cseq || !m->cseq->number || !m->cseq->method)
		return "CSeq";
	return NULL;
}

/* 8.2.6.2 by text, for a request libosip2 could not parse: the response
 * goes where the top Via (stamped, 18.2.1) says, if it is usable */
static void refuse_raw(struct sip_transport *tp, const char *buf,
		       size_t len, const struct sockaddr_storage *src,
		       const struct sip_refusal *why)
{
	char via_txt[512], tag[24], *stamped = NULL, *out = NULL;
	struct sockaddr_storage dst;
	osip_message_t *sk = NULL, *r;
	osip_via_t *via = NULL;
	size_t i = 0, size = len + 1024;
	int n = -EINVAL;

	while (i < len && (buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (len - i >= 4 && !strncmp(buf + i, "ACK ", 4))
		goto drop;		/* 17: never answered */
	if (sip_raw_top_via(buf, len, via_txt, sizeof(via_txt)) ||
	    osip_message_init(&sk))
		goto drop;
	if (osip_via_init(&via))
		goto drop;
	if (osip_via_parse(via, via_txt) || !via->host || !via->protocol) {
		osip_via_free(via);
		goto drop;
	}
	osip_list_add(&sk->vias, via, 0);
	via_stamp(sk, src);
	out = malloc(size);
	if (!out || osip_via_to_str(via, &stamped))
		goto drop;
	sip_token_new(tag, sizeof(tag));
	n = sip_raw_reply(buf, len, why, stamped, tag, out, size);
	if (n < 0)
		goto drop;
	sip_response_dst(sk, src, &dst);
	r = sip_msg_parse(out, (size_t)n);
	if (r) {
		log_msg('>', r, &dst);
		osip_message_free(r);
	}
	sip_transport_send_buf(tp, out, (size_t)n, &dst);
	tp->refused++;
	goto out;
drop:
	plog(PLOG_WARN, "no response can be routed (no usable Via, From, To, "
	     "Call-ID or CSeq, or an ACK): dropped");
	tp->dropped++;
out:
	osip_free(stamped);
	free(out);
	if (sk)
		osip_message_free(sk);
}

/* answer a refused request (sip_check.h), or drop it when no response
 * can travel back (no usable Via, an ACK); counted either way */
static void refuse(struct sip_transport *tp, osip_message_t *m,
		   const char *buf, size_t len,
		   const struct sockaddr_storage *src,
		   const struct sip_refusal *why)
{
	struct sockaddr_storage dst;
	osip_message_t *r;
	char p[64], tag[24];

	plog(PLOG_WARN, "bad request from %s: %d %s",
	     sa_str(src, p, sizeof(p)), why->code, why->reason);
	if (!m) {
		refuse_raw(tp, buf, len, src, why);
		return;
	}
	/* a response needs at least a Via to travel back on */
	if (osip_list_eol(&m->vias, 0) || MSG_IS_ACK(m)) {
		tp->dropped++;
		return;
	}
	sip_token_new(tag, sizeof(tag));	/* 8.2.6.2 */
	r = sip_reply_new(m, why->code, tag);
	if (!r) {
		tp->dropped++;
		return;
	}
	osip_free(r->reason_phrase);
	r->reason_phrase = osip_strdup(why->reason);
	sip_response_dst(m, src, &dst);
	sip_transport_send(tp, r, &dst);
	osip_message_free(r);
	tp->refused++;
}

void sip_tp_input(struct sip_transport *tp, const char *buf, size_t len,
		  const struct sockaddr_storage *src, bool tls)
{
	struct sip_refusal why;
	osip_message_t *m;
	const char *miss;
	size_t i;
	char p[64];

	/* RFC 5626 3.5.1 keep-alives: CRLF only */
	for (i = 0; i < len && (buf[i] == '\r' || buf[i] == '\n'); i++)
		;
	if (i == len)
		return;
	m = sip_msg_parse(buf, len);
	if (m && MSG_IS_REQUEST(m))
		via_stamp(m, src);
	if (m)
		log_msg('<', m, src);
	if (sip_raw_is_request(buf, len) &&
	    sip_msg_check(buf, len, m, tls, &why)) {
		refuse(tp, m, buf, len, src, &why);
		goto out;
	}
	if (!m) {
		plog(PLOG_WARN, "unparsable datagram of %zu bytes from %s "
		     "dropped", len, sa_str(src, p, sizeof(p)));
		tp->dropped++;
		return;
	}
	if (!MSG_IS_REQUEST(m)) {
		miss = missing_header(m);
		if (miss) {
			plog(PLOG_WARN, "response without %s dropped", miss);
			goto out;
		}
		if (!via_is_ours(tp, m)) {
			plog(PLOG_WARN, "response with another's Via dropped "
			     "(RFC 3261 18.1.2)");
			goto out;
		}
	}
	tp->recv_h(m, src, tp->arg);
out:
	if (m)
		osip_message_free(m);
}

bool sip_rx_budget_left(unsigned int msgs, uint64_t elapsed_ms)
{
	return msgs < SIP_RX_MAX_MSGS && elapsed_ms < SIP_RX_MAX_MS;
}

/* datagrams while the turn's budget lasts: *@msgs counts them */
static void udp_read(struct sip_transport *tp, unsigned int *msgs,
		     uint64_t t0)
{
	while (sip_rx_budget_left(*msgs, tmr_now() - t0)) {
		struct sockaddr_storage src;
		socklen_t sl = sizeof(src);
		ssize_t n;
		char p[64];

		n = recvfrom(tp->fd, tp->rxbuf, SIP_UDP_MAX + 1, MSG_TRUNC,
			     (struct sockaddr *)&src, &sl);
		if (n < 0)
			return;		/* EAGAIN, or an ICMP error: nothing */
		(*msgs)++;
		if ((size_t)n > SIP_UDP_MAX) {
			plog(PLOG_WARN, "oversize datagram (%zd bytes) from %s "
			     "dropped", n, sa_str(&src, p, sizeof(p)));
			continue;
		}
		tp->rxbuf[n] = 0;
		sip_tp_input(tp, tp->rxbuf, (size_t)n, &src, false);
	}
}

void sip_transport_on_readable(struct sip_transport *tp)
{
	uint64_t t0 = tmr_now();
	unsigned int msgs = 0;

	/* one ready socket at a time: a handler may close connections, so
	 * a batch of events could name freed ones. Bounded in messages and
	 * in time (sip_rx_budget_left()), so that timers (transactions,
	 * pinhole renewals) and the control socket run under a flood or on
	 * a slow machine; level-triggered, so the rest comes back */
	while (sip_rx_budget_left(msgs, tmr_now() - t0)) {
		struct epoll_event e;

		if (epoll_wait(tp->ep, &e, 1, 0) != 1)
			return;
		if (e.data.ptr == &tp->fd) {
			udp_read(tp, &msgs, t0);
			continue;
		}
		msgs++;
		if (e.data.ptr == &tp->lfd)
			sip_tcp_accept(tp);
		else
			sip_tcp_event(tp, e.data.ptr, e.events);
	}
}
