/*
 * Optional: a first passkey after the directory password ([enrolment]
 * allow_password, off by default). Only for accounts with no passkey yet,
 * with a per-account hourly limit on password checks.
 */
#include <stdio.h>
#include <string.h>

#include "../core/crypto.h"
#include "guard.h"
#include "routes.h"
#include "session.h"

/* attempts this hour for the account, counted before the bind so failures count too */
static int
too_many(br_app *app, const br_request *req, const char *username)
{
	char key[128], slot[160];
	uint64_t n = 0;

	if (br_guard_counter_key("rl:pw", username, key, sizeof(key)) < 0)
		return 1;
	snprintf(slot, sizeof(slot), "%s:%lld", key, (long long)(req->now / 3600));
	/* fail closed: a password oracle without a limit is worse than no enrolment */
	if (br_cache_incr(app->cache, slot, 7200, &n) != BR_CACHE_OK)
		return 1;
	return n > (uint64_t)app->cfg.enrolment_password_attempts;
}

void
h_api_enrol_password(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	json_t *body;
	const char *username, *password;
	br_user *user = NULL;
	br_dir_rc rc;

	if (!app->cfg.enrolment_allow_password) {
		br_reply_error(app, req, res, 404, "forbidden");
		return;
	}
	if ((body = br_guard_json(app, req, res)) == NULL)
		return;
	username = json_string_value(json_object_get(body, "username"));
	password = json_string_value(json_object_get(body, "password"));
	if (username == NULL || *username == '\0' || password == NULL || *password == '\0') {
		br_reply_error(app, req, res, 400, "bad_request");
		goto out;
	}
	if (br_guard_rate(app, req, res, username, 1) < 0)
		goto out;
	if (too_many(app, req, username)) {
		br_event(app, req, "enrolment_password_refused", "rate_limited", json_pack("{s:s}", "username", username));
		br_reply_error(app, req, res, 429, "rate_limited");
		goto out;
	}
	rc = br_dir_find_user(app->dir, username, &user);
	if (rc == BR_DIR_OK && !user->disabled && user->n_creds == 0)
		rc = br_dir_check_password(app->dir, user, password);
	else if (rc == BR_DIR_OK)
		rc = BR_DIR_EXISTS;
	if (rc != BR_DIR_OK) {
		/* one answer for unknown user and wrong password: no account probing here */
		br_event(app, req, "enrolment_password_refused",
		    rc == BR_DIR_EXISTS ? (user->disabled ? "disabled" : "has_passkeys") : rc == BR_DIR_ERROR ? "directory_error" : "bad_password",
		    json_pack("{s:s}", "username", username));
		br_reply_error(app, req, res, rc == BR_DIR_ERROR ? 503 : 403,
		    rc == BR_DIR_ERROR ? "unavailable" : rc == BR_DIR_EXISTS && !user->disabled ? "has_passkeys" : "failed");
		goto out;
	}
	if (br_session_start(app, req, res, json_pack("{s:s, s:s, s:s}", "kind", "enrol", "username", user->username,
		"via", "password")) < 0) {
		br_reply_error(app, req, res, 503, "unavailable");
		goto out;
	}
	br_event(app, req, "enrolment_password_accepted", NULL, json_pack("{s:s}", "username", user->username));
	br_res_json(res, 200, json_pack("{s:b, s:s}", "ok", 1, "next", "/enroll"));
out:
	br_user_free(&user);
	/* the password is in the body: wipe our copy of it */
	if (password != NULL)
		br_wipe((void *)(uintptr_t)password, strlen(password));
	json_decref(body);
}
