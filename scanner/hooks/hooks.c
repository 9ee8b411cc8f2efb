#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
    LS_HOOK_SUM ": 0000000000000000\n"
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
    "# broken WHAT [FIX]: the scan could not run; fail closed unless leakscan.failOpen\n"
    "broken() {\n"
    "\techo \"leakscan: $hook hook: $1\" >&2\n"
    "\tif [ \"$(git config --type=bool leakscan.failOpen 2>/dev/null)\" = true ]; then\n"
    "\t\techo \"leakscan: $hook hook: leakscan.failOpen is true: going on WITHOUT a secret scan\" >&2\n"
    "\t\treturn 0\n"
    "\tfi\n"
    "\techo \"leakscan: $hook hook: refusing because the secret scan could not run (fail closed);\" >&2\n"
    "\techo \"leakscan: $hook hook: ${2:-reinstall leakscan and run 'leakscan hook install --force'}, or allow\" >&2\n"
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
    "  A false positive? Add a comment with 'leakscan:allow' on that line, add the finding's\n"
    "  [fingerprint ...] to .leakscanignore at the top of the repository, or list it in the\n"
    "  allowlist of .leakscan.yaml there.\n"
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
    "\telif [ \"$rc\" = 2 ]; then\n"
    "\t\tbroken \"the scan stopped on the error above (exit status 2)\" \\\n"
    "\t\t\t\"fix what that error names (.leakscan.yaml, a rule file, .leakscanignore) and try again\"\n"
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
    "\tgit --staged --redact -q || exit 1\n"
    "chained \"$@\"\n";

/*
 * commit-msg: the message as git will record it ('leakscan hook clean-message'): what git
 * strips (comments, the diff `git commit -v` appends below its scissors line) only when the
 * hook can tell that git strips it, from commit.cleanup, core.commentChar and commit.verbose.
 */
static const char script_commit_msg[] =
    "msg=$(mktemp \"${TMPDIR:-/tmp}/leakscan-commit-msg.XXXXXX\") || exit 1\n"
    "trap 'rm -f \"$msg\"' EXIT\n"
    "if [ -z \"$leakscan\" ] || \"$leakscan\" hook clean-message \"$1\" >\"$msg\"; then\n"
    "\tscan \"commit refused: the commit message contains what looks like a secret.\" \\\n"
    "\t\t\"edit the message (it is saved in $1) and commit again.\" \"git commit\" \\\n"
    "\t\tgit --message \"$msg\" --redact -q || exit 1\n"
    "else\n"
    "\tbroken \"'$leakscan' could not read the commit message\" || exit 1\n"
    "fi\n"
    "chained \"$@\"\n";

/*
 * pre-push: 'leakscan hook push-plan' reads the `<local ref> <local sha> <remote ref>
 * <remote sha>` lines and prints what to scan: each annotated tag's message, and the
 * commits the destination does not have (B..local for each boundary commit B, or the whole
 * history of local). Known to be on the destination: its own remote-tracking refs and the
 * remote shas of the lines, nothing else. Deleting a ref pushes nothing.
 */
