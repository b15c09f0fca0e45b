/* test_report.c - the study report on a site database filled through the
 * store as crf fills it (a nurse saves forms, the investigator enrols),
 * against numbers worked out by hand, and on an empty site. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crf/formdef.h"
#include "crf/lifecycle.h"
#include "crf/report.h"
#include "crf/store.h"
#include "crf/util.h"

#define NURSE_PW "Nurse-Password-1"
#define PI_PW "Investigator-Pw-2"

static study_def *study;
static char dir[64];
static char *path;
static store *st;

static void
as(const char *login, const char *pw)
{
	user_row u;
	crf_err e;

	assert_int_equal(store_login(st, login, pw, &u, &e), CRF_OK);
	user_row_clear(&u);
}

/* Save one form instance: field, value pairs, NULL-terminated. */
static void
save(long long subj, const char *event, int erep, const char *form, int frep,
    form_status status, ...)
{
	form_key key = { subj, event, erep, form, frep };
	item_change ch[16];
	size_t n = 0;
	form_data fd;
	int version;
	va_list ap;
	crf_err e;

	va_start(ap, status);
	for (const char *f; (f = va_arg(ap, const char *)) != NULL && n < 16; n++) {
		ch[n] = (item_change){ f, va_arg(ap, const char *), NULL, 0 };
	}
	va_end(ap);
	assert_int_equal(store_load_form(st, &key, &fd, &e), CRF_OK);
	if (store_save_form(st, &key, fd.version, 1, status, ch, n, NULL, &version, &e) !=
	    CRF_OK)
		fail_msg("save %s/%s: %s", event, form, e.msg);
	form_data_clear(&fd);
}

static long long
new_subject(void)
{
	subject_row s;
	crf_err e;
	long long id;

	assert_int_equal(store_add_subject(st, &s, &e), CRF_OK);
	id = s.id;
	subject_row_clear(&s);
	return id;
}

static void
change(long long id, subject_change what, const char *date, const char *reason)
{
	crf_err e;

	if (store_change_subject(st, id, what, date, reason, NULL, &e) != CRF_OK)
		fail_msg("%s: %s", subject_change_title(what), e.msg);
}

static const crf_date today = { 2027, 6, 1 };   /* day 1247 of 2024-01-01 */

static char *
report(int width, bool utf8)
{
	report_opts o = { width, utf8, today };
	strbuf out = {0};
	crf_err e;

	assert_int_equal(report_write(st, study, &o, &out, &e), CRF_OK);
	return sb_steal(&out);
}

/* The text holds this whole line. */
static void
expect_line(const char *text, const char *line)
{
	char *want = xasprintf("\n%s\n", line);

	if (strstr(text, want) == NULL) {
		for (const char *p = text; *p;) {
			const char *nl = strchr(p, '\n');
			print_message("| %.*s\n", (int)(nl ? nl - p : (long)strlen(p)), p);
			p = nl ? nl + 1 : p + strlen(p);
		}
		fail_msg("no line '%s'", line);
	}
	free(want);
}

static void
expect_no_wider(const char *text, int width)
{
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		char *l;

		assert_non_null(nl);
		l = xstrndup(p, (size_t)(nl - p));
		if (utf8_width(l) > width)
			fail_msg("wider than %d: '%s'", width, l);
		free(l);
		p = nl + 1;
	}
}

