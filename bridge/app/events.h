/*
 * One event: an audit line (audit.c) and a metrics counter (metrics.c).
 * Callers pass only what may be kept: usernames, credential ids, reasons.
 */
#ifndef BR_EVENTS_H
#define BR_EVENTS_H

#include <jansson.h>

#include "app.h"

/* {"event":…, "reason":…, "client":…, "ref":…, …fields}; takes the reference to fields (may be NULL). */
void br_event(br_app *app, const br_caller *who, const char *event, const char *reason, json_t *fields);
/* The same after a failed store call: what the store said goes in as "detail". */
void br_event_store(br_app *app, const br_caller *who, const char *event, const char *reason, json_t *fields);

#endif
