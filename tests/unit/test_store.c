/* test_store.c - the site database: files, schema, saves, audit, crashes. */
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
#include <sqlite3.h>

#include "crf/store.h"
#include "crf/util.h"

#define NOW "2026-01-15T09:30:00Z"

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
	strcpy(f->dir, "/tmp/crf-store-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof f->path, "%s/site.db", f->dir);
	setenv("CRF_NOW", NOW, 1);
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
	chmod(f->dir, 0700);
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

/* ---- Raw SQLite access, beside the store ------------------------------- */

static sqlite3 *
raw_open(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL), SQLITE_OK);
	return db;
}

static long long
raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	long long v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* First column of the first row as text (static buffer; "(null)" for NULL). */
static const char *
raw_text(sqlite3 *db, const char *sql)
{
	static char buf[4][256];
	static int k;
	sqlite3_stmt *s = NULL;
	const unsigned char *t;

	k = (k + 1) % 4;
	strcpy(buf[k], "(no row)");
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW) {
		t = sqlite3_column_text(s, 0);
		snprintf(buf[k], sizeof buf[k], "%s", t ? (const char *)t : "(null)");
	}
	sqlite3_finalize(s);
	return buf[k];
}

static void
raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = raw_open(path);

	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static long long
path_int(const char *path, const char *sql)
{
	sqlite3 *db = raw_open(path);
	long long v = raw_int(db, sql);

	sqlite3_close(db);
	return v;
}

static long long
audit_count(const char *path)
{
	return path_int(path, "SELECT count(*) FROM audit");
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
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
dm_key(long long subject_id)
{
	form_key k = { subject_id, "screening", 1, "dm", 1 };

	return k;
}

static const item_value *
find_item(const form_data *fd, const char *field)
{
	for (size_t i = 0; i < fd->nitems; i++)
		if (strcmp(fd->items[i].field, field) == 0)
			return &fd->items[i];
	return NULL;
}

/* ---- Files -------------------------------------------------------------- */

static void
test_create_refuses_existing(void **state)
{
	fx *f = *state;
	store *st = NULL;
	crf_err e = { "" };
	char missing_dir[200];
	struct stat sb;
	FILE *fp;

	fp = fopen(f->path, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(store_create(f->path, "TJ01", "X", &st, &e), CRF_EEXIST);
	assert_null(st);
	assert_non_null(strstr(e.msg, f->path));
	assert_non_null(strstr(e.msg, "already exists"));
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_size, 0);
	unlink(f->path);

	make_store(f);
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(store_create(f->path, "TJ02", "Y", &st, &e), CRF_EEXIST);
	assert_null(st);
	assert_int_equal(path_int(f->path, "SELECT count(*) FROM site"
	    " WHERE code = 'TJ01'"), 1);

	/* A missing folder is made with the database, private to the site. */
	snprintf(missing_dir, sizeof missing_dir, "%s/nowhere/site.db", f->dir);
	assert_int_equal(store_create(missing_dir, "TJ01", "X", &st, &e), CRF_OK);
	store_close(st);
	st = NULL;
	{
		struct stat ds;
		char cmd[600];

		snprintf(missing_dir, sizeof missing_dir, "%s/nowhere", f->dir);
		assert_int_equal(stat(missing_dir, &ds), 0);
		assert_int_equal(ds.st_mode & 0777, 0750);
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", missing_dir);
		assert_int_equal(system(cmd), 0);
	}
	assert_int_equal(store_create(f->dir, "TJ01", "X", &st, &e), CRF_EEXIST);
	assert_int_equal(store_create("", "TJ01", "X", &st, &e), CRF_EINVAL);
	snprintf(missing_dir, sizeof missing_dir, "%s/other.db", f->dir);
	assert_int_equal(store_create(missing_dir, "  ", "X", &st, &e), CRF_EINVAL);
	assert_int_equal(access(missing_dir, F_OK), -1);
}

static void
test_open_missing(void **state)
{
	fx *f = *state;
	store *st = (store *)&st;
	crf_err e = { "" };

	assert_int_equal(store_open(f->path, &st, &e), CRF_ENOENT);
	assert_null(st);
	assert_non_null(strstr(e.msg, f->path));
	assert_non_null(strstr(e.msg, "does not exist"));
	assert_int_equal(access(f->path, F_OK), -1);
	assert_int_equal(store_open(f->dir, &st, &e), CRF_EDB);
}

static void
test_create_and_reopen(void **state)
{
	fx *f = *state;
	crf_err e = { "" };

	make_store(f);
	assert_string_equal(store_site_code(f->st), "TJ01");
	assert_string_equal(store_site_name(f->st), "Tianjin First Hospital");
	store_close(f->st);
	f->st = NULL;

	assert_int_equal(store_open(f->path, &f->st, &e), CRF_OK);
	assert_string_equal(store_site_code(f->st), "TJ01");
	assert_string_equal(store_site_name(f->st), "Tianjin First Hospital");
	assert_int_equal(path_int(f->path, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);
	assert_int_equal(path_int(f->path, "PRAGMA application_id"), 0x43524631);
	assert_int_equal(path_int(f->path, "SELECT count(*) FROM site"), 1);
	{
		sqlite3 *db = raw_open(f->path);

		assert_string_equal(raw_text(db, "SELECT mode FROM site"), "site");
		assert_string_equal(raw_text(db, "SELECT created_at FROM site"), NOW);
		assert_string_equal(raw_text(db, "SELECT created_by FROM site"),
		    "tester");
		sqlite3_close(db);
	}
}

static void
test_pragmas(void **state)
{
	fx *f = *state;
	crf_err e = { "" };
	sqlite3 *db;

	make_store(f);
	for (int pass = 0; pass < 2; pass++) {
		db = store_test_db(f->st);
		assert_string_equal(raw_text(db, "PRAGMA journal_mode"), "wal");
		assert_int_equal(raw_int(db, "PRAGMA foreign_keys"), 1);
		assert_int_equal(raw_int(db, "PRAGMA synchronous"), 2);
		assert_int_equal(raw_int(db, "PRAGMA user_version"),
		    STORE_SCHEMA_VERSION);
		store_close(f->st);
		f->st = NULL;
		assert_int_equal(store_open(f->path, &f->st, &e), CRF_OK);
	}
	/* WAL is a property of the file too. */
	db = raw_open(f->path);
	assert_string_equal(raw_text(db, "PRAGMA journal_mode"), "wal");
	sqlite3_close(db);
}

static void
test_newer_schema(void **state)
{
	fx *f = *state;
	store *st = (store *)&st;
	crf_err e = { "" };
	char sql[64];

	make_store(f);
	store_close(f->st);
	f->st = NULL;
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d",
	    STORE_SCHEMA_VERSION + 1);
	raw_exec(f->path, sql);
	assert_int_equal(store_open(f->path, &st, &e), CRF_ESCHEMA);
	assert_null(st);
	assert_non_null(strstr(e.msg, "newer version of crf"));
	assert_non_null(strstr(e.msg, f->path));
	assert_int_equal(path_int(f->path, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION + 1);
}

static void
test_not_crf(void **state)
{
	fx *f = *state;
	store *st = (store *)&st;
	crf_err e = { "" };
	sqlite3 *db;
	FILE *fp;

	raw_exec(f->path, "CREATE TABLE patients (name TEXT)");
	assert_int_equal(store_open(f->path, &st, &e), CRF_EDB);
	assert_null(st);
	assert_non_null(strstr(e.msg, "not a crf database"));
	/* refused without being touched */
	db = raw_open(f->path);
	assert_string_equal(raw_text(db, "PRAGMA journal_mode"), "delete");
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema"), 1);
	sqlite3_close(db);
	unlink(f->path);

	fp = fopen(f->path, "w");
	assert_non_null(fp);
	fputs("subject,weight\n1,70\n", fp);
	for (int i = 0; i < 100; i++)
		fputs("padding padding padding padding padding padding\n", fp);
	fclose(fp);
	e.msg[0] = '\0';
	assert_int_equal(store_open(f->path, &st, &e), CRF_EDB);
	assert_non_null(strstr(e.msg, "not a crf database"));
	unlink(f->path);

	fp = fopen(f->path, "w");
	assert_non_null(fp);
	fclose(fp);
	e.msg[0] = '\0';
	assert_int_equal(store_open(f->path, &st, &e), CRF_EDB);
	assert_non_null(strstr(e.msg, "not a crf database"));
}

static void
test_migrate_from_zero(void **state)
{
	fx *f = *state;
	store *st = NULL;
	crf_err e = { "" };
	sqlite3 *db;

	/* A crf file left at schema 0: the application id and nothing else. */
	raw_exec(f->path, "PRAGMA application_id = 1129465393");
	assert_int_equal(path_int(f->path, "PRAGMA user_version"), 0);
	assert_int_equal(store_open(f->path, &st, &e), CRF_EDB);
	assert_non_null(strstr(e.msg, "no site record"));

	db = raw_open(f->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema"
	    " WHERE type = 'table' AND name IN ('site', 'counter', 'subject',"
	    " 'form_instance', 'item', 'audit')"), 6);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema"
	    " WHERE type = 'trigger' AND tbl_name = 'audit'"), 2);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO site (id, code, name,"
	    " created_at, created_by) VALUES (1, 'BJ02', 'Beijing', 'x', 'y')",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	assert_int_equal(store_open(f->path, &f->st, &e), CRF_OK);
	assert_string_equal(store_site_code(f->st), "BJ02");
	{
		subject_row r;

		assert_int_equal(store_add_subject(f->st, &r, &e), CRF_OK);
		assert_string_equal(r.key, "BJ02-0001");
		subject_row_clear(&r);
	}
}

