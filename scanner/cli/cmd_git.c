/* leakscan git: a repository's whole history, a commit range, the staged index, or a commit
 * message file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "pool.h"
#include "source_git.h"

enum { OPT_ALL_OBJECTS = 2000, OPT_ALL_PROVENANCE, OPT_RANGE, OPT_SINCE, OPT_BRANCH, OPT_STAGED, OPT_MESSAGE, OPT_TIMINGS, OPT_CONFIG_FROM, OPT_LABEL,
       OPT_INCLUDE_ALTERNATES, OPT_ALL_OCCURRENCES };

typedef struct {
	size_t idx; /* the item */
	ls_cli_result res;
} kept_result;

typedef struct {
	const ls_cli_options *o;
	const ls_matcher *m;
	ls_search_options so;
	ls_git_history *h;
	const ls_cli_filters *fl;
	ls_cli_result *results;
	ls_report *report;
	ls_cli_stats st;
	int write_failed;
	int redact; /* the report masks secrets */
	/* --all-provenance: findings are held until every blob's paths are known */
	int hold;
	int group;          /* text of a whole history: one entry per distinct secret (--all-occurrences: not) */
	ls_findings held;
	size_t *held_items; /* the item of each held finding */
	size_t *order;      /* item indexes in read order */
	size_t *units;      /* where each unit (a delta tree: one worker reads it whole) starts in order */
	kept_result *kept;  /* results with something to say, by read position until sorted */
	size_t nkept, kcap;
	int timings;        /* --timings: where the time went, on stderr */
	double read_secs, search_secs;
	ls_cli_collect_fn collect; /* instead of the report (leakscan baseline create --git) */
	void *collect_payload;
	ls_cli_progress progress;  /* items read of nitems, their bytes, findings so far */
	size_t nitems, done, found;
	unsigned long long done_bytes;
	double read_start;
	ls_cli_verify ver;  /* --verify: checks submitted as items are kept, applied before reporting */
} git_job;

typedef struct {
	ls_scratch *scratch;
	ls_git_reader *reader;
	double read_secs, search_secs; /* --timings */
} git_worker;

static void *worker_new(void *payload)
{
	git_job *j = payload;
	git_worker *w = ls_xcalloc(1, sizeof(*w));
	if (ls_scratch_new(&w->scratch, j->m) < 0 || ls_git_reader_new(&w->reader, j->h) < 0) {
		ls_scratch_free(w->scratch);
		free(w);
		return NULL;
	}
	return w;
}

static void worker_free(void *wp, void *payload)
{
	git_worker *w = wp;
	if (!w)
		return;
	git_job *j = payload;
	j->read_secs += w->read_secs; /* workers are freed one at a time, after the run */
	j->search_secs += w->search_secs;
	ls_scratch_free(w->scratch);
	ls_git_reader_free(w->reader);
	free(w);
}

/* Replaces every occurrence of `secret` in `*msg` by its redacted form. */
static void mask_in(char **msg, const char *secret, size_t len)
{
	if (!*msg || !len || !memmem(*msg, strlen(*msg), secret, len))
		return;
	ls_buf b = LS_BUF_INIT;
	ls_report_mask(&b, *msg, strlen(*msg), secret, len);
	free(*msg);
	*msg = ls_buf_detach(&b);
}

/*
 * The `message` field repeats the first line of a commit or tag message, which may hold a
 * secret of its own (reported with the message): when the report is redacted, mask every
 * secret the rules find in it, and the finding's own.
 */
static void mask_message(const git_job *j, ls_scratch *s, ls_provenance *p, const ls_finding *own)
{
	if (!p->message || !*p->message)
		return;
	ls_findings fs = LS_FINDINGS_INIT;
	ls_search_options so = LS_SEARCH_OPTIONS_INIT;
	so.inline_allow = 0;
	ls_search_buffer(j->m, s, &so, p->message, strlen(p->message), LS_ORIGIN_TEXT, "<message>", &fs);
	for (size_t i = 0; i < fs.n; i++)
		mask_in(&p->message, fs.items[i].secret, fs.items[i].secret_len);
	ls_findings_dispose(&fs);
	if (own)
		mask_in(&p->message, own->secret, own->secret_len);
}

