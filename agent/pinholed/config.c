// SPDX-License-Identifier: GPL-2.0
/*
 * config.c - pinholed's options and its config file (config.h): the long
 * option table, one option applied, the file's text parsed line by line
 * into a copy of the options that replaces them only when every line was
 * good.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media/media_policy.h"
#include "sip/sdp.h"
#include "sip/sip_msg.h"
#include "sip/sip_transport.h"
#include "sip/sip_tx.h"
#include "config.h"
#include "ctl.h"
#include "policy.h"

const struct option config_long_opts[] = {
	{ "listen",	 required_argument, NULL, O_LISTEN },
	{ "user",	 required_argument, NULL, O_USER },
	{ "domain",	 required_argument, NULL, O_DOMAIN },
	{ "proxy",	 required_argument, NULL, O_PROXY },
	{ "register",	 no_argument,	    NULL, O_REGISTER },
	{ "password",	 required_argument, NULL, O_PASSWORD },
	{ "media-ports", required_argument, NULL, O_MEDIA_PORTS },
	{ "tiebreak",	 required_argument, NULL, O_TIEBREAK },
	{ "glare",	 required_argument, NULL, O_GLARE },
	{ "nack-after-ok", no_argument,	    NULL, O_NACK },
	{ "firewall",	 required_argument, NULL, O_FIREWALL },
	{ "auto-answer", optional_argument, NULL, O_AUTO_ANSWER },
	{ "control",	 required_argument, NULL, O_CONTROL },
	{ "media",	 required_argument, NULL, O_MEDIA },
	{ "config",	 required_argument, NULL, O_CONFIG },
	{ "log-level",	 required_argument, NULL, O_LOG_LEVEL },
	{ "transport",	 required_argument, NULL, O_TRANSPORT },
	{ "max-calls",	 required_argument, NULL, O_MAX_CALLS },
	{ "check",	 no_argument,	    NULL, O_CHECK },
	{ "ring-timeout", required_argument, NULL, O_RING_TIMEOUT },
	{ "allow",	 required_argument, NULL, O_ALLOW },
	{ "auth-inbound", no_argument,	    NULL, O_AUTH_INBOUND },
	{ "inbound-password", required_argument, NULL, O_INBOUND_PASSWORD },
	{ "new-dialog-rate", required_argument, NULL, O_NEW_DIALOG_RATE },
	{ "media-allow", required_argument, NULL, O_MEDIA_ALLOW },
	{ "media-peer",	 required_argument, NULL, O_MEDIA_PEER },
	{ "rtp-timeout", required_argument, NULL, O_RTP_TIMEOUT },
	{ "codecs",	 required_argument, NULL, O_CODECS },
	{ "codec-order", required_argument, NULL, O_CODEC_ORDER },
	{ "max-transactions", required_argument, NULL, O_MAX_TRANSACTIONS },
	{ "sip-t1",	 required_argument, NULL, O_SIP_T1 },
	{ "dns-server",	 required_argument, NULL, O_DNS_SERVER },
	{ "dns-timeout", required_argument, NULL, O_DNS_TIMEOUT },
	{ "state-dir",	 required_argument, NULL, O_STATE_DIR },
	{ "100rel",	 required_argument, NULL, O_100REL },
	{ "latch",	 required_argument, NULL, O_LATCH },
	{ "latch-window", required_argument, NULL, O_LATCH_WINDOW },
	{ "public-address", required_argument, NULL, O_PUBLIC_ADDRESS },
	{ "tls-cert",	 required_argument, NULL, O_TLS_CERT },
	{ "tls-key",	 required_argument, NULL, O_TLS_KEY },
	{ "tls-ca",	 required_argument, NULL, O_TLS_CA },
	{ "session-expires", required_argument, NULL, O_SESSION_EXPIRES },
	{ "min-se",	 required_argument, NULL, O_MIN_SE },
	{ "help",	 no_argument,	    NULL, O_HELP },
	{ NULL, 0, NULL, 0 },
};

void config_defaults(struct opts *o)
{
	*o = (struct opts){
		.ua = {
			.media_lo = 20000, .media_hi = 20999,
			.media_source = "tone",
			.tiebreak = UA_TIEBREAK_RANDOM,
			.call = { .mode = GLARE_MODE_TIEBREAK,
				  .auto_answer_ms = -1 },
			.register_expires = 3600,
			.transport = SIP_TP_UDP,
			.max_calls = UA_MAX_CALLS_DEFAULT,
			.ring_timeout_ms = 120000,
			.rel100 = SIP_100REL_ON,
			.st = { .se = 1800, .min_se = SIP_ST_FLOOR },
			.rtp_timeout_ms = 60000,
			.latch_window_ms = 10000,
			.sip_t1_ms = SIP_T1_MS,
		},
		.firewall = "kmod",
		.control = CTL_DEFAULT_PATH,
		.log_level = PLOG_INFO,
	};
	sdp_prefs_default(&o->ua.codecs);
}

/* "@where" + @fmt with @arg, into @err; -EINVAL */
static int cfg_error_(char *err, size_t errlen, const char *where,
		      const char *fmt, const char *arg)
{
	int n = snprintf(err, errlen, "%s", where);

	if (n >= 0 && (size_t)n < errlen) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		snprintf(err + n, errlen - (size_t)n, fmt, arg);
#pragma GCC diagnostic pop
	}
	return -EINVAL;
}

