/* test_signoff.c - signatures (and their invalidation), locks and source
 * data verification, each refused by the store to the wrong role. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crf/signoff.h"
#include "crf/store.h"
#include "crf/util.h"

#include "review_site.h"

static int
setup(void **state)
{
	(void)state;
	return review_site_setup("/tmp/crf-signoff.XXXXXX");
}

/* Run sql on the file behind crf's back: verification names it. */
static void
expect_tampering(const char *sql, const char *issue)
{
	audit_report r;
	crf_err e;
	sqlite3 *db;
	bool seen = false;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_audit_verify(st, NULL, &r, &e), CRF_OK);
	for (size_t i = 0; i < r.nissues; i++)
		if (r.issues[i].kind == AUDIT_REVIEW_DIFFERS &&
		    strstr(r.issues[i].text, issue) != NULL)
			seen = true;
	if (!seen)
		for (size_t i = 0; i < r.nissues; i++)
			fprintf(stderr, "issue: %s\n", r.issues[i].text);
	assert_true(seen);
	audit_report_clear(&r);
}

static void
test_signature_and_invalidation(void **state)
{
	form_key dm = { subj, "scr", 1, "dm", 1 };
	form_key vs = { subj, "scr", 1, "vs", 1 };
	signoff_target tf = signoff_target_of(&dm, SCOPE_FORM);
	signoff_target te = signoff_target_of(&dm, SCOPE_EVENT);
	signoff_target tc = signoff_target_of(&dm, SCOPE_CASEBOOK);
	signature_row sig, *rows;
	size_t n;
	crf_err e;
	form_data fd;
	item_change ch = { "pulse", "70", NULL, 0 };
	int v;

	(void)state;
	/* Nothing saved yet: nothing to sign. */
	as("pi", PI_PW);
	assert_false(store_signed_before(st));
	assert_int_equal(store_sign(st, &tf, "pi", PI_PW, &sig, &e), CRF_EINVAL);
	assert_non_null(strstr(e.msg, "nothing to sign"));

	as("nurse", NURSE_PW);
	assert_int_equal(save(&dm, "height", "170.0", NULL, &e), CRF_OK);
	assert_int_equal(store_load_form(st, &vs, &fd, &e), CRF_OK);
	assert_int_equal(store_save_form(st, &vs, 0, 1, FORM_INCOMPLETE, &ch, 1, NULL, &v, &e),
	    CRF_OK);
	form_data_clear(&fd);

	/* A nurse cannot sign, even with her own password. */
	assert_int_equal(store_sign(st, &tf, "nurse", NURSE_PW, NULL, &e), CRF_EDENIED);
	assert_non_null(strstr(e.msg, "sign"));

	as("pi", PI_PW);
	/* Both components: another person's login, or a wrong password, fails;
	 * the wrong password counts and is audited. */
	assert_int_equal(store_sign(st, &tf, "nurse", NURSE_PW, NULL, &e), CRF_EDENIED);
	assert_int_equal(store_sign(st, &tf, "pi", "not-my-password", NULL, &e), CRF_EDENIED);
	assert_string_equal(e.msg, "the password is wrong");
	expect_query("SELECT count(*) FROM audit WHERE action = 'sign-failed' AND user = 'pi'", "1");
	expect_query("SELECT failed_logins FROM account WHERE login = 'pi'", "1");
	/* The visit holds an incomplete form: it cannot be signed as a whole. */
	assert_int_equal(store_sign(st, &te, "pi", PI_PW, NULL, &e), CRF_EINVAL);
	assert_non_null(strstr(e.msg, "vs (scr) is not complete"));

	assert_int_equal(store_sign(st, &tf, "pi", PI_PW, &sig, &e), CRF_OK);
	assert_true(store_signed_before(st));
	assert_string_equal(sig.full_name, "Li Wei");
	assert_string_equal(sig.meaning, "I approve the data of this form");
	assert_string_equal(sig.signed_at, "2026-03-01T02:00:00Z");
	assert_string_equal(sig.tz_offset, "+08:00");
	assert_int_equal(strlen(sig.content_hash), 64);
	expect_query("SELECT failed_logins FROM account WHERE login = 'pi'", "0");
	expect_query("SELECT reason FROM audit WHERE action = 'sign'",
	    "I approve the data of this form");
	expect_query("SELECT new_value = (SELECT content_hash FROM signature) FROM audit"
	    " WHERE action = 'sign' AND form = 'dm' AND event = 'scr'", "1");
	expect_query("SELECT audit_seq = (SELECT seq FROM audit WHERE action = 'sign')"
	    " FROM signature", "1");
	signature_row_clear(&sig);

	assert_int_equal(store_list_signatures(st, subj, &rows, &n, &e), CRF_OK);
	assert_int_equal(n, 1);
	assert_false(rows[0].changed);
	assert_false(rows[0].superseded);
	assert_true(signature_covers(&rows[0], &dm));
	assert_false(signature_covers(&rows[0], &vs));
	signature_rows_free(rows, n);

	/* A change to the content marks it "changed since signed"; a change
	 * elsewhere does not. */
	as("nurse", NURSE_PW);
	assert_int_equal(save(&vs, "pulse", "72", NULL, &e), CRF_OK);
	assert_int_equal(store_list_signatures(st, subj, &rows, &n, &e), CRF_OK);
	assert_false(rows[0].changed);
	signature_rows_free(rows, n);
	assert_int_equal(save(&dm, "height", "171.0", "transcription error", &e), CRF_OK);
	assert_int_equal(store_list_signatures(st, subj, &rows, &n, &e), CRF_OK);
	assert_true(rows[0].changed);
	signature_rows_free(rows, n);

	/* Signing again: the old signature is superseded; the new one holds.
	 * A new sign-in (also after an idle lock) is a new session. */
	as("pi", PI_PW);
	assert_false(store_signed_before(st));
	assert_int_equal(store_sign(st, &tf, "pi", PI_PW, NULL, &e), CRF_OK);
	assert_int_equal(store_sign(st, &tc, "pi", PI_PW, NULL, &e), CRF_OK);
	assert_int_equal(store_list_signatures(st, subj, &rows, &n, &e), CRF_OK);
	assert_int_equal(n, 3);
	assert_true(rows[0].superseded);
	assert_false(rows[1].superseded);
	assert_false(rows[1].changed);
	assert_int_equal(rows[2].scope, SCOPE_CASEBOOK);
	assert_null(rows[2].event);
	assert_true(signature_covers(&rows[2], &vs));
	signature_rows_free(rows, n);

	/* After signing out nothing is allowed until the next sign-in. */
	assert_int_equal(store_logout(st, &e), CRF_OK);
	expect_query("SELECT count(*) FROM audit WHERE action = 'logout' AND field = 'pi'", "1");
	assert_int_equal(store_sign(st, &tc, "pi", PI_PW, NULL, &e), CRF_EDENIED);
	assert_non_null(strstr(e.msg, "Sign in first"));
	as("pi", PI_PW);

	/* Signatures cannot be changed or removed, even with SQL. */
	{
		sqlite3 *db;
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_not_equal(sqlite3_exec(db, "UPDATE signature SET content_hash = 'x'",
		    NULL, NULL, NULL), SQLITE_OK);
		assert_int_not_equal(sqlite3_exec(db, "DELETE FROM signature", NULL, NULL, NULL),
		    SQLITE_OK);
		sqlite3_close(db);
	}
	expect_trail_intact();
}

