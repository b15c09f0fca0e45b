/* test_audit.c - the audit trail's hash chain, its verification, tampering
 * with the file behind crf's back, clocks set back, the 1 -> 2 migration
 * and the subject's history. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "crf/audit.h"
#include "crf/store.h"
#include "crf/util.h"

#define T0 "2026-03-02T01:00:00Z"

typedef struct fx {
	char dir[64];
	char path[128];
	store *st;
} fx;

static int
fx_setup(void **state)
{
	fx *f = calloc(1, sizeof *f);

	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/crf-audit-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof f->path, "%s/site.db", f->dir);
	setenv("CRF_NOW", T0, 1);
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	fx *f = *state;
	DIR *d;
	struct dirent *e;

	store_close(f->st);
	d = opendir(f->dir);
	while (d != NULL && (e = readdir(d)) != NULL) {
		char p[512];

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", f->dir, e->d_name);
		unlink(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* ---- The file as a tamperer sees it: the sqlite3 shell's view ----------- */

static void
raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;
	int rc;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fprintf(stderr, "# %s: %s\n", sql, msg ? msg : "?");
	sqlite3_free(msg);
	sqlite3_close(db);
	assert_int_equal(rc, SQLITE_OK);
}

static long long
raw_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	long long v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* First column of the first row, copied into buf ("(null)" for NULL). */
static const char *
raw_text(const char *path, const char *sql, char *buf, size_t size)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;

	snprintf(buf, size, "(no row)");
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);

		snprintf(buf, size, "%s", t ? (const char *)t : "(null)");
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return buf;
}

/* What a careful tamperer does in the sqlite3 shell: keep the text of the
 * append-only triggers, drop them, run sql, and create them again. */
static void
tamper(const char *path, const char *sql)
{
	char triggers[1024], *all;

	raw_text(path, "SELECT group_concat(sql, ';') FROM sqlite_schema"
	    " WHERE type = 'trigger' AND tbl_name = 'audit'", triggers,
	    sizeof triggers);
	assert_non_null(strstr(triggers, "audit_no_update"));
	assert_non_null(strstr(triggers, "audit_no_delete"));
	all = xasprintf("DROP TRIGGER audit_no_update; DROP TRIGGER"
	    " audit_no_delete; %s; %s", sql, triggers);
	raw_exec(path, all);
	free(all);
}

/* ---- Store helpers ------------------------------------------------------ */

static store *
make_store(fx *f)
{
	crf_err e = { "" };

	assert_int_equal(store_create(f->path, "TJ01", "Tianjin First Hospital",
	    &f->st, &e), CRF_OK);
	store_set_user(f->st, "alice");
	return f->st;
}

static long long
add_subject(store *st)
{
	subject_row r;
	crf_err e = { "" };
	long long id;

	assert_int_equal(store_add_subject(st, &r, &e), CRF_OK);
	id = r.id;
	subject_row_clear(&r);
	return id;
}

static form_key
key_of(long long subject_id, const char *event, const char *form, int repeat)
{
	form_key k = { subject_id, event, *event ? 1 : 0, form, repeat };

	return k;
}

/* Save value into field of k on top of whatever version is stored. */
static void
save(store *st, const form_key *k, const char *field, const char *value,
    const char *missing, form_status status, const char *reason)
{
	item_change ch = { field, value, missing, 0 };
	form_data fd;
	crf_err e = { "" };

	assert_int_equal(store_load_form(st, k, &fd, &e), CRF_OK);
	if (store_save_form(st, k, fd.version, 1, status, &ch, 1, reason, NULL,
	    &e) != CRF_OK)
		fail_msg("save %s=%s: %s", field, value ? value : "-", e.msg);
	form_data_clear(&fd);
}

/*
 * A small casebook, as a day of data entry leaves it:
 *   seq 1  subject TJ01-0001              seq 2  subject TJ01-0002
 *   seq 3  weight 70 (create)             seq 4  status incomplete
 *   seq 5  height 170 (create)
 *   seq 6  weight 72 (update)
 *   seq 7  ae/1 aeterm Headache (create)  seq 8  status incomplete
 *   seq 9  weight -> [UNK] (update)
 *   seq 10 height cleared
 */
static form_key
casebook(fx *f, form_key *ae)
{
	long long id = add_subject(make_store(f));
	form_key k = key_of(id, "scr", "dm", 1);

	add_subject(f->st);
	save(f->st, &k, "weight", "70", NULL, FORM_INCOMPLETE, NULL);
	save(f->st, &k, "height", "170", NULL, FORM_INCOMPLETE, NULL);
	save(f->st, &k, "weight", "72", NULL, FORM_INCOMPLETE, NULL);
	*ae = key_of(id, "", "ae", 1);
	save(f->st, ae, "aeterm", "Headache", NULL, FORM_INCOMPLETE, NULL);
	save(f->st, &k, "weight", NULL, "UNK", FORM_INCOMPLETE, NULL);
	save(f->st, &k, "height", NULL, NULL, FORM_INCOMPLETE, NULL);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit"), 10);
	return k;
}

static void
verify(store *st, audit_report *r)
{
	crf_err e = { "" };

	assert_int_equal(store_audit_verify(st, NULL, r, &e), CRF_OK);
}

/* The trail must verify with no problem and no clock anomaly. */
static void
assert_intact(store *st, long long rows)
{
	audit_report r;

	verify(st, &r);
	for (size_t i = 0; i < r.nissues; i++)
		fprintf(stderr, "# unexpected: %s\n", r.issues[i].text);
	assert_int_equal(r.nissues, 0);
	assert_int_equal(r.rows, rows);
	assert_int_equal(r.last_seq, rows);
	audit_report_clear(&r);
}

/* Exactly one problem, of this kind, about this seq, with this text. */
static void
assert_one_issue(store *st, audit_issue_kind kind, long long seq,
    const char *text)
{
	audit_report r;

	verify(st, &r);
	if (r.nissues != 1)
		for (size_t i = 0; i < r.nissues; i++)
			fprintf(stderr, "# issue %zu: %s\n", i, r.issues[i].text);
	assert_int_equal(r.nissues, 1);
	assert_int_equal(r.issues[0].kind, kind);
	assert_int_equal(r.issues[0].seq, seq);
	assert_string_equal(r.issues[0].text, text);
	audit_report_clear(&r);
}

