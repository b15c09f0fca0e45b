/*
 * backup.c - backups of the site database, their check and their restore;
 * see backup.h and docs/backup.md.
 *
 * HOW A BACKUP STAYS CONSISTENT WHILE SESSIONS GO ON SAVING
 *
 * The site database runs in WAL mode (store.c, invariant 6): a reader
 * holds a snapshot, writers append to the WAL, neither waits for the
 * other.  backup_take() opens a read transaction on the store's own
 * connection and keeps it for the whole copy, so every step of the
 * backup API reads that one snapshot: the copy is the database exactly as
 * it was at one commit, and commits made meanwhile by other sessions
 * neither wait nor restart the copy (SQLite restarts a backup only when
 * its source connection starts a new read transaction and finds the file
 * changed).  The copy goes in steps of a few hundred pages so that the
 * caller can show progress; a checkpoint cannot move past the snapshot
 * until the copy ends, so the WAL grows a little meanwhile.
 *
 * HOW A RESTORE AVOIDS SESSIONS THAT STILL HAVE THE FILE OPEN
 *
 * Replacing the database under running sessions would mix two histories
 * (a session's open form, its expected version, its next audit row), so a
 * restore needs the file to itself.  Every WAL connection holds a shared
 * lock on the database file for as long as it is open; the restore opens
 * its connection in EXCLUSIVE locking mode, whose first read must take
 * SQLite's exclusive lock on the file: that fails while any other
 * connection has it open, and once held keeps every new session out
 * until the restore ends.  The database is kept aside and overwritten
 * through that one connection.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "crf/backup.h"
#include "crf/date.h"
#include "crf/util.h"
#include "store_impl.h"

/* PRAGMA application_id of a crf database, "CRF1" (store.c's STORE_APP_ID). */
#define BACKUP_APP_ID 0x43524631

/* How long a step waits for a busy source before giving up (ms). */
#define BACKUP_BUSY_MS 5000
/* How long a restore waits for another session to let go of the file. */
#define RESTORE_LOCK_MS 1000

/* ---- Files ----------------------------------------------------------------- */

/* Remove a database file and the files SQLite keeps beside it. */
static void
unlink_db(const char *path)
{
	static const char *const suffix[] = { "-wal", "-shm", "-journal" };

	if (path == NULL)
		return;
	unlink(path);
	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		char *p = xasprintf("%s%s", path, suffix[i]);

		unlink(p);
		free(p);
	}
}

/* A new empty file "<base><tag>XXXXXX" (mode 0600) into *out (owned). */
static crf_status
temp_beside(const char *base, const char *tag, char **out, crf_err *err)
{
	char *tmpl = xasprintf("%s%sXXXXXX", base, tag);
	int fd = mkstemp(tmpl);

	*out = NULL;
	if (fd < 0) {
		char *dir = path_dirname(base);
		crf_status cs = crf_fail(err, errno == ENOSPC ? CRF_EFULL : CRF_EIO,
		    "cannot create a file in %s: %s", dir, strerror(errno));

		free(dir);
		free(tmpl);
		return cs;
	}
	close(fd);
	*out = tmpl;
	return CRF_OK;
}

/* fsync a file or a folder; 0 or -1 with errno. */
static int
sync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	if (rc != 0 && (errno == EINVAL || errno == EROFS))
		rc = 0;   /* folders on some file systems cannot be synced */
	close(fd);
	return rc;
}

/* Rename from to to unless to exists (atomically where the file system
 * allows it); 0, or -1 with errno (EEXIST when to exists). */
static int
rename_new(const char *from, const char *to)
{
	struct stat sb;

	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
		return -1;
	/* No RENAME_NOREPLACE here (FAT on a USB stick, NFS): a hard link
	 * refuses an existing name too; without links, check then rename. */
	if (link(from, to) == 0)
		return unlink(from) == 0 || errno == ENOENT ? 0 : -1;
	if (errno == EEXIST)
		return -1;
	if (lstat(to, &sb) == 0) {
		errno = EEXIST;
		return -1;
	}
	return rename(from, to);
}

