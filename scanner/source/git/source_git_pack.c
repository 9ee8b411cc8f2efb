/* source_git_pack: where each packed object lies, from the packs' .idx files, so that history
 * is read in pack order. Reading a pack front to back keeps each delta chain's bases in
 * libgit2's delta-base cache; reading by commit order or object id walks the chains
 * backwards and inflates every base many times (on curl: 3.2 s against 23.8 s).
 *
 * The repository is hostile: an .idx file that is not a regular file, is truncated or holds
 * offsets out of range is ignored. Nothing here decides what is scanned, only in what order. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "source_git_internal.h"

#define IDX_MAX_SIZE ((off_t)1 << 32) /* larger than any real index of a pack git can write */
#define MAX_PACKS 4096

typedef struct {
	unsigned char *data; /* the whole .idx file */
	size_t size;
	uint32_t n;          /* objects */
	size_t nlarge;       /* 8-byte offsets */
	char *pack;          /* the .pack file's path */
	unsigned char *map;  /* the .pack file, mapped on first use (NULL: not yet, or unusable) */
	size_t msize;
	int mapped;          /* 1 mapped, -1 unusable */
} idxfile;

struct packidx {
	idxfile *v;
	size_t n;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Maps a version 2 index (the only one git has written since 2008). Returns 0 or -1. Mapped,
 * not read: only the pages the lookups touch are ever loaded, so a huge or sparse .idx that a
 * hostile repository planted costs address space, not memory; its size must match the object
 * count its header gives before anything else is looked at. (git itself never rewrites an
 * index in place, so the mapping cannot shrink under us.) */
static int idx_load(idxfile *f, int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 8 + 1024 + 40 || st.st_size > IDX_MAX_SIZE) {
		close(fd);
		return -1;
	}
	size_t size = (size_t)st.st_size;
	unsigned char *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	if (memcmp(p, "\377tOc", 4) || be32(p + 4) != 2)
		goto bad;
	uint32_t n = be32(p + 8 + 255 * 4);
	size_t fixed = 8 + 1024 + (size_t)n * 28 + 40;
	/* at most one 8-byte large offset per object */
	if (fixed > size || (size - fixed) % 8 || (size - fixed) / 8 > n)
		goto bad;
	for (int i = 1; i < 256; i++)
		if (be32(p + 8 + (size_t)i * 4) < be32(p + 8 + (size_t)(i - 1) * 4))
			goto bad;
	f->n = n;
	f->nlarge = (size - fixed) / 8;
	f->size = size;
	f->data = p;
	return 0;
bad:
	munmap(p, size);
	return -1;
}

/* The offset of the `k`th object of the index in the pack, or -1 when it is out of range. */
static long long idx_offset(const idxfile *f, uint32_t k)
{
	const unsigned char *offs = f->data + 8 + 1024 + (size_t)f->n * 24;
	uint32_t o = be32(offs + (size_t)k * 4);
	if (!(o & 0x80000000u))
		return o;
	o &= 0x7fffffffu;
	if (o >= f->nlarge)
		return -1;
	const unsigned char *q = offs + (size_t)f->n * 4 + (size_t)o * 8;
	uint64_t v = (uint64_t)be32(q) << 32 | be32(q + 4);
	return v >= ((uint64_t)1 << 40) ? -1 : (long long)v;
}

