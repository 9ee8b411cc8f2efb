/* source_git_walk: the tree walk of a history's commits. Each (tree, path) is walked once and
 * each blob listed once with its first (commit, path) and every further path it appears at.
 * A long history is cut into parts by commit, walked on threads, and merged in commit order
 * into what one walk of the whole would give. */
#include "git2_lazy.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "source_git_internal.h"

static void add_place(ls_git_history *h, uint32_t owner, uint32_t commit, uint32_t path)
{
	if (h->nplaces == h->pcap) {
		h->pcap = h->pcap ? h->pcap * 2 : 256;
		h->places = ls_xrealloc(h->places, h->pcap * sizeof(place));
	}
	place *p = &h->places[h->nplaces++];
	p->item = owner;
	p->commit = commit;
	p->path = path;
}

void ls_git_history_note_blob(ls_git_history *h, const git_oid *id, uint32_t commit, const char *path, size_t len)
{
	int isnew;
	omap_ent *e = ls_git_omap_get(&h->seen, id, &isnew);
	if (isnew) {
		e->kind = K_BLOB;
		e->val = (uint32_t)h->nitems;
		ls_git_history_add(h, id, IT_BLOB, commit, ls_git_strtab_intern(&h->paths, path, len));
		return;
	}
	if (e->kind != K_BLOB)
		return;
	const item *it = &h->items[e->val];
	if (it->path != NO_PATH) {
		const char *first = ls_git_strtab_get(&h->paths, it->path);
		if (!strncmp(first, path, len) && first[len] == '\0')
			return; /* the common case: the same file, unchanged, in a changed directory */
	}
	uint32_t pid = ls_git_strtab_intern(&h->paths, path, len);
	if (ls_git_pairset_add(&h->pairs, id, pid))
		add_place(h, e->val, commit, pid);
}

/* Directories (interned path ids) whose last tree is kept for the next commit's diff; the
 * memory those trees may take is the history's last_max (estimated from their entries: a few
 * huge trees must not pin gigabytes). Beyond either bound a directory's next tree is walked
 * without a diff base. */
#define LS_GIT_MAX_LAST_TREES ((uint32_t)1 << 18)
#define TREE_COST(t) ((t) ? 128 + git_tree_entrycount(t) * (size_t)96 : 0)

/* ---- the tree walk: each (tree, path) once, each blob once with its first (commit, path) and
 * every further path it appears at ---- */

/* Keeps `t` (taken) as the tree walked last at directory `dir`, within a bound on how many
 * directories are remembered. */
static void keep_last(ls_git_history *h, uint32_t dir, git_tree *t)
{
	if (dir >= h->nlast) {
		if (dir >= LS_GIT_MAX_LAST_TREES) {
			git_tree_free(t);
			return;
		}
		size_t ncap = h->nlast ? h->nlast : 256;
		while (ncap <= dir)
			ncap *= 2;
		h->last = ls_xrealloc(h->last, ncap * sizeof(git_tree *));
		memset(h->last + h->nlast, 0, (ncap - h->nlast) * sizeof(git_tree *));
		h->nlast = ncap;
	}
	h->last_bytes -= TREE_COST(h->last[dir]);
	git_tree_free(h->last[dir]);
	h->last[dir] = NULL;
	if (h->last_bytes + TREE_COST(t) > h->last_max) {
		git_tree_free(t);
		return;
	}
	h->last_bytes += TREE_COST(t);
	h->last[dir] = t;
}

void ls_git_history_drop_last(ls_git_history *h)
{
	for (size_t i = 0; i < h->nlast; i++)
		git_tree_free(h->last[i]);
	free(h->last);
	h->last = NULL;
	h->nlast = 0;
	h->last_bytes = 0;
}

