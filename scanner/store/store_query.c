/* store: reading the datastore back for reports (ls_store_query): one row per location of
 * each secret, filtered. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "store.h"
#include "store_internal.h"

int ls_store_query(ls_store *s, const ls_store_filter *f, int (*cb)(const ls_store_row *r, void *payload),
                   void *payload)
{
	ls_buf sql = LS_BUF_INIT;
	ls_buf_puts(&sql,
	            "SELECT s.fingerprint, s.rule, s.rule_name, s.secret_hash, s.severity, s.secret, s.secret_mask,"
	            " s.secret_len, s.first_run, t.status, t.note, l.repo, l.commit_id, l.path, l.blob, l.author_name,"
	            " l.author_email, l.date, o.line, o.col, o.end_line, o.end_col, COALESCE(o.line_plain, o.line_mask),"
	            " o.loff, o.llen, COALESCE(o.match_plain, o.match_mask), o.entropy, o.aws_account,"
	            " o.pair_rule, o.pair_line, o.pair_col, COALESCE(o.pair_plain, o.pair_mask), o.decoded, l.message,"
	            " v.status, v.identity, v.account, v.detail, v.checked_at, l.at_tip, COALESCE(s.confidence, 1), o.inner"
	            " FROM secrets s JOIN occurrences o ON o.fingerprint = s.fingerprint"
	            " JOIN locations l ON l.blob = o.blob LEFT JOIN triage t ON t.fingerprint = s.fingerprint"
	            " LEFT JOIN verifications v ON v.fingerprint = s.fingerprint"
	            " WHERE 1");
	if (f->repo)
		ls_buf_puts(&sql, " AND l.repo = ?1");
	if (f->rule)
		ls_buf_puts(&sql, " AND s.rule = ?2");
	if (f->min_severity >= 0)
		ls_buf_puts(&sql, " AND s.severity >= ?3");
	if (f->status)
		ls_buf_puts(&sql, !strcmp(f->status, "open") ? " AND t.status IS NULL" : " AND t.status = ?4");
	if (f->new_since > 0)
		ls_buf_puts(&sql, " AND s.first_run > ?5");
	if (f->verification)
		ls_buf_puts(&sql, !strcmp(f->verification, "none") ? " AND v.status IS NULL" : " AND v.status = ?6");
	if (f->min_confidence > 0)
		ls_buf_puts(&sql, " AND COALESCE(s.confidence, 1) >= ?7");
	ls_buf_puts(&sql, " ORDER BY s.rule, s.fingerprint, l.repo, l.path, l.commit_id, o.inner, o.line, o.col");
	sqlite3_stmt *st = NULL;
	int err = store_prepare(s, &st, sql.ptr), rc;
	ls_buf_dispose(&sql);
	if (err < 0)
		return err;
	if (f->repo)
		sqlite3_bind_text(st, 1, f->repo, -1, SQLITE_TRANSIENT);
	if (f->rule)
		sqlite3_bind_text(st, 2, f->rule, -1, SQLITE_TRANSIENT);
	if (f->min_severity >= 0)
		sqlite3_bind_int(st, 3, f->min_severity);
	if (f->status && strcmp(f->status, "open"))
		sqlite3_bind_text(st, 4, f->status, -1, SQLITE_TRANSIENT);
	if (f->new_since > 0)
		sqlite3_bind_int64(st, 5, f->new_since);
	if (f->verification && strcmp(f->verification, "none"))
		sqlite3_bind_text(st, 6, f->verification, -1, SQLITE_TRANSIENT);
	if (f->min_confidence > 0)
		sqlite3_bind_int(st, 7, f->min_confidence);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ls_store_row r;
		memset(&r, 0, sizeof(r));
		r.fingerprint = store_col_text(st, 0);
		r.rule_id = store_col_text(st, 1);
		r.rule_name = store_col_text(st, 2);
		r.secret_hash = store_col_text(st, 3);
		r.severity = sqlite3_column_int(st, 4);
		r.secret = store_col_text(st, 5);
		r.secret_mask = store_col_text(st, 6);
		r.secret_len = (size_t)sqlite3_column_int64(st, 7);
		r.first_run = sqlite3_column_int64(st, 8);
		r.status = store_col_text(st, 9);
		r.note = store_col_text(st, 10);
		r.repo = store_col_text(st, 11);
		r.commit = store_col_text(st, 12);
		r.path = store_col_text(st, 13);
		r.blob = store_col_text(st, 14);
		r.author_name = store_col_text(st, 15);
		r.author_email = store_col_text(st, 16);
		r.date = store_col_text(st, 17);
		r.line = (size_t)sqlite3_column_int64(st, 18);
		r.column = (size_t)sqlite3_column_int64(st, 19);
		r.end_line = (size_t)sqlite3_column_int64(st, 20);
		r.end_column = (size_t)sqlite3_column_int64(st, 21);
		r.line_text = store_col_text(st, 22);
		r.line_secret_off = (size_t)sqlite3_column_int64(st, 23);
		r.line_secret_len = (size_t)sqlite3_column_int64(st, 24);
		r.match = store_col_text(st, 25);
		r.entropy = sqlite3_column_double(st, 26);
		r.aws_account = store_col_text(st, 27);
		r.pair_rule = store_col_text(st, 28);
		r.pair_line = (size_t)sqlite3_column_int64(st, 29);
		r.pair_column = (size_t)sqlite3_column_int64(st, 30);
		r.pair_secret = store_col_text(st, 31);
		r.decoded = sqlite3_column_int(st, 32);
		r.message = store_col_text(st, 33);
		r.verify_status = store_col_text(st, 34);
		r.verify_identity = store_col_text(st, 35);
		r.verify_account = store_col_text(st, 36);
		r.verify_detail = store_col_text(st, 37);
		r.verify_checked_at = sqlite3_column_int64(st, 38);
		r.at_tip = sqlite3_column_type(st, 39) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 39);
		r.confidence = sqlite3_column_int(st, 40);
		r.inner = store_col_text(st, 41);
		if (!r.secret_mask || !r.fingerprint || !r.rule_id || !r.secret_hash || !r.repo)
			continue; /* a damaged row: skip it rather than crash */
		if (cb(&r, payload)) {
			err = LS_ESTOP;
			break;
		}
	}
	return store_rows_end(s, st, rc, err);
}
