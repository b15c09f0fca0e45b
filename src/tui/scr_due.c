/*
 * scr_due.c - the coordinator's list of visits due this week or overdue:
 * every dated visit of every subject in screening or enrolled that is not
 * done and is past its window, in its window, or whose window opens within
 * the next days, sorted by target date.  Enter opens the subject's
 * casebook.  The model is schedule.h (schedule_visit).
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crf/date.h"
#include "crf/lifecycle.h"
#include "crf/record.h"
#include "crf/schedule.h"
#include "crf/screens.h"
#include "crf/util.h"

#define DUE_DAYS 7             /* "this week" */
#define DUE_DAYS_MAX 366

typedef struct due_line {
	long long subject_id;
	char *key;
	char *study_no;              /* NULL before enrolment */
	const event_def *ev;
	size_t ev_index;             /* schedule order */
	visit_status v;
} due_line;

typedef struct due_scr {
	due_line *lines;
	size_t n, cap;
	size_t sel, top;
	size_t page;
	int days;                    /* how many days ahead */
	crf_date today;
	size_t subjects;             /* active subjects looked at */
} due_scr;

static void
lines_free(due_scr *ds)
{
	for (size_t i = 0; i < ds->n; i++) {
		free(ds->lines[i].key);
		free(ds->lines[i].study_no);
	}
	free(ds->lines);
	ds->lines = NULL;
	ds->n = ds->cap = 0;
}

/* Is the visit one to list: overdue, in its window, or opening soon? */
static bool
listed(const due_scr *ds, const visit_status *v)
{
	if (v->state == VISIT_OVERDUE || v->state == VISIT_DUE)
		return true;
	return v->state == VISIT_NOT_YET && v->has_window &&
	    date_to_days(v->win.first) <= date_to_days(ds->today) + ds->days;
}

/* The visits of one subject to list. */
static void
add_subject(due_scr *ds, app *a, const subject_row *r)
{
	const study_def *sd = a->sd;
	form_row *rows = NULL;
	subject_item *items = NULL;
	size_t n = 0, nitems = 0;
	form_index ix;
	casebook *cb;
	const char *v;
	crf_date day0;
	crf_err e;

	if (sd->anchor_event == NULL)
		return;
	if (store_list_forms(a->st, r->id, &rows, &n, &e) != CRF_OK ||
	    store_load_subject_items(a->st, r->id, &items, &nitems, &e) != CRF_OK) {
		app_message(a, ST_ERROR, "Cannot read the data of %s: %s", r->key, e.msg);
		form_rows_free(rows, n);
		return;
	}
	form_index_init(&ix, rows, n);
	cb = casebook_new(sd, items, nitems, ds->today);
	subject_items_free(items, nitems);
	v = casebook_value(cb, sd->anchor_event->id, 1, sd->anchor_form, 1, sd->anchor_field);
	if (v != NULL && date_parse_iso(v, false, &day0) && date_precision(day0) == DATE_DAY) {
		for (size_t i = 0; i < sd->nevents; i++) {
			const event_def *ev = &sd->events[i];
			visit_status vs;

			if (!ev->has_day || ev->repeating)
				continue;
			schedule_visit(ev, 1, day0, &ix, cb, ds->today, &vs);
			if (!listed(ds, &vs))
				continue;
			xgrow(&ds->lines, sizeof *ds->lines, &ds->cap, ds->n + 1);
			ds->lines[ds->n++] = (due_line){ r->id, xstrdup(r->key), xstrdup(r->study_no),
			    ev, i, vs };
		}
	}
	casebook_free(cb);
	form_index_free(&ix);
}

static int
line_cmp(const void *pa, const void *pb)
{
	const due_line *a = pa, *b = pb;
	long da = date_to_days(a->v.win.target), db = date_to_days(b->v.win.target);
	int c;

	if (da != db)
		return da < db ? -1 : 1;
	if ((c = strcmp(a->key, b->key)) != 0)
		return c;
	return a->ev_index < b->ev_index ? -1 : a->ev_index > b->ev_index;
}

