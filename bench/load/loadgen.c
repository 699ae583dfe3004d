/*
 * loadgen: complete passkey logins against the bridge (or the JavaScript
 * peer), as many students' browsers and the IdP would run them:
 *
 *   1. GET  /authn/start?...&sig=...   signed like the IdP shim   -> 303 /login + flow cookie
 *   2. POST /api/authenticate/options  {} (discoverable) or {"username":..}
 *   3. the virtual authenticator signs the assertion (ES256, sign count 0)
 *   4. POST /api/authenticate/verify   credential.toJSON()        -> {"ok":true,"next":"/authn/finish"}
 *   5. GET  /authn/finish                                         -> 303 <return>?conversation&state&ticket
 *   6. the ticket taken once from memcached (get, then delete: only our delete
 *      counts), its MAC, conversation, state and principal checked, as the shim does.
 *
 * Closed loop (N virtual users, each starting its next login when the last
 * one ends) or open loop (logins arrive at a fixed rate; at most N in flight;
 * latency counted from the intended start, so queueing shows). Everything is
 * bounded: a duration, optionally a login count, loopback addresses only.
 *
 * Each worker thread runs an epoll loop over its virtual users' keep-alive
 * HTTP/1.1 connections (one per backend; requests go round-robin over the
 * backends) and one pipelined memcached connection. Source addresses are
 * spread over 127.0.1.x so that per-address connection and rate limits see
 * many clients, as they would in front of a real campus.
 *
 * Reports logins/s, latency per step and whole, errors by kind, and for the
 * measured window: CPU seconds and RSS of watched processes (--watch
 * label=pid), LDAP operations (cn=Monitor), memcached operations (stats).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <ldap.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "b64url.h"
#include "crypto.h"
#include "handoff.h"

#define MAX_BACKENDS 8
#define MAX_WATCH 8
#define MAX_THREADS 16
#define MAX_VUS 20000
#define RBUF_MAX (1 << 20)
#define ERR_KINDS 64
#define MAX_MC 8

/* ------------------------------------------------------------------ time */

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void
sleep_until(uint64_t t)
{
	uint64_t n;

	while ((n = now_us()) < t) {
		uint64_t d = t - n;
		struct timespec ts = { (time_t)(d / 1000000u), (long)(d % 1000000u) * 1000 };
		nanosleep(&ts, NULL);
	}
}

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "loadgen: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

/* ------------------------------------------------------------- histogram */

/* Log-linear, microseconds: exact below 256 us, then 128 buckets per octave (< 0.8 % error). */
#define H_LIN 256
#define H_SUB 128
#define H_OCT 30
#define H_N (H_LIN + H_OCT * H_SUB)

struct hist {
	uint64_t b[H_N];
	uint64_t n, max, sum;
};

static int
h_index(uint64_t v)
{
	int e, i;

	if (v < H_LIN)
		return (int)v;
	e = 63 - __builtin_clzll(v); /* >= 8 */
	i = H_LIN + (e - 8) * H_SUB + (int)((v >> (e - 7)) - 128);
	return i < H_N ? i : H_N - 1;
}

static double
h_value(int i)
{
	int e, s;

	if (i < H_LIN)
		return i;
	e = (i - H_LIN) / H_SUB + 8;
	s = (i - H_LIN) % H_SUB + 128;
	return ((double)s + 0.5) * (double)(1ull << (e - 7));
}

static void
h_add(struct hist *h, uint64_t v)
{
	h->b[h_index(v)]++;
	h->n++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
}

static void
h_merge(struct hist *to, const struct hist *from)
{
	for (int i = 0; i < H_N; i++)
		to->b[i] += from->b[i];
	to->n += from->n;
	to->sum += from->sum;
	if (from->max > to->max)
		to->max = from->max;
}

/* the q-quantile in ms */
static double
h_q(const struct hist *h, double q)
{
	uint64_t want, acc = 0;

	if (h->n == 0)
		return 0;
	want = (uint64_t)ceil(q * (double)h->n);
	if (want == 0)
		want = 1;
	for (int i = 0; i < H_N; i++) {
		acc += h->b[i];
		if (acc >= want) {
			double v = h_value(i);
			return (v > (double)h->max ? (double)h->max : v) / 1000.0;
		}
	}
	return (double)h->max / 1000.0;
}

/* ----------------------------------------------------------------- options */

struct watch {
	char label[32];
	int pid;
};

static struct {
	struct sockaddr_in backend[MAX_BACKENDS];
	int nb;
	char host[128];         /* Host header */
	const char *origin, *rp_id, *return_url, *entity, *secret_file, *prefix, *users_file, *label;
	struct sockaddr_in mc[MAX_MC];  /* the ticket takes ask all of them, as the shim does */
	int nmc;
	const char *ldap_monitor;
	int closed;
	int conc;
	double rate;
	double duration, warmup, grace;
	long max_logins;
	int threads;
	int username_flow;
	int seq_users;
	int src_ips;
	int timeout_ms;
	int poisson;
	double sample_s;
	int series;             /* print an RSS line every N samples */
	struct watch watch[MAX_WATCH];
	int nwatch;
} O;

static int
loopback_addr(const char *hostport, struct sockaddr_in *sa)
{
	char host[128], *colon;
	long port;

	if (strncmp(hostport, "http://", 7) == 0)
		hostport += 7;
	snprintf(host, sizeof(host), "%s", hostport);
	host[strcspn(host, "/")] = '\0';
	if ((colon = strrchr(host, ':')) == NULL)
		return -1;
	*colon = '\0';
	port = strtol(colon + 1, NULL, 10);
	if (port < 1 || port > 65535)
		return -1;
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return -1;
	/* loopback only: 127.0.0.0/8 */
	if ((ntohl(sa->sin_addr.s_addr) >> 24) != 127)
		return -1;
	return 0;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: loadgen --target http://127.0.0.1:PORT[,http://127.0.0.1:PORT2...] --origin URL --rp-id ID\n"
	    "               --return URL --secret-file F --memcached 127.0.0.1:PORT[,127.0.0.1:PORT2...] --users KEYS\n"
	    "  [--prefix fidobridge:] [--entity ENTITYID] [--label TEXT]\n"
	    "  [--mode closed|open] [--concurrency N] [--rate LOGINS_PER_S] [--poisson]\n"
	    "  [--duration S] [--warmup S] [--max-logins N] [--threads T] [--flow discoverable|username]\n"
	    "  [--users-order random|seq] [--src-ips N] [--timeout-ms MS]\n"
	    "  [--watch LABEL=PID]... [--ldap-monitor ldap://127.0.0.1:PORT] [--sample S] [--series N]\n");
	exit(2);
}

