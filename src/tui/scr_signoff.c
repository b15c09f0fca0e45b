/*
 * scr_signoff.c - review on screen: the investigator's electronic
 * signature, the data manager's locks, the monitor's source data
 * verification (SDV), and the audit trail in words.
 *
 * The casebook and the form screen call these (screens.h) from small
 * hooks; the model is reached only through signoff.h and store.h, and
 * the store checks the role again for every change.
 *
 * Part 11 on screen: the signing dialog shows the meaning, what is
 * covered, the printed name and the date and time before anything is
 * typed (§11.50); it asks the user ID and the password at the first
 * signature of a session and the password alone after (§11.200 (a)(1));
 * every signature shown names the signer, the time with its offset and
 * the meaning, or says plainly that the data changed since.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crf/audit.h"
#include "crf/date.h"
#include "crf/lineedit.h"
#include "crf/schedule.h"
#include "crf/screens.h"
#include "crf/signoff.h"
#include "crf/util.h"
#include "crf/validate.h"

/* Rows of the audit trail shown at most in one page of text (dlg_text
 * keeps 400 wrapped lines): the newest are kept. */
#define TRAIL_MAX_ROWS 120

struct review {
	signature_row *sig;
	size_t nsig;
	lock_row *lk;
	size_t nlk;
};

#define RF_LINES 3

struct review_form {
	long long subject_id;
	char *event;
	int erep;
	char *form;
	int frep;
	bool locked;
	char *lock_by;             /* who locked it and when, for messages */
	char *lock_when;
	char line[RF_LINES][512];  /* what review_form_draw() shows */
	ui_style style[RF_LINES];
	int nlines;
};

/* ---- Words and times ------------------------------------------------------------- */

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

/* "+08:00" as seconds east of UTC. */
static bool
parse_offset(const char *s, long *secs)
{
	int h, m;
	char sign;

	if (s == NULL || sscanf(s, "%c%2d:%2d", &sign, &h, &m) != 3 ||
	    (sign != '+' && sign != '-') || h < 0 || h > 23 || m < 0 || m > 59)
		return false;
	*secs = (h * 3600L + m * 60L) * (sign == '-' ? -1 : 1);
	return true;
}

/* A stored UTC time for people: "2026-11-25 16:00 +08:00" at the offset
 * recorded with it (off; NULL: this computer's offset at that moment),
 * the date in the site's format, with seconds when secs. */
static void
stamp_text(const app *a, const char *utc, const char *off, bool secs, char *buf,
    size_t size)
{
	char offtxt[16], day[32];
	time_t t;
	long offs = 0;
	struct tm tm;
	crf_date d;

	if (!clock_parse(utc, &t)) {
		str_copy(buf, utc ? utc : "", size);
		return;
	}
	if (parse_offset(off, &offs)) {
		str_copy(offtxt, off, sizeof offtxt);
	} else {
		clock_stamp(t, NULL, 0, offtxt, sizeof offtxt);
		if (!parse_offset(offtxt, &offs))
			offs = 0;
	}
	t += offs;
	if (gmtime_r(&t, &tm) == NULL) {
		str_copy(buf, utc, size);
		return;
	}
	d.y = tm.tm_year + 1900;
	d.m = tm.tm_mon + 1;
	d.d = tm.tm_mday;
	date_format_display(d, date_fmt(a), day, sizeof day);
	if (secs)
		snprintf(buf, size, "%s %02d:%02d:%02d %s", day, tm.tm_hour, tm.tm_min,
		    tm.tm_sec, offtxt);
	else
		snprintf(buf, size, "%s %02d:%02d %s", day, tm.tm_hour, tm.tm_min, offtxt);
}

static const char *
event_title(const app *a, const char *event)
{
	const event_def *ev = event && *event ? study_event(a->sd, event) : NULL;

	return ev ? i18n_get(&ev->title, a->cfg->lang) : "";
}

static const char *
form_title(const app *a, const char *form)
{
	const form_def *fd = form ? study_form(a->sd, form) : NULL;

	return fd ? i18n_get(&fd->title, a->cfg->lang) : "";
}

/* "scr Screening / baseline", "uns#2 Unscheduled visit". */
static void
visit_words(const app *a, const char *event, int erep, char *buf, size_t size)
{
	const event_def *ev = event && *event ? study_event(a->sd, event) : NULL;

	if (ev && ev->repeating)
		snprintf(buf, size, "%s#%d %s", event, erep, event_title(a, event));
	else
		snprintf(buf, size, "%s %s", event ? event : "", event_title(a, event));
}

/* What a target covers, in words: "form ic Informed consent of visit scr
 * Screening / baseline", "entry #2 of the log ae Adverse event", "every
 * form of visit scr ...", "every form of TJ01-0001 (the whole casebook)". */
static void
target_words(const app *a, const char *subject_key, const signoff_target *t, char *buf,
    size_t size)
{
	char visit[256];

	switch (t->scope) {
	case SCOPE_FORM:
		if (t->event == NULL || *t->event == '\0') {
			snprintf(buf, size, "entry #%d of the log %s %s", t->form_repeat, t->form,
			    form_title(a, t->form));
			return;
		}
		visit_words(a, t->event, t->event_repeat, visit, sizeof visit);
		snprintf(buf, size, "form %s %s of visit %s", t->form, form_title(a, t->form), visit);
		return;
	case SCOPE_EVENT:
		visit_words(a, t->event, t->event_repeat, visit, sizeof visit);
		snprintf(buf, size, "every form of visit %s", visit);
		return;
	case SCOPE_CASEBOOK:
		snprintf(buf, size, "every form of %s (the whole casebook)", subject_key);
		return;
	}
	buf[0] = '\0';
}

