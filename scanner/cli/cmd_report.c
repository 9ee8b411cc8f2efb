/* leakscan report, summary, triage and datastore merge: reading and curating the findings
 * datastore that `leakscan repos` fills. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common.h"
#include "store.h"

enum { OPT_DATASTORE = 4000, OPT_REPO, OPT_RULE, OPT_SEVERITY, OPT_MIN_CONF, OPT_STATUS, OPT_NEW_SINCE, OPT_NOTE, OPT_REDACT,
       OPT_NO_REDACT, OPT_VERIFICATION, OPT_ONLY_VERIFIED };

/* Readers (report, summary) open the datastore read-only: they work on a read-only
 * directory or mount, and never change the file. */
static int open_store(ls_store **s, const char *dir, const char *cmd)
{
	if (!dir) {
		ls_cli_error("%s: --datastore DIR is required (see 'leakscan help %s')", cmd, cmd);
		return -1;
	}
	if ((strcmp(cmd, "triage") ? ls_store_open_readonly(s, dir) : ls_store_open(s, dir, 0)) < 0) {
		ls_cli_error("%s", ls_error_last());
		return -1;
	}
	return 0;
}

/* ---- report: one finding per distinct secret per rule, with all its locations ---- */

typedef struct {
	char *repo, *commit, *path, *author, *date;
	size_t line, column;
	int tip;
} loc;

typedef struct {
	ls_report *sink;   /* sarif, csv, html */
	ls_format format;
	FILE *fp;
	int redact;
	/* rules seen in the datastore (the report does not need the rule files) */
	ls_rule **rules;
	size_t nrules;
	/* the group being collected: the first row's fields, then every location */
	int open;
	ls_finding f;
	char *status, *note;
	long long first_run;
	loc *locs;
	size_t nlocs;
	size_t reported;
	int write_failed;
} report_ctx;

static const ls_rule *rule_for(report_ctx *c, const char *id, const char *name, int severity)
{
	for (size_t i = 0; i < c->nrules; i++)
		if (!strcmp(c->rules[i]->id, id))
			return c->rules[i];
	ls_rule *r = ls_xcalloc(1, sizeof(*r));
	r->id = ls_xstrdup(id);
	r->name = ls_xstrdup(name ? name : id);
	r->description = ls_xstrdup(name ? name : id);
	r->pattern = ls_xstrdup("");
	r->severity = (ls_severity)severity;
	r->enabled = 1;
	c->rules = ls_xrealloc(c->rules, (c->nrules + 1) * sizeof(ls_rule *));
	c->rules[c->nrules++] = r;
	return r;
}

static void free_rules(report_ctx *c)
{
	for (size_t i = 0; i < c->nrules; i++) {
		free(c->rules[i]->id);
		free(c->rules[i]->name);
		free(c->rules[i]->description);
		free(c->rules[i]->pattern);
		free(c->rules[i]);
	}
	free(c->rules);
}

/* C0 controls as spaces; DEL, C1 controls and bytes that are not UTF-8 escaped */
static void put_text_sanitized(ls_buf *b, const char *s, size_t n) { ls_buf_put_term(b, s, n, LS_TERM_C0_SPACE); }

static void emit_text(report_ctx *c, ls_buf *b)
{
	const ls_finding *f = &c->f;
	ls_buf_printf(b, "%s %s ", f->fingerprint, ls_severity_name(f->severity));
	if (c->redact)
		ls_report_redact(b, f->secret, f->secret_len);
	else
		put_text_sanitized(b, f->secret, f->secret_len);
	if (f->pair_rule) {
		/* the key id a responder deactivates */
		ls_buf_puts(b, " [pair: ");
		put_text_sanitized(b, f->pair_rule->id, strlen(f->pair_rule->id));
		ls_buf_putc(b, ' ');
		if (c->redact)
			ls_report_redact(b, f->pair_secret, f->pair_secret_len);
		else
			put_text_sanitized(b, f->pair_secret, f->pair_secret_len);
		ls_buf_putc(b, ']');
	}
	ls_buf_printf(b, " (%zu location%s)", c->nlocs, c->nlocs == 1 ? "" : "s");
	if (f->verification.status != LS_VERIFY_NONE) {
		ls_buf_putc(b, ' ');
		ls_report_verification_text(b, &f->verification, 0);
	}
	if (c->status) {
		ls_buf_printf(b, " [%s%s", c->status, c->note ? ": " : "");
		if (c->note)
			put_text_sanitized(b, c->note, strlen(c->note));
		ls_buf_putc(b, ']');
	}
	ls_buf_putc(b, '\n');
	for (size_t i = 0; i < c->nlocs; i++) {
		ls_buf_puts(b, "    ");
		put_text_sanitized(b, c->locs[i].repo, strlen(c->locs[i].repo));
		ls_buf_printf(b, ":%.12s:", c->locs[i].commit ? c->locs[i].commit : "");
		put_text_sanitized(b, c->locs[i].path, strlen(c->locs[i].path));
		ls_buf_printf(b, ":%zu:%zu\n", c->locs[i].line, c->locs[i].column);
	}
}

