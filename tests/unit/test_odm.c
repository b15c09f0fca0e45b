/* test_odm.c - the ODM 1.3.2 export (snapshot and transactional) of a site
 * database built with the store on the fixture study, validated against
 * the vendored schema and crf's own checks; hand-broken documents that
 * the checks must catch, each with its message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crf/date.h"
#include "crf/odm.h"
#include "crf/signoff.h"
#include "crf/store.h"
#include "crf/util.h"
#include "crf/xmlrt.h"

#define SCHEMA "schema/odm132/" ODM_SCHEMA_FILE
#define NURSE_PW "Nurse-Password-1"
#define PI_PW "Investigator-Pw-2"
#define DM_PW "DataManager-Pw-4"

static char dir[64];
static char *path;
static store *st;
static study_def *sd;
static long long subj;
static long long weight_update_seq;   /* the audit row of the weight correction */
static char *snap_doc;                 /* exports of the database built in setup */
static char *trans_doc;

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

/* Save changes to one form instance; fails the test on error. */
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

static char *
export(odm_kind kind, bool identifiers, odm_summary *sum)
{
	odm_opts o = { .kind = kind, .identifiers = identifiers };
	strbuf out = { 0 };
	crf_err e;

	if (odm_export(st, sd, &o, &out, sum, &e) != CRF_OK)
		fail_msg("odm_export: %s", e.msg);
	return sb_steal(&out);
}

static void
print_report(const odm_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		fprintf(stderr, "#   line %d: %s%s: %s\n", r->items[i].line,
		    r->items[i].warning ? "warning: " : "", r->items[i].rule, r->items[i].msg);
}

/* The document passes the schema and every check (warnings allowed). */
static void
expect_valid(const char *doc)
{
	odm_report r = { 0 };
	crf_err e;

	assert_int_equal(odm_validate(doc, strlen(doc), "doc", SCHEMA, &r, &e), CRF_OK);
	assert_int_equal(odm_check(doc, strlen(doc), "doc", &r, &e), CRF_OK);
	if (r.errors > 0)
		print_report(&r);
	assert_int_equal(r.errors, 0);
	odm_report_clear(&r);
}

/* odm_check finds an error of rule whose message holds text. */
static void
expect_check_error(const char *doc, const char *rule, const char *text)
{
	odm_report r = { 0 };
	crf_err e;
	bool seen = false;

	assert_int_equal(odm_check(doc, strlen(doc), "doc", &r, &e), CRF_OK);
	for (size_t i = 0; i < r.n; i++)
		if (!r.items[i].warning && strcmp(r.items[i].rule, rule) == 0 &&
		    strstr(r.items[i].msg, text) != NULL && r.items[i].line > 0)
			seen = true;
	if (!seen) {
		fprintf(stderr, "# expected %s: %s\n", rule, text);
		print_report(&r);
	}
	assert_true(seen);
	odm_report_clear(&r);
}

/* A copy of doc with the first `from` (after `after`, when given) replaced. */
static char *
edit(const char *doc, const char *after, const char *from, const char *to)
{
	const char *start = after != NULL ? strstr(doc, after) : doc;
	const char *p;
	strbuf sb = { 0 };

	assert_non_null(start);
	p = strstr(start, from);
	if (p == NULL)
		fail_msg("edit: '%s' not found", from);
	sb_addn(&sb, doc, (size_t)(p - doc));
	sb_add(&sb, to);
	sb_add(&sb, p + strlen(from));
	return sb_steal(&sb);
}

static long long
last_seq_of(const char *field, const char *action)
{
	audit_row *rows;
	size_t n;
	long long seq = 0;
	crf_err e;

	assert_int_equal(store_subject_history(st, "TJ01-0001", NULL, NULL, &rows, &n, &e),
	    CRF_OK);
	for (size_t i = 0; i < n; i++)
		if (str_eq(rows[i].field, field) && str_eq(rows[i].action, action))
			seq = rows[i].seq;
	audit_rows_free(rows, n);
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
	strcpy(dir, "/tmp/crf-odm.XXXXXX");
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
	    store_add_user(st, "pi", "Li Wei", "investigator", PI_PW, &e) ||
	    store_add_user(st, "dm", "Chen Jing", "data-manager", DM_PW, &e))
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
	free(snap_doc);
	free(trans_doc);
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
	rmdir(dir);
	return 0;
}

/* A casebook with every kind of value, a correction, a removal, a
 * missing-data code, a signature, a lock and a change after the unlock. */
/* A machine without libxml2: crf's full-screen program does not need it
 * (it is loaded only here); an export, a check or an import says what is
 * missing.  First of all the tests, before anything has loaded it. */
