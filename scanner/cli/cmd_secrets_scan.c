/*
 * git-secrets drop-in, the scans that read git's objects: `git grep` for --scan (the
 * script's git_grep), and --scan-history, which reads every blob once through
 * source_git's history reader instead of grepping every commit's tree. See cmd_secrets.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "common.h"
#include "hooks.h"
#include "secrets.h"
#include "source_git.h"

static int cmp_strp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Called with each blob's content (not NUL-terminated), in the order of the ids. */
typedef void (*blob_fn)(size_t i, const char *data, size_t len, void *payload);

/*
 * Reads blobs by id with one `git cat-file --batch`, streaming: each blob is handed to `fn`
 * as soon as it is complete, so memory holds one blob at a time. Missing ids are skipped.
 */
static int cat_blobs(char *const *ids, size_t n, blob_fn fn, void *payload)
{
	int fd = ls_temp_fd("cat-file");
	if (fd < 0)
		return -1;
	FILE *in = fdopen(dup(fd), "w");
	for (size_t i = 0; in && i < n; i++)
		fprintf(in, "%s\n", ids[i]);
	if (!in || fclose(in) != 0 || lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -1;
	}
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		close(fd);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	static const char *const cat_file[] = {"git", "cat-file", "--batch", NULL};
	pid_t pid = ls_proc_spawn(cat_file, fd, pfd[1], LS_PROC_INHERIT, NULL);
	close(fd);
	close(pfd[1]);
	ls_buf b = LS_BUF_INIT;
	size_t pos = 0, i = 0, size = 0;
	int have_header = 0;
	char chunk[65536];
	for (;;) {
		ssize_t r = pid > 0 ? read(pfd[0], chunk, sizeof(chunk)) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		ls_buf_put(&b, chunk, (size_t)r);
		while (i < n) {
			if (!have_header) {
				char *nl = memchr(b.ptr + pos, '\n', b.len - pos);
				if (!nl)
					break;
				*nl = '\0';
				const char *hdr = b.ptr + pos;
				pos = (size_t)(nl - b.ptr) + 1;
				const char *sp = strrchr(hdr, ' ');
				if (strstr(hdr, " missing") || !sp) {
					i++;
					continue;
				}
				size = strtoull(sp + 1, NULL, 10);
				have_header = 1;
			}
			if (b.len - pos < size + 1)
				break;
			fn(i++, b.ptr + pos, size, payload);
			pos += size + 1;
			have_header = 0;
		}
		if (pos > 0 && pos * 2 >= b.len) {
			memmove(b.ptr, b.ptr + pos, b.len - pos);
			b.len -= pos;
			pos = 0;
		}
	}
	close(pfd[0]);
	ls_buf_dispose(&b);
	return pid > 0 && ls_proc_wait(pid) == 0 ? 0 : -1;
}

/* The fatal message and status git grep gives for a bad ERE. */
static int git_grep_bad_regex(const char *combined)
{
	fprintf(stderr, "fatal: command line, '%s': %s\n", combined, ls_error_last());
	return 128;
}

static char *join_patterns(const strv *p)
{
	ls_buf b = LS_BUF_INIT;
	ls_buf_puts(&b, "");
	for (size_t i = 0; i < p->n; i++)
		ls_buf_printf(&b, "%s%s", i ? "|" : "", p->v[i]);
	return ls_buf_detach(&b);
}

typedef struct {
	grepper *g;
	char **names;
} cached_ctx;

static void grep_cached_blob(size_t i, const char *data, size_t len, void *payload)
{
	cached_ctx *c = payload;
	gs_grep_buffer(c->g, c->names[i], data, len);
}

