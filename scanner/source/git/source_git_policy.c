/* What a scan takes from a repository besides its content: files of one revision read from
 * the object database (git --config-from), and whether the repository is the user's own
 * (git's ownership check). Issue 18, items 5 and 17. */
#include "git2_lazy.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "confine.h"
#include "source_git.h"
#include "source_git_internal.h"

int ls_git_rev_check(ls_git_repo *r, const char *rev)
{
	git_object *obj = NULL, *tree = NULL;
	int ok = git_revparse_single(&obj, r->repo, rev) == 0 && git_object_peel(&tree, obj, GIT_OBJECT_TREE) == 0;
	git_object_free(tree);
	git_object_free(obj);
	if (!ok) {
		ls_error_set("'%s': not a revision of %s", rev, r->gitdir);
		return LS_EINVAL;
	}
	return 0;
}

int ls_git_rev_read(ls_git_repo *r, const char *rev, const char *path, size_t max, ls_buf *out, ls_strlist *names)
{
	git_object *obj = NULL;
	git_tree *tree = NULL, *sub = NULL;
	git_tree_entry *e = NULL;
	git_odb *odb = NULL;
	git_odb_object *blob = NULL;
	int err = 0;
	ls_buf_clear(out);
	if (git_revparse_single(&obj, r->repo, rev) < 0 || git_object_peel((git_object **)&tree, obj, GIT_OBJECT_TREE) < 0) {
		err = (ls_error_set("'%s': not a revision of %s", rev, r->gitdir), LS_EINVAL);
		goto done;
	}
	if (!strcmp(path, ".")) {
		sub = tree;
		tree = NULL;
	} else if (git_tree_entry_bypath(&e, tree, path) < 0) {
		err = (ls_error_set("no such file or directory"), LS_ENOTFOUND);
		goto done;
	} else if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
		if (git_tree_lookup(&sub, r->repo, git_tree_entry_id(e)) < 0) {
			err = (ls_error_set("cannot read tree: %s", ls_git_msg()), LS_EIO);
			goto done;
		}
	}
	if (sub) {
		for (size_t i = 0; i < git_tree_entrycount(sub); i++)
			ls_strlist_push(names, git_tree_entry_name(git_tree_entry_byindex(sub, i)));
		err = 1;
		goto done;
	}
	/* a symbolic link's blob is its target's name, a gitlink is no file here */
	git_filemode_t mode = git_tree_entry_filemode(e);
	if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE) {
		err = (ls_error_set("not a regular file"), LS_EIO);
		goto done;
	}
	size_t size = 0;
	git_object_t type;
	if (git_repository_odb(&odb, r->repo) < 0 || git_odb_read_header(&size, &type, odb, git_tree_entry_id(e)) < 0) {
		err = (ls_error_set("cannot read: %s", ls_git_msg()), LS_EIO);
		goto done;
	}
	if (size > max) {
		err = (ls_error_set("larger than %zu bytes", max), LS_EIO);
		goto done;
	}
	if (git_odb_read(&blob, odb, git_tree_entry_id(e)) < 0) {
		err = (ls_error_set("cannot read: %s", ls_git_msg()), LS_EIO);
		goto done;
	}
	ls_buf_put(out, git_odb_object_data(blob), git_odb_object_size(blob));
done:
	git_odb_object_free(blob);
	git_odb_free(odb);
	git_tree_entry_free(e);
	git_tree_free(sub);
	git_tree_free(tree);
	git_object_free(obj);
	return err;
}

/* Whether safe.directory, in the user's and the system's git configuration (never the
 * repository's), names `dir` or is "*", as git reads it: an empty value clears the list,
 * a value ending in "/" and "*" covers what lies below it. */
