/*
 * git-secrets: leakscan installed (or linked) under the name `git-secrets` behaves like
 * awslabs' git-secrets 1.3 from the command line: same options, messages, configuration
 * (secrets.patterns/allowed/providers in git config, .gitallowed), output and exit codes.
 * The script's logic is followed step by step; comments name its functions. Known bugs of
 * the script are not copied: patterns are read one per line (no word splitting or glob
 * expansion). --scan-history without a matching commit greps the work tree, as the script
 * does (what is staged but not committed is scanned).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "common.h"
#include "hooks.h"
#include "source_git.h"
#include "secrets.h"

static const char gs_usage[] =
    "usage: git secrets --scan [-r|--recursive] [--cached] [--no-index] [--untracked] [<files>...]\n"
    "   or: git secrets --scan-history\n"
    "   or: git secrets --install [-f|--force] [<target-directory>]\n"
    "   or: git secrets --list [--global]\n"
    "   or: git secrets --add [-a|--allowed] [-l|--literal] [--global] <pattern>\n"
    "   or: git secrets --add-provider [--global] <command> [arguments...]\n"
    "   or: git secrets --register-aws [--global]\n"
    "   or: git secrets --aws-provider [<credentials-file>]\n"
    "\n"
    "    --scan                Scans <files> for prohibited patterns\n"
    "    --scan-history        Scans repo for prohibited patterns\n"
    "    --install             Installs git hooks for Git repository or Git template directory\n"
    "    --list                Lists secret patterns\n"
    "    --add                 Adds a prohibited or allowed pattern, ensuring to de-dupe with existing patterns\n"
    "    --add-provider        Adds a secret provider that when called outputs secret patterns on new lines\n"
    "    --aws-provider        Secret provider that outputs credentials found in an ini file\n"
    "    --register-aws        Adds common AWS patterns to the git config and scans for ~/.aws/credentials\n"
    "    -r, --recursive       --scan scans directories recursively\n"
    "    --cached              --scan scans searches blobs registered in the index file\n"
    "    --no-index            --scan searches files in the current directory that is not managed by Git\n"
    "    --untracked           In addition to searching in the tracked files in the working tree, --scan also in untracked files\n"
    "    -f, --force           --install overwrites hooks if the hook already exists\n"
    "    -l, --literal         --add and --add-allowed patterns are escaped so that they are literal\n"
    "    -a, --allowed         --add adds an allowed pattern instead of a prohibited pattern\n"
    "    --global              Uses the --global git config\n"
    "\n";

/* The OPTIONS_SPEC of the script, as `git rev-parse --parseopt` reads it. */
static const struct {
	const char *name;
	char short_name;
} gs_opts[] = {
    {"scan", 0}, {"scan-history", 0}, {"install", 0}, {"list", 0}, {"add", 0},
    {"add-provider", 0}, {"aws-provider", 0}, {"register-aws", 0}, {"recursive", 'r'},
    {"cached", 0}, {"no-index", 0}, {"untracked", 0}, {"force", 'f'}, {"literal", 'l'},
    {"allowed", 'a'}, {"global", 0}, {"commit_msg_hook", 0}, {"pre_commit_hook", 0},
    {"prepare_commit_msg_hook", 0},
};
#define GS_NOPTS (sizeof(gs_opts) / sizeof(gs_opts[0]))


void gs_strv_push(strv *s, char *item)
{
	s->v = ls_xrealloc(s->v, (s->n + 2) * sizeof(char *));
	s->v[s->n++] = item;
	s->v[s->n] = NULL;
}

void gs_strv_free(strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* Splits text into lines (no trailing empty line for a final newline). */
void gs_split_lines(strv *out, const char *text, size_t len)
{
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || text[i] == '\n') {
			if (i == len && i == start)
				break;
			gs_strv_push(out, ls_xstrndup(text + start, i - start));
			start = i + 1;
		}
	}
}


int gs_run_git(ls_buf *out, const char *const *argv) { return ls_hook_run_git(out, argv, 0); }
int gs_run_git_quiet(ls_buf *out, const char *const *argv) { return ls_hook_run_git(out, argv, 1); }

