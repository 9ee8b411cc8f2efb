/* source_git_internal: what the source_git_*.c files share; nothing outside source_git
 * includes this (only source_git sees libgit2). */
#ifndef LS_SOURCE_GIT_INTERNAL_H
#define LS_SOURCE_GIT_INTERNAL_H

#include "git2_lazy.h"
#include <stdint.h>
#include <string.h>

#include "common.h"
#include "source_git.h"

#define NO_COMMIT UINT32_MAX
#define NO_PATH UINT32_MAX
/* Commits, tags and trees larger than this are not read: the size comes from the object's
 * header, before anything is inflated (a 1 MB object can inflate to 1 GiB). */
#define LS_GIT_MAX_OBJECT_SIZE ((size_t)64 << 20)

/* Replaces `repo`'s object database by one that refuses (GIT_EINVALID, with a message) to
 * read a commit, tag or tree whose header says it is larger than LS_GIT_MAX_OBJECT_SIZE,
 * wherever libgit2 reads it (source_git_cap.c). Returns 0 or -1. */
int ls_git_cap_objects(git_repository *repo);
/* On this thread, reads skip the header check (the caller checked the header itself and
 * reads a blob it decided to read: no second header read). */
void ls_git_cap_trust(int on);

/* Trees nested deeper than this are not walked (recursion bound; git itself refuses 4096). */
#define LS_GIT_MAX_TREE_DEPTH 4096

/* An open-addressing map from object id to (kind, value). */
enum { K_FREE = 0, K_BLOB, K_TREE, K_COMMIT, K_HIDDEN, K_TAG, K_BAD, K_TARGET };

typedef struct {
	git_oid id;
	uint8_t kind;
	uint32_t val;
} omap_ent;

typedef struct {
	omap_ent *t;
	size_t cap, n;
} omap;

/* Whether two object ids are equal, inline (the walk compares millions; libgit2's
 * git_oid_cmp is a call into the library and a memcmp). */
static inline int ls_git_oid_eq(const git_oid *a, const git_oid *b)
{
	uint64_t a0, a1, b0, b1;
	uint32_t a2, b2;
	memcpy(&a0, a->id, 8);
	memcpy(&b0, b->id, 8);
	memcpy(&a1, a->id + 8, 8);
	memcpy(&b1, b->id + 8, 8);
	memcpy(&a2, a->id + 16, 4);
	memcpy(&b2, b->id + 16, 4);
	return ((a0 ^ b0) | (a1 ^ b1) | (a2 ^ b2)) == 0;
}

omap_ent *ls_git_omap_find(const omap *m, const git_oid *id);
/* Returns the entry for `id`, creating it (the caller sets its kind) if absent; `*isnew` tells. */
omap_ent *ls_git_omap_get(omap *m, const git_oid *id, int *isnew);
void ls_git_omap_dispose(omap *m);

/* Interned strings (paths): one arena, ids are indexes. */
typedef struct {
	ls_buf arena;
	size_t *offs;
	size_t n, cap;
	uint32_t *tab; /* id + 1, 0 free */
	size_t tabcap;
} strtab;

const char *ls_git_strtab_get(const strtab *st, uint32_t id);
/* The id of `s` (len bytes, copied in), the same for the same string. */
uint32_t ls_git_strtab_intern(strtab *st, const char *s, size_t len);
void ls_git_strtab_dispose(strtab *st);

/* A set of exact (object id, interned path id) pairs: where a tree was walked, where a blob
 * was listed. Exact keys: two names never share an entry, whatever their hashes. */
typedef struct {
	git_oid id;
	uint32_t path;
	uint32_t used;
} pair_ent;

typedef struct {
	pair_ent *t;
	size_t cap, n;
} pairset;

/* Adds the pair; returns 1 if it was new. */
int ls_git_pairset_add(pairset *s, const git_oid *id, uint32_t path);
void ls_git_pairset_dispose(pairset *s);

/* The pack indexes of a repository: where each packed object lies, to read in pack order. */
typedef struct packidx packidx;

/* Reads every .idx file in the pack directory of `objects_dir` (a malformed one is ignored: order
 * only changes speed). Never fails; NULL means no pack. */
packidx *ls_git_packidx_open(const char *objects_dir);
/* A sort key: (pack ordinal << 40) | offset, or UINT64_MAX for an object in no pack. */
uint64_t ls_git_packidx_key(const packidx *p, const git_oid *id);
void ls_git_packidx_free(packidx *p);

/* Pack entry types (git's pack format). */
enum { LS_PACK_COMMIT = 1, LS_PACK_TREE = 2, LS_PACK_BLOB = 3, LS_PACK_TAG = 4, LS_PACK_OFS_DELTA = 6, LS_PACK_REF_DELTA = 7 };

