/* Unit tests of hooks edited after install (issue 18, item 22). */
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
	rmdir(dir);
	free(p);
	free(kept);
	ls_buf_dispose(&msg);
	ls_buf_dispose(&warn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hooks_item22_edited_hook_detected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
