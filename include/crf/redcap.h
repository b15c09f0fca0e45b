/*
 * redcap.h - the study's forms as a REDCap data dictionary, so that a
 * sponsor can rebuild them in REDCap, and crf expressions as REDCap logic.
 *
 * The dictionary has REDCap's 18 standard columns ("Variable / Field
 * Name" ... "Field Annotation"), one row per field, the record ID field
 * (record_id) first.  The mapping of types, validations, missing codes,
 * branching logic and calculations is documented in docs/csv.md
 * ("REDCap data dictionary").  No curses, no database.
 */
#ifndef CRF_REDCAP_H
#define CRF_REDCAP_H

#include <stdbool.h>

#include "crf/formdef.h"
#include "crf/status.h"
#include "crf/util.h"

/* What an expression is translated into. */
typedef enum redcap_kind {
	REDCAP_LOGIC,       /* true/false: branching logic */
	REDCAP_NUMBER       /* a number: the equation of a calc field */
} redcap_kind;

/*
 * Translate src, an expression of form fd (a `show`, or a `calc`), into
 * REDCap syntax, appended to out: field references become [variable]
 * with the variable names of redcap_write_dictionary(), yes/no compares
 * with '1'/'0', has(m, "C") becomes [m(C)] = '1', blank(x) [x] = '',
 * days(a, b) datediff(a, b, 'd', true), pow(x, y) (x)^(y), study
 * constants their values; `not` is pushed into the comparisons.
 * Returns true on success; false, with out unchanged and the reason in
 * why ("refers to another event: d0.inf.infdat"), for what REDCap cannot
 * say the same way: references to another event or into a repeating
 * log, aggregates, date arithmetic other than days(), text functions,
 * comparisons of dates.
 */
bool redcap_translate(const study_def *sd, const form_def *fd, const char *src,
    redcap_kind kind, strbuf *out, crf_err *why);

/*
 * Append the REDCap data dictionary of sd to out (CSV, RFC 4180, CRLF
 * line ends): a header row of the 18 standard columns, then record_id,
 * then every field of every form, forms in casebook order (the events'
 * forms in schedule order, then the logs).  Fields flagged identifier
 * are included, with "Identifier?" = y.
 */
void redcap_write_dictionary(const study_def *sd, strbuf *out);

#endif