static const char script_pre_push[] =
    "input=$(mktemp \"${TMPDIR:-/tmp}/leakscan-pre-push.XXXXXX\") || exit 1\n"
    "trap 'rm -f \"$input\" \"$input.tag\" \"$input.plan\"' EXIT\n"
    "cat >\"$input\"\n"
    "status=0\n"
    "if [ -z \"$leakscan\" ]; then\n"
    "\tbroken \"leakscan not found: '$missing' does not exist and no leakscan in PATH\" || exit 1\n"
    "elif ! \"$leakscan\" hook push-plan \"$HOOK_ARGS1\" \"$HOOK_ARGS2\" <\"$input\" >\"$input.plan\"; then\n"
    "\tbroken \"'$leakscan' could not list the commits to push\" || exit 1\n"
    "else\n"
    "\twhile read -r kind obj ref; do\n"
    "\t\tif [ \"$kind\" = tag ]; then\n"
    "\t\t\tgit cat-file tag \"$obj\" | sed '1,/^$/d' >\"$input.tag\"\n"
    "\t\t\tscan \"push refused: the message of $ref contains what looks like a secret.\" \\\n"
    "\t\t\t\t\"recreate the tag without it (git tag -d, git tag -a) and push again.\" \\\n"
    "\t\t\t\t\"git push\" git --redact -q --message \"$input.tag\" --label \"<tag message: ${ref#refs/tags/}>\" \\\n"
    "\t\t\t\t</dev/null || { status=1; break; }\n"
    "\t\t\tcontinue\n"
    "\t\tfi\n"
    "\t\tcase $obj in *..*) set -- --range \"$obj\" ;; *) set -- --branch \"$obj\" ;; esac\n"
    "\t\tscan \"push refused: commits about to be pushed to $ref contain what looks like a secret.\" \\\n"
    "\t\t\t\"rewrite those commits without it (git rebase -i, git commit --amend) and push again.\" \\\n"
    "\t\t\t\"git push\" git --redact -q \"$@\" </dev/null || { status=1; break; }\n"
    "\tdone <\"$input.plan\"\n"
    "fi\n"
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

/*
 * The sum line holds the first 16 hex digits of the SHA-256 of the script with those digits
 * as zeros: a hook whose sum does not match was edited after leakscan wrote it. With
 * `write` the digits are filled in; returns 1 if they match, 0 if not, -1 if there is no
 * such line (a hook written before leakscan added it).
 */
static int seal(char *text, size_t len, int write)
{
	static const char tag[] = "\n" LS_HOOK_SUM ": ";
	const size_t tlen = sizeof(tag) - 1;
	char *at = NULL;
	for (size_t i = 0; i + tlen + 17 <= len; i++) {
		if (!memcmp(text + i, tag, tlen) && text[i + tlen + 16] == '\n') {
			at = text + i + tlen;
			break;
		}
	}
	if (!at)
		return -1;
	char was[16], hex[65];
	memcpy(was, at, 16);
	memset(at, '0', 16);
	ls_sha256_hex(hex, text, len);
	memcpy(at, write ? hex : was, 16);
	return !memcmp(was, hex, 16) || write;
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
	seal(b.ptr, b.len, 1);
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

int ls_hook_is_edited(const char *path)
{
	ls_buf b = LS_BUF_INIT;
	struct stat st;
	/* only a regular file can be leakscan's intact hook */
	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) || ls_read_file(&b, path) < 0) {
		ls_error_clear();
		ls_buf_dispose(&b);
		return 1;
	}
	int intact = seal(b.ptr, b.len, 0);
	ls_buf_dispose(&b);
	return intact < 0 ? 2 : !intact;
}

/*
 * Moves the edited hook `path` aside to `<path>.leakscan-edited` (or .leakscan-edited.N if
 * that is taken: nothing is replaced); inside a <hook>.d/ directory the copy loses its
 * execute bits so that the dispatcher does not run it. `*kept` gets the new name.
 */
static int keep_edited(const char *path, char **kept)
{
	*kept = NULL;
	for (int n = 1; n < 100; n++) {
		char *to = n == 1 ? ls_xasprintf("%s%s", path, LS_HOOK_EDITED_SUFFIX)
		                  : ls_xasprintf("%s%s.%d", path, LS_HOOK_EDITED_SUFFIX, n);
		/* link() refuses to replace; rename() where hard links are not supported */
		int ok = link(path, to) == 0 && unlink(path) == 0;
		if (!ok && errno != EEXIST && !exists(to))
			ok = rename(path, to) == 0;
		if (ok) {
			char *slash = strrchr(to, '/');
			size_t dl = slash ? (size_t)(slash - to) : 0;
			struct stat st;
			if (dl > 2 && !memcmp(to + dl - 2, ".d", 2) && stat(to, &st) == 0)
				chmod(to, st.st_mode & 07666);
			*kept = to;
			return 0;
		}
		int e = errno;
		free(to);
		if (e != EEXIST) {
			ls_error_set("cannot keep the edited hook '%s': %s", path, strerror(e));
			return LS_EIO;
		}
	}
	ls_error_set("cannot keep the edited hook '%s': too many %s files", path, LS_HOOK_EDITED_SUFFIX);
	return LS_EIO;
}

