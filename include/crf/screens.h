/*
 * screens.h - the screens of the full-screen program.  Each returns a
 * screen to app_push(); see app.h for the screen contract.
 *
 * Layout of every screen at any size from 80x24 up: row 0 is the title
 * line (app_title), rows 1 .. LINES-3 the screen's own, row LINES-2 the
 * message line and row LINES-1 the key bar (both drawn by app_draw).
 */
#ifndef CRF_SCREENS_H
#define CRF_SCREENS_H

#include "crf/app.h"

/* First start: confirm the site (from config.ini), create the database
 * if it does not exist, and create the first administrator.  Then the
 * login screen. */
screen *scr_setup_new(app *a);

/* User name and masked password; on success the subject list. */
screen *scr_login_new(app *a);

/* Every subject of the site: search by typing, filter by status, add. */
screen *scr_subjects_new(app *a);

/* The administrator's accounts (ACT_USERS from the subject list): every
 * account with its role, state and password date; Enter on one changes
 * its role, resets its password, unlocks or retires it, and the last line
 * (or A) adds an account.  Every change goes through the store, which
 * refuses it unless the signed-in role may manage users. */
screen *scr_users_new(app *a);

/* Sign-in found u->must_change (password older than password_max_age_days,
 * or reset by an administrator): say which, ask a new password twice (at
 * least password_min_length characters, not old, the password just
 * typed) and set it with store_change_password.  True when changed; false
 * when the person pressed Esc or the change failed (the reason is on the
 * message line): the caller signs them out. */
bool users_forced_password_change(app *a, const user_row *u, const char *old);

/* ACT_PASSWORD: the signed-in person changes their own password (current
 * one, then the new one twice); the outcome is on the message line.
 * False only when wrong current passwords locked the account: the caller
 * then ends the session. */
bool users_change_own_password(app *a);

/* One subject's casebook: events in schedule order with their forms'
 * status, and the repeating logs with their counts. */
screen *scr_casebook_new(app *a, long long subject_id, const char *subject_key);

/* ---- Charts and the report (scr_charts.c, scr_report.c) ---------------- */

/* ACT_CHARTS in the casebook: the subject's EDSS over time (baseline and
 * progression level drawn), neutrophil and platelet recovery after day 0
 * against the engraftment thresholds (transfusions marked), one at a time
 * (Tab, arrows, 1 2 3), each with a caption stating what derive_subject()
 * finds, in words; where there is no data yet, the words say so.  Fits
 * 80x24 and up, monochrome, ASCII when the terminal is not UTF-8. */
screen *scr_charts_new(app *a, long long subject_id, const char *subject_key);

/* ACT_REPORT in the subject list: report_write()'s study report (with the
 * Kaplan-Meier table and curve) as wide as the screen, in UTF-8 or ASCII
 * as the terminal is, scrolled with the arrows, PgUp/PgDn, Home and End. */
screen *scr_report_new(app *a);

/* ---- A subject's status and eligibility (scr_eligibility.c; the model
 * is lifecycle.h and eligibility.h) -------------------------------------- */

/* Every criterion of the study's eligibility form for the subject, with
 * the investigator's answer, the value the data give, its evidence and the
 * verdict, and a summary line; ACT_ENROL (investigator) enrols through
 * eligibility_enrol() and shows the refusal or the new study number; Enter
 * opens the eligibility form on the selected criterion.  When the study
 * has no eligibility form the screen says so. */
screen *scr_eligibility_new(app *a, long long subject_id, const char *subject_key);

/* ACT_STATUS: a menu of the moves the subject's state allows and the
 * signed-in role may make (subject_change_allowed, perm_allows), and the
 * eligibility screen.  Each move asks its date (today by default, in the
 * configured date format) and, where the move needs one, its reason, then
 * asks to confirm and goes through store_change_subject(); the outcome or
 * the refusal is on the message line.  "Enrol" pushes the eligibility
 * screen instead.  True when the status changed (the caller reloads). */
bool status_menu(app *a, long long subject_id, const char *subject_key);

