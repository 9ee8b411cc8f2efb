/* toml: see toml.h. */
#include "toml.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

typedef struct {
	const char *s, *end, *name;
	int line;
	int failed;
} reader;

static int fail(reader *r, const char *what)
{
	if (!r->failed)
		ls_error_set("%s:%d: %s", r->name, r->line, what);
	r->failed = 1;
	return LS_EINVAL;
}

static ls_toml *new_value(ls_toml_type type, int line)
{
	ls_toml *v = ls_xcalloc(1, sizeof(*v));
	v->type = type;
	v->line = line;
	return v;
}

void ls_toml_free(ls_toml *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		ls_toml_free(t->items[i]);
		if (t->keys)
			free(t->keys[i]);
	}
	free(t->items);
	free(t->keys);
	free(t->s);
	free(t);
}

const ls_toml *ls_toml_get(const ls_toml *t, const char *key)
{
	if (!t || t->type != LS_TOML_TABLE)
		return NULL;
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->keys[i], key))
			return t->items[i];
	return NULL;
}

static void push(ls_toml *t, const char *key, ls_toml *v)
{
	t->items = ls_xrealloc(t->items, (t->n + 1) * sizeof(*t->items));
	if (t->type == LS_TOML_TABLE) {
		t->keys = ls_xrealloc(t->keys, (t->n + 1) * sizeof(*t->keys));
		t->keys[t->n] = ls_xstrdup(key);
	}
	t->items[t->n++] = v;
}

/* Spaces and tabs; with `nl` also newlines and comments. */
static void skip_ws(reader *r, int nl)
{
	while (r->s < r->end) {
		char c = *r->s;
		if (c == ' ' || c == '\t' || c == '\r') {
			r->s++;
		} else if (nl && c == '\n') {
			r->line++;
			r->s++;
		} else if (nl && c == '#') {
			while (r->s < r->end && *r->s != '\n')
				r->s++;
		} else {
			break;
		}
	}
}

/* The rest of a line after a key/value pair or a header: a comment at most. */
static int end_of_line(reader *r)
{
	skip_ws(r, 0);
	if (r->s < r->end && *r->s == '#')
		while (r->s < r->end && *r->s != '\n')
			r->s++;
	if (r->s < r->end && *r->s != '\n')
		return fail(r, "expected the end of the line");
	return 0;
}

/* A string of any of the four kinds, the reader at its opening quote. */
static int read_string(reader *r, ls_buf *out)
{
	char q = *r->s;
	int multi = r->end - r->s >= 3 && r->s[1] == q && r->s[2] == q;
	r->s += multi ? 3 : 1;
	if (multi && r->s < r->end && *r->s == '\n') { /* a newline right after the quotes is dropped */
		r->line++;
		r->s++;
	}
	ls_buf_put(out, "", 0);
	for (;;) {
		if (r->s >= r->end)
			return fail(r, "unterminated string");
		char c = *r->s;
		if (c == q && (!multi || (r->end - r->s >= 3 && r->s[1] == q && r->s[2] == q))) {
			r->s += multi ? 3 : 1;
			/* up to two more quotes just before the closing three belong to the string */
			while (multi && r->s < r->end && *r->s == q) {
				ls_buf_putc(out, q);
				r->s++;
			}
			return 0;
		}
		if (c == '\n') {
			if (!multi)
				return fail(r, "newline in a one-line string");
			r->line++;
		}
		if (c == '\0')
			return fail(r, "NUL byte in a string");
		if (c == '\\' && q == '"') {
			r->s++;
			if (r->s >= r->end)
				return fail(r, "unterminated string");
			char e = *r->s++;
			switch (e) {
			case 'b': ls_buf_putc(out, '\b'); break;
			case 't': ls_buf_putc(out, '\t'); break;
			case 'n': ls_buf_putc(out, '\n'); break;
			case 'f': ls_buf_putc(out, '\f'); break;
			case 'r': ls_buf_putc(out, '\r'); break;
			case '"': ls_buf_putc(out, '"'); break;
			case '\\': ls_buf_putc(out, '\\'); break;
			case 'u':
			case 'U': {
				int nd = e == 'u' ? 4 : 8;
				unsigned long cp = 0;
				for (int i = 0; i < nd; i++, r->s++) {
					if (r->s >= r->end || !isxdigit((unsigned char)*r->s))
						return fail(r, "bad \\u escape");
					cp = cp * 16 + (unsigned long)(isdigit((unsigned char)*r->s) ? *r->s - '0' : (tolower((unsigned char)*r->s) - 'a' + 10));
				}
				if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
					return fail(r, "bad \\u escape");
				ls_buf_put_utf8(out, (unsigned)cp);
				break;
			}
			case '\n':
			case ' ':
			case '\t':
			case '\r':
				if (!multi)
					return fail(r, "bad escape");
				/* a line-ending backslash: the newline and the white space after it go */
				if (e == '\n')
					r->line++;
				skip_ws(r, 1);
				break;
			default: return fail(r, "bad escape in a string");
			}
			continue;
		}
		ls_buf_putc(out, c);
		r->s++;
	}
}