static void
test_without_libxml2(void **state)
{
	odm_report r = { 0 };
	crf_err e;

	(void)state;
	xml_runtime_test_library("libxml2-not-installed.so.0");
	assert_int_equal(odm_check("<ODM/>", 6, "x.xml", &r, &e), CRF_EIO);
	assert_non_null(strstr(e.msg, "need libxml2, which is not installed"));
	assert_int_equal(r.n, 0);
	xml_runtime_test_library(NULL);
	assert_int_equal(odm_check("<ODM/>", 6, "x.xml", &r, &e), CRF_OK);
	odm_report_clear(&r);
}

static void
test_build_site(void **state)
{
	form_key dm = { subj, "scr", 1, "dm", 1 };
	form_key inf = { subj, "d0", 1, "inf", 1 };
	form_key uns1 = { subj, "uns", 1, "vs", 1 };
	form_key uns2 = { subj, "uns", 2, "vs", 1 };
	form_key ae1 = { subj, "", 0, "ae", 1 };
	form_key ae2 = { subj, "", 0, "ae", 2 };
	item_change dm1[] = {
		{ "brthdat", "1990-05-01", NULL, 0 },
		{ "sex", "F", NULL, 0 },
		{ "pregnant", NULL, "NA", 0 },
		{ "height", "170.0", NULL, 0 },
		{ "weight", NULL, "ND", 0 },
		{ "initials", "ZXM", NULL, 0 },
		{ "onset", "2024-03", NULL, 0 },
		{ "notes", "First line & <second>", NULL, 0 },
	};
	item_change fix[] = { { "weight", "65.0", NULL, 0 } };
	item_change clear[] = { { "notes", NULL, NULL, 0 } };
	item_change infc[] = {
		{ "infdat", "2026-02-20", NULL, 0 },
		{ "inftim", "08:30", NULL, 0 },
		{ "cd34", "5.25", NULL, 0 },
	};
	item_change v1[] = { { "vsdat", "2026-02-25", NULL, 0 }, { "temp", "37.2", NULL, 0 } };
	item_change v2[] = { { "vsdat", "2026-02-27", NULL, 0 }, { "temp", "38.4", NULL, 0 } };
	item_change a1[] = { { "aeterm", "Fever", NULL, 0 }, { "aeser", "N", NULL, 0 } };
	item_change a2[] = { { "aeterm", "Sepsis", NULL, 0 }, { "aeser", "Y", NULL, 0 },
		{ "aesdth", "N", NULL, 0 } };
	signoff_target t = signoff_target_of(&dm, SCOPE_FORM);
	crf_err e;

	(void)state;
	at("2026-03-01T02:00:00Z");
	save(&dm, dm1, sizeof dm1 / sizeof dm1[0], FORM_COMPLETE, NULL);
	at("2026-03-01T02:10:00Z");
	save(&dm, fix, 1, FORM_COMPLETE, "Weighed after all");
	weight_update_seq = last_seq_of("weight", "update");
	assert_true(weight_update_seq > 0);
	at("2026-03-01T02:20:00Z");
	save(&inf, infc, 3, FORM_INCOMPLETE, NULL);
	save(&uns1, v1, 2, FORM_COMPLETE, NULL);
	save(&uns2, v2, 2, FORM_COMPLETE, NULL);
	save(&ae1, a1, 2, FORM_COMPLETE, NULL);
	save(&ae2, a2, 3, FORM_INCOMPLETE, NULL);
	at("2026-03-01T03:00:00Z");
	as("pi", PI_PW);
	assert_int_equal(store_sign(st, &t, "pi", PI_PW, NULL, &e), CRF_OK);
	at("2026-03-01T03:10:00Z");
	as("dm", DM_PW);
	assert_int_equal(store_lock(st, &t, &e), CRF_OK);
	assert_int_equal(store_unlock(st, &t, "Correction requested by the monitor", &e), CRF_OK);
	at("2026-03-01T03:20:00Z");
	as("nurse", NURSE_PW);
	save(&dm, clear, 1, FORM_COMPLETE, "Notes belong in the source");
	at("2026-03-01T03:30:00Z");
	as("pi", PI_PW);
	t = signoff_target_of(&ae1, SCOPE_FORM);
	assert_int_equal(store_sign(st, &t, "pi", PI_PW, NULL, &e), CRF_OK);
	at("2026-03-01T04:00:00Z");
	snap_doc = export(ODM_SNAPSHOT, false, NULL);
	trans_doc = export(ODM_TRANSACTIONAL, false, NULL);
}

