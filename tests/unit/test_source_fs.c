/* Unit tests of the path walker and the git ignore check it is given. */
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
#include "source_fs.h"
#include "source_git.h"
#include "testutil.h"

static char root[256];

static void put(const char *rel, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void mk(const char *rel)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void lnk(const char *target, const char *rel)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(symlink(target, p), 0);
}

static int setup(void **state)
{
	strcpy(root, "/tmp/ls-walk-XXXXXX");
	assert_non_null(mkdtemp(root));
	mk("b");
	mk("a");
	mk(".git");
	put(".git/config", "x");
	put("b/z.txt", "z");
	put("b/a.txt", "a");
	put("a/m.txt", "m");
	put("top.txt", "t");
	return 0;
}

static int teardown(void **state)
{
	return remove_tree(root);
}

static const char *rel(const ls_walk_list *l, size_t i) { return l->items[i].path + strlen(root) + 1; }

static void test_walk_sorted_and_skips_git(void **state)
{
	ls_walk_list l = LS_WALK_LIST_INIT;
	assert_int_equal(ls_fs_walk(root, NULL, &l), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(rel(&l, 0), "a/m.txt");
	assert_string_equal(rel(&l, 1), "b/a.txt");
	assert_string_equal(rel(&l, 2), "b/z.txt");
	assert_string_equal(rel(&l, 3), "top.txt");
	ls_walk_list_dispose(&l);
}

static int skip_b(const char *path, int is_dir, void *payload)
{
	(*(int *)payload)++;
	return is_dir && !strcmp(path + strlen(path) - 2, "/b");
}

static void test_walk_skip_prunes_directories(void **state)
{
	int calls = 0;
	ls_walk_options o = LS_WALK_OPTIONS_INIT;
	o.skip = skip_b;
	o.skip_payload = &calls;
	ls_walk_list l = LS_WALK_LIST_INIT;
	assert_int_equal(ls_fs_walk(root, &o, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(calls, 4); /* a, a/m.txt, b, top.txt: nothing below b is visited */
	ls_walk_list_dispose(&l);
}

static void on_err(const char *path, const char *msg, void *payload)
{
	ls_buf *b = payload;
	ls_buf_printf(b, "%s|", msg);
}

static void test_walk_symlinks(void **state)
{
	lnk("../a", "b/link-dir");
	lnk("..", "b/loop");
	lnk("missing", "b/broken");
	ls_walk_list l = LS_WALK_LIST_INIT;
	assert_int_equal(ls_fs_walk(root, NULL, &l), 0);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.skipped_links, 3);
	ls_walk_list_dispose(&l);

	ls_buf errs = LS_BUF_INIT;
	ls_walk_options o = LS_WALK_OPTIONS_INIT;
	o.follow_symlinks = 1;
	o.on_error = on_err;
	o.error_payload = &errs;
	assert_int_equal(ls_fs_walk(root, &o, &l), LS_EIO);
	assert_string_equal(errs.ptr, "broken symbolic link|symbolic link loop|");
	/* a/m.txt twice: once directly, once through b/link-dir */
	assert_int_equal(l.n, 5);
	ls_walk_list_dispose(&l);
	ls_buf_dispose(&errs);
}

static void test_walk_missing_root(void **state)
{
	ls_walk_list l = LS_WALK_LIST_INIT;
	assert_int_equal(ls_fs_walk("/nonexistent/x", NULL, &l), LS_ENOTFOUND);
	assert_string_equal(ls_error_last(), "'/nonexistent/x': no such file or directory");
	ls_walk_list_dispose(&l);
}

static void test_git_ignore_check(void **state)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd),
	         "cd '%s' && rm -rf .git && git init -q . && printf 'b/\\n*.log\\n' > .gitignore && "
	         "echo x > keep.log && git add -f keep.log",
	         root);
	assert_int_equal(system(cmd), 0);
	ls_git_ignore *ig = NULL;
	assert_int_equal(ls_git_ignore_open(&ig, root), 0);
	char p[512];
	snprintf(p, sizeof(p), "%s/b", root);
	assert_int_equal(ls_git_ignore_check(ig, p, 1), 1);
	snprintf(p, sizeof(p), "%s/a", root);
	assert_int_equal(ls_git_ignore_check(ig, p, 1), 0);
	snprintf(p, sizeof(p), "%s/other.log", root);
	assert_int_equal(ls_git_ignore_check(ig, p, 0), 1);
	snprintf(p, sizeof(p), "%s/keep.log", root); /* tracked despite the pattern */
	assert_int_equal(ls_git_ignore_check(ig, p, 0), 0);
	ls_git_ignore_free(ig);
	assert_int_equal(ls_git_ignore_open(&ig, "/"), LS_ENOTFOUND);
}

int main(void)
{
	ls_git_init();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_walk_sorted_and_skips_git, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_walk_skip_prunes_directories, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_walk_symlinks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_walk_missing_root, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_git_ignore_check, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	ls_git_shutdown();
	return rc;
}
