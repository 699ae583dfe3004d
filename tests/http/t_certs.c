/*
 * HTTP tests: certificate sign-in's self-service pairing from My passkeys
 * ("Add My Number Card"), on a stack with [certificate] enabled that trusts
 * 127.0.0.2 as the TLS front (tests/certs/run-http-certs.sh makes the test
 * PKI and the stack). The front's part, the forwarded header, is sent here
 * from 127.0.0.2 as RFC 9440 Client-Cert; the real nginx is
 * tests/certs/test_nginx_front.sh's part. Then the paired card signs in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "cases.h"
#include "ceremonies.h"
#include "client.h"
#include "harness.h"
#include "softkey.h"
#include "stack.h"
#include "tools.h"

/* "Client-Cert: :BASE64(DER):" for a PEM file of the test PKI. */
static char *
client_cert_header(const char *name)
{
	char path[1024], *h;
	const char *pki = getenv("CERT_PKI");
	unsigned char *der = NULL, *b64;
	FILE *f;
	X509 *x;
	int n = 0;

	REQUIRE(pki != NULL);
	snprintf(path, sizeof(path), "%s/%s.pem", pki, name);
	REQUIRE((f = fopen(path, "r")) != NULL);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	REQUIRE(x != NULL);
	n = i2d_X509(x, &der);
	REQUIRE(n > 0);
	X509_free(x);
	b64 = malloc((size_t)(n + 2) / 3 * 4 + 1);
	REQUIRE(b64 != NULL && EVP_EncodeBlock(b64, der, n) > 0);
	OPENSSL_free(der);
	h = malloc(strlen((char *)b64) + 32);
	sprintf(h, "Client-Cert: :%s:", (char *)b64);
	free(b64);
	return h;
}

/* The bridge's own address, as the front reaches it. */
static char *
direct_url(const char *path_query)
{
	const char *port = strrchr(E.bridge, ':');
	char *u = malloc(strlen(path_query) + 64);

	sprintf(u, "http://127.0.0.1%s%s", port, path_query);
	return u;
}

/* whether the last front() answer was the "needs no pairing" page */
static int last_front_body_has_no_pairing;

/* The certificate host's step from the trusted front: the status, and the Location in *next (malloc'd). */
static long
front(const char *location, const char *cert, char **next)
{
	hc_browser *p = hc_browser_new(NULL);
	const char *q = strchr(location, '?');
	char *hdr = cert != NULL ? client_cert_header(cert) : NULL, *path, *url;
	const char *headers[3] = { "Host: cert.localhost", hdr, NULL };
	hc_resp r = { 0 };
	long st;

	REQUIRE(q != NULL);
	path = malloc(strlen(q) + 32);
	sprintf(path, "/authn/certificate%s", q);
	url = direct_url(path);
	hc_browser_source(p, "127.0.0.2");
	st = hc_request(p, "GET", url, NULL, 0, headers, 0, &r);
	*next = hc_header_get(&r, "Location") != NULL ? strdup(hc_header_get(&r, "Location")) : NULL;
	if (st == 403)
		th_note("front: %.*s", 200, strstr(r.body, "<h1>") ? strstr(r.body, "<h1>") : r.body);
	last_front_body_has_no_pairing = st == 403 && strstr(r.body, "needs no pairing") != NULL;
	hc_resp_reset(&r);
	hc_browser_free(p);
	free(hdr);
	free(path);
	free(url);
	return st;
}

/* From My passkeys to the certificate host: the go-ahead's Location. */
static char *
pair_start(hc_browser *s)
{
	hc_resp r = { 0 };
	char *loc;

	bget(s, "/passkeys/certificate/start", &r);
	REQUIRE_STATUS(&r, 303);
	loc = strdup(hc_header_get(&r, "Location"));
	CHECKF(starts_with(loc, "https://cert.localhost/authn/certificate?pair="), "go-ahead %s", loc);
	hc_resp_reset(&r);
	return loc;
}

