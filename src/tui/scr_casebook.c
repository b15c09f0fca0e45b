/* scr_casebook.c - one subject: events in schedule order with the status
 * of their forms, and the repeating logs with their counts. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crf/lifecycle.h"
#include "crf/print.h"
#include "crf/schedule.h"
#include "crf/screens.h"
#include "crf/util.h"

typedef struct cb_row {
	const event_def *ev;         /* NULL: the logs row */
	int erep;                    /* event repeat shown (from 1) */
	bool no_visit;               /* repeating event without any visit yet */
} cb_row;

typedef struct casebook_scr {
	long long id;
	char *key;
	char *status;                /* the subject's status */
	char *status_line;           /* "enrolled 2026-03-05" (status_words) */
	char *study_no;              /* NULL before enrolment */
	char *reason;                /* of a screen failure, withdrawal, death */
	crf_date today;
	form_index ix;
	casebook *cb;
	bool day0_known;
	crf_date day0;
	bool due_known;
	visit_due due;
	cb_row *rows;                /* events, then the logs row */
	size_t nrows;
	size_t row, col;             /* the cursor */
	size_t top;                  /* first event row shown */
	size_t page;                 /* event rows shown at the last draw */
	query_marks *qm;             /* the subject's queries not closed */
	review *rv;                  /* its signatures and locks (scr_signoff.c) */
	bool review_line;            /* anything signed, locked or verified */
} casebook_scr;

/* Column layout of the event rows, computed for each draw. */
typedef struct layout {
	int idw;                     /* row label ("m12", "uns#2") */
	int statew;                  /* visit state ("due", "late 3 d"), 0 when none */
	int titlew;                  /* event title, 0 when there is no room */
	int datew;                   /* target date and window, 0 when none */
	bool window;                 /* the window in the date cell (else only
	                                on the detail line) */
	int formsx;                  /* where the forms start */
} layout;

static const char *
form_glyph(form_status st)
{
	if (st >= FORM_COMPLETE)
		return ui_utf8() ? "●" : "[x]";
	if (st == FORM_INCOMPLETE)
		return ui_utf8() ? "◐" : "[/]";
	return ui_utf8() ? "○" : "[ ]";
}

static ui_style
form_style(form_status st)
{
	return st >= FORM_COMPLETE ? ST_OK : st == FORM_INCOMPLETE ? ST_WARN : ST_NORMAL;
}

static bool
is_logs(const cb_row *r)
{
	return r->ev == NULL;
}

/* Items on a row: forms of the event, or the logs. */
static size_t
row_items(app *a, const cb_row *r)
{
	return is_logs(r) ? a->sd->nlogs : r->ev->nforms;
}

static form_status
item_status(const casebook_scr *cs, const cb_row *r, size_t i)
{
	return form_index_status(&cs->ix, r->ev->id, r->erep, r->ev->forms[i]->id, 1);
}

static void
row_label(const cb_row *r, char *buf, size_t size)
{
	if (is_logs(r))
		snprintf(buf, size, "logs");
	else if (r->ev->repeating && !r->no_visit)
		snprintf(buf, size, "%s#%d", r->ev->id, r->erep);
	else
		snprintf(buf, size, "%s", r->ev->id);
}

/* Window suffix: "±7", "-7/+14" or "". */
static void
window_text(const event_def *ev, char *buf, size_t size)
{
	if (ev->win_before == 0 && ev->win_after == 0)
		buf[0] = '\0';
	else if (ev->win_before == ev->win_after)
		snprintf(buf, size, "%s%d", ui_utf8() ? "±" : "+-", ev->win_after);
	else
		snprintf(buf, size, "-%d/+%d", ev->win_before, ev->win_after);
}

/* The target cell of an event row: "2026-10-31 ±7", or "day 30 ±7"
 * while day 0 is not known, or "" for events without a day; without the
 * window when with_window is false (narrow rows). */
static void
date_cell(const casebook_scr *cs, app *a, const event_def *ev, bool with_window, char *buf,
    size_t size)
{
	char win[16], date[32];
	event_window w;

	buf[0] = '\0';
	if (ev == NULL || !ev->has_day)
		return;
	window_text(ev, win, sizeof win);
	if (!with_window)
		win[0] = '\0';
	if (cs->day0_known && schedule_window(ev, cs->day0, &w)) {
		date_format_display(w.target, a->cfg->date_format, date, sizeof date);
		snprintf(buf, size, "%s%s%s", date, win[0] ? " " : "", win);
	} else {
		snprintf(buf, size, "day %d%s%s", ev->day, win[0] ? " " : "", win);
	}
}

/* Is ev before day 0 in the schedule (mobilisation, collection, ...)? */
static bool
before_anchor(app *a, const event_def *ev)
{
	const event_def *anchor = a->sd->anchor_event;

	return anchor != NULL && ev < anchor && ev >= a->sd->events;
}

/* Where the visit of row r stands (schedule_visit). */
static void
row_visit(const casebook_scr *cs, const cb_row *r, visit_status *v)
{
	crf_date none = { 0, 0, 0 };

	schedule_visit(r->ev, r->erep, cs->day0_known ? cs->day0 : none, &cs->ix, cs->cb,
	    cs->today, v);
}

