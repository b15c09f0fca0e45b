/* test_outcome.c - the trial's derivations (outcome.h) against hand-worked
 * cases: engraftment, EDSS steps, protocol relapses, confirmed progression,
 * MRI activity, NEDA-3, MAFS, time to treatment failure, TRM and the
 * Kaplan-Meier estimate (Freireich 6-MP arm). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crf/formdef.h"
#include "crf/outcome.h"

#define N(a) (sizeof (a) / sizeof (a)[0])
#define NA OUTCOME_MISSING
#define NODAY OUTCOME_NO_DAY

static void
assert_near(double got, double want, double tol)
{
	if (fabs(got - want) > tol)
		fail_msg("%.6f differs from %.6f by more than %g", got, want, tol);
}

/* ---- Settings ---------------------------------------------------------- */

static void
test_settings_default(void **state)
{
	outcome_settings s;
	crf_err err = { "" };

	(void)state;
	outcome_settings_default(&s);
	assert_near(s.anc_engraft, 0.5, 1e-12);
	assert_near(s.plt_engraft, 20, 1e-12);
	assert_int_equal(s.eng_days, 3);
	assert_int_equal(s.plt_txfree, 7);
	assert_int_equal(s.plt_rule, OUTCOME_PLT_ASTCT);
	assert_int_equal(s.pgf_day, 30);
	assert_int_equal(s.prog_cut, 55);
	assert_int_equal(s.prog_low, 10);
	assert_int_equal(s.prog_high, 5);
	assert_int_equal(s.prog_confirm, 168);
	assert_int_equal(s.prog_rel_days, 30);
	assert_int_equal(s.rel_min_hours, 24);
	assert_int_equal(s.rel_gap_days, 30);
	assert_true(s.rel_objective);
	assert_false(s.mafs_death);
	assert_int_equal(s.trm_days, 100);
	assert_int_equal(s.km_ci, KM_CI_PLAIN);
	assert_int_equal(outcome_settings_check(&s, &err), CRF_OK);

	s.eng_days = 0;
	assert_int_equal(outcome_settings_check(&s, &err), CRF_ECONFIG);
	assert_non_null(strstr(err.msg, "eng_days"));
	outcome_settings_default(&s);
	s.prog_cut = 52;
	assert_int_equal(outcome_settings_check(&s, &err), CRF_ECONFIG);
	assert_non_null(strstr(err.msg, "prog_cut"));
}

static void
test_settings_set(void **state)
{
	outcome_settings s, before;
	crf_err err = { "" };
	crf_value v;

	(void)state;
	outcome_settings_default(&s);
	v = val_num(6.0);
	assert_int_equal(outcome_settings_set(&s, "prog_cut", &v, &err), CRF_OK);
	assert_int_equal(s.prog_cut, 60);
	v = val_num(84);
	assert_int_equal(outcome_settings_set(&s, "prog_confirm", &v, &err), CRF_OK);
	assert_int_equal(s.prog_confirm, 84);
	v = val_num(0.3);
	assert_int_equal(outcome_settings_set(&s, "anc_engraft", &v, &err), CRF_OK);
	assert_near(s.anc_engraft, 0.3, 1e-12);
	v = val_text("unsupported");
	assert_int_equal(outcome_settings_set(&s, "eng_variant", &v, &err), CRF_OK);
	assert_int_equal(s.plt_rule, OUTCOME_PLT_UNSUPPORTED);
	v = val_text("LogLog");
	assert_int_equal(outcome_settings_set(&s, "km_ci", &v, &err), CRF_OK);
	assert_int_equal(s.km_ci, KM_CI_LOGLOG);
	v = val_bool(true);
	assert_int_equal(outcome_settings_set(&s, "mafs_death", &v, &err), CRF_OK);
	assert_true(s.mafs_death);

	/* Errors leave the settings as they were. */
	before = s;
	v = val_num(5.2);
	assert_int_equal(outcome_settings_set(&s, "prog_cut", &v, &err), CRF_ECONFIG);
	assert_non_null(strstr(err.msg, "prog_cut"));
	v = val_num(0.25);
	assert_int_equal(outcome_settings_set(&s, "prog_high", &v, &err), CRF_ECONFIG);
	v = val_num(2.5);
	assert_int_equal(outcome_settings_set(&s, "eng_days", &v, &err), CRF_ECONFIG);
	v = val_num(0);
	assert_int_equal(outcome_settings_set(&s, "eng_days", &v, &err), CRF_ECONFIG);
	v = val_text("yes");
	assert_int_equal(outcome_settings_set(&s, "trm_days", &v, &err), CRF_ECONFIG);
	v = val_text("astct2019");
	assert_int_equal(outcome_settings_set(&s, "eng_variant", &v, &err), CRF_ECONFIG);
	v = val_num(1);
	assert_int_equal(outcome_settings_set(&s, "rel_objective", &v, &err), CRF_ECONFIG);
	assert_memory_equal(&s, &before, sizeof s);
	/* Not an outcome setting: left to others, err untouched. */
	strcpy(err.msg, "untouched");
	v = val_num(18);
	assert_int_equal(outcome_settings_set(&s, "age_min", &v, &err), CRF_ENOENT);
	assert_string_equal(err.msg, "untouched");
}

static void
test_settings_load(void **state)
{
	constant_def c[] = {
		{ "age_min", { .type = VAL_NUM, .u.n = 18 }, },
		{ "anc_engraft", { .type = VAL_NUM, .u.n = 0.5 }, },
		{ "plt_engraft", { .type = VAL_NUM, .u.n = 50 }, },
		{ "prog_cut", { .type = VAL_NUM, .u.n = 5.5 }, },
		{ "prog_low", { .type = VAL_NUM, .u.n = 1.0 }, },
		{ "prog_high", { .type = VAL_NUM, .u.n = 0.5 }, },
		{ "rel_min_hours", { .type = VAL_NUM, .u.n = 48 }, },
		{ "trm_days", { .type = VAL_NUM, .u.n = 100 }, },
	};
	outcome_settings s;
	crf_err err = { "" };

	(void)state;
	outcome_settings_default(&s);
	assert_int_equal(outcome_settings_load(&s, c, N(c), &err), CRF_OK);
	assert_near(s.plt_engraft, 50, 1e-12);
	assert_int_equal(s.prog_cut, 55);
	assert_int_equal(s.prog_low, 10);
	assert_int_equal(s.prog_high, 5);
	assert_int_equal(s.rel_min_hours, 48);
	c[6].value.u.n = -1;
	assert_int_equal(outcome_settings_load(&s, c, N(c), &err), CRF_ECONFIG);
	assert_non_null(strstr(err.msg, "rel_min_hours"));
}

static void
test_day(void **state)
{
	crf_date d0 = { 2026, 12, 1 }, d = { 2026, 12, 31 }, part = { 2026, 12, 0 };

	(void)state;
	assert_int_equal(outcome_day(d0, d), 30);
	assert_int_equal(outcome_day(d0, d0), 0);
	assert_int_equal(outcome_day(d, d0), -30);
	assert_true(outcome_day(d0, part) == NODAY);
	assert_true(outcome_day(part, d) == NODAY);
}

/* ---- Engraftment ----------------------------------------------------- */

/* Days first..last with the given counts (NULL: 10 of each) and no
 * transfusion; returns the number written. */
static size_t
cbc_run(cbc_day *out, long first, long last, const double *anc,
    const double *plt)
{
	size_t n = 0;

	for (long d = first; d <= last; d++, n++) {
		out[n].day = d;
		out[n].anc = anc ? anc[n] : 10;
		out[n].plt = plt ? plt[n] : 100;
		out[n].plt_tx = false;
	}
	return n;
}

