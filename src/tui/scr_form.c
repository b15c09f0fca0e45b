/* scr_form.c - form entry: one form instance, field by field. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <wchar.h>

#include "crf/app.h"
#include "crf/date.h"
#include "crf/lineedit.h"
#include "crf/record.h"
#include "crf/screens.h"
#include "crf/util.h"
#include "crf/validate.h"

#define MEMO_ROWS 3
#define LABEL_ROWS 3
#define INFO_ROWS 12
#define SHOWN_MAX 8192

enum lay_kind { LAY_HELP, LAY_SECTION, LAY_FIELD };

typedef struct lay_item {
	enum lay_kind kind;
	size_t idx;          /* field or section index */
	int y, h;            /* first row in the body, number of rows */
} lay_item;

typedef struct form_scr {
	long long subject_id;
	char *subject_key;
	char *event;
	int erep;
	const form_def *fd;
	int frep;
	casebook *cb;
	record *r;
	char **shown;        /* display text of every field */
	size_t nshown;
	char *failed;        /* why the form could not be opened */
	bool offer_draft;    /* look for kept entries at the next draw */
	bool draft_mine;     /* a draft this session restored or kept */
	bool conflict;       /* the last save met someone else's */
	long cur;            /* current field, -1 when none */
	int top;             /* first body row on screen */
	/* the current field's editor */
	lineedit le;
	bool fresh;          /* the first character typed replaces the value */
	bool touched;        /* choice or yes/no changed */
	long pick;           /* choice: item index, -1 blank */
	char yn;             /* yes/no: 'Y', 'N' or 0 */
	char typed[32];      /* choice: what was typed to find the item */
	/* body layout, rebuilt for every draw */
	lay_item *lay;
	size_t nlay, laycap;
	int total;
	int lw;              /* label column width */
	int memo_w;          /* value width of the current memo */
	/* queries (scr_queries.c) */
	query_marks *qm;     /* the queries not closed of this instance */
	bool *soft_failed;   /* soft checks failing as loaded, by check */
	/* signatures, lock, verification (scr_signoff.c) */
	review_form *rv;
} form_scr;

typedef struct field_state {
	size_t i;
	char *value;
	char *missing;
	int flags;
} field_state;

static bool commit_edit(form_scr *fs, app *a);
static void queries_load(form_scr *fs, app *a);

/* ---- Small helpers ------------------------------------------------------ */

static crf_lang
lang_of(const app *a)
{
	return a->cfg->lang;
}

static const char *
dot(void)
{
	return ui_utf8() ? " · " : " - ";
}

static const char *
date_fmt(const app *a)
{
	return a->cfg->date_format ? a->cfg->date_format : "YYYY-MM-DD";
}

static const field_def *
field_at(const form_scr *fs, size_t i)
{
	return &fs->fd->fields[i];
}

static const char *
label_of(const form_scr *fs, const app *a, size_t i)
{
	return i18n_get(&field_at(fs, i)->label, lang_of(a));
}

/* A role that may not enter data sees every form read-only: it moves
 * between fields and reads their history, and typing changes nothing. */
static bool
read_only(const app *a)
{
	return !app_may(a, PERM_ENTER);
}

static void
say_read_only(app *a)
{
	app_message(a, ST_WARN, "This form is read-only: %s", role_duties(a->role));
}

static bool
editable(const form_scr *fs, size_t i)
{
	field_type t = field_at(fs, i)->type;

	return t != FT_CALC && t != FT_INFO && record_visible(fs->r, i);
}

static bool
uses_editor(field_type t)
{
	return t != FT_CHOICE && t != FT_YESNO;
}

static form_key
key_of(const form_scr *fs)
{
	form_key k = { fs->subject_id, fs->event, fs->erep, fs->fd->id, fs->frep };

	return k;
}

static const char *
act_keys(action act, char *buf, size_t size)
{
	const key_binding *kb = keys_binding(act);

	if (kb && kb->ctrl)
		snprintf(buf, size, "^%c", kb->ctrl);
	else if (kb && kb->fkey)
		snprintf(buf, size, "F%d", kb->fkey);
	else
		buf[0] = '\0';
	return buf;
}

/* Missing-data code with its label: "UNK Unknown". */
static void
missing_text(const app *a, const char *code, char *buf, size_t size)
{
	int mi = study_missing_index(a->sd, code);

	if (mi >= 0)
		snprintf(buf, size, "%s %s", code, i18n_get(&a->sd->missing[mi].label, lang_of(a)));
	else
		str_copy(buf, code, size);
}

static void
state_text(const app *a, const field_def *f, const char *value, const char *missing,
    char *buf, size_t size)
{
	if (missing && *missing)
		missing_text(a, missing, buf, size);
	else
		validate_display(f, value ? value : "", date_fmt(a), lang_of(a), buf, size);
}

static void
refresh_shown(form_scr *fs, app *a)
{
	char *buf = xmalloc(SHOWN_MAX);

	for (size_t i = 0; i < fs->nshown; i++) {
		state_text(a, field_at(fs, i), record_value(fs->r, i), record_missing(fs->r, i),
		    buf, SHOWN_MAX);
		if (fs->shown[i] == NULL || strcmp(fs->shown[i], buf) != 0) {
			free(fs->shown[i]);
			fs->shown[i] = xstrdup(buf);
		}
	}
	free(buf);
}

static void
free_shown(form_scr *fs)
{
	for (size_t i = 0; i < fs->nshown; i++)
		free(fs->shown[i]);
	free(fs->shown);
	fs->shown = NULL;
	fs->nshown = 0;
}

static void
snap(const record *r, size_t i, field_state *s)
{
	s->i = i;
	s->value = xstrdup(record_value(r, i));
	s->missing = xstrdup(record_missing(r, i));
	s->flags = record_flags(r, i);
}

static void
snap_free(field_state *s)
{
	free(s->value);
	free(s->missing);
	s->value = s->missing = NULL;
}

static void
snap_restore(record *r, const field_state *s)
{
	record_restore(r, s->i, s->value, s->missing, s->flags);
}

/* "30–200", "≥ 0", "≤ 120" */
static void
range_text(const numrange *nr, char *buf, size_t size)
{
	bool u = ui_utf8();

	if (nr->has_min && nr->has_max)
		snprintf(buf, size, "%g%s%g", nr->min, u ? "–" : "-", nr->max);
	else if (nr->has_min)
		snprintf(buf, size, "%s%g", u ? "≥ " : ">=", nr->min);
	else if (nr->has_max)
		snprintf(buf, size, "%s%g", u ? "≤ " : "<=", nr->max);
	else
		buf[0] = '\0';
}

/* Local time of a stored UTC stamp, in the site's date format. */
static void
local_stamp(const app *a, const char *utc, char *buf, size_t size)
{
	struct tm tm, lt;
	time_t t;
	crf_date d;
	char day[32];

	memset(&tm, 0, sizeof tm);
	if (utc == NULL || strptime(utc, "%Y-%m-%dT%H:%M:%S", &tm) == NULL) {
		str_copy(buf, utc ? utc : "", size);
		return;
	}
	t = timegm(&tm);
	localtime_r(&t, &lt);
	d.y = lt.tm_year + 1900;
	d.m = lt.tm_mon + 1;
	d.d = lt.tm_mday;
	date_format_display(d, date_fmt(a), day, sizeof day);
	snprintf(buf, size, "%s %02d:%02d", day, lt.tm_hour, lt.tm_min);
}

/*
 * Break UTF-8 text into rows of at most w columns, at blanks where it can
 * (and at every newline).  Row k is text[off[k] .. off[k] + len[k]).
 * The last allowed row takes whatever remains (the drawing clips it).
 */
static int
wrap_text(const char *text, int w, int max, size_t *off, size_t *len)
{
	const char *p = text;
	int n = 0;

	if (w < 1)
		w = 1;
	while (*p && n < max) {
		const char *q = p, *brk = NULL, *end;
		int used = 0;
		mbstate_t mb;

		memset(&mb, 0, sizeof mb);
		if (n == max - 1) {
			end = p + strcspn(p, "\n");
			off[n] = (size_t)(p - text);
			len[n++] = (size_t)(end - p);
			break;
		}
		while (*q && *q != '\n') {
			wchar_t wc;
			size_t k = mbrtowc(&wc, q, strlen(q), &mb);
			int cw;

			if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
				k = 1;
				wc = L'?';
				memset(&mb, 0, sizeof mb);
			}
			cw = wcwidth(wc);
			if (cw < 0)
				cw = 1;
			if (used + cw > w && used > 0)
				break;
			if (wc == L' ')
				brk = q;
			used += cw;
			q += k;
		}
		if (*q == '\0' || *q == '\n' || brk == NULL || brk == p)
			end = q;
		else
			end = brk;
		off[n] = (size_t)(p - text);
		len[n++] = (size_t)(end - p);
		p = end;
		if (*p == '\n')
			p++;
		else
			while (*p == ' ')
				p++;
	}
	return n > 0 ? n : 1;
}

static int
wrap_rows(const char *text, int w, int max)
{
	size_t off[INFO_ROWS], len[INFO_ROWS];

	if (max > INFO_ROWS)
		max = INFO_ROWS;
	if (*text == '\0')
		return 1;
	return wrap_text(text, w, max, off, len);
}

/* Draw wrapped text from row y (rows before y0 or after y1 are skipped). */
static void
put_wrapped(const char *text, int y, int x, int w, int max, int y0, int y1, ui_style st)
{
	size_t off[INFO_ROWS], len[INFO_ROWS];
	int n;
	char buf[1024];

	if (max > INFO_ROWS)
		max = INFO_ROWS;
	n = wrap_text(text, w, max, off, len);
	for (int k = 0; k < n; k++) {
		size_t l = len[k] < sizeof buf - 1 ? len[k] : sizeof buf - 1;

		if (y + k < y0 || y + k > y1)
			continue;
		memcpy(buf, text + off[k], l);
		buf[l] = '\0';
		ui_put(y + k, x, w, st, buf);
	}
}

/* ---- The current field's editor --------------------------------------- */

