#include "seal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "../core/b64url.h"
#include "../core/crypto.h"

#define KEY_ID_LEN 8
#define TAG_LEN 16
static const unsigned char magic[2] = { 'S', '1' };

struct gen {
	unsigned char seal[32];         /* AES-256-GCM */
	unsigned char name[32];         /* HMAC-SHA256 for names */
	unsigned char id[KEY_ID_LEN];   /* which secret sealed a record */
};

struct br_seal {
	struct gen g[2];
	int n;
	EVP_MAC *hmac;          /* fetched once: a fetch per call is a lookup each */
	EVP_CIPHER *aes;
};

static int
hkdf(const unsigned char *secret, size_t len, const char *info, unsigned char *out, size_t outlen)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM p[4];
	int ok;

	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	p[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, len);
	p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, strlen(info));
	p[3] = OSSL_PARAM_construct_end();
	ok = ctx != NULL && EVP_KDF_derive(ctx, out, outlen, p) == 1;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ok ? 0 : -1;
}

static int
derive(struct gen *g, const unsigned char *secret, size_t len)
{
	return hkdf(secret, len, "fido-bridge state seal v1", g->seal, sizeof(g->seal)) == 0 &&
		hkdf(secret, len, "fido-bridge state name v1", g->name, sizeof(g->name)) == 0 &&
		hkdf(secret, len, "fido-bridge state key id v1", g->id, sizeof(g->id)) == 0 ?
	    0 : -1;
}

br_seal *
br_seal_new(const unsigned char *cur, size_t cur_len, const unsigned char *prev, size_t prev_len)
{
	br_seal *s;

	if (cur == NULL || cur_len < BR_SEAL_SECRET_MIN || (prev != NULL && prev_len < BR_SEAL_SECRET_MIN) ||
	    (s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if (derive(&s->g[0], cur, cur_len) < 0 || (prev != NULL && derive(&s->g[1], prev, prev_len) < 0)) {
		br_seal_free(&s);
		return NULL;
	}
	s->n = prev != NULL ? 2 : 1;
	if ((s->hmac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (s->aes = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL)) == NULL)
		br_seal_free(&s);
	return s;
}

void
br_seal_free(br_seal **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	EVP_MAC_free((*sp)->hmac);
	EVP_CIPHER_free((*sp)->aes);
	br_wipe(*sp, sizeof(**sp));
	free(*sp);
	*sp = NULL;
}

int
br_seal_generations(const br_seal *s)
{
	return s->n;
}

int
br_seal_name(const br_seal *s, int g, const char *kind, const char *id, char *out, size_t cap)
{
	unsigned char mac[32];
	size_t klen, maclen = 0, ilen;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM p[2];
	int ok = 0;

	if (g < 0 || g >= s->n || kind == NULL || id == NULL || (klen = strlen(kind)) + 1 + 44 > cap)
		return -1;
	ilen = strlen(id);
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
	p[1] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_MAC_CTX_new(s->hmac)) != NULL &&
	    EVP_MAC_init(ctx, s->g[g].name, sizeof(s->g[g].name), p) == 1 &&
	    EVP_MAC_update(ctx, (const unsigned char *)kind, klen + 1) == 1 &&   /* the NUL ends the kind */
	    EVP_MAC_update(ctx, (const unsigned char *)id, ilen) == 1 && EVP_MAC_final(ctx, mac, &maclen, sizeof(mac)) == 1 &&
	    maclen == sizeof(mac))
		ok = 1;
	EVP_MAC_CTX_free(ctx);
	if (!ok)
		return -1;
	memcpy(out, kind, klen);
	out[klen] = ':';
	br_b64url_encode(mac, sizeof(mac), out + klen + 1);
	return 0;
}

/* The additional data: a label, the kind and the name, each ended by a NUL. */
static int
aad(EVP_CIPHER_CTX *ctx, int enc, const char *kind, const char *name)
{
	static const char label[] = "fido-bridge record v1";
	int n;

	if (enc)
		return EVP_EncryptUpdate(ctx, NULL, &n, (const unsigned char *)label, sizeof(label)) == 1 &&
		    EVP_EncryptUpdate(ctx, NULL, &n, (const unsigned char *)kind, (int)strlen(kind) + 1) == 1 &&
		    EVP_EncryptUpdate(ctx, NULL, &n, (const unsigned char *)name, (int)strlen(name) + 1) == 1;
	return EVP_DecryptUpdate(ctx, NULL, &n, (const unsigned char *)label, sizeof(label)) == 1 &&
	    EVP_DecryptUpdate(ctx, NULL, &n, (const unsigned char *)kind, (int)strlen(kind) + 1) == 1 &&
	    EVP_DecryptUpdate(ctx, NULL, &n, (const unsigned char *)name, (int)strlen(name) + 1) == 1;
}

