// SPDX-License-Identifier: GPL-2.0
/*
 * pinholed - the call-control daemon: a SIP user agent that opens its
 * media pinhole before it sends INVITE and resolves glare with the
 * Glare-Tiebreak header (JP5338765B2; docs/claims.md).
 *
 *   pinholed --listen ADDR[:PORT] --user NAME [--transport udp|tcp|both]
 *            [--domain D] [--proxy URI] [--max-calls N] [--check]
 *            [--register] [--password P] [--media-ports LO-HI]
 *            [--tiebreak id:N|random] [--glare tiebreak|tiebreak-resend|rfc3261]
 *            [--nack-after-ok] [--firewall kmod|none] [--auto-answer[=MS]]
 *            [--control PATH] [--media tone|FILE] [--config FILE]
 *            [--log-level error|warn|info|debug]
 *            [--dns-server IP[:PORT][,...]] [--dns-timeout MS]
 *
 * Every option can also be set in a --config file, one "key = value" per
 * line with the option's long name as key ("auto-answer = 500",
 * "nack-after-ok = yes"); '#' starts a comment. Command-line options win
 * over the file. Exit status: 0 clean stop, 1 run-time failure, 2 bad
 * usage or configuration. The log format is described in plog.h.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/plog.h"
#include "lib/resolve.h"
#include "lib/tmr.h"
#include "sip/sip_msg.h"
#include "sip/sip_transport.h"
#include "ctl.h"
#include "fwops.h"
#include "ua.h"

#define PROG		"pinholed"
#define EXIT_USAGE	2
#define POLL_MAX	512
/* on SIGTERM: hang up, then give the BYEs this long */
#define SHUTDOWN_MS	2000

struct opts {
	struct ua_cfg ua;
	const char *firewall;
	const char *control;
	enum plog_level log_level;
	const char *dns_servers;	/* NULL: /etc/resolv.conf's */
	unsigned int dns_timeout_ms;
	bool check;			/* --check: parse only */
	/* strings we own (from the config file) */
	char *owned[32];
	unsigned int nowned;
};

enum {
	O_LISTEN = 'l', O_USER = 'u', O_HELP = 'h',
	O_DOMAIN = 256, O_PROXY, O_REGISTER, O_PASSWORD, O_MEDIA_PORTS,
	O_TIEBREAK, O_GLARE, O_NACK, O_FIREWALL, O_AUTO_ANSWER, O_CONTROL,
	O_MEDIA, O_CONFIG, O_LOG_LEVEL, O_TRANSPORT, O_MAX_CALLS, O_CHECK,
	O_RING_TIMEOUT, O_DNS_SERVER, O_DNS_TIMEOUT,
};

static const struct option long_opts[] = {
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
	{ "dns-server",	 required_argument, NULL, O_DNS_SERVER },
	{ "dns-timeout", required_argument, NULL, O_DNS_TIMEOUT },
	{ "help",	 no_argument,	    NULL, O_HELP },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: " PROG " --listen ADDR[:PORT] --user NAME [options]\n"
"\n"
"  --listen ADDR[:PORT]     SIP address (concrete, default port 5060)\n"
"  --transport udp|tcp|both SIP over UDP (default), TCP, or both on the\n"
"                           --listen port; with both, requests go over TCP\n"
"                           when the URI says ;transport=tcp\n"
"  --user NAME              our user part: sip:NAME@DOMAIN\n"
"  --domain D               domain of our AoR (default: the listen address)\n"
"  --proxy URI              outbound proxy (loose route) for our requests\n"
"  --register               REGISTER with --proxy (digest auth)\n"
"  --password P             password for digest authentication\n"
"  --media-ports LO-HI      RTP port range (default 20000-20999)\n"
"  --tiebreak id:N|random   Glare-Tiebreak value (default random per INVITE)\n"
"  --glare MODE             tiebreak (default), tiebreak-resend, rfc3261\n"
"  --nack-after-ok          send 491 only after our INVITE's final response\n"
"  --firewall kmod|none     pinholes in pinhole.ko (default) or none\n"
"  --auto-answer[=MS]       answer incoming calls (after MS ms, default 0)\n"
"  --control PATH           control socket (default " CTL_DEFAULT_PATH ")\n"
"  --media tone|FILE        what we send (default tone)\n"
"  --config FILE            'key = value' lines, keys as the long options\n"
"  --log-level L            error, warn, info (default), debug; info logs\n"
"                           the SIP messages of calls and of our REGISTER,\n"
"                           debug also OPTIONS and every other message and\n"
"                           libosip2's traces; warnings are rate-limited\n"
"  --max-calls N            calls at once (default %d); more are refused 503\n"
"  --ring-timeout MS        refuse an unanswered call with 480 after MS ms\n"
"                           (default 120000, 0: ring until answered)\n"
"  --dns-server IP[:PORT][,...]  DNS servers for the host names of SIP\n"
"                           URIs (default: /etc/resolv.conf's); [V6]:PORT\n"
"  --dns-timeout MS         a lookup's first try waits MS ms (default %u),\n"
"                           the second twice that; then the request\n"
"                           fails (503) - other calls never wait for it\n"
"  --check                  check the options and --config file, then exit\n",
		UA_MAX_CALLS_DEFAULT, RESOLVE_TIMEOUT_MS);
}

