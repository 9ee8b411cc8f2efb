/* Unit tests of the matcher and the search stage on top of it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "testutil.h"
#include "hsexpr.h"
#include "matcher.h"
#include "search.h"

static const char *RULES =
    "rules:\n"
    "  - id: key\n"
    "    name: Key\n"
    "    pattern: '\\b(AKIA[A-Z2-7]{16})\\b'\n"
    "    severity: critical\n"
    "    description: d\n"
    "    examples: [AKIAQYLPMN5HFIQR7BTW]\n"
    "  - id: tok\n"
    "    name: Tok\n"
    "    pattern: 'tok_([a-z0-9]{24})'\n"
    "    severity: high\n"
    "    description: d\n"
    "    examples: [tok_mptlatjiaac5zrg12gn2x2ai]\n"
    "  - id: run\n"
    "    name: Run\n"
    "    pattern: 'zz[a-y]{10,}'\n"
    "    severity: low\n"
    "    description: d\n"
    "    examples: [zzabcdefghijk]\n"
    "  - id: ent\n"
    "    name: Ent\n"
    "    pattern: 'ent=([A-Za-z0-9]{16})'\n"
    "    severity: low\n"
    "    min_entropy: 3.5\n"
    "    description: d\n"
    "    examples: [ent=Q7fK2pLm9XzR4tVb]\n";

typedef struct {
	ls_ruleset *rs;
	ls_matcher *m;
	ls_scratch *s;
} fixture;

static fixture *make(size_t chunk)
{
	fixture *f = calloc(1, sizeof(*f));
	ls_ruleset_new(&f->rs);
	assert_int_equal(ls_ruleset_load_string(f->rs, "m.yaml", RULES, strlen(RULES)), 0);
	ls_matcher_options o = LS_MATCHER_OPTIONS_INIT;
	o.chunk_size = chunk;
	o.max_window = 512;
	assert_int_equal(ls_matcher_new(&f->m, f->rs, &o), 0);
	assert_int_equal(ls_scratch_new(&f->s, f->m), 0);
	return f;
}

static void drop(fixture *f)
{
	ls_scratch_free(f->s);
	ls_matcher_free(f->m);
	ls_ruleset_free(f->rs);
	free(f);
}

static void search(fixture *f, const char *buf, size_t len, ls_findings *out)
{
	assert_int_equal(ls_search_buffer(f->m, f->s, NULL, buf, len, LS_ORIGIN_TEXT, "p", out), 0);
}

static void test_matcher_capture_extraction(void **state)
{
	fixture *f = make(64 << 20);
	const char *text = "x\n  id tok_mptlatjiaac5zrg12gn2x2ai;\n";
	ls_findings fs = LS_FINDINGS_INIT;
	search(f, text, strlen(text), &fs);
	assert_int_equal(fs.n, 1);
	assert_string_equal(fs.items[0].secret, "mptlatjiaac5zrg12gn2x2ai");
	assert_string_equal(fs.items[0].match, "tok_mptlatjiaac5zrg12gn2x2ai");
	assert_int_equal(fs.items[0].line, 2);
	assert_int_equal(fs.items[0].column, 10);
	assert_int_equal(fs.items[0].end_column, 33);
	ls_findings_dispose(&fs);
	drop(f);
}

static void test_matcher_columns_count_characters(void **state)
{
	fixture *f = make(64 << 20);
	const char *text = "\xc3\xa9\xc3\xa9 AKIAQYLPMN5HFIQR7BTW";
	ls_findings fs = LS_FINDINGS_INIT;
	search(f, text, strlen(text), &fs);
	assert_int_equal(fs.n, 1);
	assert_int_equal(fs.items[0].column, 4);
	ls_findings_dispose(&fs);
	drop(f);
}

static void test_matcher_word_boundary_respected(void **state)
{
	fixture *f = make(64 << 20);
	const char *text = "XAKIAQYLPMN5HFIQR7BTW AKIAQYLPMN5HFIQR7BTWZ";
	ls_findings fs = LS_FINDINGS_INIT;
	search(f, text, strlen(text), &fs);
	assert_int_equal(fs.n, 0);
	ls_findings_dispose(&fs);
	drop(f);
}

static void test_matcher_overlapping_matches_reported_once(void **state)
{
	fixture *f = make(64 << 20);
	/* Hyperscan reports an end at every letter after the 10th; one finding results */
	const char *text = "..zzabcdefghijklmnopqrstuvwxy..";
	ls_findings fs = LS_FINDINGS_INIT;
	search(f, text, strlen(text), &fs);
	assert_int_equal(fs.n, 1);
	assert_string_equal(fs.items[0].secret, "zzabcdefghijklmnopqrstuvwxy");
	ls_findings_dispose(&fs);
	drop(f);
}

