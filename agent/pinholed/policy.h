/* SPDX-License-Identifier: GPL-2.0 */
/*
 * policy.h - who may ask pinholed for what, as pure functions (no clock,
 * no I/O; the time is an argument):
 *
 *   --allow CIDR[,CIDR...]  source prefixes (IPv4, IPv6); a request from
 *                           any other address is refused 403. An IPv4-
 *                           mapped IPv6 source is matched as IPv4.
 *   --new-dialog-rate N     out-of-dialog INVITEs per second from one
 *                           source address: a token bucket of N tokens
 *                           refilled at N/s; beyond it, 503 Retry-After.
 *
 * Policy refusals (403, 401, 503) are themselves limited per source to
 * POL_REFUSE_RATE/s (bucket POL_REFUSE_BURST): beyond that a source is
 * not answered at all until its rate falls, so a flood earns no
 * responses. Sources are remembered in a fixed table of POL_SRC_SLOTS
 * (least recently seen of a probe window evicted).
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#ifndef PINHOLE_PINHOLED_POLICY_H
#define PINHOLE_PINHOLED_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define POL_ALLOW_MAX		32	/* prefixes in --allow */
#define POL_RATE_MAX		100000	/* --new-dialog-rate */
#define POL_REFUSE_RATE		10	/* answered policy refusals/s */
#define POL_REFUSE_BURST	20
#define POL_SRC_SLOTS		1024
#define POL_SRC_PROBE		8

struct pol_cidr {
	uint8_t family;			/* AF_INET, AF_INET6 */
	uint8_t bits;			/* prefix length */
	uint8_t addr[16];		/* network order, host bits zero */
};

/* "192.0.2.0/24", "2001:db8::/32", "192.0.2.1" (/32), "::1" (/128);
 * 0 or -EINVAL with the reason in @err (host bits set are an error) */
int pol_cidr_parse(const char *s, struct pol_cidr *c, char *err,
		   size_t errlen);
/* a comma-separated list appended to @list[*n]; on error nothing added */
int pol_cidr_list_add(struct pol_cidr *list, unsigned int *n,
		      unsigned int max, const char *s, char *err,
		      size_t errlen);
bool pol_cidr_match(const struct pol_cidr *c, const struct sockaddr *sa);
/* no prefixes: everyone */
bool pol_allowed(const struct pol_cidr *list, unsigned int n,
		 const struct sockaddr *sa);

/* a token bucket in thousandths of a token */
struct pol_bucket {
	uint64_t t_ms;			/* last refill */
	uint64_t milli;			/* tokens * 1000 */
	bool init;
};

/* takes a token at @now_ms (refilled at @rate/s up to @burst; a new
 * bucket starts full); false when there is none */
bool pol_bucket_take(struct pol_bucket *b, unsigned int rate,
		     unsigned int burst, uint64_t now_ms);

struct pol_src {
	uint8_t family;			/* 0: free slot */
	uint8_t addr[16];
	uint64_t seen_ms;
	struct pol_bucket dialogs;	/* --new-dialog-rate */
	struct pol_bucket refusals;	/* answered refusals */
	uint64_t silenced;		/* refusals not answered */
};

struct pol_srcs {
	struct pol_src slot[POL_SRC_SLOTS];
};

/* the entry of @sa's address (ports ignored), created (evicting) when new;
 * NULL for an address family other than IPv4/IPv6 */
struct pol_src *pol_src_get(struct pol_srcs *t, const struct sockaddr *sa,
			    uint64_t now_ms);

/* "N" or "N/s", 1-POL_RATE_MAX; 0 or -EINVAL */
int pol_rate_parse(const char *s, unsigned int *rate);

#endif /* PINHOLE_PINHOLED_POLICY_H */
