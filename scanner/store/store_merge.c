/* store: what a datastore keeps of secrets and of credentials in clone URLs (scrubbing
 * them), and merging datastores. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "fpkey.h"
#include "store_internal.h"
#include "url.h"

/* n stars for a text of n characters: the mask that shows no character of a secret */
#define STARS(col) "replace(hex(zeroblob(length(" col "))), '00', '*')"

int ls_store_set_store_secrets(ls_store *s, int on)
{
	if (on)
		return store_exec(s, "UPDATE meta SET value = '1' WHERE key = 'store_secrets'");
	/* Idempotent: whatever a secret left (the secret, a mask with its leading characters, a
	 * line or match, masked or not: see ls_store_put_blob) goes, and only then is the file
	 * rewritten. */
	int err, before = sqlite3_total_changes(s->db);
	if ((err = store_exec(s, "BEGIN IMMEDIATE")) < 0)
		return err;
	if ((err = store_exec(s, "UPDATE meta SET value = '0' WHERE key = 'store_secrets' AND value IS NOT '0';"
	                         "UPDATE secrets SET secret = NULL, secret_mask = " STARS("secret_mask")
	                         " WHERE secret IS NOT NULL OR secret_mask GLOB '*[^*]*';"
	                         "UPDATE occurrences SET line_mask = NULL, line_plain = NULL, match_mask = NULL,"
	                         " match_plain = NULL, loff = 0, llen = 0, aws_account = NULL WHERE line_mask IS NOT NULL"
	                         " OR line_plain IS NOT NULL OR match_mask IS NOT NULL OR match_plain IS NOT NULL OR"
	                         " aws_account IS NOT NULL;"
	                         "UPDATE occurrences SET pair_plain = NULL, pair_mask = " STARS("pair_mask")
	                         " WHERE pair_plain IS NOT NULL OR pair_mask GLOB '*[^*]*';"
	                         "UPDATE locations SET message = NULL WHERE message IS NOT NULL")) < 0) {
		store_exec(s, "ROLLBACK");
		return err;
	}
	if ((err = ls_store_commit(s)) < 0)
		return err;
	if (sqlite3_total_changes(s->db) == before)
		return 0;
	/* scrubbed values may linger in free pages and the WAL */
	return store_exec(s, "PRAGMA wal_checkpoint(TRUNCATE); VACUUM; PRAGMA wal_checkpoint(TRUNCATE)");
}

