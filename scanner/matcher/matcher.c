#include "matcher.h"
#include <stdio.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "hscache.h"
#include "hsexpr.h"

/* Bytes of context kept on each side of a chunk so that anchors like \b see real data. */
#define GUARD 64
/* partner[] of a `pair_with` rule whose partner is not compiled in: never confirmed */
#define NEVER (SIZE_MAX - 1)

struct ls_matcher {
	hs_database_t *db;
	const ls_ruleset *rs; /* borrowed: every rule, compiled in or not */
	const ls_rule **rules;
	pcre2_code **codes;
	unsigned char *prepared;   /* per rule: codes[k] compiled and JIT-compiled (see prepare_once) */
	pthread_mutex_t *prepare_lock; /* taken to prepare one; a pointer: scans see a const matcher */
	size_t *width;   /* confirmation window per rule */
	size_t *partner; /* `pair_with` partner's index per rule, or SIZE_MAX */
	unsigned char *is_partner; /* some rule pairs with this one: record its matches */
	size_t *paired;  /* the rules with a partner compiled in, in rule order */
	size_t *group;   /* per paired[j]: its (partner, pair_lines) group, in 0..ngroups-1 */
	size_t npaired, ngroups;
	size_t n;
	size_t max_width;
	ls_matcher_options opts;
};

typedef struct {
	uint32_t rule;
	size_t first, last; /* range of Hyperscan end offsets */
} cluster;

struct ls_scratch {
	hs_scratch_t *hs;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit;
	cluster *open;     /* per rule, the cluster being grown (last == 0: none) */
	cluster *done;
	size_t ndone, capdone;
	size_t *emitted;   /* per rule, end of the last reported match in this scan... */
	uint32_t *emitted_gen; /* ...if emitted_gen[k] == gen; else nothing reported yet */
	uint32_t gen;      /* scans so far: per-rule state is reset by bumping it, not by memset */
	uint32_t *touched; /* rules whose open[] cluster is in use in this chunk */
	size_t ntouched;
	cluster *spans;    /* matches of partner rules in this scan (rule, start, end) */
	size_t nspans, capspans;
	cluster *ranges;   /* per group, the merged line ranges around its partner's spans... */
	size_t nranges, capranges;
	size_t *range_at;  /* ...at ranges[range_at[g]], range_n[g] of them, if range_gen[g] == gen */
	size_t *range_n;
	uint32_t *range_gen;
	const ls_rule *limit_rule;
	size_t base;       /* offset of the chunk being scanned */
	const ls_matcher *m;
};

void ls_matcher_free(ls_matcher *m)
{
	if (!m)
		return;
	hs_free_database(m->db);
	for (size_t i = 0; i < m->n; i++)
		pcre2_code_free(m->codes[i]);
	free(m->codes);
	free(m->prepared);
	if (m->prepare_lock)
		pthread_mutex_destroy(m->prepare_lock);
	free(m->prepare_lock);
	free(m->rules);
	free(m->width);
	free(m->partner);
	free(m->is_partner);
	free(m->paired);
	free(m->group);
	free(m);
}

size_t ls_matcher_rule_count(const ls_matcher *m) { return m->n; }

int ls_matcher_hyperscan_expressions(const ls_rule *r, ls_strlist *out)
{
	char *e = ls_hsexpr_derive(r->pattern);
	int n = r->split_alternatives > 0 ? ls_hsexpr_split(e, r->split_alternatives, out) : -1;
	if (n < 0) {
		ls_strlist_push(out, e);
		n = 1;
	}
	free(e);
	return n;
}

size_t ls_matcher_window(const ls_matcher *m, const ls_rule *r, int *capped)
{
	*capped = 0;
	for (size_t k = 0; k < m->n; k++) {
		if (m->rules[k] != r)
			continue;
		if (m->partner[k] != SIZE_MAX)
			return 0;
		*capped = m->width[k] >= m->opts.max_window;
		return m->width[k];
	}
	return 0;
}

