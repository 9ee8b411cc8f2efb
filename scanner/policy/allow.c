#include "allow.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "rules.h"

/* ---- globs ---- */

typedef struct {
	const char *s;
	size_t n;
} span;

/* Splits `s` at '/' into at most `max` spans (empty segments dropped). Returns the count, or max + 1 if more. */
static size_t split(const char *s, span *out, size_t max)
{
	size_t n = 0;
	while (*s) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		const char *e = strchr(s, '/');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (n == max)
			return max + 1;
		out[n].s = s;
		out[n].n = len;
		n++;
		s += len;
	}
	return n;
}

static int seg_match(span pat, span name)
{
	char p[NAME_MAX + 1], v[NAME_MAX + 1];
	if (pat.n > NAME_MAX || name.n > NAME_MAX)
		return 0;
	memcpy(p, pat.s, pat.n);
	p[pat.n] = '\0';
	memcpy(v, name.s, name.n);
	v[name.n] = '\0';
	return fnmatch(p, v, FNM_PATHNAME) == 0;
}

static int is_globstar(span s) { return s.n == 2 && s.s[0] == '*' && s.s[1] == '*'; }

static int glob_rec(const span *ps, size_t pi, size_t np, const span *ns, size_t ni, size_t nn, int dir_only, int is_dir)
{
	if (pi == np) {
		if (ni < nn)
			return 1; /* the pattern matched a parent directory: everything below it matches */
		return !dir_only || is_dir;
	}
	if (is_globstar(ps[pi])) {
		for (size_t k = ni; k <= nn; k++)
			if (glob_rec(ps, pi + 1, np, ns, k, nn, dir_only, is_dir))
				return 1;
		return 0;
	}
	if (ni == nn)
		return 0;
	return seg_match(ps[pi], ns[ni]) && glob_rec(ps, pi + 1, np, ns, ni + 1, nn, dir_only, is_dir);
}

#define MAX_SEGS 128

int ls_glob_match(const char *pattern, const char *path, int is_dir)
{
	span ps[MAX_SEGS + 1], ns[MAX_SEGS + 1];
	size_t plen = strlen(pattern);
	int dir_only = plen > 0 && pattern[plen - 1] == '/';
	/* anchored when a slash appears anywhere but at the end */
	const char *slash = strchr(pattern, '/');
	int anchored = slash && (size_t)(slash - pattern) < plen - (dir_only ? 1 : 0);
	if (!anchored) {
		ps[0].s = "**";
		ps[0].n = 2;
	}
	size_t np = split(pattern, ps + !anchored, MAX_SEGS - 1);
	if (np > MAX_SEGS - 1 || np == 0)
		return 0;
	np += !anchored;
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	size_t nn = split(path, ns, MAX_SEGS);
	if (nn > MAX_SEGS)
		return 0;
	return glob_rec(ps, 0, np, ns, 0, nn, dir_only, is_dir);
}

/* ---- the allow set ---- */

typedef struct {
	pcre2_code **items;
	size_t n;
} relist;

typedef struct {
	ls_strlist rules, paths, stopwords, commits, accounts;
	relist secrets, matches, lines;
	ls_allow_condition condition;
	int prunes; /* a path match alone allows every finding: the walk may skip the path */
} entry;

struct ls_allow {
	char *base;  /* absolute base directory, no trailing slash ("/" stays "/") */
	char *cwd;
	int paths_relative;
	int default_skips;
	int skip_archives; /* the default skips take archives too (they are not opened) */
	entry *entries;
	size_t nentries;
	ls_strlist fingerprints; /* sorted */
	const ls_baseline *baseline;
};

static void relist_free(relist *l)
{
	for (size_t i = 0; i < l->n; i++)
		pcre2_code_free(l->items[i]);
	free(l->items);
}

static void entry_dispose(entry *e)
{
	ls_strlist_dispose(&e->rules);
	ls_strlist_dispose(&e->paths);
	ls_strlist_dispose(&e->stopwords);
	ls_strlist_dispose(&e->commits);
	ls_strlist_dispose(&e->accounts);
	relist_free(&e->secrets);
	relist_free(&e->matches);
	relist_free(&e->lines);
}

