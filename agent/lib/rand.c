// SPDX-License-Identifier: GPL-2.0
/*
 * rand.c - random numbers from getrandom(2) (see rand.h).
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <stdint.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "rand.h"

/* splitmix64: spreads the fallback's few varying bits over all 64 */
static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void rand_bytes(void *buf, size_t n)
{
	static uint64_t ctr;
	unsigned char *p = buf;
	ssize_t got = getrandom(buf, n, GRND_NONBLOCK);
	size_t i = got > 0 ? (size_t)got : 0;

	for (; i < n; i++) {
		struct timespec t;

		clock_gettime(CLOCK_MONOTONIC, &t);
		p[i] = (unsigned char)mix64((uint64_t)t.tv_nsec ^
					    (uint64_t)getpid() << 32 ^
					    (uint64_t)(uintptr_t)&t ^ ++ctr);
	}
}

uint32_t rand_u32(void)
{
	uint32_t v;

	rand_bytes(&v, sizeof(v));
	return v;
}

uint64_t rand_u64(void)
{
	uint64_t v;

	rand_bytes(&v, sizeof(v));
	return v;
}

void rand_hex(char *buf, size_t size, size_t nbytes)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[32];
	size_t i;

	if (!size)
		return;
	if (nbytes > sizeof(r))
		nbytes = sizeof(r);
	if (nbytes * 2 + 1 > size)
		nbytes = (size - 1) / 2;
	rand_bytes(r, nbytes);
	for (i = 0; i < nbytes; i++) {
		buf[2 * i] = hex[r[i] >> 4];
		buf[2 * i + 1] = hex[r[i] & 15];
	}
	buf[2 * nbytes] = 0;
}
