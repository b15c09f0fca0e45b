/* scr_setup.c - first start: create the site database and the first
 * administrator, then the login screen. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crf/screens.h"
#include "crf/util.h"

#define LOGIN_MAX 32
#define PASSWORD_MAX 256

enum setup_stage { STAGE_CONFIRM, STAGE_ADMIN };

typedef struct setup_scr {
	enum setup_stage stage;
	char login[LOGIN_MAX + 1];
	char full_name[256];
} setup_scr;

static bool
create_database(app *a)
{
	crf_err e;
	crf_status rc;

	rc = store_create(a->cfg->db_path, a->cfg->site_code, a->cfg->site_name, &a->st, &e);
	if (rc != CRF_OK) {
		app_message(a, ST_ERROR, "The site database was not created: %s", e.msg);
		return false;
	}
	return true;
}

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

/* Read the password twice; false on Esc. */
static bool
ask_password(app *a, char *pw, char *again)
{
	int min = a->cfg->password_min_length;

	for (;;) {
		if (!dlg_input(a, "First administrator", "Password:", true, pw, PASSWORD_MAX))
			return false;
		if (char_count(pw) < (size_t)min) {
			app_message(a, ST_ERROR, "The password must have at least %d characters", min);
			continue;
		}
		a->msg[0] = '\0';
		if (!dlg_input(a, "First administrator", "Password again:", true, again,
		    PASSWORD_MAX))
			return false;
		if (strcmp(pw, again) == 0)
			return true;
		app_message(a, ST_ERROR, "The two passwords differ: type the password again");
	}
}

/* The administrator's login, full name and password by dialogs, then the
 * account.  Returns true when it was created. */
static bool
create_admin(setup_scr *ss, app *a)
{
	char login[128], pw[PASSWORD_MAX], again[PASSWORD_MAX];
	crf_err e;
	crf_status rc;

	ss->login[0] = ss->full_name[0] = '\0';
	for (;;) {
		if (!dlg_input(a, "First administrator", "Login:", false, login, sizeof login))
			goto out;
		str_lower(str_trim(login));
		if (login_valid(login))
			break;
		app_message(a, ST_ERROR, "A login has 2 to %d characters: lower-case letters, "
		    "digits, '.', '_' or '-'", LOGIN_MAX);
	}
	a->msg[0] = '\0';
	str_copy(ss->login, login, sizeof ss->login);
	for (;;) {
		if (!dlg_input(a, "First administrator", "Full name:", false, ss->full_name,
		    sizeof ss->full_name)) {
			ss->full_name[0] = '\0';
			goto out;
		}
		if (!str_blank(str_trim(ss->full_name)))
			break;
		app_message(a, ST_ERROR, "Enter the administrator's full name");
	}
	a->msg[0] = '\0';
	if (ask_password(a, pw, again)) {
		rc = store_add_user(a->st, ss->login, ss->full_name, "admin", pw, &e);
		explicit_bzero(pw, sizeof pw);
		explicit_bzero(again, sizeof again);
		if (rc == CRF_OK)
			return true;
		app_message(a, ST_ERROR, "The administrator was not created: %s", e.msg);
		return false;
	}
out:
	explicit_bzero(pw, sizeof pw);
	explicit_bzero(again, sizeof again);
	app_message(a, ST_WARN, "No administrator yet: Enter starts again, ^X leaves "
	    "(the next start asks again)");
	return false;
}

