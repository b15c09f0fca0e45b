/* cli_import.c - crf import FILE, crf import --conflicts, crf import
 * --list: a site's transfer file applied to the central database
 * (central.h) after its checksum (FILE.b2), the ODM schema and crf's
 * checks; the conflicts recorded so far; the files applied. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crf/audit.h"
#include "crf/central.h"
#include "crf/clicommon.h"
#include "crf/odm.h"
#include "crf/store.h"
#include "crf/transfer.h"
#include "crf/util.h"

#define IMPORT_USAGE \
	"usage: crf import FILE      apply a site's transfer file (with FILE.b2 beside it)\n" \
	"       crf import --conflicts   the changes not applied, for the data manager\n" \
	"       crf import --list        the files applied, by site, and what comes next\n"

/* The checksum in FILE.b2 ("<64 hex>  <name>"): true with hex filled. */
static bool
read_checksum(const char *path, char *hex)
{
	size_t len = 0;
	char *buf = file_read_all(path, &len);
	bool ok = buf != NULL && len >= TRANSFER_CHECKSUM_HEX + 3;

	for (size_t i = 0; ok && i < TRANSFER_CHECKSUM_HEX; i++)
		ok = isxdigit((unsigned char)buf[i]) && !isupper((unsigned char)buf[i]);
	if (ok)
		ok = buf[TRANSFER_CHECKSUM_HEX] == ' ' && buf[TRANSFER_CHECKSUM_HEX + 1] == ' ';
	if (ok) {
		memcpy(hex, buf, TRANSFER_CHECKSUM_HEX);
		hex[TRANSFER_CHECKSUM_HEX] = '\0';
	}
	free(buf);
	return ok;
}

