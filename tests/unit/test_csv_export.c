/* test_csv_export.c - the CSV export on a site database filled through the
 * store as crf fills it (a nurse saves forms, the investigator enrols, a
 * data manager exports), on the fixture study: the exact text of the
 * files, quoting, missing codes apart from blanks, the long format, the
 * dictionaries (crf's and REDCap's), the R script, files read back against
 * the database, and the refusals (a folder in use, a nurse, a full disk).
 * Then a central database filled from two sites' transfer files: each
 * site's slice (--site) gives the site's own files, byte for byte. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crf/central.h"
#include "crf/csv_export.h"
#include "crf/formdef.h"
#include "crf/lifecycle.h"
#include "crf/odm.h"
#include "crf/redcap.h"
#include "crf/store.h"
#include "crf/transfer.h"
#include "crf/util.h"

#define NURSE_PW "Nurse-Password-1"
#define PI_PW "Investigator-Pw-2"
#define DM_PW "DataManager-Pw-4"

static study_def *study;
static char base[64];
static char *dbpath;
static store *st;
static long long subj1, subj2;
static int nexport;

/* The memo of subject 1: a comma, quotes, a line break and Chinese. */
#define NOTES "Rash on arm, \"mild\"\n\xe7\xac\xac\xe4\xba\x8c\xe8\xa1\x8c \xe5\xa4\xb4\xe7\x97\x9b"
#define NOTES_CSV "\"Rash on arm, \"\"mild\"\"\n\xe7\xac\xac\xe4\xba\x8c\xe8\xa1\x8c \xe5\xa4\xb4\xe7\x97\x9b\""

static void
as(const char *login, const char *pw)
{
	user_row u;
	crf_err e;

	assert_int_equal(store_login(st, login, pw, &u, &e), CRF_OK);
	user_row_clear(&u);
}

/* Save one form instance into s: the (field, value, missing code)
 * triples of ap, then NULL. */
static void
vsave(store *s, long long subj, const char *event, int erep, const char *form, int frep,
    va_list ap)
{
	form_key key = { subj, event, erep, form, frep };
	const form_def *fd = study_form(study, form);
	item_change ch[16];
	size_t n = 0;
	form_data data;
	int version;
	crf_err e;

	for (const char *f; (f = va_arg(ap, const char *)) != NULL && n < 16; n++) {
		const char *v = va_arg(ap, const char *);
		const char *m = va_arg(ap, const char *);

		ch[n] = (item_change){ f, v, m, 0 };
	}
	assert_int_equal(store_load_form(s, &key, &data, &e), CRF_OK);
	if (store_save_form(s, &key, data.version, fd ? fd->version : 1, FORM_INCOMPLETE, ch,
	    n, NULL, &version, &e) != CRF_OK)
		fail_msg("save %s/%s: %s", event, form, e.msg);
	form_data_clear(&data);
}

/* Save one form instance: (field, value, missing code) triples, then NULL. */
static void
save(long long subj, const char *event, int erep, const char *form, int frep, ...)
{
	va_list ap;

	va_start(ap, frep);
	vsave(st, subj, event, erep, form, frep, ap);
	va_end(ap);
}

/* The same, into another database s. */
static void
save_in(store *s, long long subj, const char *event, int erep, const char *form, int frep,
    ...)
{
	va_list ap;

	va_start(ap, frep);
	vsave(s, subj, event, erep, form, frep, ap);
	va_end(ap);
}

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void
rm_rf(const char *p)
{
	nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int
setup(void **state)
{
	formdef_diags d = { 0 };
	subject_row s;
	crf_err e;

	(void)state;
	if (formdef_load("tests/fixtures/study", &study, &d) != CRF_OK)
		return -1;
	strcpy(base, "/tmp/crf-csv.XXXXXX");
	if (mkdtemp(base) == NULL)
		return -1;
	dbpath = path_join(base, "site.db");
	setenv("CRF_NOW", "2026-03-01T02:00:00Z", 1);
	if (store_create(dbpath, "TJ01", "Tianjin", &st, &e) != CRF_OK)
		return -1;
	store_set_user(st, "setup");
	if (store_add_user(st, "nurse", "Wang Fang", "data-entry", NURSE_PW, &e) ||
	    store_add_user(st, "pi", "Li Wei", "investigator", PI_PW, &e) ||
	    store_add_user(st, "dm", "Chen Jing", "data-manager", DM_PW, &e))
		return -1;
	as("nurse", NURSE_PW);
	if (store_add_subject(st, &s, &e) != CRF_OK)
		return -1;
	subj1 = s.id;
	subject_row_clear(&s);
	if (store_add_subject(st, &s, &e) != CRF_OK)
		return -1;
	subj2 = s.id;
	subject_row_clear(&s);

	/* Subject 1: demographics with a blank, a missing code, an identifier
	 * and a memo that needs quoting; vital signs at screening and at two
	 * unscheduled visits; follow-up with two infections; two adverse
	 * events, one in Chinese. */
	save(subj1, "scr", 1, "dm", 1, "brthdat", "1990-05-01", NULL, "sex", "F", NULL,
	    "pregnant", NULL, "NA", "height", "170.0", NULL, "weight", NULL, "ND",
	    "bsa", "", NULL, "initials", "ZXM", NULL, "onset", "2025-11", NULL,
	    "notes", NOTES, NULL, NULL);
	save(subj1, "scr", 1, "vs", 1, "vsdat", "2026-02-20", NULL, "temp", "36.6", NULL, NULL);
	save(subj1, "uns", 1, "vs", 1, "vsdat", "2026-02-25", NULL, "temp", "38.2", NULL, NULL);
	save(subj1, "uns", 2, "vs", 1, "vsdat", "2026-02-27", NULL, NULL);
	save(subj1, "fu30", 1, "fu", 1, "visdat", "2026-03-01", NULL, "infections", "HSV|CMV",
	    NULL, NULL);
	save(subj1, "", 0, "ae", 1, "aeterm", "Rash, mild", NULL, "aeser", "Y", NULL,
	    "aesdth", "N", NULL, NULL);
	save(subj1, "", 0, "ae", 2, "aeterm", "\xe5\xa4\xb4\xe7\x97\x9b", NULL, "aeser", "N",
	    NULL, NULL);
	/* Subject 2: a code on a field whose definition allows none (HEIGHT
	 * gets a code column), and a value of a field the form no longer has. */
	save(subj2, "scr", 1, "dm", 1, "sex", "M", NULL, "height", NULL, "UNK",
	    "oldfield", "x", NULL, NULL);
	/* The investigator enrols subject 1: a study number. */
	as("pi", PI_PW);
	if (store_change_subject(st, subj1, SUBJECT_ENROL, "2026-03-01", NULL, NULL, &e) !=
	    CRF_OK) {
		fprintf(stderr, "enrol: %s\n", e.msg);
		return -1;
	}
	as("dm", DM_PW);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	store_close(st);
	free(dbpath);
	rm_rf(base);
	formdef_free(study);
	return 0;
}

/* A new folder name for an export (not created). */
static char *
new_dir(void)
{
	return xasprintf("%s/export%d", base, ++nexport);
}

static char *
file_in(const char *dir, const char *name)
{
	char *p = path_join(dir, name);
	char *s = file_read_all(p, NULL);

	if (s == NULL)
		fail_msg("cannot read %s", p);
	free(p);
	return s;
}

static void
expect_file(const char *dir, const char *name, const char *want)
{
	char *got = file_in(dir, name);

	assert_string_equal(got, want);
	free(got);
}

static char *
do_export(const csv_opts *o, csv_summary *sum)
{
	char *dir = new_dir();
	crf_err e;

	if (csv_export(st, study, dir, o, sum, &e) != CRF_OK)
		fail_msg("export: %s", e.msg);
	return dir;
}

/* The names in a folder, sorted, joined by spaces. */
static char *
listing(const char *dir)
{
	char *cmd = xasprintf("ls -A '%s' | sort | tr '\\n' ' '", dir);
	FILE *fp = popen(cmd, "r");
	char buf[4096] = "";
	size_t n = fread(buf, 1, sizeof buf - 1, fp);

	buf[n] = '\0';
	pclose(fp);
	free(cmd);
	return xstrdup(buf);
}

/* ---- A CSV reader (RFC 4180), for reading the files back --------------- */

typedef struct csv_rows {
	char ***rows;
	size_t *ncols;
	size_t n;
} csv_rows;

static csv_rows
csv_parse(const char *s)
{
	csv_rows r = { 0 };
	size_t cap = 0, ccap = 0;
	strbuf cell = { 0 };
	char **cols = NULL;
	size_t ncols = 0;

	while (*s != '\0') {
		/* One field. */
		sb_clear(&cell);
		sb_add(&cell, "");
		if (*s == '"') {
			for (s++; ; s++) {
				assert_true(*s != '\0');
				if (*s == '"' && s[1] == '"') {
					sb_add(&cell, "\"");
					s++;
				} else if (*s == '"') {
					s++;
					break;
				} else {
					sb_addn(&cell, s, 1);
				}
			}
		} else {
			while (*s != ',' && *s != '\r' && *s != '\0') {
				assert_true(*s != '\n' && *s != '"');
				sb_addn(&cell, s, 1);
				s++;
			}
		}
		xgrow(&cols, sizeof *cols, &ccap, ncols);
		cols[ncols++] = xstrdup(cell.s);
		if (*s == ',') {
			s++;
			continue;
		}
		assert_true(s[0] == '\r' && s[1] == '\n');
		s += 2;
		xgrow(&r.rows, sizeof *r.rows, &cap, r.n);
		r.ncols = xrealloc(r.ncols, (r.n + 1) * sizeof *r.ncols);
		r.rows[r.n] = cols;
		r.ncols[r.n++] = ncols;
		cols = NULL;
		ncols = ccap = 0;
	}
	assert_int_equal(ncols, 0);
	sb_free(&cell);
	return r;
}

static void
csv_rows_free(csv_rows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		for (size_t j = 0; j < r->ncols[i]; j++)
			free(r->rows[i][j]);
		free(r->rows[i]);
	}
	free(r->rows);
	free(r->ncols);
}

