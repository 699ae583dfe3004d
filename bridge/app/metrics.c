#include "metrics.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SERIES 256
#define NAME_MAX_LEN 48

static const double buckets[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5 };
#define N_BUCKETS (sizeof(buckets) / sizeof(buckets[0]))

struct counter {
	char event[NAME_MAX_LEN], reason[NAME_MAX_LEN];
	unsigned long long n;
};

struct histo {
	char route[NAME_MAX_LEN];
	unsigned long long b[N_BUCKETS], count, by_class[6];
	double sum;
};

struct br_metrics {
	pthread_mutex_t lock;
	struct counter c[MAX_SERIES];
	size_t nc;
	struct histo h[MAX_SERIES];
	size_t nh;
};

br_metrics *
br_metrics_new(void)
{
	br_metrics *m = calloc(1, sizeof(*m));

	if (m != NULL)
		pthread_mutex_init(&m->lock, NULL);
	return m;
}

void
br_metrics_free(br_metrics **m)
{
	if (m == NULL || *m == NULL)
		return;
	pthread_mutex_destroy(&(*m)->lock);
	free(*m);
	*m = NULL;
}

/* Label values come from our own code, never from requests; still keep them tame. */
static void
label(char *dst, const char *src)
{
	size_t i;

	for (i = 0; src != NULL && src[i] != '\0' && i < NAME_MAX_LEN - 1; i++)
		dst[i] = (src[i] >= 'a' && src[i] <= 'z') || (src[i] >= 'A' && src[i] <= 'Z') ||
		    (src[i] >= '0' && src[i] <= '9') || src[i] == '_' || src[i] == '-' || src[i] == '.' ? src[i] : '_';
	dst[i] = '\0';
}

void
br_metrics_event(br_metrics *m, const char *event, const char *reason)
{
	char e[NAME_MAX_LEN], r[NAME_MAX_LEN];
	size_t i;

	if (m == NULL)
		return;
	label(e, event);
	label(r, reason);
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->nc; i++)
		if (strcmp(m->c[i].event, e) == 0 && strcmp(m->c[i].reason, r) == 0)
			break;
	if (i == m->nc && m->nc < MAX_SERIES) {
		strcpy(m->c[i].event, e);
		strcpy(m->c[i].reason, r);
		m->nc++;
	}
	if (i < m->nc)
		m->c[i].n++;
	pthread_mutex_unlock(&m->lock);
}

void
br_metrics_request(br_metrics *m, const char *route, int status, double seconds)
{
	char r[NAME_MAX_LEN];
	size_t i, b;

	if (m == NULL)
		return;
	label(r, route);
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->nh; i++)
		if (strcmp(m->h[i].route, r) == 0)
			break;
	if (i == m->nh && m->nh < MAX_SERIES) {
		strcpy(m->h[i].route, r);
		m->nh++;
	}
	if (i < m->nh) {
		for (b = 0; b < N_BUCKETS; b++)
			if (seconds <= buckets[b])
				m->h[i].b[b]++;
		m->h[i].count++;
		m->h[i].sum += seconds;
		if (status >= 100 && status < 600)
			m->h[i].by_class[status / 100]++;
	}
	pthread_mutex_unlock(&m->lock);
}

struct buf {
	char *p;
	size_t len, cap;
	int oom;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = 1;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		char *np = realloc(b->p, b->cap * 2 + (size_t)n);
		if (np == NULL) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = b->cap * 2 + (size_t)n;
	}
}

char *
br_metrics_render(br_metrics *m)
{
	struct buf b = { malloc(8192), 0, 8192, 0 };
	size_t i, k;

	if (b.p == NULL)
		return NULL;
	b.p[0] = '\0';
	pthread_mutex_lock(&m->lock);
	put(&b, "# HELP fidobridge_events_total Sign-in, registration and handoff events by outcome.\n"
		"# TYPE fidobridge_events_total counter\n");
	for (i = 0; i < m->nc; i++)
		put(&b, "fidobridge_events_total{event=\"%s\",reason=\"%s\"} %llu\n", m->c[i].event, m->c[i].reason, m->c[i].n);
	put(&b, "# HELP fidobridge_request_seconds Time to answer an HTTP request.\n"
		"# TYPE fidobridge_request_seconds histogram\n");
	for (i = 0; i < m->nh; i++) {
		for (k = 0; k < N_BUCKETS; k++)
			put(&b, "fidobridge_request_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n", m->h[i].route, buckets[k], m->h[i].b[k]);
		put(&b, "fidobridge_request_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n", m->h[i].route, m->h[i].count);
		put(&b, "fidobridge_request_seconds_sum{route=\"%s\"} %.6f\n", m->h[i].route, m->h[i].sum);
		put(&b, "fidobridge_request_seconds_count{route=\"%s\"} %llu\n", m->h[i].route, m->h[i].count);
	}
	put(&b, "# HELP fidobridge_responses_total HTTP responses by route and status class.\n"
		"# TYPE fidobridge_responses_total counter\n");
	for (i = 0; i < m->nh; i++)
		for (k = 1; k < 6; k++)
			if (m->h[i].by_class[k] > 0)
				put(&b, "fidobridge_responses_total{route=\"%s\",code=\"%zuxx\"} %llu\n", m->h[i].route, k, m->h[i].by_class[k]);
	pthread_mutex_unlock(&m->lock);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}
