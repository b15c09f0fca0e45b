/*
 * scr_queries.c - queries (discrepancy notes, query.h) on screen: the
 * dialog of one query and of a field's queries, the list of the site's or
 * a subject's queries with its filters, and the marks and counts that the
 * form, the casebook and the subject list show.
 *
 * Marks, in ASCII on every terminal: "?" a query waiting for the site
 * (open), "+" a query answered and waiting for the person who raised it.
 * Where both are, "?" shows: the site has something to do.  Closed
 * queries have no mark.
 */
#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crf/date.h"
#include "crf/query.h"
#include "crf/screens.h"
#include "crf/util.h"
#include "crf/validate.h"

#define QTEXT_MAX 1000         /* bytes of one message typed in */
#define VIEW_LINES 400         /* lines of one query's dialog */
#define SUBJECT_MAX 64

#define NOT_CLOSED (1u << QUERY_OPEN | 1u << QUERY_ANSWERED)

/* ---- Marks and counts --------------------------------------------------------- */

const char *
query_mark_glyph(int open, int answered)
{
	if (open > 0)
		return "?";
	if (answered > 0)
		return "+";
	return NULL;
}

void
query_mark_text(int open, int answered, char *buf, size_t size)
{
	const char *g = query_mark_glyph(open, answered);

	if (g == NULL)
		buf[0] = '\0';
	else
		snprintf(buf, size, "%s%d", g, open + answered);
}

void
query_count_words(int open, int answered, char *buf, size_t size)
{
	if (open > 0 && answered > 0)
		snprintf(buf, size, "queries: %d open, %d answered", open, answered);
	else if (open > 0)
		snprintf(buf, size, "%d open quer%s", open, open == 1 ? "y" : "ies");
	else if (answered > 0)
		snprintf(buf, size, "%d answered quer%s", answered, answered == 1 ? "y" : "ies");
	else
		buf[0] = '\0';
}

struct query_marks {
	query_row *rows;             /* the queries not closed */
	size_t n;
};

query_marks *
query_marks_load(app *a, const char *subject_key, const form_key *key)
{
	query_marks *m = xcalloc(1, sizeof *m);
	query_filter f = { .subject = subject_key, .states = NOT_CLOSED };
	crf_err e;

	if (subject_key == NULL)
		return m;
	if (key != NULL) {
		f.event = key->event;
		f.event_repeat = key->event_repeat;
		f.form = key->form;
		f.form_repeat = key->form_repeat;
	}
	if (store_list_queries(a->st, &f, &m->rows, &m->n, &e) != CRF_OK)
		app_message(a, ST_ERROR, "Cannot read the queries of %s: %s", subject_key, e.msg);
	return m;
}

void
query_marks_free(query_marks *m)
{
	if (m == NULL)
		return;
	query_rows_free(m->rows, m->n);
	free(m);
}

static void
tally(const query_row *q, int *open, int *answered)
{
	if (q->state == QUERY_OPEN)
		(*open)++;
	else if (q->state == QUERY_ANSWERED)
		(*answered)++;
}

void
query_marks_field(const query_marks *m, const char *field, int *open, int *answered)
{
	*open = *answered = 0;
	for (size_t i = 0; m != NULL && i < m->n; i++)
		if (str_eq(m->rows[i].field, field))
			tally(&m->rows[i], open, answered);
}

void
query_marks_form(const query_marks *m, const char *event, int event_repeat,
    const char *form, int form_repeat, int *open, int *answered)
{
	*open = *answered = 0;
	for (size_t i = 0; m != NULL && i < m->n; i++) {
		const query_row *q = &m->rows[i];

		if (str_eq(q->event, event) && (event_repeat < 0 || q->event_repeat == event_repeat) &&
		    str_eq(q->form, form) && (form_repeat < 0 || q->form_repeat == form_repeat))
			tally(q, open, answered);
	}
}

void
query_marks_total(const query_marks *m, int *open, int *answered)
{
	*open = *answered = 0;
	for (size_t i = 0; m != NULL && i < m->n; i++)
		tally(&m->rows[i], open, answered);
}

/* ---- Texts of the automatic queries ---------------------------------------------- */

/* "40–120 kg", "at least 40 kg", "at most 120 kg" (stored: UTF-8 always). */
static void
soft_range(const field_def *f, char *buf, size_t size)
{
	const numrange *r = &f->soft;
	const char *u = f->unit ? f->unit : "";
	const char *sp = *u ? " " : "";

	if (r->has_min && r->has_max)
		snprintf(buf, size, "%g–%g%s%s", r->min, r->max, sp, u);
	else if (r->has_min)
		snprintf(buf, size, "at least %g%s%s", r->min, sp, u);
	else if (r->has_max)
		snprintf(buf, size, "at most %g%s%s", r->max, sp, u);
	else
		buf[0] = '\0';
}

