/* source_git_history: every blob and message of a repository's history, each once, with the
 * commit that introduced it; commit ranges; the staged index. */
#include "source_git.h"

#include <git2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"

#define NO_COMMIT UINT32_MAX
#define NO_PATH UINT32_MAX

/* ---- an open-addressing map from object id to (kind, value) ---- */

enum { K_FREE = 0, K_BLOB, K_TREE, K_COMMIT, K_HIDDEN, K_TAG, K_BAD, K_TARGET };

typedef struct {
	git_oid id;
	uint8_t kind;
	uint32_t val;
} omap_ent;

typedef struct {
	omap_ent *t;
	size_t cap, n;
} omap;

static size_t ohash(const git_oid *id)
{
	uint64_t h;
	memcpy(&h, id->id, sizeof(h));
	return (size_t)h;
}

static omap_ent *omap_find(const omap *m, const git_oid *id)
{
	if (!m->cap)
		return NULL;
	for (size_t i = ohash(id) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->t[i].kind == K_FREE)
			return NULL;
		if (!git_oid_cmp(&m->t[i].id, id))
			return &m->t[i];
	}
}

/* Returns the entry for `id`, creating it (kind K_FREE until the caller sets it) if absent. */
static omap_ent *omap_get(omap *m, const git_oid *id, int *isnew)
{
	if ((m->n + 1) * 2 > m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 1024;
		omap_ent *nt = ls_xcalloc(ncap, sizeof(omap_ent));
		for (size_t i = 0; i < m->cap; i++) {
			if (m->t[i].kind == K_FREE)
				continue;
			size_t j = ohash(&m->t[i].id) & (ncap - 1);
			while (nt[j].kind != K_FREE)
				j = (j + 1) & (ncap - 1);
			nt[j] = m->t[i];
		}
		free(m->t);
		m->t = nt;
		m->cap = ncap;
	}
	size_t i = ohash(id) & (m->cap - 1);
	for (; m->t[i].kind != K_FREE; i = (i + 1) & (m->cap - 1)) {
		if (!git_oid_cmp(&m->t[i].id, id)) {
			*isnew = 0;
			return &m->t[i];
		}
	}
	*isnew = 1;
	m->n++;
	git_oid_cpy(&m->t[i].id, id);
	m->t[i].kind = K_BAD; /* the caller sets the real kind */
	m->t[i].val = 0;
	return &m->t[i];
}

static void omap_dispose(omap *m)
{
	free(m->t);
	memset(m, 0, sizeof(*m));
}

/* ---- interned strings (paths): one arena, ids are indexes ---- */

typedef struct {
	ls_buf arena;
	size_t *offs;
	size_t n, cap;
	uint32_t *tab; /* id + 1, 0 free */
	size_t tabcap;
} strtab;

static size_t str_hash(const char *s, size_t len)
{
	size_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static const char *strtab_get(const strtab *st, uint32_t id) { return st->arena.ptr + st->offs[id]; }

static uint32_t strtab_intern(strtab *st, const char *s, size_t len)
{
	if ((st->n + 1) * 2 > st->tabcap) {
		size_t ncap = st->tabcap ? st->tabcap * 2 : 1024;
		uint32_t *nt = ls_xcalloc(ncap, sizeof(uint32_t));
		for (size_t i = 0; i < st->n; i++) {
			const char *p = strtab_get(st, (uint32_t)i);
			size_t j = str_hash(p, strlen(p)) & (ncap - 1);
			while (nt[j])
				j = (j + 1) & (ncap - 1);
			nt[j] = (uint32_t)i + 1;
		}
		free(st->tab);
		st->tab = nt;
		st->tabcap = ncap;
	}
	size_t j = str_hash(s, len) & (st->tabcap - 1);
	for (; st->tab[j]; j = (j + 1) & (st->tabcap - 1)) {
		const char *p = strtab_get(st, st->tab[j] - 1);
		if (!strncmp(p, s, len) && p[len] == '\0')
			return st->tab[j] - 1;
	}
	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 1024;
		st->offs = ls_xrealloc(st->offs, st->cap * sizeof(size_t));
	}
	st->offs[st->n] = st->arena.len;
	ls_buf_put(&st->arena, s, len);
	ls_buf_putc(&st->arena, '\0');
	st->tab[j] = (uint32_t)st->n + 1;
	return (uint32_t)st->n++;
}

static void strtab_dispose(strtab *st)
{
	ls_buf_dispose(&st->arena);
	free(st->offs);
	free(st->tab);
	memset(st, 0, sizeof(*st));
}

/* ---- the history ---- */

struct ls_git_repo {
	git_repository *repo;
	char *gitdir;
	int shallow;
	int from_env; /* opened like git does from $GIT_DIR, $GIT_INDEX_FILE, $GIT_OBJECT_DIRECTORY... */
};

enum { IT_BLOB, IT_COMMIT_MSG, IT_TAG_MSG, IT_UNREACHABLE, IT_STAGED };

typedef struct {
	git_oid id;
	uint32_t commit; /* index in commits, or NO_COMMIT */
	uint32_t path;   /* interned path (blobs), tag name (tags), or NO_PATH */
	uint8_t kind;
} item;

typedef struct {
	git_oid id;
	git_oid tree;
} commit_ent;

struct ls_git_history {
	ls_git_repo *r;
	commit_ent *commits;
	size_t ncommits, ccap;
	item *items;
	size_t nitems, icap;
	omap seen;
	strtab paths;
	char **errors;
	size_t nerrors;
	omap shallow;
};

