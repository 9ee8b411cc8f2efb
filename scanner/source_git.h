/* source_git: everything leakscan reads from git through libgit2. */
#ifndef LS_SOURCE_GIT_H
#define LS_SOURCE_GIT_H

#include <stddef.h>

/** Initialises libgit2 once per process (thread-safe, idempotent) and disables owner checks:
 * leakscan only reads repositories and never runs anything from their configuration. */
void ls_git_init(void);
/** Releases libgit2's global state (at exit). */
void ls_git_shutdown(void);

typedef struct ls_git_ignore ls_git_ignore;

/**
 * Prepares ignore checks for a walk rooted at `root` (a file or directory). Returns
 * LS_ENOTFOUND (no message) when `root` is not inside a git work tree.
 */
int ls_git_ignore_open(ls_git_ignore **out, const char *root);
/**
 * Returns 1 if `path` (which starts with the walk root as given) is ignored by git and not
 * tracked, 0 otherwise. One thread at a time.
 */
int ls_git_ignore_check(ls_git_ignore *ig, const char *path, int is_dir);
void ls_git_ignore_free(ls_git_ignore *ig);

#endif
