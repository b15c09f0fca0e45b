/* eligibility.c - judging the eligibility criteria of a screened subject
 * (eligibility.h) from its eligibility form and the rest of its data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crf/eligibility.h"
#include "crf/lifecycle.h"
#include "crf/record.h"
#include "crf/util.h"

bool
eligibility_form(const study_def *sd, const form_def **form,
    const event_def **event)
{
	*form = NULL;
	*event = NULL;
	for (size_t i = 0; i < sd->nforms && *form == NULL; i++)
		for (size_t j = 0; j < sd->forms[i].nfields; j++)
			if (sd->forms[i].fields[j].criterion != CRITERION_NONE) {
				*form = &sd->forms[i];
				break;
			}
	for (size_t i = 0; *form != NULL && i < sd->nevents && *event == NULL; i++)
		for (size_t j = 0; j < sd->events[i].nforms; j++)
			if (sd->events[i].forms[j] == *form) {
				*event = &sd->events[i];
				break;
			}
	return *form != NULL && *event != NULL;
}

void
eligibility_clear(eligibility *e)
{
	if (e == NULL)
		return;
	free(e->items);
	memset(e, 0, sizeof *e);
}

/* The value of field f in r for a person: "45 years", "2.5", "". */
static void
evidence_text(const record *r, const field_def *f, char *buf, size_t size)
{
	const char *v = record_value(r, f->index);
	const char *m = record_missing(r, f->index);

	if (m != NULL)
		snprintf(buf, size, "[%s]", m);
	else if (v == NULL || *v == '\0')
		snprintf(buf, size, "not known yet");
	else if (f->unit != NULL)
		snprintf(buf, size, "%s %s", v, f->unit);
	else
		snprintf(buf, size, "%s", v);
}

static void
judge(elig_criterion *c)
{
	const char *want = c->exclusion ? "N" : "Y";
	const char *bad_derived = c->exclusion ? "the data say it applies" :
	    "the data say it is not met";
	int bad = c->exclusion ? 1 : 0;

	c->verdict = ELIG_PASS;
	c->why[0] = '\0';
	if (c->derived == bad) {
		c->verdict = ELIG_FAIL;
		if (c->evidence[0])
			snprintf(c->why, sizeof c->why, "%s (%s)", bad_derived, c->evidence);
		else
			snprintf(c->why, sizeof c->why, "%s", bad_derived);
	} else if (c->answer[0] == '\0') {
		c->verdict = ELIG_UNANSWERED;
		snprintf(c->why, sizeof c->why, "not answered by the investigator");
	} else if (strcmp(c->answer, want) != 0) {
		c->verdict = ELIG_FAIL;
		snprintf(c->why, sizeof c->why, "the investigator answered %s",
		    c->answer[0] == 'Y' ? "Yes" : "No");
	}
}

crf_status
eligibility_evaluate(const study_def *sd, store *st, long long subject_id,
    crf_date today, eligibility *out, crf_err *err)
{
	subject_item *items = NULL;
	size_t nitems = 0, cap = 0;
	form_data fd;
	casebook *cb;
	record *r;
	form_key key;
	crf_status cs;

	memset(out, 0, sizeof *out);
	if (!eligibility_form(sd, &out->form, &out->event))
		return crf_fail(err, CRF_ENOENT, "the study has no eligibility form "
		    "(no field has 'criterion =')");
	cs = store_load_subject_items(st, subject_id, &items, &nitems, err);
	if (cs != CRF_OK)
		return cs;
	key = (form_key){ subject_id, out->event->id, 1, out->form->id, 1 };
	cs = store_load_form(st, &key, &fd, err);
	if (cs != CRF_OK) {
		subject_items_free(items, nitems);
		return cs;
	}
	cb = casebook_new(sd, items, nitems, today);
	r = record_new(sd, out->form, out->event->id, 1, 1, &fd, cb);
	out->status = fd.status;
	for (size_t i = 0; i < out->form->nfields; i++) {
		const field_def *f = &out->form->fields[i];
		elig_criterion *c;
		const char *v;

		if (f->criterion == CRITERION_CONFIRMATION) {
			out->confirmed = str_eq(record_value(r, i), "Y");
			continue;
		}
		if (f->criterion == CRITERION_NONE)
			continue;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->items = xrealloc(out->items, cap * sizeof *out->items);
		}
		c = &out->items[out->n++];
		memset(c, 0, sizeof *c);
		c->field = f;
		c->exclusion = f->criterion == CRITERION_EXCLUSION;
		snprintf(c->answer, sizeof c->answer, "%s", record_value(r, i));
		c->derived = -1;
		if (f->derived != NULL) {
			v = record_value(r, f->derived->index);
			c->derived = str_eq(v, "Y") ? 1 : str_eq(v, "N") ? 0 : -1;
		}
		if (f->evidence != NULL)
			evidence_text(r, f->evidence, c->evidence, sizeof c->evidence);
		judge(c);
		if (c->verdict != ELIG_PASS)
			out->nfailing++;
	}
	/* Inclusion first, then exclusion, each in form order (stable). */
	for (size_t i = 1; i < out->n; i++)
		for (size_t j = i; j > 0 && out->items[j - 1].exclusion &&
		    !out->items[j].exclusion; j--) {
			elig_criterion t = out->items[j - 1];
			out->items[j - 1] = out->items[j];
			out->items[j] = t;
		}
	out->eligible = out->status == FORM_COMPLETE && out->nfailing == 0 &&
	    out->confirmed;
	record_free(r);
	casebook_free(cb);
	form_data_clear(&fd);
	subject_items_free(items, nitems);
	return CRF_OK;
}

void
eligibility_explain(const eligibility *e, char *buf, size_t size)
{
	strbuf sb = { 0 };

	if (e->form != NULL && e->status != FORM_COMPLETE)
		sb_addf(&sb, "the %s form is %s: it must be complete\n",
		    e->form->title.text[LANG_EN], form_status_name(e->status));
	for (size_t i = 0; i < e->n; i++)
		if (e->items[i].verdict != ELIG_PASS)
			sb_addf(&sb, "%s: %s\n",
			    e->items[i].field->label.text[LANG_EN], e->items[i].why);
	if (e->form != NULL && !e->confirmed)
		sb_addf(&sb, "the investigator has not confirmed eligibility\n");
	snprintf(buf, size, "%s", sb.s ? sb.s : "");
	if (size > 0 && sb.len > 0 && sb.len < size)
		buf[sb.len - 1] = '\0';    /* no final newline */
	sb_free(&sb);
}

crf_status
eligibility_enrol(const study_def *sd, store *st, long long subject_id,
    const char *date, crf_date today, char **study_no, eligibility *out,
    crf_err *err)
{
	eligibility local;
	eligibility *e = out != NULL ? out : &local;
	crf_status cs;

	if (study_no != NULL)
		*study_no = NULL;
	cs = eligibility_evaluate(sd, st, subject_id, today, e, err);
	if (cs == CRF_OK && !e->eligible) {
		char why[CRF_ERR_MAX - 64];

		eligibility_explain(e, why, sizeof why);
		cs = crf_fail(err, CRF_EDENIED, "cannot enrol: %s", why);
	}
	if (cs == CRF_OK)
		cs = store_change_subject(st, subject_id, SUBJECT_ENROL, date, NULL,
		    study_no, err);
	if (e == &local)
		eligibility_clear(&local);
	return cs;
}
