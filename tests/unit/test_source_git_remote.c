/* Unit tests of the bulk-scan side of source_git: clone URL detection, the history walk as bulk
 * scans use it (each blob once with every place, ref tips digest) and mirrors of file:// URLs. */
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

static char *dir;

/* libgit2 1.5 leaks a PCRE2 match block per non-matching regex search while it loads a
 * remote's configuration (fixed upstream by libgit2 pull request #6382, after 1.5); LSan's
 * stacks stop inside libpcre2, so the suppression names the library. Read by LSan only. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libpcre2-8.so\n"; }

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = NULL;
	assert_true(vasprintf(&cmd, fmt, ap) >= 0);
	va_end(ap);
	char *full = ls_xasprintf("cd '%s' && { %s; } >/dev/null 2>&1", dir, cmd);
	assert_int_equal(system(full), 0);
	free(cmd);
	free(full);
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/test_source_git_remote.XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	dir = ls_xstrdup(tmpl);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_AUTHOR_NAME", "T", 1);
	setenv("GIT_AUTHOR_EMAIL", "t@example.invalid", 1);
	setenv("GIT_COMMITTER_NAME", "T", 1);
	setenv("GIT_COMMITTER_EMAIL", "t@example.invalid", 1);
	setenv("GIT_AUTHOR_DATE", "2024-01-02T03:04:05Z", 1);
	setenv("GIT_COMMITTER_DATE", "2024-01-02T03:04:05Z", 1);
	ls_git_init();
	return 0;
}

static int teardown(void **state)
{
	sh("rm -rf '%s'", dir);
	free(dir);
	return 0;
}

static void test_git_is_url(void **state)
{
	static const char *urls[] = {"https://github.com/o/r.git", "http://h/r", "ssh://git@h:22/r", "git://h/r",
	                             "file:///srv/r.git", "git@github.com:o/r.git", "u@h:r"};
	static const char *paths[] = {"/srv/r.git", "r", "./a:b", "dir/x@y:z", "C", "host:", ""};
	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++)
		assert_int_equal(ls_git_is_url(urls[i]), 1);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		assert_int_equal(ls_git_is_url(paths[i]), 0);
}

/* The one walker bulk scans share with `leakscan git`: a blob is one item however many paths
 * hold it, every further path is a place with the first commit holding it there, and the
 * tips digest tells an unchanged repository. */
static void test_git_history_each_blob_once_with_every_place(void **state)
{
	sh("git init -q -b main r && cd r && echo one > a.txt && mkdir d && echo one > d/copy.txt && git add -A && "
	   "git commit -qm first && echo two > b.txt && git add -A && git commit -qm second");
	char *path = ls_xasprintf("%s/r", dir);
	ls_git_repo *repo = NULL;
	assert_int_equal(ls_git_repo_open(&repo, path), 0);
	char tips1[65];
	ls_git_repo_tips(repo, tips1);
	assert_int_equal(strlen(tips1), 64);
	ls_git_history *h = NULL;
	ls_git_history_options o = LS_GIT_HISTORY_OPTIONS_INIT;
	assert_int_equal(ls_git_history_new(&h, repo, &o), 0);
	assert_string_equal(ls_git_history_tips(h), tips1);
	assert_int_equal(ls_git_history_nerrors(h), 0);
	/* message 1, one's blob (at a.txt and d/copy.txt), message 2, two's blob */
	assert_int_equal(ls_git_history_count(h), 4);
	assert_true(ls_git_history_item_is_message(h, 0));
	assert_false(ls_git_history_item_is_message(h, 1));
	ls_git_reader *rd = NULL;
	assert_int_equal(ls_git_reader_new(&rd, h), 0);
	const ls_origin *pl;
	assert_int_equal(ls_git_reader_places(rd, 1, &pl), 2);
	assert_string_equal(pl[0].path, "a.txt");
	assert_string_equal(pl[1].path, "d/copy.txt");
	assert_true(pl[0].is_path && pl[1].is_path);
	assert_non_null(pl[0].commit);
	assert_string_equal(pl[0].commit, pl[1].commit);
	ls_git_content c;
	assert_int_equal(ls_git_reader_read(rd, 1, 1 << 20, &c), 0);
	assert_int_equal(c.len, 4);
	assert_memory_equal(c.data, "one\n", 4);
	assert_int_equal(ls_git_reader_read(rd, 1, 2, &c), 0);
	assert_true(c.too_large);
	ls_provenance p;
	memset(&p, 0, sizeof(p));
	ls_git_reader_provenance(rd, 3, 0, &p);
	assert_string_equal(p.author_name, "T");
	assert_string_equal(p.date, "2024-01-02T03:04:05Z");
	ls_finding tmp;
	memset(&tmp, 0, sizeof(tmp));
	tmp.prov = p;
	ls_finding_dispose(&tmp);
	ls_git_reader_free(rd);
	ls_git_history_free(h);
	/* a renamed directory: its blobs get a place at their new paths, once, with the commit of
	 * the rename */
	sh("cd r && git mv d e && git commit -qm rename && git commit -q --allow-empty -m again");
	assert_int_equal(ls_git_history_new(&h, repo, &o), 0);
	assert_int_equal(ls_git_history_count(h), 6); /* + 2 messages */
	assert_int_equal(ls_git_reader_new(&rd, h), 0);
	assert_int_equal(ls_git_reader_places(rd, 1, &pl), 3);
	assert_string_equal(pl[2].path, "e/copy.txt");
	assert_string_not_equal(pl[2].commit, pl[0].commit);
	ls_git_reader_free(rd);
	ls_git_history_free(h);
	/* a new ref changes the tips digest */
	sh("cd r && git tag v1");
	char tips2[65];
	ls_git_repo_tips(repo, tips2);
	assert_string_not_equal(tips2, tips1);
	ls_git_repo_free(repo);
	free(path);
}