static void
test_engraft_neutrophils(void **state)
{
	/* Days 1..14.  Leftover neutrophils on days 1-3 (a run of three, but
	 * before the nadir), aplasia from day 4, recovery from day 10. */
	static const double anc[] = {
		0.9, 0.8, 0.7, 0.2, 0.05, 0.0, 0.0, 0.1, 0.4, 0.6, 0.9, 1.5, 2.0, 2.2,
	};
	cbc_day d[14];
	eng_result r;
	crf_err err = { "" };
	size_t n = cbc_run(d, 1, 14, anc, NULL);

	(void)state;
	assert_int_equal(outcome_engraftment(d, n, NODAY, NULL, &r, &err), CRF_OK);
	assert_int_equal(r.anc.state, ENG_REACHED);
	assert_int_equal(r.anc.day, 10);
	assert_int_equal(r.anc.nadir, 4);
	assert_int_equal(r.anc.last, 14);
	assert_int_equal(r.pgf, PGF_NO);
	/* Platelets never fell below 20. */
	assert_int_equal(r.plt.state, ENG_NEVER_BELOW);
	assert_true(r.plt.day == NODAY);

	/* The same records in another order give the same answer. */
	for (size_t i = 0; i < n / 2; i++) {
		cbc_day t = d[i];

		d[i] = d[n - 1 - i];
		d[n - 1 - i] = t;
	}
	assert_int_equal(outcome_engraftment(d, n, NODAY, NULL, &r, &err), CRF_OK);
	assert_int_equal(r.anc.day, 10);

	/* Exactly at the threshold counts. */
	d[n - 10].anc = 0.5;   /* day 10 (reversed order) */
	assert_int_equal(outcome_engraftment(d, n, NODAY, NULL, &r, &err), CRF_OK);
	assert_int_equal(r.anc.day, 10);
}

static void
test_engraft_missing_breaks_run(void **state)
{
	/* Day 11 not measured: days 10, 12, 13 are no run; 12-14 is. */
	static const double anc[] = {
		0.1, 0.0, 0.0, 0.0, 0.0, 0.1, 0.2, 0.3, 0.4, 0.6, NA, 0.7, 0.8, 0.9,
	};
	cbc_day d[16];
	eng_result r;
	size_t n = cbc_run(d, 1, 14, anc, NULL);

	(void)state;
	assert_int_equal(outcome_engraftment(d, n, NODAY, NULL, &r, NULL), CRF_OK);
	assert_int_equal(r.anc.state, ENG_REACHED);
	assert_int_equal(r.anc.day, 12);

	/* A day with no record at all breaks the run too: no record of day
	 * 12, so 10-11 and 13-15 are separate and 13 is the day. */
	n = cbc_run(d, 1, 11, anc, NULL);
	d[10].anc = 0.7;
	n += cbc_run(d + n, 13, 15, NULL, NULL);
	assert_int_equal(outcome_engraftment(d, n, NODAY, NULL, &r, NULL), CRF_OK);
	assert_int_equal(r.anc.state, ENG_REACHED);
	assert_int_equal(r.anc.day, 13);

	/* Two days of recovery and then the data end: not reached (yet). */
	n = cbc_run(d, 1, 11, anc, NULL);
	d[10].anc = 0.7;
	assert_int_equal(outcome_engraftment(d, n, NODAY, NULL, &r, NULL), CRF_OK);
	assert_int_equal(r.anc.state, ENG_NOT_REACHED);
	assert_true(r.anc.day == NODAY);
	assert_int_equal(r.pgf, PGF_UNKNOWN);
}

static void
test_engraft_platelet_transfusion(void **state)
{
	/* Days 1..26: platelets below 20 on days 1-7 (transfused on day 6),
	 * then >= 20 every day.  Without the transfusion rule day 8 would be
	 * the day; ASTCT wants no transfusion in the 7 days before the run, so
	 * the first run that qualifies starts on day 14 (6 + 7 + 1). */
	double plt[26];
	cbc_day d[26];
	eng_result r;
	outcome_settings s;
	size_t n;

	(void)state;
	for (int i = 0; i < 26; i++)
		plt[i] = i < 7 ? 12 - i : 20 + i;
	n = cbc_run(d, 1, 26, NULL, plt);
	d[5].plt_tx = true;              /* day 6 */
	assert_int_equal(outcome_engraftment(d, n, NODAY, NULL, &r, NULL), CRF_OK);
	assert_int_equal(r.plt.state, ENG_REACHED);
	assert_int_equal(r.plt.nadir, 1);
	assert_int_equal(r.plt.day, 14);
	/* Neutrophils never fell: not a graft failure. */
	assert_int_equal(r.anc.state, ENG_NEVER_BELOW);
	assert_int_equal(r.pgf, PGF_NO);

	/* A prophylactic transfusion on day 15, inside that run: every start
	 * whose window (7 days before to the run's last day) holds day 6 or
	 * day 15 is out; the first clear one is day 23 (23-25). */
	d[14].plt_tx = true;
	assert_int_equal(outcome_engraftment(d, n, NODAY, NULL, &r, NULL), CRF_OK);
	assert_int_equal(r.plt.day, 23);

	/* The "7 consecutive unsupported days" variant: days 8-14 have no
	 * transfusion, so day 8; with the day-15 transfusion too, 8-14 still
	 * stands. */
	outcome_settings_default(&s);
	s.plt_rule = OUTCOME_PLT_UNSUPPORTED;
	assert_int_equal(outcome_engraftment(d, n, NODAY, &s, &r, NULL), CRF_OK);
	assert_int_equal(r.plt.day, 8);
	/* ... but a transfusion on day 12 pushes it to day 16 (16-22). */
	d[11].plt_tx = true;
	assert_int_equal(outcome_engraftment(d, n, NODAY, &s, &r, NULL), CRF_OK);
	assert_int_equal(r.plt.day, 16);
	/* Too few days left for 7 unsupported days: not reached. */
	assert_int_equal(outcome_engraftment(d, 21, NODAY, &s, &r, NULL), CRF_OK);
	assert_int_equal(r.plt.state, ENG_NOT_REACHED);
}

static void
test_engraft_before_day0(void **state)
{
	/* Platelets transfused on day -2 during conditioning (a record before
	 * day 0 counts only for its transfusion), 15 on day 0 (the nadir),
	 * then >= 20: the run may start on day 6 at the earliest (-2 + 7 + 1). */
	cbc_day d[12];
	eng_result r;
	size_t n = cbc_run(d, -3, 8, NULL, NULL);

	(void)state;
	d[1].plt_tx = true;        /* day -2 */
	d[1].plt = 8;
	d[3].plt = 15;             /* day 0 */
	for (size_t i = 4; i < n; i++)
		d[i].plt = 25;
	assert_int_equal(outcome_engraftment(d, n, NODAY, NULL, &r, NULL), CRF_OK);
	assert_int_equal(r.plt.nadir, 0);
	assert_int_equal(r.plt.state, ENG_REACHED);
	assert_int_equal(r.plt.day, 6);

	/* Platelets never below 20, but a prophylactic transfusion on day 2:
	 * that counts as having fallen, and the count is unsupported from the
	 * run starting on day 10 (2 + 7 + 1). */
	n = cbc_run(d, 1, 12, NULL, NULL);
	d[1].plt_tx = true;
	assert_int_equal(outcome_engraftment(d, n, NODAY, NULL, &r, NULL), CRF_OK);
	assert_int_equal(r.plt.nadir, 2);
	assert_int_equal(r.plt.state, ENG_REACHED);
	assert_int_equal(r.plt.day, 10);
	d[1].plt_tx = false;
	assert_int_equal(outcome_engraftment(d, n, NODAY, NULL, &r, NULL), CRF_OK);
	assert_int_equal(r.plt.state, ENG_NEVER_BELOW);

	/* Only records before day 0: nothing to judge. */
	n = cbc_run(d, -3, 8, NULL, NULL);
	assert_int_equal(outcome_engraftment(d, 3, 40, NULL, &r, NULL), CRF_OK);
	assert_int_equal(r.anc.state, ENG_NO_DATA);
	assert_int_equal(r.plt.state, ENG_NO_DATA);
	assert_int_equal(r.pgf, PGF_UNKNOWN);
	/* No records at all. */
	assert_int_equal(outcome_engraftment(NULL, 0, 40, NULL, &r, NULL), CRF_OK);
	assert_int_equal(r.anc.state, ENG_NO_DATA);
	assert_int_equal(r.pgf, PGF_UNKNOWN);
}

