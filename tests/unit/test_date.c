/* test_date.c - calendar, partial dates, input formats, times, the clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "crf/date.h"

static crf_date
ymd(int y, int m, int d)
{
	crf_date r = { y, m, d };

	return r;
}

static const char *
iso(crf_date d)
{
	static char buf[4][16];
	static int k;

	k = (k + 1) % 4;
	date_format_iso(d, buf[k], sizeof buf[k]);
	return buf[k];
}

/* Parse with date_parse_iso and give the ISO text, or "FAIL". */
static const char *
p_iso(const char *s, bool partial)
{
	crf_date d = { -1, -1, -1 };

	if (!date_parse_iso(s, partial, &d))
		return "FAIL";
	return iso(d);
}

static const char *
p_in(const char *s, bool partial, const char *fmt)
{
	crf_date d = { -1, -1, -1 };

	if (!date_parse_input(s, partial, fmt, &d))
		return "FAIL";
	return iso(d);
}

static void
test_precision(void **state)
{
	(void)state;
	assert_int_equal(date_precision(ymd(0, 0, 0)), DATE_NONE);
	assert_int_equal(date_precision(ymd(2024, 0, 0)), DATE_YEAR);
	assert_int_equal(date_precision(ymd(2024, 3, 0)), DATE_MONTH);
	assert_int_equal(date_precision(ymd(2024, 3, 7)), DATE_DAY);
}

static void
test_valid_ymd(void **state)
{
	(void)state;
	assert_true(date_valid_ymd(2024, 2, 29));
	assert_false(date_valid_ymd(2023, 2, 29));
	assert_true(date_valid_ymd(2000, 2, 29));   /* divisible by 400 */
	assert_false(date_valid_ymd(1900, 2, 29));  /* by 100, not 400 */
	assert_false(date_valid_ymd(2100, 2, 29));
	assert_true(date_valid_ymd(2023, 1, 31));
	assert_false(date_valid_ymd(2023, 4, 31));
	assert_true(date_valid_ymd(2023, 12, 31));
	assert_false(date_valid_ymd(2023, 13, 1));
	assert_false(date_valid_ymd(2023, 0, 1));
	assert_false(date_valid_ymd(2023, 1, 0));
	assert_false(date_valid_ymd(0, 1, 1));
	assert_true(date_valid_ymd(1, 1, 1));
	assert_true(date_valid_ymd(9999, 12, 31));
	assert_false(date_valid_ymd(10000, 1, 1));
}

static void
test_parse_iso(void **state)
{
	(void)state;
	assert_string_equal(p_iso("2024-03-07", false), "2024-03-07");
	assert_string_equal(p_iso("  2024-03-07\t", false), "2024-03-07");
	assert_string_equal(p_iso("2024-02-29", false), "2024-02-29");
	assert_string_equal(p_iso("2023-02-29", false), "FAIL");
	assert_string_equal(p_iso("2023-02-30", true), "FAIL");
	assert_string_equal(p_iso("2023-04-31", false), "FAIL");
	assert_string_equal(p_iso("2024-13-01", false), "FAIL");
	assert_string_equal(p_iso("2024-00-10", false), "FAIL");
	assert_string_equal(p_iso("2024-01-00", false), "FAIL");
	assert_string_equal(p_iso("0000-01-01", false), "FAIL");
	assert_string_equal(p_iso("2024-3-7", false), "FAIL");
	assert_string_equal(p_iso("2024-03-07x", false), "FAIL");
	assert_string_equal(p_iso("2024/03/07", false), "FAIL");
	assert_string_equal(p_iso("20240307", false), "FAIL");
	assert_string_equal(p_iso("", true), "FAIL");
	assert_string_equal(p_iso("   ", true), "FAIL");
	assert_string_equal(p_iso(NULL, true), "FAIL");
	/* partial */
	assert_string_equal(p_iso("2024-03", false), "FAIL");
	assert_string_equal(p_iso("2024", false), "FAIL");
	assert_string_equal(p_iso("2024-03", true), "2024-03");
	assert_string_equal(p_iso("2024", true), "2024");
	assert_string_equal(p_iso("2024-13", true), "FAIL");
	assert_string_equal(p_iso("2024-00", true), "FAIL");
	assert_string_equal(p_iso("0000", true), "FAIL");
	assert_string_equal(p_iso("202", true), "FAIL");

	crf_date d = { 0, 0, 0 };
	assert_true(date_parse_iso("2024-03", true, &d));
	assert_int_equal(d.y, 2024);
	assert_int_equal(d.m, 3);
	assert_int_equal(d.d, 0);
	assert_int_equal(date_precision(d), DATE_MONTH);
}

