/*
 * Registration ceremony (WebAuthn section 7.1): one success per algorithm and
 * per attestation format the software authenticator makes, then one case per
 * check, each asserting the exact error code and an empty result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "cbor_read.h"
#include "ceremony.h"
#include "soft_authenticator.h"
#include "x509.h"
#include "unit.h"

static const unsigned char other_aaguid[16] = {
	0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
};

static int
result_empty(const br_reg_result *res)
{
	br_reg_result z;

	memset(&z, 0, sizeof(z));
	return res->credential_id.ptr == NULL && res->public_key_cose.ptr == NULL &&
	    memcmp(res, &z, sizeof(z)) == 0;
}

/* Verify r; on failure the result must hold nothing. */
static br_err
verify(const sa_reg *r)
{
	br_reg_result res;
	br_err e;

	memset(&res, 0xa5, sizeof(res)); /* verify must not trust the caller's struct */
	e = br_register_verify(&r->in, &res);
	if (e != BR_OK)
		CHECK(result_empty(&res));
	br_reg_result_reset(&res);
	CHECK(result_empty(&res));
	return e;
}

/* Build a ceremony from o and return the verdict. */
static br_err
run(const sa_reg_opts *o)
{
	sa_reg r;
	br_err e;

	sa_reg_build(&r, o);
	e = verify(&r);
	sa_reg_free(&r);
	return e;
}

static const char *
fmt_text(sa_fmt f)
{
	switch (f) {
	case SA_FMT_NONE:
		return "none";
	case SA_FMT_PACKED_SELF:
	case SA_FMT_PACKED_X5C:
		return "packed";
	case SA_FMT_FIDO_U2F:
		return "fido-u2f";
	case SA_FMT_APPLE:
		return "apple";
	case SA_FMT_ANDROID_KEY:
		return "android-key";
	}
	return "?";
}

/* A successful registration reports exactly what the authenticator made. */
static void
expect_ok(const sa_reg_opts *o, br_att_type type)
{
	br_reg_result res;
	sa_reg r;
	uint8_t flags = o->flags_set ? o->flags : (BR_AD_UP | BR_AD_UV | BR_AD_AT);
	int alg = o->alg != 0 ? o->alg : BR_COSE_ES256;

	sa_reg_build(&r, o);
	memset(&res, 0xa5, sizeof(res));
	CHECK_ERR(br_register_verify(&r.in, &res), BR_OK);
	CHECK(strcmp(res.fmt, fmt_text(o->fmt)) == 0);
	CHECK_INT(res.att_type, type);
	CHECK(memcmp(res.aaguid, r.aaguid, 16) == 0);
	CHECK(res.credential_id.len == r.cred_id.len &&
	    memcmp(res.credential_id.ptr, r.cred_id.ptr, r.cred_id.len) == 0);
	CHECK(res.public_key_cose.len == r.cose.len &&
	    memcmp(res.public_key_cose.ptr, r.cose.ptr, r.cose.len) == 0);
	CHECK_INT(res.alg, alg);
	CHECK_INT(res.sign_count, o->sign_count);
	CHECK_INT(res.uv, (flags & BR_AD_UV) != 0);
	CHECK_INT(res.be, (flags & BR_AD_BE) != 0);
	CHECK_INT(res.bs, (flags & BR_AD_BS) != 0);
	br_reg_result_reset(&res);
	CHECK(result_empty(&res));
	sa_reg_free(&r);
}

static sa_reg_opts
opts(sa_fmt fmt)
{
	sa_reg_opts o;

	memset(&o, 0, sizeof(o));
	o.fmt = fmt;
	o.sign_count = 7;
	return o;
}

/* ---- successes ---- */

static void
every_alg_packed_self(void)
{
	size_t i;

	for (i = 0; i < sa_n_algs; i++) {
		sa_reg_opts o = opts(SA_FMT_PACKED_SELF);

		o.alg = sa_algs[i];
		expect_ok(&o, BR_ATT_SELF);
	}
}

static void
every_alg_none(void)
{
	size_t i;

	for (i = 0; i < sa_n_algs; i++) {
		sa_reg_opts o = opts(SA_FMT_NONE);

		o.alg = sa_algs[i];
		expect_ok(&o, BR_ATT_NONE);
	}
}

static void
fmt_none(void)
{
	sa_reg_opts o = opts(SA_FMT_NONE);

	o.sign_count = 0;
	expect_ok(&o, BR_ATT_NONE);
}

static void
fmt_packed_x5c_trusted(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_X5C);
	size_t i;

	expect_ok(&o, BR_ATT_BASIC);
	/* the attestation key signs whatever the credential algorithm is */
	for (i = 0; i < sa_n_algs; i++) {
		o.alg = sa_algs[i];
		expect_ok(&o, BR_ATT_BASIC);
	}
}

static void
fmt_packed_x5c_no_anchors(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_X5C);
	br_reg_result res;
	sa_reg r;

	/* no trust anchors: the chain is not judged (metadata decides later) */
	o.untrusted_ca = 1;
	sa_reg_build(&r, &o);
	r.in.trust = NULL;
	CHECK_ERR(br_register_verify(&r.in, &res), BR_OK);
	CHECK_INT(res.att_type, BR_ATT_BASIC);
	br_reg_result_reset(&res);
	sa_reg_free(&r);
}

static void
fmt_packed_x5c_without_aaguid_ext(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_X5C);

	o.no_cert_aaguid = 1;
	expect_ok(&o, BR_ATT_BASIC);
}

static void
fmt_fido_u2f(void)
{
	sa_reg_opts o = opts(SA_FMT_FIDO_U2F);

	o.sign_count = 0;
	expect_ok(&o, BR_ATT_BASIC);
}

static void
fmt_apple(void)
{
	size_t i;

	for (i = 0; i < sa_n_algs; i++) {
		sa_reg_opts o = opts(SA_FMT_APPLE);

		o.alg = sa_algs[i];
		expect_ok(&o, BR_ATT_ANONCA);
	}
}

static void
fmt_android_key(void)
{
	size_t i;

	for (i = 0; i < sa_n_algs; i++) {
		sa_reg_opts o = opts(SA_FMT_ANDROID_KEY);

		o.alg = sa_algs[i];
		expect_ok(&o, BR_ATT_BASIC);
	}
}

static void
android_key_software_enforced(void)
{
	/* purpose and origin only in softwareEnforced: the union counts */
	sa_reg_opts o = opts(SA_FMT_ANDROID_KEY);

	o.android_flags = SA_AK_SOFTWARE_ONLY;
	expect_ok(&o, BR_ATT_BASIC);
}

static void
flags_reported(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);

	o.flags_set = 1;
	o.flags = BR_AD_UP | BR_AD_UV | BR_AD_BE | BR_AD_BS | BR_AD_AT;
	expect_ok(&o, BR_ATT_SELF);
	o.flags = BR_AD_UP | BR_AD_BE | BR_AD_AT;
	expect_ok(&o, BR_ATT_SELF);
	/* uv preferred: a registration without UV passes and says so */
	o.flags = BR_AD_UP | BR_AD_AT;
	expect_ok(&o, BR_ATT_SELF);
	o.sign_count = 0xffffffffu;
	expect_ok(&o, BR_ATT_SELF);
}

static void
extensions_accepted(void)
{
	/* {"credProtect": 2} */
	static const unsigned char ext[] = {
		0xa1, 0x6b, 'c', 'r', 'e', 'd', 'P', 'r', 'o', 't', 'e', 'c', 't', 0x02,
	};
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);

	o.flags_set = 1;
	o.flags = BR_AD_UP | BR_AD_UV | BR_AD_AT | BR_AD_ED;
	o.ext = (br_span){ ext, sizeof(ext) };
	expect_ok(&o, BR_ATT_SELF);
}

static void
cred_id_1023_accepted(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);

	o.cred_id_len = 1023;
	expect_ok(&o, BR_ATT_SELF);
	o.cred_id_len = 1;
	expect_ok(&o, BR_ATT_SELF);
}