/* path with its folder made absolute (the file itself may not exist
 * yet), owned; path as given when the folder cannot be resolved. */
static char *
abs_path(const char *path)
{
	char *dir = path_dirname(path);
	char *real = realpath(dir, NULL);
	const char *base = strrchr(path, '/');
	char *out;

	base = base != NULL ? base + 1 : path;
	out = real != NULL ? path_join(real, base) : xstrdup(path);
	free(real);
	free(dir);
	return out;
}

static long long
file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (long long)sb.st_size : 0;
}

/* ---- SQLite ---------------------------------------------------------------- */

/* A failed SQLite call on db as a crf status: what, then SQLite's words. */
static crf_status
sql_fail(sqlite3 *db, int rc, crf_err *err, const char *what)
{
	const char *why = db != NULL && sqlite3_errcode(db) == rc ?
	    sqlite3_errmsg(db) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_FULL:
		return crf_fail(err, CRF_EFULL, "%s: the disk is full", what);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return crf_fail(err, CRF_EBUSY, "%s: the database is busy (%s)",
		    what, why);
	case SQLITE_NOMEM:
		return crf_fail(err, CRF_ENOMEM, "%s: out of memory", what);
	case SQLITE_NOTADB:
		return crf_fail(err, CRF_EDB, "%s: not an SQLite database", what);
	case SQLITE_CORRUPT:
		return crf_fail(err, CRF_EDB, "%s: the file is damaged (%s)", what,
		    why);
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_PERM:
		return crf_fail(err, CRF_EIO, "%s: %s", what, why);
	default:
		return crf_fail(err, CRF_EDB, "%s: %s", what, why);
	}
}

/* Step a one-shot statement of static text; *out receives the first
 * column of its first row as an integer (may be NULL). */
static int
sql_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);

	if (out != NULL)
		*out = 0;
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW && out != NULL)
			*out = sqlite3_column_int(s, 0);
		if (rc == SQLITE_ROW || rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/* PRAGMA integrity_check: SQLITE_OK and *bad NULL when the file is
 * intact; otherwise *bad is SQLite's first complaint, one line (owned). */
static int
integrity(sqlite3 *db, char **bad)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check(20)", -1, &s,
	    NULL);
	strbuf b = { 0 };
	int lines = 0;

	*bad = NULL;
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);

		rc = SQLITE_OK;
		if (str_eq(t, "ok"))
			break;
		/* Rows may hold several lines; "*** in database main ***" heads
		 * them. */
		for (const char *p = t != NULL ? t : ""; *p;) {
			size_t n = strcspn(p, "\n");

			if (n > 0 && !str_starts(p, "***") && lines++ == 0)
				sb_addn(&b, p, n);
			p += n;
			if (*p == '\n')
				p++;
		}
	}
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(s);
	if (rc == SQLITE_OK && lines > 0) {
		if (lines > 1)
			sb_add(&b, " (and more)");
		*bad = sb_steal(&b);
	}
	sb_free(&b);
	return rc;
}

/* Copy database "main" of src into dst with the backup API, in steps of
 * pages (the whole file at once when pages <= 0), retrying a busy step
 * for up to BACKUP_BUSY_MS.  An SQLite result code. */
static int
copy_pages(sqlite3 *dst, sqlite3 *src, int pages, backup_progress progress,
    void *ctx)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	int waited = 0, rc, fin;

	if (b == NULL)
		return sqlite3_errcode(dst);
	for (;;) {
		rc = sqlite3_backup_step(b, pages > 0 ? pages : -1);
		if (rc == SQLITE_OK || rc == SQLITE_DONE) {
			waited = 0;
			if (progress != NULL) {
				int total = sqlite3_backup_pagecount(b);

				progress(ctx, total - sqlite3_backup_remaining(b), total);
			}
			if (rc == SQLITE_DONE)
				break;
		} else if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) &&
		    waited < BACKUP_BUSY_MS) {
			sqlite3_sleep(20);
			waited += 20;
		} else {
			break;
		}
	}
	fin = sqlite3_backup_finish(b);
	if (rc == SQLITE_DONE)
		rc = fin;
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* ---- Summaries -------------------------------------------------------------- */

