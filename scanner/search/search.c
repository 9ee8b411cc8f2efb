#include "search.h"
#include "search_internal.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "fpkey.h"

#define LINE_CONTEXT 256 /* bytes kept on each side of a secret in line_text */

static const char *const verify_names[] = {"", "verified", "invalid", "unknown", "error", "skipped"};

const char *ls_verify_status_name(ls_verify_status s)
{
	return (unsigned)s < sizeof(verify_names) / sizeof(*verify_names) ? verify_names[s] : "";
}

int ls_verify_status_parse(ls_verify_status *out, const char *name)
{
	for (size_t i = 1; i < sizeof(verify_names) / sizeof(*verify_names); i++)
		if (!strcmp(name, verify_names[i])) {
			*out = (ls_verify_status)i;
			return 0;
		}
	return LS_EINVAL;
}

void ls_verification_dispose(ls_verification *v)
{
	free(v->identity);
	free(v->account);
	free(v->detail);
	memset(v, 0, sizeof(*v));
}

void ls_verification_copy(ls_verification *dst, const ls_verification *src)
{
	dst->status = src->status;
	dst->identity = src->identity ? ls_xstrdup(src->identity) : NULL;
	dst->account = src->account ? ls_xstrdup(src->account) : NULL;
	dst->detail = src->detail ? ls_xstrdup(src->detail) : NULL;
	dst->checked_at = src->checked_at;
}

