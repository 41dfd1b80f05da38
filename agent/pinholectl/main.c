// SPDX-License-Identifier: GPL-2.0
/*
 * pinholectl - command-line interface to pinhole.ko.
 *
 * Every verb is a row of the verb table below; the usage text is generated
 * from it. All netlink goes through fw.h. Exit status: 0 success, 1 error
 * reported by the kernel or the system, 2 bad arguments.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/json.h"
#include "pinhole/fw.h"
#include "cli_parse.h"

#define PROG		"pinholectl"
#define EXIT_USAGE	2

struct cli {
	bool json;
	const char *control;	/* --control PATH: pinholed's socket (reserved) */
	const char *verb;
	struct json js;
	struct fw *fw;
};

struct verb {
	const char *name;
	int (*fn)(struct cli *c, int argc, char **argv);
	const char *args;	/* synopsis after the verb */
	const char *help;	/* one line */
	const char *details;	/* options, notes; may be NULL */
};

static const struct verb verbs[];
static const struct verb *find_verb(const char *name);

/* ---------------------------------------------------------- diagnostics */

static int usage_error(struct cli *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": %s: ", c->verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '" PROG " help %s'.\n", c->verb);
	return EXIT_USAGE;
}

/* "pinholectl: open: <strerror>: <extack>" */
static int fw_error(struct cli *c, const struct fw_err *err)
{
	int code = err->code ? err->code : -EIO;

	if (code == -ENOENT && !strncmp(err->msg, "pinhole.ko", 10)) {
		fprintf(stderr, PROG ": %s\n", err->msg);
		return 1;
	}
	fprintf(stderr, PROG ": %s: %s", c->verb, strerror(-code));
	if (err->msg[0])
		fprintf(stderr, ": %s", err->msg);
	else if (code == -EPERM)
		fprintf(stderr, " (CAP_NET_ADMIN is required)");
	fputc('\n', stderr);
	return 1;
}

static int cli_connect(struct cli *c)
{
	struct fw_err err;

	c->fw = fw_open(&err);
	if (!c->fw)
		return fw_error(c, &err);
	return 0;
}

/* ---------------------------------------------------------------- output */

static const char *family_str(uint16_t family)
{
	return family == AF_INET ? "4" : family == AF_INET6 ? "6" : "?";
}

static const char *proto_str(uint8_t proto, char *buf, size_t len)
{
	const char *n = fw_proto_name(proto);

	if (n)
		return n;
	snprintf(buf, len, "%u", proto);
	return buf;
}

static void json_addr(struct json *j, const char *key, const struct fw_addr *a)
{
	char buf[CLI_ADDR_STRLEN];

	if (a->family == AF_UNSPEC)
		json_null(j, key);
	else
		json_string(j, key, cli_fmt_addr(a, buf, sizeof(buf)));
}

/* The members of a pinhole, inside an already open JSON object. */
static void json_pinhole_members(struct json *j, const struct fw_pinhole *ph)
{
	char buf[8];

	json_u64(j, "id", ph->id);
	json_u64(j, "cookie", ph->cookie);
	json_u64(j, "family", ph->family == AF_INET ? 4 :
		 ph->family == AF_INET6 ? 6 : 0);
	json_string(j, "proto", proto_str(ph->proto, buf, sizeof(buf)));
	json_addr(j, "local_addr", &ph->local);
	json_u64(j, "local_port", ph->local_port);
	json_addr(j, "remote_addr", &ph->remote);
	json_u64(j, "remote_port", ph->remote_port);
	json_string(j, "state", fw_state_name(ph->state));
	if (ph->has_owner)
		json_u64(j, "owner", ph->owner);
	else
		json_null(j, "owner");
	json_u64(j, "lease_ms", ph->lease_ms);
	json_u64(j, "packets", ph->packets);
	json_u64(j, "bytes", ph->bytes);
	if (ph->has_idle)
		json_u64(j, "idle_ms", ph->idle_ms);
	else
		json_null(j, "idle_ms");
	json_u64(j, "flags", ph->flags);
	json_bool(j, "lease_only", ph->flags & PINHOLE_F_LEASE_ONLY);
}

static void print_pinhole(struct cli *c, const struct fw_pinhole *ph)
{
	char local[CLI_ENDPOINT_STRLEN], remote[CLI_ENDPOINT_STRLEN], p[8];

	if (c->json) {
		json_begin_object(&c->js, NULL);
		json_pinhole_members(&c->js, ph);
		json_end_object(&c->js);
		return;
	}
	printf("id: %" PRIu32 "\n", ph->id);
	printf("state: %s\n", fw_state_name(ph->state));
	printf("family: %s\n", family_str(ph->family));
	printf("proto: %s\n", proto_str(ph->proto, p, sizeof(p)));
	printf("local: %s\n", cli_fmt_endpoint(&ph->local, ph->local_port,
					       local, sizeof(local)));
	printf("remote: %s\n", cli_fmt_endpoint(&ph->remote, ph->remote_port,
						remote, sizeof(remote)));
	printf("cookie: %" PRIu64 "\n", ph->cookie);
	printf("lease: %" PRIu32 "ms\n", ph->lease_ms);
	if (ph->has_owner)
		printf("owner: %" PRIu32 "\n", ph->owner);
	else
		printf("owner: none (lease-only)\n");
	printf("packets: %" PRIu64 "\n", ph->packets);
	printf("bytes: %" PRIu64 "\n", ph->bytes);
	if (ph->has_idle)
		printf("idle: %" PRIu64 "ms\n", ph->idle_ms);
	else
		printf("idle: -\n");
	printf("flags: 0x%" PRIx32 "\n", ph->flags);
}

#define ROW_FMT "%-6s %-7s %-5s %-24s %-24s %-10s %-10s %-10s %-8s %-10s %s\n"

static void print_row_header(void)
{
	printf(ROW_FMT, "ID", "STATE", "PROTO", "LOCAL", "REMOTE", "COOKIE",
	       "LEASE", "OWNER", "PACKETS", "BYTES", "IDLE");
}

