/*
 * bridgectl's directory commands: user show, credential list|delete,
 * directory check (enrolment links: cmd_enrol.c), and what they share:
 * arguments, opening the directory named by --config, finding a user.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pwd.h>
#include <unistd.h>

#include "../app/audit.h"
#include "../app/enrolment.h"
#include "../app/handoff.h"
#include "../app/aaguid_names.h"
#include "../app/metadata.h"
#include "../core/text.h"
#include "../store/store_error.h"
#include "../core/timefmt.h"
#include "../core/transport.h"
#include "../config/config.h"
#include "../core/b64url.h"
#include "../core/crypto.h"
#include "../store/directory.h"
#include "commands.h"
#include "ctl_directory.h"
#include "options.h"

/*
 * Pull "--config FILE" (and "--ttl D" when ttl != NULL) out of argv; the rest
 * stay positional. Every pos[0..maxpos-1] is set, NULL past the last one given.
 */
int
ctl_parse_args(int argc, char **argv, const char **config, long *ttl, char **pos, int maxpos)
{
	int i, n = 0;

	/* callers test the count, not each slot: a slot never filled must still hold something */
	for (i = 0; i < maxpos; i++)
		pos[i] = NULL;
	*config = br_default_config_path();
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			*config = argv[++i];
		} else if (ttl != NULL && strcmp(argv[i], "--ttl") == 0 && i + 1 < argc) {
			if ((*ttl = br_parse_duration(argv[++i])) <= 0) {
				fprintf(stderr, "bridgectl: --ttl wants a duration like 7d, 12h, 30m\n");
				return -1;
			}
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			fprintf(stderr, "bridgectl: unknown option %s\n", argv[i]);
			return -1;
		} else if (n < maxpos) {
			pos[n++] = argv[i];
		} else {
			fprintf(stderr, "bridgectl: unexpected argument %s\n", argv[i]);
			return -1;
		}
	}
	return n;
}

int
ctl_open_directory(struct ctl *c, const char *config)
{
	char err[512], *pw = NULL;
	size_t pwlen = 0;

	if (br_config_load(config, &c->cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "bridgectl: %s\n", err);
		return -1;
	}
	if (c->cfg.ldap_uri == NULL || c->cfg.ldap_user_base == NULL) {
		fprintf(stderr, "bridgectl: %s: [ldap] uri and user_base are required\n", config);
		br_config_free(&c->cfg);
		return -1;
	}
	if (c->cfg.ldap_bind_password_file != NULL &&
	    (pw = br_config_read_secret(c->cfg.ldap_bind_password_file, &pwlen, err, sizeof(err))) == NULL) {
		fprintf(stderr, "bridgectl: [ldap] bind_password_file: %s\n", err);
		br_config_free(&c->cfg);
		return -1;
	}
	{
		br_config *g = &c->cfg;
		br_directory_options d = {
			.uri = g->ldap_uri, .bind_dn = g->ldap_bind_dn, .bind_password = pw,
			.sasl_external = g->ldap_sasl_external, .starttls = g->ldap_starttls, .ca_file = g->ldap_ca_file,
			.user_base = g->ldap_user_base, .username_attribute = g->ldap_username_attribute,
			.attributes = (const char *const *)g->ldap_attributes.v, .n_attributes = g->ldap_attributes.n,
			.disabled_attribute = g->ldap_disabled_attribute, .disabled_value = g->ldap_disabled_value,
			.timeout_ms = (unsigned)g->ldap_timeout_ms, .last_used_interval_s = (unsigned)g->ldap_last_used_interval_s,
		};
		c->dir = br_directory_open(&d, err, sizeof(err));
	}
	if (pw != NULL) {
		br_wipe(pw, pwlen);
		free(pw);
	}
	if (c->dir == NULL) {
		fprintf(stderr, "bridgectl: ldap: %s\n", err);
		br_config_free(&c->cfg);
		return -1;
	}
	return 0;
}

void
ctl_close_directory(struct ctl *c)
{
	br_directory_close(&c->dir);
	br_config_free(&c->cfg);
}

void
ctl_admin(char *out, size_t cap)
{
	const char *who = getenv("SUDO_USER");
	struct passwd *pw;

	if (who == NULL || *who == '\0')
		who = getlogin();
	if ((who == NULL || *who == '\0') && (pw = getpwuid(getuid())) != NULL)
		who = pw->pw_name;
	snprintf(out, cap, "%s", who != NULL && *who != '\0' ? who : "unknown");
}

/* Look a user up, explaining a failure on stderr. */
br_user *
ctl_find_user(struct ctl *c, const char *name)
{
	br_user *u = NULL;
	br_dir_rc rc = br_dir_find_user(c->dir, name, &u);

	if (rc == BR_DIR_OK)
		return u;
	fprintf(stderr, "bridgectl: %s: %s\n", name,
	    rc == BR_DIR_NOT_FOUND ? "no such user" : rc == BR_DIR_INVALID ? "not a valid username" : "directory error");
	return NULL;
}

