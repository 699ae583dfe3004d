/*
 * Certificate pairings (store/directory.c, store/ldap/pairing.c) against a
 * real slapd with the project's schema and access rules, bound as the bridge:
 * add (one per certificate, across users), list by owner in one search, find
 * by hash with the owner, last-used, remove, and bad input changing nothing.
 * The certificates come from the test PKI (tests/certs/testca.c).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "clientcert.h"
#include "directory.h"
#include "testca.h"

static const char *
need_env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0') {
		fprintf(stderr, "%s not set: run me through tests/integration/with-services.sh --slapd\n", name);
		exit(1);
	}
	return v;
}

/* A pairing record for certificate x, as bridgectl cert pair makes it. */
static void
pairing_of(X509 *x, const char *nickname, br_cert_pairing *p)
{
	br_cc_facts f;
	unsigned char *der = NULL;
	int n;

	memset(p, 0, sizeof(*p));
	CHECK(br_cc_facts_get(x, &f) == BR_CC_OK);
	memcpy(p->cert_sha256, f.cert_sha256, sizeof(p->cert_sha256));
	memcpy(p->spki_sha256, f.spki_sha256, sizeof(p->spki_sha256));
	memcpy(p->serial, f.serial, sizeof(p->serial));
	CHECK((p->issuer = strdup(f.issuer)) != NULL);
	p->not_after = f.not_after;
	p->nickname = nickname != NULL ? strdup(nickname) : NULL;
	CHECK((n = i2d_X509(x, &der)) > 0 && br_blob_set(&p->cert, der, (size_t)n) == 0);
	OPENSSL_free(der);
}

static size_t
count_of(br_directory *d, const char *user)
{
	br_cert_pairing *list = NULL;
	size_t n = 99;

	CHECK(br_dir_list_pairings(d, user, NULL, &list, &n) == BR_DIR_OK);
	br_cert_pairings_free(&list, n);
	return n;
}

