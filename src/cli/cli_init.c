/* cli_init.c - crf init [--central]: create the configured site's
 * database, or the coordinating centre's (central.h). */
#include <stdlib.h>
#include <string.h>

#include "crf/central.h"
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
	bool central = argc == 1 && strcmp(argv[0], "--central") == 0;

	if (argc != 0 && !central) {
		fprintf(stderr, "usage: crf init [--central]\n");
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
	if (central && store_make_central(st, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
		store_close(st);
		formdef_free(sd);
		config_free(&cfg);
		return 1;
	}
	if (central)
		printf("created %s, the central database of %s (%s), study %s\n", cfg.db_path,
		    cfg.site_code, cfg.site_name, sd->id);
	else
		printf("created %s for site %s (%s), study %s\n", cfg.db_path, cfg.site_code,
		    cfg.site_name, sd->id);
	store_close(st);
	formdef_free(sd);
	config_free(&cfg);
	return 0;
}
