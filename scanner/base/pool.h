/* pool: run work items on N threads and hand their results to one writer in input order. */
#ifndef LS_POOL_H
#define LS_POOL_H

#include <stddef.h>

typedef struct {
	size_t nthreads;   /**< workers, the calling thread included (0: one per CPU) */
	size_t window;     /**< items a worker may run ahead of the writer (0: 4 x threads + 16) */
	/** Creates one worker's private state (scratch, repository handle); NULL on failure. */
	void *(*worker_new)(void *payload);
	void (*worker_free)(void *worker, void *payload);
	/** Processes item `idx`, storing its result where `emit` will find it. Runs in a worker
	 *  (the calling thread is one of them). */
	void (*work)(void *worker, size_t idx, void *payload);
	/** Consumes item `idx`'s result; called on the calling thread in index order. Non-zero stops. */
	int (*emit)(size_t idx, void *payload);
	/** Frees item `idx`'s result when the run stopped before emitting it (optional). */
	void (*discard)(size_t idx, void *payload);
	void *payload;
} ls_pool_job;

/**
 * Runs items 0..n-1. Returns 0, LS_ESTOP if `emit` stopped the run (the remaining items are
 * neither worked nor emitted), or LS_ERR if a worker could not be created.
 */
int ls_pool_run(const ls_pool_job *job, size_t n);

/**
 * A run whose items are found while it goes on (a directory walk): the workers start on the
 * first items while the calling thread looks for more. `job` is borrowed until
 * ls_pool_stream_finish. Item `idx` must be complete (whatever `work` reads of it) before an
 * ls_pool_stream_add makes it available, and must not move afterwards: workers read it
 * without a lock. With one thread nothing runs before ls_pool_stream_finish.
 */
typedef struct ls_pool_stream ls_pool_stream;
ls_pool_stream *ls_pool_stream_start(const ls_pool_job *job);
/** Items 0..n-1 exist now (`n` never decreases). On the calling thread: also emits the
 *  items done so far, in order. Returns LS_ESTOP once an emit has stopped the run, else 0. */
int ls_pool_stream_add(ls_pool_stream *s, size_t n);
/** No more items: works and emits the rest like ls_pool_run, and frees `s`. Returns as
 *  ls_pool_run does. */
int ls_pool_stream_finish(ls_pool_stream *s);

/**
 * Background runs, for work whose results go their own way (a writer thread, a datastore)
 * while the calling thread does something else (progress): starts `nthreads` workers on
 * items 0..n-1, handed out in index order; `emit`, `discard` and `window` are unused.
 * Never NULL (with no thread started, ls_pool_finish works every item).
 */
typedef struct ls_pool_bg ls_pool_bg;
ls_pool_bg *ls_pool_start(const ls_pool_job *job, size_t n, size_t nthreads);
/** 1 while some item is not finished and some worker is still running. */
int ls_pool_busy(ls_pool_bg *bg);
/** The calling thread works the items left too (with its own worker), then waits for the
 * workers and frees `bg`. Returns 0, or LS_ERR if some worker_new failed. */
int ls_pool_finish(ls_pool_bg *bg);

#endif
