/*
 * br_register_verify, the whole registration ceremony, with the
 * attestationObject (and optionally the clientDataJSON) fuzzed.
 *
 * Input, first byte sel; sel & 0x7f picks a recorded registration case
 * (fixtures.c) that supplies the policy, challenge, rawId, trust anchors and
 * `now`:
 *   sel & 0x80 == 0:  [sel][attestationObject...]
 *                     the case's own clientDataJSON is used (fixed);
 *   sel & 0x80 != 0:  [sel][u16 len][clientDataJSON][attestationObject...]
 *                     the clientDataJSON is fuzzed too.
 *
 * On failure the result must be empty. On BR_OK: the format is a known one,
 * the credential id is the rawId, the public key is a COSE key found inside
 * the attestationObject with the reported alg, and, for every format other
 * than "none", the attestation is bound to the clientDataJSON: the same
 * ceremony with a semantically identical clientDataJSON (one leading space,
 * so a different hash) must be refused.
 */
#include <stdlib.h>
#include <string.h>

#include "attest.h"
#include "ceremony.h"
#include "cose.h"
#include "fixtures.h"
#include "fuzz_common.h"

static int
result_empty(const br_reg_result *r)
{
	static const br_reg_result zero;

	return memcmp(r, &zero, sizeof(zero)) == 0;
}

static void
check_ok(const br_reg_input *in, const br_reg_result *out)
{
	br_reg_input in2;
	br_reg_result out2;
	br_cose_key key;
	unsigned char *cdj2;
	size_t flen = strnlen(out->fmt, sizeof(out->fmt));

	FZ_CHECK(flen > 0 && flen < sizeof(out->fmt));
	FZ_CHECK(br_attest_lookup(out->fmt, flen) != NULL);
	FZ_CHECK(fz_contains(in->attestation_object.ptr, in->attestation_object.len,
	    (const uint8_t *)out->fmt, flen));
	FZ_CHECK(out->att_type >= BR_ATT_NONE && out->att_type <= BR_ATT_ANONCA);
	FZ_CHECK((strcmp(out->fmt, "none") == 0) == (out->att_type == BR_ATT_NONE));

	/* the id the client reported is the attested one */
	FZ_CHECK(out->credential_id.len == in->raw_id.len && out->credential_id.len > 0 &&
	    memcmp(out->credential_id.ptr, in->raw_id.ptr, in->raw_id.len) == 0);
	FZ_CHECK(fz_contains(in->attestation_object.ptr, in->attestation_object.len,
	    out->credential_id.ptr, out->credential_id.len));
	FZ_CHECK(fz_contains(in->attestation_object.ptr, in->attestation_object.len,
	    out->public_key_cose.ptr, out->public_key_cose.len));
	FZ_CHECK(br_cose_key_parse(out->public_key_cose.ptr, out->public_key_cose.len, &key) == BR_OK);
	FZ_CHECK(key.alg == out->alg);
	br_cose_key_reset(&key);
	if (in->policy->uv == BR_UV_REQUIRED)
		FZ_CHECK(out->uv);
	FZ_CHECK(!out->bs || out->be);

	if (strcmp(out->fmt, "none") == 0)
		return;
	/* the statement must cover clientDataHash: a different clientDataJSON fails */
	FZ_CHECK((cdj2 = malloc(in->client_data_json.len + 1)) != NULL);
	cdj2[0] = ' ';
	memcpy(cdj2 + 1, in->client_data_json.ptr, in->client_data_json.len);
	in2 = *in;
	in2.client_data_json.ptr = cdj2;
	in2.client_data_json.len = in->client_data_json.len + 1;
	FZ_CHECK(br_register_verify(&in2, &out2) != BR_OK);
	FZ_CHECK(result_empty(&out2));
	free(cdj2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fz_ctx *x;
	const uint8_t *p;
	size_t n;
	br_reg_input in;
	br_reg_result out;
	br_span cdj;
	br_err r;

	if (size < 1)
		return 0;
	x = fz_reg_ctx(data[0] & 0x7fu);
	p = data + 1;
	n = size - 1;
	if (data[0] & 0x80u) {
		if (fz_take16(&p, &n, &cdj) < 0)
			return 0;
	} else {
		cdj.ptr = x->client_data_json.ptr;
		cdj.len = x->client_data_json.len;
	}

	memset(&in, 0, sizeof(in));
	in.policy = &x->policy;
	in.challenge.ptr = x->challenge.ptr;
	in.challenge.len = x->challenge.len;
	in.client_data_json = cdj;
	in.attestation_object.ptr = p;
	in.attestation_object.len = n;
	in.raw_id.ptr = x->raw_id.ptr;
	in.raw_id.len = x->raw_id.len;
	in.trust = x->trust;
	in.now = x->c->now;

	r = br_register_verify(&in, &out);
	/* the input cannot make the verifier fail internally or blame the caller */
	FZ_CHECK(r < BR_ERR__COUNT && r != BR_ERR_INTERNAL && r != BR_ERR_INVALID_ARGUMENT);
	if (r == BR_OK)
		check_ok(&in, &out);
	else
		FZ_CHECK(result_empty(&out));
	br_reg_result_reset(&out);
	fz_end_input();
	return 0;
}