/* ---- on-disk cache of compiled databases ---- */

#define CACHE_MAGIC "LSHSDB01"

/* Everything the compiled database and the stored widths depend on, besides Hyperscan's
 * version and the CPU (ls_hscache_path adds those). */
static char *cache_path(const ls_matcher *m)
{
	ls_buf b = LS_BUF_INIT;
	char pcre[64] = "";
	pcre2_config(PCRE2_CONFIG_VERSION, pcre);
	/* PCRE2's version too: a cache hit stands for "every pattern compiled" (see ls_matcher_new) */
	ls_buf_printf(&b, "%s\n%zu %zu %s pairs-apart\n", pcre, m->n, m->opts.max_window, ls_hsexpr_scheme);
	for (size_t i = 0; i < m->n; i++) {
		ls_buf_put(&b, m->rules[i]->pattern, strlen(m->rules[i]->pattern) + 1);
		ls_buf_printf(&b, "%d", m->rules[i]->split_alternatives);
		/* paired rules stay out of the database */
		ls_buf_putc(&b, m->partner[i] == SIZE_MAX ? '\n' : '\t');
	}
	char *path = ls_hscache_path(m->opts.cache_dir, b.ptr, b.len);
	ls_buf_dispose(&b);
	return path;
}

/* Cache file header: the rule count, then each rule's confirmation width. */
static int cache_load(ls_matcher *m, const char *path)
{
	size_t n = m->n;
	uint64_t *head = ls_xcalloc(n + 1, sizeof(uint64_t));
	int ok = ls_hscache_load(path, CACHE_MAGIC, head, (n + 1) * sizeof(uint64_t), &m->db) && head[0] == n;
	if (ok) {
		for (size_t i = 0; i < n; i++)
			m->width[i] = (size_t)head[i + 1];
	} else if (m->db) {
		hs_free_database(m->db);
		m->db = NULL;
	}
	free(head);
	return ok;
}

static void cache_store(const ls_matcher *m, const char *path)
{
	uint64_t *head = ls_xcalloc(m->n + 1, sizeof(uint64_t));
	head[0] = m->n;
	for (size_t i = 0; i < m->n; i++)
		head[i + 1] = m->width[i];
	ls_hscache_store(m->opts.cache_dir, path, CACHE_MAGIC, head, (m->n + 1) * sizeof(uint64_t), m->db);
	free(head);
}

/* Compiles rule `k`'s PCRE2 pattern into codes[k]; a one-line error names the rule. */
static int compile_pattern(const ls_matcher *m, size_t k)
{
	const ls_rule *r = m->rules[k];
	int ec;
	PCRE2_SIZE eo;
	m->codes[k] = pcre2_compile((PCRE2_SPTR)r->pattern, PCRE2_ZERO_TERMINATED, PCRE2_USE_OFFSET_LIMIT, &ec,
	                            &eo, NULL);
	if (m->codes[k])
		return 0;
	PCRE2_UCHAR msg[256];
	pcre2_get_error_message(ec, msg, sizeof(msg));
	return ls_error_set("%s:%d: rule '%s': invalid regex: %s at offset %zu", r->file, r->pattern_line, r->id,
	                    (const char *)msg, (size_t)eo);
}

static int pair_lines(const ls_rule *r) { return r->pair_lines >= 0 ? r->pair_lines : 5; }

