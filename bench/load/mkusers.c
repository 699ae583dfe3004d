/*
 * mkusers: enrolled users for the load benchmark.
 *
 *   mkusers --first N --count M --ldif OUT.ldif --keys KEYS [--base DN]
 *           [--last-used-age SECONDS] [--now UNIX]
 *
 * For each user uid=loadNNNNN (N = first .. first+count-1) it writes an
 * inetOrgPerson + eduPerson + fidoUser entry with a random 32-byte
 * fidoUserHandle, and one fidoCredential child: a fresh P-256 (ES256) key as
 * a COSE_Key, sign count 0, backup eligible and backed up (a synced passkey),
 * fidoLastUsed = now - last-used-age (default 2 hours: older than the
 * bridge's 1 h interval, so the first sign-in of each user writes it once).
 * The private keys are appended to KEYS, one line per user:
 *
 *   uid credential-id(b64url) user-handle(b64url) private-scalar(hex) public-point(hex, 04|x|y)
 *
 * KEYS is what the load generator signs with: keep it with the LDIF, never
 * anywhere near a real directory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "b64url.h"

#define AAGUID_SYNCED "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4" /* a synced-passkey provider */

static void
die(const char *msg)
{
	fprintf(stderr, "mkusers: %s\n", msg);
	exit(1);
}

/* Standard base64 (LDIF "attr:: value"). */
static void
b64std(const unsigned char *p, size_t n, char *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = a[(v >> 6) & 63];
		out[o++] = a[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = a[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
}

static void
hex(const unsigned char *p, size_t n, char *out)
{
	static const char h[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = h[p[i] >> 4];
		out[2 * i + 1] = h[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static void
gentime(time_t t, char out[16])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 16, "%Y%m%d%H%M%SZ", &tm);
}

/* A fresh P-256 key: private scalar (32) and uncompressed point (65). */
static void
keypair(unsigned char priv[32], unsigned char pub[65])
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	BIGNUM *d = NULL;
	size_t n = 0;

	if (k == NULL || !EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &d) ||
	    BN_bn2binpad(d, priv, 32) != 32 ||
	    !EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pub, 65, &n) || n != 65 || pub[0] != 4)
		die("P-256 key generation failed");
	BN_clear_free(d);
	EVP_PKEY_free(k);
}

/* COSE_Key {1:2, 3:-7, -1:1, -2:x, -3:y} (RFC 9053 EC2, ES256). */
static size_t
cose_es256(const unsigned char pub[65], unsigned char out[77])
{
	static const unsigned char head[] = { 0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20 };
	size_t o = 0;

	memcpy(out, head, sizeof(head));
	o = sizeof(head);
	memcpy(out + o, pub + 1, 32);
	o += 32;
	out[o++] = 0x22;
	out[o++] = 0x58;
	out[o++] = 0x20;
	memcpy(out + o, pub + 33, 32);
	o += 32;
	return o;
}

int
main(int argc, char **argv)
{
	const char *ldif = NULL, *keys = NULL, *base = "ou=people,dc=example,dc=edu";
	long first = 1, count = 1000, age = 7200, i;
	time_t now = time(NULL);
	FILE *lf, *kf;
	char created[16], last[16];

	for (int a = 1; a < argc; a++) {
		const char *v = a + 1 < argc ? argv[a + 1] : NULL;
		if (v == NULL)
			die("every option takes a value");
		if (strcmp(argv[a], "--first") == 0) first = atol(v);
		else if (strcmp(argv[a], "--count") == 0) count = atol(v);
		else if (strcmp(argv[a], "--ldif") == 0) ldif = v;
		else if (strcmp(argv[a], "--keys") == 0) keys = v;
		else if (strcmp(argv[a], "--base") == 0) base = v;
		else if (strcmp(argv[a], "--last-used-age") == 0) age = atol(v);
		else if (strcmp(argv[a], "--now") == 0) now = (time_t)atoll(v);
		else die("usage: mkusers --first N --count M --ldif OUT --keys KEYS [--base DN] [--last-used-age S] [--now T]");
		a++;
	}
	if (ldif == NULL || keys == NULL || first < 1 || count < 1 || first + count > 10000000)
		die("usage: mkusers --first N --count M --ldif OUT --keys KEYS [--base DN] [--last-used-age S]");
	if ((lf = fopen(ldif, "w")) == NULL || (kf = fopen(keys, "a")) == NULL)
		die(strerror(errno));
	gentime(now - 30 * 86400, created);
	gentime(now - age, last);

	for (i = first; i < first + count; i++) {
		unsigned char handle[32], cid[16], priv[32], pub[65], cose[77];
		char uid[32], handle_std[64], handle_u[64], cid_u[32], cose_std[128], priv_h[65], pub_h[131];
		size_t cl;

		if (RAND_bytes(handle, sizeof(handle)) != 1 || RAND_bytes(cid, sizeof(cid)) != 1)
			die("no randomness");
		keypair(priv, pub);
		cl = cose_es256(pub, cose);
		snprintf(uid, sizeof(uid), "load%05ld", i);
		b64std(handle, sizeof(handle), handle_std);
		br_b64url_encode(handle, sizeof(handle), handle_u);
		br_b64url_encode(cid, sizeof(cid), cid_u);
		b64std(cose, cl, cose_std);
		hex(priv, sizeof(priv), priv_h);
		hex(pub, sizeof(pub), pub_h);

		fprintf(lf,
		    "dn: uid=%s,%s\n"
		    "objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"
		    "objectClass: inetOrgPerson\nobjectClass: eduPerson\nobjectClass: fidoUser\n"
		    "uid: %s\ncn: Load Student %05ld\nsn: Student%05ld\ngivenName: Load\n"
		    "displayName: Load Student %05ld\nmail: %s@example.edu\n"
		    "eduPersonPrincipalName: %s@example.edu\n"
		    "eduPersonAffiliation: student\neduPersonAffiliation: member\n"
		    "eduPersonScopedAffiliation: student@example.edu\neduPersonScopedAffiliation: member@example.edu\n"
		    "fidoUserHandle:: %s\n\n",
		    uid, base, uid, i, i, i, uid, uid, handle_std);
		fprintf(lf,
		    "dn: fidoCredentialId=%s,uid=%s,%s\n"
		    "objectClass: top\nobjectClass: fidoCredential\n"
		    "fidoCredentialId: %s\nfidoPublicKey:: %s\nfidoSignCount: 0\n"
		    "fidoAAGUID: " AAGUID_SYNCED "\nfidoTransports: internal\nfidoTransports: hybrid\n"
		    "fidoAttestationFormat: none\nfidoBackupEligible: TRUE\nfidoBackupState: TRUE\n"
		    "fidoUserVerified: TRUE\nfidoCreated: %s\nfidoLastUsed: %s\nfidoNickname: load passkey\n\n",
		    cid_u, uid, base, cid_u, cose_std, created, last);
		fprintf(kf, "%s %s %s %s %s\n", uid, cid_u, handle_u, priv_h, pub_h);
		OPENSSL_cleanse(priv, sizeof(priv));
	}
	if (fclose(lf) != 0 || fclose(kf) != 0)
		die(strerror(errno));
	return 0;
}
