/* The running bridge: configuration, stores and services every route uses. */
#ifndef BR_APP_H
#define BR_APP_H

#include <pthread.h>

#include "../config/config.h"
#include "../core/ceremony.h"
#include "../core/x509.h"
#include "../store/cache.h"
#include "../store/directory.h"
#include "audit.h"
#include "handoff.h"
#include "keycache.h"
#include "aaguid_names.h"
#include "metadata.h"
#include "metrics.h"
#include "render.h"

typedef struct br_app {
	br_config cfg;
	br_policy policy;       /* from cfg; points into it */
	br_trust *trust;        /* attestation roots; NULL when none */
	br_secrets secrets;     /* the IdP secret (and the previous one) */
	br_cache *cache;
	br_directory *dir;
	br_templates *tpl;
	br_audit *audit;
	br_metrics *metrics;
	br_keycache *keys;      /* parsed credential public keys */
	struct br_seal *seal;   /* names and seals the records in the cache (seal.h) */
	int https;              /* public_url is https */
	struct br_cert_group *cert_groups;  /* certificate sign-in's CAs with anchors and CRLs (certsignin.c) */
	size_t n_cert_groups;
	/* FIDO metadata (metadata.h): swapped whole on SIGHUP, read under the lock */
	br_mds *mds;            /* NULL: none configured */
	br_names *names;        /* [webauthn] aaguid_names_file; NULL: none */
	br_mds_rules mds_rules;
	char (*mds_refused)[37];  /* AAGUIDs (text) of models refused by status, sorted: sign-in's one lookup */
	size_t n_mds_refused;
	pthread_rwlock_t mds_lock;
	int mds_lock_ready;
} br_app;

/* Everything from a loaded, checked config. Returns -1 with a message. */
int br_app_init(br_app *app, char *err, size_t errlen);
/*
 * The same with stores the caller opened (owned by app from here on, also
 * on failure): the services do not care which backend is behind them.
 */
int br_app_setup(br_app *app, br_cache *cache, br_directory *dir, char *err, size_t errlen);
void br_app_free(br_app *app);
/*
 * Read [attestation] mds_file and [webauthn] aaguid_names_file again
 * (SIGHUP): on success the new tables replace the old ones; on failure the
 * old ones stay. 0, or -1 with err.
 */
int br_app_reload_metadata(br_app *app, char *err, size_t errlen);

/* Who is asking, for limits and the audit line: the client's address and the time. */
typedef struct br_caller {
	const char *client;
	int64_t now;
	const char *ref;        /* the request's reference id (error page, audit lines); NULL: none */
} br_caller;

/* 1 when aaguid (text) is a model refused by its status reports ([attestation] mds_refuse_signin). */
int br_app_model_refused(br_app *app, const char *aaguid);

/* The user's displayName, or the username when there is none. */
const char *br_user_display_name(const br_user *u);

#endif