static long
choice_index(const choice_list *cl, const char *code)
{
	const choice_item *it;

	if (cl == NULL || code == NULL || *code == '\0')
		return -1;
	it = choice_find(cl, code);
	return it ? (long)(it - cl->items) : -1;
}

/* Make field i current and load its value into the editor. */
static void
enter_field(form_scr *fs, app *a, long i)
{
	const field_def *f;
	const char *v;
	char *text;
	size_t maxlen = 0;

	fs->cur = i;
	fs->fresh = true;
	fs->touched = false;
	fs->pick = -1;
	fs->yn = 0;
	fs->typed[0] = '\0';
	lineedit_free(&fs->le);
	if (i < 0) {
		lineedit_init(&fs->le, "", 0, false);
		return;
	}
	f = field_at(fs, (size_t)i);
	v = record_missing(fs->r, (size_t)i) ? "" : record_value(fs->r, (size_t)i);
	if ((f->type == FT_DATE || (f->type == FT_PDATE && strlen(v) == 10)) && *v) {
		text = xmalloc(64);
		validate_display(f, v, date_fmt(a), lang_of(a), text, 64);
	} else {
		text = xstrdup(v);
		if (f->type == FT_MULTI)
			for (char *p = text; *p; p++)
				if (*p == '|')
					*p = ' ';
	}
	if ((f->type == FT_TEXT || f->type == FT_MEMO) && f->maxlen > 0)
		maxlen = (size_t)f->maxlen;
	lineedit_init(&fs->le, text, maxlen, f->type == FT_MEMO);
	fs->le.changed = false;
	fs->fresh = f->type != FT_MEMO;
	free(text);
	if (f->type == FT_CHOICE)
		fs->pick = choice_index(f->choices, v);
	else if (f->type == FT_YESNO && (*v == 'Y' || *v == 'N'))
		fs->yn = *v;
}

static bool
edit_pending(const form_scr *fs)
{
	if (fs->cur < 0)
		return false;
	if (uses_editor(field_at(fs, (size_t)fs->cur)->type))
		return fs->le.changed;
	return fs->touched;
}

static char *
edit_input(const form_scr *fs)
{
	const field_def *f = field_at(fs, (size_t)fs->cur);

	if (f->type == FT_CHOICE)
		return xstrdup(fs->pick >= 0 ? f->choices->items[fs->pick].code : "");
	if (f->type == FT_YESNO)
		return xstrdup(fs->yn == 'Y' ? "Y" : fs->yn == 'N' ? "N" : "");
	return lineedit_text(&fs->le);
}

/* Next editable field from `from` in direction dir, or -1. */
static long
next_editable(const form_scr *fs, long from, int dir)
{
	for (long i = from + dir; i >= 0 && i < (long)fs->fd->nfields; i += dir)
		if (editable(fs, (size_t)i))
			return i;
	return -1;
}

/* After a change: if the current field is no longer editable, move on. */
static void
settle_current(form_scr *fs, app *a)
{
	long j;

	if (fs->cur >= 0 && editable(fs, (size_t)fs->cur)) {
		enter_field(fs, a, fs->cur);
		return;
	}
	j = next_editable(fs, fs->cur, 1);
	if (j < 0)
		j = next_editable(fs, fs->cur < 0 ? (long)fs->fd->nfields : fs->cur, -1);
	enter_field(fs, a, j);
}

/* ---- Questions after a change ---------------------------------------- */

/*
 * Ask about every field hidden while it holds a value.  `before` is the
 * changed field's earlier state; on "undo" it and every field cleared
 * here are put back.  Without `before` (before saving) the choice is to
 * clear or to go back.  Returns false when nothing was cleared because
 * the person undid the change or went back.
 */
static bool
settle_hidden(form_scr *fs, app *a, const field_state *before)
{
	static const char *const undo_choices[2][2] = {
		{ "[C]lear it", "[U]ndo my change" },
		{ "[C]lear them", "[U]ndo my change" },
	};
	static const char *const back_choices[2][2] = {
		{ "[C]lear it", "[G]o back" },
		{ "[C]lear them", "[G]o back" },
	};
	size_t nf = fs->fd->nfields;
	field_state *cleared = xcalloc(nf ? nf : 1, sizeof *cleared);
	size_t ncl = 0;
	bool ok = true;
	char *shown = xmalloc(SHOWN_MAX);

	for (;;) {
		strbuf q = {0};
		int nh = 0, c;

		for (size_t j = 0; j < nf; j++) {
			if (!record_hidden_with_value(fs->r, j))
				continue;
			state_text(a, field_at(fs, j), record_value(fs->r, j),
			    record_missing(fs->r, j), shown, 200);
			if (nh > 0)
				sb_add(&q, "\n");
			sb_addf(&q, "%s is now hidden; its value %s will be cleared.",
			    label_of(fs, a, j), shown);
			nh++;
		}
		if (nh == 0) {
			sb_free(&q);
			break;
		}
		/* Enter keeps the data: clearing takes its own key. */
		c = dlg_ask_from(a, "Hidden by the change", q.s,
		    before ? undo_choices[nh > 1] : back_choices[nh > 1], 2, 1);
		sb_free(&q);
		if (c == 0) {
			for (size_t j = 0; j < nf; j++)
				if (record_hidden_with_value(fs->r, j)) {
					snap(fs->r, j, &cleared[ncl++]);
					record_clear(fs->r, j);
				}
			continue;
		}
		/* Undo, go back or Esc.  On a hang-up leave things as they
		 * are: the draft keeps them and the question comes back. */
		ok = false;
		if (ui_hangup)
			break;
		while (ncl > 0)
			snap_restore(fs->r, &cleared[--ncl]);
		if (before)
			snap_restore(fs->r, before);
		break;
	}
	for (size_t k = 0; k < ncl; k++)
		snap_free(&cleared[k]);
	free(cleared);
	free(shown);
	refresh_shown(fs, a);
	return ok;
}

/* Accept the edit of the current field.  False: stay on it. */
static bool
commit_edit(form_scr *fs, app *a)
{
	static const char *const keep[] = { "[K]eep it", "[C]hange it" };
	size_t i;
	char *in;
	crf_err e;
	crf_status rc;
	field_state before;
	bool ok, change_it = false;

	if (!edit_pending(fs))
		return true;
	i = (size_t)fs->cur;
	in = edit_input(fs);
	snap(fs->r, i, &before);
	rc = record_set(fs->r, i, in, date_fmt(a), false, &e);
	if (rc == CRF_ESOFT) {
		/* Enter goes back to change it: keeping takes its own key. */
		if (dlg_ask_from(a, label_of(fs, a, i), e.msg, keep, 2, 1) == 0)
			rc = record_set(fs->r, i, in, date_fmt(a), true, &e);
		else
			change_it = true;
	}
	free(in);
	if (rc != CRF_OK) {
		if (!change_it)
			app_message(a, ST_ERROR, "%s", e.msg);
		snap_free(&before);
		return false;
	}
	refresh_shown(fs, a);
	ok = settle_hidden(fs, a, &before);
	snap_free(&before);
	settle_current(fs, a);
	return ok;
}

/* Accept, then go to the next (dir 1) or previous (-1) field. */
static void
go_field(form_scr *fs, app *a, int dir)
{
	long from = fs->cur, j;
	char k1[16], k2[16];

	if (!commit_edit(fs, a))
		return;
	if (fs->cur != from)
		return;   /* the change hid the field: settle_current moved on */
	j = next_editable(fs, fs->cur, dir);
	if (j >= 0) {
		enter_field(fs, a, j);
		return;
	}
	if (dir > 0 && (read_only(a) || review_form_locked(fs->rv)))
		app_message(a, ST_DIM, "Last field");
	else if (dir > 0)
		app_message(a, ST_DIM, "Last field: %s saves, %s marks the form complete",
		    act_keys(ACT_SAVE, k1, sizeof k1), act_keys(ACT_COMPLETE, k2, sizeof k2));
	else
		app_message(a, ST_DIM, "First field");
}

/* ---- Keys typed into a field ----------------------------------------- */

static void
editor_key(form_scr *fs, app *a, const ui_key *k)
{
	lineedit *le = &fs->le;

	if (k->is_key) {
		switch (k->ch) {
		case KEY_LEFT: lineedit_left(le); break;
		case KEY_RIGHT: lineedit_right(le); break;
		case KEY_HOME: lineedit_home(le); break;
		case KEY_END: lineedit_end(le); break;
		case KEY_BACKSPACE: lineedit_backspace(le); break;
		case KEY_DC: lineedit_delete(le); break;
		default: return;
		}
		fs->fresh = false;
		return;
	}
	switch (k->ch) {
	case CTRL_KEY('A'): lineedit_home(le); fs->fresh = false; return;
	case CTRL_KEY('E'): lineedit_end(le); fs->fresh = false; return;
	case CTRL_KEY('W'): lineedit_delete_word_back(le); fs->fresh = false; return;
	case CTRL_KEY('K'): lineedit_kill_to_end(le); fs->fresh = false; return;
	case CTRL_KEY('U'): lineedit_clear(le); fs->fresh = false; return;
	}
	if (k->ch < 0x20 || k->ch == 0x7f)
		return;
	if (fs->fresh) {
		lineedit_clear(le);
		fs->fresh = false;
	}
	if (!lineedit_insert(le, (wchar_t)k->ch) && le->maxlen && le->len >= le->maxlen)
		app_message(a, ST_ERROR, "At most %zu characters", le->maxlen);
}

