/* app.c - the main loop, the screen stack and the modal dialogs. */
#include <ctype.h>
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crf/app.h"
#include "crf/lineedit.h"
#include "crf/screens.h"
#include "crf/util.h"

screen *
screen_new(const screen_ops *ops, void *priv)
{
	screen *s = xcalloc(1, sizeof *s);

	s->ops = ops;
	s->priv = priv;
	return s;
}

void
app_push(app *a, screen *s)
{
	s->below = a->top;
	a->top = s;
}

void
app_replace(app *a, screen *s)
{
	screen *old = a->top;

	if (old) {
		a->top = old->below;
		if (old->ops->free)
			old->ops->free(old);
		free(old);
	}
	app_push(a, s);
}

static void
app_pop(app *a)
{
	screen *s = a->top;

	if (s == NULL)
		return;
	a->top = s->below;
	if (s->ops->free)
		s->ops->free(s);
	free(s);
	if (a->top && a->top->ops->resume)
		a->top->ops->resume(a->top, a);
}

void
app_message(app *a, ui_style st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->msg, sizeof a->msg, fmt, ap);
	va_end(ap);
	a->msg_style = st;
}

bool
app_may(const app *a, perm_action what)
{
	return perm_allows(a->role, what);
}

bool
app_check(app *a, perm_action what)
{
	char why[256];

	if (perm_explain(a->role, what, why, sizeof why))
		return true;
	app_message(a, ST_ERROR, "%s", why);
	return false;
}

void
app_title(app *a, const char *title)
{
	int cols = ui_cols();
	char right[128];
	int rw;

	ui_fill(0, 0, cols, ST_TITLE);
	snprintf(right, sizeof right, "%s", a->full_name ? a->full_name : "");
	rw = utf8_width(right);
	ui_putf(0, 0, cols - rw - 1, ST_TITLE, "crf %s %s", a->cfg->site_code, title);
	if (rw && rw < cols)
		ui_put(0, cols - rw, rw, ST_TITLE, right);
}

/* The help page, generated from the key table. */
static void
show_help(app *a, unsigned ctx)
{
	size_t n;
	const key_binding *t = keys_table(&n);
	strbuf sb = {0};

	if (a->role != ROLE_NONE)
		sb_addf(&sb, "Signed in as %s, %s: %s. Keys for what your role does not "
		    "do are left out.\n\n", a->full_name ? a->full_name : a->login ? a->login : "",
		    role_title(a->role), role_duties(a->role));
	sb_add(&sb, "Keys of this screen (each has a function key and a Ctrl key;\n"
	    "use the Ctrl key when function keys do not reach crf):\n\n");
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1)
			sb_add(&sb, "\nOther keys:\n\n");
		for (size_t i = 0; i < n; i++) {
			char keys[32];
			bool here = (t[i].screens & ctx) != 0;
			if (here != (pass == 0) || t[i].act == ACT_NONE || !keys_allowed(&t[i], a->role))
				continue;
			keys_describe(&t[i], keys, sizeof keys);
			sb_addf(&sb, "  %-9s %s\n", keys[0] ? keys : "", t[i].help);
		}
	}
	if (a->role != ROLE_NONE && !app_may(a, PERM_ENTER))
		sb_add(&sb, "\nForms are read-only for your role: Tab, Enter, Up and Down move\n"
		    "from field to field, and nothing you type changes a value.");
	else
		sb_add(&sb, "\nIn a field: type to enter; Left/Right, Home/End (^A/^E) move;\n"
		    "BS and Del erase; ^W erases a word, ^K to the end, ^U the whole value.\n"
		    "Choices: type the number (or the code) or the first letter; Space opens the list.\n"
		    "Multiple choice: type numbers or codes separated by blanks (1 3 or HSV CMV).\n"
		    "Dates: 2026-03-07, 20260307 or 07MAR2026; partial dates 2026-03 or 2026.");
	dlg_text(a, "Help", sb.s);
	sb_free(&sb);
}

void
app_draw(app *a)
{
	/* Message and key bar first: the screen places the cursor last. */
	ui_begin();
	ui_message(a->msg_style, a->msg);
	if (a->top) {
		ui_keybar(a->top->ops->keyctx, a->role);
		a->top->ops->draw(a->top, a);
	}
}