/* ---- Subjects ----------------------------------------------------------- */

static void
test_subjects(void **state)
{
	fx *f = *state;
	subject_row a, b, c, found, *rows = NULL;
	size_t n = 0;
	crf_err e = { "" };
	sqlite3 *db;

	make_store(f);
	assert_int_equal(store_add_subject(f->st, &a, &e), CRF_OK);
	setenv("CRF_NOW", "2026-01-16T01:00:00Z", 1);
	store_set_user(f->st, "bob");
	assert_int_equal(store_add_subject(f->st, &b, &e), CRF_OK);
	assert_string_equal(a.key, "TJ01-0001");
	assert_string_equal(b.key, "TJ01-0002");
	assert_string_equal(a.status, "screening");
	assert_string_equal(a.created_at, NOW);
	assert_string_equal(a.created_by, "alice");
	assert_string_equal(b.created_at, "2026-01-16T01:00:00Z");
	assert_string_equal(b.created_by, "bob");
	assert_true(a.id != b.id);

	db = raw_open(f->path);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM audit"), 2);
	assert_string_equal(raw_text(db, "SELECT action || '|' || subject || '|'"
	    " || new_value || '|' || user || '|' || ts_utc || '|' || tz_offset ||"
	    " '|' || coalesce(old_value, 'NULL') || '|' ||"
	    " coalesce(form, 'NULL') FROM audit ORDER BY seq LIMIT 1"),
	    "subject|TJ01-0001|screening|alice|" NOW "|+08:00|NULL|NULL");
	assert_string_equal(raw_text(db, "SELECT subject || '|' || user FROM audit"
	    " ORDER BY seq DESC LIMIT 1"), "TJ01-0002|bob");
	assert_int_equal(raw_int(db, "SELECT value FROM counter"
	    " WHERE name = 'screening'"), 2);
	sqlite3_close(db);

	assert_int_equal(store_find_subject(f->st, "TJ01-0002", &found, &e),
	    CRF_OK);
	assert_int_equal(found.id, b.id);
	assert_string_equal(found.created_by, "bob");
	subject_row_clear(&found);
	assert_int_equal(store_find_subject(f->st, "TJ01-0099", &found, &e),
	    CRF_ENOENT);
	assert_non_null(strstr(e.msg, "TJ01-0099"));

	/* the counter survives a reopen */
	store_close(f->st);
	assert_int_equal(store_open(f->path, &f->st, &e), CRF_OK);
	assert_int_equal(store_add_subject(f->st, &c, &e), CRF_OK);
	assert_string_equal(c.key, "TJ01-0003");
	assert_string_equal(c.created_by, "tester");

	assert_int_equal(store_list_subjects(f->st, &rows, &n, &e), CRF_OK);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0].key, "TJ01-0001");
	assert_string_equal(rows[1].key, "TJ01-0002");
	assert_string_equal(rows[2].key, "TJ01-0003");
	assert_int_equal(rows[2].id, c.id);
	subject_rows_free(rows, n);
	subject_row_clear(&a);
	subject_row_clear(&b);
	subject_row_clear(&c);
}

