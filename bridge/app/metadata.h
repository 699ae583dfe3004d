/*
 * The FIDO metadata a node holds: the verified entries of the last imported
 * MDS3 blob, read from [attestation] mds_file at start and on SIGHUP, and
 * the registration-time verdict on a model (status reports, certification
 * level). Sign-in never looks here.
 */
#ifndef BR_METADATA_H
#define BR_METADATA_H

#include <stdint.h>

#include "../config/config.h"
#include "../core/mds.h"
#include "../core/x509.h"

/* Read and parse a stored payload (the file bridgectl mds import writes). NULL with err. */
br_mds *br_metadata_read(const char *path, char *err, size_t errlen);

/*
 * Write payload to path atomically (a temporary file in the same directory,
 * fsync, rename), mode 0644: a node reading it sees the old or the new
 * file, never half of one. 0, or -1 with err.
 */
int br_metadata_write(const char *path, const br_blob *payload, char *err, size_t errlen);

/* The refusal rules of the config: statuses as a BR_MDS_STATUS_BIT mask, the minimum level. */
typedef struct br_mds_rules {
	unsigned refuse;
	int min_level;
	int require_entry;
} br_mds_rules;

void br_mds_rules_from_config(const br_config *c, br_mds_rules *r);

/*
 * Whether a model may register: NULL when it may, else the reason as the
 * audit line names it: "mds_no_entry", "mds_status_<STATUS>" (the first
 * refused status its reports carry, e.g. mds_status_REVOKED) or
 * "mds_certification_level". buf holds the text for the status case.
 */
const char *br_mds_refusal(const br_mds_entry *e, const br_mds_rules *r, char *buf, size_t cap);

/*
 * Trust anchors for a registration: the config's anchors plus the entry's
 * attestationRootCertificates into *out (NULL when neither has any); *owned
 * is what the caller frees (NULL when *out is base). -1 on allocation failure.
 */
int br_mds_trust_for(const br_trust *base, const br_mds_entry *e, const br_trust **out, br_trust **owned);

#endif