int ls_git_repo_open(ls_git_repo **out, const char *path)
{
	ls_git_init();
	git_repository *repo = NULL;
	if (git_repository_open_ext(&repo, path, path ? 0 : GIT_REPOSITORY_OPEN_FROM_ENV, NULL) < 0) {
		const git_error *e = git_error_last();
		ls_error_set("%s: not a git repository (%s)", path ? path : ".", e && e->message ? e->message : "not found");
		return LS_ENOTFOUND;
	}
	ls_git_repo *r = ls_xcalloc(1, sizeof(*r));
	r->repo = repo;
	r->from_env = path == NULL;
	r->gitdir = ls_xstrdup(git_repository_path(repo));
	r->shallow = git_repository_is_shallow(repo) == 1;
	*out = r;
	return 0;
}

void ls_git_repo_free(ls_git_repo *r)
{
	if (!r)
		return;
	git_repository_free(r->repo);
	free(r->gitdir);
	free(r);
}

const char *ls_git_repo_path(const ls_git_repo *r) { return r->gitdir; }
int ls_git_repo_is_shallow(const ls_git_repo *r) { return r->shallow; }
int ls_git_repo_is_bare(const ls_git_repo *r) { return git_repository_is_bare(r->repo) == 1; }

static const char *git_msg(void)
{
	const git_error *e = git_error_last();
	return e && e->message ? e->message : "unknown error";
}

