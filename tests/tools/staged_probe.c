/* staged_probe fast|diff [REPO]: what `leakscan git --staged` would read, through one of the
 * two readers of the staged index (the index file and its cache-tree, or libgit2's diff), as
 * "PATH BLOB" lines. tests/cli/t_git.sh checks that both readers agree. Exit 2 on error. */
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "source_git_internal.h"

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3 || (strcmp(argv[1], "fast") && strcmp(argv[1], "diff"))) {
		fputs("usage: staged_probe fast|diff [REPO]\n", stderr);
		return 2;
	}
	ls_git_init();
	ls_git_repo *repo = NULL;
	ls_git_history *h = NULL;
	int rc = 2;
	if (ls_git_repo_open(&repo, argc > 2 ? argv[2] : NULL) < 0 ||
	    ls_git_staged_read(&h, repo, strcmp(argv[1], "fast") ? LS_GIT_STAGED_DIFF : LS_GIT_STAGED_FAST) < 0) {
		fprintf(stderr, "staged_probe: %s\n", ls_error_last());
		goto done;
	}
	for (size_t i = 0; i < ls_git_history_count(h); i++) {
		char id[41];
		ls_git_history_item_id(h, i, id);
		printf("%s %s\n", ls_git_strtab_get(&h->paths, h->items[i].path), id);
	}
	rc = 0;
done:
	ls_git_history_free(h);
	ls_git_repo_free(repo);
	ls_git_shutdown();
	return rc;
}
