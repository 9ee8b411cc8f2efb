/*
 * report: the HTML page. One self-contained file: the page's CSS and script inline, allowed
 * by their hashes in a Content-Security-Policy that forbids everything else (no network), and
 * the data as a JSON block the script draws the summary and the table from. Secrets are
 * grouped as a datastore report groups them (one entry per rule and secret), redacted unless
 * asked otherwise.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_internal.h"

typedef struct {
	char *repo, *commit, *path, *author, *date;
	size_t line;
	int tip;
} hloc;

typedef struct {
	char fp[160];
	const ls_rule *rule;
	ls_severity severity;
	ls_confidence confidence;
	char *secret;   /* as shown: redacted or not */
	char *status, *note;
	ls_verification v;
	hloc *locs;
	size_t nlocs, lcap;
} hsecret;

struct ls_report_html {
	int redact;
	char *title;
	hsecret *v;
	size_t n, cap;
	size_t *index; /* open addressing on the fingerprint: entry + 1, 0 empty */
	size_t icap;
	ls_buf runs;   /* JSON objects, comma-separated */
	char *csrf;
	int serve, readonly;
};

ls_report_html *ls_report_html_new(int redact, const char *title)
{
	ls_report_html *h = ls_xcalloc(1, sizeof(*h));
	h->redact = redact;
	h->title = ls_xstrdup(title ? title : "leakscan report");
	return h;
}

void ls_report_html_free(ls_report_html *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++) {
		hsecret *s = &h->v[i];
		free(s->secret), free(s->status), free(s->note);
		ls_verification_dispose(&s->v);
		for (size_t k = 0; k < s->nlocs; k++)
			free(s->locs[k].repo), free(s->locs[k].commit), free(s->locs[k].path), free(s->locs[k].author),
			    free(s->locs[k].date);
		free(s->locs);
	}
	free(h->v);
	free(h->index);
	ls_buf_dispose(&h->runs);
	free(h->title);
	free(h->csrf);
	free(h);
}

static size_t fp_hash(const char *s)
{
	size_t x = 1469598103934665603ull;
	for (; *s; s++)
		x = (x ^ (unsigned char)*s) * 1099511628211ull;
	return x;
}

/* The entry of fingerprint `fp` (RULE-ID:HASH16), made when absent. */
static hsecret *entry(ls_report_html *h, const char *fp, int *made)
{
	if ((h->n + 1) * 2 > h->icap) {
		free(h->index);
		h->icap = h->icap ? h->icap * 2 : 256;
		h->index = ls_xcalloc(h->icap, sizeof(size_t));
		for (size_t i = 0; i < h->n; i++) {
			size_t k = fp_hash(h->v[i].fp) & (h->icap - 1);
			while (h->index[k])
				k = (k + 1) & (h->icap - 1);
			h->index[k] = i + 1;
		}
	}
	size_t k = fp_hash(fp) & (h->icap - 1);
	while (h->index[k]) {
		if (!strcmp(h->v[h->index[k] - 1].fp, fp)) {
			*made = 0;
			return &h->v[h->index[k] - 1];
		}
		k = (k + 1) & (h->icap - 1);
	}
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->v = ls_xrealloc(h->v, h->cap * sizeof(*h->v));
	}
	hsecret *s = &h->v[h->n];
	memset(s, 0, sizeof(*s));
	snprintf(s->fp, sizeof(s->fp), "%s", fp);
	h->index[k] = ++h->n;
	*made = 1;
	return s;
}

static char *dup_or_null(const char *s) { return s ? ls_xstrdup(s) : NULL; }

