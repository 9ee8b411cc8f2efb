/* source_git_unreachable: --all-objects, the objects no ref reaches; an alternate's apart. */
#include "git2_lazy.h"
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "source_git_internal.h"

/* git stops alternates at 5 levels (and so does source_git_safe.c's check) */
#define MAX_ALT_DEPTH 5
/* an alternates file is a few lines; source_git_safe.c refused FIFOs and huge ones already */
#define MAX_ALT_FILE ((size_t)16 << 20)

/*
 * An object directory's own objects: its packs and loose objects, not its alternates (what
 * git_odb_open adds). `dir` is copied.
 */
typedef struct {
	git_odb *odb;
	char *dir;
} objdir;

typedef struct {
	objdir *v;
	size_t n;
} objdirs;

static int open_objdir(objdir *out, const char *dir)
{
	git_odb *odb = NULL;
	git_odb_backend *b = NULL;
	if (git_odb_new(&odb) < 0)
		return -1;
	if (git_odb_backend_pack(&b, dir) < 0 || git_odb_add_backend(odb, b, 2) < 0)
		goto fail;
	if (git_odb_backend_loose(&b, dir, -1, 0, 0, 0) < 0 || git_odb_add_backend(odb, b, 1) < 0)
		goto fail;
	out->odb = odb;
	out->dir = ls_xstrdup(dir);
	return 0;
fail:
	git_odb_free(odb); /* frees the backends added; a backend git_odb_add_backend refused leaks */
	return -1;
}

static int known(const objdirs *ds, const char *dir)
{
	for (size_t i = 0; i < ds->n; i++)
		if (!strcmp(ds->v[i].dir, dir))
			return 1;
	return 0;
}

/* `dir` and, depth first, the directories its info/alternates names (relative to `dir`). */
static void add_objdir(ls_git_history *h, objdirs *ds, const char *dir, int depth)
{
	char *real = realpath(dir, NULL);
	const char *d = real ? real : dir;
	if (depth > MAX_ALT_DEPTH || known(ds, d)) {
		free(real);
		return;
	}
	ds->v = ls_xrealloc(ds->v, (ds->n + 1) * sizeof(objdir));
	if (open_objdir(&ds->v[ds->n], d) < 0) {
		ls_git_history_add_error(h, "cannot open the object directory '%s': %s", d, ls_git_msg());
		free(real);
		return;
	}
	ds->n++;
	ls_buf file = LS_BUF_INIT;
	char *path = ls_xasprintf("%s/info/alternates", d);
	if (ls_read_regular(&file, path, MAX_ALT_FILE) == 0 && file.ptr) {
		char *save = NULL;
		for (char *line = strtok_r(file.ptr, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			size_t n = strlen(line);
			while (n && (line[n - 1] == ' ' || line[n - 1] == '\r'))
				line[--n] = '\0';
			if (!n || line[0] == '#')
				continue;
			char *alt = line[0] == '/' ? ls_xstrdup(line) : ls_xasprintf("%s/%s", d, line);
			add_objdir(h, ds, alt, depth + 1);
			free(alt);
		}
	}
	ls_error_clear();
	ls_buf_dispose(&file);
	free(path);
	free(real);
}

typedef struct {
	git_oid *v;
	size_t n, cap;
	const omap *seen;
} oid_list;

static int collect_unseen(const git_oid *id, void *payload)
{
	oid_list *l = payload;
	if (ls_git_omap_find(l->seen, id))
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->v = ls_xrealloc(l->v, l->cap * sizeof(git_oid));
	}
	git_oid_cpy(&l->v[l->n++], id);
	return 0;
}

static int cmp_oid(const void *a, const void *b) { return git_oid_cmp(a, b); }

/* The repository's own object directory: $GIT_OBJECT_DIRECTORY when opened like git from the
 * environment, else objects/ of the (common) git directory. */
