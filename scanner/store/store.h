/* store: the findings datastore of bulk scans (one SQLite file, DIR/datastore.db). */
#ifndef LS_STORE_H
#define LS_STORE_H

#include <stddef.h>

#include "search.h"

/**
 * What the datastore holds (schema version LS_STORE_VERSION, in PRAGMA user_version):
 *
 * - blobs: every object (blob or commit message) already scanned, with the rule-set digest
 *   it was scanned with and how many findings it had;
 * - secrets: one row per distinct secret per rule (with its severity and confidence), keyed by its fingerprint
 *   "RULE-ID:HASH16" (the first 16 hex digits of secret_hash, the secret's HMAC-SHA-256 under
 *   the fingerprint key, see fpkey.h; a plain SHA-256 in rows an older leakscan wrote and
 *   could not rehash, see ls_store_key_check); the secret itself
 *   only with store_secrets, a masked form always (same length; the leading characters
 *   --redact shows only with store_secrets, stars otherwise);
 * - occurrences: where in a blob each secret sits (line, column, masked line text);
 * - repos: each repository scanned, with the digest of its ref tips at the last complete
 *   scan; locations: each path where a finding blob sits in each repository, with the first
 *   commit holding it there;
 * - triage: a status and note per fingerprint, kept across runs; runs: one row per run.
 * - verifications: the last live verification of each fingerprint (status, identity,
 *   account, detail, time): never the secret.
 *
 * - meta: settings; `fingerprint_key` is the id of the key its hashes were made with
 *   (ls_fpkey_id), never the key: the file alone does not allow guessing secrets.
 *
 * Every text key (fingerprint, blob id, repository name) is independent of the datastore
 * (given the same fingerprint key), so shard datastores merge by plain SQL. A store handle is used by one thread at a time.
 */
#define LS_STORE_VERSION 6

typedef struct ls_store ls_store;

/**
 * Opens DIR/datastore.db, creating DIR and the database when `create` is set. Errors are
 * one line naming the file: LS_ENOTFOUND (no datastore and !create), LS_EIO (not a
 * datastore, corrupt, unwritable), LS_EINVAL (written by a newer leakscan). Nothing is
 * changed in a file that failed to open.
 */
int ls_store_open(ls_store **out, const char *dir, int create);
/**
 * Opens DIR/datastore.db for reading only (report, summary): nothing in the directory is
 * created or changed. A WAL file whose directory the caller cannot write is read as immutable
 * when it has no pending -wal content. Errors as ls_store_open; a permission problem is named
 * as one. The handle is for the query functions only.
 */
int ls_store_open_readonly(ls_store **out, const char *dir);
void ls_store_close(ls_store *s);
/** The database file's path (borrowed). */
const char *ls_store_path(const ls_store *s);

/** Batches writes in one transaction: begin, any number of puts, commit. */
int ls_store_begin(ls_store *s);
int ls_store_commit(ls_store *s);

/** Whether secrets are kept in clear (a datastore setting; 0 scrubs the ones stored). */
int ls_store_secrets_stored(ls_store *s);
int ls_store_set_store_secrets(ls_store *s, int on);

/** Starts a run; `*run` receives its id (1, 2, ...). */
int ls_store_run_begin(ls_store *s, const char *digest, long long *run);
typedef struct {
	long long repos, repos_scanned, repos_unchanged, repos_failed, blobs, bytes, findings;
	int complete; /**< 0: interrupted */
} ls_store_run_stats;
int ls_store_run_end(ls_store *s, long long run, const ls_store_run_stats *st);
/** The latest run's id, or 0. */
long long ls_store_last_run(ls_store *s);

/** Calls `cb` with each blob id (40 hex) scanned with `digest` and its finding count. */
int ls_store_blobs_foreach(ls_store *s, const char *digest,
                           int (*cb)(const char *id, long long nfindings, void *payload), void *payload);
/** Calls `cb` with each repository's name, ref tips digest and rule-set digest. */
int ls_store_repos_foreach(ls_store *s,
                           int (*cb)(const char *name, const char *tips, const char *digest, void *payload),
                           void *payload);

/**
 * Records blob `id` as scanned with `digest` in run `run`, replacing what an earlier scan
 * stored for it, with its findings (borrowed; their rule, secret, hash, line and column are
 * used, not their path). With `secrets`, secrets, line texts and matches are stored in
 * clear, and masked copies that mask every secret found in the blob; without, no line text
 * or match at all (NULL: what reads them shows the secret's mask instead). `inner` (optional,
 * one per finding, each NULL or not): the path inside the blob of a finding an archive blob
 * holds (`BOOT-INF/classes/app.properties`).
 */
int ls_store_put_blob(ls_store *s, const char *id, const char *digest, long long run, const ls_finding *fs,
                      size_t n, int secrets, const char *const *inner);

/** Where a finding blob sits in a repository: the commit that introduced it and its path. */
typedef struct {
	const char *blob;
	const char *commit;
	const char *path;
	const char *author_name, *author_email, *date;
	const char *message; /**< the commit's subject (kept only in a datastore that keeps secrets) */
	int at_tip;          /**< 1: HEAD (the default branch's tip) holds the blob at that path; 0 not; -1 unknown */
} ls_store_location;

