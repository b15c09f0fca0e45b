/*
 * scr_charts.c - one subject's charts (ACT_CHARTS in the casebook): EDSS
 * over time with the baseline and the progression level, neutrophil and
 * platelet recovery after day 0 against the engraftment thresholds (with
 * platelet transfusions marked), each with a caption that says the derived
 * result in words.
 *
 * The values come from derive.h (the one evaluator: the report and the
 * tests get the same days), the pictures from chart.h.  Monochrome by
 * design, and plain ASCII when the terminal is not UTF-8 (ui_utf8()); the
 * captions are ASCII everywhere.  Where there is nothing to draw yet, the
 * screen says so instead of showing an empty frame.
 *
 * Layout: row 1 names the charts ("[1 EDSS]  2 Neutrophils  3 Platelets",
 * the current one in brackets) and day 0; then the chart, as tall as the
 * screen allows, then its caption.  Tab, Down or Right shows the next
 * chart, Shift-Tab, Up or Left the previous one, 1 2 3 or the first
 * letter a chart by name.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crf/chart.h"
#include "crf/derive.h"
#include "crf/screens.h"
#include "crf/util.h"

enum { CH_EDSS, CH_ANC, CH_PLT, CH_COUNT };

static const char *const chart_names[CH_COUNT] = { "EDSS", "Neutrophils", "Platelets" };

#define CAPTION_MAX 4          /* lines of a caption */

typedef struct charts_scr {
	long long id;
	char *key;
	int which;                 /* CH_* shown */
	bool derived_ok;           /* d holds derive_subject()'s answers */
	derived d;
	char *problem;             /* why nothing can be derived, when not derived_ok */
} charts_scr;

/* ---- Loading ----------------------------------------------------------------- */

static void
data_free(charts_scr *cs)
{
	if (cs->derived_ok)
		derived_free(&cs->d);
	cs->derived_ok = false;
	free(cs->problem);
	cs->problem = NULL;
}

static void
reload(charts_scr *cs, app *a)
{
	subject_row subj;
	subject_item *items = NULL;
	size_t nitems = 0;
	bool have_subj;
	crf_err e;

	data_free(cs);
	have_subj = store_find_subject(a->st, cs->key, &subj, &e) == CRF_OK;
	if (!have_subj) {
		cs->problem = xasprintf("Cannot read subject %s: %s", cs->key, e.msg);
		return;
	}
	if (store_load_subject_items(a->st, cs->id, &items, &nitems, &e) != CRF_OK) {
		cs->problem = xasprintf("Cannot read the data of %s: %s", cs->key, e.msg);
		subject_row_clear(&subj);
		return;
	}
	if (derive_subject(a->sd, items, nitems, &subj, clock_today(), &cs->d, &e) == CRF_OK)
		cs->derived_ok = true;
	else
		cs->problem = xasprintf("Nothing can be derived: %s", e.msg);
	subject_items_free(items, nitems);
	subject_row_clear(&subj);
}

/* ---- Words ------------------------------------------------------------------- */

/* "day +10", "day 0", "day -3". */
static void
day_text(long day, char *buf, size_t size)
{
	if (day > 0)
		snprintf(buf, size, "day +%ld", day);
	else
		snprintf(buf, size, "day %ld", day);
}

/* The count a cbc day gives for the chart: platelets or neutrophils. */
static double
count_of(const cbc_day *c, bool platelets)
{
	return platelets ? c->plt : c->anc;
}

static int
cbc_cmp(const void *pa, const void *pb)
{
	const cbc_day *x = pa, *y = pb;

	return (x->day > y->day) - (x->day < y->day);
}

/* Is there a measured count (or, for platelets, a transfusion) on day 0
 * or later, that the chart would draw? */
static bool
counts_to_draw(const derived *d, bool platelets, long *last)
{
	bool any = false;

	*last = 0;
	for (size_t i = 0; i < d->ncbc; i++) {
		const cbc_day *c = &d->cbc[i];

		if (c->day < 0 || (count_of(c, platelets) < 0 && !(platelets && c->plt_tx)))
			continue;
		any = true;
		if (c->day > *last)
			*last = c->day;
	}
	return any;
}

