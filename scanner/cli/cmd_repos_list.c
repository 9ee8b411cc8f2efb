/* leakscan repos: the repository list (local paths and clone URLs, from the command line or
 * a list file) and the stable shard of each repository. */
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "common.h"
#include "repos.h"
#include "source_git.h"
#include "url.h"

void repos_list_add(repo_list *l, const char *spec, const char *dir)
{
	repo_ent r = {NULL, NULL, NULL, 0};
	if (ls_git_is_url(spec)) {
		size_t len = strlen(spec);
		while (len > 1 && spec[len - 1] == '/')
			len--;
		/* the name (shown, stored, hashed for the mirror's directory) has no credentials, so
		 * a URL given with or without them is the same repository; the URL as given is
		 * kept in memory for the clone or fetch only */
		r.url = ls_xstrndup(spec, len);
		r.name = ls_url_redact(r.url, LS_URL_DROP);
		/* the mirror's directory: the last path component, made safe, and a hash of the URL */
		const char *base = r.name + strlen(r.name);
		while (base > r.name && base[-1] != '/' && base[-1] != ':')
			base--;
		ls_buf slug = LS_BUF_INIT;
		for (const char *p = base; *p && slug.len < 40; p++)
			ls_buf_putc(&slug, (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			                           *p == '-' || *p == '_'
			                       ? *p
			                       : '_');
		char h[65];
		ls_sha256_hex(h, r.name, strlen(r.name));
		r.path = ls_xasprintf("%s/clones/%s-%.12s.git", dir, slug.ptr ? slug.ptr : "repo", h);
		ls_buf_dispose(&slug);
	} else {
		char abs[PATH_MAX];
		r.name = ls_xstrdup(realpath(spec, abs) ? abs : spec);
		r.path = ls_xstrdup(r.name);
	}
	for (size_t i = 0; i < l->n; i++) {
		if (!strcmp(l->v[i].name, r.name)) { /* listed twice: once is enough */
			free(r.name), free(r.url), free(r.path);
			return;
		}
	}
	l->v = ls_xrealloc(l->v, (l->n + 1) * sizeof(repo_ent));
	l->v[l->n++] = r;
}

int repos_list_read(repo_list *l, const char *file, const char *dir)
{
	FILE *fp = strcmp(file, "-") ? fopen(file, "r") : stdin;
	if (!fp) {
		ls_cli_error("%s: cannot read the repository list: %s", file, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, fp)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = '\0';
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p && *p != '#')
			repos_list_add(l, p, dir);
	}
	free(line);
	if (fp != stdin)
		fclose(fp);
	return 0;
}

void repos_list_dispose(repo_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name), free(l->v[i].url), free(l->v[i].path);
	free(l->v);
}

size_t repos_shard_of(const char *name, size_t nshards)
{
	unsigned char d[32];
	ls_sha256(d, name, strlen(name));
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | d[i];
	return (size_t)(v % nshards);
}

/* ---- after the run: exit status from what the datastore holds for these repositories ---- */

int repos_cmp_strp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int repos_tally_row(const ls_store_row *r, void *payload)
{
	repos_tally *t = payload;
	const char *key = r->repo;
	if (!bsearch(&key, t->names, t->n, sizeof(char *), repos_cmp_strp))
		return 0;
	/* rows come by secret, then repository and path: one location per repository, blob
	 * and path (several lines of a blob count once) */
	char loc[400];
	snprintf(loc, sizeof(loc), "%s %s %s", r->repo, r->blob ? r->blob : "", r->path ? r->path : "");
	int new_secret = strcmp(t->last_fp, r->fingerprint) != 0;
	if (new_secret || strcmp(t->last_loc, loc)) {
		t->locations++;
		snprintf(t->last_loc, sizeof(t->last_loc), "%s", loc);
	}
	if (new_secret) {
		snprintf(t->last_fp, sizeof(t->last_fp), "%s", r->fingerprint);
		t->secrets++;
		int dismissed = r->status && (!strcmp(r->status, "false-positive") || !strcmp(r->status, "accepted"));
		int live = r->verify_status && !strcmp(r->verify_status, "verified");
		if (!dismissed && (t->fail_on_verified ? live : r->severity >= (int)t->fail_on))
			t->failing++;
	}
	return 0;
}

