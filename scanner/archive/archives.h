/* archive: the entries of archives and compressed files held in memory (libarchive), and
 * the configuration of container images (jansson). The header is archives.h: <archive.h> is
 * libarchive's. */
#ifndef LS_ARCHIVE_H
#define LS_ARCHIVE_H

#include <stddef.h>

/** What opening one top-level input may cost (a bomb stops at one of these, never crashes). */
typedef struct {
	unsigned max_depth;          /**< archives nested this deep are opened (1: the input's own
	                                  entries only); 0 opens nothing */
	unsigned long long max_total; /**< uncompressed bytes read from all levels together */
	unsigned long long max_entry; /**< one entry's bytes; a larger entry is not read (too_large) */
	unsigned max_ratio;          /**< uncompressed bytes of one archive per byte of it ... */
	unsigned long long ratio_floor; /**< ... checked once that archive gave this many bytes */
	size_t max_entries;          /**< entries of all levels together */
	double max_seconds;          /**< wall-clock time for the whole input */
} ls_archive_limits;

#define LS_ARCHIVE_LIMITS_INIT {3, 256ULL << 20, 100ULL << 20, 100, 1ULL << 20, 10000, 10.0}

/** Which limit stopped a walk (the first one hit). */
typedef enum {
	LS_ARCHIVE_LIMIT_NONE = 0,
	LS_ARCHIVE_LIMIT_DEPTH,   /**< a nested archive was not opened (its bytes were given whole) */
	LS_ARCHIVE_LIMIT_SIZE,    /**< max_total */
	LS_ARCHIVE_LIMIT_RATIO,   /**< max_ratio */
	LS_ARCHIVE_LIMIT_ENTRIES, /**< max_entries */
	LS_ARCHIVE_LIMIT_TIME     /**< max_seconds */
} ls_archive_limit;

/** "depth", "size", "ratio", "entries", "time" ("" for none). */
const char *ls_archive_limit_name(ls_archive_limit l);

/** An entry given to the callback. Everything is borrowed for the call only. */
typedef struct {
	/** Its path inside the input: entry names of nested archives joined by '!'
	 * ("inner.tar.gz!conf/app.env"); an image configuration's views are "config:Env",
	 * "config:Cmd", ... next to the configuration's own path. */
	const char *path;
	const char *data;
	size_t len;
	unsigned depth;  /**< 1: an entry of the input itself */
	/** The entry's bytes are an archive (or an image configuration) whose entries (views)
	 * follow: a secret found in them is found again in what follows. */
	int container;
	/** Over max_entry: not read, data NULL, `len` what was known of its size. */
	int too_large;
} ls_archive_entry;

/** Called for each entry; return non-zero to stop the walk. */
typedef int (*ls_archive_entry_fn)(const ls_archive_entry *e, void *payload);

/** What a walk did. Strings are owned (ls_archive_stats_dispose). */
typedef struct {
	size_t archives;            /**< archives (and compressed files) opened */
	size_t entries;             /**< entries given to the callback */
	unsigned long long bytes;   /**< uncompressed bytes read */
	ls_archive_limit limit;     /**< the limit that stopped the walk, else LS_ARCHIVE_LIMIT_DEPTH
	                                 when a nested archive was left closed, else none */
	char *limit_at;             /**< where it was hit (an inner path), or NULL */
	char *depth_at;             /**< the first nested archive left closed (depth), or NULL */
	char *error;                /**< the first read error: "PATH: MESSAGE" (the walk went on
	                                 where it could: corrupt or truncated input), or NULL */
	size_t nerrors;             /**< read errors in all */
} ls_archive_stats;

void ls_archive_stats_dispose(ls_archive_stats *st);

/**
 * Whether `buf` starts like an archive or compressed file leakscan opens: zip (jar, war,
 * apk, whl, nupkg...), tar, gzip, bzip2, xz, zstd, 7z, rar. A few byte compares; no allocation.
 */
int ls_archive_detect(const char *buf, size_t len);

/**
 * Walks the entries of the archive in `buf` (`len` bytes, borrowed for the call), opening
 * nested archives up to lim->max_depth levels, and calls `fn` for each regular entry with
 * its content in memory (read in bounded chunks, never allocated per a claimed size),
 * in archive order. A compressed file that holds no archive (`x.gz` of a text file) has one
 * entry: its decompressed content, named after `name` (the input's file name, borrowed; may
 * be NULL) without its compression suffix. An image configuration (a JSON entry with
 * `rootfs`, as `docker save` and OCI layouts hold) is given as itself (container) then as
 * text views: `config:Env` (KEY=VALUE lines), `config:Cmd`, `config:Entrypoint`,
 * `config:Labels`, `config:history` (created_by lines).
 *
 * Fills `out` (always; dispose it). Returns 0 when `buf` is no archive or was walked (even
 * partly: see out->limit and out->error), or 1 when `fn` stopped it.
 * Thread-safe: each call has its own state.
 */
int ls_archive_foreach(const char *buf, size_t len, const char *name, const ls_archive_limits *lim,
                       ls_archive_entry_fn fn, void *payload, ls_archive_stats *out);

#endif
