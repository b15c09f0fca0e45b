/*
 * report.c - the study report of a site; see report.h.
 *
 * Every subject is loaded once (its forms, items, casebook and derived
 * values), then each section is written from those.  Every line goes
 * through out_line(), which turns it into ASCII when asked and cuts it to
 * the width, so no line is ever wider than the report.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crf/chart.h"
#include "crf/derive.h"
#include "crf/lifecycle.h"
#include "crf/outcome.h"
#include "crf/record.h"
#include "crf/report.h"
#include "crf/schedule.h"

#define NO_ENROLLED "No subject is enrolled yet."

typedef struct subj {
	const subject_row *row;
	subject_state state;
	bool enrolled;             /* ever enrolled: has a study number */
	form_index ix;
	subject_item *items;
	size_t nitems;
	casebook *cb;
	bool has_derived;
	derived d;
} subj;

typedef struct rep {
	strbuf *out;
	int width;
	bool utf8;
	crf_date today;
	const study_def *sd;
	store *st;
	subj *s;
	size_t n;
	size_t nenrolled;
	bool outcomes;             /* derive ran (the study has [outcomes]) */
	crf_err outcomes_err;      /* why not */
	int section;
} rep;

/* ---- Text ------------------------------------------------------------------- */

/* Display columns of one character. */
static int
char_cols(const char *s, int len)
{
	char buf[8];

	memcpy(buf, s, (size_t)len);
	buf[len] = '\0';
	return utf8_width(buf);
}

/* s in ASCII: every other character by its stand-in, or '?'. */
static char *
ascii_of(const char *s)
{
	strbuf b = {0};

	while (*s) {
		unsigned long cp;
		int len = utf8_next(s, &cp);

		if (len == 0) {
			sb_add(&b, "?");
			s++;
			continue;
		}
		if (cp < 0x80) {
			sb_addn(&b, s, (size_t)len);
		} else {
			const char *a = ascii_fallback(cp);
			sb_add(&b, a ? a : "?");
		}
		s += len;
	}
	return sb_steal(&b);
}

/* Append s cut to at most max columns; returns the columns written. */
static int
add_cut(strbuf *b, const char *s, int max)
{
	int cols = 0;

	while (*s) {
		unsigned long cp;
		int len = utf8_next(s, &cp), w;

		if (len == 0)
			len = 1;
		w = len == 1 ? 1 : char_cols(s, len);
		if (cols + w > max)
			break;
		sb_addn(b, s, (size_t)len);
		cols += w;
		s += len;
	}
	return cols;
}

