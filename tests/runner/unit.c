#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

void
unit_fail(const char *file, int line, const char *func, const char *what)
{
	fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", file, line, func, what);
	fflush(stderr);
	exit(1);
}

void
unit_fail_err(const char *file, int line, const char *func, const char *expr,
    br_err got, br_err want)
{
	fprintf(stderr, "%s:%d: %s: %s returned %s (%d), expected %s (%d)\n", file,
	    line, func, expr, br_strerr(got), (int)got, br_strerr(want), (int)want);
	fflush(stderr);
	exit(1);
}

void
unit_fail_int(const char *file, int line, const char *func, const char *expr,
    long long got, long long want)
{
	fprintf(stderr, "%s:%d: %s: %s is %lld, expected %lld\n", file, line, func,
	    expr, got, want);
	fflush(stderr);
	exit(1);
}

static int
run_one(const unit_case *c, int nofork)
{
	pid_t pid;
	int st = 0;

	if (nofork) {
		c->fn();
		return 0;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		perror("fork");
		return -1;
	}
	if (pid == 0) {
		c->fn();
		fflush(stdout);
		fflush(stderr);
		exit(0); /* exit, not _exit: LeakSanitizer checks the child too */
	}
	if (waitpid(pid, &st, 0) != pid) {
		perror("waitpid");
		return -1;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFSIGNALED(st))
		fprintf(stderr, "  (%s killed by signal %d)\n", c->name, WTERMSIG(st));
	else
		fprintf(stderr, "  (%s exited with status %d)\n", c->name, WEXITSTATUS(st));
	return -1;
}

int
unit_run(const char *suite, const unit_case *cases, size_t n)
{
	const char *only = getenv("UNIT_CASE");
	int nofork = getenv("UNIT_NOFORK") != NULL;
	size_t i, pass = 0, fail = 0;

	for (i = 0; i < n; i++) {
		if (only != NULL && strcmp(only, cases[i].name) != 0)
			continue;
		if (run_one(&cases[i], nofork) == 0) {
			pass++;
			printf("PASS %s/%s\n", suite, cases[i].name);
		} else {
			fail++;
			printf("FAIL %s/%s\n", suite, cases[i].name);
		}
		fflush(stdout);
	}
	printf("%s: %zu passed, %zu failed\n", suite, pass, fail);
	return fail == 0 && pass > 0 ? 0 : 1;
}