static void add_loc(hsecret *s, const char *repo, const char *commit, const char *path, size_t line,
                    const char *author, const char *date, int tip)
{
	if (s->nlocs == s->lcap) {
		s->lcap = s->lcap ? s->lcap * 2 : 4;
		s->locs = ls_xrealloc(s->locs, s->lcap * sizeof(*s->locs));
	}
	hloc *l = &s->locs[s->nlocs++];
	l->repo = ls_xstrdup(repo ? repo : "");
	l->commit = dup_or_null(commit);
	l->path = ls_xstrdup(path ? path : "");
	l->line = line;
	l->author = dup_or_null(author);
	l->date = dup_or_null(date);
	l->tip = tip;
}

void ls_report_html_add(ls_report_html *h, const ls_finding *f, const char *status, const char *note,
                        const ls_report_location *locs, size_t nlocs)
{
	int made;
	hsecret *s = entry(h, ls_fingerprint_secret_part(f->fingerprint), &made);
	if (made) {
		ls_buf b = LS_BUF_INIT;
		if (h->redact)
			ls_report_redact(&b, f->secret, f->secret_len);
		else
			ls_buf_put(&b, f->secret, f->secret_len);
		s->secret = ls_buf_detach(&b);
		if (!s->secret)
			s->secret = ls_xstrdup("");
		s->rule = f->rule;
		s->severity = f->severity;
		s->confidence = f->confidence;
		s->status = dup_or_null(status);
		s->note = dup_or_null(note);
		ls_verification_copy(&s->v, &f->verification);
	}
	if (locs) {
		for (size_t i = 0; i < nlocs; i++)
			add_loc(s, locs[i].repo, locs[i].commit, locs[i].path, locs[i].line, locs[i].author, locs[i].date,
			        locs[i].tip);
	} else {
		add_loc(s, f->prov.repo, f->prov.commit, f->path, f->line, f->prov.author_name, f->prov.date, -1);
	}
}

void ls_report_html_run(ls_report_html *h, long long id, const char *started, long long new_secrets)
{
	ls_buf_printf(&h->runs, "%s{\"id\":%lld,\"started\":", h->runs.len ? "," : "", id);
	ls_buf_put_json_str(&h->runs, started ? started : "", started ? strlen(started) : 0);
	ls_buf_printf(&h->runs, ",\"new\":%lld}", new_secrets);
}

void ls_report_html_serve(ls_report_html *h, const char *csrf, int readonly)
{
	free(h->csrf);
	h->csrf = ls_xstrdup(csrf ? csrf : "");
	h->serve = 1;
	h->readonly = readonly;
}

static void data_json(const ls_report_html *h, ls_buf *b)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", gmtime_r(&now, &tm));
	ls_buf_puts(b, "{\"title\":");
	ls_buf_put_json_str(b, h->title, strlen(h->title));
	ls_report_put_jstr(b, "generated", when);
	ls_buf_printf(b, ",\"redacted\":%s,\"runs\":[", h->redact ? "true" : "false");
	if (h->runs.len)
		ls_buf_put(b, h->runs.ptr, h->runs.len);
	ls_buf_puts(b, "],\"serve\":");
	if (h->serve) {
		ls_buf_puts(b, "{\"csrf\":");
		ls_buf_put_json_str(b, h->csrf, strlen(h->csrf));
		ls_buf_printf(b, ",\"readonly\":%s}", h->readonly ? "true" : "false");
	} else {
		ls_buf_puts(b, "null");
	}
	ls_buf_puts(b, ",\"secrets\":[");
	for (size_t i = 0; i < h->n; i++) {
		const hsecret *s = &h->v[i];
		ls_buf_puts(b, i ? ",\n{\"fp\":" : "\n{\"fp\":");
		ls_buf_put_json_str(b, s->fp, strlen(s->fp));
		ls_report_put_jstr(b, "rule", s->rule->id);
		ls_report_put_jstr(b, "name", s->rule->name);
		ls_report_put_jstr(b, "sev", ls_severity_name(s->severity));
		ls_report_put_jstr(b, "conf", ls_confidence_name(s->confidence));
		ls_report_put_jstr(b, "status", s->status);
		ls_report_put_jstr(b, "note", s->note);
		ls_report_put_jstr(b, "secret", s->secret);
		if (s->v.status == LS_VERIFY_NONE)
			ls_buf_puts(b, ",\"v\":null");
		else
			ls_report_put_verification(b, "v", &s->v);
		ls_buf_puts(b, ",\"locs\":[");
		for (size_t k = 0; k < s->nlocs; k++) {
			const hloc *l = &s->locs[k];
			ls_buf_puts(b, k ? ",{\"repo\":" : "{\"repo\":");
			ls_buf_put_json_str(b, l->repo, strlen(l->repo));
			ls_report_put_jstr(b, "commit", l->commit);
			ls_report_put_jstr(b, "path", l->path);
			ls_buf_printf(b, ",\"line\":%zu", l->line);
			ls_report_put_jstr(b, "author", l->author);
			ls_report_put_jstr(b, "date", l->date);
			ls_buf_printf(b, ",\"tip\":%s}", l->tip < 0 ? "null" : l->tip ? "true" : "false");
		}
		ls_buf_puts(b, "]}");
	}
	ls_buf_puts(b, "]}");
}

