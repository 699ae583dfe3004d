#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/crypto.h"
#include "certsignin.h"
#include "readfile.h"
#include "../core/text.h"
#include "seal.h"

static int
refused_cmp(const void *a, const void *b)
{
	return strcasecmp(a, b);
}

/* The models refused by status (not level: that is a rule for new passkeys), as sorted text. */
static int
refused_list(const br_mds *m, const br_mds_rules *rules, char (**out)[37], size_t *n)
{
	br_mds_rules st = *rules;
	char buf[64];
	size_t i;

	*out = NULL;
	*n = 0;
	st.min_level = 0;
	st.require_entry = 0;
	if (m == NULL || m->n == 0)
		return 0;
	if ((*out = calloc(m->n, sizeof(**out))) == NULL)
		return -1;
	for (i = 0; i < m->n; i++)
		if (br_mds_refusal(&m->entries[i], &st, buf, sizeof(buf)) != NULL)
			br_aaguid_format(m->entries[i].aaguid, (*out)[(*n)++]);
	if (*n > 0)
		qsort(*out, *n, sizeof(**out), refused_cmp);
	return 0;
}

int
br_app_model_refused(br_app *app, const char *aaguid)
{
	int found = 0;

	if (!app->cfg.mds_refuse_signin || aaguid == NULL || *aaguid == '\0' || !app->mds_lock_ready)
		return 0;
	pthread_rwlock_rdlock(&app->mds_lock);
	if (app->n_mds_refused > 0)
		found = bsearch(aaguid, app->mds_refused, app->n_mds_refused, sizeof(*app->mds_refused), refused_cmp) != NULL;
	pthread_rwlock_unlock(&app->mds_lock);
	return found;
}

/* PEM anchors: a few dozen certificates; a file past this is a mistake, not one to cut short */
#define TRUST_FILE_MAX (1 << 20)

static int
load_trust(br_app *app, char *err, size_t errlen)
{
	unsigned char *buf;
	size_t n;
	const char *why;

	if (app->cfg.trust_anchors_file == NULL)
		return 0;
	if (br_read_file(app->cfg.trust_anchors_file, TRUST_FILE_MAX, &buf, &n, &why) < 0) {
		snprintf(err, errlen, "[webauthn] trust_anchors_file: cannot read %s: %s", app->cfg.trust_anchors_file, why);
		return -1;
	}
	if ((app->trust = br_trust_new()) == NULL || br_trust_add_pem(app->trust, (const char *)buf, n) < 0) {
		snprintf(err, errlen, "[webauthn] trust_anchors_file: no PEM certificate in %s", app->cfg.trust_anchors_file);
		free(buf);
		return -1;
	}
	free(buf);
	return 0;
}

/* The state key (and the previous one during a rotation): read, turned into keys, wiped. */
static int
load_state_keys(br_app *app, char *err, size_t errlen)
{
	const br_config *c = &app->cfg;
	char *cur = NULL, *prev = NULL;
	size_t cur_len = 0, prev_len = 0;
	int rc = -1;

	if ((cur = br_config_read_secret(c->state_key_file, &cur_len, err, errlen)) == NULL ||
	    (c->previous_state_key_file != NULL &&
		(prev = br_config_read_secret(c->previous_state_key_file, &prev_len, err, errlen)) == NULL))
		goto out;
	if (cur_len < BR_SEAL_SECRET_MIN || (prev != NULL && prev_len < BR_SEAL_SECRET_MIN)) {
		snprintf(err, errlen, "[server] %s: shorter than %d bytes (make one with: openssl rand -base64 48)",
		    cur_len < BR_SEAL_SECRET_MIN ? "state_key_file" : "previous_state_key_file", BR_SEAL_SECRET_MIN);
		goto out;
	}
	if ((app->seal = br_seal_new((unsigned char *)cur, cur_len, (unsigned char *)prev, prev_len)) == NULL) {
		snprintf(err, errlen, "[server] state_key_file: cannot derive keys");
		goto out;
	}
	rc = 0;
out:
	if (cur != NULL)
		br_wipe(cur, cur_len);
	if (prev != NULL)
		br_wipe(prev, prev_len);
	free(cur);
	free(prev);
	return rc;
}

