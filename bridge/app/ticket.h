/*
 * The end of every IdP sign-in, whatever proved who the user is (a passkey,
 * a certificate): the ticket record in the cache, then the flow that points
 * at it, so that /authn/finish sends the browser back with it.
 */
#ifndef BR_TICKET_H
#define BR_TICKET_H

#include "app.h"
#include "flow.h"
#include "handoff.h"
#include "record.h"
#include "result.h"

/*
 * Record a new ticket with f (principal, conversation, state, entity and
 * auth_instant as the caller filled them) under flow. OK, or UNAVAILABLE
 * with a signin_failure/cache_error audit line naming username; INTERNAL
 * when no randomness or memory. The ticket value is wiped here. activity
 * (may be NULL): a record written in the same cache step (the account's
 * recent activity, activity.h).
 */
br_result br_ticket_issue(br_app *app, const br_caller *who, br_flow *flow, const br_ticket_fields *f,
    const char *username, const br_record_write *activity);

#endif
