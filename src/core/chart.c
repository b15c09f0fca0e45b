/*
 * chart.c - text charts into lines; see chart.h.
 *
 * The plot is a grid of cells, each one glyph (a string of one column) or
 * blank.  Drawing order: vertical marks, reference lines, the series'
 * lines, then the series' marks, so marks are never hidden.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crf/chart.h"
#include "crf/util.h"

#define EPS 1e-9

typedef struct glyphs {
	const char *h, *v, *down_top, *down_bottom, *up_bottom, *up_top;
	const char *axis_v, *axis_tick, *axis_corner, *axis_h, *x_tick;
	const char *hline, *vline;
	const char *mark;
} glyphs;

/* Step corners: going right then down, the top corner is ┐ and the bottom
 * └; going up, the bottom is ┘ and the top ┌. */
static const glyphs utf8_glyphs = {
	"─", "│", "┐", "└", "┘", "┌",
	"│", "┤", "└", "─", "┬",
	"┄", "┆",
	"●"
};
static const glyphs ascii_glyphs = {
	"-", "|", "+", "+", "+", "+",
	"|", "+", "+", "-", "+",
	".", ":",
	"*"
};

/* ---- Text ------------------------------------------------------------------ */

/* s as the chart writes it: in ASCII mode every other character becomes
 * its stand-in or '?'; control characters become blanks. */
static char *
text_for(const char *s, bool utf8)
{
	strbuf b = {0};

	if (s == NULL)
		s = "";
	while (*s) {
		unsigned long cp;
		int len = utf8_next(s, &cp);

		if (len == 0) {
			sb_add(&b, "?");
			s++;
			continue;
		}
		if (cp < 0x20 || cp == 0x7f) {
			sb_add(&b, " ");
		} else if (cp < 0x80 || utf8) {
			sb_addn(&b, s, (size_t)len);
		} else {
			const char *a = ascii_fallback(cp);
			sb_add(&b, a ? a : "?");
		}
		s += len;
	}
	return sb_steal(&b);
}

/* Columns of s: one per character. */
static int
text_cols(const char *s)
{
	int n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* Cut s (owned) to at most n columns, in place. */
static void
text_cut(char *s, int n)
{
	int cols = 0;

	for (char *p = s; *p; p++)
		if (((unsigned char)*p & 0xC0) != 0x80 && cols++ == n) {
			*p = '\0';
			return;
		}
}

/* Every printable ASCII character as a one-character string: the
 * character c is at ascii_tab + 2 * (c - ' '). */
static const char ascii_tab[] =
	" \0" "!\0" "\"\0" "#\0" "$\0" "%\0" "&\0" "'\0" "(\0" ")\0" "*\0" "+\0"
	",\0" "-\0" ".\0" "/\0" "0\0" "1\0" "2\0" "3\0" "4\0" "5\0" "6\0" "7\0"
	"8\0" "9\0" ":\0" ";\0" "<\0" "=\0" ">\0" "?\0" "@\0" "A\0" "B\0" "C\0"
	"D\0" "E\0" "F\0" "G\0" "H\0" "I\0" "J\0" "K\0" "L\0" "M\0" "N\0" "O\0"
	"P\0" "Q\0" "R\0" "S\0" "T\0" "U\0" "V\0" "W\0" "X\0" "Y\0" "Z\0" "[\0"
	"\\\0" "]\0" "^\0" "_\0" "`\0" "a\0" "b\0" "c\0" "d\0" "e\0" "f\0" "g\0"
	"h\0" "i\0" "j\0" "k\0" "l\0" "m\0" "n\0" "o\0" "p\0" "q\0" "r\0" "s\0"
	"t\0" "u\0" "v\0" "w\0" "x\0" "y\0" "z\0" "{\0" "|\0" "}\0" "~\0";

/* A single-character glyph from caller text, or the fallback. */
static const char *
glyph_for(const char *utf8_glyph, char ascii, bool utf8, const char *fallback)
{
	if (utf8 && utf8_glyph != NULL && *utf8_glyph != '\0')
		return utf8_glyph;
	if (!utf8 && ascii >= ' ' && ascii <= '~')
		return ascii_tab + 2 * (ascii - ' ');
	return fallback;
}

/* ---- Lines ------------------------------------------------------------------ */

static void
add_line(chart_lines *out, size_t *cap, strbuf *b)
{
	/* Trailing blanks go. */
	while (b->len > 0 && b->s[b->len - 1] == ' ')
		b->s[--b->len] = '\0';
	xgrow(&out->line, sizeof *out->line, cap, out->n);
	out->line[out->n++] = sb_steal(b);
}

void
chart_lines_free(chart_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->line[i]);
	free(l->line);
	l->line = NULL;
	l->n = 0;
}

