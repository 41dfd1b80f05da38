// SPDX-License-Identifier: GPL-2.0
/*
 * udpflood - UDP receive-rate benchmark for pinhole.
 *
 * One process, one thread: a sender socket made in one network namespace and
 * a receiver socket made in another (or both in the current one). Each round
 * sends --batch datagrams with one sendmmsg() and drains the receiver with
 * recvmmsg(). On one vCPU the veth transmit runs the whole receive path
 * (netfilter hooks included) in softirq before sendmmsg() returns, so the
 * loop measures the full per-packet cost and stays stable under icount.
 *
 * The rate is received datagrams per second of CLOCK_MONOTONIC, which under
 * qemu -icount counts executed guest instructions.
 *
 * Output, one line: key=value pairs (pps, ns_per_pkt, sent, received, ...).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCH 256
#define MAX_SIZE 1472

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* A socket made inside netns @ns (a name under /run/netns, or NULL). */
static int socket_in(const char *ns, int type)
{
	int self = -1, target, fd;
	char path[256];

	if (ns && *ns) {
		self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (self < 0)
			die("open /proc/self/ns/net");
		snprintf(path, sizeof(path), "/run/netns/%s", ns);
		target = open(path, O_RDONLY | O_CLOEXEC);
		if (target < 0)
			die(path);
		if (setns(target, CLONE_NEWNET) < 0)
			die("setns");
		close(target);
	}
	fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	if (self >= 0) {
		if (setns(self, CLONE_NEWNET) < 0)
			die("setns back");
		close(self);
	}
	return fd;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: udpflood [--tx-netns NS] [--rx-netns NS] --src ADDR --dst ADDR\n"
		"                --port PORT [--batch N] [--size BYTES]\n"
		"                [--packets N | --duration-ms MS] [--warmup N]\n"
		"                [--expect-drop]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tx-netns", required_argument, NULL, 't' },
		{ "rx-netns", required_argument, NULL, 'r' },
		{ "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "sport", required_argument, NULL, 'P' },
		{ "batch", required_argument, NULL, 'b' },
		{ "size", required_argument, NULL, 'z' },
		{ "packets", required_argument, NULL, 'n' },
		{ "duration-ms", required_argument, NULL, 'D' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "expect-drop", no_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 }
	};
	const char *txns = NULL, *rxns = NULL, *src = "127.0.0.1", *dst = "127.0.0.1";
	unsigned int port = 0, sport = 0, batch = 32, size = 18;
	uint64_t packets = 0, duration_ms = 0, warmup = 2000;
	int expect_drop = 0;
	static char payload[MAX_BATCH][MAX_SIZE];
	static char rxbuf[MAX_BATCH][MAX_SIZE];
	struct mmsghdr txm[MAX_BATCH], rxm[MAX_BATCH];
	struct iovec txv[MAX_BATCH], rxv[MAX_BATCH];
	struct sockaddr_in sa_src, sa_dst;
	uint64_t sent = 0, recvd = 0, rounds = 0, t0, t1, deadline, target;
	int tx, rx, c, one = 1, rcvbuf = 8 << 20;
	unsigned int i;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': txns = optarg; break;
		case 'r': rxns = optarg; break;
		case 's': src = optarg; break;
		case 'd': dst = optarg; break;
		case 'p': port = strtoul(optarg, NULL, 0); break;
		case 'P': sport = strtoul(optarg, NULL, 0); break;
		case 'b': batch = strtoul(optarg, NULL, 0); break;
		case 'z': size = strtoul(optarg, NULL, 0); break;
		case 'n': packets = strtoull(optarg, NULL, 0); break;
		case 'D': duration_ms = strtoull(optarg, NULL, 0); break;
		case 'w': warmup = strtoull(optarg, NULL, 0); break;
		case 'x': expect_drop = 1; break;
		default: usage();
		}
	}
	if (!port || port > 65535 || !batch || batch > MAX_BATCH ||
	    !size || size > MAX_SIZE || (!packets && !duration_ms))
		usage();

	memset(&sa_src, 0, sizeof(sa_src));
	sa_src.sin_family = AF_INET;
	sa_src.sin_port = htons(sport);
	memset(&sa_dst, 0, sizeof(sa_dst));
	sa_dst.sin_family = AF_INET;
	sa_dst.sin_port = htons(port);
	if (inet_pton(AF_INET, src, &sa_src.sin_addr) != 1 ||
	    inet_pton(AF_INET, dst, &sa_dst.sin_addr) != 1)
		usage();

	rx = socket_in(rxns, SOCK_DGRAM | SOCK_NONBLOCK);
	setsockopt(rx, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (setsockopt(rx, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(rx, (struct sockaddr *)&sa_dst, sizeof(sa_dst)) < 0)
		die("bind receiver");

	tx = socket_in(txns, SOCK_DGRAM);
	if (bind(tx, (struct sockaddr *)&sa_src, sizeof(sa_src)) < 0)
		die("bind sender");
	if (connect(tx, (struct sockaddr *)&sa_dst, sizeof(sa_dst)) < 0)
		die("connect sender");

	memset(txm, 0, sizeof(txm));
	memset(rxm, 0, sizeof(rxm));
	for (i = 0; i < batch; i++) {
		memset(payload[i], 'p', size);
		txv[i].iov_base = payload[i];
		txv[i].iov_len = size;
		txm[i].msg_hdr.msg_iov = &txv[i];
		txm[i].msg_hdr.msg_iovlen = 1;
		rxv[i].iov_base = rxbuf[i];
		rxv[i].iov_len = MAX_SIZE;
		rxm[i].msg_hdr.msg_iov = &rxv[i];
		rxm[i].msg_hdr.msg_iovlen = 1;
	}

	/* Warm-up: neighbour resolution, caches, first-packet paths. */
	for (target = 0; target < warmup; target += batch) {
		if (sendmmsg(tx, txm, batch, 0) < 0 && errno != ECONNREFUSED)
			die("sendmmsg (warm-up)");
		while (recvmmsg(rx, rxm, MAX_BATCH, MSG_DONTWAIT, NULL) > 0)
			;
	}
	usleep(20000);
	while (recvmmsg(rx, rxm, MAX_BATCH, MSG_DONTWAIT, NULL) > 0)
		;

	t0 = now_ns();
	deadline = duration_ms ? t0 + duration_ms * 1000000ULL : UINT64_MAX;
	for (;;) {
		int n = sendmmsg(tx, txm, batch, 0);

		if (n < 0) {
			if (errno == ECONNREFUSED || errno == EAGAIN ||
			    errno == ENOBUFS)
				n = 0;
			else
				die("sendmmsg");
		}
		sent += n;
		for (;;) {
			int r = recvmmsg(rx, rxm, MAX_BATCH, MSG_DONTWAIT, NULL);

			if (r <= 0) {
				if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
					die("recvmmsg");
				break;
			}
			recvd += r;
		}
		rounds++;
		if (packets && sent >= packets)
			break;
		if (duration_ms && (rounds & 7) == 0 && now_ns() >= deadline)
			break;
	}
	t1 = now_ns();

	{
		double secs = (double)(t1 - t0) / 1e9;
		double pps = secs > 0 ? (double)recvd / secs : 0;

		printf("pps=%.0f ns_per_pkt=%.1f sent=%llu received=%llu "
		       "lost=%llu elapsed_ns=%llu batch=%u size=%u\n",
		       pps, recvd ? (double)(t1 - t0) / (double)recvd : 0.0,
		       (unsigned long long)sent, (unsigned long long)recvd,
		       (unsigned long long)(sent - recvd),
		       (unsigned long long)(t1 - t0), batch, size);
	}
	if (!expect_drop && recvd == 0) {
		fprintf(stderr, "udpflood: nothing received\n");
		return 3;
	}
	if (expect_drop && recvd != 0) {
		fprintf(stderr, "udpflood: %llu received, expected drops\n",
			(unsigned long long)recvd);
		return 3;
	}
	return 0;
}
