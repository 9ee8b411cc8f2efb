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
		if (c == 0) {
			const unsigned char *offs = sha + (size_t)f->n * 24;
			uint32_t o = be32(offs + (size_t)mid * 4);
			if (!(o & 0x80000000u))
				return o;
			o &= 0x7fffffffu;
			if (o >= f->nlarge)
				return -1;
			const unsigned char *q = offs + (size_t)f->n * 4 + (size_t)o * 8;
			uint64_t v = (uint64_t)be32(q) << 32 | be32(q + 4);
			return v >= ((uint64_t)1 << 40) ? -1 : (long long)v;
		}
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
	free(dir);
	if (dfd < 0)
		return NULL;
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
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
		if (idx_load(&p->v[p->n], dirfd(d), names.items[i]) == 0)
			p->n++;
	closedir(d);
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
	for (size_t i = 0; i < p->n; i++)
		munmap(p->v[i].data, p->v[i].size);
	free(p->v);
	free(p);
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

void ls_git_history_read_order(const ls_git_history *h, size_t *order)
{
	char *objects = ls_xasprintf("%s/objects", git_repository_commondir(h->r->repo));
	packidx *p = ls_git_packidx_open(objects);
	free(objects);
	keyed *k = ls_xmalloc((h->nitems ? h->nitems : 1) * sizeof(keyed));
	for (size_t i = 0; i < h->nitems; i++) {
		k[i].key = p ? ls_git_packidx_key(p, &h->items[i].id) : UINT64_MAX;
		k[i].idx = i;
	}
	if (p && h->nitems)
		qsort(k, h->nitems, sizeof(keyed), cmp_keyed);
	for (size_t i = 0; i < h->nitems; i++)
		order[i] = k[i].idx;
	free(k);
	ls_git_packidx_free(p);
}