void
backup_summary_clear(backup_summary *s)
{
	if (s == NULL)
		return;
	free(s->site_code);
	free(s->site_name);
	memset(s, 0, sizeof *s);
}

void
restore_result_clear(restore_result *r)
{
	if (r == NULL)
		return;
	backup_summary_clear(&r->backup);
	backup_summary_clear(&r->restored);
	free(r->aside);
	memset(r, 0, sizeof *r);
}

/* The first problem of a report, and how many more, for a message. */
static char *
issues_text(const audit_report *r)
{
	if (r->nissues == 0)
		return xstrdup("");
	if (r->nissues == 1)
		return xstrdup(r->issues[0].text);
	return xasprintf("%s (and %zu more problem%s)", r->issues[0].text,
	    r->nissues - 1, r->nissues == 2 ? "" : "s");
}

/*
 * Check the crf database at path (a file of ours: a temporary copy or the
 * restored database), called `shown` in messages: site code (when
 * site_code is not NULL), SQLite's integrity check (when check_integrity),
 * the audit trail (with head, when not NULL).  With single_file the
 * database is left in rollback-journal mode, one self-contained file.
 * Fills *out; *trail_bad (may be NULL) tells whether it was the audit
 * trail that failed.
 */
static crf_status
check_db(const char *path, const char *shown, const char *site_code,
    bool check_integrity, const audit_head *head, bool single_file,
    backup_summary *out, bool *trail_bad, crf_err *err)
{
	store *st = NULL;
	audit_report r;
	char *bad = NULL;
	crf_status cs;
	int rc;

	memset(out, 0, sizeof *out);
	if (trail_bad != NULL)
		*trail_bad = false;
	if ((cs = store_open(path, &st, err)) != CRF_OK)
		return cs;
	out->site_code = xstrdup(store_site_code(st));
	out->site_name = xstrdup(store_site_name(st));
	if (site_code != NULL && !str_eq(site_code, out->site_code)) {
		cs = crf_fail(err, CRF_EINVAL, "%s holds the data of site %s, not of "
		    "this site %s", shown, out->site_code, site_code);
		goto out;
	}
	if (check_integrity) {
		rc = integrity(st->db, &bad);
		if (rc != SQLITE_OK) {
			cs = sql_fail(st->db, rc, err, shown);
			goto out;
		}
		if (bad != NULL) {
			cs = crf_fail(err, CRF_EDB, "%s is damaged: SQLite's integrity "
			    "check says: %s", shown, bad);
			goto out;
		}
	}
	if ((cs = store_audit_verify(st, head, &r, err)) != CRF_OK)
		goto out;
	out->rows = r.rows;
	out->last_seq = r.last_seq;
	memcpy(out->head, r.head, sizeof out->head);
	out->nclocks = r.nclocks;
	if (r.nissues > 0) {
		char *t = issues_text(&r);

		cs = crf_fail(err, CRF_EDB, "the audit trail of %s is not intact: %s",
		    shown, t);
		free(t);
		if (trail_bad != NULL)
			*trail_bad = true;
	}
	audit_report_clear(&r);
	if (cs == CRF_OK && single_file) {
		rc = sqlite3_exec(st->db, "PRAGMA journal_mode = DELETE", NULL, NULL,
		    NULL);
		if (rc != SQLITE_OK)
			cs = sql_fail(st->db, rc, err, shown);
	}
out:
	free(bad);
	store_close(st);
	if (cs == CRF_OK)
		out->bytes = file_size(path);
	else
		backup_summary_clear(out);
	return cs;
}

/* ---- Backup ----------------------------------------------------------------- */

