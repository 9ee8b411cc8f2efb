/* source_git_secrets: the object walks behind `git secrets --scan-history` (cmd_secrets.c).
 *
 * git-secrets greps the whole tree of every commit `git log --all -G` selects. Here each
 * distinct blob is read and matched once, each distinct tree's matching lines are put
 * together once (shared subtrees are not walked again), and the commits worth asking
 * `git log -G` about are those whose changed blobs (from one `git log --raw` pass) have a
 * line the pattern matches.
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

static void preload_id(ls_git_gs *gs, const git_oid *id, const char *data, size_t len)
{
	int isnew;
	omap_ent *e = ls_git_omap_get(&gs->hits, id, &isnew);
	if (isnew) {
		e->kind = K_BLOB;
		e->val = gs->m.pickaxe(gs->m.payload, data, len) != 0;
	}
	e = ls_git_omap_get(&gs->greps, id, &isnew);
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
}

static void preload_packed(void *payload, const git_oid *id, const char *data, size_t len) { preload_id(payload, id, data, len); }

size_t ls_git_gs_preload_packs(ls_git_gs *gs)
{
	int n = ls_git_packs_each_blob(gs->repo, preload_packed, gs);
	return n < 0 ? 0 : (size_t)n;
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

/* One side of a raw diff line: a pickaxe hit in what git log -G would see of it. */
static int side_hit(ls_git_gs *gs, const char *mode, const char *hex, int *hit)
{
	git_oid id;
	*hit = 0;
	if (git_oid_fromstrn(&id, hex, GIT_OID_HEXSZ) < 0 || git_oid_is_zero(&id))
		return 0; /* absent on this side */
	if (!strncmp(mode, "160000", 6)) {
		*hit = gitlink_hit(gs, &id);
		return 0;
	}
	return blob_hit(gs, &id, hit);
}

static int is_hex_id(const char *l, size_t n)
{
	if (n != GIT_OID_HEXSZ)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", l[i]) || !l[i])
			return 0;
	return 1;
}

int ls_git_gs_candidates_from_log(ls_git_gs *gs, const char *log, size_t len, ls_buf *out)
{
	const char *commit = NULL;
	int chosen = 0;
	for (size_t off = 0; off < len;) {
		const char *l = log + off, *nl = memchr(l, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - l) : len - off;
		off += ll + 1;
		if (is_hex_id(l, ll)) {
			commit = l;
			chosen = 0;
			continue;
		}
		/* ":100644 100644 OLD NEW M\tpath": modes at 1 and 8, ids at 15 and 56 */
		if (!commit || chosen || ll < 97 || l[0] != ':' || l[7] != ' ' || l[14] != ' ' || l[55] != ' ' ||
		    l[96] != ' ')
			continue;
		if (!memcmp(l + 15, l + 56, GIT_OID_HEXSZ))
			continue; /* a mode change alone shows no lines */
		int hit = 0;
		int rc = side_hit(gs, l + 1, l + 15, &hit);
		if (!rc && !hit)
			rc = side_hit(gs, l + 8, l + 56, &hit);
		if (rc)
			return rc;
		if (hit) {
			chosen = 1;
			ls_buf_put(out, commit, GIT_OID_HEXSZ);
			ls_buf_putc(out, '\n');
		}
	}
	return 0;
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
