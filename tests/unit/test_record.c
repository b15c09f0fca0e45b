/* test_record.c - a form instance in memory: values, calculations,
 * branching, checks, completion and changes, against the fixture study. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "crf/record.h"
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

static size_t
fi(const char *form, const char *field)
{
	const field_def *f = form_field(study_form(sd, form), field);

	assert_non_null(f);
	return f->index;
}

static const crf_date today = { 2026, 11, 25 };

static void
test_calc_bsa_and_bmi(void **state)
{
	const form_def *dm = study_form(sd, "dm");
	record *r = record_new(sd, dm, "scr", 1, 1, NULL, NULL);
	crf_err e;

	(void)state;
	assert_string_equal(record_value(r, fi("dm", "bsa")), "");
	assert_int_equal(record_set(r, fi("dm", "height"), "170", NULL, false, &e), CRF_OK);
	assert_string_equal(record_value(r, fi("dm", "height")), "170.0");
	assert_string_equal(record_value(r, fi("dm", "bsa")), "");   /* weight missing */
	assert_int_equal(record_set(r, fi("dm", "weight"), "65", NULL, false, &e), CRF_OK);
	/* Mosteller: sqrt(170 * 65 / 3600) = 1.7520 */
	assert_string_equal(record_value(r, fi("dm", "bsa")), "1.75");
	assert_string_equal(record_value(r, fi("dm", "bmi")), "22.5");
	/* A missing-data code makes the inputs missing again. */
	assert_int_equal(record_set_missing(r, fi("dm", "weight"), "ND", &e), CRF_OK);
	assert_string_equal(record_value(r, fi("dm", "bsa")), "");
	assert_string_equal(record_missing(r, fi("dm", "weight")), "ND");
	assert_int_equal(record_set_missing(r, fi("dm", "weight"), "NA", &e), CRF_EINVAL);
	record_free(r);
}

static void
test_soft_range_needs_confirmation(void **state)
{
	record *r = record_new(sd, study_form(sd, "dm"), "scr", 1, 1, NULL, NULL);
	crf_err e;

	(void)state;
	assert_int_equal(record_set(r, fi("dm", "weight"), "150", NULL, false, &e), CRF_ESOFT);
	assert_string_equal(record_value(r, fi("dm", "weight")), "");
	assert_int_equal(record_set(r, fi("dm", "weight"), "150", NULL, true, &e), CRF_OK);
	assert_string_equal(record_value(r, fi("dm", "weight")), "150.0");
	assert_int_equal(record_flags(r, fi("dm", "weight")), ITEM_SOFT_OK);
	assert_int_equal(record_set(r, fi("dm", "weight"), "250", NULL, true, &e), CRF_ERANGE);
	assert_string_equal(record_value(r, fi("dm", "weight")), "150.0");
	record_free(r);
}

static void
test_show_if_and_hidden_values(void **state)
{
	record *r = record_new(sd, study_form(sd, "dm"), "scr", 1, 1, NULL, NULL);
	size_t preg = fi("dm", "pregnant");
	crf_err e;

	(void)state;
	assert_false(record_visible(r, preg));        /* sex missing: hidden */
	assert_int_equal(record_set(r, fi("dm", "sex"), "f", NULL, false, &e), CRF_OK);
	assert_string_equal(record_value(r, fi("dm", "sex")), "F");
	assert_true(record_visible(r, preg));
	assert_int_equal(record_set(r, preg, "N", NULL, false, &e), CRF_OK);
	assert_int_equal(record_set(r, fi("dm", "sex"), "M", NULL, false, &e), CRF_OK);
	assert_false(record_visible(r, preg));
	assert_true(record_hidden_with_value(r, preg));   /* kept until asked */
	record_clear(r, preg);
	assert_false(record_hidden_with_value(r, preg));
	record_free(r);
}

