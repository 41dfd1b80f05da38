/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sip_transport.h - SIP over UDP and TCP (RFC 3261 section 18) with the
 * symmetric response routing of RFC 3581 (rport).
 *
 * TCP (--transport tcp|both): a listening socket and up to
 * SIP_TCP_MAX_IN accepted connections (SIP_TCP_MAX_IN_PER_SRC from one
 * address; more are closed at once) and SIP_TCP_MAX_OUT opened by us,
 * counted apart so that peers cannot take ours. When all SIP_TCP_MAX_IN
 * are taken, a new connection takes the place of the oldest accepted one
 * that has not carried a whole SIP message yet (an idle client, a TLS
 * handshake never finished); only when every one has is it closed. The
 * stream is
 * cut into messages by Content-Length (18.3; a message without it has no
 * body), at most SIP_TCP_MSG_MAX bytes each, or the connection is closed.
 * A message goes over the transport its top Via names: our Via says TCP
 * for every request in tcp mode, and in both mode when the Request-URI has
 * ;transport=tcp; a response follows the request's Via. A TCP message
 * goes on a live connection to the destination when there is one - the
 * one the request came in on for responses (18.2.2) - else on a new one.
 * Connections idle for SIP_TCP_IDLE_MS are closed. sip_transport_fd() is
 * one pollable descriptor (epoll) covering every socket.
 *
 * Received datagrams are parsed (sip_msg.c); a request gets received= /
 * rport= on its top Via (18.2.1, RFC 3581 4); a response whose top Via is
 * not ours is dropped (18.1.2). A malformed request (sip_check.h) is
 * answered 400, 416 or 505 when a response can be routed (a usable Via;
 * by text when libosip2 could not parse it), other malformed input is
 * dropped; both are logged and counted. Every
 * message sent or received is logged at info (format in plog.h).
 * The message-building helpers every layer needs (Via with a fresh
 * branch, responses from a request, a URI's host and port) are declared
 * here too. Nothing here looks a host name up: the transactions do, with
 * lib/resolve.h, without blocking (sip_tx.h).
 *
 * Files: sip_transport.c (sockets, UDP, Via, receive checks, logging),
 * sip_tcp.c (TCP connections and stream framing), sip_addr.c (addresses,
 * URI resolution, response routing and skeleton, branches and tokens);
 * sip_tp_priv.h is what the first two share.
 */
#ifndef PINHOLE_AGENT_SIP_TRANSPORT_H
#define PINHOLE_AGENT_SIP_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <osipparser2/osip_parser.h>

/* the largest datagram we accept; larger ones are dropped (18.1.1) */
#define SIP_UDP_MAX		65507
#define SIP_DEFAULT_PORT	5060
#define SIP_DEFAULT_TLS_PORT	5061	/* a sips: URI's (RFC 3261 19.1.1) */
/* TCP: largest message, connections at once, idle connection lifetime */
#define SIP_TCP_MSG_MAX		65535
#define SIP_TCP_MAX_IN		48
#define SIP_TCP_MAX_IN_PER_SRC	8
#define SIP_TCP_MAX_OUT		16
#define SIP_TCP_MAX_CONNS	(SIP_TCP_MAX_IN + SIP_TCP_MAX_OUT)
#define SIP_TCP_IDLE_MS		64000u
/* bytes queued for a connection that does not drain: then it is closed */
#define SIP_TCP_WBUF_MAX	(4 * SIP_TCP_MSG_MAX)
/* RFC 3261 8.1.1.7: the branch of every RFC 3261 request starts so */
#define SIP_BRANCH_MAGIC	"z9hG4bK"

struct sip_transport;

/* @msg belongs to the transport: it is freed when the handler returns */
typedef void (sip_recv_h)(osip_message_t *msg,
			  const struct sockaddr_storage *src, void *arg);

enum sip_tp_mode {
	SIP_TP_UDP = 1,
	SIP_TP_TCP = 2,
	SIP_TP_BOTH = SIP_TP_UDP | SIP_TP_TCP,
	SIP_TP_TLS_BIT = 4,
	/* TCP connections, every one of them TLS (sip_tls.c) */
	SIP_TP_TLS = SIP_TP_TCP | SIP_TP_TLS_BIT,
};

/* "udp", "tcp", "both", "tls"; 0 or -EINVAL */
int sip_tp_mode_parse(const char *s, enum sip_tp_mode *m);
const char *sip_tp_mode_name(enum sip_tp_mode m);

/* @listen: "ADDR[:PORT]" or "[V6ADDR][:PORT]"; a concrete address. UDP. */
struct sip_transport *sip_transport_new(const char *listen, sip_recv_h *h,
					void *arg, char *err, size_t errlen);
/* the same on UDP, TCP or both (one port number for both) */
struct sip_transport *sip_transport_new_mode(const char *listen,
					     enum sip_tp_mode mode,
					     sip_recv_h *h, void *arg,
					     char *err, size_t errlen);
enum sip_tp_mode sip_transport_mode(const struct sip_transport *tp);
/*
 * TLS (a SIP_TP_TLS transport): our certificate chain and key (PEM; both
 * or neither: without them we connect but accept no connection), and the
 * CA file that verifies servers (NULL: the system's). 0 or -errno, @err.
 */
int sip_transport_set_tls(struct sip_transport *tp, const char *cert,
			  const char *key, const char *ca, char *err,
			  size_t errlen);
/* the name a TLS server at @dst must prove (the URI's host); without
 * one its address is checked. An IP literal @name changes nothing. */
void sip_transport_peer_name(struct sip_transport *tp,
			     const struct sockaddr_storage *dst,
			     const char *name);
/* a connection of ours to @dst failed (connect, TLS): @why in words */
typedef void (sip_conn_fail_h)(const struct sockaddr_storage *dst,
			       const char *why, void *arg);
void sip_transport_set_fail_handler(struct sip_transport *tp,
				    sip_conn_fail_h *h, void *arg);
/* ";transport=tcp" (";transport=tls") for a tcp-only (tls) transport's
 * Contact, else "" */
const char *sip_transport_uri_params(const struct sip_transport *tp);
/* TCP connections open now; of them accepted (the rest are ours) */
unsigned int sip_transport_conns(const struct sip_transport *tp);
unsigned int sip_transport_conns_in(const struct sip_transport *tp);
/* malformed requests answered (400/416/505), malformed input dropped */
void sip_transport_malformed(const struct sip_transport *tp,
			     uint64_t *refused, uint64_t *dropped);
void sip_transport_free(struct sip_transport *tp);
void sip_transport_set_handler(struct sip_transport *tp, sip_recv_h *h,
			       void *arg);
int sip_transport_fd(const struct sip_transport *tp);
/*
 * What is ready, within one turn's budget: at most SIP_RX_MAX_MSGS
 * datagrams or connection events and SIP_RX_MAX_MS of work (a backlog
 * of 16384 datagrams read in one turn kept a loaded pinholed from its
 * timers for tens of seconds: its pinholes expired unrenewed).
 */
#define SIP_RX_MAX_MSGS		64u
#define SIP_RX_MAX_MS		20u
void sip_transport_on_readable(struct sip_transport *tp);
bool sip_rx_budget_left(unsigned int msgs, uint64_t elapsed_ms);
const struct sockaddr_storage *sip_transport_local(const struct sip_transport *tp);
/* "127.0.0.1:5060" or "[::1]:5060": our sent-by / Contact host-port */
const char *sip_transport_hostport(const struct sip_transport *tp);

/* serialises, logs and sends @msg (not freed); 0 or -errno */
int sip_transport_send(struct sip_transport *tp, osip_message_t *msg,
		       const struct sockaddr_storage *dst);
/* the same for an already serialised message (retransmissions) */
int sip_transport_send_buf(struct sip_transport *tp, const char *buf,
			   size_t len, const struct sockaddr_storage *dst);

/*
 * Stream framing (18.3): 1 and *msglen when @buf starts with a complete
 * message (headers, blank line, Content-Length bytes of body; no
 * Content-Length: no body), 0 when more bytes are needed, -EMSGSIZE when
 * it would exceed @max, -EINVAL for a bad or repeated Content-Length.
 */
int sip_stream_frame(const char *buf, size_t len, size_t max, size_t *msglen);

/* Prepends our Via (UDP or TCP as said above, fresh branch, rport); the
 * branch into @branch */
int sip_transport_add_via(struct sip_transport *tp, osip_message_t *req,
			  char *branch, size_t size);
void sip_branch_new(char *buf, size_t size);
/* random hex token for tags and Call-IDs */
void sip_token_new(char *buf, size_t size);

/* Where to send a response to @req that arrived from @src (18.2.2, 3581) */
void sip_response_dst(const osip_message_t *req,
		      const struct sockaddr_storage *src,
		      struct sockaddr_storage *dst);
/* host (as written: "[v6]" keeps its brackets) and port of a SIP URI,
 * default port 5060 (5061 for sips:); 0 or -EINVAL */
int sip_osip_uri_hostport(const osip_uri_t *u, const char **host,
			  uint16_t *port);
/* whether @req goes over TCP (its Via and its connection) */
bool sip_transport_req_tcp(const struct sip_transport *tp,
			   const osip_message_t *req);
/* the address of a SIP URI whose host is an IP literal; -EAGAIN for a
 * host name (never looked up here: see sip_ctx_send_uri()) */
int sip_uri_resolve(const char *uri, struct sockaddr_storage *dst);
int sip_osip_uri_resolve(const osip_uri_t *u, struct sockaddr_storage *dst);

/*
 * A response to @req (8.2.6.2): Via, From, To, Call-ID, CSeq copied; the To
 * tag set to @to_tag unless the request had one or @to_tag is NULL.
 */
osip_message_t *sip_reply_new(const osip_message_t *req, int code,
			      const char *to_tag);
/* parse "ADDR[:PORT]" with a default port */
int sip_hostport_parse(const char *s, uint16_t defport,
		       struct sockaddr_storage *out);

#endif /* PINHOLE_AGENT_SIP_TRANSPORT_H */
