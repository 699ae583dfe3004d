/* TAP-style runner for the HTTP tests. */
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

jmp_buf th_jmp;
static int failures;
static const char *skip_reason;

int
th_check(int ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return 1;
	failures++;
	printf("#   FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return 0;
}

int
th_check_str(const char *got, const char *want, const char *file, int line, const char *expr)
{
	return th_check(got != NULL && want != NULL && strcmp(got, want) == 0, file, line, "%s is \"%s\", want \"%s\"",
	    expr, got != NULL ? got : "(null)", want != NULL ? want : "(null)");
}

int
th_check_int(long long got, long long want, const char *file, int line, const char *expr)
{
	return th_check(got == want, file, line, "%s is %lld, want %lld", expr, got, want);
}

int
th_expect_status(const hc_resp *r, long status, const char *file, int line)
{
	return th_check(r->status == status, file, line, "%s: HTTP %ld, want %ld%s%s; body: %.400s", r->url, r->status,
	    status, r->error[0] != '\0' ? "; curl: " : "", r->error, r->body != NULL ? r->body : "");
}

int
th_expect_error(const hc_resp *r, long status, const char *code, const char *file, int line)
{
	const char *got = json_string_value(json_object_get(r->json, "error"));
	const char *msg = json_string_value(json_object_get(r->json, "message"));
	int ok = th_expect_status(r, status, file, line);

	ok &= th_check(json_is_false(json_object_get(r->json, "ok")), file, line, "%s: \"ok\" is not false in %.300s",
	    r->url, r->body != NULL ? r->body : "");
	ok &= th_check(got != NULL && strcmp(got, code) == 0, file, line, "%s: error \"%s\", want \"%s\"", r->url,
	    got != NULL ? got : "(none)", code);
	/* the page shows message: a missing translation leaves the user with nothing */
	ok &= th_check(msg != NULL && *msg != '\0', file, line, "%s: error %s has no message: %.300s", r->url, code,
	    r->body != NULL ? r->body : "");
	return ok;
}

void
th_skip(const char *why)
{
	skip_reason = why;
	longjmp(th_jmp, 2);
}

void
th_note(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 0: ran to the end, 1: a requirement failed, 2: skipped. */
static int
run_case(const th_case *c)
{
	switch (setjmp(th_jmp)) {
	case 0:
		c->fn();
		return 0;
	case 1:
		return 1;
	default:
		return 2;
	}
}

static int
selected(const th_case *c, int argc, char **argv, const char *group)
{
	int j, named = 0;

	if (group != NULL)
		return strcmp(c->group, group) == 0;
	for (j = 1; j < argc; j++) {
		named = 1;
		if (strcmp(c->name, argv[j]) == 0)
			return 1;
	}
	return !named;
}

int
th_main(int argc, char **argv, const th_case *cases, size_t n)
{
	const char *group = NULL;
	size_t i;
	int j, run = 0, failed = 0, total = 0;

	for (j = 1; j < argc; j++) {
		if (strcmp(argv[j], "--list") == 0) {
			for (i = 0; i < n; i++)
				printf("%-8s %-30s %s\n", cases[i].group, cases[i].name, cases[i].what);
			return 0;
		}
		if (strcmp(argv[j], "--group") == 0 && j + 1 < argc && argc == 3) {
			group = argv[j + 1];
			break;
		}
		for (i = 0; i < n && strcmp(cases[i].name, argv[j]) != 0; i++)
			;
		if (i == n) {
			fprintf(stderr, "usage: %s [--list | --group G | CASE...]; no such case: %s\n", argv[0], argv[j]);
			return 2;
		}
	}
	for (i = 0; i < n; i++)
		total += selected(&cases[i], argc, argv, group);
	if (total == 0) {
		fprintf(stderr, "no cases selected\n");
		return 2;
	}
	printf("TAP version 13\n1..%d\n", total);
	for (i = 0; i < n; i++) {
		double t0;
		if (!selected(&cases[i], argc, argv, group))
			continue;
		run++;
		failures = 0;
		skip_reason = NULL;
		t0 = now_s();
		printf("# %s: %s\n", cases[i].name, cases[i].what);
		fflush(stdout);
		if (run_case(&cases[i]) == 1)
			printf("#   (stopped at the first failed requirement)\n");
		if (skip_reason != NULL) {
			printf("ok %d - %s # SKIP %s\n", run, cases[i].name, skip_reason);
		} else if (failures > 0) {
			failed++;
			printf("not ok %d - %s (%d failed checks, %.2f s)\n", run, cases[i].name, failures, now_s() - t0);
		} else {
			printf("ok %d - %s (%.2f s)\n", run, cases[i].name, now_s() - t0);
		}
		fflush(stdout);
	}
	printf("# %d of %d cases failed\n", failed, run);
	return failed > 0 ? 1 : 0;
}
