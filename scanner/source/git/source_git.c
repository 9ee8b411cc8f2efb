/* source_git: libgit2 set-up, repositories, the ignore checks of a work tree. */
#include "source_git.h"

#include "git2_lazy.h"
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"
#include "source_git_internal.h"

static pthread_once_t git_once = PTHREAD_ONCE_INIT;
static int git_started; /* set once by git_init_once */

static void git_init_once(void)
{
	git_libgit2_init();
	git_started = 1;
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	/* history walks read each tree and commit once: an object cache only costs memory */
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
	/* zlib's checksum still catches a corrupt object; re-hashing every object read (the
	 * default) nearly doubles the cost of reading history, and verifying ids is git fsck's job */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
}

void ls_git_init(void) { pthread_once(&git_once, git_init_once); }

void ls_git_verify_objects(int on)
{
	ls_git_init();
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, on ? 1 : 0);
}

void ls_git_shutdown(void)
{
	/* libgit2 keeps a reference count; one init, one shutdown (none if nothing needed it) */
	if (git_started)
		git_libgit2_shutdown();
}

struct ls_git_ignore {
	git_repository *repo;
	git_index *index;
	size_t root_len;  /* length of the walk root as given */
	char *rel_root;   /* the walk root relative to the work tree ("" at the top) */
	char *workdir;    /* the work tree, with a trailing slash */
	ls_buf checked;   /* the last directory whose .gitignore files were checked */
	ls_buf tmp;
};

int ls_git_ignore_open(ls_git_ignore **out, const char *root)
{
	ls_git_init();
	char abs[PATH_MAX];
	if (!realpath(root, abs))
		return LS_ENOTFOUND;
	int err = ls_git_check_files(abs, 0);
	if (err < 0)
		return err;
	git_repository *repo = NULL;
	if (git_repository_open_ext(&repo, abs, 0, NULL) < 0 || git_repository_is_bare(repo)) {
		git_repository_free(repo);
		return LS_ENOTFOUND;
	}
	const char *wd = git_repository_workdir(repo);
	char wdabs[PATH_MAX];
	if (!wd || !realpath(wd, wdabs)) {
		git_repository_free(repo);
		return LS_ENOTFOUND;
	}
	size_t wl = strlen(wdabs);
	if (strncmp(abs, wdabs, wl) || (abs[wl] && abs[wl] != '/')) {
		git_repository_free(repo);
		return LS_ENOTFOUND;
	}
	/* an enclosing repository of another user (anyone's /tmp/.git) must not hide files */
	if (ls_git_top_check(wdabs) < 0) {
		git_repository_free(repo);
		return LS_ERR;
	}
	ls_git_ignore *ig = ls_xcalloc(1, sizeof(*ig));
	ig->repo = repo;
	if (git_repository_index(&ig->index, repo) < 0)
		ig->index = NULL;
	ig->root_len = strlen(root);
	ig->rel_root = ls_xstrdup(abs[wl] ? abs + wl + 1 : "");
	ig->workdir = ls_xasprintf("%s/", wdabs);
	*out = ig;
	return 0;
}

/* libgit2 reads the .gitignore of every directory from the work tree's top down to `rel`'s:
 * each must be a regular file (or absent) before it may look, or a FIFO there blocks it. */