#define cfg_error(where, fmt, arg) cfg_error_(err, errlen, where, fmt, arg)

static int parse_bool(const char *v, bool *out)
{
	if (!v || !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1") ||
	    !strcmp(v, "on")) {
		*out = true;
		return 0;
	}
	if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0") ||
	    !strcmp(v, "off")) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *e;

	errno = 0;
	*out = strtoul(s, &e, 10);
	return errno || e == s || *e || *out > max || s[0] == '-' ? -EINVAL : 0;
}

/* SIP: addresses, account, transport, transactions, DNS; 1 when @opt is not one of them */
static int apply_sip(struct opts *o, int opt, const char *v,
		     const char *where, char *err, size_t errlen)
{
	unsigned long a;
	bool flag;

	switch (opt) {
	case O_LISTEN:		o->ua.listen = v; return 0;
	case O_USER:
		if (!*v || strpbrk(v, "@:;<> \t"))
			return cfg_error(where, "bad --user '%s'", v);
		o->ua.user = v;
		return 0;
	case O_DOMAIN:		o->ua.domain = v; return 0;
	case O_PROXY:
		if (strncmp(v, "sip:", 4))
			return cfg_error(where, "--proxy must be a sip: URI, "
					 "not '%s'", v);
		o->ua.proxy = v;
		return 0;
	case O_PASSWORD:	o->ua.password = v; return 0;
	case O_REGISTER:
		if (parse_bool(v, &flag))
			return cfg_error(where, "register: yes or no, not '%s'", v);
		o->ua.do_register = flag;
		return 0;
	case O_TRANSPORT:
		if (sip_tp_mode_parse(v, &o->ua.transport))
			return cfg_error(where, "--transport is udp, tcp, both "
					 "or tls, not '%s'", v);
		return 0;
	case O_TLS_CERT:	o->ua.tls_cert = v; return 0;
	case O_TLS_KEY:		o->ua.tls_key = v; return 0;
	case O_TLS_CA:		o->ua.tls_ca = v; return 0;
	case O_MAX_TRANSACTIONS:
		if (parse_ulong(v, 1000000, &a) || a < 16)
			return cfg_error(where, "--max-transactions is "
					 "16-1000000, not '%s'", v);
		o->ua.max_transactions = (unsigned int)a;
		return 0;
	case O_SIP_T1:
		if (parse_ulong(v, SIP_T1_MAX_MS, &a) || a < SIP_T1_MIN_MS)
			return cfg_error(where, "--sip-t1 takes milliseconds "
					 "(50-5000), not '%s'", v);
		o->ua.sip_t1_ms = (unsigned int)a;
		return 0;
	case O_DNS_SERVER:
		if (!*v || strpbrk(v, " \t"))
			return cfg_error(where, "--dns-server is IP[:PORT][,...], "
					 "not '%s'", v);
		o->dns_servers = v;
		return 0;
	case O_DNS_TIMEOUT:
		if (parse_ulong(v, 60000, &a) || a < 10)
			return cfg_error(where, "--dns-timeout takes 10-60000 ms, "
					 "not '%s'", v);
		o->dns_timeout_ms = (unsigned int)a;
		return 0;
	}
	return 1;
}

