#include "audit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct br_audit {
	FILE *f;
	int own;
	pthread_mutex_t lock;
};

br_audit *
br_audit_open(const char *path)
{
	br_audit *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	if (path == NULL || strcmp(path, "-") == 0) {
		a->f = stderr;
	} else if ((a->f = fopen(path, "a")) == NULL) {
		free(a);
		return NULL;
	} else {
		a->own = 1;
	}
	pthread_mutex_init(&a->lock, NULL);
	return a;
}

void
br_audit_close(br_audit **ap)
{
	br_audit *a;

	if (ap == NULL || (a = *ap) == NULL)
		return;
	if (a->own)
		fclose(a->f);
	pthread_mutex_destroy(&a->lock);
	free(a);
	*ap = NULL;
}

void
br_audit_event(br_audit *a, const char *event, json_t *fields)
{
	json_t *line = json_object();
	char ts[32], *text;
	struct timespec now;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(line, "ts", json_string(ts));
	json_object_set_new(line, "event", json_string(event));
	if (json_is_object(fields))
		json_object_update(line, fields);
	json_decref(fields);
	/* one write per line under the lock: lines never interleave */
	text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(line);
	if (text == NULL || a == NULL) {
		free(text);
		return;
	}
	pthread_mutex_lock(&a->lock);
	fprintf(a->f, "%s\n", text);
	fflush(a->f);
	pthread_mutex_unlock(&a->lock);
	free(text);
}