static void print_row(const struct fw_pinhole *ph)
{
	char id[12], local[CLI_ENDPOINT_STRLEN], remote[CLI_ENDPOINT_STRLEN];
	char cookie[24], lease[16], owner[12], pkts[24], bytes[24], idle[24];
	char p[8];

	snprintf(id, sizeof(id), "%" PRIu32, ph->id);
	snprintf(cookie, sizeof(cookie), "%" PRIu64, ph->cookie);
	snprintf(lease, sizeof(lease), "%" PRIu32 "ms", ph->lease_ms);
	if (ph->has_owner)
		snprintf(owner, sizeof(owner), "%" PRIu32, ph->owner);
	else
		snprintf(owner, sizeof(owner), "-");
	snprintf(pkts, sizeof(pkts), "%" PRIu64, ph->packets);
	snprintf(bytes, sizeof(bytes), "%" PRIu64, ph->bytes);
	if (ph->has_idle)
		snprintf(idle, sizeof(idle), "%" PRIu64 "ms", ph->idle_ms);
	else
		snprintf(idle, sizeof(idle), "-");
	printf(ROW_FMT, id, fw_state_name(ph->state),
	       proto_str(ph->proto, p, sizeof(p)),
	       cli_fmt_endpoint(&ph->local, ph->local_port, local,
				sizeof(local)),
	       cli_fmt_endpoint(&ph->remote, ph->remote_port, remote,
				sizeof(remote)),
	       cookie, lease, owner, pkts, bytes, idle);
}

static void print_event(struct cli *c, const struct fw_event *ev)
{
	char local[CLI_ENDPOINT_STRLEN], remote[CLI_ENDPOINT_STRLEN], p[8];
	const struct fw_pinhole *ph = &ev->ph;

	if (c->json) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		json_begin_object(&c->js, NULL);
		/* when the event was read: wall clock, ms since the epoch */
		json_u64(&c->js, "time_ms", (uint64_t)ts.tv_sec * 1000 +
			 (uint64_t)ts.tv_nsec / 1000000);
		json_string(&c->js, "event", fw_event_name(ev->cmd));
		if (ev->cmd == PINHOLE_CMD_CLOSED_NTF)
			json_string(&c->js, "reason",
				    fw_reason_name(ev->reason));
		json_pinhole_members(&c->js, ph);
		json_end_object(&c->js);
		return;
	}
	printf("%s id %" PRIu32 " %s %s <- %s state %s cookie %" PRIu64
	       " lease %" PRIu32 "ms",
	       fw_event_name(ev->cmd), ph->id, proto_str(ph->proto, p, sizeof(p)),
	       cli_fmt_endpoint(&ph->local, ph->local_port, local,
				sizeof(local)),
	       cli_fmt_endpoint(&ph->remote, ph->remote_port, remote,
				sizeof(remote)),
	       fw_state_name(ph->state), ph->cookie, ph->lease_ms);
	if (ph->has_owner)
		printf(" owner %" PRIu32, ph->owner);
	if (ev->cmd == PINHOLE_CMD_CLOSED_NTF)
		printf(" reason %s", fw_reason_name(ev->reason));
	printf("\n");
}

static void print_count(struct cli *c, const char *what, uint32_t count)
{
	if (c->json) {
		json_begin_object(&c->js, NULL);
		json_u64(&c->js, "count", count);
		json_end_object(&c->js);
	} else {
		printf("%s %" PRIu32 " pinhole%s\n", what, count,
		       count == 1 ? "" : "s");
	}
}

/* ------------------------------------------------------- option parsing */

#define MAX_OPTS 24

/*
 * getopt_long over argv (argv[0] is the verb) with --help and --json added
 * to @opts. Returns the option, -1 at the end, 'h' for help, or '?' after
 * printing a usage error (then *rc is set).
 */
struct optstate {
	struct option all[MAX_OPTS];
	char shortopts[8];
};