static long
col_index(const csv_rows *r, const char *name)
{
	for (size_t j = 0; j < r->ncols[0]; j++)
		if (strcmp(r->rows[0][j], name) == 0)
			return (long)j;
	return -1;
}

/* Does the database hold exactly value / code for this item? */
static void
expect_item(const subject_item *items, size_t n, const char *event, int erep,
    const char *form, int frep, const char *field, const char *value, const char *code)
{
	for (size_t i = 0; i < n; i++) {
		const subject_item *it = &items[i];

		if (!str_eq(it->event, event) || it->event_repeat != erep || !str_eq(it->form, form) ||
		    it->form_repeat != frep || !str_eq(it->field, field))
			continue;
		assert_string_equal(it->value != NULL ? it->value : "", value);
		assert_string_equal(it->missing != NULL ? it->missing : "", code);
		return;
	}
	if (value[0] != '\0' || code[0] != '\0')
		fail_msg("%s/%d %s/%d %s = '%s' [%s] is not in the database", event, erep, form,
		    frep, field, value, code);
}

static long long
subject_id(const char *key)
{
	subject_row s;
	crf_err e;
	long long id;

	assert_int_equal(store_find_subject(st, key, &s, &e), CRF_OK);
	id = s.id;
	subject_row_clear(&s);
	return id;
}

/* Every value and code of every row of a form file is the database's;
 * returns how many non-blank cells it checked. */
static size_t
read_back_form(const char *dir, const form_def *fd)
{
	char *name = xasprintf("%s.csv", fd->id);
	char *text = file_in(dir, name);
	csv_rows r = csv_parse(text);
	size_t checked = 0;

	for (size_t i = 1; i < r.n; i++) {
		char **row = r.rows[i];
		subject_item *items = NULL;
		size_t n = 0;
		crf_err e;

		assert_int_equal(r.ncols[i], r.ncols[0]);
		assert_int_equal(store_load_subject_items(st, subject_id(row[0]), &items, &n, &e),
		    CRF_OK);
		for (size_t j = 0; j < fd->nfields; j++) {
			const field_def *f = &fd->fields[j];
			long v = f->export_name ? col_index(&r, f->export_name) : -1;
			char *mname = xasprintf("%s_MISS", f->export_name ? f->export_name : "");
			long m = col_index(&r, mname);

			free(mname);
			if (v < 0)
				continue;
			expect_item(items, n, row[3], atoi(row[4]), fd->id, atoi(row[5]), f->id,
			    row[v], m >= 0 ? row[m] : "");
			checked += (row[v][0] != '\0') + (m >= 0 && row[m][0] != '\0');
		}
		subject_items_free(items, n);
	}
	csv_rows_free(&r);
	free(text);
	free(name);
	return checked;
}

/* ---- Tests ------------------------------------------------------------------- */

static void
test_quote(void **state)
{
	strbuf sb = { 0 };

	(void)state;
	csv_quote(&sb, "plain");
	sb_add(&sb, "|");
	csv_quote(&sb, NULL);
	sb_add(&sb, "|");
	csv_quote(&sb, "a,b");
	sb_add(&sb, "|");
	csv_quote(&sb, "say \"hi\"");
	sb_add(&sb, "|");
	csv_quote(&sb, "two\nlines");
	sb_add(&sb, "|");
	csv_quote(&sb, "cr\r");
	sb_add(&sb, "|");
	csv_quote(&sb, "\xe5\xa4\xb4\xe7\x97\x9b");
	sb_add(&sb, "|");
	csv_quote(&sb, "\"");
	assert_string_equal(sb.s, "plain||\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|\"cr\r\"|"
	    "\xe5\xa4\xb4\xe7\x97\x9b|\"\"\"\"");
	sb_free(&sb);
}

static void
test_wide(void **state)
{
	csv_opts o = { 0 };
	csv_summary sum;
	char *dir, *list;

	(void)state;
	dir = do_export(&o, &sum);
	list = listing(dir);
	assert_string_equal(list, "ae.csv aph.csv data-dictionary.csv dm.csv fu.csv inf.csv "
	    "missing-codes.csv read_crf.R redcap-dictionary.csv vs.csv ");
	free(list);
	{
		struct stat sb;
		char *p = path_join(dir, "dm.csv");

		assert_int_equal(stat(p, &sb), 0);
		assert_int_equal(sb.st_mode & 0037, 0);    /* not for others, nor group-writable */
		free(p);
	}
	assert_int_equal(sum.files, 10);
	assert_int_equal(sum.forms, 6);
	assert_int_equal(sum.subjects, 2);
	assert_int_equal(sum.instances, 8);
	assert_int_equal(sum.identifiers, 1);
	assert_int_equal(sum.skipped, 1);
	/* 7 dm values and codes of subject 1 (the birth date left out, BSA
	 * blank), 2 of subject 2; 5 vs, 2 fu, 5 ae. */
	assert_int_equal(sum.values, 21);
	assert_true(str_starts(sum.dir, "/tmp/"));

	expect_file(dir, "dm.csv",
	    "subject,study_no,site,event,event_repeat,form_repeat,SEX,PREGNANT,PREGNANT_MISS,"
	    "HEIGHT,HEIGHT_MISS,WEIGHT,WEIGHT_MISS,BSA,BMI,INITIALS,ONSETDAT,NOTES,INFDAYS\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,scr,1,1,F,,NA,170.0,,,ND,,,ZXM,2025-11," NOTES_CSV ",\r\n"
	    "TJ01-0002,,TJ01,scr,1,1,M,,,,UNK,,,,,,,,\r\n");
	expect_file(dir, "vs.csv",
	    "subject,study_no,site,event,event_repeat,form_repeat,VSDAT,TEMP,BSA_COPY\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,scr,1,1,2026-02-20,36.6,\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,uns,1,1,2026-02-25,38.2,\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,uns,2,1,2026-02-27,,\r\n");
	expect_file(dir, "fu.csv",
	    "subject,study_no,site,event,event_repeat,form_repeat,VISDAT,INFECT,DAYREL\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,fu30,1,1,2026-03-01,HSV|CMV,\r\n");
	expect_file(dir, "ae.csv",
	    "subject,study_no,site,event,event_repeat,form_repeat,AETERM,AESER,AESDTH\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,,0,1,\"Rash, mild\",Y,N\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,,0,2,\xe5\xa4\xb4\xe7\x97\x9b,N,\r\n");
	expect_file(dir, "aph.csv",
	    "subject,study_no,site,event,event_repeat,form_repeat,APHDAT,YIELD,CUMYIELD\r\n");
	expect_file(dir, "missing-codes.csv",
	    "code,label_en,label_zh\r\n"
	    "UNK,Unknown,\xe6\x9c\xaa\xe7\x9f\xa5\r\n"
	    "ND,Not done,\r\n"
	    "NA,Not applicable,\r\n");
	csv_summary_clear(&sum);
	free(dir);
}

