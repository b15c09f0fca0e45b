/* test_chart.c - text charts: exact lines of small hand-made charts, in
 * UTF-8 and in ASCII, worked out by hand from the mapping rules of
 * chart.h (row = round((top - y) / range * (rows - 1)), column likewise). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "crf/chart.h"
#include "crf/util.h"

static void
expect_lines(const chart_lines *l, const char *const *want, size_t n)
{
	bool same = l->n == n;

	for (size_t i = 0; same && i < n; i++)
		same = strcmp(l->line[i], want[i]) == 0;
	if (!same) {
		for (size_t i = 0; i < l->n; i++)
			print_message("got  |%s|\n", l->line[i]);
		for (size_t i = 0; i < n; i++)
			print_message("want |%s|\n", want[i]);
		fail();
	}
}

/*
 * 30 x 8: title, 4 plot rows (y 0..4: 4 -> row 0, 3 -> 1, 2 and 1 -> 2,
 * 0 -> 3), axis, labels, legend.  1 is below the reference line at 2, so
 * it goes a row down, to row 3.  Labels "0", "2", "4": 1 column, so 27
 * plot columns; x 0..10 -> column x * 2.6.  Step (0,1) (5,3) (10,3) with
 * marks, a reference line at 2 under it.  x ticks every 2 (the first step
 * whose labels are 5 columns apart); "10" ends at the edge, no room for
 * "days".
 */
static const double sx[] = { 0, 5, 10 }, sy[] = { 1, 3, 3 }, ticks[] = { 0, 2, 4 };

static chart
small_chart(bool utf8)
{
	static chart_series s = { "s", sx, sy, 3, CHART_STEP, "●", 'o' };
	static chart_hline h = { 2, "ref", NULL, 0 };
	chart c = {
		.width = 30, .height = 8, .utf8 = utf8, .title = "T", .x_name = "days",
		.x_min = 0, .x_max = 10, .y_min = 0, .y_max = 4, .y_ticks = ticks,
		.ny_ticks = 3, .y_decimals = 0, .series = &s, .nseries = 1,
		.hlines = &h, .nhlines = 1,
	};

	return c;
}

static void
test_render_utf8(void **state)
{
	static const char *const want[] = {
		"T",
		"4 ┤",
		"  │             ●────────────●",
		"2 ┤┄┄┄┄┄┄┄┄┄┄┄┄┄│┄┄┄┄┄┄┄┄┄┄┄┄┄",
		"0 ┤●────────────┘",
		"  └┬────┬────┬─────┬────┬────┬",
		"   0    2    4     6    8   10",
		"● s  ┄┄ ref",
	};
	chart c = small_chart(true);
	chart_lines l;
	crf_err e;

	(void)state;
	assert_int_equal(chart_render(&c, &l, &e), CRF_OK);
	expect_lines(&l, want, 8);
	chart_lines_free(&l);
}

static void
test_render_ascii(void **state)
{
	static const char *const want[] = {
		"T",
		"4 +",
		"  |             o------------o",
		"2 +.............|.............",
		"0 +o------------+",
		"  ++----+----+-----+----+----+",
		"   0    2    4     6    8   10",
		"o s  .. ref",
	};
	chart c = small_chart(false);
	chart_lines l;
	crf_err e;

	(void)state;
	assert_int_equal(chart_render(&c, &l, &e), CRF_OK);
	expect_lines(&l, want, 8);
	chart_lines_free(&l);
}

/* Text a non-UTF-8 terminal cannot show is replaced; nothing is wider
 * than the chart; a chart too small for its plot is refused. */