static void
cross_origin_allowed_with_top_origin(void)
{
	static const char *const tops[] = { SA_TOP_ORIGIN };
	sa_reg_opts o = opts(SA_FMT_NONE);
	sa_reg r;

	o.client_extra = ",\"crossOrigin\":true,\"topOrigin\":\"" SA_TOP_ORIGIN "\"";
	sa_reg_build(&r, &o);
	r.policy.allow_cross_origin = 1;
	r.policy.top_origins = tops;
	r.policy.n_top_origins = 1;
	CHECK_ERR(verify(&r), BR_OK);
	sa_reg_free(&r);
}

static void
unknown_client_data_members_ignored(void)
{
	sa_reg_opts o = opts(SA_FMT_NONE);

	o.client_extra = ",\"other_keys_can_be_added_here\":\"do not compare clientDataJSON"
	    " against a template\",\"tokenBinding\":{\"status\":\"supported\"}";
	CHECK_ERR(run(&o), BR_OK);
	/* crossOrigin false is the same as absent */
	o.client_extra = ",\"crossOrigin\":false";
	CHECK_ERR(run(&o), BR_OK);
}

/* ---- clientDataJSON ---- */

static void
get_type_at_registration(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);

	o.type = "webauthn.get";
	CHECK_ERR(run(&o), BR_ERR_TYPE);
	o.type = "webauthn.create ";
	CHECK_ERR(run(&o), BR_ERR_TYPE);
	o.type = "";
	CHECK_ERR(run(&o), BR_ERR_TYPE);
}

static void
wrong_origin(void)
{
	static const char *const bad[] = {
		"https://evil.example.edu", "https://login.example.edu/",
		"http://login.example.edu", "https://login.example.edu:8443",
		"https://LOGIN.example.edu", "https://login.example.edu.evil.com", "",
	};
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);
	size_t i;

	for (i = 0; i < UNIT_N(bad); i++) {
		o.origin = bad[i];
		CHECK_ERR(run(&o), BR_ERR_ORIGIN);
	}
}

static void
wrong_challenge(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);

	o.wrong_challenge = 1;
	CHECK_ERR(run(&o), BR_ERR_CHALLENGE);
}

/* A caller that lost its challenge must not match a response that sends "" */
static void
empty_issued_challenge(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);
	sa_reg r;

	sa_reg_build(&r, &o);
	r.in.challenge.ptr = NULL;
	r.in.challenge.len = 0;
	CHECK_ERR(verify(&r), BR_ERR_INVALID_ARGUMENT);
	sa_reg_free(&r);
}

static void
replayed_registration(void)
{
	/* a complete, valid response to an earlier ceremony, sent again */
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);
	sa_reg r1, r2;

	sa_reg_build(&r1, &o);
	CHECK_ERR(verify(&r1), BR_OK);
	sa_reg_build(&r2, &o);
	r2.in.client_data_json = r1.in.client_data_json;
	r2.in.attestation_object = r1.in.attestation_object;
	r2.in.raw_id = r1.in.raw_id;
	CHECK_ERR(verify(&r2), BR_ERR_CHALLENGE);
	sa_reg_free(&r1);
	sa_reg_free(&r2);
}

static void
challenge_padded(void)
{
	/* the challenge must be the exact unpadded base64url text */
	sa_reg_opts o = opts(SA_FMT_NONE);
	sa_reg r;
	char *json;
	size_t n;

	sa_reg_build(&r, &o);
	n = r.client_data.len;
	json = malloc(n + 2);
	SA_REQUIRE(json != NULL);
	/* ... "challenge":"<43 chars>" ...: insert '=' after the 43 chars */
	{
		const char *c = strstr((const char *)r.client_data.ptr, "\"challenge\":\"");
		size_t off;

		SA_REQUIRE(c != NULL);
		off = (size_t)(c - (const char *)r.client_data.ptr) + 13 + 43;
		memcpy(json, r.client_data.ptr, off);
		json[off] = '=';
		memcpy(json + off + 1, r.client_data.ptr + off, n - off);
		json[n + 1] = '\0';
	}
	r.in.client_data_json = (br_span){ (const unsigned char *)json, n + 1 };
	CHECK_ERR(verify(&r), BR_ERR_CHALLENGE);
	free(json);
	sa_reg_free(&r);
}

static void
challenge_missing_or_not_string(void)
{
	sa_reg_opts o = opts(SA_FMT_NONE);

	o.client_json = "{\"type\":\"webauthn.create\",\"origin\":\"" SA_ORIGIN "\"}";
	CHECK_ERR(run(&o), BR_ERR_CLIENT_DATA);
	o.client_json = "{\"type\":\"webauthn.create\",\"challenge\":1,\"origin\":\"" SA_ORIGIN "\"}";
	CHECK_ERR(run(&o), BR_ERR_CLIENT_DATA);
}

static void
cross_origin_not_allowed(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);

	o.client_extra = ",\"crossOrigin\":true";
	CHECK_ERR(run(&o), BR_ERR_CROSS_ORIGIN);
	/* a non-boolean crossOrigin is malformed */
	o.client_extra = ",\"crossOrigin\":\"true\"";
	CHECK_ERR(run(&o), BR_ERR_CLIENT_DATA);
}

static void
top_origin_not_allowed(void)
{
	static const char *const tops[] = { SA_TOP_ORIGIN };
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);
	sa_reg r;

	o.client_extra = ",\"topOrigin\":\"" SA_TOP_ORIGIN "\"";
	CHECK_ERR(run(&o), BR_ERR_TOP_ORIGIN);

	/* cross-origin allowed, but this top origin is not listed */
	o.client_extra = ",\"crossOrigin\":true,\"topOrigin\":\"https://evil.example\"";
	sa_reg_build(&r, &o);
	r.policy.allow_cross_origin = 1;
	r.policy.top_origins = tops;
	r.policy.n_top_origins = 1;
	CHECK_ERR(verify(&r), BR_ERR_TOP_ORIGIN);
	sa_reg_free(&r);

	/* topOrigin without crossOrigin true is contradictory */
	o.client_extra = ",\"topOrigin\":\"" SA_TOP_ORIGIN "\"";
	sa_reg_build(&r, &o);
	r.policy.allow_cross_origin = 1;
	r.policy.top_origins = tops;
	r.policy.n_top_origins = 1;
	CHECK_ERR(verify(&r), BR_ERR_TOP_ORIGIN);
	sa_reg_free(&r);
}

static void
duplicate_json_member(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);

	o.client_extra = ",\"origin\":\"" SA_ORIGIN "\"";
	CHECK_ERR(run(&o), BR_ERR_CLIENT_DATA);
	o.client_extra = ",\"type\":\"webauthn.create\"";
	CHECK_ERR(run(&o), BR_ERR_CLIENT_DATA);
	o.client_extra = ",\"crossOrigin\":false,\"crossOrigin\":false";
	CHECK_ERR(run(&o), BR_ERR_CLIENT_DATA);
}

static void
client_data_not_an_object(void)
{
	sa_reg_opts o = opts(SA_FMT_NONE);

	o.client_json = "[\"webauthn.create\"]";
	CHECK_ERR(run(&o), BR_ERR_CLIENT_DATA);
	o.client_json = "{\"type\":\"webauthn.create\"";
	CHECK_ERR(run(&o), BR_ERR_CLIENT_DATA);
	o.client_json = "\"webauthn.create\"";
	CHECK_ERR(run(&o), BR_ERR_CLIENT_DATA);
	o.client_json = "{\"type\":1}";
	CHECK_ERR(run(&o), BR_ERR_CLIENT_DATA);
}

/* ---- authenticatorData ---- */

static void
wrong_rp_id(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);

	o.rp_id = "example.edu";
	CHECK_ERR(run(&o), BR_ERR_RP_ID);
	o.rp_id = "evil.example";
	CHECK_ERR(run(&o), BR_ERR_RP_ID);
}

static void
up_missing(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);

	o.flags_set = 1;
	o.flags = BR_AD_UV | BR_AD_AT;
	CHECK_ERR(run(&o), BR_ERR_USER_PRESENCE);
}