static void
test_locks(void **state)
{
	form_key dm = { subj, "scr", 1, "dm", 1 };
	form_key vs = { subj, "scr", 1, "vs", 1 };
	signoff_target tf = signoff_target_of(&dm, SCOPE_FORM);
	signoff_target te = signoff_target_of(&dm, SCOPE_EVENT);
	signoff_target tc = signoff_target_of(&dm, SCOPE_CASEBOOK);
	lock_row *rows, by;
	size_t n;
	bool locked;
	crf_err e;

	(void)state;
	as("nurse", NURSE_PW);
	assert_int_equal(store_lock(st, &tf, &e), CRF_EDENIED);
	as("cra", CRA_PW);
	assert_int_equal(store_lock(st, &tf, &e), CRF_EDENIED);

	as("dm", DM_PW);
	assert_int_equal(store_lock(st, &tf, &e), CRF_OK);
	assert_int_equal(store_lock(st, &tf, &e), CRF_EEXIST);
	assert_int_equal(store_form_locked(st, &dm, &locked, &by, &e), CRF_OK);
	assert_true(locked);
	assert_string_equal(by.locked_by, "dm");
	lock_row_clear(&by);
	assert_int_equal(store_form_locked(st, &vs, &locked, NULL, &e), CRF_OK);
	assert_false(locked);

	/* Read-only for everyone: the nurse's change is refused, nothing written. */
	as("nurse", NURSE_PW);
	assert_int_equal(save(&dm, "height", "180.0", "typo", &e), CRF_ELOCKED);
	assert_non_null(strstr(e.msg, "this form is locked (by dm"));
	expect_query("SELECT value FROM item WHERE field = 'height'", "171.0");
	assert_int_equal(save(&vs, "pulse", "74", "typo", &e), CRF_OK);

	/* Unlocking needs the right role and a reason. */
	assert_int_equal(store_unlock(st, &tf, "correction", &e), CRF_EDENIED);
	as("dm", DM_PW);
	assert_int_equal(store_unlock(st, &tf, "  ", &e), CRF_EINVAL);
	assert_int_equal(store_unlock(st, &tf, "query 3 needs a correction", &e), CRF_OK);
	assert_int_equal(store_unlock(st, &tf, "again", &e), CRF_ENOENT);
	expect_query("SELECT reason FROM audit WHERE action = 'unlock'", "query 3 needs a correction");
	expect_query("SELECT unlock_reason FROM record_lock", "query 3 needs a correction");
	as("nurse", NURSE_PW);
	assert_int_equal(save(&dm, "height", "172.0", "corrected at the monitor's query", &e),
	    CRF_OK);

	/* An event lock covers its forms; a casebook lock everything.  A form
	 * inside a locked visit is unlocked by unlocking the visit. */
	as("dm", DM_PW);
	assert_int_equal(store_lock(st, &te, &e), CRF_OK);
	assert_int_equal(store_unlock(st, &tf, "x", &e), CRF_ENOENT);
	assert_int_equal(store_lock(st, &tc, &e), CRF_OK);
	assert_int_equal(store_list_locks(st, subj, &rows, &n, &e), CRF_OK);
	assert_int_equal(n, 2);
	assert_true(lock_covers(&rows[0], &vs));
	assert_int_equal(rows[1].scope, SCOPE_CASEBOOK);
	lock_rows_free(rows, n);
	assert_int_equal(store_unlock(st, &te, "visit reopened", &e), CRF_OK);
	as("nurse", NURSE_PW);
	assert_int_equal(save(&vs, "pulse", "75", "typo", &e), CRF_ELOCKED);
	assert_non_null(strstr(e.msg, "this casebook is locked"));
	as("dm", DM_PW);
	assert_int_equal(store_unlock(st, &tc, "database lock undone", &e), CRF_OK);
	expect_query("SELECT count(*) FROM audit WHERE action = 'lock'", "3");
	expect_query("SELECT event IS NULL AND form IS NULL FROM audit WHERE action = 'lock'"
	    " ORDER BY seq DESC LIMIT 1", "1");
	expect_query("SELECT form IS NULL AND form_repeat IS NULL AND event = 'scr' FROM audit"
	    " WHERE action = 'unlock' AND reason = 'visit reopened'", "1");
	{
		sqlite3 *db;
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_not_equal(sqlite3_exec(db, "DELETE FROM record_lock", NULL, NULL, NULL),
		    SQLITE_OK);
		sqlite3_close(db);
	}
	expect_trail_intact();
}

