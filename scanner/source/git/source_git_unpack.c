/* source_git_unpack: building objects from the packs' bytes along the read plan's delta trees.
 *
 * The read plan (source_git_pack.c) orders the blobs of each delta tree depth first; a reader
 * thread keeps the contents of the chain it built last, so the next object of the tree costs
 * one inflate of its delta and one delta application, and every object is built once. Through
 * libgit2 the same reads re-inflate bases its small shared cache dropped, and take its locks.
 *
 * The pack is hostile: every size, offset and delta instruction is checked against what it
 * claims and what holds it; anything unexpected, or over a bound, returns -1 and the object
 * is read by libgit2 instead, which says what is wrong. So this file never decides what an
 * object holds differently from libgit2: it only gets there faster. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>

#include "common.h"
#include "source_git_internal.h"

/* Contents held for the chain, all levels together; beyond, libgit2 reads the object. */
#define HELD_MAX ((uint64_t)512 << 20)

typedef struct {
	uint32_t node;
	unsigned char *buf;
	size_t len, cap;
} frame;

struct ls_git_cursor {
	frame *st;      /* st[0] is a whole object, st[k + 1] is built on st[k] */
	size_t n, cap;  /* frames valid, frames allocated (buffers kept for reuse) */
	uint32_t *anc;  /* scratch: a node's chain, itself first */
	size_t acap;
	unsigned char *delta;
	size_t dcap;
	struct libdeflate_decompressor *z;
};

ls_git_cursor *ls_git_cursor_new(void) { return ls_xcalloc(1, sizeof(ls_git_cursor)); }

void ls_git_cursor_free(ls_git_cursor *c)
{
	if (!c)
		return;
	for (size_t k = 0; k < c->cap; k++)
		free(c->st[k].buf);
	free(c->st);
	free(c->anc);
	free(c->delta);
	if (c->z)
		libdeflate_free_decompressor(c->z);
	free(c);
}

static void reserve(unsigned char **buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return;
	free(*buf);
	*cap = need;
	*buf = ls_xmalloc(need);
}

/* Inflates node `nd`'s zlib stream into `out`, which must come out exactly `size` bytes
 * (libdeflate: whole-buffer, about twice zlib's speed; it checks the stream's Adler-32). */
static int inflate_entry(ls_git_cursor *c, const ls_git_packplan *pl, const pnode *nd, unsigned char *out, size_t size)
{
	size_t msize;
	const unsigned char *m = ls_git_packplan_map(pl, nd->pack, &msize);
	if (!m || nd->data >= msize - 20)
		return -1;
	if (!c->z && !(c->z = libdeflate_alloc_decompressor()))
		return -1;
	return libdeflate_zlib_decompress(c->z, m + nd->data, msize - 20 - (size_t)nd->data, out, size, NULL) == LIBDEFLATE_SUCCESS
	           ? 0
	           : -1;
}

