/* scr_subjects.c - the subject list: search, filter by status, add, open. */
#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "crf/lifecycle.h"
#include "crf/query.h"
#include "crf/schedule.h"
#include "crf/screens.h"
#include "crf/util.h"

#define QUERY_MAX 64

typedef struct subj_line {
	subject_row row;
	const event_def *current;    /* NULL: nothing saved */
	bool day0_known;
	bool due_known;
	visit_due due;
	int qopen, qanswered;        /* queries not closed */
} subj_line;

typedef struct subjects_scr {
	subj_line *lines;
	size_t n;
	size_t *shown;               /* indexes of lines passing the filters */
	size_t nshown;
	size_t sel, top;             /* within shown */
	long long sel_id;            /* kept across refreshes */
	char query[QUERY_MAX];       /* typed search, UTF-8 */
	int status;                  /* a subject_state, -1 all */
} subjects_scr;

static void
lines_free(subjects_scr *ss)
{
	for (size_t i = 0; i < ss->n; i++)
		subject_row_clear(&ss->lines[i].row);
	free(ss->lines);
	free(ss->shown);
	ss->lines = NULL;
	ss->shown = NULL;
	ss->n = ss->nshown = 0;
}

/* Day 0 of a subject whose anchor form was saved. */
static bool
load_day0(app *a, long long id, crf_date *out)
{
	const study_def *sd = a->sd;
	form_key key = { id, sd->anchor_event->id, 1, sd->anchor_form->id, 1 };
	form_data fd = {0};
	crf_err e;
	bool ok = false;

	if (store_load_form(a->st, &key, &fd, &e) != CRF_OK)
		return false;
	for (size_t i = 0; i < fd.nitems; i++)
		if (str_eq(fd.items[i].field, sd->anchor_field->id) && fd.items[i].value)
			ok = date_parse_iso(fd.items[i].value, false, out);
	form_data_clear(&fd);
	return ok;
}

static void
summarise(app *a, subj_line *l, crf_date today)
{
	const study_def *sd = a->sd;
	form_row *rows;
	size_t n;
	form_index ix;
	crf_date day0;
	crf_err e;

	if (store_list_forms(a->st, l->row.id, &rows, &n, &e) != CRF_OK) {
		app_message(a, ST_ERROR, "%s: %s", l->row.key, e.msg);
		return;
	}
	form_index_init(&ix, rows, n);
	l->current = schedule_current(sd, &ix);
	if (sd->anchor_event && form_index_status(&ix, sd->anchor_event->id, 1,
	    sd->anchor_form->id, 1) != FORM_NOT_STARTED && load_day0(a, l->row.id, &day0)) {
		l->day0_known = true;
		if (subject_status_active(l->row.status))
			l->due_known = schedule_next_due(sd, &ix, day0, today, &l->due);
	}
	form_index_free(&ix);
}

static bool
line_passes(const subjects_scr *ss, const subj_line *l)
{
	if (ss->status >= 0 && !str_eq(l->row.status,
	    subject_state_name((subject_state)ss->status)))
		return false;
	return ss->query[0] == '\0' || strcasestr(l->row.key, ss->query) != NULL;
}

/* Apply the search and the status filter, keeping the selected subject
 * selected when it still shows. */
static void
apply_filter(subjects_scr *ss)
{
	ss->nshown = 0;
	ss->sel = 0;
	for (size_t i = 0; i < ss->n; i++) {
		if (!line_passes(ss, &ss->lines[i]))
			continue;
		if (ss->lines[i].row.id == ss->sel_id)
			ss->sel = ss->nshown;
		ss->shown[ss->nshown++] = i;
	}
	if (ss->nshown)
		ss->sel_id = ss->lines[ss->shown[ss->sel]].row.id;
}

/* The queries not closed of each subject. */
static void
count_queries(subjects_scr *ss, app *a)
{
	query_count *qc;
	size_t nq;
	crf_err e;

	if (store_count_queries(a->st, &qc, &nq, &e) != CRF_OK) {
		app_message(a, ST_ERROR, "Cannot count the queries: %s", e.msg);
		return;
	}
	for (size_t i = 0; i < ss->n; i++)
		for (size_t j = 0; j < nq; j++)
			if (qc[j].subject_id == ss->lines[i].row.id) {
				ss->lines[i].qopen = qc[j].open;
				ss->lines[i].qanswered = qc[j].answered;
			}
	free(qc);
}

static void
reload(subjects_scr *ss, app *a)
{
	subject_row *rows;
	size_t n;
	crf_err e;
	crf_date today = clock_today();

	lines_free(ss);
	if (store_list_subjects(a->st, &rows, &n, &e) != CRF_OK) {
		app_message(a, ST_ERROR, "Cannot read the subjects: %s", e.msg);
		return;
	}
	ss->lines = xcalloc(n ? n : 1, sizeof *ss->lines);
	ss->shown = xcalloc(n ? n : 1, sizeof *ss->shown);
	ss->n = n;
	for (size_t i = 0; i < n; i++) {
		ss->lines[i].row = rows[i];
		summarise(a, &ss->lines[i], today);
	}
	free(rows);
	count_queries(ss, a);
	apply_filter(ss);
}