/* JSON: the sink's object for the finding, then the datastore's fields. */
static void emit_json(report_ctx *c, ls_buf *b)
{
	char *obj = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&obj, &len);
	ls_report_options ro;
	memset(&ro, 0, sizeof(ro));
	ro.format = LS_FMT_JSONL;
	ro.redact = c->redact;
	ro.tool_version = LS_VERSION;
	ls_report *r = NULL;
	ls_report_new(&r, mem, &ro);
	ls_report_add(r, &c->f);
	ls_report_finish(r);
	ls_report_free(r);
	fclose(mem);
	while (len && (obj[len - 1] == '\n' || obj[len - 1] == '}'))
		len--;
	ls_buf_put(b, obj, len);
	free(obj);
	ls_buf_printf(b, ",\"count\":%zu,\"first_run\":%lld,\"status\":", c->nlocs, c->first_run);
	if (c->status)
		ls_buf_put_json_str(b, c->status, strlen(c->status));
	else
		ls_buf_puts(b, "\"open\"");
	ls_buf_puts(b, ",\"note\":");
	if (c->note)
		ls_buf_put_json_str(b, c->note, strlen(c->note));
	else
		ls_buf_puts(b, "null");
	ls_buf_puts(b, ",\"locations\":[");
	for (size_t i = 0; i < c->nlocs; i++) {
		ls_buf_puts(b, i ? ",{\"repo\":" : "{\"repo\":");
		ls_buf_put_json_str(b, c->locs[i].repo, strlen(c->locs[i].repo));
		ls_buf_puts(b, ",\"commit\":");
		ls_buf_put_json_str(b, c->locs[i].commit ? c->locs[i].commit : "", c->locs[i].commit ? strlen(c->locs[i].commit) : 0);
		ls_buf_puts(b, ",\"path\":");
		ls_buf_put_json_str(b, c->locs[i].path, strlen(c->locs[i].path));
		ls_buf_printf(b, ",\"line\":%zu,\"column\":%zu,\"at_tip\":%s}", c->locs[i].line, c->locs[i].column,
		              c->locs[i].tip < 0 ? "null" : c->locs[i].tip ? "true" : "false");
	}
	ls_buf_puts(b, "]}");
}

static void group_flush(report_ctx *c)
{
	if (!c->open)
		return;
	ls_finding *f = &c->f;
	f->prov.nalso = c->nlocs;
	f->prov.also = ls_xcalloc(c->nlocs ? c->nlocs : 1, sizeof(char *));
	for (size_t i = 0; i < c->nlocs; i++)
		f->prov.also[i] = ls_xasprintf("%s:%s:%s", c->locs[i].repo, c->locs[i].commit ? c->locs[i].commit : "",
		                               c->locs[i].path);
	ls_buf b = LS_BUF_INIT;
	if (c->format == LS_FMT_TEXT)
		emit_text(c, &b);
	else if (c->format == LS_FMT_JSON) {
		ls_buf_puts(&b, c->reported ? ",\n  " : "\n  ");
		emit_json(c, &b);
	} else if (c->format == LS_FMT_JSONL) {
		emit_json(c, &b);
		ls_buf_putc(&b, '\n');
	} else if (c->format == LS_FMT_HTML) {
		ls_report_location *ls = ls_xcalloc(c->nlocs ? c->nlocs : 1, sizeof(*ls));
		for (size_t i = 0; i < c->nlocs; i++)
			ls[i] = (ls_report_location){c->locs[i].repo, c->locs[i].commit, c->locs[i].path, c->locs[i].author,
			                             c->locs[i].date, c->locs[i].line, c->locs[i].tip};
		if (ls_report_add_secret(c->sink, f, c->status, c->note, ls, c->nlocs) < 0)
			c->write_failed = 1;
		free(ls);
	} else if (ls_report_add(c->sink, f) < 0)
		c->write_failed = 1;
	if (b.len && fwrite(b.ptr, 1, b.len, c->fp) != b.len)
		c->write_failed = 1;
	ls_buf_dispose(&b);
	c->reported++;
	ls_finding_dispose(f);
	memset(f, 0, sizeof(*f));
	free(c->status);
	free(c->note);
	c->status = c->note = NULL;
	for (size_t i = 0; i < c->nlocs; i++)
		free(c->locs[i].repo), free(c->locs[i].commit), free(c->locs[i].path), free(c->locs[i].author),
		    free(c->locs[i].date);
	free(c->locs);
	c->locs = NULL;
	c->nlocs = 0;
	c->open = 0;
}