static void sql_url_drop(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *v = sqlite3_value_text(argv[0]);
	if (!v) {
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_text(ctx, ls_url_redact((const char *)v, LS_URL_DROP), -1, free);
}

int store_scrub_urls(ls_store *s)
{
	long long n = 0;
	int err;
	if (sqlite3_create_function(s->db, "ls_url_drop", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_url_drop, NULL,
	                            NULL) != SQLITE_OK)
		return store_db_fail(s, LS_EIO, "cannot register a function");
	if ((err = store_query_int(s, "SELECT count(*) FROM repos WHERE url IS NOT NULL AND (ls_url_drop(name) IS NOT name"
	                              " OR ls_url_drop(url) IS NOT url)",
	                           NULL, &n)) < 0 || !n)
		return err;
	/* A row named by a URL with credentials (written by an older leakscan) takes the name
	 * without them, unless a row has that name already: then it goes, with its locations. */
	if ((err = store_exec(s, "BEGIN IMMEDIATE")) < 0)
		return err;
	if ((err = store_exec(s, "CREATE TEMP TABLE ren AS SELECT name AS old FROM repos WHERE url IS NOT NULL AND"
	                         " ls_url_drop(name) IS NOT name;"
	                         "DELETE FROM locations WHERE repo IN (SELECT old FROM temp.ren WHERE ls_url_drop(old) IN"
	                         " (SELECT name FROM repos));"
	                         "DELETE FROM repos WHERE name IN (SELECT old FROM temp.ren) AND ls_url_drop(name) IN"
	                         " (SELECT name FROM repos);"
	                         "UPDATE OR IGNORE repos SET name = ls_url_drop(name) WHERE name IN (SELECT old FROM temp.ren);"
	                         "UPDATE OR IGNORE locations SET repo = ls_url_drop(repo) WHERE repo IN (SELECT old FROM temp.ren);"
	                         "DELETE FROM locations WHERE repo IN (SELECT old FROM temp.ren);"
	                         "DELETE FROM repos WHERE name IN (SELECT old FROM temp.ren);"
	                         "UPDATE repos SET url = ls_url_drop(url) WHERE url IS NOT NULL AND ls_url_drop(url) IS NOT url;"
	                         "DROP TABLE temp.ren")) < 0) {
		store_exec(s, "ROLLBACK");
		return err;
	}
	if ((err = ls_store_commit(s)) < 0)
		return err;
	return store_exec(s, "PRAGMA wal_checkpoint(TRUNCATE); VACUUM; PRAGMA wal_checkpoint(TRUNCATE)");
}

/* The value of meta `key` in schema `db` ("main", "src") into `out` ("" if none). */
static int meta_get(ls_store *s, const char *db, const char *key, char *out, size_t n)
{
	sqlite3_stmt *st = NULL;
	char *sql = ls_xasprintf("SELECT value FROM %s.meta WHERE key = ?", db);
	int err = store_prepare(s, &st, sql), rc;
	free(sql);
	out[0] = '\0';
	if (err < 0)
		return err;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(st, 0);
		snprintf(out, n, "%s", v ? (const char *)v : "");
	} else if (rc != SQLITE_DONE) {
		err = store_db_fail(s, LS_EIO, "cannot read");
	}
	sqlite3_finalize(st);
	return err;
}

static int meta_set_key(ls_store *s, const char *id)
{
	sqlite3_stmt *st = NULL;
	int err = store_prepare(s, &st, "INSERT OR REPLACE INTO main.meta(key, value) VALUES('fingerprint_key', ?)");
	if (err < 0)
		return err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	err = store_step_done(s, st);
	sqlite3_finalize(st);
	return err;
}

static void sql_fp_hash(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char h[65];
	const void *v = sqlite3_value_blob(argv[0]);
	int n = sqlite3_value_bytes(argv[0]);
	ls_fpkey_hash_hex(h, v ? v : "", v ? (size_t)n : 0);
	sqlite3_result_text(ctx, h, 64, SQLITE_TRANSIENT);
}

