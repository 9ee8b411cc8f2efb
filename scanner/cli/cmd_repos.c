/* leakscan repos: scan many repositories (local paths and clone URLs) into a findings
 * datastore, incrementally: a blob already scanned with the same rules is never scanned again,
 * whichever repository it appears in, and an unchanged repository is not even walked.
 *
 * Threads: N workers of the pool (base/pool, a background run) take repositories in list
 * order; each walks its repository, claims the
 * blobs nobody scanned yet in a shared map, scans them and hands the results to one writer
 * thread, which batches them into SQLite transactions. A repository is recorded as done (its
 * ref tips and the locations of its finding blobs) only after every blob it needs was written,
 * so a killed run loses at most the work in flight and a rerun continues. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "archives.h"
#include "cli.h"
#include "common.h"
#include "pool.h"
#include "repos.h"
#include "source_git.h"
#include "store.h"

static volatile int g_stop;
static volatile sig_atomic_t g_signal; /* the signal that stopped the run, or 0 */

static void on_signal(int sig)
{
	g_signal = sig;
	g_stop = 1;
}

/* ---- what workers hand to the writer ---- */

typedef struct msg {
	struct msg *next;
	int is_repo;
	int code;               /* blob: scanned at source-code places only */
	int limited;            /* blob: a rule hit the regex limits: recorded so that a later run
	                         * searches it again (and says so again) */
	char id[41];            /* blob */
	ls_findings findings;   /* blob */
	char **inner;           /* blob, one per finding or NULL: the path inside an archive blob */
	char *name, *url;       /* repo */
	char tips[65];          /* repo; "" when its scan was incomplete (rescan next time) */
	ls_store_location *locs;
	size_t nlocs;
} msg;

static void msg_free(msg *m)
{
	for (size_t i = 0; m->inner && i < m->findings.n; i++)
		free(m->inner[i]);
	free(m->inner);
	ls_findings_dispose(&m->findings);
	free(m->name);
	free(m->url);
	for (size_t i = 0; i < m->nlocs; i++) {
		free((char *)m->locs[i].blob);
		free((char *)m->locs[i].commit);
		free((char *)m->locs[i].path);
		free((char *)m->locs[i].author_name);
		free((char *)m->locs[i].author_email);
		free((char *)m->locs[i].date);
		free((char *)m->locs[i].message);
	}
	free(m->locs);
	free(m);
}

/* Previous state of a repository, from the datastore. */
typedef struct {
	char *name;
	char tips[65], digest[65];
} prev_repo;

typedef struct {
	const ls_cli_options *o;
	const ls_matcher *m;
	ls_search_options so;
	ls_store *store;
	char digest[65];
	char digest_code[65];   /* blobs scanned where every place was source code */
	long long run;
	int secrets;
	repo_list *repos;
	prev_repo *prev;
	size_t nprev;
	blobmap blobs;
	/* work distribution and counters (atomics) */
	size_t repos_done, repos_scanned, repos_unchanged, repos_failed, errors;
	size_t blobs_scanned, bytes, new_findings;
	size_t fetching, received; /* clones and fetches under way; the bytes they received */
	/* writer queue */
	pthread_mutex_t qmu;
	pthread_cond_t qcv, qroom;
	msg *qhead, *qtail;
	size_t qlen;
	int closing;
	int write_failed;
	char *write_error;
	pthread_mutex_t errmu; /* one diagnostic line at a time */
	int progress_tty;
	int progress_line; /* a progress line is on the terminal */
	ls_cli_verify ver; /* --verify: the writer queues each new blob's checks */
	repos_clones *clones; /* the clone stage, ahead of the workers */
} repos_job;

#define ATOMIC_ADD(p, v) __atomic_add_fetch((p), (v), __ATOMIC_RELAXED)
#define ATOMIC_GET(p) __atomic_load_n((p), __ATOMIC_RELAXED)

