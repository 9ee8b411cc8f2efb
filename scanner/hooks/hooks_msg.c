/*
 * The commit-msg hook's view of the message: exactly what git will strip from it, and
 * nothing more (builtin/commit.c, sequencer.c cleanup_message, wt-status.c
 * wt_status_locate_end, strbuf_stripspace). Whenever the hook cannot tell what git will do,
 * it keeps the text: scanning more can only refuse a commit, scanning less can let a secret
 * through.
 */
#include "hooks.h"

#include <string.h>

int ls_hook_cleanup_parse(const char *value, ls_hook_cleanup *out)
{
	static const struct {
		const char *name;
		ls_hook_cleanup mode;
	} modes[] = {{"default", LS_HOOK_CLEANUP_DEFAULT},       {"verbatim", LS_HOOK_CLEANUP_VERBATIM},
	             {"whitespace", LS_HOOK_CLEANUP_WHITESPACE}, {"strip", LS_HOOK_CLEANUP_STRIP},
	             {"scissors", LS_HOOK_CLEANUP_SCISSORS}};
	*out = LS_HOOK_CLEANUP_DEFAULT;
	if (!value)
		return 0;
	/* git compares with strcmp: "Strip" makes git die, and nothing is committed */
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (!strcmp(value, modes[i].name)) {
			*out = modes[i].mode;
			return 0;
		}
	}
	*out = LS_HOOK_CLEANUP_VERBATIM;
	ls_error_set("invalid commit.cleanup '%s'", value);
	return LS_EINVAL;
}

/* The end of the message before git's scissors line: "<comment> " + cut line + "\n" at
 * the start of a line. Like git, the search stops at the first NUL byte (strstr). */
static size_t locate_end(const char *s, size_t len, const char *comment)
{
	static const char cut[] = " ------------------------ >8 ------------------------\n";
	size_t clen = strlen(comment), plen = clen + sizeof(cut) - 1;
	const char *nul = memchr(s, '\0', len);
	size_t n = nul ? (size_t)(nul - s) : len;
	for (size_t i = 0; i + plen <= n; i++) {
		if (i > 0 && s[i - 1] != '\n')
			continue;
		if (!memcmp(s + i, comment, clen) && !memcmp(s + i + clen, cut, sizeof(cut) - 1))
			return i;
	}
	return len;
}

/* `git commit -v` without commit.verbose (the hook cannot see the flag): after its scissors
 * line git writes comment lines (localized) and then the staged diff. A message whose
 * scissors line is followed by comment lines and then "diff --git " came from git's own
 * verbose template in the editor (the callers only ask after an editor ran: a message
 * given with -m or -F is never cut). */
static int git_wrote_diff(const char *s, size_t len, const char *comment)
{
	size_t at = locate_end(s, len, comment), clen = strlen(comment);
	if (at >= len)
		return 0;
	const char *nl = memchr(s + at, '\n', len - at);
	for (size_t i = nl ? (size_t)(nl - s) + 1 : len; i < len;) {
		if (len - i >= 11 && !memcmp(s + i, "diff --git ", 11))
			return 1;
		if (len - i < clen || memcmp(s + i, comment, clen))
			return 0;
		nl = memchr(s + i, '\n', len - i);
		i = nl ? (size_t)(nl - s) + 1 : len;
	}
	return 0;
}

/* strbuf_stripspace: trailing white space off every line, comment lines (when `comment`)
 * dropped, runs of empty lines squeezed into one, none at the start or the end; every
 * line ends with '\n'. */
static void stripspace(ls_buf *out, const char *s, size_t len, const char *comment)
{
	size_t clen = comment ? strlen(comment) : 0;
	size_t start = out->len;
	int empties = 0;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t eol = nl ? (size_t)(nl - s) : len;
		size_t next = nl ? eol + 1 : len;
		if (comment && eol - i >= clen && !memcmp(s + i, comment, clen)) {
			i = next;
			continue;
		}
		size_t end = eol;
		/* git's isspace(): space, \t, \n and \r only */
		while (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\r'))
			end--;
		if (end == i) {
			empties++;
		} else {
			if (empties && out->len > start)
				ls_buf_putc(out, '\n');
			empties = 0;
			ls_buf_put(out, s + i, end - i);
			ls_buf_putc(out, '\n');
		}
		i = next;
	}
}

void ls_hook_msg_cleanup(ls_buf *out, const char *msg, size_t len, const ls_hook_msg_options *o)
{
	ls_hook_cleanup mode = o->cleanup;
	/* get_cleanup_mode(): "default" strips comments only when an editor was used, and
	 * "scissors" cuts only then; otherwise both mean "whitespace" */
	if (mode == LS_HOOK_CLEANUP_DEFAULT)
		mode = o->editor ? LS_HOOK_CLEANUP_STRIP : LS_HOOK_CLEANUP_WHITESPACE;
	else if (mode == LS_HOOK_CLEANUP_SCISSORS && !o->editor)
		mode = LS_HOOK_CLEANUP_WHITESPACE;
	const char *comment = o->comment && *o->comment && !strchr(o->comment, '\n') ? o->comment : NULL;
	/*
	 * git cuts at its scissors line in scissors mode and for `git commit -v`. Only
	 * commit.verbose is visible to the hook, and without an editor git writes no diff
	 * to cut, so the hook cuts only after an editor ran.
	 */
	if (comment && o->editor && (mode == LS_HOOK_CLEANUP_SCISSORS || o->verbose || git_wrote_diff(msg, len, comment)))
		len = locate_end(msg, len, comment);
	if (mode == LS_HOOK_CLEANUP_VERBATIM) {
		ls_buf_put(out, msg, len);
		return;
	}
	/* comment lines go only in strip mode, and only with a known comment string */
	stripspace(out, msg, len, mode == LS_HOOK_CLEANUP_STRIP ? comment : NULL);
}