void
t_cert_self_pairing(void)
{
	sk_key k;
	hc_browser *s, *anon = browser(), *b, *b2;
	hc_resp r = { 0 };
	char *go, *next, *fin, *id = NULL, body[128];
	json_t *res;
	long st;

	sk_key_new(&k);
	enrol("alice", &k, "laptop");
	s = signin_local(&k);

	/* My passkeys offers it, with the PIN warning */
	bget(s, "/passkeys", &r);
	REQUIRE_STATUS(&r, 200);
	CHECK(strstr(r.body, "data-cert=\"1\"") != NULL && strstr(r.body, "href=\"/passkeys/certificate/start\"") != NULL);
	CHECK(strstr(r.body, "Add My Number Card") != NULL && strstr(r.body, "three wrong PINs") != NULL);
	/* no session, no go-ahead */
	bget(anon, "/passkeys/certificate/start", &r);
	EXPECT_STATUS(&r, 403);

	/* a result opened by a browser without the session pairs nothing, and is spent */
	go = pair_start(s);
	CHECK_INT(front(go, "auth", &next), 303);
	REQUIRE(next != NULL && starts_with(next, E.bridge) && strstr(next, "/passkeys/certificate/done?r=") != NULL);
	bget(anon, next, &r);
	EXPECT_STATUS(&r, 403);
	bget(s, next, &r);
	EXPECT_STATUS(&r, 400);
	CHECK_INT(audit_count("cert_paired", NULL), 0);
	free(go);
	free(next);

	/* the signature certificate cannot be paired */
	go = pair_start(s);
	CHECK_INT(front(go, "sign", &next), 403);
	CHECK(next == NULL);
	free(go);
	/* no certificate from the front */
	go = pair_start(s);
	CHECK_INT(front(go, NULL, &next), 403);
	free(go);
	/* a certificate of the CA that maps ([certificate_ca university]): nothing to pair */
	go = pair_start(s);
	CHECK_INT(front(go, "uni", &next), 403);
	CHECK(next == NULL);
	CHECK(last_front_body_has_no_pairing);
	CHECK_INT(audit_count("cert_pair_failure", "mapped_ca"), 1);
	free(go);

	/* the card, for the session that asked */
	go = pair_start(s);
	CHECK_INT(front(go, "auth", &next), 303);
	REQUIRE(next != NULL);
	/* the go-ahead is spent */
	CHECK_INT(front(go, "auth", &fin), 400);
	free(fin);
	bget(s, next, &r);
	EXPECT_STATUS(&r, 200);
	CHECK(strstr(r.body, "Your card is paired") != NULL);
	CHECK_INT(audit_count("cert_paired", NULL), 1);
	bget(s, next, &r);
	EXPECT_STATUS(&r, 400);       /* one use */
	free(go);
	free(next);

	/* the same card again: already paired */
	go = pair_start(s);
	CHECK_INT(front(go, "auth", &next), 303);
	REQUIRE(next != NULL);
	bget(s, next, &r);
	EXPECT_STATUS(&r, 409);
	CHECK(strstr(r.body, "already paired") != NULL);
	free(go);
	free(next);

	/* My passkeys lists it (and only alice's) */
	bget(s, "/api/certificates", &r);
	REQUIRE_STATUS(&r, 200);
	REQUIRE(json_array_size(json_object_get(r.json, "certificates")) == 1);
	{
		json_t *c = json_array_get(json_object_get(r.json, "certificates"), 0);

		CHECK(strlen(json_string_value(json_object_get(c, "id"))) == 64);
		CHECK(strstr(json_string_value(json_object_get(c, "issuer")), "JPKI for user authentication") != NULL);
		CHECK(json_integer_value(json_object_get(c, "not_after")) > json_integer_value(json_object_get(c, "created")));
		id = strdup(json_string_value(json_object_get(c, "id")));
	}
	bget(anon, "/api/certificates", &r);
	EXPECT_ERROR(&r, 403, "forbidden");

	/* and now the card signs alice in through the IdP */
	b = browser();
	idp_begin(b, "entity=https%3A%2F%2Fsp.example.org%2Fshibboleth");
	bget(b, "/authn/certificate/start", &r);
	REQUIRE_STATUS(&r, 303);
	go = strdup(hc_header_get(&r, "Location"));
	st = front(go, "auth", &next);
	REQUIRE(st == 303 && next != NULL);
	bget(b, next, &r);
	REQUIRE_STATUS(&r, 303);
	CHECK_STR(hc_header_get(&r, "Location"), "/authn/finish");
	fin = bridge_finish(b);
	res = idp_result(b, fin, &st);
	REQUIRE(res != NULL);
	CHECK(json_is_true(json_object_get(res, "ok")));
	CHECK_STR(json_string_value(json_object_get(res, "principal")), "alice");
	CHECK(json_is_true(json_object_get(res, "uv")));
	json_decref(res);
	free(go);
	free(next);
	free(fin);

	/* removed from My passkeys: an id that is not hers is not found, hers goes, and the card no longer signs in */
	bpost(s, "/api/certificates/delete", "{\"id\":\"0000000000000000000000000000000000000000000000000000000000000000\"}", &r);
	EXPECT_STATUS(&r, 404);
	bpost(s, "/api/certificates/delete", "{\"id\":\"not-hex\"}", &r);
	EXPECT_ERROR(&r, 400, "bad_request");
	snprintf(body, sizeof(body), "{\"id\":\"%s\"}", id);
	bpost(anon, "/api/certificates/delete", body, &r);
	EXPECT_ERROR(&r, 403, "forbidden");
	bpost(s, "/api/certificates/delete", body, &r);
	EXPECT_STATUS(&r, 200);
	CHECK_INT(audit_count("cert_unpaired", NULL), 1);
	bget(s, "/api/certificates", &r);
	CHECK(json_array_size(json_object_get(r.json, "certificates")) == 0);
	b2 = browser();
	idp_begin(b2, "entity=https%3A%2F%2Fsp.example.org%2Fshibboleth");
	bget(b2, "/authn/certificate/start", &r);
	REQUIRE_STATUS(&r, 303);
	go = strdup(hc_header_get(&r, "Location"));
	CHECK_INT(front(go, "auth", &next), 403);
	free(go);
	free(next);
	free(id);
	hc_browser_free(b2);
	hc_resp_reset(&r);
	hc_browser_free(b);
	hc_browser_free(s);
	hc_browser_free(anon);
	sk_key_free(&k);
}
