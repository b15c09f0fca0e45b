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
int cli_forms(const cli_opts *o, int argc, char **argv);
int cli_init(const cli_opts *o, int argc, char **argv);
int cli_report(const cli_opts *o, int argc, char **argv);
int cli_ui(const cli_opts *o, int argc, char **argv);
int cli_user(const cli_opts *o, int argc, char **argv);

#endif
