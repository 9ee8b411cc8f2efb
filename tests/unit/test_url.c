/* Unit tests of clone URLs without their credentials (issue 18, item 7). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"

static void check(const char *url, const char *drop, const char *mask)
{
	char *d = ls_url_redact(url, LS_URL_DROP), *m = ls_url_redact(url, LS_URL_MASK);
	assert_string_equal(d, drop);
	assert_string_equal(m, mask);
	char *again = ls_url_redact(d, LS_URL_DROP); /* a name is its own name */
	assert_string_equal(again, d);
	free(again), free(d), free(m);
}

static void test_url_item7_credentials_removed(void **state)
{
	(void)state;
	check("http://alice:s3cret-pass@host/r/.git", "http://host/r/.git", "http://alice:***@host/r/.git");
	check("https://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@github.com/o/r", "https://github.com/o/r",
	      "https://***@github.com/o/r");
	check("https://u:p@ss:w@rd@host:8443/r", "https://host:8443/r", "https://u:***@host:8443/r");
	check("ssh://git@host/r.git", "ssh://git@host/r.git", "ssh://git@host/r.git");
	check("ssh://git:pw@host/r.git", "ssh://git@host/r.git", "ssh://git:***@host/r.git");
	check("git@github.com:o/r.git", "git@github.com:o/r.git", "git@github.com:o/r.git");
	check("https://host/r.git?access_token=abc&x=1&private_token=def#frag",
	      "https://host/r.git?access_token=***&x=1&private_token=***#frag",
	      "https://host/r.git?access_token=***&x=1&private_token=***#frag");
	check("https://host/r.git#access_token=abc", "https://host/r.git#access_token=***",
	      "https://host/r.git#access_token=***");
	check("https://host/a@b/r.git", "https://host/a@b/r.git", "https://host/a@b/r.git");
	check("file:///srv/r.git", "file:///srv/r.git", "file:///srv/r.git");
	check("", "", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_url_item7_credentials_removed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