/* Every form of the event instance complete? */
static bool
row_complete(const casebook_scr *cs, const cb_row *r)
{
	for (size_t i = 0; i < r->ev->nforms; i++)
		if (item_status(cs, r, i) < FORM_COMPLETE)
			return false;
	return r->ev->nforms > 0;
}

/*
 * The state cell of an event row: for a dated visit once day 0 is known
 * "due", "overdue", "done", "early 3 d", "late 12 d", "not yet", "no date"
 * (schedule_visit); for a visit without a target, "done" (its visit date
 * entered, or every form complete), "started", and for the events before
 * day 0 also "not done"; "" for the rest.  A subject no longer followed
 * (screen failure, withdrawn, ...) has nothing due or overdue.  *st its
 * style.
 */
static void
state_cell(const casebook_scr *cs, app *a, const cb_row *r, char *buf, size_t size,
    ui_style *st)
{
	visit_status v;

	buf[0] = '\0';
	*st = ST_NORMAL;
	if (is_logs(r) || r->no_visit)
		return;
	row_visit(cs, r, &v);
	switch (v.state) {
	case VISIT_UNSCHEDULED:
		if (date_precision(v.done) != DATE_NONE || row_complete(cs, r)) {
			snprintf(buf, size, "done");
			*st = ST_OK;
		} else if (v.started) {
			snprintf(buf, size, "started");
		} else if (before_anchor(a, r->ev)) {
			snprintf(buf, size, "not done");
		}
		return;
	case VISIT_EARLY:
	case VISIT_LATE:
		snprintf(buf, size, "%s %ld d", visit_state_word(&v), v.days_out);
		*st = ST_WARN;
		return;
	case VISIT_NOT_YET:
	case VISIT_DUE:
	case VISIT_OVERDUE:
		if (!subject_status_active(cs->status))
			return;
		*st = v.state == VISIT_OVERDUE ? ST_WARN : ST_NORMAL;
		break;
	case VISIT_DONE:
		*st = ST_OK;
		break;
	case VISIT_DONE_UNDATED:
		*st = ST_WARN;
		break;
	}
	snprintf(buf, size, "%s", visit_state_word(&v));
}

/* The query mark after form i's status glyph: "?2" (two not closed, one
 * open at least), "+1" (answered), "" (none).  *open: any is open. */
static void
form_queries(const casebook_scr *cs, const cb_row *r, size_t i, char *buf, size_t size,
    bool *open)
{
	int o = 0, an = 0;

	if (!r->no_visit)
		query_marks_form(cs->qm, r->ev->id, r->erep, r->ev->forms[i]->id, 1, &o, &an);
	query_mark_text(o, an, buf, size);
	if (open)
		*open = o > 0;
}

/* The review mark after the query mark: "!" changed since signed, "L"
 * locked, "S" signed, "V" verified, "" (scr_signoff.c).  *st its style
 * (may be NULL). */
static const char *
form_review(const casebook_scr *cs, const cb_row *r, size_t i, ui_style *st)
{
	form_key k = { cs->id, r->ev->id, r->erep, r->ev->forms[i]->id, 1 };
	ui_style dummy;

	if (r->no_visit)
		return "";
	return review_mark(cs->rv, &cs->ix, &k, st ? st : &dummy);
}

/* Width of one form item: id, glyph, query mark, review mark. */
static int
item_width(const casebook_scr *cs, const cb_row *r, size_t i)
{
	char q[16];

	form_queries(cs, r, i, q, sizeof q, NULL);
	return utf8_width(r->ev->forms[i]->id) + utf8_width(form_glyph(FORM_NOT_STARTED)) +
	    utf8_width(q) + utf8_width(form_review(cs, r, i, NULL));
}

static int
forms_width(const casebook_scr *cs, const cb_row *r)
{
	int w = 0;

	for (size_t i = 0; i < r->ev->nforms; i++)
		w += item_width(cs, r, i) + (i ? 1 : 0);
	return w;
}

/* Widths for a layout with or without the window in the date cell. */
static void
layout_widths(const casebook_scr *cs, app *a, int cols, bool window, layout *L)
{
	int wall = 0, wdated = 0, maxtitle = 0, t;
	char buf[64];
	ui_style st;

	L->idw = 4;
	L->statew = 0;
	L->datew = 0;
	L->window = window;
	for (size_t i = 0; i + 1 < cs->nrows; i++) {
		const cb_row *r = &cs->rows[i];
		int fw = forms_width(cs, r), dw;

		row_label(r, buf, sizeof buf);
		if (utf8_width(buf) > L->idw)
			L->idw = utf8_width(buf);
		state_cell(cs, a, r, buf, sizeof buf, &st);
		if (utf8_width(buf) > L->statew)
			L->statew = utf8_width(buf);
		date_cell(cs, a, r->ev, window, buf, sizeof buf);
		dw = utf8_width(buf);
		if (dw > L->datew)
			L->datew = dw;
		if (fw > wall)
			wall = fw;
		if (dw && fw > wdated)
			wdated = fw;
		t = utf8_width(i18n_get(&r->ev->title, a->cfg->lang));
		if (t > maxtitle)
			maxtitle = t;
	}
	if (L->statew > 0 && L->statew < 5)
		L->statew = 5;      /* "State" */
	/* Rows with a target date fit whole; a wider row without one (the
	 * screening visit) may start its forms over the empty date cell. */
	t = cols - (L->idw + 1) - (L->statew ? L->statew + 1 : 0) -
	    (L->datew ? L->datew + 1 : 0) - 1;
	L->titlew = t - (wdated ? wdated : wall);
	if (L->titlew < 4)
		L->titlew = 0;
	if (L->titlew > maxtitle)
		L->titlew = maxtitle;
	L->formsx = L->idw + 1 + (L->statew ? L->statew + 1 : 0) +
	    (L->titlew ? L->titlew + 1 : 0) + (L->datew ? L->datew + 1 : 0);
}

