#include "ere.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs.h>
#include <pcre2.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "hscache.h"

char *ls_ere_literal(const char *s)
{
	ls_buf b = LS_BUF_INIT;
	ls_buf_puts(&b, "");
	for (; *s; s++) {
		if (strchr("\\.|$(){}?+*^", *s))
			ls_buf_putc(&b, '\\');
		ls_buf_putc(&b, *s);
	}
	return ls_buf_detach(&b);
}

static void put_lit(ls_buf *b, unsigned char c)
{
	if (c >= 0x80 || c < 0x20 || c == 0x7f)
		ls_buf_printf(b, "\\x%02x", c);
	else if (strchr("\\^$.|?*+()[]{}", c))
		ls_buf_printf(b, "\\%c", c);
	else
		ls_buf_putc(b, (char)c);
}

static const char *const posix_classes[] = {"alpha", "upper", "lower", "digit", "xdigit", "space",
                                            "print", "punct", "graph", "cntrl", "blank", "alnum"};

/* A bracket expression at s[0] == '['; appends the PCRE2 class, returns the length read. */
static int bracket(ls_buf *b, const char *s, size_t *used)
{
	size_t j = 1;
	ls_buf_putc(b, '[');
	if (s[j] == '^') {
		ls_buf_putc(b, '^');
		j++;
	}
	int first = 1;
	while (first || s[j] != ']') {
		if (!s[j])
			return ls_error_set("Unmatched [, [^, [:, [., or [=");
		unsigned char c = (unsigned char)s[j];
		if (c == '[' && (s[j + 1] == ':' || s[j + 1] == '.' || s[j + 1] == '=')) {
			char kind = s[j + 1];
			const char *end = s + j + 2;
			while (*end && !(end[0] == kind && end[1] == ']'))
				end++;
			if (!*end)
				return ls_error_set("Unmatched [, [^, [:, [., or [=");
			size_t nlen = (size_t)(end - (s + j + 2));
			if (kind == ':') {
				int ok = 0;
				for (size_t k = 0; k < sizeof(posix_classes) / sizeof(*posix_classes); k++)
					if (strlen(posix_classes[k]) == nlen && !strncmp(posix_classes[k], s + j + 2, nlen))
						ok = 1;
				if (!ok)
					return ls_error_set("Invalid character class name");
				ls_buf_put(b, s + j, nlen + 4);
			} else {
				if (nlen != 1)
					return ls_error_set("Invalid collation character");
				ls_buf_printf(b, "\\x%02x", (unsigned char)s[j + 2]);
			}
			j += nlen + 4;
			first = 0;
			continue;
		}
		if (s[j + 1] == '-' && s[j + 2] && s[j + 2] != ']') {
			unsigned char d = (unsigned char)s[j + 2];
			if (d == '[')
				return ls_error_set("range ending in a bracket item");
			if (d < c)
				return ls_error_set("Invalid range end");
			ls_buf_printf(b, "\\x%02x-\\x%02x", c, d);
			j += 3;
		} else {
			ls_buf_printf(b, "\\x%02x", c);
			j++;
		}
		first = 0;
	}
	ls_buf_putc(b, ']');
	*used = j + 1;
	return 0;
}

/* Parses an interval at s[0] == '{': sets lo/hi (-1: none); returns its length or 0. */
static size_t interval(const char *s, long *lo, long *hi)
{
	size_t j = 1;
	*lo = -1;
	*hi = -1;
	if (s[j] >= '0' && s[j] <= '9') {
		*lo = 0;
		for (; s[j] >= '0' && s[j] <= '9'; j++)
			if (*lo <= 100000) /* saturates: anything above RE_DUP_MAX is refused */
				*lo = *lo * 10 + (s[j] - '0');
	}
	if (s[j] == '}')
		return *lo < 0 ? 0 : (*hi = *lo, j + 1);
	if (s[j] != ',')
		return 0;
	j++;
	if (s[j] >= '0' && s[j] <= '9') {
		*hi = 0;
		for (; s[j] >= '0' && s[j] <= '9'; j++)
			if (*hi <= 100000)
				*hi = *hi * 10 + (s[j] - '0');
	}
	if (s[j] != '}')
		return 0;
	if (*lo < 0)
		*lo = 0;
	if (*hi >= 0 && *hi < *lo)
		return 0;
	return j + 1;
}