static void
test_parse_input(void **state)
{
	(void)state;
	assert_string_equal(p_in("2024-03-07", false, NULL), "2024-03-07");
	assert_string_equal(p_in("20240307", false, NULL), "2024-03-07");
	assert_string_equal(p_in(" 20240307 ", false, NULL), "2024-03-07");
	assert_string_equal(p_in("20230229", false, NULL), "FAIL");
	assert_string_equal(p_in("202403", false, NULL), "FAIL");
	assert_string_equal(p_in("202403", true, NULL), "2024-03");
	assert_string_equal(p_in("2024", true, NULL), "2024");
	assert_string_equal(p_in("202413", true, NULL), "FAIL");
	assert_string_equal(p_in("2024031", false, NULL), "FAIL");
	/* DDMONYYYY */
	assert_string_equal(p_in("07MAR2024", false, NULL), "2024-03-07");
	assert_string_equal(p_in("07mar2024", false, NULL), "2024-03-07");
	assert_string_equal(p_in("7Mar2024", false, NULL), "2024-03-07");
	assert_string_equal(p_in("07-MAR-2024", false, NULL), "2024-03-07");
	assert_string_equal(p_in("07 Mar 2024", false, NULL), "2024-03-07");
	assert_string_equal(p_in("31DEC1999", false, NULL), "1999-12-31");
	assert_string_equal(p_in("01JAN2000", false, NULL), "2000-01-01");
	assert_string_equal(p_in("29FEB2024", false, NULL), "2024-02-29");
	assert_string_equal(p_in("29FEB2023", false, NULL), "FAIL");
	assert_string_equal(p_in("31FEB2024", false, NULL), "FAIL");
	assert_string_equal(p_in("07XYZ2024", false, NULL), "FAIL");
	assert_string_equal(p_in("07MAR24", false, NULL), "FAIL");
	assert_string_equal(p_in("MAR2024", false, NULL), "FAIL");
	assert_string_equal(p_in("MAR2024", true, NULL), "2024-03");
	assert_string_equal(p_in("00MAR2024", false, NULL), "FAIL");
	/* display formats */
	assert_string_equal(p_in("07/03/2024", false, "DD/MM/YYYY"), "2024-03-07");
	assert_string_equal(p_in("7/3/2024", false, "DD/MM/YYYY"), "2024-03-07");
	assert_string_equal(p_in("07/03/2024", false, "MM/DD/YYYY"), "2024-07-03");
	assert_string_equal(p_in("07.03.2024", false, "DD.MM.YYYY"), "2024-03-07");
	assert_string_equal(p_in("07/03/2024", false, "DD.MM.YYYY"), "FAIL");
	assert_string_equal(p_in("07/03/2024", false, NULL), "FAIL");
	assert_string_equal(p_in("07/03/2024", false, "YYYY-MM-DD"), "FAIL");
	assert_string_equal(p_in("13/25/2024", false, "MM/DD/YYYY"), "FAIL");
	assert_string_equal(p_in("30/02/2023", false, "DD/MM/YYYY"), "FAIL");
	assert_string_equal(p_in("03/2024", false, "DD/MM/YYYY"), "FAIL");
	assert_string_equal(p_in("03/2024", true, "DD/MM/YYYY"), "2024-03");
	assert_string_equal(p_in("03/2024", true, "MM/DD/YYYY"), "2024-03");
	assert_string_equal(p_in("13/2024", true, "DD/MM/YYYY"), "FAIL");
	assert_string_equal(p_in("03.2024", true, "DD.MM.YYYY"), "2024-03");
	/* ISO is always accepted */
	assert_string_equal(p_in("2024-03-07", false, "MM/DD/YYYY"), "2024-03-07");
	assert_string_equal(p_in("tomorrow", true, "DD/MM/YYYY"), "FAIL");
	assert_string_equal(p_in("", true, NULL), "FAIL");
	assert_string_equal(p_in(NULL, true, NULL), "FAIL");
}

