/* main.c - crf: options, the command table, dispatch. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "crf/cli.h"
#include "crf/version.h"

static const struct command {
	const char *name;
	int (*run)(const cli_opts *o, int argc, char **argv);
	const char *usage;
	const char *help;
} commands[] = {
	{ "audit", cli_audit, "audit verify [--strict] [--head SEQ:HASH]",
	  "check the audit trail's hash chain and the data against it" },
	{ "audit", cli_audit, "audit show --subject ID [--form EVENT/FORM]",
	  "print a subject's audit trail" },
	{ "backup", cli_backup, "backup FILE",
	  "copy the site database to FILE while sessions go on, then check it" },
	{ "backup", cli_backup, "backup --check FILE",
	  "check a backup (integrity, audit trail) without restoring it" },
	{ "export", cli_export, "export --format odm [--snapshot] [--identifiers] [--out FILE]",
	  "the site's study and data as CDISC ODM 1.3.2, checked before it is\n"
	  "        written: every change with its audit record, or --snapshot" },
	{ "export", cli_export, "export --transfer [--identifiers] --out FILE",
	  "the changes since the site's last transfer, for the coordinating\n"
	  "        centre, chained by PriorFileOID, with its checksum FILE.b2" },
	{ "export", cli_export, "export --check FILE",
	  "check an ODM file: the ODM 1.3.2 schema and crf's rules ODM-02..08" },
	{ "forms", cli_forms, "forms check [DIR]",
	  "check the form definitions (default: the config's forms folder)" },
	{ "import", cli_import, "import FILE",
	  "central database: apply a site's transfer file (checked, in order,\n"
	  "        once; a value changed at the centre is kept as a conflict)" },
	{ "import", cli_import, "import --conflicts",
	  "list the conflicts recorded by imports" },
	{ "import", cli_import, "import --list",
	  "list the files applied, by site, and the file each site sends next" },
	{ "init", cli_init, "init",
	  "create the site database named in the configuration" },
	{ "init", cli_init, "init --central",
	  "create the coordinating centre's database, for crf import" },
	{ "print", cli_print, "print --subject ID [--html] [--out FILE] [--ascii]",
	  "a subject's casebook (values, signatures, queries, audit trail)\n"
	  "        as text or HTML, for printing; the copy is audited" },
	{ "report", cli_report, "report [--width N] [--ascii]",
	  "the study report: enrolment, visits, completeness, adverse events,\n"
	  "        engraftment, MS activity-free survival (Kaplan-Meier)" },
	{ "restore", cli_restore, "restore FILE [--replace]",
	  "restore a backup as the site database (--replace keeps the old one\n"
	  "        aside; every session must be stopped first)" },
	{ "user", cli_user, "user add LOGIN --role ROLE --name NAME",
	  "add an account (password from the terminal or standard input)" },
	{ "user", cli_user, "user list",
	  "list the site's accounts" },
	{ "user", cli_user, "user set-role LOGIN ROLE",
	  "change an account's role" },
	{ "user", cli_user, "user reset-password LOGIN",
	  "give an account a new password (terminal or standard input)" },
	{ "user", cli_user, "user retire LOGIN",
	  "stop an account from signing in (its login is never reused)" },
	{ "user", cli_user, "user unlock LOGIN",
	  "unlock an account locked by wrong passwords" },
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: crf [-c FILE] [COMMAND [ARGS]]\n"
	    "\n"
	    "Without a command crf starts the full-screen data-entry program.\n"
	    "\n"
	    "Commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(fp, "  crf %s\n        %s\n", commands[i].usage, commands[i].help);
	fprintf(fp,
	    "\n"
	    "Options:\n"
	    "  -c, --config FILE          configuration file (default: $CRF_CONFIG,\n"
	    "                             ./config.ini, /etc/crf/config.ini)\n"
	    "  -h, --help                 this help\n"
	    "  -V, --version              the version\n"
	    "\n"
	    "Documentation: README.md, docs/forms.md, docs/configuration.md,\n"
	    "docs/audit.md.\n");
}

int
main(int argc, char **argv)
{
	cli_opts o = {0};
	int i;

	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");   /* numbers are always written with a point */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			printf("crf %s\n", CRF_VERSION);
			return 0;
		} else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "crf: %s needs a file name\n", a);
				return 2;
			}
			o.config_path = argv[++i];
		} else if (strncmp(a, "--config=", 9) == 0) {
			o.config_path = a + 9;
		} else if (strcmp(a, "--") == 0) {
			i++;
			break;
		} else {
			fprintf(stderr, "crf: unknown option %s (try crf --help)\n", a);
			return 2;
		}
	}
	if (i >= argc)
		return cli_ui(&o, 0, argv + i);
	for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
		if (strcmp(argv[i], commands[c].name) == 0)
			return commands[c].run(&o, argc - i - 1, argv + i + 1);
	if (strcmp(argv[i], "help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "crf: unknown command '%s' (try crf --help)\n", argv[i]);
	return 2;
}