static void add_error(ls_git_history *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_error(ls_git_history *h, const char *fmt, ...)
{
	va_list ap;
	char tmp[1024];
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	h->errors = ls_xrealloc(h->errors, (h->nerrors + 1) * sizeof(char *));
	h->errors[h->nerrors++] = ls_xstrdup(tmp);
}

static void add_item(ls_git_history *h, const git_oid *id, int kind, uint32_t commit, uint32_t path)
{
	if (h->nitems == h->icap) {
		h->icap = h->icap ? h->icap * 2 : 1024;
		h->items = ls_xrealloc(h->items, h->icap * sizeof(item));
	}
	item *it = &h->items[h->nitems++];
	memset(it, 0, sizeof(*it));
	git_oid_cpy(&it->id, id);
	it->kind = (uint8_t)kind;
	it->commit = commit;
	it->path = path;
}

static ls_git_history *history_alloc(ls_git_repo *r)
{
	ls_git_history *h = ls_xcalloc(1, sizeof(*h));
	h->r = r;
	return h;
}

/* Reads the shallow boundary (commits whose parents are absent on purpose). */
static void load_shallow(ls_git_history *h)
{
	if (!h->r->shallow)
		return;
	char *p = ls_xasprintf("%s/shallow", git_repository_commondir(h->r->repo));
	ls_buf b = LS_BUF_INIT;
	if (ls_read_file(&b, p) == 0) {
		char *line = b.ptr;
		while (line && *line) {
			char *nl = strchr(line, '\n');
			git_oid id;
			if ((nl ? (size_t)(nl - line) : strlen(line)) >= GIT_OID_HEXSZ &&
			    git_oid_fromstrn(&id, line, GIT_OID_HEXSZ) == 0) {
				int isnew;
				omap_get(&h->shallow, &id, &isnew)->kind = K_COMMIT;
			}
			line = nl ? nl + 1 : NULL;
		}
	}
	ls_buf_dispose(&b);
	free(p);
}

/* ---- the commit walk: depth-first, parents before children, tolerant of missing parents ---- */

typedef struct {
	git_oid id, tree;
	git_oid *parents;
	unsigned nparents, next;
} frame;

static int load_frame(ls_git_history *h, frame *f, const git_oid *id, const git_oid *child)
{
	memset(f, 0, sizeof(*f));
	git_oid_cpy(&f->id, id);
	git_commit *c = NULL;
	if (git_commit_lookup(&c, h->r->repo, id) < 0) {
		char cs[GIT_OID_HEXSZ + 1] = "";
		if (child)
			git_oid_tostr(cs, sizeof(cs), child);
		add_error(h, "object %s: cannot read commit%s%s%s: %s", git_oid_tostr_s(id), child ? " (a parent of " : "", cs,
		          child ? ")" : "", git_msg());
		return -1;
	}
	git_oid_cpy(&f->tree, git_commit_tree_id(c));
	if (!omap_find(&h->shallow, id)) {
		f->nparents = git_commit_parentcount(c);
		f->parents = ls_xcalloc(f->nparents ? f->nparents : 1, sizeof(git_oid));
		for (unsigned i = 0; i < f->nparents; i++)
			git_oid_cpy(&f->parents[i], git_commit_parent_id(c, i));
	}
	git_commit_free(c);
	return 0;
}

static void walk_commits(ls_git_history *h, const git_oid *tip, int hide)
{
	int isnew;
	omap_ent *e = omap_get(&h->seen, tip, &isnew);
	if (!isnew) {
		/* a commit hidden by the range stays hidden; one already walked is done */
		return;
	}
	e->kind = hide ? K_HIDDEN : K_COMMIT;
	e->val = NO_COMMIT;
	frame *stack = NULL;
	size_t n = 0, cap = 0;
	cap = 64;
	stack = ls_xmalloc(cap * sizeof(frame));
	if (load_frame(h, &stack[0], tip, NULL) < 0) {
		omap_find(&h->seen, tip)->kind = K_BAD;
		free(stack);
		return;
	}
	n = 1;
	while (n) {
		frame *f = &stack[n - 1];
		if (f->next < f->nparents) {
			git_oid pid;
			git_oid_cpy(&pid, &f->parents[f->next++]);
			e = omap_get(&h->seen, &pid, &isnew);
			if (!isnew)
				continue;
			e->kind = hide ? K_HIDDEN : K_COMMIT;
			e->val = NO_COMMIT;
			if (n == cap) {
				cap *= 2;
				stack = ls_xrealloc(stack, cap * sizeof(frame));
				f = &stack[n - 1];
			}
			if (load_frame(h, &stack[n], &pid, &f->id) < 0) {
				omap_find(&h->seen, &pid)->kind = K_BAD;
				continue;
			}
			n++;
			continue;
		}
		if (!hide) {
			if (h->ncommits == h->ccap) {
				h->ccap = h->ccap ? h->ccap * 2 : 256;
				h->commits = ls_xrealloc(h->commits, h->ccap * sizeof(commit_ent));
			}
			git_oid_cpy(&h->commits[h->ncommits].id, &f->id);
			git_oid_cpy(&h->commits[h->ncommits].tree, &f->tree);
			omap_find(&h->seen, &f->id)->val = (uint32_t)h->ncommits;
			h->ncommits++;
		}
		free(f->parents);
		n--;
	}
	free(stack);
}

/* ---- the tree walk: each distinct tree once, each blob once with its first (commit, path) ---- */

static void walk_tree(ls_git_history *h, const git_oid *tree_id, uint32_t commit, ls_buf *path)
{
	int isnew;
	omap_ent *e = omap_get(&h->seen, tree_id, &isnew);
	if (!isnew)
		return;
	e->kind = K_TREE;
	git_tree *t = NULL;
	if (git_tree_lookup(&t, h->r->repo, tree_id) < 0) {
		char cs[GIT_OID_HEXSZ + 1] = "";
		if (commit != NO_COMMIT)
			git_oid_tostr(cs, sizeof(cs), &h->commits[commit].id);
		add_error(h, "object %s: cannot read tree '%s'%s%s: %s", git_oid_tostr_s(tree_id), path->len ? path->ptr : "/",
		          commit != NO_COMMIT ? " at commit " : "", cs, git_msg());
		return;
	}
	size_t base = path->len;
	size_t n = git_tree_entrycount(t);
	for (size_t i = 0; i < n; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(t, i);
		git_object_t type = git_tree_entry_type(te);
		if (type != GIT_OBJECT_TREE && type != GIT_OBJECT_BLOB)
			continue; /* submodule commits live in other repositories */
		path->len = base;
		if (base)
			ls_buf_putc(path, '/');
		ls_buf_puts(path, git_tree_entry_name(te));
		const git_oid *id = git_tree_entry_id(te);
		if (type == GIT_OBJECT_TREE) {
			walk_tree(h, id, commit, path);
			continue;
		}
		e = omap_get(&h->seen, id, &isnew);
		if (!isnew)
			continue;
		e->kind = K_BLOB;
		e->val = (uint32_t)h->nitems;
		add_item(h, id, IT_BLOB, commit, strtab_intern(&h->paths, path->ptr, path->len));
	}
	path->len = base;
	if (path->ptr)
		path->ptr[base] = '\0';
	git_tree_free(t);
}

/* ---- refs ---- */

typedef struct {
	char *name;
	git_oid id;
} ref_tip;

static int cmp_tip(const void *a, const void *b) { return strcmp(((const ref_tip *)a)->name, ((const ref_tip *)b)->name); }

static void push_tip(ref_tip **v, size_t *n, const char *name, const git_oid *id)
{
	*v = ls_xrealloc(*v, (*n + 1) * sizeof(ref_tip));
	(*v)[*n].name = ls_xstrdup(name);
	git_oid_cpy(&(*v)[*n].id, id);
	(*n)++;
}

/* Every ref's target (symbolic refs resolved), HEAD, and every entry of the stash's reflog. */
static void list_tips(ls_git_history *h, ref_tip **tips, size_t *ntips)
{
	git_strarray names = {0};
	if (git_reference_list(&names, h->r->repo) < 0) {
		add_error(h, "cannot list references: %s", git_msg());
		return;
	}
	for (size_t i = 0; i < names.count; i++) {
		git_oid id;
		if (git_reference_name_to_id(&id, h->r->repo, names.strings[i]) < 0) {
			add_error(h, "reference '%s': %s", names.strings[i], git_msg());
			continue;
		}
		push_tip(tips, ntips, names.strings[i], &id);
		if (!strcmp(names.strings[i], "refs/stash")) {
			git_reflog *rl = NULL;
			if (git_reflog_read(&rl, h->r->repo, "refs/stash") == 0) {
				size_t k = git_reflog_entrycount(rl);
				for (size_t j = 0; j < k; j++) {
					char nm[64];
					snprintf(nm, sizeof(nm), "refs/stash@{%zu}", j);
					push_tip(tips, ntips, nm, git_reflog_entry_id_new(git_reflog_entry_byindex(rl, j)));
				}
				git_reflog_free(rl);
			}
		}
	}
	git_strarray_dispose(&names);
	if (*ntips)
		qsort(*tips, *ntips, sizeof(ref_tip), cmp_tip);
	git_oid head;
	if (git_reference_name_to_id(&head, h->r->repo, "HEAD") == 0)
		push_tip(tips, ntips, "HEAD", &head);
}

static void free_tips(ref_tip *tips, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(tips[i].name);
	free(tips);
}

typedef struct {
	git_oid id;
	int type;
	char *name;
} target;

/* Peels `id` through annotated tags (recording each tag's message once); returns the final
 * object's type and id. */
static int peel(ls_git_history *h, const char *refname, git_oid *id, target **tags, size_t *ntags)
{
	for (int depth = 0; depth < 32; depth++) {
		size_t len;
		git_object_t type;
		git_odb *odb = NULL;
		if (git_repository_odb(&odb, h->r->repo) < 0)
			return -1;
		int err = git_odb_read_header(&len, &type, odb, id);
		git_odb_free(odb);
		if (err < 0) {
			add_error(h, "object %s: cannot read the target of '%s': %s", git_oid_tostr_s(id), refname, git_msg());
			return -1;
		}
		if (type != GIT_OBJECT_TAG)
			return type;
		git_tag *tag = NULL;
		if (git_tag_lookup(&tag, h->r->repo, id) < 0) {
			add_error(h, "object %s: cannot read tag '%s': %s", git_oid_tostr_s(id), refname, git_msg());
			return -1;
		}
		int isnew;
		omap_ent *e = omap_get(&h->seen, id, &isnew);
		if (isnew) {
			e->kind = K_TAG;
			*tags = ls_xrealloc(*tags, (*ntags + 1) * sizeof(target));
			git_oid_cpy(&(*tags)[*ntags].id, id);
			(*tags)[*ntags].type = GIT_OBJECT_TAG;
			(*tags)[*ntags].name = ls_xstrdup(git_tag_name(tag) ? git_tag_name(tag) : refname);
			(*ntags)++;
		}
		git_oid_cpy(id, git_tag_target_id(tag));
		git_tag_free(tag);
	}
	return -1;
}

static int cmp_target(const void *a, const void *b)
{
	const target *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : git_oid_cmp(&x->id, &y->id);
}

static int resolve_commit(ls_git_history *h, git_oid *out, const char *spec, const char *what)
{
	git_object *obj = NULL, *peeled = NULL;
	int err = git_revparse_single(&obj, h->r->repo, spec);
	if (err == 0)
		err = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
	if (err < 0) {
		ls_error_set("%s: unknown revision '%s': %s", what, spec, git_msg());
		git_object_free(obj);
		return LS_EINVAL;
	}
	git_oid_cpy(out, git_object_id(peeled));
	git_object_free(peeled);
	git_object_free(obj);
	return 0;
}

/* ---- ranges: what each commit introduced relative to its parents ---- */

static int get_tree(ls_git_history *h, git_tree **out, const git_oid *commit_id)
{
	git_commit *c = NULL;
	if (git_commit_lookup(&c, h->r->repo, commit_id) < 0)
		return -1;
	int err = git_commit_tree(out, c);
	git_commit_free(c);
	return err;
}

typedef struct {
	git_oid id;
	uint32_t path;
} cand;

static int diff_new_blobs(ls_git_history *h, git_tree *old, git_tree *new_tree, cand **out, size_t *n)
{
	git_diff *diff = NULL;
	git_diff_options dopt;
	git_diff_options_init(&dopt, GIT_DIFF_OPTIONS_VERSION);
	if (git_diff_tree_to_tree(&diff, h->r->repo, old, new_tree, &dopt) < 0)
		return -1;
	size_t nd = git_diff_num_deltas(diff);
	for (size_t i = 0; i < nd; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		if (d->status != GIT_DELTA_ADDED && d->status != GIT_DELTA_MODIFIED && d->status != GIT_DELTA_TYPECHANGE)
			continue;
		if (d->new_file.mode == GIT_FILEMODE_COMMIT || d->new_file.mode == GIT_FILEMODE_TREE)
			continue;
		*out = ls_xrealloc(*out, (*n + 1) * sizeof(cand));
		git_oid_cpy(&(*out)[*n].id, &d->new_file.id);
		(*out)[*n].path = strtab_intern(&h->paths, d->new_file.path, strlen(d->new_file.path));
		(*n)++;
	}
	git_diff_free(diff);
	return 0;
}

static void range_commit(ls_git_history *h, uint32_t ci)
{
	const git_oid *cid = &h->commits[ci].id;
	char cs[GIT_OID_HEXSZ + 1];
	git_oid_tostr(cs, sizeof(cs), cid);
	git_commit *c = NULL;
	git_tree *tree = NULL;
	cand *cands = NULL;
	size_t nc = 0;
	if (git_commit_lookup(&c, h->r->repo, cid) < 0 || git_commit_tree(&tree, c) < 0) {
		add_error(h, "object %s: cannot read commit: %s", cs, git_msg());
		goto done;
	}
	unsigned np = omap_find(&h->shallow, cid) ? 0 : git_commit_parentcount(c);
	for (unsigned p = 0; p < (np ? np : 1); p++) {
		git_tree *pt = NULL;
		if (np && get_tree(h, &pt, git_commit_parent_id(c, p)) < 0) {
			add_error(h, "object %s: cannot read commit (a parent of %s): %s", git_oid_tostr_s(git_commit_parent_id(c, p)), cs,
			          git_msg());
			/* diff against nothing: everything the commit holds counts as new */
		}
		cand *these = NULL;
		size_t nt = 0;
		if (diff_new_blobs(h, pt, tree, &these, &nt) < 0)
			add_error(h, "object %s: cannot diff commit: %s", cs, git_msg());
		git_tree_free(pt);
		if (p == 0) {
			cands = these;
			nc = nt;
			continue;
		}
		/* a merge introduces only what differs from every parent */
		omap in = {0};
		int isnew;
		for (size_t k = 0; k < nt; k++)
			omap_get(&in, &these[k].id, &isnew)->kind = K_BLOB;
		size_t w = 0;
		for (size_t k = 0; k < nc; k++)
			if (omap_find(&in, &cands[k].id))
				cands[w++] = cands[k];
		nc = w;
		omap_dispose(&in);
		free(these);
	}
	for (size_t k = 0; k < nc; k++) {
		int isnew;
		omap_ent *e = omap_get(&h->seen, &cands[k].id, &isnew);
		if (!isnew)
			continue;
		e->kind = K_BLOB;
		e->val = (uint32_t)h->nitems;
		add_item(h, &cands[k].id, IT_BLOB, ci, cands[k].path);
	}
done:
	free(cands);
	git_tree_free(tree);
	git_commit_free(c);
}

/* ---- unreachable objects ---- */

typedef struct {
	git_oid *v;
	size_t n, cap;
	const omap *seen;
} oid_list;

static int collect_unseen(const git_oid *id, void *payload)
{
	oid_list *l = payload;
	if (omap_find(l->seen, id))
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->v = ls_xrealloc(l->v, l->cap * sizeof(git_oid));
	}
	git_oid_cpy(&l->v[l->n++], id);
	return 0;
}

