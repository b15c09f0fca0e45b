/*
 * eligibility.h - may a screened subject be enrolled?
 *
 * The criteria are the yesno fields of the study's eligibility form that
 * carry `criterion = inclusion`, `exclusion` or `confirmation`
 * (docs/forms.md).  Each is judged from two sources: the investigator's
 * answer, and where the form has one (`derived = FIELD`) the value the
 * entered data give, with the value it was derived from (`evidence =
 * FIELD`) shown beside it.  A criterion is failed when either source says
 * so: an inclusion criterion needs the answer Yes and no derived No; an
 * exclusion needs the answer No and no derived Yes.  Enrolment needs the
 * form complete, every criterion passed, and the investigator's
 * confirmation; eligibility_enrol() refuses otherwise, naming each
 * failing criterion, and only then asks the store to enrol (lifecycle.h).
 */
#ifndef CRF_ELIGIBILITY_H
#define CRF_ELIGIBILITY_H

#include <stdbool.h>
#include <stddef.h>

#include "crf/formdef.h"
#include "crf/status.h"
#include "crf/store.h"

typedef enum elig_verdict {
	ELIG_PASS = 0,       /* does not stand in the way of enrolment */
	ELIG_FAIL,           /* stands in the way: why says which source */
	ELIG_UNANSWERED      /* not answered yet */
} elig_verdict;

typedef struct elig_criterion {
	const field_def *field;      /* the investigator's answer */
	bool exclusion;
	char answer[8];              /* "Y", "N" or "" (not answered) */
	int derived;                 /* 1 yes, 0 no, -1 not derivable (yet) */
	char evidence[96];           /* "45 years", "2.5", "" */
	elig_verdict verdict;
	char why[200];               /* for a person: "the data give No: 2.5" */
} elig_criterion;

typedef struct eligibility {
	const event_def *event;      /* where the eligibility form is */
	const form_def *form;
	form_status status;          /* of the subject's eligibility form */
	elig_criterion *items;       /* inclusion first, then exclusion, in
	                                form order */
	size_t n;
	bool confirmed;              /* the investigator's confirmation is Yes */
	size_t nfailing;             /* FAIL or UNANSWERED */
	bool eligible;               /* complete, nothing failing, confirmed */
} eligibility;

/* The eligibility form of the study (the form with criterion fields) and
 * the first event holding it; false when the study has none. */
bool eligibility_form(const study_def *sd, const form_def **form,
    const event_def **event);

/* Judge every criterion for the subject from the database as it is now
 * (today as given: age and date calculations).  CRF_ENOENT when the study
 * has no eligibility form. */
crf_status eligibility_evaluate(const study_def *sd, store *st,
    long long subject_id, crf_date today, eligibility *out, crf_err *err);
void eligibility_clear(eligibility *e);

/* Why the subject cannot be enrolled, as lines for a person ("I3. EDSS
 * score 3.0 to 6.0: the data give No (2.5)"), into buf; empty when
 * eligible. */
void eligibility_explain(const eligibility *e, char *buf, size_t size);

/*
 * Enrol the subject on date (YYYY-MM-DD) if eligible: evaluates (into
 * *out, which the caller clears; may be NULL), refuses with CRF_EDENIED
 * and the failing criteria in err when not, else store_change_subject()
 * (SUBJECT_ENROL), which checks the role.  *study_no receives the number.
 */
crf_status eligibility_enrol(const study_def *sd, store *st,
    long long subject_id, const char *date, crf_date today, char **study_no,
    eligibility *out, crf_err *err);

#endif
