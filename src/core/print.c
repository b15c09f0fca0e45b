/*
 * print.c - the printed casebook of one subject; see print.h and
 * docs/print.md.
 *
 * Everything about the subject is read first (its record, its whole
 * audit trail, its saved forms, items, signatures, locks and queries),
 * then written in one pass.  The writer has a few block kinds (a heading,
 * a table of label and value lines, a note, an audit trail) and renders
 * each as text or as HTML, so the two formats hold the same things in
 * the same order.  Every string read from the database passes through
 * shown() (control characters as \xNN, ASCII when asked) and, in HTML,
 * html_add() (entities).  Text is wrapped by display columns.
 *
 * Completeness: every audit row of the subject is printed exactly once
 * (with its form, its event, the subject record, or at the end under
 * "other rows"), and every saved form instance is printed, described by
 * its definition when there is one and raw otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crf/audit.h"
#include "crf/date.h"
#include "crf/lifecycle.h"
#include "crf/print.h"
#include "crf/query.h"
#include "crf/record.h"
#include "crf/signoff.h"
#include "crf/validate.h"

/* How many times the subject is read again when it changed meanwhile. */
#define PRINT_TRIES 5

/* Columns of the label of a value (text), and of the form's facts. */
#define LABEL_VALUES 28
#define LABEL_FACTS 12
#define INDENT 2

/* Where a saved form instance is printed. */
enum { GROUP_EVENT = 0, GROUP_LOG = 1, GROUP_OTHER = 2 };

typedef struct pform {
	const form_row *row;
	const event_def *ev;      /* GROUP_EVENT: its event */
	const form_def *fd;       /* NULL: not in the definitions */
	int group;
	size_t ev_order;
	size_t form_order;
	form_key key;
	form_data data;
} pform;

typedef struct pc {
	store *st;
	const study_def *sd;
	const print_opts *o;
	print_format fmt;
	strbuf *out;
	const char *mark;         /* the changed-value mark */
	subject_row subj;
	audit_row *trail;
	size_t ntrail;
	bool *done;               /* trail rows printed */
	form_row *rows;
	size_t nrows;
	pform *forms;
	subject_item *items;
	size_t nitems;
	casebook *cb;
	signature_row *sigs;
	size_t nsigs;
	lock_row *locks;
	size_t nlocks;
	query_row *qs;
	size_t nqs;
	bool clock_back;          /* some row has the clock mark */
	bool table_fresh;         /* no row in the table begun yet */
} pc;

/* A line of a value cell. */
enum { LINE_PLAIN = 0, LINE_WARN = 1, LINE_MARK = 2 };
typedef struct cell {
	char *text;               /* owned, raw (shown() is applied on output) */
	int kind;
} cell;

typedef struct cells {
	cell *v;
	size_t n, cap;
} cells;

static void
cells_add(cells *c, int kind, char *text)
{
	xgrow(&c->v, sizeof *c->v, &c->cap, c->n + 1);
	c->v[c->n].text = text;
	c->v[c->n].kind = kind;
	c->n++;
}

static void
cells_free(cells *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].text);
	free(c->v);
	memset(c, 0, sizeof *c);
}

/* ---- Text for people ------------------------------------------------------- */

const char *
print_what(print_format fmt)
{
	return fmt == PRINT_HTML ? "print html" : "print text";
}

const char *
print_extension(print_format fmt)
{
	return fmt == PRINT_HTML ? "html" : "txt";
}

/* s as printed: control characters escaped (audit_printable), and in an
 * ASCII text copy every other character by its stand-in or '?'. */
static char *
shown(const pc *p, const char *s)
{
	char *t = audit_printable(s);
	strbuf b = { 0 };

	if (p->fmt != PRINT_TEXT || !p->o->ascii)
		return t;
	for (const char *q = t; *q;) {
		unsigned long cp;
		int len = utf8_next(q, &cp);

		if (len == 0) {   /* audit_printable gives valid UTF-8 */
			sb_add(&b, "?");
			q++;
			continue;
		}
		if (cp < 0x80) {
			sb_addn(&b, q, (size_t)len);
		} else {
			const char *a = ascii_fallback(cp);

			sb_add(&b, a != NULL ? a : "?");
		}
		q += len;
	}
	free(t);
	return sb_steal(&b);
}

/* "+08:00" as seconds east of UTC; false when it is not an offset. */
static bool
parse_offset(const char *off, long *secs)
{
	int h, m;
	char sign, end;

	if (off == NULL)
		return false;
	if (strcmp(off, "Z") == 0) {
		*secs = 0;
		return true;
	}
	if (sscanf(off, "%c%2d:%2d%c", &sign, &h, &m, &end) != 3 ||
	    (sign != '+' && sign != '-') || h > 23 || m > 59 || strlen(off) != 6)
		return false;
	*secs = (sign == '-' ? -1L : 1L) * (h * 3600L + m * 60L);
	return true;
}

/* A stored time as people read it: local time with its offset,
 * "2026-03-01 10:00:00 +08:00"; without a known offset, in UTC
 * ("2026-03-01 02:00:00 UTC"); text that is no time, as it is. */
static char *
time_text(const char *utc, const char *off)
{
	time_t t;
	long secs;
	struct tm tm;
	char buf[32];

	if (utc == NULL)
		return xstrdup("(no time)");
	if (!clock_parse(utc, &t))
		return xasprintf("%s%s%s", utc, off != NULL ? " " : "",
		    off != NULL ? off : "");
	if (!parse_offset(off, &secs)) {
		gmtime_r(&t, &tm);
		strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
		return xasprintf("%s UTC", buf);
	}
	t += secs;
	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
	return xasprintf("%s %s", buf, off);
}

/* The offset recorded with a time of the subject's trail (the same
 * change wrote both), or NULL. */
static const char *
offset_of(const pc *p, const char *utc)
{
	if (utc == NULL)
		return NULL;
	for (size_t i = p->ntrail; i-- > 0;)
		if (str_eq(p->trail[i].ts_utc, utc))
			return p->trail[i].tz_offset;
	return NULL;
}

/* A time of the subject's data with the offset of its change. */
static char *
when_text(const pc *p, const char *utc)
{
	return time_text(utc, offset_of(p, utc));
}

/* "login (Full Name)" from the trail's account names, or the login. */
static char *
who_text(const pc *p, const char *login)
{
	if (login == NULL)
		return xstrdup("(unknown)");
	for (size_t i = 0; i < p->ntrail; i++)
		if (str_eq(p->trail[i].user, login) && p->trail[i].user_name != NULL)
			return xasprintf("%s (%s)", login, p->trail[i].user_name);
	for (size_t i = 0; i < p->nsigs; i++)
		if (str_eq(p->sigs[i].login, login))
			return xasprintf("%s (%s)", login, p->sigs[i].full_name);
	return xstrdup(login);
}

/* ---- Output: text ------------------------------------------------------------ */

static int
cols_of(const char *s, size_t len)
{
	char buf[8];

	if (len >= sizeof buf)
		return 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return utf8_width(buf);
}

static void
spaces(strbuf *b, int n)
{
	for (int i = 0; i < n; i++)
		sb_add(b, " ");
}

/* Start a continuation line indented by cont. */
static int
t_newline(pc *p, int cont)
{
	sb_add(p->out, "\n");
	spaces(p->out, cont);
	return cont;
}

