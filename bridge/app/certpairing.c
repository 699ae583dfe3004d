#include "certpairing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/b64url.h"
#include "../core/crypto.h"
#include "../core/x509.h"
#include "events.h"
#include "ratelimit.h"
#include "record.h"
#include "session.h"

#define GO_KIND "certpairgo"
#define RESULT_KIND "certpairok"
#define GO_TTL 300
#define RESULT_TTL 60

static int
pairing_on(const br_app *app)
{
	return br_cert_pairing_offered(app);
}

/* A signed-in My passkeys session, fresh enough to add a way to sign in. */
static br_result
fresh_session(br_app *app, const br_caller *who, const char *session_id, br_session *s)
{
	if (br_session_load(app, session_id, BR_SESSION_SIGNIN, who->now, s) != BR_CACHE_OK)
		return BR_RESULT_FORBIDDEN;
	/* the same rule as adding a passkey: a session left open must not add a card */
	if (who->now - s->auth_instant > app->cfg.enrolment_fresh_signin_s) {
		br_event(app, who, "cert_pair_failure", "signin_too_old", json_pack("{s:s}", "username", s->username));
		return BR_RESULT_REAUTHENTICATE;
	}
	return BR_RESULT_OK;
}

br_result
br_certpair_begin(br_app *app, const br_caller *who, const char *session_id, char **url)
{
	char go[BR_ID_LEN + 1];
	br_session s;
	br_result r;
	json_t *rec;

	*url = NULL;
	memset(&s, 0, sizeof(s));
	if (!pairing_on(app))
		return BR_RESULT_NOT_ENABLED;
	if ((r = br_rate_address(app, who)) != BR_RESULT_OK || (r = fresh_session(app, who, session_id, &s)) != BR_RESULT_OK) {
		br_session_reset(&s);
		return r;
	}
	if ((rec = json_pack("{s:s, s:s}", "session", s.id, "username", s.username)) == NULL)
		r = BR_RESULT_INTERNAL;
	else
		r = br_result_of_cache(br_record_create(app, GO_KIND, rec, GO_TTL, who->now, go), BR_RESULT_UNAVAILABLE);
	json_decref(rec);
	br_session_reset(&s);
	if (r == BR_RESULT_OK && (*url = br_cert_url_with(app->cfg.cert_url, "", "pair", go)) == NULL)
		r = BR_RESULT_INTERNAL;
	return r;
}

br_result
br_certpair_check(br_app *app, const br_caller *who, const char *go, const char *header, int copies,
    br_certsignin_checked *out)
{
	json_t *rec = NULL, *j = NULL;
	char *session = NULL, *username = NULL, *b64 = NULL, rid[BR_ID_LEN + 1];
	br_blob der = { NULL, 0 };
	br_cc_facts f;
	br_result r;
	br_cc_err e;
	const br_cert_group *g = NULL;

	memset(out, 0, sizeof(*out));
	if (!pairing_on(app))
		return BR_RESULT_NOT_ENABLED;
	if ((r = br_rate_address(app, who)) != BR_RESULT_OK)
		return r;
	r = br_result_of_cache(br_record_take(app, GO_KIND, go, who->now, &rec), BR_RESULT_EXPIRED);
	if (r == BR_RESULT_OK && (br_record_str(rec, "session", &session) < 0 || br_record_str(rec, "username", &username) < 0 ||
	    session == NULL || username == NULL))
		r = BR_RESULT_EXPIRED;
	if (r != BR_RESULT_OK)
		goto out;
	/* what sign-in would refuse cannot be paired either */
	if ((e = br_certsignin_judge(app, who, header, copies, &f, &der, &g)) != BR_CC_OK || g == NULL) {
		int none = header == NULL || copies == 0;

		br_event(app, who, "cert_pair_failure", none ? "no_certificate" : br_cc_strerr(e),
		    json_pack("{s:s}", "username", username));
		out->refusal = none ? "cert.none" : br_certsignin_refusal(e);
		r = BR_RESULT_FAILED;
		goto out;
	}
	/* a CA whose certificates find their account by a field: a pairing would never be looked at */
	if (g->ca.match != BR_CERT_MATCH_PAIRING) {
		br_event(app, who, "cert_pair_failure", "mapped_ca", json_pack("{s:s, s:s}", "username", username, "ca", g->ca.name));
		out->refusal = "cert.mapped_ca";
		r = BR_RESULT_FAILED;
		goto out;
	}
	if ((b64 = br_b64url_encode_alloc(der.ptr, der.len)) == NULL ||
	    (j = json_pack("{s:s, s:s, s:s}", "session", session, "username", username, "cert", b64)) == NULL)
		r = BR_RESULT_INTERNAL;
	else
		r = br_result_of_cache(br_record_create(app, RESULT_KIND, j, RESULT_TTL, who->now, rid), BR_RESULT_UNAVAILABLE);
	if (r == BR_RESULT_OK && (out->next = br_cert_url_with(app->cfg.public_url, "/passkeys/certificate/done", "r", rid)) == NULL)
		r = BR_RESULT_INTERNAL;
out:
	json_decref(j);
	json_decref(rec);
	free(b64);
	free(session);
	free(username);
	br_blob_reset(&der);
	return r;
}