/* grep: GNU grep -E's reading (a repetition of nothing is dropped, with grep's warning
 * appended to `warn`); otherwise the C library's (the caller has checked it with regcomp). */
static int translate(ls_buf *out, const char *ere, int grep, ls_buf *warn)
{
	ls_buf b = LS_BUF_INIT;
	size_t groups[256];
	unsigned numbers[256];
	unsigned opened = 0, closed = 0; /* groups opened so far; bit N: group N is closed */
	int depth = 0;
	long atom = -1;     /* where the last quantifiable item starts in b, or -1 */
	int quantified = 0; /* the last item already has a quantifier */
	int err = 0;
	ls_buf_puts(&b, "");
	for (size_t i = 0; ere[i];) {
		unsigned char c = (unsigned char)ere[i];
		size_t here = b.len;
		switch (c) {
		case '\\': {
			unsigned char n = (unsigned char)ere[i + 1];
			if (!n) {
				err = ls_error_set("Trailing backslash");
				goto done;
			}
			i += 2;
			quantified = 0;
			atom = (long)here;
			if (n >= '1' && n <= '9') {
				/* as regcomp: only a group already closed can be referred to */
				if (!(closed & (1u << (n - '0')))) {
					err = ls_error_set("Invalid back reference");
					goto done;
				}
				ls_buf_printf(&b, "(?:\\%c)", n);
			} else if (strchr("wWsS", n)) {
				ls_buf_printf(&b, "\\%c", n);
			} else if (n == 'b' || n == 'B') {
				ls_buf_printf(&b, "\\%c", n);
				atom = -1;
			} else if (n == '<') {
				ls_buf_puts(&b, "\\b(?=\\w)");
				atom = -1;
			} else if (n == '>') {
				ls_buf_puts(&b, "\\b(?<=\\w)");
				atom = -1;
			} else if (n == '`') {
				ls_buf_puts(&b, "\\A");
				atom = -1;
			} else if (n == '\'') {
				ls_buf_puts(&b, "\\z");
				atom = -1;
			} else {
				put_lit(&b, n);
			}
			continue;
		}
		case '[': {
			size_t used = 0;
			if ((err = bracket(&b, ere + i, &used)) < 0)
				goto done;
			i += used;
			atom = (long)here;
			quantified = 0;
			continue;
		}
		case '(':
			if (depth == (int)(sizeof(groups) / sizeof(*groups))) {
				err = ls_error_set("too many nested groups");
				goto done;
			}
			numbers[depth] = ++opened;
			groups[depth++] = here;
			ls_buf_putc(&b, '(');
			atom = -1;
			i++;
			continue;
		case ')':
			if (!depth) {
				err = ls_error_set("Unmatched ) or \\)");
				goto done;
			}
			ls_buf_putc(&b, ')');
			depth--;
			if (numbers[depth] < 32)
				closed |= 1u << numbers[depth];
			atom = (long)groups[depth];
			quantified = 0;
			i++;
			continue;
		case '|':
			ls_buf_putc(&b, '|');
			atom = -1;
			i++;
			continue;
		case '^':
		case '$':
			ls_buf_putc(&b, (char)c);
			atom = -1;
			i++;
			continue;
		case '.':
			ls_buf_putc(&b, '.');
			atom = (long)here;
			quantified = 0;
			i++;
			continue;
		case '*':
		case '+':
		case '?':
		case '{': {
			long lo = 0, hi = 0;
			size_t ilen = c == '{' ? interval(ere + i, &lo, &hi) : 1;
			if (c == '{' && ilen && (lo > 32767 || hi > 32767)) {
				/* RE_DUP_MAX, as the C library and grep */
				err = ls_error_set("Regular expression too big");
				goto done;
			}
			if (atom < 0 && grep && ilen) {
				/* GNU grep: a repetition of nothing (at the start, after '(' or '|', or of
				 * an anchor) repeats the empty string; `^*` makes the anchor optional */
				if (warn)
					ls_buf_printf(warn, "grep: warning: %s at start of expression\n",
					              c == '{' ? "{...}" : c == '*' ? "*" : c == '+' ? "+" : "?");
				if (b.len && b.ptr[b.len - 1] == '^' && (b.len == 1 || b.ptr[b.len - 2] != '\\'))
					b.ptr[--b.len] = '\0';
				i += ilen;
				continue;
			}
			if (atom < 0 || ilen == 0) {
				/* nothing to repeat, or not an interval: a literal character */
				put_lit(&b, c);
				atom = (long)here;
				quantified = 0;
				i++;
				continue;
			}
			if (quantified) {
				/* ERE a** or a+? repeat the repetition; PCRE2 would read them as possessive or lazy */
				ls_buf tmp = LS_BUF_INIT;
				ls_buf_puts(&tmp, "(?:");
				ls_buf_put(&tmp, b.ptr + atom, b.len - (size_t)atom);
				ls_buf_putc(&tmp, ')');
				b.len = (size_t)atom;
				ls_buf_put(&b, tmp.ptr, tmp.len);
				ls_buf_dispose(&tmp);
			}
			if (c == '{') {
				if (hi < 0)
					ls_buf_printf(&b, "{%ld,}", lo);
				else if (hi == lo)
					ls_buf_printf(&b, "{%ld}", lo);
				else
					ls_buf_printf(&b, "{%ld,%ld}", lo, hi);
			} else {
				ls_buf_putc(&b, (char)c);
			}
			quantified = 1;
			i += ilen;
			continue;
		}
		default:
			put_lit(&b, c);
			atom = (long)here;
			quantified = 0;
			i++;
			continue;
		}
	}
	if (depth) {
		err = ls_error_set("Unmatched ( or \\(");
		goto done;
	}
	ls_buf_put(out, b.ptr, b.len);
done:
	ls_buf_dispose(&b);
	return err < 0 ? LS_EINVAL : 0;
}

