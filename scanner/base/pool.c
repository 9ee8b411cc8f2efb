#include "pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

typedef struct {
	const ls_pool_job *job;
	size_t n, window;        /* n: items that exist so far */
	int open;                /* more items may come (ls_pool_stream_add) */
	size_t capdone;
	pthread_mutex_t mu;
	pthread_cond_t cv_done;  /* an item finished */
	pthread_cond_t cv_room;  /* the writer advanced */
	size_t next;             /* next item to hand out */
	size_t emitted;          /* items emitted so far */
	size_t waiting;          /* workers waiting for room */
	int writer_asleep;       /* the writer waits on cv_done */
	unsigned char *done;
	int stop;
	int failed;
} pool;

static void *worker_main(void *arg)
{
	pool *p = arg;
	const ls_pool_job *job = p->job;
	void *w = NULL;
	int made = 0;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		/* wait for room ahead of the writer, or for items to come */
		while (!p->stop && (p->next < p->n ? p->next >= p->emitted + p->window : p->open)) {
			/* the writer may be asleep on items already done: it must drain them first */
			if (p->next < p->n)
				pthread_cond_signal(&p->cv_done);
			p->waiting++;
			pthread_cond_wait(&p->cv_room, &p->mu);
			p->waiting--;
		}
		if (p->stop || p->next >= p->n)
			break;
		if (!made) {
			/* made once there is an item to work: in a streamed run, a thread that never
			 * gets one makes no state (scratch, repository handle) */
			made = 1;
			pthread_mutex_unlock(&p->mu);
			w = job->worker_new ? job->worker_new(job->payload) : NULL;
			pthread_mutex_lock(&p->mu);
			if (job->worker_new && !w) {
				p->failed = 1;
				p->stop = 1;
				pthread_cond_broadcast(&p->cv_done);
				pthread_mutex_unlock(&p->mu);
				return NULL;
			}
			continue; /* the lock was dropped: look again */
		}
		size_t idx = p->next++;
		pthread_mutex_unlock(&p->mu);
		job->work(w, idx, job->payload);
		pthread_mutex_lock(&p->mu);
		p->done[idx] = 1;
		/*
		 * The writer only ever waits for the next item in order. Waking it for each item
		 * costs two context switches per file, more than scanning a small file: wake it
		 * once half the window is done, or when no more work is left to hand out.
		 */
		if (p->writer_asleep && p->done[p->emitted] &&
		    (p->next >= p->n || p->next - p->emitted >= p->window / 2))
			pthread_cond_signal(&p->cv_done);
	}
	pthread_mutex_unlock(&p->mu);
	if (made && job->worker_free)
		job->worker_free(w, job->payload);
	return NULL;
}

/* One worker: no threads, no hand-offs; work and emit each item in turn. */
static int run_inline(const ls_pool_job *job, size_t n)
{
	void *w = job->worker_new ? job->worker_new(job->payload) : NULL;
	if (job->worker_new && !w)
		return LS_ERR;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		job->work(w, i, job->payload);
		if (job->emit(i, job->payload))
			rc = LS_ESTOP;
	}
	if (job->worker_free)
		job->worker_free(w, job->payload);
	return rc;
}

struct ls_pool_stream {
	pool p;
	pthread_t *th;
	size_t started;
	int inline_run; /* one thread: everything is worked at the end, by ls_pool_stream_finish */
};

static ls_pool_stream *stream_start(const ls_pool_job *job, size_t nt, size_t n, int open)
{
	ls_pool_stream *s = ls_xcalloc(1, sizeof(*s));
	pool *p = &s->p;
	p->job = job;
	p->n = n;
	p->open = open;
	if (nt == 1) {
		s->inline_run = 1;
		return s;
	}
	p->window = job->window ? job->window : 4 * nt + 16;
	p->capdone = n > 64 ? n : 64;
	p->done = ls_xcalloc(p->capdone, 1);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv_done, NULL);
	pthread_cond_init(&p->cv_room, NULL);
	/* the calling thread is the writer and, when it has nothing to emit, one of the workers */
	s->th = ls_xcalloc(nt, sizeof(pthread_t));
	for (; s->started + 1 < nt; s->started++)
		if (pthread_create(&s->th[s->started], NULL, worker_main, p) != 0)
			break;
	return s;
}

ls_pool_stream *ls_pool_stream_start(const ls_pool_job *job)
{
	size_t nt = job->nthreads ? job->nthreads : (size_t)ls_ncpus();
	return stream_start(job, nt, 0, 1);
}

/* Emits the items done in order from the writer's place on (the lock held; dropped around each emit). */
static int drain(pool *p)
{
	int rc = 0;
	while (!p->stop && p->emitted < p->n && p->done[p->emitted]) {
		size_t idx = p->emitted;
		pthread_mutex_unlock(&p->mu);
		int r = p->job->emit(idx, p->job->payload);
		pthread_mutex_lock(&p->mu);
		p->emitted++;
		if (r) {
			p->stop = 1;
			rc = LS_ESTOP;
		}
	}
	return rc;
}

int ls_pool_stream_add(ls_pool_stream *s, size_t n)
{
	pool *p = &s->p;
	if (s->inline_run) {
		p->n = n;
		return 0;
	}
	pthread_mutex_lock(&p->mu);
	if (n > p->capdone) {
		size_t cap = p->capdone * 2 > n ? p->capdone * 2 : n;
		p->done = ls_xrealloc(p->done, cap);
		memset(p->done + p->capdone, 0, cap - p->capdone);
		p->capdone = cap;
	}
	p->n = n;
	int rc = p->stop ? LS_ESTOP : drain(p);
	if (p->waiting)
		pthread_cond_broadcast(&p->cv_room);
	pthread_mutex_unlock(&p->mu);
	return rc;
}