static void test_matcher_entropy_threshold(void **state)
{
	fixture *f = make(64 << 20);
	const char *text = "ent=Q7fK2pLm9XzR4tVb\nent=aaaaaaaabbbbbbbb\n";
	ls_findings fs = LS_FINDINGS_INIT;
	search(f, text, strlen(text), &fs);
	assert_int_equal(fs.n, 1);
	assert_int_equal(fs.items[0].line, 1);
	assert_true(fs.items[0].entropy >= 3.5);
	ls_findings_dispose(&fs);
	drop(f);
}

static void test_matcher_entropy_values(void **state)
{
	assert_true(ls_entropy("", 0) == 0.0);
	assert_true(ls_entropy("aaaa", 4) == 0.0);
	double e = ls_entropy("abcd", 4);
	assert_true(e > 1.999 && e < 2.001);
}

/* A secret straddling every position around a chunk boundary is found exactly once. */
static void test_matcher_chunk_boundary(void **state)
{
	const size_t chunk = 4096;
	fixture *f = make(chunk);
	const char *key = "AKIAQYLPMN5HFIQR7BTW";
	size_t len = 3 * chunk;
	char *buf = malloc(len);
	for (size_t shift = 0; shift < 40; shift++) {
		memset(buf, '.', len);
		for (size_t i = 0; i < len; i += 64)
			buf[i] = '\n';
		/* chunks overlap, so try positions around where the first chunk ends */
		size_t pos = chunk - 30 + shift;
		memcpy(buf + pos, key, 20);
		buf[pos - 1] = ' ';
		buf[pos + 20] = ' ';
		ls_findings fs = LS_FINDINGS_INIT;
		search(f, buf, len, &fs);
		if (fs.n != 1)
			fail_msg("shift %zu: %zu findings", shift, fs.n);
		assert_int_equal(fs.items[0].offset, pos);
		ls_findings_dispose(&fs);
	}
	/* the very end of a large buffer */
	memset(buf, 'x', len);
	memcpy(buf + len - 20, key, 20);
	buf[len - 21] = ' ';
	ls_findings fs = LS_FINDINGS_INIT;
	search(f, buf, len, &fs);
	assert_int_equal(fs.n, 1);
	assert_int_equal(fs.items[0].offset, len - 20);
	assert_int_equal(fs.items[0].line, 1);
	ls_findings_dispose(&fs);
	free(buf);
	drop(f);
}

/* A word character just across a chunk boundary must still defeat \b. */
static void test_matcher_chunk_boundary_context(void **state)
{
	const size_t chunk = 4096;
	fixture *f = make(chunk);
	size_t len = 3 * chunk;
	char *buf = malloc(len);
	for (size_t shift = 0; shift < 200; shift += 7) {
		memset(buf, 'Q', len);
		memcpy(buf + chunk - 100 + shift, "AKIAQYLPMN5HFIQR7BTW", 20);
		ls_findings fs = LS_FINDINGS_INIT;
		search(f, buf, len, &fs);
		assert_int_equal(fs.n, 0);
		ls_findings_dispose(&fs);
	}
	free(buf);
	drop(f);
}