static bool
starts_with(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool
item_starts(const choice_item *it, const char *prefix, crf_lang lang)
{
	return starts_with(it->code, prefix) || starts_with(i18n_get(&it->label, lang), prefix) ||
	    starts_with(i18n_get(&it->label, LANG_EN), prefix);
}

/* The item that typed text picks: its code, the start of a code, its
 * number in the list, the start of a label. */
static long
choice_match(const choice_list *cl, const char *typed, crf_lang lang)
{
	size_t n = cl->nitems;
	long num;

	for (size_t i = 0; i < n; i++)
		if (strcasecmp(cl->items[i].code, typed) == 0)
			return (long)i;
	for (size_t i = 0; i < n; i++)
		if (starts_with(cl->items[i].code, typed))
			return (long)i;
	if (typed[0] >= '0' && typed[0] <= '9' && parse_long(typed, &num) &&
	    num >= 1 && (size_t)num <= n)
		return num - 1;
	for (size_t i = 0; i < n; i++)
		if (item_starts(&cl->items[i], typed, lang))
			return (long)i;
	return -1;
}

static void
choice_labels(const app *a, const field_def *f, char ***items)
{
	const choice_list *cl = f->choices;

	*items = xcalloc(cl->nitems, sizeof **items);
	for (size_t i = 0; i < cl->nitems; i++)
		(*items)[i] = xasprintf("%s %s", cl->items[i].code,
		    i18n_get(&cl->items[i].label, lang_of(a)));
}

static void
free_labels(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

/* The list of a choice field; a pick is accepted at once. */
static void
open_pick(form_scr *fs, app *a)
{
	const field_def *f = field_at(fs, (size_t)fs->cur);
	char **items;
	int sel;

	if (f->choices == NULL || f->choices->nitems == 0)
		return;
	choice_labels(a, f, &items);
	sel = dlg_pick(a, label_of(fs, a, (size_t)fs->cur), (const char *const *)items,
	    (int)f->choices->nitems, (int)fs->pick);
	free_labels(items, f->choices->nitems);
	if (sel < 0)
		return;
	fs->pick = sel;
	fs->touched = true;
	go_field(fs, a, 1);
}

static void
choice_key(form_scr *fs, app *a, const ui_key *k)
{
	const choice_list *cl = field_at(fs, (size_t)fs->cur)->choices;
	long n = cl ? (long)cl->nitems : 0, m;
	char c[8], prev[sizeof fs->typed];
	mbstate_t mb;
	size_t cl_len;

	if (n == 0)
		return;
	if (k->is_key) {
		switch (k->ch) {
		case KEY_LEFT: fs->pick = fs->pick <= 0 ? n - 1 : fs->pick - 1; break;
		case KEY_RIGHT: fs->pick = (fs->pick + 1) % n; break;
		case KEY_BACKSPACE: case KEY_DC: fs->pick = -1; break;
		default: return;
		}
		fs->touched = true;
		fs->typed[0] = '\0';
		return;
	}
	if (k->ch == CTRL_KEY('U')) {
		fs->pick = -1;
		fs->touched = true;
		fs->typed[0] = '\0';
		return;
	}
	if (k->ch == ' ') {
		open_pick(fs, a);
		return;
	}
	if (k->ch < 0x20 || k->ch == 0x7f)
		return;
	memset(&mb, 0, sizeof mb);
	cl_len = wcrtomb(c, (wchar_t)k->ch, &mb);
	if (cl_len == (size_t)-1)
		return;
	c[cl_len] = '\0';
	str_copy(prev, fs->typed, sizeof prev);
	if (strlen(fs->typed) + cl_len < sizeof fs->typed)
		strcat(fs->typed, c);
	m = choice_match(cl, fs->typed, lang_of(a));
	if (m < 0 && strcasecmp(prev, c) == 0) {
		/* The same key again: the next item starting with it. */
		str_copy(fs->typed, c, sizeof fs->typed);
		for (long s = 1; s <= n && m < 0; s++) {
			long j = ((fs->pick < 0 ? -1 : fs->pick) + s) % n;
			if (item_starts(&cl->items[j], c, lang_of(a)))
				m = j;
		}
	} else if (m < 0) {
		str_copy(fs->typed, c, sizeof fs->typed);
		m = choice_match(cl, fs->typed, lang_of(a));
	}
	if (m < 0) {
		app_message(a, ST_ERROR, "Nothing in the list starts with %s: type 1-%ld, a code, "
		    "or Space for the list", c, n);
		fs->typed[0] = '\0';
		return;
	}
	fs->pick = m;
	fs->touched = true;
}

static void
yesno_key(form_scr *fs, app *a, const ui_key *k)
{
	if (k->is_key) {
		switch (k->ch) {
		case KEY_LEFT: case KEY_RIGHT: fs->yn = fs->yn == 'Y' ? 'N' : 'Y'; break;
		case KEY_BACKSPACE: case KEY_DC: fs->yn = 0; break;
		default: return;
		}
		fs->touched = true;
		return;
	}
	if (k->ch == 'y' || k->ch == 'Y' || k->ch == L'是')
		fs->yn = 'Y';
	else if (k->ch == 'n' || k->ch == 'N' || k->ch == L'否')
		fs->yn = 'N';
	else if (k->ch == CTRL_KEY('U'))
		fs->yn = 0;
	else {
		if (k->ch >= 0x20)
			app_message(a, ST_ERROR, "Type Y (yes) or N (no)");
		return;
	}
	fs->touched = true;
}

static void
field_key(form_scr *fs, app *a, const ui_key *k)
{
	field_type t;

	if (fs->cur < 0)
		return;
	t = field_at(fs, (size_t)fs->cur)->type;
	if (t == FT_CHOICE)
		choice_key(fs, a, k);
	else if (t == FT_YESNO)
		yesno_key(fs, a, k);
	else
		editor_key(fs, a, k);
}

/* ---- Loading ------------------------------------------------------------ */

/* Highest saved repeat of a log (0 when none). */
static crf_status
log_last(form_scr *fs, app *a, const form_def *fd, int *last, crf_err *e)
{
	form_row *rows;
	size_t n;
	crf_status rc = store_list_forms(a->st, fs->subject_id, &rows, &n, e);

	*last = 0;
	if (rc != CRF_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].form, fd->id) == 0 && strcmp(rows[i].event, fs->event) == 0 &&
		    rows[i].event_repeat == fs->erep && rows[i].form_repeat > *last)
			*last = rows[i].form_repeat;
	form_rows_free(rows, n);
	return CRF_OK;
}

/* Load form fd (repeat frep; 0 = a new instance) with a fresh casebook. */
static crf_status
load_form(form_scr *fs, app *a, const form_def *fd, int frep, crf_err *e)
{
	subject_item *items;
	size_t n;
	casebook *cb;
	form_data d;
	form_key key = { fs->subject_id, fs->event, fs->erep, fd->id, frep };
	crf_status rc;
	record *r;

	rc = store_load_subject_items(a->st, fs->subject_id, &items, &n, e);
	if (rc != CRF_OK)
		return rc;
	cb = casebook_new(a->sd, items, n, clock_today());
	subject_items_free(items, n);
	if (frep <= 0) {
		int last;
		rc = log_last(fs, a, fd, &last, e);
		if (rc != CRF_OK) {
			casebook_free(cb);
			return rc;
		}
		frep = last + 1;
		key.form_repeat = frep;
	}
	memset(&d, 0, sizeof d);
	rc = store_load_form(a->st, &key, &d, e);
	if (rc != CRF_OK) {
		casebook_free(cb);
		return rc;
	}
	r = record_new(a->sd, fd, fs->event, fs->erep, frep, &d, cb);
	form_data_clear(&d);

	free_shown(fs);
	record_free(fs->r);
	casebook_free(fs->cb);
	fs->r = r;
	fs->cb = cb;
	fs->fd = fd;
	fs->frep = frep;
	fs->nshown = fd->nfields;
	fs->shown = xcalloc(fd->nfields ? fd->nfields : 1, sizeof *fs->shown);
	refresh_shown(fs, a);
	fs->conflict = false;
	queries_load(fs, a);
	review_form_free(fs->rv);
	fs->rv = review_form_load(a, &key);
	return CRF_OK;
}

/* Open fd in place: the first field current, kept entries offered. */
static bool
open_form(form_scr *fs, app *a, const form_def *fd, int frep)
{
	crf_err e;

	if (load_form(fs, a, fd, frep, &e) != CRF_OK) {
		app_message(a, ST_ERROR, "Cannot open %s: %s", i18n_get(&fd->title, lang_of(a)),
		    e.msg);
		return false;
	}
	fs->top = 0;
	fs->draft_mine = false;
	fs->offer_draft = a->login != NULL && !read_only(a) && !review_form_locked(fs->rv);
	enter_field(fs, a, next_editable(fs, -1, 1));
	return true;
}

/* ---- Drafts --------------------------------------------------------------- */

static crf_status
keep_draft(form_scr *fs, app *a, crf_err *e)
{
	size_t nf = fs->fd->nfields, n = 0;
	item_change *items = xcalloc(nf ? nf : 1, sizeof *items);
	form_key key = key_of(fs);
	crf_status rc;

	if (a->login == NULL) {
		free(items);
		return crf_fail(e, CRF_EDENIED, "nobody is signed in");
	}
	/* Only what this person changed: restoring it later must not undo
	 * what someone else saved meanwhile in other fields. */
	{
		size_t nch;
		const item_change *ch = record_changes(fs->r, &nch);

		for (size_t k = 0; k < nch; k++) {
			const field_def *f = form_field(fs->fd, ch[k].field);
			if (f == NULL || f->type == FT_CALC)
				continue;
			items[n++] = ch[k];
		}
	}
	rc = store_put_draft(a->st, &key, a->login, record_version(fs->r), items, n, e);
	free(items);
	if (rc == CRF_OK)
		fs->draft_mine = true;
	return rc;
}

static void
drop_draft(form_scr *fs, app *a)
{
	form_key key = key_of(fs);
	crf_err e;

	if (a->login && store_drop_draft(a->st, &key, a->login, &e) == CRF_OK)
		fs->draft_mine = false;
}

static const item_value *
draft_item(const form_data *d, const char *field)
{
	for (size_t k = 0; k < d->nitems; k++)
		if (strcmp(d->items[k].field, field) == 0)
			return &d->items[k];
	return NULL;
}