int ls_ere_to_pcre2(ls_buf *out, const char *ere) { return translate(out, ere, 0, NULL); }

typedef struct {
	pcre2_code *re;          /* NULL: use posix */
	pcre2_match_data *md;
	pcre2_code *pre;         /* multi-line, JIT: can any line match at all? NULL: maybe */
	pcre2_match_data *pre_md;
	char *pre_src;           /* its source, for the Hyperscan prefilter */
	regex_t posix;
	int has_posix;
	int backref;
} ere_one;

struct ls_ere {
	ls_ere_mode mode;
	ere_one *v;
	size_t n;
	hs_database_t *hs;       /* every `pre` at once (a superset), or NULL: each pre in turn */
	hs_scratch_t *hs_scratch;
	int ws[4096];
};

void ls_ere_free(ls_ere *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n; i++) {
		pcre2_code_free(e->v[i].re);
		pcre2_code_free(e->v[i].pre);
		pcre2_match_data_free(e->v[i].pre_md);
		free(e->v[i].pre_src);
		pcre2_match_data_free(e->v[i].md);
		if (e->v[i].has_posix)
			regfree(&e->v[i].posix);
	}
	free(e->v);
	hs_free_scratch(e->hs_scratch);
	hs_free_database(e->hs);
	free(e);
}