/*
 * Append text (already shown()) to the current line, which has col
 * columns so far, wrapping at PRINT_WIDTH: continuation lines are
 * indented by cont.  Words are kept whole when they fit a line and the
 * runs of blanks between them kept as they are; a word longer than a
 * line is cut.  Ends the line.
 */
static void
t_flow(pc *p, int col, int cont, const char *text)
{
	const char *s = text;

	while (*s) {
		const char *gap = s, *word;
		int gw, ww = 0;

		while (*s == ' ')
			s++;
		gw = (int)(s - gap);
		word = s;
		while (*s && *s != ' ') {
			unsigned long cp;
			int len = utf8_next(s, &cp);

			if (len == 0)
				len = 1;
			ww += cols_of(s, (size_t)len);
			s += len;
		}
		if (s == word)
			break;   /* blanks at the end */
		if (col + gw + ww <= PRINT_WIDTH) {
			sb_addn(p->out, gap, (size_t)gw);
			col += gw;
		} else if (cont + ww <= PRINT_WIDTH && col > cont) {
			col = t_newline(p, cont);
		} else if (cont + ww <= PRINT_WIDTH) {
			/* at the start of a line: the word without its blanks */
		} else if (col + gw < PRINT_WIDTH) {
			sb_addn(p->out, gap, (size_t)gw);   /* cut from here */
			col += gw;
		} else {
			col = t_newline(p, cont);
		}
		for (const char *q = word; q < s;) {
			unsigned long cp;
			int len = utf8_next(q, &cp), cw;

			if (len == 0)
				len = 1;
			cw = cols_of(q, (size_t)len);
			if (col + cw > PRINT_WIDTH && col > cont)
				col = t_newline(p, cont);
			sb_addn(p->out, q, (size_t)len);
			col += cw;
			q += len;
		}
	}
	sb_add(p->out, "\n");
}

/* A line of c characters across the page. */
static void
t_rule(pc *p, char c)
{
	for (int i = 0; i < PRINT_WIDTH; i++)
		sb_addn(p->out, &c, 1);
	sb_add(p->out, "\n");
}

/* ---- Output: HTML ------------------------------------------------------------ */

/* Append s with &, <, >, " and ' as entities. */
static void
html_add(strbuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': sb_add(b, "&amp;"); break;
		case '<': sb_add(b, "&lt;"); break;
		case '>': sb_add(b, "&gt;"); break;
		case '"': sb_add(b, "&quot;"); break;
		case '\'': sb_add(b, "&#39;"); break;
		default: sb_addn(b, s, 1); break;
		}
	}
}

/* Database text into the HTML: shown(), then escaped. */
static void
h_text(pc *p, const char *s)
{
	char *t = shown(p, s);

	html_add(p->out, t);
	free(t);
}

static const char html_style[] =
	"body{font:10pt/1.35 \"DejaVu Sans\",Arial,sans-serif;color:#000;"
	"background:#fff;margin:0 auto;max-width:62em;padding:1em}\n"
	"h1{font-size:16pt;margin:0 0 .4em}\n"
	"h2{font-size:13pt;border-bottom:2px solid #000;margin:1.6em 0 .5em}\n"
	"h3{font-size:11pt;background:#e8e8e8;padding:.2em .4em;margin:1.4em 0 .4em}\n"
	"h4{font-size:10pt;margin:.9em 0 .3em}\n"
	"table{border-collapse:collapse;width:100%;margin:.2em 0 .6em}\n"
	"th,td{border:1px solid #999;padding:.15em .4em;text-align:left;"
	"vertical-align:top}\n"
	"table.facts th,table.values th{width:30%;font-weight:normal;"
	"background:#f4f4f4}\n"
	"table.values th.section{width:auto;font-weight:bold;background:#fff}\n"
	"table.trail{font-size:8.5pt}\n"
	"table.trail th{background:#f4f4f4}\n"
	"td.num{text-align:right;white-space:nowrap}\n"
	".key{float:right;font-weight:normal;font-family:monospace}\n"
	".warn{font-weight:bold}\n"
	".mark{font-weight:bold}\n"
	".val{overflow-wrap:anywhere}\n"
	"p.note{margin:.3em 0}\n"
	"tr{page-break-inside:avoid;break-inside:avoid}\n"
	"thead{display:table-header-group}\n"
	"@page{size:A4;margin:15mm}\n"
	"@media print{body{max-width:none;padding:0}"
	"div.event{page-break-before:always;break-before:page}"
	"h2,h3,h4{page-break-after:avoid;break-after:avoid}}\n";

/* ---- Blocks -------------------------------------------------------------------- */

static void
doc_begin(pc *p, const char *title)
{
	if (p->fmt == PRINT_TEXT) {
		char *t = shown(p, title);

		t_rule(p, '=');
		t_flow(p, 0, 0, t);
		t_rule(p, '=');
		free(t);
		return;
	}
	sb_addf(p->out, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
	    "<meta charset=\"utf-8\"/>\n<title>", lang_code(p->o->lang));
	h_text(p, title);
	sb_add(p->out, "</title>\n<style>\n");
	sb_add(p->out, html_style);
	sb_add(p->out, "</style>\n</head>\n<body>\n<h1>");
	h_text(p, title);
	sb_add(p->out, "</h1>\n");
}

static void
doc_end(pc *p, const char *text)
{
	if (p->fmt == PRINT_TEXT) {
		char *t = shown(p, text);

		sb_add(p->out, "\n");
		t_rule(p, '=');
		t_flow(p, 0, 0, t);
		free(t);
		return;
	}
	sb_add(p->out, "<p class=\"note\">");
	h_text(p, text);
	sb_add(p->out, "</p>\n</body>\n</html>\n");
}

/* An event (or a log, or the other data): a new page when printed. */
static void
event_begin(pc *p, const char *title)
{
	if (p->fmt == PRINT_TEXT) {
		char *t = shown(p, title);

		sb_add(p->out, "\n\n");
		t_rule(p, '=');
		t_flow(p, 0, 0, t);
		t_rule(p, '=');
		free(t);
		return;
	}
	sb_add(p->out, "<div class=\"event\">\n<h2>");
	h_text(p, title);
	sb_add(p->out, "</h2>\n");
}

static void
event_end(pc *p)
{
	if (p->fmt == PRINT_HTML)
		sb_add(p->out, "</div>\n");
}

static void
form_begin(pc *p, const char *title, const char *where)
{
	if (p->fmt == PRINT_TEXT) {
		char *t = shown(p, title), *w = shown(p, where);
		int tw = utf8_width(t), ww = utf8_width(w);

		sb_add(p->out, "\n");
		t_rule(p, '-');
		if (tw + 2 + ww <= PRINT_WIDTH) {
			sb_add(p->out, t);
			spaces(p->out, PRINT_WIDTH - tw - ww);
			sb_add(p->out, w);
			sb_add(p->out, "\n");
		} else {
			t_flow(p, 0, 0, t);
			t_flow(p, 0, 0, w);
		}
		t_rule(p, '-');
		free(t);
		free(w);
		return;
	}
	sb_add(p->out, "<div class=\"form\">\n<h3><span class=\"key\">");
	h_text(p, where);
	sb_add(p->out, "</span>");
	h_text(p, title);
	sb_add(p->out, "</h3>\n");
}