char *
query_text_soft_value(app *a, const field_def *f, const char *value)
{
	char shown[256], range[128];
	const char *u = f->unit ? f->unit : "";

	validate_display(f, value ? value : "", a->cfg->date_format, a->cfg->lang, shown,
	    sizeof shown);
	soft_range(f, range, sizeof range);
	return xasprintf("%s %s%s%s is outside the expected range %s: please confirm it "
	    "against the source document.", i18n_get(&f->label, a->cfg->lang), shown,
	    *u ? " " : "", u, range);
}

char *
query_text_soft_check(app *a, const check_def *c)
{
	return xasprintf("Soft check failed: %s. Please confirm against the source "
	    "document.", i18n_get(&c->message, a->cfg->lang));
}

/* ---- Words about a query ----------------------------------------------------------- */

/* A stored UTC time as local time in the site's date format. */
static void
local_time(const app *a, const char *utc, char *buf, size_t size)
{
	time_t t;
	struct tm lt;
	crf_date d;
	char day[32];

	if (!clock_parse(utc, &t)) {
		str_copy(buf, utc ? utc : "", size);
		return;
	}
	localtime_r(&t, &lt);
	d.y = lt.tm_year + 1900;
	d.m = lt.tm_mon + 1;
	d.d = lt.tm_mday;
	date_format_display(d, a->cfg->date_format, day, sizeof day);
	snprintf(buf, size, "%s %02d:%02d", day, lt.tm_hour, lt.tm_min);
}

/* Whole days since the query was raised (0 when the time is unreadable). */
static int
age_days(const query_row *q)
{
	time_t t, now = clock_now();

	if (!clock_parse(q->raised_at, &t) || now <= t)
		return 0;
	return (int)((now - t) / 86400);
}

/* "?" open, "+" answered, "" closed. */
static const char *
state_glyph(query_state s)
{
	return s == QUERY_OPEN ? "?" : s == QUERY_ANSWERED ? "+" : "";
}

static const char *
field_label(app *a, const query_row *q)
{
	const form_def *fd = study_form(a->sd, q->form);
	const field_def *f = fd && q->field ? form_field(fd, q->field) : NULL;

	if (q->field == NULL)
		return "whole form";
	return f ? i18n_get(&f->label, a->cfg->lang) : q->field;
}

/* Where, short: "scr dm Weight", "uns#2 fu Relapse", "ae#1 Term". */
static void
where_short(app *a, const query_row *q, char *buf, size_t size)
{
	const event_def *ev = study_event(a->sd, q->event);

	if (q->event[0] == '\0')
		snprintf(buf, size, "%s#%d %s", q->form, q->form_repeat, field_label(a, q));
	else if ((ev && ev->repeating) || q->event_repeat > 1)
		snprintf(buf, size, "%s#%d %s %s", q->event, q->event_repeat, q->form,
		    field_label(a, q));
	else
		snprintf(buf, size, "%s %s %s", q->event, q->form, field_label(a, q));
}

/* Where, in words: "Screening / baseline · Demographics and baseline
 * status · Weight". */
static void
where_long(app *a, const query_row *q, char *buf, size_t size)
{
	const event_def *ev = study_event(a->sd, q->event);
	const form_def *fd = study_form(a->sd, q->form);
	const char *dot = ui_utf8() ? " · " : " - ";
	const char *form = fd ? i18n_get(&fd->title, a->cfg->lang) : q->form;
	char evt[256];

	if (q->event[0] == '\0') {
		snprintf(buf, size, "%s #%d%s%s", form, q->form_repeat, dot, field_label(a, q));
		return;
	}
	if ((ev && ev->repeating) || q->event_repeat > 1)
		snprintf(evt, sizeof evt, "%s #%d", ev ? i18n_get(&ev->title, a->cfg->lang) : q->event,
		    q->event_repeat);
	else
		str_copy(evt, ev ? i18n_get(&ev->title, a->cfg->lang) : q->event, sizeof evt);
	snprintf(buf, size, "%s%s%s%s%s", evt, dot, form, dot, field_label(a, q));
}

static const char *
action_words(const char *step)
{
	if (str_eq(step, "raise"))
		return "raised the query";
	if (str_eq(step, "answer"))
		return "answered";
	if (str_eq(step, "close"))
		return "closed the query";
	if (str_eq(step, "reopen"))
		return "reopened the query";
	return step ? step : "";
}

/* ---- One query's dialog -------------------------------------------------------------- */

typedef struct view_lines {
	char (*line)[256];
	int n, max;
} view_lines;