static void
test_format(void **state)
{
	char buf[32];

	(void)state;
	date_format_iso(ymd(2024, 3, 7), buf, sizeof buf);
	assert_string_equal(buf, "2024-03-07");
	date_format_iso(ymd(2024, 3, 0), buf, sizeof buf);
	assert_string_equal(buf, "2024-03");
	date_format_iso(ymd(2024, 0, 0), buf, sizeof buf);
	assert_string_equal(buf, "2024");
	date_format_iso(ymd(0, 0, 0), buf, sizeof buf);
	assert_string_equal(buf, "");
	date_format_iso(ymd(33, 1, 2), buf, sizeof buf);
	assert_string_equal(buf, "0033-01-02");

	date_format_display(ymd(2024, 3, 7), "DD/MM/YYYY", buf, sizeof buf);
	assert_string_equal(buf, "07/03/2024");
	date_format_display(ymd(2024, 3, 7), "MM/DD/YYYY", buf, sizeof buf);
	assert_string_equal(buf, "03/07/2024");
	date_format_display(ymd(2024, 3, 7), "DD.MM.YYYY", buf, sizeof buf);
	assert_string_equal(buf, "07.03.2024");
	date_format_display(ymd(2024, 3, 7), "YYYY-MM-DD", buf, sizeof buf);
	assert_string_equal(buf, "2024-03-07");
	date_format_display(ymd(2024, 3, 7), NULL, buf, sizeof buf);
	assert_string_equal(buf, "2024-03-07");
	date_format_display(ymd(2024, 3, 0), "DD/MM/YYYY", buf, sizeof buf);
	assert_string_equal(buf, "03/2024");
	date_format_display(ymd(2024, 3, 0), "DD.MM.YYYY", buf, sizeof buf);
	assert_string_equal(buf, "03.2024");
	date_format_display(ymd(2024, 0, 0), "MM/DD/YYYY", buf, sizeof buf);
	assert_string_equal(buf, "2024");
	date_format_display(ymd(0, 0, 0), "MM/DD/YYYY", buf, sizeof buf);
	assert_string_equal(buf, "");

	/* truncation never overruns */
	memset(buf, 'x', sizeof buf);
	date_format_iso(ymd(2024, 3, 7), buf, 5);
	assert_string_equal(buf, "2024");
	assert_int_equal(buf[5], 'x');
}

static void
test_days(void **state)
{
	(void)state;
	assert_int_equal(date_to_days(ymd(1970, 1, 1)), 0);
	assert_int_equal(date_to_days(ymd(1969, 12, 31)), -1);
	assert_int_equal(date_to_days(ymd(2000, 3, 1)), 11017);
	assert_int_equal(date_to_days(ymd(2024, 2, 29)), 19782);
	assert_int_equal(date_to_days(ymd(1900, 3, 1)), -25508);
	assert_int_equal(date_to_days(ymd(1, 1, 1)), -719162);
	assert_int_equal(date_to_days(ymd(9999, 12, 31)), 2932896);
	assert_string_equal(iso(date_from_days(0)), "1970-01-01");
	assert_string_equal(iso(date_from_days(11017)), "2000-03-01");
	assert_string_equal(iso(date_from_days(11016)), "2000-02-29");
	assert_string_equal(iso(date_from_days(-719162)), "0001-01-01");
	assert_string_equal(iso(date_from_days(2932896)), "9999-12-31");
	assert_int_equal(date_from_days(2932897).y, 0);
	assert_int_equal(date_from_days(-719163).y, 0);
}