/* A target named briefly, for menus: "form ic Informed consent", "entry
 * #2 of ae", "visit scr Screening / baseline", "the whole casebook"; the
 * titles left out unless titles. */
static void
short_target(const app *a, const signoff_target *t, bool titles, char *buf, size_t size)
{
	char visit[256];

	if (t->scope == SCOPE_CASEBOOK) {
		str_copy(buf, "the whole casebook", size);
	} else if (t->scope == SCOPE_EVENT) {
		visit_words(a, t->event, t->event_repeat, visit, sizeof visit);
		if (!titles)
			*strchr(visit, ' ') = '\0';
		snprintf(buf, size, "visit %s", visit);
	} else if (t->event == NULL || *t->event == '\0') {
		snprintf(buf, size, "entry #%d of %s", t->form_repeat, t->form);
	} else {
		snprintf(buf, size, "form %s%s%s", t->form, titles ? " " : "",
		    titles ? form_title(a, t->form) : "");
	}
}

/* How a lock or signature is named in a line: "this form", "the whole
 * visit", "the whole casebook". */
static const char *
scope_phrase(signoff_scope scope)
{
	switch (scope) {
	case SCOPE_FORM: return "this form";
	case SCOPE_EVENT: return "the whole visit";
	case SCOPE_CASEBOOK: return "the whole casebook";
	}
	return "this form";
}

/* The manifestation of a signature: "Signed by Zhang Wei 2026-11-25 16:00
 * +08:00 — I approve the data of this form", or "CHANGED SINCE SIGNED by
 * Zhang Wei 2026-11-25 16:00 +08:00". */
static void
signature_text(const app *a, const signature_row *s, char *buf, size_t size)
{
	char when[64];

	stamp_text(a, s->signed_at, s->tz_offset, false, when, sizeof when);
	if (s->changed)
		snprintf(buf, size, "CHANGED SINCE SIGNED by %s %s", s->full_name, when);
	else
		snprintf(buf, size, "Signed by %s %s — %s", s->full_name, when, s->meaning);
}

/* "Locked by zhao.min 2026-11-25 16:10 +08:00 (the whole visit)" */
static void
lock_text(const app *a, const lock_row *l, char *buf, size_t size)
{
	char when[64];

	stamp_text(a, l->locked_at, NULL, false, when, sizeof when);
	snprintf(buf, size, "Locked by %s %s (%s)", l->locked_by, when, scope_phrase(l->scope));
}

/* The signature to show for key among the latest (not superseded) ones
 * covering it: one changed since signed if any, else the newest.  With
 * key->form NULL (the logs line) only whole-casebook signatures count. */
static const signature_row *
shown_signature(const review *rv, const form_key *key)
{
	const signature_row *best = NULL;

	for (size_t i = 0; rv && i < rv->nsig; i++) {
		const signature_row *s = &rv->sig[i];

		if (s->superseded)
			continue;
		if (key->form == NULL ? s->scope != SCOPE_CASEBOOK : !signature_covers(s, key))
			continue;
		if (best == NULL || s->changed || !best->changed)
			best = s;
	}
	return best;
}

static const lock_row *
covering_lock(const review *rv, const form_key *key)
{
	for (size_t i = 0; rv && i < rv->nlk; i++) {
		const lock_row *l = &rv->lk[i];

		if (key->form == NULL ? l->scope == SCOPE_CASEBOOK : lock_covers(l, key))
			return l;
	}
	return NULL;
}

static bool
verified(const struct form_index *ix, const form_key *key)
{
	if (ix == NULL || key->form == NULL)
		return false;
	for (size_t i = 0; i < ix->n; i++) {
		const form_row *r = &ix->rows[i];

		if (r->event_repeat == key->event_repeat && r->form_repeat == key->form_repeat &&
		    str_eq(r->event, key->event) && str_eq(r->form, key->form))
			return r->verified;
	}
	return false;
}

/* ---- The subject's review state (casebook) ------------------------------------------ */

review *
review_load(app *a, long long subject_id)
{
	review *rv = xcalloc(1, sizeof *rv);
	crf_err e;

	if (store_list_signatures(a->st, subject_id, &rv->sig, &rv->nsig, &e) != CRF_OK)
		app_message(a, ST_ERROR, "Cannot read the signatures: %s", e.msg);
	if (store_list_locks(a->st, subject_id, &rv->lk, &rv->nlk, &e) != CRF_OK)
		app_message(a, ST_ERROR, "Cannot read the locks: %s", e.msg);
	return rv;
}

void
review_free(review *rv)
{
	if (rv == NULL)
		return;
	signature_rows_free(rv->sig, rv->nsig);
	lock_rows_free(rv->lk, rv->nlk);
	free(rv);
}

bool
review_any(const review *rv, const struct form_index *ix)
{
	if (rv && (rv->nsig > 0 || rv->nlk > 0))
		return true;
	for (size_t i = 0; ix && i < ix->n; i++)
		if (ix->rows[i].verified)
			return true;
	return false;
}

const char *
review_mark(const review *rv, const struct form_index *ix, const form_key *key,
    ui_style *st)
{
	const signature_row *s = shown_signature(rv, key);

	*st = ST_NORMAL;
	if (s && s->changed) {
		*st = ST_WARN;
		return "!";
	}
	if (covering_lock(rv, key))
		return "L";
	if (s) {
		*st = ST_OK;
		return "S";
	}
	if (verified(ix, key)) {
		*st = ST_OK;
		return "V";
	}
	return "";
}

