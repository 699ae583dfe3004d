/* fido-bridged: the bridge server. Wiring only: config, stores, routes, signals. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../app/app.h"
#include "../http/reply.h"
#include "../http/routes.h"
#include "../http/server.h"

static void
usage(void)
{
	fprintf(stderr, "usage: fido-bridged [--config FILE]\n"
			"  default config: $FIDO_BRIDGE_CONFIG or /etc/fido-bridge/bridge.conf\n");
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
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[++i];
		else {
			usage();
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
	if (app.cfg.templates_dir == NULL) {
		fprintf(stderr, "fido-bridged: [server] templates_dir: required\n");
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
			.observe = br_routes_observe, .trusted_proxies = &app.cfg.trusted_proxies,
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
	do {
		if (sigwait(&set, &sig) != 0)
			break;
	} while (sig == SIGHUP); /* nothing to reload yet: the config is read at start */
	fprintf(stderr, "fido-bridged: signal %d, finishing requests in flight\n", sig);
	br_server_stop(&srv);
	br_server_stop(&admin);
	br_audit_event(app.audit, "server_stopped", NULL);
	br_app_free(&app);
	return 0;
}
