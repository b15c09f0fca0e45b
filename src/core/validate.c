/* validate.c - typed input to canonical text, canonical text to values. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crf/date.h"
#include "crf/util.h"
#include "crf/validate.h"

#define YEAR_MIN 1900
#define YEAR_MAX 2100
#define TEXT_MAXLEN 200
#define MEMO_MAXLEN 2000

static const char *
label_of(const field_def *f)
{
	const char *l = i18n_get(&f->label, LANG_EN);

	if (*l == '\0' && f->id != NULL)
		return f->id;
	return *l ? l : "The value";
}

/* A number for messages: no trailing zeros, no "-0". */
static void
fmt_num(double v, char *buf, size_t size)
{
	char *dot, *e;

	snprintf(buf, size, "%.10f", v);
	dot = strchr(buf, '.');
	if (dot == NULL)
		return;
	e = buf + strlen(buf);
	while (e > dot + 1 && e[-1] == '0')
		e--;
	if (e == dot + 1)
		e = dot;
	*e = '\0';
	if (strcmp(buf, "-0") == 0)
		strcpy(buf, "0");
}

/* Copy src into buf, cut at a UTF-8 character boundary if it must be. */
static void
copy_utf8(char *buf, const char *src, size_t size)
{
	size_t len;

	if (size == 0)
		return;
	len = str_copy(buf, src, size);
	if (len >= size) {
		size_t n = size - 1, lead = n, need;
		unsigned char c;

		while (lead > 0 && ((unsigned char)buf[lead - 1] & 0xc0) == 0x80)
			lead--;
		if (lead == 0)
			return;
		c = (unsigned char)buf[--lead];
		need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		if (lead + need > n)
			buf[lead] = '\0';
	}
}

static crf_status
put_canon(const char *s, char *canon, size_t size, crf_err *err)
{
	if (strlen(s) >= size)
		return crf_fail(err, CRF_EINVAL, "The value is too long to store");
	memcpy(canon, s, strlen(s) + 1);
	return CRF_OK;
}

crf_status
validate_range(const field_def *f, double v, crf_err *err)
{
	const numrange *h = &f->hard, *s = &f->soft;
	const char *unit = f->unit != NULL ? f->unit : "";
	const char *sp = *unit ? " " : "";
	char a[400], b[400], x[400];

	if (!isfinite(v))
		return crf_fail(err, CRF_ERANGE, "%s is not a valid number",
		    label_of(f));
	fmt_num(h->min, a, sizeof a);
	fmt_num(h->max, b, sizeof b);
	if ((h->has_min && v < h->min) || (h->has_max && v > h->max)) {
		if (h->has_min && h->has_max)
			return crf_fail(err, CRF_ERANGE,
			    "%s must be between %s and %s%s%s",
			    label_of(f), a, b, sp, unit);
		if (h->has_min)
			return crf_fail(err, CRF_ERANGE,
			    "%s must be at least %s%s%s",
			    label_of(f), a, sp, unit);
		return crf_fail(err, CRF_ERANGE, "%s must be at most %s%s%s",
		    label_of(f), b, sp, unit);
	}
	fmt_num(s->min, a, sizeof a);
	fmt_num(s->max, b, sizeof b);
	fmt_num(v, x, sizeof x);
	if ((s->has_min && v < s->min) || (s->has_max && v > s->max)) {
		if (s->has_min && s->has_max)
			return crf_fail(err, CRF_ESOFT,
			    "%s %s%s%s is outside the expected range "
			    "%s\xe2\x80\x93%s%s%s: confirm to keep it",
			    label_of(f), x, sp, unit, a, b, sp, unit);
		if (s->has_min)
			return crf_fail(err, CRF_ESOFT,
			    "%s %s%s%s is below the expected minimum of "
			    "%s%s%s: confirm to keep it",
			    label_of(f), x, sp, unit, a, sp, unit);
		return crf_fail(err, CRF_ESOFT,
		    "%s %s%s%s is above the expected maximum of "
		    "%s%s%s: confirm to keep it",
		    label_of(f), x, sp, unit, b, sp, unit);
	}
	return CRF_OK;
}

static crf_status
check_integer(const field_def *f, const char *s, char *canon, size_t size,
    crf_err *err)
{
	char buf[32];
	long v;
	crf_status st;

	if (!parse_long(s, &v))
		return crf_fail(err, CRF_EINVAL, "Enter a whole number");
	snprintf(buf, sizeof buf, "%ld", v);
	st = validate_range(f, (double)v, err);
	if (st != CRF_OK && st != CRF_ESOFT)
		return st;
	if (put_canon(buf, canon, size, err) != CRF_OK)
		return CRF_EINVAL;
	return st;
}

