/*
 * derive.c - a subject's stored items into the evaluator's inputs, by the
 * study's [outcomes] section; see derive.h.
 *
 * The items are first grouped into form instances (event, event repeat,
 * form, form repeat); each input then walks the instances of its form.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crf/derive.h"
#include "crf/lifecycle.h"
#include "crf/util.h"

/* One form instance: its items, sorted by field. */
typedef struct inst {
	const char *event;
	int event_repeat;
	const char *form;
	int form_repeat;
	const subject_item *const *items;
	size_t n;
} inst;

typedef struct instances {
	const subject_item **sorted;
	inst *v;
	size_t n;
} instances;

static int
item_cmp(const void *pa, const void *pb)
{
	const subject_item *a = *(const subject_item *const *)pa;
	const subject_item *b = *(const subject_item *const *)pb;
	int c;

	if ((c = strcmp(a->event ? a->event : "", b->event ? b->event : "")) != 0)
		return c;
	if (a->event_repeat != b->event_repeat)
		return a->event_repeat < b->event_repeat ? -1 : 1;
	if ((c = strcmp(a->form ? a->form : "", b->form ? b->form : "")) != 0)
		return c;
	if (a->form_repeat != b->form_repeat)
		return a->form_repeat < b->form_repeat ? -1 : 1;
	return strcmp(a->field ? a->field : "", b->field ? b->field : "");
}

static bool
same_instance(const subject_item *a, const subject_item *b)
{
	return str_eq(a->event, b->event) && a->event_repeat == b->event_repeat &&
	    str_eq(a->form, b->form) && a->form_repeat == b->form_repeat;
}

static void
instances_build(const subject_item *items, size_t n, instances *out)
{
	size_t cap = 0;

	memset(out, 0, sizeof *out);
	if (n == 0)
		return;
	out->sorted = xmalloc(n * sizeof *out->sorted);
	for (size_t i = 0; i < n; i++)
		out->sorted[i] = &items[i];
	qsort(out->sorted, n, sizeof *out->sorted, item_cmp);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		inst *in;

		while (j < n && same_instance(out->sorted[i], out->sorted[j]))
			j++;
		xgrow(&out->v, sizeof *out->v, &cap, out->n);
		in = &out->v[out->n++];
		in->event = out->sorted[i]->event ? out->sorted[i]->event : "";
		in->event_repeat = out->sorted[i]->event_repeat;
		in->form = out->sorted[i]->form ? out->sorted[i]->form : "";
		in->form_repeat = out->sorted[i]->form_repeat;
		in->items = &out->sorted[i];
		in->n = j - i;
		i = j;
	}
}

static void
instances_free(instances *is)
{
	free(is->sorted);
	free(is->v);
}

/* The value of field f in the instance; NULL when blank or a missing-data
 * code. */
static const char *
value_of(const inst *in, const field_def *f)
{
	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < in->n; i++)
		if (str_eq(in->items[i]->field, f->id)) {
			const char *v = in->items[i]->value;
			return str_blank(v) ? NULL : v;
		}
	return NULL;
}

/* Is the instance one of the referenced field's form? */
static bool
of_form(const inst *in, const field_ref *r)
{
	return r->form != NULL && strcmp(in->form, r->form->id) == 0;
}

/* The day of a complete date value, or OUTCOME_NO_DAY. */
static long
day_of(const derived *d, const char *v)
{
	crf_date dt;

	if (!d->has_day0 || v == NULL || !date_parse_iso(v, false, &dt))
		return OUTCOME_NO_DAY;
	return outcome_day(d->day0, dt);
}

static double
number_of(const char *v, double missing)
{
	double x;

	if (v == NULL || !parse_double(v, &x))
		return missing;
	return x;
}

static bool
yes(const char *v)
{
	return v != NULL && str_ieq(v, "Y");
}

static int
tri(const char *v)
{
	if (v == NULL)
		return OUTCOME_UNKNOWN;
	return str_ieq(v, "Y") ? OUTCOME_YES : str_ieq(v, "N") ? OUTCOME_NO : OUTCOME_UNKNOWN;
}

static long
later(long a, long b)
{
	if (a == OUTCOME_NO_DAY)
		return b;
	if (b == OUTCOME_NO_DAY)
		return a;
	return a > b ? a : b;
}

/* The first day after day 0 a (possibly partial) date can stand for:
 * the date itself, or the first day of its month or year that is after
 * day 0; OUTCOME_NO_DAY when the whole period is on or before day 0. */