/* Every day from 0001-01-01 to 9999-12-31: a valid date, one after the other. */
static void
test_days_roundtrip(void **state)
{
	crf_date prev = date_from_days(-719162);

	(void)state;
	for (long n = -719161; n <= 2932896; n++) {
		crf_date d = date_from_days(n);

		if (!date_valid_ymd(d.y, d.m, d.d) || date_to_days(d) != n)
			fail_msg("day %ld gives %d-%d-%d", n, d.y, d.m, d.d);
		if (d.d == 1) {
			if (d.m == 1 ? (prev.y != d.y - 1 || prev.m != 12 || prev.d != 31)
			    : (prev.y != d.y || prev.m != d.m - 1 || prev.d < 28))
				fail_msg("%d-%d-%d after %d-%d-%d", d.y, d.m, d.d, prev.y, prev.m, prev.d);
		} else if (prev.y != d.y || prev.m != d.m || prev.d != d.d - 1) {
			fail_msg("%d-%d-%d after %d-%d-%d", d.y, d.m, d.d, prev.y, prev.m, prev.d);
		}
		prev = d;
	}
}

static void
test_add_days(void **state)
{
	(void)state;
	assert_string_equal(iso(date_add_days(ymd(2024, 2, 28), 1)), "2024-02-29");
	assert_string_equal(iso(date_add_days(ymd(2024, 2, 28), 2)), "2024-03-01");
	assert_string_equal(iso(date_add_days(ymd(2023, 2, 28), 1)), "2023-03-01");
	assert_string_equal(iso(date_add_days(ymd(1900, 2, 28), 1)), "1900-03-01");
	assert_string_equal(iso(date_add_days(ymd(2000, 2, 28), 1)), "2000-02-29");
	assert_string_equal(iso(date_add_days(ymd(2023, 12, 31), 1)), "2024-01-01");
	assert_string_equal(iso(date_add_days(ymd(2024, 3, 1), -1)), "2024-02-29");
	assert_string_equal(iso(date_add_days(ymd(2024, 1, 1), 365)), "2024-12-31");
	assert_string_equal(iso(date_add_days(ymd(2023, 1, 1), 365)), "2024-01-01");
	assert_string_equal(iso(date_add_days(ymd(2024, 3, 7), 0)), "2024-03-07");
	assert_string_equal(iso(date_add_days(ymd(2024, 3, 7), -10000)), "1996-10-20");
}

static void
test_diff(void **state)
{
	(void)state;
	assert_int_equal(date_diff_days(ymd(2024, 1, 1), ymd(2024, 3, 1)), 60);
	assert_int_equal(date_diff_days(ymd(2023, 1, 1), ymd(2023, 3, 1)), 59);
	assert_int_equal(date_diff_days(ymd(2024, 3, 1), ymd(2024, 1, 1)), -60);
	assert_int_equal(date_diff_days(ymd(2024, 3, 7), ymd(2024, 3, 7)), 0);

	/* the 29th of February and its anniversaries */
	assert_int_equal(date_diff_years(ymd(2000, 2, 29), ymd(2001, 2, 28)), 0);
	assert_int_equal(date_diff_years(ymd(2000, 2, 29), ymd(2001, 3, 1)), 1);
	assert_int_equal(date_diff_years(ymd(2000, 2, 29), ymd(2004, 2, 28)), 3);
	assert_int_equal(date_diff_years(ymd(2000, 2, 29), ymd(2004, 2, 29)), 4);
	assert_int_equal(date_diff_months(ymd(2000, 2, 29), ymd(2000, 3, 28)), 0);
	assert_int_equal(date_diff_months(ymd(2000, 2, 29), ymd(2000, 3, 29)), 1);
	/* month ends */
	assert_int_equal(date_diff_months(ymd(2024, 1, 31), ymd(2024, 2, 29)), 0);
	assert_int_equal(date_diff_months(ymd(2024, 1, 31), ymd(2024, 3, 1)), 1);
	assert_int_equal(date_diff_months(ymd(2024, 1, 31), ymd(2024, 3, 30)), 1);
	assert_int_equal(date_diff_months(ymd(2024, 1, 31), ymd(2024, 3, 31)), 2);
	assert_int_equal(date_diff_months(ymd(2024, 1, 1), ymd(2024, 1, 31)), 0);
	assert_int_equal(date_diff_months(ymd(2023, 12, 15), ymd(2024, 1, 15)), 1);
	assert_int_equal(date_diff_months(ymd(2023, 12, 15), ymd(2024, 1, 14)), 0);
	assert_int_equal(date_diff_months(ymd(2020, 5, 10), ymd(2024, 5, 10)), 48);
	/* age */
	assert_int_equal(date_diff_years(ymd(1990, 6, 15), ymd(2024, 6, 14)), 33);
	assert_int_equal(date_diff_years(ymd(1990, 6, 15), ymd(2024, 6, 15)), 34);
	assert_int_equal(date_diff_years(ymd(1990, 6, 15), ymd(1990, 6, 15)), 0);
	assert_int_equal(date_diff_years(ymd(1990, 12, 31), ymd(1991, 1, 1)), 0);
	/* backwards is the negative of forwards */
	assert_int_equal(date_diff_years(ymd(2001, 3, 1), ymd(2000, 2, 29)), -1);
	assert_int_equal(date_diff_years(ymd(2001, 2, 28), ymd(2000, 2, 29)), 0);
	assert_int_equal(date_diff_months(ymd(2024, 3, 1), ymd(2024, 1, 31)), -1);
	assert_int_equal(date_diff_months(ymd(2024, 3, 15), ymd(2024, 1, 20)), -1);
}