/* ---- Layout ------------------------------------------------------------------ */

typedef struct legend {
	char **entry;
	size_t n, cap;
} legend;

static void
legend_add(legend *lg, char *entry)
{
	xgrow(&lg->entry, sizeof *lg->entry, &lg->cap, lg->n);
	lg->entry[lg->n++] = entry;
}

/* Wrap the entries into lines of at most width columns, two blanks apart. */
static size_t
legend_wrap(const legend *lg, int width, strbuf *lines, size_t max)
{
	size_t nl = 0;
	int cols = 0;

	for (size_t i = 0; i < lg->n; i++) {
		char *e = lg->entry[i];
		int w;

		text_cut(e, width);
		w = text_cols(e);
		if (nl == 0 || cols + 2 + w > width) {
			if (nl == max)
				return nl;
			nl++;
			cols = 0;
		} else {
			sb_add(&lines[nl - 1], "  ");
			cols += 2;
		}
		sb_add(&lines[nl - 1], e);
		cols += w;
	}
	return nl;
}

static double
nice_mult(int k)
{
	static const double m[] = { 1, 2, 5 };
	double p = 1;

	for (int i = 0; i < k / 3; i++)
		p *= 10;
	return m[k % 3] * p;
}

/* The y range for c->y_step > 0 (see chart.h). */
static void
auto_y(const chart *c, int rows, double *lo_out, double *hi_out)
{
	double lo = INFINITY, hi = -INFINITY, per = c->y_step, y0 = c->y_min, span;

	for (size_t s = 0; s < c->nseries; s++)
		for (size_t i = 0; i < c->series[s].n; i++) {
			lo = fmin(lo, c->series[s].y[i]);
			hi = fmax(hi, c->series[s].y[i]);
		}
	for (size_t i = 0; i < c->nhlines; i++) {
		lo = fmin(lo, c->hlines[i].y);
		hi = fmax(hi, c->hlines[i].y);
	}
	if (c->y_from_min || lo > hi)
		lo = fmin(lo, c->y_min);
	if (hi < lo)
		hi = lo;
	lo = fmax(lo, c->y_min);
	hi = fmin(fmax(hi, lo), c->y_max);
	for (int k = 0; k < 40; k++) {
		per = c->y_step * nice_mult(k);
		span = per * (rows - 1);
		y0 = floor(lo / per + EPS) * per;
		if (y0 + span >= hi - EPS || span >= c->y_max - c->y_min - EPS)
			break;
	}
	span = per * (rows - 1);
	/* Centre: half the spare rows go below. */
	y0 -= floor((y0 + span - hi) / per / 2 + EPS) * per;
	if (y0 + span > c->y_max + EPS)
		y0 = c->y_max - span;
	if (y0 < c->y_min - EPS)
		y0 = c->y_min;
	*lo_out = y0;
	*hi_out = y0 + span;
}

static bool
multiple_of(double v, double every)
{
	double q = v / every;

	return fabs(q - round(q)) < 1e-6;
}

typedef struct plot {
	int rows, cols;
	double ylo, yhi;
	const char **cell;      /* rows * cols */
	char **ylabel;          /* per row, owned, or NULL */
} plot;

/* Round a position to the nearest cell, halves away from zero, after
 * dropping binary noise (so that 4.4999999999 from 0.9 / 1.4 * 7 counts
 * as the 4.5 it stands for). */
static long
cell_round(double r)
{
	return lround(round(r * 1e6) / 1e6);
}

static int
row_of(const plot *p, double y)
{
	double r = (p->yhi - y) / (p->yhi - p->ylo) * (p->rows - 1);
	long ri = cell_round(r);

	return ri < 0 ? 0 : ri >= p->rows ? p->rows - 1 : (int)ri;
}

