/* Unit tests of source_git's history enumeration, readers, provenance and the staged index,
 * on small repositories made with the git command in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "source_git.h"

static char tmpdir[] = "/tmp/ls-test-source-git.XXXXXX";

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	char full[5000];
	snprintf(full, sizeof(full),
	         "cd '%s' && export GIT_CONFIG_NOSYSTEM=1 HOME='%s' GIT_AUTHOR_NAME=A GIT_AUTHOR_EMAIL=a@example.invalid "
	         "GIT_COMMITTER_NAME=C GIT_COMMITTER_EMAIL=c@example.invalid GIT_AUTHOR_DATE=2024-01-02T03:04:05Z "
	         "GIT_COMMITTER_DATE='2024-01-02T03:04:05+02:00' && (%s) >/dev/null 2>&1",
	         tmpdir, tmpdir, cmd);
	return system(full);
}

static int setup(void **state)
{
	if (!mkdtemp(tmpdir))
		return -1;
	ls_git_init();
	/* three commits: a.txt added, s.txt added (shared by a copy), s.txt removed */
	return sh("git init -q -b main r && cd r && echo hello > a.txt && git add a.txt && git commit -qm first && "
	          "printf 'line\\nsecret\\n' > s.txt && mkdir d && cp s.txt d/copy.txt && git add . && "
	          "git commit -qm 'second: add s' && git rm -q s.txt && git commit -qm third");
}

static int teardown(void **state)
{
	sh("rm -rf r");
	rmdir(tmpdir);
	return 0;
}

static char *repo_path(void) { return ls_xasprintf("%s/r", tmpdir); }

/* Reads every item, returning the index of the first whose content equals `want` (or -1). */
static long find_item(ls_git_history *h, ls_git_reader *r, const char *want)
{
	for (size_t i = 0; i < ls_git_history_count(h); i++) {
		ls_git_content c;
		assert_int_equal(ls_git_reader_read(r, i, 1 << 20, &c), 0);
		if (c.len == strlen(want) && !memcmp(c.data, want, c.len))
			return (long)i;
	}
	return -1;
}

