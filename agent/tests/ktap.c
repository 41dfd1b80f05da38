// SPDX-License-Identifier: GPL-2.0
/*
 * ktap.c - the runner behind tests/ktap.h: forks one child per test and
 * prints KTAP.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktap.h"

#define KTAP_EXIT_FAIL	1
#define KTAP_EXIT_SKIP	4

static struct ktap_test *head, **tail = &head;
static bool failed;		/* in the child: an EXPECT failed */
static int skip_fd = -1;	/* in the child: where the skip reason goes */

void ktap_register(struct ktap_test *t)
{
	t->next = NULL;
	*tail = t;
	tail = &t->next;
}

void ktap_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("# %s:%d: check failed: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	failed = true;
}

void ktap_abort(void)
{
	fflush(stdout);
	_exit(KTAP_EXIT_FAIL);
}

void ktap_skip(const char *reason)
{
	if (skip_fd >= 0 && reason) {
		ssize_t r = write(skip_fd, reason, strlen(reason));

		(void)r;
	}
	fflush(stdout);
	_exit(KTAP_EXIT_SKIP);
}

static bool selected(const struct ktap_test *t, int argc, char **argv)
{
	int i;

	if (argc < 2)
		return true;
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], t->name))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	int n = 0, i = 0, pass = 0, fail = 0, skip = 0;
	struct ktap_test *t;

	for (t = head; t; t = t->next)
		n += selected(t, argc, argv);
	printf("KTAP version 1\n1..%d\n", n);
	for (t = head; t; t = t->next) {
		char reason[256] = "";
		int fds[2], status;
		ssize_t len;
		pid_t pid;

		if (!selected(t, argc, argv))
			continue;
		i++;
		fflush(stdout);
		if (pipe(fds) < 0) {
			perror("pipe");
			return 1;
		}
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			close(fds[0]);
			skip_fd = fds[1];
			t->fn();
			fflush(stdout);
			_exit(failed ? KTAP_EXIT_FAIL : 0);
		}
		close(fds[1]);
		len = read(fds[0], reason, sizeof(reason) - 1);
		reason[len > 0 ? len : 0] = '\0';
		close(fds[0]);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			printf("ok %d %s\n", i, t->name);
			pass++;
		} else if (WIFEXITED(status) &&
			   WEXITSTATUS(status) == KTAP_EXIT_SKIP) {
			printf("ok %d %s # SKIP %s\n", i, t->name, reason);
			skip++;
		} else {
			if (WIFSIGNALED(status))
				printf("# %s: killed by signal %d (%s)\n",
				       t->name, WTERMSIG(status),
				       strsignal(WTERMSIG(status)));
			printf("not ok %d %s\n", i, t->name);
			fail++;
		}
	}
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
	       pass, fail, skip);
	return fail ? 1 : 0;
}