static int cfg_error(const char *where, const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": %s", where);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return -EINVAL;
}

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

/* one option from the command line or the config file (@where: prefix of
 * error messages, "" or "FILE:LINE: ") */
static int apply(struct opts *o, int opt, const char *v, const char *where)
{
	unsigned long a, b;
	bool flag;
	char *dash;

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
	case O_CONTROL:		o->control = v; return 0;
	case O_MEDIA:		o->ua.media_source = v; return 0;
	case O_FIREWALL:
		if (strcmp(v, "kmod") && strcmp(v, "none"))
			return cfg_error(where, "--firewall is kmod or none, "
					 "not '%s'", v);
		o->firewall = v;
		return 0;
	case O_REGISTER:
		if (parse_bool(v, &flag))
			return cfg_error(where, "register: yes or no, not '%s'", v);
		o->ua.do_register = flag;
		return 0;
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
	case O_TRANSPORT:
		if (sip_tp_mode_parse(v, &o->ua.transport))
			return cfg_error(where, "--transport is udp, tcp or "
					 "both, not '%s'", v);
		return 0;
	case O_MAX_CALLS:
		if (parse_ulong(v, 100000, &a) || !a)
			return cfg_error(where, "--max-calls is 1-100000, not "
					 "'%s'", v);
		o->ua.max_calls = (unsigned int)a;
		return 0;
	case O_CHECK:
		o->check = true;
		return 0;
	case O_RING_TIMEOUT:
		if (parse_ulong(v, 3600000, &a))
			return cfg_error(where, "--ring-timeout takes ms, not "
					 "'%s'", v);
		o->ua.ring_timeout_ms = (unsigned int)a;
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
	case O_LOG_LEVEL:
		if (plog_level_parse(v, &o->log_level))
			return cfg_error(where, "--log-level is error, warn, info "
					 "or debug, not '%s'", v);
		return 0;
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

static int load_config(struct opts *o, const char *path)
{
	char line[512], where[300];
	unsigned int lineno = 0;
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (!f) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		return -EINVAL;
	}
	while (fgets(line, sizeof(line), f)) {
		const struct option *opt;
		char *k, *v, *eq, *hash;

		lineno++;
		snprintf(where, sizeof(where), "%s:%u: ", path, lineno);
		if (!strchr(line, '\n') && !feof(f)) {
			ret = cfg_error(where, "line too long%s", "");
			break;
		}
		hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		k = trim(line);
		if (!*k)
			continue;
		eq = strchr(k, '=');
		if (!eq) {
			ret = cfg_error(where, "expected 'key = value', got '%s'",
					k);
			break;
		}
		*eq = 0;
		v = trim(eq + 1);
		k = trim(k);
		for (opt = long_opts; opt->name; opt++)
			if (!strcmp(opt->name, k))
				break;
		if (!opt->name || opt->val == O_CONFIG || opt->val == O_HELP) {
			ret = cfg_error(where, "unknown key '%s'", k);
			break;
		}
		if (!*v && opt->has_arg == required_argument) {
			ret = cfg_error(where, "'%s' needs a value", k);
			break;
		}
		if (o->nowned == sizeof(o->owned) / sizeof(o->owned[0])) {
			ret = cfg_error(where, "too many settings%s", "");
			break;
		}
		v = o->owned[o->nowned++] = strdup(v);
		if (!v || apply(o, opt->val, *v ? v : NULL, where)) {
			ret = -EINVAL;
			break;
		}
	}
	fclose(f);
	return ret;
}

