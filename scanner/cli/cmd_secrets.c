/*
 * git-secrets: leakscan installed (or linked) under the name `git-secrets` behaves like
 * awslabs' git-secrets 1.3 from the command line: same options, messages, configuration
 * (secrets.patterns/allowed/providers in git config, .gitallowed), output and exit codes.
 * The script's logic is followed step by step; comments name its functions. Known bugs of
 * the script are not copied: patterns are read one per line (no word splitting or glob
 * expansion), and --scan-history without a matching commit does not scan the work tree.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "common.h"
#include "hooks.h"
#include "source_git.h"

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

typedef struct {
	char **v;
	size_t n;
} strv;

static void strv_push(strv *s, char *item)
{
	s->v = ls_xrealloc(s->v, (s->n + 2) * sizeof(char *));
	s->v[s->n++] = item;
	s->v[s->n] = NULL;
}

static void strv_free(strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* Splits text into lines (no trailing empty line for a final newline). */
static void split_lines(strv *out, const char *text, size_t len)
{
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || text[i] == '\n') {
			if (i == len && i == start)
				break;
			strv_push(out, ls_xstrndup(text + start, i - start));
			start = i + 1;
		}
	}
}

typedef struct {
	const char *command;
	int force, recursive, literal, global, allowed;
	int cached, no_index, untracked;
	strv args;
} gs_state;

static int run_git(ls_buf *out, const char *const *argv) { return ls_hook_run_git(out, argv, 0); }
static int run_git_quiet(ls_buf *out, const char *const *argv) { return ls_hook_run_git(out, argv, 1); }

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
			strv_push(args, ls_xstrdup(a));
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
				strv_push(opts, ls_xasprintf("-%c", *p));
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
			strv_push(opts, ls_xasprintf("--no-%s", gs_opts[found].name));
		else if (gs_opts[found].short_name)
			strv_push(opts, ls_xasprintf("-%c", gs_opts[found].short_name));
		else
			strv_push(opts, ls_xasprintf("--%s", gs_opts[found].name));
	}
	return 0;
}

/* `die`: the message on stderr, exit 1 */
static int die(const char *msg)
{
	fprintf(stderr, "%s\n", msg);
	return 1;
}

/* ---- configuration ---- */

/* git config [--global] --get-all KEY, as lines */
static void config_get_all(strv *out, const char *key, int global)
{
	ls_buf b = LS_BUF_INIT;
	const char *g[] = {"git", "config", "--global", "--get-all", key, NULL};
	const char *l[] = {"git", "config", "--get-all", key, NULL};
	run_git_quiet(&b, global ? g : l);
	split_lines(out, b.ptr ? b.ptr : "", b.len);
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
		split_lines(&lines, value, strlen(value));
		for (size_t i = 0; i < lines.n; i++) {
			char *e = ls_gs_literal(lines.v[i]);
			ls_buf_printf(&b, "%s%s", i ? "\n" : "", e);
			free(e);
		}
		strv_free(&lines);
		v = ls_buf_detach(&b);
	} else {
		v = ls_xstrdup(value);
	}
	strv have = {0}, needles = {0};
	config_get_all(&have, key, st->global);
	split_lines(&needles, v, strlen(v));
	int dup = 0;
	for (size_t i = 0; i < have.n && !dup; i++) {
		if (!needles.n)
			dup = 1;
		for (size_t j = 0; j < needles.n && !dup; j++)
			if (strstr(have.v[i], needles.v[j]))
				dup = 1;
	}
	strv_free(&have);
	strv_free(&needles);
	int rc = 1;
	if (!dup) {
		const char *g[] = {"git", "config", "--global", "--add", key, v, NULL};
		const char *l[] = {"git", "config", "--add", key, v, NULL};
		rc = run_git(NULL, st->global ? g : l);
		if (rc < 0)
			rc = 127;
	}
	free(v);
	return rc;
}

/* Prints what ls_ere_new() noted about the patterns (as grep would warn) and frees it. */
static void put_notes(char *notes)
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
		strv_push(&words, ls_xstrndup(s, (size_t)(p - s)));
	}
	if (!words.n)
		return;
	if ((words.n == 3 || words.n == 4) && !strcmp(words.v[0], "git") && !strcmp(words.v[1], "secrets") &&
	    !strcmp(words.v[2], "--aws-provider")) {
		aws_provider_lines(out, words.n == 4 ? words.v[3] : NULL);
		strv_free(&words);
		return;
	}
	int pfd[2];
	if (pipe(pfd) < 0) {
		strv_free(&words);
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
	strv_free(&words);
}