static int cmp_oid(const void *a, const void *b) { return git_oid_cmp(a, b); }

static void add_unreachable(ls_git_history *h)
{
	git_odb *odb = NULL;
	if (git_repository_odb(&odb, h->r->repo) < 0) {
		add_error(h, "cannot open the object database: %s", git_msg());
		return;
	}
	oid_list l = {NULL, 0, 0, &h->seen};
	if (git_odb_foreach(odb, collect_unseen, &l) < 0)
		add_error(h, "cannot list the object database: %s", git_msg());
	if (l.n)
		qsort(l.v, l.n, sizeof(git_oid), cmp_oid);
	for (size_t i = 0; i < l.n; i++) {
		if (i && !git_oid_cmp(&l.v[i], &l.v[i - 1]))
			continue; /* in a pack and loose */
		size_t len;
		git_object_t type;
		if (git_odb_read_header(&len, &type, odb, &l.v[i]) < 0) {
			add_error(h, "object %s: cannot read: %s", git_oid_tostr_s(&l.v[i]), git_msg());
			continue;
		}
		if (type == GIT_OBJECT_BLOB)
			add_item(h, &l.v[i], IT_UNREACHABLE, NO_COMMIT, NO_PATH);
		else if (type == GIT_OBJECT_COMMIT)
			add_item(h, &l.v[i], IT_COMMIT_MSG, NO_COMMIT, NO_PATH);
		else if (type == GIT_OBJECT_TAG)
			add_item(h, &l.v[i], IT_TAG_MSG, NO_COMMIT, NO_PATH);
	}
	free(l.v);
	git_odb_free(odb);
}