static void
form_end(pc *p)
{
	if (p->fmt == PRINT_HTML)
		sb_add(p->out, "</div>\n");
}

static void
subheading(pc *p, const char *text)
{
	if (p->fmt == PRINT_TEXT) {
		char *t = shown(p, text);

		sb_add(p->out, "\n");
		spaces(p->out, INDENT);
		t_flow(p, INDENT, INDENT, t);
		free(t);
		return;
	}
	sb_add(p->out, "<h4>");
	h_text(p, text);
	sb_add(p->out, "</h4>\n");
}

static void
note(pc *p, const char *text)
{
	if (p->fmt == PRINT_TEXT) {
		char *t = shown(p, text);

		spaces(p->out, INDENT);
		t_flow(p, INDENT, INDENT, t);
		free(t);
		return;
	}
	sb_add(p->out, "<p class=\"note\">");
	h_text(p, text);
	sb_add(p->out, "</p>\n");
}

/* A table of labels and values: "facts" (a form's status, signatures) or
 * "values" (its fields). */
static void
table_begin(pc *p, const char *cls)
{
	p->table_fresh = true;
	if (p->fmt == PRINT_TEXT)
		sb_add(p->out, strcmp(cls, "values") == 0 ? "\n" : "");
	else
		sb_addf(p->out, "<table class=\"%s\">\n", cls);
}

static void
table_end(pc *p)
{
	if (p->fmt == PRINT_HTML)
		sb_add(p->out, "</table>\n");
}

/* A heading row inside a table of values (a section of the form). */
static void
table_section(pc *p, const char *title)
{
	if (p->fmt == PRINT_TEXT) {
		char *t = shown(p, title);
		int w = utf8_width(t);

		if (!p->table_fresh)
			sb_add(p->out, "\n");
		spaces(p->out, INDENT);
		if (INDENT + 4 + w <= PRINT_WIDTH) {   /* "-- Title ------" */
			sb_add(p->out, "-- ");
			sb_add(p->out, t);
			sb_add(p->out, " ");
			for (int i = INDENT + 4 + w; i < PRINT_WIDTH; i++)
				sb_add(p->out, "-");
			sb_add(p->out, "\n");
		} else {
			t_flow(p, INDENT, INDENT, t);
		}
		free(t);
		p->table_fresh = false;
		return;
	}
	sb_add(p->out, "<tr><th class=\"section\" colspan=\"2\">");
	h_text(p, title);
	sb_add(p->out, "</th></tr>\n");
}

/* One row: label, then its lines.  Text: the label in a column of
 * labelw, the lines beside it, each wrapped under the first. */
static void
table_row(pc *p, int labelw, const char *label, const cells *c)
{
	p->table_fresh = false;
	if (p->fmt == PRINT_TEXT) {
		char *l = shown(p, label);
		int lw = utf8_width(l), vcol = INDENT + labelw;

		spaces(p->out, INDENT);
		if (lw <= labelw - 2) {
			sb_add(p->out, l);
			spaces(p->out, labelw - lw);
		} else {   /* a long label on lines of its own */
			t_flow(p, INDENT, INDENT + 2, l);
			spaces(p->out, vcol);
		}
		for (size_t i = 0; i < c->n; i++) {
			char *t = shown(p, c->v[i].text);

			if (i > 0)
				spaces(p->out, vcol);
			if (c->v[i].kind == LINE_MARK) {
				char *m = xasprintf("%s %s", t, p->mark);

				free(t);
				t = m;
			}
			t_flow(p, vcol, vcol, t);
			free(t);
		}
		if (c->n == 0)
			sb_add(p->out, "\n");
		free(l);
		return;
	}
	sb_add(p->out, "<tr><th>");
	h_text(p, label);
	sb_add(p->out, "</th><td>");
	for (size_t i = 0; i < c->n; i++) {
		if (i > 0)
			sb_add(p->out, "<br/>");
		if (c->v[i].kind == LINE_WARN)
			sb_add(p->out, "<span class=\"warn\">");
		h_text(p, c->v[i].text);
		if (c->v[i].kind == LINE_WARN)
			sb_add(p->out, "</span>");
		if (c->v[i].kind == LINE_MARK)
			sb_addf(p->out, " <span class=\"mark\" title=\"changed after "
			    "first entry\">%s</span>", p->mark);
	}
	sb_add(p->out, "</td></tr>\n");
}

/* A row of one line. */
static void
table_row1(pc *p, int labelw, const char *label, int kind, char *text)
{
	cells c = { 0 };

	cells_add(&c, kind, text);
	table_row(p, labelw, label, &c);
	cells_free(&c);
}

/* ---- The audit trail ----------------------------------------------------------- */

/* A stored value as the trail shows it, not yet shown(): the value, a
 * missing-data code in brackets, both, or "(blank)" (audit_value_text()
 * without its escaping, which shown() does once). */
static char *
raw_value(const char *value, const char *missing)
{
	if (value == NULL && missing == NULL)
		return xstrdup("(blank)");
	if (value == NULL)
		return xasprintf("[%s]", missing);
	if (missing == NULL)
		return xstrdup(value);
	return xasprintf("%s [%s]", value, missing);
}

/* "scr/1 dm/1" (audit_where_text() without its escaping). */
static char *
raw_where(const char *event, int event_repeat, const char *form, int form_repeat)
{
	if (event != NULL && *event != '\0')
		return xasprintf("%s/%d %s/%d", event, event_repeat, form, form_repeat);
	return xasprintf("%s/%d", form, form_repeat);
}

static void
trail_row(pc *p, const audit_row *r)
{
	char *when = time_text(r->ts_utc, r->tz_offset);
	char *who = r->user_name != NULL ? xasprintf("%s (%s)", r->user,
	    r->user_name) : xstrdup(r->user != NULL ? r->user : "");
	char *old = raw_value(r->old_value, r->old_missing);
	char *new = raw_value(r->new_value, r->new_missing);
	char *what = r->field != NULL ? xasprintf("%s %s", r->action, r->field) :
	    xstrdup(r->action != NULL ? r->action : "");

	p->clock_back = p->clock_back || r->clock_back;
	if (p->fmt == PRINT_TEXT) {
		char *head = xasprintf("%c%5lld  %s  %s", r->clock_back ? '!' : ' ',
		    r->seq, when, who);
		char *body = xasprintf("%s: %s -> %s", what, old, new);
		char *t;

		spaces(p->out, INDENT);
		t = shown(p, head);
		t_flow(p, INDENT, INDENT + 8, t);
		free(t);
		spaces(p->out, INDENT + 8);
		t = shown(p, body);
		t_flow(p, INDENT + 8, INDENT + 8, t);
		free(t);
		if (r->reason != NULL) {
			char *reason = xasprintf("reason: %s", r->reason);

			spaces(p->out, INDENT + 8);
			t = shown(p, reason);
			t_flow(p, INDENT + 8, INDENT + 8, t);
			free(t);
			free(reason);
		}
		free(head);
		free(body);
	} else {
		sb_addf(p->out, "<tr><td class=\"num\">%s%lld</td><td>",
		    r->clock_back ? "! " : "", r->seq);
		h_text(p, when);
		sb_add(p->out, "</td><td>");
		h_text(p, who);
		sb_add(p->out, "</td><td>");
		h_text(p, what);
		sb_add(p->out, "</td><td class=\"val\">");
		h_text(p, old);
		sb_add(p->out, "</td><td class=\"val\">");
		h_text(p, new);
		sb_add(p->out, "</td><td>");
		h_text(p, r->reason != NULL ? r->reason : "");
		sb_add(p->out, "</td></tr>\n");
	}
	free(when);
	free(who);
	free(old);
	free(new);
	free(what);
}