/* Lexically normalises an absolute path: no `.`, `..` or repeated slashes. */
static char *normalize_abs(const char *p)
{
	size_t n = strlen(p);
	char *out = ls_xmalloc(n + 2);
	size_t o = 0;
	const char *s = p;
	while (*s) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		const char *e = strchr(s, '/');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (len == 1 && s[0] == '.') {
			/* skip */
		} else if (len == 2 && s[0] == '.' && s[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else {
			out[o++] = '/';
			memcpy(out + o, s, len);
			o += len;
		}
		s += len;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return out;
}

int ls_allow_new(ls_allow **out, const char *base_dir)
{
	ls_allow *a = ls_xcalloc(1, sizeof(*a));
	char buf[PATH_MAX];
	a->cwd = ls_xstrdup(getcwd(buf, sizeof(buf)) ? buf : "/");
	const char *b = base_dir ? base_dir : ".";
	if (realpath(b, buf)) {
		a->base = ls_xstrdup(buf);
	} else {
		char *joined = b[0] == '/' ? ls_xstrdup(b) : ls_xasprintf("%s/%s", a->cwd, b);
		a->base = normalize_abs(joined);
		free(joined);
	}
	a->default_skips = 1;
	a->skip_archives = 1;
	*out = a;
	return 0;
}

void ls_allow_free(ls_allow *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nentries; i++)
		entry_dispose(&a->entries[i]);
	free(a->entries);
	ls_strlist_dispose(&a->fingerprints);
	free(a->base);
	free(a->cwd);
	free(a);
}

void ls_allow_set_paths_relative(ls_allow *a, int relative) { a->paths_relative = relative; }

void ls_allow_set_default_skips(ls_allow *a, int on) { a->default_skips = on; }
void ls_allow_set_skip_archives(ls_allow *a, int on) { a->skip_archives = on; }

void ls_allow_set_baseline(ls_allow *a, const ls_baseline *b) { a->baseline = b; }

char *ls_allow_relpath(const ls_allow *a, const char *path)
{
	if (a->paths_relative) {
		while (path[0] == '.' && path[1] == '/')
			path += 2;
		while (path[0] == '/')
			path++;
		return ls_xstrdup(path);
	}
	char *joined = path[0] == '/' ? ls_xstrdup(path) : ls_xasprintf("%s/%s", a->cwd, path);
	char *abs = normalize_abs(joined);
	free(joined);
	size_t bl = strlen(a->base);
	if (bl == 1) /* base is "/" */
		bl = 0;
	if (!strncmp(abs, a->base, bl) && (abs[bl] == '/' || abs[bl] == '\0')) {
		char *rel = ls_xstrdup(abs[bl] ? abs + bl + 1 : "");
		free(abs);
		return rel;
	}
	return abs; /* outside the base: absolute, so that anchored globs cannot match */
}

static int compile_list(relist *out, const char *const *res, size_t n, const char *where, const char *what)
{
	out->items = ls_xcalloc(n ? n : 1, sizeof(pcre2_code *));
	for (size_t i = 0; i < n; i++) {
		int errcode;
		PCRE2_SIZE erroff;
		pcre2_code *c = pcre2_compile((PCRE2_SPTR)res[i], PCRE2_ZERO_TERMINATED, 0, &errcode, &erroff, NULL);
		if (!c) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(errcode, msg, sizeof(msg));
			ls_error_set("%s: invalid %s regex '%s': %s at offset %zu", where, what, res[i], (const char *)msg,
			             (size_t)erroff);
			return LS_EINVAL;
		}
		out->items[out->n++] = c;
	}
	return 0;
}

static int is_hex(const char *s)
{
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return 0;
	return 1;
}