static void
test_render_text_and_limits(void **state)
{
	static chart_series s = { "≥ 5 ×", sx, sy, 3, CHART_POINTS, NULL, 0 };
	chart c = small_chart(false);
	chart_lines l;
	crf_err e;

	(void)state;
	c.title = "Title that is much longer than thirty columns";
	c.series = &s;
	c.nhlines = 0;
	assert_int_equal(chart_render(&c, &l, &e), CRF_OK);
	assert_int_equal(l.n, 8);
	assert_string_equal(l.line[0], "Title that is much longer than");
	assert_string_equal(l.line[7], "* >= 5 x");
	assert_string_equal(l.line[2], "  |             *            *");
	chart_lines_free(&l);

	c.height = 4;
	assert_int_equal(chart_render(&c, &l, &e), CRF_EINVAL);
	assert_int_equal(l.n, 0);
	assert_string_equal(e.msg, "a chart 4 lines high has no room for its plot");
	c.height = 8;
	c.width = 12;
	assert_int_equal(chart_render(&c, &l, &e), CRF_EINVAL);
	c.width = 30;
	c.x_max = 0;
	assert_int_equal(chart_render(&c, &l, &e), CRF_EINVAL);
}

/*
 * EDSS 4.0 on day 91, 5.0 on days 182 and 365; baseline 4.0, progression
 * at 5.0.  40 x 10: the legend takes 2 lines, so 5 plot rows; half steps
 * per row, centred on 4.0..5.0: 5.5 5.0 4.5 4.0 3.5.  35 columns for days
 * 0..365: day 91 -> 8, 182 -> 17, 365 -> 34.  Ticks every 100 days.
 */
static const edss_exam exams[] = { { 365, 50 }, { 91, 40 }, { 182, 50 }, { -40, 40 } };

static void
test_edss(void **state)
{
	static const char *const ascii[] = {
		"EDSS",
		"    |",
		"5.0 +=================o----------------o",
		"    |                 |",
		"4.0 +........o--------+.................",
		"    |",
		"    ++--------+---------+--------+------",
		"     0       100       200      300",
		"o EDSS  .. baseline 4.0",
		"== progression at 5.0",
	};
	static const char *const utf8[] = {
		"EDSS",
		"    │",
		"5.0 ┤═════════════════●────────────────●",
		"    │                 │",
		"4.0 ┤┄┄┄┄┄┄┄┄●────────┘┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄",
		"    │",
		"    └┬────────┬─────────┬────────┬──────",
		"     0       100       200      300",
		"● EDSS  ┄┄ baseline 4.0",
		"══ progression at 5.0",
	};
	chart_lines l;
	crf_err e;

	(void)state;
	assert_int_equal(chart_edss(exams, 4, 40, 50, 0, 365, 40, 10, false, &l, &e), CRF_OK);
	expect_lines(&l, ascii, 10);
	chart_lines_free(&l);
	assert_int_equal(chart_edss(exams, 4, 40, 50, 0, 365, 40, 10, true, &l, &e), CRF_OK);
	expect_lines(&l, utf8, 10);
	chart_lines_free(&l);
}

/*
 * Kaplan-Meier of 4 subjects: an event on day 200, censored on days 400,
 * 800 and 1100.  S = 0.75 from day 200.  40 x 10, no title: 7 plot rows
 * (1 -> row 0, 0.75 -> 2, 0.5 -> 3, 0.25 -> 5, 0 -> 6); 34 columns for
 * days 0..1100: 200 -> 6, 365 -> 11, 400 -> 12, 730 -> 22, 800 -> 24,
 * 1095 and 1100 -> 33.
 */
