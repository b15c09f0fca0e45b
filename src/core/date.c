/* date.c - calendar arithmetic, ISO and typed date input, times, the clock. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crf/date.h"

/* Days from 0001-01-01 to 1970-01-01. */
#define DAYS_TO_EPOCH 719162L

static const char *const month_abbr[12] = {
	"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
	"JUL", "AUG", "SEP", "OCT", "NOV", "DEC"
};

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m < 1 || m > 12)
		return 0;
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Days from 0001-01-01 to January 1st of year y. */
static long
days_before_year(long y)
{
	long p = y - 1;

	return 365 * p + p / 4 - p / 100 + p / 400;
}

/* Days from January 1st to the first of month m of year y. */
static int
days_before_month(int y, int m)
{
	static const int cum[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };

	return cum[m - 1] + (m > 2 && is_leap(y));
}

date_prec
date_precision(crf_date d)
{
	if (d.y == 0)
		return DATE_NONE;
	if (d.m == 0)
		return DATE_YEAR;
	if (d.d == 0)
		return DATE_MONTH;
	return DATE_DAY;
}

bool
date_valid_ymd(int y, int m, int d)
{
	if (y < 1 || y > 9999 || m < 1 || m > 12)
		return false;
	return d >= 1 && d <= days_in_month(y, m);
}

/* Trim blanks: sets [*b, *e) to the non-blank part of s. */
static void
span_trim(const char *s, const char **b, const char **e)
{
	while (isspace((unsigned char)*s))
		s++;
	*b = s;
	s += strlen(s);
	while (s > *b && isspace((unsigned char)s[-1]))
		s--;
	*e = s;
}

/* Exactly n decimal digits at p. */
static bool
take_digits(const char *p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return true;
}

/* Build a date of the precision implied by which parts are nonzero. */
static bool
make_date(int y, int m, int d, crf_date *out)
{
	if (y < 1 || y > 9999)
		return false;
	if (m == 0 && d != 0)
		return false;
	if (m != 0 && (m < 1 || m > 12))
		return false;
	if (d != 0 && !date_valid_ymd(y, m, d))
		return false;
	out->y = y;
	out->m = m;
	out->d = d;
	return true;
}

bool
date_parse_iso(const char *s, bool allow_partial, crf_date *out)
{
	const char *b, *e;
	int y, m = 0, d = 0;
	size_t len;

	if (s == NULL)
		return false;
	span_trim(s, &b, &e);
	len = (size_t)(e - b);
	if (len != 10 && !(allow_partial && (len == 7 || len == 4)))
		return false;
	if (!take_digits(b, 4, &y))
		return false;
	if (len >= 7 && (b[4] != '-' || !take_digits(b + 5, 2, &m) || m == 0))
		return false;
	if (len == 10 && (b[7] != '-' || !take_digits(b + 8, 2, &d) || d == 0))
		return false;
	return make_date(y, m, d, out);
}

/* "YYYYMMDD", and "YYYYMM" / "YYYY" when partial. */
static bool
parse_compact(const char *b, size_t len, bool allow_partial, crf_date *out)
{
	int y, m = 0, d = 0;

	if (len != 8 && !(allow_partial && (len == 6 || len == 4)))
		return false;
	if (!take_digits(b, 4, &y))
		return false;
	if (len >= 6 && (!take_digits(b + 4, 2, &m) || m == 0))
		return false;
	if (len == 8 && (!take_digits(b + 6, 2, &d) || d == 0))
		return false;
	return make_date(y, m, d, out);
}

/* One or two digits at *pp; advances *pp. */
static bool
take_small(const char **pp, const char *e, int *out)
{
	const char *p = *pp;
	int v = 0, n = 0;

	while (p < e && n < 2 && isdigit((unsigned char)*p)) {
		v = v * 10 + (*p - '0');
		p++;
		n++;
	}
	if (n == 0)
		return false;
	*pp = p;
	*out = v;
	return true;
}

/* "DDMONYYYY", "DD-MON-YYYY", "DD MON YYYY"; "MONYYYY" when partial. */
static bool
parse_dmon(const char *b, const char *e, bool allow_partial, crf_date *out)
{
	const char *p = b;
	int d = 0, m = 0, y;

	if (p < e && isdigit((unsigned char)*p)) {
		if (!take_small(&p, e, &d) || d == 0)
			return false;
		if (p < e && (*p == '-' || *p == ' '))
			p++;
	} else if (!allow_partial) {
		return false;
	}
	if (e - p < 3)
		return false;
	for (int i = 0; i < 12; i++) {
		if (strncasecmp(p, month_abbr[i], 3) == 0) {
			m = i + 1;
			break;
		}
	}
	if (m == 0)
		return false;
	p += 3;
	if (p < e && (*p == '-' || *p == ' '))
		p++;
	if (e - p != 4 || !take_digits(p, 4, &y))
		return false;
	return make_date(y, m, d, out);
}

