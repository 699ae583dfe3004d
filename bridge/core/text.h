/*
 * Text rules with one owner: what a nickname, an AAGUID and an attestation
 * format name may look like. The pages, the API, the directory and bridgectl
 * all ask here, so a value one of them accepts is never refused by another.
 */
#ifndef BR_TEXT_H
#define BR_TEXT_H

#include <stddef.h>

#define BR_NICKNAME_MAX 64      /* characters */
#define BR_AAGUID_TEXT_LEN 36   /* 8-4-4-4-12 hex digits */
#define BR_FMT_MAX 23           /* bytes of an attestation format name */

/*
 * Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF,
 * never NUL. With no_controls, C0, DEL and C1 (U+0080..U+009F) are refused
 * too. The character count goes to *nchars when it is not NULL. 1 or 0.
 */
int br_utf8_ok(const unsigned char *p, size_t n, int no_controls, size_t *nchars);

/* A passkey nickname: 1..BR_NICKNAME_MAX characters of UTF-8, no control characters. */
int br_nickname_ok(const char *s);

/* An AAGUID as text: exactly 36 characters, hex digits with '-' at 8, 13, 18, 23. */
int br_aaguid_text_ok(const char *s);
/* The 16 bytes as lower-case text; out has room for BR_AAGUID_TEXT_LEN + 1. */
void br_aaguid_format(const unsigned char a[16], char *out);
/* 1 for the all-zero AAGUID ("none" attestation, U2F keys). */
int br_aaguid_is_zero(const unsigned char a[16]);

/* An attestation format name: 1..BR_FMT_MAX of [A-Za-z0-9._-]. */
int br_fmt_ok(const char *s);

/* 1 when s is an LDAP attribute descriptor (RFC 4512 keystring: a letter, then letters, digits, '-'), at most 64. */
int br_ldap_descriptor_ok(const char *s);

#endif