/* Runs git grep's search for one option set (see gs_git_grep). */
static int git_grep_run(gs_state *st, char **files, size_t nfiles, ls_buf *output)
{
	strv patterns = {0};
	gs_load_patterns(&patterns);
	if (!patterns.n)
		return 1;
	char *combined = join_patterns(&patterns);
	int rc = 1;
	ls_ere *ere = NULL;
	strv paths = {0};
	if (!st->no_index) {
		const char *argv[] = {"git", "rev-parse", "--git-dir", NULL};
		int grc = gs_run_git_quiet(NULL, argv);
		if (grc != 0) {
			gs_run_git(NULL, argv); /* git's own "not a git repository" message */
			rc = 128;
			goto done;
		}
	}
	char *fallback = NULL;
	if (ls_ere_new_cached(&ere, (const char *const *)&combined, 1, LS_ERE_GIT_GREP_WORDS,
			      gs_cache_dir(), &fallback) < 0) {
		rc = git_grep_bad_regex(combined);
		goto done;
	}
	gs_put_notes(fallback);
	grepper g = {ere, 8000, output, 0};

	/* the files git grep would read, relative to the current directory */
	ls_buf list = LS_BUF_INIT;
	strv argvv = {0};
	gs_strv_push(&argvv, ls_xstrdup("git"));
	if (st->no_index) {
		/* every file below the current directory (or the operands), .git excluded */
		gs_strv_free(&argvv);
		strv todo = {0};
		if (!nfiles)
			gs_strv_push(&todo, ls_xstrdup("."));
		for (size_t i = 0; i < nfiles; i++)
			gs_strv_push(&todo, ls_xstrdup(files[i]));
		for (size_t t = 0; t < todo.n; t++) {
			struct stat sb;
			if (lstat(todo.v[t], &sb) < 0)
				continue;
			if (S_ISREG(sb.st_mode)) {
				const char *p = todo.v[t];
				if (!strncmp(p, "./", 2))
					p += 2;
				gs_strv_push(&paths, ls_xstrdup(p));
			} else if (S_ISDIR(sb.st_mode)) {
				DIR *d = opendir(todo.v[t]);
				struct dirent *de;
				while (d && (de = readdir(d))) {
					if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || !strcmp(de->d_name, ".git"))
						continue;
					gs_strv_push(&todo, !strcmp(todo.v[t], ".") ? ls_xstrdup(de->d_name)
					                                         : ls_xasprintf("%s/%s", todo.v[t], de->d_name));
				}
				if (d)
					closedir(d);
			}
		}
		gs_strv_free(&todo);
	} else {
		gs_strv_push(&argvv, ls_xstrdup("ls-files"));
		gs_strv_push(&argvv, ls_xstrdup("-z"));
		if (st->cached)
			gs_strv_push(&argvv, ls_xstrdup("-s"));
		if (st->untracked) {
			gs_strv_push(&argvv, ls_xstrdup("--cached"));
			gs_strv_push(&argvv, ls_xstrdup("--others"));
			gs_strv_push(&argvv, ls_xstrdup("--exclude-standard"));
		}
		gs_strv_push(&argvv, ls_xstrdup("--"));
		for (size_t i = 0; i < nfiles; i++)
			gs_strv_push(&argvv, ls_xstrdup(files[i]));
		gs_run_git_quiet(&list, (const char *const *)argvv.v);
		for (size_t off = 0; off < list.len;) {
			size_t l = strlen(list.ptr + off);
			gs_strv_push(&paths, ls_xstrndup(list.ptr + off, l));
			off += l + 1;
		}
		gs_strv_free(&argvv);
	}
	ls_buf_dispose(&list);
	if (paths.n && !st->cached)
		qsort(paths.v, paths.n, sizeof(char *), cmp_strp);

	if (st->cached) {
		/* "MODE ID STAGE\tPATH": regular files of stage 0 */
		strv ids = {0}, names = {0};
		for (size_t i = 0; i < paths.n; i++) {
			char *tab = strchr(paths.v[i], '\t');
			if (!tab || (strncmp(paths.v[i], "100644 ", 7) && strncmp(paths.v[i], "100755 ", 7)))
				continue;
			if (tab[-1] != '0' || (names.n && !strcmp(names.v[names.n - 1], tab + 1)))
				continue;
			gs_strv_push(&ids, ls_xstrndup(paths.v[i] + 7, (size_t)(strchr(paths.v[i] + 7, ' ') - (paths.v[i] + 7))));
			gs_strv_push(&names, ls_xstrdup(tab + 1));
		}
		cached_ctx cc = {&g, names.v};
		if (ids.n)
			cat_blobs(ids.v, ids.n, grep_cached_blob, &cc);
		gs_strv_free(&ids);
		gs_strv_free(&names);
	} else {
		for (size_t i = 0; i < paths.n; i++) {
			if (i && !strcmp(paths.v[i], paths.v[i - 1]))
				continue;
			struct stat sb;
			if (lstat(paths.v[i], &sb) < 0 || !S_ISREG(sb.st_mode))
				continue;
			ls_buf b = LS_BUF_INIT;
			if (ls_read_file(&b, paths.v[i]) == 0)
				gs_grep_buffer(&g, paths.v[i], b.ptr ? b.ptr : "", b.len);
			ls_buf_dispose(&b);
		}
	}
	rc = g.matched ? 0 : 1;
