/*
 * Rate limits, counted in the cache so every bridge node sees the same
 * numbers. A counter lives in one window (a minute, an hour) and expires
 * after two, so the slot that was current a moment ago is never cut short.
 * Per address and per account they fail open on a cache error (a sign-in is
 * not blocked by a counter we cannot read, and metrics say so); the
 * password-check limit fails closed, because an unlimited password oracle is
 * worse than no enrolment.
 */
#ifndef BR_RATELIMIT_H
#define BR_RATELIMIT_H

#include <stddef.h>

#include "app.h"
#include "result.h"

typedef enum br_rate_window {
	BR_RATE_PER_MINUTE,
	BR_RATE_PER_HOUR,
} br_rate_window;

/* Count a request from who's address: RATE_LIMITED (and an event) when over [limits] per_address. */
br_result br_rate_address(br_app *app, const br_caller *who);
/*
 * One more attempt on an account ([limits] per_account a minute). The
 * account is its directory entry (dn) once the lookup found one: the
 * directory folds more than case ("ｂｏｂ" is bob), so only the entry names
 * it once. An account that does not exist is counted by the name as typed,
 * which still slows down guessing. username goes into the audit line.
 */
br_result br_rate_account(br_app *app, const br_caller *who, const char *username, const char *dn);
/* Password checks for the account this hour ([enrolment] password_attempts), named as above; fails closed. */
br_result br_rate_password(br_app *app, const br_caller *who, const char *username, const char *dn);

/*
 * "<tag>:<hash>" for a counter about what, trimmed and ASCII lower-cased,
 * hashed so that neither addresses nor usernames appear in cache keys. -1
 * if it does not fit.
 */
int br_rate_counter_key(const char *tag, const char *what, char *out, size_t cap);

#endif
