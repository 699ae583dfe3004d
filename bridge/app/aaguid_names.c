#include "aaguid_names.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "readfile.h"
#include "../core/data_url.h"
#include "../core/text.h"

br_names *
br_names_read(const char *path, char *err, size_t errlen)
{
	unsigned char *buf;
	size_t len;
	const char *why;
	br_names *n = NULL;
	char reason[160];

	if (br_read_file(path, BR_NAMES_FILE_MAX, &buf, &len, &why) < 0) {
		snprintf(err, errlen, "[webauthn] aaguid_names_file: cannot read %s: %s", path, why);
		return NULL;
	}
	if (br_names_parse(buf, len, &n, reason, sizeof(reason)) < 0)
		snprintf(err, errlen, "[webauthn] aaguid_names_file: %s: %s", path, reason);
	free(buf);
	return n;
}

void
br_name_resolve(const br_names *names, const br_mds *mds, const char *aaguid, int be, char *out, size_t cap,
    int *generic, const char **icon_light, const char **icon_dark)
{
	unsigned char a[16];
	const br_name_entry *ne = NULL;
	const br_mds_entry *me = NULL;

	if (icon_light != NULL)
		*icon_light = NULL;
	if (icon_dark != NULL)
		*icon_dark = NULL;
	if (generic != NULL)
		*generic = 0;
	/* the all-zero AAGUID names no model (no attestation, U2F keys) */
	if (aaguid != NULL && br_aaguid_parse(aaguid, strlen(aaguid), a) == 0 && memcmp(a, (unsigned char[16]){ 0 }, 16) != 0) {
		me = br_mds_find(mds, a);
		if ((ne = br_names_find(names, a)) != NULL) {
			snprintf(out, cap, "%s", ne->name);
			/* the list's icons; a model it names without one may have one in the metadata */
			if (icon_light != NULL)
				*icon_light = ne->icon_light != NULL || ne->icon_dark != NULL || me == NULL ? ne->icon_light : me->icon;
			if (icon_dark != NULL)
				*icon_dark = ne->icon_dark;
			return;
		}
		if (me != NULL && me->description[0] != '\0') {
			snprintf(out, cap, "%s", me->description);
			if (icon_light != NULL)
				*icon_light = me->icon;
			return;
		}
	}
	if (generic != NULL)
		*generic = 1;
	snprintf(out, cap, "%s", be ? "Passkey" : "Security key");
}

static void
lock(struct br_app *app, int on)
{
	if (!app->mds_lock_ready)
		return;
	if (on)
		pthread_rwlock_rdlock(&app->mds_lock);
	else
		pthread_rwlock_unlock(&app->mds_lock);
}

void
br_app_name_json(struct br_app *app, const char *aaguid, int be, json_t *obj)
{
	char name[4 * BR_NAME_CHARS_MAX + 1];
	const char *light, *dark;
	int generic;

	lock(app, 1);
	br_name_resolve(app->names, app->mds, aaguid, be, name, sizeof(name), &generic, &light, &dark);
	json_object_set_new(obj, "authenticator", json_string(name));
	json_object_set_new(obj, "authenticator_kind", json_string(be ? "passkey" : "security_key"));
	json_object_set_new(obj, "authenticator_generic", json_boolean(generic));
	/* the page cannot draw data: URLs (img-src 'self'): it gets the bridge's own /icons/ URL */
	if (light != NULL || dark != NULL) {
		char url[64], text[37];
		unsigned char a[16];

		if (aaguid != NULL && br_aaguid_parse(aaguid, strlen(aaguid), a) == 0) {
			br_aaguid_format(a, text);
			snprintf(url, sizeof(url), "/icons/%s", text);
			/* only a dark icon: it is the one there is */
			json_object_set_new(obj, "icon", json_string(url));
			if (light != NULL && dark != NULL) {
				snprintf(url, sizeof(url), "/icons/%s.dark", text);
				json_object_set_new(obj, "icon_dark", json_string(url));
			}
		}
	}
	lock(app, 0);
}

int
br_app_icon(struct br_app *app, const char *aaguid, size_t aaguid_len, int dark, const char **ctype, br_blob *out)
{
	const char *light = NULL, *dk = NULL, *url;
	char text[37], name[4 * BR_NAME_CHARS_MAX + 1];
	unsigned char a[16];
	int rc = -1;

	*ctype = NULL;
	br_blob_reset(out);
	if (br_aaguid_parse(aaguid, aaguid_len, a) < 0)
		return -1;
	br_aaguid_format(a, text);
	lock(app, 1);
	br_name_resolve(app->names, app->mds, text, 0, name, sizeof(name), NULL, &light, &dk);
	/* the plain URL is the light icon, or the dark one when it is the only one */
	url = dark ? (light != NULL ? dk : NULL) : (light != NULL ? light : dk);
	if (url != NULL)
		rc = br_data_url_image(url, strlen(url), BR_ICON_BYTES_MAX, ctype, out);
	lock(app, 0);
	return rc;
}

void
br_app_name(struct br_app *app, const char *aaguid, int be, char *out, size_t cap)
{
	lock(app, 1);
	br_name_resolve(app->names, app->mds, aaguid, be, out, cap, NULL, NULL, NULL);
	lock(app, 0);
}
