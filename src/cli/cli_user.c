/* cli_user.c - crf user add | list: site accounts from the shell. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "crf/clicommon.h"
#include "crf/perm.h"
#include "crf/store.h"
#include "crf/util.h"

static bool
valid_login(const char *s)
{
	size_t n = strlen(s);

	if (n < 2 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) &&
		    !strchr("._-", s[i]))
			return false;
	return true;
}

/* One line from stdin; on a terminal without echo after a prompt. */
static bool
read_password(const char *prompt, char *buf, size_t size)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO);
	bool ok;
	size_t n;

	if (tty) {
		fputs(prompt, stderr);
		fflush(stderr);
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	ok = fgets(buf, (int)size, stdin) != NULL;
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (!ok)
		return false;
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return true;
}

/* A new password: from the terminal (typed twice, without echo) or one
 * line of standard input; at least password_min_length characters.  On
 * refusal says why and returns false (nothing is changed). */
static bool
new_password(const crf_config *cfg, char *pw, size_t size)
{
	char again[256];
	bool ok = true;

	if (!read_password("Password: ", pw, size)) {
		fprintf(stderr, "crf: no password given (type it, or give it on standard input)\n");
		return false;
	}
	if (isatty(STDIN_FILENO) && (!read_password("Password again: ", again, sizeof again) ||
	    strcmp(pw, again) != 0)) {
		fprintf(stderr, "crf: the two passwords differ; nothing was changed\n");
		ok = false;
	} else if ((int)strlen(pw) < cfg->password_min_length) {
		fprintf(stderr, "crf: the password must have at least %d characters\n",
		    cfg->password_min_length);
		ok = false;
	}
	memset(again, 0, sizeof again);
	return ok;
}

static int
user_add(store *st, const crf_config *cfg, int argc, char **argv)
{
	const char *login = NULL, *role = NULL, *name = NULL;
	char pw[256] = "";
	crf_err e;
	int rc = 1;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
			role = argv[++i];
		else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (argv[i][0] != '-' && login == NULL)
			login = argv[i];
		else {
			fprintf(stderr, "usage: crf user add LOGIN --role ROLE --name \"FULL NAME\"\n");
			return 2;
		}
	}
	if (login == NULL || role == NULL || name == NULL) {
		fprintf(stderr, "usage: crf user add LOGIN --role ROLE --name \"FULL NAME\"\n");
		return 2;
	}
	if (!valid_login(login)) {
		fprintf(stderr, "crf: the login '%s' must be 2-32 lower-case letters, digits, "
		    "'.', '_' or '-'\n", login);
		return 1;
	}
	if (role_from_name(role) == ROLE_NONE) {
		fprintf(stderr, "crf: unknown role '%s' (use data-entry, investigator, monitor, "
		    "data-manager or admin)\n", role);
		return 1;
	}
	if (str_blank(name)) {
		fprintf(stderr, "crf: the full name must not be blank\n");
		return 1;
	}
	if (!new_password(cfg, pw, sizeof pw))
		goto out;
	if (store_add_user(st, login, name, role, pw, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
		goto out;
	}
	printf("added %s (%s), role %s\n", login, name, role);
	rc = 0;
out:
	memset(pw, 0, sizeof pw);
	return rc;
}

/* set-role, reset-password, retire, unlock. */
static int
user_change_cmd(store *st, const crf_config *cfg, const char *cmd, const char *login,
    const char *role)
{
	char pw[256] = "";
	user_change what;
	const char *arg = NULL;
	crf_err e;
	int rc = 1;

	if (strcmp(cmd, "unlock") == 0) {
		what = USER_UNLOCK;
	} else if (strcmp(cmd, "retire") == 0) {
		what = USER_RETIRE;
	} else if (strcmp(cmd, "set-role") == 0) {
		what = USER_SET_ROLE;
		if (role_from_name(role) == ROLE_NONE) {
			fprintf(stderr, "crf: unknown role '%s' (use data-entry, investigator, "
			    "monitor, data-manager or admin)\n", role);
			return 1;
		}
		arg = role;
	} else {
		what = USER_RESET_PASSWORD;
		if (!new_password(cfg, pw, sizeof pw))
			goto out;
		arg = pw;
	}
	if (store_change_user(st, login, what, arg, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
		goto out;
	}
	switch (what) {
	case USER_UNLOCK: printf("unlocked %s\n", login); break;
	case USER_RETIRE: printf("retired %s: it can no longer sign in\n", login); break;
	case USER_SET_ROLE: printf("%s is now %s\n", login, role); break;
	case USER_RESET_PASSWORD: printf("new password set for %s\n", login); break;
	}
	rc = 0;
out:
	memset(pw, 0, sizeof pw);
	return rc;
}

static int
user_list(store *st)
{
	user_row *u;
	size_t n;
	crf_err e;

	if (store_list_users(st, &u, &n, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
		return 1;
	}
	printf("%-16s %-13s %-8s %-21s %s\n", "LOGIN", "ROLE", "STATE", "CREATED (UTC)", "NAME");
	for (size_t i = 0; i < n; i++)
		printf("%-16s %-13s %-8s %-21s %s\n", u[i].login, u[i].role,
		    !u[i].active ? "retired" : u[i].locked ? "locked" : "active", u[i].created_at,
		    u[i].full_name);
	user_rows_free(u, n);
	return 0;
}

int
cli_user(const cli_opts *o, int argc, char **argv)
{
	crf_config cfg;
	store *st = NULL;
	crf_err e;
	int rc;

	if (argc < 1 || !(strcmp(argv[0], "add") == 0 || (strcmp(argv[0], "list") == 0 && argc == 1) ||
	    ((strcmp(argv[0], "unlock") == 0 || strcmp(argv[0], "retire") == 0 ||
	    strcmp(argv[0], "reset-password") == 0) && argc == 2) ||
	    (strcmp(argv[0], "set-role") == 0 && argc == 3))) {
		fprintf(stderr, "usage: crf user add LOGIN --role ROLE --name \"FULL NAME\"\n"
		    "       crf user list\n"
		    "       crf user set-role LOGIN ROLE\n"
		    "       crf user reset-password LOGIN\n"
		    "       crf user retire LOGIN\n"
		    "       crf user unlock LOGIN\n");
		return 2;
	}
	if (cli_load_config(o, &cfg) != 0)
		return 1;
	if (store_open(cfg.db_path, &st, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
		config_free(&cfg);
		return 1;
	}
	if (strcmp(argv[0], "add") == 0) {
		rc = user_add(st, &cfg, argc - 1, argv + 1);
	} else if (strcmp(argv[0], "list") != 0) {
		rc = user_change_cmd(st, &cfg, argv[0], argv[1], argc > 2 ? argv[2] : NULL);
	} else {
		rc = user_list(st);
	}
	store_close(st);
	config_free(&cfg);
	return rc;
}