/* ---- Saving forms ------------------------------------------------------- */

/* A held snapshot: every read sees the database as of one instant while
 * another session adds a subject; reads nest inside it; nothing is
 * written meanwhile; after the release the new subject is there. */
static void
test_hold_snapshot(void **state)
{
	fx *f = *state;
	store *other;
	subject_row *rows = NULL, r;
	size_t n = 0;
	form_data fd;
	form_key k;
	crf_err e = { "" };

	make_store(f);
	k = dm_key(add_subject(f->st));
	assert_int_equal(store_hold_snapshot(f->st, &e), CRF_OK);
	assert_int_equal(store_hold_snapshot(f->st, &e), CRF_EINVAL);
	assert_int_equal(store_open(f->path, &other, &e), CRF_OK);
	store_set_user(other, "bob");
	assert_int_equal(store_add_subject(other, &r, &e), CRF_OK);
	subject_row_clear(&r);
	store_close(other);
	/* A read with its own transaction joins the snapshot and leaves it
	 * open. */
	assert_int_equal(store_load_form(f->st, &k, &fd, &e), CRF_OK);
	form_data_clear(&fd);
	assert_int_equal(store_list_subjects(f->st, &rows, &n, &e), CRF_OK);
	assert_int_equal(n, 1);
	subject_rows_free(rows, n);
	/* A write is refused, and the snapshot stays. */
	assert_int_not_equal(store_add_subject(f->st, &r, &e), CRF_OK);
	assert_int_equal(store_list_subjects(f->st, &rows, &n, &e), CRF_OK);
	assert_int_equal(n, 1);
	subject_rows_free(rows, n);
	store_release_snapshot(f->st);
	store_release_snapshot(f->st);
	assert_int_equal(store_list_subjects(f->st, &rows, &n, &e), CRF_OK);
	assert_int_equal(n, 2);
	subject_rows_free(rows, n);
	assert_int_equal(store_add_subject(f->st, &r, &e), CRF_OK);
	assert_string_equal(r.key, "TJ01-0003");
	subject_row_clear(&r);
}

static void
test_load_not_started(void **state)
{
	fx *f = *state;
	form_data fd;
	crf_err e = { "" };
	form_key k;

	make_store(f);
	k = dm_key(add_subject(f->st));
	assert_int_equal(store_load_form(f->st, &k, &fd, &e), CRF_OK);
	assert_int_equal(fd.status, FORM_NOT_STARTED);
	assert_int_equal(fd.version, 0);
	assert_int_equal(fd.nitems, 0);
	assert_int_equal(fd.instance_id, 0);
	form_data_clear(&fd);
	assert_string_equal(form_status_name(FORM_NOT_STARTED), "not started");
	assert_string_equal(form_status_name(FORM_INCOMPLETE), "incomplete");
	assert_string_equal(form_status_name(FORM_COMPLETE), "complete");
}

static void
test_save_new_form(void **state)
{
	fx *f = *state;
	item_change ch[] = {
		{ "weight", "70.5", NULL, ITEM_SOFT_OK },
		{ "height", "172", NULL, 0 },
		{ "age", "45", NULL, 0 },
	};
	form_data fd;
	audit_row *h = NULL;
	form_row *fr = NULL;
	subject_item *si = NULL;
	size_t n = 0;
	crf_err e = { "" };
	int ver = -1;
	form_key k;

	make_store(f);
	k = dm_key(add_subject(f->st));
	assert_int_equal(store_save_form(f->st, &k, 0, 3, FORM_INCOMPLETE, ch, 3,
	    NULL, &ver, &e), CRF_OK);
	assert_int_equal(ver, 1);

	assert_int_equal(store_load_form(f->st, &k, &fd, &e), CRF_OK);
	assert_true(fd.instance_id > 0);
	assert_int_equal(fd.status, FORM_INCOMPLETE);
	assert_int_equal(fd.version, 1);
	assert_int_equal(fd.form_version, 3);
	assert_string_equal(fd.updated_at, NOW);
	assert_string_equal(fd.updated_by, "alice");
	assert_int_equal(fd.nitems, 3);
	assert_string_equal(fd.items[0].field, "age");
	assert_string_equal(fd.items[1].field, "height");
	assert_string_equal(fd.items[2].field, "weight");
	assert_string_equal(fd.items[2].value, "70.5");
	assert_null(fd.items[2].missing);
	assert_int_equal(fd.items[2].flags, ITEM_SOFT_OK);
	assert_int_equal(fd.items[0].flags, 0);
	form_data_clear(&fd);

	assert_int_equal(store_field_history(f->st, &k, NULL, &h, &n, &e), CRF_OK);
	assert_int_equal(n, 4);
	assert_string_equal(h[0].action, "create");
	assert_string_equal(h[0].field, "weight");
	assert_string_equal(h[0].new_value, "70.5");
	assert_null(h[0].old_value);
	assert_string_equal(h[1].field, "height");
	assert_string_equal(h[2].field, "age");
	assert_string_equal(h[3].action, "status");
	assert_null(h[3].field);
	assert_null(h[3].old_value);
	assert_string_equal(h[3].new_value, "incomplete");
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(h[i].ts_utc, NOW);
		assert_string_equal(h[i].tz_offset, "+08:00");
		assert_string_equal(h[i].user, "alice");
		assert_string_equal(h[i].subject, "TJ01-0001");
		assert_string_equal(h[i].event, "screening");
		assert_int_equal(h[i].event_repeat, 1);
		assert_string_equal(h[i].form, "dm");
		assert_int_equal(h[i].form_repeat, 1);
		assert_null(h[i].reason);
		if (i > 0)
			assert_true(h[i].seq > h[i - 1].seq);
	}
	audit_rows_free(h, n);

	assert_int_equal(store_list_forms(f->st, k.subject_id, &fr, &n, &e),
	    CRF_OK);
	assert_int_equal(n, 1);
	assert_string_equal(fr[0].event, "screening");
	assert_string_equal(fr[0].form, "dm");
	assert_int_equal(fr[0].status, FORM_INCOMPLETE);
	assert_int_equal(fr[0].version, 1);
	assert_string_equal(fr[0].updated_at, NOW);
	form_rows_free(fr, n);

	assert_int_equal(store_load_subject_items(f->st, k.subject_id, &si, &n,
	    &e), CRF_OK);
	assert_int_equal(n, 3);
	assert_string_equal(si[0].field, "age");
	assert_string_equal(si[0].value, "45");
	assert_string_equal(si[0].event, "screening");
	assert_string_equal(si[2].field, "weight");
	subject_items_free(si, n);
}

