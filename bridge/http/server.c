/* The HTTP server over libmicrohttpd: with mhd_replies.c, the only files that include microhttpd.h. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mhd_replies.h"

/* MHD_OPTION_CONNECTION_LIMIT: open connections in all */
#define MAX_CONNECTIONS 1000

/*
 * Open connections per client address, for when trusted proxies must be left
 * out of the count (MHD's own per-IP limit cannot leave anyone out). One
 * entry per address with connections open: at most MAX_CONNECTIONS of them,
 * plus one reservation per worker thread (see conn_accept).
 */
struct conn_entry {
	unsigned char addr[16];
	unsigned n;
};

struct conn_table {
	pthread_mutex_t mu;
	unsigned limit;
	size_t n, cap;
	struct conn_entry *v;
};

/*
 * One per open connection (its socket_context), from MHD's STARTED to its
 * CLOSED notification. While armed, the connection must deliver a whole
 * request (line, headers, body) before deadline, or the watchdog shuts its
 * socket down: MHD's own timeout is an idle timeout, and a client dripping
 * one byte a second never lets it expire.
 */
struct conn_ctx {
	struct conn_ctx *prev, *next;  /* in the watchdog's list */
	int fd;
	double deadline;               /* monotonic seconds; 0: not armed */
	int counted;                   /* holds a place in the conn_table */
};

struct watchdog {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct conn_ctx *head;
	double timeout;                /* seconds; 0: no watchdog */
	int stop;
	int running;
	pthread_t thread;
};

struct br_server {
	struct MHD_Daemon *daemon;
	br_server_options o;
	struct conn_table *conns;      /* NULL: MHD's per-IP limit, or none */
	struct watchdog wd;
};

/* Per-request state, from the first call of the access handler to completion. */
struct req_state {
	char *body;
	size_t len, cap;
	int too_large;
	int answered;                  /* a reply is queued before the body was read (413, 400) */
	double t0;
	const char *metric;
	int status;
};

static double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- request lookups ---- */

struct count_ctx {
	const char *name;
	const char *first;
	int n;
};

static enum MHD_Result
count_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct count_ctx *c = cls;

	(void)kind;
	if (key != NULL && strcmp(key, c->name) == 0) {
		if (c->n++ == 0)
			c->first = value != NULL ? value : "";
	}
	return MHD_YES;
}

const char *
br_req_query(const br_request *r, const char *name, int *count)
{
	struct count_ctx c = { name, NULL, 0 };

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, count_arg, &c);
	if (count != NULL)
		*count = c.n;
	return c.first;
}

const char *
br_req_header(const br_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static enum MHD_Result
count_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct count_ctx *c = cls;

	(void)kind;
	if (key != NULL && strcasecmp(key, c->name) == 0) {
		if (c->n++ == 0)
			c->first = value != NULL ? value : "";
	}
	return MHD_YES;
}

const char *
br_req_header_n(const br_request *r, const char *name, int *count)
{
	struct count_ctx c = { name, NULL, 0 };

	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, count_header, &c);
	if (count != NULL)
		*count = c.n;
	return c.first;
}

const char *
br_req_cookie(const br_request *r, const char *name)
{
	char host[64];

	if (r->https) {
		snprintf(host, sizeof(host), "__Host-%s", name);
		return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, host);
	}
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

/* ---- responses ---- */

void
br_res_reset(br_response *res)
{
	int i;

	free(res->body);
	free(res->location);
	for (i = 0; i < res->n_cookies; i++)
		free(res->cookies[i]);
	memset(res, 0, sizeof(*res));
}

void
br_res_text(br_response *res, int status, const char *content_type, const char *text)
{
	free(res->body);
	res->status = status;
	res->content_type = content_type;
	res->body = strdup(text);
	res->body_len = res->body != NULL ? strlen(text) : 0;
	if (res->body == NULL)
		res->status = 500;
}

void
br_res_json(br_response *res, int status, json_t *body)
{
	char *s = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;

	json_decref(body);
	free(res->body);
	res->status = s != NULL ? status : 500;
	res->content_type = "application/json";
	res->body = s != NULL ? s : strdup("{\"ok\":false,\"error\":\"internal\"}");
	res->body_len = res->body != NULL ? strlen(res->body) : 0;
}

void
br_res_redirect(br_response *res, char *url)
{
	free(res->location);
	res->location = url;
	res->status = url != NULL ? 303 : 500;
	if (res->body == NULL) {
		res->body = strdup("");
		res->content_type = "text/plain; charset=utf-8";
	}
}