done:
	gs_strv_free(&paths);
	ls_ere_free(ere);
	free(combined);
	gs_strv_free(&patterns);
	return rc;
}

/* gs_git_grep: GREP_OPTIONS= LC_ALL=C git grep -nwHEI [--cached|--untracked|--no-index] PATTERN -- FILES
 * Returns git grep's status: 0 matched, 1 none, 128 fatal. */
int gs_git_grep(gs_state *st, char **files_in, size_t nfiles_in, ls_buf *output)
{
	/* the script passes its options as one word to gs_git_grep, which takes the first of them
	 * as the option and the others as file names */
	const char *extra[3];
	size_t nextra = 0;
	int cached = st->cached, untracked = st->untracked, no_index = st->no_index;
	if (cached) {
		untracked = no_index = 0;
		if (st->untracked)
			extra[nextra++] = "--untracked";
		if (st->no_index)
			extra[nextra++] = "--no-index";
	} else if (untracked) {
		no_index = 0;
		if (st->no_index)
			extra[nextra++] = "--no-index";
	}
	size_t nfiles = nextra + nfiles_in;
	char **files = ls_xcalloc(nfiles + 1, sizeof(char *));
	for (size_t i = 0; i < nextra; i++)
		files[i] = (char *)extra[i];
	for (size_t i = 0; i < nfiles_in; i++)
		files[nextra + i] = files_in[i];
	gs_state g = *st;
	g.cached = cached;
	g.untracked = untracked;
	g.no_index = no_index;
	int rc = git_grep_run(&g, files, nfiles, output);
	free(files);
	return rc;
}


/* A set of blob ids (open addressing), each with the lines of it that match. */
typedef struct {
	char *id;
	ls_buf lines; /* ":LINE:TEXT\n" per matching line */
} hist_blob;

typedef struct {
	hist_blob *v;
	size_t n, cap;
	size_t *slots; /* index + 1, 0 for empty */
	size_t nslots;
} blob_set;

