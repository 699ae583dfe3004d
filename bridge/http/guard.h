/* Checks and replies the routes share. */
#ifndef BR_GUARD_H
#define BR_GUARD_H

#include <jansson.h>

#include "../app/app.h"
#include "http.h"

/* The page language for this request (query, cookie, Accept-Language). */
const char *br_req_lang(const br_request *req);

/*
 * A JSON POST: Origin must be one of the configured origins and the body a
 * JSON object. Returns the parsed body, or NULL with res filled (403/400).
 */
json_t *br_guard_json(br_app *app, const br_request *req, br_response *res);

/* {"ok":false,"error":code,"message":<translated>} with the given status. */
void br_reply_error(br_app *app, const br_request *req, br_response *res, int status, const char *code);
/* The error page (HTTP status), title and message by i18n key. */
void br_reply_page_error(br_app *app, const br_request *req, br_response *res, int status,
    const char *title_key, const char *message_key);

/*
 * Rate limits in the cache: per client address, and per account when
 * account is not NULL. 0 when within limits; otherwise res holds 429.
 * A cache failure does not block sign-ins (fails open, counted in metrics).
 */
int br_guard_rate(br_app *app, const br_request *req, br_response *res, const char *account, int json);

/*
 * Every string the routes look up must exist in both languages: checked at
 * startup so a missing translation is an error, not an empty page.
 */
int br_guard_check_strings(const br_templates *t, char *err, size_t errlen);

/* "<tag>:<hash>" for a counter about what (an address or an account, trimmed and lower-cased). */
int br_guard_counter_key(const char *tag, const char *what, char *out, size_t cap);

/* Audit line plus metrics counter for one event. Takes fields. */
void br_event(br_app *app, const br_request *req, const char *event, const char *reason, json_t *fields);

#endif