static void
uv_missing_policy_required(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);
	sa_reg r;

	o.flags_set = 1;
	o.flags = BR_AD_UP | BR_AD_AT;
	sa_reg_build(&r, &o);
	r.policy.uv = BR_UV_REQUIRED;
	CHECK_ERR(verify(&r), BR_ERR_USER_VERIFICATION);
	r.policy.uv = BR_UV_DISCOURAGED;
	CHECK_ERR(verify(&r), BR_OK);
	sa_reg_free(&r);
}

static void
bs_without_be(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);

	o.flags_set = 1;
	o.flags = BR_AD_UP | BR_AD_UV | BR_AD_BS | BR_AD_AT;
	CHECK_ERR(run(&o), BR_ERR_BACKUP_STATE);
}

static void
at_flag_missing(void)
{
	/* a registration without attested credential data */
	sa_reg_opts o = opts(SA_FMT_NONE);

	o.flags_set = 1;
	o.flags = BR_AD_UP | BR_AD_UV;
	o.no_attested = 1;
	CHECK_ERR(run(&o), BR_ERR_ATTESTED_DATA);
}

static void
at_flag_cleared_data_kept(void)
{
	/* AT clear but the credential data present: it can only be read as trailing bytes */
	sa_reg_opts o = opts(SA_FMT_NONE);

	o.flags_set = 1;
	o.flags = BR_AD_UP | BR_AD_UV;
	CHECK_ERR(run(&o), BR_ERR_TRAILING_DATA);
}

static void
at_flag_set_without_data(void)
{
	sa_reg_opts o = opts(SA_FMT_NONE);

	o.no_attested = 1;
	CHECK_ERR(run(&o), BR_ERR_AUTH_DATA);
}

static void
cred_id_1024(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);

	o.cred_id_len = 1024;
	CHECK_ERR(run(&o), BR_ERR_CREDENTIAL_ID_LENGTH);
	o.cred_id_len = 65535;
	CHECK_ERR(run(&o), BR_ERR_CREDENTIAL_ID_LENGTH);
}

static void
cred_id_empty(void)
{
	/* AT set, credentialIdLength 0, then the key */
	sa_reg_opts o = opts(SA_FMT_NONE);
	sa_reg r;
	br_span none = { NULL, 0 };

	sa_reg_build(&r, &o);
	sa_authdata(SA_RP_ID, BR_AD_UP | BR_AD_UV | BR_AD_AT, 0, r.aaguid, none,
	    sa_span(&r.cose), none, &r.auth_data);
	sa_att_obj("none", cbor_new_definite_map(0), sa_span(&r.auth_data), &r.att_obj);
	r.in.attestation_object = sa_span(&r.att_obj);
	r.in.raw_id = none;
	CHECK_ERR(verify(&r), BR_ERR_ATTESTED_DATA);
	sa_reg_free(&r);
}

static void
ed_flag_without_extensions(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);

	o.flags_set = 1;
	o.flags = BR_AD_UP | BR_AD_UV | BR_AD_AT | BR_AD_ED;
	CHECK_ERR(run(&o), BR_ERR_EXTENSIONS);
}

static void
extensions_not_a_map(void)
{
	static const unsigned char arr[] = { 0x81, 0x01 };
	static const unsigned char trunc[] = { 0xa1, 0x61, 'x' };
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);

	o.flags_set = 1;
	o.flags = BR_AD_UP | BR_AD_UV | BR_AD_AT | BR_AD_ED;
	o.ext = (br_span){ arr, sizeof(arr) };
	CHECK_ERR(run(&o), BR_ERR_EXTENSIONS);
	o.ext = (br_span){ trunc, sizeof(trunc) };
	CHECK_ERR(run(&o), BR_ERR_EXTENSIONS);
}

static void
extensions_without_ed_flag(void)
{
	static const unsigned char ext[] = { 0xa1, 0x61, 'x', 0xf5 };
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);

	o.ext = (br_span){ ext, sizeof(ext) };
	CHECK_ERR(run(&o), BR_ERR_TRAILING_DATA);
}

static void
trailing_authdata(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);

	o.trailing = 1;
	CHECK_ERR(run(&o), BR_ERR_TRAILING_DATA);
	o.trailing = 100;
	CHECK_ERR(run(&o), BR_ERR_TRAILING_DATA);
}

static void
truncated_authdata(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);
	sa_reg r;
	size_t full, keep[] = { 0, 1, 32, 36, 37 + 8, 37 + 16, 37 + 17, 37 + 18 + 10 };
	size_t i;

	sa_reg_build(&r, &o);
	full = r.auth_data.len;
	CHECK_INT(full, 37 + 16 + 2 + 32 + r.cose.len);
	sa_reg_free(&r);
	for (i = 0; i < UNIT_N(keep); i++) {
		o.truncate = full - keep[i];
		CHECK_ERR(run(&o), BR_ERR_AUTH_DATA);
	}
}

static void
truncated_in_cose_key(void)
{
	/* cut inside the credential public key: the key does not parse */
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);

	o.truncate = 1;
	CHECK_ERR(run(&o), BR_ERR_COSE_KEY);
	o.truncate = 20;
	CHECK_ERR(run(&o), BR_ERR_COSE_KEY);
}

/* ---- credential public key ---- */

static void cose_flip_y(sa_cose *c) { c->y.ptr[c->y.len - 1] ^= 0x01; }
static void cose_add_d(sa_cose *c) { sa_buf_set(&c->d, "0123456789abcdef0123456789abcdef", 32); }
static void cose_crv_p384(sa_cose *c) { c->crv = 2; }
static void cose_alg_unknown(sa_cose *c) { c->alg = -999; }
static void cose_no_kty_alg(sa_cose *c) { c->has_alg = 0; }

static void
bad_cose_point(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);

	o.mutate_cose = cose_flip_y;
	CHECK_ERR(run(&o), BR_ERR_COSE_KEY);
	o.fmt = SA_FMT_NONE;
	CHECK_ERR(run(&o), BR_ERR_COSE_KEY);
}

static void
cose_key_inconsistent(void)
{
	sa_reg_opts o = opts(SA_FMT_NONE);

	o.mutate_cose = cose_add_d;
	CHECK_ERR(run(&o), BR_ERR_COSE_KEY);
	o.mutate_cose = cose_crv_p384;
	CHECK_ERR(run(&o), BR_ERR_COSE_KEY);
	/* without alg the authData parser cannot even delimit the key */
	o.mutate_cose = cose_no_kty_alg;
	CHECK_ERR(run(&o), BR_ERR_COSE_KEY);
}

static void
cose_alg_unknown_rejected(void)
{
	sa_reg_opts o = opts(SA_FMT_NONE);

	o.mutate_cose = cose_alg_unknown;
	CHECK_ERR(run(&o), BR_ERR_ALGORITHM);
}

static void
alg_not_offered(void)
{
	static const int only_rs256[] = { BR_COSE_RS256 };
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);
	sa_reg r;

	sa_reg_build(&r, &o);
	r.policy.algs = only_rs256;
	r.policy.n_algs = 1;
	CHECK_ERR(verify(&r), BR_ERR_ALGORITHM);
	r.policy.n_algs = 0;
	CHECK_ERR(verify(&r), BR_ERR_ALGORITHM);
	sa_reg_free(&r);
}

/* ---- attestation object and statement ---- */

static void
unknown_fmt(void)
{
	sa_reg_opts o = opts(SA_FMT_NONE);

	o.fmt_name = "foo";
	CHECK_ERR(run(&o), BR_ERR_UNSUPPORTED_FMT);
	o.fmt_name = "Packed";
	CHECK_ERR(run(&o), BR_ERR_UNSUPPORTED_FMT);
	o.fmt_name = "";
	CHECK_ERR(run(&o), BR_ERR_UNSUPPORTED_FMT);
	o.fmt_name = "none ";
	CHECK_ERR(run(&o), BR_ERR_UNSUPPORTED_FMT);
}

static void
none_with_att_stmt(void)
{
	sa_reg_opts o = opts(SA_FMT_NONE);

	o.stmt_extra = 1;
	CHECK_ERR(run(&o), BR_ERR_ATT_STMT);
	/* a packed statement labelled none */
	o = opts(SA_FMT_PACKED_SELF);
	o.fmt_name = "none";
	CHECK_ERR(run(&o), BR_ERR_ATT_STMT);
}