/* The names file and metadata, when configured and readable: bridgectl shows names, it does not need them. */
static void
load_names(const br_config *cfg, br_names **names, br_mds **mds)
{
	char err[512];

	*names = NULL;
	*mds = NULL;
	if (cfg->aaguid_names_file != NULL && (*names = br_names_read(cfg->aaguid_names_file, err, sizeof(err))) == NULL)
		fprintf(stderr, "bridgectl: warning: %s\n", err);
	if (cfg->mds_file != NULL && (*mds = br_metadata_read(cfg->mds_file, err, sizeof(err))) == NULL)
		fprintf(stderr, "bridgectl: warning: %s\n", err);
}

static json_t *
credentials_json(const br_config *cfg, const br_user *u)
{
	br_names *names;
	br_mds *mds;
	char model[4 * BR_NAME_CHARS_MAX + 1];
	json_t *arr = json_array();
	char created[20], used[20];
	size_t i;

	load_names(cfg, &names, &mds);
	for (i = 0; i < u->n_creds; i++) {
		const br_credential_record *cr = &u->creds[i];
		char *id = br_b64url_encode_alloc(cr->id.ptr, cr->id.len), tr[64];
		json_t *o;
		br_transports_to_text(cr->transports, tr, sizeof(tr));
		br_gentime_write(cr->created, created, sizeof(created));
		if (cr->last_used > 0)
			br_gentime_write(cr->last_used, used, sizeof(used));
		br_name_resolve(names, mds, cr->aaguid, cr->backup_eligible, model, sizeof(model), NULL, NULL, NULL);
		o = json_pack("{s:s?, s:s?, s:s, s:s, s:s, s:I, s:s?, s:s, s:b, s:b, s:b, s:s, s:s?}",
		    "id", id, "nickname", cr->nickname, "aaguid", cr->aaguid, "authenticator", model, "fmt", cr->fmt,
		    "sign_count", (json_int_t)cr->sign_count, "transports", tr[0] != '\0' ? tr : NULL, "created", created,
		    "backup_eligible", cr->backup_eligible, "backup_state", cr->backup_state,
		    "user_verified", cr->user_verified, "dn", cr->dn, "last_used", cr->last_used > 0 ? used : NULL);
		json_array_append_new(arr, o);
		free(id);
	}
	br_names_free(&names);
	br_mds_free(&mds);
	return arr;
}

static void
print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (s != NULL)
		printf("%s\n", s);
	free(s);
	json_decref(j);
}