void
review_words(const review *rv, const struct form_index *ix, const form_key *key,
    char *buf, size_t size)
{
	const signature_row *s = shown_signature(rv, key);

	snprintf(buf, size, "%s%s%s", verified(ix, key) ? ", verified" : "",
	    s == NULL ? "" : s->changed ? ", CHANGED SINCE SIGNED" : ", signed",
	    covering_lock(rv, key) ? ", locked" : "");
}

void
review_draw_line(const review *rv, app *a, const struct form_index *ix,
    const form_key *key, int y, int cols)
{
	const signature_row *s = shown_signature(rv, key);
	const lock_row *l = covering_lock(rv, key);
	char text[512];
	int x = 0;

	if (s) {
		signature_text(a, s, text, sizeof text);
		x += ui_put(y, x, cols - x, s->changed ? ST_WARN : ST_OK, text);
	}
	/* Then the lock and the verification, each only when it fits whole:
	 * the line above says both in words anyway. */
	if (l) {
		lock_text(a, l, text, sizeof text);
		if (x == 0 || x + utf8_width(dot()) + utf8_width(text) <= cols) {
			if (x)
				x += ui_put(y, x, cols - x, ST_NORMAL, dot());
			x += ui_put(y, x, cols - x, ST_NORMAL, text);
		}
	}
	if (verified(ix, key)) {
		str_copy(text, "Source data verified", sizeof text);
		if (x == 0 || x + utf8_width(dot()) + utf8_width(text) <= cols) {
			if (x)
				x += ui_put(y, x, cols - x, ST_NORMAL, dot());
			x += ui_put(y, x, cols - x, ST_OK, text);
		}
	}
	if (x == 0)
		ui_put(y, 0, cols, ST_DIM, "Marks after a form: S signed, ! changed since signed, "
		    "L locked, V verified");
}

/* ---- Choosing what ------------------------------------------------------------------- */

/* On the logs line: pick one saved entry of the log key->form into *frep.
 * False when there is none (said) or on Esc. */
static bool
pick_entry(app *a, const form_key *key, const char *what, int *frep)
{
	form_row *rows = NULL;
	size_t n = 0, m = 0;
	char **labels, title[160];
	int *reps, pick;
	crf_err e;

	if (store_list_forms(a->st, key->subject_id, &rows, &n, &e) != CRF_OK) {
		app_message(a, ST_ERROR, "Cannot read the forms: %s", e.msg);
		return false;
	}
	labels = xcalloc(n + 1, sizeof *labels);
	reps = xcalloc(n + 1, sizeof *reps);
	for (size_t i = 0; i < n; i++) {
		if (rows[i].event[0] != '\0' || !str_eq(rows[i].form, key->form))
			continue;
		labels[m] = xasprintf("#%d %s", rows[i].form_repeat,
		    form_status_name(rows[i].status));
		reps[m++] = rows[i].form_repeat;
	}
	form_rows_free(rows, n);
	snprintf(title, sizeof title, "%s: which entry of %s?", what, key->form);
	if (m == 0) {
		app_message(a, ST_WARN, "%s %s has no saved entries", key->form,
		    form_title(a, key->form));
		pick = -1;
	} else {
		pick = dlg_pick(a, title, (const char *const *)labels, (int)m, (int)m - 1);
	}
	if (pick >= 0)
		*frep = reps[pick];
	for (size_t i = 0; i < m; i++)
		free(labels[i]);
	free(labels);
	free(reps);
	return pick >= 0;
}

static bool
on_logs_line(const form_key *key)
{
	return key->event[0] == '\0' && key->form_repeat == 0;
}

/* The form instance to act on: key itself, or on the logs line an entry
 * picked from the log.  False on Esc or when there is none. */
static bool
instance_of(app *a, const form_key *key, const char *what, form_key *out)
{
	*out = *key;
	if (!on_logs_line(key))
		return true;
	return pick_entry(a, key, what, &out->form_repeat);
}

/* ---- The signing dialog --------------------------------------------------------------- */

#define SIGN_ROWS 24

/* Text wrapped at w columns (dlg_wrap) into rows[*n ...], each row
 * prefixed by lead (the label on the first row, blanks on the others). */
static void
add_wrapped(const char *label, const char *text, int w, char rows[][256], int *n)
{
	char part[8][256];
	int lw = label ? 10 : 0, np = dlg_wrap(text, w - lw, part, 8);

	for (int i = 0; i < np && *n < SIGN_ROWS; i++)
		snprintf(rows[(*n)++], 256, "%-*s%s", lw, i == 0 && label ? label : "", part[i]);
}

static void
edit_key(lineedit *le, const ui_key *k)
{
	if (k->is_key) {
		switch (k->ch) {
		case KEY_BACKSPACE: lineedit_backspace(le); break;
		case KEY_DC: lineedit_delete(le); break;
		case KEY_LEFT: lineedit_left(le); break;
		case KEY_RIGHT: lineedit_right(le); break;
		case KEY_HOME: lineedit_home(le); break;
		case KEY_END: lineedit_end(le); break;
		}
		return;
	}
	if (k->ch == CTRL_KEY('U'))
		lineedit_clear(le);
	else if (k->ch == CTRL_KEY('W'))
		lineedit_delete_word_back(le);
	else if (k->ch >= 0x20 && k->ch != 0x7f)
		lineedit_insert(le, (wchar_t)k->ch);
}

