/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sip_tx.h - SIP transactions (RFC 3261 section 17, with the Accepted
 * states of RFC 6026) over an unreliable transport.
 *
 * struct sip is the transaction layer of one transport: every received
 * message goes through sip_input(); what matches a transaction is handled
 * there (retransmissions absorbed or answered, ACKs of non-2xx consumed,
 * CANCEL answered and reported to the INVITE's owner), the rest is handed
 * to the core's request handler.
 *
 * Client transactions (sip_ctx): INVITE (Timers A, B, D; 2xx passed up in
 * Accepted until Timer M) and non-INVITE (E, F, K). The response handler
 * sees every response the TU must see: 1xx, the final, and each 2xx
 * retransmission of an INVITE; @code is 408 on Timer B/F and 503 when the
 * transport failed (8.1.3.1), with @resp NULL.
 *
 * Server transactions (sip_stx): INVITE (G, H, I; 2xx retransmitted by
 * the UAS core rules of 13.3.1.4 until the ACK or 64*T1, RFC 6026 Timer L)
 * and non-INVITE (J). A retransmitted INVITE before the final response is
 * answered with the last provisional and reported (resent handler).
 *
 * Host names (Request-URI, route set, Contact, --proxy) are looked up
 * without blocking: sip_ctx_send_uri() and sip_send_stateless_uri() hold
 * the request until the lookup is done (see there); IP literals are sent
 * at once.
 *
 * Lifetime: a transaction is freed when its state machine has terminated
 * AND its owner released it (sip_ctx_release / sip_stx_release); after a
 * release no handler of the owner is called again.
 *
 * Bounds (issue 13): at most stx_max server transactions at once, and
 * stx_per_src_max of them for one source (an IPv4 address, an IPv6 /64),
 * so that one source cannot take the slots of others; at most ctx_max
 * client transactions (sip_ctx_send fails with EBUSY). A request beyond
 * them never reaches the core: it is answered statelessly 503 with
 * Retry-After (RFC 3261 21.5.4; a CANCEL of a pending INVITE 200, an ACK
 * nothing). Answering does not amplify - one datagram per request, never
 * retransmitted, no larger than the request plus a tag and Retry-After -
 * and it stops a legitimate client's retransmissions, which silence would
 * multiply by 11 (Timer E); so nothing beyond the caps is dropped silently.
 * A non-INVITE server transaction keeps, once answered, only its
 * response's wire form and what matches a retransmission to it (17.2.3),
 * not the request: about 1 KB for Timer J's 32 s.
 *
 * Files: sip_tx.c (the layer, dispatch, stateless), sip_ctx.c (client),
 * sip_stx.c (server); sip_tx_priv.h is what they share.
 */
#ifndef PINHOLE_AGENT_SIP_TX_H
#define PINHOLE_AGENT_SIP_TX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <osipparser2/osip_parser.h>

#include "sip_transport.h"

/*
 * RFC 3261 17.1.1.1 and table 4: the timer constants, named once. T1, the
 * round-trip estimate, is 500 ms unless set per layer (sip_set_t1():
 * larger on a long-delay path; smaller only in a closed private network,
 * 17.1.1.1); "changing T1 adjusts" the timers defined from it (A, B, E, F,
 * G, H, J, and RFC 6026's L and M), SIP_TIMER_x(t1). T2, T4 and Timer D do
 * not depend on it.
 */
#define SIP_T1_MS		500u	/* RTT estimate: the default */
#define SIP_T1_MIN_MS		50u
#define SIP_T1_MAX_MS		5000u
#define SIP_T2_MS		4000u	/* max non-INVITE retransmit interval */
#define SIP_T4_MS		5000u	/* max time a message stays in the net */
#define SIP_TIMER_A(t1)		(t1)		/* INVITE retransmit, doubles */
#define SIP_TIMER_B(t1)		(64u * (t1))	/* INVITE timeout */
#define SIP_TIMER_D_MS		32000u		/* >32 s for UDP */
#define SIP_TIMER_E(t1)		(t1)		/* non-INVITE retransmit */
#define SIP_TIMER_F(t1)		(64u * (t1))	/* non-INVITE timeout */
#define SIP_TIMER_G(t1)		(t1)		/* INVITE response retransmit */
#define SIP_TIMER_H(t1)		(64u * (t1))	/* wait for ACK */
#define SIP_TIMER_I_MS		SIP_T4_MS	/* absorb ACK retransmits */
#define SIP_TIMER_J(t1)		(64u * (t1))	/* absorb request retransmits */
#define SIP_TIMER_K_MS		SIP_T4_MS	/* absorb response retransmits */
#define SIP_TIMER_L(t1)		(64u * (t1))	/* RFC 6026: 2xx, wait for ACK */
#define SIP_TIMER_M(t1)		(64u * (t1))	/* RFC 6026: 2xx retransmits */
/* the same at the default T1 */
#define SIP_TIMER_A_MS		SIP_TIMER_A(SIP_T1_MS)
#define SIP_TIMER_B_MS		SIP_TIMER_B(SIP_T1_MS)
#define SIP_TIMER_E_MS		SIP_TIMER_E(SIP_T1_MS)
#define SIP_TIMER_F_MS		SIP_TIMER_F(SIP_T1_MS)
#define SIP_TIMER_G_MS		SIP_TIMER_G(SIP_T1_MS)
#define SIP_TIMER_H_MS		SIP_TIMER_H(SIP_T1_MS)
#define SIP_TIMER_J_MS		SIP_TIMER_J(SIP_T1_MS)
#define SIP_TIMER_L_MS		SIP_TIMER_L(SIP_T1_MS)
#define SIP_TIMER_M_MS		SIP_TIMER_M(SIP_T1_MS)

struct sip;
struct sip_ctx;
struct sip_stx;

/*
 * A request no transaction matched: the core creates a server transaction
 * (sip_stx_new) and answers, or drops it (a stray ACK). @req is only
 * borrowed.
 */
typedef void (sip_req_h)(struct sip *s, const osip_message_t *req,
			 const struct sockaddr_storage *src, void *arg);

/* RFC 3261 21.5.4: how long an overloaded daemon asks to be left alone */
#define SIP_RETRY_AFTER_S	10
#define SIP_STX_MAX_DEFAULT	32768
#define SIP_CTX_MAX_DEFAULT	32768

struct sip_limits {
	unsigned int stx_max;		/* server transactions at once */
	unsigned int stx_per_src_max;	/* of them from one source */
	unsigned int ctx_max;		/* client transactions at once */
};

/* the defaults above; per source a quarter of @stx_max */
void sip_limits_default(struct sip_limits *l, unsigned int stx_max);

struct sip *sip_new(struct sip_transport *tp, sip_req_h *h, void *arg);
void sip_free(struct sip *s);
/* replaces the limits (sip_new: the defaults); transactions alive stay */
void sip_set_limits(struct sip *s, const struct sip_limits *l);
/*
 * T1 in ms, set before the first transaction (sip_new: SIP_T1_MS);
 * -ERANGE outside SIP_T1_MIN_MS..SIP_T1_MAX_MS, T1 unchanged. sip_t1():
 * the layer's T1.
 */
int sip_set_t1(struct sip *s, unsigned int ms);
uint32_t sip_t1(const struct sip *s);
struct sip_transport *sip_transport(const struct sip *s);
/* the transport's receive handler (sip_recv_h) */
void sip_input(osip_message_t *msg, const struct sockaddr_storage *src,
	       void *arg);
/* transactions alive (tests, stats) */
unsigned int sip_tx_count(const struct sip *s);
/* server transactions alive, all of them or from @src's address (or /64) */
unsigned int sip_stx_count(const struct sip *s,
			   const struct sockaddr_storage *src);
/* requests answered 503 (or dropped, ACK) for the limits; client
 * transactions refused */
uint64_t sip_stx_refused(const struct sip *s);
uint64_t sip_ctx_refused(const struct sip *s);

/* ---------------------------------------------------------- client */

typedef void (sip_ctx_h)(struct sip_ctx *ct, const osip_message_t *resp,
			 int code, void *arg);

enum sip_ctx_state {
	SIP_CTX_CALLING,	/* INVITE sent; TRYING for non-INVITE */
	SIP_CTX_PROCEEDING,
	SIP_CTX_COMPLETED,
	SIP_CTX_ACCEPTED,	/* RFC 6026: INVITE got a 2xx */
	SIP_CTX_TERMINATED,
};

/*
 * Adds our Via (new branch) to @req, which the transaction takes, and
 * sends it to @dst. NULL on failure (@req freed; errno EBUSY: ctx_max).
 */
struct sip_ctx *sip_ctx_send(struct sip *s, osip_message_t *req,
			     const struct sockaddr_storage *dst,
			     sip_ctx_h *h, void *arg);
/*
 * The same to the host and port of SIP URI @uri (the next hop: a route or
 * the target). An IP literal is sent at once, as sip_ctx_send(); a host
 * name is located first (sip_locate.h: RFC 3263 NAPTR, SRV, A or AAAA of
 * our transport's family) and the request waits in its transaction,
 * Timer B/F running, until the answer: then it goes out to the first
 * address, and to the next one (a new branch) when an address fails (no
 * answer before Timer B/F, a send error, a 503); a failed lookup ends the
 * transaction like a transport error, 503 to the handler with @resp NULL
 * (RFC 3263 4.3). Releasing or CANCELling (sip_ctx_cancel: -EALREADY,
 * the transaction terminated) a transaction still waiting for its lookup
 * drops the lookup and the request: nothing was sent.
 */
struct sip_ctx *sip_ctx_send_uri(struct sip *s, osip_message_t *req,
				 const char *uri, sip_ctx_h *h, void *arg);
/* the same to addresses already located, in the order to try them */
struct sip_ctx *sip_ctx_send_targets(struct sip *s, osip_message_t *req,
				     const struct sockaddr_storage *addrs,
				     unsigned int n, sip_ctx_h *h, void *arg);
/*
 * An INVITE sent before a restart (its own Via and branch kept, taken),
 * to @dst: the transaction again, in Proceeding without a send, so that
 * sip_ctx_cancel() CANCELs it at once and its responses (487, a late 2xx)
 * reach @h. Timer B bounds it. NULL on failure (@req freed).
 */
struct sip_ctx *sip_ctx_restore(struct sip *s, osip_message_t *req,
				const struct sockaddr_storage *dst,
				sip_ctx_h *h, void *arg);
/* its request waits for a host name lookup */
bool sip_ctx_resolving(const struct sip_ctx *ct);
/* INVITE only: CANCEL it (9.1), at once or after the first 1xx */
int sip_ctx_cancel(struct sip_ctx *ct);
/* send the request again now (same branch: a retransmission) */
int sip_ctx_retransmit(struct sip_ctx *ct);
const osip_message_t *sip_ctx_request(const struct sip_ctx *ct);
const struct sockaddr_storage *sip_ctx_dst(const struct sip_ctx *ct);
enum sip_ctx_state sip_ctx_state(const struct sip_ctx *ct);
void sip_ctx_release(struct sip_ctx *ct);

/* ---------------------------------------------------------- server */

enum sip_stx_state {
	SIP_STX_PROCEEDING,	/* TRYING for non-INVITE */
	SIP_STX_COMPLETED,
	SIP_STX_CONFIRMED,
	SIP_STX_ACCEPTED,	/* RFC 6026: 2xx sent, waiting for its ACK */
	SIP_STX_TERMINATED,
};

struct sip_stx_handlers {
	void (*resent)(struct sip_stx *st, void *arg);	/* INVITE again */
	/* the (first) ACK of our 2xx: its body may hold the answer to
	 * an offer of ours (a late offer, RFC 3264 / 3261 13.2.1) */
	void (*ack)(struct sip_stx *st, const osip_message_t *ack, void *arg);
	void (*ack_timeout)(struct sip_stx *st, void *arg); /* 64*T1 */
	void (*cancel)(struct sip_stx *st, void *arg);	/* CANCEL (200 sent) */
};

/* NULL on failure (errno EBUSY: beyond the limits, see above) */
struct sip_stx *sip_stx_new(struct sip *s, const osip_message_t *req,
			    const struct sockaddr_storage *src,
			    const struct sip_stx_handlers *h, void *arg);
/* sends @resp (taken) on the transaction; 0 or -errno */
int sip_stx_reply(struct sip_stx *st, osip_message_t *resp);
/* sip_reply_new() + sip_stx_reply() */
int sip_stx_reply_code(struct sip_stx *st, int code, const char *to_tag);
/* the request; NULL for a non-INVITE once its final response is sent */
const osip_message_t *sip_stx_request(const struct sip_stx *st);
const struct sockaddr_storage *sip_stx_src(const struct sip_stx *st);
enum sip_stx_state sip_stx_state(const struct sip_stx *st);
/* the last final response code sent, 0 if none */
int sip_stx_final(const struct sip_stx *st);
void sip_stx_release(struct sip_stx *st);

/* a request outside any transaction (ACK for a 2xx, 13.2.2.4): new Via */
int sip_send_stateless(struct sip *s, osip_message_t *req,
		       const struct sockaddr_storage *dst);
/* the same to SIP URI @uri; for a host name, a copy of @req waits for
 * the lookup (dropped, logged, when it fails); 0 or -errno */
int sip_send_stateless_uri(struct sip *s, const osip_message_t *req,
			   const char *uri);
/* requests (transactions or stateless) waiting for a lookup */
unsigned int sip_resolving_count(const struct sip *s);
/* answer a request without a transaction (stray requests) */
int sip_reply_stateless(struct sip *s, const osip_message_t *req,
			const struct sockaddr_storage *src, int code);
/* the same, 503 with Retry-After: SIP_RETRY_AFTER_S (overload) */
int sip_reply_overload(struct sip *s, const osip_message_t *req,
		       const struct sockaddr_storage *src);

const char *sip_ctx_state_name(enum sip_ctx_state st);
const char *sip_stx_state_name(enum sip_stx_state st);

#endif /* PINHOLE_AGENT_SIP_TX_H */