static void test_matcher_many_findings_sorted(void **state)
{
	fixture *f = make(4096);
	ls_buf b = LS_BUF_INIT;
	for (int i = 0; i < 500; i++)
		ls_buf_printf(&b, "line %d tok_mptlatjiaac5zrg12gn2x2ai AKIAQYLPMN5HFIQR7BTW\n", i);
	ls_findings fs = LS_FINDINGS_INIT;
	search(f, b.ptr, b.len, &fs);
	assert_int_equal(fs.n, 1000);
	for (size_t i = 0; i < fs.n; i++) {
		assert_int_equal(fs.items[i].line, i / 2 + 1);
		if (i)
			assert_true(fs.items[i].offset > fs.items[i - 1].offset);
	}
	ls_findings_dispose(&fs);
	ls_buf_dispose(&b);
	drop(f);
}

static void test_matcher_rejected_pattern_names_rule(void **state)
{
	const char *y = "rules:\n  - id: look\n    name: L\n    pattern: 'foo(?=bar)'\n    severity: low\n"
	                "    description: d\n    examples: [foobar]\n";
	ls_ruleset *rs;
	ls_matcher *m = NULL;
	ls_ruleset_new(&rs);
	assert_int_equal(ls_ruleset_load_string(rs, "h.yaml", y, strlen(y)), 0);
	assert_true(ls_matcher_new(&m, rs, NULL) < 0);
	assert_non_null(strstr(ls_error_last(), "h.yaml:4: rule 'look': pattern rejected by Hyperscan"));
	ls_ruleset_free(rs);
}

static void test_matcher_placeholders(void **state)
{
	assert_true(ls_search_is_placeholder("${DB_PASSWORD}", 14));
	assert_true(ls_search_is_placeholder("{{ vault_pw }}", 14));
	assert_true(ls_search_is_placeholder("<your-key>", 10));
	assert_true(ls_search_is_placeholder("AKIAXXXXXXXXXXXXXXXX", 20));
	assert_true(ls_search_is_placeholder("changeme", 8));
	assert_false(ls_search_is_placeholder("Zq8#mW2!pLx9", 12));
	/* published examples are placeholders; the same shape with other characters is not */
	assert_true(ls_search_is_placeholder("2YotnFZFEjr1zCsicMWpAA", 22));
	assert_true(ls_search_is_placeholder("czZCaGRSa3F0MzpnWDFmQmF0M2JW", 28));
	assert_false(ls_search_is_placeholder("2YotnFZFEjr1zCsicMWpAB", 22));
	assert_false(ls_search_is_placeholder("2YotnFZFEjr1zCsicMWpA", 21));
}

/* Searches `text` with the rules in `yaml`; returns the number of findings. */
static size_t search_at(const char *yaml, const char *text, const char *path, const char *cache_dir,
                        ls_findings *out)
{
	ls_ruleset *rs;
	ls_matcher *m = NULL;
	ls_scratch *s = NULL;
	ls_ruleset_new(&rs);
	assert_int_equal(ls_ruleset_load_string(rs, "c.yaml", yaml, strlen(yaml)), 0);
	ls_matcher_options o = LS_MATCHER_OPTIONS_INIT;
	o.cache_dir = cache_dir;
	assert_int_equal(ls_matcher_new(&m, rs, &o), 0);
	assert_int_equal(ls_scratch_new(&s, m), 0);
	ls_findings fs = LS_FINDINGS_INIT;
	assert_int_equal(ls_search_buffer(m, s, NULL, text, strlen(text), LS_ORIGIN_TEXT, path, &fs), 0);
	size_t n = fs.n;
	if (out) {
		*out = fs;
		/* the rules must outlive the findings' rule pointers: leak-free by copying ids */
		for (size_t i = 0; i < fs.n; i++)
			out->items[i].rule = NULL;
	} else {
		ls_findings_dispose(&fs);
	}
	ls_scratch_free(s);
	ls_matcher_free(m);
	ls_ruleset_free(rs);
	return n;
}

static size_t search_cached(const char *yaml, const char *text, const char *cache_dir, ls_findings *out)
{
	return search_at(yaml, text, "p", cache_dir, out);
}