/*
 * Show what is signed, with the meaning, the printed name and the date
 * and time, and read the user ID (ask_id) and the password.  False on
 * Esc or when input ends.  id and pw receive UTF-8.
 */
static bool
sign_dialog(app *a, const char *subject_key, const signoff_target *t, bool ask_id,
    char *id, size_t idsize, char *pw, size_t pwsize)
{
	char rows[SIGN_ROWS][256], what[512], when[64], utc[32], off[16];
	int nrows = 0, w = ui_cols() - 2 < 72 ? ui_cols() - 2 : 72, f = ask_id ? 0 : 1;
	const char *hint = NULL;
	lineedit le[2];
	bool ok = false;
	ui_key k;

	clock_stamp(clock_now(), utc, sizeof utc, off, sizeof off);
	stamp_text(a, utc, off, false, when, sizeof when);
	target_words(a, subject_key, t, what, sizeof what);
	add_wrapped("Subject", subject_key, w - 4, rows, &nrows);
	add_wrapped("Signing", what, w - 4, rows, &nrows);
	add_wrapped("Meaning", signoff_meaning(t->scope), w - 4, rows, &nrows);
	add_wrapped("Name", a->full_name ? a->full_name : a->login, w - 4, rows, &nrows);
	add_wrapped("Date", when, w - 4, rows, &nrows);
	if (nrows < SIGN_ROWS)
		rows[nrows++][0] = '\0';
	add_wrapped(NULL, ask_id ? "Your user ID and password are your electronic signature, "
	    "the legally binding equivalent of your handwritten signature." :
	    "Your password is your electronic signature, the legally binding "
	    "equivalent of your handwritten signature.", w - 4, rows, &nrows);
	lineedit_init(&le[0], "", 0, false);
	lineedit_init(&le[1], "", 0, false);
	for (;;) {
		dlg_box b = dlg_frame(a, "Electronic signature", nrows + (ask_id ? 6 : 5), w);
		int y = b.y, x = b.x, h = b.h, fy, fw = b.w - 4 - 10;
		char vis[512];
		int cx = 0, cy = 0;

		for (int i = 0; i < nrows && y + 1 + i < y + h - (ask_id ? 4 : 3); i++)
			ui_put(y + 1 + i, x + 2, b.w - 4, ST_NORMAL, rows[i]);
		fy = y + h - (ask_id ? 4 : 3);
		for (int i = ask_id ? 0 : 1; i < 2; i++, fy++) {
			int c;

			ui_put(fy, x + 2, 10, ST_HEADER, i == 0 ? "User ID" : "Password");
			ui_fill(fy, x + 12, fw, ST_INPUT);
			if (i == 1) {
				int n = (int)le[1].len < fw - 1 ? (int)le[1].len : fw - 1;
				memset(vis, '*', (size_t)n);
				vis[n] = '\0';
				c = n;
			} else {
				c = lineedit_render(&le[0], fw, vis, sizeof vis, NULL, NULL);
			}
			ui_put(fy, x + 12, fw, ST_INPUT, vis);
			if (i == f) {
				cy = fy;
				cx = x + 12 + c;
			}
		}
		ui_put(y + h - 2, x + 2, b.w - 4, hint ? ST_ERROR : ST_DIM,
		    hint ? hint : "Enter signs, Esc cancels");
		ui_cursor(cy, cx);
		ui_flush();
		if (!dlg_key(&k))
			break;
		hint = NULL;
		if (!k.is_key && (k.ch == 27 || k.ch == CTRL_KEY('C')))
			break;
		if (!k.is_key && (k.ch == '\r' || k.ch == '\n')) {
			if (f == 0 && le[0].len == 0) {
				hint = "Type your user ID";
			} else if (f == 0) {
				f = 1;
			} else if (le[1].len == 0) {
				hint = "Type your password";
			} else if (ask_id && le[0].len == 0) {
				f = 0;
				hint = "Type your user ID";
			} else {
				char *s = lineedit_text(&le[0]);
				str_copy(id, s, idsize);
				free(s);
				s = lineedit_text(&le[1]);
				str_copy(pw, s, pwsize);
				memset(s, 0, strlen(s));
				free(s);
				ok = true;
				break;
			}
			continue;
		}
		if (ask_id && ((!k.is_key && k.ch == '\t') || (k.is_key && (k.ch == KEY_DOWN ||
		    k.ch == KEY_UP || k.ch == KEY_BTAB)))) {
			f = 1 - f;
			continue;
		}
		if (k.is_key && k.ch == KEY_RESIZE)
			continue;
		edit_key(&le[f], &k);
	}
	memset(le[1].buf, 0, le[1].cap * sizeof *le[1].buf);
	lineedit_free(&le[0]);
	lineedit_free(&le[1]);
	ui_no_cursor();
	return ok;
}

/* ---- Signing ------------------------------------------------------------------------- */