/* ---- The encoding ------------------------------------------------------- */

/* The documented bytes of one field, written out independently. */
static void
put_field(unsigned char *buf, size_t *len, const char *s)
{
	size_t n;

	if (s == NULL) {
		buf[(*len)++] = 0x00;
		return;
	}
	n = strlen(s);
	buf[(*len)++] = 0x01;
	for (int i = 7; i >= 0; i--)
		buf[(*len)++] = (unsigned char)((uint64_t)n >> (8 * i));
	memcpy(buf + *len, s, n);
	*len += n;
}

static void
test_encoding_as_documented(void **state)
{
	static const char *const row[AUDIT_NCOLS] = {
		"57", "2026-01-15T09:30:00Z", "+08:00", "wang.fang", "update",
		"TJ01-0001", "scr", "1", "dm", "1", "weight", "65.0", NULL, "80.0",
		NULL, "", "0",
	};
	const char *prev = "00112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeeff";
	unsigned char buf[1024], md[32];
	char want[65], got[AUDIT_HASH_HEX + 1], other[AUDIT_HASH_HEX + 1];
	audit_text col[AUDIT_NCOLS];
	size_t len = 0;

	(void)state;
	put_field(buf, &len, "crf-audit-1");
	put_field(buf, &len, prev);
	for (int i = 0; i < AUDIT_NCOLS; i++) {
		put_field(buf, &len, row[i]);
		col[i] = audit_str(row[i]);
	}
	crypto_generichash(md, sizeof md, buf, len, NULL, 0);
	sodium_bin2hex(want, sizeof want, md, sizeof md);

	audit_hash(audit_str(prev), col, got);
	assert_string_equal(got, want);
	assert_int_equal(strlen(got), AUDIT_HASH_HEX);

	/* The first row: no previous hash, which is not an empty one. */
	audit_hash(audit_str(NULL), col, got);
	audit_hash(audit_str(""), col, other);
	assert_string_not_equal(got, other);

	/* NULL and empty differ in every column; every column counts. */
	audit_hash(audit_str(prev), col, got);
	for (int i = 0; i < AUDIT_NCOLS; i++) {
		audit_text keep = col[i];

		col[i] = audit_str(keep.s == NULL ? "" : NULL);
		audit_hash(audit_str(prev), col, other);
		assert_string_not_equal(got, other);
		col[i] = audit_str("x");
		audit_hash(audit_str(prev), col, other);
		assert_string_not_equal(got, other);
		col[i] = keep;
	}
	/* Moving a byte from one column to the next changes the hash. */
	col[AUDIT_OLD_VALUE] = audit_str("65.0" "8");
	col[AUDIT_NEW_VALUE] = audit_str("0.0");
	audit_hash(audit_str(prev), col, other);
	assert_string_not_equal(got, other);
}

static void
test_clock_and_text(void **state)
{
	char *s;

	(void)state;
	assert_true(audit_clock_went_back(audit_str("2026-01-15T09:30:00Z"),
	    audit_str("2026-01-15T09:29:59Z")));
	assert_false(audit_clock_went_back(audit_str("2026-01-15T09:30:00Z"),
	    audit_str("2026-01-15T09:30:00Z")));
	assert_false(audit_clock_went_back(audit_str("2025-12-31T23:59:59Z"),
	    audit_str("2026-01-01T00:00:00Z")));
	assert_false(audit_clock_went_back(audit_str(NULL),
	    audit_str("2026-01-01T00:00:00Z")));

	s = audit_where_text("scr", 1, "dm", 1, "weight");
	assert_string_equal(s, "scr/1 dm/1 weight");
	free(s);
	s = audit_where_text("", 0, "ae", 2, "aeterm");
	assert_string_equal(s, "ae/2 aeterm");
	free(s);
	s = audit_where_text("fu", 3, "edss", 1, NULL);
	assert_string_equal(s, "fu/3 edss/1");
	free(s);
	s = audit_where_text(NULL, 0, NULL, 0, NULL);
	assert_string_equal(s, "");
	free(s);

	s = audit_value_text("80.0", NULL);
	assert_string_equal(s, "80.0");
	free(s);
	s = audit_value_text(NULL, "UNK");
	assert_string_equal(s, "[UNK]");
	free(s);
	s = audit_value_text("2026-03", "UNK");
	assert_string_equal(s, "2026-03 [UNK]");
	free(s);
	s = audit_value_text(NULL, NULL);
	assert_string_equal(s, "(blank)");
	free(s);

	/* Text from the file cannot drive the terminal. */
	s = audit_printable("a\x1b[2Jb\nc\\d\t\x7f 头痛 \xc2\x9b \xff");
	assert_string_equal(s, "a\\x1B[2Jb\\nc\\\\d\\t\\x7F 头痛 \\u009B \\xFF");
	free(s);
	s = audit_printable(NULL);
	assert_string_equal(s, "");
	free(s);
}

/* ---- The chain as crf writes it ---------------------------------------- */