/* The offset of `id` in the pack, or -1 when the index does not list it. */
static long long idx_find(const idxfile *f, const git_oid *id)
{
	const unsigned char *fan = f->data + 8, *sha = fan + 1024;
	uint32_t lo = id->id[0] ? be32(fan + (size_t)(id->id[0] - 1) * 4) : 0, hi = be32(fan + (size_t)id->id[0] * 4);
	if (hi > f->n || lo > hi)
		return -1;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = memcmp(sha + (size_t)mid * 20, id->id, 20);
		if (c == 0)
			return idx_offset(f, mid);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int cmp_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

packidx *ls_git_packidx_open(const char *objects_dir)
{
	char *dir = ls_xasprintf("%s/pack", objects_dir);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		free(dir);
		return NULL;
	}
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		free(dir);
		return NULL;
	}
	ls_strlist names = {0};
	struct dirent *de;
	while ((de = readdir(d)) && names.n < MAX_PACKS) {
		size_t len = strlen(de->d_name);
		if (len > 4 && !strcmp(de->d_name + len - 4, ".idx"))
			ls_strlist_push(&names, de->d_name);
	}
	if (names.n)
		qsort(names.items, names.n, sizeof(char *), cmp_name);
	packidx *p = ls_xcalloc(1, sizeof(*p));
	p->v = ls_xcalloc(names.n ? names.n : 1, sizeof(idxfile));
	for (size_t i = 0; i < names.n; i++)
		if (idx_load(&p->v[p->n], dirfd(d), names.items[i]) == 0) {
			const char *nm = names.items[i];
			p->v[p->n++].pack = ls_xasprintf("%s/%.*s.pack", dir, (int)(strlen(nm) - 4), nm);
		}
	closedir(d);
	free(dir);
	ls_strlist_dispose(&names);
	if (!p->n) {
		ls_git_packidx_free(p);
		return NULL;
	}
	return p;
}

uint64_t ls_git_packidx_key(const packidx *p, const git_oid *id)
{
	for (size_t i = 0; p && i < p->n; i++) {
		long long off = idx_find(&p->v[i], id);
		if (off >= 0)
			return (uint64_t)i << 40 | (uint64_t)off;
	}
	return UINT64_MAX;
}

void ls_git_packidx_free(packidx *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		munmap(p->v[i].data, p->v[i].size);
		if (p->v[i].map)
			munmap(p->v[i].map, p->v[i].msize);
		free(p->v[i].pack);
	}
	free(p->v);
	free(p);
}

/* Maps pack `i` (a regular file whose header agrees with its index). Returns 0 or -1. */
static int pack_map(idxfile *f)
{
	if (f->mapped)
		return f->mapped > 0 ? 0 : -1;
	f->mapped = -1;
	int fd = open(f->pack, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 12 + 20 || (uint64_t)st.st_size >= (uint64_t)1 << 40) {
		close(fd);
		return -1;
	}
	unsigned char *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -1;
	if (memcmp(m, "PACK", 4) || (be32(m + 4) != 2 && be32(m + 4) != 3) || be32(m + 8) != f->n) {
		munmap(m, (size_t)st.st_size);
		return -1;
	}
	f->map = m;
	f->msize = (size_t)st.st_size;
	f->mapped = 1;
	return 0;
}

/* ---- the read plan: delta trees ---- */

#define NO_NODE UINT32_MAX
#define BAD_NODE (UINT32_MAX - 1) /* in the plan's map: an entry whose chain cannot be planned */
/* Longer delta chains are left to libgit2 (git writes at most 4095). */
#define MAX_CHAIN 10000

/*
 * Parses the entry header at `off` of a mapped pack: its type, its size (the object's, or the
 * delta's for a delta), its base (an offset for OFS_DELTA, an object id for REF_DELTA) and
 * where its zlib stream starts. Returns 0 or -1 (malformed: the entry is left to libgit2).
 */
static int entry_parse(const idxfile *f, uint64_t off, pnode *nd, const unsigned char **base_id)
{
	const unsigned char *m = f->map;
	size_t end = f->msize - 20, i = (size_t)off;
	if (off < 12 || off >= end)
		return -1;
	unsigned c = m[i++];
	int type = (c >> 4) & 7, shift = 4;
	uint64_t size = c & 15;
	while (c & 0x80) {
		if (i >= end || shift > 56)
			return -1;
		c = m[i++];
		size |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	}
	nd->base = 0;
	*base_id = NULL;
	if (type == LS_PACK_OFS_DELTA) {
		if (i >= end)
			return -1;
		c = m[i++];
		uint64_t o = c & 0x7f;
		while (c & 0x80) {
			if (i >= end || o >= (uint64_t)1 << 48)
				return -1;
			c = m[i++];
			o = ((o + 1) << 7) | (c & 0x7f);
		}
		if (o == 0 || o > off)
			return -1;
		nd->base = off - o;
	} else if (type == LS_PACK_REF_DELTA) {
		if (end - i < 20)
			return -1;
		*base_id = m + i;
		i += 20;
	} else if (type < 1 || type > 4) {
		return -1;
	}
	nd->type = (uint8_t)type;
	nd->size = size;
	nd->data = i;
	return 0;
}