static size_t search_with(const char *yaml, const char *text, ls_findings *out)
{
	return search_at(yaml, text, "p", NULL, out);
}

#define ONE_RULE(pat) \
	"rules:\n  - id: r\n    name: R\n    pattern: '" pat "'\n    severity: low\n    description: d\n    examples: [x]\n"

/*
 * Hyperscan is given only a prefix of a pattern that has a long repeat; the prefix must
 * never lose a match: not past an alternative or a quantified group, and the whole match
 * (not the prefix) is what is reported. (Lookarounds are rejected by Hyperscan anyway.)
 */
static void test_matcher_cut_patterns_keep_every_match(void **state)
{
	assert_int_equal(search_with(ONE_RULE("(?:foooo[a-z]{10,100}x|barbazqux)"), "a barbazqux b", NULL), 1);
	assert_int_equal(search_with(ONE_RULE("(?:foooo[a-z]{10,100}x|barbazqux)"), "a fooooabcdefghijkx b", NULL), 1);
	assert_int_equal(search_with(ONE_RULE("foooo[a-z]{10,100}x|barbazqux"), "a barbazqux b", NULL), 1);
	assert_int_equal(search_with(ONE_RULE("(?:kkkkk[a-z]{10,100})?ZZend"), "a ZZend b", NULL), 1);
	assert_int_equal(search_with(ONE_RULE("(?:kkkkk([a-z]{10,100})){0,1}ZZend"), "a ZZend b", NULL), 1);
	/* the suffix after the cut still decides */
	assert_int_equal(search_with(ONE_RULE("val=([A-Za-z0-9]{10,200});"), "val=abcdefghijklmnop,", NULL), 0);
	char text[400];
	memset(text, 0, sizeof(text));
	strcpy(text, "x val=");
	for (int i = 0; i < 150; i++)
		text[6 + i] = "abcdefghijklmnopqrstuvwxyz0123456789"[(i * 7) % 36];
	strcat(text, "; y");
	ls_findings fs = LS_FINDINGS_INIT;
	assert_int_equal(search_with(ONE_RULE("val=([A-Za-z0-9]{10,200});"), text, &fs), 1);
	assert_int_equal(fs.items[0].secret_len, 150);
	assert_int_equal(fs.items[0].match_len, 155);
	ls_findings_dispose(&fs);
}