/* The files read back give the database's values and codes. */
static void
test_read_back(void **state)
{
	csv_opts o = { 0 };
	csv_summary sum;
	char *dir;
	size_t checked = 0;

	(void)state;
	dir = do_export(&o, &sum);
	for (size_t i = 0; i < study->nforms; i++)
		checked += read_back_form(dir, &study->forms[i]);
	assert_int_equal(checked, sum.values);
	csv_summary_clear(&sum);
	free(dir);
}

static void
test_identifiers(void **state)
{
	csv_opts o = { .identifiers = true };
	csv_summary sum;
	char *dir, *dm;

	(void)state;
	dir = do_export(&o, &sum);
	assert_int_equal(sum.identifiers, 0);
	assert_int_equal(sum.values, 22);
	dm = file_in(dir, "dm.csv");
	assert_true(str_starts(dm, "subject,study_no,site,event,event_repeat,form_repeat,"
	    "BRTHDAT,SEX,"));
	assert_non_null(strstr(dm, "\r\nTJ01-0001,TJ01-E001,TJ01,scr,1,1,1990-05-01,F,"));
	free(dm);
	assert_true(read_back_form(dir, study_form(study, "dm")) > 0);
	csv_summary_clear(&sum);
	free(dir);
}

static void
test_long(void **state)
{
	csv_opts o = { .long_format = true };
	csv_summary sum;
	char *dir, *list, *text;
	csv_rows r;

	(void)state;
	dir = do_export(&o, &sum);
	list = listing(dir);
	assert_string_equal(list, "data-dictionary.csv items-long.csv missing-codes.csv "
	    "read_crf.R redcap-dictionary.csv ");
	free(list);
	assert_int_equal(sum.forms, 0);
	assert_int_equal(sum.values, 21);
	expect_file(dir, "items-long.csv",
	    "subject,study_no,site,event,event_repeat,form,form_repeat,field,value,missing\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,scr,1,dm,1,SEX,F,\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,scr,1,dm,1,PREGNANT,,NA\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,scr,1,dm,1,HEIGHT,170.0,\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,scr,1,dm,1,WEIGHT,,ND\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,scr,1,dm,1,INITIALS,ZXM,\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,scr,1,dm,1,ONSETDAT,2025-11,\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,scr,1,dm,1,NOTES," NOTES_CSV ",\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,scr,1,vs,1,VSDAT,2026-02-20,\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,scr,1,vs,1,TEMP,36.6,\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,fu30,1,fu,1,VISDAT,2026-03-01,\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,fu30,1,fu,1,INFECT,HSV|CMV,\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,uns,1,vs,1,VSDAT,2026-02-25,\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,uns,1,vs,1,TEMP,38.2,\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,uns,2,vs,1,VSDAT,2026-02-27,\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,,0,ae,1,AETERM,\"Rash, mild\",\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,,0,ae,1,AESER,Y,\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,,0,ae,1,AESDTH,N,\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,,0,ae,2,AETERM,\xe5\xa4\xb4\xe7\x97\x9b,\r\n"
	    "TJ01-0001,TJ01-E001,TJ01,,0,ae,2,AESER,N,\r\n"
	    "TJ01-0002,,TJ01,scr,1,dm,1,SEX,M,\r\n"
	    "TJ01-0002,,TJ01,scr,1,dm,1,HEIGHT,,UNK\r\n");
	/* Read back: every row is the database's item. */
	text = file_in(dir, CSV_LONG_FILE);
	r = csv_parse(text);
	assert_int_equal(r.n, 22);
	for (size_t i = 1; i < r.n; i++) {
		char **row = r.rows[i];
		const form_def *fd = study_form(study, row[5]);
		subject_item *items = NULL;
		size_t n = 0;
		crf_err e;
		const field_def *f = NULL;

		assert_int_equal(r.ncols[i], 10);
		assert_non_null(fd);
		for (size_t j = 0; j < fd->nfields && f == NULL; j++)
			if (str_eq(fd->fields[j].export_name, row[7]))
				f = &fd->fields[j];
		assert_non_null(f);
		assert_int_equal(store_load_subject_items(st, subject_id(row[0]), &items, &n, &e),
		    CRF_OK);
		expect_item(items, n, row[3], atoi(row[4]), row[5], atoi(row[6]), f->id, row[8],
		    row[9]);
		subject_items_free(items, n);
	}
	csv_rows_free(&r);
	free(text);
	csv_summary_clear(&sum);
	free(dir);
}

static void
test_dictionary(void **state)
{
	csv_opts o = { 0 };
	csv_summary sum;
	char *dir, *text;

	(void)state;
	dir = do_export(&o, &sum);
	text = file_in(dir, CSV_DICT_FILE);
	assert_true(str_starts(text,
	    "form,form_title,field,field_id,section,type,value_type,label_en,label_zh,unit,"
	    "decimals,hard_min,hard_max,soft_min,soft_max,choices,choices_zh,missing_codes,"
	    "missing_column,required,identifier,exported,show,calc,events\r\n"
	    "ae,Adverse event,AETERM,aeterm,,text,text,Term,,,,,,,,,,,,yes,no,yes,,,\r\n"
	    "ae,Adverse event,AESER,aeser,,yesno,yesno,Serious,,,,,,,,Y=Yes|N=No,"
	    "Y=\xe6\x98\xaf|N=\xe5\x90\xa6,,,no,no,yes,,,\r\n"
	    "ae,Adverse event,AESDTH,aesdth,,yesno,yesno,Results in death,,,,,,,,Y=Yes|N=No,"
	    "Y=\xe6\x98\xaf|N=\xe5\x90\xa6,,,no,no,yes,\"aeser = \"\"Y\"\"\",,\r\n"));
	assert_non_null(strstr(text, "\r\ndm,Demographics,BRTHDAT,brthdat,birth,date,date,"
	    "Date of birth,,,,,,,,,,,,yes,yes,no,,,scr\r\n"));
	assert_non_null(strstr(text, "\r\ndm,Demographics,SEX,sex,birth,choice,choice,Sex,,,,,,,,"
	    "M=Male|F=Female,M=\xe7\x94\xb7|F=\xe5\xa5\xb3,,,yes,no,yes,,,scr\r\n"));
	assert_non_null(strstr(text, "\r\ndm,Demographics,PREGNANT,pregnant,birth,yesno,yesno,"
	    "Pregnant?,,,,,,,,Y=Yes|N=No,Y=\xe6\x98\xaf|N=\xe5\x90\xa6,NA,PREGNANT_MISS,no,no,"
	    "yes,\"sex = \"\"F\"\"\",,scr\r\n"));
	assert_non_null(strstr(text, "\r\ndm,Demographics,WEIGHT,weight,body,decimal,decimal,"
	    "Weight,,kg,1,30,200,40,120,,,UNK|ND,WEIGHT_MISS,no,no,yes,,,scr\r\n"));
	/* The code column that the data asked for. */
	assert_non_null(strstr(text, "\r\ndm,Demographics,HEIGHT,height,body,decimal,decimal,"
	    "Height,,cm,1,120,220,145,195,,,,HEIGHT_MISS,no,no,yes,,,scr\r\n"));
	assert_non_null(strstr(text, "\r\ndm,Demographics,BSA,bsa,body,calc,decimal,"
	    "Body surface area,,m\xc2\xb2,2,,,,,,,,,no,no,yes,,\"round(sqrt(height * weight / "
	    "3600), 2)\",scr\r\n"));
	assert_non_null(strstr(text, "\r\ndm,Demographics,INFDAYS,infusion_day,body,calc,integer,"
	    "Days to infusion,,,,,,,,,,,,no,no,yes,,\"days(brthdat, d0.inf.infdat)\",scr\r\n"));
	assert_non_null(strstr(text, "\r\nvs,Vital signs,TEMP,temp,,decimal,decimal,Temperature,"
	    ",,1,34,43,,,,,,,no,no,yes,,,scr|fu30|uns\r\n"));
	assert_non_null(strstr(text, "\r\nfu,Follow-up,INFECT,infections,,multichoice,multichoice,"
	    "Infections,,,,,,,,HSV=Herpes simplex|CMV=Cytomegalovirus|EBV=Epstein-Barr,,,,no,no,"
	    "yes,,,fu30\r\n"));
	assert_null(strstr(text, "info1"));
	free(text);
	csv_summary_clear(&sum);
	free(dir);
}