static void
test_engraft_graft_failure(void **state)
{
	double anc[40];
	cbc_day d[40];
	eng_result r;
	size_t n;

	(void)state;
	/* Neutrophils below 0.5 up to day 35. */
	for (int i = 0; i < 40; i++)
		anc[i] = 0.2;
	n = cbc_run(d, 1, 35, anc, NULL);
	assert_int_equal(outcome_engraftment(d, n, NODAY, NULL, &r, NULL), CRF_OK);
	assert_int_equal(r.anc.state, ENG_NOT_REACHED);
	assert_int_equal(r.pgf, PGF_YES);

	/* Data up to day 31 only: a run starting on day 30 could still
	 * complete on day 32, so it is not yet known... */
	assert_int_equal(outcome_engraftment(d, 31, NODAY, NULL, &r, NULL), CRF_OK);
	assert_int_equal(r.pgf, PGF_UNKNOWN);
	/* ... unless the subject is known to be followed beyond (the counts
	 * simply stopped being entered): then it is a failure. */
	assert_int_equal(outcome_engraftment(d, 31, 60, NULL, &r, NULL), CRF_OK);
	assert_int_equal(r.pgf, PGF_YES);
	/* Data to day 32: the deadline is passed. */
	assert_int_equal(outcome_engraftment(d, 32, NODAY, NULL, &r, NULL), CRF_OK);
	assert_int_equal(r.pgf, PGF_YES);
	/* Died on day 20 without engraftment: not evaluable. */
	assert_int_equal(outcome_engraftment(d, 20, 20, NULL, &r, NULL), CRF_OK);
	assert_int_equal(r.pgf, PGF_UNKNOWN);

	/* Recovery starting on day 30 (30, 31, 32): engrafted in time. */
	for (int i = 29; i < 40; i++)
		anc[i] = 0.8;
	n = cbc_run(d, 1, 35, anc, NULL);
	assert_int_equal(outcome_engraftment(d, n, NODAY, NULL, &r, NULL), CRF_OK);
	assert_int_equal(r.anc.day, 30);
	assert_int_equal(r.pgf, PGF_NO);
	/* Starting on day 31: late engraftment, and primary graft failure. */
	anc[29] = 0.3;
	n = cbc_run(d, 1, 35, anc, NULL);
	assert_int_equal(outcome_engraftment(d, n, NODAY, NULL, &r, NULL), CRF_OK);
	assert_int_equal(r.anc.state, ENG_REACHED);
	assert_int_equal(r.anc.day, 31);
	assert_int_equal(r.pgf, PGF_YES);
}

static void
test_engraft_duplicate(void **state)
{
	cbc_day d[6];
	eng_result r;
	crf_err err = { "" };
	size_t n = cbc_run(d, 1, 5, NULL, NULL);

	(void)state;
	d[n] = d[2];               /* day 3 again, at the end */
	n++;
	assert_int_equal(outcome_engraftment(d, n, NODAY, NULL, &r, &err), CRF_EINVAL);
	assert_non_null(strstr(err.msg, "day 3"));
	d[0].day = NODAY;
	assert_int_equal(outcome_engraftment(d, 2, NODAY, NULL, &r, &err), CRF_EINVAL);
}

/* ---- EDSS ----------------------------------------------------------------- */

static int
implied(int vis, int bs, int pyr, int cer, int sen, int bb, int crb, int amb)
{
	edss_fs fs = { vis, bs, pyr, cer, sen, bb, crb, amb };
	crf_err err = { "" };
	int t = -1;

	if (edss_from_fs(&fs, NULL, &t, &err) != CRF_OK)
		fail_msg("%s", err.msg);
	return t;
}

static void
test_edss_steps(void **state)
{
	(void)state;
	/* The examples of the issue. */
	assert_int_equal(implied(0, 0, 0, 0, 0, 0, 0, 0), 0);
	assert_int_equal(implied(0, 1, 0, 0, 0, 0, 0, 0), 10);
	assert_int_equal(implied(0, 0, 3, 0, 0, 0, 0, 0), 30);
	assert_int_equal(implied(0, 0, 0, 0, 0, 0, 0, 5), 60);
	assert_int_equal(implied(6, 0, 0, 0, 0, 0, 0, 0), 40);   /* visual 6 -> 4 */
	/* 1.0 - 2.5 */
	assert_int_equal(implied(1, 0, 0, 0, 0, 0, 0, 0), 10);
	assert_int_equal(implied(0, 1, 1, 0, 0, 0, 0, 0), 15);
	assert_int_equal(implied(1, 1, 1, 1, 1, 1, 1, 0), 15);
	assert_int_equal(implied(0, 0, 2, 1, 1, 0, 0, 0), 20);
	assert_int_equal(implied(0, 2, 2, 0, 0, 0, 0, 0), 25);
	assert_int_equal(implied(3, 0, 0, 0, 0, 0, 0, 0), 20);   /* visual 3 -> 2 */
	/* 3.0: one FS 3 alone, or three or four FS 2 */
	assert_int_equal(implied(0, 1, 3, 1, 0, 0, 0, 0), 30);
	assert_int_equal(implied(0, 2, 2, 2, 0, 0, 0, 0), 30);
	assert_int_equal(implied(0, 2, 2, 2, 2, 0, 0, 0), 30);
	assert_int_equal(implied(0, 0, 0, 0, 0, 4, 0, 0), 30);   /* bowel 4 -> 3 */
	/* 3.5: FS 3 with one or two FS 2, two FS 3, five FS 2 */
	assert_int_equal(implied(0, 2, 3, 0, 0, 0, 0, 0), 35);
	assert_int_equal(implied(0, 2, 3, 2, 0, 0, 0, 0), 35);
	assert_int_equal(implied(0, 0, 3, 3, 1, 0, 0, 0), 35);
	assert_int_equal(implied(0, 2, 2, 2, 2, 2, 0, 0), 35);
	/* 4.0 */
	assert_int_equal(implied(0, 0, 4, 1, 0, 0, 0, 0), 40);
	assert_int_equal(implied(0, 2, 3, 2, 2, 0, 0, 0), 40);   /* FS3 + 3 FS2 */
	assert_int_equal(implied(0, 0, 3, 3, 2, 0, 0, 0), 40);   /* 2 FS3 + FS2 */
	assert_int_equal(implied(0, 0, 3, 3, 3, 0, 0, 0), 40);   /* 3 FS3 */
	assert_int_equal(implied(0, 0, 3, 3, 3, 3, 0, 0), 40);   /* 4 FS3 */
	assert_int_equal(implied(0, 2, 2, 2, 2, 2, 2, 0), 40);   /* 6 FS2 */
	/* 4.5 */
	assert_int_equal(implied(0, 0, 4, 3, 0, 0, 0, 0), 45);
	assert_int_equal(implied(0, 0, 4, 2, 0, 0, 0, 0), 45);
	assert_int_equal(implied(6, 0, 3, 0, 0, 0, 0, 0), 45);   /* visual 6 -> 4 */
	assert_int_equal(implied(0, 3, 3, 3, 3, 3, 0, 0), 45);   /* 5 FS3 */
	assert_int_equal(implied(0, 0, 0, 0, 0, 0, 0, 2), 45);   /* >= 300 m */
	/* 5.0 */
	assert_int_equal(implied(0, 0, 5, 0, 0, 0, 0, 0), 50);
	assert_int_equal(implied(0, 0, 4, 4, 0, 0, 0, 0), 50);
	assert_int_equal(implied(0, 3, 4, 3, 3, 0, 0, 0), 50);
	assert_int_equal(implied(0, 3, 3, 3, 3, 3, 3, 0), 50);   /* 6 FS3 */
	assert_int_equal(implied(0, 0, 0, 0, 0, 6, 0, 0), 50);   /* bowel 6 -> 5 */
	assert_int_equal(implied(0, 0, 0, 0, 0, 0, 0, 3), 50);
	/* Ambulation */
	assert_int_equal(implied(0, 0, 0, 0, 0, 0, 0, 1), 20);
	assert_int_equal(implied(0, 0, 3, 0, 0, 0, 0, 1), 30);   /* FS higher */
	assert_int_equal(implied(0, 0, 5, 0, 0, 0, 0, 2), 50);   /* FS higher */
	assert_int_equal(implied(0, 0, 0, 0, 0, 0, 0, 4), 55);
	assert_int_equal(implied(0, 0, 6, 5, 0, 0, 0, 5), 60);   /* ambulation decides */
	assert_int_equal(implied(0, 0, 0, 0, 0, 0, 0, 7), 60);
	assert_int_equal(implied(0, 0, 0, 0, 0, 0, 0, 8), 65);
	assert_int_equal(implied(0, 0, 0, 0, 0, 0, 0, 9), 65);
	for (int a = 10; a <= 15; a++)
		assert_int_equal(implied(0, 0, 0, 0, 0, 0, 0, a), 70 + (a - 10) * 5);
	assert_int_equal(implied(0, 0, 0, 0, 0, 0, 0, 16), 100);
}

