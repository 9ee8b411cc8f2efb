/* forge: listing a forge's repositories page by page (see forge.h). */
#include "forge.h"

#include "curl_lazy.h"
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common.h"

#define MAX_PAGE ((size_t)32 << 20) /* an answer larger than this is refused */
#define MAX_PAGES 10000
#define MAX_WAITS 20

const char *ls_forge_kind_name(ls_forge_kind kind)
{
	static const char *names[] = {"github org", "github user", "gitlab group", "gitea org"};
	return (unsigned)kind < 4 ? names[kind] : "forge";
}

void ls_forge_repos_dispose(ls_forge_repos *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].url);
	}
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

static void repos_push(ls_forge_repos *r, const char *name, const char *url, int wiki)
{
	r->v = ls_xrealloc(r->v, (r->n + 1) * sizeof(ls_forge_repo));
	r->v[r->n].name = ls_xstrdup(name);
	r->v[r->n].url = ls_xstrdup(url);
	r->v[r->n].wiki = wiki;
	r->n++;
}

/* ---- one page ---- */

typedef struct {
	ls_buf body;
	int too_large;
	char *next;         /* Link: rel="next" */
	char *next_page;    /* X-Next-Page (GitLab) */
	long long remaining; /* X-RateLimit-Remaining, or -1 */
	long long reset;     /* X-RateLimit-Reset (epoch seconds), or -1 */
	long long retry_after; /* seconds, or -1 */
} page;

static void page_reset(page *p)
{
	ls_buf_dispose(&p->body);
	free(p->next);
	free(p->next_page);
	memset(p, 0, sizeof(*p));
	p->remaining = p->reset = p->retry_after = -1;
}

static size_t on_body(char *data, size_t size, size_t n, void *payload)
{
	page *p = payload;
	if (p->body.len + size * n > MAX_PAGE) {
		p->too_large = 1;
		return 0;
	}
	ls_buf_put(&p->body, data, size * n);
	return size * n;
}

/* The value of header `name` in the line `h` (`n` bytes), trimmed and allocated, or NULL. */
static char *header_value(const char *h, size_t n, const char *name)
{
	size_t k = strlen(name);
	if (n <= k || strncasecmp(h, name, k) || h[k] != ':')
		return NULL;
	const char *v = h + k + 1, *e = h + n;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' '))
		e--;
	return ls_xstrndup(v, (size_t)(e - v));
}

/* The URL of the rel="next" entry of a Link header (`<URL>; rel="next", <URL>; rel="last"`). */
static char *link_next(const char *v)
{
	for (const char *p = v; (p = strchr(p, '<'));) {
		const char *q = strchr(p, '>');
		if (!q)
			break;
		const char *end = strchr(q, ',');
		size_t plen = end ? (size_t)(end - q) : strlen(q);
		char *params = ls_xstrndup(q, plen);
		int next = strstr(params, "rel=\"next\"") != NULL || strstr(params, "rel=next") != NULL;
		free(params);
		if (next)
			return ls_xstrndup(p + 1, (size_t)(q - p - 1));
		p = q;
	}
	return NULL;
}

static long long header_num(const char *h, size_t n, const char *name)
{
	char *v = header_value(h, n, name);
	if (!v)
		return -2;
	char *end;
	long long x = strtoll(v, &end, 10);
	int ok = end != v && *end == '\0' && x >= 0;
	free(v);
	return ok ? x : -1;
}

static size_t on_header(char *data, size_t size, size_t n, void *payload)
{
	page *p = payload;
	size_t len = size * n;
	char *v;
	long long x;
	if (!strncmp(data, "HTTP/", 5)) { /* a new response (after a 100 Continue): start over */
		free(p->next), free(p->next_page);
		p->next = p->next_page = NULL;
	} else if ((v = header_value(data, len, "link"))) {
		free(p->next);
		p->next = link_next(v);
		free(v);
	} else if ((v = header_value(data, len, "x-next-page"))) {
		free(p->next_page);
		p->next_page = *v ? v : NULL;
		if (!p->next_page)
			free(v);
	} else if ((x = header_num(data, len, "x-ratelimit-remaining")) != -2) {
		p->remaining = x;
	} else if ((x = header_num(data, len, "x-ratelimit-reset")) != -2) {
		p->reset = x;
	} else if ((x = header_num(data, len, "retry-after")) != -2) {
		p->retry_after = x;
	}
	return len;
}

/* ---- origins: the token goes to the API's origin only ---- */

typedef struct {
	char *scheme, *host, *port;
} origin;

static void origin_dispose(origin *o)
{
	curl_free(o->scheme);
	curl_free(o->host);
	curl_free(o->port);
	memset(o, 0, sizeof(*o));
}

