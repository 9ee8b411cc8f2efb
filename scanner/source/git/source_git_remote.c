/* source_git_remote: bare mirrors of clone URLs (clone, then fetch) for bulk scans, which then
 * read them like any repository (source_git_history.c): with the git program when it is
 * installed (its transfer is several times faster than libgit2's), else with libgit2. */
#include "source_git.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include "git2_lazy.h"
#include <limits.h>
#include <poll.h>
#include <pthread.h>
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

/* Variables of ours that could point git at another repository, widen what it may run or
 * prompt: not passed on. */
static int env_dropped(const char *e)
{
	static const char *drop[] = {"GIT_DIR=", "GIT_WORK_TREE=", "GIT_INDEX_FILE=", "GIT_OBJECT_DIRECTORY=",
	                             "GIT_ALTERNATE_OBJECT_DIRECTORIES=", "GIT_COMMON_DIR=", "GIT_NAMESPACE=",
	                             "GIT_QUARANTINE_PATH=", "GIT_CONFIG_PARAMETERS=", "GIT_CONFIG_COUNT=",
	                             "GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_", "GIT_ALLOW_PROTOCOL=",
	                             "GIT_PROTOCOL_FROM_USER=", "GIT_TERMINAL_PROMPT=", "GIT_ASKPASS=", "SSH_ASKPASS=",
	                             "SSH_ASKPASS_REQUIRE=", "GIT_EXEC_PATH=", "GIT_TEMPLATE_DIR=", "GIT_TRACE"};
	for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		if (!strncmp(e, drop[i], strlen(drop[i])))
			return 1;
	return 0;
}

/* Our environment minus env_dropped()'s variables, with room for `extra` more (NULL-ended).
 * The strings are borrowed from environ; free the array. */
static char **child_env(size_t extra, size_t *n)
{
	extern char **environ;
	size_t nenv = 0;
	while (environ[nenv])
		nenv++;
	char **env = ls_xcalloc(nenv + extra + 1, sizeof(char *));
	*n = 0;
	for (size_t i = 0; i < nenv; i++)
		if (!env_dropped(environ[i]))
			env[(*n)++] = environ[i];
	return env;
}

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
	/* the user's environment, minus anything that could prompt or point elsewhere */
	size_t k;
	char **env = child_env(3, &k);
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

/* ---- the git program (what `git clone --mirror` does, at its speed) ---- */

static int g_have_git = -1;
static pthread_once_t g_have_git_once = PTHREAD_ONCE_INIT;

static void find_git(void)
{
	const char *path = getenv("PATH");
	g_have_git = 0;
	if (!path)
		return;
	for (const char *p = path; *p;) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n) {
			char *cand = ls_xasprintf("%.*s/git", (int)n, p);
			int ok = access(cand, X_OK) == 0;
			free(cand);
			if (ok) {
				g_have_git = 1;
				return;
			}
		}
		p += n + (e ? 1 : 0);
	}
}

int ls_git_mirror_have_program(void)
{
	pthread_once(&g_have_git_once, find_git);
	return g_have_git;
}

static int hexval(int c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; }