static void
parse_options(int argc, char **argv)
{
	const char *targets = NULL, *mc = NULL;

	O.prefix = "fidobridge:";
	O.entity = "https://sp.example.org/shibboleth";
	O.label = "run";
	O.closed = 1;
	O.conc = 10;
	O.duration = 10;
	O.warmup = 2;
	O.grace = 5;
	O.threads = 1;
	O.src_ips = 64;
	O.timeout_ms = 10000;
	O.sample_s = 0.5;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int flag = 1;
		if (strcmp(a, "--poisson") == 0) { O.poisson = 1; flag = 0; }
		else if (v == NULL) usage();
		else if (strcmp(a, "--target") == 0) targets = v;
		else if (strcmp(a, "--origin") == 0) O.origin = v;
		else if (strcmp(a, "--rp-id") == 0) O.rp_id = v;
		else if (strcmp(a, "--return") == 0) O.return_url = v;
		else if (strcmp(a, "--entity") == 0) O.entity = v;
		else if (strcmp(a, "--secret-file") == 0) O.secret_file = v;
		else if (strcmp(a, "--memcached") == 0) mc = v;
		else if (strcmp(a, "--prefix") == 0) O.prefix = v;
		else if (strcmp(a, "--users") == 0) O.users_file = v;
		else if (strcmp(a, "--label") == 0) O.label = v;
		else if (strcmp(a, "--mode") == 0) {
			if (strcmp(v, "closed") == 0) O.closed = 1;
			else if (strcmp(v, "open") == 0) O.closed = 0;
			else usage();
		} else if (strcmp(a, "--concurrency") == 0) O.conc = atoi(v);
		else if (strcmp(a, "--rate") == 0) O.rate = atof(v);
		else if (strcmp(a, "--duration") == 0) O.duration = atof(v);
		else if (strcmp(a, "--warmup") == 0) O.warmup = atof(v);
		else if (strcmp(a, "--max-logins") == 0) O.max_logins = atol(v);
		else if (strcmp(a, "--threads") == 0) O.threads = atoi(v);
		else if (strcmp(a, "--flow") == 0) {
			if (strcmp(v, "discoverable") == 0) O.username_flow = 0;
			else if (strcmp(v, "username") == 0) O.username_flow = 1;
			else usage();
		} else if (strcmp(a, "--users-order") == 0) O.seq_users = strcmp(v, "seq") == 0;
		else if (strcmp(a, "--src-ips") == 0) O.src_ips = atoi(v);
		else if (strcmp(a, "--timeout-ms") == 0) O.timeout_ms = atoi(v);
		else if (strcmp(a, "--ldap-monitor") == 0) O.ldap_monitor = v;
		else if (strcmp(a, "--sample") == 0) O.sample_s = atof(v);
		else if (strcmp(a, "--series") == 0) O.series = atoi(v);
		else if (strcmp(a, "--watch") == 0) {
			const char *eq = strchr(v, '=');
			if (eq == NULL || O.nwatch >= MAX_WATCH || eq - v >= 32)
				usage();
			memcpy(O.watch[O.nwatch].label, v, (size_t)(eq - v));
			O.watch[O.nwatch].pid = atoi(eq + 1);
			if (O.watch[O.nwatch].pid > 0)
				O.nwatch++;
		} else usage();
		if (flag)
			i++;
	}
	if (targets == NULL || O.origin == NULL || O.rp_id == NULL || O.return_url == NULL ||
	    O.secret_file == NULL || mc == NULL || O.users_file == NULL)
		usage();
	{
		char *t = strdup(targets), *save = NULL, *tok;
		for (tok = strtok_r(t, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
			if (O.nb >= MAX_BACKENDS)
				die("at most %d targets", MAX_BACKENDS);
			if (loopback_addr(tok, &O.backend[O.nb]) < 0)
				die("target %s: only http://127.x.x.x:PORT or http://localhost:PORT", tok);
			O.nb++;
		}
		free(t);
	}
	{
		char *t = strdup(mc), *save = NULL, *tok;
		for (tok = strtok_r(t, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
			if (O.nmc >= MAX_MC)
				die("at most %d memcached servers", MAX_MC);
			if (loopback_addr(tok, &O.mc[O.nmc]) < 0)
				die("memcached %s: only 127.x.x.x:PORT", tok);
			O.nmc++;
		}
		free(t);
	}
	{
		const char *h = strstr(O.origin, "://");
		snprintf(O.host, sizeof(O.host), "%s", h != NULL ? h + 3 : O.origin);
	}
	/* bounded: nothing runs for more than an hour or with absurd fan-out */
	if (O.duration <= 0 || O.duration > 3600 || O.warmup < 0 || O.warmup > 600)
		die("--duration must be in (0, 3600] s, --warmup in [0, 600] s");
	if (O.conc < 1 || O.conc > MAX_VUS)
		die("--concurrency must be 1..%d", MAX_VUS);
	if (O.threads < 1 || O.threads > MAX_THREADS)
		die("--threads must be 1..%d", MAX_THREADS);
	if (!O.closed && (O.rate <= 0 || O.rate > 1e6))
		die("--mode open needs --rate > 0");
	if (O.src_ips < 1 || O.src_ips > 250)
		die("--src-ips must be 1..250");
	if (O.timeout_ms < 10 || O.timeout_ms > 120000)
		die("--timeout-ms must be 10..120000");
	if (O.max_logins < 0)
		die("--max-logins must be >= 0");
}

/* ------------------------------------------------------------------ users */

struct user {
	char uid[24];
	char cid[40];          /* b64url */
	char handle[64];       /* b64url */
	unsigned char priv[32];
	unsigned char pub[65];
	_Atomic(EVP_PKEY *) key;
};

static struct user *users;
static size_t n_users;
static _Atomic size_t seq_next;
static unsigned char rp_hash[32];
static br_secrets secrets;
static char *return_enc, *entity_enc;

static int
unhex(const char *s, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned hi, lo;
		if (!isxdigit((unsigned char)s[2 * i]) || !isxdigit((unsigned char)s[2 * i + 1]))
			return -1;
		hi = (unsigned)(isdigit((unsigned char)s[2 * i]) ? s[2 * i] - '0' : (tolower((unsigned char)s[2 * i]) - 'a' + 10));
		lo = (unsigned)(isdigit((unsigned char)s[2 * i + 1]) ? s[2 * i + 1] - '0' : (tolower((unsigned char)s[2 * i + 1]) - 'a' + 10));
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return s[2 * n] == '\0' || s[2 * n] == ' ' || s[2 * n] == '\n' ? 0 : -1;
}

static void
load_users(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512], uid[64], cid[64], handle[128], priv[128], pub[192];
	size_t cap = 0;

	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		struct user *u;
		if (sscanf(line, "%63s %63s %127s %127s %191s", uid, cid, handle, priv, pub) != 5)
			continue;
		if (n_users == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((users = realloc(users, cap * sizeof(*users))) == NULL)
				die("out of memory");
		}
		u = &users[n_users];
		memset(u, 0, sizeof(*u));
		if (strlen(uid) >= sizeof(u->uid) || strlen(cid) >= sizeof(u->cid) || strlen(handle) >= sizeof(u->handle) ||
		    unhex(priv, u->priv, 32) < 0 || unhex(pub, u->pub, 65) < 0)
			die("%s: bad line: %.40s...", path, line);
		strcpy(u->uid, uid);
		strcpy(u->cid, cid);
		strcpy(u->handle, handle);
		n_users++;
	}
	fclose(f);
	if (n_users == 0)
		die("%s: no users", path);
}

static EVP_PKEY *
user_key(struct user *u)
{
	EVP_PKEY *k = atomic_load(&u->key), *expect = NULL;
	OSSL_PARAM_BLD *b;
	OSSL_PARAM *p;
	EVP_PKEY_CTX *c;
	BIGNUM *d;

	if (k != NULL)
		return k;
	b = OSSL_PARAM_BLD_new();
	d = BN_bin2bn(u->priv, 32, NULL);
	OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
	OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, d);
	OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, u->pub, 65);
	p = OSSL_PARAM_BLD_to_param(b);
	c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (p == NULL || c == NULL || EVP_PKEY_fromdata_init(c) != 1 || EVP_PKEY_fromdata(c, &k, EVP_PKEY_KEYPAIR, p) != 1)
		die("cannot build the key of %s", u->uid);
	EVP_PKEY_CTX_free(c);
	OSSL_PARAM_free(p);
	OSSL_PARAM_BLD_free(b);
	BN_clear_free(d);
	if (!atomic_compare_exchange_strong(&u->key, &expect, k)) {
		EVP_PKEY_free(k);
		k = expect;
	}
	return k;
}

/* -------------------------------------------------------- workers, VUs */

enum step { S_START, S_OPTIONS, S_VERIFY, S_FINISH, S_TICKET, S_LOGIN, N_STEPS };
static const char *const step_name[N_STEPS] = { "start", "options", "verify", "finish", "ticket", "login" };

struct errk {
	char kind[48];
	uint64_t n;
};

struct stats {
	struct hist h[N_STEPS];
	uint64_t ok;            /* logins completed in the window */
	uint64_t ok_all;        /* ... at any time */
	uint64_t err_window, err_all;
	uint64_t mc_gets_window, mc_dels_window; /* our own ticket gets and deletes in the window */
	uint64_t dropped;       /* open loop: arrivals refused (queue full) */
	uint64_t stale_retry;
	struct errk e[ERR_KINDS];
	int ne;
};

enum { K_HTTP = 1, K_MC = 2 };

struct worker;
struct vu;

struct conn {
	int kind;               /* K_HTTP */
	int fd;
	int connected;
	int reused;             /* carried a request before this one */
	int backend;
	struct vu *vu;
	char *w;
	size_t wlen, woff, wcap;
	char *r;
	size_t rlen, rcap;
	unsigned events;
};

struct vu {
	int idx;
	struct worker *wk;
	struct conn c[MAX_BACKENDS];
	struct conn *cur;       /* the connection of the request in flight */
	int busy;               /* a login in progress */
	int step;
	int retried;
	uint64_t t_login0, t_step0, deadline, resume_at;
	struct user *u;
	char conv[32];
	char state[48];
	char cookie[160];       /* name=value of the flow cookie */
	char challenge[160];
	char ticket[80];
	char mckey[160];
	char *ticket_rec;       /* the record fetched by get, until the deletes answer */
	size_t ticket_len;
	int take_pending;       /* answers still awaited in this phase of the take */
	unsigned take_found;    /* servers that had the ticket */
	int take_lost, take_err;
	unsigned rr;
	struct vu *next_free;
};

struct mcop {
	struct vu *vu;
	int del;
};

/* one memcached server: a pipelined connection, answers in request order */
struct mcconn {
	int kind;               /* K_MC */
	int idx;
	struct worker *wk;
	int fd;
	char *w;
	size_t wlen, woff, wcap;
	char *r;
	size_t rlen, rcap;
	unsigned events;
	struct mcop *q;
	size_t qh, qt, qcap;
};

struct worker {
	int id;
	pthread_t th;
	int ep;
	struct vu *vus;
	int nvu;
	struct stats st;
	uint64_t rng[2];
	unsigned conv_n;
	char *scratch;          /* chunked bodies */
	struct mcconn mc[MAX_MC];
	/* open loop */
	uint64_t next_arrival;
	uint64_t *pending;
	size_t ph, pt, pcap;
	struct vu *free_list;
	double rate;            /* this worker's share, logins/us */
	int busy;
};

