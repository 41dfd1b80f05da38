// SPDX-License-Identifier: GPL-2.0
/*
 * ctl.c - the control socket server: one request line, one JSON reply.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/pjson.h"
#include "lib/plog.h"
#include "ctl.h"
#include "ua.h"

#define CTL_CLIENTS_MAX	16

struct ctl_client {
	int fd;			/* -1: slot free */
	char buf[CTL_LINE_MAX];
	size_t len;
	bool events;		/* subscribed: stays open */
};

struct ctl {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct ua *ua;
	struct ctl_client cl[CTL_CLIENTS_MAX];
};

static void client_close(struct ctl_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->len = 0;
	c->events = false;
}

struct ctl *ctl_new(const char *path, struct ua *ua, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ctl *ctl;
	int probe;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket path too long: %s", path);
		return NULL;
	}
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (int i = 0; i < CTL_CLIENTS_MAX; i++)
		ctl->cl[i].fd = -1;
	ctl->ua = ua;
	strcpy(sun.sun_path, path);
	strcpy(ctl->path, path);
	/* a stale socket of a dead pinholed is replaced, a live one not */
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe >= 0 && connect(probe, (struct sockaddr *)&sun,
				  sizeof(sun)) == 0) {
		close(probe);
		snprintf(err, errlen, "%s: another pinholed is listening",
			 path);
		ctl->path[0] = 0;
		ctl_free(ctl);
		return NULL;
	}
	if (probe >= 0)
		close(probe);
	unlink(path);
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->fd < 0 || bind(ctl->fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    listen(ctl->fd, 8)) {
		snprintf(err, errlen, "control socket %s: %s", path,
			 strerror(errno));
		ctl->path[0] = 0;
		ctl_free(ctl);
		return NULL;
	}
	chmod(path, 0660);
	return ctl;
}

void ctl_free(struct ctl *ctl)
{
	if (!ctl)
		return;
	for (int i = 0; i < CTL_CLIENTS_MAX; i++)
		client_close(&ctl->cl[i]);
	if (ctl->fd >= 0)
		close(ctl->fd);
	if (ctl->path[0])
		unlink(ctl->path);
	free(ctl);
}

unsigned int ctl_poll_fill(struct ctl *ctl, struct pollfd *pfd,
			   unsigned int max)
{
	unsigned int n = 0;

	if (!max)
		return 0;
	pfd[n++] = (struct pollfd){ .fd = ctl->fd, .events = POLLIN };
	for (int i = 0; i < CTL_CLIENTS_MAX && n < max; i++)
		pfd[n++] = (struct pollfd){ .fd = ctl->cl[i].fd,
					    .events = POLLIN };
	return n;
}

static bool send_line(struct ctl_client *c, const char *s, size_t len)
{
	while (len) {
		ssize_t k = send(c->fd, s, len, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		s += k;
		len -= (size_t)k;
	}
	return true;
}

static void reply_err(json_t *j, const char *fmt, const char *arg)
{
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, arg ? arg : "");
	pj_set_bool(j, "ok", false);
	pj_set_str(j, "error", msg);
}

static bool parse_id(const char *s, unsigned int *id)
{
	char *e;
	unsigned long v;

	if (!s)
		return false;
	errno = 0;
	v = strtoul(s, &e, 10);
	if (errno || *e || e == s || !v || v > 0xffffffffUL)
		return false;
	*id = (unsigned int)v;
	return true;
}

static const char *errno_text(int rc)
{
	switch (rc) {
	case -ENOENT:	return "no such call";
	case -EINVAL:	return "not possible in the call's state";
	case -EALREADY:	return "the call is already over";
	default:	return strerror(-rc);
	}
}

