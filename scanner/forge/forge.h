/* forge: the repositories of a GitHub organization or user, a GitLab group (subgroups
 * included) or a Gitea/Forgejo organization, listed through the forge's REST API (libcurl,
 * jansson), for bulk scans. */
#ifndef LS_FORGE_H
#define LS_FORGE_H

#include <stddef.h>

typedef enum { LS_FORGE_GITHUB_ORG, LS_FORGE_GITHUB_USER, LS_FORGE_GITLAB_GROUP, LS_FORGE_GITEA_ORG } ls_forge_kind;

/** "github org", "github user", "gitlab group", "gitea org". */
const char *ls_forge_kind_name(ls_forge_kind kind);

typedef struct {
	ls_forge_kind kind;
	const char *name;    /**< the organization, user or group path (`parent/child`) */
	const char *api_url; /**< NULL: the public service (https://api.github.com, https://gitlab.com,
	                          https://gitea.com); else https://, or http:// on a loopback address */
	const char *token;   /**< NULL: anonymous. Sent only to `api_url`'s origin, never shown */
	int forks;           /**< list forks too */
	int archived;        /**< list archived repositories too */
	int wikis;           /**< add each repository's wiki (`.wiki.git`) where the forge says it has one */
	const volatile int *stop; /**< optional: non-zero ends a wait or a transfer (LS_ESTOP) */
	/** Optional: told each wait for a rate limit ("waiting 42s: ..."); one line, no secret. */
	void (*notice)(const char *msg, void *payload);
	void *payload;
	double max_wait; /**< longest single wait for a rate limit, seconds (0: an hour) */
} ls_forge_query;

typedef struct {
	char *name; /**< `org/repo` (`org/repo.wiki` for a wiki) */
	char *url;  /**< the clone URL the forge gives (https://, ssh://, git://; file:// and http://
	                 only from a forge on a loopback address), credentials never included */
	int wiki;   /**< a wiki repository: it may not exist even when announced */
} ls_forge_repo;

/** Owned list; free with ls_forge_repos_dispose. */
typedef struct {
	ls_forge_repo *v;
	size_t n;
} ls_forge_repos;

/**
 * Appends what `q` lists to `out`, in the forge's order, every page (`Link: rel="next"`,
 * GitLab's `X-Next-Page`); waits out rate limits (`Retry-After`, `X-RateLimit-Remaining: 0`
 * until `X-RateLimit-Reset`), telling `q->notice`; retries a server error or a failed
 * connection twice. Returns 0; LS_EINVAL (a bad api_url), LS_EIO (the forge refused, failed
 * or answered what is not a repository list: the message names the forge, the target and
 * the page), or LS_ESTOP. What was listed before an error stays in `out`. Thread-safe.
 */
int ls_forge_list(const ls_forge_query *q, ls_forge_repos *out);

void ls_forge_repos_dispose(ls_forge_repos *r);

#endif