static size_t fnv(const char *s)
{
	size_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The index of `id` in the set, added if new. */
static size_t blob_set_add(blob_set *bs, const char *id, size_t idlen)
{
	if ((bs->n + 1) * 2 > bs->nslots) {
		size_t ns = bs->nslots ? bs->nslots * 2 : 1024;
		size_t *slots = ls_xcalloc(ns, sizeof(size_t));
		for (size_t k = 0; k < bs->n; k++) {
			size_t h = fnv(bs->v[k].id) & (ns - 1);
			while (slots[h])
				h = (h + 1) & (ns - 1);
			slots[h] = k + 1;
		}
		free(bs->slots);
		bs->slots = slots;
		bs->nslots = ns;
	}
	char *key = ls_xstrndup(id, idlen);
	size_t h = fnv(key) & (bs->nslots - 1);
	while (bs->slots[h]) {
		size_t k = bs->slots[h] - 1;
		/* cannot happen: a used slot holds an index + 1 below n. Said for the static analyzer,
		 * which does not see that ls_xcalloc zeroes a new table (assert is off in release) */
		if (k >= bs->n)
			abort();
		if (!strcmp(bs->v[k].id, key)) {
			free(key);
			return k;
		}
		h = (h + 1) & (bs->nslots - 1);
	}
	if (bs->n == bs->cap) {
		bs->cap = bs->cap ? bs->cap * 2 : 256;
		bs->v = ls_xrealloc(bs->v, bs->cap * sizeof(hist_blob));
	}
	memset(&bs->v[bs->n], 0, sizeof(hist_blob));
	bs->v[bs->n].id = key;
	bs->slots[h] = bs->n + 1;
	return bs->n++;
}

static void blob_set_dispose(blob_set *bs)
{
	for (size_t k = 0; k < bs->n; k++) {
		free(bs->v[k].id);
		ls_buf_dispose(&bs->v[k].lines);
	}
	free(bs->v);
	free(bs->slots);
}

/* Calls fn(id, idlen, path) for each regular file of the commit's tree. */
static void each_file(const char *commit, void (*fn)(const char *id, size_t idlen, const char *path, void *p), void *p)
{
	ls_buf tree = LS_BUF_INIT;
	const char *lsv[] = {"git", "ls-tree", "-r", "-z", commit, NULL};
	gs_run_git_quiet(&tree, lsv);
	for (size_t off = 0; off < tree.len;) {
		const char *e = tree.ptr + off;
		off += strlen(e) + 1;
		const char *tab = strchr(e, '\t');
		if (tab && (!strncmp(e, "100644 blob ", 12) || !strncmp(e, "100755 blob ", 12)))
			fn(e + 12, (size_t)(tab - (e + 12)), tab + 1, p);
	}
	ls_buf_dispose(&tree);
}

static void collect_blob(const char *id, size_t idlen, const char *path, void *p) { blob_set_add(p, id, idlen); }

typedef struct {
	blob_set *bs;
	ls_ere *ere;
	ls_buf *output;
	const char *commit;
	int any;
} hist_ctx;

static void grep_hist_blob(size_t i, const char *data, size_t len, void *payload)
{
	hist_ctx *c = payload;
	grepper g = {c->ere, 8000, &c->bs->v[i].lines, 0};
	gs_grep_buffer(&g, "", data, len);
}

static void print_blob_lines(const char *id, size_t idlen, const char *path, void *payload)
{
	hist_ctx *c = payload;
	/* the index first: blob_set_add may move bs->v, and C leaves unspecified whether
	 * `bs->v[blob_set_add(...)]` reads bs->v before or after the call */
	size_t k = blob_set_add(c->bs, id, idlen);
	hist_blob *b = &c->bs->v[k];
	/* each of the blob's lines as COMMIT:PATH:LINE:TEXT */
	for (const char *l = b->lines.ptr; l && *l;) {
		const char *nl = strchr(l, '\n');
		ls_buf_printf(c->output, "%s:%s", c->commit, path);
		ls_buf_put(c->output, l, (size_t)(nl - l) + 1);
		l = nl + 1;
		c->any = 1;
	}
}

/* No commit matched: the script's `git grep ... $to_scan` then has no revision and greps the
 * work tree's tracked files (what is staged but not yet committed, too). */
static int scan_history_none(gs_state *st)
{
	gs_state g = *st;
	g.cached = g.untracked = g.no_index = 0;
	ls_buf output = LS_BUF_INIT;
	int rc = gs_process_output(gs_git_grep(&g, NULL, 0, &output), &output);
	ls_buf_dispose(&output);
	return rc;
}

/* gs_scan_history through git itself: the commits whose diffs match (git log --all -G), each
 * one's tree grepped as `git grep` does. Every blob is read and searched once however many
 * commits hold it; only the matching lines are kept. The fallback of gs_scan_history below. */
static int scan_history_log(gs_state *st)
{
	strv patterns = {0};
	gs_load_patterns(&patterns);
	if (!patterns.n)
		return 0;
	char *combined = join_patterns(&patterns);
	char *g = ls_xasprintf("-G%s", combined);
	ls_buf commits = LS_BUF_INIT, output = LS_BUF_INIT;
	const char *logv[] = {"git", "log", "--all", g, "--pretty=%H", NULL};
	gs_run_git(&commits, logv);
	int rc = 0;
	ls_ere *ere = NULL;
	char *notes = NULL;
	strv shas = {0};
	blob_set bs;
	memset(&bs, 0, sizeof(bs));
	if (ls_ere_new_cached(&ere, (const char *const *)&combined, 1, LS_ERE_GIT_GREP_WORDS,
			      gs_cache_dir(), &notes) < 0) {
		rc = -git_grep_bad_regex(combined);
		goto done;
	}
	gs_put_notes(notes);
	gs_split_lines(&shas, commits.ptr ? commits.ptr : "", commits.len);
	if (!shas.n) {
		rc = scan_history_none(st);
		goto done;
	}
	for (size_t i = 0; i < shas.n; i++)
		each_file(shas.v[i], collect_blob, &bs);
	hist_ctx c = {&bs, ere, &output, NULL, 0};
	if (bs.n) {
		char **ids = ls_xcalloc(bs.n, sizeof(char *));
		for (size_t k = 0; k < bs.n; k++)
			ids[k] = bs.v[k].id;
		cat_blobs(ids, bs.n, grep_hist_blob, &c);
		free(ids);
	}
	for (size_t i = 0; i < shas.n; i++) {
		c.commit = shas.v[i];
		each_file(shas.v[i], print_blob_lines, &c);
	}
	rc = gs_process_output(c.any ? 0 : 1, &output);
done:
	blob_set_dispose(&bs);
	gs_strv_free(&shas);
	ls_ere_free(ere);
	ls_buf_dispose(&commits);
	ls_buf_dispose(&output);
	free(g);
	free(combined);
	gs_strv_free(&patterns);
	return rc;
}

/* The matchers of the history scan through libgit2 (see ls_git_gs_matcher). */
typedef struct {
	ls_ere *words;   /* git grep -w -E, the combined pattern */
	ls_ere *pickaxe; /* the combined pattern as an ERE matched anywhere (C locale) */
	regex_t lre;     /* as git log -G compiles it: REG_EXTENDED | REG_NEWLINE, user's locale */
	locale_t loc;
	int multibyte;   /* the user's locale is not the C locale: non-ASCII text goes to lre */
	int attributes;  /* gitattributes may exist: a `diff` attribute can make a binary file text */
} hist_match;

static int path_exists(const char *path)
{
	struct stat sb;
	return path && *path && stat(path, &sb) == 0;
}

/* Whether some gitattributes file may apply to git log's diffs (then a file with a NUL is
 * not ruled out: `diff` may make it text for -G). */
static int may_have_attributes(void)
{
	ls_buf b = LS_BUF_INIT;
	int found = 0;
	const char *infov[] = {"git", "rev-parse", "--git-path", "info/attributes", NULL};
	if (gs_run_git_quiet(&b, infov) == 0 && path_exists(b.ptr))
		found = 1;
	ls_buf_dispose(&b);
	const char *corev[] = {"git", "config", "--path", "core.attributesFile", NULL};
	if (!found && gs_run_git_quiet(&b, corev) == 0) {
		found = path_exists(b.ptr);
	} else if (!found) {
		const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
		char *p = xdg && *xdg ? ls_xasprintf("%s/git/attributes", xdg)
		                      : ls_xasprintf("%s/.config/git/attributes", home ? home : "");
		found = path_exists(p);
		free(p);
	}
	ls_buf_dispose(&b);
	const char *topv[] = {"git", "rev-parse", "--show-toplevel", NULL};
	if (!found && gs_run_git_quiet(&b, topv) == 0 && b.ptr) {
		char *p = ls_xasprintf("%s/.gitattributes", b.ptr);
		found = path_exists(p);
		free(p);
	}
	ls_buf_dispose(&b);
	const char *lsv[] = {"git", "ls-files", "--", ":(top,glob)**/.gitattributes", NULL};
	if (!found && gs_run_git_quiet(&b, lsv) == 0 && b.len)
		found = 1;
	ls_buf_dispose(&b);
	return found;
}

/* Whether git log -G may see a matching line in the blob (superset; see ls_git_gs_matcher). */
static int hist_pickaxe(void *payload, const char *data, size_t len)
{
	hist_match *h = payload;
	/* git log -G skips binary files: a NUL in the first 8000 bytes */
	if (memchr(data, '\0', len < 8000 ? len : 8000))
		return h->attributes;
	int high = 0;
	for (size_t i = 0; h->multibyte && i < len && !high; i++)
		high = (unsigned char)data[i] >= 0x80;
	if (high) {
		if (len > INT_MAX)
			return 1;
		/* as git matches it, in the user's locale; REG_NEWLINE keeps matches within lines */
		locale_t old = uselocale(h->loc);
		regmatch_t m[1];
		m[0].rm_so = 0;
		m[0].rm_eo = (regoff_t)len;
		int r = regexec(&h->lre, data, 1, m, REG_STARTEND);
		uselocale(old);
		return r == 0;
	}
	if (!ls_ere_may_match(h->pickaxe, data, len))
		return 0;
	for (size_t start = 0; start < len;) {
		const char *nl = memchr(data + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - data) : len;
		if (ls_ere_match_line(h->pickaxe, data + start, end - start))
			return 1;
		start = end + 1;
	}
	return 0;
}

static void hist_grep(void *payload, const char *data, size_t len, ls_buf *out)
{
	hist_match *h = payload;
	grepper g = {h->words, 8000, out, 0};
	gs_grep_buffer(&g, "", data, len);
}

/*
 * gs_scan_history: the commits `git log --all -G` selects, in its order (`git rev-list --all`),
 * each one's tree grepped as `git grep` does. Each distinct blob is read and matched once and
 * each distinct tree's matching lines are put together once (ls_git_gs); commits are compared
 * with their first parent by tree ids, and only those whose changed blobs hold a line the -G
 * pattern matches are handed to `git log --no-walk -G`, which decides as git-secrets' own
 * git log would (renames, binary files, the diff itself). Anything unusual (no repository, a
 * shallow one, a pattern git would reject, an unreadable object) takes scan_history_log.
 */
int gs_scan_history(gs_state *st)
{
	strv patterns = {0};
	gs_load_patterns(&patterns);
	if (!patterns.n)
		return 0;
	char *combined = join_patterns(&patterns);
	gs_strv_free(&patterns);
	hist_match h;
	memset(&h, 0, sizeof(h));
	int have_lre = 0, fallback = 1, rc = 0;
	char *words_notes = NULL, *notes = NULL, *g = NULL;
	ls_git_repo *repo = NULL;
	ls_git_gs *gs = NULL;
	ls_buf list = LS_BUF_INIT, input = LS_BUF_INIT, sel = LS_BUF_INIT, output = LS_BUF_INIT;
	strv shas = {0}, chosen = {0};

	if (ls_ere_new_cached(&h.words, (const char *const *)&combined, 1, LS_ERE_GIT_GREP_WORDS,
			      gs_cache_dir(), &words_notes) < 0 ||
	    ls_ere_new_cached(&h.pickaxe, (const char *const *)&combined, 1, LS_ERE_GREP,
			      gs_cache_dir(), &notes) < 0)
		goto done;
	h.loc = newlocale(LC_CTYPE_MASK, "", (locale_t)0);
	if (!h.loc)
		h.loc = newlocale(LC_CTYPE_MASK, "C", (locale_t)0);
	if (!h.loc)
		goto done;
	h.multibyte = strcmp(nl_langinfo_l(CODESET, h.loc), "ANSI_X3.4-1968") != 0;
	locale_t old = uselocale(h.loc);
	have_lre = regcomp(&h.lre, combined, REG_EXTENDED | REG_NEWLINE | REG_NOSUB) == 0;
	uselocale(old);
	if (!have_lre)
		goto done;
	if (ls_git_repo_open(&repo, NULL) < 0 || ls_git_repo_is_shallow(repo))
		goto done;
	/* a textconv filter shows -G other text than the blob's: only git itself can tell */
	const char *textconvv[] = {"git", "config", "--get-regexp", "^diff\\..*\\.textconv$", NULL};
	int textconv = gs_run_git_quiet(&list, textconvv) == 0;
	ls_buf_dispose(&list);
	if (textconv)
		goto done;
	h.attributes = may_have_attributes();
	ls_git_gs_matcher m = {hist_pickaxe, hist_grep, &h};
	ls_git_gs_new(&gs, repo, &m);
	/* each packed blob matched once, read as history is (source_git's delta-tree reader);
	 * loose blobs, and any the reader leaves out, are read through libgit2 when needed */
	ls_git_gs_preload_packs(gs);
	/* every commit's changed blobs in one pass of git's own, in git log --all's order (that
	 * of the output); merges show none, as git log -G does not look at them either */
	const char *rawv[] = {"git", "log", "--all", "--raw", "--no-abbrev", "--no-renames",
	                      "--no-show-signature", "--format=%H", NULL};
	if (gs_run_git_quiet(&list, rawv) != 0 ||
	    ls_git_gs_candidates_from_log(gs, list.ptr ? list.ptr : "", list.len, &input) < 0)
		goto done;
	gs_split_lines(&shas, input.ptr ? input.ptr : "", input.len);
	if (input.len) {
		g = ls_xasprintf("-G%s", combined);
		const char *logv[] = {"git", "log", "--no-walk", "--stdin", g, "--pretty=%H", NULL};
		if (ls_hook_run_git_input(&sel, logv, input.ptr, input.len, 1) != 0)
			goto done;
		gs_split_lines(&chosen, sel.ptr ? sel.ptr : "", sel.len);
		qsort(chosen.v, chosen.n, sizeof(char *), cmp_strp);
	}
	fallback = 0;
	if (words_notes)
		fputs(words_notes, stderr);
	for (size_t i = 0; i < shas.n && chosen.n; i++) {
		if (!bsearch(&shas.v[i], chosen.v, chosen.n, sizeof(char *), cmp_strp))
			continue;
		if (ls_git_gs_grep(gs, shas.v[i], &output) < 0) {
			fallback = 1;
			goto done;
		}
	}
	rc = chosen.n ? gs_process_output(output.len ? 0 : 1, &output) : scan_history_none(st);
done:
	ls_git_gs_free(gs);
	ls_git_repo_free(repo);
	if (have_lre)
		regfree(&h.lre);
	if (h.loc)
		freelocale(h.loc);
	ls_ere_free(h.words);
	ls_ere_free(h.pickaxe);
	free(words_notes);
	free(notes);
	free(g);
	free(combined);
	gs_strv_free(&shas);
	gs_strv_free(&chosen);
	ls_buf_dispose(&list);
	ls_buf_dispose(&input);
	ls_buf_dispose(&sel);
	ls_buf_dispose(&output);
	if (fallback)
		return scan_history_log(st);
	return rc;
}