void ls_finding_dispose(ls_finding *f)
{
	ls_verification_dispose(&f->verification);
	free(f->path);
	free(f->secret);
	free(f->match);
	free(f->line_text);
	free(f->pair_secret);
	free(f->prov.commit);
	free(f->prov.author_name);
	free(f->prov.author_email);
	free(f->prov.date);
	free(f->prov.message);
	free(f->prov.blob);
	for (size_t i = 0; i < f->prov.nalso; i++)
		free(f->prov.also[i]);
	free(f->prov.also);
	free(f->prov.repo);
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

const char *ls_fingerprint_secret_part(const char *fp)
{
	const char *p = fp + strlen(fp);
	for (int colons = 0; p > fp && colons < 2; p--)
		colons += p[-1] == ':';
	return p > fp ? p + 1 : fp;
}

void ls_finding_fingerprint_at(ls_finding *f, const char *path)
{
	const char *p = path ? path : "";
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	snprintf(f->fingerprint, sizeof(f->fingerprint), "%.100s:%s:%.16s", p, f->rule->id, f->secret_hash);
}

void ls_finding_fingerprint(ls_finding *f) { ls_finding_fingerprint_at(f, f->path); }

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

/*
 * Values published as examples in the specifications and documentation that code quotes
 * most: never anyone's credential, and reported by every naive scanner.
 */
static const char *const doc_examples[] = {
    /* RFC 6749 (OAuth 2.0): access token, refresh token, code, client s6BhdRkqt3's secret */
    "2YotnFZFEjr1zCsicMWpAA", "tGzv3JOkF0XG5Qx2TlKWIA", "SplxlOBeZQQYbYS6WxSbIA", "gX1fBat3bV",
    "czZCaGRSa3F0MzpnWDFmQmF0M2JW", /* base64 of s6BhdRkqt3:gX1fBat3bV */
    "mF_9.B5f-4.1JqM",              /* RFC 6750 (bearer tokens) */
    "45ghiukldjahdnhzdauz",         /* RFC 7009 (token revocation) */
    /* RFC 5849 (OAuth 1.0) */
    "hh5s93j4hdidpola", "hdhd0244k9j7ao03", "nnch734d00sl2jdk", "pfkkdhi9sl3r4s00", "kllo9940pd9333jh",
    "dh893hdasih9", "kd94hf93k423kf44", "j49sk3j29djd", "hdk48Djdsa", "xyz4992k83j47x0b",
    "dpf43f3p2l4k3l03", "hfdp7dh39dks9884", "9djdj82h48djs9d2", "kkk9d7dh3k39sjv7", "0685bd9184jfhq22",
    "ad180jjd733klru7",
    /* jwt.io's sample token ({"sub":"1234567890","name":"John Doe","iat":1516239022}) */
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    NULL};

int ls_search_is_placeholder(const char *s, size_t len)
{
	for (int i = 0; doc_examples[i]; i++)
		if (strlen(doc_examples[i]) == len && !memcmp(doc_examples[i], s, len))
			return 1;
	static const char *markers[] = {"${", "{{", "}}", "%(", "$(",
	                                "changeme", "change_me", "change-me", "your_", "your-",
	                                "yourkey", "yoursecret", "yourpassword", "placeholder",
	                                "process.env", "os.environ", "getenv", "redacted",
	                                "example", "dummy", "replace_me", "replaceme", "insert_",
	                                "<", NULL};
	if (len == 0)
		return 1;
	/* a run of x, * or . standing for the value: most of a short one, a quarter of a long one
	 * (xxXX inside 99 random characters is no mask) */
	size_t run = 0, longest = 0;
	for (size_t i = 0; i < len; i++) {
		int c = s[i] == 'X' ? 'x' : s[i];
		run = i && c == (s[i - 1] == 'X' ? 'x' : s[i - 1]) && (c == 'x' || c == '*' || c == '.') ? run + 1 : 1;
		if ((c == 'x' || c == '*' || c == '.') && run > longest)
			longest = run;
	}
	if (longest >= 4 && (len <= 24 || longest * 4 >= len))
		return 1;
	if (s[0] == '$' && len > 1 && (isalpha((unsigned char)s[1]) || s[1] == '_'))
		return 1;
	if (s[0] == '%' && len > 2 && isupper((unsigned char)s[1]) && isupper((unsigned char)s[2]))
		return 1; /* %PASSWORD, %DB_PASS%: a template's slot */
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

static int id_char(int c) { return isalnum(c) || c == '-' || c == '_' || c == '.'; }

/*
 * Inline markers on the line: gitleaks:allow, pragma: allowlist secret, and
 * `leakscan:allow [ID[,ID...]] [-- REASON]`. A marker with no rule id allows every rule on its
 * line; what follows it is its reason (`leakscan:allow localstack`). A list of rule ids allows
 * those rules only. A first word that is no rule id is read as a reason, with a note when it
 * looks like one (a hyphenated word); a list (a comma, or ` --` after it) that names no rule is
 * kept as written and noted: it allows nothing it does not name.
 */
static int inline_allowed(const ls_matcher *m, const char *line, size_t n, const ls_rule *r, size_t lineno,
                          ls_search_note *note)
{
	if (contains_ci(line, n, "gitleaks:allow") || contains_ci(line, n, "pragma: allowlist secret"))
		return 1;
	const char *tag = "leakscan:allow";
	size_t tl = strlen(tag);
	int allowed = 0;
	for (size_t i = 0; i + tl <= n && !allowed; i++) {
		if (memcmp(line + i, tag, tl))
			continue;
		size_t j = i + tl;
		while (j < n && line[j] == ' ')
			j++;
		size_t k = j;
		while (k < n && id_char((unsigned char)line[k]))
			k++;
		if (k == j)
			return 1; /* bare marker: every rule */
		/* the words of a comma-separated list, and whether it is written as one */
		size_t end = k;
		while (end < n && (id_char((unsigned char)line[end]) || line[end] == ','))
			end++;
		size_t after = end;
		while (after < n && line[after] == ' ')
			after++;
		int listed = memchr(line + j, ',', end - j) || (after + 1 < n && line[after] == '-' && line[after + 1] == '-');
		int known = 0;
		char unknown[128] = "";
		for (size_t w = j; w < end;) {
			size_t e = w;
			while (e < end && line[e] != ',')
				e++;
			char id[128];
			size_t il = e - w < sizeof(id) - 1 ? e - w : sizeof(id) - 1;
			memcpy(id, line + w, il);
			id[il] = '\0';
			if (il && ls_matcher_find_rule(m, id)) {
				known = 1;
				if (!strcmp(id, r->id))
					allowed = 1;
			} else if (il && !unknown[0]) {
				memcpy(unknown, id, il + 1);
			}
			w = e + 1;
		}
		if (!known && !listed) {
			/* a reason, not a rule id */
			if (!note->text && memchr(line + j, '-', k - j)) {
				note->text = ls_xasprintf("'leakscan:allow %s' names no rule: read as a reason, it allows every rule "
				                          "on the line (to allow one: leakscan:allow RULE-ID -- reason)",
				                          unknown);
				note->line = lineno;
			}
			return 1;
		}
		if (unknown[0] && !note->text) {
			note->text = ls_xasprintf("leakscan:allow names '%s', which is no rule id: it allows nothing", unknown);
			note->line = lineno;
		}
	}
	return allowed;
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
	if (off <= c->pos)
		return;
	/* one pass that the compiler vectorizes, not one memchr call per line */
	const unsigned char *p = (const unsigned char *)c->buf + c->pos;
	size_t n = off - c->pos, lines = 0;
	for (size_t i = 0; i < n; i++)
		lines += p[i] == '\n';
	if (lines) {
		c->line += lines;
		c->line_start = (size_t)((const char *)memrchr(p, '\n', n) - c->buf) + 1;
	}
	c->pos = off;
}

static int match_all(const ls_matcher *m, ls_scratch *s, const char *buf, size_t len, matchvec *v,
                     const ls_rule **limit);
static void postprocess(ls_findings *fs);
static void confirm_at(const ls_matcher *m, ls_scratch *s, const ls_search_options *opts, const char *buf,
                       size_t len, const matchvec *v, const ls_origin *pl, int depth, ls_findings *out,
                       const ls_rule **limit, ls_search_note *note);

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Decodes standard base64 (padding optional). Returns 0, or -1 if it is not base64. */
static int b64_decode(ls_buf *out, const char *s, size_t n)
{
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=')
			break;
		const char *p = memchr(B64, s[i], 64);
		if (!p || !s[i])
			return -1;
		acc = (acc << 6) | (uint32_t)(p - B64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			ls_buf_putc(out, (char)((acc >> bits) & 0xff));
		}
	}
	return 0;
}

/* Decoded values worth rescanning are text: no control bytes but tab and newlines. */
static int is_text(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
			return 0;
	}
	return 1;
}