int ls_matcher_new(ls_matcher **out, const ls_ruleset *rs, const ls_matcher_options *opts)
{
	ls_matcher_options defaults = LS_MATCHER_OPTIONS_INIT;
	ls_hscache_init(); /* before the first database */
	ls_matcher *m = ls_xcalloc(1, sizeof(*m));
	int err = 0;
	size_t total = ls_ruleset_count(rs);
	m->rs = rs;
	m->opts = opts ? *opts : defaults;
	m->rules = ls_xcalloc(total, sizeof(*m->rules));
	m->codes = ls_xcalloc(total, sizeof(*m->codes));
	m->prepared = ls_xcalloc(total ? total : 1, 1);
	m->prepare_lock = ls_xcalloc(1, sizeof(pthread_mutex_t));
	pthread_mutex_init(m->prepare_lock, NULL);
	m->width = ls_xcalloc(total, sizeof(*m->width));
	m->partner = ls_xcalloc(total ? total : 1, sizeof(*m->partner));
	m->is_partner = ls_xcalloc(total ? total : 1, 1);
	m->paired = ls_xcalloc(total ? total : 1, sizeof(*m->paired));
	m->group = ls_xcalloc(total ? total : 1, sizeof(*m->group));
	const char **exprs = ls_xcalloc(total, sizeof(char *));

	/* the enabled rules; their PCRE2 patterns are compiled below, or on first use */
	for (size_t i = 0; i < total; i++) {
		const ls_rule *r = ls_ruleset_get(rs, i);
		if (!r->enabled)
			continue;
		if (r->pair_with && !ls_ruleset_find(rs, r->pair_with)) {
			err = ls_error_set("%s:%d: rule '%s': pair_with names unknown rule '%s'", r->file, r->line,
			                   r->id, r->pair_with);
			goto done;
		}
		m->rules[m->n] = r;
		m->n++;
	}
	if (m->n == 0)
		goto done; /* nothing to match: scans find nothing */
	for (size_t k = 0; k < m->n; k++) {
		const char *want = m->rules[k]->pair_with;
		m->partner[k] = want ? NEVER : SIZE_MAX;
		for (size_t q = 0; want && q < m->n; q++)
			if (!strcmp(m->rules[q]->id, want)) {
				m->partner[k] = q;
				m->is_partner[q] = 1;
			}
		if (m->partner[k] < NEVER)
			m->paired[m->npaired++] = k;
	}
	/* paired rules with the same partner and distance look at the same lines: one group */
	for (size_t j = 0; j < m->npaired; j++) {
		size_t g = m->ngroups;
		for (size_t i = 0; i < j && g == m->ngroups; i++)
			if (m->partner[m->paired[i]] == m->partner[m->paired[j]] &&
			    pair_lines(m->rules[m->paired[i]]) == pair_lines(m->rules[m->paired[j]]))
				g = m->group[i];
		m->group[j] = g;
		if (g == m->ngroups)
			m->ngroups++;
	}

	/* flags depend on widths, which come from the cache or from hs_expression_info */
	char *cpath = NULL;
	int cached = 0;
	if (m->opts.cache_dir) {
		cpath = cache_path(m);
		cached = cache_load(m, cpath);
	}
	if (!cached) {
		/* a cached database proves the set compiled before: then each pattern waits for its
		 * first candidate (see prepare_once); otherwise all are checked now */
		for (size_t k = 0; k < m->n; k++)
			if ((err = compile_pattern(m, k)) < 0) {
				free(cpath);
				goto done;
			}
		for (size_t k = 0; k < m->n; k++) {
			const ls_rule *r = m->rules[k];
			hs_expr_info_t *info = NULL;
			hs_compile_error_t *cerr = NULL;
			if (hs_expression_info(r->pattern, 0, &info, &cerr) != HS_SUCCESS) {
				err = ls_error_set("%s:%d: rule '%s': pattern rejected by Hyperscan: %s", r->file,
				                   r->pattern_line, r->id, cerr ? cerr->message : "unknown error");
				hs_free_compile_error(cerr);
				free(cpath);
				goto done;
			}
			/* what Hyperscan compiles: the cut prefix (whose matches start within its own
			 * width of each end it reports), or the pattern, with wide repeats relaxed */
			char *cut = ls_hsexpr_cut(r->pattern);
			if (cut) {
				hs_expr_info_t *ci = NULL;
				if (hs_expression_info(cut, 0, &ci, &cerr) == HS_SUCCESS) {
					free(info);
					info = ci;
				} else {
					hs_free_compile_error(cerr);
				}
			}
			exprs[k] = ls_hsexpr_relax(cut ? cut : r->pattern);
			free(cut);
			m->width[k] = info->max_width == UINT32_MAX || info->max_width > m->opts.max_window
			                  ? m->opts.max_window
			                  : info->max_width;
			free(info);
		}
	}
	for (size_t k = 0; k < m->n; k++) {
		if (m->width[k] > m->max_width)
			m->max_width = m->width[k];
	}
	if (cached) {
		free(cpath);
		goto done;
	}
	/* `pair_with` rules stay out of the database: see confirm_pairs(); a split rule has
	 * several expressions, all reporting its index */
	ls_strlist hx = {0};
	unsigned *hids = NULL;
	for (size_t k = 0; k < m->n; k++) {
		if (m->partner[k] != SIZE_MAX)
			continue;
		size_t before = hx.n;
		if (m->rules[k]->split_alternatives < 1 || ls_hsexpr_split(exprs[k], m->rules[k]->split_alternatives, &hx) < 0)
			ls_strlist_push(&hx, exprs[k]);
		hids = ls_xrealloc(hids, hx.n * sizeof(*hids));
		for (size_t i = before; i < hx.n; i++)
			hids[i] = (unsigned)k;
	}
	if (hx.n > 0) {
		unsigned *hflags = ls_xcalloc(hx.n, sizeof(*hflags));
		hs_compile_error_t *cerr = NULL;
		if (hs_compile_multi((const char *const *)hx.items, hflags, hids, (unsigned)hx.n, HS_MODE_BLOCK, NULL,
		                     &m->db, &cerr) != HS_SUCCESS) {
			if (cerr && cerr->expression >= 0 && (size_t)cerr->expression < hx.n) {
				const ls_rule *r = m->rules[hids[cerr->expression]];
				err = ls_error_set("%s:%d: rule '%s': pattern rejected by Hyperscan: %s", r->file,
				                   r->pattern_line, r->id, cerr->message);
			} else {
				err = ls_error_set("cannot compile the rule set: %s", cerr ? cerr->message : "unknown error");
			}
			hs_free_compile_error(cerr);
		}
		free(hflags);
	}
	ls_strlist_dispose(&hx);
	free(hids);
	if (err < 0 || !m->db) { /* no database: only pair rules, with nothing to pair with */
		free(cpath);
		goto done;
	}
	if (cpath)
		cache_store(m, cpath);
	free(cpath);
done:
	for (size_t i = 0; i < m->n; i++)
		free((char *)exprs[i]);
	free(exprs);
	if (err < 0) {
		ls_matcher_free(m);
		return LS_EINVAL;
	}
	*out = m;
	return 0;
}

