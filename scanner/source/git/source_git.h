/* source_git: everything leakscan reads from git through libgit2. */
#ifndef LS_SOURCE_GIT_H
#define LS_SOURCE_GIT_H

#include <stddef.h>

/** Initialises libgit2 once per process (thread-safe, idempotent) and disables libgit2's owner
 * checks: leakscan only reads repositories and never runs anything from their configuration.
 * What a scan takes from a repository it did not name (an enclosing work tree's ignore rules,
 * index and .leakscan.yaml) is checked with ls_git_top_check instead. */
void ls_git_init(void);
/**
 * Re-hashes every object read and refuses one whose content does not match its id (off by
 * default: within one repository a forged object only changes what that repository holds).
 * `repos` turns it on, because it shares what it learned of a blob id between repositories:
 * a forged object in one must not vouch for another's blob. Process-wide; call before reading.
 */
void ls_git_verify_objects(int on);
/**
 * Checks, before libgit2 opens the repository that holds `path` (NULL: the current directory;
 * `from_env`: also $GIT_DIR, $GIT_INDEX_FILE, $GIT_OBJECT_DIRECTORY and
 * $GIT_ALTERNATE_OBJECT_DIRECTORIES), that every file libgit2 may read there is a regular file
 * or absent: HEAD, config and the files it includes or names (core.excludesFile), packed-refs,
 * refs, the index, objects (packs, loose, alternates, commit-graph), commondir. libgit2 blocks
 * for ever on a FIFO and reads /dev/zero until memory runs out. Returns 0, or LS_EINVAL with a
 * message naming the file. Reads nothing but those small files and directory listings.
 */
int ls_git_check_files(const char *path, int from_env);
/** Releases libgit2's global state (at exit). */
void ls_git_shutdown(void);

typedef struct ls_git_ignore ls_git_ignore;

/**
 * Whether the repository whose work tree top is `top` (it holds `.git`, a directory or a
 * file) is the user's own, as git decides before it trusts one (ensure_valid_ownership): the
 * top, the `.git` file if any and the git directory are owned by the effective uid (root
 * also accepts $SUDO_UID's), or safe.directory in the user's or system's git configuration
 * names it (or is `*`). Returns 0, or LS_ERR with a one-line message naming the repository
 * and its owner.
 */
int ls_git_top_check(const char *top);
/** ls_git_top_check for an opened repository's work tree (NULL when bare) and git directory. */
int ls_git_owner_check(const char *workdir, const char *gitdir);

/**
 * Prepares ignore checks for a walk rooted at `root` (a file or directory). Returns
 * LS_ENOTFOUND (no message) when `root` is not inside a git work tree, LS_EINVAL with a
 * message when the repository holds a file libgit2 would block on (ls_git_check_files),
 * LS_ERR with the message of ls_git_owner_check when that work tree is not the user's own
 * (its ignore rules and index are then not used: the caller walks a plain directory).
 */
int ls_git_ignore_open(ls_git_ignore **out, const char *root);
/**
 * Returns 1 if `path` (which starts with the walk root as given) is ignored by git and not
 * tracked, 0 otherwise, LS_EINVAL with a message if a .gitignore on the way is not a regular
 * file (then `ig` must not be used again). One thread at a time.
 */
int ls_git_ignore_check(ls_git_ignore *ig, const char *path, int is_dir);
void ls_git_ignore_free(ls_git_ignore *ig);

/* ---- history, commit ranges, staged index (source_git_history.c) ---- */

#include "search.h"

typedef struct ls_git_repo ls_git_repo;

/**
 * Opens the repository containing `path` (a work tree, a directory inside one, a bare
 * repository or a .git directory). `path` NULL: the current directory, honouring git's
 * environment as git does ($GIT_DIR, $GIT_WORK_TREE, $GIT_INDEX_FILE, $GIT_OBJECT_DIRECTORY,
 * $GIT_ALTERNATE_OBJECT_DIRECTORIES), so that a hook sees the temporary index or the
 * quarantined objects of the operation that runs it. Only reads: no index, lock or config
 * is ever written and nothing from the repository's configuration runs. Returns LS_ENOTFOUND
 * with a message when there is no repository. One thread at a time.
 */
