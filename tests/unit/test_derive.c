/* test_derive.c - a subject's stored items into the evaluator's inputs by
 * the [outcomes] section of the real study (forms/), and that section's
 * checks at load. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crf/derive.h"
#include "crf/formdef.h"
#include "crf/util.h"

static study_def *study;

/* ---- Items built by hand --------------------------------------------------- */

typedef struct items {
	subject_item *v;
	size_t n, cap;
} items;

static void
add(items *it, const char *event, int erep, const char *form, int frep,
    const char *field, const char *value)
{
	subject_item *s;

	xgrow(&it->v, sizeof *it->v, &it->cap, it->n);
	s = &it->v[it->n++];
	memset(s, 0, sizeof *s);
	s->event = xstrdup(event);
	s->event_repeat = erep;
	s->form = xstrdup(form);
	s->form_repeat = frep;
	s->field = xstrdup(field);
	s->value = xstrdup(value);
}

static void
add_missing(items *it, const char *event, int erep, const char *form, int frep,
    const char *field, const char *code)
{
	add(it, event, erep, form, frep, field, NULL);
	it->v[it->n - 1].missing = xstrdup(code);
}

static void
items_free(items *it)
{
	subject_items_free(it->v, it->n);
	memset(it, 0, sizeof *it);
}

static char *
date_of(long day)
{
	char buf[16];

	/* Day 0 is 2026-01-10. */
	date_format_iso(date_add_days((crf_date){ 2026, 1, 10 }, day), buf, sizeof buf);
	return xstrdup(buf);
}

static void
add_day(items *it, const char *event, int erep, const char *form, int frep,
    const char *field, long day)
{
	char *d = date_of(day);

	add(it, event, erep, form, frep, field, d);
	free(d);
}

/* One daily count, as the cbc log holds it. */
static void
add_cbc(items *it, int rep, long day, const char *anc, const char *plt, bool tx)
{
	add_day(it, "", 0, "cbc", rep, "cbcdat", day);
	if (anc)
		add(it, "", 0, "cbc", rep, "anc", anc);
	else
		add_missing(it, "", 0, "cbc", rep, "anc", "ND");
	add(it, "", 0, "cbc", rep, "plt", plt);
	add(it, "", 0, "cbc", rep, "plttx", tx ? "Y" : "N");
}

static void
add_edss(items *it, const char *event, int erep, long day, const char *edss)
{
	add_day(it, event, erep, "edss", 1, "edsdat", day);
	add(it, event, erep, "edss", 1, "edss", edss);
	add(it, event, erep, "edss", 1, "rater", "Dr Li");
}

static void
add_visit(items *it, const char *event, long day)
{
	add_day(it, event, 1, "fu", 1, "fudat", day);
	add(it, event, 1, "fu", 1, "newdmt", "N");
}

static void
add_mri(items *it, const char *event, long day, const char *gd, const char *newt2,
    const char *enlt2)
{
	add_day(it, event, 1, "mri", 1, "mridat", day);
	if (gd)
		add(it, event, 1, "mri", 1, "gdn", gd);
	add(it, event, 1, "mri", 1, "newt2", newt2);
	add(it, event, 1, "mri", 1, "enlt2", enlt2);
}

/*
 * The worked subject.  Day 0 = 2026-01-10.
 *  Counts day -2 .. 20: ANC 0.1 until day 9, 0.6 from day 10 -> neutrophil
 *    engraftment day 10.  Platelets 15 until day 11, then 25; transfusions
 *    on day -2, 0 and 8.  The run from day 12 has the day-8 transfusion in
 *    the 7 days before it; the first run without one starts on day 16.
 *  EDSS: screening 4.0 (baseline; progression needs 5.0), m3 4.0, m6 5.0,
 *    m12 5.0 (183 days after m6: confirmed) -> progression from day 182.
 *  Relapse log: a pseudo-relapse (fever) on day 100: not an event.
 *  MRI: m6 inactive, m12 one new T2 lesion (day 365, after the progression).
 *  Visits on days 30, 91, 182, 365.  MAFS: event day 182, progression.
 */
