/* leakscan scan: files, directories and stdin. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "common.h"
#include "pool.h"
#include "source_fs.h"
#include "source_git.h"
#include "archives.h"

typedef struct {
	char *path;
	int is_stdin;
	int named; /* named on the command line: read whatever it is */
} scan_item;

/*
 * Items and their results, in segments that never move: the workers search the first files
 * while the walk is still finding more (ls_pool_stream), so what they read cannot be
 * reallocated under them. Segment k holds SEG0 << k slots.
 */
#define SEG0 1024
#define NSEGS 40
typedef struct {
	scan_item item;
	ls_cli_result res;
} scan_slot;

typedef struct {
	const ls_cli_options *o;
	const ls_matcher *m;
	ls_search_options so;
	int skip_reports; /* the default skips are on: leakscan's own reports are left out */
	scan_slot *segs[NSEGS];
	size_t nslots;
	ls_pool_stream *stream;
	ls_buf stdin_data;
	ls_report *report;
	ls_cli_stats st;
	int write_failed;
	ls_cli_collect_fn collect; /* instead of the report (leakscan baseline) */
	void *collect_payload;
	const ls_cli_filters *fl;
	ls_cli_verify ver;  /* with verification, findings wait for their answers: */
	ls_findings *held;  /* each item's, in item order */
	size_t nheld, hcap;
} scan_job;

/*
 * Files are read into a reused per-worker buffer: whole up to LS_SEARCH_WINDOW bytes, larger
 * ones in overlapping windows of that size (ls_search_windows), so a worker never holds more
 * than a window of any file (mapping files instead is slower with several threads, as every
 * munmap shoots down TLBs on all CPUs, and a mapped 5 GiB file counts 5 GiB in the resident
 * set).
 */
typedef struct {
	ls_scratch *scratch;
	ls_buf buf;
} worker;

/* The segment slot `idx` is in: segment k starts at slot (2^k - 1) * SEG0. */
static int seg_of(size_t idx)
{
	return 63 - __builtin_clzll((unsigned long long)(idx / SEG0 + 1));
}

static scan_slot *slot(const scan_job *j, size_t idx)
{
	int k = seg_of(idx);
	return &j->segs[k][idx - (((size_t)1 << k) - 1) * SEG0];
}

/* Appends an item and hands it to the workers. */
static void add_item(scan_job *j, char *path, int is_stdin, int named)
{
	size_t idx = j->nslots;
	int k = seg_of(idx);
	if (!j->segs[k])
		j->segs[k] = ls_xcalloc(SEG0 << k, sizeof(scan_slot));
	scan_slot *sl = slot(j, idx);
	sl->item.path = path;
	sl->item.is_stdin = is_stdin;
	sl->item.named = named;
	j->nslots++;
	/* in batches: each hand-over takes the pool's lock and may wake a worker */
	if (j->stream && j->nslots % 32 == 0) /* (a stop is seen by ls_pool_stream_finish) */
		ls_pool_stream_add(j->stream, j->nslots);
}

static void *worker_new(void *payload)
{
	scan_job *j = payload;
	worker *w = ls_xcalloc(1, sizeof(*w));
	if (ls_scratch_new(&w->scratch, j->m) < 0) {
		free(w);
		return NULL;
	}
	return w;
}

static void worker_free(void *wp, void *payload)
{
	worker *w = wp;
	ls_scratch_free(w->scratch);
	ls_buf_dispose(&w->buf);
	free(w);
}

