/*
 * scr_eligibility.c - a subject's status and eligibility on screen: the
 * status menu (ACT_STATUS: enrol, screen failure, withdrawal, end of
 * study, death, each as the subject's state and the person's role allow)
 * and the eligibility screen, every criterion with the investigator's
 * answer, what the data give and the verdict, from which the
 * investigator enrols.  The model is lifecycle.h and eligibility.h.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crf/date.h"
#include "crf/eligibility.h"
#include "crf/lifecycle.h"
#include "crf/schedule.h"
#include "crf/screens.h"
#include "crf/util.h"

/* ---- Words ------------------------------------------------------------------------ */

void
status_words(app *a, const subject_row *r, char *buf, size_t size)
{
	char iso[16] = "", shown[32] = "";
	crf_date d;

	if (!str_blank(r->status_date))
		str_copy(iso, r->status_date, sizeof iso);
	else if (str_eq(r->status, subject_state_name(SUBJ_SCREENING)) && r->created_at != NULL)
		snprintf(iso, sizeof iso, "%.10s", r->created_at);
	if (iso[0] && date_parse_iso(iso, false, &d))
		date_format_display(d, a->cfg->date_format, shown, sizeof shown);
	snprintf(buf, size, "%s%s%s", subject_status_word(r->status), shown[0] ? " " : "",
	    shown);
}

/* What each move asks and says. */
static const struct {
	const char *item;       /* in the status menu */
	const char *title;      /* of its dialogs */
	const char *prompt;     /* the reason's prompt (NULL: none asked) */
	const char *reason;     /* the reason, in the question */
	const char *question;   /* "... TJ01-0001 ..." */
	const char *button;
	const char *done;       /* the message after it */
} moves[SUBJECT_CHANGE_COUNT] = {
	[SUBJECT_ENROL] = { "Enrol: check eligibility", "Enrol", NULL, NULL,
	    "Enrol", "[E]nrol", "enrolled" },
	[SUBJECT_SCREEN_FAIL] = { "Screen failure", "Screen failure", "Reason:",
	    "Reason for screen failure:", "Record a screen failure of", "[R]ecord",
	    "is a screen failure" },
	[SUBJECT_WITHDRAW] = { "Withdraw from the study", "Withdrawal", "Reason:",
	    "Reason for withdrawal:", "Withdraw", "[W]ithdraw", "withdrawn" },
	[SUBJECT_COMPLETE] = { "Completed the study", "End of study", NULL, NULL,
	    "Record that the study is completed by", "[R]ecord", "completed the study" },
	[SUBJECT_DEATH] = { "Death", "Death", "Cause of death:", "Cause of death:",
	    "Record the death of", "[R]ecord", "died" },
};

/*
 * Ask a whole date in the configured format, today's date typed in
 * already; a date that cannot be read is asked again.  *iso receives it
 * (YYYY-MM-DD), *shown as typed in the configured format.  False on Esc.
 */
static bool
ask_date(app *a, const char *title, char *iso, size_t isize, char *shown, size_t ssize)
{
	const char *fmt = a->cfg->date_format;
	char prompt[96], in[64];
	crf_date d;

	date_format_display(clock_today(), fmt, in, sizeof in);
	snprintf(prompt, sizeof prompt, "Date (%s):", fmt ? fmt : "YYYY-MM-DD");
	for (;;) {
		if (!dlg_input_from(a, title, prompt, false, in, in, sizeof in))
			return false;
		str_trim(in);
		if (date_parse_input(in, false, fmt, &d) && date_precision(d) == DATE_DAY) {
			date_format_iso(d, iso, isize);
			date_format_display(d, fmt, shown, ssize);
			return true;
		}
		snprintf(prompt, sizeof prompt, "Not a whole date; as %s:", fmt ? fmt : "YYYY-MM-DD");
	}
}

/* Ask a reason until one is given; false on Esc. */
static bool
ask_reason(app *a, const char *title, const char *prompt, char *out, size_t size)
{
	char again[96];
	const char *p = prompt;

	snprintf(again, sizeof again, "%.*s (required):", (int)strcspn(prompt, ":"), prompt);
	for (;;) {
		if (!dlg_input(a, title, p, false, out, size))
			return false;
		str_trim(out);
		if (*out)
			return true;
		p = again;
	}
}

