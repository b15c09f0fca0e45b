/* scr_login.c - sign in: user name and masked password. */
#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crf/lineedit.h"
#include "crf/screens.h"
#include "crf/util.h"

enum { F_USER, F_PASSWORD, F_COUNT };

#define FIELD_W 32

typedef struct login_scr {
	lineedit field[F_COUNT];
	int cur;
} login_scr;

static void
wipe(lineedit *le)
{
	explicit_bzero(le->buf, le->cap * sizeof *le->buf);
	lineedit_clear(le);
}

/* Draw field i; returns the cursor column within it. */
static int
draw_field(login_scr *ls, int i, int y, int x, int w)
{
	lineedit *le = &ls->field[i];
	char vis[FIELD_W * 8 + 8];
	int cx;

	ui_fill(y, x, w, ST_INPUT);
	if (i == F_PASSWORD) {
		int n = (int)le->len < w - 1 ? (int)le->len : w - 1;

		memset(vis, '*', (size_t)n);
		vis[n] = '\0';
		cx = n;
	} else {
		cx = lineedit_render(le, w, vis, sizeof vis, NULL, NULL);
	}
	ui_put(y, x, w, ST_INPUT, vis);
	return cx;
}

/* A line of text centred in the width of the screen. */
static void
put_centred(int y, ui_style st, const char *text)
{
	int cols = ui_cols(), w = utf8_width(text);

	ui_put(y, w < cols ? (cols - w) / 2 : 0, cols, st, text);
}

static void
login_draw(screen *s, app *a)
{
	login_scr *ls = s->priv;
	static const char *const labels[F_COUNT] = { "User name", "Password" };
	int cols = ui_cols(), rows = ui_rows();
	int lw = 11, fw = FIELD_W, x, y, cx = 0;
	char line[256];

	app_title(a, "Sign in");
	if (fw > cols - lw - 4)
		fw = cols - lw - 4;
	x = (cols - lw - fw) / 2;
	if (x < 1)
		x = 1;
	y = rows > 16 ? (rows - 13) / 2 : 1;
	snprintf(line, sizeof line, "Study %s%s%s", a->sd->id, a->sd->protocol ? "  Protocol " : "",
	    a->sd->protocol ? a->sd->protocol : "");
	put_centred(y, ST_HEADER, line);
	snprintf(line, sizeof line, "Site %s  %s", a->cfg->site_code, a->cfg->site_name);
	put_centred(y + 1, ST_NORMAL, line);
	for (int i = 0; i < F_COUNT; i++) {
		int c;

		ui_put(y + 4 + 2 * i, x, lw, i == ls->cur ? ST_HEADER : ST_NORMAL, labels[i]);
		c = draw_field(ls, i, y + 4 + 2 * i, x + lw, fw);
		if (i == ls->cur)
			cx = c;
	}
	put_centred(y + 9, ST_DIM, "Tab or Enter: next field; Enter on the password signs in");
	put_centred(y + 10, ST_DIM, "Esc or ^X leaves crf");
	ui_cursor(y + 4 + 2 * ls->cur, x + lw + cx);
}

/* Editing keys of a field; false if the key is not one. */
static bool
edit_key(lineedit *le, const ui_key *k)
{
	if (k->is_key) {
		switch (k->ch) {
		case KEY_BACKSPACE: lineedit_backspace(le); return true;
		case KEY_DC: lineedit_delete(le); return true;
		case KEY_LEFT: lineedit_left(le); return true;
		case KEY_RIGHT: lineedit_right(le); return true;
		case KEY_HOME: lineedit_home(le); return true;
		case KEY_END: lineedit_end(le); return true;
		}
		return false;
	}
	switch (k->ch) {
	case CTRL_KEY('A'): lineedit_home(le); return true;
	case CTRL_KEY('E'): lineedit_end(le); return true;
	case CTRL_KEY('U'): lineedit_clear(le); return true;
	case CTRL_KEY('W'): lineedit_delete_word_back(le); return true;
	case CTRL_KEY('K'): lineedit_kill_to_end(le); return true;
	}
	return lineedit_insert(le, (wchar_t)k->ch);
}