/* The rows of the trail that match, each printed once, under title. */
typedef bool (*row_match)(const audit_row *r, const void *arg);

static void
trail(pc *p, const char *title, row_match match, const void *arg)
{
	size_t n = 0;
	char *head;

	for (size_t i = 0; i < p->ntrail; i++)
		if (!p->done[i] && match(&p->trail[i], arg))
			n++;
	if (n == 0)
		return;
	head = xasprintf("%s: %zu row%s", title, n, n == 1 ? "" : "s");
	subheading(p, head);
	free(head);
	if (p->fmt == PRINT_HTML)
		sb_add(p->out, "<table class=\"trail\">\n<thead><tr><th>Seq</th>"
		    "<th>Time</th><th>User</th><th>Action</th><th>Old</th>"
		    "<th>New</th><th>Reason</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < p->ntrail; i++) {
		if (p->done[i] || !match(&p->trail[i], arg))
			continue;
		trail_row(p, &p->trail[i]);
		p->done[i] = true;
	}
	if (p->fmt == PRINT_HTML)
		sb_add(p->out, "</tbody>\n</table>\n");
}

static bool
match_subject(const audit_row *r, const void *arg)
{
	(void)arg;
	return r->event == NULL;
}

typedef struct event_at {
	const char *event;
	int event_repeat;
} event_at;

static bool
match_event(const audit_row *r, const void *arg)
{
	const event_at *e = arg;

	return r->form == NULL && str_eq(r->event, e->event) &&
	    r->event_repeat == e->event_repeat;
}

static bool
match_form(const audit_row *r, const void *arg)
{
	const form_key *k = arg;

	return r->form != NULL && str_eq(r->event, k->event) &&
	    r->event_repeat == k->event_repeat && str_eq(r->form, k->form) &&
	    r->form_repeat == k->form_repeat;
}

static bool
match_any(const audit_row *r, const void *arg)
{
	(void)r;
	(void)arg;
	return true;
}

/* Was the field of the instance changed after it was first entered (more
 * than one create, update or clear in its trail)? */
static bool
changed_after_entry(const pc *p, const form_key *k, const char *field)
{
	int n = 0;

	for (size_t i = 0; i < p->ntrail; i++) {
		const audit_row *r = &p->trail[i];

		if (match_form(r, k) && str_eq(r->field, field) &&
		    (str_eq(r->action, "create") || str_eq(r->action, "update") ||
		    str_eq(r->action, "clear")) && ++n > 1)
			return true;
	}
	return false;
}

/* ---- Signatures and locks -------------------------------------------------------- */

static const char *
scope_noun(signoff_scope s)
{
	switch (s) {
	case SCOPE_FORM: return "form";
	case SCOPE_EVENT: return "visit";
	case SCOPE_CASEBOOK: return "casebook";
	}
	return "form";
}

/* The manifestation of a signature: printed name, login, time with
 * offset, meaning, and whether the data changed since. */
static void
signature_cells(const pc *p, const signature_row *g, cells *c)
{
	char *when = time_text(g->signed_at, g->tz_offset);

	cells_add(c, LINE_PLAIN, xasprintf("%s (%s), %s, %s signature", g->full_name,
	    g->login, when, scope_noun(g->scope)));
	cells_add(c, LINE_PLAIN, xasprintf("Meaning: %s", g->meaning));
	if (g->superseded)
		cells_add(c, LINE_PLAIN, xstrdup("replaced by a later signature of "
		    "the same data"));
	else if (g->changed)
		cells_add(c, LINE_WARN, xasprintf("! changed since signed: the %s's "
		    "data were changed after this signature; it must be signed again",
		    scope_noun(g->scope)));
	free(when);
	(void)p;
}

static void
signature_rows(pc *p, const char *label, bool (*want)(const signature_row *,
    const void *), const void *arg, bool say_none)
{
	bool any = false;

	for (size_t i = 0; i < p->nsigs; i++) {
		cells c = { 0 };

		if (!want(&p->sigs[i], arg))
			continue;
		signature_cells(p, &p->sigs[i], &c);
		table_row(p, LABEL_FACTS, label, &c);
		cells_free(&c);
		any = true;
	}
	if (!any && say_none)
		table_row1(p, LABEL_FACTS, label, LINE_PLAIN, xstrdup("not signed"));
}

static bool
sig_casebook(const signature_row *g, const void *arg)
{
	(void)arg;
	return g->scope == SCOPE_CASEBOOK;
}

static bool
sig_event(const signature_row *g, const void *arg)
{
	const event_at *e = arg;

	return g->scope == SCOPE_EVENT && str_eq(g->event, e->event) &&
	    g->event_repeat == e->event_repeat;
}

static bool
sig_form(const signature_row *g, const void *arg)
{
	return signature_covers(g, arg);
}

static void
lock_cells(const pc *p, const lock_row *l, cells *c)
{
	char *when = when_text(p, l->locked_at);
	char *who = who_text(p, l->locked_by);

	cells_add(c, LINE_PLAIN, xasprintf("locked by %s, %s, %s lock", who, when,
	    scope_noun(l->scope)));
	free(when);
	free(who);
}

/* The locks in force that want() picks. */
static void
lock_rows(pc *p, bool (*want)(const lock_row *, const void *), const void *arg,
    bool say_none)
{
	bool any = false;

	for (size_t i = 0; i < p->nlocks; i++) {
		cells c = { 0 };

		if (!want(&p->locks[i], arg))
			continue;
		lock_cells(p, &p->locks[i], &c);
		table_row(p, LABEL_FACTS, "Lock", &c);
		cells_free(&c);
		any = true;
	}
	if (!any && say_none)
		table_row1(p, LABEL_FACTS, "Lock", LINE_PLAIN, xstrdup("not locked"));
}

static bool
lock_casebook(const lock_row *l, const void *arg)
{
	(void)arg;
	return l->scope == SCOPE_CASEBOOK;
}

static bool
lock_event(const lock_row *l, const void *arg)
{
	const event_at *e = arg;

	return l->scope == SCOPE_EVENT && str_eq(l->event, e->event) &&
	    l->event_repeat == e->event_repeat;
}

static bool
lock_form(const lock_row *l, const void *arg)
{
	return lock_covers(l, arg);
}

/* ---- Values ------------------------------------------------------------------------ */

static const item_value *
find_item(const form_data *d, const char *field)
{
	for (size_t i = 0; i < d->nitems; i++)
		if (str_eq(d->items[i].field, field))
			return &d->items[i];
	return NULL;
}