int ls_store_key_check(ls_store *s, long long *left_plain)
{
	char id[64];
	int err;
	*left_plain = 0;
	if ((err = meta_get(s, "main", "fingerprint_key", id, sizeof(id))) < 0)
		return err;
	if (id[0])
		return strcmp(id, ls_fpkey_id())
		           ? (ls_error_set("%s: made with another fingerprint key (key id %s; this one, from %s, is %s): set "
		                           LS_FPKEY_ENV " to the key it was made with",
		                           s->path, id, ls_fpkey_source(), ls_fpkey_id()),
		              LS_EINVAL)
		           : 0;
	/* first use by a leakscan with keyed hashes: rows an older one wrote hold a plain SHA-256 */
	if (sqlite3_create_function(s->db, "ls_fp_hash", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_fp_hash, NULL,
	                            NULL) != SQLITE_OK)
		return store_db_fail(s, LS_EIO, "cannot register a function");
	int before = sqlite3_total_changes(s->db);
	if ((err = store_exec(s, "BEGIN IMMEDIATE")) < 0)
		return err;
	if ((err = store_exec(s, "CREATE TEMP TABLE fpmap AS SELECT fingerprint AS old, ls_fp_hash(secret) AS h, rule"
	                         " FROM secrets WHERE secret IS NOT NULL;"
	                         "UPDATE temp.fpmap SET rule = rule || ':' || substr(h, 1, 16);"
	                         "UPDATE OR REPLACE occurrences SET fingerprint = (SELECT rule FROM temp.fpmap WHERE old ="
	                         " occurrences.fingerprint) WHERE fingerprint IN (SELECT old FROM temp.fpmap);"
	                         "UPDATE OR REPLACE triage SET fingerprint = (SELECT rule FROM temp.fpmap WHERE old ="
	                         " triage.fingerprint) WHERE fingerprint IN (SELECT old FROM temp.fpmap);"
	                         "UPDATE secrets SET secret_hash = (SELECT h FROM temp.fpmap WHERE old = secrets.fingerprint),"
	                         " fingerprint = (SELECT rule FROM temp.fpmap WHERE old = secrets.fingerprint)"
	                         " WHERE fingerprint IN (SELECT old FROM temp.fpmap);"
	                         "DROP TABLE temp.fpmap")) < 0 ||
	    (err = store_query_int(s, "SELECT count(*) FROM secrets WHERE secret IS NULL", NULL, left_plain)) < 0 ||
	    (err = meta_set_key(s, ls_fpkey_id())) < 0) {
		store_exec(s, "ROLLBACK");
		return err;
	}
	long long rows = 0;
	store_query_int(s, "SELECT count(*) FROM secrets", NULL, &rows);
	if ((err = ls_store_commit(s)) < 0 || !rows || sqlite3_total_changes(s->db) == before)
		return err;
	/* the plain hashes replaced may linger in free pages and the WAL */
	return store_exec(s, "PRAGMA wal_checkpoint(TRUNCATE); VACUUM; PRAGMA wal_checkpoint(TRUNCATE)");
}

