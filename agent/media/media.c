// SPDX-License-Identifier: GPL-2.0
/*
 * media.c - the RTP stream of one call (see media.h): PCMU 8 kHz, 20 ms,
 * a 440 Hz tone or a file out, RFC 3550 receive statistics in.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/stat.h>

#include "lib/errbuf.h"
#include "lib/rand.h"
#include "lib/sockaddr.h"
#include "media.h"

#define RTP_HDR_LEN		12
#define RTP_VERSION		2
#define RTP_SEQ_MOD		(1U << 16)
#define MAX_DROPOUT		3000
#define MAX_MISORDER		100
#define MEDIA_MAX_BEHIND_MS	200
#define MEDIA_MAX_BURST		10
#define MEDIA_MAX_FILE		(64U << 20)
#define MEDIA_RX_BUDGET		64	/* datagrams per media_on_readable() */

/* 440 Hz at 8 kHz repeats exactly every 200 samples (11 periods). */
#define TONE_HZ			440
#define TONE_LEN		200
#define TONE_AMPLITUDE		10000	/* about -10 dBFS */

/* ------------------------------------------------------------- G.711 */

#define ULAW_BIAS	0x84
#define ULAW_CLIP	32635

uint8_t pcmu_encode(int16_t pcm)
{
	int v = pcm, sign = 0, exp, mant;

	if (v < 0) {
		v = -v;
		sign = 0x80;
	}
	if (v > ULAW_CLIP)
		v = ULAW_CLIP;
	v += ULAW_BIAS;
	/* segment: position of the highest set bit above bit 7 */
	for (exp = 7; exp > 0 && !(v & (0x80 << exp)); exp--)
		;
	mant = (v >> (exp + 3)) & 0x0f;
	return (uint8_t)~(sign | (exp << 4) | mant);
}

int16_t pcmu_decode(uint8_t ulaw)
{
	int u = (uint8_t)~ulaw, t;

	t = (((u & 0x0f) << 3) + ULAW_BIAS) << ((u & 0x70) >> 4);
	return (int16_t)((u & 0x80) ? ULAW_BIAS - t : t - ULAW_BIAS);
}

/* sin(x) for |x| <= pi, by its series (no libm needed) */
static double series_sin(double x)
{
	double term = x, sum = x;
	int k;

	for (k = 1; k < 20; k++) {
		term *= -x * x / ((2 * k) * (2 * k + 1));
		sum += term;
	}
	return sum;
}

static void tone_table(uint8_t *t)
{
	const double pi = 3.14159265358979323846;
	int n;

	for (n = 0; n < TONE_LEN; n++) {
		/* phase in [0, 1) turns, then into [-pi, pi) */
		double turns = (double)((TONE_HZ * n) % MEDIA_CLOCK_RATE) /
			       MEDIA_CLOCK_RATE;
		double x = 2 * pi * (turns < 0.5 ? turns : turns - 1);
		double s = TONE_AMPLITUDE * series_sin(x);

		t[n] = pcmu_encode((int16_t)(s < 0 ? s - 0.5 : s + 0.5));
	}
}

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

/* ------------------------------------------------------------- sources */

static uint16_t le16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

#define WAVE_FORMAT_PCM		0x0001
#define WAVE_FORMAT_MULAW	0x0007
#define WAVE_FORMAT_EXTENSIBLE	0xfffe

