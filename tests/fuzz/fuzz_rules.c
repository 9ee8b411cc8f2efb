/*
 * Fuzzes the YAML rule loader: arbitrary bytes as a rule file. Loading must either succeed or
 * fail with a message, never crash, leak or read out of bounds; a loaded set is walked and
 * digested so that every field the loader filled is touched.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "rules.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) { return 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ls_ruleset *rs = NULL;
	if (ls_ruleset_new(&rs) < 0)
		return 0;
	int err = ls_ruleset_load_string(rs, "fuzz.yaml", (const char *)data, size);
	if (err < 0) {
		/* every failure carries a message naming the file */
		const char *msg = ls_error_last();
		if (strncmp(msg, "fuzz.yaml", 9) != 0)
			abort();
	} else {
		char digest[65];
		ls_ruleset_digest(rs, digest);
		for (size_t i = 0; i < ls_ruleset_count(rs); i++) {
			const ls_rule *r = ls_ruleset_get(rs, i);
			if (!r || !r->id || ls_ruleset_find(rs, r->id) == NULL)
				abort();
			ls_rule_allows(r, "x", 1);
		}
	}
	ls_ruleset_free(rs);
	ls_error_clear();
	return 0;
}
