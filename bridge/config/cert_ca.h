/*
 * Certificate authorities for certificate sign-in, each with its own way of
 * finding the account: [certificate] trust_anchors_file is the first (its
 * match, map_*, revocation and mfa are [certificate]'s), and every
 * [certificate_ca NAME] section adds one more, its unset keys taken from
 * [certificate]. So the My Number Card's CA can use pairings while a
 * university's CA maps a certificate field (docs/certificate-signin.md).
 */
#ifndef BR_CERT_CA_H
#define BR_CERT_CA_H

#include <stddef.h>

#include "config.h"

typedef struct br_cert_ca {
	char *name;
	/* "" when unset; held in place (no allocation per key) */
	char trust_anchors_file[1024];
	int match;                 /* br_cert_match, or -1: as [certificate] */
	char map_field[64];        /* "": as [certificate] */
	char map_attribute[128];
	int revocation;            /* br_cert_revocation, or -1 */
	int mfa;                   /* 0/1, or -1 */
} br_cert_ca;

/*
 * One key of a [certificate_ca NAME] section (section is "certificate_ca NAME").
 * 1 taken, 0 with the reason in why. Called by the config loader.
 */
int br_cert_ca_key(br_config *c, const char *section, const char *name, const char *value, char *why, size_t why_len);
/* The rules of every section (a file, a usable mapping); 0, or -1 with err naming the section. */
int br_cert_ca_check(const br_config *c, char *err, size_t errlen);
void br_cert_ca_free_all(br_config *c);

/* The values a CA works with, its unset ones from [certificate]. i: 0 is [certificate] itself, 1.. the sections. */
typedef struct br_cert_ca_view {
	const char *name;          /* "certificate" for [certificate], else the section's NAME */
	const char *trust_anchors_file;
	br_cert_match match;
	const char *map_field;
	const char *map_attribute;
	br_cert_revocation revocation;
	int mfa;
} br_cert_ca_view;

/* How many CAs there are (0 when [certificate] has no file and no section exists); and the i-th. */
size_t br_cert_ca_count(const br_config *c);
int br_cert_ca_get(const br_config *c, size_t i, br_cert_ca_view *out);

#endif
