/* cli: live verification wired into the commands that scan (docs/verify.md). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "store.h"
#include "verify.h"

int ls_cli_verify_check_rules(const ls_ruleset *rs)
{
	for (size_t i = 0; i < ls_ruleset_count(rs); i++) {
		const ls_rule *r = ls_ruleset_get(rs, i);
		if (r->verify && !ls_verify_known(r->verify)) {
			ls_error_set("%s:%d: rule '%s': unknown verifier '%s'", r->file ? r->file : "rule", r->verify_line,
			             r->id, r->verify);
			return LS_EINVAL;
		}
	}
	return 0;
}

int ls_cli_verify_start(ls_cli_verify *cv, const ls_cli_options *o, const ls_config *cfg, int cfg_from_repo, int hook)
{
	cv->v = NULL;
	int on = o->verify;
	if (on == -1 && (o->only_verified || o->fail_on_verified))
		on = 1;
	if (on == 0 && (o->only_verified || o->fail_on_verified)) {
		ls_cli_error("--%s needs verification: drop --no-verify", o->only_verified ? "only-verified" : "fail-on verified");
		return -1;
	}
	if (on == -1)
		on = cfg && cfg->verify == 1 && (!hook || cfg->verify_hooks);
	if (!on)
		return 0;
	ls_verify_options vo = LS_VERIFY_OPTIONS_INIT;
	/* where secrets go is the user's decision, not the scanned repository's */
	int redirect_ok = cfg && !cfg_from_repo;
	if (cfg && cfg_from_repo && (cfg->verify_endpoints.n || cfg->verify_ca_file))
		ls_cli_error("warning: %s: verify endpoints and ca_file are ignored in a repository's own configuration "
		             "(give them with --verify-endpoint, --verify-ca-file or --config FILE)", cfg->path);
	/* the configuration's endpoints first: the command line's override them */
	size_t n = (redirect_ok ? cfg->verify_endpoints.n : 0) + o->nverify_endpoints;
	const char **eps = ls_xcalloc(n + 1, sizeof(char *));
	size_t k = 0;
	for (size_t i = 0; redirect_ok && i < cfg->verify_endpoints.n; i++) {
		eps[k++] = cfg->verify_endpoints.items[i];
		if (!o->quiet)
			ls_cli_error("verify: %s (from %s)", cfg->verify_endpoints.items[i], cfg->path);
	}
	for (size_t i = 0; i < o->nverify_endpoints; i++)
		eps[k++] = o->verify_endpoints[i];
	vo.endpoints = eps;
	vo.nendpoints = k;
	vo.ca_file = o->verify_ca_file ? o->verify_ca_file : redirect_ok ? cfg->verify_ca_file : NULL;
	if (!o->verify_ca_file && vo.ca_file && !o->quiet)
		ls_cli_error("verify: trusting the CA bundle %s (from %s)", vo.ca_file, cfg->path);
	if (cfg) {
		vo.canary_accounts = (const char *const *)cfg->canary_accounts.items;
		vo.ncanary = cfg->canary_accounts.n;
		if (cfg->verify_timeout > 0)
			vo.timeout = cfg->verify_timeout;
	}
	if (o->verify_timeout > 0)
		vo.timeout = o->verify_timeout;
	if (vo.connect_timeout > vo.timeout)
		vo.connect_timeout = vo.timeout;
	if (o->verify_jobs > 0)
		vo.jobs = o->verify_jobs;
	if (o->verify_rate > 0)
		vo.rate = o->verify_rate;
	int err = ls_verifier_new(&cv->v, &vo);
	free(eps);
	if (err < 0) {
		ls_cli_error("%s", ls_error_last());
		return -1;
	}
	return 0;
}

static int is_aws_key_id(const char *s, size_t n)
{
	return s && n == 20 && (!strncmp(s, "AKIA", 4) || !strncmp(s, "ASIA", 4));
}

static int is_session_token(const ls_finding *f)
{
	return f->rule->verify && !strcmp(f->rule->verify, "aws") && f->secret_len > 100 && !f->pair_secret;
}

static size_t line_dist(const ls_finding *a, const ls_finding *b)
{
	return a->line > b->line ? a->line - b->line : b->line - a->line;
}

#define TOKEN_LINES 10 /* how far from its key id and secret a session token is looked for */

