// SPDX-License-Identifier: GPL-2.0
/*
 * test_media.c - media.c: G.711 mu-law, RFC 3550 loss and jitter, WAV
 * parsing and file sources, port allocation, and two streams exchanging
 * RTP over loopback driven by a fake clock.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "media/media.h"
#include "ktap.h"

/* ------------------------------------------------------------- G.711 */

TEST(pcmu_encode_known_values)
{
	/* zero and the smallest magnitudes of each sign */
	EXPECT_EQ(pcmu_encode(0), 0xff);
	EXPECT_EQ(pcmu_encode(-1), 0x7f);
	EXPECT_EQ(pcmu_encode(3), 0xff);
	EXPECT_EQ(pcmu_encode(-3), 0x7f);
	EXPECT_EQ(pcmu_encode(4), 0xfe);
	EXPECT_EQ(pcmu_encode(-4), 0x7e);
	/* the end of segment 0 and the start of segment 1 */
	EXPECT_EQ(pcmu_encode(123), 0xf0);
	EXPECT_EQ(pcmu_encode(132), 0xef);
	EXPECT_EQ(pcmu_encode(-132), 0x6f);
	/* a middle value: segment 3, step 1 (decodes to 988) */
	EXPECT_EQ(pcmu_encode(1000), 0xce);
	EXPECT_EQ(pcmu_encode(-1000), 0x4e);
	/* full scale and clipping */
	EXPECT_EQ(pcmu_encode(32767), 0x80);
	EXPECT_EQ(pcmu_encode(32635), 0x80);
	EXPECT_EQ(pcmu_encode(-32768), 0x00);
	/* decoded table points (G.711 mu-law, 16-bit scale) */
	EXPECT_EQ(pcmu_decode(0x80), 32124);
	EXPECT_EQ(pcmu_decode(0x00), -32124);
	EXPECT_EQ(pcmu_decode(0xff), 0);
	EXPECT_EQ(pcmu_decode(0x7f), 0);
	EXPECT_EQ(pcmu_decode(0xef), 132);
	EXPECT_EQ(pcmu_decode(0xce), 988);
	EXPECT_EQ(pcmu_decode(0x8f), 16764);
}

TEST(pcmu_roundtrip_every_code)
{
	int c;

	for (c = 0; c < 256; c++) {
		if (c == 0x7f)	/* "-0" decodes to 0, which encodes as 0xff */
			continue;
		EXPECT_EQ(pcmu_encode(pcmu_decode(c)), c);
	}
	/* monotonic: louder input, code further from 0xff / 0x7f */
	for (c = 1; c + 97 <= 32767; c += 97)
		EXPECT_TRUE(pcmu_decode(pcmu_encode(c)) <=
			    pcmu_decode(pcmu_encode(c + 97)));
}

/* --------------------------------------------------------- RFC 3550 */

static void feed(struct rtp_rx *r, const uint16_t *seq, int n)
{
	for (int i = 0; i < n; i++)
		rtp_rx_update(r, seq[i], seq[i] * 160u, seq[i] * 160u + 400);
}

TEST(rtp_rx_loss_in_order_and_gaps)
{
	static const uint16_t in_order[] = { 100, 101, 102, 103 };
	static const uint16_t gaps[] = { 100, 101, 104, 105, 109 };
	struct rtp_rx r;

	rtp_rx_init(&r, 100);
	feed(&r, in_order, 4);
	EXPECT_EQ(r.received, 4);
	EXPECT_EQ(rtp_rx_lost(&r), 0);

	rtp_rx_init(&r, 100);
	feed(&r, gaps, 5);
	EXPECT_EQ(r.received, 5);
	EXPECT_EQ(rtp_rx_lost(&r), 5);	/* 102 103 106 107 108 */
}

