/* verify: live verification of findings against their providers' official APIs (opt-in). */
#ifndef LS_VERIFY_H
#define LS_VERIFY_H

#include <stddef.h>

#include "common.h"
#include "search.h"

/**
 * Verification asks a secret's own provider, with its cheapest read-only call, whether the
 * secret is live and whose it is (AWS: STS GetCallerIdentity signed with SigV4; GitHub:
 * GET /user; ...). A rule names its verifier (`verify: github` in its YAML); the verifiers
 * are the table in verify_providers.c, each with the official host it may send to and the
 * shape of secret it accepts, so that no rule can send one provider's secret to another.
 *
 * Safety: a secret goes only to its provider's official HTTPS host (certificate verified
 * against the system CA bundle, no redirects followed), or to an endpoint the user set
 * explicitly (`--verify-endpoint PROVIDER=URL`, https, or http on a loopback address). It is
 * sent in a header (Telegram alone takes it in the URL path), never logged, and never part of a
 * result's text. AWS keys of known canary-token accounts are never sent (status skipped).
 */

/** How verification runs. Strings are borrowed for ls_verifier_new only. */
typedef struct {
	const char *const *endpoints; /**< "PROVIDER=URL" overrides */
	size_t nendpoints;
	const char *ca_file;          /**< CA bundle to trust instead of the system's, or NULL */
	const char *const *canary_accounts; /**< AWS account ids added to the built-in canary list */
	size_t ncanary;
	double connect_timeout;       /**< seconds (default 5) */
	double timeout;               /**< seconds for one request (default 10) */
	int jobs;                     /**< requests in flight at most (default 16) */
	double rate;                  /**< requests started per second per provider at most (default 20) */
	int retries;                  /**< further attempts after a 429 or 5xx answer (default 2) */
} ls_verify_options;

#define LS_VERIFY_OPTIONS_INIT {NULL, 0, NULL, NULL, 0, 5, 10, 16, 20, 2}

typedef struct ls_verifier ls_verifier;

/** Whether `name` is a known verifier (rules check their `verify:` against it). */
int ls_verify_known(const char *name);
/** The names of the known verifiers, NULL-terminated (help texts, docs). */
const char *const *ls_verify_names(void);

/**
 * Validates the options (an unknown provider, a URL that is neither https nor http on a
 * loopback address: LS_EINVAL with a one-line message) and starts the verifier's own thread,
 * which runs the requests. Free with ls_verifier_free.
 */
int ls_verifier_new(ls_verifier **out, const ls_verify_options *o);
/** Stops the requests still running (their checks end as errors) and frees. Accepts NULL. */
void ls_verifier_free(ls_verifier *v);

/**
 * One credential to check: the finding's secret, its pair (an AWS key id with its secret) and
 * what else the provider needs (an AWS session token; a Shopify shop or Twilio account
 * found on the same line). All borrowed for the call; the verifier copies what it sends.
 */
typedef struct {
	const char *verifier;     /**< the rule's `verify:` name, or NULL (result: unknown) */
	const char *rule_id;
	const char *secret;
	size_t secret_len;
	const char *pair;         /**< or NULL */
	size_t pair_len;
	const char *token;        /**< AWS session token, or NULL */
	size_t token_len;
	const char *line;         /**< the finding's line (Shopify shop, Twilio account SID), or NULL */
	size_t line_len;
	const char *aws_account;  /**< decoded from the key id, or NULL */
} ls_verify_request;

/**
 * Queues the check of a credential, once per distinct credential however often it is
 * submitted; returns at once (the verifier's thread sends it). Writes the credential's key
 * (what ls_verifier_result takes) into `key`. One thread submits and reads results.
 */
void ls_verifier_submit(ls_verifier *v, const ls_verify_request *rq, char key[65]);
/** The key of a credential, as ls_verifier_submit gives it (to look a result up). */
void ls_verify_key(char key[65], const ls_verify_request *rq);
/** Waits until every submitted check has its result. */
void ls_verifier_wait(ls_verifier *v);
/**
 * Copies the result of the check with `key` into `out` (which holds nothing). Returns 0,
 * LS_ENOTFOUND if that key was never submitted, LS_EINVAL if its check is not done (call
 * after ls_verifier_wait).
 */
int ls_verifier_result(ls_verifier *v, const char key[65], ls_verification *out);

/** What a verifier did: distinct checks, HTTP requests sent (retries included). */
typedef struct {
	size_t checks, requests, verified, invalid, unknown, errors, skipped;
} ls_verify_stats;
void ls_verifier_stats(ls_verifier *v, ls_verify_stats *out);

/** Whether `account` (12 digits) belongs to a known canary-token service. */
int ls_verify_is_canary(const char *account);

#endif
