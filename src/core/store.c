/*
 * store.c - the site database: one SQLite file per site.
 *
 * NOTES ON THE DESIGN OF THE SITE DATABASE
 *
 * A site keeps everything it records in one SQLite file: the site record,
 * the subjects, one row per form instance, one row per non-blank item and
 * the audit trail.  Several crf sessions (thin clients on one server, each
 * its own process) may have the same file open at once.
 *
 * Definition: a "save" is one call of store_save_form() (or of
 * store_add_subject()).  A "form instance" is one (subject, event,
 * event repeat, form, form repeat); its "version" counts the saves that
 * changed it.
 *
 * The following invariants hold at every moment another session or a
 * crash could observe the file:
 *
 * (1) One transaction per save.  A save is BEGIN IMMEDIATE ... COMMIT;
 *     any failure rolls the whole of it back.  A form instance is either
 *     fully saved or untouched, never half-saved.
 *
 * (2) The audit trail is written in the same transaction as the data it
 *     describes.  There is no data change without its audit rows and no
 *     audit row without its change.
 *
 * (3) The audit trail is append-only.  Triggers on the audit table abort
 *     every UPDATE and DELETE with "the audit trail cannot be changed",
 *     whoever issues it.  A cleared item loses its row in the item table;
 *     its history stays in the audit trail.
 *
 * (4) Only static SQL text.  Every value reaches SQLite as a bound
 *     parameter of a prepared statement; no SQL is ever built from data.
 *     Statements are prepared once (SQLITE_PREPARE_PERSISTENT), cached in
 *     the store and finalised by store_close().  Every statement is reset
 *     as soon as its rows are read, so that no read transaction outlives
 *     the call that began it.
 *
 * (5) Optimistic concurrency.  A session loads a form with its version
 *     and saves with that version as expected_version.  The check is made
 *     under the write lock, inside the save's transaction: if the stored
 *     version differs, someone else saved in between and the save is
 *     refused with CRF_ECONFLICT, naming who and when.  Nobody holds a
 *     lock while a person types.  A save that changes nothing leaves the
 *     version alone.
 *
 * (6) Durability.  journal_mode=WAL with synchronous=FULL: the WAL is
 *     synced at every commit, so a save that returned CRF_OK survives a
 *     power cut, and an interrupted one is discarded by WAL recovery the
 *     next time the file is opened.  WAL also lets readers go on while a
 *     save is being written.
 *
 * (7) Timestamps come from the system clock (clock_now(), which tests
 *     replace with CRF_NOW) and are stored as UTC ISO 8601 text plus the
 *     local offset of the moment, "2026-01-15T09:30:00Z" and "+08:00".
 *     All rows written by one save share one timestamp.
 *
 * (8) A busy timeout of STORE_BUSY_TIMEOUT_MS.  Saves are short, so a
 *     session that finds another one saving waits for it; only when the
 *     wait runs out is the save refused with CRF_EBUSY, and nothing was
 *     written.
 *
 * THE AUDIT TRAIL AS A HASH CHAIN (schema version 2)
 *
 * (9) Every audit row carries hash, BLAKE2b-256 of the previous row's hash
 *     and the row's own columns, seq and clock_back included, in the
 *     canonical encoding "crf-audit-1" defined in audit.h (NULL distinct
 *     from empty text).  audit_put() computes it and writes it in the same
 *     INSERT as the row, inside the transaction of the change and so
 *     under its write lock (every audit_put() follows BEGIN IMMEDIATE):
 *     two sessions never chain onto the same row, and a rolled-back save
 *     leaves no link behind.  Changing, removing or adding a row with any
 *     other tool breaks the chain at that row.
 *
 * (10) seq is the order of the trail.  audit_put() gives each row, as an
 *     explicit value, seq = 1 + the larger of the highest seq present and
 *     SQLite's AUTOINCREMENT counter for audit (sqlite_sequence), so seq
 *     runs 1, 2, 3... without a gap: a gap, or a counter above the last
 *     row, is a deleted row.  The order of the trail is seq, not time.
 *
 * (11) Clocks are recorded, never corrected.  A row whose ts_utc is
 *     earlier than the latest time the trail has already seen (the
 *     computer's clock was set back, as happens on offline laptops) keeps
 *     the time the clock gave and gets clock_back = 1; so does every row
 *     written until the clock has caught up again.  Verification lists
 *     these rows as clock anomalies.
 *
 * (12) The current data agree with the trail.  For every item, the latest
 *     create/update/clear row of its field (subject key, event, event
 *     repeat, form, form repeat, field) has the item's value and missing
 *     code as new_value and new_missing; every field whose latest such row
 *     is a create or an update has its item; every form instance's status
 *     is form_status_name() of the new_value of its latest "status" row.
 *     Any new code path that changes an item or a status must write the
 *     matching audit row in the same transaction, or verification reports
 *     the data as changed outside crf.
 *
 * (13) What the chain proves.  There is no secret key: it exposes changes
 *     made outside crf (the sqlite3 shell, a hex editor), not a person who
 *     knows this encoding, has write access and recomputes every later
 *     hash.  store_audit_verify() returns the head of the chain (last seq
 *     and its hash); a head noted away from the site, in a monitor's visit
 *     report for instance, and given back to store_audit_verify() pins
 *     every row up to it.  Verification also checks that the append-only
 *     triggers of (3) are there with the text step 0 gave them
 *     (AUDIT_NO_UPDATE_SQL, AUDIT_NO_DELETE_SQL).
 *
 * SCHEMA VERSIONS
 *
 * PRAGMA application_id is STORE_APP_ID ("CRF1") in every crf database;
 * a file without it is not opened.  PRAGMA user_version is the schema
 * version.  store_migrations[i] is the step that takes the schema from
 * version i to i + 1: an SQL script, then optionally C work on the rows
 * and a second SQL script; the step's last script ends by setting
 * user_version to i + 1.  Steps are only ever appended: a released step is
 * never edited.  store_create() runs every step on the empty file;
 * store_open() runs the missing ones.  Either way the steps run in one
 * transaction, under the write lock, after reading user_version again
 * under that lock (so that two sessions opening an old file at once
 * migrate it once).  A file whose user_version is above
 * STORE_SCHEMA_VERSION was written by a newer crf and is refused without
 * being touched.
 *
 * Step 1 -> 2 adds audit.clock_back and audit.hash, drops the trigger
 * audit_no_update while migrate_chain() fills both in for the rows that
 * exist (in seq order, as audit_put() would have), and creates the trigger
 * again.  Rows written before the upgrade are chained as they were found:
 * the chain proves that they have not changed since the upgrade.
 *
 * Step 4 -> 5 adds transfer_out, one append-only row per transfer file the
 * site has written for the coordinating centre (transfer.h): its FileOID,
 * the FileOID before it, the audit rows it carries and its checksum; and,
 * used in a central database (site.mode 'central', central.h),
 * transfer_in (each transfer applied), site_audit (the sites' own audit
 * records, apart from the centre's chained trail) and import_conflict.
 *
 * Step 5 -> 6 adds site_admin, used in a central database: each site's
 * admin data as the latest file from it gave them (the site's name and
 * effective date, its users with their names and types, its signature
 * meanings), so that the site's slice of the centre is exported as the
 * site would export it.  A row is replaced when a later file says
 * otherwise; the files themselves stay in transfer_in and site_audit.
 *
 * THE LIFE OF A FORM INSTANCE
 *
 *               store_save_form(incomplete)
 *   NOT_STARTED ----------------------> INCOMPLETE <----+
 *        |                                |  ^  |       | store_save_form
 *        |      store_save_form(complete) |  |  +-------+ (incomplete)
 *        |                                |  | store_save_form
 *        |                                v  | (incomplete)
 *        +-----------------------------> COMPLETE <-----+
 *           store_save_form(complete)     |     |       | store_save_form
 *                                         |     +-------+ (complete): a
 *                                         v               reason is needed
 *                             VERIFIED, SIGNED, LOCKED    if an item changes
 *                                  (later issues)
 *
 * NOT_STARTED has no row: it is what store_load_form() reports for an
 * instance that was never saved.  Every save may also change items; once
 * the stored state is COMPLETE, a save that changes any item must give a
 * reason for change, which goes into each of its audit rows.  Later
 * issues add VERIFIED, SIGNED and LOCKED after COMPLETE (status 3 and
 * up: the table's CHECK already allows them).
 */
#include <errno.h>
#include <pwd.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "crf/audit.h"
#include "crf/central.h"
#include "crf/date.h"
#include "crf/lifecycle.h"
#include "crf/perm.h"
#include "crf/store.h"
#include "crf/util.h"
#include "store_impl.h"

/* PRAGMA application_id of a crf database: 0x43524631, "CRF1". */
#define STORE_APP_ID 1129465393
_Static_assert(STORE_APP_ID == 0x43524631, "application_id is 'CRF1'");

/* argon2id cost: 7 MiB and 5 passes, one of OWASP's equivalent settings,
 * chosen for its small memory since many sessions share one site server.
 * The hash string records its own cost, so changing these keeps old
 * passwords valid. */
#define STORE_PW_OPSLIMIT 5
#define STORE_PW_MEMLIMIT (7u * 1024 * 1024)

/* How long a session waits for another one's save to finish. */
#define STORE_BUSY_TIMEOUT_MS 5000

#define STORE_STR_(x) #x
#define STORE_STR(x) STORE_STR_(x)

static int migrate_chain(store *st);

/* The append-only triggers, as step 0 creates them (verification
 * compares the stored text with these). */
#define AUDIT_NO_UPDATE_SQL "CREATE TRIGGER audit_no_update BEFORE UPDATE" \
	" ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail cannot be changed');" \
	" END"
#define AUDIT_NO_DELETE_SQL "CREATE TRIGGER audit_no_delete BEFORE DELETE" \
	" ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail cannot be changed');" \
	" END"

/* The triggers that keep signatures, locks and queries (schema 4). */
#define SIGNATURE_NO_UPDATE_SQL "CREATE TRIGGER signature_no_update BEFORE UPDATE" \
	" ON signature BEGIN SELECT RAISE(ABORT, 'signatures cannot be changed');" \
	" END"
#define SIGNATURE_NO_DELETE_SQL "CREATE TRIGGER signature_no_delete BEFORE DELETE" \
	" ON signature BEGIN SELECT RAISE(ABORT, 'signatures cannot be changed');" \
	" END"
#define LOCK_NO_DELETE_SQL "CREATE TRIGGER record_lock_no_delete BEFORE DELETE" \
	" ON record_lock BEGIN SELECT RAISE(ABORT, 'locks are never deleted: unlock them');" \
	" END"
#define QUERY_NO_DELETE_SQL "CREATE TRIGGER data_query_no_delete BEFORE DELETE" \
	" ON data_query BEGIN SELECT RAISE(ABORT, 'queries are never deleted: close them');" \
	" END"
#define MESSAGE_NO_UPDATE_SQL "CREATE TRIGGER query_message_no_update BEFORE UPDATE" \
	" ON query_message BEGIN SELECT RAISE(ABORT, 'query messages cannot be changed');" \
	" END"
#define MESSAGE_NO_DELETE_SQL "CREATE TRIGGER query_message_no_delete BEFORE DELETE" \
	" ON query_message BEGIN SELECT RAISE(ABORT, 'query messages cannot be changed');" \
	" END"

/* Step i takes the schema from version i to i + 1: sql, then code (when
 * not NULL), then after (when not NULL), all in the caller's
 * transaction.  Append only. */
