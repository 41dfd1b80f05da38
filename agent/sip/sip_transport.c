// SPDX-License-Identifier: GPL-2.0
/*
 * sip_transport.c - SIP over UDP and TCP: receive, frame, check, parse,
 * log, send.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <osipparser2/osip_port.h>

#include "lib/plog.h"
#include "lib/rand.h"
#include "lib/sockaddr.h"
#include "lib/tmr.h"
#include "sip_msg.h"
#include "sip_transport.h"

/* RFC 3261 18.1.1: above this (path MTU 1500 - 200) TCP would be due */
#define SIP_UDP_MTU_LIMIT	1300

struct tcp_conn {
	int fd;
	struct sockaddr_storage peer;
	bool connecting;		/* our connect() in progress */
	bool want_out;			/* EPOLLOUT registered */
	uint64_t last;			/* tmr_now() of the last traffic */
	char *rbuf;
	size_t rlen, rcap;
	char *wbuf;
	size_t wlen;
};

struct sip_transport {
	int fd;				/* UDP, -1 in tcp mode */
	int lfd;			/* TCP listening socket, -1 */
	int ep;				/* epoll over all of them */
	enum sip_tp_mode mode;
	struct tcp_conn *conns[SIP_TCP_MAX_CONNS];
	unsigned int nconns;
	struct tmr idle_tmr;
	struct sockaddr_storage local;
	char hostport[64];	/* sent-by, Contact */
	char host[48];		/* without the port (and brackets) */
	uint16_t port;
	sip_recv_h *recv_h;
	void *arg;
	char *rxbuf;		/* SIP_UDP_MAX + 1 */
};

static int resolve_host(const char *host, uint16_t port,
			struct sockaddr_storage *out)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res = NULL;
	char h[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(host);

	/* "[v6]" as it may appear in a URI or Via */
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']' &&
	    n - 2 < sizeof(h)) {
		memcpy(h, host + 1, n - 2);
		h[n - 2] = 0;
		host = h;
	}
	if (getaddrinfo(host, NULL, &hints, &res) || !res)
		return -EHOSTUNREACH;
	memset(out, 0, sizeof(*out));
	memcpy(out, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	sa_set_port(out, port);
	return 0;
}

int sip_hostport_parse(const char *s, uint16_t defport,
		       struct sockaddr_storage *out)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *end;
	unsigned long port = defport;
	char *e;
	size_t n;

	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end)
			return -EINVAL;
		n = (size_t)(end - s - 1);
		if (n >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, n);
		host[n] = 0;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] && !colon)
			return -EINVAL;
	} else {
		colon = strrchr(s, ':');
		n = colon ? (size_t)(colon - s) : strlen(s);
		if (n >= sizeof(host) || (colon && strchr(s, ':') != colon))
			return -EINVAL;
		memcpy(host, s, n);
		host[n] = 0;
	}
	if (colon) {
		errno = 0;
		port = strtoul(colon + 1, &e, 10);
		if (errno || *e || !colon[1] || port > 65535)
			return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)out)->sin_addr) == 1) {
		out->ss_family = AF_INET;
	} else if (inet_pton(AF_INET6, host,
			     &((struct sockaddr_in6 *)out)->sin6_addr) == 1) {
		out->ss_family = AF_INET6;
	} else {
		return -EINVAL;
	}
	sa_set_port(out, (uint16_t)port);
	return 0;
}

int sip_osip_uri_resolve(const osip_uri_t *u, struct sockaddr_storage *dst)
{
	unsigned long port = SIP_DEFAULT_PORT;

	if (!u || !u->host)
		return -EINVAL;
	if (u->port && *u->port) {
		port = strtoul(u->port, NULL, 10);
		if (!port || port > 65535)
			return -EINVAL;
	}
	return resolve_host(u->host, (uint16_t)port, dst);
}

