/*
 * The git-secrets drop-in is three files: cmd_secrets.c (options, configuration, providers,
 * hook commands, plain grep), cmd_secrets_install.c (--install) and cmd_secrets_scan.c
 * (`git grep` and --scan-history over git's objects). This header is what they share;
 * nothing else includes it.
 */
#ifndef LS_CLI_SECRETS_H
#define LS_CLI_SECRETS_H

#include <stddef.h>

#include "common.h"
#include "ere.h"
#include "hooks.h"

/* A NULL-terminated, owned vector of owned strings. */
typedef struct {
	char **v;
	size_t n;
} strv;

/* The parsed command line. */
typedef struct {
	const char *command;
	int force, recursive, literal, global, allowed;
	int cached, no_index, untracked;
	strv args;
} gs_state;

/* Line matching of the prohibited patterns, for grep and git grep alike. */
typedef struct {
	ls_ere *ere;
	size_t binary_probe; /* bytes looked at for a NUL: 8000 for git grep, all for grep */
	ls_buf *output;
	int matched;
} grepper;

void gs_strv_push(strv *s, char *item);
void gs_strv_free(strv *s);
/* Splits text into lines (no trailing empty line for a final newline). */
void gs_split_lines(strv *out, const char *text, size_t len);

/* git ARGV... into `out`; the _quiet one drops git's stderr. Returns git's exit status. */
int gs_run_git(ls_buf *out, const char *const *argv);
int gs_run_git_quiet(ls_buf *out, const char *const *argv);
/* Where compiled ERE prefilters are kept between runs (leakscan's cache), or NULL. */
const char *gs_cache_dir(void);

/* Prints, then frees, the ERE translator's notes (NULL: none). */
void gs_put_notes(char *notes);
/* The prohibited patterns: secrets.patterns and every provider's output. */
void gs_load_patterns(strv *out);
/* Appends PREFIX:LINE:TEXT for each matching line of `buf`. */
void gs_grep_buffer(grepper *g, const char *prefix, const char *buf, size_t len);
/* process_output: 0 clean, 1 prohibited lines printed, other: exit with that status. */
int gs_process_output(int status, ls_buf *output);

/* `die`: the message on stderr; returns 1 (the exit status). */
int gs_die(const char *msg);
/* --install [DIR]: the three hooks, each refusing to overwrite without -f. In
 * cmd_secrets_install.c. */
int gs_install(gs_state *st);

/* git_grep: `git grep` over the files given (or the whole tree), its output into `output`;
 * returns grep's status (0 found, 1 none, other: failure). In cmd_secrets_scan.c. */
int gs_git_grep(gs_state *st, char **files, size_t nfiles, ls_buf *output);
/* scan_history: the --scan-history of the script. In cmd_secrets_scan.c. */
int gs_scan_history(gs_state *st);

#endif