static const struct store_step {
	const char *sql;
	int (*code)(store *st);
	const char *after;
} store_migrations[] = {
	/* 0 -> 1 */
	{ "CREATE TABLE site ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" code TEXT NOT NULL CHECK (code <> ''),"
	" name TEXT NOT NULL,"
	" created_at TEXT NOT NULL,"
	" created_by TEXT NOT NULL,"
	" mode TEXT NOT NULL DEFAULT 'site');"
	"CREATE TABLE counter ("
	" name TEXT PRIMARY KEY,"
	" value INTEGER NOT NULL);"
	"CREATE TABLE subject ("
	" id INTEGER PRIMARY KEY,"
	" key TEXT NOT NULL UNIQUE,"
	" status TEXT NOT NULL CHECK (status IN ('screening', 'enrolled',"
	"  'screen_failure', 'withdrawn', 'completed', 'died')),"
	" created_at TEXT NOT NULL,"
	" created_by TEXT NOT NULL);"
	"CREATE TABLE form_instance ("
	" id INTEGER PRIMARY KEY,"
	" subject_id INTEGER NOT NULL REFERENCES subject (id),"
	" event TEXT NOT NULL,"
	" event_repeat INTEGER NOT NULL CHECK (event_repeat >= 0),"
	" form TEXT NOT NULL CHECK (form <> ''),"
	" form_repeat INTEGER NOT NULL CHECK (form_repeat >= 1),"
	" status INTEGER NOT NULL CHECK (status >= 0),"
	" version INTEGER NOT NULL,"
	" form_version INTEGER NOT NULL,"
	" created_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL,"
	" updated_by TEXT NOT NULL,"
	" UNIQUE (subject_id, event, event_repeat, form, form_repeat));"
	"CREATE TABLE item ("
	" instance_id INTEGER NOT NULL REFERENCES form_instance (id),"
	" field TEXT NOT NULL CHECK (field <> ''),"
	" value TEXT,"
	" missing TEXT,"
	" flags INTEGER NOT NULL DEFAULT 0,"
	" CHECK (value IS NOT NULL OR missing IS NOT NULL),"
	" PRIMARY KEY (instance_id, field)) WITHOUT ROWID;"
	"CREATE TABLE audit ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" ts_utc TEXT NOT NULL,"
	" tz_offset TEXT NOT NULL,"
	" user TEXT NOT NULL,"
	" action TEXT NOT NULL,"
	" subject TEXT,"
	" event TEXT,"
	" event_repeat INTEGER,"
	" form TEXT,"
	" form_repeat INTEGER,"
	" field TEXT,"
	" old_value TEXT,"
	" old_missing TEXT,"
	" new_value TEXT,"
	" new_missing TEXT,"
	" reason TEXT);"
	"CREATE INDEX audit_by_form ON audit"
	" (subject, event, event_repeat, form, form_repeat, field);"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'the audit trail cannot be changed'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'the audit trail cannot be changed'); END;"
	"CREATE TABLE account ("
	" id INTEGER PRIMARY KEY,"
	" login TEXT NOT NULL UNIQUE,"
	" full_name TEXT NOT NULL,"
	" role TEXT NOT NULL,"
	" pw_hash TEXT NOT NULL,"
	" active INTEGER NOT NULL DEFAULT 1,"
	" created_at TEXT NOT NULL,"
	" created_by TEXT NOT NULL);"
	"CREATE TRIGGER account_no_delete BEFORE DELETE ON account"
	" BEGIN SELECT RAISE(ABORT, 'accounts are never deleted: retire them'); END;"
	"CREATE TABLE draft ("
	" subject_id INTEGER NOT NULL REFERENCES subject (id),"
	" event TEXT NOT NULL,"
	" event_repeat INTEGER NOT NULL,"
	" form TEXT NOT NULL,"
	" form_repeat INTEGER NOT NULL,"
	" user TEXT NOT NULL,"
	" base_version INTEGER NOT NULL,"
	" saved_at TEXT NOT NULL,"
	" PRIMARY KEY (subject_id, event, event_repeat, form, form_repeat, user));"
	"CREATE TABLE draft_item ("
	" subject_id INTEGER NOT NULL,"
	" event TEXT NOT NULL,"
	" event_repeat INTEGER NOT NULL,"
	" form TEXT NOT NULL,"
	" form_repeat INTEGER NOT NULL,"
	" user TEXT NOT NULL,"
	" field TEXT NOT NULL,"
	" value TEXT,"
	" missing TEXT,"
	" flags INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (subject_id, event, event_repeat, form, form_repeat, user, field),"
	" FOREIGN KEY (subject_id, event, event_repeat, form, form_repeat, user)"
	"  REFERENCES draft ON DELETE CASCADE) WITHOUT ROWID;"
	"PRAGMA user_version = 1;", NULL, NULL },
	/* 1 -> 2: the hash chain */
	{ "ALTER TABLE audit ADD COLUMN clock_back INTEGER NOT NULL DEFAULT 0"
	" CHECK (clock_back IN (0, 1));"
	"ALTER TABLE audit ADD COLUMN hash TEXT;"
	"CREATE INDEX audit_by_time ON audit (ts_utc);"
	"DROP TRIGGER audit_no_update;",
	migrate_chain,
	AUDIT_NO_UPDATE_SQL ";"
	"PRAGMA user_version = 2;" },
	/* 2 -> 3: lockout after wrong passwords */
	{ "ALTER TABLE account ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE account ADD COLUMN locked INTEGER NOT NULL DEFAULT 0"
	" CHECK (locked IN (0, 1));"
	"PRAGMA user_version = 3;", NULL, NULL },
	/* 3 -> 4: password age, source data verification, signatures, locks,
	 * queries, the subject's life cycle */
	{ "ALTER TABLE account ADD COLUMN pw_changed_at TEXT;"
	"UPDATE account SET pw_changed_at = created_at;"
	"ALTER TABLE account ADD COLUMN must_change INTEGER NOT NULL DEFAULT 0"
	" CHECK (must_change IN (0, 1));"
	"ALTER TABLE subject ADD COLUMN study_no TEXT;"
	"CREATE UNIQUE INDEX subject_by_study_no ON subject (study_no)"
	" WHERE study_no IS NOT NULL;"
	"ALTER TABLE subject ADD COLUMN status_date TEXT;"
	"ALTER TABLE subject ADD COLUMN status_reason TEXT;"
	"ALTER TABLE form_instance ADD COLUMN sdv_by TEXT;"
	"ALTER TABLE form_instance ADD COLUMN sdv_at TEXT;"
	"CREATE TABLE signature ("
	" id INTEGER PRIMARY KEY,"
	" subject_id INTEGER NOT NULL REFERENCES subject (id),"
	" scope TEXT NOT NULL CHECK (scope IN ('form', 'event', 'casebook')),"
	" event TEXT,"
	" event_repeat INTEGER,"
	" form TEXT,"
	" form_repeat INTEGER,"
	" login TEXT NOT NULL,"
	" full_name TEXT NOT NULL,"
	" meaning TEXT NOT NULL,"
	" signed_at TEXT NOT NULL,"
	" tz_offset TEXT NOT NULL,"
	" content_hash TEXT NOT NULL,"
	" audit_seq INTEGER NOT NULL);"
	"CREATE INDEX signature_by_subject ON signature (subject_id);"
	SIGNATURE_NO_UPDATE_SQL ";"
	SIGNATURE_NO_DELETE_SQL ";"
	"CREATE TABLE record_lock ("
	" id INTEGER PRIMARY KEY,"
	" subject_id INTEGER NOT NULL REFERENCES subject (id),"
	" scope TEXT NOT NULL CHECK (scope IN ('form', 'event', 'casebook')),"
	" event TEXT,"
	" event_repeat INTEGER,"
	" form TEXT,"
	" form_repeat INTEGER,"
	" locked_by TEXT NOT NULL,"
	" locked_at TEXT NOT NULL,"
	" unlocked_by TEXT,"
	" unlocked_at TEXT,"
	" unlock_reason TEXT);"
	"CREATE INDEX record_lock_by_subject ON record_lock (subject_id)"
	" WHERE unlocked_at IS NULL;"
	LOCK_NO_DELETE_SQL ";"
	"CREATE TABLE data_query ("
	" id INTEGER PRIMARY KEY,"
	" subject_id INTEGER NOT NULL REFERENCES subject (id),"
	" event TEXT NOT NULL,"
	" event_repeat INTEGER NOT NULL,"
	" form TEXT NOT NULL,"
	" form_repeat INTEGER NOT NULL,"
	" field TEXT,"
	" state TEXT NOT NULL CHECK (state IN ('open', 'answered', 'closed')),"
	" automatic INTEGER NOT NULL DEFAULT 0 CHECK (automatic IN (0, 1)),"
	" raised_by TEXT NOT NULL,"
	" raised_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL);"
	"CREATE INDEX data_query_by_subject ON data_query (subject_id, state);"
	QUERY_NO_DELETE_SQL ";"
	"CREATE TABLE query_message ("
	" query_id INTEGER NOT NULL REFERENCES data_query (id),"
	" n INTEGER NOT NULL,"
	" action TEXT NOT NULL CHECK (action IN ('raise', 'answer', 'close',"
	"  'reopen')),"
	" user TEXT NOT NULL,"
	" at TEXT NOT NULL,"
	" tz_offset TEXT NOT NULL,"
	" text TEXT,"
	" PRIMARY KEY (query_id, n)) WITHOUT ROWID;"
	MESSAGE_NO_UPDATE_SQL ";"
	MESSAGE_NO_DELETE_SQL ";"
	"PRAGMA user_version = 4;", NULL, NULL },
	/* 4 -> 5: a site's transfers to the coordinating centre (transfer.h);
	 * at the centre, the transfers applied, the sites' audit records and
	 * the conflicts (central.h) */
	{ "CREATE TABLE transfer_out ("
	" file_oid TEXT PRIMARY KEY,"
	" prior_file_oid TEXT REFERENCES transfer_out (file_oid),"
	" first_seq INTEGER NOT NULL,"
	" last_seq INTEGER NOT NULL UNIQUE CHECK (last_seq >= first_seq),"
	" created_at TEXT NOT NULL,"
	" checksum TEXT NOT NULL);"
	"CREATE TRIGGER transfer_out_no_update BEFORE UPDATE ON transfer_out"
	" BEGIN SELECT RAISE(ABORT, 'transfers are append-only'); END;"
	"CREATE TRIGGER transfer_out_no_delete BEFORE DELETE ON transfer_out"
	" BEGIN SELECT RAISE(ABORT, 'transfers are append-only'); END;"
	"CREATE TABLE transfer_in ("
	" file_oid TEXT PRIMARY KEY,"
	" site_code TEXT NOT NULL,"
	" prior_file_oid TEXT,"
	" checksum TEXT NOT NULL,"
	" imported_at TEXT NOT NULL,"
	" imported_by TEXT NOT NULL,"
	" changes INTEGER NOT NULL,"
	" conflicts INTEGER NOT NULL);"
	"CREATE TABLE site_audit ("
	" id INTEGER PRIMARY KEY,"
	" site_code TEXT NOT NULL,"
	" file_oid TEXT NOT NULL,"
	" record_id TEXT NOT NULL,"
	" user TEXT NOT NULL,"
	" ts TEXT NOT NULL,"
	" edit_point TEXT,"
	" action TEXT NOT NULL,"
	" subject TEXT NOT NULL,"
	" event TEXT,"
	" event_repeat INTEGER,"
	" form TEXT,"
	" form_repeat INTEGER,"
	" field TEXT,"
	" value TEXT,"
	" missing TEXT,"
	" reason TEXT);"
	"CREATE INDEX site_audit_by_item ON site_audit"
	" (site_code, subject, event, event_repeat, form, form_repeat, field);"
	"CREATE TABLE import_conflict ("
	" id INTEGER PRIMARY KEY,"
	" site_code TEXT NOT NULL,"
	" subject TEXT NOT NULL,"
	" event TEXT NOT NULL,"
	" event_repeat INTEGER NOT NULL,"
	" form TEXT NOT NULL,"
	" form_repeat INTEGER NOT NULL,"
	" field TEXT NOT NULL,"
	" central_value TEXT,"
	" central_missing TEXT,"
	" site_value TEXT,"
	" site_missing TEXT,"
	" file_oid TEXT NOT NULL,"
	" record_id TEXT NOT NULL,"
	" found_at TEXT NOT NULL);"
	"CREATE TRIGGER transfer_in_no_update BEFORE UPDATE ON transfer_in"
	" BEGIN SELECT RAISE(ABORT, 'imports are append-only'); END;"
	"CREATE TRIGGER transfer_in_no_delete BEFORE DELETE ON transfer_in"
	" BEGIN SELECT RAISE(ABORT, 'imports are append-only'); END;"
	"CREATE TRIGGER site_audit_no_update BEFORE UPDATE ON site_audit"
	" BEGIN SELECT RAISE(ABORT, 'the sites'' audit records cannot be changed'); END;"
	"CREATE TRIGGER site_audit_no_delete BEFORE DELETE ON site_audit"
	" BEGIN SELECT RAISE(ABORT, 'the sites'' audit records cannot be changed'); END;"
	"PRAGMA user_version = 5;", NULL, NULL },
	/* 5 -> 6: at the centre, each site's admin data as its latest file
	 * gave them (central.h) */
	{ "CREATE TABLE site_admin ("
	" site_code TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('location', 'user', 'signature')),"
	" oid TEXT NOT NULL,"
	" name TEXT,"
	" detail TEXT,"
	" file_oid TEXT NOT NULL,"
	" PRIMARY KEY (site_code, kind, oid));"
	"PRAGMA user_version = 6;", NULL, NULL },
};
_Static_assert(sizeof store_migrations / sizeof store_migrations[0] ==
    STORE_SCHEMA_VERSION, "one migration step per schema version");

/* The cached statements. */
enum store_sql {
	SQL_BEGIN_READ,
	SQL_BEGIN_WRITE,
	SQL_COMMIT,
	SQL_SITE_GET,
	SQL_SITE_PUT,
	SQL_COUNTER_BUMP,
	SQL_COUNTER_GET,
	SQL_SUBJECT_PUT,
	SQL_SUBJECT_FIND,
	SQL_SUBJECT_LIST,
	SQL_SUBJECT_KEY,
	SQL_INST_GET,
	SQL_INST_PUT,
	SQL_INST_SET,
	SQL_INST_LIST,
	SQL_ITEM_GET,
	SQL_ITEM_PUT,
	SQL_ITEM_DEL,
	SQL_ITEM_LIST,
	SQL_SUBJECT_ITEMS,
	SQL_AUDIT_PUT,
	SQL_AUDIT_LAST,
	SQL_AUDIT_COUNTER,
	SQL_AUDIT_FORM,
	SQL_AUDIT_FIELD,
	SQL_AUDIT_SUBJECT,
	SQL_AUDIT_CHAIN,
	SQL_AUDIT_REHASH,
	SQL_VERIFY_ITEMS,
	SQL_VERIFY_FORMS,
	SQL_VERIFY_TRIGGER,
	SQL_USER_COUNT,
	SQL_USER_PUT,
	SQL_USER_GET,
	SQL_USER_FAILED,
	SQL_USER_RETIRE,
	SQL_USER_ROLE,
	SQL_USER_PASSWORD,
	SQL_USER_LIST,
	SQL_DRAFT_DEL,
	SQL_DRAFT_PUT,
	SQL_DRAFT_ITEM_PUT,
	SQL_DRAFT_GET,
	SQL_DRAFT_ITEMS,
	SQL_COUNT
};

/* The columns of the canonical encoding, in its order (audit.h). */
#define AUDIT_CHAIN_COLS "seq, ts_utc, tz_offset, user, action, subject," \
	" event, event_repeat, form, form_repeat, field, old_value," \
	" old_missing, new_value, new_missing, reason, clock_back"
/* What audit_from_row() reads. */
#define AUDIT_COLS AUDIT_CHAIN_COLS ", hash," \
	" (SELECT full_name FROM account WHERE login = audit.user)"
/* The latest audit row of the item field in f (form_instance), s
 * (subject) and field expression FIELD, among the given actions. */
#define AUDIT_LATEST(FIELD, ACTIONS) "(SELECT max(b.seq) FROM audit AS b" \
	" WHERE b.subject = s.key AND b.event = f.event" \
	" AND b.event_repeat = f.event_repeat AND b.form = f.form" \
	" AND b.form_repeat = f.form_repeat" FIELD " AND b.action IN " ACTIONS ")"
#define ITEM_ACTIONS "('create', 'update', 'clear')"
#define SUBJECT_COLS "id, key, status, created_at, created_by, study_no," \
	" status_date, status_reason"
#define INST_MATCH "subject_id = ?1 AND event = ?2 AND event_repeat = ?3" \
	" AND form = ?4 AND form_repeat = ?5"
#define AUDIT_MATCH "subject = ?1 AND event = ?2 AND event_repeat = ?3" \
	" AND form = ?4 AND form_repeat = ?5"

_Static_assert((int)SQL_COUNT <= (int)STORE_SLOTS_CORE, "store.c has too many statements");