void
br_res_cookie(br_response *res, const br_request *req, const char *name, const char *value,
    int max_age, int readable)
{
	char buf[512];

	if (res->n_cookies >= BR_RES_MAX_COOKIES)
		return;
	snprintf(buf, sizeof(buf), "%s%s=%s; Path=/; SameSite=Lax%s%s; Max-Age=%d",
	    req->https ? "__Host-" : "", name, max_age < 0 ? "" : value,
	    readable ? "" : "; HttpOnly", req->https ? "; Secure" : "", max_age < 0 ? 0 : max_age);
	res->cookies[res->n_cookies++] = strdup(buf);
}

static enum MHD_Result
send_response(struct MHD_Connection *conn, const br_server *s, br_response *res)
{
	struct MHD_Response *r;
	enum MHD_Result ok;
	char cc[64];
	int i;

	if (res->status == 0)
		res->status = 500;
	r = MHD_create_response_from_buffer(res->body_len, res->body != NULL ? res->body : (char *)"",
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type",
	    res->content_type != NULL ? res->content_type : "text/plain; charset=utf-8");
	br_mhd_security_headers(r, s->o.https, res->csp_image ? BR_CSP_IMAGE : NULL);
	if (res->close)
		MHD_add_response_header(r, "Connection", "close");
	if (res->cache_seconds > 0) {
		snprintf(cc, sizeof(cc), "public, max-age=%d", res->cache_seconds);
		MHD_add_response_header(r, "Cache-Control", cc);
	} else {
		MHD_add_response_header(r, "Cache-Control", "no-store");
	}
	if (res->location != NULL)
		MHD_add_response_header(r, "Location", res->location);
	for (i = 0; i < res->n_cookies; i++)
		if (res->cookies[i] != NULL)
			MHD_add_response_header(r, "Set-Cookie", res->cookies[i]);
	ok = MHD_queue_response(conn, (unsigned)res->status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result
send_simple(struct MHD_Connection *conn, const br_server *s, int status, const char *text)
{
	br_response res;
	enum MHD_Result ok;

	memset(&res, 0, sizeof(res));
	br_res_text(&res, status, "text/plain; charset=utf-8", text);
	ok = send_response(conn, s, &res);
	br_res_reset(&res);
	return ok;
}

/* ---- dispatch ---- */

/*
 * A reference id a user can read out to the help desk: 8 letters and digits
 * without the look-alikes (0/O, 1/I/L, 5/S, U), as "K7Q2-M9XD". Not a secret;
 * random so that two requests do not share one.
 */
static void
make_ref(char out[10])
{
	static const char alphabet[] = "ABCDEFGHJKMNPQRTVWXYZ2346789"; /* 28 symbols */
	unsigned char r[8];
	size_t i, o = 0;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		memset(r, 0, sizeof(r));
	for (i = 0; i < sizeof(r); i++) {
		if (i == 4)
			out[o++] = '-';
		out[o++] = alphabet[r[i] % (sizeof(alphabet) - 1)];
	}
	out[o] = '\0';
}

static const br_route *
find_route(const br_server *s, const char *method, const char *path, int *path_known)
{
	size_t i, n;

	*path_known = 0;
	for (i = 0; i < s->o.n_routes; i++) {
		const br_route *r = &s->o.routes[i];
		n = strlen(r->path);
		/* "/static/" is a prefix; "/" alone is just the root */
		if (n > 1 && r->path[n - 1] == '/' ? strncmp(path, r->path, n) == 0 : strcmp(path, r->path) == 0) {
			*path_known = 1;
			if (strcmp(method, r->method) == 0 || (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0))
				return r;
		}
	}
	return NULL;
}

static int
peer_key(struct MHD_Connection *conn, unsigned char key[16])
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	return br_ip_from_sockaddr(ci != NULL ? ci->client_addr : NULL, key);
}

/* The longest entry worth parsing: an IPv6 address with an embedded IPv4 one. */
#define XFF_ENTRY_MAX (BR_IP_TEXT_MAX - 1)

int
br_client_address(const br_ip_prefixes *trusted, const unsigned char peer[16], const char *xff,
    size_t xff_len, char *out, size_t cap)
{
	unsigned char a[16], client[16];
	const char *end = xff != NULL ? xff + xff_len : NULL;
	int from_header = 0;

	memcpy(client, peer, 16);
	if (xff != NULL && trusted != NULL && br_ip_in(trusted, peer)) {
		/* right to left: each proxy appended the address it got the request from */
		for (;;) {
			const char *start = end, *s, *e;
			while (start > xff && start[-1] != ',')
				start--;
			s = start;
			e = end;
			while (s < e && (*s == ' ' || *s == '\t'))
				s++;
			while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			if ((size_t)(e - s) > XFF_ENTRY_MAX || br_ip_parse(s, (size_t)(e - s), a) < 0) {
				/* not written by a proxy we know: believe none of it */
				from_header = 0;
				memcpy(client, peer, 16);
				break;
			}
			memcpy(client, a, 16);
			from_header = 1;
			if (!br_ip_in(trusted, a) || start == xff)
				break;
			end = start - 1; /* before the comma */
		}
	}
	br_ip_format(client, out, cap);
	return from_header;
}

/* X-Forwarded-For: one header line as it is, several joined with "," in order. */
struct xff_ctx {
	const char *first;
	size_t n, total;               /* first pass: lines, bytes */
	char *joined;
	size_t len, done;              /* second pass: bytes, lines written */
};

static enum MHD_Result
xff_line(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct xff_ctx *x = cls;
	size_t n;

	(void)kind;
	if (key == NULL || strcasecmp(key, "X-Forwarded-For") != 0)
		return MHD_YES;
	if (value == NULL)
		value = "";
	n = strlen(value);
	if (x->joined == NULL) {
		/* first pass: count */
		if (x->n++ == 0)
			x->first = value;
		x->total += n + 1;
	} else {
		/* (an empty line stays an empty entry) */
		if (x->done++ > 0)
			x->joined[x->len++] = ',';
		memcpy(x->joined + x->len, value, n);
		x->len += n;
		x->joined[x->len] = '\0';
	}
	return MHD_YES;
}

/* The client address for the rate limits and the audit log: the peer, or whom a trusted proxy names. */
static const char *
client_address(const br_server *s, struct MHD_Connection *conn, char *buf, size_t cap)
{
	struct xff_ctx x;
	unsigned char peer[16];
	const char *xff = NULL;
	size_t len = 0;

	if (peer_key(conn, peer) < 0) {
		snprintf(buf, cap, "unknown");
		return buf;
	}
	memset(&x, 0, sizeof(x));
	if (s->o.trusted_proxies != NULL && br_ip_in(s->o.trusted_proxies, peer)) {
		MHD_get_connection_values(conn, MHD_HEADER_KIND, xff_line, &x);
		if (x.n == 1) {
			xff = x.first;
			len = strlen(xff);
		} else if (x.n > 1 && (x.joined = malloc(x.total + 1)) != NULL) {
			x.joined[0] = '\0';
			MHD_get_connection_values(conn, MHD_HEADER_KIND, xff_line, &x);
			xff = x.joined;
			len = x.len;
		}
		/* (several lines and no memory: xff stays NULL, the peer is the client) */
	}
	if (br_client_address(s->o.trusted_proxies, peer, xff, len, buf, cap) == 0 && xff != NULL && len > 0) {
		/*
		 * A proxy we trust sent a header we cannot use (ports, names): every
		 * user behind it now shares its address and its rate limit. Say so, once.
		 */
		static atomic_flag told = ATOMIC_FLAG_INIT;
		if (!atomic_flag_test_and_set(&told))
			fprintf(stderr, "fido-bridged: X-Forwarded-For from trusted proxy %s is not a list of bare "
			    "addresses; using the proxy's address (see docs/operations.md)\n", buf);
	}
	free(x.joined);
	return buf;
}

/* ---- open connections per address, trusted proxies left out ---- */

/*
 * conn_accept (MHD's accept policy) reserves a place for the address and
 * conn_notify (STARTED) hands the reservation to the connection, which gives
 * it back when it closes (CLOSED). Both run in the worker thread that
 * accepted the socket, one after the other; if MHD drops the socket in
 * between (no memory), the reservation left in this thread is given back at
 * the thread's next accept. So the count is exact and never leaks.
 */
static _Thread_local struct {
	const struct conn_table *t;
	unsigned char addr[16];
	int held;
} pending;

/* The entry for addr (created when add), or NULL. Called locked. */
static struct conn_entry *
conn_find(struct conn_table *t, const unsigned char addr[16], int add)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (memcmp(t->v[i].addr, addr, 16) == 0)
			return &t->v[i];
	if (!add || t->n == t->cap)
		return NULL;
	memcpy(t->v[t->n].addr, addr, 16);
	t->v[t->n].n = 0;
	return &t->v[t->n++];
}