/* The nearest finding of `fs` (within TOKEN_LINES, same path) that `want` accepts, or NULL. */
static const ls_finding *nearest(const ls_findings *fs, const ls_finding *f, int (*want)(const ls_finding *))
{
	const ls_finding *best = NULL;
	for (size_t i = 0; i < fs->n; i++) {
		const ls_finding *g = &fs->items[i];
		if (g == f || !want(g) || line_dist(f, g) > TOKEN_LINES || (f->path && g->path && strcmp(f->path, g->path)))
			continue;
		if (!best || line_dist(f, g) < line_dist(f, best))
			best = g;
	}
	return best;
}

static int is_temporary_pair(const ls_finding *g)
{
	return g->rule->verify && !strcmp(g->rule->verify, "aws") && g->pair_secret &&
	       (is_aws_key_id(g->pair_secret, g->pair_secret_len) ? !strncmp(g->pair_secret, "ASIA", 4)
	                                                           : !strncmp(g->secret, "ASIA", 4));
}

/* What is checked for finding `f` of one item's findings. */
static void request_for(ls_verify_request *rq, const ls_findings *fs, const ls_finding *f)
{
	memset(rq, 0, sizeof(*rq));
	rq->verifier = f->rule->verify;
	rq->rule_id = f->rule->id;
	rq->secret = f->secret;
	rq->secret_len = f->secret_len;
	rq->pair = f->pair_secret;
	rq->pair_len = f->pair_secret_len;
	rq->line = f->line_text;
	rq->line_len = f->line_text ? strlen(f->line_text) : 0;
	rq->aws_account = f->aws_account[0] ? f->aws_account : NULL;
	if (!rq->verifier || strcmp(rq->verifier, "aws"))
		return;
	if (is_session_token(f)) {
		/* a session token is checked with the temporary key id and secret beside it */
		const ls_finding *p = nearest(fs, f, is_temporary_pair);
		if (p) {
			rq->secret = p->secret;
			rq->secret_len = p->secret_len;
			rq->pair = p->pair_secret;
			rq->pair_len = p->pair_secret_len;
			rq->aws_account = p->aws_account[0] ? p->aws_account : NULL;
			rq->token = f->secret;
			rq->token_len = f->secret_len;
		}
	} else if (is_temporary_pair(f)) {
		const ls_finding *t = nearest(fs, f, is_session_token);
		if (t) {
			rq->token = t->secret;
			rq->token_len = t->secret_len;
		}
	}
}

void ls_cli_verify_submit(ls_cli_verify *cv, const ls_findings *fs)
{
	if (!cv->v)
		return;
	for (size_t i = 0; i < fs->n; i++) {
		ls_verify_request rq;
		char key[65];
		request_for(&rq, fs, &fs->items[i]);
		ls_verifier_submit(cv->v, &rq, key);
	}
}

void ls_cli_verify_apply(ls_cli_verify *cv, ls_findings *fs)
{
	if (!cv->v)
		return;
	ls_verifier_wait(cv->v);
	for (size_t i = 0; i < fs->n; i++) {
		ls_verify_request rq;
		char key[65];
		request_for(&rq, fs, &fs->items[i]);
		ls_verify_key(key, &rq);
		ls_verification_dispose(&fs->items[i].verification);
		if (ls_verifier_result(cv->v, key, &fs->items[i].verification) < 0)
			fs->items[i].verification.status = LS_VERIFY_UNKNOWN;
		if (fs->items[i].verification.status == LS_VERIFY_VERIFIED)
			fs->items[i].confidence = LS_CONF_HIGH; /* the provider said it is live */
	}
}

int ls_cli_verify_keep(const ls_cli_options *o, const ls_finding *f)
{
	return !o->only_verified || f->verification.status == LS_VERIFY_VERIFIED;
}

void ls_cli_verify_dispose(ls_cli_verify *cv)
{
	ls_verifier_free(cv->v);
	cv->v = NULL;
	free(cv->pending);
	cv->pending = NULL;
	cv->npending = cv->pcap = 0;
}

/* ---- with a datastore (repos, verify) ---- */

struct ls_cli_verify_pending {
	char fp[160];
	char key[65];
};