static void
test_snapshot(void **state)
{
	odm_summary sum;
	char *again;

	(void)state;
	assert_non_null(snap_doc);
	expect_valid(snap_doc);
	/* The root: a single site's current data. */
	assert_non_null(strstr(snap_doc, "FileType=\"Snapshot\""));
	assert_non_null(strstr(snap_doc, "Granularity=\"SingleSite\""));
	assert_null(strstr(snap_doc, "Archival="));
	assert_non_null(strstr(snap_doc, "ODMVersion=\"1.3.2\""));
	assert_non_null(strstr(snap_doc, "FileOID=\"crf/TEST.STUDY/TJ01/snapshot/20260301T040000Z\""));
	assert_non_null(strstr(snap_doc, "CreationDateTime=\"2026-03-01T12:00:00+08:00\""));
	/* Current values only: no history. */
	assert_null(strstr(snap_doc, "AuditRecord"));
	assert_null(strstr(snap_doc, "TransactionType"));
	assert_non_null(strstr(snap_doc, "<ItemDataFloat ItemOID=\"IT.DM.WEIGHT\">65.0</ItemDataFloat>"));
	assert_null(strstr(snap_doc, "ItemOID=\"IT.DM.NOTES\">"));
	/* Types: partial date, time to the second, yes/no, missing code, escaping. */
	assert_non_null(strstr(snap_doc,
	    "<ItemDataPartialDate ItemOID=\"IT.DM.ONSET\">2024-03</ItemDataPartialDate>"));
	assert_non_null(strstr(snap_doc, "<ItemDataTime ItemOID=\"IT.INF.INFTIM\">08:30:00</ItemDataTime>"));
	assert_non_null(strstr(snap_doc, "<ItemDataString ItemOID=\"IT.AE.AESER\">Y</ItemDataString>"));
	assert_non_null(strstr(snap_doc,
	    "<ItemDataAny ItemOID=\"IT.DM.PREGNANT\" IsNull=\"Yes\" AnnotationID=\"AN.MISSING.NA\"/>"));
	assert_non_null(strstr(snap_doc, "<Annotation SeqNum=\"3\" ID=\"AN.MISSING.NA\">"));
	/* Repeat keys: the unscheduled visit and the log, nowhere else. */
	assert_non_null(strstr(snap_doc,
	    "<StudyEventData StudyEventOID=\"SE.UNS\" StudyEventRepeatKey=\"2\">"));
	assert_non_null(strstr(snap_doc, "<FormData FormOID=\"F.AE\" FormRepeatKey=\"2\">"));
	assert_non_null(strstr(snap_doc, "<StudyEventData StudyEventOID=\"SE.SCR\">"));
	assert_non_null(strstr(snap_doc, "<StudyEventData StudyEventOID=\"" ODM_LOGS_EVENT_OID "\">"));
	/* The identifier is described but its value left out. */
	assert_non_null(strstr(snap_doc, "<ItemDef OID=\"IT.DM.BRTHDAT\""));
	assert_null(strstr(snap_doc, "1990-05-01"));
	/* The form status. */
	assert_non_null(strstr(snap_doc, "<FlagValue CodeListOID=\"" ODM_CL_FORMSTATUS
	    "\">complete</FlagValue>"));
	/* The same database and clock give the same bytes. */
	again = export(ODM_SNAPSHOT, false, &sum);
	assert_string_equal(again, snap_doc);
	assert_int_equal(sum.subjects, 1);
	assert_int_equal(sum.identifiers, 1);
	free(again);
}

static void
test_snapshot_signature(void **state)
{
	const char *f;

	(void)state;
	/* The dm form was changed after it was signed: the signature no longer
	 * covers the current values, so the snapshot does not carry it. */
	f = strstr(snap_doc, "<FormData FormOID=\"F.DM\">");
	assert_non_null(f);
	assert_true(strstr(f, "<Signature>") > strstr(f, "</FormData>"));
	/* The first adverse event's signature is in force: at its FormData. */
	f = strstr(snap_doc, "<FormData FormOID=\"F.AE\" FormRepeatKey=\"1\">");
	assert_non_null(f);
	assert_true(strstr(f, "<Signature>") < strstr(f, "</FormData>"));
	assert_non_null(strstr(snap_doc, "<UserRef UserOID=\"USR.pi\"/>"));
	assert_non_null(strstr(snap_doc, "<DateTimeStamp>2026-03-01T11:30:00+08:00</DateTimeStamp>"));
	/* But the meaning is defined. */
	assert_non_null(strstr(snap_doc, "<SignatureDef OID=\"SD.FORM\" Methodology=\"Electronic\">"));
	assert_non_null(strstr(snap_doc, "<Meaning>I approve the data of this form</Meaning>"));
}

