/* Pieces both ceremonies' routes use. */
#ifndef BR_CEREMONY_UTIL_H
#define BR_CEREMONY_UTIL_H

#include <jansson.h>

#include "../app/app.h"
#include "../core/credential_json.h"
#include "../core/text.h"
#include "http.h"

/* A new challenge record {purpose, bound_to, ...extra} in the cache; the challenge text goes to out. */
int br_challenge_issue(br_app *app, const char *purpose, const char *bound_to, json_t *extra, char out[64]);

/*
 * Take the challenge named in the credential's clientDataJSON, once. It must
 * have this purpose and be bound to bound_to. Returns the record (and the
 * raw challenge bytes in *raw), or NULL with *why set ("expired", "failed").
 */
json_t *br_challenge_take(br_app *app, const br_credential_json *cred, const char *purpose,
    const char *bound_to, br_blob *raw, const char **why);

/* [{"type":"public-key","id":…,"transports":[…]}] for a user's credentials. */
json_t *br_credential_descriptors(const br_user *u);

/* base64url of a blob, malloc'd. */
char *br_b64(const br_blob *b);

#endif
