/* make_test_certs DIR: the test PKI of testca.c as PEM files, for the shell tests. */
#include <stdio.h>
#include <time.h>

#include "testca.h"

int
main(int argc, char **argv)
{
	tca_set s;

	if (argc != 2) {
		fprintf(stderr, "usage: make_test_certs DIR\n");
		return 2;
	}
	if (tca_make(&s, (int64_t)time(NULL)) != 0 || tca_write(&s, argv[1]) != 0) {
		fprintf(stderr, "make_test_certs: could not make the test PKI in %s\n", argv[1]);
		tca_free(&s);
		return 1;
	}
	tca_free(&s);
	return 0;
}