static void
select_shown(subjects_scr *ss, size_t i)
{
	if (ss->nshown == 0)
		return;
	ss->sel = i < ss->nshown ? i : ss->nshown - 1;
	ss->sel_id = ss->lines[ss->shown[ss->sel]].row.id;
}

/* Column widths for the screen width: id, study number, status, current
 * event, due, queries.  Status (with its date) and due are as wide as what
 * they show; the queries column is right-aligned, so the due dates need no
 * gap before it.  The current event gets what is left. */
enum { SC_ID, SC_STUDY, SC_STATUS, SC_CURRENT, SC_DUE, SC_QUERIES, SC_N };

static void
columns(const subjects_scr *ss, app *a, int cols, int w[SC_N])
{
	int id = 10, study = 9, status = 6, due = 15;

	for (size_t i = 0; i < ss->n; i++) {
		const subj_line *l = &ss->lines[i];
		char words[64];
		int k = utf8_width(l->row.key);

		if (k > id)
			id = k;
		if (l->row.study_no && (k = utf8_width(l->row.study_no)) > study)
			study = k;
		status_words(a, &l->row, words, sizeof words);
		k = utf8_width(subject_status_glyph(l->row.status, ui_utf8())) + 1 +
		    utf8_width(words);
		if (k > status)
			status = k;
		if (l->due_known) {
			char date[32];

			date_format_display(l->due.win.target, a->cfg->date_format, date, sizeof date);
			k = utf8_width(l->due.event->id) + 1 + utf8_width(date) +
			    (l->due.overdue ? 8 : 0);
			if (k > due)
				due = k;
		}
	}
	w[SC_ID] = id + 1;
	w[SC_STUDY] = study + 1;
	w[SC_STATUS] = status + 1;
	w[SC_DUE] = due;
	w[SC_QUERIES] = 7;
	w[SC_CURRENT] = cols - w[SC_ID] - w[SC_STUDY] - w[SC_STATUS] - w[SC_DUE] - w[SC_QUERIES];
	/* Too narrow for the shortest event name: the next visit due matters
	 * more. */
	if (w[SC_CURRENT] < 6) {
		w[SC_DUE] += w[SC_CURRENT];
		w[SC_CURRENT] = 0;
	}
}

/* The current event: "d0 Day 0 - stem cell infusion" when the title fits
 * whole in w columns, else its short name. */
static void
draw_current(const subj_line *l, app *a, int y, int x, int w, bool sel)
{
	const char *title;

	if (l->current == NULL) {
		ui_put(y, x, w, sel ? ST_SELECTED : ST_DIM, ui_utf8() ? "—" : "-");
		return;
	}
	title = i18n_get(&l->current->title, a->cfg->lang);
	if (utf8_width(l->current->id) + 1 + utf8_width(title) <= w)
		ui_putf(y, x, w, sel ? ST_SELECTED : ST_NORMAL, "%s %s", l->current->id, title);
	else
		ui_put(y, x, w, sel ? ST_SELECTED : ST_NORMAL, l->current->id);
}

static void
draw_due(const subj_line *l, app *a, int y, int x, int w, bool sel)
{
	char date[32];
	int used;

	if (!l->due_known) {
		ui_put(y, x, w, sel ? ST_SELECTED : ST_DIM, ui_utf8() ? "—" : "-");
		return;
	}
	date_format_display(l->due.win.target, a->cfg->date_format, date, sizeof date);
	used = ui_putf(y, x, w, sel ? ST_SELECTED : ST_NORMAL, "%s %s", l->due.event->id, date);
	if (l->due.overdue)
		ui_put(y, x + used + 1, w - used - 1, sel ? ST_SELECTED : ST_WARN, "OVERDUE");
}

