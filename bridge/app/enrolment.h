/*
 * One-time enrolment codes. The directory keeps only
 * "v1$<salt b64url>$<SHA-256(salt || code) b64url>$<YYYYMMDDHHMMSSZ expiry>"
 * (ldap-schema/README.md), so a directory dump reveals no usable code.
 */
#ifndef BR_ENROLMENT_H
#define BR_ENROLMENT_H

#include <stddef.h>
#include <stdint.h>

#define BR_ENROL_CODE_LEN 12

/* A fresh code (BR_ENROL_CODE_LEN chars, no look-alike characters) and its stored value. */
int br_enrol_make(int64_t expires, char code[BR_ENROL_CODE_LEN + 1], char *value, size_t cap);

/*
 * Which stored value (index) this code opens, or -1. Expired values never
 * match; every value is hashed and compared in constant time.
 */
int br_enrol_match(const char *code, char *const *values, size_t n, int64_t now);
/* The same; when nothing matches, *expired says whether the code was right but past its expiry. */
int br_enrol_find(const char *code, char *const *values, size_t n, int64_t now, int *expired);

/* Expiry of a stored value (unix seconds), or -1 when malformed. */
int64_t br_enrol_expiry(const char *value);

#endif