/* The same with either way of cloning (the git program, libgit2). */
static void mirror_clone_then_fetch(int how, const char *tag)
{
	char *cmd = ls_xasprintf("git init -q -b main src%s && cd src%s && echo x > x.txt && git add -A && git commit -qm x && "
	                         "git branch side", tag, tag);
	sh("%s", cmd);
	free(cmd);
	char *url = ls_xasprintf("file://%s/src%s", dir, tag);
	char *mirror = ls_xasprintf("%s/m%s.git", dir, tag);
	size_t received = 0;
	assert_int_equal(ls_git_mirror_update(url, mirror, how, NULL, &received), 0);
	assert_true(received > 0); /* what the progress line shows */
	cmd = ls_xasprintf("test \"$(git -C m%s.git rev-parse side)\" = \"$(git -C src%s rev-parse side)\" && test -z \"$(ls -d m%s.git.tmp* 2>/dev/null)\"",
	                   tag, tag, tag);
	sh("%s", cmd);
	free(cmd);
	cmd = ls_xasprintf("cd src%s && echo y > y.txt && git add -A && git commit -qm y && git branch -D side && git tag t1", tag);
	sh("%s", cmd);
	free(cmd);
	assert_int_equal(ls_git_mirror_update(url, mirror, how, NULL, NULL), 0);
	/* fetched with pruning: the new commit and tag are there, the deleted branch is gone */
	cmd = ls_xasprintf("test \"$(git -C m%s.git rev-parse main)\" = \"$(git -C src%s rev-parse main)\" && "
	                   "git -C m%s.git rev-parse -q t1 >/dev/null && ! git -C m%s.git rev-parse --verify -q side",
	                   tag, tag, tag, tag);
	sh("%s", cmd);
	free(cmd);
	char *bad = ls_xasprintf("file://%s/missing", dir);
	char *bad_mirror = ls_xasprintf("%s/bad%s.git", dir, tag);
	assert_int_equal(ls_git_mirror_update(bad, bad_mirror, how, NULL, NULL), LS_EIO);
	assert_non_null(strstr(ls_error_last(), "cannot clone"));
	assert_int_equal(access(bad_mirror, F_OK), -1);
	free(bad), free(bad_mirror), free(url), free(mirror);
}

static void test_git_mirror_clone_then_fetch(void **state)
{
	mirror_clone_then_fetch(LS_GIT_MIRROR_LIBGIT2, "-lg2");
	if (ls_git_mirror_have_program())
		mirror_clone_then_fetch(LS_GIT_MIRROR_PROGRAM, "-git");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_git_is_url),
	    cmocka_unit_test(test_git_history_each_blob_once_with_every_place),
	    cmocka_unit_test(test_git_mirror_clone_then_fetch),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