/* The window goes to the detail line when the rows are too narrow for it
 * and a readable title. */
#define TITLE_MIN 12

static void
compute_layout(const casebook_scr *cs, app *a, int cols, layout *L)
{
	layout_widths(cs, a, cols, true, L);
	if (L->titlew < TITLE_MIN) {
		layout narrow;

		layout_widths(cs, a, cols, false, &narrow);
		if (narrow.titlew > L->titlew)
			*L = narrow;
	}
}

static void
draw_event_row(casebook_scr *cs, app *a, const layout *L, size_t ri, int y, int cols)
{
	const cb_row *r = &cs->rows[ri];
	const event_def *ev = r->ev;
	bool here = ri == cs->row;
	int fw = forms_width(cs, r), fx = L->formsx, x, selx = 0, selw = 0;
	char buf[64];

	row_label(r, buf, sizeof buf);
	ui_put(y, 0, L->idw, here ? ST_HEADER : ST_NORMAL, buf);
	if (fx + fw > cols)
		fx = cols - fw > L->idw + 1 ? cols - fw : L->idw + 1;
	/* Keep the selected form on screen when the row is wider still. */
	x = fx;
	for (size_t i = 0; i < ev->nforms; i++) {
		if (here && i == cs->col) {
			selx = x;
			selw = item_width(cs, r, i);
		}
		x += item_width(cs, r, i) + 1;
	}
	if (here && selx + selw > cols)
		fx -= selx + selw - cols;
	x = L->idw + 1;
	if (L->statew) {
		ui_style st;

		state_cell(cs, a, r, buf, sizeof buf, &st);
		if (buf[0] && x + utf8_width(buf) < fx)
			ui_put(y, x, fx - 1 - x, st, buf);
		x += L->statew + 1;
	}
	if (L->titlew) {
		int tw = fx - 1 - x < L->titlew ? fx - 1 - x : L->titlew;

		if (tw > 0)
			ui_put(y, x, tw, r->no_visit ? ST_DIM : ST_NORMAL,
			    i18n_get(&ev->title, a->cfg->lang));
		x += L->titlew + 1;
	}
	date_cell(cs, a, ev, L->window, buf, sizeof buf);
	if (buf[0] && x + utf8_width(buf) < fx)
		ui_put(y, x, fx - 1 - x, cs->due_known && cs->due.event == ev && cs->due.overdue ?
		    ST_WARN : ST_NORMAL, buf);
	x = fx;
	for (size_t i = 0; i < ev->nforms; i++) {
		const char *id = ev->forms[i]->id;
		form_status st = r->no_visit ? FORM_NOT_STARTED : item_status(cs, r, i);
		int w = item_width(cs, r, i);

		if (x >= L->idw + 1 && x + w <= cols) {
			bool sel = here && i == cs->col, qopen;
			ui_style s = sel ? ST_SELECTED : r->no_visit ? ST_DIM : form_style(st);
			int gx = x + utf8_width(id) + utf8_width(form_glyph(st));
			char q[16];

			ui_put(y, x, w, s, id);
			ui_put(y, x + utf8_width(id), w - utf8_width(id), s, form_glyph(st));
			form_queries(cs, r, i, q, sizeof q, &qopen);
			ui_put(y, gx, x + w - gx, sel ? ST_SELECTED : qopen ? ST_WARN : ST_NORMAL, q);
			{
				ui_style rs;
				const char *rm = form_review(cs, r, i, &rs);

				if (*rm)
					ui_put(y, x + w - utf8_width(rm), utf8_width(rm),
					    sel ? ST_SELECTED : rs, rm);
			}
		}
		x += w + 1;
	}
}

static void
draw_logs_row(casebook_scr *cs, app *a, const layout *L, int y, int cols)
{
	bool here = cs->row + 1 == cs->nrows;
	int x = L->idw + 1;

	ui_put(y, 0, L->idw, here ? ST_HEADER : ST_NORMAL, "logs");
	for (size_t i = 0; i < a->sd->nlogs; i++) {
		size_t n;
		char item[64], q[16];
		int w, qo, qa;

		form_index_log(&cs->ix, a->sd->logs[i]->id, &n);
		snprintf(item, sizeof item, "%s %zu", a->sd->logs[i]->id, n);
		/* Queries of every entry: "ae 2 ?1". */
		query_marks_form(cs->qm, "", 0, a->sd->logs[i]->id, -1, &qo, &qa);
		query_mark_text(qo, qa, q, sizeof q);
		w = utf8_width(item) + (*q ? 1 + utf8_width(q) : 0);
		if (x + w > cols)
			break;
		ui_put(y, x, w, here && i == cs->col ? ST_SELECTED : n ? ST_NORMAL : ST_DIM, item);
		if (*q)
			ui_put(y, x + w - utf8_width(q), utf8_width(q), here && i == cs->col ?
			    ST_SELECTED : qo ? ST_WARN : ST_NORMAL, q);
		x += w + 2;
	}
}