static void
test_transactional(void **state)
{
	char *again, *ar;
	const char *p;

	(void)state;
	assert_non_null(trans_doc);
	expect_valid(trans_doc);
	assert_non_null(strstr(trans_doc, "FileType=\"Transactional\""));
	assert_non_null(strstr(trans_doc, "Archival=\"Yes\""));
	assert_null(strstr(trans_doc, "Upsert"));
	/* The subject's creation, then every change, each with its record. */
	assert_non_null(strstr(trans_doc, "<SubjectData SubjectKey=\"TJ01-0001\" "
	    "TransactionType=\"Insert\">"));
	assert_non_null(strstr(trans_doc, "<DateTimeStamp>2026-03-01T10:00:00+08:00</DateTimeStamp>"));
	/* The missing code first, then the correction with its reason. */
	p = strstr(trans_doc, "<ItemDataAny ItemOID=\"IT.DM.WEIGHT\" TransactionType=\"Insert\" "
	    "IsNull=\"Yes\" AnnotationID=\"AN.MISSING.ND\"/>");
	assert_non_null(p);
	ar = xasprintf("ID=\"AR.%lld\"", weight_update_seq);
	assert_true(strstr(trans_doc, ar) > p);
	assert_non_null(strstr(strstr(trans_doc, ar), "<ReasonForChange>Weighed after all</ReasonForChange>"));
	assert_non_null(strstr(trans_doc, "<ItemDataFloat ItemOID=\"IT.DM.WEIGHT\" "
	    "TransactionType=\"Update\">65.0</ItemDataFloat>"));
	free(ar);
	/* The removal, after the lock: DBAudit. */
	p = strstr(trans_doc, "<ItemDataAny ItemOID=\"IT.DM.NOTES\" TransactionType=\"Remove\"/>");
	assert_non_null(p);
	assert_non_null(strstr(trans_doc, "EditPoint=\"DBAudit\""));
	/* The signature at the form it covers, with its meaning's OID. */
	p = strstr(trans_doc, "<SignatureRef SignatureOID=\"SD.FORM\"/>");
	assert_non_null(p);
	assert_non_null(strstr(trans_doc, "<UserRef UserOID=\"USR.pi\"/>"));
	assert_non_null(strstr(trans_doc, "<FullName>Li Wei</FullName>"));
	/* Text is escaped by the writer, not by hand. */
	assert_non_null(strstr(trans_doc, ">First line &amp; &lt;second&gt;</ItemDataString>"));
	again = export(ODM_TRANSACTIONAL, false, NULL);
	assert_string_equal(again, trans_doc);
	free(again);
}

static void
test_identifiers(void **state)
{
	odm_summary sum;
	char *doc;

	(void)state;
	doc = export(ODM_SNAPSHOT, true, &sum);
	assert_non_null(strstr(doc, "<ItemDataDate ItemOID=\"IT.DM.BRTHDAT\">1990-05-01</ItemDataDate>"));
	assert_int_equal(sum.identifiers, 0);
	expect_valid(doc);
	free(doc);
	doc = export(ODM_TRANSACTIONAL, true, NULL);
	assert_non_null(strstr(doc, "ItemOID=\"IT.DM.BRTHDAT\" TransactionType=\"Insert\">1990-05-01<"));
	free(doc);
}

static void
test_export_checked(void **state)
{
	odm_opts o = { .kind = ODM_TRANSACTIONAL };
	strbuf out = { 0 };
	odm_summary sum;
	crf_err e;

	(void)state;
	assert_int_equal(odm_export_checked(st, sd, &o, SCHEMA, &out, &sum, NULL, &e), CRF_OK);
	assert_string_equal(out.s, trans_doc);
	assert_int_equal(sum.signatures, 2);
	sb_free(&out);
	/* Without the schema nothing is reported as written. */
	assert_int_equal(odm_export_checked(st, sd, &o, "no/such.xsd", &out, &sum, NULL, &e),
	    CRF_EIO);
	assert_null(out.s);
	assert_non_null(strstr(e.msg, "no/such.xsd"));
}

