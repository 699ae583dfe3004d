/* HTTP tests: the audit log: one JSON event per line, no ticket/challenge/code/cookie values. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cases.h"
#include "ceremonies.h"
#include "client.h"
#include "fixtures.h"
#include "harness.h"
#include "stack.h"

void
t_audit_log(void)
{
	char *text, *p, *line;
	int lines = 0, bad = 0, i, kinds = 0;
	static const char *const want_kinds[] = { "ticket", "challenge", "enrolment_code", "fb_flow", "fb_session" };
	static const char *const want_events[] = { "server_started", "registration", "enrolment_link_used", "handoff_started",
		"signin_success" };
	size_t k;

	if (n_secrets() == 0) {
		/* run alone: make something to look for */
		hc_browser *b;
		need_alice();
		b = browser();
		json_decref(signin_via_idp(b, &alice, NULL, NULL));
		hc_browser_free(b);
	}
	text = file_read(E.audit);
	REQUIREF(text != NULL && *text != '\0', "no audit log at %s", E.audit);
	CHECKF(text[strlen(text) - 1] == '\n', "the audit log does not end in a newline");
	for (p = text; *p; p = strchr(p, '\n') != NULL ? strchr(p, '\n') + 1 : p + strlen(p)) {
		size_t len = strcspn(p, "\n");
		json_error_t je;
		json_t *j;
		line = strndup(p, len);
		lines++;
		j = json_loads(line, 0, &je);
		if (!json_is_object(j) || jstr(j, "event") == NULL || jstr(j, "ts") == NULL || strlen(jstr(j, "ts")) != 20) {
			if (bad++ < 5)
				CHECKF(0, "audit line %d is not one JSON event: %s", lines, line);
		}
		json_decref(j);
		free(line);
	}
	CHECKF(bad == 0, "%d of %d audit lines are not JSON events", bad, lines);
	for (k = 0; k < sizeof(want_events) / sizeof(want_events[0]); k++)
		CHECKF(audit_count(want_events[k], NULL) > 0, "no %s event in the audit log", want_events[k]);
	/* nothing that works as a credential */
	for (i = 0; i < n_secrets(); i++)
		CHECKF(strstr(text, secret_value(i)) == NULL, "the audit log holds a %s: %s", secret_kind(i), secret_value(i));
	/* the check means something only when there were such values to look for */
	for (k = 0; k < sizeof(want_kinds) / sizeof(want_kinds[0]); k++) {
		int seen = 0;
		for (i = 0; i < n_secrets() && !seen; i++)
			seen = strcmp(secret_kind(i), want_kinds[k]) == 0;
		kinds += seen;
		if (!seen)
			th_note("  no %s value was seen in this run", want_kinds[k]);
	}
	th_note("  %d audit lines, %d values of %d kinds looked for", lines, n_secrets(), kinds);
	CHECKF(kinds >= 3, "only %d kinds of secret value seen: the check is too weak", kinds);
	free(text);
}