static int wav_fmt(const uint8_t *f, uint32_t size, struct media_wav *w,
		   char *err, size_t errlen)
{
	uint16_t tag, ch, align, bits;
	uint32_t rate, byterate;

	if (size < 16)
		return seterr(err, errlen, -EINVAL,
			      "WAV: fmt chunk of %u bytes, expected 16 or more",
			      size);
	tag = le16(f);
	ch = le16(f + 2);
	rate = le32(f + 4);
	byterate = le32(f + 8);
	align = le16(f + 12);
	bits = le16(f + 14);
	if (tag == WAVE_FORMAT_PCM) {
		if (bits != 16)
			return seterr(err, errlen, -EINVAL,
				      "WAV: %u-bit PCM; only 16-bit PCM or mu-law is supported",
				      bits);
		w->fmt = MEDIA_FMT_PCM16;
	} else if (tag == WAVE_FORMAT_MULAW) {
		if (bits != 8)
			return seterr(err, errlen, -EINVAL,
				      "WAV: mu-law with %u bits per sample, expected 8",
				      bits);
		w->fmt = MEDIA_FMT_ULAW;
	} else if (tag == WAVE_FORMAT_EXTENSIBLE) {
		return seterr(err, errlen, -EINVAL,
			      "WAV: WAVE_FORMAT_EXTENSIBLE is not supported; "
			      "use plain 16-bit PCM or mu-law, mono, 8000 Hz");
	} else {
		return seterr(err, errlen, -EINVAL,
			      "WAV: format tag 0x%04x is not supported; "
			      "use 16-bit PCM (1) or mu-law (7), mono, 8000 Hz",
			      tag);
	}
	if (ch != 1)
		return seterr(err, errlen, -EINVAL,
			      "WAV: %u channels; only mono is supported", ch);
	if (rate != MEDIA_CLOCK_RATE)
		return seterr(err, errlen, -EINVAL,
			      "WAV: %u Hz; only 8000 Hz is supported", rate);
	if (align != bits / 8 || byterate != rate * align)
		return seterr(err, errlen, -EINVAL,
			      "WAV: inconsistent fmt chunk (block align %u, byte rate %u)",
			      align, byterate);
	return 0;
}

int media_wav_parse(const uint8_t *buf, size_t len, struct media_wav *w,
		    char *err, size_t errlen)
{
	bool have_fmt = false;
	size_t off, end;
	uint32_t riff;
	int rc;

	memset(w, 0, sizeof(*w));
	if (len < 12 || memcmp(buf, "RIFF", 4) || memcmp(buf + 8, "WAVE", 4))
		return seterr(err, errlen, -EINVAL, "not a RIFF/WAVE file");
	riff = le32(buf + 4);
	if (riff < 4 || (uint64_t)riff + 8 > len)
		return seterr(err, errlen, -EINVAL,
			      "WAV: RIFF size %u does not fit the file (%zu bytes)",
			      riff, len);
	end = (size_t)riff + 8;
	for (off = 12; off < end; ) {
		const uint8_t *id = buf + off;
		uint32_t size;

		if (end - off < 8)
			return seterr(err, errlen, -EINVAL,
				      "WAV: truncated chunk header at %zu", off);
		size = le32(buf + off + 4);
		if (size > end - off - 8)
			return seterr(err, errlen, -EINVAL,
				      "WAV: chunk '%.4s' of %u bytes at %zu is truncated",
				      (const char *)id, size, off);
		if (!memcmp(id, "fmt ", 4)) {
			if (have_fmt)
				return seterr(err, errlen, -EINVAL,
					      "WAV: two fmt chunks");
			rc = wav_fmt(buf + off + 8, size, w, err, errlen);
			if (rc)
				return rc;
			have_fmt = true;
		} else if (!memcmp(id, "data", 4)) {
			if (!have_fmt)
				return seterr(err, errlen, -EINVAL,
					      "WAV: data chunk before the fmt chunk");
			if (!size)
				return seterr(err, errlen, -EINVAL,
					      "WAV: empty data chunk");
			if (w->fmt == MEDIA_FMT_PCM16 && (size & 1))
				return seterr(err, errlen, -EINVAL,
					      "WAV: 16-bit data of odd length %u",
					      size);
			w->data_off = off + 8;
			w->data_len = size;
			return 0;
		}
		/* other chunks (LIST, fact, ...): skipped, padded to even */
		off += 8 + (size_t)size + (size & 1);
	}
	return seterr(err, errlen, -EINVAL, have_fmt ? "WAV: no data chunk" :
		      "WAV: no fmt chunk");
}

static int read_file(const char *path, uint8_t **buf, size_t *len,
		     char *err, size_t errlen)
{
	struct stat st;
	size_t got = 0;
	uint8_t *b;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return seterr(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = seterr(err, errlen, -EINVAL, "%s: not a regular file", path);
		goto out;
	}
	if ((uint64_t)st.st_size > MEDIA_MAX_FILE) {
		rc = seterr(err, errlen, -EFBIG, "%s: larger than %u MiB",
			    path, MEDIA_MAX_FILE >> 20);
		goto out;
	}
	b = malloc(st.st_size ? st.st_size : 1);
	if (!b) {
		rc = seterr(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, b + got, st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = seterr(err, errlen, n < 0 ? -errno : -EIO,
				    "%s: read failed", path);
			free(b);
			goto out;
		}
		got += n;
	}
	*buf = b;
	*len = got;
	rc = 0;
out:
	close(fd);
	return rc;
}