static void
test_edss_cerebral(void **state)
{
	outcome_settings s;
	edss_fs fs = { 0, 0, 0, 0, 0, 0, 1, 0 };
	int t;

	(void)state;
	assert_int_equal(implied(0, 0, 0, 0, 0, 0, 1, 0), 10);
	outcome_settings_default(&s);
	s.edss_crb1 = true;        /* Kurtzke: cerebral 1 is acceptable at 0 */
	assert_int_equal(edss_from_fs(&fs, &s, &t, NULL), CRF_OK);
	assert_int_equal(t, 0);
	fs.bowel = 1;
	assert_int_equal(edss_from_fs(&fs, &s, &t, NULL), CRF_OK);
	assert_int_equal(t, 10);
	fs.cerebral = 2;
	assert_int_equal(edss_from_fs(&fs, &s, &t, NULL), CRF_OK);
	assert_int_equal(t, 20);
}

/* An independent statement of the step rules, as the Neurostatus table
 * reads: by the highest converted grade, how many systems have it, and
 * the next grade below with its count.  The cross-check below runs both
 * over every combination of scores. */
static int
reference_step(const int raw[7], int amb)
{
	static const int vis[] = { 0, 1, 2, 2, 3, 3, 4 }, bb[] = { 0, 1, 2, 3, 3, 4, 5 };
	int g[7], max = 0, nmax = 0, sec = 0, nsec = 0, fs;

	memcpy(g, raw, sizeof g);
	g[0] = vis[raw[0]];
	g[5] = bb[raw[5]];
	for (int i = 0; i < 7; i++)
		if (g[i] > max)
			max = g[i];
	for (int i = 0; i < 7; i++) {
		if (g[i] == max)
			nmax++;
		else if (g[i] > sec)
			sec = g[i];
	}
	for (int i = 0; i < 7; i++)
		if (g[i] != max && g[i] == sec && sec > 0)
			nsec++;
	if (amb >= 5)
		return amb <= 7 ? 60 : amb <= 9 ? 65 : amb == 16 ? 100 : 70 + (amb - 10) * 5;
	if (amb == 4)
		return 55;
	if (amb == 3)
		return 50;
	switch (max) {
	case 0: fs = 0; break;
	case 1: fs = nmax == 1 ? 10 : 15; break;
	case 2: fs = nmax == 1 ? 20 : nmax == 2 ? 25 : nmax <= 4 ? 30 : nmax == 5 ? 35 : 40; break;
	case 3:
		if (nmax == 1)
			fs = sec < 2 ? 30 : nsec <= 2 ? 35 : 40;
		else if (nmax == 2)
			fs = sec < 2 ? 35 : 40;
		else
			fs = nmax <= 4 ? 40 : nmax == 5 ? 45 : 50;
		break;
	case 4:
		if (nmax >= 2)
			fs = 50;
		else if (sec == 3)
			fs = nsec >= 3 ? 50 : 45;
		else
			fs = sec == 2 ? 45 : 40;
		break;
	default: fs = 50; break;
	}
	if (amb == 2 && fs < 45)
		fs = 45;
	if (amb == 1 && fs < 20)
		fs = 20;
	return fs;
}

static void
test_edss_exhaustive(void **state)
{
	static const int max[7] = { 6, 5, 6, 5, 6, 6, 5 };
	int v[7] = { 0 };
	long checked = 0;

	(void)state;
	for (;;) {
		for (int amb = 0; amb <= 16; amb++) {
			edss_fs fs = { v[0], v[1], v[2], v[3], v[4], v[5], v[6], amb };
			int t;

			if (edss_from_fs(&fs, NULL, &t, NULL) != CRF_OK)
				fail_msg("valid scores refused");
			if (t != reference_step(v, amb))
				fail_msg("FS %d %d %d %d %d %d %d amb %d: %d, expected %d",
				    v[0], v[1], v[2], v[3], v[4], v[5], v[6], amb, t,
				    reference_step(v, amb));
			checked++;
		}
		int i = 0;
		while (i < 7 && v[i] == max[i])
			v[i++] = 0;
		if (i == 7)
			break;
		v[i]++;
	}
	assert_int_equal(checked, 7L * 6 * 7 * 6 * 7 * 7 * 6 * 17);
}

static void
test_edss_range(void **state)
{
	edss_fs fs = { 0, 0, 7, 0, 0, 0, 0, 0 };
	crf_err err = { "" };
	int t;

	(void)state;
	assert_int_equal(edss_from_fs(&fs, NULL, &t, &err), CRF_ERANGE);
	assert_non_null(strstr(err.msg, "pyramidal"));
	fs.pyramidal = 0;
	fs.ambulation = 17;
	assert_int_equal(edss_from_fs(&fs, NULL, &t, &err), CRF_ERANGE);
	assert_non_null(strstr(err.msg, "ambulation"));
	fs.ambulation = 0;
	fs.brainstem = 6;
	assert_int_equal(edss_from_fs(&fs, NULL, &t, &err), CRF_ERANGE);
	fs.brainstem = 0;
	fs.visual = -1;
	assert_int_equal(edss_from_fs(&fs, NULL, &t, &err), CRF_ERANGE);
	assert_non_null(strstr(err.msg, "visual"));
}

static void
test_edss_check(void **state)
{
	edss_fs fs = { 0, 2, 3, 0, 0, 0, 0, 0 };     /* implies 3.5 */
	crf_err err = { "" };
	int t = -1;

	(void)state;
	assert_int_equal(edss_check(35, &fs, NULL, &t, &err), CRF_OK);
	assert_int_equal(t, 35);
	assert_int_equal(edss_check(40, &fs, NULL, &t, &err), CRF_ESOFT);
	assert_string_equal(err.msg, "EDSS 4.0 entered, the functional systems "
	    "and ambulation imply 3.5: please confirm");
	assert_int_equal(edss_check(5, &fs, NULL, NULL, &err), CRF_ERANGE);
	fs.cerebral = 9;
	assert_int_equal(edss_check(35, &fs, NULL, NULL, &err), CRF_ERANGE);
}

static void
test_edss_text(void **state)
{
	static const char *const bad[] = {
		"0.5", "1.25", "11", "-1", "", "abc", "3,5", "9.6",
	};
	char buf[8];
	int t;

	(void)state;
	assert_true(edss_parse("0", &t));
	assert_int_equal(t, 0);
	assert_true(edss_parse("1.0", &t));
	assert_int_equal(t, 10);
	assert_true(edss_parse("1", &t));
	assert_int_equal(t, 10);
	assert_true(edss_parse(" 5.5 ", &t));
	assert_int_equal(t, 55);
	assert_true(edss_parse("10", &t));
	assert_int_equal(t, 100);
	for (size_t i = 0; i < N(bad); i++)
		assert_false(edss_parse(bad[i], &t));
	assert_false(edss_parse(NULL, &t));
	edss_format(0, buf, sizeof buf);
	assert_string_equal(buf, "0");
	edss_format(10, buf, sizeof buf);
	assert_string_equal(buf, "1.0");
	edss_format(55, buf, sizeof buf);
	assert_string_equal(buf, "5.5");
	edss_format(100, buf, sizeof buf);
	assert_string_equal(buf, "10");
	edss_format(5, buf, sizeof buf);
	assert_string_equal(buf, "?");
	assert_false(edss_valid(5));
	assert_false(edss_valid(105));
	assert_true(edss_valid(95));
	for (int raw = 0; raw <= 6; raw++) {
		static const int vis[] = { 0, 1, 2, 2, 3, 3, 4 }, bb[] = { 0, 1, 2, 3, 3, 4, 5 };

		assert_int_equal(edss_visual_converted(raw), vis[raw]);
		assert_int_equal(edss_bowel_converted(raw), bb[raw]);
	}
}

/* ---- Relapses ------------------------------------------------------------- */

#define REL(day, hours, fever, obj) { day, hours, fever, obj, OUTCOME_UNKNOWN }

