/* config: the `.leakscan.yaml` project configuration (see docs/config.md). */
#ifndef LS_CONFIG_H
#define LS_CONFIG_H

#include "allow.h"
#include "rules.h"

/** The configuration file name looked for by ls_config_find. */
#define LS_CONFIG_NAME ".leakscan.yaml"
/** The fingerprint ignore file looked for next to it (or at the work tree top). */
#define LS_IGNORE_NAME ".leakscanignore"

/** A rule id named in the file, with the line that names it (for messages). */
typedef struct {
	char *id;
	int line;
} ls_config_ref;

typedef struct {
	char *id;
	int line;
	int has_severity;
	ls_severity severity;
	int has_min_entropy;
	double min_entropy;
} ls_config_override;

typedef struct {
	int line;
	ls_config_ref *rules;
	size_t nrules;
	ls_strlist paths, secrets, matches, lines, stopwords, commits, aws_accounts;
	ls_allow_condition condition;
} ls_config_allow;

/** A loaded configuration. Everything is owned by it; read-only after loading. */
typedef struct {
	char *path;               /**< the file, as given */
	char *dir;                /**< its directory: where relative paths start */
	ls_strlist rule_files;    /**< `rule_files`, resolved against `dir` */
	ls_strlist rule_file_names; /**< `rule_files` as written */
	int *rule_file_lines;     /**< the line naming each rule file */
	ls_config_ref *disable, *enable;
	size_t ndisable, nenable;
	ls_config_override *overrides;
	size_t noverrides;
	int has_fail_on;
	ls_severity fail_on;
	int has_min_confidence;
	ls_confidence min_confidence; /**< `min_confidence`: what --min-confidence defaults to */
	int default_skips;        /**< -1 unset, 0 or 1 */
	ls_config_allow *allow;
	size_t nallow;
	int verify;               /**< `verify: true` or `verify: {enabled: ...}`; -1 unset */
	int verify_hooks;         /**< `verify: {hooks: true}`: the hooks' scans verify too */
	int verify_line;          /**< the line of `verify:` (messages) */
	ls_strlist verify_endpoints; /**< `verify: {endpoints: {PROVIDER: URL}}` as "PROVIDER=URL" */
	char *verify_ca_file;     /**< `verify: {ca_file: FILE}`, resolved against `dir` */
	ls_strlist canary_accounts; /**< `verify: {canary_accounts: [...]}` (12 digits each) */
	double verify_timeout;    /**< `verify: {timeout: SECS}`, 0 unset */
} ls_config;

/**
 * Loads and validates a configuration file. Errors are LS_EINVAL with `FILE:LINE: problem`
 * (unknown keys, wrong types, bad regexes, globs, severities), LS_ENOTFOUND or LS_EIO.
 */
int ls_config_load(ls_config **out, const char *path);
/** Loads a configuration from text; `path` names it in messages and sets the base directory. */
int ls_config_load_string(ls_config **out, const char *path, const char *text, size_t len);
/** Loads a configuration read from elsewhere (`git --config-from`): `name` names it in
 * messages, `dir` is its directory (where relative paths start). */
int ls_config_load_buffer(ls_config **out, const char *name, const char *dir, const char *text, size_t len);
void ls_config_free(ls_config *c);

/**
 * Finds the project root and configuration for a scan starting at `start` (a file or
 * directory). The root is the top of the git work tree holding `start`, or `start` (its
 * directory, for a file) outside one. The configuration is the nearest `.leakscan.yaml`
 * from `start` up to the root. Sets *root_out (always) and *config_out (NULL if none);
 * the caller frees both. With `trust`, the work tree whose top holds the nearest `.git` is
 * used only when trust(top, payload) returns non-zero; otherwise (a repository of another
 * user) `start` is treated as if outside any work tree.
 */
typedef int (*ls_config_trust_fn)(const char *top, void *payload);
void ls_config_find(char **root_out, char **config_out, const char *start, ls_config_trust_fn trust, void *payload);

/**
 * Loads the `rule_files` into `rs`, in order. A missing file is LS_ENOTFOUND with
 * `FILE:LINE: rule file 'x': no such file or directory`; errors inside a rule file name it.
 */
int ls_config_load_rules(const ls_config *c, ls_ruleset *rs);

/** How ls_config_load_rules_from reaches the rule files of a configuration it must not trust. */
typedef struct {
	/**
	 * Reads the rule file `path` (relative to the configuration's directory, normalised: no
	 * leading `/`, no `.`, `..` or empty components) into `out` and returns 0; or, when it is
	 * a directory, appends the names of its entries to `names` and returns 1; or returns a
	 * negative code with a message that states the problem only (no path, no content).
	 */
	int (*read)(void *payload, const char *path, ls_buf *out, ls_strlist *names);
	const char *prefix; /**< put before `path` in the rule file names shown in messages */
	void *payload;
} ls_config_reader;

/**
 * Loads the `rule_files` of a configuration found inside the scanned repository (or read from
 * one of its commits) through `rd`: an absolute path or one with a `..` component is LS_EINVAL
 * `FILE:LINE: rule file 'x': ... is not allowed here ...`, and is never read; a directory
 * gives its `*.yaml` and `*.yml` files in name order; a problem of the reader is
 * `FILE:LINE: rule file 'x': PROBLEM`.
 */
int ls_config_load_rules_from(const ls_config *c, ls_ruleset *rs, const ls_config_reader *rd);

/**
 * ls_config_load_rules_from on the file system, confined to `root` (the top of the scanned
 * work tree): a rule file must resolve (symbolic links followed) below root's real path and be
 * a regular file of at most LS_POLICY_MAX_FILE bytes, checked before it is read.
 */
int ls_config_load_rules_confined(const ls_config *c, ls_ruleset *rs, const char *root);

/**
 * Applies `disable`, `enable` and `overrides` to a rule set whose matcher is not built yet.
 * Returns LS_EINVAL with `FILE:LINE: unknown rule id 'x'` for an id the set lacks.
 */
int ls_config_apply_rules(const ls_config *c, ls_ruleset *rs);

/**
 * Adds the `allow` entries to `a` (and `default_skips` if set). Rule ids are checked
 * against `rs`. Returns 0 or LS_EINVAL with `FILE:LINE: problem`.
 */
int ls_config_apply_allow(const ls_config *c, const ls_ruleset *rs, ls_allow *a);

#endif
