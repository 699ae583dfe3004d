#include "ratelimit.h"

#include <stdio.h>
#include <string.h>

#include "../config/ipaddr.h"
#include "events.h"

static const unsigned window_seconds[] = {
	[BR_RATE_PER_MINUTE] = 60,
	[BR_RATE_PER_HOUR] = 3600,
};

int
br_rate_counter_key(const char *tag, const char *what, char *out, size_t cap)
{
	char norm[256];
	size_t i, n0 = 0;

	while (*what == ' ' || *what == '\t')
		what++;
	for (i = 0; what[i] != '\0' && n0 < sizeof(norm) - 1; i++)
		norm[n0++] = (char)((what[i] >= 'A' && what[i] <= 'Z') ? what[i] + 32 : what[i]);
	while (n0 > 0 && (norm[n0 - 1] == ' ' || norm[n0 - 1] == '\t'))
		n0--;
	norm[n0] = '\0';
	return br_cache_key_hash(tag, norm, n0, out, cap);
}

/* Count one more in the current window: 1 when over limit, 0 when not, -1 when the cache failed. */
static int
count(br_app *app, const char *tag, const char *what, int64_t now, br_rate_window w, int limit)
{
	char key[128], slot[160];
	unsigned secs = window_seconds[w];
	uint64_t n = 0;

	if (br_rate_counter_key(tag, what, key, sizeof(key)) < 0)
		return -1;
	snprintf(slot, sizeof(slot), "%s:%lld", key, (long long)(now / secs));
	if (br_cache_incr(app->cache, slot, 2 * secs, &n) != BR_CACHE_OK)
		return -1;
	return n > (uint64_t)limit;
}

static int
over_open(br_app *app, const char *tag, const char *what, int64_t now, int limit)
{
	int r = count(app, tag, what, now, BR_RATE_PER_MINUTE, limit);

	if (r < 0)
		br_metrics_event(app->metrics, "rate_limit", "cache_error");
	return r > 0;
}

br_result
br_rate_address(br_app *app, const br_caller *who)
{
	char buf[BR_IP_TEXT_MAX + 4];
	const char *bucket = br_ip_rate_bucket(who->client, buf, sizeof(buf));

	if (!over_open(app, "rl:ip", bucket, who->now, app->cfg.limit_per_address))
		return BR_RESULT_OK;
	br_event(app, who, "rate_limited", "address", NULL);
	return BR_RESULT_RATE_LIMITED;
}

/* An entry and a typed name never share a counter: the tags differ. */
static void
account_counter(const char *base, const char *username, const char *dn, char *tag, size_t cap, const char **what)
{
	snprintf(tag, cap, "%s:%s", base, dn != NULL ? "dn" : "name");
	*what = dn != NULL ? dn : username;
}

br_result
br_rate_account(br_app *app, const br_caller *who, const char *username, const char *dn)
{
	char tag[32];
	const char *what;

	account_counter("rl:acct", username, dn, tag, sizeof(tag), &what);
	if (what == NULL || !over_open(app, tag, what, who->now, app->cfg.limit_per_account))
		return BR_RESULT_OK;
	br_event(app, who, "rate_limited", "account", json_pack("{s:s?}", "username", username));
	return BR_RESULT_RATE_LIMITED;
}

br_result
br_rate_password(br_app *app, const br_caller *who, const char *username, const char *dn)
{
	char tag[32];
	const char *what;

	account_counter("rl:pw", username, dn, tag, sizeof(tag), &what);
	if (what == NULL)
		return BR_RESULT_RATE_LIMITED;
	return count(app, tag, what, who->now, BR_RATE_PER_HOUR, app->cfg.enrolment_password_attempts) == 0 ?
	    BR_RESULT_OK : BR_RESULT_RATE_LIMITED;
}