/* REDCap's 18 standard columns, as its data dictionary names them. */
static void
test_redcap_dictionary(void **state)
{
	strbuf sb = { 0 };

	(void)state;
	redcap_write_dictionary(study, &sb);
	assert_true(str_starts(sb.s,
	    "Variable / Field Name,Form Name,Section Header,Field Type,Field Label,"
	    "\"Choices, Calculations, OR Slider Labels\",Field Note,"
	    "Text Validation Type OR Show Slider Number,Text Validation Min,"
	    "Text Validation Max,Identifier?,Branching Logic (Show field only if...),"
	    "Required Field?,Custom Alignment,Question Number (surveys only),"
	    "Matrix Group Name,Matrix Ranking?,Field Annotation\r\n"
	    "record_id,dm,,text,Subject (screening number),,,,,,,,,,,,,"
	    "\"crf subject key, such as TJ01-0001\"\r\n"));
	sb_free(&sb);
}

/* The REDCap rows of the fixture, one by one. */
static void
test_redcap_rows(void **state)
{
	strbuf sb = { 0 };
	csv_rows r;
	const char *want[][18] = {
		{ "record_id", "dm", "", "text", "Subject (screening number)", "", "", "", "", "",
		  "", "", "", "", "", "", "", "crf subject key, such as TJ01-0001" },
		{ "brthdat", "dm", "Birth and sex", "text", "Date of birth", "", "", "date_ymd", "",
		  "", "y", "", "y", "", "", "", "", "@NOMISSING crf dm.brthdat BRTHDAT" },
		{ "sex", "dm", "", "radio", "Sex", "M, Male | F, Female", "", "", "", "", "", "",
		  "y", "", "", "", "", "@NOMISSING crf dm.sex SEX" },
		{ "pregnant", "dm", "", "yesno", "Pregnant?", "", "", "", "", "", "", "[sex] = 'F'",
		  "", "", "", "", "", "crf stores Y/N, REDCap 1/0; missing-data codes allowed: NA; "
		  "crf dm.pregnant PREGNANT" },
		{ "height", "dm", "Body", "text", "Height", "", "cm", "number", "120", "220", "", "",
		  "", "", "", "", "", "@NOMISSING 1 decimal; expected range 145..195 (outside it crf "
		  "asks to confirm); crf dm.height HEIGHT" },
		{ "weight", "dm", "", "text", "Weight", "", "kg", "number", "30", "200", "", "", "",
		  "", "", "", "", "1 decimal; missing-data codes allowed: UNK, ND; expected range "
		  "40..120 (outside it crf asks to confirm); crf dm.weight WEIGHT" },
		{ "bsa", "dm", "", "calc", "Body surface area",
		  "round(sqrt([height] * [weight] / 3600), 2)", "m\xc2\xb2", "", "", "", "", "", "",
		  "", "", "", "", "2 decimals; crf dm.bsa BSA" },
		{ "bmi", "dm", "", "calc", "BMI", "round([weight] / ([height] / 100)^(2), 1)", "", "",
		  "", "", "", "", "", "", "", "", "", "1 decimal; crf dm.bmi BMI" },
		{ "initials", "dm", "", "text", "Initials", "", "", "", "", "", "", "", "", "", "",
		  "", "", "@NOMISSING @CHARLIMIT=3 must match ^[A-Z]{2,3}$ (two or three capital "
		  "letters); crf dm.initials INITIALS" },
		{ "onsetdat", "dm", "", "text", "Onset", "", "", "", "", "", "", "", "", "", "", "",
		  "", "@NOMISSING partial date: YYYY, YYYY-MM or YYYY-MM-DD; crf dm.onset ONSETDAT" },
		{ "notes", "dm", "", "notes", "Notes", "", "", "", "", "", "", "", "", "", "", "", "",
		  "@NOMISSING crf dm.notes NOTES" },
		{ "dm_info1", "dm", "", "descriptive", "Fill in from the identity document.", "", "",
		  "", "", "", "", "", "", "", "", "", "", "crf dm.info1" },
		{ "infdays", "dm", "", "descriptive", "Days to infusion", "", "", "", "", "", "", "",
		  "", "", "", "", "", "crf calculation, not translated (refers to another event: "
		  "d0.inf.infdat): days(brthdat, d0.inf.infdat); crf dm.infusion_day INFDAYS" },
	};

	(void)state;
	redcap_write_dictionary(study, &sb);
	r = csv_parse(sb.s);
	for (size_t i = 0; i < r.n; i++)
		assert_int_equal(r.ncols[i], 18);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		for (size_t j = 0; j < 18; j++)
			if (strcmp(r.rows[i + 1][j], want[i][j]) != 0)
				fail_msg("row %zu column %zu: got '%s', want '%s'", i + 1, j,
				    r.rows[i + 1][j], want[i][j]);
	/* Forms in casebook order: dm, vs (scr), inf (d0), fu (fu30), then the
	 * logs aph, ae; the branching logic of a yes/no; a checkbox. */
	{
		const char *order[] = { "dm", "vs", "inf", "fu", "aph", "ae" };
		size_t k = 0;

		for (size_t i = 1; i < r.n; i++) {
			if (i > 1 && strcmp(r.rows[i][1], r.rows[i - 1][1]) != 0)
				k++;
			assert_true(k < 6);
			assert_string_equal(r.rows[i][1], order[k]);
		}
		assert_int_equal(k, 5);
	}
	for (size_t i = 1; i < r.n; i++) {
		if (strcmp(r.rows[i][0], "aesdth") == 0)
			assert_string_equal(r.rows[i][11], "[aeser] = '1'");
		if (strcmp(r.rows[i][0], "infect") == 0) {
			assert_string_equal(r.rows[i][3], "checkbox");
			assert_string_equal(r.rows[i][5],
			    "HSV, Herpes simplex | CMV, Cytomegalovirus | EBV, Epstein-Barr");
		}
		if (strcmp(r.rows[i][0], "inftim") == 0)
			assert_string_equal(r.rows[i][7], "time");
		if (strcmp(r.rows[i][0], "cumyield") == 0) {
			assert_string_equal(r.rows[i][3], "descriptive");
			assert_true(str_starts(r.rows[i][17], "crf calculation, not translated "
			    "(sum() over the instances of a repeating log): sum(aph.yield, "));
		}
	}
	csv_rows_free(&r);
	sb_free(&sb);
}