/* A delta's size header: 7 bits a byte, least significant first. */
static int delta_size(const unsigned char **p, const unsigned char *end, uint64_t *out)
{
	uint64_t v = 0;
	int shift = 0;
	unsigned c;
	do {
		if (*p >= end || shift > 63)
			return -1;
		c = *(*p)++;
		v |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	*out = v;
	return 0;
}

/* Applies delta [d, end) (its size header already read) to `base`, into `out` (`olen` bytes). */
static int delta_apply(const unsigned char *base, size_t blen, const unsigned char *d, const unsigned char *end,
                       unsigned char *out, size_t olen)
{
	size_t o = 0;
	while (d < end) {
		unsigned op = *d++;
		if (op & 0x80) {
			size_t off = 0, sz = 0;
			for (int b = 0; b < 4; b++)
				if (op & (1u << b)) {
					if (d >= end)
						return -1;
					off |= (size_t)*d++ << (8 * b);
				}
			for (int b = 0; b < 3; b++)
				if (op & (0x10u << b)) {
					if (d >= end)
						return -1;
					sz |= (size_t)*d++ << (8 * b);
				}
			if (!sz)
				sz = 0x10000;
			if (off > blen || sz > blen - off || sz > olen - o)
				return -1;
			memcpy(out + o, base + off, sz);
			o += sz;
		} else if (op) {
			if (op > (size_t)(end - d) || op > olen - o)
				return -1;
			memcpy(out + o, d, op);
			d += op;
			o += op;
		} else {
			return -1; /* reserved */
		}
	}
	return o == olen ? 0 : -1;
}

/* Frees the kept buffers of frames from `k` on when the chain holds too much. */
static void trim(ls_git_cursor *c, size_t k)
{
	uint64_t held = 0;
	for (size_t i = 0; i < c->cap; i++)
		held += c->st[i].cap;
	for (size_t i = c->cap; i-- > k && held > HELD_MAX;) {
		held -= c->st[i].cap;
		free(c->st[i].buf);
		c->st[i].buf = NULL;
		c->st[i].cap = 0;
	}
}

/* Whether an object of `osize` bytes may be built at this level: 0 yes; 1 it is the one asked
 * for and over the caller's cap (*size set); -1 over a bound (libgit2 reads it instead). */
static int size_ok(uint64_t osize, uint64_t lim, int last, uint64_t held, uint64_t *size)
{
	if (osize > lim) {
		if (!last)
			return -1;
		*size = osize;
		return 1;
	}
	return held + osize > HELD_MAX ? -1 : 0;
}

int ls_git_cursor_read(ls_git_cursor *c, const ls_git_packplan *pl, uint32_t node, uint64_t max,
                       const unsigned char **data, size_t *len, uint64_t *size)
{
	/* its chain, itself first */
	size_t d = 0;
	for (uint32_t x = node; x != UINT32_MAX; x = pl->nodes[x].parent) {
		if (d == c->acap) {
			c->acap = c->acap ? c->acap * 2 : 64;
			c->anc = ls_xrealloc(c->anc, c->acap * sizeof(uint32_t));
		}
		c->anc[d++] = x;
	}
	/* what the last chain shares with it */
	size_t k = 0;
	while (k < c->n && k < d && c->st[k].node == c->anc[d - 1 - k])
		k++;
	c->n = k;
	if (k == d && k) { /* read again (the same blob at another item) */
		*data = c->st[k - 1].buf;
		*len = c->st[k - 1].len;
		*size = *len;
		return 0;
	}
	if (d > c->cap) {
		c->st = ls_xrealloc(c->st, d * sizeof(frame));
		memset(c->st + c->cap, 0, (d - c->cap) * sizeof(frame));
		c->cap = d;
	}
	/* bases may be larger than the caller's cap; not without bound */
	uint64_t cap_base = max > LS_GIT_MAX_OBJECT_SIZE ? max : LS_GIT_MAX_OBJECT_SIZE;
	uint64_t held = 0;
	for (size_t i = 0; i < k; i++)
		held += c->st[i].len;
	for (; k < d; k++) {
		const pnode *nd = &pl->nodes[c->anc[d - 1 - k]];
		int last = k + 1 == d;
		uint64_t lim = last ? max : cap_base, osize;
		frame *f = &c->st[k];
		if (nd->parent == UINT32_MAX) {
			osize = nd->size;
			int rc = size_ok(osize, lim, last, held, size);
			if (rc)
				return rc;
			reserve(&f->buf, &f->cap, (size_t)osize + 1);
			if (inflate_entry(c, pl, nd, f->buf, (size_t)osize) < 0)
				return -1;
		} else {
			/* a delta is at most its result's size plus a small overhead per copy */
			uint64_t dlim = lim > (UINT64_MAX - 1024) / 2 ? UINT64_MAX : 2 * lim + 1024;
			if (nd->size > dlim || held + nd->size > HELD_MAX)
				return -1;
			reserve(&c->delta, &c->dcap, (size_t)nd->size + 1);
			if (inflate_entry(c, pl, nd, c->delta, (size_t)nd->size) < 0)
				return -1;
			const unsigned char *p = c->delta, *end = c->delta + nd->size;
			uint64_t src;
			if (delta_size(&p, end, &src) < 0 || delta_size(&p, end, &osize) < 0 || src != c->st[k - 1].len)
				return -1;
			int rc = size_ok(osize, lim, last, held, size);
			if (rc)
				return rc;
			reserve(&f->buf, &f->cap, (size_t)osize + 1);
			if (delta_apply(c->st[k - 1].buf, c->st[k - 1].len, p, end, f->buf, (size_t)osize) < 0)
				return -1;
		}
		f->node = c->anc[d - 1 - k];
		f->len = (size_t)osize;
		f->buf[f->len] = '\0'; /* as libgit2 gives content: some readers rely on it (regexec) */
		held += osize;
		c->n = k + 1;
	}
	trim(c, d);
	*data = c->st[d - 1].buf;
	*len = c->st[d - 1].len;
	*size = *len;
	return 0;
}
