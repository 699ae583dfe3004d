/*
 * The handoff protocol with the IdP shim (docs/handoff-protocol.md): the
 * signed start request, the URL back, and the ticket record with its MAC.
 * Pure: no I/O, the caller passes the clock and the secrets.
 */
#ifndef BR_HANDOFF_H
#define BR_HANDOFF_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define BR_HANDOFF_SIG_LEN 43   /* base64url of an HMAC-SHA256 */
/*
 * The first line of each signed message (docs/handoff-protocol.md): distinct,
 * so a start signature is never a ticket MAC and a ticket MAC never a start
 * signature, whatever the other lines hold.
 */
#define BR_HANDOFF_START_LABEL "fido-bridge start v2"
#define BR_HANDOFF_TICKET_LABEL "fido-bridge ticket v2"
#define BR_TICKET_VERSION 2     /* the record's "v" */
#define BR_HANDOFF_PRINCIPAL_MAX 256  /* bytes of the optional principal */
#define BR_HANDOFF_SP_NAME_MAX 512    /* bytes of the optional sp_name */

/* The current secret and, during a rotation, the previous one (may be empty). */
typedef struct br_secrets {
	unsigned char *cur;
	size_t cur_len;
	unsigned char *prev;
	size_t prev_len;
} br_secrets;

void br_secrets_wipe(br_secrets *s);

typedef struct br_handoff_start {
	const char *conversation;
	const char *state;
	const char *return_url;
	const char *entity;
	const char *force;      /* "0" / "1" */
	const char *passive;
	const char *ts;         /* unix seconds, decimal */
	const char *sig;
} br_handoff_start;

/*
 * The optional start parameters (section 1.1), NULL when absent. When present
 * they are part of the signed message, so none can be added, dropped or
 * changed. A struct of their own so that br_handoff_start keeps its fields.
 */
typedef struct br_handoff_ext {
	const char *principal;  /* the account the sign-in must be (the first factor's user) */
	const char *sp_name;    /* the SP's display name for the sign-in page */
} br_handoff_ext;

typedef enum br_handoff_rc {
	BR_HANDOFF_OK = 0,
	BR_HANDOFF_MISSING,         /* a parameter is absent (or repeated) */
	BR_HANDOFF_MALFORMED,       /* a parameter breaks its rule */
	BR_HANDOFF_BAD_SIGNATURE,
	BR_HANDOFF_STALE,           /* ts outside the allowed skew */
	BR_HANDOFF_RETURN_REFUSED,  /* return does not start with a configured URL */
} br_handoff_rc;

const char *br_handoff_rc_name(br_handoff_rc rc);

/*
 * Check a start request: every rule of section 1 of the protocol, the
 * signature against the current then the previous secret (constant time),
 * ts within skew_s of now, return under one of return_prefixes. x holds the
 * optional parameters as received (NULL: none); br_handoff_check_start is
 * the same with none, so a start that carries one fails its signature there.
 */
br_handoff_rc br_handoff_check_start_ext(const br_handoff_start *s, const br_handoff_ext *x,
    const br_secrets *secrets, int64_t now, int skew_s, char *const *return_prefixes, size_t n_prefixes);
br_handoff_rc br_handoff_check_start(const br_handoff_start *s, const br_secrets *secrets,
    int64_t now, int skew_s, char *const *return_prefixes, size_t n_prefixes);

/*
 * sig for s (what the shim computes), with x's values when x is not NULL;
 * out has room for 44 bytes. -1 on error (also when an optional value breaks
 * its rule). br_handoff_sign_start: without optional values.
 */
int br_handoff_sign_start_ext(const br_handoff_start *s, const br_handoff_ext *x, const unsigned char *key,
    size_t key_len, char out[BR_HANDOFF_SIG_LEN + 1]);
int br_handoff_sign_start(const br_handoff_start *s, const unsigned char *key, size_t key_len,
    char out[BR_HANDOFF_SIG_LEN + 1]);

/*
 * return_url + "?"/"&" + "conversation=..&state=..&<key>=<value>", each
 * percent-encoded. malloc'd; NULL on OOM.
 */
char *br_handoff_return(const char *return_url, const char *conversation, const char *state,
    const char *key, const char *value);

/* Percent-encode everything but RFC 3986 unreserved characters. malloc'd. */
char *br_url_encode(const char *s);

/* ---- ticket records ---- */

/* Every field of a record; all but attributes are under the MAC (section 3). */
typedef struct br_ticket_fields {
	const char *principal;
	const char *conversation;
	const char *state;
	const char *entity;         /* "" (or NULL) when the start had none */
	int64_t auth_instant;       /* unix seconds of the ceremony */
	int64_t expires;            /* unix seconds after which the shim refuses it */
	int uv, be, bs, mfa;
	const char *credential_id;  /* base64url */
	const char *aaguid;         /* uuid text, may be "" (or NULL) */
	json_t *attributes;         /* borrowed; may be NULL; informational, not MAC'd */
} br_ticket_fields;

/*
 * mac for a record (section 3): HMAC-SHA256 under key over the label line
 * and one "name=value" line per field. -1 when a value is NULL, holds "\n"
 * or an instant is negative. out has room for 44 bytes.
 */
int br_ticket_mac(const unsigned char *key, size_t key_len, const char *ticket, const br_ticket_fields *f,
    char out[BR_HANDOFF_SIG_LEN + 1]);

/* The record JSON, "v" and mac included, signed with the current secret. NULL on OOM or a bad field. */
json_t *br_ticket_record(const char *ticket, const br_ticket_fields *f, const br_secrets *secrets);

/*
 * What the shim does with a record taken from the cache (section 4): v, every
 * field's type, the mac (current or previous secret, constant time),
 * conversation and state, then the times: refused once now is past expires +
 * skew_s, or auth_instant is after now + skew_s. 0 when it verifies; *why
 * says what failed ("malformed", "bad_mac", "conversation_mismatch",
 * "state_mismatch", "expired", "future").
 */
int br_ticket_verify(const json_t *record, const char *ticket, const char *conversation, const char *state,
    const br_secrets *secrets, int64_t now, int skew_s, const char **why);

#endif
