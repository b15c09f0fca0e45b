/* test_query.c - the query state machine: who may move a query, its
 * messages and audit rows, the list filters and automatic queries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crf/query.h"
#include "crf/signoff.h"
#include "crf/store.h"
#include "crf/util.h"

#include "review_site.h"

static int
setup(void **state)
{
	(void)state;
	return review_site_setup("/tmp/crf-query.XXXXXX");
}

static query_state
state_of(long long id)
{
	query_row q;
	crf_err e;
	query_state s;

	assert_int_equal(store_get_query(st, id, &q, &e), CRF_OK);
	s = q.state;
	query_row_clear(&q);
	return s;
}

static void
test_query_life(void **state)
{
	form_key dm = { subj, "scr", 1, "dm", 1 };
	form_key vs = { subj, "scr", 1, "vs", 1 };
	long long id = 0, id2 = 0;
	query_message *m;
	query_row q;
	size_t n;
	crf_err e;

	(void)state;
	as("nurse", NURSE_PW);
	assert_int_equal(save(&dm, "height", "170.0", NULL, &e), CRF_OK);
	/* Who raises: monitors and data managers, on saved forms, with a text. */
	assert_int_equal(store_raise_query(st, &dm, "height", "Check height", &id, &e),
	    CRF_EDENIED);
	as("cra", CRA_PW);
	assert_int_equal(store_raise_query(st, &vs, "pulse", "Pulse?", &id, &e), CRF_ENOENT);
	assert_int_equal(store_raise_query(st, &dm, "height", " ", &id, &e), CRF_EINVAL);
	assert_int_equal(store_raise_query(st, &dm, "height",
	    "Source says 107 cm: please check", &id, &e), CRF_OK);
	assert_true(id > 0);
	assert_int_equal(state_of(id), QUERY_OPEN);
	/* The raiser cannot answer; closing before an answer is allowed. */
	assert_int_equal(store_answer_query(st, id, "fine", &e), CRF_EDENIED);

	/* The site answers (and corrects the value with a reason, a save). */
	as("nurse", NURSE_PW);
	assert_int_equal(store_close_query(st, id, NULL, &e), CRF_EDENIED);
	assert_int_equal(store_answer_query(st, id, "", &e), CRF_EINVAL);
	assert_int_equal(save(&dm, "height", "107.0", "query: transcription error", &e), CRF_OK);
	assert_int_equal(store_answer_query(st, id, "Corrected to 107 cm", &e), CRF_OK);
	assert_int_equal(state_of(id), QUERY_ANSWERED);
	assert_int_equal(store_answer_query(st, id, "again", &e), CRF_EINVAL);
	assert_non_null(strstr(e.msg, "is answered"));

	/* Only the raiser (or a data manager) closes or reopens. */
	assert_int_equal(store_add_user(st, "cra2", "Sun Li", "monitor", "Monitor-Two-22", &e),
	    CRF_EDENIED);
	store_close(st);
	assert_int_equal(store_open(path, &st, &e), CRF_OK);
	store_set_user(st, "setup");
	assert_int_equal(store_add_user(st, "cra2", "Sun Li", "monitor", "Monitor-Two-22", &e),
	    CRF_OK);
	as("cra2", "Monitor-Two-22");
	assert_int_equal(store_close_query(st, id, NULL, &e), CRF_EDENIED);
	assert_non_null(strstr(e.msg, "only cra, who raised query"));
	as("cra", CRA_PW);
	assert_int_equal(store_reopen_query(st, id, "", &e), CRF_EINVAL);
	assert_int_equal(store_reopen_query(st, id, "Units? The source is in cm.", &e), CRF_OK);
	assert_int_equal(state_of(id), QUERY_OPEN);
	as("nurse", NURSE_PW);
	assert_int_equal(store_answer_query(st, id, "Yes, cm", &e), CRF_OK);
	as("cra", CRA_PW);
	assert_int_equal(store_close_query(st, id, "Thank you", &e), CRF_OK);
	assert_int_equal(state_of(id), QUERY_CLOSED);
	assert_int_equal(store_close_query(st, id, NULL, &e), CRF_EINVAL);
	/* A data manager may settle anyone's query. */
	assert_int_equal(store_raise_query(st, &dm, NULL, "Whole form: wrong visit?", &id2, &e),
	    CRF_OK);
	as("dm", DM_PW);
	assert_int_equal(store_close_query(st, id2, "Raised in error", &e), CRF_OK);

	/* The thread: every step, who, when, what. */
	assert_int_equal(store_query_messages(st, id, &m, &n, &e), CRF_OK);
	assert_int_equal(n, 5);
	assert_string_equal(m[0].action, "raise");
	assert_string_equal(m[0].user, "cra");
	assert_string_equal(m[0].full_name, "Zhao Lei");
	assert_string_equal(m[1].action, "answer");
	assert_string_equal(m[1].text, "Corrected to 107 cm");
	assert_string_equal(m[2].action, "reopen");
	assert_string_equal(m[4].action, "close");
	assert_string_equal(m[4].tz_offset, "+08:00");
	query_messages_free(m, n);
	assert_int_equal(store_get_query(st, id, &q, &e), CRF_OK);
	assert_string_equal(q.subject, "TJ01-0001");
	assert_string_equal(q.field, "height");
	assert_string_equal(q.text, "Source says 107 cm: please check");
	assert_string_equal(q.last_text, "Thank you");
	assert_string_equal(q.last_by, "cra");
	assert_int_equal(q.nmessages, 5);
	query_row_clear(&q);
	assert_int_equal(store_get_query(st, 999, &q, &e), CRF_ENOENT);

	/* Audit rows: each step, old and new state, the text as reason. */
	expect_query("SELECT group_concat(action || ':' || ifnull(old_value, '-') || '>'"
	    " || new_value, ' ') FROM (SELECT * FROM audit WHERE action LIKE 'query-%'"
	    " AND field = 'height' ORDER BY seq)",
	    "query-raise:->open query-answer:open>answered query-reopen:answered>open"
	    " query-answer:open>answered query-close:answered>closed");
	expect_query("SELECT reason FROM audit WHERE action = 'query-reopen'",
	    "Units? The source is in cm.");
	/* Never deleted. */
	{
		sqlite3 *db;
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_not_equal(sqlite3_exec(db, "DELETE FROM data_query", NULL, NULL, NULL),
		    SQLITE_OK);
		assert_int_not_equal(sqlite3_exec(db, "UPDATE query_message SET text = 'x'",
		    NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
	}
	expect_trail_intact();
}

static void
test_query_list_and_counts(void **state)
{
	form_key dm = { subj, "scr", 1, "dm", 1 };
	query_filter f = { 0 };
	query_row *rows;
	query_count *c;
	size_t n;
	long long a, b;
	crf_err e;

	(void)state;
	as("cra", CRA_PW);
	assert_int_equal(store_raise_query(st, &dm, "height", "Old one", &a, &e), CRF_OK);
	setenv("CRF_NOW", "2026-03-15T02:00:00Z", 1);
	assert_int_equal(store_raise_query(st, &dm, "weight", "New one", &b, &e), CRF_OK);
	as("nurse", NURSE_PW);
	assert_int_equal(store_answer_query(st, b, "Checked", &e), CRF_OK);

	assert_int_equal(store_list_queries(st, NULL, &rows, &n, &e), CRF_OK);
	assert_int_equal(n, 4);
	query_rows_free(rows, n);
	f.states = 1u << QUERY_OPEN;
	assert_int_equal(store_list_queries(st, &f, &rows, &n, &e), CRF_OK);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, a);
	query_rows_free(rows, n);
	f.states = 1u << QUERY_OPEN | 1u << QUERY_ANSWERED;
	assert_int_equal(store_list_queries(st, &f, &rows, &n, &e), CRF_OK);
	assert_int_equal(n, 2);
	query_rows_free(rows, n);
	/* Older than 10 days: only the first of those two. */
	f.min_age_days = 10;
	assert_int_equal(store_list_queries(st, &f, &rows, &n, &e), CRF_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].text, "Old one");
	query_rows_free(rows, n);
	/* By subject, form and field. */
	f = (query_filter){ .subject = "TJ01-0001", .event = "scr", .event_repeat = 1,
	    .form = "dm", .form_repeat = 1, .field = "weight" };
	assert_int_equal(store_list_queries(st, &f, &rows, &n, &e), CRF_OK);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].state, QUERY_ANSWERED);
	query_rows_free(rows, n);
	f = (query_filter){ .subject = "TJ01-0099" };
	assert_int_equal(store_list_queries(st, &f, &rows, &n, &e), CRF_OK);
	assert_int_equal(n, 0);
	query_rows_free(rows, n);

	assert_int_equal(store_count_queries(st, &c, &n, &e), CRF_OK);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].subject_id, subj);
	assert_int_equal(c[0].open, 1);
	assert_int_equal(c[0].answered, 1);
	free(c);
}

