/* lineedit.c - the field editor model: wide-character buffer, cursor, layout. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "crf/lineedit.h"
#include "crf/util.h"

#define REPLACEMENT ((wchar_t)0xfffd)

static bool
valid_cp(wchar_t c)
{
	return c >= 0 && c <= 0x10ffff && !(c >= 0xd800 && c <= 0xdfff);
}

/* Display columns of one character; non-printables take one. */
static int
cw(wchar_t c)
{
	int w = wcwidth(c);

	return w < 0 ? 1 : w;
}

/* Character i is a zero-width mark belonging to the character before it. */
static bool
attached(const lineedit *le, size_t i)
{
	return i > 0 && i < le->len && wcwidth(le->buf[i]) == 0 &&
	    le->buf[i - 1] != L'\n';
}

static size_t
next_boundary(const lineedit *le, size_t i)
{
	if (i >= le->len)
		return le->len;
	i++;
	while (attached(le, i))
		i++;
	return i;
}

static size_t
prev_boundary(const lineedit *le, size_t i)
{
	if (i == 0)
		return 0;
	i--;
	while (attached(le, i))
		i--;
	return i;
}

static int
cols_between(const lineedit *le, size_t a, size_t b)
{
	int n = 0;

	for (; a < b; a++)
		n += cw(le->buf[a]);
	return n;
}

/* Keep the cursor inside the text and off the marks of a character. */
static void
snap_cursor(lineedit *le)
{
	if (le->cur > le->len)
		le->cur = le->len;
	while (attached(le, le->cur))
		le->cur++;
}

static void
reserve(lineedit *le, size_t n)
{
	size_t cap;

	if (le->buf != NULL && n + 1 <= le->cap)
		return;
	cap = le->cap < 16 ? 16 : le->cap;
	while (cap < n + 1)
		cap *= 2;
	le->buf = xrealloc(le->buf, cap * sizeof *le->buf);
	le->cap = cap;
}

static void
remove_range(lineedit *le, size_t a, size_t b)
{
	if (b <= a)
		return;
	memmove(le->buf + a, le->buf + b, (le->len - b + 1) * sizeof *le->buf);
	le->len -= b - a;
	le->changed = true;
}

static void
decode_into(lineedit *le, const char *utf8)
{
	const char *p = utf8 ? utf8 : "";
	size_t left = strlen(p);
	mbstate_t st;

	memset(&st, 0, sizeof st);
	le->len = 0;
	reserve(le, left);
	while (left > 0) {
		wchar_t wc = 0;
		size_t n = mbrtowc(&wc, p, left, &st);

		if (n == (size_t)-2) {
			le->buf[le->len++] = REPLACEMENT;
			break;
		}
		if (n == (size_t)-1 || n == 0) {
			memset(&st, 0, sizeof st);
			wc = REPLACEMENT;
			n = 1;
		} else if (!valid_cp(wc)) {
			wc = REPLACEMENT;
		}
		le->buf[le->len++] = wc;
		p += n;
		left -= n;
	}
	le->buf[le->len] = L'\0';
}

/* UTF-8 bytes of c (U+FFFD for what UTF-8 cannot carry). */
static size_t
encode(wchar_t c, char *out)
{
	mbstate_t st;
	size_t n;

	memset(&st, 0, sizeof st);
	n = valid_cp(c) ? wcrtomb(out, c, &st) : (size_t)-1;
	if (n == (size_t)-1) {
		memcpy(out, "\xef\xbf\xbd", 3);
		n = 3;
	}
	return n;
}

/* A bounded UTF-8 writer that never stores part of a character. */
typedef struct outbuf {
	char *p;
	size_t left;
	bool full;
} outbuf;

static void
out_init(outbuf *o, char *out, size_t outsize)
{
	o->p = out;
	o->left = out != NULL ? outsize : 0;
	o->full = o->left == 0;
	if (o->left > 0)
		*o->p = '\0';
}

