/*
 * The audit log: one JSON line per event. Callers pass only what may be
 * kept: usernames, credential ids, reasons, addresses. Never a secret,
 * challenge, ticket or enrolment code.
 */
#ifndef BR_AUDIT_H
#define BR_AUDIT_H

#include <jansson.h>

typedef struct br_audit br_audit;

/* path "-" is stderr. NULL on error. */
br_audit *br_audit_open(const char *path);
void br_audit_close(br_audit **a);
/*
 * Open the file again by its name (SIGHUP, after logrotate renamed it);
 * lines go on to the old file until then. -1 with errno when it cannot be
 * opened: the old file is kept.
 */
int br_audit_reopen(br_audit *a);
/*
 * Writes {"ts":…,"event":event, …fields}; takes the reference to fields (may
 * be NULL). -1 when the line was not written whole (errno says why).
 */
int br_audit_event(br_audit *a, const char *event, json_t *fields);

#endif
