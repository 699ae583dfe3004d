/*
 * Authenticator policies: named sets in [policy NAME] sections, each for the
 * users whose directory attributes match it (a group, an affiliation). The
 * first policy in file order that matches a user is theirs; a user no policy
 * matches gets [policy default] when there is one, else no restriction.
 * docs/policies.md lists the keys.
 */
#ifndef BR_AUTH_POLICY_H
#define BR_AUTH_POLICY_H

#include <stddef.h>

#include "config.h"

typedef struct br_auth_policy {
	char *name;
	br_strlist match;               /* "attribute=value", one per match line (a DN value keeps its commas): any one selects the policy */
	br_strlist aaguid_allow;        /* empty: any model */
	br_strlist aaguid_deny;
	br_strlist formats;             /* allowed attestation formats; empty: any */
	int device_bound;               /* refuse passkeys that may be synced (BE flag) */
	int attestation_required;       /* refuse "none" and self attestation */
	int mfa_synced;                 /* a synced passkey with UV counts as multi-factor */
	int mfa;                        /* false: nothing under this policy is multi-factor */
	br_strlist hints;               /* WebAuthn L3 hints sent at registration */
} br_auth_policy;

/*
 * One key of a [policy NAME] section (section is "policy NAME"). 1 taken,
 * 0 with the reason in why (why_len bytes). Called by the config loader.
 */
int br_auth_policy_key(br_config *c, const char *section, const char *name, const char *value,
    char *why, size_t why_len);
/* The rules between keys (attributes read, AAGUIDs, formats, hints); 0, or -1 with err. */
int br_auth_policy_check(const br_config *c, char *err, size_t errlen);
void br_auth_policy_free_all(br_config *c);

/* A hint the options may carry: "security-key", "client-device", "hybrid". */
int br_hint_ok(const char *h);

#endif
