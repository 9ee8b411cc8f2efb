/*
 * `leakscan repos` is two files: cmd_repos.c (the workers, the writer thread and the command)
 * and cmd_repos_list.c (which repositories, and which shard each belongs to). This header is
 * what they share; nothing else includes it.
 */
#ifndef LS_CLI_REPOS_H
#define LS_CLI_REPOS_H

#include <stddef.h>

typedef struct {
	char *name; /* the URL as given, or the local path made absolute */
	char *url;  /* NULL for a local path */
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

#endif