bool
review_sign(app *a, const char *subject_key, const form_key *key)
{
	static const char *const form_choices[] = { "this [F]orm", "this [V]isit",
		"the whole [C]asebook" };
	static const char *const log_choices[] = { "this [E]ntry", "the whole [C]asebook" };
	static const char *const logs_choices[] = { "an [E]ntry of the log",
		"the whole [C]asebook" };
	char q[512], what[512], id[256] = "", pw[256] = "";
	signoff_scope scope;
	signoff_target t;
	signature_row sig;
	form_key k = *key;
	bool ask_id, logs = on_logs_line(key), log_entry = key->event[0] == '\0';
	crf_err e;
	int c;

	if (!app_check(a, PERM_SIGN))
		return false;
	if (logs) {
		snprintf(q, sizeof q, "Sign an entry of the log %s %s, or every form of %s?",
		    key->form, form_title(a, key->form), subject_key);
		c = dlg_ask(a, "Sign", q, logs_choices, 2);
		if (c == 0 && !pick_entry(a, key, "Sign", &k.form_repeat))
			return false;
		scope = c == 0 ? SCOPE_FORM : SCOPE_CASEBOOK;
	} else if (log_entry) {
		snprintf(q, sizeof q, "Sign entry #%d of the log %s %s, or every form of %s?",
		    key->form_repeat, key->form, form_title(a, key->form), subject_key);
		c = dlg_ask(a, "Sign", q, log_choices, 2);
		scope = c == 0 ? SCOPE_FORM : SCOPE_CASEBOOK;
	} else {
		char visit[256];

		visit_words(a, key->event, key->event_repeat, visit, sizeof visit);
		snprintf(q, sizeof q, "Sign the form %s %s, the visit %s, or every form of %s?",
		    key->form, form_title(a, key->form), visit, subject_key);
		c = dlg_ask(a, "Sign", q, form_choices, 3);
		scope = c == 0 ? SCOPE_FORM : c == 1 ? SCOPE_EVENT : SCOPE_CASEBOOK;
	}
	if (c < 0) {
		app_message(a, ST_DIM, "Not signed");
		return false;
	}
	t = signoff_target_of(&k, scope);
	ask_id = !store_signed_before(a->st);
	if (!sign_dialog(a, subject_key, &t, ask_id, id, sizeof id, pw, sizeof pw)) {
		memset(pw, 0, sizeof pw);
		app_message(a, ST_DIM, "Not signed");
		return false;
	}
	store_set_login_limit(a->st, a->cfg->failed_login_limit);
	if (store_sign(a->st, &t, ask_id ? id : a->login, pw, &sig, &e) != CRF_OK) {
		memset(pw, 0, sizeof pw);
		app_message(a, ST_ERROR, "Not signed: %s", e.msg);
		if (strstr(e.msg, "locked") != NULL)
			dlg_text(a, "Not signed", e.msg);
		return false;
	}
	memset(pw, 0, sizeof pw);
	signature_text(a, &sig, what, sizeof what);
	app_message(a, ST_OK, "%s", what);
	signature_row_clear(&sig);
	return true;
}

/* ---- Source data verification -------------------------------------------------------- */

bool
review_verify(app *a, const char *subject_key, const form_key *key)
{
	static const char *const choices[] = { "[V]erified", "[C]ancel" };
	char q[768], what[512];
	signoff_target t;
	form_key k;
	crf_err e;

	if (!app_check(a, PERM_VERIFY) || !instance_of(a, key, "Verify", &k))
		return false;
	t = signoff_target_of(&k, SCOPE_FORM);
	target_words(a, subject_key, &t, what, sizeof what);
	snprintf(q, sizeof q, "Mark %s of %s as source data verified: compared with the "
	    "source documents?", what, subject_key);
	if (dlg_ask_from(a, "Source data verification", q, choices, 2, 1) != 0) {
		app_message(a, ST_DIM, "Not marked verified");
		return false;
	}
	if (store_mark_verified(a->st, &k, &e) != CRF_OK) {
		app_message(a, ST_ERROR, "Not verified: %s", e.msg);
		return false;
	}
	app_message(a, ST_OK, "Source data verified: %s", what);
	return true;
}

/* ---- Locks --------------------------------------------------------------------------- */

typedef struct lock_choice {
	bool unlock;
	signoff_target t;
	bool pick;                   /* lock an entry of the log: pick it first */
	char *label;
} lock_choice;

static bool
same_lock_target(const lock_row *l, const signoff_target *t)
{
	if (l->scope != t->scope)
		return false;
	if (t->scope == SCOPE_CASEBOOK)
		return true;
	if (!str_eq(l->event, t->event) || l->event_repeat != t->event_repeat)
		return false;
	return t->scope == SCOPE_EVENT || (str_eq(l->form, t->form) &&
	    l->form_repeat == t->form_repeat);
}

/* Does the lock l belong on the menu of the selection key? */
static bool
lock_relevant(const lock_row *l, const form_key *key)
{
	if (l->scope == SCOPE_CASEBOOK)
		return true;
	if (on_logs_line(key))
		return l->scope == SCOPE_FORM && str_eq(l->event, "") && str_eq(l->form, key->form);
	return lock_covers(l, key);
}

static void
add_choice(lock_choice *v, size_t *n, bool unlock, const signoff_target *t, bool pick,
    char *label)
{
	v[*n].unlock = unlock;
	v[*n].t = *t;
	v[*n].pick = pick;
	v[*n].label = label;
	(*n)++;
}

static bool
ask_unlock_reason(app *a, char *out, size_t size)
{
	const char *prompt = "Reason:";

	for (;;) {
		if (!dlg_input(a, "Reason for unlocking", prompt, false, out, size))
			return false;
		str_trim(out);
		if (*out)
			return true;
		prompt = "Reason (required):";
	}
}