/* What the saved form holds beside what was kept, field by field. */
static char *
draft_compare(form_scr *fs, app *a, const form_data *d)
{
	strbuf sb = {0};
	char now[512], kept[512];
	int n = 0;

	for (size_t i = 0; i < fs->fd->nfields; i++) {
		const field_def *f = field_at(fs, i);
		const item_value *it = draft_item(d, f->id);
		const char *kv, *km;

		if (it == NULL)
			continue;   /* not changed in the kept entries */
		kv = it->value ? it->value : "";
		km = it->missing;

		if (f->type == FT_INFO || f->type == FT_CALC)
			continue;
		if (strcmp(kv, record_value(fs->r, i)) == 0 && str_eq(km, record_missing(fs->r, i)))
			continue;
		state_text(a, f, record_value(fs->r, i), record_missing(fs->r, i), now, sizeof now);
		state_text(a, f, kv, km, kept, sizeof kept);
		sb_addf(&sb, "%s\n    saved: %s\n    kept:  %s\n", label_of(fs, a, i),
		    *now ? now : "(blank)", *kept ? kept : "(blank)");
		n++;
	}
	if (n == 0)
		sb_add(&sb, "The kept entries are the same as the saved form.");
	return sb_steal(&sb);
}

static void
restore_draft(form_scr *fs, app *a, const form_data *d)
{
	for (size_t i = 0; i < fs->fd->nfields; i++) {
		const field_def *f = field_at(fs, i);
		const item_value *it = draft_item(d, f->id);

		if (f->type == FT_INFO || f->type == FT_CALC || it == NULL)
			continue;   /* fields the person did not change stay as saved */
		record_restore(fs->r, i, it->value, it->missing, it->flags);
	}
	refresh_shown(fs, a);
	settle_current(fs, a);
}

/* Entries kept by an earlier session (a hang-up, a refused save). */
static void
offer_draft(form_scr *fs, app *a)
{
	static const char *const choices[] = { "[R]estore them", "[D]iscard them", "[C]ompare" };
	form_key key = key_of(fs);
	form_data d;
	bool found = false, stale;
	crf_err e;
	char when[64], q[512], ks[16];

	memset(&d, 0, sizeof d);
	if (store_get_draft(a->st, &key, a->login, &d, &found, &e) != CRF_OK) {
		app_message(a, ST_ERROR, "Cannot read kept entries: %s", e.msg);
		return;
	}
	if (!found) {
		form_data_clear(&d);
		return;
	}
	local_stamp(a, d.updated_at, when, sizeof when);
	stale = d.version != record_version(fs->r);
	if (stale)
		snprintf(q, sizeof q, "Unsaved entries from %s were kept. The form was saved "
		    "again after that: compare before you restore them.", when);
	else
		snprintf(q, sizeof q, "Unsaved entries from %s were kept.", when);
	for (;;) {
		int c = dlg_ask(a, "Kept entries", q, choices, stale ? 3 : 2);

		if (c == 2) {
			char *t = draft_compare(fs, a, &d);
			dlg_text(a, "Saved form and kept entries", t);
			free(t);
			if (ui_hangup)
				break;
			continue;
		}
		if (c == 0) {
			restore_draft(fs, a, &d);
			fs->draft_mine = true;
			app_message(a, ST_OK, "Kept entries restored: %s saves them",
			    act_keys(ACT_SAVE, ks, sizeof ks));
		} else if (c == 1) {
			fs->draft_mine = true;
			drop_draft(fs, a);
			app_message(a, ST_DIM, "Kept entries discarded");
		}
		break;
	}
	form_data_clear(&d);
}

/* ---- Queries (the dialogs are in scr_queries.c) ------------------------------ */

/* Read the queries not closed of this instance. */
static void
queries_marks(form_scr *fs, app *a)
{
	form_key key = key_of(fs);

	query_marks_free(fs->qm);
	fs->qm = query_marks_load(a, fs->subject_key, &key);
}

/* The marks, and which soft checks fail as loaded: a save raises
 * automatic queries only for checks that fail anew. */
static void
queries_load(form_scr *fs, app *a)
{
	queries_marks(fs, a);
	free(fs->soft_failed);
	fs->soft_failed = xcalloc(fs->fd->nchecks ? fs->fd->nchecks : 1, sizeof *fs->soft_failed);
	for (size_t j = 0; j < fs->fd->nchecks; j++)
		fs->soft_failed[j] = fs->fd->checks[j].level == CHECK_SOFT &&
		    record_check(fs->r, j) == CHECK_FAIL;
}

/* The automatic queries of a save (the store raises them only when
 * config.ini [monitoring] auto_queries is on): each soft-range value
 * confirmed in this save, each soft check failing now that did not fail
 * as loaded.  Free with auto_queries_free(). */
static save_query *
auto_queries(form_scr *fs, app *a, const item_change *ch, size_t nch, size_t *n)
{
	save_query *q = xcalloc(nch + fs->fd->nchecks + 1, sizeof *q);

	*n = 0;
	for (size_t k = 0; k < nch; k++) {
		const field_def *f = form_field(fs->fd, ch[k].field);

		if (f == NULL || !(ch[k].flags & ITEM_SOFT_OK) || ch[k].value == NULL)
			continue;
		q[*n].field = f->id;
		q[(*n)++].text = query_text_soft_value(a, f, ch[k].value);
	}
	for (size_t j = 0; j < fs->fd->nchecks; j++) {
		const check_def *c = &fs->fd->checks[j];

		if (c->level != CHECK_SOFT || record_check(fs->r, j) != CHECK_FAIL ||
		    fs->soft_failed[j])
			continue;
		q[*n].field = c->field ? c->field->id : NULL;
		q[(*n)++].text = query_text_soft_check(a, c);
	}
	return q;
}

static void
auto_queries_free(save_query *q, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)q[i].text);
	free(q);
}

/* ACT_QUERY: the current field's queries (the whole form's when no field
 * can be entered). */
static void
do_query(form_scr *fs, app *a)
{
	form_key key = key_of(fs);

	if (query_field_dialog(a, &key, fs->subject_key,
	    fs->cur >= 0 ? field_at(fs, (size_t)fs->cur) : NULL, record_version(fs->r) > 0))
		queries_marks(fs, a);
}

/* The query mark of field i ("?" open, "+" answered) on row y, just
 * before its value: in the label column's last cell when a blank still
 * parts it from the label's first row, else in the gap before the value
 * (never right after a label, which may end with its own "?"). */
static void
draw_query_mark(const form_scr *fs, app *a, size_t i, int y)
{
	size_t off[LABEL_ROWS], len[LABEL_ROWS];
	char first[512];
	int open, answered;
	const char *g;

	query_marks_field(fs->qm, field_at(fs, i)->id, &open, &answered);
	if ((g = query_mark_glyph(open, answered)) == NULL)
		return;
	wrap_text(label_of(fs, a, i), fs->lw, LABEL_ROWS, off, len);
	str_copy(first, label_of(fs, a, i) + off[0], len[0] + 1 < sizeof first ? len[0] + 1 :
	    sizeof first);
	ui_put(y, 2 + fs->lw - (utf8_width(first) <= fs->lw - 2 ? 1 : 0), 1,
	    open ? ST_WARN : ST_NORMAL, g);
}

/* The message line on a field with queries not closed (instead of the
 * field's help): how to see them.  False when there are none. */
static bool
draw_query_hint(form_scr *fs, app *a)
{
	int open, answered;
	char words[64], ks[16], msg[512];

	if (fs->cur < 0)
		return false;
	query_marks_field(fs->qm, field_at(fs, (size_t)fs->cur)->id, &open, &answered);
	query_count_words(open, answered, words, sizeof words);
	if (*words == '\0')
		return false;
	snprintf(msg, sizeof msg, "%s: %s; %s (F11) shows %s", label_of(fs, a, (size_t)fs->cur),
	    words, act_keys(ACT_QUERY, ks, sizeof ks), open + answered == 1 ? "it" : "them");
	ui_message(open ? ST_WARN : ST_DIM, msg);
	return true;
}

/* ---- Saving -------------------------------------------------------------- */

/* Required fields and hard checks; says which and goes there. */
static bool
can_complete(form_scr *fs, app *a)
{
	crf_err e;
	char ks[16];

	if (record_can_complete(fs->r, &e))
		return true;
	act_keys(ACT_SAVE, ks, sizeof ks);
	for (size_t i = 0; i < fs->fd->nfields; i++)
		if (record_needs_answer(fs->r, i)) {
			app_message(a, ST_ERROR, "Not complete: %s is required (%s saves the form "
			    "as incomplete)", label_of(fs, a, i), ks);
			if (editable(fs, i))
				enter_field(fs, a, (long)i);
			return false;
		}
	for (size_t j = 0; j < fs->fd->nchecks; j++) {
		const check_def *c = &fs->fd->checks[j];

		if (c->level != CHECK_HARD || record_check(fs->r, j) != CHECK_FAIL)
			continue;
		app_message(a, ST_ERROR, "Not complete: %s", i18n_get(&c->message, lang_of(a)));
		if (c->field && editable(fs, c->field->index))
			enter_field(fs, a, (long)c->field->index);
		return false;
	}
	app_message(a, ST_ERROR, "Not complete: %s", e.msg);
	return false;
}

static bool
confirm_soft_checks(form_scr *fs, app *a)
{
	static const char *const choices[] = { "[C]omplete anyway", "[G]o back" };
	strbuf sb = {0};
	int n = 0, c;

	for (size_t j = 0; j < fs->fd->nchecks; j++) {
		const check_def *ck = &fs->fd->checks[j];

		if (ck->level == CHECK_SOFT && record_check(fs->r, j) == CHECK_FAIL) {
			sb_addf(&sb, "%s\n", i18n_get(&ck->message, lang_of(a)));
			n++;
		}
	}
	if (n == 0)
		return true;
	sb_add(&sb, "Mark the form complete anyway?");
	c = dlg_ask(a, n > 1 ? "Soft checks fail" : "A soft check fails", sb.s, choices, 2);
	sb_free(&sb);
	return c == 0;
}

/* The form's checks that fail or cannot be evaluated, after a save. */
static void
show_checks(form_scr *fs, app *a)
{
	strbuf sb = {0};

	for (size_t j = 0; j < fs->fd->nchecks; j++) {
		const check_def *c = &fs->fd->checks[j];
		check_outcome o = record_check(fs->r, j);
		const char *msg = i18n_get(&c->message, lang_of(a));

		if (o == CHECK_FAIL)
			sb_addf(&sb, "%s: %s\n", c->level == CHECK_HARD ? "hard" : "soft", msg);
		else if (o == CHECK_NOT_EVALUABLE)
			sb_addf(&sb, "not evaluable: %s\n", msg);
	}
	if (sb.len > 0) {
		sb_add(&sb, "\nThe form is saved; these checks are listed for review.");
		dlg_text(a, "Checks", sb.s);
	}
	sb_free(&sb);
}

