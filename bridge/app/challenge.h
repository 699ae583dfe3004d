/*
 * WebAuthn challenges: 32 random bytes, kept in the cache as a sealed
 * record named by the challenge itself (record.h) and bound to the flow or
 * session that asked for it, so a challenge issued to one browser is no use
 * in another. Taken once, before the ceremony is verified.
 */
#ifndef BR_CHALLENGE_H
#define BR_CHALLENGE_H

#include "../core/buf.h"
#include "app.h"
#include "record.h"
#include "result.h"

typedef enum br_challenge_purpose {
	BR_CHALLENGE_SIGNIN,
	BR_CHALLENGE_REGISTER,
	BR_CHALLENGE_REGISTER_CONDITIONAL,  /* a conditional create: user presence may be absent */
} br_challenge_purpose;

typedef struct br_challenge {
	br_blob raw;            /* the challenge bytes the verifier expects */
	char *username;         /* username-first sign-in: the account that asked; NULL otherwise */
} br_challenge;

void br_challenge_reset(br_challenge *c);

/* A new challenge (its text into out) for purpose, bound to bound_to; username may be NULL. */
br_result br_challenge_issue(br_app *app, br_challenge_purpose purpose, const char *bound_to, const char *username,
    int64_t now, char out[BR_ID_LEN + 1]);

/*
 * Take the challenge named in clientDataJSON once. OK when it was ours, for
 * this purpose and bound to bound_to; EXPIRED when a challenge of our shape
 * is gone; NOT_OURS for anything else (it is gone for its owner too);
 * UNAVAILABLE when the cache is down.
 */
br_result br_challenge_take(br_app *app, const br_blob *client_data_json, br_challenge_purpose purpose,
    const char *bound_to, int64_t now, br_challenge *out);

#endif
