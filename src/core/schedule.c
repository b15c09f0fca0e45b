/* schedule.c - where a subject stands in the schedule; see schedule.h. */
#include <stdlib.h>
#include <string.h>

#include "crf/schedule.h"
#include "crf/util.h"
#include "crf/validate.h"

/* ---- Index ---------------------------------------------------------------- */

static int
key_cmp(const char *ev_a, int er_a, const char *fm_a, int fr_a,
    const char *ev_b, int er_b, const char *fm_b, int fr_b)
{
	int c = strcmp(ev_a, ev_b);

	if (c)
		return c;
	if (er_a != er_b)
		return er_a < er_b ? -1 : 1;
	if (fm_a && fm_b && (c = strcmp(fm_a, fm_b)) != 0)
		return c;
	if (fm_a && fm_b && fr_a != fr_b)
		return fr_a < fr_b ? -1 : 1;
	return 0;
}

static int
row_cmp(const void *pa, const void *pb)
{
	const form_row *a = pa, *b = pb;

	return key_cmp(a->event, a->event_repeat, a->form, a->form_repeat,
	    b->event, b->event_repeat, b->form, b->form_repeat);
}

void
form_index_init(form_index *ix, form_row *rows, size_t n)
{
	ix->rows = rows;
	ix->n = rows ? n : 0;
	for (size_t i = 0; i < ix->n; i++) {
		/* The store never returns NULL here; keep look-ups safe anyway. */
		if (rows[i].event == NULL)
			rows[i].event = xstrdup("");
		if (rows[i].form == NULL)
			rows[i].form = xstrdup("");
	}
	if (ix->n > 1)
		qsort(ix->rows, ix->n, sizeof *ix->rows, row_cmp);
}

void
form_index_free(form_index *ix)
{
	form_rows_free(ix->rows, ix->n);
	ix->rows = NULL;
	ix->n = 0;
}

/* First row not before the key (form NULL: the first row of the event
 * instance). */
static size_t
lower_bound(const form_index *ix, const char *event, int erep, const char *form,
    int frep)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const form_row *r = &ix->rows[mid];
		int c = key_cmp(r->event, r->event_repeat, form ? r->form : NULL,
		    r->form_repeat, event, erep, form, frep);

		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

form_status
form_index_status(const form_index *ix, const char *event, int event_repeat,
    const char *form, int form_repeat)
{
	size_t i = lower_bound(ix, event, event_repeat, form, form_repeat);

	if (i < ix->n && key_cmp(ix->rows[i].event, ix->rows[i].event_repeat,
	    ix->rows[i].form, ix->rows[i].form_repeat, event, event_repeat, form,
	    form_repeat) == 0)
		return ix->rows[i].status;
	return FORM_NOT_STARTED;
}

bool
form_index_event_started(const form_index *ix, const char *event, int event_repeat)
{
	size_t i = lower_bound(ix, event, event_repeat, NULL, 0);

	return i < ix->n && strcmp(ix->rows[i].event, event) == 0 &&
	    ix->rows[i].event_repeat == event_repeat;
}

int
form_index_event_repeats(const form_index *ix, const char *event)
{
	size_t i = lower_bound(ix, event, 0, NULL, 0);
	int latest = 0;

	for (; i < ix->n && strcmp(ix->rows[i].event, event) == 0; i++)
		if (ix->rows[i].event_repeat > latest)
			latest = ix->rows[i].event_repeat;
	return latest;
}

const form_row *
form_index_log(const form_index *ix, const char *form, size_t *n)
{
	size_t i = lower_bound(ix, "", 0, form, 0), j = i;

	while (j < ix->n && ix->rows[j].event[0] == '\0' &&
	    ix->rows[j].event_repeat == 0 && strcmp(ix->rows[j].form, form) == 0)
		j++;
	*n = j - i;
	return j > i ? &ix->rows[i] : NULL;
}

/* ---- Schedule --------------------------------------------------------------- */

bool
schedule_window(const event_def *ev, crf_date day0, event_window *out)
{
	if (!ev->has_day || date_precision(day0) != DATE_DAY)
		return false;
	out->target = date_add_days(day0, ev->day);
	out->first = date_add_days(out->target, -(long)ev->win_before);
	out->last = date_add_days(out->target, ev->win_after);
	return true;
}

