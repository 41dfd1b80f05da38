// SPDX-License-Identifier: GPL-2.0
/*
 * plog.c - timestamped log lines on stderr; format in plog.h.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "plog.h"

static char plog_user[64] = "pinholed";
static enum plog_level plog_max = PLOG_INFO;
static FILE *plog_out;
static uint64_t (*plog_clock)(void);

/* the rate limits of plog(PLOG_WARN) and plog_rl(), one per format string */
#define PLOG_RL_SLOTS	64
static struct plog_rl plog_rls[PLOG_RL_SLOTS];

void plog_init(const char *user, enum plog_level level)
{
	if (user)
		snprintf(plog_user, sizeof(plog_user), "%s", user);
	plog_max = level;
	setvbuf(stderr, NULL, _IOLBF, 0);
}

int plog_level_parse(const char *s, enum plog_level *out)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };

	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i])) {
			*out = (enum plog_level)i;
			return 0;
		}
	}
	return -1;
}

bool plog_enabled(enum plog_level level)
{
	return level <= plog_max;
}

void plog_set_output(FILE *f)
{
	plog_out = f;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void plog_set_clock(uint64_t (*now_ms)(void))
{
	plog_clock = now_ms;
	memset(plog_rls, 0, sizeof(plog_rls));
}

/* the length of the valid UTF-8 sequence at @s (at most @n bytes), or 0 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong, surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

size_t plog_escape(char *dst, size_t size, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0, n;

	if (!size)
		return 0;
	while (i < len) {
		n = s[i] < 0x20 || s[i] == 0x7f ? 0 : utf8_len(s + i, len - i);
		if (s[i] == '\\') {
			if (o + 2 >= size)
				break;
			dst[o++] = '\\';
			dst[o++] = '\\';
			i++;
		} else if (!n) {
			if (o + 4 >= size)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[s[i] >> 4];
			dst[o++] = hex[s[i] & 15];
			i++;
		} else {
			if (o + n >= size)
				break;
			memcpy(dst + o, s + i, n);
			o += n;
			i += n;
		}
	}
	dst[o] = '\0';
	return o;
}

static void vline(char tag, const char *fmt, va_list ap)
{
	struct timespec ts;
	char text[2048], esc[4 * sizeof(text)];
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	if (n < 0)
		n = 0;
	else if ((size_t)n >= sizeof(text))
		n = sizeof(text) - 1;
	/* the peer's bytes in it: one line, valid UTF-8 */
	plog_escape(esc, sizeof(esc), text, (size_t)n);
	/* one write per line so two daemons sharing a terminal do not mix */
	fprintf(plog_out ? plog_out : stderr, "%lld.%03ld %s %c %s\n",
		(long long)ts.tv_sec, ts.tv_nsec / 1000000, plog_user, tag,
		esc);
}

static void line(char tag, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void line(char tag, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(tag, fmt, ap);
	va_end(ap);
}

static const char plog_tags[] = { 'E', 'W', '.', 'D' };

bool plog_rl_pass(struct plog_rl *rl, unsigned long *suppressed)
{
	uint64_t now = plog_clock ? plog_clock() : mono_ms();

	*suppressed = 0;
	if (!rl->used || now - rl->start_ms >= PLOG_RL_INTERVAL_MS) {
		*suppressed = rl->suppressed;
		rl->used = true;
		rl->start_ms = now;
		rl->n = 0;
		rl->suppressed = 0;
	}
	if (rl->n >= PLOG_RL_BURST) {
		rl->suppressed++;
		return false;
	}
	rl->n++;
	return true;
}

static struct plog_rl *rl_slot(const char *fmt)
{
	unsigned int h = (unsigned int)((uintptr_t)fmt >> 3) % PLOG_RL_SLOTS;
	unsigned int i;

	for (i = 0; i < PLOG_RL_SLOTS; i++) {
		struct plog_rl *rl = &plog_rls[(h + i) % PLOG_RL_SLOTS];

		if (rl->key == fmt || !rl->key) {
			rl->key = fmt;
			return rl;
		}
	}
	/* more formats than slots: the last one is shared */
	return &plog_rls[PLOG_RL_SLOTS - 1];
}

static void vplog_rl(enum plog_level level, const char *fmt, va_list ap)
{
	unsigned long n;

	if (!plog_rl_pass(rl_slot(fmt), &n))
		return;
	if (n)
		line(plog_tags[level], "%lu more lines like the next one "
		     "were suppressed", n);
	vline(plog_tags[level], fmt, ap);
}

void plog(enum plog_level level, const char *fmt, ...)
{
	va_list ap;

	if (!plog_enabled(level))
		return;
	va_start(ap, fmt);
	if (level == PLOG_WARN)
		vplog_rl(level, fmt, ap);
	else
		vline(plog_tags[level], fmt, ap);
	va_end(ap);
}

void plog_rl(enum plog_level level, const char *fmt, ...)
{
	va_list ap;

	if (!plog_enabled(level))
		return;
	va_start(ap, fmt);
	vplog_rl(level, fmt, ap);
	va_end(ap);
}

void plog_msg(char tag, const char *fmt, ...)
{
	va_list ap;

	if (!plog_enabled(PLOG_DEBUG))
		return;
	va_start(ap, fmt);
	vline(tag, fmt, ap);
	va_end(ap);
}