static void opt_init(struct optstate *st, const struct option *opts)
{
	size_t n = 0;

	while (opts && opts[n].name && n < MAX_OPTS - 3) {
		st->all[n] = opts[n];
		n++;
	}
	st->all[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	st->all[n++] = (struct option){ "json", no_argument, NULL, 'J' };
	st->all[n] = (struct option){ 0 };
	snprintf(st->shortopts, sizeof(st->shortopts), ":hj");
	optind = 0;	/* GNU: reinitialise */
	opterr = 0;
}

static int opt_next(struct cli *c, struct optstate *st, int argc,
		    char **argv, int *rc)
{
	int o;

	for (;;) {
		o = getopt_long(argc, argv, st->shortopts, st->all, NULL);
		if (o == 'J' || o == 'j') {
			c->json = true;
			continue;
		}
		if (o == '?') {
			*rc = usage_error(c, "unrecognized option '%s'",
					  argv[optind - 1]);
			return '?';
		}
		if (o == ':') {
			*rc = usage_error(c, "option '%s' requires an argument",
					  argv[optind - 1]);
			return '?';
		}
		return o;
	}
}

static int verb_help(struct cli *c, const char *name);

/* opt_parse(): the verb goes on; an opt_fn: @o is none of the verb's. */
#define OPT_DONE	(-1)
#define OPT_UNKNOWN	(-2)

/*
 * Handles option @o of a verb (@arg: its argument, or NULL) in @ctx.
 * Returns 0, OPT_UNKNOWN, or the exit status of a usage error.
 */
typedef int (*opt_fn)(struct cli *c, int o, const char *arg, void *ctx);

/*
 * Reads the options of a verb: @opts (may be NULL), each handed to @fn
 * (may be NULL too), plus --help and --json. Returns OPT_DONE when the
 * verb goes on, else the exit status it returns (help, usage error).
 */
static int opt_parse(struct cli *c, int argc, char **argv,
		     const struct option *opts, opt_fn fn, void *ctx)
{
	struct optstate st;
	int o, rc = 0;

	opt_init(&st, opts);
	while ((o = opt_next(c, &st, argc, argv, &rc)) != -1) {
		if (o == 'h')
			return verb_help(c, c->verb);
		if (o == '?')
			return rc;
		rc = fn ? fn(c, o, optarg, ctx) : OPT_UNKNOWN;
		if (rc == OPT_UNKNOWN)
			return usage_error(c, "unexpected option");
		if (rc)
			return rc;
	}
	return OPT_DONE;
}

/* The single positional ID of pin/activate/renew/get/close. */
static int want_id(struct cli *c, int argc, char **argv, uint32_t *id)
{
	int rc;

	if (optind >= argc)
		return usage_error(c, "missing pinhole ID");
	if (optind + 1 < argc)
		return usage_error(c, "unexpected argument '%s'",
				   argv[optind + 1]);
	rc = cli_parse_u32(argv[optind], id);
	if (rc)
		return usage_error(c, "bad pinhole ID '%s'", argv[optind]);
	return 0;
}

static int no_args(struct cli *c, int argc, char **argv)
{
	if (optind < argc)
		return usage_error(c, "unexpected argument '%s'", argv[optind]);
	return 0;
}

static int lease_arg(struct cli *c, const char *s, uint32_t *ms)
{
	int rc = cli_parse_ms(s, ms);

	if (rc == -ERANGE)
		return usage_error(c, "lease '%s' is too large", s);
	if (rc)
		return usage_error(c, "bad lease '%s' (e.g. 1500, 1500ms, 30s, 2m)",
				   s);
	if (!*ms)
		return usage_error(c, "lease must not be 0");
	return 0;
}

static int remote_arg(struct cli *c, const char *s, struct fw_addr *addr,
		      uint16_t *port)
{
	if (cli_parse_endpoint(s, addr, port))
		return usage_error(c, "bad remote '%s' (ADDR, ADDR:PORT, [V6ADDR]:PORT or *:PORT)",
				   s);
	return 0;
}

static int cookie_arg(struct cli *c, const char *s, uint64_t *cookie)
{
	if (cli_parse_u64(s, cookie))
		return usage_error(c, "bad cookie '%s'", s);
	return 0;
}

/*
 * After the options: nothing more, or (@id not NULL) the pinhole ID; then
 * the netlink handle. Returns 0 or the verb's exit status.
 */
static int args_connect(struct cli *c, int argc, char **argv, uint32_t *id)
{
	if (id ? want_id(c, argc, argv, id) : no_args(c, argc, argv))
		return EXIT_USAGE;
	return cli_connect(c);
}

/*
 * The start of a pinhole.ko verb: opt_parse(), then args_connect().
 * Returns OPT_DONE when the verb goes on, else its exit status.
 */
static int verb_start(struct cli *c, int argc, char **argv,
		      const struct option *opts, opt_fn fn, void *ctx,
		      uint32_t *id)
{
	int rc = opt_parse(c, argc, argv, opts, fn, ctx);

	if (rc != OPT_DONE)
		return rc;
	rc = args_connect(c, argc, argv, id);
	return rc ? rc : OPT_DONE;
}

/* ---------------------------------------------------------------- signals */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* Block SIGINT/SIGTERM; @old gets the mask to hand to ppoll(). */
static void signals_setup(sigset_t *old)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t set;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, old);
	sigdelset(old, SIGINT);
	sigdelset(old, SIGTERM);
}

/* ------------------------------------------------------------------ verbs */

struct hold_ctx {
	struct cli *c;
	uint32_t id;
	bool closed;
};

static int hold_event(const struct fw_event *ev, void *arg)
{
	struct hold_ctx *h = arg;

	if (ev->cmd == PINHOLE_CMD_CLOSED_NTF && ev->ph.id == h->id) {
		h->closed = true;
		fprintf(stderr, PROG ": open: pinhole %" PRIu32
			" closed (%s)\n", h->id, fw_reason_name(ev->reason));
	}
	return 0;
}

/* Keep the socket (and so the pinhole) until a signal or its closing. */
static int hold(struct cli *c, uint32_t id, bool have_events,
		const sigset_t *mask)
{
	struct hold_ctx h = { .c = c, .id = id };
	struct fw_err err;
	struct pollfd pfd;
	int rc;

	fprintf(stderr, PROG ": open: holding pinhole %" PRIu32
		" (owner %" PRIu32 ") until SIGINT/SIGTERM\n", id,
		fw_portid(c->fw));
	pfd.fd = have_events ? fw_event_fd(c->fw) : -1;
	pfd.events = POLLIN;
	while (!stop_signal && !h.closed) {
		rc = ppoll(&pfd, 1, NULL, mask);
		if (rc < 0 && errno != EINTR)
			return fprintf(stderr, PROG ": open: poll: %s\n",
				       strerror(errno)), 1;
		if (rc > 0 && fw_event_recv(c->fw, hold_event, &h, &err) < 0 &&
		    err.code != -ENOBUFS)
			return fw_error(c, &err);
	}
	return 0;
}

struct open_args {
	struct fw_pinhole_req req;
	uint16_t family;
	bool have_port;
	bool hold;
};

static int open_opt(struct cli *c, int o, const char *arg, void *ctx)
{
	struct open_args *a = ctx;

	switch (o) {
	case 'f':
		if (cli_parse_family(arg, &a->family))
			return usage_error(c, "bad family '%s' (4 or 6)", arg);
		break;
	case 'P':
		if (cli_parse_proto(arg, &a->req.proto))
			return usage_error(c, "bad protocol '%s' (udp or tcp)",
					   arg);
		break;
	case 'p':
		if (cli_parse_port(arg, &a->req.local_port))
			return usage_error(c, "bad port '%s'", arg);
		a->have_port = true;
		break;
	case 'l':
		if (cli_parse_addr(arg, &a->req.local))
			return usage_error(c, "bad local address '%s'", arg);
		break;
	case 'r':
		return remote_arg(c, arg, &a->req.remote, &a->req.remote_port);
	case 'c':
		return cookie_arg(c, arg, &a->req.cookie);
	case 'L':
		return lease_arg(c, arg, &a->req.lease_ms) ? EXIT_USAGE : 0;
	case 'H':
		a->hold = true;
		break;
	case 'O':
		break;	/* the default, accepted for clarity */
	default:
		return OPT_UNKNOWN;
	}
	return 0;
}

