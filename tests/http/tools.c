/* The stack's command-line tools for the HTTP tests: bridgectl and the OpenLDAP tools. */
#include "tools.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "harness.h"
#include "stack.h"

/* Run argv with input on stdin; stdout returned, stderr into *err (both malloc'd). */
static char *
run(const char *const argv[], const char *input, int *status, char **err)
{
	int in[2], out[2], er[2], st = 0;
	pid_t pid;
	char *bufs[2] = { NULL, NULL };
	size_t lens[2] = { 0, 0 };
	int fds[2], i;

	if (pipe(in) < 0 || pipe(out) < 0 || pipe(er) < 0) {
		perror("pipe");
		exit(99);
	}
	if ((pid = fork()) < 0) {
		perror("fork");
		exit(99);
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(er[1], 2);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		close(er[0]);
		close(er[1]);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(er[1]);
	if (input != NULL) {
		size_t left = strlen(input);
		const char *p = input;
		while (left > 0) {
			ssize_t n = write(in[1], p, left);
			if (n <= 0)
				break;
			p += n;
			left -= (size_t)n;
		}
	}
	close(in[1]);
	fds[0] = out[0];
	fds[1] = er[0];
	/* small outputs only: read one pipe to its end, then the other */
	for (i = 0; i < 2; i++) {
		char chunk[4096];
		ssize_t n;
		while ((n = read(fds[i], chunk, sizeof(chunk))) > 0) {
			bufs[i] = realloc(bufs[i], lens[i] + (size_t)n + 1);
			memcpy(bufs[i] + lens[i], chunk, (size_t)n);
			lens[i] += (size_t)n;
		}
		close(fds[i]);
		if (bufs[i] == NULL)
			bufs[i] = calloc(1, 1);
		bufs[i][lens[i]] = '\0';
	}
	waitpid(pid, &st, 0);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (err != NULL)
		*err = bufs[1];
	else
		free(bufs[1]);
	return bufs[0];
}

/* ---- bridgectl ---- */

char *
enrol_link(const char *user)
{
	const char *argv[] = { E.bridgectl, "enroll", user, "--config", E.config, NULL };
	char *err = NULL, *out, *want = xfmt("%s/enroll?", E.bridge), *code;
	int st;

	out = run(argv, NULL, &st, &err);
	REQUIREF(st == 0, "bridgectl enroll %s: exit %d: %s", user, st, err);
	out[strcspn(out, "\r\n")] = '\0';
	REQUIREF(starts_with(out, want), "bridgectl enroll printed \"%s\", want %s...", out, want);
	code = hc_query_param(out, "c");
	REQUIREF(code != NULL && strlen(code) >= 8, "enrolment link without a code: %s", out);
	note_secret("enrolment_code", code);
	free(code);
	free(want);
	free(err);
	return out;
}

/* ---- the directory ---- */

json_t *
user_show(const char *user)
{
	const char *argv[] = { E.bridgectl, "user", "show", user, "--config", E.config, NULL };
	char *err = NULL, *out;
	json_error_t je;
	json_t *j;
	int st;

	out = run(argv, NULL, &st, &err);
	REQUIREF(st == 0, "bridgectl user show %s: exit %d: %s", user, st, err);
	j = json_loads(out, 0, &je);
	REQUIREF(json_is_object(j), "bridgectl user show %s: not JSON: %s", user, out);
	free(out);
	free(err);
	return j;
}

json_t *
user_cred(json_t *show, const char *id)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(show, "credentials"), i, c)
		if (json_string_value(json_object_get(c, "id")) != NULL && strcmp(json_string_value(json_object_get(c, "id")), id) == 0)
			return c;
	return NULL;
}

size_t
user_ncreds(const char *user)
{
	json_t *u = user_show(user);
	size_t n = json_array_size(json_object_get(u, "credentials"));

	json_decref(u);
	return n;
}

char *
user_creds_text(const char *user)
{
	json_t *u = user_show(user);
	char *s = json_dumps(json_object_get(u, "credentials"), JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(u);
	return s;
}

char *
ldap_search(const char *base, const char *filter, const char *attr)
{
	const char *argv[] = { "ldapsearch", "-x", "-LLL", "-o", "ldif-wrap=no", "-H", E.ldap_uri, "-D", E.admin_dn, "-w",
		E.admin_pw, "-b", base, filter, attr, NULL };
	char *err = NULL, *out;
	int st;

	out = run(argv, NULL, &st, &err);
	/* 32: no such object (the base is gone) counts as nothing found */
	REQUIREF(st == 0 || st == 32, "ldapsearch -b %s %s: exit %d: %s", base, filter, st, err);
	free(err);
	return out;
}

void
ldap_modify(const char *ldif)
{
	const char *argv[] = { "ldapmodify", "-x", "-H", E.ldap_uri, "-D", E.admin_dn, "-w", E.admin_pw, NULL };
	char *err = NULL, *out;
	int st;

	out = run(argv, ldif, &st, &err);
	REQUIREF(st == 0, "ldapmodify: exit %d: %s\n%s", st, err, ldif);
	free(out);
	free(err);
}

void
make_user(const char *uid, const char *display)
{
	char *ldif = xfmt("dn: uid=%s,%s\nchangetype: add\nobjectClass: top\nobjectClass: person\n"
			  "objectClass: organizationalPerson\nobjectClass: inetOrgPerson\nobjectClass: eduPerson\n"
			  "uid: %s\ncn: %s\nsn: Test\ndisplayName: %s\nmail: %s@example.edu\n"
			  "eduPersonPrincipalName: %s@example.edu\neduPersonAffiliation: member\n\n",
	    uid, E.people, uid, display, display, uid, uid);

	ldap_modify(ldif);
	free(ldif);
}

char *
b64std(const unsigned char *p, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);

	if (out == NULL)
		exit(99);
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	return out;
}

unsigned char *
b64std_decode(const char *s, size_t *n)
{
	size_t len = strlen(s), pad = 0;
	unsigned char *out = malloc(len + 1);
	int k;

	if (out == NULL || len % 4 != 0 || (k = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len)) < 0) {
		free(out);
		return NULL;
	}
	if (len > 0 && s[len - 1] == '=')
		pad++;
	if (len > 1 && s[len - 2] == '=')
		pad++;
	*n = (size_t)k - pad;
	return out;
}
