/*
 * bridgectl mds: the FIDO metadata of this node.
 *   mds import BLOB.jwt [--crl FILE]...  verify a downloaded MDS3 blob, store its entries
 *   mds status                           what is stored, and when the root expires
 *   mds show AAGUID                      one entry
 * import verifies everything before it writes: the signature by the x5c
 * leaf, the chain to [attestation] mds_root_file at this instant with the
 * CRLs ([attestation] mds_crl_files and every --crl), a `no` larger than the
 * stored blob's and a nextUpdate no further past than mds_grace.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../app/metadata.h"
#include "../config/config.h"
#include "../core/text.h"
#include "../core/timefmt.h"
#include "commands.h"
#include "options.h"

#define CRL_ARGS_MAX 16

static int
read_file(const char *path, size_t max, br_blob *out)
{
	FILE *f = fopen(path, "rb");
	struct stat st;

	out->ptr = NULL;
	out->len = 0;
	if (f == NULL || fstat(fileno(f), &st) != 0 || st.st_size <= 0 || (uint64_t)st.st_size > max ||
	    (out->ptr = malloc((size_t)st.st_size)) == NULL ||
	    fread(out->ptr, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		fprintf(stderr, "bridgectl: %s: %s\n", path, f == NULL ? strerror(errno) : "empty, too large or unreadable");
		if (f != NULL)
			fclose(f);
		free(out->ptr);
		out->ptr = NULL;
		return -1;
	}
	out->len = (size_t)st.st_size;
	fclose(f);
	return 0;
}

static void
day(int64_t t, char out[11])
{
	char iso[32];

	if (br_time_to_iso(t, iso, sizeof(iso)) < 0)
		snprintf(out, 11, "?");
	else
		snprintf(out, 11, "%.10s", iso);
}

/* The pinned root's expiry: an error once past, a warning within mds_root_warn. */
static int
root_expiry(const br_config *c, const br_blob *root, int64_t now)
{
	int64_t na;
	char d[11];

	if (br_mds_root_not_after((br_span){ root->ptr, root->len }, &na) < 0) {
		fprintf(stderr, "bridgectl: [attestation] mds_root_file: no PEM certificate in %s\n", c->mds_root_file);
		return -1;
	}
	day(na, d);
	if (na <= now) {
		fprintf(stderr, "bridgectl: [attestation] mds_root_file: the root expired on %s; install the FIDO Alliance's current root\n", d);
		return -1;
	}
	if (na - now <= c->mds_root_warn_s)
		fprintf(stderr, "bridgectl: warning: the MDS root %s expires on %s (in %lld days): install its successor before then\n",
		    c->mds_root_file, d, (long long)((na - now) / 86400));
	return 0;
}

static int
load_config(const char *path, br_config *c)
{
	char err[512];

	if (br_config_load(path, c, err, sizeof(err)) < 0) {
		fprintf(stderr, "bridgectl: %s\n", err);
		return -1;
	}
	if (c->mds_file == NULL || c->mds_root_file == NULL) {
		fprintf(stderr, "bridgectl: %s: set [attestation] mds_file and mds_root_file\n", path);
		br_config_free(c);
		return -1;
	}
	return 0;
}

static int
mds_import(const char *config, const char *blob_path, char **crl_args, size_t n_crl_args)
{
	br_config c;
	br_blob blob = { NULL, 0 }, root = { NULL, 0 }, payload = { NULL, 0 };
	br_blob crl[CRL_ARGS_MAX * 2];
	br_span crls[CRL_ARGS_MAX * 2];
	br_mds *stored = NULL, *m = NULL;
	br_mds_check chk;
	char err[512], d[11];
	size_t i, n = 0;
	br_mds_err e;
	int rc = 1;
	struct stat st;

	memset(crl, 0, sizeof(crl));
	if (load_config(config, &c) < 0)
		return 1;
	if (c.mds_crl_files.n + n_crl_args > CRL_ARGS_MAX) {
		fprintf(stderr, "bridgectl: more than %d CRLs\n", CRL_ARGS_MAX);
		goto out;
	}
	if (read_file(blob_path, BR_MDS_BLOB_MAX, &blob) < 0 || read_file(c.mds_root_file, 1 << 20, &root) < 0)
		goto out;
	for (i = 0; i < c.mds_crl_files.n + n_crl_args; i++, n++) {
		if (read_file(i < c.mds_crl_files.n ? c.mds_crl_files.v[i] : crl_args[i - c.mds_crl_files.n], 64u << 20, &crl[n]) < 0)
			goto out;
		crls[n] = (br_span){ crl[n].ptr, crl[n].len };
	}
	memset(&chk, 0, sizeof(chk));
	chk.now = (int64_t)time(NULL);
	if (root_expiry(&c, &root, chk.now) < 0)
		goto out;
	/* the stored blob's number: a missing file is a first import, a broken one is an error */
	chk.stored_no = -1;
	if (stat(c.mds_file, &st) == 0) {
		if ((stored = br_metadata_read(c.mds_file, err, sizeof(err))) == NULL) {
			fprintf(stderr, "bridgectl: %s (move it away to import afresh)\n", err);
			goto out;
		}
		chk.stored_no = stored->no;
	}
	chk.root_pem = (br_span){ root.ptr, root.len };
	chk.crls = crls;
	chk.n_crls = n;
	chk.grace_s = c.mds_grace_s;
	if ((e = br_mds_blob_verify(blob.ptr, blob.len, &chk, &m, &payload)) != BR_MDS_OK) {
		fprintf(stderr, "bridgectl: %s: refused (%s)", blob_path, br_mds_strerr(e));
		if (e == BR_MDS_NOT_NEWER)
			fprintf(stderr, ": the stored blob is no %lld", (long long)chk.stored_no);
		else if (e == BR_MDS_CRL)
			fprintf(stderr, ": every CA of the chain needs a current CRL (mds_crl_files, --crl)");
		fprintf(stderr, "; nothing was changed\n");
		goto out;
	}
	if (br_metadata_write(c.mds_file, &payload, err, sizeof(err)) < 0) {
		fprintf(stderr, "bridgectl: %s\n", err);
		goto out;
	}
	day(m->next_update, d);
	printf("imported MDS blob no %lld: %zu FIDO2 entries (%zu other), next update %s, into %s\n",
	    (long long)m->no, m->n, m->skipped, d, c.mds_file);
	if (m->duplicates > 0)
		fprintf(stderr, "bridgectl: %zu entries named an AAGUID listed again with a newer (or the same) status: "
		    "the newer entry is kept (docs/metadata.md)\n", m->duplicates);
	fprintf(stderr, "bridgectl: send SIGHUP to fido-bridged (systemctl reload fido-bridge) to load it\n");
	rc = 0;
out:
	for (i = 0; i < CRL_ARGS_MAX * 2; i++)
		free(crl[i].ptr);
	free(blob.ptr);
	free(root.ptr);
	free(payload.ptr);
	br_mds_free(&m);
	br_mds_free(&stored);
	br_config_free(&c);
	return rc;
}

