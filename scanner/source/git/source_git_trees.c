/* source_git_trees: every file under a tree that a caller wants, in tree order, with each
 * distinct tree listed once (memoized): what --all-provenance needs (every (commit, path) of
 * some blobs) and what the git-secrets drop-in prints (git grep over every file of a commit).
 * Trees nest at most LS_GIT_MAX_TREE_DEPTH levels, as in the history walk. */
#include "git2_lazy.h"
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "source_git_internal.h"

struct ls_git_treelist {
	git_repository *repo;
	ls_git_tree_want want;
	void *payload;
	int strict;
	omap memo;          /* tree -> index in lists */
	ls_git_tree_hits *lists;
	size_t nlists;
};

ls_git_treelist *ls_git_treelist_new(git_repository *repo, int strict, ls_git_tree_want want, void *payload)
{
	ls_git_treelist *tl = ls_xcalloc(1, sizeof(*tl));
	tl->repo = repo;
	tl->want = want;
	tl->payload = payload;
	tl->strict = strict;
	return tl;
}

static void hits_dispose(ls_git_tree_hits *hl)
{
	for (size_t k = 0; k < hl->n; k++)
		free(hl->v[k].path);
	free(hl->v);
}

void ls_git_treelist_free(ls_git_treelist *tl)
{
	if (!tl)
		return;
	for (size_t i = 0; i < tl->nlists; i++)
		hits_dispose(&tl->lists[i]);
	free(tl->lists);
	ls_git_omap_dispose(&tl->memo);
	free(tl);
}

static void push(ls_git_tree_hits *hl, char *path, uint32_t tag)
{
	hl->v = ls_xrealloc(hl->v, (hl->n + 1) * sizeof(ls_git_tree_hit));
	hl->v[hl->n].path = path;
	hl->v[hl->n++].tag = tag;
}

static int list_tree(ls_git_treelist *tl, const git_oid *id, int depth, uint32_t *out)
{
	omap_ent *e = ls_git_omap_find(&tl->memo, id);
	if (e) {
		*out = e->val;
		return 0;
	}
	ls_git_tree_hits hl = {NULL, 0};
	git_tree *t = NULL;
	if (depth > LS_GIT_MAX_TREE_DEPTH) {
		if (tl->strict) {
			ls_error_set("tree nesting deeper than %d", LS_GIT_MAX_TREE_DEPTH);
			return LS_EIO;
		}
	} else if (git_tree_lookup(&t, tl->repo, id) < 0) {
		if (tl->strict) {
			const git_error *ge = git_error_last();
			ls_error_set("cannot read tree %s: %s", git_oid_tostr_s(id), ge && ge->message ? ge->message : "unknown error");
			return LS_EIO;
		}
	} else {
		for (size_t i = 0, n = git_tree_entrycount(t); i < n; i++) {
			const git_tree_entry *te = git_tree_entry_byindex(t, i);
			git_object_t type = git_tree_entry_type(te);
			const char *name = git_tree_entry_name(te);
			if (type == GIT_OBJECT_TREE) {
				uint32_t sub;
				int rc = list_tree(tl, git_tree_entry_id(te), depth + 1, &sub);
				if (rc < 0) {
					git_tree_free(t);
					hits_dispose(&hl);
					return rc;
				}
				const ls_git_tree_hits *sl = &tl->lists[sub];
				for (size_t k = 0; k < sl->n; k++)
					push(&hl, ls_xasprintf("%s/%s", name, sl->v[k].path), sl->v[k].tag);
			} else if (type == GIT_OBJECT_BLOB) {
				long long tag = tl->want(tl->payload, git_tree_entry_id(te), git_tree_entry_filemode(te));
				if (tag < 0) {
					if (tag == LS_GIT_TREE_FAIL) {
						git_tree_free(t);
						hits_dispose(&hl);
						return LS_EIO;
					}
					continue;
				}
				push(&hl, ls_xstrdup(name), (uint32_t)tag);
			}
		}
		git_tree_free(t);
	}
	tl->lists = ls_xrealloc(tl->lists, (tl->nlists + 1) * sizeof(ls_git_tree_hits));
	tl->lists[tl->nlists] = hl;
	int isnew;
	e = ls_git_omap_get(&tl->memo, id, &isnew);
	e->kind = K_TREE;
	e->val = (uint32_t)tl->nlists;
	*out = (uint32_t)tl->nlists++;
	return 0;
}

int ls_git_treelist_get(ls_git_treelist *tl, const git_oid *tree, const ls_git_tree_hits **out)
{
	uint32_t idx;
	int rc = list_tree(tl, tree, 0, &idx);
	if (rc < 0)
		return rc;
	*out = &tl->lists[idx];
	return 0;
}
