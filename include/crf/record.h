/*
 * record.h - one form instance in memory while a person views or edits
 * it, and the subject's casebook it is evaluated against.
 *
 * The record holds the canonical text of every field (see validate.h),
 * keeps calculated fields and visibility up to date after every change,
 * runs the form's checks and tells whether the form may be marked
 * complete.  It never touches the database: record_changes() gives the
 * list store_save_form() takes.  Design notes are at the top of
 * src/core/record.c.
 */
#ifndef CRF_RECORD_H
#define CRF_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "crf/formdef.h"
#include "crf/status.h"
#include "crf/store.h"

/* ---- Casebook: every saved value of one subject -------------------------- */

typedef struct casebook casebook;

/* Build a casebook from a subject's stored items (store_load_subject_items
 * order).  Items of unknown forms or fields are kept out.  today is what
 * today() gives in expressions. */
casebook *casebook_new(const study_def *sd, const subject_item *items, size_t n,
    crf_date today);
void casebook_free(casebook *cb);

/* Number of saved instances of a repeating log. */
size_t casebook_log_count(const casebook *cb, const form_def *log);
/* Latest repeat number of an event that has saved data (0 if none). */
int casebook_event_latest(const casebook *cb, const char *event);
/* Canonical value of a field of a saved instance, NULL when blank. */
const char *casebook_value(const casebook *cb, const char *event, int event_repeat,
    const form_def *fd, int form_repeat, const field_def *f);

/* ---- Record ----------------------------------------------------------------- */

typedef struct record record;

/*
 * A record of form fd in event (event_repeat) as form repeat form_repeat
 * (logs: event "" and event_repeat 0), loaded from data (NULL or a
 * not-started form_data for a new instance).  cb is borrowed and may be
 * NULL (then references to other forms are missing).  Calculations and
 * visibility are computed before it returns.
 */
record *record_new(const study_def *sd, const form_def *fd, const char *event,
    int event_repeat, int form_repeat, const form_data *data, casebook *cb);
void record_free(record *r);

const form_def *record_form(const record *r);
form_status record_status(const record *r);
int record_version(const record *r);          /* stored version, for saving */
int record_form_version(const record *r);     /* definition version saved under */

/* Current canonical value of field i ("" when blank) and its missing code
 * (NULL when none) and flags (ITEM_SOFT_OK). */
const char *record_value(const record *r, size_t i);
const char *record_missing(const record *r, size_t i);
int record_flags(const record *r, size_t i);
/* The field's current typed value (missing when hidden). */
void record_get_value(const record *r, size_t i, crf_value *out);

/*
 * Set field i from what the person typed (validate_input rules).
 * CRF_ESOFT without confirm_soft leaves the field unchanged and tells why;
 * with confirm_soft the value is stored with ITEM_SOFT_OK.  Other errors
 * leave the field unchanged.  Clears any missing code.  Recalculates.
 */
crf_status record_set(record *r, size_t i, const char *input, const char *date_fmt,
    bool confirm_soft, crf_err *err);
/* Give field i a missing-data code (clears the value). */
crf_status record_set_missing(record *r, size_t i, const char *code, crf_err *err);
/* Blank field i (value and code). */
void record_clear(record *r, size_t i);

/* Put back field i exactly as kept in a draft (canonical value, code,
 * flags), without validation; recalculates. */
void record_restore(record *r, size_t i, const char *value, const char *missing,
    int flags);

/* Is field i shown (its `show` true, not retired)? */
bool record_visible(const record *r, size_t i);
/* Is field i hidden while holding a value or code?  The screen asks the
 * person before record_clear()ing such fields. */
bool record_hidden_with_value(const record *r, size_t i);

/* Does field i still need an answer before the form can be complete? */
bool record_needs_answer(const record *r, size_t i);

typedef enum check_outcome {
	CHECK_PASS = 1,
	CHECK_FAIL = 0,
	CHECK_NOT_EVALUABLE = -1,
	CHECK_SKIPPED = -2            /* `when` false, or its field hidden */
} check_outcome;

/* Outcome of check j of the form. */
check_outcome record_check(const record *r, size_t j);

/* Can the form be marked complete: every shown required field answered
 * and no hard check failing?  If not, err says the first reason. */
bool record_can_complete(const record *r, crf_err *err);

/* Has anything a person enters changed since it was loaded?  (Calculated
 * values alone do not make a record dirty.) */
bool record_dirty(const record *r);

/* The changes to save (calculated fields included), owned by the record
 * until the next change; *n receives the count. */
const item_change *record_changes(record *r, size_t *n);

/* After a successful save: what was saved becomes the loaded state. */
void record_saved(record *r, form_status status, int new_version);

#endif
