/* Unit tests of the hooks module: hook scripts, install/uninstall/chaining, ERE translation
 * and git-secrets' word-matching rules. */
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
#include "testutil.h"
#include "ere.h"
#include "hooks.h"

static char dir[256];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "%s/leakscan-test-hooks.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	return remove_tree(dir);
}

static char *path_in(const char *rel) { return ls_xasprintf("%s/%s", dir, rel); }

static void put(const char *rel, const char *text, mode_t mode)
{
	char *p = path_in(rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(p, mode), 0);
	free(p);
}

static char *slurp(const char *rel)
{
	char *p = path_in(rel);
	ls_buf b = LS_BUF_INIT;
	int rc = ls_read_file(&b, p);
	free(p);
	if (rc < 0) {
		ls_buf_dispose(&b);
		return NULL;
	}
	return ls_buf_detach(&b);
}

static void test_hooks_script_has_marker_and_quotes_path(void **state)
{
	ls_hook_options o = LS_HOOK_OPTIONS_INIT;
	o.leakscan_path = "/opt/it's here/leakscan";
	char *s = ls_hook_script(LS_HOOK_PRE_COMMIT, &o);
	assert_non_null(strstr(s, "\n" LS_HOOK_MARKER ": pre-commit (v1)\n"));
	assert_non_null(strstr(s, "leakscan='/opt/it'\\''s here/leakscan'\n"));
	assert_non_null(strstr(s, "git --staged --redact"));
	assert_non_null(strstr(s, "global=0\n"));
	free(s);
	o.global = 1;
	s = ls_hook_script(LS_HOOK_PRE_PUSH, &o);
	assert_non_null(strstr(s, "global=1\n"));
	assert_non_null(strstr(s, "hook push-plan \"$HOOK_ARGS1\""));
	free(s);
	s = ls_hook_script(LS_HOOK_COMMIT_MSG, &o);
	assert_non_null(strstr(s, "--message \"$msg\""));
	assert_non_null(strstr(s, "hook clean-message \"$1\""));
	free(s);
}

static void test_hooks_install_chains_and_uninstall_restores_bytes_and_mode(void **state)
{
	ls_hook_options o = LS_HOOK_OPTIONS_INIT;
	o.leakscan_path = "/usr/bin/leakscan";
	ls_buf msg = LS_BUF_INIT;
	const char *prev = "#!/bin/sh\n# someone else's hook\nexit 0\n";
	put("pre-commit", prev, 0700);
	assert_int_equal(ls_hook_install(dir, LS_HOOK_PRE_COMMIT, &o, &msg, &msg), 0);
	char *p = path_in("pre-commit");
	assert_true(ls_hook_is_ours(p));
	char *chained = slurp("pre-commit" LS_HOOK_CHAINED_SUFFIX);
	assert_string_equal(chained, prev);
	free(chained);
	/* installing again changes nothing; --force rewrites only ours */
	ls_buf_clear(&msg);
	assert_int_equal(ls_hook_install(dir, LS_HOOK_PRE_COMMIT, &o, &msg, &msg), 0);
	assert_non_null(strstr(msg.ptr, "already installed"));
	o.force = 1;
	assert_int_equal(ls_hook_install(dir, LS_HOOK_PRE_COMMIT, &o, &msg, &msg), 0);
	chained = slurp("pre-commit" LS_HOOK_CHAINED_SUFFIX);
	assert_string_equal(chained, prev);
	free(chained);
	assert_int_equal(ls_hook_uninstall(dir, LS_HOOK_PRE_COMMIT, &msg, &msg), 0);
	char *back = slurp("pre-commit");
	assert_string_equal(back, prev);
	free(back);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_false(ls_hook_is_ours(p));
	/* uninstall again: the foreign hook is left alone */
	ls_buf_clear(&msg);
	assert_int_equal(ls_hook_uninstall(dir, LS_HOOK_PRE_COMMIT, &msg, &msg), 0);
	assert_non_null(strstr(msg.ptr, "left alone"));
	free(p);
	ls_buf_dispose(&msg);
}