static int
mds_status(const char *config)
{
	br_config c;
	br_blob root = { NULL, 0 };
	br_mds *m;
	char err[512], d[11];
	int64_t now = (int64_t)time(NULL);
	int rc = 0;

	if (load_config(config, &c) < 0)
		return 1;
	if (read_file(c.mds_root_file, 1 << 20, &root) < 0 || root_expiry(&c, &root, now) < 0)
		rc = 1;
	if ((m = br_metadata_read(c.mds_file, err, sizeof(err))) == NULL) {
		fprintf(stderr, "bridgectl: %s\n", err);
		rc = 1;
	} else {
		day(m->next_update, d);
		printf("no %lld, %zu FIDO2 entries, next update %s%s\n", (long long)m->no, m->n, d,
		    now > m->next_update ? " (past: import a newer blob)" : "");
	}
	br_mds_free(&m);
	free(root.ptr);
	br_config_free(&c);
	return rc;
}

static int
hexv(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 :
	    ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

static int
mds_show(const char *config, const char *aaguid)
{
	br_config c;
	br_mds *m;
	const br_mds_entry *e;
	br_mds_rules rules;
	unsigned char a[16];
	char err[512], buf[64], d[11];
	const char *why;
	size_t i, o = 0;
	int s;

	if (!br_aaguid_text_ok(aaguid)) {
		fprintf(stderr, "bridgectl: %s is not an AAGUID\n", aaguid);
		return 2;
	}
	for (i = 0; aaguid[i] != '\0'; i++)
		if (aaguid[i] != '-') {
			a[o++] = (unsigned char)(hexv(aaguid[i]) << 4 | hexv(aaguid[i + 1]));
			i++;
		}
	if (load_config(config, &c) < 0)
		return 1;
	if ((m = br_metadata_read(c.mds_file, err, sizeof(err))) == NULL) {
		fprintf(stderr, "bridgectl: %s\n", err);
		br_config_free(&c);
		return 1;
	}
	br_mds_rules_from_config(&c, &rules);
	if ((e = br_mds_find(m, a)) == NULL) {
		printf("%s: not in the metadata (no %lld)\n", aaguid, (long long)m->no);
	} else {
		day(e->latest_date, d);
		printf("%s: %s\n  latest status %s (%s), certification %s, %zu attestation root(s)\n  statuses:",
		    aaguid, e->description, e->latest >= 0 ? br_mds_status_name((br_mds_status)e->latest) : "none",
		    e->latest_date ? d : "undated", br_mds_level_name(e->level), e->n_roots);
		for (s = 0; s < BR_MDS_S__COUNT; s++)
			if (e->statuses & BR_MDS_STATUS_BIT(s))
				printf(" %s", br_mds_status_name((br_mds_status)s));
		why = br_mds_refusal(e, &rules, buf, sizeof(buf));
		printf("\n  registration: %s\n", why == NULL ? "allowed" : why);
	}
	br_mds_free(&m);
	br_config_free(&c);
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: bridgectl mds import BLOB.jwt [--crl FILE]... [--config FILE]\n"
		   "       bridgectl mds status [--config FILE]\n"
		   "       bridgectl mds show AAGUID [--config FILE]\n"
		   "       bridgectl mds check [--config FILE]\n" BR_CONFIG_USAGE);
}

int
cmd_mds(int argc, char **argv)
{
	const char *config = br_default_config_path(), *pos[2] = { NULL, NULL };
	char *crl[CRL_ARGS_MAX];
	size_t n_crl = 0;
	int i, n = 0;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			config = argv[++i];
		else if (strcmp(argv[i], "--crl") == 0 && i + 1 < argc && n_crl < CRL_ARGS_MAX)
			crl[n_crl++] = argv[++i];
		else if (argv[i][0] != '-' && n < 2)
			pos[n++] = argv[i];
		else {
			usage(stderr);
			return 2;
		}
	}
	if (argc >= 1 && strcmp(argv[0], "import") == 0 && n == 1)
		return mds_import(config, pos[0], crl, n_crl);
	if (argc >= 1 && strcmp(argv[0], "status") == 0 && n == 0)
		return mds_status(config);
	if (argc >= 1 && strcmp(argv[0], "show") == 0 && n == 1)
		return mds_show(config, pos[0]);
	if (argc >= 1 && strcmp(argv[0], "check") == 0 && n == 0)
		return cmd_mds_check(config);
	usage(stderr);
	return 2;
}
