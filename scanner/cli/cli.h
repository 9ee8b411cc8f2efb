/* cli: flag parsing into validated options, and the helpers every command shares. */
#ifndef LS_CLI_H
#define LS_CLI_H

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>

#include "allow.h"
#include "config.h"
#include "fpkey.h"
#include "matcher.h"
#include "report.h"
#include "rules.h"
#include "search.h"

#define LS_EXIT_CLEAN 0
#define LS_EXIT_FINDINGS 1
#define LS_EXIT_ERROR 2

/** Options shared by the commands that scan. */
typedef struct {
	const char **rule_paths; /* --rules, in order */
	size_t nrule_paths;
	const char **disable;    /* --disable-rule ids */
	size_t ndisable;
	const char **enable;     /* --enable-rule ids */
	size_t nenable;
	int no_default_rules;
	ls_format format;
	int format_set;
	const char *output;      /* -o FILE, or NULL for stdout */
	int redact;              /* -1: format's default */
	int color;               /* -1 auto, 0 never, 1 always */
	int jobs;
	long long max_file_size;
	int binary;
	int no_ignore;
	int follow;
	int inline_allow;
	int quiet;
	ls_severity fail_on;
	ls_confidence min_confidence; /* --min-confidence (default medium) */
	int min_confidence_set;  /* --min-confidence given (it wins over the config's) */
	int no_cache;            /* --no-cache: always compile the rules */
	int fail_on_set;         /* --fail-on given (it wins over the config's fail_on) */
	const char *config;      /* --config FILE */
	int no_config;           /* --no-config */
	const char *baseline;    /* --baseline FILE */
	int no_default_skips;    /* --no-default-skips */
	int verify;              /* --verify 1, --no-verify 0, -1: the configuration decides */
	const char **verify_endpoints; /* --verify-endpoint PROVIDER=URL, in order */
	size_t nverify_endpoints;
	const char *verify_ca_file; /* --verify-ca-file FILE */
	double verify_timeout;   /* --verify-timeout SECS (0: default) */
	int verify_jobs;         /* --verify-jobs N (0: default) */
	double verify_rate;      /* --verify-rate N: requests a second per provider (0: default) */
	int only_verified;       /* --only-verified */
	int fail_on_verified;    /* --fail-on verified */
	int max_archive_depth;   /* --max-archive-depth N: archives nested this deep are opened (0: none) */
	long long max_archive_size; /* --max-archive-size SIZE: uncompressed bytes read from one archive */
} ls_cli_options;

void ls_cli_options_init(ls_cli_options *o);
void ls_cli_options_dispose(ls_cli_options *o);

/**
 * Handles one of the options every scanning command takes. Returns 1 if `opt` was one of
 * them, 0 if not, -1 after printing an error about a bad value.
 */
int ls_cli_common_option(ls_cli_options *o, int opt, const char *arg, const char *cmd);

/** getopt_long entries of the common options (terminated by a zero entry). */
extern const struct option ls_cli_common_longopts[];
#define LS_CLI_COMMON_SHORTOPTS "o:f:j:q"

/** Help lines of the output and rule-set options, shared by scan and git. */
#define LS_CLI_OUTPUT_HELP \
	"  -f, --format FMT       text (default), json, jsonl, sarif, junit, csv, html\n" \
	"  -o, --output FILE      write findings to FILE (atomically) instead of stdout\n" \
	"      --redact           mask secrets (default for sarif, junit, html); --no-redact to show\n" \
	"  -j, --jobs N           worker threads (default: number of CPUs)\n" \
	"      --rules PATH       add a rule file or directory (repeatable)\n" \
	"      --no-default-rules use only the --rules given\n" \
	"      --disable-rule ID  turn a rule off (repeatable); --enable-rule ID turns one on\n"

/** Help lines of the options that decide what a scan reports, shared by scan and git. */
#define LS_CLI_FILTER_HELP \
	"      --no-inline-allow  report lines marked leakscan:allow too (audits)\n" \
	"      --fail-on SEV      exit 1 only for findings of this severity or above (or 'verified')\n" \
	"      --min-confidence C report findings at least this sure: high, medium (default), low\n" \
	"                         (low: generic values in tests, fixtures and docs too, for audits)\n" \
	"      --config FILE      use this configuration instead of the nearest .leakscan.yaml\n" \
	"      --no-config        use no configuration file\n" \
	"      --baseline FILE    report only findings not in this baseline (leakscan baseline)\n" \
	"      --no-default-skips scan lock files, minified bundles, vendored directories too\n" \
	"      --color WHEN       auto, always, never\n" \
	"  -q, --quiet            no summary line on stderr\n" \
	"      --no-cache         compile the rules instead of using the cached database\n"

