#include "result.h"

static const char *const codes[BR_RESULT__COUNT] = {
	[BR_RESULT_OK] = "ok",
	[BR_RESULT_BAD_REQUEST] = "bad_request",
	[BR_RESULT_FORBIDDEN] = "forbidden",
	[BR_RESULT_NOT_ENABLED] = "forbidden",
	[BR_RESULT_EXPIRED] = "expired",
	[BR_RESULT_FAILED] = "failed",
	[BR_RESULT_NOT_OURS] = "failed",
	[BR_RESULT_UNKNOWN_ACCOUNT] = "unknown_account",
	[BR_RESULT_NO_CREDENTIALS] = "no_credentials",
	[BR_RESULT_UNKNOWN_CREDENTIAL] = "unknown_credential",
	[BR_RESULT_ACCOUNT_DISABLED] = "account_disabled",
	[BR_RESULT_RATE_LIMITED] = "rate_limited",
	[BR_RESULT_LAST_PASSKEY] = "last_passkey",
	[BR_RESULT_ALREADY_REGISTERED] = "already_registered",
	[BR_RESULT_HAS_PASSKEYS] = "has_passkeys",
	[BR_RESULT_REAUTHENTICATE] = "reauthenticate",
	[BR_RESULT_BAD_START] = "bad_start",
	[BR_RESULT_LINK_REFUSED] = "link_refused",
	[BR_RESULT_UNAVAILABLE] = "unavailable",
	[BR_RESULT_INTERNAL] = "unavailable",
	[BR_RESULT_AUTHENTICATOR_REFUSED] = "authenticator_refused",
};

const char *
br_result_code(br_result r)
{
	return (unsigned)r < BR_RESULT__COUNT ? codes[r] : "unavailable";
}

br_result
br_result_of_dir(br_dir_rc rc, br_result not_found)
{
	switch (rc) {
	case BR_DIR_OK:
		return BR_RESULT_OK;
	case BR_DIR_NOT_FOUND:
		return not_found;
	case BR_DIR_EXISTS:
		return BR_RESULT_ALREADY_REGISTERED;
	case BR_DIR_INVALID:
		return BR_RESULT_BAD_REQUEST;
	case BR_DIR_ERROR:
		break;
	}
	return BR_RESULT_UNAVAILABLE;
}

br_result
br_result_of_cache(br_cache_rc rc, br_result miss)
{
	switch (rc) {
	case BR_CACHE_OK:
		return BR_RESULT_OK;
	case BR_CACHE_MISS:
	case BR_CACHE_INVALID:
	case BR_CACHE_EXISTS:
		return miss;
	case BR_CACHE_ERROR:
		break;
	}
	return BR_RESULT_UNAVAILABLE;
}