static void test_source_git_history_each_blob_once_with_first_commit(void **state)
{
	char *p = repo_path();
	ls_git_repo *repo = NULL;
	ls_git_history *h = NULL;
	ls_git_reader *r = NULL;
	assert_int_equal(ls_git_repo_open(&repo, p), 0);
	ls_git_history_options o = LS_GIT_HISTORY_OPTIONS_INIT;
	assert_int_equal(ls_git_history_new(&h, repo, &o), 0);
	assert_int_equal(ls_git_history_commits(h), 3);
	/* 3 messages + hello + the shared secret blob */
	assert_int_equal(ls_git_history_count(h), 5);
	assert_int_equal(ls_git_history_nerrors(h), 0);
	assert_int_equal(ls_git_reader_new(&r, h), 0);

	ls_git_content c;
	assert_int_equal(ls_git_reader_read(r, 0, 1 << 20, &c), 0);
	assert_string_equal(c.path, "<commit message>");
	assert_int_equal(c.is_path, 0);
	long i = find_item(h, r, "line\nsecret\n");
	assert_true(i > 0);
	assert_int_equal(ls_git_reader_read(r, (size_t)i, 1 << 20, &c), 0);
	/* tree order: d/copy.txt comes before s.txt in the commit that added both */
	assert_string_equal(c.path, "d/copy.txt");
	assert_int_equal(c.is_path, 1);
	/* its places, in the one origin model: the blob at both paths of the second commit */
	const ls_origin *pl;
	char id[41];
	ls_git_history_item_id(h, (size_t)i, id);
	assert_int_equal(ls_git_reader_places(r, (size_t)i, &pl), 2);
	assert_int_equal(pl[0].kind, LS_ORIGIN_BLOB);
	assert_string_equal(pl[0].path, "d/copy.txt");
	assert_string_equal(pl[1].path, "s.txt");
	assert_string_equal(pl[0].blob, id);
	assert_string_equal(pl[1].blob, id);
	assert_non_null(pl[0].commit);
	assert_string_equal(pl[0].commit, pl[1].commit);
	assert_int_equal(ls_git_reader_places(r, 0, &pl), 1);
	assert_int_equal(pl[0].kind, LS_ORIGIN_COMMIT_MESSAGE);
	assert_string_equal(pl[0].path, "<commit message>");
	assert_int_equal(pl[0].is_path, 0);

	ls_provenance pv;
	memset(&pv, 0, sizeof(pv));
	ls_git_reader_provenance(r, (size_t)i, 0, &pv);
	assert_non_null(pv.commit);
	assert_int_equal(strlen(pv.commit), 40);
	assert_string_equal(pv.author_name, "A");
	assert_string_equal(pv.author_email, "a@example.invalid");
	assert_string_equal(pv.date, "2024-01-02T03:04:05+02:00");
	assert_string_equal(pv.message, "second: add s");
	assert_non_null(pv.blob);
	ls_finding f;
	memset(&f, 0, sizeof(f));
	f.prov = pv;
	ls_finding_dispose(&f);

	/* too large: not read */
	assert_int_equal(ls_git_reader_read(r, (size_t)i, 4, &c), 0);
	assert_int_equal(c.too_large, 1);
	assert_null(c.data);
	assert_int_equal(c.size, 12);

	/* every (commit, path) holding the blob */
	size_t items[1] = {(size_t)i};
	ls_git_paths paths[1];
	memset(paths, 0, sizeof(paths));
	assert_int_equal(ls_git_history_all_paths(h, items, 1, paths), 0);
	assert_int_equal(paths[0].n, 3); /* d/copy.txt and s.txt in the second, d/copy.txt in the third */
	assert_non_null(strstr(paths[0].v[0], ":d/copy.txt"));
	assert_non_null(strstr(paths[0].v[1], ":s.txt"));
	assert_non_null(strstr(paths[0].v[2], ":d/copy.txt"));
	ls_git_paths_dispose(&paths[0]);

	ls_git_reader_free(r);
	ls_git_history_free(h);
	ls_git_repo_free(repo);
	free(p);
}

static void test_source_git_range_only_what_commits_introduced(void **state)
{
	char *p = repo_path();
	ls_git_repo *repo = NULL;
	ls_git_history *h = NULL;
	assert_int_equal(ls_git_repo_open(&repo, p), 0);
	ls_git_history_options o = LS_GIT_HISTORY_OPTIONS_INIT;
	o.range = "HEAD~1..HEAD";
	assert_int_equal(ls_git_history_new(&h, repo, &o), 0);
	/* the third commit only removed a file: its message and nothing else */
	assert_int_equal(ls_git_history_commits(h), 1);
	assert_int_equal(ls_git_history_count(h), 1);
	ls_git_history_free(h);
	o.range = "HEAD";
	assert_int_equal(ls_git_history_new(&h, repo, &o), LS_EINVAL);
	assert_non_null(strstr(ls_error_last(), "not a range"));
	o.range = NULL;
	o.branch = "no-such-branch";
	assert_int_equal(ls_git_history_new(&h, repo, &o), LS_EINVAL);
	ls_git_repo_free(repo);
	free(p);
}

