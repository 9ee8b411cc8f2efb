/* hooks: install, uninstall and chain git hooks; git-secrets compatibility helpers. */
#ifndef LS_HOOKS_H
#define LS_HOOKS_H

#include <stddef.h>

#include "common.h"

/** The hooks leakscan manages (bit flags). */
typedef enum {
	LS_HOOK_PRE_COMMIT = 1,
	LS_HOOK_COMMIT_MSG = 2,
	LS_HOOK_PRE_PUSH = 4
} ls_hook_kind;

#define LS_HOOK_ALL (LS_HOOK_PRE_COMMIT | LS_HOOK_COMMIT_MSG | LS_HOOK_PRE_PUSH)

/** The marker line that identifies a hook written by leakscan. */
#define LS_HOOK_MARKER "# leakscan-managed-hook"
/** Suffix of a previous hook moved aside so that leakscan's hook can run it afterwards. */
#define LS_HOOK_CHAINED_SUFFIX ".leakscan-chained"
/** Suffix under which uninstall (or install --force) keeps leakscan's hook after it was edited. */
#define LS_HOOK_EDITED_SUFFIX ".leakscan-edited"
/** The line that holds a checksum of the hook as leakscan wrote it. */
#define LS_HOOK_SUM "# leakscan-hook-sum"

/** "pre-commit", "commit-msg", "pre-push". */
const char *ls_hook_name(ls_hook_kind kind);

typedef struct {
	/** Absolute path of the leakscan binary the hook runs (borrowed). */
	const char *leakscan_path;
	/** Replace a hook leakscan installed itself (never anyone else's). */
	int force;
	/** Hooks for a global core.hooksPath: also run the repository's own .git/hooks/<hook>. */
	int global;
} ls_hook_options;

#define LS_HOOK_OPTIONS_INIT {NULL, 0, 0}

/** The text of the hook script for `kind`. Caller frees it. */
char *ls_hook_script(ls_hook_kind kind, const ls_hook_options *opts);

/** Returns 1 if the file at `path` is a hook leakscan wrote (it holds the marker line). */
int ls_hook_is_ours(const char *path);

/**
 * Returns 0 if the hook at `path` is exactly as leakscan wrote it, 1 if it is not (its
 * checksum does not match, or it is not a regular file), 2 if it has no checksum line (an
 * older leakscan wrote it, or the line was edited away).
 */
int ls_hook_is_edited(const char *path);

/**
 * Installs the hook `kind` into the hooks directory `dir` (created if missing). A hook
 * already there that leakscan did not write is moved to `<hook>.leakscan-chained` and run
 * by leakscan's hook after the scan; if `<hook>.d/` exists the hook goes into it as
 * `<hook>.d/leakscan` instead; so is a directory, which uninstall puts back. With --force,
 * leakscan's hook is rewritten; if it was edited, the edited file is first kept as
 * `<hook>.leakscan-edited` (a note goes to `warn`). One line describing what was done is
 * appended to `msg`. Returns 0, or LS_EINVAL/LS_EIO with a message (nothing changed).
 */
int ls_hook_install(const char *dir, ls_hook_kind kind, const ls_hook_options *opts, ls_buf *msg, ls_buf *warn);

/**
 * Removes leakscan's hook `kind` from `dir` and puts back, byte for byte and with its mode,
 * the hook it had moved aside (also when leakscan's hook was deleted by hand). A hook
 * leakscan did not write is left alone. leakscan's hook edited since it was installed is
 * kept as `<hook>.leakscan-edited`, not removed. Appends one line to `msg`, and notes the
 * user should read (an edited hook kept, a previous hook left aside) to `warn`. Returns 0
 * or LS_EIO with a message.
 */
int ls_hook_uninstall(const char *dir, ls_hook_kind kind, ls_buf *msg, ls_buf *warn);

/** Appends one line describing the state of hook `kind` in `dir` to `msg`. */
void ls_hook_status(const char *dir, ls_hook_kind kind, ls_buf *msg);

/* ---- hook managers (hooks_managers.c) ---- */

/** Who runs a repository's hooks. */
typedef enum {
	LS_HOOKMGR_NONE,        /**< git itself, from the hooks directory */
	LS_HOOKMGR_HUSKY,       /**< husky: its scripts in .husky/ (core.hooksPath .husky/_ or .husky) */
	LS_HOOKMGR_PRE_COMMIT,  /**< the pre-commit framework (.pre-commit-config.yaml, its hook script) */
	LS_HOOKMGR_LEFTHOOK,    /**< lefthook (lefthook.yml, its hook script) */
	LS_HOOKMGR_GLOBAL_PATH  /**< core.hooksPath from the global or system config: every repository's */
} ls_hook_manager;

/**
 * Tells who runs the hooks of the repository whose top is `top` (NULL: bare) and whose hooks
 * git runs from `hooks_dir`; `hooks_path_scope` is where core.hooksPath is set ("local",
 * "global", "system"; NULL when unset). For husky, `*husky_dir` (allocated) is the
 * directory of its users' scripts.
 */
ls_hook_manager ls_hook_manager_detect(const char *top, const char *hooks_dir, const char *hooks_path_scope,
                                       char **husky_dir);
/** Appends to `out` the lines that run leakscan's hooks `kinds` under manager `m`
 * (.pre-commit-config.yaml's or lefthook.yml's; nothing for the others). */
