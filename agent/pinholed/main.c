// SPDX-License-Identifier: GPL-2.0
/*
 * pinholed - the call-control daemon: a SIP user agent that opens its
 * media pinhole before it sends INVITE and resolves glare with the
 * Glare-Tiebreak header (JP5338765B2; docs/claims.md).
 *
 *   pinholed --listen ADDR[:PORT] --user NAME [--transport udp|tcp|both|tls]
 *            [--domain D] [--proxy URI] [--max-calls N] [--check]
 *            [--register] [--password P] [--media-ports LO-HI]
 *            [--tiebreak id:N|random] [--glare tiebreak|tiebreak-resend|rfc3261]
 *            [--nack-after-ok] [--firewall kmod|none] [--auto-answer[=MS]]
 *            [--control PATH] [--media tone|FILE] [--config FILE]
 *            [--log-level error|warn|info|debug] [--media-allow LIST]
 *            [--media-peer signalling|any] [--rtp-timeout S]
 *            [--codecs pcmu,pcma] [--codec-order offerer|ours]
 *            [--max-transactions N] [--sip-t1 MS] [--allow CIDR[,CIDR...]]
 *            [--auth-inbound] [--inbound-password P] [--new-dialog-rate N]
 *            [--dns-server IP[:PORT][,...]] [--dns-timeout MS]
 *            [--state-dir DIR] [--latch off|auto|always]
 *            [--latch-window MS]
 *            [--public-address ADDR]
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
#include <sys/resource.h>

#include "lib/memtrim.h"
#include "lib/plog.h"
#include "lib/resolve.h"
#include "lib/tmr.h"
#include "sip/sip_msg.h"
#include "sip/sip_transport.h"
#include "sip/sip_tx.h"
#include "config.h"
#include "ctl.h"
#include "fwops.h"
#include "sdnotify.h"
#include "ua.h"

#define PROG		"pinholed"
#define EXIT_USAGE	2
#define POLL_MAX	512
/* on SIGTERM: hang up, then give the BYEs this long */
#define SHUTDOWN_MS	2000

