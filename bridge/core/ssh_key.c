/*
 * An RSA public key as OpenSSH writes it (RFC 4253 section 6.6): the blob
 * string "ssh-rsa", mpint e, mpint n, each with a 4-byte big-endian length,
 * in standard base64 on an authorized_keys line.
 */
#include "clientcert.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#define SSH_RSA "ssh-rsa"
/* OpenSSH refuses keys above 16384 bits; so does this (and it bounds the buffers). */
#define RSA_BITS_MAX 16384

static void
put_be32(unsigned char *p, size_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* mpint: two's complement, big-endian, minimal, a leading 0 when the top bit is set. */
static size_t
put_mpint(unsigned char *p, const BIGNUM *bn)
{
	size_t n = (size_t)BN_num_bytes(bn), lead = 0;

	if (n > 0 && BN_is_bit_set(bn, (int)n * 8 - 1))
		lead = 1;
	put_be32(p, n + lead);
	if (lead)
		p[4] = 0;
	if (n > 0)
		BN_bn2bin(bn, p + 4 + lead);
	return 4 + lead + n;
}

char *
br_cc_ssh_rsa_line(X509 *cert, const char *comment)
{
	EVP_PKEY *pk;
	BIGNUM *n = NULL, *e = NULL;
	unsigned char *blob = NULL;
	char *line = NULL, *b64 = NULL;
	size_t len = 0, clen = comment == NULL ? 0 : strlen(comment), i, off;
	int b64len;

	if (cert == NULL || (pk = X509_get0_pubkey(cert)) == NULL || EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA)
		goto out;
	if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e) != 1 ||
	    BN_num_bits(n) > RSA_BITS_MAX || BN_num_bits(e) > RSA_BITS_MAX)
		goto out;
	if ((blob = malloc(4 + strlen(SSH_RSA) + 2 * (5 + RSA_BITS_MAX / 8))) == NULL)
		goto out;
	put_be32(blob, strlen(SSH_RSA));
	memcpy(blob + 4, SSH_RSA, strlen(SSH_RSA));
	len = 4 + strlen(SSH_RSA);
	len += put_mpint(blob + len, e);
	len += put_mpint(blob + len, n);
	if ((b64 = malloc((len + 2) / 3 * 4 + 1)) == NULL)
		goto out;
	if ((b64len = EVP_EncodeBlock((unsigned char *)b64, blob, (int)len)) <= 0)
		goto out;
	if ((line = malloc(strlen(SSH_RSA) + 1 + (size_t)b64len + 1 + clen + 1)) == NULL)
		goto out;
	memcpy(line, SSH_RSA " ", strlen(SSH_RSA) + 1);
	off = strlen(SSH_RSA) + 1;
	memcpy(line + off, b64, (size_t)b64len);
	off += (size_t)b64len;
	if (clen > 0) {
		line[off++] = ' ';
		/* the comment is for people; a line break in it would be a second key line */
		for (i = 0; i < clen; i++)
			line[off++] = comment[i] > ' ' && comment[i] < 0x7f ? comment[i] : '_';
	}
	line[off] = '\0';
out:
	free(blob);
	free(b64);
	BN_free(n);
	BN_free(e);
	ERR_clear_error();
	return line;
}
