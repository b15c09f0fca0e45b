/*
 * cli.h - the subcommands of the crf program.
 *
 * Each command gets the arguments after its name and the global options,
 * prints to stdout/stderr (curses is never active here) and returns the
 * process exit status: 0 success, 1 a problem the user can fix (bad
 * definitions, refused action), 2 a usage error.
 */
#ifndef CRF_CLI_H
#define CRF_CLI_H

typedef struct cli_opts {
	const char *config_path;   /* -c/--config, or NULL */
} cli_opts;

int cli_audit(const cli_opts *o, int argc, char **argv);
int cli_backup(const cli_opts *o, int argc, char **argv);
/* crf export --format odm [--snapshot] [--identifiers] [--out FILE],
 * crf export --transfer [--identifiers] --out FILE (transfer.h),
 * crf export --check FILE; --format csv goes to cli_export_csv(). */
int cli_export(const cli_opts *o, int argc, char **argv);
/* crf import FILE, crf import --conflicts (central.h). */
int cli_import(const cli_opts *o, int argc, char **argv);
/* crf export --format csv --out DIR [--long] [--identifiers] [--force]:
 * argv is what follows `export` (a --format, if there, must say csv). */
int cli_export_csv(const cli_opts *o, int argc, char **argv);
int cli_forms(const cli_opts *o, int argc, char **argv);
int cli_init(const cli_opts *o, int argc, char **argv);
int cli_print(const cli_opts *o, int argc, char **argv);
int cli_report(const cli_opts *o, int argc, char **argv);
int cli_restore(const cli_opts *o, int argc, char **argv);
int cli_ui(const cli_opts *o, int argc, char **argv);
int cli_user(const cli_opts *o, int argc, char **argv);

#endif
