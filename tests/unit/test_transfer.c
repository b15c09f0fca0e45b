/* test_transfer.c - a site's transfer files for the coordinating centre:
 * the checksum and FileOID; incremental Transactional exports (since_seq,
 * through_seq) that pass the schema and crf's checks and carry only the
 * new changes; the chain of transfers recorded in transfer_out; their
 * import into a central database: in order, once, all or nothing, a
 * change made at the centre kept as a conflict, the centre's audit trail
 * verifying afterwards; the export of one site's slice of the centre. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>
#include <unistd.h>

#include "crf/central.h"
#include "crf/date.h"
#include "crf/lifecycle.h"
#include "crf/odm.h"
#include "crf/signoff.h"
#include "crf/store.h"
#include "crf/transfer.h"
#include "crf/util.h"

#define SCHEMA "schema/odm132/" ODM_SCHEMA_FILE
#define NURSE_PW "Nurse-Password-1"
#define DM_PW "DataManager-Pw-4"
#define PI_PW "Investigator-Pw-3"

static char dir[64];
static char *path;
static store *st;
static study_def *sd;
static long long subj;
static char cpath[80];      /* the central database, once made */

static void
at(const char *utc)
{
	setenv("CRF_NOW", utc, 1);
}

static void
as(const char *login, const char *pw)
{
	user_row u;
	crf_err e;

	assert_int_equal(store_login(st, login, pw, &u, &e), CRF_OK);
	user_row_clear(&u);
}

static void
save(const form_key *k, const item_change *ch, size_t n, form_status status,
    const char *reason)
{
	form_data fd;
	crf_err e;
	int v;

	assert_int_equal(store_load_form(st, k, &fd, &e), CRF_OK);
	if (store_save_form(st, k, fd.version, 1, status, ch, n, reason, &v, &e) != CRF_OK)
		fail_msg("save %s/%s: %s", k->event, k->form, e.msg);
	form_data_clear(&fd);
}

/* A transfer document: rows above since up to through, after prior. */
static char *
transfer(long long since, long long through, const char *prior, odm_summary *sum)
{
	odm_opts o = { .kind = ODM_TRANSACTIONAL, .transfer = true, .since_seq = since,
	    .through_seq = through, .prior_file_oid = prior };
	odm_report r = { 0 };
	strbuf out = { 0 };
	crf_err e;

	if (odm_export(st, sd, &o, &out, sum, &e) != CRF_OK)
		fail_msg("odm_export: %s", e.msg);
	assert_int_equal(odm_validate(out.s, out.len, "doc", SCHEMA, &r, &e), CRF_OK);
	assert_int_equal(odm_check(out.s, out.len, "doc", &r, &e), CRF_OK);
	for (size_t i = 0; i < r.n; i++)
		if (!r.items[i].warning)
			fprintf(stderr, "#   line %d: %s: %s\n", r.items[i].line, r.items[i].rule,
			    r.items[i].msg);
	assert_int_equal(r.errors, 0);
	odm_report_clear(&r);
	return sb_steal(&out);
}

static long long
max_seq(void)
{
	long long seq;
	crf_err e;

	assert_int_equal(store_audit_max_seq(st, &seq, &e), CRF_OK);
	return seq;
}

