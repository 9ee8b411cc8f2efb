#include "report.h"
#include "report_internal.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static const char *format_names[] = {"text", "json", "jsonl", "sarif", "junit", "csv", "html"};

int ls_format_parse(ls_format *out, const char *name)
{
	for (int i = 0; i < (int)(sizeof(format_names) / sizeof(*format_names)); i++) {
		if (!strcmp(name, format_names[i])) {
			*out = (ls_format)i;
			return 0;
		}
	}
	return LS_EINVAL;
}

const char *ls_format_name(ls_format f) { return format_names[f]; }

struct ls_report {
	FILE *fp;
	ls_report_options o;
	size_t count;
	ls_buf body;            /* SARIF results / JUnit test cases kept until the end */
	struct sarif_run {      /* SARIF: results by repository (report), each group a run */
		char *repo;
		ls_buf body;
		size_t n;
	} *runs;
	size_t nruns;
	const ls_rule **rules;  /* SARIF: rules referenced, in first-use order */
	size_t nrules;
	size_t sev_count[4];
	ls_report_html *html;   /* HTML: the distinct secrets, written at the end */
};

int ls_report_new(ls_report **out, FILE *fp, const ls_report_options *opts)
{
	ls_report *r = ls_xcalloc(1, sizeof(*r));
	r->fp = fp;
	r->o = *opts;
	if (!r->o.tool_version)
		r->o.tool_version = "0";
	if (r->o.format == LS_FMT_HTML)
		r->html = ls_report_html_new(r->o.redact, r->o.title);
	if (r->o.format == LS_FMT_JSON)
		fputs("[", fp);
	else if (r->o.format == LS_FMT_CSV)
		fputs("rule_id,rule_name,severity,path,line,column,end_line,end_column,secret,fingerprint,commit,blob,"
		      "pair_rule_id,pair_secret,message,verification,verification_identity,confidence\r\n",
		      fp);
	*out = r;
	return 0;
}

void ls_report_free(ls_report *r)
{
	if (!r)
		return;
	ls_buf_dispose(&r->body);
	for (size_t i = 0; i < r->nruns; i++) {
		free(r->runs[i].repo);
		ls_buf_dispose(&r->runs[i].body);
	}
	free(r->runs);
	free(r->rules);
	ls_report_html_free(r->html);
	free(r);
}

int ls_report_is_ours(const char *data, size_t len)
{
	static const char *const heads[] = {
	    "[\n  {\"rule_id\":", "{\"rule_id\":",
	    "{\n  \"$schema\": \"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json\",\n"
	    "  \"version\": \"2.1.0\",\n  \"runs\": [{\n  \"tool\": {\"driver\": {\"name\": \"leakscan\"",
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"leakscan\"",
	    "rule_id,rule_name,severity,path,line,column,end_line,end_column,secret,fingerprint,",
	    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta name=\"generator\" content=\"leakscan\">"};
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		if (len >= strlen(heads[i]) && !memcmp(data, heads[i], strlen(heads[i])))
			return 1;
	return 0;
}

void ls_report_redact(ls_buf *out, const char *secret, size_t len)
{
	if (len >= 16)
		ls_buf_put(out, secret, 4);
	ls_buf_puts(out, "********");
}

/* The secret as shown: itself, or redacted. */
static void put_secret(const ls_report *r, ls_buf *b, const char *s, size_t len)
{
	if (r->o.redact)
		ls_report_redact(b, s, len);
	else
		ls_buf_put(b, s, len);
}

void ls_report_mask(ls_buf *b, const char *text, size_t tlen, const char *secret, size_t slen)
{
	size_t i = 0;
	while (i < tlen) {
		const char *hit = slen && tlen - i >= slen ? memmem(text + i, tlen - i, secret, slen) : NULL;
		if (!hit) {
			ls_buf_put(b, text + i, tlen - i);
			break;
		}
		ls_buf_put(b, text + i, (size_t)(hit - (text + i)));
		ls_report_redact(b, secret, slen);
		i = (size_t)(hit - text) + slen;
	}
}

/* `text` with every occurrence of the secret (and of a paired secret) redacted when redaction is on. */
static void put_masked(const ls_report *r, ls_buf *b, const char *text, size_t tlen, const ls_finding *f)
{
	if (!r->o.redact) {
		ls_buf_put(b, text, tlen);
		return;
	}
	if (!f->pair_secret || !f->pair_secret_len) {
		ls_report_mask(b, text, tlen, f->secret, f->secret_len);
		return;
	}
	ls_buf tmp = LS_BUF_INIT;
	ls_report_mask(&tmp, text, tlen, f->pair_secret, f->pair_secret_len);
	ls_report_mask(b, tmp.ptr ? tmp.ptr : "", tmp.len, f->secret, f->secret_len);
	ls_buf_dispose(&tmp);
}

static void put_json_masked(const ls_report *r, ls_buf *b, const char *text, size_t tlen, const ls_finding *f)
{
	ls_buf tmp = LS_BUF_INIT;
	put_masked(r, &tmp, text, tlen, f);
	ls_buf_put_json_str(b, tmp.ptr ? tmp.ptr : "", tmp.len);
	ls_buf_dispose(&tmp);
}

