/*
 * hscache: compiled Hyperscan databases kept on disk between runs, for the rule matcher and
 * the git-secrets ERE prefilter (compiling costs more than a pre-commit hook's whole scan).
 * A file is MAGIC, a caller-defined header, then the serialized database; it is written to a
 * temporary name and renamed, and any unreadable, foreign or corrupt file is just a miss.
 */
#ifndef LS_HSCACHE_H
#define LS_HSCACHE_H

#include <hs.h>
#include <stddef.h>

/**
 * Sets Hyperscan's database allocator (once per process; thread-safe): large databases get
 * their pages mapped and filled in one call instead of faulting them in one at a time while
 * they are written (most of the time a 1 MB cached database took to load). Called before
 * the first database is made: every database is then freed by the same allocator.
 */
void ls_hscache_init(void);

/**
 * The cache file for `text` (len bytes: everything the database depends on besides the
 * Hyperscan version and this CPU, which are added here) under `dir`:
 * "DIR/hs-<sha256>.db". Caller frees.
 */
char *ls_hscache_path(const char *dir, const char *text, size_t len);

/**
 * Loads `path` if it starts with `magic` (8 bytes) followed by `head_len` bytes, copied into
 * `head`, and a database that deserializes. Returns 1 with *db set (caller frees), else 0.
 */
int ls_hscache_load(const char *path, const char magic[8], void *head, size_t head_len, hs_database_t **db);

/** Stores `db` under `path`, creating `dir` and its parents; failures only skip caching. */
void ls_hscache_store(const char *dir, const char *path, const char magic[8], const void *head, size_t head_len,
                      const hs_database_t *db);

#endif