static void
test_km(void **state)
{
	static const km_obs obs[] = { { 800, false }, { 200, true }, { 1100, false },
	    { 400, false } };
	static const char *const utf8[] = {
		"1.00 ┤──────┐    ┆          ┆          ┆",
		"     │      │    ┆          ┆          ┆",
		"0.75 ┤      └─────+───────────+────────+",
		"0.50 ┤           ┆          ┆          ┆",
		"     │           ┆          ┆          ┆",
		"0.25 ┤           ┆          ┆          ┆",
		"0.00 ┤           ┆          ┆          ┆",
		"     └┬──────────┬──────────┬──────────┬",
		"      0         365        730      1095",
		"─ MAFS  + censored  ┆ 1, 2 and 3 years",
	};
	static const char *const ascii[] = {
		"1.00 +------+    :          :          :",
		"     |      |    :          :          :",
		"0.75 +      +-----x-----------x--------x",
		"0.50 +           :          :          :",
		"     |           :          :          :",
		"0.25 +           :          :          :",
		"0.00 +           :          :          :",
		"     ++----------+----------+----------+",
		"      0         365        730      1095",
		"- MAFS  x censored  : 1, 2 and 3 years",
	};
	km_curve k;
	chart_lines l;
	crf_err e;

	(void)state;
	assert_int_equal(km_fit(obs, 4, KM_CI_PLAIN, &k, &e), CRF_OK);
	assert_int_equal(chart_km(&k, NULL, "MAFS", 40, 10, true, &l, &e), CRF_OK);
	expect_lines(&l, utf8, 10);
	chart_lines_free(&l);
	assert_int_equal(chart_km(&k, NULL, "MAFS", 40, 10, false, &l, &e), CRF_OK);
	expect_lines(&l, ascii, 10);
	chart_lines_free(&l);
	km_free(&k);
}

/* Daily counts after day 0 against the threshold, with transfusions. */
static void
test_counts(void **state)
{
	static const cbc_day days[] = {
		{ -1, 3.0, 100, true },      /* before day 0: not drawn */
		{ 0, 0.2, 30, false },
		{ 2, 0.1, 8, true },
		{ 4, OUTCOME_MISSING, OUTCOME_MISSING, true },
		{ 6, 0.4, 25, false },
		{ 8, 0.9, 40, false },
		{ 10, 1.2, 60, false },
	};
	/*
	 * 40 x 12; the legend takes 2 lines: 7 plot rows.  y from 0 (the
	 * first 1-2-5 row step whose 6 rows reach 60 is 10): 60 50 ... 0,
	 * labelled at the top, the bottom and the threshold 20.  36 columns
	 * for days 0..10: day d -> 3.5 d.  The transfusion of day 2 is drawn
	 * over its count (8 -> row 5); day 4 has no count: bottom row.
	 */
	static const char *const plt[] = {
		"Platelets (x10^9/L) after day 0",
		"60 +                                   *",
		"   |",
		"   |                            *",
		"   |*",
		"20 +.....................*..............",
		"   |       T",
		" 0 +              T",
		"   ++------+------+------+------+------+",
		"    0      2      4      6      8     10",
		"* platelets  T platelet transfusion",
		".. engraftment 20",
	};
	/*
	 * Neutrophils, UTF-8: one legend line, 8 rows; 0..1.2 needs 0.2 a
	 * row: 1.4 1.2 ... 0.  3 label columns ("1.4"), 35 plot columns: day
	 * d -> 3.4 d.  The threshold 0.5 falls on row 4.5 -> 5; 0.4 rounds to
	 * that row too but is below the threshold: row 6.  0.1 -> row 6.5 -> 7.
	 */
	static const char *const anc[] = {
		"Neutrophils (×10⁹/L) after day 0",
		"1.4 ┤",
		"    │                                  ●",
		"    │",
		"    │                           ●",
		"    │",
		"0.5 ┤┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄",
		"    │●                   ●",
		"0.0 ┤       ●",
		"    └┬──────┬──────┬─────┬──────┬──────┬",
		"     0      2      4     6      8     10",
		"● neutrophils  ┄┄ engraftment 0.5",
	};
	chart_lines l;
	crf_err e;

	(void)state;
	assert_int_equal(chart_counts(days, 7, true, 20, 10, 40, 12, false, &l, &e), CRF_OK);
	expect_lines(&l, plt, 12);
	chart_lines_free(&l);
	assert_int_equal(chart_counts(days, 7, false, 0.5, 10, 40, 12, true, &l, &e), CRF_OK);
	expect_lines(&l, anc, 12);
	chart_lines_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_utf8),
		cmocka_unit_test(test_render_ascii),
		cmocka_unit_test(test_render_text_and_limits),
		cmocka_unit_test(test_edss),
		cmocka_unit_test(test_km),
		cmocka_unit_test(test_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
