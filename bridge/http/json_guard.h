/*
 * The door of every JSON API: the Origin must be one of the configured
 * origins (a cross-site request carries a foreign one, or none from old
 * forms), the body JSON with the JSON content type, and an object.
 */
#ifndef BR_JSON_GUARD_H
#define BR_JSON_GUARD_H

#include <jansson.h>

#include "../app/app.h"
#include "http.h"

/*
 * The len bytes of a Content-Type value (MHD strips the leading blanks) name
 * exactly application/json, any case, followed by nothing or by parameters
 * after ';' ("application/json; charset=utf-8"). 1 or 0.
 */
int br_content_type_is_json(const char *ct, size_t len);
/*
 * The parsed body, or NULL with res filled: 403 forbidden (Origin), 400
 * bad_request (Content-Type, not a JSON object).
 */
json_t *br_guard_json(br_app *app, const br_request *req, br_response *res);
/*
 * A form posted by one of our pages (sign-out): the Origin must be
 * ours, so another site cannot make a browser abort or end a session. 0, or
 * -1 with an error page in res.
 */
int br_guard_form(br_app *app, const br_request *req, br_response *res);


#endif