static char *dup_or_null(const char *s) { return s ? ls_xstrdup(s) : NULL; }

static int add_run(long long id, const char *started, long long new_secrets, void *payload)
{
	ls_report_add_run(payload, id, started, new_secrets);
	return 0;
}

static int report_row(const ls_store_row *r, void *payload)
{
	report_ctx *c = payload;
	if (c->open && strcmp(c->f.fingerprint, r->fingerprint))
		group_flush(c);
	if (!c->open) {
		ls_finding *f = &c->f;
		memset(f, 0, sizeof(*f));
		f->rule = rule_for(c, r->rule_id, r->rule_name, r->severity);
		f->severity = (ls_severity)(r->severity >= 0 && r->severity <= 3 ? r->severity : 0);
		f->confidence = (ls_confidence)(r->confidence >= 0 && r->confidence <= 2 ? r->confidence : LS_CONF_MEDIUM);
		f->path = r->inner ? ls_xasprintf("%s!%s", r->path ? r->path : "", r->inner) : ls_xstrdup(r->path ? r->path : "");
		f->line = r->line;
		f->column = r->column;
		f->end_line = r->end_line;
		f->end_column = r->end_column;
		/* without the secret in the datastore, the masked form stands in: same length, same
		 * leading characters as redaction keeps, so the redacted output is identical */
		const char *sec = r->secret ? r->secret : r->secret_mask;
		f->secret_len = r->secret ? strlen(r->secret) : r->secret_len;
		if (f->secret_len > strlen(sec))
			f->secret_len = strlen(sec);
		f->secret = ls_xstrndup(sec, f->secret_len);
		/* a datastore without secrets keeps no line or match: the masked secret stands in */
		int ctx = r->line_text && *r->line_text;
		f->match = ls_xstrdup(r->match ? r->match : f->secret);
		f->match_len = strlen(f->match);
		f->line_text = ls_xstrdup(ctx ? r->line_text : f->secret);
		size_t lt = strlen(f->line_text);
		f->line_secret_off = !ctx ? 0 : r->line_secret_off <= lt ? r->line_secret_off : lt;
		f->line_secret_len = !ctx ? lt
		                          : r->line_secret_len <= lt - f->line_secret_off ? r->line_secret_len
		                                                                          : lt - f->line_secret_off;
		f->entropy = r->entropy;
		snprintf(f->fingerprint, sizeof(f->fingerprint), "%s", r->fingerprint);
		snprintf(f->secret_hash, sizeof(f->secret_hash), "%s", r->secret_hash);
		if (r->aws_account)
			snprintf(f->aws_account, sizeof(f->aws_account), "%s", r->aws_account);
		f->prov.commit = dup_or_null(r->commit);
		f->prov.author_name = dup_or_null(r->author_name);
		f->prov.author_email = dup_or_null(r->author_email);
		f->prov.date = dup_or_null(r->date);
		f->prov.blob = dup_or_null(r->blob);
		f->prov.message = dup_or_null(r->message);
		f->prov.repo = ls_xstrdup(r->repo); /* (SARIF: one run per repository) */
		f->decoded = r->decoded;
		if (r->verify_status && ls_verify_status_parse(&f->verification.status, r->verify_status) == 0) {
			f->verification.identity = dup_or_null(r->verify_identity);
			f->verification.account = dup_or_null(r->verify_account);
			f->verification.detail = dup_or_null(r->verify_detail);
			f->verification.checked_at = r->verify_checked_at;
		}
		if (r->pair_rule && r->pair_secret) {
			f->pair_rule = rule_for(c, r->pair_rule, NULL, 0);
			f->pair_secret = ls_xstrdup(r->pair_secret);
			f->pair_secret_len = strlen(f->pair_secret);
			f->pair_line = r->pair_line;
			f->pair_column = r->pair_column;
		}
		c->status = dup_or_null(r->status);
		c->note = dup_or_null(r->note);
		c->first_run = r->first_run;
		c->open = 1;
	}
	/* one location per repository, commit and path (several lines of a blob count once); a
	 * path inside an archive blob follows its path and a '!' */
	char *path = r->inner ? ls_xasprintf("%s!%s", r->path ? r->path : "", r->inner) : ls_xstrdup(r->path ? r->path : "");
	if (c->nlocs) {
		loc *p = &c->locs[c->nlocs - 1];
		if (!strcmp(p->repo, r->repo) && !strcmp(p->path, path) &&
		    !strcmp(p->commit ? p->commit : "", r->commit ? r->commit : "")) {
			free(path);
			return c->write_failed;
		}
	}
	c->locs = ls_xrealloc(c->locs, (c->nlocs + 1) * sizeof(loc));
	loc *l = &c->locs[c->nlocs++];
	l->repo = ls_xstrdup(r->repo);
	l->commit = dup_or_null(r->commit);
	l->path = path;
	l->author = dup_or_null(r->author_name);
	l->date = dup_or_null(r->date);
	l->line = r->line;
	l->column = r->column;
	l->tip = r->at_tip;
	return c->write_failed;
}

