/* source_git_safe: before libgit2 opens a repository, check that every file it may read is a
 * regular file (or absent). libgit2 opens files with a plain blocking open() and reads them to
 * the end: a FIFO at .git/config, packed-refs or objects/info/alternates blocks it for ever, and
 * /dev/zero there reads until memory runs out. The repository is hostile; it must not hang us. */
#include "source_git.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"

/* nested includes, commondir, alternates: git itself stops alternates at 5 levels */
#define MAX_NEST 8
/* directories under refs/ deeper than this are not looked at (git refuses such names) */
#define MAX_REF_DEPTH 64
/* the small text files read here (config, .git file, commondir, alternates) */
#define MAX_SMALL_FILE (16u << 20)

static const char *const gitdir_files[] = {
    "HEAD", "config", "config.worktree", "packed-refs", "index", "shallow", "commondir", "gitdir",
    "info/exclude", "info/attributes", "info/grafts", "info/sparse-checkout", "FETCH_HEAD",
    "ORIG_HEAD", "MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "BISECT_LOG", NULL};
static const char *const objects_files[] = {"info/alternates", "info/packs", "info/commit-graph",
                                            "pack/multi-pack-index", NULL};

static int refuse(const char *path, const struct stat *st)
{
	const char *what = S_ISFIFO(st->st_mode)   ? "a FIFO"
	                   : S_ISCHR(st->st_mode)  ? "a character device"
	                   : S_ISBLK(st->st_mode)  ? "a block device"
	                   : S_ISSOCK(st->st_mode) ? "a socket"
	                                           : "not a regular file";
	ls_error_set("'%s' is %s; refusing to read the repository", path, what);
	return LS_EINVAL;
}

/* A file libgit2 may read: absent, a directory (libgit2 fails on it, it does not block) or a
 * regular file. Symbolic links are followed, as libgit2 follows them. */
static int check_file(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
		return 0;
	return refuse(path, &st);
}

static int check_under(const char *dir, const char *name)
{
	char *p = ls_xasprintf("%s/%s", dir, name);
	int err = check_file(p);
	free(p);
	return err;
}

/* Every entry of `dir` (and below, up to `depth` levels) is a regular file or a directory. */
static int check_tree(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int err = 0;
	struct dirent *e;
	while (!err && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (e->d_type == DT_REG)
			continue;
		char *p = ls_xasprintf("%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(p, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				if (depth > 0 && e->d_type != DT_LNK)
					err = check_tree(p, depth - 1);
			} else if (!S_ISREG(st.st_mode)) {
				err = refuse(p, &st);
			}
		}
		free(p);
	}
	closedir(d);
	return err;
}

/* Reads a small regular file whole (NUL-terminated); 1 if absent or not readable (libgit2
 * fails on it too, it does not block), < 0 if it is what libgit2 would block on or too big. */
static int read_small(ls_buf *out, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0 || S_ISDIR(st.st_mode))
		return 1;
	if (!S_ISREG(st.st_mode))
		return refuse(path, &st);
	if ((unsigned long long)st.st_size > MAX_SMALL_FILE) {
		ls_error_set("'%s' is larger than %u MiB; refusing to read the repository", path, MAX_SMALL_FILE >> 20);
		return LS_EINVAL;
	}
	return ls_read_regular_bare(out, path, 0, MAX_SMALL_FILE) < 0 ? 1 : 0;
}

/* `value` resolved like git resolves a path in its configuration: "~/" is $HOME, relative to
 * `base`. NULL if it cannot be resolved (then libgit2 cannot read it either). */
static char *resolve(const char *value, const char *base)
{
	if (!value[0])
		return NULL;
	if (value[0] == '~') {
		const char *home = getenv("HOME");
		return value[1] == '/' && home ? ls_xasprintf("%s%s", home, value + 1) : NULL;
	}
	if (value[0] == '/')
		return ls_xstrdup(value);
	return ls_xasprintf("%s/%s", base, value);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? ls_xstrndup(path, (size_t)(slash - path)) : ls_xstrdup(".");
}

static int check_config(const char *path, int nest);