/* Copy the snapshot of st into the new empty file tmp. */
static crf_status
snapshot_copy(store *st, const char *tmp, const char *path,
    const backup_opts *o, crf_err *err)
{
	sqlite3 *dst = NULL;
	crf_status cs;
	int rc;

	/* One read transaction on the source for the whole copy: every step
	 * reads the same snapshot (see the note at the top). */
	if ((cs = store_begin_read(st, err)) != CRF_OK)
		return cs;
	rc = sql_int(st->db, "SELECT count(*) FROM sqlite_schema", NULL);
	if (rc != SQLITE_OK) {
		cs = store_fail(st, rc, err);
		store_rollback(st);
		return cs;
	}
	rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = copy_pages(dst, st->db, o != NULL && o->pages_per_step > 0 ?
		    o->pages_per_step : BACKUP_PAGES_PER_STEP,
		    o != NULL ? o->progress : NULL, o != NULL ? o->ctx : NULL);
	if (rc != SQLITE_OK) {
		char *what = xasprintf("cannot write the backup %s", path);

		cs = sql_fail(dst, rc, err, what);
		free(what);
	}
	if (sqlite3_close(dst) != SQLITE_OK && cs == CRF_OK)
		cs = crf_fail(err, CRF_EIO, "cannot close the backup %s", path);
	store_rollback(st);   /* ends the read transaction */
	return cs;
}

crf_status
backup_take(store *st, const char *path, const backup_opts *o,
    backup_summary *out, crf_err *err)
{
	backup_summary sum = { 0 };
	struct stat sb;
	char *tmp, *dir;
	bool trail_bad = false;
	crf_status cs;

	memset(out, 0, sizeof *out);
	if (str_blank(path))
		return crf_fail(err, CRF_EINVAL, "no backup file was given");
	if (lstat(path, &sb) == 0)
		return crf_fail(err, CRF_EEXIST, "%s already exists: a backup never "
		    "replaces a file; give a new name", path);
	dir = path_dirname(path);
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		cs = crf_fail(err, CRF_ENOENT, "cannot write %s: the folder %s does "
		    "not exist", path, dir);
		free(dir);
		return cs;
	}
	if ((cs = temp_beside(path, ".tmp-", &tmp, err)) != CRF_OK) {
		free(dir);
		return cs;
	}
	cs = snapshot_copy(st, tmp, path, o, err);
	if (cs == CRF_OK)
		cs = check_db(tmp, "the copy", NULL, true, NULL, true, &sum,
		    &trail_bad, err);
	if (trail_bad && err != NULL) {
		/* Is the copy bad, or the database it was taken from? */
		audit_report r;
		crf_err e2;
		size_t len = strlen(err->msg);

		if (store_audit_verify(st, NULL, &r, &e2) == CRF_OK)
			snprintf(err->msg + len, sizeof err->msg - len, r.nissues > 0 ?
			    "; the site database fails the same check: run crf audit "
			    "verify" : "; the site database itself passes the check: the "
			    "copy was damaged while it was written");
		audit_report_clear(&r);
	}
	if (cs == CRF_OK && sync_path(tmp) != 0)
		cs = crf_fail(err, CRF_EIO, "cannot write the backup %s: %s", path,
		    strerror(errno));
	if (cs == CRF_OK) {
		char *where = abs_path(path);

		cs = store_note_export(st, "backup", where, NULL, err);
		free(where);
	}
	if (cs == CRF_OK && rename_new(tmp, path) != 0)
		cs = crf_fail(err, errno == EEXIST ? CRF_EEXIST : CRF_EIO,
		    errno == EEXIST ? "%s was created by someone else meanwhile: the "
		    "backup was not written" : "cannot name the backup %s: %s", path,
		    strerror(errno));
	if (cs == CRF_OK)
		sync_path(dir);
	free(dir);
	if (cs != CRF_OK) {
		unlink_db(tmp);
		backup_summary_clear(&sum);
		free(tmp);
		return cs;
	}
	unlink_db(tmp);   /* only the side files are left: the copy was renamed */
	free(tmp);
	*out = sum;
	return CRF_OK;
}

