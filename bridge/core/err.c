#include "err.h"

#include <stddef.h>

static const char *const names[BR_ERR__COUNT] = {
	[BR_OK] = "ok",
	[BR_ERR_INTERNAL] = "internal",
	[BR_ERR_INVALID_ARGUMENT] = "invalid_argument",
	[BR_ERR_BASE64URL] = "base64url",
	[BR_ERR_CREDENTIAL_TYPE] = "credential_type",
	[BR_ERR_CREDENTIAL_ID_MISMATCH] = "credential_id_mismatch",
	[BR_ERR_CLIENT_DATA] = "client_data",
	[BR_ERR_TYPE] = "type",
	[BR_ERR_CHALLENGE] = "challenge",
	[BR_ERR_ORIGIN] = "origin",
	[BR_ERR_CROSS_ORIGIN] = "cross_origin",
	[BR_ERR_TOP_ORIGIN] = "top_origin",
	[BR_ERR_AUTH_DATA] = "authenticator_data",
	[BR_ERR_RP_ID] = "rp_id",
	[BR_ERR_USER_PRESENCE] = "user_presence",
	[BR_ERR_USER_VERIFICATION] = "user_verification",
	[BR_ERR_BACKUP_STATE] = "backup_state",
	[BR_ERR_ATTESTED_DATA] = "attested_credential_data",
	[BR_ERR_CREDENTIAL_ID_LENGTH] = "credential_id_length",
	[BR_ERR_EXTENSIONS] = "extensions",
	[BR_ERR_TRAILING_DATA] = "trailing_data",
	[BR_ERR_COSE_KEY] = "cose_key",
	[BR_ERR_ALGORITHM] = "algorithm",
	[BR_ERR_ATTESTATION_OBJECT] = "attestation_object",
	[BR_ERR_UNSUPPORTED_FMT] = "unsupported_fmt",
	[BR_ERR_FMT_REFUSED] = "fmt_refused",
	[BR_ERR_ATT_STMT] = "attestation_statement",
	[BR_ERR_ATTESTATION_SIGNATURE] = "attestation_signature",
	[BR_ERR_CERTIFICATE] = "certificate",
	[BR_ERR_CERT_REQUIREMENTS] = "certificate_requirements",
	[BR_ERR_CERTIFICATE_CHAIN] = "certificate_chain",
	[BR_ERR_AAGUID_MISMATCH] = "aaguid_mismatch",
	[BR_ERR_PUBLIC_KEY_MISMATCH] = "public_key_mismatch",
	[BR_ERR_TPM_PUB_AREA] = "tpm_pub_area",
	[BR_ERR_TPM_CERT_INFO] = "tpm_cert_info",
	[BR_ERR_ANDROID_KEY_DESCRIPTION] = "android_key_description",
	[BR_ERR_APPLE_NONCE] = "apple_nonce",
	[BR_ERR_SAFETYNET_RESPONSE] = "safetynet_response",
	[BR_ERR_SAFETYNET_NONCE] = "safetynet_nonce",
	[BR_ERR_SAFETYNET_CTS_PROFILE] = "safetynet_cts_profile",
	[BR_ERR_SAFETYNET_HOSTNAME] = "safetynet_hostname",
	[BR_ERR_SAFETYNET_TIMESTAMP] = "safetynet_timestamp",
	[BR_ERR_CREDENTIAL_NOT_ALLOWED] = "credential_not_allowed",
	[BR_ERR_USER_HANDLE] = "user_handle",
	[BR_ERR_SIGNATURE] = "signature",
	[BR_ERR_SIGN_COUNT] = "sign_count",
};

const char *
br_strerr(br_err e)
{
	if ((unsigned)e >= BR_ERR__COUNT || names[e] == NULL)
		return "unknown";
	return names[e];
}