static void
policy_from_config(br_app *app)
{
	const br_config *c = &app->cfg;

	app->https = c->public_url != NULL && strncmp(c->public_url, "https://", 8) == 0;
	app->policy.rp_id = c->rp_id;
	app->policy.origins = (const char *const *)c->origins.v;
	app->policy.n_origins = c->origins.n;
	app->policy.allow_cross_origin = c->allow_cross_origin;
	app->policy.top_origins = (const char *const *)c->top_origins.v;
	app->policy.n_top_origins = c->top_origins.n;
	app->policy.uv = c->user_verification;
	app->policy.algs = c->algs;
	app->policy.n_algs = c->n_algs;
	app->policy.refuse_safetynet = c->refuse_safetynet;
	app->policy.reject_sign_count_regression = c->sign_count_policy == BR_SIGN_COUNT_REJECT;
}

static br_cache *
open_cache(const br_config *c, char *err, size_t errlen)
{
	br_cache_options co = { c->memcached_servers, c->memcached_prefix, (unsigned)c->memcached_replicas,
		(unsigned)c->memcached_timeout_ms };

	return br_cache_open(&co, err, errlen);
}

static br_directory *
open_directory(const br_config *c, char *err, size_t errlen)
{
	br_directory *dir;
	char *pw = NULL;
	size_t pwlen = 0;

	if (c->ldap_bind_password_file != NULL &&
	    (pw = br_config_read_secret(c->ldap_bind_password_file, &pwlen, err, errlen)) == NULL)
		return NULL;
	{
		br_directory_options d = {
			.uri = c->ldap_uri, .bind_dn = c->ldap_bind_dn, .bind_password = pw,
			.sasl_external = c->ldap_sasl_external, .starttls = c->ldap_starttls, .ca_file = c->ldap_ca_file,
			.user_base = c->ldap_user_base, .username_attribute = c->ldap_username_attribute,
			.attributes = (const char *const *)c->ldap_attributes.v, .n_attributes = c->ldap_attributes.n,
			.disabled_attribute = c->ldap_disabled_attribute, .disabled_value = c->ldap_disabled_value,
			.timeout_ms = (unsigned)c->ldap_timeout_ms, .last_used_interval_s = (unsigned)c->ldap_last_used_interval_s,
		};
		dir = br_directory_open(&d, err, errlen);
	}
	if (pw != NULL) {
		br_wipe(pw, pwlen);
		free(pw);
	}
	return dir;
}

int
br_app_init(br_app *app, char *err, size_t errlen)
{
	br_cache *cache;
	br_directory *dir;

	if ((cache = open_cache(&app->cfg, err, errlen)) == NULL)
		return -1;
	if ((dir = open_directory(&app->cfg, err, errlen)) == NULL) {
		br_cache_close(&cache);
		return -1;
	}
	return br_app_setup(app, cache, dir, err, errlen);
}

/* A [branding] value, NULL when unset or empty ("key =" in the reference config). */
static const char *
given(const char *v)
{
	return v != NULL && *v != '\0' ? v : NULL;
}

/*
 * [branding] onto the pages, by language: a _ja key for Japanese, else the
 * plain key; the organisation defaults to rp_name.
 */
static int
apply_branding(br_templates *t, const br_config *c, char *err, size_t errlen)
{
	br_brand b;
	size_t l;

	memset(&b, 0, sizeof(b));
	for (l = 0; l < br_lang_count() && l < BR_LANG_MAX; l++) {
		int ja = strcmp(br_lang_code(l), "ja") == 0;
		const char *org = given(c->brand_organisation) != NULL ? c->brand_organisation : c->rp_name;

		b.organisation[l] = ja && given(c->brand_organisation_ja) ? c->brand_organisation_ja : org;
		b.helpdesk_name[l] = ja && given(c->brand_helpdesk_name_ja) ? c->brand_helpdesk_name_ja : given(c->brand_helpdesk_name);
		b.helpdesk_text[l] = ja && given(c->brand_helpdesk_text_ja) ? c->brand_helpdesk_text_ja : given(c->brand_helpdesk_text);
	}
	b.helpdesk_url = given(c->brand_helpdesk_url);
	b.privacy_url = given(c->brand_privacy_url);
	b.logo_file = given(c->brand_logo_file);
	b.css_file = given(c->brand_css_file);
	return br_templates_brand(t, &b, err, errlen);
}

