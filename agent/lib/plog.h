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
 *   TAG   '>' SIP message sent, '<' SIP message received (level info),
 *         '.' info, 'W' warning, 'E' error, 'D' debug
 *   TEXT  for SIP messages (see sip_transport.c):
 *           request:  METHOD REQUEST-URI [(Glare-Tiebreak N)] | KEY=VALUE...
 *           response: CODE REASON [(Glare-Tiebreak N)] | KEY=VALUE...
 *         with the keys call=CALL-ID cseq=N/METHOD peer=ADDR:PORT;
 *         for call events (ua.c):
 *           call ID EVENT | KEY=VALUE...
 *         Anything before " | " is for people, after it space-separated
 *         KEY=VALUE pairs (values contain no spaces).
 */
#ifndef PINHOLE_AGENT_PLOG_H
#define PINHOLE_AGENT_PLOG_H

#include <stdbool.h>

enum plog_level {
	PLOG_ERR,
	PLOG_WARN,
	PLOG_INFO,
	PLOG_DEBUG,
};

void plog_init(const char *user, enum plog_level level);
int plog_level_parse(const char *s, enum plog_level *out);
bool plog_enabled(enum plog_level level);

void plog(enum plog_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* SIP message lines: @tag is '>' or '<' */
void plog_tag(char tag, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* PINHOLE_AGENT_PLOG_H */
