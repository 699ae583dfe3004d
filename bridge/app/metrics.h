/* Counters and a latency histogram, rendered in the Prometheus text format. */
#ifndef BR_METRICS_H
#define BR_METRICS_H

#include <stddef.h>

typedef struct br_metrics br_metrics;

br_metrics *br_metrics_new(void);
void br_metrics_free(br_metrics **m);
/* fidobridge_events_total{event=…,reason=…} += 1 (reason may be NULL). */
void br_metrics_event(br_metrics *m, const char *event, const char *reason);
/* fidobridge_request_seconds{route=…} histogram, and requests by status class. */
void br_metrics_request(br_metrics *m, const char *route, int status, double seconds);
/* malloc'd exposition text. */
char *br_metrics_render(br_metrics *m);

#endif