int ls_git_repo_open(ls_git_repo **out, const char *path);
void ls_git_repo_free(ls_git_repo *r);
int ls_git_repo_is_shallow(const ls_git_repo *r);
/** Fills `out` with the digest ls_git_history_tips gives for a full walk, without walking:
 * for telling an unchanged repository cheaply. */
void ls_git_repo_tips(ls_git_repo *r, char out[65]);

typedef struct {
	const char *range;  /**< "A..B" or "A...B" (from their merge base): only blobs and messages
	                         the commits of the range introduced */
	const char *since;  /**< a revision (since..branch or HEAD) or a date (commits of the branch
	                         or HEAD committed since then), like range */
	const char *branch; /**< walk this branch only (a local or remote branch name, or a rev) */
	int all_objects;    /**< also unreachable blobs, dangling commits and tags of the ODB */
	const volatile int *stop; /**< optional: becoming non-zero interrupts the walk (LS_ESTOP) */
	/** with all_objects: also the unreachable objects of the alternates (objects/info/alternates),
	 * labelled with their directory; without it they are counted in a note (ls_git_history_note) */
	int alternates;
	/** threads that may walk trees (a long history is walked in parts by commit); 0 or 1: the
	 * calling thread only. The result is the same whatever the count. */
	int threads;
	/** the number of parts, for tests; 0: one per 2048 commits, at most 16 */
	int walk_parts;
} ls_git_history_options;

#define LS_GIT_HISTORY_OPTIONS_INIT {NULL, NULL, NULL, 0, NULL, 0, 0, 0}

/**
 * What a history scan reads: a list of items (blobs, commit messages, tag messages), each
 * once, in a stable order: commits in topological order from the roots (each commit's message,
 * then the blobs it introduced in tree order), then targets of refs that are not commits, then
 * annotated tag messages by tag name, then unreachable objects by id. A blob is one item
 * however many paths hold it; each further path is one of the item's places (see
 * ls_git_reader_places), so that matching runs once per blob and path-dependent decisions
 * run per path. Objects and paths are identified exactly (object ids, interned paths), never
 * by a hash of them. Immutable once built; readers on other threads share it.
 */
typedef struct ls_git_history ls_git_history;

/**
 * Enumerates the history of `repo` (borrowed; must outlive the history). Problems with single
 * objects (a missing tree, a corrupt commit, a tree nested deeper than 4096 levels) do not
 * stop it: they are recorded as errors (see ls_git_history_error). Returns 0, or a negative
 * code with a message when the walk could not start (bad --range or --branch), or LS_ESTOP
 * when `o->stop` became non-zero.
 */
int ls_git_history_new(ls_git_history **out, ls_git_repo *repo, const ls_git_history_options *o);
/**
 * What `git commit` would record: index entries that differ from HEAD (all entries when there
 * is no HEAD), read from the index's blobs. LS_EINVAL with a message in a bare repository.
 */
int ls_git_staged_new(ls_git_history **out, ls_git_repo *repo);
void ls_git_history_free(ls_git_history *h);
size_t ls_git_history_count(const ls_git_history *h);
size_t ls_git_history_commits(const ls_git_history *h);
/** How many walked commits lie on a shallow clone's boundary (their parents are not in the
 * clone): a range that reaches one was not scanned whole. */
size_t ls_git_history_reached_shallow(const ls_git_history *h);
size_t ls_git_history_nerrors(const ls_git_history *h);
/** The i-th enumeration error (borrowed), e.g. "object 1f2e...: cannot read tree 'src' at commit ab12...: ...". */
const char *ls_git_history_error(const ls_git_history *h, size_t i);
size_t ls_git_history_nnotes(const ls_git_history *h);
/** The i-th note (borrowed): not an error, what was left out on purpose, e.g. the objects of
 * an alternate under --all-objects. */
const char *ls_git_history_note(const ls_git_history *h, size_t i);
/** SHA-256 hex over every ref's name and target and HEAD (full walks; equal digests, same
 * refs), or "" for ranges, branches and the staged index. Borrowed. */
const char *ls_git_history_tips(const ls_git_history *h);
/** Item `idx`'s object id (a blob, a commit for its message, a tag for its message) in hex. */
void ls_git_history_item_id(const ls_git_history *h, size_t idx, char out[41]);
/** 1 if item `idx` is a commit or tag message. */
int ls_git_history_item_is_message(const ls_git_history *h, size_t idx);
/**
 * Fills `order` (count entries) with the item indexes in the order that reads fastest, and
 * `units` (count + 1 entries) with where each unit of that order starts; returns the number of
 * units (units[nunits] == count). A unit is one delta tree of a pack: its blobs depth first,
 * each built from its base's content by the reader that read the base, so a unit is best read
 * whole by one reader; units come in pack order, then messages and loose objects (a unit
 * each). Output order is the caller's business (findings are few: order them by item index
 * when emitting). Keeps the plan in `h`: readers use it from then on.
 */