static void
test_chain_on_saves(void **state)
{
	fx *f = *state;
	form_key k, ae;
	audit_report r;
	char head[128], buf[128];
	sqlite3 *db;
	sqlite3_stmt *s;
	char prev[AUDIT_HASH_HEX + 1] = "";
	long long n = 0;
	user_row u;

	k = casebook(f, &ae);
	(void)k;
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit WHERE"
	    " hash IS NULL OR length(hash) <> 64 OR hash GLOB '*[^0-9a-f]*'"), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(DISTINCT hash)"
	    " FROM audit"), 10);
	assert_int_equal(raw_int(f->path, "SELECT sum(clock_back) FROM audit"), 0);

	/* Recompute every link from the raw columns, in seq order. */
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT seq, ts_utc, tz_offset,"
	    " user, action, subject, event, event_repeat, form, form_repeat,"
	    " field, old_value, old_missing, new_value, new_missing, reason,"
	    " clock_back, hash FROM audit ORDER BY seq", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		audit_text col[AUDIT_NCOLS];
		char want[AUDIT_HASH_HEX + 1];

		n++;
		assert_int_equal(sqlite3_column_int64(s, 0), n);
		for (int i = 0; i < AUDIT_NCOLS; i++)
			col[i] = audit_str((const char *)sqlite3_column_text(s, i));
		audit_hash(audit_str(n == 1 ? NULL : prev), col, want);
		assert_string_equal((const char *)sqlite3_column_text(s, 17), want);
		strcpy(prev, want);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	assert_int_equal(n, 10);

	verify(f->st, &r);
	assert_int_equal(r.nissues, 0);
	assert_int_equal(r.nclocks, 0);
	assert_int_equal(r.rows, 10);
	assert_int_equal(r.last_seq, 10);
	assert_string_equal(r.head, raw_text(f->path, "SELECT hash FROM audit"
	    " WHERE seq = 10", head, sizeof head));
	audit_report_clear(&r);

	/* Account rows and sign-ins are chained like the rest. */
	assert_int_equal(store_add_user(f->st, "wang.fang", "Wang Fang",
	    "data-entry", "Nurse-Password-1", NULL), CRF_OK);
	assert_int_equal(store_login(f->st, "wang.fang", "wrong", &u, NULL),
	    CRF_EDENIED);
	assert_intact(f->st, 12);
	assert_string_equal(raw_text(f->path, "SELECT action FROM audit"
	    " WHERE seq = 12", buf, sizeof buf), "login-failed");

	/* The chain goes on after the file is closed and opened again. */
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(store_open(f->path, &f->st, NULL), CRF_OK);
	save(f->st, &ae, "aeterm", "Migraine", NULL, FORM_INCOMPLETE, NULL);
	assert_intact(f->st, 13);
}

static void
test_empty_trail(void **state)
{
	fx *f = *state;
	audit_report r;

	make_store(f);
	verify(f->st, &r);
	assert_int_equal(r.rows, 0);
	assert_int_equal(r.nissues, 0);
	assert_string_equal(r.head, "");
	audit_report_clear(&r);
}

/* ---- Tampering behind crf's back ---------------------------------------- */

static void
test_changed_row(void **state)
{
	fx *f = *state;
	form_key ae;
	audit_report r;

	casebook(f, &ae);
	/* The triggers stop the plain attempt. */
	{
		sqlite3 *db = NULL;

		assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, "UPDATE audit SET new_value = '65'"
		    " WHERE seq = 3", NULL, NULL, NULL), SQLITE_CONSTRAINT);
		sqlite3_close(db);
	}
	assert_intact(f->st, 10);

	/* The first weight, later corrected: only the chain can tell. */
	tamper(f->path, "UPDATE audit SET new_value = '65' WHERE seq = 3");
	assert_one_issue(f->st, AUDIT_ROW_CHANGED, 3,
	    "row 3 (seq 3) was changed outside crf: its hash does not match");

	/* The first bad row is the one named, however many follow. */
	tamper(f->path, "UPDATE audit SET user = 'mallory' WHERE seq = 8");
	verify(f->st, &r);
	assert_int_equal(r.nissues, 1);
	assert_int_equal(r.issues[0].row, 3);
	assert_int_equal(r.rows, 10);
	audit_report_clear(&r);

	/* Put back, the row verifies again; the other one is named. */
	tamper(f->path, "UPDATE audit SET new_value = '70' WHERE seq = 3");
	assert_one_issue(f->st, AUDIT_ROW_CHANGED, 8,
	    "row 8 (seq 8) was changed outside crf: its hash does not match");
	tamper(f->path, "UPDATE audit SET user = 'alice' WHERE seq = 8");
	assert_intact(f->st, 10);

	/* NULL for empty, a time, a flag, a hash of the right shape. */
	tamper(f->path, "UPDATE audit SET reason = '' WHERE seq = 5");
	assert_one_issue(f->st, AUDIT_ROW_CHANGED, 5,
	    "row 5 (seq 5) was changed outside crf: its hash does not match");
	tamper(f->path, "UPDATE audit SET reason = NULL WHERE seq = 5;"
	    " UPDATE audit SET ts_utc = '2026-03-02T00:59:00Z' WHERE seq = 6");
	assert_one_issue(f->st, AUDIT_ROW_CHANGED, 6,
	    "row 6 (seq 6) was changed outside crf: its hash does not match");
	tamper(f->path, "UPDATE audit SET ts_utc = '" T0 "' WHERE seq = 6;"
	    " UPDATE audit SET clock_back = 1 WHERE seq = 7");
	assert_one_issue(f->st, AUDIT_ROW_CHANGED, 7,
	    "row 7 (seq 7) was changed outside crf: its hash does not match");
	tamper(f->path, "UPDATE audit SET clock_back = 0 WHERE seq = 7;"
	    " UPDATE audit SET hash = replace(hash, substr(hash, 1, 1),"
	    " CASE substr(hash, 1, 1) WHEN 'a' THEN 'b' ELSE 'a' END)"
	    " WHERE seq = 9");
	assert_one_issue(f->st, AUDIT_ROW_CHANGED, 9,
	    "row 9 (seq 9) was changed outside crf: its hash does not match");
}

static void
test_rehashed_row_breaks_the_next(void **state)
{
	fx *f = *state;
	audit_text col[AUDIT_NCOLS];
	char prev[128], hash[AUDIT_HASH_HEX + 1], *sql;
	form_key ae;

	casebook(f, &ae);
	/* A tamperer who re-hashes the row changed (seq 3, weight 70 -> 65)
	 * but not the rows after it. */
	raw_text(f->path, "SELECT hash FROM audit WHERE seq = 2", prev,
	    sizeof prev);
	{
		static const char *const names[AUDIT_NCOLS] = {
			"seq", "ts_utc", "tz_offset", "user", "action", "subject",
			"event", "event_repeat", "form", "form_repeat", "field",
			"old_value", "old_missing", "new_value", "new_missing",
			"reason", "clock_back",
		};
		char buf[AUDIT_NCOLS][128];

		for (int i = 0; i < AUDIT_NCOLS; i++) {
			char *q = xasprintf("SELECT %s FROM audit WHERE seq = 3",
			    names[i]);

			raw_text(f->path, q, buf[i], sizeof buf[i]);
			col[i] = audit_str(strcmp(buf[i], "(null)") == 0 ? NULL :
			    buf[i]);
			free(q);
		}
		col[AUDIT_NEW_VALUE] = audit_str("65");
		audit_hash(audit_str(prev), col, hash);
	}
	sql = xasprintf("UPDATE audit SET new_value = '65', hash = '%s'"
	    " WHERE seq = 3", hash);
	tamper(f->path, sql);
	free(sql);
	assert_one_issue(f->st, AUDIT_ROW_CHANGED, 4,
	    "row 4 (seq 4) was changed outside crf: its hash does not match");
}