static void
packed_sig_flipped(void)
{
	size_t i;

	for (i = 0; i < sa_n_algs; i++) {
		sa_reg_opts o = opts(SA_FMT_PACKED_SELF);

		o.alg = sa_algs[i];
		o.flip_sig = 1;
		CHECK_ERR(run(&o), BR_ERR_ATTESTATION_SIGNATURE);
	}
}

static void
packed_x5c_sig_flipped(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_X5C);

	o.flip_sig = 1;
	CHECK_ERR(run(&o), BR_ERR_ATTESTATION_SIGNATURE);
}

static void
packed_sig_over_other_client_data(void)
{
	/*
	 * The statement signs one clientDataJSON; the response carries another
	 * that passes every clientDataJSON check (an unknown member renamed).
	 */
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);
	sa_reg r;
	char *json, *m;

	o.client_extra = ",\"note\":\"a\"";
	sa_reg_build(&r, &o);
	CHECK_ERR(verify(&r), BR_OK);
	SA_REQUIRE((json = malloc(r.client_data.len + 1)) != NULL);
	memcpy(json, r.client_data.ptr, r.client_data.len);
	json[r.client_data.len] = '\0';
	SA_REQUIRE((m = strstr(json, "\"note\"")) != NULL);
	m[1] = 'N';
	r.in.client_data_json = (br_span){ (const unsigned char *)json, r.client_data.len };
	CHECK_ERR(verify(&r), BR_ERR_ATTESTATION_SIGNATURE);
	free(json);
	sa_reg_free(&r);
}

static void
packed_self_alg_mismatch(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);

	o.stmt_alg = BR_COSE_ES384;
	CHECK_ERR(run(&o), BR_ERR_ALGORITHM);
	o.stmt_alg = BR_COSE_RS256;
	CHECK_ERR(run(&o), BR_ERR_ALGORITHM);
	o.alg = BR_COSE_RS256;
	o.stmt_alg = BR_COSE_PS256;
	CHECK_ERR(run(&o), BR_ERR_ALGORITHM);
}

static void
packed_unknown_stmt_alg(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);

	o.stmt_alg = -999;
	CHECK_ERR(run(&o), BR_ERR_ALGORITHM);
	o = opts(SA_FMT_PACKED_X5C);
	o.stmt_alg = -999;
	CHECK_ERR(run(&o), BR_ERR_ALGORITHM);
}

static void
packed_x5c_alg_does_not_fit_cert(void)
{
	/* the attestation certificate holds a P-256 key; the statement says RS256 */
	sa_reg_opts o = opts(SA_FMT_PACKED_X5C);

	o.stmt_alg = BR_COSE_RS256;
	CHECK_ERR(run(&o), BR_ERR_ALGORITHM);
}

static void
packed_stmt_members_missing(void)
{
	sa_reg_opts o = opts(SA_FMT_NONE);

	/* an empty statement labelled with each format that needs members */
	o.fmt_name = "packed";
	CHECK_ERR(run(&o), BR_ERR_ATT_STMT);
	o.fmt_name = "fido-u2f";
	CHECK_ERR(run(&o), BR_ERR_ATT_STMT);
	o.fmt_name = "android-key";
	CHECK_ERR(run(&o), BR_ERR_ATT_STMT);
	o.fmt_name = "apple";
	CHECK_ERR(run(&o), BR_ERR_ATT_STMT);
}

static void
attcert_ca_true(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_X5C);

	o.cert.ca = 1;
	CHECK_ERR(run(&o), BR_ERR_CERT_REQUIREMENTS);
}

static void
attcert_wrong_ou(void)
{
	static const char *const bad[] = {
		"Authenticator attestation", "Authenticator Attestation ",
		"Authenticator Attestations", "Authenticator", "",
	};
	sa_reg_opts o = opts(SA_FMT_PACKED_X5C);
	size_t i;

	for (i = 0; i < UNIT_N(bad); i++) {
		o.cert.ou = bad[i];
		CHECK_ERR(run(&o), BR_ERR_CERT_REQUIREMENTS);
	}
}

static void
attcert_subject_incomplete(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_X5C);

	o.cert.country = "";
	CHECK_ERR(run(&o), BR_ERR_CERT_REQUIREMENTS);
	o = opts(SA_FMT_PACKED_X5C);
	o.cert.org = "";
	CHECK_ERR(run(&o), BR_ERR_CERT_REQUIREMENTS);
	o = opts(SA_FMT_PACKED_X5C);
	o.cert.cn = "";
	CHECK_ERR(run(&o), BR_ERR_CERT_REQUIREMENTS);
}

static void
attcert_version1(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_X5C);

	o.cert.version1 = 1;
	CHECK_ERR(run(&o), BR_ERR_CERT_REQUIREMENTS);
}

static void
aaguid_ext_mismatch(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_X5C);

	o.cert.aaguid = other_aaguid;
	CHECK_ERR(run(&o), BR_ERR_AAGUID_MISMATCH);
}

static void
aaguid_ext_critical(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_X5C);

	o.cert.aaguid = sa_aaguid;
	o.cert.aaguid_critical = 1;
	CHECK_ERR(run(&o), BR_ERR_AAGUID_MISMATCH);
}

static void
chain_to_untrusted_root(void)
{
	static const sa_fmt fmts[] = {
		SA_FMT_PACKED_X5C, SA_FMT_FIDO_U2F, SA_FMT_APPLE, SA_FMT_ANDROID_KEY,
	};
	size_t i;

	for (i = 0; i < UNIT_N(fmts); i++) {
		sa_reg_opts o = opts(fmts[i]);

		o.untrusted_ca = 1;
		CHECK_ERR(run(&o), BR_ERR_CERTIFICATE_CHAIN);
	}
}

static void
self_signed_leaf_untrusted(void)
{
	/* the attestation certificate signs itself; it is not an anchor */
	sa_reg_opts o = opts(SA_FMT_PACKED_X5C);
	sa_reg r;
	sa_ca self;
	X509 *x;
	sa_buf der = { NULL, 0 };
	cbor_item_t *stmt, *x5c;
	unsigned char cdh[32];
	sa_buf sig = { NULL, 0 };
	sa_cert_opts co;

	sa_reg_build(&r, &o);
	memset(&co, 0, sizeof(co));
	co.aaguid = r.aaguid;
	self.key = sa_attestation_key();
	self.cert = NULL;
	x = sa_cert_issue(&self, sa_attestation_key(), &co);
	sa_cert_der(x, &der);
	sa_sha256(r.client_data.ptr, r.client_data.len, cdh);
	sa_sign2(sa_attestation_key(), BR_COSE_ES256, sa_span(&r.auth_data),
	    (br_span){ cdh, 32 }, &sig);
	SA_REQUIRE((stmt = cbor_new_definite_map(3)) != NULL);
	SA_REQUIRE((x5c = cbor_new_definite_array(1)) != NULL);
	SA_REQUIRE(cbor_array_push(x5c, cbor_move(cbor_build_bytestring(der.ptr, der.len))));
	sa_map_put(stmt, "alg", sa_cbor_int(BR_COSE_ES256));
	sa_map_put(stmt, "sig", cbor_build_bytestring(sig.ptr, sig.len));
	sa_map_put(stmt, "x5c", x5c);
	sa_att_obj("packed", stmt, sa_span(&r.auth_data), &r.att_obj);
	r.in.attestation_object = sa_span(&r.att_obj);
	CHECK_ERR(verify(&r), BR_ERR_CERTIFICATE_CHAIN);
	r.in.trust = NULL;
	CHECK_ERR(verify(&r), BR_OK);
	X509_free(x);
	sa_buf_free(&der);
	sa_buf_free(&sig);
	sa_reg_free(&r);
}