static bool
ask_reason(app *a, char *out, size_t size)
{
	const char *prompt = "Reason:";

	for (;;) {
		if (!dlg_input(a, "Reason for change", prompt, false, out, size))
			return false;
		str_trim(out);
		if (*out)
			return true;
		prompt = "Reason (required):";
	}
}

static void
reload_after_save(form_scr *fs, app *a)
{
	long cur = fs->cur;
	int top = fs->top;
	crf_err e;

	if (load_form(fs, a, fs->fd, fs->frep, &e) != CRF_OK)
		return;   /* the record is already up to date; keep it */
	fs->top = top;
	fs->cur = cur;
	settle_current(fs, a);
}

/* A new log entry whose number someone else took: the same entries as
 * the next free entry. */
static bool
renumber_entry(form_scr *fs, app *a, crf_err *e)
{
	size_t nf = fs->fd->nfields;
	field_state *st = xcalloc(nf ? nf : 1, sizeof *st);
	bool ok;

	for (size_t i = 0; i < nf; i++)
		snap(fs->r, i, &st[i]);
	if (fs->draft_mine)
		drop_draft(fs, a);
	ok = load_form(fs, a, fs->fd, 0, e) == CRF_OK;
	for (size_t i = 0; i < nf; i++) {
		field_type t = field_at(fs, i)->type;
		if (ok && t != FT_CALC && t != FT_INFO)
			snap_restore(fs->r, &st[i]);
		snap_free(&st[i]);
	}
	free(st);
	if (ok)
		refresh_shown(fs, a);
	return ok;
}

/* Save (complete: and mark complete).  True when the form is saved. */
static bool
do_save(form_scr *fs, app *a, bool complete)
{
	static const char *const conflict_choices[] = { "[R]eopen now", "[S]tay" };
	record *r = fs->r;
	form_status was = record_status(r), status;
	form_key key = key_of(fs);
	const item_change *ch;
	size_t nch;
	char reason[512] = "", ks[16];
	int newver = 0, renumbered = 0;
	save_query *aq;
	size_t naq;
	crf_err e;
	crf_status rc;

	if (!app_check(a, complete ? PERM_COMPLETE : PERM_ENTER))
		return false;
	if (!commit_edit(fs, a) || !settle_hidden(fs, a, NULL))
		return false;
	if (!review_form_writable(fs->rv, a, true)) {
		crf_err de;

		/* Locked while it was open: what was typed waits as a draft,
		 * offered again once the form is unlocked. */
		if (record_dirty(r))
			fs->conflict = keep_draft(fs, a, &de) == CRF_OK;
		return false;
	}
	if (complete) {
		if (!can_complete(fs, a) || !confirm_soft_checks(fs, a))
			return false;
		status = FORM_COMPLETE;
	} else {
		status = was == FORM_COMPLETE && record_can_complete(r, &e) ?
		    FORM_COMPLETE : FORM_INCOMPLETE;
	}
	ch = record_changes(r, &nch);
	if (nch > 0 && !app_check(a, PERM_ENTER))
		return false;
	if (nch == 0 && (status == was || (was == FORM_NOT_STARTED && !complete))) {
		app_message(a, ST_DIM, "Nothing to save: no changes");
		return true;
	}
	if (was == FORM_COMPLETE && nch > 0 && !ask_reason(a, reason, sizeof reason)) {
		app_message(a, ST_WARN, "Not saved: a reason for change is required");
		return false;
	}
	aq = auto_queries(fs, a, ch, nch, &naq);
	rc = store_save_form_queries(a->st, &key, record_version(r), fs->fd->version, status,
	    ch, nch, reason[0] ? reason : NULL, aq, naq, &newver, &e);
	if (rc == CRF_ECONFLICT && fs->fd->is_log && record_version(r) == 0) {
		/* Someone else added an entry with this number meanwhile:
		 * this one becomes the next. */
		int was_rep = fs->frep;
		for (int tries = 0; tries < 5 && rc == CRF_ECONFLICT; tries++) {
			if (!renumber_entry(fs, a, &e))
				break;
			r = fs->r;
			key = key_of(fs);
			ch = record_changes(r, &nch);
			rc = store_save_form_queries(a->st, &key, 0, fs->fd->version, status, ch, nch,
			    NULL, aq, naq, &newver, &e);
		}
		if (rc == CRF_OK)
			renumbered = was_rep;
	}
	auto_queries_free(aq, naq);
	if (rc == CRF_ECONFLICT) {
		crf_err de;
		strbuf q = {0};
		bool kept = keep_draft(fs, a, &de) == CRF_OK;

		fs->conflict = true;
		if (kept)
			sb_add(&q, "Someone else saved this form since you opened it; your entries "
			    "are kept as a draft; reopen the form to see both.");
		else
			sb_addf(&q, "Someone else saved this form since you opened it, and your "
			    "entries could not be kept as a draft (%s): note them before you "
			    "leave.", de.msg);
		sb_addf(&q, "\n(%s.)", e.msg);
		app_message(a, ST_ERROR, "Not saved: changed by someone else%s",
		    kept ? "; your entries are kept as a draft" : "");
		if (kept && dlg_ask(a, "Not saved", q.s, conflict_choices, 2) == 0)
			open_form(fs, a, fs->fd, fs->frep);
		else if (!kept)
			dlg_text(a, "Not saved", q.s);
		sb_free(&q);
		return false;
	}
	if (rc == CRF_ELOCKED) {
		/* Locked since it was opened: saying "try again" would not help. */
		crf_err de;
		bool kept = keep_draft(fs, a, &de) == CRF_OK;

		review_form_reload(fs->rv, a);
		fs->conflict = kept;
		app_message(a, ST_ERROR, "Not saved: %s%s", e.msg,
		    kept ? "; your entries are kept as a draft" : "");
		return false;
	}
	if (rc != CRF_OK) {
		crf_err de;
		bool kept = keep_draft(fs, a, &de) == CRF_OK;

		app_message(a, ST_ERROR, "Not saved: %s. Your entries are kept%s; try %s again",
		    e.msg, kept ? " (also as a draft)" : "", act_keys(ACT_SAVE, ks, sizeof ks));
		return false;
	}
	record_saved(r, status, newver);
	if (fs->draft_mine)
		drop_draft(fs, a);
	fs->conflict = false;
	reload_after_save(fs, a);
	if (!complete)
		show_checks(fs, a);
	if (renumbered)
		app_message(a, ST_WARN, "Saved as entry #%d: someone else added #%d meanwhile",
		    fs->frep, renumbered);
	else if (complete)
		app_message(a, ST_OK, "Saved and marked complete");
	else if (status == FORM_COMPLETE)
		app_message(a, ST_OK, "Saved (still complete)");
	else if (was == FORM_COMPLETE)
		app_message(a, ST_WARN, "Saved as incomplete: it no longer meets the rules for complete");
	else
		app_message(a, ST_OK, "Saved");
	return true;
}

/* ---- Leaving, other forms, missing codes, history ----------------------- */

/* May the form be left?  Asks about unsaved changes. */
static bool
may_leave(form_scr *fs, app *a)
{
	static const char *const choices[] = { "[S]ave", "[D]iscard", "s[T]ay" };
	char q[512];
	int c;

	if (!commit_edit(fs, a))
		return false;
	if (fs->conflict && record_dirty(fs->r)) {
		crf_err e;
		keep_draft(fs, a, &e);
		return true;
	}
	if (!record_dirty(fs->r))
		return true;
	snprintf(q, sizeof q, "%s has unsaved changes.", i18n_get(&fs->fd->title, lang_of(a)));
	c = dlg_ask(a, "Unsaved changes", q, choices, 3);
	if (c == 0)
		return do_save(fs, a, false);
	if (c == 1) {
		if (fs->draft_mine)
			drop_draft(fs, a);
		return true;
	}
	return false;
}

static void
other_form(form_scr *fs, app *a, int dir)
{
	const form_def *to = NULL;
	int frep = 1;

	if (fs->fd->is_log || fs->event[0] == '\0') {
		int last;
		crf_err e;

		if (log_last(fs, a, fs->fd, &last, &e) != CRF_OK) {
			app_message(a, ST_ERROR, "%s", e.msg);
			return;
		}
		frep = fs->frep + dir;
		if (frep < 1 || frep > last) {
			app_message(a, ST_DIM, dir > 0 ? "This is the last entry of the log" :
			    "This is the first entry of the log");
			return;
		}
		to = fs->fd;
	} else {
		const event_def *ev = study_event(a->sd, fs->event);
		size_t k = 0;

		while (ev && k < ev->nforms && ev->forms[k] != fs->fd)
			k++;
		if (ev == NULL || k >= ev->nforms) {
			app_message(a, ST_ERROR, "This form is not in the event");
			return;
		}
		if ((dir < 0 && k == 0) || (dir > 0 && k + 1 >= ev->nforms)) {
			app_message(a, ST_DIM, dir > 0 ? "This is the last form of the event" :
			    "This is the first form of the event");
			return;
		}
		to = ev->forms[(long)k + dir];
	}
	if (!may_leave(fs, a))
		return;
	open_form(fs, a, to, frep);
}

