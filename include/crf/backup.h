/*
 * backup.h - copies of the site database: taking a backup while sessions
 * go on working, checking a backup, restoring one.
 *
 * A backup is one SQLite file, a page-for-page copy of the site database
 * as it stood at one moment (SQLite's online backup API, reading one
 * snapshot of the database while other sessions keep saving).  Every copy
 * crf writes or restores is checked before it is trusted: SQLite's
 * integrity check, then store_audit_verify() (the hash chain, the data
 * against the trail, signatures, locks, queries and the append-only
 * triggers).  A copy that fails is removed, never left half-made under
 * the name asked for.  docs/backup.md is the procedure for people.
 */
#ifndef CRF_BACKUP_H
#define CRF_BACKUP_H

#include <stdbool.h>
#include <stddef.h>

#include "crf/audit.h"
#include "crf/status.h"
#include "crf/store.h"

/* Pages copied per step of the backup when the caller does not say. */
#define BACKUP_PAGES_PER_STEP 256

/* What a checked copy holds. */
typedef struct backup_summary {
	char *site_code;                /* from its site record */
	char *site_name;
	long long rows;                 /* audit rows */
	long long last_seq;             /* the head of the chain: seq ... */
	char head[AUDIT_HASH_HEX + 1];  /* ... and hash ("" when no row) */
	size_t nclocks;                 /* clock anomalies (warnings only) */
	long long bytes;                /* size of the file */
} backup_summary;

void backup_summary_clear(backup_summary *s);

/* Called after each step of a copy with the pages copied so far and the
 * pages of the database (a progress bar). */
typedef void (*backup_progress)(void *ctx, int done, int total);

typedef struct backup_opts {
	int pages_per_step;             /* <= 0: BACKUP_PAGES_PER_STEP */
	backup_progress progress;       /* may be NULL */
	void *ctx;                      /* passed to progress */
} backup_opts;

/*
 * Write a backup of the open site database st to path, a file that must
 * not exist yet (CRF_EEXIST; a backup never replaces anything).  The
 * copy reads one snapshot of the database in steps of o->pages_per_step
 * pages while other sessions go on saving (write-ahead logging: neither
 * side waits for the other; saves made after the snapshot are not in
 * the copy); it is written to a temporary file next to path, checked
 * (integrity, audit trail: any issue fails it; clock anomalies are only
 * counted), turned into a single self-contained file (rollback journal,
 * so that it can be read where it lies, also read-only), synced, noted
 * in the site's audit trail (store_note_export: "backup", where) and
 * only then renamed to path.  o may be NULL.  On success *out describes
 * the copy (its audit head is that of the snapshot: the note comes
 * after it).  On any failure nothing is left at path or beside it, and
 * err says why; when the copy's audit trail fails, err also says
 * whether the site database itself fails the same check.
 */
crf_status backup_take(store *st, const char *path, const backup_opts *o,
    backup_summary *out, crf_err *err);

/*
 * Check a backup file without restoring it: it is a crf database (of
 * site site_code when that is not NULL: CRF_EINVAL naming both codes
 * otherwise), of a schema this crf reads (CRF_ESCHEMA), intact (CRF_EDB
 * with SQLite's first complaint) and its audit trail verifies (CRF_EDB
 * with the first issue).  path is only read: the checks run on a
 * temporary copy in $TMPDIR (or /tmp), removed afterwards.
 */
crf_status backup_check(const char *path, const char *site_code,
    backup_summary *out, crf_err *err);

typedef struct restore_result {
	backup_summary backup;          /* the backup that was restored */
	backup_summary restored;        /* the site database afterwards */
	char *aside;                    /* where the database before was
	                                   kept, NULL when there was none */
} restore_result;

void restore_result_clear(restore_result *r);

/*
 * Restore the backup file as the site database db_path of site
 * site_code:
 *  1. the backup is copied to a temporary file next to db_path and
 *     checked there as by backup_check() (nothing else is touched when it
 *     fails);
 *  2. when db_path exists: without replace, CRF_EEXIST.  With replace,
 *     the database must not be open anywhere else: crf takes SQLite's
 *     exclusive lock on it and refuses with CRF_EBUSY while any session
 *     (or other program) has it open; holding the lock, it keeps the
 *     database as it was in db_path.before-restore-<UTC time> (a
 *     consistent copy, WAL included; a file SQLite cannot read at all is
 *     moved there instead), which crf never deletes;
 *  3. the checked copy is written into db_path with the backup API under
 *     the same lock (a new file when there was none), the lock released;
 *  4. the restored database is opened, an audit row "restore" is appended
 *     (old value the file kept aside, new value the backup's path,
 *     reason naming the backup's head of the chain), and the whole is
 *     checked again, with the backup's head: the trail up to it must be
 *     the backup's, unchanged (CRF_EDB otherwise; the file kept aside is
 *     still there).
 * out (may be NULL) receives both summaries and the path kept aside.
 */
crf_status backup_restore(const char *file, const char *db_path,
    const char *site_code, bool replace, restore_result *out, crf_err *err);

#endif
