/*
 * derive.h - from one subject's stored data to the evaluator's inputs
 * (outcome.h), and the evaluator's answers: engraftment, the endpoints
 * (MAFS, time to treatment failure, TRM) and NEDA-3 at each visit.
 *
 * Which form fields feed which input is the study's configuration, the
 * [outcomes] section of study.ini (formdef.h outcome_map, docs/forms.md);
 * day 0 is the study's anchor.  Pure: no database, no terminal.  The
 * caller loads the subject's items (store_load_subject_items) and passes
 * today; the protocol choices come from the study's [constants]
 * (outcome_settings_load).
 *
 * How stored values are read (docs/outcomes.md, "From the forms"):
 *   - an entry (form instance) without its date is left out and counted
 *     in `skipped`; days are counted from day 0 (outcome_day);
 *   - a count or number left blank or given a missing-data code is "not
 *     measured" (OUTCOME_MISSING, or -1 for MRI counts and duration);
 *   - a yes/no question left blank counts as No; an adjudication left
 *     blank is "not adjudicated" (OUTCOME_UNKNOWN);
 *   - the baseline EDSS is the one in edss_baseline_event (its latest
 *     instance);
 *   - the death is the earliest death_date entered; without one, a
 *     subject whose status is "died" died on the status date;
 *   - last_visit and last_contact are the latest dates of all the fields
 *     they list; rescue_start the earliest start after day 0 (a partial
 *     date counts from the first day of its month or year that is after
 *     day 0);
 *   - follow-up ends at death, else at end_date, else today.
 */
#ifndef CRF_DERIVE_H
#define CRF_DERIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "crf/date.h"
#include "crf/formdef.h"
#include "crf/outcome.h"
#include "crf/status.h"
#include "crf/store.h"

/* One follow-up visit (an instance holding a last_visit date after day 0)
 * and NEDA-3 at it. */
typedef struct derived_visit {
	const event_def *event;    /* the visit's event (NULL for a log) */
	int event_repeat;
	long day;                  /* relative to day 0 */
	bool evaluated;            /* the neda members are set (the endpoints
	                              could be evaluated) */
	neda_result neda;          /* since the previous visit (or day 0) */
	neda_result cumulative;    /* since day 0 */
} derived_visit;

typedef struct derived {
	outcome_settings settings;   /* the study's, from its [constants] */
	bool has_day0;
	crf_date day0;
	/* The evaluator's inputs, in the order found. */
	cbc_day *cbc;
	size_t ncbc;
	edss_exam *edss;             /* every assessment with a date and a step */
	size_t nedss;
	int baseline_edss;           /* tenths; -1 when unknown */
	long baseline_day;           /* its day, or OUTCOME_NO_DAY */
	relapse_episode *relapses;
	size_t nrelapses;
	mri_scan *mri;
	size_t nmri;
	outcome_subject subject;     /* points into the arrays above */
	long followup;               /* the last day followed (see above) */
	size_t skipped;              /* entries left out for want of a date */
	/* The answers.  *_status is CRF_OK when the member beside it is set;
	 * otherwise *_err says why (day 0 not entered: CRF_ENOENT; two counts
	 * or assessments on one day: CRF_EINVAL). */
	crf_status eng_status;
	eng_result eng;
	crf_err eng_err;
	crf_status ep_status;
	outcome_endpoints ep;
	crf_err ep_err;
	derived_visit *visits;       /* by day; one per day */
	size_t nvisits;
} derived;

/*
 * Derive everything for one subject from its n stored items (any order;
 * items of unknown forms or fields are ignored).  subject (may be NULL)
 * gives the status and its date, for a death recorded only there.  today
 * ends the follow-up of a subject still in the study.
 * Returns CRF_ECONFIG when the study has no [outcomes] section or its
 * [constants] hold a bad outcome setting (err says which; *out is then
 * cleared and needs no derived_free); otherwise CRF_OK, with problems of
 * the subject's data in eng_status / ep_status.  Free with derived_free().
 */
crf_status derive_subject(const study_def *sd, const subject_item *items,
    size_t n, const subject_row *subject, crf_date today, derived *out,
    crf_err *err);

/* Free what derive_subject() allocated in d and clear it. */
void derived_free(derived *d);

/* The EDSS an increase must reach to count towards progression: the
 * baseline plus the threshold that baseline needs (tenths), or -1 when
 * the baseline is unknown. */
int derive_progression_level(const derived *d);

#endif