/* The family: given, or that of the addresses; they must agree. */
static int open_family(struct cli *c, struct open_args *a)
{
	const struct fw_pinhole_req *req = &a->req;

	if (req->local.family != AF_UNSPEC && req->remote.family != AF_UNSPEC &&
	    req->local.family != req->remote.family)
		return usage_error(c, "--local and --remote are of different families");
	if (req->local.family != AF_UNSPEC || req->remote.family != AF_UNSPEC) {
		uint16_t af = req->local.family != AF_UNSPEC ?
			      req->local.family : req->remote.family;

		if (a->family != AF_UNSPEC && a->family != af)
			return usage_error(c, "--family %s does not match the addresses",
					   family_str(a->family));
		a->family = af;
	}
	if (a->family == AF_UNSPEC)
		return usage_error(c, "--family 4|6 is required when no address is given");
	a->req.family = a->family;
	return 0;
}

static int cmd_open(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "family", required_argument, NULL, 'f' },
		{ "proto", required_argument, NULL, 'P' },
		{ "port", required_argument, NULL, 'p' },
		{ "local", required_argument, NULL, 'l' },
		{ "remote", required_argument, NULL, 'r' },
		{ "cookie", required_argument, NULL, 'c' },
		{ "lease", required_argument, NULL, 'L' },
		{ "hold", no_argument, NULL, 'H' },
		{ "lease-only", no_argument, NULL, 'O' },
		{ 0 }
	};
	struct open_args a = {
		.req = { .proto = IPPROTO_UDP, .flags = PINHOLE_F_LEASE_ONLY },
		.family = AF_UNSPEC,
	};
	bool have_events = false;
	struct fw_pinhole ph;
	struct fw_err err;
	sigset_t mask;
	int rc;

	rc = opt_parse(c, argc, argv, opts, open_opt, &a);
	if (rc != OPT_DONE)
		return rc;
	if (no_args(c, argc, argv))
		return EXIT_USAGE;
	if (!a.have_port)
		return usage_error(c, "--port is required");
	if (open_family(c, &a))
		return EXIT_USAGE;
	if (a.hold)
		a.req.flags &= ~PINHOLE_F_LEASE_ONLY;

	if (cli_connect(c))
		return 1;
	if (a.hold) {
		signals_setup(&mask);
		/* Subscribe first, so that the closing cannot be missed. */
		have_events = !fw_subscribe_events(c->fw, &err);
	}
	if (fw_pinhole_open(c->fw, &a.req, &ph, &err))
		return fw_error(c, &err);
	print_pinhole(c, &ph);
	fflush(stdout);
	if (a.hold)
		return hold(c, ph.id, have_events, &mask);
	return 0;
}

struct state_args {
	bool activate;
	struct fw_addr remote;
	uint16_t remote_port;
	uint32_t lease;
};

static int state_opt(struct cli *c, int o, const char *arg, void *ctx)
{
	struct state_args *a = ctx;

	if (o == 'L')
		return lease_arg(c, arg, &a->lease) ? EXIT_USAGE : 0;
	if (o != 'r')
		return OPT_UNKNOWN;
	if (!a->activate)
		return usage_error(c, "--remote is only for activate");
	return remote_arg(c, arg, &a->remote, &a->remote_port);
}

static int cmd_state(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lease", required_argument, NULL, 'L' },
		{ "remote", required_argument, NULL, 'r' },
		{ 0 }
	};
	struct state_args a = {
		.activate = !strcmp(c->verb, "activate"),
		.remote = { .family = AF_UNSPEC },
	};
	struct fw_pinhole ph;
	struct fw_err err;
	uint32_t id;
	int rc;

	rc = verb_start(c, argc, argv, opts, state_opt, &a, &id);
	if (rc != OPT_DONE)
		return rc;
	if (!strcmp(c->verb, "pin"))
		rc = fw_pin(c->fw, id, a.lease, &ph, &err);
	else if (a.activate)
		rc = fw_activate(c->fw, id, &a.remote, a.remote_port, a.lease,
				 &ph, &err);
	else
		rc = fw_renew(c->fw, id, a.lease, &ph, &err);
	if (rc)
		return fw_error(c, &err);
	print_pinhole(c, &ph);
	return 0;
}

struct close_args {
	bool by_cookie;
	uint64_t cookie;
};

static int close_opt(struct cli *c, int o, const char *arg, void *ctx)
{
	struct close_args *a = ctx;

	if (o != 'c')
		return OPT_UNKNOWN;
	a->by_cookie = true;
	return cookie_arg(c, arg, &a->cookie);
}

static int cmd_close(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cookie", required_argument, NULL, 'c' },
		{ 0 }
	};
	struct close_args a = { 0 };
	struct fw_err err;
	uint32_t id = 0, count = 0;
	int rc;

	rc = opt_parse(c, argc, argv, opts, close_opt, &a);
	if (rc != OPT_DONE)
		return rc;
	rc = args_connect(c, argc, argv, a.by_cookie ? NULL : &id);
	if (rc)
		return rc;
	rc = a.by_cookie ? fw_close_cookie(c->fw, a.cookie, &count, &err) :
			   fw_pinhole_close(c->fw, id, &count, &err);
	if (rc)
		return fw_error(c, &err);
	print_count(c, "closed", count);
	return 0;
}

static int cmd_get(struct cli *c, int argc, char **argv)
{
	struct fw_pinhole ph;
	struct fw_err err;
	uint32_t id;
	int rc;

	rc = verb_start(c, argc, argv, NULL, NULL, NULL, &id);
	if (rc != OPT_DONE)
		return rc;
	if (fw_get(c->fw, id, &ph, &err))
		return fw_error(c, &err);
	print_pinhole(c, &ph);
	return 0;
}

static void print_list(struct cli *c, const struct fw_pinhole *phs, int n)
{
	int i;

	if (c->json) {
		json_begin_array(&c->js, NULL);
		for (i = 0; i < n; i++) {
			json_begin_object(&c->js, NULL);
			json_pinhole_members(&c->js, &phs[i]);
			json_end_object(&c->js);
		}
		json_end_array(&c->js);
	} else {
		print_row_header();
		for (i = 0; i < n; i++)
			print_row(&phs[i]);
	}
}