/* load_patterns: secrets.patterns, then each provider's output lines */
static void load_patterns(strv *out)
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
			split_lines(&raw, b.ptr, b.len);
		ls_buf_dispose(&b);
	}
	strv_free(&providers);
	/* one pattern per non-empty line (the script's word splitting is a known bug) */
	for (size_t i = 0; i < raw.n; i++) {
		if (raw.v[i][0])
			strv_push(out, raw.v[i]);
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
	run_git(&top, argv);
	char *path = ls_xasprintf("%s/.gitallowed", top.ptr ? top.ptr : "");
	ls_buf f = LS_BUF_INIT;
	if (access(path, F_OK) == 0 && ls_read_file(&f, path) == 0) {
		strv lines = {0};
		split_lines(&lines, f.ptr, f.len);
		for (size_t i = 0; i < lines.n; i++) {
			/* awk 'NF && $1!~/^#/' */
			const char *p = lines.v[i];
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p && *p != '#')
				strv_push(out, lines.v[i]);
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

typedef struct {
	ls_ere *ere;
	size_t binary_probe; /* bytes looked at for a NUL: 8000 for git grep, all for grep */
	ls_buf *output;
	int matched;
} grepper;

/* Appends PREFIX:LINE:TEXT for each matching line of `buf`. */
static void grep_buffer(grepper *g, const char *prefix, const char *buf, size_t len)
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

static int cmp_strp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

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
				strv_push(&names, ls_xstrdup(de->d_name));
		closedir(d);
		/* in the order the directory lists them, as grep -r (fts without a comparison) */
		int err = 0;
		size_t plen = strlen(path);
		for (size_t i = 0; i < names.n; i++) {
			char *child = ls_xasprintf("%s%s%s", path, plen && path[plen - 1] == '/' ? "" : "/", names.v[i]);
			err |= grep_path(g, child, recurse, 0);
			free(child);
		}
		strv_free(&names);
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
	grep_buffer(g, path, b.ptr ? b.ptr : "", b.len);
	ls_buf_dispose(&b);
	return 0;
}

/* regular_grep: GREP_OPTIONS= LC_ALL=C grep -d ACTION -nwHEI PATTERNS FILES...
 * Returns grep's status: 0 matched, 1 none, 2 error. `stdin_text` replaces stdin for "-". */
static int regular_grep(gs_state *st, char **files, size_t nfiles, ls_buf *output, const ls_buf *stdin_text)
{
	strv patterns = {0};
	load_patterns(&patterns);
	if (!patterns.n)
		return 1;
	ls_ere *ere = NULL;
	char *fallback = NULL;
	if (ls_ere_new(&ere, (const char *const *)patterns.v, patterns.n, LS_ERE_GREP_WORDS, &fallback) < 0) {
		fprintf(stderr, "grep: %s\n", ls_error_last());
		strv_free(&patterns);
		return 2;
	}
	put_notes(fallback);
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
			grep_buffer(&g, "(standard input)", in.ptr ? in.ptr : "", in.len);
			ls_buf_dispose(&in);
			continue;
		}
		err |= grep_path(&g, files[i], st->recursive, 1);
	}
	ls_ere_free(ere);
	strv_free(&patterns);
	return err ? 2 : g.matched ? 0 : 1;
}

/* Called with each blob's content (not NUL-terminated), in the order of the ids. */
typedef void (*blob_fn)(size_t i, const char *data, size_t len, void *payload);

/*
 * Reads blobs by id with one `git cat-file --batch`, streaming: each blob is handed to `fn`
 * as soon as it is complete, so memory holds one blob at a time. Missing ids are skipped.
 */
static int cat_blobs(char *const *ids, size_t n, blob_fn fn, void *payload)
{
	const char *tmpdir = getenv("TMPDIR");
	char *path = ls_xasprintf("%s/leakscan-cat-file.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0) {
		free(path);
		return -1;
	}
	unlink(path);
	free(path);
	FILE *in = fdopen(dup(fd), "w");
	for (size_t i = 0; in && i < n; i++)
		fprintf(in, "%s\n", ids[i]);
	if (!in || fclose(in) != 0 || lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -1;
	}
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		close(fd);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd, 0);
		dup2(pfd[1], 1);
		execlp("git", "git", "cat-file", "--batch", (char *)NULL);
		_exit(127);
	}
	close(fd);
	close(pfd[1]);
	ls_buf b = LS_BUF_INIT;
	size_t pos = 0, i = 0, size = 0;
	int have_header = 0;
	char chunk[65536];
	for (;;) {
		ssize_t r = pid > 0 ? read(pfd[0], chunk, sizeof(chunk)) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		ls_buf_put(&b, chunk, (size_t)r);
		while (i < n) {
			if (!have_header) {
				char *nl = memchr(b.ptr + pos, '\n', b.len - pos);
				if (!nl)
					break;
				*nl = '\0';
				const char *hdr = b.ptr + pos;
				pos = (size_t)(nl - b.ptr) + 1;
				const char *sp = strrchr(hdr, ' ');
				if (strstr(hdr, " missing") || !sp) {
					i++;
					continue;
				}
				size = strtoull(sp + 1, NULL, 10);
				have_header = 1;
			}
			if (b.len - pos < size + 1)
				break;
			fn(i++, b.ptr + pos, size, payload);
			pos += size + 1;
			have_header = 0;
		}
		if (pos > 0 && pos * 2 >= b.len) {
			memmove(b.ptr, b.ptr + pos, b.len - pos);
			b.len -= pos;
			pos = 0;
		}
	}
	close(pfd[0]);
	ls_buf_dispose(&b);
	int status = 0;
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Called with each blob's "ID blob SIZE" header and content (not NUL-terminated). */
typedef void (*object_fn)(const char *hdr, const char *data, size_t len, void *payload);

/* One `git cat-file --batch` and the parse of its output. */
typedef struct {
	pid_t pid;
	int fd; /* its stdout, -1 once read to the end */
	ls_buf b;
	size_t pos, size, hdr;
	int have_header;
} cat_proc;

/* Hands each complete object in c->b to fn; returns 0. */
static void cat_parse(cat_proc *c, object_fn fn, void *payload)
{
	for (;;) {
		if (!c->have_header) {
			char *nl = memchr(c->b.ptr + c->pos, '\n', c->b.len - c->pos);
			if (!nl)
				break;
			*nl = '\0';
			c->hdr = c->pos;
			c->pos = (size_t)(nl - c->b.ptr) + 1;
			const char *sp = strrchr(c->b.ptr + c->hdr, ' ');
			if (!sp || strstr(c->b.ptr + c->hdr, " missing"))
				continue;
			c->size = strtoull(sp + 1, NULL, 10);
			c->have_header = 1;
		}
		if (c->b.len - c->pos < c->size + 1)
			break;
		fn(c->b.ptr + c->hdr, c->b.ptr + c->pos, c->size, payload);
		c->pos += c->size + 1;
		c->have_header = 0;
	}
	/* keep the pending header with the unread bytes */
	size_t keep = c->have_header ? c->hdr : c->pos;
	if (keep > 0 && keep * 2 >= c->b.len) {
		memmove(c->b.ptr, c->b.ptr + keep, c->b.len - keep);
		c->b.len -= keep;
		c->pos -= keep;
		if (c->have_header)
			c->hdr -= keep;
	}
}