/* The file passes the schema and crf's checks; the problems printed. */
static bool
file_valid(const char *path, const char *buf, size_t len)
{
	char *schema = cli_odm_schema();
	odm_report r = { 0 };
	bool xml_ok = true, ok = false;
	crf_err e;

	if (schema == NULL)
		return false;
	if (odm_validate(buf, len, path, schema, &r, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
		goto out;
	}
	for (size_t i = 0; i < r.n; i++)
		if (strcmp(r.items[i].rule, "XML") == 0)
			xml_ok = false;
	if (xml_ok && odm_check(buf, len, path, &r, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
		goto out;
	}
	for (size_t i = 0; i < r.n && r.errors > 0; i++) {
		char *msg = audit_printable(r.items[i].msg);

		if (!r.items[i].warning)
			fprintf(stderr, "%s:%d: %s: %s\n", path, r.items[i].line, r.items[i].rule, msg);
		free(msg);
	}
	ok = r.errors == 0;
	if (!ok)
		fprintf(stderr, "crf: %s fails the ODM schema or crf's checks (above); nothing "
		    "imported\n", path);
out:
	odm_report_clear(&r);
	free(schema);
	return ok;
}

static int
list_conflicts(store *st)
{
	import_conflict *c;
	size_t n;
	crf_err e;

	if (central_conflicts(st, &c, &n, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
		return 1;
	}
	if (n == 0)
		printf("no conflicts\n");
	for (size_t i = 0; i < n; i++) {
		char *line = import_conflict_text(&c[i]);

		printf("%s\n", line);
		free(line);
	}
	if (n > 0)
		printf("%zu conflict%s: the centre's values were kept\n", n, n == 1 ? "" : "s");
	import_conflicts_free(c, n);
	return 0;
}

/* The files applied, by site; after each site, the file that must come
 * next. */
static int
list_imports(store *st)
{
	import_row *r;
	size_t n, sites = 0;
	crf_err e;

	if (central_imports(st, &r, &n, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		bool last = i + 1 == n || strcmp(r[i + 1].site, r[i].site) != 0;

		if (i == 0 || strcmp(r[i - 1].site, r[i].site) != 0) {
			printf("site %s\n", r[i].site);
			sites++;
		}
		printf("  %s  imported %s by %s: %lld change%s, %lld conflict%s\n", r[i].file_oid,
		    r[i].imported_at, r[i].imported_by, r[i].changes, r[i].changes == 1 ? "" : "s",
		    r[i].conflicts, r[i].conflicts == 1 ? "" : "s");
		if (last)
			printf("  next: a file whose PriorFileOID is %s\n", r[i].file_oid);
	}
	if (n == 0)
		printf("no files imported yet\n");
	else
		printf("%zu file%s from %zu site%s\n", n, n == 1 ? "" : "s", sites,
		    sites == 1 ? "" : "s");
	import_rows_free(r, n);
	return 0;
}

int
cli_import(const cli_opts *o, int argc, char **argv)
{
	bool conflicts = argc == 1 && strcmp(argv[0], "--conflicts") == 0;
	bool list = argc == 1 && strcmp(argv[0], "--list") == 0;
	char hex[TRANSFER_CHECKSUM_HEX + 1], want[TRANSFER_CHECKSUM_HEX + 1];
	char *sumpath = NULL, *buf = NULL;
	crf_config cfg;
	study_def *sd = NULL;
	store *st = NULL;
	import_result res;
	size_t len = 0;
	crf_err e;
	int rc = 1;

	if (argc != 1 || (!conflicts && !list && argv[0][0] == '-')) {
		fputs(IMPORT_USAGE, stderr);
		return 2;
	}
	if (!conflicts && !list) {
		sumpath = xasprintf("%s.b2", argv[0]);
		if ((buf = file_read_all(argv[0], &len)) == NULL) {
			fprintf(stderr, "crf: cannot read %s: %s\n", argv[0], strerror(errno));
			goto early;
		}
		if (!read_checksum(sumpath, want)) {
			fprintf(stderr, "crf: %s is missing or not a checksum file: a transfer "
			    "travels with its checksum; nothing imported\n", sumpath);
			goto early;
		}
		transfer_checksum(buf, len, hex);
		if (strcmp(hex, want) != 0) {
			fprintf(stderr, "crf: %s does not match its checksum in %s: it was damaged "
			    "or changed on the way; nothing imported\n", argv[0], sumpath);
			goto early;
		}
		if (!file_valid(argv[0], buf, len))
			goto early;
	}
	if (cli_load_config(o, &cfg) != 0)
		goto early;
	if (cli_load_study(cfg.forms_dir, &sd, stderr) > 0) {
		fprintf(stderr, "crf: the form definitions in %s have problems; crf forms check "
		    "lists them\n", cfg.forms_dir);
		goto out;
	}
	if (store_open(cfg.db_path, &st, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
		goto out;
	}
	if (conflicts || list) {
		rc = conflicts ? list_conflicts(st) : list_imports(st);
		goto out;
	}
	if (central_import(st, sd, buf, len, argv[0], hex, &res, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s: %s; nothing imported\n", argv[0], e.msg);
		goto out;
	}
	if (res.already) {
		printf("%s: %s already imported, nothing changed\n", argv[0], res.file_oid);
	} else {
		printf("%s: imported %s from site %s: %zu subject%s, %zu form instance%s, %zu "
		    "value%s, %zu status change%s; %zu audit record%s of the site kept\n", argv[0],
		    res.file_oid, res.site, res.subjects, res.subjects == 1 ? "" : "s",
		    res.instances, res.instances == 1 ? "" : "s", res.values,
		    res.values == 1 ? "" : "s", res.statuses, res.statuses == 1 ? "" : "s",
		    res.records, res.records == 1 ? "" : "s");
		if (res.conflicts > 0)
			printf("%s: %zu conflict%s: changed at the centre, the centre's value%s "
			    "kept (crf import --conflicts lists them)\n", argv[0], res.conflicts,
			    res.conflicts == 1 ? "" : "s", res.conflicts == 1 ? " was" : "s were");
	}
	rc = 0;
out:
	store_close(st);
	formdef_free(sd);
	config_free(&cfg);
early:
	free(buf);
	free(sumpath);
	return rc;
}