static int cmd_list(struct cli *c, int argc, char **argv)
{
	struct fw_pinhole *phs;
	struct fw_err err;
	int rc, n;

	rc = verb_start(c, argc, argv, NULL, NULL, NULL, NULL);
	if (rc != OPT_DONE)
		return rc;
	n = fw_dump_all(c->fw, &phs, &err);
	if (n < 0)
		return fw_error(c, &err);
	print_list(c, phs, n);
	free(phs);
	return 0;
}

static int flush_opt(struct cli *c, int o, const char *arg, void *ctx)
{
	bool *all = ctx;

	(void)c;
	(void)arg;
	if (o != 'a')
		return OPT_UNKNOWN;
	*all = true;
	return 0;
}

static int cmd_flush(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ 0 }
	};
	struct fw_err err;
	uint32_t count = 0;
	bool all = false;
	int rc;

	rc = verb_start(c, argc, argv, opts, flush_opt, &all, NULL);
	if (rc != OPT_DONE)
		return rc;
	if (fw_flush(c->fw, all, &count, &err))
		return fw_error(c, &err);
	print_count(c, "flushed", count);
	return 0;
}

/* The options of config. */
enum config_opt {
	O_RANGE = 256, O_NO_RANGES, O_MAXP, O_MAXO, O_OPEN, O_PINNED,
	O_ACTIVE, O_MAXL, O_GRACE
};

/* The u32 members of struct fw_config, as options and in the output. */
static const struct config_field {
	const char *name;	/* the option, and the key of the output */
	int opt;		/* enum config_opt */
	uint32_t bit;		/* FW_CFG_* */
	size_t off;		/* in struct fw_config */
	bool ms;		/* a duration */
} config_fields[] = {
#define F(n, o, b, m, ms) { n, o, b, offsetof(struct fw_config, m), ms }
	F("max-pinholes", O_MAXP, FW_CFG_MAX_PINHOLES, max_pinholes, false),
	F("max-per-owner", O_MAXO, FW_CFG_MAX_PER_OWNER, max_per_owner, false),
	F("open-lease", O_OPEN, FW_CFG_OPEN_LEASE, open_lease_ms, true),
	F("pinned-lease", O_PINNED, FW_CFG_PINNED_LEASE, pinned_lease_ms, true),
	F("active-lease", O_ACTIVE, FW_CFG_ACTIVE_LEASE, active_lease_ms, true),
	F("max-lease", O_MAXL, FW_CFG_MAX_LEASE, max_lease_ms, true),
	F("owner-grace", O_GRACE, FW_CFG_OWNER_GRACE, owner_grace_ms, true),
#undef F
};

#define N_CONFIG_FIELDS	(sizeof(config_fields) / sizeof(config_fields[0]))

static uint32_t config_get(const struct fw_config *cfg,
			   const struct config_field *f)
{
	return *(const uint32_t *)((const char *)cfg + f->off);
}

static void print_config(struct cli *c, const struct fw_config *cfg)
{
	const struct config_field *f;
	char buf[32], key[32], *k;
	unsigned int i;

	if (c->json) {
		json_begin_object(&c->js, NULL);
		json_begin_array(&c->js, "ranges");
		for (i = 0; i < cfg->n_ranges; i++) {
			const struct fw_range *r = &cfg->ranges[i];

			json_begin_object(&c->js, NULL);
			json_string(&c->js, "proto",
				    proto_str(r->proto, buf, sizeof(buf)));
			json_u64(&c->js, "first", r->first);
			json_u64(&c->js, "last", r->last);
			json_end_object(&c->js);
		}
		json_end_array(&c->js);
		for (f = config_fields; f < config_fields + N_CONFIG_FIELDS;
		     f++) {
			/* "open-lease" -> "open_lease_ms" */
			snprintf(key, sizeof(key), "%s%s", f->name,
				 f->ms ? "_ms" : "");
			for (k = key; *k; k++)
				if (*k == '-')
					*k = '_';
			if (cfg->present & f->bit)
				json_u64(&c->js, key, config_get(cfg, f));
			else
				json_null(&c->js, key);
		}
		json_end_object(&c->js);
		return;
	}
	printf("ranges:");
	if (!cfg->n_ranges)
		printf(" none (pinhole lets all traffic through)");
	for (i = 0; i < cfg->n_ranges; i++)
		printf(" %s", cli_fmt_range(&cfg->ranges[i], buf, sizeof(buf)));
	printf("\n");
	for (f = config_fields; f < config_fields + N_CONFIG_FIELDS; f++) {
		if (!(cfg->present & f->bit))
			continue;
		printf("%s: %" PRIu32 "%s\n", f->name, config_get(cfg, f),
		       f->ms ? "ms" : "");
	}
}

struct config_args {
	struct fw_config set;
	bool no_ranges;
};

static int config_range(struct cli *c, const char *arg, struct fw_config *set)
{
	if (set->n_ranges >= FW_MAX_RANGES)
		return usage_error(c, "too many ranges (at most %d)",
				   FW_MAX_RANGES);
	if (cli_parse_range(arg, &set->ranges[set->n_ranges]))
		return usage_error(c, "bad range '%s' (e.g. udp:10000-20000)",
				   arg);
	set->n_ranges++;
	set->present |= FW_CFG_RANGES;
	return 0;
}

static const struct config_field *config_field_of(int opt)
{
	const struct config_field *f;

	for (f = config_fields; f < config_fields + N_CONFIG_FIELDS; f++)
		if (f->opt == opt)
			return f;
	return NULL;
}

/*
 * --max-pinholes N, --open-lease D, ... A duration of 0 passes: owner-grace
 * 0 is meaningful, the kernel judges the others.
 */
static int config_field_arg(struct cli *c, const char *arg,
			    struct fw_config *set, const struct config_field *f)
{
	uint32_t *dst = (uint32_t *)((char *)set + f->off);

