/* allow: baselines (a JSON file of accepted findings), read with jansson. */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "allow.h"
#include "common.h"
#include "fpkey.h"

#define PREFIX_LEN (sizeof(LS_FPKEY_HASH_PREFIX) - 1)

static int is_hex(const char *s)
{
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* The hash of a baseline entry taken from a report: the 16 hex digits its fingerprint shows. */
#define REPORT_HASH_PREFIX "hmac-sha256-16:"

struct ls_baseline {
	ls_baseline_entry *items; /* sorted by (rule id, path, hash) */
	size_t n, cap;
	char key_id[17];
};

int ls_baseline_new(ls_baseline **out)
{
	*out = ls_xcalloc(1, sizeof(ls_baseline));
	return 0;
}

void ls_baseline_free(ls_baseline *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++) {
		free(b->items[i].rule_id);
		free(b->items[i].path);
		free(b->items[i].fingerprint);
		free(b->items[i].added);
	}
	free(b->items);
	free(b);
}

static int key_cmp(const ls_baseline_entry *e, const char *rule_id, const char *path, const char *hash)
{
	int c = strcmp(e->rule_id, rule_id);
	if (!c)
		c = strcmp(e->path, path);
	if (!c)
		c = strcmp(e->secret_hash, hash);
	return c;
}

/* Index of the entry, or of where it would go (with *found = 0). */
static size_t bl_search(const ls_baseline *b, const char *rule_id, const char *path, const char *hash, int *found)
{
	size_t lo = 0, hi = b->n;
	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = key_cmp(&b->items[mid], rule_id, path, hash);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Puts an entry at `at` (entries after it move up). */
static void bl_insert(ls_baseline *b, size_t at, const char *rule_id, const char *path, const char *secret_hash,
                      const char *fingerprint, const char *added)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->items = ls_xrealloc(b->items, b->cap * sizeof(ls_baseline_entry));
	}
	memmove(b->items + at + 1, b->items + at, (b->n - at) * sizeof(ls_baseline_entry));
	ls_baseline_entry *e = &b->items[at];
	memset(e, 0, sizeof(*e));
	e->rule_id = ls_xstrdup(rule_id);
	e->path = ls_xstrdup(path);
	snprintf(e->secret_hash, sizeof(e->secret_hash), "%s", secret_hash);
	e->legacy = strncmp(secret_hash, LS_FPKEY_HASH_PREFIX, PREFIX_LEN) != 0 &&
	            strncmp(secret_hash, REPORT_HASH_PREFIX, strlen(REPORT_HASH_PREFIX)) != 0;
	e->fingerprint = fingerprint ? ls_xstrdup(fingerprint) : NULL;
	e->added = added ? ls_xstrdup(added) : NULL;
	b->n++;
}

int ls_baseline_add(ls_baseline *b, const char *rule_id, const char *path, const char *secret_hash,
                    const char *fingerprint, const char *added)
{
	int found;
	size_t at = bl_search(b, rule_id, path, secret_hash, &found);
	if (found)
		return 0;
	bl_insert(b, at, rule_id, path, secret_hash, fingerprint, added);
	return 1;
}

/* Loading appends (bl_insert at the end) and sorts once when done: an unsorted file of n
 * entries costs n log n, not n^2 moves. */
static int idx_cmp(const void *x, const void *y, void *payload)
{
	const ls_baseline *b = payload;
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	const ls_baseline_entry *f = &b->items[j];
	int c = key_cmp(&b->items[i], f->rule_id, f->path, f->secret_hash);
	return c ? c : (i > j) - (i < j); /* the first of equal entries is kept */
}