void ls_report_put_jstr(ls_buf *b, const char *key, const char *val)
{
	ls_buf_printf(b, ",\"%s\":", key);
	if (val)
		ls_buf_put_json_str(b, val, strlen(val));
	else
		ls_buf_puts(b, "null");
}

void ls_report_put_verification(ls_buf *b, const char *key, const ls_verification *v)
{
	if (v->status == LS_VERIFY_NONE)
		return;
	ls_buf_printf(b, ",\"%s\":{\"status\":", key);
	const char *st = ls_verify_status_name(v->status);
	ls_buf_put_json_str(b, st, strlen(st));
	ls_report_put_jstr(b, "identity", v->identity);
	ls_report_put_jstr(b, "account", v->account);
	ls_report_put_jstr(b, "detail", v->detail);
	ls_buf_puts(b, ",\"checked_at\":");
	if (v->checked_at) {
		char when[32];
		time_t t = (time_t)v->checked_at;
		struct tm tm;
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
		ls_buf_put_json_str(b, when, strlen(when));
	} else {
		ls_buf_puts(b, "null");
	}
	ls_buf_putc(b, '}');
}

void ls_report_verification_text(ls_buf *b, const ls_verification *v, int color)
{
	int live = v->status == LS_VERIFY_VERIFIED;
	if (live && color)
		ls_buf_puts(b, "\033[1;31m");
	ls_buf_printf(b, "[%s", live ? "LIVE" : ls_verify_status_name(v->status));
	const char *parts[] = {v->identity, v->account, v->detail};
	for (int i = 0, n = 0; i < 3; i++)
		if (parts[i]) {
			ls_buf_puts(b, n++ ? ", " : ": ");
			ls_buf_put_term(b, parts[i], strlen(parts[i]), LS_TERM_C0_SPACE);
		}
	ls_buf_putc(b, ']');
	if (live && color)
		ls_buf_puts(b, "\033[0m");
}

static void json_finding(const ls_report *r, ls_buf *b, const ls_finding *f)
{
	ls_buf_puts(b, "{\"rule_id\":");
	ls_buf_put_json_str(b, f->rule->id, strlen(f->rule->id));
	ls_report_put_jstr(b, "rule_name", f->rule->name);
	ls_report_put_jstr(b, "severity", ls_severity_name(f->severity));
	ls_report_put_jstr(b, "confidence", ls_confidence_name(f->confidence));
	ls_report_put_jstr(b, "path", f->path);
	if (!ls_utf8_valid(f->path, strlen(f->path))) {
		/* "path" shows U+FFFD for bytes that are not UTF-8; the exact name is here */
		ls_buf_puts(b, ",\"path_b64\":\"");
		ls_base64_encode(b, f->path, strlen(f->path));
		ls_buf_putc(b, '"');
	}
	ls_buf_printf(b, ",\"line\":%zu,\"column\":%zu,\"end_line\":%zu,\"end_column\":%zu", f->line,
	              f->column, f->end_line, f->end_column);
	ls_buf_puts(b, ",\"secret\":");
	ls_buf tmp = LS_BUF_INIT;
	put_secret(r, &tmp, f->secret, f->secret_len);
	ls_buf_put_json_str(b, tmp.ptr, tmp.len);
	ls_buf_dispose(&tmp);
	ls_buf_puts(b, ",\"match\":");
	put_json_masked(r, b, f->match, f->match_len, f);
	ls_buf_printf(b, ",\"entropy\":%.3f", f->entropy);
	ls_report_put_jstr(b, "fingerprint", f->fingerprint);
	if (f->aws_account[0])
		ls_report_put_jstr(b, "aws_account", f->aws_account);
	if (f->decoded)
		ls_report_put_jstr(b, "decoded", "base64");
	if (f->pair_rule) {
		ls_buf_puts(b, ",\"pair\":{\"rule_id\":");
		ls_buf_put_json_str(b, f->pair_rule->id, strlen(f->pair_rule->id));
		ls_buf_printf(b, ",\"line\":%zu,\"column\":%zu,\"secret\":", f->pair_line, f->pair_column);
		ls_buf ps = LS_BUF_INIT;
		put_secret(r, &ps, f->pair_secret, f->pair_secret_len);
		ls_buf_put_json_str(b, ps.ptr, ps.len);
		ls_buf_dispose(&ps);
		ls_buf_putc(b, '}');
	}
	ls_report_put_verification(b, "verification", &f->verification);
	if (f->prov.commit || f->prov.blob) {
		ls_report_put_jstr(b, "commit", f->prov.commit);
		ls_report_put_jstr(b, "author_name", f->prov.author_name);
		ls_report_put_jstr(b, "author_email", f->prov.author_email);
		ls_report_put_jstr(b, "date", f->prov.date);
		/* the commit message may hold the secret itself (a finding in "<commit message>") */
		ls_buf_puts(b, ",\"message\":");
		if (f->prov.message)
			put_json_masked(r, b, f->prov.message, strlen(f->prov.message), f);
		else
			ls_buf_puts(b, "null");
		ls_report_put_jstr(b, "blob", f->prov.blob);
		if (f->prov.nalso) {
			ls_buf_puts(b, ",\"provenance\":[");
			for (size_t i = 0; i < f->prov.nalso; i++) {
				if (i)
					ls_buf_putc(b, ',');
				ls_buf_put_json_str(b, f->prov.also[i], strlen(f->prov.also[i]));
			}
			ls_buf_putc(b, ']');
		}
	}
	ls_buf_putc(b, '}');
}

