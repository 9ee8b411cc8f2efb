/* allow: allowlists, default skips, the .leakscanignore file and baselines. */
#ifndef LS_ALLOW_H
#define LS_ALLOW_H

#include <stddef.h>
#include <stdio.h>

#include "search.h"

/**
 * Matches a gitignore-style glob against a relative path (`/`-separated, no leading `./`).
 * A pattern without a slash (other than a trailing one) matches a name at any depth; a
 * pattern with a slash is anchored at the start of `path` (a leading `/` is dropped). `*`,
 * `?` and `[...]` never cross a `/`; a `**` segment matches any number of directories. A
 * trailing `/` matches directories only. A path also matches when one of its parent
 * directories does (`vendor` matches `vendor/a/b.c`). `is_dir` says whether `path` names
 * a directory. Returns 1 on a match, 0 if not. Pure, thread-safe.
 */
int ls_glob_match(const char *pattern, const char *path, int is_dir);

typedef enum {
	LS_ALLOW_ANY = 0, /**< one matching criterion allows the finding */
	LS_ALLOW_ALL      /**< every kind of criterion given must match */
} ls_allow_condition;

/**
 * One allowlist entry, as given to ls_allow_add (every string borrowed for the call).
 * A kind of criterion with n == 0 is absent. `rules` restricts the entry to those rule ids
 * (none: every rule).
 */
typedef struct {
	const char *where;  /**< "FILE:LINE" of the entry, used in error messages; may be NULL */
	const char *const *rules; size_t nrules;
	const char *const *paths; size_t npaths;       /**< globs, relative to the base directory */
	const char *const *secrets; size_t nsecrets;   /**< PCRE2 regexes searched in the secret */
	const char *const *matches; size_t nmatches;   /**< ... in the whole match */
	const char *const *lines; size_t nlines;       /**< ... in the line holding the secret */
	const char *const *stopwords; size_t nstopwords; /**< case-insensitive substrings of the secret */
	const char *const *commits; size_t ncommits;   /**< commit ids or prefixes (7+ hex digits) */
	const char *const *aws_accounts; size_t naws_accounts; /**< 12-digit AWS account ids */
	ls_allow_condition condition;
} ls_allow_entry;

#define LS_ALLOW_ENTRY_INIT {NULL, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, LS_ALLOW_ANY}

typedef struct ls_baseline ls_baseline;

/**
 * Everything that drops findings after matching (beyond the rules' own `allow`): allowlist
 * entries, default skips, ignored fingerprints and a baseline. Built once, then read-only:
 * ls_allow_skip_path and ls_allow_check may be called from any number of threads.
 */
typedef struct ls_allow ls_allow;

/**
 * Creates an empty set. Paths are matched relative to `base_dir` (borrowed for the call;
 * NULL: the current directory). Default skips start on.
 */
int ls_allow_new(ls_allow **out, const char *base_dir);
void ls_allow_free(ls_allow *a);

/**
 * How finding and walk paths are read: 0 (default) as file system paths, relative to the
 * current directory or absolute; 1 as already relative to the base directory (paths inside
 * a repository, for history scans of a repository whose top is the base directory).
 */
void ls_allow_set_paths_relative(ls_allow *a, int relative);

/** Turns the default skips (lock files, minified bundles, vendored directories, media) on or off. */
void ls_allow_set_default_skips(ls_allow *a, int on);
/** Whether the default skips take archives (zip, jar, tar, gz...) too: only when they are not
 * opened (on by default; leakscan turns it off unless --max-archive-depth 0). */
void ls_allow_set_skip_archives(ls_allow *a, int on);

/** Adds an entry (copied). Returns LS_EINVAL with `WHERE: problem` for a bad regex, commit or account. */
int ls_allow_add(ls_allow *a, const ls_allow_entry *e);

/** Ignores one fingerprint (`path:rule-id:hash16`, as printed with every finding). */
void ls_allow_add_fingerprint(ls_allow *a, const char *fingerprint);

/** Reads the lines of a .leakscanignore held in memory (`len` bytes), as the file above. */
void ls_allow_load_ignore_buffer(ls_allow *a, const char *text, size_t len);

/** Uses `b` (borrowed; must outlive `a`) to drop findings already in the baseline. */
void ls_allow_set_baseline(ls_allow *a, const ls_baseline *b);

/**
 * Returns 1 if a path need not be read at all: a default skip, or a path glob of an entry
 * that applies to every rule and has no other criterion. For walkers, with the path as the
 * walker has it; thread-safe.
 */
int ls_allow_skip_path(const ls_allow *a, const char *path, int is_dir);
/** Whether `path` is left out by the default skips alone (lock files, minified bundles,
 * vendored directories), when they are on. Thread-safe. */