/* One pack entry the read plan needs: an object to read, or a delta base on the way to one. */
typedef struct {
	uint64_t off;    /* of the entry in its pack */
	uint64_t size;   /* from the entry header: the object's size, or its delta's for a delta */
	uint64_t data;   /* where the entry's zlib stream starts */
	uint64_t base;   /* a delta's base offset (same pack) */
	uint32_t pack;   /* which pack */
	uint32_t parent; /* the base's node, or UINT32_MAX for a whole object */
	uint32_t depth;  /* deltas between it and its whole object */
	uint8_t type;
} pnode;

/*
 * The read plan of a history (source_git_pack.c): for each blob item in a pack of the
 * repository, its node, whose chain of parents leads to a whole object. Built by
 * ls_git_history_read_order, read-only afterwards (shared by the reader threads).
 */
struct ls_git_packplan {
	packidx *idx;
	pnode *nodes;
	size_t n, cap;
	uint64_t *hkey;      /* (pack << 40 | offset) -> node, or a mark that it cannot be planned */
	uint32_t *hval;
	size_t hcap, hn;
	uint32_t *item_node; /* per item: its node, or UINT32_MAX (libgit2 reads it) */
};
typedef struct ls_git_packplan ls_git_packplan;
void ls_git_packplan_free(ls_git_packplan *pl);
/* Hands every blob of `repo`'s packs to `fn` (id, content), each delta tree depth first so
 * that each blob is built once from its base (source_git_unpack.c); a blob that cannot be
 * built so is left out (libgit2 reads it when it is needed). Returns how many were handed. */
int ls_git_packs_each_blob(git_repository *repo, void (*fn)(void *payload, const git_oid *id, const char *data, size_t len),
                           void *payload);
/* Pack `pack`'s mapped bytes (mapped while planning); NULL if unusable. */
const unsigned char *ls_git_packplan_map(const ls_git_packplan *pl, uint32_t pack, size_t *size);

/*
 * A reader thread's delta-tree cursor (source_git_unpack.c): the contents of the chain it
 * built last, so that the next object of the same delta tree is one inflate and one delta
 * away. Whatever it cannot do (a malformed entry, a bound) it leaves to libgit2.
 */
typedef struct ls_git_cursor ls_git_cursor;
ls_git_cursor *ls_git_cursor_new(void);
void ls_git_cursor_free(ls_git_cursor *c);
/* Builds node `node`'s content: 0 with *data, *len (NUL-terminated, as libgit2 gives content;
 * valid until the next call); 1 when it is
 * larger than `max` (*size set, nothing built); -1 when libgit2 must read it instead. */
int ls_git_cursor_read(ls_git_cursor *c, const ls_git_packplan *pl, uint32_t node, uint64_t max,
                       const unsigned char **data, size_t *len, uint64_t *size);

struct ls_git_repo {
	git_repository *repo;
	char *gitdir;
	int shallow;
	int from_env; /* opened like git does from $GIT_DIR, $GIT_INDEX_FILE, $GIT_OBJECT_DIRECTORY... */
};

enum { IT_BLOB, IT_COMMIT_MSG, IT_TAG_MSG, IT_UNREACHABLE, IT_STAGED };

typedef struct {
	git_oid id;
	uint32_t commit; /* index in commits, or NO_COMMIT */
	uint32_t path;   /* interned path (blobs), tag name (tags), or NO_PATH */
	uint8_t kind;
	uint8_t alternate; /* an object of an alternate (--all-objects); `path` is its directory */
} item;

typedef struct {
	git_oid id;
	git_oid tree;
} commit_ent;

/* A further place of an item's blob: another path, with the first commit holding it there. */
typedef struct {
	uint32_t item, commit, path;
} place;

struct ls_git_history {
	ls_git_repo *r;
	commit_ent *commits;
	size_t ncommits, ccap;
	item *items;
	size_t nitems, icap;
	omap seen;
	strtab paths;
	char **errors;
	size_t nerrors;
	ls_strlist notes;   /* not errors: what was left out on purpose, and why */
	omap shallow;
	size_t reached_shallow; /* walked commits on the shallow boundary (their parents are absent) */
	place *places;      /* in discovery order */
	size_t nplaces, pcap;
	uint32_t *pstart;   /* item i's places are pindex[pstart[i]..pstart[i+1]) (built at the end) */
	uint32_t *pindex;
	pairset pairs;      /* (tree, path) walked, (blob, path) listed beyond the first */
	size_t alias_budget; /* tree entries that may still be walked again at other paths */
	int alias_over;      /* the budget ran out (reported once) */
	size_t alias_err;    /* that report's index in errors + 1, or 0 */
	git_tree **last;     /* by directory path id: the tree walked there last (the walk's diff base) */
	size_t nlast;
	size_t last_bytes;   /* their estimated memory */
	size_t last_max;     /* the bound on it */
	char tips[65];      /* digest of every ref and HEAD ("" for ranges, branches, staged) */
	ls_git_packplan *plan; /* ls_git_history_read_order's, for the readers */
	const volatile int *stop;
};

/* Tree entries that may be walked again because their tree appeared at another path (renamed
 * or copied directories). A tree that holds the same subtree under many names would otherwise
 * make the number of paths grow exponentially with its depth. */