/* The column of x, or -1 outside the range. */
static int
col_of(const chart *c, const plot *p, double x)
{
	if (x < c->x_min - EPS || x > c->x_max + EPS)
		return -1;
	return (int)cell_round((x - c->x_min) / (c->x_max - c->x_min) * (p->cols - 1));
}

static int
col_clamped(const chart *c, const plot *p, double x)
{
	if (x < c->x_min)
		return 0;
	if (x > c->x_max)
		return p->cols - 1;
	return col_of(c, p, x);
}

/* The row of a series value: as row_of, but a value below a reference
 * line is never drawn on that line's row (one row lower instead), so a
 * count under a threshold never looks as if it reached it. */
static int
value_row(const chart *c, const plot *p, double y)
{
	int r = row_of(p, y);

	for (size_t i = 0; i < c->nhlines; i++)
		if (y < c->hlines[i].y - EPS && r == row_of(p, c->hlines[i].y) &&
		    r + 1 < p->rows)
			return r + 1;
	return r;
}

static void
put(plot *p, int r, int col, const char *g)
{
	if (r >= 0 && r < p->rows && col >= 0 && col < p->cols)
		p->cell[r * p->cols + col] = g;
}

static void
set_ylabel(const chart *c, plot *p, double v)
{
	int r;

	if (v < p->ylo - EPS || v > p->yhi + EPS)
		return;
	r = row_of(p, v);
	if (p->ylabel[r] == NULL) {
		if (fabs(v) < EPS)
			v = 0;
		p->ylabel[r] = xasprintf("%.*f", c->y_decimals, v);
	}
}

static void
draw_step(const chart *c, plot *p, const chart_series *s, const glyphs *g)
{
	bool corner_at_start = false;

	if (s->n == 1) {
		int col = col_of(c, p, s->x[0]);
		if (col >= 0)
			put(p, value_row(c, p, s->y[0]), col, g->h);
		return;
	}
	for (size_t i = 0; i + 1 < s->n; i++) {
		int c1 = col_clamped(c, p, s->x[i]), c2 = col_clamped(c, p, s->x[i + 1]);
		int r1 = value_row(c, p, s->y[i]), r2 = value_row(c, p, s->y[i + 1]);

		if (s->x[i + 1] < c->x_min || s->x[i] > c->x_max) {
			corner_at_start = false;
			continue;
		}
		for (int col = corner_at_start ? c1 + 1 : c1; col < c2; col++)
			put(p, r1, col, g->h);
		if (r1 == r2) {
			put(p, r1, c2, g->h);
			corner_at_start = false;
			continue;
		}
		for (int r = (r1 < r2 ? r1 : r2) + 1; r < (r1 < r2 ? r2 : r1); r++)
			put(p, r, c2, g->v);
		put(p, r1, c2, r2 > r1 ? g->down_top : g->up_bottom);
		put(p, r2, c2, r2 > r1 ? g->down_bottom : g->up_top);
		corner_at_start = true;
	}
}

/* Automatic x ticks: the smallest 1-2-5 step whose labels are 2 columns
 * apart at least. */
static chart_tick *
auto_x_ticks(const chart *c, int cols, size_t *n, char ***labels)
{
	chart_tick *t = NULL;
	double step = 1;

	for (int k = 0; k < 40; k++) {
		char buf[64];
		int w;

		step = nice_mult(k);
		w = snprintf(buf, sizeof buf, "%.0f", fabs(c->x_max) > fabs(c->x_min) ?
		    c->x_max : c->x_min) + 1;
		if (step * (cols - 1) / (c->x_max - c->x_min) >= w + 2)
			break;
	}
	*n = 0;
	*labels = NULL;
	{
		double first = ceil(c->x_min / step - EPS) * step;
		size_t cap = 0, lcap = 0;

		for (double x = first; x <= c->x_max + EPS; x += step) {
			xgrow(&t, sizeof *t, &cap, *n);
			xgrow(labels, sizeof **labels, &lcap, *n);
			(*labels)[*n] = xasprintf("%.0f", fabs(x) < EPS ? 0.0 : x);
			t[*n].x = x;
			t[*n].label = (*labels)[*n];
			(*n)++;
		}
	}
	return t;
}