static void text_context(const ls_report *r, ls_buf *b, const ls_finding *f);

/*
 * A path as git prints one (core.quotePath): as is, or, when it holds a control character
 * (a newline would forge an output line, an escape sequence would drive the terminal: C0,
 * DEL, C1 as UTF-8 or as a raw byte), a byte that is not UTF-8, a double or a backslash
 * quote, or a space (so that the line still splits at "PATH:LINE:COLUMN:"), in double quotes
 * with C escapes and those bytes in octal.
 */
static void text_path(ls_buf *b, const char *p)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t n = strlen(p);
	/* (labels such as <commit message> are no paths: their spaces stay as they are) */
	if (ls_term_safe(p, n) && !strpbrk(p, "\"\\") && (p[0] == '<' || !strchr(p, ' '))) {
		ls_buf_put(b, p, n);
		return;
	}
	ls_buf_putc(b, '"');
	for (size_t i = 0; i < n;) {
		size_t k = s[i] >= 0x80 ? ls_utf8_len(s + i, n - i) : 1;
		if (k > 1 && ls_term_safe(p + i, k)) {
			ls_buf_put(b, s + i, k);
			i += k;
			continue;
		}
		for (size_t e = i + (k ? k : 1); i < e; i++) {
			switch (s[i]) {
			case '"': ls_buf_puts(b, "\\\""); break;
			case '\\': ls_buf_puts(b, "\\\\"); break;
			case '\n': ls_buf_puts(b, "\\n"); break;
			case '\t': ls_buf_puts(b, "\\t"); break;
			case '\r': ls_buf_puts(b, "\\r"); break;
			default:
				if (s[i] < 0x20 || s[i] >= 0x7f)
					ls_buf_printf(b, "\\%03o", s[i]);
				else
					ls_buf_putc(b, (char)s[i]);
			}
		}
	}
	ls_buf_putc(b, '"');
}

/* The name a secret is assigned to on its line (`AWS_SECRET_ACCESS_KEY` in
 * `AWS_SECRET_ACCESS_KEY="..."`), so that a redacted finding still says what it is: a word
 * right before the secret, past quotes, spaces and an assignment (=, :, =>, :=). */
static size_t key_name(const ls_finding *f, size_t *start)
{
	const char *t = f->line_text;
	size_t i = f->line_secret_off;
	if (!t || i > strlen(t))
		return 0;
	while (i > 0 && strchr(" \t\"'", t[i - 1]))
		i--;
	size_t ops = 0;
	while (i > 0 && ops < 2 && strchr("=:>", t[i - 1]))
		i--, ops++;
	if (!ops)
		return 0;
	while (i > 0 && strchr(" \t\"'", t[i - 1]))
		i--;
	size_t end = i;
	while (i > 0 && end - i < 64 && (isalnum((unsigned char)t[i - 1]) || strchr("_.-", t[i - 1])))
		i--;
	*start = i;
	return end - i;
}

static void text_finding(const ls_report *r, ls_buf *b, const ls_finding *f)
{
	if (f->prov.commit)
		ls_buf_printf(b, "%.12s:", f->prov.commit);
	text_path(b, f->path);
	ls_buf_printf(b, ":%zu:%zu: ", f->line, f->column);
	/* rule ids come from rule files, a scanned repository's config among them */
	ls_buf_put_term(b, f->rule->id, strlen(f->rule->id), LS_TERM_C0_SPACE);
	ls_buf_puts(b, ": ");
	if (r->o.redact) {
		/* the rest of the line may hold other secrets (other rules' findings come later):
		 * print only the masked secret */
		ls_buf tmp = LS_BUF_INIT;
		ls_report_redact(&tmp, f->secret, f->secret_len);
		ls_buf_put_term(b, tmp.ptr, tmp.len, LS_TERM_C0_SPACE);
		ls_buf_dispose(&tmp);
		size_t ks, kl = key_name(f, &ks);
		if (kl) {
			ls_buf_puts(b, "  [in ");
			ls_buf_put_term(b, f->line_text + ks, kl, LS_TERM_C0_SPACE);
			ls_buf_putc(b, ']');
		}
	} else {
		text_context(r, b, f);
	}
	if (f->pair_rule) {
		ls_buf_puts(b, "  [pair: ");
		ls_buf_put_term(b, f->pair_rule->id, strlen(f->pair_rule->id), LS_TERM_C0_SPACE);
		ls_buf_printf(b, " at %zu:%zu]", f->pair_line, f->pair_column);
	}
	if (f->decoded)
		ls_buf_puts(b, "  [decoded from base64]");
	if (f->confidence == LS_CONF_LOW)
		ls_buf_puts(b, "  [low confidence]"); /* shown only with --min-confidence low */
	if (f->verification.status != LS_VERIFY_NONE) {
		ls_buf_puts(b, "  ");
		ls_report_verification_text(b, &f->verification, r->o.color);
	}
	/* what .leakscanignore and triage take, to copy from a terminal or a hook's refusal */
	if (f->fingerprint[0]) {
		ls_buf_puts(b, "  [fingerprint ");
		ls_buf_put_term(b, f->fingerprint, strlen(f->fingerprint), LS_TERM_C0_SPACE);
		ls_buf_putc(b, ']');
	}
	ls_buf_putc(b, '\n');
}