static const char *const store_sql[SQL_COUNT] = {
	[SQL_BEGIN_READ] = "BEGIN",
	[SQL_BEGIN_WRITE] = "BEGIN IMMEDIATE",
	[SQL_COMMIT] = "COMMIT",
	[SQL_SITE_GET] = "SELECT code, name FROM site WHERE id = 1",
	[SQL_SITE_PUT] = "INSERT INTO site (id, code, name, created_at,"
	    " created_by, mode) VALUES (1, ?1, ?2, ?3, ?4, 'site')",
	[SQL_COUNTER_BUMP] = "INSERT INTO counter (name, value) VALUES (?1, 1)"
	    " ON CONFLICT (name) DO UPDATE SET value = value + 1",
	[SQL_COUNTER_GET] = "SELECT value FROM counter WHERE name = ?1",
	[SQL_SUBJECT_PUT] = "INSERT INTO subject (key, status, created_at,"
	    " created_by) VALUES (?1, 'screening', ?2, ?3)",
	[SQL_SUBJECT_FIND] = "SELECT " SUBJECT_COLS " FROM subject WHERE key = ?1",
	[SQL_SUBJECT_LIST] = "SELECT " SUBJECT_COLS " FROM subject ORDER BY key",
	[SQL_SUBJECT_KEY] = "SELECT key FROM subject WHERE id = ?1",
	[SQL_INST_GET] = "SELECT id, status, version, form_version, updated_at,"
	    " updated_by, sdv_by, sdv_at FROM form_instance WHERE " INST_MATCH,
	[SQL_INST_PUT] = "INSERT INTO form_instance (subject_id, event,"
	    " event_repeat, form, form_repeat, status, version, form_version,"
	    " created_at, updated_at, updated_by)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, 0, 0, ?6, ?7, ?7, ?8)",
	[SQL_INST_SET] = "UPDATE form_instance SET status = ?2,"
	    " version = version + 1, form_version = ?3, updated_at = ?4,"
	    " updated_by = ?5 WHERE id = ?1",
	[SQL_INST_LIST] = "SELECT event, event_repeat, form, form_repeat, status,"
	    " version, updated_at, sdv_by IS NOT NULL FROM form_instance"
	    " WHERE subject_id = ?1"
	    " ORDER BY event, event_repeat, form, form_repeat",
	[SQL_ITEM_GET] = "SELECT value, missing, flags FROM item"
	    " WHERE instance_id = ?1 AND field = ?2",
	[SQL_ITEM_PUT] = "INSERT INTO item (instance_id, field, value, missing,"
	    " flags) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (instance_id, field)"
	    " DO UPDATE SET value = excluded.value, missing = excluded.missing,"
	    " flags = excluded.flags",
	[SQL_ITEM_DEL] = "DELETE FROM item WHERE instance_id = ?1 AND field = ?2",
	[SQL_ITEM_LIST] = "SELECT field, value, missing, flags FROM item"
	    " WHERE instance_id = ?1 ORDER BY field",
	[SQL_SUBJECT_ITEMS] = "SELECT f.event, f.event_repeat, f.form,"
	    " f.form_repeat, i.field, i.value, i.missing"
	    " FROM item AS i JOIN form_instance AS f ON f.id = i.instance_id"
	    " WHERE f.subject_id = ?1"
	    " ORDER BY f.event, f.event_repeat, f.form, f.form_repeat, i.field",
	[SQL_AUDIT_PUT] = "INSERT INTO audit (" AUDIT_CHAIN_COLS ", hash)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?16, ?17, ?18)",
	[SQL_AUDIT_LAST] = "SELECT seq, hash, (SELECT max(ts_utc) FROM audit)"
	    " FROM audit ORDER BY seq DESC LIMIT 1",
	[SQL_AUDIT_COUNTER] = "SELECT seq FROM sqlite_sequence"
	    " WHERE name = 'audit'",
	[SQL_AUDIT_FORM] = "SELECT " AUDIT_COLS " FROM audit WHERE " AUDIT_MATCH
	    " ORDER BY seq",
	[SQL_AUDIT_FIELD] = "SELECT " AUDIT_COLS " FROM audit WHERE " AUDIT_MATCH
	    " AND field = ?6 ORDER BY seq",
	[SQL_AUDIT_SUBJECT] = "SELECT " AUDIT_COLS " FROM audit WHERE subject = ?1"
	    " AND (?2 IS NULL OR event = ?2) AND (?3 IS NULL OR form = ?3)"
	    " ORDER BY seq",
	[SQL_AUDIT_CHAIN] = "SELECT " AUDIT_CHAIN_COLS ", hash FROM audit"
	    " WHERE seq > ?1 ORDER BY seq",
	[SQL_AUDIT_REHASH] = "UPDATE audit SET clock_back = ?2, hash = ?3"
	    " WHERE seq = ?1",
	/* Items that differ from the latest audit row of their field (or have
	 * none), then fields whose latest row created or updated an item that
	 * is not there. */
	[SQL_VERIFY_ITEMS] = "SELECT s.key, f.event, f.event_repeat, f.form,"
	    " f.form_repeat, i.field, 1, i.value, i.missing, a.seq, a.action,"
	    " a.new_value, a.new_missing"
	    " FROM item AS i JOIN form_instance AS f ON f.id = i.instance_id"
	    " JOIN subject AS s ON s.id = f.subject_id"
	    " LEFT JOIN audit AS a ON a.seq = "
	    AUDIT_LATEST(" AND b.field = i.field", ITEM_ACTIONS)
	    " WHERE a.seq IS NULL OR a.action = 'clear'"
	    " OR a.new_value IS NOT i.value OR a.new_missing IS NOT i.missing"
	    " UNION ALL"
	    " SELECT a.subject, a.event, a.event_repeat, a.form, a.form_repeat,"
	    " a.field, 0, NULL, NULL, a.seq, a.action, a.new_value, a.new_missing"
	    " FROM audit AS a WHERE a.action IN ('create', 'update')"
	    " AND a.subject IS NOT NULL AND a.seq = (SELECT max(b.seq)"
	    " FROM audit AS b WHERE b.subject = a.subject AND b.event = a.event"
	    " AND b.event_repeat = a.event_repeat AND b.form = a.form"
	    " AND b.form_repeat = a.form_repeat AND b.field = a.field"
	    " AND b.action IN " ITEM_ACTIONS ")"
	    " AND NOT EXISTS (SELECT 1 FROM item AS i"
	    " JOIN form_instance AS f ON f.id = i.instance_id"
	    " JOIN subject AS s ON s.id = f.subject_id WHERE s.key = a.subject"
	    " AND f.event = a.event AND f.event_repeat = a.event_repeat"
	    " AND f.form = a.form AND f.form_repeat = a.form_repeat"
	    " AND i.field = a.field)"
	    " ORDER BY 1, 2, 3, 4, 5, 6",
	[SQL_VERIFY_FORMS] = "SELECT s.key, f.event, f.event_repeat, f.form,"
	    " f.form_repeat, f.status, a.seq, a.new_value"
	    " FROM form_instance AS f JOIN subject AS s ON s.id = f.subject_id"
	    " LEFT JOIN audit AS a ON a.seq = " AUDIT_LATEST("", "('status')")
	    " ORDER BY 1, 2, 3, 4, 5",
	[SQL_VERIFY_TRIGGER] = "SELECT sql FROM sqlite_schema WHERE type = 'trigger'"
	    " AND name = ?1",
	[SQL_USER_COUNT] = "SELECT count(*) FROM account",
	[SQL_USER_PUT] = "INSERT INTO account (login, full_name, role, pw_hash,"
	    " created_at, created_by, pw_changed_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5)",
	[SQL_USER_GET] = "SELECT id, login, full_name, role, active, created_at,"
	    " pw_hash, failed_logins, locked, pw_changed_at, must_change"
	    " FROM account WHERE login = ?1",
	[SQL_USER_FAILED] = "UPDATE account SET failed_logins = ?2,"
	    " locked = ?3 WHERE login = ?1",
	[SQL_USER_RETIRE] = "UPDATE account SET active = 0 WHERE login = ?1",
	[SQL_USER_ROLE] = "UPDATE account SET role = ?2 WHERE login = ?1",
	[SQL_USER_PASSWORD] = "UPDATE account SET pw_hash = ?2, failed_logins = 0,"
	    " locked = 0, must_change = ?3, pw_changed_at = ?4 WHERE login = ?1",
	[SQL_USER_LIST] = "SELECT id, login, full_name, role, active, created_at,"
	    " locked, pw_changed_at, must_change FROM account ORDER BY login",
	[SQL_DRAFT_DEL] = "DELETE FROM draft WHERE " INST_MATCH " AND user = ?6",
	[SQL_DRAFT_PUT] = "INSERT INTO draft (subject_id, event, event_repeat, form,"
	    " form_repeat, user, base_version, saved_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[SQL_DRAFT_ITEM_PUT] = "INSERT INTO draft_item (subject_id, event,"
	    " event_repeat, form, form_repeat, user, field, value, missing, flags)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[SQL_DRAFT_GET] = "SELECT base_version, saved_at FROM draft WHERE "
	    INST_MATCH " AND user = ?6",
	[SQL_DRAFT_ITEMS] = "SELECT field, value, missing, flags FROM draft_item"
	    " WHERE " INST_MATCH " AND user = ?6 ORDER BY field",
};

/* ---- Errors ------------------------------------------------------------ */

static crf_status
store_fail_rc(sqlite3 *db, const char *path, int rc, crf_err *err)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return crf_fail(err, CRF_EBUSY,
		    "the database is busy: another session is saving; try again");
	case SQLITE_READONLY:
		return crf_fail(err, CRF_EREADONLY, "the database %s is read-only: "
		    "nothing can be saved to it; check the file's permissions", path);
	case SQLITE_FULL:
		return crf_fail(err, CRF_EFULL, "the disk is full: nothing was saved");
	case SQLITE_NOMEM:
		return crf_fail(err, CRF_ENOMEM, "out of memory: nothing was saved");
	case SQLITE_NOTADB:
		return crf_fail(err, CRF_EDB, "%s is not a crf database", path);
	case SQLITE_CORRUPT:
		return crf_fail(err, CRF_EDB, "the database %s is damaged (%s)", path,
		    db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	default:
		return crf_fail(err, CRF_EDB, "database error in %s: %s", path,
		    db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	}
}

crf_status
store_fail(store *st, int rc, crf_err *err)
{
	return store_fail_rc(st->db, st->path, rc, err);
}

/* ---- Statements -------------------------------------------------------- */

int
store_stmt_sql(store *st, int slot, const char *sql, sqlite3_stmt **out)
{
	int rc = SQLITE_OK;

	if (st->stmt[slot] == NULL)
		rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
		    &st->stmt[slot], NULL);
	*out = st->stmt[slot];
	return rc;
}

static int
store_stmt(store *st, enum store_sql id, sqlite3_stmt **out)
{
	return store_stmt_sql(st, (int)id, store_sql[id], out);
}

void
store_reset(sqlite3_stmt *s)
{
	if (s != NULL) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	}
}

int
bind_text(sqlite3_stmt *s, int i, const char *text)
{
	if (text == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, text, -1, SQLITE_TRANSIENT);
}

/* Bind ?1..?5 to the instance key (subject given as id or key text). */
int
bind_form_key(sqlite3_stmt *s, const form_key *key, const char *subject)
{
	int rc;

	if (subject != NULL)
		rc = sqlite3_bind_text(s, 1, subject, -1, SQLITE_TRANSIENT);
	else
		rc = sqlite3_bind_int64(s, 1, key->subject_id);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 2, key->event);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(s, 3, key->event_repeat);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 4, key->form);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(s, 5, key->form_repeat);
	return rc;
}