/* A value as shown on screen, with its unit. */
static char *
value_text(const pc *p, const field_def *f, const char *value)
{
	size_t size = strlen(value) * 2 + 256;
	char *buf;
	char *out;

	if (f->choices != NULL)
		for (size_t i = 0; i < f->choices->nitems; i++)
			size += strlen(i18n_get(&f->choices->items[i].label, p->o->lang)) +
			    strlen(f->choices->items[i].code) + 4;
	buf = xmalloc(size);
	validate_display(f, value, p->o->date_fmt, p->o->lang, buf, size);
	if (f->unit != NULL && *f->unit != '\0' && *buf != '\0')
		out = xasprintf("%s %s", buf, f->unit);
	else
		out = xstrdup(buf);
	free(buf);
	return out;
}

/* "[UNK] Unknown" */
static char *
missing_text(const pc *p, const char *code)
{
	int i = study_missing_index(p->sd, code);

	if (i < 0)
		return xasprintf("[%s]", code);
	return xasprintf("[%s] %s", code, i18n_get(&p->sd->missing[i].label,
	    p->o->lang));
}

/* The lines of one item: the value (a memo's lines each), its missing
 * code, its flags; the changed mark on the last line. */
static void
item_cells(const pc *p, const field_def *f, const item_value *it, bool hidden,
    bool changed, cells *c)
{
	strbuf b = { 0 };

	if (it == NULL || ((it->value == NULL || *it->value == '\0') &&
	    it->missing == NULL)) {
		sb_add(&b, "(blank)");
	} else {
		if (it->value != NULL && *it->value != '\0') {
			char *v = f != NULL ? value_text(p, f, it->value) :
			    xstrdup(it->value);

			sb_add(&b, v);
			free(v);
		}
		if (it->missing != NULL) {
			char *m = missing_text(p, it->missing);

			sb_addf(&b, "%s%s", b.len > 0 ? " " : "", m);
			free(m);
		}
		if (it->flags & ITEM_SOFT_OK)
			sb_add(&b, " (outside the expected range: confirmed)");
	}
	if (hidden)
		sb_add(&b, " (hidden by its condition)");
	if (f == NULL)
		sb_add(&b, " (not in the current definition of the form)");
	/* A memo keeps its lines. */
	for (char *s = b.s, *nl; s != NULL; s = nl != NULL ? nl + 1 : NULL) {
		nl = strchr(s, '\n');
		cells_add(c, LINE_PLAIN, nl != NULL ? xstrndup(s,
		    (size_t)(nl - s)) : xstrdup(s));
	}
	if (changed && c->n > 0)
		c->v[c->n - 1].kind = LINE_MARK;
	sb_free(&b);
}

/* The values of a form instance: its definition's fields in order (info
 * texts left out; a field neither shown nor holding anything left out),
 * then stored items its definition does not have. */
static bool
form_values(pc *p, pform *f)
{
	const form_def *fd = f->fd;
	record *r = NULL;
	bool marked = false;
	size_t last_section = (size_t)-1;

	table_begin(p, "values");
	if (fd != NULL) {
		r = record_new(p->sd, fd, f->key.event, f->key.event_repeat,
		    f->key.form_repeat, &f->data, p->cb);
		for (size_t i = 0; i < fd->nfields; i++) {
			const field_def *fl = &fd->fields[i];
			const item_value *it = find_item(&f->data, fl->id);
			const char *label = i18n_get(&fl->label, p->o->lang);
			bool vis = record_visible(r, i), changed;
			cells c = { 0 };

			if (fl->type == FT_INFO || (!vis && it == NULL))
				continue;
			if (fd->nsections > 1 && fl->section != last_section) {
				const char *t = i18n_get(&fd->sections[fl->section].title,
				    p->o->lang);

				last_section = fl->section;
				if (*t != '\0')
					table_section(p, t);
			}
			changed = changed_after_entry(p, &f->key, fl->id);
			marked = marked || changed;
			item_cells(p, fl, it, !vis, changed, &c);
			table_row(p, LABEL_VALUES, *label != '\0' ? label : fl->id, &c);
			cells_free(&c);
		}
	}
	for (size_t i = 0; i < f->data.nitems; i++) {
		const item_value *it = &f->data.items[i];
		bool changed;
		cells c = { 0 };

		if (fd != NULL && form_field(fd, it->field) != NULL)
			continue;
		changed = changed_after_entry(p, &f->key, it->field);
		marked = marked || changed;
		item_cells(p, NULL, it, false, changed, &c);
		table_row(p, LABEL_VALUES, it->field, &c);
		cells_free(&c);
	}
	table_end(p);
	record_free(r);
	return marked;
}

/* ---- Queries ------------------------------------------------------------------------ */

static const char *
message_verb(const char *action)
{
	if (str_eq(action, "raise"))
		return "raised";
	if (str_eq(action, "answer"))
		return "answered";
	if (str_eq(action, "close"))
		return "closed";
	if (str_eq(action, "reopen"))
		return "reopened";
	return action != NULL ? action : "";
}

static crf_status
form_queries(pc *p, const pform *f, crf_err *err)
{
	size_t open = 0, closed = 0;
	crf_status cs = CRF_OK;

	for (size_t i = 0; i < p->nqs; i++) {
		const query_row *q = &p->qs[i];

		if (!str_eq(q->event, f->key.event) ||
		    q->event_repeat != f->key.event_repeat ||
		    !str_eq(q->form, f->key.form) ||
		    q->form_repeat != f->key.form_repeat)
			continue;
		if (q->state == QUERY_CLOSED)
			closed++;
		else
			open++;
	}
	if (open > 0) {
		char *h = xasprintf("Queries not closed: %zu", open);

		subheading(p, h);
		free(h);
		table_begin(p, "facts");
	}
	for (size_t i = 0; i < p->nqs && cs == CRF_OK; i++) {
		const query_row *q = &p->qs[i];
		query_message *m = NULL;
		size_t nm = 0;
		cells c = { 0 };
		const field_def *fl = q->field != NULL && f->fd != NULL ?
		    form_field(f->fd, q->field) : NULL;
		char *label;

		if (q->state == QUERY_CLOSED || !str_eq(q->event, f->key.event) ||
		    q->event_repeat != f->key.event_repeat ||
		    !str_eq(q->form, f->key.form) ||
		    q->form_repeat != f->key.form_repeat)
			continue;
		if ((cs = store_query_messages(p->st, q->id, &m, &nm, err)) != CRF_OK)
			break;
		if (q->field == NULL)
			cells_add(&c, LINE_PLAIN, xasprintf("%s%s, on the whole form",
			    query_state_name(q->state), q->automatic ? ", automatic" : ""));
		else if (fl != NULL)
			cells_add(&c, LINE_PLAIN, xasprintf("%s%s, on %s (%s)",
			    query_state_name(q->state), q->automatic ? ", automatic" : "",
			    i18n_get(&fl->label, p->o->lang), q->field));
		else
			cells_add(&c, LINE_PLAIN, xasprintf("%s%s, on %s",
			    query_state_name(q->state), q->automatic ? ", automatic" : "",
			    q->field));
		for (size_t j = 0; j < nm; j++) {
			char *when = time_text(m[j].at, m[j].tz_offset);
			char *who = m[j].full_name != NULL ? xasprintf("%s (%s)",
			    m[j].user, m[j].full_name) : xstrdup(m[j].user);

			cells_add(&c, LINE_PLAIN, xasprintf("%s %s %s%s%s", when, who,
			    message_verb(m[j].action), m[j].text != NULL ? ": " : "",
			    m[j].text != NULL ? m[j].text : ""));
			free(when);
			free(who);
		}
		label = xasprintf("Query %lld", q->id);
		table_row(p, LABEL_FACTS, label, &c);
		free(label);
		cells_free(&c);
		query_messages_free(m, nm);
	}
	if (open > 0)
		table_end(p);
	if (closed > 0 && cs == CRF_OK) {
		char *t = xasprintf("%zu closed quer%s on this form: %s in the audit "
		    "trail.", closed, closed == 1 ? "y" : "ies",
		    closed == 1 ? "its messages are" : "their messages are");

		if (p->fmt == PRINT_TEXT)
			sb_add(p->out, "\n");
		note(p, t);
		free(t);
	}
	return cs;
}

