/* Unit tests of the findings datastore: schema creation and versions, blobs and locations,
 * the deduplicating query, masked secrets, triage, and merges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "fpkey.h"
#include "store.h"

static ls_rule rule_a = {.id = (char *)"rule-a", .name = (char *)"Rule A", .severity = LS_SEV_HIGH};

#define SECRET "sk_live_4f9a8b7c6d5e4f3a2b1c"

static ls_finding finding(const char *secret, const char *line, size_t lineno)
{
	ls_finding f;
	memset(&f, 0, sizeof(f));
	f.rule = &rule_a;
	f.severity = rule_a.severity;
	f.path = (char *)"p.txt";
	f.secret = (char *)secret;
	f.secret_len = strlen(secret);
	f.match = (char *)secret;
	f.match_len = f.secret_len;
	f.line_text = (char *)line;
	f.line_secret_off = (size_t)(strstr(line, secret) - line);
	f.line_secret_len = f.secret_len;
	f.line = lineno;
	f.column = f.line_secret_off + 1;
	/* a plain SHA-256, as an older leakscan wrote (ls_store_key_check rehashes it) */
	ls_sha256_hex(f.secret_hash, secret, f.secret_len);
	return f;
}

static char *tmpdir(void)
{
	char tmpl[] = "/tmp/test_store.XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return ls_xstrdup(d);
}

