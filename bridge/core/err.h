/* Error codes of the verification core: one per check, each with a stable name. */
#ifndef BR_ERR_H
#define BR_ERR_H

/*
 * NB: the names (br_strerr) are part of the interface: bridgectl prints them,
 * the audit log records them and tests compare them. Append; never renumber.
 */
typedef enum br_err {
	BR_OK = 0,
	BR_ERR_INTERNAL,               /* internal: OpenSSL or allocation failure */
	BR_ERR_INVALID_ARGUMENT,       /* invalid_argument: caller passed bad input */
	BR_ERR_BASE64URL,              /* base64url */
	BR_ERR_CREDENTIAL_TYPE,        /* credential_type: type is not "public-key" */
	BR_ERR_CREDENTIAL_ID_MISMATCH, /* credential_id_mismatch: id/rawId vs attested id */
	/* clientDataJSON */
	BR_ERR_CLIENT_DATA,            /* client_data: not a JSON object / bad member */
	BR_ERR_TYPE,                   /* type */
	BR_ERR_CHALLENGE,              /* challenge */
	BR_ERR_ORIGIN,                 /* origin */
	BR_ERR_CROSS_ORIGIN,           /* cross_origin */
	BR_ERR_TOP_ORIGIN,             /* top_origin */
	/* authenticatorData */
	BR_ERR_AUTH_DATA,              /* authenticator_data: truncated */
	BR_ERR_RP_ID,                  /* rp_id: rpIdHash mismatch */
	BR_ERR_USER_PRESENCE,          /* user_presence */
	BR_ERR_USER_VERIFICATION,      /* user_verification */
	BR_ERR_BACKUP_STATE,           /* backup_state: BS set without BE */
	BR_ERR_ATTESTED_DATA,          /* attested_credential_data: AT flag vs content */
	BR_ERR_CREDENTIAL_ID_LENGTH,   /* credential_id_length: > 1023 */
	BR_ERR_EXTENSIONS,             /* extensions: ED flag vs content */
	BR_ERR_TRAILING_DATA,          /* trailing_data */
	/* COSE */
	BR_ERR_COSE_KEY,               /* cose_key: malformed or inconsistent key */
	BR_ERR_ALGORITHM,              /* algorithm: alg not offered by the RP */
	/* attestation */
	BR_ERR_ATTESTATION_OBJECT,     /* attestation_object: malformed CBOR */
	BR_ERR_UNSUPPORTED_FMT,        /* unsupported_fmt */
	BR_ERR_FMT_REFUSED,            /* fmt_refused: format disabled by policy */
	BR_ERR_ATT_STMT,               /* attestation_statement: malformed attStmt */
	BR_ERR_ATTESTATION_SIGNATURE,  /* attestation_signature */
	BR_ERR_CERTIFICATE,            /* certificate: unparsable certificate */
	BR_ERR_CERT_REQUIREMENTS,      /* certificate_requirements: version/subject/BC/EKU */
	BR_ERR_CERTIFICATE_CHAIN,      /* certificate_chain: not trusted at `now` */
	BR_ERR_AAGUID_MISMATCH,        /* aaguid_mismatch: cert AAGUID extension */
	BR_ERR_PUBLIC_KEY_MISMATCH,    /* public_key_mismatch: cert/pubArea vs credential */
	BR_ERR_TPM_PUB_AREA,           /* tpm_pub_area */
	BR_ERR_TPM_CERT_INFO,          /* tpm_cert_info */
	BR_ERR_ANDROID_KEY_DESCRIPTION,/* android_key_description */
	BR_ERR_APPLE_NONCE,            /* apple_nonce */
	BR_ERR_SAFETYNET_RESPONSE,     /* safetynet_response: JWS structure */
	BR_ERR_SAFETYNET_NONCE,        /* safetynet_nonce */
	BR_ERR_SAFETYNET_CTS_PROFILE,  /* safetynet_cts_profile */
	BR_ERR_SAFETYNET_HOSTNAME,     /* safetynet_hostname: leaf not attest.android.com */
	BR_ERR_SAFETYNET_TIMESTAMP,    /* safetynet_timestamp */
	/* assertion */
	BR_ERR_CREDENTIAL_NOT_ALLOWED, /* credential_not_allowed */
	BR_ERR_USER_HANDLE,            /* user_handle */
	BR_ERR_SIGNATURE,              /* signature */
	BR_ERR_SIGN_COUNT,             /* sign_count: regression, possible clone */
	BR_ERR__COUNT
} br_err;

/* Stable snake_case name of an error code; "unknown" for values out of range. */
const char *br_strerr(br_err e);

#endif