/* ---- A form, an event, the subject ------------------------------------------------- */

static char *
form_title(const pc *p, const pform *f)
{
	const char *id = f->row->form;

	if (f->fd == NULL)
		return xasprintf("Form %s #%d", id, f->key.form_repeat);
	if (f->fd->is_log || f->key.form_repeat > 1)
		return xasprintf("%s (%s) #%d", i18n_get(&f->fd->title, p->o->lang), id,
		    f->key.form_repeat);
	return xasprintf("%s (%s)", i18n_get(&f->fd->title, p->o->lang), id);
}

static crf_status
print_form(pc *p, pform *f, crf_err *err)
{
	char *title = form_title(p, f);
	char *where = raw_where(f->key.event, f->key.event_repeat, f->key.form,
	    f->key.form_repeat);
	char *when = when_text(p, f->data.updated_at);
	char *who = who_text(p, f->data.updated_by);
	strbuf st = { 0 };
	crf_status cs;
	bool marked;

	form_begin(p, title, where);
	table_begin(p, "facts");
	sb_addf(&st, "%s, version %d, saved %s by %s",
	    form_status_name(f->data.status), f->data.version, when, who);
	if (f->fd != NULL && f->data.form_version != f->fd->version)
		sb_addf(&st, ", under version %d of the form's definition (now %d)",
		    f->data.form_version, f->fd->version);
	table_row1(p, LABEL_FACTS, "Status", LINE_PLAIN, sb_steal(&st));
	if (f->data.sdv_by != NULL) {
		char *vwhen = when_text(p, f->data.sdv_at);
		char *vwho = who_text(p, f->data.sdv_by);

		table_row1(p, LABEL_FACTS, "Verified", LINE_PLAIN, xasprintf("source "
		    "data verified by %s, %s", vwho, vwhen));
		free(vwhen);
		free(vwho);
	} else {
		table_row1(p, LABEL_FACTS, "Verified", LINE_PLAIN,
		    xstrdup("not source-data verified"));
	}
	lock_rows(p, lock_form, &f->key, true);
	signature_rows(p, "Signature", sig_form, &f->key, true);
	table_end(p);

	marked = form_values(p, f);
	if (marked) {
		char *t = xasprintf("%s changed after it was first entered: the audit "
		    "trail below has every value it held.", p->mark);

		if (p->fmt == PRINT_TEXT)
			sb_add(p->out, "\n");
		note(p, t);
		free(t);
	}
	cs = form_queries(p, f, err);
	if (cs == CRF_OK)
		trail(p, "Audit trail of this form", match_form, &f->key);
	form_end(p);
	free(title);
	free(where);
	free(when);
	free(who);
	return cs;
}

static char *
block_title(const pc *p, const pform *f)
{
	switch (f->group) {
	case GROUP_EVENT:
		if (f->ev->repeating || f->key.event_repeat > 1)
			return xasprintf("%s (%s) #%d", i18n_get(&f->ev->title, p->o->lang),
			    f->ev->id, f->key.event_repeat);
		return xasprintf("%s (%s)", i18n_get(&f->ev->title, p->o->lang),
		    f->ev->id);
	case GROUP_LOG:
		return xasprintf("Log: %s (%s)", i18n_get(&f->fd->title, p->o->lang),
		    f->fd->id);
	default:
		if (f->key.event[0] == '\0')
			return xstrdup("Subject-level forms not in the current form "
			    "definitions");
		return xasprintf("Event %s #%d (not in the current form definitions)",
		    f->key.event, f->key.event_repeat);
	}
}

/* Does f start a new block after prev? */
static bool
new_block(const pform *prev, const pform *f)
{
	if (prev == NULL || prev->group != f->group)
		return true;
	if (f->group == GROUP_LOG)
		return !str_eq(prev->key.form, f->key.form);
	return !str_eq(prev->key.event, f->key.event) ||
	    prev->key.event_repeat != f->key.event_repeat;
}

/* The event's own signatures, locks and trail rows. */
static void
event_facts(pc *p, const pform *f)
{
	event_at e = { f->key.event, f->key.event_repeat };
	bool any = false;

	for (size_t i = 0; i < p->nsigs && !any; i++)
		any = sig_event(&p->sigs[i], &e);
	for (size_t i = 0; i < p->nlocks && !any; i++)
		any = lock_event(&p->locks[i], &e);
	if (any) {
		table_begin(p, "facts");
		signature_rows(p, "Signature", sig_event, &e, false);
		lock_rows(p, lock_event, &e, false);
		table_end(p);
	}
	trail(p, "Audit trail of this visit", match_event, &e);
}

static void
subject_facts(pc *p, size_t nforms)
{
	const study_def *sd = p->sd;
	const subject_row *s = &p->subj;
	char *when = when_text(p, s->created_at);
	char *who = who_text(p, s->created_by);
	char *printed, stamp_utc[32], stamp_off[16];
	strbuf b = { 0 };

	table_begin(p, "facts");
	sb_addf(&b, "%s (%s)", i18n_get(&sd->name, p->o->lang), sd->id);
	if (sd->protocol != NULL && *sd->protocol != '\0')
		sb_addf(&b, ", protocol %s", sd->protocol);
	sb_addf(&b, ", form definitions version %d", sd->metadata_version);
	table_row1(p, LABEL_FACTS, "Study", LINE_PLAIN, sb_steal(&b));
	table_row1(p, LABEL_FACTS, "Site", LINE_PLAIN, xasprintf("%s %s",
	    store_site_code(p->st), store_site_name(p->st)));
	sb_addf(&b, "%s, %s", s->key, subject_status_word(s->status));
	if (s->status_date != NULL)
		sb_addf(&b, " since %s", s->status_date);
	if (s->status_reason != NULL)
		sb_addf(&b, " (%s)", s->status_reason);
	table_row1(p, LABEL_FACTS, "Subject", LINE_PLAIN, sb_steal(&b));
	table_row1(p, LABEL_FACTS, "Study no.", LINE_PLAIN, xstrdup(s->study_no !=
	    NULL ? s->study_no : "none (not enrolled)"));
	table_row1(p, LABEL_FACTS, "Added", LINE_PLAIN, xasprintf("%s by %s", when,
	    who));
	clock_stamp(clock_now(), stamp_utc, sizeof stamp_utc, stamp_off,
	    sizeof stamp_off);
	printed = time_text(stamp_utc, stamp_off);
	if (p->o->printed_by != NULL)
		table_row1(p, LABEL_FACTS, "Printed", LINE_PLAIN, xasprintf("%s by %s",
		    printed, p->o->printed_by));
	else
		table_row1(p, LABEL_FACTS, "Printed", LINE_PLAIN, xstrdup(printed));
	table_row1(p, LABEL_FACTS, "Contents", LINE_PLAIN, xasprintf("%zu saved "
	    "form%s, %zu audit row%s", nforms, nforms == 1 ? "" : "s", p->ntrail,
	    p->ntrail == 1 ? "" : "s"));
	signature_rows(p, "Signature", sig_casebook, NULL, false);
	lock_rows(p, lock_casebook, NULL, false);
	table_end(p);
	if (p->fmt == PRINT_TEXT)
		sb_add(p->out, "\n");
	note(p, "Times are local times with their offset from UTC, as the "
	    "computer that made the change recorded them.");
	{
		char *t = xasprintf("%s marks a value changed after it was first "
		    "entered; the form's audit trail has every value it held. Values "
		    "in the audit trail are as stored; [CODE] is a missing-data code.",
		    p->mark);

		note(p, t);
		free(t);
	}
	trail(p, "Audit trail of the subject record", match_subject, NULL);
	free(when);
	free(who);
	free(printed);
}