static int is_loopback(const char *host)
{
	return !strcmp(host, "localhost") || !strcmp(host, "[::1]") || !strcmp(host, "::1") ||
	       (!strncmp(host, "127.", 4) && strspn(host, "0123456789.") == strlen(host));
}

static int origin_of(origin *o, const char *url)
{
	memset(o, 0, sizeof(*o));
	CURLU *u = curl_url();
	int ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	         curl_url_get(u, CURLUPART_SCHEME, &o->scheme, 0) == CURLUE_OK &&
	         curl_url_get(u, CURLUPART_HOST, &o->host, 0) == CURLUE_OK &&
	         curl_url_get(u, CURLUPART_PORT, &o->port, CURLU_DEFAULT_PORT) == CURLUE_OK;
	char *user = NULL;
	if (ok && curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK)
		ok = 0; /* credentials belong in the environment */
	curl_free(user);
	curl_url_cleanup(u);
	if (!ok)
		origin_dispose(o);
	return ok ? 0 : -1;
}

static int origin_same(const origin *a, const origin *b)
{
	return !strcasecmp(a->scheme, b->scheme) && !strcasecmp(a->host, b->host) && !strcmp(a->port, b->port);
}

/* ---- the listing ---- */

typedef struct {
	const ls_forge_query *q;
	CURL *curl;
	origin api;
	char *base;   /* the API's base, no trailing slash */
	char *what;   /* "github org 'acme'" for messages */
	char *auth;   /* the header carrying the token, or NULL */
	int loopback; /* the API is on this machine: file:// clone URLs are taken */
	char *first;  /* the first page's URL */
} lister;

static void sleep_interruptible(const ls_forge_query *q, double secs)
{
	double end = ls_now() + secs;
	while (ls_now() < end && !(q->stop && *q->stop)) {
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
	}
}

static void notice_wait(const lister *l, double secs, const char *why)
{
	if (!l->q->notice)
		return;
	char *m = ls_xasprintf("%s: rate limited; waiting %.0fs (%s)", l->what, secs, why);
	l->q->notice(m, l->q->payload);
	free(m);
}

/* GETs `url` into `p` (status in *status), waiting out rate limits and retrying failures. */
static int get_page(lister *l, const char *url, size_t pageno, page *p, long *status)
{
	const ls_forge_query *q = l->q;
	double max_wait = q->max_wait > 0 ? q->max_wait : 3600;
	int failures = 0, waits = 0;
	for (;;) {
		if (q->stop && *q->stop)
			return LS_ESTOP;
		page_reset(p);
		struct curl_slist *hdrs = NULL;
		hdrs = curl_slist_append(hdrs, q->kind <= LS_FORGE_GITHUB_USER ? "Accept: application/vnd.github+json"
		                                                                : "Accept: application/json");
		if (l->auth)
			hdrs = curl_slist_append(hdrs, l->auth);
		curl_easy_reset(l->curl);
		CURL *c = l->curl;
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(c, CURLOPT_USERAGENT, "leakscan/" LS_VERSION);
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, l->loopback ? "http,https" : "https");
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); /* a redirect would take the token elsewhere */
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
		curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)MAX_PAGE);
		curl_easy_setopt(c, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, p);
		curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(c, CURLOPT_HEADERDATA, p);
		if (l->loopback)
			curl_easy_setopt(c, CURLOPT_NOPROXY, "*"); /* this machine: never through a proxy */
		char errbuf[CURL_ERROR_SIZE] = "";
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
		CURLcode rc = curl_easy_perform(c);
		curl_slist_free_all(hdrs);
		*status = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
		if (rc == CURLE_OK && *status == 200)
			return 0;
		if (rc != CURLE_OK && !p->too_large) {
			if (++failures > 2) {
				ls_error_set("%s: page %zu: %s", l->what, pageno, errbuf[0] ? errbuf : curl_easy_strerror(rc));
				return LS_EIO;
			}
			sleep_interruptible(q, failures);
			continue;
		}
		if (p->too_large) {
			ls_error_set("%s: page %zu: the answer is larger than %zu MiB", l->what, pageno, MAX_PAGE >> 20);
			return LS_EIO;
		}
		/* rate limits: GitHub answers 403 or 429 with X-RateLimit-Remaining: 0 (primary) or
		 * Retry-After (secondary); GitLab and Gitea 429 */
		int limited = *status == 429 || (*status == 403 && (p->remaining == 0 || p->retry_after >= 0));
		if (limited && waits < MAX_WAITS) {
			double secs = p->retry_after >= 0 ? (double)p->retry_after
			              : p->reset >= 0     ? (double)(p->reset - (long long)time(NULL)) + 1
			                                  : 60;
			if (secs < 1)
				secs = 1;
			if (secs > max_wait) {
				ls_error_set("%s: page %zu: rate limited for %.0fs more (longer than %.0fs); try again later", l->what,
				             pageno, secs, max_wait);
				return LS_EIO;
			}
			waits++;
			notice_wait(l, secs,
			       p->retry_after >= 0 ? "Retry-After" : p->reset >= 0 ? "until X-RateLimit-Reset" : "no reset given");
			sleep_interruptible(q, secs);
			continue;
		}
		if (*status >= 500 && ++failures <= 2) {
			sleep_interruptible(q, failures);
			continue;
		}
		/* the API's own message, when it gives one (GitHub, Gitea: "message"; GitLab: "message"
		 * or "error"), at most a line */
		char why[160] = "";
		json_t *j = json_loadb(p->body.ptr ? p->body.ptr : "", p->body.len, 0, NULL);
		const char *m = NULL;
		if (json_is_object(j)) {
			m = json_string_value(json_object_get(j, "message"));
			if (!m)
				m = json_string_value(json_object_get(j, "error"));
		}
		if (m) {
			snprintf(why, sizeof(why), ": %s", m);
			for (char *w = why; *w; w++)
				if ((unsigned char)*w < 0x20 || *w == 0x7f)
					*w = ' ';
		}
		json_decref(j);
		ls_error_set("%s: page %zu: HTTP %ld%s%s", l->what, pageno, *status,
		             *status >= 300 && *status < 400 ? " (a redirect: is the name or --api-url right?)" : "", why);
		return LS_EIO;
	}
}

