/* test_users.c - accounts (argon2id hashes, no reuse, audited logins),
 * password changes, resets and expiry, and drafts kept across a hang-up. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crf/store.h"
#include "crf/util.h"

static char dir[64];
static char *path;
static store *st;

static int
setup(void **state)
{
	crf_err e;

	(void)state;
	strcpy(dir, "/tmp/crf-users.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	path = path_join(dir, "site.db");
	setenv("CRF_NOW", "2026-02-01T08:00:00Z", 1);
	if (store_create(path, "TJ01", "Tianjin", &st, &e) != CRF_OK)
		return -1;
	store_set_user(st, "tester");
	return 0;
}

static int
teardown(void **state)
{
	char *p;

	(void)state;
	store_close(st);
	unlink(path);
	p = xasprintf("%s-wal", path);
	unlink(p);
	free(p);
	p = xasprintf("%s-shm", path);
	unlink(p);
	free(p);
	free(path);
	rmdir(dir);
	return 0;
}

static char *
query(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	char *out = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		out = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return out;
}

static void
expect_query(const char *sql, const char *want)
{
	char *got = query(sql);

	if (want == NULL)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
	free(got);
}

static void
test_accounts(void **state)
{
	long long n;
	user_row u;
	crf_err e;
	char *hash;

	(void)state;
	assert_int_equal(store_user_count(st, &n, &e), CRF_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_add_user(st, "admin", "Li Wei", "admin", "correct horse", &e),
	    CRF_OK);
	assert_int_equal(store_user_count(st, &n, &e), CRF_OK);
	assert_int_equal(n, 1);
	/* Only an argon2id hash is stored, never the password. */
	hash = query("SELECT pw_hash FROM account WHERE login = 'admin'");
	assert_non_null(hash);
	assert_true(str_starts(hash, "$argon2id$"));
	assert_null(strstr(hash, "correct horse"));
	free(hash);
	expect_query("SELECT count(*) FROM audit WHERE action = 'user-create' AND field = 'admin'", "1");
	/* Logins are never reused. */
	assert_int_equal(store_add_user(st, "admin", "Somebody Else", "data-entry", "x1234567890", &e),
	    CRF_EEXIST);
	assert_non_null(strstr(e.msg, "never reused"));
	/* Accounts cannot be deleted, even with SQL. */
	{
		sqlite3 *db;
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_not_equal(sqlite3_exec(db, "DELETE FROM account", NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
	}

	assert_int_equal(store_login(st, "admin", "wrong password", &u, &e), CRF_EDENIED);
	assert_string_equal(e.msg, "the user name or password is wrong");
	assert_null(u.login);
	assert_int_equal(store_login(st, "nobody", "correct horse", &u, &e), CRF_EDENIED);
	assert_string_equal(e.msg, "the user name or password is wrong");
	assert_int_equal(store_login(st, "admin", "correct horse", &u, &e), CRF_OK);
	assert_string_equal(u.login, "admin");
	assert_string_equal(u.full_name, "Li Wei");
	assert_string_equal(u.role, "admin");
	assert_true(u.active);
	user_row_clear(&u);
	expect_query("SELECT count(*) FROM audit WHERE action = 'login-failed'", "2");
	expect_query("SELECT user FROM audit WHERE action = 'login'", "admin");
	expect_query("SELECT user FROM audit WHERE action = 'login-failed' AND field = 'nobody'",
	    "nobody");
}

static void
test_drafts(void **state)
{
	subject_row subj;
	form_data fd;
	bool found;
	crf_err e;
	form_key key = { 0, "scr", 1, "dm", 1 };
	item_change items[] = {
		{ "height", "170.0", NULL, 0 },
		{ "weight", NULL, "ND", 0 },
		{ "name", "王小明", NULL, 0 },
	};

	(void)state;
	/* Signed in as the administrator (test_accounts), who enters no data:
	 * a research nurse's account does. */
	assert_int_equal(store_add_subject(st, &subj, &e), CRF_EDENIED);
	assert_int_equal(store_add_user(st, "nurse", "Wang Fang", "data-entry",
	    "Nurse-Password-1", &e), CRF_OK);
	{
		user_row u;
		assert_int_equal(store_login(st, "nurse", "Nurse-Password-1", &u, &e), CRF_OK);
		user_row_clear(&u);
	}
	assert_int_equal(store_add_subject(st, &subj, &e), CRF_OK);
	key.subject_id = subj.id;
	assert_int_equal(store_get_draft(st, &key, "nurse", &fd, &found, &e), CRF_OK);
	assert_false(found);
	assert_int_equal(store_put_draft(st, &key, "nurse", 3, items, 3, &e), CRF_OK);
	assert_int_equal(store_get_draft(st, &key, "nurse", &fd, &found, &e), CRF_OK);
	assert_true(found);
	assert_int_equal(fd.version, 3);
	assert_string_equal(fd.updated_at, "2026-02-01T08:00:00Z");
	assert_int_equal(fd.nitems, 3);
	assert_string_equal(fd.items[0].field, "height");
	assert_string_equal(fd.items[1].field, "name");
	assert_string_equal(fd.items[1].value, "王小明");
	assert_null(fd.items[2].value);
	assert_string_equal(fd.items[2].missing, "ND");
	form_data_clear(&fd);
	/* Another user's draft is apart; a new draft replaces the old. */
	assert_int_equal(store_get_draft(st, &key, "monitor", &fd, &found, &e), CRF_OK);
	assert_false(found);
	assert_int_equal(store_put_draft(st, &key, "nurse", 4, items, 1, &e), CRF_OK);
	assert_int_equal(store_get_draft(st, &key, "nurse", &fd, &found, &e), CRF_OK);
	assert_int_equal(fd.nitems, 1);
	assert_int_equal(fd.version, 4);
	form_data_clear(&fd);
	/* Drafts are not data: no audit rows, nothing in item. */
	expect_query("SELECT count(*) FROM item", "0");
	expect_query("SELECT count(*) FROM audit WHERE form = 'dm'", "0");
	assert_int_equal(store_drop_draft(st, &key, "nurse", &e), CRF_OK);
	assert_int_equal(store_get_draft(st, &key, "nurse", &fd, &found, &e), CRF_OK);
	assert_false(found);
	expect_query("SELECT count(*) FROM draft_item", "0");
	subject_row_clear(&subj);
}

/* The store itself refuses what the signed-in role may not do, whatever
 * a screen does (runs after test_drafts: the nurse's subject exists). */
static void
test_roles_enforced_by_the_store(void **state)
{
	form_key key = { 1, "scr", 1, "dm", 1 };
	item_change ch = { "height", "170.0", NULL, 0 };
	user_row u;
	subject_row subj;
	crf_err e;
	int v = 0;

	(void)state;
	assert_int_equal(store_login(st, "admin", "correct horse", &u, &e), CRF_OK);
	user_row_clear(&u);
	assert_int_equal(store_add_user(st, "cra", "Zhao Lei", "monitor", "Monitor-Password-2",
	    &e), CRF_OK);
	assert_int_equal(store_login(st, "cra", "Monitor-Password-2", &u, &e), CRF_OK);
	user_row_clear(&u);
	/* A monitor neither enters data, nor adds subjects, nor manages accounts. */
	assert_int_equal(store_save_form(st, &key, 0, 1, FORM_INCOMPLETE, &ch, 1, NULL, &v, &e),
	    CRF_EDENIED);
	assert_non_null(strstr(e.msg, "monitor"));
	assert_int_equal(store_add_subject(st, &subj, &e), CRF_EDENIED);
	assert_int_equal(store_add_user(st, "x1", "X", "admin", "Password-123", &e), CRF_EDENIED);
	assert_int_equal(store_change_user(st, "nurse", USER_SET_ROLE, "admin", &e), CRF_EDENIED);
	expect_query("SELECT count(*) FROM item", "0");
	expect_query("SELECT role FROM account WHERE login = 'nurse'", "data-entry");
	/* The nurse may save, but only an investigator or nurse marks complete. */
	assert_int_equal(store_login(st, "nurse", "Nurse-Password-1", &u, &e), CRF_OK);
	user_row_clear(&u);
	assert_int_equal(store_save_form(st, &key, 0, 1, FORM_COMPLETE, &ch, 1, NULL, &v, &e),
	    CRF_OK);
	expect_query("SELECT value FROM item", "170.0");
}

/* Sign in, or fail the test. */
static void
sign_in(const char *login, const char *password, bool must_change)
{
	user_row u;
	crf_err e;

	assert_int_equal(store_login(st, login, password, &u, &e), CRF_OK);
	assert_int_equal(u.must_change, must_change);
	user_row_clear(&u);
}

/* A person changes their own password (runs after the tests above: the
 * nurse is signed in). */
static void
test_change_password(void **state)
{
	user_row u;
	crf_err e;
	char *hash;

	(void)state;
	sign_in("nurse", "Nurse-Password-1", false);
	hash = query("SELECT pw_hash FROM account WHERE login = 'nurse'");
	/* A wrong old password is refused and counts towards the lockout. */
	assert_int_equal(store_change_password(st, "nurse", "Wrong-Password-0",
	    "Nurse-Password-2", &e), CRF_EDENIED);
	assert_string_equal(e.msg, "the password is wrong");
	expect_query("SELECT failed_logins FROM account WHERE login = 'nurse'", "1");
	expect_query("SELECT count(*) FROM audit WHERE action = 'password-change-failed'"
	    " AND field = 'nurse' AND user = 'nurse'", "1");
	expect_query("SELECT count(*) FROM audit WHERE action = 'password-change'", "0");
	/* The new password must differ from the old one. */
	assert_int_equal(store_change_password(st, "nurse", "Nurse-Password-1",
	    "Nurse-Password-1", &e), CRF_EINVAL);
	assert_non_null(strstr(e.msg, "differ"));
	/* Only one's own password. */
	assert_int_equal(store_change_password(st, "cra", "Monitor-Password-2",
	    "Monitor-Password-3", &e), CRF_EDENIED);
	expect_query("SELECT count(*) FROM audit WHERE action = 'password-change'", "0");
	{
		char *same = query("SELECT pw_hash FROM account WHERE login = 'nurse'");
		assert_string_equal(same, hash);
		free(same);
	}

	assert_int_equal(store_change_password(st, "nurse", "Nurse-Password-1",
	    "Nurse-Password-2", &e), CRF_OK);
	expect_query("SELECT failed_logins || '|' || must_change || '|' || pw_changed_at"
	    " FROM account WHERE login = 'nurse'", "0|0|2026-02-01T08:00:00Z");
	{
		char *now = query("SELECT pw_hash FROM account WHERE login = 'nurse'");
		assert_true(str_starts(now, "$argon2id$"));
		assert_string_not_equal(now, hash);
		assert_null(strstr(now, "Nurse-Password"));
		free(now);
	}
	free(hash);
	/* Audited under the person, without any password. */
	expect_query("SELECT user || '|' || field || '|' || coalesce(old_value, '-') || '|' ||"
	    " coalesce(new_value, '-') || '|' || coalesce(reason, '-') FROM audit"
	    " WHERE action = 'password-change'", "nurse|nurse|-|-|-");
	expect_query("SELECT count(*) FROM audit WHERE coalesce(old_value, '') ||"
	    " coalesce(new_value, '') || coalesce(reason, '') LIKE '%Nurse-Password%'", "0");
	/* The old password no longer signs in; the new one does. */
	assert_int_equal(store_login(st, "nurse", "Nurse-Password-1", &u, &e), CRF_EDENIED);
	sign_in("nurse", "Nurse-Password-2", false);
}

/* An administrator's reset: the person must change the password at the
 * next sign-in, and no longer once they have. */
static void
test_must_change_after_reset(void **state)
{
	user_row *rows;
	size_t n;
	crf_err e;

	(void)state;
	sign_in("admin", "correct horse", false);
	assert_int_equal(store_change_user(st, "nurse", USER_RESET_PASSWORD, "Reset-Password-3",
	    &e), CRF_OK);
	expect_query("SELECT must_change FROM account WHERE login = 'nurse'", "1");
	expect_query("SELECT count(*) FROM audit WHERE action = 'password-reset' AND field = 'nurse'"
	    " AND user = 'admin' AND old_value IS NULL AND new_value IS NULL", "1");
	assert_int_equal(store_list_users(st, &rows, &n, &e), CRF_OK);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(rows[i].must_change, str_eq(rows[i].login, "nurse"));
		assert_non_null(rows[i].pw_changed_at);
	}
	user_rows_free(rows, n);

	sign_in("nurse", "Reset-Password-3", true);
	assert_int_equal(store_change_password(st, "nurse", "Reset-Password-3",
	    "Nurse-Password-4", &e), CRF_OK);
	expect_query("SELECT must_change FROM account WHERE login = 'nurse'", "0");
	sign_in("nurse", "Nurse-Password-4", false);
}