TEST(rtp_rx_loss_wraparound)
{
	static const uint16_t wrap[] = { 65533, 65534, 65535, 0, 1, 2 };
	static const uint16_t wrap_gap[] = { 65534, 65535, 2, 3 };
	struct rtp_rx r;

	rtp_rx_init(&r, 65533);
	feed(&r, wrap, 6);
	EXPECT_EQ(r.cycles, 65536);
	EXPECT_EQ(r.max_seq, 2);
	EXPECT_EQ(rtp_rx_lost(&r), 0);

	rtp_rx_init(&r, 65534);
	feed(&r, wrap_gap, 4);
	EXPECT_EQ(r.cycles, 65536);
	EXPECT_EQ(rtp_rx_lost(&r), 2);	/* 0 and 1 */
}

TEST(rtp_rx_reorder_duplicates_and_restart)
{
	static const uint16_t reorder[] = { 10, 12, 11, 13 };
	static const uint16_t dup[] = { 10, 11, 11, 12 };
	static const uint16_t jump[] = { 10, 11, 30000 };
	struct rtp_rx r;

	rtp_rx_init(&r, 10);
	feed(&r, reorder, 4);
	EXPECT_EQ(rtp_rx_lost(&r), 0);
	EXPECT_EQ(r.max_seq, 13);
	EXPECT_EQ(r.cycles, 0);		/* 11 after 12 is no wrap */

	rtp_rx_init(&r, 10);
	feed(&r, dup, 4);
	EXPECT_EQ(rtp_rx_lost(&r), 0);	/* negative loss is 0 */

	/* a lone big jump is ignored; the next in sequence restarts */
	rtp_rx_init(&r, 10);
	feed(&r, jump, 3);
	EXPECT_EQ(r.received, 2);
	EXPECT_EQ(r.max_seq, 11);
	rtp_rx_update(&r, 30001, 0, 0);
	EXPECT_EQ(r.base_seq, 30001);
	EXPECT_EQ(r.received, 1);
	EXPECT_EQ(rtp_rx_lost(&r), 0);
}

TEST(rtp_rx_update_initialises_itself)
{
	struct rtp_rx r;

	memset(&r, 0, sizeof(r));
	rtp_rx_update(&r, 5000, 0, 0);
	rtp_rx_update(&r, 5002, 320, 320);
	EXPECT_EQ(r.base_seq, 5000);
	EXPECT_EQ(rtp_rx_lost(&r), 1);
}

TEST(rtp_rx_jitter_constant_transit_is_zero)
{
	struct rtp_rx r;
	uint32_t ts = 0xfffff000u;	/* the RTP timestamp wraps too */

	rtp_rx_init(&r, 1);
	for (int i = 0; i < 100; i++)
		rtp_rx_update(&r, 1 + i, ts + 160u * i, 77777u + 160u * i);
	EXPECT_TRUE(r.jitter == 0.0);
}

TEST(rtp_rx_jitter_varying_transit)
{
	struct rtp_rx r;
	int i;

	/* one late packet: D = 160 once, J = 160/16 */
	rtp_rx_init(&r, 0);
	rtp_rx_update(&r, 0, 0, 1000);
	rtp_rx_update(&r, 1, 160, 1160);
	rtp_rx_update(&r, 2, 320, 1480);
	EXPECT_TRUE(r.jitter == 10.0);

	/* transit alternating by 80 units (10 ms): J tends to 80 */
	rtp_rx_init(&r, 0);
	for (i = 0; i < 400; i++)
		rtp_rx_update(&r, i, 160u * i, 160u * i + (i & 1 ? 80 : 0));
	EXPECT_TRUE(r.jitter > 79.0 && r.jitter <= 80.0);
}

/* ------------------------------------------------------------- WAV */

static size_t put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
	return 4;
}

static size_t put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	return 2;
}

struct wavspec {
	uint16_t tag, ch, bits;
	uint32_t rate;
	uint32_t fmt_size;		/* 16 or 18 */
	bool list_chunk;		/* an odd-sized LIST chunk first */
	bool data_first;
	uint32_t data_len;
	int32_t riff_adjust;		/* added to the RIFF size */
	size_t cut;			/* bytes cut off the end */
};