/* The store's refusal, in its own plain words, after what did not happen. */
static void
refusal(app *a, const char *what, const crf_err *e)
{
	app_message(a, ST_ERROR, "%s: %s", what, e->msg);
}

/* Carry out move c (not enrolment) for the subject; true when done. */
static bool
change_status(app *a, const subject_row *r, subject_change c)
{
	char reason[600], title[128], iso[16], shown[32], q[900];
	const char *const buttons[] = { moves[c].button, "[C]ancel" };
	crf_err e;

	snprintf(title, sizeof title, "%s of %s", moves[c].title, r->key);
	if (!ask_date(a, title, iso, sizeof iso, shown, sizeof shown)) {
		app_message(a, ST_DIM, "Nothing changed");
		return false;
	}
	reason[0] = '\0';
	if (subject_change_needs_reason(c) &&
	    !ask_reason(a, title, moves[c].prompt, reason, sizeof reason)) {
		app_message(a, ST_DIM, "Nothing changed");
		return false;
	}
	if (reason[0])
		snprintf(q, sizeof q, "%s %s on %s? %s %s. A change of status cannot be undone.",
		    moves[c].question, r->key, shown, moves[c].reason, reason);
	else
		snprintf(q, sizeof q, "%s %s on %s? A change of status cannot be undone.",
		    moves[c].question, r->key, shown);
	if (dlg_ask_from(a, title, q, buttons, 2, 1) != 0) {
		app_message(a, ST_DIM, "Nothing changed");
		return false;
	}
	if (store_change_subject(a->st, r->id, c, iso, reason[0] ? reason : NULL, NULL,
	    &e) != CRF_OK) {
		refusal(a, "Not changed", &e);
		return false;
	}
	app_message(a, ST_OK, "%s %s on %s", r->key, moves[c].done, shown);
	return true;
}

bool
status_menu(app *a, long long subject_id, const char *subject_key)
{
	const form_def *ef;
	const event_def *ee;
	subject_row r;
	subject_state from;
	subject_change offered[SUBJECT_CHANGE_COUNT];
	const char *items[SUBJECT_CHANGE_COUNT + 1];
	char title[160], words[64];
	int n = 0, view = -1, pick;
	bool has_elig = eligibility_form(a->sd, &ef, &ee), changed = false;
	crf_err e;

	if (store_find_subject(a->st, subject_key, &r, &e) != CRF_OK) {
		app_message(a, ST_ERROR, "Cannot read %s: %s", subject_key, e.msg);
		return false;
	}
	if (!subject_state_from_name(r.status, &from))
		from = SUBJ_STATE_COUNT;
	for (int c = 0; c < SUBJECT_CHANGE_COUNT; c++) {
		if (!subject_change_allowed((subject_change)c, from) ||
		    !app_may(a, subject_change_perm((subject_change)c)))
			continue;
		if (c == SUBJECT_ENROL && !has_elig)
			continue;
		offered[n] = (subject_change)c;
		items[n++] = moves[c].item;
	}
	if (has_elig && (n == 0 || offered[0] != SUBJECT_ENROL)) {
		view = n;
		items[n++] = "Eligibility criteria";
	}
	status_words(a, &r, words, sizeof words);
	snprintf(title, sizeof title, "%s%s%s: %s", r.key, r.study_no ? " " : "",
	    r.study_no ? r.study_no : "", words);
	if (n == 0 || view == 0) {
		/* Nothing to change: say why (the role, or a final state). */
		char why[256];
		int c;

		for (c = 0; c < SUBJECT_CHANGE_COUNT; c++)
			if (subject_change_allowed((subject_change)c, from))
				break;
		if (c < SUBJECT_CHANGE_COUNT)
			perm_explain(a->role, subject_change_perm((subject_change)c), why, sizeof why);
		else
			snprintf(why, sizeof why, "The status of a subject who is %s does not change "
			    "any more", subject_status_word(r.status));
		app_message(a, ST_DIM, "%s", why);
	}
	if (n == 0) {
		subject_row_clear(&r);
		return false;
	}
	pick = dlg_pick(a, title, items, n, 0);
	if (pick >= 0 && pick == view) {
		app_push(a, scr_eligibility_new(a, subject_id, r.key));
	} else if (pick >= 0 && offered[pick] == SUBJECT_ENROL) {
		app_push(a, scr_eligibility_new(a, subject_id, r.key));
		if (a->msg[0] == '\0')
			app_message(a, ST_DIM, "^E (F3) enrols when the criteria allow it");
	} else if (pick >= 0) {
		changed = change_status(a, &r, offered[pick]);
	}
	subject_row_clear(&r);
	return changed;
}