/*
 * Round the plain decimal text s (already accepted by parse_double) to
 * `decimals` places, half away from zero, working on the digits so that
 * no binary fraction gets in the way.  decimals < 0 keeps every typed
 * digit but drops trailing zeros.  Returns owned text.
 */
static char *
round_text(const char *s, int decimals)
{
	size_t len = strlen(s), nint = 0, nfrac = 0, i;
	char *dig = xmalloc(len + (decimals > 0 ? (size_t)decimals : 0) + 2);
	bool neg = false, nonzero = false;
	strbuf out = {0};

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	while (*s == '0')
		s++;
	/* dig[0] is room for a carry out of the top digit. */
	dig[0] = '0';
	for (; isdigit((unsigned char)*s); s++)
		dig[1 + nint++] = *s;
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++)
			dig[1 + nint + nfrac++] = *s;
	if (decimals >= 0) {
		size_t keep = (size_t)decimals;
		bool up = nfrac > keep && dig[1 + nint + keep] >= '5';

		for (; nfrac < keep; nfrac++)
			dig[1 + nint + nfrac] = '0';
		nfrac = keep;
		for (i = nint + nfrac; up; i--) {
			if (dig[i] == '9') {
				dig[i] = '0';
			} else {
				dig[i]++;
				up = false;
			}
		}
	} else {
		while (nfrac > 0 && dig[nint + nfrac] == '0')
			nfrac--;
	}
	for (i = 0; i <= nint + nfrac; i++)
		if (dig[i] != '0')
			nonzero = true;
	if (neg && nonzero)
		sb_add(&out, "-");
	if (dig[0] != '0')
		sb_addn(&out, dig, nint + 1);
	else if (nint > 0)
		sb_addn(&out, dig + 1, nint);
	else
		sb_add(&out, "0");
	if (nfrac > 0) {
		sb_add(&out, ".");
		sb_addn(&out, dig + 1 + nint, nfrac);
	}
	free(dig);
	return sb_steal(&out);
}

static crf_status
check_decimal(const field_def *f, const char *s, char *canon, size_t size,
    crf_err *err)
{
	char *txt = xstrdup(s), *comma = strchr(txt, ','), *r;
	double v;
	crf_status st;

	if (comma != NULL && strchr(txt, '.') == NULL)
		*comma = '.';
	if (!parse_double(txt, &v)) {
		free(txt);
		return crf_fail(err, CRF_EINVAL, "Enter a number");
	}
	r = round_text(txt, f->decimals);
	free(txt);
	if (!parse_double(r, &v)) {
		free(r);
		return crf_fail(err, CRF_EINVAL, "Enter a number");
	}
	st = validate_range(f, v, err);
	if (st == CRF_OK || st == CRF_ESOFT) {
		if (put_canon(r, canon, size, err) != CRF_OK)
			st = CRF_EINVAL;
	}
	free(r);
	return st;
}

/*
 * Match s against a date template: YYYY four digits, DD and MM one or two
 * digits, MON a month abbreviation, anything else itself.  Fills y, m, d
 * (0 when the template has no such part).
 */
static bool
date_shape(const char *s, const char *tpl, int *y, int *m, int *d)
{
	static const char months[] = "JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC";

	*y = *m = *d = 0;
	while (*tpl) {
		if (strncmp(tpl, "YYYY", 4) == 0) {
			for (int i = 0; i < 4; i++, s++) {
				if (!isdigit((unsigned char)*s))
					return false;
				*y = *y * 10 + (*s - '0');
			}
			tpl += 4;
		} else if (strncmp(tpl, "MON", 3) == 0) {
			char mon[4] = {0};
			const char *hit;

			for (int i = 0; i < 3; i++, s++) {
				if (!isalpha((unsigned char)*s))
					return false;
				mon[i] = (char)toupper((unsigned char)*s);
			}
			hit = strstr(months, mon);
			if (hit == NULL || (hit - months) % 3 != 0)
				return false;
			*m = (int)((hit - months) / 3) + 1;
			tpl += 3;
		} else if (strncmp(tpl, "MM", 2) == 0 ||
		    strncmp(tpl, "DD", 2) == 0) {
			int *p = *tpl == 'M' ? m : d, n = 0;

			for (*p = 0; n < 2 && isdigit((unsigned char)*s); n++, s++)
				*p = *p * 10 + (*s - '0');
			if (n == 0)
				return false;
			tpl += 2;
		} else if (*tpl++ != *s++) {
			return false;
		}
	}
	return *s == '\0';
}