/* ", 1 open query" for the detail line, when there are queries. */
static void
detail_queries(const casebook_scr *cs, const char *event, int erep, const char *form,
    int frep, strbuf *sb)
{
	int o, an;
	char words[64];

	query_marks_form(cs->qm, event, erep, form, frep, &o, &an);
	query_count_words(o, an, words, sizeof words);
	if (*words)
		sb_addf(sb, ", %s", words);
}

/* The visit in words for the detail line: what needs attention ("done
 * 2026-10-20, LATE: 12 days after its window", "OVERDUE", "visit date
 * not entered") when done is false, and "visit done 2026-10-05" when it
 * is true (it comes after the target and window). */
static void
visit_words(const casebook_scr *cs, app *a, const cb_row *r, const char *dot, bool done,
    strbuf *sb)
{
	visit_status v;
	char d[32];

	row_visit(cs, r, &v);
	if (done != (v.state == VISIT_DONE || v.state == VISIT_UNSCHEDULED))
		return;
	if (date_precision(v.done) != DATE_NONE)
		date_format_display(v.done, a->cfg->date_format, d, sizeof d);
	switch (v.state) {
	case VISIT_DONE:
		sb_addf(sb, "%svisit done %s", dot, d);
		break;
	case VISIT_EARLY:
	case VISIT_LATE:
		sb_addf(sb, "%sdone %s, %s: %ld day%s %s its window", dot, d,
		    v.state == VISIT_LATE ? "LATE" : "EARLY", v.days_out, v.days_out == 1 ? "" : "s",
		    v.state == VISIT_LATE ? "after" : "before");
		break;
	case VISIT_OVERDUE:
		/* The next visit due says so already. */
		if (subject_status_active(cs->status) && !(cs->due_known && cs->due.event == r->ev))
			sb_addf(sb, "%sOVERDUE", dot);
		break;
	case VISIT_DONE_UNDATED:
		sb_addf(sb, "%svisit date not entered", dot);
		break;
	case VISIT_UNSCHEDULED:
		if (date_precision(v.done) != DATE_NONE)
			sb_addf(sb, "%svisit done %s", dot, d);
		break;
	default:
		break;
	}
}

/* The line that says, in words, what the cursor is on. */
static void
draw_detail(casebook_scr *cs, app *a, int y, int cols)
{
	const cb_row *r = &cs->rows[cs->row];
	crf_lang lang = a->cfg->lang;
	const char *dot = ui_utf8() ? " · " : " - ";
	bool may_add = app_may(a, PERM_ENTER);
	strbuf sb = {0};

	if (row_items(a, r) == 0) {
		ui_put(y, 0, cols, ST_DIM, is_logs(r) ? "The study has no logs" :
		    "This event has no forms");
		return;
	}
	if (is_logs(r)) {
		const form_def *fd = a->sd->logs[cs->col];
		size_t n, done = 0;
		const form_row *e = form_index_log(&cs->ix, fd->id, &n);

		for (size_t i = 0; i < n; i++)
			if (e[i].status >= FORM_COMPLETE)
				done++;
		sb_addf(&sb, "%s %s: %zu %s", fd->id, i18n_get(&fd->title, lang), n,
		    n == 1 ? "entry" : "entries");
		if (done < n)
			sb_addf(&sb, ", %zu incomplete", n - done);
		detail_queries(cs, "", 0, fd->id, -1, &sb);
		if (may_add)
			sb_addf(&sb, "%s%s", dot, n ? "Enter lists them, ^N adds one" : "^N adds one");
		else if (n)
			sb_addf(&sb, "%sEnter lists them", dot);
	} else {
		const event_def *ev = r->ev;
		const form_def *fd = ev->forms[cs->col];
		form_status st = r->no_visit ? FORM_NOT_STARTED : item_status(cs, r, cs->col);
		event_window w;

		/* Most telling first: the line is cut at the screen's edge. */
		sb_addf(&sb, "%s %s: %s", fd->id, i18n_get(&fd->title, lang), form_status_name(st));
		if (!r->no_visit) {
			form_key k = { cs->id, ev->id, r->erep, fd->id, 1 };
			char words[128];

			review_words(cs->rv, &cs->ix, &k, words, sizeof words);
			sb_add(&sb, words);
		}
		if (!r->no_visit)
			detail_queries(cs, ev->id, r->erep, fd->id, 1, &sb);
		if (cs->due_known && cs->due.event == ev)
			sb_addf(&sb, "%s%s", dot, cs->due.overdue ? "OVERDUE" : "next visit due");
		if (!r->no_visit)
			visit_words(cs, a, r, dot, false, &sb);
		if (cs->day0_known && schedule_window(ev, cs->day0, &w)) {
			char d1[32], d2[32], d3[32];

			date_format_display(w.target, a->cfg->date_format, d1, sizeof d1);
			date_format_display(w.first, a->cfg->date_format, d2, sizeof d2);
			date_format_display(w.last, a->cfg->date_format, d3, sizeof d3);
			if (date_cmp(w.first, w.last) == 0)
				sb_addf(&sb, "%son %s", dot, d1);
			else
				sb_addf(&sb, "%s%s (%s to %s)", dot, d1, d2, d3);
		} else if (ev->has_day) {
			sb_addf(&sb, "%sday %d, day 0 not entered", dot, ev->day);
		}
		if (!r->no_visit)
			visit_words(cs, a, r, dot, true, &sb);
		if (ev->repeating && r->no_visit)
			sb_addf(&sb, "%sno visit yet%s", dot, may_add ? ", ^N adds one" : "");
		else if (ev->repeating)
			sb_addf(&sb, "%svisit #%d%s", dot, r->erep, may_add ? ", ^N adds one" : "");
		sb_addf(&sb, "%s%s", dot, i18n_get(&ev->title, lang));
	}
	ui_put(y, 0, cols, ST_NORMAL, sb.s);
	sb_free(&sb);
}

