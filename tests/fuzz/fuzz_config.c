/*
 * Fuzzes the `.leakscan.yaml` loader: arbitrary bytes as a configuration. A configuration
 * that loads is then applied to a small rule set and to an allow set, and the allow set is
 * asked about a synthetic finding and a few paths, so that every list the loader filled
 * (globs, regexes, commits, accounts) is compiled and used.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allow.h"
#include "common.h"
#include "config.h"
#include "rules.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Synthetic rules: ids the configurations in the corpus refer to. */
static const char rules_yaml[] =
    "rules:\n"
    "  - id: fuzz-token\n"
    "    name: Fuzz token\n"
    "    pattern: 'fuzz_([a-z0-9]{16})'\n"
    "    severity: high\n"
    "    description: A made-up token.\n"
    "    examples: ['fuzz_0123456789abcdef']\n"
    "  - id: fuzz-key\n"
    "    name: Fuzz key\n"
    "    pattern: 'FZK[A-Z0-9]{12}'\n"
    "    severity: low\n"
    "    description: A made-up key.\n"
    "    examples: ['FZK0123456789AB']\n";

int LLVMFuzzerInitialize(int *argc, char ***argv) { return 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ls_config *c = NULL;
	if (ls_config_load_string(&c, "/fuzz/proj/.leakscan.yaml", (const char *)data, size) < 0) {
		if (strncmp(ls_error_last(), "/fuzz/proj/.leakscan.yaml", 25) != 0) {
			fprintf(stderr, "fuzz_config: message does not name the file: %s\n", ls_error_last());
			abort();
		}
		ls_error_clear();
		return 0;
	}
	ls_ruleset *rs = NULL;
	ls_allow *a = NULL;
	if (ls_ruleset_new(&rs) < 0 || ls_ruleset_load_string(rs, "fuzz-rules.yaml", rules_yaml, sizeof(rules_yaml) - 1) < 0) {
		fprintf(stderr, "fuzz_config: %s\n", ls_error_last());
		abort();
	}
	ls_config_apply_rules(c, rs);
	ls_allow_new(&a, c->dir);
	if (ls_config_apply_allow(c, rs, a) == 0) {
		ls_finding f;
		memset(&f, 0, sizeof(f));
		f.rule = ls_ruleset_get(rs, 0);
		f.severity = f.rule->severity;
		f.path = (char *)"/fuzz/proj/src/app/settings.py";
		f.secret = (char *)"fuzz_0123456789abcdef";
		f.secret_len = strlen(f.secret);
		f.match = f.secret;
		f.match_len = f.secret_len;
		f.line_text = (char *)"token = fuzz_0123456789abcdef";
		f.line_secret_off = 8;
		f.line_secret_len = f.secret_len;
		ls_sha256_hex(f.secret_hash, f.secret, f.secret_len);
		ls_finding_fingerprint(&f);
		ls_allow_check(a, &f);
		ls_allow_skip_path(a, "/fuzz/proj/vendor/lib.js", 0);
		ls_allow_skip_path(a, "/fuzz/proj/src", 1);
		f.prov.commit = (char *)"0123456789abcdef0123456789abcdef01234567";
		ls_allow_check(a, &f);
	}
	ls_allow_free(a);
	ls_ruleset_free(rs);
	ls_config_free(c);
	ls_error_clear();
	return 0;
}