/* The line around the secret, the secret highlighted on a terminal. */
static void text_context(const ls_report *r, ls_buf *b, const ls_finding *f)
{
	const char *t = f->line_text;
	size_t off = f->line_secret_off, sl = f->line_secret_len;
	/* strip leading white space for readability */
	size_t lead = 0;
	while (lead < off && (t[lead] == ' ' || t[lead] == '\t'))
		lead++;
	/* C0 controls read as spaces; DEL, C1 controls and bytes that are not UTF-8 are escaped */
	ls_buf_put_term(b, t + lead, off - lead, LS_TERM_C0_SPACE);
	if (r->o.color)
		ls_buf_puts(b, "\033[1;31m");
	ls_buf tmp = LS_BUF_INIT;
	put_secret(r, &tmp, t + off, sl);
	ls_buf_put_term(b, tmp.ptr, tmp.len, LS_TERM_C0_SPACE);
	ls_buf_dispose(&tmp);
	if (r->o.color)
		ls_buf_puts(b, "\033[0m");
	/* a binary line holds NUL bytes: the text after the secret ends at the first one */
	size_t tl = strlen(t + off + sl);
	ls_buf_put_term(b, t + off + sl, tl, LS_TERM_C0_SPACE);
}

static void csv_field(ls_buf *b, const char *s, size_t n)
{
	ls_buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			ls_buf_putc(b, '"');
		ls_buf_putc(b, s[i]);
	}
	ls_buf_putc(b, '"');
}

static void csv_finding(const ls_report *r, ls_buf *b, const ls_finding *f)
{
	const char *fields[] = {f->rule->id, f->rule->name, ls_severity_name(f->severity), f->path};
	for (int i = 0; i < 4; i++) {
		csv_field(b, fields[i], strlen(fields[i]));
		ls_buf_putc(b, ',');
	}
	ls_buf_printf(b, "%zu,%zu,%zu,%zu,", f->line, f->column, f->end_line, f->end_column);
	ls_buf tmp = LS_BUF_INIT;
	put_secret(r, &tmp, f->secret, f->secret_len);
	csv_field(b, tmp.ptr, tmp.len);
	ls_buf_putc(b, ',');
	csv_field(b, f->fingerprint, strlen(f->fingerprint));
	ls_buf_putc(b, ',');
	csv_field(b, f->prov.commit ? f->prov.commit : "", f->prov.commit ? strlen(f->prov.commit) : 0);
	ls_buf_putc(b, ',');
	csv_field(b, f->prov.blob ? f->prov.blob : "", f->prov.blob ? strlen(f->prov.blob) : 0);
	/* the paired finding (an AWS key id: what a responder deactivates), and the commit's subject */
	ls_buf_putc(b, ',');
	csv_field(b, f->pair_rule ? f->pair_rule->id : "", f->pair_rule ? strlen(f->pair_rule->id) : 0);
	ls_buf_putc(b, ',');
	tmp.len = 0;
	if (f->pair_rule && f->pair_secret)
		put_secret(r, &tmp, f->pair_secret, f->pair_secret_len);
	csv_field(b, tmp.ptr ? tmp.ptr : "", tmp.len);
	ls_buf_putc(b, ',');
	tmp.len = 0;
	if (f->prov.message)
		put_masked(r, &tmp, f->prov.message, strlen(f->prov.message), f);
	csv_field(b, tmp.ptr ? tmp.ptr : "", tmp.len);
	ls_buf_dispose(&tmp);
	const char *vs = ls_verify_status_name(f->verification.status), *vi = f->verification.identity;
	ls_buf_putc(b, ',');
	csv_field(b, vs, strlen(vs));
	ls_buf_putc(b, ',');
	csv_field(b, vi ? vi : "", vi ? strlen(vi) : 0);
	ls_buf_putc(b, ',');
	const char *conf = ls_confidence_name(f->confidence);
	csv_field(b, conf, strlen(conf));
	ls_buf_puts(b, "\r\n");
}

/* SARIF artifact URIs: percent-encode everything outside RFC 3986's unreserved set and '/'. */
static void put_uri(ls_buf *b, const char *path)
{
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (path[0] == '/')
		ls_buf_puts(b, "file://");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~' || *p == '/')
			ls_buf_putc(b, (char)*p);
		else
			ls_buf_printf(b, "%%%02X", *p);
	}
}