/*
 * A `decode: base64` rule's capture is decoded in place and the match rescanned, so that
 * `DB_PASSWORD: <base64>` in a Kubernetes Secret reads as `DB_PASSWORD: <value>` to every
 * rule. Findings inside are reported at the encoded value's position.
 */
static void rescan_decoded(const ls_matcher *m, ls_scratch *s, const ls_search_options *opts,
                           const ls_finding *outer, const ls_origin *pl, const char *buf,
                           size_t match_start, size_t match_end, int depth, ls_findings *out,
                           const ls_rule **limit, ls_search_note *note)
{
	ls_buf dec = LS_BUF_INIT, text = LS_BUF_INIT;
	if (outer->secret_len % 4 == 0 && b64_decode(&dec, outer->secret, outer->secret_len) == 0 &&
	    dec.len && is_text(dec.ptr, dec.len)) {
		ls_buf_put(&text, buf + match_start, outer->offset - match_start);
		ls_buf_put(&text, dec.ptr, dec.len);
		ls_buf_put(&text, buf + outer->offset + outer->secret_len, match_end - (outer->offset + outer->secret_len));
		ls_findings inner = LS_FINDINGS_INIT;
		matchvec v = {0};
		if (match_all(m, s, text.ptr, text.len, &v, limit) == 0)
			confirm_at(m, s, opts, text.ptr, text.len, &v, pl, depth + 1, &inner, limit, note);
		free(v.items);
		for (size_t i = 0; i < inner.n; i++) {
			ls_finding *f = &inner.items[i];
			f->line = outer->line;
			f->column = outer->column;
			f->end_line = outer->end_line;
			f->end_column = outer->end_column;
			f->offset = outer->offset;
			free(f->line_text);
			/* the line may hold NUL bytes (binary content): copy it up to the secret and
			 * what follows, not up to its first NUL, which the offsets below may pass */
			size_t keep = outer->line_secret_off + outer->line_secret_len;
			keep += strlen(outer->line_text + keep);
			f->line_text = ls_xstrndup(outer->line_text, keep);
			f->line_secret_off = outer->line_secret_off;
			f->line_secret_len = outer->line_secret_len;
			f->decoded = 1;
			ls_findings_push(out, f);
		}
		ls_findings_dispose(&inner);
	}
	ls_buf_dispose(&dec);
	ls_buf_dispose(&text);
}

