/* source_git_remote: bare mirrors of clone URLs (clone, then fetch), and the object walk of
 * bulk scans: every reachable blob and commit message once, with the commit and path that
 * first introduced it, and a digest of the ref tips to tell an unchanged repository. */
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
	/* posix_spawn, not fork: other threads may hold locks (malloc's) a forked child would need */
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
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	char *argv[] = {(char *)"git", (char *)"credential", (char *)"fill", NULL};
	pid_t pid;
	int rc = posix_spawnp(&pid, "git", &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	if (rc != 0) {
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
	int status = 0;
	waitpid(pid, &status, 0);
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
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !*user || !*pass) {
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

/* A URL for messages: without a password (https://user:pass@host/...). */
static char *safe_url(const char *url)
{
	const char *scheme = strstr(url, "://");
	const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
	const char *slash = scheme ? strchr(scheme + 3, '/') : NULL;
	if (!at || (slash && slash < at))
		return ls_xstrdup(url);
	const char *colon = memchr(scheme + 3, ':', (size_t)(at - (scheme + 3)));
	if (!colon)
		return ls_xstrdup(url);
	return ls_xasprintf("%.*s:***%s", (int)(colon - url), url, at);
}

int ls_git_mirror_update(const char *url, const char *dir, const volatile int *stop)
{
	ls_git_init();
	remote_ctx ctx = {0, stop};
	struct stat sb;
	char *shown = safe_url(url);
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
		    git_remote_create_with_fetchspec(&remote, repo, "origin", url, "+refs/*:refs/*") < 0 ||
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
	return err;
}

/* ---- the object walk ---- */

typedef struct {
	git_oid id;
	uint32_t commit;  /* index in commits */
	uint32_t path;    /* offset in the path arena; UINT32_MAX for a commit message */
	uint8_t alias;    /* a blob listed before, at another path */
} walk_item;

/* A set of 64-bit hashes of (object, path) pairs: a hash collision only loses an alias. */
typedef struct {
	uint64_t *t;
	size_t cap, n;
} pairset;

static uint64_t pair_hash(const git_oid *id, const char *path, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < GIT_OID_RAWSZ; i++)
		h = (h ^ id->id[i]) * 1099511628211ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)path[i]) * 1099511628211ULL;
	return h ? h : 1;
}

/* Adds the pair; returns 1 if it was new. */
static int pairset_add(pairset *s, uint64_t h)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 1024;
		uint64_t *nt = ls_xcalloc(ncap, sizeof(uint64_t));
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->t[i])
				continue;
			size_t j = (size_t)(s->t[i] >> 7) & (ncap - 1);
			while (nt[j])
				j = (j + 1) & (ncap - 1);
			nt[j] = s->t[i];
		}
		free(s->t);
		s->t = nt;
		s->cap = ncap;
	}
	size_t i = (size_t)(h >> 7) & (s->cap - 1);
	for (; s->t[i]; i = (i + 1) & (s->cap - 1))
		if (s->t[i] == h)
			return 0;
	s->t[i] = h;
	s->n++;
	return 1;
}

typedef struct {
	git_oid *t;
	size_t cap, n;
} oidset;

static size_t oid_hash(const git_oid *id)
{
	uint64_t h;
	memcpy(&h, id->id, sizeof(h));
	return (size_t)h;
}

/* Adds `id`; returns 1 if it was new. */
static int oidset_add(oidset *s, const git_oid *id)
{
	static const git_oid zero;
	if ((s->n + 1) * 2 > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 1024;
		git_oid *nt = ls_xcalloc(ncap, sizeof(git_oid));
		for (size_t i = 0; i < s->cap; i++) {
			if (!git_oid_cmp(&s->t[i], &zero))
				continue;
			size_t j = oid_hash(&s->t[i]) & (ncap - 1);
			while (git_oid_cmp(&nt[j], &zero))
				j = (j + 1) & (ncap - 1);
			nt[j] = s->t[i];
		}
		free(s->t);
		s->t = nt;
		s->cap = ncap;
	}
	size_t i = oid_hash(id) & (s->cap - 1);
	for (; git_oid_cmp(&s->t[i], &zero); i = (i + 1) & (s->cap - 1))
		if (!git_oid_cmp(&s->t[i], id))
			return 0;
	s->t[i] = *id;
	s->n++;
	return 1;
}