/* Append text wrapped to w columns, each line after indent. */
static void
add_text(view_lines *v, const char *text, int w, const char *indent)
{
	static char tmp[VIEW_LINES][256];
	int iw = utf8_width(indent), k;
	size_t il = strlen(indent);

	k = dlg_wrap(text, w - iw > 8 ? w - iw : 8, tmp, VIEW_LINES);
	for (int i = 0; i < k && v->n < v->max && il < 128; i++) {
		str_copy(v->line[v->n], indent, 256);
		str_copy(v->line[v->n] + il, tmp[i], 256 - il);
		v->n++;
	}
}

/* What a query's dialog offers. */
enum {
	QV_OFFER_NEW = 1 << 0,       /* a new query on the same field */
	QV_OFFER_FORM = 1 << 1       /* open the form on the query's field */
};

typedef enum qv_result {
	QV_BACK,
	QV_NEW,
	QV_FORM
} qv_result;

typedef enum qv_choice {
	QC_ANSWER, QC_CLOSE, QC_REOPEN, QC_NEW, QC_FORM, QC_BACK
} qv_choice;

static const char *const choice_label[] = {
	[QC_ANSWER] = "[A]nswer", [QC_CLOSE] = "[C]lose", [QC_REOPEN] = "re[O]pen",
	[QC_NEW] = "[N]ew query", [QC_FORM] = "[F]orm", [QC_BACK] = "[B]ack",
};

/* Ask a text ("Answer:"); when required, a blank one is asked again
 * ("Answer (required):").  False on Esc. */
static bool
ask_text(app *a, const char *title, const char *prompt, bool required, char *out,
    size_t size)
{
	char again[64];
	const char *p = prompt;

	snprintf(again, sizeof again, "%.*s (required):", (int)strcspn(prompt, ":"), prompt);
	for (;;) {
		if (!dlg_input(a, title, p, false, out, size))
			return false;
		str_trim(out);
		if (*out || !required)
			return true;
		p = again;
	}
}

/* The text of the dialog: where, who raised it, the thread. */
static void
view_text(app *a, const query_row *q, const query_message *m, size_t nm, int w,
    view_lines *v)
{
	char where[512], when[64], line[1024];
	const char *dot = ui_utf8() ? " · " : " - ";

	where_long(a, q, where, sizeof where);
	snprintf(line, sizeof line, "%s%s%s", q->subject, dot, where);
	add_text(v, line, w, "");
	local_time(a, q->raised_at, when, sizeof when);
	snprintf(line, sizeof line, "%s%s%s%sraised %s by %s%s%d day%s ago",
	    state_glyph(q->state), q->state == QUERY_CLOSED ? "" : " ",
	    query_state_name(q->state), dot, when,
	    q->automatic ? "crf itself (a soft value)" : q->raised_by, dot, age_days(q),
	    age_days(q) == 1 ? "" : "s");
	add_text(v, line, w, "");
	for (size_t i = 0; i < nm && v->n < v->max; i++) {
		local_time(a, m[i].at, when, sizeof when);
		if (v->n < v->max)
			v->line[v->n++][0] = '\0';
		bool text = m[i].text && *m[i].text;

		if (m[i].full_name && *m[i].full_name)
			snprintf(line, sizeof line, "%s  %s (%s) %s%s", when, m[i].full_name,
			    m[i].user, action_words(m[i].action), text ? ":" : ".");
		else
			snprintf(line, sizeof line, "%s  %s %s%s", when, m[i].user,
			    action_words(m[i].action), text ? ":" : ".");
		add_text(v, line, w, "");
		if (text)
			add_text(v, m[i].text, w, "    ");
	}
}

/* The choices the signed-in person has on q. */
static int
view_choices(app *a, const query_row *q, unsigned offer, qv_choice *c)
{
	int n = 0;
	bool settle = app_may(a, PERM_CLOSE_QUERY) && store_may_settle_query(a->st, q);

	if (q->state == QUERY_OPEN && app_may(a, PERM_ANSWER_QUERY))
		c[n++] = QC_ANSWER;
	if (q->state != QUERY_CLOSED && settle)
		c[n++] = QC_CLOSE;
	if (q->state != QUERY_OPEN && settle)
		c[n++] = QC_REOPEN;
	if ((offer & QV_OFFER_NEW) && app_may(a, PERM_RAISE_QUERY))
		c[n++] = QC_NEW;
	if (offer & QV_OFFER_FORM)
		c[n++] = QC_FORM;
	c[n++] = QC_BACK;
	return n;
}