int sip_uri_resolve(const char *uri, struct sockaddr_storage *dst)
{
	osip_uri_t *u;
	int ret;

	if (osip_uri_init(&u))
		return -ENOMEM;
	ret = osip_uri_parse(u, uri) ? -EINVAL : sip_osip_uri_resolve(u, dst);
	osip_uri_free(u);
	return ret;
}

void sip_token_new(char *buf, size_t size)
{
	rand_hex(buf, size, 8);
}

void sip_branch_new(char *buf, size_t size)
{
	size_t n = strlen(SIP_BRANCH_MAGIC);

	if (size <= n + 1) {
		buf[0] = 0;
		return;
	}
	memcpy(buf, SIP_BRANCH_MAGIC, n);
	rand_hex(buf + n, size - n, 8);
}

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

	if (!plog_enabled(PLOG_INFO))
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
		plog_tag(tag, "%s %s%s | call=%s cseq=%s/%s branch=%s peer=%s",
			 m->sip_method, hdr_or(uri, "-"), tbs,
			 cid,
			 m->cseq ? hdr_or(m->cseq->number, "-") : "-",
			 m->cseq ? hdr_or(m->cseq->method, "-") : "-",
			 br ? hdr_or(br->gvalue, "-") : "-", p);
		osip_free(uri);
	} else {
		plog_tag(tag, "%d %s%s | call=%s cseq=%s/%s branch=%s peer=%s",
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
	else if (!strcmp(s, "both"))
		*m = SIP_TP_BOTH;
	else
		return -EINVAL;
	return 0;
}

const char *sip_tp_mode_name(enum sip_tp_mode m)
{
	return m == SIP_TP_TCP ? "tcp" : m == SIP_TP_BOTH ? "both" : "udp";
}

static int ep_add(struct sip_transport *tp, int fd, void *ptr, uint32_t ev)
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
		if (ep_add(tp, tp->fd, &tp->fd, EPOLLIN)) {
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
		if (ep_add(tp, tp->lfd, &tp->lfd, EPOLLIN)) {
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

static void conn_close(struct sip_transport *tp, struct tcp_conn *c,
		       const char *why)
{
	char p[64];

	if (why)
		plog(PLOG_DEBUG, "tcp %s closed: %s",
		     sa_str(&c->peer, p, sizeof(p)), why);
	for (unsigned int i = 0; i < tp->nconns; i++) {
		if (tp->conns[i] == c) {
			tp->conns[i] = tp->conns[--tp->nconns];
			break;
		}
	}
	close(c->fd);		/* leaves the epoll set */
	free(c->rbuf);
	free(c->wbuf);
	free(c);
}

void sip_transport_free(struct sip_transport *tp)
{
	if (!tp)
		return;
	while (tp->nconns)
		conn_close(tp, tp->conns[0], NULL);
	tmr_cancel(&tp->idle_tmr);
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
	return tp->mode == SIP_TP_TCP ? ";transport=tcp" : "";
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

static bool sa_equal(const struct sockaddr_storage *a,
		     const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr));
	}
	const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

	return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
}

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

static void idle_tmr_h(void *arg);

static void conn_want_out(struct sip_transport *tp, struct tcp_conn *c,
			  bool on)
{
	struct epoll_event e = { .events = EPOLLIN | (on ? EPOLLOUT : 0),
				 .data.ptr = c };

	if (c->want_out == on)
		return;
	c->want_out = on;
	epoll_ctl(tp->ep, EPOLL_CTL_MOD, c->fd, &e);
}

static struct tcp_conn *conn_add(struct sip_transport *tp, int fd,
				 const struct sockaddr_storage *peer,
				 bool connecting)
{
	struct tcp_conn *c = calloc(1, sizeof(*c));

	if (!c) {
		close(fd);
		return NULL;
	}
	c->fd = fd;
	c->peer = *peer;
	c->connecting = connecting;
	c->want_out = connecting;
	c->last = tmr_now();
	if (ep_add(tp, fd, c, EPOLLIN | (connecting ? EPOLLOUT : 0))) {
		close(fd);
		free(c);
		return NULL;
	}
	tp->conns[tp->nconns++] = c;
	if (!tmr_running(&tp->idle_tmr))
		tmr_start(&tp->idle_tmr, SIP_TCP_IDLE_MS / 4, idle_tmr_h, tp);
	return c;
}

static struct tcp_conn *conn_find(struct sip_transport *tp,
				  const struct sockaddr_storage *dst)
{
	for (unsigned int i = 0; i < tp->nconns; i++)
		if (sa_equal(&tp->conns[i]->peer, dst))
			return tp->conns[i];
	return NULL;
}

static struct tcp_conn *conn_open(struct sip_transport *tp,
				  const struct sockaddr_storage *dst)
{
	char p[64];
	int fd;

	if (tp->nconns >= SIP_TCP_MAX_CONNS) {
		plog(PLOG_WARN, "tcp: %u connections open, none more to %s",
		     tp->nconns, sa_str(dst, p, sizeof(p)));
		errno = EMFILE;
		return NULL;
	}
	fd = socket(dst->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return NULL;
	if (connect(fd, (const struct sockaddr *)dst, sa_len(dst->ss_family)) &&
	    errno != EINPROGRESS) {
		int e = errno;

		close(fd);
		errno = e;
		return NULL;
	}
	return conn_add(tp, fd, dst, true);
}

/* writes what is queued; false when the connection broke (closed) */
static bool conn_flush(struct sip_transport *tp, struct tcp_conn *c)
{
	while (c->wlen) {
		ssize_t n = send(c->fd, c->wbuf, c->wlen,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			conn_close(tp, c, strerror(errno));
			return false;
		}
		memmove(c->wbuf, c->wbuf + n, c->wlen - (size_t)n);
		c->wlen -= (size_t)n;
	}
	conn_want_out(tp, c, c->wlen > 0);
	return true;
}

static int tcp_send(struct sip_transport *tp, const char *buf, size_t len,
		    const struct sockaddr_storage *dst)
{
	struct tcp_conn *c = conn_find(tp, dst);
	char *nb;

	if (!c && !(c = conn_open(tp, dst)))
		return -errno;
	if (c->wlen + len > SIP_TCP_WBUF_MAX) {
		conn_close(tp, c, "peer does not read");
		return -ENOBUFS;
	}
	nb = realloc(c->wbuf, c->wlen + len);
	if (!nb)
		return -ENOMEM;
	c->wbuf = nb;
	memcpy(c->wbuf + c->wlen, buf, len);
	c->wlen += len;
	c->last = tmr_now();
	if (!c->connecting && !conn_flush(tp, c))
		return -EPIPE;
	return 0;
}

int sip_transport_send_buf(struct sip_transport *tp, const char *buf,
			   size_t len, const struct sockaddr_storage *dst)
{
	if ((tp->mode & SIP_TP_TCP) &&
	    (!(tp->mode & SIP_TP_UDP) || buf_via_tcp(buf, len))) {
		int ret = tcp_send(tp, buf, len, dst);

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

int sip_transport_add_via(struct sip_transport *tp, osip_message_t *req,
			  char *branch, size_t size)
{
	char v[160];
	osip_via_t *via;

	sip_branch_new(branch, size);
	snprintf(v, sizeof(v), "SIP/2.0/%s %s;branch=%s;rport",
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

/* ------------------------------------------------------------ replies */

osip_message_t *sip_reply_new(const osip_message_t *req, int code,
			      const char *to_tag)
{
	osip_message_t *r;
	osip_generic_param_t *tag = NULL;
	const char *reason = osip_message_get_reason(code);
	int pos = 0;

	if (osip_message_init(&r))
		return NULL;
	osip_message_set_version(r, osip_strdup("SIP/2.0"));
	osip_message_set_status_code(r, code);
	osip_message_set_reason_phrase(r, osip_strdup(reason ? reason :
						      "Unknown"));
	while (!osip_list_eol(&req->vias, pos)) {
		osip_via_t *v = osip_list_get(&req->vias, pos++), *c = NULL;

		if (osip_via_clone(v, &c) == 0)
			osip_list_add(&r->vias, c, -1);
	}
	if (req->from)
		osip_from_clone(req->from, &r->from);
	if (req->to) {
		osip_to_clone(req->to, &r->to);
		if (to_tag && r->to && (osip_to_get_tag(r->to, &tag) ||
					!tag))
			osip_to_set_tag(r->to, osip_strdup(to_tag));
	}
	if (req->call_id)
		osip_call_id_clone(req->call_id, &r->call_id);
	if (req->cseq)
		osip_cseq_clone(req->cseq, &r->cseq);
	/* 12.1.1: a response that can establish a dialog carries the
	 * request's Record-Route values, in order, so the proxies that
	 * asked to stay in the path see the rest of the dialog */
	if (code > 100 && code < 300) {
		pos = 0;
		while (!osip_list_eol(&req->record_routes, pos)) {
			osip_record_route_t *rr, *c = NULL;

			rr = osip_list_get(&req->record_routes, pos++);
			if (osip_record_route_clone(rr, &c) == 0)
				osip_list_add(&r->record_routes, c, -1);
		}
	}
	osip_message_set_header(r, "Server", "pinholed");
	return r;
}

void sip_response_dst(const osip_message_t *req,
		      const struct sockaddr_storage *src,
		      struct sockaddr_storage *dst)
{
	osip_via_t *via = osip_list_get(&req->vias, 0);
	osip_generic_param_t *rport = NULL;
	unsigned long port = SIP_DEFAULT_PORT;

	/* 18.2.2: to the source address (received=) and, RFC 3581, to
	 * the source port when rport was asked for, else the sent-by port */
	*dst = *src;
	if (!via)
		return;
	osip_via_param_get_byname(via, "rport", &rport);
	if (rport && rport->gvalue && *rport->gvalue)
		port = strtoul(rport->gvalue, NULL, 10);
	else if (via->port && *via->port)
		port = strtoul(via->port, NULL, 10);
	if (port && port <= 65535)
		sa_set_port(dst, (uint16_t)port);
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

static void reject_400(struct sip_transport *tp, osip_message_t *m,
		       const struct sockaddr_storage *src, const char *why)
{
	struct sockaddr_storage dst;
	osip_message_t *r;
	char p[64];

	plog(PLOG_WARN, "bad request from %s: %s", sa_str(src, p, sizeof(p)),
	     why);
	/* a response needs at least a Via to travel back on */
	if (osip_list_eol(&m->vias, 0) || MSG_IS_ACK(m))
		return;
	r = sip_reply_new(m, 400, NULL);
	if (!r)
		return;
	osip_free(r->reason_phrase);
	r->reason_phrase = osip_strdup(why);
	sip_response_dst(m, src, &dst);
	sip_transport_send(tp, r, &dst);
	osip_message_free(r);
}

static void handle_datagram(struct sip_transport *tp, const char *buf,
			    size_t len, const struct sockaddr_storage *src)
{
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
	if (!m) {
		plog(PLOG_WARN, "unparsable datagram of %zu bytes from %s "
		     "dropped", len, sa_str(src, p, sizeof(p)));
		return;
	}
	if (MSG_IS_REQUEST(m))
		via_stamp(m, src);
	log_msg('<', m, src);
	miss = missing_header(m);
	if (MSG_IS_REQUEST(m)) {
		char why[64];

		if (miss) {
			snprintf(why, sizeof(why), "Missing %s", miss);
			reject_400(tp, m, src, why);
			goto out;
		}
		if (strcasecmp(m->cseq->method, m->sip_method)) {
			reject_400(tp, m, src, "CSeq Method Mismatch");
			goto out;
		}
		if (!m->req_uri || !m->req_uri->scheme) {
			reject_400(tp, m, src, "Bad Request-URI");
			goto out;
		}
	} else {
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
	osip_message_free(m);
}

int sip_stream_frame(const char *buf, size_t len, size_t max, size_t *msglen)
{
	const char *hend = memmem(buf, len, "\r\n\r\n", 4), *p, *end;
	unsigned long long clen = 0;
	bool seen = false;

	if (!hend)
		return len >= max ? -EMSGSIZE : 0;
	end = hend + 2;
	p = memmem(buf, (size_t)(end - buf), "\r\n", 2);	/* start line */
	while (p && p + 2 < end) {
		const char *line = p + 2, *eol, *colon, *v;
		size_t nl;

		eol = memmem(line, (size_t)(end - line), "\r\n", 2);
		if (!eol)
			break;
		colon = memchr(line, ':', (size_t)(eol - line));
		p = eol;
		if (!colon)
			continue;
		nl = (size_t)(colon - line);
		while (nl && (line[nl - 1] == ' ' || line[nl - 1] == '\t'))
			nl--;
		if (!((nl == 14 && !strncasecmp(line, "Content-Length", 14)) ||
		      (nl == 1 && (line[0] == 'l' || line[0] == 'L'))))
			continue;
		v = colon + 1;
		while (v < eol && (*v == ' ' || *v == '\t'))
			v++;
		if (v == eol || seen)
			return -EINVAL;		/* empty or repeated */
		seen = true;
		for (; v < eol && *v >= '0' && *v <= '9'; v++) {
			clen = clen * 10 + (unsigned long long)(*v - '0');
			if (clen > max)
				return -EMSGSIZE;
		}
		while (v < eol && (*v == ' ' || *v == '\t'))
			v++;
		if (v != eol)
			return -EINVAL;
	}
	if ((size_t)(hend + 4 - buf) + clen > max)
		return -EMSGSIZE;
	if ((size_t)(hend + 4 - buf) + clen > len)
		return 0;
	*msglen = (size_t)(hend + 4 - buf) + (size_t)clen;
	return 1;
}

static void idle_tmr_h(void *arg)
{
	struct sip_transport *tp = arg;
	uint64_t now = tmr_now();

	for (unsigned int i = 0; i < tp->nconns;) {
		struct tcp_conn *c = tp->conns[i];

		if (now - c->last >= SIP_TCP_IDLE_MS) {
			conn_close(tp, c, "idle");
			continue;	/* the last one moved to i */
		}
		i++;
	}
	if (tp->nconns)
		tmr_start(&tp->idle_tmr, SIP_TCP_IDLE_MS / 4, idle_tmr_h, tp);
}

static void tcp_accept(struct sip_transport *tp)
{
	for (int k = 0; k < 16; k++) {
		struct sockaddr_storage peer;
		socklen_t sl = sizeof(peer);
		char p[64];
		int fd;

		memset(&peer, 0, sizeof(peer));
		fd = accept4(tp->lfd, (struct sockaddr *)&peer, &sl,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (tp->nconns >= SIP_TCP_MAX_CONNS) {
			plog(PLOG_WARN, "tcp: %u connections open, %s refused",
			     tp->nconns, sa_str(&peer, p, sizeof(p)));
			close(fd);
			continue;
		}
		conn_add(tp, fd, &peer, false);
	}
}

/* false when the connection was closed */
static bool tcp_read(struct sip_transport *tp, struct tcp_conn *c)
{
	char p[64];
	ssize_t n;
	int rc;

	if (c->rcap - c->rlen < 4096 && c->rcap < SIP_TCP_MSG_MAX + 1) {
		size_t ncap = c->rcap ? c->rcap * 2 : 8192;
		char *nb;

		if (ncap > SIP_TCP_MSG_MAX + 1)
			ncap = SIP_TCP_MSG_MAX + 1;
		nb = realloc(c->rbuf, ncap);
		if (!nb) {
			conn_close(tp, c, "out of memory");
			return false;
		}
		c->rbuf = nb;
		c->rcap = ncap;
	}
	n = recv(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen - 1, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return true;
	if (n <= 0) {
		conn_close(tp, c, n ? strerror(errno) : "closed by peer");
		return false;
	}
	c->rlen += (size_t)n;
	c->last = tmr_now();
	for (;;) {
		size_t skip = 0, len;

		/* CRLF keep-alives (RFC 5626 3.5.1) between messages */
		while (skip < c->rlen &&
		       (c->rbuf[skip] == '\r' || c->rbuf[skip] == '\n'))
			skip++;
		if (skip) {
			memmove(c->rbuf, c->rbuf + skip, c->rlen - skip);
			c->rlen -= skip;
		}
		if (!c->rlen)
			return true;
		rc = sip_stream_frame(c->rbuf, c->rlen, SIP_TCP_MSG_MAX, &len);
		if (rc == 0)
			return true;
		if (rc < 0) {
			plog(PLOG_WARN, "tcp %s: %s: connection closed",
			     sa_str(&c->peer, p, sizeof(p)),
			     rc == -EMSGSIZE ? "message over 64 KB" :
			     "bad Content-Length");
			conn_close(tp, c, NULL);
			return false;
		}
		/* the handler may send on (or close) this connection: the
		 * message is copied out first */
		memcpy(tp->rxbuf, c->rbuf, len);
		tp->rxbuf[len] = 0;
		memmove(c->rbuf, c->rbuf + len, c->rlen - len);
		c->rlen -= len;
		{
			struct sockaddr_storage src = c->peer;
			unsigned int before = tp->nconns;

			handle_datagram(tp, tp->rxbuf, len, &src);
			/* closed meanwhile: stop (it may be freed) */
			if (tp->nconns != before || !conn_find(tp, &src))
				return false;
		}
	}
}

static void conn_event(struct sip_transport *tp, struct tcp_conn *c,
		       uint32_t ev)
{
	if (c->connecting && (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
		int e = 0;
		socklen_t el = sizeof(e);

		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &el);
		if (e) {
			char p[64];

			plog(PLOG_WARN, "tcp connect to %s: %s",
			     sa_str(&c->peer, p, sizeof(p)), strerror(e));
			conn_close(tp, c, NULL);
			return;
		}
		c->connecting = false;
	}
	if ((ev & EPOLLOUT) && !c->connecting && !conn_flush(tp, c))
		return;
	if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP))
		tcp_read(tp, c);
}

static void udp_read(struct sip_transport *tp)
{
	for (int k = 0; k < 64; k++) {
		struct sockaddr_storage src;
		socklen_t sl = sizeof(src);
		ssize_t n;
		char p[64];

		n = recvfrom(tp->fd, tp->rxbuf, SIP_UDP_MAX + 1, MSG_TRUNC,
			     (struct sockaddr *)&src, &sl);
		if (n < 0)
			return;		/* EAGAIN, or an ICMP error: nothing */
		if ((size_t)n > SIP_UDP_MAX) {
			plog(PLOG_WARN, "oversize datagram (%zd bytes) from %s "
			     "dropped", n, sa_str(&src, p, sizeof(p)));
			continue;
		}
		tp->rxbuf[n] = 0;
		handle_datagram(tp, tp->rxbuf, (size_t)n, &src);
	}
}

void sip_transport_on_readable(struct sip_transport *tp)
{
	/* one ready socket at a time: a handler may close connections, so
	 * a batch of events could name freed ones. Bounded, so timers run
	 * under a flood; level-triggered, so the rest comes back */
	for (int k = 0; k < 256; k++) {
		struct epoll_event e;

		if (epoll_wait(tp->ep, &e, 1, 0) != 1)
			return;
		if (e.data.ptr == &tp->fd)
			udp_read(tp);
		else if (e.data.ptr == &tp->lfd)
			tcp_accept(tp);
		else
			conn_event(tp, e.data.ptr, e.events);
	}
}
