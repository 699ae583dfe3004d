/*
 * Passkey registration, free of HTTP: the creation options for the account
 * of an enrolment or sign-in session, and the verification of the new
 * credential, with the bridge's rules around the core's verdict (which
 * session may add one, the one-time code spent, the nickname rule) and the
 * one LDAP add.
 */
#ifndef BR_REGISTRATION_H
#define BR_REGISTRATION_H

#include <jansson.h>

#include "app.h"
#include "record.h"
#include "result.h"

/* PublicKeyCredentialCreationOptionsJSON for the session session_id (cookie value). *public_key is new. */
br_result br_registration_options(br_app *app, const br_caller *who, const char *session_id, json_t **public_key);
/*
 * The same for a conditional create (WebAuthn L3 automatic passkey upgrade)
 * when conditional is set: only right after a password check (an enrolment
 * session without a link) or from a sign-in session; BAD_REQUEST otherwise.
 */
br_result br_registration_options_ext(br_app *app, const br_caller *who, const char *session_id, int conditional,
    json_t **public_key);

typedef struct br_registration_done {
	int enrolled;                   /* an enrolment ended: session_id is the "ready" page's session */
	char session_id[BR_ID_LEN + 1];
} br_registration_done;

/*
 * Verify credential (PublicKeyCredential toJSON form) for the session
 * session_id and store it with nickname (NULL or "": none). An enrolment
 * session ends here; a sign-in session goes on.
 */
br_result br_registration_verify(br_app *app, const br_caller *who, const char *session_id, const json_t *credential,
    const char *nickname, br_registration_done *out);
/*
 * The same with options: nickname may be only the page's guess (the browser and
 * system, "Chrome on Mac"): then the model's name, when one is known
 * (aaguid_names.h), is stored instead.
 */
typedef struct br_registration_opts {
	const char *nickname;           /* NULL or "": none */
	int nickname_is_guess;
	int conditional;                /* answers a conditional create's options: UP may be absent */
} br_registration_opts;

br_result br_registration_verify_opts(br_app *app, const br_caller *who, const char *session_id,
    const json_t *credential, const br_registration_opts *o, br_registration_done *out);

#endif