static int spans_overlap(const ls_finding *a, const ls_finding *b)
{
	return a->offset < b->offset + b->secret_len && b->offset < a->offset + a->secret_len;
}

/* Why a finding is dropped after the cross-rule clean-up (ls_finding.inline_allowed). */
enum { ALLOWED_MARKER = 1, ALLOWED_SPAN = 2, ALLOWED_POLICY = 3 };

/*
 * Cross-rule clean-up of one blob's findings: `pair_with` rules keep only findings near a
 * finding of their partner (which they absorb, naming both), generic rules yield to
 * specific ones on an overlapping secret, and one secret span is reported once.
 */
static void postprocess(ls_findings *fs)
{
	unsigned char *drop = ls_xcalloc(fs->n ? fs->n : 1, 1);
	for (size_t i = 0; i < fs->n; i++) {
		ls_finding *f = &fs->items[i];
		if (!f->rule->pair_with)
			continue;
		size_t within = f->rule->pair_lines >= 0 ? (size_t)f->rule->pair_lines : 5, best = SIZE_MAX;
		for (size_t k = 0; k < fs->n; k++) {
			const ls_finding *p = &fs->items[k];
			if (k == i || strcmp(p->rule->id, f->rule->pair_with) || p->decoded != f->decoded)
				continue;
			size_t dist = p->line > f->line ? p->line - f->line : f->line - p->line;
			if (dist <= within && (best == SIZE_MAX || dist < (fs->items[best].line > f->line ? fs->items[best].line - f->line : f->line - fs->items[best].line)))
				best = k;
		}
		if (best == SIZE_MAX) {
			drop[i] = 1;
			continue;
		}
		const ls_finding *p = &fs->items[best];
		if (f->inline_allowed == ALLOWED_MARKER || p->inline_allowed == ALLOWED_MARKER ||
		    f->inline_allowed == ALLOWED_POLICY) {
			/* a marker on either line allows the pair, and so does the policy allowing the
			 * secret (not the key id alone: a key id is no secret): both spans, whatever rule
			 * names them */
			drop[i] = drop[best] = 1;
			if (f->inline_allowed != ALLOWED_POLICY)
				f->inline_allowed = ALLOWED_SPAN;
			fs->items[best].inline_allowed = ALLOWED_SPAN;
			continue;
		}
		if (p->rule->context)
			continue; /* near its context: kept, naming nothing else */
		f->pair_rule = p->rule;
		f->pair_secret = ls_xstrndup(p->secret, p->secret_len);
		f->pair_secret_len = p->secret_len;
		f->pair_line = p->line;
		f->pair_column = p->column;
		if (!f->aws_account[0])
			memcpy(f->aws_account, p->aws_account, sizeof(f->aws_account));
		drop[best] = 1; /* the pair is one finding */
	}
	for (size_t i = 0; i < fs->n; i++) {
		const ls_finding *a = &fs->items[i];
		drop[i] |= a->inline_allowed != 0;
		for (size_t k = 0; a->inline_allowed >= ALLOWED_SPAN && k < fs->n; k++) {
			const ls_finding *b = &fs->items[k];
			/* (an allowlisted generic rule does not hide a specific rule's secret) */
			if (b->offset == a->offset && b->secret_len == a->secret_len && b->decoded == a->decoded &&
			    !(a->inline_allowed == ALLOWED_POLICY && a->rule->generic && !b->rule->generic))
				drop[k] = 1;
		}
	}
	for (size_t i = 0; i < fs->n; i++) {
		for (size_t k = 0; k < fs->n && !drop[i]; k++) {
			const ls_finding *a = &fs->items[i], *b = &fs->items[k];
			if (k == i || drop[k] || a->rule->context || b->rule->context || !spans_overlap(a, b))
				continue;
			if (a->rule->generic && !a->decoded && b->decoded) {
				drop[i] = 1; /* an encoded value whose decoded secret is reported: once, decoded */
			} else if (a->rule->generic && !b->rule->generic) {
				drop[i] = 1;
			} else if (a->rule->generic == b->rule->generic && a->offset == b->offset &&
			           a->secret_len == b->secret_len) {
				if (a->rule->pair_with && !b->rule->pair_with) {
					/* a rule that knows this secret by its own context reports it, naming the pair */
					ls_finding *keep = &fs->items[k];
					if (!keep->pair_rule && a->pair_rule) {
						keep->pair_rule = a->pair_rule;
						keep->pair_secret = a->pair_secret;
						keep->pair_secret_len = a->pair_secret_len;
						keep->pair_line = a->pair_line;
						keep->pair_column = a->pair_column;
						if (!keep->aws_account[0])
							memcpy(keep->aws_account, a->aws_account, sizeof(keep->aws_account));
						fs->items[i].pair_secret = NULL;
					}
					drop[i] = 1;
				} else if (!b->rule->pair_with == !a->rule->pair_with &&
				           (a->severity < b->severity || (a->severity == b->severity && k < i))) {
					drop[i] = 1;
				}
			}
		}
	}
	size_t w = 0;
	for (size_t i = 0; i < fs->n; i++) {
		if (drop[i] || fs->items[i].rule->context)
			ls_finding_dispose(&fs->items[i]);
		else
			fs->items[w++] = fs->items[i];
	}
	fs->n = w;
	free(drop);
}