/* Run a statement that returns no rows; SQLITE_OK when it is done. */
int
store_run(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	store_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
store_exec(store *st, enum store_sql id)
{
	sqlite3_stmt *s;
	int rc = store_stmt(st, id, &s);

	if (rc == SQLITE_OK)
		rc = store_run(s);
	return rc;
}

char *
col_text(sqlite3_stmt *s, int i)
{
	return xstrdup((const char *)sqlite3_column_text(s, i));
}

/* BEGIN a read, or join the snapshot store_hold_snapshot() holds. */
static int
read_begin(store *st)
{
#ifdef CRF_TESTING
	if (st->on_read != NULL)
		st->on_read(st->on_read_arg);
#endif
	if (st->held) {
		st->nested++;
		return SQLITE_OK;
	}
	return store_exec(st, SQL_BEGIN_READ);
}

void
store_rollback(store *st)
{
	/* A read inside a held snapshot ends; the snapshot stays. */
	if (st->held) {
		if (st->nested > 0)
			st->nested--;
		return;
	}
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

crf_status
store_commit(store *st, crf_err *err)
{
	int rc;

	if (st->held) {
		if (st->nested > 0)
			st->nested--;
		return CRF_OK;
	}
	rc = store_exec(st, SQL_COMMIT);

	if (rc != SQLITE_OK) {
		crf_status cs = store_fail(st, rc, err);

		store_rollback(st);
		return cs;
	}
	return CRF_OK;
}

static void
store_stamp(store *st)
{
	clock_stamp(clock_now(), st->now_utc, sizeof st->now_utc, st->now_off,
	    sizeof st->now_off);
}

crf_status
store_begin_read(store *st, crf_err *err)
{
	int rc = read_begin(st);

	return rc == SQLITE_OK ? CRF_OK : store_fail(st, rc, err);
}

crf_status
store_hold_snapshot(store *st, crf_err *err)
{
	int rc;

	if (st->held)
		return crf_fail(err, CRF_EINVAL, "a snapshot of the database is held already");
	rc = store_exec(st, SQL_BEGIN_READ);
	/* A deferred BEGIN takes its snapshot at its first read: read now. */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "SELECT count(*) FROM site", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		crf_status cs = store_fail(st, rc, err);

		store_rollback(st);
		return cs;
	}
	st->held = true;
	st->nested = 0;
	return CRF_OK;
}

void
store_release_snapshot(store *st)
{
	if (!st->held)
		return;
	st->held = false;
	st->nested = 0;
	store_rollback(st);
}

crf_status
store_begin_write(store *st, crf_err *err)
{
	int rc;

	if (st->held)
		return crf_fail(err, CRF_EINVAL, "nothing can be written while a snapshot of the "
		    "database is held");
	store_stamp(st);
	rc = store_exec(st, SQL_BEGIN_WRITE);
	return rc == SQLITE_OK ? CRF_OK : store_fail(st, rc, err);
}

/* The last row of the trail (seq 0, NULLs when it is empty), the latest
 * time the trail has seen, and the AUTOINCREMENT counter of audit (0
 * before the first row). */
static int
audit_last(store *st, long long *seq, char **hash, char **ts,
    long long *counter)
{
	sqlite3_stmt *s;
	int rc = store_stmt(st, SQL_AUDIT_LAST, &s);

	*seq = *counter = 0;
	*hash = *ts = NULL;
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		*seq = sqlite3_column_int64(s, 0);
		*hash = col_text(s, 1);
		*ts = col_text(s, 2);
	}
	store_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return rc == SQLITE_OK ? SQLITE_ERROR : rc;
	rc = store_stmt(st, SQL_AUDIT_COUNTER, &s);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
		*counter = sqlite3_column_int64(s, 0);
	store_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/*
 * Append one row to the trail, chained to the last one (invariants 9 to
 * 11).  Must run inside a write transaction (after BEGIN IMMEDIATE), so
 * that the last row cannot change until the row is committed.
 */
int
audit_put(store *st, const audit_entry *a)
{
	audit_text col[AUDIT_NCOLS];
	char seq_txt[24], er_txt[16], fr_txt[16], hash[AUDIT_HASH_HEX + 1];
	char *prev_hash = NULL, *prev_ts = NULL;
	long long last, counter, seq;
	sqlite3_stmt *s;
	bool back;
	int rc = audit_last(st, &last, &prev_hash, &prev_ts, &counter);

	if (rc != SQLITE_OK) {
		free(prev_hash);
		free(prev_ts);
		return rc;
	}
	seq = (last > counter ? last : counter) + 1;
	back = audit_clock_went_back(audit_str(prev_ts), audit_str(st->now_utc));
	snprintf(seq_txt, sizeof seq_txt, "%lld", seq);
	col[AUDIT_SEQ] = audit_str(seq_txt);
	col[AUDIT_TS_UTC] = audit_str(st->now_utc);
	col[AUDIT_TZ_OFFSET] = audit_str(st->now_off);
	col[AUDIT_USER] = audit_str(st->user);
	col[AUDIT_ACTION] = audit_str(a->action);
	col[AUDIT_SUBJECT] = audit_str(a->subject);
	col[AUDIT_EVENT] = audit_str(NULL);
	col[AUDIT_EVENT_REPEAT] = audit_str(NULL);
	col[AUDIT_FORM] = audit_str(NULL);
	col[AUDIT_FORM_REPEAT] = audit_str(NULL);
	if (a->key != NULL) {
		snprintf(er_txt, sizeof er_txt, "%d", a->key->event_repeat);
		snprintf(fr_txt, sizeof fr_txt, "%d", a->key->form_repeat);
		col[AUDIT_EVENT] = audit_str(a->key->event);
		col[AUDIT_EVENT_REPEAT] = audit_str(er_txt);
		if (a->key->form != NULL) {
			col[AUDIT_FORM] = audit_str(a->key->form);
			col[AUDIT_FORM_REPEAT] = audit_str(fr_txt);
		}
	}
	col[AUDIT_FIELD] = audit_str(a->field);
	col[AUDIT_OLD_VALUE] = audit_str(a->old_value);
	col[AUDIT_OLD_MISSING] = audit_str(a->old_missing);
	col[AUDIT_NEW_VALUE] = audit_str(a->new_value);
	col[AUDIT_NEW_MISSING] = audit_str(a->new_missing);
	col[AUDIT_REASON] = audit_str(str_blank(a->reason) ? NULL : a->reason);
	col[AUDIT_CLOCK_BACK] = audit_str(back ? "1" : "0");
	audit_hash(audit_str(prev_hash), col, hash);
	free(prev_hash);
	free(prev_ts);

	/* The integer columns are bound as integers: SQLite gives back the
	 * same decimal text that was hashed. */
	rc = store_stmt(st, SQL_AUDIT_PUT, &s);
	for (int i = 0; rc == SQLITE_OK && i < AUDIT_NCOLS; i++) {
		if (i == AUDIT_SEQ)
			rc = sqlite3_bind_int64(s, i + 1, seq);
		else if (i == AUDIT_EVENT_REPEAT && a->key != NULL)
			rc = sqlite3_bind_int(s, i + 1, a->key->event_repeat);
		else if (i == AUDIT_FORM_REPEAT && a->key != NULL &&
		    a->key->form != NULL)
			rc = sqlite3_bind_int(s, i + 1, a->key->form_repeat);
		else if (i == AUDIT_CLOCK_BACK)
			rc = sqlite3_bind_int(s, i + 1, back ? 1 : 0);
		else
			rc = bind_text(s, i + 1, col[i].s);
	}
	if (rc == SQLITE_OK)
		rc = bind_text(s, AUDIT_NCOLS + 1, hash);
	if (rc == SQLITE_OK)
		return store_run(s);
	store_reset(s);
	return rc;
}

/* The columns of a row of SQL_AUDIT_CHAIN (borrowed until the next step);
 * returns the stored hash. */
static audit_text
chain_cols(sqlite3_stmt *s, audit_text col[AUDIT_NCOLS])
{
	audit_text hash;

	for (int i = 0; i < AUDIT_NCOLS; i++) {
		col[i].s = (const char *)sqlite3_column_text(s, i);
		col[i].len = (size_t)sqlite3_column_bytes(s, i);
	}
	hash.s = (const char *)sqlite3_column_text(s, AUDIT_NCOLS);
	hash.len = (size_t)sqlite3_column_bytes(s, AUDIT_NCOLS);
	return hash;
}

/*
 * Migration 1 -> 2: chain the rows that exist, in seq order, exactly as
 * audit_put() would have (clock_back from the previous row's time, hash
 * from the previous row's hash).  Runs inside the migration's transaction
 * while the trigger audit_no_update is dropped.  Rows are updated while
 * they are read, in rowid order without changing the rowid, which SQLite
 * allows; seq <= done skips a row should one come round again.
 */
static int
migrate_chain(store *st)
{
	sqlite3_stmt *rd, *wr;
	char hash[AUDIT_HASH_HEX + 1] = "", prev[AUDIT_HASH_HEX + 1];
	char *prev_ts = NULL;
	long long done = 0;
	bool first = true;
	int rc = store_stmt(st, SQL_AUDIT_CHAIN, &rd);

	if (rc == SQLITE_OK)
		rc = store_stmt(st, SQL_AUDIT_REHASH, &wr);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(rd, 1, 0);
	while (rc == SQLITE_OK && (rc = sqlite3_step(rd)) == SQLITE_ROW) {
		audit_text col[AUDIT_NCOLS];
		long long seq = sqlite3_column_int64(rd, AUDIT_SEQ);
		bool back;

		rc = SQLITE_OK;
		if (seq <= done)
			continue;
		chain_cols(rd, col);
		back = audit_clock_went_back(audit_str(prev_ts), col[AUDIT_TS_UTC]);
		col[AUDIT_CLOCK_BACK] = audit_str(back ? "1" : "0");
		memcpy(prev, hash, sizeof prev);
		audit_hash(audit_str(first ? NULL : prev), col, hash);
		if (!back) {   /* the latest time seen so far */
			free(prev_ts);
			prev_ts = xstrndup(col[AUDIT_TS_UTC].s != NULL ?
			    col[AUDIT_TS_UTC].s : "", col[AUDIT_TS_UTC].len);
		}
		first = false;
		done = seq;
		rc = sqlite3_bind_int64(wr, 1, seq);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int(wr, 2, back ? 1 : 0);
		if (rc == SQLITE_OK)
			rc = bind_text(wr, 3, hash);
		if (rc == SQLITE_OK)
			rc = store_run(wr);
		else
			store_reset(wr);
	}
	store_reset(rd);
	free(prev_ts);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* A signed-in session may only do what its role may (the permission
 * table of perm.c); tools run from the shell have the rights of the
 * operating-system account that can write the file. */
crf_status
store_may(const store *st, perm_action act, crf_err *err)
{
	char why[256];

	if (!st->enforce || perm_allows(st->role, act))
		return CRF_OK;
	perm_explain(st->role, act, why, sizeof why);
	return crf_fail(err, CRF_EDENIED, "%s", why);
}

/* ---- Open and close ---------------------------------------------------- */

/* A one-shot integer PRAGMA read (static text only). */
static int
pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);

	*out = 0;
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int(s, 0);
			rc = SQLITE_OK;
		} else if (rc == SQLITE_DONE) {
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(s);
	return rc;
}

static crf_status
store_wal(store *st, crf_err *err)
{
	sqlite3_stmt *s = NULL;
	crf_status cs = CRF_OK;
	int rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s,
	    NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *mode = (const char *)sqlite3_column_text(s, 0);

		if (!str_ieq(mode, "wal"))
			cs = crf_fail(err, CRF_EDB, "the database %s cannot use "
			    "write-ahead logging (journal mode %s): keep it on a "
			    "local disk", st->path, mode != NULL ? mode : "unknown");
	} else {
		cs = store_fail(st, rc, err);
	}
	sqlite3_finalize(s);
	return cs;
}

char *
store_os_user(void)
{
	const char *u = getenv("USER");
	struct passwd *pw;

	if (str_blank(u))
		u = getenv("LOGNAME");
	if (str_blank(u) && (pw = getpwuid(geteuid())) != NULL)
		u = pw->pw_name;
	return xstrdup(str_blank(u) ? "unknown" : u);
}

static void
store_unlink_all(const char *path)
{
	static const char *const suffix[] = { "-wal", "-shm", "-journal" };

	unlink(path);
	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		char *p = xasprintf("%s%s", path, suffix[i]);

		unlink(p);
		free(p);
	}
}

/*
 * Open the connection and check that the file is one this crf may use.
 * creating: the file was just made empty by store_create().
 */
static crf_status
store_connect(const char *path, bool creating, store **out, int *version,
    crf_err *err)
{
	store *st = xcalloc(1, sizeof *st);
	int app_id = 0;
	int rc;

	*out = st;
	*version = 0;
	st->path = xstrdup(path);
	st->user = store_os_user();
	st->login_limit = 5;
	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, err);
	sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
	if (sqlite3_db_readonly(st->db, "main") == 1)
		return crf_fail(err, CRF_EREADONLY, "the database %s is read-only: "
		    "crf needs to write to it; check the file's permissions", path);

	rc = pragma_int(st->db, "PRAGMA application_id", &app_id);
	if (rc == SQLITE_OK)
		rc = pragma_int(st->db, "PRAGMA user_version", version);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, err);
	if (!creating && app_id != STORE_APP_ID)
		return crf_fail(err, CRF_EDB, "%s is not a crf database", path);
	if (*version > STORE_SCHEMA_VERSION)
		return crf_fail(err, CRF_ESCHEMA, "the database %s was made by a "
		    "newer version of crf (schema %d; this crf knows up to %d): "
		    "open it with the newer crf", path, *version,
		    STORE_SCHEMA_VERSION);

	rc = sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "PRAGMA synchronous = FULL", NULL, NULL,
		    NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, err);
	return store_wal(st, err);
}

/* Bring the schema to STORE_SCHEMA_VERSION; when site_code is given, the
 * file is new: stamp it and write the site record in the same transaction. */
static crf_status
store_migrate(store *st, const char *site_code, const char *site_name,
    crf_err *err)
{
	int version = 0;
	int rc = store_exec(st, SQL_BEGIN_WRITE);

	if (rc == SQLITE_OK)
		rc = pragma_int(st->db, "PRAGMA user_version", &version);
	if (rc == SQLITE_OK && version > STORE_SCHEMA_VERSION) {
		store_rollback(st);
		return crf_fail(err, CRF_ESCHEMA, "the database %s was made by a "
		    "newer version of crf (schema %d; this crf knows up to %d): "
		    "open it with the newer crf", st->path, version,
		    STORE_SCHEMA_VERSION);
	}
	if (rc == SQLITE_OK && site_code != NULL)
		rc = sqlite3_exec(st->db, "PRAGMA application_id = "
		    STORE_STR(STORE_APP_ID), NULL, NULL, NULL);
	for (; rc == SQLITE_OK && version < STORE_SCHEMA_VERSION; version++) {
		const struct store_step *step = &store_migrations[version];

		rc = sqlite3_exec(st->db, step->sql, NULL, NULL, NULL);
		if (rc == SQLITE_OK && step->code != NULL)
			rc = step->code(st);
		if (rc == SQLITE_OK && step->after != NULL)
			rc = sqlite3_exec(st->db, step->after, NULL, NULL, NULL);
	}
	if (rc == SQLITE_OK)
		rc = pragma_int(st->db, "PRAGMA user_version", &version);
	if (rc == SQLITE_OK && version != STORE_SCHEMA_VERSION) {
		store_rollback(st);
		return crf_fail(err, CRF_EDB, "the schema of %s did not reach "
		    "version %d", st->path, STORE_SCHEMA_VERSION);
	}
	if (rc == SQLITE_OK && site_code != NULL) {
		sqlite3_stmt *s;

		store_stamp(st);
		rc = store_stmt(st, SQL_SITE_PUT, &s);
		if (rc == SQLITE_OK)
			rc = bind_text(s, 1, site_code);
		if (rc == SQLITE_OK)
			rc = bind_text(s, 2, site_name != NULL ? site_name : "");
		if (rc == SQLITE_OK)
			rc = bind_text(s, 3, st->now_utc);
		if (rc == SQLITE_OK)
			rc = bind_text(s, 4, st->user);
		if (rc == SQLITE_OK)
			rc = store_run(s);
		else
			store_reset(s);
	}
	if (rc != SQLITE_OK) {
		crf_status cs = store_fail(st, rc, err);

		store_rollback(st);
		return cs;
	}
	return store_commit(st, err);
}

static crf_status
store_load_site(store *st, crf_err *err)
{
	sqlite3_stmt *s;
	int rc = store_stmt(st, SQL_SITE_GET, &s);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		st->site_code = col_text(s, 0);
		st->site_name = col_text(s, 1);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		store_reset(s);
		return crf_fail(err, CRF_EDB, "the database %s has no site record: "
		    "it was not made by crf init, or it is damaged", st->path);
	}
	store_reset(s);
	return rc == SQLITE_OK ? CRF_OK : store_fail(st, rc, err);
}

crf_status
store_create(const char *path, const char *site_code, const char *site_name,
    store **out, crf_err *err)
{
	store *st = NULL;
	crf_status cs;
	int version, fd;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return crf_fail(err, CRF_EINVAL, "no database file was given");
	if (str_blank(site_code))
		return crf_fail(err, CRF_EINVAL, "the site code is empty");
	{
		/* A new site's data folder is made with the database. */
		char *dir = path_dirname(path);
		struct stat sb;
		int made = stat(dir, &sb) == 0 || errno != ENOENT ? 0 : path_make_dirs(dir);

		if (made != 0) {
			cs = crf_fail(err, CRF_EIO, "cannot create the folder %s: %s",
			    dir, strerror(errno));
			free(dir);
			return cs;
		}
		free(dir);
	}
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		int e = errno;

		if (e == EEXIST)
			return crf_fail(err, CRF_EEXIST, "%s already exists: crf never "
			    "creates a database over an existing file", path);
		if (e == ENOENT)
			return crf_fail(err, CRF_ENOENT, "cannot create %s: the folder "
			    "does not exist", path);
		if (e == EACCES || e == EPERM || e == EROFS)
			return crf_fail(err, CRF_EREADONLY, "cannot create %s: %s",
			    path, strerror(e));
		if (e == ENOSPC || e == EDQUOT)
			return crf_fail(err, CRF_EFULL, "cannot create %s: the disk "
			    "is full", path);
		return crf_fail(err, CRF_EIO, "cannot create %s: %s", path,
		    strerror(e));
	}
	close(fd);

	cs = store_connect(path, true, &st, &version, err);
	if (cs == CRF_OK)
		cs = store_migrate(st, site_code, site_name, err);
	if (cs == CRF_OK)
		cs = store_load_site(st, err);
	if (cs != CRF_OK) {
		store_close(st);
		store_unlink_all(path);
		return cs;
	}
	*out = st;
	return CRF_OK;
}