static void bl_sort_unique(ls_baseline *b)
{
	size_t *ix = ls_xmalloc((b->n ? b->n : 1) * sizeof(size_t));
	for (size_t i = 0; i < b->n; i++)
		ix[i] = i;
	qsort_r(ix, b->n, sizeof(size_t), idx_cmp, b);
	ls_baseline_entry *items = ls_xmalloc((b->n ? b->n : 1) * sizeof(ls_baseline_entry));
	size_t n = 0;
	for (size_t k = 0; k < b->n; k++) {
		ls_baseline_entry *e = &b->items[ix[k]];
		if (n && !key_cmp(&items[n - 1], e->rule_id, e->path, e->secret_hash)) {
			free(e->rule_id), free(e->path), free(e->fingerprint), free(e->added);
			continue;
		}
		items[n++] = *e;
	}
	free(ix);
	free(b->items);
	b->items = items;
	b->n = b->cap = n;
}

const ls_baseline_entry *ls_baseline_find(const ls_baseline *b, const char *rule_id, const char *path,
                                          const char *secret_hash)
{
	int found;
	size_t at = bl_search(b, rule_id, path, secret_hash, &found);
	return found ? &b->items[at] : NULL;
}

void ls_baseline_hash(char out[80], const ls_finding *f)
{
	snprintf(out, 80, "%s%s", LS_FPKEY_HASH_PREFIX, f->secret_hash);
}

const ls_baseline_entry *ls_baseline_match(const ls_baseline *b, const char *path, const ls_finding *f)
{
	char h[80];
	ls_baseline_hash(h, f);
	const ls_baseline_entry *e = ls_baseline_find(b, f->rule->id, path, h);
	if (!e && f->legacy_hash[0])
		e = ls_baseline_find(b, f->rule->id, path, f->legacy_hash);
	if (!e) {
		/* an entry from a report: the 16 hex digits its fingerprint shows */
		snprintf(h, sizeof(h), "%s%.16s", REPORT_HASH_PREFIX, f->secret_hash);
		e = ls_baseline_find(b, f->rule->id, path, h);
	}
	return e;
}

const char *ls_baseline_key_id(const ls_baseline *b) { return b->key_id; }

void ls_baseline_set_key_id(ls_baseline *b, const char *key_id)
{
	snprintf(b->key_id, sizeof(b->key_id), "%s", key_id ? key_id : "");
	for (char *q = b->key_id; *q; q++)
		*q = (char)tolower((unsigned char)*q);
}

size_t ls_baseline_legacy_count(const ls_baseline *b)
{
	size_t n = 0;
	for (size_t i = 0; i < b->n; i++)
		n += b->items[i].legacy;
	return n;
}

size_t ls_baseline_count(const ls_baseline *b) { return b->n; }

const ls_baseline_entry *ls_baseline_get(const ls_baseline *b, size_t i) { return &b->items[i]; }

/*
 * A value that is not UTF-8 (a file name is bytes) cannot be a JSON string: the display form
 * shows such bytes as U+FFFD, and "<key>_b64" beside it keeps the exact bytes, so that two
 * names differing only there stay two entries and still match on the next scan.
 */
static void put_field(ls_buf *o, const char *key, const char *val, int first)
{
	size_t n = strlen(val);
	ls_buf_printf(o, "%s\"%s\": ", first ? "" : ", ", key);
	ls_buf_put_json_str(o, val, n);
	if (!ls_utf8_valid(val, n)) {
		ls_buf_printf(o, ", \"%s_b64\": \"", key);
		ls_base64_encode(o, val, n);
		ls_buf_putc(o, '"');
	}
}

