/* fido-bridged: the bridge server. Wiring only: config, stores, routes, signals. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../app/app.h"
#include "../app/audit.h"
#include "../http/reply.h"
#include "../http/routes.h"
#include "../http/server.h"

static void
usage(FILE *f)
{
	fputs("usage: fido-bridged [--config FILE]\n"
	      "       fido-bridged --version | --help\n"
	      "  --config FILE defaults to $FIDO_BRIDGE_CONFIG, else /etc/fido-bridge/bridge.conf\n"
	      "  SIGTERM/SIGINT: finish the requests in flight and exit; SIGHUP: reopen the audit log\n", f);
}

static void
print_problem(void *arg, int line, const char *msg)
{
	if (line > 0)
		fprintf(stderr, "fido-bridged: %s:%d: %s\n", (const char *)arg, line, msg);
	else
		fprintf(stderr, "fido-bridged: %s: %s\n", (const char *)arg, msg);
}

int
main(int argc, char **argv)
{
	const char *path = getenv("FIDO_BRIDGE_CONFIG");
	char err[512];
	br_app app;
	br_server *srv, *admin = NULL;
	char admin_addr[BR_IP_TEXT_MAX];
	int admin_port = 0;
	sigset_t set;
	int i, sig = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			path = argv[++i];
		} else if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
			printf("fido-bridged (fido-bridge) %s\n", BRIDGE_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (path == NULL || *path == '\0')
		path = "/etc/fido-bridge/bridge.conf";

	/* signals are taken synchronously below; worker threads inherit the mask */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&app, 0, sizeof(app));
	if (br_config_load(path, &app.cfg, err, sizeof(err)) < 0 || br_config_check(&app.cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "fido-bridged: %s\n", err);
		br_config_free(&app.cfg);
		return 1;
	}
	/* what bridgectl config check says of the files: a short or world-readable secret, templates */
	if (br_config_check_report(&app.cfg, BR_CHECK_FILES, print_problem, (void *)path) > 0) {
		br_config_free(&app.cfg);
		return 1;
	}
	if (br_app_init(&app, err, sizeof(err)) < 0 || br_reply_check_strings(app.tpl, err, sizeof(err)) < 0) {
		fprintf(stderr, "fido-bridged: %s\n", err);
		br_app_free(&app);
		return 1;
	}
	{
		br_server_options o = {
			.address = app.cfg.listen_address, .port = app.cfg.listen_port, .threads = app.cfg.threads,
			.max_body = (size_t)app.cfg.max_body_bytes, .timeout_s = app.cfg.request_timeout_s,
			.https = app.https, .routes = br_routes, .n_routes = br_n_routes, .app = &app,
			.observe = br_routes_observe, .not_found = h_not_found, .trusted_proxies = &app.cfg.trusted_proxies,
			.max_connections_per_address = (unsigned)app.cfg.max_connections_per_address,
			.header_timeout_s = app.cfg.header_timeout_s,
		};
		if ((srv = br_server_start(&o, err, sizeof(err))) == NULL) {
			fprintf(stderr, "fido-bridged: %s\n", err);
			br_app_free(&app);
			return 1;
		}
	}
	/* the management listener: metrics and health detail, never on the public port */
	if (br_listen_parse(app.cfg.admin_listen, admin_addr, sizeof(admin_addr), &admin_port) == 0) {
		br_server_options o = {
			.address = admin_addr, .port = admin_port, .threads = 2, .max_body = 1024,
			.timeout_s = app.cfg.request_timeout_s, .header_timeout_s = app.cfg.header_timeout_s,
			.routes = br_admin_routes, .n_routes = br_n_admin_routes, .app = &app,
			.max_connections_per_address = 16,
		};
		if ((admin = br_server_start(&o, err, sizeof(err))) == NULL) {
			fprintf(stderr, "fido-bridged: [server] admin_listen: %s\n", err);
			br_server_stop(&srv);
			br_app_free(&app);
			return 1;
		}
	}
	fprintf(stderr, "fido-bridged: listening on %s port %d for %s\n", app.cfg.listen_address,
	    br_server_port(srv), app.cfg.public_url);
	if (admin != NULL) {
		unsigned char ip[16];
		static const unsigned char v4_loop[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		static const unsigned char v6_loop[16] = { [15] = 1 };
		int loopback = br_ip_parse(admin_addr, strlen(admin_addr), ip) == 0 &&
		    ((memcmp(ip, v4_loop, 12) == 0 && ip[12] == 127) || memcmp(ip, v6_loop, 16) == 0);
		fprintf(stderr, "fido-bridged: management listener on %s port %d%s\n", admin_addr, br_server_port(admin),
		    loopback ? "" : " (not loopback: /metrics and the health detail are open to that network)");
	}
	br_audit_event(app.audit, "server_started", json_pack("{s:i}", "port", br_server_port(srv)));
	for (;;) {
		if (sigwait(&set, &sig) != 0 || sig != SIGHUP)
			break;
		/* SIGHUP: logrotate renamed the audit log (the config is read at start only) */
		if (br_audit_reopen(app.audit) < 0)
			fprintf(stderr, "fido-bridged: SIGHUP: cannot reopen %s: %s; the audit log goes on in the old file\n",
			    app.cfg.audit_log, strerror(errno));
		else
			br_audit_event(app.audit, "audit_log_reopened", NULL);
		/* and the metadata bridgectl mds import / names refresh wrote */
		if (br_app_reload_metadata(&app, err, sizeof(err)) < 0) {
			fprintf(stderr, "fido-bridged: %s (the previous metadata stays)\n", err);
			br_audit_event(app.audit, "metadata_reload_failed", json_pack("{s:s}", "detail", err));
		} else if (app.mds != NULL) {
			br_audit_event(app.audit, "metadata_reloaded", json_pack("{s:I, s:I}", "no", (json_int_t)app.mds->no,
			    "entries", (json_int_t)app.mds->n));
		}
	}
	fprintf(stderr, "fido-bridged: signal %d, finishing requests in flight\n", sig);
	br_server_stop(&srv);
	br_server_stop(&admin);
	br_audit_event(app.audit, "server_stopped", NULL);
	br_app_free(&app);
	return 0;
}
