/* Time in the forms the directory and the pages use. */
#ifndef BR_TIMEFMT_H
#define BR_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* unix seconds <-> LDAP GeneralizedTime "YYYYmmddHHMMSSZ" (UTC). 0 or -1. */
int br_time_to_generalized(int64_t t, char *out, size_t cap);
int br_time_from_generalized(const char *s, int64_t *out);
/* "YYYY-mm-ddTHH:MM:SSZ" (ISO 8601, UTC) */
int br_time_to_iso(int64_t t, char *out, size_t cap);

#endif
