/* source_git_secrets: the object walks behind `git secrets --scan-history` (cmd_secrets.c).
 *
 * git-secrets greps the whole tree of every commit `git log --all -G` selects. Here each
 * distinct blob is read and matched once, each distinct tree's matching lines are put
 * together once (shared subtrees are not walked again), and the commits worth asking
 * `git log -G` about are found by comparing trees (unchanged subtrees skipped by id).
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "source_git.h"
#include "source_git_internal.h"

struct ls_git_gs {
	git_repository *repo; /* borrowed */
	ls_git_gs_matcher m;
	omap hits;   /* blob -> pickaxe hit (val 0/1); tree -> any hit inside */
	omap greps;  /* blob or tree -> index in bufs of its git grep lines */
	ls_buf *bufs;
	size_t nbufs, capbufs;
};

static size_t new_buf(ls_git_gs *gs);

int ls_git_gs_new(ls_git_gs **out, ls_git_repo *repo, const ls_git_gs_matcher *m)
{
	ls_git_gs *gs = ls_xcalloc(1, sizeof(*gs));
	gs->repo = repo->repo;
	gs->m = *m;
	new_buf(gs); /* index 0: the empty list, shared by blobs without matches */
	*out = gs;
	return 0;
}

void ls_git_gs_free(ls_git_gs *gs)
{
	if (!gs)
		return;
	ls_git_omap_dispose(&gs->hits);
	ls_git_omap_dispose(&gs->greps);
	for (size_t i = 0; i < gs->nbufs; i++)
		ls_buf_dispose(&gs->bufs[i]);
	free(gs->bufs);
	free(gs);
}

static int fail_object(const git_oid *id, const char *what)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_oid_tostr(hex, sizeof(hex), id);
	const git_error *e = git_error_last();
	ls_error_set("cannot read %s %s: %s", what, hex, e && e->message ? e->message : "unknown error");
	return LS_EIO;
}

int ls_git_gs_preload(ls_git_gs *gs, const char *blob, const char *data, size_t len)
{
	git_oid id;
	if (git_oid_fromstrn(&id, blob, GIT_OID_HEXSZ) < 0) {
		ls_error_set("bad blob id");
		return LS_EINVAL;
	}
	int isnew;
	omap_ent *e = ls_git_omap_get(&gs->hits, &id, &isnew);
	if (isnew) {
		e->kind = K_BLOB;
		e->val = gs->m.pickaxe(gs->m.payload, data, len) != 0;
	}
	e = ls_git_omap_get(&gs->greps, &id, &isnew);
	if (isnew) {
		e->kind = K_BLOB;
		ls_buf lines = LS_BUF_INIT;
		gs->m.grep(gs->m.payload, data, len, &lines);
		if (!lines.len) {
			e->val = 0; /* the shared empty list */
		} else {
			size_t k = new_buf(gs);
			gs->bufs[k] = lines;
			/* new_buf does not touch the map: `e` is still valid */
			e->val = (uint32_t)k;
		}
	}
	return 0;
}

/* ---- which commits git log -G may select ---- */