/*
 * Why the platelet day is later than the counts alone would make it: the
 * counts stood at or above the threshold on every day from *start to
 * `end` (consecutive entries, after the nadir, day 1 or later) and a
 * platelet transfusion on day *tx fell inside the window before or in that
 * stretch.  False when the counts on `end` do not stand there, or no
 * transfusion explains it.  sorted: the counts by day.
 */
static bool
platelet_block(const derived *d, const cbc_day *sorted, size_t n, long end, long *start,
    long *tx)
{
	const outcome_settings *s = &d->settings;
	long nadir = d->eng.plt.nadir, from = OUTCOME_NO_DAY, window;
	size_t i;

	for (i = n; i > 0; i--)
		if (sorted[i - 1].day == end)
			break;
	if (i == 0 || nadir == OUTCOME_NO_DAY)
		return false;
	/* Back from `end` over consecutive days at or above the threshold. */
	for (size_t j = i; j > 0; j--) {
		const cbc_day *c = &sorted[j - 1];

		if (c->day <= nadir || c->day < 1 || c->plt < 0 || c->plt < s->plt_engraft)
			break;
		if (from != OUTCOME_NO_DAY && c->day != from - 1)
			break;
		from = c->day;
	}
	if (from == OUTCOME_NO_DAY)
		return false;
	if (d->eng.plt.state != ENG_REACHED && end - from + 1 < s->eng_days)
		return false;
	window = s->plt_rule == OUTCOME_PLT_ASTCT ? s->plt_txfree : 0;
	*tx = OUTCOME_NO_DAY;
	for (size_t j = 0; j < n; j++)
		if (sorted[j].plt_tx && sorted[j].day >= from - window && sorted[j].day <= end)
			*tx = sorted[j].day;
	*start = from;
	return *tx != OUTCOME_NO_DAY;
}

/* The platelet rule in words: "3 days in a row at or above 20 with no
 * platelet transfusion in the 7 days before". */
static void
platelet_rule_words(const outcome_settings *s, strbuf *sb)
{
	if (s->plt_rule == OUTCOME_PLT_ASTCT)
		sb_addf(sb, "%d days in a row at or above %g with no platelet transfusion on "
		    "them or in the %d days before", s->eng_days, s->plt_engraft, s->plt_txfree);
	else
		sb_addf(sb, "%d days in a row at or above %g without a platelet transfusion",
		    s->plt_unsup_days, s->plt_engraft);
}

static void
caption_platelets(const derived *d, strbuf *sb)
{
	const eng_line *l = &d->eng.plt;
	const outcome_settings *s = &d->settings;
	cbc_day *sorted = d->ncbc ? xmalloc(d->ncbc * sizeof *sorted) : NULL;
	size_t ntx = 0;
	long start, tx;
	char a[32], b[32], c[32];

	if (d->ncbc) {
		memcpy(sorted, d->cbc, d->ncbc * sizeof *sorted);
		qsort(sorted, d->ncbc, sizeof *sorted, cbc_cmp);
	}
	for (size_t i = 0; i < d->ncbc; i++)
		ntx += sorted[i].day >= 0 && sorted[i].plt_tx;
	switch (l->state) {
	case ENG_REACHED:
		day_text(l->day, a, sizeof a);
		if (platelet_block(d, sorted, d->ncbc, l->day - 1, &start, &tx)) {
			day_text(tx, b, sizeof b);
			day_text(start, c, sizeof c);
			if (s->plt_rule == OUTCOME_PLT_ASTCT)
				sb_addf(sb, "Platelet engraftment %s (transfusion on %s inside the "
				    "%d-day window: the counts were at or above %g from %s).", a, b,
				    s->plt_txfree, s->plt_engraft, c);
			else
				sb_addf(sb, "Platelet engraftment %s (transfusion on %s: the counts "
				    "were at or above %g from %s).", a, b, s->plt_engraft, c);
		} else {
			sb_addf(sb, "Platelet engraftment %s: the first of ", a);
			platelet_rule_words(s, sb);
			sb_add(sb, ".");
		}
		break;
	case ENG_NOT_REACHED:
		day_text(l->last, a, sizeof a);
		sb_addf(sb, "Platelet engraftment not reached yet (counts to %s)", a);
		if (platelet_block(d, sorted, d->ncbc, l->last, &start, &tx)) {
			day_text(start, b, sizeof b);
			day_text(tx, c, sizeof c);
			if (s->plt_rule == OUTCOME_PLT_ASTCT)
				sb_addf(sb, ": at or above %g from %s, but the transfusion on %s is "
				    "inside the %d-day window.", s->plt_engraft, b, c, s->plt_txfree);
			else
				sb_addf(sb, ": at or above %g from %s, but a transfusion on %s.",
				    s->plt_engraft, b, c);
		} else {
			sb_add(sb, ": it needs ");
			platelet_rule_words(s, sb);
			sb_add(sb, ".");
		}
		break;
	case ENG_NEVER_BELOW:
		sb_addf(sb, "Platelets never fell below %g after day 0 and none were transfused: "
		    "no recovery day to give.", s->plt_engraft);
		break;
	case ENG_NO_DATA:
		sb_add(sb, "No platelet count after day 0 yet.");
		break;
	}
	if (ntx > 0)
		sb_addf(sb, " %zu platelet transfusion%s from day 0 on, marked T.", ntx,
		    ntx == 1 ? "" : "s");
	free(sorted);
}