/* Builds a WAV image into @b; returns its length. */
static size_t mkwav(uint8_t *b, const struct wavspec *s)
{
	uint16_t align = s->ch * s->bits / 8;
	size_t n = 12, i;
	uint8_t fmt[26], data[8];
	size_t fl = 0;

	memcpy(b, "RIFF", 4);
	memcpy(b + 8, "WAVE", 4);
	memcpy(fmt, "fmt ", 4);
	fl = 4 + put32(fmt + 4, s->fmt_size);
	fl += put16(fmt + fl, s->tag);
	fl += put16(fmt + fl, s->ch);
	fl += put32(fmt + fl, s->rate);
	fl += put32(fmt + fl, s->rate * align);
	fl += put16(fmt + fl, align);
	fl += put16(fmt + fl, s->bits);
	if (s->fmt_size == 18)
		fl += put16(fmt + fl, 0);
	memcpy(data, "data", 4);
	put32(data + 4, s->data_len);

	if (s->list_chunk) {
		memcpy(b + n, "LIST", 4);
		put32(b + n + 4, 5);
		memcpy(b + n + 8, "abcde\0", 6);	/* 5 + pad byte */
		n += 14;
	}
	if (!s->data_first) {
		memcpy(b + n, fmt, fl);
		n += fl;
	}
	memcpy(b + n, data, 8);
	n += 8;
	for (i = 0; i < s->data_len; i++)
		b[n + i] = (uint8_t)(i * 7);
	n += s->data_len;
	if (s->data_first) {
		memcpy(b + n, fmt, fl);
		n += fl;
	}
	put32(b + 4, (uint32_t)(n - 8 + s->riff_adjust));
	return n - s->cut;
}

static const struct wavspec pcm16 = {
	.tag = 1, .ch = 1, .bits = 16, .rate = 8000, .fmt_size = 16,
	.data_len = 320,
};

static int parse(const struct wavspec *s, struct media_wav *w, char *err)
{
	static uint8_t b[4096];
	size_t n = mkwav(b, s);

	return media_wav_parse(b, n, w, err, 256);
}

TEST(wav_accepts_pcm16_and_mulaw)
{
	struct wavspec s = pcm16;
	struct media_wav w;
	char err[256];

	ASSERT_EQ(parse(&s, &w, err), 0);
	EXPECT_EQ(w.fmt, MEDIA_FMT_PCM16);
	EXPECT_EQ(w.data_off, 44);
	EXPECT_EQ(w.data_len, 320);

	s.tag = 7;
	s.bits = 8;
	s.fmt_size = 18;
	s.list_chunk = true;
	s.data_len = 161;	/* odd is fine for 8-bit */
	ASSERT_EQ(parse(&s, &w, err), 0);
	EXPECT_EQ(w.fmt, MEDIA_FMT_ULAW);
	EXPECT_EQ(w.data_off, 12 + 14 + 26 + 8);
	EXPECT_EQ(w.data_len, 161);

	/* bytes after the RIFF chunk are ignored */
	{
		static uint8_t b[4096];
		size_t n;

		s = pcm16;
		n = mkwav(b, &s);
		memset(b + n, 0xee, 6);
		ASSERT_EQ(media_wav_parse(b, n + 6, &w, err, sizeof(err)), 0);
		EXPECT_EQ(w.data_len, 320);
	}
}

#define EXPECT_REJECTED(spec, text)					\
	do {								\
		struct media_wav w_;					\
		char e_[256] = "";					\
		EXPECT_EQ(parse(&(spec), &w_, e_), -EINVAL);		\
		EXPECT_TRUE(strstr(e_, (text)) != NULL);		\
		if (!strstr(e_, (text)))				\
			printf("# message: %s\n", e_);			\
	} while (0)