/* Called locked. */
static void
conn_release(struct conn_table *t, const unsigned char addr[16])
{
	struct conn_entry *e = conn_find(t, addr, 0);

	if (e == NULL || e->n == 0)
		return;
	if (--e->n == 0)
		*e = t->v[--t->n];
}

static enum MHD_Result
conn_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	br_server *s = cls;
	struct conn_table *t = s->conns;
	struct conn_entry *e;
	unsigned char key[16];
	int ok;

	(void)addrlen;
	if (br_ip_from_sockaddr(addr, key) < 0 || br_ip_in(s->o.trusted_proxies, key))
		return MHD_YES;
	pthread_mutex_lock(&t->mu);
	if (pending.held && pending.t == t)
		conn_release(t, pending.addr);
	pending.held = 0;
	/* a full table means something is wrong: refuse rather than not count */
	ok = (e = conn_find(t, key, 1)) != NULL && e->n < t->limit;
	if (ok) {
		e->n++;
		pending.t = t;
		memcpy(pending.addr, key, 16);
		pending.held = 1;
	}
	pthread_mutex_unlock(&t->mu);
	return ok ? MHD_YES : MHD_NO;
}

static void
conn_table_free(struct conn_table *t)
{
	if (t == NULL)
		return;
	pthread_mutex_destroy(&t->mu);
	free(t->v);
	free(t);
}

