/*
 * date.h - calendar dates, CDASH partial dates, times and the clock.
 *
 * Dates are proleptic Gregorian.  A crf_date holds year, month and day;
 * a partial date (CDASH: only the precision known) has month and/or day 0.
 * Stored and exchanged text is ISO 8601: "2024-03-07", "2024-03", "2024",
 * times "14:05".  Nothing here depends on the time zone except the clock
 * functions, which honour CRF_NOW for deterministic tests.
 */
#ifndef CRF_DATE_H
#define CRF_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

typedef enum date_prec {
	DATE_NONE = 0,   /* no date */
	DATE_YEAR = 1,   /* "2024" */
	DATE_MONTH = 2,  /* "2024-03" */
	DATE_DAY = 3     /* "2024-03-07" */
} date_prec;

typedef struct crf_date {
	int y;           /* 1..9999 */
	int m;           /* 1..12, or 0 when unknown */
	int d;           /* 1..31, or 0 when unknown */
} crf_date;

/* Precision of d (DATE_NONE when y == 0). */
date_prec date_precision(crf_date d);

/* True if y-m-d is a real calendar day (leap years included). */
bool date_valid_ymd(int y, int m, int d);

/* Parse an ISO date "YYYY-MM-DD".  With allow_partial also "YYYY-MM" and
 * "YYYY".  Whole string only (surrounding blanks allowed).  Rejects
 * impossible days (2023-02-29).  Returns true on success. */
bool date_parse_iso(const char *s, bool allow_partial, crf_date *out);

/* Parse what a person types: ISO as above, or 8 digits "YYYYMMDD"
 * (6 "YYYYMM" and 4 "YYYY" when partial is allowed), or the display
 * format given by fmt ("YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY",
 * "DD.MM.YYYY"); fmt may be NULL.  Month abbreviations "07MAR2024"
 * (DDMONYYYY, case-insensitive) are accepted too. */
bool date_parse_input(const char *s, bool allow_partial, const char *fmt, crf_date *out);

/* Write ISO text of d at its precision into buf (>= 11 bytes). */
void date_format_iso(crf_date d, char *buf, size_t size);

/* Write d in the display format fmt (as for date_parse_input; NULL means
 * ISO); partial dates keep only the known parts, e.g. "03/2024". */
void date_format_display(crf_date d, const char *fmt, char *buf, size_t size);

/* Days since 1970-01-01 of a complete date (negative before). */
long date_to_days(crf_date d);
crf_date date_from_days(long days);

/* Whole days from a to b (b - a); both complete. */
long date_diff_days(crf_date a, crf_date b);
/* Whole months/years from a to b, counted as a person counts age: the
 * anniversary must be reached (2000-02-29 -> 2001-02-28 is 0 years). */
long date_diff_months(crf_date a, crf_date b);
long date_diff_years(crf_date a, crf_date b);

/* Add days to a complete date. */
crf_date date_add_days(crf_date d, long days);

/* Compare at the common precision of a and b: returns -1, 0 or 1, and
 * 0 when they agree as far as both are known ("2024-03" vs "2024-03-07"). */
int date_cmp(crf_date a, crf_date b);

/* Time of day in minutes since midnight.  Parse "HH:MM" or "HHMM" (24 h);
 * returns true on success. */
bool time_parse(const char *s, int *minutes);
void time_format(int minutes, char *buf, size_t size); /* "HH:MM" */

/* The clock.  CRF_NOW, when set, is an ISO UTC instant such as
 * "2026-01-15T09:30:00Z" and replaces the system clock (tests). */
time_t clock_now(void);
/* Parse a stored UTC timestamp ("2026-01-15T09:30:00Z") into *out;
 * false if it is not one. */
bool clock_parse(const char *s, time_t *out);
/* Today's date in local time (honours TZ and CRF_NOW). */
crf_date clock_today(void);
/* Timestamp text for the audit trail: UTC "2026-01-15T09:30:00Z" into
 * utc (>= 21 bytes) and the local offset "+08:00" into off (>= 7 bytes). */
void clock_stamp(time_t t, char *utc, size_t ulen, char *off, size_t olen);

#endif
