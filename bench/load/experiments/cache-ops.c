/*
 * The cache client alone: one thread runs, per iteration, the kinds of
 * operation a login makes (a counter, a flow set and get, a challenge set
 * and take) against real memcached servers, and prints the process's CPU
 * and the wall time per iteration. Built against two versions of
 * bridge/store/cache_memcached.c it compares the clients without slapd, HTTP
 * or the load generator in the way (docs/performance.md, "The memcached
 * client"). Build and run: see README.md in this directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cache.h"

static double
cpu_s(void)
{
	struct rusage r;

	getrusage(RUSAGE_SELF, &r);
	return (double)r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 + (double)r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6;
}

static double
wall_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	char err[256], val[600], k[64], *v;
	br_cache_options o = { NULL, "cacheops:", 1, 500 };
	br_cache *c;
	double c0, w0;
	size_t l;
	uint64_t x;
	int n, i;

	if (argc != 4) {
		fprintf(stderr, "usage: cache-ops host:port,host:port ITERATIONS REPLICAS\n");
		return 2;
	}
	o.servers = argv[1];
	n = atoi(argv[2]);
	o.replicas = (unsigned)atoi(argv[3]);
	if (n <= 0 || (c = br_cache_open(&o, err, sizeof(err))) == NULL) {
		fprintf(stderr, "cache-ops: %s\n", n <= 0 ? "bad iteration count" : err);
		return 2;
	}
	memset(val, 'x', sizeof(val));
	c0 = cpu_s();
	w0 = wall_s();
	for (i = 0; i < n; i++) {
		snprintf(k, sizeof(k), "rl:%d", i % 50);
		if (br_cache_incr(c, k, 60, &x) != BR_CACHE_OK)
			return 1;
		snprintf(k, sizeof(k), "flow:%d", i);
		if (br_cache_set(c, k, val, sizeof(val), 60) != BR_CACHE_OK || br_cache_get(c, k, &v, &l) != BR_CACHE_OK)
			return 1;
		free(v);
		snprintf(k, sizeof(k), "challenge:%d", i);
		if (br_cache_set(c, k, val, 100, 60) != BR_CACHE_OK || br_cache_take(c, k, &v, &l) != BR_CACHE_OK)
			return 1;
		free(v);
	}
	printf("%.1f us CPU, %.1f us wall per iteration (%d iterations, replicas %u)\n", (cpu_s() - c0) / n * 1e6,
	    (wall_s() - w0) / n * 1e6, n, o.replicas);
	br_cache_close(&c);
	return 0;
}
