// SPDX-License-Identifier: GPL-2.0
/*
 * sip_tcp.c - SIP over TCP (RFC 3261 18.3): the connections, accepted or
 * opened by us, their write queues and idle timer, and the stream cut
 * into messages by Content-Length (sip_stream_frame). A TLS transport's
 * connections are the same with an SSL object in between (sip_tls.c):
 * conn_recv() / conn_send(), the handshake first.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "lib/plog.h"
#include "lib/sockaddr.h"
#include "lib/tmr.h"
#include "sip_tp_priv.h"

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

void sip_tcp_close(struct sip_transport *tp, struct tcp_conn *c,
		   const char *why)
{
	char p[64];

	if (why)
		plog(PLOG_DEBUG, "tcp %s closed: %s",
		     sa_str(&c->peer, p, sizeof(p)), why);
	for (unsigned int i = 0; i < tp->nconns; i++) {
		if (tp->conns[i] == c) {
			tp->conns[i] = tp->conns[--tp->nconns];
			if (c->incoming)
				tp->nconns_in--;
			break;
		}
	}
	sip_tls_conn_free(c);
	close(c->fd);		/* leaves the epoll set */
	free(c->rbuf);
	free(c->wbuf);
	free(c);
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
	c->incoming = !connecting;
	c->connecting = connecting;
	c->want_out = connecting;
	c->last = c->since = tmr_now();
	if (sip_tls_conn_new(tp, c) ||
	    sip_tp_ep_add(tp, fd, c, EPOLLIN | (connecting ? EPOLLOUT : 0))) {
		sip_tls_conn_free(c);
		close(fd);
		free(c);
		return NULL;
	}
	tp->conns[tp->nconns++] = c;
	if (c->incoming)
		tp->nconns_in++;
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

	if (tp->nconns - tp->nconns_in >= SIP_TCP_MAX_OUT) {
		plog_rl(PLOG_WARN, "tcp: %u connections of ours open, none "
			"more to %s", tp->nconns - tp->nconns_in,
			sa_str(dst, p, sizeof(p)));
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

static ssize_t conn_send(struct tcp_conn *c, const void *buf, size_t len)
{
	if (c->ssl)
		return sip_tls_send(c, buf, len);
	return send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static ssize_t conn_recv(struct tcp_conn *c, void *buf, size_t len)
{
	if (c->ssl)
		return sip_tls_recv(c, buf, len);
	return recv(c->fd, buf, len, 0);
}

/* a connection of ours failed: the layer above hears of it, then closed */
static void conn_fail(struct sip_transport *tp, struct tcp_conn *c,
		      const char *why)
{
	struct sockaddr_storage dst = c->peer;
	bool ours = !c->incoming;
	char p[64];

	plog(PLOG_WARN, "%s %s %s: %s", c->ssl ? "tls" : "tcp",
	     ours ? "connection to" : "connection from",
	     sa_str(&dst, p, sizeof(p)), why);
	sip_tcp_close(tp, c, NULL);
	if (ours && tp->fail_h)
		tp->fail_h(&dst, why, tp->fail_arg);
}

/* writes what is queued; false when the connection broke (closed) */
static bool conn_flush(struct sip_transport *tp, struct tcp_conn *c)
{
	if (c->ssl && !c->tls_ready)
		return true;		/* after the handshake */
	while (c->wlen) {
		ssize_t n = conn_send(c, c->wbuf, c->wlen);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			sip_tcp_close(tp, c, strerror(errno));
			return false;
		}
		memmove(c->wbuf, c->wbuf + n, c->wlen - (size_t)n);
		c->wlen -= (size_t)n;
	}
	conn_want_out(tp, c, c->wlen > 0);
	return true;
}

/* a connection a message to @dst may go on (TLS: the right name) */
static struct tcp_conn *conn_for(struct sip_transport *tp,
				 const struct sockaddr_storage *dst)
{
	for (unsigned int i = 0; i < tp->nconns; i++)
		if (sa_equal(&tp->conns[i]->peer, dst) &&
		    sip_tls_conn_fits(tp, tp->conns[i]))
			return tp->conns[i];
	return NULL;
}

int sip_tcp_send(struct sip_transport *tp, const char *buf, size_t len,
		 const struct sockaddr_storage *dst)
{
	struct tcp_conn *c = conn_for(tp, dst);
	char *nb;

	if (!c && !(c = conn_open(tp, dst)))
		return -errno;
	if (c->wlen + len > SIP_TCP_WBUF_MAX) {
		sip_tcp_close(tp, c, "peer does not read");
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
			sip_tcp_close(tp, c, "idle");
			continue;	/* the last one moved to i */
		}
		i++;
	}
	if (tp->nconns)
		tmr_start(&tp->idle_tmr, SIP_TCP_IDLE_MS / 4, idle_tmr_h, tp);
}