	if (f->ms && cli_parse_ms(arg, dst))
		return usage_error(c, "bad duration '%s' (e.g. 1500, 1500ms, 30s, 2m)",
				   arg);
	if (!f->ms && cli_parse_u32(arg, dst))
		return usage_error(c, "bad number '%s'", arg);
	set->present |= f->bit;
	return 0;
}

static int config_opt(struct cli *c, int o, const char *arg, void *ctx)
{
	struct config_args *a = ctx;
	const struct config_field *f;

	switch (o) {
	case O_RANGE:
		return config_range(c, arg, &a->set);
	case O_NO_RANGES:
		a->no_ranges = true;
		a->set.present |= FW_CFG_RANGES;
		return 0;
	}
	f = config_field_of(o);
	return f ? config_field_arg(c, arg, &a->set, f) : OPT_UNKNOWN;
}

static int cmd_config(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "range", required_argument, NULL, O_RANGE },
		{ "no-ranges", no_argument, NULL, O_NO_RANGES },
		{ "max-pinholes", required_argument, NULL, O_MAXP },
		{ "max-per-owner", required_argument, NULL, O_MAXO },
		{ "open-lease", required_argument, NULL, O_OPEN },
		{ "pinned-lease", required_argument, NULL, O_PINNED },
		{ "active-lease", required_argument, NULL, O_ACTIVE },
		{ "max-lease", required_argument, NULL, O_MAXL },
		{ "owner-grace", required_argument, NULL, O_GRACE },
		{ 0 }
	};
	struct config_args a = { 0 };
	const struct fw_config *set = &a.set;
	struct fw_config cfg;
	bool is_set = false;
	struct fw_err err;
	int rc;

	rc = opt_parse(c, argc, argv, opts, config_opt, &a);
	if (rc != OPT_DONE)
		return rc;
	if (optind < argc) {
		if (strcmp(argv[optind], "set") && strcmp(argv[optind], "show"))
			return usage_error(c, "unknown subcommand '%s' (show or set)",
					   argv[optind]);
		is_set = !strcmp(argv[optind], "set");
		optind++;
	}
	if (no_args(c, argc, argv))
		return EXIT_USAGE;
	if (a.no_ranges && set->n_ranges)
		return usage_error(c, "--no-ranges conflicts with --range");
	if (!is_set && set->present)
		return usage_error(c, "options given without 'set'");
	if (is_set && !set->present)
		return usage_error(c, "'set' needs at least one option");

	if (cli_connect(c))
		return 1;
	if (is_set)
		rc = fw_config_set(c->fw, set, &cfg, &err);
	else
		rc = fw_config_get(c->fw, &cfg, &err);
	if (rc)
		return fw_error(c, &err);
	print_config(c, &cfg);
	return 0;
}

static void print_stats(struct cli *c, const struct fw_stats *s)
{
	const struct { const char *name; uint64_t v; } rows[] = {
		{ "pinholes", s->pinholes },
		{ "opened", s->opened },
		{ "closed", s->closed },
		{ "expired", s->expired },
		{ "owner_gone", s->owner_gone },
		{ "pkts_accepted", s->pkts_accepted },
		{ "bytes_accepted", s->bytes_accepted },
		{ "pkts_dropped", s->pkts_dropped },
		{ "bytes_dropped", s->bytes_dropped },
		{ "refused", s->refused },
	};
	size_t i;

	if (c->json)
		json_begin_object(&c->js, NULL);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (c->json)
			json_u64(&c->js, rows[i].name, rows[i].v);
		else
			printf("%s: %" PRIu64 "\n", rows[i].name, rows[i].v);
	}
	if (c->json)
		json_end_object(&c->js);
}

static int cmd_stats(struct cli *c, int argc, char **argv)
{
	struct fw_stats s;
	struct fw_err err;
	int rc;

	rc = verb_start(c, argc, argv, NULL, NULL, NULL, NULL);
	if (rc != OPT_DONE)
		return rc;
	if (fw_stats(c->fw, &s, &err))
		return fw_error(c, &err);
	print_stats(c, &s);
	return 0;
}

struct monitor_ctx {
	struct cli *c;
	uint64_t seen, count;
};

static int monitor_event(const struct fw_event *ev, void *arg)
{
	struct monitor_ctx *m = arg;

	if (m->count && m->seen >= m->count)
		return 0;
	print_event(m->c, ev);
	m->seen++;
	return 0;
}

static int monitor_opt(struct cli *c, int o, const char *arg, void *ctx)
{
	uint64_t *count = ctx;

	if (o != 'n')
		return OPT_UNKNOWN;
	if (cli_parse_u64(arg, count) || !*count)
		return usage_error(c, "bad count '%s'", arg);
	return 0;
}

static int cmd_monitor(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ 0 }
	};
	struct monitor_ctx m = { .c = c };
	struct fw_err err;
	struct pollfd pfd;
	sigset_t mask;
	int rc;

	rc = verb_start(c, argc, argv, opts, monitor_opt, &m.count, NULL);
	if (rc != OPT_DONE)
		return rc;
	signals_setup(&mask);
	if (fw_subscribe_events(c->fw, &err))
		return fw_error(c, &err);
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* On stderr, so that scripts can wait for it: events from now on. */
	fprintf(stderr, PROG ": monitor: listening for events\n");

	pfd.fd = fw_event_fd(c->fw);
	pfd.events = POLLIN;
	while (!stop_signal && (!m.count || m.seen < m.count)) {
		rc = ppoll(&pfd, 1, NULL, &mask);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, PROG ": monitor: poll: %s\n",
				strerror(errno));
			return 1;
		}
		if (fw_event_recv(c->fw, monitor_event, &m, &err) < 0) {
			if (err.code != -ENOBUFS)
				return fw_error(c, &err);
			fprintf(stderr, PROG ": monitor: %s\n", err.msg);
		}
	}
	return 0;
}

/* ------------------------------------------ call control (pinholed) */
/*
 * These verbs talk to pinholed over its control socket (--control PATH,
 * default CTL_PATH): one request line, one JSON reply line (agent/pinholed/ctl.h).
 * With --json the reply is printed as it is; otherwise the verb prints a
 * short human form.
 */
#define CTL_PATH	"/run/pinholed.sock"