static void usage(FILE *f)
{
	fprintf(f,
"Usage: " PROG " --listen ADDR[:PORT] --user NAME [options]\n"
"\n"
"  --listen ADDR[:PORT]     SIP address (concrete, default port 5060)\n"
"  --transport udp|tcp|both|tls  SIP over UDP (default), TCP, or both on the\n"
"                           --listen port; with both, requests go over TCP\n"
"                           when the URI says ;transport=tcp; tls: SIP\n"
"                           over TLS (Via SIP/2.0/TLS, ;transport=tls)\n"
"  --tls-cert FILE          TLS: our certificate chain (PEM); without it\n"
"                           no connection is accepted\n"
"  --tls-key FILE           TLS: its private key (PEM)\n"
"  --tls-ca FILE            TLS: the CAs that verify servers (PEM; default\n"
"                           the system's); the name checked is the URI's\n"
"                           host, or its address\n"
"  --user NAME              our user part: sip:NAME@DOMAIN\n"
"  --domain D               domain of our AoR (default: the listen address)\n"
"  --proxy URI              outbound proxy (loose route) for our requests\n"
"  --register               REGISTER with --proxy (digest auth)\n"
"  --password P             password for digest authentication (REGISTER,\n"
"                           and calls' INVITE and BYE when challenged)\n"
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
"                           what happens to calls (states, glare, pinholes),\n"
"                           debug also every SIP message sent or received\n"
"                           and its retransmissions, and libosip2's traces;\n"
"                           warnings are rate-limited\n"
"  --max-calls N            calls at once (default %d); more are refused 503\n"
"  --ring-timeout MS        refuse an unanswered call with 480 after MS ms\n"
"                           (default 120000, 0: ring until answered)\n"
"  --100rel off|on|prefer   reliable provisional responses (RFC 3262):\n"
"                           on (default) supports them (Supported: 100rel,\n"
"                           PRACK) and sends our 180 reliably when the\n"
"                           INVITE requires it, prefer also when it only\n"
"                           supports it, off refuses Require: 100rel (420)\n"
"  --session-expires S      session timer (RFC 4028) we ask for: refreshed\n"
"                           at half of it, BYE when the peer's refresh does\n"
"                           not come (default 1800, 0: none asked; a peer's\n"
"                           is honoured)\n"
"  --min-se S               the shortest interval we accept (default 90);\n"
"                           shorter asked: 422. Values below 90 (RFC 4028's\n"
"                           floor) are for tests and warned about\n"
"  --media-allow LIST       media addresses refused by default that may\n"
"                           receive RTP: loopback, link-local, multicast,\n"
"                           own (this host's addresses), low-ports (below\n"
"                           1024), comma separated (default none); never:\n"
"                           0.0.0.0, ::, broadcast, 240.0.0.0/4\n"
"  --media-peer signalling|any  RTP only to the signalling peer's address\n"
"                           (default; an offer naming another one gets\n"
"                           488) or to any allowed address (proxies, SBCs)\n"
"  --latch off|auto|always  symmetric RTP: learn the peer's media address\n"
"                           from its first packet (pinhole and RTP), from\n"
"                           the signalling peer's address (any with\n"
"                           --media-peer any); auto: when its SDP names\n"
"                           another address (a NAT); default off\n"
"  --latch-window MS        no packet within MS (100-600000, default\n"
"                           10000): media and pinholes fall back to the\n"
"                           SDP's address\n"
"  --public-address ADDR    the address Contact and SDP advertise (a NAT's\n"
"                           public one); sockets stay on the local ones\n"
"  --rtp-timeout S          end a call whose peer sent no RTP or RTCP for\n"
"                           S seconds (default 60, 0: never)\n"
"  --codecs LIST            G.711 codecs we offer and accept, in our order\n"
"                           of preference: pcmu, pcma (default pcmu,pcma);\n"
"                           telephone-event (RFC 4733) is always offered\n"
"  --codec-order offerer|ours  in an answer, the first codec of the offer\n"
"                           we accept (default) or our first one offered\n"
"  --max-transactions N     SIP server transactions at once, a quarter of\n"
"                           them from one address (an IPv6 /64), and client\n"
"                           ones (default %d); requests beyond are refused\n"
"                           statelessly 503 with Retry-After\n"
"  --sip-t1 MS              SIP's round-trip estimate T1 (RFC 3261 17.1.1.1;\n"
"                           50-5000, default 500): retransmissions start at\n"
"                           T1, an unanswered INVITE ends after 64*T1;\n"
"                           below 500 only on a closed private network\n"
"  --allow CIDR[,CIDR...]   accept requests only from these prefixes (IPv4,\n"
"                           IPv6; repeatable; default: from anywhere);\n"
"                           others get 403\n"
"  --auth-inbound           challenge requests outside a dialog (not ACK,\n"
"                           CANCEL) with digest auth (401): user --user,\n"
"                           realm the domain, --inbound-password or else\n"
"                           --password\n"
"  --inbound-password P     the password callers must prove\n"
"  --new-dialog-rate N[/s]  new dialogs (INVITEs outside a dialog) per\n"
"                           second from one source address; beyond, 503\n"
"                           with Retry-After (default 0: no limit)\n"
"                           Refusals of these three are answered at most\n"
"                           %d/s per source; beyond, not at all\n"
"  --dns-server IP[:PORT][,...]  DNS servers for the host names of SIP\n"
"                           URIs (default: /etc/resolv.conf's); [V6]:PORT\n"
"  --dns-timeout MS         a lookup's first try waits MS ms (default %u),\n"
"                           the second twice that; then the request\n"
"                           fails (503) - other calls never wait for it\n"
"  --state-dir DIR          keep the calls in DIR/pinholed.state and carry\n"
"                           the established ones across a restart within\n"
"                           pinhole.ko's owner grace (SIGTERM then leaves\n"
"                           them to the next start; default: none)\n"
"  --check                  check the options and --config file, then exit\n",
		UA_MAX_CALLS_DEFAULT, SIP_STX_MAX_DEFAULT, POL_REFUSE_RATE,
		RESOLVE_TIMEOUT_MS);
}

