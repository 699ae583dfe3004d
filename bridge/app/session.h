/*
 * Bridge sessions (record "session:<id>", the id in the fb_session cookie):
 * a passkey sign-in to My passkeys, an enrolment in progress (from a
 * one-time link or a directory password), or a finished enrolment.
 */
#ifndef BR_SESSION_H
#define BR_SESSION_H

#include <stdint.h>

#include "../store/cache.h"
#include "record.h"

#define BR_SESSION_TTL 900

typedef enum br_session_kind {
	BR_SESSION_SIGNIN = 1 << 0,     /* signed in with a passkey */
	BR_SESSION_ENROL = 1 << 1,      /* may register a first passkey */
	BR_SESSION_ENROLLED = 1 << 2,   /* has just registered one: the "ready" page */
} br_session_kind;

typedef struct br_session {
	char id[BR_ID_LEN + 1];
	br_session_kind kind;
	char *username;
	char *display_name;
	char *code;             /* enrolment by link: the stored code value it will spend */
	int via_password;       /* enrolment by directory password */
	int64_t auth_instant;   /* sign-in */
} br_session;

void br_session_reset(br_session *s);

struct br_app;

/* The session for a cookie value when it is one of kinds (a mask); MISS otherwise. */
br_cache_rc br_session_load(struct br_app *app, const char *id, unsigned kinds, int64_t now, br_session *s);
/* Store s under a fresh id (into s->id), for BR_SESSION_TTL from now. */
br_cache_rc br_session_start(struct br_app *app, br_session *s, int64_t now);
void br_session_end(struct br_app *app, const char *id);
/*
 * Sign-out everywhere: every sign-in session of username that began
 * before now stops working, on every node (a sealed note in the cache
 * that session loads check, kept as long as a session lives).
 */
br_cache_rc br_session_end_all(struct br_app *app, const char *username, int64_t now);

#endif