/* Carry out an answer, close or reopen; true when the query changed. */
static bool
view_act(app *a, const query_row *q, qv_choice c)
{
	char title[64], text[QTEXT_MAX];
	crf_err e;
	crf_status rc;

	text[0] = '\0';
	switch (c) {
	case QC_ANSWER:
		snprintf(title, sizeof title, "Answer query #%lld", q->id);
		if (!ask_text(a, title, "Answer:", true, text, sizeof text))
			return false;
		rc = store_answer_query(a->st, q->id, text, &e);
		break;
	case QC_CLOSE:
		snprintf(title, sizeof title, "Close query #%lld", q->id);
		if (!ask_text(a, title, "Note (may be blank):", false, text, sizeof text))
			return false;
		rc = store_close_query(a->st, q->id, text[0] ? text : NULL, &e);
		break;
	case QC_REOPEN:
		snprintf(title, sizeof title, "Reopen query #%lld", q->id);
		if (!ask_text(a, title, "What is still wrong:", true, text, sizeof text))
			return false;
		rc = store_reopen_query(a->st, q->id, text, &e);
		break;
	default:
		return false;
	}
	if (rc != CRF_OK) {
		app_message(a, ST_ERROR, "Query #%lld is unchanged: %s", q->id, e.msg);
		return false;
	}
	if (c == QC_ANSWER)
		app_message(a, ST_OK, "Query #%lld answered. To change the value, edit the field "
		    "and save it with a reason", q->id);
	else
		app_message(a, ST_OK, "Query #%lld %s", q->id, c == QC_CLOSE ? "closed" : "reopened");
	return true;
}

/*
 * The dialog of query id: where it points, its state, its thread, and
 * what the signed-in person may do with it.  *changed is set when it was
 * answered, closed or reopened here.
 */
static qv_result
query_view(app *a, long long id, unsigned offer, bool *changed)
{
	static char lines[VIEW_LINES][256];
	int top = 0, sel = 0;

	for (;;) {
		query_row q;
		query_message *m = NULL;
		size_t nm = 0;
		qv_choice ch[8];
		int nch, vis, x;
		view_lines v = { lines, 0, VIEW_LINES };
		char title[96];
		const char *hint;
		dlg_box b;
		ui_key k;
		crf_err e;
		qv_choice picked = QC_BACK;
		bool chosen = false;

		if (store_get_query(a->st, id, &q, &e) != CRF_OK ||
		    store_query_messages(a->st, id, &m, &nm, &e) != CRF_OK) {
			app_message(a, ST_ERROR, "Cannot read query #%lld: %s", id, e.msg);
			query_row_clear(&q);
			return QV_BACK;
		}
		nch = view_choices(a, &q, offer, ch);
		if (sel >= nch)
			sel = nch - 1;
		b = dlg_frame(a, "", ui_rows() - 3, ui_cols() - 2 < 78 ? ui_cols() - 2 : 78);
		view_text(a, &q, m, nm, b.w - 4, &v);
		snprintf(title, sizeof title, "Query #%lld: %s", q.id, field_label(a, &q));
		ui_putf(b.y, b.x + 2, b.w - 4, ST_HEADER, " %s ", title);
		vis = b.h - 4;
		if (vis < 1)
			vis = 1;
		if (top > v.n - vis)
			top = v.n - vis > 0 ? v.n - vis : 0;
		for (int i = 0; i < vis && top + i < v.n; i++)
			ui_put(b.y + 1 + i, b.x + 2, b.w - 4, i + top < 2 ? ST_HEADER : ST_NORMAL,
			    lines[top + i]);
		if (top > 0)
			ui_put(b.y + 1, b.x + b.w - 2, 1, ST_DIM, ui_utf8() ? "↑" : "^");
		if (top + vis < v.n)
			ui_put(b.y + vis, b.x + b.w - 2, 1, ST_DIM, ui_utf8() ? "↓" : "v");
		if (q.state == QUERY_OPEN && app_may(a, PERM_ANSWER_QUERY))
			hint = "To change the value: edit the field, save with a reason, then answer.";
		else if (v.n > vis)
			hint = "Up/Down/PgUp/PgDn scroll; Esc goes back.";
		else
			hint = "Esc goes back.";
		ui_put(b.y + b.h - 3, b.x + 2, b.w - 4, ST_DIM, hint);
		x = b.x + 2;
		for (int i = 0; i < nch; i++)
			x += ui_put(b.y + b.h - 2, x, b.x + b.w - 2 - x, i == sel ? ST_SELECTED : ST_NORMAL,
			    choice_label[ch[i]]) + 2;
		ui_no_cursor();
		ui_flush();
		query_messages_free(m, nm);
		if (!dlg_key(&k)) {
			query_row_clear(&q);
			return QV_BACK;
		}
		if (k.is_key) {
			switch (k.ch) {
			case KEY_UP: top = top > 0 ? top - 1 : 0; break;
			case KEY_DOWN: top++; break;
			case KEY_PPAGE: top = top > vis ? top - vis : 0; break;
			case KEY_NPAGE: top += vis; break;
			case KEY_LEFT: case KEY_BTAB: sel = (sel + nch - 1) % nch; break;
			case KEY_RIGHT: sel = (sel + 1) % nch; break;
			}
		} else if (k.ch == '\t') {
			sel = (sel + 1) % nch;
		} else if (k.ch == '\r' || k.ch == '\n') {
			picked = ch[sel];
			chosen = true;
		} else if (k.ch == 27 || k.ch == CTRL_KEY('C') || k.ch == CTRL_KEY('X')) {
			chosen = true;
		} else if (k.ch < 128) {
			for (int i = 0; i < nch; i++) {
				const char *br = strchr(choice_label[ch[i]], '[');
				if (br && tolower((unsigned char)br[1]) == tolower((int)k.ch)) {
					picked = ch[i];
					chosen = true;
					sel = i;
				}
			}
		}
		if (chosen) {
			qv_result r = QV_BACK;

			if (picked == QC_NEW)
				r = QV_NEW;
			else if (picked == QC_FORM)
				r = QV_FORM;
			else if (picked != QC_BACK && view_act(a, &q, picked))
				*changed = true;
			query_row_clear(&q);
			if (picked == QC_BACK || picked == QC_NEW || picked == QC_FORM || ui_hangup)
				return r;
			continue;
		}
		query_row_clear(&q);
	}
}

