/* Fuzz harness: the TOML reader (leakscan import gitleaks) on any bytes. It must return a
 * value or an error naming a line, never crash, hang or leak. */
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "toml.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) { return 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ls_toml *t = NULL;
	if (ls_toml_parse(&t, "fuzz.toml", (const char *)data, size) == 0) {
		/* walk what came out */
		const ls_toml *r = ls_toml_get(t, "rules");
		for (size_t i = 0; r && r->type == LS_TOML_ARRAY && i < r->n; i++)
			(void)ls_toml_get(r->items[i], "regex");
	}
	ls_toml_free(t);
	return 0;
}