static void
do_missing(form_scr *fs, app *a)
{
	const field_def *f;
	char **items, buf[256];
	size_t idx[32], n = 0, i;
	int cur = 0, sel;
	field_state before;
	crf_err e;
	bool ok;

	if (fs->cur < 0 || !app_check(a, PERM_ENTER) || !review_form_writable(fs->rv, a, false))
		return;
	i = (size_t)fs->cur;
	f = field_at(fs, i);
	for (size_t m = 0; m < a->sd->nmissing && m < 32; m++)
		if (f->missing_mask & (1u << m))
			idx[n++] = m;
	if (n == 0) {
		app_message(a, ST_ERROR, "%s takes no missing-data code: enter a value",
		    label_of(fs, a, i));
		return;
	}
	items = xcalloc(n, sizeof *items);
	for (size_t k = 0; k < n; k++) {
		missing_text(a, a->sd->missing[idx[k]].code, buf, sizeof buf);
		items[k] = xstrdup(buf);
		if (str_eq(record_missing(fs->r, i), a->sd->missing[idx[k]].code))
			cur = (int)k;
	}
	snprintf(buf, sizeof buf, "Missing: %s", label_of(fs, a, i));
	sel = dlg_pick(a, buf, (const char *const *)items, (int)n, cur);
	free_labels(items, n);
	if (sel < 0)
		return;
	snap(fs->r, i, &before);
	if (record_set_missing(fs->r, i, a->sd->missing[idx[sel]].code, &e) != CRF_OK) {
		app_message(a, ST_ERROR, "%s", e.msg);
		snap_free(&before);
		return;
	}
	refresh_shown(fs, a);
	ok = settle_hidden(fs, a, &before);
	snap_free(&before);
	settle_current(fs, a);
	if (ok && fs->cur == (long)i) {
		long j = next_editable(fs, fs->cur, 1);
		if (j >= 0)
			enter_field(fs, a, j);
	}
}

static void
do_history(form_scr *fs, app *a)
{
	form_key key = key_of(fs);
	const field_def *f;
	audit_row *rows;
	size_t n;
	crf_err e;
	char title[256], *text;

	if (fs->cur < 0)
		return;
	f = field_at(fs, (size_t)fs->cur);
	if (store_field_history(a->st, &key, f->id, &rows, &n, &e) != CRF_OK) {
		app_message(a, ST_ERROR, "%s", e.msg);
		return;
	}
	if (n == 0) {
		app_message(a, ST_DIM, "%s has no saved history yet", label_of(fs, a, (size_t)fs->cur));
		audit_rows_free(rows, n);
		return;
	}
	/* Worded as in the casebook's audit trail (scr_signoff.c). */
	text = review_audit_text(a, rows, n, false);
	snprintf(title, sizeof title, "History: %s", label_of(fs, a, (size_t)fs->cur));
	dlg_text(a, title, text);
	free(text);
	audit_rows_free(rows, n);
}

/* ACT_SIGN, ACT_VERIFY (scr_signoff.c): both are about what is saved. */
static void
do_signoff(form_scr *fs, app *a, action act)
{
	form_key key = key_of(fs);
	char ks[16];
	bool done;

	if (record_dirty(fs->r) || edit_pending(fs)) {
		app_message(a, ST_WARN, "Save first (%s): %s", act_keys(ACT_SAVE, ks, sizeof ks),
		    act == ACT_SIGN ? "a signature covers what is saved" :
		    "verification is of what is saved");
		return;
	}
	done = act == ACT_SIGN ? review_sign(a, fs->subject_key, &key) :
	    review_verify(a, fs->subject_key, &key);
	if (done) {
		char msg[sizeof a->msg];
		ui_style st = a->msg_style;

		str_copy(msg, a->msg, sizeof msg);
		review_form_reload(fs->rv, a);
		app_message(a, st, "%s", msg);
	}
}

/* ---- Layout ------------------------------------------------------------- */

/* Rows of fields: all but the title, header, review lines (signatures,
 * lock, verification), message and key bar. */
static int
body_rows(const form_scr *fs)
{
	int h = ui_rows() - 4 - review_form_rows(fs->rv);

	return h > 1 ? h : 1;
}

/* Columns used: the last one is kept for the scroll marks. */
static int
body_cols(void)
{
	return ui_cols() - 1;
}

static void
lay_add(form_scr *fs, enum lay_kind kind, size_t idx, int h)
{
	lay_item *it;

	xgrow(&fs->lay, sizeof *fs->lay, &fs->laycap, fs->nlay);
	it = &fs->lay[fs->nlay++];
	it->kind = kind;
	it->idx = idx;
	it->y = fs->total;
	it->h = h;
	fs->total += h;
}

static int
value_x(const form_scr *fs)
{
	return 2 + fs->lw + 1;
}

static void
layout(form_scr *fs, app *a)
{
	const form_def *fd = fs->fd;
	int w = body_cols(), maxlw = w * 3 / 8, lw = 12;
	size_t last_sec = (size_t)-1;
	const char *help = i18n_get(&fd->help, lang_of(a));

	for (size_t i = 0; i < fd->nfields; i++) {
		int lwi;
		if (fd->fields[i].type == FT_INFO || !record_visible(fs->r, i))
			continue;
		lwi = utf8_width(label_of(fs, a, i)) + 1;
		if (lwi > lw)
			lw = lwi;
	}
	fs->lw = lw < maxlw ? lw : maxlw < 12 ? 12 : maxlw;
	fs->nlay = 0;
	fs->total = 0;
	if (*help)
		lay_add(fs, LAY_HELP, 0, wrap_rows(help, w - 2, 3));
	for (size_t i = 0; i < fd->nfields; i++) {
		const field_def *f = &fd->fields[i];
		int h;

		if (!record_visible(fs->r, i))
			continue;
		if (f->section != last_sec) {
			last_sec = f->section;
			if (f->section < fd->nsections &&
			    *i18n_get(&fd->sections[f->section].title, lang_of(a)))
				lay_add(fs, LAY_SECTION, f->section, 1);
		}
		if (f->type == FT_INFO) {
			h = wrap_rows(i18n_get(&f->text, lang_of(a)), w - 2, INFO_ROWS);
		} else {
			h = wrap_rows(label_of(fs, a, i), fs->lw, LABEL_ROWS);
			if (f->type == FT_MEMO && h < MEMO_ROWS)
				h = MEMO_ROWS;
		}
		lay_add(fs, LAY_FIELD, i, h);
	}
}

static long
lay_find(const form_scr *fs, long field)
{
	for (size_t k = 0; k < fs->nlay; k++)
		if (fs->lay[k].kind == LAY_FIELD && (long)fs->lay[k].idx == field)
			return (long)k;
	return -1;
}

/* Scroll so that the current field (with its section title) is shown. */
static void
keep_visible(form_scr *fs)
{
	int bh = body_rows(fs), y0, y1, maxtop;
	long k = lay_find(fs, fs->cur);

	if (k >= 0) {
		y0 = fs->lay[k].y;
		y1 = y0 + fs->lay[k].h;
		if (k > 0 && fs->lay[k - 1].kind != LAY_FIELD)
			y0 = fs->lay[k - 1].y;
		if (fs->cur == next_editable(fs, -1, 1))
			y0 = 0;
		if (y1 - y0 > bh)
			y0 = fs->lay[k].y;
		if (y0 < fs->top)
			fs->top = y0;
		if (y1 > fs->top + bh)
			fs->top = y1 - bh;
	}
	maxtop = fs->total - bh;
	if (fs->top > maxtop)
		fs->top = maxtop;
	if (fs->top < 0)
		fs->top = 0;
}

static void
page(form_scr *fs, app *a, int dir)
{
	int bh = body_rows(fs), target, maxtop;
	long j = -1;

	if (!commit_edit(fs, a))
		return;
	layout(fs, a);
	maxtop = fs->total - bh > 0 ? fs->total - bh : 0;
	target = dir > 0 ? fs->top + bh : fs->top - bh;
	if (target > maxtop)
		target = maxtop;
	if (target < 0)
		target = 0;
	for (size_t k = 0; k < fs->nlay && j < 0; k++)
		if (fs->lay[k].kind == LAY_FIELD && fs->lay[k].y >= target &&
		    editable(fs, fs->lay[k].idx))
			j = (long)fs->lay[k].idx;
	if (j < 0 || (dir > 0 && target == fs->top))
		j = dir > 0 ? next_editable(fs, (long)fs->fd->nfields, -1) : next_editable(fs, -1, 1);
	fs->top = target;
	if (j >= 0)
		enter_field(fs, a, j);
}

/* ---- Drawing ------------------------------------------------------------- */

static int
value_width(const form_scr *fs, app *a, size_t i, int avail)
{
	const field_def *f = field_at(fs, i);
	int w, sw;

	switch (f->type) {
	case FT_INTEGER: case FT_DECIMAL: w = 10; break;
	case FT_DATE: case FT_PDATE: w = 12; break;
	case FT_TIME: w = 6; break;
	case FT_YESNO: w = 5; break;
	case FT_TEXT: w = (f->maxlen > 0 ? f->maxlen : 200) + 1; break;
	case FT_CALC:
		w = f->result == FT_TEXT ? avail : 12;
		break;
	case FT_CHOICE:
		w = 4;
		for (size_t k = 0; f->choices && k < f->choices->nitems; k++) {
			const choice_item *it = &f->choices->items[k];
			int cw = utf8_width(it->code) + 2 + utf8_width(i18n_get(&it->label, lang_of(a)));
			if (cw > w)
				w = cw;
		}
		break;
	default:
		w = avail;
		break;
	}
	sw = utf8_width(fs->shown[i]) + 1;
	if (f->type != FT_MEMO && sw > w)
		w = sw;
	if (w > avail)
		w = avail;
	return w < 1 ? 1 : w;
}

static void
hint_text(app *a, const field_def *f, char *buf, size_t size)
{
	char range[64];

	buf[0] = '\0';
	switch (f->type) {
	case FT_INTEGER:
	case FT_DECIMAL:
		range_text(&f->hard, range, sizeof range);
		snprintf(buf, size, "%s%s%s", f->unit ? f->unit : "", f->unit && *range ? " " : "",
		    range);
		break;
	case FT_CALC:
		if (f->unit)
			str_copy(buf, f->unit, size);
		break;
	case FT_DATE:
		str_copy(buf, date_fmt(a), size);
		break;
	case FT_PDATE:
		snprintf(buf, size, "%s or YYYY-MM or YYYY", date_fmt(a));
		break;
	case FT_TIME:
		str_copy(buf, "HH:MM", size);
		break;
	case FT_TEXT:
		str_copy(buf, i18n_get(&f->pattern_help, lang_of(a)), size);
		break;
	default:
		break;
	}
}

