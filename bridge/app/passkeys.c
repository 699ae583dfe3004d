#include "passkeys.h"

#include <stdlib.h>
#include <string.h>

#include "../core/b64url.h"
#include "../core/text.h"
#include "activity.h"
#include "aaguid_names.h"
#include "events.h"
#include "session.h"

static br_result
signed_in_user(br_app *app, const br_caller *who, const char *session_id, br_user **user)
{
	br_session s;
	br_dir_rc rc;

	if (br_session_load(app, session_id, BR_SESSION_SIGNIN, who->now, &s) != BR_CACHE_OK)
		return BR_RESULT_FORBIDDEN;
	rc = br_dir_find_user(app->dir, s.username, user);
	br_session_reset(&s);
	return br_result_of_dir(rc, BR_RESULT_FORBIDDEN);
}

br_result
br_passkeys_list(br_app *app, const br_caller *who, const char *session_id, json_t **out)
{
	br_user *user = NULL;
	json_t *list;
	char *handle;
	size_t i;
	br_result r;

	*out = NULL;
	if ((r = signed_in_user(app, who, session_id, &user)) != BR_RESULT_OK)
		return r;
	list = json_array();
	for (i = 0; i < user->n_creds; i++) {
		const br_credential_record *c = &user->creds[i];
		char *id = br_b64url_encode_alloc(c->id.ptr, c->id.len);
		json_t *o = json_pack("{s:s?, s:s, s:I, s:I, s:b}", "id", id,
		    "nickname", c->nickname != NULL ? c->nickname : "", "created", (json_int_t)c->created,
		    "last_used", (json_int_t)c->last_used, "synced", c->backup_state);

		if (o != NULL)
			br_app_name_json(app, c->aaguid, c->backup_eligible, o);
		json_array_append_new(list, o);
		free(id);
	}
	handle = br_b64url_encode_alloc(user->user_handle.ptr, user->user_handle.len);
	*out = json_pack("{s:s, s:{s:s?, s:s, s:s}, s:o, s:o}", "rp_id", app->cfg.rp_id, "user", "id", handle, "name",
	    user->username, "displayName", br_user_display_name(user), "passkeys", list, "activity",
	    br_activity_list(app, user->username, who->now));
	free(handle);
	br_user_free(&user);
	return *out != NULL ? BR_RESULT_OK : BR_RESULT_INTERNAL;
}

br_result
br_passkeys_signout(br_app *app, const br_caller *who, const char *session_id)
{
	br_session s;
	br_result r;

	if (br_session_load(app, session_id, BR_SESSION_SIGNIN, who->now, &s) != BR_CACHE_OK)
		return BR_RESULT_FORBIDDEN;
	br_session_end(app, s.id);
	r = br_result_of_cache(br_session_end_all(app, s.username, who->now), BR_RESULT_UNAVAILABLE);
	(r == BR_RESULT_OK ? br_event : br_event_store)(app, who, "signed_out", r == BR_RESULT_OK ? NULL : "cache_error",
	    json_pack("{s:s}", "username", s.username));
	br_session_reset(&s);
	return r;
}

static int
decode_id(const char *id, br_blob *out)
{
	return id != NULL && br_b64url_decode(id, strlen(id), out) == 0 && out->len > 0 ? 0 : -1;
}

br_result
br_passkeys_rename(br_app *app, const br_caller *who, const char *session_id, const char *id, const char *nickname)
{
	br_user *user = NULL;
	br_blob raw = { NULL, 0 };
	br_result r;
	br_dir_rc rc;

	if ((r = signed_in_user(app, who, session_id, &user)) != BR_RESULT_OK)
		return r;
	if (decode_id(id, &raw) < 0 || !br_nickname_ok(nickname)) {
		r = BR_RESULT_BAD_REQUEST;
		goto out;
	}
	if ((rc = br_dir_rename_credential(app->dir, user, raw.ptr, raw.len, nickname)) != BR_DIR_OK) {
		if (rc == BR_DIR_ERROR)
			br_event_store(app, who, "credential_rename_failed", "directory_error", json_pack("{s:s}", "username", user->username));
		r = br_result_of_dir(rc, BR_RESULT_UNKNOWN_CREDENTIAL);
		goto out;
	}
	br_event(app, who, "credential_renamed", NULL, json_pack("{s:s, s:s}", "username", user->username, "credential_id", id));
out:
	br_blob_reset(&raw);
	br_user_free(&user);
	return r;
}

br_result
br_passkeys_delete(br_app *app, const br_caller *who, const char *session_id, const char *id, int confirmed)
{
	br_user *user = NULL;
	br_blob raw = { NULL, 0 };
	br_result r;
	br_dir_rc rc;

	if ((r = signed_in_user(app, who, session_id, &user)) != BR_RESULT_OK)
		return r;
	if (decode_id(id, &raw) < 0) {
		r = BR_RESULT_BAD_REQUEST;
		goto out;
	}
	if (user->n_creds <= 1 && !confirmed) {
		r = BR_RESULT_LAST_PASSKEY;
		goto out;
	}
	if ((rc = br_dir_delete_credential(app->dir, user, raw.ptr, raw.len)) != BR_DIR_OK) {
		if (rc == BR_DIR_ERROR)
			br_event_store(app, who, "credential_delete_failed", "directory_error", json_pack("{s:s}", "username", user->username));
		r = br_result_of_dir(rc, BR_RESULT_UNKNOWN_CREDENTIAL);
		goto out;
	}
	br_event(app, who, "credential_deleted", NULL, json_pack("{s:s, s:s}", "username", user->username, "credential_id", id));
out:
	br_blob_reset(&raw);
	br_user_free(&user);
	return r;
}