/* The pieces a split leading alternation becomes, and what cannot be split. */
static void test_matcher_split_alternatives(void **state)
{
	static const struct {
		const char *expr;
		int per;
		int n;
		const char *pieces[4];
	} cases[] = {
	    {"(?i)(?:ab|c[|)]d|(?:e|f)g|h\\|i|j)=x", 2, 3, {"(?i)(?:ab|c[|)]d)=x", "(?i)(?:(?:e|f)g|h\\|i)=x", "(?i)(?:j)=x"}},
	    {"\\b(?:aa|bb|cc)[0-9]{8}", 1, 3, {"\\b(?:aa)[0-9]{8}", "\\b(?:bb)[0-9]{8}", "\\b(?:cc)[0-9]{8}"}},
	    {"(?:aa|bb)z", 2, 1, {"(?:aa|bb)z"}},
	    {"(?:aa|bb)", 1, 2, {"(?:aa)", "(?:bb)"}},
	    {"x(?:aa|bb)", 1, -1, {NULL}},
	    {"(?:aa|bb)+z", 1, -1, {NULL}},
	    {"(?:aa|bb){2}z", 1, -1, {NULL}},
	    {"(aa|bb)z", 1, -1, {NULL}},
	    {"(?:aa|bb", 1, -1, {NULL}},
	    {"(?x)(?:aa|bb # a|b\n)z", 1, -1, {NULL}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ls_strlist out = {0};
		int n = ls_hsexpr_split(cases[i].expr, cases[i].per, &out);
		if (n != cases[i].n)
			fail_msg("case %zu: %d pieces, want %d", i, n, cases[i].n);
		assert_int_equal(out.n, n < 0 ? 0 : (size_t)n);
		for (size_t k = 0; k < out.n; k++)
			assert_string_equal(out.items[k], cases[i].pieces[k]);
		ls_strlist_dispose(&out);
	}
}

#define SPLIT_RULE(split) \
	"rules:\n  - id: r\n    name: R\n    pattern: '(?i)(?:secret|api[_.-]?key|auth[_.-]?key|master[_.-]?key)[ \\t]{0,9}=[ \\t]{0,9}([A-Za-z0-9]{12,40})'\n" \
	"    severity: low\n    description: d\n    examples: [x]\n" split

/* A rule split for Hyperscan finds exactly what it finds whole, cached or not. */
static void test_matcher_split_rule_same_findings(void **state)
{
	const char *text = "a SECRET = Qm9vYmFyQmF6Cg\nb api-key=Zm9vYmFyYmF6cXV4\nc master_key = dGhlIHF1aWNrIGJyb3du\n"
	                   "d authkey=short\ne Auth.Key =c2VjcmV0c2VjcmV0c2Vj\n";
	char dir[] = "/tmp/ls-cache-XXXXXX";
	assert_non_null(mkdtemp(dir));
	ls_findings whole = LS_FINDINGS_INIT;
	assert_int_equal(search_with(SPLIT_RULE(""), text, &whole), 4);
	for (int per = 1; per <= 4; per++) {
		char yaml[512];
		snprintf(yaml, sizeof(yaml), SPLIT_RULE("    split_alternatives: %d\n"), per);
		for (int round = 0; round < 2; round++) { /* compiled, then from the cache */
			ls_findings fs = LS_FINDINGS_INIT;
			assert_int_equal(search_cached(yaml, text, dir, &fs), whole.n);
			for (size_t i = 0; i < fs.n; i++) {
				assert_string_equal(fs.items[i].secret, whole.items[i].secret);
				assert_int_equal(fs.items[i].offset, whole.items[i].offset);
				assert_string_equal(fs.items[i].match, whole.items[i].match);
			}
			ls_findings_dispose(&fs);
		}
	}
	assert_int_equal(count_hs_cache_files(dir), 4); /* the split is part of the cache key */
	ls_findings_dispose(&whole);
	assert_int_equal(remove_tree(dir), 0);
}

static const char *CONTEXT_RULES =
    "rules:\n"
    "  - id: ctx\n"
    "    context: true\n"
    "    name: Ctx\n"
    "    pattern: 'BEGIN-CTX'\n"
    "    severity: low\n"
    "    description: d\n"
    "    examples: [BEGIN-CTX]\n"
    "  - id: val\n"
    "    name: Val\n"
    "    pattern: 'val=([a-z0-9]{12})'\n"
    "    severity: high\n"
    "    pair_with: ctx\n"
    "    pair_lines: 2\n"
    "    description: d\n"
    "    examples: ['BEGIN-CTX val=abcdef123456']\n";

/* A context rule is never reported; its `pair_with` rules are reported only near it. */
static void test_matcher_context_rule(void **state)
{
	ls_findings fs = LS_FINDINGS_INIT;
	assert_int_equal(search_with(CONTEXT_RULES, "BEGIN-CTX\n\nval=abcdef123456\n", &fs), 1);
	assert_string_equal(fs.items[0].secret, "abcdef123456");
	assert_null(fs.items[0].pair_rule); /* the context is not named as a pair */
	ls_findings_dispose(&fs);
	assert_int_equal(search_with(CONTEXT_RULES, "val=abcdef123456\nBEGIN-CTX\n", NULL), 1);
	assert_int_equal(search_with(CONTEXT_RULES, "BEGIN-CTX\n\n\n\nval=abcdef123456\n", NULL), 0);
	assert_int_equal(search_with(CONTEXT_RULES, "BEGIN-CTX only\n", NULL), 0);
	assert_int_equal(search_with(CONTEXT_RULES, "val=abcdef123456\n", NULL), 0);
	/* a context rule cannot decode or pair itself */
	ls_ruleset *rs;
	ls_ruleset_new(&rs);
	const char *bad = "rules:\n  - id: c\n    context: true\n    decode: base64\n    name: C\n    pattern: 'x'\n"
	                  "    severity: low\n    description: d\n    examples: [x]\n";
	assert_int_not_equal(ls_ruleset_load_string(rs, "bad.yaml", bad, strlen(bad)), 0);
	assert_non_null(strstr(ls_error_last(), "bad.yaml:2: rule 'c': a context rule cannot also have decode or pair_with"));
	ls_ruleset_free(rs);
}

/* The compiled database is cached on disk, reused, and silently rebuilt when corrupt. */
static void test_matcher_cache_roundtrip(void **state)
{
	char dir[] = "/tmp/ls-cache-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char sub[64];
	snprintf(sub, sizeof(sub), "%s/a/b", dir); /* parents are created */
	const char *text = "AKIAQYLPMN5HFIQR7BTW tok_mptlatjiaac5zrg12gn2x2ai zzabcdefghijk";
	for (int round = 0; round < 3; round++) {
		ls_ruleset *rs;
		ls_matcher *m = NULL;
		ls_scratch *s = NULL;
		ls_ruleset_new(&rs);
		assert_int_equal(ls_ruleset_load_string(rs, "m.yaml", RULES, strlen(RULES)), 0);
		ls_matcher_options o = LS_MATCHER_OPTIONS_INIT;
		o.cache_dir = sub;
		assert_int_equal(ls_matcher_new(&m, rs, &o), 0);
		assert_int_equal(ls_scratch_new(&s, m), 0);
		ls_findings fs = LS_FINDINGS_INIT;
		assert_int_equal(ls_search_buffer(m, s, NULL, text, strlen(text), LS_ORIGIN_TEXT, "p", &fs), 0);
		assert_int_equal(fs.n, 3);
		ls_findings_dispose(&fs);
		ls_scratch_free(s);
		ls_matcher_free(m);
		ls_ruleset_free(rs);
		assert_int_equal(count_hs_cache_files(sub), 1);
		if (round == 1) { /* corrupt the entry: the next round must recompile and rewrite */
			char cmd[300];
			snprintf(cmd, sizeof(cmd), "for f in '%s'/hs-*.db; do head -c 100 /dev/urandom > \"$f\"; done", sub);
			assert_int_equal(system(cmd), 0);
		}
	}
	assert_int_equal(remove_tree(dir), 0);
}

/* Whether a rule waits for a partner changes the database, so it is part of the cache key. */
static void test_matcher_cache_key_pairing(void **state)
{
	char dir[] = "/tmp/ls-cache-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *unpaired = ls_xstrdup(CONTEXT_RULES);
	char *cut = strstr(unpaired, "    pair_with: ctx\n");
	memmove(cut, cut + strlen("    pair_with: ctx\n    pair_lines: 2\n"),
	        strlen(cut + strlen("    pair_with: ctx\n    pair_lines: 2\n")) + 1);
	for (int round = 0; round < 2; round++) { /* the second round reads both from the cache */
		assert_int_equal(search_cached(CONTEXT_RULES, "val=abcdef123456\n", dir, NULL), 0);
		assert_int_equal(search_cached(CONTEXT_RULES, "BEGIN-CTX\nval=abcdef123456\n", dir, NULL), 1);
		assert_int_equal(search_cached(unpaired, "val=abcdef123456\n", dir, NULL), 1);
		assert_int_equal(count_hs_cache_files(dir), 2);
	}
	free(unpaired);
	assert_int_equal(remove_tree(dir), 0);
}

static const char *CODE_RULES =
    "rules:\n"
    "  - id: pw\n"
    "    name: Pw\n"
    "    pattern: '(?i)(?:password|token)[ \\t]{0,9}[=:][ \\t]{0,9}[\"'']?([A-Za-z0-9]{8,40})'\n"
    "    severity: high\n"
    "    quoted_in_code: true\n"
    "    allow_match: ['(?i)nexttoken']\n"
    "    description: d\n"
    "    examples: [x]\n";

/* quoted_in_code: in a source file only a quoted value counts; allow_match sees the whole word. */
static void test_matcher_quoted_in_code_and_allow_match(void **state)
{
	assert_int_equal(search_at(CODE_RULES, "password = Utf8String\n", "a.pas", NULL, NULL), 0);
	assert_int_equal(search_at(CODE_RULES, "password = 'Utf8String'\n", "a.pas", NULL, NULL), 1);
	assert_int_equal(search_at(CODE_RULES, "password = Utf8String\n", "deploy/.env", NULL, NULL), 1);
	assert_int_equal(search_at(CODE_RULES, "password = Utf8String\n", "Makefile", NULL, NULL), 1);
	assert_int_equal(search_at(CODE_RULES, "PASSWORD: \"Utf8String\"\n", "src/App.PY", NULL, NULL), 1);
	assert_int_equal(search_at(CODE_RULES, "NextToken: Utf8String\n", "page.yaml", NULL, NULL), 0);
	assert_int_equal(search_at(CODE_RULES, "token: Utf8String\n", "page.yaml", NULL, NULL), 1);
	assert_true(ls_path_is_code("x/y.c") && ls_path_is_code("Main.JAVA") && ls_path_is_code("a.b/c.go"));
	assert_false(ls_path_is_code("a.py/config") || ls_path_is_code("x.yaml") || ls_path_is_code("run.sh") ||
	             ls_path_is_code("Dockerfile") || ls_path_is_code("x.") || ls_path_is_code(NULL));
}

/* Where example values live (issue 20): a generic rule's value only there is low confidence. */
static void test_path_is_example(void **state)
{
	const char *yes[] = {"tests/x.env", "a/Test/b.yml", "spec/fixtures/k.json", "pkg/testdata/c.ini",
	                     "src/__tests__/a.js", "docs/setup.txt", "README.md", "guide/install.rst",
	                     "app/test_settings.py", "db/conn_test.go", "web/login.spec.ts", "web/a.test.js",
	                     "src/main/java/DbTest.java", "lib/x_spec.rb", ".env.example", "config.sample.yml",
	                     "config.php.dist", "docs/curl.1", "examples/main.go", "e2e/login.cy.js"};
	const char *no[] = {"src/settings.env", "latest/config.yml", "contest.py", "src/attestation.py",
	                    "deploy/.env", "<commit message>", "protests/a.env", "Testimony.txt", "manifest.json",
	                    "", "src/testing_utils_prod.env"};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!ls_path_is_example(yes[i]))
			fail_msg("'%s' should be an example place", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (ls_path_is_example(no[i]))
			fail_msg("'%s' should not be an example place", no[i]);
	assert_false(ls_path_is_example(NULL));
}

/* Each of `values` is judged `want` (1: made up or fake) by `judge`. */
static void expect_judged(int (*judge)(const char *, size_t), const char *const *values, size_t n, int want,
                          const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (!judge(values[i], strlen(values[i])) != !want)
			fail_msg("'%s' should %s", values[i], what);
}

/* Values a person wrote or a program names, against generated ones (issue 20). */
static void test_looks_made_up(void **state)
{
	const char *made[] = {"SuperSecretPassw0rd", "YourPwdShouldBeLongAndSecure!", "thisISverySECRET123",
	                      "MySuperStrongPassword!", "kjfhueyt9485osdfasd", "DB_PASSWORD_VALUE", "config.db.password",
	                      "settings.DB_PASSWORD", "foo/restricted-users", "@/etc/passwd", "machine%HOSTIP%",
	                      "qwertyuiop", "1qaz2wsx3edc", "abcdefgh", "aaaabbbb", "6d792d7365637265742d6b6579",
	                      "p4ssw0rd_for_the_database", "correcthorsebatterystaple", "prometheus-config"};
	const char *random[] = {"Xk9#mQ2vLp8sZr4t", "aB3dE5gH7jK9mN1p", "Xk7jkUeN.jEWeFHKys", "q8w2e9r4t7y1u3i5",
	                        "9f86d081884c7d659a2feaa0c55ad015", "tr7_jNqC%QOFfonF", "wJalrXUtnFEMI/K7MDENG/bPxRfiCY",
	                        "s2Tf@rLMy", "Zq8#mW2!pLx9", "hJ4kL9pQ2wE7rT5y", "xq-7kfp-2mzw"};
	expect_judged(ls_search_looks_made_up, made, sizeof(made) / sizeof(made[0]), 1, "look made up");
	expect_judged(ls_search_looks_made_up, random, sizeof(random) / sizeof(random[0]), 0, "look generated");
}

/* Provider- or key-shaped dummies: typed sequences, EXAMPLE, a PEM key body that is not DER */
static void test_looks_fake(void **state)
{
	(void)state;
	const char *fake[] = {
	    "tok-abc123xyz-klmnopqrstuvwx", "AIzaSyabcdefghijklmnopqrstuvwxyz1234567", "AKIAIO5FODNN7DXAMPLE",
	    "AKIAIO5FODNN7EXAMPL2", "key_0123456789",
	    "-----BEGIN PRIVATE KEY-----\n135f/bRUBHrbHqLY/xS3I7Oth+8rgG\n-----END PRIVATE KEY-----",
	    "-----BEGIN PRIVATE KEY-----\\n435f/bRUBHrbHqLY/xS3I7Oth+8rgG\\n-----END PRIVATE KEY-----",
	    "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAAB3NzaC1yc2EAAAADAQABAAABAQ\n-----END OPENSSH PRIVATE KEY-----"};
	const char *real[] = {
	    "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", "AKIAZUR7HXHAV3OOEFJ2",
	    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----",
	    "-----BEGIN RSA PRIVATE KEY-----\\n\" +\n  \"MIICWgIBAAKBgFIckgeuo80H6sk\\n-----END RSA PRIVATE KEY-----",
	    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n-----END OPENSSH PRIVATE KEY-----",
	    "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nq9Zt\n-----END RSA PRIVATE KEY-----",
	    "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQWGBGSVV4YBDAC\n-----END PGP PRIVATE KEY BLOCK-----"};
	expect_judged(ls_search_looks_fake, fake, sizeof(fake) / sizeof(fake[0]), 1, "look fake");
	expect_judged(ls_search_looks_fake, real, sizeof(real) / sizeof(real[0]), 0, "look real");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_matcher_capture_extraction),
	    cmocka_unit_test(test_matcher_columns_count_characters),
	    cmocka_unit_test(test_matcher_word_boundary_respected),
	    cmocka_unit_test(test_matcher_overlapping_matches_reported_once),
	    cmocka_unit_test(test_matcher_entropy_threshold),
	    cmocka_unit_test(test_matcher_entropy_values),
	    cmocka_unit_test(test_matcher_chunk_boundary),
	    cmocka_unit_test(test_matcher_chunk_boundary_context),
	    cmocka_unit_test(test_matcher_many_findings_sorted),
	    cmocka_unit_test(test_matcher_rejected_pattern_names_rule),
	    cmocka_unit_test(test_matcher_placeholders),
	    cmocka_unit_test(test_matcher_cache_roundtrip),
	    cmocka_unit_test(test_matcher_cache_key_pairing),
	    cmocka_unit_test(test_matcher_quoted_in_code_and_allow_match),
	    cmocka_unit_test(test_path_is_example),
	    cmocka_unit_test(test_looks_made_up),
	    cmocka_unit_test(test_looks_fake),
	    cmocka_unit_test(test_matcher_cut_patterns_keep_every_match),
	    cmocka_unit_test(test_matcher_context_rule),
	    cmocka_unit_test(test_matcher_split_alternatives),
	    cmocka_unit_test(test_matcher_split_rule_same_findings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
