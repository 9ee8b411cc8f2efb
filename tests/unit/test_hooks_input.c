/* Unit tests of what the hooks read: the commit message as git records it (issue 18, item
 * 15), pre-push's standard input (item 16), and hooks edited after install (item 22). */
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
#include "hooks.h"

#define CUT " ------------------------ >8 ------------------------\n"

static char *clean(const char *msg, ls_hook_cleanup mode, const char *comment, int editor, int verbose)
{
	ls_hook_msg_options o = LS_HOOK_MSG_OPTIONS_INIT;
	o.cleanup = mode;
	o.comment = comment;
	o.editor = editor;
	o.verbose = verbose;
	ls_buf b = LS_BUF_INIT;
	ls_hook_msg_cleanup(&b, msg, strlen(msg), &o);
	ls_buf_putc(&b, '\0');
	return ls_buf_detach(&b);
}

static void expect_clean(const char *msg, ls_hook_cleanup mode, const char *comment, int editor, int verbose,
                         const char *want)
{
	char *got = clean(msg, mode, comment, editor, verbose);
	assert_string_equal(got, want);
	free(got);
}

static void test_hooks_item15_cleanup_like_git(void **state)
{
	const char *fake = "fix typo\n;" CUT "key\n";
	const char *real = "fix typo\n#" CUT "key\n";
	/* the repro: ';' is no comment character, and nothing is cut without an editor */
	expect_clean(fake, LS_HOOK_CLEANUP_DEFAULT, "#", 0, 0, "fix typo\n;" CUT "key\n");
	expect_clean(fake, LS_HOOK_CLEANUP_SCISSORS, "#", 1, 0, "fix typo\n;" CUT "key\n");
	/* git's own line: cut in scissors mode after an editor, or with commit.verbose */
	expect_clean(real, LS_HOOK_CLEANUP_SCISSORS, "#", 1, 0, "fix typo\n");
	expect_clean(real, LS_HOOK_CLEANUP_DEFAULT, "#", 1, 1, "fix typo\n");
	expect_clean(real, LS_HOOK_CLEANUP_VERBATIM, "#", 1, 1, "fix typo\n");
	/* not without an editor (scissors means whitespace then), nor in default mode without
	 * commit.verbose (-v is not visible), nor with an unknown comment character */
	expect_clean(real, LS_HOOK_CLEANUP_SCISSORS, "#", 0, 0, real);
	expect_clean(real, LS_HOOK_CLEANUP_DEFAULT, "#", 1, 0, "fix typo\nkey\n");
	expect_clean(real, LS_HOOK_CLEANUP_SCISSORS, NULL, 1, 1, real);
	/* the line must be whole, at the start of a line, and end with '\n' */
	expect_clean("a\n #" CUT "k\n", LS_HOOK_CLEANUP_SCISSORS, "#", 1, 0, "a\n #" CUT "k\n");
	expect_clean("a\n# ------------------------ >8 ------------------------", LS_HOOK_CLEANUP_SCISSORS, "#", 1, 0,
	             "a\n# ------------------------ >8 ------------------------\n");
	expect_clean("#" CUT "k\n", LS_HOOK_CLEANUP_SCISSORS, "#", 1, 0, "");
	expect_clean("a\n;" CUT "k\n", LS_HOOK_CLEANUP_SCISSORS, ";", 1, 0, "a\n");
	/* comment lines go only in strip mode (or default with an editor) */
	expect_clean("a\n# k\n;b\n", LS_HOOK_CLEANUP_STRIP, "#", 0, 0, "a\n;b\n");
	expect_clean("a\n# k\n", LS_HOOK_CLEANUP_DEFAULT, "#", 1, 0, "a\n");
	expect_clean("a\n# k\n", LS_HOOK_CLEANUP_DEFAULT, "#", 0, 0, "a\n# k\n");
	expect_clean("a\n# k\n", LS_HOOK_CLEANUP_STRIP, NULL, 1, 0, "a\n# k\n");
	expect_clean("a\n# k\n", LS_HOOK_CLEANUP_WHITESPACE, "#", 1, 0, "a\n# k\n");
	/* whitespace: trailing blanks, squeezed empty lines, none at either end */
	expect_clean("\n\n a \t\r\n\n\n\nb\n\n", LS_HOOK_CLEANUP_WHITESPACE, "#", 0, 0, " a\n\nb\n");
	expect_clean(" a \n", LS_HOOK_CLEANUP_VERBATIM, "#", 0, 0, " a \n");
	/* git looks for the scissors line with strstr: not past a NUL */
	const char nul[] = "a\0b\n#" CUT "k\n";
	ls_hook_msg_options o = LS_HOOK_MSG_OPTIONS_INIT;
	o.cleanup = LS_HOOK_CLEANUP_SCISSORS;
	o.editor = 1;
	ls_buf b = LS_BUF_INIT;
	ls_hook_msg_cleanup(&b, nul, sizeof(nul) - 1, &o);
	assert_true(b.len > 5 && memmem(b.ptr, b.len, "k\n", 2) != NULL);
	ls_buf_dispose(&b);

	ls_hook_cleanup m;
	assert_int_equal(ls_hook_cleanup_parse(NULL, &m), 0);
	assert_int_equal(m, LS_HOOK_CLEANUP_DEFAULT);
	assert_int_equal(ls_hook_cleanup_parse("scissors", &m), 0);
	assert_int_equal(m, LS_HOOK_CLEANUP_SCISSORS);
	assert_int_equal(ls_hook_cleanup_parse("Strip", &m), LS_EINVAL);
	assert_int_equal(m, LS_HOOK_CLEANUP_VERBATIM);
}