/* The string member `key` of `o`, or NULL. */
static const char *jstr(json_t *o, const char *key) { return json_string_value(json_object_get(o, key)); }
static int jtrue(json_t *o, const char *key) { return json_is_true(json_object_get(o, key)); }

static int clone_url_ok(const lister *l, const char *url)
{
	static const char *schemes[] = {"https://", "ssh://", "git://", "git@"};
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (!strncmp(url, schemes[i], strlen(schemes[i])))
			return !strchr(url, '\n') && !strchr(url, ' ');
	/* a forge on this machine (a test, a local mirror) may point at local mirrors or serve
	 * plain http */
	return l->loopback && (!strncmp(url, "file://", 7) || !strncmp(url, "http://", 7)) && !strchr(url, '\n');
}

static char *wiki_url(const char *url)
{
	size_t n = strlen(url);
	if (n > 4 && !strcmp(url + n - 4, ".git"))
		n -= 4;
	return ls_xasprintf("%.*s.wiki.git", (int)n, url);
}

/* Takes the repositories of one page; LS_EIO if it is not a list of repositories. */
static int take_page(lister *l, const page *p, size_t pageno, ls_forge_repos *out)
{
	const ls_forge_query *q = l->q;
	json_error_t je;
	json_t *arr = json_loadb(p->body.ptr ? p->body.ptr : "", p->body.len, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_array(arr)) {
		if (arr)
			ls_error_set("%s: page %zu: the answer is not a list of repositories", l->what, pageno);
		else
			ls_error_set("%s: page %zu: malformed JSON at line %d: %s", l->what, pageno, je.line, je.text);
		json_decref(arr);
		return LS_EIO;
	}
	int gitlab = q->kind == LS_FORGE_GITLAB_GROUP;
	size_t i;
	json_t *r;
	json_array_foreach(arr, i, r)
	{
		const char *name = jstr(r, gitlab ? "path_with_namespace" : "full_name");
		const char *url = jstr(r, gitlab ? "http_url_to_repo" : "clone_url");
		if (!json_is_object(r) || !name || !url) {
			ls_error_set("%s: page %zu: item %zu has no %s", l->what, pageno, i + 1,
			             !name ? (gitlab ? "path_with_namespace" : "full_name") : (gitlab ? "http_url_to_repo" : "clone_url"));
			json_decref(arr);
			return LS_EIO;
		}
		int fork = gitlab ? json_is_object(json_object_get(r, "forked_from_project")) : jtrue(r, "fork");
		if ((fork && !q->forks) || (jtrue(r, "archived") && !q->archived))
			continue;
		if (!clone_url_ok(l, url)) {
			if (q->notice) {
				char *m = ls_xasprintf("%s: %s: clone URL refused (not https, ssh or git); skipped", l->what, name);
				q->notice(m, q->payload);
				free(m);
			}
			continue;
		}
		repos_push(out, name, url, 0);
		if (q->wikis && jtrue(r, gitlab ? "wiki_enabled" : "has_wiki")) {
			char *wn = ls_xasprintf("%s.wiki", name), *wu = wiki_url(url);
			repos_push(out, wn, wu, 1);
			free(wn);
			free(wu);
		}
	}
	json_decref(arr);
	return 0;
}

