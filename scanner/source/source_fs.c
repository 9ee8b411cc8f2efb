#include "source_fs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

void ls_walk_list_dispose(ls_walk_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i].path);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void push(ls_walk_list *l, const char *path, off_t size)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->items = ls_xrealloc(l->items, l->cap * sizeof(ls_walk_entry));
	}
	l->items[l->n].path = ls_xstrdup(path);
	l->items[l->n].size = size;
	l->n++;
}

typedef struct {
	dev_t dev;
	ino_t ino;
} dirid;

/* getdents64's buffer: a directory of ~700 entries in one call */
#define DIRBUF (32 * 1024)

typedef struct {
	const ls_walk_options *o;
	ls_walk_list *out;
	dirid *stack; /* directories on the current path, for loop detection */
	size_t depth, cap;
	int failed;
	char *dbuf; /* DIRBUF bytes, reused: a directory is read whole before its entries are visited */
} walker;

static void found(walker *w, const char *path, off_t size)
{
	push(w->out, path, size);
	if (w->o->on_file)
		w->o->on_file(w->out->items[w->out->n - 1].path, w->o->file_payload);
}

static void report(walker *w, const char *path, const char *msg)
{
	w->failed = 1;
	if (w->o->on_error)
		w->o->on_error(path, msg, w->o->error_payload);
}

static void walk_dir(walker *w, int dirfd, const char *name, const char *path, int follow);

typedef struct {
	char *name;
	unsigned char type; /* d_type: DT_UNKNOWN when the file system does not say */
} dir_entry;

/*
 * Entries are reached relative to their directory's descriptor (fstatat, openat), so a
 * tree deeper than PATH_MAX is walked like any other; the walk keeps one descriptor per
 * level open (ls_fs_walk raises the soft limit on open files to the hard one). A regular
 * file, a directory or a link not followed, as readdir's d_type tells, is not stat'ed: the
 * walk runs before any file is searched, and one fstatat per file was most of its time (the
 * worker checks the file's type and size again on the descriptor it reads).
 */
static void visit(walker *w, int dirfd, const char *name, const char *path, int is_root, unsigned char type)
{
	if (!is_root && type == DT_REG) {
		if (!(w->o->skip && w->o->skip(path, 0, w->o->skip_payload)))
			found(w, path, -1);
		return;
	}
	if (!is_root && type == DT_LNK && !w->o->follow_symlinks) {
		w->out->skipped_links++;
		return;
	}
	if (!is_root && type == DT_DIR) {
		if (!(w->o->skip && w->o->skip(path, 1, w->o->skip_payload)))
			walk_dir(w, dirfd, name, path, 0);
		return;
	}
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		report(w, path, strerror(errno));
		return;
	}
	int link = S_ISLNK(st.st_mode);
	if (link) {
		if (!is_root && !w->o->follow_symlinks) {
			w->out->skipped_links++;
			return;
		}
		if (fstatat(dirfd, name, &st, 0) < 0) {
			report(w, path, errno == ELOOP ? "symbolic link loop" : "broken symbolic link");
			return;
		}
	}
	if (S_ISDIR(st.st_mode)) {
		if (!is_root && w->o->skip && w->o->skip(path, 1, w->o->skip_payload))
			return;
		walk_dir(w, dirfd, name, path, link || is_root);
	} else if (S_ISREG(st.st_mode)) {
		if (!is_root && w->o->skip && w->o->skip(path, 0, w->o->skip_payload))
			return;
		found(w, path, st.st_size);
	} else if (is_root) {
		report(w, path, "not a regular file or directory");
	} else {
		w->out->skipped_special++;
	}
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const dir_entry *)a)->name, ((const dir_entry *)b)->name);
}

/* Opens `name` and walks it, unless it is a directory on the current path. A link is
 * followed only when `follow` says the walk chose to (a directory swapped for a link after
 * it was listed is not). */
static void walk_dir(walker *w, int dirfd, const char *name, const char *path, int follow)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		fd = -1;
		errno = e;
	}
	if (fd < 0) {
		int e = errno;
		report(w, path, e == EMFILE ? "too deep to walk: out of file descriptors (ulimit -n)" : strerror(e));
		return;
	}
	for (size_t i = 0; i < w->depth; i++) {
		if (w->stack[i].dev == st.st_dev && w->stack[i].ino == st.st_ino) {
			close(fd);
			report(w, path, "symbolic link loop");
			return;
		}
	}
	/* read the whole directory first, with getdents64 on `fd` itself (opendir would take a dup,
	 * an fstat and an fcntl more per directory); `fd` stays open for the entries' fstatat/openat */
	dir_entry *ents = NULL;
	size_t n = 0, cap = 0;
	if (!w->dbuf)
		w->dbuf = ls_xmalloc(DIRBUF);
	for (;;) {
		ssize_t got = getdents64(fd, w->dbuf, DIRBUF);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			report(w, path, strerror(errno));
		if (got <= 0)
			break;
		for (ssize_t off = 0; off < got;) {
			const struct dirent64 *e = (const struct dirent64 *)(w->dbuf + off);
			const char *nm = e->d_name;
			off += e->d_reclen;
			if (!strcmp(nm, ".") || !strcmp(nm, "..") || !strcmp(nm, ".git"))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 32;
				ents = ls_xrealloc(ents, cap * sizeof(*ents));
			}
			ents[n].name = ls_xstrdup(nm);
			ents[n++].type = e->d_type;
		}
	}
	if (n)
		qsort(ents, n, sizeof(*ents), cmp_entry);
	if (w->depth == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		w->stack = ls_xrealloc(w->stack, w->cap * sizeof(dirid));
	}
	w->stack[w->depth].dev = st.st_dev;
	w->stack[w->depth].ino = st.st_ino;
	w->depth++;
	size_t plen = strlen(path);
	int slash = plen > 0 && path[plen - 1] == '/';
	for (size_t i = 0; i < n; i++) {
		char *child = ls_xasprintf("%s%s%s", path, slash ? "" : "/", ents[i].name);
		visit(w, fd, ents[i].name, child, 0, ents[i].type);
		free(child);
		free(ents[i].name);
	}
	w->depth--;
	free(ents);
	close(fd);
}

int ls_fs_walk(const char *root, const ls_walk_options *opts, ls_walk_list *out)
{
	ls_walk_options defaults = LS_WALK_OPTIONS_INIT;
	walker w = {opts ? opts : &defaults, out, NULL, 0, 0, 0, NULL};
	struct stat st;
	if (lstat(root, &st) < 0 && errno == ENOENT) {
		ls_error_set("'%s': no such file or directory", root);
		return LS_ENOTFOUND;
	}
	/* one descriptor per directory level: let a deep tree use all the process may open */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	visit(&w, AT_FDCWD, root, root, 1, DT_UNKNOWN);
	free(w.stack);
	free(w.dbuf);
	if (w.failed) {
		ls_error_set("'%s': some paths could not be read", root);
		return LS_EIO;
	}
	return 0;
}