/* The real study's metadata (every form of the trial) is valid ODM. */
static void
test_real_forms(void **state)
{
	formdef_diags d = { 0 };
	study_def *real;
	store *empty;
	char *p = path_join(dir, "empty.db");
	odm_opts o = { .kind = ODM_SNAPSHOT };
	strbuf out = { 0 };
	crf_err e;

	(void)state;
	assert_int_equal(formdef_load("forms", &real, &d), CRF_OK);
	assert_int_equal(store_create(p, "TJ02", "Beijing", &empty, &e), CRF_OK);
	assert_int_equal(odm_export(empty, real, &o, &out, NULL, &e), CRF_OK);
	expect_valid(out.s);
	/* AE-01: CTCAE grades are an integer code list, and so are their items. */
	assert_non_null(strstr(out.s, "<CodeList OID=\"CL.CTCGRADE\" Name=\"ctcgrade\" "
	    "DataType=\"integer\">"));
	assert_non_null(strstr(out.s, "<ItemDef OID=\"IT.AE.AETOXGR\" Name=\"AETOXGR\" "
	    "DataType=\"integer\""));
	/* CDASH names, translations, units, ranges. */
	assert_non_null(strstr(out.s, "SASFieldName=\"AETERM\""));
	assert_non_null(strstr(out.s, "<TranslatedText xml:lang=\"zh\">"));
	assert_non_null(strstr(out.s, "<MeasurementUnit OID=\"MU.x109_L\" Name=\"×10⁹/L\">"));
	assert_non_null(strstr(out.s, "<RangeCheck Comparator=\"LE\" SoftHard=\"Hard\">"));
	assert_non_null(strstr(out.s, "<StudyEventDef OID=\"SE.UNS\" Name=\"Unscheduled visit "
	    "(relapse or confirmation)\" Repeating=\"Yes\" Type=\"Unscheduled\">"));
	assert_non_null(strstr(out.s, "<StudyEventDef OID=\"" ODM_LOGS_EVENT_OID "\" Name=\"Logs\" "
	    "Repeating=\"No\" Type=\"Common\">"));
	assert_non_null(strstr(out.s, "<FormDef OID=\"F.AE\" Name=\"Adverse event\" Repeating=\"Yes\">"));
	sb_free(&out);
	store_close(empty);
	unlink(p);
	free(p);
	formdef_free(real);
}

static void
test_oids(void **state)
{
	char *s;

	(void)state;
	s = odm_oid_item("dm", "weight");
	assert_string_equal(s, "IT.DM.WEIGHT");
	free(s);
	s = odm_oid_event("");
	assert_string_equal(s, ODM_LOGS_EVENT_OID);
	free(s);
	s = odm_oid_event("fu30");
	assert_string_equal(s, "SE.FU30");
	free(s);
	s = odm_oid_group("cbc");
	assert_string_equal(s, "IG.CBC");
	free(s);
	s = odm_oid_list("ctcgrade");
	assert_string_equal(s, "CL.CTCGRADE");
	free(s);
	s = odm_file_oid("NCT06228781", "TJ01", ODM_TRANSACTIONAL, 0);
	assert_string_equal(s, "crf/NCT06228781/TJ01/transactional/19700101T000000Z");
	free(s);
}

/* ---- Hand-broken documents ------------------------------------------------ */

static void
test_broken_unresolved_item(void **state)
{
	char *doc = edit(snap_doc, NULL, "<ItemDataString ItemOID=\"IT.DM.SEX\">",
	    "<ItemDataString ItemOID=\"IT.DM.NOPE\">");

	(void)state;
	expect_check_error(doc, "ODM-05", "ItemOID=\"IT.DM.NOPE\": no ItemDef with this OID");
	free(doc);
}

static void
test_broken_update_in_snapshot(void **state)
{
	char *doc = edit(snap_doc, NULL, "<SubjectData SubjectKey=\"TJ01-0001\">",
	    "<SubjectData SubjectKey=\"TJ01-0001\" TransactionType=\"Update\">");

	(void)state;
	expect_check_error(doc, "ODM-04", "TransactionType=\"Update\" in a Snapshot file");
	free(doc);
}

static void
test_broken_repeat_key(void **state)
{
	char *doc = edit(snap_doc, NULL, "<FormData FormOID=\"F.DM\">",
	    "<FormData FormOID=\"F.DM\" FormRepeatKey=\"1\">");
	char *doc2 = edit(snap_doc, NULL, "<FormData FormOID=\"F.AE\" FormRepeatKey=\"2\">",
	    "<FormData FormOID=\"F.AE\">");

	(void)state;
	expect_check_error(doc, "ODM-06", "FormRepeatKey=\"1\" but FormDef \"F.DM\" is not repeating");
	expect_check_error(doc2, "ODM-06", "has no FormRepeatKey but FormDef \"F.AE\" is "
	    "Repeating=\"Yes\"");
	free(doc);
	free(doc2);
}

static void
test_broken_order(void **state)
{
	char *ar = xasprintf("ID=\"AR.%lld\"", weight_update_seq);
	/* The correction dated before the first entry of the same value. */
	char *doc = edit(trans_doc, ar, "<DateTimeStamp>2026-03-01T10:10:00+08:00",
	    "<DateTimeStamp>2026-03-01T09:59:00+08:00");

	(void)state;
	expect_check_error(doc, "ODM-06", "earlier than the one before it for the same data");
	free(doc);
	free(ar);
}

