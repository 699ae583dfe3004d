/* A minimal software passkey (ES256, attestation "none") for the HTTP tests. */
#include "softkey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

/* A fixed AAGUID no metadata knows: these tests' own "authenticator model". */
static const unsigned char test_aaguid[16] = {
	0x7e, 0x57, 0xb0, 0x0c, 0x1d, 0x2e, 0x4f, 0x30, 0x91, 0xa2, 0xb3, 0xc4, 0xd5, 0xe6, 0xf7, 0x08,
};

static void
die(const char *what)
{
	fprintf(stderr, "softkey: %s failed\n", what);
	exit(99);
}

void
sk_random(void *p, size_t n)
{
	if (RAND_bytes(p, (int)n) != 1)
		die("RAND_bytes");
}

char *
sk_b64url(const void *p, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char *s = p;
	char *out = malloc(n / 3 * 4 + 5), *o = out;
	size_t i;

	if (out == NULL)
		die("malloc");
	for (i = 0; i + 2 < n; i += 3) {
		*o++ = a[s[i] >> 2];
		*o++ = a[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		*o++ = a[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
		*o++ = a[s[i + 2] & 63];
	}
	if (n - i == 1) {
		*o++ = a[s[i] >> 2];
		*o++ = a[(s[i] & 3) << 4];
	} else if (n - i == 2) {
		*o++ = a[s[i] >> 2];
		*o++ = a[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		*o++ = a[(s[i + 1] & 15) << 2];
	}
	*o = '\0';
	return out;
}

static int
b64v(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

int
sk_b64url_decode(const char *s, unsigned char **out, size_t *n)
{
	size_t len = strlen(s), i, o = 0;
	unsigned acc = 0;
	int bits = 0;
	unsigned char *b;

	*out = NULL;
	*n = 0;
	if (len % 4 == 1 || (b = malloc(len * 3 / 4 + 1)) == NULL)
		return -1;
	for (i = 0; i < len; i++) {
		int v = b64v(s[i]);
		if (v < 0) {
			free(b);
			return -1;
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			b[o++] = (unsigned char)(acc >> bits);
		}
	}
	*out = b;
	*n = o;
	return 0;
}

void
sk_key_new(sk_key *k)
{
	char *id;

	memset(k, 0, sizeof(*k));
	if ((k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL)
		die("EC key generation");
	k->cred_id_len = sizeof(k->cred_id);
	sk_random(k->cred_id, k->cred_id_len);
	memcpy(k->aaguid, test_aaguid, 16);
	id = sk_b64url(k->cred_id, k->cred_id_len);
	snprintf(k->cred_id_b64, sizeof(k->cred_id_b64), "%s", id);
	free(id);
	snprintf(k->aaguid_text, sizeof(k->aaguid_text),
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    k->aaguid[0], k->aaguid[1], k->aaguid[2], k->aaguid[3], k->aaguid[4], k->aaguid[5], k->aaguid[6],
	    k->aaguid[7], k->aaguid[8], k->aaguid[9], k->aaguid[10], k->aaguid[11], k->aaguid[12],
	    k->aaguid[13], k->aaguid[14], k->aaguid[15]);
}

void
sk_key_free(sk_key *k)
{
	EVP_PKEY_free(k->pkey);
	memset(k, 0, sizeof(*k));
}

int
sk_key_set_user_handle(sk_key *k, const char *b64)
{
	unsigned char *h;
	size_t n;

	if (b64 == NULL || sk_b64url_decode(b64, &h, &n) < 0)
		return -1;
	if (n == 0 || n > sizeof(k->user_handle)) {
		free(h);
		return -1;
	}
	memcpy(k->user_handle, h, n);
	k->user_handle_len = n;
	free(h);
	return 0;
}

/* ---- byte strings ---- */

typedef struct bytes {
	unsigned char *p;
	size_t n;
} bytes;

static void
add(bytes *b, const void *p, size_t n)
{
	unsigned char *q = realloc(b->p, b->n + n + 1);

	if (q == NULL)
		die("realloc");
	memcpy(q + b->n, p, n);
	b->p = q;
	b->n += n;
}

static void
add_u8(bytes *b, unsigned v)
{
	unsigned char c = (unsigned char)v;

	add(b, &c, 1);
}

/* The COSE_Key of an ES256 key: {1:2, 3:-7, -1:1, -2:x, -3:y}. */
static void
cose_key(const sk_key *k, bytes *out)
{
	unsigned char pub[65], *buf = NULL;
	size_t publen = 0, cap = 0, len;
	cbor_item_t *m = cbor_new_definite_map(5);
	struct cbor_pair p[5];
	int i;

	if (EVP_PKEY_get_octet_string_param(k->pkey, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub), &publen) != 1 ||
	    publen != 65 || pub[0] != 0x04)
		die("EC public key export");
	p[0].key = cbor_build_uint8(1);
	p[0].value = cbor_build_uint8(2);
	p[1].key = cbor_build_uint8(3);
	p[1].value = cbor_build_negint8(6);   /* -7 */
	p[2].key = cbor_build_negint8(0);     /* -1 */
	p[2].value = cbor_build_uint8(1);     /* P-256 */
	p[3].key = cbor_build_negint8(1);     /* -2 */
	p[3].value = cbor_build_bytestring(pub + 1, 32);
	p[4].key = cbor_build_negint8(2);     /* -3 */
	p[4].value = cbor_build_bytestring(pub + 33, 32);
	for (i = 0; i < 5; i++) {
		if (!cbor_map_add(m, p[i]))
			die("cbor_map_add");
		cbor_decref(&p[i].key);
		cbor_decref(&p[i].value);
	}
	if ((len = cbor_serialize_alloc(m, &buf, &cap)) == 0)
		die("cbor_serialize_alloc");
	add(out, buf, len);
	free(buf);
	cbor_decref(&m);
}

void
sk_cose_key(const sk_key *k, unsigned char **out, size_t *n)
{
	bytes b = { NULL, 0 };

	cose_key(k, &b);
	*out = b.p;
	*n = b.n;
}

static void
auth_data(const sk_key *k, const char *rp_id, uint8_t flags, uint32_t count, int attested, bytes *out)
{
	unsigned char h[32];
	unsigned char c[4] = { (unsigned char)(count >> 24), (unsigned char)(count >> 16),
		(unsigned char)(count >> 8), (unsigned char)count };

	SHA256((const unsigned char *)rp_id, strlen(rp_id), h);
	add(out, h, 32);
	add_u8(out, flags);
	add(out, c, 4);
	if (attested) {
		add(out, k->aaguid, 16);
		add_u8(out, (unsigned)(k->cred_id_len >> 8));
		add_u8(out, (unsigned)(k->cred_id_len & 0xff));
		add(out, k->cred_id, k->cred_id_len);
		cose_key(k, out);
	}
}

static char *
client_data(const char *type, const char *challenge, const char *origin)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:b}", "type", type, "challenge", challenge, "origin", origin,
	    "crossOrigin", 0);
	char *s;

	if (j == NULL)
		die("json_pack clientData");
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (s == NULL)
		die("json_dumps");
	return s;
}

json_t *
sk_registration(const sk_key *k, const sk_reg_opts *o)
{
	bytes ad = { NULL, 0 };
	char *cd = client_data(o->type != NULL ? o->type : "webauthn.create", o->challenge, o->origin);
	char *cd64 = sk_b64url(cd, strlen(cd)), *ao64, *ad64;
	cbor_item_t *m = cbor_new_definite_map(3);
	struct cbor_pair p[3];
	unsigned char *buf = NULL;
	size_t cap = 0, len;
	json_t *transports, *res;
	int i;

	auth_data(k, o->rp_id, o->flags_set ? o->flags : (SK_UP | SK_UV | SK_AT), 0, 1, &ad);
	p[0].key = cbor_build_string("fmt");
	p[0].value = cbor_build_string("none");
	p[1].key = cbor_build_string("attStmt");
	p[1].value = cbor_new_definite_map(0);
	p[2].key = cbor_build_string("authData");
	p[2].value = cbor_build_bytestring(ad.p, ad.n);
	for (i = 0; i < 3; i++) {
		if (!cbor_map_add(m, p[i]))
			die("cbor_map_add");
		cbor_decref(&p[i].key);
		cbor_decref(&p[i].value);
	}
	if ((len = cbor_serialize_alloc(m, &buf, &cap)) == 0)
		die("cbor_serialize_alloc");
	cbor_decref(&m);
	ao64 = sk_b64url(buf, len);
	ad64 = sk_b64url(ad.p, ad.n);
	free(buf);
	if (o->transports != NULL) {
		json_error_t je;
		transports = json_loads(o->transports, 0, &je);
	} else {
		transports = json_pack("[s]", "internal");
	}
	res = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:o}, s:{}, s:s}",
	    "id", k->cred_id_b64, "rawId", k->cred_id_b64, "type", "public-key",
	    "response", "clientDataJSON", cd64, "attestationObject", ao64, "authenticatorData", ad64,
	    "transports", transports,
	    "clientExtensionResults", "authenticatorAttachment", "platform");
	if (res == NULL)
		die("json_pack registration");
	free(ao64);
	free(ad64);
	free(cd64);
	free(cd);
	free(ad.p);
	return res;
}

