/*
 * lineedit.h - the text editor model of one field: a wide-character
 * buffer and a cursor, with no terminal behind it.
 *
 * Screens feed it keys as editing operations and draw what
 * lineedit_render() gives them; all of it is unit-tested without curses.
 * Widths are display columns (wcwidth): a CJK character takes two, a
 * combining mark none.  Needs setlocale(LC_CTYPE) to a UTF-8 locale.
 * A memo field is one buffer in which '\n' is an ordinary character that
 * the renderer shows on a new row.
 */
#ifndef CRF_LINEEDIT_H
#define CRF_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

typedef struct lineedit {
	wchar_t *buf;        /* NUL-terminated */
	size_t len;          /* characters */
	size_t cap;
	size_t cur;          /* cursor: 0..len */
	size_t scroll;       /* first character shown (single-line mode) */
	size_t maxlen;       /* 0 = unlimited; characters */
	bool multiline;      /* memo: '\n' allowed */
	bool changed;        /* set by any edit; the caller clears it */
} lineedit;

/* Start with UTF-8 text (invalid bytes become U+FFFD). */
void lineedit_init(lineedit *le, const char *utf8, size_t maxlen, bool multiline);
void lineedit_free(lineedit *le);
/* Replace the whole text; cursor at the end. */
void lineedit_set(lineedit *le, const char *utf8);
/* The text as UTF-8, owned by the caller. */
char *lineedit_text(const lineedit *le);

/* Editing.  Each returns true if it changed the text or cursor. */
bool lineedit_insert(lineedit *le, wchar_t c);  /* refuses control chars,
                                                  '\n' unless multiline,
                                                  and growth past maxlen */
bool lineedit_backspace(lineedit *le);
bool lineedit_delete(lineedit *le);             /* character under cursor */
bool lineedit_left(lineedit *le);
bool lineedit_right(lineedit *le);
bool lineedit_word_left(lineedit *le);          /* to start of word */
bool lineedit_word_right(lineedit *le);         /* past end of word */
bool lineedit_home(lineedit *le);               /* start of (visual) line */
bool lineedit_end(lineedit *le);
bool lineedit_delete_word_back(lineedit *le);   /* Ctrl-W */
bool lineedit_kill_to_end(lineedit *le);        /* Ctrl-K */
bool lineedit_clear(lineedit *le);              /* Ctrl-U */
bool lineedit_up(lineedit *le, int width);      /* multiline: previous row */
bool lineedit_down(lineedit *le, int width);

/*
 * Single-line rendering into `width` columns: adjusts le->scroll so the
 * cursor is visible, writes the visible part as UTF-8 into out (never a
 * character cut in half: a wide character that does not fit is shown as
 * a space) and returns the cursor's column (0..width-1).  Sets *more_left
 * and *more_right when text is hidden on either side (may be NULL).
 */
int lineedit_render(lineedit *le, int width, char *out, size_t outsize,
    bool *more_left, bool *more_right);

/*
 * Multi-line rendering: the text wrapped at `width` columns (and at each
 * '\n') into rows; row r (0-based) is written as UTF-8 into out.
 * lineedit_rows() gives the number of rows (at least 1);
 * lineedit_cursor_rowcol() where the cursor is.
 */
int lineedit_rows(const lineedit *le, int width);
void lineedit_row_text(const lineedit *le, int width, int row, char *out, size_t outsize);
void lineedit_cursor_rowcol(const lineedit *le, int width, int *row, int *col);

/* Display width in columns of the whole text (single line). */
int lineedit_width(const lineedit *le);

#endif
