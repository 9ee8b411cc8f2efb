/* leakscan repos: the clone stage. Mirrors of clone URLs are made or fetched by their own
 * threads (--clone-jobs), in list order, ahead of the scanning workers (--jobs), so that the
 * network and the CPUs are both kept busy; a worker about to scan a URL's mirror waits for it. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "repos.h"
#include "source_git.h"

enum { C_PENDING = 0, C_READY, C_FAILED };

struct repos_clones {
	repo_list *l;
	int how;
	const volatile int *stop;
	size_t *received, *fetching;
	size_t next; /* the next entry to take (under mu) */
	unsigned char *state;
	char **error;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t *threads;
	size_t nthreads;
};

/* Clones or fetches entry `i` (not under the lock). */
static void clone_one(repos_clones *c, size_t i)
{
	repo_ent *r = &c->l->v[i];
	int st = C_READY;
	char *msg = NULL;
	if (r->url && !*c->stop) {
		__atomic_add_fetch(c->fetching, 1, __ATOMIC_RELAXED);
		if (ls_git_mirror_update(r->url, r->path, c->how, c->stop, c->received) < 0) {
			st = C_FAILED;
			msg = ls_xstrdup(ls_error_last());
		}
		__atomic_sub_fetch(c->fetching, 1, __ATOMIC_RELAXED);
	} else if (r->url) {
		st = C_FAILED; /* stopping: not cloned */
	}
	pthread_mutex_lock(&c->mu);
	c->state[i] = (unsigned char)st;
	c->error[i] = msg;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

/* Takes the next entry that needs the network; returns its index, or l->n when none is left. */
static size_t take(repos_clones *c)
{
	pthread_mutex_lock(&c->mu);
	while (c->next < c->l->n && !c->l->v[c->next].url) {
		c->state[c->next++] = C_READY; /* a local path: nothing to fetch */
		pthread_cond_broadcast(&c->cv);
	}
	size_t i = c->next < c->l->n ? c->next++ : c->l->n;
	pthread_mutex_unlock(&c->mu);
	return i;
}

static void *clone_main(void *payload)
{
	repos_clones *c = payload;
	for (size_t i; (i = take(c)) < c->l->n;)
		clone_one(c, i);
	return NULL;
}

repos_clones *repos_clones_start(repo_list *l, size_t njobs, int how, const volatile int *stop, size_t *received,
                                 size_t *fetching)
{
	repos_clones *c = ls_xcalloc(1, sizeof(*c));
	c->l = l;
	c->how = how;
	c->stop = stop;
	c->received = received;
	c->fetching = fetching;
	c->state = ls_xcalloc(l->n ? l->n : 1, 1);
	c->error = ls_xcalloc(l->n ? l->n : 1, sizeof(char *));
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	size_t nurls = 0;
	for (size_t i = 0; i < l->n; i++)
		nurls += l->v[i].url != NULL;
	if (njobs > nurls)
		njobs = nurls;
	c->threads = ls_xcalloc(njobs ? njobs : 1, sizeof(pthread_t));
	for (size_t t = 0; t < njobs; t++) {
		if (pthread_create(&c->threads[c->nthreads], NULL, clone_main, c) != 0)
			break; /* fewer threads; with none, repos_clones_wait clones on the caller's */
		c->nthreads++;
	}
	return c;
}

int repos_clones_wait(repos_clones *c, size_t idx, char **error)
{
	*error = NULL;
	if (!c->l->v[idx].url)
		return 0;
	if (!c->nthreads) { /* no clone thread could start: this worker clones it */
		clone_one(c, idx);
	}
	pthread_mutex_lock(&c->mu);
	while (c->state[idx] == C_PENDING)
		pthread_cond_wait(&c->cv, &c->mu);
	int st = c->state[idx];
	if (c->error[idx])
		*error = ls_xstrdup(c->error[idx]);
	pthread_mutex_unlock(&c->mu);
	return st == C_READY ? 0 : -1;
}

void repos_clones_finish(repos_clones *c)
{
	if (!c)
		return;
	for (size_t t = 0; t < c->nthreads; t++)
		pthread_join(c->threads[t], NULL);
	for (size_t i = 0; i < c->l->n; i++)
		free(c->error[i]);
	free(c->error);
	free(c->state);
	free(c->threads);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	free(c);
}