static void
caption_neutrophils(const derived *d, strbuf *sb)
{
	const eng_line *l = &d->eng.anc;
	const outcome_settings *s = &d->settings;
	char a[32];

	switch (l->state) {
	case ENG_REACHED:
		day_text(l->day, a, sizeof a);
		sb_addf(sb, "Neutrophil engraftment %s: the first of %d days in a row at or "
		    "above %g.", a, s->eng_days, s->anc_engraft);
		break;
	case ENG_NOT_REACHED:
		day_text(l->last, a, sizeof a);
		sb_addf(sb, "Neutrophil engraftment not reached yet (counts to %s): it needs %d "
		    "days in a row at or above %g.", a, s->eng_days, s->anc_engraft);
		break;
	case ENG_NEVER_BELOW:
		sb_addf(sb, "Neutrophils never fell below %g after day 0: no recovery day to "
		    "give.", s->anc_engraft);
		break;
	case ENG_NO_DATA:
		sb_add(sb, "No neutrophil count after day 0 yet.");
		break;
	}
	if (d->eng.pgf == PGF_YES) {
		day_text(s->pgf_day, a, sizeof a);
		sb_addf(sb, " Primary graft failure: no neutrophil engraftment by %s.", a);
	} else if (d->eng.pgf == PGF_UNKNOWN && l->state == ENG_NOT_REACHED) {
		day_text(s->pgf_day + s->eng_days - 1, a, sizeof a);
		sb_addf(sb, " Primary graft failure is decided on %s.", a);
	}
}

/* The result first ("No confirmed progression.", "Confirmed progression
 * from day +182, confirmed day +365."), then on a line of its own the
 * baseline and the level an increase must reach. */
static void
caption_edss(const derived *d, strbuf *sb)
{
	const prog_result *p = &d->ep.prog;
	int level = derive_progression_level(d);
	char a[32], b[32], c[16];

	if (d->baseline_edss < 0) {
		sb_add(sb, "No screening EDSS: progression cannot be judged.");
		return;
	}
	if (d->has_day0 && d->ep_status != CRF_OK) {
		sb_addf(sb, "Progression cannot be derived: %s.\n", d->ep_err.msg);
	} else if (d->has_day0) {
		switch (p->state) {
		case PROG_CONFIRMED:
			day_text(p->day, a, sizeof a);
			day_text(p->confirm_day, b, sizeof b);
			sb_addf(sb, "Confirmed progression from %s, confirmed %s.\n", a, b);
			break;
		case PROG_PENDING:
			day_text(p->day, a, sizeof a);
			day_text(p->day + d->settings.prog_confirm, b, sizeof b);
			c[0] = '\0';
			for (size_t i = 0; i < d->nedss; i++)
				if (d->edss[i].day == p->day)
					edss_format(d->edss[i].edss, c, sizeof c);
			sb_addf(sb, "No confirmed progression: the increase%s%s on %s awaits "
			    "confirmation (an assessment on %s or later).\n", c[0] ? " to " : "", c,
			    a, b);
			break;
		case PROG_NONE:
			sb_add(sb, "No confirmed progression.\n");
			break;
		case PROG_NOT_EVALUABLE:
			sb_add(sb, "Progression cannot be judged.\n");
			break;
		}
	}
	if (level >= 0) {
		edss_format(d->baseline_edss, a, sizeof a);
		edss_format(level, b, sizeof b);
		sb_addf(sb, "Baseline EDSS %s (screening); an increase to %s counts towards "
		    "progression.", a, b);
	}
}