static void
test_automatic_queries(void **state)
{
	form_key vs = { subj, "scr", 1, "vs", 1 };
	item_change ch = { "pulse", "190", NULL, ITEM_SOFT_OK };
	save_query sq = { "pulse", "Pulse 190/min is outside the expected range 40-180/min" };
	query_filter f = { .subject = "TJ01-0001", .event = "scr", .event_repeat = 1,
	    .form = "vs", .form_repeat = 1 };
	query_row *rows;
	size_t n;
	crf_err e;
	int v = 0;

	(void)state;
	as("nurse", NURSE_PW);
	/* Off (the default): nothing is raised. */
	assert_int_equal(store_save_form_queries(st, &vs, 0, 1, FORM_INCOMPLETE, &ch, 1, NULL,
	    &sq, 1, &v, &e), CRF_OK);
	assert_int_equal(store_list_queries(st, &f, &rows, &n, &e), CRF_OK);
	assert_int_equal(n, 0);
	query_rows_free(rows, n);
	/* On: raised by crf in the save's transaction, once while it is open. */
	store_set_auto_queries(st, true);
	ch.value = "185";
	assert_int_equal(store_save_form_queries(st, &vs, v, 1, FORM_INCOMPLETE, &ch, 1, NULL,
	    &sq, 1, &v, &e), CRF_OK);
	ch.value = "186";
	assert_int_equal(store_save_form_queries(st, &vs, v, 1, FORM_INCOMPLETE, &ch, 1, NULL,
	    &sq, 1, &v, &e), CRF_OK);
	assert_int_equal(store_list_queries(st, &f, &rows, &n, &e), CRF_OK);
	assert_int_equal(n, 1);
	assert_true(rows[0].automatic);
	assert_string_equal(rows[0].raised_by, QUERY_AUTO_USER);
	assert_string_equal(rows[0].field, "pulse");
	/* Any monitor may close an automatic query. */
	as("cra", CRA_PW);
	assert_true(store_may_settle_query(st, &rows[0]));
	assert_int_equal(store_close_query(st, rows[0].id, "Confirmed in source", &e), CRF_OK);
	query_rows_free(rows, n);
	/* A failed save raises nothing. */
	as("nurse", NURSE_PW);
	assert_int_equal(store_save_form_queries(st, &vs, 0, 1, FORM_INCOMPLETE, &ch, 1, NULL,
	    &sq, 1, &v, &e), CRF_ECONFLICT);
	expect_query("SELECT count(*) FROM data_query WHERE automatic = 1", "1");
	store_set_auto_queries(st, false);
	expect_trail_intact();

	/* A query closed with the sqlite3 shell is caught. */
	{
		audit_report r;
		sqlite3 *db;
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, "UPDATE data_query SET state = 'closed'"
		    " WHERE state = 'open'", NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
		assert_int_equal(store_audit_verify(st, NULL, &r, &e), CRF_OK);
		assert_int_equal(r.nissues, 1);
		assert_int_equal(r.issues[0].kind, AUDIT_REVIEW_DIFFERS);
		assert_non_null(strstr(r.issues[0].text, "is closed but its last message says "
		    "otherwise"));
		audit_report_clear(&r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_life),
		cmocka_unit_test(test_query_list_and_counts),
		cmocka_unit_test(test_automatic_queries),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