static void
test_deleted_rows(void **state)
{
	fx *f = *state;
	form_key ae;

	casebook(f, &ae);
	tamper(f->path, "DELETE FROM audit WHERE seq = 5");
	assert_one_issue(f->st, AUDIT_ROW_MISSING, 5,
	    "row 5 (seq 5) is missing (seq gap: seq 4 is followed by seq 6): "
	    "rows were deleted outside crf");
	tamper(f->path, "DELETE FROM audit WHERE seq IN (1, 2)");
	/* Rows 1 and 2 were the subjects' creation: the subjects now have no
	 * record in the trail either. */
	{
		audit_report r;

		verify(f->st, &r);
		assert_int_equal(r.nissues, 3);
		assert_int_equal(r.issues[0].kind, AUDIT_ROW_MISSING);
		assert_int_equal(r.issues[0].seq, 1);
		assert_string_equal(r.issues[0].text, "row 1 (seq 1) is missing (seq gap: "
		    "the trail starts at seq 3): rows were deleted outside crf");
		assert_string_equal(r.issues[1].text, "subject TJ01-0001 is screening but "
		    "the audit trail has no record of it");
		assert_int_equal(r.issues[2].kind, AUDIT_REVIEW_DIFFERS);
		audit_report_clear(&r);
	}
}

static void
test_deleted_last_row(void **state)
{
	fx *f = *state;
	audit_report r;
	form_key k, ae;

	k = casebook(f, &ae);
	/* The latest change of height (a clearing): the item table agrees
	 * with the shortened trail, the AUTOINCREMENT counter does not. */
	tamper(f->path, "DELETE FROM audit WHERE seq = 10");
	verify(f->st, &r);
	assert_true(r.nissues >= 1);
	assert_int_equal(r.issues[0].kind, AUDIT_ROW_MISSING);
	assert_int_equal(r.issues[0].row, 10);
	assert_string_equal(r.issues[0].text, "row 10 (seq 10) is missing: the "
	    "trail ends at seq 9 but crf had written up to seq 10: rows were "
	    "deleted outside crf");
	/* ... and the trail says height 170 is stored, which it is not. */
	assert_int_equal(r.nissues, 2);
	assert_int_equal(r.issues[1].kind, AUDIT_ITEM_DIFFERS);
	assert_string_equal(r.issues[1].text, "item TJ01-0001 scr/1 dm/1 height "
	    "is blank but the audit trail says 170 (seq 5)");
	audit_report_clear(&r);

	/* crf goes on after the gap and keeps it visible. */
	save(f->st, &k, "weight", "71", NULL, FORM_INCOMPLETE, NULL);
	assert_int_equal(raw_int(f->path, "SELECT max(seq) FROM audit"), 11);
	verify(f->st, &r);
	assert_int_equal(r.issues[0].kind, AUDIT_ROW_MISSING);
	assert_int_equal(r.issues[0].seq, 10);
	audit_report_clear(&r);
}

static void
test_inserted_row(void **state)
{
	fx *f = *state;
	form_key ae;

	casebook(f, &ae);
	raw_exec(f->path, "INSERT INTO audit (ts_utc, tz_offset, user, action,"
	    " subject, event, event_repeat, form, form_repeat, field, old_value,"
	    " new_value) VALUES ('" T0 "', '+08:00', 'alice', 'update',"
	    " 'TJ01-0001', 'scr', 1, 'dm', 1, 'height', NULL, '180')");
	/* The item no longer agrees either: that is the second problem. */
	{
		audit_report r;

		verify(f->st, &r);
		assert_int_equal(r.nissues, 2);
		assert_int_equal(r.issues[0].kind, AUDIT_ROW_INSERTED);
		assert_int_equal(r.issues[0].seq, 11);
		assert_string_equal(r.issues[0].text, "row 11 (seq 11) was inserted "
		    "outside crf: it has no hash");
		assert_string_equal(r.issues[1].text, "item TJ01-0001 scr/1 dm/1 "
		    "height is blank but the audit trail says 180 (seq 11)");
		audit_report_clear(&r);
	}
	/* With a made-up hash it is a row that does not match. */
	tamper(f->path, "UPDATE audit SET hash = (SELECT hash FROM audit"
	    " WHERE seq = 10) WHERE seq = 11; UPDATE audit SET new_value = NULL"
	    " WHERE seq = 11; UPDATE audit SET action = 'clear' WHERE seq = 11");
	assert_one_issue(f->st, AUDIT_ROW_CHANGED, 11,
	    "row 11 (seq 11) was changed outside crf: its hash does not match");
}