/* ---- building a history ---- */

int ls_git_history_new(ls_git_history **out, ls_git_repo *r, const ls_git_history_options *o)
{
	ls_git_history *h = history_alloc(r);
	load_shallow(h);
	ref_tip *tips = NULL;
	size_t ntips = 0;
	target *tags = NULL, *others = NULL;
	size_t ntags = 0, nothers = 0;
	int err = 0;
	int ranged = o->range != NULL;

	if (o->range) {
		git_revspec spec;
		if (git_revparse(&spec, r->repo, o->range) < 0 || !(spec.flags & GIT_REVSPEC_RANGE) ||
		    (spec.flags & GIT_REVSPEC_MERGE_BASE)) {
			if (spec.flags & GIT_REVSPEC_SINGLE)
				git_object_free(spec.from);
			ls_error_set("--range: '%s' is not a range A..B", o->range);
			err = LS_EINVAL;
			goto fail;
		}
		git_object *from = NULL, *to = NULL;
		int e1 = git_object_peel(&from, spec.from, GIT_OBJECT_COMMIT);
		int e2 = e1 < 0 ? -1 : git_object_peel(&to, spec.to, GIT_OBJECT_COMMIT);
		git_object_free(spec.from);
		git_object_free(spec.to);
		if (e1 < 0 || e2 < 0) {
			ls_error_set("--range: '%s' does not name commits: %s", o->range, git_msg());
			git_object_free(from);
			git_object_free(to);
			err = LS_EINVAL;
			goto fail;
		}
		walk_commits(h, git_object_id(from), 1);
		walk_commits(h, git_object_id(to), 0);
		git_object_free(from);
		git_object_free(to);
	} else if (o->branch) {
		git_reference *ref = NULL;
		git_oid id;
		if (git_branch_lookup(&ref, r->repo, o->branch, GIT_BRANCH_LOCAL) < 0 &&
		    git_branch_lookup(&ref, r->repo, o->branch, GIT_BRANCH_REMOTE) < 0) {
			if ((err = resolve_commit(h, &id, o->branch, "--branch")) < 0)
				goto fail;
		} else {
			git_object *peeled = NULL;
			if (git_reference_peel(&peeled, ref, GIT_OBJECT_COMMIT) < 0) {
				ls_error_set("--branch: '%s' does not point to a commit: %s", o->branch, git_msg());
				git_reference_free(ref);
				err = LS_EINVAL;
				goto fail;
			}
			git_oid_cpy(&id, git_object_id(peeled));
			git_object_free(peeled);
			git_reference_free(ref);
		}
		walk_commits(h, &id, 0);
	} else {
		list_tips(h, &tips, &ntips);
		for (size_t i = 0; i < ntips; i++) {
			git_oid id;
			git_oid_cpy(&id, &tips[i].id);
			int type = peel(h, tips[i].name, &id, &tags, &ntags);
			if (type == GIT_OBJECT_COMMIT) {
				walk_commits(h, &id, 0);
			} else if (type == GIT_OBJECT_TREE || type == GIT_OBJECT_BLOB) {
				others = ls_xrealloc(others, (nothers + 1) * sizeof(target));
				git_oid_cpy(&others[nothers].id, &id);
				others[nothers].type = type;
				others[nothers].name = ls_xstrdup(tips[i].name);
				nothers++;
			}
		}
	}

	/* commits in order: each one's message, then what it introduced */
	ls_buf path = LS_BUF_INIT;
	for (uint32_t ci = 0; ci < h->ncommits; ci++) {
		add_item(h, &h->commits[ci].id, IT_COMMIT_MSG, ci, NO_PATH);
		if (ranged) {
			range_commit(h, ci);
		} else {
			ls_buf_clear(&path);
			walk_tree(h, &h->commits[ci].tree, ci, &path);
		}
	}
	for (size_t i = 0; i < nothers; i++) {
		ls_buf_clear(&path);
		if (others[i].type == GIT_OBJECT_TREE) {
			walk_tree(h, &others[i].id, NO_COMMIT, &path);
			continue;
		}
		int isnew;
		omap_ent *e = omap_get(&h->seen, &others[i].id, &isnew);
		if (!isnew)
			continue;
		e->kind = K_BLOB;
		add_item(h, &others[i].id, IT_BLOB, NO_COMMIT, strtab_intern(&h->paths, others[i].name, strlen(others[i].name)));
	}
	ls_buf_dispose(&path);
	if (ntags)
		qsort(tags, ntags, sizeof(target), cmp_target);
	for (size_t i = 0; i < ntags; i++)
		add_item(h, &tags[i].id, IT_TAG_MSG, NO_COMMIT, strtab_intern(&h->paths, tags[i].name, strlen(tags[i].name)));
	if (o->all_objects)
		add_unreachable(h);
	*out = h;
	h = NULL;
fail:
	free_tips(tips, ntips);
	for (size_t i = 0; i < ntags; i++)
		free(tags[i].name);
	for (size_t i = 0; i < nothers; i++)
		free(others[i].name);
	free(tags);
	free(others);
	ls_git_history_free(h);
	return err;
}