static void
out_line(rep *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
out_line(rep *r, const char *fmt, ...)
{
	va_list ap;
	char *text, *t;
	size_t len;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		crf_fatal("out of memory");
	va_end(ap);
	t = r->utf8 ? text : ascii_of(text);
	len = r->out->len;
	add_cut(r->out, t, r->width);
	while (r->out->len > len && r->out->s[r->out->len - 1] == ' ')
		r->out->s[--r->out->len] = '\0';
	sb_add(r->out, "\n");
	if (t != text)
		free(t);
	free(text);
}

/* s padded or cut to exactly w columns (owned). */
static char *
cell(const char *s, int w)
{
	strbuf b = {0};
	int cols = add_cut(&b, s ? s : "", w);

	while (cols++ < w)
		sb_add(&b, " ");
	return sb_steal(&b);
}

/* Text wrapped at blanks into lines of the width, after indent blanks;
 * the first line starts with first (NULL: blanks too), which must be
 * indent columns wide. */
static void
out_wrapped_after(rep *r, int indent, const char *first, const char *text)
{
	int avail = r->width - indent;
	const char *p = text;
	strbuf b = {0};

	if (avail < 1)
		avail = 1;
	while (*p) {
		const char *brk = NULL, *q = p;
		int cols = 0;

		while (*q) {
			unsigned long cp;
			int len = utf8_next(q, &cp);

			if (len == 0)
				len = 1;
			if (*q == ' ')
				brk = q;
			cols += len == 1 ? 1 : char_cols(q, len);
			if (cols > avail)
				break;
			q += len;
		}
		if (*q == '\0' || brk == NULL || brk == p)
			brk = q;
		sb_clear(&b);
		sb_addn(&b, p, (size_t)(brk - p));
		if (first != NULL)
			out_line(r, "%s%s", first, b.s ? b.s : "");
		else
			out_line(r, "%*s%s", indent, "", b.s ? b.s : "");
		first = NULL;
		p = brk;
		while (*p == ' ')
			p++;
	}
	sb_free(&b);
}

static void
out_wrapped(rep *r, int indent, const char *text)
{
	out_wrapped_after(r, indent, NULL, text);
}

/* A table row: the columns formatted by fmt, then the last column, tail,
 * which may be long: wrapped under itself when it does not fit, or on
 * lines of its own when the row leaves it less than 12 columns. */
static void
out_row(rep *r, const char *tail, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
out_row(rep *r, const char *tail, const char *fmt, ...)
{
	va_list ap;
	char *prefix;
	int pw;

	va_start(ap, fmt);
	if (vasprintf(&prefix, fmt, ap) < 0)
		crf_fatal("out of memory");
	va_end(ap);
	if (tail == NULL)
		tail = "";
	pw = utf8_width(prefix);
	if (pw + utf8_width(tail) <= r->width) {
		out_line(r, "%s%s", prefix, tail);
	} else if (r->width - pw >= 12) {
		out_wrapped_after(r, pw, prefix, tail);
	} else {
		out_line(r, "%s", prefix);
		out_wrapped(r, 6, tail);
	}
	free(prefix);
}

/* A sentence or two, wrapped to the width after 2 blanks. */
static void
say(rep *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(rep *r, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		crf_fatal("out of memory");
	va_end(ap);
	out_wrapped(r, 2, text);
	free(text);
}

static void
heading(rep *r, const char *title)
{
	char *t;
	int w;

	r->section++;
	t = xasprintf("%d. %s", r->section, title);
	w = utf8_width(t);
	out_line(r, "%s", "");
	out_line(r, "%s", t);
	{
		char *u = xmalloc((size_t)w + 1);
		memset(u, '-', (size_t)w);
		u[w] = '\0';
		out_line(r, "%s", u);
		free(u);
	}
	free(t);
}

static int
key_width(const rep *r, bool enrolled_only, int min)
{
	int w = min;

	for (size_t i = 0; i < r->n; i++)
		if (!enrolled_only || r->s[i].enrolled) {
			int k = utf8_width(r->s[i].row->key);
			if (k > w)
				w = k;
		}
	return w;
}

static void
date_text(crf_date d, char *buf, size_t size)
{
	date_format_iso(d, buf, size);
}

/* ---- Loading -------------------------------------------------------------------- */

static crf_status
load_subject(rep *r, subj *s, crf_err *err)
{
	form_row *fr = NULL;
	size_t nf = 0;
	crf_status st;

	if ((st = store_list_forms(r->st, s->row->id, &fr, &nf, err)) != CRF_OK)
		return st;
	form_index_init(&s->ix, fr, nf);
	if ((st = store_load_subject_items(r->st, s->row->id, &s->items, &s->nitems,
	    err)) != CRF_OK)
		return st;
	s->cb = casebook_new(r->sd, s->items, s->nitems, r->today);
	if (r->outcomes) {
		if (derive_subject(r->sd, s->items, s->nitems, s->row, r->today, &s->d,
		    &r->outcomes_err) == CRF_OK)
			s->has_derived = true;
		else
			r->outcomes = false;
	}
	return CRF_OK;
}

static void
free_subject(subj *s)
{
	form_index_free(&s->ix);
	subject_items_free(s->items, s->nitems);
	casebook_free(s->cb);
	if (s->has_derived)
		derived_free(&s->d);
}

/* ---- 1. Enrolment ------------------------------------------------------------------ */

static void
section_enrolment(rep *r)
{
	size_t count[SUBJ_STATE_COUNT] = {0};
	int kw = key_width(r, false, 7), nw = 9;
	char *hk, *hn;

	heading(r, "Enrolment");
	for (size_t i = 0; i < r->n; i++) {
		count[r->s[i].state]++;
		if (r->s[i].row->study_no && utf8_width(r->s[i].row->study_no) > nw)
			nw = utf8_width(r->s[i].row->study_no);
	}
	if (r->n == 0) {
		say(r, "No subject has been screened yet.");
		out_line(r, "  %s", NO_ENROLLED);
		return;
	}
	say(r, "Screened %zu: in screening %zu, screen failures %zu, enrolled %zu.",
	    r->n, count[SUBJ_SCREENING], count[SUBJ_SCREEN_FAILURE], r->nenrolled);
	if (r->nenrolled == 0) {
		out_line(r, "  %s", NO_ENROLLED);
	} else {
		say(r, "Of the enrolled: in follow-up %zu, withdrawn %zu, completed %zu, "
		    "died %zu.", count[SUBJ_ENROLLED], count[SUBJ_WITHDRAWN],
		    count[SUBJ_COMPLETED], count[SUBJ_DIED]);
		out_line(r, "%s", "");
		hk = cell("Subject", kw);
		hn = cell("Study no.", nw);
		out_row(r, "Reason", "  %s  %s  %-14s  %-10s  ", hk, hn, "Status", "Since");
		free(hk);
		free(hn);
		for (size_t i = 0; i < r->n; i++) {
			const subj *s = &r->s[i];
			char *k, *no;

			if (!s->enrolled)
				continue;
			k = cell(s->row->key, kw);
			no = cell(s->row->study_no, nw);
			out_row(r, s->row->status_reason, "  %s  %s  %-14s  %-10s  ", k, no,
			    subject_state_title(s->state),
			    s->row->status_date ? s->row->status_date : "");
			free(k);
			free(no);
		}
	}
	if (count[SUBJ_SCREEN_FAILURE] > 0) {
		out_line(r, "%s", "");
		say(r, "Screen failures:");
		hk = cell("Subject", kw);
		out_row(r, "Reason", "  %s  %-10s  ", hk, "Date");
		free(hk);
		for (size_t i = 0; i < r->n; i++) {
			const subj *s = &r->s[i];
			char *k;

			if (s->state != SUBJ_SCREEN_FAILURE)
				continue;
			k = cell(s->row->key, kw);
			out_row(r, s->row->status_reason, "  %s  %-10s  ", k,
			    s->row->status_date ? s->row->status_date : "");
			free(k);
		}
	}
}

/* ---- 2. Visits ------------------------------------------------------------------------ */

static void
section_visits(rep *r)
{
	int kw = key_width(r, true, 7);
	size_t done = 0, out = 0, undated = 0, due = 0, overdue = 0;
	char *hk;

	heading(r, "Visits");
	if (r->nenrolled == 0) {
		out_line(r, "  %s", NO_ENROLLED);
		return;
	}
	{
		char today[16];
		date_text(r->today, today, sizeof today);
		say(r, "The dated visits of each enrolled subject against their windows "
		    "from day 0, on %s.  Out: done outside the window (allowed).", today);
	}
	out_line(r, "%s", "");
	hk = cell("Subject", kw);
	out_row(r, "Next", "  %s  %-10s  %4s  %3s  %3s  %7s  ", hk, "Day 0", "Done", "Out",
	    "Due", "Overdue");
	free(hk);
	for (size_t i = 0; i < r->n; i++) {
		const subj *s = &r->s[i];
		bool active = s->state == SUBJ_ENROLLED;
		size_t sd_done = 0, sd_out = 0, sd_due = 0, sd_over = 0;
		char d0[16], next[64] = "", *k;
		crf_date day0 = { 0, 0, 0 };

		if (!s->enrolled)
			continue;
		k = cell(s->row->key, kw);
		if (s->has_derived && s->d.has_day0) {
			day0 = s->d.day0;
		} else if (r->sd->anchor_event && r->sd->anchor_form && r->sd->anchor_field) {
			const char *v = casebook_value(s->cb, r->sd->anchor_event->id,
			    casebook_event_latest(s->cb, r->sd->anchor_event->id),
			    r->sd->anchor_form, 1, r->sd->anchor_field);
			if (v == NULL || !date_parse_iso(v, false, &day0))
				day0 = (crf_date){ 0, 0, 0 };
		}
		if (date_precision(day0) != DATE_DAY) {
			out_row(r, active ? "day 0 not entered" : subject_state_title(s->state),
			    "  %s  %-10s  %4s  %3s  %3s  %7s  ", k, "not yet", "", "", "", "");
			free(k);
			continue;
		}
		date_text(day0, d0, sizeof d0);
		for (size_t e = 0; e < r->sd->nevents; e++) {
			const event_def *ev = &r->sd->events[e];
			visit_status v;

			if (!ev->has_day || ev->repeating)
				continue;
			schedule_visit(ev, 1, day0, &s->ix, s->cb, r->today, &v);
			switch (v.state) {
			case VISIT_EARLY:
			case VISIT_LATE:
				sd_out++;
				/* fall through */
			case VISIT_DONE:
				sd_done++;
				break;
			case VISIT_DONE_UNDATED:
				sd_done++;
				undated++;
				break;
			case VISIT_DUE:
			case VISIT_OVERDUE:
			case VISIT_NOT_YET:
				if (!active)
					break;
				if (v.state == VISIT_DUE)
					sd_due++;
				else if (v.state == VISIT_OVERDUE)
					sd_over++;
				if (next[0] == '\0') {
					char a[16], b[16];
					date_text(v.win.first, a, sizeof a);
					date_text(v.win.last, b, sizeof b);
					snprintf(next, sizeof next, "%s %s..%s", ev->id, a, b);
				}
				break;
			case VISIT_UNSCHEDULED:
				break;
			}
		}
		if (!active)
			snprintf(next, sizeof next, "%s", subject_state_title(s->state));
		else if (next[0] == '\0')
			snprintf(next, sizeof next, "schedule done");
		out_row(r, next, "  %s  %-10s  %4zu  %3zu  %3zu  %7zu  ", k, d0, sd_done, sd_out,
		    sd_due, sd_over);
		free(k);
		done += sd_done;
		out += sd_out;
		due += sd_due;
		overdue += sd_over;
	}
	out_line(r, "%s", "");
	say(r, "Visits done %zu (%zu outside their window, %zu undated), due %zu, "
	    "overdue %zu.", done, out, undated, due, overdue);
}

/* ---- 3. Completeness ---------------------------------------------------------------- */

static bool
seen_form(const form_def **order, size_t n, const form_def *fd)
{
	for (size_t i = 0; i < n; i++)
		if (order[i] == fd)
			return true;
	return false;
}

static void
section_completeness(rep *r)
{
	const study_def *sd = r->sd;
	const form_def **order = xcalloc(sd->nforms ? sd->nforms : 1, sizeof *order);
	size_t n = 0, total = 0;
	int idw = 4, tw;

	heading(r, "Completeness per form");
	for (size_t e = 0; e < sd->nevents; e++)
		for (size_t f = 0; f < sd->events[e].nforms; f++)
			if (!seen_form(order, n, sd->events[e].forms[f]))
				order[n++] = sd->events[e].forms[f];
	for (size_t l = 0; l < sd->nlogs; l++)
		if (!seen_form(order, n, sd->logs[l]))
			order[n++] = sd->logs[l];
	for (size_t i = 0; i < n; i++)
		if (utf8_width(order[i]->id) > idw)
			idw = utf8_width(order[i]->id);
	for (size_t i = 0; i < r->n; i++)
		total += r->s[i].ix.n;
	if (total == 0) {
		say(r, "No form has been saved yet.");
		if (r->nenrolled == 0)
			out_line(r, "  %s", NO_ENROLLED);
		free(order);
		return;
	}
	say(r, "Form instances saved for all subjects, and how many are marked complete.");
	if (r->nenrolled == 0)
		out_line(r, "  %s", NO_ENROLLED);
	out_line(r, "%s", "");
	/* "  ID  TITLE  Saved  Complete" : 2 + idw + 2 + tw + 2 + 5 + 2 + 13 */
	tw = r->width - (2 + idw + 2 + 2 + 5 + 2 + 14);
	if (tw < 10)
		tw = 10;
	{
		char *hi = cell("Form", idw), *ht = cell("Title", tw);
		out_line(r, "  %s  %s  %5s  %s", hi, ht, "Saved", "Complete");
		free(hi);
		free(ht);
	}
	for (size_t i = 0; i < n; i++) {
		size_t saved = 0, complete = 0;
		char *id = cell(order[i]->id, idw), *title = cell(i18n_get(&order[i]->title,
		    LANG_EN), tw);

		for (size_t k = 0; k < r->n; k++)
			for (size_t j = 0; j < r->s[k].ix.n; j++) {
				const form_row *fr = &r->s[k].ix.rows[j];
				if (strcmp(fr->form, order[i]->id) != 0 || fr->status == FORM_NOT_STARTED)
					continue;
				saved++;
				if (fr->status == FORM_COMPLETE)
					complete++;
			}
		if (saved > 0)
			out_line(r, "  %s  %s  %5zu  %8zu %3.0f%%", id, title, saved, complete,
			    100.0 * (double)complete / (double)saved);
		else
			out_line(r, "  %s  %s  %5zu  %8zu", id, title, saved, complete);
		free(id);
		free(title);
	}
	free(order);
}

/* ---- 4. Adverse events ------------------------------------------------------------- */

typedef struct ae_row {
	const char *subject;
	int grade;                 /* 1..5, 0 not graded */
	bool serious;
	const char *onset;
	const char *term;
} ae_row;

static int
ae_cmp(const void *pa, const void *pb)
{
	const ae_row *a = pa, *b = pb;
	int c;

	if (a->grade != b->grade)
		return a->grade > b->grade ? -1 : 1;
	if ((c = strcmp(a->subject, b->subject)) != 0)
		return c;
	return strcmp(a->onset ? a->onset : "", b->onset ? b->onset : "");
}

/* The value of field f in the items [from, to) (one instance); NULL when
 * blank. */
static const char *
inst_value(const subject_item *it, size_t from, size_t to, const field_def *f)
{
	for (size_t i = from; f != NULL && i < to; i++)
		if (str_eq(it[i].field, f->id))
			return str_blank(it[i].value) ? NULL : it[i].value;
	return NULL;
}

static void
section_ae(rep *r)
{
	const outcome_map *om = &r->sd->outcomes;
	ae_row *rows = NULL;
	size_t n = 0, cap = 0;
	size_t events[6] = {0}, serious[6] = {0}, subjects[6] = {0};
	int kw = key_width(r, false, 7);

	heading(r, "Adverse events by CTCAE grade");
	if (!om->present || om->ae_term.form == NULL) {
		say(r, "The study's [outcomes] section in study.ini names no adverse event "
		    "fields.");
		if (r->nenrolled == 0)
			out_line(r, "  %s", NO_ENROLLED);
		return;
	}
	for (size_t k = 0; k < r->n; k++) {
		const subj *s = &r->s[k];
		bool has[6] = { false };

		/* Items come in instance order: cut them into instances. */
		for (size_t i = 0; i < s->nitems;) {
			size_t j = i + 1;
			ae_row *a;
			long g;
			const char *gv;

			while (j < s->nitems && str_eq(s->items[j].event, s->items[i].event) &&
			    s->items[j].event_repeat == s->items[i].event_repeat &&
			    str_eq(s->items[j].form, s->items[i].form) &&
			    s->items[j].form_repeat == s->items[i].form_repeat)
				j++;
			if (!str_eq(s->items[i].form, om->ae_term.form->id)) {
				i = j;
				continue;
			}
			xgrow(&rows, sizeof *rows, &cap, n);
			a = &rows[n++];
			a->subject = s->row->key;
			gv = inst_value(s->items, i, j, om->ae_grade.field);
			a->grade = gv != NULL && parse_long(gv, &g) && g >= 1 && g <= 5 ? (int)g : 0;
			a->serious = str_eq(inst_value(s->items, i, j, om->ae_serious.field), "Y");
			a->onset = inst_value(s->items, i, j, om->ae_onset.field);
			a->term = inst_value(s->items, i, j, om->ae_term.field);
			events[a->grade]++;
			if (a->serious)
				serious[a->grade]++;
			has[a->grade] = true;
			i = j;
		}
		for (int g = 0; g < 6; g++)
			if (has[g])
				subjects[g]++;
	}
	if (n == 0) {
		say(r, "No adverse event has been recorded yet.");
		if (r->nenrolled == 0)
			out_line(r, "  %s", NO_ENROLLED);
		free(rows);
		return;
	}
	{
		size_t tot_s = 0;

		for (size_t k = 0; k < r->n; k++)
			for (size_t i = 0; i < n; i++)
				if (rows[i].subject == r->s[k].row->key) {
					tot_s++;
					break;
				}
		out_line(r, "  %-12s  %6s  %7s  %8s", "Grade", "Events", "Serious", "Subjects");
		for (int g = 1; g <= 5; g++)
			out_line(r, "  %-12d  %6zu  %7zu  %8zu", g, events[g], serious[g], subjects[g]);
		if (events[0] > 0)
			out_line(r, "  %-12s  %6zu  %7zu  %8zu", "not graded", events[0], serious[0],
			    subjects[0]);
		out_line(r, "  %-12s  %6zu  %7zu  %8zu", "all", n,
		    serious[0] + serious[1] + serious[2] + serious[3] + serious[4] + serious[5],
		    tot_s);
	}
	qsort(rows, n, sizeof *rows, ae_cmp);
	out_line(r, "%s", "");
	{
		char *hk = cell("Subject", kw);
		out_row(r, "Term", "  %-5s  %-7s  %-10s  %s  ", "Grade", "Serious", "Onset", hk);
		free(hk);
	}
	for (size_t i = 0; i < n; i++) {
		char *k = cell(rows[i].subject, kw), g[16];

		if (rows[i].grade > 0)
			snprintf(g, sizeof g, "%d", rows[i].grade);
		else
			snprintf(g, sizeof g, "-");
		out_row(r, rows[i].term, "  %-5s  %-7s  %-10s  %s  ", g, rows[i].serious ? "SAE" : "",
		    rows[i].onset ? rows[i].onset : "", k);
		free(k);
	}
	free(rows);
}

/* ---- 5. Engraftment --------------------------------------------------------------- */

/* Outcomes not available: say why, for sections 5 to 7. */
static bool
outcomes_missing(rep *r)
{
	if (r->nenrolled == 0) {
		out_line(r, "  %s", NO_ENROLLED);
		return true;
	}
	if (!r->outcomes) {
		out_wrapped(r, 2, r->outcomes_err.msg);
		return true;
	}
	return false;
}

static void
eng_text(const eng_line *l, char *buf, size_t size)
{
	switch (l->state) {
	case ENG_REACHED:
		snprintf(buf, size, "day %ld", l->day);
		break;
	case ENG_NOT_REACHED:
		snprintf(buf, size, "not reached");
		break;
	case ENG_NEVER_BELOW:
		snprintf(buf, size, "never fell");
		break;
	case ENG_NO_DATA:
		snprintf(buf, size, "no counts");
		break;
	}
}

static int
long_cmp(const void *pa, const void *pb)
{
	long a = *(const long *)pa, b = *(const long *)pb;

	return (a > b) - (a < b);
}

/* "median day M (A to B)" of n days (sorted here). */
static void
median_text(long *v, size_t n, char *buf, size_t size)
{
	double m;

	qsort(v, n, sizeof *v, long_cmp);
	m = n % 2 ? (double)v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
	snprintf(buf, size, "median day %g (%ld to %ld)", m, v[0], v[n - 1]);
}

static void
section_engraftment(rep *r)
{
	int kw = key_width(r, true, 7);
	long *anc = xcalloc(r->n ? r->n : 1, sizeof *anc), *plt = xcalloc(r->n ? r->n : 1,
	    sizeof *plt);
	size_t nanc = 0, nplt = 0, nd0 = 0, npgf = 0;
	char *hk;

	heading(r, "Engraftment");
	if (outcomes_missing(r))
		goto out;
	say(r, "Engraftment days from the daily counts (ASTCT 2021 rules and the study's "
	    "settings; docs/outcomes.md).  PGF: primary graft failure, no neutrophil "
	    "engraftment by day %d.", r->s[0].d.settings.pgf_day);
	out_line(r, "%s", "");
	hk = cell("Subject", kw);
	out_row(r, "PGF", "  %s  %-10s  %-12s  %-12s  ", hk, "Day 0", "Neutrophils",
	    "Platelets");
	free(hk);
	for (size_t i = 0; i < r->n; i++) {
		const subj *s = &r->s[i];
		const derived *d = &s->d;
		char d0[16], a[32], p[32], *k;

		if (!s->enrolled)
			continue;
		k = cell(s->row->key, kw);
		if (!d->has_day0) {
			out_row(r, "day 0 not entered", "  %s  %-10s  ", k, "not yet");
			free(k);
			continue;
		}
		nd0++;
		date_text(d->day0, d0, sizeof d0);
		if (d->eng_status != CRF_OK) {
			say(r, "%s  %-10s  cannot be derived: %s", k, d0, d->eng_err.msg);
			free(k);
			continue;
		}
		eng_text(&d->eng.anc, a, sizeof a);
		eng_text(&d->eng.plt, p, sizeof p);
		if (d->eng.anc.state == ENG_REACHED)
			anc[nanc++] = d->eng.anc.day;
		if (d->eng.plt.state == ENG_REACHED)
			plt[nplt++] = d->eng.plt.day;
		if (d->eng.pgf == PGF_YES)
			npgf++;
		out_row(r, d->eng.pgf == PGF_YES ? "yes" : d->eng.pgf == PGF_NO ? "no" :
		    "not yet", "  %s  %-10s  %-12s  %-12s  ", k, d0, a, p);
		free(k);
	}
	out_line(r, "%s", "");
	if (nd0 == 0) {
		say(r, "No enrolled subject has day 0 yet.");
		goto out;
	}
	{
		char m[64] = "";

		if (nanc > 0)
			median_text(anc, nanc, m, sizeof m);
		say(r, "Neutrophil engraftment: %zu of %zu subjects%s%s.", nanc, nd0,
		    nanc ? ", " : "", m);
		m[0] = '\0';
		if (nplt > 0)
			median_text(plt, nplt, m, sizeof m);
		say(r, "Platelet engraftment: %zu of %zu subjects%s%s.", nplt, nd0,
		    nplt ? ", " : "", m);
		say(r, "Primary graft failure: %zu.", npgf);
	}
out:
	free(anc);
	free(plt);
}

/* ---- 6. MAFS per subject -------------------------------------------------------------- */

static void
event_types(unsigned t, char *buf, size_t size)
{
	static const struct { unsigned bit; const char *word; } w[] = {
		{ OUTCOME_EV_RELAPSE, "relapse" }, { OUTCOME_EV_MRI, "MRI" },
		{ OUTCOME_EV_PROGRESSION, "progression" }, { OUTCOME_EV_DEATH, "death" },
		{ OUTCOME_EV_RESCUE, "new therapy" },
	};
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
		if (t & w[i].bit)
			len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s",
			    len ? ", " : "", w[i].word);
}

/* NEDA-3 at each follow-up visit of each enrolled subject, one sentence
 * per subject: "TJ01-0001 NEDA-3: m3 (day 91) yes; m6 (day 182) no:
 * relapse." */
static void
neda_by_visit(rep *r)
{
	bool any = false;

	for (size_t i = 0; i < r->n; i++) {
		const subj *s = &r->s[i];
		strbuf sb = { 0 };

		if (!s->enrolled || !s->has_derived || s->d.ep_status != CRF_OK ||
		    s->d.nvisits == 0)
			continue;
		for (size_t v = 0; v < s->d.nvisits; v++) {
			const derived_visit *dv = &s->d.visits[v];
			const neda_result *nr = &dv->neda;

			if (!dv->evaluated)
				continue;
			sb_addf(&sb, "%s%s (day %ld) %s", sb.len ? "; " : "",
			    dv->event != NULL ? dv->event->id : "visit", dv->day,
			    nr->state == NEDA_YES ? "yes" : nr->state == NEDA_NO ? "no" :
			    "incomplete");
			if (nr->state == NEDA_NO)
				sb_addf(&sb, ":%s%s%s", nr->relapse ? " relapse" : "",
				    nr->mri_active ? " MRI activity" : "",
				    nr->progression ? " progression" : "");
		}
		if (sb.len > 0) {
			if (!any)
				say(r, "NEDA-3 (no relapse, no MRI activity, no confirmed "
				    "progression) since the visit before:");
			any = true;
			say(r, "%s: %s.", s->row->key, sb.s);
		}
		sb_free(&sb);
	}
	if (any)
		out_line(r, "%s", "");
}

static void
section_mafs(rep *r)
{
	int kw = key_width(r, true, 7);
	size_t deaths = 0;
	char *hk;

	heading(r, "MS activity-free survival per subject");
	if (outcomes_missing(r))
		return;
	say(r, "MAFS event: the first protocol relapse, MRI activity or confirmed "
	    "progression after day 0; otherwise censored at the last assessment.  TTF: "
	    "time to treatment failure (also a new MS therapy, or death).");
	out_line(r, "%s", "");
	hk = cell("Subject", kw);
	out_row(r, "Event", "  %s  %-8s  %5s  %-8s  %5s  ", hk, "MAFS", "Day", "TTF", "Day");
	free(hk);
	for (size_t i = 0; i < r->n; i++) {
		const subj *s = &r->s[i];
		const outcome_endpoints *ep = &s->d.ep;
		char types[64], ttypes[64], kinds[160], *k;

		if (!s->enrolled)
			continue;
		k = cell(s->row->key, kw);
		if (!s->d.has_day0) {
			out_row(r, "day 0 not entered", "  %s  ", k);
			free(k);
			continue;
		}
		if (s->d.ep_status != CRF_OK) {
			say(r, "%s  cannot be derived: %s", k, s->d.ep_err.msg);
			free(k);
			continue;
		}
		event_types(ep->mafs_type, types, sizeof types);
		event_types(ep->ttf_event ? ep->ttf_type : 0, ttypes, sizeof ttypes);
		if (ep->ttf_event && strcmp(types, ttypes) != 0)
			snprintf(kinds, sizeof kinds, "%s%sTTF: %s", types, types[0] ? "; " : "",
			    ttypes);
		else
			snprintf(kinds, sizeof kinds, "%s", types);
		if (ep->followed || ep->mafs_event)
			out_row(r, kinds, "  %s  %-8s  %5ld  %-8s  %5ld  ", k,
			    ep->mafs_event ? "event" : "censored", ep->mafs_day,
			    ep->ttf_event ? "event" : "censored", ep->ttf_day);
		else
			out_row(r, kinds, "  %s  %-8s  %5s  %-8s  %5ld  ", k, "not yet", "",
			    ep->ttf_event ? "event" : "censored", ep->ttf_day);
		if (ep->trm != TRM_ALIVE)
			deaths++;
		free(k);
	}
	out_line(r, "%s", "");
	neda_by_visit(r);
	if (deaths == 0) {
		say(r, "Deaths: none.");
		return;
	}
	for (size_t i = 0; i < r->n; i++) {
		const subj *s = &r->s[i];
		const outcome_endpoints *ep = &s->d.ep;

		if (!s->enrolled || !s->has_derived || s->d.ep_status != CRF_OK ||
		    ep->trm == TRM_ALIVE)
			continue;
		if (ep->trm == TRM_NO)
			say(r, "%s died on day %ld: not transplant-related.", s->row->key,
			    s->d.subject.death_day);
		else if (ep->trm_by_day && ep->trm_by_investigator)
			say(r, "%s died on day %ld: transplant-related (on or before day %d, and "
			    "in the investigator's judgement).", s->row->key, s->d.subject.death_day,
			    s->d.settings.trm_days);
		else if (ep->trm_by_day)
			say(r, "%s died on day %ld: transplant-related (on or before day %d).",
			    s->row->key, s->d.subject.death_day, s->d.settings.trm_days);
		else
			say(r, "%s died on day %ld: transplant-related (the investigator's "
			    "judgement).", s->row->key, s->d.subject.death_day);
	}
}

/* ---- 7. Kaplan-Meier ------------------------------------------------------------------- */

static void
section_km(rep *r)
{
	km_obs *obs = xcalloc(r->n ? r->n : 1, sizeof *obs);
	size_t n = 0, events = 0, left = 0;
	static const long at[] = { 365, 730, 1095 };
	static const char *const label[] = { "1 year", "2 years", "3 years" };
	km_curve k;
	crf_err e;
	long med;

	heading(r, "Kaplan-Meier estimate of MS activity-free survival");
	if (outcomes_missing(r))
		goto out;
	for (size_t i = 0; i < r->n; i++) {
		const subj *s = &r->s[i];

		if (!s->enrolled || !s->d.has_day0)
			continue;
		if (s->d.ep_status != CRF_OK) {
			left++;
			continue;
		}
		obs[n].time = s->d.ep.mafs_day;
		obs[n].event = s->d.ep.mafs_event;
		events += obs[n].event;
		n++;
	}
	if (n == 0) {
		say(r, "No enrolled subject has day 0 yet: nothing to estimate.");
		goto out;
	}
	if (km_fit(obs, n, r->s[0].d.settings.km_ci, &k, &e) != CRF_OK) {
		say(r, "Cannot be estimated: %s", e.msg);
		goto out;
	}
	say(r, "%zu subject%s with day 0: %zu event%s, %zu censored.  95%% confidence "
	    "intervals from Greenwood's variance, %s.", n, n == 1 ? "" : "s", events,
	    events == 1 ? "" : "s", n - events, k.ci == KM_CI_LOGLOG ?
	    "on log(-log S)" : "S +- 1.96 SE cut to 0..1");
	if (left > 0)
		say(r, "%zu subject%s left out: the data need correcting (section 6).",
		    left, left == 1 ? "" : "s");
	out_line(r, "%s", "");
	out_line(r, "  %-8s  %5s  %7s  %6s  %8s  %s", "Time", "Day", "At risk", "Events",
	    "Estimate", "95% CI");
	for (size_t i = 0; i < 3; i++) {
		km_point p;
		size_t ev = 0;

		km_at(&k, at[i], &p);
		for (size_t j = 0; j < k.n && k.steps[j].time <= at[i]; j++)
			ev += k.steps[j].events;
		if (p.estimable)
			out_line(r, "  %-8s  %5ld  %7zu  %6zu  %8.3f  %.3f to %.3f", label[i], at[i],
			    p.at_risk, ev, p.surv, p.lower, p.upper);
		else
			out_line(r, "  %-8s  %5ld  %7zu  %6zu  %8s  (follow-up ends on day %ld)",
			    label[i], at[i], p.at_risk, ev, "-", k.steps[k.n - 1].time);
	}
	med = km_median(&k);
	if (med == OUTCOME_NO_DAY)
		say(r, "Median: not reached.");
	else
		say(r, "Median: day %ld.", med);
	out_line(r, "%s", "");
	{
		chart_lines cl;
		int w = r->width - 2 > 100 ? 100 : r->width - 2;

		if (chart_km(&k, NULL, "MS activity-free survival", w, 14, r->utf8, &cl,
		    &e) == CRF_OK) {
			for (size_t i = 0; i < cl.n; i++)
				out_line(r, "  %s", cl.line[i]);
			chart_lines_free(&cl);
		}
	}
	km_free(&k);
out:
	free(obs);
}

/* ---- The report ------------------------------------------------------------------------- */

crf_status
report_write(store *st, const study_def *sd, const report_opts *o, strbuf *out,
    crf_err *err)
{
	rep r = { .out = out, .st = st, .sd = sd };
	subject_row *rows = NULL;
	size_t nrows = 0;
	crf_status rc;
	char today[16];

	if (o->width < REPORT_MIN_WIDTH || o->width > REPORT_MAX_WIDTH)
		return crf_fail(err, CRF_EINVAL, "the width must be %d to %d columns, not %d",
		    REPORT_MIN_WIDTH, REPORT_MAX_WIDTH, o->width);
	if (date_precision(o->today) != DATE_DAY)
		return crf_fail(err, CRF_EINVAL, "the report needs today's full date");
	r.width = o->width;
	r.utf8 = o->utf8;
	r.today = o->today;
	if ((rc = store_list_subjects(st, &rows, &nrows, err)) != CRF_OK)
		return rc;
	r.n = nrows;
	r.s = xcalloc(nrows ? nrows : 1, sizeof *r.s);
	r.outcomes = true;
	if (!sd->outcomes.present) {
		r.outcomes = false;
		snprintf(r.outcomes_err.msg, sizeof r.outcomes_err.msg, "The study has no "
		    "[outcomes] section in study.ini: which fields feed the derived values "
		    "is not known.");
	}
	for (size_t i = 0; i < nrows; i++) {
		subj *s = &r.s[i];

		s->row = &rows[i];
		if (!subject_state_from_name(rows[i].status, &s->state))
			s->state = SUBJ_SCREENING;
		s->enrolled = rows[i].study_no != NULL;
		r.nenrolled += s->enrolled;
		if ((rc = load_subject(&r, s, err)) != CRF_OK)
			goto done;
	}

	date_text(o->today, today, sizeof today);
	out_line(&r, "Study report: %s", sd->id ? sd->id : "");
	out_wrapped(&r, 0, i18n_get(&sd->name, LANG_EN));
	out_line(&r, "Site %s (%s), %s", store_site_code(st), store_site_name(st), today);
	section_enrolment(&r);
	section_visits(&r);
	section_completeness(&r);
	section_ae(&r);
	section_engraftment(&r);
	section_mafs(&r);
	section_km(&r);
	rc = CRF_OK;
done:
	for (size_t i = 0; i < nrows; i++)
		free_subject(&r.s[i]);
	free(r.s);
	subject_rows_free(rows, nrows);
	return rc;
}