/* ---- Reading a backup -------------------------------------------------------- */

/*
 * Open the backup file read-only and check what can be checked without
 * writing: an SQLite file, crf's application id, a schema this crf reads,
 * SQLite's integrity check.  *out is the open connection.
 */
static crf_status
open_backup(const char *file, sqlite3 **out, crf_err *err)
{
	struct stat sb;
	sqlite3 *db = NULL;
	char *bad = NULL;
	crf_status cs = CRF_OK;
	int app = 0, version = 0;
	int rc;

	*out = NULL;
	if (str_blank(file))
		return crf_fail(err, CRF_EINVAL, "no backup file was given");
	if (stat(file, &sb) != 0)
		return crf_fail(err, errno == ENOENT ? CRF_ENOENT : CRF_EIO,
		    "cannot read the backup %s: %s", file, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return crf_fail(err, CRF_EINVAL, "%s is not a file", file);
	if (sb.st_size == 0)
		return crf_fail(err, CRF_EDB, "%s is empty: it is not a crf backup",
		    file);
	rc = sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sql_int(db, "PRAGMA application_id", &app);
	if (rc == SQLITE_OK)
		rc = sql_int(db, "PRAGMA user_version", &version);
	if (rc != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_NOTADB)
			cs = crf_fail(err, CRF_EDB, "%s is not a crf backup (not an "
			    "SQLite database)", file);
		else if ((rc & 0xff) == SQLITE_CORRUPT)
			cs = crf_fail(err, CRF_EDB, "%s is damaged: SQLite says: %s",
			    file, sqlite3_errmsg(db));
		else
			cs = sql_fail(db, rc, err, file);
	} else if (app != BACKUP_APP_ID) {
		cs = crf_fail(err, CRF_EDB, "%s is not a crf backup (an SQLite "
		    "database of another program)", file);
	} else if (version > STORE_SCHEMA_VERSION) {
		cs = crf_fail(err, CRF_ESCHEMA, "%s was made by a newer version of "
		    "crf (schema %d; this crf knows up to %d): restore it with the "
		    "newer crf", file, version, STORE_SCHEMA_VERSION);
	} else if ((rc = integrity(db, &bad)) != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_CORRUPT)
			cs = crf_fail(err, CRF_EDB, "%s is damaged: SQLite says: %s",
			    file, sqlite3_errmsg(db));
		else
			cs = sql_fail(db, rc, err, file);
	} else if (bad != NULL) {
		cs = crf_fail(err, CRF_EDB, "%s is damaged: SQLite's integrity check "
		    "says: %s", file, bad);
	}
	free(bad);
	if (cs != CRF_OK) {
		sqlite3_close(db);
		return cs;
	}
	*out = db;
	return CRF_OK;
}

/* Copy the open backup src into a new temporary file next to base, then
 * check it there (site, audit trail) and leave it a single file.
 * *stage receives its path. */
