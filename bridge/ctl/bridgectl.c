/* bridgectl: the bridge's admin tool. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "options.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{ "verify", cmd_verify, "verify CASE.json...        verify recorded ceremonies, one JSON line each" },
	{ "bench", cmd_bench, "bench [--seconds S] DIR... verification speed on generated cases" },
	{ "config", cmd_config, "config check [--syntax-only] --config FILE | config keys" },
	{ "enroll", cmd_enroll, "enroll USER [--ttl DURATION]   print a one-time enrolment link" },
	{ "enroll", cmd_enroll, "enroll --from FILE [--ttl D]   one link per user of FILE, as CSV" },
	{ "enrolment", cmd_enrolment, "enrolment list|revoke USER   a user's pending links" },
	{ "user", cmd_user, "user show USER              attributes and credentials" },
	{ "credential", cmd_credential, "credential list USER | credential delete USER ID" },
	{ "mds", cmd_mds, "mds import BLOB.jwt | status | show AAGUID | check   FIDO metadata (docs/metadata.md)" },
	{ "names", cmd_names, "names refresh FILE          check and install a new authenticator names list" },
	{ "directory", cmd_directory, "directory check             connect, check the schema is loaded" },
	{ "cert", cmd_cert, "cert pair USER CERT.pem [--nickname N] | cert list USER | cert unpair USER ID" },
	{ "ssh", cmd_ssh, "ssh authorized-keys USER | ssh export CERT.pem   paired RSA keys as OpenSSH lines" },
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: bridgectl COMMAND [ARGS] [--config FILE]\n"
		   "       bridgectl --version | --help | COMMAND --help\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s\n", commands[i].help);
	fputs(BR_CONFIG_USAGE, f);
}

int
main(int argc, char **argv)
{
	size_t i;

	/* libldap may write to a connection the server just closed */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("bridgectl (fido-bridge) %s\n", BRIDGE_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 2, argv + 2);
	fprintf(stderr, "bridgectl: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