size_t ls_git_history_read_order(ls_git_history *h, size_t *order, size_t *units);

/** A per-thread reader of history items: its own repository handle. */
typedef struct ls_git_reader ls_git_reader;

int ls_git_reader_new(ls_git_reader **out, const ls_git_history *h);
void ls_git_reader_free(ls_git_reader *r);

typedef struct {
	const char *data;  /**< the item's content, valid until the next read on this reader */
	size_t len;
	const char *path;  /**< path to show: the file's path, "<commit message>", "<tag message: NAME>" or "<unreachable blob ID12>" */
	long long size;    /**< the object's size */
	int too_large;     /**< larger than max_size: not read (data is NULL) */
	int is_path;       /**< `path` is a file's path in the repository (not a message label) */
} ls_git_content;

/**
 * Reads item `idx`. Returns 0, or LS_ENOTFOUND / LS_EIO with a message naming the object.
 * Objects larger than `max_size` are not inflated (too_large is set).
 */
int ls_git_reader_read(ls_git_reader *r, size_t idx, long long max_size, ls_git_content *out);

/**
 * Item `idx`'s places, as ls_search_blob takes them (search.h's one origin model): [0] is
 * where it was first found (a path, or the item's label such as "<commit message>", with
 * is_path 0), then every further path its blob appears at, in walk order; each with the
 * first commit holding it there (NULL for staged entries, refs to blobs and unreachable
 * objects) and the item's object id. Returns the count (at least 1); `*out` is valid until
 * the next call on this reader.
 */
size_t ls_git_reader_places(ls_git_reader *r, size_t idx, const ls_origin **out);

/**
 * Fills `out` (whose fields must be NULL) with the provenance of item `idx` at its place
 * `at` (0: where it was first found): the commit, its author, committer date (ISO 8601),
 * first message line and the blob id. Staged items have none. The strings are the caller's.
 */
void ls_git_reader_provenance(ls_git_reader *r, size_t idx, size_t at, ls_provenance *out);

/** A list of "commit:path" strings (owned by the list). */
typedef struct {
	char **v;
	size_t n;
} ls_git_paths;

/**
 * For --all-provenance: fills out[i] with every "commit:path" of the walked commits whose tree
 * holds the blob of item items[i] (in commit order). Walks every commit's tree again, each
 * distinct tree once. `out` has `n` zeroed entries; free them with ls_git_paths_dispose.
 */
int ls_git_history_all_paths(ls_git_history *h, const size_t *items, size_t n, ls_git_paths *out);
void ls_git_paths_dispose(ls_git_paths *p);

/* ---- policy files at a revision (source_git_policy.c) ---- */

/** 0 if `rev` names a commit (or tree) of `r`, else LS_EINVAL `'REV': not a revision of GITDIR`. */
int ls_git_rev_check(ls_git_repo *r, const char *rev);
/**
 * Reads the file `path` (relative to the top of the tree, normalised: no leading `/`, no `.`,
 * `..` or empty components; "." is the top) of revision `rev` from the object database, never
 * the work tree: a regular blob of at most `max` bytes into `out` (returns 0), or the names of
 * a directory's entries appended to `names` (returns 1). LS_EINVAL for a bad revision,
 * LS_ENOTFOUND for a missing path, LS_EIO for a symbolic link, a submodule, a larger blob
 * (its size is read from the header: it is never inflated) or an unreadable object. The
 * message states the problem only (except a bad revision's, which names it).
 */
int ls_git_rev_read(ls_git_repo *r, const char *rev, const char *path, size_t max, ls_buf *out, ls_strlist *names);

/** HEAD's tree (the default branch's tip, in a mirror), to ask what it holds. */
typedef struct ls_git_tip ls_git_tip;
/** LS_ENOTFOUND when the repository has no HEAD commit. Free with ls_git_tip_free. */
int ls_git_tip_open(ls_git_tip **out, ls_git_repo *r);
/** 1 if the tip holds blob `id` (40 hex) at `path`, else 0. */
int ls_git_tip_has(ls_git_tip *t, const char *path, const char *id);
void ls_git_tip_free(ls_git_tip *t);