/* One more part of the header line when it fits whole after x (three
 * blanks before it); returns the new x. */
static int
header_part(int y, int x, int cols, ui_style st, const char *text)
{
	if (x + 3 + utf8_width(text) > cols)
		return x;
	return x + 3 + ui_put(y, x + 3, cols - x - 3, st, text);
}

/* The subject, its study number, its status with the date and the reason
 * (of a screen failure, withdrawal or death), day 0 and the next visit. */
static void
draw_header(casebook_scr *cs, app *a, int y, int cols)
{
	char d[32], buf[160];
	int x = ui_put(y, 0, cols, ST_HEADER, cs->key);

	if (cs->study_no)
		x += ui_put(y, x + 2, cols - x - 2, ST_HEADER, cs->study_no) + 2;
	x += ui_putf(y, x + 2, cols - x - 2, ST_NORMAL, "%s %s%s%s",
	    subject_status_glyph(cs->status, ui_utf8()), cs->status_line,
	    cs->reason ? ": " : "", cs->reason ? cs->reason : "") + 2;
	if (cs->day0_known) {
		date_format_display(cs->day0, a->cfg->date_format, d, sizeof d);
		snprintf(buf, sizeof buf, "Day 0 %s", d);
		x = header_part(y, x, cols, ST_NORMAL, buf);
	} else if (subject_status_active(cs->status)) {
		x = header_part(y, x, cols, ST_DIM, "Day 0 not entered");
	}
	if (cs->due_known) {
		date_format_display(cs->due.win.target, a->cfg->date_format, d, sizeof d);
		snprintf(buf, sizeof buf, "Next visit %s %s%s", cs->due.event->id, d,
		    cs->due.overdue ? " OVERDUE" : "");
		x = header_part(y, x, cols, cs->due.overdue ? ST_WARN : ST_NORMAL, buf);
	}
}

static void
casebook_draw(screen *s, app *a)
{
	casebook_scr *cs = s->priv;
	int cols = ui_cols(), first = 1, last = ui_rows() - 3;
	int nev = (int)cs->nrows - 1, area, spare, sep1 = 0, colhdr = 0, sep2 = 0, y;
	char title[128];
	layout L;

	snprintf(title, sizeof title, "Casebook %s", cs->key);
	app_title(a, title);
	ui_no_cursor();

	draw_header(cs, a, first, cols);

	/* Header, logs, legend, detail and, with anything signed, locked or
	 * verified, the review line. */
	area = last - first + 1 - 4 - (cs->review_line ? 1 : 0);
	spare = area - nev;
	if (spare >= 1)
		sep1 = 1;
	if (spare >= 2)
		colhdr = 1;
	if (spare >= 3)
		sep2 = 1;
	area -= sep1 + colhdr + sep2;
	if (area < 1)
		area = 1;
	cs->page = (size_t)area;
	if (cs->row + 1 < cs->nrows) {
		if (cs->row < cs->top)
			cs->top = cs->row;
		if (cs->row >= cs->top + (size_t)area)
			cs->top = cs->row - (size_t)area + 1;
	}
	if (cs->top + (size_t)area > (size_t)nev)
		cs->top = nev > area ? (size_t)(nev - area) : 0;

	compute_layout(cs, a, cols, &L);
	y = first + 1 + sep1;
	if (colhdr) {
		ui_put(y, 0, L.idw, ST_HEADER, "Event");
		if (L.statew)
			ui_put(y, L.idw + 1, L.statew, ST_HEADER, "State");
		if (L.titlew)
			ui_put(y, L.idw + 1 + (L.statew ? L.statew + 1 : 0), L.titlew, ST_HEADER,
			    "Title");
		if (L.datew)
			ui_put(y, L.formsx - L.datew - 1, L.datew, ST_HEADER,
			    cs->day0_known ? "Target" : "Day");
		ui_put(y, L.formsx, cols - L.formsx, ST_HEADER, "Forms");
		y++;
	}
	for (int i = 0; i < area && cs->top + (size_t)i < (size_t)nev; i++) {
		draw_event_row(cs, a, &L, cs->top + (size_t)i, y + i, cols);
		/* More rows above or below: a mark in the gap after the label. */
		if (i == 0 && cs->top > 0)
			ui_put(y + i, L.idw, 1, ST_DIM, ui_utf8() ? "↑" : "^");
		if (i == area - 1 && cs->top + (size_t)area < (size_t)nev)
			ui_put(y + i, L.idw, 1, ST_DIM, ui_utf8() ? "↓" : "v");
	}
	y += (nev < area ? nev : area) + sep2;
	if (y <= last)
		draw_logs_row(cs, a, &L, y, cols);
	if (++y <= last) {
		int qo, qa, x;

		x = ui_putf(y, 0, cols, ST_DIM, "%s complete  %s incomplete  %s not started",
		    form_glyph(FORM_COMPLETE), form_glyph(FORM_INCOMPLETE),
		    form_glyph(FORM_NOT_STARTED));
		query_marks_total(cs->qm, &qo, &qa);
		if (qo + qa > 0)
			ui_put(y, x, cols - x, ST_DIM, "  ?n open queries  +n answered");
	}
	if (++y <= last)
		draw_detail(cs, a, y, cols);
	if (cs->review_line && ++y <= last) {
		const cb_row *r = &cs->rows[cs->row];
		form_key k = { cs->id, "", 0, NULL, 0 };

		if (!is_logs(r) && r->ev->nforms > 0 && !r->no_visit)
			k = (form_key){ cs->id, r->ev->id, r->erep, r->ev->forms[cs->col]->id, 1 };
		review_draw_line(cs->rv, a, &cs->ix, &k, y, cols);
	}
}

