#include "ticket.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/crypto.h"
#include "events.h"
#include "random.h"

br_result
br_ticket_issue(br_app *app, const br_caller *who, br_flow *flow, const br_ticket_fields *f, const char *username,
    const br_record_write *activity)
{
	char ticket[BR_ID_LEN + 1], key[96];
	json_t *record;
	char *text = NULL;
	br_result r = BR_RESULT_UNAVAILABLE;

	if (br_random_b64url(32, ticket, sizeof(ticket)) < 0 || (record = br_ticket_record(ticket, f, &app->secrets)) == NULL)
		return BR_RESULT_INTERNAL;
	snprintf(key, sizeof(key), "ticket:%s", ticket);
	/*
	 * The ticket and the flow that names it in one cache step, the ticket
	 * first on every server: a crash between the two leaves no flow pointing
	 * at nothing. Stored as the record is ("v" is the ticket's own version,
	 * not the cache's), so the shim reads exactly what was signed.
	 */
	if ((text = json_dumps(record, JSON_COMPACT)) == NULL || br_flow_set(&flow->ticket, ticket) < 0) {
		r = BR_RESULT_INTERNAL;
	} else {
		br_cache_item t = { key, text, strlen(text), (unsigned)app->cfg.ticket_ttl_s };
		br_cache_rc trc, frc = br_flow_save_after(app, &t, flow, (unsigned)app->cfg.flow_ttl_s, who->now, &trc,
		    activity);

		if (trc == BR_CACHE_OK && frc == BR_CACHE_OK) {
			r = BR_RESULT_OK;
		} else if (trc == BR_CACHE_OK) {
			/* no flow names it: no ticket either */
			br_cache_delete(app->cache, key);
		} else if (frc == BR_CACHE_OK) {
			/* the flow names a ticket that is not there: the flow as it was, to try again */
			br_wipe(flow->ticket, strlen(flow->ticket));
			br_flow_set(&flow->ticket, NULL);
			br_flow_save(app, flow, (unsigned)app->cfg.flow_ttl_s, who->now);
		}
	}
	if (text != NULL) {
		br_wipe(text, strlen(text));
		free(text);
	}
	if (r != BR_RESULT_OK)
		br_event_store(app, who, "signin_failure", "cache_error", json_pack("{s:s}", "username", username));
	if (flow->ticket != NULL)
		br_wipe(flow->ticket, strlen(flow->ticket));
	br_wipe(ticket, sizeof(ticket));
	json_decref(record);
	return r;
}