int ls_search_buffer(const ls_matcher *m, ls_scratch *s, const ls_search_options *opts,
                     const char *buf, size_t len, ls_origin_kind kind, const char *path, ls_findings *out)
{
	ls_search_options o = opts ? *opts : (ls_search_options)LS_SEARCH_OPTIONS_INIT;
	o.binary = LS_SEARCH_BINARY_TEXT;
	o.skip_path = NULL;
	ls_origin pl = {kind, path, NULL, NULL, 0};
	ls_search_result r;
	int err = ls_search_blob(m, s, &o, buf, len, &pl, 1, &r);
	for (size_t i = 0; i < r.findings.n; i++)
		ls_findings_push(out, &r.findings.items[i]);
	ls_search_result_dispose(&r);
	return err;
}

void ls_search_result_dispose(ls_search_result *r)
{
	ls_findings_dispose(&r->findings);
	free(r->note.text);
	memset(r, 0, sizeof(*r));
}

static size_t utf8_chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

int ls_search_windows(const ls_matcher *m, ls_scratch *s, const ls_search_options *opts, size_t size,
                      ls_search_window_fn read, void *payload, const ls_origin *places, size_t nplaces,
                      ls_search_result *out)
{
	memset(out, 0, sizeof(*out));
	ls_search_options o = opts ? *opts : (ls_search_options)LS_SEARCH_OPTIONS_INIT;
	size_t start = 0, lines_before = 0, chars_before = 0, half = LS_SEARCH_WINDOW_OVERLAP / 2;
	for (;;) {
		size_t want = size - start < LS_SEARCH_WINDOW ? size - start : LS_SEARCH_WINDOW, len;
		const char *buf = read(payload, start, want, &len);
		if (!buf)
			return LS_EIO;
		ls_search_result part;
		int err = ls_search_blob(m, s, &o, buf, len, places, nplaces, &part);
		/* the first window decides binary (and path skips) for the whole input */
		if (start == 0) {
			out->binary = part.binary;
			o.binary = part.binary ? LS_SEARCH_BINARY_SPECIFIC : LS_SEARCH_BINARY_TEXT;
		}
		if (start == 0 && part.skipped) {
			out->skipped = part.skipped;
			ls_search_result_dispose(&part);
			return err;
		}
		if (!out->limit_rule)
			out->limit_rule = part.limit_rule;
		if (!out->note.text && part.note.text) {
			out->note = part.note;
			out->note.line += lines_before;
			part.note.text = NULL;
		}
		free(part.note.text);
		int last = start + len >= size || len < LS_SEARCH_WINDOW;
		size_t lo = start ? start + half : 0, hi = last ? SIZE_MAX : start + len - half;
		for (size_t i = 0; i < part.findings.n; i++) {
			ls_finding *f = &part.findings.items[i];
			size_t at = start + f->offset;
			if (at < lo || at >= hi) {
				ls_finding_dispose(f);
				continue;
			}
			if (f->line == 1)
				f->column += chars_before;
			if (f->end_line == 1)
				f->end_column += chars_before;
			f->line += lines_before;
			f->end_line += lines_before;
			f->offset = at;
			ls_findings_push(&out->findings, f);
		}
		free(part.findings.items);
		if (err < 0 || last)
			return err;
		/* move the line bookkeeping to where the next window starts */
		size_t next = len - LS_SEARCH_WINDOW_OVERLAP;
		const char *p = buf, *line_start = buf, *nl;
		while ((nl = memchr(p, '\n', (size_t)(buf + next - p)))) {
			lines_before++;
			p = line_start = nl + 1;
		}
		chars_before = line_start == buf ? chars_before + utf8_chars(buf, next)
		                                 : utf8_chars(line_start, (size_t)(buf + next - line_start));
		start += next;
	}
}

