#include "readfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int
br_read_file(const char *path, size_t max, unsigned char **out, size_t *len, const char **why)
{
	FILE *f;
	struct stat st;
	unsigned char *buf = NULL;
	size_t n;

	*out = NULL;
	*len = 0;
	if ((f = fopen(path, "rb")) == NULL) {
		*why = strerror(errno);
		return -1;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
		*why = "not a regular file";
	else if (st.st_size <= 0)
		*why = "empty";
	else if ((unsigned long long)st.st_size > max)
		*why = "larger than the limit";
	else if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		*why = "out of memory";
	/* a file that changed size under us is refused, not cut short */
	else if ((n = fread(buf, 1, (size_t)st.st_size + 1, f)) != (size_t)st.st_size)
		*why = "read failed";
	else {
		buf[n] = '\0';
		*out = buf;
		*len = n;
		buf = NULL;
	}
	free(buf);
	fclose(f);
	return *out != NULL ? 0 : -1;
}