crf_status
store_open(const char *path, store **out, crf_err *err)
{
	store *st = NULL;
	struct stat sb;
	int version = 0;
	crf_status cs;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return crf_fail(err, CRF_EINVAL, "no database file was given");
	if (stat(path, &sb) != 0) {
		if (errno == ENOENT)
			return crf_fail(err, CRF_ENOENT, "the database %s does not "
			    "exist", path);
		return crf_fail(err, CRF_EIO, "cannot open %s: %s", path,
		    strerror(errno));
	}
	if (S_ISDIR(sb.st_mode))
		return crf_fail(err, CRF_EDB, "%s is a folder, not a crf database",
		    path);

	cs = store_connect(path, false, &st, &version, err);
	if (cs == CRF_OK && version < STORE_SCHEMA_VERSION)
		cs = store_migrate(st, NULL, NULL, err);
	if (cs == CRF_OK)
		cs = store_load_site(st, err);
	if (cs != CRF_OK) {
		store_close(st);
		return cs;
	}
	*out = st;
	return CRF_OK;
}

void
store_close(store *st)
{
	if (st == NULL)
		return;
	for (int i = 0; i < STORE_SLOTS; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st->path);
	free(st->site_code);
	free(st->site_name);
	free(st->user);
	free(st);
}

void
store_set_user(store *st, const char *user)
{
	free(st->user);
	st->user = str_blank(user) ? store_os_user() : xstrdup(user);
}

const char *
store_site_code(const store *st)
{
	return st->site_code;
}

const char *
store_site_name(const store *st)
{
	return st->site_name;
}

/* ---- Subjects ---------------------------------------------------------- */

/* One text column of a one-row query with up to one text parameter. */
int
store_query_text(store *st, const char *sql, const char *p1, char **out, bool *found)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

	*out = NULL;
	*found = false;
	if (rc == SQLITE_OK && p1 != NULL)
		rc = bind_text(s, 1, p1);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*out = col_text(s, 0);
			*found = true;
			rc = SQLITE_OK;
		} else if (rc == SQLITE_DONE) {
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(s);
	return rc;
}

crf_status
store_collect(store *st, sqlite3_stmt *s, int rc, size_t size,
    void (*fill)(sqlite3_stmt *, void *), void (*release)(void *, size_t),
    void **rows, size_t *n, crf_err *err)
{
	char *v = NULL;
	size_t cnt = 0, cap = 0;

	*rows = NULL;
	*n = 0;
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt >= cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * size);
		}
		memset(v + cnt * size, 0, size);
		fill(s, v + cnt * size);
		cnt++;
		rc = SQLITE_OK;
	}
	store_reset(s);
	if (rc != SQLITE_DONE) {
		release(v, cnt);
		return store_fail(st, rc, err);
	}
	*rows = v;
	*n = cnt;
	return CRF_OK;
}

/* store_collect() over statement id, with ?1 bound to *arg when arg is
 * not NULL. */
static crf_status
store_rows(store *st, enum store_sql id, const long long *arg, size_t size,
    void (*fill)(sqlite3_stmt *, void *), void (*release)(void *, size_t),
    void **rows, size_t *n, crf_err *err)
{
	sqlite3_stmt *s;
	int rc = store_stmt(st, id, &s);

	if (rc == SQLITE_OK && arg != NULL)
		rc = sqlite3_bind_int64(s, 1, *arg);
	return store_collect(st, s, rc, size, fill, release, rows, n, err);
}

static void
subject_from_row(sqlite3_stmt *s, void *row)
{
	subject_row *r = row;

	r->id = sqlite3_column_int64(s, 0);
	r->key = col_text(s, 1);
	r->status = col_text(s, 2);
	r->created_at = col_text(s, 3);
	r->created_by = col_text(s, 4);
	r->study_no = col_text(s, 5);
	r->status_date = col_text(s, 6);
	r->status_reason = col_text(s, 7);
}

void
subject_row_clear(subject_row *r)
{
	if (r == NULL)
		return;
	free(r->key);
	free(r->status);
	free(r->created_at);
	free(r->created_by);
	free(r->study_no);
	free(r->status_date);
	free(r->status_reason);
	memset(r, 0, sizeof *r);
}

void
subject_rows_free(subject_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		subject_row_clear(&rows[i]);
	free(rows);
}

static void
subject_rows_release(void *rows, size_t n)
{
	subject_rows_free(rows, n);
}

crf_status
store_add_subject(store *st, subject_row *out, crf_err *err)
{
	sqlite3_stmt *s = NULL;
	long long number = 0, id = 0;
	char *key = NULL;
	crf_status cs;
	int rc;

	memset(out, 0, sizeof *out);
	if ((cs = store_may(st, PERM_ENTER, err)) != CRF_OK)
		return cs;
	{
		bool central = false;

		if ((cs = store_is_central(st, &central, err)) != CRF_OK)
			return cs;
		if (central)
			return crf_fail(err, CRF_EDENIED, "this is the coordinating centre's "
			    "database: subjects are added at their sites and come here in the "
			    "sites' transfer files");
	}
	store_stamp(st);
	rc = store_exec(st, SQL_BEGIN_WRITE);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, err);

	rc = store_stmt(st, SQL_COUNTER_BUMP, &s);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 1, "screening");
	if (rc == SQLITE_OK)
		rc = store_run(s);
	if (rc == SQLITE_OK)
		rc = store_stmt(st, SQL_COUNTER_GET, &s);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 1, "screening");
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		number = sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	}
	store_reset(s);

	if (rc == SQLITE_OK) {
		key = xasprintf("%s-%04lld", st->site_code, number);
		rc = store_stmt(st, SQL_SUBJECT_PUT, &s);
	}
	if (rc == SQLITE_OK)
		rc = bind_text(s, 1, key);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 2, st->now_utc);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 3, st->user);
	if (rc == SQLITE_OK)
		rc = store_run(s);
	else
		store_reset(s);
	if (rc == SQLITE_OK) {
		audit_entry a = { .action = "subject", .subject = key,
		    .new_value = subject_state_name(SUBJ_SCREENING) };

		id = sqlite3_last_insert_rowid(st->db);
		rc = audit_put(st, &a);
	}
	if (rc != SQLITE_OK) {
		cs = store_fail(st, rc, err);
		store_rollback(st);
		free(key);
		return cs;
	}
	cs = store_commit(st, err);
	if (cs != CRF_OK) {
		free(key);
		return cs;
	}
	out->id = id;
	out->key = key;
	out->status = xstrdup(subject_state_name(SUBJ_SCREENING));
	out->created_at = xstrdup(st->now_utc);
	out->created_by = xstrdup(st->user);
	return CRF_OK;
}

crf_status
store_list_subjects(store *st, subject_row **rows, size_t *n, crf_err *err)
{
	return store_rows(st, SQL_SUBJECT_LIST, NULL, sizeof **rows, subject_from_row,
	    subject_rows_release, (void **)rows, n, err);
}

crf_status
store_find_subject(store *st, const char *key, subject_row *out, crf_err *err)
{
	sqlite3_stmt *s;
	int rc = store_stmt(st, SQL_SUBJECT_FIND, &s);

	memset(out, 0, sizeof *out);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 1, key != NULL ? key : "");
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		subject_from_row(s, out);
	store_reset(s);
	if (rc == SQLITE_DONE)
		return crf_fail(err, CRF_ENOENT, "there is no subject %s",
		    key != NULL ? key : "");
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, err);
	return CRF_OK;
}

/* The key of subject id into *key (NULL when there is no such subject). */
int
subject_key(store *st, long long id, char **key)
{
	sqlite3_stmt *s;
	int rc = store_stmt(st, SQL_SUBJECT_KEY, &s);

	*key = NULL;
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 1, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*key = col_text(s, 0);
	store_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* ---- Form instances ---------------------------------------------------- */

const char *
form_status_name(form_status s)
{
	switch (s) {
	case FORM_NOT_STARTED:
		return "not started";
	case FORM_INCOMPLETE:
		return "incomplete";
	case FORM_COMPLETE:
		return "complete";
	}
	return "unknown";
}

void
inst_clear(inst_state *in)
{
	free(in->updated_at);
	free(in->updated_by);
	free(in->sdv_by);
	free(in->sdv_at);
	memset(in, 0, sizeof *in);
}

/* Read the stored instance of key; in->id stays 0 when there is none. */
int
inst_get(store *st, const form_key *key, inst_state *in)
{
	sqlite3_stmt *s;
	int rc = store_stmt(st, SQL_INST_GET, &s);

	memset(in, 0, sizeof *in);
	if (rc == SQLITE_OK)
		rc = bind_form_key(s, key, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		in->id = sqlite3_column_int64(s, 0);
		in->status = sqlite3_column_int(s, 1);
		in->version = sqlite3_column_int(s, 2);
		in->form_version = sqlite3_column_int(s, 3);
		in->updated_at = col_text(s, 4);
		in->updated_by = col_text(s, 5);
		in->sdv_by = col_text(s, 6);
		in->sdv_at = col_text(s, 7);
	}
	store_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static bool
key_valid(const form_key *key)
{
	return key != NULL && key->event != NULL && !str_blank(key->form) &&
	    key->event_repeat >= 0 && key->form_repeat >= 1;
}

void
form_data_clear(form_data *fd)
{
	if (fd == NULL)
		return;
	for (size_t i = 0; i < fd->nitems; i++) {
		free(fd->items[i].field);
		free(fd->items[i].value);
		free(fd->items[i].missing);
	}
	free(fd->items);
	free(fd->updated_at);
	free(fd->updated_by);
	free(fd->sdv_by);
	free(fd->sdv_at);
	memset(fd, 0, sizeof *fd);
}

/* Collect the (field, value, missing, flags) rows of a bound statement
 * into out->items, then reset it. */
static int
read_items(sqlite3_stmt *s, form_data *out)
{
	size_t cap = 0;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		item_value *it;

		xgrow(&out->items, sizeof *out->items, &cap, out->nitems);
		it = &out->items[out->nitems++];
		it->field = col_text(s, 0);
		it->value = col_text(s, 1);
		it->missing = col_text(s, 2);
		it->flags = sqlite3_column_int(s, 3);
	}
	store_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

crf_status
store_load_form(store *st, const form_key *key, form_data *out, crf_err *err)
{
	sqlite3_stmt *s = NULL;
	inst_state in;
	crf_status cs;
	int rc;

	memset(out, 0, sizeof *out);
	if (!key_valid(key))
		return crf_fail(err, CRF_EINVAL, "the form to load is not named");
	rc = read_begin(st);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, err);
	rc = inst_get(st, key, &in);
	if (rc == SQLITE_OK && in.id != 0) {
		out->instance_id = in.id;
		out->status = (form_status)in.status;
		out->version = in.version;
		out->form_version = in.form_version;
		out->updated_at = in.updated_at;
		out->updated_by = in.updated_by;
		out->sdv_by = in.sdv_by;
		out->sdv_at = in.sdv_at;
		rc = store_stmt(st, SQL_ITEM_LIST, &s);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(s, 1, in.id);
		if (rc == SQLITE_OK)
			rc = read_items(s, out);
		else
			store_reset(s);
	}
	if (rc != SQLITE_OK) {
		cs = store_fail(st, rc, err);
		store_rollback(st);
		form_data_clear(out);
		return cs;
	}
	cs = store_commit(st, err);
	if (cs != CRF_OK)
		form_data_clear(out);
	return cs;
}

static int
cmp_field(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static crf_status
save_check(const form_key *key, int expected_version, form_status status,
    const item_change *changes, size_t nchanges, crf_err *err)
{
	const char **names;
	crf_status cs = CRF_OK;

	if (!key_valid(key))
		return crf_fail(err, CRF_EINVAL, "the form to save is not named");
	if (status != FORM_INCOMPLETE && status != FORM_COMPLETE)
		return crf_fail(err, CRF_EINVAL, "a form can only be saved as "
		    "incomplete or complete");
	if (expected_version < 0)
		return crf_fail(err, CRF_EINVAL, "the form version is negative");
	if (nchanges == 0)
		return CRF_OK;
	if (changes == NULL)
		return crf_fail(err, CRF_EINVAL, "the changes to save are missing");
	names = xmalloc(nchanges * sizeof *names);
	for (size_t i = 0; i < nchanges && cs == CRF_OK; i++) {
		if (str_blank(changes[i].field))
			cs = crf_fail(err, CRF_EINVAL, "a change names no field");
		names[i] = changes[i].field;
	}
	if (cs == CRF_OK) {
		qsort(names, nchanges, sizeof *names, cmp_field);
		for (size_t i = 1; i < nchanges && cs == CRF_OK; i++)
			if (strcmp(names[i - 1], names[i]) == 0)
				cs = crf_fail(err, CRF_EINVAL, "the field %s is changed "
				    "twice in one save", names[i]);
	}
	free(names);
	return cs;
}

/* A blank value or code is no value or code at all. */
static const char *
nonempty(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

/* Write one item change (already known to differ) and its audit row. */
static int
save_item(store *st, long long instance_id, const audit_entry *a, int flags)
{
	sqlite3_stmt *s;
	bool clear = a->new_value == NULL && a->new_missing == NULL;
	int rc = store_stmt(st, clear ? SQL_ITEM_DEL : SQL_ITEM_PUT, &s);

	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 1, instance_id);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 2, a->field);
	if (rc == SQLITE_OK && !clear) {
		rc = bind_text(s, 3, a->new_value);
		if (rc == SQLITE_OK)
			rc = bind_text(s, 4, a->new_missing);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int(s, 5, flags);
	}
	if (rc == SQLITE_OK)
		rc = store_run(s);
	else
		store_reset(s);
	if (rc == SQLITE_OK)
		rc = audit_put(st, a);
	return rc;
}

/* The body of store_save_form(), inside its transaction. */
static crf_status
save_body(store *st, const form_key *key, int expected_version,
    int form_version, form_status status, const item_change *changes,
    size_t nchanges, const char *reason, const save_query *queries,
    size_t nqueries, int *new_version, crf_err *err)
{
	sqlite3_stmt *s = NULL;
	inst_state in = { 0 };
	char *subject = NULL;
	bool changed = false;
	crf_status cs = CRF_OK;
	int rc;

	rc = subject_key(st, key->subject_id, &subject);
	if (rc == SQLITE_OK && subject == NULL)
		return crf_fail(err, CRF_ENOENT, "there is no subject with id %lld",
		    key->subject_id);
	if (rc == SQLITE_OK)
		rc = inst_get(st, key, &in);
	if (rc != SQLITE_OK) {
		free(subject);
		return store_fail(st, rc, err);
	}
	if ((cs = signoff_check_unlocked(st, key, err)) != CRF_OK)
		goto out;
	if (in.version != expected_version) {
		if (in.id != 0)
			cs = crf_fail(err, CRF_ECONFLICT, "this form was saved by %s at "
			    "%s since you opened it", in.updated_by, in.updated_at);
		else
			cs = crf_fail(err, CRF_ECONFLICT, "this form has changed since "
			    "you opened it: open it again");
		goto out;
	}

	if (in.id == 0) {
		rc = store_stmt(st, SQL_INST_PUT, &s);
		if (rc == SQLITE_OK)
			rc = bind_form_key(s, key, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int(s, 6, form_version);
		if (rc == SQLITE_OK)
			rc = bind_text(s, 7, st->now_utc);
		if (rc == SQLITE_OK)
			rc = bind_text(s, 8, st->user);
		if (rc == SQLITE_OK)
			rc = store_run(s);
		else
			store_reset(s);
		if (rc == SQLITE_OK) {
			in.id = sqlite3_last_insert_rowid(st->db);
			in.form_version = form_version;
		}
	}

	for (size_t i = 0; rc == SQLITE_OK && i < nchanges; i++) {
		const item_change *c = &changes[i];
		audit_entry a = { .subject = subject, .key = key,
		    .field = c->field, .new_value = nonempty(c->value),
		    .new_missing = nonempty(c->missing), .reason = reason };
		char *old_value = NULL, *old_missing = NULL;
		int old_flags = 0;
		bool stored = false;

		rc = store_stmt(st, SQL_ITEM_GET, &s);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(s, 1, in.id);
		if (rc == SQLITE_OK)
			rc = bind_text(s, 2, c->field);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			stored = true;
			old_value = col_text(s, 0);
			old_missing = col_text(s, 1);
			old_flags = sqlite3_column_int(s, 2);
			rc = SQLITE_OK;
		} else if (rc == SQLITE_DONE) {
			rc = SQLITE_OK;
		}
		store_reset(s);

		if (a.new_value == NULL && a.new_missing == NULL)
			a.action = stored ? "clear" : NULL;
		else if (!stored)
			a.action = "create";
		else if (!str_eq(old_value, a.new_value) ||
		    !str_eq(old_missing, a.new_missing) || old_flags != c->flags)
			a.action = "update";
		a.old_value = old_value;
		a.old_missing = old_missing;

		if (rc == SQLITE_OK && a.action != NULL) {
			if (in.status == FORM_COMPLETE && str_blank(reason)) {
				cs = crf_fail(err, CRF_EINVAL, "a reason for change is "
				    "required: the form was already complete");
			} else {
				rc = save_item(st, in.id, &a, c->flags);
				changed = true;
			}
		}
		free(old_value);
		free(old_missing);
		if (cs != CRF_OK)
			goto out;
#ifdef CRF_TESTING
		if (rc == SQLITE_OK && a.action != NULL && st->crash_after > 0 &&
		    --st->crash_after == 0)
			_exit(9);
#endif
	}

	if (rc == SQLITE_OK && changed && in.sdv_by != NULL)
		rc = signoff_sdv_changed(st, &in, key, subject, reason);
	for (size_t i = 0; rc == SQLITE_OK && st->auto_queries && i < nqueries; i++)
		if (!str_blank(queries[i].text))
			rc = query_raise_auto(st, key, subject, queries[i].field,
			    queries[i].text);

	if (rc == SQLITE_OK && (int)status != in.status) {
		audit_entry a = { .action = "status", .subject = subject,
		    .key = key, .old_value = in.status == FORM_NOT_STARTED ? NULL :
		    form_status_name((form_status)in.status),
		    .new_value = form_status_name(status), .reason = reason };

		rc = audit_put(st, &a);
		changed = true;
	}
	if (form_version != in.form_version)
		changed = true;
	if (rc == SQLITE_OK && changed) {
		rc = store_stmt(st, SQL_INST_SET, &s);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(s, 1, in.id);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int(s, 2, (int)status);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int(s, 3, form_version);
		if (rc == SQLITE_OK)
			rc = bind_text(s, 4, st->now_utc);
		if (rc == SQLITE_OK)
			rc = bind_text(s, 5, st->user);
		if (rc == SQLITE_OK)
			rc = store_run(s);
		else
			store_reset(s);
	}
	if (rc != SQLITE_OK)
		cs = store_fail(st, rc, err);
	else if (new_version != NULL)
		*new_version = in.version + (changed ? 1 : 0);
out:
	inst_clear(&in);
	free(subject);
	return cs;
}

crf_status
store_save_form(store *st, const form_key *key, int expected_version,
    int form_version, form_status status, const item_change *changes,
    size_t nchanges, const char *reason, int *new_version, crf_err *err)
{
	return store_save_form_queries(st, key, expected_version, form_version,
	    status, changes, nchanges, reason, NULL, 0, new_version, err);
}

void
store_set_auto_queries(store *st, bool on)
{
	st->auto_queries = on;
}

crf_status
store_save_form_queries(store *st, const form_key *key, int expected_version,
    int form_version, form_status status, const item_change *changes,
    size_t nchanges, const char *reason, const save_query *queries,
    size_t nqueries, int *new_version, crf_err *err)
{
	crf_status cs;
	int version = expected_version;
	int rc;

	cs = save_check(key, expected_version, status, changes, nchanges, err);
	if (cs == CRF_OK)
		cs = store_may(st, PERM_ENTER, err);
	if (cs == CRF_OK && status == FORM_COMPLETE)
		cs = store_may(st, PERM_COMPLETE, err);
	if (cs != CRF_OK)
		return cs;
	store_stamp(st);
	rc = store_exec(st, SQL_BEGIN_WRITE);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, err);
	cs = save_body(st, key, expected_version, form_version, status, changes,
	    nchanges, reason, queries, nqueries, &version, err);
	if (cs == CRF_OK)
		cs = store_commit(st, err);
	else
		store_rollback(st);
	if (cs == CRF_OK && new_version != NULL)
		*new_version = version;
	return cs;
}