static void
test_save_conflict_new(void **state)
{
	fx *f = *state;
	item_change ch[] = { { "weight", "70", NULL, 0 } };
	item_change ch2[] = { { "weight", "99", NULL, 0 } };
	form_data fd;
	crf_err e = { "" };
	int ver = -1;
	long long before;
	form_key k;

	make_store(f);
	k = dm_key(add_subject(f->st));
	assert_int_equal(store_save_form(f->st, &k, 0, 1, FORM_INCOMPLETE, ch, 1,
	    NULL, &ver, &e), CRF_OK);
	before = audit_count(f->path);

	setenv("CRF_NOW", "2026-01-15T10:00:00Z", 1);
	store_set_user(f->st, "bob");
	ver = -1;
	assert_int_equal(store_save_form(f->st, &k, 0, 1, FORM_COMPLETE, ch2, 1,
	    NULL, &ver, &e), CRF_ECONFLICT);
	assert_int_equal(ver, -1);
	assert_string_equal(e.msg, "this form was saved by alice at " NOW
	    " since you opened it");
	assert_int_equal(audit_count(f->path), before);
	assert_int_equal(store_load_form(f->st, &k, &fd, &e), CRF_OK);
	assert_int_equal(fd.version, 1);
	assert_int_equal(fd.status, FORM_INCOMPLETE);
	assert_string_equal(find_item(&fd, "weight")->value, "70");
	assert_string_equal(fd.updated_by, "alice");
	form_data_clear(&fd);

	/* a stale version on a form never saved */
	k.form = "ae";
	assert_int_equal(store_save_form(f->st, &k, 2, 1, FORM_INCOMPLETE, ch, 1,
	    NULL, &ver, &e), CRF_ECONFLICT);
	assert_int_equal(path_int(f->path, "SELECT count(*) FROM form_instance"),
	    1);
}

static void
test_update_and_clear(void **state)
{
	fx *f = *state;
	item_change c1[] = {
		{ "weight", "70", NULL, 0 },
		{ "height", "172", NULL, 0 },
		{ "age", "45", NULL, 0 },
	};
	item_change c2[] = {
		{ "age", "45", NULL, 0 },        /* unchanged */
		{ "weight", "71", NULL, 0 },     /* update */
		{ "height", NULL, NULL, 0 },     /* clear */
		{ "sex", NULL, NULL, 0 },        /* clear of nothing */
	};
	item_change c3[] = { { "weight", "71", NULL, ITEM_SOFT_OK } };
	form_data fd;
	audit_row *h = NULL;
	size_t n = 0;
	crf_err e = { "" };
	int ver = -1;
	long long before;
	form_key k;

	make_store(f);
	k = dm_key(add_subject(f->st));
	assert_int_equal(store_save_form(f->st, &k, 0, 1, FORM_INCOMPLETE, c1, 3,
	    NULL, &ver, &e), CRF_OK);
	before = audit_count(f->path);
	setenv("CRF_NOW", "2026-01-15T11:00:00Z", 1);
	assert_int_equal(store_save_form(f->st, &k, 1, 1, FORM_INCOMPLETE, c2, 4,
	    NULL, &ver, &e), CRF_OK);
	assert_int_equal(ver, 2);
	assert_int_equal(audit_count(f->path), before + 2);

	assert_int_equal(store_field_history(f->st, &k, "weight", &h, &n, &e),
	    CRF_OK);
	assert_int_equal(n, 2);
	assert_string_equal(h[1].action, "update");
	assert_string_equal(h[1].old_value, "70");
	assert_string_equal(h[1].new_value, "71");
	assert_string_equal(h[1].ts_utc, "2026-01-15T11:00:00Z");
	audit_rows_free(h, n);
	assert_int_equal(store_field_history(f->st, &k, "height", &h, &n, &e),
	    CRF_OK);
	assert_int_equal(n, 2);
	assert_string_equal(h[1].action, "clear");
	assert_string_equal(h[1].old_value, "172");
	assert_null(h[1].new_value);
	assert_null(h[1].new_missing);
	audit_rows_free(h, n);
	assert_int_equal(store_field_history(f->st, &k, "sex", &h, &n, &e),
	    CRF_OK);
	assert_int_equal(n, 0);
	audit_rows_free(h, n);

	assert_int_equal(store_load_form(f->st, &k, &fd, &e), CRF_OK);
	assert_int_equal(fd.nitems, 2);
	assert_null(find_item(&fd, "height"));
	assert_string_equal(find_item(&fd, "weight")->value, "71");
	assert_string_equal(fd.updated_at, "2026-01-15T11:00:00Z");
	form_data_clear(&fd);
	assert_int_equal(path_int(f->path, "SELECT count(*) FROM item"
	    " WHERE field = 'height'"), 0);

	/* saving the same values changes nothing, not even the version */
	before = audit_count(f->path);
	assert_int_equal(store_save_form(f->st, &k, 2, 1, FORM_INCOMPLETE, c2, 4,
	    NULL, &ver, &e), CRF_OK);
	assert_int_equal(ver, 2);
	assert_int_equal(audit_count(f->path), before);

	/* a confirmation flag alone is a change */
	assert_int_equal(store_save_form(f->st, &k, 2, 1, FORM_INCOMPLETE, c3, 1,
	    NULL, &ver, &e), CRF_OK);
	assert_int_equal(ver, 3);
	assert_int_equal(audit_count(f->path), before + 1);
	assert_int_equal(path_int(f->path, "SELECT flags FROM item"
	    " WHERE field = 'weight'"), ITEM_SOFT_OK);

	/* a new form definition version bumps the version, nothing else */
	assert_int_equal(store_save_form(f->st, &k, 3, 2, FORM_INCOMPLETE, NULL, 0,
	    NULL, &ver, &e), CRF_OK);
	assert_int_equal(ver, 4);
	assert_int_equal(audit_count(f->path), before + 1);
	assert_int_equal(store_load_form(f->st, &k, &fd, &e), CRF_OK);
	assert_int_equal(fd.form_version, 2);
	form_data_clear(&fd);
}

