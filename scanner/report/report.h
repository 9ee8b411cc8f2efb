/* report: sinks that print findings as text, JSON, JSONL, SARIF, JUnit XML or CSV. */
#ifndef LS_REPORT_H
#define LS_REPORT_H

#include <stdio.h>

#include "common.h"
#include "search.h"

typedef enum {
	LS_FMT_TEXT,
	LS_FMT_JSON,
	LS_FMT_JSONL,
	LS_FMT_SARIF,
	LS_FMT_JUNIT,
	LS_FMT_CSV,
	LS_FMT_HTML
} ls_format;

/** Parses a format name; returns 0 or LS_EINVAL. */
int ls_format_parse(ls_format *out, const char *name);
const char *ls_format_name(ls_format f);

typedef struct {
	ls_format format;
	int redact;       /**< mask secrets in every field */
	int color;        /**< highlight secrets in text output (TTY) */
	const char *tool_version;
	const char *title;        /**< HTML: the page's title (NULL: "leakscan report") */
} ls_report_options;

typedef struct ls_report ls_report;

/**
 * Creates a sink writing to `out` (borrowed; the caller closes it after ls_report_finish).
 * Findings are written in the order given.
 */
int ls_report_new(ls_report **out, FILE *fp, const ls_report_options *opts);
/** Adds one finding (borrowed for the call; formats that need every finding copy what they need). */
int ls_report_add(ls_report *r, const ls_finding *f);

/** What a distinct secret's entry says about all its occurrences (grouped text output). */
typedef struct {
	size_t occurrences; /**< findings of this rule and secret (blobs, messages) */
	size_t paths;       /**< distinct paths among them */
	int tip;            /**< 1 still at the tip of the default branch, 0 not, -1 unknown */
	const char *tip_path; /**< a path where it is at the tip, or NULL */
} ls_report_group;

/**
 * Adds a distinct secret as one entry: its first finding (the commit that introduced it), then,
 * in text, a line with its author and date, how many occurrences at how many paths, and whether
 * it is still at the tip. Other formats add the finding alone.
 */
int ls_report_add_group(ls_report *r, const ls_finding *first, const ls_report_group *g);
/** One place of a distinct secret, as a datastore knows it (strings borrowed for the call). */
typedef struct {
	const char *repo, *commit, *path, *author, *date;
	size_t line;
	int tip; /**< 1 still at the tip of the default branch, 0 not, -1 unknown */
} ls_report_location;

/**
 * Adds one distinct secret with every place it was found and its triage (`status`, `note`:
 * NULL when open). The HTML page shows it as one row; the other formats take `f` as
 * ls_report_add does.
 */
int ls_report_add_secret(ls_report *r, const ls_finding *f, const char *status, const char *note,
                         const ls_report_location *locs, size_t nlocs);
/** HTML: the runs of a datastore (id, start time, distinct secrets first seen in it), for the
 * page's "new per run" chart. Strings are copied. Ignored by the other formats. */
void ls_report_add_run(ls_report *r, long long id, const char *started, long long new_secrets);
/** HTML for `leakscan serve`: the page posts triage with this CSRF token (copied), unless
 * `readonly`. */
void ls_report_set_serve(ls_report *r, const char *csrf, int readonly);

/** Writes whatever the format keeps to the end. Returns LS_EIO if writing failed. */
int ls_report_finish(ls_report *r);
void ls_report_free(ls_report *r);

/** Appends the redacted form of a secret: at most 4 leading characters of long secrets, then stars. */
/**
 * Whether `data` (a file's first bytes) is a report leakscan wrote: JSON, JSONL, SARIF, JUnit
 * or CSV, by the way each begins. `scan` leaves such a file out with the default skips, so
 * that `-o FILE` inside the scanned tree does not come back as findings.
 */
int ls_report_is_ours(const char *data, size_t len);

void ls_report_redact(ls_buf *out, const char *secret, size_t len);
/** Appends "[LIVE: identity, account, detail]" (or the status for anything not live), the
 * provider's words made safe for a terminal; highlighted with `color`. */
void ls_report_verification_text(ls_buf *out, const ls_verification *v, int color);
/** Appends `text` (tlen bytes) with every occurrence of `secret` in its redacted form. */
void ls_report_mask(ls_buf *out, const char *text, size_t tlen, const char *secret, size_t slen);

#endif