static char *own_objects_dir(const ls_git_repo *r)
{
	const char *env = r->from_env ? getenv("GIT_OBJECT_DIRECTORY") : NULL;
	if (env && *env)
		return ls_xstrdup(env);
	git_buf b = {0};
	if (git_repository_item_path(&b, r->repo, GIT_REPOSITORY_ITEM_OBJECTS) < 0)
		return NULL;
	char *dir = ls_xstrdup(b.ptr);
	git_buf_dispose(&b);
	return dir;
}

/* The index in `ds` of the first directory (the repository's own is 0) holding `id`, or ds->n. */
static size_t where(const objdirs *ds, const git_oid *id)
{
	size_t i = 0;
	while (i < ds->n && !git_odb_exists(ds->v[i].odb, id))
		i++;
	return i;
}

void ls_git_history_add_unreachable(ls_git_history *h, int alternates)
{
	git_odb *odb = NULL;
	objdirs ds = {NULL, 0};
	oid_list l = {NULL, 0, 0, &h->seen};
	size_t *skipped = NULL;
	if (git_repository_odb(&odb, h->r->repo) < 0) {
		ls_git_history_add_error(h, "cannot open the object database: %s", ls_git_msg());
		return;
	}
	char *own = own_objects_dir(h->r);
	if (own)
		add_objdir(h, &ds, own, 0);
	if (!ds.n) {
		ls_git_history_add_error(h, "cannot tell the repository's objects from its alternates'; not scanning "
		                            "unreachable objects");
		goto done;
	}
	if (git_odb_foreach(odb, collect_unseen, &l) < 0)
		ls_git_history_add_error(h, "cannot list the object database: %s", ls_git_msg());
	if (l.n)
		qsort(l.v, l.n, sizeof(git_oid), cmp_oid);
	skipped = ls_xcalloc(ds.n + 1, sizeof(size_t));
	for (size_t i = 0; i < l.n; i++) {
		if (i && !git_oid_cmp(&l.v[i], &l.v[i - 1]))
			continue; /* in a pack and loose, or in two directories */
		size_t len;
		git_object_t type;
		if (git_odb_read_header(&len, &type, odb, &l.v[i]) < 0) {
			ls_git_history_add_error(h, "object %s: cannot read: %s", git_oid_tostr_s(&l.v[i]), ls_git_msg());
			continue;
		}
		int kind = type == GIT_OBJECT_BLOB     ? IT_UNREACHABLE
		           : type == GIT_OBJECT_COMMIT ? IT_COMMIT_MSG
		           : type == GIT_OBJECT_TAG    ? IT_TAG_MSG
		                                       : -1;
		if (kind < 0)
			continue;
		/* an object the repository's own directory lacks is an alternate's (or, found in none
		 * of them, one $GIT_ALTERNATE_OBJECT_DIRECTORIES or a backend added) */
		size_t at = git_odb_exists(ds.v[0].odb, &l.v[i]) ? 0 : where(&ds, &l.v[i]);
		if (!at) {
			ls_git_history_add(h, &l.v[i], kind, NO_COMMIT, NO_PATH);
			continue;
		}
		if (!alternates) {
			skipped[at]++;
			continue;
		}
		const char *dir = at < ds.n ? ds.v[at].dir : "(another object directory)";
		ls_git_history_add(h, &l.v[i], kind, NO_COMMIT, ls_git_strtab_intern(&h->paths, dir, strlen(dir)));
		h->items[h->nitems - 1].alternate = 1;
	}
	for (size_t i = 1; i <= ds.n; i++) {
		if (!skipped[i])
			continue;
		char *note = ls_xasprintf("%zu unreachable object%s of the alternate '%s' not scanned: they are "
		                          "another repository's (scan it, or add --include-alternates)",
		                          skipped[i], skipped[i] == 1 ? "" : "s",
		                          i < ds.n ? ds.v[i].dir : "(another object directory)");
		ls_strlist_push(&h->notes, note);
		free(note);
	}
done:
	for (size_t i = 0; i < ds.n; i++) {
		git_odb_free(ds.v[i].odb);
		free(ds.v[i].dir);
	}
	free(ds.v);
	free(skipped);
	free(own);
	free(l.v);
	git_odb_free(odb);
}