/* the string or number member @key of a one-line JSON object, unescaped */
static bool ctl_json_get(const char *js, const char *key, char *out,
			 size_t size)
{
	char pat[64];
	const char *p;
	size_t n = 0;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(js, pat);
	if (!p || !size)
		return false;
	p += strlen(pat);
	if (*p != '"') {
		while (*p && *p != ',' && *p != '}' && n + 1 < size)
			out[n++] = *p++;
		out[n] = 0;
		return true;
	}
	for (p++; *p && *p != '"' && n + 1 < size; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			out[n++] = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = 0;
	return true;
}

static int ctl_connect(struct cli *c)
{
	const char *path = c->control ? c->control : CTL_PATH;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, PROG ": %s: control socket path too long\n", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		fprintf(stderr, PROG ": cannot reach pinholed at %s: %s\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* sends @req, reads the reply line into @reply; 0, 1 (pinholed said no) */
static int ctl_request(struct cli *c, int fd, const char *req, char *reply,
		       size_t size)
{
	size_t n = 0;
	char err[512];

	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req) ||
	    write(fd, "\n", 1) != 1) {
		fprintf(stderr, PROG ": control socket: %s\n", strerror(errno));
		return 1;
	}
	while (n + 1 < size) {
		ssize_t k = read(fd, reply + n, 1);

		if (k <= 0 || reply[n] == '\n')
			break;
		n++;
	}
	reply[n] = 0;
	if (!n) {
		fprintf(stderr, PROG ": pinholed closed the connection\n");
		return 1;
	}
	if (c->json)
		printf("%s\n", reply);
	if (strstr(reply, "\"ok\":false")) {
		if (!c->json && ctl_json_get(reply, "error", err, sizeof(err)))
			fprintf(stderr, PROG ": %s: %s\n", c->verb, err);
		return 1;
	}
	return 0;
}

/* call URI | answer ID | reject ID [CODE] | hangup ID|all |
 * calls | callstats */
static int cmd_callctl(struct cli *c, int argc, char **argv)
{
	static char reply[1 << 20];
	char req[1024], val[64];
	size_t n = 0;
	int fd, rc, i, want = 0, max = 0;

	if (!strcmp(c->verb, "call") || !strcmp(c->verb, "answer"))
		want = max = 1;
	else if (!strcmp(c->verb, "reject"))
		want = 1, max = 2;
	else if (!strcmp(c->verb, "hangup"))
		want = max = 1;
	n = (size_t)snprintf(req, sizeof(req), "%s", c->verb);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j")) {
			c->json = true;
			continue;
		}
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return verb_help(c, c->verb);
		if (strchr(argv[i], '\n') || n + strlen(argv[i]) + 2 > sizeof(req))
			return usage_error(c, "bad argument");
		n += (size_t)snprintf(req + n, sizeof(req) - n, " %s", argv[i]);
		if (--max < 0)
			return usage_error(c, "unexpected argument '%s'", argv[i]);
		want--;
	}
	if (want > 0)
		return usage_error(c, "missing argument");
	if (!c->json && (!strcmp(c->verb, "calls") ||
			 !strcmp(c->verb, "callstats")))
		snprintf(req + n, sizeof(req) - n, " text");
	fd = ctl_connect(c);
	if (fd < 0)
		return 1;
	rc = ctl_request(c, fd, req, reply, sizeof(reply));
	close(fd);
	if (rc || c->json)
		return rc;
	if (!strcmp(c->verb, "call") && ctl_json_get(reply, "id", val, sizeof(val)))
		printf("%s\n", val);
	else if (ctl_json_get(reply, "text", reply, sizeof(reply)))
		fputs(reply, stdout);
	return 0;
}

/* events: one JSON object per line until pinholed stops or a signal */
static int cmd_events(struct cli *c, int argc, char **argv)
{
	char line[4096];
	sigset_t old;
	FILE *f;
	int fd;

	if (argc > 1 && strcmp(argv[1], "--json") && strcmp(argv[1], "-j"))
		return usage_error(c, "unexpected argument '%s'", argv[1]);
	fd = ctl_connect(c);
	if (fd < 0)
		return 1;
	if (ctl_request(c, fd, "events", line, sizeof(line))) {
		close(fd);
		return 1;
	}
	signals_setup(&old);
	fprintf(stderr, "listening for call events\n");
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return 1;
	}
	while (!stop_signal && fgets(line, sizeof(line), f)) {
		fputs(line, stdout);
		fflush(stdout);
	}
	fclose(f);
	return 0;
}

static int cmd_help(struct cli *c, int argc, char **argv);

/*
 * The verb table: pinhole.ko's verbs, then pinholed's call control verbs
 * (over --control PATH).
 */
