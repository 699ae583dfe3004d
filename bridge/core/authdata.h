/* authenticatorData (WebAuthn section 6.1): a zero-copy, length-checked parse. */
#ifndef BR_AUTHDATA_H
#define BR_AUTHDATA_H

#include <stdint.h>

#include "buf.h"
#include "err.h"

#define BR_AD_UP 0x01u /* user present */
#define BR_AD_UV 0x04u /* user verified */
#define BR_AD_BE 0x08u /* backup eligible */
#define BR_AD_BS 0x10u /* backup state */
#define BR_AD_AT 0x40u /* attested credential data included */
#define BR_AD_ED 0x80u /* extension data included */

#define BR_AAGUID_LEN 16
#define BR_CRED_ID_MAX 1023

/* Every span points into the parsed buffer, which must outlive this. */
typedef struct br_authdata {
	br_span rp_id_hash;      /* 32 bytes */
	uint8_t flags;
	uint32_t sign_count;
	int has_attested;        /* AT: the next three are set */
	unsigned char aaguid[BR_AAGUID_LEN];
	br_span cred_id;
	br_span cose_key;        /* the COSE_Key bytes, one CBOR map */
	br_span extensions;      /* ED: one CBOR map; empty otherwise */
} br_authdata;

/*
 * Parse authData. Checks lengths, that AT and ED match what follows, that the
 * credential id is at most 1023 bytes and that nothing trails. Flag policy
 * (UP/UV/BE/BS) is checked by br_authdata_check_flags.
 */
br_err br_authdata_parse(const unsigned char *p, size_t len, br_authdata *out);

/*
 * rpIdHash == SHA-256(rp_id) (constant time), UP set, UV set when required,
 * BS only with BE.
 */
br_err br_authdata_check(const br_authdata *ad, const char *rp_id, int uv_required);

#endif
