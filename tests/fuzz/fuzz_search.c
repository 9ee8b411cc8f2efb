/*
 * Fuzzes the matcher and the search path on arbitrary bytes with the full default rule set
 * (patterns/), compiled once. Each input is searched twice: with the default options, and
 * with a matcher whose chunks are as small as the matcher allows, so that chunk overlaps,
 * line and column computation, entropy, placeholders and inline allow markers all see
 * hostile bytes (invalid UTF-8, NULs, CR-only lines, very long lines). Oracle: the chunked
 * matcher must report exactly what the same matcher reports over the input in one chunk
 * (same rules, same offsets and lengths), unless a match limit was hit.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "matcher.h"
#include "rules.h"
#include "search.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ls_ruleset *rs;
static ls_matcher *m_default, *m_small, *m_whole;
static ls_scratch *s_default, *s_small, *s_whole;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("LEAKSCAN_PATTERNS_DIR");
	if (!dir || !*dir)
		dir = LS_SOURCE_PATTERNS_DIR;
	ls_matcher_options o = LS_MATCHER_OPTIONS_INIT;
	ls_matcher_options small = LS_MATCHER_OPTIONS_INIT;
	small.chunk_size = 1; /* raised to the smallest chunk the matcher accepts */
	small.max_window = 512;
	small.match_limit = 10000;
	/* compiled databases are cached like the CLI does (ctest and tests/fuzz/run set this) */
	o.cache_dir = small.cache_dir = getenv("LEAKSCAN_CACHE_DIR");
	if (ls_ruleset_new(&rs) < 0 || ls_ruleset_load_path(rs, dir) < 0 ||
	    ls_matcher_new(&m_default, rs, &o) < 0 || ls_matcher_new(&m_small, rs, &small) < 0 ||
	    ls_scratch_new(&s_default, m_default) < 0 || ls_scratch_new(&s_small, m_small) < 0) {
		fprintf(stderr, "fuzz_search: cannot build the matcher: %s\n", ls_error_last());
		exit(1);
	}
	/* the same window in one chunk: the differential oracle for the chunked matcher */
	ls_matcher_options whole = small;
	whole.chunk_size = (size_t)64 << 20;
	if (ls_matcher_new(&m_whole, rs, &whole) < 0 || ls_scratch_new(&s_whole, m_whole) < 0) {
		fprintf(stderr, "fuzz_search: cannot build the matcher: %s\n", ls_error_last());
		exit(1);
	}
	return 0;
}

static void check(const ls_findings *fs, size_t size)
{
	for (size_t i = 0; i < fs->n; i++) {
		const ls_finding *f = &fs->items[i];
		/* line_text may hold NUL bytes of the input: no strlen() on it */
		if (!f->rule || f->offset > size || f->secret_len > size - f->offset || f->line < 1 || f->column < 1 ||
		    f->end_line < f->line || !f->secret) {
			fprintf(stderr, "fuzz_search: inconsistent finding: rule %s offset %zu len %zu line %zu:%zu\n",
			        f->rule ? f->rule->id : "?", f->offset, f->secret_len, f->line, f->column);
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ls_search_options so = LS_SEARCH_OPTIONS_INIT;
	ls_findings fs = LS_FINDINGS_INIT;
	const char *buf = (const char *)data;
	if (ls_search_buffer(m_default, s_default, &so, buf, size, LS_ORIGIN_TEXT, "fuzz/input.txt", &fs) == 0)
		check(&fs, size);
	ls_findings_dispose(&fs);
	so.inline_allow = 0;
	int e1 = ls_search_buffer(m_small, s_small, &so, buf, size, LS_ORIGIN_TEXT, "fuzz/input.txt", &fs);
	if (e1 == 0)
		check(&fs, size);
	ls_findings ws = LS_FINDINGS_INIT;
	int e2 = ls_search_buffer(m_whole, s_whole, &so, buf, size, LS_ORIGIN_TEXT, "fuzz/input.txt", &ws);
	if (e1 == 0 && e2 == 0 && !ls_scratch_limit_rule(s_small) && !ls_scratch_limit_rule(s_whole)) {
		int same = fs.n == ws.n;
		for (size_t i = 0; same && i < fs.n; i++)
			same = fs.items[i].rule == ws.items[i].rule && fs.items[i].offset == ws.items[i].offset &&
			       fs.items[i].secret_len == ws.items[i].secret_len;
		if (!same) {
			fprintf(stderr, "fuzz_search: %zu findings in chunks, %zu in one chunk\n", fs.n, ws.n);
			for (size_t i = 0; i < fs.n; i++)
				fprintf(stderr, "  chunked: %s at %zu (%zu bytes)\n", fs.items[i].rule->id, fs.items[i].offset,
				        fs.items[i].secret_len);
			for (size_t i = 0; i < ws.n; i++)
				fprintf(stderr, "  whole:   %s at %zu (%zu bytes)\n", ws.items[i].rule->id, ws.items[i].offset,
				        ws.items[i].secret_len);
			abort();
		}
	}
	ls_findings_dispose(&ws);
	ls_findings_dispose(&fs);
	ls_error_clear();
	return 0;
}