/* Does `b`, found at a later place, report what `a` (kept from an earlier place) already
 * reports? The same span is one secret whatever rule names it (a rule allowlisted at one path
 * lets another name the span there), and a generic rule yields to a specific one across places
 * as it does within one (postprocess). */
static int same_secret(const ls_finding *a, const ls_finding *b)
{
	if (a->decoded != b->decoded)
		return 0;
	if (a->offset == b->offset && a->secret_len == b->secret_len)
		return 1;
	return b->rule->generic && !a->rule->generic && spans_overlap(a, b);
}

static int cmp_found(const void *a, const void *b)
{
	const ls_finding *x = a, *y = b;
	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	int c = strcmp(x->rule->id, y->rule->id);
	if (c)
		return c;
	return x->place < y->place ? -1 : x->place > y->place;
}

/* Whether a rule's findings are judged by their value and place: a generic rule, and any
 * rule no surer than medium by its shape (URL credentials, Basic credentials). */
static int judged(const ls_rule *r) { return r->generic || r->decode_basic || r->confidence <= LS_CONF_MEDIUM; }

/* Confidence: a judged rule's value held only at example places (tests, fixtures, docs) is
 * low; then what is less sure than asked is dropped. A label (`<commit message>`) is no
 * example. */
static void judge_confidence(const ls_search_options *opts, const ls_origin *places, size_t nplaces,
                             const unsigned char *skip, ls_findings *fs)
{
	int only_examples = 1;
	for (size_t k = 0; k < nplaces && only_examples; k++) {
		if (skip[k])
			continue;
		/* judged below the top of the repository: a checkout under ~/tests/ is no test */
		const char *path = places[k].path;
		int file = places[k].kind == LS_ORIGIN_FILE;
		char *rel = file && opts->relpath ? opts->relpath(path, opts->allow_payload) : NULL;
		if (rel && rel[0] && rel[0] != '/')
			path = rel;
		else if (file && strrchr(path, '/'))
			path = strrchr(path, '/') + 1; /* outside the repository: by its name alone */
		/* a file named below the working directory is judged by that name too (`scan
		 * tests/x.env`, whose own directory is the base) */
		const char *given = places[k].path;
		int below = file && given[0] != '/' && strncmp(given, "../", 3) && strcmp(given, "..");
		only_examples = places[k].kind != LS_ORIGIN_STDIN && (ls_path_is_example(path) || (below && ls_path_is_example(given)));
		free(rel);
	}
	size_t w = 0;
	for (size_t i = 0; i < fs->n; i++) {
		ls_finding *f = &fs->items[i];
		if (f->confidence > LS_CONF_LOW && (f->made_up || (judged(f->rule) && only_examples)))
			f->confidence = LS_CONF_LOW;
		if (f->confidence < opts->min_confidence) {
			ls_finding_dispose(f);
			continue;
		}
		fs->items[w++] = *f;
	}
	fs->n = w;
}

