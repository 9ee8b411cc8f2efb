/* store: the findings datastore of bulk scans, one SQLite file in WAL mode. */
#include "store.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common.h"
#include "report.h"

struct ls_store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *ins_blob, *del_occ, *ins_secret, *ins_occ, *ins_repo, *del_loc, *ins_loc;
};

/* Migrations: entry i brings the schema from version i to i + 1. Never edit a shipped entry;
 * append a new one and raise LS_STORE_VERSION. */
static const char *migrations[] = {
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE runs(id INTEGER PRIMARY KEY, started TEXT, finished TEXT, digest TEXT, repos INTEGER,"
    " repos_scanned INTEGER, repos_unchanged INTEGER, repos_failed INTEGER, blobs INTEGER, bytes INTEGER,"
    " findings INTEGER, complete INTEGER DEFAULT 0);"
    "CREATE TABLE blobs(id TEXT PRIMARY KEY, digest TEXT NOT NULL, run INTEGER, nfindings INTEGER NOT NULL);"
    "CREATE TABLE secrets(fingerprint TEXT PRIMARY KEY, rule TEXT NOT NULL, rule_name TEXT, severity INTEGER,"
    " secret_hash TEXT NOT NULL, secret TEXT, secret_mask TEXT NOT NULL, secret_len INTEGER, first_run INTEGER);"
    "CREATE TABLE occurrences(blob TEXT NOT NULL, fingerprint TEXT NOT NULL, offset INTEGER NOT NULL,"
    " line INTEGER, col INTEGER, end_line INTEGER, end_col INTEGER, line_mask TEXT, line_plain TEXT,"
    " loff INTEGER, llen INTEGER, match_mask TEXT, match_plain TEXT, entropy REAL, aws_account TEXT,"
    " PRIMARY KEY(blob, fingerprint, offset));"
    "CREATE INDEX occurrences_fp ON occurrences(fingerprint);"
    "CREATE TABLE repos(name TEXT PRIMARY KEY, url TEXT, tips TEXT, digest TEXT, run INTEGER, scanned TEXT);"
    "CREATE TABLE locations(repo TEXT NOT NULL, blob TEXT NOT NULL, commit_id TEXT, path TEXT,"
    " author_name TEXT, author_email TEXT, date TEXT, PRIMARY KEY(repo, blob, path));"
    "CREATE INDEX locations_blob ON locations(blob);"
    "CREATE TABLE triage(fingerprint TEXT PRIMARY KEY, status TEXT NOT NULL, note TEXT, updated TEXT);"
    "INSERT INTO meta VALUES('store_secrets', '1');",
};
#define NMIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

static int db_fail(ls_store *s, int code, const char *what)
{
	return ls_error_set("%s: %s: %s", s->path, what, sqlite3_errmsg(s->db)), code;
}

static int exec(ls_store *s, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		ls_error_set("%s: %s", s->path, msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return LS_EIO;
	}
	return 0;
}

static int prepare(ls_store *s, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return db_fail(s, LS_EIO, "cannot prepare a statement");
	return 0;
}

static char *now_iso(void)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	char buf[32];
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return ls_xstrdup(buf);
}

static int user_version(ls_store *s, int *out)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		int code = sqlite3_errcode(s->db);
		ls_error_set("%s: not a leakscan datastore or corrupt (%s)", s->path,
		             code == SQLITE_NOTADB ? "file is not a database" : sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		return LS_EIO;
	}
	*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

/* A version-0 file must be empty: anything else is some other program's database. */
static int check_empty(ls_store *s)
{
	sqlite3_stmt *st = NULL;
	int err = prepare(s, &st, "SELECT count(*) FROM sqlite_master");
	if (err < 0)
		return err;
	int rc = sqlite3_step(st);
	long long n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	if (n != 0)
		return ls_error_set("%s: not a leakscan datastore", s->path), LS_EIO;
	return 0;
}

