/*
 * ere: the regular expressions of git-secrets (POSIX EREs as grep -E and git grep -E read
 * them), translated to PCRE2 with a Hyperscan prefilter, and matched line by line the way
 * grep or git grep would.
 */
#ifndef LS_ERE_H
#define LS_ERE_H

#include <stddef.h>

#include "common.h"

/**
 * Translates a POSIX extended regular expression (GNU flavour, as grep -E and git grep -E
 * read it in the C locale) into an equivalent PCRE2 pattern: bracket expressions and
 * classes like [[:alnum:]], literal braces and brackets, `\<`/`\>`, back-references.
 * Returns 0, or LS_EINVAL with a message when the ERE is invalid or uses something the
 * translation does not cover.
 */
int ls_ere_to_pcre2(ls_buf *out, const char *ere);

/** Escapes `s` the way `git secrets --add --literal` does (sed 's/[\.|$(){}?+*^]/\\&/g'). */
char *ls_ere_literal(const char *s);

/** How a set of EREs is matched against one line (git-secrets emulation). */
typedef enum {
	/** `grep -w -E` with one pattern per entry: a match whose ends are not next to a word
	 * character, trying shorter matches and later starts (GNU grep's rule). */
	LS_ERE_GREP_WORDS,
	/** `git grep -w -E` with the entries joined by '|' into one ERE: the leftmost-longest
	 * match, then the next one starting after a non-word character (git's rule). */
	LS_ERE_GIT_GREP_WORDS,
	/** `grep -E` with one pattern per entry: a match anywhere. */
	LS_ERE_GREP
} ls_ere_mode;

typedef struct ls_ere ls_ere;

/**
 * Compiles `n` EREs (borrowed) for `mode`. Each is checked with the C library's regcomp (an
 * invalid one fails with its message, e.g. "Unmatched ( or \\(", as grep and git print it;
 * in the grep modes what GNU grep accepts with a warning is accepted too) and translated for
 * PCRE2; a valid ERE the translation cannot express is matched with the C library's regexec.
 * `*notes` receives the lines to show on stderr (grep's warnings such as "grep: warning: *
 * at start of expression", and a note for each fallback), or NULL; caller frees.
 * Returns 0 or LS_EINVAL with the message.
 */
int ls_ere_new(ls_ere **out, const char *const *patterns, size_t n, ls_ere_mode mode, char **notes);
/** ls_ere_new, keeping the compiled prefilter under `cache_dir` (NULL: no cache) for the next run. */
int ls_ere_new_cached(ls_ere **out, const char *const *patterns, size_t n, ls_ere_mode mode, const char *cache_dir,
                      char **notes);
void ls_ere_free(ls_ere *e);
/**
 * Returns 0 if no line of `buf` (lines separated by '\n') can match, 1 if one may: a quick
 * test of a whole file before ls_ere_match_line on each line.
 */
int ls_ere_may_match(ls_ere *e, const char *buf, size_t len);
/** Returns 1 if the line (no newline) matches. Thread-compatible: one thread at a time. */
int ls_ere_match_line(ls_ere *e, const char *line, size_t len);

#endif