int ls_allow_add(ls_allow *a, const ls_allow_entry *e)
{
	const char *where = e->where ? e->where : "allowlist";
	entry n;
	memset(&n, 0, sizeof(n));
	int err = 0;
	size_t kinds = (e->npaths > 0) + (e->nsecrets > 0) + (e->nmatches > 0) + (e->nlines > 0) +
	               (e->nstopwords > 0) + (e->ncommits > 0) + (e->naws_accounts > 0);
	if (kinds == 0) {
		ls_error_set("%s: an allowlist entry needs at least one of paths, secrets, matches, lines, stopwords, commits, aws_accounts", where);
		return LS_EINVAL;
	}
	for (size_t i = 0; i < e->nrules; i++)
		ls_strlist_push(&n.rules, e->rules[i]);
	for (size_t i = 0; i < e->npaths; i++) {
		const char *p = e->paths[i];
		while (p[0] == '.' && p[1] == '/')
			p += 2;
		if (!*p || !strcmp(p, "/")) {
			ls_error_set("%s: empty path glob", where);
			err = LS_EINVAL;
			goto fail;
		}
		ls_strlist_push(&n.paths, p);
	}
	for (size_t i = 0; i < e->nstopwords; i++) {
		if (!*e->stopwords[i]) {
			ls_error_set("%s: empty stopword", where);
			err = LS_EINVAL;
			goto fail;
		}
		ls_strlist_push(&n.stopwords, e->stopwords[i]);
		for (char *q = n.stopwords.items[i]; *q; q++)
			*q = (char)tolower((unsigned char)*q);
	}
	for (size_t i = 0; i < e->ncommits; i++) {
		size_t l = strlen(e->commits[i]);
		if (l < 7 || l > 64 || !is_hex(e->commits[i])) {
			ls_error_set("%s: commit '%s' must be 7 to 64 hex digits", where, e->commits[i]);
			err = LS_EINVAL;
			goto fail;
		}
		ls_strlist_push(&n.commits, e->commits[i]);
		for (char *q = n.commits.items[i]; *q; q++)
			*q = (char)tolower((unsigned char)*q);
	}
	for (size_t i = 0; i < e->naws_accounts; i++) {
		const char *s = e->aws_accounts[i];
		size_t l = strlen(s), k = 0;
		while (k < l && isdigit((unsigned char)s[k]))
			k++;
		if (l != 12 || k != 12) {
			ls_error_set("%s: aws account '%s' must be 12 digits", where, s);
			err = LS_EINVAL;
			goto fail;
		}
		ls_strlist_push(&n.accounts, s);
	}
	if ((err = compile_list(&n.secrets, e->secrets, e->nsecrets, where, "secret")) < 0 ||
	    (err = compile_list(&n.matches, e->matches, e->nmatches, where, "match")) < 0 ||
	    (err = compile_list(&n.lines, e->lines, e->nlines, where, "line")) < 0)
		goto fail;
	n.condition = e->condition;
	n.prunes = e->nrules == 0 && e->npaths > 0 && (e->condition == LS_ALLOW_ANY || kinds == 1);
	a->entries = ls_xrealloc(a->entries, (a->nentries + 1) * sizeof(entry));
	a->entries[a->nentries++] = n;
	return 0;
fail:
	entry_dispose(&n);
	return err;
}

static int cmp_str(const void *x, const void *y) { return strcmp(*(char *const *)x, *(char *const *)y); }

void ls_allow_add_fingerprint(ls_allow *a, const char *fp)
{
	ls_strlist_push(&a->fingerprints, fp);
	qsort(a->fingerprints.items, a->fingerprints.n, sizeof(char *), cmp_str);
}

void ls_allow_load_ignore_buffer(ls_allow *a, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		const char *hash = memchr(p, '#', (size_t)(e - p));
		const char *s = p, *t = hash ? hash : e;
		while (s < t && isspace((unsigned char)*s))
			s++;
		while (t > s && isspace((unsigned char)t[-1]))
			t--;
		if (t > s && !memchr(s, '\0', (size_t)(t - s))) {
			char *fp = ls_xstrndup(s, (size_t)(t - s));
			ls_strlist_push(&a->fingerprints, fp);
			free(fp);
		}
		p = nl ? nl + 1 : end;
	}
	if (a->fingerprints.n)
		qsort(a->fingerprints.items, a->fingerprints.n, sizeof(char *), cmp_str);
}

/* ---- default skips ---- */

const char *const ls_allow_default_skip_names[] = {
    "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "Cargo.lock",
    "poetry.lock", "Pipfile.lock", "Gemfile.lock", "composer.lock", "go.sum",
    /* leakscan's own files: hashes and fingerprints, never secrets */
    ".leakscan-baseline.json", ".leakscanignore", NULL};