static void
expect_translation(const char *form, const char *src, redcap_kind kind, const char *want)
{
	strbuf sb = { 0 };
	crf_err why = { "" };
	bool ok = redcap_translate(study, study_form(study, form), src, kind, &sb, &why);

	if (want[0] == '!') {
		if (ok)
			fail_msg("%s: translated to '%s', want it refused", src, sb.s);
		assert_string_equal(why.msg, want + 1);
		assert_null(sb.s);
	} else {
		if (!ok)
			fail_msg("%s: refused (%s)", src, why.msg);
		assert_string_equal(sb.s, want);
	}
	sb_free(&sb);
}

static void
test_redcap_translate(void **state)
{
	(void)state;
	expect_translation("dm", "sex = \"F\"", REDCAP_LOGIC, "[sex] = 'F'");
	expect_translation("dm", "\"F\" = sex", REDCAP_LOGIC, "'F' = [sex]");
	expect_translation("ae", "aeser = \"Y\"", REDCAP_LOGIC, "[aeser] = '1'");
	expect_translation("ae", "aeser <> \"N\"", REDCAP_LOGIC, "[aeser] <> '0'");
	expect_translation("dm", "pregnant == \"Y\" or sex != \"F\"", REDCAP_LOGIC,
	    "[pregnant] = '1' or [sex] <> 'F'");
	expect_translation("dm", "not (sex = \"F\" and height > 150)", REDCAP_LOGIC,
	    "[sex] <> 'F' or [height] <= 150");
	expect_translation("dm", "(sex = \"F\" or sex = \"M\") and height >= 1.5e0x", REDCAP_LOGIC,
	    "!the expression could not be read");
	expect_translation("dm", "(sex = \"F\" or sex = \"M\") and height >= .5", REDCAP_LOGIC,
	    "([sex] = 'F' or [sex] = 'M') and [height] >= 0.5");
	expect_translation("dm", "not ((sex = \"F\" or sex = \"M\") and height < 2)", REDCAP_LOGIC,
	    "([sex] <> 'F' and [sex] <> 'M') or [height] >= 2");
	expect_translation("dm", "not blank(weight)", REDCAP_LOGIC, "[weight] <> ''");
	expect_translation("dm", "isblank(weight) or not not blank(height)", REDCAP_LOGIC,
	    "[weight] = '' or [height] = ''");
	expect_translation("dm", "in(sex, \"M\", \"F\")", REDCAP_LOGIC,
	    "[sex] = 'M' or [sex] = 'F'");
	expect_translation("dm", "not in(sex, \"M\", \"F\") and height > 1", REDCAP_LOGIC,
	    "[sex] <> 'M' and [sex] <> 'F' and [height] > 1");
	expect_translation("dm", "in(sex, \"M\", \"F\") and height > 1", REDCAP_LOGIC,
	    "([sex] = 'M' or [sex] = 'F') and [height] > 1");
	expect_translation("fu", "has(infections, \"HSV\")", REDCAP_LOGIC, "[infect(HSV)] = '1'");
	expect_translation("fu", "not has(infections, \"EBV\")", REDCAP_LOGIC,
	    "[infect(EBV)] = '0'");
	expect_translation("fu", "has(infections, \"XYZ\")", REDCAP_LOGIC,
	    "!has() of infections");
	expect_translation("fu", "infections = \"HSV\"", REDCAP_LOGIC,
	    "!uses the multichoice infections other than in has()");
	expect_translation("vs", "dm.sex = \"F\" and temp > 38", REDCAP_LOGIC,
	    "[sex] = 'F' and [temp] > 38");
	expect_translation("vs", "scr.dm.sex = \"F\"", REDCAP_LOGIC,
	    "!refers to another event: scr.dm.sex");
	expect_translation("vs", "ae.aeser = \"Y\"", REDCAP_LOGIC,
	    "!refers to the repeating log ae");
	expect_translation("ae", "aeterm = \"it's\"", REDCAP_LOGIC, "[aeterm] = \"it's\"");
	expect_translation("ae", "aeterm = \"it's \\\"x\\\"\"", REDCAP_LOGIC,
	    "!a text holds both kinds of quote");
	expect_translation("dm", "weight > study.anc_engraft * 2", REDCAP_LOGIC,
	    "[weight] > 0.5 * 2");
	expect_translation("dm", "onset > date(\"2020-01\")", REDCAP_LOGIC,
	    "!uses the date or time onset other than in days()");
	expect_translation("dm", "if(sex = \"F\", true, false)", REDCAP_LOGIC,
	    "!if() as a condition has no REDCap equivalent");
	expect_translation("dm", "x = 1", REDCAP_LOGIC, "!unknown name x");
	/* Numbers. */
	expect_translation("dm", "round(sqrt(height * weight / 3600), 2)", REDCAP_NUMBER,
	    "round(sqrt([height] * [weight] / 3600), 2)");
	expect_translation("dm", "round(weight / pow(height / 100, 2), 1)", REDCAP_NUMBER,
	    "round([weight] / ([height] / 100)^(2), 1)");
	expect_translation("dm", "height - (weight - 1) - (2 + 3) * 4", REDCAP_NUMBER,
	    "[height] - ([weight] - 1) - (2 + 3) * 4");
	expect_translation("dm", "height / (weight * 2) + -height * 2 + round(weight)",
	    REDCAP_NUMBER, "[height] / ([weight] * 2) + (-[height]) * 2 + round([weight], 0)");
	expect_translation("dm", "if(sex = \"F\", min(height, weight, 3), abs(weight))",
	    REDCAP_NUMBER, "if([sex] = 'F', min([height], [weight], 3), abs([weight]))");
	expect_translation("vs", "days(vsdat, today())", REDCAP_NUMBER,
	    "datediff([vsdat], 'today', 'd', true)");
	expect_translation("vs", "days(date(\"2026-01-01\"), vsdat) + 1", REDCAP_NUMBER,
	    "datediff('2026-01-01', [vsdat], 'd', true) + 1");
	expect_translation("dm", "days(brthdat, d0.inf.infdat)", REDCAP_NUMBER,
	    "!refers to another event: d0.inf.infdat");
	expect_translation("dm", "days(brthdat, adddays(brthdat, 2))", REDCAP_NUMBER,
	    "!days() of a computed date");
	expect_translation("inf", "sum(aph.yield)", REDCAP_NUMBER,
	    "!sum() over the instances of a repeating log");
	expect_translation("inf", "count(aph)", REDCAP_NUMBER,
	    "!count() over the instances of a repeating log");
	expect_translation("dm", "height % 2", REDCAP_NUMBER,
	    "!the remainder % has no REDCap equivalent");
	expect_translation("dm", "age(brthdat, today())", REDCAP_NUMBER,
	    "!age() has no REDCap equivalent");
	expect_translation("dm", "number(initials) * 2", REDCAP_NUMBER, "[initials] * 2");
	expect_translation("vs", "bsa_copy + 1", REDCAP_NUMBER,
	    "!refers to bsa_copy, a calculation REDCap cannot do");
	expect_translation("dm", "bsa * 2", REDCAP_NUMBER, "[bsa] * 2");
	expect_translation("dm", "sex = \"F\"", REDCAP_NUMBER,
	    "!a condition where REDCap needs a value");
}