/* The display formats: "DD/MM/YYYY", "MM/DD/YYYY", "DD.MM.YYYY". */
static bool
display_format(const char *fmt, char *sep, bool *day_first)
{
	if (fmt == NULL || strlen(fmt) != 10 || fmt[2] != fmt[5])
		return false;
	if (fmt[2] != '/' && fmt[2] != '.' && fmt[2] != '-')
		return false;
	if (strncmp(fmt, "DD", 2) == 0 && strncmp(fmt + 3, "MM", 2) == 0)
		*day_first = true;
	else if (strncmp(fmt, "MM", 2) == 0 && strncmp(fmt + 3, "DD", 2) == 0)
		*day_first = false;
	else
		return false;
	if (strcmp(fmt + 6, "YYYY") != 0)
		return false;
	*sep = fmt[2];
	return true;
}

static bool
parse_display(const char *b, const char *e, bool allow_partial, const char *fmt, crf_date *out)
{
	const char *p = b;
	char sep;
	bool day_first;
	int a, c = 0, y;

	if (!display_format(fmt, &sep, &day_first))
		return false;
	if (!take_small(&p, e, &a) || p >= e || *p != sep)
		return false;
	p++;
	if (e - p == 4) {
		/* month and year only */
		if (!allow_partial || !take_digits(p, 4, &y) || a == 0)
			return false;
		return make_date(y, a, 0, out);
	}
	if (!take_small(&p, e, &c) || p >= e || *p != sep)
		return false;
	p++;
	if (e - p != 4 || !take_digits(p, 4, &y) || a == 0 || c == 0)
		return false;
	if (day_first)
		return make_date(y, c, a, out);
	return make_date(y, a, c, out);
}

bool
date_parse_input(const char *s, bool allow_partial, const char *fmt, crf_date *out)
{
	const char *b, *e;

	if (s == NULL)
		return false;
	if (date_parse_iso(s, allow_partial, out))
		return true;
	span_trim(s, &b, &e);
	if (b == e)
		return false;
	if (parse_compact(b, (size_t)(e - b), allow_partial, out))
		return true;
	if (parse_dmon(b, e, allow_partial, out))
		return true;
	return parse_display(b, e, allow_partial, fmt, out);
}

void
date_format_iso(crf_date d, char *buf, size_t size)
{
	if (size == 0)
		return;
	switch (date_precision(d)) {
	case DATE_DAY:
		snprintf(buf, size, "%04d-%02d-%02d", d.y, d.m, d.d);
		break;
	case DATE_MONTH:
		snprintf(buf, size, "%04d-%02d", d.y, d.m);
		break;
	case DATE_YEAR:
		snprintf(buf, size, "%04d", d.y);
		break;
	default:
		buf[0] = '\0';
		break;
	}
}

void
date_format_display(crf_date d, const char *fmt, char *buf, size_t size)
{
	char sep;
	bool day_first;

	if (size == 0)
		return;
	if (!display_format(fmt, &sep, &day_first)) {
		date_format_iso(d, buf, size);
		return;
	}
	switch (date_precision(d)) {
	case DATE_DAY:
		if (day_first)
			snprintf(buf, size, "%02d%c%02d%c%04d", d.d, sep, d.m, sep, d.y);
		else
			snprintf(buf, size, "%02d%c%02d%c%04d", d.m, sep, d.d, sep, d.y);
		break;
	case DATE_MONTH:
		snprintf(buf, size, "%02d%c%04d", d.m, sep, d.y);
		break;
	case DATE_YEAR:
		snprintf(buf, size, "%04d", d.y);
		break;
	default:
		buf[0] = '\0';
		break;
	}
}

long
date_to_days(crf_date d)
{
	int m = d.m >= 1 && d.m <= 12 ? d.m : 1;
	int dd = d.d >= 1 ? d.d : 1;

	return days_before_year(d.y) + days_before_month(d.y, m) + dd - 1 - DAYS_TO_EPOCH;
}

crf_date
date_from_days(long days)
{
	crf_date r = { 0, 0, 0 };
	long ord = days + DAYS_TO_EPOCH;   /* days since 0001-01-01 */
	long y;
	int doy, m;

	if (ord < 0 || ord >= days_before_year(10000))
		return r;
	y = ord / 366 + 1;                 /* never too big; walk up */
	while (days_before_year(y + 1) <= ord)
		y++;
	doy = (int)(ord - days_before_year(y));
	m = 1;
	while (m < 12 && days_before_month((int)y, m + 1) <= doy)
		m++;
	r.y = (int)y;
	r.m = m;
	r.d = doy - days_before_month((int)y, m) + 1;
	return r;
}

long
date_diff_days(crf_date a, crf_date b)
{
	return date_to_days(b) - date_to_days(a);
}