static void
test_items_behind_crfs_back(void **state)
{
	fx *f = *state;
	audit_report r;
	form_key ae;

	casebook(f, &ae);
	/* The audit rows are untouched: the chain is intact, the data not. */
	raw_exec(f->path, "UPDATE item SET missing = NULL, value = '80.0'"
	    " WHERE field = 'weight'");
	assert_one_issue(f->st, AUDIT_ITEM_DIFFERS, 9, "item TJ01-0001 scr/1 dm/1 "
	    "weight = 80.0 but the audit trail says [UNK] (seq 9)");
	raw_exec(f->path, "UPDATE item SET missing = 'UNK', value = NULL"
	    " WHERE field = 'weight'");
	assert_intact(f->st, 10);

	raw_exec(f->path, "UPDATE item SET missing = 'ND' WHERE field = 'weight'");
	assert_one_issue(f->st, AUDIT_ITEM_DIFFERS, 9, "item TJ01-0001 scr/1 dm/1 "
	    "weight = [ND] but the audit trail says [UNK] (seq 9)");
	raw_exec(f->path, "UPDATE item SET missing = 'UNK' WHERE field = 'weight'");

	raw_exec(f->path, "DELETE FROM item WHERE field = 'aeterm'");
	assert_one_issue(f->st, AUDIT_ITEM_DIFFERS, 7, "item TJ01-0001 ae/1 aeterm "
	    "is blank but the audit trail says Headache (seq 7)");

	raw_exec(f->path, "INSERT INTO item (instance_id, field, value)"
	    " SELECT instance_id, 'aeterm', 'Headache' FROM item"
	    " WHERE field = 'weight'");
	/* Back, but in the wrong form: both ends are reported. */
	verify(f->st, &r);
	assert_int_equal(r.nissues, 2);
	assert_string_equal(r.issues[0].text, "item TJ01-0001 ae/1 aeterm is "
	    "blank but the audit trail says Headache (seq 7)");
	assert_string_equal(r.issues[1].text, "item TJ01-0001 scr/1 dm/1 aeterm = "
	    "Headache but the audit trail has no record of it");
	assert_int_equal(r.issues[1].seq, 0);
	audit_report_clear(&r);
	raw_exec(f->path, "UPDATE item SET instance_id = (SELECT id FROM"
	    " form_instance WHERE form = 'ae') WHERE field = 'aeterm'");
	assert_intact(f->st, 10);

	/* A cleared field that came back. */
	raw_exec(f->path, "INSERT INTO item (instance_id, field, value)"
	    " SELECT instance_id, 'height', '170' FROM item WHERE field = 'weight'");
	assert_one_issue(f->st, AUDIT_ITEM_DIFFERS, 10, "item TJ01-0001 scr/1 dm/1 "
	    "height = 170 but the audit trail says it was cleared (seq 10)");
	raw_exec(f->path, "DELETE FROM item WHERE field = 'height'");

	/* A form marked complete without crf. */
	raw_exec(f->path, "UPDATE form_instance SET status = 2 WHERE form = 'dm'");
	assert_one_issue(f->st, AUDIT_FORM_DIFFERS, 4, "form TJ01-0001 scr/1 dm/1 "
	    "is complete but the audit trail says incomplete (seq 4)");
	raw_exec(f->path, "UPDATE form_instance SET status = 1 WHERE form = 'dm'");
	raw_exec(f->path, "INSERT INTO form_instance (subject_id, event,"
	    " event_repeat, form, form_repeat, status, version, form_version,"
	    " created_at, updated_at, updated_by) SELECT id, 'scr', 1, 'dm', 2,"
	    " 1, 1, 1, 'x', 'x', 'x' FROM subject WHERE key = 'TJ01-0002'");
	assert_one_issue(f->st, AUDIT_FORM_DIFFERS, 0, "form TJ01-0002 scr/1 dm/2 "
	    "is incomplete but the audit trail has no record of it");
}