TEST(wav_rejects_other_formats)
{
	struct wavspec s;

	s = pcm16; s.ch = 2;
	EXPECT_REJECTED(s, "2 channels; only mono");
	s = pcm16; s.rate = 44100;
	EXPECT_REJECTED(s, "44100 Hz; only 8000 Hz");
	s = pcm16; s.bits = 8;
	EXPECT_REJECTED(s, "8-bit PCM; only 16-bit PCM or mu-law");
	s = pcm16; s.tag = 6; s.bits = 8;	/* A-law */
	EXPECT_REJECTED(s, "format tag 0x0006 is not supported");
	s = pcm16; s.tag = 0xfffe; s.fmt_size = 18;
	EXPECT_REJECTED(s, "WAVE_FORMAT_EXTENSIBLE");
	s = pcm16; s.tag = 3; s.bits = 32;	/* float */
	EXPECT_REJECTED(s, "format tag 0x0003");
}

TEST(wav_rejects_broken_files)
{
	struct wavspec s;
	struct media_wav w;
	char err[256];

	s = pcm16; s.cut = 10;
	EXPECT_REJECTED(s, "RIFF size");
	s = pcm16; s.riff_adjust = 100;
	EXPECT_REJECTED(s, "RIFF size");
	s = pcm16; s.data_first = true;
	EXPECT_REJECTED(s, "data chunk before the fmt chunk");
	s = pcm16; s.data_len = 0;
	EXPECT_REJECTED(s, "empty data chunk");
	s = pcm16; s.data_len = 321;
	EXPECT_REJECTED(s, "odd length");
	s = pcm16; s.fmt_size = 14;
	EXPECT_REJECTED(s, "fmt chunk of 14 bytes");
	s = pcm16; s.riff_adjust = -4;	/* the data chunk overruns RIFF */
	EXPECT_REJECTED(s, "is truncated");
	EXPECT_EQ(media_wav_parse((const uint8_t *)"RIFX....WAVE", 12, &w, err,
				  sizeof(err)), -EINVAL);
	EXPECT_STREQ(err, "not a RIFF/WAVE file");
	EXPECT_EQ(media_wav_parse((const uint8_t *)"RIFF", 4, &w, err,
				  sizeof(err)), -EINVAL);
}

static char *write_tmp(const char *suffix, const void *data, size_t len)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_media_XXXXXX%s", suffix);
	fd = mkstemps(path, (int)strlen(suffix));
	if (fd < 0)
		return NULL;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return NULL;
	}
	close(fd);
	return path;
}

TEST(source_load_files)
{
	static uint8_t b[4096];
	struct wavspec s = pcm16;
	uint8_t *u;
	size_t n, len, i;
	char err[256], *path;
	int rc;

	EXPECT_EQ(media_source_load("tone", &u, &n, err, sizeof(err)), 0);
	EXPECT_TRUE(u == NULL && n == 0);

	/* PCM16 WAV: converted with pcmu_encode */
	len = mkwav(b, &s);
	path = write_tmp(".wav", b, len);
	ASSERT_TRUE(path);
	rc = media_source_load(path, &u, &n, err, sizeof(err));
	unlink(path);
	ASSERT_EQ(rc, 0);
	ASSERT_EQ(n, 160);
	for (i = 0; i < n; i++) {
		int16_t pcm = (int16_t)(b[44 + 2 * i] | b[45 + 2 * i] << 8);

		EXPECT_EQ(u[i], pcmu_encode(pcm));
	}
	free(u);

	/* raw mu-law: as is */
	path = write_tmp(".ul", "\x01\x02\x03", 3);
	ASSERT_TRUE(path);
	rc = media_source_load(path, &u, &n, err, sizeof(err));
	unlink(path);
	ASSERT_EQ(rc, 0);
	EXPECT_EQ(n, 3);
	EXPECT_EQ(u[2], 3);
	free(u);

	/* a .wav that is not RIFF, a stereo WAV, a missing file */
	path = write_tmp(".wav", "hello", 5);
	ASSERT_TRUE(path);
	rc = media_source_load(path, &u, &n, err, sizeof(err));
	unlink(path);
	EXPECT_EQ(rc, -EINVAL);
	EXPECT_TRUE(strstr(err, "not a RIFF/WAVE file") != NULL);

	s.ch = 2;
	len = mkwav(b, &s);
	path = write_tmp(".raw", b, len);
	ASSERT_TRUE(path);
	rc = media_source_load(path, &u, &n, err, sizeof(err));
	unlink(path);
	EXPECT_EQ(rc, -EINVAL);
	EXPECT_TRUE(strstr(err, "only mono") != NULL);

	EXPECT_EQ(media_source_load("/nonexistent/x.ul", &u, &n, err,
				    sizeof(err)), -ENOENT);
	EXPECT_TRUE(strstr(err, "/nonexistent/x.ul") != NULL);
	EXPECT_EQ(media_new((const struct sockaddr *)&(struct sockaddr_in){
				.sin_family = AF_INET }, 40000, 40100,
			    "/nonexistent/x.ul", err, sizeof(err)) == NULL, 1);
}