#define LS_GIT_ALIAS_BUDGET ((size_t)50 << 20)
/* The memory the walk's diff bases (the tree walked last at each directory) may take. */
#define LS_GIT_MAX_LAST_BYTES ((size_t)256 << 20)

/* A ref's target that is not a commit (a tree or a blob), or an annotated tag. */
typedef struct {
	git_oid id;
	int type;
	char *name;
} ls_git_target;

/* The tree walk of h's commits (source_git_walk.c): appends, commit by commit, its message
 * and the blobs it introduced (first paths as items, further paths as places), then what
 * `others` (trees and blobs refs point to) hold. Long histories are cut into parts walked on
 * up to o->threads threads; the result does not depend on the thread count. Returns 0 or
 * LS_ESTOP (o->stop). */
int ls_git_history_walk(ls_git_history *h, const ls_git_target *others, size_t nothers, const ls_git_history_options *o);
/* A blob at `path` (len bytes) of `commit`: a new item the first time the blob is seen, a
 * further place of its item when it is seen at a path it was not listed at before. */
void ls_git_history_note_blob(ls_git_history *h, const git_oid *id, uint32_t commit, const char *path, size_t len);
/* Frees the walk's diff bases. */
void ls_git_history_drop_last(ls_git_history *h);
/* Opens `r`'s repository again, the same way (for another thread), object size cap included.
 * Returns 0 or LS_EIO with a message. */
int ls_git_repo_reopen(const ls_git_repo *r, git_repository **out);

/* Records an enumeration error (one line; ls_git_history_error lists them). */
void ls_git_history_add_error(ls_git_history *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends an item; `path` is an interned path (blobs), tag name (tags), alternate (objects of
 * an alternate, `alternate` set) or NO_PATH. */
void ls_git_history_add(ls_git_history *h, const git_oid *id, int kind, uint32_t commit, uint32_t path);
/* --all-objects: appends the objects the walk did not reach, by id; those of alternates only
 * when `alternates` is set (labelled with their directory), otherwise counted in a note. */
void ls_git_history_add_unreachable(ls_git_history *h, int alternates);
/* An empty history of `r` (borrowed). */
ls_git_history *ls_git_history_alloc(ls_git_repo *r);
/* Appends an item with no commit (staged entries) at `path` (copied). */
void ls_git_history_add_item(ls_git_history *h, const git_oid *id, int kind, const char *path, size_t len);
/* Drops the items from index `n` on. */
void ls_git_history_truncate(ls_git_history *h, size_t n);

/*
 * Adds the index entries that differ from `head` (NULL: no commit yet) reading the index file
 * `index_path` and skipping the directories its cache-tree shows unchanged. Returns 0 (a
 * missing file stages nothing), or -1 with nothing added when the caller must use libgit2's
 * diff instead (split or sparse index, unknown version or required extension, malformed file).
 */
int ls_git_staged_fast(ls_git_history *h, git_repository *repo, const char *index_path, git_tree *head);

/* ls_git_staged_new with a choice of reader, for tests (tests/tools/staged_probe.c) to check
 * that both agree: AUTO reads the index file and falls back to libgit2's diff, FAST never
 * falls back (an error instead), DIFF always uses libgit2's diff. */
enum { LS_GIT_STAGED_AUTO = 0, LS_GIT_STAGED_FAST, LS_GIT_STAGED_DIFF };
int ls_git_staged_read(ls_git_history **out, ls_git_repo *r, int mode);

/* Every file under a tree that a caller wants, in tree order, each distinct tree listed
 * once (source_git_trees.c). `want` gets each non-tree, non-submodule entry (blobs, with
 * their mode: regular, executable, symlink) and returns a tag (>= 0) to list it under, -1
 * to leave it out, or LS_GIT_TREE_FAIL to fail the listing (its error set). */
#define LS_GIT_TREE_FAIL (-2)
typedef long long (*ls_git_tree_want)(void *payload, const git_oid *id, git_filemode_t mode);
typedef struct {
	char *path; /* relative to the listed tree */
	uint32_t tag;
} ls_git_tree_hit;
typedef struct {
	ls_git_tree_hit *v;
	size_t n;
} ls_git_tree_hits;
typedef struct ls_git_treelist ls_git_treelist;
/* `strict`: a tree that cannot be read, or nests too deep, fails the listing (LS_EIO with a
 * message); otherwise it lists as empty. */
ls_git_treelist *ls_git_treelist_new(git_repository *repo, int strict, ls_git_tree_want want, void *payload);
/* The listing of `tree` (owned by `tl`, valid until it is freed). Returns 0 or LS_EIO. */
int ls_git_treelist_get(ls_git_treelist *tl, const git_oid *tree, const ls_git_tree_hits **out);
void ls_git_treelist_free(ls_git_treelist *tl);

/* libgit2's last error message, or "unknown error". */
const char *ls_git_msg(void);

#endif
