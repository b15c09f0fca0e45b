/* cli_forms.c - crf forms check [DIR]. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crf/clicommon.h"
#include "crf/util.h"

int
cli_forms(const cli_opts *o, int argc, char **argv)
{
	study_def *sd = NULL;
	crf_config cfg = {0};
	char *dir;
	size_t nproblems;

	if (argc < 1 || strcmp(argv[0], "check") != 0 || argc > 2) {
		fprintf(stderr, "usage: crf forms check [DIR]\n");
		return 2;
	}
	if (argc == 2) {
		dir = xstrdup(argv[1]);
	} else {
		/* The configured folder, or ./forms when there is no configuration. */
		char *path = config_locate(o->config_path);
		if (o->config_path == NULL && access(path, F_OK) != 0) {
			dir = xstrdup("forms");
		} else {
			if (cli_load_config(o, &cfg) != 0) {
				free(path);
				return 1;
			}
			dir = xstrdup(cfg.forms_dir);
			config_free(&cfg);
		}
		free(path);
	}
	nproblems = cli_load_study(dir, &sd, stdout);
	if (nproblems > 0) {
		printf("forms check: %zu problem%s in %s\n", nproblems,
		    nproblems == 1 ? "" : "s", dir);
		free(dir);
		return 1;
	}
	printf("forms check: %zu forms, %zu fields, %zu events, %zu logs: no problems\n",
	    sd->nforms, study_field_count(sd), sd->nevents, sd->nlogs);
	formdef_free(sd);
	free(dir);
	return 0;
}