bool
review_lock(app *a, const char *subject_key, const form_key *key)
{
	lock_row *locks = NULL;
	size_t nlocks = 0, n = 0;
	lock_choice *ch;
	const char **labels;
	char what[512], title[160], reason[512];
	bool logs = on_logs_line(key), done = false, may_lock = app_may(a, PERM_LOCK);
	crf_err e;
	int pick;

	if (store_list_locks(a->st, key->subject_id, &locks, &nlocks, &e) != CRF_OK) {
		app_message(a, ST_ERROR, "Cannot read the locks: %s", e.msg);
		return false;
	}
	ch = xcalloc(nlocks + 4, sizeof *ch);
	if (may_lock) {
		signoff_scope scopes[3] = { SCOPE_FORM, SCOPE_EVENT, SCOPE_CASEBOOK };

		for (int s = 0; s < 3; s++) {
			signoff_target t = signoff_target_of(key, scopes[s]);
			bool exists = false;

			if (logs && scopes[s] == SCOPE_EVENT)
				continue;
			if (key->event[0] == '\0' && scopes[s] == SCOPE_EVENT)
				continue;
			for (size_t i = 0; i < nlocks && !(logs && scopes[s] == SCOPE_FORM); i++)
				exists = exists || same_lock_target(&locks[i], &t);
			if (exists)
				continue;
			if (logs && scopes[s] == SCOPE_FORM) {
				add_choice(ch, &n, false, &t, true, xasprintf("Lock an entry of the log "
				    "%s %s", key->form, form_title(a, key->form)));
			} else {
				short_target(a, &t, true, what, sizeof what);
				add_choice(ch, &n, false, &t, false, scopes[s] == SCOPE_CASEBOOK ?
				    xasprintf("Lock the whole casebook of %s", subject_key) :
				    xasprintf("Lock this %s", what));
			}
		}
	}
	if (app_may(a, PERM_UNLOCK)) {
		for (size_t i = 0; i < nlocks; i++) {
			const lock_row *l = &locks[i];
			signoff_target t = { .scope = l->scope, .subject_id = key->subject_id,
			    .event = l->event, .event_repeat = l->event_repeat, .form = l->form,
			    .form_repeat = l->form_repeat };
			char when[64];

			if (!lock_relevant(l, key))
				continue;
			stamp_text(a, l->locked_at, NULL, false, when, sizeof when);
			short_target(a, &t, false, what, sizeof what);
			add_choice(ch, &n, true, &t, false, xasprintf("Unlock %s (locked by %s %s)",
			    what, l->locked_by, when));
		}
	}
	if (n == 0) {
		app_message(a, ST_WARN, "Nothing to lock or unlock here: %s",
		    may_lock ? "it is locked already" : "there is no lock");
		free(ch);
		lock_rows_free(locks, nlocks);
		return false;
	}
	labels = xcalloc(n, sizeof *labels);
	for (size_t i = 0; i < n; i++)
		labels[i] = ch[i].label;
	snprintf(title, sizeof title, "Lock or unlock (%s)", subject_key);
	pick = dlg_pick(a, title, labels, (int)n, 0);
	if (pick >= 0) {
		lock_choice *c = &ch[pick];
		form_key k = *key;

		if (c->pick) {
			if (pick_entry(a, key, "Lock", &k.form_repeat))
				c->t = signoff_target_of(&k, SCOPE_FORM);
			else
				c = NULL;
		}
		if (c != NULL)
			target_words(a, subject_key, &c->t, what, sizeof what);
		if (c == NULL) {
			/* no entry picked */
		} else if (!c->unlock) {
			if (store_lock(a->st, &c->t, &e) == CRF_OK) {
				app_message(a, ST_OK, "Locked: %s", what);
				done = true;
			} else {
				app_message(a, ST_ERROR, "Not locked: %s", e.msg);
			}
		} else if (!ask_unlock_reason(a, reason, sizeof reason)) {
			app_message(a, ST_WARN, "Not unlocked: a reason is required");
		} else if (store_unlock(a->st, &c->t, reason, &e) == CRF_OK) {
			app_message(a, ST_OK, "Unlocked: %s", what);
			done = true;
		} else {
			app_message(a, ST_ERROR, "Not unlocked: %s", e.msg);
		}
	} else {
		app_message(a, ST_DIM, "Nothing locked or unlocked");
	}
	for (size_t i = 0; i < n; i++)
		free(ch[i].label);
	free(ch);
	free(labels);
	lock_rows_free(locks, nlocks);
	return done;
}

/* ---- The audit trail in words ------------------------------------------------------- */

/* A value as the form shows it: "F Female", "[UNK]", "(blank)". */
static void
value_text(const app *a, const audit_row *r, const char *value, const char *missing,
    char *buf, size_t size)
{
	const form_def *fd = r->form ? study_form(a->sd, r->form) : NULL;
	const field_def *f = fd && r->field ? form_field(fd, r->field) : NULL;

	if (missing && *missing) {
		snprintf(buf, size, "[%s]", missing);
	} else if (value == NULL || *value == '\0') {
		str_copy(buf, "(blank)", size);
	} else if (f && strcmp(r->action, "status") != 0) {
		validate_display(f, value, date_fmt(a), a->cfg->lang, buf, size);
	} else {
		char *t = audit_value_text(value, missing);
		str_copy(buf, t, size);
		free(t);
	}
}

/* Where a row is: "scr/1 dm/1 weight"; rows about a visit or the whole
 * casebook say so. */
static char *
where_text(const audit_row *r)
{
	if (r->form == NULL && r->event == NULL)
		return xstrdup("the whole casebook");
	if (r->form == NULL) {
		char *w = audit_where_text(r->event, r->event_repeat, NULL, 0, NULL);
		char *s = xasprintf("visit %s", w);
		free(w);
		return s;
	}
	return audit_where_text(r->event, r->event_repeat, r->form, r->form_repeat, r->field);
}

/* What a row did, in words, and whether its values and reason are shown
 * after it. */