/* ---- Data ------------------------------------------------------------------------ */

static void
data_free(casebook_scr *cs)
{
	form_index_free(&cs->ix);
	casebook_free(cs->cb);
	cs->cb = NULL;
	query_marks_free(cs->qm);
	cs->qm = NULL;
	review_free(cs->rv);
	cs->rv = NULL;
	free(cs->rows);
	cs->rows = NULL;
	cs->nrows = 0;
}

static void
reload(casebook_scr *cs, app *a)
{
	const study_def *sd = a->sd;
	const event_def *cur_ev = cs->rows && cs->row < cs->nrows ? cs->rows[cs->row].ev : NULL;
	int cur_rep = cs->rows && cs->row < cs->nrows ? cs->rows[cs->row].erep : 0;
	bool on_logs = cs->rows && cs->row + 1 == cs->nrows;
	subject_row subj;
	form_row *rows = NULL;
	subject_item *items = NULL;
	size_t n = 0, nitems = 0, k = 0;
	crf_err e;

	data_free(cs);
	if (store_find_subject(a->st, cs->key, &subj, &e) == CRF_OK) {
		char words[64];

		status_words(a, &subj, words, sizeof words);
		free(cs->status);
		free(cs->status_line);
		free(cs->study_no);
		free(cs->reason);
		cs->status = xstrdup(subj.status);
		cs->status_line = xstrdup(words);
		cs->study_no = xstrdup(subj.study_no);
		cs->reason = str_blank(subj.status_reason) ? NULL : xstrdup(subj.status_reason);
		subject_row_clear(&subj);
	} else {
		app_message(a, ST_ERROR, "%s", e.msg);
	}
	if (store_list_forms(a->st, cs->id, &rows, &n, &e) != CRF_OK)
		app_message(a, ST_ERROR, "Cannot read the forms of %s: %s", cs->key, e.msg);
	form_index_init(&cs->ix, rows, n);
	if (store_load_subject_items(a->st, cs->id, &items, &nitems, &e) != CRF_OK)
		app_message(a, ST_ERROR, "Cannot read the data of %s: %s", cs->key, e.msg);
	cs->today = clock_today();
	cs->cb = casebook_new(sd, items, nitems, cs->today);
	subject_items_free(items, nitems);
	cs->qm = query_marks_load(a, cs->key, NULL);
	cs->rv = review_load(a, cs->id);
	cs->review_line = review_any(cs->rv, &cs->ix);

	cs->day0_known = false;
	cs->due_known = false;
	if (sd->anchor_event) {
		const char *v = casebook_value(cs->cb, sd->anchor_event->id, 1, sd->anchor_form, 1,
		    sd->anchor_field);
		cs->day0_known = v && date_parse_iso(v, false, &cs->day0);
	}
	if (cs->day0_known && subject_status_active(cs->status))
		cs->due_known = schedule_next_due(sd, &cs->ix, cs->day0, cs->today, &cs->due);

	for (size_t i = 0; i < sd->nevents; i++) {
		int reps = sd->events[i].repeating ? form_index_event_repeats(&cs->ix, sd->events[i].id) : 1;
		k += (size_t)(reps ? reps : 1);
	}
	cs->rows = xcalloc(k + 1, sizeof *cs->rows);
	cs->nrows = 0;
	for (size_t i = 0; i < sd->nevents; i++) {
		const event_def *ev = &sd->events[i];
		int reps = ev->repeating ? form_index_event_repeats(&cs->ix, ev->id) : 1;

		if (reps == 0)
			cs->rows[cs->nrows++] = (cb_row){ ev, 1, true };
		for (int r = 1; r <= reps; r++)
			cs->rows[cs->nrows++] = (cb_row){ ev, r, false };
	}
	cs->rows[cs->nrows++] = (cb_row){ NULL, 0, false };

	/* Back on the row the cursor was on. */
	if (on_logs) {
		cs->row = cs->nrows - 1;
	} else if (cur_ev) {
		for (size_t i = 0; i + 1 < cs->nrows; i++)
			if (cs->rows[i].ev == cur_ev && (cs->rows[i].erep == cur_rep ||
			    cs->rows[i].no_visit))
				cs->row = i;
	}
	if (cs->row >= cs->nrows)
		cs->row = 0;
	n = row_items(a, &cs->rows[cs->row]);
	if (cs->col >= n)
		cs->col = n ? n - 1 : 0;
}