static void
test_cmp(void **state)
{
	(void)state;
	assert_int_equal(date_cmp(ymd(2024, 3, 7), ymd(2024, 3, 7)), 0);
	assert_int_equal(date_cmp(ymd(2024, 3, 7), ymd(2024, 3, 8)), -1);
	assert_int_equal(date_cmp(ymd(2024, 3, 8), ymd(2024, 3, 7)), 1);
	assert_int_equal(date_cmp(ymd(2024, 2, 28), ymd(2024, 3, 1)), -1);
	assert_int_equal(date_cmp(ymd(2023, 12, 31), ymd(2024, 1, 1)), -1);
	/* common precision */
	assert_int_equal(date_cmp(ymd(2024, 3, 0), ymd(2024, 3, 7)), 0);
	assert_int_equal(date_cmp(ymd(2024, 3, 7), ymd(2024, 3, 0)), 0);
	assert_int_equal(date_cmp(ymd(2024, 3, 0), ymd(2024, 4, 1)), -1);
	assert_int_equal(date_cmp(ymd(2024, 3, 0), ymd(2024, 2, 29)), 1);
	assert_int_equal(date_cmp(ymd(2024, 0, 0), ymd(2024, 12, 31)), 0);
	assert_int_equal(date_cmp(ymd(2024, 0, 0), ymd(2025, 1, 1)), -1);
	assert_int_equal(date_cmp(ymd(2024, 0, 0), ymd(2023, 0, 0)), 1);
}

static int
tparse(const char *s)
{
	int m = -99;

	return time_parse(s, &m) ? m : -1;
}

static void
test_time(void **state)
{
	char buf[16];

	(void)state;
	assert_int_equal(tparse("14:30"), 870);
	assert_int_equal(tparse("1430"), 870);
	assert_int_equal(tparse("9:05"), 545);
	assert_int_equal(tparse("09:05"), 545);
	assert_int_equal(tparse(" 07:15 "), 435);
	assert_int_equal(tparse("00:00"), 0);
	assert_int_equal(tparse("0000"), 0);
	assert_int_equal(tparse("23:59"), 1439);
	assert_int_equal(tparse("24:00"), -1);
	assert_int_equal(tparse("2400"), -1);
	assert_int_equal(tparse("12:60"), -1);
	assert_int_equal(tparse("12:5"), -1);
	assert_int_equal(tparse("123:00"), -1);
	assert_int_equal(tparse("930"), -1);
	assert_int_equal(tparse("7"), -1);
	assert_int_equal(tparse("2pm"), -1);
	assert_int_equal(tparse("ab:cd"), -1);
	assert_int_equal(tparse("14:30:00"), -1);
	assert_int_equal(tparse(""), -1);
	assert_int_equal(tparse(NULL), -1);

	time_format(870, buf, sizeof buf);
	assert_string_equal(buf, "14:30");
	time_format(5, buf, sizeof buf);
	assert_string_equal(buf, "00:05");
	time_format(1439, buf, sizeof buf);
	assert_string_equal(buf, "23:59");
	time_format(1440, buf, sizeof buf);
	assert_string_equal(buf, "");
	time_format(-1, buf, sizeof buf);
	assert_string_equal(buf, "");
}

