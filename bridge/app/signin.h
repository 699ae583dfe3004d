/*
 * Passkey sign-in, free of HTTP: the request options for a flow, and the
 * verification of the assertion that answers them, with everything the
 * bridge decides around the core's verdict: which account, whether it may
 * sign in, the sign-count policy, the MFA verdict, the last-used write, and
 * then the ticket for the IdP (or a My passkeys session).
 */
#ifndef BR_SIGNIN_H
#define BR_SIGNIN_H

#include <jansson.h>

#include "app.h"
#include "record.h"
#include "result.h"

/*
 * PublicKeyCredentialRequestOptionsJSON for the flow flow_id (cookie value).
 * username NULL (or "") asks for a discoverable credential; otherwise the
 * account's credentials are listed in allowCredentials. *public_key is new.
 */
br_result br_signin_options(br_app *app, const br_caller *who, const char *flow_id, const char *username,
    json_t **public_key);

typedef struct br_signin_done {
	int local;                              /* a sign-in to My passkeys: session_id is new */
	char session_id[BR_ID_LEN + 1];
	char credential_id[1400];               /* base64url, for an unknown_credential answer; "" */
} br_signin_done;

/*
 * Verify credential (PublicKeyCredential toJSON form) for the flow flow_id.
 * On OK with an IdP flow the ticket is recorded in the flow; with a local
 * one the flow is gone and a sign-in session started. Every failure is in
 * the audit log with its reason.
 */
br_result br_signin_verify(br_app *app, const br_caller *who, const char *flow_id, const json_t *credential,
    br_signin_done *out);

/* Which flow a call may use: either (the two above), or only one kind (the pages' cookies). */
typedef enum br_signin_flow {
	BR_SIGNIN_ANY_FLOW,
	BR_SIGNIN_IDP_FLOW,     /* fb_flow: a sign-in the IdP asked for */
	BR_SIGNIN_LOCAL_FLOW,   /* fb_local: a sign-in to My passkeys; never completes an IdP flow */
} br_signin_flow;

/* br_signin_options / br_signin_verify for a flow of that kind only: EXPIRED for one of the other kind. */
br_result br_signin_options_for(br_app *app, const br_caller *who, br_signin_flow kind, const char *flow_id,
    const char *username, json_t **public_key);
br_result br_signin_verify_for(br_app *app, const br_caller *who, br_signin_flow kind, const char *flow_id,
    const json_t *credential, br_signin_done *out);

/*
 * The MFA verdict of docs/handoff-protocol.md section 3: user verification
 * on a device-bound key, or on a synced one whose AAGUID the configuration
 * lists.
 */
int br_signin_mfa(const br_config *cfg, int uv, int be, const char *aaguid);

#endif