/* ---- A field's queries (the form's ACT_QUERY) ------------------------------------------ */

/* Raise a new query on field f (NULL: the whole form) of instance key. */
static bool
raise_new(app *a, const form_key *key, const char *what, const field_def *f, bool saved)
{
	char title[256], text[QTEXT_MAX];
	long long id;
	crf_err e;

	if (!app_check(a, PERM_RAISE_QUERY))
		return false;
	if (!saved) {
		app_message(a, ST_WARN, "A query can only be raised on a saved form: this form "
		    "has never been saved");
		return false;
	}
	snprintf(title, sizeof title, "New query: %s", what);
	if (!ask_text(a, title, "Query:", true, text, sizeof text))
		return false;
	if (store_raise_query(a->st, key, f ? f->id : NULL, text, &id, &e) != CRF_OK) {
		app_message(a, ST_ERROR, "The query was not raised: %s", e.msg);
		return false;
	}
	app_message(a, ST_OK, "Query #%lld raised on %s", id, what);
	return true;
}

bool
query_field_dialog(app *a, const form_key *key, const char *subject_key,
    const field_def *f, bool saved)
{
	const char *what = f ? i18n_get(&f->label, a->cfg->lang) : "the whole form";
	bool changed = false;
	int current = 0;

	for (;;) {
		query_filter flt = { .subject = subject_key, .event = key->event,
		    .event_repeat = key->event_repeat, .form = key->form,
		    .form_repeat = key->form_repeat };
		query_row *rows;
		size_t n, k = 0;
		crf_err e;
		char **items;
		int pick, nitems;
		bool may_raise = app_may(a, PERM_RAISE_QUERY);

		if (store_list_queries(a->st, &flt, &rows, &n, &e) != CRF_OK) {
			app_message(a, ST_ERROR, "Cannot read the queries: %s", e.msg);
			return changed;
		}
		/* The field's queries, then those about the whole form. */
		for (int pass = 0; pass < 2; pass++)
			for (size_t i = 0; i < n; i++) {
				bool mine = pass == 0 ? f != NULL && str_eq(rows[i].field, f->id) :
				    rows[i].field == NULL;
				if (mine) {
					query_row t = rows[k];
					rows[k] = rows[i];
					rows[i] = t;
					k++;
				}
			}
		if (k == 0) {
			query_rows_free(rows, n);
			if (may_raise)
				return raise_new(a, key, what, f, saved) || changed;
			app_message(a, ST_DIM, "No queries on %s; queries are raised by monitors and "
			    "data managers", what);
			return changed;
		}
		if (k == 1) {
			long long id = rows[0].id;
			qv_result r;

			query_rows_free(rows, n);
			r = query_view(a, id, QV_OFFER_NEW, &changed);
			if (r == QV_NEW)
				changed |= raise_new(a, key, what, f, saved);
			return changed;
		}
		nitems = (int)k + (may_raise ? 1 : 0);
		items = xcalloc((size_t)nitems, sizeof *items);
		for (size_t i = 0; i < k; i++)
			items[i] = xasprintf("#%lld %s %s%s %s: %s", rows[i].id,
			    state_glyph(rows[i].state), query_state_name(rows[i].state),
			    rows[i].field ? "" : " (whole form)", rows[i].last_by ? rows[i].last_by : "",
			    rows[i].last_text ? rows[i].last_text : "");
		if (may_raise)
			items[k] = xstrdup("New query");
		{
			char title[256];

			snprintf(title, sizeof title, "Queries: %s", what);
			pick = dlg_pick(a, title, (const char *const *)items, nitems, current);
		}
		for (int i = 0; i < nitems; i++)
			free(items[i]);
		free(items);
		if (pick < 0 || ui_hangup) {
			query_rows_free(rows, n);
			return changed;
		}
		current = pick;
		if ((size_t)pick == k) {
			query_rows_free(rows, n);
			return raise_new(a, key, what, f, saved) || changed;
		} else {
			long long id = rows[pick].id;

			query_rows_free(rows, n);
			if (query_view(a, id, 0, &changed) == QV_BACK && ui_hangup)
				return changed;
		}
	}
}