static void
test_relapses(void **state)
{
	/* In no particular order; judged by onset. */
	static const relapse_episode ep[] = {
		REL(200, 72, false, true),   /* 0: 100 days after 100: qualifies */
		REL(100, 30, false, true),   /* 1: the first: qualifies */
		REL(120, 72, false, true),   /* 2: 20 days after 100: too soon */
		REL(150, 96, true, true),    /* 3: fever: pseudo-relapse */
		REL(155, 48, false, true),   /* 4: 5 days after the pseudo-relapse,
		                                55 after 100: qualifies */
		REL(215, 24, false, true),   /* 5: 24 h is not more than 24 h */
		REL(220, -1, false, true),   /* 6: duration unknown */
		REL(225, 48, false, false),  /* 7: not objectively confirmed */
		REL(229, 48, false, true),   /* 8: 29 days after 200: too soon */
		REL(230, 48, false, true),   /* 9: 30 days after 200: qualifies */
		REL(-20, 48, false, true),   /* 10: before day 0, qualifies */
	};
	static const relapse_rule rule[] = {
		REL_QUALIFIES, REL_QUALIFIES, REL_TOO_SOON, REL_FEVER, REL_QUALIFIES,
		REL_SHORT, REL_UNKNOWN_DURATION, REL_NOT_OBJECTIVE, REL_TOO_SOON,
		REL_QUALIFIES, REL_QUALIFIES,
	};
	relapse_verdict v[N(ep)];
	crf_err err = { "" };

	(void)state;
	assert_int_equal(outcome_relapses(ep, N(ep), NULL, v, &err), CRF_OK);
	for (size_t i = 0; i < N(ep); i++) {
		if (v[i].rule != rule[i])
			fail_msg("episode %zu: rule %d, expected %d", i, v[i].rule, rule[i]);
		assert_int_equal(v[i].protocol, rule[i] == REL_QUALIFIES);
	}
	assert_true(v[10].gap == NODAY);
	assert_int_equal(v[1].gap, 120);     /* after the one on day -20 */
	assert_int_equal(v[2].gap, 20);
	assert_int_equal(v[4].gap, 55);
	assert_int_equal(v[0].gap, 45);      /* after 155 */
	assert_int_equal(v[9].gap, 30);

	/* HALT-MS style: more than 48 h. */
	{
		outcome_settings s;

		outcome_settings_default(&s);
		s.rel_min_hours = 48;
		s.rel_objective = false;
		assert_int_equal(outcome_relapses(ep, N(ep), &s, v, &err), CRF_OK);
		assert_int_equal(v[1].rule, REL_SHORT);       /* 30 h */
		assert_int_equal(v[4].rule, REL_SHORT);       /* 48 h */
		assert_int_equal(v[2].rule, REL_QUALIFIES);   /* 100 is no relapse now */
		assert_int_equal(v[7].rule, REL_SHORT);
	}
}

static void
test_relapses_adjudicated(void **state)
{
	relapse_episode ep[] = {
		{ 100, 72, false, true, OUTCOME_NO },    /* rule yes, adjudicator no */
		{ 110, 72, false, true, OUTCOME_UNKNOWN },
		{ 120, 12, false, true, OUTCOME_YES },   /* rule no, adjudicator yes */
		{ 130, 72, false, true, OUTCOME_UNKNOWN },
		{ 130, 72, false, true, OUTCOME_UNKNOWN }, /* same day as the last */
	};
	relapse_verdict v[N(ep)];
	outcome_settings s;

	(void)state;
	assert_int_equal(outcome_relapses(ep, N(ep), NULL, v, NULL), CRF_OK);
	assert_int_equal(v[0].rule, REL_QUALIFIES);
	assert_false(v[0].protocol);
	assert_int_equal(v[1].rule, REL_QUALIFIES);   /* 100 did not count */
	assert_true(v[1].protocol);
	assert_int_equal(v[2].rule, REL_SHORT);
	assert_true(v[2].protocol);
	assert_int_equal(v[3].rule, REL_TOO_SOON);    /* 10 days after 120 */
	assert_false(v[3].protocol);
	assert_int_equal(v[4].gap, 10);

	outcome_settings_default(&s);
	s.rel_adjudicated = false;
	assert_int_equal(outcome_relapses(ep, N(ep), &s, v, NULL), CRF_OK);
	assert_true(v[0].protocol);
	assert_int_equal(v[1].rule, REL_TOO_SOON);
	assert_false(v[2].protocol);
	assert_int_equal(v[3].rule, REL_QUALIFIES);   /* 30 days after 100 */
	assert_int_equal(v[4].rule, REL_TOO_SOON);    /* 0 days after the other */
	assert_int_equal(v[4].gap, 0);

	ep[2].day = NODAY;
	assert_int_equal(outcome_relapses(ep, N(ep), NULL, v, NULL), CRF_EINVAL);
}

/* ---- Confirmed progression ---------------------------------------------- */

static prog_result
prog_of(const edss_exam *ex, size_t n, int baseline, const relapse_episode *rel,
    size_t nrel, const outcome_settings *s)
{
	prog_result r;
	crf_err err = { "" };

	if (outcome_progression(ex, n, baseline, rel, nrel, s, &r, &err) != CRF_OK)
		fail_msg("%s", err.msg);
	return r;
}

static void
test_progression_confirmed(void **state)
{
	/* Baseline 3.5: 1.0 point needed.  4.5 at month 6 still there at
	 * month 12 (183 days later, >= 168): confirmed, event on day 182. */
	static const edss_exam ex[] = {
		{ 365, 45 }, { 91, 40 }, { 182, 45 }, { 547, 50 },
	};
	prog_result r;

	(void)state;
	r = prog_of(ex, N(ex), 35, NULL, 0, NULL);
	assert_int_equal(r.state, PROG_CONFIRMED);
	assert_int_equal(r.threshold, 10);
	assert_int_equal(r.day, 182);
	assert_int_equal(r.confirm_day, 365);
}

static void
test_progression_fell_back(void **state)
{
	/* 4.5 at month 6, back to 4.0 (only +0.5) at month 12: not confirmed. */
	static const edss_exam ex[] = { { 91, 35 }, { 182, 45 }, { 365, 40 } };
	/* Up, down, up: the first is not confirmed (the one in between fell
	 * back); the second awaits confirmation. */
	static const edss_exam ex2[] = {
		{ 182, 45 }, { 273, 35 }, { 365, 45 },
	};
	prog_result r;

	(void)state;
	r = prog_of(ex, N(ex), 35, NULL, 0, NULL);
	assert_int_equal(r.state, PROG_NONE);
	assert_true(r.day == NODAY);
	assert_true(r.confirm_day == NODAY);

	r = prog_of(ex2, N(ex2), 35, NULL, 0, NULL);
	assert_int_equal(r.state, PROG_PENDING);
	assert_int_equal(r.day, 365);
	assert_true(r.confirm_day == NODAY);
}

static void
test_progression_interval(void **state)
{
	/* Up on day 182 and on day 273 (91 days later): too soon for 24-week
	 * confirmation, enough for 12 weeks. */
	static const edss_exam ex[] = { { 182, 45 }, { 273, 50 } };
	/* Then still up on day 365: confirmed (273 in between shows it). */
	static const edss_exam ex2[] = { { 182, 45 }, { 273, 50 }, { 365, 45 } };
	outcome_settings s;
	prog_result r;

	(void)state;
	r = prog_of(ex, N(ex), 35, NULL, 0, NULL);
	assert_int_equal(r.state, PROG_PENDING);
	assert_int_equal(r.day, 182);
	r = prog_of(ex2, N(ex2), 35, NULL, 0, NULL);
	assert_int_equal(r.state, PROG_CONFIRMED);
	assert_int_equal(r.day, 182);
	assert_int_equal(r.confirm_day, 365);

	outcome_settings_default(&s);
	s.prog_confirm = 84;
	r = prog_of(ex, N(ex), 35, NULL, 0, &s);
	assert_int_equal(r.state, PROG_CONFIRMED);
	assert_int_equal(r.confirm_day, 273);
	/* Exactly prog_confirm days is enough; one less is not. */
	s.prog_confirm = 91;
	assert_int_equal(prog_of(ex, N(ex), 35, NULL, 0, &s).state, PROG_CONFIRMED);
	s.prog_confirm = 92;
	assert_int_equal(prog_of(ex, N(ex), 35, NULL, 0, &s).state, PROG_PENDING);
}