/* The R script: plain ASCII, the study's forms, factors and labels. */
static void
test_r_script(void **state)
{
	csv_opts o = { 0 };
	csv_summary sum;
	char *dir, *text;

	(void)state;
	dir = do_export(&o, &sum);
	text = file_in(dir, CSV_R_FILE);
	for (const char *p = text; *p; p++)
		assert_true((unsigned char)*p < 0x80);
	assert_true(str_starts(text, "# read_crf.R - reads the CSV export of crf "));
	assert_non_null(strstr(text, "crf_long_format <- FALSE\n"));
	assert_non_null(strstr(text, "crf_events <- c(\"scr\", \"d0\", \"fu30\", \"uns\")\n"));
	assert_non_null(strstr(text, "crf_missing_codes <- c(\"UNK\", \"ND\", \"NA\")\n"
	    "crf_missing_labels <- crf_lab(c(\"Unknown\", \"Not done\", \"Not applicable\"), "
	    "c(\"\\u672a\\u77e5\", NA, NA))\n"));
	assert_non_null(strstr(text, "## dm: Demographics (dm.csv)\ncrf[[\"dm\"]] <- local({\n"
	    "  d <- crf_form(\"dm\", c(\"subject\" = \"character\", \"study_no\" = \"character\",\n"
	    "    \"site\" = \"character\", \"event\" = \"character\", \"event_repeat\" = \"integer\",\n"
	    "    \"form_repeat\" = \"integer\", \"SEX\" = \"character\", \"PREGNANT\" = \"character\",\n"
	    "    \"PREGNANT_MISS\" = \"character\", \"HEIGHT\" = \"numeric\",\n"
	    "    \"HEIGHT_MISS\" = \"character\", \"WEIGHT\" = \"numeric\",\n"
	    "    \"WEIGHT_MISS\" = \"character\", \"BSA\" = \"numeric\", \"BMI\" = \"numeric\",\n"
	    "    \"INITIALS\" = \"character\", \"ONSETDAT\" = \"character\", \"NOTES\" = \"character\",\n"
	    "    \"INFDAYS\" = \"integer\"),\n"
	    "    c(\"PREGNANT_MISS\" = \"PREGNANT\", \"HEIGHT_MISS\" = \"HEIGHT\", "
	    "\"WEIGHT_MISS\" = \"WEIGHT\"))\n"
	    "  d[[\"SEX\"]] <- crf_label(crf_factor(d[[\"SEX\"]], c(\"M\", \"F\"), "
	    "crf_lab(c(\"Male\", \"Female\"), c(\"\\u7537\", \"\\u5973\"))), crf_lab(\"Sex\"))\n"
	    "  d[[\"PREGNANT\"]] <- crf_label(crf_factor(d[[\"PREGNANT\"]], c(\"Y\", \"N\"), "
	    "crf_lab(c(\"Yes\", \"No\"), c(\"\\u662f\", \"\\u5426\"))), crf_lab(\"Pregnant?\"))\n"
	    "  d[[\"PREGNANT_MISS\"]] <- crf_label(crf_missing(d[[\"PREGNANT_MISS\"]]), "
	    "crf_lab(\"Pregnant?: missing-data code\"))\n"
	    "  d[[\"HEIGHT\"]] <- crf_label(crf_num(d[[\"HEIGHT\"]]), crf_lab(\"Height\"), \"cm\")\n"
	    "  d[[\"HEIGHT_MISS\"]] <- crf_label(crf_missing(d[[\"HEIGHT_MISS\"]]), "
	    "crf_lab(\"Height: missing-data code\"))\n"));
	assert_non_null(strstr(text, "  d[[\"BSA\"]] <- crf_label(crf_num(d[[\"BSA\"]]), "
	    "crf_lab(\"Body surface area\"), \"m\\u00b2\")\n"));
	assert_non_null(strstr(text, "  d[[\"ONSETDAT\"]] <- crf_label(d[[\"ONSETDAT\"]], "
	    "crf_lab(\"Onset\"))\n"));
	assert_non_null(strstr(text, "  d[[\"INFDAYS\"]] <- crf_label(crf_int(d[[\"INFDAYS\"]]), "
	    "crf_lab(\"Days to infusion\"))\n"
	    "  crf_frame(d, crf_lab(\"Demographics\", \"\\u4eba\\u53e3\\u5b66\\u8d44\\u6599\"))\n"
	    "})\n"));
	assert_non_null(strstr(text, "  d[[\"VSDAT\"]] <- crf_label(crf_date(d[[\"VSDAT\"]]), "
	    "crf_lab(\"Date\"))\n"));
	assert_non_null(strstr(text, "  d[[\"INFECT\"]] <- crf_label(crf_multi(d[[\"INFECT\"]], "
	    "c(\"HSV\", \"CMV\", \"EBV\"), crf_lab(c(\"Herpes simplex\", \"Cytomegalovirus\", "
	    "\"Epstein-Barr\"))), crf_lab(\"Infections\"))\n"));
	assert_non_null(strstr(text, "  d[[\"INFTIM\"]] <- crf_label(d[[\"INFTIM\"]], "
	    "crf_lab(\"Infusion time\"))\n"));
	assert_null(strstr(text, "BRTHDAT"));
	free(text);
	csv_summary_clear(&sum);
	free(dir);

	o.long_format = true;
	dir = do_export(&o, &sum);
	text = file_in(dir, CSV_R_FILE);
	assert_non_null(strstr(text, "crf_long_format <- TRUE\n"));
	assert_non_null(strstr(text, "crf_items <- crf_read(\"items-long.csv\", "));
	assert_non_null(strstr(text, "## dm: Demographics\ncrf[[\"dm\"]] <- local({\n"));
	free(text);
	csv_summary_clear(&sum);
	free(dir);
}

/* How many export rows the audit trail holds. */
static int
export_rows(void)
{
	audit_report r;
	crf_err e;
	sqlite3 *db;
	sqlite3_stmt *s;
	int n = -1;

	assert_int_equal(store_audit_verify(st, NULL, &r, &e), CRF_OK);
	assert_int_equal(r.nissues, 0);
	audit_report_clear(&r);
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM audit WHERE action = "
	    "'export'", -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

static void
test_audited(void **state)
{
	csv_opts o = { 0 };
	csv_summary sum;
	int before = export_rows();
	char *dir, *want;
	sqlite3 *db;
	sqlite3_stmt *s;

	(void)state;
	dir = do_export(&o, &sum);
	assert_int_equal(export_rows(), before + 1);
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT user, new_value, reason, subject FROM "
	    "audit WHERE action = 'export' ORDER BY seq DESC LIMIT 1", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	want = realpath(dir, NULL);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "dm");
	assert_string_equal((const char *)sqlite3_column_text(s, 1), "csv");
	assert_string_equal((const char *)sqlite3_column_text(s, 2), want);
	assert_string_equal(sum.dir, want);
	assert_null(sqlite3_column_text(s, 3));
	sqlite3_finalize(s);
	sqlite3_close(db);
	free(want);
	csv_summary_clear(&sum);
	free(dir);
}

static void
test_refusals(void **state)
{
	csv_opts o = { 0 }, force = { .force = true };
	csv_summary sum;
	char *dir = new_dir(), *p, *list, *text;
	int before = export_rows();
	crf_err e;
	FILE *fp;

	(void)state;
	/* A folder in use. */
	assert_int_equal(mkdir(dir, 0750), 0);
	p = path_join(dir, "notes.txt");
	fp = fopen(p, "w");
	fputs("mine\n", fp);
	fclose(fp);
	assert_int_equal(csv_export(st, study, dir, &o, &sum, &e), CRF_EEXIST);
	assert_true(str_ends(e.msg, " is not empty"));
	list = listing(dir);
	assert_string_equal(list, "notes.txt ");
	free(list);
	/* --force writes beside it, and replaces an earlier dm.csv. */
	free(p);
	p = path_join(dir, "dm.csv");
	fp = fopen(p, "w");
	fputs("old\n", fp);
	fclose(fp);
	assert_int_equal(csv_export(st, study, dir, &force, &sum, &e), CRF_OK);
	csv_summary_clear(&sum);
	text = file_in(dir, "dm.csv");
	assert_true(str_starts(text, "subject,"));
	free(text);
	list = listing(dir);
	assert_string_equal(list, "ae.csv aph.csv data-dictionary.csv dm.csv fu.csv inf.csv "
	    "missing-codes.csv notes.txt read_crf.R redcap-dictionary.csv vs.csv ");
	free(list);
	assert_int_equal(export_rows(), before + 1);
	/* A file is not a folder; neither can a file hold one. */
	assert_int_equal(csv_export(st, study, p, &o, &sum, &e), CRF_EINVAL);
	assert_true(str_ends(e.msg, "dm.csv is not a folder: the CSV export writes a folder of "
	    "files"));
	free(dir);
	dir = path_join(p, "sub");
	assert_int_equal(csv_export(st, study, dir, &o, &sum, &e), CRF_EIO);
	assert_true(str_starts(e.msg, "cannot use /"));
	assert_true(str_ends(e.msg, "dm.csv/sub: Not a directory"));
	free(dir);
	free(p);
	/* A nurse may not export: nothing is left behind, nothing audited. */
	as("nurse", NURSE_PW);
	dir = new_dir();
	assert_int_equal(csv_export(st, study, dir, &o, &sum, &e), CRF_EDENIED);
	assert_string_equal(e.msg, "A research nurse cannot export data; research nurses "
	    "enter data and answer queries");
	assert_int_equal(access(dir, F_OK), -1);    /* the folder it made is gone too */
	as("dm", DM_PW);
	assert_int_equal(export_rows(), before + 1);
	free(dir);
}

