/* cli_init.c - crf init: create the configured site's database. */
#include <stdlib.h>

#include "crf/clicommon.h"
#include "crf/store.h"

int
cli_init(const cli_opts *o, int argc, char **argv)
{
	crf_config cfg;
	study_def *sd = NULL;
	store *st = NULL;
	crf_err e;
	crf_status rc;

	(void)argv;
	if (argc != 0) {
		fprintf(stderr, "usage: crf init\n");
		return 2;
	}
	if (cli_load_config(o, &cfg) != 0)
		return 1;
	if (cli_load_study(cfg.forms_dir, &sd, stderr) > 0) {
		fprintf(stderr, "crf: the form definitions in %s have problems (above); "
		    "no database was created\n", cfg.forms_dir);
		config_free(&cfg);
		return 1;
	}
	rc = store_create(cfg.db_path, cfg.site_code, cfg.site_name, &st, &e);
	if (rc != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
		formdef_free(sd);
		config_free(&cfg);
		return 1;
	}
	printf("created %s for site %s (%s), study %s\n", cfg.db_path, cfg.site_code,
	    cfg.site_name, sd->id);
	store_close(st);
	formdef_free(sd);
	config_free(&cfg);
	return 0;
}