/* ---- the request deadline (watchdog) ---- */

/* The connection's context, or NULL (no memory when it started). */
static struct conn_ctx *
conn_ctx_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

/* Arm (a new request may start now) or disarm (a whole request is in). */
static void
deadline_set(br_server *s, struct conn_ctx *c, int arm)
{
	if (c == NULL || s->wd.timeout <= 0)
		return;
	pthread_mutex_lock(&s->wd.mu);
	c->deadline = arm ? mono_now() + s->wd.timeout : 0;
	pthread_mutex_unlock(&s->wd.mu);
}

/*
 * Shuts down the sockets of connections past their deadline. MHD sees the
 * socket end and closes the connection in its own thread. The fd cannot
 * have been reused: MHD notifies CLOSED (which takes the entry out of the
 * list, under the same lock) before it closes the socket.
 */
static void *
watchdog_run(void *arg)
{
	br_server *s = arg;
	struct watchdog *w = &s->wd;
	/* a quarter of the deadline, at most 250 ms: dropped at most that late */
	double tick = w->timeout / 4 < 0.25 ? w->timeout / 4 : 0.25;
	struct timespec ts;

	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		double now = mono_now();
		unsigned dropped = 0;
		struct conn_ctx *c;

		for (c = w->head; c != NULL; c = c->next)
			if (c->deadline > 0 && now >= c->deadline) {
				c->deadline = 0;
				shutdown(c->fd, SHUT_RDWR);
				dropped++;
			}
		if (dropped > 0 && s->o.observe != NULL) {
			pthread_mutex_unlock(&w->mu);
			while (dropped-- > 0)
				s->o.observe(s->o.app, "header_timeout", 408, w->timeout);
			pthread_mutex_lock(&w->mu);
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += (long)(tick * 1e9);
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		while (!w->stop && pthread_cond_timedwait(&w->cv, &w->mu, &ts) == EINTR)
			;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static int
watchdog_start(br_server *s, double timeout)
{
	pthread_condattr_t ca;

	s->wd.timeout = timeout;
	if (timeout <= 0)
		return 0;
	pthread_mutex_init(&s->wd.mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->wd.cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&s->wd.thread, NULL, watchdog_run, s) != 0) {
		pthread_cond_destroy(&s->wd.cv);
		pthread_mutex_destroy(&s->wd.mu);
		return -1;
	}
	s->wd.running = 1;
	return 0;
}

static void
watchdog_stop(br_server *s)
{
	if (!s->wd.running)
		return;
	pthread_mutex_lock(&s->wd.mu);
	s->wd.stop = 1;
	pthread_cond_signal(&s->wd.cv);
	pthread_mutex_unlock(&s->wd.mu);
	pthread_join(s->wd.thread, NULL);
	pthread_cond_destroy(&s->wd.cv);
	pthread_mutex_destroy(&s->wd.mu);
	s->wd.running = 0;
}

static void
conn_notify(void *cls, struct MHD_Connection *conn, void **socket_context, enum MHD_ConnectionNotificationCode code)
{
	br_server *s = cls;
	struct conn_table *t = s->conns;
	struct conn_ctx *c = *socket_context;
	unsigned char key[16];

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci == NULL || (c = calloc(1, sizeof(*c))) == NULL) {
			/* unwatched and uncounted is not an option: end it (its reservation goes at the next accept) */
			if (ci != NULL)
				shutdown(ci->connect_fd, SHUT_RDWR);
			return;
		}
		c->fd = ci->connect_fd;
		if (t != NULL && pending.held && pending.t == t && peer_key(conn, key) == 0 &&
		    memcmp(pending.addr, key, 16) == 0) {
			pending.held = 0;
			c->counted = 1;
		}
		if (s->wd.timeout > 0) {
			pthread_mutex_lock(&s->wd.mu);
			c->deadline = mono_now() + s->wd.timeout;
			c->next = s->wd.head;
			if (c->next != NULL)
				c->next->prev = c;
			s->wd.head = c;
			pthread_mutex_unlock(&s->wd.mu);
		}
		*socket_context = c;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && c != NULL) {
		*socket_context = NULL;
		if (s->wd.timeout > 0) {
			pthread_mutex_lock(&s->wd.mu);
			if (c->prev != NULL)
				c->prev->next = c->next;
			else
				s->wd.head = c->next;
			if (c->next != NULL)
				c->next->prev = c->prev;
			pthread_mutex_unlock(&s->wd.mu);
		}
		if (c->counted && peer_key(conn, key) == 0) {
			pthread_mutex_lock(&t->mu);
			conn_release(t, key);
			pthread_mutex_unlock(&t->mu);
		}
		free(c);
	}
}