/* ---- Reading ------------------------------------------------------------------------- */

static int
pform_cmp(const void *a, const void *b)
{
	const pform *x = a, *y = b;
	int c;

	if (x->group != y->group)
		return x->group - y->group;
	if (x->group == GROUP_EVENT && x->ev_order != y->ev_order)
		return x->ev_order < y->ev_order ? -1 : 1;
	if (x->group == GROUP_LOG && x->form_order != y->form_order)
		return x->form_order < y->form_order ? -1 : 1;
	if ((c = strcmp(x->key.event, y->key.event)) != 0)
		return c;
	if (x->key.event_repeat != y->key.event_repeat)
		return x->key.event_repeat - y->key.event_repeat;
	if (x->form_order != y->form_order)
		return x->form_order < y->form_order ? -1 : 1;
	if ((c = strcmp(x->key.form, y->key.form)) != 0)
		return c;
	return x->key.form_repeat - y->key.form_repeat;
}

/* Where each saved instance goes, in schedule order. */
static void
place_forms(pc *p)
{
	const study_def *sd = p->sd;

	p->forms = xcalloc(p->nrows ? p->nrows : 1, sizeof *p->forms);
	for (size_t i = 0; i < p->nrows; i++) {
		pform *f = &p->forms[i];
		const form_row *r = &p->rows[i];

		f->row = r;
		f->key = (form_key){ p->subj.id, r->event, r->event_repeat, r->form,
		    r->form_repeat };
		f->fd = study_form(sd, r->form);
		f->ev = r->event[0] != '\0' ? study_event(sd, r->event) : NULL;
		f->group = GROUP_OTHER;
		f->form_order = (size_t)-1;
		if (f->ev != NULL) {
			f->group = GROUP_EVENT;
			f->ev_order = f->ev->order;
			for (size_t j = 0; j < f->ev->nforms; j++)
				if (f->ev->forms[j] == f->fd)
					f->form_order = j;
		} else if (r->event[0] == '\0' && f->fd != NULL && f->fd->is_log) {
			for (size_t j = 0; j < sd->nlogs; j++)
				if (sd->logs[j] == f->fd) {
					f->group = GROUP_LOG;
					f->form_order = j;
				}
		}
	}
	qsort(p->forms, p->nrows, sizeof *p->forms, pform_cmp);
}

static void
pc_free(pc *p)
{
	for (size_t i = 0; p->forms != NULL && i < p->nrows; i++)
		form_data_clear(&p->forms[i].data);
	free(p->forms);
	form_rows_free(p->rows, p->nrows);
	subject_row_clear(&p->subj);
	audit_rows_free(p->trail, p->ntrail);
	free(p->done);
	casebook_free(p->cb);
	subject_items_free(p->items, p->nitems);
	signature_rows_free(p->sigs, p->nsigs);
	lock_rows_free(p->locks, p->nlocks);
	query_rows_free(p->qs, p->nqs);
	memset(p, 0, sizeof *p);
}

static crf_status
gather(pc *p, const char *subject, crf_err *err)
{
	query_filter qf = { .subject = subject };
	crf_status cs;

	if ((cs = store_find_subject(p->st, subject, &p->subj, err)) != CRF_OK)
		return cs;
	if ((cs = store_subject_history(p->st, subject, NULL, NULL, &p->trail,
	    &p->ntrail, err)) != CRF_OK)
		return cs;
	p->done = xcalloc(p->ntrail ? p->ntrail : 1, sizeof *p->done);
	if ((cs = store_list_forms(p->st, p->subj.id, &p->rows, &p->nrows, err)) !=
	    CRF_OK)
		return cs;
	place_forms(p);
	for (size_t i = 0; i < p->nrows; i++)
		if ((cs = store_load_form(p->st, &p->forms[i].key, &p->forms[i].data,
		    err)) != CRF_OK)
			return cs;
	if ((cs = store_load_subject_items(p->st, p->subj.id, &p->items,
	    &p->nitems, err)) != CRF_OK)
		return cs;
	p->cb = casebook_new(p->sd, p->items, p->nitems, clock_today());
	if ((cs = store_list_signatures(p->st, p->subj.id, &p->sigs, &p->nsigs,
	    err)) != CRF_OK)
		return cs;
	if ((cs = store_list_locks(p->st, p->subj.id, &p->locks, &p->nlocks,
	    err)) != CRF_OK)
		return cs;
	return store_list_queries(p->st, &qf, &p->qs, &p->nqs, err);
}

/* Has the subject's trail grown since it was read?  (Every change of its
 * data, signatures, locks and queries writes a row.) */
static crf_status
changed_since(pc *p, bool *changed, crf_err *err)
{
	audit_row *rows;
	size_t n;
	crf_status cs = store_subject_history(p->st, p->subj.key, NULL, NULL, &rows,
	    &n, err);

	if (cs != CRF_OK)
		return cs;
	*changed = n != p->ntrail || (n > 0 && rows[n - 1].seq !=
	    p->trail[n - 1].seq);
	audit_rows_free(rows, n);
	return CRF_OK;
}