static void
test_required_and_checks(void **state)
{
	record *r = record_new(sd, study_form(sd, "dm"), "scr", 1, 1, NULL, NULL);
	const form_def *dm = study_form(sd, "dm");
	crf_err e;

	(void)state;
	assert_false(record_can_complete(r, &e));
	assert_non_null(strstr(e.msg, "Date of birth is required"));
	assert_int_equal(record_set(r, fi("dm", "brthdat"), "1990-05-01", NULL, false, &e), CRF_OK);
	assert_int_equal(record_set(r, fi("dm", "sex"), "M", NULL, false, &e), CRF_OK);
	assert_true(record_can_complete(r, &e));
	/* bmi_ok: not evaluable while height/weight are blank (when missing). */
	assert_int_equal(record_check(r, 1), CHECK_NOT_EVALUABLE);
	assert_int_equal(record_set(r, fi("dm", "height"), "150", NULL, false, &e), CRF_OK);
	assert_int_equal(record_set(r, fi("dm", "weight"), "110", NULL, false, &e), CRF_OK);
	assert_int_equal(record_check(r, 1), CHECK_FAIL);     /* BMI 48.9: soft */
	assert_true(record_can_complete(r, &e));             /* soft does not block */
	assert_int_equal(dm->checks[0].level, CHECK_HARD);
	assert_int_equal(record_check(r, 0), CHECK_PASS);
	assert_int_equal(record_set(r, fi("dm", "brthdat"), "2099-01-01", NULL, false, &e), CRF_OK);
	assert_int_equal(record_check(r, 0), CHECK_FAIL);
	assert_false(record_can_complete(r, &e));
	assert_non_null(strstr(e.msg, "future"));
	record_free(r);
}

static void
test_changes_and_saved(void **state)
{
	item_value items[] = {
		{ .field = "height", .value = "170.0" },
		{ .field = "weight", .missing = "UNK" },
		{ .field = "gone", .value = "x" },   /* unknown field: ignored */
	};
	form_data fd = { .status = FORM_INCOMPLETE, .version = 3, .form_version = 1,
	    .items = items, .nitems = 3 };
	record *r = record_new(sd, study_form(sd, "dm"), "scr", 1, 1, &fd, NULL);
	const item_change *ch;
	size_t n;
	crf_err e;

	(void)state;
	assert_int_equal(record_version(r), 3);
	assert_int_equal(record_form_version(r), 1);
	assert_string_equal(record_missing(r, fi("dm", "weight")), "UNK");
	assert_false(record_dirty(r));
	ch = record_changes(r, &n);
	assert_int_equal(n, 0);
	assert_int_equal(record_set(r, fi("dm", "weight"), "70", NULL, false, &e), CRF_OK);
	assert_true(record_dirty(r));
	ch = record_changes(r, &n);
	/* weight, and the calculations that now have a value. */
	assert_int_equal(n, 3);
	assert_string_equal(ch[0].field, "weight");
	assert_string_equal(ch[0].value, "70.0");
	assert_null(ch[0].missing);
	assert_string_equal(ch[1].field, "bsa");
	assert_string_equal(ch[2].field, "bmi");
	record_saved(r, FORM_COMPLETE, 4);
	assert_false(record_dirty(r));
	assert_int_equal(record_version(r), 4);
	assert_int_equal(record_status(r), FORM_COMPLETE);
	assert_int_equal(record_form_version(r), 2);
	record_free(r);
}

static void
test_field_added_later_not_required_of_old(void **state)
{
	char *dir;
	(void)state;
	(void)dir;
	/* bmi is since = 2: visible (blank) on a version-1 instance. */
	item_value items[] = { { .field = "brthdat", .value = "1990-01-01" } };
	form_data fd = { .status = FORM_COMPLETE, .version = 1, .form_version = 1,
	    .items = items, .nitems = 1 };
	record *r = record_new(sd, study_form(sd, "dm"), "scr", 1, 1, &fd, NULL);
	assert_true(record_visible(r, fi("dm", "bmi")));
	record_free(r);
}

