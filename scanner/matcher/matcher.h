/* matcher: all enabled rules in one Hyperscan database, confirmed per candidate by PCRE2. */
#ifndef LS_MATCHER_H
#define LS_MATCHER_H

#include <stddef.h>

#include "rules.h"

typedef struct ls_matcher ls_matcher;
typedef struct ls_scratch ls_scratch;

typedef struct {
	/** Bytes handed to Hyperscan per call; larger inputs are scanned in overlapping chunks. */
	size_t chunk_size;
	/** Longest confirmation window for rules whose match length is unbounded. */
	size_t max_window;
	/** PCRE2 match limit per confirmation (bounds backtracking). */
	unsigned match_limit;
	/**
	 * Directory for compiled databases (NULL: always compile). A database is keyed by the
	 * rules' patterns, the Hyperscan version and this CPU's features; a missing, stale or
	 * unreadable entry is silently recompiled and rewritten atomically.
	 */
	const char *cache_dir;
} ls_matcher_options;

#define LS_MATCHER_OPTIONS_INIT {(size_t)64 << 20, 64 << 10, 1000000, NULL}

/** One confirmed match: byte offsets into the scanned buffer, end exclusive. */
typedef struct {
	const ls_rule *rule;   /**< borrowed from the rule set */
	size_t start, end;     /**< the whole match */
	size_t sec_start, sec_end; /**< the capture group, or the whole match */
} ls_match;

/** Called for each confirmed match, in order of start offset per rule. Non-zero stops the scan. */
typedef int (*ls_match_cb)(const ls_match *m, void *payload);

/**
 * Compiles every enabled rule of `rs` into one database. `rs` is borrowed and must outlive
 * the matcher. Errors name the rule's file, line and id. The matcher is immutable and may
 * be shared by any number of threads, each with its own scratch.
 */
int ls_matcher_new(ls_matcher **out, const ls_ruleset *rs, const ls_matcher_options *opts);
void ls_matcher_free(ls_matcher *m);

/** Number of rules compiled in. */
size_t ls_matcher_rule_count(const ls_matcher *m);
/** The rule of the matcher's rule set (compiled in or disabled) with this id, or NULL. */
const ls_rule *ls_matcher_find_rule(const ls_matcher *m, const char *id);

/**
 * Appends to `out` the expressions Hyperscan compiles for rule `r` (ls_hsexpr_derive, then
 * split when the rule sets `split_alternatives`). For `rules list --hyperscan` and
 * benchmarks; scans compute them themselves. Returns how many.
 */
int ls_matcher_hyperscan_expressions(const ls_rule *r, ls_strlist *out);

/**
 * How far before a Hyperscan end offset the confirmation of rule `r` starts looking for a
 * match, in bytes: the longest match of the part of the pattern Hyperscan runs, or the
 * options' max_window when that part is unbounded (then `*capped` is set). 0 for a rule not
 * in the database (disabled, or a `pair_with` rule, which is confirmed line by line).
 */
size_t ls_matcher_window(const ls_matcher *m, const ls_rule *r, int *capped);

/** Per-thread scratch space for `m`. One thread at a time; free before the matcher. */
int ls_scratch_new(ls_scratch **out, const ls_matcher *m);
void ls_scratch_free(ls_scratch *s);

/**
 * Scans `buf` (any length) and calls `cb` for each confirmed match. Overlapping matches of
 * one rule are reported once. Returns 0, LS_ESTOP if `cb` stopped it, or LS_ERR.
 */
int ls_matcher_scan(const ls_matcher *m, ls_scratch *s, const char *buf, size_t len,
                    ls_match_cb cb, void *payload);

/**
 * The rule whose confirmation hit the PCRE2 match limit during the last scan with this
 * scratch, or NULL. Those candidates were skipped.
 */
const ls_rule *ls_scratch_limit_rule(const ls_scratch *s);

#endif
