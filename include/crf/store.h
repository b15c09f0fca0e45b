/*
 * store.h - the site database: one SQLite file per site.
 *
 * Every change goes through this module: each save is one transaction
 * that writes the item values, the form instance's status and version,
 * and the audit rows together, so after a crash a form is either fully
 * saved or untouched.  The invariants and the record state diagram are in
 * the design note at the top of src/core/store.c.
 *
 * Text passed in and returned is UTF-8.  Returned rows are owned by the
 * caller and freed with the matching *_free function.
 */
#ifndef CRF_STORE_H
#define CRF_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "crf/audit.h"
#include "crf/status.h"

typedef struct store store;

/* The schema version this build writes (PRAGMA user_version).  Version 2
 * hash-chains the audit trail (see audit.h and the note in store.c);
 * version 5 records the transfers to the coordinating centre (transfer.h)
 * and, in a central database, the imports (central.h); version 6 keeps
 * the sites' admin data at the centre. */
#define STORE_SCHEMA_VERSION 6

/* ---- Open and close -------------------------------------------------- */

/* Create a new site database at path for site (code, name), making its
 * folder (mode 0750) when that does not exist yet.  Refuses with
 * CRF_EEXIST if the file exists (even empty): crf never initialises over
 * an existing file.  On success *out is open and ready. */
crf_status store_create(const char *path, const char *site_code,
    const char *site_name, store **out, crf_err *err);

/* Open an existing database read-write, apply forward migrations up to
 * STORE_SCHEMA_VERSION in one transaction, and set WAL, foreign keys,
 * synchronous=FULL and a busy timeout.  CRF_ENOENT if the file is
 * missing, CRF_ESCHEMA if it was written by a newer crf, CRF_EDB if it is
 * not a crf database. */
crf_status store_open(const char *path, store **out, crf_err *err);

void store_close(store *st);

/* The user name written into audit rows from now on (copied). */
void store_set_user(store *st, const char *user);

/* The operating-system account running crf, the user of a command's audit
 * rows until someone signs in: $USER, else $LOGNAME, else the password
 * database's name of the effective user id; "unknown" when none (owned). */
char *store_os_user(void);

/* Site code and name recorded at creation (borrowed). */
const char *store_site_code(const store *st);
const char *store_site_name(const store *st);

/* ---- Subjects --------------------------------------------------------- */

typedef struct subject_row {
	long long id;
	char *key;          /* site-scoped screening number, "TJ01-0007" */
	char *status;       /* "screening", "enrolled", ... (lifecycle.h) */
	char *created_at;   /* UTC ISO 8601 */
	char *created_by;
	char *study_no;     /* given at enrolment, "TJ01-E001"; NULL before */
	char *status_date;  /* date of the last change of status (YYYY-MM-DD) */
	char *status_reason;/* its reason (screen failure, withdrawal, death) */
} subject_row;

/* Allocate the next screening number of the site ("<SITE>-<NNNN>") and
 * create the subject (status "screening"), audited.  *out receives it.
 * CRF_EDENIED in a central database (central.h): its subjects come from
 * the sites. */
crf_status store_add_subject(store *st, subject_row *out, crf_err *err);

/* All subjects of the site in key order. */
crf_status store_list_subjects(store *st, subject_row **rows, size_t *n,
    crf_err *err);
/* One subject by key; CRF_ENOENT if there is none. */
crf_status store_find_subject(store *st, const char *key, subject_row *out,
    crf_err *err);
void subject_row_clear(subject_row *r);
void subject_rows_free(subject_row *rows, size_t n);

/* ---- Form instances ----------------------------------------------------- */

/* Record states: see the state diagram in store.c.  Verification,
 * signatures and locks are kept beside the status (signoff.h). */
typedef enum form_status {
	FORM_NOT_STARTED = 0,
	FORM_INCOMPLETE = 1,
	FORM_COMPLETE = 2
} form_status;

/* "not started", "incomplete", "complete" */
const char *form_status_name(form_status s);

/* Which form instance: subject, event (with its repeat number, from 1)
 * and form (with its repeat number, from 1).  Subject-level repeating
 * logs use event "" and event_repeat 0. */