/*
 * Streams every blob of the repository (and its alternates) through `git cat-file --batch`:
 * the ids in pack order (--batch-all-objects --unordered, which keeps git's delta bases
 * cached), split into one contiguous share per processor, each share read by its own
 * git process while this one matches. Memory holds about one blob per process.
 */
static int cat_all_blobs(object_fn fn, void *payload)
{
	ls_buf list = LS_BUF_INIT;
	const char *checkv[] = {"git", "cat-file", "--batch-all-objects", "--unordered",
	                        "--batch-check=%(objectname) %(objecttype)", NULL};
	if (run_git_quiet(&list, checkv) != 0) {
		ls_buf_dispose(&list);
		return -1;
	}
	/* keep "ID\n" of each blob, in place */
	size_t w = 0, nblobs = 0;
	for (size_t off = 0; off < list.len;) {
		const char *l = list.ptr + off, *nl = memchr(l, '\n', list.len - off);
		size_t ll = nl ? (size_t)(nl - l) : list.len - off;
		const char *sp = memchr(l, ' ', ll);
		if (sp && ll - (size_t)(sp - l) == 5 && !memcmp(sp, " blob", 5)) {
			memmove(list.ptr + w, l, (size_t)(sp - l));
			w += (size_t)(sp - l);
			list.ptr[w++] = '\n';
			nblobs++;
		}
		off += ll + 1;
	}
	list.len = w;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nproc = ncpu < 1 ? 1 : ncpu > 8 ? 8 : (size_t)ncpu;
	if (nblobs < 64) /* not worth the processes */
		nproc = 1;
	cat_proc procs[8];
	memset(procs, 0, sizeof(procs));
	const char *tmpdir = getenv("TMPDIR");
	int err = 0;
	size_t start = 0;
	fflush(stdout);
	fflush(stderr);
	for (size_t k = 0; k < nproc; k++) {
		procs[k].fd = -1;
		procs[k].pid = -1;
		/* this share: up to the end of the line after its proportional end */
		size_t end = k + 1 == nproc ? list.len : list.len * (k + 1) / nproc;
		while (end < list.len && list.ptr[end - 1] != '\n')
			end++;
		if (end <= start)
			continue;
		char *path = ls_xasprintf("%s/leakscan-cat-file.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
		int fd = mkstemp(path);
		if (fd >= 0)
			unlink(path);
		free(path);
		int pfd[2] = {-1, -1};
		if (fd < 0 || write(fd, list.ptr + start, end - start) != (ssize_t)(end - start) ||
		    lseek(fd, 0, SEEK_SET) < 0 || pipe2(pfd, O_CLOEXEC) < 0) {
			if (fd >= 0)
				close(fd);
			err = 1;
			break;
		}
		start = end;
		pid_t pid = fork();
		if (pid == 0) {
			dup2(fd, 0);
			dup2(pfd[1], 1);
			int null = open("/dev/null", O_WRONLY);
			if (null >= 0)
				dup2(null, 2);
			execlp("git", "git", "cat-file", "--batch", (char *)NULL);
			_exit(127);
		}
		close(fd);
		close(pfd[1]);
		if (pid < 0) {
			close(pfd[0]);
			err = 1;
			break;
		}
		procs[k].pid = pid;
		procs[k].fd = pfd[0];
	}
	ls_buf_dispose(&list);
	char chunk[65536];
	for (;;) {
		struct pollfd pf[8];
		size_t np = 0, idx[8];
		for (size_t k = 0; k < nproc; k++)
			if (procs[k].fd >= 0) {
				pf[np].fd = procs[k].fd;
				pf[np].events = POLLIN;
				idx[np++] = k;
			}
		if (!np)
			break;
		if (poll(pf, (nfds_t)np, -1) < 0) {
			if (errno == EINTR)
				continue;
			err = 1;
			break;
		}
		for (size_t j = 0; j < np; j++) {
			if (!pf[j].revents)
				continue;
			cat_proc *c = &procs[idx[j]];
			ssize_t r = read(c->fd, chunk, sizeof(chunk));
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r <= 0) {
				close(c->fd);
				c->fd = -1;
				continue;
			}
			ls_buf_put(&c->b, chunk, (size_t)r);
			cat_parse(c, fn, payload);
		}
	}
	for (size_t k = 0; k < nproc; k++) {
		if (procs[k].fd >= 0)
			close(procs[k].fd);
		ls_buf_dispose(&procs[k].b);
		int status = 0;
		if (procs[k].pid > 0) {
			while (waitpid(procs[k].pid, &status, 0) < 0 && errno == EINTR)
				;
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				err = 1;
		}
	}
	return err ? -1 : 0;
}

/* The fatal message and status git grep gives for a bad ERE. */
static int git_grep_bad_regex(const char *combined)
{
	fprintf(stderr, "fatal: command line, '%s': %s\n", combined, ls_error_last());
	return 128;
}

static char *join_patterns(const strv *p)
{
	ls_buf b = LS_BUF_INIT;
	ls_buf_puts(&b, "");
	for (size_t i = 0; i < p->n; i++)
		ls_buf_printf(&b, "%s%s", i ? "|" : "", p->v[i]);
	return ls_buf_detach(&b);
}

typedef struct {
	grepper *g;
	char **names;
} cached_ctx;

static void grep_cached_blob(size_t i, const char *data, size_t len, void *payload)
{
	cached_ctx *c = payload;
	grep_buffer(c->g, c->names[i], data, len);
}

