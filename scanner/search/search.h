/* search: run the matcher over one blob and turn matches into findings. */
#ifndef LS_SEARCH_H
#define LS_SEARCH_H

#include <stddef.h>

#include "matcher.h"
#include "rules.h"

/** Git provenance of a finding (history scans); every field may be NULL. Owned by the finding. */
typedef struct {
	char *commit;
	char *author_name;
	char *author_email;
	char *date;     /**< ISO 8601 */
	char *message;  /**< first line of the commit message */
	char *blob;     /**< blob id */
	char **also;    /**< with --all-provenance: "commit:path" strings */
	size_t nalso;
	char *repo;     /**< the repository (report, from a datastore): SARIF gives each its run */
} ls_provenance;

/** What live verification (verify.h) made of a finding's secret. */
typedef enum {
	LS_VERIFY_NONE = 0,   /**< no verification ran */
	LS_VERIFY_VERIFIED,   /**< the provider accepted it: the secret is live */
	LS_VERIFY_INVALID,    /**< the provider refused it (revoked, wrong, expired) */
	LS_VERIFY_UNKNOWN,    /**< no verifier for the rule, or not verifiable alone */
	LS_VERIFY_ERROR,      /**< no answer: network, timeout, throttled, malformed answer */
	LS_VERIFY_SKIPPED     /**< deliberately not sent (a canary token) */
} ls_verify_status;

/** "verified", "invalid", "unknown", "error", "skipped" ("" for LS_VERIFY_NONE). */
const char *ls_verify_status_name(ls_verify_status s);
/** Parses a status name; returns 0 or LS_EINVAL. */
int ls_verify_status_parse(ls_verify_status *out, const char *name);

/** A verification result. Strings are owned (ls_verification_dispose); none holds the secret. */
typedef struct {
	ls_verify_status status;
	char *identity;       /**< whose it is: an ARN, a login, a bot name; or NULL */
	char *account;        /**< the account or workspace it belongs to, or NULL */
	char *detail;         /**< why: scopes, the provider's error, "canary", "timeout"; or NULL */
	long long checked_at; /**< Unix time of the check (0: never sent) */
} ls_verification;

void ls_verification_dispose(ls_verification *v);
/** Deep copy of `src` into `dst` (which holds nothing). */
void ls_verification_copy(ls_verification *dst, const ls_verification *src);

/** One finding. Every string is owned by the finding (see ls_finding_dispose). */
typedef struct ls_finding {
	const ls_rule *rule;    /**< borrowed from the rule set */
	ls_severity severity;
	ls_confidence confidence; /**< the rule's, lowered for a generic rule's value that only
	                               example places hold (ls_path_is_example), raised by a live
	                               verification */
	char *path;
	size_t line, column, end_line, end_column; /**< 1-based; columns count UTF-8 characters */
	size_t offset;          /**< byte offset of the secret in the blob */
	char *secret;
	size_t secret_len;
	char *match;
	size_t match_len;
	char *line_text;        /**< the line holding the secret's start, at most ~512 bytes around it */
	size_t line_secret_off; /**< where the secret starts in line_text */
	size_t line_secret_len; /**< how much of the secret line_text holds */
	double entropy;
	char fingerprint[160];  /**< path:rule-id:hash16 (of secret_hash), independent of the line */
	char secret_hash[65];   /**< HMAC-SHA-256 of the secret under the fingerprint key (fpkey.h) */
	char legacy_hash[65];   /**< plain SHA-256 of the secret, only to honour baselines and ignore
	                             files written before keyed hashes; never written to a redacted
	                             output or a file ("" when unknown) */
	char aws_account[13];   /**< AWS account decoded from an access key id, or "" */
	int decoded;            /**< found inside a base64 value decoded by a `decode` rule */
	int made_up;            /**< its value, decoded, looks made up (ls_search_looks_made_up, for
	                             a generic, medium-confidence or `decode: basic-auth` rule) or
	                             fake (ls_search_looks_fake, for the others): then low confidence */
	const ls_rule *pair_rule; /**< the rule of the paired finding (`pair_with`), or NULL */
	char *pair_secret;      /**< the paired finding's secret */
	size_t pair_secret_len, pair_line, pair_column;
	ls_provenance prov;
	size_t place;           /**< ls_search_blob: which of its places the finding is reported at */
	int inline_allowed;     /**< inside the search only: its line's marker allows it (and its pair) */
	ls_verification verification; /**< set by verification (--verify), LS_VERIFY_NONE before */
} ls_finding;

typedef struct {
	ls_finding *items;
	size_t n, cap;
} ls_findings;

