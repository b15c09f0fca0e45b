/*
 * chart.h - text charts: values over time as steps or points, horizontal
 * reference lines, vertical marks, labelled axes and a legend in words,
 * rendered into exactly `height` lines of at most `width` columns.
 *
 * Pure: no terminal, no colour (monochrome by design), no output; the
 * screens and the report print the lines.  With utf8 the lines are drawn
 * with box-drawing characters (─ │ ┌ ┐ └ ┘ ┤ ┬ ┄ ┆) and the marks of the
 * series; otherwise in plain ASCII (- | + . :), and any other character
 * of a caller's text is replaced by its ASCII stand-in (ascii_fallback)
 * or '?'.  Every character of a label counts as one column.
 *
 * Layout, top to bottom: the title (when given), the plot rows with the
 * y labels left of the axis, the x axis with its ticks, the x labels
 * (and the axis name at the right end when it fits), the legend (wrapped
 * to the width).  Values map linearly to the nearest row and column;
 * y values outside the range are drawn on the edge row, points outside
 * the x range are left out.  A value below a reference line that would
 * fall on the line's row is drawn one row lower: a count under a
 * threshold never looks as if it reached it.  Trailing blanks are
 * trimmed.
 */
#ifndef CRF_CHART_H
#define CRF_CHART_H

#include <stdbool.h>
#include <stddef.h>

#include "crf/outcome.h"
#include "crf/status.h"

typedef enum chart_style {
	CHART_STEP = 0,    /* a value holds until the next point: horizontal
	                      to the next x, then vertical to its y */
	CHART_POINTS       /* a mark at each point, nothing between */
} chart_style;

typedef struct chart_series {
	const char *name;      /* legend text, or NULL for no legend entry */
	const double *x;       /* n points, x ascending */
	const double *y;
	size_t n;
	chart_style style;
	const char *mark;      /* UTF-8 mark of each point ("●"); NULL: no
	                          marks (a step line alone) */
	char ascii_mark;       /* the ASCII mark ('*'); used when mark is set */
} chart_series;

/* A horizontal reference line across the plot (drawn under the series). */
typedef struct chart_hline {
	double y;
	const char *name;      /* legend text ("baseline 4.0"), or NULL */
	const char *glyph;     /* UTF-8 character repeated ("┄"); NULL: "┄" */
	char ascii;            /* ASCII character ('.'); 0: '.' */
} chart_hline;

/* An x tick: its value and label. */
typedef struct chart_tick {
	double x;
	const char *label;
} chart_tick;

typedef struct chart {
	int width, height;     /* the lines: exactly height, each <= width */
	bool utf8;
	const char *title;     /* first line, or NULL */
	const char *x_name;    /* name of the x axis ("days"), or NULL */
	double x_min, x_max;   /* x_min < x_max */
	/* y range.  y_step == 0: exactly y_min..y_max (y_min < y_max).
	 * y_step > 0: chosen so that a row is y_step times 1, 2, 5, 10, 20,
	 * 50 ... (the smallest that fits), covering every point and line
	 * (and y_min itself when y_from_min), centred, inside y_min..y_max. */
	double y_min, y_max;
	double y_step;
	bool y_from_min;
	/* y labels: at y_ticks when given; else at every row whose value is
	 * a multiple of y_label_every (> 0); else at the top and bottom rows.
	 * With label_hlines also at each reference line's row.  A row keeps
	 * the first label it gets. */
	const double *y_ticks;
	size_t ny_ticks;
	double y_label_every;
	bool label_hlines;
	int y_decimals;        /* decimals of the y labels */
	/* x ticks: x_ticks when given; else every multiple of a step of 1, 2
	 * or 5 times a power of 10, the smallest whose labels fit. */
	const chart_tick *x_ticks;
	size_t nx_ticks;
	const chart_series *series;
	size_t nseries;
	const chart_hline *hlines;
	size_t nhlines;
	const double *vlines;  /* vertical marks at these x ("┆", ':') */
	size_t nvlines;
	const char *vline_name; /* their legend text, or NULL */
} chart;

typedef struct chart_lines {
	char **line;           /* owned, NUL-terminated UTF-8 or ASCII */
	size_t n;
} chart_lines;

/*
 * Render c into out (exactly c->height lines).  CRF_EINVAL, saying why,
 * when the ranges are empty or the chart leaves fewer than 2 plot rows or
 * 10 plot columns; out is then empty.  Free with chart_lines_free().
 */
crf_status chart_render(const chart *c, chart_lines *out, crf_err *err);
/* Free the lines and empty l. */
void chart_lines_free(chart_lines *l);

/*
 * EDSS over time: the n assessments (any order) as a step line with a
 * mark at each, the baseline (tenths, or negative: none) and the level an
 * increase must reach for progression (tenths, or negative: none) as
 * reference lines, x from x_min to x_max days (x_max > x_min; assessments
 * outside are left out) and the EDSS scale in half steps per row where
 * the height allows.  Title "EDSS", x axis "days".
 */
crf_status chart_edss(const edss_exam *ex, size_t n, int baseline, int level,
    long x_min, long x_max, int width, int height, bool utf8, chart_lines *out,
    crf_err *err);

/*
 * Neutrophils (platelets false) or platelets (true) after day 0: a mark
 * at each measured count of day 0 to x_max, the engraftment threshold as
 * a reference line and, for platelets, a mark "T" at each transfusion day
 * (at the day's count, or on the bottom row when none was measured).  The
 * y axis starts at 0, each row a 1-2-5 step of 0.1 (neutrophils) or 1
 * (platelets).  Title "Neutrophils (×10⁹/L) after day 0" or "Platelets
 * ...", with "(x10^9/L)" in ASCII; x axis "days".
 */
crf_status chart_counts(const cbc_day *d, size_t n, bool platelets,
    double threshold, long x_max, int width, int height, bool utf8,
    chart_lines *out, crf_err *err);

/*
 * A Kaplan-Meier curve: S(t) as a step line from (0, 1), a censoring mark
 * ("+", ASCII "x") at each time with a censoring, and marks at 1, 2 and 3
 * years (days 365, 730, 1095).  x runs from 0 to 1095 or the last time,
 * whichever is later; y from 0 to 1 labelled every 0.25.  name is the
 * curve's legend text; title may be NULL.
 */
crf_status chart_km(const km_curve *c, const char *title, const char *name,
    int width, int height, bool utf8, chart_lines *out, crf_err *err);

#endif