int
main(void)
{
	static const char *const attrs[] = { "mail" };
	br_directory_options o;
	br_directory *d;
	br_user *alice = NULL, *bob = NULL, *owner = NULL;
	br_cert_pairing pa, pa2, pb, found, *list = NULL, bad;
	tca_set pki;
	size_t n = 0;
	char err[256] = "";
	int64_t now = (int64_t)time(NULL);

	CHECK(tca_make(&pki, now) == 0);
	memset(&o, 0, sizeof(o));
	o.uri = need_env("LDAP_URI");
	o.bind_dn = need_env("LDAP_BRIDGE_DN");
	o.bind_password = need_env("LDAP_BRIDGE_PW");
	o.user_base = need_env("LDAP_PEOPLE_BASE");
	o.username_attribute = "uid";
	o.attributes = attrs;
	o.n_attributes = 1;
	o.timeout_ms = 2000;
	o.last_used_interval_s = 3600;
	if ((d = br_directory_open(&o, err, sizeof(err))) == NULL)
		fprintf(stderr, "open: %s\n", err);
	CHECK(d != NULL);
	CHECK(br_dir_find_user(d, "alice", &alice) == BR_DIR_OK);
	CHECK(br_dir_find_user(d, "bob", &bob) == BR_DIR_OK);
	CHECK(count_of(d, "alice") == 0);

	/* pair, and the same card is nobody else's */
	pairing_of(pki.leaf[TCA_AUTH], "My Number Card", &pa);
	CHECK(br_dir_add_pairing(d, alice, &pa) == BR_DIR_OK);
	CHECK(br_dir_add_pairing(d, alice, &pa) == BR_DIR_EXISTS);
	CHECK(br_dir_add_pairing(d, bob, &pa) == BR_DIR_EXISTS);
	CHECK(count_of(d, "bob") == 0);

	/* what was stored comes back */
	CHECK(br_dir_list_pairings(d, "alice", NULL, &list, &n) == BR_DIR_OK && n == 1);
	CHECK(strcmp(list[0].cert_sha256, pa.cert_sha256) == 0 && strcmp(list[0].spki_sha256, pa.spki_sha256) == 0);
	CHECK(strcmp(list[0].serial, "1001") == 0 && strcmp(list[0].issuer, pa.issuer) == 0);
	CHECK(list[0].not_after == pa.not_after && list[0].created > now - 60 && list[0].last_used == 0);
	CHECK(strcmp(list[0].nickname, "My Number Card") == 0 && strcmp(list[0].owner, "alice") == 0);
	CHECK(list[0].cert.len == pa.cert.len && memcmp(list[0].cert.ptr, pa.cert.ptr, pa.cert.len) == 0);
	CHECK(strncmp(list[0].dn, "fidoCertSha256=", 15) == 0);
	br_cert_pairings_free(&list, n);

	/* the renewed card is a second pairing, listed after the first */
	pairing_of(pki.leaf[TCA_AUTH2], NULL, &pa2);
	pa2.created = now + 10;
	CHECK(br_dir_add_pairing(d, alice, &pa2) == BR_DIR_OK);
	CHECK(br_dir_list_pairings(d, "alice", NULL, &list, &n) == BR_DIR_OK && n == 2);
	CHECK(strcmp(list[0].cert_sha256, pa.cert_sha256) == 0 && strcmp(list[1].cert_sha256, pa2.cert_sha256) == 0);
	CHECK(list[1].nickname == NULL);
	br_cert_pairings_free(&list, n);

	/* find by hash: the pairing and its owner */
	CHECK(br_dir_find_pairing(d, pa.cert_sha256, &owner, &found) == BR_DIR_OK);
	CHECK(owner != NULL && strcmp(owner->username, "alice") == 0 && strcmp(owner->dn, alice->dn) == 0);
	CHECK(strcmp(found.cert_sha256, pa.cert_sha256) == 0);
	/* last used: written once, then not again within the interval */
	CHECK(br_dir_pairing_used(d, &found, now) == BR_DIR_OK);
	br_user_free(&owner);
	br_cert_pairing_clear(&found);
	CHECK(br_dir_find_pairing(d, pa.cert_sha256, &owner, &found) == BR_DIR_OK && found.last_used == now);
	br_user_free(&owner);
	br_cert_pairing_clear(&found);

	/* a certificate nobody paired */
	pairing_of(pki.leaf[TCA_UNI], NULL, &pb);
	CHECK(br_dir_find_pairing(d, pb.cert_sha256, &owner, &found) == BR_DIR_NOT_FOUND && owner == NULL);
	CHECK(found.dn == NULL);

	/* bad input: refused before LDAP, nothing written */
	bad = pb;
	bad.cert_sha256[0] = 'G';
	CHECK(br_dir_add_pairing(d, bob, &bad) == BR_DIR_INVALID);
	bad = pb;
	bad.nickname = (char *)"bad\nname";
	CHECK(br_dir_add_pairing(d, bob, &bad) == BR_DIR_INVALID);
	bad = pb;
	bad.serial[0] = 'z';
	CHECK(br_dir_add_pairing(d, bob, &bad) == BR_DIR_INVALID);
	bad = pb;
	bad.cert.len = 0;
	CHECK(br_dir_add_pairing(d, bob, &bad) == BR_DIR_INVALID);
	CHECK(count_of(d, "bob") == 0);
	CHECK(br_dir_find_pairing(d, "ABC", &owner, &found) == BR_DIR_INVALID);
	CHECK(br_dir_remove_pairing(d, alice, "not-a-hash") == BR_DIR_INVALID);
	/* a filter in a username is a value, never a filter */
	CHECK(br_dir_list_pairings(d, "*", NULL, &list, &n) == BR_DIR_NOT_FOUND && list == NULL && n == 0);
	CHECK(br_dir_list_pairings(d, "alice)(fidoCertOwner=*", NULL, &list, &n) == BR_DIR_NOT_FOUND);
	/* the user entry comes with the list, from the same search */
	CHECK(br_dir_list_pairings(d, "alice", &owner, &list, &n) == BR_DIR_OK && n == 2);
	CHECK(owner != NULL && strcmp(owner->dn, alice->dn) == 0 && !owner->disabled);
	br_user_free(&owner);
	br_cert_pairings_free(&list, n);
	CHECK(br_dir_list_pairings(d, "nobody-here", NULL, &list, &n) == BR_DIR_NOT_FOUND);

	/* remove: only the owner's, then it is gone everywhere */
	CHECK(br_dir_remove_pairing(d, bob, pa.cert_sha256) == BR_DIR_NOT_FOUND);
	CHECK(br_dir_remove_pairing(d, alice, pa.cert_sha256) == BR_DIR_OK);
	CHECK(br_dir_remove_pairing(d, alice, pa.cert_sha256) == BR_DIR_NOT_FOUND);
	CHECK(br_dir_find_pairing(d, pa.cert_sha256, &owner, &found) == BR_DIR_NOT_FOUND);
	CHECK(count_of(d, "alice") == 1);
	/* unpaired, the card may be paired again (to anyone) */
	CHECK(br_dir_add_pairing(d, bob, &pa) == BR_DIR_OK);
	CHECK(count_of(d, "bob") == 1);
	CHECK(br_dir_remove_pairing(d, bob, pa.cert_sha256) == BR_DIR_OK);
	CHECK(br_dir_remove_pairing(d, alice, pa2.cert_sha256) == BR_DIR_OK);
	CHECK(count_of(d, "alice") == 0);

	/* match = mapping: one user by an attribute */
	CHECK(br_dir_find_user_by(d, "mail", "alice@example.edu", &owner) == BR_DIR_OK && strcmp(owner->username, "alice") == 0);
	br_user_free(&owner);
	CHECK(br_dir_find_user_by(d, "mail", "nobody@example.edu", &owner) == BR_DIR_NOT_FOUND && owner == NULL);
	CHECK(br_dir_find_user_by(d, "mail", "*", &owner) == BR_DIR_NOT_FOUND);          /* a value, not a filter */
	CHECK(br_dir_find_user_by(d, "mail)(uid=*", "x", &owner) == BR_DIR_INVALID);     /* not a descriptor */
	CHECK(br_dir_find_user_by(d, "mail", "", &owner) == BR_DIR_INVALID);
	CHECK(br_dir_find_user_by(d, "objectClass", "inetOrgPerson", &owner) == BR_DIR_ERROR && owner == NULL);  /* several */

	br_cert_pairing_clear(&pa);
	br_cert_pairing_clear(&pa2);
	br_cert_pairing_clear(&pb);
	br_user_free(&alice);
	br_user_free(&bob);
	br_directory_close(&d);
	tca_free(&pki);
	puts("pairing: all checks passed");
	return 0;
}