static int
setup(void **state)
{
	formdef_diags d = {0};
	crf_err e;

	(void)state;
	if (formdef_load("forms", &study, &d) != CRF_OK)
		return -1;
	strcpy(dir, "/tmp/crf-report.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	path = path_join(dir, "site.db");
	setenv("CRF_NOW", "2023-11-20T02:00:00Z", 1);
	if (store_create(path, "TJ01", "Tianjin", &st, &e) != CRF_OK)
		return -1;
	store_set_user(st, "setup");
	if (store_add_user(st, "nurse", "Wang Fang", "data-entry", NURSE_PW, &e) ||
	    store_add_user(st, "pi", "Li Wei", "investigator", PI_PW, &e))
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	store_close(st);
	unlink(path);
	{
		char *p = xasprintf("%s-wal", path), *q = xasprintf("%s-shm", path);
		unlink(p);
		unlink(q);
		free(p);
		free(q);
	}
	rmdir(dir);
	free(path);
	formdef_free(study);
	return 0;
}

/* ---- An empty site: every section says so ------------------------------------ */

static void
test_empty_site(void **state)
{
	char *t;
	report_opts bad = { 40, true, today };
	strbuf out = {0};
	crf_err e;

	(void)state;
	t = report(80, true);
	assert_true(str_starts(t, "Study report: NCT06228781\n"));
	expect_line(t, "Site TJ01 (Tianjin), 2027-06-01");
	expect_line(t, "1. Enrolment");
	expect_line(t, "  No subject has been screened yet.");
	expect_line(t, "2. Visits");
	expect_line(t, "3. Completeness per form");
	expect_line(t, "  No form has been saved yet.");
	expect_line(t, "4. Adverse events by CTCAE grade");
	expect_line(t, "  No adverse event has been recorded yet.");
	expect_line(t, "5. Engraftment");
	expect_line(t, "6. MS activity-free survival per subject");
	expect_line(t, "7. Kaplan-Meier estimate of MS activity-free survival");
	/* Each of the 7 sections says there is nobody enrolled. */
	{
		size_t n = 0;
		for (const char *p = t; (p = strstr(p, "  No subject is enrolled yet.\n")) != NULL; p++)
			n++;
		assert_int_equal(n, 7);
	}
	free(t);
	assert_int_equal(report_write(st, study, &bad, &out, &e), CRF_EINVAL);
	assert_string_equal(e.msg, "the width must be 60 to 250 columns, not 40");
	sb_free(&out);
}

/* ---- Six subjects ----------------------------------------------------------------
 *
 * Day 0 of the four enrolled is 2024-01-01.
 *   0001 counts: ANC 0.1 days 1-9, 0.8 days 10-14 -> neutrophils day 10;
 *        platelets 10 days 1-11 (transfused day 3), 25 days 12-14 -> day 12.
 *        A protocol relapse on day 200 (2024-07-19): MAFS event.  Visit
 *        m12 on day 365.  Adverse events: grade 3 serious, grade 1.
 *   0002 visit m12 on day 400 (2025-02-04): censored 400.
 *   0003 visits m12 (day 365) and m24 on day 800 (2026-03-11): censored 800.
 *   0004 visit m36 on day 1100 (2027-01-05), completed: censored 1100.
 *   0005 screen failure; 0006 still in screening.
 * Kaplan-Meier: 4 at risk on day 200, 1 event: S = 3/4 from day 200.
 *   Greenwood SE = 0.75 * sqrt(1 / (4 * 3)) = 0.2165; 0.75 +- 1.96 SE =
 *   0.326 .. 1.174, cut to 1.000.  At risk: day 365: 3 (400, 800, 1100);
 *   day 730: 2; day 1095: 1.
 */
static void
fill_site(void)
{
	long long id[6];
	char day[16];

	setenv("CRF_NOW", "2023-11-20T02:00:00Z", 1);
	as("nurse", NURSE_PW);
	for (int i = 0; i < 6; i++)
		id[i] = new_subject();
	for (int i = 0; i < 4; i++) {
		save(id[i], "scr", 1, "edss", 1, FORM_COMPLETE, "edsdat", "2023-11-20",
		    "edss", "4.0", NULL);
		save(id[i], "d0", 1, "inf", 1, FORM_INCOMPLETE, "infdat", "2024-01-01", NULL);
	}
	for (int d = 1; d <= 14; d++) {
		snprintf(day, sizeof day, "2024-01-%02d", d + 1);
		save(id[0], "", 0, "cbc", d, FORM_COMPLETE, "cbcdat", day,
		    "anc", d < 10 ? "0.10" : "0.80", "plt", d < 12 ? "10" : "25",
		    "plttx", d == 3 ? "Y" : "N", NULL);
	}
	save(id[0], "", 0, "rel", 1, FORM_COMPLETE, "rlstdat", "2024-07-19", "rldur", "96",
	    "fever", "N", "objconf", "Y", "protrel", "Y", NULL);
	save(id[0], "m12", 1, "fu", 1, FORM_COMPLETE, "fudat", "2024-12-31", NULL);
	save(id[0], "", 0, "ae", 1, FORM_COMPLETE, "aeterm", "Febrile neutropenia",
	    "aestdat", "2024-01-05", "aetoxgr", "3", "aeser", "Y", NULL);
	save(id[0], "", 0, "ae", 2, FORM_INCOMPLETE, "aeterm", "Nausea",
	    "aestdat", "2023-12-28", "aetoxgr", "1", "aeser", "N", NULL);
	save(id[1], "m12", 1, "fu", 1, FORM_INCOMPLETE, "fudat", "2025-02-04", NULL);
	save(id[2], "m12", 1, "fu", 1, FORM_COMPLETE, "fudat", "2024-12-31", NULL);
	save(id[2], "m24", 1, "fu", 1, FORM_COMPLETE, "fudat", "2026-03-11", NULL);
	save(id[3], "m36", 1, "fu", 1, FORM_COMPLETE, "fudat", "2027-01-05", NULL);
	save(id[4], "scr", 1, "edss", 1, FORM_COMPLETE, "edsdat", "2023-11-20",
	    "edss", "2.5", NULL);

	setenv("CRF_NOW", "2023-11-30T02:00:00Z", 1);
	as("pi", PI_PW);
	for (int i = 0; i < 4; i++)
		change(id[i], SUBJECT_ENROL, "2023-11-25", NULL);
	change(id[4], SUBJECT_SCREEN_FAIL, "2023-11-28", "EDSS 2.5, below 3.0");
	setenv("CRF_NOW", "2027-06-01T02:00:00Z", 1);
	change(id[3], SUBJECT_COMPLETE, "2027-01-05", NULL);
}

static void
test_site(void **state)
{
	char *t;

	(void)state;
	fill_site();
	t = report(80, true);
	expect_no_wider(t, 80);

	/* 1. Enrolment. */
	expect_line(t, "  Screened 6: in screening 1, screen failures 1, enrolled 4.");
	expect_line(t, "  Of the enrolled: in follow-up 3, withdrawn 0, completed 1, died 0.");
	expect_line(t, "  Subject    Study no.  Status          Since       Reason");
	expect_line(t, "  TJ01-0001  TJ01-E001  Enrolled        2023-11-25");
	expect_line(t, "  TJ01-0004  TJ01-E004  Completed       2027-01-05");
	expect_line(t, "  TJ01-0005  2023-11-28  EDSS 2.5, below 3.0");

	/* 2. Visits: 9 dated events; day 0 and m12 done for 0001, the rest of
	 * its windows have all passed. */
	expect_line(t, "  Subject    Day 0       Done  Out  Due  Overdue  Next");
	expect_line(t, "  TJ01-0001  2024-01-01     2    0    0        7  fu30 2024-01-24..2024-02-07");
	expect_line(t, "  TJ01-0002  2024-01-01     2    1    0        7  fu30 2024-01-24..2024-02-07");
	expect_line(t, "  TJ01-0004  2024-01-01     2    0    0        0  Completed");
	expect_line(t, "  TJ01-0003  2024-01-01     3    1    0        6  fu30 2024-01-24..2024-02-07");
	expect_line(t, "  Visits done 9 (2 outside their window, 0 undated), due 0, overdue 20.");

	/* NEDA-3 at the follow-up visits: the relapse of day 200 ends it by
	 * the month 12 visit. */
	expect_line(t, "  NEDA-3 (no relapse, no MRI activity, no confirmed progression) since the visit");
	expect_line(t, "  TJ01-0003: m12 (day 365) incomplete; m24 (day 800) incomplete.");
	expect_line(t, "  TJ01-0001: m12 (day 365) no: relapse.");

	/* 3. Completeness. */
	expect_line(t, "  ae    Adverse event                                          2         1  50%");
	expect_line(t, "  cbc   Daily blood counts                                    14        14 100%");
	expect_line(t, "  ic    Informed consent                                       0         0");

	/* 4. Adverse events. */
	expect_line(t, "  3                  1        1         1");
	expect_line(t, "  1                  1        0         1");
	expect_line(t, "  all                2        1         1");
	expect_line(t, "  3      SAE      2024-01-05  TJ01-0001  Febrile neutropenia");
	expect_line(t, "  1               2023-12-28  TJ01-0001  Nausea");

	/* 5. Engraftment. */
	expect_line(t, "  Subject    Day 0       Neutrophils   Platelets     PGF");
	expect_line(t, "  TJ01-0001  2024-01-01  day 10        day 12        no");
	expect_line(t, "  TJ01-0002  2024-01-01  no counts     no counts     not yet");
	expect_line(t, "  Neutrophil engraftment: 1 of 4 subjects, median day 10 (10 to 10).");
	expect_line(t, "  Platelet engraftment: 1 of 4 subjects, median day 12 (12 to 12).");
	expect_line(t, "  Primary graft failure: 0.");

	/* 6. MAFS per subject. */
	expect_line(t, "  Subject    MAFS        Day  TTF         Day  Event");
	expect_line(t, "  TJ01-0001  event       200  event       200  relapse");
	expect_line(t, "  TJ01-0003  censored    800  censored    800");
	expect_line(t, "  TJ01-0004  censored   1100  censored   1100");
	expect_line(t, "  Deaths: none.");

	/* 7. Kaplan-Meier, worked by hand above. */
	expect_line(t, "  4 subjects with day 0: 1 event, 3 censored.  95% confidence intervals from");
	expect_line(t, "  Greenwood's variance, S +- 1.96 SE cut to 0..1.");
	expect_line(t, "  Time        Day  At risk  Events  Estimate  95% CI");
	expect_line(t, "  1 year      365        3       1     0.750  0.326 to 1.000");
	expect_line(t, "  2 years     730        2       1     0.750  0.326 to 1.000");
	expect_line(t, "  3 years    1095        1       1     0.750  0.326 to 1.000");
	expect_line(t, "  Median: not reached.");
	expect_line(t, "  ─ MS activity-free survival  + censored  ┆ 1, 2 and 3 years");
	free(t);

	/* Narrow and ASCII: nothing wider, the chart in ASCII. */
	t = report(60, false);
	expect_no_wider(t, 60);
	expect_line(t, "  - MS activity-free survival  x censored");
	expect_line(t, "  : 1, 2 and 3 years");
	expect_line(t, "  1 year      365        3       1     0.750  0.326 to 1.000");
	assert_null(strstr(t, "─"));
	free(t);
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

/* Deaths: one recorded only as the subject's status (day 425, after
 * day 100: not transplant-related), one on the end of study form and
 * attributed by the investigator (2026-04-01, day 821).  Neither is a
 * MAFS event (mafs_death = no); both end the time to treatment failure. */
static void
test_deaths(void **state)
{
	char *t;

	(void)state;
	as("pi", PI_PW);
	change(subject_id("TJ01-0002"), SUBJECT_DEATH, "2025-03-01", "Pneumonia");
	as("nurse", NURSE_PW);
	save(subject_id("TJ01-0003"), "eos", 1, "eos", 1, FORM_INCOMPLETE, "dthdat",
	    "2026-04-01", "trm", "Y", NULL);
	t = report(80, true);
	expect_line(t, "  Of the enrolled: in follow-up 2, withdrawn 0, completed 1, died 1.");
	expect_line(t, "  TJ01-0002  TJ01-E002  Died            2025-03-01  Pneumonia");
	expect_line(t, "  TJ01-0002  censored    400  event       425  TTF: death");
	expect_line(t, "  TJ01-0003  censored    800  event       821  TTF: death");
	expect_line(t, "  TJ01-0002 died on day 425: not transplant-related.");
	expect_line(t, "  TJ01-0003 died on day 821: transplant-related (the investigator's "
	    "judgement).");
	expect_line(t, "  TJ01-0002  2024-01-01     2    1    0        0  Died");
	/* The estimate is the same: deaths are not MAFS events. */
	expect_line(t, "  1 year      365        3       1     0.750  0.326 to 1.000");
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_site),
		cmocka_unit_test(test_site),
		cmocka_unit_test(test_deaths),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
