/* source_git_cap: a size cap on every object libgit2 reads for leakscan, checked against the
 * object's header before anything is inflated. A 1 MB loose commit can inflate to 1 GiB, and
 * libgit2 reads objects whole wherever it reads them: in leakscan's own lookups and inside
 * its revision walker (git --range), which parses every commit it meets. The repository's
 * object database is replaced by one whose backends wrap the original ones (same order, same
 * alternates): reads pass through once the header says the object is not over the cap. */
#include "git2_lazy.h"
#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "source_git_internal.h"

/* the original database, kept alive for its backends until the last wrapper goes */
typedef struct {
	git_odb *odb;
	size_t refs;
} holder;

typedef struct {
	git_odb_backend parent;
	git_odb_backend *inner;
	holder *hold;
} capped;

static __thread int trusted; /* ls_git_cap_trust: the caller checked the header itself */

void ls_git_cap_trust(int on) { trusted = on; }

static int over_cap(capped *c, const git_oid *id)
{
	size_t len;
	git_object_t type;
	if (trusted || !c->inner->read_header || c->inner->read_header(&len, &type, c->inner, id) < 0)
		return 0; /* (a backend that cannot tell: its read decides, as before) */
	if (type == GIT_OBJECT_BLOB || len <= LS_GIT_MAX_OBJECT_SIZE)
		return 0;
	char msg[128];
	snprintf(msg, sizeof(msg), "%s of %zu bytes, larger than the %zu MiB limit; not read", git_object_type2string(type),
	         len, LS_GIT_MAX_OBJECT_SIZE >> 20);
	git_error_set_str(GIT_ERROR_INVALID, msg);
	return 1;
}

static int c_read(void **data, size_t *len, git_object_t *type, git_odb_backend *b, const git_oid *id)
{
	capped *c = (capped *)b;
	if (over_cap(c, id))
		return GIT_EINVALID;
	return c->inner->read(data, len, type, c->inner, id);
}

static int c_read_prefix(git_oid *out, void **data, size_t *len, git_object_t *type, git_odb_backend *b,
                         const git_oid *prefix, size_t plen)
{
	capped *c = (capped *)b;
	git_oid full;
	if (c->inner->exists_prefix) {
		int err = c->inner->exists_prefix(&full, c->inner, prefix, plen);
		if (err < 0)
			return err;
		if (over_cap(c, &full))
			return GIT_EINVALID;
	}
	return c->inner->read_prefix(out, data, len, type, c->inner, prefix, plen);
}

static int c_read_header(size_t *len, git_object_t *type, git_odb_backend *b, const git_oid *id)
{
	capped *c = (capped *)b;
	return c->inner->read_header(len, type, c->inner, id);
}

static int c_exists(git_odb_backend *b, const git_oid *id)
{
	capped *c = (capped *)b;
	return c->inner->exists(c->inner, id);
}

static int c_exists_prefix(git_oid *out, git_odb_backend *b, const git_oid *prefix, size_t plen)
{
	capped *c = (capped *)b;
	return c->inner->exists_prefix(out, c->inner, prefix, plen);
}

static int c_refresh(git_odb_backend *b)
{
	capped *c = (capped *)b;
	return c->inner->refresh(c->inner);
}

static int c_foreach(git_odb_backend *b, git_odb_foreach_cb cb, void *payload)
{
	capped *c = (capped *)b;
	return c->inner->foreach(c->inner, cb, payload);
}

static void c_free(git_odb_backend *b)
{
	capped *c = (capped *)b;
	if (--c->hold->refs == 0) {
		git_odb_free(c->hold->odb);
		free(c->hold);
	}
	free(c);
}

int ls_git_cap_objects(git_repository *repo)
{
	git_odb *orig = NULL, *odb = NULL;
	if (git_repository_odb(&orig, repo) < 0)
		return -1;
	size_t n = git_odb_num_backends(orig);
	if (git_odb_new(&odb) < 0) {
		git_odb_free(orig);
		return -1;
	}
	holder *hold = ls_xcalloc(1, sizeof(*hold));
	hold->odb = orig;
	hold->refs = 1; /* this function's, dropped at the end */
	int err = 0;
	for (size_t i = 0; i < n && !err; i++) {
		git_odb_backend *inner = NULL;
		if ((err = git_odb_get_backend(&inner, orig, i)) < 0)
			break;
		capped *c = ls_xcalloc(1, sizeof(*c));
		git_odb_init_backend(&c->parent, GIT_ODB_BACKEND_VERSION);
		c->inner = inner;
		c->hold = hold;
		c->parent.read = inner->read ? c_read : NULL;
		c->parent.read_prefix = inner->read_prefix ? c_read_prefix : NULL;
		c->parent.read_header = inner->read_header ? c_read_header : NULL;
		c->parent.exists = inner->exists ? c_exists : NULL;
		c->parent.exists_prefix = inner->exists_prefix ? c_exists_prefix : NULL;
		c->parent.refresh = inner->refresh ? c_refresh : NULL;
		c->parent.foreach = inner->foreach ? c_foreach : NULL;
		c->parent.free = c_free;
		/* get_backend lists them by priority, highest first: keep that order */
		if ((err = git_odb_add_backend(odb, &c->parent, (int)(n - i))) < 0) {
			free(c);
			break;
		}
		hold->refs++;
	}
	if (!err)
		err = git_repository_set_odb(repo, odb);
	git_odb_free(odb); /* the repository holds it now (or nothing does, on error) */
	if (--hold->refs == 0) {
		git_odb_free(hold->odb);
		free(hold);
	}
	return err < 0 ? -1 : 0;
}