static void
setup_draw(screen *s, app *a)
{
	setup_scr *ss = s->priv;
	int cols = ui_cols(), y = 2, x = 2, w = cols - 4;
	const char *choice;

	app_title(a, "First start");
	ui_no_cursor();
	ui_put(y++, x, w, ST_HEADER, "Welcome to crf");
	ui_put(y++, x, w, ST_NORMAL, "This is the first start at this site. Check the site "
	    "below; it comes from");
	ui_putf(y++, x, w, ST_NORMAL, "%s.", a->cfg->path);
	y++;
	ui_put(y, x + 2, 12, ST_DIM, "Site code");
	ui_put(y++, x + 14, w - 14, ST_NORMAL, a->cfg->site_code);
	ui_put(y, x + 2, 12, ST_DIM, "Site name");
	ui_put(y++, x + 14, w - 14, ST_NORMAL, a->cfg->site_name);
	ui_put(y, x + 2, 12, ST_DIM, "Database");
	ui_put(y++, x + 14, w - 14, ST_NORMAL, a->cfg->db_path);
	ui_put(y, x + 2, 12, ST_DIM, "Study");
	ui_putf(y++, x + 14, w - 14, ST_NORMAL, "%s  %s", a->sd->id,
	    i18n_get(&a->sd->name, a->cfg->lang));
	if (a->st && !str_eq(store_site_code(a->st), a->cfg->site_code))
		ui_putf(y++, x + 2, w - 2, ST_WARN, "The database was made for site %s",
		    store_site_code(a->st));
	y++;
	if (ss->stage == STAGE_CONFIRM && a->st == NULL) {
		ui_put(y++, x, w, ST_NORMAL, "The site database does not exist yet. crf creates it "
		    "(and its folder),");
		ui_put(y++, x, w, ST_NORMAL, "then asks for the first administrator account.");
		choice = "[C]reate site database  [Q]uit";
	} else if (ss->stage == STAGE_CONFIRM) {
		ui_put(y++, x, w, ST_NORMAL, "The site database exists but has no user account yet.");
		choice = "[C]reate the first administrator  [Q]uit";
	} else {
		/* At the foot of the screen, clear of the centred dialogs. */
		if (y < ui_rows() - 9)
			y = ui_rows() - 9;
		ui_put(y++, x, w, ST_HEADER, "First administrator (the account that manages this site)");
		ui_put(y, x + 2, 12, ST_DIM, "Login");
		ui_put(y++, x + 14, w - 14, ST_NORMAL, ss->login);
		ui_put(y, x + 2, 12, ST_DIM, "Full name");
		ui_put(y++, x + 14, w - 14, ST_NORMAL, ss->full_name);
		ui_put(y, x + 2, 12, ST_DIM, "Password");
		ui_putf(y++, x + 14, w - 14, ST_NORMAL, "at least %d characters, typed twice",
		    a->cfg->password_min_length);
		choice = "[C]reate the administrator  [Q]uit";
	}
	y++;
	ui_put(y, x, w, ST_SELECTED, choice);
}

static scr_result
setup_handle(screen *s, app *a, action act, const ui_key *k)
{
	setup_scr *ss = s->priv;
	wint_t c = act == ACT_NONE && !k->is_key ? k->ch : 0;

	if (act == ACT_BACK || act == ACT_CANCEL || c == 'q' || c == 'Q')
		return SCR_QUIT;
	if (act != ACT_ENTER && c != 'c' && c != 'C')
		return SCR_STAY;
	if (a->st == NULL) {
		if (!create_database(a))
			return SCR_STAY;
		app_message(a, ST_OK, "Created the site database %s", a->cfg->db_path);
	}
	ss->stage = STAGE_ADMIN;
	if (!create_admin(ss, a))
		return SCR_STAY;
	app_message(a, ST_OK, "Administrator %s created: sign in", ss->login);
	app_replace(a, scr_login_new(a));
	return SCR_STAY;
}

static void
setup_free(screen *s)
{
	free(s->priv);
}

static const screen_ops setup_ops = {
	.name = "setup",
	.keyctx = KC_LOGIN,
	.draw = setup_draw,
	.handle = setup_handle,
	.free = setup_free,
};

screen *
scr_setup_new(app *a)
{
	setup_scr *ss = xcalloc(1, sizeof *ss);

	(void)a;
	return screen_new(&setup_ops, ss);
}
