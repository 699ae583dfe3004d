/* My passkeys, free of HTTP: list, rename and delete for a passkey sign-in session. */
#ifndef BR_PASSKEYS_H
#define BR_PASSKEYS_H

#include <jansson.h>

#include "app.h"
#include "result.h"

/* {"rp_id", "user":{id,name,displayName}, "passkeys":[…]} for the session's account; *out is new. */
br_result br_passkeys_list(br_app *app, const br_caller *who, const char *session_id, json_t **out);
/* id is the credential id in base64url as the list gives it. */
br_result br_passkeys_rename(br_app *app, const br_caller *who, const char *session_id, const char *id,
    const char *nickname);
/* Sign out: this session ends, and every other sign-in of the account that began before now (all devices). */
br_result br_passkeys_signout(br_app *app, const br_caller *who, const char *session_id);
/* Deleting the last passkey locks the user out of passwordless sign-in: LAST_PASSKEY unless confirmed. */
br_result br_passkeys_delete(br_app *app, const br_caller *who, const char *session_id, const char *id, int confirmed);

#endif
