/*
 * A login flow: what the IdP's start request asked for, kept in the cache
 * (record "flow:<id>", the id in the fb_flow cookie) until the browser goes
 * back. A local flow is a sign-in to My passkeys, still bound to the browser
 * that started it, and carries no IdP fields.
 */
#ifndef BR_FLOW_H
#define BR_FLOW_H

#include <stdint.h>

#include <jansson.h>

#include "../store/cache.h"
#include "record.h"

typedef struct br_flow {
	char id[BR_ID_LEN + 1];
	int idp;                /* started by the IdP; 0: a local sign-in */
	char *conversation;     /* the IdP's, echoed back */
	char *state;
	char *return_url;
	char *entity;           /* the SP the user is signing in to */
	char *sp_name;          /* its display name, when the IdP sent one */
	char *principal;        /* the account the sign-in must be (a second factor), or NULL */
	int force;              /* ForceAuthn */
	int64_t created;
	char *ticket;           /* once signed in: what the IdP redeems */
	char *error;            /* a verdict for the IdP (AccountDisabled, ...) */
} br_flow;

void br_flow_reset(br_flow *f);
/* Set one of the string fields to a copy of v (NULL clears). 0 or -1 (OOM). */
int br_flow_set(char **field, const char *v);

/* The record form; NULL on OOM. */
json_t *br_flow_to_json(const br_flow *f);
/* From the record form: -1 when a member has the wrong type or an IdP flow lacks one. */
int br_flow_from_json(const json_t *j, br_flow *f);

struct br_app;

/* A new flow under a fresh id (into f->id), for ttl seconds from now. */
br_cache_rc br_flow_create(struct br_app *app, br_flow *f, unsigned ttl, int64_t now);
/* The flow for a cookie value; INVALID for a record that is not a flow (or does not open). */
br_cache_rc br_flow_load(struct br_app *app, const char *id, int64_t now, br_flow *f);
/* The same, taken once. */
br_cache_rc br_flow_take(struct br_app *app, const char *id, int64_t now, br_flow *f);
/* Replace the record under f->id. */
br_cache_rc br_flow_save(struct br_app *app, const br_flow *f, unsigned ttl, int64_t now);
/* Save, in one cache step after first (the ticket the flow names) and before also: br_record_put_after. */
br_cache_rc br_flow_save_after(struct br_app *app, const br_cache_item *first, const br_flow *f, unsigned ttl,
    int64_t now, br_cache_rc *first_rc, const br_record_write *also);
br_cache_rc br_flow_drop(struct br_app *app, const char *id);

#endif
