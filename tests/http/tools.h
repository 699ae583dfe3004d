/*
 * The stack's command-line tools for the HTTP tests: bridgectl (enrolment
 * links, what the bridge knows of a user) and the OpenLDAP tools (the
 * directory underneath, as its administrator). A tool that fails ends the
 * case (REQUIRE).
 */
#ifndef HTTP_TOOLS_H
#define HTTP_TOOLS_H

#include <stddef.h>

#include <jansson.h>

/* ---- bridgectl ---- */
char *enrol_link(const char *user);                 /* bridgectl enroll; the code is noted as a secret */
json_t *user_show(const char *user);                /* bridgectl user show */
json_t *user_cred(json_t *show, const char *id);    /* the credential with that id, borrowed */
size_t user_ncreds(const char *user);
char *user_creds_text(const char *user);            /* credentials JSON, for before/after */

/* ---- the directory ---- */
char *ldap_search(const char *base, const char *filter, const char *attr);
void ldap_modify(const char *ldif);                 /* ldapmodify as admin; REQUIRE success */
void make_user(const char *uid, const char *display);
/* Standard base64, as LDIF writes binary values. */
char *b64std(const unsigned char *p, size_t n);
unsigned char *b64std_decode(const char *s, size_t *n);

#endif