int ls_pool_stream_finish(ls_pool_stream *s)
{
	pool *pp = &s->p;
	const ls_pool_job *job = pp->job;
	if (s->inline_run) {
		int irc = run_inline(job, pp->n);
		free(s);
		return irc;
	}
	int rc = 0;
	void *mw = job->worker_new ? job->worker_new(job->payload) : NULL;
	pthread_mutex_lock(&pp->mu);
	pp->open = 0;
	if (pp->waiting)
		pthread_cond_broadcast(&pp->cv_room);
	if (job->worker_new && !mw) {
		pp->failed = 1;
		pp->stop = 1;
	}
	if (pp->stop && !pp->failed)
		rc = LS_ESTOP; /* an emit during ls_pool_stream_add stopped the run */
	while (!pp->stop && pp->emitted < pp->n) {
		if (pp->done[pp->emitted]) {
			/* emit the whole run of items done in order, then let waiting workers go on */
			if (drain(pp))
				rc = LS_ESTOP;
			if (pp->waiting)
				pthread_cond_broadcast(&pp->cv_room);
		} else if (pp->next < pp->n && pp->next < pp->emitted + pp->window) {
			size_t idx = pp->next++;
			pthread_mutex_unlock(&pp->mu);
			job->work(mw, idx, job->payload);
			pthread_mutex_lock(&pp->mu);
			pp->done[idx] = 1;
		} else {
			pp->writer_asleep = 1;
			pthread_cond_wait(&pp->cv_done, &pp->mu);
			pp->writer_asleep = 0;
		}
	}
	pp->stop = 1;
	pthread_cond_broadcast(&pp->cv_room);
	pthread_mutex_unlock(&pp->mu);
	for (size_t i = 0; i < s->started; i++)
		pthread_join(s->th[i], NULL);
	/* items worked but never emitted still own results: hand them over so they are freed */
	if (rc == LS_ESTOP || pp->failed)
		for (size_t i = pp->emitted; i < pp->n; i++)
			if (pp->done[i] && job->discard)
				job->discard(i, job->payload);
	if (pp->failed && rc == 0)
		rc = LS_ERR;
	if (mw && job->worker_free)
		job->worker_free(mw, job->payload);
	free(s->th);
	free(pp->done);
	pthread_mutex_destroy(&pp->mu);
	pthread_cond_destroy(&pp->cv_done);
	pthread_cond_destroy(&pp->cv_room);
	free(s);
	return rc;
}

int ls_pool_run(const ls_pool_job *job, size_t n)
{
	size_t nt = job->nthreads ? job->nthreads : (size_t)ls_ncpus();
	if (nt > n)
		nt = n ? n : 1;
	if (nt == 1)
		return run_inline(job, n);
	return ls_pool_stream_finish(stream_start(job, nt, n, 0));
}

/* ---- background runs: no writer, no order ---- */

struct ls_pool_bg {
	const ls_pool_job *job;
	size_t n, next, done;
	size_t live; /* workers started and not yet finished */
	pthread_mutex_t mu;
	pthread_t *th;
	size_t nth;
	int failed;
};

/* Works items until none is left. */
static void bg_drain(ls_pool_bg *bg)
{
	const ls_pool_job *job = bg->job;
	void *w = job->worker_new ? job->worker_new(job->payload) : NULL;
	if (job->worker_new && !w) {
		pthread_mutex_lock(&bg->mu);
		bg->failed = 1;
		pthread_mutex_unlock(&bg->mu);
		return;
	}
	for (;;) {
		pthread_mutex_lock(&bg->mu);
		size_t idx = bg->next < bg->n ? bg->next++ : SIZE_MAX;
		pthread_mutex_unlock(&bg->mu);
		if (idx == SIZE_MAX)
			break;
		job->work(w, idx, job->payload);
		pthread_mutex_lock(&bg->mu);
		bg->done++;
		pthread_mutex_unlock(&bg->mu);
	}
	if (job->worker_free)
		job->worker_free(w, job->payload);
}

static void *bg_main(void *arg)
{
	ls_pool_bg *bg = arg;
	bg_drain(bg);
	pthread_mutex_lock(&bg->mu);
	bg->live--;
	pthread_mutex_unlock(&bg->mu);
	return NULL;
}

ls_pool_bg *ls_pool_start(const ls_pool_job *job, size_t n, size_t nthreads)
{
	ls_pool_bg *bg = ls_xcalloc(1, sizeof(*bg));
	bg->job = job;
	bg->n = n;
	pthread_mutex_init(&bg->mu, NULL);
	bg->th = ls_xcalloc(nthreads ? nthreads : 1, sizeof(pthread_t));
	pthread_mutex_lock(&bg->mu);
	for (; bg->nth < nthreads; bg->nth++) {
		if (pthread_create(&bg->th[bg->nth], NULL, bg_main, bg) != 0)
			break;
		bg->live++;
	}
	pthread_mutex_unlock(&bg->mu);
	return bg;
}

int ls_pool_busy(ls_pool_bg *bg)
{
	pthread_mutex_lock(&bg->mu);
	int busy = bg->done < bg->n && bg->live > 0;
	pthread_mutex_unlock(&bg->mu);
	return busy;
}

int ls_pool_finish(ls_pool_bg *bg)
{
	bg_drain(bg);
	for (size_t i = 0; i < bg->nth; i++)
		pthread_join(bg->th[i], NULL);
	int rc = bg->failed ? LS_ERR : 0;
	pthread_mutex_destroy(&bg->mu);
	free(bg->th);
	free(bg);
	return rc;
}