/* The warning beside a value: a confirmed soft-range value, or a
 * calculation outside its range. */
static void
flag_text(const form_scr *fs, size_t i, char *buf, size_t size)
{
	const field_def *f = field_at(fs, i);
	const char *v = record_value(fs->r, i);
	char range[64];
	double d;
	crf_err e;

	buf[0] = '\0';
	if (!*v)
		return;
	if (record_flags(fs->r, i) & ITEM_SOFT_OK) {
		range_text(&f->soft, range, sizeof range);
		snprintf(buf, size, "! confirmed outside %s", range);
		return;
	}
	if (f->type == FT_CALC && parse_double(v, &d)) {
		crf_status rc = validate_range(f, d, &e);
		if (rc == CRF_ESOFT || rc == CRF_ERANGE) {
			range_text(rc == CRF_ESOFT ? &f->soft : &f->hard, range, sizeof range);
			snprintf(buf, size, "! outside %s", range);
		}
	}
}

/* A value row: clipped text in the input area. */
static void
put_value(int y, int x, int w, ui_style st, const char *text, bool fill)
{
	if (fill)
		ui_fill(y, x, w, st);
	ui_put(y, x, w, st, text);
}

/* Memo rows from the text (row `first` on). */
static void
put_memo_rows(lineedit *le, int y, int x, int w, int first, int y0, int y1, ui_style st)
{
	int rows = lineedit_rows(le, w);
	char buf[2048];

	for (int k = 0; k < MEMO_ROWS; k++) {
		if (y + k < y0 || y + k > y1)
			continue;
		ui_fill(y + k, x, w, st);
		if (first + k < rows) {
			lineedit_row_text(le, w, first + k, buf, sizeof buf);
			ui_put(y + k, x, w, st, buf);
		}
	}
}

static void
draw_field(form_scr *fs, app *a, const lay_item *it, int y, int y0, int y1, int *cy, int *cx)
{
	const field_def *f = field_at(fs, it->idx);
	int w = body_cols(), vx = value_x(fs), vw, hx;
	bool current = (long)it->idx == fs->cur;
	size_t off[LABEL_ROWS], len[LABEL_ROWS];
	char buf[2048], hint[256], flag[128];
	int n;

	if (f->type == FT_INFO) {
		put_wrapped(i18n_get(&f->text, lang_of(a)), y, 2, w - 2, INFO_ROWS, y0, y1, ST_NORMAL);
		return;
	}
	/* Label, wrapped over up to three rows. */
	n = wrap_text(label_of(fs, a, it->idx), fs->lw, LABEL_ROWS, off, len);
	for (int k = 0; k < n; k++) {
		size_t l = len[k] < sizeof buf - 1 ? len[k] : sizeof buf - 1;
		if (y + k < y0 || y + k > y1)
			continue;
		memcpy(buf, label_of(fs, a, it->idx) + off[k], l);
		buf[l] = '\0';
		ui_put(y + k, 2, fs->lw, current ? ST_SELECTED : ST_NORMAL, buf);
	}
	if (y >= y0 && y <= y1) {
		if (current)
			ui_put(y, 0, 1, ST_HEADER, ui_utf8() ? "▸" : ">");
		if (f->required)
			ui_put(y, 1, 1, ST_DIM, "*");
		draw_query_mark(fs, a, it->idx, y);
	}
	vw = value_width(fs, a, it->idx, w - vx);
	if (f->type == FT_MEMO) {
		lineedit tmp;
		lineedit *le = &fs->le;
		int first = 0;

		if (current) {
			int cr, cc;
			lineedit_cursor_rowcol(le, vw, &cr, &cc);
			if (cr >= MEMO_ROWS)
				first = cr - MEMO_ROWS + 1;
			fs->memo_w = vw;
			*cy = y + cr - first;
			*cx = vx + cc;
			if (record_missing(fs->r, it->idx) && le->len == 0) {
				put_memo_rows(le, y, vx, vw, 0, y0, y1, ST_INPUT);
				ui_put(y, vx, vw, ST_INPUT, fs->shown[it->idx]);
			} else {
				put_memo_rows(le, y, vx, vw, first, y0, y1,
				    fs->fresh && le->len ? ST_SELECTED : ST_INPUT);
			}
		} else {
			lineedit_init(&tmp, fs->shown[it->idx], 0, true);
			put_memo_rows(&tmp, y, vx, vw, 0, y0, y1, ST_INPUT);
			lineedit_free(&tmp);
		}
	} else if (y >= y0 && y <= y1) {
		if (!current) {
			put_value(y, vx, vw, f->type == FT_CALC ? ST_NORMAL : ST_INPUT,
			    fs->shown[it->idx], f->type != FT_CALC);
		} else if (f->type == FT_CHOICE) {
			const char *t = "";
			if (fs->pick >= 0) {
				const choice_item *ci = &f->choices->items[fs->pick];
				snprintf(buf, sizeof buf, "%s %s", ci->code, i18n_get(&ci->label, lang_of(a)));
				t = buf;
			} else if (!fs->touched) {
				t = fs->shown[it->idx];
			}
			put_value(y, vx, vw, fs->touched ? ST_INPUT : ST_SELECTED, t, true);
			*cy = y;
			*cx = vx;
		} else if (f->type == FT_YESNO) {
			const char *t = "";
			if (fs->yn) {
				validate_display(f, fs->yn == 'Y' ? "Y" : "N", NULL, lang_of(a), buf,
				    sizeof buf);
				t = buf;
			} else if (!fs->touched)
				t = fs->shown[it->idx];
			put_value(y, vx, vw, fs->touched ? ST_INPUT : ST_SELECTED, t, true);
			*cy = y;
			*cx = vx;
		} else {
			lineedit *le = &fs->le;
			int c;
			if (record_missing(fs->r, it->idx) && le->len == 0 && !le->changed) {
				put_value(y, vx, vw, ST_SELECTED, fs->shown[it->idx], true);
				c = 0;
			} else {
				c = lineedit_render(le, vw, buf, sizeof buf, NULL, NULL);
				put_value(y, vx, vw, fs->fresh && le->len ? ST_SELECTED : ST_INPUT, buf, true);
			}
			*cy = y;
			*cx = vx + c;
		}
	}
	if (y < y0 || y > y1)
		return;
	/* Unit and range, then the flag, in one column for short values. */
	hx = vx + (vw < 12 ? 12 : vw) + 1;
	if (hx >= w)
		return;
	hint_text(a, f, hint, sizeof hint);
	flag[0] = '\0';
	if (!current || !edit_pending(fs))
		flag_text(fs, it->idx, flag, sizeof flag);
	if (*flag) {
		int hw = utf8_width(hint), fw = utf8_width(flag);
		/* Short of room the range gives way to the flag, then the
		 * flag to its "!". */
		if (hw + (hw ? 1 : 0) + fw > w - hx && f->unit) {
			str_copy(hint, f->unit, sizeof hint);
			hw = utf8_width(hint);
		}
		if (hw + (hw ? 1 : 0) + fw > w - hx) {
			hint_text(a, f, hint, sizeof hint);
			hw = utf8_width(hint);
			str_copy(flag, "!", sizeof flag);
			fw = 1;
		}
		if (hw + (hw ? 1 : 0) + fw > w - hx)
			hw = w - hx - fw - 1;
		if (hw > 0)
			hx += ui_put(y, hx, hw, ST_DIM, hint) + 1;
		ui_put(y, hx, w - hx, ST_WARN, flag);
	} else if (*hint) {
		ui_put(y, hx, w - hx, ST_DIM, hint);
	}
}

static void
draw_header(form_scr *fs, app *a)
{
	static const char *const glyph_utf8[] = { "○", "◐", "●" };
	static const char *const glyph_ascii[] = { "[ ]", "[/]", "[x]" };
	int cols = ui_cols(), rw, avail, x;
	form_status st = record_status(fs->r);
	bool dirty = record_dirty(fs->r) || edit_pending(fs);
	const char *glyph = (unsigned)st <= FORM_COMPLETE ?
	    (ui_utf8() ? glyph_utf8 : glyph_ascii)[st] : "";
	const char *saved = review_form_locked(fs->rv) && !dirty ? "locked" : read_only(a) ?
	    "read-only" : dirty ? "unsaved changes" : "saved";
	const event_def *ev = *fs->event ? study_event(a->sd, fs->event) : NULL;
	char status[128], form[256], left[768], queries[64];
	int qopen, qanswered;

	snprintf(status, sizeof status, "%s %s", glyph, form_status_name(st));
	rw = utf8_width(status) + utf8_width(dot()) + utf8_width(saved);
	query_marks_total(fs->qm, &qopen, &qanswered);
	query_count_words(qopen, qanswered, queries, sizeof queries);
	if (*queries)
		rw += utf8_width(queries) + utf8_width(dot());
	if (fs->fd->is_log || !*fs->event)
		snprintf(form, sizeof form, "%s #%d", i18n_get(&fs->fd->title, lang_of(a)), fs->frep);
	else
		str_copy(form, i18n_get(&fs->fd->title, lang_of(a)), sizeof form);
	avail = cols - rw - 2;
	if (ev) {
		char evt[256];
		if (fs->erep > 1 || ev->repeating)
			snprintf(evt, sizeof evt, "%s #%d", i18n_get(&ev->title, lang_of(a)), fs->erep);
		else
			str_copy(evt, i18n_get(&ev->title, lang_of(a)), sizeof evt);
		snprintf(left, sizeof left, "%s%s%s%s%s", fs->subject_key, dot(), evt, dot(), form);
		if (utf8_width(left) > avail)
			snprintf(left, sizeof left, "%s%s%s", fs->subject_key, dot(), form);
	} else {
		snprintf(left, sizeof left, "%s%s%s", fs->subject_key, dot(), form);
	}
	ui_put(1, 0, avail, ST_HEADER, left);
	x = cols - rw;
	if (x < 0)
		return;
	if (*queries) {
		x += ui_put(1, x, cols - x, qopen ? ST_WARN : ST_NORMAL, queries);
		x += ui_put(1, x, cols - x, ST_NORMAL, dot());
	}
	x += ui_put(1, x, cols - x, st == FORM_COMPLETE ? ST_OK : ST_NORMAL, status);
	x += ui_put(1, x, cols - x, ST_NORMAL, dot());
	ui_put(1, x, cols - x, dirty ? ST_WARN : read_only(a) ? ST_NORMAL : ST_DIM, saved);
}