static void
subjects_draw(screen *s, app *a)
{
	subjects_scr *ss = s->priv;
	int cols = ui_cols(), first = 3, last = ui_rows() - 3, vis = last - first + 1;
	int w[SC_N], x;
	const char *filter = ss->status < 0 ? "all" :
	    subject_state_word((subject_state)ss->status);

	app_title(a, "Subjects");
	ui_no_cursor();
	x = ui_putf(1, 0, cols, ST_NORMAL, "Search: ");
	if (ss->query[0])
		x += ui_put(1, x, cols - x, ST_INPUT, ss->query);
	else
		x += ui_put(1, x, cols - x, ST_DIM, "(type a subject ID)");
	x += ui_putf(1, x, cols - x, ST_NORMAL, "   Status: %s   ", filter);
	ui_putf(1, x, cols - x, ST_DIM, "%zu of %zu subjects", ss->nshown, ss->n);

	columns(ss, a, cols, w);
	ui_fill(2, 0, cols, ST_HEADER);
	x = 0;
	ui_put(2, x, w[SC_ID] - 1, ST_HEADER, "Subject ID");
	x += w[SC_ID];
	ui_put(2, x, w[SC_STUDY] - 1, ST_HEADER, "Study no.");
	x += w[SC_STUDY];
	ui_put(2, x, w[SC_STATUS] - 1, ST_HEADER, "Status");
	x += w[SC_STATUS];
	if (w[SC_CURRENT] > 0)
		ui_put(2, x, w[SC_CURRENT] - 1, ST_HEADER, w[SC_CURRENT] > 13 ? "Current event" :
		    "Event");
	x += w[SC_CURRENT];
	ui_put(2, x, w[SC_DUE], ST_HEADER, "Next visit due");
	ui_put(2, cols - w[SC_QUERIES], w[SC_QUERIES], ST_HEADER, "Queries");

	if (ss->nshown == 0) {
		ui_put(first + 1, 2, cols - 2, ST_DIM, ss->n == 0 ?
		    (app_may(a, PERM_ENTER) ? "No subjects yet. ^N (F6) adds the first one." :
		    "No subjects yet.") :
		    "No subject matches. BS erases the search; ^V (F9) changes the status filter.");
		return;
	}
	if (vis < 1)
		vis = 1;
	if (ss->sel < ss->top)
		ss->top = ss->sel;
	if (ss->sel >= ss->top + (size_t)vis)
		ss->top = ss->sel - (size_t)vis + 1;
	for (int i = 0; i < vis && ss->top + (size_t)i < ss->nshown; i++) {
		size_t idx = ss->top + (size_t)i;
		const subj_line *l = &ss->lines[ss->shown[idx]];
		bool sel = idx == ss->sel;
		ui_style st = sel ? ST_SELECTED : ST_NORMAL;
		int y = first + i;

		char words[64];

		if (sel)
			ui_fill(y, 0, cols, ST_SELECTED);
		x = 0;
		ui_put(y, x, w[SC_ID] - 1, st, l->row.key);
		x += w[SC_ID];
		ui_put(y, x, w[SC_STUDY] - 1, st, l->row.study_no ? l->row.study_no : "");
		x += w[SC_STUDY];
		status_words(a, &l->row, words, sizeof words);
		ui_putf(y, x, w[SC_STATUS] - 1, st, "%s %s",
		    subject_status_glyph(l->row.status, ui_utf8()), words);
		x += w[SC_STATUS];
		if (w[SC_CURRENT] > 0)
			draw_current(l, a, y, x, w[SC_CURRENT] - 1, sel);
		x += w[SC_CURRENT];
		draw_due(l, a, y, x, w[SC_DUE], sel);
		if (l->qopen + l->qanswered > 0) {
			char q[16];
			int qw;

			query_mark_text(l->qopen, l->qanswered, q, sizeof q);
			qw = utf8_width(q);
			ui_put(y, cols - qw, qw, sel ? st : l->qopen ? ST_WARN : ST_NORMAL, q);
		}
	}
}

static void
add_subject(subjects_scr *ss, app *a)
{
	static const char *const choices[] = { "[A]dd subject", "[C]ancel" };
	char q[256];
	subject_row r;
	crf_err e;

	if (!app_check(a, PERM_ENTER))
		return;
	snprintf(q, sizeof q, "Add a new subject at site %s? crf gives the next screening "
	    "number; it cannot be typed or changed.", a->cfg->site_code);
	if (dlg_ask(a, "New subject", q, choices, 2) != 0)
		return;
	if (store_add_subject(a->st, &r, &e) != CRF_OK) {
		app_message(a, ST_ERROR, "The subject was not added: %s", e.msg);
		return;
	}
	app_message(a, ST_OK, "Subject %s added (screening); Enter opens the casebook", r.key);
	ss->sel_id = r.id;
	if (!line_passes(ss, &(subj_line){ .row = r })) {
		ss->query[0] = '\0';
		ss->status = -1;
	}
	subject_row_clear(&r);
	reload(ss, a);
}

static void
pick_status(subjects_scr *ss, app *a)
{
	const char *items[SUBJ_STATE_COUNT + 1];
	char words[SUBJ_STATE_COUNT][40];
	int r;

	items[0] = "all";
	for (int i = 0; i < SUBJ_STATE_COUNT; i++) {
		snprintf(words[i], sizeof words[i], "%s %s",
		    subject_state_glyph((subject_state)i, ui_utf8()),
		    subject_state_word((subject_state)i));
		items[i + 1] = words[i];
	}
	r = dlg_pick(a, "Show subjects", items, SUBJ_STATE_COUNT + 1, ss->status + 1);
	if (r < 0)
		return;
	ss->status = r - 1;
	apply_filter(ss);
}