typedef struct form_key {
	long long subject_id;
	const char *event;
	int event_repeat;
	const char *form;
	int form_repeat;
} form_key;

/* One stored item.  value is canonical text (see validate.h) or NULL;
 * missing is a missing-data code ("UNK") or NULL.  flags: ITEM_SOFT_OK
 * means a soft-range value was confirmed by the user. */
#define ITEM_SOFT_OK 0x1
typedef struct item_value {
	char *field;
	char *value;
	char *missing;
	int flags;
} item_value;

typedef struct form_data {
	long long instance_id;  /* 0 when not yet saved */
	form_status status;
	int version;            /* optimistic-concurrency counter; 0 unsaved */
	int form_version;       /* form definition version it was saved under */
	char *updated_at;
	char *updated_by;
	char *sdv_by;           /* source data verified by (signoff.h), or NULL */
	char *sdv_at;
	item_value *items;      /* sorted by field */
	size_t nitems;
} form_data;

/* Load one form instance.  A form never saved gives CRF_OK with status
 * FORM_NOT_STARTED, version 0 and no items. */
crf_status store_load_form(store *st, const form_key *key, form_data *out,
    crf_err *err);
void form_data_clear(form_data *fd);

/* A change to save: the new value and missing code of one field (both
 * NULL clears it).  Old values are read from the database, never trusted
 * from the caller. */
typedef struct item_change {
	const char *field;
	const char *value;
	const char *missing;
	int flags;
} item_change;

/*
 * Save a form instance in one transaction (BEGIN IMMEDIATE ... COMMIT):
 * refuses with CRF_ECONFLICT if the stored version differs from
 * expected_version (someone else saved since it was loaded); writes each
 * change whose value, missing code or flags differ from the stored ones,
 * an audit row per changed item and one for a status change; sets the
 * status and form_version; increments the version into *new_version.
 * reason is required (CRF_EINVAL) when the stored status is
 * FORM_COMPLETE and any item changes.  On any error nothing is written.
 */
crf_status store_save_form(store *st, const form_key *key,
    int expected_version, int form_version, form_status status,
    const item_change *changes, size_t nchanges, const char *reason,
    int *new_version, crf_err *err);

/* A query the save raises by itself (query.h) when the site's
 * auto_queries setting is on: a soft-range value confirmed, a soft check
 * that failed.  field NULL: about the whole form. */
typedef struct save_query {
	const char *field;
	const char *text;
} save_query;

/* store_save_form(), also raising queries[0..nqueries) in the same
 * transaction when auto queries are on (store_set_auto_queries), each
 * unless a query raised by crf is still open on the same field.  A save
 * of a locked form is refused with CRF_ELOCKED; a save that changes an
 * item of a verified form clears the verification (signoff.h). */
crf_status store_save_form_queries(store *st, const form_key *key,
    int expected_version, int form_version, form_status status,
    const item_change *changes, size_t nchanges, const char *reason,
    const save_query *queries, size_t nqueries, int *new_version,
    crf_err *err);

/* Turn automatic queries on or off (config.ini [monitoring] auto_queries). */
void store_set_auto_queries(store *st, bool on);

/* Summary of every saved form instance of a subject. */
typedef struct form_row {
	char *event;
	int event_repeat;
	char *form;
	int form_repeat;
	form_status status;
	int version;
	char *updated_at;
	bool verified;          /* source data verified (signoff.h) */
} form_row;
crf_status store_list_forms(store *st, long long subject_id, form_row **rows,
    size_t *n, crf_err *err);
void form_rows_free(form_row *rows, size_t n);

/* Every stored item of a subject (for cross-form references), ordered by
 * event, event_repeat, form, form_repeat, field. */
typedef struct subject_item {
	char *event;
	int event_repeat;
	char *form;
	int form_repeat;
	char *field;
	char *value;
	char *missing;
} subject_item;
crf_status store_load_subject_items(store *st, long long subject_id,
    subject_item **rows, size_t *n, crf_err *err);
void subject_items_free(subject_item *rows, size_t n);

/* ---- Audit trail ------------------------------------------------------ */