static crf_status
stage_backup(sqlite3 *src, const char *file, const char *base,
    const char *site_code, char **stage, backup_summary *sum, crf_err *err)
{
	sqlite3 *dst = NULL;
	crf_status cs = CRF_OK;
	int rc;

	memset(sum, 0, sizeof *sum);
	if ((cs = temp_beside(base, ".restore-", stage, err)) != CRF_OK)
		return cs;
	rc = sqlite3_open_v2(*stage, &dst, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = copy_pages(dst, src, -1, NULL, NULL);
	if (rc != SQLITE_OK) {
		char *what = xasprintf("cannot copy %s to %s", file, *stage);

		cs = sql_fail(dst, rc, err, what);
		free(what);
	}
	sqlite3_close(dst);
	if (cs == CRF_OK)
		cs = check_db(*stage, file, site_code, false, NULL, true, sum, NULL,
		    err);
	if (cs != CRF_OK) {
		unlink_db(*stage);
		free(*stage);
		*stage = NULL;
	}
	return cs;
}

crf_status
backup_check(const char *path, const char *site_code, backup_summary *out,
    crf_err *err)
{
	const char *tmpdir = getenv("TMPDIR");
	sqlite3 *src = NULL;
	char *base, *stage = NULL;
	crf_status cs;

	memset(out, 0, sizeof *out);
	if ((cs = open_backup(path, &src, err)) != CRF_OK)
		return cs;
	base = path_join(str_blank(tmpdir) ? "/tmp" : tmpdir, "crf-check");
	cs = stage_backup(src, path, base, site_code, &stage, out, err);
	sqlite3_close(src);
	if (cs == CRF_OK) {
		out->bytes = file_size(path);
		unlink_db(stage);
	}
	free(stage);
	free(base);
	return cs;
}

/* ---- Restore ----------------------------------------------------------------- */

/* "<db>.before-restore-<UTC time>", a name not taken yet (created empty,
 * mode 0600), into *out (owned). */
static crf_status
aside_name(const char *db_path, char **out, crf_err *err)
{
	time_t now = clock_now();
	struct tm tm;
	char stamp[32];
	char *db = abs_path(db_path);

	*out = NULL;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	for (int i = 1; i < 100; i++) {
		char *p = i == 1 ? xasprintf("%s.before-restore-%s", db, stamp) :
		    xasprintf("%s.before-restore-%s-%d", db, stamp, i);
		int fd = open(p, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

		if (fd >= 0) {
			close(fd);
			free(db);
			*out = p;
			return CRF_OK;
		}
		free(p);
		if (errno != EEXIST) {
			int e = errno;

			free(db);
			return crf_fail(err, e == ENOSPC ? CRF_EFULL : CRF_EIO,
			    "cannot keep %s aside: %s", db_path, strerror(e));
		}
	}
	free(db);
	return crf_fail(err, CRF_EEXIST, "cannot keep %s aside: too many copies "
	    "made in this second", db_path);
}

/* Move a file SQLite cannot read to the name kept aside, with its WAL
 * and shared-memory files. */
static crf_status
move_aside(const char *db_path, const char *aside, crf_err *err)
{
	static const char *const suffix[] = { "-wal", "-shm", "-journal" };

	if (rename(db_path, aside) != 0)
		return crf_fail(err, CRF_EIO, "cannot move %s to %s: %s", db_path,
		    aside, strerror(errno));
	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		char *from = xasprintf("%s%s", db_path, suffix[i]);
		char *to = xasprintf("%s%s", aside, suffix[i]);

		if (rename(from, to) != 0 && errno != ENOENT) {
			crf_status cs = crf_fail(err, CRF_EIO, "cannot move %s to %s: %s",
			    from, to, strerror(errno));

			free(from);
			free(to);
			return cs;
		}
		free(from);
		free(to);
	}
	return CRF_OK;
}

/*
 * The restore's connection to db_path, holding SQLite's exclusive lock
 * (see the note at the top).  *unreadable is set, and CRF_OK returned
 * with *out NULL, when the file is there but SQLite cannot read it as a
 * database.
 */
static crf_status
lock_db(const char *db_path, sqlite3 **out, bool *unreadable, crf_err *err)
{
	sqlite3 *db = NULL;
	crf_status cs = CRF_OK;
	int rc = sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL);

	*out = NULL;
	*unreadable = false;
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, RESTORE_LOCK_MS);
		rc = sqlite3_exec(db, "PRAGMA locking_mode = EXCLUSIVE", NULL, NULL,
		    NULL);
	}
	if (rc == SQLITE_OK)
		rc = sql_int(db, "SELECT count(*) FROM sqlite_schema", NULL);
	if (rc == SQLITE_OK)   /* a rollback-journal file: the lock now */
		rc = sqlite3_exec(db, "BEGIN EXCLUSIVE; COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK) {
		*out = db;
		return CRF_OK;
	}
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		cs = crf_fail(err, CRF_EBUSY, "the database %s is in use: a crf "
		    "session (or another program) has it open; stop every session "
		    "and run crf restore again (nothing was changed)", db_path);
		break;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		*unreadable = true;
		break;
	default:
		cs = sql_fail(db, rc, err, db_path);
		break;
	}
	sqlite3_close(db);
	return cs;
}