static void test_hooks_d_directory_and_status(void **state)
{
	ls_hook_options o = LS_HOOK_OPTIONS_INIT;
	ls_buf msg = LS_BUF_INIT;
	char *d = path_in("pre-push.d");
	assert_int_equal(mkdir(d, 0755), 0);
	assert_int_equal(ls_hook_install(dir, LS_HOOK_PRE_PUSH, &o, &msg, &msg), 0);
	char *in_d = path_in("pre-push.d/leakscan");
	assert_true(ls_hook_is_ours(in_d));
	ls_buf_clear(&msg);
	ls_hook_status(dir, LS_HOOK_PRE_PUSH, &msg);
	assert_non_null(strstr(msg.ptr, "pre-push: leakscan ("));
	ls_buf_clear(&msg);
	ls_hook_status(dir, LS_HOOK_COMMIT_MSG, &msg);
	assert_string_equal(msg.ptr, "commit-msg: not installed\n");
	assert_int_equal(ls_hook_uninstall(dir, LS_HOOK_PRE_PUSH, &msg, &msg), 0);
	assert_int_not_equal(access(in_d, F_OK), 0);
	free(d);
	free(in_d);
	ls_buf_dispose(&msg);
}

static void test_hooks_chain_refused_when_chained_name_taken(void **state)
{
	ls_hook_options o = LS_HOOK_OPTIONS_INIT;
	ls_buf msg = LS_BUF_INIT;
	put("commit-msg", "#!/bin/sh\nexit 0\n", 0755);
	put("commit-msg" LS_HOOK_CHAINED_SUFFIX, "#!/bin/sh\nexit 3\n", 0755);
	assert_int_equal(ls_hook_install(dir, LS_HOOK_COMMIT_MSG, &o, &msg, &msg), LS_EINVAL);
	assert_non_null(strstr(ls_error_last(), "already exists"));
	char *kept = slurp("commit-msg");
	assert_string_equal(kept, "#!/bin/sh\nexit 0\n");
	free(kept);
	ls_buf_dispose(&msg);
}

static void expect_translation(const char *ere, const char *pcre)
{
	ls_buf b = LS_BUF_INIT;
	assert_int_equal(ls_ere_to_pcre2(&b, ere), 0);
	assert_string_equal(b.ptr, pcre);
	ls_buf_dispose(&b);
}

static void test_hooks_ere_translation(void **state)
{
	expect_translation("abc", "abc");
	expect_translation("[[:alnum:]_]+", "[[:alnum:]\\x5f]+");
	expect_translation("[]a]", "[\\x5d\\x61]");
	expect_translation("[^a-z]", "[^\\x61-\\x7a]");
	expect_translation("[\\d]", "[\\x5c\\x64]");
	expect_translation("a{,3}", "a{0,3}");
	expect_translation("a{2,}b{3}", "a{2,}b{3}");
	expect_translation("a{x", "a\\{x");
	expect_translation("a**", "(?:a*)*");
	expect_translation("a+?", "(?:a+)?");
	expect_translation("\\<w\\>", "\\b(?=\\w)w\\b(?<=\\w)");
	expect_translation("\\d\\.", "d\\.");
	expect_translation("(a|b)\\1", "(a|b)(?:\\1)");
	expect_translation("x}]#", "x\\}\\]#");
	ls_buf b = LS_BUF_INIT;
	assert_int_equal(ls_ere_to_pcre2(&b, "a("), LS_EINVAL);
	assert_int_equal(ls_ere_to_pcre2(&b, "[[:nope:]]"), LS_EINVAL);
	assert_string_equal(ls_error_last(), "Invalid character class name");
	assert_int_equal(ls_ere_to_pcre2(&b, "[z-a]"), LS_EINVAL);
	assert_int_equal(ls_ere_to_pcre2(&b, "abc\\"), LS_EINVAL);
	/* reported by fuzz_ere: a reference to a group not closed yet, a count above RE_DUP_MAX */
	assert_int_equal(ls_ere_to_pcre2(&b, "\\8"), LS_EINVAL);
	assert_int_equal(ls_ere_to_pcre2(&b, "(a)\\2"), LS_EINVAL);
	assert_int_equal(ls_ere_to_pcre2(&b, "(a\\1)"), LS_EINVAL);
	assert_string_equal(ls_error_last(), "Invalid back reference");
	assert_int_equal(ls_ere_to_pcre2(&b, "a{9,1000000}"), LS_EINVAL);
	assert_string_equal(ls_error_last(), "Regular expression too big");
	assert_int_equal(ls_ere_to_pcre2(&b, "a{99999999999999999999}"), LS_EINVAL);
	expect_translation("a{1,32767}", "a{1,32767}");
	ls_buf_dispose(&b);
}