/* One "key = value" line of a config file in section `sect`: the files it names. */
static int config_line(const char *sect, char *line, const char *cfgdir, int nest)
{
	char *eq = strchr(line, '=');
	if (!eq)
		return 0;
	char *k = line, *ke = eq, *v = eq + 1;
	while (*k == ' ' || *k == '\t')
		k++;
	while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t'))
		ke--;
	*ke = '\0';
	while (*v == ' ' || *v == '\t')
		v++;
	size_t vl = strlen(v);
	while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t' || v[vl - 1] == '\r'))
		v[--vl] = '\0';
	if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
		v[vl - 1] = '\0';
		v++;
	}
	int include = !strncasecmp(sect, "include", 7) && !strcasecmp(k, "path");
	int core = !strcasecmp(sect, "core") && (!strcasecmp(k, "excludesfile") || !strcasecmp(k, "attributesfile"));
	if (!include && !core)
		return 0;
	char *p = resolve(v, cfgdir);
	if (!p)
		return 0;
	int err = include ? check_config(p, nest + 1) : check_file(p);
	free(p);
	return err;
}

/* The config file at `path` and every file it includes or names as an ignore or attributes
 * file. The parse is deliberately loose: it only has to find every value that could be such
 * a path, a few extra checks cost nothing. */
static int check_config(const char *path, int nest)
{
	if (nest > MAX_NEST)
		return 0;
	ls_buf b = {0};
	int err = read_small(&b, path);
	if (err) {
		ls_buf_dispose(&b);
		return err < 0 ? err : 0;
	}
	char *cfgdir = dir_of(path);
	char sect[64] = "";
	char *save = NULL;
	for (char *line = strtok_r(b.ptr, "\n", &save); line && !err; line = strtok_r(NULL, "\n", &save)) {
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '[') {
			size_t n = strcspn(s + 1, " \t\"]");
			if (n >= sizeof(sect))
				n = sizeof(sect) - 1;
			memcpy(sect, s + 1, n);
			sect[n] = '\0';
			char *close = strchr(s, ']');
			if (!close)
				continue;
			s = close + 1; /* "[core] excludesfile = x" on one line */
		}
		err = config_line(sect, s, cfgdir, nest);
	}
	free(cfgdir);
	ls_buf_dispose(&b);
	return err;
}

/* Each line of a list file (alternates, commondir), trimmed, resolved against `base`. */
static int check_list(const char *path, const char *base, int nest, int (*each)(const char *, int))
{
	ls_buf b = {0};
	int err = read_small(&b, path);
	if (err) {
		ls_buf_dispose(&b);
		return err < 0 ? err : 0;
	}
	char *save = NULL;
	for (char *line = strtok_r(b.ptr, "\n", &save); line && !err; line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);
		while (n && (line[n - 1] == ' ' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!n || line[0] == '#')
			continue;
		char *p = line[0] == '/' ? ls_xstrdup(line) : ls_xasprintf("%s/%s", base, line);
		err = each(p, nest + 1);
		free(p);
	}
	ls_buf_dispose(&b);
	return err;
}

static int check_objects(const char *objdir, int nest)
{
	if (nest > MAX_NEST)
		return 0;
	int err = 0;
	for (int i = 0; !err && objects_files[i]; i++)
		err = check_under(objdir, objects_files[i]);
	if (err)
		return err;
	char *sub = ls_xasprintf("%s/pack", objdir);
	err = check_tree(sub, 0);
	free(sub);
	sub = ls_xasprintf("%s/info/commit-graphs", objdir);
	if (!err)
		err = check_tree(sub, 0);
	free(sub);
	/* loose objects: readdir's d_type makes this cheap, no stat per object */
	for (int i = 0; !err && i < 256; i++) {
		char name[8];
		snprintf(name, sizeof(name), "%02x", i);
		sub = ls_xasprintf("%s/%s", objdir, name);
		err = check_file(sub);
		if (!err)
			err = check_tree(sub, 0);
		free(sub);
	}
	if (!err) {
		sub = ls_xasprintf("%s/info/alternates", objdir);
		err = check_list(sub, objdir, nest, check_objects);
		free(sub);
	}
	return err;
}