static const char *sarif_level(ls_severity s)
{
	return s >= LS_SEV_HIGH ? "error" : s == LS_SEV_MEDIUM ? "warning" : "note";
}

/* A result's level: its severity's, one step down when it is unsure (a generic value in a
 * test, a fixture or documentation), so that a gate on errors fails on what is both bad and
 * likely real. */
static const char *sarif_result_level(const ls_finding *f)
{
	if (f->confidence >= LS_CONF_MEDIUM)
		return sarif_level(f->severity);
	return f->severity >= LS_SEV_HIGH ? "warning" : "note";
}

/* SARIF's rank (0-100, how likely the result is a real problem): from the confidence. */
static int sarif_rank(const ls_finding *f)
{
	static const int rank[] = {30, 60, 90};
	return rank[f->confidence];
}

static const char *security_severity(ls_severity s)
{
	static const char *v[] = {"3.0", "5.0", "8.0", "9.5"};
	return v[s];
}

static void sarif_result(ls_report *r, const ls_finding *f)
{
	size_t idx = 0;
	while (idx < r->nrules && r->rules[idx] != f->rule)
		idx++;
	if (idx == r->nrules) {
		r->rules = ls_xrealloc(r->rules, (r->nrules + 1) * sizeof(*r->rules));
		r->rules[r->nrules++] = f->rule;
	}
	/* one run per repository: findings of a datastore's report name theirs */
	size_t g = 0;
	while (g < r->nruns && !(f->prov.repo ? r->runs[g].repo && !strcmp(r->runs[g].repo, f->prov.repo) : !r->runs[g].repo))
		g++;
	if (g == r->nruns) {
		r->runs = ls_xrealloc(r->runs, (r->nruns + 1) * sizeof(*r->runs));
		memset(&r->runs[g], 0, sizeof(r->runs[g]));
		r->runs[g].repo = f->prov.repo ? ls_xstrdup(f->prov.repo) : NULL;
		r->nruns++;
	}
	ls_buf *b = &r->runs[g].body;
	if (r->runs[g].n++)
		ls_buf_putc(b, ',');
	ls_buf_puts(b, "\n    {\"ruleId\":");
	ls_buf_put_json_str(b, f->rule->id, strlen(f->rule->id));
	ls_buf_printf(b, ",\"ruleIndex\":%zu,\"level\":\"%s\",\"rank\":%d,\"message\":{\"text\":", idx,
	              sarif_result_level(f), sarif_rank(f));
	ls_buf msg = LS_BUF_INIT;
	ls_buf_printf(&msg, "%s found: ", f->rule->name);
	put_secret(r, &msg, f->secret, f->secret_len);
	ls_buf_put_json_str(b, msg.ptr, msg.len);
	ls_buf_dispose(&msg);
	ls_buf_puts(b, "},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"");
	ls_buf uri = LS_BUF_INIT;
	put_uri(&uri, f->path);
	ls_buf_put(b, uri.ptr, uri.len);
	ls_buf_dispose(&uri);
	ls_buf_puts(b, "\"");
	if (f->path[0] != '/')
		ls_buf_puts(b, ",\"uriBaseId\":\"%SRCROOT%\"");
	/* columns count Unicode code points (run.columnKind); endColumn is exclusive */
	ls_buf_printf(b, "},\"region\":{\"startLine\":%zu,\"startColumn\":%zu,\"endLine\":%zu,\"endColumn\":%zu}",
	              f->line, f->column, f->end_line, f->end_column + 1);
	if (!r->o.redact) {
		/* the line may hold other findings' secrets: shown only when not redacting */
		ls_buf_printf(b, ",\"contextRegion\":{\"startLine\":%zu,\"endLine\":%zu,\"snippet\":{\"text\":", f->line, f->line);
		ls_buf_put_json_str(b, f->line_text, strlen(f->line_text));
		ls_buf_puts(b, "}}");
	}
	ls_buf_puts(b, "}}],\"partialFingerprints\":{\"leakscan/v1\":");
	ls_buf_put_json_str(b, f->fingerprint, strlen(f->fingerprint));
	if (!r->o.redact && f->legacy_hash[0]) {
		/* a plain hash of a short password can be brute-forced: only next to the secret itself,
		 * when not redacting (the fingerprint above is keyed, see fpkey.h) */
		ls_buf_puts(b, ",\"secretHash/v1\":");
		ls_buf_put_json_str(b, f->legacy_hash, 64);
	}
	ls_buf_puts(b, "},\"properties\":{\"severity\":");
	const char *sev = ls_severity_name(f->severity);
	ls_buf_put_json_str(b, sev, strlen(sev));
	ls_report_put_jstr(b, "confidence", ls_confidence_name(f->confidence));
	if (f->aws_account[0])
		ls_report_put_jstr(b, "aws_account", f->aws_account);
	if (f->decoded)
		ls_report_put_jstr(b, "decoded", "base64");
	ls_report_put_verification(b, "verification", &f->verification);
	if (f->pair_rule && f->pair_secret) {
		/* the paired finding: for an AWS secret key, the key id a responder deactivates */
		ls_buf tmp = LS_BUF_INIT;
		put_secret(r, &tmp, f->pair_secret, f->pair_secret_len);
		ls_buf_puts(b, ",\"pair\":{\"rule_id\":");
		ls_buf_put_json_str(b, f->pair_rule->id, strlen(f->pair_rule->id));
		ls_buf_printf(b, ",\"line\":%zu,\"column\":%zu,\"secret\":", f->pair_line, f->pair_column);
		ls_buf_put_json_str(b, tmp.ptr, tmp.len);
		ls_buf_putc(b, '}');
		ls_buf_dispose(&tmp);
	}
	if (f->prov.commit)
		ls_report_put_jstr(b, "commit", f->prov.commit);
	if (f->prov.commit) {
		ls_report_put_jstr(b, "author_name", f->prov.author_name);
		ls_report_put_jstr(b, "author_email", f->prov.author_email);
		ls_report_put_jstr(b, "date", f->prov.date);
		if (f->prov.message) {
			ls_buf_puts(b, ",\"message\":");
			put_json_masked(r, b, f->prov.message, strlen(f->prov.message), f);
		}
	}
	if (f->prov.blob)
		ls_report_put_jstr(b, "blob", f->prov.blob);
	ls_buf_puts(b, "}}");
}

/* XML-escapes `s`; in attribute values (attr) white space is written as character
 * references so that parsers do not normalise it away. */
static void xml_escape(ls_buf *b, const char *s, size_t n, int attr)
{
	ls_buf tmp = LS_BUF_INIT;
	/* reuse the JSON escaper's UTF-8 validation: decode its output's \uXXXX is overkill, so
	 * validate per byte here and replace what XML 1.0 cannot carry */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '&': ls_buf_puts(&tmp, "&amp;"); break;
		case '<': ls_buf_puts(&tmp, "&lt;"); break;
		case '>': ls_buf_puts(&tmp, "&gt;"); break;
		case '"': ls_buf_puts(&tmp, "&quot;"); break;
		case '\'': ls_buf_puts(&tmp, "&apos;"); break;
		case '\r': ls_buf_puts(&tmp, "&#13;"); break;
		case '\n': ls_buf_puts(&tmp, attr ? "&#10;" : "\n"); break;
		case '\t': ls_buf_puts(&tmp, attr ? "&#9;" : "\t"); break;
		default:
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				ls_buf_putc(&tmp, '?');
			else if (c >= 0x80) {
				/* copy valid UTF-8 sequences, replace invalid bytes */
				ls_buf j = LS_BUF_INIT;
				size_t k = i + 1;
				while (k < n && k < i + 4 && ((unsigned char)s[k] & 0xc0) == 0x80)
					k++;
				ls_buf_put_json_str(&j, s + i, k - i);
				/* the JSON escaper emits the bytes unchanged when valid, U+FFFD otherwise;
				 * U+FFFE and U+FFFF are valid UTF-8 but not XML characters */
				if (j.len - 2 == 3 && !memcmp(j.ptr + 1, "\xef\xbf", 2) && ((unsigned char)j.ptr[3] & 0xfe) == 0xbe)
					ls_buf_puts(&tmp, "\xef\xbf\xbd");
				else
					ls_buf_put(&tmp, j.ptr + 1, j.len - 2);
				ls_buf_dispose(&j);
				i = k - 1;
			} else
				ls_buf_putc(&tmp, (char)c);
		}
	}
	ls_buf_put(b, tmp.ptr ? tmp.ptr : "", tmp.len);
	ls_buf_dispose(&tmp);
}

