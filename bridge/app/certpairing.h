/*
 * Self-service pairing from My passkeys ("Add My Number Card"), free of
 * HTTP, in the same three steps as certificate sign-in (certsignin.h): a
 * one-time go-ahead from a fresh My passkeys session, the certificate judged
 * on the certificate host, and the pairing written back on the bridge's host
 * only for the browser whose session it is.
 */
#ifndef BR_CERTPAIRING_H
#define BR_CERTPAIRING_H

#include "app.h"
#include "certsignin.h"
#include "result.h"

/*
 * Step 1: *url is [certificate] url?pair=<id>. FORBIDDEN without a sign-in
 * session, REAUTHENTICATE when it is older than [enrolment] fresh_signin,
 * NOT_ENABLED unless certificate sign-in is on with match = pairing.
 */
br_result br_certpair_begin(br_app *app, const br_caller *who, const char *session_id, char **url);
/* Step 2, on the certificate host (header as for br_certsignin_check). */
br_result br_certpair_check(br_app *app, const br_caller *who, const char *go, const char *header, int copies,
    br_certsignin_checked *out);
/*
 * Step 3: the pairing, for the session in this browser's cookie only.
 * ALREADY_REGISTERED when the certificate is paired already (to anyone).
 */
br_result br_certpair_finish(br_app *app, const br_caller *who, const char *session_id, const char *result_id);

/* {"certificates":[{id, nickname, issuer, serial, not_after, created, last_used}]} for a sign-in session; *out is new. */
br_result br_certpair_list(br_app *app, const br_caller *who, const char *session_id, json_t **out);
/* Remove one of the session's own pairings by id (the certificate's SHA-256): NOT_FOUND otherwise. */
br_result br_certpair_remove(br_app *app, const br_caller *who, const char *session_id, const char *id);

#endif