#define LS_FINDINGS_INIT {NULL, 0, 0}
void ls_finding_dispose(ls_finding *f);
void ls_findings_dispose(ls_findings *fs);
/** Moves `f` into the list (the list owns its strings afterwards). */
void ls_findings_push(ls_findings *fs, ls_finding *f);

/** Recomputes a finding's fingerprint from its rule, path and secret hash. */
void ls_finding_fingerprint(ls_finding *f);
/** The same, from `path` rather than the finding's own (a path relative to the repository). */
void ls_finding_fingerprint_at(ls_finding *f, const char *path);
/** The RULE-ID:HASH16 tail of a PATH:RULE-ID:HASH16 fingerprint (how a datastore and report
 * name a secret, wherever it is); `fp` itself when it has no path part. */
const char *ls_fingerprint_secret_part(const char *fp);

typedef struct {
	/** Honour `leakscan:allow`, `gitleaks:allow` and `pragma: allowlist secret` on the line. */
	int inline_allow;
	/**
	 * Optional extra filter (configured allowlists): return non-zero to drop the finding.
	 * The finding's path, and its prov.commit when the place has one, are set. Called from
	 * worker threads; must be thread-safe.
	 */
	int (*allow)(const ls_finding *f, void *payload);
	void *allow_payload;
	/** Optional: non-zero if nothing at `path` need be read (default skips, path-only
	 * allowlist entries). Gets allow_payload. Thread-safe. */
	int (*skip_path)(const char *path, void *payload);
	/**
	 * Content that looks binary (a NUL byte in its first 8 KiB): LS_SEARCH_BINARY_DETECT (the
	 * default) searches it with every rule but the generic ones (`generic: true`: a password
	 * assignment, an API-key-looking word), whose matches in binary data are mostly noise,
	 * while a provider's key keeps its shape in a binary; LS_SEARCH_BINARY_TEXT (--binary)
	 * searches everything as text. Binary content is never skipped: one NUL byte must not
	 * hide a key.
	 */
	int binary;
	/**
	 * Optional: the path a file's fingerprint is computed from (allocated; gets
	 * allow_payload), relative to the policy's base directory (the top of the repository), so
	 * that a fingerprint does not depend on the directory leakscan runs in. Thread-safe.
	 */
	char *(*relpath)(const char *path, void *payload);
	/** Findings less sure than this are dropped (LS_CONF_LOW, the default, keeps all). */
	ls_confidence min_confidence;
} ls_search_options;

enum { LS_SEARCH_BINARY_DETECT = 0, LS_SEARCH_BINARY_TEXT = 1, LS_SEARCH_BINARY_SPECIFIC = 2 };

#define LS_SEARCH_OPTIONS_INIT {1, NULL, NULL, NULL, 0, NULL, LS_CONF_LOW}

/** What kind of origin some content has (git's grep_source is the model). */
typedef enum {
	LS_ORIGIN_FILE,           /**< a file on disk (`scan`) */
	LS_ORIGIN_STDIN,          /**< standard input (`scan -`) */
	LS_ORIGIN_BLOB,           /**< a blob at (commit, path) of a history, or a ref's blob */
	LS_ORIGIN_STAGED,         /**< an entry of the staged index */
	LS_ORIGIN_UNREACHABLE,    /**< an object no ref reaches (`--all-objects`) */
	LS_ORIGIN_COMMIT_MESSAGE, /**< a commit's message */
	LS_ORIGIN_TAG_MESSAGE,    /**< an annotated tag's message */
	LS_ORIGIN_MESSAGE,        /**< a message given on the command line or by a hook */
	LS_ORIGIN_TEXT            /**< anything else (a rule's example, a report field) */
} ls_origin_kind;

/**
 * The one origin model: where some content was found, with its provenance. Every source
 * describes what it reads with it (files, stdin, history blobs at each of their places,
 * messages, staged entries) and every search takes it; a blob found at several places has
 * one per place. Strings are borrowed.
 */
typedef struct {
	ls_origin_kind kind;
	const char *path;   /**< the file's path, or a label such as "<commit message>" */
	const char *commit; /**< 40 hex, the first commit holding it there, or NULL: lets allowlist
	                         entries that name commits match */
	const char *blob;   /**< 40 hex, its object in a repository, or NULL */
	int is_path;        /**< `path` is a path (a file, a blob's, a staged entry's): skip_path
	                         applies; labels are never skipped */
} ls_origin;