crf_status
chart_render(const chart *c, chart_lines *out, crf_err *err)
{
	const glyphs *g = c->utf8 ? &utf8_glyphs : &ascii_glyphs;
	legend lg = {0};
	strbuf *leg_lines = NULL;
	size_t nleg = 0, cap = 0, nticks = 0;
	int title = c->title != NULL ? 1 : 0, lw = 0;
	plot p = {0};
	chart_tick *auto_ticks = NULL;
	char **auto_labels = NULL;
	const chart_tick *ticks;
	strbuf b = {0};

	memset(out, 0, sizeof *out);
	if (!(c->x_min < c->x_max) || !(c->y_min < c->y_max) || c->width < 1 ||
	    c->height < 1 || c->y_step < 0)
		return crf_fail(err, CRF_EINVAL, "the chart's ranges are empty");

	/* The legend, wrapped to the width. */
	for (size_t s = 0; s < c->nseries; s++) {
		const chart_series *se = &c->series[s];
		char *name;

		if (se->name == NULL)
			continue;
		name = text_for(se->name, c->utf8);
		if (se->mark != NULL || se->style == CHART_POINTS)
			legend_add(&lg, xasprintf("%s %s", glyph_for(se->mark, se->ascii_mark,
			    c->utf8, g->mark), name));
		else
			legend_add(&lg, xasprintf("%s %s", g->h, name));
		free(name);
	}
	for (size_t i = 0; i < c->nhlines; i++) {
		const chart_hline *h = &c->hlines[i];
		const char *gl;
		char *name;

		if (h->name == NULL)
			continue;
		gl = glyph_for(h->glyph, h->ascii, c->utf8, g->hline);
		name = text_for(h->name, c->utf8);
		legend_add(&lg, xasprintf("%s%s %s", gl, gl, name));
		free(name);
	}
	if (c->nvlines > 0 && c->vline_name != NULL) {
		char *name = text_for(c->vline_name, c->utf8);
		legend_add(&lg, xasprintf("%s %s", g->vline, name));
		free(name);
	}
	if (lg.n > 0) {
		leg_lines = xcalloc(lg.n, sizeof *leg_lines);
		nleg = legend_wrap(&lg, c->width, leg_lines, lg.n);
	}

	p.rows = c->height - title - 2 - (int)nleg;
	if (p.rows < 2) {
		crf_fail(err, CRF_EINVAL, "a chart %d lines high has no room for its plot",
		    c->height);
		goto fail;
	}
	if (c->y_step > 0) {
		auto_y(c, p.rows, &p.ylo, &p.yhi);
	} else {
		p.ylo = c->y_min;
		p.yhi = c->y_max;
	}

	/* y labels, then the columns left for the plot. */
	p.ylabel = xcalloc((size_t)p.rows, sizeof *p.ylabel);
	if (c->ny_ticks > 0) {
		for (size_t i = 0; i < c->ny_ticks; i++)
			set_ylabel(c, &p, c->y_ticks[i]);
	} else if (c->y_label_every > 0) {
		for (int r = 0; r < p.rows; r++) {
			double v = p.yhi - r * (p.yhi - p.ylo) / (p.rows - 1);
			if (multiple_of(v, c->y_label_every))
				set_ylabel(c, &p, v);
		}
	} else {
		set_ylabel(c, &p, p.yhi);
		set_ylabel(c, &p, p.ylo);
	}
	if (c->label_hlines)
		for (size_t i = 0; i < c->nhlines; i++)
			set_ylabel(c, &p, c->hlines[i].y);
	for (int r = 0; r < p.rows; r++)
		if (p.ylabel[r] != NULL && text_cols(p.ylabel[r]) > lw)
			lw = text_cols(p.ylabel[r]);
	p.cols = c->width - lw - 2;
	if (p.cols < 10) {
		crf_fail(err, CRF_EINVAL, "a chart %d columns wide has no room for its plot",
		    c->width);
		goto fail;
	}
	p.cell = xcalloc((size_t)p.rows * (size_t)p.cols, sizeof *p.cell);

	/* Draw. */
	for (size_t i = 0; i < c->nvlines; i++) {
		int col = col_of(c, &p, c->vlines[i]);
		for (int r = 0; col >= 0 && r < p.rows; r++)
			put(&p, r, col, g->vline);
	}
	for (size_t i = 0; i < c->nhlines; i++) {
		const chart_hline *h = &c->hlines[i];
		const char *gl = glyph_for(h->glyph, h->ascii, c->utf8, g->hline);
		int r = row_of(&p, h->y);

		if (h->y < p.ylo - EPS || h->y > p.yhi + EPS)
			continue;
		for (int col = 0; col < p.cols; col++)
			put(&p, r, col, gl);
	}
	for (size_t s = 0; s < c->nseries; s++)
		if (c->series[s].style == CHART_STEP)
			draw_step(c, &p, &c->series[s], g);
	for (size_t s = 0; s < c->nseries; s++) {
		const chart_series *se = &c->series[s];
		const char *mark;

		if (se->mark == NULL && se->style == CHART_STEP)
			continue;
		mark = glyph_for(se->mark, se->ascii_mark, c->utf8, g->mark);
		for (size_t i = 0; i < se->n; i++) {
			int col = col_of(c, &p, se->x[i]);
			if (col >= 0)
				put(&p, value_row(c, &p, se->y[i]), col, mark);
		}
	}

	/* The lines. */
	if (title) {
		char *t = text_for(c->title, c->utf8);
		text_cut(t, c->width);
		sb_add(&b, t);
		free(t);
		add_line(out, &cap, &b);
	}
	for (int r = 0; r < p.rows; r++) {
		int pad = lw - (p.ylabel[r] ? text_cols(p.ylabel[r]) : 0);

		sb_addf(&b, "%*s%s ", pad, "", p.ylabel[r] ? p.ylabel[r] : "");
		sb_add(&b, p.ylabel[r] ? g->axis_tick : g->axis_v);
		for (int col = 0; col < p.cols; col++) {
			const char *cell = p.cell[r * p.cols + col];
			sb_add(&b, cell ? cell : " ");
		}
		add_line(out, &cap, &b);
	}
	/* x axis and its labels. */
	if (c->nx_ticks > 0) {
		ticks = c->x_ticks;
		nticks = c->nx_ticks;
	} else {
		auto_ticks = auto_x_ticks(c, p.cols, &nticks, &auto_labels);
		ticks = auto_ticks;
	}
	{
		char *axis = xcalloc((size_t)p.cols, 1);
		strbuf lab = {0};
		int end = -1;   /* the last column written on the label line */

		for (size_t i = 0; i < nticks; i++) {
			int col = col_of(c, &p, ticks[i].x);
			if (col >= 0)
				axis[col] = 1;
		}
		sb_addf(&b, "%*s%s", lw + 1, "", g->axis_corner);
		for (int col = 0; col < p.cols; col++)
			sb_add(&b, axis[col] ? g->x_tick : g->axis_h);
		add_line(out, &cap, &b);
		free(axis);

		for (size_t i = 0; i < nticks; i++) {
			int col = col_of(c, &p, ticks[i].x), pos, start, w;
			char *t;

			if (col < 0)
				continue;
			t = text_for(ticks[i].label, c->utf8);
			w = text_cols(t);
			pos = lw + 2 + col;
			start = pos - (w - 1) / 2;
			if (start + w > c->width)
				start = c->width - w;       /* the last label ends at the edge */
			if (start <= end + 1)
				start = end + 2;
			if (start > pos || start + w - 1 < pos || start + w > c->width) {
				free(t);
				continue;
			}
			sb_addf(&lab, "%*s%s", start - (end + 1), "", t);
			end = start + w - 1;
			free(t);
		}
		if (c->x_name != NULL) {
			char *t = text_for(c->x_name, c->utf8);
			int w = text_cols(t), start = c->width - w;

			if (start >= end + 3)
				sb_addf(&lab, "%*s%s", start - (end + 1), "", t);
			free(t);
		}
		if (lab.len > 0)
			sb_add(&b, lab.s);
		sb_free(&lab);
		add_line(out, &cap, &b);
	}
	for (size_t i = 0; i < nleg; i++) {
		sb_add(&b, leg_lines[i].s ? leg_lines[i].s : "");
		add_line(out, &cap, &b);
	}
	goto done;

fail:
	chart_lines_free(out);
	out->n = 0;
done:
	for (size_t i = 0; i < lg.n; i++)
		free(lg.entry[i]);
	free(lg.entry);
	for (size_t i = 0; leg_lines != NULL && i < lg.n; i++)
		sb_free(&leg_lines[i]);
	free(leg_lines);
	for (int r = 0; p.ylabel != NULL && r < p.rows; r++)
		free(p.ylabel[r]);
	free(p.ylabel);
	free(p.cell);
	for (size_t i = 0; auto_labels != NULL && i < nticks; i++)
		free(auto_labels[i]);
	free(auto_labels);
	free(auto_ticks);
	sb_free(&b);
	return out->n > 0 ? CRF_OK : CRF_EINVAL;
}