static int compile_one(ere_one *o, const char *ere, ls_ere_mode mode, ls_buf *notes)
{
	int grep = mode != LS_ERE_GIT_GREP_WORDS;
	int rc = regcomp(&o->posix, ere, REG_EXTENDED);
	char msg[256] = "";
	if (rc != 0)
		regerror(rc, &o->posix, msg, sizeof(msg));
	else
		o->has_posix = 1;
	if (rc != 0 && !grep)
		return ls_error_set("%s", msg), LS_EINVAL;
	ls_buf t = LS_BUF_INIT, warn = LS_BUF_INIT;
	ls_buf_puts(&t, "");
	int terr = translate(&t, ere, grep, &warn);
	if (rc != 0 && terr < 0) {
		/* invalid for GNU grep too: the C library's message, as grep prints it */
		ls_buf_dispose(&t);
		ls_buf_dispose(&warn);
		return ls_error_set("%s", msg), LS_EINVAL;
	}
	ls_buf_put(notes, warn.ptr ? warn.ptr : "", warn.len);
	ls_buf_dispose(&warn);
	for (const char *p = ere; *p; p++)
		if (p[0] == '\\' && p[1] && (o->backref |= p[1] >= '1' && p[1] <= '9', 1))
			p++;
	if (terr == 0) {
		ls_buf pat = LS_BUF_INIT;
		if (mode == LS_ERE_GREP_WORDS)
			ls_buf_printf(&pat, "(?<![A-Za-z0-9_])(?:%s)(?![A-Za-z0-9_])", t.ptr);
		else
			ls_buf_printf(&pat, "(?:%s)", t.ptr);
		int ec;
		PCRE2_SIZE eo;
		pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
		pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
		o->re = pcre2_compile((PCRE2_SPTR)pat.ptr, pat.len, PCRE2_DOLLAR_ENDONLY | PCRE2_DOTALL, &ec, &eo, cc);
		if (o->re && mode != LS_ERE_GIT_GREP_WORDS)
			pcre2_jit_compile(o->re, PCRE2_JIT_COMPLETE); /* optional: interpreted otherwise */
		/* the prefilter sees a whole file: ^ and $ at line ends, . not across lines; \` and
		 * \' (buffer start and end) would mean something else there: no prefilter then */
		if (o->re && !strstr(t.ptr, "\\A") && !strstr(t.ptr, "\\z")) {
			o->pre = pcre2_compile((PCRE2_SPTR)pat.ptr, pat.len, PCRE2_MULTILINE, &ec, &eo, cc);
			if (o->pre) {
				pcre2_jit_compile(o->pre, PCRE2_JIT_COMPLETE);
				o->pre_md = pcre2_match_data_create(1, NULL);
				o->pre_src = ls_xstrdup(pat.ptr);
			}
		}
		pcre2_compile_context_free(cc);
		ls_buf_dispose(&pat);
		if (o->re && mode == LS_ERE_GIT_GREP_WORDS && o->backref) {
			/* the DFA matcher cannot do back-references: the C library can */
			pcre2_code_free(o->re);
			o->re = NULL;
		}
		if (o->re)
			o->md = pcre2_match_data_create(4, NULL);
	}
	if (!o->re && !o->has_posix) {
		ls_buf_dispose(&t);
		return ls_error_set("%s", msg[0] ? msg : "cannot compile the pattern"), LS_EINVAL;
	}
	if (!o->re && !(mode == LS_ERE_GIT_GREP_WORDS && o->backref))
		ls_buf_printf(notes, "leakscan: pattern '%s' is matched by the C library's regex engine (%s)\n", ere,
		              terr ? ls_error_last() : "PCRE2 cannot compile its translation");
	ls_buf_dispose(&t);
	return 0;
}

/*
 * The whole-file test of ls_ere_may_match as one Hyperscan database in prefilter mode (a
 * superset of the PCRE2 prefilters; it stops at the first candidate). A file is scanned
 * many times faster than by each JIT prefilter in turn, which matters when every blob of a
 * history goes through it. Patterns Hyperscan cannot take keep the PCRE2 prefilters.
 */
#define ERE_CACHE_MAGIC "LSEREDB1"