const char *const ls_allow_default_skip_dirs[] = {"node_modules", "vendor", "third_party", NULL};
const char *const ls_allow_default_skip_exts[] = {
    /* minified bundles and source maps */
    ".min.js", ".min.css", ".map",
    /* images */
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp", ".tif", ".tiff", ".psd",
    /* fonts */
    ".woff", ".woff2", ".ttf", ".otf", ".eot", NULL};
/* skipped only when archives are not opened (--max-archive-depth 0) */
const char *const ls_allow_default_skip_archive_exts[] = {
    ".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".7z", ".rar", ".jar", ".war", NULL};

static int has_ext(const char *name, size_t n, const char *const *exts)
{
	for (int i = 0; exts[i]; i++) {
		size_t el = strlen(exts[i]);
		if (n > el && !strncasecmp(name + n - el, exts[i], el))
			return 1;
	}
	return 0;
}

static const char *base_name(const char *path, size_t *len)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	size_t s = n;
	while (s > 0 && path[s - 1] != '/')
		s--;
	*len = n - s;
	return path + s;
}

static int default_skip(const ls_allow *a, const char *path, int is_dir)
{
	size_t n;
	const char *name = base_name(path, &n);
	if (is_dir) {
		for (int i = 0; ls_allow_default_skip_dirs[i]; i++)
			if (strlen(ls_allow_default_skip_dirs[i]) == n && !memcmp(name, ls_allow_default_skip_dirs[i], n))
				return 1;
		return 0;
	}
	for (int i = 0; ls_allow_default_skip_names[i]; i++)
		if (strlen(ls_allow_default_skip_names[i]) == n && !memcmp(name, ls_allow_default_skip_names[i], n))
			return 1;
	return has_ext(name, n, ls_allow_default_skip_exts) ||
	       (a->skip_archives && has_ext(name, n, ls_allow_default_skip_archive_exts));
}

int ls_allow_default_skip(const ls_allow *a, const char *path, int is_dir) { return a->default_skips && default_skip(a, path, is_dir); }
int ls_allow_default_skips_on(const ls_allow *a) { return a && a->default_skips; }

int ls_allow_skip_path(const ls_allow *a, const char *path, int is_dir)
{
	if (a->default_skips && default_skip(a, path, is_dir))
		return 1;
	int any = 0;
	for (size_t i = 0; i < a->nentries && !any; i++)
		any = a->entries[i].prunes;
	if (!any)
		return 0;
	char *rel = ls_allow_relpath(a, path);
	int skip = 0;
	/* a path outside the base directory is matched by no glob */
	for (size_t i = 0; i < a->nentries && !skip && rel[0] != '/'; i++) {
		const entry *e = &a->entries[i];
		if (!e->prunes)
			continue;
		for (size_t k = 0; k < e->paths.n && !skip; k++)
			skip = ls_glob_match(e->paths.items[k], rel, is_dir);
	}
	free(rel);
	return skip;
}

/* ---- checking findings ---- */

static int re_any(const relist *l, const char *s, size_t n)
{
	int hit = 0;
	for (size_t i = 0; i < l->n && !hit; i++) {
		pcre2_match_data *md = pcre2_match_data_create_from_pattern(l->items[i], NULL);
		hit = pcre2_match(l->items[i], (PCRE2_SPTR)s, n, 0, 0, md, NULL) >= 0;
		pcre2_match_data_free(md);
	}
	return hit;
}

static int contains_ci(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++) {
		size_t j = 0;
		while (j < k && tolower((unsigned char)hay[i + j]) == needle[j])
			j++;
		if (j == k)
			return 1;
	}
	return 0;
}

/* -1: criterion absent, 0: no match, 1: match */
static int crit(size_t n, int hit) { return n ? hit : -1; }