static char *pct_decode(const char *s, size_t n)
{
	char *out = ls_xmalloc(n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		int a, b;
		if (s[i] == '%' && i + 2 < n && (a = hexval((unsigned char)s[i + 1])) >= 0 &&
		    (b = hexval((unsigned char)s[i + 2])) >= 0) {
			*o++ = (char)(a * 16 + b);
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/* The user and password of a `scheme://user[:password]@host/...` URL (decoded), and the
 * `scheme://host[:port]` they are for. 0 if the URL has none (or is not of that form). */
static int url_userinfo(const char *url, char **origin, char **user, char **pass)
{
	const char *sep = strstr(url, "://");
	*origin = *user = *pass = NULL;
	if (!sep || !strncmp(url, "ssh://", 6) || !strncmp(url, "git+ssh://", 10) || !strncmp(url, "ssh+git://", 10))
		return 0; /* an SSH user name is an account, kept in the URL */
	const char *auth = sep + 3, *end = auth + strcspn(auth, "/?#");
	const char *at = NULL;
	for (const char *p = auth; p < end; p++)
		if (*p == '@')
			at = p; /* the last '@' before the path ends the userinfo */
	if (!at)
		return 0;
	const char *colon = memchr(auth, ':', (size_t)(at - auth));
	*user = pct_decode(auth, (size_t)((colon ? colon : at) - auth));
	*pass = colon ? pct_decode(colon + 1, (size_t)(at - colon - 1)) : ls_xstrdup("");
	*origin = ls_xasprintf("%.*s%.*s", (int)(sep + 3 - url), url, (int)(end - at - 1), at + 1);
	return 1;
}

/* What git said failed: its first "fatal:" line (advice follows it), else its last line. */
static char *why_line(const ls_buf *err)
{
	const char *best = NULL, *last = NULL;
	size_t best_n = 0, last_n = 0;
	for (size_t i = 0; i < err->len;) {
		size_t e = i;
		while (e < err->len && err->ptr[e] != '\n' && err->ptr[e] != '\r')
			e++;
		if (e > i) {
			if (!best && e - i >= 7 && !strncmp(err->ptr + i, "fatal: ", 7))
				best = err->ptr + i, best_n = e - i;
			last = err->ptr + i, last_n = e - i;
		}
		i = e + 1;
	}
	return best ? ls_xstrndup(best, best_n) : last ? ls_xstrndup(last, last_n) : NULL;
}

/* Runs git with `args` (after the safety options). Returns its exit status (-1: it could not
 * start or died) and puts the last line it wrote on stderr in `*last` (allocated, or NULL).
 * `*stop` becoming non-zero ends it (and everything it started). */
static int run_git(const char *const *args, size_t nargs, const char *url, const volatile int *stop, char **last)
{
	static const char *const safety[] = {
	    "git", "-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "-c", "core.gitProxy=",
	    "-c", "protocol.allow=never", "-c", "protocol.https.allow=always", "-c", "protocol.http.allow=always",
	    "-c", "protocol.ssh.allow=always",
	    "-c", "protocol.git.allow=always", "-c", "protocol.file.allow=always", "-c", "init.templateDir=",
	    "-c", "transfer.bundleURI=false", "-c", "fetch.recurseSubmodules=false"};
	size_t ns = sizeof(safety) / sizeof(safety[0]);
	const char **argv = ls_xcalloc(ns + nargs + 1, sizeof(char *));
	for (size_t i = 0; i < ns + nargs; i++)
		argv[i] = i < ns ? safety[i] : args[i - ns];
	size_t k;
	char **env = child_env(16, &k);
	env[k++] = (char *)"GIT_TERMINAL_PROMPT=0";
	env[k++] = (char *)"GIT_ASKPASS="; /* set and empty: neither core.askPass nor SSH_ASKPASS is run */
	env[k++] = (char *)"SSH_ASKPASS=";
	env[k++] = (char *)"SSH_ASKPASS_REQUIRE=never";
	env[k++] = (char *)"GIT_PROTOCOL_FROM_USER=0"; /* no ext:: even if a configuration allows it */
	/* credentials of the URL: given by a credential helper for that origin alone, from
	 * variables (never in an argument, which `ps` shows), after the user's helpers for it are
	 * reset */
	char *origin = NULL, *user = NULL, *pass = NULL;
	char *owned[6] = {NULL};
	if (url && url_userinfo(url, &origin, &user, &pass)) {
		owned[0] = ls_xstrdup("GIT_CONFIG_COUNT=2");
		owned[1] = ls_xasprintf("GIT_CONFIG_KEY_0=credential.%s.helper", origin);
		owned[2] = ls_xasprintf("GIT_CONFIG_KEY_1=credential.%s.helper", origin);
		owned[3] = ls_xstrdup("GIT_CONFIG_VALUE_1=!f() { test \"$1\" = get && printf 'username=%s\\npassword=%s\\n' "
		                      "\"$LEAKSCAN_CLONE_USER\" \"$LEAKSCAN_CLONE_PASS\"; }; f");
		owned[4] = ls_xasprintf("LEAKSCAN_CLONE_USER=%s", user);
		owned[5] = ls_xasprintf("LEAKSCAN_CLONE_PASS=%s", pass);
		for (int i = 0; i < 6; i++)
			env[k++] = owned[i];
		env[k++] = (char *)"GIT_CONFIG_VALUE_0=";
	}
	int errp[2] = {-1, -1}, status = -1;
	*last = NULL;
	if (pipe2(errp, O_CLOEXEC) == 0) {
		pid_t pid = ls_proc_spawn_session(argv, LS_PROC_NULL, LS_PROC_NULL, errp[1], env);
		close(errp[1]);
		if (pid > 0) {
			ls_buf err = LS_BUF_INIT;
			int killed = 0;
			struct pollfd pfd = {errp[0], POLLIN, 0};
			for (;;) {
				if (stop && *stop && !killed) {
					kill(-pid, SIGTERM);
					killed = 1;
				}
				int pr = poll(&pfd, 1, 100);
				if (pr < 0 && errno != EINTR)
					break;
				if (pr <= 0)
					continue;
				char chunk[4096];
				ssize_t n = read(errp[0], chunk, sizeof(chunk));
				if (n <= 0)
					break; /* end of file: it exited (or closed its stderr) */
				if (err.len > 65536) { /* keep the end: the last line is the one that says why */
					memmove(err.ptr, err.ptr + err.len - 4096, 4096);
					err.len = 4096;
				}
				ls_buf_put(&err, chunk, (size_t)n);
			}
			if (stop && *stop && !killed)
				kill(-pid, SIGTERM);
			status = ls_proc_wait(pid);
			*last = why_line(&err);
			ls_buf_dispose(&err);
		}
		close(errp[0]);
	}
	if (pass)
		explicit_bzero(pass, strlen(pass));
	if (owned[5])
		explicit_bzero(owned[5], strlen(owned[5]));
	for (int i = 0; i < 6; i++)
		free(owned[i]);
	free(origin);
	free(user);
	free(pass);
	free(env);
	free(argv);
	return status;
}

/* Bytes of a repository's packs (what a clone received, for the progress line). */
static size_t packs_size(const char *dir)
{
	char *p = ls_xasprintf("%s/objects/pack", dir);
	size_t total = 0;
	DIR *d = opendir(p);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		struct stat sb;
		char *f = ls_xasprintf("%s/%s", p, de->d_name);
		if (stat(f, &sb) == 0 && S_ISREG(sb.st_mode))
			total += (size_t)sb.st_size;
		free(f);
	}
	if (d)
		closedir(d);
	free(p);
	return total;
}

/* Removes `dir`.tmp (libgit2's) and every `dir`.tmp.PID whose process is gone. */
static void rm_stale_tmps(const char *dir)
{
	char *plain = ls_xasprintf("%s.tmp", dir);
	rm_tree(plain);
	free(plain);
	char *parent = ls_xstrdup(dir), *slash = strrchr(parent, '/');
	const char *base = slash ? slash + 1 : dir;
	if (slash)
		*slash = '\0';
	DIR *d = opendir(slash ? (*parent ? parent : "/") : ".");
	size_t bl = strlen(base);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, base, bl) || strncmp(de->d_name + bl, ".tmp.", 5))
			continue;
		char *end;
		long pid = strtol(de->d_name + bl + 5, &end, 10);
		if (*end || pid <= 0 || (kill((pid_t)pid, 0) < 0 && errno == ESRCH)) {
			char *p = ls_xasprintf("%s/%s", slash ? (*parent ? parent : "") : ".", de->d_name);
			rm_tree(p);
			free(p);
		}
	}
	if (d)
		closedir(d);
	free(parent);
}