/* A disk that fills up: the error says so, and no file is left. */
static void
test_full_disk(void **state)
{
	csv_opts force = { .force = true };
	csv_summary sum;
	char *dir = new_dir(), *p, *list;
	int before = export_rows();
	crf_err e;
	pid_t pid;
	int status;

	(void)state;
	assert_int_equal(mkdir(dir, 0750), 0);
	/* /dev/full gives ENOSPC on every write: put it where ae.csv is written. */
	p = path_join(dir, ".ae.csv.part");
	assert_int_equal(symlink("/dev/full", p), 0);
	free(p);
	assert_int_equal(csv_export(st, study, dir, &force, &sum, &e), CRF_EFULL);
	assert_non_null(strstr(e.msg, "ae.csv: the disk is full (No space left on device); "
	    "nothing was exported"));
	list = listing(dir);
	assert_string_equal(list, "");
	free(list);
	assert_int_equal(export_rows(), before);

	/* A file size limit (EFBIG), in a child process. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Its own connection (the parent's is not to be used across a
		 * fork), opened before the limit. */
		struct rlimit rl = { 2048, 2048 };
		store *st2;
		crf_status cs;

		if (store_open(dbpath, &st2, &e) != CRF_OK)
			_exit(2);
		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		cs = csv_export(st2, study, dir, &force, &sum, &e);
		_exit(cs == CRF_EIO && strstr(e.msg, ": File too large; nothing was exported") ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	list = listing(dir);
	assert_string_equal(list, "");
	free(list);
	assert_int_equal(export_rows(), before);
	free(dir);
}

/* A study whose forms share an export name, and one whose code column
 * would be named like another field. */
static void
test_names_and_collision(void **state)
{
	char *sdir = xasprintf("%s/study2", base), *cmd, *p, *dir;
	study_def *sd2 = NULL;
	formdef_diags d = { 0 };
	strbuf sb = { 0 };
	csv_opts o = { 0 };
	csv_summary sum;
	crf_err e;
	FILE *fp;

	(void)state;
	cmd = xasprintf("mkdir -p '%s' && cp tests/fixtures/study/*.ini '%s'/", sdir, sdir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	/* vs gets a WEIGHT too, and a code column clash. */
	p = path_join(sdir, "vs.ini");
	fp = fopen(p, "a");
	fputs("\n[field weight]\ntype = decimal\ndecimals = 1\nlabel = Weight\n"
	    "\n[field wt]\ntype = integer\nlabel = Weight again\nmissing = UNK\n"
	    "\n[field wtmiss]\nexport = WT_MISS\ntype = text\nlabel = Clash\n", fp);
	fclose(fp);
	free(p);
	if (formdef_load(sdir, &sd2, &d) != CRF_OK)
		fail_msg("study2: %s", d.n ? d.items[0].msg : "?");
	redcap_write_dictionary(sd2, &sb);
	assert_non_null(strstr(sb.s, "\r\ndm_weight,dm,,text,Weight,"));
	assert_non_null(strstr(sb.s, "\r\nvs_weight,vs,,text,Weight,"));
	assert_non_null(strstr(sb.s, "\r\nbsa,dm,,calc,Body surface area,"
	    "\"round(sqrt([height] * [dm_weight] / 3600), 2)\""));
	assert_non_null(strstr(sb.s, "\r\nwt,vs,,text,Weight again,"));
	assert_non_null(strstr(sb.s, "\r\nwt_miss,vs,,text,Clash,"));
	sb_free(&sb);
	dir = new_dir();
	assert_int_equal(csv_export(st, sd2, dir, &o, &sum, &e), CRF_EDEF);
	assert_true(str_ends(e.msg, "vs.ini: the column WT_MISS, for the missing-data codes "
	    "of field 'wt', is also the export name of field 'wtmiss' (line 29): give that "
	    "field another export name"));
	assert_int_equal(access(dir, F_OK), -1);
	free(dir);
	formdef_free(sd2);
	formdef_diags_free(&d);
	free(sdir);
}

/* ---- A site's slice of the central database --------------------------------- */

/* Sign in to s. */
static void
as_in(store *s, const char *login, const char *pw)
{
	user_row u;
	crf_err e;

	assert_int_equal(store_login(s, login, pw, &u, &e), CRF_OK);
	user_row_clear(&u);
}

/* A new site database in base, with a nurse (signed in) and a data
 * manager. */
static store *
new_site(const char *code, const char *name)
{
	char *p = xasprintf("%s/%s.db", base, code);
	store *s;
	crf_err e;

	assert_int_equal(store_create(p, code, name, &s, &e), CRF_OK);
	free(p);
	store_set_user(s, "setup");
	assert_int_equal(store_add_user(s, "nurse", "Wang Fang", "data-entry", NURSE_PW, &e),
	    CRF_OK);
	assert_int_equal(store_add_user(s, "dm", "Chen Jing", "data-manager", DM_PW, &e),
	    CRF_OK);
	as_in(s, "nurse", NURSE_PW);
	return s;
}

static long long
new_subject(store *s)
{
	subject_row r;
	crf_err e;
	long long id;

	assert_int_equal(store_add_subject(s, &r, &e), CRF_OK);
	id = r.id;
	subject_row_clear(&r);
	return id;
}

/* Everything site s has, as a transfer file, imported into central c. */
static void
send(store *s, store *c)
{
	odm_opts o = { .kind = ODM_TRANSACTIONAL, .transfer = true, .identifiers = true };
	char hex[TRANSFER_CHECKSUM_HEX + 1];
	import_result r;
	strbuf doc = { 0 };
	crf_err e;

	assert_int_equal(store_audit_max_seq(s, &o.through_seq, &e), CRF_OK);
	if (odm_export(s, study, &o, &doc, NULL, &e) != CRF_OK)
		fail_msg("transfer of %s: %s", store_site_code(s), e.msg);
	transfer_checksum(doc.s, doc.len, hex);
	if (central_import(c, study, doc.s, doc.len, "t.xml", hex, &r, &e) != CRF_OK)
		fail_msg("import of %s: %s", store_site_code(s), e.msg);
	assert_false(r.already);
	sb_free(&doc);
}

/* The export of s with o into a new folder; its name (owned). */
static char *
export_of(store *s, const csv_opts *o, csv_summary *sum)
{
	char *d = new_dir();
	crf_err e;

	if (csv_export(s, study, d, o, sum, &e) != CRF_OK)
		fail_msg("export: %s", e.msg);
	return d;
}

/* Folders a and b hold the same files, byte for byte. */
static void
expect_same_files(const char *a, const char *b)
{
	char *la = listing(a), *lb = listing(b);
	char *names = xstrdup(la);

	assert_string_equal(la, lb);
	for (char *name = strtok(names, " "); name != NULL; name = strtok(NULL, " ")) {
		char *pa = path_join(a, name), *pb = path_join(b, name);
		size_t na, nb;
		char *ta = file_read_all(pa, &na), *tb = file_read_all(pb, &nb);

		assert_non_null(ta);
		assert_non_null(tb);
		if (na != nb || memcmp(ta, tb, na) != 0)
			fail_msg("%s differs from %s:\n%s\n---\n%s", pb, pa, ta, tb);
		free(ta);
		free(tb);
		free(pa);
		free(pb);
	}
	free(names);
	free(la);
	free(lb);
}

/* The new value of the last export row of the central database. */
static char *
last_export(const char *db)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	char *v = NULL;

	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT new_value FROM audit WHERE action = "
	    "'export' ORDER BY seq DESC LIMIT 1", -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(h);
	return v;
}

static void
test_site_slice(void **state)
{
	csv_opts wide = { 0 }, lng = { .long_format = true },
	    ids = { .identifiers = true };
	csv_opts tj = { .site = "TJ01" }, tj_long = { .long_format = true, .site = "TJ01" },
	    tj_ids = { .identifiers = true, .site = "TJ01" }, bj = { .site = "BJ02" };
	store *a = new_site("TJ01", "Tianjin"), *b = new_site("BJ02", "Beijing"), *c;
	char *cpath = path_join(base, "central.db");
	char *da, *dc, *text, *v;
	long long a1, a2, b1;
	csv_summary sum;
	crf_err e;

	(void)state;
	/* Two sites key their subjects; BJ02's are the ones TJ01's slice must
	 * not hold. */
	a1 = new_subject(a);
	a2 = new_subject(a);
	b1 = new_subject(b);
	save_in(a, a1, "scr", 1, "dm", 1, "sex", "F", NULL, "pregnant", NULL, "NA",
	    "height", "170.0", NULL, "weight", NULL, "ND", "initials", "ZXM", NULL,
	    "notes", NOTES, NULL, NULL);
	save_in(a, a1, "scr", 1, "vs", 1, "vsdat", "2026-02-20", NULL, "temp", "36.6", NULL, NULL);
	save_in(a, a1, "uns", 1, "vs", 1, "vsdat", "2026-02-25", NULL, NULL);
	save_in(a, a1, "", 0, "ae", 1, "aeterm", "Rash, mild", NULL, "aeser", "Y", NULL, NULL);
	save_in(a, a1, "", 0, "ae", 2, "aeterm", "\xe5\xa4\xb4\xe7\x97\x9b", NULL, NULL);
	save_in(a, a2, "scr", 1, "dm", 1, "sex", "M", NULL, NULL);
	save_in(b, b1, "scr", 1, "dm", 1, "sex", "M", NULL, "weight", NULL, "UNK",
	    "initials", "LQ", NULL, NULL);
	save_in(b, b1, "", 0, "ae", 1, "aeterm", "Headache", NULL, NULL);

	/* The centre, filled with both sites' transfer files. */
	assert_int_equal(store_create(cpath, "CENTRE", "Coordinating centre", &c, &e), CRF_OK);
	store_set_user(c, "centre.setup");
	assert_int_equal(store_make_central(c, &e), CRF_OK);
	as_in(a, "dm", DM_PW);
	as_in(b, "dm", DM_PW);
	send(a, c);
	send(b, c);

	/* Each site's slice: the site's own files, whatever the options. */
	{
		const csv_opts *site[] = { &wide, &lng, &ids, &wide };
		const csv_opts *slice[] = { &tj, &tj_long, &tj_ids, &bj };
		store *from[] = { a, a, a, b };

		for (size_t i = 0; i < 4; i++) {
			da = export_of(from[i], site[i], &sum);
			csv_summary_clear(&sum);
			dc = export_of(c, slice[i], &sum);
			assert_int_equal(sum.subjects, from[i] == a ? 2 : 1);
			csv_summary_clear(&sum);
			expect_same_files(da, dc);
			free(da);
			free(dc);
		}
	}
	/* The other site's subjects are not in the slice. */
	dc = export_of(c, &tj, &sum);
	csv_summary_clear(&sum);
	text = file_in(dc, "dm.csv");
	assert_null(strstr(text, "BJ02"));
	assert_non_null(strstr(text, "\r\nTJ01-0001,,TJ01,scr,1,1,F,"));
	free(text);
	text = file_in(dc, "ae.csv");
	assert_null(strstr(text, "Headache"));
	free(text);
	free(dc);
	/* The audit row names the site's slice. */
	v = last_export(cpath);
	assert_string_equal(v, "csv, site TJ01");
	free(v);

	/* Without --site: every subject, each with its own site. */
	dc = export_of(c, &wide, &sum);
	assert_int_equal(sum.subjects, 3);
	csv_summary_clear(&sum);
	text = file_in(dc, "dm.csv");
	assert_non_null(strstr(text, "\r\nBJ02-0001,,BJ02,scr,1,1,M,"));
	assert_non_null(strstr(text, "\r\nTJ01-0002,,TJ01,scr,1,1,M,"));
	assert_null(strstr(text, "CENTRE"));
	free(text);
	free(dc);
	v = last_export(cpath);
	assert_string_equal(v, "csv");
	free(v);

	/* Refused before anything is written: no folder made, nothing audited. */
	dc = new_dir();
	assert_int_equal(csv_export(a, study, dc, &tj, &sum, &e), CRF_EINVAL);
	assert_string_equal(e.msg, "--site is for the central database: this is the database "
	    "of site TJ01, which holds only its own subjects (export it without --site)");
	assert_int_equal(access(dc, F_OK), -1);
	{
		csv_opts sh = { .site = "SH03" }, bad = { .site = "tj01" };

		assert_int_equal(csv_export(c, study, dc, &sh, &sum, &e), CRF_ENOENT);
		assert_string_equal(e.msg, "the central database has no site SH03: no subject of "
		    "it, no transfer file imported from it (its sites: BJ02, TJ01)");
		assert_int_equal(access(dc, F_OK), -1);
		assert_int_equal(csv_export(c, study, dc, &bad, &sum, &e), CRF_EINVAL);
		assert_string_equal(e.msg, "'tj01' is not a site code: a site code is 2 to 8 "
		    "upper-case letters or digits, such as TJ01");
		assert_int_equal(access(dc, F_OK), -1);
		/* A prefix of a code is not the code. */
		bad.site = "TJ0";
		assert_int_equal(csv_export(c, study, dc, &bad, &sum, &e), CRF_ENOENT);
	}
	v = last_export(cpath);
	assert_string_equal(v, "csv");
	free(v);

	/* A site that has sent a file but has no subject yet is known: its
	 * slice is the headers only. */
	{
		sqlite3 *h;
		csv_opts sh = { .site = "SH03" };

		assert_int_equal(sqlite3_open(cpath, &h), SQLITE_OK);
		assert_int_equal(sqlite3_exec(h, "INSERT INTO transfer_in (file_oid, site_code, "
		    "checksum, imported_at, imported_by, changes, conflicts) VALUES "
		    "('crf/X/SH03/transfer/1/A', 'SH03', 'x', '2026-03-01T02:00:00Z', 'centre', 0, 0)",
		    NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(h);
		assert_int_equal(csv_export(c, study, dc, &sh, &sum, &e), CRF_OK);
		assert_int_equal(sum.subjects, 0);
		assert_int_equal(sum.instances, 0);
		csv_summary_clear(&sum);
		text = file_in(dc, "dm.csv");
		assert_true(str_starts(text, "subject,"));
		assert_int_equal(strchr(text, '\n')[1], '\0');
		free(text);
	}
	free(dc);
	store_close(a);
	store_close(b);
	store_close(c);
	free(cpath);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_wide),
		cmocka_unit_test(test_read_back),
		cmocka_unit_test(test_identifiers),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_dictionary),
		cmocka_unit_test(test_redcap_dictionary),
		cmocka_unit_test(test_redcap_rows),
		cmocka_unit_test(test_redcap_translate),
		cmocka_unit_test(test_r_script),
		cmocka_unit_test(test_audited),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_full_disk),
		cmocka_unit_test(test_names_and_collision),
		cmocka_unit_test(test_site_slice),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