/* ---- forges ---- */

/* `scheme://host[:port]` of a URL, allocated, or NULL. */
static char *origin_of(const char *url)
{
	const char *sep = strstr(url, "://");
	if (!sep)
		return NULL;
	const char *end = sep + 3 + strcspn(sep + 3, "/?#");
	if (memchr(sep + 3, '@', (size_t)(end - sep - 3)))
		return NULL;
	return ls_xstrndup(url, (size_t)(end - url));
}

/* Where the forge serves its repositories: GitHub's API is on api.github.com or under
 * /api/v3, the others share their site with the API. */
static char *site_of(const repos_forge_spec *f)
{
	int github = f->kind == LS_FORGE_GITHUB_ORG || f->kind == LS_FORGE_GITHUB_USER;
	if (!f->api_url)
		return ls_xstrdup(github ? "https://github.com" : f->kind == LS_FORGE_GITLAB_GROUP ? "https://gitlab.com"
		                                                                                 : "https://gitea.com");
	return origin_of(f->api_url);
}

static void forge_notice(const char *msg, void *payload)
{
	if (!*(int *)payload)
		ls_cli_error("%s", msg);
}

static int excluded(const repos_opts *ro, const char *name)
{
	for (size_t i = 0; i < ro->nexcludes; i++)
		if (fnmatch(ro->excludes[i], name, FNM_CASEFOLD) == 0)
			return 1;
	return 0;
}

size_t repos_forges_add(repo_list *l, const repos_opts *ro, const char *dir, int quiet)
{
	size_t failed = 0;
	for (size_t i = 0; i < ro->nforges; i++) {
		const repos_forge_spec *f = &ro->forges[i];
		int github = f->kind == LS_FORGE_GITHUB_ORG || f->kind == LS_FORGE_GITHUB_USER;
		const char *token = github ? getenv("GITHUB_TOKEN") : f->kind == LS_FORGE_GITLAB_GROUP ? getenv("GITLAB_TOKEN")
		                                                                                        : getenv("GITEA_TOKEN");
		if (github && (!token || !*token))
			token = getenv("GH_TOKEN");
		ls_forge_query q;
		memset(&q, 0, sizeof(q));
		q.kind = f->kind;
		q.name = f->name;
		q.api_url = f->api_url;
		q.token = token && *token ? token : NULL;
		q.forks = ro->forks;
		q.archived = ro->archived;
		q.wikis = ro->wikis;
		q.notice = forge_notice;
		q.payload = &quiet;
		ls_forge_repos got = {NULL, 0};
		if (ls_forge_list(&q, &got) < 0) {
			ls_cli_error("%s", ls_error_last());
			failed++;
		}
		/* a token that would need escaping in a URL is kept to the API */
		char *site = q.token && strspn(q.token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") ==
		                            strlen(q.token)
		                 ? site_of(f)
		                 : NULL;
		const char *user = github ? "x-access-token" : "oauth2";
		for (size_t k = 0; k < got.n; k++) {
			if (excluded(ro, got.v[k].name))
				continue;
			size_t before = l->n;
			char *o = site ? origin_of(got.v[k].url) : NULL;
			if (o && !strcasecmp(o, site)) {
				/* the token clones private repositories of its own site (https, or http on
				 * this machine, as the API's address was checked), in memory only: the
				 * entry's name and everything shown drop it */
				size_t sl = (size_t)(strstr(o, "://") - o) + 3;
				char *u = ls_xasprintf("%.*s%s:%s@%s", (int)sl, got.v[k].url, user, q.token, got.v[k].url + sl);
				repos_list_add(l, u, dir);
				explicit_bzero(u, strlen(u));
				free(u);
			} else {
				repos_list_add(l, got.v[k].url, dir);
			}
			free(o);
			if (l->n > before)
				l->v[l->n - 1].optional = got.v[k].wiki;
		}
		free(site);
		ls_forge_repos_dispose(&got);
	}
	return failed;
}