/* The message line: the current field's help when there is no message. */
static void
draw_help(form_scr *fs, app *a)
{
	const field_def *f;
	const char *help;
	strbuf sb = {0};

	if (a->msg[0] || fs->cur < 0 || draw_query_hint(fs, a))
		return;
	f = field_at(fs, (size_t)fs->cur);
	help = i18n_get(&f->help, lang_of(a));
	if (*help) {
		ui_message(ST_DIM, help);
		return;
	}
	if ((f->type == FT_CHOICE || f->type == FT_MULTI) && f->choices) {
		if (f->type == FT_MULTI)
			sb_add(&sb, "Numbers or codes, blank between:");
		for (size_t k = 0; k < f->choices->nitems; k++)
			sb_addf(&sb, "%s%zu %s", sb.len ? "  " : "", k + 1,
			    i18n_get(&f->choices->items[k].label, lang_of(a)));
		ui_message(ST_DIM, sb.s);
		sb_free(&sb);
	} else if (f->type == FT_YESNO) {
		ui_message(ST_DIM, "Y yes, N no");
	}
}

static void
form_draw(screen *s, app *a)
{
	form_scr *fs = s->priv;
	int bh = body_rows(fs), y0 = 2 + review_form_rows(fs->rv), y1 = y0 + bh - 1;
	int cy = -1, cx = -1;
	const event_def *ev = *fs->event ? study_event(a->sd, fs->event) : NULL;
	char title[512];

	if (fs->offer_draft && fs->r) {
		fs->offer_draft = false;
		offer_draft(fs, a);
		app_draw(a);
		return;
	}
	snprintf(title, sizeof title, "%s%s%s", fs->subject_key, dot(),
	    ev ? i18n_get(&ev->title, lang_of(a)) : "Logs");
	app_title(a, title);
	if (fs->failed) {
		put_wrapped(fs->failed, 2, 0, ui_cols(), 4, y0, y1, ST_ERROR);
		ui_put(7, 0, ui_cols(), ST_DIM, "Press any key to go back.");
		ui_no_cursor();
		return;
	}
	draw_header(fs, a);
	review_form_draw(fs->rv, 2, ui_cols());
	draw_help(fs, a);
	layout(fs, a);
	keep_visible(fs);
	for (size_t k = 0; k < fs->nlay; k++) {
		const lay_item *it = &fs->lay[k];
		int y = y0 + it->y - fs->top;

		if (y + it->h <= y0)
			continue;
		if (y > y1)
			break;
		switch (it->kind) {
		case LAY_HELP:
			put_wrapped(i18n_get(&fs->fd->help, lang_of(a)), y, 2, body_cols() - 2, 3,
			    y0, y1, ST_DIM);
			break;
		case LAY_SECTION:
			if (ui_utf8())
				ui_putf(y, 0, body_cols(), ST_HEADER, "── %s ──",
				    i18n_get(&fs->fd->sections[it->idx].title, lang_of(a)));
			else
				ui_putf(y, 0, body_cols(), ST_HEADER, "-- %s --",
				    i18n_get(&fs->fd->sections[it->idx].title, lang_of(a)));
			break;
		case LAY_FIELD:
			draw_field(fs, a, it, y, y0, y1, &cy, &cx);
			break;
		}
	}
	if (fs->top > 0)
		ui_put(y0, ui_cols() - 1, 1, ST_DIM, ui_utf8() ? "↑" : "^");
	if (fs->top + bh < fs->total)
		ui_put(y1, ui_cols() - 1, 1, ST_DIM, ui_utf8() ? "↓" : "v");
	if (fs->cur < 0 && fs->total <= bh && y0 + fs->total <= y1)
		ui_put(y0 + fs->total, 2, body_cols() - 2, ST_DIM, "Nothing to enter on this form.");
	if (cy >= y0 && cy <= y1 && cx >= 0 && cx < ui_cols())
		ui_cursor(cy, cx);
	else
		ui_no_cursor();
}

/* ---- The screen ------------------------------------------------------------ */

static bool
memo_move(form_scr *fs, const ui_key *k, int dir)
{
	if (fs->cur < 0 || field_at(fs, (size_t)fs->cur)->type != FT_MEMO || !k->is_key ||
	    fs->fresh || fs->memo_w <= 0)
		return false;
	if (dir > 0)
		return lineedit_down(&fs->le, fs->memo_w);
	return lineedit_up(&fs->le, fs->memo_w);
}

static scr_result
form_handle(screen *s, app *a, action act, const ui_key *k)
{
	form_scr *fs = s->priv;
	field_type t = fs->cur >= 0 ? field_at(fs, (size_t)fs->cur)->type : FT_INFO;

	if (fs->failed)
		return SCR_POP;
	switch (act) {
	case ACT_NONE:
		if (read_only(a))
			say_read_only(a);
		else if (review_form_writable(fs->rv, a, false))
			field_key(fs, a, k);
		break;
	case ACT_ENTER:
		if (read_only(a) || review_form_locked(fs->rv))
			go_field(fs, a, 1);
		else if (t == FT_MEMO && !k->is_key && k->ch == '\n') {
			if (fs->fresh)
				fs->fresh = false;
			lineedit_insert(&fs->le, L'\n');
		} else if (t == FT_CHOICE && !fs->touched && fs->pick < 0 &&
		    record_missing(fs->r, (size_t)fs->cur) == NULL) {
			open_pick(fs, a);
		} else {
			go_field(fs, a, 1);
		}
		break;
	case ACT_NEXT:
		if (!memo_move(fs, k, 1))
			go_field(fs, a, 1);
		break;
	case ACT_PREV:
		if (!memo_move(fs, k, -1))
			go_field(fs, a, -1);
		break;
	case ACT_PAGE_DOWN:
		page(fs, a, 1);
		break;
	case ACT_PAGE_UP:
		page(fs, a, -1);
		break;
	case ACT_CANCEL:
		if (edit_pending(fs)) {
			enter_field(fs, a, fs->cur);
			app_message(a, ST_DIM, "Edit cancelled");
			break;
		}
		return may_leave(fs, a) ? SCR_POP : SCR_STAY;
	case ACT_BACK:
		return may_leave(fs, a) ? SCR_POP : SCR_STAY;
	case ACT_SAVE:
		do_save(fs, a, false);
		break;
	case ACT_COMPLETE:
		do_save(fs, a, true);
		break;
	case ACT_MISSING:
		do_missing(fs, a);
		break;
	case ACT_HISTORY:
		do_history(fs, a);
		break;
	case ACT_QUERY:
		do_query(fs, a);
		break;
	case ACT_SIGN:
	case ACT_VERIFY:
		do_signoff(fs, a, act);
		break;
	case ACT_NEXT_FORM:
		other_form(fs, a, 1);
		break;
	case ACT_PREV_FORM:
		other_form(fs, a, -1);
		break;
	default:
		break;
	}
	return SCR_STAY;
}

static void
form_hangup(screen *s, app *a)
{
	form_scr *fs = s->priv;
	crf_err e;

	if (fs->r == NULL || fs->failed || a->login == NULL || read_only(a))
		return;
	if (edit_pending(fs)) {
		char *in = edit_input(fs);
		record_set(fs->r, (size_t)fs->cur, in, date_fmt(a), false, &e);
		free(in);
	}
	if (record_dirty(fs->r))
		keep_draft(fs, a, &e);
}

static void
form_free(screen *s)
{
	form_scr *fs = s->priv;

	free_shown(fs);
	record_free(fs->r);
	casebook_free(fs->cb);
	lineedit_free(&fs->le);
	free(fs->lay);
	free(fs->subject_key);
	free(fs->event);
	free(fs->failed);
	query_marks_free(fs->qm);
	free(fs->soft_failed);
	review_form_free(fs->rv);
	free(fs);
}

/* Every few seconds: queries raised or answered in other sessions. */
static void
form_tick(screen *s, app *a)
{
	form_scr *fs = s->priv;

	if (fs->r != NULL && fs->failed == NULL) {
		queries_marks(fs, a);
		/* Another session may have signed, verified or locked it. */
		review_form_reload(fs->rv, a);
	}
}

static const screen_ops form_ops = {
	.name = "form",
	.keyctx = KC_FORM,
	.draw = form_draw,
	.handle = form_handle,
	.hangup = form_hangup,
	.resume = NULL,
	.tick = form_tick,
	.free = form_free,
};

screen *
scr_form_new(app *a, long long subject_id, const char *subject_key, const char *event,
    int event_repeat, const form_def *fd, int form_repeat)
{
	form_scr *fs = xcalloc(1, sizeof *fs);
	crf_err e;

	fs->subject_id = subject_id;
	fs->subject_key = xstrdup(subject_key ? subject_key : "");
	fs->event = xstrdup(event ? event : "");
	fs->erep = event_repeat;
	fs->fd = fd;
	fs->cur = -1;
	lineedit_init(&fs->le, "", 0, false);
	if (load_form(fs, a, fd, form_repeat, &e) != CRF_OK) {
		fs->failed = xasprintf("%s cannot be opened: %s", i18n_get(&fd->title, lang_of(a)),
		    e.msg);
		return screen_new(&form_ops, fs);
	}
	fs->offer_draft = a->login != NULL && !read_only(a) && !review_form_locked(fs->rv);
	enter_field(fs, a, next_editable(fs, -1, 1));
	return screen_new(&form_ops, fs);
}

void
scr_form_goto(screen *s, app *a, const char *field)
{
	form_scr *fs = s->priv;
	const field_def *f;

	if (fs->failed || fs->r == NULL || field == NULL ||
	    (f = form_field(fs->fd, field)) == NULL)
		return;
	if (editable(fs, f->index))
		enter_field(fs, a, (long)f->index);
	else
		app_message(a, ST_DIM, "%s cannot be entered now: it is calculated, or hidden "
		    "by another answer", label_of(fs, a, f->index));
}