static enum MHD_Result
access_handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	br_server *s = cls;
	struct req_state *st = *con_cls;
	const br_route *route;
	br_request req;
	br_response res;
	enum MHD_Result ok;
	char addr[64];
	int known;

	(void)version;
	if (st == NULL) {
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding");
		if ((st = calloc(1, sizeof(*st))) == NULL)
			return MHD_NO;
		st->t0 = mono_now();
		*con_cls = st;
		if (cl != NULL && te != NULL) {
			/*
			 * Two framings: a proxy in front may have used the other one, and
			 * what follows may be a request it never saw (smuggling). Answer and
			 * close; MHD would go by Transfer-Encoding.
			 */
			memset(&res, 0, sizeof(res));
			br_res_text(&res, 400, "text/plain; charset=utf-8",
			    "both Content-Length and Transfer-Encoding\n");
			res.close = 1;
			st->status = 400;
			st->answered = 1;
			st->metric = "bad_framing";
			ok = send_response(conn, s, &res);
			br_res_reset(&res);
			return ok;
		}
		/* refuse a declared oversize body before reading any of it */
		if (cl != NULL && strtoull(cl, NULL, 10) > s->o.max_body) {
			st->status = 413;
			st->answered = 1;
			st->metric = "too_large";
			return send_simple(conn, s, 413, "request body too large\n");
		}
		return MHD_YES;
	}
	if (*upload_size > 0) {
		size_t n = *upload_size;
		if (st->answered) {
			/* answered already: drain what the client still sends */
		} else if (!st->too_large && st->len + n <= s->o.max_body) {
			if (st->len + n + 1 > st->cap) {
				size_t cap = st->cap ? st->cap * 2 : 4096;
				char *nb;
				while (cap < st->len + n + 1)
					cap *= 2;
				if ((nb = realloc(st->body, cap)) == NULL)
					return MHD_NO;
				st->body = nb;
				st->cap = cap;
			}
			memcpy(st->body + st->len, upload_data, n);
			st->len += n;
		} else {
			st->too_large = 1;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (st->answered)
		return MHD_YES;
	/* the whole request is in: no deadline while it is handled and answered */
	deadline_set(s, conn_ctx_of(conn), 0);
	if (st->too_large) {
		st->status = 413;
		st->metric = "too_large";
		return send_simple(conn, s, 413, "request body too large\n");
	}

	route = find_route(s, method, url, &known);
	if (route == NULL && !known && s->o.not_found != NULL) {
		static const br_route fallback = { "GET", "", NULL, "not_found" };
		route = &fallback;
	}
	if (route == NULL) {
		st->status = known ? 405 : 404;
		st->metric = known ? "method_not_allowed" : "not_found";
		return send_simple(conn, s, st->status, known ? "method not allowed\n" : "not found\n");
	}
	memset(&req, 0, sizeof(req));
	memset(&res, 0, sizeof(res));
	/* the body is NUL-terminated for the JSON parser; no body reads as "" */
	if (st->body != NULL)
		st->body[st->len] = '\0';
	req.method = method;
	req.path = url;
	req.client = client_address(s, conn, addr, sizeof(addr));
	req.body = (const unsigned char *)(st->body != NULL ? st->body : "");
	req.body_len = st->len;
	req.https = s->o.https;
	req.now = (int64_t)time(NULL);
	req.conn = conn;
	{
		unsigned char peer[16];

		req.from_trusted_proxy = s->o.trusted_proxies != NULL && peer_key(conn, peer) == 0 &&
		    br_ip_in(s->o.trusted_proxies, peer);
	}
	make_ref(req.ref);
	(route->fn != NULL ? route->fn : s->o.not_found)(s->o.app, &req, &res);
	st->metric = res.metric != NULL ? res.metric : route->metric;
	st->status = res.status;
	ok = send_response(conn, s, &res);
	br_res_reset(&res);
	return ok;
}

static void
completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	br_server *s = cls;
	struct req_state *st = *con_cls;

	/* keep-alive: the next request has the same time to arrive */
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		deadline_set(s, conn_ctx_of(conn), 1);
	if (st == NULL)
		return;
	if (s->o.observe != NULL && st->metric != NULL)
		s->o.observe(s->o.app, st->metric, st->status, mono_now() - st->t0);
	if (st->body != NULL) {
		/* bodies carry credentials and codes */
		memset(st->body, 0, st->cap);
		free(st->body);
	}
	free(st);
	*con_cls = NULL;
}

