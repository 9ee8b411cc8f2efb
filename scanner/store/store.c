/* store: the findings datastore of bulk scans, one SQLite file in WAL mode. */
#include "store.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "report.h"
#include "store_internal.h"

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
    /* 2: what `git` reports besides: the paired finding (an AWS key id), whether the secret
     * was decoded from base64, the commit's message */
    "ALTER TABLE occurrences ADD COLUMN pair_rule TEXT;"
    "ALTER TABLE occurrences ADD COLUMN pair_line INTEGER;"
    "ALTER TABLE occurrences ADD COLUMN pair_col INTEGER;"
    "ALTER TABLE occurrences ADD COLUMN pair_mask TEXT;"
    "ALTER TABLE occurrences ADD COLUMN pair_plain TEXT;"
    "ALTER TABLE occurrences ADD COLUMN decoded INTEGER DEFAULT 0;"
    "ALTER TABLE locations ADD COLUMN message TEXT;"
    /* ...which older rows lack: the blobs with findings are scanned again, and every
     * repository walked again, by the next run */
    "DELETE FROM blobs WHERE nfindings > 0;"
    "UPDATE repos SET tips = '';",
    /* 3: live verification (--verify): the last answer about each secret */
    "CREATE TABLE IF NOT EXISTS verifications(fingerprint TEXT PRIMARY KEY, status TEXT NOT NULL, identity TEXT,"
    " account TEXT, detail TEXT, checked_at INTEGER);",
    /* 4: whether each location is still at the tip of the default branch (NULL: unknown until
     * the repository is scanned again) */
    "ALTER TABLE locations ADD COLUMN at_tip INTEGER;"
    "UPDATE repos SET tips = '';",
    /* 5: how sure each secret is (ls_confidence, the highest it was found with; NULL: from an
     * older leakscan, read as medium) */
    "ALTER TABLE secrets ADD COLUMN confidence INTEGER;",
    /* 6: a finding inside an archive blob (a jar, a zip): the path in it */
    "ALTER TABLE occurrences ADD COLUMN inner TEXT;",
};
#define NMIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

int store_db_fail(ls_store *s, int code, const char *what)
{
	return ls_error_set("%s: %s: %s", s->path, what, sqlite3_errmsg(s->db)), code;
}

int store_exec(ls_store *s, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		ls_error_set("%s: %s", s->path, msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return LS_EIO;
	}
	return 0;
}

