/*
 * An account's recent activity for My passkeys: the last few sign-ins and
 * passkey changes, with time and address, taken from the audit events as
 * they happen (events.c). The audit log stays the record; this is a short,
 * best-effort copy in the cache (a sealed record named by a hash of the
 * username, kept 30 days), shared by every bridge node. Lost with the cache;
 * two events at the same instant may keep only one.
 */
#ifndef BR_ACTIVITY_H
#define BR_ACTIVITY_H

#include <jansson.h>

#include "app.h"
#include "record.h"

#define BR_ACTIVITY_MAX 10
#define BR_ACTIVITY_TTL (30 * 86400)

/* Whether event is one a user sees in the list (sign-ins and changes that succeeded). */
int br_activity_event(const char *event);
/*
 * Add {"event","ts","client","service","credential_id"} (the client from who;
 * service: the SP's sp_name, else its entity; both from fields when present) to username's list, newest first, at most
 * BR_ACTIVITY_MAX. Failures are silent: the audit line has it all.
 */
void br_activity_note(br_app *app, const br_caller *who, const char *username, const char *event, const json_t *fields);
/* The same entry, not written: the record in *out for the caller's next cache step (0), or nothing (-1). */
int br_activity_prepare(br_app *app, const br_caller *who, const char *username, const char *event, const json_t *fields,
    br_record_write *out);
/* The list, newest first (a new array; empty when there is none or the cache cannot say). */
json_t *br_activity_list(br_app *app, const char *username, int64_t now);

#endif
