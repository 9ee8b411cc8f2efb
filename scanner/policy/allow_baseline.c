/* allow: baselines (a JSON file of accepted findings) and the small JSON reader they need. */
#include <ctype.h>
#include <errno.h>
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

int ls_baseline_add(ls_baseline *b, const char *rule_id, const char *path, const char *secret_hash,
                    const char *fingerprint, const char *added)
{
	int found;
	size_t at = bl_search(b, rule_id, path, secret_hash, &found);
	if (found)
		return 0;
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
	return 1;
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

/* A small strict JSON reader, enough for baseline files. */
typedef struct {
	const char *s, *end;
	const char *file;
	int failed;
} jreader;

static int jfail(jreader *j, const char *what)
{
	if (!j->failed)
		ls_error_set("%s", what);
	j->failed = 1;
	return LS_EINVAL;
}

static void jws(jreader *j)
{
	while (j->s < j->end && (*j->s == ' ' || *j->s == '\t' || *j->s == '\n' || *j->s == '\r'))
		j->s++;
}

static int jlit(jreader *j, char c)
{
	jws(j);
	if (j->s < j->end && *j->s == c) {
		j->s++;
		return 1;
	}
	return 0;
}

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int c = (unsigned char)s[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * 16 + (unsigned)d;
	}
	*out = v;
	return 0;
}

/* Reads a string into `o` (cleared first). */
static int jstring(jreader *j, ls_buf *o)
{
	ls_buf_clear(o);
	ls_buf_put(o, "", 0); /* "" leaves o->ptr a valid empty string, never NULL */
	if (!jlit(j, '"'))
		return jfail(j, "expected a string");
	while (j->s < j->end && *j->s != '"') {
		unsigned char c = (unsigned char)*j->s++;
		if (c < 0x20)
			return jfail(j, "control character in a string");
		if (c != '\\') {
			ls_buf_putc(o, (char)c);
			continue;
		}
		if (j->s >= j->end)
			break;
		char e = *j->s++;
		switch (e) {
		case '"': case '\\': case '/': ls_buf_putc(o, e); break;
		case 'b': ls_buf_putc(o, '\b'); break;
		case 'f': ls_buf_putc(o, '\f'); break;
		case 'n': ls_buf_putc(o, '\n'); break;
		case 'r': ls_buf_putc(o, '\r'); break;
		case 't': ls_buf_putc(o, '\t'); break;
		case 'u': {
			unsigned cp, lo;
			if (j->end - j->s < 4 || hex4(j->s, &cp) < 0)
				return jfail(j, "invalid \\u escape");
			j->s += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && j->end - j->s >= 6 && j->s[0] == '\\' && j->s[1] == 'u' &&
			    hex4(j->s + 2, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				j->s += 6;
			}
			ls_buf_put_utf8(o, cp);
			break;
		}
		default:
			return jfail(j, "invalid escape in a string");
		}
	}
	if (j->s >= j->end)
		return jfail(j, "unterminated string");
	j->s++;
	return 0;
}

static int jskip(jreader *j, int depth)
{
	jws(j);
	if (depth > 64)
		return jfail(j, "nested too deeply");
	if (j->s >= j->end)
		return jfail(j, "unexpected end of file");
	ls_buf tmp = LS_BUF_INIT;
	int err = 0;
	char c = *j->s;
	if (c == '"') {
		err = jstring(j, &tmp);
	} else if (c == '{') {
		j->s++;
		if (!jlit(j, '}')) {
			do {
				if ((err = jstring(j, &tmp)) < 0)
					break;
				if (!jlit(j, ':')) {
					err = jfail(j, "expected ':'");
					break;
				}
				if ((err = jskip(j, depth + 1)) < 0)
					break;
			} while (jlit(j, ','));
			if (!err && !jlit(j, '}'))
				err = jfail(j, "expected ',' or '}'");
		}
	} else if (c == '[') {
		j->s++;
		if (!jlit(j, ']')) {
			do {
				if ((err = jskip(j, depth + 1)) < 0)
					break;
			} while (jlit(j, ','));
			if (!err && !jlit(j, ']'))
				err = jfail(j, "expected ',' or ']'");
		}
	} else {
		const char *st = j->s;
		while (j->s < j->end && (isalnum((unsigned char)*j->s) || *j->s == '-' || *j->s == '+' || *j->s == '.'))
			j->s++;
		size_t n = (size_t)(j->s - st);
		if (n == 0)
			err = jfail(j, "unexpected character");
		else if (!(n == 4 && !memcmp(st, "true", 4)) && !(n == 5 && !memcmp(st, "false", 5)) &&
		         !(n == 4 && !memcmp(st, "null", 4)) && !(isdigit((unsigned char)st[0]) || st[0] == '-'))
			err = jfail(j, "unexpected value");
	}
	ls_buf_dispose(&tmp);
	return err;
}

