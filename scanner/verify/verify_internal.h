/* verify: what the request engine (verify.c) and the provider table (verify_providers.c) share. */
#ifndef LS_VERIFY_INTERNAL_H
#define LS_VERIFY_INTERNAL_H

#include "common.h"
#include "verify.h"

/** A credential as the verifier keeps it (every string owned, wiped when freed). */
typedef struct {
	char *secret, *pair, *token, *line, *aws_account;
	size_t secret_len, pair_len, token_len, line_len;
} vcred;

/** One HTTP request, as a provider builds it. */
typedef struct {
	char *base;          /**< replaces the provider's base URL (a Shopify shop), or NULL */
	ls_buf path;         /**< appended to the base */
	ls_strlist headers;  /**< "Name: value" lines */
	int post;
	ls_buf body;
	char *user, *password; /**< HTTP Basic, or the SigV4 key id and secret */
	char *sigv4;         /**< CURLOPT_AWS_SIGV4 ("aws:amz:REGION:sts"), or NULL */
} vreq;

/** One HTTP answer, as a provider judges it. */
typedef struct {
	long status;
	const char *body;
	size_t len;
	const char *headers; /**< the raw header block */
	size_t hlen;
} vresp;

enum { VJ_DONE = 0, VJ_RETRY = 1 };
enum { VP_SEND = 0, VP_DONE = 1 };

typedef struct vprov vprov;
struct vprov {
	const char *name;      /**< what rules and --verify-endpoint name */
	const char *base;      /**< the official base URL (https, no trailing slash) */
	const char *path;      /**< path template: {secret} {pair} {extra} */
	const char *auth;      /**< header template, or NULL */
	const char *basic_user, *basic_pass; /**< HTTP Basic templates, or NULL */
	const char *headers[2]; /**< constant headers */
	int post;
	const char *prefixes;  /**< accepted prefixes, space separated ("" any) */
	size_t min_len, max_len;
	const char *identity, *account; /**< dotted JSON paths into a 2xx answer */
	const char *detail_header; /**< a response header given as the detail (token scopes) */
	int live_on_403;       /**< 403 means a live key without that permission (Stripe) */
	int per_host;          /**< its host depends on the secret (a Shopify shop): never marked down as a whole */
	/** Optional: the exact shape of secret it takes (else prefixes, lengths, token characters). */
	int (*accepts)(const char *s, size_t n);
	/** Optional: builds the request itself (returns VP_SEND), or sets `out` (VP_DONE). `base`
	 * is the endpoint in use (an override or the official one). */
	int (*prepare)(const vprov *p, const vcred *c, const char *base, int overridden, vreq *rq,
	               ls_verification *out);
	/** Optional: judges the answer itself (returns VJ_DONE or VJ_RETRY). */
	int (*judge)(const vprov *p, const vcred *c, const vresp *r, ls_verification *out);
};

/** The provider named `name`, or NULL. */
const vprov *ls_verify_provider(const char *name);
/** The default request of a table entry (templates filled in); VP_DONE with `out` set when the
 * secret is not of the shape the provider takes. */
int ls_verify_prepare(const vprov *p, const vcred *c, const char *base, int overridden, vreq *rq,
                      ls_verification *out);
/** The default judgement: 2xx live (identity from the JSON answer), 401/403 invalid,
 * 429/5xx retry, anything else an error. */
int ls_verify_judge(const vprov *p, const vcred *c, const vresp *r, ls_verification *out);
/** Sets a result with printf-style detail. */
void ls_verify_set(ls_verification *out, ls_verify_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** The value of response header `name` (case-insensitive), allocated, or NULL. */
char *ls_verify_header(const vresp *r, const char *name);

#endif
