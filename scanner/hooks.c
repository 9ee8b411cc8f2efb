#include "hooks.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <fcntl.h>
#include <hs.h>
#include <limits.h>
#include <pcre2.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *hook_names[] = {"pre-commit", "commit-msg", "pre-push"};

const char *ls_hook_name(ls_hook_kind kind)
{
	switch (kind) {
	case LS_HOOK_PRE_COMMIT: return hook_names[0];
	case LS_HOOK_COMMIT_MSG: return hook_names[1];
	case LS_HOOK_PRE_PUSH: return hook_names[2];
	}
	return "unknown";
}

/*
 * The hook scripts. POSIX sh, generated so that nothing outside the binary is needed.
 * Exit status of `leakscan git`: 0 clean, 1 findings, anything else means leakscan itself
 * failed: the hook fails closed unless `git config leakscan.failOpen true`.
 */
static const char script_head[] =
    "#!/bin/sh\n"
    LS_HOOK_MARKER ": @HOOK@ (v1)\n"
    "# Installed by 'leakscan hook install'; 'leakscan hook uninstall' removes it and puts\n"
    "# back any hook that was here before (kept meanwhile as @HOOK@" LS_HOOK_CHAINED_SUFFIX ",\n"
    "# which runs after the scan; its exit status counts).\n"
    "hook=@HOOK@\n"
    "leakscan=@LEAKSCAN@\n"
    "global=@GLOBAL@\n"
    "hookdir=$(dirname -- \"$0\")\n"
    "if [ ! -x \"$leakscan\" ]; then\n"
    "\tmissing=$leakscan\n"
    "\tleakscan=$(command -v leakscan 2>/dev/null) || leakscan=\n"
    "fi\n"
    "\n"
    "broken() {\n"
    "\techo \"leakscan: $hook hook: $1\" >&2\n"
    "\tif [ \"$(git config --type=bool leakscan.failOpen 2>/dev/null)\" = true ]; then\n"
    "\t\techo \"leakscan: $hook hook: leakscan.failOpen is true: going on WITHOUT a secret scan\" >&2\n"
    "\t\treturn 0\n"
    "\tfi\n"
    "\techo \"leakscan: $hook hook: refusing because the secret scan could not run (fail closed);\" >&2\n"
    "\techo \"leakscan: $hook hook: reinstall leakscan and run 'leakscan hook install --force', or allow\" >&2\n"
    "\techo \"leakscan: $hook hook: this when leakscan cannot run: git config leakscan.failOpen true\" >&2\n"
    "\treturn 1\n"
    "}\n"
    "\n"
    "found() {\n"
    "\tcat >&2 <<EOF\n"
    "\n"
    "leakscan: $1\n"
    "\n"
    "  To fix it: $2\n"
    "  Rotate the credential if it was real: once pushed, consider it leaked.\n"
    "  A false positive? Add a comment with 'leakscan:allow' on that line, or list it in\n"
    "  the allowlist of .leakscan.yaml at the top of the repository.\n"
    "  To skip this check once (not recommended): $3 --no-verify\n"
    "EOF\n"
    "}\n"
    "\n"
    "# scan WHAT FIX SKIP ARGS...: runs leakscan ARGS; 0 lets the hook go on\n"
    "scan() {\n"
    "\twhat=$1 fix=$2 skip=$3\n"
    "\tshift 3\n"
    "\tif [ -z \"$leakscan\" ]; then\n"
    "\t\tbroken \"leakscan not found: '$missing' does not exist and no leakscan in PATH\"\n"
    "\t\treturn\n"
    "\tfi\n"
    "\t\"$leakscan\" \"$@\"\n"
    "\trc=$?\n"
    "\tcase $rc in\n"
    "\t0) return 0 ;;\n"
    "\t1) found \"$what\" \"$fix\" \"$skip\"; return 1 ;;\n"
    "\tesac\n"
    "\tif [ \"$rc\" -gt 128 ]; then\n"
    "\t\tbroken \"'$leakscan' crashed (killed by signal $((rc - 128)))\"\n"
    "\telse\n"
    "\t\tbroken \"'$leakscan' failed (exit status $rc)\"\n"
    "\tfi\n"
    "}\n"
    "\n"
    "# chained ARGS...: runs the hook leakscan moved aside, and with a global hooks path the\n"
    "# repository's own hook, passing the arguments (and for pre-push the saved stdin)\n"
    "chained() {\n"
    "\tfor prev in \"$hookdir/$hook" LS_HOOK_CHAINED_SUFFIX "\" \"$repohook\"; do\n"
    "\t\t[ -n \"$prev\" ] && [ -f \"$prev\" ] && [ -x \"$prev\" ] || continue\n"
    "\t\tif [ -n \"$input\" ]; then\n"
    "\t\t\t\"$prev\" \"$@\" <\"$input\" || return $?\n"
    "\t\telse\n"
    "\t\t\t\"$prev\" \"$@\" || return $?\n"
    "\t\tfi\n"
    "\tdone\n"
    "\treturn 0\n"
    "}\n"
    "\n"
    "repohook=\n"
    "if [ \"$global\" = 1 ]; then\n"
    "\trepohook=$(git rev-parse --git-dir 2>/dev/null)/hooks/$hook\n"
    "\t[ \"$repohook\" -ef \"$0\" ] && repohook=\n"
    "fi\n"
    "input=\n";