/*
 * The idle lock: nothing of the study stays on the screen, unsaved
 * entries are kept as drafts (the screens stay as they were, so work
 * goes on after the password), and only the signed-in person's password
 * opens it again.  False: the person chose to sign out, or input ended.
 */
bool
app_lock(app *a)
{
	char pw[256], q[256];
	user_row u;
	crf_err e;

	for (screen *s = a->top; s; s = s->below)
		if (s->ops->hangup)
			s->ops->hangup(s, a);
	for (;;) {
		screen *saved = a->top;
		bool ok;

		/* Draw nothing but the title and the prompt. */
		a->top = NULL;
		snprintf(q, sizeof q, "Screen locked: %s", a->login);
		if (a->msg_style != ST_ERROR)
			app_message(a, ST_DIM, "Locked after %d minute%s without a key. "
			    "Esc signs out (unsaved entries are kept).", a->cfg->idle_lock_minutes,
			    a->cfg->idle_lock_minutes == 1 ? "" : "s");
		ok = dlg_input(a, q, "Password:", true, pw, sizeof pw);
		a->top = saved;
		if (!ok)
			return false;
		store_set_login_limit(a->st, a->cfg->failed_login_limit);
		store_set_password_max_age(a->st, a->cfg->password_max_age_days);
		if (store_login(a->st, a->login, pw, &u, &e) == CRF_OK) {
			/* Reset by an administrator meanwhile, or expired: a new
			 * password first, still without the study on screen. */
			bool must = u.must_change, changed = false;

			if (must) {
				a->top = NULL;
				changed = users_forced_password_change(a, &u, pw);
				a->top = saved;
			}
			memset(pw, 0, sizeof pw);
			user_row_clear(&u);
			if (must && !changed)
				return false;
			if (!must)
				app_message(a, ST_OK, "Unlocked");
			return true;
		}
		memset(pw, 0, sizeof pw);
		if (strstr(e.msg, "locked") != NULL) {
			/* Locked by wrong passwords: only an administrator can
			 * open it again; the drafts are kept. */
			e.msg[0] = (char)toupper((unsigned char)e.msg[0]);
			app_message(a, ST_ERROR, "%s", e.msg);
			dlg_text(a, "Account locked", e.msg);
			return false;
		}
		app_message(a, ST_ERROR, "The password is wrong");
	}
}

int
app_run(app *a)
{
	ui_key k;
	store *tuned = NULL;   /* the store the site's settings were given to */

	while (a->top) {
		screen *s = a->top;
		action act;
		scr_result r;

		/* Once per store, however it came (opened at start, created
		 * by the set-up screen): config.ini [monitoring] auto_queries. */
		if (a->st != NULL && a->st != tuned) {
			store_set_auto_queries(a->st, a->cfg->auto_queries);
			tuned = a->st;
		}
		app_draw(a);
		ui_flush();
		if (!ui_next_key(&k))
			break;
		if (k.is_key && k.ch == UI_KEY_TICK) {
			if (a->login && ui_idle_seconds() >= 60L * a->cfg->idle_lock_minutes) {
				if (!app_lock(a))
					break;
				continue;
			}
			if (s->ops->tick)
				s->ops->tick(s, a);
			continue;
		}
		a->msg[0] = '\0';
		act = keys_action(k.is_key, k.ch, s->ops->keyctx);
		if (act == ACT_HELP) {
			show_help(a, s->ops->keyctx);
			continue;
		}
		if (act == ACT_REDRAW) {
			if (!(k.is_key && k.ch == KEY_RESIZE))
				clearok(curscr, TRUE);
			continue;
		}
		if (!app_check(a, keys_needs(act)))
			continue;
		r = s->ops->handle(s, a, act, &k);
		if (r == SCR_POP)
			app_pop(a);
		else if (r == SCR_QUIT)
			while (a->top)
				app_pop(a);
	}
	/* Hang-up, or input ended (terminal gone, script done): every screen
	 * keeps its unsaved entries as a draft. */
	for (screen *s = a->top; s; s = s->below)
		if (s->ops->hangup)
			s->ops->hangup(s, a);
	while (a->top)
		app_pop(a);
	/* The session ends: audited, and the store allows nothing more. */
	if (a->st != NULL && a->login != NULL)
		store_logout(a->st, NULL);
	return ui_hangup ? 1 : 0;
}