int ls_baseline_write(const ls_baseline *b, FILE *fp, const char *tool_version)
{
	ls_buf o = LS_BUF_INIT;
	ls_buf_puts(&o, "{\n  \"version\": 2,\n  \"tool\": ");
	char *tool = ls_xasprintf("leakscan %s", tool_version ? tool_version : "");
	ls_buf_put_json_str(&o, tool, strlen(tool));
	free(tool);
	if (b->key_id[0]) {
		ls_buf_puts(&o, ",\n  \"key_id\": ");
		ls_buf_put_json_str(&o, b->key_id, strlen(b->key_id));
	}
	ls_buf_puts(&o, ",\n  \"findings\": [");
	for (size_t i = 0; i < b->n; i++) {
		const ls_baseline_entry *e = &b->items[i];
		ls_buf_puts(&o, i ? ",\n    {" : "\n    {");
		put_field(&o, "rule_id", e->rule_id, 1);
		put_field(&o, "path", e->path, 0);
		put_field(&o, "secret_hash", e->secret_hash, 0);
		if (e->fingerprint)
			put_field(&o, "fingerprint", e->fingerprint, 0);
		if (e->added)
			put_field(&o, "added", e->added, 0);
		ls_buf_putc(&o, '}');
	}
	ls_buf_puts(&o, b->n ? "\n  ]\n}\n" : "]\n}\n");
	int err = fwrite(o.ptr, 1, o.len, fp) == o.len ? 0 : LS_EIO;
	ls_buf_dispose(&o);
	if (err)
		ls_error_set("cannot write the baseline: %s", strerror(errno));
	return err;
}

/*
 * Reading. jansson decodes every value (strings, numbers, each entry and each report finding
 * whole); the lines below step only over the punctuation of the top-level object and of the
 * lists of entries. A decoded value carries no position, and an error must name its line;
 * this way too, one entry at a time is in memory, not a tree of the whole file.
 */
#define MAX_DEPTH 64 /* how deep a value may nest, the file's top level not counted */
#define MAX_VALUE (1 << 20) /* the longest value decoded at once (an entry, a member's value) */

typedef struct {
	const char *path;
	const char *start, *s, *end;
	ls_baseline *b;
} reader;

static int fail(const reader *r, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(const reader *r, const char *at, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	size_t line = 1;
	for (const char *p = r->start; p < at; p++)
		line += *p == '\n';
	ls_error_set("%s:%zu: invalid baseline: %s", r->path, line, msg);
	return LS_EINVAL;
}

static void skip_ws(reader *r)
{
	while (r->s < r->end && (*r->s == ' ' || *r->s == '\t' || *r->s == '\n' || *r->s == '\r'))
		r->s++;
}

/* Whether the next character (after white space) is `c`; steps over it if so. */
static int eat(reader *r, char c)
{
	skip_ws(r);
	if (r->s < r->end && *r->s == c) {
		r->s++;
		return 1;
	}
	return 0;
}

static int peek(reader *r, char c)
{
	skip_ws(r);
	return r->s < r->end && *r->s == c;
}

/* Whether `v`, at `depth`, nests deeper than MAX_DEPTH (jansson's own limit is 2048: the
 * recursion here is bounded by it). */
static int too_deep(json_t *v, int depth)
{
	size_t i;
	const char *k;
	json_t *x;
	if (depth > MAX_DEPTH)
		return 1;
	if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			if (too_deep(x, depth + 1))
				return 1;
		}
	} else if (json_is_object(v)) {
		json_object_foreach(v, k, x) {
			if (too_deep(x, depth + 1))
				return 1;
		}
	}
	return 0;
}