static void
test_triggers(void **state)
{
	fx *f = *state;
	audit_report r;
	form_key ae;

	casebook(f, &ae);
	raw_exec(f->path, "DROP TRIGGER audit_no_delete");
	assert_one_issue(f->st, AUDIT_UNPROTECTED, 0, "the trigger audit_no_delete "
	    "is missing: the audit trail is not protected against changes");
	raw_exec(f->path, "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	    " BEGIN SELECT 1; END");
	assert_one_issue(f->st, AUDIT_UNPROTECTED, 0, "the trigger audit_no_delete "
	    "was changed outside crf: the audit trail is not protected against "
	    "changes");
	raw_exec(f->path, "DROP TRIGGER audit_no_delete; DROP TRIGGER"
	    " audit_no_update");
	verify(f->st, &r);
	assert_int_equal(r.nissues, 2);
	assert_non_null(strstr(r.issues[0].text, "audit_no_update is missing"));
	assert_non_null(strstr(r.issues[1].text, "audit_no_delete is missing"));
	audit_report_clear(&r);
}

/* What a tamperer who knows docs/audit.md does: change a row, then
 * recompute the hash of that row and of every row after it. */
static void
rewrite_from(const char *path, long long from, const char *change)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *rd = NULL, *wr = NULL;
	char prev[AUDIT_HASH_HEX + 1] = "", hash[AUDIT_HASH_HEX + 1];
	bool first = true;

	tamper(path, change);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN; DROP TRIGGER audit_no_update",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT seq, ts_utc, tz_offset,"
	    " user, action, subject, event, event_repeat, form, form_repeat,"
	    " field, old_value, old_missing, new_value, new_missing, reason,"
	    " clock_back, hash FROM audit ORDER BY seq", -1, &rd, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE audit SET hash = ?2"
	    " WHERE seq = ?1", -1, &wr, NULL), SQLITE_OK);
	while (sqlite3_step(rd) == SQLITE_ROW) {
		audit_text col[AUDIT_NCOLS];
		long long seq = sqlite3_column_int64(rd, 0);

		for (int i = 0; i < AUDIT_NCOLS; i++)
			col[i] = audit_str((const char *)sqlite3_column_text(rd, i));
		if (seq < from) {
			snprintf(prev, sizeof prev, "%s",
			    (const char *)sqlite3_column_text(rd, AUDIT_NCOLS));
			first = false;
			continue;
		}
		audit_hash(audit_str(first ? NULL : prev), col, hash);
		sqlite3_bind_int64(wr, 1, seq);
		sqlite3_bind_text(wr, 2, hash, -1, SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(wr), SQLITE_DONE);
		sqlite3_reset(wr);
		memcpy(prev, hash, sizeof prev);
		first = false;
	}
	sqlite3_finalize(rd);
	sqlite3_finalize(wr);
	assert_int_equal(sqlite3_exec(db, "CREATE TRIGGER audit_no_update BEFORE"
	    " UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail cannot"
	    " be changed'); END; COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void
test_head_noted_earlier(void **state)
{
	fx *f = *state;
	audit_head head, bad;
	audit_report r;
	crf_err e = { "" };
	char text[128];
	form_key k, ae;

	assert_false(audit_head_parse("", &bad));
	assert_false(audit_head_parse("12", &bad));
	assert_false(audit_head_parse(":abc", &bad));
	assert_false(audit_head_parse("0:" "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef", &bad));
	assert_false(audit_head_parse("7:" "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcde", &bad));
	assert_false(audit_head_parse("7:" "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdeg", &bad));
	assert_true(audit_head_parse("7:" "0123456789ABCDEF0123456789abcdef"
	    "0123456789abcdef0123456789abcdef", &bad));
	assert_int_equal(bad.seq, 7);
	assert_string_equal(bad.hash, "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef");

	k = casebook(f, &ae);
	/* The monitor notes the head at a visit ... */
	verify(f->st, &r);
	snprintf(text, sizeof text, "%lld:%s", r.last_seq, r.head);
	audit_report_clear(&r);
	assert_true(audit_head_parse(text, &head));
	assert_int_equal(head.seq, 10);
	/* ... the site goes on entering data ... */
	save(f->st, &k, "weight", "74", NULL, FORM_INCOMPLETE, NULL);
	assert_int_equal(store_audit_verify(f->st, &head, &r, &e), CRF_OK);
	assert_int_equal(r.nissues, 0);
	audit_report_clear(&r);

	/* ... and someone rewrites the past with every hash recomputed: the
	 * chain holds together, the noted head does not. */
	rewrite_from(f->path, 3, "UPDATE audit SET new_value = '60' WHERE seq = 3");
	assert_intact(f->st, 11);
	assert_int_equal(store_audit_verify(f->st, &head, &r, &e), CRF_OK);
	assert_int_equal(r.nissues, 1);
	assert_int_equal(r.issues[0].kind, AUDIT_HEAD_DIFFERS);
	assert_int_equal(r.issues[0].seq, 10);
	assert_string_equal(r.issues[0].text, "row 10 (seq 10) is not the head "
	    "noted earlier: its hash differs, so the trail up to it was "
	    "rewritten");
	audit_report_clear(&r);

	/* A head beyond the trail: rows cut off and the counter set back. */
	head.seq = 40;
	assert_int_equal(store_audit_verify(f->st, &head, &r, &e), CRF_OK);
	assert_int_equal(r.nissues, 1);
	assert_string_equal(r.issues[0].text, "the head noted earlier, seq 40, "
	    "is not in the trail: the trail was cut or rewritten");
	audit_report_clear(&r);
}

/* ---- Clocks ------------------------------------------------------------- */

static void
test_clock_set_back(void **state)
{
	fx *f = *state;
	audit_row *h = NULL;
	audit_report r;
	char buf[64];
	size_t n = 0;
	form_key k;

	k = key_of(add_subject(make_store(f)), "scr", "dm", 1);   /* seq 1 */
	setenv("CRF_NOW", "2026-03-02T09:00:00Z", 1);
	save(f->st, &k, "weight", "70", NULL, FORM_INCOMPLETE, NULL); /* 2, 3 */
	/* The laptop's clock is put back a day: two rows, one time. */
	setenv("CRF_NOW", "2026-03-01T09:00:00Z", 1);
	save(f->st, &k, "height", "170", NULL, FORM_COMPLETE, NULL); /* 4, 5 */
	setenv("CRF_NOW", "2026-03-01T09:05:00Z", 1);
	save(f->st, &k, "weight", "71", NULL, FORM_COMPLETE, "typo"); /* 6 */
	/* Still behind the latest time seen (09:00 on the 2nd): flagged too.
	 * Set right again: later than every row, nothing to flag. */
	setenv("CRF_NOW", "2026-03-02T10:00:00Z", 1);
	save(f->st, &k, "weight", "72", NULL, FORM_COMPLETE, "typo"); /* 7 */

	assert_string_equal(raw_text(f->path, "SELECT group_concat(seq) FROM audit"
	    " WHERE clock_back = 1", buf, sizeof buf), "4,5,6");
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit"), 7);

	verify(f->st, &r);
	assert_int_equal(r.nissues, 0);
	assert_int_equal(r.nclocks, 3);
	assert_int_equal(r.clocks[0].seq, 4);
	assert_int_equal(r.clocks[2].seq, 6);
	assert_int_equal(r.clocks[0].row, 4);
	assert_string_equal(r.clocks[0].ts_utc, "2026-03-01T09:00:00Z");
	assert_string_equal(r.clocks[0].prev_ts, "2026-03-02T09:00:00Z");
	assert_string_equal(r.clocks[0].tz_offset, "+08:00");
	assert_string_equal(r.clocks[0].user, "alice");
	audit_report_clear(&r);

	assert_int_equal(store_subject_history(f->st, "TJ01-0001", NULL, NULL, &h,
	    &n, NULL), CRF_OK);
	assert_int_equal(n, 7);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(h[i].clock_back, h[i].seq >= 4 && h[i].seq <= 6);
	audit_rows_free(h, n);

	/* A flag cleared behind crf's back breaks the chain. */
	tamper(f->path, "UPDATE audit SET clock_back = 0 WHERE seq = 4");
	assert_one_issue(f->st, AUDIT_ROW_CHANGED, 4,
	    "row 4 (seq 4) was changed outside crf: its hash does not match");
}

static void
test_clock_flag_rehashed(void **state)
{
	fx *f = *state;
	audit_text col[AUDIT_NCOLS];
	char buf[AUDIT_NCOLS][64], prev[128], hash[AUDIT_HASH_HEX + 1], *sql;
	static const char *const names[AUDIT_NCOLS] = {
		"seq", "ts_utc", "tz_offset", "user", "action", "subject", "event",
		"event_repeat", "form", "form_repeat", "field", "old_value",
		"old_missing", "new_value", "new_missing", "reason", "clock_back",
	};
	form_key k;

	k = key_of(add_subject(make_store(f)), "scr", "dm", 1);   /* seq 1 */
	setenv("CRF_NOW", "2026-03-02T09:00:00Z", 1);
	save(f->st, &k, "weight", "70", NULL, FORM_INCOMPLETE, NULL); /* 2, 3 */
	/* The last row's flag set to 1 and the row re-hashed to match: the
	 * flag no longer agrees with the times. */
	raw_text(f->path, "SELECT hash FROM audit WHERE seq = 2", prev,
	    sizeof prev);
	for (int i = 0; i < AUDIT_NCOLS; i++) {
		char *q = xasprintf("SELECT %s FROM audit WHERE seq = 3", names[i]);

		raw_text(f->path, q, buf[i], sizeof buf[i]);
		col[i] = audit_str(strcmp(buf[i], "(null)") == 0 ? NULL : buf[i]);
		free(q);
	}
	col[AUDIT_CLOCK_BACK] = audit_str("1");
	audit_hash(audit_str(prev), col, hash);
	sql = xasprintf("UPDATE audit SET clock_back = 1, hash = '%s'"
	    " WHERE seq = 3", hash);
	tamper(f->path, sql);
	free(sql);
	assert_one_issue(f->st, AUDIT_ROW_CHANGED, 3, "row 3 (seq 3) was changed "
	    "outside crf: its clock flag does not match its time");
}

/* ---- Migration from schema version 1 ------------------------------------ */

static void
test_migrate_v1(void **state)
{
	fx *f = *state;
	audit_report r;
	crf_err e = { "" };
	char buf[128];
	form_key k;

	assert_non_null(store_test_migration(0));
	assert_non_null(store_test_migration(1));
	assert_null(store_test_migration(STORE_SCHEMA_VERSION));

	/* A site database as crf 1 left it: schema 1, a subject, a form with
	 * two saves, a sign-in, and a clock that went back a day. */
	raw_exec(f->path, "PRAGMA application_id = 1129465393");
	raw_exec(f->path, store_test_migration(0));
	raw_exec(f->path,
	    "INSERT INTO site VALUES (1, 'BJ02', 'Beijing', '2026-01-10T08:00:00Z',"
	    " 'root', 'site');"
	    "INSERT INTO counter VALUES ('screening', 1);"
	    "INSERT INTO subject VALUES (1, 'BJ02-0001', 'screening',"
	    " '2026-01-10T08:00:00Z', 'li.na');"
	    "INSERT INTO form_instance VALUES (1, 1, 'scr', 1, 'dm', 1, 1, 2, 1,"
	    " '2026-01-10T08:00:00Z', '2026-01-09T08:00:00Z', 'li.na');"
	    "INSERT INTO item VALUES (1, 'weight', '66', NULL, 0);"
	    "INSERT INTO audit (ts_utc, tz_offset, user, action, subject, event,"
	    " event_repeat, form, form_repeat, field, old_value, old_missing,"
	    " new_value, new_missing, reason) VALUES"
	    " ('2026-01-10T07:59:00Z', '+08:00', 'li.na', 'login', NULL, NULL,"
	    "  NULL, NULL, NULL, 'li.na', NULL, NULL, NULL, NULL, NULL),"
	    " ('2026-01-10T08:00:00Z', '+08:00', 'li.na', 'subject', 'BJ02-0001',"
	    "  NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'screening', NULL, NULL),"
	    " ('2026-01-10T08:00:00Z', '+08:00', 'li.na', 'create', 'BJ02-0001',"
	    "  'scr', 1, 'dm', 1, 'weight', NULL, NULL, '65', NULL, NULL),"
	    " ('2026-01-10T08:00:00Z', '+08:00', 'li.na', 'status', 'BJ02-0001',"
	    "  'scr', 1, 'dm', 1, NULL, NULL, NULL, 'incomplete', NULL, NULL),"
	    " ('2026-01-09T08:00:00Z', '+08:00', 'li.na', 'update', 'BJ02-0001',"
	    "  'scr', 1, 'dm', 1, 'weight', '65', NULL, '66', NULL, '');");
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 1);

	assert_int_equal(store_open(f->path, &f->st, &e), CRF_OK);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit"
	    " WHERE length(hash) = 64"), 5);
	assert_string_equal(raw_text(f->path, "SELECT group_concat(seq) FROM audit"
	    " WHERE clock_back = 1", buf, sizeof buf), "5");
	/* The rows themselves are as they were. */
	assert_string_equal(raw_text(f->path, "SELECT reason FROM audit"
	    " WHERE seq = 5", buf, sizeof buf), "");
	/* The append-only triggers are back. */
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_schema"
	    " WHERE type = 'trigger' AND tbl_name = 'audit'"), 2);
	{
		sqlite3 *db = NULL;

		assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, "UPDATE audit SET user = 'x'",
		    NULL, NULL, NULL), SQLITE_CONSTRAINT);
		assert_int_equal(sqlite3_exec(db, "DELETE FROM audit WHERE seq = 5",
		    NULL, NULL, NULL), SQLITE_CONSTRAINT);
		sqlite3_close(db);
	}

	verify(f->st, &r);
	assert_int_equal(r.nissues, 0);
	assert_int_equal(r.rows, 5);
	assert_int_equal(r.nclocks, 1);
	assert_int_equal(r.clocks[0].seq, 5);
	audit_report_clear(&r);

	/* New rows chain onto the migrated ones. */
	store_set_user(f->st, "li.na");
	k = key_of(1, "scr", "dm", 1);
	setenv("CRF_NOW", "2026-01-11T08:00:00Z", 1);
	save(f->st, &k, "weight", "67", NULL, FORM_INCOMPLETE, NULL);
	assert_intact(f->st, 6);

	/* Opening again does not chain twice. */
	raw_text(f->path, "SELECT hash FROM audit WHERE seq = 1", buf, sizeof buf);
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(store_open(f->path, &f->st, &e), CRF_OK);
	{
		char again[128];

		assert_string_equal(raw_text(f->path, "SELECT hash FROM audit"
		    " WHERE seq = 1", again, sizeof again), buf);
	}

	/* And the migrated rows are protected by the chain. */
	tamper(f->path, "UPDATE audit SET new_value = '60' WHERE seq = 3");
	assert_one_issue(f->st, AUDIT_ROW_CHANGED, 3,
	    "row 3 (seq 3) was changed outside crf: its hash does not match");
}

