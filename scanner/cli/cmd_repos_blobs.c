/* leakscan repos: the blobs every repository of a run shares (see repos.h). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "repos.h"

int repos_blob_done(int state, int need_any)
{
	return state == B_CLEAN || state == B_FOUND || (!need_any && (state == B_CLEAN_CODE || state == B_FOUND_CODE));
}

static int hexval(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 0; }

void repos_hex20(unsigned char out[20], const char *hex)
{
	for (int i = 0; i < 20; i++)
		out[i] = (unsigned char)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
}

bent *repos_blob_get(blobmap *m, const unsigned char id[20])
{
	if ((m->n + 1) * 2 > m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 4096;
		bent *nt = ls_xcalloc(ncap, sizeof(bent));
		for (size_t i = 0; i < m->cap; i++) {
			if (m->t[i].state == B_FREE)
				continue;
			uint64_t h;
			memcpy(&h, m->t[i].id, 8);
			size_t j = (size_t)h & (ncap - 1);
			while (nt[j].state != B_FREE)
				j = (j + 1) & (ncap - 1);
			nt[j] = m->t[i];
		}
		free(m->t);
		m->t = nt;
		m->cap = ncap;
	}
	uint64_t h;
	memcpy(&h, id, 8);
	size_t i = (size_t)h & (m->cap - 1);
	for (; m->t[i].state != B_FREE; i = (i + 1) & (m->cap - 1))
		if (!memcmp(m->t[i].id, id, 20))
			return &m->t[i];
	memcpy(m->t[i].id, id, 20);
	m->n++;
	return &m->t[i];
}

static int load_blob_as(blobmap *m, const char *id, long long nfindings, int code)
{
	unsigned char b[20];
	if (strlen(id) != 40)
		return 0;
	repos_hex20(b, id);
	repos_blob_get(m, b)->state = (uint8_t)(code ? (nfindings ? B_FOUND_CODE : B_CLEAN_CODE) : (nfindings ? B_FOUND : B_CLEAN));
	return 0;
}

int repos_load_blob(const char *id, long long nfindings, void *payload) { return load_blob_as(payload, id, nfindings, 0); }
int repos_load_blob_code(const char *id, long long nfindings, void *payload) { return load_blob_as(payload, id, nfindings, 1); }