static void
set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static void
test_clock_override(void **state)
{
	crf_date d;

	(void)state;
	set_tz("UTC0");
	setenv("CRF_NOW", "2026-01-15T09:30:00Z", 1);
	assert_int_equal((long long)clock_now(), 1768469400LL);
	d = clock_today();
	assert_string_equal(iso(d), "2026-01-15");

	/* local date differs from the UTC date */
	set_tz("CST-8");
	setenv("CRF_NOW", "2026-01-15T20:00:00Z", 1);
	assert_string_equal(iso(clock_today()), "2026-01-16");
	set_tz("EST5");
	setenv("CRF_NOW", "2026-01-15T03:00:00Z", 1);
	assert_string_equal(iso(clock_today()), "2026-01-14");

	/* leap day and seconds */
	set_tz("UTC0");
	setenv("CRF_NOW", "2024-02-29T23:59:59Z", 1);
	assert_string_equal(iso(clock_today()), "2024-02-29");
	assert_int_equal((long long)clock_now() % 86400, 86399);

	/* not a valid instant: the system clock */
	setenv("CRF_NOW", "yesterday", 1);
	time_t before = time(NULL);
	time_t now = clock_now();
	assert_true(now >= before && now <= time(NULL));
	setenv("CRF_NOW", "2026-02-30T00:00:00Z", 1);
	assert_true(clock_now() >= before);

	unsetenv("CRF_NOW");
	now = clock_now();
	assert_true(now >= before && now <= time(NULL));
}

static void
test_clock_stamp(void **state)
{
	char utc[32], off[16];
	time_t t = 1768469400;   /* 2026-01-15T09:30:00Z */

	(void)state;
	set_tz("CST-8");
	clock_stamp(t, utc, sizeof utc, off, sizeof off);
	assert_string_equal(utc, "2026-01-15T09:30:00Z");
	assert_string_equal(off, "+08:00");
	set_tz("EST5");
	clock_stamp(t, utc, sizeof utc, off, sizeof off);
	assert_string_equal(utc, "2026-01-15T09:30:00Z");
	assert_string_equal(off, "-05:00");
	set_tz("IST-5:30");
	clock_stamp(t, utc, sizeof utc, off, sizeof off);
	assert_string_equal(off, "+05:30");
	set_tz("NST3:30");
	clock_stamp(t, utc, sizeof utc, off, sizeof off);
	assert_string_equal(off, "-03:30");
	set_tz("UTC0");
	clock_stamp(t, utc, sizeof utc, off, sizeof off);
	assert_string_equal(off, "+00:00");
	clock_stamp(0, utc, sizeof utc, off, sizeof off);
	assert_string_equal(utc, "1970-01-01T00:00:00Z");

	/* CRF_NOW round trip through the stamp */
	setenv("CRF_NOW", "2031-07-04T12:00:05Z", 1);
	clock_stamp(clock_now(), utc, sizeof utc, off, sizeof off);
	assert_string_equal(utc, "2031-07-04T12:00:05Z");
	unsetenv("CRF_NOW");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precision),
		cmocka_unit_test(test_valid_ymd),
		cmocka_unit_test(test_parse_iso),
		cmocka_unit_test(test_parse_input),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_days_roundtrip),
		cmocka_unit_test(test_add_days),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_cmp),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_clock_override),
		cmocka_unit_test(test_clock_stamp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