static int match(ls_ere_mode mode, const char *pattern, const char *line)
{
	ls_ere *e = NULL;
	char *notes = NULL;
	const char *pats[] = {pattern};
	assert_int_equal(ls_ere_new(&e, pats, 1, mode, &notes), 0);
	free(notes);
	int r = ls_ere_match_line(e, line, strlen(line));
	ls_ere_free(e);
	return r;
}

static void test_hooks_ere_word_rules_grep_vs_git_grep(void **state)
{
	/* GNU grep -w retries a shorter match at the same start; git grep -w does not */
	assert_true(match(LS_ERE_GREP_WORDS, "x[a-z.]*", "xy.z1"));
	assert_false(match(LS_ERE_GIT_GREP_WORDS, "x[a-z.]*", "xy.z1"));
	/* both look at later starts */
	assert_true(match(LS_ERE_GREP_WORDS, "foo", "foo_bar foo-bar"));
	assert_true(match(LS_ERE_GIT_GREP_WORDS, "foo", "foo_bar foo-bar"));
	assert_false(match(LS_ERE_GIT_GREP_WORDS, "bar", "foo_bar xbar"));
	/* leftmost-longest: ab|abc takes abc */
	assert_true(match(LS_ERE_GIT_GREP_WORDS, "ab|abc", "abc"));
	/* an empty match counts for grep -w, not for git grep -w */
	assert_true(match(LS_ERE_GREP_WORDS, "y*", " x"));
	assert_false(match(LS_ERE_GIT_GREP_WORDS, "y*", " x"));
	/* plain grep: anywhere */
	assert_true(match(LS_ERE_GREP, "b.c", "xxab-cxx"));
	assert_false(match(LS_ERE_GREP, "b.c", "xxabcxx"));
	/* back-references go to the C library's engine */
	assert_true(match(LS_ERE_GIT_GREP_WORDS, "(ab)\\1", "x abab y"));
	assert_false(match(LS_ERE_GIT_GREP_WORDS, "(ab)\\1", "x ababc y"));
}

static void test_hooks_ere_invalid_and_grep_warnings(void **state)
{
	ls_ere *e = NULL;
	char *notes = NULL;
	const char *bad[] = {"a("};
	assert_int_equal(ls_ere_new(&e, bad, 1, LS_ERE_GREP_WORDS, &notes), LS_EINVAL);
	assert_string_equal(ls_error_last(), "Unmatched ( or \\(");
	/* git grep (regcomp) rejects a leading repetition; GNU grep warns and drops it */
	const char *lead[] = {"*b"};
	assert_int_equal(ls_ere_new(&e, lead, 1, LS_ERE_GIT_GREP_WORDS, &notes), LS_EINVAL);
	assert_int_equal(ls_ere_new(&e, lead, 1, LS_ERE_GREP_WORDS, &notes), 0);
	assert_string_equal(notes, "grep: warning: * at start of expression\n");
	assert_true(ls_ere_match_line(e, "a b", 3));
	free(notes);
	ls_ere_free(e);
}