static void
action_words(const audit_row *r, strbuf *sb, bool *values, bool *reason)
{
	const char *act = r->action ? r->action : "";
	const char *why = r->reason ? r->reason : "";
	static const struct {
		const char *action, *words;
		bool values, reason;     /* shown after; the reason or else in the words */
	} map[] = {
		{ "create", "entered", true, true },
		{ "update", "changed", true, true },
		{ "clear", "cleared (the field was hidden by a change)", true, true },
		{ "status", "form status", true, true },
		{ "subject", "subject added", false, true },
		{ "lock", "locked", false, false },
		{ "sdv", "source data verified", false, false },
		{ "sdv-clear", "verification cleared by a change", false, true },
		{ "sign-failed", "signing refused: wrong password", false, false },
	};

	*values = true;
	*reason = true;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(act, map[i].action) == 0) {
			sb_add(sb, map[i].words);
			*values = map[i].values;
			*reason = map[i].reason;
			return;
		}
	*values = false;
	*reason = false;
	if (strcmp(act, "sign") == 0)
		sb_addf(sb, "signed: %s", why);
	else if (strcmp(act, "unlock") == 0)
		sb_addf(sb, "unlocked: %s", why);
	else if (strcmp(act, "query-raise") == 0)
		sb_addf(sb, "query raised: %s", why);
	else if (strcmp(act, "query-answer") == 0)
		sb_addf(sb, "query answered: %s", why);
	else if (strcmp(act, "query-close") == 0)
		sb_addf(sb, "query closed%s%s", *why ? ": " : "", why);
	else if (strcmp(act, "query-reopen") == 0)
		sb_addf(sb, "query reopened: %s", why);
	else {
		sb_add(sb, act);
		*values = true;
		*reason = true;
	}
}

char *
review_audit_text(app *a, const audit_row *rows, size_t n, bool with_where)
{
	strbuf sb = {0};

	for (size_t i = 0; i < n; i++) {
		const audit_row *r = &rows[i];
		char when[64], ov[512], nv[512];
		bool values, reason;

		stamp_text(a, r->ts_utc, r->tz_offset, true, when, sizeof when);
		sb_addf(&sb, "%s  %s", when, r->user ? r->user : "");
		if (r->user_name && *r->user_name)
			sb_addf(&sb, " (%s)", r->user_name);
		if (r->clock_back)
			sb_add(&sb, "  ! clock set back");
		sb_add(&sb, "\n  ");
		action_words(r, &sb, &values, &reason);
		if (with_where) {
			char *w = where_text(r);
			if (*w)
				sb_addf(&sb, "%s%s", values ? " " : dot(), w);
			free(w);
		}
		if (values) {
			value_text(a, r, r->old_value, r->old_missing, ov, sizeof ov);
			value_text(a, r, r->new_value, r->new_missing, nv, sizeof nv);
			sb_addf(&sb, ": %s -> %s", ov, nv);
		}
		if (reason && r->reason && *r->reason)
			sb_addf(&sb, "  reason: %s", r->reason);
		sb_add(&sb, "\n");
	}
	return sb_steal(&sb);
}

/* Does audit row r belong to the trail of the selection at scope (0 this
 * form or log, 1 this visit, 2 the whole subject)?  Rows about the whole
 * casebook (a signature, a lock) belong to every part of it. */
static bool
row_in(const audit_row *r, const form_key *key, int scope)
{
	if (scope == 2)
		return true;
	if (r->event == NULL && r->form == NULL)
		return r->action && strcmp(r->action, "subject") != 0;
	if (!str_eq(r->event, key->event))
		return false;
	if (on_logs_line(key))
		return str_eq(r->form, key->form) || r->form == NULL;
	if (r->event_repeat != key->event_repeat)
		return false;
	if (scope == 1 || r->form == NULL)
		return true;
	return str_eq(r->form, key->form) && r->form_repeat == key->form_repeat;
}

void
review_history(app *a, const char *subject_key, const form_key *key)
{
	static const char *const form_choices[] = { "this [F]orm", "this [V]isit",
		"whole [S]ubject" };
	static const char *const logs_choices[] = { "this [L]og", "whole [S]ubject" };
	bool logs = on_logs_line(key);
	audit_row *rows = NULL, *sel;
	size_t n = 0, m = 0, first;
	char q[768], title[640], visit[256];
	strbuf sb = {0};
	char *text;
	crf_err e;
	int c;

	visit_words(a, key->event, key->event_repeat, visit, sizeof visit);
	if (logs) {
		snprintf(q, sizeof q, "The audit trail of the log %s %s, or of all of %s?",
		    key->form, form_title(a, key->form), subject_key);
		c = dlg_ask(a, "Audit trail", q, logs_choices, 2);
		if (c == 1)
			c = 2;
	} else {
		snprintf(q, sizeof q, "The audit trail of the form %s %s, of the visit %s, or of "
		    "all of %s?", key->form, form_title(a, key->form), visit, subject_key);
		c = dlg_ask(a, "Audit trail", q, form_choices, 3);
	}
	if (c < 0)
		return;
	if (store_subject_history(a->st, subject_key, NULL, NULL, &rows, &n, &e) != CRF_OK) {
		app_message(a, ST_ERROR, "Cannot read the audit trail: %s", e.msg);
		return;
	}
	/* A shallow selection: the strings stay owned by rows. */
	sel = xcalloc(n ? n : 1, sizeof *sel);
	for (size_t i = 0; i < n; i++)
		if (row_in(&rows[i], key, c))
			sel[m++] = rows[i];
	if (c == 0 && logs)
		snprintf(title, sizeof title, "Audit trail: log %s of %s", key->form, subject_key);
	else if (c == 0)
		snprintf(title, sizeof title, "Audit trail: %s of %s, %s", key->form, key->event,
		    subject_key);
	else if (c == 1)
		snprintf(title, sizeof title, "Audit trail: visit %s of %s", visit, subject_key);
	else
		snprintf(title, sizeof title, "Audit trail: %s", subject_key);
	if (m == 0) {
		app_message(a, ST_DIM, "Nothing in the audit trail there yet");
	} else {
		first = m > TRAIL_MAX_ROWS ? m - TRAIL_MAX_ROWS : 0;
		sb_add(&sb, "Oldest first. Times are local, with the offset of the computer "
		    "that recorded them.\n");
		if (first > 0)
			sb_addf(&sb, "The latest %d of %zu rows: `crf audit show --subject %s` "
			    "prints them all.\n", TRAIL_MAX_ROWS, m, subject_key);
		sb_add(&sb, "\n");
		text = review_audit_text(a, sel + first, m - first, true);
		sb_add(&sb, text);
		free(text);
		dlg_text(a, title, sb.s);
		sb_free(&sb);
	}
	free(sel);
	audit_rows_free(rows, n);
}

