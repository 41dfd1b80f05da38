// SPDX-License-Identifier: GPL-2.0
/*
 * errbuf.c - the error text of calls with a caller's buffer (see errbuf.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "errbuf.h"

int seterr(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}
