/* What a scan takes from a repository besides its content: files of one revision read from
 * the object database (git --config-from). Issue 18, item 17. */
#include <git2.h>
#include <string.h>

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
