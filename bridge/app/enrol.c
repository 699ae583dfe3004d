#include "enrol.h"

#include <stdlib.h>
#include <string.h>

#include "../core/crypto.h"
#include "../core/timefmt.h"
#include "enrolment.h"
#include "events.h"
#include "ratelimit.h"
#include "session.h"

void
br_enrol_view_reset(br_enrol_view *v)
{
	free(v->username);
	free(v->display_name);
	memset(v, 0, sizeof(*v));
}

static br_result
view_of(const br_user *user, br_enrol_view *out)
{
	out->username = strdup(user->username);
	out->display_name = strdup(br_user_display_name(user));
	return out->username != NULL && out->display_name != NULL ? BR_RESULT_OK : BR_RESULT_INTERNAL;
}

br_result
br_enrol_open_link(br_app *app, const br_caller *who, const char *username, const char *code, int start,
    br_enrol_view *out)
{
	br_user *user = NULL;
	br_session s;
	br_dir_rc rc;
	br_result r;
	int i = -1, expired = 0;

	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	if ((r = br_rate_address(app, who)) != BR_RESULT_OK)
		return r;
	rc = br_dir_find_user(app->dir, username, &user);
	if (rc == BR_DIR_ERROR) {
		br_event_store(app, who, "enrolment_link_refused", "directory_error", json_pack("{s:s}", "username", username));
		return BR_RESULT_UNAVAILABLE;
	}
	/* guessing codes for one account is slowed down however its name is spelled */
	if ((r = br_rate_account(app, who, username, rc == BR_DIR_OK ? user->dn : NULL)) != BR_RESULT_OK) {
		br_user_free(&user);
		return r;
	}
	if (rc == BR_DIR_OK)
		i = br_enrol_find(code, user->enrolment_codes, user->n_enrolment_codes, who->now, &expired);
	if (i < 0 || user->disabled) {
		br_event(app, who, "enrolment_link_refused", rc != BR_DIR_OK ? "unknown_user" : user->disabled ? "disabled" :
		    expired ? "expired" : "bad_code",
		    json_pack("{s:s}", "username", username));
		br_user_free(&user);
		return BR_RESULT_LINK_REFUSED;
	}
	br_time_to_iso(br_enrol_expiry(user->enrolment_codes[i]), out->expires, sizeof(out->expires));
	if (!start) {
		r = view_of(user, out);
		br_user_free(&user);
		if (r != BR_RESULT_OK)
			br_enrol_view_reset(out);
		return r;
	}
	/* the code is used up only when a passkey is registered with it */
	s.kind = BR_SESSION_ENROL;
	s.username = user->username;
	s.code = user->enrolment_codes[i];
	if ((r = br_result_of_cache(br_session_start(app, &s, who->now), BR_RESULT_UNAVAILABLE)) == BR_RESULT_OK &&
	    (r = view_of(user, out)) == BR_RESULT_OK)
		memcpy(out->session_id, s.id, sizeof(s.id));
	br_user_free(&user);
	if (r != BR_RESULT_OK)
		br_enrol_view_reset(out);
	return r;
}

br_result
br_enrol_continue(br_app *app, const br_caller *who, const char *session_id, br_enrol_view *out)
{
	br_session s;
	br_user *user = NULL;
	br_result r = BR_RESULT_FORBIDDEN;

	memset(out, 0, sizeof(*out));
	if (br_session_load(app, session_id, BR_SESSION_ENROL, who->now, &s) != BR_CACHE_OK)
		return r;
	if (br_dir_find_user(app->dir, s.username, &user) == BR_DIR_OK)
		r = view_of(user, out);
	br_user_free(&user);
	br_session_reset(&s);
	if (r != BR_RESULT_OK)
		br_enrol_view_reset(out);
	return r;
}