/* Reads `size` bytes at `off` of an open file into `b`. Returns 0 or -1 with errno set. */
static int read_at(int fd, ls_buf *b, size_t size, off_t off)
{
	ls_buf_clear(b);
	ls_buf_grow(b, size);
	while (b->len < size) {
		ssize_t n = pread(fd, b->ptr + b->len, size - b->len, off + (off_t)b->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break; /* the file shrank: scan what is there */
		b->len += (size_t)n;
	}
	return 0;
}

static void search(scan_job *j, ls_scratch *s, ls_cli_result *res, const char *buf, size_t len, ls_origin_kind kind,
                   const char *path)
{
	/* (is_path 0: the walk already skipped what it had to; a file named on the command line is read) */
	ls_origin pl = {kind, path, NULL, NULL, 0};
	ls_cli_result_search_deep(res, j->o, j->m, s, &j->so, buf, len, &pl, 1);
}

typedef struct {
	int fd;
	ls_buf *buf;
} file_window;

static const char *read_window(void *payload, size_t off, size_t len, size_t *got)
{
	file_window *fw = payload;
	if (read_at(fw->fd, fw->buf, len, (off_t)off) < 0)
		return NULL;
	*got = fw->buf->len;
	return fw->buf->ptr ? fw->buf->ptr : "";
}

/* A file larger than one window. */
static void search_windows(scan_job *j, worker *w, ls_cli_result *res, int fd, size_t size, const char *path)
{
	file_window fw = {fd, &w->buf};
	ls_origin pl = {LS_ORIGIN_FILE, path, NULL, NULL, 0};
	ls_search_result sr;
	int err = ls_search_windows(j->m, w->scratch, &j->so, size, read_window, &fw, &pl, 1, &sr);
	ls_cli_result_take(res, &sr, err, size, path);
}

static void skip_too_large(ls_cli_result *res, const char *path, long long size)
{
	res->skipped = 2;
	res->note = ls_xasprintf("%s: skipped, larger than --max-file-size (%lld bytes)", path, size);
}

/* A file read whole into the worker's buffer: searched, unless it is a report leakscan wrote
 * (-o FILE in the tree: a default skip; a file named on the command line is searched). */
static void search_read(scan_job *j, worker *w, ls_cli_result *res, const scan_item *it)
{
	if (!it->named && j->skip_reports && ls_report_is_ours(w->buf.ptr, w->buf.len))
		res->skipped = 3;
	else
		search(j, w->scratch, res, w->buf.ptr, w->buf.len, LS_ORIGIN_FILE, it->path);
}

/*
 * A file the walk found (a regular file then) is read with one read() into a buffer larger
 * than most files: a regular file's read returns less than asked only at its end, so a
 * short read is the whole file, and the fstat each file cost before (one system call in
 * four, and system calls are most of a scan's time) is left to the files that fill the
 * buffer. Returns 1 when the file was handled (searched, skipped or failed), 0 when it
 * fills the buffer: then the caller reads it the long way, from its start.
 */
#define ONE_READ (((size_t)1 << 20) - 1)
static int read_whole(scan_job *j, worker *w, ls_cli_result *res, int fd, const scan_item *it)
{
	ls_buf_clear(&w->buf);
	ls_buf_grow(&w->buf, ONE_READ);
	ssize_t n;
	do
		n = read(fd, w->buf.ptr, ONE_READ);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		/* a directory or a FIFO put there after the walk saw a file */
		res->error = errno == EISDIR || errno == EAGAIN || errno == EINVAL
		                 ? ls_xasprintf("%s: not a regular file", it->path)
		                 : ls_xasprintf("%s: %s", it->path, strerror(errno));
		return 1;
	}
	if ((size_t)n == ONE_READ)
		return 0;
	w->buf.len = (size_t)n;
	w->buf.ptr[n] = '\0';
	if (n > j->o->max_file_size)
		skip_too_large(res, it->path, (long long)n);
	else if (n > 0)
		search_read(j, w, res, it);
	return 1;
}