/* (pack, offset) -> node, open addressing; keys are never 0 (offsets start at 12). */
static uint32_t *plan_slot(ls_git_packplan *pl, uint64_t key)
{
	size_t mask = pl->hcap - 1, i = (size_t)(key * 0x9e3779b97f4a7c15ull >> 20) & mask;
	while (pl->hkey[i] && pl->hkey[i] != key)
		i = (i + 1) & mask;
	return &pl->hval[i];
}

static uint32_t plan_find(const ls_git_packplan *pl, uint64_t key)
{
	if (!pl->hcap)
		return NO_NODE;
	size_t mask = pl->hcap - 1, i = (size_t)(key * 0x9e3779b97f4a7c15ull >> 20) & mask;
	while (pl->hkey[i]) {
		if (pl->hkey[i] == key)
			return pl->hval[i];
		i = (i + 1) & mask;
	}
	return NO_NODE;
}

static void plan_grow(ls_git_packplan *pl)
{
	size_t ocap = pl->hcap;
	uint64_t *ok = pl->hkey;
	uint32_t *ov = pl->hval;
	pl->hcap = ocap ? ocap * 2 : 1024;
	pl->hkey = ls_xcalloc(pl->hcap, sizeof(uint64_t));
	pl->hval = ls_xmalloc(pl->hcap * sizeof(uint32_t));
	for (size_t i = 0; i < ocap; i++)
		if (ok[i]) {
			uint32_t *v = plan_slot(pl, ok[i]);
			pl->hkey[v - pl->hval] = ok[i];
			*v = ov[i];
		}
	free(ok);
	free(ov);
}

/*
 * The node of the object at (pack, off), with nodes for its whole delta chain; NO_NODE when
 * some entry of the chain cannot be planned (malformed, a base in no pack of ours, a chain too
 * long or looping): the object is then read by libgit2, which names what is wrong.
 */
/* Records `key` in the plan's map as `val` (a node, or BAD_NODE). */
static void plan_set(ls_git_packplan *pl, uint64_t key, uint32_t val)
{
	if ((pl->hn + 1) * 2 > pl->hcap)
		plan_grow(pl);
	uint32_t *v = plan_slot(pl, key);
	if (!pl->hkey[v - pl->hval])
		pl->hn++;
	pl->hkey[v - pl->hval] = key;
	*v = val;
}