/* ---- Dialogs ---------------------------------------------------------------------- */

static dlg_box
box_center(int h, int w)
{
	dlg_box b;

	if (w > ui_cols() - 2)
		w = ui_cols() - 2;
	if (h > ui_rows() - 2)
		h = ui_rows() - 2;
	if (w < 10)
		w = 10;
	if (h < 3)
		h = 3;
	b.h = h;
	b.w = w;
	b.y = (ui_rows() - h) / 2;
	b.x = (ui_cols() - w) / 2;
	if (b.y < 1)
		b.y = 1;
	if (b.x < 0)
		b.x = 0;
	return b;
}

static void
box_draw(const dlg_box *b, const char *title)
{
	const char *h = ui_utf8() ? "─" : "-";
	const char *v = ui_utf8() ? "│" : "|";
	const char *c[4] = { "+", "+", "+", "+" };

	if (ui_utf8()) {
		c[0] = "┌"; c[1] = "┐"; c[2] = "└"; c[3] = "┘";
	}
	for (int y = b->y; y < b->y + b->h; y++)
		ui_fill(y, b->x, b->w, ST_NORMAL);
	for (int x = b->x + 1; x < b->x + b->w - 1; x++) {
		ui_put(b->y, x, 1, ST_NORMAL, h);
		ui_put(b->y + b->h - 1, x, 1, ST_NORMAL, h);
	}
	for (int y = b->y + 1; y < b->y + b->h - 1; y++) {
		ui_put(y, b->x, 1, ST_NORMAL, v);
		ui_put(y, b->x + b->w - 1, 1, ST_NORMAL, v);
	}
	ui_put(b->y, b->x, 1, ST_NORMAL, c[0]);
	ui_put(b->y, b->x + b->w - 1, 1, ST_NORMAL, c[1]);
	ui_put(b->y + b->h - 1, b->x, 1, ST_NORMAL, c[2]);
	ui_put(b->y + b->h - 1, b->x + b->w - 1, 1, ST_NORMAL, c[3]);
	if (title && *title)
		ui_putf(b->y, b->x + 2, b->w - 4, ST_HEADER, " %s ", title);
}

/* Split text into lines of at most w columns (words kept whole when they
 * fit); returns the number of lines, writing at most max of them. */
