/*
 * One event: an audit line (audit.c) and a metrics counter (metrics.c).
 * Callers pass only what may be kept: usernames, credential ids, reasons.
 */
#ifndef BR_EVENTS_H
#define BR_EVENTS_H

#include <jansson.h>

#include "app.h"
#include "record.h"

/* {"event":…, "reason":…, "client":…, "ref":…, …fields}; takes the reference to fields (may be NULL). */
void br_event(br_app *app, const br_caller *who, const char *event, const char *reason, json_t *fields);
/*
 * br_event, except that an event the account's activity list shows is not
 * written there now: its record comes back in *activity (kind NULL when
 * none) for the caller's next cache step, which then owns activity->obj.
 */
void br_event_later(br_app *app, const br_caller *who, const char *event, const char *reason, json_t *fields,
    br_record_write *activity);
/* The same after a failed store call: what the store said goes in as "detail". */
void br_event_store(br_app *app, const br_caller *who, const char *event, const char *reason, json_t *fields);

#endif