static crf_status
write_once(pc *p, const char *subject, crf_err *err)
{
	crf_status cs = gather(p, subject, err);
	const pform *prev = NULL;
	char *t;

	if (cs != CRF_OK)
		return cs;
	t = xasprintf("Casebook of subject %s", p->subj.key);
	doc_begin(p, t);
	free(t);
	subject_facts(p, p->nrows);
	for (size_t i = 0; i < p->nrows && cs == CRF_OK; i++) {
		pform *f = &p->forms[i];

		if (new_block(prev, f)) {
			if (prev != NULL)
				event_end(p);
			t = block_title(p, f);
			event_begin(p, t);
			free(t);
			if (f->group == GROUP_EVENT)
				event_facts(p, f);
		}
		cs = print_form(p, f, err);
		prev = f;
	}
	if (cs != CRF_OK)
		return cs;
	if (prev != NULL)
		event_end(p);
	if (p->nrows == 0) {
		if (p->fmt == PRINT_TEXT)
			sb_add(p->out, "\n");
		note(p, "No form of this subject has been saved.");
	}
	/* Rows of events no saved form belongs to: still printed. */
	{
		size_t left = 0;

		for (size_t i = 0; i < p->ntrail; i++)
			left += !p->done[i];
		if (left > 0) {
			event_begin(p, "Other audit rows of this subject");
			trail(p, "Audit trail", match_any, NULL);
			event_end(p);
		}
	}
	if (p->clock_back) {
		if (p->fmt == PRINT_TEXT)
			sb_add(p->out, "\n");
		note(p, "! before a row's number: written with the computer's clock "
		    "set back (its time is earlier than the latest time already in "
		    "the site's trail).");
	}
	t = xasprintf("End of the casebook of subject %s: %zu saved form%s, %zu "
	    "audit row%s.", p->subj.key, p->nrows, p->nrows == 1 ? "" : "s",
	    p->ntrail, p->ntrail == 1 ? "" : "s");
	doc_end(p, t);
	free(t);
	return CRF_OK;
}

crf_status
print_casebook(store *st, const study_def *sd, const char *subject,
    print_format fmt, const print_opts *o, strbuf *out, crf_err *err)
{
	print_opts none = { 0 };
	size_t start = out->len;
	crf_status cs = CRF_OK;

	if (str_blank(subject))
		return crf_fail(err, CRF_EINVAL, "the subject is not named");
	for (int tries = 0; tries < PRINT_TRIES; tries++) {
		pc p = { .st = st, .sd = sd, .o = o != NULL ? o : &none, .fmt = fmt,
		    .out = out };
		bool changed = false;

		p.mark = fmt == PRINT_TEXT && p.o->ascii ? "+" : "\xe2\x80\xa0";
		if (out->s != NULL) {
			out->len = start;
			out->s[start] = '\0';
		}
		cs = write_once(&p, subject, err);
		if (cs == CRF_OK)
			cs = changed_since(&p, &changed, err);
		pc_free(&p);
		if (cs != CRF_OK || !changed)
			return cs;
	}
	return crf_fail(err, CRF_EBUSY, "%s kept changing while it was printed "
	    "(other sessions are saving): try again", subject);
}

/* ---- Out of the program -------------------------------------------------------------- */

char *
print_file_name(const char *subject, print_format fmt, time_t when)
{
	struct tm tm;
	char stamp[32];
	char *key = xstrdup(subject != NULL ? subject : "");
	char *out;

	for (char *c = key; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		    (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
			*c = '_';
	gmtime_r(&when, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	out = xasprintf("casebook-%s-%s.%s", key, stamp, print_extension(fmt));
	free(key);
	return out;
}

crf_status
print_casebook_stream(store *st, const study_def *sd, const char *subject,
    print_format fmt, const print_opts *o, FILE *fp, const char *where,
    crf_err *err)
{
	strbuf b = { 0 };
	crf_status cs = print_casebook(st, sd, subject, fmt, o, &b, err);

	if (cs == CRF_OK)
		cs = store_note_export(st, print_what(fmt), where, subject, err);
	if (cs == CRF_OK && (fwrite(b.s, 1, b.len, fp) != b.len || fflush(fp) != 0))
		cs = crf_fail(err, CRF_EIO, "cannot write the casebook to %s: %s",
		    where, strerror(errno));
	sb_free(&b);
	return cs;
}

/* A new name in dir for the copy: print_file_name(), then -2, -3... */
static char *
free_name(const char *dir, const char *subject, print_format fmt)
{
	char *base = print_file_name(subject, fmt, clock_now());
	size_t stem = strlen(base) - strlen(print_extension(fmt)) - 1;

	for (int i = 1; i < 1000; i++) {
		char *name = i == 1 ? xstrdup(base) : xasprintf("%.*s-%d.%s", (int)stem,
		    base, i, print_extension(fmt));
		char *path = path_join(dir != NULL ? dir : ".", name);
		struct stat sb;

		free(name);
		if (lstat(path, &sb) != 0 && errno == ENOENT) {
			free(base);
			return path;
		}
		free(path);
	}
	free(base);
	return NULL;
}

/* Is the file at path an SQLite database (the site database, a backup)? */
static bool
is_database(const char *path)
{
	char head[16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool db;

	if (fd < 0)
		return false;
	db = read(fd, head, sizeof head) == (ssize_t)sizeof head &&
	    memcmp(head, "SQLite format 3", 16) == 0;
	close(fd);
	return db;
}

crf_status
print_casebook_file(store *st, const study_def *sd, const char *subject,
    print_format fmt, const print_opts *o, const char *path, const char *dir,
    char **written, crf_err *err)
{
	strbuf b = { 0 };
	char *target, *tmp = NULL;
	crf_status cs;
	int fd = -1;

	if (written != NULL)
		*written = NULL;
	if (path != NULL && is_database(path))
		return crf_fail(err, CRF_EEXIST, "%s is a database: a printed copy "
		    "never replaces one; give another file name", path);
	target = path != NULL ? xstrdup(path) : free_name(dir, subject, fmt);
	if (target == NULL)
		return crf_fail(err, CRF_EEXIST, "no free file name for the casebook "
		    "in %s", dir != NULL ? dir : ".");
	cs = print_casebook(st, sd, subject, fmt, o, &b, err);
	if (cs == CRF_OK) {
		tmp = xasprintf("%s.tmp-XXXXXX", target);
		fd = mkstemp(tmp);
		if (fd < 0)
			cs = crf_fail(err, errno == ENOSPC ? CRF_EFULL : CRF_EIO,
			    "cannot write %s: %s", target, strerror(errno));
	}
	if (cs == CRF_OK) {
		size_t off = 0;

		while (off < b.len) {
			ssize_t w = write(fd, b.s + off, b.len - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				cs = crf_fail(err, errno == ENOSPC ? CRF_EFULL : CRF_EIO,
				    "cannot write %s: %s", target, strerror(errno));
				break;
			}
			off += (size_t)w;
		}
		if (cs == CRF_OK && fsync(fd) != 0)
			cs = crf_fail(err, CRF_EIO, "cannot write %s: %s", target,
			    strerror(errno));
	}
	if (fd >= 0 && close(fd) != 0 && cs == CRF_OK)
		cs = crf_fail(err, CRF_EIO, "cannot write %s: %s", target,
		    strerror(errno));
	if (cs == CRF_OK) {
		char *real = NULL, *d = path_dirname(target);
		char *rdir = realpath(d, NULL);
		const char *base = strrchr(target, '/');

		if (rdir != NULL)
			real = path_join(rdir, base != NULL ? base + 1 : target);
		cs = store_note_export(st, print_what(fmt), real != NULL ? real :
		    target, subject, err);
		free(real);
		free(rdir);
		free(d);
	}
	if (cs == CRF_OK && rename(tmp, target) != 0)
		cs = crf_fail(err, CRF_EIO, "cannot name the casebook %s (the audit "
		    "trail records it as printed): %s", target, strerror(errno));
	if (cs != CRF_OK && tmp != NULL)
		unlink(tmp);
	free(tmp);
	sb_free(&b);
	if (cs == CRF_OK && written != NULL)
		*written = target;
	else
		free(target);
	return cs;
}