int ls_scratch_new(ls_scratch **out, const ls_matcher *m)
{
	ls_scratch *s = ls_xcalloc(1, sizeof(*s));
	s->m = m;
	if (m->db && hs_alloc_scratch(m->db, &s->hs) != HS_SUCCESS) {
		free(s);
		return ls_error_set("cannot allocate Hyperscan scratch"), LS_ENOMEM;
	}
	s->md = pcre2_match_data_create(2, NULL);
	s->mctx = pcre2_match_context_create(NULL);
	s->jit = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
	pcre2_jit_stack_assign(s->mctx, NULL, s->jit);
	pcre2_set_match_limit(s->mctx, m->opts.match_limit);
	pcre2_set_depth_limit(s->mctx, m->opts.match_limit / 10 + 1);
	s->open = ls_xcalloc(m->n ? m->n : 1, sizeof(cluster));
	s->emitted = ls_xcalloc(m->n ? m->n : 1, sizeof(size_t));
	s->emitted_gen = ls_xcalloc(m->n ? m->n : 1, sizeof(uint32_t));
	s->touched = ls_xcalloc(m->n ? m->n : 1, sizeof(uint32_t));
	s->range_at = ls_xcalloc(m->ngroups ? m->ngroups : 1, sizeof(size_t));
	s->range_n = ls_xcalloc(m->ngroups ? m->ngroups : 1, sizeof(size_t));
	s->range_gen = ls_xcalloc(m->ngroups ? m->ngroups : 1, sizeof(uint32_t));
	*out = s;
	return 0;
}