static long
first_day_after0(const derived *d, const char *v)
{
	crf_date dt, first, last;

	if (!d->has_day0 || v == NULL || !date_parse_iso(v, true, &dt))
		return OUTCOME_NO_DAY;
	if (date_precision(dt) == DATE_DAY) {
		long day = outcome_day(d->day0, dt);
		return day > 0 ? day : OUTCOME_NO_DAY;
	}
	first = (crf_date){ dt.y, dt.m ? dt.m : 1, 1 };
	if (dt.m)
		last = date_add_days((crf_date){ dt.m == 12 ? dt.y + 1 : dt.y,
		    dt.m == 12 ? 1 : dt.m + 1, 1 }, -1);
	else
		last = (crf_date){ dt.y, 12, 31 };
	if (outcome_day(d->day0, last) < 1)
		return OUTCOME_NO_DAY;
	return later(outcome_day(d->day0, first), 1);
}

/* The latest day over every instance of every field of refs. */
static long
latest_day(const derived *d, const instances *is, const field_refs *refs)
{
	long best = OUTCOME_NO_DAY;

	for (size_t r = 0; r < refs->n; r++)
		for (size_t i = 0; i < is->n; i++)
			if (of_form(&is->v[i], &refs->refs[r]))
				best = later(best, day_of(d, value_of(&is->v[i], refs->refs[r].field)));
	return best;
}

static void
find_day0(const study_def *sd, const instances *is, derived *d)
{
	const inst *found = NULL;

	if (sd->anchor_event == NULL || sd->anchor_form == NULL || sd->anchor_field == NULL)
		return;
	/* The latest instance that holds the date. */
	for (size_t i = 0; i < is->n; i++) {
		const inst *in = &is->v[i];

		if (strcmp(in->event, sd->anchor_event->id) == 0 &&
		    strcmp(in->form, sd->anchor_form->id) == 0 &&
		    value_of(in, sd->anchor_field) != NULL)
			found = in;
	}
	if (found && date_parse_iso(value_of(found, sd->anchor_field), false, &d->day0))
		d->has_day0 = true;
}

static void
read_cbc(const outcome_map *om, const instances *is, derived *d)
{
	size_t cap = 0;

	for (size_t i = 0; i < is->n; i++) {
		const inst *in = &is->v[i];
		long day;
		cbc_day *c;

		if (!of_form(in, &om->cbc_date))
			continue;
		if ((day = day_of(d, value_of(in, om->cbc_date.field))) == OUTCOME_NO_DAY) {
			d->skipped++;
			continue;
		}
		xgrow(&d->cbc, sizeof *d->cbc, &cap, d->ncbc);
		c = &d->cbc[d->ncbc++];
		c->day = day;
		c->anc = number_of(value_of(in, om->anc.field), OUTCOME_MISSING);
		c->plt = number_of(value_of(in, om->platelets.field), OUTCOME_MISSING);
		c->plt_tx = yes(value_of(in, om->platelet_transfusion.field));
	}
}

static void
read_edss(const outcome_map *om, const instances *is, derived *d)
{
	size_t cap = 0;

	for (size_t i = 0; i < is->n; i++) {
		const inst *in = &is->v[i];
		const char *v = value_of(in, om->edss.field);
		bool base = om->edss_baseline_event != NULL &&
		    strcmp(in->event, om->edss_baseline_event->id) == 0;
		long day;
		int t;

		if (!of_form(in, &om->edss_date))
			continue;
		day = day_of(d, value_of(in, om->edss_date.field));
		if (base && v != NULL && edss_parse(v, &t)) {
			/* Instances come in event repeat order: the latest wins. */
			d->baseline_edss = t;
			d->baseline_day = day;
		}
		if (!d->has_day0)
			continue;
		if (day == OUTCOME_NO_DAY || v == NULL || !edss_parse(v, &t)) {
			d->skipped++;
			continue;
		}
		xgrow(&d->edss, sizeof *d->edss, &cap, d->nedss);
		d->edss[d->nedss].day = day;
		d->edss[d->nedss].edss = t;
		d->nedss++;
	}
}

static void
read_relapses(const outcome_map *om, const instances *is, derived *d)
{
	size_t cap = 0;

	for (size_t i = 0; i < is->n; i++) {
		const inst *in = &is->v[i];
		relapse_episode *r;
		double h;
		long day;

		if (!of_form(in, &om->relapse_onset))
			continue;
		if ((day = day_of(d, value_of(in, om->relapse_onset.field))) == OUTCOME_NO_DAY) {
			d->skipped++;
			continue;
		}
		xgrow(&d->relapses, sizeof *d->relapses, &cap, d->nrelapses);
		r = &d->relapses[d->nrelapses++];
		r->day = day;
		h = number_of(value_of(in, om->relapse_hours.field), -1);
		r->hours = h < 0 ? -1 : h > 1e6 ? 1000000 : (int)h;
		r->fever = yes(value_of(in, om->relapse_fever.field));
		r->objective = yes(value_of(in, om->relapse_objective.field));
		r->adjudicated = tri(value_of(in, om->relapse_adjudicated.field));
	}
}

