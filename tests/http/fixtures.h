/*
 * What the HTTP test cases share: the two users most cases sign in as, made
 * lazily by the first case that needs them (so any case can run alone), short
 * readers for JSON members, the bridge's error page, and the bridge's config
 * as the cases look at it.
 */
#ifndef HTTP_FIXTURES_H
#define HTTP_FIXTURES_H

#include <stddef.h>

#include <jansson.h>

#include "client.h"
#include "softkey.h"

/* ---- alice and bob ---- */
/* alice's and bob's passkeys, valid after need_alice() / need_bob(). */
extern sk_key alice, bob;
/* alice has her passkey (t_enrol_with_link enrols her itself, and sets it). */
extern int alice_ready;
/* Enrol alice ("test key") or bob ("bob's key") unless done in this run. */
void need_alice(void);
void need_bob(void);

/* n random bytes (n <= 64) in base64url. */
char *rand_b64(size_t n);

/* ---- JSON ---- */
/* The string member k of o, borrowed; NULL when absent or not a string. */
const char *jstr(const json_t *o, const char *k);
/* Whether member k of o is true / false (absent is neither). */
int jtrue(const json_t *o, const char *k);
int jfalse(const json_t *o, const char *k);
/* A credential descriptor of type "public-key". */
int is_public_key(const json_t *d);
/* Whether the JSON answer's "error" is code. */
int streq_json_error(const hc_resp *r, const char *code);
/* The first value of a multi-valued attribute in a result/record. */
const char *attr0(const json_t *rec, const char *name);

/* ---- pages ---- */
/* A bridge error page with this status that must not redirect anywhere nor start a flow. */
void expect_error_page(const hc_resp *r, long status);

/* ---- the bridge's config ---- */
/* The value of [section] key in the bridge's config file (last one wins), malloc'd, or NULL. */
char *conf_value(const char *section, const char *key);
/* The stack trusts 127.0.0.1 as a proxy. */
int proxy_stack(void);
/* The port of BRIDGE_URL. */
int bridge_port(void);

#endif
