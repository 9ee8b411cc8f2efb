/*
 * Fuzzes ls_url_redact, the parser that reads clone URLs from repository lists and, when a
 * datastore is opened for writing, the repository names and URLs stored in it (store_scrub_urls
 * renames rows an older leakscan named with credentials). Checks, besides memory safety:
 * removing credentials is idempotent, the masked form names the same repository, and neither
 * form is longer than the input allows.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "url.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) { return 0; }

static void check(int ok, const char *what, const char *in, const char *a, const char *b)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_url: %s\n  input: %s\n  a: %s\n  b: %s\n", what, in, a, b);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = ls_xstrndup((const char *)data, size); /* a text column: up to its first NUL */
	char *drop = ls_url_redact(in, LS_URL_DROP), *mask = ls_url_redact(in, LS_URL_MASK);
	char *drop2 = ls_url_redact(drop, LS_URL_DROP), *mask_drop = ls_url_redact(mask, LS_URL_DROP);
	check(!strcmp(drop, drop2), "dropping credentials twice changed the name", in, drop, drop2);
	check(!strcmp(drop, mask_drop), "the masked URL names another repository", in, drop, mask_drop);
	/* every credential value becomes "***" (3 bytes), and an empty one gains them */
	size_t bound = strlen(in) + 3 * (strlen(in) + 1);
	check(strlen(drop) <= bound && strlen(mask) <= bound, "output too long", in, drop, mask);
	free(in), free(drop), free(mask), free(drop2), free(mask_drop);
	return 0;
}