static scr_result
sign_in(login_scr *ls, app *a)
{
	char *login = lineedit_text(&ls->field[F_USER]);
	char *password = lineedit_text(&ls->field[F_PASSWORD]);
	user_row u = {0};
	crf_role role;
	crf_err e;
	crf_status rc;

	str_lower(str_trim(login));
	if (*login == '\0') {
		app_message(a, ST_ERROR, "Enter your user name");
		ls->cur = F_USER;
		goto out;
	}
	store_set_login_limit(a->st, a->cfg->failed_login_limit);
	store_set_password_max_age(a->st, a->cfg->password_max_age_days);
	rc = store_login(a->st, login, password, &u, &e);
	if (rc == CRF_EDENIED) {
		/* "The user name or password is wrong", or the account is locked. */
		e.msg[0] = (char)toupper((unsigned char)e.msg[0]);
		app_message(a, ST_ERROR, "%s", e.msg);
		wipe(&ls->field[F_PASSWORD]);
		ls->cur = F_PASSWORD;
		goto out;
	}
	if (rc != CRF_OK) {
		app_message(a, ST_ERROR, "Cannot sign in: %s", e.msg);
		wipe(&ls->field[F_PASSWORD]);
		ls->cur = F_PASSWORD;
		goto out;
	}
	role = role_from_name(u.role);
	if (role == ROLE_NONE) {
		/* crf user add takes only known roles: the row was changed
		 * outside crf.  Without a role nothing may be done. */
		app_message(a, ST_ERROR, "Cannot sign in: the account has no known role (%s); "
		    "ask the site administrator", u.role ? u.role : "none");
		user_row_clear(&u);
		wipe(&ls->field[F_PASSWORD]);
		ls->cur = F_PASSWORD;
		goto out;
	}
	if (u.must_change && !users_forced_password_change(a, &u, password)) {
		/* Esc: no way on without a new password (the reason is on the
		 * message line). */
		user_row_clear(&u);
		wipe(&ls->field[F_PASSWORD]);
		ls->cur = F_PASSWORD;
		goto out;
	}
	free(a->login);
	free(a->full_name);
	a->login = xstrdup(u.login);
	a->full_name = xstrdup(u.full_name && *u.full_name ? u.full_name : u.login);
	a->role = role;
	store_set_user(a->st, a->login);
	user_row_clear(&u);
	explicit_bzero(password, strlen(password));
	free(password);
	free(login);
	app_replace(a, scr_subjects_new(a));
	return SCR_STAY;
out:
	explicit_bzero(password, strlen(password));
	free(password);
	free(login);
	return SCR_STAY;
}

static scr_result
login_handle(screen *s, app *a, action act, const ui_key *k)
{
	login_scr *ls = s->priv;

	switch (act) {
	case ACT_BACK:
	case ACT_CANCEL:
		return SCR_QUIT;
	case ACT_NEXT:
		ls->cur = (ls->cur + 1) % F_COUNT;
		return SCR_STAY;
	case ACT_PREV:
		ls->cur = (ls->cur + F_COUNT - 1) % F_COUNT;
		return SCR_STAY;
	case ACT_ENTER:
		if (ls->cur == F_USER) {
			ls->cur = F_PASSWORD;
			return SCR_STAY;
		}
		return sign_in(ls, a);
	case ACT_NONE:
		edit_key(&ls->field[ls->cur], k);
		return SCR_STAY;
	default:
		return SCR_STAY;
	}
}

static void
login_free(screen *s)
{
	login_scr *ls = s->priv;

	wipe(&ls->field[F_PASSWORD]);
	for (int i = 0; i < F_COUNT; i++)
		lineedit_free(&ls->field[i]);
	free(ls);
}

static const screen_ops login_ops = {
	.name = "login",
	.keyctx = KC_LOGIN,
	.draw = login_draw,
	.handle = login_handle,
	.free = login_free,
};

screen *
scr_login_new(app *a)
{
	login_scr *ls = xcalloc(1, sizeof *ls);

	(void)a;
	lineedit_init(&ls->field[F_USER], "", 32, false);
	lineedit_init(&ls->field[F_PASSWORD], "", 256, false);
	return screen_new(&login_ops, ls);
}