static _Atomic int stop_starting;
static _Atomic long started_total;
static uint64_t t_begin, win_start, win_end, hard_end;

static uint64_t
rnd(struct worker *w)
{
	uint64_t s1 = w->rng[0], s0 = w->rng[1], r = s0 + s1;

	w->rng[0] = s0;
	s1 ^= s1 << 23;
	w->rng[1] = s1 ^ s0 ^ (s1 >> 18) ^ (s0 >> 5);
	return r;
}

static void
err_count(struct worker *w, const char *fmt, ...)
{
	char k[48];
	va_list ap;
	int i;

	va_start(ap, fmt);
	vsnprintf(k, sizeof(k), fmt, ap);
	va_end(ap);
	w->st.err_all++;
	{
		uint64_t t = now_us();
		if (t < win_start || t > win_end)
			return;
	}
	w->st.err_window++;
	for (i = 0; i < w->st.ne; i++)
		if (strcmp(w->st.e[i].kind, k) == 0) {
			w->st.e[i].n++;
			return;
		}
	if (w->st.ne < ERR_KINDS) {
		snprintf(w->st.e[w->st.ne].kind, sizeof(w->st.e[0].kind), "%s", k);
		w->st.e[w->st.ne++].n = 1;
	}
}

static int
in_window(uint64_t t)
{
	return t >= win_start && t <= win_end;
}

static void
buf_reserve(char **b, size_t *cap, size_t need)
{
	if (need <= *cap)
		return;
	size_t c = *cap ? *cap : 1024;
	while (c < need)
		c *= 2;
	if ((*b = realloc(*b, c)) == NULL)
		die("out of memory");
	*cap = c;
}

static void
ep_set(struct worker *w, int fd, void *ptr, unsigned *cur, unsigned ev)
{
	struct epoll_event e = { .events = ev, .data.ptr = ptr };

	if (*cur == ev)
		return;
	if (epoll_ctl(w->ep, *cur == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &e) < 0)
		die("epoll_ctl: %s", strerror(errno));
	*cur = ev;
}

