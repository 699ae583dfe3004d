/*
 * br_assert_verify, the authentication ceremony, with authenticatorData and
 * signature fuzzed against a fixed stored credential.
 *
 * Input, first byte sel; sel & 0x7f picks a recorded authentication case
 * (fixtures.c) that supplies the policy, challenge, rawId, userHandle, the
 * stored credential (id, COSE key, sign count) and, unless fuzzed, the
 * clientDataJSON:
 *   sel & 0x80 == 0:  [sel][u16 len][authenticatorData][signature...]
 *   sel & 0x80 != 0:  [sel][u16 len][clientDataJSON][u16 len][authenticatorData][signature...]
 *
 * On BR_OK the authenticatorData must parse, name the RP, carry UP (and UV
 * when required), the result must repeat its counter and flags, no counter
 * regression may have slipped through, and the signature must cover every
 * byte: flipping a bit of the authenticatorData or of the signature fails.
 * A BR_ERR_SIGN_COUNT refusal must turn into BR_OK with counter_regressed
 * under a policy that leaves regressions to the caller.
 */
#include <stdlib.h>
#include <string.h>

#include "authdata.h"
#include "ceremony.h"
#include "crypto.h"
#include "fixtures.h"
#include "fuzz_common.h"

/* Same ceremony with one bit of buf (a copy of span *s) flipped: must fail. */
static void
check_tampered(const br_auth_input *in, br_span *s, size_t at)
{
	br_auth_result res;
	unsigned char *copy;
	br_span saved = *s;

	FZ_CHECK((copy = malloc(saved.len)) != NULL);
	memcpy(copy, saved.ptr, saved.len);
	copy[at] ^= 0x01;
	s->ptr = copy;
	FZ_CHECK(br_assert_verify(in, &res) != BR_OK);
	*s = saved;
	free(copy);
}

static void
check_ok(br_auth_input *in, const br_auth_result *out)
{
	const br_stored_credential *cred = in->credential;
	const unsigned char *ad = in->authenticator_data.ptr;
	unsigned char h[BR_SHA256_LEN];
	br_authdata parsed;
	uint8_t f;

	FZ_CHECK(br_authdata_parse(ad, in->authenticator_data.len, &parsed) == BR_OK);
	FZ_CHECK(in->authenticator_data.len >= 37);
	FZ_CHECK(br_sha256(in->policy->rp_id, strlen(in->policy->rp_id), h) == 0);
	FZ_CHECK(memcmp(h, ad, sizeof(h)) == 0);
	f = ad[32];
	FZ_CHECK(f & BR_AD_UP);
	if (in->policy->uv == BR_UV_REQUIRED)
		FZ_CHECK(f & BR_AD_UV);
	FZ_CHECK(!(f & BR_AD_BS) || (f & BR_AD_BE));
	FZ_CHECK(out->sign_count == fz_be32(ad + 33));
	FZ_CHECK(out->uv == ((f & BR_AD_UV) != 0) && out->be == ((f & BR_AD_BE) != 0) &&
	    out->bs == ((f & BR_AD_BS) != 0));
	/* the policy rejects regressions, so none can be reported on success */
	FZ_CHECK(!out->counter_regressed);
	FZ_CHECK(!((out->sign_count != 0 || cred->sign_count != 0) &&
	    out->sign_count <= cred->sign_count));
	FZ_CHECK(in->signature.len > 0);

	check_tampered(in, &in->authenticator_data, in->authenticator_data.len - 1);
	check_tampered(in, &in->signature, in->signature.len - 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fz_ctx *x;
	const uint8_t *p;
	size_t n;
	br_stored_credential cred;
	br_auth_input in;
	br_auth_result out;
	br_policy lax;
	br_span cdj, ad;
	br_err r;

	if (size < 1)
		return 0;
	x = fz_auth_ctx(data[0] & 0x7fu);
	p = data + 1;
	n = size - 1;
	if (data[0] & 0x80u) {
		if (fz_take16(&p, &n, &cdj) < 0)
			return 0;
	} else {
		cdj.ptr = x->client_data_json.ptr;
		cdj.len = x->client_data_json.len;
	}
	if (fz_take16(&p, &n, &ad) < 0)
		return 0;

	memset(&cred, 0, sizeof(cred));
	cred.id.ptr = x->cred_id.ptr;
	cred.id.len = x->cred_id.len;
	cred.public_key_cose.ptr = x->cred_cose.ptr;
	cred.public_key_cose.len = x->cred_cose.len;
	cred.sign_count = (uint32_t)x->c->cred_sign_count;

	memset(&in, 0, sizeof(in));
	in.policy = &x->policy;
	in.challenge.ptr = x->challenge.ptr;
	in.challenge.len = x->challenge.len;
	in.client_data_json = cdj;
	in.authenticator_data = ad;
	in.signature.ptr = p;
	in.signature.len = n;
	in.user_handle.ptr = x->user_handle.ptr;
	in.user_handle.len = x->user_handle.len;
	in.raw_id.ptr = x->raw_id.ptr;
	in.raw_id.len = x->raw_id.len;
	in.credential = &cred;
	in.allow = &cred.id;
	in.n_allow = 1;

	r = br_assert_verify(&in, &out);
	FZ_CHECK(r < BR_ERR__COUNT && r != BR_ERR_INTERNAL && r != BR_ERR_INVALID_ARGUMENT);
	if (r == BR_OK)
		check_ok(&in, &out);
	if (r == BR_ERR_SIGN_COUNT) {
		FZ_CHECK(out.counter_regressed);
		lax = x->policy;
		lax.reject_sign_count_regression = 0;
		in.policy = &lax;
		FZ_CHECK(br_assert_verify(&in, &out) == BR_OK);
		FZ_CHECK(out.counter_regressed);
	}
	fz_end_input();
	return 0;
}