static void xml_text(ls_buf *b, const char *s, size_t n) { xml_escape(b, s, n, 0); }
static void xml_attr(ls_buf *b, const char *s, size_t n) { xml_escape(b, s, n, 1); }

static void junit_case(ls_report *r, const ls_finding *f)
{
	ls_buf *b = &r->body;
	ls_buf name = LS_BUF_INIT, detail = LS_BUF_INIT;
	if (f->prov.commit)
		ls_buf_printf(&name, "%.12s:", f->prov.commit);
	ls_buf_printf(&name, "%s:%zu:%zu", f->path, f->line, f->column);
	ls_buf_puts(b, "    <testcase classname=\"leakscan.");
	xml_attr(b, f->rule->id, strlen(f->rule->id));
	ls_buf_puts(b, "\" name=\"");
	xml_attr(b, name.ptr, name.len);
	ls_buf_puts(b, "\" file=\"");
	xml_attr(b, f->path, strlen(f->path));
	ls_buf_printf(b, "\" line=\"%zu\">\n      <failure type=\"", f->line);
	xml_attr(b, f->rule->id, strlen(f->rule->id));
	ls_buf_puts(b, "\" message=\"");
	ls_buf_printf(&detail, "%s (%s severity, %s confidence) at %s", f->rule->name, ls_severity_name(f->severity),
	              ls_confidence_name(f->confidence), name.ptr);
	xml_attr(b, detail.ptr, detail.len);
	ls_buf_puts(b, "\">");
	ls_buf_clear(&detail);
	ls_buf_printf(&detail, "rule: %s\nsecret: ", f->rule->id);
	put_secret(r, &detail, f->secret, f->secret_len);
	ls_buf_printf(&detail, "\nfingerprint: %s\n", f->fingerprint);
	if (f->prov.commit)
		ls_buf_printf(&detail, "commit: %s\n", f->prov.commit);
	if (f->verification.status != LS_VERIFY_NONE)
		ls_buf_printf(&detail, "verification: %s%s%s%s%s\n", ls_verify_status_name(f->verification.status),
		              f->verification.identity ? " " : "", f->verification.identity ? f->verification.identity : "",
		              f->verification.detail ? ": " : "", f->verification.detail ? f->verification.detail : "");
	ls_buf_printf(&detail, "allow it with a `leakscan:allow %s` comment on the line, or add the fingerprint to .leakscanignore\n", f->rule->id);
	xml_text(b, detail.ptr, detail.len);
	ls_buf_puts(b, "</failure>\n    </testcase>\n");
	ls_buf_dispose(&name);
	ls_buf_dispose(&detail);
}