static void walk_tree(ls_git_history *h, const git_oid *tree_id, uint32_t commit, ls_buf *path, int depth)
{
	if (depth > LS_GIT_MAX_TREE_DEPTH) {
		ls_git_history_add_error(h, "object %s: tree nested deeper than %d levels (under '%.60s...'); not scanned", git_oid_tostr_s(tree_id),
		          LS_GIT_MAX_TREE_DEPTH, path->ptr);
		return;
	}
	int isnew, again = 0;
	uint32_t dir;
	const char *p = path->ptr ? path->ptr : "";
	omap_ent *e = ls_git_omap_get(&h->seen, tree_id, &isnew);
	if (isnew || e->kind == K_BLOB) {
		/* (K_BLOB: a forged tree listed this tree with a file's mode; it was read as a blob
		 * there, and is still walked as the tree it is, or what it holds would be hidden) */
		e->kind = K_TREE;
		e->val = dir = ls_git_strtab_intern(&h->paths, p, path->len);
	} else {
		if (e->kind != K_TREE || !strcmp(ls_git_strtab_get(&h->paths, e->val), p))
			return;
		dir = ls_git_strtab_intern(&h->paths, p, path->len);
		if (!ls_git_pairset_add(&h->pairs, tree_id, dir))
			return;
		again = 1;
	}
	git_tree *t = NULL;
	if (git_tree_lookup(&t, h->r->repo, tree_id) < 0) {
		char cs[GIT_OID_HEXSZ + 1] = "";
		if (commit != NO_COMMIT)
			git_oid_tostr(cs, sizeof(cs), &h->commits[commit].id);
		ls_git_history_add_error(h, "object %s: cannot read tree '%s'%s%s: %s", git_oid_tostr_s(tree_id), path->len ? path->ptr : "/",
		          commit != NO_COMMIT ? " at commit " : "", cs, ls_git_msg());
		return;
	}
	size_t base = path->len;
	size_t n = git_tree_entrycount(t);
	if (again) {
		if (h->alias_budget < n) {
			if (!h->alias_over) {
				ls_git_history_add_error(h, "object %s: too many paths (directories copied under many names, as under '%.60s'); "
				             "further copies are not listed",
				          git_oid_tostr_s(tree_id), path->len ? path->ptr : "/");
				h->alias_err = h->nerrors; /* (its index + 1: the merge keeps the first part's) */
			}
			h->alias_over = 1;
			git_tree_free(t);
			return;
		}
		h->alias_budget -= n;
	}
	/* the tree walked last at this path: an entry it holds unchanged (same name, same object)
	 * is already listed there, so only what changed is looked up (git's tree diff) */
	git_tree *prev = dir < h->nlast ? h->last[dir] : NULL;
	size_t np = prev ? git_tree_entrycount(prev) : 0, k = 0;
	for (size_t i = 0; i < n; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(t, i);
		git_object_t type = git_tree_entry_type(te);
		if (type != GIT_OBJECT_TREE && type != GIT_OBJECT_BLOB)
			continue; /* submodule commits live in other repositories */
		/* most entries are unchanged and at the same place: the object id tells first */
		const git_tree_entry *pe = k < np ? git_tree_entry_byindex(prev, k) : NULL;
		if (pe && ls_git_oid_eq(git_tree_entry_id(pe), git_tree_entry_id(te)) &&
		    git_tree_entry_filemode(pe) == git_tree_entry_filemode(te) &&
		    !strcmp(git_tree_entry_name(pe), git_tree_entry_name(te))) {
			k++;
			continue;
		}
		int c = 1;
		while (k < np && (c = git_tree_entry_cmp((pe = git_tree_entry_byindex(prev, k)), te)) < 0)
			k++;
		if (k < np && c == 0) {
			k++; /* the same name: consumed, changed or not */
			if (ls_git_oid_eq(git_tree_entry_id(pe), git_tree_entry_id(te)) &&
			    git_tree_entry_filemode(pe) == git_tree_entry_filemode(te))
				continue;
		}
		path->len = base;
		if (base)
			ls_buf_putc(path, '/');
		ls_buf_puts(path, git_tree_entry_name(te));
		const git_oid *id = git_tree_entry_id(te);
		if (type == GIT_OBJECT_TREE)
			walk_tree(h, id, commit, path, depth + 1);
		else
			ls_git_history_note_blob(h, id, commit, path->ptr, path->len);
	}
	path->len = base;
	if (path->ptr)
		path->ptr[base] = '\0';
	keep_last(h, dir, t);
}


/* ---- parts: cut by commit, walked on threads, merged in order ---- */