/* The report of what `flt` selects, in ro->format, to `fp`; with `csrf`, the HTML page
 * `leakscan serve` shows. Returns 0 or an error (printed); c->write_failed on a write error. */
static int report_write(ls_store *store, const ls_store_filter *flt, ls_report_options *ro, FILE *fp,
                        const char *dir, const char *csrf, int readonly, report_ctx *c)
{
	c->format = ro->format;
	c->fp = fp;
	c->redact = ro->redact;
	if (ro->format == LS_FMT_JSON)
		fputs("[", fp);
	char *title = ls_xasprintf("leakscan report: %s", dir);
	ro->title = title;
	if (ro->format == LS_FMT_SARIF || ro->format == LS_FMT_CSV || ro->format == LS_FMT_HTML)
		ls_report_new(&c->sink, fp, ro);
	free(title);
	ro->title = NULL;
	if (csrf)
		ls_report_set_serve(c->sink, csrf, readonly);
	int err = 0;
	if (ro->format == LS_FMT_HTML && (err = ls_store_runs_foreach(store, add_run, c->sink)) < 0) {
		ls_cli_error("%s", ls_error_last());
		return err;
	}
	err = ls_store_query(store, flt, report_row, c);
	if (err == 0)
		group_flush(c);
	if (err < 0 && err != LS_ESTOP)
		ls_cli_error("%s", ls_error_last());
	if (ro->format == LS_FMT_JSON)
		fputs(c->reported ? "\n]\n" : "]\n", fp);
	if (c->sink && ls_report_finish(c->sink) < 0)
		c->write_failed = 1;
	if (fflush(fp) != 0 || ferror(fp))
		c->write_failed = 1;
	if (c->write_failed)
		ls_cli_error("cannot write the report: %s", strerror(errno));
	return err;
}

static void report_ctx_dispose(report_ctx *c)
{
	if (c->open) {
		ls_finding_dispose(&c->f);
		free(c->status), free(c->note);
		for (size_t i = 0; i < c->nlocs; i++)
			free(c->locs[i].repo), free(c->locs[i].commit), free(c->locs[i].path), free(c->locs[i].author),
			    free(c->locs[i].date);
		free(c->locs);
	}
	ls_report_free(c->sink);
	free_rules(c);
	memset(c, 0, sizeof(*c));
}

int ls_cli_report_html(ls_store *store, FILE *fp, const char *dir, int redact, const char *csrf, int readonly)
{
	report_ctx c;
	memset(&c, 0, sizeof(c));
	ls_report_options ro;
	memset(&ro, 0, sizeof(ro));
	ro.format = LS_FMT_HTML;
	ro.redact = redact || !ls_store_secrets_stored(store);
	ro.tool_version = LS_VERSION;
	ls_store_filter flt = LS_STORE_FILTER_INIT;
	int err = report_write(store, &flt, &ro, fp, dir, csrf, readonly, &c);
	if (!err && c.write_failed)
		err = LS_EIO;
	report_ctx_dispose(&c);
	return err;
}

/* ---- --repo NAME: a repository's full name, or a unique short name or suffix of one ---- */

typedef struct {
	const char *want;
	char *exact;
	ls_strlist hits, all;
} repo_match;

/* Whether `want` names `name` by its last path components, with or without ".git" and a
 * trailing slash ("infra" for "https://git.example.com/org/infra.git", "org/infra" too). */
