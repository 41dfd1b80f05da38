/* SPDX-License-Identifier: GPL-2.0 */
/*
 * plog.h - pinholed's log: one line per event on stderr, machine-parsable
 * (the demo draws ladder diagrams from it).
 *
 * Line format (fields separated by one space):
 *
 *   TIME USER TAG TEXT
 *
 *   TIME  wall clock, seconds since the epoch with milliseconds
 *         ("1767225600.123"), so the logs of two daemons merge by time
 *   USER  the --user of the daemon
 *   TAG   '>' SIP message sent, '<' SIP message received, '.' info,
 *         'W' warning, 'E' error, 'D' debug
 *   TEXT  for SIP messages (see sip_transport.c):
 *           request:  METHOD REQUEST-URI [(Glare-Tiebreak N)] | KEY=VALUE...
 *           response: CODE REASON [(Glare-Tiebreak N)] | KEY=VALUE...
 *         with the keys call=CALL-ID cseq=N/METHOD peer=ADDR:PORT;
 *         for call events (ua.c):
 *           call ID EVENT | KEY=VALUE...
 *         Anything before " | " is for people, after it space-separated
 *         KEY=VALUE pairs (values contain no spaces).
 *
 * TEXT is escaped as a whole: a byte below 0x20, 0x7f and a byte that is
 * not part of valid UTF-8 is written "\xNN", a backslash "\\". So the
 * bytes of a peer (URIs, Call-IDs, reason phrases, header values) never
 * break a line and every line is valid UTF-8.
 *
 * Levels (--log-level, default info):
 *   error, warn  'E', 'W' lines
 *   info         '.' lines: what happens to calls ("call N A -> B", glare
 *                decisions, pinhole operations, "call N closed"), the
 *                registration's outcome, the daemon's start and stop
 *   debug        'D' lines; every SIP message line ('>' '<', plog_msg()),
 *                whatever its method, sent or received, request or
 *                response, and every retransmission line ('D' "retransmit
 *                ..."): a peer's flood of any method (INVITE, BYE, CANCEL,
 *                OPTIONS, garbage) costs no line per message at the default
 *                level; libosip2's own traces ("osip: FILE:LINE TEXT").
 *                Whatever reads the message lines (tests, the demo's
 *                ladders) runs pinholed at --log-level debug.
 *
 * Warnings are rate-limited per format string (call site): at most
 * PLOG_RL_BURST lines in PLOG_RL_INTERVAL_MS, then nothing until the
 * interval ends; the next line that passes is preceded by
 * "N more lines like the next one were suppressed". plog_rl() does the same
 * at any level.
 */
#ifndef PINHOLE_AGENT_PLOG_H
#define PINHOLE_AGENT_PLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum plog_level {
	PLOG_ERR,
	PLOG_WARN,
	PLOG_INFO,
	PLOG_DEBUG,
};

void plog_init(const char *user, enum plog_level level);
int plog_level_parse(const char *s, enum plog_level *out);
bool plog_enabled(enum plog_level level);

/* warnings are rate-limited (see above) */
void plog(enum plog_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* rate-limited at any level: for lines a peer can trigger at will */
void plog_rl(enum plog_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* a SIP message line: @tag is '>' or '<'; at debug only (above) */
void plog_msg(char tag, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* @src[0..len) escaped as above into @dst (NUL-terminated, cut at a whole
 * character); returns the length written */
size_t plog_escape(char *dst, size_t size, const char *src, size_t len);

/* the rate limiter: at most PLOG_RL_BURST passes per PLOG_RL_INTERVAL_MS */
#define PLOG_RL_BURST		10
#define PLOG_RL_INTERVAL_MS	5000

struct plog_rl {
	const void *key;
	bool used;
	uint64_t start_ms;
	unsigned int n;			/* passed in this interval */
	unsigned long suppressed;	/* refused in this interval */
};

/* true: log it; *@suppressed: how many were refused in the interval
 * that has just ended (say so first) */
bool plog_rl_pass(struct plog_rl *rl, unsigned long *suppressed);

/* tests: where lines go (NULL: stderr); the limiter's clock in ms
 * (NULL: CLOCK_MONOTONIC), which also forgets every limiter's state */
void plog_set_output(FILE *f);
void plog_set_clock(uint64_t (*now_ms)(void));

#endif /* PINHOLE_AGENT_PLOG_H */
