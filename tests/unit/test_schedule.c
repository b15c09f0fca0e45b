/* test_schedule.c - statuses, the form index, the current event, the next
 * visit due and log entry labels, against the fixture study. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "crf/schedule.h"
#include "crf/util.h"

static study_def *sd;

static int
setup(void **state)
{
	formdef_diags d = {0};

	(void)state;
	if (formdef_load("tests/fixtures/study", &sd, &d) != CRF_OK) {
		for (size_t i = 0; i < d.n; i++)
			print_message("%s:%d: %s\n", d.items[i].file, d.items[i].line, d.items[i].msg);
		formdef_diags_free(&d);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	formdef_free(sd);
	return 0;
}

/* Rows as the store gives them, in an order the index must not rely on. */
typedef struct row_spec {
	const char *event;
	int erep;
	const char *form;
	int frep;
	form_status status;
} row_spec;

static void
index_of(form_index *ix, const row_spec *spec, size_t n)
{
	form_row *rows = n ? xcalloc(n, sizeof *rows) : NULL;

	for (size_t i = 0; i < n; i++) {
		rows[i].event = xstrdup(spec[i].event);
		rows[i].event_repeat = spec[i].erep;
		rows[i].form = xstrdup(spec[i].form);
		rows[i].form_repeat = spec[i].frep;
		rows[i].status = spec[i].status;
		rows[i].version = 1;
		rows[i].updated_at = xstrdup("2026-11-01T08:00:00Z");
	}
	form_index_init(ix, rows, n);
}

static crf_date
day(int y, int m, int d)
{
	crf_date r = { y, m, d };
	return r;
}

static void
test_index_lookup(void **state)
{
	static const row_spec spec[] = {
		{ "uns", 2, "vs", 1, FORM_INCOMPLETE },
		{ "scr", 1, "vs", 1, FORM_COMPLETE },
		{ "", 0, "ae", 2, FORM_INCOMPLETE },
		{ "scr", 1, "dm", 1, FORM_INCOMPLETE },
		{ "", 0, "ae", 1, FORM_COMPLETE },
		{ "", 0, "aph", 1, FORM_COMPLETE },
		{ "uns", 1, "vs", 1, FORM_COMPLETE },
		{ "", 0, "ae", 3, FORM_COMPLETE },
	};
	form_index ix;
	const form_row *r;
	size_t n;

	(void)state;
	index_of(&ix, spec, sizeof spec / sizeof spec[0]);
	assert_int_equal(form_index_status(&ix, "scr", 1, "dm", 1), FORM_INCOMPLETE);
	assert_int_equal(form_index_status(&ix, "scr", 1, "vs", 1), FORM_COMPLETE);
	assert_int_equal(form_index_status(&ix, "fu30", 1, "vs", 1), FORM_NOT_STARTED);
	assert_int_equal(form_index_status(&ix, "scr", 2, "dm", 1), FORM_NOT_STARTED);
	assert_int_equal(form_index_status(&ix, "uns", 2, "vs", 1), FORM_INCOMPLETE);
	assert_int_equal(form_index_status(&ix, "", 0, "ae", 2), FORM_INCOMPLETE);

	assert_true(form_index_event_started(&ix, "scr", 1));
	assert_true(form_index_event_started(&ix, "uns", 2));
	assert_false(form_index_event_started(&ix, "uns", 3));
	assert_false(form_index_event_started(&ix, "d0", 1));

	assert_int_equal(form_index_event_repeats(&ix, "uns"), 2);
	assert_int_equal(form_index_event_repeats(&ix, "scr"), 1);
	assert_int_equal(form_index_event_repeats(&ix, "fu30"), 0);

	r = form_index_log(&ix, "ae", &n);
	assert_int_equal(n, 3);
	assert_non_null(r);
	assert_int_equal(r[0].form_repeat, 1);
	assert_int_equal(r[1].form_repeat, 2);
	assert_int_equal(r[2].form_repeat, 3);
	assert_int_equal(r[1].status, FORM_INCOMPLETE);
	r = form_index_log(&ix, "aph", &n);
	assert_int_equal(n, 1);
	assert_string_equal(r[0].form, "aph");
	r = form_index_log(&ix, "cm", &n);
	assert_null(r);
	assert_int_equal(n, 0);
	form_index_free(&ix);
}

static void
test_index_empty(void **state)
{
	form_index ix;
	size_t n = 9;

	(void)state;
	form_index_init(&ix, NULL, 0);
	assert_int_equal(form_index_status(&ix, "scr", 1, "dm", 1), FORM_NOT_STARTED);
	assert_false(form_index_event_started(&ix, "scr", 1));
	assert_int_equal(form_index_event_repeats(&ix, "uns"), 0);
	assert_null(form_index_log(&ix, "ae", &n));
	assert_int_equal(n, 0);
	assert_null(schedule_current(sd, &ix));
	form_index_free(&ix);
}

