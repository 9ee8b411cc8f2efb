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

#include "cli.h"
#include "forge.h"
#include "store.h"

typedef struct {
	char *name; /* the URL without credentials (ls_url_redact), or the local path made absolute */
	char *url;  /* the URL as given, credentials included: for cloning only, never stored or
	             * shown; NULL for a local path */
	char *path; /* what to open: the local path or the mirror under DIR/clones */
	int optional; /* a forge's wiki: it may not exist, so failing to clone it is only a note */
} repo_ent;

/* Repositories in the order given, each once. Owned; free with repos_list_dispose(). */
typedef struct {
	repo_ent *v;
	size_t n;
} repo_list;

/* A forge to list (--github-org and the like), with the --api-url before it. */
typedef struct {
	ls_forge_kind kind;
	char *name, *api_url; /* owned; api_url NULL: the public service */
} repos_forge_spec;

/* The command line of repos (cmd_repos_opts.c). */
typedef struct {
	const char *dir;      /* --datastore */
	const char **lists;   /* --list FILE..., owned array of borrowed strings */
	size_t nlists;
	char **args;          /* URL-or-PATH arguments (argv's) */
	size_t nargs;
	size_t shard_k, shard_n;
	int secrets;          /* --store-secrets: 1, 0, or -1 (as the datastore has it) */
	double older_than;    /* --older-than, seconds */
	size_t clone_jobs;
	int clone_with;       /* an LS_GIT_MIRROR_* */
	repos_forge_spec *forges;
	size_t nforges;
	int forks, archived, wikis, list_only;
	const char **excludes; /* --exclude-repo globs (argv's) */
	size_t nexcludes;
} repos_opts;

/* Parses repos' command line into `ro` and the common options into `o`: 0, 1 when --help was
 * printed, -1 on an error (reported). Dispose `ro` in every case. */
int repos_opts_parse(repos_opts *ro, ls_cli_options *o, int argc, char **argv);
void repos_opts_dispose(repos_opts *ro);

/* Adds the repositories of every forge of `ro` to `l` (tokens from GITHUB_TOKEN or GH_TOKEN,
 * GITLAB_TOKEN, GITEA_TOKEN; put in a clone URL's credentials only when it is on the forge's
 * own site). Returns how many forges could not be listed (reported; what they listed is kept). */
size_t repos_forges_add(repo_list *l, const repos_opts *ro, const char *dir, int quiet);

/* Adds a local path or a clone URL (mirrored under `dir`/clones); a repeat is ignored. */
void repos_list_add(repo_list *l, const char *spec, const char *dir);

/* Adds every line of `file` ("-": stdin) but blanks and # comments. -1 (reported) if unreadable. */
int repos_list_read(repo_list *l, const char *file, const char *dir);

void repos_list_dispose(repo_list *l);

/* The clone stage (cmd_repos_clone.c): the URL entries of a list cloned or fetched by
 * `njobs` threads of their own, in list order (`how`: an LS_GIT_MIRROR_*). `stop`, `received`
 * (bytes) and `fetching` (transfers under way) are borrowed and updated atomically. */
typedef struct repos_clones repos_clones;
repos_clones *repos_clones_start(repo_list *l, size_t njobs, int how, const volatile int *stop, size_t *received,
                                 size_t *fetching);
/* Waits until entry `idx` is ready to open: 0, or -1 with why in `*error` (allocated; NULL
 * when stopping). */
int repos_clones_wait(repos_clones *c, size_t idx, char **error);
/* Joins the clone threads (they end early once `*stop` is set) and frees `c`; NULL is fine. */
void repos_clones_finish(repos_clones *c);

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
