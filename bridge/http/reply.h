/*
 * Answers: one table from a service's result to the HTTP status, the API
 * error code with its translated message, and the error page. Pages are
 * rendered in the request's language.
 */
#ifndef BR_REPLY_H
#define BR_REPLY_H

#include "../app/app.h"
#include "../app/result.h"
#include "http.h"

/* The page language for this request (?lang=, the fb_lang cookie, Accept-Language). */
const char *br_req_lang(const br_request *req);

/* The HTTP status for a result. */
int br_reply_status(br_result r);
/* {"ok":false,"error":<code>,"message":<translated>} with the result's status. */
void br_reply_error(br_app *app, const br_request *req, br_response *res, br_result r);
/*
 * The error page for a result (its status, title, message and what to do
 * next), with the request's reference id and time for the help desk; an
 * "error_page" audit line carries the same id.
 */
void br_reply_error_page(br_app *app, const br_request *req, br_response *res, br_result r);
/*
 * A refusal that is not a failure of the service (a certificate that is not
 * paired, of the wrong kind): the error page with its reference id, the
 * message and title by i18n key (key, key + ".title"), and the given status.
 */
void br_reply_refusal_page(br_app *app, const br_request *req, br_response *res, int status, const char *key);
/* A page saying something was done (notice.html: key + ".title", key), with a link back to My passkeys. */
void br_reply_done_page(br_app *app, const br_request *req, br_response *res, const char *key);
/* A page from templates/ with the given status (404 for "not-found"); an explicit ?lang= sticks in a cookie. */
void br_reply_page_status(br_app *app, const br_request *req, br_response *res, int status, const char *page,
    const br_var *v, size_t n);
/* A page from templates/ with 200; an explicit ?lang= sticks in a cookie. */
void br_reply_page(br_app *app, const br_request *req, br_response *res, const char *page, const br_var *v, size_t n);

/*
 * Every string a reply can look up exists in every language: checked at
 * startup, so a missing translation is an error, not an empty page.
 */
int br_reply_check_strings(const br_templates *t, char *err, size_t errlen);

#endif