/* Passwords older than password_max_age_days must be changed at sign-in. */
static void
test_must_change_after_expiry(void **state)
{
	crf_err e;

	(void)state;
	/* The nurse's password was set on 2026-02-01 at 08:00 UTC. */
	store_set_password_max_age(st, 30);
	setenv("CRF_NOW", "2026-03-03T08:00:00Z", 1);   /* 30 days: not older */
	sign_in("nurse", "Nurse-Password-4", false);
	setenv("CRF_NOW", "2026-03-03T08:00:01Z", 1);   /* a second more */
	sign_in("nurse", "Nurse-Password-4", true);
	/* Never with 0. */
	store_set_password_max_age(st, 0);
	setenv("CRF_NOW", "2036-03-03T08:00:00Z", 1);
	sign_in("nurse", "Nurse-Password-4", false);
	store_set_password_max_age(st, 30);
	sign_in("nurse", "Nurse-Password-4", true);
	/* The flag in the database is for resets only: expiry is worked out
	 * at sign-in. */
	expect_query("SELECT must_change FROM account WHERE login = 'nurse'", "0");
	/* A change restarts the password's age. */
	assert_int_equal(store_change_password(st, "nurse", "Nurse-Password-4",
	    "Nurse-Password-5", &e), CRF_OK);
	expect_query("SELECT pw_changed_at FROM account WHERE login = 'nurse'",
	    "2036-03-03T08:00:00Z");
	sign_in("nurse", "Nurse-Password-5", false);
	store_set_password_max_age(st, 0);
	setenv("CRF_NOW", "2026-02-01T08:00:00Z", 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accounts),
		cmocka_unit_test(test_drafts),
		cmocka_unit_test(test_roles_enforced_by_the_store),
		cmocka_unit_test(test_change_password),
		cmocka_unit_test(test_must_change_after_reset),
		cmocka_unit_test(test_must_change_after_expiry),
	};
	return cmocka_run_group_tests_name("users", tests, setup, teardown);
}