/* Keep the locked database aside (a consistent copy through the backup
 * API, WAL included) and switch its connection to a rollback journal for
 * the overwrite. */
static crf_status
keep_aside(sqlite3 *live, const char *db_path, const char *aside, crf_err *err)
{
	sqlite3 *dst = NULL;
	crf_status cs = CRF_OK;
	int rc = sqlite3_open_v2(aside, &dst, SQLITE_OPEN_READWRITE, NULL);

	if (rc == SQLITE_OK)
		rc = copy_pages(dst, live, -1, NULL, NULL);
	if (rc != SQLITE_OK) {
		char *what = xasprintf("cannot keep %s aside as %s", db_path, aside);

		cs = sql_fail(dst, rc, err, what);
		free(what);
	}
	if (sqlite3_close(dst) != SQLITE_OK && cs == CRF_OK)
		cs = crf_fail(err, CRF_EIO, "cannot close %s", aside);
	if (cs == CRF_OK && sync_path(aside) != 0)
		cs = crf_fail(err, CRF_EIO, "cannot keep %s aside as %s: %s", db_path,
		    aside, strerror(errno));
	if (cs == CRF_OK) {
		rc = sqlite3_exec(live, "PRAGMA journal_mode = DELETE", NULL, NULL,
		    NULL);
		if (rc != SQLITE_OK)
			cs = sql_fail(live, rc, err, db_path);
	}
	return cs;
}

/* Copy the checked stage into the connection dst (db_path). */
static crf_status
write_in(sqlite3 *dst, const char *stage, const char *db_path, crf_err *err)
{
	sqlite3 *src = NULL;
	crf_status cs = CRF_OK;
	int rc = sqlite3_open_v2(stage, &src, SQLITE_OPEN_READONLY, NULL);
	bool opened = rc == SQLITE_OK;

	if (opened)
		rc = copy_pages(dst, src, -1, NULL, NULL);
	if (rc != SQLITE_OK) {
		char *what = xasprintf("cannot write %s", db_path);

		cs = sql_fail(opened ? dst : src, rc, err, what);
		free(what);
	}
	sqlite3_close(src);
	return cs;
}

/* Append the audit row of the restore to the restored database. */
static crf_status
note_restore(const char *db_path, const char *file, const char *aside,
    const backup_summary *b, crf_err *err)
{
	char *real = realpath(file, NULL);
	char *reason = xasprintf("restored from a backup of site %s with %lld audit "
	    "row%s, head of its chain %lld:%s", b->site_code, b->rows,
	    b->rows == 1 ? "" : "s", b->last_seq, b->head);
	audit_entry a = { .action = "restore", .old_value = aside,
	    .new_value = real != NULL ? real : file, .reason = reason };
	store *st = NULL;
	crf_status cs = store_open(db_path, &st, err);
	int rc;

	if (cs == CRF_OK)
		cs = store_begin_write(st, err);
	if (cs == CRF_OK) {
		rc = audit_put(st, &a);
		if (rc != SQLITE_OK) {
			cs = store_fail(st, rc, err);
			store_rollback(st);
		} else {
			cs = store_commit(st, err);
		}
	}
	store_close(st);
	free(real);
	free(reason);
	return cs;
}

/* Same file?  (A restore of the site database onto itself.) */
static bool
same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	    sa.st_ino == sb.st_ino;
}