/* Whether s looks like a day-precise date whose day does not exist. */
static bool
unreal_date(const char *s, const char *fmt)
{
	const char *tpls[] = {
		"YYYY-MM-DD", "YYYYMMDD", "DDMONYYYY", "DD-MON-YYYY",
		"DD MON YYYY", fmt
	};
	int y, m, d;

	for (size_t i = 0; i < sizeof tpls / sizeof *tpls; i++) {
		if (tpls[i] == NULL || !date_shape(s, tpls[i], &y, &m, &d))
			continue;
		if (d >= 1 && d <= 31 && m >= 1 && m <= 12 &&
		    !date_valid_ymd(y, m, d))
			return true;
	}
	return false;
}

static crf_status
check_date(const field_def *f, const char *s, const char *date_fmt,
    char *canon, size_t size, crf_err *err)
{
	bool partial = f->type == FT_PDATE;
	bool show_fmt = date_fmt != NULL && *date_fmt &&
	    !str_ieq(date_fmt, "YYYY-MM-DD");
	crf_date d;
	char buf[16];

	if (!date_parse_input(s, partial, date_fmt, &d)) {
		if (unreal_date(s, date_fmt))
			return crf_fail(err, CRF_EINVAL, "%s is not a real date", s);
		return crf_fail(err, CRF_EINVAL, "Enter a date as %s%sYYYY-MM-DD%s",
		    show_fmt ? date_fmt : "",
		    !show_fmt ? "" : partial ? ", " : " or ",
		    partial ? ", YYYY-MM or YYYY" : "");
	}
	if (d.y < YEAR_MIN || d.y > YEAR_MAX)
		return crf_fail(err, CRF_EINVAL,
		    "Years before %d or after %d are not accepted",
		    YEAR_MIN, YEAR_MAX);
	date_format_iso(d, buf, sizeof buf);
	return put_canon(buf, canon, size, err);
}

static crf_status
check_time(const char *s, char *canon, size_t size, crf_err *err)
{
	int min;
	char buf[16];

	if (!time_parse(s, &min))
		return crf_fail(err, CRF_EINVAL, "Enter a time as HH:MM (24-hour)");
	time_format(min, buf, sizeof buf);
	return put_canon(buf, canon, size, err);
}

static crf_status
check_yesno(const char *s, char *canon, size_t size, crf_err *err)
{
	if (str_ieq(s, "Y") || str_ieq(s, "YES") || strcmp(s, "是") == 0)
		return put_canon("Y", canon, size, err);
	if (str_ieq(s, "N") || str_ieq(s, "NO") || strcmp(s, "否") == 0)
		return put_canon("N", canon, size, err);
	return crf_fail(err, CRF_EINVAL, "Enter Y (yes) or N (no)");
}

/* Index of the item whose code is s (exact, else any case), or -1. */
static long
item_by_code(const choice_list *cl, const char *s, size_t n)
{
	for (size_t i = 0; i < cl->nitems; i++)
		if (strlen(cl->items[i].code) == n &&
		    strncmp(cl->items[i].code, s, n) == 0)
			return (long)i;
	for (size_t i = 0; i < cl->nitems; i++)
		if (strlen(cl->items[i].code) == n &&
		    strncasecmp(cl->items[i].code, s, n) == 0)
			return (long)i;
	return -1;
}

/* Item typed as a code (first) or a 1-based number, or -1. */
static long
item_typed(const choice_list *cl, const char *s, size_t n)
{
	long i = item_by_code(cl, s, n), num;
	char tmp[24];

	if (i >= 0 || n >= sizeof tmp)
		return i;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (parse_long(tmp, &num) && isdigit((unsigned char)tmp[0]) &&
	    num >= 1 && (unsigned long)num <= cl->nitems)
		return num - 1;
	return -1;
}

static crf_status
check_choice(const field_def *f, const char *s, char *canon, size_t size,
    crf_err *err)
{
	const choice_list *cl = f->choices;
	long i;

	if (cl == NULL || cl->nitems == 0)
		return crf_fail(err, CRF_EINVAL, "This field has no choices");
	i = item_typed(cl, s, strlen(s));
	if (i < 0 && cl->nitems == 1)
		return crf_fail(err, CRF_EINVAL, "Choose 1 or a code of the list");
	if (i < 0)
		return crf_fail(err, CRF_EINVAL, "Choose 1-%zu or a code of the list",
		    cl->nitems);
	return put_canon(cl->items[i].code, canon, size, err);
}

