/* cli_report.c - crf report [--width N] [--ascii]: the study report of the
 * site database (report.h) on standard output. */
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>

#include "crf/clicommon.h"
#include "crf/report.h"
#include "crf/store.h"
#include "crf/util.h"

#define REPORT_USAGE "usage: crf report [--width N] [--ascii]\n"

static bool
parse_args(int argc, char **argv, report_opts *ro)
{
	bool width_given = false;

	for (int i = 0; i < argc; i++) {
		long w;

		if (strcmp(argv[i], "--ascii") == 0) {
			ro->utf8 = false;
		} else if (strcmp(argv[i], "--width") == 0 && i + 1 < argc && !width_given &&
		    parse_long(argv[i + 1], &w) && w >= REPORT_MIN_WIDTH &&
		    w <= REPORT_MAX_WIDTH) {
			ro->width = (int)w;
			width_given = true;
			i++;
		} else {
			return false;
		}
	}
	return true;
}

int
cli_report(const cli_opts *o, int argc, char **argv)
{
	report_opts ro = {
		.width = 80,
		.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0,
		.today = clock_today(),
	};
	crf_config cfg;
	study_def *sd = NULL;
	store *st = NULL;
	strbuf out = {0};
	crf_err e;
	int rc = 1;

	if (!parse_args(argc, argv, &ro)) {
		fprintf(stderr, REPORT_USAGE "  --width N  columns, %d to %d (default 80)\n"
		    "  --ascii    plain ASCII, also on a UTF-8 terminal\n",
		    REPORT_MIN_WIDTH, REPORT_MAX_WIDTH);
		return 2;
	}
	if (cli_load_config(o, &cfg) != 0)
		return 1;
	if (cli_load_study(cfg.forms_dir, &sd, stderr) > 0) {
		fprintf(stderr, "crf: the form definitions in %s have problems; "
		    "crf forms check lists them\n", cfg.forms_dir);
	} else if (store_open(cfg.db_path, &st, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
	} else if (report_write(st, sd, &ro, &out, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
	} else {
		fputs(out.s ? out.s : "", stdout);
		rc = fflush(stdout) == 0 ? 0 : 1;
	}
	sb_free(&out);
	store_close(st);
	formdef_free(sd);
	config_free(&cfg);
	return rc;
}
