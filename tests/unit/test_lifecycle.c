/* test_lifecycle.c - a subject's life in the study: the list of states;
 * each move with its role, order, date, reason and audit rows; study
 * numbers never reused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crf/lifecycle.h"
#include "crf/store.h"
#include "crf/util.h"

#include "review_site.h"

static int
setup(void **state)
{
	(void)state;
	return review_site_setup("/tmp/crf-life.XXXXXX");
}

/* The one list of the states: names, words, glyphs, order. */
static void
test_states(void **state)
{
	subject_state s;

	(void)state;
	for (int i = 0; i < SUBJ_STATE_COUNT; i++) {
		assert_true(subject_state_from_name(subject_state_name((subject_state)i), &s));
		assert_int_equal(s, i);
	}
	assert_true(subject_state_from_name("screening", &s));
	assert_int_equal(s, SUBJ_SCREENING);
	assert_true(subject_state_from_name("died", &s));
	assert_int_equal(s, SUBJ_STATE_COUNT - 1);
	assert_false(subject_state_from_name("lost", &s));
	assert_false(subject_state_from_name(NULL, &s));
	assert_string_equal(subject_state_name(SUBJ_SCREEN_FAILURE), "screen_failure");
	assert_string_equal(subject_state_name(SUBJ_STATE_COUNT), "");
	assert_string_equal(subject_state_title(SUBJ_SCREEN_FAILURE), "Screen failure");
	assert_string_equal(subject_state_title(SUBJ_STATE_COUNT), "Unknown");
	assert_string_equal(subject_state_word(SUBJ_SCREEN_FAILURE), "screen failure");
	assert_string_equal(subject_state_word(SUBJ_STATE_COUNT), "");
	assert_string_equal(subject_state_glyph(SUBJ_WITHDRAWN, true), "⊘");
	assert_string_equal(subject_state_glyph(SUBJ_COMPLETED, false), "+");
	assert_string_equal(subject_state_glyph(SUBJ_STATE_COUNT, false), "?");

	/* By the stored name, as the rows carry it. */
	assert_string_equal(subject_status_word("screen_failure"), "screen failure");
	assert_string_equal(subject_status_word("enrolled"), "enrolled");
	assert_string_equal(subject_status_word("other"), "other");
	assert_string_equal(subject_status_word(NULL), "");
	assert_string_equal(subject_status_glyph("enrolled", true), "●");
	assert_string_equal(subject_status_glyph("enrolled", false), "*");
	assert_string_equal(subject_status_glyph("died", false), "#");
	assert_string_equal(subject_status_glyph("lost", true), "?");
	assert_true(subject_status_active("screening"));
	assert_true(subject_status_active("enrolled"));
	assert_false(subject_status_active("screen_failure"));
	assert_false(subject_status_active("withdrawn"));
	assert_false(subject_status_active("completed"));
	assert_false(subject_status_active("died"));
	assert_false(subject_status_active("lost"));
	assert_false(subject_status_active(NULL));
}

