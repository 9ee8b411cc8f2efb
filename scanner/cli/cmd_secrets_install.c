/* git secrets --install: the drop-in's hooks in a repository (see secrets.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "secrets.h"

/* What `tput ARGS` prints (at most n - 1 bytes). Returns its exit status, -1 if there is none. */
static int tput(char *out, size_t n, const char *const argv[])
{
	int pfd[2];
	out[0] = '\0';
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	fflush(stdout);
	pid_t pid = ls_proc_spawn(argv, LS_PROC_NULL, pfd[1], LS_PROC_NULL, NULL);
	close(pfd[1]);
	size_t len = 0;
	ssize_t r;
	while (pid > 0 && len + 1 < n && ((r = read(pfd[0], out + len, n - 1 - len)) > 0 || (r < 0 && errno == EINTR)))
		len += r > 0 ? (size_t)r : 0;
	out[len] = '\0';
	close(pfd[0]);
	return pid > 0 ? ls_proc_wait(pid) : -1;
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
		char on[64], off[64];
		static const char *const green[] = {"tput", "setaf", "2", NULL}, *const plain[] = {"tput", "sgr", "0", NULL};
		if (tput(on, sizeof(on), green) == 0 && tput(off, sizeof(off), plain) == 0)
			printf("%s\u2713%s ", on, off);
	}
	printf("Installed %s hook to %s\n", hook, dest);
	free(dest);
	return 0;
}

int gs_install(gs_state *st)
{
	char *dir;
	if (!st->args.n || !st->args.v[0][0]) {
		ls_buf b = LS_BUF_INIT;
		const char *argv[] = {"git", "rev-parse", "--git-dir", NULL};
		if (gs_run_git(&b, argv) != 0) {
			ls_buf_dispose(&b);
			return gs_die("Not in a Git repository");
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
		rc = gs_die(msg);
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