static void
test_source_data_verification(void **state)
{
	form_key dm = { subj, "scr", 1, "dm", 1 };
	form_key ae = { subj, "", 0, "ae", 1 };
	form_data fd;
	crf_err e;

	(void)state;
	as("nurse", NURSE_PW);
	assert_int_equal(store_mark_verified(st, &dm, &e), CRF_EDENIED);
	as("cra", CRA_PW);
	assert_int_equal(store_mark_verified(st, &ae, &e), CRF_EINVAL);
	assert_non_null(strstr(e.msg, "only a complete form"));
	assert_int_equal(store_mark_verified(st, &dm, &e), CRF_OK);
	assert_int_equal(store_mark_verified(st, &dm, &e), CRF_EEXIST);
	assert_int_equal(store_load_form(st, &dm, &fd, &e), CRF_OK);
	assert_string_equal(fd.sdv_by, "cra");
	assert_string_equal(fd.sdv_at, "2026-03-01T02:00:00Z");
	form_data_clear(&fd);
	{
		form_row *rows;
		size_t n;
		bool seen = false;
		assert_int_equal(store_list_forms(st, subj, &rows, &n, &e), CRF_OK);
		for (size_t i = 0; i < n; i++)
			if (strcmp(rows[i].form, "dm") == 0)
				seen = rows[i].verified;
		form_rows_free(rows, n);
		assert_true(seen);
	}

	/* A later change clears the mark, audited with the change's reason. */
	as("nurse", NURSE_PW);
	assert_int_equal(save(&dm, "height", "173.0", "scale recalibrated", &e), CRF_OK);
	assert_int_equal(store_load_form(st, &dm, &fd, &e), CRF_OK);
	assert_null(fd.sdv_by);
	form_data_clear(&fd);
	expect_query("SELECT reason FROM audit WHERE action = 'sdv-clear'", "scale recalibrated");
	expect_query("SELECT user FROM audit WHERE action = 'sdv-clear'", "nurse");
	as("cra", CRA_PW);
	assert_int_equal(store_mark_verified(st, &dm, &e), CRF_OK);
	expect_query("SELECT count(*) FROM audit WHERE action = 'sdv'", "2");
	expect_trail_intact();

	/* Review records changed with the sqlite3 shell are caught. */
	expect_tampering("UPDATE form_instance SET sdv_by = NULL WHERE form = 'dm'",
	    "form TJ01-0001 scr/1 dm/1 is not marked verified but the audit trail says "
	    "it was verified");
	expect_tampering("INSERT INTO record_lock (subject_id, scope, event, event_repeat,"
	    " form, form_repeat, locked_by, locked_at) VALUES (1, 'form', 'scr', 1, 'vs', 1,"
	    " 'dm', '2026-03-01T02:00:00Z')",
	    "TJ01-0001 scr/1 vs/1 has 1 lock in force but the audit trail says it is "
	    "not locked");
	expect_tampering("DROP TRIGGER signature_no_update;"
	    " UPDATE signature SET meaning = 'I reviewed' WHERE id = 1",
	    "signature 1 of TJ01-0001 does not match its audit row");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature_and_invalidation),
		cmocka_unit_test(test_locks),
		cmocka_unit_test(test_source_data_verification),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
