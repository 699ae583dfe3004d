/*
 * FIDO Metadata Service (MDS3) blobs, offline: the JWT the administrator
 * downloaded is judged here (signature by the leaf of its x5c, x5c chained to
 * a pinned root at a given instant with CRLs, `no` newer than the stored one,
 * nextUpdate not long past) and its entries become a table keyed by AAGUID.
 * Pure: bytes in, verdict out; the caller reads the files and the clock.
 */
#ifndef BR_MDS_H
#define BR_MDS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Ceilings: the real blob is a few MB; a bigger one is refused, not truncated. */
#define BR_MDS_BLOB_MAX (64u << 20)
#define BR_MDS_ENTRIES_MAX 100000u
#define BR_MDS_ROOTS_MAX 16u
#define BR_MDS_ICON_MAX (128u << 10)   /* larger data: URLs are dropped, not refused */

typedef enum br_mds_err {
	BR_MDS_OK = 0,
	BR_MDS_INTERNAL,        /* internal: allocation or OpenSSL failure */
	BR_MDS_MALFORMED,       /* malformed: not a compact JWT, bad JSON or a bad member */
	BR_MDS_ALGORITHM,       /* algorithm: alg not RS256 / ES256, or not the key's */
	BR_MDS_CERTIFICATE,     /* certificate: an x5c, root or CRL that does not parse */
	BR_MDS_SIGNATURE,       /* signature: not signed by the x5c leaf */
	BR_MDS_CHAIN,           /* chain: x5c not to the pinned root at `now` (expired, wrong root) */
	BR_MDS_REVOKED,         /* signer_revoked: a certificate of the chain is on its CRL */
	BR_MDS_CRL,             /* crl: a CRL missing, expired or not signed by the issuer */
	BR_MDS_NOT_NEWER,       /* not_newer: `no` not larger than the stored blob's */
	BR_MDS_STALE,           /* stale: nextUpdate further past than the grace allows */
	BR_MDS_AMBIGUOUS,       /* ambiguous: an AAGUID twice, same timeOfLastStatusChange, different verdicts */
} br_mds_err;

const char *br_mds_strerr(br_mds_err e);

/* Status values of statusReports (MDS3 section 3.1.4) that the bridge knows; others are ignored. */
typedef enum br_mds_status {
	BR_MDS_S_NOT_FIDO_CERTIFIED = 0,
	BR_MDS_S_FIDO_CERTIFIED,
	BR_MDS_S_USER_VERIFICATION_BYPASS,
	BR_MDS_S_ATTESTATION_KEY_COMPROMISE,
	BR_MDS_S_USER_KEY_REMOTE_COMPROMISE,
	BR_MDS_S_USER_KEY_PHYSICAL_COMPROMISE,
	BR_MDS_S_UPDATE_AVAILABLE,
	BR_MDS_S_REVOKED,
	BR_MDS_S_SELF_ASSERTION_SUBMITTED,
	BR_MDS_S_FIDO_CERTIFIED_L1,
	BR_MDS_S_FIDO_CERTIFIED_L1PLUS,
	BR_MDS_S_FIDO_CERTIFIED_L2,
	BR_MDS_S_FIDO_CERTIFIED_L2PLUS,
	BR_MDS_S_FIDO_CERTIFIED_L3,
	BR_MDS_S_FIDO_CERTIFIED_L3PLUS,
	BR_MDS_S__COUNT
} br_mds_status;