int ls_report_add(ls_report *r, const ls_finding *f)
{
	ls_buf b = LS_BUF_INIT;
	switch (r->o.format) {
	case LS_FMT_TEXT:
		text_finding(r, &b, f);
		break;
	case LS_FMT_JSON:
		ls_buf_puts(&b, r->count ? ",\n  " : "\n  ");
		json_finding(r, &b, f);
		break;
	case LS_FMT_JSONL:
		json_finding(r, &b, f);
		ls_buf_putc(&b, '\n');
		break;
	case LS_FMT_CSV:
		csv_finding(r, &b, f);
		break;
	case LS_FMT_SARIF:
		sarif_result(r, f);
		break;
	case LS_FMT_JUNIT:
		junit_case(r, f);
		break;
	case LS_FMT_HTML:
		ls_report_html_add(r->html, f, NULL, NULL, NULL, 0);
		break;
	}
	r->count++;
	r->sev_count[f->severity]++;
	int err = 0;
	if (b.len && fwrite(b.ptr, 1, b.len, r->fp) != b.len)
		err = LS_EIO;
	ls_buf_dispose(&b);
	return err;
}

int ls_report_add_group(ls_report *r, const ls_finding *f, const ls_report_group *g)
{
	int err = ls_report_add(r, f);
	if (err < 0 || r->o.format != LS_FMT_TEXT)
		return err;
	ls_buf b = LS_BUF_INIT;
	ls_buf_puts(&b, "    first");
	if (f->prov.commit)
		ls_buf_printf(&b, " in %.12s", f->prov.commit);
	if (f->prov.author_name) {
		/* names are the repository's: shown without control characters */
		ls_buf_puts(&b, " by ");
		ls_buf_put_term(&b, f->prov.author_name, strlen(f->prov.author_name), LS_TERM_C0_SPACE);
	}
	if (f->prov.date)
		ls_buf_printf(&b, " on %.10s", f->prov.date);
	ls_buf_printf(&b, "; %zu occurrence%s at %zu path%s; ", g->occurrences, g->occurrences == 1 ? "" : "s", g->paths,
	              g->paths == 1 ? "" : "s");
	if (g->tip > 0) {
		ls_buf_puts(&b, "still at the tip (");
		ls_buf_put_term(&b, g->tip_path ? g->tip_path : "", g->tip_path ? strlen(g->tip_path) : 0, LS_TERM_C0_SPACE);
		ls_buf_puts(&b, ")\n");
	} else {
		ls_buf_puts(&b, g->tip == 0 ? "no longer at the tip\n" : "at the tip: unknown\n");
	}
	if (fwrite(b.ptr, 1, b.len, r->fp) != b.len)
		err = LS_EIO;
	ls_buf_dispose(&b);
	return err;
}

int ls_report_add_secret(ls_report *r, const ls_finding *f, const char *status, const char *note,
                         const ls_report_location *locs, size_t nlocs)
{
	if (r->o.format != LS_FMT_HTML)
		return ls_report_add(r, f);
	ls_report_html_add(r->html, f, status, note, locs, nlocs);
	r->count++;
	r->sev_count[f->severity]++;
	return 0;
}

void ls_report_add_run(ls_report *r, long long id, const char *started, long long new_secrets)
{
	if (r->html)
		ls_report_html_run(r->html, id, started, new_secrets);
}

void ls_report_set_serve(ls_report *r, const char *csrf, int readonly)
{
	if (r->html)
		ls_report_html_serve(r->html, csrf, readonly);
}

/* One run: the tool and every rule referenced (the same list, so rule indexes hold in every
 * run), where URIs resolve, the repository when there is one, then the results. */