static const char script_pre_commit[] =
    "scan \"commit refused: the staged changes above contain what looks like a secret.\" \\\n"
    "\t\"remove it from the file, 'git add' the file again and commit.\" \"git commit\" \\\n"
    "\tgit --staged --redact || exit 1\n"
    "chained \"$@\"\n";

/* `git commit -v` appends the diff below a scissors line: not part of the message (a secret
 * the commit removes would show there) */
static const char script_commit_msg[] =
    "msg=$(mktemp \"${TMPDIR:-/tmp}/leakscan-commit-msg.XXXXXX\") || exit 1\n"
    "trap 'rm -f \"$msg\"' EXIT\n"
    "sed '/^. ------------------------ >8 ------------------------$/,$d' \"$1\" >\"$msg\"\n"
    "scan \"commit refused: the commit message contains what looks like a secret.\" \\\n"
    "\t\"edit the message (it is saved in $1) and commit again.\" \"git commit\" \\\n"
    "\tgit --message \"$msg\" --redact || exit 1\n"
    "chained \"$@\"\n";

/*
 * pre-push: stdin has `<local ref> <local sha> <remote ref> <remote sha>` lines. Scan the
 * commits that the remote does not have yet: remote..local for an update, and for a new
 * ref the commits not on any remote-tracking ref (B..local for each boundary commit B, or
 * the whole history of local when it shares none). Deleting a ref pushes nothing.
 */
static const char script_pre_push[] =
    "input=$(mktemp \"${TMPDIR:-/tmp}/leakscan-pre-push.XXXXXX\") || exit 1\n"
    "trap 'rm -f \"$input\" \"$input.tag\"' EXIT\n"
    "cat >\"$input\"\n"
    "status=0\n"
    "while read -r lref lsha rref rsha; do\n"
    "\t# deleting a ref pushes nothing\n"
    "\tcase $lsha in *[!0]*) ;; *) continue ;; esac\n"
    "\t# an annotated tag: its message too\n"
    "\tif [ \"$(git cat-file -t \"$lsha\" 2>/dev/null)\" = tag ]; then\n"
    "\t\tgit cat-file tag \"$lsha\" | sed '1,/^$/d' >\"$input.tag\"\n"
    "\t\tscan \"push refused: the message of $lref contains what looks like a secret.\" \\\n"
    "\t\t\t\"recreate the tag without it (git tag -d, git tag -a) and push again.\" \\\n"
    "\t\t\t\"git push\" git --redact --message \"$input.tag\" </dev/null || { status=1; break; }\n"
    "\tfi\n"
    "\tcase $rsha in *[!0]*) known=$rsha ;; *) known= ;; esac\n"
    "\tif [ -n \"$known\" ] && git cat-file -e \"$known^{commit}\" 2>/dev/null; then\n"
    "\t\tranges=$known..$lsha\n"
    "\telse\n"
    "\t\t# a new ref: the commits that no remote-tracking ref has\n"
    "\t\t[ -n \"$(git rev-list -n 1 \"$lsha\" --not --remotes)\" ] || continue\n"
    "\t\tranges=$(git rev-list --boundary \"$lsha\" --not --remotes | sed -n \"s/^-\\(.*\\)/\\1..$lsha/p\")\n"
    "\t\t[ -n \"$ranges\" ] || ranges=$lsha\n"
    "\tfi\n"
    "\tfor r in $ranges; do\n"
    "\t\tcase $r in *..*) set -- --range \"$r\" ;; *) set -- --branch \"$r\" ;; esac\n"
    "\t\tscan \"push refused: commits about to be pushed to $rref contain what looks like a secret.\" \\\n"
    "\t\t\t\"rewrite those commits without it (git rebase -i, git commit --amend) and push again.\" \\\n"
    "\t\t\t\"git push\" git --redact \"$@\" </dev/null || { status=1; break 2; }\n"
    "\tdone\n"
    "done <\"$input\"\n"
    "[ \"$status\" = 0 ] || exit 1\n"
    "set -- \"$HOOK_ARGS1\" \"$HOOK_ARGS2\"\n"
    "chained \"$@\"\n";

static void put_template(ls_buf *b, const char *t, ls_hook_kind kind, const ls_hook_options *o)
{
	for (const char *p = t; *p;) {
		if (!strncmp(p, "@HOOK@", 6)) {
			ls_buf_puts(b, ls_hook_name(kind));
			p += 6;
		} else if (!strncmp(p, "@LEAKSCAN@", 10)) {
			/* single-quoted for the shell */
			ls_buf_putc(b, '\'');
			for (const char *s = o->leakscan_path ? o->leakscan_path : "leakscan"; *s; s++) {
				if (*s == '\'')
					ls_buf_puts(b, "'\\''");
				else
					ls_buf_putc(b, *s);
			}
			ls_buf_putc(b, '\'');
			p += 10;
		} else if (!strncmp(p, "@GLOBAL@", 8)) {
			ls_buf_putc(b, o->global ? '1' : '0');
			p += 8;
		} else {
			ls_buf_putc(b, *p++);
		}
	}
}