static void test_source_git_staged_reads_the_index(void **state)
{
	assert_int_equal(sh("cd r && printf 'staged\\n' > n.txt && git add n.txt && printf 'not staged\\n' > n.txt"), 0);
	char *p = repo_path();
	ls_git_repo *repo = NULL;
	ls_git_history *h = NULL;
	ls_git_reader *r = NULL;
	assert_int_equal(ls_git_repo_open(&repo, p), 0);
	assert_int_equal(ls_git_staged_new(&h, repo), 0);
	assert_int_equal(ls_git_history_count(h), 1);
	assert_int_equal(ls_git_reader_new(&r, h), 0);
	ls_git_content c;
	assert_int_equal(ls_git_reader_read(r, 0, 1 << 20, &c), 0);
	assert_string_equal(c.path, "n.txt");
	assert_int_equal(c.len, 7);
	assert_memory_equal(c.data, "staged\n", 7);
	ls_provenance pv;
	memset(&pv, 0, sizeof(pv));
	ls_git_reader_provenance(r, 0, 0, &pv);
	assert_null(pv.commit);
	assert_null(pv.blob);
	ls_git_reader_free(r);
	ls_git_history_free(h);
	ls_git_repo_free(repo);
	free(p);
	sh("cd r && git rm -q --cached n.txt && rm n.txt");
}

static void test_source_git_missing_object_names_it(void **state)
{
	assert_int_equal(sh("git init -q -b main m && cd m && echo lost > l.txt && git add l.txt && git commit -qm one && "
	                    "rm -f .git/objects/$(git rev-parse HEAD:l.txt | cut -c1-2)/$(git rev-parse HEAD:l.txt | cut -c3-)"),
	                 0);
	char *p = ls_xasprintf("%s/m", tmpdir);
	ls_git_repo *repo = NULL;
	ls_git_history *h = NULL;
	ls_git_reader *r = NULL;
	assert_int_equal(ls_git_repo_open(&repo, p), 0);
	ls_git_history_options o = LS_GIT_HISTORY_OPTIONS_INIT;
	assert_int_equal(ls_git_history_new(&h, repo, &o), 0);
	assert_int_equal(ls_git_history_count(h), 2);
	assert_int_equal(ls_git_reader_new(&r, h), 0);
	ls_git_content c;
	assert_int_equal(ls_git_reader_read(r, 1, 1 << 20, &c), LS_EIO);
	assert_non_null(strstr(ls_error_last(), "l.txt"));
	assert_non_null(strstr(ls_error_last(), "object not found"));
	ls_git_reader_free(r);
	ls_git_history_free(h);
	ls_git_repo_free(repo);
	free(p);
	sh("rm -rf m");
}

/* `git cat-file blob ID` in repository `dir` of the temporary directory, malloc'd. */
static char *cat_blob(const char *dir, const char *id, size_t *len)
{
	char *cmd = ls_xasprintf("git -C '%s/%s' cat-file blob %s", tmpdir, dir, id);
	FILE *f = popen(cmd, "r");
	free(cmd);
	assert_non_null(f);
	ls_buf b = LS_BUF_INIT;
	char tmp[8192];
	size_t n;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		ls_buf_put(&b, tmp, n);
	assert_int_equal(pclose(f), 0);
	*len = b.len;
	return b.ptr ? ls_buf_detach(&b) : ls_xstrdup("");
}

static int no_pickaxe(void *payload, const char *data, size_t len) { return 0; }
static void no_grep(void *payload, const char *data, size_t len, ls_buf *out) {}

/* Opens repository `dir` of the temporary directory and its history. */
static void open_history(const char *dir, const ls_git_history_options *o, ls_git_repo **repo, ls_git_history **h)
{
	char *p = ls_xasprintf("%s/%s", tmpdir, dir);
	assert_int_equal(ls_git_repo_open(repo, p), 0);
	assert_int_equal(ls_git_history_new(h, *repo, o), 0);
	free(p);
}