/* Reads a JSON object, handing each key to `field`, which reads its value. `what` is the error
 * when there is no object. */
static int jobject(jreader *j, const char *what, int (*field)(jreader *j, const char *key, void *payload), void *payload)
{
	ls_buf key = LS_BUF_INIT;
	int err = 0;
	if (!jlit(j, '{')) {
		err = jfail(j, what);
		goto done;
	}
	if (!jlit(j, '}')) {
		do {
			if ((err = jstring(j, &key)) < 0)
				goto done;
			if (!jlit(j, ':')) {
				err = jfail(j, "expected ':'");
				goto done;
			}
			if ((err = field(j, key.ptr, payload)) < 0)
				goto done;
		} while (jlit(j, ','));
		if (!jlit(j, '}'))
			err = jfail(j, "expected ',' or '}'");
	}
done:
	ls_buf_dispose(&key);
	return err;
}

#define NFIELDS 5
/* the first NFIELDS are the values, then their exact bytes in base64 (see put_field) */
static const char *entry_names[] = {"rule_id", "path", "secret_hash", "fingerprint", "added",
                                    "rule_id_b64", "path_b64", NULL, "fingerprint_b64", "added_b64"};
typedef struct {
	char **vals;
	size_t idx;
} entry_ctx;

static int entry_field(jreader *j, const char *key, void *payload)
{
	entry_ctx *c = payload;
	int which = -1;
	for (int i = 0; i < 2 * NFIELDS; i++)
		if (entry_names[i] && !strcmp(key, entry_names[i]))
			which = i;
	if (which < 0)
		return jskip(j, 2); /* unknown keys (notes) are kept out of the way */
	ls_buf val = LS_BUF_INIT;
	int err = jstring(j, &val);
	if (err < 0) {
		char msg[160];
		snprintf(msg, sizeof(msg), "entry %zu: '%s' must be a string", c->idx + 1, entry_names[which]);
		j->failed = 0;
		err = jfail(j, msg);
	} else {
		free(c->vals[which]);
		c->vals[which] = ls_xstrdup(val.ptr ? val.ptr : "");
	}
	ls_buf_dispose(&val);
	return err;
}