/* the call machine and glare: answer, tiebreak, limits, timers; 1 when @opt is not one of them */
static int apply_call(struct opts *o, int opt, const char *v,
		      const char *where, char *err, size_t errlen)
{
	unsigned long a;
	bool flag;

	switch (opt) {
	case O_NACK:
		if (parse_bool(v, &flag))
			return cfg_error(where, "nack-after-ok: yes or no, "
					 "not '%s'", v);
		o->ua.call.nack_after_ok = flag;
		return 0;
	case O_AUTO_ANSWER:
		if (!v || !strcmp(v, "yes") || !strcmp(v, "true")) {
			o->ua.call.auto_answer_ms = 0;
		} else if (!strcmp(v, "no") || !strcmp(v, "false")) {
			o->ua.call.auto_answer_ms = -1;
		} else if (parse_ulong(v, 3600000, &a)) {
			return cfg_error(where, "--auto-answer takes ms, not '%s'",
					 v);
		} else {
			o->ua.call.auto_answer_ms = (int)a;
		}
		return 0;
	case O_TIEBREAK:
		if (!strcmp(v, "random")) {
			o->ua.tiebreak = UA_TIEBREAK_RANDOM;
			return 0;
		}
		if (!strncmp(v, "id:", 3) &&
		    sip_tiebreak_parse(v + 3, &o->ua.tiebreak_id) == 0 &&
		    v[3] != ' ') {
			o->ua.tiebreak = UA_TIEBREAK_ID;
			return 0;
		}
		return cfg_error(where, "--tiebreak is id:N (unsigned 64-bit) "
				 "or random, not '%s'", v);
	case O_GLARE:
		if (glare_mode_parse(v, &o->ua.call.mode))
			return cfg_error(where, "--glare is tiebreak, "
					 "tiebreak-resend or rfc3261, not '%s'", v);
		return 0;
	case O_MAX_CALLS:
		if (parse_ulong(v, 100000, &a) || !a)
			return cfg_error(where, "--max-calls is 1-100000, not "
					 "'%s'", v);
		o->ua.max_calls = (unsigned int)a;
		return 0;
	case O_RING_TIMEOUT:
		if (parse_ulong(v, 3600000, &a))
			return cfg_error(where, "--ring-timeout takes ms, not "
					 "'%s'", v);
		o->ua.ring_timeout_ms = (unsigned int)a;
		return 0;
	case O_SESSION_EXPIRES:
		if (parse_ulong(v, SIP_ST_MAX, &a))
			return cfg_error(where, "--session-expires takes seconds "
					 "(0-86400), not '%s'", v);
		o->ua.st.se = (uint32_t)a;
		return 0;
	case O_MIN_SE:
		if (parse_ulong(v, SIP_ST_MAX, &a) || !a)
			return cfg_error(where, "--min-se takes seconds "
					 "(1-86400), not '%s'", v);
		o->ua.st.min_se = (uint32_t)a;
		return 0;
	case O_100REL:
		if (sip_100rel_mode_parse(v, &o->ua.rel100))
			return cfg_error(where, "--100rel is off, on or prefer, "
					 "not '%s'", v);
		return 0;
	}
	return 1;
}