/* ---- The trial's charts -------------------------------------------------------- */

static int
exam_cmp(const void *pa, const void *pb)
{
	const edss_exam *a = pa, *b = pb;

	return (a->day > b->day) - (a->day < b->day);
}

crf_status
chart_edss(const edss_exam *ex, size_t n, int baseline, int level, long x_min,
    long x_max, int width, int height, bool utf8, chart_lines *out, crf_err *err)
{
	edss_exam *a = n ? xmalloc(n * sizeof *a) : NULL;
	double *x = n ? xmalloc(n * sizeof *x) : NULL, *y = n ? xmalloc(n * sizeof *y) : NULL;
	chart_series s = { "EDSS", x, y, 0, CHART_STEP, "●", 'o' };
	chart_hline h[2];
	char bname[32], lname[48], buf[8];
	size_t nh = 0;
	chart c = {
		.width = width, .height = height, .utf8 = utf8, .title = "EDSS",
		.x_name = "days", .x_min = (double)x_min, .x_max = (double)x_max,
		.y_min = 0, .y_max = 10, .y_step = 0.5, .y_label_every = 1,
		.label_hlines = true, .y_decimals = 1, .series = &s, .nseries = 1,
	};
	crf_status st;

	if (n > 0)
		memcpy(a, ex, n * sizeof *a);
	qsort(a, n, sizeof *a, exam_cmp);
	for (size_t i = 0; i < n; i++) {
		if (a[i].day < x_min || a[i].day > x_max)
			continue;
		x[s.n] = (double)a[i].day;
		y[s.n] = a[i].edss / 10.0;
		s.n++;
	}
	if (baseline >= 0) {
		edss_format(baseline, buf, sizeof buf);
		snprintf(bname, sizeof bname, "baseline %s", buf);
		h[nh++] = (chart_hline){ baseline / 10.0, bname, "┄", '.' };
	}
	if (level >= 0) {
		edss_format(level, buf, sizeof buf);
		snprintf(lname, sizeof lname, "progression at %s", buf);
		h[nh++] = (chart_hline){ level / 10.0, lname, "═", '=' };
	}
	c.hlines = h;
	c.nhlines = nh;
	st = chart_render(&c, out, err);
	free(a);
	free(x);
	free(y);
	return st;
}

