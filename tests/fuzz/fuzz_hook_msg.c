/*
 * Fuzzes the commit-msg hook's cleanup (hooks.h ls_hook_msg_cleanup, issue 18, item 15):
 * the first input byte picks commit.cleanup, the comment string, whether an editor ran and
 * commit.verbose; the rest is the message. Properties:
 *   - the cleanup never invents text: the non-empty lines of the result, trailing white
 *     space removed, are a subsequence of those of the message;
 *   - when git strips nothing (no editor and no strip mode, or an unknown comment string
 *     outside whitespace rules; an editor with git's verbose diff block strips), no byte other than white space is dropped: whatever git
 *     keeps, the hook scans.
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

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* The next line of s[*i..len) with trailing white space removed; 0 at the end. */
static int next_line(const char *s, size_t len, size_t *i, const char **line, size_t *n)
{
	while (*i < len) {
		const char *nl = memchr(s + *i, '\n', len - *i);
		size_t end = nl ? (size_t)(nl - s) : len;
		*line = s + *i;
		*n = end - *i;
		*i = nl ? end + 1 : len;
		while (*n && is_ws((*line)[*n - 1]))
			(*n)--;
		if (*n)
			return 1;
	}
	return 0;
}

static size_t non_ws(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += !is_ws(s[i]);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *comments[] = {"#", ";", NULL, "//", "\xc3\xa9", "#", ";", "a"};
	if (size < 1)
		return 0;
	ls_hook_msg_options o = LS_HOOK_MSG_OPTIONS_INIT;
	o.cleanup = (ls_hook_cleanup)(data[0] % 5);
	o.editor = (data[0] >> 3) & 1;
	o.verbose = (data[0] >> 4) & 1;
	o.comment = comments[(data[0] >> 5) & 7];
	const char *msg = (const char *)data + 1;
	size_t len = size - 1;
	ls_buf out = LS_BUF_INIT;
	ls_hook_msg_cleanup(&out, msg, len, &o);
	const char *res = out.ptr ? out.ptr : "";

	/* the result's lines are the message's, in order */
	size_t i = 0, j = 0, ln, rn;
	const char *l, *r;
	while (next_line(res, out.len, &j, &r, &rn)) {
		int found = 0;
		while (!found && next_line(msg, len, &i, &l, &ln))
			found = ln == rn && !memcmp(l, r, rn);
		if (!found) {
			fprintf(stderr, "fuzz_hook_msg: the cleanup made up the line '%.*s'\n", (int)rn, r);
			abort();
		}
	}
	/* nothing but white space goes when git strips nothing */
	/* (after an editor, git's own verbose block, "diff --git " below the scissors line, is
	 * cut in every mode, as `git commit -v` does) */
	int strips = o.comment && (o.cleanup == LS_HOOK_CLEANUP_STRIP ||
	                           (o.editor && (o.cleanup == LS_HOOK_CLEANUP_DEFAULT || o.verbose ||
	                                         o.cleanup == LS_HOOK_CLEANUP_SCISSORS ||
	                                         memmem(msg, len, "diff --git ", 11))));
	if (!strips && non_ws(res, out.len) != non_ws(msg, len)) {
		fprintf(stderr, "fuzz_hook_msg: text dropped (mode %d, editor %d, verbose %d)\n", (int)o.cleanup, o.editor,
		        o.verbose);
		abort();
	}
	if (o.cleanup == LS_HOOK_CLEANUP_VERBATIM && !strips && (out.len != len || memcmp(res, msg, len))) {
		fprintf(stderr, "fuzz_hook_msg: verbatim changed the message\n");
		abort();
	}
	ls_buf_dispose(&out);
	return 0;
}