static void
query_erase(char *q)
{
	size_t n = strlen(q);

	while (n > 0 && ((unsigned char)q[n - 1] & 0xc0) == 0x80)
		n--;
	if (n > 0)
		n--;
	q[n] = '\0';
}

static void
query_add(char *q, wint_t ch)
{
	char mb[MB_LEN_MAX + 1];
	mbstate_t st;
	size_t n, len = strlen(q);

	memset(&st, 0, sizeof st);
	n = wcrtomb(mb, (wchar_t)ch, &st);
	if (n == (size_t)-1 || len + n >= QUERY_MAX)
		return;
	memcpy(q + len, mb, n);
	q[len + n] = '\0';
}

static scr_result
subjects_handle(screen *s, app *a, action act, const ui_key *k)
{
	static const char *const quit[] = { "[Q]uit", "[S]tay" };
	subjects_scr *ss = s->priv;
	size_t page = ui_rows() > 6 ? (size_t)ui_rows() - 5 : 1;

	switch (act) {
	case ACT_BACK:
		return dlg_ask(a, "Quit", "Quit crf?", quit, 2) == 0 ? SCR_QUIT : SCR_STAY;
	case ACT_NEXT:
		select_shown(ss, ss->sel + 1);
		break;
	case ACT_PREV:
		select_shown(ss, ss->sel > 0 ? ss->sel - 1 : 0);
		break;
	case ACT_PAGE_DOWN:
		select_shown(ss, ss->sel + page);
		break;
	case ACT_PAGE_UP:
		select_shown(ss, ss->sel > page ? ss->sel - page : 0);
		break;
	case ACT_ENTER:
		if (ss->nshown) {
			const subj_line *l = &ss->lines[ss->shown[ss->sel]];
			app_push(a, scr_casebook_new(a, l->row.id, l->row.key));
		}
		break;
	case ACT_NEW:
		add_subject(ss, a);
		break;
	case ACT_FILTER:
		pick_status(ss, a);
		break;
	case ACT_QUERY:
		app_push(a, scr_queries_new(a, NULL));
		break;
	case ACT_STATUS:
		if (ss->nshown) {
			const subj_line *l = &ss->lines[ss->shown[ss->sel]];
			char *key = xstrdup(l->row.key);

			if (status_menu(a, l->row.id, key)) {
				char msg[sizeof a->msg];
				ui_style mst = a->msg_style;

				/* The outcome stays on the message line over the reload. */
				str_copy(msg, a->msg, sizeof msg);
				reload(ss, a);
				app_message(a, mst, "%s", msg);
			}
			free(key);
		} else {
			app_message(a, ST_DIM, "No subject is selected");
		}
		break;
	case ACT_DUE:
		app_push(a, scr_due_new(a));
		break;
	case ACT_REPORT:
		app_push(a, scr_report_new(a));
		break;
	case ACT_USERS:
		if (app_check(a, PERM_MANAGE_USERS))
			app_push(a, scr_users_new(a));
		break;
	case ACT_PASSWORD:
		/* False: wrong current passwords locked the account. */
		if (!users_change_own_password(a))
			return SCR_QUIT;
		break;
	case ACT_CANCEL:
		if (ss->query[0]) {
			ss->query[0] = '\0';
			apply_filter(ss);
		}
		break;
	case ACT_NONE:
		if (k->is_key && k->ch == KEY_BACKSPACE && ss->query[0]) {
			query_erase(ss->query);
			apply_filter(ss);
		} else if (k->is_key && k->ch == KEY_HOME) {
			select_shown(ss, 0);
		} else if (k->is_key && k->ch == KEY_END) {
			select_shown(ss, ss->nshown ? ss->nshown - 1 : 0);
		} else if (!k->is_key && k->ch >= 0x20 && k->ch != 0x7f) {
			query_add(ss->query, k->ch);
			apply_filter(ss);
		}
		break;
	default:
		break;
	}
	return SCR_STAY;
}

static void
subjects_resume(screen *s, app *a)
{
	reload(s->priv, a);
}

static void
subjects_free(screen *s)
{
	subjects_scr *ss = s->priv;

	lines_free(ss);
	free(ss);
}

static const screen_ops subjects_ops = {
	.name = "subjects",
	.keyctx = KC_LIST,
	.draw = subjects_draw,
	.handle = subjects_handle,
	.resume = subjects_resume,
	.tick = subjects_resume,
	.free = subjects_free,
};

screen *
scr_subjects_new(app *a)
{
	subjects_scr *ss = xcalloc(1, sizeof *ss);

	ss->status = -1;
	reload(ss, a);
	return screen_new(&subjects_ops, ss);
}