struct ls_git_walk {
	git_repository *repo;
	git_odb *odb;
	git_odb_object *obj;
	git_commit *commit;
	git_oid *commits;
	size_t ncommits;
	walk_item *items;
	size_t nitems, icap;
	ls_buf paths;
	oidset seen;      /* blobs listed */
	pairset places;   /* (tree, path) walked and (blob, path) listed */
	char tips[65];
	git_oid *tip_ids; /* commits to walk from */
	size_t ntips;
	char idhex[GIT_OID_HEXSZ + 1], commithex[GIT_OID_HEXSZ + 1];
	char **errors;
	size_t nerrors;
};

static void walk_error(ls_git_walk *w, char *msg)
{
	w->errors = ls_xrealloc(w->errors, (w->nerrors + 1) * sizeof(char *));
	w->errors[w->nerrors++] = msg;
}

static void push_item(ls_git_walk *w, const git_oid *id, uint32_t commit, uint32_t path, int alias)
{
	if (w->nitems == w->icap) {
		w->icap = w->icap ? w->icap * 2 : 256;
		w->items = ls_xrealloc(w->items, w->icap * sizeof(walk_item));
	}
	walk_item *it = &w->items[w->nitems++];
	it->id = *id;
	it->commit = commit;
	it->path = path;
	it->alias = (uint8_t)alias;
}

static void walk_tree(ls_git_walk *w, const git_oid *tree_id, uint32_t ci, ls_buf *prefix)
{
	/* every blob below a tree already walked at this path is already listed there; a tree
	 * at a new path (a renamed or copied directory) is walked again for the new places */
	if (!pairset_add(&w->places, pair_hash(tree_id, prefix->ptr ? prefix->ptr : "", prefix->len)))
		return;
	git_tree *t = NULL;
	if (git_tree_lookup(&t, w->repo, tree_id) < 0) {
		walk_error(w, ls_xasprintf("object %s: cannot read tree '%s' at commit %s: %s", git_oid_tostr_s(tree_id),
		                           prefix->len ? prefix->ptr : "/", git_oid_tostr_s(&w->commits[ci]), git_msg()));
		return;
	}
	size_t n = git_tree_entrycount(t), base = prefix->len;
	for (size_t i = 0; i < n; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(t, i);
		git_object_t type = git_tree_entry_type(te);
		if (type != GIT_OBJECT_BLOB && type != GIT_OBJECT_TREE)
			continue; /* submodules: another repository */
		prefix->len = base;
		if (base)
			ls_buf_putc(prefix, '/');
		ls_buf_puts(prefix, git_tree_entry_name(te));
		if (type == GIT_OBJECT_TREE) {
			walk_tree(w, git_tree_entry_id(te), ci, prefix);
		} else if (pairset_add(&w->places, pair_hash(git_tree_entry_id(te), prefix->ptr, prefix->len))) {
			/* a new place: the blob itself, or a blob listed before at another path */
			int alias = !oidset_add(&w->seen, git_tree_entry_id(te));
			uint32_t off = (uint32_t)w->paths.len;
			ls_buf_put(&w->paths, prefix->ptr, prefix->len + 1);
			push_item(w, git_tree_entry_id(te), ci, off, alias);
		}
	}
	prefix->len = base;
	if (prefix->ptr)
		prefix->ptr[base] = '\0';
	git_tree_free(t);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void add_tip(ls_git_walk *w, const git_oid *id)
{
	w->tip_ids = ls_xrealloc(w->tip_ids, (w->ntips + 1) * sizeof(git_oid));
	w->tip_ids[w->ntips++] = *id;
}

/* Lists the commit of every ref (to walk later) and digests "name id" of every ref. */
static int list_tips(ls_git_walk *w)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	char **lines = NULL;
	size_t n = 0;
	if (git_reference_iterator_new(&it, w->repo) < 0)
		return ls_error_set("%s: cannot list refs: %s", git_repository_path(w->repo), git_msg()), LS_EIO;
	while (git_reference_next(&ref, it) == 0) {
		git_object *obj = NULL;
		const char *name = git_reference_name(ref);
		if (git_reference_type(ref) == GIT_REFERENCE_DIRECT) {
			lines = ls_xrealloc(lines, (n + 1) * sizeof(char *));
			lines[n++] = ls_xasprintf("%s %s", name, git_oid_tostr_s(git_reference_target(ref)));
			if (git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) == 0)
				add_tip(w, git_object_id(obj));
		}
		git_object_free(obj);
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	/* a detached HEAD holds commits no branch has */
	git_oid head;
	if (git_reference_name_to_id(&head, w->repo, "HEAD") == 0) {
		git_object *obj = NULL;
		if (git_object_lookup(&obj, w->repo, &head, GIT_OBJECT_COMMIT) == 0) {
			add_tip(w, &head);
			lines = ls_xrealloc(lines, (n + 1) * sizeof(char *));
			lines[n++] = ls_xasprintf("HEAD %s", git_oid_tostr_s(&head));
		}
		git_object_free(obj);
	}
	if (n)
		qsort(lines, n, sizeof(char *), cmp_str);
	ls_buf all = LS_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		ls_buf_puts(&all, lines[i]);
		ls_buf_putc(&all, '\n');
		free(lines[i]);
	}
	free(lines);
	ls_sha256_hex(w->tips, all.ptr ? all.ptr : "", all.len);
	ls_buf_dispose(&all);
	return 0;
}