static void
expired_chain(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_X5C);
	sa_reg r;

	o.cert.not_before = SA_NOW - 400 * SA_DAY;
	o.cert.not_after = SA_NOW - SA_DAY;
	sa_reg_build(&r, &o);
	CHECK_ERR(verify(&r), BR_ERR_CERTIFICATE_CHAIN);
	/* the same chain judged at an instant inside its validity */
	r.in.now = SA_NOW - 30 * SA_DAY;
	CHECK_ERR(verify(&r), BR_OK);
	/* and before it */
	r.in.now = SA_NOW - 401 * SA_DAY;
	CHECK_ERR(verify(&r), BR_ERR_CERTIFICATE_CHAIN);
	sa_reg_free(&r);
}

static void
not_yet_valid_chain(void)
{
	sa_reg_opts o = opts(SA_FMT_ANDROID_KEY);
	sa_reg r;

	o.cert.not_before = SA_NOW + SA_DAY;
	o.cert.not_after = SA_NOW + 400 * SA_DAY;
	sa_reg_build(&r, &o);
	CHECK_ERR(verify(&r), BR_ERR_CERTIFICATE_CHAIN);
	r.in.now = SA_NOW + 2 * SA_DAY;
	CHECK_ERR(verify(&r), BR_OK);
	sa_reg_free(&r);
}

static void
raw_id_mismatch(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_SELF);
	sa_reg r;

	o.raw_id_mismatch = 1;
	CHECK_ERR(run(&o), BR_ERR_CREDENTIAL_ID_MISMATCH);
	o.raw_id_mismatch = 0;
	sa_reg_build(&r, &o);
	r.in.raw_id.len--;
	CHECK_ERR(verify(&r), BR_ERR_CREDENTIAL_ID_MISMATCH);
	r.in.raw_id.len = 0;
	CHECK_ERR(verify(&r), BR_ERR_CREDENTIAL_ID_MISMATCH);
	sa_reg_free(&r);
}

static void
apple_nonce_wrong(void)
{
	sa_reg_opts o = opts(SA_FMT_APPLE);

	o.apple_wrong_nonce = 1;
	CHECK_ERR(run(&o), BR_ERR_APPLE_NONCE);
}

static void
apple_nonce_missing(void)
{
	/* a packed attestation certificate presented as apple: no nonce extension */
	sa_reg_opts o = opts(SA_FMT_PACKED_X5C);

	o.fmt_name = "apple";
	CHECK_ERR(run(&o), BR_ERR_APPLE_NONCE);
}

static void
apple_nonce_of_other_ceremony(void)
{
	/* the credential certificate of one ceremony with the authData of another */
	sa_reg_opts o = opts(SA_FMT_APPLE);
	sa_reg r;

	o.sign_count = 1;
	sa_reg_build(&r, &o);
	CHECK_ERR(verify(&r), BR_OK);
	sa_reg_free(&r);
	o.wrong_challenge = 0;
	o.client_extra = ",\"x\":1";
	sa_reg_build(&r, &o);
	/* other clientDataJSON, same challenge: the nonce no longer matches */
	{
		static char json[512];
		int n = snprintf(json, sizeof(json), "%.*s", (int)r.client_data.len,
		    (const char *)r.client_data.ptr);

		SA_REQUIRE(n > 4 && (size_t)n < sizeof(json));
		json[n - 2] = '2'; /* ,"x":1} -> ,"x":2} */
		r.in.client_data_json = (br_span){ (const unsigned char *)json, (size_t)n };
		CHECK_ERR(verify(&r), BR_ERR_APPLE_NONCE);
	}
	sa_reg_free(&r);
}

static void
apple_leaf_key_mismatch(void)
{
	sa_reg_opts o = opts(SA_FMT_APPLE);

	o.leaf_other_key = 1;
	CHECK_ERR(run(&o), BR_ERR_PUBLIC_KEY_MISMATCH);
}

static void
android_key_challenge_wrong(void)
{
	sa_reg_opts o = opts(SA_FMT_ANDROID_KEY);

	o.android_wrong_challenge = 1;
	CHECK_ERR(run(&o), BR_ERR_ANDROID_KEY_DESCRIPTION);
}

static void
android_key_leaf_key_mismatch(void)
{
	sa_reg_opts o = opts(SA_FMT_ANDROID_KEY);

	o.leaf_other_key = 1;
	CHECK_ERR(run(&o), BR_ERR_PUBLIC_KEY_MISMATCH);
}

static void
android_key_all_applications(void)
{
	sa_reg_opts o = opts(SA_FMT_ANDROID_KEY);

	o.android_flags = SA_AK_ALL_APPLICATIONS;
	CHECK_ERR(run(&o), BR_ERR_ANDROID_KEY_DESCRIPTION);
}

static void
android_key_not_for_signing(void)
{
	sa_reg_opts o = opts(SA_FMT_ANDROID_KEY);

	o.android_flags = SA_AK_NO_SIGN_PURPOSE;
	CHECK_ERR(run(&o), BR_ERR_ANDROID_KEY_DESCRIPTION);
}

static void
android_key_imported(void)
{
	sa_reg_opts o = opts(SA_FMT_ANDROID_KEY);

	o.android_flags = SA_AK_IMPORTED;
	CHECK_ERR(run(&o), BR_ERR_ANDROID_KEY_DESCRIPTION);
}

static void
android_key_description_missing(void)
{
	/* the credential's own certificate without the key description extension */
	sa_reg_opts o = opts(SA_FMT_ANDROID_KEY);

	o.android_flags = SA_AK_NO_EXTENSION;
	CHECK_ERR(run(&o), BR_ERR_ANDROID_KEY_DESCRIPTION);
}

static void
packed_cert_labelled_android_key(void)
{
	/* a packed x5c statement labelled android-key: the leaf is not the credential key */
	sa_reg_opts o = opts(SA_FMT_PACKED_X5C);

	o.fmt_name = "android-key";
	CHECK_ERR(run(&o), BR_ERR_PUBLIC_KEY_MISMATCH);
}

static void
android_key_sig_flipped(void)
{
	sa_reg_opts o = opts(SA_FMT_ANDROID_KEY);

	o.flip_sig = 1;
	CHECK_ERR(run(&o), BR_ERR_ATTESTATION_SIGNATURE);
}

static void
fido_u2f_non_p256_credential(void)
{
	sa_reg_opts o = opts(SA_FMT_FIDO_U2F);

	o.alg = BR_COSE_ES384;
	CHECK_ERR(run(&o), BR_ERR_COSE_KEY);
}

static void
fido_u2f_cert_not_p256(void)
{
	sa_reg_opts o = opts(SA_FMT_FIDO_U2F);

	o.att_curve = "P-384";
	CHECK_ERR(run(&o), BR_ERR_CERT_REQUIREMENTS);
}

static void
fido_u2f_cert_secp256k1(void)
{
	/* a 256-bit curve that is not P-256 */
	sa_reg_opts o = opts(SA_FMT_FIDO_U2F);

	o.att_curve = "secp256k1";
	CHECK_ERR(run(&o), BR_ERR_CERT_REQUIREMENTS);
}

static void
fido_u2f_sig_flipped(void)
{
	sa_reg_opts o = opts(SA_FMT_FIDO_U2F);

	o.flip_sig = 1;
	CHECK_ERR(run(&o), BR_ERR_ATTESTATION_SIGNATURE);
}

static void
safetynet_refused(void)
{
	sa_reg_opts o = opts(SA_FMT_NONE);
	sa_reg r;

	o.fmt_name = "android-safetynet";
	sa_reg_build(&r, &o);
	r.policy.refuse_safetynet = 1;
	CHECK_ERR(verify(&r), BR_ERR_FMT_REFUSED);
	/* accepted formats are still judged: an empty statement is malformed */
	r.policy.refuse_safetynet = 0;
	CHECK_ERR(verify(&r), BR_ERR_ATT_STMT);
	sa_reg_free(&r);
}

static br_err
verify_att_obj(sa_reg *r, cbor_item_t *obj)
{
	sa_buf b = { NULL, 0 };
	br_err e;

	sa_cbor_serialize(obj, &b);
	cbor_decref(&obj);
	r->in.attestation_object = sa_span(&b);
	e = verify(r);
	sa_buf_free(&b);
	return e;
}

