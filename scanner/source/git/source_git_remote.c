/* source_git_remote: bare mirrors of clone URLs (clone, then fetch) for bulk scans, which then
 * read them like any repository (source_git_history.c). */
#include "source_git.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <git2.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "url.h"

static const char *git_msg(void)
{
	const git_error *e = git_error_last();
	return e && e->message ? e->message : "unknown error";
}

int ls_git_is_url(const char *spec)
{
	static const char *schemes[] = {"https://", "http://", "ssh://", "git://", "file://", "git+ssh://", "ssh+git://"};
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (!strncmp(spec, schemes[i], strlen(schemes[i])))
			return 1;
	/* scp-like syntax: [user@]host:path, with no slash before the colon */
	const char *colon = strchr(spec, ':');
	if (colon && colon != spec && !memchr(spec, '/', (size_t)(colon - spec)) && colon[1] != '\0')
		return strchr(spec, '@') != NULL && strchr(spec, '@') < colon;
	return 0;
}

/* ---- credentials ---- */

typedef struct {
	int tries;
	const volatile int *stop;
	size_t *received; /* optional: bytes received so far, added to atomically (progress) */
	size_t last;      /* this transfer's received bytes at the last callback */
} remote_ctx;

/* Asks `git credential fill` (the user's helpers; never a terminal prompt) for a user name and
 * password for `url`. Returns 0 and fills user/pass, or -1. */
