/* Unit tests of the rule loader: every error names the file, the line and the rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common.h"
#include "rules.h"

static const char *VALID =
    "rules:\n"
    "  - id: demo-token\n"
    "    name: Demo token\n"
    "    pattern: 'demo_([a-z0-9]{16})'\n"
    "    severity: high\n"
    "    min_entropy: 2.5\n"
    "    keywords: [Demo]\n"
    "    allow: ['0000$']\n"
    "    description: A demo.\n"
    "    references: [https://example.invalid/demo]\n"
    "    examples: ['demo_abcdef0123456789']\n"
    "    negative_examples: ['demo_short']\n";

static int load(ls_ruleset **rs, const char *text)
{
	ls_ruleset_new(rs);
	return ls_ruleset_load_string(*rs, "t.yaml", text, strlen(text));
}

static void test_rules_load_valid(void **state)
{
	ls_ruleset *rs;
	assert_int_equal(load(&rs, VALID), 0);
	assert_int_equal(ls_ruleset_count(rs), 1);
	const ls_rule *r = ls_ruleset_get(rs, 0);
	assert_string_equal(r->id, "demo-token");
	assert_int_equal(r->severity, LS_SEV_HIGH);
	assert_true(r->min_entropy > 2.4 && r->min_entropy < 2.6);
	assert_string_equal(r->keywords.items[0], "demo"); /* lowercased */
	assert_int_equal(r->line, 2);
	assert_int_equal(r->pattern_line, 4);
	assert_true(r->enabled);
	assert_true(ls_rule_allows(r, "abcd0000", 8));
	assert_false(ls_rule_allows(r, "abcd0001", 8));
	assert_non_null(ls_ruleset_find(rs, "demo-token"));
	ls_ruleset_free(rs);
}

static void test_rules_top_level_sequence(void **state)
{
	ls_ruleset *rs;
	const char *y = "- id: a\n  name: A\n  pattern: 'aaa[0-9]{4}'\n  severity: low\n  description: d\n  examples: [aaa1234]\n";
	assert_int_equal(load(&rs, y), 0);
	assert_int_equal(ls_ruleset_count(rs), 1);
	ls_ruleset_free(rs);
}

typedef struct {
	const char *yaml;
	const char *error;
} bad_case;

/* Each bad rule file and the exact error it must produce. */
static const bad_case BAD[] = {
    {"rules:\n  - id: a\n    name: [unclosed\n", "t.yaml:4: invalid YAML: did not find expected ',' or ']' while parsing a flow sequence"},
    {"rules:\n  - name: A\n    pattern: x\n", "t.yaml:2: missing field 'id'"},
    {"rules:\n  - id: a\n    name: A\n    severity: low\n    description: d\n    examples: [x]\n", "t.yaml:2: rule 'a': missing field 'pattern'"},
    {"rules:\n  - id: a\n    name: A\n    pattern: 'abc'\n    severity: low\n    description: d\n    examples: [x]\n    colour: red\n", "t.yaml:8: rule 'a': unknown field 'colour'"},
    {"rules:\n  - id: a\n    name: A\n    pattern: 'ab(c'\n    severity: low\n    description: d\n    examples: [x]\n", "t.yaml:4: rule 'a': invalid regex: missing closing parenthesis at offset 4"},
    {"rules:\n  - id: a\n    name: A\n    pattern: 'abc'\n    severity: urgent\n    description: d\n    examples: [x]\n", "t.yaml:5: rule 'a': severity must be one of critical, high, medium, low"},
    {"rules:\n  - id: Bad_Id\n", "t.yaml:2: invalid id 'Bad_Id': use lowercase letters, digits and single dashes"},
    {"rules:\n  - id: a\n    name: A\n    pattern: '(a)(b)'\n    severity: low\n    description: d\n    examples: [x]\n", "t.yaml:4: rule 'a': pattern has 2 capture groups; at most one may mark the secret (use (?:...) to group)"},
    {"rules:\n  - id: a\n    name: A\n    pattern: 'abc'\n    severity: low\n    description: d\n    examples: [x]\n  - id: a\n    name: A\n    pattern: 'abd'\n    severity: low\n    description: d\n    examples: [x]\n", "t.yaml:8: rule 'a': duplicate id (first defined at t.yaml:2)"},
    {"rules:\n  - id: a\n    name: A\n    pattern: 'abc'\n    severity: low\n    description: d\n    examples: [x]\n    min_entropy: lots\n", "t.yaml:8: rule 'a': min_entropy must be a number from 0 to 8"},
    {"rules:\n  - id: a\n    name: A\n    pattern: 'abc'\n    severity: low\n    description: d\n    examples: [x]\n    validate: luhn\n", "t.yaml:8: rule 'a': unknown validator 'luhn'"},
    {"rules:\n  - id: a\n    name: A\n    pattern: 'abc'\n    severity: low\n    description: d\n    examples: [x]\n    allow_match: ['x(']\n", "t.yaml:2: rule 'a': invalid allow regex: missing closing parenthesis at offset 2"},
    {"rules:\n  - id: a\n    name: A\n    pattern: 'abc'\n    severity: low\n    description: d\n    examples: [x]\n    quoted_in_code: maybe\n", "t.yaml:8: rule 'a': quoted_in_code must be true or false"},
    {"rules:\n  - id: a\n    name: A\n    pattern: '(?:a|b)c'\n    severity: low\n    description: d\n    examples: [x]\n    split_alternatives: 0\n", "t.yaml:8: rule 'a': split_alternatives must be a number from 1 to 64"},
    {"rules:\n  - id: a\n    name: A\n    pattern: 'x(?:a|b)c'\n    severity: low\n    description: d\n    examples: [x]\n    split_alternatives: 1\n", "t.yaml:4: rule 'a': split_alternatives needs a pattern that begins with a group (?:A|B|...), after an optional (?i) and \\b"},
    {"rules:\n  - id: a\n    name: A\n    pattern: '(?:a|b)+c'\n    severity: low\n    description: d\n    examples: [x]\n    split_alternatives: 1\n", "t.yaml:4: rule 'a': split_alternatives needs a pattern that begins with a group (?:A|B|...), after an optional (?i) and \\b"},
    {"rules: 5\n", "t.yaml:1: a rule file must hold a list of rules"},
    {"ruls: []\n", "t.yaml:1: unknown top-level field 'ruls' (expected 'rules')"},
    /* issue 18, item 17: a file that is not YAML (a shadow line) is never echoed */
    {"root:$y$j9T$FAKEHASHxyz:19000:0:99999:7:::\n", "t.yaml:1: unknown top-level field (expected 'rules')"},
    {"rules:\n  - id: a\n    name: A\n    pattern: 'abc'\n    severity: low\n    description: d\n    examples: [x]\n    pass word: hunter2\n", "t.yaml:8: rule 'a': unknown field"},
    {"rules:\n  - id: 'root:$y$j9T$FAKEHASH'\n", "t.yaml:2: invalid id: use lowercase letters, digits and single dashes"},
};