/** Help lines of the archive options, shared by scan and git. */
#define LS_CLI_ARCHIVE_HELP \
	"      --max-archive-depth N  open archives (zip, jar, tar, gz, bz2, xz, zst, 7z, images)\n" \
	"                         nested up to N deep (default 3; 0: search them as bytes only)\n" \
	"      --max-archive-size SIZE  uncompressed bytes read from one archive (default 256M)\n"

/** Help lines of the verification options, shared by scan, git and repos. */
#define LS_CLI_VERIFY_HELP \
	"      --verify           ask each secret's provider whether it is live, and whose it is\n" \
	"                         (off by default; docs/verify.md says what is sent where)\n" \
	"      --only-verified    report only secrets the provider confirmed live\n" \
	"      --verify-endpoint PROVIDER=URL  another endpoint (GitHub Enterprise, GovCloud)\n" \
	"      --verify-ca-file FILE  trust this CA bundle for verification requests\n" \
	"      --verify-timeout SECS  per request (default 10); --verify-jobs N in flight (16)\n" \
	"      --verify-rate N    requests a second to one provider at most (default 20)\n"

/** Builds a long-option table: the command's own entries followed by the common ones. */
struct option *ls_cli_longopts(const struct option *own);

/** Directory of the default rules (env, next to the binary, source tree, install dir). */
const char *ls_cli_default_rules_dir(void);

/** Where compiled rule databases are cached ($LEAKSCAN_CACHE_DIR, $XDG_CACHE_HOME/leakscan,
 * ~/.cache/leakscan), or NULL with --no-cache. Borrowed, valid for the process. */
const char *ls_cli_cache_dir(const ls_cli_options *o);

/** Compiles `rs` into `*out`, through the database cache unless --no-cache. Prints errors. */
int ls_cli_matcher_new(const ls_cli_options *o, const ls_ruleset *rs, ls_matcher **out);

/** Loads default + --rules files and applies --disable/--enable. Prints errors. */
int ls_cli_load_rules(const ls_cli_options *o, ls_ruleset **out);

/** Prints `leakscan: MESSAGE` on stderr as one line: newlines, tabs and other control
 * characters of the message (file names, tree entry names) are escaped. */
