/* Unit tests of allowlists, globs, the ignore file, baselines and the configuration loader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allow.h"
#include "common.h"
#include "config.h"
#include "fpkey.h"
#include "rules.h"

static ls_rule rule_a = {.id = (char *)"rule-a", .name = (char *)"A"};
static ls_rule rule_b = {.id = (char *)"rule-b", .name = (char *)"B"};

/* A finding with borrowed strings (never disposed). */
static ls_finding finding(const ls_rule *r, const char *path, const char *secret, const char *line)
{
	ls_finding f;
	memset(&f, 0, sizeof(f));
	f.rule = r;
	f.path = (char *)path;
	f.secret = (char *)secret;
	f.secret_len = strlen(secret);
	f.match = (char *)secret;
	f.match_len = f.secret_len;
	f.line_text = (char *)(line ? line : secret);
	ls_fpkey_hash_hex(f.secret_hash, secret, f.secret_len);
	ls_sha256_hex(f.legacy_hash, secret, f.secret_len);
	ls_finding_fingerprint(&f);
	return f;
}

static void test_glob_match_gitignore_style(void **state)
{
	static const struct {
		const char *pat, *path;
		int is_dir, want;
	} cases[] = {
	    {"*.lock", "yarn.lock", 0, 1},
	    {"*.lock", "a/b/deps.lock", 0, 1},
	    {"*.lock", "a/lock", 0, 0},
	    {"tests/fixtures/**", "tests/fixtures/a.txt", 0, 1},
	    {"tests/fixtures/**", "tests/fixtures/deep/b/c.txt", 0, 1},
	    {"tests/fixtures/**", "tests/fixtures", 1, 1},
	    {"tests/fixtures/**", "src/tests/fixtures/a.txt", 0, 0},
	    {"tests/fixtures/**", "tests/fixturesX/a.txt", 0, 0},
	    {"/build", "build/x.o", 0, 1},
	    {"/build", "src/build/x.o", 0, 0},
	    {"build/", "src/build/x.o", 0, 1},
	    {"build/", "src/build", 0, 0},
	    {"build/", "src/build", 1, 1},
	    {"vendor", "a/vendor/lib/x.go", 0, 1},
	    {"**/testdata/*.json", "testdata/a.json", 0, 1},
	    {"**/testdata/*.json", "x/y/testdata/a.json", 0, 1},
	    {"**/testdata/*.json", "x/testdata/sub/a.json", 0, 0}, /* `*.json` does not match "sub" */
	    {"docs/*.md", "docs/a.md", 0, 1},
	    {"docs/*.md", "docs/sub/a.md", 0, 0},
	    {"a/**/z", "a/z", 0, 1},
	    {"a/**/z", "a/b/c/z", 0, 1},
	    {"a/**/z", "b/a/z", 0, 0},
	    {"file?.[ch]", "src/file1.c", 0, 1},
	    {"file?.[ch]", "src/file12.c", 0, 0},
	    {"*", ".hidden", 0, 1},
	    {"x.txt", "./x.txt", 0, 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = ls_glob_match(cases[i].pat, cases[i].path, cases[i].is_dir);
		if (got != cases[i].want)
			fail_msg("glob '%s' on '%s' (dir %d): got %d", cases[i].pat, cases[i].path, cases[i].is_dir, got);
	}
}

static void test_allow_entries_any_and_all(void **state)
{
	ls_allow *a = NULL;
	assert_int_equal(ls_allow_new(&a, "/repo"), 0);
	ls_allow_set_paths_relative(a, 1);
	const char *paths[] = {"fixtures/"}, *secrets[] = {"^AKIA"}, *rules[] = {"rule-b"}, *stop[] = {"EXAMPLE"};
	ls_allow_entry all = LS_ALLOW_ENTRY_INIT;
	all.paths = paths, all.npaths = 1, all.secrets = secrets, all.nsecrets = 1, all.condition = LS_ALLOW_ALL;
	assert_int_equal(ls_allow_add(a, &all), 0);
	ls_allow_entry stopw = LS_ALLOW_ENTRY_INIT;
	stopw.rules = rules, stopw.nrules = 1, stopw.stopwords = stop, stopw.nstopwords = 1;
	assert_int_equal(ls_allow_add(a, &stopw), 0);

	ls_finding f = finding(&rule_a, "fixtures/x.txt", "AKIAQYLPMN5HFIQR7BTW", NULL);
	assert_int_equal(ls_allow_check(a, &f), 1);
	f = finding(&rule_a, "src/x.txt", "AKIAQYLPMN5HFIQR7BTW", NULL);
	assert_int_equal(ls_allow_check(a, &f), 0);
	f = finding(&rule_a, "fixtures/x.txt", "ghp_abc", NULL);
	assert_int_equal(ls_allow_check(a, &f), 0);
	/* stopwords: case-insensitive, only for rule-b */
	f = finding(&rule_b, "src/x.txt", "key-example-123", NULL);
	assert_int_equal(ls_allow_check(a, &f), 1);
	f = finding(&rule_a, "src/x.txt", "key-example-123", NULL);
	assert_int_equal(ls_allow_check(a, &f), 0);
	/* an ALL entry with a path and another kind does not prune the walk */
	assert_int_equal(ls_allow_skip_path(a, "fixtures/x.txt", 0), 0);
	ls_allow_free(a);
}

static void test_allow_commits_accounts_lines(void **state)
{
	ls_allow *a = NULL;
	ls_allow_new(&a, NULL);
	const char *commits[] = {"ABCDEF1"}, *accounts[] = {"052310077262"}, *lines[] = {"#\\s*test only"};
	ls_allow_entry e = LS_ALLOW_ENTRY_INIT;
	e.commits = commits, e.ncommits = 1, e.aws_accounts = accounts, e.naws_accounts = 1;
	e.lines = lines, e.nlines = 1;
	assert_int_equal(ls_allow_add(a, &e), 0);
	ls_finding f = finding(&rule_a, "a.txt", "s3cr3tvalue", "x = s3cr3tvalue");
	assert_int_equal(ls_allow_check(a, &f), 0);
	f.prov.commit = (char *)"abcdef1234567890abcdef1234567890abcdef12";
	assert_int_equal(ls_allow_check(a, &f), 1);
	f.prov.commit = (char *)"abcdef0234567890abcdef1234567890abcdef12";
	assert_int_equal(ls_allow_check(a, &f), 0);
	f.prov.commit = NULL;
	strcpy(f.aws_account, "052310077262");
	assert_int_equal(ls_allow_check(a, &f), 1);
	f = finding(&rule_a, "a.txt", "s3cr3tvalue", "x = s3cr3tvalue # test only");
	assert_int_equal(ls_allow_check(a, &f), 1);
	ls_allow_free(a);
}

static void test_allow_rejects_bad_entries(void **state)
{
	ls_allow *a = NULL;
	ls_allow_new(&a, NULL);
	ls_allow_entry e = LS_ALLOW_ENTRY_INIT;
	e.where = "cfg.yaml:7";
	assert_int_equal(ls_allow_add(a, &e), LS_EINVAL);
	assert_string_equal(ls_error_last(), "cfg.yaml:7: an allowlist entry needs at least one of paths, secrets, matches, lines, stopwords, commits, aws_accounts");
	const char *bad_re[] = {"a(b"};
	e.secrets = bad_re, e.nsecrets = 1;
	assert_int_equal(ls_allow_add(a, &e), LS_EINVAL);
	assert_non_null(strstr(ls_error_last(), "cfg.yaml:7: invalid secret regex 'a(b': missing closing parenthesis"));
	ls_allow_entry e2 = LS_ALLOW_ENTRY_INIT;
	const char *acct[] = {"12345"};
	e2.where = "w", e2.aws_accounts = acct, e2.naws_accounts = 1;
	assert_int_equal(ls_allow_add(a, &e2), LS_EINVAL);
	assert_string_equal(ls_error_last(), "w: aws account '12345' must be 12 digits");
	ls_allow_free(a);
}

static void test_allow_relpath_and_skips(void **state)
{
	ls_allow *a = NULL;
	ls_allow_new(&a, "/srv/repo");
	char *r = ls_allow_relpath(a, "/srv/repo/./src/../lib/a.c");
	assert_string_equal(r, "lib/a.c");
	free(r);
	r = ls_allow_relpath(a, "/srv/repository/a.c");
	assert_string_equal(r, "/srv/repository/a.c");
	free(r);
	const char *paths[] = {"generated/**"};
	ls_allow_entry e = LS_ALLOW_ENTRY_INIT;
	e.paths = paths, e.npaths = 1;
	ls_allow_add(a, &e);
	assert_int_equal(ls_allow_skip_path(a, "/srv/repo/generated", 1), 1);
	assert_int_equal(ls_allow_skip_path(a, "/srv/repo/generated/x/y.c", 0), 1);
	assert_int_equal(ls_allow_skip_path(a, "/srv/repo/src/generated.c", 0), 0);
	/* outside the base directory: no glob applies */
	assert_int_equal(ls_allow_skip_path(a, "/srv/other/generated/x.c", 0), 0);
	/* default skips, by name, directory and extension */
	assert_int_equal(ls_allow_skip_path(a, "/x/package-lock.json", 0), 1);
	assert_int_equal(ls_allow_skip_path(a, "/x/node_modules", 1), 1);
	assert_int_equal(ls_allow_skip_path(a, "/x/node_modules", 0), 0);
	assert_int_equal(ls_allow_skip_path(a, "/x/app.min.js", 0), 1);
	assert_int_equal(ls_allow_skip_path(a, "/x/logo.PNG", 0), 1);
	assert_int_equal(ls_allow_skip_path(a, "/x/app.js", 0), 0);
	assert_int_equal(ls_allow_skip_path(a, "/x/.env", 0), 0);
	ls_allow_set_default_skips(a, 0);
	assert_int_equal(ls_allow_skip_path(a, "/x/package-lock.json", 0), 0);
	ls_allow_free(a);
}

static void test_allow_ignore_file(void **state)
{
	ls_finding f = finding(&rule_a, "./src/a.txt", "hunter2hunter2", NULL);
	ls_finding g = finding(&rule_b, "src/a.txt", "hunter2hunter2", NULL);
	char text[256];
	snprintf(text, sizeof(text), "# reviewed\n\n  %s   # synthetic\n", f.fingerprint);
	ls_allow *a = NULL;
	ls_allow_new(&a, NULL);
	ls_allow_load_ignore_buffer(a, text, strlen(text));
	/* HMAC-SHA-256 under the test key (main), not SHA-256 ("76880d60191af3b3") */
	assert_string_equal(f.fingerprint, "src/a.txt:rule-a:13c5e02ceb66d815");
	assert_int_equal(ls_allow_check(a, &f), 1);
	assert_int_equal(ls_allow_check(a, &g), 0);
	ls_allow_free(a);
}

/* A .leakscanignore written before keyed hashes (issue 18, item 9) is still honoured. */
static void test_allow_ignore_file_legacy_fingerprint(void **state)
{
	ls_finding f = finding(&rule_a, "./src/a.txt", "hunter2hunter2", NULL);
	ls_finding g = finding(&rule_a, "./src/a.txt", "hunter3hunter3", NULL);
	const char *text = "src/a.txt:rule-a:76880d60191af3b3\n"; /* sha256("hunter2hunter2")[:16] */
	ls_allow *a = NULL;
	ls_allow_new(&a, NULL);
	ls_allow_load_ignore_buffer(a, text, strlen(text));
	assert_int_equal(ls_allow_check(a, &f), 1);
	assert_int_equal(ls_allow_check(a, &g), 0);
	/* a finding that knows no plain hash (from a datastore) matches keyed fingerprints only */
	f.legacy_hash[0] = '\0';
	assert_int_equal(ls_allow_check(a, &f), 0);
	ls_allow_free(a);
}

/* `b` written by ls_baseline_write and loaded back. */
static ls_baseline *baseline_roundtrip(const ls_baseline *b)
{
	char path[] = "/tmp/leakscan-baseline-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *fp = fdopen(fd, "w");
	assert_int_equal(ls_baseline_write(b, fp, "9.9"), 0);
	fclose(fp);
	ls_baseline *c = NULL;
	assert_int_equal(ls_baseline_load(&c, path), 0);
	unlink(path);
	return c;
}

static void test_baseline_round_trip(void **state)
{
	ls_baseline *b = NULL;
	ls_baseline_new(&b);
	char h1[65], h2[65];
	ls_sha256_hex(h1, "one", 3);
	ls_sha256_hex(h2, "two", 3);
	assert_int_equal(ls_baseline_add(b, "rule-b", "z.txt", h1, "z.txt:rule-b:x", NULL), 1);
	assert_int_equal(ls_baseline_add(b, "rule-a", "dir/\"q\"\n\xc3\xa9.txt", h2, NULL, "2024-01-02"), 1);
	assert_int_equal(ls_baseline_add(b, "rule-b", "z.txt", h1, NULL, NULL), 0);
	ls_baseline *c = baseline_roundtrip(b);
	assert_int_equal(ls_baseline_count(c), 2);
	const ls_baseline_entry *e = ls_baseline_get(c, 0);
	assert_string_equal(e->rule_id, "rule-a");
	assert_string_equal(e->path, "dir/\"q\"\n\xc3\xa9.txt");
	assert_string_equal(e->added, "2024-01-02");
	assert_null(e->fingerprint);
	assert_non_null(ls_baseline_find(c, "rule-b", "z.txt", h1));
	assert_null(ls_baseline_find(c, "rule-b", "z.txt", h2));
	assert_null(ls_baseline_find(c, "rule-a", "z.txt", h1));

	/* findings match by (rule, path relative to the base, hash), whatever the line */
	ls_allow *a = NULL;
	ls_allow_new(&a, "/w");
	ls_allow_set_paths_relative(a, 1);
	ls_allow_set_baseline(a, c);
	ls_finding f = finding(&rule_b, "./z.txt", "one", NULL);
	f.line = 99;
	assert_int_equal(ls_allow_check(a, &f), 1);
	f = finding(&rule_b, "./z.txt", "three", NULL);
	assert_int_equal(ls_allow_check(a, &f), 0);
	ls_allow_free(a);
	ls_baseline_free(b);
	ls_baseline_free(c);
}

/* Format 2: keyed hashes ("hmac-sha256:"), a key id; legacy entries next to them still match. */
static void test_baseline_keyed_and_legacy(void **state)
{
	ls_baseline *b = NULL;
	ls_baseline_new(&b);
	ls_finding f = finding(&rule_a, "x.txt", "one-secret-1", NULL);
	ls_finding g = finding(&rule_a, "x.txt", "two-secret-2", NULL);
	ls_finding h = finding(&rule_a, "x.txt", "three-secret", NULL);
	char hf[80];
	ls_baseline_hash(hf, &f);
	assert_int_equal(strncmp(hf, "hmac-sha256:", 12), 0);
	assert_string_equal(hf + 12, f.secret_hash);
	ls_baseline_add(b, "rule-a", "x.txt", hf, NULL, NULL);
	ls_baseline_add(b, "rule-a", "x.txt", g.legacy_hash, NULL, NULL); /* as format 1 wrote it */
	ls_baseline_set_key_id(b, ls_fpkey_id());
	ls_baseline *c = baseline_roundtrip(b);
	assert_string_equal(ls_baseline_key_id(c), ls_fpkey_id());
	assert_int_equal(ls_baseline_count(c), 2);
	assert_int_equal(ls_baseline_legacy_count(c), 1);
	const ls_baseline_entry *e = ls_baseline_match(c, "x.txt", &f);
	assert_non_null(e);
	assert_int_equal(e->legacy, 0);
	e = ls_baseline_match(c, "x.txt", &g);
	assert_non_null(e);
	assert_int_equal(e->legacy, 1);
	assert_null(ls_baseline_match(c, "x.txt", &h));
	assert_null(ls_baseline_match(c, "y.txt", &f));
	ls_baseline_free(b);
	ls_baseline_free(c);
}

static void expect_baseline_error(const char *text, const char *msg)
{
	char path[] = "/tmp/leakscan-baseline-XXXXXX";
	int fd = mkstemp(path);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	ls_baseline *b = NULL;
	assert_int_equal(ls_baseline_load(&b, path), LS_EINVAL);
	assert_null(b);
	const char *got = ls_error_last();
	if (strncmp(got, path, strlen(path)) || strcmp(got + strlen(path), msg))
		fail_msg("baseline %s: got '%s', want '%s'", text, got, msg);
	unlink(path);
}

static void test_baseline_malformed(void **state)
{
	expect_baseline_error("", ":1: invalid baseline: not a leakscan baseline (expected a JSON object)");
	expect_baseline_error("{\"version\": 3, \"findings\": []}", ":1: invalid baseline: unsupported baseline version (expected 1 or 2)");
	expect_baseline_error("{\"version\": 2, \"key_id\": \"xyz\", \"findings\": []}", ":1: invalid baseline: 'key_id' must be 16 hex digits");
	expect_baseline_error("{\"findings\": [\n{\"rule_id\": 1}]}", ":2: invalid baseline: entry 1: 'rule_id' must be a string");
	expect_baseline_error("{\"findings\": [{\"rule_id\": \"a\", \"path\": \"p\", \"secret_hash\": \"00\"}]}",
	                      ":1: invalid baseline: entry 1: 'secret_hash' must be 64 hex digits, after 'hmac-sha256:' or alone (sha256)");
	expect_baseline_error("{\"findings\": [{\"rule_id\": \"a\", \"path\": \"p\", \"secret_hash\": \"hmac-sha256:00\"}]}",
	                      ":1: invalid baseline: entry 1: 'secret_hash' must be 64 hex digits, after 'hmac-sha256:' or alone (sha256)");
	expect_baseline_error("{\"findings\": []} x", ":1: invalid baseline: trailing data after the JSON object");
	expect_baseline_error("{\"findings\": [}", ":1: invalid baseline: entry 1: expected an object");
	expect_baseline_error("{\"notes\": {\"a\": [1, true, null, \"x\"]}}", ":1: invalid baseline: not a leakscan baseline (no 'findings' list)");
}

/* issue 22: baselines are read with jansson, at least as strictly as the reader it replaced */
static void test_baseline_malformed_json_issue22(void **state)
{
	const char *entry = "{\"rule_id\": \"a\", \"path\": \"p\", \"secret_hash\": "
	                    "\"0000000000000000000000000000000000000000000000000000000000000000\"";
	char text[512];
	/* duplicate keys: at the top level 'findings' twice merged both lists, a key twice in an entry kept the last */
	expect_baseline_error("{\"findings\": [],\n \"findings\": []}", ":2: invalid baseline: duplicate object key 'findings'");
	snprintf(text, sizeof(text), "{\"findings\": [\n%s, \"path\": \"q\"}]}", entry);
	expect_baseline_error(text, ":2: invalid baseline: duplicate object key near '\"path\"'");
	/* wrong types */
	expect_baseline_error("{\"version\": \"2\", \"findings\": []}", ":1: invalid baseline: unsupported baseline version (expected 1 or 2)");
	expect_baseline_error("{\"version\": 2.0, \"findings\": []}", ":1: invalid baseline: unsupported baseline version (expected 1 or 2)");
	expect_baseline_error("{\"key_id\": 5, \"findings\": []}", ":1: invalid baseline: 'key_id' must be 16 hex digits");
	expect_baseline_error("{\"findings\": {}}", ":1: invalid baseline: 'findings' must be a list");
	expect_baseline_error("{\"findings\": [\n\n[]]}", ":3: invalid baseline: entry 1: expected an object");
	snprintf(text, sizeof(text), "{\"findings\": [%s},\n{\"rule_id\": \"a\", \"path\": [\"p\"]}]}", entry);
	expect_baseline_error(text, ":2: invalid baseline: entry 2: 'path' must be a string");
	expect_baseline_error("[{\"rule_id\": \"a\", \"fingerprint\": 1}]", ":1: invalid baseline: finding 1: 'fingerprint' must be a string");
	/* truncated files */
	snprintf(text, sizeof(text), "{\"findings\": [\n%s", entry);
	expect_baseline_error(text, ":2: invalid baseline: '}' expected near end of file");
	expect_baseline_error("{\"findings\": [{\"rule_id\": \"a\", \"path\": \"p", ":1: invalid baseline: premature end of input near '\"p'");
	expect_baseline_error("{\"findings\": [", ":1: invalid baseline: entry 1: expected an object");
	expect_baseline_error("{\"findings\"", ":1: invalid baseline: expected ':'");
	expect_baseline_error("[{\"rule_id\": \"a\", \"fingerprint\": \"p:a:0123456789abcdef\"}", ":1: invalid baseline: expected ',' or ']'");
	/* \u0000 used to cut the value short; bytes that are not UTF-8, lone surrogates */
	expect_baseline_error("{\"findings\": [\n{\"rule_id\": \"a\\u0000b\"}]}", ":2: invalid baseline: a string holds \\u0000 (NUL)");
	expect_baseline_error("{\"findings\": [{\"path\": \"a\xff\"}]}", ":1: invalid baseline: unable to decode byte 0xff near '\"a'");
	expect_baseline_error("{\"notes\": \"\\ud800\", \"findings\": []}", ":1: invalid baseline: invalid Unicode '\\uD800' near '\"\\ud800\"'");
	/* trailing data, in a report too */
	expect_baseline_error("[]\n]", ":2: invalid baseline: trailing data after the report");
	expect_baseline_error("{\"rule_id\": \"a\", \"fingerprint\": \"p:a:0123456789abcdef\"}\nx",
	                      ":2: invalid baseline: not a leakscan baseline or report (expected findings as JSON objects)");
	/* nesting: 64 deep at most (jansson alone would go to 2048), a bomb stops at once */
	ls_buf deep = LS_BUF_INIT;
	ls_buf_puts(&deep, "{\"findings\": [], \"notes\": ");
	for (int i = 0; i < 64; i++)
		ls_buf_putc(&deep, '[');
	for (int i = 0; i < 64; i++)
		ls_buf_putc(&deep, ']');
	ls_buf_puts(&deep, "}");
	char bpath[] = "/tmp/leakscan-baseline-XXXXXX";
	int fd = mkstemp(bpath);
	assert_int_equal(write(fd, deep.ptr, deep.len), (ssize_t)deep.len);
	close(fd);
	ls_baseline *b = NULL;
	assert_int_equal(ls_baseline_load(&b, bpath), 0);
	ls_baseline_free(b);
	unlink(bpath);
	ls_buf_clear(&deep);
	ls_buf_puts(&deep, "{\"findings\": [], \"notes\": ");
	for (int i = 0; i < 65; i++)
		ls_buf_putc(&deep, '[');
	for (int i = 0; i < 65; i++)
		ls_buf_putc(&deep, ']');
	ls_buf_puts(&deep, "}");
	expect_baseline_error(deep.ptr, ":1: invalid baseline: nested too deeply");
	ls_buf_clear(&deep);
	ls_buf_puts(&deep, "{\"findings\": [{\"notes\":\n");
	for (int i = 0; i < 100000; i++)
		ls_buf_putc(&deep, '[');
	expect_baseline_error(deep.ptr, ":2: invalid baseline: nested too deeply");
	ls_buf_clear(&deep);
	for (int i = 0; i < 100000; i++)
		ls_buf_putc(&deep, '[');
	expect_baseline_error(deep.ptr, ":1: invalid baseline: not a leakscan baseline or report (expected findings as JSON objects)");
	/* a member's value is decoded whole, so it is bounded: 8 MB of [0,0,...] would take
	 * about 200 MB as a tree */
	ls_buf_clear(&deep);
	ls_buf_puts(&deep, "{\"findings\": [],\n\"notes\": [0");
	for (int i = 0; i < 600000; i++)
		ls_buf_puts(&deep, ",0");
	ls_buf_puts(&deep, "]}");
	expect_baseline_error(deep.ptr, ":2: invalid baseline: a value longer than 1024 KiB (an entry is far smaller)");
	ls_buf_dispose(&deep);
}

/* Entries in any order load sorted, each once (the first of duplicates kept), without moving
 * the array for each (a reversed file of n entries once took n^2/2 moves). */
static void test_baseline_unsorted_entries_load_sorted_once(void **state)
{
	ls_buf t = LS_BUF_INIT;
	ls_buf_puts(&t, "{\"version\": 2, \"findings\": [");
	for (int i = 20000; i > 0; i--)
		ls_buf_printf(&t, "%s{\"rule_id\": \"r\", \"path\": \"p%06d\", \"secret_hash\": \"hmac-sha256:%064d\", \"added\": \"%s\"}",
		              i == 20000 ? "" : ",", i % 15000, i % 15000, i > 15000 ? "first" : "second");
	ls_buf_puts(&t, "]}");
	char bpath[] = "/tmp/leakscan-baseline-XXXXXX";
	int fd = mkstemp(bpath);
	assert_int_equal(write(fd, t.ptr, t.len), (ssize_t)t.len);
	close(fd);
	ls_baseline *b = NULL;
	assert_int_equal(ls_baseline_load(&b, bpath), 0);
	char hash[80];
	snprintf(hash, sizeof(hash), "hmac-sha256:%064d", 42);
	const ls_baseline_entry *e = ls_baseline_find(b, "r", "p000042", hash);
	assert_non_null(e);
	assert_string_equal(e->added, "first");
	snprintf(hash, sizeof(hash), "hmac-sha256:%064d", 14999);
	assert_non_null(ls_baseline_find(b, "r", "p014999", hash));
	assert_null(ls_baseline_find(b, "r", "p015000", hash));
	ls_baseline_free(b);
	unlink(bpath);
	ls_buf_dispose(&t);
}

static void expect_config_error(const char *yaml, const char *msg)
{
	ls_config *c = NULL;
	int err = ls_config_load_string(&c, "dir/.leakscan.yaml", yaml, strlen(yaml));
	assert_int_equal(err, LS_EINVAL);
	assert_null(c);
	if (strcmp(ls_error_last(), msg))
		fail_msg("config:\n%s\ngot  '%s'\nwant '%s'", yaml, ls_error_last(), msg);
}

static void test_config_errors(void **state)
{
	expect_config_error("- a\n", "dir/.leakscan.yaml:1: the configuration must be a mapping (rule_files:, disable:, allow: ...)");
	expect_config_error("version: 2\n", "dir/.leakscan.yaml:1: unsupported configuration version (expected 1)");
	expect_config_error("allow:\n  - paths: [a]\n    secret: [b]\n",
	                    "dir/.leakscan.yaml:3: unknown key 'secret' in an 'allow' entry (expected paths, secrets, matches, lines, stopwords, commits, aws_accounts, rules, condition, description)");
	expect_config_error("allow:\n  - paths: {a: b}\n", "dir/.leakscan.yaml:2: 'paths' must be a list of strings");
	expect_config_error("allow:\n  - paths: [a]\n    condition: some\n", "dir/.leakscan.yaml:3: 'condition' must be any or all");
	expect_config_error("overrides:\n  r: {min_entropy: 9}\n", "dir/.leakscan.yaml:2: 'min_entropy' must be a number from 0 to 8");
	expect_config_error("allow:\n  - paths: [a]\nallow:\n  - paths: [b]\n", "dir/.leakscan.yaml:3: duplicate key 'allow'");
	expect_config_error("allow:\n  - paths: [a]\n    paths: [b]\n", "dir/.leakscan.yaml:3: duplicate key 'paths'");
	expect_config_error("overrides:\n  r: {severity: low}\n  r: {severity: high}\n", "dir/.leakscan.yaml:3: rule 'r' is overridden twice");
	expect_config_error("overrides: [a]\n", "dir/.leakscan.yaml:1: 'overrides' must map rule ids to settings (severity, min_entropy)");
}

static void test_config_loads_and_applies(void **state)
{
	const char *yaml = "version: 1\n"
	                   "rule_files: [extra.yaml, /abs/rules]\n"
	                   "disable: [test-token]\n"
	                   "overrides:\n  test-aws-key: {severity: low, min_entropy: 1.5}\n"
	                   "fail_on: medium\n"
	                   "default_skips: false\n"
	                   "allow:\n"
	                   "  - description: fixtures\n    paths: ['tests/**']\n"
	                   "  - rules: [test-aws-key]\n    secrets: ['^AKIA']\n    condition: all\n";
	ls_config *c = NULL;
	assert_int_equal(ls_config_load_string(&c, "proj/.leakscan.yaml", yaml, strlen(yaml)), 0);
	assert_string_equal(c->dir, "proj");
	assert_int_equal(c->rule_files.n, 2);
	assert_string_equal(c->rule_files.items[0], "proj/extra.yaml");
	assert_string_equal(c->rule_files.items[1], "/abs/rules");
	assert_int_equal(c->has_fail_on, 1);
	assert_int_equal(c->fail_on, LS_SEV_MEDIUM);
	assert_int_equal(c->default_skips, 0);
	assert_int_equal(c->nallow, 2);
	assert_int_equal(c->allow[1].condition, LS_ALLOW_ALL);

	ls_ruleset *rs = NULL;
	ls_ruleset_new(&rs);
	assert_int_equal(ls_ruleset_load_path(rs, TEST_DATA_DIR "/rules/basic.yaml"), 0);
	assert_int_equal(ls_config_apply_rules(c, rs), 0);
	assert_int_equal(ls_ruleset_find(rs, "test-token")->enabled, 0);
	assert_int_equal(ls_ruleset_find(rs, "test-aws-key")->severity, LS_SEV_LOW);
	assert_true(ls_ruleset_find(rs, "test-aws-key")->min_entropy == 1.5);
	ls_allow *a = NULL;
	ls_allow_new(&a, "/p");
	ls_allow_set_paths_relative(a, 1);
	assert_int_equal(ls_config_apply_allow(c, rs, a), 0);
	assert_int_equal(ls_allow_skip_path(a, "package-lock.json", 0), 0); /* default_skips: false */
	assert_int_equal(ls_allow_skip_path(a, "tests/x", 0), 1);
	ls_allow_free(a);
	ls_config_free(c);

	/* an unknown rule id is reported with the line that names it */
	const char *bad = "allow:\n  - rules:\n      - test-token\n      - nope\n    secrets: [x]\n";
	assert_int_equal(ls_config_load_string(&c, ".leakscan.yaml", bad, strlen(bad)), 0);
	ls_allow_new(&a, NULL);
	assert_int_equal(ls_config_apply_allow(c, rs, a), LS_EINVAL);
	assert_string_equal(ls_error_last(), ".leakscan.yaml:4: unknown rule id 'nope'");
	ls_allow_free(a);
	ls_config_free(c);
	/* an empty file is an empty configuration */
	assert_int_equal(ls_config_load_string(&c, ".leakscan.yaml", "", 0), 0);
	assert_int_equal(c->default_skips, -1);
	ls_config_free(c);
	ls_ruleset_free(rs);
}

/* A reader serving "r.yaml" (a rule file) and "d" (a directory), recording what it is asked. */
static int fake_read(void *payload, const char *path, ls_buf *out, ls_strlist *names)
{
	ls_buf *asked = payload;
	ls_buf_printf(asked, "%s;", path);
	if (!strcmp(path, "d")) {
		const char *n[] = {"x.yaml", "notes.txt", ".hidden.yaml"};
		for (int i = 0; i < 3; i++)
			ls_strlist_push(names, n[i]);
		return 1;
	}
	if (!strcmp(path, "r.yaml") || !strcmp(path, "d/x.yaml")) {
		ls_buf_clear(out);
		ls_buf_printf(out, "rules:\n  - id: r-%c\n    name: R\n    pattern: 'abc%c'\n    severity: low\n"
		                   "    description: d\n    examples: [abc%c]\n", path[0], path[0], path[0]);
		return 0;
	}
	ls_error_set("no such file or directory");
	return LS_ENOTFOUND;
}

/* issue 18, item 17: rule files of an untrusted configuration never leave it */
static void test_config_rule_files_through_a_reader(void **state)
{
	ls_buf asked = LS_BUF_INIT;
	ls_config_reader rd = {fake_read, "REV:", &asked};
	ls_config *c = NULL;
	ls_ruleset *rs = NULL;
	ls_ruleset_new(&rs);
	const char *ok = "rule_files: [./r.yaml, d/, 'd//.']\n";
	assert_int_equal(ls_config_load_buffer(&c, "REV:.leakscan.yaml", "/top", ok, strlen(ok)), 0);
	assert_string_equal(c->dir, "/top");
	assert_int_equal(ls_config_load_rules_from(c, rs, &rd), LS_EINVAL); /* d twice: duplicate ids */
	assert_string_equal(ls_error_last(), "REV:d/x.yaml:2: rule 'r-d': duplicate id (first defined at REV:d/x.yaml:2)");
	assert_string_equal(asked.ptr, "r.yaml;d;d/x.yaml;d;d/x.yaml;");
	ls_config_free(c);
	ls_ruleset_free(rs);
	const char *bad[][2] = {
	    {"rule_files: [/etc/shadow]\n", "REV:.leakscan.yaml:1: rule file '/etc/shadow': an absolute path is not allowed here"},
	    {"rule_files:\n  - a/../../b\n", "REV:.leakscan.yaml:2: rule file 'a/../../b': '..' is not allowed here"},
	    {"rule_files: [none.yaml]\n", "REV:.leakscan.yaml:1: rule file 'none.yaml': no such file or directory"},
	};
	for (size_t i = 0; i < 3; i++) {
		ls_buf_clear(&asked);
		ls_ruleset_new(&rs);
		assert_int_equal(ls_config_load_buffer(&c, "REV:.leakscan.yaml", "/top", bad[i][0], strlen(bad[i][0])), 0);
		assert_true(ls_config_load_rules_from(c, rs, &rd) < 0);
		if (strncmp(ls_error_last(), bad[i][1], strlen(bad[i][1])))
			fail_msg("case %zu: got '%s'", i, ls_error_last());
		/* refused paths are never asked for */
		assert_string_equal(asked.ptr ? asked.ptr : "", i < 2 ? "" : "none.yaml;");
		ls_config_free(c);
		ls_ruleset_free(rs);
	}
	ls_buf_dispose(&asked);
}

int main(void)
{
	/* a synthetic fingerprint key: fixed hashes, and no key file created */
	ls_fpkey_set("leakscan-unit-test-key-0001", 27);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_glob_match_gitignore_style),
	    cmocka_unit_test(test_allow_entries_any_and_all),
	    cmocka_unit_test(test_allow_commits_accounts_lines),
	    cmocka_unit_test(test_allow_rejects_bad_entries),
	    cmocka_unit_test(test_allow_relpath_and_skips),
	    cmocka_unit_test(test_allow_ignore_file),
	    cmocka_unit_test(test_allow_ignore_file_legacy_fingerprint),
	    cmocka_unit_test(test_baseline_round_trip),
	    cmocka_unit_test(test_baseline_keyed_and_legacy),
	    cmocka_unit_test(test_baseline_malformed),
	    cmocka_unit_test(test_baseline_malformed_json_issue22),
	    cmocka_unit_test(test_baseline_unsorted_entries_load_sorted_once),
	    cmocka_unit_test(test_config_errors),
	    cmocka_unit_test(test_config_loads_and_applies),
	    cmocka_unit_test(test_config_rule_files_through_a_reader),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
