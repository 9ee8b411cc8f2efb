#include "hsexpr.h"

#include <hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/*
 * The Hyperscan side of a rule only has to find a superset of its matches' end offsets
 * (PCRE2 confirms each one), and wide bounded repeats such as [A-Za-z0-9+/]{64,8192} are
 * what makes a database slow to compile and to run. So X{m,n} with a large n becomes X+
 * (or X* when m is 0) here. The pack's gaps between a key and its value, `[ \t]{0,100}`,
 * stay bounded: relaxed to `[ \t]*`, they made Hyperscan alone 6% slower on the full pack
 * (bench/pack-cost's tree), `\bkind["']?[ \t]*:[ \t]*["']?Secret\b` alone 1 ms in 19.
 */
#define RELAX_REPEAT_OVER 100

/*
 * Hyperscan does not need a rule's whole pattern either: a prefix of every match, ending
 * where a long run of value characters has shown its minimum length, is enough, because
 * PCRE2 looks for the match starting within the prefix's width before each reported end.
 * So `KEYWORD = ["']?([A-Za-z0-9+/]{16,255})(?:["'\s]|$)` reaches Hyperscan as
 * `KEYWORD = ["']?([A-Za-z0-9+/]{16})`: no state kept alive along every base64 run of the
 * input, and no match reported at each of its characters. The cut is made at the first
 * repeat of at least CUT_MIN_REPEAT characters whose maximum is over RELAX_REPEAT_OVER (or
 * unbounded), and only where the prefix is a superset: not inside a lookaround, with no
 * alternative after it in an open group or at the top, and no open group quantified.
 * Patterns using syntax this reader does not follow ((?x), \Q, POSIX classes) are not cut.
 */
#define CUT_MIN_REPEAT 8
#define CUT_KEEP 8
#define CUT_BEHIND 4

#define STR_(x) #x
#define STR(x) STR_(x)
const char ls_hsexpr_scheme[] = "relax" STR(RELAX_REPEAT_OVER) "+classes cut" STR(CUT_MIN_REPEAT) "-" STR(
    CUT_KEEP) "-" STR(CUT_BEHIND) " split1";

/* Past the escape at `p` (a backslash): `\x{..}`-style braces included. */
static const char *skip_escape(const char *p)
{
	if (!p[1])
		return p + 1;
	if (strchr("xopPgkN", p[1]) && p[2] == '{') {
		const char *e = strchr(p + 2, '}');
		return e ? e + 1 : p + 2;
	}
	return p + 2;
}

/* Past the character class opening at `p`. */
static const char *skip_class(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++; /* a leading ] is literal */
	while (*p && *p != ']')
		p = *p == '\\' ? skip_escape(p) : p + 1;
	return *p ? p + 1 : p;
}

char *ls_hsexpr_relax(const char *pat)
{
	ls_buf b = LS_BUF_INIT;
	for (const char *p = pat; *p;) {
		const char *next = *p == '\\' ? skip_escape(p) : *p == '[' ? skip_class(p) : NULL;
		if (next) {
			ls_buf_put(&b, p, (size_t)(next - p));
			p = next;
			continue;
		}
		unsigned long lo, hi;
		int used = 0;
		if (*p == '{' && sscanf(p, "{%lu,%lu}%n", &lo, &hi, &used) == 2 && used > 0 && hi > RELAX_REPEAT_OVER &&
		    hi >= lo) {
			/* not X{m,}: Hyperscan expands a repeat's minimum into states too */
			ls_buf_putc(&b, lo ? '+' : '*');
			p += used;
			continue;
		}
		ls_buf_putc(&b, *p++);
	}
	return ls_buf_detach(&b);
}

/* A quantifier at `p`: its bounds (hi = SIZE_MAX: unbounded) and its end (lazy or
 * possessive suffix included), or NULL. */
static const char *quantifier(const char *p, size_t *lo, size_t *hi)
{
	unsigned long a, b;
	int used = 0;
	const char *e = NULL;
	if (*p == '*' || *p == '+' || *p == '?') {
		*lo = *p == '+';
		*hi = *p == '?' ? 1 : SIZE_MAX;
		e = p + 1;
	} else if (*p == '{' && sscanf(p, "{%lu,%lu}%n", &a, &b, &used) == 2 && used > 0 && b >= a) {
		*lo = a;
		*hi = b;
		e = p + used;
	} else if (*p == '{' && sscanf(p, "{%lu,}%n", &a, &used) == 1 && used > 0) {
		*lo = a;
		*hi = SIZE_MAX;
		e = p + used;
	} else if (*p == '{' && sscanf(p, "{%lu}%n", &a, &used) == 1 && used > 0) {
		*lo = *hi = a;
		e = p + used;
	}
	if (e && (*e == '?' || *e == '+'))
		e++;
	return e;
}

/* Whether nothing after `p` (inside `depth` open groups) stops the pattern being cut there. */
static int cut_ok(const char *p, int depth)
{
	int d = 0;
	while (*p) {
		if (*p == '\\') {
			p = skip_escape(p);
		} else if (*p == '[') {
			p = skip_class(p);
		} else if (*p == '(') {
			d++;
			p++;
		} else if (*p == ')') {
			p++;
			if (d > 0) {
				d--;
				continue;
			}
			size_t lo, hi;
			if (depth-- == 0 || quantifier(p, &lo, &hi))
				return 0; /* unbalanced, or an open group is quantified */
		} else if (*p == '|' && d == 0) {
			return 0; /* an alternative the prefix would lose */
		} else {
			p++;
		}
	}
	return 1;
}

char *ls_hsexpr_cut(const char *pat)
{
	if (strstr(pat, "(?x") || strstr(pat, "\\Q") || strstr(pat, "[:"))
		return NULL;
	int depth = 0, look = 0; /* open groups; of which lookarounds */
	unsigned char lookat[64];
	for (const char *p = pat; *p;) {
		if (*p == '\\') {
			p = skip_escape(p);
			continue;
		}
		if (*p == '[') {
			p = skip_class(p);
			continue;
		}
		if (*p == '(') {
			int is_look = p[1] == '?' && (p[2] == '=' || p[2] == '!' || (p[2] == '<' && (p[3] == '=' || p[3] == '!')));
			if (p[1] == '?') {
				/* (?i) and the like set flags and open nothing */
				const char *q = p + 2;
				while (*q && strchr("imsxnJU-^", *q))
					q++;
				if (*q == ')') {
					p = q + 1;
					continue;
				}
			}
			if (depth == (int)sizeof(lookat))
				return NULL;
			lookat[depth++] = (unsigned char)is_look;
			look += is_look;
			p++;
			continue;
		}
		if (*p == ')') {
			if (depth == 0)
				return NULL;
			look -= lookat[--depth];
			p++;
			continue;
		}
		size_t lo, hi;
		const char *e = quantifier(p, &lo, &hi);
		if (!e) {
			p++;
			continue;
		}
		if (lo >= CUT_MIN_REPEAT && !look && cut_ok(e, depth)) {
			ls_buf b = LS_BUF_INIT;
			ls_buf_put(&b, pat, (size_t)(p - pat));
			ls_buf_printf(&b, "{%d}", CUT_KEEP);
			for (int i = 0; i < depth; i++)
				ls_buf_putc(&b, ')');
			/* only behind enough of the pattern that the prefix stays selective */
			hs_expr_info_t *info = NULL;
			hs_compile_error_t *cerr = NULL;
			if (hs_expression_info(b.ptr, 0, &info, &cerr) == HS_SUCCESS && info->min_width >= CUT_KEEP + CUT_BEHIND) {
				free(info);
				return ls_buf_detach(&b);
			}
			free(info);
			hs_free_compile_error(cerr);
			ls_buf_dispose(&b);
		}
		p = e;
	}
	return NULL;
}

char *ls_hsexpr_derive(const char *pattern)
{
	char *cut = ls_hsexpr_cut(pattern);
	char *e = ls_hsexpr_relax(cut ? cut : pattern);
	free(cut);
	return e;
}


/*
 * Hyperscan finds a pattern by the rarest strings every match must contain. Given a long
 * leading keyword list such as `(?:api[_.-]?key|access[_.-]?key|private[_.-]?key|...)`,
 * it gives up on the list past about eight strings and looks for what all its branches
 * share, here `key`, which occurs every few hundred bytes of source code. A few expressions
 * of a few branches each keep the keywords themselves as what Hyperscan looks for.
 */
int ls_hsexpr_split(const char *expr, int per, ls_strlist *out)
{
	if (strstr(expr, "(?x") || strstr(expr, "\\Q"))
		return -1; /* comments and quoting: a | that does not separate branches */
	const char *p = expr;
	if (p[0] == '(' && p[1] == '?') { /* leading flags, such as (?i) */
		const char *q = p + 2;
		while (*q && strchr("imsxnJU-^", *q))
			q++;
		if (*q == ')')
			p = q + 1;
	}
	if (p[0] == '\\' && p[1] == 'b')
		p += 2;
	if (strncmp(p, "(?:", 3) != 0 || per < 1)
		return -1;
	const char *open = p, *first = p + 3;
	const char **bars = NULL; /* top-level | of the group */
	size_t nbars = 0;
	int depth = 1;
	for (p = first; *p && depth > 0;) {
		if (*p == '\\') {
			p = skip_escape(p);
		} else if (*p == '[') {
			p = skip_class(p);
		} else {
			if (*p == '(')
				depth++;
			else if (*p == ')')
				depth--;
			else if (*p == '|' && depth == 1) {
				bars = ls_xrealloc(bars, (nbars + 1) * sizeof(*bars));
				bars[nbars++] = p;
			}
			if (depth > 0)
				p++;
		}
	}
	size_t lo, hi;
	if (depth != 0 || quantifier(p + 1, &lo, &hi)) { /* unbalanced, or the group is repeated */
		free(bars);
		return -1;
	}
	const char *close = p, *rest = p + 1;
	size_t nalts = nbars + 1;
	if (nalts <= (size_t)per) {
		free(bars);
		ls_strlist_push(out, expr);
		return 1;
	}
	int pieces = 0;
	for (size_t i = 0; i < nalts; i += (size_t)per) {
		size_t j = i + (size_t)per < nalts ? i + (size_t)per : nalts; /* branches [i, j) */
		const char *from = i ? bars[i - 1] + 1 : first, *to = j < nalts ? bars[j - 1] : close;
		ls_buf b = LS_BUF_INIT;
		ls_buf_put(&b, expr, (size_t)(open - expr));
		ls_buf_puts(&b, "(?:");
		ls_buf_put(&b, from, (size_t)(to - from));
		ls_buf_putc(&b, ')');
		ls_buf_puts(&b, rest);
		char *e = ls_buf_detach(&b);
		ls_strlist_push(out, e);
		free(e);
		pieces++;
	}
	free(bars);
	return pieces;
}
