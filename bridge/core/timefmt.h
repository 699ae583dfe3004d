/* Time in the forms the directory and the pages use. */
#ifndef BR_TIMEFMT_H
#define BR_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; m 1..12). */
int64_t br_days_from_civil(int64_t y, unsigned m, unsigned d);
/* unix seconds <-> LDAP GeneralizedTime "YYYYmmddHHMMSSZ" (UTC). 0 or -1. */
int br_time_to_generalized(int64_t t, char *out, size_t cap);
int br_time_from_generalized(const char *s, int64_t *out);
/* "YYYY-mm-ddTHH:MM:SSZ" (ISO 8601, UTC) */
int br_time_to_iso(int64_t t, char *out, size_t cap);

#endif
