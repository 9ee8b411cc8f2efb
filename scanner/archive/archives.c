/* archive: walks the entries of archives in memory through libarchive, nested, within limits. */
#include "archives.h"

#include "archive_lazy.h"
#include <jansson.h>
#include <string.h>

#include "common.h"

/* What the first bytes say: an archive format, a compression filter (which may hold an
 * archive, or one file: opened with the raw format then), or neither. */
enum { KIND_NONE = 0, KIND_ARCHIVE, KIND_COMPRESSED };

/* entries are read this much at a time, so that a claimed size never decides an allocation */
#define CHUNK ((size_t)64 << 10)
/* an image configuration is a few KiB; a larger JSON entry is only searched as itself */
#define MAX_CONFIG ((size_t)16 << 20)

static int kind_of(const char *buf, size_t n)
{
	const unsigned char *p = (const unsigned char *)buf;
	if (n >= 4 && p[0] == 'P' && p[1] == 'K' && ((p[2] == 3 && p[3] == 4) || (p[2] == 5 && p[3] == 6) ||
	                                             (p[2] == 7 && p[3] == 8)))
		return KIND_ARCHIVE; /* zip: jar, war, ear, apk, whl, nupkg, docx... */
	if (n >= 22 && !memcmp(p + n - 22, "PK\x05\x06", 4))
		return KIND_ARCHIVE; /* a zip behind a prefix (an executable jar's launch script) */
	if (n >= 6 && !memcmp(p, "7z\xBC\xAF\x27\x1C", 6))
		return KIND_ARCHIVE;
	if (n >= 7 && !memcmp(p, "Rar!\x1a\x07", 6) && (p[6] == 0 || p[6] == 1))
		return KIND_ARCHIVE; /* RAR 4 and 5 */
	if (n >= 262 && !memcmp(p + 257, "ustar", 5))
		return KIND_ARCHIVE; /* POSIX and GNU tar */
	if (n >= 3 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8)
		return KIND_COMPRESSED; /* gzip */
	if (n >= 4 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h' && p[3] >= '1' && p[3] <= '9')
		return KIND_COMPRESSED; /* bzip2 */
	if (n >= 6 && !memcmp(p, "\xFD" "7zXZ", 5) && p[5] == 0)
		return KIND_COMPRESSED; /* xz */
	if (n >= 4 && !memcmp(p, "\x28\xB5\x2F\xFD", 4))
		return KIND_COMPRESSED; /* zstd */
	return KIND_NONE;
}

int ls_archive_detect(const char *buf, size_t len) { return buf && kind_of(buf, len) != KIND_NONE; }

const char *ls_archive_limit_name(ls_archive_limit l)
{
	static const char *names[] = {"", "depth", "size", "ratio", "entries", "time"};
	return (unsigned)l < sizeof(names) / sizeof(names[0]) ? names[l] : "";
}

void ls_archive_stats_dispose(ls_archive_stats *st)
{
	free(st->limit_at);
	free(st->depth_at);
	free(st->error);
	memset(st, 0, sizeof(*st));
}

typedef struct {
	const ls_archive_limits *lim;
	ls_archive_entry_fn fn;
	void *payload;
	ls_archive_stats *st;
	double deadline;
	ls_buf path; /* the current entry's path inside the input */
	int stop;    /* 1: the callback stopped the walk; 2: a limit did */
} walk;

static void hit(walk *w, ls_archive_limit l)
{
	const char *at = w->path.len ? w->path.ptr : "";
	if (l == LS_ARCHIVE_LIMIT_DEPTH) {
		if (!w->st->depth_at)
			w->st->depth_at = ls_xstrdup(at);
	} else {
		w->stop = 2;
	}
	/* the limit that stopped the walk wins over a nested archive left closed */
	if (!w->st->limit || (w->st->limit == LS_ARCHIVE_LIMIT_DEPTH && l != LS_ARCHIVE_LIMIT_DEPTH)) {
		free(w->st->limit_at);
		w->st->limit = l;
		w->st->limit_at = ls_xstrdup(at);
	}
}

static void read_error(walk *w, struct archive *a, const char *fallback)
{
	const char *msg = a ? archive_error_string(a) : NULL;
	if (!msg)
		msg = fallback;
	w->st->nerrors++;
	if (!w->st->error)
		w->st->error = w->path.len ? ls_xasprintf("%s: %s", w->path.ptr, msg) : ls_xstrdup(msg);
}

static void path_cut(ls_buf *b, size_t len)
{
	b->len = len;
	if (b->ptr)
		b->ptr[len] = '\0';
}

static int time_up(walk *w)
{
	if (ls_now() <= w->deadline)
		return 0;
	hit(w, LS_ARCHIVE_LIMIT_TIME);
	return 1;
}

/* ---- image configurations (docker save, OCI layouts) ---- */

static int looks_like_config(const char *d, size_t n)
{
	size_t i = 0;
	while (i < n && (d[i] == ' ' || d[i] == '\n' || d[i] == '\r' || d[i] == '\t'))
		i++;
	return i < n && d[i] == '{' && n <= MAX_CONFIG && memmem(d, n, "\"rootfs\"", 8);
}

static void put_line(ls_buf *b, const char *s)
{
	ls_buf_puts(b, s);
	ls_buf_putc(b, '\n');
}

/* Strings of an array one a line (Env, OnBuild), or joined by spaces on one line (Cmd). */
static void put_strings(ls_buf *b, const json_t *v, int join)
{
	if (json_is_string(v)) {
		put_line(b, json_string_value(v));
		return;
	}
	size_t i, n = 0;
	json_t *it;
	json_array_foreach(v, i, it)
	{
		if (!json_is_string(it))
			continue;
		if (join && n++)
			ls_buf_putc(b, ' ');
		ls_buf_puts(b, json_string_value(it));
		if (!join)
			ls_buf_putc(b, '\n');
	}
	if (join && n)
		ls_buf_putc(b, '\n');
}

static void give_view(walk *w, size_t dir_len, const char *name, ls_buf *text, unsigned depth)
{
	if (!text->len || w->stop)
		return;
	size_t mark = w->path.len;
	path_cut(&w->path, dir_len);
	ls_buf_printf(&w->path, "config:%s", name);
	ls_archive_entry e = {w->path.ptr, text->ptr, text->len, depth, 0, 0};
	w->st->entries++;
	if (w->fn(&e, w->payload))
		w->stop = 1;
	path_cut(&w->path, mark);
	ls_buf_clear(text);
}

/* The text views of an image configuration: what `ENV`, `CMD`, `LABEL` and `RUN` lines of a
 * Dockerfile left in it, one value a line, where rules find KEY=VALUE as in a file. */
static void give_config_views(walk *w, const char *data, size_t len, unsigned depth)
{
	json_error_t jerr;
	json_t *root = json_loadb(data, len, 0, &jerr);
	if (!json_is_object(root) || !json_is_object(json_object_get(root, "rootfs"))) {
		json_decref(root);
		return;
	}
	/* the views sit next to the configuration, in the archive that holds it */
	const char *slash = w->path.ptr ? memrchr(w->path.ptr, '!', w->path.len) : NULL;
	size_t dir_len = slash ? (size_t)(slash - w->path.ptr) + 1 : 0;
	json_t *cfg = json_object_get(root, "config");
	if (!json_is_object(cfg))
		cfg = json_object_get(root, "container_config"); /* older docker */
	ls_buf text = LS_BUF_INIT;
	if (json_is_object(cfg)) {
		static const struct {
			const char *key;
			int join;
		} lists[] = {{"Env", 0}, {"Cmd", 1}, {"Entrypoint", 1}, {"OnBuild", 0}};
		for (size_t k = 0; k < sizeof(lists) / sizeof(lists[0]); k++) {
			put_strings(&text, json_object_get(cfg, lists[k].key), lists[k].join);
			give_view(w, dir_len, lists[k].key, &text, depth);
		}
		const char *key;
		json_t *v;
		json_object_foreach(json_object_get(cfg, "Labels"), key, v)
		{
			if (json_is_string(v))
				ls_buf_printf(&text, "%s=%s\n", key, json_string_value(v));
		}
		give_view(w, dir_len, "Labels", &text, depth);
		put_strings(&text, json_object_get(json_object_get(cfg, "Healthcheck"), "Test"), 1);
		give_view(w, dir_len, "Healthcheck", &text, depth);
	}
	size_t i;
	json_t *h;
	json_array_foreach(json_object_get(root, "history"), i, h)
	{
		const char *by = json_string_value(json_object_get(h, "created_by"));
		if (by)
			put_line(&text, by);
	}
	give_view(w, dir_len, "history", &text, depth);
	ls_buf_dispose(&text);
	json_decref(root);
}

/* ---- archives ---- */

static void walk_level(walk *w, const char *buf, size_t len, const char *name, unsigned depth, int compressed);

/* Hands one entry (its path in w->path) to the callback, then opens it when it is an
 * archive and the depth allows, or gives its configuration views. */
static void give(walk *w, const char *data, size_t len, unsigned depth, int too_large)
{
	int kind = too_large ? KIND_NONE : kind_of(data, len);
	if (kind != KIND_NONE && depth >= w->lim->max_depth) {
		hit(w, LS_ARCHIVE_LIMIT_DEPTH); /* searched as bytes, as a file would be */
		kind = KIND_NONE;
	}
	int config = !too_large && kind == KIND_NONE && looks_like_config(data, len);
	ls_archive_entry e = {w->path.ptr ? w->path.ptr : "", too_large ? NULL : data, len, depth,
	                      kind != KIND_NONE || config, too_large};
	w->st->entries++;
	if (w->fn(&e, w->payload)) {
		w->stop = 1;
		return;
	}
	if (kind != KIND_NONE) {
		const char *path = w->path.ptr ? w->path.ptr : ""; /* (never NULL here: it holds the entry's name) */
		size_t b = strlen(path);
		while (b > 0 && path[b - 1] != '/' && path[b - 1] != '!')
			b--;
		char *own = ls_xstrdup(path + b);
		size_t mark = w->path.len;
		ls_buf_putc(&w->path, '!');
		walk_level(w, data, len, own, depth + 1, kind == KIND_COMPRESSED);
		path_cut(&w->path, mark);
		free(own);
	} else if (config) {
		give_config_views(w, data, len, depth);
	}
}

/* The name of a compressed file's content: its own name without the compression suffix. */
static void raw_name(ls_buf *path, const char *name)
{
	static const char *suffixes[] = {".gz", ".tgz", ".bz2", ".xz", ".zst", ".zstd", ".z"};
	size_t n = name ? strlen(name) : 0;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t k = strlen(suffixes[i]);
		if (n > k && !strcasecmp(name + n - k, suffixes[i])) {
			n -= k;
			break;
		}
	}
	if (n)
		ls_buf_put(path, name, n);
	else
		ls_buf_puts(path, "data");
}