/* ---- The eligibility screen ---------------------------------------------------------- */

typedef struct elig_scr {
	long long id;
	char *key;
	subject_row subj;
	bool have_subj;
	eligibility el;
	bool have_el;
	char problem[256];           /* why there is nothing to show */
	size_t sel, top;
	size_t page;                 /* criteria rows at the last draw */
} elig_scr;

static void
elig_reload(elig_scr *es, app *a)
{
	crf_err e;

	eligibility_clear(&es->el);
	es->have_el = false;
	es->problem[0] = '\0';
	if (es->have_subj)
		subject_row_clear(&es->subj);
	es->have_subj = store_find_subject(a->st, es->key, &es->subj, &e) == CRF_OK;
	if (!es->have_subj)
		app_message(a, ST_ERROR, "Cannot read %s: %s", es->key, e.msg);
	if (eligibility_evaluate(a->sd, a->st, es->id, clock_today(), &es->el, &e) == CRF_OK)
		es->have_el = true;
	else
		snprintf(es->problem, sizeof es->problem, "No criteria to show: %.200s", e.msg);
	if (es->have_el && es->sel >= es->el.n)
		es->sel = es->el.n ? es->el.n - 1 : 0;
}

static const char *
verdict_word(const elig_criterion *c)
{
	switch (c->verdict) {
	case ELIG_PASS: return c->exclusion ? "does not apply" : "met";
	case ELIG_FAIL: return c->exclusion ? "applies" : "NOT MET";
	case ELIG_UNANSWERED: break;
	}
	return "not answered";
}

static ui_style
verdict_style(const elig_criterion *c)
{
	return c->verdict == ELIG_PASS ? ST_OK : c->verdict == ELIG_FAIL ? ST_WARN : ST_DIM;
}

static const char *
yes_no(const char *code)
{
	return str_eq(code, "Y") ? "Yes" : str_eq(code, "N") ? "No" : ui_utf8() ? "—" : "-";
}

/* What the data give: "Yes", "No", a dash while they give nothing, or ""
 * for a criterion only the investigator answers. */
static const char *
derived_word(const elig_criterion *c)
{
	if (c->field->derived == NULL)
		return "";
	return c->derived == 1 ? "Yes" : c->derived == 0 ? "No" : ui_utf8() ? "—" : "-";
}

/* "Eligible: ..." or "Cannot be enrolled: 1 criterion not met, ...". */
static void
summary(const eligibility *el, char *buf, size_t size, bool *good)
{
	size_t notmet = 0, applies = 0, open = 0;
	strbuf sb = {0};

	*good = el->eligible;
	if (el->eligible) {
		static const char full[] = "Eligible: all inclusion criteria met, no exclusion "
		    "applies, confirmed by the investigator";

		snprintf(buf, size, "%s", utf8_width(full) <= ui_cols() ? full :
		    "Eligible: all inclusion met, no exclusion applies, confirmed by the investigator");
		return;
	}
	for (size_t i = 0; i < el->n; i++) {
		if (el->items[i].verdict == ELIG_UNANSWERED)
			open++;
		else if (el->items[i].verdict == ELIG_FAIL && el->items[i].exclusion)
			applies++;
		else if (el->items[i].verdict == ELIG_FAIL)
			notmet++;
	}
	sb_add(&sb, "Cannot be enrolled: ");
	if (notmet)
		sb_addf(&sb, "%zu criteri%s not met, ", notmet, notmet == 1 ? "on" : "a");
	if (applies)
		sb_addf(&sb, "%zu exclusion%s appl%s, ", applies, applies == 1 ? "" : "s",
		    applies == 1 ? "ies" : "y");
	if (open)
		sb_addf(&sb, "%zu not answered, ", open);
	if (el->status != FORM_COMPLETE)
		sb_addf(&sb, "form %s, ", form_status_name(el->status));
	if (!el->confirmed)
		sb_add(&sb, "not confirmed, ");
	if (sb.len >= 2 && sb.s[sb.len - 2] == ',')
		sb.s[sb.len - 2] = '\0';
	str_copy(buf, sb.s, size);
	sb_free(&sb);
}