int ls_git_staged_new(ls_git_history **out, ls_git_repo *r)
{
	if (git_repository_is_bare(r->repo)) {
		ls_error_set("%s: a bare repository has no staged changes", r->gitdir);
		return LS_EINVAL;
	}
	git_index *index = NULL;
	git_reference *head = NULL;
	git_tree *tree = NULL;
	git_diff *diff = NULL;
	int err = 0;
	if (git_repository_index(&index, r->repo) < 0) {
		ls_error_set("%s: cannot read the index: %s", r->gitdir, git_msg());
		return LS_EIO;
	}
	if (git_repository_head(&head, r->repo) == 0) {
		git_object *obj = NULL;
		if (git_reference_peel(&obj, head, GIT_OBJECT_TREE) < 0) {
			ls_error_set("%s: cannot read HEAD's tree: %s", r->gitdir, git_msg());
			err = LS_EIO;
			goto done;
		}
		tree = (git_tree *)obj;
	} /* else no commit yet: everything staged is new */
	git_diff_options dopt;
	git_diff_options_init(&dopt, GIT_DIFF_OPTIONS_VERSION);
	if (git_diff_tree_to_index(&diff, r->repo, tree, index, &dopt) < 0) {
		ls_error_set("%s: cannot compare the index with HEAD: %s", r->gitdir, git_msg());
		err = LS_EIO;
		goto done;
	}
	ls_git_history *h = history_alloc(r);
	size_t nd = git_diff_num_deltas(diff);
	for (size_t i = 0; i < nd; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		if (d->status != GIT_DELTA_ADDED && d->status != GIT_DELTA_MODIFIED && d->status != GIT_DELTA_TYPECHANGE)
			continue;
		if (d->new_file.mode == GIT_FILEMODE_COMMIT || git_oid_is_zero(&d->new_file.id))
			continue;
		add_item(h, &d->new_file.id, IT_STAGED, NO_COMMIT, strtab_intern(&h->paths, d->new_file.path, strlen(d->new_file.path)));
	}
	*out = h;
done:
	git_diff_free(diff);
	git_tree_free(tree);
	git_reference_free(head);
	git_index_free(index);
	return err;
}

void ls_git_history_free(ls_git_history *h)
{
	if (!h)
		return;
	free(h->commits);
	free(h->items);
	omap_dispose(&h->seen);
	omap_dispose(&h->shallow);
	strtab_dispose(&h->paths);
	for (size_t i = 0; i < h->nerrors; i++)
		free(h->errors[i]);
	free(h->errors);
	free(h);
}

size_t ls_git_history_count(const ls_git_history *h) { return h->nitems; }
size_t ls_git_history_commits(const ls_git_history *h) { return h->ncommits; }
size_t ls_git_history_nerrors(const ls_git_history *h) { return h->nerrors; }
const char *ls_git_history_error(const ls_git_history *h, size_t i) { return h->errors[i]; }

/* ---- readers (one per worker thread) ---- */

struct ls_git_reader {
	const ls_git_history *h;
	git_repository *repo;
	git_odb *odb;
	git_odb_object *obj;
	git_commit *commit;
	git_tag *tag;
	ls_buf path;
};