/* A bare or quoted key. */
static int read_key(reader *r, ls_buf *out)
{
	skip_ws(r, 0);
	ls_buf_clear(out);
	if (r->s < r->end && (*r->s == '"' || *r->s == '\'')) {
		if (r->end - r->s >= 3 && r->s[1] == *r->s && r->s[2] == *r->s)
			return fail(r, "a key cannot be a multi-line string");
		return read_string(r, out);
	}
	const char *st = r->s;
	while (r->s < r->end && (isalnum((unsigned char)*r->s) || *r->s == '_' || *r->s == '-'))
		r->s++;
	if (r->s == st)
		return fail(r, "expected a key");
	ls_buf_put(out, st, (size_t)(r->s - st));
	return 0;
}

/* The table at the dotted key path starting at the reader, in `t` (made as needed); the
 * last key is left in `last`. */
static int key_path(reader *r, ls_toml *t, ls_toml **parent, ls_buf *last)
{
	int err;
	if ((err = read_key(r, last)) < 0)
		return err;
	for (;;) {
		skip_ws(r, 0);
		if (r->s >= r->end || *r->s != '.')
			break;
		r->s++;
		ls_toml *sub = (ls_toml *)ls_toml_get(t, last->ptr);
		if (sub && sub->type == LS_TOML_ARRAY && sub->n && sub->items[sub->n - 1]->type == LS_TOML_TABLE)
			sub = sub->items[sub->n - 1]; /* [[a]] then [a.b]: the last table of a */
		if (!sub) {
			sub = new_value(LS_TOML_TABLE, r->line);
			push(t, last->ptr, sub);
		} else if (sub->type != LS_TOML_TABLE) {
			return fail(r, "a key is both a value and a table");
		}
		t = sub;
		if ((err = read_key(r, last)) < 0)
			return err;
	}
	*parent = t;
	return 0;
}

static int read_value(reader *r, ls_toml **out, int depth);

/* `key = value` into table `t` (a dotted key into its subtables); `key` is scratch. */
static int read_keyval(reader *r, ls_toml *t, ls_buf *key, int depth)
{
	ls_toml *parent, *v = NULL;
	int err = key_path(r, t, &parent, key);
	if (err < 0)
		return err;
	skip_ws(r, 0);
	if (r->s >= r->end || *r->s != '=')
		return fail(r, "expected '='");
	r->s++;
	if ((err = read_value(r, &v, depth)) < 0) {
		ls_toml_free(v);
		return err;
	}
	if (ls_toml_get(parent, key->ptr)) {
		ls_toml_free(v);
		return fail(r, "a key is defined twice");
	}
	push(parent, key->ptr, v);
	return 0;
}

static int read_inline_table(reader *r, ls_toml *t, int depth)
{
	ls_buf key = LS_BUF_INIT;
	int err = 0;
	r->s++;
	skip_ws(r, 0);
	if (r->s < r->end && *r->s == '}') {
		r->s++;
		goto done;
	}
	for (;;) {
		if ((err = read_keyval(r, t, &key, depth + 1)) < 0)
			goto done;
		skip_ws(r, 0);
		if (r->s < r->end && *r->s == ',') {
			r->s++;
			continue;
		}
		if (r->s < r->end && *r->s == '}') {
			r->s++;
			break;
		}
		err = fail(r, "expected ',' or '}' in an inline table");
		goto done;
	}
done:
	ls_buf_dispose(&key);
	return err;
}