/* ------------------------------------------------- sockets (loopback) */

static struct sockaddr_in lo4(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(port);
	return a;
}

static int udp4(uint32_t addr, uint16_t port)
{
	struct sockaddr_in a = lo4(port);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	a.sin_addr.s_addr = htonl(addr);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* An even port P with P..P+7 free on 127.0.0.1, or 0. */
static uint16_t free_block(void)
{
	for (uint16_t p = 42000 + (getpid() % 500) * 8; p < 60000; p += 8) {
		int fds[8], i, ok = 1;

		for (i = 0; i < 8; i++) {
			fds[i] = udp4(INADDR_LOOPBACK, p + i);
			ok &= fds[i] >= 0;
		}
		for (i = 0; i < 8; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		if (ok)
			return p;
	}
	return 0;
}

TEST(port_allocation_skips_used_ports)
{
	struct sockaddr_in any = lo4(0);
	struct media *m, *m2;
	uint16_t p = free_block();
	char err[256];
	int rtp, rtcp;

	ASSERT_NE(p, 0);
	rtp = udp4(INADDR_LOOPBACK, p);		/* P taken */
	rtcp = udp4(INADDR_LOOPBACK, p + 3);	/* RTCP of P+2 taken */
	ASSERT_TRUE(rtp >= 0 && rtcp >= 0);

	m = media_new((struct sockaddr *)&any, p - 1, p + 7, "tone", err,
		      sizeof(err));
	ASSERT_TRUE(m != NULL);
	EXPECT_EQ(media_port(m), p + 4);
	EXPECT_EQ(ntohs(((const struct sockaddr_in *)media_local(m))->sin_port),
		  p + 4);
	/* its RTCP port is held: nobody else can bind P+5 */
	EXPECT_EQ(udp4(INADDR_LOOPBACK, p + 5), -1);

	m2 = media_new((struct sockaddr *)&any, p, p + 7, "tone", err,
		       sizeof(err));
	ASSERT_TRUE(m2 != NULL);
	EXPECT_EQ(media_port(m2), p + 6);

	/* the range is now exhausted */
	EXPECT_TRUE(media_new((struct sockaddr *)&any, p, p + 7, "tone", err,
			      sizeof(err)) == NULL);
	EXPECT_TRUE(strstr(err, "no free even port pair") != NULL);

	/* P+6 with P+7 outside the range is not a pair */
	media_free(m2);
	EXPECT_TRUE(media_new((struct sockaddr *)&any, p + 6, p + 6, "tone",
			      err, sizeof(err)) == NULL);
	EXPECT_TRUE(strstr(err, "holds no even port") != NULL);
	media_free(m);
	close(rtp);
	close(rtcp);
}

static void pump(struct media *a, struct media *b, uint64_t now)
{
	media_tick(a, now);
	media_tick(b, now);
	/* loopback delivers within sendto(); no waiting needed */
	media_on_readable(a);
	media_on_readable(b);
}

static void loopback(int family)
{
	struct sockaddr_storage la = { 0 };
	struct media_stats sa, sb;
	struct media *a, *b;
	uint64_t now = 1000000;
	char err[256];
	int i;

	la.ss_family = family;
	if (family == AF_INET)
		((struct sockaddr_in *)&la)->sin_addr.s_addr =
			htonl(INADDR_LOOPBACK);
	else
		((struct sockaddr_in6 *)&la)->sin6_addr = in6addr_loopback;
	a = media_new((struct sockaddr *)&la, 40000, 49999, "tone", err,
		      sizeof(err));
	if (!a && family == AF_INET6)
		SKIP("no IPv6 loopback");
	ASSERT_TRUE(a != NULL);
	b = media_new((struct sockaddr *)&la, 40000, 49999, "tone", err,
		      sizeof(err));
	ASSERT_TRUE(b != NULL);
	ASSERT_NE(media_port(a), media_port(b));
	EXPECT_EQ(media_port(a) % 2, 0);
	EXPECT_EQ(media_next_ms(a, now), -1);

	ASSERT_EQ(media_start(a, (const struct sockaddr *)media_local(b), err,
			      sizeof(err)), 0);
	ASSERT_EQ(media_start(b, (const struct sockaddr *)media_local(a), err,
			      sizeof(err)), 0);
	EXPECT_EQ(media_next_ms(a, now), 0);
	for (i = 0; i < 10; i++, now += 20) {
		pump(a, b, now);
		EXPECT_EQ(media_next_ms(a, now), 20);
	}
	/* 5 ms after the last tick nothing is due yet */
	pump(a, b, now - 15);
	EXPECT_EQ(media_next_ms(a, now - 15), 15);

	media_get_stats(a, &sa);
	media_get_stats(b, &sb);
	EXPECT_EQ(sa.tx_packets, 10);
	EXPECT_EQ(sb.tx_packets, 10);
	EXPECT_EQ(sa.tx_bytes, 1600);
	EXPECT_EQ(sa.rx_packets, 10);
	EXPECT_EQ(sb.rx_packets, 10);
	EXPECT_EQ(sb.rx_bytes, 1600);
	EXPECT_EQ(sa.rx_lost, 0);
	EXPECT_EQ(sb.rx_lost, 0);
	EXPECT_EQ(sa.rx_bad + sb.rx_bad, 0);
	EXPECT_EQ(sa.tx_errors + sb.tx_errors, 0);
	EXPECT_NE(sa.rx_ssrc, sb.rx_ssrc);
	EXPECT_TRUE(sa.jitter_ms >= 0.0 && sa.jitter_ms < 1000.0);

	/* a stall of 1 s: one packet, no burst, no sequence gap */
	now += 1000;
	pump(a, b, now);
	media_get_stats(b, &sb);
	EXPECT_EQ(sb.rx_packets, 11);
	EXPECT_EQ(sb.rx_lost, 0);
	/* 100 ms late: caught up with a burst (the due one + 5) */
	now += 20 + 100;
	pump(a, b, now);
	media_get_stats(b, &sb);
	EXPECT_EQ(sb.rx_packets, 17);

	media_stop(a);
	EXPECT_EQ(media_next_ms(a, now), -1);
	pump(a, b, now + 20);
	media_get_stats(b, &sb);
	media_get_stats(a, &sa);
	EXPECT_EQ(sb.rx_packets, 17);
	EXPECT_EQ(sa.rx_packets, 18);
	media_free(a);
	media_free(b);
}

TEST(loopback_ipv4_exchange)
{
	loopback(AF_INET);
}

TEST(loopback_ipv6_exchange)
{
	loopback(AF_INET6);
}

static void send_raw(int fd, const struct media *m, const void *buf,
		     size_t len)
{
	ssize_t n = sendto(fd, buf, len, 0, (const struct sockaddr *)media_local(m),
			   sizeof(struct sockaddr_in));

	EXPECT_EQ(n, (ssize_t)len);
}

TEST(rejects_non_rtp_and_wrong_source)
{
	static const uint8_t v1[12] = { 0x40, 0, 0, 1 };
	static const uint8_t rtcp_sr[28] = { 0x80, 200, 0, 6 };
	static const uint8_t bad_ext[16] = { 0x90, 0, 0, 1, 0, 0, 0, 0,
					     0, 0, 0, 1, 0, 0, 0, 9 };
	static const uint8_t bad_pad[14] = { 0xa0, 0, 0, 1, 0, 0, 0, 0,
					     0, 0, 0, 1, 0, 20 };
	static const uint8_t good[14] = { 0x80, 0, 0, 1, 0, 0, 0, 0,
					  0, 0, 0, 1, 0xff, 0xff };
	struct sockaddr_in any = lo4(0), peer;
	struct media_stats st;
	struct media *m;
	char err[256];
	int fd, other;
	socklen_t sl = sizeof(peer);

	m = media_new((struct sockaddr *)&any, 40000, 49999, "tone", err,
		      sizeof(err));
	ASSERT_TRUE(m != NULL);
	fd = udp4(INADDR_LOOPBACK, 0);
	ASSERT_TRUE(fd >= 0);
	send_raw(fd, m, "hello", 5);
	send_raw(fd, m, v1, sizeof(v1));
	send_raw(fd, m, rtcp_sr, sizeof(rtcp_sr));
	send_raw(fd, m, bad_ext, sizeof(bad_ext));
	send_raw(fd, m, bad_pad, sizeof(bad_pad));
	send_raw(fd, m, good, sizeof(good));	/* any source before start */
	media_on_readable(m);
	media_get_stats(m, &st);
	EXPECT_EQ(st.rx_bad, 5);
	EXPECT_EQ(st.rx_packets, 1);
	EXPECT_EQ(st.rx_bytes, 2);
	EXPECT_EQ(st.rx_ssrc, 1);

	/* after start, only the remote's address counts */
	ASSERT_EQ(getsockname(fd, (struct sockaddr *)&peer, &sl), 0);
	ASSERT_EQ(media_start(m, (struct sockaddr *)&peer, err, sizeof(err)), 0);
	other = udp4(INADDR_LOOPBACK + 1, 0);	/* 127.0.0.2 */
	if (other >= 0) {
		send_raw(other, m, good, sizeof(good));
		close(other);
	}
	send_raw(fd, m, good, sizeof(good));
	media_on_readable(m);
	media_get_stats(m, &st);
	EXPECT_EQ(st.rx_bad, other >= 0 ? 6 : 5);
	EXPECT_EQ(st.rx_packets, 2);
	close(fd);
	media_free(m);
}

TEST(start_validates_remote)
{
	struct sockaddr_in any = lo4(0), r0 = lo4(0);
	struct sockaddr_in6 r6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(5004) };
	struct media *m;
	char err[256];

	m = media_new((struct sockaddr *)&any, 40000, 49999, "tone", err,
		      sizeof(err));
	ASSERT_TRUE(m != NULL);
	EXPECT_EQ(media_start(m, (struct sockaddr *)&r0, err, sizeof(err)),
		  -EINVAL);
	EXPECT_EQ(media_start(m, (struct sockaddr *)&r6, err, sizeof(err)),
		  -EAFNOSUPPORT);
	EXPECT_EQ(media_next_ms(m, 0), -1);
	media_free(m);
}

TEST(rtcp_port_is_drained_and_counted)
{
	struct sockaddr_in any = lo4(0), rtcp;
	struct media_stats st;
	struct media *m;
	char err[256];
	int fd;

	m = media_new((struct sockaddr *)&any, 40000, 49999, "tone", err,
		      sizeof(err));
	ASSERT_TRUE(m != NULL);
	rtcp = *(const struct sockaddr_in *)media_local(m);
	rtcp.sin_port = htons(media_port(m) + 1);
	fd = udp4(INADDR_LOOPBACK, 0);
	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(sendto(fd, "rtcp", 4, 0, (struct sockaddr *)&rtcp,
			 sizeof(rtcp)), 4);
	media_tick(m, 0);
	media_get_stats(m, &st);
	EXPECT_EQ(st.rx_rtcp_packets, 1);
	EXPECT_EQ(st.rx_packets, 0);
	close(fd);
	media_free(m);
}
