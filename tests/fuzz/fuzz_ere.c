/*
 * Fuzzes the git-secrets pattern translation and matching (hooks.h). Input: an ERE, then
 * optionally a NUL and a text of '\n'-separated lines.
 * Properties:
 *   - whenever ls_ere_to_pcre2 accepts an ERE, its output is a valid PCRE2 pattern;
 *   - in grep -E mode, for EREs without intervals and escapes, ls_ere_match_line agrees with
 *     the C library's regexec on every line (the translation is equivalent);
 *   - ls_ere_may_match (the whole-file prefilter) never says "no" for a text with a matching
 *     line, in every mode (a wrong "no" would hide a secret).
 * The `--literal` escaping is exercised on the ERE too.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "ere.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) { return 0; }

static void translate(const char *ere)
{
	ls_buf out = LS_BUF_INIT;
	if (ls_ere_to_pcre2(&out, ere) == 0) {
		int code;
		PCRE2_SIZE off;
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)(out.ptr ? out.ptr : ""), out.len, PCRE2_DOLLAR_ENDONLY | PCRE2_DOTALL, &code, &off, NULL);
		/*
		 * PCRE2's own size limits are no bug (`a?????...` nests a group per quantifier).
		 * Back-references to groups not yet closed (`\8`, `(a)\2`) and repeat counts above
		 * RE_DUP_MAX (`a{9,1000000}`) were accepted and gave patterns PCRE2 refused when this
		 * harness first ran; hooks.c rejects them now (tests/regress/fuzz_ere/ keeps them).
		 */
		if (!re && (code == PCRE2_ERROR_PARENTHESES_NEST_TOO_DEEP || code == PCRE2_ERROR_PATTERN_TOO_LARGE ||
		            code == PCRE2_ERROR_PATTERN_TOO_COMPLICATED || code == PCRE2_ERROR_HEAP_FAILED)) {
			ls_buf_dispose(&out);
			ls_error_clear();
			return;
		}
		if (!re) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(code, msg, sizeof(msg));
			fprintf(stderr, "fuzz_ere: ERE accepted but its translation does not compile: %s\n", msg);
			abort();
		}
		pcre2_code_free(re);
	}
	ls_buf_dispose(&out);
	ls_error_clear();
}

/*
 * glibc's regcomp (and so grep -E, git-secrets and ls_ere_new, which checks every ERE with
 * it) takes exponential time on stacked quantifiers such as `()+++++++++++++++`: not
 * leakscan's to fix, and a fuzzing timeout every time. Such EREs only go through translate().
 */
static int stacked_quantifiers(const char *ere)
{
	int run = 0;
	for (const char *p = ere; *p; p++) {
		run = strchr("*+?}", *p) ? run + 1 : 0;
		if (run >= 3)
			return 1;
	}
	return 0;
}

static void match_lines(const char *ere, const char *text, size_t tlen)
{
	if (stacked_quantifiers(ere))
		return;
	static const ls_ere_mode modes[] = {LS_ERE_GREP, LS_ERE_GREP_WORDS, LS_ERE_GIT_GREP_WORDS};
	const char *pats[1] = {ere};
	regex_t rx;
	/*
	 * regcomp(REG_EXTENDED) is POSIX's syntax, not quite grep -E's (GNU grep sets other
	 * syntax bits: `]{\,2}` differs, for one): the line-by-line comparison is made only for
	 * EREs without intervals and escapes, where the two agree.
	 */
	int libc_ok = !strpbrk(ere, "{\\") && regcomp(&rx, ere, REG_EXTENDED | REG_NOSUB) == 0;
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		ls_ere *e = NULL;
		char *notes = NULL;
		int err = ls_ere_new(&e, pats, 1, modes[m], &notes);
		free(notes);
		ls_error_clear();
		if (err < 0)
			continue;
		int any = 0;
		/* lines as grep reads them: nothing after a final newline is a line */
		for (size_t i = 0; i < tlen;) {
			const char *nl = memchr(text + i, '\n', tlen - i);
			size_t len = nl ? (size_t)(nl - (text + i)) : tlen - i;
			int hit = ls_ere_match_line(e, text + i, len);
			any |= hit;
			if (modes[m] == LS_ERE_GREP && libc_ok) {
				char *line = ls_xstrndup(text + i, len);
				/* regexec stops at a NUL: compare only lines without one */
				if (strlen(line) == len && hit != (regexec(&rx, line, 0, NULL, 0) == 0)) {
					fprintf(stderr, "fuzz_ere: '%s' %s line '%s' but regexec says the opposite\n", ere,
					        hit ? "matches" : "does not match", line);
					abort();
				}
				free(line);
			}
			i += len + 1;
		}
		if (any && !ls_ere_may_match(e, text, tlen)) {
			fprintf(stderr, "fuzz_ere: the prefilter rejects a text with a line matching '%s' (mode %d)\n", ere,
			        (int)modes[m]);
			abort();
		}
		ls_ere_free(e);
	}
	if (libc_ok)
		regfree(&rx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *ere = ls_xstrndup((const char *)data, size); /* stops at the first NUL, as argv would */
	translate(ere);
	size_t elen = strlen(ere);
	if (elen < size) {
		/*
		 * A NUL-terminated copy: ls_ere_match_line hands lines to regexec with REG_STARTEND,
		 * which glibc honours, but the sanitizers' regexec interceptor reads the string up
		 * to a NUL whatever the flags (a false overflow on an exact-size fuzz input).
		 */
		char *text = ls_xmalloc(size - elen);
		memcpy(text, data + elen + 1, size - elen - 1);
		text[size - elen - 1] = '\0';
		match_lines(ere, text, size - elen - 1);
		free(text);
	}
	char *lit = ls_ere_literal(ere);
	free(lit);
	free(ere);
	return 0;
}
