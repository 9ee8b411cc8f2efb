/*
 * Fuzzes the pre-push hook's reader of its standard input (hooks.h ls_hook_push_parse and
 * ls_hook_push_parse_line, issue 18, item 16). Properties:
 *   - an accepted input has one entry per line, and each entry written back as
 *     "<local ref> <local id> <remote ref> <remote id>" is exactly its line;
 *   - ids are 40 or 64 lowercase hex digits, both of a line the same length; refs hold no
 *     byte <= ' ' and no DEL; `deleted`/`remote_new` say whether an id is all zeros;
 *   - a refused input leaves no entries and a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "hooks.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) { return 0; }

#define CHECK(c)                                                                     \
	do {                                                                         \
		if (!(c)) {                                                          \
			fprintf(stderr, "fuzz_hook_push: %s (line %d)\n", #c, __LINE__); \
			abort();                                                     \
		}                                                                    \
	} while (0)

static int hex_id(const char *s)
{
	size_t n = strlen(s);
	if (n != 40 && n != 64)
		return 0;
	return strspn(s, "0123456789abcdef") == n;
}

static int zeros(const char *s) { return s[strspn(s, "0")] == '\0'; }

static void check_line(const ls_hook_push_line *l, const char *line, size_t len)
{
	CHECK(hex_id(l->local_id) && hex_id(l->remote_id) && strlen(l->local_id) == strlen(l->remote_id));
	CHECK(l->deleted == zeros(l->local_id) && l->remote_new == zeros(l->remote_id));
	const struct {
		const char *p;
		size_t n;
	} refs[2] = {{l->local_ref, l->local_ref_len}, {l->remote_ref, l->remote_ref_len}};
	for (int k = 0; k < 2; k++) {
		CHECK(refs[k].n > 0);
		for (size_t i = 0; i < refs[k].n; i++)
			CHECK((unsigned char)refs[k].p[i] > ' ' && refs[k].p[i] != 0x7f);
	}
	ls_buf b = LS_BUF_INIT;
	ls_buf_printf(&b, "%.*s %s %.*s %s", (int)l->local_ref_len, l->local_ref, l->local_id, (int)l->remote_ref_len,
	              l->remote_ref, l->remote_id);
	CHECK(b.len == len && !memcmp(b.ptr, line, len));
	ls_buf_dispose(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	ls_hook_push_line *v = NULL;
	size_t n = 99;
	int err = ls_hook_push_parse(&v, &n, in, size);
	if (err < 0) {
		CHECK(v == NULL && n == 0 && *ls_error_last());
		ls_error_clear();
	} else {
		size_t i = 0, k = 0;
		while (i < size) {
			const char *nl = memchr(in + i, '\n', size - i);
			size_t end = nl ? (size_t)(nl - in) : size;
			CHECK(k < n);
			CHECK(v[k].local_ref == in + i);
			check_line(&v[k], in + i, end - i);
			k++;
			i = nl ? end + 1 : size;
		}
		CHECK(k == n);
	}
	free(v);
	/* the line parser on the whole input, as one line */
	ls_hook_push_line l;
	if (ls_hook_push_parse_line(&l, in, size) == 0)
		check_line(&l, in, size);
	else
		ls_error_clear();
	return 0;
}