static void
conn_close(struct worker *w, struct conn *c)
{
	if (c->fd >= 0) {
		epoll_ctl(w->ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	c->fd = -1;
	c->connected = 0;
	c->reused = 0;
	c->events = 0;
	c->rlen = 0;
	c->wlen = c->woff = 0;
}

static int
conn_open(struct worker *w, struct conn *c, int src)
{
	struct sockaddr_in sa;
	int one = 1, fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl((127u << 24) | (0u << 16) | (1u << 8) | (unsigned)(1 + src % O.src_ips));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&O.backend[c->backend], sizeof(O.backend[0])) < 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	c->fd = fd;
	c->connected = 0;
	c->events = 0;
	ep_set(w, fd, c, &c->events, EPOLLIN | EPOLLOUT);
	return 0;
}

static void vu_fail(struct vu *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void vu_begin(struct vu *v, uint64_t t0);
static void http_flush(struct worker *w, struct conn *c);

/* Queue a request on the next backend's connection of this VU. */
static void
http_send(struct vu *v, const char *method, const char *path, const char *body, size_t blen, int json)
{
	struct worker *w = v->wk;
	int b = (int)(v->rr++ % (unsigned)O.nb);
	struct conn *c = &v->c[b];
	char head[1024];
	int hl;

	v->cur = c;
	if (c->fd < 0 && conn_open(w, c, v->idx) < 0) {
		vu_fail(v, "connect_%s", strerror(errno));
		return;
	}
	hl = snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: %s\r\n", method, path, O.host);
	if (hl < 0 || (size_t)hl >= sizeof(head))
		die("request line too long");
	buf_reserve(&c->w, &c->wcap, (size_t)hl + strlen(path) + blen + 1024);
	memcpy(c->w, head, (size_t)hl);
	c->wlen = (size_t)hl;
	c->woff = 0;
	if (json)
		c->wlen += (size_t)sprintf(c->w + c->wlen, "Origin: %s\r\nContent-Type: application/json\r\n", O.origin);
	if (v->cookie[0] != '\0')
		c->wlen += (size_t)sprintf(c->w + c->wlen, "Cookie: %s\r\n", v->cookie);
	if (body != NULL)
		c->wlen += (size_t)sprintf(c->w + c->wlen, "Content-Length: %zu\r\n", blen);
	memcpy(c->w + c->wlen, "\r\n", 2);
	c->wlen += 2;
	if (body != NULL) {
		memcpy(c->w + c->wlen, body, blen);
		c->wlen += blen;
	}
	c->rlen = 0;
	v->t_step0 = now_us();
	v->deadline = v->t_step0 + (uint64_t)O.timeout_ms * 1000u;
	if (c->connected)
		http_flush(w, c);
}

static void
http_flush(struct worker *w, struct conn *c)
{
	while (c->woff < c->wlen) {
		ssize_t n = write(c->fd, c->w + c->woff, c->wlen - c->woff);
		if (n < 0) {
			if (errno == EAGAIN) {
				ep_set(w, c->fd, c, &c->events, EPOLLIN | EPOLLOUT);
				return;
			}
			if (c->vu->cur == c && c->vu->busy)
				vu_fail(c->vu, "write_%s", strerror(errno));
			else
				conn_close(w, c);
			return;
		}
		c->woff += (size_t)n;
	}
	ep_set(w, c->fd, c, &c->events, EPOLLIN);
}

/* ---- response parsing ---- */

struct resp {
	int status;
	int close;
	const char *loc;
	size_t loc_len;
	const char *cookie;     /* "name=value" of the flow cookie */
	size_t cookie_len;
	const char *body;
	size_t blen;
	size_t total;
};

static int
hdr_is(const char *line, size_t len, const char *name, const char **val, size_t *vlen)
{
	size_t n = strlen(name);

	if (len <= n || line[n] != ':' || strncasecmp(line, name, n) != 0)
		return 0;
	line += n + 1;
	len -= n + 1;
	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\r'))
		len--;
	*val = line;
	*vlen = len;
	return 1;
}

/* 1 complete, 0 need more, -1 malformed */
static int
parse_resp(char *b, size_t n, struct resp *r, char *scratch, size_t scap)
{
	char *end = memmem(b, n, "\r\n\r\n", 4), *p, *eol;
	long clen = -1;
	int chunked = 0;
	size_t hl;

	memset(r, 0, sizeof(*r));
	if (end == NULL)
		return n > 65536 ? -1 : 0;
	hl = (size_t)(end - b) + 4;
	if (n < 12 || strncmp(b, "HTTP/1.", 7) != 0)
		return -1;
	r->status = atoi(b + 9);
	if (b[7] == '0')
		r->close = 1;
	for (p = memchr(b, '\n', hl) + 1; p < end; p = eol + 1) {
		const char *v;
		size_t vl;
		eol = memchr(p, '\n', (size_t)(end + 2 - p));
		if (eol == NULL)
			break;
		if (hdr_is(p, (size_t)(eol - p), "Content-Length", &v, &vl))
			clen = strtol(v, NULL, 10);
		else if (hdr_is(p, (size_t)(eol - p), "Transfer-Encoding", &v, &vl))
			chunked = vl >= 7 && strncasecmp(v + vl - 7, "chunked", 7) == 0;
		else if (hdr_is(p, (size_t)(eol - p), "Connection", &v, &vl))
			r->close = vl == 5 && strncasecmp(v, "close", 5) == 0;
		else if (hdr_is(p, (size_t)(eol - p), "Location", &v, &vl)) {
			r->loc = v;
			r->loc_len = vl;
		} else if (hdr_is(p, (size_t)(eol - p), "Set-Cookie", &v, &vl)) {
			if ((vl > 8 && strncmp(v, "fb_flow=", 8) == 0) || (vl > 15 && strncmp(v, "__Host-fb_flow=", 15) == 0)) {
				r->cookie = v;
				r->cookie_len = strcspn(v, ";\r");
				if (r->cookie_len > vl)
					r->cookie_len = vl;
			}
		}
	}
	if (chunked) {
		size_t off = hl, bl = 0;
		for (;;) {
			char *nl = memmem(b + off, n - off, "\r\n", 2);
			unsigned long sz;
			if (nl == NULL)
				return 0;
			sz = strtoul(b + off, NULL, 16);
			off = (size_t)(nl - b) + 2;
			if (sz == 0) {
				if (n - off < 2)
					return 0;
				if (memcmp(b + off, "\r\n", 2) != 0) {
					char *t = memmem(b + off, n - off, "\r\n\r\n", 4);
					if (t == NULL)
						return 0;
					off = (size_t)(t - b) + 4;
				} else {
					off += 2;
				}
				break;
			}
			if (n - off < sz + 2)
				return 0;
			if (bl + sz + 1 > scap)
				return -1;
			memcpy(scratch + bl, b + off, sz);
			bl += sz;
			off += sz + 2;
		}
		scratch[bl] = '\0';
		r->body = scratch;
		r->blen = bl;
		r->total = off;
		return 1;
	}
	if (clen < 0)
		clen = 0; /* both servers always send a length or chunks */
	if (n < hl + (size_t)clen)
		return 0;
	r->body = b + hl;
	r->blen = (size_t)clen;
	r->total = hl + (size_t)clen;
	return 1;
}

/* "name":"value" in a compact JSON text (our servers' answers), copied into out. */
static int
json_str(const char *body, size_t blen, const char *name, char *out, size_t cap)
{
	char pat[64];
	const char *p, *e, *end = body + blen;
	size_t n;

	snprintf(pat, sizeof(pat), "\"%s\"", name);
	if ((p = memmem(body, blen, pat, strlen(pat))) == NULL)
		return -1;
	p += strlen(pat);
	while (p < end && (*p == ' ' || *p == ':'))
		p++;
	if (p >= end || *p != '"')
		return -1;
	p++;
	if ((e = memchr(p, '"', (size_t)(end - p))) == NULL)
		return -1;
	n = (size_t)(e - p);
	if (n + 1 > cap)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

/* value of key=... in a query string (raw, not decoded: our values need no decoding) */
static int
query_param(const char *url, size_t len, const char *key, char *out, size_t cap)
{
	const char *q = memchr(url, '?', len), *end = url + len, *p;
	size_t kl = strlen(key);

	if (q == NULL)
		return -1;
	for (p = q + 1; p < end;) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp != NULL ? amp : end;
		if ((size_t)(stop - p) > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
			size_t n = (size_t)(stop - p) - kl - 1;
			if (n + 1 > cap)
				return -1;
			memcpy(out, p + kl + 1, n);
			out[n] = '\0';
			return 0;
		}
		p = stop + 1;
	}
	return -1;
}

/* ---- memcached (text protocol, pipelined, FIFO answers) ---- */

static void
mc_flush(struct mcconn *m)
{
	while (m->woff < m->wlen) {
		ssize_t n = write(m->fd, m->w + m->woff, m->wlen - m->woff);
		if (n < 0) {
			if (errno == EAGAIN) {
				ep_set(m->wk, m->fd, m, &m->events, EPOLLIN | EPOLLOUT);
				return;
			}
			die("memcached write: %s", strerror(errno));
		}
		m->woff += (size_t)n;
	}
	m->wlen = m->woff = 0;
	ep_set(m->wk, m->fd, m, &m->events, EPOLLIN);
}

static void
mc_send(struct vu *v, int server, int del)
{
	struct mcconn *m = &v->wk->mc[server];
	size_t need = strlen(v->mckey) + 16;

	if (m->qt - m->qh == m->qcap) {
		size_t nc = m->qcap ? m->qcap * 2 : 256;
		struct mcop *nq = malloc(nc * sizeof(*nq));
		if (nq == NULL)
			die("out of memory");
		for (size_t i = 0; i < m->qt - m->qh; i++)
			nq[i] = m->q[(m->qh + i) % (m->qcap ? m->qcap : 1)];
		m->qt -= m->qh;
		m->qh = 0;
		free(m->q);
		m->q = nq;
		m->qcap = nc;
	}
	m->q[m->qt % m->qcap] = (struct mcop){ v, del };
	m->qt++;
	buf_reserve(&m->w, &m->wcap, m->wlen + need);
	m->wlen += (size_t)sprintf(m->w + m->wlen, "%s %s\r\n", del ? "delete" : "get", v->mckey);
	if (in_window(now_us())) {
		if (del)
			v->wk->st.mc_dels_window++;
		else
			v->wk->st.mc_gets_window++;
	}
	v->deadline = now_us() + (uint64_t)O.timeout_ms * 1000u;
	mc_flush(m);
}

static void ticket_got(struct vu *v, int server, const char *val, size_t len, int found);
static void ticket_deleted(struct vu *v, int server, int deleted);

static void
mc_read(struct mcconn *m)
{
	for (;;) {
		ssize_t n;
		buf_reserve(&m->r, &m->rcap, m->rlen + 65536);
		n = read(m->fd, m->r + m->rlen, m->rcap - m->rlen);
		if (n == 0)
			die("memcached closed the connection");
		if (n < 0) {
			if (errno == EAGAIN)
				break;
			die("memcached read: %s", strerror(errno));
		}
		m->rlen += (size_t)n;
	}
	/* answers in request order */
	size_t off = 0;
	while (m->qh < m->qt) {
		struct mcop op = m->q[m->qh % m->qcap];
		char *b = m->r + off, *nl;
		size_t left = m->rlen - off;
		if ((nl = memmem(b, left, "\r\n", 2)) == NULL)
			break;
		if (op.del) {
			int ok = left >= 9 && strncmp(b, "DELETED\r\n", 9) == 0;
			int err = !ok && !(left >= 11 && strncmp(b, "NOT_FOUND\r\n", 11) == 0);
			off += (size_t)(nl - b) + 2;
			m->qh++;
			if (op.vu != NULL)
				ticket_deleted(op.vu, m->idx, ok ? 1 : err ? -1 : 0);
		} else if (strncmp(b, "END\r\n", 5) == 0) {
			off += 5;
			m->qh++;
			if (op.vu != NULL)
				ticket_got(op.vu, m->idx, NULL, 0, 0);
		} else if (strncmp(b, "VALUE ", 6) == 0) {
			/* VALUE <key> <flags> <bytes>\r\n<data>\r\nEND\r\n */
			char *sp = memrchr(b, ' ', (size_t)(nl - b));
			size_t bytes = sp != NULL ? strtoul(sp + 1, NULL, 10) : 0;
			size_t hl = (size_t)(nl - b) + 2;
			if (left < hl + bytes + 7)
				break;
			off += hl + bytes + 7;
			m->qh++;
			if (op.vu != NULL)
				ticket_got(op.vu, m->idx, b + hl, bytes, 1);
		} else {
			/* SERVER_ERROR / ERROR / CLIENT_ERROR: one line */
			off += (size_t)(nl - b) + 2;
			m->qh++;
			if (op.vu != NULL) {
				if (op.del)
					ticket_deleted(op.vu, m->idx, -1);
				else
					ticket_got(op.vu, m->idx, NULL, 0, -1);
			}
		}
	}
	memmove(m->r, m->r + off, m->rlen - off);
	m->rlen -= off;
}

/* ---- the login state machine ---- */

static void
step_done(struct vu *v, int step)
{
	uint64_t t = now_us();

	if (in_window(t))
		h_add(&v->wk->st.h[step], t - v->t_step0);
}

static void vu_next(struct vu *v);

static void
vu_end(struct vu *v, int ok)
{
	struct worker *w = v->wk;
	uint64_t t = now_us();

	if (ok) {
		w->st.ok_all++;
		if (in_window(t)) {
			w->st.ok++;
			h_add(&w->st.h[S_LOGIN], t - v->t_login0);
		}
	}
	free(v->ticket_rec);
	v->ticket_rec = NULL;
	v->busy = 0;
	__atomic_sub_fetch(&w->busy, 1, __ATOMIC_RELAXED);
	v->cur = NULL;
	if (O.closed) {
		/* closed loop: the next login at once; after an error a short pause, no hot loop */
		v->resume_at = ok ? 0 : t + 20000;
		if (ok)
			vu_next(v);
	} else {
		/* open loop: arrivals do not depend on how the last login ended */
		vu_next(v);
	}
}

static void
vu_fail(struct vu *v, const char *fmt, ...)
{
	char k[48];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(k, sizeof(k), fmt, ap);
	va_end(ap);
	err_count(v->wk, "%s", k);
	if (v->cur != NULL)
		conn_close(v->wk, v->cur);
	if (v->step == S_TICKET) {
		/* a memcached answer may still come for this VU: orphan it */
		struct worker *w = v->wk;
		for (int s2 = 0; s2 < O.nmc; s2++) {
			struct mcconn *m = &w->mc[s2];
			for (size_t i = m->qh; i < m->qt; i++)
				if (m->q[i % m->qcap].vu == v)
					m->q[i % m->qcap].vu = NULL;
		}
	}
	vu_end(v, 0);
}

static int
can_start(void)
{
	if (atomic_load(&stop_starting))
		return 0;
	if (O.max_logins > 0 && atomic_fetch_add(&started_total, 1) >= O.max_logins) {
		atomic_store(&stop_starting, 1);
		return 0;
	}
	return 1;
}

/* What a VU does after a login: the next one (closed loop) or the next waiting arrival (open). */
static void
vu_next(struct vu *v)
{
	struct worker *w = v->wk;

	if (O.closed) {
		if (now_us() < win_end && can_start())
			vu_begin(v, now_us());
		return;
	}
	if (w->ph < w->pt) {
		uint64_t t0 = w->pending[w->ph % w->pcap];
		w->ph++;
		vu_begin(v, t0);
		return;
	}
	v->next_free = w->free_list;
	w->free_list = v;
}

static void
vu_begin(struct vu *v, uint64_t t0)
{
	struct worker *w = v->wk;
	unsigned char st[32];
	char ts[24], sig[BR_HANDOFF_SIG_LEN + 1], path[1536];
	uint64_t r;

	v->busy = 1;
	__atomic_add_fetch(&w->busy, 1, __ATOMIC_RELAXED);
	v->retried = 0;
	v->t_login0 = t0;
	v->cookie[0] = '\0';
	if (O.seq_users)
		v->u = &users[atomic_fetch_add(&seq_next, 1) % n_users];
	else
		v->u = &users[rnd(w) % n_users];
	snprintf(v->conv, sizeof(v->conv), "e%d-%us1", w->id, ++w->conv_n);
	for (int i = 0; i < 32; i += 8) {
		r = rnd(w);
		memcpy(st + i, &r, 8);
	}
	br_b64url_encode(st, sizeof(st), v->state);
	snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
	{
		br_handoff_start s = { v->conv, v->state, O.return_url, O.entity, "0", "0", ts, NULL };
		if (br_handoff_sign_start(&s, secrets.cur, secrets.cur_len, sig) < 0)
			die("cannot sign the start request");
	}
	snprintf(path, sizeof(path), "/authn/start?conversation=%s&state=%s&return=%s&entity=%s&force=0&passive=0&ts=%s&sig=%s",
	    v->conv, v->state, return_enc, entity_enc, ts, sig);
	v->step = S_START;
	http_send(v, "GET", path, NULL, 0, 0);
}

/* The virtual authenticator: an ES256 assertion over the challenge. */
static void
send_assertion(struct vu *v)
{
	char cdj[512], cdj_b64[720], ad_b64[64], sig_b64[160], body[2048];
	unsigned char ad[37], h[32], tbs[37 + 32], sig[80], dg[32];
	size_t cl, siglen = sizeof(sig);
	EVP_PKEY_CTX *ctx;

	cl = (size_t)snprintf(cdj, sizeof(cdj), "{\"type\":\"webauthn.get\",\"challenge\":\"%s\",\"origin\":\"%s\",\"crossOrigin\":false}",
	    v->challenge, O.origin);
	memcpy(ad, rp_hash, 32);
	ad[32] = 0x1d; /* UP | UV | BE | BS: a synced passkey with user verification */
	memset(ad + 33, 0, 4); /* sign count 0 */
	br_sha256(cdj, cl, h);
	memcpy(tbs, ad, 37);
	memcpy(tbs + 37, h, 32);
	br_sha256(tbs, sizeof(tbs), dg);
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, user_key(v->u), NULL);
	if (ctx == NULL || EVP_PKEY_sign_init(ctx) != 1 || EVP_PKEY_sign(ctx, sig, &siglen, dg, sizeof(dg)) != 1)
		die("ES256 signing failed");
	EVP_PKEY_CTX_free(ctx);
	br_b64url_encode((const unsigned char *)cdj, cl, cdj_b64);
	br_b64url_encode(ad, sizeof(ad), ad_b64);
	br_b64url_encode(sig, siglen, sig_b64);
	snprintf(body, sizeof(body),
	    "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":\"public-key\",\"response\":{\"clientDataJSON\":\"%s\","
	    "\"authenticatorData\":\"%s\",\"signature\":\"%s\",\"userHandle\":\"%s\"},"
	    "\"clientExtensionResults\":{},\"authenticatorAttachment\":\"platform\"}",
	    v->u->cid, v->u->cid, cdj_b64, ad_b64, sig_b64, v->u->handle);
	v->step = S_VERIFY;
	http_send(v, "POST", "/api/authenticate/verify", body, strlen(body), 1);
}

static void
fail_http(struct vu *v, const struct resp *r)
{
	char code[40];

	if (r->blen > 0 && r->blen < 4096 && json_str(r->body, r->blen, "error", code, sizeof(code)) == 0)
		vu_fail(v, "%s_%d_%s", step_name[v->step], r->status, code);
	else
		vu_fail(v, "%s_%d", step_name[v->step], r->status);
}

static void
on_response(struct vu *v, const struct resp *r)
{
	switch (v->step) {
	case S_START:
		if (r->status != 303 || r->cookie == NULL || r->loc == NULL || r->loc_len < 6 ||
		    memcmp(r->loc + r->loc_len - 6, "/login", 6) != 0) {
			if (r->status == 303 && r->cookie == NULL)
				vu_fail(v, "start_no_cookie");
			else
				fail_http(v, r);
			return;
		}
		if (r->cookie_len + 1 > sizeof(v->cookie)) {
			vu_fail(v, "start_cookie_too_long");
			return;
		}
		memcpy(v->cookie, r->cookie, r->cookie_len);
		v->cookie[r->cookie_len] = '\0';
		step_done(v, S_START);
		v->step = S_OPTIONS;
		if (O.username_flow) {
			char body[128];
			snprintf(body, sizeof(body), "{\"username\":\"%s\"}", v->u->uid);
			http_send(v, "POST", "/api/authenticate/options", body, strlen(body), 1);
		} else {
			http_send(v, "POST", "/api/authenticate/options", "{}", 2, 1);
		}
		return;
	case S_OPTIONS:
		if (r->status != 200 || json_str(r->body, r->blen, "challenge", v->challenge, sizeof(v->challenge)) < 0) {
			fail_http(v, r);
			return;
		}
		step_done(v, S_OPTIONS);
		send_assertion(v);
		return;
	case S_VERIFY:
		if (r->status != 200 || memmem(r->body, r->blen, "/authn/finish", 13) == NULL) {
			fail_http(v, r);
			return;
		}
		step_done(v, S_VERIFY);
		v->step = S_FINISH;
		http_send(v, "GET", "/authn/finish", NULL, 0, 0);
		return;
	case S_FINISH: {
		char conv[64], state[64];
		if (r->status != 303 || r->loc == NULL) {
			fail_http(v, r);
			return;
		}
		if (strncmp(r->loc, O.return_url, strlen(O.return_url)) != 0) {
			vu_fail(v, "finish_wrong_return");
			return;
		}
		if (query_param(r->loc, r->loc_len, "ticket", v->ticket, sizeof(v->ticket)) < 0) {
			char e[40];
			if (query_param(r->loc, r->loc_len, "error", e, sizeof(e)) == 0)
				vu_fail(v, "finish_error_%s", e);
			else
				vu_fail(v, "finish_no_ticket");
			return;
		}
		if (query_param(r->loc, r->loc_len, "conversation", conv, sizeof(conv)) < 0 || strcmp(conv, v->conv) != 0 ||
		    query_param(r->loc, r->loc_len, "state", state, sizeof(state)) < 0 || strcmp(state, v->state) != 0) {
			vu_fail(v, "finish_wrong_conversation_or_state");
			return;
		}
		step_done(v, S_FINISH);
		v->step = S_TICKET;
		v->cur = NULL;
		v->t_step0 = now_us();
		snprintf(v->mckey, sizeof(v->mckey), "%sticket:%s", O.prefix, v->ticket);
		/* take once, as the shim does: get on every server, then delete where it was found */
		v->take_pending = O.nmc;
		v->take_found = 0;
		v->take_lost = v->take_err = 0;
		for (int s2 = 0; s2 < O.nmc; s2++)
			mc_send(v, s2, 0);
		return;
	}
	default:
		vu_fail(v, "unexpected_response");
	}
}

static void
ticket_got(struct vu *v, int server, const char *val, size_t len, int found)
{
	if (found < 0)
		v->take_err = 1;
	if (found > 0) {
		v->take_found |= 1u << server;
		if (v->ticket_rec == NULL) {
			if ((v->ticket_rec = malloc(len + 1)) == NULL)
				die("out of memory");
			memcpy(v->ticket_rec, val, len);
			v->ticket_rec[len] = '\0';
			v->ticket_len = len;
		}
	}
	if (--v->take_pending > 0)
		return;
	/* a server that did not answer may hold a copy: unavailable, nothing deleted (protocol section 4.1) */
	if (v->take_err || v->take_found == 0) {
		vu_fail(v, v->take_err ? "ticket_memcached_error" : "ticket_missing");
		return;
	}
	/* only our successful deletes count */
	for (int s2 = 0; s2 < O.nmc; s2++)
		if (v->take_found & (1u << s2))
			v->take_pending++;
	for (int s2 = 0; s2 < O.nmc; s2++)
		if (v->take_found & (1u << s2))
			mc_send(v, s2, 1);
}

static void
ticket_deleted(struct vu *v, int server, int deleted)
{
	json_error_t je;
	json_t *rec;
	const char *why;

	(void)server;
	if (deleted == 0)
		v->take_lost = 1;
	else if (deleted < 0)
		v->take_err = 1;
	if (--v->take_pending > 0)
		return;
	if (v->take_lost || v->take_err) {
		vu_fail(v, v->take_lost ? "ticket_taken_by_someone_else" : "ticket_memcached_error");
		return;
	}
	rec = json_loadb(v->ticket_rec, v->ticket_len, 0, &je);
	if (rec == NULL) {
		vu_fail(v, "ticket_not_json");
		return;
	}
	if (br_ticket_verify(rec, v->ticket, v->conv, v->state, &secrets, (int64_t)time(NULL), 120, &why) < 0) {
		json_decref(rec);
		vu_fail(v, "ticket_%s", why);
		return;
	}
	if (strcmp(json_string_value(json_object_get(rec, "principal")) ?: "", v->u->uid) != 0) {
		json_decref(rec);
		vu_fail(v, "ticket_wrong_principal");
		return;
	}
	json_decref(rec);
	step_done(v, S_TICKET);
	vu_end(v, 1);
}

/* Send the request queued on c again, on a new connection to the same backend. */
static void
resend_fresh(struct worker *w, struct vu *v, struct conn *c)
{
	char *req = malloc(c->wlen + 1);
	size_t len = c->wlen;

	if (req == NULL)
		die("out of memory");
	memcpy(req, c->w, len);
	conn_close(w, c);
	if (conn_open(w, c, v->idx) < 0) {
		free(req);
		vu_fail(v, "connect_%s", strerror(errno));
		return;
	}
	memcpy(c->w, req, len);
	c->wlen = len;
	c->woff = 0;
	c->rlen = 0;
	free(req);
}

static void
http_event(struct worker *w, struct conn *c, unsigned ev)
{
	struct vu *v = c->vu;
	int mine = v->busy && v->cur == c;

	if (!c->connected && (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
		int err = 0;
		socklen_t l = sizeof(err);
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
		if (err != 0) {
			if (mine)
				vu_fail(v, "connect_%s", strerror(err));
			else
				conn_close(w, c);
			return;
		}
		c->connected = 1;
	}
	if ((ev & EPOLLOUT) && c->woff < c->wlen) {
		http_flush(w, c);
		if (c->fd < 0)
			return;
	} else if (ev & EPOLLOUT) {
		ep_set(w, c->fd, c, &c->events, EPOLLIN);
	}
	if (!(ev & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	for (;;) {
		ssize_t n;
		buf_reserve(&c->r, &c->rcap, c->rlen + 16384);
		n = read(c->fd, c->r + c->rlen, c->rcap - c->rlen);
		if (n > 0) {
			c->rlen += (size_t)n;
			if (c->rlen > RBUF_MAX) {
				if (mine)
					vu_fail(v, "%s_response_too_large", step_name[v->step]);
				return;
			}
			continue;
		}
		if (n < 0 && errno == EAGAIN)
			break;
		/* EOF or error */
		if (!mine || c->rlen == 0) {
			/* idle keep-alive connection closed, or closed before any answer */
			if (mine && c->reused && !v->retried && c->woff == c->wlen) {
				/* the server dropped a reused connection: send once more on a fresh one */
				v->retried = 1;
				w->st.stale_retry++;
				resend_fresh(w, v, c);
				return;
			}
			if (mine)
				vu_fail(v, "%s_connection_closed", step_name[v->step]);
			else
				conn_close(w, c);
			return;
		}
		break;
	}
	if (!mine) {
		c->rlen = 0; /* nothing expected on an idle connection */
		return;
	}
	{
		struct resp r;
		int pr = parse_resp(c->r, c->rlen, &r, w->scratch, 1 << 20);
		if (pr == 0)
			return;
		if (pr < 0) {
			vu_fail(v, "%s_bad_http", step_name[v->step]);
			return;
		}
		c->reused = 1;
		{
			int fd = c->fd;
			on_response(v, &r);
			if (!r.close || c->fd != fd)
				return;
			/* the server closes this connection after the answer */
			if (v->busy && v->cur == c && c->wlen > 0) {
				/* ... and the next request was queued on it: move it to a fresh one */
				resend_fresh(w, v, c);
			} else {
				conn_close(w, c);
			}
		}
	}
}

static void
mc_connect(struct worker *w)
{
	for (int i = 0; i < O.nmc; i++) {
		struct mcconn *m = &w->mc[i];
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

		if (fd < 0 || connect(fd, (struct sockaddr *)&O.mc[i], sizeof(O.mc[i])) < 0)
			die("cannot connect to memcached: %s", strerror(errno));
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		m->kind = K_MC;
		m->idx = i;
		m->wk = w;
		m->fd = fd;
		m->events = 0;
		ep_set(w, fd, m, &m->events, EPOLLIN);
	}
}

static double
exp_gap(struct worker *w)
{
	double u = ((double)(rnd(w) >> 11) + 0.5) / 9007199254740992.0;
	return -log(u) / w->rate;
}

static void
arrivals(struct worker *w, uint64_t t)
{
	while (w->next_arrival <= t && w->next_arrival < win_end) {
		uint64_t a = w->next_arrival;
		w->next_arrival += (uint64_t)(O.poisson ? exp_gap(w) : 1.0 / w->rate);
		if (!can_start())
			continue;
		if (w->free_list != NULL) {
			struct vu *v = w->free_list;
			w->free_list = v->next_free;
			vu_begin(v, a);
		} else if (w->pt - w->ph < w->pcap) {
			w->pending[w->pt % w->pcap] = a;
			w->pt++;
		} else {
			w->st.dropped++;
			err_count(w, "dropped_queue_full");
		}
	}
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event ev[256];
	uint64_t last_scan = 0;

	mc_connect(w);
	if (O.closed) {
		for (int i = 0; i < w->nvu; i++)
			if (can_start())
				vu_begin(&w->vus[i], now_us());
	} else {
		for (int i = w->nvu - 1; i >= 0; i--) {
			w->vus[i].next_free = w->free_list;
			w->free_list = &w->vus[i];
		}
		w->next_arrival = t_begin + (uint64_t)(rnd(w) % (uint64_t)(1.0 / w->rate + 1));
	}
	for (;;) {
		uint64_t t = now_us();
		int timeout = 20, n;

		if (t >= hard_end || (t >= win_end && w->busy == 0 && (O.closed || w->ph == w->pt)))
			break;
		if (atomic_load(&stop_starting) && w->busy == 0 && w->ph == w->pt)
			break;
		if (!O.closed) {
			arrivals(w, t);
			if (w->next_arrival > t && w->next_arrival < win_end) {
				uint64_t d = (w->next_arrival - t) / 1000u;
				timeout = d < 20 ? (int)d : 20;
			}
		}
		n = epoll_wait(w->ep, ev, 256, timeout);
		for (int i = 0; i < n; i++) {
			int kind = *(int *)ev[i].data.ptr;
			if (kind == K_MC) {
				struct mcconn *m = ev[i].data.ptr;
				if (ev[i].events & EPOLLOUT)
					mc_flush(m);
				if (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
					mc_read(m);
			} else {
				http_event(w, ev[i].data.ptr, ev[i].events);
			}
		}
		t = now_us();
		if (t - last_scan >= 5000) {
			last_scan = t;
			for (int i = 0; i < w->nvu; i++) {
				struct vu *v = &w->vus[i];
				if (v->busy && t > v->deadline) {
					vu_fail(v, "%s_timeout", step_name[v->step]);
				} else if (!v->busy && O.closed && v->resume_at != 0 && t >= v->resume_at) {
					v->resume_at = 0;
					if (t < win_end && can_start())
						vu_begin(v, t);
				}
			}
		}
	}
	/* abandon what is still in flight at the hard end */
	for (int i = 0; i < w->nvu; i++)
		if (w->vus[i].busy)
			vu_fail(&w->vus[i], "%s_unfinished_at_end", step_name[w->vus[i].step]);
	return NULL;
}

/* ------------------------------------------------------- measurements */

struct proc_snap {
	double cpu_s;
	long rss_kb, hwm_kb;
};

static int
proc_read(int pid, struct proc_snap *s)
{
	char path[64], buf[4096], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	size_t n;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	/* fields after the comm: state(3) ... utime(14) stime(15) */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	s->cpu_s = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(buf, sizeof(buf), f) != NULL) {
		if (strncmp(buf, "VmRSS:", 6) == 0)
			s->rss_kb = atol(buf + 6);
		else if (strncmp(buf, "VmHWM:", 6) == 0)
			s->hwm_kb = atol(buf + 6);
	}
	fclose(f);
	return 0;
}

/* memcached "stats": the counters we care about */
#define MC_FIELDS 9
static const char *const mc_field[MC_FIELDS] = {
	"cmd_get", "cmd_set", "delete_hits", "delete_misses", "incr_hits", "incr_misses",
	"cmd_touch", "curr_items", "total_connections",
};

/* the counters of one server, added to out */
static int
mc_stats_one(const struct sockaddr_in *sa, uint64_t out[MC_FIELDS])
{
	char buf[16384];
	size_t len = 0;
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 || write(fd, "stats\r\n", 7) != 7) {
		close(fd);
		return -1;
	}
	while (len < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "END\r\n") != NULL)
			break;
	}
	close(fd);
	buf[len] = '\0';
	for (char *line = strtok(buf, "\r\n"); line != NULL; line = strtok(NULL, "\r\n")) {
		char name[64];
		unsigned long long v;
		if (sscanf(line, "STAT %63s %llu", name, &v) != 2)
			continue;
		for (int i = 0; i < MC_FIELDS; i++)
			if (strcmp(name, mc_field[i]) == 0)
				out[i] += v;
	}
	return 0;
}

/* all servers together */
static int
mc_stats(uint64_t out[MC_FIELDS])
{
	memset(out, 0, sizeof(uint64_t) * MC_FIELDS);
	for (int i = 0; i < O.nmc; i++)
		if (mc_stats_one(&O.mc[i], out) < 0)
			return -1;
	return 0;
}

/* cn=Monitor: completed operations by type */
#define LD_OPS 8
static const char *const ld_op[LD_OPS] = { "Bind", "Unbind", "Search", "Compare", "Modify", "Modrdn", "Add", "Delete" };
static LDAP *mon;

static int
ldap_ops(uint64_t out[LD_OPS])
{
	LDAPMessage *res = NULL, *e;
	char *attrs[] = { (char *)"monitorOpCompleted", NULL };
	int rc;

	memset(out, 0, sizeof(uint64_t) * LD_OPS);
	if (mon == NULL)
		return -1;
	rc = ldap_search_ext_s(mon, "cn=Operations,cn=Monitor", LDAP_SCOPE_ONELEVEL, "(objectClass=*)", attrs, 0,
	    NULL, NULL, NULL, 0, &res);
	if (rc != LDAP_SUCCESS) {
		ldap_msgfree(res);
		return -1;
	}
	for (e = ldap_first_entry(mon, res); e != NULL; e = ldap_next_entry(mon, e)) {
		char *dn = ldap_get_dn(mon, e);
		struct berval **v = ldap_get_values_len(mon, e, "monitorOpCompleted");
		for (int i = 0; dn != NULL && v != NULL && v[0] != NULL && i < LD_OPS; i++) {
			char want[48];
			snprintf(want, sizeof(want), "cn=%s,", ld_op[i]);
			if (strncasecmp(dn, want, strlen(want)) == 0)
				out[i] = strtoull(v[0]->bv_val, NULL, 10);
		}
		ldap_value_free_len(v);
		ldap_memfree(dn);
	}
	ldap_msgfree(res);
	return 0;
}

static void
ldap_monitor_open(void)
{
	int v3 = LDAP_VERSION3;
	struct timeval tv = { 5, 0 };

	if (O.ldap_monitor == NULL)
		return;
	if (strncmp(O.ldap_monitor, "ldap://127.", 11) != 0 && strncmp(O.ldap_monitor, "ldap://localhost", 16) != 0)
		die("--ldap-monitor: loopback ldap:// only");
	if (ldap_initialize(&mon, O.ldap_monitor) != LDAP_SUCCESS)
		die("--ldap-monitor: cannot use %s", O.ldap_monitor);
	ldap_set_option(mon, LDAP_OPT_PROTOCOL_VERSION, &v3);
	ldap_set_option(mon, LDAP_OPT_NETWORK_TIMEOUT, &tv);
	{
		uint64_t t[LD_OPS];
		if (ldap_ops(t) < 0) {
			fprintf(stderr, "loadgen: cn=Monitor is not readable at %s: LDAP operations are not counted\n", O.ldap_monitor);
			ldap_unbind_ext_s(mon, NULL, NULL);
			mon = NULL;
		}
	}
}

/* Busy CPU seconds of the whole machine (all processes), from /proc/stat. */
static double
machine_busy(void)
{
	unsigned long long u = 0, n = 0, s = 0, idle = 0, io = 0, irq = 0, sirq = 0, st = 0;
	FILE *f = fopen("/proc/stat", "r");

	if (f == NULL)
		return 0;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &u, &n, &s, &idle, &io, &irq, &sirq, &st) != 8)
		u = n = s = irq = sirq = st = 0;
	fclose(f);
	return (double)(u + n + s + irq + sirq + st) / (double)sysconf(_SC_CLK_TCK);
}