static void note_kept(ls_buf *warn, const char *name, const char *path, const char *kept, int edited)
{
	if (edited == 2)
		ls_buf_printf(warn, "%s: '%s' has no checksum line (an older leakscan wrote it, or it was edited): kept as '%s'\n",
		              name, path, kept);
	else
		ls_buf_printf(warn, "%s: '%s' was edited after leakscan installed it: kept as '%s'\n", name, path, kept);
}

/* Puts the hook moved aside to `chained` back at `path` (a directory too). */
static int restore(const char *chained, const char *path)
{
	struct stat st;
	if (lstat(chained, &st) == 0 && S_ISDIR(st.st_mode) && exists(path) && unlink(path) < 0) {
		ls_error_set("cannot remove '%s': %s", path, strerror(errno));
		return LS_EIO;
	}
	if (rename(chained, path) < 0) {
		ls_error_set("cannot restore '%s' as '%s': %s", chained, path, strerror(errno));
		return LS_EIO;
	}
	return 0;
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

int ls_hook_install(const char *dir, ls_hook_kind kind, const ls_hook_options *opts, ls_buf *msg, ls_buf *warn)
{
	const char *name = ls_hook_name(kind);
	char *dpath = ls_xasprintf("%s/%s.d", dir, name);
	char *path = NULL, *chained = NULL, *script = NULL, *kept = NULL;
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
			if (ls_hook_is_edited(path) == 2)
				ls_buf_printf(msg, "%s: installed at %s by an older leakscan (--force updates it)\n", name, path);
			else
				ls_buf_printf(msg, "%s: already installed at %s (--force rewrites it)\n", name, path);
			goto done;
		}
		int edited = ls_hook_is_edited(path);
		if (edited) {
			if ((err = keep_edited(path, &kept)) < 0)
				goto done;
			note_kept(warn, name, path, kept, edited);
		}
		if ((err = write_hook(path, script)) < 0)
			goto done;
		ls_buf_printf(msg, "%s: reinstalled %s\n", name, path);
		goto done;
	}
	if (exists(path)) {
		/* someone else's hook (a file, a link, even a directory): never overwritten, moved
		 * aside, run after ours if it is an executable file, put back by uninstall */
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
	if (exists(chained))
		ls_buf_printf(msg, "%s: installed %s (the previous hook, kept as %s, runs after it)\n", name, path, chained);
	else
		ls_buf_printf(msg, "%s: installed %s\n", name, path);
done:
	free(dpath);
	free(path);
	free(chained);
	free(script);
	free(kept);
	return err;
}

/* Uninstalls leakscan's hook at `path` (the hooks directory's or <hook>.d/leakscan). */
static int uninstall_one(const char *name, const char *path, int main_hook, ls_buf *msg, ls_buf *warn, int *seen)
{
	char *chained = ls_xasprintf("%s%s", path, LS_HOOK_CHAINED_SUFFIX), *kept = NULL;
	int have = exists(path), have_chained = exists(chained), err = 0;
	if (have && ls_hook_is_ours(path)) {
		*seen = 1;
		int edited = ls_hook_is_edited(path);
		if (edited) {
			if ((err = keep_edited(path, &kept)) < 0)
				goto done;
			note_kept(warn, name, path, kept, edited);
		}
		if (have_chained) {
			if ((err = restore(chained, path)) == 0)
				ls_buf_printf(msg, "%s: removed %s and restored the previous hook\n", name, path);
		} else if (!kept && unlink(path) < 0) {
			ls_error_set("cannot remove '%s': %s", path, strerror(errno));
			err = LS_EIO;
		} else {
			ls_buf_printf(msg, "%s: removed %s\n", name, path);
		}
	} else if (!have && have_chained) {
		/* leakscan's hook was deleted by hand: the previous one is still aside */
		*seen = 1;
		if ((err = restore(chained, path)) == 0)
			ls_buf_printf(msg, "%s: leakscan's hook was already gone; restored the previous hook %s\n", name, path);
	} else if (have && main_hook) {
		*seen = 1;
		ls_buf_printf(msg, "%s: %s was not installed by leakscan, left alone\n", name, path);
		if (have_chained)
			ls_buf_printf(warn, "%s: the hook leakscan had moved aside is still '%s'\n", name, chained);
	}
done:
	free(chained);
	free(kept);
	return err;
}