/* Reads the current entry into `data`, chunk by chunk, within the limits. Returns 1 when it
 * was too large to read (over max_entry), 0 otherwise (read, or read in part: an error or a
 * limit, recorded). `*fatal` is set when the archive cannot go on. An entry too large is
 * decompressed to its end all the same when the archive is a stream (libarchive would do it
 * to reach the next entry, unbounded): through the same limits, into one chunk. */
static int read_entry(walk *w, struct archive *a, struct archive_entry *ae, ls_buf *data, size_t len,
                      unsigned long long *produced, int *fatal)
{
	const ls_archive_limits *lim = w->lim;
	int too_large = 0;
	ls_buf_clear(data);
	if (archive_entry_size_is_set(ae) && archive_entry_size(ae) > 0 &&
	    (unsigned long long)archive_entry_size(ae) > lim->max_entry)
		too_large = 1;
	/* a zip in memory seeks past an entry (its central directory says where the next is) */
	if (too_large && (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP &&
	    archive_filter_code(a, 0) == ARCHIVE_FILTER_NONE)
		return 1;
	for (;;) {
		if (too_large)
			data->len = 0; /* drained: only the count matters */
		ls_buf_grow(data, CHUNK);
		la_ssize_t n = archive_read_data(a, data->ptr + data->len, CHUNK);
		if (n == 0)
			break;
		if (n < 0) {
			read_error(w, a, "read error");
			*fatal = n == ARCHIVE_FATAL;
			break;
		}
		data->len += (size_t)n;
		*produced += (unsigned long long)n;
		w->st->bytes += (unsigned long long)n;
		if (data->len > lim->max_entry)
			too_large = 1;
		if (w->st->bytes > lim->max_total) {
			hit(w, LS_ARCHIVE_LIMIT_SIZE);
			break;
		}
		if (*produced > lim->ratio_floor && *produced / (len ? len : 1) >= lim->max_ratio) {
			hit(w, LS_ARCHIVE_LIMIT_RATIO);
			break;
		}
		if (time_up(w))
			break;
	}
	return too_large;
}

static void walk_level(walk *w, const char *buf, size_t len, const char *name, unsigned depth, int compressed)
{
	struct archive *a = archive_read_new();
	if (!a) {
		read_error(w, NULL, "out of memory");
		return;
	}
	/* the filters leakscan detects, each built into Debian's libarchive (none runs a program) */
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_7zip(a);
	archive_read_support_format_cpio(a);
	archive_read_support_format_rar(a);
	archive_read_support_format_rar5(a);
	/* one compressed file: its content is the entry (never for plain bytes) */
	if (compressed)
		archive_read_support_format_raw(a);
	size_t prefix = w->path.len;
	ls_buf data = LS_BUF_INIT;
	if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK) {
		read_error(w, a, "cannot open");
		goto done;
	}
	w->st->archives++;
	unsigned long long produced = 0;
	int retries = 0;
	for (;;) {
		struct archive_entry *ae;
		int r = archive_read_next_header(a, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r == ARCHIVE_RETRY && ++retries <= 8)
			continue;
		if (r < ARCHIVE_WARN || r == ARCHIVE_RETRY) {
			read_error(w, a, "cannot read the next entry");
			break;
		}
		if (archive_entry_filetype(ae) != AE_IFREG)
			continue;
		if (w->st->entries >= w->lim->max_entries) {
			hit(w, LS_ARCHIVE_LIMIT_ENTRIES);
			break;
		}
		if (time_up(w))
			break;
		path_cut(&w->path, prefix);
		if (archive_format(a) == ARCHIVE_FORMAT_RAW) {
			raw_name(&w->path, name);
		} else {
			const char *p = archive_entry_pathname(ae);
			if (!p)
				p = archive_entry_pathname_utf8(ae);
			while (p && (p[0] == '/' || (p[0] == '.' && p[1] == '/')))
				p += p[0] == '/' ? 1 : 2;
			ls_buf_puts(&w->path, p && *p ? p : "?");
		}
		int fatal = 0;
		int too_large = read_entry(w, a, ae, &data, len, &produced, &fatal);
		size_t claimed = archive_entry_size_is_set(ae) && archive_entry_size(ae) > 0 ? (size_t)archive_entry_size(ae)
		                                                                            : data.len;
		give(w, data.ptr ? data.ptr : "", too_large ? claimed : data.len, depth, too_large);
		if (w->stop || fatal)
			break;
	}
done:
	path_cut(&w->path, prefix);
	ls_buf_dispose(&data);
	archive_read_free(a);
}

int ls_archive_foreach(const char *buf, size_t len, const char *name, const ls_archive_limits *lim,
                       ls_archive_entry_fn fn, void *payload, ls_archive_stats *out)
{
	memset(out, 0, sizeof(*out));
	int kind = buf ? kind_of(buf, len) : KIND_NONE;
	if (kind == KIND_NONE || !lim || lim->max_depth == 0)
		return 0;
	walk w;
	memset(&w, 0, sizeof(w));
	w.lim = lim;
	w.fn = fn;
	w.payload = payload;
	w.st = out;
	w.deadline = ls_now() + lim->max_seconds;
	ls_buf_puts(&w.path, "");
	walk_level(&w, buf, len, name, 1, kind == KIND_COMPRESSED);
	ls_buf_dispose(&w.path);
	return w.stop == 1;
}