static void work(void *wp, size_t idx, void *payload)
{
	scan_job *j = payload;
	worker *w = wp;
	scan_slot *sl = slot(j, idx);
	scan_item *it = &sl->item;
	ls_cli_result *res = &sl->res;
	if (it->is_stdin) {
		search(j, w->scratch, res, j->stdin_data.ptr ? j->stdin_data.ptr : "", j->stdin_data.len, LS_ORIGIN_STDIN, "-");
		return;
	}
	/* O_NONBLOCK: a FIFO swapped in after the walk must not block the scan */
	int fd = ls_open_deep(it->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		res->error = ls_xasprintf("%s: %s", it->path, strerror(errno));
		return;
	}
	if (!it->named && read_whole(j, w, res, fd, it)) {
		close(fd);
		return;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		res->error = ls_xasprintf("%s: not a regular file", it->path);
		close(fd);
		return;
	}
	if (st.st_size > j->o->max_file_size) {
		skip_too_large(res, it->path, (long long)st.st_size);
		close(fd);
		return;
	}
	if (st.st_size == 0) {
		close(fd);
		return;
	}
	/* an archive larger than a window is read whole (it is at most --max-file-size) to be opened */
	int whole = (size_t)st.st_size <= LS_SEARCH_WINDOW;
	if (!whole && j->o->max_archive_depth > 0 && read_at(fd, &w->buf, 512, 0) == 0)
		whole = ls_archive_detect(w->buf.ptr, w->buf.len);
	if (whole) {
		if (read_at(fd, &w->buf, (size_t)st.st_size, 0) < 0)
			res->error = ls_xasprintf("%s: %s", it->path, strerror(errno));
		else
			search_read(j, w, res, it);
	} else {
		search_windows(j, w, res, fd, (size_t)st.st_size, it->path);
	}
	close(fd);
}

static void discard(size_t idx, void *payload)
{
	scan_job *j = payload;
	ls_cli_result_dispose(&slot(j, idx)->res);
}

static void report_findings(scan_job *j, const ls_findings *fs)
{
	for (size_t i = 0; i < fs->n && !j->write_failed; i++) {
		if (!ls_cli_verify_keep(j->o, &fs->items[i]))
			continue;
		ls_cli_stats_count(&j->st, &fs->items[i], j->o);
		if (j->collect)
			j->collect(&fs->items[i], j->fl, j->collect_payload);
		else if (ls_report_add(j->report, &fs->items[i]) < 0)
			j->write_failed = 1;
	}
}

static int emit(size_t idx, void *payload)
{
	scan_job *j = payload;
	ls_cli_result *res = &slot(j, idx)->res;
	ls_cli_result_tally(&j->st, res, j->o);
	if (j->ver.v && res->findings.n) {
		/* the checks run while the scan goes on; the findings wait for them */
		ls_cli_verify_submit(&j->ver, &res->findings);
		if (j->nheld == j->hcap) {
			j->hcap = j->hcap ? j->hcap * 2 : 16;
			j->held = ls_xrealloc(j->held, j->hcap * sizeof(*j->held));
		}
		j->held[j->nheld++] = res->findings;
		memset(&res->findings, 0, sizeof(res->findings));
	}
	report_findings(j, &res->findings);
	discard(idx, payload);
	return j->write_failed;
}

typedef struct {
	ls_git_ignore *ig;
	const ls_allow *allow;
	size_t *errors;
	size_t *skipped_default; /* left out by the default skips (and not by git's ignore rules) */
	scan_job *job;
	int named; /* the walk's root is a file named on the command line */
} walk_ctx;

static int skip_ignored(const char *path, int is_dir, void *payload)
{
	walk_ctx *w = payload;
	/* allowlisted paths and default skips are never read; the default skips are counted, so
	 * that nothing is left out silently */
	if (w->allow && ls_allow_skip_path(w->allow, path, is_dir)) {
		if (ls_allow_default_skip(w->allow, path, is_dir) && !(w->ig && ls_git_ignore_check(w->ig, path, is_dir) == 1))
			(*w->skipped_default)++;
		return 1;
	}
	if (!w->ig)
		return 0;
	int ignored = ls_git_ignore_check(w->ig, path, is_dir);
	if (ignored < 0) {
		/* from here on the walk goes without git's ignore rules: it scans more, never less */
		ls_cli_error("%s; ignore rules not used", ls_error_last());
		(*w->errors)++;
		ls_git_ignore_free(w->ig);
		w->ig = NULL;
		return 0;
	}
	return ignored;
}

static void walk_file(const char *path, void *payload)
{
	walk_ctx *w = payload;
	add_item(w->job, (char *)path, 0, w->named);
}