int ls_git_reader_new(ls_git_reader **out, const ls_git_history *h)
{
	git_repository *repo = NULL;
	git_odb *odb = NULL;
	/* the same repository, seen the same way (a hook's quarantine or temporary index) */
	int err = h->r->from_env ? git_repository_open_ext(&repo, NULL, GIT_REPOSITORY_OPEN_FROM_ENV, NULL)
	                         : git_repository_open_ext(&repo, h->r->gitdir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	if (err < 0 ||
	    git_repository_odb(&odb, repo) < 0) {
		ls_error_set("%s: cannot open: %s", h->r->gitdir, git_msg());
		git_repository_free(repo);
		return LS_EIO;
	}
	ls_git_reader *r = ls_xcalloc(1, sizeof(*r));
	r->h = h;
	r->repo = repo;
	r->odb = odb;
	*out = r;
	return 0;
}

static void reader_release(ls_git_reader *r)
{
	git_odb_object_free(r->obj);
	git_commit_free(r->commit);
	git_tag_free(r->tag);
	r->obj = NULL;
	r->commit = NULL;
	r->tag = NULL;
}

void ls_git_reader_free(ls_git_reader *r)
{
	if (!r)
		return;
	reader_release(r);
	git_odb_free(r->odb);
	git_repository_free(r->repo);
	ls_buf_dispose(&r->path);
	free(r);
}

static void item_path(ls_git_reader *r, const item *it)
{
	const ls_git_history *h = r->h;
	ls_buf_clear(&r->path);
	switch (it->kind) {
	case IT_COMMIT_MSG:
		ls_buf_puts(&r->path, "<commit message>");
		break;
	case IT_TAG_MSG:
		if (it->path != NO_PATH)
			ls_buf_printf(&r->path, "<tag message: %s>", strtab_get(&h->paths, it->path));
		else
			ls_buf_puts(&r->path, "<tag message>");
		break;
	case IT_UNREACHABLE:
		ls_buf_printf(&r->path, "<unreachable blob %.12s>", git_oid_tostr_s(&it->id));
		break;
	default:
		ls_buf_puts(&r->path, strtab_get(&h->paths, it->path));
		break;
	}
}

/* Names an item in a diagnostic: "object ID (path at commit C)". */
static void describe(ls_buf *b, const ls_git_history *h, const item *it, const char *path)
{
	ls_buf_printf(b, "object %s (%s", git_oid_tostr_s(&it->id), path);
	if (it->commit != NO_COMMIT && it->kind == IT_BLOB)
		ls_buf_printf(b, " at commit %.12s", git_oid_tostr_s(&h->commits[it->commit].id));
	ls_buf_putc(b, ')');
}

int ls_git_reader_read(ls_git_reader *r, size_t idx, long long max_size, ls_git_content *out)
{
	const item *it = &r->h->items[idx];
	memset(out, 0, sizeof(*out));
	reader_release(r);
	item_path(r, it);
	out->path = r->path.ptr;
	out->is_path = it->kind == IT_BLOB || it->kind == IT_STAGED;
	int err = 0;
	if (it->kind == IT_COMMIT_MSG) {
		if (git_commit_lookup(&r->commit, r->repo, &it->id) < 0)
			err = LS_EIO;
		else {
			const char *msg = git_commit_message(r->commit);
			out->data = msg ? msg : "";
			out->len = strlen(out->data);
		}
	} else if (it->kind == IT_TAG_MSG) {
		if (git_tag_lookup(&r->tag, r->repo, &it->id) < 0)
			err = LS_EIO;
		else {
			const char *msg = git_tag_message(r->tag);
			out->data = msg ? msg : "";
			out->len = strlen(out->data);
		}
	} else {
		size_t len;
		git_object_t type;
		if (git_odb_read_header(&len, &type, r->odb, &it->id) < 0) {
			err = LS_EIO;
		} else if ((long long)len > max_size) {
			out->size = (long long)len;
			out->too_large = 1;
		} else if (git_odb_read(&r->obj, r->odb, &it->id) < 0) {
			err = LS_EIO;
		} else {
			out->data = git_odb_object_data(r->obj);
			out->len = git_odb_object_size(r->obj);
		}
	}
	out->size = out->too_large ? out->size : (long long)out->len;
	if (err < 0) {
		const git_error *e = git_error_last();
		ls_buf b = LS_BUF_INIT;
		describe(&b, r->h, it, r->path.ptr);
		ls_error_set("%s: cannot read: %s", b.ptr,
		             e && e->klass == GIT_ERROR_ODB && strstr(e->message, "not found") ? "object not found"
		             : e && e->message                                                    ? e->message
		                                                                                  : "unknown error");
		ls_buf_dispose(&b);
		return err;
	}
	return 0;
}

static char *iso8601(const git_time *t)
{
	time_t secs = (time_t)t->time + (time_t)t->offset * 60;
	struct tm tm;
	gmtime_r(&secs, &tm);
	char buf[64];
	size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	if (t->offset == 0)
		snprintf(buf + n, sizeof(buf) - n, "Z");
	else {
		int off = t->offset < 0 ? -t->offset : t->offset;
		snprintf(buf + n, sizeof(buf) - n, "%c%02d:%02d", t->offset < 0 ? '-' : '+', off / 60, off % 60);
	}
	return ls_xstrdup(buf);
}

static char *first_line(const char *msg)
{
	if (!msg)
		return ls_xstrdup("");
	while (*msg == '\n')
		msg++;
	size_t n = strcspn(msg, "\r\n");
	return ls_xstrndup(msg, n);
}

static void commit_prov(ls_git_reader *r, const git_oid *id, ls_provenance *out)
{
	git_commit *c = NULL;
	out->commit = ls_xstrdup(git_oid_tostr_s(id));
	if (git_commit_lookup(&c, r->repo, id) < 0)
		return;
	const git_signature *a = git_commit_author(c);
	const git_signature *cm = git_commit_committer(c);
	out->author_name = ls_xstrdup(a && a->name ? a->name : "");
	out->author_email = ls_xstrdup(a && a->email ? a->email : "");
	git_time t = {git_commit_time(c), git_commit_time_offset(c), cm ? cm->when.sign : '+'};
	out->date = iso8601(&t);
	out->message = first_line(git_commit_message(c));
	git_commit_free(c);
}

void ls_git_reader_provenance(ls_git_reader *r, size_t idx, ls_provenance *out)
{
	const item *it = &r->h->items[idx];
	switch (it->kind) {
	case IT_STAGED:
		return;
	case IT_COMMIT_MSG:
		commit_prov(r, &it->id, out);
		return;
	case IT_TAG_MSG: {
		git_tag *tag = NULL;
		if (git_tag_lookup(&tag, r->repo, &it->id) < 0)
			return;
		git_object *peeled = NULL;
		if (git_tag_peel(&peeled, tag) == 0 && git_object_type(peeled) == GIT_OBJECT_COMMIT)
			out->commit = ls_xstrdup(git_oid_tostr_s(git_object_id(peeled)));
		git_object_free(peeled);
		const git_signature *s = git_tag_tagger(tag);
		if (s) {
			out->author_name = ls_xstrdup(s->name ? s->name : "");
			out->author_email = ls_xstrdup(s->email ? s->email : "");
			out->date = iso8601(&s->when);
		}
		out->message = first_line(git_tag_message(tag));
		if (!out->commit)
			out->blob = ls_xstrdup(git_oid_tostr_s(&it->id));
		git_tag_free(tag);
		return;
	}
	default:
		if (it->commit != NO_COMMIT)
			commit_prov(r, &r->h->commits[it->commit].id, out);
		out->blob = ls_xstrdup(git_oid_tostr_s(&it->id));
		return;
	}
}

/* ---- --all-provenance: every (commit, path) holding some blobs ---- */

typedef struct {
	char *path;
	uint32_t target;
} hit;

typedef struct {
	hit *v;
	size_t n;
} hitlist;

typedef struct {
	ls_git_history *h;
	omap targets; /* blob -> index in the caller's list */
	omap memo;    /* tree -> index in lists */
	hitlist *lists;
	size_t nlists;
} paths_ctx;

static uint32_t tree_hits(paths_ctx *p, const git_oid *tree_id)
{
	omap_ent *e = omap_find(&p->memo, tree_id);
	if (e)
		return e->val;
	hitlist hl = {NULL, 0};
	git_tree *t = NULL;
	if (git_tree_lookup(&t, p->h->r->repo, tree_id) == 0) {
		size_t n = git_tree_entrycount(t);
		for (size_t i = 0; i < n; i++) {
			const git_tree_entry *te = git_tree_entry_byindex(t, i);
			git_object_t type = git_tree_entry_type(te);
			const char *name = git_tree_entry_name(te);
			if (type == GIT_OBJECT_BLOB) {
				omap_ent *te_t = omap_find(&p->targets, git_tree_entry_id(te));
				if (!te_t)
					continue;
				hl.v = ls_xrealloc(hl.v, (hl.n + 1) * sizeof(hit));
				hl.v[hl.n].path = ls_xstrdup(name);
				hl.v[hl.n++].target = te_t->val;
			} else if (type == GIT_OBJECT_TREE) {
				uint32_t sub = tree_hits(p, git_tree_entry_id(te));
				const hitlist *sl = &p->lists[sub];
				for (size_t k = 0; k < sl->n; k++) {
					hl.v = ls_xrealloc(hl.v, (hl.n + 1) * sizeof(hit));
					hl.v[hl.n].path = ls_xasprintf("%s/%s", name, sl->v[k].path);
					hl.v[hl.n++].target = sl->v[k].target;
				}
			}
		}
		git_tree_free(t);
	}
	p->lists = ls_xrealloc(p->lists, (p->nlists + 1) * sizeof(hitlist));
	p->lists[p->nlists] = hl;
	int isnew;
	e = omap_get(&p->memo, tree_id, &isnew);
	e->kind = K_TREE;
	e->val = (uint32_t)p->nlists;
	return (uint32_t)p->nlists++;
}

int ls_git_history_all_paths(ls_git_history *h, const size_t *items, size_t n, ls_git_paths *out)
{
	paths_ctx p;
	memset(&p, 0, sizeof(p));
	p.h = h;
	for (size_t i = 0; i < n; i++) {
		const item *it = &h->items[items[i]];
		if (it->kind != IT_BLOB)
			continue;
		int isnew;
		omap_ent *e = omap_get(&p.targets, &it->id, &isnew);
		e->kind = K_TARGET;
		e->val = (uint32_t)i;
	}
	if (p.targets.n) {
		for (size_t ci = 0; ci < h->ncommits; ci++) {
			uint32_t li = tree_hits(&p, &h->commits[ci].tree);
			const hitlist *hl = &p.lists[li];
			for (size_t k = 0; k < hl->n; k++) {
				ls_git_paths *o = &out[hl->v[k].target];
				o->v = ls_xrealloc(o->v, (o->n + 1) * sizeof(char *));
				o->v[o->n++] = ls_xasprintf("%s:%s", git_oid_tostr_s(&h->commits[ci].id), hl->v[k].path);
			}
		}
	}
	for (size_t i = 0; i < p.nlists; i++) {
		for (size_t k = 0; k < p.lists[i].n; k++)
			free(p.lists[i].v[k].path);
		free(p.lists[i].v);
	}
	free(p.lists);
	omap_dispose(&p.targets);
	omap_dispose(&p.memo);
	return 0;
}

void ls_git_paths_dispose(ls_git_paths *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}
