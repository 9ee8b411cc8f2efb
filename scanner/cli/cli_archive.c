/* The entries of archives found in files and blobs, through the one search path. */
#include <stdlib.h>
#include <string.h>

#include "archives.h"
#include "cli.h"
#include "common.h"

typedef struct {
	ls_cli_result *r;
	const ls_cli_options *o;
	const ls_matcher *m;
	ls_scratch *s;
	const ls_search_options *so;
	const ls_origin *outer;
	ls_origin *inner; /* one per place of the item not skipped, its path PLACE!ENTRY */
	size_t *map;      /* the item's place of each inner place */
	size_t ninner;
	unsigned char *weak; /* per finding of r: found in a container's own bytes */
	size_t wcap;
	ls_buf warnings, notes;
} deep;

/* One line for stderr, its control characters escaped now (a name inside an archive is
 * anyone's), so that the lines can be kept joined by newlines. */
static void add_line(ls_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_line(ls_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) >= 0) {
		ls_buf_puts(b, "leakscan: ");
		ls_buf_put_term(b, msg, strlen(msg), 0);
		ls_buf_putc(b, '\n');
	}
	va_end(ap);
	free(msg);
}

static void mark(deep *d, size_t from, int weak)
{
	if (d->r->findings.n > d->wcap) {
		d->wcap = d->r->findings.cap;
		d->weak = ls_xrealloc(d->weak, d->wcap);
	}
	for (size_t i = from; i < d->r->findings.n; i++)
		d->weak[i] = (unsigned char)weak;
}

static int on_entry(const ls_archive_entry *e, void *payload)
{
	deep *d = payload;
	for (size_t i = 0; i < d->ninner; i++) {
		free((char *)d->inner[i].path);
		d->inner[i].path = ls_xasprintf("%s!%s", d->outer[d->map[i]].path, e->path);
	}
	const char *path = d->inner[0].path;
	d->r->archive_entries++;
	if (e->too_large) {
		add_line(&d->notes, "%s: skipped, larger than --max-file-size (%zu bytes)", path, e->len);
		d->r->archive_large++;
		return 0;
	}
	ls_search_result sr;
	int err = ls_cli_search(d->m, d->s, d->so, e->data, e->len, d->inner, d->ninner, &sr);
	if (err < 0 && !d->r->error)
		d->r->error = ls_xasprintf("%s: %s", path, ls_error_last());
	if (sr.limit_rule && !d->r->error)
		d->r->error = ls_xasprintf("%s: rule '%s' hit the regex match limit; some candidates were not checked",
		                           path, sr.limit_rule->id);
	if (sr.note.text)
		add_line(&d->warnings, "warning: %s:%zu: %s", path, sr.note.line, sr.note.text);
	size_t from = d->r->findings.n;
	for (size_t i = 0; i < sr.findings.n; i++) {
		sr.findings.items[i].place = d->map[sr.findings.items[i].place];
		ls_findings_push(&d->r->findings, &sr.findings.items[i]);
	}
	mark(d, from, e->container);
	ls_search_result_dispose(&sr);
	return 0;
}

static int same_secret(const ls_finding *a, const ls_finding *b)
{
	return a->rule == b->rule && a->secret_len == b->secret_len && !memcmp(a->secret, b->secret, a->secret_len);
}

/* A secret found in a container's own bytes (a stored zip entry, an image configuration's
 * JSON) and again inside it is reported inside only, where it is. */
static void drop_doubles(deep *d)
{
	ls_findings *fs = &d->r->findings;
	size_t k = 0;
	for (size_t i = 0; i < fs->n; i++) {
		int dup = 0;
		for (size_t j = 0; d->weak[i] && j < fs->n && !dup; j++)
			dup = !d->weak[j] && same_secret(&fs->items[i], &fs->items[j]);
		if (dup) {
			ls_finding_dispose(&fs->items[i]);
			continue;
		}
		fs->items[k] = fs->items[i];
		d->weak[k++] = d->weak[i];
	}
	fs->n = k;
}

static void limit_warning(deep *d, const ls_archive_stats *st, const char *top)
{
	const char *at = st->limit_at && *st->limit_at ? st->limit_at : NULL;
	const ls_cli_options *o = d->o;
	char what[128];
	if (st->depth_at)
		add_line(&d->warnings, "warning: %s!%s: archive: not opened, at the depth limit (--max-archive-depth %d); "
		         "searched as bytes", top, st->depth_at, o->max_archive_depth);
	switch (st->limit) {
	case LS_ARCHIVE_LIMIT_NONE:
	case LS_ARCHIVE_LIMIT_DEPTH:
		return;
	case LS_ARCHIVE_LIMIT_SIZE:
		snprintf(what, sizeof(what), "%lld bytes uncompressed, --max-archive-size", o->max_archive_size);
		break;
	case LS_ARCHIVE_LIMIT_RATIO:
		snprintf(what, sizeof(what), "compressed more than %d to 1", LS_CLI_ARCHIVE_MAX_RATIO);
		break;
	case LS_ARCHIVE_LIMIT_ENTRIES:
		snprintf(what, sizeof(what), "%d entries", LS_CLI_ARCHIVE_MAX_ENTRIES);
		break;
	default:
		snprintf(what, sizeof(what), "%d seconds", LS_CLI_ARCHIVE_MAX_SECONDS);
		break;
	}
	add_line(&d->warnings, "warning: %s: archive: stopped at the %s limit (%s)%s%s; the rest was not searched", top,
	         ls_archive_limit_name(st->limit), what, at ? " in " : "", at ? at : "");
}