static int read_value(reader *r, ls_toml **out, int depth)
{
	*out = NULL;
	if (depth > 64)
		return fail(r, "values nested too deep");
	skip_ws(r, 0);
	if (r->s >= r->end)
		return fail(r, "expected a value");
	char c = *r->s;
	int err = 0;
	if (c == '"' || c == '\'') {
		ls_buf b = LS_BUF_INIT;
		if ((err = read_string(r, &b)) < 0) {
			ls_buf_dispose(&b);
			return err;
		}
		*out = new_value(LS_TOML_STRING, r->line);
		(*out)->s = ls_buf_detach(&b);
		return 0;
	}
	if (c == '[') {
		ls_toml *a = new_value(LS_TOML_ARRAY, r->line);
		*out = a;
		r->s++;
		for (;;) {
			skip_ws(r, 1);
			if (r->s < r->end && *r->s == ']') {
				r->s++;
				return 0;
			}
			ls_toml *v;
			if ((err = read_value(r, &v, depth + 1)) < 0) {
				ls_toml_free(v);
				return err;
			}
			push(a, NULL, v);
			skip_ws(r, 1);
			if (r->s < r->end && *r->s == ',') {
				r->s++;
				continue;
			}
			if (r->s < r->end && *r->s == ']') {
				r->s++;
				return 0;
			}
			return fail(r, "expected ',' or ']' in an array");
		}
	}
	if (c == '{') {
		*out = new_value(LS_TOML_TABLE, r->line);
		(*out)->defined = 1;
		return read_inline_table(r, *out, depth);
	}
	const char *st = r->s;
	while (r->s < r->end && (isalnum((unsigned char)*r->s) || strchr("+-._:", *r->s)))
		r->s++;
	size_t n = (size_t)(r->s - st);
	char word[128];
	if (!n || n >= sizeof(word))
		return fail(r, "expected a value");
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (st[i] != '_')
			word[w++] = st[i];
	word[w] = '\0';
	if (!strcmp(word, "true") || !strcmp(word, "false")) {
		*out = new_value(LS_TOML_BOOL, r->line);
		(*out)->b = word[0] == 't';
		return 0;
	}
	char *end;
	long long iv = strtoll(word, &end, 0);
	if (*end == '\0' && w) {
		*out = new_value(LS_TOML_INT, r->line);
		(*out)->num = (double)iv;
		return 0;
	}
	double dv = strtod(word, &end);
	if (*end == '\0' && w && !strchr(word, ':') && !strchr(word + 1, '-')) {
		*out = new_value(LS_TOML_FLOAT, r->line);
		(*out)->num = dv;
		return 0;
	}
	return fail(r, strchr(word, ':') || strchr(word + 1, '-') ? "dates and times are not supported" : "expected a value");
}

int ls_toml_parse(ls_toml **out, const char *name, const char *text, size_t len)
{
	reader r = {text, text + len, name, 1, 0};
	ls_toml *root = new_value(LS_TOML_TABLE, 1), *cur = root;
	ls_buf key = LS_BUF_INIT;
	int err = 0;
	*out = NULL;
	if (memchr(text, '\0', len)) {
		err = fail(&r, "NUL byte in the file");
		goto done;
	}
	for (;;) {
		skip_ws(&r, 1);
		if (r.s >= r.end)
			break;
		if (*r.s == '[') {
			int array = r.end - r.s >= 2 && r.s[1] == '[';
			r.s += array ? 2 : 1;
			ls_toml *parent;
			if ((err = key_path(&r, root, &parent, &key)) < 0)
				goto done;
			skip_ws(&r, 0);
			if (r.end - r.s < (array ? 2 : 1) || r.s[0] != ']' || (array && r.s[1] != ']')) {
				err = fail(&r, array ? "expected ']]'" : "expected ']'");
				goto done;
			}
			r.s += array ? 2 : 1;
			ls_toml *v = (ls_toml *)ls_toml_get(parent, key.ptr);
			if (array) {
				if (!v) {
					v = new_value(LS_TOML_ARRAY, r.line);
					push(parent, key.ptr, v);
				} else if (v->type != LS_TOML_ARRAY) {
					err = fail(&r, "[[key]] for a key that is no array of tables");
					goto done;
				}
				cur = new_value(LS_TOML_TABLE, r.line);
				cur->defined = 1;
				push(v, NULL, cur);
			} else {
				if (!v) {
					v = new_value(LS_TOML_TABLE, r.line);
					push(parent, key.ptr, v);
				} else if (v->type != LS_TOML_TABLE || v->defined) {
					err = fail(&r, "a table is defined twice");
					goto done;
				}
				v->defined = 1;
				cur = v;
			}
		} else {
			if ((err = read_keyval(&r, cur, &key, 0)) < 0)
				goto done;
		}
		if ((err = end_of_line(&r)) < 0)
			goto done;
	}
	*out = root;
	root = NULL;
done:
	ls_toml_free(root);
	ls_buf_dispose(&key);
	return err;
}