static char *dup_or_null(const char *s) { return s ? ls_xstrdup(s) : NULL; }

static void prov_copy(ls_provenance *dst, const ls_provenance *src)
{
	free(dst->commit);
	dst->commit = dup_or_null(src->commit);
	dst->author_name = dup_or_null(src->author_name);
	dst->author_email = dup_or_null(src->author_email);
	dst->date = dup_or_null(src->date);
	dst->message = dup_or_null(src->message);
	dst->blob = dup_or_null(src->blob);
}

static void prov_dispose(ls_provenance *p)
{
	ls_finding tmp;
	memset(&tmp, 0, sizeof(tmp));
	tmp.prov = *p;
	ls_finding_dispose(&tmp);
	memset(p, 0, sizeof(*p));
}

/* Item `idx`, read at position `pos` of the read order. */
static void work(void *wp, size_t pos, void *payload)
{
	git_job *j = payload;
	git_worker *w = wp;
	size_t idx = j->order[pos];
	ls_cli_result *res = &j->results[pos];
	ls_git_content c;
	double t0 = j->timings ? ls_now() : 0;
	int rerr = ls_git_reader_read(w->reader, idx, j->o->max_file_size, &c);
	double t1 = j->timings ? ls_now() : 0;
	w->read_secs += t1 - t0;
	if (rerr < 0) {
		res->error = ls_xstrdup(ls_error_last());
		return;
	}
	if (c.too_large) {
		res->skipped = 2;
		res->note = ls_xasprintf("%s: skipped, larger than --max-file-size (%lld bytes)", c.path, c.size);
		return;
	}
	const ls_origin *gp;
	size_t np = ls_git_reader_places(w->reader, idx, &gp);
	ls_cli_result_search_deep(res, j->o, j->m, w->scratch, &j->so, c.data, c.len, gp, np);
	if (j->timings)
		w->search_secs += ls_now() - t1;
	/* provenance of each place that holds a finding, looked up once per place */
	ls_provenance p;
	memset(&p, 0, sizeof(p));
	size_t at = SIZE_MAX;
	for (size_t i = 0; i < res->findings.n; i++) {
		ls_finding *f = &res->findings.items[i];
		if (f->place != at) {
			prov_dispose(&p);
			at = f->place;
			ls_git_reader_provenance(w->reader, idx, at, &p);
			if (j->redact)
				mask_message(j, w->scratch, &p, NULL);
		}
		prov_copy(&f->prov, &p);
		if (j->redact)
			mask_message(j, w->scratch, &f->prov, f);
	}
	prov_dispose(&p);
}

static void discard(size_t pos, void *payload)
{
	git_job *j = payload;
	ls_cli_result_dispose(&j->results[pos]);
}

/* The pool hands out units: each is read whole by one worker, which builds each blob of a
 * delta tree from its base (ls_git_history_read_order). */
static void work_unit(void *wp, size_t u, void *payload)
{
	git_job *j = payload;
	for (size_t pos = j->units[u]; pos < j->units[u + 1]; pos++)
		work(wp, pos, payload);
}

static void discard_unit(size_t u, void *payload)
{
	git_job *j = payload;
	for (size_t pos = j->units[u]; pos < j->units[u + 1]; pos++)
		discard(pos, payload);
}

static int report_one(git_job *j, const ls_finding *f)
{
	if (!ls_cli_verify_keep(j->o, f))
		return 0;
	ls_cli_stats_count(&j->st, f, j->o);
	if (j->collect) {
		j->collect(f, j->fl, j->collect_payload);
		return 0;
	}
	if (ls_report_add(j->report, f) < 0)
		j->write_failed = 1;
	return j->write_failed;
}

/* Items are read in pack order; what they yield is kept (it is little: findings, errors,
 * notes) and emitted in item order at the end, so output does not depend on the read order
 * or on -j. */