static bool ends_with_wav(const char *path)
{
	size_t n = strlen(path);

	return n >= 4 && !strcasecmp(path + n - 4, ".wav");
}

int media_source_load(const char *source, uint8_t **ulaw, size_t *len,
		      char *err, size_t errlen)
{
	struct media_wav w;
	uint8_t *buf = NULL, *out;
	size_t n = 0, i;
	int rc;

	*ulaw = NULL;
	*len = 0;
	if (!source || !*source)
		return seterr(err, errlen, -EINVAL, "no media source");
	if (!strcmp(source, "tone"))
		return 0;
	rc = read_file(source, &buf, &n, err, errlen);
	if (rc)
		return rc;
	if (n >= 4 && !memcmp(buf, "RIFF", 4)) {
		char why[200];

		rc = media_wav_parse(buf, n, &w, why, sizeof(why));
		if (rc) {
			free(buf);
			return seterr(err, errlen, rc, "%s: %s", source, why);
		}
		if (w.fmt == MEDIA_FMT_ULAW) {
			memmove(buf, buf + w.data_off, w.data_len);
			*ulaw = buf;
			*len = w.data_len;
			return 0;
		}
		out = malloc(w.data_len / 2);
		if (!out) {
			free(buf);
			return seterr(err, errlen, -ENOMEM, "out of memory");
		}
		for (i = 0; i < w.data_len / 2; i++)
			out[i] = pcmu_encode((int16_t)le16(buf + w.data_off + 2 * i));
		free(buf);
		*ulaw = out;
		*len = w.data_len / 2;
		return 0;
	}
	if (ends_with_wav(source)) {
		free(buf);
		return seterr(err, errlen, -EINVAL, "%s: not a RIFF/WAVE file",
			      source);
	}
	if (!n) {
		free(buf);
		return seterr(err, errlen, -EINVAL, "%s: empty file", source);
	}
	*ulaw = buf;		/* raw mu-law */
	*len = n;
	return 0;
}

/* ------------------------------------------------------------- streams */

struct media {
	int fd, rtcp_fd;
	struct sockaddr_storage local;
	uint16_t port;

	/* sending */
	uint8_t tone[TONE_LEN];
	uint8_t *file;			/* mu-law samples, or NULL: tone */
	size_t file_len, pos;
	bool sending, clock_started, first;
	struct sockaddr_storage remote;
	bool has_remote;
	uint64_t next_ms;
	uint16_t seq;
	uint32_t ts, ssrc;

	/* receiving */
	struct rtp_rx rx;
	uint64_t lost_before;		/* of earlier SSRCs */
	struct media_stats st;
};

/* A bound non-blocking UDP socket, -errno on failure. */
static int udp_bind(const struct sockaddr_storage *addr, uint16_t port)
{
	struct sockaddr_storage ss = *addr;
	int fd, one = 1, tos = IPTOS_DSCP_EF, e;

	fd = socket(addr->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -errno;
	if (addr->ss_family == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos));
	} else {
		setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	}
	sa_set_port(&ss, port);
	if (bind(fd, (struct sockaddr *)&ss, sa_len(ss.ss_family)) < 0) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