typedef struct {
	ls_git_history *whole;
	ls_git_history **parts;
	uint32_t *bound; /* part k walks commits [bound[k], bound[k + 1]) */
	size_t nparts;
	const ls_git_target *others; /* trees and blobs refs point to: the last part walks them */
	size_t nothers;
	const volatile int *stop;
	atomic_size_t next;
	atomic_int stopped;
} walkjob;

static void walk_part(walkjob *j, size_t k, ls_git_repo *r)
{
	ls_git_history *p = j->parts[k];
	p->r = r;
	ls_buf path = LS_BUF_INIT;
	for (uint32_t ci = j->bound[k]; ci < j->bound[k + 1]; ci++) {
		if ((j->stop && *j->stop) || atomic_load(&j->stopped)) {
			atomic_store(&j->stopped, 1);
			break;
		}
		ls_buf_clear(&path);
		walk_tree(p, &j->whole->commits[ci].tree, ci, &path, 0);
	}
	for (size_t i = 0; k + 1 == j->nparts && i < j->nothers && !atomic_load(&j->stopped); i++) {
		ls_buf_clear(&path);
		if (j->others[i].type == GIT_OBJECT_TREE)
			walk_tree(p, &j->others[i].id, NO_COMMIT, &path, 0);
		else
			ls_git_history_note_blob(p, &j->others[i].id, NO_COMMIT, j->others[i].name, strlen(j->others[i].name));
	}
	ls_buf_dispose(&path);
	ls_git_history_drop_last(p); /* (trees of this thread's repository handle) */
	p->r = j->whole->r;
}

static void walk_parts(walkjob *j, ls_git_repo *r)
{
	size_t k;
	while ((k = atomic_fetch_add(&j->next, 1)) < j->nparts)
		walk_part(j, k, r);
}

/*
 * A further walking thread, on its own handle of the repository (libgit2 objects are used by
 * one thread at a time); one that cannot open it leaves the parts to the others. libgit2 keeps
 * one pack object per pack file name for the whole process, with locks taken on every window
 * of every read: two walking threads sharing it spent their time waiting on each other (curl's
 * walk took longer on two threads than on one). Naming the objects directory another way
 * ("objects/.") gives this handle packs of its own; the size cap wraps them as it wraps any.
 */
static void *walk_thread(void *arg)
{
	walkjob *j = arg;
	ls_git_repo own = *j->whole->r;
	if (ls_git_repo_reopen(j->whole->r, &own.repo) < 0)
		return NULL;
	if (!own.from_env) {
		/* (from the environment, the objects directories are git's to name: shared packs) */
		char *objects = ls_xasprintf("%sobjects/.", git_repository_commondir(own.repo));
		git_odb *odb = NULL;
		int err = git_odb_open(&odb, objects);
		if (!err)
			err = git_repository_set_odb(own.repo, odb);
		git_odb_free(odb);
		free(objects);
		if (!err)
			err = ls_git_cap_objects(own.repo);
		if (err < 0) {
			git_repository_free(own.repo); /* (never left without the cap) */
			return NULL;
		}
	}
	walk_parts(j, &own);
	git_repository_free(own.repo);
	return NULL;
}

/* The object id an error names ("object <id>: ..."), if it names one. */
static int error_object(const char *msg, git_oid *out)
{
	return !strncmp(msg, "object ", 7) && strlen(msg) > 7 + GIT_OID_HEXSZ && msg[7 + GIT_OID_HEXSZ] == ':' &&
	       git_oid_fromstrn(out, msg + 7, GIT_OID_HEXSZ) == 0;
}

/*
 * Appends part `p` (commits [a, b)) to `h`: each commit's message, then what it introduced,
 * as one walk of the whole would have listed them. A part walked without what earlier parts
 * saw, so what it lists again is dropped here: a blob already listed at that path, an error
 * about an object already named or already known.
 */