/* media and the firewall: source, ports, where RTP may go; 1 when @opt is not one of them */
static int apply_media(struct opts *o, int opt, const char *v,
		       const char *where, char *err, size_t errlen)
{
	unsigned long a, b;
	char *dash;

	switch (opt) {
	case O_MEDIA:		o->ua.media_source = v; return 0;
	case O_MEDIA_PORTS: {
		char lo[16];

		dash = strchr(v, '-');
		if (!dash || (size_t)(dash - v) >= sizeof(lo))
			return cfg_error(where, "--media-ports is LO-HI, not "
					 "'%s'", v);
		memcpy(lo, v, (size_t)(dash - v));
		lo[dash - v] = 0;
		if (parse_ulong(lo, 65535, &a) || parse_ulong(dash + 1, 65535, &b) ||
		    a < 1024 || b < a + 1)
			return cfg_error(where, "--media-ports is LO-HI within "
					 "1024-65535, not '%s'", v);
		o->ua.media_lo = (uint16_t)a;
		o->ua.media_hi = (uint16_t)b;
		return 0;
	}
	case O_MEDIA_ALLOW: {
		char why[160];

		if (media_allow_parse(v, &o->ua.media_allow, why, sizeof(why)))
			return cfg_error(where, "%s", why);
		return 0;
	}
	case O_MEDIA_PEER:
		if (media_peer_parse(v, &o->ua.media_peer))
			return cfg_error(where, "--media-peer is signalling or "
					 "any, not '%s'", v);
		return 0;
	case O_LATCH:
		if (media_latch_parse(v, &o->ua.latch))
			return cfg_error(where, "--latch is off, auto or always, "
					 "not '%s'", v);
		return 0;
	case O_LATCH_WINDOW:
		if (parse_ulong(v, 600000, &a) || a < 100)
			return cfg_error(where, "--latch-window takes "
					 "milliseconds (100-600000), not '%s'",
					 v);
		o->ua.latch_window_ms = (unsigned int)a;
		return 0;
	case O_PUBLIC_ADDRESS:
		if (ua_nat_public_parse(v, NULL))
			return cfg_error(where, "--public-address takes an IPv4 "
					 "or IPv6 address, not '%s'", v);
		o->ua.public_address = v;
		return 0;
	case O_CODECS: {
		bool ours = o->ua.codecs.ours_first;

		if (sdp_prefs_parse(v, &o->ua.codecs))
			return cfg_error(where, "--codecs is a list of pcmu, "
					 "pcma (each once), not '%s'", v);
		o->ua.codecs.ours_first = ours;
		return 0;
	}
	case O_CODEC_ORDER:
		if (strcmp(v, "offerer") && strcmp(v, "ours"))
			return cfg_error(where, "--codec-order is offerer or "
					 "ours, not '%s'", v);
		o->ua.codecs.ours_first = !strcmp(v, "ours");
		return 0;
	case O_RTP_TIMEOUT:
		if (parse_ulong(v, 86400, &a))
			return cfg_error(where, "--rtp-timeout takes seconds "
					 "(0-86400), not '%s'", v);
		o->ua.rtp_timeout_ms = (unsigned int)a * 1000;
		return 0;
	case O_FIREWALL:
		if (strcmp(v, "kmod") && strcmp(v, "none"))
			return cfg_error(where, "--firewall is kmod or none, "
					 "not '%s'", v);
		o->firewall = v;
		return 0;
	}
	return 1;
}

/* inbound policy: who may send requests, digest, rate; 1 when @opt is not one of them */
static int apply_policy(struct opts *o, int opt, const char *v,
		        const char *where, char *err, size_t errlen)
{
	bool flag;

	switch (opt) {
	case O_ALLOW: {
		char why[200];

		if (pol_cidr_list_add(o->ua.allow, &o->ua.nallow,
				      POL_ALLOW_MAX, v, why, sizeof(why)))
			return cfg_error(where, "--allow: %s", why);
		return 0;
	}
	case O_AUTH_INBOUND:
		if (parse_bool(v, &flag))
			return cfg_error(where, "auth-inbound: yes or no, "
					 "not '%s'", v);
		o->ua.auth_inbound = flag;
		return 0;
	case O_INBOUND_PASSWORD:
		o->ua.inbound_password = v;
		return 0;
	case O_NEW_DIALOG_RATE:
		if (!strcmp(v, "0") || !strcmp(v, "no")) {
			o->ua.new_dialog_rate = 0;
			return 0;
		}
		if (pol_rate_parse(v, &o->ua.new_dialog_rate))
			return cfg_error(where, "--new-dialog-rate is N or N/s "
					 "(0-100000), not '%s'", v);
		return 0;
	}
	return 1;
}

/* the daemon itself: control socket, --check, log level; 1 when @opt is not one of them */
static int apply_daemon(struct opts *o, int opt, const char *v,
		        const char *where, char *err, size_t errlen)
{
	switch (opt) {
	case O_CONTROL:		o->control = v; return 0;
	case O_STATE_DIR:
		if (!*v || *v != '/')
			return cfg_error(where, "--state-dir takes an absolute "
					 "directory, not '%s'", v);
		o->ua.state_dir = v;
		return 0;
	case O_CHECK:
		o->check = true;
		return 0;
	case O_LOG_LEVEL:
		if (plog_level_parse(v, &o->log_level))
			return cfg_error(where, "--log-level is error, warn, info "
					 "or debug, not '%s'", v);
		return 0;
	}
	return 1;
}

