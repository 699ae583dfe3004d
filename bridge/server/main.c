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
	br_server *srv;
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
		};
		if ((srv = br_server_start(&o, err, sizeof(err))) == NULL) {
			fprintf(stderr, "fido-bridged: %s\n", err);
			br_app_free(&app);
			return 1;
		}
	}
	fprintf(stderr, "fido-bridged: listening on %s port %d for %s\n", app.cfg.listen_address,
	    br_server_port(srv), app.cfg.public_url);
	br_audit_event(app.audit, "server_started", json_pack("{s:i}", "port", br_server_port(srv)));
	for (;;) {
		if (sigwait(&set, &sig) != 0 || sig != SIGHUP)
			break;
		/* SIGHUP: the metadata bridgectl mds import wrote; the config itself is read at start */
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
	br_audit_event(app.audit, "server_stopped", NULL);
	br_app_free(&app);
	return 0;
}
