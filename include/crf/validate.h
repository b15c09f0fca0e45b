/*
 * validate.h - from what a person typed to the canonical stored text of a
 * field, and from stored text to a typed value.
 *
 * Canonical text (what the database holds) by field type:
 *   integer "-12"; decimal rounded to the field's decimals ("72.5",
 *   "1.80"); date "2026-03-07"; partialdate "2026-03" / "2026";
 *   time "14:05"; yesno "Y"/"N"; choice the list code as written in the
 *   list; multichoice codes joined by '|' in list order; text and memo as
 *   typed (UTF-8, no control characters but newline in memo), trimmed.
 * Blank is the empty string.  Missing-data codes are stored apart.
 *
 * Messages are plain language for the person at the keyboard and name
 * the field's label, unit and range, e.g. "Weight must be between 30 and
 * 200 kg".
 */
#ifndef CRF_VALIDATE_H
#define CRF_VALIDATE_H

#include <stddef.h>

#include "crf/formdef.h"
#include "crf/status.h"
#include "crf/value.h"

/*
 * Check input for field f and write its canonical text into canon.
 * date_fmt is the display date format of config.ini (may be NULL).
 * Returns:
 *   CRF_OK      canon holds the value ("" for blank input);
 *   CRF_EINVAL  not a value of this type ("Enter a whole number",
 *               "2023-02-30 is not a real date", "Choose 1-3 or a code
 *               of the list", "Does not match: two letters then four
 *               digits", "At most 40 characters");
 *   CRF_ERANGE  outside the hard range: refused;
 *   CRF_ESOFT   outside the soft range: canon holds the value, which may
 *               be saved only after the user confirms (ITEM_SOFT_OK).
 * err receives the message for every status but CRF_OK.
 * Choices are accepted by code (any case) or by their 1-based number in
 * the list; multichoice takes codes or numbers separated by blanks,
 * commas or '|'.  yesno takes Y/N/yes/no (any case) and 是/否.
 * calc and info fields refuse input (CRF_EINVAL).
 */
crf_status validate_input(const field_def *f, const char *input,
    const char *date_fmt, char *canon, size_t size, crf_err *err);

/*
 * Range check of a canonical numeric value (also used for calc results):
 * CRF_OK, CRF_ERANGE or CRF_ESOFT with a message, as above.
 */
crf_status validate_range(const field_def *f, double v, crf_err *err);

/* Whether missing-data code `code` is allowed for f (by study index). */
crf_status validate_missing(const study_def *sd, const field_def *f,
    const char *code, crf_err *err);

/*
 * The typed value of stored text: blank or a missing code gives
 * VAL_MISSING (with missing_code set); choice and multichoice give text
 * (borrowed from canon); yesno gives text "Y"/"N"; numbers VAL_NUM;
 * dates VAL_DATE (partial allowed); time VAL_TIME; calc per f->result.
 * Text that does not parse gives VAL_MISSING.
 */
void validate_to_value(const field_def *f, const char *canon,
    const char *missing, crf_value *out);

/*
 * Text to show for stored text: dates in date_fmt, choice labels in
 * lang ("F Female"), multichoice labels joined by ", ", yes/no as
 * "Yes"/"No" (or 是/否 in Chinese), numbers as stored.
 */
void validate_display(const field_def *f, const char *canon,
    const char *date_fmt, crf_lang lang, char *buf, size_t size);

#endif