int ls_hook_uninstall(const char *dir, ls_hook_kind kind, ls_buf *msg, ls_buf *warn)
{
	const char *name = ls_hook_name(kind);
	char *paths[2] = {ls_xasprintf("%s/%s.d/leakscan", dir, name), ls_xasprintf("%s/%s", dir, name)};
	int err = 0, seen = 0;
	for (int i = 0; i < 2; i++) {
		int e = uninstall_one(name, paths[i], i == 1, msg, warn, &seen);
		if (e < 0 && err == 0)
			err = e;
	}
	if (!seen)
		ls_buf_printf(msg, "%s: not installed\n", name);
	free(paths[0]);
	free(paths[1]);
	return err;
}

static const char *status_note(int edited)
{
	if (edited == 2)
		return ", from an older leakscan or edited ('leakscan hook install --force' updates it)";
	return edited ? ", edited" : "";
}

void ls_hook_status(const char *dir, ls_hook_kind kind, ls_buf *msg)
{
	const char *name = ls_hook_name(kind);
	char *dpath = ls_xasprintf("%s/%s.d/leakscan", dir, name);
	char *path = ls_xasprintf("%s/%s", dir, name);
	char *chained = ls_xasprintf("%s%s", path, LS_HOOK_CHAINED_SUFFIX);
	if (exists(dpath) && ls_hook_is_ours(dpath))
		ls_buf_printf(msg, "%s: leakscan (%s)%s\n", name, dpath, status_note(ls_hook_is_edited(dpath)));
	else if (exists(path) && ls_hook_is_ours(path))
		ls_buf_printf(msg, "%s: leakscan (%s)%s%s%s\n", name, path, status_note(ls_hook_is_edited(path)),
		              exists(chained) ? ", then the previous hook " : "", exists(chained) ? chained : "");
	else if (exists(path))
		ls_buf_printf(msg, "%s: other hook, not leakscan (%s)\n", name, path);
	else if (exists(chained))
		ls_buf_printf(msg, "%s: not installed, but the previous hook is still aside as %s "
		              "('leakscan hook uninstall' puts it back)\n", name, chained);
	else
		ls_buf_printf(msg, "%s: not installed\n", name);
	free(dpath);
	free(path);
	free(chained);
}

/* Runs git with `argv`, its standard input from `in` (an LS_PROC_* value or a descriptor). */
static int run_git(ls_buf *out, const char *const argv[], int in, int quiet)
{
	int pfd[2] = {-1, -1};
	int raw = quiet & 2;
	quiet &= 1;
	if (out && pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid_t pid = ls_proc_spawn(argv, in, out ? pfd[1] : quiet ? LS_PROC_NULL : LS_PROC_INHERIT,
	                          quiet ? LS_PROC_NULL : LS_PROC_INHERIT, NULL);
	if (out)
		close(pfd[1]);
	if (pid < 0) {
		if (out)
			close(pfd[0]);
		return -1;
	}
	if (out) {
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
	int st = ls_proc_wait(pid);
	return st == 127 ? -1 : st;
}

int ls_hook_run_git(ls_buf *out, const char *const argv[], int quiet) { return run_git(out, argv, LS_PROC_INHERIT, quiet); }

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
	int rc = run_git(out, argv, fd, quiet);
	close(fd);
	return rc;
}