/* Decodes the value at the reader's position (jansson) and steps over it. */
/* Where the JSON value at `p` ends (brackets and strings counted, nothing checked), or `end`. */
static const char *value_end(const char *p, const char *end)
{
	int depth = 0;
	for (; p < end; p++) {
		if (*p == '"') {
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\')
					p++;
		} else if (*p == '[' || *p == '{') {
			depth++;
		} else if (*p == ']' || *p == '}') {
			if (--depth <= 0)
				return p + 1;
		} else if (depth == 0 && (*p == ',' || *p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) {
			return p;
		}
	}
	return end;
}

static int take(reader *r, json_t **out)
{
	json_error_t e;
	skip_ws(r);
	const char *at = r->s;
	size_t left = (size_t)(r->end - at);
	/* one entry, or one member's value: decoded whole, so bounded (jansson's tree takes about
	 * 25 times the text of small values) */
	*out = NULL;
	if ((size_t)(value_end(at, r->end) - at) > MAX_VALUE)
		return fail(r, at, "a value longer than %d KiB (an entry is far smaller)", MAX_VALUE >> 10);
	/* without JSON_ALLOW_NUL, \u0000 is refused: names and hashes are C strings */
	*out = json_loadb(at, left, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &e);
	/* e.position: where decoding stopped, or (on success) how many bytes the value took */
	const char *where = at + (e.position > 0 && (size_t)e.position <= left ? (size_t)e.position : 0);
	if (!*out) {
		switch (json_error_code(&e)) {
		case json_error_stack_overflow:
			return fail(r, where, "nested too deeply");
		case json_error_null_character:
			return fail(r, where, "a string holds \\u0000 (NUL)");
		default:
			return fail(r, where, "%s", e.text);
		}
	}
	r->s = where;
	/* (a decoded value takes a byte at least; were it not so, a list would loop on it) */
	int err = where == at ? fail(r, at, "unexpected character") : too_deep(*out, 1) ? fail(r, at, "nested too deeply") : 0;
	if (err < 0) {
		json_decref(*out);
		*out = NULL;
	}
	return err;
}

/* The string `key` of object `o`: 0 and *out (borrowed, NULL when absent), or -1 if not a string. */
static int get_str(json_t *o, const char *key, const char **out)
{
	json_t *v = json_object_get(o, key);
	*out = v ? json_string_value(v) : NULL;
	return v && !*out ? -1 : 0;
}

#define NFIELDS 5
/* the first NFIELDS are the values, then their exact bytes in base64 (see put_field) */
static const char *entry_names[] = {"rule_id", "path", "secret_hash", "fingerprint", "added",
                                    "rule_id_b64", "path_b64", NULL, "fingerprint_b64", "added_b64"};

/* One entry of a baseline's "findings", decoded; `at` is where it starts. Other keys (notes) are let be. */
static int bl_entry(const reader *r, json_t *o, size_t idx, const char *at)
{
	char *vals[2 * NFIELDS] = {NULL};
	ls_buf val = LS_BUF_INIT;
	int err = 0;
	for (int i = 0; i < 2 * NFIELDS; i++) {
		const char *s;
		if (!entry_names[i])
			continue;
		if (get_str(o, entry_names[i], &s) < 0) {
			err = fail(r, at, "entry %zu: '%s' must be a string", idx + 1, entry_names[i]);
			goto done;
		}
		vals[i] = s ? ls_xstrdup(s) : NULL;
	}
	/* the exact bytes win over the display form */
	for (int i = NFIELDS; i < 2 * NFIELDS; i++) {
		if (!vals[i])
			continue;
		ls_buf_clear(&val);
		if (ls_base64_decode(&val, vals[i], strlen(vals[i])) < 0 || memchr(val.ptr ? val.ptr : "", '\0', val.len)) {
			err = fail(r, at, "entry %zu: '%s' is not the base64 of a string", idx + 1, entry_names[i]);
			goto done;
		}
		ls_buf_putc(&val, '\0');
		free(vals[i - NFIELDS]);
		vals[i - NFIELDS] = ls_xstrdup(val.ptr);
	}
	for (int i = 0; i < 3; i++) {
		if (!vals[i]) {
			err = fail(r, at, "entry %zu: missing '%s'", idx + 1, entry_names[i]);
			goto done;
		}
	}
	/* "hmac-sha256:" and 64 hex digits (format 2), or a plain SHA-256 (format 1) */
	char *hex = vals[2];
	if (!strncmp(hex, LS_FPKEY_HASH_PREFIX, PREFIX_LEN))
		hex += PREFIX_LEN;
	if (strlen(hex) != 64 || !is_hex(hex)) {
		err = fail(r, at, "entry %zu: 'secret_hash' must be 64 hex digits, after 'hmac-sha256:' or alone (sha256)",
		           idx + 1);
		goto done;
	}
	for (char *q = hex; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	bl_insert(r->b, r->b->n, vals[0], vals[1], vals[2], vals[3], vals[4]);
done:
	for (int i = 0; i < 2 * NFIELDS; i++)
		free(vals[i]);
	ls_buf_dispose(&val);
	return err;
}

/* The members of the top-level object: "findings" (a list of entries), "version", "key_id"; others are let be. */
static int bl_member(reader *r, const char *key, int *have_findings)
{
	json_t *v = NULL;
	skip_ws(r);
	const char *at = r->s;
	int err = 0;
	if (!strcmp(key, "findings")) {
		*have_findings = 1;
		if (!eat(r, '['))
			return fail(r, at, "'findings' must be a list");
		if (eat(r, ']'))
			return 0;
		size_t idx = 0;
		do {
			if (!peek(r, '{'))
				return fail(r, r->s, "entry %zu: expected an object", idx + 1);
			at = r->s;
			if ((err = take(r, &v)) < 0)
				return err;
			err = bl_entry(r, v, idx++, at);
			json_decref(v);
			if (err < 0)
				return err;
		} while (eat(r, ','));
		return eat(r, ']') ? 0 : fail(r, r->s, "expected ',' or ']'");
	}
	if ((err = take(r, &v)) < 0)
		return err;
	if (!strcmp(key, "version")) {
		json_int_t n = json_is_integer(v) ? json_integer_value(v) : 0;
		if (n != 1 && n != 2)
			err = fail(r, at, "unsupported baseline version (expected 1 or 2)");
	} else if (!strcmp(key, "key_id")) {
		const char *s = json_string_value(v);
		if (!s || strlen(s) != 16 || !is_hex(s))
			err = fail(r, at, "'key_id' must be 16 hex digits");
		else
			ls_baseline_set_key_id(r->b, s);
	}
	json_decref(v);
	return err;
}

static int bl_parse(reader *r)
{
	json_t *seen = json_object(), *k = NULL;
	int err = 0, have_findings = 0;
	if (!eat(r, '{')) {
		err = fail(r, r->s, "not a leakscan baseline (expected a JSON object)");
		goto done;
	}
	if (!eat(r, '}')) {
		do {
			skip_ws(r);
			const char *at = r->s;
			if (!peek(r, '"')) {
				err = fail(r, at, "expected a string");
				goto done;
			}
			if ((err = take(r, &k)) < 0)
				goto done;
			const char *key = json_string_value(k);
			if (json_object_get(seen, key)) {
				err = fail(r, at, "duplicate object key '%s'", key);
				goto done;
			}
			json_object_set_new(seen, key, json_true());
			if (!eat(r, ':')) {
				err = fail(r, r->s, "expected ':'");
				goto done;
			}
			if ((err = bl_member(r, key, &have_findings)) < 0)
				goto done;
			json_decref(k);
			k = NULL;
		} while (eat(r, ','));
		if (!eat(r, '}')) {
			err = fail(r, r->s, "expected ',' or '}'");
			goto done;
		}
	}
	skip_ws(r);
	if (r->s != r->end)
		err = fail(r, r->s, "trailing data after the JSON object");
	else if (!have_findings)
		err = fail(r, r->s, "not a leakscan baseline (no 'findings' list)");
done:
	json_decref(k);
	json_decref(seen);
	return err;
}

/*
 * leakscan's own JSON (a list) or JSONL report taken as a baseline, as gitleaks takes its
 * reports: each finding's rule_id, and from its fingerprint the path (relative to the
 * policy's base, as baselines are) and the first 16 hex digits of the secret's keyed hash;
 * report's RULE-ID:HASH16 fingerprints carry no path: its "path" field stands in.
 */
static int report_finding(const reader *r, json_t *o, size_t idx, const char *at)
{
	static const char *names[] = {"rule_id", "path", "fingerprint"};
	const char *vals[3];
	for (int i = 0; i < 3; i++)
		if (get_str(o, names[i], &vals[i]) < 0)
			return fail(r, at, "finding %zu: '%s' must be a string", idx + 1, names[i]);
	const char *rule = vals[0], *path = vals[1];
	/* PATH:RULE-ID:HASH16 or RULE-ID:HASH16 */
	char *fp = vals[2] ? ls_xstrdup(vals[2]) : NULL;
	char *h16 = fp ? strrchr(fp, ':') : NULL;
	int err = 0;
	if (!rule || !fp || !h16 || strlen(h16 + 1) != 16 || !is_hex(h16 + 1)) {
		err = fail(r, at, "finding %zu: a report's finding needs 'rule_id' and a 'fingerprint' ending in 16 hex digits",
		           idx + 1);
		goto done;
	}
	*h16 = '\0';
	size_t rl = strlen(rule), fl = strlen(fp);
	const char *where = fl > rl + 1 && fp[fl - rl - 1] == ':' && !strcmp(fp + fl - rl, rule) ? fp : path;
	if (where == fp)
		fp[fl - rl - 1] = '\0';
	if (!where) {
		err = fail(r, at, "finding %zu: no path (no 'path', and a fingerprint without one)", idx + 1);
		goto done;
	}
	char hash[40];
	snprintf(hash, sizeof(hash), "%s%s", REPORT_HASH_PREFIX, h16 + 1);
	for (char *q = hash; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	bl_insert(r->b, r->b->n, rule, where, hash, NULL, NULL);
done:
	free(fp);
	return err;
}

/* A JSON list of findings, or one finding per line (JSONL). */
static int report_parse(reader *r)
{
	int err = 0, list = eat(r, '[');
	size_t idx = 0;
	if (list && eat(r, ']'))
		goto end;
	do {
		json_t *v;
		if (!peek(r, '{'))
			return fail(r, r->s, "not a leakscan baseline or report (expected findings as JSON objects)");
		const char *at = r->s;
		if ((err = take(r, &v)) < 0)
			return err;
		err = report_finding(r, v, idx++, at);
		json_decref(v);
		if (err < 0)
			return err;
	} while (list ? eat(r, ',') : (skip_ws(r), r->s < r->end));
	if (list && !eat(r, ']'))
		return fail(r, r->s, "expected ',' or ']'");
end:
	skip_ws(r);
	return r->s == r->end ? 0 : fail(r, r->s, "trailing data after the report");
}

/* Whether the file is a report (a list, or an object whose first key is "rule_id"). A peek: no error set. */
static int is_report(reader r)
{
	if (eat(&r, '['))
		return 1;
	if (!eat(&r, '{') || !peek(&r, '"'))
		return 0;
	json_error_t e;
	json_t *k = json_loadb(r.s, (size_t)(r.end - r.s), JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &e);
	int yes = json_is_string(k) && !strcmp(json_string_value(k), "rule_id");
	json_decref(k);
	return yes;
}

int ls_baseline_load(ls_baseline **out, const char *path)
{
	ls_buf data = LS_BUF_INIT;
	/* a baseline is often committed with the scanned tree: a regular file, of bounded size */
	int err = ls_read_regular(&data, path, LS_BASELINE_MAX_SIZE);
	if (err < 0) {
		if (err == LS_ENOTFOUND)
			ls_error_set("baseline '%s': no such file", path);
		ls_buf_dispose(&data);
		return err;
	}
	ls_baseline *b = NULL;
	ls_baseline_new(&b);
	const char *s = data.ptr ? data.ptr : "";
	reader r = {path, s, s, s + data.len, b};
	if ((err = is_report(r) ? report_parse(&r) : bl_parse(&r)) < 0) {
		ls_baseline_free(b);
		b = NULL;
	} else {
		bl_sort_unique(b);
	}
	ls_buf_dispose(&data);
	*out = b;
	return err;
}
