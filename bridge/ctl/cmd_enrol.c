/*
 * bridgectl's enrolment links: enroll USER | enroll --from FILE (one link
 * each), enrolment list USER, enrolment revoke USER. A link is issued only
 * when its audit line is written, and the line names the administrator.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../app/audit.h"
#include "../app/enrolment.h"
#include "../app/handoff.h"
#include "../core/crypto.h"
#include "../core/timefmt.h"
#include "commands.h"
#include "ctl_directory.h"
#include "options.h"

/* t as ISO 8601 in local time with its offset ("2026-12-14T21:40:00+01:00") and in UTC ("...Z"). */
static void
expiry_texts(int64_t t, char *local, size_t lcap, char *zone, size_t zcap, char *utc, size_t ucap)
{
	time_t tt = (time_t)t;
	struct tm lt, gt;
	char off[8];
	size_t n;

	localtime_r(&tt, &lt);
	gmtime_r(&tt, &gt);
	strftime(local, lcap, "%Y-%m-%dT%H:%M:%S", &lt);
	strftime(off, sizeof(off), "%z", &lt);
	/* strftime's %z is +0100; ISO 8601's extended form wants +01:00 */
	n = strlen(local);
	if (strlen(off) == 5 && n + 7 <= lcap)
		snprintf(local + n, lcap - n, "%.3s:%.2s", off, off + 3);
	strftime(zone, zcap, "%Z", &lt);
	strftime(utc, ucap, "%Y-%m-%dT%H:%M:%SZ", &gt);
}