static int check_gitdir(const char *gitdir, int nest)
{
	if (nest > MAX_NEST)
		return 0;
	int err = 0;
	for (int i = 0; !err && gitdir_files[i]; i++)
		err = check_under(gitdir, gitdir_files[i]);
	char *p = NULL;
	if (!err) {
		p = ls_xasprintf("%s/config", gitdir);
		err = check_config(p, nest);
		free(p);
	}
	if (!err) {
		p = ls_xasprintf("%s/refs", gitdir);
		err = check_tree(p, MAX_REF_DEPTH);
		free(p);
	}
	if (!err) {
		p = ls_xasprintf("%s/objects", gitdir);
		err = check_objects(p, nest);
		free(p);
	}
	if (!err) {
		/* a linked worktree's shared repository */
		p = ls_xasprintf("%s/commondir", gitdir);
		err = check_list(p, gitdir, nest, check_gitdir);
		free(p);
	}
	return err;
}

/* Is `dir` itself a git directory, the way libgit2's discovery decides (HEAD, objects/, refs/)? */
static int looks_like_gitdir(const char *dir)
{
	struct stat st;
	char *h = ls_xasprintf("%s/HEAD", dir), *o = ls_xasprintf("%s/objects", dir);
	int yes = lstat(h, &st) == 0 && stat(o, &st) == 0 && S_ISDIR(st.st_mode);
	free(h);
	free(o);
	return yes;
}

/* The ".git" of directory `dir`: 0 if absent, 1 if it was found and checked, < 0 on error. */
static int check_dotgit(const char *dir)
{
	char *p = ls_xasprintf("%s/.git", dir);
	struct stat st;
	int found = 0, err = 0;
	if (stat(p, &st) == 0) {
		found = 1;
		if (S_ISDIR(st.st_mode)) {
			err = check_gitdir(p, 0);
		} else if (!S_ISREG(st.st_mode)) {
			err = refuse(p, &st);
		} else {
			/* a gitfile: "gitdir: PATH" */
			ls_buf b = {0};
			err = read_small(&b, p);
			if (err > 0)
				err = 0;
			else if (!err && !strncmp(b.ptr, "gitdir:", 7)) {
				char *v = b.ptr + 7;
				while (*v == ' ')
					v++;
				v[strcspn(v, "\r\n")] = '\0';
				char *g = v[0] == '/' ? ls_xstrdup(v) : ls_xasprintf("%s/%s", dir, v);
				err = check_gitdir(g, 0);
				free(g);
			}
			ls_buf_dispose(&b);
		}
	}
	free(p);
	return err < 0 ? err : found;
}

static int check_env(void)
{
	int err = 0;
	const char *v;
	if ((v = getenv("GIT_INDEX_FILE")) && *v)
		err = check_file(v);
	if (!err && (v = getenv("GIT_OBJECT_DIRECTORY")) && *v)
		err = check_objects(v, 0);
	if (!err && (v = getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES")) && *v) {
		char *list = ls_xstrdup(v), *save = NULL;
		for (char *d = strtok_r(list, ":", &save); d && !err; d = strtok_r(NULL, ":", &save))
			err = check_objects(d, 0);
		free(list);
	}
	if (!err && (v = getenv("GIT_DIR")) && *v)
		return check_gitdir(v, 0) < 0 ? LS_EINVAL : 1;
	return err;
}

int ls_git_check_files(const char *path, int from_env)
{
	if (from_env) {
		int err = check_env();
		if (err)
			return err < 0 ? err : 0;
	}
	char abs[PATH_MAX];
	if (!realpath(path ? path : ".", abs))
		return 0; /* libgit2 will say what is wrong */
	/* the same search as libgit2's discovery: the directory itself, its .git, then upwards */
	for (;;) {
		if (looks_like_gitdir(abs))
			return check_gitdir(abs, 0);
		int found = check_dotgit(abs);
		if (found)
			return found < 0 ? found : 0;
		char *slash = strrchr(abs, '/');
		if (!slash || slash == abs)
			break;
		*slash = '\0';
	}
	return 0;
}
