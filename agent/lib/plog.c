// SPDX-License-Identifier: GPL-2.0
/*
 * plog.c - timestamped log lines on stderr; format in plog.h.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "plog.h"

static char plog_user[64] = "pinholed";
static enum plog_level plog_max = PLOG_INFO;

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

static void vline(char tag, const char *fmt, va_list ap)
{
	struct timespec ts;
	char text[2048];

	clock_gettime(CLOCK_REALTIME, &ts);
	vsnprintf(text, sizeof(text), fmt, ap);
	/* one write per line so two daemons sharing a terminal do not mix */
	fprintf(stderr, "%lld.%03ld %s %c %s\n", (long long)ts.tv_sec,
		ts.tv_nsec / 1000000, plog_user, tag, text);
}

void plog(enum plog_level level, const char *fmt, ...)
{
	static const char tags[] = { 'E', 'W', '.', 'D' };
	va_list ap;

	if (!plog_enabled(level))
		return;
	va_start(ap, fmt);
	vline(tags[level], fmt, ap);
	va_end(ap);
}

void plog_tag(char tag, const char *fmt, ...)
{
	va_list ap;

	if (!plog_enabled(PLOG_INFO))
		return;
	va_start(ap, fmt);
	vline(tag, fmt, ap);
	va_end(ap);
}