void ls_scratch_free(ls_scratch *s)
{
	if (!s)
		return;
	hs_free_scratch(s->hs);
	pcre2_match_data_free(s->md);
	pcre2_match_context_free(s->mctx);
	pcre2_jit_stack_free(s->jit);
	free(s->open);
	free(s->done);
	free(s->emitted);
	free(s->emitted_gen);
	free(s->touched);
	free(s->spans);
	free(s->ranges);
	free(s->range_at);
	free(s->range_n);
	free(s->range_gen);
	free(s);
}

const ls_rule *ls_scratch_limit_rule(const ls_scratch *s) { return s->limit_rule; }

const ls_rule *ls_matcher_find_rule(const ls_matcher *m, const char *id) { return ls_ruleset_find(m->rs, id); }

static void push_cluster(ls_scratch *s, const cluster *c)
{
	if (s->ndone == s->capdone) {
		s->capdone = s->capdone ? s->capdone * 2 : 64;
		s->done = ls_xrealloc(s->done, s->capdone * sizeof(cluster));
	}
	s->done[s->ndone++] = *c;
}

/* Hyperscan callback: only grows per-rule clusters of end offsets; confirmation comes later. */
static int on_hs_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx)
{
	ls_scratch *s = ctx;
	size_t end = s->base + (size_t)to;
	cluster *c = &s->open[id];
	if (!c->last)
		s->touched[s->ntouched++] = id;
	size_t w = s->m->width[id];
	if (c->last && end + w >= c->first && end <= c->last + w) {
		if (end > c->last)
			c->last = end;
		if (end < c->first)
			c->first = end;
		return 0;
	}
	if (c->last)
		push_cluster(s, c);
	c->rule = id;
	c->first = c->last = end;
	return 0;
}