/* JSON inside <script>: no '<' or '>' can end the block or open a comment. */
static void put_script_safe(ls_buf *out, const ls_buf *json)
{
	for (size_t i = 0; i < json->len; i++) {
		char c = json->ptr[i];
		if (c == '<')
			ls_buf_puts(out, "\\u003c");
		else if (c == '>')
			ls_buf_puts(out, "\\u003e");
		else if (c == '&')
			ls_buf_puts(out, "\\u0026");
		else
			ls_buf_putc(out, c);
	}
}

static void csp_hash(ls_buf *b, const char *text)
{
	unsigned char d[32];
	ls_sha256(d, text, strlen(text));
	ls_buf_puts(b, "'sha256-");
	ls_base64_encode(b, d, sizeof(d));
	ls_buf_putc(b, '\'');
}

static void html_escape(ls_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			ls_buf_puts(b, "&lt;");
		else if (*s == '>')
			ls_buf_puts(b, "&gt;");
		else if (*s == '&')
			ls_buf_puts(b, "&amp;");
		else if (*s == '"')
			ls_buf_puts(b, "&quot;");
		else
			ls_buf_putc(b, *s);
	}
}

void ls_report_html_write(ls_report_html *h, FILE *fp)
{
	ls_buf out = LS_BUF_INIT, json = LS_BUF_INIT;
	data_json(h, &json);
	for (const char *p = ls_report_page_html; *p;) {
		const char *at = strchr(p, '@');
		if (!at) {
			ls_buf_puts(&out, p);
			break;
		}
		ls_buf_put(&out, p, (size_t)(at - p));
		if (!strncmp(at, "@CSP@", 5)) {
			/* nothing runs, loads or connects but the page's own script and style (and, when
			 * served, its triage requests to the same origin) */
			ls_buf_puts(&out, "default-src 'none'; script-src ");
			csp_hash(&out, ls_report_page_js);
			ls_buf_puts(&out, "; style-src ");
			csp_hash(&out, ls_report_page_css);
			ls_buf_puts(&out, "; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'");
			p = at + 5;
		} else if (!strncmp(at, "@TITLE@", 7)) {
			html_escape(&out, h->title);
			p = at + 7;
		} else if (!strncmp(at, "@CSS@", 5)) {
			ls_buf_puts(&out, ls_report_page_css);
			p = at + 5;
		} else if (!strncmp(at, "@JS@", 4)) {
			ls_buf_puts(&out, ls_report_page_js);
			p = at + 4;
		} else if (!strncmp(at, "@DATA@", 6)) {
			put_script_safe(&out, &json);
			p = at + 6;
		} else {
			ls_buf_putc(&out, '@');
			p = at + 1;
		}
	}
	if (out.len)
		fwrite(out.ptr, 1, out.len, fp);
	ls_buf_dispose(&out);
	ls_buf_dispose(&json);
}
