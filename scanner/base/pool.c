#include "pool.h"

#include <pthread.h>
#include <stdlib.h>

#include "common.h"

typedef struct {
	const ls_pool_job *job;
	size_t n, window;
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
	void *w = job->worker_new ? job->worker_new(job->payload) : NULL;
	pthread_mutex_lock(&p->mu);
	if (job->worker_new && !w) {
		p->failed = 1;
		p->stop = 1;
		pthread_cond_broadcast(&p->cv_done);
		pthread_mutex_unlock(&p->mu);
		return NULL;
	}
	for (;;) {
		while (!p->stop && p->next < p->n && p->next >= p->emitted + p->window) {
			/* the writer may be asleep on items already done: it must drain them first */
			pthread_cond_signal(&p->cv_done);
			p->waiting++;
			pthread_cond_wait(&p->cv_room, &p->mu);
			p->waiting--;
		}
		if (p->stop || p->next >= p->n)
			break;
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
	if (job->worker_free)
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

int ls_pool_run(const ls_pool_job *job, size_t n)
{
	pool p = {0};
	size_t nt = job->nthreads ? job->nthreads : (size_t)ls_ncpus();
	if (nt > n)
		nt = n ? n : 1;
	if (nt == 1)
		return run_inline(job, n);
	p.job = job;
	p.n = n;
	p.window = job->window ? job->window : 4 * nt + 16;
	p.done = ls_xcalloc(n ? n : 1, 1);
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv_done, NULL);
	pthread_cond_init(&p.cv_room, NULL);
	/* the calling thread is the writer and, when it has nothing to emit, one of the workers */
	pthread_t *th = ls_xcalloc(nt, sizeof(pthread_t));
	size_t started = 0;
	for (; started + 1 < nt; started++)
		if (pthread_create(&th[started], NULL, worker_main, &p) != 0)
			break;
	int rc = 0;
	void *mw = job->worker_new ? job->worker_new(job->payload) : NULL;
	pthread_mutex_lock(&p.mu);
	if (job->worker_new && !mw) {
		p.failed = 1;
		p.stop = 1;
	}
	while (!p.stop && p.emitted < n) {
		if (p.done[p.emitted]) {
			/* emit the whole run of items done in order, then let waiting workers go on */
			while (p.emitted < n && p.done[p.emitted]) {
				size_t idx = p.emitted;
				pthread_mutex_unlock(&p.mu);
				int r = job->emit(idx, job->payload);
				pthread_mutex_lock(&p.mu);
				p.emitted++;
				if (r) {
					p.stop = 1;
					rc = LS_ESTOP;
					break;
				}
			}
			if (p.waiting)
				pthread_cond_broadcast(&p.cv_room);
		} else if (p.next < n && p.next < p.emitted + p.window) {
			size_t idx = p.next++;
			pthread_mutex_unlock(&p.mu);
			job->work(mw, idx, job->payload);
			pthread_mutex_lock(&p.mu);
			p.done[idx] = 1;
		} else {
			p.writer_asleep = 1;
			pthread_cond_wait(&p.cv_done, &p.mu);
			p.writer_asleep = 0;
		}
	}
	p.stop = 1;
	pthread_cond_broadcast(&p.cv_room);
	pthread_mutex_unlock(&p.mu);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	/* items worked but never emitted still own results: hand them over so they are freed */
	if (rc == LS_ESTOP || p.failed)
		for (size_t i = p.emitted; i < n; i++)
			if (p.done[i] && job->discard)
				job->discard(i, job->payload);
	if (p.failed && rc == 0)
		rc = LS_ERR;
	if (mw && job->worker_free)
		job->worker_free(mw, job->payload);
	free(th);
	free(p.done);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.cv_done);
	pthread_cond_destroy(&p.cv_room);
	return rc;
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