/* Every blob read along the packs' delta trees is byte for byte what git reads. */
static void check_pack_reads(const char *dir)
{
	ls_git_repo *repo = NULL;
	ls_git_history *h = NULL;
	ls_git_reader *r = NULL;
	ls_git_history_options o = LS_GIT_HISTORY_OPTIONS_INIT;
	open_history(dir, &o, &repo, &h);
	size_t n = ls_git_history_count(h), blobs = 0;
	size_t *order = ls_xmalloc(n * sizeof(size_t)), *units = ls_xmalloc((n + 1) * sizeof(size_t));
	size_t nunits = ls_git_history_read_order(h, order, units);
	assert_int_equal(units[nunits], n);
	assert_int_equal(ls_git_reader_new(&r, h), 0);
	for (size_t pos = 0; pos < n; pos++) {
		size_t i = order[pos];
		if (ls_git_history_item_is_message(h, i))
			continue;
		blobs++;
		ls_git_content c;
		assert_int_equal(ls_git_reader_read(r, i, 1 << 24, &c), 0);
		char id[41];
		ls_git_history_item_id(h, i, id);
		size_t want_len;
		char *want = cat_blob(dir, id, &want_len);
		assert_int_equal(c.len, want_len);
		assert_memory_equal(c.data, want, want_len);
		assert_int_equal(c.data[c.len], '\0'); /* NUL-terminated, as libgit2 gives content */
		free(want);
	}
	/* every packed blob is built by the delta-tree reader, none left to libgit2 (deltas of
	 * every size: c.txt's replace 2.4 KB a version) */
	ls_git_gs *gs = NULL;
	ls_git_gs_matcher gm = {no_pickaxe, no_grep, NULL};
	assert_int_equal(ls_git_gs_new(&gs, repo, &gm), 0);
	assert_int_equal(ls_git_gs_preload_packs(gs), blobs);
	ls_git_gs_free(gs);
	/* the versions of each file form one delta tree: far fewer units than blobs (messages
	 * are a unit each) */
	assert_true(blobs > 60);
	assert_true(nunits - (n - blobs) < blobs / 4);
	ls_git_reader_free(r);
	ls_git_history_free(h);
	ls_git_repo_free(repo);
	free(order);
	free(units);
}

static void test_source_git_pack_delta_trees_read_as_git_does(void **state)
{
	/* two files edited in 70 commits, then packed with offset deltas, then with ref deltas */
	assert_int_equal(sh("git init -q -b main pk && cd pk && seq 1 400 | sed 's/$/ line of text/' > a.txt && "
	                    "for i in $(seq 1 70); do sed -i \"$((i * 5))s/$/ changed in $i/\" a.txt && "
	                    "seq 1 $((i * 7)) > b.txt && (seq 1 2000; seq $((i * 1000)) $((i * 1000 + 400))) > c.txt && "
	                    "git add a.txt b.txt c.txt && git commit -qm c$i; done && "
	                    "git gc -q --aggressive"),
	                 0);
	check_pack_reads("pk");
	assert_int_equal(sh("cd pk && git -c repack.useDeltaBaseOffset=false repack -adfq"), 0);
	check_pack_reads("pk");
	sh("rm -rf pk");
}

/* Everything a history lists, one line per item and place, then its errors. */
static char *dump_history(const char *dir, int parts, int threads)
{
	ls_git_repo *repo = NULL;
	ls_git_history *h = NULL;
	ls_git_reader *r = NULL;
	ls_git_history_options o = LS_GIT_HISTORY_OPTIONS_INIT;
	o.walk_parts = parts;
	o.threads = threads;
	open_history(dir, &o, &repo, &h);
	assert_int_equal(ls_git_reader_new(&r, h), 0);
	ls_buf b = LS_BUF_INIT;
	for (size_t i = 0; i < ls_git_history_count(h); i++) {
		char id[41];
		const ls_origin *pl;
		ls_git_history_item_id(h, i, id);
		size_t np = ls_git_reader_places(r, i, &pl);
		for (size_t k = 0; k < np; k++)
			ls_buf_printf(&b, "%zu %s %d %s %s\n", i, id, (int)pl[k].kind, pl[k].path, pl[k].commit ? pl[k].commit : "-");
	}
	for (size_t i = 0; i < ls_git_history_nerrors(h); i++)
		ls_buf_printf(&b, "error: %s\n", ls_git_history_error(h, i));
	ls_git_reader_free(r);
	ls_git_history_free(h);
	ls_git_repo_free(repo);
	return ls_buf_detach(&b);
}

