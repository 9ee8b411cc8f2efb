/* store: what store.c and store_merge.c share; nothing outside the module includes it. */
#ifndef LS_STORE_INTERNAL_H
#define LS_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store.h"

struct ls_store {
	sqlite3 *db;
	char *path;
	int readonly; /* opened by ls_store_open_readonly: nothing is ever written */
	sqlite3_stmt *ins_blob, *del_occ, *ins_secret, *ins_occ, *ins_repo, *del_loc, *ins_loc;
};

/* Each returns 0 or LS_EIO with a message naming the file (`what`: what failed). */
int store_db_fail(ls_store *s, int code, const char *what);
int store_exec(ls_store *s, const char *sql);
int store_prepare(ls_store *s, sqlite3_stmt **st, const char *sql);
/* Steps `st` once, then resets it and clears its bindings. */
int store_step_done(ls_store *s, sqlite3_stmt *st);
/** After stepping through rows: an error if the last step (`rc`) was not SQLITE_DONE (unless
 * `err` is set already), the statement finalized. Returns the error. */
int store_rows_end(ls_store *s, sqlite3_stmt *st, int rc, int err);
/* The first column of `sql` (one optional text parameter `a`) as an integer; LS_ENOTFOUND if no row. */
int store_query_int(ls_store *s, const char *sql, const char *a, long long *out);
const char *store_col_text(sqlite3_stmt *st, int i);
void store_bind_text(sqlite3_stmt *st, int i, const char *v);

/* Renames repositories named by a URL with credentials (an older leakscan) to the URL without
 * them (ls_url_redact) and rewrites the file if any was. Writers only. */
int store_scrub_urls(ls_store *s);

#endif