static void
test_cross_form_and_logs(void **state)
{
	subject_item items[] = {
		{ .event = "", .event_repeat = 0, .form = "aph", .form_repeat = 1,
		  .field = "aphdat", .value = "2026-03-01" },
		{ .event = "", .event_repeat = 0, .form = "aph", .form_repeat = 1,
		  .field = "yield", .value = "1.20" },
		{ .event = "", .event_repeat = 0, .form = "aph", .form_repeat = 2,
		  .field = "aphdat", .value = "2026-03-02" },
		{ .event = "", .event_repeat = 0, .form = "aph", .form_repeat = 2,
		  .field = "yield", .value = "1.50" },
		{ .event = "d0", .event_repeat = 1, .form = "inf", .form_repeat = 1,
		  .field = "infdat", .value = "2026-04-01" },
		{ .event = "scr", .event_repeat = 1, .form = "dm", .form_repeat = 1,
		  .field = "height", .value = "170.0" },
		{ .event = "scr", .event_repeat = 1, .form = "dm", .form_repeat = 1,
		  .field = "weight", .value = "65.0" },
		{ .event = "scr", .event_repeat = 1, .form = "dm", .form_repeat = 1,
		  .field = "brthdat", .value = "2026-03-22" },
	};
	casebook *cb = casebook_new(sd, items, sizeof items / sizeof items[0], today);
	record *inf, *aph3, *vs, *dm;
	crf_err e;

	(void)state;
	assert_int_equal(casebook_log_count(cb, study_form(sd, "aph")), 2);
	assert_string_equal(casebook_value(cb, "d0", 1, study_form(sd, "inf"), 1,
	    form_field(study_form(sd, "inf"), "infdat")), "2026-04-01");

	/* Aggregates over the log from another form. */
	inf = record_new(sd, study_form(sd, "inf"), "d0", 1, 1, NULL, cb);
	assert_string_equal(record_value(inf, fi("inf", "total_yield")), "2.70");
	assert_string_equal(record_value(inf, fi("inf", "sessions")), "2");
	/* Calculated values alone do not make a new form unsaved... */
	assert_false(record_dirty(inf));
	{
		size_t n;
		record_changes(inf, &n);
		assert_int_equal(n, 2);   /* ...but are saved with it */
	}
	record_free(inf);

	/* A new third session: the running total includes the record's own
	 * live values, and only sessions up to its date. */
	aph3 = record_new(sd, study_form(sd, "aph"), "", 0, 3, NULL, cb);
	assert_int_equal(record_set(aph3, fi("aph", "aphdat"), "2026-03-03", NULL, false, &e), CRF_OK);
	assert_int_equal(record_set(aph3, fi("aph", "yield"), "0.8", NULL, false, &e), CRF_OK);
	assert_string_equal(record_value(aph3, fi("aph", "cumyield")), "3.50");
	assert_int_equal(record_set(aph3, fi("aph", "aphdat"), "2026-03-01", NULL, false, &e), CRF_OK);
	assert_string_equal(record_value(aph3, fi("aph", "cumyield")), "2.00");
	record_free(aph3);

	/* A calc of another form, computed afresh from its inputs. */
	vs = record_new(sd, study_form(sd, "vs"), "fu30", 1, 1, NULL, cb);
	assert_string_equal(record_value(vs, fi("vs", "bsa_copy")), "1.75");
	record_free(vs);

	/* dm's own calc referring to the infusion date in another event. */
	dm = record_new(sd, study_form(sd, "dm"), "scr", 1, 1, NULL, cb);
	assert_int_equal(record_set(dm, fi("dm", "brthdat"), "2026-03-22", NULL, false, &e), CRF_OK);
	assert_string_equal(record_value(dm, fi("dm", "infusion_day")), "10");
	record_free(dm);
	casebook_free(cb);
}

static void
test_constants_and_multichoice(void **state)
{
	record *r = record_new(sd, study_form(sd, "fu"), "fu30", 1, 1, NULL, NULL);
	crf_err e;

	(void)state;
	assert_int_equal(record_set(r, fi("fu", "infections"), "cmv, 1", NULL, false, &e), CRF_OK);
	assert_string_equal(record_value(r, fi("fu", "infections")), "HSV|CMV");
	assert_int_equal(record_set(r, fi("fu", "infections"), "9", NULL, false, &e), CRF_EINVAL);
	record_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calc_bsa_and_bmi),
		cmocka_unit_test(test_soft_range_needs_confirmation),
		cmocka_unit_test(test_show_if_and_hidden_values),
		cmocka_unit_test(test_required_and_checks),
		cmocka_unit_test(test_changes_and_saved),
		cmocka_unit_test(test_field_added_later_not_required_of_old),
		cmocka_unit_test(test_cross_form_and_logs),
		cmocka_unit_test(test_constants_and_multichoice),
	};
	return cmocka_run_group_tests_name("record", tests, setup, teardown);
}