/* Runs git grep's search for one option set (see git_grep). */
static int git_grep_run(gs_state *st, char **files, size_t nfiles, ls_buf *output)
{
	strv patterns = {0};
	load_patterns(&patterns);
	if (!patterns.n)
		return 1;
	char *combined = join_patterns(&patterns);
	int rc = 1;
	ls_ere *ere = NULL;
	strv paths = {0};
	if (!st->no_index) {
		const char *argv[] = {"git", "rev-parse", "--git-dir", NULL};
		int grc = run_git_quiet(NULL, argv);
		if (grc != 0) {
			run_git(NULL, argv); /* git's own "not a git repository" message */
			rc = 128;
			goto done;
		}
	}
	char *fallback = NULL;
	if (ls_ere_new(&ere, (const char *const *)&combined, 1, LS_ERE_GIT_GREP_WORDS, &fallback) < 0) {
		rc = git_grep_bad_regex(combined);
		goto done;
	}
	put_notes(fallback);
	grepper g = {ere, 8000, output, 0};

	/* the files git grep would read, relative to the current directory */
	ls_buf list = LS_BUF_INIT;
	strv argvv = {0};
	strv_push(&argvv, ls_xstrdup("git"));
	if (st->no_index) {
		/* every file below the current directory (or the operands), .git excluded */
		strv_free(&argvv);
		strv todo = {0};
		if (!nfiles)
			strv_push(&todo, ls_xstrdup("."));
		for (size_t i = 0; i < nfiles; i++)
			strv_push(&todo, ls_xstrdup(files[i]));
		for (size_t t = 0; t < todo.n; t++) {
			struct stat sb;
			if (lstat(todo.v[t], &sb) < 0)
				continue;
			if (S_ISREG(sb.st_mode)) {
				const char *p = todo.v[t];
				if (!strncmp(p, "./", 2))
					p += 2;
				strv_push(&paths, ls_xstrdup(p));
			} else if (S_ISDIR(sb.st_mode)) {
				DIR *d = opendir(todo.v[t]);
				struct dirent *de;
				while (d && (de = readdir(d))) {
					if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || !strcmp(de->d_name, ".git"))
						continue;
					strv_push(&todo, !strcmp(todo.v[t], ".") ? ls_xstrdup(de->d_name)
					                                         : ls_xasprintf("%s/%s", todo.v[t], de->d_name));
				}
				if (d)
					closedir(d);
			}
		}
		strv_free(&todo);
	} else {
		strv_push(&argvv, ls_xstrdup("ls-files"));
		strv_push(&argvv, ls_xstrdup("-z"));
		if (st->cached)
			strv_push(&argvv, ls_xstrdup("-s"));
		if (st->untracked) {
			strv_push(&argvv, ls_xstrdup("--cached"));
			strv_push(&argvv, ls_xstrdup("--others"));
			strv_push(&argvv, ls_xstrdup("--exclude-standard"));
		}
		strv_push(&argvv, ls_xstrdup("--"));
		for (size_t i = 0; i < nfiles; i++)
			strv_push(&argvv, ls_xstrdup(files[i]));
		run_git_quiet(&list, (const char *const *)argvv.v);
		for (size_t off = 0; off < list.len;) {
			size_t l = strlen(list.ptr + off);
			strv_push(&paths, ls_xstrndup(list.ptr + off, l));
			off += l + 1;
		}
		strv_free(&argvv);
	}
	ls_buf_dispose(&list);
	if (paths.n && !st->cached)
		qsort(paths.v, paths.n, sizeof(char *), cmp_strp);

	if (st->cached) {
		/* "MODE ID STAGE\tPATH": regular files of stage 0 */
		strv ids = {0}, names = {0};
		for (size_t i = 0; i < paths.n; i++) {
			char *tab = strchr(paths.v[i], '\t');
			if (!tab || (strncmp(paths.v[i], "100644 ", 7) && strncmp(paths.v[i], "100755 ", 7)))
				continue;
			if (tab[-1] != '0' || (names.n && !strcmp(names.v[names.n - 1], tab + 1)))
				continue;
			strv_push(&ids, ls_xstrndup(paths.v[i] + 7, (size_t)(strchr(paths.v[i] + 7, ' ') - (paths.v[i] + 7))));
			strv_push(&names, ls_xstrdup(tab + 1));
		}
		cached_ctx cc = {&g, names.v};
		if (ids.n)
			cat_blobs(ids.v, ids.n, grep_cached_blob, &cc);
		strv_free(&ids);
		strv_free(&names);
	} else {
		for (size_t i = 0; i < paths.n; i++) {
			if (i && !strcmp(paths.v[i], paths.v[i - 1]))
				continue;
			struct stat sb;
			if (lstat(paths.v[i], &sb) < 0 || !S_ISREG(sb.st_mode))
				continue;
			ls_buf b = LS_BUF_INIT;
			if (ls_read_file(&b, paths.v[i]) == 0)
				grep_buffer(&g, paths.v[i], b.ptr ? b.ptr : "", b.len);
			ls_buf_dispose(&b);
		}
	}
	rc = g.matched ? 0 : 1;
done:
	strv_free(&paths);
	ls_ere_free(ere);
	free(combined);
	strv_free(&patterns);
	return rc;
}

/* git_grep: GREP_OPTIONS= LC_ALL=C git grep -nwHEI [--cached|--untracked|--no-index] PATTERN -- FILES
 * Returns git grep's status: 0 matched, 1 none, 128 fatal. */
static int git_grep(gs_state *st, char **files_in, size_t nfiles_in, ls_buf *output)
{
	/* the script passes its options as one word to git_grep, which takes the first of them
	 * as the option and the others as file names */
	const char *extra[3];
	size_t nextra = 0;
	int cached = st->cached, untracked = st->untracked, no_index = st->no_index;
	if (cached) {
		untracked = no_index = 0;
		if (st->untracked)
			extra[nextra++] = "--untracked";
		if (st->no_index)
			extra[nextra++] = "--no-index";
	} else if (untracked) {
		no_index = 0;
		if (st->no_index)
			extra[nextra++] = "--no-index";
	}
	size_t nfiles = nextra + nfiles_in;
	char **files = ls_xcalloc(nfiles + 1, sizeof(char *));
	for (size_t i = 0; i < nextra; i++)
		files[i] = (char *)extra[i];
	for (size_t i = 0; i < nfiles_in; i++)
		files[nextra + i] = files_in[i];
	gs_state g = *st;
	g.cached = cached;
	g.untracked = untracked;
	g.no_index = no_index;
	int rc = git_grep_run(&g, files, nfiles, output);
	free(files);
	return rc;
}

