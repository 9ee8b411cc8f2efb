/* leakscan verify: ask the providers again about what a datastore holds (docs/verify.md). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "store.h"

enum { OPT_DATASTORE = 5000, OPT_RULE, OPT_OLDER_THAN };

static const char *verify_usage =
    "usage: leakscan verify --datastore DIR [--rule ID] [--older-than DUR] [options]\n"
    "\n"
    "Asks each secret's provider whether it is live and whose it is (as 'repos --verify' does\n"
    "during a scan), for the secrets a datastore holds, and records the answers: 'leakscan\n"
    "report --verification verified' and 'leakscan summary' show them. Each distinct credential\n"
    "is sent once, to its provider's official host only (docs/verify.md). The datastore must\n"
    "keep its secrets (a datastore made with --store-secrets=no has none to send).\n"
    "\n"
    "      --datastore DIR    the datastore (required)\n"
    "      --rule ID          only this rule's secrets\n"
    "      --older-than DUR   only secrets not checked within DUR (30m, 12h, 7d; default: all)\n"
    "      --rules PATH       rule files that name verifiers, besides the default rules\n"
    "      --verify-endpoint PROVIDER=URL  another endpoint (GitHub Enterprise, GovCloud)\n"
    "      --verify-ca-file FILE  trust this CA bundle for verification requests\n"
    "      --verify-timeout SECS  per request (default 10); --verify-jobs N in flight (16)\n"
    "      --verify-rate N    requests a second to one provider at most (default 20)\n"
    "  -q, --quiet            no summary line on stderr\n"
    "\n"
    "Exit status: 0 checked, 2 error.\n"
    "\n"
    "Example: leakscan verify --datastore scans/ --older-than 7d\n";

typedef struct {
	const ls_ruleset *rs;
	const char *rule;
	ls_finding *v; /* one per secret, blob and line, with its blob in prov.blob */
	size_t n, cap;
	size_t unknown_rules;
} collect_ctx;

static char *dup_or_null(const char *s) { return s ? ls_xstrdup(s) : NULL; }