void ls_cli_verify_store_submit(ls_cli_verify *cv, ls_store *store, const ls_findings *fs)
{
	if (!cv->v)
		return;
	double now = (double)time(NULL);
	for (size_t i = 0; i < fs->n; i++) {
		const ls_finding *f = &fs->items[i];
		char fp[160];
		ls_store_fingerprint(fp, f);
		ls_verification old;
		int have = ls_store_get_verification(store, fp, &old) == 0;
		/* (an error is no answer: asked again at once) */
		int fresh = have && old.checked_at && old.status != LS_VERIFY_ERROR && now - (double)old.checked_at < cv->reuse;
		if (have)
			ls_verification_dispose(&old);
		if (fresh)
			continue;
		ls_verify_request rq;
		request_for(&rq, fs, f);
		if (cv->npending == cv->pcap) {
			cv->pcap = cv->pcap ? cv->pcap * 2 : 64;
			cv->pending = ls_xrealloc(cv->pending, cv->pcap * sizeof(*cv->pending));
		}
		struct ls_cli_verify_pending *p = &cv->pending[cv->npending++];
		memcpy(p->fp, fp, sizeof(fp));
		ls_verifier_submit(cv->v, &rq, p->key);
	}
}

static int cmp_pending(const void *a, const void *b)
{
	return strcmp(((const struct ls_cli_verify_pending *)a)->fp, ((const struct ls_cli_verify_pending *)b)->fp);
}

/* Which of two answers about one secret is kept: live over refused over the rest. */
static int rank(ls_verify_status s)
{
	return s == LS_VERIFY_VERIFIED ? 4 : s == LS_VERIFY_INVALID ? 3 : s == LS_VERIFY_ERROR ? 2 : s == LS_VERIFY_SKIPPED ? 1 : 0;
}

int ls_cli_verify_store_finish(ls_cli_verify *cv, ls_store *store, int quiet)
{
	if (!cv->v)
		return 0;
	ls_verifier_wait(cv->v);
	/* a secret may come with several credentials (a secret key beside two key ids): one
	 * result per secret, the most telling */
	if (cv->npending)
		qsort(cv->pending, cv->npending, sizeof(*cv->pending), cmp_pending);
	int err = ls_store_begin(store);
	size_t by[6] = {0};
	for (size_t i = 0; i < cv->npending && err == 0;) {
		ls_verification best;
		memset(&best, 0, sizeof(best));
		size_t k = i;
		for (; k < cv->npending && !strcmp(cv->pending[k].fp, cv->pending[i].fp); k++) {
			ls_verification v;
			memset(&v, 0, sizeof(v));
			if (ls_verifier_result(cv->v, cv->pending[k].key, &v) < 0)
				continue;
			if (best.status == LS_VERIFY_NONE || rank(v.status) > rank(best.status)) {
				ls_verification_dispose(&best);
				best = v;
			} else {
				ls_verification_dispose(&v);
			}
		}
		ls_verification old;
		int keep_old = 0;
		if ((best.status == LS_VERIFY_ERROR || best.status == LS_VERIFY_UNKNOWN) &&
		    ls_store_get_verification(store, cv->pending[i].fp, &old) == 0) {
			/* a failed check says nothing new: a provider's last real answer stays */
			keep_old = old.status == LS_VERIFY_VERIFIED || old.status == LS_VERIFY_INVALID;
			ls_verification_dispose(&old);
		}
		if (best.status != LS_VERIFY_NONE) {
			by[best.status]++;
			if (!keep_old)
				err = ls_store_put_verification(store, cv->pending[i].fp, &best);
		}
		ls_verification_dispose(&best);
		i = k;
	}
	if (err == 0)
		err = ls_store_commit(store);
	if (err < 0) {
		ls_cli_error("%s", ls_error_last());
		return -1;
	}
	ls_verify_stats st;
	ls_verifier_stats(cv->v, &st);
	if (!quiet)
		ls_cli_error("verify: %zu secret%s checked (%zu request%s): %zu live, %zu invalid, %zu unknown, %zu error, "
		             "%zu skipped",
		             by[1] + by[2] + by[3] + by[4] + by[5], by[1] + by[2] + by[3] + by[4] + by[5] == 1 ? "" : "s",
		             st.requests, st.requests == 1 ? "" : "s", by[LS_VERIFY_VERIFIED], by[LS_VERIFY_INVALID],
		             by[LS_VERIFY_UNKNOWN], by[LS_VERIFY_ERROR], by[LS_VERIFY_SKIPPED]);
	return 0;
}

int ls_cli_parse_duration(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0)
		return -1;
	double unit = !*end || !strcmp(end, "s") ? 1 : !strcmp(end, "m") ? 60 : !strcmp(end, "h") ? 3600
	              : !strcmp(end, "d") ? 86400 : -1;
	if (unit < 0)
		return -1;
	*out = v * unit;
	return 0;
}
