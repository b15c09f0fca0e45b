/*
 * value.h - the typed values that expressions compute and fields hold.
 *
 * A value is missing, a boolean, a number, text, a (possibly partial) date
 * or a time.  Missing is a value in its own right, not an error: it is
 * what a blank field, a missing-data code (UNK, ND, NA) or an undefined
 * computation gives.  Text is borrowed: the pointer stays owned by whoever
 * produced it (a record, a literal in a compiled expression).
 */
#ifndef CRF_VALUE_H
#define CRF_VALUE_H

#include <stdbool.h>
#include <stddef.h>

#include "crf/date.h"

typedef enum val_type {
	VAL_MISSING = 0,
	VAL_BOOL,
	VAL_NUM,
	VAL_TEXT,
	VAL_DATE,
	VAL_TIME,
	VAL_ANY          /* only in static typing: not known until run time */
} val_type;

typedef struct crf_value {
	val_type type;
	union {
		bool b;
		double n;
		const char *s;     /* borrowed, NUL-terminated UTF-8 */
		crf_date d;
		int minutes;       /* VAL_TIME */
	} u;
	const char *missing_code;  /* VAL_MISSING: "UNK", "ND", ... or NULL for blank */
} crf_value;

static inline crf_value val_missing(void) { crf_value v = {0}; v.type = VAL_MISSING; return v; }
static inline crf_value val_bool(bool b) { crf_value v = {0}; v.type = VAL_BOOL; v.u.b = b; return v; }
static inline crf_value val_num(double n) { crf_value v = {0}; v.type = VAL_NUM; v.u.n = n; return v; }
static inline crf_value val_text(const char *s) { crf_value v = {0}; v.type = VAL_TEXT; v.u.s = s; return v; }
static inline crf_value val_date(crf_date d) { crf_value v = {0}; v.type = VAL_DATE; v.u.d = d; return v; }
static inline crf_value val_time(int minutes) { crf_value v = {0}; v.type = VAL_TIME; v.u.minutes = minutes; return v; }

/* Name of a type for messages: "missing", "yes/no", "number", "text",
 * "date", "time", "any". */
const char *val_type_name(val_type t);

/* Format v for display or storage: numbers without trailing zeros (or
 * with `decimals` places when decimals >= 0), booleans "Y"/"N", dates ISO,
 * missing as "" (or its code).  Returns buf. */
char *val_format(const crf_value *v, int decimals, char *buf, size_t size);

/* Round x half away from zero to `decimals` places (negative: tens,
 * hundreds...), forgiving binary noise so that 2.675 gives 2.68.
 * decimals outside -15..15, or a non-finite x, give NAN. */
double val_round(double x, int decimals);

#endif