typedef struct audit_row {
	long long seq;
	char *ts_utc;       /* "2026-01-15T09:30:00Z" */
	char *tz_offset;    /* "+08:00" */
	char *user;
	char *action;       /* "create", "update", "clear", "status", "subject" */
	char *subject;      /* subject key */
	char *event;
	int event_repeat;
	char *form;
	int form_repeat;
	char *field;
	char *old_value;    /* canonical value or NULL */
	char *old_missing;  /* missing-data code or NULL */
	char *new_value;
	char *new_missing;
	char *reason;
	bool clock_back;    /* its time is earlier than the previous row's */
	char *hash;         /* the row's link in the chain (64 hex digits) */
	char *user_name;    /* the account's full name, NULL if unknown */
} audit_row;

/* History of one field of one form instance, oldest first; field NULL
 * gives every row of the form instance. */
crf_status store_field_history(store *st, const form_key *key,
    const char *field, audit_row **rows, size_t *n, crf_err *err);

/* The whole trail of a subject (by key, "TJ01-0001"), oldest first (seq
 * order): its creation, every item and status change of its forms.  event
 * and form, when not NULL, keep only the rows of that event and form (any
 * repeat; event "" is the subject-level logs).  CRF_ENOENT when the
 * subject has neither a record nor any audit row. */
crf_status store_subject_history(store *st, const char *subject_key,
    const char *event, const char *form, audit_row **rows, size_t *n,
    crf_err *err);
void audit_rows_free(audit_row *rows, size_t n);

/*
 * Verify the audit trail, in one read transaction (a consistent snapshot
 * while other sessions go on saving):
 *  - the chain: rows numbered 1, 2, 3... without a gap or a cut end, each
 *    with the hash of its canonical bytes chained to the previous row's
 *    (audit.h), and a clock_back flag that matches its time;
 *  - the current data against the trail: every item equals the new value
 *    and code of the latest audit row of its field; every field whose
 *    latest row is a create or update has its item; every form
 *    instance's status is the new value of its latest status row;
 *  - the append-only triggers: both there, as crf made them;
 *  - with head (may be NULL), a head of the chain noted earlier: its row
 *    is there with the same hash, so the trail up to it is unchanged.
 * out receives the counts, the head of the chain, the problems (the
 * chain's first, then every item and form one, then the triggers') and
 * the clock anomalies; free it with audit_report_clear().  CRF_OK means
 * the check ran (the trail is intact when out->nissues is 0); another
 * status means it could not be read.
 */
crf_status store_audit_verify(store *st, const audit_head *head,
    audit_report *out, crf_err *err);

/*
 * Read as of one instant until store_release_snapshot(): one read
 * transaction that every read of the store joins, so that an export or a
 * report of many subjects is consistent while other sessions save (in WAL
 * mode they are not held up).  Nothing can be written meanwhile: a
 * write is refused and the snapshot stays.  CRF_EINVAL when one is held
 * already.
 */
crf_status store_hold_snapshot(store *st, crf_err *err);
/* End the snapshot of store_hold_snapshot() (nothing when none is held). */
void store_release_snapshot(store *st);

#ifdef CRF_TESTING
/* ---- Test hooks (unit-test builds only: -DCRF_TESTING) ------------------ */

struct sqlite3;
/* The store's own connection, to check its PRAGMAs (borrowed). */
struct sqlite3 *store_test_db(store *st);
/* Make store_save_form() call _exit(9) right after its nwrites-th item
 * write from now, in the middle of its transaction (a crash); 0 disables. */
void store_test_crash_after(store *st, int nwrites);
/* Replace the busy timeout (milliseconds) of this store's connection. */
void store_test_busy_timeout(store *st, int ms);
/* Call fn(arg) each time a read of this store begins (fn NULL: stop), to
 * change the database from another connection in the middle of a report
 * or an export. */
void store_test_on_read(store *st, void (*fn)(void *), void *arg);
/* The SQL script of migration step `step` (from version step to step +
 * 1; for a step with C work, the part before it), or NULL past the last
 * step: to build a database of an older version. */
const char *store_test_migration(int step);
#endif

/* ---- Users (the trust-layer issue adds roles, lockout, expiry) ------- */

