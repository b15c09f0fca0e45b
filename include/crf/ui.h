/*
 * ui.h - the terminal: curses set-up and tear-down, keys in, styled and
 * width-clipped text out, the message line and the key bar.
 *
 * Only src/tui includes this.  With CRF_SCRIPT set, the program runs
 * headless for the in-process screen tests: curses draws into memory
 * (output to /dev/null), keys come from the script file, and the script
 * can dump the screen to a file (see tests/tui/README.md).
 */
#ifndef CRF_UI_H
#define CRF_UI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include "crf/keys.h"
#include "crf/status.h"

/* The pseudo-key ui_next_key() gives after UI_TICK_MS without a key. */
#define UI_KEY_TICK 0x7ffff
#define UI_TICK_MS 5000

typedef struct ui_key {
	bool is_key;      /* a curses KEY_* code rather than a character */
	wint_t ch;
} ui_key;

/* Set by SIGHUP and SIGTERM (and the script command :hangup). */
extern volatile sig_atomic_t ui_hangup;

/* Start curses (or the headless script mode).  Colour unless NO_COLOR
 * is set or the terminal has none.  Flow control off, raw keys, no Esc
 * delay.  On failure returns an error; the terminal is left as it was. */
crf_status ui_init(crf_err *err);

/* End curses; safe to call twice, and from crf_fatal_hook. */
void ui_end(void);

/* Size of the screen. */
int ui_rows(void);
int ui_cols(void);
/* True in a UTF-8 locale (box and chart glyphs; ASCII otherwise). */
bool ui_utf8(void);

/*
 * The next key.  Returns false when input has ended (script exhausted,
 * terminal gone) or a hang-up was signalled: the caller then keeps what
 * it must as a draft and leaves.
 * After UI_TICK_MS without a key it gives the pseudo-key UI_KEY_TICK
 * (is_key true).  Script commands (:dump FILE, :resize COLS ROWS,
 * :hangup, :tick) are carried out here.
 */
bool ui_next_key(ui_key *k);

/* Seconds since the last real key (ticks do not count).  In script mode
 * every :tick line counts as UI_TICK_MS of idleness, so tests need no
 * waiting. */
long ui_idle_seconds(void);

/* Write the screen as text, one right-trimmed line per row, to path. */
void ui_dump(const char *path);

typedef enum ui_style {
	ST_NORMAL,
	ST_TITLE,        /* top line */
	ST_HEADER,       /* section titles, column headers */
	ST_SELECTED,     /* the current line or field */
	ST_INPUT,        /* an editable field's value */
	ST_ERROR,        /* messages that refuse */
	ST_WARN,         /* soft-range flags, overdue */
	ST_DIM,          /* hints: units, ranges, help */
	ST_OK,           /* complete */
	ST_KEY,          /* key names in the key bar */
	ST_COUNT
} ui_style;

/*
 * Text at (y, x), clipped to at most maxw columns (never cutting a wide
 * character), in a style.  Returns the columns written.
 */
int ui_put(int y, int x, int maxw, ui_style st, const char *utf8);
/* printf-style ui_put. */
int ui_putf(int y, int x, int maxw, ui_style st, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Fill columns [x, x+w) of row y with blanks in a style. */
void ui_fill(int y, int x, int w, ui_style st);

/* The message line (second from the bottom) and the key bar of screen
 * ctx (bottom line), generated from the key table: only the keys the
 * role may use (keys_allowed). */
void ui_message(ui_style st, const char *msg);
void ui_keybar(unsigned ctx, crf_role role);

/* Place the terminal cursor (visible) or hide it. */
void ui_cursor(int y, int x);
void ui_no_cursor(void);

/* Erase the screen buffer before a redraw (curses then sends only what
 * changed) and, after drawing, send it. */
void ui_begin(void);
void ui_flush(void);

#endif