static void
test_missing_codes(void **state)
{
	fx *f = *state;
	item_change c1[] = {
		{ "weight", NULL, "UNK", 0 },
		{ "height", "", "ND", 0 },
	};
	item_change c2[] = { { "weight", "70", NULL, 0 } };
	item_change c3[] = { { "weight", "", "", 0 } };
	form_data fd;
	audit_row *h = NULL;
	size_t n = 0;
	crf_err e = { "" };
	int ver = -1;
	form_key k;

	make_store(f);
	k = dm_key(add_subject(f->st));
	assert_int_equal(store_save_form(f->st, &k, 0, 1, FORM_INCOMPLETE, c1, 2,
	    NULL, &ver, &e), CRF_OK);
	assert_int_equal(store_load_form(f->st, &k, &fd, &e), CRF_OK);
	assert_null(find_item(&fd, "weight")->value);
	assert_string_equal(find_item(&fd, "weight")->missing, "UNK");
	assert_null(find_item(&fd, "height")->value);
	assert_string_equal(find_item(&fd, "height")->missing, "ND");
	form_data_clear(&fd);
	assert_int_equal(path_int(f->path, "SELECT count(*) FROM item"
	    " WHERE value IS NULL AND missing = 'UNK'"), 1);

	assert_int_equal(store_save_form(f->st, &k, 1, 1, FORM_INCOMPLETE, c2, 1,
	    NULL, &ver, &e), CRF_OK);
	assert_int_equal(store_save_form(f->st, &k, 2, 1, FORM_INCOMPLETE, c3, 1,
	    NULL, &ver, &e), CRF_OK);
	assert_int_equal(ver, 3);
	assert_int_equal(store_field_history(f->st, &k, "weight", &h, &n, &e),
	    CRF_OK);
	assert_int_equal(n, 3);
	assert_string_equal(h[0].action, "create");
	assert_null(h[0].new_value);
	assert_string_equal(h[0].new_missing, "UNK");
	assert_string_equal(h[1].action, "update");
	assert_null(h[1].old_value);
	assert_string_equal(h[1].old_missing, "UNK");
	assert_string_equal(h[1].new_value, "70");
	assert_null(h[1].new_missing);
	assert_string_equal(h[2].action, "clear");
	assert_string_equal(h[2].old_value, "70");
	assert_null(h[2].new_value);
	assert_null(h[2].new_missing);
	audit_rows_free(h, n);
}

static void
test_complete_needs_reason(void **state)
{
	fx *f = *state;
	item_change c1[] = { { "weight", "70", NULL, 0 }, { "age", "45", NULL, 0 } };
	item_change c2[] = { { "weight", "72", NULL, 0 }, { "age", "46", NULL, 0 } };
	form_data fd;
	audit_row *h = NULL;
	size_t n = 0;
	crf_err e = { "" };
	int ver = -1;
	long long before;
	form_key k;

	make_store(f);
	k = dm_key(add_subject(f->st));
	assert_int_equal(store_save_form(f->st, &k, 0, 1, FORM_COMPLETE, c1, 2,
	    NULL, &ver, &e), CRF_OK);
	assert_int_equal(ver, 1);
	before = audit_count(f->path);

	assert_int_equal(store_save_form(f->st, &k, 1, 1, FORM_COMPLETE, c2, 2,
	    NULL, &ver, &e), CRF_EINVAL);
	assert_string_equal(e.msg, "a reason for change is required: the form "
	    "was already complete");
	assert_int_equal(store_save_form(f->st, &k, 1, 1, FORM_INCOMPLETE, c2, 2,
	    " \t ", &ver, &e), CRF_EINVAL);
	assert_int_equal(audit_count(f->path), before);
	assert_int_equal(store_load_form(f->st, &k, &fd, &e), CRF_OK);
	assert_int_equal(fd.version, 1);
	assert_int_equal(fd.status, FORM_COMPLETE);
	assert_string_equal(find_item(&fd, "weight")->value, "70");
	assert_string_equal(find_item(&fd, "age")->value, "45");
	form_data_clear(&fd);

	/* no item changes: no reason needed, and nothing happens */
	assert_int_equal(store_save_form(f->st, &k, 1, 1, FORM_COMPLETE, c1, 2,
	    NULL, &ver, &e), CRF_OK);
	assert_int_equal(ver, 1);

	setenv("CRF_NOW", "2026-02-01T00:00:00Z", 1);
	assert_int_equal(store_save_form(f->st, &k, 1, 1, FORM_COMPLETE, c2, 2,
	    "transcription error", &ver, &e), CRF_OK);
	assert_int_equal(ver, 2);
	assert_int_equal(audit_count(f->path), before + 2);
	assert_int_equal(store_field_history(f->st, &k, NULL, &h, &n, &e), CRF_OK);
	assert_int_equal(n, 5);
	assert_null(h[0].reason);
	assert_null(h[2].reason);
	assert_string_equal(h[3].action, "update");
	assert_string_equal(h[3].field, "weight");
	assert_string_equal(h[3].reason, "transcription error");
	assert_string_equal(h[4].field, "age");
	assert_string_equal(h[4].old_value, "45");
	assert_string_equal(h[4].new_value, "46");
	assert_string_equal(h[4].reason, "transcription error");
	assert_string_equal(h[4].ts_utc, "2026-02-01T00:00:00Z");
	audit_rows_free(h, n);

	/* back to incomplete without item changes: a status row */
	assert_int_equal(store_save_form(f->st, &k, 2, 1, FORM_INCOMPLETE, NULL, 0,
	    NULL, &ver, &e), CRF_OK);
	assert_int_equal(ver, 3);
	assert_int_equal(store_field_history(f->st, &k, NULL, &h, &n, &e), CRF_OK);
	assert_int_equal(n, 6);
	assert_string_equal(h[5].action, "status");
	assert_string_equal(h[5].old_value, "complete");
	assert_string_equal(h[5].new_value, "incomplete");
	audit_rows_free(h, n);
}