static int
count_of(const inst *in, const field_ref *r)
{
	double x = number_of(value_of(in, r->field), -1);

	return x < 0 ? -1 : x > 1e6 ? 1000000 : (int)x;
}

static void
read_mri(const outcome_map *om, const instances *is, derived *d)
{
	size_t cap = 0;

	for (size_t i = 0; i < is->n; i++) {
		const inst *in = &is->v[i];
		mri_scan *m;
		long day;

		if (!of_form(in, &om->mri_date))
			continue;
		if ((day = day_of(d, value_of(in, om->mri_date.field))) == OUTCOME_NO_DAY) {
			d->skipped++;
			continue;
		}
		xgrow(&d->mri, sizeof *d->mri, &cap, d->nmri);
		m = &d->mri[d->nmri++];
		m->day = day;
		m->gd = count_of(in, &om->mri_gd);
		m->new_t2 = count_of(in, &om->mri_new_t2);
		m->enl_t2 = count_of(in, &om->mri_enlarging_t2);
		m->sp_new = count_of(in, &om->mri_spinal_new);
		m->rebaseline = yes(value_of(in, om->mri_rebaseline.field));
	}
}

static void
read_death(const outcome_map *om, const instances *is, const subject_row *subject,
    derived *d)
{
	outcome_subject *s = &d->subject;

	s->death_day = OUTCOME_NO_DAY;
	s->death_trm = OUTCOME_UNKNOWN;
	for (size_t i = 0; i < is->n; i++) {
		const inst *in = &is->v[i];
		long day;

		if (!of_form(in, &om->death_date))
			continue;
		day = day_of(d, value_of(in, om->death_date.field));
		if (day != OUTCOME_NO_DAY && (s->death_day == OUTCOME_NO_DAY || day < s->death_day)) {
			s->death_day = day;
			s->death_trm = tri(value_of(in, om->death_trm.field));
		}
	}
	if (s->death_day == OUTCOME_NO_DAY && subject != NULL && d->has_day0 &&
	    str_eq(subject->status, subject_state_name(SUBJ_DIED)))
		s->death_day = day_of(d, subject->status_date);
}

static long
rescue_day(const outcome_map *om, const instances *is, const derived *d)
{
	long best = OUTCOME_NO_DAY;

	for (size_t r = 0; r < om->rescue_start.n; r++) {
		const field_ref *ref = &om->rescue_start.refs[r];

		for (size_t i = 0; i < is->n; i++) {
			long day;

			if (!of_form(&is->v[i], ref))
				continue;
			day = first_day_after0(d, value_of(&is->v[i], ref->field));
			if (day != OUTCOME_NO_DAY && (best == OUTCOME_NO_DAY || day < best))
				best = day;
		}
	}
	return best;
}

static int
visit_cmp(const void *pa, const void *pb)
{
	const derived_visit *a = pa, *b = pb;

	return (a->day > b->day) - (a->day < b->day);
}

static void
read_visits(const study_def *sd, const outcome_map *om, const instances *is, derived *d)
{
	size_t cap = 0, k = 0;

	for (size_t r = 0; r < om->last_visit.n; r++) {
		const field_ref *ref = &om->last_visit.refs[r];

		for (size_t i = 0; i < is->n; i++) {
			const inst *in = &is->v[i];
			long day;

			if (!of_form(in, ref))
				continue;
			day = day_of(d, value_of(in, ref->field));
			if (day == OUTCOME_NO_DAY || day < 1)
				continue;
			xgrow(&d->visits, sizeof *d->visits, &cap, d->nvisits);
			memset(&d->visits[d->nvisits], 0, sizeof *d->visits);
			d->visits[d->nvisits].event = study_event(sd, in->event);
			d->visits[d->nvisits].event_repeat = in->event_repeat;
			d->visits[d->nvisits].day = day;
			d->nvisits++;
		}
	}
	if (d->nvisits == 0)
		return;
	/* By day (stable for equal days: the first found stays), one per day. */
	for (size_t i = 1; i < d->nvisits; i++) {
		derived_visit t = d->visits[i];
		size_t j = i;

		while (j > 0 && visit_cmp(&d->visits[j - 1], &t) > 0) {
			d->visits[j] = d->visits[j - 1];
			j--;
		}
		d->visits[j] = t;
	}
	for (size_t i = 0; i < d->nvisits; i++)
		if (k == 0 || d->visits[i].day != d->visits[k - 1].day)
			d->visits[k++] = d->visits[i];
	d->nvisits = k;
}