static int mirror_with_git(const char *url, const char *bare, const char *shown, const char *dir, const volatile int *stop,
                           size_t *received)
{
	struct stat sb;
	char *last = NULL;
	int err = 0;
	if (stat(dir, &sb) == 0) {
		size_t before = packs_size(dir);
		char *gd = ls_xasprintf("--git-dir=%s", dir);
		/* the URL and refspec given here, so nothing of the mirror's configuration decides them */
		const char *args[] = {gd, "fetch", "--quiet", "--prune", "--no-write-fetch-head", "--", bare, "+refs/*:refs/*"};
		int st = run_git(args, sizeof(args) / sizeof(args[0]), url, stop, &last);
		free(gd);
		if (st != 0) {
			ls_error_set("%s: cannot fetch: %s", shown, stop && *stop ? "interrupted" : last ? last : "git failed");
			err = LS_EIO;
		} else if (received) {
			size_t after = packs_size(dir);
			if (after > before)
				__atomic_add_fetch(received, after - before, __ATOMIC_RELAXED);
		}
	} else {
		/* a clone of its own per process: a git left running by a killed run (it is in a
		 * session of its own) finishes into its own directory, removed by a later run */
		char *tmp = ls_xasprintf("%s.tmp.%ld", dir, (long)getpid());
		rm_stale_tmps(dir);
		rm_tree(tmp);
		const char *args[] = {"clone", "--mirror", "--quiet", "--template=", "--", bare, tmp};
		int st = run_git(args, sizeof(args) / sizeof(args[0]), url, stop, &last);
		if (st != 0) {
			ls_error_set("%s: cannot clone: %s", shown, stop && *stop ? "interrupted" : last ? last : "git failed");
			err = LS_EIO;
		} else {
			if (received)
				__atomic_add_fetch(received, packs_size(tmp), __ATOMIC_RELAXED);
			if (rename(tmp, dir) < 0) {
				ls_error_set("%s: cannot rename the clone into %s: %s", shown, dir, strerror(errno));
				err = LS_EIO;
			}
		}
		if (err)
			rm_tree(tmp);
		free(tmp);
	}
	free(last);
	return err;
}

int ls_git_mirror_update(const char *url, const char *dir, int how, const volatile int *stop, size_t *received)
{
	ls_git_init();
	remote_ctx ctx = {0, stop, received, 0};
	struct stat sb;
	/* the credentials of `url` are used in memory only: messages mask them, and the
	 * mirror's config holds the URL without them */
	char *shown = ls_url_redact(url, LS_URL_MASK), *bare = ls_url_redact(url, LS_URL_DROP);
	int err = 0;
	if (how == LS_GIT_MIRROR_PROGRAM || (how == LS_GIT_MIRROR_AUTO && ls_git_mirror_have_program())) {
		err = mirror_with_git(url, bare, shown, dir, stop, received);
		free(shown);
		free(bare);
		return err;
	}
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