static void merge_part(ls_git_history *h, ls_git_history *p, uint32_t a, uint32_t b, omap *named)
{
	size_t k = 0;
	for (uint32_t ci = a; ci <= b; ci++) {
		if (ci < b)
			ls_git_history_add(h, &h->commits[ci].id, IT_COMMIT_MSG, ci, NO_PATH);
		for (; k < p->nitems && (ci == b || p->items[k].commit == ci); k++) {
			const char *path = ls_git_strtab_get(&p->paths, p->items[k].path);
			ls_git_history_note_blob(h, &p->items[k].id, p->items[k].commit, path, strlen(path));
		}
	}
	for (size_t i = 0; i < p->nplaces; i++) {
		const char *path = ls_git_strtab_get(&p->paths, p->places[i].path);
		ls_git_history_note_blob(h, &p->items[p->places[i].item].id, p->places[i].commit, path, strlen(path));
	}
	for (size_t i = 0; i < p->nerrors; i++) {
		git_oid id;
		int isnew = 1;
		if (i + 1 == p->alias_err && h->alias_over)
			continue;
		if (error_object(p->errors[i], &id) && (ls_git_omap_find(&h->seen, &id) || (ls_git_omap_get(named, &id, &isnew), !isnew)))
			continue;
		h->alias_over |= i + 1 == p->alias_err;
		h->errors = ls_xrealloc(h->errors, (h->nerrors + 1) * sizeof(char *));
		h->errors[h->nerrors++] = p->errors[i];
		p->errors[i] = NULL;
	}
	/* the trees, for --all-objects to tell what the walk reached */
	for (size_t i = 0; i < p->seen.cap; i++) {
		int isnew;
		if (p->seen.t[i].kind != K_TREE)
			continue;
		omap_ent *e = ls_git_omap_get(&h->seen, &p->seen.t[i].id, &isnew);
		if (isnew) {
			e->kind = K_TREE;
			e->val = NO_PATH;
		}
	}
}

/* Commits per part of a long history (the parts do not depend on the thread count, so the
 * output does not either), and at most this many parts. */
#define LS_GIT_WALK_PART_COMMITS 2048
#define LS_GIT_WALK_MAX_PARTS 16

int ls_git_history_walk(ls_git_history *h, const ls_git_target *others, size_t nothers, const ls_git_history_options *o)
{
	size_t np = o->walk_parts ? (size_t)o->walk_parts : h->ncommits / LS_GIT_WALK_PART_COMMITS;
	if (np > LS_GIT_WALK_MAX_PARTS && !o->walk_parts)
		np = LS_GIT_WALK_MAX_PARTS;
	if (np < 1)
		np = 1;
	walkjob j = {.whole = h, .nparts = np, .others = others, .nothers = nothers, .stop = o->stop};
	atomic_init(&j.next, 0);
	atomic_init(&j.stopped, 0);
	j.parts = ls_xcalloc(np, sizeof(*j.parts));
	j.bound = ls_xmalloc((np + 1) * sizeof(uint32_t));
	for (size_t k = 0; k < np; k++) {
		j.bound[k] = (uint32_t)(h->ncommits * k / np);
		ls_git_history *p = j.parts[k] = ls_git_history_alloc(h->r);
		p->commits = h->commits; /* borrowed, for messages */
		p->ncommits = h->ncommits;
		p->alias_budget = h->alias_budget / np;
		p->last_max = h->last_max / np;
	}
	j.bound[np] = (uint32_t)h->ncommits;
	size_t nthreads = o->threads > 1 ? (size_t)o->threads : 1;
	if (nthreads > np)
		nthreads = np;
	pthread_t *tid = ls_xcalloc(nthreads, sizeof(pthread_t));
	size_t started = 0;
	for (size_t t = 1; t < nthreads; t++)
		if (pthread_create(&tid[started], NULL, walk_thread, &j) == 0)
			started++;
	walk_parts(&j, h->r);
	for (size_t t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	free(tid);
	int err = 0;
	if (atomic_load(&j.stopped)) {
		ls_error_set("%s: interrupted", h->r->gitdir);
		err = LS_ESTOP;
	}
	omap named = {0};
	for (size_t k = 0; k < np; k++) {
		if (!err)
			merge_part(h, j.parts[k], j.bound[k], j.bound[k + 1], &named);
		j.parts[k]->commits = NULL;
		ls_git_history_free(j.parts[k]);
	}
	ls_git_omap_dispose(&named);
	free(j.parts);
	free(j.bound);
	return err;
}