br_server *
br_server_start(const br_server_options *o, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	br_server *s;
	unsigned per_address;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	/* handlers block on LDAP and memcached: several threads per core keep the cores busy */
	unsigned threads = o->threads > 0 ? (unsigned)o->threads : (cores > 0 ? (unsigned)cores : 2) * 8;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, o->address, &((struct sockaddr_in *)(void *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)(void *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)(void *)&ss)->sin_port = htons((uint16_t)o->port);
	} else if (inet_pton(AF_INET6, o->address, &((struct sockaddr_in6 *)(void *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)(void *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)(void *)&ss)->sin6_port = htons((uint16_t)o->port);
	} else {
		snprintf(err, errlen, "listen_address: \"%s\" is not a numeric IPv4/IPv6 address", o->address);
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->o = *o;
	per_address = o->max_connections_per_address;
	/*
	 * Behind a proxy every request comes from the proxy: count connections
	 * ourselves and leave the trusted proxies out. Without trusted proxies,
	 * MHD's own per-IP limit does the same job.
	 */
	if (per_address > 0 && o->trusted_proxies != NULL && o->trusted_proxies->n > 0) {
		if ((s->conns = calloc(1, sizeof(*s->conns))) == NULL ||
		    (s->conns->v = calloc(MAX_CONNECTIONS + threads + 16, sizeof(struct conn_entry))) == NULL) {
			free(s->conns);
			free(s);
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		s->conns->cap = MAX_CONNECTIONS + threads + 16;
		s->conns->limit = per_address;
		pthread_mutex_init(&s->conns->mu, NULL);
	}
	if (watchdog_start(s, o->header_timeout_s) < 0) {
		snprintf(err, errlen, "cannot start the request deadline thread");
		conn_table_free(s->conns);
		free(s);
		return NULL;
	}
	br_mhd_replies_https(o->https);
	s->daemon = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
	    (uint16_t)o->port, s->conns != NULL ? conn_accept : NULL, s, access_handler, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, /* no length: MHD_USE_IPv6 (from ss_family) says which */
	    MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(o->timeout_s > 0 ? o->timeout_s : 15),
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->conns != NULL ? 0u : per_address,
	    MHD_OPTION_NOTIFY_CONNECTION, conn_notify, s,
	    /* headers and cookies are small; bodies are copied out as they arrive */
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024),
	    MHD_OPTION_NOTIFY_COMPLETED, completed, s,
	    MHD_OPTION_END);
	if (s->daemon == NULL) {
		snprintf(err, errlen, "cannot listen on %s port %d", o->address, o->port);
		watchdog_stop(s);
		conn_table_free(s->conns);
		free(s);
		return NULL;
	}
	return s;
}

int
br_server_port(const br_server *s)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);

	return di != NULL ? di->port : 0;
}

void
br_server_stop(br_server **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	MHD_stop_daemon((*sp)->daemon);
	watchdog_stop(*sp);
	conn_table_free((*sp)->conns);
	free(*sp);
	*sp = NULL;
}
