/*
 * Fuzzes the readers of the allow module (allow.h): the first input byte picks the baseline
 * loader, the .leakscanignore reader or the glob matcher; the rest is the file (or
 * `pattern NUL path`). Files are passed through a memfd so that nothing touches the disk.
 * A baseline that loads is looked up, written back and reloaded: the round trip must keep
 * the number of entries.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "allow.h"
#include "common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fd = memfd_create("fuzz-allow", 0);
	if (fd < 0) {
		perror("fuzz_allow: memfd_create");
		exit(1);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return 0;
}

static void put_file(const uint8_t *data, size_t size)
{
	if (ftruncate(fd, 0) < 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
}

static void baseline(const uint8_t *data, size_t size)
{
	ls_baseline *b = NULL;
	put_file(data, size);
	if (ls_baseline_load(&b, path) < 0)
		return;
	size_t n = ls_baseline_count(b);
	for (size_t i = 0; i < n; i++) {
		const ls_baseline_entry *e = ls_baseline_get(b, i);
		if (!e || !e->rule_id || !e->path)
			abort();
		if (!ls_baseline_find(b, e->rule_id, e->path, e->secret_hash))
			abort();
	}
	/* write it back and read it again: the writer's output must be readable */
	char *text = NULL;
	size_t len = 0;
	FILE *mf = open_memstream(&text, &len);
	if (!mf)
		abort();
	if (ls_baseline_write(b, mf, "fuzz") < 0)
		abort();
	fclose(mf);
	put_file((const uint8_t *)text, len);
	ls_baseline *b2 = NULL;
	if (ls_baseline_load(&b2, path) < 0) {
		fprintf(stderr, "fuzz_allow: a written baseline does not load: %s\n", ls_error_last());
		abort();
	}
	if (ls_baseline_count(b2) != n) {
		fprintf(stderr, "fuzz_allow: baseline round trip changed %zu entries into %zu\n", n, ls_baseline_count(b2));
		abort();
	}
	ls_baseline_free(b2);
	free(text);
	ls_baseline_free(b);
}

static void ignore_file(const uint8_t *data, size_t size)
{
	ls_allow *a = NULL;
	if (ls_allow_new(&a, "/fuzz") < 0)
		return;
	ls_allow_load_ignore_buffer(a, (const char *)data, size);
	ls_allow_free(a);
}

static void glob(const uint8_t *data, size_t size)
{
	char *pat = ls_xstrndup((const char *)data, size);
	size_t plen = strlen(pat);
	char *p = ls_xstrndup(plen < size ? (const char *)data + plen + 1 : "", plen < size ? size - plen - 1 : 0);
	ls_glob_match(pat, p, 0);
	ls_glob_match(pat, p, 1);
	free(p);
	free(pat);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	switch (data[0] % 3) {
	case 0: baseline(data + 1, size - 1); break;
	case 1: ignore_file(data + 1, size - 1); break;
	default: glob(data + 1, size - 1); break;
	}
	ls_error_clear();
	return 0;
}