static void
due_reload(due_scr *ds, app *a)
{
	subject_row *rows;
	size_t n;
	crf_err e;
	const event_def *sel_ev = ds->n ? ds->lines[ds->sel].ev : NULL;
	long long sel_id = ds->n ? ds->lines[ds->sel].subject_id : 0;

	lines_free(ds);
	ds->today = clock_today();
	ds->subjects = 0;
	if (store_list_subjects(a->st, &rows, &n, &e) != CRF_OK) {
		app_message(a, ST_ERROR, "Cannot read the subjects: %s", e.msg);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (subject_status_active(rows[i].status)) {
			ds->subjects++;
			add_subject(ds, a, &rows[i]);
		}
	subject_rows_free(rows, n);
	if (ds->n > 1)
		qsort(ds->lines, ds->n, sizeof *ds->lines, line_cmp);
	/* Back on the visit the cursor was on, when it is still listed. */
	ds->sel = 0;
	for (size_t i = 0; i < ds->n; i++)
		if (ds->lines[i].subject_id == sel_id && ds->lines[i].ev == sel_ev)
			ds->sel = i;
}

/* Window suffix: "±7", "-7/+14", or "on the day". */
static void
window_text(const event_def *ev, char *buf, size_t size)
{
	if (ev->win_before == 0 && ev->win_after == 0)
		snprintf(buf, size, "0");
	else if (ev->win_before == ev->win_after)
		snprintf(buf, size, "%s%d", ui_utf8() ? "±" : "+-", ev->win_after);
	else
		snprintf(buf, size, "-%d/+%d", ev->win_before, ev->win_after);
}

/* "overdue 12 d", "due", "not yet". */
static void
state_text(const due_scr *ds, const due_line *l, char *buf, size_t size)
{
	long t = date_to_days(ds->today);

	if (l->v.state == VISIT_OVERDUE)
		snprintf(buf, size, "overdue %ld d", t - date_to_days(l->v.win.last));
	else
		snprintf(buf, size, "%s", visit_state_word(&l->v));
}

/* Column widths: subject, study number, visit, target, window, state. */
enum { DC_SUBJ, DC_STUDY, DC_VISIT, DC_TARGET, DC_WIN, DC_STATE, DC_N };

static void
due_columns(const due_scr *ds, app *a, int cols, int w[DC_N])
{
	int subj = 10, study = 9, target = 10, win = 6, state = 7;
	char buf[64];

	for (size_t i = 0; i < ds->n; i++) {
		const due_line *l = &ds->lines[i];
		int k;

		if ((k = utf8_width(l->key)) > subj)
			subj = k;
		if (l->study_no && (k = utf8_width(l->study_no)) > study)
			study = k;
		date_format_display(l->v.win.target, a->cfg->date_format, buf, sizeof buf);
		if ((k = utf8_width(buf)) > target)
			target = k;
		window_text(l->ev, buf, sizeof buf);
		if ((k = utf8_width(buf)) > win)
			win = k;
		state_text(ds, l, buf, sizeof buf);
		if ((k = utf8_width(buf)) > state)
			state = k;
	}
	w[DC_SUBJ] = subj + 1;
	w[DC_STUDY] = study + 1;
	w[DC_TARGET] = target + 1;
	w[DC_WIN] = win + 1;
	w[DC_STATE] = state;
	w[DC_VISIT] = cols - w[DC_SUBJ] - w[DC_STUDY] - w[DC_TARGET] - w[DC_WIN] - w[DC_STATE];
	if (w[DC_VISIT] < 6)
		w[DC_VISIT] = 6;
}

static void
due_draw(screen *s, app *a)
{
	due_scr *ds = s->priv;
	int cols = ui_cols(), first = 3, last = ui_rows() - 3, vis = last - 1 - first;
	int w[DC_N], x;
	char until[32], buf[512];
	const char *dot = ui_utf8() ? " · " : " - ";
	size_t overdue = 0;

	app_title(a, "Visits due");
	ui_no_cursor();
	for (size_t i = 0; i < ds->n; i++)
		if (ds->lines[i].v.state == VISIT_OVERDUE)
			overdue++;
	date_format_display(date_add_days(ds->today, ds->days), a->cfg->date_format, until,
	    sizeof until);
	x = ui_putf(1, 0, cols, ST_NORMAL, "Overdue, or due by %s (%d day%s)   ", until, ds->days,
	    ds->days == 1 ? "" : "s");
	ui_putf(1, x, cols - x, ST_DIM, "%zu visit%s (%zu overdue) of %zu subject%s", ds->n,
	    ds->n == 1 ? "" : "s", overdue, ds->subjects, ds->subjects == 1 ? "" : "s");

	due_columns(ds, a, cols, w);
	ui_fill(2, 0, cols, ST_HEADER);
	{
		static const char *const head[DC_N] = { "Subject", "Study no.", "Visit", "Target",
		    "Window", "State" };
		x = 0;
		for (int c = 0; c < DC_N; c++) {
			ui_put(2, x, c + 1 < DC_N ? w[c] - 1 : cols - x, ST_HEADER, head[c]);
			x += w[c];
		}
	}
	if (ds->n == 0) {
		ui_put(first + 1, 2, cols - 2, ST_DIM, "No visit is overdue or due in these days. "
		    "^V (F9) looks further ahead.");
		return;
	}
	if (vis < 1)
		vis = 1;
	ds->page = (size_t)vis;
	if (ds->sel < ds->top)
		ds->top = ds->sel;
	if (ds->sel >= ds->top + (size_t)vis)
		ds->top = ds->sel - (size_t)vis + 1;
	for (int i = 0; i < vis && ds->top + (size_t)i < ds->n; i++) {
		size_t idx = ds->top + (size_t)i;
		const due_line *l = &ds->lines[idx];
		bool sel = idx == ds->sel;
		ui_style st = sel ? ST_SELECTED : ST_NORMAL;
		int y = first + i;

		if (sel)
			ui_fill(y, 0, cols, ST_SELECTED);
		x = 0;
		ui_put(y, x, w[DC_SUBJ] - 1, st, l->key);
		x += w[DC_SUBJ];
		ui_put(y, x, w[DC_STUDY] - 1, st, l->study_no ? l->study_no : "");
		x += w[DC_STUDY];
		ui_putf(y, x, w[DC_VISIT] - 1, st, "%s %s", l->ev->id,
		    i18n_get(&l->ev->title, a->cfg->lang));
		x += w[DC_VISIT];
		date_format_display(l->v.win.target, a->cfg->date_format, buf, sizeof buf);
		ui_put(y, x, w[DC_TARGET] - 1, st, buf);
		x += w[DC_TARGET];
		window_text(l->ev, buf, sizeof buf);
		ui_put(y, x, w[DC_WIN] - 1, st, buf);
		x += w[DC_WIN];
		state_text(ds, l, buf, sizeof buf);
		ui_put(y, x, cols - x, sel ? st : l->v.state == VISIT_OVERDUE ? ST_WARN : ST_NORMAL,
		    buf);
	}
	/* The selected visit in words. */
	{
		const due_line *l = &ds->lines[ds->sel];
		char d1[32], d2[32], d3[32];

		date_format_display(l->v.win.target, a->cfg->date_format, d1, sizeof d1);
		date_format_display(l->v.win.first, a->cfg->date_format, d2, sizeof d2);
		date_format_display(l->v.win.last, a->cfg->date_format, d3, sizeof d3);
		if (date_cmp(l->v.win.first, l->v.win.last) == 0)
			snprintf(buf, sizeof buf, "%s %s%son %s", l->key, l->ev->id, dot, d1);
		else
			snprintf(buf, sizeof buf, "%s %s%starget %s, window %s to %s", l->key,
			    l->ev->id, dot, d1, d2, d3);
		ui_put(last, 0, cols, ST_NORMAL, buf);
	}
}

/* ^V: how many days ahead. */
static void
due_filter(due_scr *ds, app *a)
{
	char in[16], init[16];
	long days;

	snprintf(init, sizeof init, "%d", ds->days);
	if (!dlg_input_from(a, "Visits due", "Due within how many days:", false, init, in,
	    sizeof in))
		return;
	str_trim(in);
	if (!parse_long(in, &days) || days < 0 || days > DUE_DAYS_MAX) {
		app_message(a, ST_ERROR, "Type a number of days from 0 to %d, such as 7",
		    DUE_DAYS_MAX);
		return;
	}
	ds->days = (int)days;
	due_reload(ds, a);
}

static scr_result
due_handle(screen *s, app *a, action act, const ui_key *k)
{
	due_scr *ds = s->priv;
	size_t page = ds->page ? ds->page : 1;

	switch (act) {
	case ACT_BACK:
	case ACT_CANCEL:
		return SCR_POP;
	case ACT_NEXT:
		if (ds->sel + 1 < ds->n)
			ds->sel++;
		break;
	case ACT_PREV:
		if (ds->sel > 0)
			ds->sel--;
		break;
	case ACT_PAGE_DOWN:
		ds->sel = ds->sel + page < ds->n ? ds->sel + page : ds->n ? ds->n - 1 : 0;
		break;
	case ACT_PAGE_UP:
		ds->sel = ds->sel > page ? ds->sel - page : 0;
		break;
	case ACT_ENTER:
		if (ds->n)
			app_push(a, scr_casebook_new(a, ds->lines[ds->sel].subject_id,
			    ds->lines[ds->sel].key));
		break;
	case ACT_FILTER:
		due_filter(ds, a);
		break;
	case ACT_NONE:
		if (k->is_key && k->ch == KEY_HOME)
			ds->sel = 0;
		else if (k->is_key && k->ch == KEY_END)
			ds->sel = ds->n ? ds->n - 1 : 0;
		break;
	default:
		break;
	}
	return SCR_STAY;
}

static void
due_resume(screen *s, app *a)
{
	due_reload(s->priv, a);
}

static void
due_free(screen *s)
{
	due_scr *ds = s->priv;

	lines_free(ds);
	free(ds);
}

static const screen_ops due_ops = {
	.name = "due",
	.keyctx = KC_DUE,
	.draw = due_draw,
	.handle = due_handle,
	.resume = due_resume,
	.tick = due_resume,
	.free = due_free,
};

screen *
scr_due_new(app *a)
{
	due_scr *ds = xcalloc(1, sizeof *ds);

	ds->days = DUE_DAYS;
	due_reload(ds, a);
	return screen_new(&due_ops, ds);
}
