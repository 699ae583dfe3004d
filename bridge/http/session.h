/* Bridge sessions (cookie fb_session): "signin" after a passkey sign-in, "enrol" from a link. */
#ifndef BR_SESSION_H
#define BR_SESSION_H

#include <jansson.h>

#include "../app/app.h"
#include "http.h"

#define BR_SESSION_TTL 900

/* The session record when it exists and has this kind; NULL otherwise. */
json_t *br_session_get(br_app *app, const br_request *req, const char *kind);
/* Store record (taking the reference) as a new session and set the cookie. 0 or -1. */
int br_session_start(br_app *app, const br_request *req, br_response *res, json_t *record);
void br_session_end(br_app *app, const br_request *req, br_response *res);

/* The first value of attribute name in a user's attributes, or fallback. */
const char *br_user_attr(const br_user *u, const char *name, const char *fallback);

#endif