int ls_store_merge(ls_store *s, const char *src_dir)
{
	/* open the source on its own first: the same checks (corrupt, newer, foreign) as any datastore */
	ls_store *src = NULL;
	int err = ls_store_open(&src, src_dir, 0);
	if (err < 0)
		return err;
	char a[PATH_MAX], b[PATH_MAX];
	if (realpath(s->path, a) && realpath(src->path, b) && !strcmp(a, b)) {
		ls_error_set("%s: cannot merge a datastore into itself", src->path);
		ls_store_close(src);
		return LS_EINVAL;
	}
	int src_secrets = ls_store_secrets_stored(src);
	char *src_path = ls_xstrdup(src->path);
	store_exec(src, "PRAGMA wal_checkpoint(TRUNCATE)");
	ls_store_close(src);
	/* Secrets, and everything derived from them (the leading characters of masks, lines,
	 * matches, the AWS account decoded from a key), come in only when both keep them. */
	int keep = ls_store_secrets_stored(s) && src_secrets;

	sqlite3_stmt *st = NULL;
	if ((err = store_prepare(s, &st, "ATTACH DATABASE ? AS src")) < 0)
		goto done;
	sqlite3_bind_text(st, 1, src_path, -1, SQLITE_TRANSIENT);
	err = store_step_done(s, st);
	sqlite3_finalize(st);
	if (err < 0)
		goto done;
	/* fingerprints made with two keys never meet: the same secret would count twice */
	char kd[64], ks[64];
	if ((err = meta_get(s, "main", "fingerprint_key", kd, sizeof(kd))) < 0 ||
	    (err = meta_get(s, "src", "fingerprint_key", ks, sizeof(ks))) < 0)
		goto detach;
	if (ks[0] && kd[0] && strcmp(ks, kd)) {
		ls_error_set("%s: made with another fingerprint key (key id %s; %s has %s): its fingerprints cannot match",
		             src_path, ks, s->path, kd);
		err = LS_EINVAL;
		goto detach;
	}
	if (ks[0] && !kd[0] && (err = meta_set_key(s, ks)) < 0)
		goto detach;
	char *sql = ls_xasprintf(
	    "BEGIN IMMEDIATE;"
	    "CREATE TEMP TABLE off AS SELECT COALESCE(MAX(id), 0) AS n FROM main.runs;"
	    "INSERT INTO main.runs(id, started, finished, digest, repos, repos_scanned, repos_unchanged, repos_failed,"
	    " blobs, bytes, findings, complete) SELECT id + (SELECT n FROM off), started, finished, digest, repos,"
	    " repos_scanned, repos_unchanged, repos_failed, blobs, bytes, findings, complete FROM src.runs;"
	    "INSERT INTO main.secrets(fingerprint, rule, rule_name, severity, secret_hash, secret, secret_mask, secret_len,"
	    " first_run, confidence) SELECT fingerprint, rule, rule_name, severity, secret_hash, %s, %s, secret_len,"
	    " first_run + (SELECT n FROM off), confidence FROM src.secrets WHERE 1 ON CONFLICT(fingerprint) DO UPDATE SET"
	    " secret = COALESCE(secret, excluded.secret), first_run = MIN(first_run, excluded.first_run),"
	    " confidence = MAX(COALESCE(confidence, 1), COALESCE(excluded.confidence, 1));"
	    "INSERT OR IGNORE INTO main.blobs SELECT * FROM src.blobs;"
	    "INSERT OR IGNORE INTO main.occurrences(blob, fingerprint, offset, line, col, end_line, end_col, line_mask,"
	    " line_plain, loff, llen, match_mask, match_plain, entropy, aws_account, pair_rule, pair_line, pair_col,"
	    " pair_mask, pair_plain, decoded, inner) SELECT blob, fingerprint, offset,"
	    " line, col, end_line, end_col, %s, %s, %s, %s, %s, %s, entropy, %s, pair_rule, pair_line, pair_col, %s, %s,"
	    " decoded, inner FROM src.occurrences;"
	    "DELETE FROM main.locations WHERE repo IN (SELECT name FROM src.repos);"
	    "INSERT OR REPLACE INTO main.repos SELECT * FROM src.repos;"
	    "INSERT OR IGNORE INTO main.locations(repo, blob, commit_id, path, author_name, author_email, date, message,"
	    " at_tip) SELECT repo, blob, commit_id, path, author_name, author_email, date, %s, at_tip FROM src.locations;"
	    "INSERT INTO main.triage SELECT * FROM src.triage WHERE 1 ON CONFLICT(fingerprint) DO UPDATE SET"
	    " status = excluded.status, note = excluded.note, updated = excluded.updated"
	    " WHERE excluded.updated > triage.updated;"
	    "INSERT INTO main.verifications SELECT * FROM src.verifications WHERE 1 ON CONFLICT(fingerprint) DO UPDATE SET"
	    " status = excluded.status, identity = excluded.identity, account = excluded.account,"
	    " detail = excluded.detail, checked_at = excluded.checked_at WHERE excluded.checked_at > verifications.checked_at;"
	    "DROP TABLE temp.off;"
	    "COMMIT;",
	    keep ? "secret" : "NULL", keep ? "secret_mask" : STARS("secret_mask"), keep ? "line_mask" : "NULL",
	    keep ? "line_plain" : "NULL", keep ? "loff" : "0", keep ? "llen" : "0", keep ? "match_mask" : "NULL",
	    keep ? "match_plain" : "NULL", keep ? "aws_account" : "NULL", keep ? "pair_mask" : STARS("pair_mask"),
	    keep ? "pair_plain" : "NULL", keep ? "message" : "NULL");
	err = store_exec(s, sql);
	free(sql);
	if (err < 0) {
		char *msg = ls_xstrdup(ls_error_last());
		if (!sqlite3_get_autocommit(s->db))
			store_exec(s, "ROLLBACK");
		ls_error_set("%s: cannot merge: %s", src_path, msg);
		free(msg);
	}
detach:
	store_exec(s, "DETACH DATABASE src");
	if (!err)
		err = store_scrub_urls(s); /* a source written by an older leakscan */
done:
	free(src_path);
	return err;
}