static crf_status
check_multi(const field_def *f, const char *s, char *canon, size_t size,
    crf_err *err)
{
	static const char seps[] = " \t\r\n\v\f,|";
	const choice_list *cl = f->choices;
	bool *on;
	strbuf out = {0};
	crf_status st;

	if (cl == NULL || cl->nitems == 0)
		return crf_fail(err, CRF_EINVAL, "This field has no choices");
	on = xcalloc(cl->nitems, sizeof *on);
	for (;;) {
		size_t n;
		long i;

		s += strspn(s, seps);
		if (*s == '\0')
			break;
		n = strcspn(s, seps);
		i = item_typed(cl, s, n);
		if (i < 0) {
			free(on);
			if (cl->nitems == 1)
				return crf_fail(err, CRF_EINVAL,
				    "%.*s is not in the list: choose 1 or a code "
				    "of the list", (int)n, s);
			return crf_fail(err, CRF_EINVAL,
			    "%.*s is not in the list: choose 1-%zu or codes "
			    "of the list", (int)n, s, cl->nitems);
		}
		on[i] = true;
		s += n;
	}
	for (size_t i = 0; i < cl->nitems; i++) {
		if (!on[i])
			continue;
		if (out.len > 0)
			sb_add(&out, "|");
		sb_add(&out, cl->items[i].code);
	}
	free(on);
	st = put_canon(out.s != NULL ? out.s : "", canon, size, err);
	sb_free(&out);
	return st;
}

/*
 * Text and memo: s is trimmed, valid UTF-8; memo has its CR LF already
 * turned into LF.
 */
static crf_status
check_text(const field_def *f, const char *s, char *canon, size_t size,
    crf_err *err)
{
	bool memo = f->type == FT_MEMO;
	size_t max = f->maxlen > 0 ? (size_t)f->maxlen :
	    memo ? MEMO_MAXLEN : TEXT_MAXLEN;
	size_t chars = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p < 0x20 && !(memo && *p == '\n')) || *p == 0x7f ||
		    (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return crf_fail(err, CRF_EINVAL,
			    "Tabs and control characters are not allowed");
		if ((*p & 0xc0) != 0x80)
			chars++;
	}
	if (chars > max)
		return crf_fail(err, CRF_EINVAL, "At most %zu characters", max);
	if (f->pattern != NULL && regexec(&f->pattern_re, s, 0, NULL, 0) != 0) {
		const char *help = i18n_get(&f->pattern_help, LANG_EN);

		if (*help)
			return crf_fail(err, CRF_EINVAL, "Does not match: %s", help);
		return crf_fail(err, CRF_EINVAL,
		    "Does not match the required pattern %s", f->pattern);
	}
	return put_canon(s, canon, size, err);
}

/* Turn every CR LF into LF, in place. */
static void
crlf_to_lf(char *s)
{
	char *w = s;

	for (const char *r = s; *r; r++)
		if (!(r[0] == '\r' && r[1] == '\n'))
			*w++ = *r;
	*w = '\0';
}

crf_status
validate_input(const field_def *f, const char *input, const char *date_fmt,
    char *canon, size_t size, crf_err *err)
{
	char *s;
	crf_status st;

	if (size > 0)
		canon[0] = '\0';
	if (f->type == FT_CALC)
		return crf_fail(err, CRF_EINVAL, "This field is calculated");
	if (f->type == FT_INFO)
		return crf_fail(err, CRF_EINVAL, "This is descriptive text");
	if (input == NULL)
		input = "";
	if (!utf8_valid(input))
		return crf_fail(err, CRF_EINVAL, "Not valid UTF-8 text");
	s = xstrdup(input);
	if (f->type == FT_MEMO)
		crlf_to_lf(s);
	str_trim(s);
	if (*s == '\0') {
		free(s);
		return put_canon("", canon, size, err);
	}
	switch (f->type) {
	case FT_INTEGER:
		st = check_integer(f, s, canon, size, err);
		break;
	case FT_DECIMAL:
		st = check_decimal(f, s, canon, size, err);
		break;
	case FT_DATE:
	case FT_PDATE:
		st = check_date(f, s, date_fmt, canon, size, err);
		break;
	case FT_TIME:
		st = check_time(s, canon, size, err);
		break;
	case FT_YESNO:
		st = check_yesno(s, canon, size, err);
		break;
	case FT_CHOICE:
		st = check_choice(f, s, canon, size, err);
		break;
	case FT_MULTI:
		st = check_multi(f, s, canon, size, err);
		break;
	case FT_TEXT:
	case FT_MEMO:
		st = check_text(f, s, canon, size, err);
		break;
	default:
		st = crf_fail(err, CRF_EINVAL, "This field takes no input");
		break;
	}
	free(s);
	if (st != CRF_OK && st != CRF_ESOFT && size > 0)
		canon[0] = '\0';
	return st;
}

