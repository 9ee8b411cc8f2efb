/* Unit tests of the libraries opened on first use (scanner/base/dynlib.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "dynlib.h"

/* a table of two libc functions, as an owner module declares one */
#define LIBC_FUNCTIONS(X) X(strlen) X(strchr)
LS_DYNLIB_DECLARE(testc, LIBC_FUNCTIONS)
LS_DYNLIB_DEFINE(testc, LIBC_FUNCTIONS, "libc.so.6");

static void test_dynlib_table_filled_on_first_use(void **state)
{
	(void)state;
	assert_int_equal(ls_testc_lib.ready, 0);
	assert_int_equal(ls_testc()->strlen("four"), 4);
	assert_int_equal(ls_testc_lib.ready, 1);
	const char *s = "a=b";
	assert_ptr_equal(ls_testc()->strchr(s, '='), s + 1);
	assert_int_equal(ls_dynlib_load(&ls_testc_lib), 0); /* loaded once, then a no-op */
}

static void test_dynlib_missing_library_is_an_error(void **state)
{
	(void)state;
	static const char *const names[] = {"strlen"};
	void *table[1] = {NULL};
	ls_dynlib lib = {"libleakscan-no-such-library.so.0", names, 1, table, 0, 0, {0}};
	assert_int_equal(ls_dynlib_load(&lib), LS_ERR);
	assert_non_null(strstr(ls_error_last(), "cannot load libleakscan-no-such-library.so.0: "));
	assert_null(table[0]);
	/* tried once: the same answer without a second attempt */
	ls_error_clear();
	assert_int_equal(ls_dynlib_load(&lib), LS_ERR);
	assert_non_null(strstr(ls_error_last(), "cannot load libleakscan-no-such-library.so.0"));
}

static void test_dynlib_missing_function_is_an_error(void **state)
{
	(void)state;
	static const char *const names[] = {"strlen", "ls_no_such_function"};
	void *table[2] = {NULL, NULL};
	ls_dynlib lib = {"libc.so.6", names, 2, table, 0, 0, {0}};
	assert_int_equal(ls_dynlib_load(&lib), LS_ERR);
	assert_string_equal(ls_error_last(),
	                    "cannot load libc.so.6: no function ls_no_such_function (a different version of the library?)");
	assert_int_equal(lib.ready, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dynlib_table_filled_on_first_use),
	    cmocka_unit_test(test_dynlib_missing_library_is_an_error),
	    cmocka_unit_test(test_dynlib_missing_function_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
