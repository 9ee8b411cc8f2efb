#include "search.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define LINE_CONTEXT 256 /* bytes kept on each side of a secret in line_text */

void ls_finding_dispose(ls_finding *f)
{
	free(f->path);
	free(f->secret);
	free(f->match);
	free(f->line_text);
	free(f->prov.commit);
	free(f->prov.author_name);
	free(f->prov.author_email);
	free(f->prov.date);
	free(f->prov.message);
	free(f->prov.blob);
	for (size_t i = 0; i < f->prov.nalso; i++)
		free(f->prov.also[i]);
	free(f->prov.also);
	memset(f, 0, sizeof(*f));
}

void ls_findings_dispose(ls_findings *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		ls_finding_dispose(&fs->items[i]);
	free(fs->items);
	fs->items = NULL;
	fs->n = fs->cap = 0;
}

void ls_findings_push(ls_findings *fs, ls_finding *f)
{
	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 8;
		fs->items = ls_xrealloc(fs->items, fs->cap * sizeof(ls_finding));
	}
	fs->items[fs->n++] = *f;
	memset(f, 0, sizeof(*f));
}

void ls_finding_fingerprint(ls_finding *f)
{
	const char *p = f->path ? f->path : "";
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	snprintf(f->fingerprint, sizeof(f->fingerprint), "%.100s:%s:%.16s", p, f->rule->id, f->secret_hash);
}

/* Case-insensitive search for a lowercase needle. */
static int contains_ci(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	if (k == 0 || k > n)
		return k == 0;
	for (size_t i = 0; i + k <= n; i++) {
		size_t j = 0;
		while (j < k && tolower((unsigned char)hay[i + j]) == needle[j])
			j++;
		if (j == k)
			return 1;
	}
	return 0;
}

int ls_search_is_placeholder(const char *s, size_t len)
{
	static const char *markers[] = {"${", "{{", "}}", "%(", "$(", "xxxx", "****", "....",
	                                "changeme", "change_me", "change-me", "your_", "your-",
	                                "yourkey", "yoursecret", "yourpassword", "placeholder",
	                                "process.env", "os.environ", "getenv", "redacted",
	                                "example", "dummy", "replace_me", "replaceme", "insert_",
	                                "<", NULL};
	if (len == 0)
		return 1;
	if (s[0] == '$' && len > 1 && (isalpha((unsigned char)s[1]) || s[1] == '_'))
		return 1;
	for (int i = 0; markers[i]; i++) {
		if (contains_ci(s, len, markers[i])) {
			if (markers[i][0] != '<')
				return 1;
			if (memchr(s, '>', len))
				return 1;
		}
	}
	/* one character repeated over most of the value */
	size_t counts[256] = {0}, best = 0;
	for (size_t i = 0; i < len; i++)
		if (++counts[(unsigned char)s[i]] > best)
			best = counts[(unsigned char)s[i]];
	return len >= 8 && best * 10 >= len * 8;
}

/* Inline markers on the line: leakscan:allow [ID[,ID]], gitleaks:allow, pragma: allowlist secret. */
static int inline_allowed(const char *line, size_t n, const char *rule_id)
{
	if (contains_ci(line, n, "gitleaks:allow") || contains_ci(line, n, "pragma: allowlist secret"))
		return 1;
	const char *tag = "leakscan:allow";
	size_t tl = strlen(tag);
	for (size_t i = 0; i + tl <= n; i++) {
		if (memcmp(line + i, tag, tl))
			continue;
		size_t j = i + tl;
		while (j < n && line[j] == ' ')
			j++;
		if (j >= n || !islower((unsigned char)line[j]))
			return 1; /* bare marker: every rule */
		/* a comma-separated list of rule ids */
		while (j < n) {
			size_t k = j;
			while (k < n && (islower((unsigned char)line[k]) || isdigit((unsigned char)line[k]) || line[k] == '-'))
				k++;
			if (k - j == strlen(rule_id) && !memcmp(line + j, rule_id, k - j))
				return 1;
			if (k < n && line[k] == ',')
				j = k + 1;
			else
				break;
		}
	}
	return 0;
}

typedef struct {
	ls_match *items;
	size_t n, cap;
} matchvec;

static int collect(const ls_match *m, void *payload)
{
	matchvec *v = payload;
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 16;
		v->items = ls_xrealloc(v->items, v->cap * sizeof(ls_match));
	}
	v->items[v->n++] = *m;
	return 0;
}

static int cmp_match(const void *a, const void *b)
{
	const ls_match *x = a, *y = b;
	if (x->sec_start != y->sec_start)
		return x->sec_start < y->sec_start ? -1 : 1;
	return strcmp(x->rule->id, y->rule->id);
}

