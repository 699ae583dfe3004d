#include "audit.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct br_audit {
	FILE *f;
	int own;
	char *path;             /* for br_audit_reopen; NULL for stderr */
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
	} else if ((a->path = strdup(path)) == NULL || (a->f = fopen(path, "a")) == NULL) {
		free(a->path);
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
	free(a->path);
	free(a);
	*ap = NULL;
}

int
br_audit_reopen(br_audit *a)
{
	FILE *nf, *old;
	int e;

	if (a == NULL || !a->own)
		return 0;
	/* opened outside the lock: writers wait only for the swap */
	if ((nf = fopen(a->path, "a")) == NULL)
		return -1;
	pthread_mutex_lock(&a->lock);
	old = a->f;
	a->f = nf;
	pthread_mutex_unlock(&a->lock);
	e = fclose(old);
	return e == 0 ? 0 : -1;
}

/* Takes text (malloc'd). 0 when the whole line was written. */
static int
write_line(br_audit *a, char *text)
{
	size_t n = strlen(text), off = 0;
	char *line = realloc(text, n + 2);
	ssize_t w;
	int fd;

	if (line == NULL) {
		free(text);
		return -1;
	}
	line[n++] = '\n';
	pthread_mutex_lock(&a->lock);
	fd = fileno(a->f);
	while (off < n && ((w = write(fd, line + off, n - off)) > 0 || (w < 0 && errno == EINTR)))
		off += w > 0 ? (size_t)w : 0;
	/* a line cut short (disk full) must not swallow the next one */
	if (off > 0 && off < n && write(fd, "\n", 1) < 0)
		off = 0;
	pthread_mutex_unlock(&a->lock);
	free(line);
	return off == n ? 0 : -1;
}

int
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
	/*
	 * One write(2) per line, no stdio buffer: a line is on disk (or in the
	 * pipe) when the request ends, and the lock only spans the system call.
	 */
	text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(line);
	if (text == NULL || a == NULL) {
		free(text);
		return -1;
	}
	return write_line(a, text);
}
