// SPDX-License-Identifier: GPL-2.0
/*
 * sip_tx_priv.h - what the transaction files share (sip_tx.c, sip_ctx.c,
 * sip_stx.c): the layer and transaction structs, small message helpers,
 * and the calls from the layer into the client and server sides. Not for
 * use outside those files.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#ifndef PINHOLE_AGENT_SIP_TX_PRIV_H
#define PINHOLE_AGENT_SIP_TX_PRIV_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_port.h>

#include "lib/htab.h"
#include "lib/plog.h"
#include "lib/resolve.h"
#include "lib/tmr.h"
#include "sip_locate.h"
#include "sip_msg.h"
#include "sip_tx.h"

#define BRANCH_LEN	64

struct sip {
	struct sip_transport *tp;
	sip_req_h *req_h;
	void *arg;
	/* the transactions, by the branch of their top Via (17.1.3,
	 * 17.2.3); server ones by Call-ID too (the ACK of a 2xx) */
	struct htab ctx_by_branch;
	struct htab stx_by_branch;
	struct htab stx_by_callid;
	struct htab src_by_key;		/* struct sip_src */
	unsigned int nctx, nstx;
	struct sip_limits lim;
	uint32_t t1;			/* ms, sip_set_t1() */
	uint64_t stx_refused, ctx_refused;
	/* stateless requests waiting for their lookup (sip_tx.c) */
	struct sip_lookup_send *lookups;
	/* requests (of transactions too) waiting for a lookup */
	unsigned int resolving;
};

/* the server transactions of one source (an IPv4 address, an IPv6 /64) */
struct sip_src {
	struct hnode hn;		/* s->src_by_key */
	unsigned int n;
	char key[48];
};

struct sip_ctx {
	struct hnode hb;		/* s->ctx_by_branch, once sent */
	struct sip *s;
	enum sip_ctx_state state;
	bool invite;
	bool released;
	bool cancel_pending;		/* CANCEL asked before any 1xx */
	bool cancelled;
	osip_message_t *req;
	char *buf;			/* wire form, for retransmissions */
	size_t len;
	char branch[BRANCH_LEN];
	struct sockaddr_storage dst;	/* unset while @lookup runs */
	struct sip_locate *lookup;	/* the next hop's name, pending */
	/* RFC 3263 4.3: the located addresses; @dst is addrs[next - 1] */
	struct sockaddr_storage addrs[RESOLVE_MAX_ADDRS];
	unsigned int naddrs, next;
	char *host;			/* that name, for the log */
	struct tmr retx;		/* A or E */
	struct tmr timeout;		/* B, F; then D, K, M */
	uint32_t retx_ms;
	sip_ctx_h *h;
	void *arg;
};

struct sip_stx {
	struct hnode hb;		/* s->stx_by_branch */
	struct hnode hc;		/* s->stx_by_callid */
	struct sip *s;
	enum sip_stx_state state;
	bool invite;
	bool released;
	bool acked;			/* ACK of our 2xx seen */
	bool reliable;			/* came over TCP: Timer J is 0 */
	osip_message_t *req;		/* copy; non-INVITE: until final */
	struct sip_src *from;		/* counts us */
	/* top Via sent-by "host:port" (17.2.3), Call-ID, CSeq number: what
	 * matching and the log need once @req is gone; "\0"-separated */
	char *ids;
	char branch[BRANCH_LEN];
	char method[16];
	struct sockaddr_storage src;
	struct sockaddr_storage dst;	/* where responses go */
	char *resp;			/* last response sent, wire form */
	size_t resp_len;
	int resp_code;
	char *to_tag;			/* of our 2xx: matches its ACK */
	struct tmr retx;		/* G, or the 2xx retransmissions */
	struct tmr timeout;		/* H, I, J, L */
	uint32_t retx_ms;
	struct sip_stx_handlers h;
	void *arg;
};

static inline const char *top_branch(const osip_message_t *m)
{
	osip_via_t *via = osip_list_get(&m->vias, 0);
	osip_generic_param_t *br = NULL;

	if (!via)
		return NULL;
	osip_via_param_get_byname(via, "branch", &br);
	return br ? br->gvalue : NULL;
}

/*
 * The wire form of @m into *@buf (free()), of its own size: libosip2's
 * buffer is SIP_MESSAGE_MAX_LENGTH (8000) bytes whatever the message, and
 * a transaction keeps it for 32 s.
 */
static inline int serialize(osip_message_t *m, char **buf, size_t *len)
{
	char *big = NULL;

	osip_message_force_update(m);
	if (sip_msg_to_buf(m, &big, len))
		return -EINVAL;
	*buf = malloc(*len + 1);
	if (*buf) {
		memcpy(*buf, big, *len);
		(*buf)[*len] = 0;
	}
	osip_free(big);
	return *buf ? 0 : -ENOMEM;
}

/*
 * @uri's host and port into @host/@port, and its address into @dst when
 * the host is an IP literal: 0 (literal), 1 (a name to look up), -errno.
 * @host is malloc'd on 1; @port is then 0 when @uri has none (RFC 3263
 * NAPTR/SRV apply).
 */
int sip_tx_next_hop(const char *uri, struct sockaddr_storage *dst,
		    char **host, uint16_t *port);
/* sip_ctx.c: a stream connection of ours to @dst failed (connect, TLS):
 * the client transactions waiting on it fail over or end 503 */
void sip_tx_ctx_conn_failed(const struct sockaddr_storage *dst,
			    const char *why, void *arg);
/* the transport RFC 3263 locates @req's next hop for (its Via's) */
enum sip_loc_tp sip_tx_loc_tp(const struct sip *s, const osip_message_t *req);
/* the family to look names up in: our transport's */
int sip_tx_family(const struct sip *s);
/* the request's Call-ID, "-" without one (log lines) */
const char *sip_tx_callid(const osip_message_t *m);

/* sip_tx.c: a line in the log for a retransmission (see there), at debug
 * like the message lines (plog.h) */
void sip_tx_log_retransmit(const char *call_id, const char *cseq,
			   const char *method, const char *what,
			   const char *why, const char *branch,
			   const struct sockaddr_storage *dst);
/* sip_tx.c: the source key of @src: its address, or its IPv6 /64 */
void sip_src_key(const struct sockaddr_storage *src, char *key, size_t size);

/* sip_ctx.c: a response from the transport; every client transaction
 * freed (sip_free) */
void sip_tx_ctx_input(struct sip *s, const osip_message_t *resp);
void sip_tx_ctx_free_all(struct sip *s);

/* sip_stx.c: a request from the transport; every server transaction
 * freed (sip_free) */
void sip_tx_stx_input(struct sip *s, const osip_message_t *req,
		      const struct sockaddr_storage *src);
void sip_tx_stx_free_all(struct sip *s);

#endif /* PINHOLE_AGENT_SIP_TX_PRIV_H */