static void job_error(repos_job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void job_error(repos_job *j, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pthread_mutex_lock(&j->errmu);
	if (j->progress_line) {
		fputs("\r\033[K", stderr);
		j->progress_line = 0;
	}
	ls_cli_verror(fmt, ap); /* escaped: tree entry names are the repository's */
	pthread_mutex_unlock(&j->errmu);
	va_end(ap);
}

static void enqueue(repos_job *j, msg *m)
{
	pthread_mutex_lock(&j->qmu);
	while (j->qlen >= 4096 && !j->write_failed)
		pthread_cond_wait(&j->qroom, &j->qmu);
	if (j->qtail)
		j->qtail->next = m;
	else
		j->qhead = m;
	j->qtail = m;
	j->qlen++;
	pthread_cond_signal(&j->qcv);
	pthread_mutex_unlock(&j->qmu);
}

static int apply(repos_job *j, msg *m)
{
	if (!m->is_repo) {
		int err = ls_store_put_blob(j->store, m->id, m->limited ? "limited" : m->code ? j->digest_code : j->digest,
		                            j->run, m->findings.items, m->findings.n, j->secrets, (const char *const *)m->inner);
		if (!err)
			ls_cli_verify_store_submit(&j->ver, j->store, &m->findings);
		return err;
	}
	return ls_store_put_repo(j->store, m->name, m->url, m->tips, j->digest, j->run, m->locs, m->nlocs);
}

/* The writer: everything queued so far goes into one transaction. */
static void *writer_main(void *payload)
{
	repos_job *j = payload;
	for (;;) {
		pthread_mutex_lock(&j->qmu);
		while (!j->qhead && !j->closing)
			pthread_cond_wait(&j->qcv, &j->qmu);
		msg *batch = j->qhead;
		j->qhead = j->qtail = NULL;
		j->qlen = 0;
		int closing = j->closing;
		pthread_cond_broadcast(&j->qroom);
		pthread_mutex_unlock(&j->qmu);
		if (!batch && closing)
			break;
		int err = j->write_failed ? -1 : ls_store_begin(j->store);
		for (msg *m = batch; m && err == 0; m = m->next)
			err = apply(j, m);
		if (err == 0 && !j->write_failed)
			err = ls_store_commit(j->store);
		if (err < 0 && !j->write_failed) {
			j->write_error = ls_xstrdup(ls_error_last());
			pthread_mutex_lock(&j->qmu);
			j->write_failed = 1;
			pthread_cond_broadcast(&j->qroom);
			pthread_mutex_unlock(&j->qmu);
			g_stop = 1;
		}
		while (batch) {
			msg *next = batch->next;
			msg_free(batch);
			batch = next;
		}
	}
	return NULL;
}

/* ---- workers ---- */

static int cmp_prev(const void *a, const void *b) { return strcmp(((const prev_repo *)a)->name, ((const prev_repo *)b)->name); }

static const prev_repo *find_prev(const repos_job *j, const char *name)
{
	prev_repo key;
	key.name = (char *)name;
	return j->nprev ? bsearch(&key, j->prev, j->nprev, sizeof(prev_repo), cmp_prev) : NULL;
}

/* An archive blob (a jar, a zip, a tarball): searched as bytes and opened (cli_archive.c), each
 * finding inside it recorded with its path in the archive. Returns the item's state. */
static int scan_archive(repos_job *j, const repo_ent *r, ls_scratch *scratch, const ls_git_content *c,
                        const ls_origin *gp, size_t np, msg *m, int need_any, int *incomplete)
{
	ls_cli_result res;
	memset(&res, 0, sizeof(res));
	ls_cli_result_search_deep(&res, j->o, j->m, scratch, &j->so, c->data, c->len, gp, np);
	if (res.error) {
		/* a search error or a rule at its regex limits: findings kept, the blob searched again
		 * next time (like a limited one), the repository incomplete */
		job_error(j, "%s: %s", r->name, res.error);
		ATOMIC_ADD(&j->errors, 1);
		m->limited = 1;
		*incomplete = 1;
	}
	if (res.warning)
		job_error(j, "%s: %s", r->name, res.warning);
	/* its lines ("leakscan: warning: ..."), each named after the repository */
	for (int quiet_ok = 0; quiet_ok < 2; quiet_ok++) {
		const char *w = quiet_ok ? (j->o->quiet ? NULL : res.archive_notes) : res.archive_warnings;
		while (w && *w) {
			const char *nl = strchr(w, '\n');
			if (!strncmp(w, "leakscan: ", 10))
				w += 10;
			job_error(j, "%s: %.*s", r->name, (int)(nl ? nl - w : (ptrdiff_t)strlen(w)), w);
			w = nl ? nl + 1 : NULL;
		}
	}
	ATOMIC_ADD(&j->bytes, c->len);
	m->findings = res.findings;
	res.findings.items = NULL;
	res.findings.n = res.findings.cap = 0;
	m->inner = ls_xcalloc(m->findings.n ? m->findings.n : 1, sizeof(char *));
	for (size_t k = 0; k < m->findings.n; k++) {
		const ls_finding *f = &m->findings.items[k];
		const char *at = f->place < np ? gp[f->place].path : NULL;
		size_t al = at ? strlen(at) : 0;
		if (at && !strncmp(f->path, at, al) && f->path[al] == '!')
			m->inner[k] = ls_xstrdup(f->path + al + 1);
	}
	ls_cli_result_dispose(&res);
	ATOMIC_ADD(&j->blobs_scanned, 1);
	ATOMIC_ADD(&j->new_findings, m->findings.n);
	int state = m->findings.n ? (need_any ? B_FOUND : B_FOUND_CODE) : (need_any ? B_CLEAN : B_CLEAN_CODE);
	enqueue(j, m);
	return state;
}

/* Scans one claimed item at every place it has here; returns its state, or B_FREE when it
 * could not be read or searched (then nothing is recorded and a later run tries again). */
static int scan_item(repos_job *j, const repo_ent *r, ls_git_reader *rd, ls_scratch *scratch, size_t i, const char *id,
                     int need_any, int *incomplete)
{
	ls_git_content c;
	if (ls_git_reader_read(rd, i, j->o->max_file_size, &c) < 0) {
		job_error(j, "%s: %s", r->name, ls_error_last());
		ATOMIC_ADD(&j->errors, 1);
		return B_FREE;
	}
	msg *m = ls_xcalloc(1, sizeof(*m));
	memcpy(m->id, id, 41);
	m->code = !need_any;
	if (c.too_large) {
		if (!j->o->quiet)
			job_error(j, "%s: %s: skipped, larger than --max-file-size (%lld bytes)", r->name, c.path, c.size);
		free(m);
		return B_LARGE;
	} else {
		const ls_origin *gp;
		size_t np = ls_git_reader_places(rd, i, &gp);
		if (j->o->max_archive_depth > 0 && ls_archive_detect(c.data, c.len))
			return scan_archive(j, r, scratch, &c, gp, np, m, need_any, incomplete);
		ls_search_result sr;
		int err = ls_cli_search(j->m, scratch, &j->so, c.data, c.len, gp, np, &sr);
		if (err < 0) {
			job_error(j, "%s: object %s: %s", r->name, id, ls_error_last());
			ATOMIC_ADD(&j->errors, 1);
			ls_search_result_dispose(&sr);
			msg_free(m);
			return B_FREE;
		}
		if (sr.limit_rule) {
			job_error(j, "%s: %s: rule '%s' hit the regex match limit; some candidates were not checked", r->name,
			          c.path, sr.limit_rule->id);
			ATOMIC_ADD(&j->errors, 1);
			/* its findings are kept, but neither the blob nor the repository counts as done */
			m->limited = 1;
			*incomplete = 1;
		}
		if (sr.note.text)
			job_error(j, "warning: %s: %s:%zu: %s", r->name, c.path, sr.note.line, sr.note.text);
		ATOMIC_ADD(&j->bytes, c.len);
		m->findings = sr.findings;
		sr.findings.items = NULL;
		sr.findings.n = sr.findings.cap = 0;
		ls_search_result_dispose(&sr);
	}
	ATOMIC_ADD(&j->blobs_scanned, 1);
	ATOMIC_ADD(&j->new_findings, m->findings.n);
	int state = m->findings.n ? (need_any ? B_FOUND : B_FOUND_CODE) : (need_any ? B_CLEAN : B_CLEAN_CODE);
	enqueue(j, m);
	return state;
}

/* Whether item `i` has a place where source-code rules do not apply (a message, a file that
 * is not source code). */
static int item_needs_any(ls_git_reader *rd, size_t i)
{
	const ls_origin *gp;
	size_t np = ls_git_reader_places(rd, i, &gp);
	for (size_t k = 0; k < np; k++)
		if (!gp[k].is_path || !ls_path_is_code(gp[k].path))
			return 1;
	return 0;
}

/* Every place of each blob with findings, with its commit's author and date. */
static void add_locations(msg *m, const ls_git_history *h, ls_git_reader *rd, const uint8_t *state, size_t n,
                          ls_git_repo *repo)
{
	ls_git_tip *tip = NULL;
	if (repo)
		ls_git_tip_open(&tip, repo); /* none: a repository without HEAD (at_tip unknown) */
	for (size_t i = 0; i < n; i++) {
		if (state[i] != B_FOUND && state[i] != B_FOUND_CODE)
			continue;
		char id[41];
		ls_git_history_item_id(h, i, id);
		const ls_origin *gp;
		size_t np = ls_git_reader_places(rd, i, &gp);
		for (size_t k = 0; k < np; k++) {
			m->locs = ls_xrealloc(m->locs, (m->nlocs + 1) * sizeof(ls_store_location));
			ls_store_location *l = &m->locs[m->nlocs++];
			memset(l, 0, sizeof(*l));
			l->blob = ls_xstrdup(id);
			l->path = ls_xstrdup(gp[k].path);
			ls_provenance pv;
			memset(&pv, 0, sizeof(pv));
			ls_git_reader_provenance(rd, i, k, &pv);
			l->commit = pv.commit;
			l->author_name = pv.author_name;
			l->author_email = pv.author_email;
			l->date = pv.date;
			l->message = pv.message;
			l->at_tip = tip ? ls_git_tip_has(tip, gp[k].path, id) : -1;
			free(pv.blob);
		}
	}
	ls_git_tip_free(tip);
}

static void scan_repo(repos_job *j, ls_scratch *scratch, size_t idx)
{
	repo_ent *r = &j->repos->v[idx];
	ls_git_repo *repo = NULL;
	ls_git_history *h = NULL;
	ls_git_reader *rd = NULL;
	uint8_t *state = NULL, *mine = NULL, *tried = NULL, *need_any = NULL;
	unsigned char *ids = NULL;
	size_t *order = NULL, n = 0;
	char *cerr = NULL;
	if (repos_clones_wait(j->clones, idx, &cerr) < 0) {
		if (g_stop) {
		} else if (r->optional) { /* an announced wiki that was never created */
			if (!j->o->quiet)
				job_error(j, "warning: %s; skipped (a wiki the forge announces may not exist)", cerr);
			ATOMIC_ADD(&j->repos_done, 1);
		} else {
			job_error(j, "%s; skipped", cerr ? cerr : "not cloned");
			ATOMIC_ADD(&j->repos_failed, 1);
		}
		free(cerr);
		return;
	}
	if (ls_git_repo_open(&repo, r->path) < 0) {
		job_error(j, "%s; skipped", ls_error_last());
		ATOMIC_ADD(&j->repos_failed, 1);
		return;
	}
	/* same refs, same rules as at the last complete scan: nothing new to walk */
	char tips[65];
	ls_git_repo_tips(repo, tips);
	const prev_repo *p = find_prev(j, r->name);
	if (p && !strcmp(p->tips, tips) && !strcmp(p->digest, j->digest)) {
		ATOMIC_ADD(&j->repos_unchanged, 1);
		ATOMIC_ADD(&j->repos_done, 1);
		goto done;
	}
	ls_git_history_options ho = LS_GIT_HISTORY_OPTIONS_INIT;
	ho.stop = &g_stop;
	int err = ls_git_history_new(&h, repo, &ho);
	if (err == LS_ESTOP)
		goto done;
	if (err < 0 || ls_git_reader_new(&rd, h) < 0) {
		job_error(j, "%s: %s; skipped", r->name, ls_error_last());
		ATOMIC_ADD(&j->repos_failed, 1);
		goto done;
	}
	/* an incomplete scan records no tips: the next run scans the repository again */
	int incomplete = 0;
	if (ls_git_repo_is_shallow(repo)) {
		job_error(j, "warning: %s is a shallow clone; history beyond its boundary is not scanned", r->name);
		ATOMIC_ADD(&j->errors, 1);
		incomplete = 1;
	}
	for (size_t e = 0; e < ls_git_history_nerrors(h); e++) {
		job_error(j, "%s: %s", r->name, ls_git_history_error(h, e));
		ATOMIC_ADD(&j->errors, 1);
		incomplete = 1;
	}
	n = ls_git_history_count(h);
	state = ls_xcalloc(n ? n : 1, 1);
	mine = ls_xcalloc(n ? n : 1, 1);
	tried = ls_xcalloc(n ? n : 1, 1);
	need_any = ls_xcalloc(n ? n : 1, 1);
	ids = ls_xmalloc((n ? n : 1) * 20);
	order = ls_xmalloc((n ? n : 1) * sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		char id[41];
		ls_git_history_item_id(h, i, id);
		repos_hex20(ids + 20 * i, id);
		need_any[i] = (uint8_t)item_needs_any(rd, i);
	}
	{
		size_t *units = ls_xmalloc((n + 1) * sizeof(size_t));
		ls_git_history_read_order(h, order, units); /* one reader here: units need no hand-out */
		free(units);
	}
	/* a second round scans again, for this repository, blobs another worker scanned where
	 * every place was source code while this one holds them elsewhere too */
	for (int round = 0; round < 2 && !g_stop; round++) {
		size_t claimed = 0;
		pthread_mutex_lock(&j->blobs.mu);
		for (size_t i = 0; i < n; i++) {
			bent *b = repos_blob_get(&j->blobs, ids + 20 * i);
			if (b->state != B_CLAIMED && b->state != B_FAILED && !repos_blob_done(b->state, need_any[i]) &&
			    !(b->state == B_LARGE && tried[i])) {
				b->state = B_CLAIMED;
				mine[i] = 1;
				claimed++;
			}
			state[i] = b->state;
		}
		pthread_mutex_unlock(&j->blobs.mu);
		for (size_t pos = 0; pos < n && claimed; pos++) {
			size_t i = order[pos];
			if (!mine[i])
				continue;
			mine[i] = 0;
			int st = B_FREE;
			if (!g_stop) {
				char id[41];
				ls_git_history_item_id(h, i, id);
				st = scan_item(j, r, rd, scratch, i, id, need_any[i], &incomplete);
				tried[i] = 1;
			}
			if (st == B_FREE) {
				/* not scanned (unreadable, or stopping): not recorded, so a later run tries
				 * again; repositories waiting on it in this run are left incomplete too */
				st = B_FAILED;
				incomplete = 1;
			}
			pthread_mutex_lock(&j->blobs.mu);
			repos_blob_get(&j->blobs, ids + 20 * i)->state = (uint8_t)st;
			state[i] = (uint8_t)st;
			pthread_cond_broadcast(&j->blobs.cv);
			pthread_mutex_unlock(&j->blobs.mu);
		}
		/* wait for the blobs other workers were scanning (they never wait themselves while
		 * they hold claims, so this cannot deadlock) */
		int again = 0;
		pthread_mutex_lock(&j->blobs.mu);
		for (size_t i = 0; i < n && !g_stop; i++) {
			bent *b;
			while ((b = repos_blob_get(&j->blobs, ids + 20 * i))->state == B_CLAIMED && !g_stop)
				pthread_cond_wait(&j->blobs.cv, &j->blobs.mu);
			state[i] = b->state;
			again |= state[i] != B_FAILED && !repos_blob_done(state[i], need_any[i]) && !(state[i] == B_LARGE && tried[i]);
		}
		pthread_mutex_unlock(&j->blobs.mu);
		if (!again)
			break;
	}
	for (size_t i = 0; i < n; i++)
		if (state[i] == B_FAILED || (!repos_blob_done(state[i], need_any[i]) && !(state[i] == B_LARGE && tried[i])))
			incomplete = 1;
	if (g_stop)
		goto done;
	msg *m = ls_xcalloc(1, sizeof(*m));
	m->is_repo = 1;
	m->name = ls_xstrdup(r->name);
	m->url = r->url ? ls_xstrdup(r->name) : NULL; /* the URL without its credentials */
	/* the tips the walk itself read: refs that moved since the check above are not vouched for */
	if (!incomplete)
		snprintf(m->tips, sizeof(m->tips), "%s", ls_git_history_tips(h));
	/* what is at the tip is asked only of a repository read without error (the walk read its
	 * trees under its limits; a damaged one may hold what those limits are for) */
	add_locations(m, h, rd, state, n, incomplete ? NULL : repo);
	enqueue(j, m);
	ATOMIC_ADD(&j->repos_scanned, 1);
	ATOMIC_ADD(&j->repos_done, 1);
done:
	free(state);
	free(mine);
	free(tried);
	free(need_any);
	free(ids);
	free(order);
	ls_git_reader_free(rd);
	ls_git_history_free(h);
	ls_git_repo_free(repo);
}

/* The pool's workers: one scratch each; a repository a time (base/pool, background run). */
static void *worker_new(void *payload)
{
	repos_job *j = payload;
	ls_scratch *scratch = NULL;
	if (ls_scratch_new(&scratch, j->m) < 0) {
		job_error(j, "%s", ls_error_last());
		ATOMIC_ADD(&j->errors, 1);
		g_stop = 1;
		return NULL;
	}
	return scratch;
}

static void worker_free(void *w, void *payload)
{
	repos_job *j = payload;
	ls_scratch_free(w);
	/* wake anyone waiting on a claim when stopping */
	pthread_mutex_lock(&j->blobs.mu);
	pthread_cond_broadcast(&j->blobs.cv);
	pthread_mutex_unlock(&j->blobs.mu);
}

static void work_repo(void *w, size_t idx, void *payload)
{
	repos_job *j = payload;
	if (!g_stop)
		scan_repo(j, w, idx);
}

/* ---- progress ---- */

static void progress(repos_job *j, double start, int final)
{
	if (j->o->quiet)
		return;
	double secs = ls_now() - start;
	double mbs = secs > 0 ? (double)ATOMIC_GET(&j->bytes) / 1e6 / secs : 0;
	double rmbs = secs > 0 ? (double)ATOMIC_GET(&j->received) / 1e6 / secs : 0;
	pthread_mutex_lock(&j->errmu);
	/* on a terminal one line rewritten in place (taken off at the end), else plain lines */
	if (j->progress_tty)
		fputs("\r\033[K", stderr);
	if (!final)
		fprintf(stderr, "leakscan: %srepos %zu/%zu, %zu fetching (%.1f MB received, %.1f MB/s), %zu blobs, %.1f MB/s, "
		                "%zu findings%s",
		        j->progress_tty ? "" : "progress: ", ATOMIC_GET(&j->repos_done) + ATOMIC_GET(&j->repos_failed), j->repos->n,
		        ATOMIC_GET(&j->fetching), (double)ATOMIC_GET(&j->received) / 1e6, rmbs, ATOMIC_GET(&j->blobs_scanned), mbs,
		        ATOMIC_GET(&j->new_findings), j->progress_tty ? "" : "\n");
	j->progress_line = j->progress_tty && !final;
	fflush(stderr);
	pthread_mutex_unlock(&j->errmu);
}

static int load_prev(const char *name, const char *tips, const char *digest, void *payload)
{
	repos_job *j = payload;
	j->prev = ls_xrealloc(j->prev, (j->nprev + 1) * sizeof(prev_repo));
	prev_repo *p = &j->prev[j->nprev++];
	p->name = ls_xstrdup(name);
	snprintf(p->tips, sizeof(p->tips), "%s", tips);
	snprintf(p->digest, sizeof(p->digest), "%s", digest);
	return 0;
}

int cmd_repos(int argc, char **argv)
{
	ls_cli_options o;
	ls_cli_options_init(&o);
	repos_opts ro;
	int rc = LS_EXIT_ERROR, secrets = -1;
	const char *dir = NULL;
	size_t forge_failed = 0;
	repo_list all = {NULL, 0}, mine = {NULL, 0};
	ls_ruleset *rs = NULL;
	ls_matcher *m = NULL;
	ls_store *store = NULL;
	repos_clones *clones = NULL;
	repos_job j;
	memset(&j, 0, sizeof(j));
	size_t nworkers = 0;
	int writer_started = 0, lock_fd = -1;
	pthread_t writer;
	struct sigaction sa, old_int, old_term;

	int pr = repos_opts_parse(&ro, &o, argc, argv);
	if (pr != 0) {
		rc = pr > 0 ? 0 : LS_EXIT_ERROR;
		goto done;
	}
	dir = ro.dir ? ro.dir : ".";
	secrets = ro.secrets;
	j.ver.reuse = ro.older_than;
	forge_failed = repos_forges_add(&all, &ro, dir, o.quiet);
	for (size_t i = 0; i < ro.nlists; i++)
		if (repos_list_read(&all, ro.lists[i], dir) < 0)
			goto done;
	for (size_t i = 0; i < ro.nargs; i++)
		repos_list_add(&all, ro.args[i], dir);
	/* the shard: a stable slice of the list by a hash of each name */
	for (size_t i = 0; i < all.n; i++) {
		if (ro.shard_n && repos_shard_of(all.v[i].name, ro.shard_n) != ro.shard_k - 1) {
			free(all.v[i].name), free(all.v[i].url), free(all.v[i].path);
			continue;
		}
		mine.v = ls_xrealloc(mine.v, (mine.n + 1) * sizeof(repo_ent));
		mine.v[mine.n++] = all.v[i];
	}
	free(all.v);
	all.v = NULL;
	all.n = 0;
	if (ro.list_only) { /* what would be scanned: the names (never a credential) */
		for (size_t i = 0; i < mine.n; i++)
			printf("%s\n", mine.v[i].name);
		rc = forge_failed ? LS_EXIT_ERROR : LS_EXIT_CLEAN;
		goto done;
	}

	/* blob ids are trusted across repositories: verify that content matches its id in a
	 * repository given by path (it may hold forged loose objects); the mirrors of URLs hold
	 * only objects whose ids this machine computed when it received them (git's index-pack
	 * and unpack-objects, libgit2's indexer), so they are read without hashing again */
	int any_local = 0;
	for (size_t i = 0; i < mine.n; i++)
		any_local |= !mine.v[i].url;
	ls_git_verify_objects(any_local);
	if (ls_cli_load_rules(&o, &rs) < 0)
		goto done;
	if (ls_cli_matcher_new(&o, rs, &m) < 0)
		goto done;
	/* --fail-on verified judges the answers the datastore holds, from this run or an earlier one */
	ls_cli_options vo = o;
	vo.fail_on_verified = 0;
	if (ls_cli_verify_start(&j.ver, &vo, NULL, 0, 0) < 0)
		goto done;
	if (ls_store_open(&store, dir, 1) < 0) {
		ls_cli_error("%s", ls_error_last());
		goto done;
	}
	/* one run per datastore at a time (the lock goes with the process, even on kill -9) */
	char *lock_path = ls_xasprintf("%s/repos.lock", dir);
	lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) < 0) {
		ls_cli_error("%s: %s", lock_path,
		             lock_fd < 0 ? strerror(errno) : "another 'leakscan repos' is running on this datastore");
		free(lock_path);
		goto done;
	}
	free(lock_path);
	long long plain = 0;
	if (ls_cli_fpkey_load() < 0)
		goto done;
	if (ls_store_key_check(store, &plain) < 0) {
		ls_cli_error("%s", ls_error_last());
		goto done;
	}
	if (plain)
		ls_cli_error("warning: %s: %lld secrets from an older leakscan keep a plain SHA-256 (their secrets were not"
		             " stored, so they cannot be rehashed); a new datastore drops them", ls_store_path(store), plain);
	/* the digest: the rules and every option that changes what a blob yields */
	char rd[65];
	ls_ruleset_digest(rs, rd);
	char *dsrc = ls_xasprintf("%s binary=%d max=%lld inline=%d confidence=%d archives=%d/%lld", rd, o.binary,
	                          o.max_file_size, o.inline_allow, (int)o.min_confidence, o.max_archive_depth,
	                          o.max_archive_size);
	ls_sha256_hex(j.digest, dsrc, strlen(dsrc));
	char *csrc = ls_xasprintf("%s places=source-code", dsrc);
	ls_sha256_hex(j.digest_code, csrc, strlen(csrc));
	free(csrc);
	free(dsrc);
	/* without secrets, scrubbing is idempotent and also clears what older versions left */
	if (secrets < 0)
		secrets = ls_store_secrets_stored(store);
	if ((!secrets || secrets != ls_store_secrets_stored(store)) && ls_store_set_store_secrets(store, secrets) < 0) {
		ls_cli_error("%s", ls_error_last());
		goto done;
	}
	j.secrets = ls_store_secrets_stored(store);
	pthread_mutex_init(&j.blobs.mu, NULL);
	pthread_cond_init(&j.blobs.cv, NULL);
	pthread_mutex_init(&j.qmu, NULL);
	pthread_cond_init(&j.qcv, NULL);
	pthread_cond_init(&j.qroom, NULL);
	pthread_mutex_init(&j.errmu, NULL);
	if (ls_store_blobs_foreach(store, j.digest_code, repos_load_blob_code, &j.blobs) < 0 ||
	    ls_store_blobs_foreach(store, j.digest, repos_load_blob, &j.blobs) < 0 ||
	    ls_store_repos_foreach(store, load_prev, &j) < 0 || ls_store_run_begin(store, j.digest, &j.run) < 0) {
		ls_cli_error("%s", ls_error_last());
		goto done;
	}
	if (j.nprev)
		qsort(j.prev, j.nprev, sizeof(prev_repo), cmp_prev);
	j.o = &o;
	j.m = m;
	ls_search_options so = LS_SEARCH_OPTIONS_INIT;
	so.inline_allow = o.inline_allow;
	so.binary = o.binary;
	so.min_confidence = o.min_confidence;
	j.so = so;
	j.store = store;
	j.repos = &mine;
	j.progress_tty = isatty(STDERR_FILENO);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND; /* a second Ctrl-C kills at once */
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	g_stop = 0;
	g_signal = 0;

	double start = ls_now();
	if (pthread_create(&writer, NULL, writer_main, &j) != 0) {
		ls_cli_error("cannot start the writer thread");
		goto restore;
	}
	writer_started = 1;
	nworkers = o.jobs > 0 ? (size_t)o.jobs : (size_t)ls_ncpus();
	if (nworkers > mine.n)
		nworkers = mine.n ? mine.n : 1;
	/* the workers scan (a repository each); this thread reports progress, then joins in for
	 * whatever is left (nothing, unless a worker could not start) */
	ls_pool_job pj = {0, 0, worker_new, worker_free, work_repo, NULL, NULL, &j};
	j.clones = clones = repos_clones_start(&mine, ro.clone_jobs, ro.clone_with, &g_stop, &j.received, &j.fetching);
	ls_pool_bg *bg = ls_pool_start(&pj, mine.n, nworkers);
	double last = start;
	while (ls_pool_busy(bg)) {
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
		double now = ls_now();
		if (now - last >= (j.progress_tty ? 0.25 : 5.0)) {
			progress(&j, start, 0);
			last = now;
		}
	}
	ls_pool_finish(bg);
	repos_clones_finish(clones);
	clones = NULL;
	pthread_mutex_lock(&j.qmu);
	j.closing = 1;
	pthread_cond_signal(&j.qcv);
	pthread_mutex_unlock(&j.qmu);
	pthread_join(writer, NULL);
	writer_started = 0;
	progress(&j, start, 1);
	int interrupted = g_stop && !j.write_failed;
	if (j.write_failed) {
		ls_cli_error("%s", j.write_error);
		j.errors++;
	}
	ls_store_run_stats rst = {(long long)mine.n,
	                          (long long)j.repos_scanned,
	                          (long long)j.repos_unchanged,
	                          (long long)j.repos_failed,
	                          (long long)j.blobs_scanned,
	                          (long long)j.bytes,
	                          (long long)j.new_findings,
	                          !g_stop};
	if (!j.write_failed && ls_store_run_end(store, j.run, &rst) < 0) {
		ls_cli_error("%s", ls_error_last());
		j.errors++;
	}
	if (!j.write_failed && ls_cli_verify_store_finish(&j.ver, store, o.quiet) < 0)
		j.errors++;
	/* what the datastore now holds for these repositories */
	repos_tally t;
	memset(&t, 0, sizeof(t));
	t.fail_on = o.fail_on;
	t.fail_on_verified = o.fail_on_verified;
	t.names = ls_xcalloc(mine.n ? mine.n : 1, sizeof(char *));
	for (size_t i = 0; i < mine.n; i++)
		t.names[i] = mine.v[i].name;
	t.n = mine.n;
	if (t.n)
		qsort(t.names, t.n, sizeof(char *), repos_cmp_strp);
	ls_store_filter flt = LS_STORE_FILTER_INIT;
	if (ls_store_query(store, &flt, repos_tally_row, &t) < 0) {
		ls_cli_error("%s", ls_error_last());
		j.errors++;
	}
	free(t.names);
	if (interrupted)
		ls_cli_error("interrupted: %zu of %zu repositories done; run the same command again to continue",
		             j.repos_done, mine.n);
	if (!o.quiet) {
		fprintf(stderr,
		        "leakscan: %zu repositor%s (%zu scanned, %zu unchanged, %zu failed); scanned %zu new blob%s (%.1f MB)"
		        " in %.2fs; %zu new finding%s; datastore: %lld secret%s in %lld location%s for %s (run %lld)",
		        mine.n, mine.n == 1 ? "y" : "ies", j.repos_scanned, j.repos_unchanged, j.repos_failed, j.blobs_scanned,
		        j.blobs_scanned == 1 ? "" : "s", (double)j.bytes / 1e6, ls_now() - start, j.new_findings,
		        j.new_findings == 1 ? "" : "s", t.secrets, t.secrets == 1 ? "" : "s", t.locations,
		        t.locations == 1 ? "" : "s", mine.n == 1 ? "this repository" : "these repositories", j.run);
		if (j.errors)
			fprintf(stderr, "; %zu error%s", j.errors, j.errors == 1 ? "" : "s");
		fputc('\n', stderr);
	}
	if (interrupted && g_signal)
		rc = 128 + g_signal; /* like the other commands: 130 after Ctrl-C */
	else if (j.repos_failed || interrupted || j.write_failed || forge_failed)
		rc = LS_EXIT_ERROR;
	else if (t.failing)
		rc = LS_EXIT_FINDINGS;
	else
		rc = j.errors ? LS_EXIT_ERROR : LS_EXIT_CLEAN;
restore:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
done:
	repos_clones_finish(clones);
	if (writer_started) {
		pthread_mutex_lock(&j.qmu);
		j.closing = 1;
		pthread_cond_signal(&j.qcv);
		pthread_mutex_unlock(&j.qmu);
		pthread_join(writer, NULL);
	}
	if (lock_fd >= 0)
		close(lock_fd);
	free(j.write_error);
	free(j.blobs.t);
	for (size_t i = 0; i < j.nprev; i++)
		free(j.prev[i].name);
	free(j.prev);
	ls_cli_verify_dispose(&j.ver);
	ls_store_close(store);
	ls_matcher_free(m);
	ls_ruleset_free(rs);
	repos_list_dispose(&all);
	repos_list_dispose(&mine);
	repos_opts_dispose(&ro);
	ls_cli_options_dispose(&o);
	return rc;
}