/**
 * Scans `buf` as text found at `path` (an origin of kind `kind`) and appends findings (sorted by offset, then rule)
 * to `out`. `m` is shared; `s` is this thread's scratch. Returns 0 or a negative error.
 * A rule whose confirmation hit the regex limits is reported through ls_scratch_limit_rule().
 */
int ls_search_buffer(const ls_matcher *m, ls_scratch *s, const ls_search_options *opts,
                     const char *buf, size_t len, ls_origin_kind kind, const char *path, ls_findings *out);


enum { LS_SEARCH_SCANNED = 0, LS_SEARCH_SKIPPED_PATH = 2 };

/** A warning about what a blob holds: the first inline marker that names no rule. */
typedef struct {
	char *text; /**< owned, or NULL */
	size_t line;
} ls_search_note;

/** What ls_search_blob made of one blob. */
typedef struct {
	ls_findings findings;      /**< by offset, then rule id; each at its `place` */
	const ls_rule *limit_rule; /**< a rule whose confirmation hit the regex limits in this blob, or NULL */
	int skipped;               /**< LS_SEARCH_SKIPPED_PATH (every place skipped) or 0 */
	int binary;                /**< it looked binary: searched without the generic rules */
	ls_search_note note;       /**< a warning about the content, or none */
} ls_search_result;

void ls_search_result_dispose(ls_search_result *r);

/**
 * The one search path every origin takes (a file, a window of one, a git blob, a message,
 * stdin): the binary check, the match (run once, whatever the number of places), then for
 * each place that is not skipped the path-dependent decisions (allowlists, `quoted_in_code`,
 * the finding's path and fingerprint). A secret is reported once, at the first place that
 * does not allow it; it is dropped only when every place allows it. `places` (nplaces >= 1)
 * are borrowed for the call. Returns 0 or a negative error (Hyperscan failed).
 */
int ls_search_blob(const ls_matcher *m, ls_scratch *s, const ls_search_options *opts, const char *buf, size_t len,
                   const ls_origin *places, size_t nplaces, ls_search_result *out);

/** Inputs larger than this are searched in overlapping windows of this size (ls_search_windows). */
#define LS_SEARCH_WINDOW ((size_t)64 << 20)
/** How much consecutive windows overlap; a finding belongs to the window that holds it away
 * from the edges (the matcher's own chunk overlap is far smaller). */
#define LS_SEARCH_WINDOW_OVERLAP ((size_t)1 << 20)

/**
 * Gives the `len` bytes at offset `off` of the input (fewer at its end or when it shrank):
 * returns a pointer valid until the next call and sets `*got`, or NULL with errno set.
 */
typedef const char *(*ls_search_window_fn)(void *payload, size_t off, size_t len, size_t *got);

/**
 * ls_search_blob over an input of `size` bytes that is read a window at a time (files and
 * blobs larger than LS_SEARCH_WINDOW, so that both give the same findings): the binary check
 * on the first window, then each window searched on its own, its findings moved to input
 * positions (offsets, lines, columns of a line begun in an earlier window), a finding in an
 * overlap kept by one window only. Returns 0, a negative error from the search, or LS_EIO
 * with errno set when `read` failed.
 */
int ls_search_windows(const ls_matcher *m, ls_scratch *s, const ls_search_options *opts, size_t size,
                      ls_search_window_fn read, void *payload, const ls_origin *places, size_t nplaces,
                      ls_search_result *out);

/** Returns 1 if the secret looks like a placeholder or a templated value, or is a value
 * published as an example in a specification (RFC 6749 and the like). */
int ls_search_is_placeholder(const char *secret, size_t len);

/**
 * Returns 1 if a value looks written by a person or named by a program rather than generated:
 * mostly dictionary words (leetspeak read as letters: `SuperSecretPassw0rd`,
 * `thisISverySECRET123`), a keyboard walk or sequence (`qwerty123`, `abcdef`), a constant
 * name (`DB_PASSWORD`), a kebab-case name (`prometheus-config`), a dotted name (`config.db.password`), a path (`@/etc/passwd`,
 * `foo/restricted-users`), a format macro (`%HOSTIP`), hex of words. A generic rule's value
 * of that kind is low confidence.
 */
int ls_search_looks_made_up(const char *secret, size_t len);

/**
 * Returns 1 if a provider-shaped or key-shaped value is a dummy all the same: a typed run of
 * eight characters in sequence (`abcdefghijklmnop`), `EXAMPLE` or a variant of it, or a PEM
 * private key whose body is not DER (or not `openssh-key-v1`). A specific rule's finding of
 * that kind is low confidence.
 */
int ls_search_looks_fake(const char *secret, size_t len);

#endif