static void test_rules_bad_files_exact_errors(void **state)
{
	for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
		ls_ruleset *rs;
		int err = load(&rs, BAD[i].yaml);
		if (err == 0 || strcmp(ls_error_last(), BAD[i].error) != 0)
			fail_msg("case %zu: got %d '%s', want '%s'", i, err, ls_error_last(), BAD[i].error);
		assert_int_equal(ls_ruleset_count(rs), 0); /* nothing half-loaded */
		ls_ruleset_free(rs);
	}
}

static void test_rules_failed_load_keeps_earlier_rules(void **state)
{
	ls_ruleset *rs;
	assert_int_equal(load(&rs, VALID), 0);
	const char *bad = "rules:\n  - id: b\n    name: B\n    pattern: 'x('\n    severity: low\n    description: d\n    examples: [x]\n";
	assert_true(ls_ruleset_load_string(rs, "u.yaml", bad, strlen(bad)) < 0);
	assert_int_equal(ls_ruleset_count(rs), 1);
	/* a file whose second rule repeats an id: its first rule goes too, from the id index as
	 * well (found by no lookup, loadable again); many rules: the index grows as they come */
	ls_buf y = LS_BUF_INIT;
	ls_buf_puts(&y, "rules:\n");
	for (int i = 0; i < 300; i++)
		ls_buf_printf(&y, "  - id: r%d\n    name: R\n    pattern: 'x%d'\n    severity: low\n    description: d\n"
		                  "    examples: [x%d]\n", i, i, i);
	ls_buf_puts(&y, "  - id: demo-token\n    name: D\n    pattern: 'y'\n    severity: low\n    description: d\n"
	                "    examples: [y]\n");
	assert_int_equal(ls_ruleset_load_string(rs, "v.yaml", y.ptr, y.len), LS_EINVAL);
	assert_non_null(strstr(ls_error_last(), "v.yaml:1802: rule 'demo-token': duplicate id (first defined at t.yaml:2)"));
	assert_int_equal(ls_ruleset_count(rs), 1);
	assert_null(ls_ruleset_find(rs, "r0"));
	assert_non_null(ls_ruleset_find(rs, "demo-token"));
	y.len -= strlen("  - id: demo-token\n    name: D\n    pattern: 'y'\n    severity: low\n    description: d\n"
	                "    examples: [y]\n");
	assert_int_equal(ls_ruleset_load_string(rs, "v.yaml", y.ptr, y.len), 0);
	assert_int_equal(ls_ruleset_count(rs), 301);
	assert_string_equal(ls_ruleset_find(rs, "r299")->id, "r299");
	assert_string_equal(ls_ruleset_find(rs, "demo-token")->id, "demo-token");
	assert_null(ls_ruleset_find(rs, "r300"));
	ls_buf_dispose(&y);
	ls_ruleset_free(rs);
}

static void test_rules_enable_disable_and_digest(void **state)
{
	ls_ruleset *rs;
	char d1[65], d2[65];
	assert_int_equal(load(&rs, VALID), 0);
	ls_ruleset_digest(rs, d1);
	assert_int_equal(ls_ruleset_set_enabled(rs, "demo-token", 0), 0);
	ls_ruleset_digest(rs, d2);
	assert_string_not_equal(d1, d2);
	assert_int_equal(ls_ruleset_set_enabled(rs, "nope", 0), LS_ENOTFOUND);
	assert_string_equal(ls_error_last(), "unknown rule id 'nope'");
	ls_ruleset_free(rs);
}

static void test_rules_load_path_missing(void **state)
{
	ls_ruleset *rs;
	ls_ruleset_new(&rs);
	assert_int_equal(ls_ruleset_load_path(rs, "/nonexistent/rules.yaml"), LS_ENOTFOUND);
	assert_string_equal(ls_error_last(), "'/nonexistent/rules.yaml': no such rule file or directory");
	assert_int_equal(ls_ruleset_load_path(rs, TEST_DATA_DIR "/rules"), 0);
	assert_true(ls_ruleset_count(rs) >= 3);
	ls_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rules_load_valid),
	    cmocka_unit_test(test_rules_top_level_sequence),
	    cmocka_unit_test(test_rules_bad_files_exact_errors),
	    cmocka_unit_test(test_rules_failed_load_keeps_earlier_rules),
	    cmocka_unit_test(test_rules_enable_disable_and_digest),
	    cmocka_unit_test(test_rules_load_path_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
