/* value.c - names and text forms of expression values. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crf/util.h"
#include "crf/value.h"

const char *
val_type_name(val_type t)
{
	switch (t) {
	case VAL_MISSING: return "missing";
	case VAL_BOOL: return "yes/no";
	case VAL_NUM: return "number";
	case VAL_TEXT: return "text";
	case VAL_DATE: return "date";
	case VAL_TIME: return "time";
	case VAL_ANY: return "any";
	}
	return "unknown";
}

double
val_round(double x, int decimals)
{
	double p, s, f;

	if (decimals > 15 || decimals < -15 || !isfinite(x))
		return NAN;
	p = pow(10, abs(decimals));
	s = decimals >= 0 ? x * p : x / p;
	f = floor(fabs(s));
	if (fabs(s) - f >= 0.5 - fabs(s) * 8 * DBL_EPSILON)
		f += 1;
	f = copysign(f, s);
	return decimals >= 0 ? f / p : f * p;
}

/* A locale with a decimal comma must not leak into stored numbers. */
static void
fix_decimal_point(char *s)
{
	for (; *s; s++) {
		if (*s == ',')
			*s = '.';
	}
}

/* "-0", "-0.00": drop the sign of a number that prints as zero. */
static void
drop_negative_zero(char *s)
{
	if (s[0] != '-' || strspn(s + 1, "0.") != strlen(s + 1))
		return;
	memmove(s, s + 1, strlen(s));
}

/* Shortest plain decimal text of x, at most 10 significant digits. */
static void
format_shortest(double x, char *buf, size_t size)
{
	char tmp[64];
	double x10;
	int prec, exp10, decimals;
	const char *e;

	if (x == 0) {
		snprintf(buf, size, "0");
		return;
	}
	snprintf(tmp, sizeof tmp, "%.9e", x);
	x10 = strtod(tmp, NULL);
	for (prec = 1; prec < 10; prec++) {
		snprintf(tmp, sizeof tmp, "%.*e", prec - 1, x10);
		if (strtod(tmp, NULL) == x10)
			break;
	}
	snprintf(tmp, sizeof tmp, "%.*e", prec - 1, x10);
	e = strchr(tmp, 'e');
	exp10 = e != NULL ? atoi(e + 1) : 0;
	if (exp10 > 15 || exp10 < -7) {
		snprintf(buf, size, "%.*g", prec, x10);
		return;
	}
	decimals = prec - 1 - exp10;
	if (decimals < 0)
		decimals = 0;
	snprintf(buf, size, "%.*f", decimals, x10);
}

char *
val_format(const crf_value *v, int decimals, char *buf, size_t size)
{
	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (v == NULL)
		return buf;
	switch (v->type) {
	case VAL_MISSING:
		str_copy(buf, v->missing_code != NULL ? v->missing_code : "", size);
		break;
	case VAL_BOOL:
		str_copy(buf, v->u.b ? "Y" : "N", size);
		break;
	case VAL_NUM:
		if (!isfinite(v->u.n))
			break;
		if (decimals >= 0) {
			int dec = decimals > 15 ? 15 : decimals;
			double r = val_round(v->u.n, dec);

			snprintf(buf, size, "%.*f", dec, isfinite(r) ? r : v->u.n);
		}
		else
			format_shortest(v->u.n, buf, size);
		fix_decimal_point(buf);
		drop_negative_zero(buf);
		break;
	case VAL_TEXT:
		str_copy(buf, v->u.s != NULL ? v->u.s : "", size);
		break;
	case VAL_DATE:
		date_format_iso(v->u.d, buf, size);
		break;
	case VAL_TIME:
		time_format(v->u.minutes, buf, size);
		break;
	case VAL_ANY:
		break;
	}
	return buf;
}