void ls_cli_result_search_deep(ls_cli_result *r, const ls_cli_options *o, const ls_matcher *m, ls_scratch *s,
                               const ls_search_options *so, const char *buf, size_t len, const ls_origin *places,
                               size_t nplaces)
{
	ls_cli_result_search(r, m, s, so, buf, len, places, nplaces);
	if (o->max_archive_depth <= 0 || !ls_archive_detect(buf, len))
		return;
	deep d;
	memset(&d, 0, sizeof(d));
	d.r = r;
	d.o = o;
	d.m = m;
	d.s = s;
	d.so = so;
	d.outer = places;
	d.inner = ls_xcalloc(nplaces, sizeof(*d.inner));
	d.map = ls_xcalloc(nplaces, sizeof(*d.map));
	/* what is inside belongs where the item is: the item's places decide what is skipped
	 * (an allowlist for dist/ covers dist/app.jar!conf.env); an inner name is not skipped */
	for (size_t i = 0; i < nplaces; i++) {
		if (places[i].is_path && so->skip_path && so->skip_path(places[i].path, so->allow_payload))
			continue;
		d.inner[d.ninner] = places[i];
		d.inner[d.ninner].path = NULL;
		d.inner[d.ninner].is_path = 0;
		d.map[d.ninner++] = i;
	}
	if (d.ninner) {
		mark(&d, 0, 1);
		const char *top = places[d.map[0]].path;
		const char *base = strrchr(top, '/');
		ls_archive_limits lim = LS_ARCHIVE_LIMITS_INIT;
		lim.max_depth = (unsigned)o->max_archive_depth;
		lim.max_total = (unsigned long long)o->max_archive_size;
		lim.max_entry = (unsigned long long)o->max_file_size;
		lim.max_ratio = LS_CLI_ARCHIVE_MAX_RATIO;
		lim.max_entries = LS_CLI_ARCHIVE_MAX_ENTRIES;
		lim.max_seconds = LS_CLI_ARCHIVE_MAX_SECONDS;
		ls_archive_stats st;
		ls_archive_foreach(buf, len, base ? base + 1 : top, &lim, on_entry, &d, &st);
		r->archives += st.archives;
		r->archive_bytes += st.bytes;
		if (st.limit) {
			r->archive_limits++;
			limit_warning(&d, &st, top);
		}
		if (st.error) {
			r->archive_errors++;
			add_line(&d.warnings, "warning: %s: archive: %s%s; searched as far as it reads", top, st.error,
			         st.nerrors > 1 ? " (and more read errors)" : "");
		}
		if (st.archives)
			drop_doubles(&d);
		ls_archive_stats_dispose(&st);
	}
	for (size_t i = 0; i < d.ninner; i++)
		free((char *)d.inner[i].path);
	free(d.inner);
	free(d.map);
	free(d.weak);
	r->archive_warnings = d.warnings.len ? ls_buf_detach(&d.warnings) : NULL;
	r->archive_notes = d.notes.len ? ls_buf_detach(&d.notes) : NULL;
	ls_buf_dispose(&d.warnings);
	ls_buf_dispose(&d.notes);
}

int ls_cli_archive_option(ls_cli_options *o, int size, const char *arg, const char *cmd)
{
	if (size) {
		if (ls_cli_parse_size(&o->max_archive_size, arg) < 0 || o->max_archive_size < 1) {
			ls_cli_error("%s: invalid size '%s' (e.g. 256M, 1G)", cmd, arg);
			return -1;
		}
		return 1;
	}
	char *end;
	long v = strtol(arg, &end, 10);
	if (end == arg || *end || v < 0 || v > 16) {
		ls_cli_error("%s: --max-archive-depth takes a number from 0 to 16", cmd);
		return -1;
	}
	o->max_archive_depth = (int)v;
	return 1;
}

void ls_cli_archive_tally(ls_cli_stats *st, const ls_cli_result *r, const ls_cli_options *o)
{
	st->archives += r->archives;
	st->archive_entries += r->archive_entries;
	st->archive_bytes += r->archive_bytes;
	st->archive_limits += r->archive_limits;
	st->archive_errors += r->archive_errors;
	st->skipped_large += r->archive_large;
	if (r->archive_warnings && *r->archive_warnings)
		fprintf(stderr, "%s", r->archive_warnings);
	if (r->archive_notes && *r->archive_notes && !o->quiet)
		fprintf(stderr, "%s", r->archive_notes);
}

void ls_cli_archive_summary(const ls_cli_stats *st)
{
	if (!st->archives)
		return;
	fprintf(stderr, "; opened %zu archive%s (%zu entr%s, %.1f MB)", st->archives, st->archives == 1 ? "" : "s",
	        st->archive_entries, st->archive_entries == 1 ? "y" : "ies", (double)st->archive_bytes / 1e6);
	if (st->archive_limits)
		fprintf(stderr, ", %zu stopped at a limit", st->archive_limits);
	if (st->archive_errors)
		fprintf(stderr, ", %zu unreadable in part", st->archive_errors);
}