void ls_hook_manager_snippet(ls_buf *out, ls_hook_manager m, int kinds);
/** Adds to husky's script for `kind` in `dir` (created if missing) a block that runs
 * `leakscan hook run <hook>`; one line to `msg`. Returns 0 or LS_EIO. */
int ls_hook_husky_add(const char *dir, ls_hook_kind kind, ls_buf *msg);
/** Removes that block (the script too when nothing else is in it). Returns 0 or LS_EIO. */
int ls_hook_husky_remove(const char *dir, ls_hook_kind kind, ls_buf *msg);
/** Whether husky's script for `kind` in `dir` holds leakscan's block. */
int ls_hook_husky_has(const char *dir, ls_hook_kind kind);

/**
 * Runs git with `argv` (argv[0] is "git"), capturing stdout into `out` (trailing newlines
 * removed unless `quiet & 2`) unless `out` is NULL; stderr is passed through unless
 * `quiet & 1`. Returns git's exit status (0..255), or -1 if git could not be run.
 */
int ls_hook_run_git(ls_buf *out, const char *const argv[], int quiet);

/**
 * Runs git like ls_hook_run_git, with `input` (len bytes) as its standard input. For
 * `git cat-file --batch` and the like: no deadlock whatever the sizes.
 */
int ls_hook_run_git_input(ls_buf *out, const char *const argv[], const char *input, size_t len, int quiet);

/* ---- what the hooks read: the commit message and pre-push's standard input ---- */

/** commit.cleanup, as git reads it. */
typedef enum {
	LS_HOOK_CLEANUP_DEFAULT,
	LS_HOOK_CLEANUP_VERBATIM,
	LS_HOOK_CLEANUP_WHITESPACE,
	LS_HOOK_CLEANUP_STRIP,
	LS_HOOK_CLEANUP_SCISSORS
} ls_hook_cleanup;

/**
 * Parses a commit.cleanup value (NULL: unset, "default"). An unknown value gives LS_EINVAL
 * with a message and `*out` = verbatim (git refuses to commit with it; nothing is removed).
 */
int ls_hook_cleanup_parse(const char *value, ls_hook_cleanup *out);

typedef struct {
	/** commit.cleanup. */
	ls_hook_cleanup cleanup;
	/** The comment string (core.commentChar), borrowed; NULL when unknown ("auto"). */
	const char *comment;
	/** 1 if git ran an editor on the message (the hook's GIT_EDITOR is not ":"). */
	int editor;
	/** 1 if commit.verbose is set: `git commit -v` cuts the message at its scissors line. */
	int verbose;
} ls_hook_msg_options;

#define LS_HOOK_MSG_OPTIONS_INIT {LS_HOOK_CLEANUP_DEFAULT, "#", 0, 0}

/**
 * Appends to `out` the commit message `msg` (len bytes, any bytes) as git will record it:
 * git's cleanup for the mode, comment string and editor in `o`. What git would remove only
 * under conditions the hook cannot see (`-v` or `--cleanup` on git's command line, an
 * unknown comment character) is kept, so that it is scanned. Thread-safe; never fails.
 */
void ls_hook_msg_cleanup(ls_buf *out, const char *msg, size_t len, const ls_hook_msg_options *o);

/** One line of pre-push's standard input. The refs point into the parsed text (borrowed). */
typedef struct {
	const char *local_ref;
	size_t local_ref_len;
	const char *remote_ref;
	size_t remote_ref_len;
	/** 40 or 64 lowercase hex digits, NUL-terminated. */
	char local_id[65];
	char remote_id[65];
	/** 1 if the local id is all zeros (the push deletes the remote ref). */
	int deleted;
	/** 1 if the remote id is all zeros (a new remote ref). */
	int remote_new;
} ls_hook_push_line;

/**
 * Parses one line (without its '\n') `<local ref> SP <local id> SP <remote ref> SP <remote id>`:
 * refs of printable non-space bytes, ids of 40 or 64 lowercase hex digits, both the same
 * length. Returns 0, or LS_EINVAL with a message and `*out` zeroed.
 */
int ls_hook_push_parse_line(ls_hook_push_line *out, const char *line, size_t len);

/**
 * Parses all of pre-push's standard input (lines ending in '\n', the last one may not) into
 * `*out` (caller frees; pointers into `input`) and `*count`. Any bad line fails it all:
 * LS_EINVAL with a message, `*out` NULL.
 */
int ls_hook_push_parse(ls_hook_push_line **out, size_t *count, const char *input, size_t len);

/**
 * The pre-push plan for pushing `input` (pre-push's standard input) to `remote` (the hook's
 * $1: a remote's name, or a URL). Runs git in the current directory. Appends one line per
 * scan to `out`: "tag <id> <local ref>" for the message of an annotated tag (and of each tag
 * it points to in turn), and "range <spec>
 * <remote ref>" for commits, `spec` being "B..<id>" or "<id>" (its whole history). Commits
 * known to be on the destination are left out: those reachable from a remote id of the
 * input that exists here and, when `remote` is a configured remote, from its remote-tracking
 * refs refs/remotes/<remote>/... A ref that points to a tree or a blob cannot be scanned
 * as commits: LS_EINVAL. Returns 0, or LS_EINVAL/LS_EIO with a message.
 */
int ls_hook_push_plan(ls_buf *out, const char *remote, const char *input, size_t len);

#endif
