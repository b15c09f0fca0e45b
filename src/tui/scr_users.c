/* scr_users.c - the administrator's accounts screen (add an account,
 * change a role, reset a password, unlock, retire) and the changes a
 * person makes to their own password: when sign-in requires one, and ^P
 * from the subject list. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crf/date.h"
#include "crf/screens.h"
#include "crf/util.h"

#define LOGIN_MAX 32
#define PASSWORD_MAX 256

typedef struct users_scr {
	user_row *rows;              /* every account, in login order */
	size_t n;
	size_t sel, top;             /* 0 .. n; n is the "Add an account" line */
	char *sel_login;             /* the selected account, kept across re-reads */
} users_scr;

/* ---- Passwords ------------------------------------------------------------ */

/* Characters (not bytes) of UTF-8 text. */
static size_t
char_count(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * A new password typed twice, at least password_min_length characters
 * and, when old is not NULL, different from it; every refusal is said on
 * the message line and the question asked again.  False on Esc (pw is
 * then wiped).
 */
static bool
ask_new_password(app *a, const char *title, const char *old, char *pw, size_t size)
{
	char again[PASSWORD_MAX];
	int min = a->cfg->password_min_length;
	bool ok = false;

	for (;;) {
		if (!dlg_input(a, title, "New password:", true, pw, size))
			break;
		if (char_count(pw) < (size_t)min) {
			app_message(a, ST_ERROR, "The password must have at least %d characters", min);
			continue;
		}
		if (old != NULL && strcmp(pw, old) == 0) {
			app_message(a, ST_ERROR, "The new password must differ from the old one");
			continue;
		}
		if (!dlg_input(a, title, "New password again:", true, again, sizeof again))
			break;
		if (strcmp(pw, again) == 0) {
			ok = true;
			break;
		}
		app_message(a, ST_ERROR, "The two passwords differ: type the new password again");
	}
	explicit_bzero(again, sizeof again);
	if (!ok)
		explicit_bzero(pw, size);
	return ok;
}

/* Is a password set at changed_at older than password_max_age_days?  (The
 * store's rule: a time it cannot read counts as too old.) */
static bool
password_expired(const app *a, const char *changed_at)
{
	time_t t;

	if (a->cfg->password_max_age_days <= 0 || str_blank(changed_at))
		return false;
	if (!clock_parse(changed_at, &t))
		return true;
	return clock_now() - t > (time_t)a->cfg->password_max_age_days * 86400;
}

bool
users_forced_password_change(app *a, const user_row *u, const char *old)
{
	char pw[PASSWORD_MAX];
	const char *title;
	crf_err e;
	crf_status rc;

	if (password_expired(a, u->pw_changed_at)) {
		title = "Password expired";
		app_message(a, ST_WARN, "Your password has expired (older than %d days): "
		    "choose a new one", a->cfg->password_max_age_days);
	} else {
		title = "Password reset";
		app_message(a, ST_WARN, "Your password was reset by an administrator: "
		    "choose a new one");
	}
	if (!ask_new_password(a, title, old, pw, sizeof pw)) {
		app_message(a, ST_WARN, "Signed out: your password was not changed, and "
		    "must be before you can go on");
		return false;
	}
	rc = store_change_password(a->st, u->login, old, pw, &e);
	explicit_bzero(pw, sizeof pw);
	if (rc != CRF_OK) {
		app_message(a, ST_ERROR, "Signed out: your password was not changed: %s", e.msg);
		return false;
	}
	app_message(a, ST_OK, "Your new password is set; use it from now on");
	return true;
}

bool
users_change_own_password(app *a)
{
	char old[PASSWORD_MAX], pw[PASSWORD_MAX];
	const char *title = "Change your password";
	crf_err e;
	crf_status rc;

	if (a->login == NULL || !app_check(a, PERM_VIEW))
		return true;
	a->msg[0] = '\0';
	if (!dlg_input(a, title, "Current password:", true, old, sizeof old)) {
		explicit_bzero(old, sizeof old);
		app_message(a, ST_DIM, "Your password was not changed");
		return true;
	}
	app_message(a, ST_DIM, "The new password: at least %d characters, typed twice",
	    a->cfg->password_min_length);
	if (!ask_new_password(a, title, old, pw, sizeof pw)) {
		explicit_bzero(old, sizeof old);
		app_message(a, ST_DIM, "Your password was not changed");
		return true;
	}
	store_set_login_limit(a->st, a->cfg->failed_login_limit);
	rc = store_change_password(a->st, a->login, old, pw, &e);
	explicit_bzero(old, sizeof old);
	explicit_bzero(pw, sizeof pw);
	if (rc == CRF_OK) {
		app_message(a, ST_OK, "Your password is changed; use the new one from now on");
		return true;
	}
	app_message(a, ST_ERROR, "Your password was not changed: %s", e.msg);
	if (rc == CRF_EDENIED && strstr(e.msg, "locked") != NULL) {
		/* Wrong current passwords locked the account: only an
		 * administrator opens it again, so the session ends. */
		char *why = xasprintf("Your password was not changed: %s.\n\n"
		    "crf signs you out now.", e.msg);
		dlg_text(a, "Account locked", why);
		free(why);
		return false;
	}
	return true;
}

/* ---- The list of accounts ------------------------------------------------- */

static void
rows_free(users_scr *us)
{
	user_rows_free(us->rows, us->n);
	us->rows = NULL;
	us->n = 0;
}

/* Select the account login (NULL: keep the selection's position). */
static void
select_login(users_scr *us, const char *login)
{
	if (login != NULL)
		for (size_t i = 0; i < us->n; i++)
			if (str_eq(us->rows[i].login, login)) {
				us->sel = i;
				break;
			}
	if (us->sel > us->n)
		us->sel = us->n;
	free(us->sel_login);
	us->sel_login = us->sel < us->n ? xstrdup(us->rows[us->sel].login) : NULL;
}

static void
reload(users_scr *us, app *a)
{
	char *keep = xstrdup(us->sel_login);
	crf_err e;

	rows_free(us);
	if (store_list_users(a->st, &us->rows, &us->n, &e) != CRF_OK) {
		us->rows = NULL;
		us->n = 0;
		app_message(a, ST_ERROR, "Cannot read the accounts: %s", e.msg);
	}
	select_login(us, keep);
	free(keep);
}

static const user_row *
find_login(const users_scr *us, const char *login)
{
	for (size_t i = 0; i < us->n; i++)
		if (str_eq(us->rows[i].login, login))
			return &us->rows[i];
	return NULL;
}

/* The state of an account in a word or three, and its style. */
static const char *
state_word(const app *a, const user_row *u, ui_style *st)
{
	*st = ST_NORMAL;
	if (!u->active) {
		*st = ST_DIM;
		return "retired";
	}
	if (u->locked) {
		*st = ST_ERROR;
		return "LOCKED";
	}
	if (u->must_change) {
		*st = ST_WARN;
		return "must change password";
	}
	if (password_expired(a, u->pw_changed_at)) {
		*st = ST_WARN;
		return "password expired";
	}
	return "active";
}

/* A stored UTC time as the local date, in the site's date format. */
static void
local_date(const app *a, const char *utc, char *buf, size_t size)
{
	time_t t;
	struct tm tm;

	if (str_blank(utc) || !clock_parse(utc, &t) || localtime_r(&t, &tm) == NULL) {
		str_copy(buf, ui_utf8() ? "—" : "-", size);
		return;
	}
	date_format_display((crf_date){ tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday },
	    a->cfg->date_format, buf, size);
}

/* A role title that fits w columns: "Research nurse (data entry)" is
 * shortened to "Research nurse" (the whole title is on the last line). */
static void
role_fit(crf_role r, const char *stored, int w, char *buf, size_t size)
{
	char *paren;

	str_copy(buf, r == ROLE_NONE ? (stored ? stored : "") : role_title(r), size);
	if (utf8_width(buf) > w && (paren = strstr(buf, " (")) != NULL)
		*paren = '\0';
}

enum { C_LOGIN, C_NAME, C_ROLE, C_STATE, C_DATE, C_COUNT };

/* Column widths for the screen width. */
static void
columns(const users_scr *us, int cols, int w[C_COUNT])
{
	int rest;

	w[C_LOGIN] = 10;
	for (size_t i = 0; i < us->n; i++) {
		int k = utf8_width(us->rows[i].login);
		if (k > w[C_LOGIN])
			w[C_LOGIN] = k;
	}
	if (w[C_LOGIN] > 16)
		w[C_LOGIN] = 16;
	w[C_STATE] = 20;
	w[C_DATE] = 12;
	rest = cols - w[C_LOGIN] - w[C_STATE] - w[C_DATE] - (C_COUNT - 1);
	w[C_ROLE] = rest - 16;
	if (w[C_ROLE] > 27)
		w[C_ROLE] = 27;
	if (w[C_ROLE] < 14)
		w[C_ROLE] = 14;
	w[C_NAME] = rest - w[C_ROLE];
	if (w[C_NAME] < 6)
		w[C_NAME] = 6;
}

/* The last line of the list: what the selected line is about. */
static void
draw_detail(const users_scr *us, app *a, int y, int cols)
{
	const user_row *u;
	crf_role r;

	if (us->sel >= us->n) {
		ui_putf(y, 0, cols, ST_DIM, "Add an account: login, full name, role, and a first "
		    "password typed twice");
		return;
	}
	u = &us->rows[us->sel];
	r = role_from_name(u->role);
	if (!u->active)
		ui_putf(y, 0, cols, ST_DIM, "%s is retired: it cannot sign in, and its login is "
		    "never reused", u->login);
	else if (u->locked)
		ui_putf(y, 0, cols, ST_NORMAL, "%s is locked after %d wrong passwords: Enter, "
		    "then Unlock", u->login, a->cfg->failed_login_limit);
	else if (u->must_change)
		ui_putf(y, 0, cols, ST_NORMAL, "Password reset: %s chooses a new one at the next "
		    "sign-in", u->login);
	else if (password_expired(a, u->pw_changed_at))
		ui_putf(y, 0, cols, ST_NORMAL, "Password older than %d days: %s chooses a new one "
		    "at the next sign-in", a->cfg->password_max_age_days, u->login);
	else if (r == ROLE_NONE)
		ui_putf(y, 0, cols, ST_WARN, "The role %s is not one crf knows: %s cannot sign "
		    "in until it is changed", u->role ? u->role : "", u->login);
	else
		ui_putf(y, 0, cols, ST_NORMAL, "%s: %s", role_title(r), role_duties(r));
}

static void
users_draw(screen *s, app *a)
{
	users_scr *us = s->priv;
	int cols = ui_cols(), first = 3, last = ui_rows() - 4, vis = last - first + 1;
	int w[C_COUNT], x[C_COUNT];
	size_t nlines = us->n + 1, active = 0, locked = 0, retired = 0;

	app_title(a, "User accounts");
	ui_no_cursor();
	for (size_t i = 0; i < us->n; i++) {
		if (!us->rows[i].active)
			retired++;
		else if (us->rows[i].locked)
			locked++;
		else
			active++;
	}
	ui_putf(1, 0, cols, ST_NORMAL, "%zu account%s: %zu active, %zu locked, %zu retired   "
	    "Enter: change one   A: add one", us->n, us->n == 1 ? "" : "s", active, locked,
	    retired);

	columns(us, cols, w);
	x[0] = 0;
	for (int c = 1; c < C_COUNT; c++)
		x[c] = x[c - 1] + w[c - 1] + 1;
	ui_fill(2, 0, cols, ST_HEADER);
	ui_put(2, x[C_LOGIN], w[C_LOGIN], ST_HEADER, "Login");
	ui_put(2, x[C_NAME], w[C_NAME], ST_HEADER, "Full name");
	ui_put(2, x[C_ROLE], w[C_ROLE], ST_HEADER, "Role");
	ui_put(2, x[C_STATE], w[C_STATE], ST_HEADER, "State");
	ui_put(2, x[C_DATE], w[C_DATE], ST_HEADER, "Password set");

	if (vis < 1)
		vis = 1;
	if (us->sel < us->top)
		us->top = us->sel;
	if (us->sel >= us->top + (size_t)vis)
		us->top = us->sel - (size_t)vis + 1;
	for (int i = 0; i < vis && us->top + (size_t)i < nlines; i++) {
		size_t idx = us->top + (size_t)i;
		bool sel = idx == us->sel;
		int y = first + i;
		const user_row *u;
		char role[64], date[32];
		const char *state;
		ui_style st, sst;

		if (sel)
			ui_fill(y, 0, cols, ST_SELECTED);
		if (idx == us->n) {
			ui_put(y, 0, cols, sel ? ST_SELECTED : ST_NORMAL, "+ Add an account");
			continue;
		}
		u = &us->rows[idx];
		st = sel ? ST_SELECTED : !u->active ? ST_DIM : ST_NORMAL;
		state = state_word(a, u, &sst);
		role_fit(role_from_name(u->role), u->role, w[C_ROLE], role, sizeof role);
		local_date(a, u->pw_changed_at, date, sizeof date);
		ui_put(y, x[C_LOGIN], w[C_LOGIN], st, u->login);
		ui_put(y, x[C_NAME], w[C_NAME], st, u->full_name ? u->full_name : "");
		ui_put(y, x[C_ROLE], w[C_ROLE], st, role);
		ui_put(y, x[C_STATE], w[C_STATE], sel ? ST_SELECTED : sst, state);
		ui_put(y, x[C_DATE], w[C_DATE], st, date);
	}
	draw_detail(us, a, ui_rows() - 3, cols);
}

/* ---- Adding and changing accounts ------------------------------------------- */

static bool
login_valid(const char *s)
{
	size_t n = strlen(s);

	if (n < 2 || n > LOGIN_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '.' || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* Pick one of the five roles; current is preselected.  ROLE_NONE on Esc. */
static crf_role
pick_role(app *a, const char *title, crf_role current)
{
	const char *items[ROLE_COUNT];
	int n = 0, r;

	for (int i = ROLE_NONE + 1; i < ROLE_COUNT; i++)
		items[n++] = role_title((crf_role)i);
	r = dlg_pick(a, title, items, n, current > ROLE_NONE ? (int)current - 1 : 0);
	return r < 0 ? ROLE_NONE : (crf_role)(r + 1);
}

static void
add_account(users_scr *us, app *a)
{
	char login[128], name[256], pw[PASSWORD_MAX], title[160];
	const char *const head = "Add an account";
	crf_role role;
	crf_err e;
	crf_status rc;

	if (!app_check(a, PERM_MANAGE_USERS))
		return;
	app_message(a, ST_DIM, "A login has 2 to %d characters: lower-case letters, digits, "
	    "'.', '_' or '-'", LOGIN_MAX);
	for (;;) {
		if (!dlg_input(a, head, "Login:", false, login, sizeof login))
			goto cancelled;
		str_lower(str_trim(login));
		if (!login_valid(login)) {
			app_message(a, ST_ERROR, "A login has 2 to %d characters: lower-case letters, "
			    "digits, '.', '_' or '-'", LOGIN_MAX);
			continue;
		}
		if (find_login(us, login) != NULL) {
			app_message(a, ST_ERROR, "The login %s is taken (logins are never reused): "
			    "choose another", login);
			continue;
		}
		break;
	}
	app_message(a, ST_DIM, "The person's full name, as the audit trail shows it");
	for (;;) {
		if (!dlg_input(a, head, "Full name:", false, name, sizeof name))
			goto cancelled;
		if (!str_blank(str_trim(name)))
			break;
		app_message(a, ST_ERROR, "Enter the person's full name");
	}
	a->msg[0] = '\0';
	snprintf(title, sizeof title, "Role of %s", login);
	if ((role = pick_role(a, title, ROLE_DATA_ENTRY)) == ROLE_NONE)
		goto cancelled;
	app_message(a, ST_DIM, "A first password for %s: at least %d characters, typed twice",
	    login, a->cfg->password_min_length);
	if (!ask_new_password(a, head, NULL, pw, sizeof pw))
		goto cancelled;
	rc = store_add_user(a->st, login, name, role_name(role), pw, &e);
	explicit_bzero(pw, sizeof pw);
	if (rc != CRF_OK) {
		app_message(a, ST_ERROR, "The account was not added: %s", e.msg);
		reload(us, a);
		return;
	}
	reload(us, a);
	select_login(us, login);
	app_message(a, ST_OK, "Account %s (%s) added: %s", login, name, role_title(role));
	return;
cancelled:
	app_message(a, ST_DIM, "No account was added");
}

static void
change_role(app *a, const user_row *u)
{
	char title[96];
	crf_role old = role_from_name(u->role), role;
	crf_err e;

	snprintf(title, sizeof title, "New role of %s", u->login);
	if ((role = pick_role(a, title, old)) == ROLE_NONE)
		return;
	if (role == old) {
		app_message(a, ST_DIM, "%s is already %s: nothing changed", u->login,
		    role_title(role));
		return;
	}
	if (store_change_user(a->st, u->login, USER_SET_ROLE, role_name(role), &e) != CRF_OK) {
		app_message(a, ST_ERROR, "The role was not changed: %s", e.msg);
		return;
	}
	app_message(a, ST_OK, "%s is now %s (was %s), from the next sign-in", u->login,
	    role_title(role), old == ROLE_NONE ? (u->role ? u->role : "none") : role_title(old));
}

static void
reset_password(app *a, const user_row *u)
{
	char pw[PASSWORD_MAX], title[96];
	crf_err e;
	crf_status rc;

	snprintf(title, sizeof title, "New password for %s", u->login);
	app_message(a, ST_DIM, "At least %d characters, typed twice; %s must change it at the "
	    "next sign-in", a->cfg->password_min_length, u->login);
	if (!ask_new_password(a, title, NULL, pw, sizeof pw)) {
		app_message(a, ST_DIM, "The password of %s was not changed", u->login);
		return;
	}
	rc = store_change_user(a->st, u->login, USER_RESET_PASSWORD, pw, &e);
	explicit_bzero(pw, sizeof pw);
	if (rc != CRF_OK) {
		app_message(a, ST_ERROR, "The password was not reset: %s", e.msg);
		return;
	}
	app_message(a, ST_OK, "New password set for %s, who must change it at the next sign-in",
	    u->login);
}

static void
unlock(app *a, const user_row *u)
{
	crf_err e;

	if (store_change_user(a->st, u->login, USER_UNLOCK, NULL, &e) != CRF_OK) {
		app_message(a, ST_ERROR, "The account was not unlocked: %s", e.msg);
		return;
	}
	app_message(a, ST_OK, "%s is unlocked and can sign in again", u->login);
}

static void
retire(app *a, const user_row *u)
{
	static const char *const choices[] = { "[R]etire the account", "[K]eep it" };
	char q[512];
	crf_err e;

	snprintf(q, sizeof q, "Retire %s (%s)? The account can no longer sign in; what it did "
	    "stays in the audit trail. Logins are never reused: %s cannot be given to anyone "
	    "else.", u->login, u->full_name ? u->full_name : "", u->login);
	if (dlg_ask_from(a, "Retire an account", q, choices, 2, 1) != 0) {
		app_message(a, ST_DIM, "%s was not retired", u->login);
		return;
	}
	if (store_change_user(a->st, u->login, USER_RETIRE, NULL, &e) != CRF_OK) {
		app_message(a, ST_ERROR, "The account was not retired: %s", e.msg);
		return;
	}
	app_message(a, ST_OK, "%s is retired: it can no longer sign in", u->login);
}

enum { DO_ROLE, DO_RESET, DO_UNLOCK, DO_RETIRE };

/* Enter on an account: what may be done to it, then that. */
static void
account_menu(users_scr *us, app *a, size_t i)
{
	const char *items[4];
	int what[4], n = 0, r;
	char title[128];
	user_row u = {0};

	if (!app_check(a, PERM_MANAGE_USERS))
		return;
	if (!us->rows[i].active) {
		app_message(a, ST_DIM, "%s is retired: it cannot sign in, and its login is never "
		    "reused", us->rows[i].login);
		return;
	}
	if (str_eq(us->rows[i].login, a->login)) {
		app_message(a, ST_DIM, "This is your own account: ^P on the subject list changes "
		    "your password; another administrator changes its role");
		return;
	}
	/* The list is re-read below: work on a copy. */
	u.login = xstrdup(us->rows[i].login);
	u.full_name = xstrdup(us->rows[i].full_name);
	u.role = xstrdup(us->rows[i].role);
	u.locked = us->rows[i].locked;
	if (u.locked) {
		items[n] = "Unlock (after too many wrong passwords)";
		what[n++] = DO_UNLOCK;
	}
	items[n] = "Change the role";
	what[n++] = DO_ROLE;
	items[n] = "Reset the password (changed at next sign-in)";
	what[n++] = DO_RESET;
	items[n] = "Retire (can no longer sign in)";
	what[n++] = DO_RETIRE;
	snprintf(title, sizeof title, "%s %s", u.login, u.full_name ? u.full_name : "");
	r = dlg_pick(a, title, items, n, 0);
	if (r >= 0) {
		switch (what[r]) {
		case DO_ROLE: change_role(a, &u); break;
		case DO_RESET: reset_password(a, &u); break;
		case DO_UNLOCK: unlock(a, &u); break;
		case DO_RETIRE: retire(a, &u); break;
		}
	}
	user_row_clear(&u);
	reload(us, a);
}

static void
select_line(users_scr *us, size_t i)
{
	us->sel = i > us->n ? us->n : i;
	select_login(us, NULL);
}

static scr_result
users_handle(screen *s, app *a, action act, const ui_key *k)
{
	users_scr *us = s->priv;
	size_t page = ui_rows() > 8 ? (size_t)ui_rows() - 7 : 1;

	switch (act) {
	case ACT_BACK:
	case ACT_CANCEL:
		return SCR_POP;
	case ACT_NEXT:
		select_line(us, us->sel + 1);
		break;
	case ACT_PREV:
		select_line(us, us->sel > 0 ? us->sel - 1 : 0);
		break;
	case ACT_PAGE_DOWN:
		select_line(us, us->sel + page);
		break;
	case ACT_PAGE_UP:
		select_line(us, us->sel > page ? us->sel - page : 0);
		break;
	case ACT_ENTER:
		if (us->sel >= us->n)
			add_account(us, a);
		else
			account_menu(us, a, us->sel);
		break;
	case ACT_NONE:
		if (k->is_key && k->ch == KEY_HOME)
			select_line(us, 0);
		else if (k->is_key && k->ch == KEY_END)
			select_line(us, us->n);
		else if (!k->is_key && (k->ch == 'a' || k->ch == 'A' || k->ch == '+'))
			add_account(us, a);
		break;
	default:
		break;
	}
	return SCR_STAY;
}

static void
users_resume(screen *s, app *a)
{
	reload(s->priv, a);
}

static void
users_free(screen *s)
{
	users_scr *us = s->priv;

	rows_free(us);
	free(us->sel_login);
	free(us);
}

static const screen_ops users_ops = {
	.name = "users",
	.keyctx = KC_VIEW,
	.draw = users_draw,
	.handle = users_handle,
	.resume = users_resume,
	.tick = users_resume,
	.free = users_free,
};

screen *
scr_users_new(app *a)
{
	users_scr *us = xcalloc(1, sizeof *us);

	reload(us, a);
	return screen_new(&users_ops, us);
}