static int
cbc_cmp(const void *pa, const void *pb)
{
	const cbc_day *a = pa, *b = pb;

	return (a->day > b->day) - (a->day < b->day);
}

crf_status
chart_counts(const cbc_day *d, size_t n, bool platelets, double threshold,
    long x_max, int width, int height, bool utf8, chart_lines *out, crf_err *err)
{
	double *x = n ? xmalloc(n * sizeof *x) : NULL, *y = n ? xmalloc(n * sizeof *y) : NULL;
	double *tx = n ? xmalloc(n * sizeof *tx) : NULL, *ty = n ? xmalloc(n * sizeof *ty) : NULL;
	chart_series s[2] = {
		{ platelets ? "platelets" : "neutrophils", x, y, 0, CHART_POINTS, "●", '*' },
		{ "platelet transfusion", tx, ty, 0, CHART_POINTS, "T", 'T' },
	};
	char tname[48];
	chart_hline h;
	chart c = {
		.width = width, .height = height, .utf8 = utf8,
		.title = platelets ? (utf8 ? "Platelets (×10⁹/L) after day 0" :
		    "Platelets (x10^9/L) after day 0") : utf8 ?
		    "Neutrophils (×10⁹/L) after day 0" : "Neutrophils (x10^9/L) after day 0",
		.x_name = "days", .x_min = 0, .x_max = x_max > 0 ? (double)x_max : 1,
		.y_min = 0, .y_max = 1e9, .y_step = platelets ? 1 : 0.1, .y_from_min = true,
		.label_hlines = true, .y_decimals = platelets ? 0 : 1, .series = s,
		.nseries = platelets ? 2 : 1, .hlines = &h, .nhlines = 1,
	};
	cbc_day *a = n ? xmalloc(n * sizeof *a) : NULL;
	crf_status st;

	if (n > 0)
		memcpy(a, d, n * sizeof *a);
	qsort(a, n, sizeof *a, cbc_cmp);
	for (size_t i = 0; i < n; i++) {
		double v = platelets ? a[i].plt : a[i].anc;

		if (a[i].day < 0 || a[i].day > c.x_max)
			continue;
		if (v >= 0) {
			x[s[0].n] = (double)a[i].day;
			y[s[0].n] = v;
			s[0].n++;
		}
		if (platelets && a[i].plt_tx) {
			tx[s[1].n] = (double)a[i].day;
			ty[s[1].n] = v >= 0 ? v : 0;
			s[1].n++;
		}
	}
	snprintf(tname, sizeof tname, "engraftment %g", threshold);
	h = (chart_hline){ threshold, tname, "┄", '.' };
	c.y_label_every = 0;
	st = chart_render(&c, out, err);
	free(a);
	free(x);
	free(y);
	free(tx);
	free(ty);
	return st;
}

