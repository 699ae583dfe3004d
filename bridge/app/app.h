/* The running bridge: configuration, stores and services every route uses. */
#ifndef BR_APP_H
#define BR_APP_H

#include "../config/config.h"
#include "../core/ceremony.h"
#include "../core/x509.h"
#include "../store/cache.h"
#include "../store/directory.h"
#include "audit.h"
#include "handoff.h"
#include "keycache.h"
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
} br_app;

/* Everything from a loaded, checked config. Returns -1 with a message. */
int br_app_init(br_app *app, char *err, size_t errlen);
/*
 * The same with stores the caller opened (owned by app from here on, also
 * on failure): the services do not care which backend is behind them.
 */
int br_app_setup(br_app *app, br_cache *cache, br_directory *dir, char *err, size_t errlen);
void br_app_free(br_app *app);

/* Who is asking, for limits and the audit line: the client's address and the time. */
typedef struct br_caller {
	const char *client;
	int64_t now;
	const char *ref;        /* the request's reference id (error page, audit lines); NULL: none */
} br_caller;

/* The user's displayName, or the username when there is none. */
const char *br_user_display_name(const br_user *u);

#endif