static int names_repo(const char *name, const char *want)
{
	size_t n = strlen(name), w = strlen(want);
	while (n > 1 && name[n - 1] == '/')
		n--;
	if (n > 4 && !memcmp(name + n - 4, ".git", 4) && !(w > 4 && !memcmp(want + w - 4, ".git", 4)))
		n -= 4;
	return w && w < n && !memcmp(name + n - w, want, w) && (name[n - w - 1] == '/' || name[n - w - 1] == ':');
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int match_repo(const char *name, const char *tips, const char *digest, void *payload)
{
	repo_match *m = payload;
	(void)tips;
	(void)digest;
	if (!strcmp(name, m->want))
		m->exact = ls_xstrdup(name);
	else if (names_repo(name, m->want))
		ls_strlist_push(&m->hits, name);
	ls_strlist_push(&m->all, name);
	return 0;
}

/* Resolves --repo to a stored repository's name (allocated), or NULL with the error printed. */
static char *resolve_repo(ls_store *store, const char *want)
{
	repo_match m;
	memset(&m, 0, sizeof(m));
	m.want = want;
	char *out = NULL;
	if (ls_store_repos_foreach(store, match_repo, &m) < 0) {
		ls_cli_error("%s", ls_error_last());
	} else if (m.exact) {
		out = m.exact;
		m.exact = NULL;
	} else if (m.hits.n == 1) {
		out = ls_xstrdup(m.hits.items[0]);
	} else {
		ls_buf b = LS_BUF_INIT;
		ls_strlist *l = m.hits.n ? &m.hits : &m.all;
		if (l->n)
			qsort(l->items, l->n, sizeof(char *), cmp_str);
		for (size_t i = 0; i < l->n && i < 5; i++)
			ls_buf_printf(&b, "%s'%s'", i ? ", " : "", l->items[i]);
		if (l->n > 5)
			ls_buf_printf(&b, " and %zu more", l->n - 5);
		if (m.hits.n)
			ls_cli_error("report: --repo '%s' names several repositories: %s; give more of the name", want, b.ptr);
		else
			ls_cli_error("report: no repository '%s' in %s%s%s", want, ls_store_path(store),
			             m.all.n ? "; it holds " : " (it holds no repository)", m.all.n ? b.ptr : "");
		ls_buf_dispose(&b);
	}
	free(m.exact);
	ls_strlist_dispose(&m.hits);
	ls_strlist_dispose(&m.all);
	return out;
}

static const char *report_usage =
    "usage: leakscan report --datastore DIR [options]\n"
    "\n"
    "Prints the findings of a datastore filled by 'leakscan repos': one per distinct secret per\n"
    "rule, with every repository, commit and path where it occurs (the commit that introduced\n"
    "it into each repository), a count, and its triage status.\n"
    "\n"
    "      --datastore DIR    the datastore (required)\n"
    "  -f, --format FMT       text (default), json, jsonl, sarif, csv, html (a page to look at)\n"
    "  -o, --output FILE      write to FILE (atomically) instead of stdout\n"
    "      --redact           mask secrets (default for sarif; always when the datastore\n"
    "                         keeps no secrets); --no-redact to show them\n"
    "      --repo NAME        only locations in this repository: its name as listed to 'repos',\n"
    "                         or a unique last part of it ('infra' for .../org/infra.git)\n"
    "      --rule ID          only this rule\n"
    "      --severity SEV     only this severity or above\n"
    "      --min-confidence C only secrets at least this sure (high, medium, low; default: all\n"
    "                         the datastore holds, which is what 'repos --min-confidence' kept)\n"
    "      --status S         only this triage status: open, false-positive, revoked, accepted\n"
    "      --new-since RUN    only secrets first seen after run RUN\n"
    "      --verification S   only secrets whose last verification is S (verified, invalid,\n"
    "                         unknown, error, skipped; none: never verified); --only-verified\n"
    "\n"
    "Exit status: 0 nothing reported, 1 findings reported, 2 error.\n"
    "\n"
    "Examples: leakscan report --datastore scans/\n"
    "          leakscan report --datastore scans/ --repo app --status open -f json\n";

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
	                                         {"datastore", required_argument, NULL, OPT_DATASTORE},
	                                         {"format", required_argument, NULL, 'f'},
	                                         {"output", required_argument, NULL, 'o'},
	                                         {"redact", no_argument, NULL, OPT_REDACT},
	                                         {"no-redact", no_argument, NULL, OPT_NO_REDACT},
	                                         {"repo", required_argument, NULL, OPT_REPO},
	                                         {"rule", required_argument, NULL, OPT_RULE},
	                                         {"severity", required_argument, NULL, OPT_SEVERITY},
	                                         {"min-confidence", required_argument, NULL, OPT_MIN_CONF},
	                                         {"status", required_argument, NULL, OPT_STATUS},
	                                         {"new-since", required_argument, NULL, OPT_NEW_SINCE},
	                                         {"verification", required_argument, NULL, OPT_VERIFICATION},
	                                         {"only-verified", no_argument, NULL, OPT_ONLY_VERIFIED},
	                                         {NULL, 0, NULL, 0}};
	ls_cli_options o;
	ls_cli_options_init(&o);
	ls_store_filter flt = LS_STORE_FILTER_INIT;
	const char *dir = NULL;
	int opt, rc = LS_EXIT_ERROR, out_open = 0;
	ls_store *store = NULL;
	char *repo_name = NULL;
	ls_cli_output out = {0};
	report_ctx c;
	memset(&c, 0, sizeof(c));
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "hf:o:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h': fputs(report_usage, stdout); rc = 0; goto done;
		case OPT_DATASTORE: dir = optarg; break;
		case 'f':
			if (ls_format_parse(&o.format, optarg) < 0 || o.format == LS_FMT_JUNIT) {
				ls_cli_error("report: unknown format '%s' (text, json, jsonl, sarif, csv, html)", optarg);
				goto done;
			}
			o.format_set = 1;
			break;
		case 'o': o.output = optarg; break;
		case OPT_REDACT: o.redact = 1; break;
		case OPT_NO_REDACT: o.redact = 0; break;
		case OPT_REPO: flt.repo = optarg; break;
		case OPT_RULE: flt.rule = optarg; break;
		case OPT_SEVERITY: {
			ls_severity sev;
			if (ls_severity_parse(&sev, optarg) < 0) {
				ls_cli_error("report: unknown severity '%s' (low, medium, high, critical)", optarg);
				goto done;
			}
			flt.min_severity = (int)sev;
			break;
		}
		case OPT_MIN_CONF: {
			ls_confidence cf;
			if (ls_confidence_parse(&cf, optarg) < 0) {
				ls_cli_error("report: unknown confidence '%s' (high, medium, low)", optarg);
				goto done;
			}
			flt.min_confidence = (int)cf;
			break;
		}
		case OPT_STATUS:
			if (strcmp(optarg, "open") && strcmp(optarg, "false-positive") && strcmp(optarg, "revoked") &&
			    strcmp(optarg, "accepted")) {
				ls_cli_error("report: unknown status '%s' (open, false-positive, revoked, accepted)", optarg);
				goto done;
			}
			flt.status = optarg;
			break;
		case OPT_VERIFICATION:
		case OPT_ONLY_VERIFIED: {
			ls_verify_status vs;
			const char *want = opt == OPT_ONLY_VERIFIED ? "verified" : optarg;
			if (strcmp(want, "none") && ls_verify_status_parse(&vs, want) < 0) {
				ls_cli_error("report: unknown verification status '%s' (verified, invalid, unknown, error, skipped, none)",
				             want);
				goto done;
			}
			flt.verification = want;
			break;
		}
		case OPT_NEW_SINCE: {
			char *end;
			long long v = strtoll(optarg, &end, 10);
			if (*end || end == optarg || v < 0) {
				ls_cli_error("report: --new-since wants a run number, not '%s'", optarg);
				goto done;
			}
			flt.new_since = v;
			break;
		}
		default:
			ls_cli_unknown_option("report", argv[optind - 1], longopts);
			goto done;
		}
	}
	if (optind < argc) {
		ls_cli_error("report: unexpected argument '%s'", argv[optind]);
		goto done;
	}
	if (open_store(&store, dir, "report") < 0)
		goto done;
	if (flt.repo && !(repo_name = resolve_repo(store, flt.repo)))
		goto done;
	if (repo_name)
		flt.repo = repo_name;
	if (ls_cli_output_open(&out, &o) < 0)
		goto done;
	out_open = 1;
	ls_report_options ro;
	ls_cli_report_options(&ro, &o, &out);
	ro.color = 0;
	if (!ls_store_secrets_stored(store)) {
		if (o.redact == 0)
			ls_cli_error("report: %s keeps no secrets (--store-secrets=no); showing them redacted",
			             ls_store_path(store));
		ro.redact = 1;
	}
	int err = report_write(store, &flt, &ro, out.fp, dir, NULL, 0, &c);
	int ok = err == 0 && !c.write_failed;
	out_open = 0;
	if (ls_cli_output_close(&out, ok) < 0)
		ok = 0;
	rc = !ok ? LS_EXIT_ERROR : c.reported ? LS_EXIT_FINDINGS : LS_EXIT_CLEAN;