/* ---- The list of queries ---------------------------------------------------------------- */

/* State filters, in the order of the pick list. */
static const struct {
	unsigned states;
	const char *word;
	const char *item;
} state_filters[] = {
	{ NOT_CLOSED, "not closed", "not closed (open or answered)" },
	{ 1u << QUERY_OPEN, "open", "? open: waiting for the site" },
	{ 1u << QUERY_ANSWERED, "answered", "+ answered: waiting for whoever raised it" },
	{ 1u << QUERY_CLOSED, "closed", "closed" },
	{ 0, "all", "all" },
};
#define NSTATE_FILTERS (sizeof state_filters / sizeof state_filters[0])

typedef struct queries_scr {
	char *subject_key;           /* NULL: every subject of the site */
	query_row *rows;             /* every query of the scope */
	size_t n;
	size_t *shown;               /* indexes of rows passing the filters */
	size_t nshown;
	size_t sel, top;             /* within shown */
	long long sel_id;            /* kept across re-reads */
	size_t state;                /* index in state_filters */
	int min_age;                 /* raised at least this many days ago; 0 any */
	char subject[SUBJECT_MAX];   /* part of a subject ID ("" all) */
} queries_scr;

static bool
row_passes(const queries_scr *qs, const query_row *q)
{
	unsigned st = state_filters[qs->state].states;

	if (st != 0 && !(st & (1u << q->state)))
		return false;
	if (qs->min_age > 0 && age_days(q) < qs->min_age)
		return false;
	return qs->subject[0] == '\0' || strcasestr(q->subject, qs->subject) != NULL;
}

static void
apply_filter(queries_scr *qs)
{
	qs->nshown = 0;
	qs->sel = 0;
	for (size_t i = 0; i < qs->n; i++) {
		if (!row_passes(qs, &qs->rows[i]))
			continue;
		if (qs->rows[i].id == qs->sel_id)
			qs->sel = qs->nshown;
		qs->shown[qs->nshown++] = i;
	}
	if (qs->nshown)
		qs->sel_id = qs->rows[qs->shown[qs->sel]].id;
}

static void
reload(queries_scr *qs, app *a)
{
	query_filter f = { .subject = qs->subject_key };
	crf_err e;

	query_rows_free(qs->rows, qs->n);
	free(qs->shown);
	qs->rows = NULL;
	qs->n = 0;
	if (store_list_queries(a->st, &f, &qs->rows, &qs->n, &e) != CRF_OK)
		app_message(a, ST_ERROR, "Cannot read the queries: %s", e.msg);
	qs->shown = xcalloc(qs->n ? qs->n : 1, sizeof *qs->shown);
	apply_filter(qs);
}

static void
select_shown(queries_scr *qs, size_t i)
{
	if (qs->nshown == 0)
		return;
	qs->sel = i < qs->nshown ? i : qs->nshown - 1;
	qs->sel_id = qs->rows[qs->shown[qs->sel]].id;
}

/* Column widths: number, subject, where, state, days, raised by, last message. */
enum { C_NO, C_SUBJ, C_WHERE, C_STATE, C_DAYS, C_BY, C_LAST, NCOLS };

static void
columns(const queries_scr *qs, int cols, int w[NCOLS])
{
	int no = 4, subj = 8, by = 10, rest;

	for (size_t i = 0; i < qs->n; i++) {
		char buf[32];
		int k = snprintf(buf, sizeof buf, "#%lld", qs->rows[i].id) + 1;
		if (k > no)
			no = k;
		k = utf8_width(qs->rows[i].subject) + 1;
		if (k > subj)
			subj = k;
		k = utf8_width(qs->rows[i].raised_by) + 1;
		if (k > by)
			by = k;
	}
	if (by > 13)
		by = 13;
	w[C_NO] = no;
	w[C_SUBJ] = subj;
	w[C_STATE] = 11;
	w[C_DAYS] = 5;
	w[C_BY] = by;
	rest = cols - no - subj - 11 - 5 - by;
	if (rest < 20)
		rest = 20;
	w[C_WHERE] = rest * 11 / 20;
	w[C_LAST] = rest - w[C_WHERE];
}