static void
test_migrate_v1_empty_trail(void **state)
{
	fx *f = *state;
	crf_err e = { "" };
	form_key k;

	raw_exec(f->path, "PRAGMA application_id = 1129465393");
	raw_exec(f->path, store_test_migration(0));
	raw_exec(f->path, "INSERT INTO site VALUES (1, 'BJ02', 'Beijing', 'x',"
	    " 'root', 'site')");
	assert_int_equal(store_open(f->path, &f->st, &e), CRF_OK);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_intact(f->st, 0);
	k = key_of(add_subject(f->st), "scr", "dm", 1);
	save(f->st, &k, "weight", "70", NULL, FORM_INCOMPLETE, NULL);
	assert_intact(f->st, 3);
}

/* ---- Sessions at once ---------------------------------------------------- */

static void
test_sessions_chain_in_turn(void **state)
{
	fx *f = *state;
	enum { KIDS = 4, SAVES = 15 };
	pid_t pid[KIDS];
	long long ids[KIDS];
	audit_report r;

	make_store(f);
	for (int i = 0; i < KIDS; i++)
		ids[i] = add_subject(f->st);
	/* No connection is carried across fork(). */
	store_close(f->st);
	f->st = NULL;
	fflush(NULL);
	for (int i = 0; i < KIDS; i++) {
		pid[i] = fork();
		assert_true(pid[i] >= 0);
		if (pid[i] == 0) {
			store *st = NULL;
			form_key k = key_of(ids[i], "scr", "dm", 1);
			char v[16];
			int bad = 0;

			if (store_open(f->path, &st, NULL) != CRF_OK)
				_exit(3);
			for (int j = 0; j < SAVES; j++) {
				item_change ch = { "weight", v, NULL, 0 };
				crf_err e;

				snprintf(v, sizeof v, "%d", 50 + j);
				if (store_save_form(st, &k, j, 1, FORM_INCOMPLETE, &ch, 1,
				    NULL, NULL, &e) != CRF_OK)
					bad++;
			}
			store_close(st);
			_exit(bad ? 4 : 0);
		}
	}
	for (int i = 0; i < KIDS; i++) {
		int status = 0;

		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	/* subjects, then per session a create, a status, then updates */
	assert_int_equal(store_open(f->path, &f->st, NULL), CRF_OK);
	verify(f->st, &r);
	assert_int_equal(r.nissues, 0);
	assert_int_equal(r.rows, KIDS + KIDS * (SAVES + 1));
	audit_report_clear(&r);
}

/* ---- A subject's history ---------------------------------------------- */

static void
test_subject_history(void **state)
{
	fx *f = *state;
	audit_row *h = NULL;
	size_t n = 0;
	crf_err e = { "" };
	form_key k, ae, other;

	k = casebook(f, &ae);
	other = key_of(2, "scr", "dm", 1);
	save(f->st, &other, "weight", "90", NULL, FORM_INCOMPLETE, NULL);
	assert_int_equal(store_add_user(f->st, "alice", "Alice Liddell",
	    "data-entry", "Password-123", &e), CRF_OK);
	save(f->st, &k, "weight", "73", NULL, FORM_COMPLETE, NULL);

	assert_int_equal(store_subject_history(f->st, "TJ01-0001", NULL, NULL, &h,
	    &n, &e), CRF_OK);
	assert_int_equal(n, 11);
	assert_string_equal(h[0].action, "subject");
	assert_null(h[0].event);
	assert_string_equal(h[0].new_value, "screening");
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(h[i].subject, "TJ01-0001");
		assert_int_equal(strlen(h[i].hash), AUDIT_HASH_HEX);
		assert_string_equal(h[i].user_name, "Alice Liddell");
		assert_false(h[i].clock_back);
		if (i > 0)
			assert_true(h[i].seq > h[i - 1].seq);
	}
	assert_int_equal(h[9].seq, 14);
	assert_string_equal(h[9].field, "weight");
	assert_string_equal(h[9].old_missing, "UNK");
	assert_null(h[9].old_value);
	assert_string_equal(h[9].new_value, "73");
	assert_string_equal(h[10].action, "status");
	assert_string_equal(h[10].old_value, "incomplete");
	assert_string_equal(h[10].new_value, "complete");
	audit_rows_free(h, n);

	assert_int_equal(store_subject_history(f->st, "TJ01-0001", "scr", "dm", &h,
	    &n, &e), CRF_OK);
	assert_int_equal(n, 8);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(h[i].form, "dm");
	audit_rows_free(h, n);
	assert_int_equal(store_subject_history(f->st, "TJ01-0001", "", "ae", &h,
	    &n, &e), CRF_OK);
	assert_int_equal(n, 2);
	assert_string_equal(h[0].new_value, "Headache");
	assert_int_equal(h[0].event_repeat, 0);
	audit_rows_free(h, n);
	assert_int_equal(store_subject_history(f->st, "TJ01-0001", "fu", "dm", &h,
	    &n, &e), CRF_OK);
	assert_int_equal(n, 0);
	audit_rows_free(h, n);

	assert_int_equal(store_subject_history(f->st, "TJ01-0002", NULL, NULL, &h,
	    &n, &e), CRF_OK);
	assert_int_equal(n, 3);
	assert_string_equal(h[1].new_value, "90");
	audit_rows_free(h, n);

	/* An unknown subject, and a user without an account. */
	assert_int_equal(store_subject_history(f->st, "TJ01-0099", NULL, NULL, &h,
	    &n, &e), CRF_ENOENT);
	assert_string_equal(e.msg, "there is no subject TJ01-0099");
	assert_null(h);
	assert_int_equal(store_subject_history(f->st, "", NULL, NULL, &h, &n, &e),
	    CRF_EINVAL);
	store_set_user(f->st, "bob");
	save(f->st, &ae, "aeterm", "Migraine", NULL, FORM_INCOMPLETE, NULL);
	assert_int_equal(store_subject_history(f->st, "TJ01-0001", "", "ae", &h,
	    &n, &e), CRF_OK);
	assert_int_equal(n, 3);
	assert_string_equal(h[2].user, "bob");
	assert_null(h[2].user_name);
	audit_rows_free(h, n);

	/* The field history of the form carries the same new fields. */
	assert_int_equal(store_field_history(f->st, &k, "weight", &h, &n, &e),
	    CRF_OK);
	assert_int_equal(n, 4);
	assert_string_equal(h[3].hash, raw_text(f->path, "SELECT hash FROM audit"
	    " WHERE seq = 14", (char[128]){ 0 }, 128));
	audit_rows_free(h, n);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoding_as_documented),
		cmocka_unit_test(test_clock_and_text),
		T(test_chain_on_saves),
		T(test_empty_trail),
		T(test_changed_row),
		T(test_rehashed_row_breaks_the_next),
		T(test_deleted_rows),
		T(test_deleted_last_row),
		T(test_inserted_row),
		T(test_items_behind_crfs_back),
		T(test_triggers),
		T(test_head_noted_earlier),
		T(test_clock_set_back),
		T(test_clock_flag_rehashed),
		T(test_migrate_v1),
		T(test_migrate_v1_empty_trail),
		T(test_sessions_chain_in_turn),
		T(test_subject_history),
	};
#undef T

	setenv("TZ", "CST-8", 1);
	tzset();
	setenv("USER", "tester", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
