/* confine: reading files a scanned repository names, without leaving it (issue 18, items 5 and 17). */
#ifndef LS_CONFINE_H
#define LS_CONFINE_H

#include <stddef.h>
#include <sys/types.h>

#include "common.h"

/** The largest policy file (configuration, ignore file, rule file) a repository may make
 * leakscan read: 1 MiB. See docs/limits.md. */
#define LS_POLICY_MAX_FILE ((size_t)1 << 20)

/**
 * Reads the regular file `path` into `out` (cleared first), at most `max` bytes. The file is
 * opened without blocking (a FIFO never hangs) and checked with fstat before it is read:
 * anything but a regular file is LS_EIO `not a regular file`, a larger one LS_EIO
 * `larger than MAX bytes`. With `root` (a real path: no symbolic links), the file's real
 * path must lie below it, else LS_EINVAL `resolves outside 'ROOT'` and nothing is opened.
 * LS_ENOTFOUND when it does not exist. The message (ls_error_last()) names the problem only,
 * for the caller to prefix with the path; it never holds any of the file's content.
 */
int ls_read_confined(ls_buf *out, const char *path, const char *root, size_t max);

/** Sets this thread's message to `PREFIX: PREVIOUS MESSAGE` (PREFIX printf-style). Returns LS_ERR. */
int ls_error_wrap(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** 1 if `real` (a real path) is `root` or lies below it. */
int ls_path_is_below(const char *real, const char *root);

/**
 * Whether `path` (not followed if it is a symbolic link) is owned by the user running
 * leakscan, by git's rule (ensure_valid_ownership): its owner is the effective uid; when
 * that is root, a root-owned path, or one owned by $SUDO_UID, also passes. Sets *owner_out
 * (optional) to its owner. 0 also when it cannot be examined.
 */
int ls_path_owned_by_user(const char *path, uid_t *owner_out);

#endif
