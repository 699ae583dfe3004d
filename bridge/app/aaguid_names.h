/*
 * The names users recognise for their authenticators: the shipped names
 * file ([webauthn] aaguid_names_file, community passkey-provider list
 * format, refreshed with bridgectl names refresh), else the FIDO metadata's
 * description, else "Passkey" (may be synced: the BE flag) or
 * "Security key". Never "Unknown".
 */
#ifndef BR_AAGUID_NAMES_H
#define BR_AAGUID_NAMES_H

#include <jansson.h>

#include "../core/mds.h"
#include "../core/names.h"

struct br_app;

/* Read and parse a names file; NULL with err. */
br_names *br_names_read(const char *path, char *err, size_t errlen);

/*
 * The name for aaguid (text form; "" or invalid: none known) into out (cap
 * bytes). *generic (may be NULL) is set when it is only the kind. Icons, when
 * icon_light / icon_dark are not NULL, point into names (valid while it is).
 */
void br_name_resolve(const br_names *names, const br_mds *mds, const char *aaguid, int be, char *out, size_t cap,
    int *generic, const char **icon_light, const char **icon_dark);

/*
 * {"authenticator": name, "authenticator_kind": "passkey" | "security_key",
 * "authenticator_generic": bool, "icon"?: "/icons/<aaguid>",
 * "icon_dark"?: "/icons/<aaguid>.dark"} set into obj, read under the app's
 * metadata lock (a SIGHUP may swap the tables). "icon_dark" only when the
 * model has both; "icon" is whichever there is otherwise.
 */
void br_app_name_json(struct br_app *app, const char *aaguid, int be, json_t *obj);
/*
 * The decoded icon behind /icons/<aaguid>[.dark] (aaguid: aaguid_len chars,
 * any case): 0 with *ctype and out (the caller frees), or -1 when the AAGUID
 * is invalid or names no model with that icon.
 */
int br_app_icon(struct br_app *app, const char *aaguid, size_t aaguid_len, int dark, const char **ctype,
    br_blob *out);
/* The name alone, for the audit line. */
void br_app_name(struct br_app *app, const char *aaguid, int be, char *out, size_t cap);

#endif
