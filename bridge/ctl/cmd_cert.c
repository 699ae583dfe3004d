/*
 * bridgectl's certificate commands: cert pair|list|unpair (the pairings of
 * certificate sign-in) and ssh authorized-keys|export (the same pairings as
 * OpenSSH keys, for sshd's AuthorizedKeysCommand).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../app/audit.h"
#include "../core/clientcert.h"
#include "../core/timefmt.h"
#include "../core/x509.h"
#include "commands.h"
#include "ctl_directory.h"

#define CERT_FILE_MAX 65536
/* An unpair id may be a prefix of the certificate hash, as long as it names one pairing. */
#define ID_PREFIX_MIN 8
/* The key comment: where it came from and which pairing, never personal data. */
#define KEY_COMMENT_HEX 16

/* A certificate file, PEM or DER; NULL with the reason on stderr. */
static X509 *
read_cert(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	br_blob der = { NULL, 0 };
	size_t n = 0;
	X509 *x = NULL;

	if (f == NULL) {
		fprintf(stderr, "bridgectl: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if ((buf = malloc(CERT_FILE_MAX + 1)) != NULL)
		n = fread(buf, 1, CERT_FILE_MAX + 1, f);
	fclose(f);
	if (buf == NULL || n == 0 || n > CERT_FILE_MAX) {
		fprintf(stderr, "bridgectl: %s: empty, unreadable or over %d bytes\n", path, CERT_FILE_MAX);
		free(buf);
		return NULL;
	}
	/* PEM goes through the same parser as the forwarded header; anything else must be one DER certificate */
	if (br_cc_header_decode((const char *)buf, n, &der) == BR_CC_OK)
		x = br_x509_from_der(der.ptr, der.len);
	else
		x = br_x509_from_der(buf, n);
	br_blob_reset(&der);
	free(buf);
	if (x == NULL)
		fprintf(stderr, "bridgectl: %s: not one PEM or DER certificate\n", path);
	return x;
}

static void
print_json(json_t *j)
{
	char *s = j != NULL ? json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;

	if (s != NULL)
		printf("%s\n", s);
	free(s);
	json_decref(j);
}

static void
audit(struct ctl *c, const char *event, json_t *fields)
{
	br_audit *a = br_audit_open(c->cfg.audit_log);
	char admin[64];

	if (a != NULL) {
		/* who did it, like every other bridgectl change */
		ctl_admin(admin, sizeof(admin));
		if (fields != NULL)
			json_object_set_new(fields, "admin", json_string(admin));
		br_audit_event(a, event, fields);
		br_audit_close(&a);
	} else
		json_decref(fields);
}

/* The configured anchors, or NULL when none are configured (-1 in *bad when they do not load). */
static br_cc_anchors *
load_anchors(const char *path, int *bad)
{
	FILE *f;
	char *buf;
	size_t n;
	br_cc_anchors *a;

	*bad = 0;
	if (path == NULL)
		return NULL;
	*bad = 1;
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	buf = malloc(1 << 20);
	n = buf != NULL ? fread(buf, 1, 1 << 20, f) : 0;
	fclose(f);
	if ((a = br_cc_anchors_new()) != NULL && (n == 0 || br_cc_anchors_add_pem(a, buf, n) != 0))
		br_cc_anchors_free(&a);
	free(buf);
	if (a != NULL)
		*bad = 0;
	return a;
}

/* The checks a pairing must pass now: meant for sign-in, and (with anchors) from a configured CA and valid. */
static int
pairable(struct ctl *c, X509 *x, const char *path)
{
	br_cc_anchors *a;
	br_cc_err e;
	int bad;

	if ((e = br_cc_check_usage(x, (const char *const *)c->cfg.cert_refused_policies.v,
	    c->cfg.cert_refused_policies.n)) != BR_CC_OK) {
		fprintf(stderr, "bridgectl: %s: %s: %s\n", path, br_cc_strerr(e),
		    e == BR_CC_SIGNATURE_CERT ? "a signature certificate cannot be paired for sign-in; "
		    "use the card's user-authentication certificate" : "not a certificate for client authentication");
		return 0;
	}
	a = load_anchors(c->cfg.cert_trust_anchors_file, &bad);
	if (bad) {
		fprintf(stderr, "bridgectl: [certificate] trust_anchors_file: cannot load %s\n", c->cfg.cert_trust_anchors_file);
		return 0;
	}
	if (a == NULL)
		return 1;
	/* revocation is the sign-in's business: a CRL a week old must not block pairing a new card */
	e = br_cc_verify(a, x, 0, (int64_t)time(NULL));
	br_cc_anchors_free(&a);
	if (e != BR_CC_OK) {
		fprintf(stderr, "bridgectl: %s: %s (against [certificate] trust_anchors_file)\n", path, br_cc_strerr(e));
		return 0;
	}
	return 1;
}

static json_t *
pairing_json(const br_cert_pairing *p)
{
	char na[24], cr[24], lu[24];
	json_t *j;

	br_time_to_iso(p->not_after, na, sizeof(na));
	br_time_to_iso(p->created, cr, sizeof(cr));
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", p->cert_sha256, "spki_sha256", p->spki_sha256,
	    "issuer", p->issuer, "serial", p->serial, "not_after", na, "created", cr);
	if (j != NULL) {
		json_object_set_new(j, "nickname", p->nickname != NULL ? json_string(p->nickname) : json_null());
		if (p->last_used != 0 && br_time_to_iso(p->last_used, lu, sizeof(lu)) == 0)
			json_object_set_new(j, "last_used", json_string(lu));
		else
			json_object_set_new(j, "last_used", json_null());
	}
	return j;
}

static int
cert_pair(struct ctl *c, const char *username, const char *path, const char *nickname)
{
	br_cert_pairing p;
	br_cc_facts f;
	br_user *u = NULL;
	X509 *x;
	unsigned char *der = NULL;
	br_dir_rc r;
	int n, rc = 1;

	memset(&p, 0, sizeof(p));
	if ((x = read_cert(path)) == NULL)
		return 1;
	if (!pairable(c, x, path) || br_cc_facts_get(x, &f) != BR_CC_OK || (n = i2d_X509(x, &der)) <= 0) {
		X509_free(x);
		return 1;
	}
	X509_free(x);
	memcpy(p.cert_sha256, f.cert_sha256, sizeof(p.cert_sha256));
	memcpy(p.spki_sha256, f.spki_sha256, sizeof(p.spki_sha256));
	memcpy(p.serial, f.serial, sizeof(p.serial));
	p.issuer = f.issuer;
	p.not_after = f.not_after;
	p.nickname = (char *)nickname;
	p.cert.ptr = der;
	p.cert.len = (size_t)n;
	if ((u = ctl_find_user(c, username)) == NULL)
		goto out;
	r = br_dir_add_pairing(c->dir, u, &p);
	switch (r) {
	case BR_DIR_OK:
		printf("paired %s with %s\n", f.cert_sha256, u->username);
		audit(c, "cert_paired", json_pack("{s:s, s:s, s:s, s:s, s:s}", "username", u->username,
		    "cert_sha256", f.cert_sha256, "issuer", f.issuer, "serial", f.serial, "by", "bridgectl"));
		rc = 0;
		break;
	case BR_DIR_EXISTS:
		fprintf(stderr, "bridgectl: %s: this certificate is already paired (with this or another account)\n", path);
		break;
	case BR_DIR_INVALID:
		fprintf(stderr, "bridgectl: %s: refused (nickname: 1-64 characters, no controls)\n", path);
		break;
	default:
		fprintf(stderr, "bridgectl: %s: directory error\n", username);
	}
out:
	OPENSSL_free(der);
	br_user_free(&u);
	return rc;
}

static int
cert_list(struct ctl *c, const char *username)
{
	br_cert_pairing *list = NULL;
	size_t n = 0, i;
	json_t *arr;
	br_dir_rc r = br_dir_list_pairings(c->dir, username, NULL, &list, &n);

	if (r != BR_DIR_OK) {
		fprintf(stderr, "bridgectl: %s: %s\n", username, r == BR_DIR_NOT_FOUND ? "no such user" : "directory error");
		return 1;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, pairing_json(&list[i]));
	print_json(arr);
	br_cert_pairings_free(&list, n);
	return 0;
}

static int
cert_unpair(struct ctl *c, const char *username, const char *id)
{
	br_cert_pairing *list = NULL;
	br_user *u = NULL;
	size_t n = 0, i, len = strlen(id), hits = 0, which = 0;
	br_dir_rc r;
	int rc = 1;

	if (len < ID_PREFIX_MIN || len > 64 || strspn(id, "0123456789abcdef") != len) {
		fprintf(stderr, "bridgectl: %s: an id is the certificate's SHA-256 in lowercase hex "
		    "(or its first %d+ digits), as cert list shows\n", id, ID_PREFIX_MIN);
		return 2;
	}
	if ((r = br_dir_list_pairings(c->dir, username, &u, &list, &n)) != BR_DIR_OK) {
		fprintf(stderr, "bridgectl: %s: %s\n", username, r == BR_DIR_NOT_FOUND ? "no such user" : "directory error");
		return 1;
	}
	for (i = 0; i < n; i++)
		if (strncmp(list[i].cert_sha256, id, len) == 0) {
			hits++;
			which = i;
		}
	if (hits != 1) {
		fprintf(stderr, "bridgectl: %s: %s\n", id, hits == 0 ? "no such pairing for this user" : "names several pairings; give more digits");
		goto out;
	}
	r = br_dir_remove_pairing(c->dir, u, list[which].cert_sha256);
	if (r != BR_DIR_OK) {
		fprintf(stderr, "bridgectl: %s: %s\n", id, r == BR_DIR_NOT_FOUND ? "no such pairing for this user" : "directory error");
		goto out;
	}
	printf("unpaired %s from %s\n", list[which].cert_sha256, u->username);
	audit(c, "cert_unpaired", json_pack("{s:s, s:s, s:s}", "username", u->username,
	    "cert_sha256", list[which].cert_sha256, "by", "bridgectl"));
	rc = 0;
out:
	br_cert_pairings_free(&list, n);
	br_user_free(&u);
	return rc;
}

static char *
key_line(X509 *x, const char *cert_sha256)
{
	char comment[64];

	snprintf(comment, sizeof(comment), "fido-bridge-cert:%.*s", KEY_COMMENT_HEX, cert_sha256);
	return br_cc_ssh_rsa_line(x, comment);
}

/*
 * sshd's AuthorizedKeysCommand: one search, then a line per paired RSA key
 * whose certificate is still valid. A disabled or unknown account gets no
 * line; a directory failure exits 1 (sshd then allows no key from here).
 */
static int
ssh_authorized_keys(struct ctl *c, const char *username)
{
	br_cert_pairing *list = NULL;
	br_user *u = NULL;
	size_t n = 0, i;
	int64_t now = (int64_t)time(NULL);
	br_dir_rc r = br_dir_list_pairings(c->dir, username, &u, &list, &n);

	if (r == BR_DIR_NOT_FOUND || r == BR_DIR_INVALID)
		return 0;
	if (r != BR_DIR_OK) {
		fprintf(stderr, "bridgectl: %s: directory error\n", username);
		return 1;
	}
	for (i = 0; i < n && !u->disabled; i++) {
		X509 *x;
		char *line;

		if (list[i].not_after <= now || (x = br_x509_from_der(list[i].cert.ptr, list[i].cert.len)) == NULL)
			continue;
		if ((line = key_line(x, list[i].cert_sha256)) != NULL)
			printf("%s\n", line);
		free(line);
		X509_free(x);
	}
	br_cert_pairings_free(&list, n);
	br_user_free(&u);
	return fflush(stdout) == 0 ? 0 : 1;
}

static int
ssh_export(const char *path)
{
	br_cc_facts f;
	char *line;
	X509 *x = read_cert(path);

	if (x == NULL)
		return 1;
	if (br_cc_facts_get(x, &f) != BR_CC_OK || (line = key_line(x, f.cert_sha256)) == NULL) {
		fprintf(stderr, "bridgectl: %s: the key is not RSA (OpenSSH ssh-rsa lines only)\n", path);
		X509_free(x);
		return 1;
	}
	printf("%s\n", line);
	free(line);
	X509_free(x);
	return 0;
}

int
cmd_cert(int argc, char **argv)
{
	struct ctl c;
	const char *config, *nickname = NULL;
	char *pos[3], **rest;
	int n, i, m = 0, rc;

	/* --nickname NAME is this command's own; the rest are the shared options */
	if ((rest = calloc((size_t)argc + 1, sizeof(char *))) == NULL)
		return 1;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--nickname") == 0 && i + 1 < argc)
			nickname = argv[++i];
		else
			rest[m++] = argv[i];
	}
	n = ctl_parse_args(m, rest, &config, NULL, pos, 3);
	free(rest);
	if (n < 2 || !((n == 3 && strcmp(pos[0], "pair") == 0) || (n == 2 && strcmp(pos[0], "list") == 0) ||
	    (n == 3 && strcmp(pos[0], "unpair") == 0)) || (nickname != NULL && strcmp(pos[0], "pair") != 0)) {
		fprintf(stderr, "usage: bridgectl cert pair USER CERT.pem [--nickname NAME] [--config FILE]\n"
				"       bridgectl cert list USER [--config FILE]\n"
				"       bridgectl cert unpair USER ID [--config FILE]\n");
		return 2;
	}
	if (ctl_open_directory(&c, config) < 0)
		return 1;
	if (strcmp(pos[0], "pair") == 0)
		rc = cert_pair(&c, pos[1], pos[2], nickname);
	else if (strcmp(pos[0], "list") == 0)
		rc = cert_list(&c, pos[1]);
	else
		rc = cert_unpair(&c, pos[1], pos[2]);
	ctl_close_directory(&c);
	return rc;
}

int
cmd_ssh(int argc, char **argv)
{
	struct ctl c;
	const char *config;
	char *pos[2];
	int n = ctl_parse_args(argc, argv, &config, NULL, pos, 2), rc;

	if (n == 2 && strcmp(pos[0], "export") == 0)
		return ssh_export(pos[1]);
	if (n != 2 || strcmp(pos[0], "authorized-keys") != 0) {
		fprintf(stderr, "usage: bridgectl ssh authorized-keys USER [--config FILE]\n"
				"       bridgectl ssh export CERT.pem\n");
		return 2;
	}
	if (ctl_open_directory(&c, config) < 0)
		return 1;
	rc = ssh_authorized_keys(&c, pos[1]);
	ctl_close_directory(&c);
	return rc;
}