void ls_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ls_cli_verror(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/** An output being written: stdout, a temporary file renamed over -o FILE at the end, or
 * (direct) a device or pipe given as -o, written to as it is. */
typedef struct {
	FILE *fp;
	char *tmp_path;
	const char *final_path;
	int direct;
	unsigned mode; /* the report's permissions: those of the file it replaces, or 0666 & ~umask */
} ls_cli_output;

int ls_cli_output_open(ls_cli_output *out, const ls_cli_options *o);
/** The permissions a file written over `path` gets: those of the regular file there, or
 * 0666 less the umask (a report may hold secrets: never wider than the user asked). */
unsigned ls_cli_file_mode(const char *path);
/** Renames the temporary file into place (ok != 0) or removes it. Returns 0 or -1. */
int ls_cli_output_close(ls_cli_output *out, int ok);

/** Report options from CLI options (format default redaction, colour on a TTY). */
void ls_cli_report_options(ls_report_options *ro, const ls_cli_options *o, const ls_cli_output *out);

/** Tallies for the summary line. */
typedef struct {
	size_t items, bytes, skipped_binary, skipped_large, skipped_links, skipped_default, errors;
	size_t by_sev[4];
	size_t findings, failing; /* failing: at or above --fail-on */
	size_t archives, archive_entries, archive_limits, archive_errors; /* cli_archive.c */
	unsigned long long archive_bytes;
	size_t by_verify[6];      /* by ls_verify_status, when verification ran */
	double start;
	const char *noun; /* "files", "blobs" */
} ls_cli_stats;

/** What a worker made of one item (a file, a blob, a message), handed to the writer. */
typedef struct {
	ls_findings findings;
	char *error;  /**< a message for stderr, counted as an error */
	char *note;   /**< a message for stderr, not an error (not with -q) */
	char *warning; /**< a warning for stderr about the content, not an error (even with -q) */
	int skipped;  /**< 1 binary (searched without the generic rules), 2 too large (not read) */
	size_t bytes;
	/* archives opened inside the item (cli_archive.c): */
	char *archive_warnings; /**< "leakscan: ..." lines (limits, read errors), shown even with -q */
	char *archive_notes;    /**< lines about entries too large to read (not with -q) */
	size_t archives, archive_entries, archive_limits, archive_errors, archive_large;
	unsigned long long archive_bytes;
} ls_cli_result;

void ls_cli_result_dispose(ls_cli_result *r);
/**
 * Searches one item's content, found at `places`, into `r` through ls_search_blob (binary
 * content without the generic rules unless so->binary, per-place decisions; in windows past LS_SEARCH_WINDOW, as a file
 * would be), with an error naming the rule when a confirmation hit the regex limits.
 */
void ls_cli_result_search(ls_cli_result *r, const ls_matcher *m, ls_scratch *s, const ls_search_options *so,
                          const char *buf, size_t len, const ls_origin *places, size_t nplaces);
/* cli_archive.c: archives inside an item. Fixed limits (the others are options): */
#define LS_CLI_ARCHIVE_MAX_RATIO 100     /* uncompressed to compressed, once past 1 MiB */
#define LS_CLI_ARCHIVE_MAX_ENTRIES 10000 /* entries of one item, all levels */
#define LS_CLI_ARCHIVE_MAX_SECONDS 10    /* per item */
/**
 * ls_cli_result_search, then, when the content is an archive or a compressed file (by its
 * first bytes) and o->max_archive_depth > 0, each entry inside (nested up to that depth)
 * through the same search, at places named ITEM!ENTRY (ITEM!INNER.tar.gz!ENTRY nested) with
 * the item's provenance; the item's places that skip_path skips are left out inside too.
 * A secret found in an archive's own bytes (a stored entry) and inside it is reported
 * inside only. Limits hit and read errors are warnings in r (never errors: the item itself
 * was searched), counted for the summary. Findings stay in archive order.
 */
void ls_cli_result_search_deep(ls_cli_result *r, const ls_cli_options *o, const ls_matcher *m, ls_scratch *s,
                               const ls_search_options *so, const char *buf, size_t len, const ls_origin *places,
                               size_t nplaces);
/** --max-archive-size SIZE (`size`) or --max-archive-depth N (0 to 16): 1, or -1 after
 * printing an error. */
int ls_cli_archive_option(ls_cli_options *o, int size, const char *arg, const char *cmd);
/** Parses a size: N, NK, NM, NG (KiB, MiB, GiB; an i or B after them is allowed). 0 or -1. */
int ls_cli_parse_size(long long *out, const char *s);
/** Adds an item's archive counts to the tallies and prints its archive lines (writer thread). */
void ls_cli_archive_tally(ls_cli_stats *st, const ls_cli_result *r, const ls_cli_options *o);
/** The summary line's part about archives (nothing when none was opened). */
void ls_cli_archive_summary(const ls_cli_stats *st);
/** ls_search_blob for an input in memory, or ls_search_windows past LS_SEARCH_WINDOW bytes
 * (so that a blob gives what a file of the same content gives). */
int ls_cli_search(const ls_matcher *m, ls_scratch *s, const ls_search_options *so, const char *buf, size_t len,
                  const ls_origin *places, size_t nplaces, ls_search_result *out);
/** Moves a search's result (`err` its return code, `len` the input's size) into `r`,
 * with the messages ls_cli_result_search gives. Disposes `sr`. */
void ls_cli_result_take(ls_cli_result *r, ls_search_result *sr, int err, size_t len, const char *path);
/** Counts an item in the tallies and prints its error and note (writer thread). */
void ls_cli_result_tally(ls_cli_stats *st, const ls_cli_result *r, const ls_cli_options *o);

void ls_cli_stats_count(ls_cli_stats *st, const ls_finding *f, const ls_cli_options *o);
void ls_cli_print_summary(const ls_cli_stats *st, const ls_cli_options *o);

/** Edit distance of two short words (a mistyped command or option), capped at 9. */
size_t ls_cli_distance(const char *a, const char *b);
/** "CMD: unknown option 'ARG'", with the nearest long option of `longopts` when one is close. */
void ls_cli_unknown_option(const char *cmd, const char *arg, const struct option *longopts);

/** A progress line on stderr: rewritten in place on a terminal (at most 10 times a second),
 * a plain line every 10 seconds otherwise, nothing with -q. One thread uses it. */
typedef struct {
	int mode; /* 0 off, 1 terminal, 2 plain lines */
	double last;
	int shown; /* a line is on the terminal */
} ls_cli_progress;
void ls_cli_progress_init(ls_cli_progress *p, const ls_cli_options *o);
/** Shows the line (printf format, no newline) if it is time to; `now` forces it. */
void ls_cli_progress_show(ls_cli_progress *p, int now, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/** Takes the line off the terminal (before other output to stderr). */
void ls_cli_progress_clear(ls_cli_progress *p);
/** 0, 1 or 2 from the tallies. */
int ls_cli_exit_code(const ls_cli_stats *st);

/**
 * What decides which findings a scan reports beyond the rules: the `.leakscan.yaml`
 * configuration, allowlists and default skips, `.leakscanignore` and a baseline.
 */
typedef struct {
	ls_config *config;     /* NULL without one (or with --no-config) */
	char *root;            /* project root: the config's directory, the work tree top, or the start */
	ls_allow *allow;       /* never NULL after ls_cli_prepare succeeds */
	ls_baseline *baseline; /* --baseline FILE, or NULL */
	int confined;          /* the config was found in the scanned tree: what it names stays inside root */
	int untrusted;         /* the enclosing work tree is another user's: no policy taken from it */
	int repo_config;       /* the config came from the scanned repository (its tree or a revision),
	                          not from the user (--config): it may not redirect verification */
} ls_cli_filters;

typedef struct ls_git_repo ls_git_repo;

/** Where a scan's policy comes from when it is not the file system: `git --config-from REV`
 * reads `.leakscan.yaml`, the rule files it names and `.leakscanignore` from the tree of
 * `rev` in `repo` (borrowed), never from the work tree. */
typedef struct {
	ls_git_repo *repo;
	const char *rev;
} ls_cli_policy;

/**
 * Finds and loads the configuration for a scan starting at `start` (a path; NULL: "."),
 * loads the rules (default, config `rule_files`, --rules; then the config's disable,
 * enable and overrides; then --disable-rule/--enable-rule) and builds the allow set
 * (config allowlists, default skips unless turned off, `.leakscanignore` in the root,
 * --baseline). Sets o->fail_on from the config unless --fail-on was given. Prints errors.
 * Returns 0 or a negative error; on error nothing needs disposing but `fl`.
 * For history scans of a repository, call ls_allow_set_paths_relative(fl->allow, 1) when
 * the finding paths are relative to fl->root.
 */
int ls_cli_prepare(ls_cli_filters *fl, ls_cli_options *o, const char *start, ls_ruleset **rs_out);
/** ls_cli_prepare with the policy taken from `p` (NULL: as ls_cli_prepare). */
int ls_cli_prepare_policy(ls_cli_filters *fl, ls_cli_options *o, const char *start, const ls_cli_policy *p,
                          ls_ruleset **rs_out);

/**
 * Chooses the fingerprint key (ls_fpkey_load) before any thread starts; prints its error, or
 * once a warning about a key of this process only. Returns 0 or a negative error.
 */
int ls_cli_fpkey_load(void);
/**
 * Checks a loaded baseline (`b` borrowed, `file` its name) against the fingerprint key:
 * LS_EINVAL with a message when its key id is another key's (its keyed entries could never
 * match: findings would reappear). With `note_legacy`, prints a warning when entries hold a
 * plain SHA-256 (format 1). Returns 0 otherwise.
 */
int ls_cli_baseline_check(const ls_baseline *b, const char *file, int note_legacy);

/* cli_policy.c: the steps of ls_cli_prepare that read policy files (each sets a message) */
/** Prints, once per repository, that one of another user's (`msg`, from ls_git_top_check) is
 * not trusted. */
void ls_cli_note_dubious(const char *msg);
/** An ls_config_trust_fn: ls_git_top_check, noting a failure; `payload` is an int set to 1 then. */
int ls_cli_policy_trust(const char *top, void *payload);
/** Loads fl->config: from `p`'s revision, --config, or `found` (read inside fl->root). */
int ls_cli_policy_config(ls_cli_filters *fl, const ls_cli_options *o, const char *found, const ls_cli_policy *p);
/** Loads the config's rule_files: from `p`'s revision, confined to fl->root, or as named. */
int ls_cli_policy_rules(const ls_cli_filters *fl, ls_ruleset *rs, const ls_cli_policy *p);
/** Adds `.leakscanignore` (from `p`'s revision, or next to the config, or in the root) to fl->allow. */
int ls_cli_policy_ignore(ls_cli_filters *fl, const ls_cli_policy *p);
void ls_cli_filters_dispose(ls_cli_filters *fl);
/** Search options wired to the filters (inline markers per --no-inline-allow). */
void ls_cli_search_options(ls_search_options *so, const ls_cli_options *o, const ls_cli_filters *fl);

/** Receives each finding a scan reports (in output order), with the scan's filters. */
typedef void (*ls_cli_collect_fn)(const ls_finding *f, const ls_cli_filters *fl, void *payload);

/**
 * Runs `leakscan scan` with `argv` (argv[0] is the command name `cmd`, used in messages).
 * With `collect`, findings go to it instead of a report (format and -o are ignored) and
 * --help prints nothing. Returns the exit status.
 */
int ls_cli_scan_run(int argc, char **argv, const char *cmd, ls_cli_collect_fn collect, void *payload);
/** `leakscan git` with `argv` (argv[0] "git"); with `collect`, as ls_cli_scan_run. */
int ls_cli_git_run(int argc, char **argv, ls_cli_collect_fn collect, void *payload);

/** Live verification of a scan's findings (cli_verify.c; verify.h does the requests). */
typedef struct ls_verifier ls_verifier;
typedef struct ls_store ls_store;
typedef struct {
	ls_verifier *v; /* NULL: verification is off */
	/* with a datastore: the checks whose results go to it (fingerprint, key) */
	struct ls_cli_verify_pending *pending;
	size_t npending, pcap;
	double reuse;   /* a stored result younger than this many seconds is reused, not sent */
} ls_cli_verify;

/**
 * Decides whether this run verifies: --verify or --no-verify, else --only-verified or --fail-on
 * verified, else the configuration's `verify` (for a hook's scan, `hook`, only with `verify:
 * {hooks: true}`: a commit must not wait on the network). A configuration from the scanned
 * repository (`cfg_from_repo`) may turn verification on, but its endpoints and CA bundle are
 * ignored with a warning: a hostile repository must not send secrets to a host it names.
 * Starts the verifier when it does.
 * Prints errors; returns 0 or -1.
 */
int ls_cli_verify_start(ls_cli_verify *cv, const ls_cli_options *o, const ls_config *cfg, int cfg_from_repo, int hook);
/** Queues the checks of one item's findings (an AWS pair takes the session token found near
 * it). Returns at once; the requests run meanwhile. */
void ls_cli_verify_submit(ls_cli_verify *cv, const ls_findings *fs);
/** After every submit: waits for the answers and sets each finding's `verification`. */
void ls_cli_verify_apply(ls_cli_verify *cv, ls_findings *fs);
/** Whether a finding is reported (--only-verified drops what is not live). */
int ls_cli_verify_keep(const ls_cli_options *o, const ls_finding *f);
/** Stops and frees the verifier; accepts a verification that never started. */
void ls_cli_verify_dispose(ls_cli_verify *cv);
/** The datastore's side (repos, verify): queues the checks of one blob's findings, but not
 * those the datastore verified less than cv->reuse seconds ago. Writer thread only. */
void ls_cli_verify_store_submit(ls_cli_verify *cv, ls_store *store, const ls_findings *fs);
/** Waits for the answers and records them in the datastore (one transaction), with a summary
 * line on stderr unless `quiet`. Returns 0 or -1 (printed). */
int ls_cli_verify_store_finish(ls_cli_verify *cv, ls_store *store, int quiet);
/** Parses a duration: N, Ns, Nm, Nh, Nd (seconds by default). Returns 0 or -1. */
int ls_cli_parse_duration(const char *s, double *out);
/** Checks each rule's `verify:` against the verifier table; LS_EINVAL with FILE:LINE. */
int ls_cli_verify_check_rules(const ls_ruleset *rs);

/** `leakscan triage`'s decision (serve shares it): checks `status` (false-positive, revoked,
 * accepted, open) and records it for `fingerprint` (RULE-ID:HASH16 or PATH:RULE-ID:HASH16).
 * With `store` NULL, only checks the status. Returns 0 or an error with its message set. */
int ls_cli_triage(ls_store *store, const char *fingerprint, const char *status, const char *note);
/** The HTML report of a whole datastore to `fp` (serve's page: with `csrf`, triage posts). */
int ls_cli_report_html(ls_store *store, FILE *fp, const char *dir, int redact, const char *csrf, int readonly);

int cmd_scan(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_git(int argc, char **argv);
int cmd_hook(int argc, char **argv);
int cmd_secrets(int argc, char **argv);
/* bulk scans and the findings datastore (cmd_repos.c, cmd_report.c) */
int cmd_repos(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_triage(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_datastore(int argc, char **argv);
int cmd_import(int argc, char **argv);

#endif
