/* A minimal check macro for the integration tests: file:line and exit 1. */
#ifndef BR_TEST_CHECK_H
#define BR_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                              \
	do {                                                                     \
		if (!(cond)) {                                                   \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,  \
			    __LINE__, #cond);                                    \
			exit(1);                                                 \
		}                                                                \
	} while (0)

#endif