crf_status
derive_subject(const study_def *sd, const subject_item *items, size_t n,
    const subject_row *subject, crf_date today, derived *out, crf_err *err)
{
	const outcome_map *om = &sd->outcomes;
	outcome_subject *s = &out->subject;
	instances is;
	long end;
	crf_status st;

	memset(out, 0, sizeof *out);
	outcome_settings_default(&out->settings);
	if (!om->present)
		return crf_fail(err, CRF_ECONFIG, "the study has no [outcomes] section in "
		    "study.ini: which fields feed the derived values is not known");
	if ((st = outcome_settings_load(&out->settings, sd->constants, sd->nconstants,
	    err)) != CRF_OK)
		return st;

	out->baseline_edss = -1;
	out->baseline_day = OUTCOME_NO_DAY;
	out->followup = OUTCOME_NO_DAY;
	instances_build(items, n, &is);
	find_day0(sd, &is, out);
	if (out->has_day0) {
		read_cbc(om, &is, out);
		read_relapses(om, &is, out);
		read_mri(om, &is, out);
	}
	read_edss(om, &is, out);
	read_death(om, &is, subject, out);
	s->baseline_edss = out->baseline_edss;
	s->edss = out->edss;
	s->nedss = out->nedss;
	s->relapses = out->relapses;
	s->nrelapses = out->nrelapses;
	s->mri = out->mri;
	s->nmri = out->nmri;
	s->last_visit = latest_day(out, &is, &om->last_visit);
	s->last_contact = latest_day(out, &is, &om->last_contact);
	s->rescue_day = rescue_day(om, &is, out);
	if (out->has_day0)
		read_visits(sd, om, &is, out);

	if (!out->has_day0) {
		out->eng_status = out->ep_status = CRF_ENOENT;
		snprintf(out->eng_err.msg, sizeof out->eng_err.msg, "day 0 (%s.%s.%s) is not "
		    "entered yet", sd->anchor_event ? sd->anchor_event->id : "?",
		    sd->anchor_form ? sd->anchor_form->id : "?",
		    sd->anchor_field ? sd->anchor_field->id : "?");
		out->ep_err = out->eng_err;
		instances_free(&is);
		return CRF_OK;
	}
	/* Follow-up: death, else the end of study, else today. */
	end = OUTCOME_NO_DAY;
	for (size_t i = 0; om->end_date.form && i < is.n; i++)
		if (of_form(&is.v[i], &om->end_date))
			end = later(end, day_of(out, value_of(&is.v[i], om->end_date.field)));
	if (s->death_day != OUTCOME_NO_DAY)
		out->followup = s->death_day;
	else if (end != OUTCOME_NO_DAY)
		out->followup = end;
	else
		out->followup = outcome_day(out->day0, today);
	instances_free(&is);

	out->eng_status = outcome_engraftment(out->cbc, out->ncbc, out->followup,
	    &out->settings, &out->eng, &out->eng_err);
	out->ep_status = outcome_endpoints_eval(s, &out->settings, &out->ep, &out->ep_err);
	for (size_t i = 0; i < out->nvisits && out->ep_status == CRF_OK; i++) {
		derived_visit *v = &out->visits[i];
		long from = i == 0 ? 0 : out->visits[i - 1].day;

		v->evaluated = outcome_neda3(s, from, v->day, &out->settings, &v->neda,
		    NULL) == CRF_OK && outcome_neda3(s, 0, v->day, &out->settings,
		    &v->cumulative, NULL) == CRF_OK;
	}
	return CRF_OK;
}

void
derived_free(derived *d)
{
	free(d->cbc);
	free(d->edss);
	free(d->relapses);
	free(d->mri);
	free(d->visits);
	memset(d, 0, sizeof *d);
}

int
derive_progression_level(const derived *d)
{
	prog_result pr;

	/* The evaluator's own threshold for this baseline (no assessments). */
	if (d->baseline_edss < 0 || outcome_progression(NULL, 0, d->baseline_edss, NULL, 0,
	    &d->settings, &pr, NULL) != CRF_OK || pr.state == PROG_NOT_EVALUABLE)
		return -1;
	return d->baseline_edss + pr.threshold;
}