static void
out_char(outbuf *o, wchar_t c)
{
	char tmp[MB_LEN_MAX > 4 ? MB_LEN_MAX : 4];
	size_t n;

	if (o->full)
		return;
	if (wcwidth(c) < 0)
		c = REPLACEMENT;
	n = encode(c, tmp);
	if (n >= o->left) {
		o->full = true;
		return;
	}
	memcpy(o->p, tmp, n);
	o->p += n;
	o->left -= n;
	*o->p = '\0';
}

void
lineedit_init(lineedit *le, const char *utf8, size_t maxlen, bool multiline)
{
	memset(le, 0, sizeof *le);
	le->maxlen = maxlen;
	le->multiline = multiline;
	decode_into(le, utf8);
	le->cur = le->len;
}

void
lineedit_free(lineedit *le)
{
	free(le->buf);
	memset(le, 0, sizeof *le);
}

void
lineedit_set(lineedit *le, const char *utf8)
{
	wchar_t *old = le->buf;
	size_t oldlen = le->len;

	le->buf = NULL;
	le->cap = 0;
	decode_into(le, utf8);
	if (old == NULL || oldlen != le->len ||
	    wmemcmp(old, le->buf, le->len) != 0)
		le->changed = true;
	free(old);
	le->cur = le->len;
	le->scroll = 0;
}

char *
lineedit_text(const lineedit *le)
{
	strbuf sb = {0};
	char tmp[MB_LEN_MAX > 4 ? MB_LEN_MAX : 4];
	size_t i;

	for (i = 0; i < le->len; i++)
		sb_addn(&sb, tmp, encode(le->buf[i], tmp));
	return sb_steal(&sb);
}

static bool
insertable(const lineedit *le, wchar_t c)
{
	if (c == L'\n')
		return le->multiline;
	if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f))
		return false;
	return valid_cp(c);
}

bool
lineedit_insert(lineedit *le, wchar_t c)
{
	if (!insertable(le, c))
		return false;
	if (le->maxlen > 0 && le->len >= le->maxlen)
		return false;
	snap_cursor(le);
	reserve(le, le->len + 1);
	memmove(le->buf + le->cur + 1, le->buf + le->cur,
	    (le->len - le->cur + 1) * sizeof *le->buf);
	le->buf[le->cur++] = c;
	le->len++;
	le->changed = true;
	snap_cursor(le);
	return true;
}

bool
lineedit_backspace(lineedit *le)
{
	size_t p;

	snap_cursor(le);
	if (le->cur == 0)
		return false;
	p = prev_boundary(le, le->cur);
	remove_range(le, p, le->cur);
	le->cur = p;
	snap_cursor(le);
	return true;
}

bool
lineedit_delete(lineedit *le)
{
	snap_cursor(le);
	if (le->cur >= le->len)
		return false;
	remove_range(le, le->cur, next_boundary(le, le->cur));
	snap_cursor(le);
	return true;
}

static bool
move_to(lineedit *le, size_t pos)
{
	bool moved = pos != le->cur;

	le->cur = pos;
	return moved;
}

bool
lineedit_left(lineedit *le)
{
	snap_cursor(le);
	return move_to(le, prev_boundary(le, le->cur));
}

bool
lineedit_right(lineedit *le)
{
	snap_cursor(le);
	return move_to(le, next_boundary(le, le->cur));
}

static bool
is_word(wchar_t c)
{
	return iswalnum((wint_t)c);
}

static size_t
word_start_before(const lineedit *le, size_t i)
{
	while (i > 0 && !is_word(le->buf[prev_boundary(le, i)]))
		i = prev_boundary(le, i);
	while (i > 0 && is_word(le->buf[prev_boundary(le, i)]))
		i = prev_boundary(le, i);
	return i;
}

bool
lineedit_word_left(lineedit *le)
{
	snap_cursor(le);
	return move_to(le, word_start_before(le, le->cur));
}