static uint32_t plan_chain(ls_git_packplan *pl, uint32_t pack, uint64_t off)
{
	idxfile *f = &pl->idx->v[pack];
	if (pack_map(f) < 0)
		return NO_NODE;
	pnode *chain = NULL;
	size_t n = 0, cap = 0;
	uint32_t top = NO_NODE; /* the existing node the chain hangs from */
	for (;;) {
		uint64_t key = (uint64_t)pack << 40 | off;
		uint32_t have = plan_find(pl, key);
		if (have == BAD_NODE)
			goto fail;
		if (have != NO_NODE) {
			top = have;
			break;
		}
		if (n == MAX_CHAIN)
			goto fail;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			chain = ls_xrealloc(chain, cap * sizeof(pnode));
		}
		pnode *nd = &chain[n++];
		const unsigned char *bid;
		nd->off = off; /* (first: a failed entry is marked bad by its offset) */
		nd->pack = pack;
		if (entry_parse(f, off, nd, &bid) < 0)
			goto fail;
		if (nd->type == LS_PACK_REF_DELTA) {
			git_oid b;
			git_oid_fromraw(&b, bid);
			long long bo = idx_find(f, &b);
			if (bo < 0)
				goto fail;
			nd->base = (uint64_t)bo;
		}
		if (nd->type != LS_PACK_OFS_DELTA && nd->type != LS_PACK_REF_DELTA)
			break;
		off = nd->base;
	}
	/* the whole chain, counted from its whole object, is bounded too */
	if (top != NO_NODE && pl->nodes[top].depth + n > MAX_CHAIN)
		goto fail;
	/* the nodes, base first */
	for (size_t k = n; k-- > 0;) {
		if (pl->n == pl->cap) {
			pl->cap = pl->cap ? pl->cap * 2 : 1024;
			pl->nodes = ls_xrealloc(pl->nodes, pl->cap * sizeof(pnode));
		}
		chain[k].parent = top;
		chain[k].depth = top == NO_NODE ? 0 : pl->nodes[top].depth + 1;
		top = (uint32_t)pl->n;
		pl->nodes[pl->n++] = chain[k];
		plan_set(pl, (uint64_t)chain[k].pack << 40 | chain[k].off, top);
	}
	free(chain);
	return top;
fail:
	/* every entry on the way leads to what cannot be planned: later chains through them stop
	 * at once (a hostile pack could otherwise make each of many blobs walk a long chain) */
	for (size_t k = 0; k < n; k++)
		plan_set(pl, (uint64_t)chain[k].pack << 40 | chain[k].off, BAD_NODE);
	free(chain);
	return NO_NODE;
}

const unsigned char *ls_git_packplan_map(const ls_git_packplan *pl, uint32_t pack, size_t *size)
{
	const idxfile *f = &pl->idx->v[pack];
	*size = f->msize;
	return f->mapped > 0 ? f->map : NULL;
}

void ls_git_packplan_free(ls_git_packplan *pl)
{
	if (!pl)
		return;
	ls_git_packidx_free(pl->idx);
	free(pl->nodes);
	free(pl->hkey);
	free(pl->hval);
	free(pl->item_node);
	free(pl);
}

/* The children of each node (CSR: node x's are cl[cstart[x]..cstart[x + 1]), in node order,
 * so base first and by pack offset within a chain). */
static void plan_children(const ls_git_packplan *pl, uint32_t **cstart_out, uint32_t **cl_out)
{
	size_t nn = pl->n;
	uint32_t *cstart = ls_xcalloc(nn + 1, sizeof(uint32_t)), *cl = ls_xmalloc((nn ? nn : 1) * sizeof(uint32_t));
	for (size_t x = 0; x < nn; x++)
		if (pl->nodes[x].parent != NO_NODE)
			cstart[pl->nodes[x].parent + 1]++;
	for (size_t x = 0; x < nn; x++)
		cstart[x + 1] += cstart[x];
	uint32_t *fill = ls_xmalloc((nn ? nn : 1) * sizeof(uint32_t));
	memcpy(fill, cstart, nn * sizeof(uint32_t));
	for (size_t x = 0; x < nn; x++)
		if (pl->nodes[x].parent != NO_NODE)
			cl[fill[pl->nodes[x].parent]++] = (uint32_t)x;
	free(fill);
	*cstart_out = cstart;
	*cl_out = cl;
}

/* The nodes of `root`'s delta tree depth first (each after its base), into `out`; `stack`
 * holds as many entries as there are nodes. Returns how many. */
static size_t plan_dfs(const uint32_t *cstart, const uint32_t *cl, uint32_t root, uint32_t *stack, uint32_t *out)
{
	size_t sp = 0, n = 0;
	stack[sp++] = root;
	while (sp) {
		uint32_t x = stack[--sp];
		out[n++] = x;
		for (uint32_t k = cstart[x + 1]; k-- > cstart[x];)
			stack[sp++] = cl[k];
	}
	return n;
}