static void
test_invalid_saves(void **state)
{
	fx *f = *state;
	item_change blank[] = { { "weight", "70", NULL, 0 }, { "", "1", NULL, 0 } };
	item_change twice[] = { { "weight", "70", NULL, 0 },
	    { "age", "1", NULL, 0 }, { "weight", "71", NULL, 0 } };
	item_change ok[] = { { "weight", "70", NULL, 0 } };
	crf_err e = { "" };
	int ver = -1;
	form_key k, bad;

	make_store(f);
	k = dm_key(add_subject(f->st));
	assert_int_equal(store_save_form(f->st, &k, 0, 1, FORM_INCOMPLETE, blank, 2,
	    NULL, &ver, &e), CRF_EINVAL);
	assert_int_equal(store_save_form(f->st, &k, 0, 1, FORM_INCOMPLETE, twice, 3,
	    NULL, &ver, &e), CRF_EINVAL);
	assert_non_null(strstr(e.msg, "weight"));
	assert_int_equal(store_save_form(f->st, &k, 0, 1, FORM_NOT_STARTED, ok, 1,
	    NULL, &ver, &e), CRF_EINVAL);
	bad = k;
	bad.form = "";
	assert_int_equal(store_save_form(f->st, &bad, 0, 1, FORM_INCOMPLETE, ok, 1,
	    NULL, &ver, &e), CRF_EINVAL);
	bad = k;
	bad.form_repeat = 0;
	assert_int_equal(store_save_form(f->st, &bad, 0, 1, FORM_INCOMPLETE, ok, 1,
	    NULL, &ver, &e), CRF_EINVAL);
	bad = k;
	bad.subject_id = 999;
	assert_int_equal(store_save_form(f->st, &bad, 0, 1, FORM_INCOMPLETE, ok, 1,
	    NULL, &ver, &e), CRF_ENOENT);
	assert_int_equal(ver, -1);
	assert_int_equal(path_int(f->path, "SELECT count(*) FROM form_instance"),
	    0);
	assert_int_equal(audit_count(f->path), 1);

	/* a subject-level log: event "" and event repeat 0 */
	bad = k;
	bad.event = "";
	bad.event_repeat = 0;
	bad.form = "cm";
	bad.form_repeat = 3;
	assert_int_equal(store_save_form(f->st, &bad, 0, 1, FORM_INCOMPLETE, ok, 1,
	    NULL, &ver, &e), CRF_OK);
	assert_int_equal(ver, 1);
}

static void
test_utf8(void **state)
{
	fx *f = *state;
	const char *text = "中文 测试：头痛，恶心 \xe2\x9c\x93";
	item_change ch[] = { { "aeterm", text, NULL, 0 } };
	form_data fd;
	audit_row *h = NULL;
	size_t n = 0;
	crf_err e = { "" };
	int ver = -1;
	form_key k;
	store *st = NULL;

	assert_int_equal(store_create(f->path, "TJ01", "天津医科大学总医院", &st,
	    &e), CRF_OK);
	f->st = st;
	store_set_user(st, "王医生");
	k = dm_key(add_subject(st));
	k.form = "不良事件";
	assert_int_equal(store_save_form(st, &k, 0, 1, FORM_INCOMPLETE, ch, 1,
	    "核对原始记录", &ver, &e), CRF_OK);
	store_close(st);
	f->st = NULL;
	assert_int_equal(store_open(f->path, &f->st, &e), CRF_OK);
	assert_string_equal(store_site_name(f->st), "天津医科大学总医院");
	assert_int_equal(store_load_form(f->st, &k, &fd, &e), CRF_OK);
	assert_int_equal(fd.nitems, 1);
	assert_string_equal(fd.items[0].value, text);
	assert_string_equal(fd.updated_by, "王医生");
	form_data_clear(&fd);
	assert_int_equal(store_field_history(f->st, &k, "aeterm", &h, &n, &e),
	    CRF_OK);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].new_value, text);
	assert_string_equal(h[0].user, "王医生");
	assert_string_equal(h[0].form, "不良事件");
	assert_string_equal(h[0].reason, "核对原始记录");
	audit_rows_free(h, n);
}