done:
	if (out_open)
		ls_cli_output_close(&out, 0);
	report_ctx_dispose(&c);

	free(repo_name);
	ls_store_close(store);
	ls_cli_options_dispose(&o);
	return rc;
}

/* ---- summary ---- */

typedef struct {
	int json;
	const char *last; /* the kind being printed */
	ls_buf out;
	size_t verified_mark; /* text: where "by verification" begins in out */
	int any_verified;     /* text: a secret was verified (else that part is left out) */
} summary_ctx;

static const char *summary_key(const char *kind, int json)
{
	static const char *const kinds[][3] = {{"rule", "rules", "by rule"},
	                                       {"repo", "repos", "by repository"},
	                                       {"status", "statuses", "by status"},
	                                       {"verification", "verifications", "by verification"}};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		if (!strcmp(kind, kinds[i][0]))
			return kinds[i][json ? 1 : 2];
	return kind;
}

static int summary_row(const char *kind, const char *name, long long secrets, long long locations, void *payload)
{
	summary_ctx *c = payload;
	int first = !c->last || strcmp(c->last, kind);
	if (!c->json && first && !strcmp(kind, "verification"))
		c->verified_mark = c->out.len;
	if (!c->json && !strcmp(kind, "verification") && name && strcmp(name, "none"))
		c->any_verified = 1;
	if (c->json) {
		if (first)
			ls_buf_printf(&c->out, "%s\"%s\":[", c->last ? "]," : "", summary_key(kind, 1));
		else
			ls_buf_putc(&c->out, ',');
		ls_buf_printf(&c->out, "{\"%s\":", kind);
		ls_buf_put_json_str(&c->out, name ? name : "", name ? strlen(name) : 0);
		ls_buf_printf(&c->out, ",\"secrets\":%lld,\"locations\":%lld}", secrets, locations);
	} else {
		if (first)
			ls_buf_printf(&c->out, "%s:\n", summary_key(kind, 0));
		ls_buf shown = LS_BUF_INIT; /* a repository's name is its URL or path */
		ls_buf_put_term(&shown, name ? name : "", name ? strlen(name) : 0, 0);
		/* the counts first: a name of any length (a long URL) cannot push them out of line */
		ls_buf_printf(&c->out, "  %6lld secret%s %6lld location%s  %s\n", secrets, secrets == 1 ? " " : "s", locations,
		              locations == 1 ? " " : "s", shown.ptr ? shown.ptr : "");
		ls_buf_dispose(&shown);
	}
	c->last = kind;
	return 0;
}

