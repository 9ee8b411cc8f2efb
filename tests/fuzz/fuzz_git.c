/*
 * Fuzzes git object input through the history engine's public API (source_git.h). A
 * repository is created once in a temporary directory; each input becomes one root commit
 * on refs/heads/main (replacing the previous one), then the history is enumerated, every
 * item read, searched with the default rules, and its provenance taken.
 *
 * Input layout: byte 0 picks the shape, bytes 1-2 (little endian) the length of the message
 * part, then the message part, then the blob.
 *   shape 0: a well-formed commit whose message is the message part (any bytes, NULs too)
 *            over a tree holding the blob as "f.txt";
 *   shape 1: the message part written verbatim as a commit object (fuzzed headers);
 *   shape 2: a well-formed commit whose tree object is the blob's bytes (a corrupt tree);
 *   shape 3: a well-formed commit and an annotated tag whose message is the message part.
 * libgit2 is used directly here only to build the repository; the scan goes through leakscan.
 */
#include <git2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "matcher.h"
#include "rules.h"
#include "search.h"
#include "source_git.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[4096];
static git_repository *repo;
static git_odb *odb;
static ls_ruleset *rs;
static ls_matcher *m;
static ls_scratch *scratch;

static void cleanup(void)
{
	git_odb_free(odb);
	git_repository_free(repo);
	ls_scratch_free(scratch);
	ls_matcher_free(m);
	ls_ruleset_free(rs);
	char *cmd = ls_xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_git: cannot remove %s\n", dir);
	free(cmd);
	ls_git_shutdown();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	/* the whole TMPDIR: a truncated one names a directory that does not exist */
	if (snprintf(dir, sizeof(dir), "%s/fuzz-git.XXXXXX", tmp && *tmp ? tmp : "/tmp") >= (int)sizeof(dir)) {
		fprintf(stderr, "fuzz_git: TMPDIR is too long\n");
		abort();
	}
	ls_git_init();
	const char *pdir = getenv("LEAKSCAN_PATTERNS_DIR");
	ls_matcher_options mo = LS_MATCHER_OPTIONS_INIT;
	mo.cache_dir = getenv("LEAKSCAN_CACHE_DIR"); /* set by ctest and tests/fuzz/run */
	if (!mkdtemp(dir) || git_repository_init(&repo, dir, 0) < 0 || git_repository_odb(&odb, repo) < 0 ||
	    ls_ruleset_new(&rs) < 0 || ls_ruleset_load_path(rs, pdir && *pdir ? pdir : LS_SOURCE_PATTERNS_DIR) < 0 ||
	    ls_matcher_new(&m, rs, &mo) < 0 || ls_scratch_new(&scratch, m) < 0) {
		fprintf(stderr, "fuzz_git: set-up failed in %s: %s\n", dir, ls_error_last());
		exit(1);
	}
	atexit(cleanup);
	return 0;
}

static int put(git_oid *id, const void *data, size_t len, git_object_t type)
{
	return git_odb_write(id, odb, data, len, type);
}

static int commit_over(git_oid *out, const git_oid *tree, const uint8_t *msg, size_t msglen)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_oid_tostr(hex, sizeof(hex), tree);
	ls_buf b = LS_BUF_INIT;
	ls_buf_printf(&b,
	              "tree %s\nauthor Fuzz Author <fuzz@example.invalid> 1700000000 +0000\n"
	              "committer Fuzz Author <fuzz@example.invalid> 1700000000 +0000\n\n",
	              hex);
	ls_buf_put(&b, msg, msglen);
	int err = put(out, b.ptr, b.len, GIT_OBJECT_COMMIT);
	ls_buf_dispose(&b);
	return err;
}

static int build(const uint8_t *data, size_t size)
{
	if (size < 3)
		return -1;
	int shape = data[0] % 4;
	size_t msglen = (size_t)data[1] | (size_t)data[2] << 8;
	data += 3, size -= 3;
	if (msglen > size)
		msglen = size;
	const uint8_t *msg = data, *blob = data + msglen;
	size_t bloblen = size - msglen;
	git_oid blob_id, tree_id, commit_id, tag_id;
	if (put(&blob_id, blob, bloblen, GIT_OBJECT_BLOB) < 0)
		return -1;
	if (shape == 2) {
		if (put(&tree_id, blob, bloblen, GIT_OBJECT_TREE) < 0)
			return -1;
	} else {
		git_treebuilder *tb = NULL;
		int err = git_treebuilder_new(&tb, repo, NULL);
		if (!err)
			err = git_treebuilder_insert(NULL, tb, "f.txt", &blob_id, GIT_FILEMODE_BLOB);
		if (!err)
			err = git_treebuilder_write(&tree_id, tb);
		git_treebuilder_free(tb);
		if (err < 0)
			return -1;
	}
	if (shape == 1) {
		if (put(&commit_id, msg, msglen, GIT_OBJECT_COMMIT) < 0)
			return -1;
	} else if (commit_over(&commit_id, &tree_id, msg, msglen) < 0) {
		return -1;
	}
	git_reference *ref = NULL;
	/* no strict validation: a fuzzed "commit" may not parse, which is the point */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0);
	int err = git_reference_create(&ref, repo, "refs/heads/main", &commit_id, 1, NULL);
	git_reference_free(ref);
	if (err < 0)
		return -1;
	if (shape == 3) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof(hex), &commit_id);
		ls_buf b = LS_BUF_INIT;
		ls_buf_printf(&b, "object %s\ntype commit\ntag v1\ntagger Fuzz Author <fuzz@example.invalid> 1700000000 +0000\n\n", hex);
		ls_buf_put(&b, msg, msglen);
		err = put(&tag_id, b.ptr, b.len, GIT_OBJECT_TAG);
		ls_buf_dispose(&b);
		if (!err)
			err = git_reference_create(&ref, repo, "refs/tags/v1", &tag_id, 1, NULL);
		git_reference_free(ref);
	} else {
		git_reference *old = NULL;
		if (git_reference_lookup(&old, repo, "refs/tags/v1") == 0)
			git_reference_delete(old);
		git_reference_free(old);
	}
	return err < 0 ? -1 : 0;
}

static void scan(void)
{
	ls_git_repo *r = NULL;
	ls_git_history *h = NULL;
	ls_git_reader *rd = NULL;
	ls_git_history_options ho = LS_GIT_HISTORY_OPTIONS_INIT;
	if (ls_git_repo_open(&r, dir) < 0)
		goto done;
	if (ls_git_history_new(&h, r, &ho) < 0)
		goto done;
	for (size_t i = 0; i < ls_git_history_nerrors(h); i++)
		if (!ls_git_history_error(h, i))
			abort();
	if (ls_git_reader_new(&rd, h) < 0)
		goto done;
	for (size_t i = 0; i < ls_git_history_count(h); i++) {
		ls_git_content c;
		if (ls_git_reader_read(rd, i, 1 << 20, &c) < 0 || c.too_large)
			continue;
		ls_search_options so = LS_SEARCH_OPTIONS_INIT;
		ls_findings fs = LS_FINDINGS_INIT;
		ls_search_buffer(m, scratch, &so, c.data, c.len, LS_ORIGIN_TEXT, c.path, &fs);
		ls_findings_dispose(&fs);
		ls_finding f;
		memset(&f, 0, sizeof(f));
		ls_git_reader_provenance(rd, i, 0, &f.prov);
		ls_finding_dispose(&f);
	}
done:
	ls_git_reader_free(rd);
	ls_git_history_free(h);
	ls_git_repo_free(r);
	ls_error_clear();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (build(data, size) == 0)
		scan();
	return 0;
}