/* ---- bulk scans: mirrors of clone URLs and the object walk (source_git_remote.c) ---- */

/** 1 if `spec` is a clone URL (https://, http://, ssh://, git://, file://, user@host:path). */
int ls_git_is_url(const char *spec);

/** How mirrors are made: the git program when it is installed (AUTO), always (PROGRAM), never. */
enum { LS_GIT_MIRROR_AUTO = 0, LS_GIT_MIRROR_PROGRAM, LS_GIT_MIRROR_LIBGIT2 };

/** 1 if a `git` program is on PATH. */
int ls_git_mirror_have_program(void);

/**
 * Makes `dir` a bare mirror of `url`: clones it (bare, mirror refspec: every ref under refs/) when `dir`
 * does not exist, through `dir`.tmp renamed into place, or fetches every ref with pruning
 * when it does.
 *
 * With the git program (`how`): `git clone --mirror` / `git fetch --prune` with hooks off
 * (core.hooksPath=/dev/null), no templates, no fsmonitor or gitProxy, protocols https, ssh,
 * git and file only (no ext::), no prompt (GIT_TERMINAL_PROMPT=0, empty askpass, a session of
 * its own without a terminal), and none of our GIT_DIR-like variables; the user's credential
 * helpers still answer. Credentials in `url` reach git through a credential helper for that
 * origin only, from its environment, never on its command line. With libgit2: credentials come from the SSH agent and `git credential fill` (the user's
 * helpers; never a prompt).
 *
 * `*stop` (optional) becoming non-zero aborts the transfer.
 * `*received` (optional) grows, atomically, by the bytes received (for a progress line).
 * Returns 0 or LS_EIO with a message naming the URL (its password masked). Thread-safe for
 * distinct `dir`s.
 */
int ls_git_mirror_update(const char *url, const char *dir, int how, const volatile int *stop, size_t *received);

/* ---- git secrets --scan-history (source_git_secrets.c) ---- */

/** How blobs are matched (the caller's matchers; called with raw blob content). */
typedef struct {
	/** Non-zero if some line of the blob may be an added or removed line `git log -G`
	 * matches (a superset is fine: ls_git_gs_candidates_from_log only narrows what to ask git). */
	int (*pickaxe)(void *payload, const char *data, size_t len);
	/** Appends ":LINE:TEXT\n" for each line `git grep -nwHEI` prints for the blob. */
	void (*grep)(void *payload, const char *data, size_t len, ls_buf *out);
	void *payload;
} ls_git_gs_matcher;

/** Matches each distinct blob and tree once across calls (memoised). One thread. */
typedef struct ls_git_gs ls_git_gs;

/** `repo` is borrowed and must outlive the result; `m` is copied. */
int ls_git_gs_new(ls_git_gs **out, ls_git_repo *repo, const ls_git_gs_matcher *m);
void ls_git_gs_free(ls_git_gs *gs);
/**
 * Preloads every blob of the repository's packs, read the way history is (each delta tree
 * of a pack depth first, each blob built once from its base); loose blobs and those of
 * alternates are read through libgit2 when needed. Returns how many were preloaded.
 */
size_t ls_git_gs_preload_packs(ls_git_gs *gs);
/**
 * Which commits `git log -G` might select (a superset; 0 means it cannot), from `git log --raw --no-abbrev --format=%H`
 * output (`log`, `len` bytes: each commit's id, then its ":MODE MODE OLD NEW STATUS\tPATH"
 * lines; merges have none): appends "ID\n" to `out` for each commit, in the log's order,
 * whose changed blobs (or gitlinks) have a pickaxe hit. Lines of any other shape are ignored.
 * Returns 0 or LS_EIO with a message (a blob that cannot be read).
 */
int ls_git_gs_candidates_from_log(ls_git_gs *gs, const char *log, size_t len, ls_buf *out);
/**
 * Appends what `git grep -nwHEI PATTERN COMMIT` prints, "COMMIT:PATH:LINE:TEXT\n" for each
 * matching line of each regular file of the commit's tree in tree order, to `out`.
 */
int ls_git_gs_grep(ls_git_gs *gs, const char *commit, ls_buf *out);

#endif