static int emit(size_t pos, void *payload)
{
	git_job *j = payload;
	ls_cli_result *res = &j->results[pos];
	if (!res->findings.n && !res->error && !res->note && !res->warning && !res->archive_warnings &&
	    !res->archive_notes) {
		ls_cli_result_tally(&j->st, res, j->o);
		discard(pos, payload);
		return 0;
	}
	if (j->nkept == j->kcap) {
		j->kcap = j->kcap ? j->kcap * 2 : 64;
		j->kept = ls_xrealloc(j->kept, j->kcap * sizeof(*j->kept));
	}
	ls_cli_verify_submit(&j->ver, &res->findings); /* the requests run while the scan goes on */
	j->kept[j->nkept].idx = j->order[pos];
	j->kept[j->nkept++].res = *res;
	memset(res, 0, sizeof(*res));
	return 0;
}

static int cmp_kept(const void *a, const void *b)
{
	size_t x = ((const kept_result *)a)->idx, y = ((const kept_result *)b)->idx;
	return x < y ? -1 : x > y;
}

static int emit_unit(size_t u, void *payload)
{
	git_job *j = payload;
	for (size_t pos = j->units[u]; pos < j->units[u + 1]; pos++) {
		j->done_bytes += j->results[pos].bytes;
		j->found += j->results[pos].findings.n;
		emit(pos, payload);
	}
	j->done += j->units[u + 1] - j->units[u];
	double secs = ls_now() - j->read_start, f = j->nitems ? (double)j->done / (double)j->nitems : 1;
	ls_cli_progress_show(&j->progress, 0, "git: %zu/%zu objects (%.0f%%), %.1f MB, %.1f MB/s, %zu finding%s, ETA %.0fs",
	                     j->done, j->nitems, f * 100, (double)j->done_bytes / 1e6,
	                     secs > 0 ? (double)j->done_bytes / 1e6 / secs : 0, j->found, j->found == 1 ? "" : "s",
	                     f > 0 ? secs * (1 - f) / f : 0);
	return 0;
}

static void emit_kept(git_job *j)
{
	if (j->nkept)
		qsort(j->kept, j->nkept, sizeof(*j->kept), cmp_kept);
	for (size_t k = 0; k < j->nkept; k++) {
		ls_cli_result *res = &j->kept[k].res;
		ls_cli_verify_apply(&j->ver, &res->findings);
		ls_cli_result_tally(&j->st, res, j->o);
		for (size_t i = 0; i < res->findings.n && !j->write_failed; i++) {
			if (j->hold || j->group) {
				j->held_items = ls_xrealloc(j->held_items, (j->held.n + 1) * sizeof(size_t));
				j->held_items[j->held.n] = j->kept[k].idx;
				ls_findings_push(&j->held, &res->findings.items[i]);
				continue;
			}
			report_one(j, &res->findings.items[i]);
		}
		ls_cli_result_dispose(res);
	}
}

/* --all-provenance: every (commit, path) of each held finding's blob, then report them. */
static void flush_held(git_job *j, ls_git_history *h)
{
	size_t nuniq = 0;
	size_t *uniq = ls_xmalloc((j->held.n ? j->held.n : 1) * sizeof(size_t));
	for (size_t i = 0; i < j->held.n; i++)
		if (!nuniq || uniq[nuniq - 1] != j->held_items[i])
			uniq[nuniq++] = j->held_items[i]; /* held in item order */
	ls_git_paths *paths = ls_xcalloc(nuniq ? nuniq : 1, sizeof(ls_git_paths));
	ls_git_history_all_paths(h, uniq, nuniq, paths);
	size_t u = 0;
	for (size_t i = 0; i < j->held.n; i++) {
		while (uniq[u] != j->held_items[i])
			u++;
		ls_finding *f = &j->held.items[i];
		f->prov.nalso = paths[u].n;
		f->prov.also = ls_xcalloc(paths[u].n ? paths[u].n : 1, sizeof(char *));
		for (size_t k = 0; k < paths[u].n; k++)
			f->prov.also[k] = ls_xstrdup(paths[u].v[k]);
		if (!j->write_failed)
			report_one(j, f);
	}
	for (size_t k = 0; k < nuniq; k++)
		ls_git_paths_dispose(&paths[k]);
	free(paths);
	free(uniq);
}