struct media *media_new(const struct sockaddr *local, uint16_t port_lo,
			uint16_t port_hi, const char *source,
			char *err, size_t errlen)
{
	struct media *m;
	uint32_t port;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!local || (local->sa_family != AF_INET &&
		       local->sa_family != AF_INET6)) {
		seterr(err, errlen, -EAFNOSUPPORT,
		       "media: the local address is not IPv4 or IPv6");
		return NULL;
	}
	port = (port_lo + 1U) & ~1U;	/* first even port >= port_lo */
	if (!port_lo || port + 1 > port_hi) {
		seterr(err, errlen, -EINVAL,
		       "media: port range %u-%u holds no even port p with p+1 in it",
		       port_lo, port_hi);
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		seterr(err, errlen, -ENOMEM, "out of memory");
		return NULL;
	}
	m->fd = m->rtcp_fd = -1;
	rc = media_source_load(source, &m->file, &m->file_len, err, errlen);
	if (rc)
		goto fail;
	tone_table(m->tone);

	memcpy(&m->local, local, sa_len(local->sa_family));
	for (; port + 1 <= port_hi; port += 2) {
		m->fd = udp_bind(&m->local, port);
		if (m->fd == -EADDRINUSE)
			continue;
		if (m->fd < 0)
			break;
		m->rtcp_fd = udp_bind(&m->local, port + 1);
		if (m->rtcp_fd >= 0)
			break;
		close(m->fd);
		m->fd = m->rtcp_fd == -EADDRINUSE ? -EADDRINUSE : m->rtcp_fd;
		if (m->rtcp_fd != -EADDRINUSE)
			break;
	}
	if (m->fd < 0) {
		rc = m->fd == -EADDRINUSE ? -EADDRINUSE : m->fd;
		m->fd = -1;
		m->rtcp_fd = -1;
		if (rc == -EADDRINUSE)
			seterr(err, errlen, rc,
			       "media: no free even port pair in %u-%u",
			       port_lo, port_hi);
		else
			seterr(err, errlen, rc, "media: binding port %u: %s",
			       port, strerror(-rc));
		goto fail;
	}
	m->port = port;
	sa_set_port(&m->local, port);

	m->ssrc = rand_u32();
	m->seq = (uint16_t)rand_u32();
	m->ts = rand_u32();
	return m;

fail:
	media_free(m);
	return NULL;
}

void media_free(struct media *m)
{
	if (!m)
		return;
	if (m->fd >= 0)
		close(m->fd);
	if (m->rtcp_fd >= 0)
		close(m->rtcp_fd);
	free(m->file);
	free(m);
}

const struct sockaddr_storage *media_local(const struct media *m)
{
	return &m->local;
}

uint16_t media_port(const struct media *m)
{
	return m->port;
}

int media_fd(const struct media *m)
{
	return m->fd;
}

int media_start(struct media *m, const struct sockaddr *remote,
		char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!m || !remote)
		return seterr(err, errlen, -EINVAL, "media: no stream or remote");
	if (remote->sa_family != m->local.ss_family)
		return seterr(err, errlen, -EAFNOSUPPORT,
			      "media: the remote address family differs from the local one");
	if (!sa_port(remote))
		return seterr(err, errlen, -EINVAL, "media: remote port 0");
	memset(&m->remote, 0, sizeof(m->remote));
	memcpy(&m->remote, remote, sa_len(remote->sa_family));
	m->has_remote = true;
	if (!m->sending) {
		m->sending = true;
		m->clock_started = false;
		m->first = true;
	}
	return 0;
}

void media_stop(struct media *m)
{
	if (m)
		m->sending = false;
}

int64_t media_next_ms(const struct media *m, uint64_t now_ms)
{
	if (!m || !m->sending)
		return -1;
	if (!m->clock_started || m->next_ms <= now_ms)
		return 0;
	return (int64_t)(m->next_ms - now_ms);
}

static void fill_payload(struct media *m, uint8_t *p)
{
	size_t i;

	if (!m->file) {
		for (i = 0; i < MEDIA_PAYLOAD_LEN; i++) {
			p[i] = m->tone[m->pos];
			m->pos = (m->pos + 1) % TONE_LEN;
		}
		return;
	}
	for (i = 0; i < MEDIA_PAYLOAD_LEN; i++) {
		p[i] = m->file[m->pos];
		m->pos = (m->pos + 1) % m->file_len;	/* loops */
	}
}

