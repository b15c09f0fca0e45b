/* cli_print.c - crf print --subject ID [--html] [--out FILE] [--ascii]: the
 * printed casebook of one subject (print.h, docs/print.md). */
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>

#include "crf/clicommon.h"
#include "crf/print.h"
#include "crf/store.h"
#include "crf/util.h"

#define PRINT_USAGE \
	"usage: crf print --subject ID [--html] [--out FILE] [--ascii]\n" \
	"  the casebook of one subject as text (80 columns) or as one HTML file;\n" \
	"  to standard output unless --out names a file; --ascii: plain ASCII text\n"

typedef struct print_args {
	const char *subject;
	const char *out;
	bool html;
	bool ascii;
} print_args;

static bool
parse_args(int argc, char **argv, print_args *a)
{
	memset(a, 0, sizeof *a);
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--subject") == 0 && i + 1 < argc && a->subject == NULL)
			a->subject = argv[++i];
		else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc && a->out == NULL)
			a->out = argv[++i];
		else if (strcmp(argv[i], "--html") == 0 && !a->html)
			a->html = true;
		else if (strcmp(argv[i], "--ascii") == 0 && !a->ascii)
			a->ascii = true;
		else
			return false;
	}
	return !str_blank(a->subject) && (a->out == NULL || *a->out != '\0');
}

int
cli_print(const cli_opts *o, int argc, char **argv)
{
	print_args a;
	crf_config cfg;
	study_def *sd = NULL;
	store *st = NULL;
	char *user;
	print_opts po;
	print_format fmt;
	crf_err e;
	int rc = 1;

	if (!parse_args(argc, argv, &a)) {
		fputs(PRINT_USAGE, stderr);
		return 2;
	}
	fmt = a.html ? PRINT_HTML : PRINT_TEXT;
	user = store_os_user();
	if (cli_load_config(o, &cfg) != 0) {
		free(user);
		return 1;
	}
	po = (print_opts){
		.lang = cfg.lang,
		.date_fmt = cfg.date_format,
		.ascii = a.ascii || (!a.html && a.out == NULL &&
		    strcmp(nl_langinfo(CODESET), "UTF-8") != 0),
		.printed_by = user,
	};
	if (cli_load_study(cfg.forms_dir, &sd, stderr) > 0) {
		fprintf(stderr, "crf: the form definitions in %s have problems; "
		    "crf forms check lists them\n", cfg.forms_dir);
	} else if (store_open(cfg.db_path, &st, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
	} else if (a.out == NULL) {
		if (print_casebook_stream(st, sd, a.subject, fmt, &po, stdout,
		    "standard output", &e) != CRF_OK)
			fprintf(stderr, "crf: %s\n", e.msg);
		else
			rc = 0;
	} else {
		char *path = NULL;

		if (print_casebook_file(st, sd, a.subject, fmt, &po, a.out, NULL, &path,
		    &e) != CRF_OK) {
			fprintf(stderr, "crf: %s\n", e.msg);
		} else {
			char *p = audit_printable(path), *s = audit_printable(a.subject);

			printf("print: the casebook of %s is in %s (%s); the audit trail "
			    "records the copy\n", s, p, a.html ? "HTML" : "text");
			free(p);
			free(s);
			rc = 0;
		}
		free(path);
	}
	store_close(st);
	formdef_free(sd);
	config_free(&cfg);
	free(user);
	return rc;
}