/* A field for CSV: quoted when it holds a comma, quote or line break. */
static void
csv_field(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/*
 * One link for username: stored, audited, then given out (link malloc'd,
 * expiry in *expires). -1 after a message; nothing stays in the directory
 * when the audit line cannot be written.
 */
static int
issue(struct ctl *c, br_audit *audit, const char *admin, const char *username, long ttl, char **link, int64_t *expires)
{
	char code[BR_ENROL_CODE_LEN + 1], value[256], when[24], *u = NULL;
	br_user *user;
	size_t n;
	int rc = -1;

	*link = NULL;
	if ((user = ctl_find_user(c, username)) == NULL)
		return -1;
	if (user->disabled) {
		fprintf(stderr, "bridgectl: %s: the account is disabled\n", username);
		goto out;
	}
	*expires = (int64_t)time(NULL) + ttl;
	if (br_enrol_make(*expires, code, value, sizeof(value)) < 0 || br_dir_add_enrolment_code(c->dir, user, value) != BR_DIR_OK) {
		fprintf(stderr, "bridgectl: %s: cannot store the enrolment code\n", username);
		goto out;
	}
	br_gentime_write(*expires, when, sizeof(when));
	if (br_audit_event(audit, "enrolment_link_issued", json_pack("{s:s, s:s, s:s, s:s}", "username", user->username,
		"expires", when, "admin", admin, "by", "bridgectl")) < 0) {
		int e = errno;
		/* a link nobody can account for must not exist */
		if (br_dir_remove_enrolment_code(c->dir, user, value) != BR_DIR_OK)
			fprintf(stderr, "bridgectl: %s: the audit line failed and the code could not be removed again: "
					"revoke it (bridgectl enrolment revoke %s)\n", username, username);
		fprintf(stderr, "bridgectl: %s: cannot write the audit log %s: %s; no link issued\n", username,
		    c->cfg.audit_log, strerror(e));
		goto out;
	}
	u = br_url_encode(user->username);
	n = strlen(c->cfg.public_url ? c->cfg.public_url : "") + (u != NULL ? strlen(u) : 0) + 64;
	if (u == NULL || (*link = malloc(n)) == NULL) {
		fprintf(stderr, "bridgectl: out of memory\n");
		goto out;
	}
	snprintf(*link, n, "%s/enroll?u=%s&c=%s", c->cfg.public_url ? c->cfg.public_url : "", u, code);
	rc = 0;
out:
	br_wipe(code, sizeof(code));
	free(u);
	br_user_free(&user);
	return rc;
}

static void
forget(char **link)
{
	if (*link != NULL) {
		br_wipe(*link, strlen(*link));
		free(*link);
		*link = NULL;
	}
}

/* Usernames from path ("-": stdin), one a line; blank lines and "#" lines skipped. CSV on stdout. */
static int
issue_from(struct ctl *c, br_audit *audit, const char *admin, const char *path, long ttl)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *line = NULL, *link, local[40], zone[16], utc[24];
	size_t cap = 0;
	ssize_t n;
	int lineno = 0, failed = 0, issued = 0;
	int64_t expires;

	if (f == NULL) {
		fprintf(stderr, "bridgectl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("user,link,expires\n");
	while ((n = getline(&line, &cap, f)) >= 0) {
		char *p = line, *end;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strlen(p);
		while (end > p && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*p == '\0' || *p == '#')
			continue;
		if (issue(c, audit, admin, p, ttl, &link, &expires) < 0) {
			fprintf(stderr, "bridgectl: %s:%d: no link for %s\n", path, lineno, p);
			failed++;
			continue;
		}
		expiry_texts(expires, local, sizeof(local), zone, sizeof(zone), utc, sizeof(utc));
		csv_field(stdout, p);
		putchar(',');
		csv_field(stdout, link);
		printf(",%s\n", utc);
		forget(&link);
		issued++;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	fflush(stdout);
	fprintf(stderr, "bridgectl: %d link%s issued, %d failed\n", issued, issued == 1 ? "" : "s", failed);
	return failed > 0 ? 1 : 0;
}

int
cmd_enroll(int argc, char **argv)
{
	static const char usage[] = "usage: bridgectl enroll USER [--ttl DURATION] [--config FILE]\n"
				    "       bridgectl enroll --from FILE [--ttl DURATION] [--config FILE]\n"
				    "  prints a one-time enrolment link (with --from: one per user of FILE, one user a\n"
				    "  line, \"-\" for stdin; CSV user,link,expires on stdout). --ttl is at most\n"
				    "  [enrolment] max_link_ttl; the default is [enrolment] link_ttl.\n" BR_CONFIG_USAGE;
	char *pos[1], *args[64], *link, admin[64], local[40], zone[16], utc[24];
	const char *config, *from = NULL;
	struct ctl c;
	br_audit *audit;
	long ttl = 0;
	int64_t expires;
	int i, n = 0, rc;

	if (br_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	/* --from is this command's own; the rest is parsed as for every directory command */
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--from") == 0 && i + 1 < argc)
			from = argv[++i];
		else if (n < (int)(sizeof(args) / sizeof(args[0])))
			args[n++] = argv[i];
		else {
			fputs(usage, stderr);
			return 2;
		}
	}
	if ((rc = ctl_parse_args(n, args, &config, &ttl, pos, 1)) < 0 || (from == NULL) != (rc == 1)) {
		fputs(usage, stderr);
		return 2;
	}
	if (ctl_open_directory(&c, config) < 0)
		return 1;
	if (ttl == 0)
		ttl = c.cfg.enrolment_link_ttl_s;
	if (ttl > c.cfg.enrolment_max_link_ttl_s) {
		fprintf(stderr, "bridgectl: --ttl %lds is longer than [enrolment] max_link_ttl (%ds)\n", ttl,
		    c.cfg.enrolment_max_link_ttl_s);
		ctl_close_directory(&c);
		return 2;
	}
	/* before any code exists: a link must not be issued that the audit log does not show */
	if ((audit = br_audit_open(c.cfg.audit_log)) == NULL) {
		fprintf(stderr, "bridgectl: cannot open the audit log %s: %s; no link issued\n",
		    c.cfg.audit_log ? c.cfg.audit_log : "-", strerror(errno));
		ctl_close_directory(&c);
		return 1;
	}
	ctl_admin(admin, sizeof(admin));
	if (from != NULL) {
		rc = issue_from(&c, audit, admin, from, ttl);
	} else if (issue(&c, audit, admin, pos[0], ttl, &link, &expires) < 0) {
		rc = 1;
	} else {
		expiry_texts(expires, local, sizeof(local), zone, sizeof(zone), utc, sizeof(utc));
		printf("%s\n", link);
		fflush(stdout);
		fprintf(stderr, "bridgectl: one-time link for %s, valid until %s %s (%s)\n", pos[0], local, zone, utc);
		forget(&link);
		rc = 0;
	}
	br_audit_close(&audit);
	ctl_close_directory(&c);
	return rc;
}

int
cmd_enrolment(int argc, char **argv)
{
	static const char usage[] = "usage: bridgectl enrolment list USER [--config FILE]\n"
				    "       bridgectl enrolment revoke USER [--config FILE]\n"
				    "  list: the user's pending links (JSON: expiry, expired); revoke: remove them all\n" BR_CONFIG_USAGE;
	char *pos[2], admin[64], local[40], zone[16], utc[24];
	const char *config;
	struct ctl c;
	br_user *user;
	size_t i;
	int rc = 0, removed = 0, failed = 0;

	if (br_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	if (ctl_parse_args(argc, argv, &config, NULL, pos, 2) != 2 ||
	    (strcmp(pos[0], "list") != 0 && strcmp(pos[0], "revoke") != 0)) {
		fputs(usage, stderr);
		return 2;
	}
	if (ctl_open_directory(&c, config) < 0)
		return 1;
	if ((user = ctl_find_user(&c, pos[1])) == NULL) {
		ctl_close_directory(&c);
		return 1;
	}
	if (strcmp(pos[0], "list") == 0) {
		json_t *arr = json_array();
		char *s;

		for (i = 0; i < user->n_enrolment_codes; i++) {
			int64_t e = br_enrol_expiry(user->enrolment_codes[i]);

			if (e < 0) {
				json_array_append_new(arr, json_pack("{s:n, s:n, s:b, s:s}", "expires", "expires_local", "expired", 1,
				    "problem", "malformed value"));
				continue;
			}
			expiry_texts(e, local, sizeof(local), zone, sizeof(zone), utc, sizeof(utc));
			json_array_append_new(arr, json_pack("{s:s, s:s, s:b}", "expires", utc, "expires_local", local,
			    "expired", e <= (int64_t)time(NULL)));
		}
		s = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (s != NULL)
			printf("%s\n", s);
		free(s);
		json_decref(arr);
	} else {
		br_audit *audit = br_audit_open(c.cfg.audit_log);

		if (audit == NULL) {
			fprintf(stderr, "bridgectl: cannot open the audit log %s: %s; nothing revoked\n",
			    c.cfg.audit_log ? c.cfg.audit_log : "-", strerror(errno));
			rc = 1;
		} else {
			for (i = 0; i < user->n_enrolment_codes; i++) {
				br_dir_rc r = br_dir_remove_enrolment_code(c.dir, user, user->enrolment_codes[i]);

				if (r == BR_DIR_OK)
					removed++;
				else if (r != BR_DIR_NOT_FOUND)  /* gone already: used meanwhile */
					failed++;
			}
			ctl_admin(admin, sizeof(admin));
			if (br_audit_event(audit, "enrolment_links_revoked", json_pack("{s:s, s:i, s:s, s:s}", "username",
				user->username, "count", removed, "admin", admin, "by", "bridgectl")) < 0) {
				fprintf(stderr, "bridgectl: cannot write the audit log %s: %s (the links were revoked)\n",
				    c.cfg.audit_log, strerror(errno));
				rc = 1;
			}
			br_audit_close(&audit);
			printf("revoked %d enrolment link%s of %s\n", removed, removed == 1 ? "" : "s", user->username);
			if (failed > 0) {
				fprintf(stderr, "bridgectl: %s: %d link%s could not be removed (directory error)\n", user->username,
				    failed, failed == 1 ? "" : "s");
				rc = 1;
			}
		}
	}
	br_user_free(&user);
	ctl_close_directory(&c);
	return rc;
}
