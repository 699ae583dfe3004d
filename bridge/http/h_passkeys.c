/* My passkeys: list, rename, delete (needs a passkey sign-in session). */
#include <stdlib.h>
#include <string.h>

#include "../core/b64url.h"
#include "ceremony_util.h"
#include "guard.h"
#include "routes.h"
#include "session.h"

static br_user *
signed_in_user(br_app *app, const br_request *req, br_response *res)
{
	json_t *s = br_session_get(app, req, "signin");
	br_user *user = NULL;
	br_dir_rc rc;

	if (s == NULL) {
		br_reply_error(app, req, res, 403, "forbidden");
		return NULL;
	}
	rc = br_dir_find_user(app->dir, json_string_value(json_object_get(s, "username")), &user);
	json_decref(s);
	if (rc != BR_DIR_OK) {
		br_reply_error(app, req, res, rc == BR_DIR_ERROR ? 503 : 403, rc == BR_DIR_ERROR ? "unavailable" : "forbidden");
		return NULL;
	}
	return user;
}

void
h_api_passkeys_list(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_user *user = signed_in_user(app, req, res);
	json_t *list;
	char *handle;
	size_t i;

	if (user == NULL)
		return;
	list = json_array();
	for (i = 0; i < user->n_creds; i++) {
		const br_credential_record *c = &user->creds[i];
		char *id = br_b64(&c->id);
		json_array_append_new(list, json_pack("{s:s?, s:s, s:I, s:I, s:s, s:b}", "id", id,
		    "nickname", c->nickname != NULL ? c->nickname : "", "created", (json_int_t)c->created,
		    "last_used", (json_int_t)c->last_used, "authenticator", br_aaguid_name(c->aaguid), "synced", c->backup_state));
		free(id);
	}
	handle = br_b64(&user->user_handle);
	br_res_json(res, 200, json_pack("{s:b, s:s, s:{s:s?, s:s, s:s}, s:o}", "ok", 1, "rp_id", app->cfg.rp_id,
	    "user", "id", handle, "name", user->username, "displayName", br_user_attr(user, "displayName", user->username),
	    "passkeys", list));
	free(handle);
	br_user_free(&user);
}

/* Decode the "id" member of body; -1 when absent or malformed. */
static int
body_id(const json_t *body, br_blob *id)
{
	const json_t *v = json_object_get(body, "id");

	return json_is_string(v) && br_b64url_decode(json_string_value(v), json_string_length(v), id) == 0 && id->len > 0 ? 0 : -1;
}

void
h_api_passkeys_rename(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	json_t *body;
	br_user *user = NULL;
	br_blob id = { NULL, 0 };
	const char *nick;
	br_dir_rc rc;

	if ((body = br_guard_json(app, req, res)) == NULL)
		return;
	if ((user = signed_in_user(app, req, res)) == NULL)
		goto out;
	nick = json_string_value(json_object_get(body, "nickname"));
	if (body_id(body, &id) < 0 || !br_nickname_ok(nick)) {
		br_reply_error(app, req, res, 400, "bad_request");
		goto out;
	}
	rc = br_dir_rename_credential(app->dir, user, id.ptr, id.len, nick);
	if (rc != BR_DIR_OK) {
		br_reply_error(app, req, res, rc == BR_DIR_ERROR ? 503 : rc == BR_DIR_INVALID ? 400 : 404,
		    rc == BR_DIR_ERROR ? "unavailable" : rc == BR_DIR_INVALID ? "bad_request" : "unknown_credential");
		goto out;
	}
	br_event(app, req, "credential_renamed", NULL, json_pack("{s:s, s:s}", "username", user->username,
	    "credential_id", json_string_value(json_object_get(body, "id"))));
	br_res_json(res, 200, json_pack("{s:b}", "ok", 1));
out:
	br_blob_reset(&id);
	br_user_free(&user);
	json_decref(body);
}

void
h_api_passkeys_delete(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	json_t *body;
	br_user *user = NULL;
	br_blob id = { NULL, 0 };
	br_dir_rc rc;

	if ((body = br_guard_json(app, req, res)) == NULL)
		return;
	if ((user = signed_in_user(app, req, res)) == NULL)
		goto out;
	if (body_id(body, &id) < 0) {
		br_reply_error(app, req, res, 400, "bad_request");
		goto out;
	}
	/* the last passkey locks the user out of passwordless sign-in: ask first */
	if (user->n_creds <= 1 && !json_is_true(json_object_get(body, "confirm"))) {
		br_reply_error(app, req, res, 409, "last_passkey");
		goto out;
	}
	rc = br_dir_delete_credential(app->dir, user, id.ptr, id.len);
	if (rc != BR_DIR_OK) {
		br_reply_error(app, req, res, rc == BR_DIR_ERROR ? 503 : 404, rc == BR_DIR_ERROR ? "unavailable" : "unknown_credential");
		goto out;
	}
	br_event(app, req, "credential_deleted", NULL, json_pack("{s:s, s:s}", "username", user->username,
	    "credential_id", json_string_value(json_object_get(body, "id"))));
	br_res_json(res, 200, json_pack("{s:b}", "ok", 1));
out:
	br_blob_reset(&id);
	br_user_free(&user);
	json_decref(body);
}