static void send_one(struct media *m)
{
	uint8_t pkt[RTP_HDR_LEN + MEDIA_PAYLOAD_LEN];
	ssize_t n;

	pkt[0] = RTP_VERSION << 6;
	pkt[1] = (m->first ? 0x80 : 0) | MEDIA_PT_PCMU;
	pkt[2] = m->seq >> 8;
	pkt[3] = m->seq;
	pkt[4] = m->ts >> 24;
	pkt[5] = m->ts >> 16;
	pkt[6] = m->ts >> 8;
	pkt[7] = m->ts;
	pkt[8] = m->ssrc >> 24;
	pkt[9] = m->ssrc >> 16;
	pkt[10] = m->ssrc >> 8;
	pkt[11] = m->ssrc;
	fill_payload(m, pkt + RTP_HDR_LEN);
	n = sendto(m->fd, pkt, sizeof(pkt), MSG_DONTWAIT,
		   (struct sockaddr *)&m->remote, sa_len(m->remote.ss_family));
	if (n == (ssize_t)sizeof(pkt)) {
		m->st.tx_packets++;
		m->st.tx_bytes += MEDIA_PAYLOAD_LEN;
		m->first = false;
	} else {
		m->st.tx_errors++;
	}
	/* a lost send is a gap the receiver sees, as on the wire */
	m->seq++;
	m->ts += MEDIA_PAYLOAD_LEN;
}

static void drain_rtcp(struct media *m)
{
	uint8_t buf[1500];
	int i;

	for (i = 0; i < MEDIA_RX_BUDGET; i++) {
		if (recv(m->rtcp_fd, buf, sizeof(buf), MSG_DONTWAIT) < 0)
			break;
		m->st.rx_rtcp_packets++;
	}
}

void media_tick(struct media *m, uint64_t now_ms)
{
	int burst;

	if (!m)
		return;
	drain_rtcp(m);
	if (!m->sending)
		return;
	if (!m->clock_started) {
		m->clock_started = true;
		m->next_ms = now_ms;
	}
	if (now_ms > m->next_ms + MEDIA_MAX_BEHIND_MS) {
		/* stalled: skip the time lost rather than burst it out */
		uint64_t missed = (now_ms - m->next_ms) / MEDIA_PTIME_MS;

		m->next_ms += missed * MEDIA_PTIME_MS;
		m->ts += (uint32_t)(missed * MEDIA_PAYLOAD_LEN);
	}
	for (burst = 0; burst < MEDIA_MAX_BURST && m->next_ms <= now_ms;
	     burst++) {
		send_one(m);
		m->next_ms += MEDIA_PTIME_MS;
	}
}

static uint32_t arrival_now(void)
{
	struct timespec t;
	uint64_t us;

	clock_gettime(CLOCK_MONOTONIC, &t);
	us = (uint64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
	return (uint32_t)(us * (MEDIA_CLOCK_RATE / 1000) / 1000);
}

/* RTP header checks; the payload length, or -1 for "not RTP" */
static int rtp_payload_len(const uint8_t *b, size_t n)
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

void media_on_readable(struct media *m)
{
	uint8_t buf[2048];
	int i;

	if (!m)
		return;
	for (i = 0; i < MEDIA_RX_BUDGET; i++) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		uint32_t ssrc;
		ssize_t n;
		int len;

		n = recvfrom(m->fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl);
		if (n < 0)
			break;
		len = rtp_payload_len(buf, n);
		if (len < 0 || (m->has_remote && !sa_same_addr(&from, &m->remote))) {
			m->st.rx_bad++;
			continue;
		}
		ssrc = (uint32_t)buf[8] << 24 | buf[9] << 16 | buf[10] << 8 |
		       buf[11];
		if (!m->rx.started || ssrc != m->st.rx_ssrc) {
			if (m->rx.started)
				m->lost_before += rtp_rx_lost(&m->rx);
			rtp_rx_init(&m->rx, (uint16_t)(buf[2] << 8 | buf[3]));
			m->st.rx_ssrc = ssrc;
		}
		rtp_rx_update(&m->rx, (uint16_t)(buf[2] << 8 | buf[3]),
			      (uint32_t)buf[4] << 24 | buf[5] << 16 |
			      buf[6] << 8 | buf[7], arrival_now());
		m->st.rx_packets++;
		m->st.rx_bytes += len;
	}
	drain_rtcp(m);
}

void media_get_stats(const struct media *m, struct media_stats *st)
{
	*st = m->st;
	st->rx_lost = m->lost_before + rtp_rx_lost(&m->rx);
	st->jitter_ms = m->rx.jitter / (MEDIA_CLOCK_RATE / 1000);
}
