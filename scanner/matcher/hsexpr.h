/*
 * hsexpr: what Hyperscan is given for a rule. Hyperscan only has to find a superset of a
 * rule's matches (PCRE2 confirms each candidate), so it gets a cheaper expression than the
 * rule's pattern: wide repeats relaxed, the pattern cut after the start of the secret, and
 * on request a long leading alternation split into several expressions.
 */
#ifndef LS_HSEXPR_H
#define LS_HSEXPR_H

#include "common.h"

/** Names the rewrites below and their limits; a database compiled from their output is keyed by it too. */
extern const char ls_hsexpr_scheme[];

/**
 * The prefix of every match of `pattern` that Hyperscan needs (see hsexpr.c), or NULL when
 * the pattern cannot be cut. A new string the caller frees.
 */
char *ls_hsexpr_cut(const char *pattern);

/** `pattern` with bounded repeats whose maximum is over 64 made unbounded. Caller frees. */
char *ls_hsexpr_relax(const char *pattern);

/** What Hyperscan compiles for `pattern`: its cut prefix (or itself), relaxed. Caller frees. */
char *ls_hsexpr_derive(const char *pattern);

/**
 * Splits `expr`, which must begin with an optional flag group such as `(?i)`, an optional
 * `\b` and a non-capturing group `(?:A|B|...)` that is not repeated (and no `(?x)` or `\Q`
 * anywhere), into expressions of at
 * most `per` of its branches each, appended to `out`; the union of their matches is the
 * matches of `expr`. An `expr` with `per` branches or fewer is appended whole. Returns how
 * many were appended, or -1 (nothing appended) when `expr` has no such group.
 */
int ls_hsexpr_split(const char *expr, int per, ls_strlist *out);

#endif