static int migrate(ls_store *s, int from)
{
	for (size_t v = (size_t)from; v < NMIGRATIONS; v++) {
		int err;
		if ((err = exec(s, "BEGIN IMMEDIATE")) < 0)
			return err;
		char *sql = ls_xasprintf("%s; PRAGMA user_version = %zu", migrations[v], v + 1);
		err = exec(s, sql);
		free(sql);
		if (err < 0) {
			exec(s, "ROLLBACK");
			return err;
		}
		if ((err = exec(s, "COMMIT")) < 0)
			return err;
	}
	return 0;
}

static int prepare_all(ls_store *s)
{
	int err;
	if ((err = prepare(s, &s->ins_blob, "INSERT OR REPLACE INTO blobs(id, digest, run, nfindings) VALUES(?,?,?,?)")) < 0 ||
	    (err = prepare(s, &s->del_occ, "DELETE FROM occurrences WHERE blob = ?")) < 0 ||
	    (err = prepare(s, &s->ins_secret,
	                   "INSERT INTO secrets(fingerprint, rule, rule_name, severity, secret_hash, secret, secret_mask,"
	                   " secret_len, first_run) VALUES(?,?,?,?,?,?,?,?,?) ON CONFLICT(fingerprint) DO UPDATE SET"
	                   " secret = COALESCE(secret, excluded.secret), severity = excluded.severity")) < 0 ||
	    (err = prepare(s, &s->ins_occ,
	                   "INSERT OR REPLACE INTO occurrences(blob, fingerprint, offset, line, col, end_line, end_col,"
	                   " line_mask, line_plain, loff, llen, match_mask, match_plain, entropy, aws_account)"
	                   " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) < 0 ||
	    (err = prepare(s, &s->ins_repo,
	                   "INSERT OR REPLACE INTO repos(name, url, tips, digest, run, scanned) VALUES(?,?,?,?,?,?)")) < 0 ||
	    (err = prepare(s, &s->del_loc, "DELETE FROM locations WHERE repo = ?")) < 0 ||
	    (err = prepare(s, &s->ins_loc,
	                   "INSERT OR IGNORE INTO locations(repo, blob, commit_id, path, author_name, author_email, date)"
	                   " VALUES(?,?,?,?,?,?,?)")) < 0)
		return err;
	return 0;
}

int ls_store_open(ls_store **out, const char *dir, int create)
{
	*out = NULL;
	struct stat sb;
	char *path = ls_xasprintf("%s/datastore.db", dir);
	if (stat(path, &sb) < 0) {
		if (!create) {
			ls_error_set("%s: no datastore here (run 'leakscan repos --datastore %s' first)", path, dir);
			free(path);
			return LS_ENOTFOUND;
		}
		/* mkdir -p */
		char *d = ls_xstrdup(dir);
		for (char *p = d + 1; *p; p++) {
			if (*p != '/')
				continue;
			*p = '\0';
			mkdir(d, 0777);
			*p = '/';
		}
		free(d);
		if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
			ls_error_set("%s: cannot create the datastore directory: %s", dir, strerror(errno));
			free(path);
			return LS_EIO;
		}
	}
	ls_store *s = ls_xcalloc(1, sizeof(*s));
	s->path = path;
	int err = 0, v = 0;
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		err = db_fail(s, LS_EIO, "cannot open the datastore");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 10000);
	if ((err = user_version(s, &v)) < 0)
		goto fail;
	if (v > (int)NMIGRATIONS) {
		err = LS_EINVAL;
		ls_error_set("%s: written by a newer leakscan (schema version %d; this one reads up to %d)", path, v,
		             (int)NMIGRATIONS);
		goto fail;
	}
	if (v == 0 && (err = check_empty(s)) < 0)
		goto fail;
	/* WAL: readers never block the writer; NORMAL sync loses at most the last commits on power
	 * loss, never consistency */
	if ((err = exec(s, "PRAGMA journal_mode = WAL")) < 0 || (err = exec(s, "PRAGMA synchronous = NORMAL")) < 0 ||
	    (err = exec(s, "PRAGMA foreign_keys = OFF")) < 0)
		goto fail;
	if ((err = migrate(s, v)) < 0 || (err = prepare_all(s)) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	ls_store_close(s);
	return err;
}

void ls_store_close(ls_store *s)
{
	if (!s)
		return;
	sqlite3_stmt *sts[] = {s->ins_blob, s->del_occ, s->ins_secret, s->ins_occ, s->ins_repo, s->del_loc, s->ins_loc};
	for (size_t i = 0; i < sizeof(sts) / sizeof(sts[0]); i++)
		sqlite3_finalize(sts[i]);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

const char *ls_store_path(const ls_store *s) { return s->path; }

int ls_store_begin(ls_store *s) { return exec(s, "BEGIN IMMEDIATE"); }

int ls_store_commit(ls_store *s)
{
	int err = exec(s, "COMMIT");
	if (err < 0)
		exec(s, "ROLLBACK");
	return err;
}

static int step_done(ls_store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_fail(s, LS_EIO, "cannot write");
	return 0;
}

/* Runs `sql` with up to two text parameters and returns the first column as an integer. */
static int query_int(ls_store *s, const char *sql, const char *a, long long *out)
{
	sqlite3_stmt *st = NULL;
	int err = prepare(s, &st, sql);
	if (err < 0)
		return err;
	if (a)
		sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		err = LS_ENOTFOUND;
	else
		err = db_fail(s, LS_EIO, "cannot read");
	sqlite3_finalize(st);
	return err;
}

int ls_store_secrets_stored(ls_store *s)
{
	long long v = 1;
	query_int(s, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'store_secrets'", NULL, &v);
	return v != 0;
}

static char *mask_text(const char *text, size_t len, const char *const *secrets, const size_t *lens, size_t n,
                       int keep);
static void bind_text(sqlite3_stmt *st, int i, const char *v);
static const char *col_text(sqlite3_stmt *st, int i);

typedef struct {
	long long rowid;
	char *line, *match, *secret;
	size_t len;
} remask_row;

static void remask_flush(ls_store *s, sqlite3_stmt *u, remask_row *rows, size_t n, int *err)
{
	const char **sv = ls_xcalloc(n ? n : 1, sizeof(char *));
	size_t *lv = ls_xcalloc(n ? n : 1, sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		sv[i] = rows[i].secret ? rows[i].secret : "";
		lv[i] = rows[i].secret ? rows[i].len : 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (!*err && rows[i].line) {
			char *lm = mask_text(rows[i].line, strlen(rows[i].line), sv, lv, n, 0);
			char *mm = mask_text(rows[i].match, rows[i].match ? strlen(rows[i].match) : 0, sv, lv, n, 0);
			bind_text(u, 1, lm);
			bind_text(u, 2, mm);
			sqlite3_bind_int64(u, 3, rows[i].rowid);
			*err = step_done(s, u);
			free(lm);
			free(mm);
		}
	}
	for (size_t i = 0; i < n; i++) /* after the loop: sv points into the rows */
		free(rows[i].line), free(rows[i].match), free(rows[i].secret);
	free(sv);
	free(lv);
}

/* Masks with no leading characters, recomputed from the clear texts (every secret of a blob
 * masked in each of its texts), before those are dropped. Inside a transaction. */
static int remask_all(ls_store *s)
{
	sqlite3_stmt *q = NULL, *u = NULL;
	int err, rc;
	if ((err = prepare(s, &q, "SELECT o.rowid, o.blob, o.line_plain, o.match_plain, x.secret, x.secret_len"
	                          " FROM occurrences o JOIN secrets x ON x.fingerprint = o.fingerprint ORDER BY o.blob")) < 0 ||
	    (err = prepare(s, &u, "UPDATE occurrences SET line_mask = ?1, match_mask = ?2 WHERE rowid = ?3")) < 0) {
		sqlite3_finalize(q);
		return err;
	}
	remask_row *rows = NULL;
	size_t n = 0;
	char *blob = NULL;
	while (!err && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *b = col_text(q, 1);
		if (blob && b && strcmp(blob, b)) {
			remask_flush(s, u, rows, n, &err);
			n = 0;
		}
		free(blob);
		blob = ls_xstrdup(b ? b : "");
		rows = ls_xrealloc(rows, (n + 1) * sizeof(remask_row));
		remask_row *r = &rows[n++];
		r->rowid = sqlite3_column_int64(q, 0);
		r->line = col_text(q, 2) ? ls_xstrdup(col_text(q, 2)) : NULL;
		r->match = col_text(q, 3) ? ls_xstrdup(col_text(q, 3)) : NULL;
		r->secret = col_text(q, 4) ? ls_xstrdup(col_text(q, 4)) : NULL;
		r->len = r->secret ? strlen(r->secret) : 0;
	}
	if (!err && rc != SQLITE_DONE)
		err = db_fail(s, LS_EIO, "cannot read");
	remask_flush(s, u, rows, n, &err);
	free(rows);
	free(blob);
	sqlite3_finalize(q);
	sqlite3_finalize(u);
	if (!err)
		err = exec(s, "UPDATE secrets SET secret_mask = replace(hex(zeroblob(length(secret_mask))), '00', '*')");
	return err;
}

int ls_store_set_store_secrets(ls_store *s, int on)
{
	if (on)
		return exec(s, "UPDATE meta SET value = '1' WHERE key = 'store_secrets'");
	int err;
	if ((err = exec(s, "BEGIN IMMEDIATE")) < 0)
		return err;
	if ((err = remask_all(s)) < 0 || (err = exec(s, "UPDATE meta SET value = '0' WHERE key = 'store_secrets';"
	                   "UPDATE secrets SET secret = NULL WHERE secret IS NOT NULL;"
	                   "UPDATE occurrences SET line_plain = NULL, match_plain = NULL WHERE line_plain IS NOT NULL"
	                   " OR match_plain IS NOT NULL")) < 0) {
		exec(s, "ROLLBACK");
		return err;
	}
	if ((err = ls_store_commit(s)) < 0)
		return err;
	/* scrubbed values may linger in free pages and the WAL */
	return exec(s, "PRAGMA wal_checkpoint(TRUNCATE); VACUUM; PRAGMA wal_checkpoint(TRUNCATE)");
}

int ls_store_run_begin(ls_store *s, const char *digest, long long *run)
{
	sqlite3_stmt *st = NULL;
	int err = prepare(s, &st, "INSERT INTO runs(started, digest, complete) VALUES(?, ?, 0)");
	if (err < 0)
		return err;
	char *t = now_iso();
	sqlite3_bind_text(st, 1, t, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, digest, -1, SQLITE_TRANSIENT);
	free(t);
	err = step_done(s, st);
	sqlite3_finalize(st);
	if (err == 0)
		*run = sqlite3_last_insert_rowid(s->db);
	return err;
}

int ls_store_run_end(ls_store *s, long long run, const ls_store_run_stats *r)
{
	sqlite3_stmt *st = NULL;
	int err = prepare(s, &st,
	                  "UPDATE runs SET finished = ?, repos = ?, repos_scanned = ?, repos_unchanged = ?, repos_failed = ?,"
	                  " blobs = ?, bytes = ?, findings = ?, complete = ? WHERE id = ?");
	if (err < 0)
		return err;
	char *t = now_iso();
	sqlite3_bind_text(st, 1, t, -1, SQLITE_TRANSIENT);
	free(t);
	long long v[] = {r->repos, r->repos_scanned, r->repos_unchanged, r->repos_failed, r->blobs, r->bytes, r->findings,
	                 r->complete, run};
	for (int i = 0; i < 9; i++)
		sqlite3_bind_int64(st, i + 2, v[i]);
	err = step_done(s, st);
	sqlite3_finalize(st);
	return err;
}

long long ls_store_last_run(ls_store *s)
{
	long long v = 0;
	query_int(s, "SELECT COALESCE(MAX(id), 0) FROM runs", NULL, &v);
	return v;
}

int ls_store_blobs_foreach(ls_store *s, const char *digest,
                           int (*cb)(const char *id, long long nfindings, void *payload), void *payload)
{
	sqlite3_stmt *st = NULL;
	int err = prepare(s, &st, "SELECT id, nfindings FROM blobs WHERE digest = ?"), rc;
	if (err < 0)
		return err;
	sqlite3_bind_text(st, 1, digest, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (cb((const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1), payload)) {
			err = LS_ESTOP;
			break;
		}
	}
	if (!err && rc != SQLITE_DONE)
		err = db_fail(s, LS_EIO, "cannot read");
	sqlite3_finalize(st);
	return err;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : NULL;
}

int ls_store_repos_foreach(ls_store *s,
                           int (*cb)(const char *name, const char *tips, const char *digest, void *payload),
                           void *payload)
{
	sqlite3_stmt *st = NULL;
	int err = prepare(s, &st, "SELECT name, tips, digest FROM repos"), rc;
	if (err < 0)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *tips = col_text(st, 1), *dg = col_text(st, 2);
		if (cb(col_text(st, 0), tips ? tips : "", dg ? dg : "", payload)) {
			err = LS_ESTOP;
			break;
		}
	}
	if (!err && rc != SQLITE_DONE)
		err = db_fail(s, LS_EIO, "cannot read");
	sqlite3_finalize(st);
	return err;
}

/* The masked form of a secret: same length, stars, after the leading characters that
 * ls_report_redact keeps when `keep` is set (never without stored secrets). */
static char *mask_secret(const char *secret, size_t len, int keep)
{
	char *m = ls_xmalloc(len + 1);
	memset(m, '*', len);
	m[len] = '\0';
	ls_buf red = LS_BUF_INIT;
	ls_report_redact(&red, secret, len);
	for (size_t i = 0; keep && i < red.len && i < len && red.ptr[i] != '*'; i++)
		m[i] = secret[i];
	ls_buf_dispose(&red);
	return m;
}

/* `text` with each of the `n` secrets replaced by its mask (same length: offsets hold). */
static char *mask_text(const char *text, size_t len, const char *const *secrets, const size_t *lens, size_t n,
                       int keep)
{
	char *out = ls_xstrndup(text ? text : "", text ? len : 0);
	len = text ? len : 0;
	for (size_t i = 0; i < n; i++) {
		if (!lens[i])
			continue;
		char *m = mask_secret(secrets[i], lens[i], keep);
		for (char *p = out; (p = memmem(p, len - (size_t)(p - out), secrets[i], lens[i]));)
			memcpy(p, m, lens[i]), p += lens[i];
		free(m);
	}
	return out;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void store_fingerprint(char out[160], const ls_finding *f)
{
	snprintf(out, 160, "%s:%.16s", f->rule->id, f->secret_hash);
}

int ls_store_put_blob(ls_store *s, const char *id, const char *digest, long long run, const ls_finding *fs,
                      size_t n, int secrets)
{
	int err;
	sqlite3_bind_text(s->ins_blob, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s->ins_blob, 2, digest, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s->ins_blob, 3, run);
	sqlite3_bind_int64(s->ins_blob, 4, (long long)n);
	if ((err = step_done(s, s->ins_blob)) < 0)
		return err;
	sqlite3_bind_text(s->del_occ, 1, id, -1, SQLITE_TRANSIENT);
	if ((err = step_done(s, s->del_occ)) < 0)
		return err;
	/* every secret of the blob is masked in every text stored for it */
	const char **sv = ls_xcalloc(n ? n : 1, sizeof(char *));
	size_t *lv = ls_xcalloc(n ? n : 1, sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		sv[i] = fs[i].secret;
		lv[i] = fs[i].secret ? fs[i].secret_len : 0;
	}
	for (size_t i = 0; i < n && !err; i++) {
		const ls_finding *f = &fs[i];
		char fp[160];
		store_fingerprint(fp, f);
		char *smask = mask_secret(f->secret, f->secret_len, secrets);
		sqlite3_stmt *st = s->ins_secret;
		bind_text(st, 1, fp);
		bind_text(st, 2, f->rule->id);
		bind_text(st, 3, f->rule->name);
		sqlite3_bind_int(st, 4, (int)f->severity);
		bind_text(st, 5, f->secret_hash);
		if (secrets)
			sqlite3_bind_text(st, 6, f->secret, (int)f->secret_len, SQLITE_TRANSIENT);
		bind_text(st, 7, smask);
		sqlite3_bind_int64(st, 8, (long long)f->secret_len);
		sqlite3_bind_int64(st, 9, run);
		err = step_done(s, st);
		free(smask);
		if (err < 0)
			break;
		const char *lt = f->line_text ? f->line_text : "";
		char *lmask = mask_text(lt, strlen(lt), sv, lv, n, secrets);
		char *mmask = mask_text(f->match, f->match_len, sv, lv, n, secrets);
		st = s->ins_occ;
		bind_text(st, 1, id);
		bind_text(st, 2, fp);
		sqlite3_bind_int64(st, 3, (long long)f->offset);
		sqlite3_bind_int64(st, 4, (long long)f->line);
		sqlite3_bind_int64(st, 5, (long long)f->column);
		sqlite3_bind_int64(st, 6, (long long)f->end_line);
		sqlite3_bind_int64(st, 7, (long long)f->end_column);
		bind_text(st, 8, lmask);
		bind_text(st, 9, secrets ? lt : NULL);
		sqlite3_bind_int64(st, 10, (long long)f->line_secret_off);
		sqlite3_bind_int64(st, 11, (long long)f->line_secret_len);
		bind_text(st, 12, mmask);
		if (secrets && f->match)
			sqlite3_bind_text(st, 13, f->match, (int)f->match_len, SQLITE_TRANSIENT);
		sqlite3_bind_double(st, 14, f->entropy);
		bind_text(st, 15, f->aws_account[0] ? f->aws_account : NULL);
		err = step_done(s, st);
		free(lmask);
		free(mmask);
	}
	free(sv);
	free(lv);
	return err;
}

int ls_store_put_repo(ls_store *s, const char *name, const char *url, const char *tips, const char *digest,
                      long long run, const ls_store_location *locs, size_t n)
{
	int err;
	char *t = now_iso();
	sqlite3_stmt *st = s->ins_repo;
	bind_text(st, 1, name);
	bind_text(st, 2, url);
	bind_text(st, 3, tips);
	bind_text(st, 4, digest);
	sqlite3_bind_int64(st, 5, run);
	bind_text(st, 6, t);
	free(t);
	if ((err = step_done(s, st)) < 0)
		return err;
	bind_text(s->del_loc, 1, name);
	if ((err = step_done(s, s->del_loc)) < 0)
		return err;
	for (size_t i = 0; i < n && !err; i++) {
		st = s->ins_loc;
		bind_text(st, 1, name);
		bind_text(st, 2, locs[i].blob);
		bind_text(st, 3, locs[i].commit);
		bind_text(st, 4, locs[i].path);
		bind_text(st, 5, locs[i].author_name);
		bind_text(st, 6, locs[i].author_email);
		bind_text(st, 7, locs[i].date);
		err = step_done(s, st);
	}
	return err;
}

int ls_store_query(ls_store *s, const ls_store_filter *f, int (*cb)(const ls_store_row *r, void *payload),
                   void *payload)
{
	ls_buf sql = LS_BUF_INIT;
	ls_buf_puts(&sql,
	            "SELECT s.fingerprint, s.rule, s.rule_name, s.secret_hash, s.severity, s.secret, s.secret_mask,"
	            " s.secret_len, s.first_run, t.status, t.note, l.repo, l.commit_id, l.path, l.blob, l.author_name,"
	            " l.author_email, l.date, o.line, o.col, o.end_line, o.end_col, COALESCE(o.line_plain, o.line_mask),"
	            " o.loff, o.llen, COALESCE(o.match_plain, o.match_mask), o.entropy, o.aws_account"
	            " FROM secrets s JOIN occurrences o ON o.fingerprint = s.fingerprint"
	            " JOIN locations l ON l.blob = o.blob LEFT JOIN triage t ON t.fingerprint = s.fingerprint"
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
	ls_buf_puts(&sql, " ORDER BY s.rule, s.fingerprint, l.repo, l.path, l.commit_id, o.line, o.col");
	sqlite3_stmt *st = NULL;
	int err = prepare(s, &st, sql.ptr), rc;
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
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ls_store_row r;
		memset(&r, 0, sizeof(r));
		r.fingerprint = col_text(st, 0);
		r.rule_id = col_text(st, 1);
		r.rule_name = col_text(st, 2);
		r.secret_hash = col_text(st, 3);
		r.severity = sqlite3_column_int(st, 4);
		r.secret = col_text(st, 5);
		r.secret_mask = col_text(st, 6);
		r.secret_len = (size_t)sqlite3_column_int64(st, 7);
		r.first_run = sqlite3_column_int64(st, 8);
		r.status = col_text(st, 9);
		r.note = col_text(st, 10);
		r.repo = col_text(st, 11);
		r.commit = col_text(st, 12);
		r.path = col_text(st, 13);
		r.blob = col_text(st, 14);
		r.author_name = col_text(st, 15);
		r.author_email = col_text(st, 16);
		r.date = col_text(st, 17);
		r.line = (size_t)sqlite3_column_int64(st, 18);
		r.column = (size_t)sqlite3_column_int64(st, 19);
		r.end_line = (size_t)sqlite3_column_int64(st, 20);
		r.end_column = (size_t)sqlite3_column_int64(st, 21);
		r.line_text = col_text(st, 22);
		r.line_secret_off = (size_t)sqlite3_column_int64(st, 23);
		r.line_secret_len = (size_t)sqlite3_column_int64(st, 24);
		r.match = col_text(st, 25);
		r.entropy = sqlite3_column_double(st, 26);
		r.aws_account = col_text(st, 27);
		if (!r.secret_mask || !r.fingerprint || !r.rule_id || !r.secret_hash || !r.repo)
			continue; /* a damaged row: skip it rather than crash */
		if (cb(&r, payload)) {
			err = LS_ESTOP;
			break;
		}
	}
	if (!err && rc != SQLITE_DONE)
		err = db_fail(s, LS_EIO, "cannot read");
	sqlite3_finalize(st);
	return err;
}

int ls_store_summary(ls_store *s, int (*cb)(const char *kind, const char *name, long long secrets,
                                            long long locations, void *payload),
                     void *payload)
{
	/* a location: a secret in a blob at a path of a repository */
#define LOC "COUNT(DISTINCT s.fingerprint || ' ' || l.repo || ' ' || l.blob || ' ' || l.path)"
#define FROM                                                                                   \
	" FROM secrets s JOIN occurrences o ON o.fingerprint = s.fingerprint"                    \
	" JOIN locations l ON l.blob = o.blob LEFT JOIN triage t ON t.fingerprint = s.fingerprint"
	static const char *sql[3] = {
	    "SELECT s.rule, COUNT(DISTINCT s.fingerprint), " LOC FROM " GROUP BY 1 ORDER BY 1",
	    "SELECT l.repo, COUNT(DISTINCT s.fingerprint), " LOC FROM " GROUP BY 1 ORDER BY 1",
	    "SELECT COALESCE(t.status, 'open'), COUNT(DISTINCT s.fingerprint), " LOC FROM " GROUP BY 1 ORDER BY 1"};
#undef LOC
#undef FROM
	static const char *kinds[3] = {"rule", "repo", "status"};
	int err = 0;
	for (int k = 0; k < 3 && !err; k++) {
		sqlite3_stmt *st = NULL;
		int rc;
		if ((err = prepare(s, &st, sql[k])) < 0)
			return err;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (cb(kinds[k], col_text(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2), payload)) {
				err = LS_ESTOP;
				break;
			}
		}
		if (!err && rc != SQLITE_DONE)
			err = db_fail(s, LS_EIO, "cannot read");
		sqlite3_finalize(st);
	}
	return err;
}

int ls_store_triage(ls_store *s, const char *fingerprint, const char *status, const char *note)
{
	long long n = 0;
	int err = query_int(s, "SELECT COUNT(*) FROM secrets WHERE fingerprint = ?", fingerprint, &n);
	if (err < 0)
		return err;
	if (!n)
		return ls_error_set("%s: no finding with fingerprint '%s'", s->path, fingerprint), LS_ENOTFOUND;
	sqlite3_stmt *st = NULL;
	if (!strcmp(status, "open"))
		err = prepare(s, &st, "DELETE FROM triage WHERE fingerprint = ?1");
	else
		err = prepare(s, &st, "INSERT OR REPLACE INTO triage(fingerprint, status, note, updated) VALUES(?1,?2,?3,?4)");
	if (err < 0)
		return err;
	bind_text(st, 1, fingerprint);
	if (strcmp(status, "open")) {
		char *t = now_iso();
		bind_text(st, 2, status);
		bind_text(st, 3, note);
		bind_text(st, 4, t);
		free(t);
	}
	err = step_done(s, st);
	sqlite3_finalize(st);
	return err;
}

int ls_store_merge(ls_store *s, const char *src_dir)
{
	/* open the source on its own first: the same checks (corrupt, newer) as any datastore */
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
	exec(src, "PRAGMA wal_checkpoint(TRUNCATE)");
	ls_store_close(src);
	int keep = ls_store_secrets_stored(s) && src_secrets;

	sqlite3_stmt *st = NULL;
	if ((err = prepare(s, &st, "ATTACH DATABASE ? AS src")) < 0)
		goto done;
	sqlite3_bind_text(st, 1, src_path, -1, SQLITE_TRANSIENT);
	err = step_done(s, st);
	sqlite3_finalize(st);
	if (err < 0)
		goto done;
	char *sql = ls_xasprintf(
	    "BEGIN IMMEDIATE;"
	    "CREATE TEMP TABLE off AS SELECT COALESCE(MAX(id), 0) AS n FROM main.runs;"
	    "INSERT INTO main.runs(id, started, finished, digest, repos, repos_scanned, repos_unchanged, repos_failed,"
	    " blobs, bytes, findings, complete) SELECT id + (SELECT n FROM off), started, finished, digest, repos,"
	    " repos_scanned, repos_unchanged, repos_failed, blobs, bytes, findings, complete FROM src.runs;"
	    "INSERT INTO main.secrets(fingerprint, rule, rule_name, severity, secret_hash, secret, secret_mask, secret_len,"
	    " first_run) SELECT fingerprint, rule, rule_name, severity, secret_hash, %s, secret_mask, secret_len,"
	    " first_run + (SELECT n FROM off) FROM src.secrets WHERE 1 ON CONFLICT(fingerprint) DO UPDATE SET"
	    " secret = COALESCE(secret, excluded.secret), first_run = MIN(first_run, excluded.first_run);"
	    "INSERT OR IGNORE INTO main.blobs SELECT * FROM src.blobs;"
	    "INSERT OR IGNORE INTO main.occurrences(blob, fingerprint, offset, line, col, end_line, end_col, line_mask,"
	    " line_plain, loff, llen, match_mask, match_plain, entropy, aws_account) SELECT blob, fingerprint, offset,"
	    " line, col, end_line, end_col, line_mask, %s, loff, llen, match_mask, %s, entropy, aws_account"
	    " FROM src.occurrences;"
	    "DELETE FROM main.locations WHERE repo IN (SELECT name FROM src.repos);"
	    "INSERT OR REPLACE INTO main.repos SELECT * FROM src.repos;"
	    "INSERT OR IGNORE INTO main.locations SELECT * FROM src.locations;"
	    "INSERT INTO main.triage SELECT * FROM src.triage WHERE 1 ON CONFLICT(fingerprint) DO UPDATE SET"
	    " status = excluded.status, note = excluded.note, updated = excluded.updated"
	    " WHERE excluded.updated > triage.updated;"
	    "DROP TABLE temp.off;"
	    "COMMIT;",
	    keep ? "secret" : "NULL", keep ? "line_plain" : "NULL", keep ? "match_plain" : "NULL");
	err = exec(s, sql);
	free(sql);
	if (err < 0) {
		char *msg = ls_xstrdup(ls_error_last());
		if (!sqlite3_get_autocommit(s->db))
			exec(s, "ROLLBACK");
		ls_error_set("%s: cannot merge: %s", src_path, msg);
		free(msg);
	}
	exec(s, "DETACH DATABASE src");
done:
	free(src_path);
	return err;
}