static void
queries_draw(screen *s, app *a)
{
	queries_scr *qs = s->priv;
	int cols = ui_cols(), first = 3, last = ui_rows() - 6, vis = last - first + 1;
	int w[NCOLS], x;
	char title[256], buf[512];
	const char *dot = ui_utf8() ? " · " : " - ";

	if (qs->subject_key)
		snprintf(title, sizeof title, "Queries%s%s", dot, qs->subject_key);
	else
		snprintf(title, sizeof title, "Queries%sall subjects%s%s", dot, dot,
		    a->cfg->site_name);
	app_title(a, title);
	ui_no_cursor();

	x = ui_putf(1, 0, cols, ST_NORMAL, "State: %s   ", state_filters[qs->state].word);
	if (qs->subject_key == NULL)
		x += ui_putf(1, x, cols - x, ST_NORMAL, "Subject: %s   ",
		    qs->subject[0] ? qs->subject : "all");
	if (qs->min_age > 0)
		x += ui_putf(1, x, cols - x, ST_NORMAL, "Age: %d day%s or more   ", qs->min_age,
		    qs->min_age == 1 ? "" : "s");
	else
		x += ui_put(1, x, cols - x, ST_NORMAL, "Age: any   ");
	ui_putf(1, x, cols - x, ST_DIM, "%zu of %zu quer%s", qs->nshown, qs->n,
	    qs->n == 1 ? "y" : "ies");

	columns(qs, cols, w);
	ui_fill(2, 0, cols, ST_HEADER);
	x = 0;
	{
		static const char *const head[NCOLS] = { "No.", "Subject", "Where", "State",
		    "Days", "Raised by", "Last message" };
		for (int c = 0; c < NCOLS; c++) {
			ui_put(2, x, w[c] - (c + 1 < NCOLS ? 1 : 0), ST_HEADER, head[c]);
			x += w[c];
		}
	}
	if (qs->nshown == 0) {
		ui_put(first + 1, 2, cols - 2, ST_DIM, qs->n == 0 ? "No queries yet." :
		    "No query matches the filters. ^V (F9) changes them.");
		return;
	}
	if (vis < 1)
		vis = 1;
	if (qs->sel < qs->top)
		qs->top = qs->sel;
	if (qs->sel >= qs->top + (size_t)vis)
		qs->top = qs->sel - (size_t)vis + 1;
	for (int i = 0; i < vis && qs->top + (size_t)i < qs->nshown; i++) {
		size_t idx = qs->top + (size_t)i;
		const query_row *q = &qs->rows[qs->shown[idx]];
		bool sel = idx == qs->sel;
		ui_style st = sel ? ST_SELECTED : ST_NORMAL;
		int y = first + i;

		x = 0;
		if (sel)
			ui_fill(y, 0, cols, ST_SELECTED);
		ui_putf(y, x, w[C_NO] - 1, st, "#%lld", q->id);
		x += w[C_NO];
		ui_put(y, x, w[C_SUBJ] - 1, st, q->subject);
		x += w[C_SUBJ];
		where_short(a, q, buf, sizeof buf);
		ui_put(y, x, w[C_WHERE] - 1, st, buf);
		x += w[C_WHERE];
		ui_putf(y, x, w[C_STATE] - 1, sel ? st : q->state == QUERY_OPEN ? ST_WARN :
		    q->state == QUERY_CLOSED ? ST_DIM : ST_NORMAL, "%-1s %s", state_glyph(q->state),
		    query_state_name(q->state));
		x += w[C_STATE];
		ui_putf(y, x, w[C_DAYS] - 1, st, "%4d", age_days(q));
		x += w[C_DAYS];
		ui_put(y, x, w[C_BY] - 1, st, q->raised_by);
		x += w[C_BY];
		ui_put(y, x, cols - x, st, q->last_text ? q->last_text : "");
	}
	/* The selected query in words. */
	{
		const query_row *q = &qs->rows[qs->shown[qs->sel]];
		char when[64];

		where_long(a, q, buf, sizeof buf);
		ui_putf(last + 2, 0, cols, ST_NORMAL, "#%lld %s%s%s", q->id, q->subject, dot, buf);
		local_time(a, q->updated_at, when, sizeof when);
		ui_putf(last + 3, 0, cols, ST_DIM, "%d message%s; the last by %s on %s%s%s",
		    q->nmessages, q->nmessages == 1 ? "" : "s", q->last_by ? q->last_by : "", when,
		    q->last_text ? ": " : "", q->last_text ? q->last_text : "");
	}
}