int ls_git_walk_open(ls_git_walk **out, const char *path)
{
	ls_git_init();
	*out = NULL;
	ls_git_walk *w = ls_xcalloc(1, sizeof(*w));
	int err = 0;
	if (git_repository_open_ext(&w->repo, path, 0, NULL) < 0) {
		ls_error_set("%s: not a git repository (%s)", path, git_msg());
		err = LS_ENOTFOUND;
	} else if (git_repository_odb(&w->odb, w->repo) < 0) {
		ls_error_set("%s: cannot open: %s", path, git_msg());
		err = LS_EIO;
	} else {
		err = list_tips(w);
	}
	if (err < 0) {
		ls_git_walk_free(w);
		return err;
	}
	*out = w;
	return 0;
}

/* ---- the commit graph, in a topological order of its own ----
 *
 * libgit2 1.5's revwalk stops at the first missing parent, which every shallow clone has at
 * its boundary; this walk treats a missing parent of a shallow repository as absent (an
 * error otherwise) and orders the commits from the roots: a commit after all its parents,
 * and among the commits ready, the oldest (committer time, then id) first, whatever the
 * order of the refs. */

typedef struct {
	git_oid id, tree;
	int64_t time;
	uint32_t nparents;  /* parents present in the graph, not yet emitted */
	uint32_t *children;
	uint32_t nchildren;
	int bad; /* unreadable: emitted without content, so that its children still are */
} gnode;

typedef struct {
	gnode *v;
	size_t n, cap;
	uint32_t *tab; /* index + 1, 0 free */
	size_t tabcap;
} graph;

static uint32_t *graph_slot(graph *g, const git_oid *id)
{
	size_t i = oid_hash(id) & (g->tabcap - 1);
	for (; g->tab[i]; i = (i + 1) & (g->tabcap - 1))
		if (!git_oid_cmp(&g->v[g->tab[i] - 1].id, id))
			break;
	return &g->tab[i];
}

/* The node of `id` (added, with no parents yet, if new); *isnew says which. */
static uint32_t graph_get(graph *g, const git_oid *id, int *isnew)
{
	if ((g->n + 1) * 2 > g->tabcap) {
		size_t ncap = g->tabcap ? g->tabcap * 2 : 1024;
		free(g->tab);
		g->tab = ls_xcalloc(ncap, sizeof(uint32_t));
		g->tabcap = ncap;
		for (size_t k = 0; k < g->n; k++)
			*graph_slot(g, &g->v[k].id) = (uint32_t)k + 1;
	}
	uint32_t *slot = graph_slot(g, id);
	*isnew = !*slot;
	if (*slot)
		return *slot - 1;
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 256;
		g->v = ls_xrealloc(g->v, g->cap * sizeof(gnode));
	}
	memset(&g->v[g->n], 0, sizeof(gnode));
	g->v[g->n].id = *id;
	*slot = (uint32_t)g->n + 1;
	return (uint32_t)g->n++;
}

static void graph_dispose(graph *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->v[i].children);
	free(g->v);
	free(g->tab);
}