int ls_search_blob(const ls_matcher *m, ls_scratch *s, const ls_search_options *opts, const char *buf, size_t len,
                   const ls_origin *places, size_t nplaces, ls_search_result *out)
{
	memset(out, 0, sizeof(*out));
	ls_search_options defaults = LS_SEARCH_OPTIONS_INIT;
	if (!opts)
		opts = &defaults;
	unsigned char *skip = ls_xcalloc(nplaces ? nplaces : 1, 1);
	size_t live = 0;
	for (size_t k = 0; k < nplaces; k++) {
		skip[k] = places[k].is_path && opts->skip_path && opts->skip_path(places[k].path, opts->allow_payload);
		live += !skip[k];
	}
	matchvec v = {0};
	int err = 0;
	if (!live) {
		out->skipped = LS_SEARCH_SKIPPED_PATH;
		goto done;
	}
	out->binary = opts->binary == LS_SEARCH_BINARY_SPECIFIC ||
	              (opts->binary == LS_SEARCH_BINARY_DETECT && ls_is_binary(buf, len));
	if ((err = match_all(m, s, buf, len, &v, &out->limit_rule)) < 0)
		goto done;
	if (out->binary) {
		size_t w = 0;
		for (size_t i = 0; i < v.n; i++)
			if (!v.items[i].rule->generic)
				v.items[w++] = v.items[i];
		v.n = w;
	}
	if (!v.n)
		goto done;
	/* without allowlists the places differ only in whether they are source code */
	int seen_class[3] = {0, 0, 0}, merged = 0;
	for (size_t k = 0; k < nplaces; k++) {
		if (skip[k])
			continue;
		if (!opts->allow) {
			int cls = places[k].is_path ? ls_path_is_code(places[k].path) != 0 : 2;
			if (seen_class[cls]++)
				continue;
		}
		ls_findings here = LS_FINDINGS_INIT;
		confirm_at(m, s, opts, buf, len, &v, &places[k], 0, &here, &out->limit_rule, &out->note);
		postprocess(&here);
		for (size_t i = 0; i < here.n; i++) {
			ls_finding *f = &here.items[i];
			int dup = 0;
			for (size_t q = 0; q < out->findings.n && !dup; q++)
				dup = same_secret(&out->findings.items[q], f);
			if (dup) {
				ls_finding_dispose(f);
				continue;
			}
			f->place = k;
			merged += out->findings.n > 0 && k > 0;
			ls_findings_push(&out->findings, f);
		}
		free(here.items);
	}
	if (merged)
		qsort(out->findings.items, out->findings.n, sizeof(ls_finding), cmp_found);
	judge_confidence(opts, places, nplaces, skip, &out->findings);
done:
	free(v.items);
	free(skip);
	return err;
}

/* The fields every finding of match `mt` in `buf` has (path and secret copied). */
static void finding_start(ls_finding *f, const ls_rule *r, const ls_origin *pl, const char *buf,
                          const ls_match *mt, size_t line)
{
	memset(f, 0, sizeof(*f));
	f->rule = r;
	f->severity = r->severity;
	f->confidence = r->confidence;
	f->path = ls_xstrdup(pl->path);
	f->prov.commit = pl->commit ? ls_xstrdup(pl->commit) : NULL;
	f->offset = mt->sec_start;
	f->line = line;
	f->secret_len = mt->sec_end - mt->sec_start;
	f->secret = ls_xstrndup(buf + mt->sec_start, f->secret_len);
}

static int match_all(const ls_matcher *m, ls_scratch *s, const char *buf, size_t len, matchvec *v,
                     const ls_rule **limit)
{
	int err = ls_matcher_scan(m, s, buf, len, collect, v);
	if (!*limit)
		*limit = ls_scratch_limit_rule(s);
	if (err < 0)
		return err;
	if (v->n)
		qsort(v->items, v->n, sizeof(ls_match), cmp_match);
	return 0;
}