char *ls_hook_script(ls_hook_kind kind, const ls_hook_options *opts)
{
	ls_hook_options dflt = LS_HOOK_OPTIONS_INIT;
	const ls_hook_options *o = opts ? opts : &dflt;
	ls_buf b = LS_BUF_INIT;
	put_template(&b, script_head, kind, o);
	switch (kind) {
	case LS_HOOK_PRE_COMMIT: put_template(&b, script_pre_commit, kind, o); break;
	case LS_HOOK_COMMIT_MSG: put_template(&b, script_commit_msg, kind, o); break;
	case LS_HOOK_PRE_PUSH: {
		/* pre-push's own arguments are saved before `set --` reuses them */
		ls_buf_puts(&b, "HOOK_ARGS1=$1 HOOK_ARGS2=$2\n");
		put_template(&b, script_pre_push, kind, o);
		break;
	}
	}
	return ls_buf_detach(&b);
}

int ls_hook_is_ours(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0;
	char buf[512];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strstr(buf, "\n" LS_HOOK_MARKER ":") != NULL;
}

static int exists(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0;
}

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int mkdirs(const char *dir)
{
	char *p = ls_xstrdup(dir);
	int rc = 0;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (mkdir(p, 0777) < 0 && errno != EEXIST)
		rc = -1;
	if (rc == 0 && !is_dir(p))
		rc = -1;
	if (rc < 0)
		ls_error_set("cannot create directory '%s': %s", dir, strerror(errno ? errno : ENOTDIR));
	free(p);
	return rc < 0 ? LS_EIO : 0;
}