int
cmd_user(int argc, char **argv)
{
	struct ctl c;
	const char *config;
	char *pos[2];
	br_user *user;
	char *handle;

	static const char usage[] = "usage: bridgectl user show USER [--config FILE]\n" BR_CONFIG_USAGE;

	if (br_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	if (ctl_parse_args(argc, argv, &config, NULL, pos, 2) != 2 || strcmp(pos[0], "show") != 0) {
		fputs(usage, stderr);
		return 2;
	}
	if (ctl_open_directory(&c, config) < 0)
		return 1;
	if ((user = ctl_find_user(&c, pos[1])) == NULL) {
		ctl_close_directory(&c);
		return 1;
	}
	handle = br_b64url_encode_alloc(user->user_handle.ptr, user->user_handle.len);
	print_json(json_pack("{s:s, s:s, s:s, s:b, s:O, s:i, s:o}", "username", user->username, "dn", user->dn,
	    "user_handle", handle != NULL ? handle : "", "disabled", user->disabled, "attributes", user->attributes,
	    "pending_enrolment_codes", (int)user->n_enrolment_codes, "credentials", credentials_json(&c.cfg, user)));
	free(handle);
	br_user_free(&user);
	ctl_close_directory(&c);
	return 0;
}

int
cmd_credential(int argc, char **argv)
{
	struct ctl c;
	const char *config;
	char *pos[3];
	br_user *user;
	br_blob id = { NULL, 0 };
	static const char usage[] = "usage: bridgectl credential list USER [--config FILE]\n"
				    "       bridgectl credential delete USER CREDENTIAL_ID [--config FILE]\n" BR_CONFIG_USAGE;
	int n, rc = 0;

	if (br_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	n = ctl_parse_args(argc, argv, &config, NULL, pos, 3);
	if (!((n == 2 && strcmp(pos[0], "list") == 0) || (n == 3 && strcmp(pos[0], "delete") == 0))) {
		fputs(usage, stderr);
		return 2;
	}
	if (n == 3 && br_b64url_decode(pos[2], strlen(pos[2]), &id) < 0) {
		fprintf(stderr, "bridgectl: %s is not a base64url credential id\n", pos[2]);
		return 2;
	}
	if (ctl_open_directory(&c, config) < 0) {
		br_blob_reset(&id);
		return 1;
	}
	if ((user = ctl_find_user(&c, pos[1])) == NULL) {
		br_blob_reset(&id);
		ctl_close_directory(&c);
		return 1;
	}
	if (n == 2) {
		print_json(credentials_json(&c.cfg, user));
	} else {
		br_dir_rc r = br_dir_delete_credential(c.dir, user, id.ptr, id.len);
		if (r != BR_DIR_OK) {
			fprintf(stderr, "bridgectl: %s: %s\n", pos[2], r == BR_DIR_NOT_FOUND ? "no such credential for this user" : "directory error");
			rc = 1;
		} else {
			br_audit *audit = br_audit_open(c.cfg.audit_log);
			printf("deleted %s of %s\n", pos[2], user->username);
			if (audit != NULL) {
				char admin[64];
				ctl_admin(admin, sizeof(admin));
				br_audit_event(audit, "credential_deleted", json_pack("{s:s, s:s, s:s, s:s}", "username", user->username,
				    "credential_id", pos[2], "by", "bridgectl", "admin", admin));
				br_audit_close(&audit);
			}
		}
	}
	br_blob_reset(&id);
	br_user_free(&user);
	ctl_close_directory(&c);
	return rc;
}

int
cmd_directory(int argc, char **argv)
{
	struct ctl c;
	const char *config;
	char *pos[1], *report = NULL;
	int rc;

	static const char usage[] = "usage: bridgectl directory check [--config FILE]\n"
				    "  connects and binds as the bridge, checks user_base exists and the schema is loaded\n" BR_CONFIG_USAGE;

	if (br_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	if (ctl_parse_args(argc, argv, &config, NULL, pos, 1) != 1 || strcmp(pos[0], "check") != 0) {
		fputs(usage, stderr);
		return 2;
	}
	if (ctl_open_directory(&c, config) < 0)
		return 1;
	rc = br_dir_check(c.dir, &report);
	if (report != NULL)
		fputs(report, stdout);
	free(report);
	ctl_close_directory(&c);
	return rc == 0 ? 0 : 1;
}

/*
 * bridgectl mds check: credentials registered with a model whose status
 * reports now carry a refused status (mds_refuse_status). One JSON line per
 * credential; exit status 1 when there is any, so a timer can alert.
 */
int
cmd_mds_check(const char *config)
{
	struct ctl c;
	br_mds *m;
	br_mds_rules rules;
	br_credential_record *creds = NULL;
	char err[512], aaguid[BR_AAGUID_TEXT_LEN + 1], why[64];
	size_t i, j, n, found = 0, models = 0;
	const char *reason;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	if (ctl_open_directory(&c, config) < 0)
		return 1;
	if (c.cfg.mds_file == NULL || (m = br_metadata_read(c.cfg.mds_file, err, sizeof(err))) == NULL) {
		fprintf(stderr, "bridgectl: %s\n", c.cfg.mds_file == NULL ? "[attestation] mds_file: not set" : err);
		ctl_close_directory(&c);
		return 2;
	}
	br_mds_rules_from_config(&c.cfg, &rules);
	rules.min_level = 0;        /* a status that turned bad, not a policy stricter than at registration */
	rules.require_entry = 0;
	for (i = 0; i < m->n && rc == 0; i++) {
		if ((reason = br_mds_refusal(&m->entries[i], &rules, why, sizeof(why))) == NULL)
			continue;
		models++;
		br_aaguid_format(m->entries[i].aaguid, aaguid);
		if (br_dir_find_by_aaguid(c.dir, aaguid, &creds, &n) != BR_DIR_OK) {
			fprintf(stderr, "bridgectl: %s: %s\n", aaguid, br_store_error_get());
			rc = 2;
			break;
		}
		for (j = 0; j < n; j++) {
			char *id = br_b64url_encode_alloc(creds[j].id.ptr, creds[j].id.len);
			json_t *o = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s?}", "aaguid", aaguid,
			    "model", m->entries[i].description, "reason", reason, "credential_id", id,
			    "dn", creds[j].dn, "nickname", creds[j].nickname);
			char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

			if (s != NULL)
				printf("%s\n", s);
			free(s);
			json_decref(o);
			free(id);
			found++;
		}
		br_dir_credentials_free(&creds, n);
	}
	if (rc == 0) {
		fprintf(stderr, "bridgectl: %zu credential(s) of %zu refused model(s) (metadata no %lld)\n", found, models,
		    (long long)m->no);
		rc = found > 0 ? 1 : 0;
	}
	br_mds_free(&m);
	ctl_close_directory(&c);
	return rc;
}
