/*
 * `leakscan repos` is three files: cmd_repos.c (the workers, the writer thread and the
 * command), cmd_repos_list.c (which repositories, which shard each belongs to, and the
 * exit status from what the datastore then holds) and
 * cmd_repos_blobs.c (the blobs scanned before or in this run). This header is what they
 * share; nothing else includes it.
 */
#ifndef LS_CLI_REPOS_H
#define LS_CLI_REPOS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef struct {
	char *name; /* the URL without credentials (ls_url_redact), or the local path made absolute */
	char *url;  /* the URL as given, credentials included: for cloning only, never stored or
	             * shown; NULL for a local path */
	char *path; /* what to open: the local path or the mirror under DIR/clones */
} repo_ent;

/* Repositories in the order given, each once. Owned; free with repos_list_dispose(). */
typedef struct {
	repo_ent *v;
	size_t n;
} repo_list;

/* Adds a local path or a clone URL (mirrored under `dir`/clones); a repeat is ignored. */
void repos_list_add(repo_list *l, const char *spec, const char *dir);

/* Adds every line of `file` ("-": stdin) but blanks and # comments. -1 (reported) if unreadable. */
int repos_list_read(repo_list *l, const char *file, const char *dir);

void repos_list_dispose(repo_list *l);

/* Stable shard of a repository: its name's SHA-256, modulo `nshards`. */
size_t repos_shard_of(const char *name, size_t nshards);

/*
 * Blobs, shared by the repositories of a run. A blob is scanned with the places it has in the
 * repository that claimed it. Places differ only in whether they are source code
 * (`quoted_in_code`; repos has no allowlists), so a blob scanned where every place was source
 * code (*_CODE, kept under its own digest) is scanned again for a repository that holds it at
 * another kind of path.
 */
/* B_LARGE: over --max-file-size by its header. Never recorded nor shared: a header can lie
 * (a forged loose object under another repository's blob id), so each repository holding the
 * id looks at its own object. */
enum { B_FREE = 0, B_CLAIMED, B_CLEAN, B_FOUND, B_FAILED, B_CLEAN_CODE, B_FOUND_CODE, B_LARGE };

typedef struct {
	unsigned char id[20];
	uint8_t state;
} bent;

typedef struct {
	bent *t;
	size_t cap, n;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* a claimed blob was scanned */
} blobmap;

/* Whether a blob in `state` needs no scan for a repository (need_any: it has a place that
 * is not source code). */
int repos_blob_done(int state, int need_any);
/* The entry for `id`, created B_FREE when absent. Caller holds the lock. */
bent *repos_blob_get(blobmap *m, const unsigned char id[20]);
/* 40 hex digits to 20 bytes. */
void repos_hex20(unsigned char out[20], const char *hex);
/* ls_store_blobs_foreach callbacks (payload: the blobmap): blobs scanned at any place, or
 * only where every place was source code. */
int repos_load_blob(const char *id, long long nfindings, void *payload);
int repos_load_blob_code(const char *id, long long nfindings, void *payload);

/* After the run: the exit status from what the datastore holds for these repositories. */
typedef struct {
	char **names; /* sorted (repos_cmp_strp) */
	size_t n;
	int fail_on;          /* an ls_severity */
	int fail_on_verified; /* --fail-on verified: only secrets verified live fail */
	long long locations, failing;
	char last_fp[160];
	char last_loc[400];
	long long secrets;
} repos_tally;
int repos_cmp_strp(const void *a, const void *b);
/* ls_store_query callback (payload: a repos_tally). */
int repos_tally_row(const ls_store_row *r, void *payload);

#endif
