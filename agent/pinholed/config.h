/* SPDX-License-Identifier: GPL-2.0 */
/*
 * config.h - pinholed's options: the table of long options (the command
 * line's and the config file's keys), one option applied to struct opts,
 * and the config file's text parsed into it. Pure: text in, options or a
 * clear error out; nothing printed, nothing exits. main.c owns getopt,
 * --help and the event loop.
 *
 * Config file: one "key = value" per line, the option's long name as key
 * ("auto-answer = 500", "nack-after-ok = yes"); '#' starts a comment;
 * blank lines are skipped. A line longer than CONFIG_LINE_MAX, a NUL byte,
 * a line without '=', an unknown key or a bad value is an error naming
 * "NAME:LINE: ", and leaves the options as they were.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#ifndef PINHOLE_PINHOLED_CONFIG_H
#define PINHOLE_PINHOLED_CONFIG_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/plog.h"
#include "ua.h"

#define CONFIG_LINE_MAX		511	/* characters, without the newline */
#define CONFIG_OWNED_MAX	64	/* string settings from config files */
#define CONFIG_FILE_MAX		(1024 * 1024)	/* bytes */

struct opts {
	struct ua_cfg ua;
	const char *firewall;
	const char *control;
	enum plog_level log_level;
	const char *dns_servers;	/* NULL: /etc/resolv.conf's */
	unsigned int dns_timeout_ms;
	bool check;			/* --check: parse only */
	/* strings we own (from the config file) */
	char *owned[CONFIG_OWNED_MAX];
	unsigned int nowned;
};

enum {
	O_LISTEN = 'l', O_USER = 'u', O_HELP = 'h',
	O_DOMAIN = 256, O_PROXY, O_REGISTER, O_PASSWORD, O_MEDIA_PORTS,
	O_TIEBREAK, O_GLARE, O_NACK, O_FIREWALL, O_AUTO_ANSWER, O_CONTROL,
	O_MEDIA, O_CONFIG, O_LOG_LEVEL, O_TRANSPORT, O_MAX_CALLS, O_CHECK,
	O_RING_TIMEOUT, O_ALLOW, O_AUTH_INBOUND, O_INBOUND_PASSWORD,
	O_NEW_DIALOG_RATE, O_MEDIA_ALLOW, O_MEDIA_PEER, O_RTP_TIMEOUT,
	O_MAX_TRANSACTIONS, O_DNS_SERVER, O_DNS_TIMEOUT, O_CODECS, O_CODEC_ORDER,
	O_STATE_DIR, O_TLS_CERT, O_TLS_KEY, O_TLS_CA,
	O_100REL,
	O_LATCH, O_PUBLIC_ADDRESS, O_LATCH_WINDOW,
	O_SESSION_EXPIRES, O_MIN_SE,
	O_SIP_T1,
};

/* getopt_long()'s table; also the config file's keys */
extern const struct option config_long_opts[];

/* the defaults of every option */
void config_defaults(struct opts *o);

/*
 * One option @opt (O_*) with its value @v (NULL: a flag without value),
 * from the command line or a config file. @where prefixes the error
 * ("" or "FILE:LINE: "). 0, or -EINVAL with the error in @err.
 */
int config_apply(struct opts *o, int opt, const char *v, const char *where,
		 char *err, size_t errlen);

/*
 * The text of a config file (@len bytes, not NUL-terminated, may hold
 * anything) named @name in errors. 0, or -EINVAL with @err set and @o
 * unchanged. The strings it keeps are o->owned[] (config_free()).
 */
int config_parse(struct opts *o, const char *text, size_t len,
		 const char *name, char *err, size_t errlen);

/* config_parse() of the file @path (at most 1 MiB) */
int config_load(struct opts *o, const char *path, char *err, size_t errlen);

/* free the strings config_parse() kept */
void config_free(struct opts *o);

/*
 * The descriptors @max_calls calls need: RTP and RTCP per call, and
 * CONFIG_FDS_BASE for the rest (SIP, netlink, control clients, DNS).
 * config_nofile_soft(): the soft RLIMIT_NOFILE to set given the current
 * @soft and @hard ones: at least that need (up to @hard), never lower
 * than @soft. A 1000-call pinholed under the usual 1024 ran out of
 * descriptors at ~500 calls.
 */
#define CONFIG_FDS_BASE		256
unsigned long long config_fds_needed(unsigned int max_calls);
unsigned long long config_nofile_soft(unsigned int max_calls,
				      unsigned long long soft,
				      unsigned long long hard);

#endif /* PINHOLE_PINHOLED_CONFIG_H */
