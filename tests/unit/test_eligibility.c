/* test_eligibility.c - the trial's inclusion and exclusion criteria judged
 * from the investigator's answers and the entered data, and enrolment
 * refused until they are met (the real forms/ study). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crf/date.h"
#include "crf/eligibility.h"
#include "crf/formdef.h"
#include "crf/lifecycle.h"
#include "crf/store.h"
#include "crf/util.h"

#include "review_site.h"

static study_def *sd;

static int
setup(void **state)
{
	formdef_diags d = { 0 };

	(void)state;
	if (review_site_setup("/tmp/crf-elig.XXXXXX") != 0)
		return -1;
	if (formdef_load("forms", &sd, &d) != CRF_OK)
		return -1;
	formdef_diags_free(&d);
	return 0;
}

static int
eligibility_teardown(void **state)
{
	formdef_free(sd);
	return teardown(state);
}

/* Save the screening form `form` of the subject with fields (name,
 * value pairs, NULL-terminated), complete. */
static void
save_scr(const char *form, const char *const *kv)
{
	form_key k = { subj, "scr", 1, form, 1 };
	item_change ch[40];
	form_data fd;
	crf_err e;
	size_t n = 0;
	int v;

	for (; kv[2 * n] != NULL; n++)
		ch[n] = (item_change){ kv[2 * n], kv[2 * n + 1], NULL, 0 };
	assert_int_equal(store_load_form(st, &k, &fd, &e), CRF_OK);
	if (store_save_form(st, &k, fd.version, 1, FORM_COMPLETE, ch, n, "correction", &v,
	    &e) != CRF_OK)
		fail_msg("save %s: %s", form, e.msg);
	form_data_clear(&fd);
}

static const elig_criterion *
criterion(const eligibility *el, const char *field)
{
	for (size_t i = 0; i < el->n; i++)
		if (strcmp(el->items[i].field->id, field) == 0)
			return &el->items[i];
	fail_msg("no criterion %s", field);
	return NULL;
}

static void
test_edss_too_low_then_enrolled(void **state)
{
	const crf_date today = { 2026, 3, 1 };
	static const char *const ic[] = { "icyn", "Y", "icdat", "2026-02-20", NULL };
	static const char *const dm[] = { "brthdat", "1980-05-17", "sex", "F", NULL };
	static const char *const edss_low[] = { "edsdat", "2026-02-21", "edss", "2.5",
		"fspyr", "3", "fscer", "1", NULL };
	static const char *const edss_ok[] = { "edss", "4.0", NULL };
	static const char *const ie[] = {
		"inc1", "Y", "inc2", "Y", "inc3", "Y", "inc4", "Y", "inc5", "Y",
		"inc5typ", "REL", "inc6a", "N", "inc6", "Y", "inc7", "Y",
		"exc1", "N", "exc2", "N", "exc3", "N", "exc4", "N", "exc5", "N",
		"exc6", "N", "exc7", "N", "exc8", "N", "elig", "Y", "eligdat", "2026-02-22",
		NULL };
	static const char *const unconfirmed[] = { "elig", "N", NULL };
	static const char *const confirmed[] = { "elig", "Y", NULL };
	const form_def *form;
	const event_def *event;
	eligibility el;
	char *no = NULL;
	crf_err e;

	(void)state;
	assert_true(eligibility_form(sd, &form, &event));
	assert_string_equal(form->id, "ie");
	assert_string_equal(event->id, "scr");

	/* Nothing entered yet: every criterion unanswered, not eligible. */
	assert_int_equal(eligibility_evaluate(sd, st, subj, today, &el, &e), CRF_OK);
	assert_int_equal(el.n, 15);
	assert_false(el.items[0].exclusion);
	assert_true(el.items[14].exclusion);
	assert_int_equal(el.nfailing, 15);
	assert_false(el.eligible);
	eligibility_clear(&el);

	as("nurse", NURSE_PW);
	save_scr("ic", ic);
	save_scr("dm", dm);
	save_scr("edss", edss_low);
	as("pi", PI_PW);
	save_scr("ie", ie);

	/* The investigator said yes to I3, but the EDSS form says 2.5. */
	assert_int_equal(eligibility_evaluate(sd, st, subj, today, &el, &e), CRF_OK);
	assert_string_equal(criterion(&el, "inc1")->evidence, "45 years");
	assert_int_equal(criterion(&el, "inc1")->verdict, ELIG_PASS);
	assert_int_equal(criterion(&el, "inc3")->verdict, ELIG_FAIL);
	assert_int_equal(criterion(&el, "inc3")->derived, 0);
	assert_string_equal(criterion(&el, "inc3")->why, "the data say it is not met (2.5)");
	assert_int_equal(criterion(&el, "inc4")->verdict, ELIG_PASS);
	assert_string_equal(criterion(&el, "inc4")->evidence, "3");
	assert_int_equal(el.nfailing, 1);
	assert_true(el.confirmed);
	assert_false(el.eligible);
	eligibility_clear(&el);
	assert_int_equal(eligibility_enrol(sd, st, subj, "2026-03-01", today, &no, NULL, &e),
	    CRF_EDENIED);
	assert_null(no);
	assert_string_equal(e.msg, "cannot enrol: I3. EDSS score 3.0 to 6.0 (inclusive): "
	    "the data say it is not met (2.5)");
	expect_query("SELECT status FROM subject WHERE id = 1", "screening");

	/* EDSS corrected to 4.0: eligible once the investigator confirms. */
	as("nurse", NURSE_PW);
	save_scr("edss", edss_ok);
	as("pi", PI_PW);
	save_scr("ie", unconfirmed);
	assert_int_equal(eligibility_enrol(sd, st, subj, "2026-03-01", today, &no, NULL, &e),
	    CRF_EDENIED);
	assert_string_equal(e.msg, "cannot enrol: the investigator has not confirmed "
	    "eligibility");
	save_scr("ie", confirmed);
	/* Only the investigator enrols, even when eligible. */
	as("nurse", NURSE_PW);
	assert_int_equal(eligibility_enrol(sd, st, subj, "2026-03-01", today, &no, NULL, &e),
	    CRF_EDENIED);
	as("pi", PI_PW);
	assert_int_equal(eligibility_enrol(sd, st, subj, "2026-03-01", today, &no, &el, &e),
	    CRF_OK);
	assert_true(el.eligible);
	eligibility_clear(&el);
	assert_string_equal(no, "TJ01-E001");
	free(no);
	expect_query("SELECT status || ' ' || study_no FROM subject WHERE id = 1",
	    "enrolled TJ01-E001");
}

static void
test_exclusion_applies(void **state)
{
	const crf_date today = { 2026, 3, 1 };
	static const char *const ic[] = { "icyn", "N", NULL };
	eligibility el;
	char why[1024];
	crf_err e;

	(void)state;
	/* Consent not signed by the patient: E8 applies by the data although
	 * the investigator answered No. */
	as("nurse", NURSE_PW);
	save_scr("ic", ic);
	assert_int_equal(eligibility_evaluate(sd, st, subj, today, &el, &e), CRF_OK);
	assert_int_equal(criterion(&el, "exc8")->verdict, ELIG_FAIL);
	assert_string_equal(criterion(&el, "exc8")->why, "the data say it applies");
	eligibility_explain(&el, why, sizeof why);
	assert_non_null(strstr(why, "E8. Unable to give written informed consent"));
	eligibility_clear(&el);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edss_too_low_then_enrolled),
		cmocka_unit_test(test_exclusion_applies),
	};

	return cmocka_run_group_tests(tests, setup, eligibility_teardown);
}