static void sarif_run(ls_report *r, ls_buf *b, const struct sarif_run *run)
{
	ls_buf_puts(b, "{\n  \"tool\": {\"driver\": {\"name\": \"leakscan\", \"semanticVersion\": ");
	ls_buf_put_json_str(b, r->o.tool_version, strlen(r->o.tool_version));
	ls_buf_puts(b, ", \"rules\": [");
	for (size_t i = 0; i < r->nrules; i++) {
		const ls_rule *ru = r->rules[i];
		ls_buf_puts(b, i ? ",\n    {\"id\":" : "\n    {\"id\":");
		ls_buf_put_json_str(b, ru->id, strlen(ru->id));
		ls_buf_puts(b, ",\"name\":");
		ls_buf_put_json_str(b, ru->id, strlen(ru->id));
		ls_buf_puts(b, ",\"shortDescription\":{\"text\":");
		ls_buf_put_json_str(b, ru->name, strlen(ru->name));
		ls_buf_puts(b, "},\"fullDescription\":{\"text\":");
		ls_buf_put_json_str(b, ru->description, strlen(ru->description));
		ls_buf_puts(b, "}");
		if (ru->references.n) {
			ls_buf_puts(b, ",\"helpUri\":");
			ls_buf_put_json_str(b, ru->references.items[0], strlen(ru->references.items[0]));
		}
		ls_buf_printf(b, ",\"help\":{\"text\":\"Revoke and rotate the credential, remove it from the code (and history), and load it from a secret store. If it is a false positive, add `leakscan:allow %s` on the line or an allowlist entry in .leakscan.yaml.\"}", ru->id);
		ls_buf_printf(b, ",\"defaultConfiguration\":{\"level\":\"%s\"},\"properties\":{\"tags\":[\"security\",\"secret\"],\"security-severity\":\"%s\",\"precision\":\"high\"}}",
		              sarif_level(ru->severity), security_severity(ru->severity));
	}
	ls_buf_puts(b, "]}},\n  \"columnKind\": \"unicodeCodePoints\",\n");
	char cwd[PATH_MAX];
	if (getcwd(cwd, sizeof(cwd)) && cwd[0] == '/') {
		/* relative artifact URIs resolve against the directory leakscan ran in */
		ls_buf_puts(b, "  \"originalUriBaseIds\": {\"%SRCROOT%\": {\"uri\": \"");
		put_uri(b, cwd);
		ls_buf_puts(b, strcmp(cwd, "/") ? "/\"}},\n" : "\"}},\n");
	}
	if (run && run->repo) {
		ls_buf_puts(b, "  \"versionControlProvenance\": [{\"repositoryUri\": ");
		ls_buf uri = LS_BUF_INIT;
		if (strstr(run->repo, "://"))
			ls_buf_puts(&uri, run->repo);
		else
			put_uri(&uri, run->repo); /* a local path: a file:// URI */
		ls_buf_put_json_str(b, uri.ptr ? uri.ptr : "", uri.len);
		ls_buf_dispose(&uri);
		ls_buf_puts(b, "}],\n");
	}
	ls_buf_puts(b, "  \"results\": [");
	if (run && run->body.len)
		ls_buf_put(b, run->body.ptr, run->body.len);
	ls_buf_puts(b, "\n  ]\n  }");
}

static void sarif_finish(ls_report *r)
{
	ls_buf b = LS_BUF_INIT;
	ls_buf_puts(&b, "{\n  \"$schema\": \"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json\",\n  \"version\": \"2.1.0\",\n"
	                "  \"runs\": [");
	for (size_t i = 0; i < (r->nruns ? r->nruns : 1); i++) {
		if (i)
			ls_buf_puts(&b, ", ");
		sarif_run(r, &b, r->nruns ? &r->runs[i] : NULL);
	}
	ls_buf_puts(&b, "]\n}\n");
	fwrite(b.ptr, 1, b.len, r->fp);
	ls_buf_dispose(&b);
}

static void junit_finish(ls_report *r)
{
	FILE *fp = r->fp;
	size_t tests = r->count ? r->count : 1;
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	            "<testsuites name=\"leakscan\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n"
	            "  <testsuite name=\"leakscan\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n",
	        tests, r->count, tests, r->count);
	if (r->count)
		fwrite(r->body.ptr, 1, r->body.len, fp);
	else
		fputs("    <testcase classname=\"leakscan\" name=\"no secrets found\"/>\n", fp);
	fputs("  </testsuite>\n</testsuites>\n", fp);
}

int ls_report_finish(ls_report *r)
{
	switch (r->o.format) {
	case LS_FMT_JSON:
		fputs(r->count ? "\n]\n" : "]\n", r->fp);
		break;
	case LS_FMT_SARIF:
		sarif_finish(r);
		break;
	case LS_FMT_JUNIT:
		junit_finish(r);
		break;
	case LS_FMT_HTML:
		ls_report_html_write(r->html, r->fp);
		break;
	default:
		break;
	}
	if (fflush(r->fp) != 0 || ferror(r->fp))
		return ls_error_set("cannot write the report: %s", strerror(errno)), LS_EIO;
	return 0;
}
