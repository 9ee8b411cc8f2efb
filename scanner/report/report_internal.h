/* report: what report.c and report_html.c share. */
#ifndef LS_REPORT_INTERNAL_H
#define LS_REPORT_INTERNAL_H

#include <stdio.h>

#include "report.h"

/** The HTML page being built: one entry per distinct secret, written at the end. */
typedef struct ls_report_html ls_report_html;

ls_report_html *ls_report_html_new(int redact, const char *title);
void ls_report_html_free(ls_report_html *h);
/** Adds a finding to its secret's entry (a new entry the first time): at `locs` when given,
 * else at the finding's own place. */
void ls_report_html_add(ls_report_html *h, const ls_finding *f, const char *status, const char *note,
                        const ls_report_location *locs, size_t nlocs);
void ls_report_html_run(ls_report_html *h, long long id, const char *started, long long new_secrets);
void ls_report_html_serve(ls_report_html *h, const char *csrf, int readonly);
/** Writes the page: the template with its CSS, script and the data (JSON) filled in. */
void ls_report_html_write(ls_report_html *h, FILE *fp);

/** `,"KEY":"VAL"` (JSON-escaped), or `,"KEY":null`. */
void ls_report_put_jstr(ls_buf *b, const char *key, const char *val);
/** `,"KEY":{status, identity, account, detail, checked_at}` when verification ran, else nothing. */
void ls_report_put_verification(ls_buf *b, const char *key, const ls_verification *v);

/** The page's parts (scanner/report/page/, embedded by cmake/embed.cmake). */
extern const char ls_report_page_html[], ls_report_page_css[], ls_report_page_js[];

#endif