json_t *
sk_assertion(sk_key *k, const sk_auth_opts *o)
{
	bytes ad = { NULL, 0 }, msg = { NULL, 0 };
	char *cd = client_data(o->type != NULL ? o->type : "webauthn.get", o->challenge, o->origin);
	unsigned char h[32], sig[128];
	size_t siglen = sizeof(sig);
	const sk_key *signer = o->signer != NULL ? o->signer : k;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char *cd64, *ad64, *sig64, *id64, *uh64 = NULL;
	json_t *res;

	k->sign_count++;
	auth_data(k, o->rp_id, o->flags_set ? o->flags : (SK_UP | SK_UV), k->sign_count, 0, &ad);
	SHA256((const unsigned char *)cd, strlen(cd), h);
	add(&msg, ad.p, ad.n);
	add(&msg, h, 32);
	if (ctx == NULL || EVP_DigestSignInit_ex(ctx, NULL, "SHA256", NULL, NULL, signer->pkey, NULL) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, msg.p, msg.n) != 1)
		die("ECDSA signature");
	EVP_MD_CTX_free(ctx);
	cd64 = sk_b64url(cd, strlen(cd));
	ad64 = sk_b64url(ad.p, ad.n);
	sig64 = sk_b64url(sig, siglen);
	id64 = o->cred_id != NULL ? sk_b64url(o->cred_id, o->cred_id_len) : sk_b64url(k->cred_id, k->cred_id_len);
	if (!o->no_user_handle) {
		if (o->user_handle != NULL)
			uh64 = sk_b64url(o->user_handle, o->user_handle_len);
		else if (k->user_handle_len > 0)
			uh64 = sk_b64url(k->user_handle, k->user_handle_len);
	}
	res = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s?}, s:{}, s:s}",
	    "id", id64, "rawId", id64, "type", "public-key",
	    "response", "clientDataJSON", cd64, "authenticatorData", ad64, "signature", sig64, "userHandle", uh64,
	    "clientExtensionResults", "authenticatorAttachment", "platform");
	if (res == NULL)
		die("json_pack assertion");
	free(cd64);
	free(ad64);
	free(sig64);
	free(id64);
	free(uh64);
	free(cd);
	free(ad.p);
	free(msg.p);
	return res;
}