/* ---- Actions ------------------------------------------------------------------------ */

static void
move_row(casebook_scr *cs, app *a, long delta)
{
	long r = (long)cs->row + delta;
	size_t n;

	if (r < 0)
		r = 0;
	if (r >= (long)cs->nrows)
		r = (long)cs->nrows - 1;
	cs->row = (size_t)r;
	n = row_items(a, &cs->rows[cs->row]);
	if (cs->col >= n)
		cs->col = n ? n - 1 : 0;
}

static void
open_log(casebook_scr *cs, app *a, const form_def *fd)
{
	size_t n;
	const form_row *e = form_index_log(&cs->ix, fd->id, &n);
	const char **items = xcalloc(n + 1, sizeof *items);
	char **owned = xcalloc(n + 1, sizeof *owned);
	char title[96];
	bool may_add = app_may(a, PERM_ENTER);
	int pick, n_items = (int)n;

	for (size_t i = 0; i < n; i++) {
		char label[128];

		schedule_log_label(cs->cb, fd, e[i].form_repeat, a->cfg->date_format,
		    a->cfg->lang, label, sizeof label);
		owned[i] = xasprintf("#%d%s%s%s", e[i].form_repeat, label[0] ? " " : "", label,
		    e[i].status >= FORM_COMPLETE ? "" : " (incomplete)");
		items[i] = owned[i];
	}
	/* Only a role that enters data is offered a new entry. */
	items[n] = "New entry";
	if (may_add)
		n_items++;
	snprintf(title, sizeof title, "%s %s", fd->id, i18n_get(&fd->title, a->cfg->lang));
	if (n_items == 0)
		app_message(a, ST_DIM, "%s has no entries yet", title);
	pick = n_items ? dlg_pick(a, title, items, n_items, 0) : -1;
	if (pick >= 0)
		app_push(a, scr_form_new(a, cs->id, cs->key, "", 0, fd,
		    pick < (int)n ? e[pick].form_repeat : 0));
	for (size_t i = 0; i < n; i++)
		free(owned[i]);
	free(owned);
	free(items);
}

static void
open_item(casebook_scr *cs, app *a)
{
	const cb_row *r = &cs->rows[cs->row];

	if (is_logs(r)) {
		if (a->sd->nlogs)
			open_log(cs, a, a->sd->logs[cs->col]);
		return;
	}
	if (r->ev->nforms == 0)
		return;
	app_push(a, scr_form_new(a, cs->id, cs->key, r->ev->id, r->erep,
	    r->ev->forms[cs->col], 1));
}

static void
new_item(casebook_scr *cs, app *a)
{
	const cb_row *r = &cs->rows[cs->row];

	if (!app_check(a, PERM_ENTER))
		return;
	if (is_logs(r)) {
		if (a->sd->nlogs)
			app_push(a, scr_form_new(a, cs->id, cs->key, "", 0, a->sd->logs[cs->col], 0));
		return;
	}
	if (!r->ev->repeating || r->ev->nforms == 0) {
		const event_def *rep = NULL;

		for (size_t i = 0; i < a->sd->nevents && rep == NULL; i++)
			if (a->sd->events[i].repeating)
				rep = &a->sd->events[i];
		if (rep)
			app_message(a, ST_WARN, "^N adds a log entry (on the logs line) or a "
			    "visit (on the %s line)", rep->id);
		else
			app_message(a, ST_WARN, "^N adds a log entry (on the logs line)");
		return;
	}
	app_push(a, scr_form_new(a, cs->id, cs->key, r->ev->id,
	    form_index_event_repeats(&cs->ix, r->ev->id) + 1, r->ev->forms[cs->col], 1));
}

/* Sign, verify, lock or show the audit trail of the selection (the
 * dialogs are scr_signoff.c's); the logs line names the log. */
