/*
 * What a ceremony service tells its caller: one code per answer a user or a
 * client can get. The HTTP layer turns each into a status and a page
 * (bridge/http/reply.c, one table); the name is the API's error code.
 */
#ifndef BR_RESULT_H
#define BR_RESULT_H

#include "../store/cache.h"
#include "../store/directory.h"

typedef enum br_result {
	BR_RESULT_OK = 0,
	BR_RESULT_BAD_REQUEST,        /* bad_request: malformed input */
	BR_RESULT_FORBIDDEN,          /* forbidden: no session (or flow) that allows this */
	BR_RESULT_NOT_ENABLED,        /* forbidden: a feature the configuration leaves off */
	BR_RESULT_EXPIRED,            /* expired: the flow, challenge or code is gone */
	BR_RESULT_FAILED,             /* failed: the ceremony did not verify */
	BR_RESULT_NOT_OURS,           /* failed: a challenge we did not issue for this (someone else's) */
	BR_RESULT_UNKNOWN_ACCOUNT,    /* unknown_account */
	BR_RESULT_NO_CREDENTIALS,     /* no_credentials: the account has no passkey */
	BR_RESULT_UNKNOWN_CREDENTIAL, /* unknown_credential */
	BR_RESULT_ACCOUNT_DISABLED,   /* account_disabled */
	BR_RESULT_RATE_LIMITED,       /* rate_limited */
	BR_RESULT_LAST_PASSKEY,       /* last_passkey: deleting it needs a confirmation */
	BR_RESULT_ALREADY_REGISTERED, /* already_registered */
	BR_RESULT_HAS_PASSKEYS,       /* has_passkeys: password enrolment is for a first passkey */
	BR_RESULT_REAUTHENTICATE,     /* reauthenticate: the sign-in is too old for this */
	BR_RESULT_BAD_START,          /* bad_start: the IdP's start request did not verify */
	BR_RESULT_LINK_REFUSED,       /* link_refused: an enrolment link that opens nothing */
	BR_RESULT_UNAVAILABLE,        /* unavailable: a store is down */
	BR_RESULT_INTERNAL,           /* unavailable: out of memory, no randomness */
	BR_RESULT_AUTHENTICATOR_REFUSED, /* authenticator_refused: the model, its metadata or the policy refuses it */
	BR_RESULT__COUNT
} br_result;

/* The API error code ("expired"); stable, part of docs/http-api.md. */
const char *br_result_code(br_result r);

/* A directory answer as a result: NOT_FOUND becomes not_found, the rest by kind. */
br_result br_result_of_dir(br_dir_rc rc, br_result not_found);
/* A cache answer: MISS and INVALID (a record that is not ours) become miss. */
br_result br_result_of_cache(br_cache_rc rc, br_result miss);

#endif