/* ---- git rev-parse --parseopt ---- */

static int parse_error(char *msg)
{
	fprintf(stderr, "error: %s\n", msg);
	fputs(gs_usage, stderr);
	free(msg);
	return 129;
}

/* Normalises argv like parseopt: options (long, short letters split) first, then "--", then
 * the other arguments. Returns 0, or the exit code after printing usage/errors. */
static int parseopt(int argc, char **argv, strv *opts, strv *args)
{
	int dashdash = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (dashdash || a[0] != '-' || !a[1]) {
			gs_strv_push(args, ls_xstrdup(a));
			continue;
		}
		if (!strcmp(a, "--")) {
			dashdash = 1;
			continue;
		}
		if (a[1] != '-') {
			for (const char *p = a + 1; *p; p++) {
				if (*p == 'h') {
					fputs(gs_usage, stdout);
					return 129;
				}
				size_t k;
				for (k = 0; k < GS_NOPTS; k++)
					if (gs_opts[k].short_name == *p)
						break;
				if (k == GS_NOPTS) {
					return parse_error(ls_xasprintf("unknown switch `%c'", *p));
				}
				gs_strv_push(opts, ls_xasprintf("-%c", *p));
			}
			continue;
		}
		const char *name = a + 2;
		if (!strcmp(name, "help") || !strcmp(name, "help-all")) {
			fputs(gs_usage, stdout);
			return 129;
		}
		const char *eq = strchr(name, '=');
		size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
		int found = -1, ambiguous = -1, exact = 0, neg = 0;
		for (size_t k = 0; k < GS_NOPTS; k++) {
			if (strlen(gs_opts[k].name) == nlen && !strncmp(gs_opts[k].name, name, nlen)) {
				found = (int)k;
				exact = 1;
				break;
			}
		}
		if (!exact && nlen > 3 && !strncmp(name, "no-", 3)) {
			for (size_t k = 0; k < GS_NOPTS; k++)
				if (strlen(gs_opts[k].name) == nlen - 3 && !strncmp(gs_opts[k].name, name + 3, nlen - 3)) {
					found = (int)k;
					exact = neg = 1;
				}
		}
		if (!exact) {
			for (size_t k = 0; k < GS_NOPTS; k++) {
				if (!strncmp(gs_opts[k].name, name, nlen)) {
					if (found >= 0 && ambiguous < 0)
						ambiguous = (int)k;
					else if (found < 0)
						found = (int)k;
				}
			}
		}
		if (ambiguous >= 0) {
			char *what = ls_xstrndup(name, nlen);
			char *alts = ls_xasprintf("--%s or --%s", gs_opts[found].name, gs_opts[ambiguous].name);
			fprintf(stderr, "error: ambiguous option: %s (could be %s)\n", what, alts);
			fputs(gs_usage, stdout);
			free(what);
			free(alts);
			return 129;
		}
		if (found < 0) {
			return parse_error(ls_xasprintf("unknown option `%.*s'", (int)nlen, name));
		}
		if (eq) {
			fprintf(stderr, "error: option `%s' takes no value\n", gs_opts[found].name);
			return 129;
		}
		if (neg)
			gs_strv_push(opts, ls_xasprintf("--no-%s", gs_opts[found].name));
		else if (gs_opts[found].short_name)
			gs_strv_push(opts, ls_xasprintf("-%c", gs_opts[found].short_name));
		else
			gs_strv_push(opts, ls_xasprintf("--%s", gs_opts[found].name));
	}
	return 0;
}

int gs_die(const char *msg)
{
	fprintf(stderr, "%s\n", msg);
	return 1;
}

/* ---- configuration ---- */

/*
 * The three keys a hook reads come from one `git config -z --get-regexp` rather than three
 * `git config --get-all` (each git process costs a few ms of a pre-commit hook). cached[k]
 * holds what `--get-all` would print; the cache is dropped whenever this process writes.
 */
static const char *const cached_keys[] = {"secrets.patterns", "secrets.providers", "secrets.allowed"};
static ls_buf cached[3];
static int cache_loaded;

static void config_cache_drop(void)
{
	for (size_t k = 0; k < 3; k++)
		ls_buf_dispose(&cached[k]);
	cache_loaded = 0;
}

