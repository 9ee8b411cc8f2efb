/* source_git_secrets: the object walks behind `git secrets --scan-history` (cmd_secrets.c).
 *
 * git-secrets greps the whole tree of every commit `git log --all -G` selects. Here each
 * distinct blob is read and matched once, each distinct tree's files with matching lines
 * are listed once (source_git_trees.c, shared with --all-provenance), and the commits worth asking
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
	ls_git_treelist *trees; /* each tree's files with grep lines, listed once */
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
	ls_git_treelist_free(gs->trees);
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

/* Greps `data` (blob `id`, not seen before) and keeps its lines; returns their index. */
static uint32_t store_grep(ls_git_gs *gs, const git_oid *id, const char *data, size_t len)
{
	ls_buf lines = LS_BUF_INIT;
	gs->m.grep(gs->m.payload, data, len, &lines);
	uint32_t k = 0; /* the shared empty list */
	if (lines.len) {
		k = (uint32_t)new_buf(gs);
		gs->bufs[k] = lines;
	}
	int isnew;
	omap_ent *e = ls_git_omap_get(&gs->greps, id, &isnew);
	e->kind = K_BLOB;
	e->val = k;
	return k;
}

static void preload_id(ls_git_gs *gs, const git_oid *id, const char *data, size_t len)
{
	int isnew;
	omap_ent *e = ls_git_omap_get(&gs->hits, id, &isnew);
	if (isnew) {
		e->kind = K_BLOB;
		e->val = gs->m.pickaxe(gs->m.payload, data, len) != 0;
	}
	if (!ls_git_omap_find(&gs->greps, id))
		store_grep(gs, id, data, len);
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
	*idx = store_grep(gs, id, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
	git_blob_free(b);
	return 0;
}

/* The tree listing's choice: regular files (git grep's), listed with their grep lines'
 * index when they have some. */
static long long want_grep(void *payload, const git_oid *id, git_filemode_t mode)
{
	ls_git_gs *gs = payload;
	if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE)
		return -1;
	size_t k = 0;
	if (blob_grep(gs, id, &k) < 0)
		return LS_GIT_TREE_FAIL;
	return gs->bufs[k].len ? (long long)k : -1;
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
	if (!gs->trees)
		gs->trees = ls_git_treelist_new(gs->repo, 1, want_grep, gs);
	const ls_git_tree_hits *hl;
	int rc = ls_git_treelist_get(gs->trees, git_commit_tree_id(c), &hl);
	git_commit_free(c);
	/* "COMMIT:PATH" before each of the file's ":LINE:TEXT" lines, in tree order */
	for (size_t k = 0; !rc && k < hl->n; k++) {
		const ls_buf *lines = &gs->bufs[hl->v[k].tag];
		for (size_t off = 0; off < lines->len;) {
			const char *l = lines->ptr + off, *nl = memchr(l, '\n', lines->len - off);
			size_t ll = nl ? (size_t)(nl - l) + 1 : lines->len - off;
			ls_buf_put(out, commit, GIT_OID_HEXSZ);
			ls_buf_putc(out, ':');
			ls_buf_puts(out, hl->v[k].path);
			ls_buf_put(out, l, ll);
			off += ll;
		}
	}
	return rc;
}
