// SPDX-License-Identifier: GPL-2.0
/*
 * media_rtp.c - RTP receive bookkeeping, pure (no sockets, no clock):
 * the RFC 3550 sequence, loss (A.1, A.3) and interarrival jitter (A.8)
 * of struct rtp_rx, and the check of an RTP header.
 */
#include <string.h>

#include "media_priv.h"

#define RTP_SEQ_MOD		(1U << 16)
#define MAX_DROPOUT		3000
#define MAX_MISORDER		100

/* -------------------------------------------------- RFC 3550 receiving */

void rtp_rx_init(struct rtp_rx *r, uint16_t seq)
{
	memset(r, 0, sizeof(*r));
	r->base_seq = seq;
	r->max_seq = seq;
	r->bad_seq = RTP_SEQ_MOD + 1;	/* so seq == bad_seq is false */
	r->started = 1;
}

/* A.1 update_seq(), without probation: 1 to count the packet, 0 not */
static int rtp_rx_seq(struct rtp_rx *r, uint16_t seq)
{
	uint16_t udelta = seq - r->max_seq;

	if (udelta < MAX_DROPOUT) {
		if (seq < r->max_seq)
			r->cycles += RTP_SEQ_MOD;	/* wrapped */
		r->max_seq = seq;
	} else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
		/* a very large jump */
		if (seq == r->bad_seq) {
			/* two in a row: the source restarted */
			rtp_rx_init(r, seq);
		} else {
			r->bad_seq = (seq + 1) & (RTP_SEQ_MOD - 1);
			return 0;
		}
	}
	/* else: duplicate or reordered packet, counted */
	r->received++;
	return 1;
}

void rtp_rx_update(struct rtp_rx *r, uint16_t seq, uint32_t rtp_ts,
		   uint32_t arrival)
{
	int32_t transit, d;

	if (!r->started)
		rtp_rx_init(r, seq);
	if (!rtp_rx_seq(r, seq))
		return;
	/* A.8, modulo 2^32 arithmetic on both clocks */
	transit = (int32_t)(arrival - rtp_ts);
	if (r->has_transit) {
		d = (int32_t)((uint32_t)transit - (uint32_t)r->transit);
		if (d < 0)
			d = -d;
		r->jitter += ((double)d - r->jitter) / 16.0;
	}
	r->transit = transit;
	r->has_transit = 1;
}

uint64_t rtp_rx_lost(const struct rtp_rx *r)
{
	int64_t expected, lost;

	if (!r->started || !r->received)
		return 0;
	expected = (int64_t)r->cycles + r->max_seq - r->base_seq + 1;
	lost = expected - r->received;
	return lost > 0 ? (uint64_t)lost : 0;	/* duplicates: negative */
}

/* ------------------------------------------------------------ headers */

/* RTP header checks; the payload length, or -1 for "not RTP" */
int rtp_payload_len(const uint8_t *b, size_t n)
{
	size_t hdr = RTP_HDR_LEN, pad = 0;

	if (n < RTP_HDR_LEN || (b[0] >> 6) != RTP_VERSION)
		return -1;
	/* RTCP (SR..APP = 200..204) on the RTP port, rtcp-mux style */
	if (b[1] >= 200 && b[1] <= 204)
		return -1;
	hdr += 4 * (b[0] & 0x0f);
	if (b[0] & 0x10) {	/* extension */
		if (n < hdr + 4)
			return -1;
		hdr += 4 + 4 * (size_t)(b[hdr + 2] << 8 | b[hdr + 3]);
	}
	if (n < hdr)
		return -1;
	if (b[0] & 0x20) {	/* padding */
		pad = b[n - 1];
		if (!pad || hdr + pad > n)
			return -1;
	}
	return (int)(n - hdr - pad);
}

