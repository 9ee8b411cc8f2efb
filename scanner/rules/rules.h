/* rules: load and validate YAML rule files into a rule set. */
#ifndef LS_RULES_H
#define LS_RULES_H

#include <stddef.h>

#include "common.h"
#include "validate.h"

typedef enum { LS_SEV_LOW = 0, LS_SEV_MEDIUM, LS_SEV_HIGH, LS_SEV_CRITICAL } ls_severity;

/** "low", "medium", "high", "critical". */
const char *ls_severity_name(ls_severity s);
/** Parses a severity name; returns 0 or LS_EINVAL. */
int ls_severity_parse(ls_severity *out, const char *name);

/**
 * How sure a finding is, apart from how bad its credential type is (severity): high for a
 * provider's prefixed or checksummed shape, medium for a keyword rule's value, low for a
 * keyword rule's value where only tests, fixtures, examples or documentation hold it.
 */
typedef enum { LS_CONF_LOW = 0, LS_CONF_MEDIUM, LS_CONF_HIGH } ls_confidence;

/** "low", "medium", "high". */
const char *ls_confidence_name(ls_confidence c);
/** Parses a confidence name; returns 0 or LS_EINVAL. */
int ls_confidence_parse(ls_confidence *out, const char *name);

/**
 * One detection rule, as loaded. Owned by its rule set and immutable once the set is
 * complete; every field may be read from any thread.
 */
typedef struct ls_rule {
	char *id;
	char *name;
	char *pattern;
	char *description;
	ls_severity severity;
	ls_confidence confidence; /**< `confidence:`, by default medium for a generic rule, else high */
	double min_entropy;    /**< 0 when unset */
	ls_strlist keywords;   /**< lowercased */
	ls_strlist allow;      /**< regexes on the secret */
	void **allow_re;       /**< compiled `allow` (pcre2_code *), private; owned by the ruleset, shared by rules listing the same regex */
	ls_strlist allow_match; /**< regexes on the whole match, from the start of the word it begins in */
	void **allow_match_re; /**< compiled `allow_match`, as allow_re */
	ls_strlist references;
	ls_strlist examples;
	ls_strlist negative_examples;
	char *validate;        /**< validator name or NULL */
	ls_validate_fn validate_fn;
	char *verify;          /**< the verifier that checks the secret live (verify.h), or NULL */
	int verify_line;       /**< line of its `verify:` value */
	int enabled;
	int generic;           /**< yields to any specific rule reporting an overlapping secret */
	int quoted_in_code;    /**< in source code files, only a quoted value is reported (see ls_path_is_code) */
	int decode_base64;     /**< `decode: base64`: the capture is decoded and the match rescanned */
	int decode_basic;      /**< `decode: basic-auth`: the secret is base64 of `user:password`, judged
	                            (placeholders, words) by its password */
	int context;           /**< `context: true`: only marks where `pair_with` rules look; never reported */
	char *pair_with;       /**< only reported within pair_lines of a finding (or context match) of this rule */
	int pair_lines;
	int split_alternatives; /**< 0, or Hyperscan gets the leading alternation in expressions of this many branches */
	char *file;            /**< the rule file it came from */
	int line;              /**< line of the rule in that file (1-based) */
	int pattern_line;      /**< line of its `pattern:` value */
	int no_description;    /**< its file gave none (the name stands in) */
} ls_rule;

typedef struct ls_ruleset ls_ruleset;

/** Creates an empty rule set. Free with ls_ruleset_free(). */
int ls_ruleset_new(ls_ruleset **out);
/** Frees a rule set and its rules; accepts NULL. */
void ls_ruleset_free(ls_ruleset *rs);

/**
 * Loads a rule file, or every `*.yaml`/`*.yml` file of a directory in name order, and
 * appends its rules. On error returns LS_EINVAL/LS_EIO/LS_ENOTFOUND with a message of the
 * form `FILE:LINE: rule 'ID': problem`; the set is left as before the call.
 */
int ls_ruleset_load_path(ls_ruleset *rs, const char *path);
/** Loads rules from a YAML text (`name` is used in messages). */
int ls_ruleset_load_string(ls_ruleset *rs, const char *name, const char *text, size_t len);

/** Enables or disables a rule by id; LS_ENOTFOUND for an unknown id. */
int ls_ruleset_set_enabled(ls_ruleset *rs, const char *id, int enabled);

size_t ls_ruleset_count(const ls_ruleset *rs);
/** The i-th rule (load order); borrowed, valid while the set lives. */
const ls_rule *ls_ruleset_get(const ls_ruleset *rs, size_t i);
/** The rule with that id, or NULL. */
const ls_rule *ls_ruleset_find(const ls_ruleset *rs, const char *id);
/** Mutable access for configuration overrides (severity, entropy); not after matching starts. */
ls_rule *ls_ruleset_get_mut(ls_ruleset *rs, size_t i);

/** SHA-256 hex over every enabled rule's semantics: changes whenever matching could change. */
void ls_ruleset_digest(const ls_ruleset *rs, char out[65]);

/** Returns 1 if one of the rule's `allow` regexes matches the secret. Thread-safe. */
int ls_rule_allows(const ls_rule *rule, const char *secret, size_t len);

/** Whether one of the rule's `allow_match` regexes matches `match` (the matched text, from the
 * start of the word it begins in). */
int ls_rule_allows_match(const ls_rule *rule, const char *match, size_t len);

/**
 * Whether `path` names a source code file by its extension (.c, .py, .java, .go, .pas, ...),
 * where a secret is written as a quoted literal and an unquoted value after `password =` is
 * an identifier or an expression. Configuration files (.env, .ini, .yaml, .properties, shell
 * scripts, Dockerfiles) and unknown extensions are not code.
 */
int ls_path_is_code(const char *path);

/**
 * Whether `path` is where example values live: a directory named test(s), spec, fixtures,
 * mocks, examples, samples, demo, docs (any case, at any depth), a test file by its name
 * (`test_x.py`, `x_test.go`, `x.spec.ts`, `XTest.java`, `x_spec.rb`), documentation
 * (`.md`, `.rst`, `.adoc`, man pages) or a template (`.example`, `.sample`, `.dist`,
 * `.template`). Labels (`<commit message>`) are not.
 */
int ls_path_is_example(const char *path);

#endif