int store_prepare(ls_store *s, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return store_db_fail(s, LS_EIO, "cannot prepare a statement");
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

/* Why the file cannot be used, when SQLite's reason is about access rather than content:
 * permissions are named as such, never as corruption. */
static int access_fail(ls_store *s, int rc)
{
	const char *why = sqlite3_errstr(rc);
	char *dir = ls_xstrdup(s->path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	int denied = access(s->path, R_OK) < 0;
	if (denied)
		ls_error_set("%s: cannot read the datastore: %s", s->path, strerror(errno));
	else if (s->readonly && access(dir, W_OK) < 0)
		ls_error_set("%s: cannot read the datastore: permission denied to create its -shm file in %s (it has a"
		             " -wal file a reader must share; read it as the directory's owner or copy the directory)",
		             s->path, dir);
	else if (!s->readonly && (access(s->path, W_OK) < 0 || access(dir, W_OK) < 0))
		ls_error_set("%s: cannot write the datastore: permission denied (%s)", s->path, why);
	else
		ls_error_set("%s: cannot read the datastore (%s)", s->path, why);
	free(dir);
	return LS_EIO;
}

/* Reads PRAGMA user_version: the first read of the file. Returns an SQLite result code. */
static int read_version(ls_store *s, int *out)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	else
		rc = sqlite3_errcode(s->db);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int version_fail(ls_store *s, int rc)
{
	if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT)
		return ls_error_set("%s: not a leakscan datastore or corrupt (%s)", s->path,
		                    (rc & 0xff) == SQLITE_NOTADB ? "file is not a database" : sqlite3_errmsg(s->db)),
		       LS_EIO;
	return access_fail(s, rc);
}

/*
 * Whether the file is leakscan's, before anything in it is changed (journal mode, tables): a
 * version-0 file must be empty, a later one must hold leakscan's tables; anything else is some
 * other program's database.
 */
static int check_identity(ls_store *s, int v)
{
	long long n = -1, m = 0;
	if (v == 0) {
		store_query_int(s, "SELECT count(*) FROM sqlite_master", NULL, &n);
		if (n == 0 && !s->readonly)
			return 0;
	} else if (store_query_int(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('meta',"
	                              " 'runs', 'blobs', 'secrets', 'occurrences', 'repos', 'locations', 'triage')",
	                           NULL, &n) == 0 &&
	           n == 8 &&
	           store_query_int(s, "SELECT count(*) FROM meta WHERE key = 'store_secrets'", NULL, &m) == 0 && m == 1) {
		return 0;
	}
	return ls_error_set("%s: not a leakscan datastore", s->path), LS_EIO;
}

static int migrate(ls_store *s, int from)
{
	for (size_t v = (size_t)from; v < NMIGRATIONS; v++) {
		int err;
		if ((err = store_exec(s, "BEGIN IMMEDIATE")) < 0)
			return err;
		char *sql = ls_xasprintf("%s; PRAGMA user_version = %zu", migrations[v], v + 1);
		err = store_exec(s, sql);
		free(sql);
		if (err < 0) {
			store_exec(s, "ROLLBACK");
			return err;
		}
		if ((err = store_exec(s, "COMMIT")) < 0)
			return err;
	}
	return 0;
}

static int prepare_all(ls_store *s)
{
	int err;
	if ((err = store_prepare(s, &s->ins_blob, "INSERT OR REPLACE INTO blobs(id, digest, run, nfindings) VALUES(?,?,?,?)")) < 0 ||
	    (err = store_prepare(s, &s->del_occ, "DELETE FROM occurrences WHERE blob = ?")) < 0 ||
	    (err = store_prepare(s, &s->ins_secret,
	                   "INSERT INTO secrets(fingerprint, rule, rule_name, severity, secret_hash, secret, secret_mask,"
	                   " secret_len, first_run, confidence) VALUES(?,?,?,?,?,?,?,?,?,?) ON CONFLICT(fingerprint) DO UPDATE SET"
	                   " secret = COALESCE(secret, excluded.secret), severity = excluded.severity,"
	                   " confidence = MAX(COALESCE(confidence, 0), excluded.confidence)")) < 0 ||
	    (err = store_prepare(s, &s->ins_occ,
	                   "INSERT OR REPLACE INTO occurrences(blob, fingerprint, offset, line, col, end_line, end_col,"
	                   " line_mask, line_plain, loff, llen, match_mask, match_plain, entropy, aws_account, pair_rule,"
	                   " pair_line, pair_col, pair_mask, pair_plain, decoded, inner)"
	                   " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) < 0 ||
	    (err = store_prepare(s, &s->ins_repo,
	                   "INSERT OR REPLACE INTO repos(name, url, tips, digest, run, scanned) VALUES(?,?,?,?,?,?)")) < 0 ||
	    (err = store_prepare(s, &s->del_loc, "DELETE FROM locations WHERE repo = ?")) < 0 ||
	    (err = store_prepare(s, &s->ins_loc,
	                   "INSERT OR IGNORE INTO locations(repo, blob, commit_id, path, author_name, author_email, date,"
	                   " message, at_tip) VALUES(?,?,?,?,?,?,?,?,?)")) < 0)
		return err;
	return 0;
}

/* Checks the version and the identity of an opened file; nothing is written. */
static int check_file(ls_store *s, int v)
{
	if (v > (int)NMIGRATIONS)
		return ls_error_set("%s: written by a newer leakscan (schema version %d; this one reads up to %d)", s->path, v,
		                    (int)NMIGRATIONS),
		       LS_EINVAL;
	return check_identity(s, v);
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
	int err = 0, v = 0, rc;
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
	if ((rc = sqlite3_open_v2(path, &s->db, flags, NULL)) != SQLITE_OK) {
		err = access_fail(s, rc);
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 10000);
	if ((rc = read_version(s, &v)) != SQLITE_OK) {
		err = version_fail(s, rc);
		goto fail;
	}
	if ((err = check_file(s, v)) < 0)
		goto fail;
	/* WAL: readers never block the writer; NORMAL sync loses at most the last commits on power
	 * loss, never consistency */
	if ((err = store_exec(s, "PRAGMA journal_mode = WAL")) < 0 || (err = store_exec(s, "PRAGMA synchronous = NORMAL")) < 0 ||
	    (err = store_exec(s, "PRAGMA foreign_keys = OFF")) < 0)
		goto fail;
	if ((err = migrate(s, v)) < 0 || (err = store_scrub_urls(s)) < 0 || (err = prepare_all(s)) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	ls_store_close(s);
	return err;
}

/* "file:PATH?immutable=1", PATH percent-encoded as URI filenames want. */
static char *immutable_uri(const char *path)
{
	ls_buf b = LS_BUF_INIT;
	ls_buf_puts(&b, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("/._-~", *p))
			ls_buf_putc(&b, (char)*p);
		else
			ls_buf_printf(&b, "%%%02X", *p);
	}
	ls_buf_puts(&b, "?immutable=1");
	return ls_buf_detach(&b);
}

int ls_store_open_readonly(ls_store **out, const char *dir)
{
	*out = NULL;
	struct stat sb;
	char *path = ls_xasprintf("%s/datastore.db", dir);
	if (stat(path, &sb) < 0) {
		ls_error_set("%s: no datastore here (run 'leakscan repos --datastore %s' first)", path, dir);
		free(path);
		return LS_ENOTFOUND;
	}
	ls_store *s = ls_xcalloc(1, sizeof(*s));
	s->path = path;
	s->readonly = 1;
	int err = 0, v = 0;
	/* Where the caller may write, SQLite opens read-write so that the last connection removes
	 * the -wal and -shm files it shares with writers (a read-only connection leaves them
	 * behind, owned by the reader, which can lock the next writer out), and query_only makes
	 * every write fail. Elsewhere it opens read-only. */
	char *dirname = ls_xstrdup(dir);
	int rw = access(path, W_OK) == 0 && access(dirname, W_OK) == 0;
	free(dirname);
	int rc = sqlite3_open_v2(path, &s->db, (rw ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY) | SQLITE_OPEN_NOMUTEX,
	                         NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(s->db, 10000);
		rc = sqlite3_exec(s->db, "PRAGMA query_only = 1", NULL, NULL, NULL);
	}
	if (rc == SQLITE_OK)
		rc = read_version(s, &v);
	/* A WAL database needs its -shm file, which a reader may be unable to create (a read-only
	 * directory or mount). With no -wal file, or an empty one, the database file is all there
	 * is (the last writer checkpointed it): read it as immutable. A -wal with content holds
	 * commits that only the -shm index makes safe to read: say so instead. */
	char *wal = ls_xasprintf("%s-wal", path);
	int no_wal = stat(wal, &sb) < 0 ? errno == ENOENT : sb.st_size == 0;
	free(wal);
	if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_NOTADB && (rc & 0xff) != SQLITE_CORRUPT && no_wal &&
	    access(path, R_OK) == 0) {
		sqlite3_close(s->db);
		s->db = NULL;
		char *uri = immutable_uri(path);
		rc = sqlite3_open_v2(uri, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
		free(uri);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(s->db, "PRAGMA query_only = 1", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = read_version(s, &v);
	}
	if (rc != SQLITE_OK) {
		err = version_fail(s, rc);
		goto fail;
	}
	if ((err = check_file(s, v)) < 0)
		goto fail;
	if (v < (int)NMIGRATIONS) { /* an older schema: upgraded by the next writer */
		ls_error_set("%s: written by an older leakscan (schema version %d); run 'leakscan repos' on it to"
		             " upgrade it", path, v);
		err = LS_EINVAL;
		goto fail;
	}
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

int ls_store_begin(ls_store *s) { return store_exec(s, "BEGIN IMMEDIATE"); }

int ls_store_commit(ls_store *s)
{
	int err = store_exec(s, "COMMIT");
	if (err < 0)
		store_exec(s, "ROLLBACK");
	return err;
}

int store_rows_end(ls_store *s, sqlite3_stmt *st, int rc, int err)
{
	if (!err && rc != SQLITE_DONE)
		err = store_db_fail(s, LS_EIO, "cannot read");
	sqlite3_finalize(st);
	return err;
}

int store_step_done(ls_store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_db_fail(s, LS_EIO, "cannot write");
	return 0;
}

/* Runs `sql` with up to two text parameters and returns the first column as an integer. */
int store_query_int(ls_store *s, const char *sql, const char *a, long long *out)
{
	sqlite3_stmt *st = NULL;
	int err = store_prepare(s, &st, sql);
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
		err = store_db_fail(s, LS_EIO, "cannot read");
	sqlite3_finalize(st);
	return err;
}

int ls_store_secrets_stored(ls_store *s)
{
	long long v = 1;
	store_query_int(s, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'store_secrets'", NULL, &v);
	return v != 0;
}

int ls_store_run_begin(ls_store *s, const char *digest, long long *run)
{
	sqlite3_stmt *st = NULL;
	int err = store_prepare(s, &st, "INSERT INTO runs(started, digest, complete) VALUES(?, ?, 0)");
	if (err < 0)
		return err;
	char *t = now_iso();
	sqlite3_bind_text(st, 1, t, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, digest, -1, SQLITE_TRANSIENT);
	free(t);
	err = store_step_done(s, st);
	sqlite3_finalize(st);
	if (err == 0)
		*run = sqlite3_last_insert_rowid(s->db);
	return err;
}

int ls_store_run_end(ls_store *s, long long run, const ls_store_run_stats *r)
{
	sqlite3_stmt *st = NULL;
	int err = store_prepare(s, &st,
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
	err = store_step_done(s, st);
	sqlite3_finalize(st);
	return err;
}

long long ls_store_last_run(ls_store *s)
{
	long long v = 0;
	store_query_int(s, "SELECT COALESCE(MAX(id), 0) FROM runs", NULL, &v);
	return v;
}

int ls_store_blobs_foreach(ls_store *s, const char *digest,
                           int (*cb)(const char *id, long long nfindings, void *payload), void *payload)
{
	sqlite3_stmt *st = NULL;
	int err = store_prepare(s, &st, "SELECT id, nfindings FROM blobs WHERE digest = ?"), rc;
	if (err < 0)
		return err;
	sqlite3_bind_text(st, 1, digest, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (cb((const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1), payload)) {
			err = LS_ESTOP;
			break;
		}
	}
	return store_rows_end(s, st, rc, err);
}

const char *store_col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : NULL;
}

int ls_store_repos_foreach(ls_store *s,
                           int (*cb)(const char *name, const char *tips, const char *digest, void *payload),
                           void *payload)
{
	sqlite3_stmt *st = NULL;
	int err = store_prepare(s, &st, "SELECT name, tips, digest FROM repos"), rc;
	if (err < 0)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *tips = store_col_text(st, 1), *dg = store_col_text(st, 2);
		if (cb(store_col_text(st, 0), tips ? tips : "", dg ? dg : "", payload)) {
			err = LS_ESTOP;
			break;
		}
	}
	return store_rows_end(s, st, rc, err);
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

void store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

void ls_store_fingerprint(char out[160], const ls_finding *f)
{
	snprintf(out, 160, "%s:%.16s", f->rule->id, f->secret_hash);
}

int ls_store_put_blob(ls_store *s, const char *id, const char *digest, long long run, const ls_finding *fs,
                      size_t n, int secrets, const char *const *inner)
{
	int err;
	sqlite3_bind_text(s->ins_blob, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s->ins_blob, 2, digest, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s->ins_blob, 3, run);
	sqlite3_bind_int64(s->ins_blob, 4, (long long)n);
	if ((err = store_step_done(s, s->ins_blob)) < 0)
		return err;
	sqlite3_bind_text(s->del_occ, 1, id, -1, SQLITE_TRANSIENT);
	if ((err = store_step_done(s, s->del_occ)) < 0)
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
		ls_store_fingerprint(fp, f);
		char *smask = mask_secret(f->secret, f->secret_len, secrets);
		sqlite3_stmt *st = s->ins_secret;
		store_bind_text(st, 1, fp);
		store_bind_text(st, 2, f->rule->id);
		store_bind_text(st, 3, f->rule->name);
		sqlite3_bind_int(st, 4, (int)f->severity);
		store_bind_text(st, 5, f->secret_hash);
		if (secrets)
			sqlite3_bind_text(st, 6, f->secret, (int)f->secret_len, SQLITE_TRANSIENT);
		store_bind_text(st, 7, smask);
		sqlite3_bind_int64(st, 8, (long long)f->secret_len);
		sqlite3_bind_int64(st, 9, run);
		sqlite3_bind_int(st, 10, (int)f->confidence);
		err = store_step_done(s, st);
		free(smask);
		if (err < 0)
			break;
		/* Without stored secrets no context is kept: a line or match may hold a secret in a
		 * form no masking can find (the base64 a decoded finding came from, a secret cut by
		 * the line window, a secret no rule matched). The report shows the secret's mask. */
		const char *lt = f->line_text ? f->line_text : "";
		char *lmask = secrets ? mask_text(lt, strlen(lt), sv, lv, n, 1) : NULL;
		char *mmask = secrets ? mask_text(f->match, f->match_len, sv, lv, n, 1) : NULL;
		st = s->ins_occ;
		store_bind_text(st, 1, id);
		store_bind_text(st, 2, fp);
		/* (entries of one archive: the same offset in another entry is another occurrence) */
		const char *in = inner ? inner[i] : NULL;
		unsigned long long h = 0;
		for (const char *q = in; q && *q; q++)
			h = h * 131 + (unsigned char)*q;
		sqlite3_bind_int64(st, 3, (long long)(f->offset + (in ? ((h & 0x3fffff) + 1) << 40 : 0)));
		sqlite3_bind_int64(st, 4, (long long)f->line);
		sqlite3_bind_int64(st, 5, (long long)f->column);
		sqlite3_bind_int64(st, 6, (long long)f->end_line);
		sqlite3_bind_int64(st, 7, (long long)f->end_column);
		store_bind_text(st, 8, lmask);
		store_bind_text(st, 9, secrets ? lt : NULL);
		sqlite3_bind_int64(st, 10, secrets ? (long long)f->line_secret_off : 0);
		sqlite3_bind_int64(st, 11, secrets ? (long long)f->line_secret_len : 0);
		store_bind_text(st, 12, mmask);
		if (secrets && f->match)
			sqlite3_bind_text(st, 13, f->match, (int)f->match_len, SQLITE_TRANSIENT);
		sqlite3_bind_double(st, 14, f->entropy);
		/* the AWS account is decoded from characters of the key: a part of it in another form */
		store_bind_text(st, 15, secrets && f->aws_account[0] ? f->aws_account : NULL);
		/* the paired finding (the AWS key id of a secret key): what a responder deactivates */
		char *pmask = f->pair_rule && f->pair_secret ? mask_secret(f->pair_secret, f->pair_secret_len, secrets) : NULL;
		store_bind_text(st, 16, f->pair_rule ? f->pair_rule->id : NULL);
		sqlite3_bind_int64(st, 17, f->pair_rule ? (long long)f->pair_line : 0);
		sqlite3_bind_int64(st, 18, f->pair_rule ? (long long)f->pair_column : 0);
		store_bind_text(st, 19, pmask);
		if (secrets && pmask)
			sqlite3_bind_text(st, 20, f->pair_secret, (int)f->pair_secret_len, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(st, 20);
		sqlite3_bind_int(st, 21, f->decoded != 0);
		store_bind_text(st, 22, in);
		err = store_step_done(s, st);
		free(pmask);
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
	store_bind_text(st, 1, name);
	store_bind_text(st, 2, url);
	store_bind_text(st, 3, tips);
	store_bind_text(st, 4, digest);
	sqlite3_bind_int64(st, 5, run);
	store_bind_text(st, 6, t);
	free(t);
	if ((err = store_step_done(s, st)) < 0)
		return err;
	store_bind_text(s->del_loc, 1, name);
	if ((err = store_step_done(s, s->del_loc)) < 0)
		return err;
	for (size_t i = 0; i < n && !err; i++) {
		st = s->ins_loc;
		store_bind_text(st, 1, name);
		store_bind_text(st, 2, locs[i].blob);
		store_bind_text(st, 3, locs[i].commit);
		store_bind_text(st, 4, locs[i].path);
		store_bind_text(st, 5, locs[i].author_name);
		store_bind_text(st, 6, locs[i].author_email);
		store_bind_text(st, 7, locs[i].date);
		/* a commit message may hold a secret: kept only where secrets are */
		store_bind_text(st, 8, ls_store_secrets_stored(s) ? locs[i].message : NULL);
		if (locs[i].at_tip < 0)
			sqlite3_bind_null(st, 9);
		else
			sqlite3_bind_int(st, 9, locs[i].at_tip);
		err = store_step_done(s, st);
	}
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
	" JOIN locations l ON l.blob = o.blob LEFT JOIN triage t ON t.fingerprint = s.fingerprint" \
	" LEFT JOIN verifications v ON v.fingerprint = s.fingerprint"
	static const char *sql[4] = {
	    "SELECT s.rule, COUNT(DISTINCT s.fingerprint), " LOC FROM " GROUP BY 1 ORDER BY 1",
	    "SELECT l.repo, COUNT(DISTINCT s.fingerprint), " LOC FROM " GROUP BY 1 ORDER BY 1",
	    "SELECT COALESCE(t.status, 'open'), COUNT(DISTINCT s.fingerprint), " LOC FROM " GROUP BY 1 ORDER BY 1",
	    "SELECT COALESCE(v.status, 'none'), COUNT(DISTINCT s.fingerprint), " LOC FROM " GROUP BY 1 ORDER BY 1"};
#undef LOC
#undef FROM
	static const char *kinds[4] = {"rule", "repo", "status", "verification"};
	int err = 0;
	for (int k = 0; k < 4 && !err; k++) {
		sqlite3_stmt *st = NULL;
		int rc;
		if ((err = store_prepare(s, &st, sql[k])) < 0)
			return err;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (cb(kinds[k], store_col_text(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2), payload)) {
				err = LS_ESTOP;
				break;
			}
		}
		err = store_rows_end(s, st, rc, err);
	}
	return err;
}

int ls_store_triage(ls_store *s, const char *fingerprint, const char *status, const char *note)
{
	long long n = 0;
	int err = store_query_int(s, "SELECT COUNT(*) FROM secrets WHERE fingerprint = ?", fingerprint, &n);
	if (err < 0)
		return err;
	if (!n)
		return ls_error_set("%s: no finding with fingerprint '%s'", s->path, fingerprint), LS_ENOTFOUND;
	sqlite3_stmt *st = NULL;
	if (!strcmp(status, "open"))
		err = store_prepare(s, &st, "DELETE FROM triage WHERE fingerprint = ?1");
	else
		err = store_prepare(s, &st, "INSERT OR REPLACE INTO triage(fingerprint, status, note, updated) VALUES(?1,?2,?3,?4)");
	if (err < 0)
		return err;
	store_bind_text(st, 1, fingerprint);
	if (strcmp(status, "open")) {
		char *t = now_iso();
		store_bind_text(st, 2, status);
		store_bind_text(st, 3, note);
		store_bind_text(st, 4, t);
		free(t);
	}
	err = store_step_done(s, st);
	sqlite3_finalize(st);
	return err;
}

int ls_store_put_verification(ls_store *s, const char *fingerprint, const ls_verification *v)
{
	sqlite3_stmt *st = NULL;
	int err = store_prepare(s, &st, "INSERT OR REPLACE INTO verifications(fingerprint, status, identity, account, detail,"
	                                " checked_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
	if (err < 0)
		return err;
	store_bind_text(st, 1, fingerprint);
	store_bind_text(st, 2, ls_verify_status_name(v->status));
	store_bind_text(st, 3, v->identity);
	store_bind_text(st, 4, v->account);
	store_bind_text(st, 5, v->detail);
	sqlite3_bind_int64(st, 6, v->checked_at);
	err = store_step_done(s, st);
	sqlite3_finalize(st);
	return err;
}

int ls_store_get_verification(ls_store *s, const char *fingerprint, ls_verification *out)
{
	sqlite3_stmt *st = NULL;
	int err = store_prepare(s, &st, "SELECT status, identity, account, detail, checked_at FROM verifications"
	                                " WHERE fingerprint = ?1");
	if (err < 0)
		return err;
	store_bind_text(st, 1, fingerprint);
	int rc = sqlite3_step(st);
	memset(out, 0, sizeof(*out));
	if (rc == SQLITE_ROW && store_col_text(st, 0) && ls_verify_status_parse(&out->status, store_col_text(st, 0)) == 0) {
		const char *t;
		out->identity = (t = store_col_text(st, 1)) ? ls_xstrdup(t) : NULL;
		out->account = (t = store_col_text(st, 2)) ? ls_xstrdup(t) : NULL;
		out->detail = (t = store_col_text(st, 3)) ? ls_xstrdup(t) : NULL;
		out->checked_at = sqlite3_column_int64(st, 4);
	} else {
		err = rc == SQLITE_ROW || rc == SQLITE_DONE ? LS_ENOTFOUND : store_db_fail(s, LS_EIO, "cannot read");
	}
	sqlite3_finalize(st);
	return err;
}

int ls_store_runs_foreach(ls_store *s, int (*cb)(long long id, const char *started, long long new_secrets, void *payload),
                          void *payload)
{
	sqlite3_stmt *st = NULL;
	int err = store_prepare(s, &st, "SELECT r.id, r.started, (SELECT COUNT(*) FROM secrets WHERE first_run = r.id)"
	                                " FROM runs r ORDER BY r.id"), rc;
	if (err < 0)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (cb(sqlite3_column_int64(st, 0), store_col_text(st, 1), sqlite3_column_int64(st, 2), payload)) {
			err = LS_ESTOP;
			break;
		}
	return store_rows_end(s, st, rc, err);
}