static int collect_row(const ls_store_row *r, void *payload)
{
	collect_ctx *c = payload;
	const ls_rule *rule = ls_ruleset_find(c->rs, r->rule_id);
	if (!rule) {
		c->unknown_rules++;
		return 0;
	}
	if (!r->secret)
		return 0;
	/* rows are by secret, then location: one finding per secret, blob and line */
	if (c->n) {
		const ls_finding *p = &c->v[c->n - 1];
		if (!strcmp(p->fingerprint, r->fingerprint) && p->line == r->line && p->prov.blob && r->blob &&
		    !strcmp(p->prov.blob, r->blob))
			return 0;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->v = ls_xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	ls_finding *f = &c->v[c->n++];
	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->severity = rule->severity;
	f->secret = ls_xstrdup(r->secret);
	f->secret_len = strlen(f->secret);
	f->line = r->line;
	f->column = r->column;
	f->line_text = dup_or_null(r->line_text);
	f->path = ls_xstrdup(r->path ? r->path : "");
	f->prov.blob = dup_or_null(r->blob);
	snprintf(f->fingerprint, sizeof(f->fingerprint), "%s", r->fingerprint);
	snprintf(f->secret_hash, sizeof(f->secret_hash), "%s", r->secret_hash);
	if (r->aws_account)
		snprintf(f->aws_account, sizeof(f->aws_account), "%s", r->aws_account);
	if (r->pair_rule && r->pair_secret) {
		f->pair_rule = ls_ruleset_find(c->rs, r->pair_rule);
		f->pair_secret = ls_xstrdup(r->pair_secret);
		f->pair_secret_len = strlen(f->pair_secret);
		f->pair_line = r->pair_line;
	}
	return 0;
}

static int cmp_blob(const void *a, const void *b)
{
	const ls_finding *x = a, *y = b;
	int c = strcmp(x->prov.blob ? x->prov.blob : "", y->prov.blob ? y->prov.blob : "");
	return c ? c : x->line < y->line ? -1 : x->line > y->line;
}

int cmd_verify(int argc, char **argv)
{
	ls_cli_options o;
	ls_cli_options_init(&o);
	static const struct option own[] = {{"help", no_argument, NULL, 'h'},
	                                    {"datastore", required_argument, NULL, OPT_DATASTORE},
	                                    {"rule", required_argument, NULL, OPT_RULE},
	                                    {"older-than", required_argument, NULL, OPT_OLDER_THAN},
	                                    {NULL, 0, NULL, 0}};
	struct option *longopts = ls_cli_longopts(own);
	int opt, rc = LS_EXIT_ERROR;
	const char *dir = NULL;
	ls_ruleset *rs = NULL;
	ls_store *store = NULL;
	ls_cli_verify cv;
	memset(&cv, 0, sizeof(cv));
	collect_ctx c;
	memset(&c, 0, sizeof(c));
	ls_store_filter flt = LS_STORE_FILTER_INIT;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h" LS_CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (opt) {
		case 'h': fputs(verify_usage, stdout); rc = 0; goto done;
		case OPT_DATASTORE: dir = optarg; continue;
		case OPT_RULE: flt.rule = optarg; continue;
		case OPT_OLDER_THAN:
			if (ls_cli_parse_duration(optarg, &cv.reuse) < 0) {
				ls_cli_error("verify: --older-than wants a duration (30m, 12h, 7d), not '%s'", optarg);
				goto done;
			}
			continue;
		default: break;
		}
		int r = ls_cli_common_option(&o, opt, optarg, "verify");
		if (r < 0)
			goto done;
		if (r == 0) {
			ls_cli_unknown_option("verify", argv[optind - 1], longopts);
			goto done;
		}
	}
	if (!dir) {
		ls_cli_error("verify: --datastore DIR is required (see 'leakscan help verify')");
		goto done;
	}
	if (optind < argc) {
		ls_cli_error("verify: unexpected argument '%s'", argv[optind]);
		goto done;
	}
	if (o.verify == 0 || o.output || o.format_set || o.baseline || o.config) {
		ls_cli_error("verify: --%s does not apply (the answers go to the datastore: read them with 'leakscan report')",
		             o.verify == 0 ? "no-verify" : o.output ? "output" : o.format_set ? "format" : o.baseline ? "baseline" : "config");
		goto done;
	}
	o.verify = 1;
	if (ls_cli_load_rules(&o, &rs) < 0)
		goto done;
	if (ls_store_open(&store, dir, 0) < 0) {
		ls_cli_error("%s", ls_error_last());
		goto done;
	}
	if (!ls_store_secrets_stored(store)) {
		ls_cli_error("verify: %s keeps no secrets (--store-secrets=no): nothing to send; verify while scanning"
		             " ('leakscan repos --verify')", ls_store_path(store));
		goto done;
	}
	if (ls_cli_fpkey_load() < 0 || ls_cli_verify_start(&cv, &o, NULL, 0, 0) < 0)
		goto done;
	c.rs = rs;
	if (ls_store_query(store, &flt, collect_row, &c) < 0) {
		ls_cli_error("%s", ls_error_last());
		goto done;
	}
	if (c.unknown_rules && !o.quiet)
		ls_cli_error("verify: note: %zu location%s of rules the loaded rule files lack were left out (--rules)",
		             c.unknown_rules, c.unknown_rules == 1 ? "" : "s");
	/* by blob: a session token is checked with the key id and secret beside it */
	if (c.n)
		qsort(c.v, c.n, sizeof(*c.v), cmp_blob);
	for (size_t i = 0; i < c.n;) {
		size_t k = i;
		while (k < c.n && !strcmp(c.v[k].prov.blob ? c.v[k].prov.blob : "", c.v[i].prov.blob ? c.v[i].prov.blob : ""))
			k++;
		ls_findings one = {c.v + i, k - i, k - i};
		ls_cli_verify_store_submit(&cv, store, &one);
		i = k;
	}
	rc = ls_cli_verify_store_finish(&cv, store, o.quiet) < 0 ? LS_EXIT_ERROR : LS_EXIT_CLEAN;
done:
	ls_cli_verify_dispose(&cv);
	for (size_t i = 0; i < c.n; i++)
		ls_finding_dispose(&c.v[i]);
	free(c.v);
	ls_store_close(store);
	ls_ruleset_free(rs);
	ls_cli_options_dispose(&o);
	free(longopts);
	return rc;
}