/* "REVOKED", ...: the spec's spelling; NULL out of range. */
const char *br_mds_status_name(br_mds_status s);
/* The status of that name; -1 unknown. */
int br_mds_status_parse(const char *s, size_t len);
#define BR_MDS_STATUS_BIT(s) (1u << (unsigned)(s))
/* The default refusal set: REVOKED, USER_VERIFICATION_BYPASS and the three compromises. */
#define BR_MDS_REFUSE_DEFAULT (BR_MDS_STATUS_BIT(BR_MDS_S_REVOKED) | \
	BR_MDS_STATUS_BIT(BR_MDS_S_USER_VERIFICATION_BYPASS) | \
	BR_MDS_STATUS_BIT(BR_MDS_S_ATTESTATION_KEY_COMPROMISE) | \
	BR_MDS_STATUS_BIT(BR_MDS_S_USER_KEY_REMOTE_COMPROMISE) | \
	BR_MDS_STATUS_BIT(BR_MDS_S_USER_KEY_PHYSICAL_COMPROMISE))

/*
 * Certification levels, ordered: 0 none, 1 L1 (also plain FIDO_CERTIFIED),
 * 2 L1+, 3 L2, 4 L2+, 5 L3, 6 L3+. "L1", "L1plus", ... "L3plus" by name.
 */
int br_mds_level_parse(const char *s);
const char *br_mds_level_name(int level);

typedef struct br_mds_entry {
	unsigned char aaguid[16];       /* first: aaguid_table.h */
	char *description;      /* "" when the statement has none */
	char *icon;             /* an image data: URL br_data_url_image takes, or NULL */
	unsigned statuses;      /* BR_MDS_STATUS_BIT of every report's status */
	int latest;             /* status of the latest report (by effectiveDate), -1 none */
	int64_t latest_date;    /* its effectiveDate (unix seconds), 0 when none */
	int level;              /* highest certification level reported */
	br_blob *roots;         /* attestationRootCertificates, DER */
	size_t n_roots;
	int64_t last_change;    /* timeOfLastStatusChange (unix seconds), 0 when absent */
	size_t pos;             /* its place among the blob's entries (which of two came first) */
} br_mds_entry;

typedef struct br_mds {
	int64_t no;
	int64_t next_update;    /* unix seconds of the date's midnight UTC */
	br_mds_entry *entries;  /* FIDO2 entries (those with an aaguid), sorted by it */
	size_t n;
	size_t skipped;         /* entries without aaguid (U2F, UAF) */
	size_t duplicates;      /* entries dropped for a newer one of their AAGUID */
} br_mds;

/*
 * The JSON payload of a blob (also what `bridgectl mds import` stores, so a
 * node loads it with the same parser). Strict: duplicate keys, a bad AAGUID
 * or an undecodable root certificate refuse the whole. An AAGUID listed
 * more than once keeps the entry with the latest timeOfLastStatusChange;
 * entries tied on that date are one only when they give the same verdict
 * (statuses, latest status, level, roots; the first is kept), otherwise the
 * blob is refused as ambiguous (docs/metadata.md).
 */
br_mds_err br_mds_payload_parse(const unsigned char *p, size_t len, br_mds **out);
void br_mds_free(br_mds **m);
/* The entry for aaguid, or NULL. */
const br_mds_entry *br_mds_find(const br_mds *m, const unsigned char aaguid[16]);

/* What a blob is judged against. */
typedef struct br_mds_check {
	br_span root_pem;       /* the pinned root(s), PEM */
	const br_span *crls;    /* CRLs, each PEM or DER: one per CA of the chain */
	size_t n_crls;
	int64_t now;            /* unix seconds */
	int64_t stored_no;      /* `no` of the stored blob; -1 when none */
	int64_t grace_s;        /* nextUpdate may be this far in the past */
} br_mds_check;

/*
 * Verify blob (a compact JWS, len bytes) and parse its payload. On success
 * *out holds the table and payload (when not NULL) the payload's bytes.
 * On failure nothing is returned.
 */
br_mds_err br_mds_blob_verify(const unsigned char *blob, size_t len, const br_mds_check *chk,
    br_mds **out, br_blob *payload);

/* notAfter (unix seconds) of the first certificate in pem; 0 or -1. */
int br_mds_root_not_after(br_span pem, int64_t *not_after);

#endif
