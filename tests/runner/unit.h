/*
 * A tiny test runner for the unit tests of the verification core, in the
 * spirit of libfido2's regress/: plain C, one executable per area, named
 * cases. Every case runs in a forked child, so one failing (or crashing, or
 * leaking under LeakSanitizer) case is reported by name and the others still
 * run. UNIT_NOFORK=1 in the environment runs the cases in-process (for a
 * debugger); UNIT_CASE=name runs only that case.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stddef.h>

#include "err.h"

#if defined(__GNUC__) || defined(__clang__)
#define UNIT_NORETURN __attribute__((noreturn))
#else
#define UNIT_NORETURN
#endif

typedef void (*unit_fn)(void);

typedef struct unit_case {
	const char *name;
	unit_fn fn;
} unit_case;

#define UNIT_CASE(f) { #f, f }
#define UNIT_N(a) (sizeof(a) / sizeof((a)[0]))

/* Run the cases; returns the process exit status (0 when all passed). */
int unit_run(const char *suite, const unit_case *cases, size_t n);

UNIT_NORETURN void unit_fail(const char *file, int line, const char *func, const char *what);
UNIT_NORETURN void unit_fail_err(const char *file, int line, const char *func,
    const char *expr, br_err got, br_err want);
UNIT_NORETURN void unit_fail_int(const char *file, int line, const char *func,
    const char *expr, long long got, long long want);

/* A failed check ends the case (the child process) with a message naming file:line. */
#define CHECK(c) do { \
	if (!(c)) \
		unit_fail(__FILE__, __LINE__, __func__, #c); \
} while (0)

/* got must be exactly the error code want; the message gives both names. */
#define CHECK_ERR(got, want) do { \
	br_err got_ = (got), want_ = (want); \
	if (got_ != want_) \
		unit_fail_err(__FILE__, __LINE__, __func__, #got, got_, want_); \
} while (0)

#define CHECK_INT(got, want) do { \
	long long got_ = (long long)(got), want_ = (long long)(want); \
	if (got_ != want_) \
		unit_fail_int(__FILE__, __LINE__, __func__, #got, got_, want_); \
} while (0)

#endif