static void rmrf(const char *dir)
{
	char *cmd = ls_xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

typedef struct {
	size_t rows;
	char fp[160], repos[512], secret[128], status[32];
} collected;

static int collect(const ls_store_row *r, void *payload)
{
	collected *c = payload;
	c->rows++;
	snprintf(c->fp, sizeof(c->fp), "%s", r->fingerprint);
	size_t n = strlen(c->repos);
	snprintf(c->repos + n, sizeof(c->repos) - n, "%s%s:%s:%zu", n ? " " : "", r->repo, r->path, r->line);
	snprintf(c->secret, sizeof(c->secret), "%s", r->secret ? r->secret : r->secret_mask);
	snprintf(c->status, sizeof(c->status), "%s", r->status ? r->status : "open");
	return 0;
}

/* One blob with the secret, present in two repositories. */
static void fill(ls_store *s, int secrets)
{
	ls_finding f = finding(SECRET, "key = " SECRET, 3);
	long long run;
	assert_int_equal(ls_store_run_begin(s, "d1", &run), 0);
	assert_int_equal(ls_store_begin(s), 0);
	assert_int_equal(ls_store_put_blob(s, "1111111111111111111111111111111111111111", "d1", run, &f, 1, secrets, NULL), 0);
	assert_int_equal(ls_store_put_blob(s, "2222222222222222222222222222222222222222", "d1", run, NULL, 0, secrets, NULL), 0);
	ls_store_location l = {"1111111111111111111111111111111111111111", "c1", "a/p.txt", "A", "a@x", "2024-01-01T00:00:00Z", NULL, 1};
	assert_int_equal(ls_store_put_repo(s, "repo-x", NULL, "tips", "d1", run, &l, 1), 0);
	l.path = "b/p.txt";
	assert_int_equal(ls_store_put_repo(s, "repo-y", "file:///y", "tips", "d1", run, &l, 1), 0);
	assert_int_equal(ls_store_commit(s), 0);
}

static int count_blob(const char *id, long long nfindings, void *payload)
{
	(*(long long *)payload) += 1 + nfindings * 10;
	return 0;
}

static void test_store_dedup_query_with_locations(void **state)
{
	char *dir = tmpdir();
	ls_store *s = NULL;
	assert_int_equal(ls_store_open(&s, dir, 1), 0);
	fill(s, 1);
	collected c;
	memset(&c, 0, sizeof(c));
	ls_store_filter f = LS_STORE_FILTER_INIT;
	assert_int_equal(ls_store_query(s, &f, collect, &c), 0);
	assert_int_equal(c.rows, 2);
	assert_string_equal(c.repos, "repo-x:a/p.txt:3 repo-y:b/p.txt:3");
	assert_string_equal(c.secret, SECRET);
	assert_int_equal(strncmp(c.fp, "rule-a:", 7), 0);
	assert_int_equal(strlen(c.fp), 7 + 16);
	/* blobs: one with a finding (11), one clean (1); another digest has none */
	long long v = 0;
	assert_int_equal(ls_store_blobs_foreach(s, "d1", count_blob, &v), 0);
	assert_int_equal(v, 12);
	v = 0;
	assert_int_equal(ls_store_blobs_foreach(s, "d2", count_blob, &v), 0);
	assert_int_equal(v, 0);
	/* filters */
	memset(&c, 0, sizeof(c));
	f.repo = "repo-y";
	assert_int_equal(ls_store_query(s, &f, collect, &c), 0);
	assert_int_equal(c.rows, 1);
	f.repo = NULL;
	f.min_severity = LS_SEV_CRITICAL;
	memset(&c, 0, sizeof(c));
	assert_int_equal(ls_store_query(s, &f, collect, &c), 0);
	assert_int_equal(c.rows, 0);
	/* triage */
	char fp[160];
	snprintf(fp, sizeof(fp), "%s", c.fp[0] ? c.fp : "");
	memset(&c, 0, sizeof(c));
	ls_store_filter all = LS_STORE_FILTER_INIT;
	ls_store_query(s, &all, collect, &c);
	snprintf(fp, sizeof(fp), "%s", c.fp);
	assert_int_equal(ls_store_triage(s, fp, "revoked", "rotated"), 0);
	assert_int_equal(ls_store_triage(s, "rule-a:0000000000000000", "revoked", NULL), LS_ENOTFOUND);
	memset(&c, 0, sizeof(c));
	ls_store_query(s, &all, collect, &c);
	assert_string_equal(c.status, "revoked");
	ls_store_close(s);
	rmrf(dir);
	free(dir);
}

static void test_store_without_secrets_keeps_only_masks(void **state)
{
	char *dir = tmpdir();
	ls_store *s = NULL;
	assert_int_equal(ls_store_open(&s, dir, 1), 0);
	assert_int_equal(ls_store_set_store_secrets(s, 0), 0);
	assert_int_equal(ls_store_secrets_stored(s), 0);
	fill(s, 0);
	collected c;
	memset(&c, 0, sizeof(c));
	ls_store_filter f = LS_STORE_FILTER_INIT;
	assert_int_equal(ls_store_query(s, &f, collect, &c), 0);
	/* the mask: same length, not even the characters redaction shows */
	assert_int_equal(strlen(c.secret), strlen(SECRET));
	assert_int_equal(strspn(c.secret, "*"), strlen(SECRET));
	ls_store_close(s);
	/* the secret is nowhere in the files */
	char *cmd = ls_xasprintf("cat '%s'/datastore.db* | grep -qa '%s'", dir, SECRET);
	assert_int_not_equal(system(cmd), 0);
	free(cmd);
	rmrf(dir);
	free(dir);
}

static void test_store_refuses_corrupt_and_newer_files(void **state)
{
	char *dir = tmpdir();
	char *path = ls_xasprintf("%s/datastore.db", dir);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	for (int i = 0; i < 4096; i++)
		fputc((i * 7919) & 0xff, fp);
	fclose(fp);
	ls_store *s = NULL;
	assert_int_equal(ls_store_open(&s, dir, 1), LS_EIO);
	assert_non_null(strstr(ls_error_last(), "not a leakscan datastore or corrupt"));
	assert_null(s);
	unlink(path);
	assert_int_equal(ls_store_open(&s, dir, 0), LS_ENOTFOUND);
	assert_int_equal(ls_store_open(&s, dir, 1), 0);
	ls_store_close(s);
	char *cmd = ls_xasprintf("python3 -c 'import sqlite3; c=sqlite3.connect(\"%s\"); c.execute(\"PRAGMA user_version = %d\"); c.commit()'",
	                         path, LS_STORE_VERSION + 1);
	if (system(cmd) == 0) {
		assert_int_equal(ls_store_open(&s, dir, 1), LS_EINVAL);
		assert_non_null(strstr(ls_error_last(), "written by a newer leakscan"));
	}
	free(cmd);
	free(path);
	rmrf(dir);
	free(dir);
}

static void test_store_merge_two_shards(void **state)
{
	char *a = tmpdir(), *b = tmpdir(), *out = tmpdir();
	ls_store *s = NULL;
	assert_int_equal(ls_store_open(&s, a, 1), 0);
	fill(s, 1);
	ls_store_close(s);
	assert_int_equal(ls_store_open(&s, b, 1), 0);
	ls_finding f = finding("tok_abcdefghijklmnopqrstuvwx", "t: tok_abcdefghijklmnopqrstuvwx", 1);
	long long run;
	ls_store_run_begin(s, "d1", &run);
	ls_store_begin(s);
	ls_store_put_blob(s, "3333333333333333333333333333333333333333", "d1", run, &f, 1, 1, NULL);
	ls_store_location l = {"3333333333333333333333333333333333333333", "c2", "t.txt", NULL, NULL, NULL, NULL, -1};
	ls_store_put_repo(s, "repo-z", NULL, "tips", "d1", run, &l, 1);
	assert_int_equal(ls_store_commit(s), 0);
	ls_store_close(s);
	assert_int_equal(ls_store_open(&s, out, 1), 0);
	assert_int_equal(ls_store_merge(s, a), 0);
	assert_int_equal(ls_store_merge(s, b), 0);
	assert_int_equal(ls_store_last_run(s), 2);
	collected c;
	memset(&c, 0, sizeof(c));
	ls_store_filter flt = LS_STORE_FILTER_INIT;
	assert_int_equal(ls_store_query(s, &flt, collect, &c), 0);
	assert_int_equal(c.rows, 3);
	assert_string_equal(c.repos, "repo-x:a/p.txt:3 repo-y:b/p.txt:3 repo-z:t.txt:1");
	char *missing = ls_xasprintf("%s/nope", out);
	assert_int_equal(ls_store_merge(s, missing), LS_ENOTFOUND);
	free(missing);
	ls_store_close(s);
	rmrf(a), rmrf(b), rmrf(out);
	free(a), free(b), free(out);
}

/* issue 18, item 9: a datastore is bound to the fingerprint key; rows an older leakscan
 * wrote with a plain SHA-256 are rehashed from their secret (triage follows), and only rows
 * without a stored secret keep it; another key, or merging shards of two keys, is refused. */
static void test_store_item9_fingerprint_key(void **state)
{
	char *dir = tmpdir(), *plain_dir = tmpdir(), *other = tmpdir();
	ls_store *s = NULL;
	ls_fpkey_set("leakscan-unit-test-key-0001", 27);
	assert_int_equal(ls_store_open(&s, dir, 1), 0);
	fill(s, 1);
	collected c;
	memset(&c, 0, sizeof(c));
	ls_store_filter all = LS_STORE_FILTER_INIT;
	ls_store_query(s, &all, collect, &c);
	assert_int_equal(ls_store_triage(s, c.fp, "revoked", "rotated"), 0);
	long long plain = -1;
	assert_int_equal(ls_store_key_check(s, &plain), 0);
	assert_int_equal(plain, 0);
	char h[65], want[160];
	ls_fpkey_hash_hex(h, SECRET, strlen(SECRET));
	snprintf(want, sizeof(want), "rule-a:%.16s", h);
	memset(&c, 0, sizeof(c));
	ls_store_query(s, &all, collect, &c);
	assert_int_equal(c.rows, 2);
	assert_string_equal(c.fp, want);
	assert_string_equal(c.status, "revoked");
	assert_int_equal(ls_store_key_check(s, &plain), 0);
	ls_store_close(s);
	/* the file holds no plain SHA-256 of the secret any more */
	char sha[65];
	ls_sha256_hex(sha, SECRET, strlen(SECRET));
	char *cmd = ls_xasprintf("cat '%s'/datastore.db* | grep -qa '%.16s'", dir, sha);
	assert_int_not_equal(system(cmd), 0);
	free(cmd);

	/* without stored secrets nothing can be rehashed: counted */
	assert_int_equal(ls_store_open(&s, plain_dir, 1), 0);
	assert_int_equal(ls_store_set_store_secrets(s, 0), 0);
	fill(s, 0);
	assert_int_equal(ls_store_key_check(s, &plain), 0);
	assert_int_equal(plain, 1);
	ls_store_close(s);

	/* a shard made with another key neither takes findings nor merges */
	ls_fpkey_set("leakscan-unit-test-key-0002", 27);
	assert_int_equal(ls_store_open(&s, dir, 0), 0);
	assert_int_equal(ls_store_key_check(s, &plain), LS_EINVAL);
	assert_non_null(strstr(ls_error_last(), "made with another fingerprint key"));
	ls_store_close(s);
	assert_int_equal(ls_store_open(&s, other, 1), 0);
	assert_int_equal(ls_store_key_check(s, &plain), 0);
	assert_int_equal(ls_store_merge(s, dir), LS_EINVAL);
	assert_non_null(strstr(ls_error_last(), "made with another fingerprint key"));
	ls_store_close(s);
	ls_fpkey_set("leakscan-unit-test-key-0001", 27);
	rmrf(dir), rmrf(plain_dir), rmrf(other);
	free(dir), free(plain_dir), free(other);
}

/* issue 18, item 21: a foreign SQLite file with user_version 1 is refused by readers and
 * writers before anything in it changes (its journal mode included) */
static void test_store_item21_foreign_file_left_unchanged(void **state)
{
	char *dir = tmpdir();
	char *cmd = ls_xasprintf("python3 -c 'import sqlite3; c=sqlite3.connect(\"%s/datastore.db\"); c.execute(\"create table"
	                         " notes(x)\"); c.execute(\"PRAGMA user_version=1\"); c.commit()' && cp '%s/datastore.db' '%s/before'",
	                         dir, dir, dir);
	if (system(cmd) == 0) {
		ls_store *s = NULL;
		assert_int_equal(ls_store_open(&s, dir, 1), LS_EIO);
		assert_non_null(strstr(ls_error_last(), "not a leakscan datastore"));
		assert_int_equal(ls_store_open_readonly(&s, dir), LS_EIO);
		assert_null(s);
		char *cmp = ls_xasprintf("cmp -s '%s/before' '%s/datastore.db' && test ! -e '%s/datastore.db-wal'", dir, dir, dir);
		assert_int_equal(system(cmp), 0);
		free(cmp);
	}
	free(cmd);
	rmrf(dir);
	free(dir);
}

/* issue 18, item 6: a merge into a datastore without secrets brings in no part of them */
static void test_store_item6_merge_into_no_secrets(void **state)
{
	char *a = tmpdir(), *out = tmpdir();
	ls_store *s = NULL;
	assert_int_equal(ls_store_open(&s, a, 1), 0);
	fill(s, 1);
	ls_store_close(s);
	assert_int_equal(ls_store_open(&s, out, 1), 0);
	assert_int_equal(ls_store_set_store_secrets(s, 0), 0);
	assert_int_equal(ls_store_merge(s, a), 0);
	collected c;
	memset(&c, 0, sizeof(c));
	ls_store_filter flt = LS_STORE_FILTER_INIT;
	assert_int_equal(ls_store_query(s, &flt, collect, &c), 0);
	assert_int_equal(strspn(c.secret, "*"), strlen(SECRET));
	ls_store_close(s);
	char *cmd = ls_xasprintf("cat '%s'/datastore.db* | grep -qa 'sk_live'", out);
	assert_int_not_equal(system(cmd), 0);
	free(cmd);
	rmrf(a), rmrf(out);
	free(a), free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_store_dedup_query_with_locations),
	    cmocka_unit_test(test_store_item9_fingerprint_key),
	    cmocka_unit_test(test_store_without_secrets_keeps_only_masks),
	    cmocka_unit_test(test_store_refuses_corrupt_and_newer_files),
	    cmocka_unit_test(test_store_merge_two_shards),
	    cmocka_unit_test(test_store_item21_foreign_file_left_unchanged),
	    cmocka_unit_test(test_store_item6_merge_into_no_secrets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