static void
test_enrol_and_end(void **state)
{
	subject_row s2, found;
	char *no = NULL;
	crf_err e;

	(void)state;
	/* The nurse may not enrol (the investigator's decision). */
	as("nurse", NURSE_PW);
	assert_int_equal(store_change_subject(st, subj, SUBJECT_ENROL, "2026-02-20", NULL, &no,
	    &e), CRF_EDENIED);
	assert_int_equal(store_add_subject(st, &s2, &e), CRF_OK);

	as("pi", PI_PW);
	/* Dates: whole, not in the future, not before screening began. */
	assert_int_equal(store_change_subject(st, subj, SUBJECT_ENROL, "2026-03", NULL, &no, &e),
	    CRF_EINVAL);
	assert_int_equal(store_change_subject(st, subj, SUBJECT_ENROL, "2026-03-02", NULL, &no,
	    &e), CRF_EINVAL);
	assert_non_null(strstr(e.msg, "in the future"));
	assert_int_equal(store_change_subject(st, subj, SUBJECT_ENROL, "2026-02-28", NULL, &no,
	    &e), CRF_EINVAL);
	assert_non_null(strstr(e.msg, "before the subject's screening began"));
	/* Out of order: a screened subject cannot complete the study. */
	assert_int_equal(store_change_subject(st, subj, SUBJECT_COMPLETE, "2026-03-01", NULL,
	    NULL, &e), CRF_EINVAL);
	assert_string_equal(e.msg, "TJ01-0001 is Screening: completion is not possible now");

	assert_int_equal(store_change_subject(st, subj, SUBJECT_ENROL, "2026-03-01", NULL, &no,
	    &e), CRF_OK);
	assert_string_equal(no, "TJ01-E001");
	free(no);
	assert_int_equal(store_find_subject(st, "TJ01-0001", &found, &e), CRF_OK);
	assert_string_equal(found.status, "enrolled");
	assert_string_equal(found.study_no, "TJ01-E001");
	assert_string_equal(found.status_date, "2026-03-01");
	subject_row_clear(&found);
	assert_int_equal(store_change_subject(st, subj, SUBJECT_ENROL, "2026-03-01", NULL, &no,
	    &e), CRF_EINVAL);

	/* A screen failure needs its reason. */
	assert_int_equal(store_change_subject(st, s2.id, SUBJECT_SCREEN_FAIL, "2026-03-01", " ",
	    NULL, &e), CRF_EINVAL);
	assert_int_equal(store_change_subject(st, s2.id, SUBJECT_SCREEN_FAIL, "2026-03-01",
	    "EDSS 2.5 at screening (inclusion 3: EDSS 3.0-6.0)", NULL, &e), CRF_OK);
	assert_int_equal(store_change_subject(st, s2.id, SUBJECT_ENROL, "2026-03-01", NULL, &no,
	    &e), CRF_EINVAL);

	/* The end: the nurse may record completion or a death, not a withdrawal. */
	as("nurse", NURSE_PW);
	assert_int_equal(store_change_subject(st, subj, SUBJECT_WITHDRAW, "2026-03-01",
	    "consent withdrawn", NULL, &e), CRF_EDENIED);
	assert_int_equal(store_change_subject(st, subj, SUBJECT_DEATH, "2026-03-01", NULL, NULL,
	    &e), CRF_EINVAL);
	assert_int_equal(store_change_subject(st, subj, SUBJECT_DEATH, "2026-03-01",
	    "Sepsis (transplant-related)", NULL, &e), CRF_OK);
	assert_int_equal(store_change_subject(st, subj, SUBJECT_COMPLETE, "2026-03-01", NULL,
	    NULL, &e), CRF_EINVAL);

	expect_query("SELECT group_concat(action || ':' || ifnull(old_value, '-') || '>' ||"
	    " new_value, ' ') FROM (SELECT * FROM audit WHERE subject = 'TJ01-0001'"
	    " AND action IN ('subject', 'subject-status', 'study-number', 'status-date')"
	    " ORDER BY seq)",
	    "subject:->screening subject-status:screening>enrolled status-date:->2026-03-01"
	    " study-number:->TJ01-E001 subject-status:enrolled>died status-date:->2026-03-01");
	expect_query("SELECT reason FROM audit WHERE action = 'subject-status'"
	    " AND new_value = 'died'", "Sepsis (transplant-related)");
	expect_trail_intact();

	/* A status changed with the sqlite3 shell is caught. */
	{
		audit_report r;
		sqlite3 *db;
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, "UPDATE subject SET status = 'completed',"
		    " study_no = 'TJ01-E009' WHERE key = 'TJ01-0001'", NULL, NULL, NULL),
		    SQLITE_OK);
		sqlite3_close(db);
		assert_int_equal(store_audit_verify(st, NULL, &r, &e), CRF_OK);
		assert_int_equal(r.nissues, 2);
		assert_string_equal(r.issues[0].text, "subject TJ01-0001 is completed but the "
		    "audit trail says died (seq 16)");
		assert_string_equal(r.issues[1].text, "subject TJ01-0001 has study number "
		    "TJ01-E009 but the audit trail says TJ01-E001");
		audit_report_clear(&r);
	}
	subject_row_clear(&s2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_enrol_and_end),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