static int parse_args(struct opts *o, int argc, char **argv)
{
	int c;

	/* the config file first, so that the command line wins */
	for (int i = 1; i < argc; i++) {
		const char *file = NULL;

		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			file = argv[i + 1];
		else if (!strncmp(argv[i], "--config=", 9))
			file = argv[i] + 9;
		if (file && load_config(o, file))
			return -EINVAL;
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, "l:u:h", long_opts, NULL)) != -1) {
		if (c == O_HELP) {
			usage(stdout);
			exit(0);
		}
		if (c == '?' || c == ':') {
			fprintf(stderr, PROG ": bad or incomplete option '%s'\n",
				argv[optind - 1]);
			return -EINVAL;
		}
		if (c == O_CONFIG)
			continue;
		if (apply(o, c, optarg, ""))
			return -EINVAL;
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (!o->ua.listen || !o->ua.user) {
		fprintf(stderr, PROG ": --listen and --user are required\n");
		return -EINVAL;
	}
	if (o->ua.do_register && !o->ua.proxy) {
		fprintf(stderr, PROG ": --register needs --proxy (the "
			"registrar)\n");
		return -EINVAL;
	}
	return 0;
}

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static int run(struct ua *ua, struct ctl *ctl)
{
	static struct pollfd pfd[POLL_MAX];
	uint64_t deadline = 0;

	for (;;) {
		unsigned int nu, nc, nr;
		int timeout, mt;

		if (stop_signal && !deadline) {
			plog(PLOG_INFO, "signal %d: hanging up", (int)stop_signal);
			ua_hangup_all(ua);
			deadline = tmr_now() + SHUTDOWN_MS;
		}
		if (deadline && (tmr_now() >= deadline || !ua_active_calls(ua)))
			return 0;
		nu = ua_poll_fill(ua, pfd, POLL_MAX / 2);
		nc = ctl ? ctl_poll_fill(ctl, pfd + nu, POLL_MAX - nu) : 0;
		/* the resolver's sockets: lookups never block the loop */
		nr = resolve_poll_fill(pfd + nu + nc, POLL_MAX - nu - nc);
		timeout = tmr_next_timeout(1000);
		mt = ua_media_timeout(ua);
		if (mt >= 0 && mt < timeout)
			timeout = mt;
		if (deadline && timeout > 100)
			timeout = 100;
		if (poll(pfd, nu + nc + nr, timeout) < 0 && errno != EINTR) {
			plog(PLOG_ERR, "poll: %s", strerror(errno));
			return 1;
		}
		ua_poll_handle(ua, pfd, nu);
		if (ctl)
			ctl_poll_handle(ctl, pfd + nu, nc);
		resolve_poll_handle(pfd + nu + nc, nr);
		tmr_run();
		ua_media_tick(ua);
	}
}

int main(int argc, char **argv)
{
	struct opts o = {
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
		},
		.firewall = "kmod",
		.control = CTL_DEFAULT_PATH,
		.log_level = PLOG_INFO,
	};
	struct sigaction sa = { .sa_handler = on_signal };
	char err[512] = "";
	struct fwops *fw = NULL;
	struct ua *ua = NULL;
	struct ctl *ctl = NULL;
	int rc = 1;

	if (parse_args(&o, argc, argv)) {
		fprintf(stderr, "Run '" PROG " --help' for the options.\n");
		return EXIT_USAGE;
	}
	if (resolve_init(o.dns_servers, o.dns_timeout_ms, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		return EXIT_USAGE;
	}
	if (o.check) {
		resolve_cleanup();
		printf("%s: configuration OK\n", PROG);
		return 0;
	}
	plog_init(o.ua.user, o.log_level);
	if (sip_msg_init()) {
		plog(PLOG_ERR, "cannot initialise the SIP parser");
		return 1;
	}
	if (!strcmp(o.firewall, "kmod")) {
		fw = fwops_kmod_new(err, sizeof(err));
		if (!fw) {
			plog(PLOG_ERR, "firewall: %s", err);
			fprintf(stderr, PROG ": refusing to start without "
				"pinhole.ko; --firewall none runs without "
				"pinholes\n");
			return 1;
		}
	} else {
		fw = fwops_none_new();
		plog(PLOG_WARN, "--firewall none: no pinholes are opened, "
		     "media relies on the host's own firewall");
	}
	if (!fw) {
		plog(PLOG_ERR, "out of memory");
		return 1;
	}
	ua = ua_new(&o.ua, fw, err, sizeof(err));
	if (!ua) {
		plog(PLOG_ERR, "%s", err);
		goto out;
	}
	ctl = ctl_new(o.control, ua, err, sizeof(err));
	if (!ctl) {
		plog(PLOG_ERR, "%s", err);
		goto out;
	}
	ua_set_event_handler(ua, ctl_event, ctl);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = run(ua, ctl);
	plog(PLOG_INFO, "stopped");
out:
	ctl_free(ctl);
	ua_free(ua);
	fwops_free(fw);
	/* after every owner of a lookup is gone */
	resolve_cleanup();
	for (unsigned int i = 0; i < o.nowned; i++)
		free(o.owned[i]);
	return rc;
}