int cmd_summary(int argc, char **argv)
{
	static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
	                                         {"datastore", required_argument, NULL, OPT_DATASTORE},
	                                         {"format", required_argument, NULL, 'f'},
	                                         {NULL, 0, NULL, 0}};
	const char *dir = NULL;
	int opt;
	summary_ctx c;
	memset(&c, 0, sizeof(c));
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "hf:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs("usage: leakscan summary --datastore DIR [-f text|json]\n\n"
			      "Prints the number of runs, and the distinct secrets and their locations per rule,\n"
			      "per repository, per triage status and, once verification ran, per verification\n"
			      "status (verified, invalid, unknown, error, skipped; none: never verified).\n"
			      "\n"
			      "Exit status: 0 printed, 2 error.\n"
			      "\n"
			      "Example: leakscan summary --datastore scans/ -f json\n",
			      stdout);
			return 0;
		case OPT_DATASTORE: dir = optarg; break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				ls_cli_error("summary: unknown format '%s' (text, json)", optarg);
				return LS_EXIT_ERROR;
			}
			c.json = !strcmp(optarg, "json");
			break;
		default:
			ls_cli_unknown_option("summary", argv[optind - 1], longopts);
			return LS_EXIT_ERROR;
		}
	}
	ls_store *store = NULL;
	if (open_store(&store, dir, "summary") < 0)
		return LS_EXIT_ERROR;
	long long runs = ls_store_last_run(store);
	int stored = ls_store_secrets_stored(store);
	if (c.json)
		ls_buf_printf(&c.out, "{\"runs\":%lld,\"secrets_stored\":%s,", runs, stored ? "true" : "false");
	else
		ls_buf_printf(&c.out, "runs: %lld; secrets %s\n", runs, stored ? "stored" : "not stored (hashes only)");
	int err = ls_store_summary(store, summary_row, &c);
	if (!c.json && c.verified_mark && !c.any_verified)
		c.out.len = c.verified_mark; /* nothing was ever verified: no such part */
	if (c.json)
		ls_buf_puts(&c.out, c.last ? "]}\n" : "\"rules\":[],\"repos\":[],\"statuses\":[],\"verifications\":[]}\n");
	else if (!c.last)
		ls_buf_puts(&c.out, "no findings\n");
	if (err < 0)
		ls_cli_error("%s", ls_error_last());
	else
		fwrite(c.out.ptr, 1, c.out.len, stdout);
	ls_buf_dispose(&c.out);
	ls_store_close(store);
	return err < 0 ? LS_EXIT_ERROR : 0;
}

/* ---- triage ---- */

int ls_cli_triage(ls_store *store, const char *fingerprint, const char *status, const char *note)
{
	static const char *const statuses[] = {"false-positive", "revoked", "accepted", "open"};
	int known = 0;
	for (size_t i = 0; status && i < sizeof(statuses) / sizeof(*statuses); i++)
		known |= !strcmp(status, statuses[i]);
	if (!known) {
		ls_error_set("unknown status '%s' (false-positive, revoked, accepted, open)", status ? status : "");
		return LS_EINVAL;
	}
	if (!store)
		return 0;
	/* PATH:RULE-ID:HASH16 as scans print it: the datastore's RULE-ID:HASH16 is its tail */
	return ls_store_triage(store, ls_fingerprint_secret_part(fingerprint), status, note);
}