/* Writes `text` to `path` with mode 0755 through a temporary file renamed into place. */
static int write_hook(const char *path, const char *text)
{
	char *tmp = ls_xasprintf("%s.leakscan-tmp.XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		ls_error_set("cannot write '%s': %s", path, strerror(errno));
		free(tmp);
		return LS_EIO;
	}
	size_t len = strlen(text), off = 0;
	int ok = 1;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ok = 0;
			break;
		}
		off += (size_t)n;
	}
	if (fchmod(fd, 0755) < 0)
		ok = 0;
	if (close(fd) < 0)
		ok = 0;
	if (ok && rename(tmp, path) < 0)
		ok = 0;
	if (!ok) {
		ls_error_set("cannot write '%s': %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return ok ? 0 : LS_EIO;
}

int ls_hook_install(const char *dir, ls_hook_kind kind, const ls_hook_options *opts, ls_buf *msg)
{
	const char *name = ls_hook_name(kind);
	char *dpath = ls_xasprintf("%s/%s.d", dir, name);
	char *path = NULL, *chained = NULL, *script = NULL;
	int err = mkdirs(dir);
	if (err < 0)
		goto done;
	if (is_dir(dpath))
		path = ls_xasprintf("%s/leakscan", dpath);
	else
		path = ls_xasprintf("%s/%s", dir, name);
	chained = ls_xasprintf("%s%s", path, LS_HOOK_CHAINED_SUFFIX);
	script = ls_hook_script(kind, opts);

	if (exists(path) && ls_hook_is_ours(path)) {
		if (!opts->force) {
			ls_buf_printf(msg, "%s: already installed at %s (--force rewrites it)\n", name, path);
			goto done;
		}
		if ((err = write_hook(path, script)) < 0)
			goto done;
		ls_buf_printf(msg, "%s: reinstalled %s\n", name, path);
		goto done;
	}
	if (exists(path)) {
		/* someone else's hook: never overwritten, run after ours */
		if (exists(chained)) {
			ls_error_set("%s: cannot chain '%s': '%s' already exists", name, path, chained);
			err = LS_EINVAL;
			goto done;
		}
		if (rename(path, chained) < 0) {
			ls_error_set("cannot move '%s' aside: %s", path, strerror(errno));
			err = LS_EIO;
			goto done;
		}
		if ((err = write_hook(path, script)) < 0) {
			rename(chained, path);
			goto done;
		}
		ls_buf_printf(msg, "%s: installed %s (the previous hook runs after it, kept as %s)\n",
		              name, path, chained);
		goto done;
	}
	if ((err = write_hook(path, script)) < 0)
		goto done;
	ls_buf_printf(msg, "%s: installed %s\n", name, path);
done:
	free(dpath);
	free(path);
	free(chained);
	free(script);
	return err;
}

int ls_hook_uninstall(const char *dir, ls_hook_kind kind, ls_buf *msg)
{
	const char *name = ls_hook_name(kind);
	char *paths[2] = {ls_xasprintf("%s/%s.d/leakscan", dir, name), ls_xasprintf("%s/%s", dir, name)};
	int err = 0, done_any = 0;
	for (int i = 0; i < 2; i++) {
		char *chained = ls_xasprintf("%s%s", paths[i], LS_HOOK_CHAINED_SUFFIX);
		if (exists(paths[i]) && ls_hook_is_ours(paths[i])) {
			if (exists(chained)) {
				if (rename(chained, paths[i]) < 0) {
					ls_error_set("cannot restore '%s': %s", chained, strerror(errno));
					err = LS_EIO;
				} else {
					ls_buf_printf(msg, "%s: removed %s and restored the previous hook\n", name, paths[i]);
				}
			} else if (unlink(paths[i]) < 0) {
				ls_error_set("cannot remove '%s': %s", paths[i], strerror(errno));
				err = LS_EIO;
			} else {
				ls_buf_printf(msg, "%s: removed %s\n", name, paths[i]);
			}
			done_any = 1;
		} else if (exists(paths[i]) && i == 1) {
			ls_buf_printf(msg, "%s: %s was not installed by leakscan, left alone\n", name, paths[i]);
			done_any = 1;
		}
		free(chained);
	}
	if (!done_any)
		ls_buf_printf(msg, "%s: not installed\n", name);
	free(paths[0]);
	free(paths[1]);
	return err;
}

void ls_hook_status(const char *dir, ls_hook_kind kind, ls_buf *msg)
{
	const char *name = ls_hook_name(kind);
	char *dpath = ls_xasprintf("%s/%s.d/leakscan", dir, name);
	char *path = ls_xasprintf("%s/%s", dir, name);
	char *chained = ls_xasprintf("%s%s", path, LS_HOOK_CHAINED_SUFFIX);
	if (exists(dpath) && ls_hook_is_ours(dpath))
		ls_buf_printf(msg, "%s: leakscan (%s)\n", name, dpath);
	else if (exists(path) && ls_hook_is_ours(path))
		ls_buf_printf(msg, "%s: leakscan (%s)%s%s\n", name, path,
		              exists(chained) ? ", then the previous hook " : "", exists(chained) ? chained : "");
	else if (exists(path))
		ls_buf_printf(msg, "%s: other hook, not leakscan (%s)\n", name, path);
	else
		ls_buf_printf(msg, "%s: not installed\n", name);
	free(dpath);
	free(path);
	free(chained);
}

int ls_hook_run_git(ls_buf *out, const char *const argv[], int quiet)
{
	int pfd[2] = {-1, -1};
	int raw = quiet & 2;
	quiet &= 1;
	if (out && pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		if (out) {
			close(pfd[0]);
			close(pfd[1]);
		}
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		if (out)
			dup2(pfd[1], 1);
		else if (quiet && devnull >= 0)
			dup2(devnull, 1);
		if (quiet && devnull >= 0)
			dup2(devnull, 2);
		execvp("git", (char *const *)argv);
		_exit(127);
	}
	if (out) {
		close(pfd[1]);
		ls_buf_grow(out, 1);
		out->ptr[out->len] = '\0';
		char buf[4096];
		for (;;) {
			ssize_t n = read(pfd[0], buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			ls_buf_put(out, buf, (size_t)n);
		}
		close(pfd[0]);
		while (!raw && out->len && out->ptr[out->len - 1] == '\n')
			out->ptr[--out->len] = '\0';
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status) == 127 ? -1 : WEXITSTATUS(status);
	return -1;
}

int ls_hook_run_git_input(ls_buf *out, const char *const argv[], const char *input, size_t len, int quiet)
{
	/* the input goes through an unlinked temporary file: git reads it at its own pace */
	int fd = ls_temp_fd("git-input");
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, input + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	lseek(fd, 0, SEEK_SET);
	int saved = dup(0);
	if (saved < 0 || dup2(fd, 0) < 0) {
		close(fd);
		if (saved >= 0)
			close(saved);
		return -1;
	}
	close(fd);
	int rc = ls_hook_run_git(out, argv, quiet);
	dup2(saved, 0);
	close(saved);
	return rc;
}

/* ---- git-secrets: EREs ---- */

char *ls_gs_literal(const char *s)
{
	ls_buf b = LS_BUF_INIT;
	ls_buf_puts(&b, "");
	for (; *s; s++) {
		if (strchr("\\.|$(){}?+*^", *s))
			ls_buf_putc(&b, '\\');
		ls_buf_putc(&b, *s);
	}
	return ls_buf_detach(&b);
}

static void put_lit(ls_buf *b, unsigned char c)
{
	if (c >= 0x80 || c < 0x20 || c == 0x7f)
		ls_buf_printf(b, "\\x%02x", c);
	else if (strchr("\\^$.|?*+()[]{}", c))
		ls_buf_printf(b, "\\%c", c);
	else
		ls_buf_putc(b, (char)c);
}

static const char *const posix_classes[] = {"alpha", "upper", "lower", "digit", "xdigit", "space",
                                            "print", "punct", "graph", "cntrl", "blank", "alnum"};

/* A bracket expression at s[0] == '['; appends the PCRE2 class, returns the length read. */
static int bracket(ls_buf *b, const char *s, size_t *used)
{
	size_t j = 1;
	ls_buf_putc(b, '[');
	if (s[j] == '^') {
		ls_buf_putc(b, '^');
		j++;
	}
	int first = 1;
	while (first || s[j] != ']') {
		if (!s[j])
			return ls_error_set("Unmatched [, [^, [:, [., or [=");
		unsigned char c = (unsigned char)s[j];
		if (c == '[' && (s[j + 1] == ':' || s[j + 1] == '.' || s[j + 1] == '=')) {
			char kind = s[j + 1];
			const char *end = s + j + 2;
			while (*end && !(end[0] == kind && end[1] == ']'))
				end++;
			if (!*end)
				return ls_error_set("Unmatched [, [^, [:, [., or [=");
			size_t nlen = (size_t)(end - (s + j + 2));
			if (kind == ':') {
				int ok = 0;
				for (size_t k = 0; k < sizeof(posix_classes) / sizeof(*posix_classes); k++)
					if (strlen(posix_classes[k]) == nlen && !strncmp(posix_classes[k], s + j + 2, nlen))
						ok = 1;
				if (!ok)
					return ls_error_set("Invalid character class name");
				ls_buf_put(b, s + j, nlen + 4);
			} else {
				if (nlen != 1)
					return ls_error_set("Invalid collation character");
				ls_buf_printf(b, "\\x%02x", (unsigned char)s[j + 2]);
			}
			j += nlen + 4;
			first = 0;
			continue;
		}
		if (s[j + 1] == '-' && s[j + 2] && s[j + 2] != ']') {
			unsigned char d = (unsigned char)s[j + 2];
			if (d == '[')
				return ls_error_set("range ending in a bracket item");
			if (d < c)
				return ls_error_set("Invalid range end");
			ls_buf_printf(b, "\\x%02x-\\x%02x", c, d);
			j += 3;
		} else {
			ls_buf_printf(b, "\\x%02x", c);
			j++;
		}
		first = 0;
	}
	ls_buf_putc(b, ']');
	*used = j + 1;
	return 0;
}

/* Parses an interval at s[0] == '{': sets lo/hi (-1: none); returns its length or 0. */
static size_t interval(const char *s, long *lo, long *hi)
{
	size_t j = 1;
	*lo = -1;
	*hi = -1;
	if (s[j] >= '0' && s[j] <= '9') {
		*lo = 0;
		for (; s[j] >= '0' && s[j] <= '9'; j++)
			if (*lo <= 100000) /* saturates: anything above RE_DUP_MAX is refused */
				*lo = *lo * 10 + (s[j] - '0');
	}
	if (s[j] == '}')
		return *lo < 0 ? 0 : (*hi = *lo, j + 1);
	if (s[j] != ',')
		return 0;
	j++;
	if (s[j] >= '0' && s[j] <= '9') {
		*hi = 0;
		for (; s[j] >= '0' && s[j] <= '9'; j++)
			if (*hi <= 100000)
				*hi = *hi * 10 + (s[j] - '0');
	}
	if (s[j] != '}')
		return 0;
	if (*lo < 0)
		*lo = 0;
	if (*hi >= 0 && *hi < *lo)
		return 0;
	return j + 1;
}

/* grep: GNU grep -E's reading (a repetition of nothing is dropped, with grep's warning
 * appended to `warn`); otherwise the C library's (the caller has checked it with regcomp). */
static int translate(ls_buf *out, const char *ere, int grep, ls_buf *warn)
{
	ls_buf b = LS_BUF_INIT;
	size_t groups[256];
	unsigned numbers[256];
	unsigned opened = 0, closed = 0; /* groups opened so far; bit N: group N is closed */
	int depth = 0;
	long atom = -1;     /* where the last quantifiable item starts in b, or -1 */
	int quantified = 0; /* the last item already has a quantifier */
	int err = 0;
	ls_buf_puts(&b, "");
	for (size_t i = 0; ere[i];) {
		unsigned char c = (unsigned char)ere[i];
		size_t here = b.len;
		switch (c) {
		case '\\': {
			unsigned char n = (unsigned char)ere[i + 1];
			if (!n) {
				err = ls_error_set("Trailing backslash");
				goto done;
			}
			i += 2;
			quantified = 0;
			atom = (long)here;
			if (n >= '1' && n <= '9') {
				/* as regcomp: only a group already closed can be referred to */
				if (!(closed & (1u << (n - '0')))) {
					err = ls_error_set("Invalid back reference");
					goto done;
				}
				ls_buf_printf(&b, "(?:\\%c)", n);
			} else if (strchr("wWsS", n)) {
				ls_buf_printf(&b, "\\%c", n);
			} else if (n == 'b' || n == 'B') {
				ls_buf_printf(&b, "\\%c", n);
				atom = -1;
			} else if (n == '<') {
				ls_buf_puts(&b, "\\b(?=\\w)");
				atom = -1;
			} else if (n == '>') {
				ls_buf_puts(&b, "\\b(?<=\\w)");
				atom = -1;
			} else if (n == '`') {
				ls_buf_puts(&b, "\\A");
				atom = -1;
			} else if (n == '\'') {
				ls_buf_puts(&b, "\\z");
				atom = -1;
			} else {
				put_lit(&b, n);
			}
			continue;
		}
		case '[': {
			size_t used = 0;
			if ((err = bracket(&b, ere + i, &used)) < 0)
				goto done;
			i += used;
			atom = (long)here;
			quantified = 0;
			continue;
		}
		case '(':
			if (depth == (int)(sizeof(groups) / sizeof(*groups))) {
				err = ls_error_set("too many nested groups");
				goto done;
			}
			numbers[depth] = ++opened;
			groups[depth++] = here;
			ls_buf_putc(&b, '(');
			atom = -1;
			i++;
			continue;
		case ')':
			if (!depth) {
				err = ls_error_set("Unmatched ) or \\)");
				goto done;
			}
			ls_buf_putc(&b, ')');
			depth--;
			if (numbers[depth] < 32)
				closed |= 1u << numbers[depth];
			atom = (long)groups[depth];
			quantified = 0;
			i++;
			continue;
		case '|':
			ls_buf_putc(&b, '|');
			atom = -1;
			i++;
			continue;
		case '^':
		case '$':
			ls_buf_putc(&b, (char)c);
			atom = -1;
			i++;
			continue;
		case '.':
			ls_buf_putc(&b, '.');
			atom = (long)here;
			quantified = 0;
			i++;
			continue;
		case '*':
		case '+':
		case '?':
		case '{': {
			long lo = 0, hi = 0;
			size_t ilen = c == '{' ? interval(ere + i, &lo, &hi) : 1;
			if (c == '{' && ilen && (lo > 32767 || hi > 32767)) {
				/* RE_DUP_MAX, as the C library and grep */
				err = ls_error_set("Regular expression too big");
				goto done;
			}
			if (atom < 0 && grep && ilen) {
				/* GNU grep: a repetition of nothing (at the start, after '(' or '|', or of
				 * an anchor) repeats the empty string; `^*` makes the anchor optional */
				if (warn)
					ls_buf_printf(warn, "grep: warning: %s at start of expression\n",
					              c == '{' ? "{...}" : c == '*' ? "*" : c == '+' ? "+" : "?");
				if (b.len && b.ptr[b.len - 1] == '^' && (b.len == 1 || b.ptr[b.len - 2] != '\\'))
					b.ptr[--b.len] = '\0';
				i += ilen;
				continue;
			}
			if (atom < 0 || ilen == 0) {
				/* nothing to repeat, or not an interval: a literal character */
				put_lit(&b, c);
				atom = (long)here;
				quantified = 0;
				i++;
				continue;
			}
			if (quantified) {
				/* ERE a** or a+? repeat the repetition; PCRE2 would read them as possessive or lazy */
				ls_buf tmp = LS_BUF_INIT;
				ls_buf_puts(&tmp, "(?:");
				ls_buf_put(&tmp, b.ptr + atom, b.len - (size_t)atom);
				ls_buf_putc(&tmp, ')');
				b.len = (size_t)atom;
				ls_buf_put(&b, tmp.ptr, tmp.len);
				ls_buf_dispose(&tmp);
			}
			if (c == '{') {
				if (hi < 0)
					ls_buf_printf(&b, "{%ld,}", lo);
				else if (hi == lo)
					ls_buf_printf(&b, "{%ld}", lo);
				else
					ls_buf_printf(&b, "{%ld,%ld}", lo, hi);
			} else {
				ls_buf_putc(&b, (char)c);
			}
			quantified = 1;
			i += ilen;
			continue;
		}
		default:
			put_lit(&b, c);
			atom = (long)here;
			quantified = 0;
			i++;
			continue;
		}
	}
	if (depth) {
		err = ls_error_set("Unmatched ( or \\(");
		goto done;
	}
	ls_buf_put(out, b.ptr, b.len);
done:
	ls_buf_dispose(&b);
	return err < 0 ? LS_EINVAL : 0;
}

int ls_ere_to_pcre2(ls_buf *out, const char *ere) { return translate(out, ere, 0, NULL); }

typedef struct {
	pcre2_code *re;          /* NULL: use posix */
	pcre2_match_data *md;
	pcre2_code *pre;         /* multi-line, JIT: can any line match at all? NULL: maybe */
	pcre2_match_data *pre_md;
	char *pre_src;           /* its source, for the Hyperscan prefilter */
	regex_t posix;
	int has_posix;
	int backref;
} ere_one;

struct ls_ere {
	ls_ere_mode mode;
	ere_one *v;
	size_t n;
	hs_database_t *hs;       /* every `pre` at once (a superset), or NULL: each pre in turn */
	hs_scratch_t *hs_scratch;
	int ws[4096];
};

void ls_ere_free(ls_ere *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n; i++) {
		pcre2_code_free(e->v[i].re);
		pcre2_code_free(e->v[i].pre);
		pcre2_match_data_free(e->v[i].pre_md);
		free(e->v[i].pre_src);
		pcre2_match_data_free(e->v[i].md);
		if (e->v[i].has_posix)
			regfree(&e->v[i].posix);
	}
	free(e->v);
	hs_free_scratch(e->hs_scratch);
	hs_free_database(e->hs);
	free(e);
}

static int compile_one(ere_one *o, const char *ere, ls_ere_mode mode, ls_buf *notes)
{
	int grep = mode != LS_ERE_GIT_GREP_WORDS;
	int rc = regcomp(&o->posix, ere, REG_EXTENDED);
	char msg[256] = "";
	if (rc != 0)
		regerror(rc, &o->posix, msg, sizeof(msg));
	else
		o->has_posix = 1;
	if (rc != 0 && !grep)
		return ls_error_set("%s", msg), LS_EINVAL;
	ls_buf t = LS_BUF_INIT, warn = LS_BUF_INIT;
	ls_buf_puts(&t, "");
	int terr = translate(&t, ere, grep, &warn);
	if (rc != 0 && terr < 0) {
		/* invalid for GNU grep too: the C library's message, as grep prints it */
		ls_buf_dispose(&t);
		ls_buf_dispose(&warn);
		return ls_error_set("%s", msg), LS_EINVAL;
	}
	ls_buf_put(notes, warn.ptr ? warn.ptr : "", warn.len);
	ls_buf_dispose(&warn);
	for (const char *p = ere; *p; p++)
		if (p[0] == '\\' && p[1] && (o->backref |= p[1] >= '1' && p[1] <= '9', 1))
			p++;
	if (terr == 0) {
		ls_buf pat = LS_BUF_INIT;
		if (mode == LS_ERE_GREP_WORDS)
			ls_buf_printf(&pat, "(?<![A-Za-z0-9_])(?:%s)(?![A-Za-z0-9_])", t.ptr);
		else
			ls_buf_printf(&pat, "(?:%s)", t.ptr);
		int ec;
		PCRE2_SIZE eo;
		pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
		pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
		o->re = pcre2_compile((PCRE2_SPTR)pat.ptr, pat.len, PCRE2_DOLLAR_ENDONLY | PCRE2_DOTALL, &ec, &eo, cc);
		if (o->re && mode != LS_ERE_GIT_GREP_WORDS)
			pcre2_jit_compile(o->re, PCRE2_JIT_COMPLETE); /* optional: interpreted otherwise */
		/* the prefilter sees a whole file: ^ and $ at line ends, . not across lines; \` and
		 * \' (buffer start and end) would mean something else there: no prefilter then */
		if (o->re && !strstr(t.ptr, "\\A") && !strstr(t.ptr, "\\z")) {
			o->pre = pcre2_compile((PCRE2_SPTR)pat.ptr, pat.len, PCRE2_MULTILINE, &ec, &eo, cc);
			if (o->pre) {
				pcre2_jit_compile(o->pre, PCRE2_JIT_COMPLETE);
				o->pre_md = pcre2_match_data_create(1, NULL);
				o->pre_src = ls_xstrdup(pat.ptr);
			}
		}
		pcre2_compile_context_free(cc);
		ls_buf_dispose(&pat);
		if (o->re && mode == LS_ERE_GIT_GREP_WORDS && o->backref) {
			/* the DFA matcher cannot do back-references: the C library can */
			pcre2_code_free(o->re);
			o->re = NULL;
		}
		if (o->re)
			o->md = pcre2_match_data_create(4, NULL);
	}
	if (!o->re && !o->has_posix) {
		ls_buf_dispose(&t);
		return ls_error_set("%s", msg[0] ? msg : "cannot compile the pattern"), LS_EINVAL;
	}
	if (!o->re && !(mode == LS_ERE_GIT_GREP_WORDS && o->backref))
		ls_buf_printf(notes, "leakscan: pattern '%s' is matched by the C library's regex engine (%s)\n", ere,
		              terr ? ls_error_last() : "PCRE2 cannot compile its translation");
	ls_buf_dispose(&t);
	return 0;
}

/*
 * The whole-file test of ls_ere_may_match as one Hyperscan database in prefilter mode (a
 * superset of the PCRE2 prefilters; it stops at the first candidate). A file is scanned
 * many times faster than by each JIT prefilter in turn, which matters when every blob of a
 * history goes through it. Patterns Hyperscan cannot take keep the PCRE2 prefilters.
 */
static void compile_prefilter(ls_ere *e)
{
	if (!e->n)
		return;
	const char **src = ls_xcalloc(e->n, sizeof(char *));
	unsigned *flags = ls_xcalloc(e->n, sizeof(unsigned)), *ids = ls_xcalloc(e->n, sizeof(unsigned));
	size_t k = 0;
	for (; k < e->n && e->v[k].pre_src; k++) {
		src[k] = e->v[k].pre_src;
		flags[k] = HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH | HS_FLAG_MULTILINE | HS_FLAG_ALLOWEMPTY;
		ids[k] = (unsigned)k;
	}
	hs_compile_error_t *cerr = NULL;
	if (k == e->n &&
	    hs_compile_multi(src, flags, ids, (unsigned)k, HS_MODE_BLOCK, NULL, &e->hs, &cerr) == HS_SUCCESS) {
		if (hs_alloc_scratch(e->hs, &e->hs_scratch) != HS_SUCCESS) {
			hs_free_database(e->hs);
			e->hs = NULL;
		}
	} else {
		hs_free_compile_error(cerr);
		e->hs = NULL;
	}
	free(src);
	free(flags);
	free(ids);
}

static int stop_at_first(unsigned id, unsigned long long from, unsigned long long to, unsigned fl, void *ctx)
{
	(void)id, (void)from, (void)to, (void)fl;
	*(int *)ctx = 1;
	return 1;
}

int ls_ere_new(ls_ere **out, const char *const *patterns, size_t n, ls_ere_mode mode, char **notes)
{
	ls_ere *e = ls_xcalloc(1, sizeof(*e));
	ls_buf fb = LS_BUF_INIT;
	int err = 0;
	e->mode = mode;
	if (mode == LS_ERE_GIT_GREP_WORDS) {
		/* git-secrets joins the patterns with '|' into one ERE */
		ls_buf joined = LS_BUF_INIT;
		ls_buf_puts(&joined, "");
		for (size_t i = 0; i < n; i++)
			ls_buf_printf(&joined, "%s%s", i ? "|" : "", patterns[i]);
		e->v = ls_xcalloc(1, sizeof(ere_one));
		e->n = n ? 1 : 0;
		if (n)
			err = compile_one(&e->v[0], joined.ptr, mode, &fb);
		ls_buf_dispose(&joined);
	} else {
		e->v = ls_xcalloc(n ? n : 1, sizeof(ere_one));
		for (size_t i = 0; i < n && !err; i++, e->n++)
			err = compile_one(&e->v[i], patterns[i], mode, &fb);
	}
	if (err < 0) {
		ls_ere_free(e);
		ls_buf_dispose(&fb);
		return err;
	}
	compile_prefilter(e);
	if (notes)
		*notes = fb.len ? ls_buf_detach(&fb) : NULL;
	ls_buf_dispose(&fb);
	*out = e;
	return 0;
}

static int is_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Leftmost-longest match at or after `off`: 1 and the bounds, or 0. */
static int longest(ls_ere *e, ere_one *o, const char *line, size_t len, size_t off, size_t *so, size_t *eo)
{
	if (o->re) {
		int rc = pcre2_dfa_match(o->re, (PCRE2_SPTR)line, len, off, 0, o->md, NULL, e->ws,
		                         sizeof(e->ws) / sizeof(*e->ws));
		if (rc >= 0) {
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(o->md);
			*so = ov[0];
			*eo = ov[1];
			return 1;
		}
		if (rc == PCRE2_ERROR_NOMATCH)
			return 0;
		/* out of DFA workspace or limits: the C library's engine decides */
	}
	regmatch_t m[1];
	m[0].rm_so = (regoff_t)off;
	m[0].rm_eo = (regoff_t)len;
	int flags = REG_STARTEND | (off ? REG_NOTBOL : 0);
	if (regexec(&o->posix, line, 1, m, flags) != 0)
		return 0;
	*so = (size_t)m[0].rm_so;
	*eo = (size_t)m[0].rm_eo;
	return 1;
}

/* grep -w for the C library's engine: every match end at every start, as GNU grep tries them. */
static int posix_words(ere_one *o, const char *line, size_t len)
{
	for (size_t start = 0; start <= len; start++) {
		regmatch_t m[1];
		m[0].rm_so = (regoff_t)start;
		m[0].rm_eo = (regoff_t)len;
		if (regexec(&o->posix, line, 1, m, REG_STARTEND | (start ? REG_NOTBOL : 0)) != 0)
			return 0;
		size_t so = (size_t)m[0].rm_so, end = (size_t)m[0].rm_eo;
		for (;;) {
			if ((so == 0 || !is_word((unsigned char)line[so - 1])) &&
			    (end == len || !is_word((unsigned char)line[end])))
				return 1;
			if (end == so)
				break;
			/* a shorter match anchored at so */
			regmatch_t s[1];
			s[0].rm_so = (regoff_t)so;
			s[0].rm_eo = (regoff_t)(end - 1);
			if (regexec(&o->posix, line, 1, s, REG_STARTEND | REG_NOTEOL | (so ? REG_NOTBOL : 0)) != 0 ||
			    (size_t)s[0].rm_so != so)
				break;
			end = (size_t)s[0].rm_eo;
		}
		start = so;
	}
	return 0;
}

int ls_ere_may_match(ls_ere *e, const char *buf, size_t len)
{
	if (e->hs && len <= UINT_MAX) {
		int hit = 0;
		hs_error_t rc = hs_scan(e->hs, buf, (unsigned)len, 0, e->hs_scratch, stop_at_first, &hit);
		if (rc == HS_SUCCESS || rc == HS_SCAN_TERMINATED)
			return hit;
		/* otherwise: the PCRE2 prefilters decide */
	}
	for (size_t i = 0; i < e->n; i++) {
		ere_one *o = &e->v[i];
		if (!o->pre || pcre2_match(o->pre, (PCRE2_SPTR)buf, len, 0, 0, o->pre_md, NULL) != PCRE2_ERROR_NOMATCH)
			return 1;
	}
	return 0;
}

int ls_ere_match_line(ls_ere *e, const char *line, size_t len)
{
	if (e->mode == LS_ERE_GIT_GREP_WORDS) {
		if (!e->n)
			return 0;
		ere_one *o = &e->v[0];
		size_t off = 0, so, eo;
		/* most lines do not match at all: the JIT-compiled test is much cheaper than the DFA */
		if (o->pre && pcre2_match(o->pre, (PCRE2_SPTR)line, len, 0, 0, o->pre_md, NULL) == PCRE2_ERROR_NOMATCH)
			return 0;
		/* git grep -w (grep.c): the leftmost-longest match must have non-word characters (or
		 * the line's ends) on both sides and not be empty; otherwise look again after the
		 * next non-word character */
		while (longest(e, o, line, len, off, &so, &eo)) {
			if ((so == 0 || !is_word((unsigned char)line[so - 1])) &&
			    (eo == len || !is_word((unsigned char)line[eo])) && so != eo)
				return 1;
			if (so + 1 >= len)
				return 0;
			off = so + 1;
			while (off < len && is_word((unsigned char)line[off - 1]))
				off++;
			if (off >= len)
				return 0;
		}
		return 0;
	}
	for (size_t i = 0; i < e->n; i++) {
		ere_one *o = &e->v[i];
		if (o->re) {
			if (pcre2_match(o->re, (PCRE2_SPTR)line, len, 0, 0, o->md, NULL) >= 0)
				return 1;
			continue;
		}
		if (e->mode == LS_ERE_GREP_WORDS) {
			if (posix_words(o, line, len))
				return 1;
			continue;
		}
		regmatch_t m[1];
		m[0].rm_so = 0;
		m[0].rm_eo = (regoff_t)len;
		if (regexec(&o->posix, line, 1, m, REG_STARTEND) == 0)
			return 1;
	}
	return 0;
}
