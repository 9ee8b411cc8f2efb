/* source_fs: walk files and directories into a sorted list of files to scan. */
#ifndef LS_SOURCE_FS_H
#define LS_SOURCE_FS_H

#include <stddef.h>
#include <sys/types.h>

typedef struct {
	/** Follow symbolic links (loops are detected and reported). */
	int follow_symlinks;
	/** Skips a path below a root when it returns non-zero (ignore rules). Optional. */
	int (*skip)(const char *path, int is_dir, void *payload);
	void *skip_payload;
	/** Told about every path that could not be walked; the walk goes on. Optional. */
	void (*on_error)(const char *path, const char *msg, void *payload);
	void *error_payload;
	/** Told about each file as it is appended to the list, with the list's own copy of its
	 *  path (valid until ls_walk_list_dispose), so that its search can start while the walk
	 *  goes on. Optional. */
	void (*on_file)(const char *path, void *payload);
	void *file_payload;
} ls_walk_options;

#define LS_WALK_OPTIONS_INIT {0, NULL, NULL, NULL, NULL, NULL, NULL}

typedef struct {
	char *path;
	off_t size; /**< -1 unless the walk had to stat the file (readdir told it was a regular file) */
} ls_walk_entry;

typedef struct {
	ls_walk_entry *items;
	size_t n, cap;
	size_t skipped_links; /**< symbolic links not followed */
	size_t skipped_special; /**< FIFOs, sockets, devices */
} ls_walk_list;

#define LS_WALK_LIST_INIT {NULL, 0, 0, 0, 0}
void ls_walk_list_dispose(ls_walk_list *l);

/**
 * Appends the regular files at or below `root` to `out`: directories in name order,
 * never into `.git`. A root that is itself a file (or a link to one) is listed as given.
 * Returns 0 if everything could be walked, LS_EIO if some path could not (each one was
 * passed to on_error), LS_ENOTFOUND if `root` does not exist.
 */
int ls_fs_walk(const char *root, const ls_walk_options *opts, ls_walk_list *out);

#endif
