/* cli_ui.c - crf without a command: check everything, then the screens. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crf/app.h"
#include "crf/clicommon.h"
#include "crf/screens.h"
#include "crf/util.h"

int
cli_ui(const cli_opts *o, int argc, char **argv)
{
	crf_config cfg;
	study_def *sd = NULL;
	store *st = NULL;
	app a = {0};
	crf_err e;
	struct stat sb;
	long long nusers = 0;
	int rc;

	(void)argc;
	(void)argv;
	if (cli_load_config(o, &cfg) != 0)
		return 1;
	if (cli_load_study(cfg.forms_dir, &sd, stderr) > 0) {
		fprintf(stderr, "crf: cannot start: the form definitions in %s have the "
		    "problems above (run crf forms check)\n", cfg.forms_dir);
		config_free(&cfg);
		return 1;
	}
	/* A missing database is created by the set-up screen, after the
	 * person confirms the site; anything else wrong is said here. */
	if (stat(cfg.db_path, &sb) == 0) {
		if (store_open(cfg.db_path, &st, &e) != CRF_OK ||
		    store_user_count(st, &nusers, &e) != CRF_OK) {
			fprintf(stderr, "crf: %s\n", e.msg);
			store_close(st);
			formdef_free(sd);
			config_free(&cfg);
			return 1;
		}
	} else if (errno != ENOENT) {
		fprintf(stderr, "crf: cannot use %s: %s\n", cfg.db_path, strerror(errno));
		formdef_free(sd);
		config_free(&cfg);
		return 1;
	}
	if (ui_init(&e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
		store_close(st);
		formdef_free(sd);
		config_free(&cfg);
		return 1;
	}
	a.cfg = &cfg;
	a.sd = sd;
	a.st = st;
	app_push(&a, st && nusers > 0 ? scr_login_new(&a) : scr_setup_new(&a));
	rc = app_run(&a);
	ui_end();
	store_close(a.st);
	free(a.login);
	free(a.full_name);
	formdef_free(sd);
	config_free(&cfg);
	return rc;
}