static int parse_args(struct opts *o, int argc, char **argv)
{
	char err[512];
	int c;

	/* the config file first, so that the command line wins */
	for (int i = 1; i < argc; i++) {
		const char *file = NULL;

		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			file = argv[i + 1];
		else if (!strncmp(argv[i], "--config=", 9))
			file = argv[i] + 9;
		if (file && config_load(o, file, err, sizeof(err))) {
			fprintf(stderr, PROG ": %s\n", err);
			return -EINVAL;
		}
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, "l:u:h", config_long_opts,
				NULL)) != -1) {
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
		if (config_apply(o, c, optarg, "", err, sizeof(err))) {
			fprintf(stderr, PROG ": %s\n", err);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (!o->ua.listen || !o->ua.user) {
		fprintf(stderr, PROG ": --listen and --user are required\n");
		return -EINVAL;
	}
	if (o->ua.auth_inbound && !o->ua.inbound_password && !o->ua.password) {
		fprintf(stderr, PROG ": --auth-inbound needs --inbound-password "
			"or --password\n");
		return -EINVAL;
	}
	if (o->ua.do_register && !o->ua.proxy) {
		fprintf(stderr, PROG ": --register needs --proxy (the "
			"registrar)\n");
		return -EINVAL;
	}
	return 0;
}

/* descriptors for --max-calls calls (config_nofile_soft()) */
static void nofile_raise(unsigned int max_calls)
{
	struct rlimit rl;
	unsigned long long want;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	want = config_nofile_soft(max_calls, rl.rlim_cur, rl.rlim_max);
	if (want != rl.rlim_cur) {
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			plog(PLOG_WARN, "cannot raise the descriptor limit to "
			     "%llu: %s", want, strerror(errno));
	}
	if (want < config_fds_needed(max_calls))
		plog(PLOG_WARN, "descriptor limit %llu (hard): fewer than "
		     "the %llu that --max-calls %u needs; raise LimitNOFILE",
		     want, config_fds_needed(max_calls), max_calls);
}

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static int run(struct ua *ua, struct ctl *ctl, struct sdnotify *sdn)
{
	static struct pollfd pfd[POLL_MAX];
	struct memtrim trim = { 0 };
	uint64_t deadline = 0;
	char why[64];

	for (;;) {
		unsigned int nu, nc, nr;
		int timeout, mt;

		if (stop_signal && ua_carries_calls(ua)) {
			unsigned int left = ua_leave_calls(ua);

			plog(PLOG_INFO, "signal %d: %u calls left to the next "
			     "start", (int)stop_signal, left);
			snprintf(why, sizeof(why), "signal %d: %u calls left "
				 "to the next start", (int)stop_signal, left);
			sdnotify_stopping(why);
			return 0;
		}
		if (stop_signal && !deadline) {
			plog(PLOG_INFO, "signal %d: hanging up", (int)stop_signal);
			snprintf(why, sizeof(why), "signal %d: hanging up",
				 (int)stop_signal);
			sdnotify_stopping(why);
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
		/* the watchdog's ping is due: it proves this loop turns */
		mt = sdnotify_timeout(sdn, tmr_now());
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
		ua_state_flush(ua);
		/* a flood's transactions gone: their memory back */
		memtrim_tick(&trim, ua_transactions(ua), tmr_now());
		if (sdnotify_due(sdn, tmr_now()))
			sdnotify_tick(sdn, tmr_now(), ua_active_calls(ua));
	}
}

int main(int argc, char **argv)
{
	struct opts o;
	struct sigaction sa = { .sa_handler = on_signal };
	char err[512] = "";
	struct fwops *fw = NULL;
	struct ua *ua = NULL;
	struct ctl *ctl = NULL;
	struct sdnotify sdn;
	int rc = 1;

	config_defaults(&o);
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
	nofile_raise(o.ua.max_calls);
	if (o.ua.st.min_se < SIP_ST_FLOOR ||
	    (o.ua.st.se && o.ua.st.se < SIP_ST_FLOOR))
		plog(PLOG_WARN, "--session-expires %u / --min-se %u: below RFC "
		     "4028's floor of %u s, for tests only (peers answer 422)",
		     o.ua.st.se, o.ua.st.min_se, SIP_ST_FLOOR);
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
	rc = ua_resume(ua, err, sizeof(err));
	if (rc < 0)
		plog(PLOG_ERR, "%s: starting without the calls of the last run",
		     err);
	else if (o.ua.state_dir)
		plog(PLOG_INFO, "state %s: %d established calls resumed",
		     o.ua.state_dir, rc);
	rc = 1;
	ctl = ctl_new(o.control, ua, err, sizeof(err));
	if (!ctl) {
		plog(PLOG_ERR, "%s", err);
		goto out;
	}
	ua_set_event_handler(ua, ctl_event, ctl);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sdnotify_init(&sdn, tmr_now());
	sdnotify_ready(&sdn, o.ua.listen, ua_active_calls(ua));
	rc = run(ua, ctl, &sdn);
	plog(PLOG_INFO, "stopped");
out:
	ctl_free(ctl);
	ua_free(ua);
	fwops_free(fw);
	/* after every owner of a lookup is gone */
	resolve_cleanup();
	config_free(&o);
	return rc;
}
