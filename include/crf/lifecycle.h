/*
 * lifecycle.h - a subject's life in the study: screening, then enrolled
 * (with a study number) or a screen failure, then withdrawn, completed
 * or died.
 *
 *                  enrol (investigator)
 *     SCREENING ----------------------> ENROLLED ---- withdraw ----> WITHDRAWN
 *         |                                |  \------ complete ----> COMPLETED
 *         | screen failure (investigator)   \-------- death -------> DIED
 *         v
 *   SCREEN_FAILURE
 *
 * Each move is its own action with its own permission (perm.h: enrol,
 * screen-fail, withdraw, end-study, record-death), carries the date it
 * happened (the clinical date, typed: consent withdrawn on, died on) and,
 * where the table below says so, a reason; and writes, in one
 * transaction with the change, the audit rows "subject-status" (old and
 * new state, the reason), "status-date" (the date) and, at enrolment,
 * "study-number".  crf audit verify checks the subject table against
 * them.  Enrolment allocates the next study number of the site,
 * "<SITE>-E001", never reused.  Whether a subject may be enrolled (the
 * eligibility criteria) is decided before, by the caller
 * (eligibility.h); the store checks the role and the order.
 */
#ifndef CRF_LIFECYCLE_H
#define CRF_LIFECYCLE_H

#include <stdbool.h>

#include "crf/perm.h"
#include "crf/status.h"
#include "crf/store.h"

typedef enum subject_state {
	SUBJ_SCREENING = 0,
	SUBJ_ENROLLED,
	SUBJ_SCREEN_FAILURE,
	SUBJ_WITHDRAWN,
	SUBJ_COMPLETED,
	SUBJ_DIED,
	SUBJ_STATE_COUNT
} subject_state;

/*
 * The states are listed once, in lifecycle.c: each with its stored name,
 * its words, its glyph and whether the subject still follows the
 * schedule.  The order of the enum is the order of every list of them
 * (pick lists, counts).  Out of range, the functions below answer as for
 * an unknown state.
 */

/* As stored: "screening", "enrolled", "screen_failure", "withdrawn",
 * "completed", "died"; "" for anything else. */
const char *subject_state_name(subject_state s);
/* For people, opening a line: "Screening", "Enrolled", "Screen failure",
 * ...; "Unknown" for anything else. */
const char *subject_state_title(subject_state s);
/* For people, within a line: "screening", "enrolled", "screen failure",
 * ...; "" for anything else. */
const char *subject_state_word(subject_state s);
/* A one-column mark for the state, beside its word: UTF-8 "○ ● ✗ ⊘ ✓ †"
 * for screening, enrolled, screen failure, withdrawn, completed, died, or
 * ASCII "o * x / + #" when utf8 is false; "?" for anything else. */
const char *subject_state_glyph(subject_state s, bool utf8);
/* The state of a stored name; false for any other text (or NULL). */
bool subject_state_from_name(const char *name, subject_state *out);

/* The same by the stored name, as the store's rows carry it
 * (subject_row.status).  The word: "screen_failure" -> "screen failure";
 * any other text is returned as it is (NULL: ""). */
const char *subject_status_word(const char *status);
/* The glyph (subject_state_glyph); "?" for any other text. */
const char *subject_status_glyph(const char *status, bool utf8);
/* Does the subject still follow the schedule (screening or enrolled)?
 * Only then is a visit due.  False for any other text. */
bool subject_status_active(const char *status);

typedef enum subject_change {
	SUBJECT_ENROL = 0,
	SUBJECT_SCREEN_FAIL,
	SUBJECT_WITHDRAW,
	SUBJECT_COMPLETE,
	SUBJECT_DEATH,
	SUBJECT_CHANGE_COUNT
} subject_change;

/* "Enrol", "Screen failure", "Withdraw", "Completed the study", "Death". */
const char *subject_change_title(subject_change c);
/* The permission the change needs. */
perm_action subject_change_perm(subject_change c);
/* The state it leads to, and whether it may start from `from`. */
subject_state subject_change_target(subject_change c);
bool subject_change_allowed(subject_change c, subject_state from);
/* Does it need a reason (screen failure, withdrawal, death: the cause)? */
bool subject_change_needs_reason(subject_change c);

/*
 * Move subject id: checks the role (store_may), the order (CRF_EINVAL
 * "TJ01-0003 is enrolled: it cannot be enrolled"), the date (YYYY-MM-DD,
 * not in the future, not before the subject's screening began on
 * created_at's date: CRF_EINVAL) and the reason; then writes the new
 * state, date, reason and (enrolment) study number with their audit rows
 * in one transaction.  *study_no (may be NULL) receives the new study
 * number at enrolment, NULL otherwise.
 */
crf_status store_change_subject(store *st, long long subject_id,
    subject_change what, const char *date, const char *reason,
    char **study_no, crf_err *err);

#endif