static void
form_row_free(form_row *r)
{
	free(r->event);
	free(r->form);
	free(r->updated_at);
}

void
form_rows_free(form_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		form_row_free(&rows[i]);
	free(rows);
}

static void
form_from_row(sqlite3_stmt *s, void *row)
{
	form_row *r = row;

	r->event = col_text(s, 0);
	r->event_repeat = sqlite3_column_int(s, 1);
	r->form = col_text(s, 2);
	r->form_repeat = sqlite3_column_int(s, 3);
	r->status = (form_status)sqlite3_column_int(s, 4);
	r->version = sqlite3_column_int(s, 5);
	r->updated_at = col_text(s, 6);
	r->verified = sqlite3_column_int(s, 7) != 0;
}

static void
form_rows_release(void *rows, size_t n)
{
	form_rows_free(rows, n);
}

crf_status
store_list_forms(store *st, long long subject_id, form_row **rows, size_t *n,
    crf_err *err)
{
	return store_rows(st, SQL_INST_LIST, &subject_id, sizeof **rows, form_from_row,
	    form_rows_release, (void **)rows, n, err);
}

void
subject_items_free(subject_item *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].event);
		free(rows[i].form);
		free(rows[i].field);
		free(rows[i].value);
		free(rows[i].missing);
	}
	free(rows);
}

static void
item_from_row(sqlite3_stmt *s, void *row)
{
	subject_item *r = row;

	r->event = col_text(s, 0);
	r->event_repeat = sqlite3_column_int(s, 1);
	r->form = col_text(s, 2);
	r->form_repeat = sqlite3_column_int(s, 3);
	r->field = col_text(s, 4);
	r->value = col_text(s, 5);
	r->missing = col_text(s, 6);
}

static void
subject_items_release(void *rows, size_t n)
{
	subject_items_free(rows, n);
}

crf_status
store_load_subject_items(store *st, long long subject_id, subject_item **rows,
    size_t *n, crf_err *err)
{
	return store_rows(st, SQL_SUBJECT_ITEMS, &subject_id, sizeof **rows, item_from_row,
	    subject_items_release, (void **)rows, n, err);
}

/* ---- Audit trail ------------------------------------------------------- */

void
audit_rows_free(audit_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		audit_row *r = &rows[i];

		free(r->ts_utc);
		free(r->tz_offset);
		free(r->user);
		free(r->action);
		free(r->subject);
		free(r->event);
		free(r->form);
		free(r->field);
		free(r->old_value);
		free(r->old_missing);
		free(r->new_value);
		free(r->new_missing);
		free(r->reason);
		free(r->hash);
		free(r->user_name);
	}
	free(rows);
}

/* One row of AUDIT_COLS. */
static void
audit_from_row(sqlite3_stmt *s, audit_row *r)
{
	r->seq = sqlite3_column_int64(s, 0);
	r->ts_utc = col_text(s, 1);
	r->tz_offset = col_text(s, 2);
	r->user = col_text(s, 3);
	r->action = col_text(s, 4);
	r->subject = col_text(s, 5);
	r->event = col_text(s, 6);
	r->event_repeat = sqlite3_column_int(s, 7);
	r->form = col_text(s, 8);
	r->form_repeat = sqlite3_column_int(s, 9);
	r->field = col_text(s, 10);
	r->old_value = col_text(s, 11);
	r->old_missing = col_text(s, 12);
	r->new_value = col_text(s, 13);
	r->new_missing = col_text(s, 14);
	r->reason = col_text(s, 15);
	r->clock_back = sqlite3_column_int(s, 16) != 0;
	r->hash = col_text(s, 17);
	r->user_name = col_text(s, 18);
}

/* Step s (parameters bound) to its end, collecting the rows; resets s. */
static int
audit_collect(sqlite3_stmt *s, audit_row **rows, size_t *n)
{
	size_t cap = 0;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		xgrow(rows, sizeof **rows, &cap, *n);
		memset(&(*rows)[*n], 0, sizeof **rows);
		audit_from_row(s, &(*rows)[(*n)++]);
	}
	store_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* End a read transaction begun by a history query: hand over the rows on
 * success, free them otherwise. */
static crf_status
history_end(store *st, int rc, audit_row *v, size_t cnt, audit_row **rows,
    size_t *n, crf_err *err)
{
	crf_status cs;

	if (rc != SQLITE_OK) {
		cs = store_fail(st, rc, err);
		store_rollback(st);
		audit_rows_free(v, cnt);
		return cs;
	}
	cs = store_commit(st, err);
	if (cs != CRF_OK) {
		audit_rows_free(v, cnt);
		return cs;
	}
	*rows = v;
	*n = cnt;
	return CRF_OK;
}

crf_status
store_field_history(store *st, const form_key *key, const char *field,
    audit_row **rows, size_t *n, crf_err *err)
{
	sqlite3_stmt *s = NULL;
	audit_row *v = NULL;
	size_t cnt = 0;
	char *subject = NULL;
	int rc;

	*rows = NULL;
	*n = 0;
	if (!key_valid(key))
		return crf_fail(err, CRF_EINVAL, "the form is not named");
	rc = read_begin(st);
	if (rc == SQLITE_OK)
		rc = subject_key(st, key->subject_id, &subject);
	if (rc == SQLITE_OK && subject == NULL) {
		store_rollback(st);
		return crf_fail(err, CRF_ENOENT, "there is no subject with id %lld",
		    key->subject_id);
	}
	if (rc == SQLITE_OK)
		rc = store_stmt(st, field != NULL ? SQL_AUDIT_FIELD : SQL_AUDIT_FORM,
		    &s);
	if (rc == SQLITE_OK)
		rc = bind_form_key(s, key, subject);
	if (rc == SQLITE_OK && field != NULL)
		rc = bind_text(s, 6, field);
	if (rc == SQLITE_OK)
		rc = audit_collect(s, &v, &cnt);
	else
		store_reset(s);
	free(subject);
	return history_end(st, rc, v, cnt, rows, n, err);
}

crf_status
store_subject_history(store *st, const char *subject_key, const char *event,
    const char *form, audit_row **rows, size_t *n, crf_err *err)
{
	sqlite3_stmt *s = NULL;
	audit_row *v = NULL;
	size_t cnt = 0;
	bool known = true;
	int rc;

	*rows = NULL;
	*n = 0;
	if (str_blank(subject_key))
		return crf_fail(err, CRF_EINVAL, "the subject is not named");
	rc = read_begin(st);
	if (rc == SQLITE_OK)
		rc = store_stmt(st, SQL_AUDIT_SUBJECT, &s);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 1, subject_key);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 2, event);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 3, form);
	if (rc == SQLITE_OK)
		rc = audit_collect(s, &v, &cnt);
	else
		store_reset(s);
	if (rc == SQLITE_OK && cnt == 0) {
		rc = store_stmt(st, SQL_SUBJECT_FIND, &s);
		if (rc == SQLITE_OK)
			rc = bind_text(s, 1, subject_key);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(s);
		store_reset(s);
		known = rc == SQLITE_ROW;
		if (rc == SQLITE_ROW || rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	if (rc == SQLITE_OK && !known) {
		store_rollback(st);
		return crf_fail(err, CRF_ENOENT, "there is no subject %s",
		    subject_key);
	}
	return history_end(st, rc, v, cnt, rows, n, err);
}

/* ---- Verification of the trail ----------------------------------------- */

/* The chain: every row in seq order, then the AUTOINCREMENT counter. */
static int
verify_chain(store *st, const audit_head *head, audit_report *out)
{
	audit_chain c;
	sqlite3_stmt *s;
	long long counter = 0;
	int rc = store_stmt(st, SQL_AUDIT_CHAIN, &s);

	audit_chain_init(&c, out, head);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 1, 0);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		audit_text col[AUDIT_NCOLS];
		audit_text hash = chain_cols(s, col);

		audit_chain_row(&c, col, hash);
		rc = SQLITE_OK;
	}
	store_reset(s);
	if (rc == SQLITE_DONE)
		rc = store_stmt(st, SQL_AUDIT_COUNTER, &s);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
		counter = sqlite3_column_int64(s, 0);
	store_reset(s);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		audit_chain_end(&c, counter);
		rc = SQLITE_OK;
	}
	audit_chain_free(&c);
	return rc;
}

/* "TJ01-0001 scr/1 dm/1 weight" for the first columns of a verify row
 * (owned). */