/* The selected criterion in words: why it passes or not. */
static void
why_words(const elig_criterion *c, char *buf, size_t size)
{
	const char *dot = ui_utf8() ? " · " : " - ";

	if (c->verdict != ELIG_PASS) {
		snprintf(buf, size, "%s: %s", verdict_word(c), c->why);
		return;
	}
	snprintf(buf, size, "%s: the investigator answered %s%s%s%s%s%s", verdict_word(c),
	    yes_no(c->answer), c->derived >= 0 ? ", the data agree" : "",
	    c->evidence[0] ? dot : "", c->evidence[0] ? "from the data: " : "", c->evidence,
	    c->field->derived != NULL && c->derived < 0 ? " (the data do not tell yet)" : "");
}

/* Column widths: label, answer, data, value, verdict. */
enum { EC_LABEL, EC_ANSWER, EC_DATA, EC_VALUE, EC_VERDICT, EC_N };

static void
elig_columns(const elig_scr *es, int cols, int w[EC_N])
{
	int value = 5, verdict = 7;

	for (size_t i = 0; i < es->el.n; i++) {
		int k = utf8_width(es->el.items[i].evidence);

		if (k > value)
			value = k;
		k = utf8_width(verdict_word(&es->el.items[i]));
		if (k > verdict)
			verdict = k;
	}
	if (value > 16)
		value = 16;
	w[EC_ANSWER] = 7;
	w[EC_DATA] = 5;
	w[EC_VALUE] = value + 1;
	w[EC_VERDICT] = verdict;
	w[EC_LABEL] = cols - w[EC_ANSWER] - w[EC_DATA] - w[EC_VALUE] - w[EC_VERDICT] - 1;
	if (w[EC_LABEL] < 10) {
		w[EC_VALUE] -= 10 - w[EC_LABEL];
		if (w[EC_VALUE] < 2)
			w[EC_VALUE] = 2;
		w[EC_LABEL] = 10;
	}
}

/* The first line: subject, study number, status; the form and the
 * investigator's confirmation. */
static void
elig_draw_head(elig_scr *es, app *a, int y, int cols)
{
	char words[64], buf[160];
	int x = 0;

	if (!es->have_subj)
		return;
	status_words(a, &es->subj, words, sizeof words);
	x += ui_put(y, x, cols - x, ST_HEADER, es->subj.key);
	if (es->subj.study_no)
		x += ui_put(y, x + 2, cols - x - 2, ST_HEADER, es->subj.study_no) + 2;
	x += ui_putf(y, x + 2, cols - x - 2, ST_NORMAL, "%s %s",
	    subject_status_glyph(es->subj.status, ui_utf8()), words) + 2;
	if (!es->have_el)
		return;
	snprintf(buf, sizeof buf, "Form %s: %s", es->el.form->id, form_status_name(es->el.status));
	if (x + 3 + utf8_width(buf) <= cols)
		x += ui_put(y, x + 3, cols - x - 3, es->el.status == FORM_COMPLETE ? ST_NORMAL :
		    ST_WARN, buf) + 3;
	snprintf(buf, sizeof buf, "Confirmed: %s", es->el.confirmed ? "Yes" : "No");
	if (x + 3 + utf8_width(buf) <= cols)
		ui_put(y, x + 3, cols - x - 3, es->el.confirmed ? ST_NORMAL : ST_WARN, buf);
}

