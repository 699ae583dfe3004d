#include "ticket.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/crypto.h"
#include "events.h"
#include "random.h"

br_result
br_ticket_issue(br_app *app, const br_caller *who, br_flow *flow, const br_ticket_fields *f, const char *username)
{
	char ticket[BR_ID_LEN + 1], key[96];
	json_t *record;
	char *text = NULL;
	br_result r = BR_RESULT_UNAVAILABLE;

	if (br_random_b64url(32, ticket, sizeof(ticket)) < 0 || (record = br_ticket_record(ticket, f, &app->secrets)) == NULL)
		return BR_RESULT_INTERNAL;
	snprintf(key, sizeof(key), "ticket:%s", ticket);
	/* the ticket first: a crash between the two leaves no flow pointing at nothing */
	/* stored as the record is ("v" is the ticket's own version, not the cache's): the shim reads what was signed */
	if ((text = json_dumps(record, JSON_COMPACT)) == NULL) {
		r = BR_RESULT_INTERNAL;
	} else if (br_cache_set(app->cache, key, text, strlen(text), (unsigned)app->cfg.ticket_ttl_s) == BR_CACHE_OK) {
		if (br_flow_set(&flow->ticket, ticket) == 0 &&
		    br_flow_save(app, flow, (unsigned)app->cfg.flow_ttl_s, who->now) == BR_CACHE_OK)
			r = BR_RESULT_OK;
		else
			br_cache_delete(app->cache, key);
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
