/*
 * store_impl.h - what the modules of the site database share inside
 * src/core: the store itself, its statement cache, transactions and the
 * audit writer.  Not installed and not for screens: store.c (subjects,
 * forms, accounts, drafts), signoff.c (signatures, locks, source data
 * verification) and query.c (queries) include it; everyone else goes
 * through store.h, signoff.h and query.h.
 *
 * The invariants of src/core/store.c hold for every module: one
 * transaction per change (begun by store_begin_write()), its audit rows
 * written by audit_put() inside it, bound parameters only, statements
 * prepared once and reset as soon as their rows are read.
 */
#ifndef CRF_STORE_IMPL_H
#define CRF_STORE_IMPL_H

#include <stdbool.h>

#include <sqlite3.h>

#include "crf/perm.h"
#include "crf/status.h"
#include "crf/store.h"

/* Statement cache slots: store.c's own statements take the first
 * STORE_SLOTS_CORE, each other module a block of its own. */
enum {
	STORE_SLOTS_CORE = 64,
	STORE_SLOTS_SIGNOFF = STORE_SLOTS_CORE,
	STORE_SLOTS_QUERY = STORE_SLOTS_CORE + 32,
	STORE_SLOTS_LIFECYCLE = STORE_SLOTS_CORE + 64,
	STORE_SLOTS = STORE_SLOTS_CORE + 80
};

struct store {
	sqlite3 *db;
	char *path;
	char *site_code;
	char *site_name;
	char *user;
	int login_limit;           /* wrong passwords that lock an account */
	int password_max_age;      /* days; 0: passwords never expire */
	bool auto_queries;         /* soft values open queries by themselves */
	crf_role role;             /* set by a successful store_login */
	bool enforce;              /* a signed-in session: check the role */
	bool signed_once;          /* the session has signed: password alone now */
	char now_utc[32];          /* timestamp of the change in progress */
	char now_off[16];
	sqlite3_stmt *stmt[STORE_SLOTS];
	bool held;                 /* store_hold_snapshot(): one read
	                              transaction that reads join */
	int nested;                /* reads begun inside it, not yet ended */
#ifdef CRF_TESTING
	int crash_after;           /* _exit(9) after this many item writes */
	void (*on_read)(void *);   /* called as each read begins */
	void *on_read_arg;
#endif
};

/* One audit row to write; the timestamp and user come from the store.
 * key NULL: a row about a subject or an account; key->form NULL: a row
 * about a whole event (form and form repeat stay NULL). */
typedef struct audit_entry {
	const char *action;
	const char *subject;
	const form_key *key;
	const char *field;
	const char *old_value;
	const char *old_missing;
	const char *new_value;
	const char *new_missing;
	const char *reason;
} audit_entry;

/* The stored state of a form instance. */
typedef struct inst_state {
	long long id;              /* 0: no row */
	int status;
	int version;
	int form_version;
	char *updated_at;
	char *updated_by;
	char *sdv_by;              /* source data verified by, NULL if not */
	char *sdv_at;
} inst_state;

/* An SQLite result code as a crf status with a plain message. */
crf_status store_fail(store *st, int rc, crf_err *err);

/* The cached statement of slot `slot` (prepared from sql the first time). */
int store_stmt_sql(store *st, int slot, const char *sql, sqlite3_stmt **out);
/* Reset a statement and clear its bindings (NULL is fine). */
void store_reset(sqlite3_stmt *s);
/* Bind text, NULL as SQL NULL. */
int bind_text(sqlite3_stmt *s, int i, const char *text);
/* Bind ?1..?5 to a form key (subject as its id, or as key text). */
int bind_form_key(sqlite3_stmt *s, const form_key *key, const char *subject);
/* Step a statement that returns no rows, then reset it. */
int store_run(sqlite3_stmt *s);
/*
 * Step the bound statement s (rc: the result of binding it; not SQLITE_OK
 * fails at once) and collect one zeroed element of `size` bytes per row,
 * filled by fill(), into *rows (*n of them); then reset s.  On error the
 * rows gathered so far are released with release() and nothing is
 * returned.
 */
crf_status store_collect(store *st, sqlite3_stmt *s, int rc, size_t size,
    void (*fill)(sqlite3_stmt *, void *), void (*release)(void *, size_t),
    void **rows, size_t *n, crf_err *err);
/* A column as a new string (NULL for SQL NULL). */
char *col_text(sqlite3_stmt *s, int i);
/* The first column of the first row of sql (prepared each time), with ?1
 * bound to p1 when p1 is not NULL: *out owned (NULL for SQL NULL or no
 * row), *found whether there was a row.  Returns an SQLite code. */
int store_query_text(store *st, const char *sql, const char *p1, char **out,
    bool *found);

/* Stamp the time of the change and BEGIN IMMEDIATE; store_commit() or
 * store_rollback() ends it. */
crf_status store_begin_write(store *st, crf_err *err);
/* BEGIN (deferred): a consistent snapshot for several reads; inside
 * store_hold_snapshot() it joins that snapshot, and the store_commit() or
 * store_rollback() that ends it leaves the snapshot open. */
crf_status store_begin_read(store *st, crf_err *err);
crf_status store_commit(store *st, crf_err *err);
void store_rollback(store *st);

/* Append one audit row, chained (inside a write transaction only). */
int audit_put(store *st, const audit_entry *a);

/* CRF_EDENIED with the plain reason unless the session may do act. */
crf_status store_may(const store *st, perm_action act, crf_err *err);

/* The key of subject id into *key (NULL when there is none). */
int subject_key(store *st, long long id, char **key);
/* Read the stored instance of key; in->id stays 0 when there is none. */
int inst_get(store *st, const form_key *key, inst_state *in);
void inst_clear(inst_state *in);

/*
 * Check the signed-in person's password again (signing): login must be
 * the session's own.  A wrong password counts towards the lockout as at
 * sign-in, audited as `failed_action`; CRF_EDENIED says what was wrong.
 */
crf_status store_check_password(store *st, const char *login,
    const char *password, const char *failed_action, crf_err *err);

/* ---- Hooks of a save, run inside store_save_form()'s transaction -------- */

/* CRF_ELOCKED naming who locked what, when the instance is locked. */
crf_status signoff_check_unlocked(store *st, const form_key *key, crf_err *err);
/* A save changed items of instance in: clear its source data
 * verification mark, audited "sdv-clear" with the save's reason. */
int signoff_sdv_changed(store *st, const inst_state *in, const form_key *key,
    const char *subject, const char *reason);
/* Raise an automatic query (raised by "crf") on field of key unless one
 * is still open there. */
int query_raise_auto(store *st, const form_key *key, const char *subject,
    const char *field, const char *text);

/* ---- Verification (store_audit_verify, in its read transaction) -------- */

/* Subjects' states, study numbers and dates against the trail. */
int lifecycle_verify(store *st, audit_report *out);
/* Signatures, locks and verification marks against the trail. */
int signoff_verify(store *st, audit_report *out);
/* Queries against their messages and the trail. */
int query_verify(store *st, audit_report *out);

/* ---- Verification (store_audit_verify, in its read transaction) -------- */

/* Subjects' states, study numbers and dates against the trail. */
int lifecycle_verify(store *st, audit_report *out);
/* Signatures, locks and verification marks against the trail. */
int signoff_verify(store *st, audit_report *out);
/* Queries against their messages and the trail. */
int query_verify(store *st, audit_report *out);

#endif
