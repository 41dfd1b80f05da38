/* SPDX-License-Identifier: GPL-2.0 */
/*
 * errbuf.h - the error text of the agent's calls that take a caller's
 * buffer (char *err, size_t errlen) for a human readable message.
 */
#ifndef PINHOLE_AGENT_ERRBUF_H
#define PINHOLE_AGENT_ERRBUF_H

#include <stddef.h>

/*
 * Formats the message into @err (truncated to @errlen; nothing when @err is
 * NULL or @errlen 0) and returns @code, so that a caller can write
 * "return seterr(err, errlen, -EINVAL, ...);".
 */
int seterr(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* PINHOLE_AGENT_ERRBUF_H */