static void
worked_subject(items *it)
{
	add_day(it, "d0", 1, "inf", 1, "infdat", 0);
	for (long d = -2, rep = 1; d <= 20; d++, rep++)
		add_cbc(it, (int)rep, d, d < 10 ? "0.1" : "0.6", d < 12 ? "15" : "25",
		    d == -2 || d == 0 || d == 8);
	add_edss(it, "scr", 1, -40, "4.0");
	add_edss(it, "m3", 1, 91, "4.0");
	add_edss(it, "m6", 1, 182, "5.0");
	add_edss(it, "m12", 1, 365, "5.0");
	add_day(it, "", 0, "rel", 1, "rlstdat", 100);
	add(it, "", 0, "rel", 1, "rldur", "72");
	add(it, "", 0, "rel", 1, "fever", "Y");
	add(it, "", 0, "rel", 1, "objconf", "Y");
	add(it, "", 0, "rel", 1, "protrel", "N");
	add_mri(it, "scr", -45, "2", "NA", "NA");
	add_mri(it, "m6", 182, "0", "0", "0");
	add_mri(it, "m12", 365, NULL, "1", "0");
	add_visit(it, "fu30", 30);
	add_visit(it, "m3", 91);
	add_visit(it, "m6", 182);
	add_visit(it, "m12", 365);
	/* Unknown forms and fields are ignored. */
	add(it, "m12", 1, "nosuch", 1, "x", "1");
	add(it, "m12", 1, "fu", 1, "nosuch", "1");
}

static const crf_date today = { 2026, 11, 25 };