static char *
verify_where(sqlite3_stmt *s, bool with_field)
{
	char *where = audit_where_text((const char *)sqlite3_column_text(s, 1),
	    sqlite3_column_int(s, 2), (const char *)sqlite3_column_text(s, 3),
	    sqlite3_column_int(s, 4),
	    with_field ? (const char *)sqlite3_column_text(s, 5) : NULL);
	char *key = audit_printable((const char *)sqlite3_column_text(s, 0));
	char *out = xasprintf("%s %s", key, where);

	free(key);
	free(where);
	return out;
}

/* Items against the latest audit row of their field (invariant 12). */
static int
verify_items(store *st, audit_report *out)
{
	sqlite3_stmt *s;
	int rc = store_stmt(st, SQL_VERIFY_ITEMS, &s);

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		bool present = sqlite3_column_int(s, 6) != 0;
		bool audited = sqlite3_column_type(s, 9) != SQLITE_NULL;
		long long seq = sqlite3_column_int64(s, 9);
		const char *action = (const char *)sqlite3_column_text(s, 10);
		char *where = verify_where(s, true);
		char *have = audit_value_text((const char *)sqlite3_column_text(s, 7),
		    (const char *)sqlite3_column_text(s, 8));
		char *said = audit_value_text(
		    (const char *)sqlite3_column_text(s, 11),
		    (const char *)sqlite3_column_text(s, 12));

		if (!present)
			audit_report_add(out, AUDIT_ITEM_DIFFERS, 0, seq, "item %s is "
			    "blank but the audit trail says %s (seq %lld)", where,
			    said, seq);
		else if (!audited)
			audit_report_add(out, AUDIT_ITEM_DIFFERS, 0, 0, "item %s = %s "
			    "but the audit trail has no record of it", where, have);
		else if (str_eq(action, "clear"))
			audit_report_add(out, AUDIT_ITEM_DIFFERS, 0, seq, "item %s = %s "
			    "but the audit trail says it was cleared (seq %lld)", where,
			    have, seq);
		else
			audit_report_add(out, AUDIT_ITEM_DIFFERS, 0, seq, "item %s = %s "
			    "but the audit trail says %s (seq %lld)", where, have, said,
			    seq);
		free(where);
		free(have);
		free(said);
		rc = SQLITE_OK;
	}
	store_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Form statuses against their latest status row (invariant 12). */
static int
verify_forms(store *st, audit_report *out)
{
	sqlite3_stmt *s;
	int rc = store_stmt(st, SQL_VERIFY_FORMS, &s);

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *status = form_status_name(
		    (form_status)sqlite3_column_int(s, 5));
		const char *said = (const char *)sqlite3_column_text(s, 7);
		long long seq = sqlite3_column_int64(s, 6);
		char *where, *p;

		rc = SQLITE_OK;
		if (sqlite3_column_type(s, 6) != SQLITE_NULL && str_eq(status, said))
			continue;
		where = verify_where(s, false);
		if (sqlite3_column_type(s, 6) == SQLITE_NULL) {
			audit_report_add(out, AUDIT_FORM_DIFFERS, 0, 0, "form %s is %s "
			    "but the audit trail has no record of it", where, status);
		} else {
			p = audit_value_text(said, NULL);
			audit_report_add(out, AUDIT_FORM_DIFFERS, 0, seq, "form %s is %s "
			    "but the audit trail says %s (seq %lld)", where, status, p,
			    seq);
			free(p);
		}
		free(where);
	}
	store_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The append-only triggers, present and as crf made them. */
static int
verify_triggers(store *st, audit_report *out)
{
	static const char *const trigger[][3] = {
		{ "audit_no_update", AUDIT_NO_UPDATE_SQL, "the audit trail" },
		{ "audit_no_delete", AUDIT_NO_DELETE_SQL, "the audit trail" },
		{ "signature_no_update", SIGNATURE_NO_UPDATE_SQL, "signatures" },
		{ "signature_no_delete", SIGNATURE_NO_DELETE_SQL, "signatures" },
		{ "record_lock_no_delete", LOCK_NO_DELETE_SQL, "locks" },
		{ "data_query_no_delete", QUERY_NO_DELETE_SQL, "queries" },
		{ "query_message_no_update", MESSAGE_NO_UPDATE_SQL, "query messages" },
		{ "query_message_no_delete", MESSAGE_NO_DELETE_SQL, "query messages" },
	};
	sqlite3_stmt *s;
	int rc = store_stmt(st, SQL_VERIFY_TRIGGER, &s);

	for (size_t i = 0; rc == SQLITE_OK && i < sizeof trigger / sizeof trigger[0];
	    i++) {
		rc = bind_text(s, 1, trigger[i][0]);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(s);
		if (rc == SQLITE_DONE)
			audit_report_add(out, AUDIT_UNPROTECTED, 0, 0, "the trigger %s "
			    "is missing: %s %s not protected against changes",
			    trigger[i][0], trigger[i][2], i < 2 ? "is" : "are");
		else if (rc == SQLITE_ROW && !str_eq((const char *)
		    sqlite3_column_text(s, 0), trigger[i][1]))
			audit_report_add(out, AUDIT_UNPROTECTED, 0, 0, "the trigger %s "
			    "was changed outside crf: %s %s not protected against "
			    "changes", trigger[i][0], trigger[i][2], i < 2 ? "is" : "are");
		store_reset(s);
		if (rc == SQLITE_ROW || rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	return rc;
}

crf_status
store_audit_verify(store *st, const audit_head *head, audit_report *out,
    crf_err *err)
{
	crf_status cs;
	int rc;

	memset(out, 0, sizeof *out);
	rc = read_begin(st);
	if (rc == SQLITE_OK)
		rc = verify_chain(st, head, out);
	if (rc == SQLITE_OK)
		rc = verify_items(st, out);
	if (rc == SQLITE_OK)
		rc = verify_forms(st, out);
	if (rc == SQLITE_OK)
		rc = lifecycle_verify(st, out);
	if (rc == SQLITE_OK)
		rc = signoff_verify(st, out);
	if (rc == SQLITE_OK)
		rc = query_verify(st, out);
	if (rc == SQLITE_OK)
		rc = verify_triggers(st, out);
	if (rc != SQLITE_OK) {
		cs = store_fail(st, rc, err);
		store_rollback(st);
		audit_report_clear(out);
		return cs;
	}
	cs = store_commit(st, err);
	if (cs != CRF_OK)
		audit_report_clear(out);
	return cs;
}

/* ---- Test hooks -------------------------------------------------------- */

/* ---- Users --------------------------------------------------------------- */

static bool
sodium_ready(void)
{
	static int state;   /* 0 untried, 1 ready, -1 failed */

	if (state == 0)
		state = sodium_init() >= 0 ? 1 : -1;
	return state == 1;
}

crf_status
store_user_count(store *st, long long *n, crf_err *err)
{
	sqlite3_stmt *s;
	int rc = store_stmt(st, SQL_USER_COUNT, &s);

	*n = 0;
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		*n = sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	}
	store_reset(s);
	return rc == SQLITE_OK ? CRF_OK : store_fail(st, rc, err);
}

void
user_row_clear(user_row *u)
{
	free(u->login);
	free(u->full_name);
	free(u->role);
	free(u->created_at);
	free(u->pw_changed_at);
	memset(u, 0, sizeof *u);
}

crf_status
store_add_user(store *st, const char *login, const char *full_name,
    const char *role, const char *password, crf_err *err)
{
	char hash[crypto_pwhash_STRBYTES];
	sqlite3_stmt *s;
	crf_status cs;
	int rc;

	if ((cs = store_may(st, PERM_MANAGE_USERS, err)) != CRF_OK)
		return cs;
	if (str_blank(login) || str_blank(full_name) || str_blank(role))
		return crf_fail(err, CRF_EINVAL, "a user needs a login, a full name and a role");
	if (password == NULL || *password == '\0')
		return crf_fail(err, CRF_EINVAL, "a user needs a password");
	if (!sodium_ready())
		return crf_fail(err, CRF_EIO, "the password library could not start");
	if (crypto_pwhash_str(hash, password, strlen(password), STORE_PW_OPSLIMIT,
	    STORE_PW_MEMLIMIT) != 0)
		return crf_fail(err, CRF_ENOMEM, "not enough memory to hash the password");

	store_stamp(st);
	rc = store_exec(st, SQL_BEGIN_WRITE);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, err);
	rc = store_stmt(st, SQL_USER_PUT, &s);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 1, login);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 2, full_name);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 3, role);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 4, hash);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 5, st->now_utc);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 6, st->user);
	if (rc == SQLITE_OK)
		rc = store_run(s);
	else
		store_reset(s);
	sodium_memzero(hash, sizeof hash);
	if (rc == SQLITE_OK) {
		audit_entry a = { .action = "user-create", .field = login,
		    .new_value = role, .reason = full_name };
		rc = audit_put(st, &a);
	}
	if (rc != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_CONSTRAINT)
			cs = crf_fail(err, CRF_EEXIST, "the login %s is taken (logins are "
			    "never reused)", login);
		else
			cs = store_fail(st, rc, err);
		store_rollback(st);
		return cs;
	}
	return store_commit(st, err);
}

static void
user_from_row(sqlite3_stmt *s, void *row)
{
	user_row *u = row;

	u->id = sqlite3_column_int64(s, 0);
	u->login = col_text(s, 1);
	u->full_name = col_text(s, 2);
	u->role = col_text(s, 3);
	u->active = sqlite3_column_int(s, 4) != 0;
	u->created_at = col_text(s, 5);
}

static void
user_from_list_row(sqlite3_stmt *s, void *row)
{
	user_row *u = row;

	user_from_row(s, u);
	u->locked = sqlite3_column_int(s, 6) != 0;
	u->pw_changed_at = col_text(s, 7);
	u->must_change = sqlite3_column_int(s, 8) != 0;
}

void
user_rows_free(user_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		user_row_clear(&rows[i]);
	free(rows);
}


static void
user_rows_release(void *rows, size_t n)
{
	user_rows_free(rows, n);
}

crf_status
store_list_users(store *st, user_row **rows, size_t *n, crf_err *err)
{
	return store_rows(st, SQL_USER_LIST, NULL, sizeof **rows, user_from_list_row,
	    user_rows_release, (void **)rows, n, err);
}



void
store_set_login_limit(store *st, int limit)
{
	st->login_limit = limit > 0 ? limit : 1;
}

void
store_set_password_max_age(store *st, int days)
{
	st->password_max_age = days > 0 ? days : 0;
}

/* Was the password set more than password_max_age days ago? */
static bool
password_too_old(const store *st, const char *changed_at)
{
	time_t t;

	if (st->password_max_age <= 0 || str_blank(changed_at))
		return false;
	if (!clock_parse(changed_at, &t))
		return true;
	return clock_now() - t > (time_t)st->password_max_age * 86400;
}

crf_status
store_login(store *st, const char *login, const char *password, user_row *out,
    crf_err *err)
{
	sqlite3_stmt *s;
	char *hash = NULL;
	bool good = false, known = false, lock_now = false;
	int failed = 0;
	crf_status cs;
	int rc;

	memset(out, 0, sizeof *out);
	if (!sodium_ready())
		return crf_fail(err, CRF_EIO, "the password library could not start");
	rc = store_stmt(st, SQL_USER_GET, &s);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 1, login ? login : "");
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		user_from_row(s, out);
		hash = col_text(s, 6);
		failed = sqlite3_column_int(s, 7);
		out->locked = sqlite3_column_int(s, 8) != 0;
		out->pw_changed_at = col_text(s, 9);
		out->must_change = sqlite3_column_int(s, 10) != 0 ||
		    password_too_old(st, out->pw_changed_at);
		known = true;
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	}
	store_reset(s);
	if (rc != SQLITE_OK) {
		user_row_clear(out);
		free(hash);
		return store_fail(st, rc, err);
	}
	if (hash != NULL && password != NULL && out->active && !out->locked)
		good = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
	free(hash);
	if (known && !out->locked && out->active)
		lock_now = !good && failed + 1 >= st->login_limit;

	/* Every outcome goes to the audit trail, under the login typed, with
	 * the account's count of wrong passwords in the same transaction. */
	store_stamp(st);
	rc = store_exec(st, SQL_BEGIN_WRITE);
	if (rc == SQLITE_OK) {
		char *saved = st->user;
		audit_entry a = { .action = good ? "login" : "login-failed", .field = login,
		    .reason = known && !out->active ? "account retired" :
		    out->locked ? "account locked" : NULL };
		st->user = (char *)(login && *login ? login : "?");
		rc = audit_put(st, &a);
		if (rc == SQLITE_OK && lock_now) {
			audit_entry l = { .action = "lockout", .field = login,
			    .reason = "too many wrong passwords" };
			rc = audit_put(st, &l);
		}
		st->user = saved;
	}
	if (rc == SQLITE_OK && known && !out->locked && out->active) {
		rc = store_stmt(st, SQL_USER_FAILED, &s);
		if (rc == SQLITE_OK)
			rc = bind_text(s, 1, login);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int(s, 2, good ? 0 : failed + 1);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int(s, 3, lock_now ? 1 : 0);
		if (rc == SQLITE_OK)
			rc = store_run(s);
		else
			store_reset(s);
	}
	cs = rc == SQLITE_OK ? store_commit(st, err) : store_fail(st, rc, err);
	if (rc != SQLITE_OK)
		store_rollback(st);
	if (cs != CRF_OK) {
		user_row_clear(out);
		return cs;
	}
	if (known && !out->active) {
		cs = crf_fail(err, CRF_EDENIED, "the account %s is retired and cannot sign in",
		    login);
		user_row_clear(out);
		return cs;
	}
	if (out->locked || lock_now) {
		cs = crf_fail(err, CRF_EDENIED, "the account %s is locked after %d wrong "
		    "passwords: an administrator unlocks it (crf user unlock %s)", login,
		    st->login_limit, login);
		user_row_clear(out);
		return cs;
	}
	if (!good) {
		user_row_clear(out);
		return crf_fail(err, CRF_EDENIED, "the user name or password is wrong");
	}
	store_set_user(st, out->login);
	st->role = role_from_name(out->role);
	st->enforce = true;
	st->signed_once = false;   /* a new session: both components again */
	return CRF_OK;
}

/*
 * Check login's password inside a write transaction already begun.  A
 * wrong one is counted (and locks the account at the limit), audited as
 * failed_action under the login typed; *good says whether it was right.
 * Returns an SQLite code; *cs a refusal (CRF_EDENIED) to give once the
 * transaction is committed.
 */