static double
self_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	    (double)ru.ru_stime.tv_usec / 1e6;
}

/* ------------------------------------------------------------------ main */

int
main(int argc, char **argv)
{
	static struct worker W[MAX_THREADS];
	struct proc_snap p0[MAX_WATCH], p1[MAX_WATCH], pm;
	long rss_first[MAX_WATCH], rss_max[MAX_WATCH], rss_last[MAX_WATCH];
	uint64_t mc0[MC_FIELDS], mc1[MC_FIELDS], ld0[LD_OPS], ld1[LD_OPS];
	int have_mc = 0, have_ld = 0, samples = 0;
	double self0 = 0, self1 = 0, busy0 = 0, busy1 = 0, window;
	struct stats tot;

	signal(SIGPIPE, SIG_IGN);
	parse_options(argc, argv);
	load_users(O.users_file);
	if (br_sha256(O.rp_id, strlen(O.rp_id), rp_hash) < 0)
		die("sha256");
	{
		size_t n;
		char *s;
		FILE *f = fopen(O.secret_file, "r");
		char buf[1024];
		if (f == NULL)
			die("%s: %s", O.secret_file, strerror(errno));
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		buf[strcspn(buf, "\r\n")] = '\0';
		if ((s = strdup(buf)) == NULL || *s == '\0')
			die("%s: empty", O.secret_file);
		secrets.cur = (unsigned char *)s;
		secrets.cur_len = strlen(s);
	}
	return_enc = br_url_encode(O.return_url);
	entity_enc = br_url_encode(O.entity);
	ldap_monitor_open();
	/* keys for the users we will most likely need are built lazily; warm the first few */
	for (size_t i = 0; i < n_users && i < 64; i++)
		user_key(&users[i]);

	t_begin = now_us();
	win_start = t_begin + (uint64_t)(O.warmup * 1e6);
	win_end = win_start + (uint64_t)(O.duration * 1e6);
	hard_end = win_end + (uint64_t)(O.grace * 1e6);

	for (int t = 0; t < O.threads; t++) {
		struct worker *w = &W[t];
		w->id = t;
		if ((w->ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
			die("epoll_create1: %s", strerror(errno));
		if (getrandom(w->rng, sizeof(w->rng), 0) != sizeof(w->rng))
			die("getrandom");
		w->rng[0] |= 1;
		w->nvu = O.conc / O.threads + (t < O.conc % O.threads ? 1 : 0);
		if ((w->vus = calloc((size_t)w->nvu + 1, sizeof(struct vu))) == NULL || (w->scratch = malloc(1 << 20)) == NULL)
			die("out of memory");
		for (int i = 0; i < w->nvu; i++) {
			struct vu *v = &w->vus[i];
			v->idx = t + i * O.threads;
			v->wk = w;
			v->rr = (unsigned)v->idx;
			for (int b = 0; b < MAX_BACKENDS; b++) {
				v->c[b].kind = K_HTTP;
				v->c[b].fd = -1;
				v->c[b].backend = b;
				v->c[b].vu = v;
			}
		}
		w->rate = O.rate / O.threads / 1e6;
		w->pcap = (size_t)O.conc * 64 + 1024;
		if (!O.closed && (w->pending = malloc(w->pcap * sizeof(uint64_t))) == NULL)
			die("out of memory");
	}
	for (int t = 0; t < O.threads; t++)
		if (pthread_create(&W[t].th, NULL, worker_main, &W[t]) != 0)
			die("pthread_create");

	/* the measured window: snapshots at its edges, RSS sampled throughout */
	for (int i = 0; i < O.nwatch; i++)
		rss_first[i] = rss_max[i] = rss_last[i] = 0;
	sleep_until(win_start);
	for (int i = 0; i < O.nwatch; i++) {
		proc_read(O.watch[i].pid, &p0[i]);
		rss_first[i] = rss_max[i] = rss_last[i] = p0[i].rss_kb;
	}
	have_mc = mc_stats(mc0) == 0;
	have_ld = ldap_ops(ld0) == 0;
	self0 = self_cpu();
	busy0 = machine_busy();
	{
		uint64_t next = win_start + (uint64_t)(O.sample_s * 1e6);
		while (now_us() < win_end) {
			uint64_t t = next < win_end ? next : win_end;
			sleep_until(t);
			next += (uint64_t)(O.sample_s * 1e6);
			samples++;
			for (int i = 0; i < O.nwatch; i++) {
				if (proc_read(O.watch[i].pid, &pm) == 0) {
					rss_last[i] = pm.rss_kb;
					if (pm.rss_kb > rss_max[i])
						rss_max[i] = pm.rss_kb;
				}
			}
			if (O.series > 0 && samples % O.series == 0) {
				fprintf(stdout, "SERIES label=%s t=%.1f", O.label, (double)(now_us() - win_start) / 1e6);
				for (int i = 0; i < O.nwatch; i++)
					fprintf(stdout, " rss_%s=%.1f", O.watch[i].label, (double)rss_last[i] / 1024.0);
				fprintf(stdout, "\n");
				fflush(stdout);
			}
			if (O.max_logins > 0 && atomic_load(&stop_starting)) {
				int busy = 0;
				for (int t2 = 0; t2 < O.threads; t2++)
					busy += __atomic_load_n(&W[t2].busy, __ATOMIC_RELAXED);
				if (busy == 0)
					break;
			}
		}
	}
	{
		uint64_t t = now_us();
		window = (double)((t < win_end ? t : win_end) - win_start) / 1e6;
		if (t < win_end)
			win_end = t;
	}
	for (int i = 0; i < O.nwatch; i++)
		proc_read(O.watch[i].pid, &p1[i]);
	if (have_mc)
		have_mc = mc_stats(mc1) == 0;
	if (have_ld)
		have_ld = ldap_ops(ld1) == 0;
	self1 = self_cpu();
	busy1 = machine_busy();
	atomic_store(&stop_starting, 1);
	for (int t = 0; t < O.threads; t++)
		pthread_join(W[t].th, NULL);

	/* merge */
	memset(&tot, 0, sizeof(tot));
	for (int t = 0; t < O.threads; t++) {
		struct stats *s = &W[t].st;
		for (int k = 0; k < N_STEPS; k++)
			h_merge(&tot.h[k], &s->h[k]);
		tot.ok += s->ok;
		tot.ok_all += s->ok_all;
		tot.err_window += s->err_window;
		tot.err_all += s->err_all;
		tot.mc_gets_window += s->mc_gets_window;
		tot.mc_dels_window += s->mc_dels_window;
		tot.dropped += s->dropped;
		tot.stale_retry += s->stale_retry;
		for (int i = 0; i < s->ne; i++) {
			int j;
			for (j = 0; j < tot.ne; j++)
				if (strcmp(tot.e[j].kind, s->e[i].kind) == 0)
					break;
			if (j == tot.ne && tot.ne < ERR_KINDS) {
				tot.e[j] = s->e[i];
				tot.e[j].n = 0;
				tot.ne++;
			}
			if (j < ERR_KINDS)
				tot.e[j].n += s->e[i].n;
		}
	}

	/* report */
	{
		double lps = window > 0 ? (double)tot.ok / window : 0, per = tot.ok > 0 ? 1.0 / (double)tot.ok : 0;
		printf("== %s: %s loop, %d %s, %d backend%s, %zu users, %s flow, window %.1f s\n", O.label,
		    O.closed ? "closed" : "open", O.conc, O.closed ? "virtual users" : "max in flight", O.nb, O.nb > 1 ? "s" : "",
		    n_users, O.username_flow ? "username-first" : "discoverable", window);
		if (!O.closed)
			printf("   offered %.0f logins/s (%s arrivals)\n", O.rate, O.poisson ? "Poisson" : "evenly spaced");
		printf("   logins ok %llu (%.1f/s)  errors %llu (in window), %llu (whole run)\n", (unsigned long long)tot.ok, lps,
		    (unsigned long long)tot.err_window, (unsigned long long)tot.err_all);
		printf("   %-8s %9s %8s %8s %8s %8s %8s   (ms)\n", "step", "count", "mean", "p50", "p90", "p99", "max");
		for (int k = 0; k < N_STEPS; k++) {
			struct hist *h = &tot.h[k];
			printf("   %-8s %9llu %8.2f %8.2f %8.2f %8.2f %8.2f\n", step_name[k], (unsigned long long)h->n,
			    h->n ? (double)h->sum / (double)h->n / 1000.0 : 0, h_q(h, 0.5), h_q(h, 0.9), h_q(h, 0.99),
			    (double)h->max / 1000.0);
		}
		for (int i = 0; i < tot.ne; i++)
			printf("   error %-40s %llu\n", tot.e[i].kind, (unsigned long long)tot.e[i].n);
		for (int i = 0; i < O.nwatch; i++)
			printf("   %-12s cpu %.2f s = %.3f ms/login; rss start %.1f MB, max %.1f MB, end %.1f MB (hwm %.1f MB)\n",
			    O.watch[i].label, p1[i].cpu_s - p0[i].cpu_s, (p1[i].cpu_s - p0[i].cpu_s) * 1000.0 * per,
			    (double)rss_first[i] / 1024, (double)rss_max[i] / 1024, (double)p1[i].rss_kb / 1024,
			    (double)p1[i].hwm_kb / 1024);
		printf("   %-12s cpu %.2f s = %.3f ms/login\n", "loadgen", self1 - self0, (self1 - self0) * 1000.0 * per);
		{
			double ours = self1 - self0, other;
			for (int i = 0; i < O.nwatch; i++)
				ours += p1[i].cpu_s - p0[i].cpu_s;
			other = busy1 - busy0 - ours;
			printf("   machine      busy %.2f of %ld cores; processes not watched here used %.2f cores\n",
			    window > 0 ? (busy1 - busy0) / window : 0, sysconf(_SC_NPROCESSORS_ONLN),
			    window > 0 && other > 0 ? other / window : 0);
		}
		if (have_ld) {
			printf("   ldap ops/login:");
			for (int i = 0; i < LD_OPS; i++) {
				double d = (double)(ld1[i] - ld0[i]) - (strcmp(ld_op[i], "Search") == 0 ? 1 : 0);
				if (d > 0)
					printf(" %s %.3f", ld_op[i], d * per);
			}
			printf("\n");
		}
		if (have_mc) {
			/* the ticket get+delete are the IdP's, not the server's: ours are subtracted */
			double g = (double)(mc1[0] - mc0[0]), dl = (double)(mc1[2] - mc0[2] + mc1[3] - mc0[3]);
			printf("   memcached ops/login (server side, all servers; the IdP's ticket take excluded): get %.2f set %.2f "
			       "delete %.2f incr %.2f touch %.2f\n",
			    (g - (double)tot.mc_gets_window) * per, (double)(mc1[1] - mc0[1]) * per, (dl - (double)tot.mc_dels_window) * per,
			    (double)(mc1[4] - mc0[4] + mc1[5] - mc0[5]) * per, (double)(mc1[6] - mc0[6]) * per);
		}
		if (tot.stale_retry)
			printf("   requests re-sent after a keep-alive connection was closed: %llu\n", (unsigned long long)tot.stale_retry);

		/* one line for scripts */
		printf("RESULT label=%s mode=%s conc=%d backends=%d users=%zu window=%.2f ok=%llu lps=%.1f errors=%llu",
		    O.label, O.closed ? "closed" : "open", O.conc, O.nb, n_users, window, (unsigned long long)tot.ok, lps,
		    (unsigned long long)tot.err_window);
		for (int k = 0; k < N_STEPS; k++)
			printf(" %s_p50=%.2f %s_p90=%.2f %s_p99=%.2f %s_max=%.2f", step_name[k], h_q(&tot.h[k], 0.5), step_name[k],
			    h_q(&tot.h[k], 0.9), step_name[k], h_q(&tot.h[k], 0.99), step_name[k], (double)tot.h[k].max / 1000.0);
		for (int i = 0; i < O.nwatch; i++)
			printf(" cpu_%s=%.4f rss0_%s=%.1f rssmax_%s=%.1f rss1_%s=%.1f", O.watch[i].label,
			    (p1[i].cpu_s - p0[i].cpu_s) * 1000.0 * per, O.watch[i].label, (double)rss_first[i] / 1024,
			    O.watch[i].label, (double)rss_max[i] / 1024, O.watch[i].label, (double)p1[i].rss_kb / 1024);
		printf(" cpu_loadgen=%.4f", (self1 - self0) * 1000.0 * per);
		{
			double ours = self1 - self0, other;
			for (int i = 0; i < O.nwatch; i++)
				ours += p1[i].cpu_s - p0[i].cpu_s;
			other = busy1 - busy0 - ours;
			printf(" busy_cores=%.2f other_cores=%.2f", window > 0 ? (busy1 - busy0) / window : 0,
			    window > 0 && other > 0 ? other / window : 0);
		}
		if (have_ld)
			printf(" ldap_search=%.3f ldap_modify=%.3f ldap_bind=%.3f ldap_add=%.3f",
			    ((double)(ld1[2] - ld0[2]) - 1) * per, (double)(ld1[4] - ld0[4]) * per,
			    (double)(ld1[0] - ld0[0]) * per, (double)(ld1[6] - ld0[6]) * per);
		if (have_mc) {
			double own = (double)(tot.mc_gets_window + tot.mc_dels_window);
			double all = (double)(mc1[0] - mc0[0] + mc1[1] - mc0[1] + mc1[2] - mc0[2] + mc1[3] - mc0[3] + mc1[4] - mc0[4] +
			    mc1[5] - mc0[5] + mc1[6] - mc0[6]);
			printf(" mc_ops=%.2f", (all - own) * per);
		}
		printf("\n");
	}
	return tot.ok > 0 ? 0 : 1;
}
