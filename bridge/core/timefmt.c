#include "timefmt.h"

#include <string.h>
#include <time.h>

int64_t
br_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
br_date_ok(int y, int m, int d)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= (m == 2 && is_leap(y) ? 29 : days[m - 1]);
}

/* n decimal digits at s[*pos]; -1 when there are fewer. */
static int
digits(const char *s, size_t len, size_t *pos, size_t n, int *v)
{
	size_t i;

	if (len - *pos < n)
		return -1;
	*v = 0;
	for (i = 0; i < n; i++) {
		char c = s[*pos + i];
		if (c < '0' || c > '9')
			return -1;
		*v = *v * 10 + (c - '0');
	}
	*pos += n;
	return 0;
}

static int
is_digit_at(const char *s, size_t len, size_t pos)
{
	return pos < len && s[pos] >= '0' && s[pos] <= '9';
}

int
br_gentime_parse(const char *s, size_t len, int64_t *out)
{
	size_t pos = 0;
	int y, mo, d, h, mi = 0, se = 0, oh = 0, om = 0;
	int64_t off = 0;

	if (s == NULL || digits(s, len, &pos, 4, &y) < 0 || digits(s, len, &pos, 2, &mo) < 0 ||
	    digits(s, len, &pos, 2, &d) < 0 || digits(s, len, &pos, 2, &h) < 0)
		return -1;
	if (is_digit_at(s, len, pos)) {
		if (digits(s, len, &pos, 2, &mi) < 0)
			return -1;
		if (is_digit_at(s, len, pos) && digits(s, len, &pos, 2, &se) < 0)
			return -1;
	}
	if (pos < len && (s[pos] == '.' || s[pos] == ',')) {
		size_t start = ++pos;

		while (is_digit_at(s, len, pos))
			pos++;
		if (pos == start)
			return -1;
	}
	if (pos >= len)
		return -1;
	if (s[pos] == 'Z') {
		pos++;
	} else if (s[pos] == '+' || s[pos] == '-') {
		int sign = s[pos++] == '-' ? -1 : 1;

		if (digits(s, len, &pos, 2, &oh) < 0 || oh > 23)
			return -1;
		if (pos < len && (digits(s, len, &pos, 2, &om) < 0 || om > 59))
			return -1;
		off = sign * (oh * 3600 + om * 60);
	} else {
		return -1;
	}
	if (pos != len || !br_date_ok(y, mo, d) || h > 23 || mi > 59 || se > 60)
		return -1;
	if (se == 60)
		se = 59;        /* a leap second: the same instant for our purposes */
	*out = br_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se - off;
	return 0;
}

int
br_gentime_write(int64_t t, char *out, size_t cap)
{
	struct tm tm;
	time_t tt;

	if (cap < BR_GENTIME_LEN + 1 || t < 0 || t > INT64_C(253402300799))   /* 9999-12-31T23:59:59Z */
		return -1;
	tt = (time_t)t;
	if (gmtime_r(&tt, &tm) == NULL)
		return -1;
	return strftime(out, cap, "%Y%m%d%H%M%SZ", &tm) == BR_GENTIME_LEN ? 0 : -1;
}

int
br_iso_parse(const char *s, int64_t *out)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	int v[6], k = 0, acc = 0;
	size_t i;

	if (s == NULL || strlen(s) != sizeof(shape) - 1)
		return -1;
	for (i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] == 'd') {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			acc = acc * 10 + (s[i] - '0');
			if (shape[i + 1] != 'd') {
				v[k++] = acc;
				acc = 0;
			}
		} else if (s[i] != shape[i]) {
			return -1;
		}
	}
	if (!br_date_ok(v[0], v[1], v[2]) || v[3] > 23 || v[4] > 59 || v[5] > 60)
		return -1;
	*out = br_days_from_civil(v[0], (unsigned)v[1], (unsigned)v[2]) * 86400 + v[3] * 3600 + v[4] * 60 +
	    (v[5] == 60 ? 59 : v[5]);
	return 0;
}

int
br_time_to_iso(int64_t t, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return -1;
	return 0;
}