static void
elig_draw(screen *s, app *a)
{
	elig_scr *es = s->priv;
	int cols = ui_cols(), last = ui_rows() - 3, first = 3, vis, w[EC_N], x;
	char title[128], buf[512];
	bool good;

	snprintf(title, sizeof title, "Eligibility %s", es->key);
	app_title(a, title);
	ui_no_cursor();
	elig_draw_head(es, a, 1, cols);
	if (!es->have_el) {
		ui_put(first, 2, cols - 2, ST_DIM, es->problem);
		return;
	}
	/* Under the criteria: the summary, the selected criterion's label and
	 * why, and the hint; the criteria get what is left. */
	vis = last - 4 - first + 1;
	if (vis < 1)
		vis = 1;
	es->page = (size_t)vis;
	elig_columns(es, cols, w);
	ui_fill(2, 0, cols, ST_HEADER);
	x = 0;
	ui_put(2, x, w[EC_LABEL], ST_HEADER, "Criterion");
	x += w[EC_LABEL] + 1;
	ui_put(2, x, w[EC_ANSWER], ST_HEADER, "Answer");
	x += w[EC_ANSWER];
	ui_put(2, x, w[EC_DATA], ST_HEADER, "Data");
	x += w[EC_DATA];
	ui_put(2, x, w[EC_VALUE], ST_HEADER, "Value");
	x += w[EC_VALUE];
	ui_put(2, x, cols - x, ST_HEADER, "Verdict");

	if (es->sel < es->top)
		es->top = es->sel;
	if (es->sel >= es->top + (size_t)vis)
		es->top = es->sel - (size_t)vis + 1;
	for (int i = 0; i < vis && es->top + (size_t)i < es->el.n; i++) {
		size_t idx = es->top + (size_t)i;
		const elig_criterion *c = &es->el.items[idx];
		bool sel = idx == es->sel;
		ui_style st = sel ? ST_SELECTED : ST_NORMAL;
		int y = first + i;

		if (sel)
			ui_fill(y, 0, cols, ST_SELECTED);
		x = 0;
		ui_put(y, x, w[EC_LABEL], st, i18n_get(&c->field->label, a->cfg->lang));
		x += w[EC_LABEL] + 1;
		ui_put(y, x, w[EC_ANSWER] - 1, sel ? st : c->answer[0] ? ST_NORMAL : ST_DIM,
		    yes_no(c->answer));
		x += w[EC_ANSWER];
		ui_put(y, x, w[EC_DATA] - 1, st, derived_word(c));
		x += w[EC_DATA];
		ui_put(y, x, w[EC_VALUE] - 1, sel ? st : ST_NORMAL, c->evidence);
		x += w[EC_VALUE];
		ui_put(y, x, cols - x, sel ? st : verdict_style(c), verdict_word(c));
	}
	if (es->top > 0)
		ui_put(first, cols - 1, 1, ST_DIM, ui_utf8() ? "↑" : "^");
	if (es->top + (size_t)vis < es->el.n)
		ui_put(first + vis - 1, cols - 1, 1, ST_DIM, ui_utf8() ? "↓" : "v");

	summary(&es->el, buf, sizeof buf, &good);
	ui_put(last - 3, 0, cols, good ? ST_OK : ST_WARN, buf);
	if (es->el.n > 0) {
		const elig_criterion *c = &es->el.items[es->sel];

		ui_put(last - 2, 0, cols, ST_NORMAL, i18n_get(&c->field->label, a->cfg->lang));
		why_words(c, buf, sizeof buf);
		ui_put(last - 1, 0, cols, ST_NORMAL, buf);
	}
	if (app_may(a, PERM_ENROL) && es->have_subj && str_eq(es->subj.status,
	    subject_state_name(SUBJ_SCREENING)))
		ui_put(last, 0, cols, ST_DIM, "Enter opens the eligibility form on this criterion; "
		    "^E (F3) enrols");
	else
		ui_put(last, 0, cols, ST_DIM, "Enter opens the eligibility form on this criterion");
}

/* ACT_ENROL: refuse, naming the failing criteria, or ask the date and
 * enrol through eligibility_enrol(). */
