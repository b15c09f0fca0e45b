/*
 * app.h - the full-screen program: its state, the stack of screens and
 * the modal dialogs every screen may use.
 *
 * A screen is a small vtable (draw, handle an action, keep a draft on
 * hang-up, free) plus private data.  The main loop draws the top screen
 * into a fresh buffer after every key (curses sends the terminal only the
 * cells that changed), maps the key to an action through the key table
 * for the screen's context, and hands the action over.  Help and redraw
 * are handled here for every screen, and so is an action the signed-in
 * person's role may not do (keys.h, perm.h): it is refused with the
 * reason, and the screen never sees it.  Screens check again themselves
 * wherever they change data, and for typing, which has no action.
 */
#ifndef CRF_APP_H
#define CRF_APP_H

#include <stdbool.h>

#include "crf/config.h"
#include "crf/formdef.h"
#include "crf/perm.h"
#include "crf/store.h"
#include "crf/ui.h"

typedef struct app app;
typedef struct screen screen;

typedef enum scr_result {
	SCR_STAY,        /* keep this screen */
	SCR_POP,         /* close it, back to the one below */
	SCR_QUIT         /* leave the program */
} scr_result;

typedef struct screen_ops {
	const char *name;
	unsigned keyctx;                     /* KC_* of the key table */
	void (*draw)(screen *s, app *a);
	/* act is ACT_NONE for an ordinary character (k->ch). */
	scr_result (*handle)(screen *s, app *a, action act, const ui_key *k);
	/* The terminal is gone: keep unsaved entries (may be NULL). */
	void (*hangup)(screen *s, app *a);
	/* Called when a screen above it closes (refresh lists; may be NULL). */
	void (*resume)(screen *s, app *a);
	/* Called every few seconds while no key is pressed: re-read what
	 * other sessions may have changed (may be NULL). */
	void (*tick)(screen *s, app *a);
	void (*free)(screen *s);
} screen_ops;

struct screen {
	const screen_ops *ops;
	void *priv;
	screen *below;
};

struct app {
	crf_config *cfg;
	study_def *sd;
	store *st;
	char *login;          /* signed-in user, NULL before login */
	char *full_name;
	crf_role role;        /* the signed-in user's role; ROLE_NONE before login */
	screen *top;
	char msg[512];        /* the message line */
	ui_style msg_style;
};

/* Make a screen (priv owned by it from now on). */
screen *screen_new(const screen_ops *ops, void *priv);

/* Put s on top; it is drawn next. */
void app_push(app *a, screen *s);

/* Close the top screen (freed at once, without resuming the one below)
 * and put s in its place: set-up -> login -> subject list.  Call it from
 * the top screen's handle as its last act, then return SCR_STAY without
 * touching the old screen again. */
void app_replace(app *a, screen *s);

/* Run until the last screen closes, SCR_QUIT, input ends or hang-up.
 * Returns 0, or 1 after a hang-up (drafts kept). */
int app_run(app *a);

/* Lock the screen after idle_lock_minutes (the main loop calls it): hide
 * everything, keep drafts, ask the signed-in person's password.  Returns
 * false when the person signs out instead (or input ends). */
bool app_lock(app *a);

/* Set the message line (printf-style); cleared by the next key. */
void app_message(app *a, ui_style st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* May the signed-in person do it?  (perm_allows for their role.) */
bool app_may(const app *a, perm_action what);

/* app_may(), and when not: the plain reason on the message line ("A
 * monitor cannot enter data; monitors verify and raise queries"). */
bool app_check(app *a, perm_action what);

/* Draw the top screen with its title line, message line and key bar. */
void app_draw(app *a);

/* The title line: "crf · TJ01 · <title> ... <user>". */
void app_title(app *a, const char *title);

/* ---- Dialogs: modal, drawn over the current screen -------------------- */

/*
 * Ask a question with choices, each picked by its first letter (shown
 * in brackets) or with arrows and Enter: "[S]ave  [D]iscard  s[T]ay".
 * Returns the index chosen, or -1 on Esc (or hang-up).
 */
int dlg_ask(app *a, const char *title, const char *question,
    const char *const *choices, int nchoices);
/* The same with choice `initial` selected, so that Enter picks it: the
 * safe answer, where the first one would change or clear data. */
int dlg_ask_from(app *a, const char *title, const char *question,
    const char *const *choices, int nchoices, int initial);

/* Pick one line of a list; returns its index or -1. */
int dlg_pick(app *a, const char *title, const char *const *items, int n, int current);

/*
 * Read a line of text (masked for passwords).  Returns false on Esc
 * (or hang-up).  out receives UTF-8.
 */
bool dlg_input(app *a, const char *title, const char *prompt, bool masked,
    char *out, size_t size);
/* The same with initial (UTF-8, may be NULL) already typed in, the cursor
 * after it: Enter accepts it as it is (a date that defaults to today). */
bool dlg_input_from(app *a, const char *title, const char *prompt, bool masked,
    const char *initial, char *out, size_t size);

/* Show text (lines separated by '\n') until a key; scrollable. */
void dlg_text(app *a, const char *title, const char *text);

/* ---- Parts of a screen's own dialogs (the query dialog) ---------------- */

/* Where a dialog box is: top row, left column, rows, columns. */
typedef struct dlg_box {
	int y, x, h, w;
} dlg_box;

/* Draw the current screen, then a blank box of about h rows by w columns
 * (fitted to the screen, centred) with title on its top edge, and return
 * where it is.  The caller writes inside it (rows y+1 .. y+h-2, columns
 * x+2 .. x+w-3), then calls ui_flush(). */
dlg_box dlg_frame(app *a, const char *title, int h, int w);

/* The next key of a dialog: idle ticks are skipped.  False when input
 * has ended or the terminal hung up. */
bool dlg_key(ui_key *k);

/* Break text into lines of at most w columns (at blanks where words fit,
 * and at every '\n'); writes at most max lines, returns how many. */
int dlg_wrap(const char *text, int w, char lines[][256], int max);

#endif