/* ^V: the state, subject and age filters. */
static void
pick_filter(queries_scr *qs, app *a)
{
	char items[4][96], in[SUBJECT_MAX];
	const char *list[4];
	int n = 0, i_state, i_subj = -1, i_age, i_clear, r;

	snprintf(items[n], sizeof items[n], "State: %s", state_filters[qs->state].word);
	i_state = n++;
	if (qs->subject_key == NULL) {
		snprintf(items[n], sizeof items[n], "Subject: %s", qs->subject[0] ? qs->subject : "all");
		i_subj = n++;
	}
	if (qs->min_age > 0)
		snprintf(items[n], sizeof items[n], "Age: %d day%s or more", qs->min_age,
		    qs->min_age == 1 ? "" : "s");
	else
		snprintf(items[n], sizeof items[n], "Age: any");
	i_age = n++;
	snprintf(items[n], sizeof items[n], "Show every query");
	i_clear = n++;
	for (int i = 0; i < n; i++)
		list[i] = items[i];
	r = dlg_pick(a, "Show queries", list, n, 0);
	if (r < 0)
		return;
	if (r == i_state) {
		const char *st[NSTATE_FILTERS];
		int p;

		for (size_t i = 0; i < NSTATE_FILTERS; i++)
			st[i] = state_filters[i].item;
		p = dlg_pick(a, "State", st, (int)NSTATE_FILTERS, (int)qs->state);
		if (p >= 0)
			qs->state = (size_t)p;
	} else if (r == i_subj) {
		if (!dlg_input(a, "Subject", "Subject ID or part of it (blank: all):", false, in,
		    sizeof in))
			return;
		str_copy(qs->subject, str_trim(in), sizeof qs->subject);
	} else if (r == i_age) {
		long days;

		if (!dlg_input(a, "Age", "Raised at least this many days ago (blank: any):", false,
		    in, sizeof in))
			return;
		str_trim(in);
		if (in[0] == '\0') {
			qs->min_age = 0;
		} else if (parse_long(in, &days) && days >= 0 && days <= 36500) {
			qs->min_age = (int)days;
		} else {
			app_message(a, ST_ERROR, "Type a number of days, such as 7");
			return;
		}
	} else if (r == i_clear) {
		qs->state = NSTATE_FILTERS - 1;
		qs->subject[0] = '\0';
		qs->min_age = 0;
	}
	apply_filter(qs);
}

/* Enter: the selected query's dialog; from there, its form. */
static void
open_selected(queries_scr *qs, app *a)
{
	query_row *q;
	const form_def *fd;
	bool changed = false;
	screen *fs;
	char *field;

	if (qs->nshown == 0)
		return;
	q = &qs->rows[qs->shown[qs->sel]];
	if (query_view(a, q->id, QV_OFFER_FORM, &changed) != QV_FORM) {
		if (changed)
			reload(qs, a);
		return;
	}
	fd = study_form(a->sd, q->form);
	if (fd == NULL) {
		app_message(a, ST_ERROR, "The form %s is not in the study's definitions", q->form);
		return;
	}
	field = xstrdup(q->field);
	fs = scr_form_new(a, q->subject_id, q->subject, q->event, q->event_repeat, fd,
	    q->form_repeat);
	scr_form_goto(fs, a, field);
	free(field);
	app_push(a, fs);
}

static scr_result
queries_handle(screen *s, app *a, action act, const ui_key *k)
{
	queries_scr *qs = s->priv;
	size_t page = ui_rows() > 9 ? (size_t)ui_rows() - 8 : 1;   /* rows of the list */

	switch (act) {
	case ACT_BACK:
	case ACT_CANCEL:
		return SCR_POP;
	case ACT_NEXT:
		select_shown(qs, qs->sel + 1);
		break;
	case ACT_PREV:
		select_shown(qs, qs->sel > 0 ? qs->sel - 1 : 0);
		break;
	case ACT_PAGE_DOWN:
		select_shown(qs, qs->sel + page);
		break;
	case ACT_PAGE_UP:
		select_shown(qs, qs->sel > page ? qs->sel - page : 0);
		break;
	case ACT_ENTER:
		open_selected(qs, a);
		break;
	case ACT_FILTER:
		pick_filter(qs, a);
		break;
	case ACT_NONE:
		if (k->is_key && k->ch == KEY_HOME)
			select_shown(qs, 0);
		else if (k->is_key && k->ch == KEY_END)
			select_shown(qs, qs->nshown ? qs->nshown - 1 : 0);
		break;
	default:
		break;
	}
	return SCR_STAY;
}

static void
queries_resume(screen *s, app *a)
{
	reload(s->priv, a);
}

static void
queries_free(screen *s)
{
	queries_scr *qs = s->priv;

	query_rows_free(qs->rows, qs->n);
	free(qs->shown);
	free(qs->subject_key);
	free(qs);
}

static const screen_ops queries_ops = {
	.name = "queries",
	.keyctx = KC_QUERIES,
	.draw = queries_draw,
	.handle = queries_handle,
	.resume = queries_resume,
	.tick = queries_resume,
	.free = queries_free,
};

screen *
scr_queries_new(app *a, const char *subject_key)
{
	queries_scr *qs = xcalloc(1, sizeof *qs);

	qs->subject_key = xstrdup(subject_key);
	qs->state = 0;
	reload(qs, a);
	return screen_new(&queries_ops, qs);
}