static int cmp_cluster(const void *a, const void *b)
{
	const cluster *x = a, *y = b;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static void push_span(ls_scratch *s, size_t rule, size_t start, size_t end)
{
	if (s->nspans == s->capspans) {
		s->capspans = s->capspans ? s->capspans * 2 : 16;
		s->spans = ls_xrealloc(s->spans, s->capspans * sizeof(*s->spans));
	}
	s->spans[s->nspans].rule = (uint32_t)rule;
	s->spans[s->nspans].first = start;
	s->spans[s->nspans].last = end;
	s->nspans++;
}

/*
 * Rule `k`'s pattern is JIT-compiled the first time a scan confirms it (and compiled then
 * too, when the database came from the cache): most rules never have a candidate in a
 * pre-commit hook's few files, and preparing all of them cost more than the rest of the
 * start-up. Any thread may get there first.
 */
static int prepare_once(const ls_matcher *m, size_t k)
{
	if (__atomic_load_n(&m->prepared[k], __ATOMIC_ACQUIRE))
		return m->codes[k] ? 0 : LS_ERR;
	int err = 0;
	pthread_mutex_lock(m->prepare_lock);
	if (!m->prepared[k]) {
		if (!m->codes[k])
			err = compile_pattern(m, k); /* only if PCRE2 changed since the cache was written */
		if (m->codes[k])
			pcre2_jit_compile(m->codes[k], PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
		__atomic_store_n(&m->prepared[k], 1, __ATOMIC_RELEASE);
	} else if (!m->codes[k]) {
		err = ls_error_set("rule '%s': invalid regex", m->rules[k]->id);
	}
	pthread_mutex_unlock(m->prepare_lock);
	return err;
}

/* Runs rule `k`'s PCRE2 pattern over matches starting in [pos, limit]. */
static int confirm_range(const ls_matcher *m, ls_scratch *s, size_t k, size_t pos, size_t limit,
                         const char *buf, size_t len, ls_match_cb cb, void *payload)
{
	int err = prepare_once(m, k);
	if (err < 0)
		return err;
	if (s->emitted_gen[k] != s->gen) {
		s->emitted_gen[k] = s->gen;
		s->emitted[k] = 0;
	}
	if (pos < s->emitted[k])
		pos = s->emitted[k];
	pcre2_set_offset_limit(s->mctx, limit);
	while (pos <= limit && pos < len) {
		int rc = pcre2_match(m->codes[k], (PCRE2_SPTR)buf, len, pos, 0, s->md, s->mctx);
		if (rc == PCRE2_ERROR_NOMATCH)
			break;
		if (rc < 0) {
			/* a limit (match, depth, JIT stack) or any other engine error: the candidates left
			 * are unchecked, and the result says so (never a silent "no match") */
			s->limit_rule = m->rules[k];
			break;
		}
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
		ls_match mt = {m->rules[k], ov[0], ov[1], ov[0], ov[1]};
		if (rc > 1 && ov[2] != PCRE2_UNSET) {
			mt.sec_start = ov[2];
			mt.sec_end = ov[3];
		}
		pos = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
		if (mt.start < s->emitted[k])
			continue;
		s->emitted[k] = mt.end;
		if (m->is_partner[k])
			push_span(s, k, mt.start, mt.end);
		if (cb(&mt, payload))
			return LS_ESTOP;
	}
	return 0;
}

static int confirm(const ls_matcher *m, ls_scratch *s, const cluster *c, const char *buf, size_t len,
                   ls_match_cb cb, void *payload)
{
	size_t w = m->width[c->rule];
	return confirm_range(m, s, c->rule, c->first > w ? c->first - w : 0, c->last, buf, len, cb, payload);
}

/* Where `n` lines before `off` begin (bounded by `max` bytes). */
static size_t lines_back(const char *buf, size_t off, int n, size_t max)
{
	size_t stop = off > max ? off - max : 0;
	for (;;) {
		const char *nl = off > stop ? memrchr(buf + stop, '\n', off - stop) : NULL;
		if (!nl)
			return stop;
		if (n-- == 0)
			return (size_t)(nl - buf) + 1;
		off = (size_t)(nl - buf);
	}
}

/* Where the `n`-th line after the one holding `off` ends (bounded by `max` bytes). */
static size_t lines_fwd(const char *buf, size_t len, size_t off, int n, size_t max)
{
	size_t stop = len - off > max ? off + max : len;
	for (;;) {
		const char *nl = off < stop ? memchr(buf + off, '\n', stop - off) : NULL;
		if (!nl)
			return stop;
		if (n-- == 0)
			return (size_t)(nl - buf);
		off = (size_t)(nl - buf) + 1;
	}
}

static int cmp_span(const void *a, const void *b)
{
	const cluster *x = a, *y = b;
	return x->first < y->first ? -1 : x->first > y->first;
}

static void push_range(ls_scratch *s, size_t lo, size_t hi)
{
	if (s->nranges == s->capranges) {
		s->capranges = s->capranges ? s->capranges * 2 : 16;
		s->ranges = ls_xrealloc(s->ranges, s->capranges * sizeof(*s->ranges));
	}
	s->ranges[s->nranges].first = lo;
	s->ranges[s->nranges].last = hi;
	s->nranges++;
}

/* The lines within `lines` of each match of rule `p` (sorted spans), merged where they meet. */
static void group_ranges(const ls_matcher *m, ls_scratch *s, size_t p, int lines, const char *buf, size_t len)
{
	size_t lo = 0, hi = 0;
	int open = 0;
	for (size_t i = 0; i < s->nspans; i++) {
		if (s->spans[i].rule != p)
			continue;
		size_t a = lines_back(buf, s->spans[i].first, lines, m->opts.max_window);
		size_t b = lines_fwd(buf, len, s->spans[i].last, lines, m->opts.max_window);
		if (open && a <= hi) {
			if (b > hi)
				hi = b;
			continue;
		}
		if (open)
			push_range(s, lo, hi);
		lo = a;
		hi = b;
		open = 1;
	}
	if (open)
		push_range(s, lo, hi);
}

/*
 * `pair_with` rules are not in the Hyperscan database (a 40-character base64 run is
 * everywhere; an AWS key id is not): their pattern runs only on the lines around each
 * match of their partner. Those lines are worked out once per partner and distance (some
 * 150 provider rules share key-assignment-context's lines).
 */
static int confirm_pairs(const ls_matcher *m, ls_scratch *s, const char *buf, size_t len, ls_match_cb cb,
                         void *payload)
{
	if (!s->nspans)
		return 0;
	qsort(s->spans, s->nspans, sizeof(*s->spans), cmp_span);
	s->nranges = 0;
	for (size_t j = 0; j < m->npaired; j++) {
		size_t k = m->paired[j], g = m->group[j];
		if (s->range_gen[g] != s->gen) {
			s->range_gen[g] = s->gen;
			s->range_at[g] = s->nranges;
			group_ranges(m, s, m->partner[k], pair_lines(m->rules[k]), buf, len);
			s->range_n[g] = s->nranges - s->range_at[g];
		}
		for (size_t i = 0; i < s->range_n[g]; i++) {
			const cluster *r = &s->ranges[s->range_at[g] + i];
			int err = confirm_range(m, s, k, r->first, r->last, buf, len, cb, payload);
			if (err)
				return err;
		}
	}
	return 0;
}

int ls_matcher_scan(const ls_matcher *m, ls_scratch *s, const char *buf, size_t len,
                    ls_match_cb cb, void *payload)
{
	s->limit_rule = NULL;
	if (!m->db || len == 0)
		return 0;
	if (++s->gen == 0) { /* wrapped: no stale generation may look current */
		memset(s->emitted_gen, 0, m->n * sizeof(uint32_t));
		memset(s->range_gen, 0, m->ngroups * sizeof(uint32_t));
		s->gen = 1;
	}
	s->nspans = 0;
	size_t chunk = m->opts.chunk_size;
	size_t overlap = m->max_width + 2 * GUARD;
	if (chunk > 0xffffffffu)
		chunk = 0xffffffffu;
	if (chunk <= overlap * 2)
		chunk = overlap * 2 + 1;
	int err = 0;
	for (size_t start = 0; start < len;) {
		size_t clen = len - start < chunk ? len - start : chunk;
		s->base = start;
		s->ndone = 0;
		s->ntouched = 0;
		hs_error_t hrc = hs_scan(m->db, buf + start, (unsigned)clen, 0, s->hs, on_hs_match, s);
		/* close the clusters this chunk opened (and only those: no pass over every rule) */
		for (size_t i = 0; i < s->ntouched; i++) {
			cluster *c = &s->open[s->touched[i]];
			push_cluster(s, c);
			c->last = 0;
		}
		if (hrc != HS_SUCCESS)
			return ls_error_set("Hyperscan scan failed"), LS_ERR;
		if (s->ndone)
			qsort(s->done, s->ndone, sizeof(cluster), cmp_cluster);
		for (size_t i = 0; i < s->ndone && !err; i++)
			err = confirm(m, s, &s->done[i], buf, len, cb, payload);
		if (err)
			return err;
		if (start + clen >= len)
			break;
		start += clen - overlap;
	}
	return confirm_pairs(m, s, buf, len, cb, payload);
}