static int
password_recheck(store *st, const char *login, const char *password,
    const char *failed_action, bool *good, crf_status *cs, crf_err *err)
{
	sqlite3_stmt *s;
	char *hash = NULL;
	bool known = false, active = false, locked = false, lock_now = false;
	int failed = 0;
	int rc = store_stmt(st, SQL_USER_GET, &s);

	*good = false;
	*cs = CRF_OK;
	if (rc == SQLITE_OK)
		rc = bind_text(s, 1, login);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		known = true;
		active = sqlite3_column_int(s, 4) != 0;
		hash = col_text(s, 6);
		failed = sqlite3_column_int(s, 7);
		locked = sqlite3_column_int(s, 8) != 0;
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	}
	store_reset(s);
	if (rc != SQLITE_OK) {
		free(hash);
		return rc;
	}
	if (known && active && !locked && password != NULL)
		*good = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
	free(hash);
	if (!known || !active || locked) {
		*cs = crf_fail(err, CRF_EDENIED, "the account %s cannot sign: it is %s",
		    login, !known ? "unknown" : !active ? "retired" : "locked");
		return SQLITE_OK;
	}
	if (*good && failed == 0)
		return SQLITE_OK;
	lock_now = !*good && failed + 1 >= st->login_limit;
	rc = store_stmt(st, SQL_USER_FAILED, &s);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 1, login);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(s, 2, *good ? 0 : failed + 1);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(s, 3, lock_now ? 1 : 0);
	if (rc == SQLITE_OK)
		rc = store_run(s);
	else
		store_reset(s);
	if (rc == SQLITE_OK && !*good) {
		audit_entry a = { .action = failed_action, .field = login };
		rc = audit_put(st, &a);
	}
	if (rc == SQLITE_OK && lock_now) {
		audit_entry l = { .action = "lockout", .field = login,
		    .reason = "too many wrong passwords" };
		rc = audit_put(st, &l);
	}
	if (!*good)
		*cs = lock_now ?
		    crf_fail(err, CRF_EDENIED, "the password is wrong; the account %s "
		    "is now locked after %d wrong passwords: an administrator unlocks "
		    "it", login, st->login_limit) :
		    crf_fail(err, CRF_EDENIED, "the password is wrong");
	return rc;
}

/* End the write transaction of a password check: rolled back on a database
 * error (rc); else committed, so that a refusal's audit row (a wrong
 * password, a lockout) is kept, and refused returned when there was one. */
static crf_status
password_end(store *st, int rc, crf_status refused, crf_err *err)
{
	crf_status cs;
	crf_err e2;

	if (rc != SQLITE_OK) {
		cs = store_fail(st, rc, err);
		store_rollback(st);
		return cs;
	}
	if (refused == CRF_OK)
		return store_commit(st, err);
	cs = store_commit(st, &e2);
	if (cs != CRF_OK) {
		if (err != NULL)
			*err = e2;
		return cs;
	}
	return refused;
}

crf_status
store_check_password(store *st, const char *login, const char *password,
    const char *failed_action, crf_err *err)
{
	crf_status cs, refused;
	bool good;
	int rc;

	if (str_blank(login) || !str_eq(login, st->user))
		return crf_fail(err, CRF_EDENIED, "only the person signed in (%s) "
		    "can sign here", st->user);
	if (!sodium_ready())
		return crf_fail(err, CRF_EIO, "the password library could not start");
	if ((cs = store_begin_write(st, err)) != CRF_OK)
		return cs;
	rc = password_recheck(st, login, password, failed_action, &good, &refused,
	    err);
	return password_end(st, rc, refused, err);
}

crf_status
store_change_password(store *st, const char *login, const char *old_password,
    const char *new_password, crf_err *err)
{
	char hash[crypto_pwhash_STRBYTES];
	crf_status cs, refused;
	sqlite3_stmt *s;
	bool good;
	int rc;

	if (str_blank(login) || old_password == NULL || new_password == NULL ||
	    *new_password == '\0')
		return crf_fail(err, CRF_EINVAL, "a password change needs the login, "
		    "the old password and a new one");
	if (strcmp(old_password, new_password) == 0)
		return crf_fail(err, CRF_EINVAL, "the new password must differ from "
		    "the old one");
	if (st->enforce && !str_eq(login, st->user))
		return crf_fail(err, CRF_EDENIED, "people change only their own "
		    "password; an administrator resets others'");
	if (!sodium_ready())
		return crf_fail(err, CRF_EIO, "the password library could not start");
	if (crypto_pwhash_str(hash, new_password, strlen(new_password),
	    STORE_PW_OPSLIMIT, STORE_PW_MEMLIMIT) != 0)
		return crf_fail(err, CRF_ENOMEM, "not enough memory to hash the password");
	if ((cs = store_begin_write(st, err)) != CRF_OK) {
		sodium_memzero(hash, sizeof hash);
		return cs;
	}
	{
		char *saved = st->user;
		st->user = (char *)login;
		rc = password_recheck(st, login, old_password, "password-change-failed",
		    &good, &refused, err);
		st->user = saved;
	}
	if (rc == SQLITE_OK && refused == CRF_OK) {
		rc = store_stmt(st, SQL_USER_PASSWORD, &s);
		if (rc == SQLITE_OK)
			rc = bind_text(s, 1, login);
		if (rc == SQLITE_OK)
			rc = bind_text(s, 2, hash);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int(s, 3, 0);
		if (rc == SQLITE_OK)
			rc = bind_text(s, 4, st->now_utc);
		if (rc == SQLITE_OK)
			rc = store_run(s);
		else
			store_reset(s);
		if (rc == SQLITE_OK) {
			char *saved = st->user;
			audit_entry a = { .action = "password-change", .field = login };
			st->user = (char *)login;
			rc = audit_put(st, &a);
			st->user = saved;
		}
	}
	sodium_memzero(hash, sizeof hash);
	return password_end(st, rc, refused, err);
}

crf_status
store_note_export(store *st, const char *what, const char *where,
    const char *subject, crf_err *err)
{
	audit_entry a = { .action = "export", .subject = subject,
	    .new_value = what, .reason = where };
	crf_status cs;
	int rc;

	if (str_blank(what))
		return crf_fail(err, CRF_EINVAL, "an export must say what it wrote");
	if ((cs = store_may(st, PERM_EXPORT, err)) != CRF_OK)
		return cs;
	if ((cs = store_begin_write(st, err)) != CRF_OK)
		return cs;
	rc = audit_put(st, &a);
	if (rc != SQLITE_OK) {
		cs = store_fail(st, rc, err);
		store_rollback(st);
		return cs;
	}
	return store_commit(st, err);
}

crf_status
store_logout(store *st, crf_err *err)
{
	crf_status cs = CRF_OK;

	if (st->enforce && st->role != ROLE_NONE) {
		audit_entry a = { .action = "logout", .field = st->user };
		int rc;

		if ((cs = store_begin_write(st, err)) != CRF_OK)
			goto out;
		rc = audit_put(st, &a);
		if (rc != SQLITE_OK) {
			cs = store_fail(st, rc, err);
			store_rollback(st);
		} else {
			cs = store_commit(st, err);
		}
	}
out:
	st->role = ROLE_NONE;
	st->enforce = true;
	st->signed_once = false;
	return cs;
}

crf_status
store_change_user(store *st, const char *login, user_change what, const char *arg,
    crf_err *err)
{
	static const char *const actions[] = {
		[USER_UNLOCK] = "user-unlock",
		[USER_RETIRE] = "user-retire",
		[USER_SET_ROLE] = "role-change",
		[USER_RESET_PASSWORD] = "password-reset",
	};
	char hash[crypto_pwhash_STRBYTES] = "";
	char *old_role = NULL;
	sqlite3_stmt *s = NULL;
	bool found = false;
	int rc;

	crf_status cs0 = store_may(st, PERM_MANAGE_USERS, err);

	if (cs0 != CRF_OK)
		return cs0;
	if ((what == USER_SET_ROLE || what == USER_RESET_PASSWORD) && str_blank(arg))
		return crf_fail(err, CRF_EINVAL, "%s needs a value",
		    what == USER_SET_ROLE ? "a role change" : "a password reset");
	if (what == USER_RESET_PASSWORD) {
		if (!sodium_ready())
			return crf_fail(err, CRF_EIO, "the password library could not start");
		if (crypto_pwhash_str(hash, arg, strlen(arg), STORE_PW_OPSLIMIT,
		    STORE_PW_MEMLIMIT) != 0)
			return crf_fail(err, CRF_ENOMEM, "not enough memory to hash the password");
	}
	store_stamp(st);
	rc = store_exec(st, SQL_BEGIN_WRITE);
	if (rc == SQLITE_OK)
		rc = store_stmt(st, SQL_USER_GET, &s);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 1, login ? login : "");
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		found = true;
		old_role = col_text(s, 3);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	}
	store_reset(s);
	if (rc == SQLITE_OK && !found) {
		store_rollback(st);
		sodium_memzero(hash, sizeof hash);
		return crf_fail(err, CRF_ENOENT, "there is no account %s", login ? login : "");
	}
	if (rc == SQLITE_OK) {
		switch (what) {
		case USER_UNLOCK: rc = store_stmt(st, SQL_USER_FAILED, &s); break;
		case USER_RETIRE: rc = store_stmt(st, SQL_USER_RETIRE, &s); break;
		case USER_SET_ROLE: rc = store_stmt(st, SQL_USER_ROLE, &s); break;
		case USER_RESET_PASSWORD: rc = store_stmt(st, SQL_USER_PASSWORD, &s); break;
		}
	}
	if (rc == SQLITE_OK)
		rc = bind_text(s, 1, login);
	if (rc == SQLITE_OK && what == USER_UNLOCK) {
		rc = sqlite3_bind_int(s, 2, 0);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int(s, 3, 0);
	} else if (rc == SQLITE_OK && what == USER_SET_ROLE) {
		rc = bind_text(s, 2, arg);
	} else if (rc == SQLITE_OK && what == USER_RESET_PASSWORD) {
		rc = bind_text(s, 2, hash);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int(s, 3, 1);
		if (rc == SQLITE_OK)
			rc = bind_text(s, 4, st->now_utc);
	}
	if (rc == SQLITE_OK)
		rc = store_run(s);
	else
		store_reset(s);
	sodium_memzero(hash, sizeof hash);
	if (rc == SQLITE_OK) {
		audit_entry a = { .action = actions[what], .field = login };
		if (what == USER_SET_ROLE) {
			a.old_value = old_role;
			a.new_value = arg;
		}
		rc = audit_put(st, &a);
	}
	free(old_role);
	if (rc != SQLITE_OK) {
		crf_status cs = store_fail(st, rc, err);
		store_rollback(st);
		return cs;
	}
	return store_commit(st, err);
}

/* ---- Drafts ------------------------------------------------------------- */

static int
bind_draft_key(sqlite3_stmt *s, const form_key *key, const char *user)
{
	int rc = bind_form_key(s, key, NULL);

	if (rc == SQLITE_OK)
		rc = bind_text(s, 6, user);
	return rc;
}

crf_status
store_put_draft(store *st, const form_key *key, const char *user, int base_version,
    const item_change *items, size_t n, crf_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (!key_valid(key) || str_blank(user))
		return crf_fail(err, CRF_EINVAL, "the draft's form or user is not named");
	store_stamp(st);
	rc = store_exec(st, SQL_BEGIN_WRITE);
	if (rc == SQLITE_OK)
		rc = store_stmt(st, SQL_DRAFT_DEL, &s);
	if (rc == SQLITE_OK)
		rc = bind_draft_key(s, key, user);
	if (rc == SQLITE_OK)
		rc = store_run(s);
	if (rc == SQLITE_OK)
		rc = store_stmt(st, SQL_DRAFT_PUT, &s);
	if (rc == SQLITE_OK)
		rc = bind_draft_key(s, key, user);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(s, 7, base_version);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 8, st->now_utc);
	if (rc == SQLITE_OK)
		rc = store_run(s);
	for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
		rc = store_stmt(st, SQL_DRAFT_ITEM_PUT, &s);
		if (rc == SQLITE_OK)
			rc = bind_draft_key(s, key, user);
		if (rc == SQLITE_OK)
			rc = bind_text(s, 7, items[i].field);
		if (rc == SQLITE_OK)
			rc = bind_text(s, 8, items[i].value);
		if (rc == SQLITE_OK)
			rc = bind_text(s, 9, items[i].missing);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int(s, 10, items[i].flags);
		if (rc == SQLITE_OK)
			rc = store_run(s);
	}
	if (rc != SQLITE_OK) {
		crf_status cs = store_fail(st, rc, err);
		store_reset(s);
		store_rollback(st);
		return cs;
	}
	return store_commit(st, err);
}

crf_status
store_get_draft(store *st, const form_key *key, const char *user, form_data *out,
    bool *found, crf_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	*found = false;
	if (!key_valid(key) || str_blank(user))
		return crf_fail(err, CRF_EINVAL, "the draft's form or user is not named");
	rc = read_begin(st);
	if (rc == SQLITE_OK)
		rc = store_stmt(st, SQL_DRAFT_GET, &s);
	if (rc == SQLITE_OK)
		rc = bind_draft_key(s, key, user);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		*found = true;
		out->version = sqlite3_column_int(s, 0);
		out->updated_at = col_text(s, 1);
		out->updated_by = xstrdup(user);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	}
	store_reset(s);
	if (rc == SQLITE_OK && *found) {
		rc = store_stmt(st, SQL_DRAFT_ITEMS, &s);
		if (rc == SQLITE_OK)
			rc = bind_draft_key(s, key, user);
		if (rc == SQLITE_OK)
			rc = read_items(s, out);
		else
			store_reset(s);
	}
	if (rc != SQLITE_OK) {
		crf_status cs = store_fail(st, rc, err);
		store_rollback(st);
		form_data_clear(out);
		*found = false;
		return cs;
	}
	return store_commit(st, err);
}

crf_status
store_drop_draft(store *st, const form_key *key, const char *user, crf_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (!key_valid(key) || str_blank(user))
		return crf_fail(err, CRF_EINVAL, "the draft's form or user is not named");
	rc = store_stmt(st, SQL_DRAFT_DEL, &s);
	if (rc == SQLITE_OK)
		rc = bind_draft_key(s, key, user);
	if (rc == SQLITE_OK)
		rc = store_run(s);
	else
		store_reset(s);
	return rc == SQLITE_OK ? CRF_OK : store_fail(st, rc, err);
}

#ifdef CRF_TESTING
struct sqlite3 *
store_test_db(store *st)
{
	return st->db;
}

void
store_test_crash_after(store *st, int nwrites)
{
	st->crash_after = nwrites;
}

void
store_test_busy_timeout(store *st, int ms)
{
	sqlite3_busy_timeout(st->db, ms);
}

void
store_test_on_read(store *st, void (*fn)(void *), void *arg)
{
	st->on_read = fn;
	st->on_read_arg = arg;
}

const char *
store_test_migration(int step)
{
	if (step < 0 || step >= STORE_SCHEMA_VERSION)
		return NULL;
	return store_migrations[step].sql;
}
#endif