static void
test_window(void **state)
{
	event_window w;

	(void)state;
	assert_false(schedule_window(study_event(sd, "scr"), day(2026, 10, 1), &w));
	assert_false(schedule_window(study_event(sd, "fu30"), day(2026, 10, 0), &w));
	assert_true(schedule_window(study_event(sd, "d0"), day(2026, 10, 1), &w));
	assert_int_equal(date_cmp(w.target, day(2026, 10, 1)), 0);
	assert_int_equal(date_cmp(w.last, day(2026, 10, 1)), 0);
	assert_true(schedule_window(study_event(sd, "fu30"), day(2026, 12, 15), &w));
	assert_int_equal(date_cmp(w.target, day(2027, 1, 14)), 0);
	assert_int_equal(date_cmp(w.first, day(2027, 1, 7)), 0);
	assert_int_equal(date_cmp(w.last, day(2027, 1, 21)), 0);
}

static void
test_current(void **state)
{
	static const row_spec scr_only[] = { { "scr", 1, "dm", 1, FORM_COMPLETE } };
	static const row_spec uns_only[] = {
		{ "uns", 1, "vs", 1, FORM_COMPLETE },
		{ "", 0, "ae", 1, FORM_COMPLETE },
	};
	static const row_spec d0_and_uns[] = {
		{ "uns", 1, "vs", 1, FORM_COMPLETE },
		{ "scr", 1, "dm", 1, FORM_COMPLETE },
		{ "d0", 1, "inf", 1, FORM_INCOMPLETE },
	};
	static const row_spec logs_only[] = { { "", 0, "ae", 1, FORM_COMPLETE } };
	form_index ix;

	(void)state;
	index_of(&ix, scr_only, 1);
	assert_ptr_equal(schedule_current(sd, &ix), study_event(sd, "scr"));
	form_index_free(&ix);
	index_of(&ix, uns_only, 2);
	assert_ptr_equal(schedule_current(sd, &ix), study_event(sd, "uns"));
	form_index_free(&ix);
	index_of(&ix, d0_and_uns, 3);
	assert_ptr_equal(schedule_current(sd, &ix), study_event(sd, "d0"));
	form_index_free(&ix);
	index_of(&ix, logs_only, 1);
	assert_null(schedule_current(sd, &ix));
	form_index_free(&ix);
}

static void
test_next_due(void **state)
{
	static const row_spec at_d0[] = {
		{ "scr", 1, "dm", 1, FORM_COMPLETE },
		{ "d0", 1, "inf", 1, FORM_COMPLETE },
		{ "uns", 1, "vs", 1, FORM_COMPLETE },
	};
	static const row_spec at_fu30[] = {
		{ "d0", 1, "inf", 1, FORM_COMPLETE },
		{ "fu30", 1, "fu", 1, FORM_INCOMPLETE },
	};
	static const row_spec at_scr[] = { { "scr", 1, "dm", 1, FORM_COMPLETE } };
	crf_date d0 = day(2026, 10, 1);
	form_index ix;
	visit_due v;

	(void)state;
	index_of(&ix, at_d0, 3);
	assert_true(schedule_next_due(sd, &ix, d0, day(2026, 10, 20), &v));
	assert_ptr_equal(v.event, study_event(sd, "fu30"));
	assert_int_equal(date_cmp(v.win.target, day(2026, 10, 31)), 0);
	assert_int_equal(date_cmp(v.win.first, day(2026, 10, 24)), 0);
	assert_int_equal(date_cmp(v.win.last, day(2026, 11, 7)), 0);
	assert_false(v.overdue);
	/* The last day of the window is still in time; the day after is not. */
	assert_true(schedule_next_due(sd, &ix, d0, day(2026, 11, 7), &v));
	assert_false(v.overdue);
	assert_true(schedule_next_due(sd, &ix, d0, day(2026, 11, 8), &v));
	assert_true(v.overdue);
	/* Without a complete day 0 nothing can be dated. */
	assert_false(schedule_next_due(sd, &ix, day(2026, 10, 0), day(2026, 11, 8), &v));
	assert_null(v.event);
	form_index_free(&ix);

	index_of(&ix, at_fu30, 2);
	assert_false(schedule_next_due(sd, &ix, d0, day(2026, 11, 8), &v));
	form_index_free(&ix);

	/* Only screening saved: day 0 itself is the next dated visit. */
	index_of(&ix, at_scr, 1);
	assert_true(schedule_next_due(sd, &ix, d0, day(2026, 9, 20), &v));
	assert_ptr_equal(v.event, study_event(sd, "d0"));
	assert_false(v.overdue);
	form_index_free(&ix);
}