static void test_source_git_walk_in_parts_lists_what_one_walk_does(void **state)
{
	/* two branches merged, a directory moved away and back, directories copied, refs to a
	 * tree, a subtree and a blob, an annotated tag */
	assert_int_equal(sh("git init -q -b main w && cd w && "
	                    "for i in $(seq 1 12); do mkdir -p d$((i %% 3)); echo v$i > d$((i %% 3))/f.txt; echo same > keep.txt; "
	                    "git add -A && git commit -qm m$i; done && git checkout -q -b side HEAD~6 && "
	                    "for i in $(seq 1 8); do echo s$i > side$((i %% 2)).txt; cp -r d0 copy$i; git add -A && git commit -qm s$i; done && "
	                    "git checkout -q main && git merge -q --no-edit side && git mv d1 moved && git commit -qm mv && "
	                    "git mv moved d1 && git commit -qm back && "
	                    "for i in $(seq 13 20); do echo v$i > d2/f.txt; echo v$i > copy3/f.txt; git add -A && git commit -qm m$i; done && "
	                    "git tag -a -m tagged t1 HEAD~3 && git tag tree1 'HEAD^{tree}' && git tag sub1 HEAD:d1 && "
	                    "git tag blob1 HEAD:keep.txt"),
	                 0);
	char *one = dump_history("w", 1, 1);
	assert_non_null(strstr(one, " copy8/f.txt "));
	/* what the refs to a blob and to a subtree hold, with no commit; the tag's message */
	assert_non_null(strstr(one, " refs/tags/blob1 -\n"));
	assert_non_null(strstr(one, " f.txt -\n"));
	assert_non_null(strstr(one, " <tag message: t1> -\n"));
	assert_null(strstr(one, "error:"));
	int parts[] = {2, 3, 5, 16, 100};
	for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++)
		for (int t = 1; t <= 2; t++) {
			char *got = dump_history("w", parts[k], t);
			assert_string_equal(got, one);
			free(got);
		}
	free(one);

	/* a tree every commit holds is missing: named once, however many parts meet it */
	assert_int_equal(sh("git init -q -b main wm && cd wm && mkdir sub && echo x > sub/a && echo 0 > top.txt && "
	                    "git add -A && git commit -qm c0 && for i in $(seq 1 9); do echo $i > top.txt; "
	                    "git commit -qam c$i; done && t=$(git rev-parse HEAD:sub) && "
	                    "rm -f .git/objects/$(echo $t | cut -c1-2)/$(echo $t | cut -c3-)"),
	                 0);
	one = dump_history("wm", 1, 1);
	char *first = strstr(one, "error: ");
	assert_non_null(first);
	assert_null(strstr(first + 1, "error: "));
	for (int t = 1; t <= 2; t++) {
		char *got = dump_history("wm", 4, t);
		assert_string_equal(got, one);
		free(got);
	}
	free(one);
	sh("rm -rf w wm");
}

static void test_source_git_not_a_repository(void **state)
{
	ls_git_repo *repo = NULL;
	assert_int_equal(ls_git_repo_open(&repo, "/proc"), LS_ENOTFOUND);
	assert_non_null(strstr(ls_error_last(), "not a git repository"));
	assert_null(repo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_source_git_history_each_blob_once_with_first_commit),
	    cmocka_unit_test(test_source_git_range_only_what_commits_introduced),
	    cmocka_unit_test(test_source_git_staged_reads_the_index),
	    cmocka_unit_test(test_source_git_missing_object_names_it),
	    cmocka_unit_test(test_source_git_not_a_repository),
	    cmocka_unit_test(test_source_git_walk_in_parts_lists_what_one_walk_does),
	    cmocka_unit_test(test_source_git_pack_delta_trees_read_as_git_does),
	};
	int rc = cmocka_run_group_tests(tests, setup, teardown);
	ls_git_shutdown();
	return rc;
}
