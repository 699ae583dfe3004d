/*
 * Certificate sign-in (docs/certificate-signin.md), free of HTTP. Three
 * steps, because the certificate is asked for on a host of its own:
 *  1. begin, on the bridge's host: a one-time go-ahead naming the IdP flow,
 *     and the certificate host's URL carrying it;
 *  2. check, on the certificate host behind the TLS front: the go-ahead
 *     taken, the forwarded certificate re-verified (pinned anchors, CRLs, the
 *     usage rule), its pairing and account found; a one-time result naming
 *     the flow;
 *  3. finish, back on the bridge's host: the result taken, and only if the
 *     browser's own flow cookie is the flow it names, the ticket. So a
 *     go-ahead link handed to someone else signs nobody into the sender's flow.
 */
#ifndef BR_CERTSIGNIN_H
#define BR_CERTSIGNIN_H

#include "../config/cert_ca.h"
#include "../core/clientcert.h"
#include "app.h"
#include "result.h"

/* One CA of certificate sign-in (config/cert_ca.h) with its anchors and every CRL loaded. */
typedef struct br_cert_group {
	br_cert_ca_view ca;             /* its strings are app->cfg's */
	struct br_cc_anchors *anchors;
} br_cert_group;

/* Every CA ([certificate] and [certificate_ca NAME]) into app->cert_groups when enabled; -1 with err. */
int br_certsignin_load(br_app *app, char *err, size_t errlen);
void br_certsignin_unload(br_app *app);
/* The CA by its name (the result record names it between the two hosts); NULL when there is none. */
const br_cert_group *br_cert_group_named(const br_app *app, const char *name);
/* base + path + "?name=id" ("&" when base has a query already), malloc'd; NULL on OOM. The hops between the hosts. */
char *br_cert_url_with(const char *base, const char *path, const char *name, const char *id);
/* Some CA finds accounts by pairing: My passkeys offers "Add My Number Card". */
int br_cert_pairing_offered(const br_app *app);

/* Step 1: *url (malloc'd) is [certificate] url?go=<id>. NOT_ENABLED when off; EXPIRED without an IdP flow. */
br_result br_certsignin_begin(br_app *app, const br_caller *who, const char *flow_id, char **url);

typedef struct br_certsignin_checked {
	const char *refusal;      /* on FAILED: the page's i18n key ("cert.unpaired", ...) */
	char *next;               /* on OK: the bridge's /authn/certificate/done?r=<id> (malloc'd) */
} br_certsignin_checked;

void br_certsignin_checked_reset(br_certsignin_checked *c);

/*
 * Step 2. header: the forwarded certificate's value, copies: how many such
 * headers came; the caller passes NULL and 0 unless the TCP peer is a
 * trusted proxy. go: the go-ahead. EXPIRED (go-ahead gone or used), FAILED
 * with a refusal, ACCOUNT_DISABLED, UNAVAILABLE.
 */
br_result br_certsignin_check(br_app *app, const br_caller *who, const char *go, const char *header, int copies,
    br_certsignin_checked *out);

/*
 * The forwarded certificate judged: exactly one header copy, decoded, the
 * chain to the pinned anchors of one of the CAs at who->now, the usage rule,
 * then revocation as that CA says. *f is filled when the certificate parsed;
 * *group is the CA that vouched for it (NULL when none did); on OK *der_out
 * (may be NULL) gets its DER (br_blob_reset).
 */
br_cc_err br_certsignin_judge(br_app *app, const br_caller *who, const char *header, int copies, br_cc_facts *f,
    br_blob *der_out, const br_cert_group **group);

/* The refusal key for a core verdict (exposed for the tests). */
const char *br_certsignin_refusal(br_cc_err e);

/* Step 3: the ticket in the cookie's flow. EXPIRED, FORBIDDEN (another browser's result), ACCOUNT_DISABLED. */
br_result br_certsignin_finish(br_app *app, const br_caller *who, const char *flow_id, const char *result_id);

#endif