static void compile_prefilter(ls_ere *e, const char *cache_dir)
{
	if (!e->n)
		return;
	ls_hscache_init();
	const char **src = ls_xcalloc(e->n, sizeof(char *));
	unsigned *flags = ls_xcalloc(e->n, sizeof(unsigned)), *ids = ls_xcalloc(e->n, sizeof(unsigned));
	size_t k = 0;
	for (; k < e->n && e->v[k].pre_src; k++) {
		src[k] = e->v[k].pre_src;
		flags[k] = HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH | HS_FLAG_MULTILINE | HS_FLAG_ALLOWEMPTY;
		ids[k] = (unsigned)k;
	}
	hs_compile_error_t *cerr = NULL;
	char *path = NULL;
	int cached = 0;
	if (k == e->n && cache_dir) {
		ls_buf key = LS_BUF_INIT;
		ls_buf_puts(&key, "ere-prefilter\n");
		for (size_t i = 0; i < k; i++) {
			ls_buf_printf(&key, "%u %s", flags[i], src[i]);
			ls_buf_putc(&key, '\0');
		}
		path = ls_hscache_path(cache_dir, key.ptr, key.len);
		ls_buf_dispose(&key);
		cached = ls_hscache_load(path, ERE_CACHE_MAGIC, NULL, 0, &e->hs);
	}
	if (cached || (k == e->n && hs_compile_multi(src, flags, ids, (unsigned)k, HS_MODE_BLOCK, NULL, &e->hs,
	                                              &cerr) == HS_SUCCESS)) {
		if (path && !cached)
			ls_hscache_store(cache_dir, path, ERE_CACHE_MAGIC, NULL, 0, e->hs);
		if (hs_alloc_scratch(e->hs, &e->hs_scratch) != HS_SUCCESS) {
			hs_free_database(e->hs);
			e->hs = NULL;
		}
	} else {
		hs_free_compile_error(cerr);
		e->hs = NULL;
	}
	free(path);
	free(src);
	free(flags);
	free(ids);
}

static int stop_at_first(unsigned id, unsigned long long from, unsigned long long to, unsigned fl, void *ctx)
{
	(void)id, (void)from, (void)to, (void)fl;
	*(int *)ctx = 1;
	return 1;
}

int ls_ere_new(ls_ere **out, const char *const *patterns, size_t n, ls_ere_mode mode, char **notes)
{
	return ls_ere_new_cached(out, patterns, n, mode, NULL, notes);
}

int ls_ere_new_cached(ls_ere **out, const char *const *patterns, size_t n, ls_ere_mode mode, const char *cache_dir,
                      char **notes)
{
	ls_ere *e = ls_xcalloc(1, sizeof(*e));
	ls_buf fb = LS_BUF_INIT;
	int err = 0;
	e->mode = mode;
	if (mode == LS_ERE_GIT_GREP_WORDS) {
		/* git-secrets joins the patterns with '|' into one ERE */
		ls_buf joined = LS_BUF_INIT;
		ls_buf_puts(&joined, "");
		for (size_t i = 0; i < n; i++)
			ls_buf_printf(&joined, "%s%s", i ? "|" : "", patterns[i]);
		e->v = ls_xcalloc(1, sizeof(ere_one));
		e->n = n ? 1 : 0;
		if (n)
			err = compile_one(&e->v[0], joined.ptr, mode, &fb);
		ls_buf_dispose(&joined);
	} else {
		e->v = ls_xcalloc(n ? n : 1, sizeof(ere_one));
		for (size_t i = 0; i < n && !err; i++, e->n++)
			err = compile_one(&e->v[i], patterns[i], mode, &fb);
	}
	if (err < 0) {
		ls_ere_free(e);
		ls_buf_dispose(&fb);
		return err;
	}
	compile_prefilter(e, cache_dir);
	if (notes)
		*notes = fb.len ? ls_buf_detach(&fb) : NULL;
	ls_buf_dispose(&fb);
	*out = e;
	return 0;
}

static int is_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Leftmost-longest match at or after `off`: 1 and the bounds, or 0. */
static int longest(ls_ere *e, ere_one *o, const char *line, size_t len, size_t off, size_t *so, size_t *eo)
{
	if (o->re) {
		int rc = pcre2_dfa_match(o->re, (PCRE2_SPTR)line, len, off, 0, o->md, NULL, e->ws,
		                         sizeof(e->ws) / sizeof(*e->ws));
		if (rc >= 0) {
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(o->md);
			*so = ov[0];
			*eo = ov[1];
			return 1;
		}
		if (rc == PCRE2_ERROR_NOMATCH)
			return 0;
		/* out of DFA workspace or limits: the C library's engine decides */
	}
	regmatch_t m[1];
	m[0].rm_so = (regoff_t)off;
	m[0].rm_eo = (regoff_t)len;
	int flags = REG_STARTEND | (off ? REG_NOTBOL : 0);
	if (regexec(&o->posix, line, 1, m, flags) != 0)
		return 0;
	*so = (size_t)m[0].rm_so;
	*eo = (size_t)m[0].rm_eo;
	return 1;
}

