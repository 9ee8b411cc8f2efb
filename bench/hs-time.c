/*
 * hs-time: how long Hyperscan alone takes to scan a set of files with each of several
 * expression sets. Used by bench/pack-cost; not part of leakscan.
 *
 * usage: hs-time FILE-LIST SET...
 *   FILE-LIST  one path per line; the files are read into memory first
 *   SET        a file of "id<TAB>expression" lines (what `leakscan rules list --hyperscan`
 *              prints), compiled into one block-mode database as leakscan does
 * Prints, per set: best-of-REPS milliseconds (REPS from the environment, default 10; the
 * sets take turns so that machine noise hits them alike), MB/s and the number of matches.
 */
#include <hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int count(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx)
{
	(void)id, (void)from, (void)to, (void)flags;
	(*(long *)ctx)++;
	return 0;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0, got;
	do {
		if (n == cap && !(buf = realloc(buf, cap = cap ? 2 * cap : 65536)))
			abort();
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	fclose(f);
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: hs-time FILE-LIST SET...\n");
		return 2;
	}
	FILE *fl = fopen(argv[1], "r");
	if (!fl) {
		perror(argv[1]);
		return 2;
	}
	char line[65536];
	char **bufs = NULL;
	size_t *lens = NULL, nbuf = 0, total = 0;
	while (fgets(line, sizeof(line), fl)) {
		line[strcspn(line, "\n")] = 0;
		size_t len;
		char *b = read_file(line, &len);
		if (!b)
			continue;
		bufs = realloc(bufs, (nbuf + 1) * sizeof(*bufs));
		lens = realloc(lens, (nbuf + 1) * sizeof(*lens));
		bufs[nbuf] = b;
		lens[nbuf++] = len;
		total += len;
	}
	fclose(fl);

	int nsets = argc - 2;
	hs_database_t **db = calloc((size_t)nsets, sizeof(*db));
	hs_scratch_t *scratch = NULL;
	for (int d = 0; d < nsets; d++) {
		FILE *ef = fopen(argv[d + 2], "r");
		if (!ef) {
			perror(argv[d + 2]);
			return 2;
		}
		char **exprs = NULL;
		unsigned n = 0;
		while (fgets(line, sizeof(line), ef)) {
			line[strcspn(line, "\n")] = 0;
			char *tab = strchr(line, '\t');
			if (!tab)
				continue;
			exprs = realloc(exprs, (n + 1) * sizeof(*exprs));
			exprs[n++] = strdup(tab + 1);
		}
		fclose(ef);
		unsigned *ids = calloc(n, sizeof(*ids)), *flags = calloc(n, sizeof(*flags));
		for (unsigned i = 0; i < n; i++)
			ids[i] = i;
		hs_compile_error_t *err = NULL;
		if (hs_compile_multi((const char *const *)exprs, flags, ids, n, HS_MODE_BLOCK, NULL, &db[d], &err) !=
		    HS_SUCCESS) {
			fprintf(stderr, "hs-time: %s: expression %d: %s\n", argv[d + 2], err->expression, err->message);
			return 2;
		}
		hs_alloc_scratch(db[d], &scratch);
		for (unsigned i = 0; i < n; i++)
			free(exprs[i]);
		free(exprs);
		free(ids);
		free(flags);
	}

	int reps = getenv("REPS") ? atoi(getenv("REPS")) : 10;
	double *best = calloc((size_t)nsets, sizeof(*best));
	long *hits = calloc((size_t)nsets, sizeof(*hits));
	for (int d = 0; d < nsets; d++)
		best[d] = 1e9;
	for (int r = 0; r < reps; r++)
		for (int d = 0; d < nsets; d++) {
			long h = 0;
			double t = now();
			for (size_t i = 0; i < nbuf; i++)
				hs_scan(db[d], bufs[i], (unsigned)lens[i], 0, scratch, count, &h);
			t = now() - t;
			if (t < best[d])
				best[d] = t;
			hits[d] = h;
		}
	for (int d = 0; d < nsets; d++)
		printf("%s\t%.2f\t%.0f\t%ld\n", argv[d + 2], best[d] * 1e3, (double)total / 1e6 / best[d], hits[d]);
	for (int d = 0; d < nsets; d++)
		hs_free_database(db[d]);
	hs_free_scratch(scratch);
	for (size_t i = 0; i < nbuf; i++)
		free(bufs[i]);
	free(bufs);
	free(lens);
	free(db);
	free(best);
	free(hits);
	return 0;
}