/* The pack indexes of `repo`'s own objects directory, or NULL. */
static packidx *repo_packs(git_repository *repo)
{
	char *objects = ls_xasprintf("%s/objects", git_repository_commondir(repo));
	packidx *p = ls_git_packidx_open(objects);
	free(objects);
	return p;
}

typedef struct {
	uint64_t key;
	size_t idx;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
	const keyed *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The items read as blobs (their object's content) rather than as messages. */
static int reads_blob(const item *it) { return it->kind == IT_BLOB || it->kind == IT_UNREACHABLE || it->kind == IT_STAGED; }

size_t ls_git_history_read_order(ls_git_history *h, size_t *order, size_t *units)
{
	size_t n = h->nitems, pos = 0, nu = 0;
	ls_git_packplan_free(h->plan);
	h->plan = NULL;
	packidx *p = repo_packs(h->r->repo);
	ls_git_packplan *pl = ls_xcalloc(1, sizeof(*pl));
	pl->idx = p;
	pl->item_node = ls_xmalloc((n ? n : 1) * sizeof(uint32_t));
	keyed *rest = ls_xmalloc((n ? n : 1) * sizeof(keyed));
	size_t nrest = 0;
	for (size_t i = 0; i < n; i++) {
		const item *it = &h->items[i];
		uint64_t key = p && !it->alternate ? ls_git_packidx_key(p, &it->id) : UINT64_MAX;
		pl->item_node[i] = key != UINT64_MAX && reads_blob(it)
		                       ? plan_chain(pl, (uint32_t)(key >> 40), key & (((uint64_t)1 << 40) - 1))
		                       : NO_NODE;
		if (pl->item_node[i] == NO_NODE) {
			rest[nrest].key = key;
			rest[nrest++].idx = i;
		}
	}
	/* children lists and, per node, the items reading it */
	size_t nn = pl->n;
	uint32_t *cstart, *cl;
	plan_children(pl, &cstart, &cl);
	uint32_t *istart = ls_xcalloc(nn + 1, sizeof(uint32_t)), *il = ls_xmalloc((n ? n : 1) * sizeof(uint32_t));
	for (size_t i = 0; i < n; i++)
		if (pl->item_node[i] != NO_NODE)
			istart[pl->item_node[i] + 1]++;
	for (size_t x = 0; x < nn; x++)
		istart[x + 1] += istart[x];
	uint32_t *fill = ls_xmalloc((nn ? nn : 1) * sizeof(uint32_t));
	memcpy(fill, istart, nn * sizeof(uint32_t));
	for (size_t i = 0; i < n; i++)
		if (pl->item_node[i] != NO_NODE)
			il[fill[pl->item_node[i]]++] = (uint32_t)i;
	free(fill);
	/* the roots, in pack order: one unit each, its items in depth-first order, so that one
	 * reader builds each object from its base's content (ls_git_cursor) */
	keyed *roots = ls_xmalloc((nn ? nn : 1) * sizeof(keyed));
	size_t nroots = 0;
	for (size_t x = 0; x < nn; x++)
		if (pl->nodes[x].parent == NO_NODE) {
			roots[nroots].key = (uint64_t)pl->nodes[x].pack << 40 | pl->nodes[x].off;
			roots[nroots++].idx = x;
		}
	if (nroots)
		qsort(roots, nroots, sizeof(keyed), cmp_keyed);
	uint32_t *stack = ls_xmalloc((nn ? nn : 1) * sizeof(uint32_t)), *tree = ls_xmalloc((nn ? nn : 1) * sizeof(uint32_t));
	for (size_t r = 0; r < nroots; r++) {
		units[nu++] = pos;
		size_t nt = plan_dfs(cstart, cl, (uint32_t)roots[r].idx, stack, tree);
		for (size_t t = 0; t < nt; t++)
			for (uint32_t k = istart[tree[t]]; k < istart[tree[t] + 1]; k++)
				order[pos++] = il[k];
	}
	free(stack);
	free(tree);
	free(roots);
	free(cstart);
	free(cl);
	free(istart);
	free(il);
	/* then what libgit2 reads: messages, loose objects, entries that could not be planned */
	if (nrest)
		qsort(rest, nrest, sizeof(keyed), cmp_keyed);
	for (size_t k = 0; k < nrest; k++) {
		units[nu++] = pos;
		order[pos++] = rest[k].idx;
	}
	free(rest);
	units[nu] = pos;
	h->plan = pl;
	return nu;
}

/* ---- every blob of the packs ---- */

int ls_git_packs_each_blob(git_repository *repo, void (*fn)(void *payload, const git_oid *id, const char *data, size_t len),
                           void *payload)
{
	packidx *p = repo_packs(repo);
	if (!p)
		return 0;
	ls_git_packplan *pl = ls_xcalloc(1, sizeof(*pl));
	pl->idx = p;
	/* a node for every entry (delta bases come first), then where each node's id is in its index */
	for (uint32_t i = 0; i < p->n; i++)
		for (uint32_t k = 0; k < p->v[i].n; k++) {
			long long off = idx_offset(&p->v[i], k);
			if (off >= 0)
				plan_chain(pl, i, (uint64_t)off); /* (NO_NODE: libgit2 reads it when needed) */
		}
	uint32_t *pos = ls_xmalloc((pl->n ? pl->n : 1) * sizeof(uint32_t));
	memset(pos, 0xff, (pl->n ? pl->n : 1) * sizeof(uint32_t));
	for (uint32_t i = 0; i < p->n; i++)
		for (uint32_t k = 0; k < p->v[i].n; k++) {
			long long off = idx_offset(&p->v[i], k);
			uint32_t x = off < 0 ? NO_NODE : plan_find(pl, (uint64_t)i << 40 | (uint64_t)off);
			if (x < pl->n) /* (not NO_NODE nor BAD_NODE) */
				pos[x] = k;
		}
	size_t nn = pl->n, count = 0;
	/* a delta's type is its root's: nodes come base first, so one pass sets them all */
	uint8_t *root_type = ls_xmalloc(nn ? nn : 1);
	for (size_t x = 0; x < nn; x++) {
		uint32_t par = pl->nodes[x].parent;
		root_type[x] = par == NO_NODE ? pl->nodes[x].type : root_type[par];
	}
	uint32_t *cstart, *cl;
	plan_children(pl, &cstart, &cl);
	/* each blob delta tree depth first, so each blob is built from its base's content */
	ls_git_cursor *c = ls_git_cursor_new();
	uint32_t *stack = ls_xmalloc((nn ? nn : 1) * sizeof(uint32_t)), *tree = ls_xmalloc((nn ? nn : 1) * sizeof(uint32_t));
	for (size_t r = 0; r < nn; r++) {
		if (pl->nodes[r].parent != NO_NODE || root_type[r] != LS_PACK_BLOB)
			continue;
		size_t nt = plan_dfs(cstart, cl, (uint32_t)r, stack, tree);
		for (size_t t = 0; t < nt; t++) {
			uint32_t x = tree[t];
			const unsigned char *data;
			size_t len;
			uint64_t size;
			if (pos[x] == UINT32_MAX || ls_git_cursor_read(c, pl, x, UINT64_MAX, &data, &len, &size) != 0)
				continue;
			git_oid id;
			git_oid_fromraw(&id, p->v[pl->nodes[x].pack].data + 8 + 1024 + (size_t)pos[x] * 20);
			fn(payload, &id, (const char *)data, len);
			count++;
		}
	}
	ls_git_cursor_free(c);
	free(stack);
	free(tree);
	free(cstart);
	free(cl);
	free(root_type);
	free(pos);
	ls_git_packplan_free(pl);
	return count > INT32_MAX ? INT32_MAX : (int)count;
}