/* ---- The form screen's review state -------------------------------------------------- */

static void
rf_clear(review_form *rf)
{
	free(rf->lock_by);
	free(rf->lock_when);
	rf->lock_by = rf->lock_when = NULL;
	rf->locked = false;
	rf->nlines = 0;
}

static form_key
rf_key(const review_form *rf)
{
	form_key k = { rf->subject_id, rf->event, rf->erep, rf->form, rf->frep };

	return k;
}

void
review_form_reload(review_form *rf, app *a)
{
	form_key key = rf_key(rf);
	signature_row *sig = NULL;
	size_t nsig = 0;
	lock_row lk;
	form_data d;
	crf_err e;
	bool locked = false;
	char lock[512] = "", sdv[256] = "";

	rf_clear(rf);
	/* Its lock and its verification, each on a line of its own after the
	 * signatures. */
	memset(&lk, 0, sizeof lk);
	if (store_form_locked(a->st, &key, &locked, &lk, &e) != CRF_OK) {
		app_message(a, ST_ERROR, "Cannot read the locks: %s", e.msg);
	} else if (locked) {
		char when[64];

		stamp_text(a, lk.locked_at, NULL, false, when, sizeof when);
		rf->locked = true;
		rf->lock_by = xstrdup(lk.locked_by);
		rf->lock_when = xstrdup(when);
		lock_text(a, &lk, lock, sizeof lock);
		lock_row_clear(&lk);
	}
	memset(&d, 0, sizeof d);
	if (store_load_form(a->st, &key, &d, &e) == CRF_OK && d.sdv_by) {
		char when[64];

		stamp_text(a, d.sdv_at, NULL, false, when, sizeof when);
		snprintf(sdv, sizeof sdv, "Verified by %s %s", d.sdv_by, when);
	}
	form_data_clear(&d);

	/* The latest signature of each target that covers the form, newest
	 * first, in the lines left. */
	if (store_list_signatures(a->st, rf->subject_id, &sig, &nsig, &e) != CRF_OK)
		app_message(a, ST_ERROR, "Cannot read the signatures: %s", e.msg);
	for (size_t i = nsig; i-- > 0 && rf->nlines < RF_LINES - !!*lock - !!*sdv;) {
		if (sig[i].superseded || !signature_covers(&sig[i], &key))
			continue;
		signature_text(a, &sig[i], rf->line[rf->nlines], sizeof rf->line[0]);
		rf->style[rf->nlines++] = sig[i].changed ? ST_WARN : ST_OK;
	}
	signature_rows_free(sig, nsig);
	if (*lock) {
		str_copy(rf->line[rf->nlines], lock, sizeof rf->line[0]);
		rf->style[rf->nlines++] = ST_WARN;
	}
	if (*sdv) {
		str_copy(rf->line[rf->nlines], sdv, sizeof rf->line[0]);
		rf->style[rf->nlines++] = ST_OK;
	}
}

review_form *
review_form_load(app *a, const form_key *key)
{
	review_form *rf = xcalloc(1, sizeof *rf);

	rf->subject_id = key->subject_id;
	rf->event = xstrdup(key->event ? key->event : "");
	rf->erep = key->event_repeat;
	rf->form = xstrdup(key->form);
	rf->frep = key->form_repeat;
	review_form_reload(rf, a);
	return rf;
}

void
review_form_free(review_form *rf)
{
	if (rf == NULL)
		return;
	rf_clear(rf);
	free(rf->event);
	free(rf->form);
	free(rf);
}

int
review_form_rows(const review_form *rf)
{
	return rf ? rf->nlines : 0;
}

void
review_form_draw(const review_form *rf, int y, int cols)
{
	for (int i = 0; rf && i < rf->nlines; i++)
		ui_put(y + i, 0, cols, rf->style[i], rf->line[i]);
}

bool
review_form_locked(const review_form *rf)
{
	return rf && rf->locked;
}

bool
review_form_writable(review_form *rf, app *a, bool recheck)
{
	if (rf == NULL)
		return true;
	if (recheck)
		review_form_reload(rf, a);
	if (!rf->locked)
		return true;
	app_message(a, ST_ERROR, "Locked by %s %s: no changes until it is unlocked",
	    rf->lock_by, rf->lock_when);
	return false;
}