static void config_cache_load(void)
{
	ls_buf b = LS_BUF_INIT;
	const char *argv[] = {"git", "config", "-z", "--get-regexp", "^secrets\\.(patterns|providers|allowed)$", NULL};
	ls_hook_run_git(&b, argv, 3); /* entries "key\nvalue\0" ("key\0" without a value) */
	for (size_t i = 0; i < b.len;) {
		const char *e = b.ptr + i, *end = memchr(e, '\0', b.len - i);
		size_t elen = end ? (size_t)(end - e) : b.len - i;
		const char *nl = memchr(e, '\n', elen);
		size_t klen = nl ? (size_t)(nl - e) : elen;
		for (size_t k = 0; k < 3; k++) {
			if (strlen(cached_keys[k]) != klen || strncmp(cached_keys[k], e, klen))
				continue;
			if (nl)
				ls_buf_put(&cached[k], nl + 1, elen - klen - 1);
			ls_buf_putc(&cached[k], '\n');
		}
		i += elen + 1;
	}
	ls_buf_dispose(&b);
	cache_loaded = 1;
}

/* git config [--global] --get-all KEY, as lines */
static void config_get_all(strv *out, const char *key, int global)
{
	for (size_t k = 0; k < 3 && !global; k++) {
		if (strcmp(key, cached_keys[k]))
			continue;
		if (!cache_loaded)
			config_cache_load();
		size_t len = cached[k].len;
		while (len > 0 && cached[k].ptr[len - 1] == '\n') /* as ls_hook_run_git trims */
			len--;
		gs_split_lines(out, len ? cached[k].ptr : "", len);
		return;
	}
	ls_buf b = LS_BUF_INIT;
	const char *g[] = {"git", "config", "--global", "--get-all", key, NULL};
	const char *l[] = {"git", "config", "--get-all", key, NULL};
	gs_run_git_quiet(&b, global ? g : l);
	gs_split_lines(out, b.ptr ? b.ptr : "", b.len);
	ls_buf_dispose(&b);
}

/* add_config: de-dupes with `grep -Fq VALUE` (any line holding any line of VALUE) */
static int add_config(gs_state *st, const char *key, const char *value)
{
	char *v;
	if (st->literal) {
		/* sed 's/[\.|$(){}?+*^]/\\&/g' on each line */
		strv lines = {0};
		ls_buf b = LS_BUF_INIT;
		ls_buf_puts(&b, "");
		gs_split_lines(&lines, value, strlen(value));
		for (size_t i = 0; i < lines.n; i++) {
			char *e = ls_ere_literal(lines.v[i]);
			ls_buf_printf(&b, "%s%s", i ? "\n" : "", e);
			free(e);
		}
		gs_strv_free(&lines);
		v = ls_buf_detach(&b);
	} else {
		v = ls_xstrdup(value);
	}
	strv have = {0}, needles = {0};
	config_get_all(&have, key, st->global);
	gs_split_lines(&needles, v, strlen(v));
	int dup = 0;
	for (size_t i = 0; i < have.n && !dup; i++) {
		if (!needles.n)
			dup = 1;
		for (size_t j = 0; j < needles.n && !dup; j++)
			if (strstr(have.v[i], needles.v[j]))
				dup = 1;
	}
	gs_strv_free(&have);
	gs_strv_free(&needles);
	int rc = 1;
	if (!dup) {
		const char *g[] = {"git", "config", "--global", "--add", key, v, NULL};
		const char *l[] = {"git", "config", "--add", key, v, NULL};
		rc = gs_run_git(NULL, st->global ? g : l);
		if (rc < 0)
			rc = 127;
		config_cache_drop();
	}
	free(v);
	return rc;
}

const char *gs_cache_dir(void)
{
	ls_cli_options o;
	ls_cli_options_init(&o);
	return ls_cli_cache_dir(&o); /* a static buffer or the environment: outlives `o` */
}

/* Prints what ls_ere_new() noted about the patterns (as grep would warn) and frees it. */
void gs_put_notes(char *notes)
{
	if (notes)
		fputs(notes, stderr);
	free(notes);
}