static char *first_url(const lister *l)
{
	const ls_forge_query *q = l->q;
	char *esc = curl_easy_escape(l->curl, q->name, 0), *u = NULL;
	switch (q->kind) {
	case LS_FORGE_GITHUB_ORG: u = ls_xasprintf("%s/orgs/%s/repos?per_page=100&type=all", l->base, esc); break;
	case LS_FORGE_GITHUB_USER: u = ls_xasprintf("%s/users/%s/repos?per_page=100&type=owner", l->base, esc); break;
	case LS_FORGE_GITLAB_GROUP:
		u = ls_xasprintf("%s/api/v4/groups/%s/projects?include_subgroups=true&per_page=100&order_by=id&sort=asc%s",
		                 l->base, esc, q->archived ? "" : "&archived=false");
		break;
	case LS_FORGE_GITEA_ORG: u = ls_xasprintf("%s/api/v1/orgs/%s/repos?limit=50&page=1", l->base, esc); break;
	}
	curl_free(esc);
	return u;
}

/* The URL of the page after `cur` (`pageno`), or NULL when it was the last. */
static char *next_url(const lister *l, const page *p, size_t pageno)
{
	if (p->next)
		return ls_xstrdup(p->next);
	if (p->next_page) { /* GitLab without Link (keyset pagination is not asked for) */
		char *end;
		unsigned long n = strtoul(p->next_page, &end, 10);
		if (*end || n != pageno + 1)
			return NULL;
		return ls_xasprintf("%s&page=%lu", l->first, n);
	}
	return NULL;
}

int ls_forge_list(const ls_forge_query *q, ls_forge_repos *out)
{
	static const char *dflt[] = {"https://api.github.com", "https://api.github.com", "https://gitlab.com",
	                             "https://gitea.com"};
	lister l;
	memset(&l, 0, sizeof(l));
	l.q = q;
	int err = 0;
	char *url = NULL;
	page p;
	memset(&p, 0, sizeof(p));
	page_reset(&p);
	l.what = ls_xasprintf("%s '%s'", ls_forge_kind_name(q->kind), q->name);
	size_t blen = strlen(q->api_url ? q->api_url : dflt[q->kind]);
	while (blen && (q->api_url ? q->api_url : dflt[q->kind])[blen - 1] == '/')
		blen--;
	l.base = ls_xstrndup(q->api_url ? q->api_url : dflt[q->kind], blen);
	if (!*q->name || origin_of(&l.api, l.base) < 0) {
		ls_error_set("%s: invalid API URL '%s'", l.what, l.base);
		err = LS_EINVAL;
		goto done;
	}
	l.loopback = is_loopback(l.api.host);
	if (strcasecmp(l.api.scheme, "https") && !(l.loopback && !strcasecmp(l.api.scheme, "http"))) {
		ls_error_set("%s: the API URL must be https:// (http:// only on this machine): '%s'", l.what, l.base);
		err = LS_EINVAL;
		goto done;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(l.curl = curl_easy_init())) {
		ls_error_set("%s: cannot start libcurl", l.what);
		err = LS_EIO;
		goto done;
	}
	if (q->token && *q->token)
		l.auth = q->kind <= LS_FORGE_GITHUB_USER    ? ls_xasprintf("Authorization: Bearer %s", q->token)
		         : q->kind == LS_FORGE_GITLAB_GROUP ? ls_xasprintf("PRIVATE-TOKEN: %s", q->token)
		                                            : ls_xasprintf("Authorization: token %s", q->token);
	url = first_url(&l);
	l.first = ls_xstrdup(url);
	for (size_t pageno = 1; url; pageno++) {
		long status;
		if (pageno > MAX_PAGES) {
			ls_error_set("%s: more than %d pages", l.what, MAX_PAGES);
			err = LS_EIO;
			break;
		}
		if ((err = get_page(&l, url, pageno, &p, &status)) < 0 || (err = take_page(&l, &p, pageno, out)) < 0)
			break;
		char *next = next_url(&l, &p, pageno);
		free(url);
		url = NULL;
		if (next) {
			origin o;
			if (origin_of(&o, next) < 0 || !origin_same(&o, &l.api)) {
				/* the token goes to the API's origin and nowhere else */
				ls_error_set("%s: page %zu: the next page is on another site; stopped", l.what, pageno);
				err = LS_EIO;
				free(next);
				if (o.scheme)
					origin_dispose(&o);
				break;
			}
			origin_dispose(&o);
			url = next;
		}
	}
done:
	if (l.auth) {
		explicit_bzero(l.auth, strlen(l.auth));
		free(l.auth);
	}
	if (l.curl)
		curl_easy_cleanup(l.curl);
	origin_dispose(&l.api);
	page_reset(&p);
	ls_buf_dispose(&p.body);
	free(url);
	free(l.first);
	free(l.base);
	free(l.what);
	return err;
}
