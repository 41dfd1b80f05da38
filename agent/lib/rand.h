// SPDX-License-Identifier: GPL-2.0
/*
 * rand.h - unpredictable numbers for tags, branches, cookies, tiebreakers,
 * SSRCs and back-offs: getrandom(2), never blocking; should the kernel's
 * pool not answer, a clock-and-address mix (not for secrets).
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#ifndef PINHOLE_LIB_RAND_H
#define PINHOLE_LIB_RAND_H

#include <stddef.h>
#include <stdint.h>

void rand_bytes(void *buf, size_t n);
uint32_t rand_u32(void);
uint64_t rand_u64(void);
/* @nbytes random bytes as lower-case hex into @buf, NUL-terminated,
 * shortened to what @size holds */
void rand_hex(char *buf, size_t size, size_t nbytes);

#endif /* PINHOLE_LIB_RAND_H */
