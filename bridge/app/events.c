#include "events.h"

#include <string.h>

#include "../store/store_error.h"
#include "activity.h"

void
br_event(br_app *app, const br_caller *who, const char *event, const char *reason, json_t *fields)
{
	br_event_later(app, who, event, reason, fields, NULL);
}

void
br_event_later(br_app *app, const br_caller *who, const char *event, const char *reason, json_t *fields,
    br_record_write *activity)
{
	if (activity != NULL)
		memset(activity, 0, sizeof(*activity));
	if (fields == NULL)
		fields = json_object();
	if (reason != NULL)
		json_object_set_new(fields, "reason", json_string(reason));
	if (who != NULL && who->client != NULL)
		json_object_set_new(fields, "client", json_string(who->client));
	/* what the error page shows the user, to find this line again */
	if (who != NULL && who->ref != NULL && *who->ref != '\0')
		json_object_set_new(fields, "ref", json_string(who->ref));
	br_metrics_event(app->metrics, event, reason);
	/* what the account's owner sees in My passkeys, from the same event */
	if (reason == NULL && br_activity_event(event)) {
		const char *user = json_string_value(json_object_get(fields, "username"));

		if (activity != NULL)
			br_activity_prepare(app, who, user, event, fields, activity);
		else
			br_activity_note(app, who, user, event, fields);
	}
	br_audit_event(app->audit, event, fields);
}

void
br_event_store(br_app *app, const br_caller *who, const char *event, const char *reason, json_t *fields)
{
	const char *detail = br_store_error_get();

	if (fields == NULL)
		fields = json_object();
	if (*detail != '\0')
		json_object_set_new(fields, "detail", json_string(detail));
	br_store_error_clear();
	br_event(app, who, event, reason, fields);
}