/* Reads every commit reachable from the tips, with its tree, time and parents. */
static int graph_load(ls_git_walk *w, graph *g, const volatile int *stop)
{
	int shallow = git_repository_is_shallow(w->repo) == 1, isnew;
	uint32_t *todo = NULL;
	size_t ntodo = 0, cap = 0;
	for (size_t i = 0; i < w->ntips; i++) {
		uint32_t k = graph_get(g, &w->tip_ids[i], &isnew);
		if (!isnew)
			continue;
		if (ntodo == cap)
			todo = ls_xrealloc(todo, (cap = cap ? cap * 2 : 64) * sizeof(uint32_t));
		todo[ntodo++] = k;
	}
	while (ntodo) {
		if (stop && *stop) {
			free(todo);
			return LS_ESTOP;
		}
		uint32_t k = todo[--ntodo];
		git_commit *c = NULL;
		if (git_commit_lookup(&c, w->repo, &g->v[k].id) < 0) {
			walk_error(w, ls_xasprintf("object %s: cannot read commit: %s", git_oid_tostr_s(&g->v[k].id), git_msg()));
			g->v[k].bad = 1;
			continue;
		}
		g->v[k].tree = *git_commit_tree_id(c);
		g->v[k].time = (int64_t)git_commit_time(c);
		unsigned np = git_commit_parentcount(c);
		for (unsigned pi = 0; pi < np; pi++) {
			const git_oid *pid = git_commit_parent_id(c, pi);
			if (!pid)
				continue;
			if (shallow && !git_odb_exists(w->odb, pid))
				continue; /* beyond the shallow boundary */
			uint32_t p = graph_get(g, pid, &isnew);
			gnode *pn = &g->v[p], *kn = &g->v[k];
			pn->children = ls_xrealloc(pn->children, (pn->nchildren + 1) * sizeof(uint32_t));
			pn->children[pn->nchildren++] = k;
			kn->nparents++;
			if (isnew) {
				if (ntodo == cap)
					todo = ls_xrealloc(todo, (cap = cap ? cap * 2 : 64) * sizeof(uint32_t));
				todo[ntodo++] = p;
			}
		}
		git_commit_free(c);
	}
	free(todo);
	return 0;
}

/* A min-heap of ready commits: oldest first, then by id. */
static int gnode_before(const graph *g, uint32_t a, uint32_t b)
{
	if (g->v[a].time != g->v[b].time)
		return g->v[a].time < g->v[b].time;
	return git_oid_cmp(&g->v[a].id, &g->v[b].id) < 0;
}