static void walk_error(const char *path, const char *msg, void *payload)
{
	size_t *errors = payload;
	ls_cli_error("%s: %s", path, msg);
	(*errors)++;
}

/* Opens the output and the report the findings go to. */
static int open_report(scan_job *j, ls_cli_output *out, const ls_cli_options *o, const char *first)
{
	if (ls_cli_output_open(out, o) < 0)
		return -1;
	ls_report_options ro;
	ls_cli_report_options(&ro, o, out);
	char *title = ls_xasprintf("leakscan scan: %s", first);
	ro.title = title;
	ls_report_new(&j->report, out->fp, &ro);
	free(title);
	return 0;
}

static const char *scan_usage =
    "usage: leakscan scan [options] [PATH...]\n"
    "\n"
    "Scans files and directories (default: .), or stdin with '-'. Inside a git work tree it\n"
    "scans what git would see: tracked and untracked files, not what .gitignore ignores.\n"
    "\n"
    LS_CLI_OUTPUT_HELP
    "      --max-file-size N  skip larger files (default 100M)\n"
    "      --binary           search binary files with the generic rules too\n"
    "      --no-ignore        do not honour .gitignore\n"
    "      --follow           follow symbolic links\n"
    LS_CLI_ARCHIVE_HELP
    LS_CLI_FILTER_HELP
    LS_CLI_VERIFY_HELP
    "\n"
    "Exit status: 0 nothing found, 1 findings, 2 error (findings take precedence).\n"
    "\n"
    "Examples: leakscan scan .\n"
    "          leakscan scan -f sarif -o leakscan.sarif src/ config/\n"
    "          git diff | leakscan scan -\n";

