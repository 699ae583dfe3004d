/*
 * Time in the forms the directory, the pages and the recorded cases use: the
 * one strict codec. A date that does not exist (20260231...) is an error,
 * never a day in the next month.
 */
#ifndef BR_TIMEFMT_H
#define BR_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define BR_GENTIME_LEN 15       /* "YYYYmmddHHMMSSZ" */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; m 1..12, d 1..31 unchecked). */
int64_t br_days_from_civil(int64_t y, unsigned m, unsigned d);
/* Whether y-m-d is a real calendar date (years 1..9999). */
int br_date_ok(int y, int m, int d);

/*
 * GeneralizedTime (RFC 4517 3.3.13) of exactly len bytes to unix seconds:
 * minutes and seconds optional, a fraction dropped, Z or +hh[mm]/-hh[mm];
 * every field in range for its month. 0 or -1.
 */
int br_gentime_parse(const char *s, size_t len, int64_t *out);
/* "YYYYmmddHHMMSSZ" into out (cap >= 16); -1 outside years 1970..9999. */
int br_gentime_write(int64_t t, char *out, size_t cap);

/* "YYYY-mm-ddTHH:MM:SSZ" (RFC 3339, UTC, nothing else) to unix seconds. 0 or -1. */
int br_iso_parse(const char *s, int64_t *out);
/* "YYYY-mm-ddTHH:MM:SSZ" (ISO 8601, UTC); cap >= 21. */
int br_time_to_iso(int64_t t, char *out, size_t cap);

#endif