bool
lineedit_word_right(lineedit *le)
{
	size_t i;

	snap_cursor(le);
	i = le->cur;
	while (i < le->len && !is_word(le->buf[i]))
		i = next_boundary(le, i);
	while (i < le->len && is_word(le->buf[i]))
		i = next_boundary(le, i);
	return move_to(le, i);
}

static size_t
line_start(const lineedit *le, size_t i)
{
	while (i > 0 && le->buf[i - 1] != L'\n')
		i--;
	return i;
}

static size_t
line_end(const lineedit *le, size_t i)
{
	while (i < le->len && le->buf[i] != L'\n')
		i++;
	return i;
}

bool
lineedit_home(lineedit *le)
{
	snap_cursor(le);
	return move_to(le, le->multiline ? line_start(le, le->cur) : 0);
}

bool
lineedit_end(lineedit *le)
{
	snap_cursor(le);
	return move_to(le, le->multiline ? line_end(le, le->cur) : le->len);
}

bool
lineedit_delete_word_back(lineedit *le)
{
	size_t p;

	snap_cursor(le);
	p = word_start_before(le, le->cur);
	if (p == le->cur)
		return false;
	remove_range(le, p, le->cur);
	le->cur = p;
	snap_cursor(le);
	return true;
}

bool
lineedit_kill_to_end(lineedit *le)
{
	size_t e;

	snap_cursor(le);
	if (le->cur >= le->len)
		return false;
	e = le->len;
	if (le->multiline) {
		e = line_end(le, le->cur);
		if (e == le->cur)
			e++;
	}
	remove_range(le, le->cur, e);
	snap_cursor(le);
	return true;
}

bool
lineedit_clear(lineedit *le)
{
	if (le->len == 0) {
		le->cur = 0;
		return false;
	}
	le->len = 0;
	le->buf[0] = L'\0';
	le->cur = 0;
	le->scroll = 0;
	le->changed = true;
	return true;
}

int
lineedit_width(const lineedit *le)
{
	return cols_between(le, 0, le->len);
}

/* Walks the wrapped layout: place() puts the pen on character i (or on
 * the end of the text), step() moves past it. */
typedef struct walker {
	const lineedit *le;
	int width;
	size_t i;
	int row;
	int col;
} walker;

static void
walk_init(walker *w, const lineedit *le, int width)
{
	w->le = le;
	w->width = width < 1 ? 1 : width;
	w->i = 0;
	w->row = 0;
	w->col = 0;
}

static void
walk_place(walker *w)
{
	wchar_t c;
	int cols;

	if (w->i >= w->le->len) {
		if (w->col >= w->width) {
			w->row++;
			w->col = 0;
		}
		return;
	}
	c = w->le->buf[w->i];
	cols = c == L'\n' ? 0 : cw(c);
	if ((c == L'\n' || cols > 0) && w->col >= w->width) {
		w->row++;
		w->col = 0;
	}
	if (cols > 0 && w->col > 0 && w->col + cols > w->width) {
		w->row++;
		w->col = 0;
	}
}

static void
walk_step(walker *w)
{
	wchar_t c = w->le->buf[w->i];

	if (c == L'\n') {
		w->row++;
		w->col = 0;
	} else {
		w->col += cw(c);
	}
	w->i++;
}

int
lineedit_rows(const lineedit *le, int width)
{
	walker w;

	walk_init(&w, le, width);
	for (;;) {
		walk_place(&w);
		if (w.i >= le->len)
			break;
		walk_step(&w);
	}
	return w.row + 1;
}

void
lineedit_row_text(const lineedit *le, int width, int row, char *out, size_t outsize)
{
	walker w;
	outbuf o;

	out_init(&o, out, outsize);
	walk_init(&w, le, width);
	for (;;) {
		walk_place(&w);
		if (w.i >= le->len || w.row > row)
			break;
		if (w.row == row && le->buf[w.i] != L'\n') {
			if (cw(le->buf[w.i]) > w.width)
				out_char(&o, L' ');
			else
				out_char(&o, le->buf[w.i]);
		}
		walk_step(&w);
	}
}