static const struct verb verbs[] = {
	{ "open", cmd_open,
	  "--port N [--family 4|6] [--proto udp|tcp] [--local ADDR] [--remote ADDR[:PORT]] [--cookie N] [--lease DURATION] [--hold]",
	  "open a pinhole",
	  "  --port N              local port (required)\n"
	  "  --family 4|6          address family; inferred from --local/--remote,\n"
	  "                        required when neither is given\n"
	  "  --proto udp|tcp       protocol (default udp)\n"
	  "  --local ADDR          local address (default: any)\n"
	  "  --remote ADDR[:PORT]  remote constraint: 192.0.2.1, 192.0.2.1:5000,\n"
	  "                        2001:db8::1, [2001:db8::1]:5000, *:5000 (default: any)\n"
	  "  --cookie N            session cookie (default 0)\n"
	  "  --lease DURATION      1500, 1500ms, 30s, 2m, 1h (default: the open lease)\n"
	  "  --hold                own the pinhole and keep it until SIGINT/SIGTERM or\n"
	  "                        until it is closed; the kernel closes it (owner gone)\n"
	  "                        when pinholectl exits\n"
	  "Without --hold the pinhole is opened lease-only (PINHOLE_F_LEASE_ONLY):\n"
	  "pinholectl exits at once, so only the lease bounds the pinhole's life.\n" },
	{ "pin", cmd_state, "ID [--lease DURATION]",
	  "OPEN -> PINNED (renews a pinned pinhole)", NULL },
	{ "activate", cmd_state, "ID [--remote ADDR[:PORT]] [--lease DURATION]",
	  "OPEN or PINNED -> ACTIVE, binding the remote if given", NULL },
	{ "renew", cmd_state, "ID [--lease DURATION]",
	  "restart a pinhole's lease (default: its state's lease)", NULL },
	{ "close", cmd_close, "ID | --cookie N",
	  "close one pinhole, or the caller's pinholes of a session",
	  "With --cookie the kernel closes the pinholes of that session owned by\n"
	  "the caller; pinholectl's own socket owns none.\n" },
	{ "list", cmd_list, "", "list the pinholes of the namespace", NULL },
	{ "get", cmd_get, "ID", "show one pinhole", NULL },
	{ "flush", cmd_flush, "[--all]",
	  "close the caller's pinholes, or with --all every pinhole",
	  "pinholectl's own socket owns no pinhole, so without --all nothing is\n"
	  "closed; use --all to empty the namespace's table.\n" },
	{ "config", cmd_config,
	  "[show] | set [--range PROTO:FIRST[-LAST]]... [--no-ranges] [--max-pinholes N] [--max-per-owner N] [--open-lease D] [--pinned-lease D] [--active-lease D] [--max-lease D] [--owner-grace D]",
	  "show or change the namespace's configuration",
	  "  --range udp:10000-20000   a managed range; repeat for several; the list\n"
	  "                            given replaces the current one\n"
	  "  --no-ranges               clear the managed ranges (manage nothing)\n"
	  "  --max-pinholes N          pinholes per namespace\n"
	  "  --max-per-owner N         pinholes per owner socket\n"
	  "  --open-lease D, --pinned-lease D, --active-lease D\n"
	  "                            default lease of each state (module\n"
	  "                            defaults 32s, 64s, 5m)\n"
	  "  --max-lease D             largest lease a caller may ask for\n"
	  "  --owner-grace D           delay before an owner's pinholes are closed\n"
	  "                            when its socket goes (0: at once)\n"
	  "Options not given keep their value.\n"
	  "D (a duration): 1500 (ms), 1500ms, 30s, 2m, 1h.\n" },
	{ "stats", cmd_stats, "", "show the namespace's counters", NULL },
	{ "monitor", cmd_monitor, "[--count N]",
	  "print pinhole events as they happen, one per line",
	  "  --count N   exit after N events (default: until SIGINT/SIGTERM)\n"
	  "\"listening for events\" is printed on stderr once subscribed.\n" },
	{ "call", cmd_callctl, "URI",
	  "pinholed: call sip:user@host[:port]; prints the call's ID", NULL },
	{ "answer", cmd_callctl, "ID", "pinholed: answer an incoming call", NULL },
	{ "reject", cmd_callctl, "ID [CODE]",
	  "pinholed: refuse an incoming call (default 486)", NULL },
	{ "hangup", cmd_callctl, "ID|all", "pinholed: end a call, or all", NULL },
	{ "calls", cmd_callctl, "", "pinholed: list the calls", NULL },
	{ "callstats", cmd_callctl, "",
	  "pinholed: call outcomes, glare resolutions, firewall ops",
	  "The kernel table's counters are 'stats'; these are pinholed's.\n" },
	{ "events", cmd_events, "",
	  "pinholed: print call events (JSON lines) as they happen", NULL },
	{ "help", cmd_help, "[VERB]", "show this help, or a verb's", NULL },
	{ 0 }
};

static const struct verb *find_verb(const char *name)
{
	const struct verb *v;

	for (v = verbs; v->name; v++)
		if (!strcmp(v->name, name))
			return v;
	return NULL;
}

static void usage(FILE *f)
{
	const struct verb *v;

	fprintf(f, "Usage: " PROG " [--json] [--control PATH] VERB [ARGS]\n\n"
		"Verbs:\n");
	for (v = verbs; v->name; v++)
		fprintf(f, "  %-9s %s\n", v->name, v->help);
	fprintf(f, "\nGlobal options:\n"
		"  -j, --json        machine-readable output (JSON; one object per\n"
		"                    line for monitor)\n"
		"  --control PATH    pinholed's control socket for the call\n"
		"                    control verbs (default " CTL_PATH ")\n"
		"  -h, --help        this help\n"
		"\nRun '" PROG " help VERB' for a verb's arguments.\n"
		"Exit status: 0 success, 1 error, 2 bad arguments.\n");
}

static int verb_help(struct cli *c, const char *name)
{
	const struct verb *v = find_verb(name);

	if (!v) {
		c->verb = "help";
		return usage_error(c, "unknown verb '%s'", name);
	}
	printf("Usage: " PROG " %s%s%s\n\n%s\n", v->name, v->args[0] ? " " : "",
	       v->args, v->help);
	if (v->details)
		printf("\n%s", v->details);
	return 0;
}

static int cmd_help(struct cli *c, int argc, char **argv)
{
	if (argc > 2)
		return usage_error(c, "unexpected argument '%s'", argv[2]);
	if (argc == 2 && strcmp(argv[1], "--help") && strcmp(argv[1], "-h"))
		return verb_help(c, argv[1]);
	usage(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct cli c = { .verb = PROG };
	const struct verb *v;
	int i, rc;

	json_init(&c.js, stdout);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--json") || !strcmp(a, "-j")) {
			c.json = true;
		} else if (!strcmp(a, "--control")) {
			if (++i >= argc) {
				fprintf(stderr, PROG ": --control needs a path\n");
				return EXIT_USAGE;
			}
			c.control = argv[i];
		} else if (!strncmp(a, "--control=", 10)) {
			c.control = a + 10;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, PROG ": unknown option '%s'\n", a);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	v = find_verb(argv[i]);
	if (!v) {
		fprintf(stderr, PROG ": unknown verb '%s'\n", argv[i]);
		usage(stderr);
		return EXIT_USAGE;
	}
	c.verb = v->name;
	rc = v->fn(&c, argc - i, argv + i);
	fw_close_handle(c.fw);
	if (fflush(stdout) && !rc)
		rc = 1;
	return rc;
}