static void
test_progression_relapse(void **state)
{
	/* A relapse began on day 170: the rise on day 182 (12 days later) does
	 * not count; the one on day 365 is confirmed on day 547. */
	static const relapse_episode rel[] = { REL(170, 72, false, true) };
	static const edss_exam ex[] = { { 182, 45 }, { 365, 45 }, { 547, 45 } };
	/* Without day 547, the rise on day 365 only awaits confirmation. */
	static const edss_exam ex2[] = { { 182, 45 }, { 365, 45 } };
	/* A relapse (a pseudo-relapse too) began on day 350: the assessment 15
	 * days later can neither confirm the rise of day 182 nor start one... */
	static const relapse_episode rel2[] = { REL(350, 72, true, false) };
	/* ... the next one, on day 547, confirms it. */
	static const edss_exam ex3[] = { { 182, 45 }, { 365, 45 }, { 547, 45 } };
	relapse_episode rel3[1] = { REL(335, 72, false, true) };
	prog_result r;

	(void)state;
	r = prog_of(ex, N(ex), 35, rel, N(rel), NULL);
	assert_int_equal(r.state, PROG_CONFIRMED);
	assert_int_equal(r.day, 365);
	assert_int_equal(r.confirm_day, 547);
	r = prog_of(ex2, N(ex2), 35, rel, N(rel), NULL);
	assert_int_equal(r.state, PROG_PENDING);
	assert_int_equal(r.day, 365);

	r = prog_of(ex2, N(ex2), 35, rel2, N(rel2), NULL);
	assert_int_equal(r.state, PROG_PENDING);
	assert_int_equal(r.day, 182);
	r = prog_of(ex3, N(ex3), 35, rel2, N(rel2), NULL);
	assert_int_equal(r.state, PROG_CONFIRMED);
	assert_int_equal(r.day, 182);
	assert_int_equal(r.confirm_day, 547);

	/* The edge: 30 days after the onset is still too near, 31 is not. */
	r = prog_of(ex2, N(ex2), 35, rel3, 1, NULL);       /* 365 - 335 = 30 */
	assert_int_equal(r.state, PROG_PENDING);
	rel3[0].day = 334;                                 /* 31 */
	r = prog_of(ex2, N(ex2), 35, rel3, 1, NULL);
	assert_int_equal(r.state, PROG_CONFIRMED);
	assert_int_equal(r.confirm_day, 365);
	/* A relapse after the assessment does not matter. */
	rel3[0].day = 366;
	assert_int_equal(prog_of(ex2, N(ex2), 35, rel3, 1, NULL).state, PROG_CONFIRMED);
}

static void
test_progression_baseline(void **state)
{
	/* Baseline 6.0 (above 5.5): 0.5 point is enough. */
	static const edss_exam up05[] = { { 182, 65 }, { 365, 65 } };
	/* Baseline 5.5: 6.0 is only 0.5 up, not enough. */
	static const edss_exam up05b[] = { { 182, 60 }, { 365, 60 } };
	/* Assessments on or before day 0 are not follow-up. */
	static const edss_exam early[] = { { -20, 45 }, { 0, 45 }, { 200, 45 } };
	static const edss_exam dup[] = { { 182, 45 }, { 182, 40 } };
	static const edss_exam bad[] = { { 182, 5 } };
	prog_result r;
	crf_err err = { "" };

	(void)state;
	r = prog_of(up05, N(up05), 60, NULL, 0, NULL);
	assert_int_equal(r.threshold, 5);
	assert_int_equal(r.state, PROG_CONFIRMED);
	r = prog_of(up05b, N(up05b), 55, NULL, 0, NULL);
	assert_int_equal(r.threshold, 10);
	assert_int_equal(r.state, PROG_NONE);
	r = prog_of(early, N(early), 35, NULL, 0, NULL);
	assert_int_equal(r.state, PROG_PENDING);
	assert_int_equal(r.day, 200);
	r = prog_of(up05, N(up05), -1, NULL, 0, NULL);
	assert_int_equal(r.state, PROG_NOT_EVALUABLE);
	r = prog_of(NULL, 0, 35, NULL, 0, NULL);
	assert_int_equal(r.state, PROG_NONE);

	assert_int_equal(outcome_progression(dup, N(dup), 35, NULL, 0, NULL, &r, &err),
	    CRF_EINVAL);
	assert_non_null(strstr(err.msg, "day 182"));
	assert_int_equal(outcome_progression(bad, N(bad), 35, NULL, 0, NULL, &r, &err),
	    CRF_EINVAL);
	assert_int_equal(outcome_progression(up05, N(up05), 52, NULL, 0, NULL, &r, &err),
	    CRF_EINVAL);
}

/* ---- MRI ----------------------------------------------------------------- */

static void
test_mri(void **state)
{
	mri_scan m = { 365, 0, 0, 0, -1, false };
	outcome_settings s;

	(void)state;
	assert_int_equal(outcome_mri(&m, NULL), MRI_INACTIVE);
	m.gd = 1;
	assert_int_equal(outcome_mri(&m, NULL), MRI_ACTIVE);
	m.gd = 0;
	m.new_t2 = 2;
	assert_int_equal(outcome_mri(&m, NULL), MRI_ACTIVE);
	m.new_t2 = 0;
	m.enl_t2 = 1;
	assert_int_equal(outcome_mri(&m, NULL), MRI_ACTIVE);
	/* No contrast given: judged on T2 alone. */
	m.gd = -1;
	m.enl_t2 = 0;
	assert_int_equal(outcome_mri(&m, NULL), MRI_INACTIVE);
	m.new_t2 = -1;
	m.enl_t2 = -1;
	assert_int_equal(outcome_mri(&m, NULL), MRI_NOT_EVALUABLE);
	m.new_t2 = 3;
	assert_int_equal(outcome_mri(&m, NULL), MRI_ACTIVE);
	/* The re-baseline scan never counts. */
	m.rebaseline = true;
	assert_int_equal(outcome_mri(&m, NULL), MRI_REBASELINE);
	/* Spinal cord lesions only with mri_spinal. */
	m = (mri_scan){ 365, 0, 0, 0, 1, false };
	assert_int_equal(outcome_mri(&m, NULL), MRI_INACTIVE);
	outcome_settings_default(&s);
	s.mri_spinal = true;
	assert_int_equal(outcome_mri(&m, &s), MRI_ACTIVE);
}

/* ---- Endpoints -------------------------------------------------------------- */

static outcome_subject
subject_none(void)
{
	outcome_subject sub;

	memset(&sub, 0, sizeof sub);
	sub.baseline_edss = 35;
	sub.last_visit = sub.last_contact = sub.rescue_day = sub.death_day = NODAY;
	sub.death_trm = OUTCOME_UNKNOWN;
	return sub;
}

/* Progression on day 182 (confirmed 365), a relapse on day 400, MRI
 * activity on day 730; the day-182 re-baseline scan shows Gd lesions but
 * does not count. */
static const edss_exam a_edss[] = {
	{ 91, 35 }, { 182, 45 }, { 365, 45 }, { 547, 45 }, { 730, 45 },
};
static const relapse_episode a_rel[] = { REL(400, 72, false, true) };
static const mri_scan a_mri[] = {
	{ -40, 5, -1, -1, -1, false },     /* screening: before day 0 */
	{ 182, 2, 0, 0, -1, true },
	{ 365, 0, 0, 0, -1, false },
	{ 730, 0, 1, 0, -1, false },
};

static outcome_subject
subject_a(void)
{
	outcome_subject sub = subject_none();

	sub.edss = a_edss;
	sub.nedss = N(a_edss);
	sub.relapses = a_rel;
	sub.nrelapses = N(a_rel);
	sub.mri = a_mri;
	sub.nmri = N(a_mri);
	sub.last_visit = 730;
	sub.last_contact = 740;
	return sub;
}

static void
test_endpoints_progression_first(void **state)
{
	outcome_subject sub = subject_a();
	outcome_endpoints e;

	(void)state;
	assert_int_equal(outcome_endpoints_eval(&sub, NULL, &e, NULL), CRF_OK);
	assert_int_equal(e.prog.state, PROG_CONFIRMED);
	assert_int_equal(e.prog.day, 182);
	assert_int_equal(e.first_relapse, 400);
	assert_int_equal(e.first_mri, 730);
	assert_true(e.followed);
	assert_true(e.mafs_event);
	assert_int_equal(e.mafs_day, 182);
	assert_int_equal(e.mafs_type, OUTCOME_EV_PROGRESSION);
	assert_true(e.ttf_event);
	assert_int_equal(e.ttf_day, 182);
	assert_int_equal(e.ttf_type, OUTCOME_EV_PROGRESSION);
	assert_int_equal(e.trm, TRM_ALIVE);
}