static int blob_hit(ls_git_gs *gs, const git_oid *id, int *hit)
{
	int isnew;
	omap_ent *e = ls_git_omap_get(&gs->hits, id, &isnew);
	if (!isnew) {
		*hit = (int)e->val;
		return 0;
	}
	e->kind = K_BLOB;
	e->val = 0;
	git_blob *b = NULL;
	if (git_blob_lookup(&b, gs->repo, id) < 0)
		return fail_object(id, "blob");
	int h = gs->m.pickaxe(gs->m.payload, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
	git_blob_free(b);
	/* the map may have grown meanwhile: find the entry again */
	ls_git_omap_find(&gs->hits, id)->val = (uint32_t)(h != 0);
	*hit = h != 0;
	return 0;
}

static int tree_hit(ls_git_gs *gs, const git_oid *id, int depth, int *hit);

/* The text a gitlink shows in a diff. */
static int gitlink_hit(ls_git_gs *gs, const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_oid_tostr(hex, sizeof(hex), id);
	char *text = ls_xasprintf("Subproject commit %s\n", hex);
	int h = gs->m.pickaxe(gs->m.payload, text, strlen(text));
	free(text);
	return h != 0;
}

/* An entry added or removed whole: any hit in it. */
static int entry_hit(ls_git_gs *gs, const git_tree_entry *e, int depth, int *hit)
{
	switch (git_tree_entry_type(e)) {
	case GIT_OBJECT_BLOB:
		return blob_hit(gs, git_tree_entry_id(e), hit);
	case GIT_OBJECT_TREE:
		return tree_hit(gs, git_tree_entry_id(e), depth + 1, hit);
	case GIT_OBJECT_COMMIT:
		*hit = gitlink_hit(gs, git_tree_entry_id(e));
		return 0;
	default:
		*hit = 0;
		return 0;
	}
}

static int tree_hit(ls_git_gs *gs, const git_oid *id, int depth, int *hit)
{
	*hit = 0;
	omap_ent *m = ls_git_omap_find(&gs->hits, id);
	if (m) {
		*hit = (int)m->val;
		return 0;
	}
	if (depth > LS_GIT_MAX_TREE_DEPTH) {
		ls_error_set("tree nesting deeper than %d", LS_GIT_MAX_TREE_DEPTH);
		return LS_EIO;
	}
	git_tree *t = NULL;
	if (git_tree_lookup(&t, gs->repo, id) < 0)
		return fail_object(id, "tree");
	int rc = 0;
	for (size_t i = 0, n = git_tree_entrycount(t); i < n && !rc && !*hit; i++)
		rc = entry_hit(gs, git_tree_entry_byindex(t, i), depth, hit);
	git_tree_free(t);
	if (!rc) {
		int isnew;
		omap_ent *e = ls_git_omap_get(&gs->hits, id, &isnew);
		e->kind = K_TREE;
		e->val = (uint32_t)*hit;
	}
	return rc;
}

/* Any hit among the entries that differ between tree `a` (NULL: empty) and tree `b`. */
static int diff_hit(ls_git_gs *gs, const git_oid *a, const git_oid *b, int depth, int *hit)
{
	*hit = 0;
	if (!a)
		return tree_hit(gs, b, depth, hit);
	if (git_oid_equal(a, b))
		return 0;
	if (depth > LS_GIT_MAX_TREE_DEPTH) {
		ls_error_set("tree nesting deeper than %d", LS_GIT_MAX_TREE_DEPTH);
		return LS_EIO;
	}
	git_tree *ta = NULL, *tb = NULL;
	if (git_tree_lookup(&ta, gs->repo, a) < 0)
		return fail_object(a, "tree");
	if (git_tree_lookup(&tb, gs->repo, b) < 0) {
		git_tree_free(ta);
		return fail_object(b, "tree");
	}
	int rc = 0;
	for (size_t i = 0, n = git_tree_entrycount(tb); i < n && !rc && !*hit; i++) {
		const git_tree_entry *eb = git_tree_entry_byindex(tb, i);
		const git_tree_entry *ea = git_tree_entry_byname(ta, git_tree_entry_name(eb));
		if (ea && git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)))
			continue; /* same content (a mode change shows no lines) */
		if (ea && git_tree_entry_type(ea) == GIT_OBJECT_TREE && git_tree_entry_type(eb) == GIT_OBJECT_TREE) {
			rc = diff_hit(gs, git_tree_entry_id(ea), git_tree_entry_id(eb), depth + 1, hit);
			continue;
		}
		if (ea)
			rc = entry_hit(gs, ea, depth, hit);
		if (!rc && !*hit)
			rc = entry_hit(gs, eb, depth, hit);
	}
	for (size_t i = 0, n = git_tree_entrycount(ta); i < n && !rc && !*hit; i++) {
		const git_tree_entry *ea = git_tree_entry_byindex(ta, i);
		if (!git_tree_entry_byname(tb, git_tree_entry_name(ea)))
			rc = entry_hit(gs, ea, depth, hit);
	}
	git_tree_free(ta);
	git_tree_free(tb);
	return rc;
}

int ls_git_gs_candidate(ls_git_gs *gs, const char *commit, int *candidate)
{
	*candidate = 0;
	git_oid id;
	if (git_oid_fromstr(&id, commit) < 0) {
		ls_error_set("bad commit id '%s'", commit);
		return LS_EINVAL;
	}
	git_commit *c = NULL;
	if (git_commit_lookup(&c, gs->repo, &id) < 0)
		return fail_object(&id, "commit");
	int rc = 0;
	unsigned np = git_commit_parentcount(c);
	if (np == 0) {
		rc = diff_hit(gs, NULL, git_commit_tree_id(c), 0, candidate);
	} else if (np == 1) {
		/* git log shows no diff for a merge (without -m/-c/--cc), so -G never selects one */
		git_commit *p = NULL;
		if (git_commit_parent(&p, c, 0) < 0)
			rc = fail_object(git_commit_parent_id(c, 0), "commit");
		else
			rc = diff_hit(gs, git_commit_tree_id(p), git_commit_tree_id(c), 0, candidate);
		git_commit_free(p);
	}
	git_commit_free(c);
	return rc;
}

