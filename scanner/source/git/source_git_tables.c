/* source_git_tables: the hash tables the history walk keeps, an object-id map and an arena
 * of interned paths (see source_git_internal.h). */
#include "git2_lazy.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "source_git_internal.h"

/* ---- an open-addressing map from object id to (kind, value) ---- */

static size_t ohash(const git_oid *id)
{
	uint64_t h;
	memcpy(&h, id->id, sizeof(h));
	return (size_t)h;
}

omap_ent *ls_git_omap_find(const omap *m, const git_oid *id)
{
	if (!m->cap)
		return NULL;
	for (size_t i = ohash(id) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->t[i].kind == K_FREE)
			return NULL;
		if (ls_git_oid_eq(&m->t[i].id, id))
			return &m->t[i];
	}
}

/* Returns the entry for `id`, creating it (kind K_FREE until the caller sets it) if absent. */
omap_ent *ls_git_omap_get(omap *m, const git_oid *id, int *isnew)
{
	/* linear probing stays fast up to ~70% full; big histories hold millions of ids */
	if ((m->n + 1) * 10 > m->cap * 7) {
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
		if (ls_git_oid_eq(&m->t[i].id, id)) {
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

void ls_git_omap_dispose(omap *m)
{
	free(m->t);
	memset(m, 0, sizeof(*m));
}

/* ---- interned strings (paths): one arena, ids are indexes ---- */

static size_t str_hash(const char *s, size_t len)
{
	size_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

const char *ls_git_strtab_get(const strtab *st, uint32_t id) { return st->arena.ptr + st->offs[id]; }

uint32_t ls_git_strtab_intern(strtab *st, const char *s, size_t len)
{
	if ((st->n + 1) * 2 > st->tabcap) {
		size_t ncap = st->tabcap ? st->tabcap * 2 : 1024;
		uint32_t *nt = ls_xcalloc(ncap, sizeof(uint32_t));
		for (size_t i = 0; i < st->n; i++) {
			const char *p = ls_git_strtab_get(st, (uint32_t)i);
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
		const char *p = ls_git_strtab_get(st, st->tab[j] - 1);
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

void ls_git_strtab_dispose(strtab *st)
{
	ls_buf_dispose(&st->arena);
	free(st->offs);
	free(st->tab);
	memset(st, 0, sizeof(*st));
}

/* ---- a set of exact (object id, interned path) pairs ---- */

static size_t pair_hash(const git_oid *id, uint32_t path)
{
	uint64_t h;
	memcpy(&h, id->id, sizeof(h));
	return (size_t)(h ^ ((uint64_t)path * 0x9e3779b97f4a7c15ULL));
}

int ls_git_pairset_add(pairset *s, const git_oid *id, uint32_t path)
{
	if ((s->n + 1) * 10 > s->cap * 7) {
		size_t ncap = s->cap ? s->cap * 2 : 1024;
		pair_ent *nt = ls_xcalloc(ncap, sizeof(pair_ent));
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->t[i].used)
				continue;
			size_t j = pair_hash(&s->t[i].id, s->t[i].path) & (ncap - 1);
			while (nt[j].used)
				j = (j + 1) & (ncap - 1);
			nt[j] = s->t[i];
		}
		free(s->t);
		s->t = nt;
		s->cap = ncap;
	}
	size_t i = pair_hash(id, path) & (s->cap - 1);
	for (; s->t[i].used; i = (i + 1) & (s->cap - 1))
		if (s->t[i].path == path && ls_git_oid_eq(&s->t[i].id, id))
			return 0;
	git_oid_cpy(&s->t[i].id, id);
	s->t[i].path = path;
	s->t[i].used = 1;
	s->n++;
	return 1;
}

void ls_git_pairset_dispose(pairset *s)
{
	free(s->t);
	memset(s, 0, sizeof(*s));
}
