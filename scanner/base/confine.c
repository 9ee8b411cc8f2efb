#include "confine.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ls_error_wrap(const char *fmt, ...)
{
	char prev[1024], prefix[1024];
	snprintf(prev, sizeof(prev), "%s", ls_error_last());
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	return ls_error_set("%s: %s", prefix, prev);
}

int ls_path_is_below(const char *real, const char *root)
{
	size_t n = strlen(root);
	if (n == 1 && root[0] == '/')
		return real[0] == '/';
	return !strncmp(real, root, n) && (real[n] == '/' || real[n] == '\0');
}

int ls_read_confined(ls_buf *out, const char *path, const char *root, size_t max)
{
	char real[PATH_MAX];
	const char *open_path = path;
	ls_buf_clear(out);
	if (root) {
		if (!realpath(path, real)) {
			if (errno == ENOENT || errno == ENOTDIR)
				return ls_error_set("no such file or directory"), LS_ENOTFOUND;
			return ls_error_set("%s", strerror(errno)), LS_EIO;
		}
		if (!ls_path_is_below(real, root))
			return ls_error_set("resolves outside '%s'", root), LS_EINVAL;
		open_path = real; /* no symbolic link left to follow */
	}
	int err = ls_read_regular_bare(out, open_path, root ? O_NOFOLLOW : 0, max);
	if (err < 0)
		ls_buf_clear(out);
	return err;
}

int ls_path_owned_by_user(const char *path, uid_t *owner_out)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return 0;
	if (owner_out)
		*owner_out = st.st_uid;
	uid_t euid = geteuid();
	if (st.st_uid == euid)
		return 1;
	if (euid == 0) {
		/* git: root working for a sudo user accepts that user's repositories */
		const char *s = getenv("SUDO_UID");
		char *end = NULL;
		errno = 0;
		unsigned long v = s && *s ? strtoul(s, &end, 10) : 0;
		if (s && *s && !*end && !errno && (uid_t)v == st.st_uid)
			return 1;
	}
	return 0;
}