br_result
br_certpair_finish(br_app *app, const br_caller *who, const char *session_id, const char *result_id)
{
	json_t *rec = NULL;
	char *rsession = NULL, *username = NULL, *b64 = NULL;
	br_blob der = { NULL, 0 };
	br_cert_pairing p;
	br_cc_facts f;
	br_session s;
	br_user *user = NULL;
	X509 *x = NULL;
	br_result r;
	br_dir_rc rc;

	memset(&s, 0, sizeof(s));
	memset(&p, 0, sizeof(p));
	if (!pairing_on(app))
		return BR_RESULT_NOT_ENABLED;
	r = br_result_of_cache(br_record_take(app, RESULT_KIND, result_id, who->now, &rec), BR_RESULT_EXPIRED);
	if (r == BR_RESULT_OK && (br_record_str(rec, "session", &rsession) < 0 || br_record_str(rec, "username", &username) < 0 ||
	    br_record_str(rec, "cert", &b64) < 0 || rsession == NULL || username == NULL || b64 == NULL ||
	    br_b64url_decode(b64, strlen(b64), &der) < 0 || (x = br_x509_from_der(der.ptr, der.len)) == NULL))
		r = BR_RESULT_EXPIRED;
	if (r != BR_RESULT_OK)
		goto out;
	/* the browser that comes back must hold the session that asked, still signed in as that user */
	if ((r = fresh_session(app, who, session_id, &s)) != BR_RESULT_OK)
		goto out;
	if (!br_ct_equal(s.id, strlen(s.id), rsession, strlen(rsession)) || strcmp(s.username, username) != 0) {
		br_event(app, who, "cert_pair_failure", "other_browser", json_pack("{s:s}", "username", username));
		r = BR_RESULT_FORBIDDEN;
		goto out;
	}
	if ((r = br_result_of_dir(br_dir_find_user(app->dir, username, &user), BR_RESULT_UNKNOWN_ACCOUNT)) != BR_RESULT_OK)
		goto out;
	if (br_cc_facts_get(x, &f) != BR_CC_OK) {
		r = BR_RESULT_EXPIRED;
		goto out;
	}
	memcpy(p.cert_sha256, f.cert_sha256, sizeof(p.cert_sha256));
	memcpy(p.spki_sha256, f.spki_sha256, sizeof(p.spki_sha256));
	memcpy(p.serial, f.serial, sizeof(p.serial));
	p.issuer = f.issuer;
	p.not_after = f.not_after;
	p.cert = der;
	rc = br_dir_add_pairing(app->dir, user, &p);
	memset(&p, 0, sizeof(p));  /* borrowed fields */
	if (rc == BR_DIR_EXISTS) {
		br_event(app, who, "cert_pair_failure", "already_paired",
		    json_pack("{s:s, s:s}", "username", username, "cert_sha256", f.cert_sha256));
		r = BR_RESULT_ALREADY_REGISTERED;
	} else if (rc != BR_DIR_OK) {
		br_event_store(app, who, "cert_pair_failure", "directory_error", json_pack("{s:s}", "username", username));
		r = br_result_of_dir(rc, BR_RESULT_UNAVAILABLE);
	} else {
		br_event(app, who, "cert_paired", NULL, json_pack("{s:s, s:s, s:s, s:s, s:s}", "username", username,
		    "cert_sha256", f.cert_sha256, "issuer", f.issuer, "serial", f.serial, "by", "self"));
	}
out:
	X509_free(x);
	br_blob_reset(&der);
	json_decref(rec);
	free(rsession);
	free(username);
	free(b64);
	br_session_reset(&s);
	br_user_free(&user);
	return r;
}

br_result
br_certpair_list(br_app *app, const br_caller *who, const char *session_id, json_t **out)
{
	br_cert_pairing *list = NULL;
	br_session s;
	json_t *arr;
	size_t n = 0, i;
	br_result r;

	*out = NULL;
	memset(&s, 0, sizeof(s));
	if (!app->cfg.cert_enabled)
		return BR_RESULT_NOT_ENABLED;
	if (br_session_load(app, session_id, BR_SESSION_SIGNIN, who->now, &s) != BR_CACHE_OK)
		return BR_RESULT_FORBIDDEN;
	r = br_result_of_dir(br_dir_list_pairings(app->dir, s.username, NULL, &list, &n), BR_RESULT_FORBIDDEN);
	br_session_reset(&s);
	if (r != BR_RESULT_OK)
		return r;
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "id", list[i].cert_sha256,
		    "nickname", list[i].nickname != NULL ? list[i].nickname : "", "issuer", list[i].issuer, "serial",
		    list[i].serial, "not_after", (json_int_t)list[i].not_after, "created", (json_int_t)list[i].created,
		    "last_used", (json_int_t)list[i].last_used));
	br_cert_pairings_free(&list, n);
	*out = json_pack("{s:o}", "certificates", arr);
	return *out != NULL ? BR_RESULT_OK : BR_RESULT_INTERNAL;
}

br_result
br_certpair_remove(br_app *app, const br_caller *who, const char *session_id, const char *id)
{
	br_session s;
	br_user *user = NULL;
	br_result r;
	br_dir_rc rc;

	memset(&s, 0, sizeof(s));
	if (!app->cfg.cert_enabled)
		return BR_RESULT_NOT_ENABLED;
	if (id == NULL || !br_cert_hash_ok(id))
		return BR_RESULT_BAD_REQUEST;
	if (br_session_load(app, session_id, BR_SESSION_SIGNIN, who->now, &s) != BR_CACHE_OK)
		return BR_RESULT_FORBIDDEN;
	r = br_result_of_dir(br_dir_find_user(app->dir, s.username, &user), BR_RESULT_FORBIDDEN);
	if (r == BR_RESULT_OK) {
		/* named under this user's entry: another user's pairing is not found */
		rc = br_dir_remove_pairing(app->dir, user, id);
		r = br_result_of_dir(rc, BR_RESULT_UNKNOWN_CREDENTIAL);
		if (rc == BR_DIR_OK)
			br_event(app, who, "cert_unpaired", NULL, json_pack("{s:s, s:s, s:s}", "username", user->username,
			    "cert_sha256", id, "by", "self"));
	}
	br_user_free(&user);
	br_session_reset(&s);
	return r;
}