/* The subject's status for people: "enrolled 2026-03-05" (the date of the
 * last change; for a subject in screening the day screening began), in
 * the configured date format, into buf. */
void status_words(app *a, const subject_row *r, char *buf, size_t size);

/* ---- Visits due (scr_due.c) ---------------------------------------------- */

/* Every visit of every subject in screening or enrolled that is overdue
 * or due within the next days (7 at first; ACT_FILTER changes it),
 * sorted by target date, with subject, study number, visit, target date,
 * window and state; Enter opens the subject's casebook. */
screen *scr_due_new(app *a);

/* Form entry for one form instance.  event is "" and event_repeat 0 for
 * a log; form_repeat 0 means "a new instance" (the next free number). */
screen *scr_form_new(app *a, long long subject_id, const char *subject_key,
    const char *event, int event_repeat, const form_def *fd, int form_repeat);

/* Put the cursor of a form screen made by scr_form_new() on field (its
 * id; NULL: leave it) when the field is shown and can be entered; says so
 * on the message line when it cannot. */
void scr_form_goto(screen *s, app *a, const char *field);

/* ---- Queries (scr_queries.c; the model is query.h) --------------------- */

/* The queries of the whole site (subject_key NULL) or of one subject, one
 * per line, with filters (ACT_FILTER: state, subject, age in days); Enter
 * opens a query's dialog, from which its form can be opened on its field. */
screen *scr_queries_new(app *a, const char *subject_key);

/* The form's ACT_QUERY: the queries of field f (NULL: of the whole form)
 * of form instance key of subject subject_key, and those about the whole
 * form; the signed-in person answers, closes, reopens or raises one as
 * the role allows.  Raising needs a saved instance (saved).  True when a
 * query was raised or changed (the caller reloads its marks). */
bool query_field_dialog(app *a, const form_key *key, const char *subject_key,
    const field_def *f, bool saved);

/* The mark of queries not closed, one ASCII character: "?" when any is
 * open (waiting for the site), "+" when all are answered (waiting for the
 * person who raised them), NULL when there is none. */
const char *query_mark_glyph(int open, int answered);
/* The mark and the number not closed: "?2", "+1", or "" (into buf). */
void query_mark_text(int open, int answered, char *buf, size_t size);
/* In words: "1 open query", "2 answered queries", "queries: 1 open, 1
 * answered", or "" (into buf). */
void query_count_words(int open, int answered, char *buf, size_t size);

/* The queries not closed of one subject (key NULL: of all its forms) or
 * of one form instance of it (key), read once, to count by field or by
 * form.  Never NULL (empty when they cannot be read: the message line
 * says why); query_marks_free(NULL) is fine. */
typedef struct query_marks query_marks;
query_marks *query_marks_load(app *a, const char *subject_key, const form_key *key);
void query_marks_free(query_marks *m);
/* Open and answered queries on field (NULL: about the whole form). */
void query_marks_field(const query_marks *m, const char *field, int *open,
    int *answered);
/* ... on a form instance; a repeat < 0 counts every repeat. */
void query_marks_form(const query_marks *m, const char *event, int event_repeat,
    const char *form, int form_repeat, int *open, int *answered);
/* ... on everything read. */
void query_marks_total(const query_marks *m, int *open, int *answered);

/* The texts of automatic queries (store_save_form_queries): a soft-range
 * value confirmed ("Weight 130.0 kg is outside the expected range 40–120
 * kg: please confirm it against the source document."), a soft check that
 * fails.  Owned by the caller. */
char *query_text_soft_value(app *a, const field_def *f, const char *value);
char *query_text_soft_check(app *a, const check_def *c);

/* ---- Review on screen (scr_signoff.c): signatures, locks, source data
 * verification and the audit trail in words, for the casebook and the
 * form screen.  Every action asks what it needs in dialogs, goes through
 * the store (which checks the role again) and says the outcome, or the
 * refusal in plain words, on the message line.
 *
 * A form_key passed to an action names the selected form instance; on
 * the casebook's logs line it is event "", event_repeat 0, the log's
 * form and form_repeat 0, and an entry is picked when one is needed. */