static int
setup(void **state)
{
	formdef_diags d = { 0 };
	subject_row s;
	crf_err e;

	(void)state;
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	strcpy(dir, "/tmp/crf-transfer.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	path = path_join(dir, "site.db");
	if (formdef_load("tests/fixtures/study", &sd, &d) != CRF_OK)
		return -1;
	at("2026-03-01T01:00:00Z");
	if (store_create(path, "TJ01", "Tianjin", &st, &e) != CRF_OK)
		return -1;
	store_set_user(st, "setup");
	if (store_add_user(st, "nurse", "Wang Fang", "data-entry", NURSE_PW, &e) ||
	    store_add_user(st, "dm", "Chen Jing", "data-manager", DM_PW, &e) ||
	    store_add_user(st, "pi", "Li Wei", "investigator", PI_PW, &e))
		return -1;
	as("nurse", NURSE_PW);
	if (store_add_subject(st, &s, &e) != CRF_OK)
		return -1;
	subj = s.id;
	subject_row_clear(&s);
	return 0;
}

static int
teardown(void **state)
{
	char *p;

	(void)state;
	store_close(st);
	formdef_free(sd);
	unlink(path);
	p = xasprintf("%s-wal", path);
	unlink(p);
	free(p);
	p = xasprintf("%s-shm", path);
	unlink(p);
	free(p);
	free(path);
	if (cpath[0] != '\0') {
		const char *ext[] = { "", "-wal", "-shm" };

		for (size_t i = 0; i < 3; i++) {
			p = xasprintf("%s%s", cpath, ext[i]);
			unlink(p);
			free(p);
		}
	}
	rmdir(dir);
	return 0;
}

static void
test_checksum_and_oid(void **state)
{
	char hex[TRANSFER_CHECKSUM_HEX + 1], *line, *oid;
	time_t t;

	(void)state;
	/* b2sum -l 256 of "abc" */
	transfer_checksum("abc", 3, hex);
	assert_string_equal(hex,
	    "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
	line = transfer_checksum_line(hex, "t1.xml");
	assert_string_equal(line,
	    "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319  t1.xml\n");
	free(line);
	assert_true(clock_parse("2026-11-25T08:00:00Z", &t));
	oid = transfer_file_oid("NCT06228781", "TJ01", 58, t);
	assert_string_equal(oid, "crf/NCT06228781/TJ01/transfer/58/20261125T080000Z");
	free(oid);
}

/* Two transfers: the second carries only the correction and the new
 * form, its containers as Context; rows saved after a transfer started
 * are left for the next one. */
static void
test_incremental(void **state)
{
	form_key dm = { subj, "scr", 1, "dm", 1 };
	form_key ae1 = { subj, "", 0, "ae", 1 };
	item_change dm1[] = {
		{ "brthdat", "1990-05-01", NULL, 0 },
		{ "sex", "F", NULL, 0 },
		{ "weight", "64.0", NULL, 0 },
	};
	item_change fix[] = { { "weight", "65.0", NULL, 0 } };
	item_change a1[] = { { "aeterm", "Fever", NULL, 0 }, { "aeser", "N", NULL, 0 } };
	odm_summary s1, s2, s3;
	long long through;
	char *d1, *d2, *d3;

	(void)state;
	at("2026-03-01T02:00:00Z");
	save(&dm, dm1, sizeof dm1 / sizeof dm1[0], FORM_COMPLETE, NULL);
	at("2026-03-01T03:00:00Z");
	d1 = transfer(0, max_seq(), NULL, &s1);
	assert_null(strstr(d1, "Archival"));
	assert_null(strstr(d1, "PriorFileOID"));
	assert_non_null(strstr(d1, "<SubjectData SubjectKey=\"TJ01-0001\" TransactionType=\"Insert\">"));
	assert_non_null(strstr(d1, ">64.0<"));
	assert_true(s1.first_seq >= 1);
	assert_true(s1.last_seq >= s1.first_seq);
	assert_true(s1.transactions > 0);

	at("2026-03-01T04:00:00Z");
	save(&dm, fix, 1, FORM_COMPLETE, "Weighed again");
	through = max_seq();
	/* Saved after the second transfer started: not in it. */
	save(&ae1, a1, 2, FORM_COMPLETE, NULL);
	at("2026-03-01T05:00:00Z");
	d2 = transfer(s1.last_seq, through, "crf/X/TJ01/transfer/1/20260301T030000Z", &s2);
	assert_non_null(strstr(d2, "PriorFileOID=\"crf/X/TJ01/transfer/1/20260301T030000Z\""));
	assert_non_null(strstr(d2, "<SubjectData SubjectKey=\"TJ01-0001\" TransactionType=\"Context\">"));
	assert_null(strstr(d2, "TransactionType=\"Insert\">"));
	assert_non_null(strstr(d2, "TransactionType=\"Update\">65.0<"));
	assert_non_null(strstr(d2, "<ReasonForChange>Weighed again</ReasonForChange>"));
	assert_null(strstr(d2, ">64.0<"));
	assert_null(strstr(d2, "1990-05-01"));
	assert_null(strstr(d2, "Fever"));
	assert_int_equal(s2.transactions, 1);
	assert_true(s2.first_seq > s1.last_seq);
	assert_true(s2.last_seq <= through);

	/* The third picks up the adverse event. */
	d3 = transfer(s2.last_seq, max_seq(), "crf/X/TJ01/transfer/2/20260301T050000Z", &s3);
	assert_non_null(strstr(d3, "Fever"));
	assert_null(strstr(d3, "65.0"));
	assert_true(s3.first_seq > s2.last_seq);

	/* Nothing new: no transaction. */
	free(d1);
	d1 = transfer(s3.last_seq, max_seq(), "crf/X/TJ01/transfer/3/20260301T050000Z", &s1);
	assert_int_equal(s1.transactions, 0);
	free(d1);
	free(d2);
	free(d3);
}

/* A subject added after the transfer started is left for the next one. */
static void
test_new_subject_later(void **state)
{
	subject_row s;
	odm_summary sum;
	long long through = max_seq();
	crf_err e;
	char *d;

	(void)state;
	assert_int_equal(store_add_subject(st, &s, &e), CRF_OK);
	subject_row_clear(&s);
	d = transfer(through, through, "crf/X/TJ01/transfer/9/20260301T050000Z", &sum);
	assert_int_equal(sum.transactions, 0);
	assert_null(strstr(d, "TJ01-0002"));
	free(d);
	d = transfer(through, max_seq(), "crf/X/TJ01/transfer/9/20260301T050000Z", &sum);
	assert_int_equal(sum.transactions, 1);
	assert_non_null(strstr(d, "<SubjectData SubjectKey=\"TJ01-0002\" TransactionType=\"Insert\">"));
	free(d);
}

/* The chain in transfer_out: the first without a prior, each next after
 * the latest, rows never overlapping; export rights needed. */
static void
test_record_chain(void **state)
{
	char h[TRANSFER_CHECKSUM_HEX + 1];
	transfer_row t1 = { .file_oid = "crf/X/TJ01/transfer/1/A", .first_seq = 1,
	    .last_seq = 10, .checksum = h };
	transfer_row t2 = { .file_oid = "crf/X/TJ01/transfer/11/B", .first_seq = 11,
	    .last_seq = 12, .checksum = h, .prior_file_oid = "crf/X/TJ01/transfer/1/A" };
	transfer_row bad, last;
	bool found;
	crf_err e;

	(void)state;
	transfer_checksum("x", 1, h);
	assert_int_equal(store_last_transfer(st, &last, &found, &e), CRF_OK);
	assert_false(found);
	/* A data-entry account may not export. */
	assert_int_equal(store_record_transfer(st, &t1, "/tmp/t1.xml", &e), CRF_EDENIED);
	as("dm", DM_PW);
	bad = t2;
	assert_int_equal(store_record_transfer(st, &bad, "/tmp/t.xml", &e), CRF_ECONFLICT);
	assert_non_null(strstr(e.msg, "the site's last transfer is none"));
	assert_int_equal(store_record_transfer(st, &t1, "/tmp/t1.xml", &e), CRF_OK);
	bad = t1;
	bad.file_oid = "crf/X/TJ01/transfer/1/C";
	assert_int_equal(store_record_transfer(st, &bad, "/tmp/t.xml", &e), CRF_ECONFLICT);
	bad = t2;
	bad.first_seq = 10;
	assert_int_equal(store_record_transfer(st, &bad, "/tmp/t.xml", &e), CRF_ECONFLICT);
	bad = t2;
	bad.checksum = "abc";
	assert_int_equal(store_record_transfer(st, &bad, "/tmp/t.xml", &e), CRF_EINVAL);
	assert_int_equal(store_record_transfer(st, &t2, "/tmp/t2.xml", &e), CRF_OK);
	assert_int_equal(store_last_transfer(st, &last, &found, &e), CRF_OK);
	assert_true(found);
	assert_string_equal(last.file_oid, t2.file_oid);
	assert_string_equal(last.prior_file_oid, t1.file_oid);
	assert_int_equal(last.first_seq, 11);
	assert_int_equal(last.last_seq, 12);
	assert_string_equal(last.checksum, h);
	assert_string_equal(last.created_at, "2026-03-01T05:00:00Z");
	transfer_row_clear(&last);
}

/* A central database next to the site's, signed in as its data manager
 * (who may export but not enter data: the centre's change is made by
 * "centre.nurse"). */
static store *
central(void)
{
	store *c;
	crf_err e;

	snprintf(cpath, sizeof cpath, "%s/central.db", dir);
	assert_int_equal(store_create(cpath, "CENTRE", "Coordinating centre", &c, &e), CRF_OK);
	store_set_user(c, "centre.setup");
	assert_int_equal(store_make_central(c, &e), CRF_OK);
	assert_int_equal(store_add_user(c, "centre.nurse", "Zhao Min", "data-entry", NURSE_PW,
	    &e), CRF_OK);
	return c;
}

static crf_status
import(store *c, const char *doc, import_result *r, crf_err *e)
{
	char hex[TRANSFER_CHECKSUM_HEX + 1];

	transfer_checksum(doc, strlen(doc), hex);
	return central_import(c, sd, doc, strlen(doc), "t.xml", hex, r, e);
}

static long long
count(store *c, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long long n = -1;

	(void)c;
	assert_int_equal(sqlite3_open_v2(cpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

static void
test_central_import(void **state)
{
	form_key dm = { subj, "scr", 1, "dm", 1 };
	item_change fix[] = { { "weight", "66.0", NULL, 0 } };
	item_change centre_fix[] = { { "weight", "70.0", NULL, 0 } };
	char *d1, *d2, *d3;
	odm_summary s1, s2, s3;
	import_result r;
	audit_report ar = { 0 };
	form_data fd;
	user_row u;
	store *c = central();
	crf_err e;
	int v;

	(void)state;
	/* Three transfers of the site: everything so far, a correction, and
	 * another correction after the centre changed the value. */
	at("2026-03-02T01:00:00Z");
	d1 = transfer(0, max_seq(), NULL, &s1);
	as("nurse", NURSE_PW);
	save(&dm, fix, 1, FORM_COMPLETE, "Scale recalibrated");
	d2 = transfer(s1.last_seq, max_seq(), "crf/X/TJ01/transfer/1/A", &s2);

	/* A site database takes no import. */
	assert_int_equal(import(st, d1, &r, &e), CRF_EDENIED);

	/* Out of order: nothing changes. */
	assert_int_equal(import(c, d2, &r, &e), CRF_ECONFLICT);
	assert_non_null(strstr(e.msg, "crf/X/TJ01/transfer/1/A"));
	assert_int_equal(count(c, "SELECT count(*) FROM subject"), 0);

	/* In order; the first file names the FileOID the second follows. */
	free(d1);
	{
		odm_opts o = { .kind = ODM_TRANSACTIONAL, .transfer = true,
		    .through_seq = s1.last_seq, .file_oid = "crf/X/TJ01/transfer/1/A" };
		strbuf out = { 0 };

		assert_int_equal(odm_export(st, sd, &o, &out, NULL, &e), CRF_OK);
		d1 = sb_steal(&out);
	}
	assert_int_equal(import(c, d1, &r, &e), CRF_OK);
	assert_false(r.already);
	assert_string_equal(r.site, "TJ01");
	assert_int_equal(r.subjects, 2);
	assert_int_equal(r.conflicts, 0);
	assert_true(r.values >= 5);
	assert_int_equal(import(c, d1, &r, &e), CRF_OK);
	assert_true(r.already);
	assert_int_equal(count(c, "SELECT count(*) FROM transfer_in"), 1);

	/* The centre corrects the weight itself, audited. */
	assert_int_equal(store_login(c, "centre.nurse", NURSE_PW, &u, &e), CRF_OK);
	user_row_clear(&u);
	assert_int_equal(store_load_form(c, &dm, &fd, &e), CRF_OK);
	assert_int_equal(store_save_form(c, &dm, fd.version, 1, FORM_COMPLETE, centre_fix, 1,
	    "Checked against the source", &v, &e), CRF_OK);
	form_data_clear(&fd);

	/* The site's correction of the same value: a conflict, the centre's
	 * value kept. */
	d3 = NULL;
	{
		odm_opts o = { .kind = ODM_TRANSACTIONAL, .transfer = true,
		    .since_seq = s1.last_seq, .through_seq = max_seq(),
		    .prior_file_oid = "crf/X/TJ01/transfer/1/A",
		    .file_oid = "crf/X/TJ01/transfer/2/B" };
		strbuf out = { 0 };

		assert_int_equal(odm_export(st, sd, &o, &out, &s3, &e), CRF_OK);
		d3 = sb_steal(&out);
	}
	assert_int_equal(import(c, d3, &r, &e), CRF_OK);
	assert_int_equal(r.conflicts, 1);
	assert_int_equal(r.values, 0);
	assert_int_equal(store_load_form(c, &dm, &fd, &e), CRF_OK);
	for (size_t i = 0; i < fd.nitems; i++)
		if (strcmp(fd.items[i].field, "weight") == 0)
			assert_string_equal(fd.items[i].value, "70.0");
	form_data_clear(&fd);
	{
		import_conflict *rows;
		size_t n;

		assert_int_equal(central_conflicts(c, &rows, &n, &e), CRF_OK);
		assert_int_equal(n, 1);
		assert_string_equal(rows[0].site, "TJ01");
		assert_string_equal(rows[0].subject, "TJ01-0001");
		assert_string_equal(rows[0].field, "weight");
		assert_string_equal(rows[0].central_value, "70.0");
		assert_string_equal(rows[0].site_value, "66.0");
		assert_string_equal(rows[0].file_oid, "crf/X/TJ01/transfer/2/B");
		import_conflicts_free(rows, n);
	}
	/* The site's records are kept with the site's user. */
	assert_int_equal(count(c, "SELECT count(*) FROM site_audit WHERE user <> 'nurse'"), 0);
	assert_true(count(c, "SELECT count(*) FROM site_audit") > 5);
	/* The centre's trail still holds. */
	assert_int_equal(store_audit_verify(c, NULL, &ar, &e), CRF_OK);
	for (size_t i = 0; i < ar.nissues; i++)
		fprintf(stderr, "#   %s\n", ar.issues[i].text);
	assert_int_equal(ar.nissues, 0);
	audit_report_clear(&ar);
	free(d1);
	free(d2);
	free(d3);
	(void)s2;
	store_close(c);
}

/* A new central database at dir/name (removed by teardown()). */
static store *
central_at(const char *name)
{
	char *p = path_join(dir, name);
	store *c;
	crf_err e;

	assert_int_equal(store_create(p, "CENTRE", "Coordinating centre", &c, &e), CRF_OK);
	store_set_user(c, "centre.setup");
	assert_int_equal(store_make_central(c, &e), CRF_OK);
	free(p);
	return c;
}

/* The ClinicalData element of an ODM document (owned). */
static char *
clinical_of(const char *doc)
{
	const char *a = strstr(doc, "<ClinicalData "), *b = strstr(doc, "</ClinicalData>");

	assert_non_null(a);
	assert_non_null(b);
	return xstrndup(a, (size_t)(b - a));
}

/* An export of st as o says, valid against the schema and crf's checks. */
static char *
checked_export(store *from, const odm_opts *o)
{
	strbuf out = { 0 };
	odm_report r = { 0 };
	crf_err e;

	if (odm_export_checked(from, sd, o, SCHEMA, &out, NULL, &r, &e) != CRF_OK)
		fail_msg("odm_export_checked: %s", e.msg);
	odm_report_clear(&r);
	return sb_steal(&out);
}

static void
test_slice(void **state)
{
	form_key dm = { subj, "scr", 1, "dm", 1 };
	signoff_target t = signoff_target_of(&dm, SCOPE_FORM);
	item_change fix[] = { { "weight", "67.0", NULL, 0 } };
	item_change bj_dm[] = { { "weight", "58.5", NULL, 0 } };
	odm_opts full = { .kind = ODM_TRANSACTIONAL };
	odm_opts slice = { .kind = ODM_TRANSACTIONAL, .site = "TJ01" };
	char *bjpath = path_join(dir, "bj02.db");
	char *site_doc, *bj_doc, *tj_doc, *a, *b, *c1_doc, *c2_doc;
	store *bj, *c1, *c2;
	subject_row s;
	import_result r;
	crf_err e;

	(void)state;
	/* A lock, an unlock and a correction after it (EditPoint DBAudit). */
	at("2026-03-05T02:00:00Z");
	as("dm", DM_PW);
	assert_int_equal(store_lock(st, &t, &e), CRF_OK);
	assert_int_equal(store_unlock(st, &t, "Correction requested", &e), CRF_OK);
	as("nurse", NURSE_PW);
	save(&dm, fix, 1, FORM_COMPLETE, "Source document re-read");
	site_doc = checked_export(st, &full);
	assert_non_null(strstr(site_doc, "EditPoint=\"DBAudit\""));
	tj_doc = transfer(0, max_seq(), NULL, NULL);

	/* Another site with one subject. */
	assert_int_equal(store_create(bjpath, "BJ02", "Beijing", &bj, &e), CRF_OK);
	store_set_user(bj, "setup");
	assert_int_equal(store_add_user(bj, "bj.nurse", "Liu Yang", "data-entry", NURSE_PW,
	    &e), CRF_OK);
	{
		user_row u;

		assert_int_equal(store_login(bj, "bj.nurse", NURSE_PW, &u, &e), CRF_OK);
		user_row_clear(&u);
	}
	assert_int_equal(store_add_subject(bj, &s, &e), CRF_OK);
	{
		form_key k = { s.id, "scr", 1, "dm", 1 };
		form_data fd;
		int v;

		assert_int_equal(store_load_form(bj, &k, &fd, &e), CRF_OK);
		assert_int_equal(store_save_form(bj, &k, fd.version, 1, FORM_INCOMPLETE, bj_dm, 1,
		    NULL, &v, &e), CRF_OK);
		form_data_clear(&fd);
	}
	subject_row_clear(&s);
	{
		odm_opts o = { .kind = ODM_TRANSACTIONAL, .transfer = true };
		bj_doc = checked_export(bj, &o);
	}

	/* Not on a site's own database; not of a site the centre has nothing of. */
	{
		strbuf out = { 0 };

		assert_int_equal(odm_export(st, sd, &slice, &out, NULL, &e), CRF_EINVAL);
		assert_non_null(strstr(e.msg, "own database"));
		sb_free(&out);
	}
	c1 = central_at("slice1.db");
	/* The centre's subjects come from the sites. */
	assert_int_equal(store_add_subject(c1, &s, &e), CRF_EDENIED);
	assert_non_null(strstr(e.msg, "added at their sites"));
	{
		strbuf out = { 0 };

		assert_int_equal(odm_export(c1, sd, &slice, &out, NULL, &e), CRF_ENOENT);
		assert_non_null(strstr(e.msg, "nothing of site TJ01"));
		sb_free(&out);
	}
	assert_int_equal(import(c1, tj_doc, &r, &e), CRF_OK);
	assert_int_equal(import(c1, bj_doc, &r, &e), CRF_OK);

	/* The slice: the site's clinical data, byte for byte; BJ02's stay out. */
	c1_doc = checked_export(c1, &slice);
	a = clinical_of(site_doc);
	b = clinical_of(c1_doc);
	assert_string_equal(a, b);
	free(b);
	assert_null(strstr(c1_doc, "BJ02-"));
	assert_non_null(strstr(c1_doc, "<FullName>Wang Fang</FullName>"));
	assert_non_null(strstr(c1_doc, "<Location OID=\"LOC.TJ01\" Name=\"Tianjin\""));

	/* Imported into another centre, the slice exports the same again. */
	c2 = central_at("slice2.db");
	assert_int_equal(import(c2, c1_doc, &r, &e), CRF_OK);
	assert_int_equal(r.subjects, 2);
	c2_doc = checked_export(c2, &slice);
	b = clinical_of(c2_doc);
	assert_string_equal(a, b);
	free(b);
	free(a);

	/* A form status the centre changed is kept like a value: the centre
	 * reopens the form; a file then says the site's form is complete
	 * (hand-made: a site's own status always changes), a conflict. */
	{
		form_key cdm = { 0, "scr", 1, "dm", 1 };
		item_change none[] = { { "weight", "67.0", NULL, 0 } };
		subject_row cs;
		form_data fd;
		user_row u;
		char *oid_at = strstr(tj_doc, "FileOID=\""), *prior, *t2, *hit;
		import_conflict *rows;
		size_t n;
		int v;

		store_set_user(c1, "centre.setup");
		assert_int_equal(store_add_user(c1, "centre.nurse", "Sun Li", "data-entry", NURSE_PW,
		    &e), CRF_OK);
		assert_int_equal(store_login(c1, "centre.nurse", NURSE_PW, &u, &e), CRF_OK);
		user_row_clear(&u);
		assert_int_equal(store_find_subject(c1, "TJ01-0001", &cs, &e), CRF_OK);
		cdm.subject_id = cs.id;
		subject_row_clear(&cs);
		assert_int_equal(store_load_form(c1, &cdm, &fd, &e), CRF_OK);
		assert_int_equal(fd.status, FORM_COMPLETE);
		assert_int_equal(store_save_form(c1, &cdm, fd.version, 1, FORM_INCOMPLETE, none, 1,
		    "Reopened for review", &v, &e), CRF_OK);
		form_data_clear(&fd);

		assert_non_null(oid_at);
		prior = xstrndup(oid_at + 9, strcspn(oid_at + 9, "\""));
		at("2026-03-06T02:00:00Z");
		as("nurse", NURSE_PW);
		save(&dm, NULL, 0, FORM_INCOMPLETE, "Reopened");
		{
			/* The rows after the last one the first transfer carried. */
			long long last = 0;

			for (const char *p = tj_doc; (p = strstr(p, "ID=\"AR.")) != NULL; p += 7)
				if (atoll(p + 7) > last)
					last = atoll(p + 7);
			t2 = transfer(last, max_seq(), prior, NULL);
		}
		hit = strstr(t2, ">incomplete<");
		assert_non_null(hit);
		memmove(hit + 1, hit + 3, strlen(hit + 3) + 1);   /* "incomplete" -> "complete" */
		assert_int_equal(import(c1, t2, &r, &e), CRF_OK);
		assert_int_equal(r.conflicts, 1);
		assert_int_equal(store_load_form(c1, &cdm, &fd, &e), CRF_OK);
		assert_int_equal(fd.status, FORM_INCOMPLETE);
		form_data_clear(&fd);
		assert_int_equal(central_conflicts(c1, &rows, &n, &e), CRF_OK);
		assert_int_equal(n, 1);
		assert_string_equal(rows[0].field, "");
		assert_string_equal(rows[0].central_value, "incomplete");
		assert_string_equal(rows[0].site_value, "complete");
		{
			char *line = import_conflict_text(&rows[0]);

			assert_non_null(strstr(line, "site TJ01, subject TJ01-0001, scr/1 dm/1 form "
			    "status: centre incomplete, site complete (file "));
			free(line);
		}
		import_conflicts_free(rows, n);
		free(prior);
		free(t2);
	}

	store_close(c1);
	store_close(c2);
	store_close(bj);
	{
		const char *names[] = { "bj02.db", "slice1.db", "slice2.db" };
		const char *ext[] = { "", "-wal", "-shm" };

		for (size_t i = 0; i < 3; i++)
			for (size_t j = 0; j < 3; j++) {
				char *p = xasprintf("%s/%s%s", dir, names[i], ext[j]);
				unlink(p);
				free(p);
			}
	}
	free(bjpath);
	free(site_doc);
	free(tj_doc);
	free(bj_doc);
	free(c1_doc);
	free(c2_doc);
}

/* The on-read hook of test_consistent_export: the first time a read of
 * the export begins, another session sets subject 2's weight to arg. */
static int other_saves;

static void
save_meanwhile(void *arg)
{
	store *o;
	user_row u;
	subject_row sr;
	form_data fd;
	item_change ch[] = { { "weight", arg, NULL, 0 } };
	crf_err e;
	int v;

	if (other_saves++ > 0)
		return;
	assert_int_equal(store_open(path, &o, &e), CRF_OK);
	assert_int_equal(store_login(o, "nurse", NURSE_PW, &u, &e), CRF_OK);
	user_row_clear(&u);
	assert_int_equal(store_find_subject(o, "TJ01-0002", &sr, &e), CRF_OK);
	{
		form_key k = { sr.id, "scr", 1, "dm", 1 };

		assert_int_equal(store_load_form(o, &k, &fd, &e), CRF_OK);
		assert_int_equal(store_save_form(o, &k, fd.version, 1, FORM_INCOMPLETE, ch, 1,
		    "Weighed again", &v, &e), CRF_OK);
		form_data_clear(&fd);
	}
	subject_row_clear(&sr);
	store_close(o);
}

/* An export reads the whole site as of one instant: a save made by another
 * session while it runs is in neither subject's data, whichever the export
 * reads first; the next export has it. */
static void
test_consistent_export(void **state)
{
	odm_opts kinds[] = { { .kind = ODM_TRANSACTIONAL }, { .kind = ODM_SNAPSHOT } };
	const char *weight[] = { "88.8", "89.9" };
	char *doc, *shown;

	(void)state;
	at("2026-03-07T02:00:00Z");
	for (size_t i = 0; i < 2; i++) {
		other_saves = 0;
		shown = xasprintf(">%s<", weight[i]);
		store_test_on_read(st, save_meanwhile, (void *)weight[i]);
		doc = checked_export(st, &kinds[i]);
		store_test_on_read(st, NULL, NULL);
		assert_true(other_saves > 1);
		assert_null(strstr(doc, shown));
		free(doc);
		doc = checked_export(st, &kinds[i]);
		assert_non_null(strstr(doc, shown));
		free(doc);
		free(shown);
	}
}

/* A subject's life-cycle state travels as crf's subject record
 * (SE.CRF.SUBJECT): enrolment with its study number, then a withdrawal
 * with its reason, in both kinds of export; the centre's subject gets the
 * same state, date, number and reason, its trail verifies, and the slice
 * gives the site's clinical data back byte for byte. */
static void
test_subject_state(void **state)
{
	odm_opts full = { .kind = ODM_TRANSACTIONAL }, snap = { .kind = ODM_SNAPSHOT };
	odm_opts slice = { .kind = ODM_TRANSACTIONAL, .site = "TJ01" };
	char *no = NULL, *site_doc, *snap_doc, *t_doc, *c_doc, *a, *b;
	subject_row r;
	import_result ir;
	audit_report ar = { 0 };
	store *c;
	crf_err e;

	(void)state;
	at("2026-03-08T02:00:00Z");
	as("pi", PI_PW);
	assert_int_equal(store_find_subject(st, "TJ01-0002", &r, &e), CRF_OK);
	assert_int_equal(store_change_subject(st, r.id, SUBJECT_ENROL, "2026-03-08", NULL, &no,
	    &e), CRF_OK);
	assert_string_equal(no, "TJ01-E001");
	at("2026-03-09T02:00:00Z");
	assert_int_equal(store_change_subject(st, r.id, SUBJECT_WITHDRAW, "2026-03-09",
	    "Moved to another city", NULL, &e), CRF_OK);
	subject_row_clear(&r);
	free(no);

	site_doc = checked_export(st, &full);
	assert_non_null(strstr(site_doc, "<ItemDataString ItemOID=\"IT.CRF.SUBJECT.STATUS\" "
	    "TransactionType=\"Insert\">enrolled</ItemDataString>"));
	assert_non_null(strstr(site_doc, "<ItemDataString ItemOID=\"IT.CRF.SUBJECT.STATUS\" "
	    "TransactionType=\"Update\">withdrawn</ItemDataString>"));
	assert_non_null(strstr(site_doc, "<ItemDataString ItemOID=\"IT.CRF.SUBJECT.STUDYNO\" "
	    "TransactionType=\"Insert\">TJ01-E001</ItemDataString>"));
	assert_non_null(strstr(site_doc, "<ReasonForChange>Moved to another city</ReasonForChange>"));
	snap_doc = checked_export(st, &snap);
	assert_non_null(strstr(snap_doc, "<ItemDataString ItemOID=\"IT.CRF.SUBJECT.STATUS\">"
	    "withdrawn</ItemDataString>"));
	assert_non_null(strstr(snap_doc, "<ItemDataDate ItemOID=\"IT.CRF.SUBJECT.DATE\">"
	    "2026-03-09</ItemDataDate>"));

	/* At the centre. */
	t_doc = transfer(0, max_seq(), NULL, NULL);
	c = central_at("state.db");
	assert_int_equal(import(c, t_doc, &ir, &e), CRF_OK);
	assert_int_equal(store_find_subject(c, "TJ01-0002", &r, &e), CRF_OK);
	assert_string_equal(r.status, "withdrawn");
	assert_string_equal(r.study_no, "TJ01-E001");
	assert_string_equal(r.status_date, "2026-03-09");
	assert_string_equal(r.status_reason, "Moved to another city");
	subject_row_clear(&r);
	assert_int_equal(store_audit_verify(c, NULL, &ar, &e), CRF_OK);
	for (size_t i = 0; i < ar.nissues; i++)
		fprintf(stderr, "#   %s\n", ar.issues[i].text);
	assert_int_equal(ar.nissues, 0);
	audit_report_clear(&ar);
	c_doc = checked_export(c, &slice);
	a = clinical_of(site_doc);
	b = clinical_of(c_doc);
	assert_string_equal(a, b);
	free(a);
	free(b);
	store_close(c);
	{
		const char *ext[] = { "", "-wal", "-shm" };

		for (size_t j = 0; j < 3; j++) {
			char *p = xasprintf("%s/state.db%s", dir, ext[j]);
			unlink(p);
			free(p);
		}
	}
	free(site_doc);
	free(snap_doc);
	free(t_doc);
	free(c_doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum_and_oid),
		cmocka_unit_test(test_incremental),
		cmocka_unit_test(test_new_subject_later),
		cmocka_unit_test(test_record_chain),
		cmocka_unit_test(test_central_import),
		cmocka_unit_test(test_slice),
		cmocka_unit_test(test_consistent_export),
		cmocka_unit_test(test_subject_state),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