static int bl_entry(jreader *j, ls_baseline *b, size_t idx)
{
	char *vals[2 * NFIELDS] = {NULL};
	ls_buf val = LS_BUF_INIT;
	char msg[160];
	snprintf(msg, sizeof(msg), "entry %zu: expected an object", idx + 1);
	entry_ctx ec = {vals, idx};
	int err = jobject(j, msg, entry_field, &ec);
	if (err < 0)
		goto done;
	/* the exact bytes win over the display form, whatever their order in the object */
	for (int i = NFIELDS; i < 2 * NFIELDS; i++) {
		if (!vals[i])
			continue;
		ls_buf_clear(&val);
		if (ls_base64_decode(&val, vals[i], strlen(vals[i])) < 0 || memchr(val.ptr ? val.ptr : "", '\0', val.len)) {
			snprintf(msg, sizeof(msg), "entry %zu: '%s' is not the base64 of a string", idx + 1, entry_names[i]);
			err = jfail(j, msg);
			goto done;
		}
		ls_buf_putc(&val, '\0');
		free(vals[i - NFIELDS]);
		vals[i - NFIELDS] = ls_xstrdup(val.ptr);
	}
	for (int i = 0; i < 3; i++) {
		if (!vals[i]) {
			snprintf(msg, sizeof(msg), "entry %zu: missing '%s'", idx + 1, entry_names[i]);
			err = jfail(j, msg);
			goto done;
		}
	}
	/* "hmac-sha256:" and 64 hex digits (format 2), or a plain SHA-256 (format 1) */
	char *hex = vals[2];
	if (!strncmp(hex, LS_FPKEY_HASH_PREFIX, PREFIX_LEN))
		hex += PREFIX_LEN;
	if (strlen(hex) != 64 || !is_hex(hex)) {
		snprintf(msg, sizeof(msg), "entry %zu: 'secret_hash' must be 64 hex digits, after 'hmac-sha256:' or alone (sha256)",
		         idx + 1);
		err = jfail(j, msg);
		goto done;
	}
	for (char *q = hex; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	ls_baseline_add(b, vals[0], vals[1], vals[2], vals[3], vals[4]);
done:
	for (int i = 0; i < 2 * NFIELDS; i++)
		free(vals[i]);
	ls_buf_dispose(&val);
	return err;
}

typedef struct {
	ls_baseline *b;
	int have_findings;
} top_ctx;

static int top_field(jreader *j, const char *key, void *payload)
{
	top_ctx *c = payload;
	if (!strcmp(key, "findings")) {
		c->have_findings = 1;
		if (!jlit(j, '['))
			return jfail(j, "'findings' must be a list");
		if (jlit(j, ']'))
			return 0;
		size_t idx = 0;
		int err;
		do {
			if ((err = bl_entry(j, c->b, idx++)) < 0)
				return err;
		} while (jlit(j, ','));
		return jlit(j, ']') ? 0 : jfail(j, "expected ',' or ']'");
	}
	if (!strcmp(key, "version")) {
		jws(j);
		if (j->end - j->s < 1 || (*j->s != '1' && *j->s != '2') || (j->end - j->s > 1 && isdigit((unsigned char)j->s[1])))
			return jfail(j, "unsupported baseline version (expected 1 or 2)");
		j->s++;
		return 0;
	}
	if (!strcmp(key, "key_id")) {
		ls_buf val = LS_BUF_INIT;
		int err = jstring(j, &val);
		if (!err && (strlen(val.ptr) != 16 || !is_hex(val.ptr)))
			err = jfail(j, "'key_id' must be 16 hex digits");
		if (!err)
			ls_baseline_set_key_id(c->b, val.ptr);
		ls_buf_dispose(&val);
		return err;
	}
	return jskip(j, 1);
}

static int bl_parse(jreader *j, ls_baseline *b)
{
	top_ctx c = {b, 0};
	int err = jobject(j, "not a leakscan baseline (expected a JSON object)", top_field, &c);
	if (err < 0)
		return err;
	jws(j);
	if (j->s != j->end)
		return jfail(j, "trailing data after the JSON object");
	if (!c.have_findings)
		return jfail(j, "not a leakscan baseline (no 'findings' list)");
	return 0;
}

/*
 * leakscan's own JSON (a list) or JSONL report taken as a baseline, as gitleaks takes its
 * reports: each finding's rule_id, and from its fingerprint the path (relative to the
 * policy's base, as baselines are) and the first 16 hex digits of the secret's keyed hash;
 * report's RULE-ID:HASH16 fingerprints carry no path: its "path" field stands in.
 */
typedef struct {
	char *rule, *path, *fp;
} report_ctx;

static int report_field(jreader *j, const char *key, void *payload)
{
	report_ctx *c = payload;
	char **slot = !strcmp(key, "rule_id") ? &c->rule : !strcmp(key, "path") ? &c->path : !strcmp(key, "fingerprint") ? &c->fp : NULL;
	if (!slot)
		return jskip(j, 2);
	ls_buf val = LS_BUF_INIT;
	int err = jstring(j, &val);
	if (!err) {
		free(*slot);
		*slot = ls_xstrdup(val.ptr);
	}
	ls_buf_dispose(&val);
	return err;
}

static int report_finding(jreader *j, ls_baseline *b, size_t idx)
{
	report_ctx rc = {NULL, NULL, NULL};
	char msg[160];
	int err = jobject(j, "not a leakscan baseline or report (expected findings as JSON objects)", report_field, &rc);
	char *rule = rc.rule, *path = rc.path, *fp = rc.fp;
	if (err < 0)
		goto done;
	/* PATH:RULE-ID:HASH16 or RULE-ID:HASH16 */
	char *h16 = fp ? strrchr(fp, ':') : NULL;
	if (!rule || !fp || !h16 || strlen(h16 + 1) != 16 || !is_hex(h16 + 1)) {
		snprintf(msg, sizeof(msg), "finding %zu: a report's finding needs 'rule_id' and a 'fingerprint' ending in 16 hex digits",
		         idx + 1);
		err = jfail(j, msg);
		goto done;
	}
	*h16 = '\0';
	size_t rl = strlen(rule), fl = strlen(fp);
	const char *where = fl > rl + 1 && fp[fl - rl - 1] == ':' && !strcmp(fp + fl - rl, rule) ? fp : path;
	if (where == fp)
		fp[fl - rl - 1] = '\0';
	if (!where) {
		snprintf(msg, sizeof(msg), "finding %zu: no path (no 'path', and a fingerprint without one)", idx + 1);
		err = jfail(j, msg);
		goto done;
	}
	char hash[40];
	snprintf(hash, sizeof(hash), "%s%s", REPORT_HASH_PREFIX, h16 + 1);
	for (char *q = hash; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	ls_baseline_add(b, rule, where, hash, NULL, NULL);
done:
	free(rule);
	free(path);
	free(fp);
	return err;
}

/* A JSON list of findings, or one finding per line (JSONL). */
static int report_parse(jreader *j, ls_baseline *b)
{
	int err = 0, list = jlit(j, '[');
	size_t idx = 0;
	if (list && jlit(j, ']'))
		goto end;
	do {
		if ((err = report_finding(j, b, idx++)) < 0)
			return err;
	} while (list ? jlit(j, ',') : (jws(j), j->s < j->end));
	if (list && !jlit(j, ']'))
		return jfail(j, "expected ',' or ']'");
end:
	jws(j);
	return j->s == j->end ? 0 : jfail(j, "trailing data after the report");
}

/* Whether the file is a report (a list, or an object whose first key is "rule_id"). */
static int is_report(const char *s, const char *end)
{
	jreader j = {s, end, NULL, 0};
	if (jlit(&j, '['))
		return 1;
	ls_buf key = LS_BUF_INIT;
	int r = jlit(&j, '{') && jstring(&j, &key) == 0 && !strcmp(key.ptr, "rule_id");
	ls_buf_dispose(&key);
	return r;
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
	jreader j = {data.ptr ? data.ptr : "", (data.ptr ? data.ptr : "") + data.len, path, 0};
	int report = is_report(j.s, j.end);
	if (report)
		ls_error_set("%s", ""); /* (the peek's error, if any, is not this file's) */
	if ((err = report ? report_parse(&j, b) : bl_parse(&j, b)) < 0) {
		size_t line = 1;
		for (const char *p = data.ptr; p && p < j.s; p++)
			line += *p == '\n';
		char *msg = ls_xstrdup(ls_error_last());
		ls_error_set("%s:%zu: invalid baseline: %s", path, line, msg);
		free(msg);
		ls_baseline_free(b);
		b = NULL;
	}
	ls_buf_dispose(&data);
	*out = b;
	return err;
}