/* The path-dependent half of a search: the matches of one buffer judged at place `pl`. */
static void confirm_at(const ls_matcher *m, ls_scratch *s, const ls_search_options *opts, const char *buf,
                       size_t len, const matchvec *v, const ls_origin *pl, int depth, ls_findings *out,
                       const ls_rule **limit, ls_search_note *note)
{
	const char *path = pl->path;
	/* context matches only serve postprocess() to pair findings with: without a `pair_with`
	 * match here they are skipped before their line is counted */
	int pairs = 0;
	for (size_t i = 0; i < v->n && !pairs; i++)
		pairs = v->items[i].rule->pair_with != NULL;
	cursor cur = {buf, len, 0, 1, 0};
	int is_code = -1; /* whether `path` is source code: looked up on first need */
	for (size_t i = 0; i < v->n; i++) {
		const ls_match *mt = &v->items[i];
		const ls_rule *r = mt->rule;
		if (r->context && !pairs)
			continue;
		const char *sec = buf + mt->sec_start;
		size_t slen = mt->sec_end - mt->sec_start;
		cursor_advance(&cur, mt->sec_start);
		ls_finding f;
		if (r->context) {
			/* a place for `pair_with` rules to be near; dropped by postprocess */
			finding_start(&f, r, pl, buf, mt, cur.line);
			ls_findings_push(out, &f);
			continue;
		}
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
		if (r->quoted_in_code && !(mt->sec_start > 0 && buf[mt->sec_start - 1] &&
		                           strchr("\"'`", buf[mt->sec_start - 1]))) {
			if (is_code < 0)
				is_code = ls_path_is_code(path);
			if (is_code)
				continue; /* `password = other_variable` in code: not a literal */
		}
		double ent = ls_entropy(sec, slen);
		if (r->min_entropy > 0 && ent < r->min_entropy)
			continue;
		if (ls_rule_allows(r, sec, slen))
			continue;
		/* what the value means, not how it is written: Basic credentials' password, a generic
		 * value's percent, JSON and XML escapes undone, for the placeholder and word checks */
		char jbuf[JUDGE_MAX];
		size_t jl = judged(r) ? search_judged_value(r->decode_basic, sec, slen, jbuf) : 0;
		if (jl && (ls_search_is_placeholder(jbuf, jl) || ls_rule_allows(r, jbuf, jl)))
			continue;
		if (r->allow_match.n) {
			/* from the start of the word the match begins in: `NextToken` when it starts at `Token` */
			size_t ms = mt->start;
			while (ms > ls && (isalnum((unsigned char)buf[ms - 1]) || (buf[ms - 1] && strchr("_.-", buf[ms - 1]))))
				ms--;
			if (ls_rule_allows_match(r, buf + ms, mt->end - ms))
				continue;
		}
		if (r->validate_fn && !r->validate_fn(sec, slen))
			continue;
		if (ls_search_is_placeholder(sec, slen))
			continue;
		/* kept, marked, until postprocess() has paired it: a marker on either line of a pair
		 * allows the pair */
		int marked = opts->inline_allow && inline_allowed(m, buf + ws, we - ws, r, cur.line, note);

		finding_start(&f, r, pl, buf, mt, cur.line);
		if (judged(r))
			f.made_up = (jl ? ls_search_looks_made_up(jbuf, jl) : ls_search_looks_made_up(sec, slen)) ||
			            search_has_template(buf + mt->start, mt->end - mt->start);
		else
			f.made_up = ls_search_looks_fake(sec, slen);
		f.column = count_chars(buf + ls, mt->sec_start - ls) + 1;
		/* end position: the secret's last character */
		size_t last = mt->sec_end > mt->sec_start ? mt->sec_end - 1 : mt->sec_start;
		cursor endc = cur;
		cursor_advance(&endc, last);
		f.end_line = endc.line;
		f.end_column = count_chars(buf + endc.line_start, last - endc.line_start) + 1;
		f.match = ls_xstrndup(buf + mt->start, mt->end - mt->start);
		f.match_len = mt->end - mt->start;
		f.line_text = ls_xstrndup(buf + ws, we - ws);
		f.line_secret_off = mt->sec_start - ws;
		f.line_secret_len = we - mt->sec_start < slen ? we - mt->sec_start : slen;
		f.entropy = ent;
		ls_fpkey_hash_hex(f.secret_hash, sec, slen);
		ls_sha256_hex(f.legacy_hash, sec, slen);
		ls_finding_fingerprint(&f);
		if (pl->kind == LS_ORIGIN_FILE && opts->relpath) {
			char *rel = opts->relpath(f.path, opts->allow_payload);
			if (rel && rel[0] && rel[0] != '/')
				ls_finding_fingerprint_at(&f, rel);
			free(rel);
		}
		if (r->validate && !strcmp(r->validate, "aws-access-key-id")) {
			if (ls_validate_aws_account(f.aws_account, sec, slen) < 0)
				f.aws_account[0] = '\0';
		}
		if (r->decode_base64) {
			if (depth == 0 && !marked)
				rescan_decoded(m, s, opts, &f, pl, buf, mt->start, mt->end, depth, out, limit, note);
			ls_finding_dispose(&f);
			continue;
		}
		/* an allowlist or a baseline allowing this finding allows its secret's span: the same
		 * secret is not reported by another rule instead (postprocess) */
		if (opts->allow && opts->allow(&f, opts->allow_payload))
			marked = ALLOWED_POLICY;
		f.inline_allowed = marked;
		ls_findings_push(out, &f);
	}
}