const event_def *
schedule_current(const study_def *sd, const form_index *ix)
{
	const event_def *cur = NULL, *rep = NULL;

	for (size_t i = 0; i < sd->nevents; i++) {
		const event_def *ev = &sd->events[i];

		if (form_index_event_repeats(ix, ev->id) == 0)
			continue;
		if (!ev->repeating)
			cur = ev;
		else if (rep == NULL)
			rep = ev;
	}
	return cur ? cur : rep;
}

bool
schedule_next_due(const study_def *sd, const form_index *ix, crf_date day0,
    crf_date today, visit_due *out)
{
	const event_def *cur = schedule_current(sd, ix);
	size_t from = cur && !cur->repeating ? cur->order + 1 : 0;

	memset(out, 0, sizeof *out);
	for (size_t i = from; i < sd->nevents; i++) {
		const event_def *ev = &sd->events[i];

		if (ev->repeating || !ev->has_day || form_index_event_repeats(ix, ev->id))
			continue;
		if (!schedule_window(ev, day0, &out->win))
			return false;
		out->event = ev;
		out->overdue = date_precision(today) == DATE_DAY &&
		    date_to_days(today) > date_to_days(out->win.last);
		return true;
	}
	return false;
}

void
schedule_visit(const event_def *ev, int event_repeat, crf_date day0,
    const form_index *ix, const casebook *cb, crf_date today,
    visit_status *out)
{
	const char *v = NULL;
	bool known_today = date_precision(today) == DATE_DAY;
	long t;

	memset(out, 0, sizeof *out);
	out->started = ix != NULL && form_index_event_started(ix, ev->id,
	    event_repeat);
	if (cb != NULL && ev->visit_field != NULL)
		v = casebook_value(cb, ev->id, event_repeat, ev->visit_form, 1,
		    ev->visit_field);
	if (v != NULL && !date_parse_iso(v, false, &out->done))
		v = NULL;
	if (!ev->repeating && date_precision(day0) == DATE_DAY)
		out->has_window = schedule_window(ev, day0, &out->win);
	if (!out->has_window) {
		out->state = VISIT_UNSCHEDULED;
		return;
	}
	if (v != NULL) {
		long d = date_to_days(out->done);

		if (d < date_to_days(out->win.first)) {
			out->state = VISIT_EARLY;
			out->days_out = date_to_days(out->win.first) - d;
		} else if (d > date_to_days(out->win.last)) {
			out->state = VISIT_LATE;
			out->days_out = d - date_to_days(out->win.last);
		} else {
			out->state = VISIT_DONE;
		}
		return;
	}
	if (out->started) {
		out->state = VISIT_DONE_UNDATED;
		return;
	}
	if (!known_today) {
		out->state = VISIT_NOT_YET;
		return;
	}
	t = date_to_days(today);
	if (t < date_to_days(out->win.first))
		out->state = VISIT_NOT_YET;
	else if (t > date_to_days(out->win.last))
		out->state = VISIT_OVERDUE;
	else
		out->state = VISIT_DUE;
}

const char *
visit_state_word(const visit_status *v)
{
	switch (v->state) {
	case VISIT_UNSCHEDULED: return v->started ? "started" : "not done";
	case VISIT_NOT_YET: return "not yet";
	case VISIT_DUE: return "due";
	case VISIT_OVERDUE: return "overdue";
	case VISIT_DONE: return "done";
	case VISIT_EARLY: return "early";
	case VISIT_LATE: return "late";
	case VISIT_DONE_UNDATED: return "no date";
	}
	return "";
}

/* ---- Log entries ---------------------------------------------------------------- */

void
schedule_log_label(const casebook *cb, const form_def *log, int form_repeat,
    const char *date_fmt, crf_lang lang, char *buf, size_t size)
{
	if (size == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < log->nfields; i++) {
		const field_def *f = &log->fields[i];
		const char *v;

		if (f->type == FT_INFO)
			continue;
		v = casebook_value(cb, "", 0, log, form_repeat, f);
		if (v && *v) {
			validate_display(f, v, date_fmt, lang, buf, size);
			return;
		}
	}
}
