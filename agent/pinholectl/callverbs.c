// SPDX-License-Identifier: GPL-2.0
/*
 * callverbs.c - pinholectl's verbs of pinholed: call, answer, reject,
 * hangup, calls, callstats, events.
 *
 * They talk to pinholed over its control socket (--control PATH, default
 * CTL_PATH): one request line, one compact JSON reply line (see
 * agent/pinholed/ctl.h). With --json the reply is printed as it is;
 * otherwise the verb prints a short human form (print_ctl_reply()).
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "pinholectl.h"

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

/*
 * Sends @req, reads the reply line into @reply and prints it (@human: see
 * print_ctl_reply()). Returns 0, or 1 (pinholed said no, or is gone).
 */
static int ctl_request(struct cli *c, int fd, const char *req, char *reply,
		       size_t size, bool human)
{
	size_t n = 0;

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
	return print_ctl_reply(c, reply, human, stdout, stderr);
}

/* call URI | answer ID | reject ID [CODE] | hangup ID|all |
 * calls | callstats */
int cmd_callctl(struct cli *c, int argc, char **argv)
{
	static char reply[1 << 20];
	char req[1024];
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
	rc = ctl_request(c, fd, req, reply, sizeof(reply), true);
	close(fd);
	return rc;
}

/* events: one JSON object per line until pinholed stops or a signal */
int cmd_events(struct cli *c, int argc, char **argv)
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
	if (ctl_request(c, fd, "events", line, sizeof(line), false)) {
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