crf_status
validate_missing(const study_def *sd, const field_def *f, const char *code,
    crf_err *err)
{
	strbuf allowed = {0};
	crf_status st;

	if (code == NULL)
		code = "";
	for (size_t i = 0; i < sd->nmissing && i < sizeof f->missing_mask * 8;
	    i++) {
		if (!(f->missing_mask & (1u << i)))
			continue;
		if (str_ieq(sd->missing[i].code, code)) {
			sb_free(&allowed);
			return CRF_OK;
		}
		sb_addf(&allowed, "%s%s", allowed.len ? ", " : "",
		    sd->missing[i].code);
	}
	if (allowed.len > 0)
		st = crf_fail(err, CRF_EINVAL, "%s is not allowed for %s "
		    "(allowed: %s)", code, label_of(f), allowed.s);
	else
		st = crf_fail(err, CRF_EINVAL, "%s is not allowed for %s "
		    "(no missing-data codes are allowed)", code, label_of(f));
	sb_free(&allowed);
	return st;
}

/* The type that decides how stored text of f reads. */
static field_type
stored_type(const field_def *f)
{
	return f->type == FT_CALC ? f->result : f->type;
}

void
validate_to_value(const field_def *f, const char *canon, const char *missing,
    crf_value *out)
{
	double n;
	crf_date d;
	int min;

	*out = val_missing();
	if (missing != NULL && *missing) {
		out->missing_code = missing;
		return;
	}
	if (canon == NULL || *canon == '\0')
		return;
	switch (stored_type(f)) {
	case FT_INTEGER:
	case FT_DECIMAL:
		if (parse_double(canon, &n))
			*out = val_num(n);
		break;
	case FT_DATE:
	case FT_PDATE:
		if (date_parse_iso(canon, true, &d))
			*out = val_date(d);
		break;
	case FT_TIME:
		if (time_parse(canon, &min))
			*out = val_time(min);
		break;
	case FT_YESNO:
		if (strcmp(canon, "Y") == 0 || strcmp(canon, "N") == 0)
			*out = val_text(canon);
		break;
	case FT_TEXT:
	case FT_MEMO:
	case FT_CHOICE:
	case FT_MULTI:
		*out = val_text(canon);
		break;
	default:
		break;
	}
}

static const char *
choice_label(const choice_list *cl, const char *code, size_t n, crf_lang lang)
{
	long i = cl != NULL ? item_by_code(cl, code, n) : -1;

	return i >= 0 ? i18n_get(&cl->items[i].label, lang) : "";
}

void
validate_display(const field_def *f, const char *canon, const char *date_fmt,
    crf_lang lang, char *buf, size_t size)
{
	strbuf sb = {0};
	crf_date d;
	const char *l;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (canon == NULL || *canon == '\0')
		return;
	switch (stored_type(f)) {
	case FT_DATE:
	case FT_PDATE:
		if (date_parse_iso(canon, true, &d))
			date_format_display(d, date_fmt, buf, size);
		else
			copy_utf8(buf, canon, size);
		return;
	case FT_YESNO:
		if (strcmp(canon, "Y") == 0)
			copy_utf8(buf, lang == LANG_ZH ? "是" : "Yes", size);
		else if (strcmp(canon, "N") == 0)
			copy_utf8(buf, lang == LANG_ZH ? "否" : "No", size);
		else
			copy_utf8(buf, canon, size);
		return;
	case FT_CHOICE:
		l = choice_label(f->choices, canon, strlen(canon), lang);
		if (*l)
			sb_addf(&sb, "%s %s", canon, l);
		else
			sb_add(&sb, canon);
		break;
	case FT_MULTI:
		for (const char *p = canon; *p;) {
			size_t n = strcspn(p, "|");

			if (n > 0) {
				l = choice_label(f->choices, p, n, lang);
				if (sb.len > 0)
					sb_add(&sb, ", ");
				if (*l)
					sb_add(&sb, l);
				else
					sb_addn(&sb, p, n);
			}
			p += n;
			if (*p == '|')
				p++;
		}
		break;
	default:
		sb_add(&sb, canon);
		break;
	}
	copy_utf8(buf, sb.s != NULL ? sb.s : "", size);
	sb_free(&sb);
}