static void
test_broken_untyped(void **state)
{
	char *doc = edit(snap_doc, NULL, "<ItemDataString ItemOID=\"IT.DM.SEX\">F</ItemDataString>",
	    "<ItemData ItemOID=\"IT.DM.SEX\" Value=\"F\"/>");

	(void)state;
	expect_check_error(doc, "ODM-07", "untyped ItemData ItemOID=\"IT.DM.SEX\"");
	free(doc);
}

/* More breakages, each with the rule and words that must name it. */
static void
test_broken_more(void **state)
{
	static const struct {
		bool snapshot;
		const char *after, *from, *to, *rule, *text;
	} cases[] = {
		/* ODM-02: the root. */
		{ true, NULL, "ODMVersion=\"1.3.2\"", "ODMVersion=\"1.3.1\"", "ODM-02",
		  "ODMVersion is \"1.3.1\"" },
		{ true, NULL, "AsOfDateTime=\"2026-03-01T12:00:00+08:00\"",
		  "AsOfDateTime=\"2026-03-01T12:00:01+08:00\"", "ODM-02", "later than CreationDateTime" },
		{ true, NULL, "FileType=\"Snapshot\"", "FileType=\"Snapshot\" Archival=\"Yes\"",
		  "ODM-02", "Archival=\"Yes\" needs FileType=\"Transactional\"" },
		/* ODM-03: transactions. */
		{ false, NULL, "<SubjectData SubjectKey=\"TJ01-0001\" TransactionType=\"Insert\">",
		  "<SubjectData SubjectKey=\"TJ01-0001\">", "ODM-03",
		  "the top-level data element of a Transactional file must state it" },
		{ false, "TransactionType=\"Context\"", "TransactionType=\"Context\"",
		  "TransactionType=\"Insert\"", "ODM-03", "is inserted but exists already" },
		{ false, NULL, "TransactionType=\"Update\">65.0<", "TransactionType=\"Upsert\">65.0<",
		  "ODM-03", "Upsert\" in an Archival file" },
		{ false, NULL, "<DateTimeStamp>2026-03-01T10:00:00+08:00",
		  "<DateTimeStamp>2026-03-01T10:00:00", "ODM-03", "has no UTC offset" },
		/* ODM-04: a Snapshot carries no audit records, one value each. */
		{ true, NULL, "<SiteRef", "<AuditRecord><UserRef UserOID=\"USR.pi\"/><LocationRef "
		  "LocationOID=\"LOC.TJ01\"/><DateTimeStamp>2026-03-01T10:00:00+08:00</DateTimeStamp>"
		  "</AuditRecord><SiteRef", "ODM-04", "a Snapshot carries no audit records" },
		{ true, NULL, "<ItemDataString ItemOID=\"IT.DM.SEX\">F</ItemDataString>",
		  "<ItemDataString ItemOID=\"IT.DM.SEX\">F</ItemDataString><ItemDataString "
		  "ItemOID=\"IT.DM.SEX\">M</ItemDataString>", "ODM-04", "appears twice in a Snapshot" },
		/* ODM-05: references. */
		{ false, NULL, "<UserRef UserOID=\"USR.pi\"/>", "<UserRef UserOID=\"USR.nobody\"/>",
		  "ODM-05", "UserOID=\"USR.nobody\"" },
		{ true, NULL, "AnnotationID=\"AN.MISSING.NA\"", "AnnotationID=\"AN.MISSING.XX\"",
		  "ODM-05", "AnnotationID=\"AN.MISSING.XX\": no element has this ID" },
		{ true, NULL, "<FormData FormOID=\"F.INF\">", "<FormData FormOID=\"F.VS\">", "ODM-05",
		  "FormOID=\"F.VS\" is not a FormRef of StudyEventDef \"SE.D0\"" },
		{ true, NULL, "<SiteRef LocationOID=\"LOC.TJ01\"/>", "<SiteRef LocationOID=\"LOC.XX\"/>",
		  "ODM-05", "SiteRef LocationOID=\"LOC.XX\"" },
		{ true, NULL, "MetaDataVersionOID=\"MDV.2\">", "MetaDataVersionOID=\"MDV.9\">", "ODM-05",
		  "no such Study and MetaDataVersion" },
		{ true, NULL, "<CodeListRef CodeListOID=\"CL.SEX\"/>", "<CodeListRef CodeListOID=\"CL.GONE\"/>",
		  "ODM-05", "CodeListOID=\"CL.GONE\"" },
		/* ODM-06: times. */
		{ false, NULL, "CreationDateTime=\"2026-03-01T12:00:00+08:00\"",
		  "CreationDateTime=\"2026-03-01T11:00:00+08:00\"", "ODM-06",
		  "later than the file's CreationDateTime" },
		/* ODM-07: types and codes. */
		{ true, NULL, "<ItemDataString ItemOID=\"IT.DM.SEX\">F</ItemDataString>",
		  "<ItemDataString ItemOID=\"IT.DM.SEX\">X</ItemDataString>", "ODM-07",
		  "\"X\" of IT.DM.SEX is not a CodedValue of CodeList \"CL.SEX\"" },
		{ true, NULL, "<ItemDataFloat ItemOID=\"IT.DM.HEIGHT\">170.0</ItemDataFloat>",
		  "<ItemDataInteger ItemOID=\"IT.DM.HEIGHT\">170</ItemDataInteger>", "ODM-07",
		  "of DataType float: the element must match" },
		/* ODM-08: metadata and hard ranges. */
		{ true, NULL, "<ItemDataFloat ItemOID=\"IT.DM.HEIGHT\">170.0</ItemDataFloat>",
		  "<ItemDataFloat ItemOID=\"IT.DM.HEIGHT\">250.0</ItemDataFloat>", "ODM-08",
		  "250.0 of IT.DM.HEIGHT fails its Hard RangeCheck" },
		{ true, NULL, "<ItemRef ItemOID=\"IT.DM.SEX\" OrderNumber=\"2\"",
		  "<ItemRef ItemOID=\"IT.DM.SEX\" OrderNumber=\"1\"", "ODM-08",
		  "OrderNumber=\"1\" appears twice in ItemGroupDef" },
		{ true, NULL, "DataType=\"text\" Length=\"3\"", "DataType=\"text\"", "ODM-08",
		  "of DataType text has no Length" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *doc = edit(cases[i].snapshot ? snap_doc : trans_doc, cases[i].after,
		    cases[i].from, cases[i].to);
		expect_check_error(doc, cases[i].rule, cases[i].text);
		free(doc);
	}
}

/* What the schema catches and the semantic checks need not. */
static void
test_schema_errors(void **state)
{
	char *bad_value = edit(snap_doc, NULL, ">170.0</ItemDataFloat>", ">tall</ItemDataFloat>");
	char *bad_order = edit(snap_doc, NULL, "<SiteRef LocationOID=\"LOC.TJ01\"/>", "");
	char *cut = xstrndup(snap_doc, strlen(snap_doc) / 2);
	odm_report r = { 0 };
	crf_err e;

	(void)state;
	assert_int_equal(odm_validate(bad_value, strlen(bad_value), "bad", SCHEMA, &r, &e), CRF_OK);
	assert_true(r.errors > 0);
	assert_string_equal(r.items[0].rule, "XSD");
	assert_non_null(strstr(r.items[0].msg, "ItemDataFloat"));
	assert_true(r.items[0].line > 0);
	odm_report_clear(&r);
	/* SiteRef is optional: still valid. */
	assert_int_equal(odm_validate(bad_order, strlen(bad_order), "ok", SCHEMA, &r, &e), CRF_OK);
	assert_int_equal(r.errors, 0);
	odm_report_clear(&r);
	/* A truncated file: not well-formed, for both checks, without a crash. */
	assert_int_equal(odm_validate(cut, strlen(cut), "cut", SCHEMA, &r, &e), CRF_OK);
	assert_true(r.errors > 0);
	assert_string_equal(r.items[0].rule, "XML");
	odm_report_clear(&r);
	assert_int_equal(odm_check(cut, strlen(cut), "cut", &r, &e), CRF_OK);
	assert_true(r.errors > 0);
	assert_string_equal(r.items[0].rule, "XML");
	odm_report_clear(&r);
	assert_int_equal(odm_check("", 0, "empty", &r, &e), CRF_OK);
	assert_true(r.errors > 0);
	odm_report_clear(&r);
	assert_int_equal(odm_check("<a/>", 4, "other", &r, &e), CRF_OK);
	assert_int_equal(r.errors, 1);
	assert_non_null(strstr(r.items[0].msg, "not ODM"));
	odm_report_clear(&r);
	free(bad_value);
	free(bad_order);
	free(cut);
}

/* Stored data the definitions cannot describe: a clear refusal. */
static void
test_undefined_data(void **state)
{
	char *p = path_join(dir, "odd.db");
	form_key k;
	item_change ch = { "bogus", "1", NULL, 0 };
	odm_opts o = { .kind = ODM_SNAPSHOT };
	strbuf out = { 0 };
	subject_row s;
	store *odd;
	form_data fd;
	crf_err e;
	int v;

	(void)state;
	assert_int_equal(store_create(p, "TJ03", "Odd", &odd, &e), CRF_OK);
	assert_int_equal(store_add_subject(odd, &s, &e), CRF_OK);
	k = (form_key){ s.id, "scr", 1, "dm", 1 };
	assert_int_equal(store_load_form(odd, &k, &fd, &e), CRF_OK);
	assert_int_equal(store_save_form(odd, &k, 0, 1, FORM_INCOMPLETE, &ch, 1, NULL, &v, &e),
	    CRF_OK);
	form_data_clear(&fd);
	assert_int_equal(odm_export(odd, sd, &o, &out, NULL, &e), CRF_EDEF);
	assert_non_null(strstr(e.msg, "field 'bogus' of form 'dm' is not in the form definitions"));
	assert_null(out.s);
	o.kind = ODM_TRANSACTIONAL;
	assert_int_equal(odm_export(odd, sd, &o, &out, NULL, &e), CRF_EDEF);
	assert_non_null(strstr(e.msg, "bogus"));
	subject_row_clear(&s);
	store_close(odd);
	unlink(p);
	free(p);
}

/* A clock set back between two changes of one value: ODM cannot carry
 * them in ascending time, so the file is refused, saying why. */
static void
test_clock_back(void **state)
{
	char *p = path_join(dir, "clock.db");
	form_key k;
	item_change a = { "height", "170.0", NULL, 0 }, b = { "height", "171.0", NULL, 0 };
	odm_opts o = { .kind = ODM_TRANSACTIONAL };
	strbuf out = { 0 };
	subject_row s;
	store *ck;
	form_data fd;
	crf_err e;
	int v;

	(void)state;
	at("2026-03-02T02:00:00Z");
	assert_int_equal(store_create(p, "TJ04", "Clock", &ck, &e), CRF_OK);
	assert_int_equal(store_add_subject(ck, &s, &e), CRF_OK);
	k = (form_key){ s.id, "scr", 1, "dm", 1 };
	assert_int_equal(store_save_form(ck, &k, 0, 1, FORM_INCOMPLETE, &a, 1, NULL, &v, &e), CRF_OK);
	at("2026-03-02T01:00:00Z");
	assert_int_equal(store_load_form(ck, &k, &fd, &e), CRF_OK);
	assert_int_equal(store_save_form(ck, &k, fd.version, 1, FORM_INCOMPLETE, &b, 1, NULL, &v, &e),
	    CRF_OK);
	form_data_clear(&fd);
	at("2026-03-02T03:00:00Z");
	assert_int_equal(odm_export_checked(ck, sd, &o, SCHEMA, &out, NULL, NULL, &e), CRF_EINVAL);
	assert_non_null(strstr(e.msg, "ODM-06"));
	assert_null(out.s);
	/* The snapshot carries no history and can be made. */
	o.kind = ODM_SNAPSHOT;
	assert_int_equal(odm_export_checked(ck, sd, &o, SCHEMA, &out, NULL, NULL, &e), CRF_OK);
	sb_free(&out);
	subject_row_clear(&s);
	store_close(ck);
	unlink(p);
	free(p);
	at("2026-03-01T04:00:00Z");
}

static void
test_datetime(void **state)
{
	time_t t;
	bool tz;

	(void)state;
	assert_true(odm_parse_datetime("2026-03-01T10:00:00+08:00", &t, &tz));
	assert_true(tz);
	assert_int_equal((long long)t, 1772330400LL);
	assert_true(odm_parse_datetime("2026-03-01T02:00:00Z", &t, &tz));
	assert_int_equal((long long)t, 1772330400LL);
	assert_true(odm_parse_datetime("2026-03-01T02:00:00.25", &t, &tz));
	assert_false(tz);
	assert_false(odm_parse_datetime("2026-03-01", &t, &tz));
	assert_false(odm_parse_datetime("2026-02-30T00:00:00Z", &t, &tz));
	assert_false(odm_parse_datetime("2026-03-01T24:00:00Z", &t, &tz));
	assert_false(odm_parse_datetime("2026-03-01T10:00:00+8:00", &t, &tz));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_libxml2),
		cmocka_unit_test(test_build_site),
		cmocka_unit_test(test_snapshot),
		cmocka_unit_test(test_snapshot_signature),
		cmocka_unit_test(test_transactional),
		cmocka_unit_test(test_identifiers),
		cmocka_unit_test(test_export_checked),
		cmocka_unit_test(test_real_forms),
		cmocka_unit_test(test_oids),
		cmocka_unit_test(test_broken_unresolved_item),
		cmocka_unit_test(test_broken_update_in_snapshot),
		cmocka_unit_test(test_broken_repeat_key),
		cmocka_unit_test(test_broken_order),
		cmocka_unit_test(test_broken_untyped),
		cmocka_unit_test(test_broken_more),
		cmocka_unit_test(test_schema_errors),
		cmocka_unit_test(test_undefined_data),
		cmocka_unit_test(test_clock_back),
		cmocka_unit_test(test_datetime),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