static void
attestation_object_malformed(void)
{
	sa_reg_opts o = opts(SA_FMT_NONE);
	cbor_item_t *m;
	sa_reg r;

	sa_reg_build(&r, &o);
	CHECK_ERR(verify(&r), BR_OK);

	/* an extra key */
	SA_REQUIRE((m = cbor_new_definite_map(4)) != NULL);
	sa_map_put(m, "fmt", cbor_build_string("none"));
	sa_map_put(m, "attStmt", cbor_new_definite_map(0));
	sa_map_put(m, "authData", cbor_build_bytestring(r.auth_data.ptr, r.auth_data.len));
	sa_map_put(m, "extra", sa_cbor_int(1));
	CHECK_ERR(verify_att_obj(&r, m), BR_ERR_ATTESTATION_OBJECT);

	/* a member missing */
	SA_REQUIRE((m = cbor_new_definite_map(2)) != NULL);
	sa_map_put(m, "fmt", cbor_build_string("none"));
	sa_map_put(m, "authData", cbor_build_bytestring(r.auth_data.ptr, r.auth_data.len));
	CHECK_ERR(verify_att_obj(&r, m), BR_ERR_ATTESTATION_OBJECT);

	/* a misspelt member */
	SA_REQUIRE((m = cbor_new_definite_map(3)) != NULL);
	sa_map_put(m, "fmt", cbor_build_string("none"));
	sa_map_put(m, "attStmt", cbor_new_definite_map(0));
	sa_map_put(m, "authdata", cbor_build_bytestring(r.auth_data.ptr, r.auth_data.len));
	CHECK_ERR(verify_att_obj(&r, m), BR_ERR_ATTESTATION_OBJECT);

	/* members of the wrong type */
	SA_REQUIRE((m = cbor_new_definite_map(3)) != NULL);
	sa_map_put(m, "fmt", cbor_build_bytestring((const unsigned char *)"none", 4));
	sa_map_put(m, "attStmt", cbor_new_definite_map(0));
	sa_map_put(m, "authData", cbor_build_bytestring(r.auth_data.ptr, r.auth_data.len));
	CHECK_ERR(verify_att_obj(&r, m), BR_ERR_ATTESTATION_OBJECT);
	SA_REQUIRE((m = cbor_new_definite_map(3)) != NULL);
	sa_map_put(m, "fmt", cbor_build_string("none"));
	sa_map_put(m, "attStmt", cbor_new_definite_array(0));
	sa_map_put(m, "authData", cbor_build_bytestring(r.auth_data.ptr, r.auth_data.len));
	CHECK_ERR(verify_att_obj(&r, m), BR_ERR_ATTESTATION_OBJECT);
	SA_REQUIRE((m = cbor_new_definite_map(3)) != NULL);
	sa_map_put(m, "fmt", cbor_build_string("none"));
	sa_map_put(m, "attStmt", cbor_new_definite_map(0));
	sa_map_put(m, "authData", sa_cbor_int(0));
	CHECK_ERR(verify_att_obj(&r, m), BR_ERR_ATTESTATION_OBJECT);

	/* not a map */
	SA_REQUIRE((m = cbor_new_definite_array(3)) != NULL);
	SA_REQUIRE(cbor_array_push(m, cbor_move(cbor_build_string("none"))));
	SA_REQUIRE(cbor_array_push(m, cbor_move(cbor_new_definite_map(0))));
	SA_REQUIRE(cbor_array_push(m, cbor_move(cbor_build_bytestring(r.auth_data.ptr,
	    r.auth_data.len))));
	CHECK_ERR(verify_att_obj(&r, m), BR_ERR_ATTESTATION_OBJECT);
	CHECK_ERR(verify_att_obj(&r, cbor_build_bytestring(r.auth_data.ptr, r.auth_data.len)),
	    BR_ERR_ATTESTATION_OBJECT);
	sa_reg_free(&r);
}

static void
attestation_object_bytes(void)
{
	sa_reg_opts o = opts(SA_FMT_NONE);
	sa_buf b = { NULL, 0 };
	sa_reg r;

	sa_reg_build(&r, &o);
	/* trailing byte */
	sa_buf_set(&b, r.att_obj.ptr, r.att_obj.len);
	sa_buf_add_u8(&b, 0x00);
	r.in.attestation_object = sa_span(&b);
	CHECK_ERR(verify(&r), BR_ERR_ATTESTATION_OBJECT);
	/* truncated */
	r.in.attestation_object.len = r.att_obj.len - 1;
	CHECK_ERR(verify(&r), BR_ERR_ATTESTATION_OBJECT);
	/* empty */
	r.in.attestation_object.len = 0;
	CHECK_ERR(verify(&r), BR_ERR_ATTESTATION_OBJECT);
	/* a duplicate key: {"fmt", "attStmt", "authData", "fmt"} */
	sa_buf_set(&b, r.att_obj.ptr, r.att_obj.len);
	CHECK(b.ptr[0] == 0xa3);
	b.ptr[0] = 0xa4;
	sa_buf_add(&b, "\x63" "fmt" "\x64" "none", 9);
	r.in.attestation_object = sa_span(&b);
	CHECK_ERR(verify(&r), BR_ERR_ATTESTATION_OBJECT);
	sa_buf_free(&b);
	sa_reg_free(&r);
}

/* ---- x5c and trust anchors ---- */

static cbor_item_t *
x5c_array(X509 *const *certs, size_t n)
{
	cbor_item_t *a;
	sa_buf der = { NULL, 0 };
	size_t i;

	SA_REQUIRE((a = cbor_new_definite_array(n)) != NULL);
	for (i = 0; i < n; i++) {
		sa_cert_der(certs[i], &der);
		SA_REQUIRE(cbor_array_push(a, cbor_move(cbor_build_bytestring(der.ptr, der.len))));
	}
	sa_buf_free(&der);
	return a;
}

/* Replace r's statement by a packed one from the attestation key carrying x5c (moved). */
static void
packed_with_x5c(sa_reg *r, cbor_item_t *x5c)
{
	unsigned char cdh[32];
	sa_buf sig = { NULL, 0 };
	cbor_item_t *stmt;

	sa_sha256(r->client_data.ptr, r->client_data.len, cdh);
	sa_sign2(sa_attestation_key(), BR_COSE_ES256, sa_span(&r->auth_data),
	    (br_span){ cdh, 32 }, &sig);
	SA_REQUIRE((stmt = cbor_new_definite_map(3)) != NULL);
	sa_map_put(stmt, "alg", sa_cbor_int(BR_COSE_ES256));
	sa_map_put(stmt, "sig", cbor_build_bytestring(sig.ptr, sig.len));
	sa_map_put(stmt, "x5c", x5c);
	sa_att_obj("packed", stmt, sa_span(&r->auth_data), &r->att_obj);
	r->in.attestation_object = sa_span(&r->att_obj);
	sa_buf_free(&sig);
}

static X509 *
attestation_leaf(const sa_ca *ca, const unsigned char *aaguid)
{
	sa_cert_opts co;

	memset(&co, 0, sizeof(co));
	co.aaguid = aaguid;
	return sa_cert_issue(ca, sa_attestation_key(), &co);
}