static void aws_provider_lines(ls_buf *out, const char *file);

/*
 * Runs a provider command (split on blanks) and returns its output without \r.
 * `git secrets --aws-provider [FILE]`, the provider --register-aws adds, is answered here:
 * starting the bash script for it cost the pre-commit hook over 100 ms.
 */
static void run_provider(ls_buf *out, const char *cmd)
{
	strv words = {0};
	const char *p = cmd;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		const char *s = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		gs_strv_push(&words, ls_xstrndup(s, (size_t)(p - s)));
	}
	if (!words.n)
		return;
	if ((words.n == 3 || words.n == 4) && !strcmp(words.v[0], "git") && !strcmp(words.v[1], "secrets") &&
	    !strcmp(words.v[2], "--aws-provider")) {
		aws_provider_lines(out, words.n == 4 ? words.v[3] : NULL);
		gs_strv_free(&words);
		return;
	}
	int pfd[2];
	if (pipe(pfd) < 0) {
		gs_strv_free(&words);
		return;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		dup2(pfd[1], 1);
		close(pfd[1]);
		execvp(words.v[0], words.v);
		fprintf(stderr, "%s: line 1: %s: command not found\n", "git-secrets", words.v[0]);
		_exit(127);
	}
	close(pfd[1]);
	char buf[4096];
	ssize_t n;
	while ((n = read(pfd[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != '\r')
				ls_buf_putc(out, buf[i]);
	close(pfd[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	gs_strv_free(&words);
}

/* gs_load_patterns: secrets.patterns, then each provider's output lines */
void gs_load_patterns(strv *out)
{
	strv raw = {0}, providers = {0};
	config_get_all(&raw, "secrets.patterns", 0);
	config_get_all(&providers, "secrets.providers", 0);
	for (size_t i = 0; i < providers.n; i++) {
		ls_buf b = LS_BUF_INIT;
		run_provider(&b, providers.v[i]);
		while (b.len && b.ptr[b.len - 1] == '\n')
			b.ptr[--b.len] = '\0';
		if (b.len)
			gs_split_lines(&raw, b.ptr, b.len);
		ls_buf_dispose(&b);
	}
	gs_strv_free(&providers);
	/* one pattern per non-empty line (the script's word splitting is a known bug) */
	for (size_t i = 0; i < raw.n; i++) {
		if (raw.v[i][0])
			gs_strv_push(out, raw.v[i]);
		else
			free(raw.v[i]);
	}
	free(raw.v);
}

/* load_allowed: secrets.allowed, then .gitallowed at the top of the work tree */
static void load_allowed(strv *out)
{
	config_get_all(out, "secrets.allowed", 0);
	ls_buf top = LS_BUF_INIT;
	const char *argv[] = {"git", "rev-parse", "--show-toplevel", NULL};
	gs_run_git(&top, argv);
	char *path = ls_xasprintf("%s/.gitallowed", top.ptr ? top.ptr : "");
	ls_buf f = LS_BUF_INIT;
	if (access(path, F_OK) == 0 && ls_read_file(&f, path) == 0) {
		strv lines = {0};
		gs_split_lines(&lines, f.ptr, f.len);
		for (size_t i = 0; i < lines.n; i++) {
			/* awk 'NF && $1!~/^#/' */
			const char *p = lines.v[i];
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p && *p != '#')
				gs_strv_push(out, lines.v[i]);
			else
				free(lines.v[i]);
		}
		free(lines.v);
	}
	ls_buf_dispose(&f);
	free(path);
	ls_buf_dispose(&top);
}

/* ---- grep ---- */


/* Appends PREFIX:LINE:TEXT for each matching line of `buf`. */
void gs_grep_buffer(grepper *g, const char *prefix, const char *buf, size_t len)
{
	size_t probe = len < g->binary_probe ? len : g->binary_probe;
	if (memchr(buf, '\0', probe) || !ls_ere_may_match(g->ere, buf, len))
		return;
	size_t lineno = 0;
	for (size_t start = 0; start < len;) {
		const char *nl = memchr(buf + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - buf) : len;
		lineno++;
		if (ls_ere_match_line(g->ere, buf + start, end - start)) {
			ls_buf_printf(g->output, "%s:%zu:", prefix, lineno);
			ls_buf_put(g->output, buf + start, end - start);
			ls_buf_putc(g->output, '\n');
			g->matched = 1;
		}
		start = end + 1;
	}
}

/* grep -d skip|recurse on one operand; returns 1 on an error (message printed). */
static int grep_path(grepper *g, const char *path, int recurse, int top)
{
	struct stat st;
	if ((top ? stat(path, &st) : lstat(path, &st)) < 0) {
		fprintf(stderr, "grep: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (S_ISDIR(st.st_mode)) {
		if (!recurse)
			return 0;
		DIR *d = opendir(path);
		if (!d) {
			fprintf(stderr, "grep: %s: %s\n", path, strerror(errno));
			return 1;
		}
		strv names = {0};
		struct dirent *de;
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				gs_strv_push(&names, ls_xstrdup(de->d_name));
		closedir(d);
		/* in the order the directory lists them, as grep -r (fts without a comparison) */
		int err = 0;
		size_t plen = strlen(path);
		for (size_t i = 0; i < names.n; i++) {
			char *child = ls_xasprintf("%s%s%s", path, plen && path[plen - 1] == '/' ? "" : "/", names.v[i]);
			err |= grep_path(g, child, recurse, 0);
			free(child);
		}
		gs_strv_free(&names);
		return err;
	}
	if (!S_ISREG(st.st_mode))
		return 0;
	ls_buf b = LS_BUF_INIT;
	int rc = ls_read_file(&b, path);
	if (rc < 0) {
		fprintf(stderr, "grep: %s: %s\n", path, strerror(errno ? errno : EIO));
		ls_buf_dispose(&b);
		return 1;
	}
	gs_grep_buffer(g, path, b.ptr ? b.ptr : "", b.len);
	ls_buf_dispose(&b);
	return 0;
}

/* regular_grep: GREP_OPTIONS= LC_ALL=C grep -d ACTION -nwHEI PATTERNS FILES...
 * Returns grep's status: 0 matched, 1 none, 2 error. `stdin_text` replaces stdin for "-". */
static int regular_grep(gs_state *st, char **files, size_t nfiles, ls_buf *output, const ls_buf *stdin_text)
{
	strv patterns = {0};
	gs_load_patterns(&patterns);
	if (!patterns.n)
		return 1;
	ls_ere *ere = NULL;
	char *fallback = NULL;
	if (ls_ere_new_cached(&ere, (const char *const *)patterns.v, patterns.n, LS_ERE_GREP_WORDS,
			      gs_cache_dir(), &fallback) < 0) {
		fprintf(stderr, "grep: %s\n", ls_error_last());
		gs_strv_free(&patterns);
		return 2;
	}
	gs_put_notes(fallback);
	/* grep -I: a NUL anywhere makes the file binary, so "no match" (a NUL found past its first
	 * buffer still lets grep print the lines before it, but the status is 1 and the script
	 * then drops the output: the same outcome for a single file) */
	grepper g = {ere, (size_t)-1, output, 0};
	int err = 0;
	for (size_t i = 0; i < nfiles; i++) {
		if (!strcmp(files[i], "-")) {
			ls_buf in = LS_BUF_INIT;
			if (stdin_text)
				ls_buf_put(&in, stdin_text->ptr ? stdin_text->ptr : "", stdin_text->len);
			else if (ls_read_file(&in, "/dev/stdin") < 0)
				err = 1;
			gs_grep_buffer(&g, "(standard input)", in.ptr ? in.ptr : "", in.len);
			ls_buf_dispose(&in);
			continue;
		}
		err |= grep_path(&g, files[i], st->recursive, 1);
	}
	ls_ere_free(ere);
	gs_strv_free(&patterns);
	return err ? 2 : g.matched ? 0 : 1;
}

/* gs_process_output: 0 clean, 1 prohibited lines printed, other: exit with that status */
int gs_process_output(int status, ls_buf *output)
{
	strv allowed = {0};
	load_allowed(&allowed);
	if (status != 0) {
		gs_strv_free(&allowed);
		return status == 1 ? 0 : -status;
	}
	while (output->len && output->ptr[output->len - 1] == '\n')
		output->ptr[--output->len] = '\0';
	if (!allowed.n) {
		fprintf(stderr, "%s\n", output->ptr ? output->ptr : "");
		return 1;
	}
	ls_ere *ere = NULL;
	char *fallback = NULL;
	int rc = 0;
	if (ls_ere_new_cached(&ere, (const char *const *)allowed.v, allowed.n, LS_ERE_GREP,
			      gs_cache_dir(), &fallback) < 0) {
		/* grep -Ev fails: the script takes that as "nothing left" */
		fprintf(stderr, "grep: %s\n", ls_error_last());
		gs_strv_free(&allowed);
		return 0;
	}
	gs_put_notes(fallback);
	strv lines = {0};
	gs_split_lines(&lines, output->ptr ? output->ptr : "", output->len);
	if (!lines.n)
		gs_strv_push(&lines, ls_xstrdup(""));
	for (size_t i = 0; i < lines.n; i++) {
		if (!ls_ere_match_line(ere, lines.v[i], strlen(lines.v[i]))) {
			fprintf(stderr, "%s\n", lines.v[i]);
			rc = 1;
		}
	}
	gs_strv_free(&lines);
	ls_ere_free(ere);
	gs_strv_free(&allowed);
	return rc;
}

/* scan: git grep without files or with git options, grep otherwise */
static int scan(gs_state *st, char **files, size_t nfiles, const ls_buf *stdin_text)
{
	ls_buf output = LS_BUF_INIT;
	int status;
	if (!nfiles || st->cached || st->untracked || st->no_index)
		status = gs_git_grep(st, files, nfiles, &output);
	else
		status = regular_grep(st, files, nfiles, &output, stdin_text);
	int rc = gs_process_output(status, &output);
	ls_buf_dispose(&output);
	return rc;
}

/* scan_with_fn_or_die */
static int or_die(int rc)
{
	if (rc == 0)
		return 0;
	if (rc < 0)
		return -rc;
	fputs("\n"
	      "[ERROR] Matched one or more prohibited patterns\n"
	      "\n"
	      "Possible mitigations:\n"
	      "- Mark false positives as allowed using: git config --add secrets.allowed ...\n"
	      "- Mark false positives as allowed by adding regular expressions to .gitallowed at repository's root directory\n"
	      "- List your configured patterns: git config --get-all secrets.patterns\n"
	      "- List your configured allowed patterns: git config --get-all secrets.allowed\n"
	      "- List your configured allowed patterns in .gitallowed at repository's root directory\n"
	      "- Use --no-verify if this is a one-time false positive\n",
	      stderr);
	return 1;
}

/* pre_commit_hook: the index's added/copied/modified/unmerged files, --cached */
static int pre_commit_hook(gs_state *st)
{
	st->cached = 1;
	const char *rev = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
	const char *verify[] = {"git", "rev-parse", "--verify", "HEAD", NULL};
	if (gs_run_git_quiet(NULL, verify) == 0)
		rev = "HEAD";
	ls_buf b = LS_BUF_INIT;
	const char *diff[] = {"git", "diff-index", "--diff-filter", "ACMU", "--name-only", "--cached", rev, "--", NULL};
	gs_run_git(&b, diff);
	strv files = {0};
	gs_split_lines(&files, b.ptr ? b.ptr : "", b.len);
	ls_buf_dispose(&b);
	strv nonempty = {0};
	for (size_t i = 0; i < files.n; i++)
		if (files.v[i][0])
			gs_strv_push(&nonempty, ls_xstrdup(files.v[i]));
	gs_strv_free(&files);
	int rc = or_die(scan(st, nonempty.v, nonempty.n, NULL));
	gs_strv_free(&nonempty);
	return rc;
}

/* prepare_commit_msg_hook: on a merge, scans the patches the merge brings in */
static int prepare_commit_msg_hook(gs_state *st, char **args, size_t n)
{
	const char *a2 = n > 1 ? args[1] : "", *a3 = n > 2 ? args[2] : "";
	if (strcmp(a2, "merge") || *a3)
		return 0;
	extern char **environ;
	const char *sha = "";
	for (char **e = environ; *e; e++) {
		if (strstr(*e, "GITHEAD")) {
			const char *eq = strrchr(*e, '=');
			sha = eq ? eq + 1 : *e;
			break;
		}
	}
	ls_buf branch = LS_BUF_INIT, log = LS_BUF_INIT;
	const char *sym[] = {"git", "symbolic-ref", "HEAD", NULL};
	gs_run_git(&branch, sym);
	const char *dest = branch.ptr ? branch.ptr : "";
	if (!strncmp(dest, "refs/heads/", 11))
		dest += 11;
	char *range = ls_xasprintf("%s..%s", dest, sha);
	const char *logv[] = {"git", "log", range, "-p", NULL};
	gs_run_git(&log, logv);
	ls_buf_putc(&log, '\n');
	static char dash[] = "-";
	char *files[] = {dash};
	int rc = or_die(scan(st, files, 1, &log));
	free(range);
	ls_buf_dispose(&branch);
	ls_buf_dispose(&log);
	return rc;
}

static int register_aws(gs_state *st)
{
	const char *aws = "(AWS|aws|Aws)?_?", *opt_quote = "(\"|')?", *connect = "\\s*(:|=>|=)\\s*";
	char *secret = ls_xasprintf("%s%s(SECRET|secret|Secret)?_?(ACCESS|access|Access)?_?(KEY|key|Key)%s%s%s[A-Za-z0-9/\\+=]{40}%s",
	                            opt_quote, aws, opt_quote, connect, opt_quote, opt_quote);
	char *account = ls_xasprintf("%s%s(ACCOUNT|account|Account)_?(ID|id|Id)?%s%s%s[0-9]{4}\\-?[0-9]{4}\\-?[0-9]{4}%s",
	                             opt_quote, aws, opt_quote, connect, opt_quote, opt_quote);
	add_config(st, "secrets.providers", "git secrets --aws-provider");
	add_config(st, "secrets.patterns", "(A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16}");
	add_config(st, "secrets.patterns", "ABSK[A-Za-z0-9+/]{109,}=*");
	add_config(st, "secrets.patterns", "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t");
	add_config(st, "secrets.patterns", secret);
	add_config(st, "secrets.patterns", account);
	add_config(st, "secrets.allowed", "AKIAIOSFODNN7EXAMPLE");
	if (add_config(st, "secrets.allowed", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") == 0)
		printf("OK\n");
	free(secret);
	free(account);
	return 0;
}

/* aws_provider_lines: the aws_access_key_id / aws_secret_access_key values of an ini file,
 * escaped, one per line (what git-secrets' --aws-provider prints) */
static void aws_provider_lines(ls_buf *out, const char *file)
{
	char *path = file && *file ? ls_xstrdup(file) : ls_xasprintf("%s/.aws/credentials", getenv("HOME") ? getenv("HOME") : "");
	struct stat sb;
	ls_buf b = LS_BUF_INIT;
	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && ls_read_file(&b, path) == 0) {
		strv lines = {0};
		gs_split_lines(&lines, b.ptr, b.len);
		for (size_t i = 0; i < lines.n; i++) {
			const char *l = lines.v[i];
			if (!strstr(l, "aws_access_key_id") && !strstr(l, "aws_secret_access_key"))
				continue;
			/* awk -F= '{print $2}' | tr -d ' "' | sed 's/[]\.|$(){}?+*^]/\\&/g' */
			const char *f = strchr(l, '=');
			if (f)
				for (const char *p = f + 1; *p && *p != '='; p++) {
					if (*p == ' ' || *p == '"')
						continue;
					if (strchr("]\\.|$(){}?+*^", *p))
						ls_buf_putc(out, '\\');
					ls_buf_putc(out, *p);
				}
			ls_buf_putc(out, '\n');
		}
		gs_strv_free(&lines);
	}
	ls_buf_dispose(&b);
	free(path);
}

static int aws_provider(const char *file)
{
	ls_buf o = LS_BUF_INIT;
	aws_provider_lines(&o, file);
	if (o.len)
		fwrite(o.ptr, 1, o.len, stdout);
	ls_buf_dispose(&o);
	return 0;
}

int cmd_secrets(int argc, char **argv)
{
	strv opts = {0};
	gs_state st;
	memset(&st, 0, sizeof(st));
	int rc = parseopt(argc, argv, &opts, &st.args);
	if (rc)
		goto done;
	fflush(stdout);
	st.command = opts.n ? opts.v[0] : "--";
	/* the option loop: each option checked against the command, in order */
	for (size_t i = 1; i < opts.n; i++) {
		const char *o = opts.v[i], *need = NULL, *what = NULL;
		if (!strcmp(o, "-f"))
			need = "--install", what = "-f|--force", st.force = 1;
		else if (!strcmp(o, "-r"))
			need = "--scan", what = "-r|--recursive", st.recursive = 1;
		else if (!strcmp(o, "-a"))
			need = "--add", what = "-a|--allowed", st.allowed = 1;
		else if (!strcmp(o, "-l"))
			need = "--add", what = "-l|--literal", st.literal = 1;
		else if (!strcmp(o, "--cached"))
			need = "--scan", what = "--cached", st.cached = 1;
		else if (!strcmp(o, "--no-index"))
			need = "--scan", what = "--no-index", st.no_index = 1;
		else if (!strcmp(o, "--untracked"))
			need = "--scan", what = "--untracked", st.untracked = 1;
		else if (!strcmp(o, "--global"))
			st.global = 1;
		if (need && strcmp(st.command, need)) {
			fprintf(stderr, "%s can only be supplied with the %s subcommand\n", what, need);
			rc = 1;
			goto done;
		}
	}
	if (st.recursive && (st.cached || st.no_index || st.untracked)) {
		rc = gs_die("-r|--recursive cannot be supplied with --cached, --no-index, or --untracked");
		goto done;
	}
	const char *c = st.command;
	const char *arg1 = st.args.n ? st.args.v[0] : "";
	if (!strcmp(c, "--")) {
		fputs(gs_usage, stdout);
		rc = 0;
	} else if (!strcmp(c, "--add-provider")) {
		ls_buf v = LS_BUF_INIT;
		ls_buf_puts(&v, "");
		for (size_t i = 0; i < st.args.n; i++)
			ls_buf_printf(&v, "%s%s", i ? " " : "", st.args.v[i]);
		rc = add_config(&st, "secrets.providers", v.ptr);
		ls_buf_dispose(&v);
	} else if (!strcmp(c, "--register-aws")) {
		rc = register_aws(&st);
	} else if (!strcmp(c, "--aws-provider")) {
		rc = aws_provider(arg1);
	} else if (!strcmp(c, "--commit_msg_hook")) {
		char *files[] = {(char *)arg1};
		rc = or_die(scan(&st, files, 1, NULL));
	} else if (!strcmp(c, "--pre_commit_hook")) {
		rc = pre_commit_hook(&st);
	} else if (!strcmp(c, "--prepare_commit_msg_hook")) {
		rc = prepare_commit_msg_hook(&st, st.args.v, st.args.n);
	} else if (!strcmp(c, "--add")) {
		rc = add_config(&st, st.allowed ? "secrets.allowed" : "secrets.patterns", arg1);
	} else if (!strcmp(c, "--scan")) {
		rc = or_die(scan(&st, st.args.v, st.args.n, NULL));
	} else if (!strcmp(c, "--scan-history")) {
		rc = or_die(gs_scan_history(&st));
	} else if (!strcmp(c, "--list")) {
		const char *g[] = {"git", "config", "--global", "--get-regex", "secrets.*", NULL};
		const char *l[] = {"git", "config", "--get-regex", "secrets.*", NULL};
		fflush(stdout);
		rc = gs_run_git(NULL, st.global ? g : l);
	} else if (!strcmp(c, "--install")) {
		rc = gs_install(&st);
	} else {
		printf("Unknown option: %s\n", c);
		fputs(gs_usage, stdout);
		rc = 129;
	}
done:
	fflush(stdout);
	gs_strv_free(&opts);
	gs_strv_free(&st.args);
	config_cache_drop();
	return rc < 0 ? 1 : rc;
}
