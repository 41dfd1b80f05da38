/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sip_transport.h - SIP over UDP (RFC 3261 section 18) with the symmetric
 * response routing of RFC 3581 (rport).
 *
 * Received datagrams are parsed (sip_msg.c); a request gets received= /
 * rport= on its top Via (18.2.1, RFC 3581 4); a response whose top Via is
 * not ours is dropped (18.1.2). Malformed input is answered 400 when it is
 * a request we can still answer, otherwise dropped and logged. Every
 * message sent or received is logged at info (format in plog.h).
 * The message-building helpers every layer needs (Via with a fresh
 * branch, responses from a request, URI resolution) live here too.
 */
#ifndef PINHOLE_AGENT_SIP_TRANSPORT_H
#define PINHOLE_AGENT_SIP_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <osipparser2/osip_parser.h>

/* the largest datagram we accept; larger ones are dropped (18.1.1) */
#define SIP_UDP_MAX		65507
#define SIP_DEFAULT_PORT	5060
/* RFC 3261 8.1.1.7: the branch of every RFC 3261 request starts so */
#define SIP_BRANCH_MAGIC	"z9hG4bK"
#define SIP_MAX_FORWARDS	"70"

struct sip_transport;

/* @msg belongs to the transport: it is freed when the handler returns */
typedef void (sip_recv_h)(osip_message_t *msg,
			  const struct sockaddr_storage *src, void *arg);

/* @listen: "ADDR[:PORT]" or "[V6ADDR][:PORT]"; a concrete address */
struct sip_transport *sip_transport_new(const char *listen, sip_recv_h *h,
					void *arg, char *err, size_t errlen);
void sip_transport_free(struct sip_transport *tp);
void sip_transport_set_handler(struct sip_transport *tp, sip_recv_h *h,
			       void *arg);
int sip_transport_fd(const struct sip_transport *tp);
void sip_transport_on_readable(struct sip_transport *tp);
const struct sockaddr_storage *sip_transport_local(const struct sip_transport *tp);
/* "127.0.0.1:5060" or "[::1]:5060": our sent-by / Contact host-port */
const char *sip_transport_hostport(const struct sip_transport *tp);

/* serialises, logs and sends @msg (not freed); 0 or -errno */
int sip_transport_send(struct sip_transport *tp, osip_message_t *msg,
		       const struct sockaddr_storage *dst);
/* the same for an already serialised message (retransmissions) */
int sip_transport_send_buf(struct sip_transport *tp, const char *buf,
			   size_t len, const struct sockaddr_storage *dst);

/* Prepends our Via (UDP, fresh branch, rport); the branch into @branch */
int sip_transport_add_via(struct sip_transport *tp, osip_message_t *req,
			  char *branch, size_t size);
void sip_branch_new(char *buf, size_t size);
/* random hex token for tags and Call-IDs */
void sip_token_new(char *buf, size_t size);

/* Where to send a response to @req that arrived from @src (18.2.2, 3581) */
void sip_response_dst(const osip_message_t *req,
		      const struct sockaddr_storage *src,
		      struct sockaddr_storage *dst);
/* host and port of a SIP URI (string), default port 5060 */
int sip_uri_resolve(const char *uri, struct sockaddr_storage *dst);
int sip_osip_uri_resolve(const osip_uri_t *u, struct sockaddr_storage *dst);

/*
 * A response to @req (8.2.6.2): Via, From, To, Call-ID, CSeq copied; the To
 * tag set to @to_tag unless the request had one or @to_tag is NULL.
 */
osip_message_t *sip_reply_new(const osip_message_t *req, int code,
			      const char *to_tag);
/* "ADDR:PORT" or "[V6]:PORT" */
const char *sip_sa_str(const struct sockaddr_storage *ss, char *buf,
		       size_t size);
/* parse "ADDR[:PORT]" with a default port */
int sip_hostport_parse(const char *s, uint16_t defport,
		       struct sockaddr_storage *out);

#endif /* PINHOLE_AGENT_SIP_TRANSPORT_H */