int config_apply(struct opts *o, int opt, const char *v, const char *where,
		 char *err, size_t errlen)
{
	static int (*const groups[])(struct opts *, int, const char *,
				     const char *, char *, size_t) = {
		apply_sip, apply_call, apply_media, apply_policy, apply_daemon,
	};
	int ret;

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		ret = groups[i](o, opt, v, where, err, errlen);
		if (ret <= 0)
			return ret;
	}
	return cfg_error(where, "unknown option%s", "");
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
			 e[-1] == '\r'))
		*--e = 0;
	return s;
}

/* one line (NUL-terminated, no newline) into @o */
static int parse_line(struct opts *o, char *line, const char *where,
		      char *err, size_t errlen)
{
	const struct option *opt;
	char *k, *v, *eq, *hash;

	hash = strchr(line, '#');
	if (hash)
		*hash = 0;
	k = trim(line);
	if (!*k)
		return 0;
	eq = strchr(k, '=');
	if (!eq)
		return cfg_error(where, "expected 'key = value', got '%s'", k);
	*eq = 0;
	v = trim(eq + 1);
	k = trim(k);
	for (opt = config_long_opts; opt->name; opt++)
		if (!strcmp(opt->name, k))
			break;
	if (!opt->name || opt->val == O_CONFIG || opt->val == O_HELP)
		return cfg_error(where, "unknown key '%s'", k);
	if (!*v && opt->has_arg == required_argument)
		return cfg_error(where, "'%s' needs a value", k);
	if (o->nowned == CONFIG_OWNED_MAX)
		return cfg_error(where, "too many settings%s", "");
	v = o->owned[o->nowned++] = strdup(v);
	if (!v)
		return cfg_error(where, "out of memory%s", "");
	return config_apply(o, opt->val, *v ? v : NULL, where, err, errlen);
}

int config_parse(struct opts *o, const char *text, size_t len,
		 const char *name, char *err, size_t errlen)
{
	char line[CONFIG_LINE_MAX + 2], where[300];
	struct opts tmp = *o;
	unsigned int lineno = 0;
	size_t pos = 0;
	int ret = 0;

	while (pos < len && !ret) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = (nl ? (size_t)(nl - text) : len) - pos;

		lineno++;
		snprintf(where, sizeof(where), "%s:%u: ", name, lineno);
		if (n > CONFIG_LINE_MAX)
			ret = cfg_error(where, "line longer than %s characters",
					"511");
		else if (memchr(text + pos, 0, n))
			ret = cfg_error(where, "NUL byte in the line%s", "");
		else {
			memcpy(line, text + pos, n);
			line[n] = 0;
			ret = parse_line(&tmp, line, where, err, errlen);
		}
		pos += n + 1;
	}
	if (ret) {
		for (unsigned int i = o->nowned; i < tmp.nowned; i++)
			free(tmp.owned[i]);
		return ret;
	}
	*o = tmp;
	return 0;
}

int config_load(struct opts *o, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;
	int ret;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -EINVAL;
	}
	buf = malloc(CONFIG_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -EINVAL;
	}
	n = fread(buf, 1, CONFIG_FILE_MAX + 1, f);
	if (ferror(f))
		ret = cfg_error("", "%s: read error", path);
	else if (n > CONFIG_FILE_MAX)
		ret = cfg_error("", "%s: larger than 1 MiB", path);
	else
		ret = config_parse(o, buf, n, path, err, errlen);
	free(buf);
	fclose(f);
	return ret;
}

void config_free(struct opts *o)
{
	for (unsigned int i = 0; i < o->nowned; i++)
		free(o->owned[i]);
	o->nowned = 0;
}

unsigned long long config_fds_needed(unsigned int max_calls)
{
	return 2ULL * max_calls + CONFIG_FDS_BASE;
}

unsigned long long config_nofile_soft(unsigned int max_calls,
				      unsigned long long soft,
				      unsigned long long hard)
{
	unsigned long long need = config_fds_needed(max_calls);

	if (soft >= need)
		return soft;
	return need < hard ? need : hard;
}