int
br_app_setup(br_app *app, br_cache *cache, br_directory *dir, char *err, size_t errlen)
{
	br_config *c = &app->cfg;
	char *s;
	size_t n;

	app->cache = cache;
	app->dir = dir;
	policy_from_config(app);
	if (load_trust(app, err, errlen) < 0 || br_certsignin_load(app, err, errlen) < 0)
		return -1;
	if ((s = br_config_read_secret(c->secret_file, &n, err, errlen)) == NULL)
		return -1;
	app->secrets.cur = (unsigned char *)s;
	app->secrets.cur_len = n;
	if (c->previous_secret_file != NULL) {
		if ((s = br_config_read_secret(c->previous_secret_file, &n, err, errlen)) == NULL)
			return -1;
		app->secrets.prev = (unsigned char *)s;
		app->secrets.prev_len = n;
	}
	if (load_state_keys(app, err, errlen) < 0)
		return -1;
	if (pthread_rwlock_init(&app->mds_lock, NULL) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	app->mds_lock_ready = 1;
	br_mds_rules_from_config(c, &app->mds_rules);
	/* configured but missing is an error: a node must not quietly accept what the others refuse */
	if (c->mds_file != NULL && (app->mds = br_metadata_read(c->mds_file, err, errlen)) == NULL)
		return -1;
	if (refused_list(app->mds, &app->mds_rules, &app->mds_refused, &app->n_mds_refused) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (c->aaguid_names_file != NULL && (app->names = br_names_read(c->aaguid_names_file, err, errlen)) == NULL)
		return -1;
	if (c->templates_dir != NULL && (app->tpl = br_templates_load(c->templates_dir, err, errlen)) == NULL)
		return -1;
	if (app->tpl != NULL && apply_branding(app->tpl, c, err, errlen) < 0)
		return -1;
	if ((app->audit = br_audit_open(c->audit_log)) == NULL) {
		snprintf(err, errlen, "[server] audit_log: cannot open %s", c->audit_log);
		return -1;
	}
	if ((app->metrics = br_metrics_new()) == NULL ||
	    (c->key_cache > 0 && (app->keys = br_keycache_new((size_t)c->key_cache)) == NULL)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void
br_app_free(br_app *app)
{
	br_keycache_free(&app->keys);
	br_seal_free(&app->seal);
	br_metrics_free(&app->metrics);
	br_audit_close(&app->audit);
	br_templates_free(&app->tpl);
	br_directory_close(&app->dir);
	br_cache_close(&app->cache);
	br_secrets_wipe(&app->secrets);
	br_trust_free(&app->trust);
	br_certsignin_unload(app);
	br_mds_free(&app->mds);
	free(app->mds_refused);
	app->mds_refused = NULL;
	app->n_mds_refused = 0;
	br_names_free(&app->names);
	if (app->mds_lock_ready)
		pthread_rwlock_destroy(&app->mds_lock);
	app->mds_lock_ready = 0;
	br_config_free(&app->cfg);
	memset(&app->policy, 0, sizeof(app->policy));
}

int
br_app_reload_metadata(br_app *app, char *err, size_t errlen)
{
	br_mds *next = NULL, *old;
	br_names *nnext = NULL, *nold;
	char (*refused)[37] = NULL, (*rold)[37] = NULL;
	size_t n_refused = 0;

	if (!app->mds_lock_ready)
		return 0;
	/* both read first: a broken one keeps both old tables */
	if (app->cfg.mds_file != NULL && (next = br_metadata_read(app->cfg.mds_file, err, errlen)) == NULL)
		return -1;
	if (app->cfg.aaguid_names_file != NULL && (nnext = br_names_read(app->cfg.aaguid_names_file, err, errlen)) == NULL) {
		br_mds_free(&next);
		return -1;
	}
	if (next != NULL && refused_list(next, &app->mds_rules, &refused, &n_refused) < 0) {
		snprintf(err, errlen, "out of memory");
		br_mds_free(&next);
		br_names_free(&nnext);
		return -1;
	}
	pthread_rwlock_wrlock(&app->mds_lock);
	old = app->mds;
	nold = app->names;
	if (app->cfg.mds_file != NULL) {
		app->mds = next;
		rold = app->mds_refused;
		app->mds_refused = refused;
		app->n_mds_refused = n_refused;
		refused = NULL;
	}
	if (app->cfg.aaguid_names_file != NULL)
		app->names = nnext;
	pthread_rwlock_unlock(&app->mds_lock);
	free(refused); /* NULL unless built without an mds_file to keep it */
	if (app->cfg.mds_file != NULL) {
		br_mds_free(&old);
		free(rold);
	}
	if (app->cfg.aaguid_names_file != NULL)
		br_names_free(&nold);
	return 0;
}

const char *
br_user_display_name(const br_user *u)
{
	const char *v = json_string_value(json_array_get(json_object_get(u->attributes, "displayName"), 0));

	return v != NULL && *v != '\0' ? v : u->username;
}