/*
 * What chart `which` says in words, into sb; *draw tells whether there is
 * anything to draw (false: the words say why not).
 */
static void
caption(const charts_scr *cs, int which, bool *draw, strbuf *sb)
{
	const derived *d = &cs->d;
	long last;

	*draw = false;
	if (!cs->derived_ok) {
		sb_add(sb, cs->problem ? cs->problem : "");
		return;
	}
	if (!d->has_day0) {
		sb_addf(sb, "Day 0 (the infusion date) is not entered yet: the charts count "
		    "days from it.");
		if (which == CH_EDSS && d->baseline_edss >= 0) {
			sb_add(sb, "\n");
			caption_edss(d, sb);
		}
		return;
	}
	if (which == CH_EDSS) {
		*draw = d->nedss > 0;
		if (!*draw)
			sb_add(sb, "No EDSS assessment with a date yet.\n");
		caption_edss(d, sb);
		return;
	}
	*draw = counts_to_draw(d, which == CH_PLT, &last);
	if (!*draw) {
		sb_addf(sb, "No %s count after day 0 yet.", which == CH_PLT ? "platelet" :
		    "neutrophil");
		return;
	}
	if (d->eng_status != CRF_OK) {
		sb_addf(sb, "Engraftment cannot be derived: %s.", d->eng_err.msg);
		return;
	}
	if (which == CH_ANC)
		caption_neutrophils(d, sb);
	else
		caption_platelets(d, sb);
}

/* ---- Drawing ------------------------------------------------------------------ */

static crf_status
render(const charts_scr *cs, int which, int width, int height, chart_lines *out,
    crf_err *err)
{
	const derived *d = &cs->d;
	bool utf8 = ui_utf8();

	if (which == CH_EDSS) {
		long lo = 0, hi = 0;

		for (size_t i = 0; i < d->nedss; i++) {
			if (d->edss[i].day < lo)
				lo = d->edss[i].day;
			if (d->edss[i].day > hi)
				hi = d->edss[i].day;
		}
		/* Up to the last day followed: how long ago the last assessment was. */
		if (d->followup != OUTCOME_NO_DAY && d->followup > hi)
			hi = d->followup;
		if (hi <= lo)
			hi = lo + 1;
		return chart_edss(d->edss, d->nedss, d->baseline_edss,
		    derive_progression_level(d), lo, hi, width, height, utf8, out, err);
	} else {
		bool plt = which == CH_PLT;
		long last;

		counts_to_draw(d, plt, &last);
		return chart_counts(d->cbc, d->ncbc, plt, plt ? d->settings.plt_engraft :
		    d->settings.anc_engraft, last > 0 ? last : 1, width, height, utf8, out, err);
	}
}

/* Row 1: the charts by number, the current one in brackets, and day 0. */
static void
draw_tabs(charts_scr *cs, app *a, int cols)
{
	int x = 0;
	char buf[64];

	for (int i = 0; i < CH_COUNT; i++) {
		bool here = i == cs->which;

		snprintf(buf, sizeof buf, "%s%d %s%s", here ? "[" : " ", i + 1, chart_names[i],
		    here ? "]" : " ");
		x += ui_put(1, x, cols - x, here ? ST_SELECTED : ST_NORMAL, buf) + 1;
	}
	x += ui_put(1, x + 1, cols - x - 1, ST_DIM, "Tab: next chart") + 1;
	if (cs->derived_ok) {
		char d[32];
		int w;

		if (cs->d.has_day0) {
			date_format_display(cs->d.day0, a->cfg->date_format, d, sizeof d);
			snprintf(buf, sizeof buf, "Day 0 %s", d);
		} else {
			snprintf(buf, sizeof buf, "Day 0 not entered");
		}
		w = utf8_width(buf);
		if (x + 2 + w <= cols)
			ui_put(1, cols - w, w, cs->d.has_day0 ? ST_NORMAL : ST_DIM, buf);
	}
}