static void
x5c_malformed(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_X5C);
	sa_reg r;
	X509 *leaf, *many[9];
	cbor_item_t *a;
	sa_buf der = { NULL, 0 };
	size_t i;

	sa_reg_build(&r, &o);
	leaf = attestation_leaf(sa_test_ca(), r.aaguid);
	packed_with_x5c(&r, x5c_array(&leaf, 1));
	CHECK_ERR(verify(&r), BR_OK);

	/* empty array */
	packed_with_x5c(&r, cbor_new_definite_array(0));
	CHECK_ERR(verify(&r), BR_ERR_ATT_STMT);
	/* not an array */
	sa_cert_der(leaf, &der);
	packed_with_x5c(&r, cbor_build_bytestring(der.ptr, der.len));
	CHECK_ERR(verify(&r), BR_ERR_ATT_STMT);
	/* an element that is not a byte string */
	SA_REQUIRE((a = cbor_new_definite_array(1)) != NULL);
	SA_REQUIRE(cbor_array_push(a, cbor_move(sa_cbor_int(1))));
	packed_with_x5c(&r, a);
	CHECK_ERR(verify(&r), BR_ERR_ATT_STMT);
	/* bytes that are no certificate */
	SA_REQUIRE((a = cbor_new_definite_array(1)) != NULL);
	SA_REQUIRE(cbor_array_push(a, cbor_move(cbor_build_bytestring((const unsigned char *)"\x30\x00", 2))));
	packed_with_x5c(&r, a);
	CHECK_ERR(verify(&r), BR_ERR_CERTIFICATE);
	/* a certificate with a trailing byte */
	sa_buf_add_u8(&der, 0x00);
	SA_REQUIRE((a = cbor_new_definite_array(1)) != NULL);
	SA_REQUIRE(cbor_array_push(a, cbor_move(cbor_build_bytestring(der.ptr, der.len))));
	packed_with_x5c(&r, a);
	CHECK_ERR(verify(&r), BR_ERR_CERTIFICATE);
	/* a good leaf followed by junk */
	SA_REQUIRE((a = cbor_new_definite_array(2)) != NULL);
	SA_REQUIRE(cbor_array_push(a, cbor_move(cbor_build_bytestring(der.ptr, der.len - 1))));
	SA_REQUIRE(cbor_array_push(a, cbor_move(cbor_build_bytestring((const unsigned char *)"junk", 4))));
	packed_with_x5c(&r, a);
	CHECK_ERR(verify(&r), BR_ERR_CERTIFICATE);
	/* an absurdly long chain */
	for (i = 0; i < UNIT_N(many); i++)
		many[i] = leaf;
	packed_with_x5c(&r, x5c_array(many, UNIT_N(many)));
	CHECK_ERR(verify(&r), BR_ERR_ATT_STMT);
	X509_free(leaf);
	sa_buf_free(&der);
	sa_reg_free(&r);
}

static void
x5c_with_intermediate(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_X5C);
	sa_cert_opts co;
	sa_ca inter;
	sa_reg r;
	X509 *chain[2];
	sa_buf der = { NULL, 0 };
	br_trust *t;

	memset(&co, 0, sizeof(co));
	co.ca = 1;
	co.cn = "Example Attestation Intermediate";
	inter.key = sa_ec_key("P-256");
	inter.cert = sa_cert_issue(sa_test_ca(), inter.key, &co);
	sa_reg_build(&r, &o);
	chain[0] = attestation_leaf(&inter, r.aaguid);
	chain[1] = inter.cert;

	packed_with_x5c(&r, x5c_array(chain, 2));
	CHECK_ERR(verify(&r), BR_OK);
	/* the intermediate left out: no path to the root */
	packed_with_x5c(&r, x5c_array(chain, 1));
	CHECK_ERR(verify(&r), BR_ERR_CERTIFICATE_CHAIN);
	/* an intermediate published by the vendor works as an anchor on its own */
	SA_REQUIRE((t = br_trust_new()) != NULL);
	sa_cert_der(inter.cert, &der);
	SA_REQUIRE(br_trust_add_der(t, der.ptr, der.len) == 0);
	r.in.trust = t;
	CHECK_ERR(verify(&r), BR_OK);
	/* the root sent in the chain is not trusted for being there */
	chain[1] = sa_rogue_ca()->cert;
	packed_with_x5c(&r, x5c_array(chain, 2));
	r.in.trust = r.trust;
	CHECK_ERR(verify(&r), BR_ERR_CERTIFICATE_CHAIN);
	br_trust_free(&t);
	CHECK(t == NULL);
	X509_free(chain[0]);
	X509_free(inter.cert);
	EVP_PKEY_free(inter.key);
	sa_buf_free(&der);
	sa_reg_free(&r);
}

static void
leaf_in_chain_signed_by_rogue_but_root_sent(void)
{
	/* x5c = [leaf from the rogue root, the trusted root]: the root does not vouch for the leaf */
	sa_reg_opts o = opts(SA_FMT_PACKED_X5C);
	sa_reg r;
	X509 *chain[2];

	sa_reg_build(&r, &o);
	chain[0] = attestation_leaf(sa_rogue_ca(), r.aaguid);
	chain[1] = sa_test_ca()->cert;
	packed_with_x5c(&r, x5c_array(chain, 2));
	CHECK_ERR(verify(&r), BR_ERR_CERTIFICATE_CHAIN);
	X509_free(chain[0]);
	sa_reg_free(&r);
}

static void
trust_without_anchors_judges_nothing(void)
{
	sa_reg_opts o = opts(SA_FMT_PACKED_X5C);
	sa_reg r;
	br_trust *t;

	o.untrusted_ca = 1;
	sa_reg_build(&r, &o);
	CHECK_ERR(verify(&r), BR_ERR_CERTIFICATE_CHAIN);
	SA_REQUIRE((t = br_trust_new()) != NULL);
	CHECK_INT(br_trust_count(t), 0);
	r.in.trust = t;
	CHECK_ERR(verify(&r), BR_OK);
	br_trust_free(&t);
	sa_reg_free(&r);
}

static void
trust_anchor_loading(void)
{
	br_trust *t;
	sa_buf der = { NULL, 0 };
	BIO *bio;
	char *pem = NULL;
	long n;

	SA_REQUIRE((t = br_trust_new()) != NULL);
	CHECK_INT(br_trust_count(t), 0);
	CHECK_INT(br_trust_count(NULL), 0);
	sa_cert_der(sa_test_ca()->cert, &der);
	CHECK(br_trust_add_der(t, der.ptr, der.len) == 0);
	CHECK_INT(br_trust_count(t), 1);
	/* DER must span exactly one certificate */
	sa_buf_add_u8(&der, 0x00);
	CHECK(br_trust_add_der(t, der.ptr, der.len) == -1);
	CHECK(br_trust_add_der(t, der.ptr, der.len - 2) == -1);
	CHECK(br_trust_add_der(t, der.ptr, 0) == -1);
	CHECK_INT(br_trust_count(t), 1);

	/* two certificates in one PEM text */
	SA_REQUIRE((bio = BIO_new(BIO_s_mem())) != NULL);
	SA_REQUIRE(PEM_write_bio_X509(bio, sa_test_ca()->cert) == 1);
	SA_REQUIRE(PEM_write_bio_X509(bio, sa_rogue_ca()->cert) == 1);
	n = BIO_get_mem_data(bio, &pem);
	SA_REQUIRE(n > 0 && pem != NULL);
	CHECK(br_trust_add_pem(t, pem, (size_t)n) == 0);
	CHECK_INT(br_trust_count(t), 3);
	CHECK(br_trust_add_pem(t, "not a certificate", 17) == -1);
	CHECK(br_trust_add_pem(t, pem, 10) == -1);
	CHECK_INT(br_trust_count(t), 3);
	BIO_free(bio);
	br_trust_free(&t);
	CHECK(t == NULL);
	br_trust_free(&t);
	br_trust_free(NULL);
	sa_buf_free(&der);
}

static void
fido_u2f_two_certs(void)
{
	/* fido-u2f has exactly one certificate */
	sa_reg_opts o = opts(SA_FMT_FIDO_U2F);
	sa_reg r;
	cbor_item_t *obj = NULL, *stmt, *x5c, *nstmt;
	const unsigned char *ad;
	br_span sig;
	X509 *cert;
	size_t adlen;

	sa_reg_build(&r, &o);
	SA_REQUIRE(br_cbor_decode(r.att_obj.ptr, r.att_obj.len, &obj, NULL) == 0);
	stmt = br_cbor_map_str(obj, "attStmt");
	x5c = br_cbor_map_str(stmt, "x5c");
	SA_REQUIRE(br_cbor_bytes(br_cbor_map_str(stmt, "sig"), &sig) == 0);
	ad = cbor_bytestring_handle(br_cbor_map_str(obj, "authData"));
	adlen = cbor_bytestring_length(br_cbor_map_str(obj, "authData"));
	SA_REQUIRE(ad != NULL && adlen == r.auth_data.len);
	cert = br_x509_from_der(cbor_bytestring_handle(cbor_array_handle(x5c)[0]),
	    cbor_bytestring_length(cbor_array_handle(x5c)[0]));
	SA_REQUIRE(cert != NULL);
	{
		X509 *two[2] = { cert, sa_test_ca()->cert };

		SA_REQUIRE((nstmt = cbor_new_definite_map(2)) != NULL);
		sa_map_put(nstmt, "sig", cbor_build_bytestring(sig.ptr, sig.len));
		sa_map_put(nstmt, "x5c", x5c_array(two, 2));
	}
	sa_att_obj("fido-u2f", nstmt, sa_span(&r.auth_data), &r.att_obj);
	r.in.attestation_object = sa_span(&r.att_obj);
	CHECK_ERR(verify(&r), BR_ERR_ATT_STMT);
	X509_free(cert);
	cbor_decref(&obj);
	sa_reg_free(&r);
}

