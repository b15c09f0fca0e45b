/* cli_export_csv.c - crf export --format csv --out DIR [--long]
 * [--identifiers] [--force] [--site CODE]: the CSV export for
 * statisticians (csv_export.h, docs/csv.md).  `crf export` hands its
 * arguments here when the format is csv.  Only parsing here: the site's
 * slice of the central database is csv_export()'s (csv_opts.site). */
#include <stdlib.h>
#include <string.h>

#include "crf/clicommon.h"
#include "crf/config.h"
#include "crf/csv_export.h"
#include "crf/store.h"
#include "crf/util.h"

#define EXPORT_CSV_USAGE \
	"usage: crf export --format csv --out DIR [--long] [--identifiers] [--force]\n" \
	"                  [--site CODE]\n"

#define EXPORT_CSV_HELP \
	"  --out DIR        the folder to write into: created when missing, else it\n" \
	"                   must be empty\n" \
	"  --long           one row per value (" CSV_LONG_FILE ") instead of one file\n" \
	"                   per form\n" \
	"  --identifiers    include the fields flagged identifier (left out otherwise)\n" \
	"  --force          write into a folder that is not empty, replacing the files\n" \
	"                   of an earlier export there\n" \
	"  --site CODE      in the central database (crf init --central): only the\n" \
	"                   subjects of site CODE, the same files as that site's own\n" \
	"                   export\n"

typedef struct csv_args {
	const char *out;
	csv_opts opts;
	bool help;
} csv_args;

/* The arguments after `export` (any --format must say csv). */
static bool
parse_args(int argc, char **argv, csv_args *a)
{
	memset(a, 0, sizeof *a);
	for (int i = 0; i < argc; i++) {
		const char *s = argv[i];

		if (strcmp(s, "--format") == 0 && i + 1 < argc && str_ieq(argv[i + 1], "csv")) {
			i++;
		} else if (str_ieq(s, "--format=csv")) {
			continue;
		} else if (strcmp(s, "--out") == 0 && i + 1 < argc && a->out == NULL) {
			a->out = argv[++i];
		} else if (strncmp(s, "--out=", 6) == 0 && a->out == NULL) {
			a->out = s + 6;
		} else if (strcmp(s, "--long") == 0) {
			a->opts.long_format = true;
		} else if (strcmp(s, "--identifiers") == 0) {
			a->opts.identifiers = true;
		} else if (strcmp(s, "--force") == 0) {
			a->opts.force = true;
		} else if (strcmp(s, "--site") == 0 && i + 1 < argc && a->opts.site == NULL) {
			a->opts.site = argv[++i];
		} else if (strncmp(s, "--site=", 7) == 0 && a->opts.site == NULL) {
			a->opts.site = s + 7;
		} else if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
			a->help = true;
		} else {
			fprintf(stderr, "crf export: unexpected '%s'\n", s);
			return false;
		}
	}
	if (a->out == NULL && !a->help) {
		fprintf(stderr, "crf export: the CSV export needs --out DIR, the folder to write "
		    "the files into\n");
		return false;
	}
	if (a->out != NULL && a->out[0] == '\0') {
		fprintf(stderr, "crf export: --out needs a folder name\n");
		return false;
	}
	if (a->opts.site != NULL && !config_site_code_ok(a->opts.site)) {
		fprintf(stderr, "crf export: --site needs a site code, 2 to 8 upper-case letters "
		    "or digits such as TJ01, not '%s'\n", a->opts.site);
		return false;
	}
	return true;
}

static void
print_summary(const csv_summary *s, const csv_opts *o)
{
	printf("crf export: %zu files written to %s: ", s->files, s->dir);
	if (o->long_format)
		printf("%s", CSV_LONG_FILE);
	else
		printf("%zu form file%s (FORM.csv)", s->forms, s->forms == 1 ? "" : "s");
	printf(", %s, %s, %s, %s\n", CSV_DICT_FILE, CSV_MISSING_FILE, CSV_REDCAP_FILE, CSV_R_FILE);
	if (o->site != NULL)
		printf("crf export: site %s of the central database only\n", o->site);
	printf("crf export: %zu subject%s, %zu form instance%s, %zu value%s and missing-data "
	    "codes\n", s->subjects, s->subjects == 1 ? "" : "s", s->instances,
	    s->instances == 1 ? "" : "s", s->values, s->values == 1 ? "" : "s");
	if (s->identifiers > 0)
		printf("crf export: %zu identifier field%s left out (--identifiers includes "
		    "%s)\n", s->identifiers, s->identifiers == 1 ? "" : "s",
		    s->identifiers == 1 ? "it" : "them");
	if (s->skipped > 0)
		fprintf(stderr, "crf export: warning: %zu stored value%s of forms, events or "
		    "fields that the definitions no longer have %s not exported\n", s->skipped,
		    s->skipped == 1 ? "" : "s", s->skipped == 1 ? "was" : "were");
	printf("crf export: in R: Rscript %s/%s\n", s->dir, CSV_R_FILE);
}

int
cli_export_csv(const cli_opts *o, int argc, char **argv)
{
	csv_args a;
	crf_config cfg;
	study_def *sd = NULL;
	store *st = NULL;
	csv_summary sum;
	crf_status cs;
	crf_err e;
	int rc = 1;

	if (!parse_args(argc, argv, &a)) {
		fputs(EXPORT_CSV_USAGE, stderr);
		return 2;
	}
	if (a.help) {
		fputs(EXPORT_CSV_USAGE EXPORT_CSV_HELP, stdout);
		return 0;
	}
	if (cli_load_config(o, &cfg) != 0)
		return 1;
	if (cli_load_study(cfg.forms_dir, &sd, stderr) > 0) {
		fprintf(stderr, "crf: the form definitions in %s have problems; "
		    "crf forms check lists them\n", cfg.forms_dir);
	} else if (store_open(cfg.db_path, &st, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
	} else if ((cs = csv_export(st, sd, a.out, &a.opts, &sum, &e)) != CRF_OK) {
		fprintf(stderr, "crf export: %s\n", e.msg);
		if (cs == CRF_EEXIST)
			fprintf(stderr, "crf export: give a new or empty folder, or add --force to "
			    "replace the files of an earlier export in it\n");
	} else {
		print_summary(&sum, &a.opts);
		csv_summary_clear(&sum);
		rc = fflush(stdout) == 0 ? 0 : 1;
	}
	store_close(st);
	formdef_free(sd);
	config_free(&cfg);
	return rc;
}