crf_status
backup_restore(const char *file, const char *db_path, const char *site_code,
    bool replace, restore_result *out, crf_err *err)
{
	restore_result res = { 0 };
	struct stat sb;
	sqlite3 *src = NULL, *live = NULL;
	char *stage = NULL, *dir = NULL;
	bool exists, unreadable = false;
	audit_head head;
	crf_status cs;

	if (out != NULL)
		memset(out, 0, sizeof *out);
	if (str_blank(db_path) || str_blank(site_code))
		return crf_fail(err, CRF_EINVAL, "the configuration names no site "
		    "database or site code");
	if (str_blank(file))
		return crf_fail(err, CRF_EINVAL, "no backup file was given");
	if (same_file(file, db_path))
		return crf_fail(err, CRF_EINVAL, "%s is the site database itself, "
		    "not a backup of it", file);
	exists = lstat(db_path, &sb) == 0;
	if (exists && S_ISDIR(sb.st_mode))
		return crf_fail(err, CRF_EINVAL, "%s is a folder, not a database",
		    db_path);
	if (exists && !replace)
		return crf_fail(err, CRF_EEXIST, "the site database %s exists: crf "
		    "restore --replace keeps it aside and restores over it", db_path);

	/* 1. The backup, checked on a copy next to the database. */
	dir = path_dirname(db_path);
	if (stat(dir, &sb) != 0 && path_make_dirs(dir) != 0) {
		cs = crf_fail(err, CRF_EIO, "cannot create the folder %s: %s", dir,
		    strerror(errno));
		goto out;
	}
	if ((cs = open_backup(file, &src, err)) != CRF_OK)
		goto out;
	cs = stage_backup(src, file, db_path, site_code, &stage, &res.backup, err);
	sqlite3_close(src);
	if (cs != CRF_OK)
		goto out;
	res.backup.bytes = file_size(file);

	/* 2. The database there now: locked, and kept aside. */
	if (exists) {
		if ((cs = lock_db(db_path, &live, &unreadable, err)) != CRF_OK)
			goto out;
		if ((cs = aside_name(db_path, &res.aside, err)) != CRF_OK)
			goto out;
		if (unreadable)
			cs = move_aside(db_path, res.aside, err);
		else
			cs = keep_aside(live, db_path, res.aside, err);
		if (cs != CRF_OK) {
			if (!unreadable)
				unlink(res.aside);   /* the database itself is untouched */
			free(res.aside);
			res.aside = NULL;
			goto out;
		}
	}
	if (live == NULL) {
		int fd = open(db_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		int rc;

		if (fd < 0) {
			cs = crf_fail(err, errno == EEXIST ? CRF_EEXIST : CRF_EIO,
			    "cannot create %s: %s", db_path, strerror(errno));
			goto out;
		}
		close(fd);
		rc = sqlite3_open_v2(db_path, &live, SQLITE_OPEN_READWRITE, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(live, "PRAGMA locking_mode = EXCLUSIVE", NULL,
			    NULL, NULL);
		if (rc != SQLITE_OK) {
			cs = sql_fail(live, rc, err, db_path);
			goto out;
		}
	}

	/* 3. The checked copy written in, under the lock. */
	cs = write_in(live, stage, db_path, err);
	if (sqlite3_close(live) != SQLITE_OK && cs == CRF_OK)
		cs = crf_fail(err, CRF_EIO, "cannot close %s", db_path);
	live = NULL;
	if (cs != CRF_OK)
		goto out;

	/* 4. Noted in its own trail, then checked with the backup's head. */
	if ((cs = note_restore(db_path, file, res.aside, &res.backup, err)) != CRF_OK)
		goto out;
	head.seq = res.backup.last_seq;
	memcpy(head.hash, res.backup.head, sizeof head.hash);
	cs = check_db(db_path, db_path, site_code, true,
	    res.backup.rows > 0 ? &head : NULL, false, &res.restored, NULL, err);
out:
	if (live != NULL)
		sqlite3_close(live);
	if (stage != NULL)
		unlink_db(stage);
	free(stage);
	free(dir);
	if (cs != CRF_OK && res.aside != NULL && err != NULL) {
		size_t len = strlen(err->msg);

		snprintf(err->msg + len, sizeof err->msg - len, "; the database as it "
		    "was before is kept as %s", res.aside);
	}
	if (out != NULL && cs == CRF_OK)
		*out = res;
	else
		restore_result_clear(&res);
	return cs;
}