static void
charts_draw(screen *s, app *a)
{
	charts_scr *cs = s->priv;
	int cols = ui_cols(), first = 2, last = ui_rows() - 3;
	char title[128], lines[CAPTION_MAX][256];
	strbuf sb = {0};
	bool draw;
	int ncap, height;

	snprintf(title, sizeof title, "Charts %s", cs->key);
	app_title(a, title);
	ui_no_cursor();
	draw_tabs(cs, a, cols);

	caption(cs, cs->which, &draw, &sb);
	ncap = dlg_wrap(sb.s ? sb.s : "", cols, lines, CAPTION_MAX);
	sb_free(&sb);
	if (!draw) {
		for (int i = 0; i < ncap && first + 1 + i <= last; i++)
			ui_put(first + 1 + i, 0, cols, ST_NORMAL, lines[i]);
		return;
	}
	/* The chart, a blank row, the caption at the bottom. */
	height = last - first + 1 - ncap - 1;
	{
		chart_lines cl;
		crf_err e;

		if (render(cs, cs->which, cols, height, &cl, &e) != CRF_OK) {
			ui_putf(first + 1, 0, cols, ST_ERROR, "The chart cannot be drawn at this "
			    "size: %s", e.msg);
		} else {
			for (size_t i = 0; i < cl.n; i++)
				ui_put(first + (int)i, 0, cols, ST_NORMAL, cl.line[i]);
			chart_lines_free(&cl);
		}
	}
	for (int i = 0; i < ncap; i++)
		ui_put(last - ncap + 1 + i, 0, cols, ST_NORMAL, lines[i]);
}

static scr_result
charts_handle(screen *s, app *a, action act, const ui_key *k)
{
	charts_scr *cs = s->priv;

	(void)a;
	switch (act) {
	case ACT_BACK:
	case ACT_CANCEL:
		return SCR_POP;
	case ACT_NEXT:
	case ACT_PAGE_DOWN:
		cs->which = (cs->which + 1) % CH_COUNT;
		break;
	case ACT_PREV:
	case ACT_PAGE_UP:
		cs->which = (cs->which + CH_COUNT - 1) % CH_COUNT;
		break;
	case ACT_NONE:
		if (k->is_key) {
			if (k->ch == KEY_RIGHT)
				cs->which = (cs->which + 1) % CH_COUNT;
			else if (k->ch == KEY_LEFT)
				cs->which = (cs->which + CH_COUNT - 1) % CH_COUNT;
			else if (k->ch == KEY_HOME)
				cs->which = 0;
			else if (k->ch == KEY_END)
				cs->which = CH_COUNT - 1;
		} else if (k->ch >= '1' && k->ch < (wint_t)('1' + CH_COUNT)) {
			cs->which = (int)(k->ch - '1');
		} else {
			for (int i = 0; i < CH_COUNT; i++)
				if (k->ch < 128 && (wint_t)(chart_names[i][0] | 0x20) == (k->ch | 0x20))
					cs->which = i;
		}
		break;
	default:
		break;
	}
	return SCR_STAY;
}

static void
charts_tick(screen *s, app *a)
{
	reload(s->priv, a);
}

static void
charts_free(screen *s)
{
	charts_scr *cs = s->priv;

	data_free(cs);
	free(cs->key);
	free(cs);
}

static const screen_ops charts_ops = {
	.name = "charts",
	.keyctx = KC_VIEW,
	.draw = charts_draw,
	.handle = charts_handle,
	.resume = charts_tick,
	.tick = charts_tick,
	.free = charts_free,
};

screen *
scr_charts_new(app *a, long long subject_id, const char *subject_key)
{
	charts_scr *cs = xcalloc(1, sizeof *cs);

	cs->id = subject_id;
	cs->key = xstrdup(subject_key);
	reload(cs, a);
	return screen_new(&charts_ops, cs);
}