/* Ordering of complete dates by their parts. */
static int
ymd_order(crf_date a, crf_date b)
{
	if (a.y != b.y)
		return a.y < b.y ? -1 : 1;
	if (a.m != b.m)
		return a.m < b.m ? -1 : 1;
	if (a.d != b.d)
		return a.d < b.d ? -1 : 1;
	return 0;
}

long
date_diff_months(crf_date a, crf_date b)
{
	long n;

	if (ymd_order(b, a) < 0)
		return -date_diff_months(b, a);
	n = (long)(b.y - a.y) * 12 + (b.m - a.m);
	if (b.d < a.d)
		n--;
	return n;
}

long
date_diff_years(crf_date a, crf_date b)
{
	return date_diff_months(a, b) / 12;
}

crf_date
date_add_days(crf_date d, long days)
{
	return date_from_days(date_to_days(d) + days);
}

int
date_cmp(crf_date a, crf_date b)
{
	if (a.y != b.y)
		return a.y < b.y ? -1 : 1;
	if (a.m == 0 || b.m == 0)
		return 0;
	if (a.m != b.m)
		return a.m < b.m ? -1 : 1;
	if (a.d == 0 || b.d == 0)
		return 0;
	if (a.d != b.d)
		return a.d < b.d ? -1 : 1;
	return 0;
}

bool
time_parse(const char *s, int *minutes)
{
	const char *b, *e, *p;
	int h, m;

	if (s == NULL)
		return false;
	span_trim(s, &b, &e);
	p = b;
	if (e - b == 4 && take_digits(b, 4, &h)) {
		m = h % 100;
		h /= 100;
	} else {
		if (!take_small(&p, e, &h) || p >= e || *p != ':')
			return false;
		p++;
		if (e - p != 2 || !take_digits(p, 2, &m))
			return false;
	}
	if (h > 23 || m > 59)
		return false;
	*minutes = h * 60 + m;
	return true;
}

void
time_format(int minutes, char *buf, size_t size)
{
	if (size == 0)
		return;
	if (minutes < 0 || minutes >= 24 * 60) {
		buf[0] = '\0';
		return;
	}
	snprintf(buf, size, "%02d:%02d", minutes / 60, minutes % 60);
}

/* CRF_NOW: "YYYY-MM-DDTHH:MM:SSZ" (seconds optional, 'Z' optional). */
static bool
parse_now(const char *s, time_t *out)
{
	const char *b, *e;
	struct tm tm;
	int y, mo, d, h, mi, sec = 0;
	size_t len;

	span_trim(s, &b, &e);
	if (e > b && (e[-1] == 'Z' || e[-1] == 'z'))
		e--;
	len = (size_t)(e - b);
	if (len != 16 && len != 19)
		return false;
	if (!take_digits(b, 4, &y) || b[4] != '-' || !take_digits(b + 5, 2, &mo) ||
	    b[7] != '-' || !take_digits(b + 8, 2, &d) ||
	    (b[10] != 'T' && b[10] != 't' && b[10] != ' ') ||
	    !take_digits(b + 11, 2, &h) || b[13] != ':' || !take_digits(b + 14, 2, &mi))
		return false;
	if (len == 19 && (b[16] != ':' || !take_digits(b + 17, 2, &sec)))
		return false;
	if (!date_valid_ymd(y, mo, d) || h > 23 || mi > 59 || sec > 60)
		return false;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = timegm(&tm);
	return true;
}

time_t
clock_now(void)
{
	const char *s = getenv("CRF_NOW");
	time_t t;

	if (s != NULL && *s != '\0' && parse_now(s, &t))
		return t;
	return time(NULL);
}

bool
clock_parse(const char *s, time_t *out)
{
	return s != NULL && parse_now(s, out);
}

crf_date
clock_today(void)
{
	time_t t = clock_now();
	struct tm tm;
	crf_date d = { 0, 0, 0 };

	if (localtime_r(&t, &tm) == NULL)
		return d;
	d.y = tm.tm_year + 1900;
	d.m = tm.tm_mon + 1;
	d.d = tm.tm_mday;
	return d;
}

void
clock_stamp(time_t t, char *utc, size_t ulen, char *off, size_t olen)
{
	struct tm tm;
	long gmtoff = 0;

	if (utc != NULL && ulen > 0) {
		if (gmtime_r(&t, &tm) == NULL ||
		    strftime(utc, ulen, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
			utc[0] = '\0';
	}
	if (off != NULL && olen > 0) {
		if (localtime_r(&t, &tm) != NULL)
			gmtoff = tm.tm_gmtoff;
		snprintf(off, olen, "%c%02ld:%02ld", gmtoff < 0 ? '-' : '+',
		    labs(gmtoff) / 3600, labs(gmtoff) % 3600 / 60);
	}
}