static void test_hooks_ere_whole_file_prefilter(void **state)
{
	ls_ere *e = NULL;
	const char *pats[] = {"^end.$", "\\`start"};
	assert_int_equal(ls_ere_new(&e, pats, 1, LS_ERE_GIT_GREP_WORDS, NULL), 0);
	const char *file = "a\nend\r\nb\n";
	assert_true(ls_ere_may_match(e, file, strlen(file)));
	assert_false(ls_ere_may_match(e, "a\nb\n", 4));
	ls_ere_free(e);
	/* buffer-start anchors mean line starts per line: no prefilter, always "may" */
	assert_int_equal(ls_ere_new(&e, pats + 1, 1, LS_ERE_GREP_WORDS, NULL), 0);
	assert_true(ls_ere_may_match(e, "x\nstart\n", 9));
	assert_true(ls_ere_match_line(e, "start", 5));
	ls_ere_free(e);
}

/* The prefilter is kept on disk: a rerun reads it, a corrupt file is recompiled and rewritten. */
static void test_hooks_ere_prefilter_cache(void **state)
{
	char cdir[] = "/tmp/ls-ere-cache-XXXXXX";
	assert_non_null(mkdtemp(cdir));
	const char *pats[] = {"AKIA[A-Z0-9]{16}", "tok_[a-z]{8}"};
	const char *file = "x\nkey = AKIAABCDEFGHIJKLMNOP\n";
	for (int round = 0; round < 3; round++) {
		ls_ere *e = NULL;
		assert_int_equal(ls_ere_new_cached(&e, pats, 2, LS_ERE_GREP_WORDS, cdir, NULL), 0);
		assert_true(ls_ere_may_match(e, file, strlen(file)));
		assert_false(ls_ere_may_match(e, "a\nb\n", 4));
		assert_true(ls_ere_match_line(e, "key = AKIAABCDEFGHIJKLMNOP", 26));
		ls_ere_free(e);
		assert_int_equal(count_hs_cache_files(cdir), 1);
		if (round == 1) {
			char cmd[300];
			snprintf(cmd, sizeof(cmd), "for f in '%s'/hs-*.db; do printf LSEREDB1garbage > \"$f\"; done", cdir);
			assert_int_equal(system(cmd), 0);
		}
	}
	/* other patterns, another file */
	ls_ere *e = NULL;
	assert_int_equal(ls_ere_new_cached(&e, pats, 1, LS_ERE_GREP_WORDS, cdir, NULL), 0);
	assert_false(ls_ere_may_match(e, "tok_abcdefgh\n", 13));
	ls_ere_free(e);
	assert_int_equal(count_hs_cache_files(cdir), 2);
	assert_int_equal(remove_tree(cdir), 0);
}

static void test_hooks_gs_literal(void **state)
{
	char *s = ls_ere_literal("a.b|c$(d){e}?+*^\\]");
	assert_string_equal(s, "a\\.b\\|c\\$\\(d\\)\\{e\\}\\?\\+\\*\\^\\\\]");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hooks_script_has_marker_and_quotes_path),
	    cmocka_unit_test_setup_teardown(test_hooks_install_chains_and_uninstall_restores_bytes_and_mode, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hooks_d_directory_and_status, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hooks_chain_refused_when_chained_name_taken, setup, teardown),
	    cmocka_unit_test(test_hooks_ere_translation),
	    cmocka_unit_test(test_hooks_ere_word_rules_grep_vs_git_grep),
	    cmocka_unit_test(test_hooks_ere_invalid_and_grep_warnings),
	    cmocka_unit_test(test_hooks_ere_whole_file_prefilter),
	    cmocka_unit_test(test_hooks_ere_prefilter_cache),
	    cmocka_unit_test(test_hooks_gs_literal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
