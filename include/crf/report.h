/*
 * report.h - the study report of a site: enrolment, visits done, due and
 * overdue, completeness per form, adverse events by CTCAE grade,
 * engraftment, MS activity-free survival per subject and its
 * Kaplan-Meier estimate at 1, 2 and 3 years with Greenwood 95%
 * confidence intervals, and the Kaplan-Meier curve as a text chart.
 *
 * Read-only: it reads the site database through store.h and derives with
 * derive.h (the one evaluator, outcome.h), so its numbers are the
 * screens'.  No curses.  Every section is always written; on a site with
 * no enrolled subject yet each says so ("No subject is enrolled yet.").
 * Deterministic: dates come from the data and `today` from the caller.
 * `crf report` prints it; docs/user-guide.md shows an example.
 */
#ifndef CRF_REPORT_H
#define CRF_REPORT_H

#include <stdbool.h>

#include "crf/date.h"
#include "crf/formdef.h"
#include "crf/status.h"
#include "crf/store.h"
#include "crf/util.h"

#define REPORT_MIN_WIDTH 60
#define REPORT_MAX_WIDTH 250

typedef struct report_opts {
	int width;          /* columns, REPORT_MIN_WIDTH..REPORT_MAX_WIDTH
	                       (80 for a terminal) */
	bool utf8;          /* false: plain ASCII throughout (charts, and any
	                       other character replaced by its stand-in) */
	crf_date today;     /* visits due and overdue, follow-up of subjects
	                       still in the study */
} report_opts;

/*
 * Append the report of the site database st (study sd) to out: lines of
 * at most o->width columns, each ending in a newline.  CRF_EINVAL for a
 * width out of range or an incomplete today; a store error when the
 * database cannot be read (err says why; out may then hold part of the
 * report).
 */
crf_status report_write(store *st, const study_def *sd, const report_opts *o,
    strbuf *out, crf_err *err);

#endif
