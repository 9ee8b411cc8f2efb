/* source_git_staged: what `git commit` would record, read straight from the index file.
 *
 * Comparing HEAD's tree with the whole index costs as much as the repository is large. The
 * index's cache-tree extension (TREE) records, for each directory it still knows, the tree
 * the index would write there; where that equals HEAD's tree for the directory nothing in it
 * is staged and the directory is skipped without looking at its entries. Only directories on
 * the path of a change are compared entry by entry, so the cost grows with the change.
 *
 * Anything unusual (another index version, a split or sparse index, a malformed file) makes
 * ls_git_staged_fast return -1, and the caller compares with libgit2's diff instead. The file
 * is mapped, once; nothing is written.
 */
#include <errno.h>
#include <fcntl.h>
#include "git2_lazy.h"
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "source_git.h"
#include "source_git_internal.h"

typedef struct {
	const char *path; /* NUL-terminated */
	size_t len;
	uint32_t mode;
	git_oid id;
	unsigned stage;
	int ita; /* intent-to-add: no content yet */
} ientry;

typedef struct cnode {
	const char *name;
	size_t len;
	long entries; /* -1: invalidated */
	git_oid id;
	struct cnode *subs;
	size_t nsubs;
} cnode;

typedef struct {
	ientry *e;
	size_t n;
	ls_buf paths; /* version 4: decoded paths */
	cnode root;
	int have_tree;
	ls_git_history *h;
	git_repository *repo;
	ls_buf name; /* scratch */
} idx;

static uint32_t be32(const unsigned char *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }

/* One cache-tree node and its subtrees (pre-order). Returns 0 or -1. */
static int parse_cnode(cnode *c, const unsigned char **pp, const unsigned char *end, int depth)
{
	const unsigned char *p = *pp;
	const unsigned char *nul = memchr(p, '\0', (size_t)(end - p));
	if (!nul || depth > LS_GIT_MAX_TREE_DEPTH)
		return -1;
	c->name = (const char *)p;
	c->len = (size_t)(nul - p);
	p = nul + 1;
	char *q;
	const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl)
		return -1;
	c->entries = strtol((const char *)p, &q, 10);
	if ((const unsigned char *)q >= nl || *q != ' ')
		return -1;
	long nsubs = strtol(q + 1, &q, 10);
	if ((const unsigned char *)q != nl || nsubs < 0 || nsubs > 1000000)
		return -1;
	p = nl + 1;
	if (c->entries >= 0) {
		if (end - p < GIT_OID_RAWSZ)
			return -1;
		git_oid_fromraw(&c->id, p);
		p += GIT_OID_RAWSZ;
	}
	c->nsubs = (size_t)nsubs;
	c->subs = ls_xcalloc(c->nsubs ? c->nsubs : 1, sizeof(cnode));
	*pp = p;
	for (size_t i = 0; i < c->nsubs; i++)
		if (parse_cnode(&c->subs[i], pp, end, depth + 1) < 0)
			return -1;
	return 0;
}

static void free_cnode(cnode *c)
{
	for (size_t i = 0; c->subs && i < c->nsubs; i++)
		free_cnode(&c->subs[i]);
	free(c->subs);
}