int ls_allow_default_skip(const ls_allow *a, const char *path, int is_dir);
/** Whether the default skips are on (not turned off by config or --no-default-skips). */
int ls_allow_default_skips_on(const ls_allow *a);

/** Returns 1 if the finding is allowlisted, ignored by fingerprint, or in the baseline. Thread-safe. */
int ls_allow_check(const ls_allow *a, const ls_finding *f);

/** ls_search_options.allow adapter: `payload` is a const ls_allow *. */
int ls_allow_search_cb(const ls_finding *f, void *payload);
/** ls_search_options.skip_path adapter: `payload` is a const ls_allow *. */
int ls_allow_skip_cb(const char *path, void *payload);

/** The path as matched against globs and stored in baselines (caller frees). */
char *ls_allow_relpath(const ls_allow *a, const char *path);
/** ls_search_options.relpath adapter: `payload` is a const ls_allow *. */
char *ls_allow_relpath_cb(const char *path, void *payload);

/** The names and extensions skipped by default, for documentation and `--help`. */
extern const char *const ls_allow_default_skip_names[];
extern const char *const ls_allow_default_skip_dirs[];
extern const char *const ls_allow_default_skip_exts[];
extern const char *const ls_allow_default_skip_archive_exts[];

/* ---- baselines ---- */

/**
 * One baseline entry; strings owned by the baseline. `secret_hash` is kept as written in the
 * file: "hmac-sha256:" and 64 hex digits, the secret's hash under the fingerprint key
 * (fpkey.h; what leakscan writes since format version 2), or 64 hex digits alone, the plain
 * SHA-256 of version 1 files (`legacy`), still honoured until `baseline update` rewrites it.
 */
typedef struct {
	char *rule_id;
	char *path;          /**< relative to the base directory (see ls_allow_relpath) */
	char secret_hash[80];
	int legacy;          /**< secret_hash is a plain SHA-256 (guessable for weak secrets) */
	char *fingerprint;
	char *added;         /**< ISO 8601 date the entry was first recorded, or NULL */
} ls_baseline_entry;

int ls_baseline_new(ls_baseline **out);
void ls_baseline_free(ls_baseline *b);

/** The largest baseline file read (a regular file only: never a FIFO or a device). */
#define LS_BASELINE_MAX_SIZE ((size_t)256 << 20)

/**
 * Loads a baseline written by ls_baseline_write (format 2) or by an older leakscan (format
 * 1), or a leakscan JSON or JSONL report taken as one. Strict JSON (jansson): UTF-8, no
 * duplicate keys, no \u0000, nesting at most 64 deep. Returns 0, LS_ENOTFOUND or LS_EIO
 * with a message, or LS_EINVAL with `FILE:LINE: invalid baseline: problem` for a malformed
 * file. Thread-safe (jansson's decoder is).
 */
int ls_baseline_load(ls_baseline **out, const char *path);

/**
 * Adds an entry unless one with the same (rule id, path, secret hash) is there. Strings are
 * copied; `secret_hash` is in its written form (see ls_baseline_entry); `fingerprint` and
 * `added` may be NULL. Returns 1 if added, 0 if already present.
 */
int ls_baseline_add(ls_baseline *b, const char *rule_id, const char *path, const char *secret_hash,
                    const char *fingerprint, const char *added);

/** The entry for (rule id, path, secret hash in its written form), or NULL. Borrowed. Thread-safe once built. */
const ls_baseline_entry *ls_baseline_find(const ls_baseline *b, const char *rule_id, const char *path,
                                          const char *secret_hash);

/**
 * The entry that records finding `f` at `path` (relative, see ls_allow_relpath): by its keyed
 * hash, else by its plain SHA-256 in a legacy entry. NULL if none. Borrowed. Thread-safe once built.
 */
const ls_baseline_entry *ls_baseline_match(const ls_baseline *b, const char *path, const ls_finding *f);

/** Writes the keyed form of `f`'s secret hash ("hmac-sha256:HEX") into `out`. */
void ls_baseline_hash(char out[80], const ls_finding *f);

/** The id of the key the baseline's keyed hashes were made with ("" if none recorded). */
const char *ls_baseline_key_id(const ls_baseline *b);
/** Records `key_id` (16 hex digits, see ls_fpkey_id) as the baseline's key. */
void ls_baseline_set_key_id(ls_baseline *b, const char *key_id);
/** How many entries hold a legacy (plain SHA-256) hash. */
size_t ls_baseline_legacy_count(const ls_baseline *b);

size_t ls_baseline_count(const ls_baseline *b);
/** The i-th entry in sorted order (rule id, path, hash). */
const ls_baseline_entry *ls_baseline_get(const ls_baseline *b, size_t i);

/** Writes the baseline as JSON (format 2, with its key id), entries sorted. Returns 0 or LS_EIO. */
int ls_baseline_write(const ls_baseline *b, FILE *fp, const char *tool_version);

#endif
