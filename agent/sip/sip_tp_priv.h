// SPDX-License-Identifier: GPL-2.0
/*
 * sip_tp_priv.h - what the transport's files share (sip_transport.c,
 * sip_tcp.c): the transport and TCP connection structs and the calls
 * between the two. Not for use outside sip_transport*.c / sip_tcp.c.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#ifndef PINHOLE_AGENT_SIP_TP_PRIV_H
#define PINHOLE_AGENT_SIP_TP_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "lib/tmr.h"
#include "sip_transport.h"

struct tcp_conn {
	int fd;
	struct sockaddr_storage peer;
	bool incoming;			/* accepted, not opened by us */
	bool connecting;		/* our connect() in progress */
	bool want_out;			/* EPOLLOUT registered */
	uint64_t last;			/* tmr_now() of the last traffic */
	uint64_t since;			/* tmr_now() when it was added */
	bool spoke;			/* a whole SIP message came in */
	char *rbuf;
	size_t rlen, rcap;
	char *wbuf;
	size_t wlen;
	struct ssl_st *ssl;		/* TLS (sip_tls.c), else NULL */
	bool tls_ready;			/* its handshake is over */
	char *tls_name;			/* ours: the name it proves, NULL:
					 * its address */
};

struct sip_transport {
	int fd;				/* UDP, -1 in tcp mode */
	int lfd;			/* TCP listening socket, -1 */
	int ep;				/* epoll over all of them */
	enum sip_tp_mode mode;
	struct tcp_conn *conns[SIP_TCP_MAX_CONNS];
	unsigned int nconns;
	unsigned int nconns_in;		/* of them accepted */
	struct tmr idle_tmr;
	struct sockaddr_storage local;
	char hostport[64];	/* sent-by, Contact */
	char host[48];		/* without the port (and brackets) */
	uint16_t port;
	sip_recv_h *recv_h;
	void *arg;
	char *rxbuf;		/* SIP_UDP_MAX + 1 */
	uint64_t refused;	/* malformed requests answered (sip_check.h) */
	uint64_t dropped;	/* malformed input not answered */
	struct sip_tls *tls;	/* --transport tls: sip_tls.c */
	sip_conn_fail_h *fail_h;	/* a connection of ours failed */
	void *fail_arg;
};

/* sip_transport.c */
int sip_tp_ep_add(struct sip_transport *tp, int fd, void *ptr, uint32_t ev);
/* a received message (datagram or framed from a stream) from @src; @tls:
 * it came over a TLS connection */
void sip_tp_input(struct sip_transport *tp, const char *buf, size_t len,
		  const struct sockaddr_storage *src, bool tls);

/* sip_tcp.c */
void sip_tcp_close(struct sip_transport *tp, struct tcp_conn *c,
		   const char *why);
int sip_tcp_send(struct sip_transport *tp, const char *buf, size_t len,
		 const struct sockaddr_storage *dst);
/* the listening socket is readable */
void sip_tcp_accept(struct sip_transport *tp);
/* epoll events @ev on connection @c */
void sip_tcp_event(struct sip_transport *tp, struct tcp_conn *c, uint32_t ev);

/* sip_tls.c: nothing happens for a connection without @ssl */
int sip_tls_conn_new(struct sip_transport *tp, struct tcp_conn *c);
void sip_tls_conn_free(struct tcp_conn *c);
/* 1 done, 0 in progress (*@want_write: wait for EPOLLOUT), -1 failed
 * (the reason in @why) */
int sip_tls_handshake(struct sip_transport *tp, struct tcp_conn *c,
		      bool *want_write, char *why, size_t size);
/* recv()/send() semantics: -1 with errno EAGAIN when it would block */
ssize_t sip_tls_recv(struct tcp_conn *c, void *buf, size_t len);
ssize_t sip_tls_send(struct tcp_conn *c, const void *buf, size_t len);
/* whether a request to @c->peer may go on @c: a connection of ours
 * proves the name that requests to that address want now (RFC 5922) */
bool sip_tls_conn_fits(const struct sip_transport *tp,
		       const struct tcp_conn *c);
/* decrypted bytes waiting inside OpenSSL (no epoll event for them) */
bool sip_tls_pending(const struct tcp_conn *c);
void sip_tls_free(struct sip_transport *tp);

#endif /* PINHOLE_AGENT_SIP_TP_PRIV_H */