static int entry_allows(const entry *e, const ls_finding *f, const char *rel)
{
	if (e->rules.n) {
		int mine = 0;
		for (size_t i = 0; i < e->rules.n && !mine; i++)
			mine = !strcmp(e->rules.items[i], f->rule->id);
		if (!mine)
			return 0;
	}
	int r[7];
	size_t k = 0;
	int hit = 0;
	for (size_t i = 0; i < e->paths.n && !hit && rel[0] != '/'; i++)
		hit = ls_glob_match(e->paths.items[i], rel, 0);
	r[k++] = crit(e->paths.n, hit);
	r[k++] = crit(e->secrets.n, e->secrets.n && re_any(&e->secrets, f->secret, f->secret_len));
	r[k++] = crit(e->matches.n, e->matches.n && re_any(&e->matches, f->match, f->match_len));
	r[k++] = crit(e->lines.n, e->lines.n && f->line_text && re_any(&e->lines, f->line_text, strlen(f->line_text)));
	hit = 0;
	for (size_t i = 0; i < e->stopwords.n && !hit; i++)
		hit = contains_ci(f->secret, f->secret_len, e->stopwords.items[i]);
	r[k++] = crit(e->stopwords.n, hit);
	hit = 0;
	for (size_t i = 0; i < e->commits.n && f->prov.commit && !hit; i++)
		hit = !strncasecmp(f->prov.commit, e->commits.items[i], strlen(e->commits.items[i]));
	r[k++] = crit(e->commits.n, hit);
	hit = 0;
	for (size_t i = 0; i < e->accounts.n && f->aws_account[0] && !hit; i++)
		hit = !strcmp(f->aws_account, e->accounts.items[i]);
	r[k++] = crit(e->accounts.n, hit);
	int any = 0, all = 1;
	for (size_t i = 0; i < k; i++) {
		if (r[i] < 0)
			continue;
		any |= r[i];
		all &= r[i];
	}
	return e->condition == LS_ALLOW_ALL ? all : any;
}

static int has_fingerprint(const ls_allow *a, const char *fp)
{
	const char *key = fp;
	return bsearch(&key, a->fingerprints.items, a->fingerprints.n, sizeof(char *), cmp_str) != NULL;
}

int ls_allow_check(const ls_allow *a, const ls_finding *f)
{
	if (!a->nentries && !a->fingerprints.n && !a->baseline)
		return 0;
	char *rel = ls_allow_relpath(a, f->path ? f->path : "");
	int drop = 0;
	for (size_t i = 0; i < a->nentries && !drop; i++)
		drop = entry_allows(&a->entries[i], f, rel);
	if (!drop && a->fingerprints.n) {
		drop = has_fingerprint(a, f->fingerprint);
		/* RULE-ID:HASH16, as report and triage name a secret: wherever it is */
		const char *rh = ls_fingerprint_secret_part(f->fingerprint);
		if (!drop && rh != f->fingerprint)
			drop = has_fingerprint(a, rh);
		char fp[sizeof(f->fingerprint)];
		if (!drop) {
			/* the same fingerprint computed from the path relative to the base directory */
			snprintf(fp, sizeof(fp), "%.100s:%s:%.16s", rel, f->rule->id, f->secret_hash);
			drop = has_fingerprint(a, fp);
		}
		/* fingerprints written before keyed hashes (plain SHA-256), as printed and relative */
		if (!drop && f->legacy_hash[0]) {
			const char *p = f->path ? f->path : "";
			while (p[0] == '.' && p[1] == '/')
				p += 2;
			snprintf(fp, sizeof(fp), "%.100s:%s:%.16s", p, f->rule->id, f->legacy_hash);
			drop = has_fingerprint(a, fp);
			if (!drop) {
				snprintf(fp, sizeof(fp), "%.100s:%s:%.16s", rel, f->rule->id, f->legacy_hash);
				drop = has_fingerprint(a, fp);
			}
		}
	}
	if (!drop && a->baseline)
		drop = ls_baseline_match(a->baseline, rel, f) != NULL;
	free(rel);
	return drop;
}

int ls_allow_search_cb(const ls_finding *f, void *payload) { return ls_allow_check(payload, f); }
int ls_allow_skip_cb(const char *path, void *payload) { return ls_allow_skip_path(payload, path, 0); }
char *ls_allow_relpath_cb(const char *path, void *payload) { return ls_allow_relpath(payload, path); }