/* process_output: 0 clean, 1 prohibited lines printed, other: exit with that status */
static int process_output(int status, ls_buf *output)
{
	strv allowed = {0};
	load_allowed(&allowed);
	if (status != 0) {
		strv_free(&allowed);
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
	if (ls_ere_new(&ere, (const char *const *)allowed.v, allowed.n, LS_ERE_GREP, &fallback) < 0) {
		/* grep -Ev fails: the script takes that as "nothing left" */
		fprintf(stderr, "grep: %s\n", ls_error_last());
		strv_free(&allowed);
		return 0;
	}
	put_notes(fallback);
	strv lines = {0};
	split_lines(&lines, output->ptr ? output->ptr : "", output->len);
	if (!lines.n)
		strv_push(&lines, ls_xstrdup(""));
	for (size_t i = 0; i < lines.n; i++) {
		if (!ls_ere_match_line(ere, lines.v[i], strlen(lines.v[i]))) {
			fprintf(stderr, "%s\n", lines.v[i]);
			rc = 1;
		}
	}
	strv_free(&lines);
	ls_ere_free(ere);
	strv_free(&allowed);
	return rc;
}

/* scan: git grep without files or with git options, grep otherwise */
static int scan(gs_state *st, char **files, size_t nfiles, const ls_buf *stdin_text)
{
	ls_buf output = LS_BUF_INIT;
	int status;
	if (!nfiles || st->cached || st->untracked || st->no_index)
		status = git_grep(st, files, nfiles, &output);
	else
		status = regular_grep(st, files, nfiles, &output, stdin_text);
	int rc = process_output(status, &output);
	ls_buf_dispose(&output);
	return rc;
}

/* A set of blob ids (open addressing), each with the lines of it that match. */
typedef struct {
	char *id;
	ls_buf lines; /* ":LINE:TEXT\n" per matching line */
} hist_blob;

typedef struct {
	hist_blob *v;
	size_t n, cap;
	size_t *slots; /* index + 1, 0 for empty */
	size_t nslots;
} blob_set;

static size_t fnv(const char *s)
{
	size_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The index of `id` in the set, added if new. */
static size_t blob_set_add(blob_set *bs, const char *id, size_t idlen)
{
	if ((bs->n + 1) * 2 > bs->nslots) {
		size_t ns = bs->nslots ? bs->nslots * 2 : 1024;
		size_t *slots = ls_xcalloc(ns, sizeof(size_t));
		for (size_t k = 0; k < bs->n; k++) {
			size_t h = fnv(bs->v[k].id) & (ns - 1);
			while (slots[h])
				h = (h + 1) & (ns - 1);
			slots[h] = k + 1;
		}
		free(bs->slots);
		bs->slots = slots;
		bs->nslots = ns;
	}
	char *key = ls_xstrndup(id, idlen);
	size_t h = fnv(key) & (bs->nslots - 1);
	while (bs->slots[h]) {
		size_t k = bs->slots[h] - 1;
		if (!strcmp(bs->v[k].id, key)) {
			free(key);
			return k;
		}
		h = (h + 1) & (bs->nslots - 1);
	}
	if (bs->n == bs->cap) {
		bs->cap = bs->cap ? bs->cap * 2 : 256;
		bs->v = ls_xrealloc(bs->v, bs->cap * sizeof(hist_blob));
	}
	memset(&bs->v[bs->n], 0, sizeof(hist_blob));
	bs->v[bs->n].id = key;
	bs->slots[h] = bs->n + 1;
	return bs->n++;
}

static void blob_set_dispose(blob_set *bs)
{
	for (size_t k = 0; k < bs->n; k++) {
		free(bs->v[k].id);
		ls_buf_dispose(&bs->v[k].lines);
	}
	free(bs->v);
	free(bs->slots);
}

/* Calls fn(id, idlen, path) for each regular file of the commit's tree. */
static void each_file(const char *commit, void (*fn)(const char *id, size_t idlen, const char *path, void *p), void *p)
{
	ls_buf tree = LS_BUF_INIT;
	const char *lsv[] = {"git", "ls-tree", "-r", "-z", commit, NULL};
	run_git_quiet(&tree, lsv);
	for (size_t off = 0; off < tree.len;) {
		const char *e = tree.ptr + off;
		off += strlen(e) + 1;
		const char *tab = strchr(e, '\t');
		if (tab && (!strncmp(e, "100644 blob ", 12) || !strncmp(e, "100755 blob ", 12)))
			fn(e + 12, (size_t)(tab - (e + 12)), tab + 1, p);
	}
	ls_buf_dispose(&tree);
}

static void collect_blob(const char *id, size_t idlen, const char *path, void *p) { blob_set_add(p, id, idlen); }

typedef struct {
	blob_set *bs;
	ls_ere *ere;
	ls_buf *output;
	const char *commit;
	int any;
} hist_ctx;

static void grep_hist_blob(size_t i, const char *data, size_t len, void *payload)
{
	hist_ctx *c = payload;
	grepper g = {c->ere, 8000, &c->bs->v[i].lines, 0};
	grep_buffer(&g, "", data, len);
}

static void print_blob_lines(const char *id, size_t idlen, const char *path, void *payload)
{
	hist_ctx *c = payload;
	hist_blob *b = &c->bs->v[blob_set_add(c->bs, id, idlen)];
	/* each of the blob's lines as COMMIT:PATH:LINE:TEXT */
	for (const char *l = b->lines.ptr; l && *l;) {
		const char *nl = strchr(l, '\n');
		ls_buf_printf(c->output, "%s:%s", c->commit, path);
		ls_buf_put(c->output, l, (size_t)(nl - l) + 1);
		l = nl + 1;
		c->any = 1;
	}
}

/* scan_history through git itself: the commits whose diffs match (git log --all -G), each
 * one's tree grepped as `git grep` does. Every blob is read and searched once however many
 * commits hold it; only the matching lines are kept. The fallback of scan_history below. */
static int scan_history_log(gs_state *st)
{
	strv patterns = {0};
	load_patterns(&patterns);
	if (!patterns.n)
		return 0;
	char *combined = join_patterns(&patterns);
	char *g = ls_xasprintf("-G%s", combined);
	ls_buf commits = LS_BUF_INIT, output = LS_BUF_INIT;
	const char *logv[] = {"git", "log", "--all", g, "--pretty=%H", NULL};
	run_git(&commits, logv);
	int rc = 0;
	ls_ere *ere = NULL;
	char *notes = NULL;
	strv shas = {0};
	blob_set bs;
	memset(&bs, 0, sizeof(bs));
	if (ls_ere_new(&ere, (const char *const *)&combined, 1, LS_ERE_GIT_GREP_WORDS, &notes) < 0) {
		rc = -git_grep_bad_regex(combined);
		goto done;
	}
	put_notes(notes);
	split_lines(&shas, commits.ptr ? commits.ptr : "", commits.len);
	for (size_t i = 0; i < shas.n; i++)
		each_file(shas.v[i], collect_blob, &bs);
	hist_ctx c = {&bs, ere, &output, NULL, 0};
	if (bs.n) {
		char **ids = ls_xcalloc(bs.n, sizeof(char *));
		for (size_t k = 0; k < bs.n; k++)
			ids[k] = bs.v[k].id;
		cat_blobs(ids, bs.n, grep_hist_blob, &c);
		free(ids);
	}
	for (size_t i = 0; i < shas.n; i++) {
		c.commit = shas.v[i];
		each_file(shas.v[i], print_blob_lines, &c);
	}
	rc = process_output(c.any ? 0 : 1, &output);
done:
	blob_set_dispose(&bs);
	strv_free(&shas);
	ls_ere_free(ere);
	ls_buf_dispose(&commits);
	ls_buf_dispose(&output);
	free(g);
	free(combined);
	strv_free(&patterns);
	(void)st;
	return rc;
}

/* The matchers of the history scan through libgit2 (see ls_git_gs_matcher). */
typedef struct {
	ls_ere *words;   /* git grep -w -E, the combined pattern */
	ls_ere *pickaxe; /* the combined pattern as an ERE matched anywhere (C locale) */
	regex_t lre;     /* as git log -G compiles it: REG_EXTENDED | REG_NEWLINE, user's locale */
	locale_t loc;
	int multibyte;   /* the user's locale is not the C locale: non-ASCII text goes to lre */
	int attributes;  /* gitattributes may exist: a `diff` attribute can make a binary file text */
} hist_match;

static int path_exists(const char *path)
{
	struct stat sb;
	return path && *path && stat(path, &sb) == 0;
}

/* Whether some gitattributes file may apply to git log's diffs (then a file with a NUL is
 * not ruled out: `diff` may make it text for -G). */
static int may_have_attributes(void)
{
	ls_buf b = LS_BUF_INIT;
	int found = 0;
	const char *infov[] = {"git", "rev-parse", "--git-path", "info/attributes", NULL};
	if (run_git_quiet(&b, infov) == 0 && path_exists(b.ptr))
		found = 1;
	ls_buf_dispose(&b);
	const char *corev[] = {"git", "config", "--path", "core.attributesFile", NULL};
	if (!found && run_git_quiet(&b, corev) == 0) {
		found = path_exists(b.ptr);
	} else if (!found) {
		const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
		char *p = xdg && *xdg ? ls_xasprintf("%s/git/attributes", xdg)
		                      : ls_xasprintf("%s/.config/git/attributes", home ? home : "");
		found = path_exists(p);
		free(p);
	}
	ls_buf_dispose(&b);
	const char *topv[] = {"git", "rev-parse", "--show-toplevel", NULL};
	if (!found && run_git_quiet(&b, topv) == 0 && b.ptr) {
		char *p = ls_xasprintf("%s/.gitattributes", b.ptr);
		found = path_exists(p);
		free(p);
	}
	ls_buf_dispose(&b);
	const char *lsv[] = {"git", "ls-files", "--", ":(top,glob)**/.gitattributes", NULL};
	if (!found && run_git_quiet(&b, lsv) == 0 && b.len)
		found = 1;
	ls_buf_dispose(&b);
	return found;
}

/* Whether git log -G may see a matching line in the blob (superset; see ls_git_gs_matcher). */
static int hist_pickaxe(void *payload, const char *data, size_t len)
{
	hist_match *h = payload;
	/* git log -G skips binary files: a NUL in the first 8000 bytes */
	if (memchr(data, '\0', len < 8000 ? len : 8000))
		return h->attributes;
	int high = 0;
	for (size_t i = 0; h->multibyte && i < len && !high; i++)
		high = (unsigned char)data[i] >= 0x80;
	if (high) {
		if (len > INT_MAX)
			return 1;
		/* as git matches it, in the user's locale; REG_NEWLINE keeps matches within lines */
		locale_t old = uselocale(h->loc);
		regmatch_t m[1];
		m[0].rm_so = 0;
		m[0].rm_eo = (regoff_t)len;
		int r = regexec(&h->lre, data, 1, m, REG_STARTEND);
		uselocale(old);
		return r == 0;
	}
	if (!ls_ere_may_match(h->pickaxe, data, len))
		return 0;
	for (size_t start = 0; start < len;) {
		const char *nl = memchr(data + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - data) : len;
		if (ls_ere_match_line(h->pickaxe, data + start, end - start))
			return 1;
		start = end + 1;
	}
	return 0;
}

static void hist_grep(void *payload, const char *data, size_t len, ls_buf *out)
{
	hist_match *h = payload;
	grepper g = {h->words, 8000, out, 0};
	grep_buffer(&g, "", data, len);
}

/* cat_all_blobs: each blob matched once, ahead of the walks */
static void hist_preload(const char *hdr, const char *data, size_t len, void *payload)
{
	const char *sp = strchr(hdr, ' ');
	if (sp && sp - hdr == 40 && !strncmp(sp + 1, "blob ", 5))
		ls_git_gs_preload(payload, hdr, data, len);
}

/*
 * scan_history: the commits `git log --all -G` selects, in its order (`git rev-list --all`),
 * each one's tree grepped as `git grep` does. Each distinct blob is read and matched once and
 * each distinct tree's matching lines are put together once (ls_git_gs); commits are compared
 * with their first parent by tree ids, and only those whose changed blobs hold a line the -G
 * pattern matches are handed to `git log --no-walk -G`, which decides as git-secrets' own
 * git log would (renames, binary files, the diff itself). Anything unusual (no repository, a
 * shallow one, a pattern git would reject, an unreadable object) takes scan_history_log.
 */
static int scan_history(gs_state *st)
{
	strv patterns = {0};
	load_patterns(&patterns);
	if (!patterns.n)
		return 0;
	char *combined = join_patterns(&patterns);
	strv_free(&patterns);
	hist_match h;
	memset(&h, 0, sizeof(h));
	int have_lre = 0, fallback = 1, rc = 0;
	char *words_notes = NULL, *notes = NULL, *g = NULL;
	ls_git_repo *repo = NULL;
	ls_git_gs *gs = NULL;
	ls_buf list = LS_BUF_INIT, input = LS_BUF_INIT, sel = LS_BUF_INIT, output = LS_BUF_INIT;
	strv shas = {0}, chosen = {0};

	if (ls_ere_new(&h.words, (const char *const *)&combined, 1, LS_ERE_GIT_GREP_WORDS, &words_notes) < 0 ||
	    ls_ere_new(&h.pickaxe, (const char *const *)&combined, 1, LS_ERE_GREP, &notes) < 0)
		goto done;
	h.loc = newlocale(LC_CTYPE_MASK, "", (locale_t)0);
	if (!h.loc)
		h.loc = newlocale(LC_CTYPE_MASK, "C", (locale_t)0);
	if (!h.loc)
		goto done;
	h.multibyte = strcmp(nl_langinfo_l(CODESET, h.loc), "ANSI_X3.4-1968") != 0;
	locale_t old = uselocale(h.loc);
	have_lre = regcomp(&h.lre, combined, REG_EXTENDED | REG_NEWLINE | REG_NOSUB) == 0;
	uselocale(old);
	if (!have_lre)
		goto done;
	if (ls_git_repo_open(&repo, NULL) < 0 || ls_git_repo_is_shallow(repo))
		goto done;
	/* a textconv filter shows -G other text than the blob's: only git itself can tell */
	const char *textconvv[] = {"git", "config", "--get-regexp", "^diff\\..*\\.textconv$", NULL};
	int textconv = run_git_quiet(&list, textconvv) == 0;
	ls_buf_dispose(&list);
	if (textconv)
		goto done;
	h.attributes = may_have_attributes();
	ls_git_gs_matcher m = {hist_pickaxe, hist_grep, &h};
	ls_git_gs_new(&gs, repo, &m);
	/* blobs missing from the stream (it failed, or a partial read) are read through libgit2 */
	cat_all_blobs(hist_preload, gs);
	/* every commit's changed blobs in one pass of git's own, in git log --all's order (that
	 * of the output); merges show none, as git log -G does not look at them either */
	const char *rawv[] = {"git", "log", "--all", "--raw", "--no-abbrev", "--no-renames",
	                      "--no-show-signature", "--format=%H", NULL};
	if (run_git_quiet(&list, rawv) != 0 ||
	    ls_git_gs_candidates_from_log(gs, list.ptr ? list.ptr : "", list.len, &input) < 0)
		goto done;
	split_lines(&shas, input.ptr ? input.ptr : "", input.len);
	if (input.len) {
		g = ls_xasprintf("-G%s", combined);
		const char *logv[] = {"git", "log", "--no-walk", "--stdin", g, "--pretty=%H", NULL};
		if (ls_hook_run_git_input(&sel, logv, input.ptr, input.len, 1) != 0)
			goto done;
		split_lines(&chosen, sel.ptr ? sel.ptr : "", sel.len);
		qsort(chosen.v, chosen.n, sizeof(char *), cmp_strp);
	}
	fallback = 0;
	if (words_notes)
		fputs(words_notes, stderr);
	for (size_t i = 0; i < shas.n && chosen.n; i++) {
		if (!bsearch(&shas.v[i], chosen.v, chosen.n, sizeof(char *), cmp_strp))
			continue;
		if (ls_git_gs_grep(gs, shas.v[i], &output) < 0) {
			fallback = 1;
			goto done;
		}
	}
	rc = process_output(output.len ? 0 : 1, &output);
done:
	ls_git_gs_free(gs);
	ls_git_repo_free(repo);
	if (have_lre)
		regfree(&h.lre);
	if (h.loc)
		freelocale(h.loc);
	ls_ere_free(h.words);
	ls_ere_free(h.pickaxe);
	free(words_notes);
	free(notes);
	free(g);
	free(combined);
	strv_free(&shas);
	strv_free(&chosen);
	ls_buf_dispose(&list);
	ls_buf_dispose(&input);
	ls_buf_dispose(&sel);
	ls_buf_dispose(&output);
	if (fallback)
		return scan_history_log(st);
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
	if (run_git_quiet(NULL, verify) == 0)
		rev = "HEAD";
	ls_buf b = LS_BUF_INIT;
	const char *diff[] = {"git", "diff-index", "--diff-filter", "ACMU", "--name-only", "--cached", rev, "--", NULL};
	run_git(&b, diff);
	strv files = {0};
	split_lines(&files, b.ptr ? b.ptr : "", b.len);
	ls_buf_dispose(&b);
	strv nonempty = {0};
	for (size_t i = 0; i < files.n; i++)
		if (files.v[i][0])
			strv_push(&nonempty, ls_xstrdup(files.v[i]));
	strv_free(&files);
	int rc = or_die(scan(st, nonempty.v, nonempty.n, NULL));
	strv_free(&nonempty);
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
	run_git(&branch, sym);
	const char *dest = branch.ptr ? branch.ptr : "";
	if (!strncmp(dest, "refs/heads/", 11))
		dest += 11;
	char *range = ls_xasprintf("%s..%s", dest, sha);
	const char *logv[] = {"git", "log", range, "-p", NULL};
	run_git(&log, logv);
	ls_buf_putc(&log, '\n');
	static char dash[] = "-";
	char *files[] = {dash};
	int rc = or_die(scan(st, files, 1, &log));
	free(range);
	ls_buf_dispose(&branch);
	ls_buf_dispose(&log);
	return rc;
}

/* install_hook */
static int install_hook(gs_state *st, const char *dir, const char *hook, const char *cmd)
{
	char *d = ls_xasprintf("%s/hooks/%s.d", dir, hook);
	struct stat sb;
	char *dest = stat(d, &sb) == 0 && S_ISDIR(sb.st_mode) ? ls_xasprintf("%s/git-secrets", d)
	                                                       : ls_xasprintf("%s/hooks/%s", dir, hook);
	free(d);
	if (stat(dest, &sb) == 0 && S_ISREG(sb.st_mode) && !st->force) {
		fprintf(stderr, "%s already exists. Use -f to force\n", dest);
		free(dest);
		return 1;
	}
	FILE *f = fopen(dest, "w");
	if (!f) {
		fprintf(stderr, "git-secrets: line 1: %s: %s\n", dest, strerror(errno));
		free(dest);
		return 1;
	}
	fprintf(f, "#!/usr/bin/env bash\ngit secrets --%s -- \"$@\"\n", cmd);
	fclose(f);
	mode_t um = umask(0);
	umask(um);
	if (stat(dest, &sb) == 0)
		chmod(dest, (sb.st_mode & 07777) | (0111 & ~um));
	if (isatty(STDOUT_FILENO)) {
		/* [ -t 1 ] && which tput >/dev/null && echo -n "$(tput setaf 2)✓$(tput sgr 0) " */
		char on[64] = "", off[64] = "";
		FILE *t = popen("command -v tput >/dev/null && tput setaf 2", "r");
		size_t n = t ? fread(on, 1, sizeof(on) - 1, t) : 0;
		on[n] = '\0';
		int ok = t && pclose(t) == 0;
		if (ok && (t = popen("tput sgr 0", "r"))) {
			n = fread(off, 1, sizeof(off) - 1, t);
			off[n] = '\0';
			pclose(t);
			printf("%s\u2713%s ", on, off);
		}
	}
	printf("Installed %s hook to %s\n", hook, dest);
	free(dest);
	return 0;
}

static int install(gs_state *st)
{
	char *dir;
	if (!st->args.n || !st->args.v[0][0]) {
		ls_buf b = LS_BUF_INIT;
		const char *argv[] = {"git", "rev-parse", "--git-dir", NULL};
		if (run_git(&b, argv) != 0) {
			ls_buf_dispose(&b);
			return die("Not in a Git repository");
		}
		dir = ls_buf_detach(&b);
	} else {
		char *dotgit = ls_xasprintf("%s/.git", st->args.v[0]);
		struct stat sb;
		dir = stat(dotgit, &sb) == 0 && S_ISDIR(sb.st_mode) ? ls_xstrdup(dotgit) : ls_xstrdup(st->args.v[0]);
		free(dotgit);
	}
	char *hooks = ls_xasprintf("%s/hooks", dir);
	char *p = ls_xstrdup(hooks);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0777);
			*s = '/';
		}
	free(p);
	int rc = 0;
	struct stat sb;
	if (mkdir(hooks, 0777) < 0 && !(errno == EEXIST && stat(hooks, &sb) == 0 && S_ISDIR(sb.st_mode))) {
		fprintf(stderr, "mkdir: cannot create directory '%s': %s\n", hooks, strerror(errno));
		char *msg = ls_xasprintf("Could not create dir: %s", dir);
		rc = die(msg);
		free(msg);
	}
	if (!rc)
		rc = install_hook(st, dir, "commit-msg", "commit_msg_hook");
	if (!rc)
		rc = install_hook(st, dir, "pre-commit", "pre_commit_hook");
	if (!rc)
		rc = install_hook(st, dir, "prepare-commit-msg", "prepare_commit_msg_hook");
	free(hooks);
	free(dir);
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
		split_lines(&lines, b.ptr, b.len);
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
		strv_free(&lines);
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
		rc = die("-r|--recursive cannot be supplied with --cached, --no-index, or --untracked");
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
		rc = or_die(scan_history(&st));
	} else if (!strcmp(c, "--list")) {
		const char *g[] = {"git", "config", "--global", "--get-regex", "secrets.*", NULL};
		const char *l[] = {"git", "config", "--get-regex", "secrets.*", NULL};
		fflush(stdout);
		rc = run_git(NULL, st.global ? g : l);
	} else if (!strcmp(c, "--install")) {
		rc = install(&st);
	} else {
		printf("Unknown option: %s\n", c);
		fputs(gs_usage, stdout);
		rc = 129;
	}
done:
	fflush(stdout);
	strv_free(&opts);
	strv_free(&st.args);
	return rc < 0 ? 1 : rc;
}
