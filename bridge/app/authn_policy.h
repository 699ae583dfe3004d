/*
 * Which authenticator policy ([policy NAME], config/auth_policy.h) applies to
 * a user, whether a new passkey satisfies it, and whether a sign-in with a
 * stored one is multi-factor under it. Reads only the configuration and the
 * user's directory attributes already loaded: no metadata, no I/O.
 */
#ifndef BR_AUTHN_POLICY_H
#define BR_AUTHN_POLICY_H

#include "../config/auth_policy.h"
#include "../core/ceremony.h"
#include "../store/directory.h"

/* The first policy matching u's attributes, else [policy default], else NULL (no policy). */
const br_auth_policy *br_policy_of(const br_config *c, const br_user *u);

/*
 * NULL when a registration satisfies p (NULL p: always), else the reason:
 * "policy_aaguid", "policy_format", "policy_synced", "policy_attestation".
 */
const char *br_policy_refusal(const br_auth_policy *p, const br_reg_result *rr);

/*
 * Whether a sign-in counts as multi-factor (REFEDS MFA): user verification,
 * a credential the user's policy still accepts (allow/deny lists, formats,
 * device-bound), and a device-bound passkey unless the policy
 * (mfa_synced) or [webauthn] mfa_aaguids counts synced ones too.
 */
int br_policy_mfa(const br_config *c, const br_auth_policy *p, int uv, const br_credential_record *cred);

#endif
