/*
 * scr_report.c - the study report on screen (ACT_REPORT in the subject
 * list): report_write()'s text, the same as `crf report` prints, as wide
 * as the screen and in UTF-8 or ASCII as the terminal is, in a view that
 * scrolls with the arrows, PgUp/PgDn, Home and End.  The Kaplan-Meier
 * curve is part of the text.
 *
 * The report is written when the screen opens and again when the width
 * changes; it is a snapshot, not re-read on the idle tick (the first line
 * says the day it is of).  The last row of the screen says which lines
 * are shown.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crf/report.h"
#include "crf/screens.h"
#include "crf/util.h"

typedef struct report_scr {
	char *text;          /* the report, or why it could not be written */
	char **line;         /* into text, split at newlines */
	size_t n;
	int width;           /* the width it was written for */
	size_t top;          /* first line shown */
} report_scr;

static void
text_free(report_scr *rs)
{
	free(rs->line);
	free(rs->text);
	rs->line = NULL;
	rs->text = NULL;
	rs->n = 0;
}

/* Split rs->text into lines (in place). */
static void
split_lines(report_scr *rs)
{
	size_t cap = 0;
	char *p = rs->text;

	while (*p) {
		char *nl = strchr(p, '\n');

		xgrow(&rs->line, sizeof *rs->line, &cap, rs->n);
		rs->line[rs->n++] = p;
		if (nl == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
}

/* The report width for the screen: its columns, within what the report
 * allows (a narrower screen cuts the lines at its edge). */
static int
report_width(void)
{
	int w = ui_cols();

	if (w < REPORT_MIN_WIDTH)
		w = REPORT_MIN_WIDTH;
	if (w > REPORT_MAX_WIDTH)
		w = REPORT_MAX_WIDTH;
	return w;
}

static void
write_report(report_scr *rs, app *a)
{
	report_opts o = { .width = report_width(), .utf8 = ui_utf8(), .today = clock_today() };
	strbuf sb = {0};
	crf_err e;

	text_free(rs);
	rs->width = o.width;
	if (report_write(a->st, a->sd, &o, &sb, &e) != CRF_OK) {
		sb_free(&sb);
		rs->text = xasprintf("The report cannot be written: %s", e.msg);
	} else {
		rs->text = sb_steal(&sb);
	}
	split_lines(rs);
}

/* Rows of text on the screen: rows 1 .. LINES-4 (LINES-3 says where). */
static size_t
visible(void)
{
	int v = ui_rows() - 4;

	return v > 1 ? (size_t)v : 1;
}

static void
clamp_top(report_scr *rs)
{
	size_t vis = visible();

	if (rs->n <= vis)
		rs->top = 0;
	else if (rs->top > rs->n - vis)
		rs->top = rs->n - vis;
}

static void
report_draw(screen *s, app *a)
{
	report_scr *rs = s->priv;
	int cols = ui_cols();
	size_t vis;

	if (rs->width != report_width())
		write_report(rs, a);
	clamp_top(rs);
	vis = visible();
	app_title(a, "Study report");
	ui_no_cursor();
	for (size_t i = 0; i < vis && rs->top + i < rs->n; i++)
		ui_put(1 + (int)i, 0, cols, ST_NORMAL, rs->line[rs->top + i]);
	if (rs->n == 0)
		return;
	ui_putf(1 + (int)vis, 0, cols, ST_DIM, "Lines %zu-%zu of %zu%s", rs->top + 1,
	    rs->top + vis < rs->n ? rs->top + vis : rs->n, rs->n,
	    rs->n > vis ? "   Up/Down, PgUp/PgDn, Home/End scroll" : "");
}

static scr_result
report_handle(screen *s, app *a, action act, const ui_key *k)
{
	report_scr *rs = s->priv;
	size_t vis = visible();

	(void)a;
	switch (act) {
	case ACT_BACK:
	case ACT_CANCEL:
		return SCR_POP;
	case ACT_NEXT:
		rs->top++;
		break;
	case ACT_PREV:
		rs->top = rs->top > 0 ? rs->top - 1 : 0;
		break;
	case ACT_PAGE_DOWN:
		rs->top += vis;
		break;
	case ACT_PAGE_UP:
		rs->top = rs->top > vis ? rs->top - vis : 0;
		break;
	case ACT_NONE:
		if (k->is_key && k->ch == KEY_HOME)
			rs->top = 0;
		else if (k->is_key && k->ch == KEY_END)
			rs->top = rs->n;
		break;
	default:
		break;
	}
	clamp_top(rs);
	return SCR_STAY;
}

static void
report_free(screen *s)
{
	report_scr *rs = s->priv;

	text_free(rs);
	free(rs);
}

static const screen_ops report_ops = {
	.name = "report",
	.keyctx = KC_VIEW,
	.draw = report_draw,
	.handle = report_handle,
	.free = report_free,
};

screen *
scr_report_new(app *a)
{
	report_scr *rs = xcalloc(1, sizeof *rs);

	write_report(rs, a);
	return screen_new(&report_ops, rs);
}
