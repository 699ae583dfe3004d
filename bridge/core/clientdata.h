/* clientDataJSON (WebAuthn section 5.8.1) checks. */
#ifndef BR_CLIENTDATA_H
#define BR_CLIENTDATA_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

typedef struct br_clientdata_expect {
	const char *type;                 /* "webauthn.create" or "webauthn.get" */
	br_span challenge;                /* the challenge the RP issued (raw bytes) */
	const char *const *origins;       /* exact-match allow list */
	size_t n_origins;
	int allow_cross_origin;           /* crossOrigin:true accepted only if set */
	const char *const *top_origins;   /* allowed topOrigin values (cross-origin iframes) */
	size_t n_top_origins;
} br_clientdata_expect;

/*
 * Parse clientDataJSON (a UTF-8 JSON object, duplicate members refused) and
 * check type, challenge (strict base64url, constant-time compare), origin,
 * crossOrigin and topOrigin. Unknown members are ignored, as the spec says.
 */
br_err br_clientdata_check(const unsigned char *json, size_t len,
    const br_clientdata_expect *exp);

#endif
