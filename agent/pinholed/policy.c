// SPDX-License-Identifier: GPL-2.0
/*
 * policy.c - source prefixes, token buckets and the per-source table of
 * pinholed's inbound policy (policy.h).
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int pol_cidr_parse(const char *s, struct pol_cidr *c, char *err,
		   size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *e;
	unsigned int max, len;
	unsigned long bits;

	memset(c, 0, sizeof(*c));
	len = (unsigned int)strnlen(s, sizeof(buf));
	if (!len || len >= sizeof(buf))
		goto bad;
	memcpy(buf, s, len + 1);
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	if (inet_pton(AF_INET, buf, c->addr) == 1) {
		c->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, c->addr) == 1) {
		c->family = AF_INET6;
		max = 128;
	} else {
		goto bad;
	}
	bits = max;
	if (slash) {
		errno = 0;
		bits = strtoul(slash + 1, &e, 10);
		if (errno || e == slash + 1 || *e || slash[1] == '-' ||
		    slash[1] == '+' || slash[1] == ' ' || bits > max) {
			snprintf(err, errlen, "'%s': the prefix length is "
				 "0-%u", s, max);
			memset(c, 0, sizeof(*c));
			return -EINVAL;
		}
	}
	c->bits = (uint8_t)bits;
	for (unsigned int i = 0; i < max / 8; i++) {
		uint8_t keep = i * 8 >= bits ? 0 :
			       i * 8 + 8 <= bits ? 0xff :
			       (uint8_t)(0xff00 >> (bits - i * 8));

		if (c->addr[i] & ~keep) {
			snprintf(err, errlen, "'%s': host bits set after /%lu",
				 s, bits);
			memset(c, 0, sizeof(*c));
			return -EINVAL;
		}
	}
	return 0;
bad:
	snprintf(err, errlen, "'%.*s' is not an IPv4 or IPv6 address[/prefix]",
		 64, s);
	memset(c, 0, sizeof(*c));
	return -EINVAL;
}

int pol_cidr_list_add(struct pol_cidr *list, unsigned int *n,
		      unsigned int max, const char *s, char *err,
		      size_t errlen)
{
	unsigned int k = *n;
	const char *p = s;

	for (;;) {
		size_t len = strcspn(p, ",");
		char one[INET6_ADDRSTRLEN + 8];

		while (len && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (!len || len >= sizeof(one)) {
			snprintf(err, errlen, "'%.*s': an empty or overlong "
				 "prefix in the list", 64, s);
			return -EINVAL;
		}
		if (k == max) {
			snprintf(err, errlen, "more than %u prefixes", max);
			return -EINVAL;
		}
		memcpy(one, p, len);
		one[len] = 0;
		if (pol_cidr_parse(one, &list[k], err, errlen))
			return -EINVAL;
		k++;
		p += strcspn(p, ",");
		if (!*p)
			break;
		p++;
	}
	*n = k;
	return 0;
}

/* @sa's address as IPv4 (mapped IPv6 too) or IPv6; its family or 0 */
static int addr_of(const struct sockaddr *sa, uint8_t out[16])
{
	if (sa->sa_family == AF_INET) {
		memcpy(out, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		memset(out + 4, 0, 12);
		return AF_INET;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
			&((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a)) {
			memcpy(out, a->s6_addr + 12, 4);
			memset(out + 4, 0, 12);
			return AF_INET;
		}
		memcpy(out, a->s6_addr, 16);
		return AF_INET6;
	}
	return 0;
}

bool pol_cidr_match(const struct pol_cidr *c, const struct sockaddr *sa)
{
	uint8_t a[16];
	unsigned int full = c->bits / 8, rest = c->bits % 8;

	if (addr_of(sa, a) != c->family)
		return false;
	if (memcmp(a, c->addr, full))
		return false;
	return !rest || !((a[full] ^ c->addr[full]) &
			  (uint8_t)(0xff00 >> rest));
}

bool pol_allowed(const struct pol_cidr *list, unsigned int n,
		 const struct sockaddr *sa)
{
	if (!n)
		return true;
	for (unsigned int i = 0; i < n; i++)
		if (pol_cidr_match(&list[i], sa))
			return true;
	return false;
}

bool pol_bucket_take(struct pol_bucket *b, unsigned int rate,
		     unsigned int burst, uint64_t now_ms)
{
	uint64_t cap = (uint64_t)burst * 1000;

	if (!b->init) {
		b->init = true;
		b->milli = cap;
		b->t_ms = now_ms;
	} else if (now_ms > b->t_ms) {
		uint64_t dt = now_ms - b->t_ms;

		/* dt >= cap ms fills it at any rate >= 1: no overflow */
		b->milli = dt >= cap ? cap : b->milli + dt * rate;
		if (b->milli > cap)
			b->milli = cap;
		b->t_ms = now_ms;
	}
	if (b->milli < 1000)
		return false;
	b->milli -= 1000;
	return true;
}

struct pol_src *pol_src_get(struct pol_srcs *t, const struct sockaddr *sa,
			    uint64_t now_ms)
{
	struct pol_src *victim = NULL;
	uint8_t a[16];
	uint32_t h = 2166136261u;
	int fam = addr_of(sa, a);

	if (!fam)
		return NULL;
	for (int i = 0; i < 16; i++)
		h = (h ^ a[i]) * 16777619u;
	h ^= (uint32_t)fam;
	for (unsigned int i = 0; i < POL_SRC_PROBE; i++) {
		struct pol_src *s = &t->slot[(h + i) % POL_SRC_SLOTS];

		if (!s->family) {	/* slots are never freed: not further */
			victim = s;
			break;
		}
		if (s->family == fam && !memcmp(s->addr, a, 16)) {
			s->seen_ms = now_ms;
			return s;
		}
		if (!victim || s->seen_ms < victim->seen_ms)
			victim = s;
	}
	memset(victim, 0, sizeof(*victim));
	victim->family = (uint8_t)fam;
	memcpy(victim->addr, a, 16);
	victim->seen_ms = now_ms;
	return victim;
}

int pol_rate_parse(const char *s, unsigned int *rate)
{
	unsigned long v;
	char *e;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &e, 10);
	if (errno || (*e && strcmp(e, "/s")) || !v || v > POL_RATE_MAX)
		return -EINVAL;
	*rate = (unsigned int)v;
	return 0;
}