/* accepted connections from @peer's address (any port) */
static unsigned int conns_in_from(const struct sip_transport *tp,
				  const struct sockaddr_storage *peer)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < tp->nconns; i++) {
		const struct tcp_conn *c = tp->conns[i];

		if (c->incoming && sa_same_addr(&c->peer, peer))
			n++;
	}
	return n;
}

/*
 * The accepted connection that gives way to a new one when SIP_TCP_MAX_IN
 * are taken: the oldest that has not carried a whole SIP message (idle,
 * or its TLS handshake not over), NULL when every one has.
 */
static struct tcp_conn *conn_in_mute_oldest(const struct sip_transport *tp)
{
	struct tcp_conn *old = NULL;

	for (unsigned int i = 0; i < tp->nconns; i++) {
		struct tcp_conn *c = tp->conns[i];

		if (c->incoming && !c->spoke && (!old || c->since < old->since))
			old = c;
	}
	return old;
}

void sip_tcp_accept(struct sip_transport *tp)
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
		if (conns_in_from(tp, &peer) >= SIP_TCP_MAX_IN_PER_SRC) {
			plog_rl(PLOG_WARN, "tcp: %u connections from %s "
				"already, one more refused",
				SIP_TCP_MAX_IN_PER_SRC,
				sa_str(&peer, p, sizeof(p)));
			close(fd);
			continue;
		}
		if (tp->nconns_in >= SIP_TCP_MAX_IN) {
			struct tcp_conn *old = conn_in_mute_oldest(tp);
			char o[64];

			if (!old) {
				plog_rl(PLOG_WARN, "tcp: %u connections "
					"accepted already, %s refused",
					tp->nconns_in,
					sa_str(&peer, p, sizeof(p)));
				close(fd);
				continue;
			}
			plog_rl(PLOG_WARN, "tcp: %u connections accepted "
				"already, %s (no SIP message yet) closed for "
				"%s", tp->nconns_in,
				sa_str(&old->peer, o, sizeof(o)),
				sa_str(&peer, p, sizeof(p)));
			sip_tcp_close(tp, old, NULL);
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
			sip_tcp_close(tp, c, "out of memory");
			return false;
		}
		c->rbuf = nb;
		c->rcap = ncap;
	}
	n = conn_recv(c, c->rbuf + c->rlen, c->rcap - c->rlen - 1);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return true;
	if (n <= 0) {
		sip_tcp_close(tp, c, n ? strerror(errno) : "closed by peer");
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
			sip_tcp_close(tp, c, NULL);
			return false;
		}
		/* the handler may send on (or close) this connection: the
		 * message is copied out first */
		c->spoke = true;
		memcpy(tp->rxbuf, c->rbuf, len);
		tp->rxbuf[len] = 0;
		memmove(c->rbuf, c->rbuf + len, c->rlen - len);
		c->rlen -= len;
		{
			struct sockaddr_storage src = c->peer;
			unsigned int before = tp->nconns;

			sip_tp_input(tp, tp->rxbuf, len, &src, !!c->ssl);
			/* closed meanwhile: stop (it may be freed) */
			if (tp->nconns != before || !conn_find(tp, &src))
				return false;
		}
	}
}

void sip_tcp_event(struct sip_transport *tp, struct tcp_conn *c, uint32_t ev)
{
	if (c->connecting && (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
		int e = 0;
		socklen_t el = sizeof(e);

		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &el);
		if (e) {
			conn_fail(tp, c, strerror(e));
			return;
		}
		c->connecting = false;
	}
	if (c->connecting)
		return;
	if (c->ssl && !c->tls_ready) {
		char why[320];
		bool ww;
		int r = sip_tls_handshake(tp, c, &ww, why, sizeof(why));

		if (r < 0) {
			conn_fail(tp, c, why);
			return;
		}
		conn_want_out(tp, c, ww || (r > 0 && c->wlen));
		if (!r)
			return;
		c->last = tmr_now();
		ev |= EPOLLOUT | EPOLLIN;	/* the queue; records read */
	}
	if ((ev & EPOLLOUT) && !conn_flush(tp, c))
		return;
	if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
		/* OpenSSL may hold decrypted bytes the socket no longer
		 * signals: read until they are taken */
		while (tcp_read(tp, c) && sip_tls_pending(c))
			;
	}
}