int ls_cli_scan_run(int argc, char **argv, const char *cmd, ls_cli_collect_fn collect, void *payload)
{
	ls_cli_options o;
	ls_cli_options_init(&o);
	static const struct option own[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct option *longopts = ls_cli_longopts(own);
	int opt, rc = LS_EXIT_ERROR;
	ls_ruleset *rs = NULL;
	ls_matcher *m = NULL;
	scan_job j;
	memset(&j, 0, sizeof(j));
	ls_walk_list files = LS_WALK_LIST_INIT;
	ls_cli_output out = {0};
	ls_cli_filters fl;
	memset(&fl, 0, sizeof(fl));

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h" LS_CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (opt == 'h') {
			if (!collect)
				fputs(scan_usage, stdout);
			rc = 0;
			goto done;
		}
		int r = ls_cli_common_option(&o, opt, optarg, cmd);
		if (r < 0)
			goto done;
		if (r == 0) {
			ls_cli_unknown_option(cmd, argv[optind - 1], longopts);
			goto done;
		}
	}
	if (ls_cli_prepare(&fl, &o, optind < argc ? argv[optind] : ".", &rs) < 0)
		goto done;
	if (ls_cli_matcher_new(&o, rs, &m) < 0)
		goto done;
	/* (a baseline records findings, not answers: only an explicit --verify sends anything) */
	if (ls_cli_verify_start(&j.ver, &o, collect ? NULL : fl.config, fl.repo_config, 0) < 0)
		goto done;
	j.o = &o;
	j.m = m;
	j.st.start = ls_now();
	j.st.noun = "files";
	ls_cli_search_options(&j.so, &o, &fl);
	j.so.skip_path = NULL; /* the walk skipped what it had to; a file named on the command line is read */
	j.collect = collect;
	j.collect_payload = payload;
	j.fl = &fl;
	j.skip_reports = ls_allow_default_skips_on(fl.allow);
	if (collect) {
		/* findings go to the collector: no report */
		o.format = LS_FMT_TEXT;
		o.output = NULL;
	}

	/*
	 * What to scan, in command-line order, each directory in name order. The search starts
	 * on the first files while the walk looks for more, unless findings go to a file: then
	 * the walk ends before that file (and its temporary sibling) is created, so that it
	 * never meets it.
	 */
	ls_pool_job pj = {(size_t)o.jobs, 0, worker_new, worker_free, work, emit, discard, &j};
	int to_file = o.output && strcmp(o.output, "-");
	if (!to_file) {
		if (open_report(&j, &out, &o, optind < argc ? argv[optind] : ".") < 0)
			goto done;
		j.stream = ls_pool_stream_start(&pj);
	}
	static char dot_path[] = ".";
	char *dot[] = {dot_path};
	char **paths = optind < argc ? argv + optind : dot;
	int npaths = optind < argc ? argc - optind : 1;
	int have_stdin = 0;
	for (int i = 0; i < npaths; i++) {
		if (!strcmp(paths[i], "-")) {
			if (!have_stdin) {
				have_stdin = 1;
				if (ls_read_file(&j.stdin_data, "/dev/stdin") < 0) {
					ls_cli_error("cannot read stdin: %s", ls_error_last());
					j.st.errors++;
				}
			}
			add_item(&j, NULL, 1, 0);
			continue;
		}
		walk_ctx wc = {NULL, fl.allow, NULL, &j.st.skipped_default, &j, 0};
		ls_walk_options wo = LS_WALK_OPTIONS_INIT;
		wo.follow_symlinks = o.follow;
		wo.on_error = walk_error;
		wo.error_payload = &j.st.errors;
		wo.on_file = walk_file;
		wo.file_payload = &wc;
		int igerr = o.no_ignore ? LS_ENOTFOUND : ls_git_ignore_open(&wc.ig, paths[i]);
		if (igerr < 0)
			wc.ig = NULL;
		if (igerr == LS_ERR) {
			ls_cli_note_dubious(ls_error_last()); /* another user's repository: a plain directory */
		} else if (igerr < 0 && igerr != LS_ENOTFOUND) {
			/* a repository libgit2 would hang on: scan everything, say so */
			ls_cli_error("%s; ignore rules not used", ls_error_last());
			j.st.errors++;
		}
		wc.errors = &j.st.errors;
		wo.skip = skip_ignored;
		wo.skip_payload = &wc;
		struct stat pst;
		wc.named = stat(paths[i], &pst) == 0 && S_ISREG(pst.st_mode);
		int err = ls_fs_walk(paths[i], &wo, &files);
		ls_git_ignore_free(wc.ig);
		if (err == LS_ENOTFOUND) {
			ls_cli_error("%s", ls_error_last());
			j.st.errors++;
		}
	}
	j.st.skipped_links = files.skipped_links;
	if (to_file) {
		if (open_report(&j, &out, &o, optind < argc ? argv[optind] : ".") < 0)
			goto done;
		j.stream = ls_pool_stream_start(&pj);
	}
	ls_pool_stream_add(j.stream, j.nslots);
	int prc = ls_pool_stream_finish(j.stream);
	j.stream = NULL;
	if (prc == LS_ERR) {
		ls_cli_error("%s", ls_error_last());
		j.st.errors++;
	}
	for (size_t i = 0; i < j.nheld; i++) {
		ls_cli_verify_apply(&j.ver, &j.held[i]);
		report_findings(&j, &j.held[i]);
	}
	int werr = ls_report_finish(j.report) < 0 || j.write_failed;
	if (werr) {
		ls_cli_error("cannot write the report: %s", strerror(errno));
		j.st.errors++;
	}
	if (ls_cli_output_close(&out, !werr) < 0)
		j.st.errors++;
	ls_cli_print_summary(&j.st, &o);
	rc = ls_cli_exit_code(&j.st);
done:
	ls_cli_verify_dispose(&j.ver);
	for (size_t i = 0; i < j.nheld; i++)
		ls_findings_dispose(&j.held[i]);
	free(j.held);
	ls_report_free(j.report);
	for (size_t k = 0; k < NSEGS; k++)
		free(j.segs[k]);
	ls_buf_dispose(&j.stdin_data);
	ls_walk_list_dispose(&files);
	ls_matcher_free(m);
	ls_ruleset_free(rs);
	ls_cli_filters_dispose(&fl);
	ls_cli_options_dispose(&o);
	free(longopts);
	return rc;
}

int cmd_scan(int argc, char **argv) { return ls_cli_scan_run(argc, argv, "scan", NULL, NULL); }