static int parse_index(idx *x, const unsigned char *buf, size_t size)
{
	if (size < 12 + GIT_OID_RAWSZ || memcmp(buf, "DIRC", 4))
		return -1;
	uint32_t version = be32(buf + 4);
	uint32_t n = be32(buf + 8);
	if (version < 2 || version > 4)
		return -1;
	const unsigned char *p = buf + 12, *end = buf + size - GIT_OID_RAWSZ;
	x->e = ls_xcalloc(n ? n : 1, sizeof(ientry));
	size_t *offs = version == 4 ? ls_xcalloc(n ? n : 1, sizeof(size_t)) : NULL;
	size_t prev_len = 0;
	int err = -1;
	for (uint32_t i = 0; i < n; i++) {
		const unsigned char *start = p;
		if (end - p < 62)
			goto done;
		ientry *e = &x->e[i];
		e->mode = be32(p + 24);
		git_oid_fromraw(&e->id, p + 40);
		unsigned flags = be16(p + 60);
		e->stage = (flags >> 12) & 3;
		p += 62;
		if (flags & 0x4000) { /* extended flags */
			if (version < 3 || end - p < 2)
				goto done;
			e->ita = (be16(p) & 0x2000) != 0;
			p += 2;
		}
		if (version == 4) {
			/* the previous path minus `strip` bytes, then a NUL-terminated suffix */
			size_t strip = 0;
			unsigned char c;
			do {
				if (p >= end)
					goto done;
				c = *p++;
				strip = (strip << 7) + (c & 127);
				if (c & 128)
					strip++;
			} while (c & 128);
			const unsigned char *nul = memchr(p, '\0', (size_t)(end - p));
			if (!nul || strip > prev_len)
				goto done;
			size_t keep = prev_len - strip, slen = (size_t)(nul - p);
			offs[i] = x->paths.len;
			/* grow first: the kept prefix is copied from this same buffer */
			ls_buf_grow(&x->paths, keep + slen + 1);
			if (keep)
				memcpy(x->paths.ptr + x->paths.len, x->paths.ptr + offs[i - 1], keep);
			x->paths.len += keep;
			ls_buf_put(&x->paths, p, slen);
			ls_buf_putc(&x->paths, '\0');
			e->len = prev_len = keep + slen;
			p = nul + 1;
		} else {
			const unsigned char *nul = memchr(p, '\0', (size_t)(end - p));
			if (!nul)
				goto done;
			e->path = (const char *)p;
			e->len = (size_t)(nul - p);
			/* entries are padded with 1 to 8 NULs to a multiple of 8 bytes */
			size_t total = ((size_t)(nul - start) + 8) & ~(size_t)7;
			if ((size_t)(end - start) < total)
				goto done;
			p = start + total;
		}
		if ((e->mode & 0170000) == 0040000)
			goto done; /* a sparse index's directory entry */
	}
	if (offs)
		for (uint32_t i = 0; i < n; i++)
			x->e[i].path = x->paths.ptr + offs[i];
	x->n = n;
	/* extensions */
	while (end - p >= 8) {
		uint32_t len = be32(p + 4);
		const unsigned char *data = p + 8;
		if ((size_t)(end - data) < len)
			goto done;
		if (!memcmp(p, "TREE", 4)) {
			const unsigned char *q = data;
			if (len && parse_cnode(&x->root, &q, data + len, 0) < 0)
				goto done;
			x->have_tree = len > 0;
		} else if (!memcmp(p, "link", 4) || !memcmp(p, "sdir", 4)) {
			goto done; /* split or sparse index: leave it to libgit2 */
		} else if (p[0] < 'A' || p[0] > 'Z') {
			goto done; /* a required extension we do not know */
		}
		p = data + len;
	}
	err = 0;
done:
	free(offs);
	return err;
}

static void add(idx *x, const ientry *e)
{
	if (e->stage || e->ita || (e->mode & 0170000) == 0160000)
		return; /* conflicts are not committed; gitlinks live elsewhere */
	ls_git_history_add_item(x->h, &e->id, IT_STAGED, e->path, e->len);
}

static int has_prefix(const ientry *e, const char *prefix, size_t plen)
{
	return e->len > plen && !memcmp(e->path, prefix, plen);
}

/*
 * Compares the entries from `i` on that lie under `prefix` ("" or "dir/") with `head` (the
 * HEAD tree there, or NULL) using cache-tree node `c` (or NULL). Returns the index after
 * them, or (size_t)-1 when the index is inconsistent.
 */
static size_t compare_dir(idx *x, size_t i, const char *prefix, size_t plen, git_tree *head, const cnode *c, int depth)
{
	size_t sub_from = 0; /* where to look for the next subdirectory's cache-tree node */
	if (depth > LS_GIT_MAX_TREE_DEPTH)
		return (size_t)-1;
	if (c && c->entries >= 0 && head && git_oid_equal(&c->id, git_tree_id(head))) {
		/* nothing staged below: skip the directory's entries unread */
		size_t end = i + (size_t)c->entries;
		if (end > x->n || (c->entries && !has_prefix(&x->e[end - 1], prefix, plen)) ||
		    (end < x->n && has_prefix(&x->e[end], prefix, plen)))
			return (size_t)-1;
		return end;
	}
	while (i < x->n && has_prefix(&x->e[i], prefix, plen)) {
		const ientry *e = &x->e[i];
		const char *rest = e->path + plen;
		const char *slash = memchr(rest, '/', e->len - plen);
		if (!slash) {
			const git_tree_entry *te = head ? git_tree_entry_byname(head, rest) : NULL;
			if (!te || !git_oid_equal(git_tree_entry_id(te), &e->id) || (uint32_t)git_tree_entry_filemode(te) != e->mode)
				add(x, e);
			i++;
			continue;
		}
		/* a subdirectory: its entries follow contiguously */
		size_t nlen = (size_t)(slash - rest);
		ls_buf_clear(&x->name);
		ls_buf_put(&x->name, rest, nlen);
		const git_tree_entry *te = head ? git_tree_entry_byname(head, x->name.ptr) : NULL;
		const int te_tree = te && git_tree_entry_type(te) == GIT_OBJECT_TREE;
		/* subdirectories come in the same (path) order in the index and the cache-tree */
		const cnode *sc = NULL;
		for (size_t n = 0; c && n < c->nsubs && !sc; n++) {
			size_t k = (sub_from + n) % c->nsubs;
			if (c->subs[k].len == nlen && !memcmp(c->subs[k].name, rest, nlen)) {
				sc = &c->subs[k];
				sub_from = k + 1;
			}
		}
		if (sc && sc->entries >= 0 && te_tree && git_oid_equal(&sc->id, git_tree_entry_id(te))) {
			/* unchanged since HEAD: skip its entries without reading its tree */
			size_t end = i + (size_t)sc->entries;
			if (end > x->n || end <= i || !has_prefix(&x->e[end - 1], e->path, plen + nlen + 1) ||
			    (end < x->n && has_prefix(&x->e[end], e->path, plen + nlen + 1)))
				return (size_t)-1;
			i = end;
			continue;
		}
		char *sub = ls_xstrndup(e->path, plen + nlen + 1);
		git_tree *subtree = NULL;
		if (te_tree && git_tree_lookup(&subtree, x->repo, git_tree_entry_id(te)) < 0) {
			free(sub);
			return (size_t)-1;
		}
		size_t next = compare_dir(x, i, sub, plen + nlen + 1, subtree, sc, depth + 1);
		git_tree_free(subtree);
		free(sub);
		if (next == (size_t)-1 || next <= i)
			return (size_t)-1;
		i = next;
	}
	return i;
}