/* Grouped text: held findings of one rule and secret, in the order they were found. */
static int cmp_secret(const void *a, const void *b, void *payload)
{
	const ls_findings *fs = payload;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const ls_finding *f = &fs->items[x], *g = &fs->items[y];
	int c = strcmp(f->rule->id, g->rule->id);
	if (!c)
		c = strcmp(f->secret_hash, g->secret_hash);
	return c ? c : (x > y) - (x < y);
}

/* One entry per distinct secret: its first finding (the commit that introduced it), with how
 * many occurrences at how many paths and whether the default branch's tip still holds it. */
static void flush_grouped(git_job *j, ls_git_repo *repo)
{
	size_t n = j->held.n;
	size_t *ix = ls_xmalloc((n ? n : 1) * sizeof(size_t)), *leader = ls_xmalloc((n ? n : 1) * sizeof(size_t));
	size_t *start = ls_xmalloc((n ? n : 1) * sizeof(size_t)), *len = ls_xcalloc(n ? n : 1, sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		ix[i] = i;
	qsort_r(ix, n, sizeof(size_t), cmp_secret, &j->held);
	for (size_t k = 0; k < n; k++) {
		const ls_finding *f = &j->held.items[ix[k]];
		size_t first = k;
		if (k && !strcmp(f->rule->id, j->held.items[ix[k - 1]].rule->id) &&
		    !strcmp(f->secret_hash, j->held.items[ix[k - 1]].secret_hash))
			first = start[leader[ix[k - 1]]];
		leader[ix[k]] = ix[first];
		start[ix[first]] = first;
		len[ix[first]]++;
	}
	ls_git_tip *tip = NULL;
	if (repo && ls_git_tip_open(&tip, repo) < 0)
		tip = NULL;
	/* every place of each blob (a copy, a rename): its paths, and whether the tip holds it */
	ls_git_reader *rd = NULL;
	if (ls_git_reader_new(&rd, j->h) < 0)
		rd = NULL;
	ls_strlist paths = {NULL, 0};
	char *tip_path = NULL;
	int tip_other = 0; /* tip_path is not the finding's own path */
	for (size_t i = 0; i < n && !j->write_failed; i++) {
		if (leader[i] != i)
			continue;
		const ls_finding *f = &j->held.items[i];
		ls_report_group g = {len[i], 0, tip && rd ? 0 : -1, NULL};
		ls_strlist_dispose(&paths);
		for (size_t k = start[i]; k < start[i] + len[i]; k++) {
			const ls_finding *m = &j->held.items[ix[k]];
			const ls_origin *gp = NULL;
			size_t np = rd ? ls_git_reader_places(rd, j->held_items[ix[k]], &gp) : 0;
			char id[41];
			ls_git_history_item_id(j->h, j->held_items[ix[k]], id);
			for (size_t p = 0; p < (np ? np : 1); p++) {
				const char *path = np ? gp[p].path : m->path;
				int seen = 0;
				for (size_t q = 0; q < paths.n && !seen; q++)
					seen = !strcmp(paths.items[q], path);
				if (!seen)
					ls_strlist_push(&paths, path);
				/* the tip at the finding's own path first: another place may be one the
				 * finding does not apply to (source code, for quoted_in_code) */
				int own = !strcmp(path, m->path);
				if (tip && np && path[0] != '<' && (g.tip != 1 || (own && tip_other)) &&
				    ls_git_tip_has(tip, path, id)) {
					tip_other = !own;
					g.tip = 1;
					free(tip_path); /* (the reader's places are borrowed until its next call) */
					g.tip_path = tip_path = ls_xstrdup(path);
				}
			}
			if (k > start[i] && ls_cli_verify_keep(j->o, m))
				ls_cli_stats_count(&j->st, m, j->o); /* every occurrence counts, as before */
		}
		g.paths = paths.n;
		if (ls_cli_verify_keep(j->o, f)) {
			ls_cli_stats_count(&j->st, f, j->o);
			if (ls_report_add_group(j->report, f, &g) < 0)
				j->write_failed = 1;
		}
		free(tip_path);
		tip_path = NULL;
		tip_other = 0;
	}
	ls_strlist_dispose(&paths);
	ls_git_reader_free(rd);
	ls_git_tip_free(tip);
	free(ix);
	free(leader);
	free(start);
	free(len);
}

static const char *git_usage =
    "usage: leakscan git [options] [REPO]\n"
    "       leakscan git --staged [options] [REPO]\n"
    "       leakscan git --message FILE [options]\n"
    "\n"
    "Scans every blob reachable from any ref (branches, tags, remotes, stash, HEAD) once, and\n"
    "every commit and annotated tag message, of the repository containing REPO (default: .).\n"
    "Each finding names the commit that first introduced it (in topological order from the\n"
    "roots), its path there, author, committer date and message. Messages are shown with the\n"
    "path '<commit message>' or '<tag message: NAME>'; unreachable blobs as\n"
    "'<unreachable blob ID>'. Nothing is ever written into the repository. Without REPO,\n"
    "git's environment is honoured as git does ($GIT_DIR, $GIT_INDEX_FILE, $GIT_OBJECT_DIRECTORY),\n"
    "so that in a hook --staged sees the index of the commit being made.\n"
    "\n"
    "      --all-objects      also scan unreachable blobs and dangling commits/tags (those of\n"
    "                         alternates, another repository's, are counted in a note)\n"
    "      --include-alternates with --all-objects: scan the alternates' unreachable objects too,\n"
    "                         shown as '<unreachable blob ID in alternate DIR>'\n"
    "      --all-provenance   list every commit:path holding each finding's blob\n"
    "      --all-occurrences  text: every blob holding a secret, not one entry per distinct\n"
    "                         secret (its first commit, author, date, occurrences, paths, tip)\n"
    "      --range A..B       only what the commits of A..B introduced; A...B: from their\n"
    "                         merge base (what B adds since it forked from A)\n"
    "      --since REV|DATE   REV..HEAD (or ..--branch), or the commits since a date\n"
    "                         (2023-01-01, '2 weeks ago', yesterday)\n"
    "      --branch NAME      walk only this branch (no other refs, tags or stash)\n"
    "      --staged           scan what 'git commit' would record (index vs HEAD)\n"
    "      --message FILE     scan a commit message file (commit-msg hook; - for stdin), its\n"
    "                         findings shown at '<commit message>' (--label NAME: at NAME)\n"
    LS_CLI_OUTPUT_HELP
    "      --max-file-size N  skip larger blobs (default 100M)\n"
    "      --binary           search binary blobs with the generic rules too\n"
    "      --timings          print how long the walk, the reads and the search took\n"
    "      --config-from REV  take .leakscan.yaml, its rule files and .leakscanignore from the\n"
    "                         tree of REV, not the work tree (CI: the base branch's policy)\n"
    LS_CLI_ARCHIVE_HELP
    LS_CLI_FILTER_HELP
    LS_CLI_VERIFY_HELP
    "\n"
    "Output order is stable for any -j: commits in topological order from the roots, each\n"
    "commit's message, then its new blobs in tree order; then blobs of refs that point to\n"
    "trees or blobs, annotated tag messages by name, and unreachable objects by id.\n"
    "--staged shows paths relative to the top of the work tree; --since REV means REV..HEAD.\n"
    "\n"
    "Exit status: 0 nothing found, 1 findings, 2 error (findings take precedence). A missing\n"
    "or corrupt object counts as an error, and so does a shallow clone's whole history (it\n"
    "cannot be said clean) or a range that reaches the shallow boundary; the rest of the\n"
    "scan goes on.\n"
    "\n"
    "Examples: leakscan git\n"
    "          leakscan git --range origin/main..HEAD --config-from origin/main -f sarif -o out.sarif\n"
    "          leakscan git --since '2 weeks ago' --redact\n";

/* --message FILE: findings are shown at `label` (the file is often a hook's temporary copy). */
static void scan_message(git_job *j, const char *file, const char *label)
{
	ls_buf b = LS_BUF_INIT;
	ls_scratch *s = NULL;
	j->st.noun = "messages";
	if (ls_read_file(&b, strcmp(file, "-") ? file : "/dev/stdin") < 0) {
		ls_cli_error("%s", ls_error_last());
		j->st.errors++;
		goto done;
	}
	if (ls_scratch_new(&s, j->m) < 0) {
		ls_cli_error("%s", ls_error_last());
		j->st.errors++;
		goto done;
	}
	ls_findings fs = LS_FINDINGS_INIT;
	j->st.items++;
	j->st.bytes += b.len;
	if (ls_search_buffer(j->m, s, &j->so, b.ptr ? b.ptr : "", b.len, LS_ORIGIN_MESSAGE, label, &fs) < 0) {
		ls_cli_error("%s: %s", file, ls_error_last());
		j->st.errors++;
	}
	ls_cli_verify_submit(&j->ver, &fs);
	ls_cli_verify_apply(&j->ver, &fs);
	for (size_t i = 0; i < fs.n && !j->write_failed; i++)
		report_one(j, &fs.items[i]);
	ls_findings_dispose(&fs);
done:
	ls_scratch_free(s);
	ls_buf_dispose(&b);
}

int cmd_git(int argc, char **argv) { return ls_cli_git_run(argc, argv, NULL, NULL); }

int ls_cli_git_run(int argc, char **argv, ls_cli_collect_fn collect, void *payload)
{
	ls_cli_options o;
	ls_cli_options_init(&o);
	static const struct option own[] = {{"help", no_argument, NULL, 'h'},
	                                    {"all-objects", no_argument, NULL, OPT_ALL_OBJECTS},
	                                    {"all-provenance", no_argument, NULL, OPT_ALL_PROVENANCE},
	                                    {"all-occurrences", no_argument, NULL, OPT_ALL_OCCURRENCES},
	                                    {"include-alternates", no_argument, NULL, OPT_INCLUDE_ALTERNATES},
	                                    {"range", required_argument, NULL, OPT_RANGE},
	                                    {"since", required_argument, NULL, OPT_SINCE},
	                                    {"branch", required_argument, NULL, OPT_BRANCH},
	                                    {"staged", no_argument, NULL, OPT_STAGED},
	                                    {"message", required_argument, NULL, OPT_MESSAGE},
	                                    {"timings", no_argument, NULL, OPT_TIMINGS},
	                                    {"config-from", required_argument, NULL, OPT_CONFIG_FROM},
	                                    {"label", required_argument, NULL, OPT_LABEL},
	                                    {NULL, 0, NULL, 0}};
	struct option *longopts = ls_cli_longopts(own);
	int opt, rc = LS_EXIT_ERROR;
	ls_ruleset *rs = NULL;
	ls_matcher *m = NULL;
	ls_git_repo *repo = NULL;
	ls_git_history *h = NULL;
	git_job j;
	memset(&j, 0, sizeof(j));
	j.collect = collect;
	j.collect_payload = payload;
	ls_cli_output out = {0};
	ls_git_history_options ho = LS_GIT_HISTORY_OPTIONS_INIT;
	int staged = 0, all_prov = 0, all_occ = 0, out_open = 0;
	double walk_secs = 0;
	const char *message = NULL, *since = NULL, *config_from = NULL, *label = NULL;
	ls_cli_filters fl;
	memset(&fl, 0, sizeof(fl));

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h" LS_CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(git_usage, stdout);
			rc = 0;
			goto done;
		case OPT_ALL_OBJECTS: ho.all_objects = 1; continue;
		case OPT_ALL_PROVENANCE: all_prov = 1; continue;
		case OPT_ALL_OCCURRENCES: all_occ = 1; continue;
		case OPT_INCLUDE_ALTERNATES: ho.alternates = 1; continue;
		case OPT_RANGE: ho.range = optarg; continue;
		case OPT_SINCE: since = optarg; continue;
		case OPT_BRANCH: ho.branch = optarg; continue;
		case OPT_STAGED: staged = 1; continue;
		case OPT_MESSAGE: message = optarg; continue;
		case OPT_TIMINGS: j.timings = 1; continue;
		case OPT_CONFIG_FROM: config_from = optarg; continue;
		case OPT_LABEL: label = optarg; continue;
		default: break;
		}
		int r = ls_cli_common_option(&o, opt, optarg, "git");
		if (r < 0)
			goto done;
		if (r == 0) {
			ls_cli_unknown_option("git", argv[optind - 1], longopts);
			goto done;
		}
	}
	if (ho.range && since) {
		ls_cli_error("git: --range and --since cannot be combined");
		goto done;
	}
	ho.since = since;
	if ((staged || message) && (ho.range || since || ho.branch || ho.all_objects || all_prov)) {
		ls_cli_error("git: --%s cannot be combined with --range, --since, --branch, --all-objects or --all-provenance",
		             staged ? "staged" : "message");
		goto done;
	}
	if (staged && message) {
		ls_cli_error("git: --staged and --message cannot be combined");
		goto done;
	}
	if (ho.all_objects && (ho.range || since || ho.branch)) {
		ls_cli_error("git: --all-objects scans the whole object database; it cannot be combined with --range, --since or --branch");
		goto done;
	}
	if (ho.alternates && !ho.all_objects) {
		ls_cli_error("git: --include-alternates goes with --all-objects");
		goto done;
	}
	if (optind + 1 < argc || (message && optind < argc)) {
		ls_cli_error("git: too many arguments (see 'leakscan help git')");
		goto done;
	}
	if (config_from && (message || o.config || o.no_config)) {
		ls_cli_error("git: --config-from cannot be combined with --%s", message ? "message" : o.config ? "config" : "no-config");
		goto done;
	}
	const char *start = message ? "." : optind < argc ? argv[optind] : ".";
	ls_cli_policy pol = {NULL, config_from};
	if (config_from) {
		/* the policy of a revision: the repository is opened first, the work tree never read */
		if (ls_git_repo_open(&repo, optind < argc ? argv[optind] : NULL) < 0 ||
		    ls_git_rev_check(repo, config_from) < 0) {
			ls_cli_error("%s%s", repo ? "git: --config-from " : "", ls_error_last());
			goto done;
		}
		pol.repo = repo;
	}
	if (ls_cli_prepare_policy(&fl, &o, start, config_from ? &pol : NULL, &rs) < 0)
		goto done;
	/* paths in a repository are relative to its top */
	if (!message && fl.allow)
		ls_allow_set_paths_relative(fl.allow, 1);
	if (ls_cli_matcher_new(&o, rs, &m) < 0)
		goto done;
	/* the hooks' scans (pre-commit, commit-msg, pre-push) verify only when asked for them */
	if (ls_cli_verify_start(&j.ver, &o, collect ? NULL : fl.config, fl.repo_config, staged || message || ho.range || ho.branch) < 0)
		goto done;
	j.o = &o;
	j.m = m;
	j.st.start = ls_now();
	j.st.noun = "objects";
	ls_cli_search_options(&j.so, &o, &fl);
	j.fl = &fl;
	j.hold = all_prov;
	/* a whole history in text: one entry per distinct secret; the hooks' scans (a range, a
	 * branch, staged, a message) and machine formats keep every occurrence */
	j.group = !all_prov && !all_occ && !collect && !staged && !message && !ho.range && !ho.since && !ho.branch &&
	          o.format == LS_FMT_TEXT;

	if (!message) {
		const char *path = optind < argc ? argv[optind] : ".";
		if (!repo && ls_git_repo_open(&repo, optind < argc ? argv[optind] : NULL) < 0) {
			ls_cli_error("%s", ls_error_last());
			goto done;
		}
		int err;
		if (staged) {
			err = ls_git_staged_new(&h, repo);
			j.st.noun = "staged files";
		} else {
			ho.threads = o.jobs > 0 ? o.jobs : ls_ncpus();
			ls_cli_progress_init(&j.progress, &o);
			if (j.progress.mode == 1) /* (plain lines only for long runs, every 10 s) */
				ls_cli_progress_show(&j.progress, 1, "git: walking the history of %s", path);
			err = ls_git_history_new(&h, repo, &ho);
			ls_cli_progress_clear(&j.progress);
			/* a whole history of a shallow clone is incomplete by construction; a range is
			 * whole unless its walk reached the boundary */
			if (!err && ls_git_repo_is_shallow(repo) && (!(ho.range || ho.since) || ls_git_history_reached_shallow(h))) {
				if (ho.range || ho.since)
					ls_cli_error("warning: %s is a shallow clone and the range reaches its boundary; older commits are "
					             "not scanned (fetch them: git fetch --unshallow, or fetch-depth: 0)",
					             path);
				else
					ls_cli_error("warning: %s is a shallow clone; history beyond its boundary is not scanned (exit status 2 "
					             "unless findings: scan a --range, or fetch the whole history)",
					             path);
				j.st.errors++;
			}
		}
		walk_secs = ls_now() - j.st.start;
		if (err < 0) {
			ls_cli_error("%s", ls_error_last());
			goto done;
		}
		for (size_t i = 0; i < ls_git_history_nerrors(h); i++) {
			ls_cli_error("%s", ls_git_history_error(h, i));
			j.st.errors++;
		}
		for (size_t i = 0; i < ls_git_history_nnotes(h); i++)
			ls_cli_error("note: %s", ls_git_history_note(h, i));
		if (!staged && !ho.range && !ho.since && ls_git_history_commits(h) == 0)
			ls_cli_error("%s: the repository has no commits%s", path,
			             ls_git_history_count(h) ? "" : "; nothing to scan");
	}

	if (!collect) {
		if (ls_cli_output_open(&out, &o) < 0)
			goto done;
		out_open = 1;
		ls_report_options ro;
		ls_cli_report_options(&ro, &o, &out);
		char *title = ls_xasprintf("leakscan git: %s", start ? start : ".");
		ro.title = title;
		ls_report_new(&j.report, out.fp, &ro);
		free(title);
		j.redact = ro.redact;
	}
	if (message) {
		scan_message(&j, message, label ? label : "<commit message>");
	} else {
		size_t n = ls_git_history_count(h);
		j.h = h;
		j.results = ls_xcalloc(n ? n : 1, sizeof(ls_cli_result));
		j.order = ls_xmalloc((n ? n : 1) * sizeof(size_t));
		j.units = ls_xmalloc((n + 1) * sizeof(size_t));
		size_t nunits = ls_git_history_read_order(h, j.order, j.units);
		j.nitems = n;
		j.read_start = ls_now();
		/* results are kept whole until the end: workers need not wait for the writer */
		ls_pool_job pj = {(size_t)o.jobs, nunits + 1, worker_new, worker_free, work_unit, emit_unit, discard_unit, &j};
		int prc = ls_pool_run(&pj, nunits);
		ls_cli_progress_clear(&j.progress);
		if (prc == LS_ERR) {
			ls_cli_error("%s", ls_error_last());
			j.st.errors++;
		}
		emit_kept(&j);
		if (j.hold)
			flush_held(&j, h);
		if (j.group)
			flush_grouped(&j, repo);
	}
	int werr = (j.report && ls_report_finish(j.report) < 0) || j.write_failed;
	if (werr) {
		ls_cli_error("cannot write the report: %s", strerror(errno));
		j.st.errors++;
	}
	if (out_open && ls_cli_output_close(&out, !werr) < 0)
		j.st.errors++;
	out_open = 0;
	ls_cli_print_summary(&j.st, &o);
	if (j.timings)
		fprintf(stderr, "leakscan: timings: walk %.3fs, read %.3fs, search %.3fs (read and search summed over %d threads), total %.3fs\n",
		        walk_secs, j.read_secs, j.search_secs, o.jobs > 0 ? o.jobs : ls_ncpus(), ls_now() - j.st.start);
	rc = ls_cli_exit_code(&j.st);
done:
	ls_cli_verify_dispose(&j.ver);
	if (out_open)
		ls_cli_output_close(&out, 0);
	ls_report_free(j.report);
	free(j.results);
	free(j.order);
	free(j.units);
	for (size_t k = 0; k < j.nkept; k++)
		ls_cli_result_dispose(&j.kept[k].res);
	free(j.kept);
	ls_findings_dispose(&j.held);
	free(j.held_items);
	ls_git_history_free(h);
	ls_git_repo_free(repo);
	ls_matcher_free(m);
	ls_ruleset_free(rs);
	ls_cli_filters_dispose(&fl);
	ls_cli_options_dispose(&o);
	free(longopts);
	return rc;
}