static void
elig_enrol(elig_scr *es, app *a)
{
	static const char *const buttons[] = { "[E]nrol", "[C]ancel" };
	char iso[16], shown[32], q[512], *no = NULL;
	eligibility out;
	crf_err e;
	crf_status rc;

	if (!app_check(a, PERM_ENROL))
		return;
	elig_reload(es, a);
	if (!es->have_el || !es->have_subj) {
		app_message(a, ST_ERROR, "Not enrolled: %s", es->problem[0] ? es->problem :
		    "the subject cannot be read");
		return;
	}
	if (!str_eq(es->subj.status, subject_state_name(SUBJ_SCREENING))) {
		char words[64];

		status_words(a, &es->subj, words, sizeof words);
		app_message(a, ST_ERROR, "Not enrolled: %s is %s; only a subject in screening can "
		    "be enrolled", es->key, words);
		return;
	}
	date_format_display(clock_today(), a->cfg->date_format, shown, sizeof shown);
	if (es->el.eligible) {
		if (!ask_date(a, "Enrol", iso, sizeof iso, shown, sizeof shown)) {
			app_message(a, ST_DIM, "Not enrolled");
			return;
		}
		snprintf(q, sizeof q, "Enrol %s on %s? All inclusion criteria are met, no "
		    "exclusion applies and the investigator confirmed. crf gives the next study "
		    "number; enrolment cannot be undone.", es->key, shown);
		if (dlg_ask_from(a, "Enrol", q, buttons, 2, 1) != 0) {
			app_message(a, ST_DIM, "Not enrolled");
			return;
		}
	} else {
		/* Refused without a date: nothing would be written. */
		date_format_iso(clock_today(), iso, sizeof iso);
	}
	rc = eligibility_enrol(a->sd, a->st, es->id, iso, clock_today(), &no, &out, &e);
	if (rc == CRF_OK) {
		app_message(a, ST_OK, "%s enrolled on %s: study number %s", es->key, shown, no);
		free(no);
	} else if (rc == CRF_EDENIED && !out.eligible) {
		char why[1024], text[1400];
		size_t lines = 1;

		eligibility_explain(&out, why, sizeof why);
		for (const char *p = why; (p = strchr(p, '\n')) != NULL; p++)
			lines++;
		snprintf(text, sizeof text, "%s cannot be enrolled:\n\n%s\n\nCorrect the answers "
		    "or the data (Enter on a criterion opens the eligibility form), or record a "
		    "screen failure (^E on the casebook).", es->key, why);
		/* The message line: the first reason, and how many more. */
		if (lines > 1)
			app_message(a, ST_ERROR, "Not enrolled: %.*s (and %zu more)",
			    (int)strcspn(why, "\n"), why, lines - 1);
		else
			app_message(a, ST_ERROR, "Not enrolled: %s", why);
		dlg_text(a, "Not enrolled", text);
	} else {
		refusal(a, "Not enrolled", &e);
	}
	eligibility_clear(&out);
	elig_reload(es, a);
}

static void
elig_open_form(elig_scr *es, app *a)
{
	screen *fs;

	if (!es->have_el)
		return;
	fs = scr_form_new(a, es->id, es->key, es->el.event->id, 1, es->el.form, 1);
	if (es->el.n > 0)
		scr_form_goto(fs, a, es->el.items[es->sel].field->id);
	app_push(a, fs);
}

static scr_result
elig_handle(screen *s, app *a, action act, const ui_key *k)
{
	elig_scr *es = s->priv;
	size_t n = es->have_el ? es->el.n : 0, page = es->page ? es->page : 1;

	switch (act) {
	case ACT_BACK:
	case ACT_CANCEL:
		return SCR_POP;
	case ACT_NEXT:
		if (es->sel + 1 < n)
			es->sel++;
		break;
	case ACT_PREV:
		if (es->sel > 0)
			es->sel--;
		break;
	case ACT_PAGE_DOWN:
		es->sel = es->sel + page < n ? es->sel + page : n ? n - 1 : 0;
		break;
	case ACT_PAGE_UP:
		es->sel = es->sel > page ? es->sel - page : 0;
		break;
	case ACT_ENTER:
		elig_open_form(es, a);
		break;
	case ACT_ENROL:
		elig_enrol(es, a);
		break;
	case ACT_NONE:
		if (k->is_key && k->ch == KEY_HOME)
			es->sel = 0;
		else if (k->is_key && k->ch == KEY_END)
			es->sel = n ? n - 1 : 0;
		break;
	default:
		break;
	}
	return SCR_STAY;
}

static void
elig_resume(screen *s, app *a)
{
	elig_reload(s->priv, a);
}

static void
elig_free(screen *s)
{
	elig_scr *es = s->priv;

	eligibility_clear(&es->el);
	if (es->have_subj)
		subject_row_clear(&es->subj);
	free(es->key);
	free(es);
}

static const screen_ops elig_ops = {
	.name = "eligibility",
	.keyctx = KC_ELIGIBILITY,
	.draw = elig_draw,
	.handle = elig_handle,
	.resume = elig_resume,
	.tick = elig_resume,
	.free = elig_free,
};

screen *
scr_eligibility_new(app *a, long long subject_id, const char *subject_key)
{
	elig_scr *es = xcalloc(1, sizeof *es);

	es->id = subject_id;
	es->key = xstrdup(subject_key);
	elig_reload(es, a);
	return screen_new(&elig_ops, es);
}