int cmd_triage(int argc, char **argv)
{
	static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
	                                         {"datastore", required_argument, NULL, OPT_DATASTORE},
	                                         {"status", required_argument, NULL, OPT_STATUS},
	                                         {"note", required_argument, NULL, OPT_NOTE},
	                                         {NULL, 0, NULL, 0}};
	const char *dir = NULL, *status = NULL, *note = NULL;
	int opt;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs("usage: leakscan triage --datastore DIR FINGERPRINT --status STATUS [--note TEXT]\n\n"
			      "Records a decision about a finding of the datastore, kept across runs and shown by\n"
			      "'leakscan report'. STATUS: false-positive, revoked, accepted, or open (clears it).\n"
			      "FINGERPRINT is the report's 'RULE-ID:HASH16', or the 'PATH:RULE-ID:HASH16' that\n"
			      "scan and git print (the path does not matter: the secret is one across paths).\n"
			      "\n"
			      "Exit status: 0 recorded, 2 error (no such finding, bad status).\n"
			      "\n"
			      "Example: leakscan triage --datastore scans/ aws-access-key-id:3f1c0e5a9b2d4c71 \\\n"
			      "           --status revoked --note 'rotated on 2024-05-02'\n",
			      stdout);
			return 0;
		case OPT_DATASTORE: dir = optarg; break;
		case OPT_STATUS: status = optarg; break;
		case OPT_NOTE: note = optarg; break;
		default:
			ls_cli_unknown_option("triage", argv[optind - 1], longopts);
			return LS_EXIT_ERROR;
		}
	}
	if (optind + 1 != argc) {
		ls_cli_error("triage: one FINGERPRINT expected (see 'leakscan help triage')");
		return LS_EXIT_ERROR;
	}
	if (!status || ls_cli_triage(NULL, NULL, status, NULL) < 0) {
		ls_cli_error("triage: --status wants false-positive, revoked, accepted or open");
		return LS_EXIT_ERROR;
	}
	ls_store *store = NULL;
	if (open_store(&store, dir, "triage") < 0)
		return LS_EXIT_ERROR;
	/* PATH:RULE-ID:HASH16 as scans print it: the datastore's RULE-ID:HASH16 is its tail */
	const char *fp = ls_fingerprint_secret_part(argv[optind]);
	int err = ls_cli_triage(store, fp, status, note);
	if (err < 0)
		ls_cli_error("%s", ls_error_last());
	else
		printf("%s: %s%s%s\n", fp, !strcmp(status, "open") ? "open again (decision cleared)" : status,
		       note && strcmp(status, "open") ? ": " : "", note && strcmp(status, "open") ? note : "");
	ls_store_close(store);
	return err < 0 ? LS_EXIT_ERROR : 0;
}

/* ---- datastore merge ---- */

int cmd_datastore(int argc, char **argv)
{
	const char *usage = "usage: leakscan datastore merge OUT SRC...\n\n"
	                    "Merges the datastores in directories SRC (e.g. the shards of 'repos --shard K/N') into\n"
	                    "OUT, created if missing. Each SRC is merged in one transaction; repositories present in\n"
	                    "several take the last SRC's state, triage statuses the latest decision. Secrets (and\n"
	                    "anything derived from them) stay out of OUT if OUT or a SRC keeps none; a new OUT\n"
	                    "keeps none if a SRC keeps none.\n"
	                    "\n"
	                    "Exit status: 0 merged, 2 error (the SRC that failed is named; those before it are in).\n"
	                    "\n"
	                    "Example: leakscan datastore merge all/ shard1/ shard2/\n";
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc < 4 || strcmp(argv[1], "merge")) {
		ls_cli_error("datastore: expected 'merge OUT SRC...' (see 'leakscan help datastore')");
		return LS_EXIT_ERROR;
	}
	/* a new OUT takes the strictest setting of its sources: if one keeps no secrets, OUT
	 * keeps none (nor do its later runs) */
	char *db = ls_xasprintf("%s/datastore.db", argv[2]);
	int fresh = access(db, F_OK) < 0, secrets = 1;
	free(db);
	for (int i = 3; fresh && i < argc; i++) {
		ls_store *src = NULL;
		if (ls_store_open_readonly(&src, argv[i]) < 0) {
			ls_cli_error("%s", ls_error_last());
			return LS_EXIT_ERROR;
		}
		secrets = secrets && ls_store_secrets_stored(src);
		ls_store_close(src);
	}
	ls_store *out = NULL;
	if (ls_store_open(&out, argv[2], 1) < 0) {
		ls_cli_error("%s", ls_error_last());
		return LS_EXIT_ERROR;
	}
	int rc = 0;
	if (!secrets && ls_store_set_store_secrets(out, 0) < 0) {
		ls_cli_error("%s", ls_error_last());
		rc = LS_EXIT_ERROR;
	}
	for (int i = 3; !rc && i < argc; i++) {
		if (ls_store_merge(out, argv[i]) < 0) {
			ls_cli_error("%s", ls_error_last());
			rc = LS_EXIT_ERROR;
			break;
		}
	}
	/* what a no-secrets OUT held before (written by an older leakscan) is scrubbed too */
	if (!rc && !ls_store_secrets_stored(out) && ls_store_set_store_secrets(out, 0) < 0) {
		ls_cli_error("%s", ls_error_last());
		rc = LS_EXIT_ERROR;
	}
	ls_store_close(out);
	return rc;
}
