/* cli_backup.c - crf backup FILE | crf backup --check FILE | crf restore
 * FILE [--replace]: copies of the site database (backup.h, docs/backup.md). */
#include <stdlib.h>
#include <string.h>

#include "crf/backup.h"
#include "crf/clicommon.h"
#include "crf/store.h"
#include "crf/util.h"

#define BACKUP_USAGE \
	"usage: crf backup FILE          copy the site database to FILE (a new file)\n" \
	"       crf backup --check FILE  check a backup without restoring it\n"
#define RESTORE_USAGE \
	"usage: crf restore FILE [--replace]\n" \
	"  restore the backup FILE as the site database; --replace when the\n" \
	"  database exists (it is kept aside, never deleted)\n"

/* "57 audit rows, chain intact, head 57:HASH" */
static void
print_trail(const backup_summary *s)
{
	printf("%lld audit row%s, chain intact", s->rows, s->rows == 1 ? "" : "s");
	if (s->rows > 0)
		printf(", head %lld:%s", s->last_seq, s->head);
	putchar('\n');
}

static void
print_clocks(const char *cmd, const backup_summary *s)
{
	if (s->nclocks > 0)
		printf("%s: warning: %zu clock anomal%s in the audit trail (crf audit "
		    "verify lists them)\n", cmd, s->nclocks,
		    s->nclocks == 1 ? "y" : "ies");
}

static char *
printable_site(const backup_summary *s)
{
	char *code = audit_printable(s->site_code);
	char *name = audit_printable(s->site_name);
	char *out = xasprintf("%s (%s)", code, name);

	free(code);
	free(name);
	return out;
}

static int
backup_check_cmd(const crf_config *cfg, const char *file)
{
	backup_summary s;
	crf_err e;
	char *site, *f;

	if (backup_check(file, cfg->site_code, &s, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
		return 1;
	}
	site = printable_site(&s);
	f = audit_printable(file);
	print_clocks("backup check", &s);
	printf("backup check of %s: a backup of site %s, %lld bytes, intact; ", f,
	    site, s.bytes);
	print_trail(&s);
	free(site);
	free(f);
	backup_summary_clear(&s);
	return 0;
}

static int
backup_take_cmd(const crf_config *cfg, const char *file)
{
	backup_summary s;
	store *st = NULL;
	crf_err e;
	char *f;
	int rc = 1;

	if (store_open(cfg->db_path, &st, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
		return 1;
	}
	if (backup_take(st, file, NULL, &s, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
	} else {
		char *code = audit_printable(s.site_code);

		f = audit_printable(file);
		print_clocks("backup", &s);
		printf("backup: %s written, %lld bytes; keep a copy away from the "
		    "site server (docs/backup.md)\n", f, s.bytes);
		printf("backup of site %s: ", code);
		print_trail(&s);
		free(code);
		free(f);
		backup_summary_clear(&s);
		rc = 0;
	}
	store_close(st);
	return rc;
}

int
cli_backup(const cli_opts *o, int argc, char **argv)
{
	const char *file = NULL;
	bool check = false;
	crf_config cfg;
	int rc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--check") == 0 && !check) {
			check = true;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			file = NULL;
			break;
		} else if (file == NULL) {
			file = argv[i];
		} else {
			file = NULL;
			break;
		}
	}
	if (file == NULL || *file == '\0') {
		fputs(BACKUP_USAGE, stderr);
		return 2;
	}
	if (cli_load_config(o, &cfg) != 0)
		return 1;
	rc = check ? backup_check_cmd(&cfg, file) : backup_take_cmd(&cfg, file);
	config_free(&cfg);
	return rc;
}

int
cli_restore(const cli_opts *o, int argc, char **argv)
{
	const char *file = NULL;
	bool replace = false, bad = false;
	restore_result r;
	crf_config cfg;
	crf_err e;
	int rc = 1;

	for (int i = 0; i < argc && !bad; i++) {
		if (strcmp(argv[i], "--replace") == 0 && !replace)
			replace = true;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			bad = true;
		else if (file == NULL)
			file = argv[i];
		else
			bad = true;
	}
	if (bad || file == NULL || *file == '\0') {
		fputs(RESTORE_USAGE, stderr);
		return 2;
	}
	if (cli_load_config(o, &cfg) != 0)
		return 1;
	if (backup_restore(file, cfg.db_path, cfg.site_code, replace, &r, &e) !=
	    CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
	} else {
		char *f = audit_printable(file);
		char *db = audit_printable(cfg.db_path);
		char *site = printable_site(&r.backup);

		print_clocks("restore", &r.restored);
		printf("restore: checked %s: a backup of site %s; ", f, site);
		print_trail(&r.backup);
		if (r.aside != NULL) {
			char *a = audit_printable(r.aside);

			printf("restore: the database before is kept as %s\n", a);
			free(a);
		} else {
			printf("restore: there was no database before\n");
		}
		printf("restore: %s restored; the audit trail notes the restore: ", db);
		print_trail(&r.restored);
		free(f);
		free(db);
		free(site);
		restore_result_clear(&r);
		rc = 0;
	}
	config_free(&cfg);
	return rc;
}
