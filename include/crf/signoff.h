/*
 * signoff.h - what review adds to entered data: an investigator's
 * electronic signature, a data manager's lock, a monitor's source data
 * verification (SDV) mark.
 *
 * Each is an audited action on the site database (store.h), written in
 * one transaction with its audit row, and refused by the store itself
 * when the signed-in person's role may not do it (perm.h).  The rules:
 *
 *  - A signature covers a form instance, an event (every form of one
 *    visit) or the whole casebook of a subject.  It records the signer's
 *    login and printed name, the meaning of the signature, the time, and
 *    a BLAKE2b hash of the canonical content it covers (every item of
 *    its scope).  Signatures are never changed or removed (triggers); a
 *    later change of the content makes signature_row.changed true ("changed
 *    since signed"), until the investigator signs again.
 *  - A lock makes a form, an event or a whole subject read-only for
 *    everyone: saves are refused with CRF_ELOCKED.  A data manager locks
 *    and unlocks, unlocking with a reason.  Locks are never deleted; an
 *    unlocked lock stays in the table with who, when and why.
 *  - An SDV mark says that a monitor compared the form with the source
 *    documents.  A later save that changes any item of the form clears
 *    the mark, audited "sdv-clear".
 */
#ifndef CRF_SIGNOFF_H
#define CRF_SIGNOFF_H

#include <stdbool.h>
#include <stddef.h>

#include "crf/status.h"
#include "crf/store.h"

/* What a signature or a lock covers. */
typedef enum signoff_scope {
	SCOPE_FORM = 0,     /* one form instance */
	SCOPE_EVENT = 1,    /* every form of one event (one visit) */
	SCOPE_CASEBOOK = 2  /* every form of the subject */
} signoff_scope;

/* "form", "event", "casebook" (as stored). */
const char *signoff_scope_name(signoff_scope scope);

/* The meaning of an investigator's signature of scope, as shown before
 * signing and stored with it: "I approve the data of this form". */
const char *signoff_meaning(signoff_scope scope);

/*
 * The target of a signature or lock: subject_id always; event and
 * event_repeat for SCOPE_EVENT and SCOPE_FORM; form and form_repeat for
 * SCOPE_FORM (the others are ignored).
 */
typedef struct signoff_target {
	signoff_scope scope;
	long long subject_id;
	const char *event;
	int event_repeat;
	const char *form;
	int form_repeat;
} signoff_target;

/* The target covering one form instance at scope. */
signoff_target signoff_target_of(const form_key *key, signoff_scope scope);

/* ---- Signatures --------------------------------------------------------- */

typedef struct signature_row {
	long long id;
	signoff_scope scope;
	char *event;           /* NULL for a casebook signature */
	int event_repeat;
	char *form;            /* NULL unless a form signature */
	int form_repeat;
	char *login;
	char *full_name;       /* printed name of the signer */
	char *meaning;
	char *signed_at;       /* UTC ISO 8601 */
	char *tz_offset;       /* local offset when signed, "+08:00" */
	char *content_hash;    /* 64 hex digits */
	bool changed;          /* the content differs now: changed since signed */
	bool superseded;       /* a later signature of the same target exists */
} signature_row;

/*
 * Sign target as the signed-in person.  login and password are checked
 * again (login must be the session's own; the screen asks for both at
 * the first signature of a session and for the password after, see
 * store_signed_before()); a wrong password counts towards the lockout
 * (audited "sign-failed").  Needs PERM_SIGN.  Every saved form of the
 * scope must be complete, and the scope must hold at least one saved form
 * (CRF_EINVAL naming the first one that is not).  Writes the signature
 * and its audit row ("sign": new value the content hash, reason the
 * meaning) in one transaction; *out (may be NULL) receives the new row.
 */
crf_status store_sign(store *st, const signoff_target *t, const char *login,
    const char *password, signature_row *out, crf_err *err);

/* Has this session signed before (so that the password alone is asked)?
 * Every store_login() starts a new session, also the one that ends an
 * idle lock: the next signature needs the user ID and password again. */
bool store_signed_before(const store *st);

/* Every signature of the subject, oldest first, with changed and
 * superseded worked out now. */
crf_status store_list_signatures(store *st, long long subject_id,
    signature_row **rows, size_t *n, crf_err *err);
void signature_rows_free(signature_row *rows, size_t n);
/* Free the strings of one row (store_sign's *out). */
void signature_row_clear(signature_row *r);

/* Does the signature sig (of the subject's list) cover the form instance
 * key?  (A casebook signature covers every form; an event one the forms of
 * its event.) */
bool signature_covers(const signature_row *sig, const form_key *key);

/* The canonical content hash of target as stored now (64 hex digits and
 * a NUL into hex), the same one store_sign() records. */
crf_status store_content_hash(store *st, const signoff_target *t,
    char hex[65], crf_err *err);

/* ---- Locks --------------------------------------------------------------- */

typedef struct lock_row {
	long long id;
	signoff_scope scope;
	char *event;           /* NULL for a casebook (subject) lock */
	int event_repeat;
	char *form;            /* NULL unless a form lock */
	int form_repeat;
	char *locked_by;
	char *locked_at;
} lock_row;

/* Lock target (PERM_LOCK), audited "lock".  CRF_EEXIST if that very
 * target is locked already. */
crf_status store_lock(store *st, const signoff_target *t, crf_err *err);

/* Unlock target (PERM_UNLOCK) with a reason (CRF_EINVAL without one),
 * audited "unlock".  CRF_ENOENT when that target is not locked (a form
 * inside a locked event is unlocked by unlocking the event). */
crf_status store_unlock(store *st, const signoff_target *t, const char *reason,
    crf_err *err);

/* The subject's locks in force, oldest first. */
crf_status store_list_locks(store *st, long long subject_id, lock_row **rows,
    size_t *n, crf_err *err);
void lock_rows_free(lock_row *rows, size_t n);
/* Free the strings of one row (store_form_locked's *by). */
void lock_row_clear(lock_row *r);

/* Does the lock cover the form instance key? */
bool lock_covers(const lock_row *lk, const form_key *key);

/* Is the form instance locked?  *locked, and when it is (by may be NULL)
 * the covering lock into *by (free with lock_row_clear()). */
crf_status store_form_locked(store *st, const form_key *key, bool *locked,
    lock_row *by, crf_err *err);

/* ---- Source data verification --------------------------------------------- */

/* Mark a complete, saved form instance source-data verified (PERM_VERIFY),
 * audited "sdv".  CRF_EINVAL if it is not complete, CRF_EEXIST if it is
 * marked already, CRF_ELOCKED if locked. */
crf_status store_mark_verified(store *st, const form_key *key, crf_err *err);

#endif