static void
put64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int
br_seal_close(const br_seal *s, const char *kind, const char *name, int64_t expires,
    const unsigned char nonce[BR_SEAL_NONCE_LEN], const void *pt, size_t len, unsigned char *out, size_t cap,
    size_t *outlen)
{
	EVP_CIPHER_CTX *ctx = NULL;
	unsigned char exp[8], *ct;
	int n, ok = 0;

	if (kind == NULL || name == NULL || len > (size_t)INT32_MAX - BR_SEAL_OVERHEAD || cap < len + BR_SEAL_OVERHEAD ||
	    expires < 0)
		return -1;
	memcpy(out, magic, 2);
	memcpy(out + 2, s->g[0].id, KEY_ID_LEN);
	memcpy(out + 2 + KEY_ID_LEN, nonce, BR_SEAL_NONCE_LEN);
	ct = out + 2 + KEY_ID_LEN + BR_SEAL_NONCE_LEN;
	put64(exp, (uint64_t)expires);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_EncryptInit_ex2(ctx, s->aes, s->g[0].seal, nonce, NULL) != 1 || !aad(ctx, 1, kind, name) ||
	    EVP_EncryptUpdate(ctx, ct, &n, exp, sizeof(exp)) != 1 || n != 8 ||
	    (len > 0 && (EVP_EncryptUpdate(ctx, ct + 8, &n, pt, (int)len) != 1 || (size_t)n != len)) ||
	    EVP_EncryptFinal_ex(ctx, ct + 8 + len, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, ct + 8 + len) != 1)
		goto out;
	*outlen = len + BR_SEAL_OVERHEAD;
	ok = 1;
out:
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

int
br_seal_open(const br_seal *s, const char *kind, const char *name, int64_t now, const unsigned char *in,
    size_t len, unsigned char *pt, size_t cap, size_t *ptlen)
{
	const unsigned char *nonce, *ct, *tag;
	unsigned char exp[8];
	EVP_CIPHER_CTX *ctx = NULL;
	const struct gen *g = NULL;
	size_t n_pt;
	int i, n, ok = 0;

	if (kind == NULL || name == NULL || in == NULL || len < BR_SEAL_OVERHEAD || len > (size_t)INT32_MAX ||
	    memcmp(in, magic, 2) != 0)
		return -1;
	n_pt = len - BR_SEAL_OVERHEAD;
	if (cap < n_pt)
		return -1;
	for (i = 0; i < s->n; i++)
		if (CRYPTO_memcmp(in + 2, s->g[i].id, KEY_ID_LEN) == 0)
			g = &s->g[i];
	if (g == NULL)
		return -1;
	nonce = in + 2 + KEY_ID_LEN;
	ct = nonce + BR_SEAL_NONCE_LEN;
	tag = in + len - TAG_LEN;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_DecryptInit_ex2(ctx, s->aes, g->seal, nonce, NULL) != 1 || !aad(ctx, 0, kind, name) ||
	    EVP_DecryptUpdate(ctx, exp, &n, ct, 8) != 1 || n != 8 ||
	    (n_pt > 0 && (EVP_DecryptUpdate(ctx, pt, &n, ct + 8, (int)n_pt) != 1 || (size_t)n != n_pt)) ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, (void *)tag) != 1 ||
	    EVP_DecryptFinal_ex(ctx, exp, &n) != 1)
		goto out;
	/* authentic, but a copy written back after its time is not a record any more */
	if (get64(exp) > (uint64_t)INT64_MAX || (int64_t)get64(exp) < now)
		goto out;
	*ptlen = n_pt;
	ok = 1;
out:
	EVP_CIPHER_CTX_free(ctx);
	if (!ok && n_pt > 0)
		br_wipe(pt, n_pt);
	return ok ? 0 : -1;
}
