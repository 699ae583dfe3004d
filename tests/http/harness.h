/*
 * The HTTP tests' harness: named cases run in order in one process (the
 * server's state carries over, the fixtures are made lazily), TAP output,
 * CHECK (record and go on) and REQUIRE (record and end the case).
 */
#ifndef HTTP_HARNESS_H
#define HTTP_HARNESS_H

#include <setjmp.h>

#include "client.h"

typedef struct th_case {
	const char *group;   /* --group selects the cases of one group */
	const char *name;
	void (*fn)(void);
	const char *what;
} th_case;

extern jmp_buf th_jmp;

__attribute__((format(printf, 4, 5)))
int th_check(int ok, const char *file, int line, const char *fmt, ...);
int th_check_str(const char *got, const char *want, const char *file, int line, const char *expr);
int th_check_int(long long got, long long want, const char *file, int line, const char *expr);
int th_expect_status(const hc_resp *r, long status, const char *file, int line);
int th_expect_error(const hc_resp *r, long status, const char *code, const char *file, int line);
/* Mark the running case skipped (with a reason) and leave it. */
__attribute__((noreturn)) void th_skip(const char *why);
/* Diagnostic line ("# ...") in the output. */
__attribute__((format(printf, 1, 2))) void th_note(const char *fmt, ...);

#define CHECK(c) th_check(!!(c), __FILE__, __LINE__, "%s", #c)
#define CHECKF(c, ...) th_check(!!(c), __FILE__, __LINE__, __VA_ARGS__)
#define REQUIRE(c) do { if (!CHECK(c)) longjmp(th_jmp, 1); } while (0)
#define REQUIREF(c, ...) do { if (!CHECKF(c, __VA_ARGS__)) longjmp(th_jmp, 1); } while (0)
#define CHECK_STR(got, want) th_check_str((got), (want), __FILE__, __LINE__, #got)
#define CHECK_INT(got, want) th_check_int((long long)(got), (long long)(want), __FILE__, __LINE__, #got)
#define EXPECT_STATUS(r, st) th_expect_status((r), (st), __FILE__, __LINE__)
#define REQUIRE_STATUS(r, st) do { if (!EXPECT_STATUS((r), (st))) longjmp(th_jmp, 1); } while (0)
#define EXPECT_ERROR(r, st, code) th_expect_error((r), (st), (code), __FILE__, __LINE__)

/*
 * Run the cases named in argv, or those of --group G, or all of them, in
 * table order; --list prints them. Returns the exit status.
 */
int th_main(int argc, char **argv, const th_case *cases, size_t n);

#endif