static void
test_endpoints_same_day(void **state)
{
	/* A relapse before day 0 (mobilisation), a pseudo-gap one 25 days
	 * later on day 15 (too soon), then a relapse and an active scan on day
	 * 50: both are the MAFS event. */
	static const relapse_episode rel[] = {
		REL(15, 72, false, true), REL(-10, 72, false, true), REL(50, 48, false, true),
	};
	static const mri_scan mri[] = { { 50, 1, 2, 0, -1, false } };
	outcome_subject sub = subject_none();
	outcome_endpoints e;

	(void)state;
	sub.relapses = rel;
	sub.nrelapses = N(rel);
	sub.mri = mri;
	sub.nmri = N(mri);
	assert_int_equal(outcome_endpoints_eval(&sub, NULL, &e, NULL), CRF_OK);
	assert_int_equal(e.first_relapse, 50);
	assert_true(e.mafs_event);
	assert_int_equal(e.mafs_day, 50);
	assert_int_equal(e.mafs_type, OUTCOME_EV_RELAPSE | OUTCOME_EV_MRI);
	assert_int_equal(e.ttf_type, OUTCOME_EV_RELAPSE | OUTCOME_EV_MRI);
}

static void
test_endpoints_censored(void **state)
{
	static const edss_exam ex[] = { { 91, 35 }, { 182, 40 }, { 365, 35 } };
	static const mri_scan mri[] = {
		{ 182, 0, 0, 0, -1, false }, { 365, 0, 0, 0, -1, false },
	};
	outcome_subject sub = subject_none();
	outcome_endpoints e;

	(void)state;
	sub.edss = ex;
	sub.nedss = N(ex);
	sub.mri = mri;
	sub.nmri = N(mri);
	sub.last_visit = 400;
	sub.last_contact = 420;
	assert_int_equal(outcome_endpoints_eval(&sub, NULL, &e, NULL), CRF_OK);
	assert_false(e.mafs_event);
	assert_int_equal(e.mafs_day, 400);     /* the last visit */
	assert_int_equal(e.mafs_type, 0);
	assert_false(e.ttf_event);
	assert_int_equal(e.ttf_day, 420);      /* the last contact */
	assert_int_equal(e.prog.state, PROG_NONE);

	/* A new MS therapy on day 300: treatment failure, MAFS still censored. */
	sub.rescue_day = 300;
	assert_int_equal(outcome_endpoints_eval(&sub, NULL, &e, NULL), CRF_OK);
	assert_false(e.mafs_event);
	assert_true(e.ttf_event);
	assert_int_equal(e.ttf_day, 300);
	assert_int_equal(e.ttf_type, OUTCOME_EV_RESCUE);

	/* Nothing after day 0: not followed, censored at 0. */
	sub = subject_none();
	assert_int_equal(outcome_endpoints_eval(&sub, NULL, &e, NULL), CRF_OK);
	assert_false(e.followed);
	assert_false(e.mafs_event);
	assert_int_equal(e.mafs_day, 0);
	assert_int_equal(e.ttf_day, 0);
	assert_int_equal(e.prog.state, PROG_NONE);
}

static void
test_endpoints_death(void **state)
{
	outcome_subject sub = subject_none();
	outcome_endpoints e;
	outcome_settings s;

	(void)state;
	/* Died on day 60 of an infection; the investigator says unrelated:
	 * transplant-related by the 100-day convention all the same. */
	sub.last_visit = 30;
	sub.death_day = 60;
	sub.death_trm = OUTCOME_NO;
	assert_int_equal(outcome_endpoints_eval(&sub, NULL, &e, NULL), CRF_OK);
	assert_false(e.mafs_event);
	assert_int_equal(e.mafs_day, 30);
	assert_true(e.ttf_event);
	assert_int_equal(e.ttf_day, 60);
	assert_int_equal(e.ttf_type, OUTCOME_EV_DEATH);
	assert_int_equal(e.trm, TRM_YES);
	assert_true(e.trm_by_day);
	assert_false(e.trm_by_investigator);

	outcome_settings_default(&s);
	s.mafs_death = true;
	assert_int_equal(outcome_endpoints_eval(&sub, &s, &e, NULL), CRF_OK);
	assert_true(e.mafs_event);
	assert_int_equal(e.mafs_day, 60);
	assert_int_equal(e.mafs_type, OUTCOME_EV_DEATH);

	/* Day 100 is still within; day 101 is not, unless attributed. */
	assert_int_equal(outcome_trm(100, OUTCOME_UNKNOWN, NULL, NULL, NULL), TRM_YES);
	assert_int_equal(outcome_trm(101, OUTCOME_NO, NULL, NULL, NULL), TRM_NO);
	assert_int_equal(outcome_trm(101, OUTCOME_UNKNOWN, NULL, NULL, NULL), TRM_NO);
	{
		bool bd = true, bi = false;

		assert_int_equal(outcome_trm(400, OUTCOME_YES, NULL, &bd, &bi), TRM_YES);
		assert_false(bd);
		assert_true(bi);
	}
	assert_int_equal(outcome_trm(NODAY, OUTCOME_YES, NULL, NULL, NULL), TRM_ALIVE);
}

static void
test_neda3(void **state)
{
	outcome_subject sub = subject_a();
	neda_result r;
	crf_err err = { "" };

	(void)state;
	/* Day 0 to month 3: EDSS done, no scan: incomplete. */
	assert_int_equal(outcome_neda3(&sub, 0, 91, NULL, &r, &err), CRF_OK);
	assert_int_equal(r.state, NEDA_INCOMPLETE);
	assert_true(r.edss_assessed);
	assert_false(r.mri_assessed);
	/* Month 3 to 6: the confirmed progression began on day 182. */
	assert_int_equal(outcome_neda3(&sub, 91, 182, NULL, &r, &err), CRF_OK);
	assert_int_equal(r.state, NEDA_NO);
	assert_true(r.progression);
	assert_false(r.mri_assessed);           /* the re-baseline scan */
	/* Month 6 to 12: nothing new, EDSS and a clean scan. */
	assert_int_equal(outcome_neda3(&sub, 182, 365, NULL, &r, &err), CRF_OK);
	assert_int_equal(r.state, NEDA_YES);
	/* Month 12 to 18: the relapse of day 400. */
	assert_int_equal(outcome_neda3(&sub, 365, 547, NULL, &r, &err), CRF_OK);
	assert_int_equal(r.state, NEDA_NO);
	assert_true(r.relapse);
	assert_false(r.mri_active);
	/* Month 18 to 24: the new T2 lesion. */
	assert_int_equal(outcome_neda3(&sub, 547, 730, NULL, &r, &err), CRF_OK);
	assert_int_equal(r.state, NEDA_NO);
	assert_true(r.mri_active);
	assert_false(r.relapse);
	/* Cumulative to month 12. */
	assert_int_equal(outcome_neda3(&sub, 0, 365, NULL, &r, &err), CRF_OK);
	assert_int_equal(r.state, NEDA_NO);

	/* An increase that awaits confirmation leaves the window incomplete. */
	{
		static const edss_exam ex[] = { { 182, 35 }, { 365, 45 } };
		static const mri_scan mri[] = { { 365, 0, 0, 0, -1, false } };
		outcome_subject b = subject_none();

		b.edss = ex;
		b.nedss = N(ex);
		b.mri = mri;
		b.nmri = N(mri);
		assert_int_equal(outcome_neda3(&b, 182, 365, NULL, &r, &err), CRF_OK);
		assert_int_equal(r.state, NEDA_INCOMPLETE);
		assert_true(r.prog_pending);
	}
	assert_int_equal(outcome_neda3(&sub, 365, 365, NULL, &r, &err), CRF_EINVAL);
}

/* ---- Kaplan-Meier ---------------------------------------------------------- */

/* Freireich et al. 1963, 6-mercaptopurine arm (remission weeks; false:
 * censored): the textbook example of Kaplan-Meier with censoring. */
static const km_obs sixmp[] = {
	{ 6, true }, { 6, true }, { 6, true }, { 6, false }, { 7, true },
	{ 9, false }, { 10, true }, { 10, false }, { 11, false }, { 13, true },
	{ 16, true }, { 17, false }, { 19, false }, { 20, false }, { 22, true },
	{ 23, true }, { 25, false }, { 32, false }, { 32, false }, { 34, false },
	{ 35, false },
};

