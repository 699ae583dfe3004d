#include "metadata.h"

#include "readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

br_mds *
br_metadata_read(const char *path, char *err, size_t errlen)
{
	unsigned char *buf;
	size_t n;
	const char *why;
	br_mds *m = NULL;
	br_mds_err e;

	if (br_read_file(path, BR_MDS_BLOB_MAX, &buf, &n, &why) < 0) {
		snprintf(err, errlen, "[attestation] mds_file: cannot read %s: %s", path, why);
		return NULL;
	}
	if ((e = br_mds_payload_parse(buf, n, &m)) != BR_MDS_OK)
		snprintf(err, errlen, "[attestation] mds_file: %s: %s (import the blob again)", path, br_mds_strerr(e));
	free(buf);
	return m;
}

int
br_metadata_write(const char *path, const br_blob *payload, char *err, size_t errlen)
{
	size_t n = strlen(path) + 16, off = 0;
	char *tmp = malloc(n);
	ssize_t w;
	int fd = -1;

	if (tmp == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(tmp, n, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		snprintf(err, errlen, "%s: cannot create a temporary file next to it: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	while (off < payload->len) {
		if ((w = write(fd, payload->ptr + off, payload->len - off)) < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)w;
	}
	/* the bridge runs as its own user: it must be able to read what root wrote */
	if (fchmod(fd, 0644) != 0 || fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	free(tmp);
	return 0;
fail:
	snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

void
br_mds_rules_from_config(const br_config *c, br_mds_rules *r)
{
	size_t i;
	int s;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < c->mds_refuse_status.n; i++)
		if ((s = br_mds_status_parse(c->mds_refuse_status.v[i], strlen(c->mds_refuse_status.v[i]))) >= 0)
			r->refuse |= BR_MDS_STATUS_BIT(s);
	r->min_level = c->mds_min_level != NULL ? br_mds_level_parse(c->mds_min_level) : 0;
	if (r->min_level < 0)
		r->min_level = 0;
	r->require_entry = c->mds_require_entry;
}

const char *
br_mds_refusal(const br_mds_entry *e, const br_mds_rules *r, char *buf, size_t cap)
{
	int s;

	if (e == NULL)
		return r->require_entry || r->min_level > 0 ? "mds_no_entry" : NULL;
	/*
	 * Any report, not only the latest: a compromise followed by
	 * UPDATE_AVAILABLE still means the devices in users' hands may be the
	 * unpatched ones.
	 */
	for (s = 0; s < BR_MDS_S__COUNT; s++)
		if ((e->statuses & r->refuse & BR_MDS_STATUS_BIT(s)) != 0) {
			snprintf(buf, cap, "mds_status_%s", br_mds_status_name((br_mds_status)s));
			return buf;
		}
	if (e->level < r->min_level)
		return "mds_certification_level";
	return NULL;
}

int
br_mds_trust_for(const br_trust *base, const br_mds_entry *e, const br_trust **out, br_trust **owned)
{
	size_t i;

	*owned = NULL;
	*out = br_trust_count(base) > 0 ? base : NULL;
	if (e == NULL || e->n_roots == 0)
		return 0;
	/* an allocation failure is an error, never "no anchors": that would judge nothing */
	if ((*owned = br_trust_new()) == NULL)
		return -1;
	for (i = 0; i < e->n_roots; i++)
		if (br_trust_add_der(*owned, e->roots[i].ptr, e->roots[i].len) < 0)
			goto fail;
	if (base != NULL && br_trust_add_all(*owned, base) < 0)
		goto fail;
	*out = *owned;
	return 0;
fail:
	br_trust_free(owned);
	*out = NULL;
	return -1;
}