/* ---- what git grep prints for a tree ---- */

static size_t new_buf(ls_git_gs *gs)
{
	if (gs->nbufs == gs->capbufs) {
		gs->capbufs = gs->capbufs ? gs->capbufs * 2 : 256;
		gs->bufs = ls_xrealloc(gs->bufs, gs->capbufs * sizeof(ls_buf));
	}
	ls_buf init = LS_BUF_INIT;
	gs->bufs[gs->nbufs] = init;
	return gs->nbufs++;
}

static int blob_grep(ls_git_gs *gs, const git_oid *id, size_t *idx)
{
	omap_ent *m = ls_git_omap_find(&gs->greps, id);
	if (m) {
		*idx = m->val;
		return 0;
	}
	git_blob *b = NULL;
	if (git_blob_lookup(&b, gs->repo, id) < 0)
		return fail_object(id, "blob");
	size_t k = new_buf(gs);
	gs->m.grep(gs->m.payload, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b), &gs->bufs[k]);
	git_blob_free(b);
	int isnew;
	omap_ent *e = ls_git_omap_get(&gs->greps, id, &isnew);
	e->kind = K_BLOB;
	e->val = (uint32_t)k;
	*idx = k;
	return 0;
}

/* Appends each line of `from` to `to` prefixed with `name` (and a slash when `dir`). */
static void put_prefixed(ls_buf *to, const char *name, int dir, const ls_buf *from)
{
	size_t nlen = strlen(name);
	for (size_t off = 0; off < from->len;) {
		const char *l = from->ptr + off;
		const char *nl = memchr(l, '\n', from->len - off);
		size_t ll = nl ? (size_t)(nl - l) + 1 : from->len - off;
		ls_buf_put(to, name, nlen);
		if (dir)
			ls_buf_putc(to, '/');
		ls_buf_put(to, l, ll);
		off += ll;
	}
}

static int tree_grep(ls_git_gs *gs, const git_oid *id, int depth, size_t *idx)
{
	omap_ent *m = ls_git_omap_find(&gs->greps, id);
	if (m) {
		*idx = m->val;
		return 0;
	}
	if (depth > LS_GIT_MAX_TREE_DEPTH) {
		ls_error_set("tree nesting deeper than %d", LS_GIT_MAX_TREE_DEPTH);
		return LS_EIO;
	}
	git_tree *t = NULL;
	if (git_tree_lookup(&t, gs->repo, id) < 0)
		return fail_object(id, "tree");
	size_t k = new_buf(gs);
	int rc = 0;
	/* in tree order, as git grep walks a tree; regular files only */
	for (size_t i = 0, n = git_tree_entrycount(t); i < n && !rc; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(t, i);
		git_filemode_t mode = git_tree_entry_filemode(e);
		size_t sub = 0;
		if (mode == GIT_FILEMODE_TREE) {
			rc = tree_grep(gs, git_tree_entry_id(e), depth + 1, &sub);
			if (!rc)
				put_prefixed(&gs->bufs[k], git_tree_entry_name(e), 1, &gs->bufs[sub]);
		} else if (mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE) {
			rc = blob_grep(gs, git_tree_entry_id(e), &sub);
			if (!rc)
				put_prefixed(&gs->bufs[k], git_tree_entry_name(e), 0, &gs->bufs[sub]);
		}
	}
	git_tree_free(t);
	if (rc)
		return rc;
	int isnew;
	omap_ent *e = ls_git_omap_get(&gs->greps, id, &isnew);
	e->kind = K_TREE;
	e->val = (uint32_t)k;
	*idx = k;
	return 0;
}

int ls_git_gs_grep(ls_git_gs *gs, const char *commit, ls_buf *out)
{
	git_oid id;
	if (git_oid_fromstr(&id, commit) < 0) {
		ls_error_set("bad commit id '%s'", commit);
		return LS_EINVAL;
	}
	git_commit *c = NULL;
	if (git_commit_lookup(&c, gs->repo, &id) < 0)
		return fail_object(&id, "commit");
	size_t k = 0;
	int rc = tree_grep(gs, git_commit_tree_id(c), 0, &k);
	git_commit_free(c);
	if (!rc) {
		char *prefix = ls_xasprintf("%s:", commit);
		put_prefixed(out, prefix, 0, &gs->bufs[k]);
		free(prefix);
	}
	return rc;
}