struct form_index;

/* What review has added to one subject: its signatures (with changed and
 * superseded worked out) and its locks in force. */
typedef struct review review;

/* Read it (never NULL: on a read error it is empty and the message line
 * says why).  review_free(NULL) is fine. */
review *review_load(app *a, long long subject_id);
void review_free(review *rv);

/* Has the subject any signature or lock, or a form of ix verified?  The
 * casebook then keeps a line for review_draw_line(). */
bool review_any(const review *rv, const struct form_index *ix);

/* The casebook's mark after a form instance's status glyph, the most
 * pressing one: "!" changed since signed, "L" locked, "S" signed, "V"
 * source data verified, "" none.  The same in ASCII; *st its style. */
const char *review_mark(const review *rv, const struct form_index *ix,
    const form_key *key, ui_style *st);

/* Words for the casebook's line about a form instance: ", verified",
 * ", signed" or ", CHANGED SINCE SIGNED", ", locked" (or "") into buf. */
void review_words(const review *rv, const struct form_index *ix,
    const form_key *key, char *buf, size_t size);

/* The casebook's review line at row y: for the form instance key (form
 * NULL: the logs line, what covers the whole casebook) the signature,
 * "Signed by <name> <date time +offset> — <meaning>" or "CHANGED SINCE
 * SIGNED by <name> <date time +offset>", then its lock and verification;
 * with none of these, what the marks mean. */
void review_draw_line(const review *rv, app *a, const struct form_index *ix,
    const form_key *key, int y, int cols);

/* ACT_SIGN: ask what to sign (this form, this visit, the whole casebook),
 * show the signing dialog (meaning, what is covered, printed name, date
 * and time), ask user ID and password at the session's first signature
 * and the password alone after, and sign.  True when signed. */
bool review_sign(app *a, const char *subject_key, const form_key *key);

/* ACT_VERIFY: confirm, then mark the form instance source-data verified.
 * True when marked. */
bool review_verify(app *a, const char *subject_key, const form_key *key);

/* ACT_LOCK: a menu to lock this form, this visit or the whole casebook,
 * or to unlock a lock in force that covers the selection (with a reason).
 * True when something was locked or unlocked. */
bool review_lock(app *a, const char *subject_key, const form_key *key);

/* ACT_HISTORY in the casebook: ask "this form / this visit / whole
 * subject" (the logs line: this log / whole subject) and show that audit
 * trail, oldest first, in words. */
void review_history(app *a, const char *subject_key, const form_key *key);

/* Audit rows as text for people (owned, free()): each row's local time
 * with the offset recorded, the user and full name, what was done in
 * words ("changed", "signed: I approve the data of this form", "locked",
 * "unlocked: <reason>", "source data verified", "verification cleared by
 * a change", "query raised: ..."), where (when with_where), old -> new as
 * the form shows values, and the reason. */
char *review_audit_text(app *a, const audit_row *rows, size_t n, bool with_where);

/* The review state of the form instance open in the form screen: its
 * signatures, the lock covering it, its verification.  Read when the
 * form is loaded or saved. */
typedef struct review_form review_form;

/* Read it for key (copied); never NULL.  review_form_free(NULL) is fine. */
review_form *review_form_load(app *a, const form_key *key);
void review_form_reload(review_form *rf, app *a);
void review_form_free(review_form *rf);

/* The rows review_form_draw() takes under the form header (0 to 3):
 * "Signed by ...", "CHANGED SINCE SIGNED by ...", "Locked by ...",
 * "Verified by ...". */
int review_form_rows(const review_form *rf);
void review_form_draw(const review_form *rf, int y, int cols);

/* Is the form locked (read-only for everyone)? */
bool review_form_locked(const review_form *rf);

/* May the form be changed?  False when it is locked, with the message
 * naming who locked it and when; recheck reads the lock again first
 * (before a save: someone may have locked it meanwhile). */
bool review_form_writable(review_form *rf, app *a, bool recheck);

#endif