static void
test_km_freireich(void **state)
{
	static const struct {
		long t;
		size_t at_risk;
		double s, se, lo, hi, llo, lhi;
	} want[] = {
		{ 6, 21, 0.857, 0.0764, 0.707, 1.000, 0.620, 0.952 },
		{ 7, 17, 0.807, 0.0869, 0.636, 0.977, 0.563, 0.923 },
		{ 10, 15, 0.753, 0.0963, 0.564, 0.942, 0.503, 0.889 },
		{ 13, 12, 0.690, 0.1068, 0.481, 0.900, 0.432, 0.849 },
		{ 16, 11, 0.627, 0.1141, 0.404, 0.851, 0.368, 0.805 },
		{ 22, 7, 0.538, 0.1282, 0.286, 0.789, 0.268, 0.747 },
		{ 23, 6, 0.448, 0.1346, 0.184, 0.712, 0.188, 0.680 },
	};
	km_obs shuffled[N(sixmp)];
	km_curve c, l;
	km_point p;

	(void)state;
	/* Any order in: reverse it. */
	for (size_t i = 0; i < N(sixmp); i++)
		shuffled[i] = sixmp[N(sixmp) - 1 - i];
	assert_int_equal(km_fit(shuffled, N(shuffled), KM_CI_PLAIN, &c, NULL), CRF_OK);
	assert_int_equal(km_fit(sixmp, N(sixmp), KM_CI_LOGLOG, &l, NULL), CRF_OK);
	assert_int_equal(c.subjects, 21);
	assert_int_equal(c.n, 16);              /* distinct times */
	assert_int_equal(c.steps[0].time, 6);
	assert_int_equal(c.steps[0].events, 3);
	assert_int_equal(c.steps[0].censored, 1);
	for (size_t i = 0; i < N(want); i++) {
		km_at(&c, want[i].t, &p);
		assert_true(p.estimable);
		assert_int_equal(p.at_risk, want[i].at_risk);
		assert_near(p.surv, want[i].s, 0.0005);
		assert_near(p.se, want[i].se, 0.00005);
		assert_near(p.lower, want[i].lo, 0.0005);
		assert_near(p.upper, want[i].hi, 0.0005);
		km_at(&l, want[i].t, &p);
		assert_near(p.surv, want[i].s, 0.0005);
		assert_near(p.se, want[i].se, 0.00005);
		assert_near(p.lower, want[i].llo, 0.0005);
		assert_near(p.upper, want[i].lhi, 0.0005);
	}
	/* Between steps the estimate holds; at risk counts those still
	 * followed at t. */
	km_at(&c, 5, &p);
	assert_near(p.surv, 1, 0);
	assert_near(p.lower, 1, 0);
	assert_int_equal(p.at_risk, 21);
	km_at(&c, 12, &p);
	assert_near(p.surv, 0.753, 0.0005);
	assert_int_equal(p.at_risk, 12);
	km_at(&c, 35, &p);
	assert_true(p.estimable);
	assert_near(p.surv, 0.448, 0.0005);
	assert_int_equal(p.at_risk, 1);
	km_at(&c, 36, &p);
	assert_false(p.estimable);              /* beyond the last follow-up */
	assert_int_equal(p.at_risk, 0);
	assert_int_equal(km_median(&c), 23);
	km_free(&c);
	km_free(&l);
	assert_null(c.steps);
}

static void
test_km_edges(void **state)
{
	/* Ties: at time 3 two events and one censoring; events first, so the
	 * censored subject is still at risk at 3 (4 at risk, not 3). */
	static const km_obs ties[] = {
		{ 3, false }, { 2, true }, { 3, true }, { 5, true }, { 3, true },
	};
	static const km_obs cens[] = { { 5, false }, { 10, false }, { 15, false } };
	static const km_obs neg[] = { { 5, true }, { -1, false } };
	km_curve c;
	km_point p;
	crf_err err = { "" };

	(void)state;
	assert_int_equal(km_fit(ties, N(ties), KM_CI_PLAIN, &c, NULL), CRF_OK);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.steps[1].time, 3);
	assert_int_equal(c.steps[1].at_risk, 4);
	assert_int_equal(c.steps[1].events, 2);
	assert_int_equal(c.steps[1].censored, 1);
	assert_near(c.steps[0].surv, 0.8, 1e-12);
	assert_near(c.steps[1].surv, 0.4, 1e-12);
	assert_near(c.steps[1].se, 0.4 * sqrt(1.0 / 20 + 2.0 / 8), 1e-12);
	/* The last subject has the event: S reaches 0 and stays there. */
	assert_near(c.steps[2].surv, 0, 0);
	assert_near(c.steps[2].lower, 0, 0);
	assert_near(c.steps[2].upper, 0, 0);
	km_at(&c, 100, &p);
	assert_true(p.estimable);
	assert_near(p.surv, 0, 0);
	assert_int_equal(km_median(&c), 3);
	km_free(&c);

	/* Everyone censored: S stays 1 and its interval is 1..1. */
	assert_int_equal(km_fit(cens, N(cens), KM_CI_LOGLOG, &c, NULL), CRF_OK);
	assert_int_equal(c.n, 3);
	km_at(&c, 12, &p);
	assert_true(p.estimable);
	assert_near(p.surv, 1, 0);
	assert_near(p.se, 0, 0);
	assert_near(p.lower, 1, 0);
	assert_near(p.upper, 1, 0);
	assert_int_equal(p.at_risk, 1);
	assert_true(km_median(&c) == NODAY);
	km_free(&c);

	/* No subjects (a site with nobody transplanted yet). */
	assert_int_equal(km_fit(NULL, 0, KM_CI_PLAIN, &c, NULL), CRF_OK);
	assert_int_equal(c.n, 0);
	assert_int_equal(c.subjects, 0);
	km_at(&c, 365, &p);
	assert_false(p.estimable);
	assert_int_equal(p.at_risk, 0);
	assert_true(km_median(&c) == NODAY);
	km_free(&c);

	assert_int_equal(km_fit(neg, N(neg), KM_CI_PLAIN, &c, &err), CRF_EINVAL);
	assert_null(c.steps);
}

/* The trial's own study.ini sets every protocol choice, and loads. */
static void
test_trial_settings(void **state)
{
	study_def *sd = NULL;
	formdef_diags d = { 0 };
	outcome_settings s;
	crf_err e;

	(void)state;
	assert_int_equal(formdef_load("forms", &sd, &d), CRF_OK);
	outcome_settings_default(&s);
	assert_int_equal(outcome_settings_load(&s, sd->constants, sd->nconstants, &e), CRF_OK);
	assert_int_equal(s.prog_confirm, 168);
	assert_int_equal(s.prog_cut, 55);
	assert_int_equal(s.plt_rule, OUTCOME_PLT_ASTCT);
	assert_int_equal(s.km_ci, KM_CI_PLAIN);
	assert_false(s.mafs_death);
	assert_int_equal(outcome_settings_check(&s, &e), CRF_OK);
	formdef_free(sd);
	formdef_diags_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settings_default),
		cmocka_unit_test(test_settings_set),
		cmocka_unit_test(test_settings_load),
		cmocka_unit_test(test_day),
		cmocka_unit_test(test_engraft_neutrophils),
		cmocka_unit_test(test_engraft_missing_breaks_run),
		cmocka_unit_test(test_engraft_platelet_transfusion),
		cmocka_unit_test(test_engraft_before_day0),
		cmocka_unit_test(test_engraft_graft_failure),
		cmocka_unit_test(test_engraft_duplicate),
		cmocka_unit_test(test_edss_steps),
		cmocka_unit_test(test_edss_cerebral),
		cmocka_unit_test(test_edss_exhaustive),
		cmocka_unit_test(test_edss_range),
		cmocka_unit_test(test_edss_check),
		cmocka_unit_test(test_edss_text),
		cmocka_unit_test(test_relapses),
		cmocka_unit_test(test_relapses_adjudicated),
		cmocka_unit_test(test_progression_confirmed),
		cmocka_unit_test(test_progression_fell_back),
		cmocka_unit_test(test_progression_interval),
		cmocka_unit_test(test_progression_relapse),
		cmocka_unit_test(test_progression_baseline),
		cmocka_unit_test(test_mri),
		cmocka_unit_test(test_endpoints_progression_first),
		cmocka_unit_test(test_endpoints_same_day),
		cmocka_unit_test(test_endpoints_censored),
		cmocka_unit_test(test_endpoints_death),
		cmocka_unit_test(test_neda3),
		cmocka_unit_test(test_km_freireich),
		cmocka_unit_test(test_km_edges),
		cmocka_unit_test(test_trial_settings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
