/*
 * review_site.h - the site every review test starts from (signatures,
 * locks, queries, a subject's life cycle, eligibility, the printed
 * casebook): a new database in a temporary folder with a research nurse,
 * an investigator, a monitor and a data manager, one screened subject, and
 * the helpers the tests share.
 * Included by one test file each; CRF_NOW is 2026-03-01T02:00:00Z.
 */
#ifndef CRF_TEST_REVIEW_SITE_H
#define CRF_TEST_REVIEW_SITE_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crf/store.h"
#include "crf/util.h"

#define REVIEW_UNUSED __attribute__((unused))

static char dir[64];
static char *path;
static store *st;
static long long subj;

#define NURSE_PW "Nurse-Password-1"
#define PI_PW "Investigator-Pw-2"
#define CRA_PW "Monitor-Password-3"
#define DM_PW "DataManager-Pw-4"

REVIEW_UNUSED static void
as(const char *login, const char *pw)
{
	user_row u;
	crf_err e;

	assert_int_equal(store_login(st, login, pw, &u, &e), CRF_OK);
	user_row_clear(&u);
}

REVIEW_UNUSED static char *
query(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	char *out = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
		out = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return out;
}

REVIEW_UNUSED static void
expect_query(const char *sql, const char *want)
{
	char *got = query(sql);

	if (want == NULL) {
		assert_null(got);
	} else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
	free(got);
}

/* Save one field of a form as the nurse, complete, with a reason. */
REVIEW_UNUSED static crf_status
save(const form_key *k, const char *field, const char *value, const char *reason,
    crf_err *e)
{
	form_data fd;
	item_change ch = { field, value, NULL, 0 };
	crf_status cs = store_load_form(st, k, &fd, e);
	int v;

	if (cs != CRF_OK)
		return cs;
	cs = store_save_form(st, k, fd.version, 1, FORM_COMPLETE, &ch, 1, reason, &v, e);
	form_data_clear(&fd);
	return cs;
}

/* A new site database in a folder made from template (mkdtemp) with the
 * four accounts and one subject, screened by the nurse, who stays signed
 * in.  0, or -1 when it cannot be made. */
REVIEW_UNUSED static int
review_site_setup(const char *template)
{
	subject_row s;
	crf_err e;

	snprintf(dir, sizeof dir, "%s", template);
	if (mkdtemp(dir) == NULL)
		return -1;
	path = path_join(dir, "site.db");
	setenv("CRF_NOW", "2026-03-01T02:00:00Z", 1);
	if (store_create(path, "TJ01", "Tianjin", &st, &e) != CRF_OK)
		return -1;
	store_set_user(st, "setup");
	if (store_add_user(st, "nurse", "Wang Fang", "data-entry", NURSE_PW, &e) ||
	    store_add_user(st, "pi", "Li Wei", "investigator", PI_PW, &e) ||
	    store_add_user(st, "cra", "Zhao Lei", "monitor", CRA_PW, &e) ||
	    store_add_user(st, "dm", "Chen Jing", "data-manager", DM_PW, &e))
		return -1;
	as("nurse", NURSE_PW);
	if (store_add_subject(st, &s, &e) != CRF_OK)
		return -1;
	subj = s.id;
	subject_row_clear(&s);
	return 0;
}

/* Close the site and remove its folder with everything a test left in it. */
REVIEW_UNUSED static int
teardown(void **state)
{
	char *cmd;

	(void)state;
	store_close(st);
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(cmd);
	free(path);
	return 0;
}

/* The trail verifies without a problem (they are printed when not). */
REVIEW_UNUSED static void
expect_trail_intact(void)
{
	audit_report r;
	crf_err e;

	assert_int_equal(store_audit_verify(st, NULL, &r, &e), CRF_OK);
	for (size_t i = 0; i < r.nissues; i++)
		fprintf(stderr, "issue: %s\n", r.issues[i].text);
	assert_int_equal(r.nissues, 0);
	audit_report_clear(&r);
}

#endif