/* A visit against its window: due, overdue, done, early, late. */
static void
test_visit_window(void **state)
{
	static const row_spec done[] = { { "fu30", 1, "fu", 1, FORM_COMPLETE } };
	const event_def *fu30 = study_event(sd, "fu30"), *scr = study_event(sd, "scr");
	crf_date d0 = day(2026, 10, 1);
	form_index none, ix;
	visit_status v;

	(void)state;
	index_of(&none, NULL, 0);
	index_of(&ix, done, 1);
	assert_ptr_equal(fu30->visit_field, form_field(study_form(sd, "fu"), "visdat"));
	schedule_visit(fu30, 1, d0, &none, NULL, day(2026, 10, 23), &v);
	assert_int_equal(v.state, VISIT_NOT_YET);
	assert_string_equal(visit_state_word(&v), "not yet");
	schedule_visit(fu30, 1, d0, &none, NULL, day(2026, 10, 24), &v);
	assert_int_equal(v.state, VISIT_DUE);
	schedule_visit(fu30, 1, d0, &none, NULL, day(2026, 11, 8), &v);
	assert_int_equal(v.state, VISIT_OVERDUE);
	/* Saved without its visit date: done, date missing. */
	schedule_visit(fu30, 1, d0, &ix, NULL, day(2026, 11, 8), &v);
	assert_int_equal(v.state, VISIT_DONE_UNDATED);
	/* Done: in the window, 2 days early, 1 day late (allowed, flagged). */
	{
		static const char *const dates[] = { "2026-11-07", "2026-10-22", "2026-11-08" };
		static const visit_state want[] = { VISIT_DONE, VISIT_EARLY, VISIT_LATE };
		static const long out[] = { 0, 2, 1 };

		for (int i = 0; i < 3; i++) {
			subject_item it = { "fu30", 1, "fu", 1, "visdat", (char *)dates[i], NULL };
			casebook *cb = casebook_new(sd, &it, 1, day(2026, 12, 1));

			schedule_visit(fu30, 1, d0, &ix, cb, day(2026, 12, 1), &v);
			assert_int_equal(v.state, want[i]);
			assert_int_equal(v.days_out, out[i]);
			casebook_free(cb);
		}
		assert_string_equal(visit_state_word(&v), "late");
	}
	/* No day 0 yet, or no day at all: not scheduled. */
	schedule_visit(fu30, 1, day(2026, 10, 0), &none, NULL, day(2026, 11, 8), &v);
	assert_int_equal(v.state, VISIT_UNSCHEDULED);
	assert_false(v.has_window);
	schedule_visit(scr, 1, d0, &none, NULL, day(2026, 11, 8), &v);
	assert_int_equal(v.state, VISIT_UNSCHEDULED);
	assert_string_equal(visit_state_word(&v), "not done");
	form_index_free(&none);
	form_index_free(&ix);
}

static void
test_log_label(void **state)
{
	static const subject_item items[] = {
		{ "", 0, "ae", 1, "aeterm", "Headache", NULL },
		{ "", 0, "ae", 2, "aeser", "Y", NULL },
		{ "", 0, "aph", 1, "aphdat", "2026-10-03", NULL },
		{ "", 0, "aph", 2, "yield", "3.10", NULL },
	};
	casebook *cb = casebook_new(sd, items, sizeof items / sizeof items[0],
	    day(2026, 11, 25));
	const form_def *ae = study_form(sd, "ae"), *aph = study_form(sd, "aph");
	char buf[64], tiny[4];

	(void)state;
	schedule_log_label(cb, ae, 1, NULL, LANG_EN, buf, sizeof buf);
	assert_string_equal(buf, "Headache");
	schedule_log_label(cb, ae, 2, NULL, LANG_EN, buf, sizeof buf);
	assert_string_equal(buf, "Yes");
	schedule_log_label(cb, ae, 3, NULL, LANG_EN, buf, sizeof buf);
	assert_string_equal(buf, "");
	schedule_log_label(cb, aph, 1, "DD/MM/YYYY", LANG_EN, buf, sizeof buf);
	assert_string_equal(buf, "03/10/2026");
	schedule_log_label(cb, aph, 2, NULL, LANG_EN, buf, sizeof buf);
	assert_string_equal(buf, "3.10");
	schedule_log_label(cb, ae, 1, NULL, LANG_EN, tiny, sizeof tiny);
	assert_string_equal(tiny, "Hea");
	schedule_log_label(NULL, ae, 1, NULL, LANG_EN, buf, sizeof buf);
	assert_string_equal(buf, "");
	casebook_free(cb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_lookup),
		cmocka_unit_test(test_index_empty),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_current),
		cmocka_unit_test(test_next_due),
		cmocka_unit_test(test_visit_window),
		cmocka_unit_test(test_log_label),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