static void
test_history_order(void **state)
{
	fx *f = *state;
	static const char *const times[] = {
		"2026-01-15T09:30:00Z", "2026-01-15T09:31:00Z",
		"2026-01-16T08:00:00Z", "2026-01-20T23:59:59Z",
	};
	static const char *const values[] = { "70", "71", "72", NULL };
	audit_row *h = NULL;
	size_t n = 0;
	crf_err e = { "" };
	int ver = 0;
	form_key k, other;

	make_store(f);
	k = dm_key(add_subject(f->st));
	other = k;
	other.form_repeat = 2;
	for (int i = 0; i < 4; i++) {
		item_change ch[] = {
			{ "weight", values[i], NULL, 0 },
			{ "note", i % 2 ? "odd" : "even", NULL, 0 },
		};
		int over = -1;

		setenv("CRF_NOW", times[i], 1);
		assert_int_equal(store_save_form(f->st, &k, ver, 1, FORM_INCOMPLETE,
		    ch, 2, NULL, &ver, &e), CRF_OK);
		/* interleave a save of another instance */
		assert_int_equal(store_save_form(f->st, &other, i, 1,
		    FORM_INCOMPLETE, ch, 1, NULL, &over, &e), CRF_OK);
		assert_int_equal(over, i + 1);
	}
	assert_int_equal(ver, 4);
	assert_int_equal(store_field_history(f->st, &k, "weight", &h, &n, &e),
	    CRF_OK);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(h[i].ts_utc, times[i]);
		assert_string_equal(h[i].field, "weight");
		assert_int_equal(h[i].form_repeat, 1);
		if (i > 0) {
			assert_true(h[i].seq > h[i - 1].seq);
			assert_string_equal(h[i].old_value, values[i - 1]);
		}
	}
	assert_string_equal(h[0].action, "create");
	assert_string_equal(h[1].action, "update");
	assert_string_equal(h[2].action, "update");
	assert_string_equal(h[3].action, "clear");
	audit_rows_free(h, n);

	/* all rows of the instance: 2 + 1 status, then 2 per later save */
	assert_int_equal(store_field_history(f->st, &k, NULL, &h, &n, &e), CRF_OK);
	assert_int_equal(n, 3 + 2 * 3);
	for (size_t i = 1; i < n; i++)
		assert_true(h[i].seq > h[i - 1].seq);
	assert_string_equal(h[2].action, "status");
	assert_string_equal(h[8].field, "note");
	audit_rows_free(h, n);

	assert_int_equal(store_field_history(f->st, &other, "note", &h, &n, &e),
	    CRF_OK);
	assert_int_equal(n, 0);
	audit_rows_free(h, n);
	assert_int_equal(store_field_history(f->st, &other, NULL, &h, &n, &e),
	    CRF_OK);
	assert_int_equal(n, 5);
	audit_rows_free(h, n);
}

/* ---- Integrity, concurrency, failures ----------------------------------- */

static void
test_audit_append_only(void **state)
{
	fx *f = *state;
	item_change ch[] = { { "weight", "70", NULL, 0 } };
	crf_err e = { "" };
	int ver;
	sqlite3 *db;
	long long before;
	form_key k;

	make_store(f);
	k = dm_key(add_subject(f->st));
	assert_int_equal(store_save_form(f->st, &k, 0, 1, FORM_INCOMPLETE, ch, 1,
	    NULL, &ver, &e), CRF_OK);
	before = audit_count(f->path);
	assert_true(before >= 3);

	db = raw_open(f->path);
	assert_int_equal(sqlite3_exec(db, "UPDATE audit SET new_value = '99'"
	    " WHERE field = 'weight'", NULL, NULL, NULL), SQLITE_CONSTRAINT);
	assert_string_equal(sqlite3_errmsg(db), "the audit trail cannot be changed");
	assert_int_equal(sqlite3_exec(db, "DELETE FROM audit", NULL, NULL, NULL),
	    SQLITE_CONSTRAINT);
	assert_string_equal(sqlite3_errmsg(db), "the audit trail cannot be changed");
	assert_int_equal(sqlite3_exec(db, "DELETE FROM audit WHERE seq = 1", NULL,
	    NULL, NULL), SQLITE_CONSTRAINT);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM audit"), before);
	assert_string_equal(raw_text(db, "SELECT new_value FROM audit"
	    " WHERE field = 'weight'"), "70");
	sqlite3_close(db);
}

static void
test_crash_mid_save(void **state)
{
	fx *f = *state;
	enum { NBIG = 200, BIGLEN = 32 * 1024 };
	item_change first[] = { { "a", "1", NULL, 0 } };
	item_change *big;
	char (*names)[16];
	char *value;
	crf_err e = { "" };
	form_data fd;
	int ver = -1, status = 0;
	long long audit_before;
	struct stat sb;
	char wal[160];
	sqlite3 *db;
	pid_t pid;
	form_key k;

	make_store(f);
	k = dm_key(add_subject(f->st));
	assert_int_equal(store_save_form(f->st, &k, 0, 1, FORM_INCOMPLETE, first, 1,
	    NULL, &ver, &e), CRF_OK);
	assert_int_equal(ver, 1);
	store_close(f->st);
	f->st = NULL;
	audit_before = audit_count(f->path);

	big = calloc(NBIG, sizeof *big);
	names = calloc(NBIG, sizeof *names);
	value = malloc(BIGLEN + 1);
	assert_non_null(big);
	assert_non_null(names);
	assert_non_null(value);
	memset(value, 'x', BIGLEN);
	value[BIGLEN] = '\0';
	for (int i = 0; i < NBIG; i++) {
		snprintf(names[i], sizeof names[i], "f%03d", i);
		big[i].field = names[i];
		big[i].value = value;
	}

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		store *st = NULL;
		int v = 0;

		if (store_open(f->path, &st, &e) != CRF_OK)
			_exit(2);
		store_set_user(st, "crasher");
		store_test_crash_after(st, NBIG - 10);
		store_save_form(st, &k, 1, 1, FORM_COMPLETE, big, NBIG, NULL, &v, &e);
		_exit(3);   /* the hook did not fire */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 9);
	free(big);
	free(names);
	free(value);

	/* the half-done transaction did reach the WAL file (cache spill) */
	snprintf(wal, sizeof wal, "%s-wal", f->path);
	assert_int_equal(stat(wal, &sb), 0);
	assert_true(sb.st_size > 2 * 1024 * 1024);

	assert_int_equal(store_open(f->path, &f->st, &e), CRF_OK);
	assert_int_equal(store_load_form(f->st, &k, &fd, &e), CRF_OK);
	assert_int_equal(fd.version, 1);
	assert_int_equal(fd.status, FORM_INCOMPLETE);
	assert_int_equal(fd.nitems, 1);
	assert_string_equal(fd.items[0].field, "a");
	assert_string_equal(fd.updated_by, "alice");
	form_data_clear(&fd);

	db = raw_open(f->path);
	assert_string_equal(raw_text(db, "PRAGMA integrity_check"), "ok");
	assert_int_equal(raw_int(db, "SELECT count(*) FROM audit"), audit_before);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM audit"
	    " WHERE user = 'crasher'"), 0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM item"), 1);
	sqlite3_close(db);

	/* and the store goes on */
	assert_int_equal(store_save_form(f->st, &k, 1, 1, FORM_COMPLETE, NULL, 0,
	    NULL, &ver, &e), CRF_OK);
	assert_int_equal(ver, 2);
}