static int safe_directory(const char *path)
{
	char dir[PATH_MAX];
	if (!realpath(path, dir))
		snprintf(dir, sizeof(dir), "%s", path);
	git_config *cfg = NULL, *snap = NULL;
	git_config_iterator *it = NULL;
	git_config_entry *ce;
	int safe = 0;
	if (git_config_open_default(&cfg) < 0 || git_config_snapshot(&snap, cfg) < 0 ||
	    git_config_multivar_iterator_new(&it, snap, "safe.directory", NULL) < 0)
		goto done;
	while (git_config_next(&ce, it) == 0) {
		const char *v = ce->value ? ce->value : "";
		if (ce->level == GIT_CONFIG_LEVEL_LOCAL ||
		    ce->level == GIT_CONFIG_LEVEL_APP)
			continue;
		if (!*v) {
			safe = 0;
			continue;
		}
		char real[PATH_MAX];
		size_t n = strlen(v);
		if (!strcmp(v, "*"))
			safe = 1;
		else if (n >= 2 && !strcmp(v + n - 2, "/*") && !strncmp(dir, v, n - 1))
			safe = 1;
		else if (!strcmp(v, dir) || (realpath(v, real) && !strcmp(real, dir)))
			safe = 1;
	}
done:
	git_config_iterator_free(it);
	git_config_free(snap);
	git_config_free(cfg);
	return safe;
}

int ls_git_owner_check(const char *workdir, const char *gitdir)
{
	ls_git_init();
	const char *paths[2] = {workdir, gitdir};
	for (int i = 0; i < 2; i++) {
		char real[PATH_MAX];
		uid_t owner = 0;
		if (!paths[i] || !realpath(paths[i], real))
			continue;
		if (ls_path_owned_by_user(real, &owner))
			continue;
		if (safe_directory(workdir ? workdir : gitdir))
			return 0;
		ls_error_set("repository '%s' is owned by uid %u, not by you (git calls it dubious)",
		             workdir ? workdir : gitdir, (unsigned)owner);
		return LS_ERR;
	}
	return 0;
}

int ls_git_top_check(const char *top)
{
	ls_git_init();
	char *dotgit = ls_xasprintf("%s%s.git", top, strcmp(top, "/") ? "/" : "");
	struct stat st;
	int err = 0;
	if (lstat(dotgit, &st) == 0 && !S_ISDIR(st.st_mode)) {
		/* a .git file (a linked work tree, a submodule): the file and the directory it names */
		uid_t owner = 0;
		git_repository *repo = NULL;
		if (!ls_path_owned_by_user(dotgit, &owner)) {
			ls_error_set("repository '%s' is owned by uid %u, not by you (git calls it dubious)", top, (unsigned)owner);
			err = safe_directory(top) ? 0 : LS_ERR;
		} else if (git_repository_open_ext(&repo, top, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) == 0) {
			err = ls_git_owner_check(top, git_repository_path(repo));
		}
		git_repository_free(repo);
	} else {
		err = ls_git_owner_check(top, dotgit);
	}
	free(dotgit);
	return err;
}

struct ls_git_tip {
	git_tree *tree;
};

#define TIP_COMMIT_MAX ((size_t)1 << 20) /* a commit larger than this is no tip worth reading */

int ls_git_tip_open(ls_git_tip **out, ls_git_repo *r)
{
	git_oid id;
	git_odb *odb = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	size_t size = 0;
	git_object_t type;
	*out = NULL;
	/* (not git_revparse_single: libgit2 1.5 leaks a reference when the object cannot be read;
	 * and the size is checked before a hostile tip commit is inflated) */
	int ok = git_reference_name_to_id(&id, r->repo, "HEAD") == 0 && git_repository_odb(&odb, r->repo) == 0 &&
	         git_odb_read_header(&size, &type, odb, &id) == 0 && type == GIT_OBJECT_COMMIT && size <= TIP_COMMIT_MAX &&
	         git_commit_lookup(&commit, r->repo, &id) == 0 && git_commit_tree(&tree, commit) == 0;
	git_commit_free(commit);
	git_odb_free(odb);
	if (!ok) {
		git_tree_free(tree);
		return ls_error_set("%s: no readable HEAD commit", r->gitdir), LS_ENOTFOUND;
	}
	*out = ls_xcalloc(1, sizeof(**out));
	(*out)->tree = tree;
	return 0;
}

int ls_git_tip_has(ls_git_tip *t, const char *path, const char *id)
{
	git_tree_entry *e = NULL;
	git_oid want;
	int has = git_oid_fromstr(&want, id) == 0 && git_tree_entry_bypath(&e, t->tree, path) == 0 &&
	          git_tree_entry_type(e) == GIT_OBJECT_BLOB && git_oid_equal(git_tree_entry_id(e), &want);
	git_tree_entry_free(e);
	return has;
}

void ls_git_tip_free(ls_git_tip *t)
{
	if (!t)
		return;
	git_tree_free(t->tree);
	free(t);
}