static void
missing_policy(void)
{
	sa_reg_opts o = opts(SA_FMT_NONE);
	sa_reg r;

	sa_reg_build(&r, &o);
	r.in.policy = NULL;
	CHECK_ERR(verify(&r), BR_ERR_INVALID_ARGUMENT);
	r.in.policy = &r.policy;
	r.policy.rp_id = NULL;
	CHECK_ERR(verify(&r), BR_ERR_INVALID_ARGUMENT);
	sa_reg_free(&r);
}

static void
names_and_policy_parse(void)
{
	br_uv_policy p = BR_UV_PREFERRED;

	CHECK(strcmp(br_att_type_name(BR_ATT_NONE), "none") == 0);
	CHECK(strcmp(br_att_type_name(BR_ATT_SELF), "self") == 0);
	CHECK(strcmp(br_att_type_name(BR_ATT_BASIC), "basic") == 0);
	CHECK(strcmp(br_att_type_name(BR_ATT_ATTCA), "attca") == 0);
	CHECK(strcmp(br_att_type_name(BR_ATT_ANONCA), "anonca") == 0);
	CHECK(br_uv_policy_parse("required", &p) == 0 && p == BR_UV_REQUIRED);
	CHECK(br_uv_policy_parse("discouraged", &p) == 0 && p == BR_UV_DISCOURAGED);
	CHECK(br_uv_policy_parse("preferred", &p) == 0 && p == BR_UV_PREFERRED);
	CHECK(br_uv_policy_parse("Required", &p) == -1 && p == BR_UV_PREFERRED);
	CHECK(br_uv_policy_parse("", &p) == -1);
	CHECK(br_uv_policy_parse(NULL, &p) == -1);
	/* the names back from the values: what the options sent to browsers say */
	CHECK(strcmp(br_uv_policy_name(BR_UV_REQUIRED), "required") == 0);
	CHECK(strcmp(br_uv_policy_name(BR_UV_PREFERRED), "preferred") == 0);
	CHECK(strcmp(br_uv_policy_name(BR_UV_DISCOURAGED), "discouraged") == 0);
	CHECK(br_uv_policy_name((br_uv_policy)3) == NULL);
}

int
main(void)
{
	static const unit_case cases[] = {
		/* successes */
		UNIT_CASE(every_alg_packed_self),
		UNIT_CASE(every_alg_none),
		UNIT_CASE(fmt_none),
		UNIT_CASE(fmt_packed_x5c_trusted),
		UNIT_CASE(fmt_packed_x5c_no_anchors),
		UNIT_CASE(fmt_packed_x5c_without_aaguid_ext),
		UNIT_CASE(fmt_fido_u2f),
		UNIT_CASE(fmt_apple),
		UNIT_CASE(fmt_android_key),
		UNIT_CASE(android_key_software_enforced),
		UNIT_CASE(flags_reported),
		UNIT_CASE(extensions_accepted),
		UNIT_CASE(cred_id_1023_accepted),
		UNIT_CASE(cross_origin_allowed_with_top_origin),
		UNIT_CASE(unknown_client_data_members_ignored),
		/* clientDataJSON */
		UNIT_CASE(get_type_at_registration),
		UNIT_CASE(wrong_origin),
		UNIT_CASE(wrong_challenge),
		UNIT_CASE(empty_issued_challenge),
		UNIT_CASE(replayed_registration),
		UNIT_CASE(challenge_padded),
		UNIT_CASE(challenge_missing_or_not_string),
		UNIT_CASE(cross_origin_not_allowed),
		UNIT_CASE(top_origin_not_allowed),
		UNIT_CASE(duplicate_json_member),
		UNIT_CASE(client_data_not_an_object),
		/* authenticatorData */
		UNIT_CASE(wrong_rp_id),
		UNIT_CASE(up_missing),
		UNIT_CASE(uv_missing_policy_required),
		UNIT_CASE(bs_without_be),
		UNIT_CASE(at_flag_missing),
		UNIT_CASE(at_flag_cleared_data_kept),
		UNIT_CASE(at_flag_set_without_data),
		UNIT_CASE(cred_id_1024),
		UNIT_CASE(cred_id_empty),
		UNIT_CASE(ed_flag_without_extensions),
		UNIT_CASE(extensions_not_a_map),
		UNIT_CASE(extensions_without_ed_flag),
		UNIT_CASE(trailing_authdata),
		UNIT_CASE(truncated_authdata),
		UNIT_CASE(truncated_in_cose_key),
		/* credential public key */
		UNIT_CASE(bad_cose_point),
		UNIT_CASE(cose_key_inconsistent),
		UNIT_CASE(cose_alg_unknown_rejected),
		UNIT_CASE(alg_not_offered),
		/* attestation */
		UNIT_CASE(unknown_fmt),
		UNIT_CASE(none_with_att_stmt),
		UNIT_CASE(packed_sig_flipped),
		UNIT_CASE(packed_x5c_sig_flipped),
		UNIT_CASE(packed_sig_over_other_client_data),
		UNIT_CASE(packed_self_alg_mismatch),
		UNIT_CASE(packed_unknown_stmt_alg),
		UNIT_CASE(packed_x5c_alg_does_not_fit_cert),
		UNIT_CASE(packed_stmt_members_missing),
		UNIT_CASE(attcert_ca_true),
		UNIT_CASE(attcert_wrong_ou),
		UNIT_CASE(attcert_subject_incomplete),
		UNIT_CASE(attcert_version1),
		UNIT_CASE(aaguid_ext_mismatch),
		UNIT_CASE(aaguid_ext_critical),
		UNIT_CASE(chain_to_untrusted_root),
		UNIT_CASE(self_signed_leaf_untrusted),
		UNIT_CASE(expired_chain),
		UNIT_CASE(not_yet_valid_chain),
		UNIT_CASE(raw_id_mismatch),
		UNIT_CASE(apple_nonce_wrong),
		UNIT_CASE(apple_nonce_missing),
		UNIT_CASE(apple_nonce_of_other_ceremony),
		UNIT_CASE(apple_leaf_key_mismatch),
		UNIT_CASE(android_key_challenge_wrong),
		UNIT_CASE(android_key_leaf_key_mismatch),
		UNIT_CASE(android_key_all_applications),
		UNIT_CASE(android_key_not_for_signing),
		UNIT_CASE(android_key_imported),
		UNIT_CASE(android_key_description_missing),
		UNIT_CASE(packed_cert_labelled_android_key),
		UNIT_CASE(android_key_sig_flipped),
		UNIT_CASE(fido_u2f_non_p256_credential),
		UNIT_CASE(fido_u2f_cert_not_p256),
		UNIT_CASE(fido_u2f_cert_secp256k1),
		UNIT_CASE(fido_u2f_sig_flipped),
		UNIT_CASE(safetynet_refused),
		UNIT_CASE(attestation_object_malformed),
		UNIT_CASE(attestation_object_bytes),
		UNIT_CASE(x5c_malformed),
		UNIT_CASE(x5c_with_intermediate),
		UNIT_CASE(leaf_in_chain_signed_by_rogue_but_root_sent),
		UNIT_CASE(trust_without_anchors_judges_nothing),
		UNIT_CASE(trust_anchor_loading),
		UNIT_CASE(fido_u2f_two_certs),
		UNIT_CASE(missing_policy),
		UNIT_CASE(names_and_policy_parse),
	};
	int rc;

	sa_init();
	rc = unit_run("register", cases, UNIT_N(cases));
	sa_cleanup();
	return rc;
}
