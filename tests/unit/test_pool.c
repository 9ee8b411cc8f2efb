/* Unit tests of the worker pool: results reach the writer in input order for any thread
 * count and window, a writer's stop ends the run and frees what was worked, and a worker
 * that cannot start fails the run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "pool.h"

typedef struct {
	size_t n;
	size_t *result;     /* set by work: idx * 7 + 1 */
	size_t *order;      /* indices in emit order */
	size_t nemitted;
	size_t stop_at;     /* emit returns 1 at this index (SIZE_MAX: never) */
	size_t discarded;
	size_t workers;
	int fail_workers;
} run;

static void *w_new(void *payload)
{
	run *r = payload;
	if (r->fail_workers)
		return NULL;
	__atomic_add_fetch(&r->workers, 1, __ATOMIC_SEQ_CST);
	return r;
}

static void w_free(void *w, void *payload)
{
	(void)w;
	(void)payload;
}

static void work(void *w, size_t idx, void *payload)
{
	run *r = payload;
	(void)w;
	if (idx % 5 == 0) { /* uneven item costs, so workers finish out of order */
		struct timespec ts = {0, 200000};
		nanosleep(&ts, NULL);
	}
	r->result[idx] = idx * 7 + 1;
}

static int emit(size_t idx, void *payload)
{
	run *r = payload;
	assert_int_equal(r->result[idx], idx * 7 + 1); /* worked before it is emitted */
	r->order[r->nemitted++] = idx;
	return idx == r->stop_at;
}

static void discard(size_t idx, void *payload)
{
	run *r = payload;
	assert_int_equal(r->result[idx], idx * 7 + 1);
	r->discarded++;
}

static int go(run *r, size_t n, size_t threads, size_t window)
{
	memset(r, 0, sizeof(*r));
	r->n = n;
	r->result = ls_xcalloc(n + 1, sizeof(size_t));
	r->order = ls_xcalloc(n + 1, sizeof(size_t));
	r->stop_at = SIZE_MAX;
	ls_pool_job job = {.nthreads = threads, .window = window, .worker_new = w_new, .worker_free = w_free,
	                   .work = work, .emit = emit, .discard = discard, .payload = r};
	return ls_pool_run(&job, n);
}

static void done(run *r)
{
	free(r->result);
	free(r->order);
}

static void test_order_any_threads(void **state)
{
	(void)state;
	size_t threads[] = {1, 2, 3, 8};
	size_t windows[] = {0, 1, 2, 7};
	for (size_t t = 0; t < 4; t++)
		for (size_t w = 0; w < 4; w++) {
			run r;
			assert_int_equal(go(&r, 300, threads[t], windows[w]), 0);
			assert_int_equal(r.nemitted, 300);
			for (size_t i = 0; i < 300; i++)
				assert_int_equal(r.order[i], i);
			assert_true(r.workers >= 1 && r.workers <= threads[t]);
			done(&r);
		}
}

static void test_empty_and_single(void **state)
{
	(void)state;
	run r;
	assert_int_equal(go(&r, 0, 4, 0), 0);
	assert_int_equal(r.nemitted, 0);
	done(&r);
	assert_int_equal(go(&r, 1, 4, 0), 0);
	assert_int_equal(r.nemitted, 1);
	assert_int_equal(r.workers, 1); /* never more workers than items */
	done(&r);
}

/* emit stops at item 40: nothing after it is emitted; what was worked is discarded */
static void test_stop(void **state)
{
	(void)state;
	for (size_t t = 1; t <= 3; t++) {
		run r;
		memset(&r, 0, sizeof(r));
		r.result = ls_xcalloc(201, sizeof(size_t));
		r.order = ls_xcalloc(201, sizeof(size_t));
		r.stop_at = 40;
		ls_pool_job job = {.nthreads = t, .window = 8, .worker_new = w_new, .worker_free = w_free,
		                   .work = work, .emit = emit, .discard = discard, .payload = &r};
		assert_int_equal(ls_pool_run(&job, 200), LS_ESTOP);
		assert_int_equal(r.nemitted, 41);
		assert_int_equal(r.order[40], 40);
		/* the window bounds how far workers ran ahead of the writer */
		assert_true(r.discarded <= 8 + t);
		done(&r);
	}
}

static void test_worker_fails(void **state)
{
	(void)state;
	for (size_t t = 1; t <= 2; t++) {
		run r;
		memset(&r, 0, sizeof(r));
		r.result = ls_xcalloc(11, sizeof(size_t));
		r.order = ls_xcalloc(11, sizeof(size_t));
		r.stop_at = SIZE_MAX;
		r.fail_workers = 1;
		ls_pool_job job = {.nthreads = t, .worker_new = w_new, .worker_free = w_free, .work = work,
		                   .emit = emit, .discard = discard, .payload = &r};
		assert_int_equal(ls_pool_run(&job, 10), LS_ERR);
		assert_int_equal(r.nemitted, 0);
		done(&r);
	}
}

/* items added a few at a time while the run goes on (a walk feeding the scan): the same
 * order, every item emitted once; a stop during the adds ends the run */
static void test_stream(void **state)
{
	(void)state;
	size_t threads[] = {1, 2, 3};
	size_t windows[] = {0, 2};
	for (size_t t = 0; t < 3; t++)
		for (size_t w = 0; w < 2; w++)
			for (int stop = 0; stop < 2; stop++) {
				run r;
				memset(&r, 0, sizeof(r));
				r.result = ls_xcalloc(301, sizeof(size_t));
				r.order = ls_xcalloc(301, sizeof(size_t));
				r.stop_at = stop ? 40 : SIZE_MAX;
				ls_pool_job job = {.nthreads = threads[t], .window = windows[w], .worker_new = w_new,
				                   .worker_free = w_free, .work = work, .emit = emit, .discard = discard,
				                   .payload = &r};
				ls_pool_stream *ps = ls_pool_stream_start(&job);
				for (size_t n = 0; n < 300; n += 7) {
					/* (LS_ESTOP once item 40 is emitted: the adds may go on) */
					ls_pool_stream_add(ps, n);
					struct timespec ts = {0, 50000};
					nanosleep(&ts, NULL);
				}
				ls_pool_stream_add(ps, 300);
				int rc = ls_pool_stream_finish(ps);
				if (stop) {
					assert_int_equal(rc, LS_ESTOP);
					assert_int_equal(r.nemitted, 41);
				} else {
					assert_int_equal(rc, 0);
					assert_int_equal(r.nemitted, 300);
				}
				for (size_t i = 0; i < r.nemitted; i++)
					assert_int_equal(r.order[i], i);
				done(&r);
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_any_threads),
	    cmocka_unit_test(test_empty_and_single),
	    cmocka_unit_test(test_stop),
	    cmocka_unit_test(test_worker_fails),
	    cmocka_unit_test(test_stream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