static void heap_push(const graph *g, uint32_t *h, size_t *n, uint32_t k)
{
	size_t i = (*n)++;
	h[i] = k;
	while (i && gnode_before(g, h[i], h[(i - 1) / 2])) {
		uint32_t t = h[i];
		h[i] = h[(i - 1) / 2];
		h[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static uint32_t heap_pop(const graph *g, uint32_t *h, size_t *n)
{
	uint32_t top = h[0];
	h[0] = h[--*n];
	for (size_t i = 0;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < *n && gnode_before(g, h[l], h[m]))
			m = l;
		if (r < *n && gnode_before(g, h[r], h[m]))
			m = r;
		if (m == i)
			break;
		uint32_t t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
	return top;
}

int ls_git_walk_run(ls_git_walk *w, const volatile int *stop)
{
	const char *path = git_repository_path(w->repo);
	graph g;
	memset(&g, 0, sizeof(g));
	int err = graph_load(w, &g, stop);
	uint32_t *heap = ls_xmalloc((g.n ? g.n : 1) * sizeof(uint32_t));
	size_t nheap = 0;
	for (size_t k = 0; k < g.n && !err; k++)
		if (g.v[k].nparents == 0)
			heap_push(&g, heap, &nheap, (uint32_t)k);
	w->commits = ls_xrealloc(w->commits, (g.n ? g.n : 1) * sizeof(git_oid));
	ls_buf prefix = LS_BUF_INIT;
	while (!err && nheap) {
		if (stop && *stop) {
			err = LS_ESTOP;
			break;
		}
		uint32_t k = heap_pop(&g, heap, &nheap);
		if (!g.v[k].bad) {
			uint32_t ci = (uint32_t)w->ncommits;
			w->commits[w->ncommits++] = g.v[k].id;
			push_item(w, &g.v[k].id, ci, UINT32_MAX, 0);
			ls_buf_clear(&prefix);
			walk_tree(w, &g.v[k].tree, ci, &prefix);
		}
		for (uint32_t c = 0; c < g.v[k].nchildren; c++)
			if (--g.v[g.v[k].children[c]].nparents == 0)
				heap_push(&g, heap, &nheap, g.v[k].children[c]);
	}
	if (err == LS_ESTOP)
		ls_error_set("%s: interrupted", path);
	ls_buf_dispose(&prefix);
	free(heap);
	graph_dispose(&g);
	return err;
}

void ls_git_walk_free(ls_git_walk *w)
{
	if (!w)
		return;
	git_odb_object_free(w->obj);
	git_commit_free(w->commit);
	git_odb_free(w->odb);
	git_repository_free(w->repo);
	free(w->commits);
	free(w->tip_ids);
	free(w->items);
	ls_buf_dispose(&w->paths);
	free(w->seen.t);
	free(w->places.t);
	for (size_t i = 0; i < w->nerrors; i++)
		free(w->errors[i]);
	free(w->errors);
	free(w);
}

size_t ls_git_walk_count(const ls_git_walk *w) { return w->nitems; }
const char *ls_git_walk_tips(const ls_git_walk *w) { return w->tips; }
size_t ls_git_walk_nerrors(const ls_git_walk *w) { return w->nerrors; }
const char *ls_git_walk_error(const ls_git_walk *w, size_t i) { return w->errors[i]; }

void ls_git_walk_item(ls_git_walk *w, size_t i, ls_git_walk_entry *out)
{
	const walk_item *it = &w->items[i];
	git_oid_tostr(w->idhex, sizeof(w->idhex), &it->id);
	git_oid_tostr(w->commithex, sizeof(w->commithex), &w->commits[it->commit]);
	out->id = w->idhex;
	out->commit = w->commithex;
	out->is_message = it->path == UINT32_MAX;
	out->is_alias = it->alias;
	out->path = out->is_message ? "<commit message>" : w->paths.ptr + it->path;
}

int ls_git_walk_read(ls_git_walk *w, size_t i, long long max_size, ls_git_content *out)
{
	const walk_item *it = &w->items[i];
	memset(out, 0, sizeof(*out));
	git_odb_object_free(w->obj);
	git_commit_free(w->commit);
	w->obj = NULL;
	w->commit = NULL;
	out->path = it->path == UINT32_MAX ? "<commit message>" : w->paths.ptr + it->path;
	if (it->path == UINT32_MAX) {
		if (git_commit_lookup(&w->commit, w->repo, &it->id) < 0)
			goto fail;
		const char *msg = git_commit_message(w->commit);
		out->data = msg ? msg : "";
		out->len = strlen(out->data);
		out->size = (long long)out->len;
		return 0;
	}
	size_t len;
	git_object_t type;
	if (git_odb_read_header(&len, &type, w->odb, &it->id) < 0)
		goto fail;
	out->size = (long long)len;
	if ((long long)len > max_size) {
		out->too_large = 1;
		return 0;
	}
	if (git_odb_read(&w->obj, w->odb, &it->id) < 0)
		goto fail;
	out->data = git_odb_object_data(w->obj);
	out->len = git_odb_object_size(w->obj);
	return 0;
fail:
	ls_error_set("object %s (%s at commit %.12s): cannot read: %s", git_oid_tostr_s(&it->id), out->path,
	             git_oid_tostr_s(&w->commits[it->commit]), git_msg());
	return LS_EIO;
}

void ls_git_walk_commit_info(ls_git_walk *w, size_t i, ls_provenance *out)
{
	const walk_item *it = &w->items[i];
	git_commit *c = NULL;
	if (git_commit_lookup(&c, w->repo, &w->commits[it->commit]) < 0)
		return;
	const git_signature *a = git_commit_author(c);
	out->author_name = ls_xstrdup(a && a->name ? a->name : "");
	out->author_email = ls_xstrdup(a && a->email ? a->email : "");
	time_t secs = (time_t)git_commit_time(c) + (time_t)git_commit_time_offset(c) * 60;
	struct tm tm;
	gmtime_r(&secs, &tm);
	char buf[64];
	size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	int off = git_commit_time_offset(c);
	if (off == 0)
		snprintf(buf + n, sizeof(buf) - n, "Z");
	else
		snprintf(buf + n, sizeof(buf) - n, "%c%02d:%02d", off < 0 ? '-' : '+', abs(off) / 60, abs(off) % 60);
	out->date = ls_xstrdup(buf);
	git_commit_free(c);
}