static void
test_two_sessions(void **state)
{
	fx *f = *state;
	item_change ca[] = { { "weight", "70", NULL, 0 } };
	item_change cb[] = { { "weight", "80", NULL, 0 } };
	store *other = NULL;
	form_data fa, fb;
	crf_err e = { "" };
	int ver = -1;
	form_key k;

	make_store(f);
	k = dm_key(add_subject(f->st));
	assert_int_equal(store_open(f->path, &other, &e), CRF_OK);
	store_set_user(other, "bob");

	assert_int_equal(store_load_form(f->st, &k, &fa, &e), CRF_OK);
	assert_int_equal(store_load_form(other, &k, &fb, &e), CRF_OK);
	assert_int_equal(fa.version, 0);
	assert_int_equal(fb.version, 0);

	setenv("CRF_NOW", "2026-01-15T09:45:00Z", 1);
	assert_int_equal(store_save_form(f->st, &k, fa.version, 1, FORM_INCOMPLETE,
	    ca, 1, NULL, &ver, &e), CRF_OK);
	assert_int_equal(ver, 1);
	ver = -1;
	assert_int_equal(store_save_form(other, &k, fb.version, 1, FORM_INCOMPLETE,
	    cb, 1, NULL, &ver, &e), CRF_ECONFLICT);
	assert_string_equal(e.msg, "this form was saved by alice at "
	    "2026-01-15T09:45:00Z since you opened it");
	assert_int_equal(ver, -1);
	form_data_clear(&fa);
	form_data_clear(&fb);

	/* bob reloads, sees alice's value, and saves on top of it */
	assert_int_equal(store_load_form(other, &k, &fb, &e), CRF_OK);
	assert_int_equal(fb.version, 1);
	assert_string_equal(fb.items[0].value, "70");
	assert_int_equal(store_save_form(other, &k, fb.version, 1, FORM_INCOMPLETE,
	    cb, 1, NULL, &ver, &e), CRF_OK);
	assert_int_equal(ver, 2);
	form_data_clear(&fb);
	assert_int_equal(store_load_form(f->st, &k, &fa, &e), CRF_OK);
	assert_int_equal(fa.version, 2);
	assert_string_equal(fa.items[0].value, "80");
	assert_string_equal(fa.updated_by, "bob");
	form_data_clear(&fa);
	store_close(other);
}

static void
test_busy(void **state)
{
	fx *f = *state;
	item_change ch[] = { { "weight", "70", NULL, 0 } };
	crf_err e = { "" };
	subject_row r;
	form_data fd;
	double t0, dt;
	int ver = -1;
	sqlite3 *db;
	form_key k;

	make_store(f);
	k = dm_key(add_subject(f->st));
	store_test_busy_timeout(f->st, 200);

	db = raw_open(f->path);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
	    SQLITE_OK);
	t0 = now_seconds();
	assert_int_equal(store_save_form(f->st, &k, 0, 1, FORM_INCOMPLETE, ch, 1,
	    NULL, &ver, &e), CRF_EBUSY);
	dt = now_seconds() - t0;
	assert_string_equal(e.msg,
	    "the database is busy: another session is saving; try again");
	assert_true(dt >= 0.15);
	assert_true(dt < 4.0);
	assert_int_equal(ver, -1);
	assert_int_equal(store_add_subject(f->st, &r, &e), CRF_EBUSY);
	assert_null(r.key);

	/* readers are not blocked by a writer (WAL) */
	assert_int_equal(store_load_form(f->st, &k, &fd, &e), CRF_OK);
	assert_int_equal(fd.version, 0);
	form_data_clear(&fd);

	assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_save_form(f->st, &k, 0, 1, FORM_INCOMPLETE, ch, 1,
	    NULL, &ver, &e), CRF_OK);
	assert_int_equal(ver, 1);
	assert_int_equal(store_add_subject(f->st, &r, &e), CRF_OK);
	assert_string_equal(r.key, "TJ01-0002");
	subject_row_clear(&r);
}

static void
test_readonly(void **state)
{
	fx *f = *state;
	crf_err e = { "" };
	int status = 0;
	pid_t pid;

	make_store(f);
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(chmod(f->path, 0444), 0);
	if (geteuid() != 0) {
		store *st = NULL;

		assert_int_equal(store_open(f->path, &st, &e), CRF_EREADONLY);
		assert_null(st);
		assert_non_null(strstr(e.msg, "read-only"));
		return;
	}
	/* root ignores permissions: try as nobody in a child */
	assert_int_equal(chmod(f->dir, 0755), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		store *st = NULL;
		crf_status rc;

		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(77);
		rc = store_open(f->path, &st, &e);
		if (rc == CRF_EREADONLY && st == NULL && strstr(e.msg, "read-only"))
			_exit(0);
		_exit(10 + (int)rc);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_create_refuses_existing),
		T(test_open_missing),
		T(test_create_and_reopen),
		T(test_pragmas),
		T(test_newer_schema),
		T(test_not_crf),
		T(test_migrate_from_zero),
		T(test_subjects),
		T(test_hold_snapshot),
		T(test_load_not_started),
		T(test_save_new_form),
		T(test_save_conflict_new),
		T(test_update_and_clear),
		T(test_missing_codes),
		T(test_complete_needs_reason),
		T(test_invalid_saves),
		T(test_utf8),
		T(test_history_order),
		T(test_audit_append_only),
		T(test_crash_mid_save),
		T(test_two_sessions),
		T(test_busy),
		T(test_readonly),
	};
#undef T

	setenv("TZ", "CST-8", 1);
	tzset();
	setenv("USER", "tester", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