static int credential_fill(const char *url, char **user, char **pass)
{
	/* stdin through a socket so that a helper exiting early cannot SIGPIPE us (MSG_NOSIGNAL);
	 * both close-on-exec so that helpers spawned by other threads do not inherit them */
	int in[2], outp[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0)
		return -1;
	if (pipe2(outp, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	/* the user's environment, minus anything that could prompt */
	extern char **environ;
	size_t nenv = 0;
	while (environ[nenv])
		nenv++;
	char **env = ls_xcalloc(nenv + 4, sizeof(char *));
	size_t k = 0;
	for (size_t i = 0; i < nenv; i++)
		if (strncmp(environ[i], "GIT_TERMINAL_PROMPT=", 20) && strncmp(environ[i], "GIT_ASKPASS=", 12) &&
		    strncmp(environ[i], "SSH_ASKPASS=", 12))
			env[k++] = environ[i];
	env[k++] = (char *)"GIT_TERMINAL_PROMPT=0";
	env[k++] = (char *)"GIT_ASKPASS=true";
	env[k++] = (char *)"SSH_ASKPASS=true";
	static const char *const argv[] = {"git", "credential", "fill", NULL};
	pid_t pid = ls_proc_spawn(argv, in[0], outp[1], LS_PROC_NULL, env);
	free(env);
	if (pid < 0) {
		close(in[0]), close(in[1]), close(outp[0]), close(outp[1]);
		return -1;
	}
	close(in[0]);
	close(outp[1]);
	char *req = ls_xasprintf("url=%s\n\n", url);
	ssize_t wr = send(in[1], req, strlen(req), MSG_NOSIGNAL);
	(void)wr;
	free(req);
	close(in[1]);
	ls_buf resp = LS_BUF_INIT;
	char chunk[512];
	ssize_t n;
	while ((n = read(outp[0], chunk, sizeof(chunk))) > 0)
		ls_buf_put(&resp, chunk, (size_t)n);
	close(outp[0]);
	int status = ls_proc_wait(pid);
	*user = *pass = NULL;
	for (char *line = resp.ptr; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (!strncmp(line, "username=", 9))
			*user = ls_xstrdup(line + 9);
		else if (!strncmp(line, "password=", 9))
			*pass = ls_xstrdup(line + 9);
		line = nl ? nl + 1 : NULL;
	}
	ls_buf_dispose(&resp);
	if (status != 0 || !*user || !*pass) {
		free(*user), free(*pass);
		*user = *pass = NULL;
		return -1;
	}
	return 0;
}

static int cred_cb(git_credential **out, const char *url, const char *user_from_url, unsigned int allowed,
                   void *payload)
{
	remote_ctx *c = payload;
	/* libgit2 calls again after a rejected credential: give each kind one chance */
	if (c->tries++ >= 2)
		return GIT_EUSER;
	if (allowed & GIT_CREDENTIAL_SSH_KEY)
		return git_credential_ssh_key_from_agent(out, user_from_url ? user_from_url : "git");
	if (allowed & GIT_CREDENTIAL_USERNAME)
		return git_credential_username_new(out, user_from_url ? user_from_url : "git");
	if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && c->tries == 1) {
		char *user = NULL, *pass = NULL;
		if (credential_fill(url, &user, &pass) == 0) {
			int err = git_credential_userpass_plaintext_new(out, user, pass);
			explicit_bzero(pass, strlen(pass));
			free(user);
			free(pass);
			return err;
		}
	}
	return GIT_PASSTHROUGH;
}

static int transfer_cb(const git_indexer_progress *st, void *payload)
{
	remote_ctx *c = payload;
	if (c->received && st->received_bytes > c->last) {
		__atomic_add_fetch(c->received, st->received_bytes - c->last, __ATOMIC_RELAXED);
		c->last = st->received_bytes;
	}
	return c->stop && *c->stop ? GIT_EUSER : 0;
}

static void fetch_callbacks(git_remote_callbacks *cb, remote_ctx *c)
{
	cb->credentials = cred_cb;
	cb->transfer_progress = transfer_cb;
	cb->payload = c;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

static void rm_tree(const char *path) { nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

int ls_git_mirror_update(const char *url, const char *dir, const volatile int *stop, size_t *received)
{
	ls_git_init();
	remote_ctx ctx = {0, stop, received, 0};
	struct stat sb;
	/* the credentials of `url` are used in memory only: messages mask them, and the
	 * mirror's config holds the URL without them */
	char *shown = ls_url_redact(url, LS_URL_MASK), *bare = ls_url_redact(url, LS_URL_DROP);
	int err = 0;
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	if (stat(dir, &sb) == 0) {
		git_fetch_options fo;
		git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
		fetch_callbacks(&fo.callbacks, &ctx);
		fo.prune = GIT_FETCH_PRUNE;
		fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
		if (git_repository_open_bare(&repo, dir) < 0 || git_remote_lookup(&remote, repo, "origin") < 0 ||
		    ((!git_remote_url(remote) || strcmp(git_remote_url(remote), bare)) && git_remote_set_url(repo, "origin", bare) < 0) ||
		    git_remote_set_instance_url(remote, url) < 0 || git_remote_fetch(remote, NULL, &fo, "fetch") < 0) {
			ls_error_set("%s: cannot fetch: %s", shown, stop && *stop ? "interrupted" : git_msg());
			err = LS_EIO;
		}
	} else {
		/* clone next to the final place, then rename: a killed clone leaves no half mirror */
		char *tmp = ls_xasprintf("%s.tmp", dir);
		rm_tree(tmp);
		/* a clone by hand rather than git_clone: the mirror refspec from the start, and
		 * libgit2 1.5's git_clone leaks the remote it made when the transfer fails */
		git_fetch_options fo;
		git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
		fetch_callbacks(&fo.callbacks, &ctx);
		fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
		git_config *cfg = NULL;
		if (git_repository_init(&repo, tmp, 1) < 0 ||
		    git_remote_create_with_fetchspec(&remote, repo, "origin", bare, "+refs/*:refs/*") < 0 ||
		    git_remote_set_instance_url(remote, url) < 0 ||
		    git_repository_config(&cfg, repo) < 0 || git_config_set_bool(cfg, "remote.origin.mirror", 1) < 0 ||
		    git_remote_fetch(remote, NULL, &fo, "clone") < 0) {
			ls_error_set("%s: cannot clone: %s", shown, stop && *stop ? "interrupted" : git_msg());
			err = LS_EIO;
			rm_tree(tmp);
		} else {
			/* HEAD as the remote's (best effort: the walk does not need it) */
			git_buf head = {NULL, 0, 0};
			if (git_remote_default_branch(&head, remote) == 0)
				git_repository_set_head(repo, head.ptr);
			git_buf_dispose(&head);
		}
		git_config_free(cfg);
		if (!err && rename(tmp, dir) < 0) {
			ls_error_set("%s: cannot rename the clone into %s: %s", shown, dir, strerror(errno));
			err = LS_EIO;
			rm_tree(tmp);
		}
		free(tmp);
	}
	git_remote_free(remote);
	git_repository_free(repo);
	free(shown);
	free(bare);
	return err;
}