static size_t count_chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/* Line bookkeeping: walks forward through the buffer as offsets increase. */
typedef struct {
	const char *buf;
	size_t len;
	size_t pos;        /* offset up to which newlines were counted */
	size_t line;       /* 1-based line of pos */
	size_t line_start; /* offset where that line starts */
} cursor;

static void cursor_advance(cursor *c, size_t off)
{
	while (c->pos < off) {
		const char *nl = memchr(c->buf + c->pos, '\n', off - c->pos);
		if (!nl) {
			c->pos = off;
			break;
		}
		c->line++;
		c->pos = (size_t)(nl - c->buf) + 1;
		c->line_start = c->pos;
	}
}

int ls_search_buffer(const ls_matcher *m, ls_scratch *s, const ls_search_options *opts,
                     const char *buf, size_t len, const char *path, ls_findings *out)
{
	matchvec v = {0};
	ls_search_options defaults = LS_SEARCH_OPTIONS_INIT;
	if (!opts)
		opts = &defaults;
	int err = ls_matcher_scan(m, s, buf, len, collect, &v);
	if (err < 0) {
		free(v.items);
		return err;
	}
	if (v.n)
		qsort(v.items, v.n, sizeof(ls_match), cmp_match);
	cursor cur = {buf, len, 0, 1, 0};
	for (size_t i = 0; i < v.n; i++) {
		const ls_match *mt = &v.items[i];
		const ls_rule *r = mt->rule;
		const char *sec = buf + mt->sec_start;
		size_t slen = mt->sec_end - mt->sec_start;
		cursor_advance(&cur, mt->sec_start);
		size_t ls = cur.line_start;
		const char *eol = memchr(buf + mt->sec_start, '\n', len - mt->sec_start);
		size_t le = eol ? (size_t)(eol - buf) : len;
		/* the window of the line we look at and keep */
		size_t ws = mt->sec_start - ls > LINE_CONTEXT ? mt->sec_start - LINE_CONTEXT : ls;
		size_t we = le - mt->sec_start > LINE_CONTEXT + slen ? mt->sec_start + slen + LINE_CONTEXT : le;
		if (mt->start < ws)
			ws = mt->start >= ls ? mt->start : ls;

		if (r->keywords.n) {
			int hit = 0;
			for (size_t k = 0; k < r->keywords.n && !hit; k++)
				hit = contains_ci(buf + mt->start, mt->end - mt->start, r->keywords.items[k]) ||
				      contains_ci(buf + ws, we - ws, r->keywords.items[k]);
			if (!hit)
				continue;
		}
		double ent = ls_entropy(sec, slen);
		if (r->min_entropy > 0 && ent < r->min_entropy)
			continue;
		if (ls_rule_allows(r, sec, slen))
			continue;
		if (r->validate_fn && !r->validate_fn(sec, slen))
			continue;
		if (ls_search_is_placeholder(sec, slen))
			continue;
		if (opts->inline_allow && inline_allowed(buf + ws, we - ws, r->id))
			continue;

		ls_finding f;
		memset(&f, 0, sizeof(f));
		f.rule = r;
		f.severity = r->severity;
		f.path = ls_xstrdup(path);
		f.offset = mt->sec_start;
		f.line = cur.line;
		f.column = count_chars(buf + ls, mt->sec_start - ls) + 1;
		/* end position: the secret's last character */
		size_t last = mt->sec_end > mt->sec_start ? mt->sec_end - 1 : mt->sec_start;
		cursor endc = cur;
		cursor_advance(&endc, last);
		f.end_line = endc.line;
		f.end_column = count_chars(buf + endc.line_start, last - endc.line_start) + 1;
		f.secret = ls_xstrndup(sec, slen);
		f.secret_len = slen;
		f.match = ls_xstrndup(buf + mt->start, mt->end - mt->start);
		f.match_len = mt->end - mt->start;
		f.line_text = ls_xstrndup(buf + ws, we - ws);
		f.line_secret_off = mt->sec_start - ws;
		f.line_secret_len = we - mt->sec_start < slen ? we - mt->sec_start : slen;
		f.entropy = ent;
		ls_sha256_hex(f.secret_hash, sec, slen);
		ls_finding_fingerprint(&f);
		if (r->validate && !strcmp(r->validate, "aws-access-key-id")) {
			if (ls_validate_aws_account(f.aws_account, sec, slen) < 0)
				f.aws_account[0] = '\0';
		}
		if (opts->allow && opts->allow(&f, opts->allow_payload)) {
			ls_finding_dispose(&f);
			continue;
		}
		ls_findings_push(out, &f);
	}
	free(v.items);
	return 0;
}
