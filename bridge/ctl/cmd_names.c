/*
 * bridgectl names refresh FILE: check a new authenticator names list (the
 * community passkey-provider AAGUID list format) and install it as
 * [webauthn] aaguid_names_file, atomically. A list that does not parse is
 * refused and the installed one stays.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../app/aaguid_names.h"
#include "../app/metadata.h"
#include "../config/config.h"
#include "commands.h"
#include "options.h"

int
cmd_names(int argc, char **argv)
{
	const char *config = br_default_config_path(), *file = NULL;
	char err[512];
	br_config c;
	br_names *n;
	br_blob raw = { NULL, 0 };
	FILE *f;
	struct stat st;
	int i, rc = 1, bad = 0;
	static const char usage[] = "usage: bridgectl names refresh FILE [--config FILE]\n" BR_CONFIG_USAGE;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		}

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			config = argv[++i];
		else if (argv[i][0] != '-' && file == NULL)
			file = argv[i];
		else
			bad = 1;
	}
	if (bad || argc < 1 || strcmp(argv[0], "refresh") != 0 || file == NULL) {
		fputs(usage, stderr);
		return 2;
	}
	if (br_config_load(config, &c, err, sizeof(err)) < 0) {
		fprintf(stderr, "bridgectl: %s\n", err);
		return 1;
	}
	if (c.aaguid_names_file == NULL) {
		fprintf(stderr, "bridgectl: %s: set [webauthn] aaguid_names_file\n", config);
		goto out;
	}
	if ((n = br_names_read(file, err, sizeof(err))) == NULL) {
		fprintf(stderr, "bridgectl: %s: refused (%s); nothing was changed\n", file, strstr(err, ": ") ? strstr(err, ": ") + 2 : err);
		goto out;
	}
	printf("%s: %zu authenticator names\n", file, n->n);
	br_names_free(&n);
	/* install exactly the bytes that were checked */
	if ((f = fopen(file, "rb")) == NULL || fstat(fileno(f), &st) != 0 || (raw.ptr = malloc((size_t)st.st_size)) == NULL ||
	    fread(raw.ptr, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		fprintf(stderr, "bridgectl: %s: cannot read it again\n", file);
		if (f != NULL)
			fclose(f);
		goto out;
	}
	fclose(f);
	raw.len = (size_t)st.st_size;
	if (br_names_parse(raw.ptr, raw.len, &n, err, sizeof(err)) < 0) {
		fprintf(stderr, "bridgectl: %s changed while being read: %s\n", file, err);
		goto out;
	}
	br_names_free(&n);
	if (br_metadata_write(c.aaguid_names_file, &raw, err, sizeof(err)) < 0) {
		fprintf(stderr, "bridgectl: %s\n", err);
		goto out;
	}
	printf("installed as %s\n", c.aaguid_names_file);
	fprintf(stderr, "bridgectl: send SIGHUP to fido-bridged (systemctl reload fido-bridge) to load it\n");
	rc = 0;
out:
	free(raw.ptr);
	br_config_free(&c);
	return rc;
}