/* grep -w for the C library's engine: every match end at every start, as GNU grep tries them. */
static int posix_words(ere_one *o, const char *line, size_t len)
{
	for (size_t start = 0; start <= len; start++) {
		regmatch_t m[1];
		m[0].rm_so = (regoff_t)start;
		m[0].rm_eo = (regoff_t)len;
		if (regexec(&o->posix, line, 1, m, REG_STARTEND | (start ? REG_NOTBOL : 0)) != 0)
			return 0;
		size_t so = (size_t)m[0].rm_so, end = (size_t)m[0].rm_eo;
		for (;;) {
			if ((so == 0 || !is_word((unsigned char)line[so - 1])) &&
			    (end == len || !is_word((unsigned char)line[end])))
				return 1;
			if (end == so)
				break;
			/* a shorter match anchored at so */
			regmatch_t s[1];
			s[0].rm_so = (regoff_t)so;
			s[0].rm_eo = (regoff_t)(end - 1);
			if (regexec(&o->posix, line, 1, s, REG_STARTEND | REG_NOTEOL | (so ? REG_NOTBOL : 0)) != 0 ||
			    (size_t)s[0].rm_so != so)
				break;
			end = (size_t)s[0].rm_eo;
		}
		start = so;
	}
	return 0;
}

int ls_ere_may_match(ls_ere *e, const char *buf, size_t len)
{
	if (e->hs && len <= UINT_MAX) {
		int hit = 0;
		hs_error_t rc = hs_scan(e->hs, buf, (unsigned)len, 0, e->hs_scratch, stop_at_first, &hit);
		if (rc == HS_SUCCESS || rc == HS_SCAN_TERMINATED)
			return hit;
		/* otherwise: the PCRE2 prefilters decide */
	}
	for (size_t i = 0; i < e->n; i++) {
		ere_one *o = &e->v[i];
		if (!o->pre || pcre2_match(o->pre, (PCRE2_SPTR)buf, len, 0, 0, o->pre_md, NULL) != PCRE2_ERROR_NOMATCH)
			return 1;
	}
	return 0;
}

int ls_ere_match_line(ls_ere *e, const char *line, size_t len)
{
	if (e->mode == LS_ERE_GIT_GREP_WORDS) {
		if (!e->n)
			return 0;
		ere_one *o = &e->v[0];
		size_t off = 0, so, eo;
		/* most lines do not match at all: the JIT-compiled test is much cheaper than the DFA */
		if (o->pre && pcre2_match(o->pre, (PCRE2_SPTR)line, len, 0, 0, o->pre_md, NULL) == PCRE2_ERROR_NOMATCH)
			return 0;
		/* git grep -w (grep.c): the leftmost-longest match must have non-word characters (or
		 * the line's ends) on both sides and not be empty; otherwise look again after the
		 * next non-word character */
		while (longest(e, o, line, len, off, &so, &eo)) {
			if ((so == 0 || !is_word((unsigned char)line[so - 1])) &&
			    (eo == len || !is_word((unsigned char)line[eo])) && so != eo)
				return 1;
			if (so + 1 >= len)
				return 0;
			off = so + 1;
			while (off < len && is_word((unsigned char)line[off - 1]))
				off++;
			if (off >= len)
				return 0;
		}
		return 0;
	}
	for (size_t i = 0; i < e->n; i++) {
		ere_one *o = &e->v[i];
		if (o->re) {
			int rc = pcre2_match(o->re, (PCRE2_SPTR)line, len, 0, 0, o->md, NULL);
			if (rc >= 0)
				return 1;
			if (rc == PCRE2_ERROR_NOMATCH)
				continue;
			/* an engine error (JIT stack, match limit) is not "no match": the C library's
			 * engine decides, as grep's would; without one, count it as a match (fail closed) */
			if (!o->has_posix)
				return 1;
		}
		if (e->mode == LS_ERE_GREP_WORDS) {
			if (posix_words(o, line, len))
				return 1;
			continue;
		}
		regmatch_t m[1];
		m[0].rm_so = 0;
		m[0].rm_eo = (regoff_t)len;
		if (regexec(&o->posix, line, 1, m, REG_STARTEND) == 0)
			return 1;
	}
	return 0;
}