/**
 * Records a completed scan of repository `name` (its `url`, or NULL for a local path) with
 * ref tips digest `tips`: replaces its locations with `locs` (borrowed).
 */
int ls_store_put_repo(ls_store *s, const char *name, const char *url, const char *tips, const char *digest,
                      long long run, const ls_store_location *locs, size_t n);

/** One location of one secret, as the report reads them (strings borrowed until the next row). */
typedef struct {
	const char *fingerprint, *rule_id, *rule_name, *secret_hash;
	int severity;
	const char *secret;      /**< NULL unless stored */
	const char *secret_mask; /**< same length as the secret; what redaction shows */
	size_t secret_len;
	long long first_run;
	const char *status, *note; /**< NULL: not triaged */
	const char *repo, *commit, *path, *blob, *author_name, *author_email, *date;
	size_t line, column, end_line, end_column;
	const char *line_text;   /**< in clear if stored, else masked */
	size_t line_secret_off, line_secret_len;
	const char *match;       /**< in clear if stored, else masked */
	double entropy;
	const char *aws_account;
	const char *pair_rule;   /**< the paired finding's rule (an AWS key id's), or NULL */
	size_t pair_line, pair_column;
	const char *pair_secret; /**< the paired finding's secret, in clear if stored, else masked */
	int decoded;             /**< found inside a base64 value */
	const char *message;     /**< the commit's subject, or NULL */
	const char *verify_status; /**< the last verification's status name, or NULL (never verified) */
	const char *verify_identity, *verify_account, *verify_detail;
	long long verify_checked_at;
	int at_tip;              /**< the location is at the default branch's tip: 1, 0, -1 unknown */
	int confidence;          /**< an ls_confidence (medium for a secret an older leakscan stored) */
	const char *inner;       /**< inside an archive blob: the path in it (`conf/app.env`, `a.tar!b.env`),
	                              shown after the location's path and a `!`; NULL otherwise */
} ls_store_row;

typedef struct {
	const char *repo;  /**< only this repository's locations */
	const char *rule;  /**< only this rule */
	int min_severity;  /**< -1: any */
	const char *status; /**< only this triage status ("open": not triaged) */
	long long new_since; /**< only secrets first seen after this run (0: any) */
	const char *verification; /**< only this verification status ("none": never verified) */
	int min_confidence; /**< only secrets at least this sure (an ls_confidence; 0: any) */
} ls_store_filter;

#define LS_STORE_FILTER_INIT {NULL, NULL, -1, NULL, 0, NULL, 0}

/**
 * Calls `cb` for every location of every secret matching `f`, grouped by secret (ordered by
 * rule id and fingerprint), locations ordered by repository, path, commit, line, column.
 * A non-zero return from `cb` stops (LS_ESTOP).
 */
int ls_store_query(ls_store *s, const ls_store_filter *f, int (*cb)(const ls_store_row *r, void *payload),
                   void *payload);

/**
 * Counts for `summary`: cb(kind, name, distinct secrets, locations) for each rule (kind
 * "rule"), then each repository ("repo"), then each triage status ("status"; "open" when
 * not triaged), then each verification status ("verification"; "none" when never
 * verified), each kind ordered by name.
 */
int ls_store_summary(ls_store *s, int (*cb)(const char *kind, const char *name, long long secrets,
                                            long long locations, void *payload),
                     void *payload);

/** Calls `cb` with each run (by id): its start time and the distinct secrets first seen in it. */
int ls_store_runs_foreach(ls_store *s, int (*cb)(long long id, const char *started, long long new_secrets, void *payload),
                          void *payload);
/** The fingerprint under which a datastore keeps f's secret: RULE-ID:HASH16. */
void ls_store_fingerprint(char out[160], const ls_finding *f);
/** Records the verification of the secret `fingerprint`, replacing an earlier one. */
int ls_store_put_verification(ls_store *s, const char *fingerprint, const ls_verification *v);
/** The stored verification of `fingerprint` into `out` (which holds nothing): 0, or
 * LS_ENOTFOUND when it was never verified. */
int ls_store_get_verification(ls_store *s, const char *fingerprint, ls_verification *out);
/** Sets the triage status of `fingerprint` (LS_ENOTFOUND if no such secret); "open" clears it. */
int ls_store_triage(ls_store *s, const char *fingerprint, const char *status, const char *note);

/**
 * Binds the datastore to the process's fingerprint key (fpkey.h) before findings are put:
 * a datastore records its key's id on first use; one made with another key is LS_EINVAL
 * (its fingerprints and triage could never match new findings). Rows written before keyed
 * hashes are rehashed from their stored secrets; `*left_plain` receives how many rows keep
 * a plain SHA-256 because their secret was not stored. One transaction.
 */
int ls_store_key_check(ls_store *s, long long *left_plain);

/**
 * Merges the datastore in directory `src_dir` into `s`: runs are appended (renumbered),
 * secrets, blobs and occurrences added, repositories and their locations taken from `src`
 * when `s` holds the same name, triage kept where it was updated last. Secrets stay out of
 * `s` when it does not store them. Both must have been made with the same fingerprint key
 * (LS_EINVAL otherwise); `s` takes the key id of `src` when it has none. One transaction: all
 * or nothing.
 */
int ls_store_merge(ls_store *s, const char *src_dir);

#endif