typedef struct user_row {
	long long id;
	char *login;
	char *full_name;
	char *role;         /* "admin", "data-entry", ... */
	bool active;
	char *created_at;
	bool locked;        /* after too many wrong passwords */
	bool must_change;   /* store_login: the password has expired or was
	                     * reset by an administrator: change it now */
	char *pw_changed_at;/* when the password was last set */
} user_row;

/* Number of user accounts (0 on a new database: first-start set-up). */
crf_status store_user_count(store *st, long long *n, crf_err *err);

/* Create an account; the password is stored only as an argon2id hash
 * (libsodium crypto_pwhash_str).  CRF_EEXIST if the login was ever used:
 * logins are never reused.  Audited. */
crf_status store_add_user(store *st, const char *login, const char *full_name,
    const char *role, const char *password, crf_err *err);

/* How many wrong passwords in a row lock an account (config.ini
 * failed_login_limit; 5 until set). */
void store_set_login_limit(store *st, int limit);

/* Passwords older than days must be changed at sign-in (config.ini
 * password_max_age_days; 0: never). */
void store_set_password_max_age(store *st, int days);

/* Check a login and password.  CRF_OK fills *out; CRF_EDENIED ("the user
 * name or password is wrong") otherwise, without saying which.  Each wrong
 * password of an existing account counts; at the limit the account is
 * locked (audited "lockout") and then refuses even the right password
 * with CRF_EDENIED "the account ... is locked" until store_unlock_user.
 * A right password resets the count.  Every outcome is audited. */
crf_status store_login(store *st, const char *login, const char *password,
    user_row *out, crf_err *err);

/* Record an export (or a printed copy) in the audit trail: action
 * "export", new value what ("odm transactional", "csv", "print"), reason
 * where it went (a file or folder), subject when it was one subject's.
 * Needs PERM_EXPORT in a signed-in session.  Call it once the copy is
 * written. */
crf_status store_note_export(store *st, const char *what, const char *where,
    const char *subject, crf_err *err);

/* End the signed-in session (leaving crf, or signing out at a lock):
 * audited "logout"; from then on the store allows nothing until the next
 * store_login().  The session ends even when the audit row cannot be
 * written (the error is returned). */
crf_status store_logout(store *st, crf_err *err);

/* A person changes their own password: old_password must be right (a
 * wrong one counts towards the lockout), the new one must differ from
 * it.  Clears must_change and restarts the password's age.  Audited
 * "password-change" (never the password).  Length rules are the
 * caller's (config.ini password_min_length). */
crf_status store_change_password(store *st, const char *login,
    const char *old_password, const char *new_password, crf_err *err);
void user_row_clear(user_row *u);

/* What an administrator changes in an account. */
typedef enum user_change {
	USER_UNLOCK,          /* after too many wrong passwords */
	USER_RETIRE,          /* may no longer sign in; the login is never reused */
	USER_SET_ROLE,        /* arg: the new role name */
	USER_RESET_PASSWORD   /* arg: the new password (hashed, never stored);
	                       * the person must change it at next sign-in */
} user_change;

/* Change an account, audited in the same transaction ("user-unlock",
 * "user-retire", "role-change" old -> new, "password-reset" without
 * values).  CRF_ENOENT when there is no such login. */
crf_status store_change_user(store *st, const char *login, user_change what,
    const char *arg, crf_err *err);

/* Every account in login order (rows owned by the caller). */
crf_status store_list_users(store *st, user_row **rows, size_t *n, crf_err *err);
void user_rows_free(user_row *rows, size_t n);

/* ---- Drafts: unsaved entries kept across a hang-up ------------------- */

/*
 * Keep the full current state of a form instance being edited by user
 * (one row per field: value, missing code, flags) with the version it was
 * based on, replacing any earlier draft of the same user and instance.
 * Drafts are not data: they are not audited and never exported.
 */
crf_status store_put_draft(store *st, const form_key *key, const char *user,
    int base_version, const item_change *items, size_t n, crf_err *err);

/* The user's draft of the instance: *found false when there is none.
 * out->version is the base version, out->updated_at when it was kept. */
crf_status store_get_draft(store *st, const form_key *key, const char *user,
    form_data *out, bool *found, crf_err *err);

crf_status store_drop_draft(store *st, const form_key *key, const char *user,
    crf_err *err);

#endif
