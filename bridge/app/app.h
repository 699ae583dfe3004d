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
	int https;              /* public_url is https */
} br_app;

/* Everything from a loaded, checked config. Returns -1 with a message. */
int br_app_init(br_app *app, char *err, size_t errlen);
void br_app_free(br_app *app);

/* The MFA verdict of docs/handoff-protocol.md section 3. */
int br_app_mfa(const br_app *app, int uv, int be, const char *aaguid);

/* A friendly name for well-known authenticators, or "". */
const char *br_aaguid_name(const char *aaguid);

#endif