void
lineedit_cursor_rowcol(const lineedit *le, int width, int *row, int *col)
{
	size_t cur = le->cur > le->len ? le->len : le->cur;
	walker w;

	walk_init(&w, le, width);
	for (;;) {
		walk_place(&w);
		if (w.i >= cur)
			break;
		walk_step(&w);
	}
	if (w.col >= w.width) {
		w.row++;
		w.col = 0;
	}
	if (row != NULL)
		*row = w.row;
	if (col != NULL)
		*col = w.col;
}

/* Move to the row `delta` away, at the last position not right of col. */
static bool
vertical(lineedit *le, int width, int delta)
{
	int row, col, target;
	size_t best = (size_t)-1;
	walker w;

	if (!le->multiline)
		return false;
	snap_cursor(le);
	lineedit_cursor_rowcol(le, width, &row, &col);
	target = row + delta;
	if (target < 0)
		return false;
	walk_init(&w, le, width);
	for (;;) {
		walk_place(&w);
		if (w.row > target)
			break;
		if (w.row == target && w.col <= col && !attached(le, w.i))
			best = w.i;
		if (w.i >= le->len)
			break;
		walk_step(&w);
	}
	if (best == (size_t)-1)
		return false;
	return move_to(le, best);
}

bool
lineedit_up(lineedit *le, int width)
{
	return vertical(le, width, -1);
}

bool
lineedit_down(lineedit *le, int width)
{
	return vertical(le, width, 1);
}

/* Choose le->scroll for a view `width` columns wide (see the header). */
static void
adjust_scroll(lineedit *le, int width)
{
	int need, limit, margin, span, tail;
	size_t s, p;

	if (le->scroll > le->len)
		le->scroll = le->len;
	while (attached(le, le->scroll))
		le->scroll--;
	need = le->cur < le->len ? cw(le->buf[le->cur]) : 1;
	if (need < 1)
		need = 1;
	limit = width - need;
	if (limit < 0)
		limit = 0;
	margin = width / 4;
	if (margin > limit)
		margin = limit;

	if (le->cur < le->scroll)
		span = margin;
	else if (cols_between(le, le->scroll, le->cur) > limit)
		span = limit - margin;
	else
		span = -1;
	if (span >= 0) {
		int acc = 0;

		s = le->cur;
		while (s > 0) {
			p = prev_boundary(le, s);
			acc += cols_between(le, p, s);
			if (acc > span)
				break;
			s = p;
		}
		le->scroll = s;
	}

	tail = cols_between(le, le->scroll, le->len);
	while (le->scroll > 0) {
		p = prev_boundary(le, le->scroll);
		tail += cols_between(le, p, le->scroll);
		if (tail > width - 1)
			break;
		le->scroll = p;
	}
}

int
lineedit_render(lineedit *le, int width, char *out, size_t outsize,
    bool *more_left, bool *more_right)
{
	bool right = false;
	outbuf o;
	size_t i;
	int col = 0;

	out_init(&o, out, outsize);
	if (more_left != NULL)
		*more_left = false;
	if (more_right != NULL)
		*more_right = false;
	if (width < 1)
		return 0;
	snap_cursor(le);
	adjust_scroll(le, width);

	for (i = le->scroll; i < le->len; i++) {
		int w = cw(le->buf[i]);

		if (col + w > width) {
			for (; col < width; col++)
				out_char(&o, L' ');
			right = true;
			break;
		}
		out_char(&o, le->buf[i]);
		col += w;
	}
	if (more_left != NULL)
		*more_left = le->scroll > 0;
	if (more_right != NULL)
		*more_right = right;
	return cols_between(le, le->scroll, le->cur);
}