br_result
br_enrol_to_passkeys(br_app *app, const br_caller *who, const char *session_id, char new_id[BR_ID_LEN + 1])
{
	br_session s, next;
	br_user *user = NULL;
	br_result r = BR_RESULT_FORBIDDEN;
	br_dir_rc rc;

	new_id[0] = '\0';
	if (br_session_load(app, session_id, BR_SESSION_ENROLLED, who->now, &s) != BR_CACHE_OK)
		return r;
	/* the account as it is now: disabled since, or the passkey already deleted elsewhere, means a sign-in */
	rc = br_dir_find_user(app->dir, s.username, &user);
	if (rc != BR_DIR_OK || user->disabled || user->n_creds == 0 || s.auth_instant == 0) {
		r = rc == BR_DIR_ERROR ? BR_RESULT_UNAVAILABLE : BR_RESULT_FORBIDDEN;
		goto out;
	}
	memset(&next, 0, sizeof(next));
	next.kind = BR_SESSION_SIGNIN;
	next.username = user->username;
	next.display_name = (char *)br_user_display_name(user);
	/* as old as the passkey's creation, not now: the fresh-sign-in window does not start again */
	next.auth_instant = s.auth_instant;
	if ((r = br_result_of_cache(br_session_start(app, &next, who->now), BR_RESULT_UNAVAILABLE)) != BR_RESULT_OK)
		goto out;
	br_session_end(app, s.id);
	memcpy(new_id, next.id, sizeof(next.id));
	br_event(app, who, "signin_after_enrolment", NULL, json_pack("{s:s}", "username", user->username));
out:
	br_user_free(&user);
	br_session_reset(&s);
	return r;
}

static br_result
check_password(br_app *app, const br_caller *who, const char *username, const char *password, br_user **user)
{
	br_dir_rc rc = br_dir_find_user(app->dir, username, user);
	const char *why = NULL, *dn = rc == BR_DIR_OK ? (*user)->dn : NULL;
	br_result r;

	if (rc != BR_DIR_ERROR && (r = br_rate_account(app, who, username, dn)) != BR_RESULT_OK)
		return r;
	/* counted before the bind, so failures count too */
	if (rc != BR_DIR_ERROR && br_rate_password(app, who, username, dn) != BR_RESULT_OK) {
		br_event(app, who, "enrolment_password_refused", "rate_limited", json_pack("{s:s}", "username", username));
		return BR_RESULT_RATE_LIMITED;
	}
	if (rc == BR_DIR_OK && !(*user)->disabled && (*user)->n_creds == 0)
		rc = br_dir_check_password(app->dir, *user, password);
	else if (rc == BR_DIR_OK)
		why = (*user)->disabled ? "disabled" : "has_passkeys";
	if (rc == BR_DIR_OK && why == NULL)
		return BR_RESULT_OK;
	/* one answer for an unknown user and a wrong password: no account probing here */
	if (why == NULL)
		why = rc == BR_DIR_ERROR ? "directory_error" : "bad_password";
	(rc == BR_DIR_ERROR ? br_event_store : br_event)(app, who, "enrolment_password_refused", why,
	    json_pack("{s:s}", "username", username));
	if (rc == BR_DIR_ERROR)
		return BR_RESULT_UNAVAILABLE;
	return strcmp(why, "has_passkeys") == 0 ? BR_RESULT_HAS_PASSKEYS : BR_RESULT_FAILED;
}

br_result
br_enrol_by_password(br_app *app, const br_caller *who, const char *username, char *password,
    char session_id[BR_ID_LEN + 1])
{
	br_user *user = NULL;
	br_session s;
	br_result r;

	memset(&s, 0, sizeof(s));
	session_id[0] = '\0';
	if (!app->cfg.enrolment_allow_password) {
		r = BR_RESULT_NOT_ENABLED;
		goto out;
	}
	if (username == NULL || *username == '\0' || password == NULL || *password == '\0') {
		r = BR_RESULT_BAD_REQUEST;
		goto out;
	}
	if ((r = br_rate_address(app, who)) != BR_RESULT_OK)
		goto out;
	if ((r = check_password(app, who, username, password, &user)) != BR_RESULT_OK)
		goto out;
	s.kind = BR_SESSION_ENROL;
	s.username = user->username;
	s.via_password = 1;
	if ((r = br_result_of_cache(br_session_start(app, &s, who->now), BR_RESULT_UNAVAILABLE)) != BR_RESULT_OK)
		goto out;
	memcpy(session_id, s.id, sizeof(s.id));
	br_event(app, who, "enrolment_password_accepted", NULL, json_pack("{s:s}", "username", user->username));
out:
	if (password != NULL)
		br_wipe(password, strlen(password));
	br_user_free(&user);
	return r;
}