static int
setup(void **state)
{
	formdef_diags d = {0};

	(void)state;
	if (formdef_load("forms", &study, &d) != CRF_OK) {
		for (size_t i = 0; i < d.n; i++)
			fprintf(stderr, "%s:%d: %s\n", d.items[i].file, d.items[i].line,
			    d.items[i].msg);
		formdef_diags_free(&d);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	formdef_free(study);
	return 0;
}

/* ---- The section as loaded ------------------------------------------------- */

static void
test_map_loaded(void **state)
{
	const outcome_map *om = &study->outcomes;

	(void)state;
	assert_true(om->present);
	assert_string_equal(om->cbc_date.form->id, "cbc");
	assert_string_equal(om->cbc_date.field->id, "cbcdat");
	assert_string_equal(om->platelets.field->id, "plt");
	assert_string_equal(om->edss.field->id, "edss");
	assert_string_equal(om->edss_baseline_event->id, "scr");
	assert_string_equal(om->relapse_adjudicated.field->id, "protrel");
	assert_null(om->mri_rebaseline.form);          /* the MRI form has none */
	assert_int_equal(om->last_contact.n, 2);
	assert_string_equal(om->last_contact.refs[1].form->id, "fu");
	assert_int_equal(om->rescue_start.n, 2);
	assert_string_equal(om->ae_grade.field->id, "aetoxgr");
	assert_true(str_ends(om->file, "study.ini"));
	assert_true(om->line > 0);
}

/* ---- The worked subject ---------------------------------------------------- */

static void
test_worked_subject(void **state)
{
	items it = {0};
	derived d;
	crf_err e;

	(void)state;
	worked_subject(&it);
	assert_int_equal(derive_subject(study, it.v, it.n, NULL, today, &d, &e), CRF_OK);
	assert_true(d.has_day0);
	assert_int_equal(d.day0.y, 2026);
	assert_int_equal(d.day0.m, 1);
	assert_int_equal(d.day0.d, 10);
	assert_int_equal(d.ncbc, 23);
	assert_int_equal(d.nedss, 4);
	assert_int_equal(d.baseline_edss, 40);
	assert_int_equal(d.baseline_day, -40);
	assert_int_equal(d.nrelapses, 1);
	assert_int_equal(d.relapses[0].day, 100);
	assert_int_equal(d.relapses[0].hours, 72);
	assert_true(d.relapses[0].fever);
	assert_int_equal(d.relapses[0].adjudicated, OUTCOME_NO);
	assert_int_equal(d.nmri, 3);
	assert_int_equal(d.skipped, 0);
	assert_int_equal(d.followup, 319);              /* today, 2026-11-25 */
	assert_int_equal(d.subject.last_visit, 365);
	assert_int_equal(d.subject.last_contact, 365);
	assert_int_equal(d.subject.rescue_day, OUTCOME_NO_DAY);
	assert_int_equal(d.subject.death_day, OUTCOME_NO_DAY);

	/* Engraftment: the day-8 transfusion pushes the platelet day to 16. */
	assert_int_equal(d.eng_status, CRF_OK);
	assert_int_equal(d.eng.anc.state, ENG_REACHED);
	assert_int_equal(d.eng.anc.day, 10);
	assert_int_equal(d.eng.plt.state, ENG_REACHED);
	assert_int_equal(d.eng.plt.day, 16);
	assert_int_equal(d.eng.pgf, PGF_NO);

	/* Progression from day 182, confirmed on day 365; it is the MAFS event. */
	assert_int_equal(d.ep_status, CRF_OK);
	assert_int_equal(d.ep.prog.state, PROG_CONFIRMED);
	assert_int_equal(d.ep.prog.day, 182);
	assert_int_equal(d.ep.prog.confirm_day, 365);
	assert_int_equal(derive_progression_level(&d), 50);
	assert_int_equal(d.ep.first_relapse, OUTCOME_NO_DAY);
	assert_int_equal(d.ep.first_mri, 365);
	assert_true(d.ep.mafs_event);
	assert_int_equal(d.ep.mafs_day, 182);
	assert_int_equal(d.ep.mafs_type, OUTCOME_EV_PROGRESSION);
	assert_true(d.ep.ttf_event);
	assert_int_equal(d.ep.ttf_day, 182);
	assert_int_equal(d.ep.trm, TRM_ALIVE);

	/* NEDA-3 at each visit. */
	assert_int_equal(d.nvisits, 4);
	assert_string_equal(d.visits[0].event->id, "fu30");
	assert_int_equal(d.visits[0].day, 30);
	assert_true(d.visits[0].evaluated);
	assert_int_equal(d.visits[0].neda.state, NEDA_INCOMPLETE);  /* no EDSS, no scan */
	assert_int_equal(d.visits[2].day, 182);
	assert_int_equal(d.visits[2].neda.state, NEDA_NO);
	assert_true(d.visits[2].neda.progression);
	assert_int_equal(d.visits[3].neda.state, NEDA_NO);          /* the new T2 lesion */
	assert_true(d.visits[3].neda.mri_active);
	assert_false(d.visits[3].neda.progression);
	assert_int_equal(d.visits[3].cumulative.state, NEDA_NO);
	derived_free(&d);
	items_free(&it);
}

/* The increase at m6 is not confirmed when m12 falls back. */
static void
test_progression_not_confirmed(void **state)
{
	items it = {0};
	derived d;
	crf_err e;

	(void)state;
	add_day(&it, "d0", 1, "inf", 1, "infdat", 0);
	add_edss(&it, "scr", 1, -40, "4.0");
	add_edss(&it, "m6", 1, 182, "5.0");
	add_edss(&it, "m12", 1, 365, "4.5");
	add_visit(&it, "m12", 365);
	assert_int_equal(derive_subject(study, it.v, it.n, NULL, today, &d, &e), CRF_OK);
	assert_int_equal(d.ep.prog.state, PROG_NONE);
	assert_false(d.ep.mafs_event);
	assert_int_equal(d.ep.mafs_day, 365);           /* censored at the last visit */
	/* No counts after day 0. */
	assert_int_equal(d.eng.anc.state, ENG_NO_DATA);
	assert_int_equal(d.eng.pgf, PGF_UNKNOWN);
	derived_free(&d);
	items_free(&it);
}

/* A protocol relapse: the adjudication decides, and it is the event. */
static void
test_relapse_event(void **state)
{
	items it = {0};
	derived d;
	crf_err e;

	(void)state;
	add_day(&it, "d0", 1, "inf", 1, "infdat", 0);
	add_day(&it, "", 0, "rel", 1, "rlstdat", 250);
	add_missing(&it, "", 0, "rel", 1, "rldur", "UNK");
	add(&it, "", 0, "rel", 1, "fever", "N");
	add(&it, "", 0, "rel", 1, "objconf", "Y");
	add(&it, "", 0, "rel", 1, "protrel", "Y");
	add(&it, "", 0, "rel", 2, "fever", "N");        /* no onset: left out */
	add_visit(&it, "m12", 365);
	assert_int_equal(derive_subject(study, it.v, it.n, NULL, today, &d, &e), CRF_OK);
	assert_int_equal(d.nrelapses, 1);
	assert_int_equal(d.relapses[0].hours, -1);     /* UNK: duration unknown */
	assert_int_equal(d.skipped, 1);
	assert_int_equal(d.baseline_edss, -1);
	assert_int_equal(derive_progression_level(&d), -1);
	assert_true(d.ep.mafs_event);
	assert_int_equal(d.ep.mafs_day, 250);
	assert_int_equal(d.ep.mafs_type, OUTCOME_EV_RELAPSE);
	assert_int_equal(d.ep.prog.state, PROG_NOT_EVALUABLE);
	derived_free(&d);
	items_free(&it);
}

/* Deaths: by day 100, by the investigator, and from the subject's status. */
static void
test_trm(void **state)
{
	items it = {0};
	derived d;
	crf_err e;
	subject_row died = { .status = "died", .status_date = "2026-04-20" };

	(void)state;
	add_day(&it, "d0", 1, "inf", 1, "infdat", 0);
	add_day(&it, "eos", 1, "eos", 1, "dthdat", 50);
	add(&it, "eos", 1, "eos", 1, "trm", "N");
	add_day(&it, "eos", 1, "eos", 1, "eosdat", 50);
	for (int i = 1; i <= 20; i++)
		add_cbc(&it, i, i, "0.1", "10", true);
	assert_int_equal(derive_subject(study, it.v, it.n, NULL, today, &d, &e), CRF_OK);
	assert_int_equal(d.subject.death_day, 50);
	assert_int_equal(d.followup, 50);
	assert_int_equal(d.ep.trm, TRM_YES);
	assert_true(d.ep.trm_by_day);
	assert_false(d.ep.trm_by_investigator);
	assert_true(d.ep.ttf_event);
	assert_int_equal(d.ep.ttf_type, OUTCOME_EV_DEATH);
	assert_false(d.ep.mafs_event);                 /* mafs_death = no */
	/* Followed to day 50 without neutrophil recovery: graft failure. */
	assert_int_equal(d.eng.anc.state, ENG_NOT_REACHED);
	assert_int_equal(d.eng.pgf, PGF_YES);
	derived_free(&d);
	items_free(&it);

	add_day(&it, "d0", 1, "inf", 1, "infdat", 0);
	add_day(&it, "eos", 1, "eos", 1, "dthdat", 200);
	add(&it, "eos", 1, "eos", 1, "trm", "Y");
	assert_int_equal(derive_subject(study, it.v, it.n, NULL, today, &d, &e), CRF_OK);
	assert_int_equal(d.ep.trm, TRM_YES);
	assert_false(d.ep.trm_by_day);
	assert_true(d.ep.trm_by_investigator);
	derived_free(&d);
	items_free(&it);

	/* Only the subject's status says so: 2026-04-20 is day 100. */
	add_day(&it, "d0", 1, "inf", 1, "infdat", 0);
	assert_int_equal(derive_subject(study, it.v, it.n, &died, today, &d, &e), CRF_OK);
	assert_int_equal(d.subject.death_day, 100);
	assert_int_equal(d.ep.trm, TRM_YES);
	assert_int_equal(d.subject.death_trm, OUTCOME_UNKNOWN);
	derived_free(&d);
	items_free(&it);
}

/* A new MS therapy: a full date in the visit, or a partial one in the log. */
static void
test_rescue(void **state)
{
	items it = {0};
	derived d;
	crf_err e;

	(void)state;
	add_day(&it, "d0", 1, "inf", 1, "infdat", 0);
	add(&it, "", 0, "dmt", 1, "dmstdat", "2025");       /* before day 0 */
	add(&it, "", 0, "dmt", 2, "dmstdat", "2026-05");    /* May 2026: day 111 */
	add_visit(&it, "m12", 365);
	add_day(&it, "m12", 1, "fu", 1, "newdmtdat", 300);
	assert_int_equal(derive_subject(study, it.v, it.n, NULL, today, &d, &e), CRF_OK);
	assert_int_equal(d.subject.rescue_day, 111);
	assert_true(d.ep.ttf_event);
	assert_int_equal(d.ep.ttf_day, 111);
	assert_int_equal(d.ep.ttf_type, OUTCOME_EV_RESCUE);
	derived_free(&d);
	items_free(&it);

	/* January 2026 holds day 0: it counts from day 1. */
	add_day(&it, "d0", 1, "inf", 1, "infdat", 0);
	add(&it, "", 0, "dmt", 1, "dmstdat", "2026-01");
	assert_int_equal(derive_subject(study, it.v, it.n, NULL, today, &d, &e), CRF_OK);
	assert_int_equal(d.subject.rescue_day, 1);
	derived_free(&d);
	items_free(&it);
}

/* Without day 0 nothing can be counted in days. */
static void
test_no_day0(void **state)
{
	items it = {0};
	derived d;
	crf_err e;

	(void)state;
	add_edss(&it, "scr", 1, -40, "3.5");
	add_cbc(&it, 1, 1, "0.2", "30", false);
	assert_int_equal(derive_subject(study, it.v, it.n, NULL, today, &d, &e), CRF_OK);
	assert_false(d.has_day0);
	assert_int_equal(d.baseline_edss, 35);
	assert_int_equal(d.ncbc, 0);
	assert_int_equal(d.eng_status, CRF_ENOENT);
	assert_int_equal(d.ep_status, CRF_ENOENT);
	assert_string_equal(d.eng_err.msg, "day 0 (d0.inf.infdat) is not entered yet");
	derived_free(&d);
	items_free(&it);
}

/* Two counts on one day: the engraftment says so, the endpoints go on. */
static void
test_duplicate_count(void **state)
{
	items it = {0};
	derived d;
	crf_err e;

	(void)state;
	add_day(&it, "d0", 1, "inf", 1, "infdat", 0);
	add_cbc(&it, 1, 5, "0.2", "30", false);
	add_cbc(&it, 2, 5, "0.3", "30", false);
	assert_int_equal(derive_subject(study, it.v, it.n, NULL, today, &d, &e), CRF_OK);
	assert_int_equal(d.eng_status, CRF_EINVAL);
	assert_string_equal(d.eng_err.msg, "two blood counts on day 5: one entry per day");
	assert_int_equal(d.ep_status, CRF_OK);
	derived_free(&d);
	items_free(&it);
}

/* A study without the section cannot derive. */
static void
test_no_section(void **state)
{
	formdef_diags dg = {0};
	study_def *fx = NULL;
	derived d;
	crf_err e;

	(void)state;
	assert_int_equal(formdef_load("tests/fixtures/study", &fx, &dg), CRF_OK);
	assert_false(fx->outcomes.present);
	assert_int_equal(derive_subject(fx, NULL, 0, NULL, today, &d, &e), CRF_ECONFIG);
	assert_non_null(strstr(e.msg, "[outcomes]"));
	formdef_free(fx);
}

/* ---- Bad sections: each problem named with file and line -------------------- */

static char *
copy_forms(void)
{
	char tmpl[] = "/tmp/crf-derive.XXXXXX";
	char *dir = xstrdup(mkdtemp(tmpl));
	DIR *dp = opendir("forms");
	struct dirent *de;

	assert_non_null(dp);
	while ((de = readdir(dp)) != NULL) {
		char *src, *dst, *text;
		FILE *fp;

		if (de->d_name[0] == '.')
			continue;
		src = path_join("forms", de->d_name);
		dst = path_join(dir, de->d_name);
		text = file_read_all(src, NULL);
		assert_non_null(text);
		fp = fopen(dst, "w");
		assert_non_null(fp);
		fputs(text, fp);
		fclose(fp);
		free(text);
		free(src);
		free(dst);
	}
	closedir(dp);
	return dir;
}

static void
remove_dir(char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *de;

	while ((de = readdir(dp)) != NULL) {
		char *p;

		if (de->d_name[0] == '.')
			continue;
		p = path_join(dir, de->d_name);
		unlink(p);
		free(p);
	}
	closedir(dp);
	rmdir(dir);
	free(dir);
}

/* Replace the line of study.ini that starts with `from` by `to` (NULL:
 * delete it); returns its line number. */
static int
edit_study(const char *dir, const char *from, const char *to)
{
	char *path = path_join(dir, "study.ini");
	char *text = file_read_all(path, NULL);
	strbuf out = {0};
	int line = 0, found = 0;
	FILE *fp;

	assert_non_null(text);
	for (char *p = text, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		line++;
		if (!found && strncmp(p, from, strlen(from)) == 0) {
			found = line;
			if (to) {
				sb_add(&out, to);
				sb_add(&out, "\n");
			}
		} else {
			sb_addn(&out, p, (size_t)(nl - p + 1));
		}
	}
	assert_true(found > 0);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(out.s, fp);
	fclose(fp);
	sb_free(&out);
	free(text);
	free(path);
	return found;
}

static int
outcomes_line(const char *dir)
{
	char *path = path_join(dir, "study.ini");
	char *text = file_read_all(path, NULL);
	int line = 1;
	char *p = strstr(text, "\n[outcomes]");

	assert_non_null(p);
	for (char *q = text; q <= p; q++)
		if (*q == '\n')
			line++;
	free(text);
	free(path);
	return line;
}

/* Loading dir fails with exactly this diagnostic among others. */
static void
expect_diag(const char *dir, int line, const char *msg)
{
	formdef_diags d = {0};
	study_def *sd = NULL;
	bool found = false;

	assert_int_equal(formdef_load(dir, &sd, &d), CRF_EDEF);
	assert_null(sd);
	for (size_t i = 0; i < d.n; i++)
		if (str_ends(d.items[i].file, "study.ini") && d.items[i].line == line &&
		    strcmp(d.items[i].msg, msg) == 0)
			found = true;
	if (!found) {
		for (size_t i = 0; i < d.n; i++)
			print_message("  got %s:%d: %s\n", d.items[i].file, d.items[i].line,
			    d.items[i].msg);
		fail_msg("no diagnostic study.ini:%d: %s", line, msg);
	}
	formdef_diags_free(&d);
}

static void
test_bad_references(void **state)
{
	struct {
		const char *from, *to, *msg;
	} cases[] = {
		{ "anc = ", "anc = cbc.ancx",
		  "[outcomes] anc: form 'cbc' has no field 'ancx'" },
		{ "anc = ", "anc = blood.anc",
		  "[outcomes] anc: no form 'blood' (no blood.ini)" },
		{ "anc = ", "anc = cbc",
		  "[outcomes] anc: must be FORM.FIELD, not 'cbc'" },
		{ "anc = ", "anc = cbc.plttx",
		  "[outcomes] anc: 'cbc.plttx' is a yesno field; it must be an integer or "
		  "decimal field" },
		{ "platelets = ", "platelets = lab.plt",
		  "[outcomes] platelets: must be a field of form 'cbc', as cbc_date is, not of 'lab'" },
		{ "edss = ", "edss = edss.rater",
		  "[outcomes] edss: 'edss.rater' is a text field; it must be a decimal field or a "
		  "choice field coded in EDSS steps (0, 1.0 ... 10)" },
		{ "edss = ", "edss = edss.reason",
		  "[outcomes] edss: 'edss.reason' is a choice field; it must be a decimal field "
		  "or a choice field coded in EDSS steps (0, 1.0 ... 10)" },
		{ "edss_baseline_event = ", "edss_baseline_event = d0",
		  "[outcomes] edss_baseline_event: event 'd0' does not hold form 'edss'" },
		{ "edss_baseline_event = ", "edss_baseline_event = day0",
		  "[outcomes] edss_baseline_event: no event 'day0'" },
		{ "last_contact = ", "last_contact = eos.lastcont, fu.contact",
		  "[outcomes] last_contact: 'fu.contact' is a choice field; it must be a date field" },
		{ "ae_grade = ", "ae_grade = ae.aerel",
		  "[outcomes] ae_grade: 'ae.aerel' is a choice field; it must be an integer field "
		  "or a choice field coded 1 to 5" },
		{ "ae_onset = ", "ae_onset = ae.aestdat\nae_onsett = ae.aestdat",
		  "[outcomes] ae_onsett: unknown key" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *dir = copy_forms();
		int line = edit_study(dir, cases[i].from, cases[i].to);

		if (strchr(cases[i].to, '\n'))
			line++;
		expect_diag(dir, line, cases[i].msg);
		remove_dir(dir);
	}
}

static void
test_missing_keys(void **state)
{
	char *dir = copy_forms();
	int sec;

	(void)state;
	edit_study(dir, "relapse_hours = ", NULL);
	edit_study(dir, "ae_grade = ", NULL);
	sec = outcomes_line(dir);
	expect_diag(dir, sec, "[outcomes] relapse_hours: missing (the section's keys are in "
	    "docs/forms.md)");
	expect_diag(dir, sec, "[outcomes] ae_grade: missing (the section's keys are in "
	    "docs/forms.md)");
	remove_dir(dir);

	/* The adverse event keys go together, but may all be left out. */
	dir = copy_forms();
	edit_study(dir, "ae_term = ", NULL);
	edit_study(dir, "ae_grade = ", NULL);
	edit_study(dir, "ae_serious = ", NULL);
	edit_study(dir, "ae_onset = ", NULL);
	{
		formdef_diags d = {0};
		study_def *sd = NULL;

		assert_int_equal(formdef_load(dir, &sd, &d), CRF_OK);
		assert_null(sd->outcomes.ae_term.form);
		formdef_free(sd);
	}
	remove_dir(dir);
}

/* A protocol constant out of range is refused at load with its line. */
static void
test_bad_setting(void **state)
{
	char *dir = copy_forms();
	int line = edit_study(dir, "prog_cut = ", "prog_cut = 5.2");

	(void)state;
	expect_diag(dir, line, "[constants] prog_cut: 5.2 is not a step of the EDSS");
	remove_dir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_loaded),
		cmocka_unit_test(test_worked_subject),
		cmocka_unit_test(test_progression_not_confirmed),
		cmocka_unit_test(test_relapse_event),
		cmocka_unit_test(test_trm),
		cmocka_unit_test(test_rescue),
		cmocka_unit_test(test_no_day0),
		cmocka_unit_test(test_duplicate_count),
		cmocka_unit_test(test_no_section),
		cmocka_unit_test(test_bad_references),
		cmocka_unit_test(test_missing_keys),
		cmocka_unit_test(test_bad_setting),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