static void
review_act(casebook_scr *cs, app *a, action act)
{
	const cb_row *r = &cs->rows[cs->row];
	form_key k = { cs->id, "", 0, NULL, 0 };
	bool changed = false;

	if (row_items(a, r) == 0) {
		app_message(a, ST_WARN, "%s", is_logs(r) ? "The study has no logs" :
		    "This event has no forms");
		return;
	}
	if (is_logs(r))
		k.form = a->sd->logs[cs->col]->id;
	else
		k = (form_key){ cs->id, r->ev->id, r->erep, r->ev->forms[cs->col]->id, 1 };
	if (act == ACT_SIGN)
		changed = review_sign(a, cs->key, &k);
	else if (act == ACT_VERIFY)
		changed = review_verify(a, cs->key, &k);
	else if (act == ACT_LOCK)
		changed = review_lock(a, cs->key, &k);
	else
		review_history(a, cs->key, &k);
	if (changed) {
		char msg[sizeof a->msg];
		ui_style st = a->msg_style;

		/* The outcome stays on the message line over the reload. */
		str_copy(msg, a->msg, sizeof msg);
		reload(cs, a);
		app_message(a, st, "%s", msg);
	}
}

/* A printed copy of the casebook, text or HTML, into "printouts" beside
 * the site database (audited by print_casebook_file). */
static void
print_action(casebook_scr *cs, app *a)
{
	static const char *const kinds[] = { "[T]ext", "[H]TML", "[C]ancel" };
	print_opts o = { .lang = a->cfg->lang, .date_fmt = a->cfg->date_format,
	    .ascii = !ui_utf8(), .printed_by = a->login };
	char q[160], *dbdir, *dir, *written = NULL;
	crf_err e;
	int pick;

	snprintf(q, sizeof q, "Print the casebook of %s as", cs->key);
	pick = dlg_ask(a, "Print", q, kinds, 3);
	if (pick < 0 || pick > 1)
		return;
	dbdir = path_dirname(a->cfg->db_path);
	dir = path_join(dbdir, "printouts");
	free(dbdir);
	if (path_make_dirs(dir) != 0)
		app_message(a, ST_ERROR, "Cannot make the folder %s", dir);
	else if (print_casebook_file(a->st, a->sd, cs->key, pick ? PRINT_HTML : PRINT_TEXT,
	    &o, NULL, dir, &written, &e) != CRF_OK)
		app_message(a, ST_ERROR, "Not printed: %s", e.msg);
	else
		app_message(a, ST_OK, "Printed to %s", written);
	free(written);
	free(dir);
}

static scr_result
casebook_handle(screen *s, app *a, action act, const ui_key *k)
{
	casebook_scr *cs = s->priv;
	size_t n = row_items(a, &cs->rows[cs->row]);

	switch (act) {
	case ACT_BACK:
	case ACT_CANCEL:
		return SCR_POP;
	case ACT_NEXT:
		move_row(cs, a, 1);
		break;
	case ACT_PREV:
		move_row(cs, a, -1);
		break;
	case ACT_PAGE_DOWN:
		move_row(cs, a, (long)(cs->page ? cs->page : 1));
		break;
	case ACT_PAGE_UP:
		move_row(cs, a, -(long)(cs->page ? cs->page : 1));
		break;
	case ACT_ENTER:
		open_item(cs, a);
		break;
	case ACT_NEW:
		new_item(cs, a);
		break;
	case ACT_QUERY:
		app_push(a, scr_queries_new(a, cs->key));
		break;
	case ACT_SIGN:
	case ACT_VERIFY:
	case ACT_LOCK:
	case ACT_HISTORY:
		review_act(cs, a, act);
		break;
	case ACT_CHARTS:
		app_push(a, scr_charts_new(a, cs->id, cs->key));
		break;
	case ACT_PRINT:
		print_action(cs, a);
		break;
	case ACT_STATUS:
		if (status_menu(a, cs->id, cs->key)) {
			char msg[sizeof a->msg];
			ui_style st = a->msg_style;

			/* The outcome stays on the message line over the reload. */
			str_copy(msg, a->msg, sizeof msg);
			reload(cs, a);
			app_message(a, st, "%s", msg);
		}
		break;
	case ACT_NONE:
		if (!k->is_key)
			break;
		if (k->ch == KEY_LEFT && cs->col > 0)
			cs->col--;
		else if (k->ch == KEY_RIGHT && cs->col + 1 < n)
			cs->col++;
		else if (k->ch == KEY_HOME)
			cs->col = 0;
		else if (k->ch == KEY_END)
			cs->col = n ? n - 1 : 0;
		break;
	default:
		break;
	}
	return SCR_STAY;
}

static void
casebook_resume(screen *s, app *a)
{
	reload(s->priv, a);
}

static void
casebook_free_scr(screen *s)
{
	casebook_scr *cs = s->priv;

	data_free(cs);
	free(cs->key);
	free(cs->status);
	free(cs->status_line);
	free(cs->study_no);
	free(cs->reason);
	free(cs);
}

static const screen_ops casebook_ops = {
	.name = "casebook",
	.keyctx = KC_CASEBOOK,
	.draw = casebook_draw,
	.handle = casebook_handle,
	.resume = casebook_resume,
	.tick = casebook_resume,
	.free = casebook_free_scr,
};

screen *
scr_casebook_new(app *a, long long subject_id, const char *subject_key)
{
	casebook_scr *cs = xcalloc(1, sizeof *cs);

	cs->id = subject_id;
	cs->key = xstrdup(subject_key);
	cs->status = xstrdup("");
	cs->status_line = xstrdup("");
	reload(cs, a);
	return screen_new(&casebook_ops, cs);
}