#define Z40 "0000000000000000000000000000000000000000"
#define A40 "1111111111111111111111111111111111111111"
#define B40 "abcdefabcdefabcdefabcdefabcdefabcdef0123"

static void test_hooks_item16_push_line_parser(void **state)
{
	ls_hook_push_line l;
	const char *ok = "refs/heads/main " A40 " refs/heads/feature " B40;
	assert_int_equal(ls_hook_push_parse_line(&l, ok, strlen(ok)), 0);
	assert_int_equal(l.local_ref_len, strlen("refs/heads/main"));
	assert_memory_equal(l.remote_ref, "refs/heads/feature", l.remote_ref_len);
	assert_string_equal(l.local_id, A40);
	assert_string_equal(l.remote_id, B40);
	assert_false(l.deleted);
	assert_false(l.remote_new);
	const char *del = "(delete) " Z40 " refs/heads/x " A40;
	assert_int_equal(ls_hook_push_parse_line(&l, del, strlen(del)), 0);
	assert_true(l.deleted);
	const char *bad[] = {"", "a " A40 " b", "a " A40 " b " B40 " c", "a  " A40 " b " B40, "a " A40 " b " B40 "\r",
	                     "a " A40 " b 1111", "a\x1b " A40 " b " B40, "a " A40 " b ABCDEFABCDEFABCDEFABCDEFABCDEFABCDEF0123",
	                     "a " A40 " b " A40 A40 "111111111111111111111111"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ls_hook_push_parse_line(&l, bad[i], strlen(bad[i])), LS_EINVAL);
		assert_null(l.local_ref);
	}
	ls_hook_push_line *v;
	size_t n;
	const char *in = "refs/heads/a " A40 " refs/heads/a " Z40 "\nrefs/tags/t " B40 " refs/tags/t " Z40;
	assert_int_equal(ls_hook_push_parse(&v, &n, in, strlen(in)), 0);
	assert_int_equal(n, 2);
	assert_true(v[1].remote_new);
	free(v);
	const char *in_bad = "refs/heads/a " A40 " refs/heads/a " Z40 "\n\n";
	assert_int_equal(ls_hook_push_parse(&v, &n, in_bad, strlen(in_bad)), LS_EINVAL);
	assert_null(v);
	assert_int_equal(n, 0);
	ls_error_clear();
}

static void test_hooks_item22_edited_hook_detected(void **state)
{
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/leakscan-test-hooks-in.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(dir));
	ls_hook_options o = LS_HOOK_OPTIONS_INIT;
	ls_buf msg = LS_BUF_INIT, warn = LS_BUF_INIT;
	assert_int_equal(ls_hook_install(dir, LS_HOOK_PRE_COMMIT, &o, &msg, &warn), 0);
	char *p = ls_xasprintf("%s/pre-commit", dir);
	char *kept = ls_xasprintf("%s/pre-commit" LS_HOOK_EDITED_SUFFIX, dir);
	assert_false(ls_hook_is_edited(p));
	FILE *f = fopen(p, "a");
	assert_non_null(f);
	fputs("echo mine\n", f);
	fclose(f);
	assert_true(ls_hook_is_edited(p));
	/* --force keeps the edited hook aside, then the fresh one is intact */
	o.force = 1;
	assert_int_equal(ls_hook_install(dir, LS_HOOK_PRE_COMMIT, &o, &msg, &warn), 0);
	assert_non_null(strstr(warn.ptr, "kept as"));
	assert_int_equal(access(kept, F_OK), 0);
	assert_false(ls_hook_is_edited(p));
	ls_buf_clear(&warn);
	assert_int_equal(ls_hook_uninstall(dir, LS_HOOK_PRE_COMMIT, &msg, &warn), 0);
	assert_int_equal(warn.len, 0);
	assert_int_not_equal(access(p, F_OK), 0);
	unlink(kept);
	/* a hook of an older leakscan has the marker but no checksum: kept, never dropped */
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\n" LS_HOOK_MARKER ": pre-commit (v1)\nexit 0\n", f);
	fclose(f);
	assert_int_equal(ls_hook_is_edited(p), 2);
	ls_buf_clear(&msg);
	assert_int_equal(ls_hook_install(dir, LS_HOOK_PRE_COMMIT, &o, &msg, &warn), 0);
	assert_non_null(strstr(warn.ptr, "no checksum line"));
	assert_int_equal(access(kept, F_OK), 0);
	assert_int_equal(ls_hook_is_edited(p), 0);
	unlink(kept);
	unlink(p);
	rmdir(dir);
	free(p);
	free(kept);
	ls_buf_dispose(&msg);
	ls_buf_dispose(&warn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hooks_item15_cleanup_like_git),
	    cmocka_unit_test(test_hooks_item16_push_line_parser),
	    cmocka_unit_test(test_hooks_item22_edited_hook_detected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
