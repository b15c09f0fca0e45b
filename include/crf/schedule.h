/*
 * schedule.h - where a subject stands in the study's schedule.
 *
 * The saved form instances of a subject (store_list_forms() rows) indexed
 * for look-up, the event the subject has reached, the target date and
 * window of each dated event, the next visit due and a one-line label of
 * a log entry.  Pure: no database, no terminal; the caller passes the
 * rows, the day-0 date and today.  The subject's states (and whether
 * visits still fall due in them) are lifecycle.h's.
 */
#ifndef CRF_SCHEDULE_H
#define CRF_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>

#include "crf/date.h"
#include "crf/formdef.h"
#include "crf/record.h"
#include "crf/store.h"

/* ---- The saved form instances of one subject ----------------------------- */

typedef struct form_index {
	form_row *rows;      /* owned; sorted by event, event_repeat, form,
	                        form_repeat (logs, event "", come first) */
	size_t n;
} form_index;

/* Take ownership of rows (from store_list_forms(); may be NULL with n 0)
 * and sort them for look-up. */
void form_index_init(form_index *ix, form_row *rows, size_t n);
void form_index_free(form_index *ix);

/* Status of one form instance; FORM_NOT_STARTED when it was never saved. */
form_status form_index_status(const form_index *ix, const char *event,
    int event_repeat, const char *form, int form_repeat);

/* Does the event instance hold any saved form? */
bool form_index_event_started(const form_index *ix, const char *event,
    int event_repeat);

/* Highest repeat number of the event that holds a saved form (0: none).
 * For a repeating event this is the number of instances to show. */
int form_index_event_repeats(const form_index *ix, const char *event);

/* The saved entries of a subject-level log, in repeat order: returns the
 * first row (NULL when there is none) and their number in *n. */
const form_row *form_index_log(const form_index *ix, const char *form,
    size_t *n);

/* ---- Schedule ------------------------------------------------------------ */

typedef struct event_window {
	crf_date target;     /* day 0 + the event's day */
	crf_date first;      /* target - win_before */
	crf_date last;       /* target + win_after */
} event_window;

/* Target date and window of an event for a day 0 (a complete date).
 * False when the event has no day (screening, unscheduled, ...). */
bool schedule_window(const event_def *ev, crf_date day0, event_window *out);

/*
 * The event the subject has reached: the last non-repeating event, in
 * schedule order, that holds a saved form (unscheduled visits do not move
 * a subject along the schedule); when only repeating events hold data,
 * the first of them; NULL when nothing is saved.
 */
const event_def *schedule_current(const study_def *sd, const form_index *ix);

typedef struct visit_due {
	const event_def *event;
	event_window win;
	bool overdue;        /* today is after win.last */
} visit_due;

/*
 * The next visit due: the first non-repeating event with a day that comes
 * after the current one (schedule_current) in schedule order and holds no
 * saved form, with its window from day0 (a complete date).  False when
 * there is none (the dated schedule is done).  Whether a visit is due at
 * all for the subject's status is subject_status_active() (lifecycle.h).
 */
bool schedule_next_due(const study_def *sd, const form_index *ix,
    crf_date day0, crf_date today, visit_due *out);

/* Where one visit (event instance) stands against its window. */
typedef enum visit_state {
	VISIT_UNSCHEDULED = 0, /* no target: the event has no day, or day 0 is
	                          not known yet; done or not by its forms */
	VISIT_NOT_YET,         /* before its window */
	VISIT_DUE,             /* in its window, not done */
	VISIT_OVERDUE,         /* past its window, not done */
	VISIT_DONE,            /* done inside its window */
	VISIT_EARLY,           /* done before its window (allowed, flagged) */
	VISIT_LATE,            /* done after its window (allowed, flagged) */
	VISIT_DONE_UNDATED     /* forms saved, the visit date not entered yet */
} visit_state;

typedef struct visit_status {
	visit_state state;
	bool started;          /* any form of the event instance is saved */
	bool has_window;       /* win is set */
	event_window win;
	crf_date done;         /* the visit date (visit_date), when entered */
	long days_out;         /* EARLY: days before win.first; LATE: days
	                          after win.last; 0 otherwise */
} visit_status;

/*
 * The state of visit (ev, event_repeat) of a subject: its window from
 * day0 (a complete date, or any date of lower precision when day 0 is
 * not known yet), the visit date from the casebook (the event's
 * visit_date field; may be NULL), whether it was started from ix, and
 * today.  A visit done outside its window is allowed: it is EARLY or
 * LATE, with by how many days.
 */
void schedule_visit(const event_def *ev, int event_repeat, crf_date day0,
    const form_index *ix, const casebook *cb, crf_date today,
    visit_status *out);

/* "due", "overdue", "done", "early", "late", "not yet", "no date",
 * "not done", "started" (unscheduled and started): a word for a person. */
const char *visit_state_word(const visit_status *v);

/* ---- Log entries --------------------------------------------------------- */

/*
 * A short label of entry form_repeat of a log, for pick lists: the first
 * field of the form (in form order, information fields left out) that
 * holds a value in the casebook, as validate_display() shows it (dates in
 * date_fmt, choices by label in lang).  "" when the entry holds no value.
 * Written into buf (always NUL-terminated).
 */
void schedule_log_label(const casebook *cb, const form_def *log,
    int form_repeat, const char *date_fmt, crf_lang lang, char *buf,
    size_t size);

#endif
