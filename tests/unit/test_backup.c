/* test_backup.c - backups taken while another process keeps saving, their
 * check, and restores (into a new file, over a database kept aside, and
 * refused: damaged, tampered with, another site's, not crf's, in use). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crf/backup.h"
#include "crf/store.h"
#include "crf/util.h"

static char dir[64];
static char *site;       /* the site database */
static store *st;
static long long subj;

static char *
in_dir(const char *name)
{
	return path_join(dir, name);
}

static char *
query1(const char *db_path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	char *out = NULL;

	assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
		out = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return out;
}

static long long
count_rows(const char *db_path, const char *sql)
{
	char *t = query1(db_path, sql);
	long long n = t != NULL ? atoll(t) : -1;

	free(t);
	return n;
}

static void
exec_sql(const char *db_path, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* One save of the vital signs through store s, temp as given. */
static crf_status
save_temp(store *s, long long id, const char *temp, crf_err *e)
{
	form_key k = { id, "scr", 1, "vs", 1 };
	item_change ch = { "temp", temp, NULL, 0 };
	form_data fd;
	crf_status cs = store_load_form(s, &k, &fd, e);
	int v;

	if (cs != CRF_OK)
		return cs;
	cs = store_save_form(s, &k, fd.version, 1, FORM_INCOMPLETE, &ch, 1, NULL, &v, e);
	form_data_clear(&fd);
	return cs;
}

/* The audit head of a database as verification gives it; nissues must
 * be 0. */
static audit_report
verified(const char *db_path, const audit_head *head)
{
	store *s;
	audit_report r;
	crf_err e;

	assert_int_equal(store_open(db_path, &s, &e), CRF_OK);
	assert_int_equal(store_audit_verify(s, head, &r, &e), CRF_OK);
	if (r.nissues > 0)
		fail_msg("%s: %s", db_path, r.issues[0].text);
	store_close(s);
	return r;
}

/* No file in the folder whose name starts with prefix. */
static void
expect_no_file(const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (str_starts(de->d_name, prefix))
			fail_msg("%s left behind", de->d_name);
	closedir(d);
}

static int
setup(void **state)
{
	subject_row s;
	crf_err e;

	(void)state;
	setenv("CRF_NOW", "2026-03-01T02:00:00Z", 1);
	strcpy(dir, "/tmp/crf-backup.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	site = in_dir("site.db");
	if (store_create(site, "TJ01", "Tianjin", &st, &e) != CRF_OK)
		return -1;
	store_set_user(st, "nurse");
	if (store_add_subject(st, &s, &e) != CRF_OK)
		return -1;
	subj = s.id;
	subject_row_clear(&s);
	/* Enough rows for a backup of many pages. */
	for (int i = 0; i < 150; i++) {
		char t[16];

		snprintf(t, sizeof t, "%d.%d", 36 + i % 3, i % 10);
		if (save_temp(st, subj, t, &e) != CRF_OK)
			return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	char *cmd;

	(void)state;
	store_close(st);
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(cmd);
	free(site);
	return 0;
}

/* ---- A backup while another process keeps saving ---------------------------- */

typedef struct writer {
	int stop;         /* write end: closed to stop the writer */
	int ack;          /* read end: one byte per save the writer committed */
	int saves_seen;   /* during the backup */
	int steps;
	bool writer_gone; /* the writer stopped before it was told to */
} writer;

/* The writer process: saves in a loop, one byte on ack after each
 * commit, until stop is closed.  Exits 0, or 1 on a failed save. */
static void
writer_main(const char *path, long long id, int stop, int ack)
{
	store *s;
	crf_err e;
	int i = 0;

	signal(SIGPIPE, SIG_IGN);
	if (store_open(path, &s, &e) != CRF_OK)
		_exit(2);
	store_set_user(s, "writer");
	for (;;) {
		struct pollfd pf = { .fd = stop, .events = POLLIN };
		char t[16];

		if (poll(&pf, 1, 0) > 0)
			break;   /* stop closed: done */
		snprintf(t, sizeof t, "38.%d", i++ % 10);
		if (save_temp(s, id, t, &e) != CRF_OK) {
			fprintf(stderr, "writer: %s\n", e.msg);
			_exit(1);
		}
		if (write(ack, "s", 1) != 1)
			break;
	}
	store_close(s);
	_exit(0);
}

/* Between two steps of the backup: wait until the writer has committed
 * one more save, so that every step reads while the database changes.
 * After the last step the writer is told to stop: the backup then notes
 * itself in the site's trail, and a writer saving in a tight loop (no
 * person types that fast) could hold the write lock past its timeout. */
static void
step_done(void *ctx, int done, int total)
{
	writer *w = ctx;
	char c;

	assert_true(done <= total);
	w->steps++;
	while (!w->writer_gone) {
		ssize_t n = read(w->ack, &c, 1);

		if (n == 1) {
			w->saves_seen++;
			break;
		}
		if (n < 0 && errno == EINTR)
			continue;
		w->writer_gone = true;
	}
	if (done == total && w->stop >= 0) {
		close(w->stop);
		w->stop = -1;
	}
}

static void
test_backup_while_saving(void **state)
{
	char *file = in_dir("during.db"), *restored = in_dir("restored/site.db");
	int stop[2], ack[2], status;
	writer w = { 0 };
	backup_opts o = { .pages_per_step = 1, .progress = step_done, .ctx = &w };
	backup_summary sum, chk;
	restore_result res;
	audit_report r;
	audit_head head;
	long long live_rows;
	crf_err e;
	char c;
	pid_t pid;

	(void)state;
	/* The writer gets its own connection: none is open across the fork. */
	store_close(st);
	st = NULL;
	assert_int_equal(pipe(stop), 0);
	assert_int_equal(pipe(ack), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(stop[1]);
		close(ack[0]);
		writer_main(site, subj, stop[0], ack[1]);
	}
	close(stop[0]);
	close(ack[1]);
	w.stop = stop[1];
	w.ack = ack[0];
	/* The writer is saving before the backup starts. */
	assert_int_equal(read(ack[0], &c, 1), 1);
	assert_int_equal(store_open(site, &st, &e), CRF_OK);
	store_set_user(st, "backup");

	if (backup_take(st, file, &o, &sum, &e) != CRF_OK)
		fail_msg("backup: %s", e.msg);

	/* The writer was stopped after the last step; it must have kept
	 * saving all along. */
	assert_int_equal(w.stop, -1);
	while (read(ack[0], &c, 1) == 1)
		;
	close(ack[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_false(w.writer_gone);
	assert_true(w.steps > 10);
	assert_int_equal(w.saves_seen, w.steps);

	/* The copy is one moment of the database: it verifies, and the saves
	 * made while it was copied are not in it. */
	assert_string_equal(sum.site_code, "TJ01");
	assert_true(sum.rows > 150);
	assert_int_equal(sum.last_seq, sum.rows);
	assert_int_equal(strlen(sum.head), 64);
	assert_int_equal(sum.nclocks, 0);
	r = verified(file, NULL);
	assert_int_equal(r.rows, sum.rows);
	assert_string_equal(r.head, sum.head);
	audit_report_clear(&r);
	live_rows = count_rows(site, "SELECT count(*) FROM audit");
	assert_true(live_rows >= sum.rows + w.saves_seen);
	/* The live trail holds the copy's rows unchanged, and notes the copy. */
	head.seq = sum.last_seq;
	memcpy(head.hash, sum.head, sizeof head.hash);
	r = verified(site, &head);
	audit_report_clear(&r);
	{
		char *where = query1(site, "SELECT reason FROM audit WHERE action = 'export'"
		    " AND new_value = 'backup' AND user = 'backup'");

		assert_non_null(where);
		assert_string_equal(where, file);
		free(where);
	}
	/* One self-contained file, nothing beside it. */
	{
		char *wal = xasprintf("%s-wal", file);
		struct stat sb;

		assert_int_not_equal(stat(wal, &sb), 0);
		assert_int_equal(stat(file, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
		assert_int_equal(sb.st_size, sum.bytes);
		free(wal);
	}
	expect_no_file("during.db.tmp-");

	/* Checked again as a backup file. */
	assert_int_equal(backup_check(file, "TJ01", &chk, &e), CRF_OK);
	assert_int_equal(chk.rows, sum.rows);
	assert_string_equal(chk.head, sum.head);
	backup_summary_clear(&chk);

	/* Restored into a new place: the backup's trail, then the restore. */
	if (backup_restore(file, restored, "TJ01", false, &res, &e) != CRF_OK)
		fail_msg("restore: %s", e.msg);
	assert_null(res.aside);
	assert_int_equal(res.backup.rows, sum.rows);
	assert_string_equal(res.backup.head, sum.head);
	assert_int_equal(res.restored.rows, sum.rows + 1);
	r = verified(restored, &head);
	assert_int_equal(r.rows, sum.rows + 1);
	assert_string_equal(r.head, res.restored.head);
	audit_report_clear(&r);
	{
		char *sql = xasprintf("SELECT hash FROM audit WHERE seq = %lld", sum.last_seq);
		char *h = query1(restored, sql);

		assert_string_equal(h, sum.head);
		free(h);
		free(sql);
	}
	{
		char *t = query1(restored, "SELECT new_value || '|' || reason FROM audit"
		    " WHERE action = 'restore'");
		char *want = xasprintf("%s|restored from a backup of site TJ01 with %lld "
		    "audit rows, head of its chain %lld:%s", file, sum.rows, sum.last_seq,
		    sum.head);

		assert_string_equal(t, want);
		free(t);
		free(want);
	}
	/* The same data as the copy. */
	assert_int_equal(count_rows(restored, "SELECT count(*) FROM item"),
	    count_rows(file, "SELECT count(*) FROM item"));
	{
		char *a = query1(file, "SELECT value FROM item WHERE field = 'temp'");
		char *b = query1(restored, "SELECT value FROM item WHERE field = 'temp'");

		assert_string_equal(a, b);
		free(a);
		free(b);
	}
	restore_result_clear(&res);
	backup_summary_clear(&sum);
	free(file);
	free(restored);
}

/* ---- Refusals of a backup ----------------------------------------------------- */

static void
test_backup_refuses_to_overwrite(void **state)
{
	char *file = in_dir("exists.db"), *nowhere = in_dir("no/such/folder/b.db");
	backup_summary sum;
	crf_err e;
	char *text;

	(void)state;
	exec_sql(file, "CREATE TABLE keep (x); INSERT INTO keep VALUES ('mine');");
	assert_int_equal(backup_take(st, file, NULL, &sum, &e), CRF_EEXIST);
	assert_non_null(strstr(e.msg, "already exists"));
	text = query1(file, "SELECT x FROM keep");
	assert_string_equal(text, "mine");
	free(text);
	assert_int_equal(backup_take(st, site, NULL, &sum, &e), CRF_EEXIST);
	assert_int_equal(backup_take(st, nowhere, NULL, &sum, &e), CRF_ENOENT);
	assert_non_null(strstr(e.msg, "does not exist"));
	assert_int_equal(backup_take(st, "", NULL, &sum, &e), CRF_EINVAL);
	expect_no_file("exists.db.tmp-");
	free(file);
	free(nowhere);
}

/* A site database whose trail was changed outside crf: the copy fails its
 * check, is removed, and the message says the site database is at fault. */
static void
test_backup_of_tampered_site(void **state)
{
	char *src = in_dir("tampered-site.db"), *file = in_dir("tampered-copy.db");
	backup_summary sum;
	store *s;
	crf_err e;

	(void)state;
	assert_int_equal(backup_take(st, src, NULL, &sum, &e), CRF_OK);
	backup_summary_clear(&sum);
	exec_sql(src, "DROP TRIGGER audit_no_update;"
	    " UPDATE audit SET new_value = '99.9' WHERE seq = 5;");
	assert_int_equal(store_open(src, &s, &e), CRF_OK);
	assert_int_equal(backup_take(s, file, NULL, &sum, &e), CRF_EDB);
	assert_non_null(strstr(e.msg, "the audit trail of the copy is not intact"));
	assert_non_null(strstr(e.msg, "the site database fails the same check"));
	store_close(s);
	{
		struct stat sb;

		assert_int_not_equal(stat(file, &sb), 0);
	}
	expect_no_file("tampered-copy.db");
	free(src);
	free(file);
}

/* ---- Restores refused ----------------------------------------------------------- */

/* A fresh backup of the site at name (in the folder). */
static char *
fresh_backup(const char *name)
{
	char *file = in_dir(name);
	backup_summary sum;
	crf_err e;

	if (backup_take(st, file, NULL, &sum, &e) != CRF_OK)
		fail_msg("backup: %s", e.msg);
	backup_summary_clear(&sum);
	return file;
}

/* The restore of file into a new database is refused with want and a
 * message holding text; nothing is left in the folder. */
static void
expect_refused(const char *file, crf_status want, const char *text)
{
	char *target = in_dir("refused.db");
	restore_result res;
	backup_summary chk;
	crf_err e;
	struct stat sb;

	assert_int_equal(backup_restore(file, target, "TJ01", false, &res, &e), want);
	if (strstr(e.msg, text) == NULL)
		fail_msg("\"%s\" not in \"%s\"", text, e.msg);
	assert_int_not_equal(stat(target, &sb), 0);
	expect_no_file("refused.db");
	/* backup_check says the same. */
	assert_int_equal(backup_check(file, "TJ01", &chk, &e), want);
	assert_non_null(strstr(e.msg, text));
	free(target);
}

static void
test_restore_refuses_bad_backups(void **state)
{
	char *damaged = fresh_backup("damaged.db");
	char *tampered = fresh_backup("tampered.db");
	char *other = in_dir("other.db"), *plain = in_dir("plain.db");
	char *text = in_dir("text.db"), *empty = in_dir("empty.db");
	store *s;
	crf_err e;
	FILE *fp;

	(void)state;
	/* Damaged: pages in the middle of the file overwritten. */
	{
		int fd = open(damaged, O_WRONLY);
		char junk[4096];
		struct stat sb;

		assert_true(fd >= 0);
		assert_int_equal(fstat(fd, &sb), 0);
		memset(junk, 0xA5, sizeof junk);
		for (off_t off = 4096 * 2; off + 4096 <= sb.st_size && off < 4096 * 12;
		    off += 4096)
			assert_int_equal(pwrite(fd, junk, sizeof junk, off), (ssize_t)sizeof junk);
		close(fd);
	}
	expect_refused(damaged, CRF_EDB, "damaged");

	/* Tampered with: an audit row changed in the sqlite3 shell. */
	exec_sql(tampered, "DROP TRIGGER audit_no_update;"
	    " UPDATE audit SET new_value = '99.9' WHERE seq = 5;");
	expect_refused(tampered, CRF_EDB, "not intact");

	/* Another site's backup. */
	{
		char *osite = in_dir("other-site.db");
		backup_summary sum;

		assert_int_equal(store_create(osite, "BJ02", "Beijing", &s, &e), CRF_OK);
		assert_int_equal(backup_take(s, other, NULL, &sum, &e), CRF_OK);
		backup_summary_clear(&sum);
		store_close(s);
		free(osite);
	}
	expect_refused(other, CRF_EINVAL, "holds the data of site BJ02, not of this site TJ01");

	/* Not crf's: an SQLite file of another program, a text file, nothing. */
	exec_sql(plain, "CREATE TABLE t (x);");
	expect_refused(plain, CRF_EDB, "not a crf backup");
	fp = fopen(text, "w");
	assert_non_null(fp);
	for (int i = 0; i < 200; i++)
		fputs("this is not a database at all\n", fp);
	fclose(fp);
	expect_refused(text, CRF_EDB, "not a crf backup");
	fp = fopen(empty, "w");
	assert_non_null(fp);
	fclose(fp);
	expect_refused(empty, CRF_EDB, "empty");
	{
		char *missing = in_dir("missing.db");

		expect_refused(missing, CRF_ENOENT, "cannot read the backup");
		free(missing);
	}
	free(damaged);
	free(tampered);
	free(other);
	free(plain);
	free(text);
	free(empty);
}

/* ---- Restore over a database ------------------------------------------------------ */

static void
test_restore_replace(void **state)
{
	char *file = fresh_backup("replace.db");
	char *target = in_dir("replace-target/site.db");
	char *before_head, *aside_head;
	restore_result res;
	backup_summary sum;
	store *other;
	crf_err e;

	(void)state;
	/* A database at the target: a copy of the site, then changed. */
	{
		char *dirp = in_dir("replace-target");

		assert_int_equal(mkdir(dirp, 0750), 0);
		free(dirp);
	}
	assert_int_equal(backup_restore(file, target, "TJ01", false, &res, &e), CRF_OK);
	restore_result_clear(&res);
	assert_int_equal(store_open(target, &other, &e), CRF_OK);
	assert_int_equal(save_temp(other, subj, "40.1", &e), CRF_OK);
	before_head = query1(target, "SELECT seq || ':' || hash FROM audit"
	    " ORDER BY seq DESC LIMIT 1");

	/* Without --replace: refused, untouched. */
	assert_int_equal(backup_restore(file, target, "TJ01", false, &res, &e), CRF_EEXIST);
	assert_non_null(strstr(e.msg, "--replace"));

	/* With --replace while a session has it open: refused, untouched. */
	assert_int_equal(backup_restore(file, target, "TJ01", true, &res, &e), CRF_EBUSY);
	assert_non_null(strstr(e.msg, "is in use"));
	store_close(other);
	{
		char *now = query1(target, "SELECT seq || ':' || hash FROM audit"
		    " ORDER BY seq DESC LIMIT 1");

		assert_string_equal(now, before_head);
		free(now);
	}
	{
		char *sub = in_dir("replace-target");
		DIR *d = opendir(sub);
		struct dirent *de;

		assert_non_null(d);
		while ((de = readdir(d)) != NULL)
			if (strstr(de->d_name, "before-restore") != NULL ||
			    strstr(de->d_name, ".restore-") != NULL)
				fail_msg("%s left behind", de->d_name);
		closedir(d);
		free(sub);
	}

	/* Nobody uses it: kept aside, then restored. */
	setenv("CRF_NOW", "2026-03-02T04:05:06Z", 1);
	if (backup_restore(file, target, "TJ01", true, &res, &e) != CRF_OK)
		fail_msg("restore: %s", e.msg);
	setenv("CRF_NOW", "2026-03-01T02:00:00Z", 1);
	assert_non_null(res.aside);
	assert_true(str_ends(res.aside, "/replace-target/site.db.before-restore-20260302T040506Z"));
	/* The file kept aside is the database as it was, change included. */
	aside_head = query1(res.aside, "SELECT seq || ':' || hash FROM audit"
	    " ORDER BY seq DESC LIMIT 1");
	assert_string_equal(aside_head, before_head);
	{
		audit_report r = verified(res.aside, NULL);
		char *v = query1(res.aside, "SELECT value FROM item WHERE field = 'temp'");

		assert_string_equal(v, "40.1");
		free(v);
		audit_report_clear(&r);
	}
	/* The database is the backup's, plus the row of the restore. */
	assert_int_equal(backup_check(file, "TJ01", &sum, &e), CRF_OK);
	{
		audit_head head = { .seq = sum.last_seq };
		audit_report r;
		char *v = query1(target, "SELECT value FROM item WHERE field = 'temp'");
		char *old = query1(target, "SELECT old_value FROM audit WHERE action = 'restore'");

		memcpy(head.hash, sum.head, sizeof head.hash);
		r = verified(target, &head);
		assert_int_equal(r.rows, sum.rows + 1);
		audit_report_clear(&r);
		assert_string_not_equal(v, "40.1");
		assert_string_equal(old, res.aside);
		free(v);
		free(old);
	}
	/* A second restore in the same second keeps another copy aside. */
	{
		restore_result again;

		setenv("CRF_NOW", "2026-03-02T04:05:06Z", 1);
		assert_int_equal(backup_restore(file, target, "TJ01", true, &again, &e), CRF_OK);
		setenv("CRF_NOW", "2026-03-01T02:00:00Z", 1);
		assert_true(str_ends(again.aside, "before-restore-20260302T040506Z-2"));
		restore_result_clear(&again);
	}
	restore_result_clear(&res);
	/* The site database itself is not a backup of itself. */
	assert_int_equal(backup_restore(site, site, "TJ01", true, &res, &e), CRF_EINVAL);
	backup_summary_clear(&sum);
	free(before_head);
	free(aside_head);
	free(file);
	free(target);
}

/* A database file SQLite cannot read at all is moved aside whole. */
static void
test_restore_over_unreadable(void **state)
{
	char *file = fresh_backup("unreadable-src.db");
	char *target = in_dir("garbage.db");
	restore_result res;
	crf_err e;
	FILE *fp = fopen(target, "w");
	char *kept;

	(void)state;
	assert_non_null(fp);
	for (int i = 0; i < 500; i++)
		fputs("garbage garbage garbage garbage\n", fp);
	fclose(fp);
	if (backup_restore(file, target, "TJ01", true, &res, &e) != CRF_OK)
		fail_msg("restore: %s", e.msg);
	kept = file_read_all(res.aside, NULL);
	assert_non_null(kept);
	assert_true(str_starts(kept, "garbage garbage"));
	free(kept);
	{
		audit_report r = verified(target, NULL);

		audit_report_clear(&r);
	}
	restore_result_clear(&res);
	free(file);
	free(target);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backup_while_saving),
		cmocka_unit_test(test_backup_refuses_to_overwrite),
		cmocka_unit_test(test_backup_of_tampered_site),
		cmocka_unit_test(test_restore_refuses_bad_backups),
		cmocka_unit_test(test_restore_replace),
		cmocka_unit_test(test_restore_over_unreadable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
