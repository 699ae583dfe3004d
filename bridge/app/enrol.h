/*
 * Enrolment, free of HTTP: opening a one-time link (the code is checked
 * here and spent only when a passkey is registered with it), and the
 * optional first passkey after a directory password.
 */
#ifndef BR_ENROL_H
#define BR_ENROL_H

#include "app.h"
#include "record.h"
#include "result.h"

typedef struct br_enrol_view {
	char *username;
	char *display_name;
	char expires[24];                       /* ISO 8601 expiry of the link; "" for a password enrolment */
	char session_id[BR_ID_LEN + 1];         /* a new enrolment session; "" when it continues one */
} br_enrol_view;

void br_enrol_view_reset(br_enrol_view *v);

/*
 * The link /enroll?u=&c=: LINK_REFUSED for an unknown user, a disabled
 * account, a wrong or expired code. With start an enrolment session begins
 * (out->session_id); without, the link is only checked, so opening it (a
 * GET anyone can make a browser do) changes nothing: the page starts the
 * session from its own POST.
 */
br_result br_enrol_open_link(br_app *app, const br_caller *who, const char *username, const char *code, int start,
    br_enrol_view *out);
/* An enrolment begun by a directory password, continuing in session_id: FORBIDDEN when there is none. */
br_result br_enrol_continue(br_app *app, const br_caller *who, const char *session_id, br_enrol_view *out);
/*
 * "Go to My passkeys" from the "ready" page: the finished enrolment in
 * session_id becomes a My passkeys session (new_id), once. The enrolment
 * link (or directory password) was the authority and the registration just
 * proved possession of the new passkey, which could sign in at once anyway:
 * asking for that sign-in again adds no assurance. The session counts as
 * signed in when the passkey was created. FORBIDDEN without such a session,
 * or when the account is disabled or has no passkey now.
 */
br_result br_enrol_to_passkeys(br_app *app, const br_caller *who, const char *session_id, char new_id[BR_ID_LEN + 1]);

/*
 * A first passkey after the directory password ([enrolment] allow_password):
 * one answer (FAILED) for an unknown user and a wrong password. The
 * password is wiped before this returns. The new session id goes to session_id.
 */
br_result br_enrol_by_password(br_app *app, const br_caller *who, const char *username, char *password,
    char session_id[BR_ID_LEN + 1]);

#endif