static int
wrap_lines(const char *text, int w, char lines[][256], int max)
{
	int n = 0;
	const char *p = text;

	while (*p && n < max) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char seg[1024];

		if (len >= sizeof seg)
			len = sizeof seg - 1;
		memcpy(seg, p, len);
		seg[len] = '\0';
		/* Break the segment by width at spaces. */
		{
			char *s = seg;
			while (n < max) {
				size_t cut = strlen(s);
				char tmp[1024];
				str_copy(tmp, s, sizeof tmp);
				while (utf8_width(tmp) > w && cut > 0) {
					char *sp = strrchr(tmp, ' ');
					if (sp && sp != tmp) {
						*sp = '\0';
					} else {
						tmp[cut - 1] = '\0';
					}
					cut = strlen(tmp);
				}
				str_copy(lines[n++], tmp, 256);
				s += cut;
				while (*s == ' ')
					s++;
				if (*s == '\0')
					break;
			}
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	return n;
}

bool
dlg_key(ui_key *k)
{
	do {
		if (!ui_next_key(k))
			return false;
	} while (k->is_key && k->ch == UI_KEY_TICK);
	return true;
}

int
dlg_wrap(const char *text, int w, char lines[][256], int max)
{
	return wrap_lines(text, w, lines, max);
}

dlg_box
dlg_frame(app *a, const char *title, int h, int w)
{
	dlg_box b = box_center(h, w);

	app_draw(a);
	box_draw(&b, title);
	return b;
}

int
dlg_ask(app *a, const char *title, const char *question, const char *const *choices,
    int nchoices)
{
	return dlg_ask_from(a, title, question, choices, nchoices, 0);
}

int
dlg_ask_from(app *a, const char *title, const char *question, const char *const *choices,
    int nchoices, int initial)
{
	char lines[8][256];
	int w = 56, n, sel = initial >= 0 && initial < nchoices ? initial : 0;
	ui_key k;

	for (;;) {
		dlg_box b;
		int x;

		n = wrap_lines(question, w - 4, lines, 6);
		b = box_center(n + 4, w);
		app_draw(a);
		box_draw(&b, title);
		for (int i = 0; i < n; i++)
			ui_put(b.y + 1 + i, b.x + 2, b.w - 4, ST_NORMAL, lines[i]);
		x = b.x + 2;
		for (int i = 0; i < nchoices; i++) {
			x += ui_put(b.y + n + 2, x, b.x + b.w - 2 - x, i == sel ? ST_SELECTED : ST_NORMAL,
			    choices[i]) + 2;
		}
		ui_no_cursor();
		ui_flush();
		if (!dlg_key(&k))
			return -1;
		if (k.is_key && (k.ch == KEY_LEFT || k.ch == KEY_BTAB || k.ch == KEY_UP))
			sel = (sel + nchoices - 1) % nchoices;
		else if ((k.is_key && (k.ch == KEY_RIGHT || k.ch == KEY_DOWN)) || (!k.is_key && k.ch == '\t'))
			sel = (sel + 1) % nchoices;
		else if (!k.is_key && (k.ch == '\r' || k.ch == '\n'))
			return sel;
		else if (!k.is_key && (k.ch == 27 || k.ch == CTRL_KEY('C')))
			return -1;
		else if (!k.is_key && k.ch < 128) {
			/* The letter in brackets picks the choice. */
			for (int i = 0; i < nchoices; i++) {
				const char *br = strchr(choices[i], '[');
				if (br && br[1] && (wint_t)tolower((unsigned char)br[1]) ==
				    (wint_t)tolower((int)k.ch))
					return i;
			}
		}
	}
}

int
dlg_pick(app *a, const char *title, const char *const *items, int n, int current)
{
	int sel = current >= 0 && current < n ? current : 0, top = 0;
	ui_key k;

	for (;;) {
		int h = n + 2 > ui_rows() - 4 ? ui_rows() - 4 : n + 2;
		int w = 20, vis;
		dlg_box b;

		if (title && utf8_width(title) + 6 > w)
			w = utf8_width(title) + 6;
		for (int i = 0; i < n; i++)
			if (utf8_width(items[i]) + 8 > w)
				w = utf8_width(items[i]) + 8;
		b = box_center(h, w);
		vis = b.h - 2;
		if (sel < top)
			top = sel;
		if (sel >= top + vis)
			top = sel - vis + 1;
		app_draw(a);
		box_draw(&b, title);
		for (int i = 0; i < vis && top + i < n; i++) {
			ui_fill(b.y + 1 + i, b.x + 1, b.w - 2, top + i == sel ? ST_SELECTED : ST_NORMAL);
			ui_putf(b.y + 1 + i, b.x + 2, b.w - 4, top + i == sel ? ST_SELECTED : ST_NORMAL,
			    "%d %s", top + i + 1, items[top + i]);
		}
		ui_no_cursor();
		ui_flush();
		if (!dlg_key(&k))
			return -1;
		if (k.is_key && k.ch == KEY_UP)
			sel = sel > 0 ? sel - 1 : n - 1;
		else if ((k.is_key && k.ch == KEY_DOWN) || (!k.is_key && k.ch == '\t'))
			sel = (sel + 1) % n;
		else if (!k.is_key && (k.ch == '\r' || k.ch == '\n'))
			return sel;
		else if (!k.is_key && (k.ch == 27 || k.ch == CTRL_KEY('C')))
			return -1;
		else if (!k.is_key && k.ch >= '1' && k.ch <= '9' && (int)(k.ch - '1') < n)
			return (int)(k.ch - '1');
	}
}

bool
dlg_input(app *a, const char *title, const char *prompt, bool masked, char *out, size_t size)
{
	return dlg_input_from(a, title, prompt, masked, NULL, out, size);
}

bool
dlg_input_from(app *a, const char *title, const char *prompt, bool masked,
    const char *initial, char *out, size_t size)
{
	lineedit le;
	ui_key k;
	bool ok = false;

	lineedit_init(&le, initial ? initial : "", 0, false);
	lineedit_end(&le);
	for (;;) {
		dlg_box b = box_center(5, 60);
		char vis[1024];
		int cx, pw = utf8_width(prompt) + 1;
		int fw = b.w - 4 - pw;

		if (fw < 8) {
			pw = 0;
			fw = b.w - 4;
		}
		app_draw(a);
		box_draw(&b, title);
		if (pw)
			ui_put(b.y + 2, b.x + 2, pw, ST_NORMAL, prompt);
		if (masked) {
			int n = (int)le.len < fw - 1 ? (int)le.len : fw - 1;
			memset(vis, '*', (size_t)n);
			vis[n] = '\0';
			cx = n;
		} else {
			cx = lineedit_render(&le, fw, vis, sizeof vis, NULL, NULL);
		}
		ui_fill(b.y + 2, b.x + 2 + pw, fw, ST_INPUT);
		ui_put(b.y + 2, b.x + 2 + pw, fw, ST_INPUT, vis);
		ui_cursor(b.y + 2, b.x + 2 + pw + cx);
		ui_flush();
		if (!dlg_key(&k))
			break;
		if (!k.is_key && (k.ch == '\r' || k.ch == '\n')) {
			char *t = lineedit_text(&le);
			str_copy(out, t, size);
			free(t);
			ok = true;
			break;
		}
		if (!k.is_key && (k.ch == 27 || k.ch == CTRL_KEY('C')))
			break;
		if (k.is_key) {
			switch (k.ch) {
			case KEY_BACKSPACE: lineedit_backspace(&le); break;
			case KEY_DC: lineedit_delete(&le); break;
			case KEY_LEFT: lineedit_left(&le); break;
			case KEY_RIGHT: lineedit_right(&le); break;
			case KEY_HOME: lineedit_home(&le); break;
			case KEY_END: lineedit_end(&le); break;
			}
		} else if (k.ch == CTRL_KEY('U')) {
			lineedit_clear(&le);
		} else if (k.ch == CTRL_KEY('W')) {
			lineedit_delete_word_back(&le);
		} else {
			lineedit_insert(&le, (wchar_t)k.ch);
		}
	}
	if (masked)
		memset(le.buf, 0, le.cap * sizeof *le.buf);
	lineedit_free(&le);
	ui_no_cursor();
	return ok;
}

void
dlg_text(app *a, const char *title, const char *text)
{
	static char lines[400][256];
	int n, top = 0;
	ui_key k;

	for (;;) {
		dlg_box b = box_center(ui_rows() - 2, ui_cols() - 2 < 78 ? ui_cols() - 2 : 78);
		int vis = b.h - 3;

		n = wrap_lines(text, b.w - 4, lines, 400);
		if (top > n - vis)
			top = n - vis > 0 ? n - vis : 0;
		app_draw(a);
		box_draw(&b, title);
		for (int i = 0; i < vis && top + i < n; i++)
			ui_put(b.y + 1 + i, b.x + 2, b.w - 4, ST_NORMAL, lines[top + i]);
		ui_putf(b.y + b.h - 2, b.x + 2, b.w - 4, ST_DIM, "%s",
		    n > vis ? "Up/Down/PgUp/PgDn scroll, any other key closes"
		    : "Press any key to close");
		ui_no_cursor();
		ui_flush();
		if (!dlg_key(&k))
			return;
		if (k.is_key && k.ch == KEY_DOWN)
			top++;
		else if (k.is_key && k.ch == KEY_UP)
			top = top > 0 ? top - 1 : 0;
		else if (k.is_key && k.ch == KEY_NPAGE)
			top += vis;
		else if (k.is_key && k.ch == KEY_PPAGE)
			top = top > vis ? top - vis : 0;
		else if (k.is_key && k.ch == KEY_RESIZE)
			continue;
		else
			return;
	}
}