int ls_git_staged_fast(ls_git_history *h, git_repository *repo, const char *index_path, git_tree *head)
{
	/* mapped, not read: a big repository's index is megabytes, and most of it is skipped */
	int fd = open(index_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO must not block */
	if (fd < 0)
		return errno == ENOENT ? 0 : -1; /* no index yet: nothing staged */
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		close(fd);
		return -1;
	}
	size_t size = (size_t)st.st_size;
	void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -1;
	idx x;
	memset(&x, 0, sizeof(x));
	x.h = h;
	x.repo = repo;
	int err = -1;
	size_t mark = ls_git_history_count(h);
	if (parse_index(&x, map, size) < 0)
		goto done;
	/* without a cache-tree (before the first commit or write-tree) every directory is compared */
	if (compare_dir(&x, 0, "", 0, head, x.have_tree ? &x.root : NULL, 0) != x.n) {
		ls_git_history_truncate(h, mark);
		goto done;
	}
	err = 0;
done:
	free_cnode(&x.root);
	free(x.e);
	ls_buf_dispose(&x.paths);
	ls_buf_dispose(&x.name);
	munmap(map, size);
	return err;
}

int ls_git_staged_new(ls_git_history **out, ls_git_repo *r) { return ls_git_staged_read(out, r, LS_GIT_STAGED_AUTO); }

int ls_git_staged_read(ls_git_history **out, ls_git_repo *r, int mode)
{
	if (git_repository_is_bare(r->repo)) {
		ls_error_set("%s: a bare repository has no staged changes", r->gitdir);
		return LS_EINVAL;
	}
	git_index *index = NULL;
	git_reference *head = NULL;
	git_tree *tree = NULL;
	git_diff *diff = NULL;
	ls_git_history *h = NULL;
	int err = 0;
	if (git_repository_head(&head, r->repo) == 0) {
		git_object *obj = NULL;
		if (git_reference_peel(&obj, head, GIT_OBJECT_TREE) < 0) {
			ls_error_set("%s: cannot read HEAD's tree: %s", r->gitdir, ls_git_msg());
			err = LS_EIO;
			goto done;
		}
		tree = (git_tree *)obj;
	} /* else no commit yet: everything staged is new */

	/* the index file git uses: $GIT_INDEX_FILE when opened from git's environment (hooks) */
	h = ls_git_history_alloc(r);
	const char *env = r->from_env ? getenv("GIT_INDEX_FILE") : NULL;
	char *index_path = env && *env ? ls_xstrdup(env) : ls_xasprintf("%sindex", r->gitdir);
	int fast = mode != LS_GIT_STAGED_DIFF && ls_git_staged_fast(h, r->repo, index_path, tree) == 0;
	if (!fast && mode == LS_GIT_STAGED_FAST) {
		ls_error_set("%s: the index needs libgit2's diff", index_path);
		free(index_path);
		err = LS_EIO;
		goto done;
	}
	free(index_path);
	if (fast)
		goto found;

	if (git_repository_index(&index, r->repo) < 0) {
		ls_error_set("%s: cannot read the index: %s", r->gitdir, ls_git_msg());
		err = LS_EIO;
		goto done;
	}
	git_diff_options dopt;
	git_diff_options_init(&dopt, GIT_DIFF_OPTIONS_VERSION);
	if (git_diff_tree_to_index(&diff, r->repo, tree, index, &dopt) < 0) {
		ls_error_set("%s: cannot compare the index with HEAD: %s", r->gitdir, ls_git_msg());
		err = LS_EIO;
		goto done;
	}
	size_t nd = git_diff_num_deltas(diff);
	for (size_t i = 0; i < nd; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		if (d->status != GIT_DELTA_ADDED && d->status != GIT_DELTA_MODIFIED && d->status != GIT_DELTA_TYPECHANGE)
			continue;
		if (d->new_file.mode == GIT_FILEMODE_COMMIT || git_oid_is_zero(&d->new_file.id))
			continue;
		ls_git_history_add_item(h, &d->new_file.id, IT_STAGED, d->new_file.path, strlen(d->new_file.path));
	}
found:
	*out = h;
	h = NULL;
done:
	ls_git_history_free(h);
	git_diff_free(diff);
	git_tree_free(tree);
	git_reference_free(head);
	git_index_free(index);
	return err;
}