/* one request: writes the reply members into @j; true to keep open */
static bool handle(struct ctl *ctl, char *line, json_t *j)
{
	char *save = NULL, *verb = strtok_r(line, " \t", &save);
	char *a1 = strtok_r(NULL, " \t", &save);
	char *a2 = strtok_r(NULL, " \t", &save);
	char err[256] = "";
	unsigned int id;
	int rc;

	if (!verb) {
		reply_err(j, "empty request", NULL);
		return false;
	}
	if (!strcmp(verb, "call")) {
		if (!a1) {
			reply_err(j, "usage: call URI", NULL);
			return false;
		}
		rc = ua_dial(ctl->ua, a1, &id, err, sizeof(err));
		if (rc) {
			reply_err(j, "%s", err);
			return false;
		}
		pj_set_bool(j, "ok", true);
		pj_set_u64(j, "id", id);
		return false;
	}
	if (!strcmp(verb, "answer") || !strcmp(verb, "reject") ||
	    (!strcmp(verb, "hangup") && a1 && strcmp(a1, "all"))) {
		int code = 0;

		if (!parse_id(a1, &id)) {
			reply_err(j, "usage: %s ID", verb);
			return false;
		}
		if (!strcmp(verb, "answer")) {
			rc = ua_answer(ctl->ua, id);
		} else if (!strcmp(verb, "reject")) {
			if (a2)
				code = atoi(a2);
			if (a2 && (code < 300 || code > 699)) {
				reply_err(j, "bad response code '%s'", a2);
				return false;
			}
			rc = ua_reject(ctl->ua, id, code);
		} else {
			rc = ua_hangup(ctl->ua, id);
		}
		if (rc)
			reply_err(j, "%s", errno_text(rc));
		else
			pj_set_bool(j, "ok", true);
		return false;
	}
	if (!strcmp(verb, "hangup")) {
		if (!a1) {
			reply_err(j, "usage: hangup ID|all", NULL);
			return false;
		}
		ua_hangup_all(ctl->ua);
		pj_set_bool(j, "ok", true);
		return false;
	}
	if (!strcmp(verb, "calls") || !strcmp(verb, "callstats")) {
		bool calls = !strcmp(verb, "calls");

		pj_set_bool(j, "ok", true);
		if (a1 && !strcmp(a1, "text")) {
			char *t = NULL;
			size_t tl = 0;
			FILE *f = open_memstream(&t, &tl);

			if (f) {
				if (calls)
					ua_calls_text(ctl->ua, f);
				else
					ua_stats_text(ctl->ua, f);
				fclose(f);
				pj_set_str(j, "text", t);
				free(t);
			}
		} else if (calls) {
			ua_calls_json(ctl->ua, j);
		} else {
			ua_stats_json(ctl->ua, j);
		}
		return false;
	}
	if (!strcmp(verb, "events")) {
		pj_set_bool(j, "ok", true);
		pj_set_bool(j, "events", true);
		return true;
	}
	reply_err(j, "unknown request '%s'", verb);
	return false;
}

/* a request we cannot even parse or answer: one error line, then close */
static void client_fail(struct ctl_client *c, const char *why)
{
	char line[160];
	int n = snprintf(line, sizeof(line),
			 "{\"ok\":false,\"error\":\"%s\"}\n", why);

	if (n > 0)
		send_line(c, line, (size_t)n);
	client_close(c);
}

static void client_request(struct ctl *ctl, struct ctl_client *c, char *line)
{
	json_t *j = json_object();
	char *buf;
	bool keep;

	keep = handle(ctl, line, j);
	buf = pj_dumps(j);
	json_decref(j);
	if (!buf) {
		client_fail(c, "out of memory");
		return;
	}
	if (!send_line(c, buf, strlen(buf)) || !send_line(c, "\n", 1))
		keep = false;
	free(buf);
	if (keep)
		c->events = true;
	else
		client_close(c);
}

static void client_readable(struct ctl *ctl, struct ctl_client *c)
{
	ssize_t k;
	char *nl;

	k = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len,
		 MSG_DONTWAIT);
	if (k <= 0) {
		if (k < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		client_close(c);
		return;
	}
	if (c->events)
		return;		/* subscribers only listen */
	c->len += (size_t)k;
	c->buf[c->len] = 0;
	nl = memchr(c->buf, '\n', c->len);
	if (!nl) {
		if (c->len == sizeof(c->buf) - 1)
			client_fail(c, "request line too long");
		return;
	}
	if (memchr(c->buf, 0, (size_t)(nl - c->buf))) {
		client_fail(c, "NUL byte in the request line");
		return;
	}
	*nl = 0;
	if (nl > c->buf && nl[-1] == '\r')
		nl[-1] = 0;
	client_request(ctl, c, c->buf);
}

void ctl_poll_handle(struct ctl *ctl, const struct pollfd *pfd, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++) {
		struct ctl_client *c = &ctl->cl[i - 1];

		if (c->fd >= 0 && pfd[i].fd == c->fd && pfd[i].revents)
			client_readable(ctl, c);
	}
	if (n && pfd[0].revents & POLLIN) {
		for (;;) {
			int fd = accept4(ctl->fd, NULL, NULL,
					 SOCK_CLOEXEC | SOCK_NONBLOCK);
			int i;

			if (fd < 0)
				break;
			for (i = 0; i < CTL_CLIENTS_MAX && ctl->cl[i].fd >= 0; i++)
				;
			if (i == CTL_CLIENTS_MAX) {
				plog(PLOG_WARN, "control: too many clients");
				close(fd);
				continue;
			}
			ctl->cl[i].fd = fd;
			ctl->cl[i].len = 0;
		}
	}
}

void ctl_event(const char *json, void *arg)
{
	struct ctl *ctl = arg;
	size_t len = strlen(json);

	for (int i = 0; i < CTL_CLIENTS_MAX; i++) {
		struct ctl_client *c = &ctl->cl[i];

		if (c->fd < 0 || !c->events)
			continue;
		if (!send_line(c, json, len) || !send_line(c, "\n", 1))
			client_close(c);
	}
}