crf_status
chart_km(const km_curve *k, const char *title, const char *name, int width,
    int height, bool utf8, chart_lines *out, crf_err *err)
{
	size_t n = k->n + 2;
	double *x = xmalloc(n * sizeof *x), *y = xmalloc(n * sizeof *y);
	double *cx = xmalloc(n * sizeof *cx), *cy = xmalloc(n * sizeof *cy);
	static const double years[] = { 365, 730, 1095 };
	static const double yt[] = { 0, 0.25, 0.5, 0.75, 1 };
	static const chart_tick xt[] = {
		{ 0, "0" }, { 365, "365" }, { 730, "730" }, { 1095, "1095" }
	};
	chart_series s[2] = {
		{ name, x, y, 0, CHART_STEP, NULL, 0 },
		{ "censored", cx, cy, 0, CHART_POINTS, "+", 'x' },
	};
	double last = k->n > 0 ? (double)k->steps[k->n - 1].time : 0;
	chart c = {
		.width = width, .height = height, .utf8 = utf8, .title = title,
		.x_name = "days", .x_min = 0, .x_max = last > 1095 ? last : 1095,
		.y_min = 0, .y_max = 1, .y_ticks = yt, .ny_ticks = 5, .y_decimals = 2,
		.x_ticks = xt, .nx_ticks = 4, .series = s, .nseries = 2,
		.vlines = years, .nvlines = 3, .vline_name = "1, 2 and 3 years",
	};
	crf_status st;

	x[0] = 0;
	y[0] = 1;
	s[0].n = 1;
	for (size_t i = 0; i < k->n; i++) {
		const km_step *t = &k->steps[i];

		if (t->events > 0) {
			x[s[0].n] = (double)t->time;
			y[s[0].n] = t->surv;
			s[0].n++;
		}
		if (t->censored > 0) {
			cx[s[1].n] = (double)t->time;
			cy[s[1].n] = t->surv;
			s[1].n++;
		}
	}
	/* The curve goes on to the last time. */
	if (k->n > 0 && x[s[0].n - 1] < last) {
		x[s[0].n] = last;
		y[s[0].n] = y[s[0].n - 1];
		s[0].n++;
	}
	st = chart_render(&c, out, err);
	free(x);
	free(y);
	free(cx);
	free(cy);
	return st;
}