static int check_gitignores(ls_git_ignore *ig, const char *rel, int is_dir)
{
	/* the parents of `rel` ("a/b/" for a directory: its parent "a"; a directory's own
	 * .gitignore is read for what is inside it, checked when an entry inside is) */
	size_t n = strlen(rel);
	if (is_dir && n && rel[n - 1] == '/')
		n--;
	while (n && rel[n - 1] != '/')
		n--;
	size_t dlen = n ? n - 1 : 0;
	if (ig->checked.ptr && ig->checked.len == dlen && !memcmp(ig->checked.ptr, rel, dlen))
		return 0;
	/* every level from the top: a new directory is entered rarely, its depth is small */
	for (size_t i = 0; i <= dlen; i++) {
		if (i < dlen && rel[i] != '/')
			continue;
		char *p = ls_xasprintf("%s%.*s%s.gitignore", ig->workdir, (int)i, rel, i ? "/" : "");
		struct stat st;
		int bad = stat(p, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
		if (bad)
			ls_error_set("'%s' is not a regular file", p);
		free(p);
		if (bad)
			return LS_EINVAL;
	}
	ls_buf_clear(&ig->checked);
	ls_buf_put(&ig->checked, rel, dlen);
	ls_buf_putc(&ig->checked, '\0');
	ig->checked.len = dlen;
	return 0;
}

int ls_git_ignore_check(ls_git_ignore *ig, const char *path, int is_dir)
{
	const char *rest = path + ig->root_len;
	while (*rest == '/')
		rest++;
	ls_buf_clear(&ig->tmp);
	ls_buf_puts(&ig->tmp, ig->rel_root);
	if (ig->rel_root[0] && rest[0])
		ls_buf_putc(&ig->tmp, '/');
	ls_buf_puts(&ig->tmp, rest);
	if (is_dir)
		ls_buf_putc(&ig->tmp, '/');
	int ignored = 0;
	if (check_gitignores(ig, ig->tmp.ptr, is_dir) < 0)
		return LS_EINVAL;
	if (git_ignore_path_is_ignored(&ignored, ig->repo, ig->tmp.ptr) < 0 || !ignored)
		return 0;
	/* a tracked file stays visible to git even when a pattern ignores it, and so does an
	 * ignored directory that holds tracked files (its untracked files are still skipped, one
	 * by one) */
	size_t pos;
	if (ig->index && (is_dir ? git_index_find_prefix(&pos, ig->index, ig->tmp.ptr) == 0
	                         : git_index_get_bypath(ig->index, ig->tmp.ptr, 0) != NULL))
		return 0;
	return 1;
}

void ls_git_ignore_free(ls_git_ignore *ig)
{
	if (!ig)
		return;
	git_index_free(ig->index);
	git_repository_free(ig->repo);
	free(ig->rel_root);
	free(ig->workdir);
	ls_buf_dispose(&ig->checked);
	ls_buf_dispose(&ig->tmp);
	free(ig);
}

/* ---- repositories (opened for history, ranges and the staged index) ---- */

int ls_git_repo_open(ls_git_repo **out, const char *path)
{
	ls_git_init();
	git_repository *repo = NULL;
	if (ls_git_check_files(path, path == NULL) < 0)
		return LS_EINVAL;
	if (git_repository_open_ext(&repo, path, path ? 0 : GIT_REPOSITORY_OPEN_FROM_ENV, NULL) < 0) {
		const git_error *e = git_error_last();
		ls_error_set("%s: not a git repository (%s)", path ? path : ".", e && e->message ? e->message : "not found");
		return LS_ENOTFOUND;
	}
	if (ls_git_cap_objects(repo) < 0) {
		ls_error_set("%s: cannot open its object database: %s", path ? path : ".", ls_git_msg());
		git_repository_free(repo);
		return LS_EIO;
	}
	ls_git_repo *r = ls_xcalloc(1, sizeof(*r));
	r->repo = repo;
	r->from_env = path == NULL;
	r->gitdir = ls_xstrdup(git_repository_path(repo));
	r->shallow = git_repository_is_shallow(repo) == 1;
	*out = r;
	return 0;
}

int ls_git_repo_reopen(const ls_git_repo *r, git_repository **out)
{
	git_repository *repo = NULL;
	/* the same repository, seen the same way (a hook's quarantine or temporary index) */
	int err = r->from_env ? git_repository_open_ext(&repo, NULL, GIT_REPOSITORY_OPEN_FROM_ENV, NULL)
	                      : git_repository_open_ext(&repo, r->gitdir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	if (err < 0 || ls_git_cap_objects(repo) < 0) {
		ls_error_set("%s: cannot open: %s", r->gitdir, ls_git_msg());
		git_repository_free(repo);
		return LS_EIO;
	}
	*out = repo;
	return 0;
}

void ls_git_repo_free(ls_git_repo *r)
{
	if (!r)
		return;
	git_repository_free(r->repo);
	free(r->gitdir);
	free(r);
}

int ls_git_repo_is_shallow(const ls_git_repo *r) { return r->shallow; }

const char *ls_git_msg(void)
{
	const git_error *e = git_error_last();
	return e && e->message ? e->message : "unknown error";
}
