/* A recorded ceremony in the shared vector format (shared/vectors/FORMAT.md). */
#ifndef BR_CASE_FILE_H
#define BR_CASE_FILE_H

#include <stdint.h>

#include "../core/ceremony.h"
#include "../core/credential_json.h"

typedef struct br_case {
	char *name;
	int is_registration;
	char *rp_id;
	char **origins;
	size_t n_origins;
	br_uv_policy uv;
	br_blob challenge;
	int64_t now;
	br_trust *trust;              /* NULL when the case names no anchors */
	br_credential_json response;
	/* authentication: the stored credential */
	br_blob cred_id;
	br_blob cred_public_key;
	uint32_t cred_sign_count;
	br_err response_error;        /* id/rawId/type problems found while reading */
} br_case;

/*
 * Load one case. The "expect" member is never read: verdicts come from the
 * verifier alone. Returns 0, or -1 with a message in err (errlen bytes).
 */
int br_case_load(const char *path, br_case *c, char *err, size_t errlen);
void br_case_free(br_case *c);

#endif
