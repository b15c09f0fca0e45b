/* cli_export.c - crf export --format odm | csv, crf export --check FILE,
 * crf export --transfer --out FILE: the site's data as CDISC ODM 1.3.2
 * (odm.h), checked against the schema and crf's own rules before it is
 * reported as written; a transfer for the coordinating centre with its
 * checksum file (transfer.h); CSV goes to cli_export_csv(). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crf/clicommon.h"
#include "crf/audit.h"
#include "crf/date.h"
#include "crf/odm.h"
#include "crf/store.h"
#include "crf/transfer.h"
#include "crf/util.h"

#define EXPORT_USAGE \
	"usage: crf export --format odm [--snapshot] [--identifiers] [--site CODE]\n" \
	"                  [--out FILE]\n" \
	"       crf export --transfer [--identifiers] --out FILE\n" \
	"       crf export --format csv [OPTIONS]\n" \
	"       crf export --check FILE\n"

typedef struct export_args {
	bool snapshot;
	bool identifiers;
	bool transfer;          /* --transfer: the changes since the last one */
	const char *out;        /* NULL: standard output */
	const char *check;      /* --check FILE */
	const char *site;       /* --site CODE: that site's slice of the centre */
} export_args;

/* The value of --format anywhere in the arguments, or NULL. */
static const char *
format_arg(int argc, char **argv)
{
	for (int i = 0; i + 1 < argc; i++)
		if (strcmp(argv[i], "--format") == 0)
			return argv[i + 1];
	return NULL;
}

static bool
parse_args(int argc, char **argv, export_args *a)
{
	bool format = false;

	memset(a, 0, sizeof *a);
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--format") == 0 && i + 1 < argc && !format &&
		    strcmp(argv[i + 1], "odm") == 0) {
			format = true;
			i++;
		} else if (strcmp(argv[i], "--snapshot") == 0 && !a->snapshot) {
			a->snapshot = true;
		} else if (strcmp(argv[i], "--transfer") == 0 && !a->transfer) {
			a->transfer = true;
		} else if (strcmp(argv[i], "--identifiers") == 0 && !a->identifiers) {
			a->identifiers = true;
		} else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc && a->out == NULL &&
		    argv[i + 1][0] != '\0') {
			a->out = argv[++i];
		} else if (strcmp(argv[i], "--check") == 0 && i + 1 < argc && a->check == NULL) {
			a->check = argv[++i];
		} else if (strcmp(argv[i], "--site") == 0 && i + 1 < argc && a->site == NULL &&
		    config_site_code_ok(argv[i + 1])) {
			a->site = argv[++i];
		} else {
			return false;
		}
	}
	if (a->check != NULL)
		return !format && !a->snapshot && !a->identifiers && !a->transfer &&
		    a->out == NULL && a->site == NULL;
	if (a->transfer)
		return !a->snapshot && a->out != NULL && a->site == NULL;
	return format;
}

/* Print the issues of a report as FILE:LINE: [warning: ]RULE: message. */
static void
print_issues(const char *name, const odm_report *r, FILE *fp)
{
	for (size_t i = 0; i < r->n; i++) {
		const odm_issue *is = &r->items[i];
		char *msg = audit_printable(is->msg);

		fprintf(fp, "%s:%d: %s%s: %s\n", name, is->line, is->warning ? "warning: " : "",
		    is->rule, msg);
		free(msg);
	}
}

/* No "XML" issue: the semantic checks can read the file (otherwise they
 * would only repeat the parser's complaint). */
static bool
well_formed(const odm_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->items[i].rule, "XML") == 0)
			return false;
	return true;
}

/* What an ODM export has open: the schema, the configuration, the form
 * definitions and the database. */
typedef struct odm_session {
	char *schema;
	crf_config cfg;
	study_def *sd;
	store *st;
} odm_session;

/* Open everything an export needs; false (and nothing left open) after
 * saying what is wrong. */
static bool
session_open(const cli_opts *o, odm_session *s)
{
	crf_err e;

	memset(s, 0, sizeof *s);
	if ((s->schema = cli_odm_schema()) == NULL)
		return false;
	if (cli_load_config(o, &s->cfg) != 0) {
		free(s->schema);
		s->schema = NULL;
		return false;
	}
	if (cli_load_study(s->cfg.forms_dir, &s->sd, stderr) > 0) {
		fprintf(stderr, "crf: the form definitions in %s have problems; crf forms check "
		    "lists them\n", s->cfg.forms_dir);
	} else if (store_open(s->cfg.db_path, &s->st, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
	} else {
		return true;
	}
	formdef_free(s->sd);
	config_free(&s->cfg);
	free(s->schema);
	memset(s, 0, sizeof *s);
	return false;
}

static void
session_close(odm_session *s)
{
	store_close(s->st);
	formdef_free(s->sd);
	config_free(&s->cfg);
	free(s->schema);
	memset(s, 0, sizeof *s);
}

/* FILE and FILE.b2 (sumpath) must both be new: false after saying which
 * exists (an export never replaces an earlier one). */
static bool
names_new(const char *path, const char *sumpath)
{
	const char *taken = access(path, F_OK) == 0 ? path :
	    access(sumpath, F_OK) == 0 ? sumpath : NULL;

	if (taken != NULL)
		fprintf(stderr, "crf: %s exists already: give another name (an export never "
		    "replaces an earlier one)\n", taken);
	return taken == NULL;
}

static int
export_check(const char *path)
{
	char *schema = cli_odm_schema();
	odm_report r = { 0 };
	size_t len = 0;
	char *buf;
	crf_err e;
	int rc = 1;

	if (schema == NULL)
		return 1;
	buf = file_read_all(path, &len);
	if (buf == NULL) {
		fprintf(stderr, "crf: cannot read %s: %s\n", path, strerror(errno));
		free(schema);
		return 1;
	}
	if (odm_validate(buf, len, path, schema, &r, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
	} else if (well_formed(&r) && odm_check(buf, len, path, &r, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
	} else {
		print_issues(path, &r, stdout);
		if (r.errors == 0)
			printf("%s: valid ODM " ODM_VERSION ": passes the schema and crf's checks "
			    "ODM-02 to ODM-08%s\n", path, r.warnings ? " (with warnings)" : "");
		else
			printf("%s: %zu problem%s, %zu warning%s\n", path, r.errors,
			    r.errors == 1 ? "" : "s", r.warnings, r.warnings == 1 ? "" : "s");
		rc = r.errors == 0 ? 0 : 1;
	}
	odm_report_clear(&r);
	free(buf);
	free(schema);
	return rc;
}

/* Write all of buf to fd. */
static bool
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/* Write the document to path, which must not exist: a temporary file in
 * the same folder, synced, then linked to its name (never a half file,
 * never over an earlier export). */
static bool
write_file(const char *path, const strbuf *doc)
{
	char *dir = path_dirname(path);
	char *tmp = path_join(dir, ".crf-export-XXXXXX");
	int fd = mkstemp(tmp);
	bool ok = false;

	if (fd < 0) {
		fprintf(stderr, "crf: cannot write in %s: %s\n", dir, strerror(errno));
		goto out;
	}
	if (!write_all(fd, doc->s, doc->len) || fsync(fd) != 0) {
		fprintf(stderr, "crf: cannot write %s: %s\n", path, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (link(tmp, path) != 0) {
		if (errno == EEXIST)
			fprintf(stderr, "crf: %s exists already: give another name (an export never "
			    "replaces an earlier one)\n", path);
		else
			fprintf(stderr, "crf: cannot write %s: %s\n", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	unlink(tmp);
	ok = true;
out:
	free(tmp);
	free(dir);
	return ok;
}

/* path made absolute against the current folder, for the audit trail
 * (symbolic links are left as they are). */
static char *
absolute(const char *path)
{
	char cwd[4096];

	if (path[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		return xstrdup(path);
	return path_join(cwd, path);
}

/* The last part of a path. */
static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* Write FILE.b2, the checksum of doc written as path (sumpath must not
 * exist). */
static bool
write_checksum(const char *path, const char *sumpath, const strbuf *doc)
{
	char hex[TRANSFER_CHECKSUM_HEX + 1];
	char *line;
	strbuf sumdoc = { 0 };
	bool ok;

	transfer_checksum(doc->s, doc->len, hex);
	line = transfer_checksum_line(hex, base_name(path));
	sb_add(&sumdoc, line);
	ok = write_file(sumpath, &sumdoc);
	sb_free(&sumdoc);
	free(line);
	return ok;
}

static int
export_odm(const cli_opts *o, const export_args *a)
{
	odm_opts oo = {
		.kind = a->snapshot ? ODM_SNAPSHOT : ODM_TRANSACTIONAL,
		.identifiers = a->identifiers,
		.now = clock_now(),
		.site = a->site,
	};
	const char *kind = a->snapshot ? "snapshot" : "transactional";
	char *what = NULL, *where = NULL, *sumpath = NULL;
	odm_session ses;
	strbuf doc = { 0 };
	odm_summary sum;
	bool wrote = false;
	crf_err e;
	int rc = 1;

	if (a->out != NULL) {
		sumpath = xasprintf("%s.b2", a->out);
		if (!names_new(a->out, sumpath)) {
			free(sumpath);
			return 1;
		}
	}
	if (!session_open(o, &ses)) {
		free(sumpath);
		return 1;
	}
	if (odm_export_checked(ses.st, ses.sd, &oo, ses.schema, &doc, &sum, NULL,
	    &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
		goto out;
	}
	what = xasprintf("odm %s%s%s%s", kind, a->site != NULL ? ", site " : "",
	    a->site != NULL ? a->site : "", a->identifiers ? ", with identifiers" : "");
	if (a->out != NULL) {
		if (!write_file(a->out, &doc))
			goto out;
		wrote = true;
		if (!write_checksum(a->out, sumpath, &doc))
			goto out;
		where = absolute(a->out);
		if (store_note_export(ses.st, what, where, NULL, &e) != CRF_OK) {
			fprintf(stderr, "crf: the export could not be recorded in the audit trail, so "
			    "%s and %s were removed: %s\n", a->out, sumpath, e.msg);
			unlink(sumpath);
			goto out;
		}
		wrote = false;
	} else {
		if (!write_all(STDOUT_FILENO, doc.s, doc.len)) {
			fprintf(stderr, "crf: cannot write to standard output: %s\n", strerror(errno));
			goto out;
		}
		if (store_note_export(ses.st, what, "stdout", NULL, &e) != CRF_OK) {
			fprintf(stderr, "crf: the export went to standard output but could not be "
			    "recorded in the audit trail: %s\n", e.msg);
			goto out;
		}
	}
	fprintf(stderr, "crf: %s: ODM " ODM_VERSION " %s%s%s, %zu subject%s, %zu form "
	    "instance%s, %zu value%s, %zu signature%s; valid against the schema and crf's "
	    "checks\n", a->out != NULL ? a->out : "standard output", kind,
	    a->site != NULL ? " of site " : "", a->site != NULL ? a->site : "", sum.subjects,
	    sum.subjects == 1 ? "" : "s", sum.instances, sum.instances == 1 ? "" : "s",
	    sum.values, sum.values == 1 ? "" : "s", sum.signatures,
	    sum.signatures == 1 ? "" : "s");
	if (sum.identifiers > 0)
		fprintf(stderr, "crf: %zu identifying value%s left out (--identifiers includes "
		    "them)\n", sum.identifiers, sum.identifiers == 1 ? "" : "s");
	if (a->out != NULL)
		fprintf(stderr, "crf: checksum (BLAKE2b-256) in %s\n", sumpath);
	rc = 0;
out:
	if (wrote)
		unlink(a->out);
	free(sumpath);
	free(what);
	free(where);
	sb_free(&doc);
	session_close(&ses);
	return rc;
}

/* crf export --transfer --out FILE: the changes since the site's last
 * transfer as a Transactional ODM file chained by PriorFileOID, FILE.b2
 * beside it, the transfer recorded (transfer.h). */
static int
export_transfer(const cli_opts *o, const export_args *a)
{
	odm_opts oo = {
		.kind = ODM_TRANSACTIONAL,
		.identifiers = a->identifiers,
		.now = clock_now(),
		.transfer = true,
	};
	char *sumpath = NULL, *file_oid = NULL, *where = NULL;
	char hex[TRANSFER_CHECKSUM_HEX + 1];
	transfer_row last = { 0 }, t = { 0 };
	odm_session ses;
	store *st;
	strbuf doc = { 0 };
	odm_summary sum;
	bool found = false, wrote = false;
	crf_err e;
	int rc = 1;

	sumpath = xasprintf("%s.b2", a->out);
	if (!names_new(a->out, sumpath) || !session_open(o, &ses)) {
		free(sumpath);
		return 1;
	}
	st = ses.st;
	if (store_audit_max_seq(st, &oo.through_seq, &e) != CRF_OK ||
	    store_last_transfer(st, &last, &found, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
		goto out;
	}
	oo.since_seq = found ? last.last_seq : 0;
	oo.prior_file_oid = found ? last.file_oid : NULL;
	file_oid = transfer_file_oid(ses.sd->id, store_site_code(st), oo.since_seq + 1, oo.now);
	oo.file_oid = file_oid;
	if (odm_export_checked(st, ses.sd, &oo, ses.schema, &doc, &sum, NULL, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
		goto out;
	}
	if (sum.transactions == 0) {
		if (found)
			fprintf(stderr, "crf: no changes since the last transfer (%s, audit rows up "
			    "to %lld); nothing written\n", last.file_oid, last.last_seq);
		else
			fprintf(stderr, "crf: no changes to transfer yet; nothing written\n");
		if (sum.identifiers > 0)
			fprintf(stderr, "crf: %zu change%s of identifying fields left out "
			    "(--identifiers includes them)\n", sum.identifiers,
			    sum.identifiers == 1 ? "" : "s");
		rc = 0;
		goto out;
	}
	transfer_checksum(doc.s, doc.len, hex);
	if (!write_file(a->out, &doc))
		goto out;
	wrote = true;
	if (!write_checksum(a->out, sumpath, &doc))
		goto out;
	t.file_oid = file_oid;
	t.prior_file_oid = last.file_oid;
	t.first_seq = oo.since_seq + 1;
	t.last_seq = sum.last_seq;
	t.checksum = hex;
	where = absolute(a->out);
	if (store_record_transfer(st, &t, where, &e) != CRF_OK) {
		fprintf(stderr, "crf: the transfer could not be recorded, so %s and %s were "
		    "removed: %s\n", a->out, sumpath, e.msg);
		unlink(sumpath);
		goto out;
	}
	wrote = false;
	fprintf(stderr, "crf: %s: transfer %s, audit rows %lld to %lld, %zu change%s; valid "
	    "against the schema and crf's checks\n", a->out, file_oid, t.first_seq,
	    t.last_seq, sum.transactions, sum.transactions == 1 ? "" : "s");
	if (found)
		fprintf(stderr, "crf: it follows %s (PriorFileOID)\n", last.file_oid);
	else
		fprintf(stderr, "crf: the site's first transfer (no PriorFileOID)\n");
	fprintf(stderr, "crf: checksum (BLAKE2b-256) in %s\n", sumpath);
	if (sum.identifiers > 0)
		fprintf(stderr, "crf: %zu identifying value%s left out (--identifiers includes "
		    "them)\n", sum.identifiers, sum.identifiers == 1 ? "" : "s");
	rc = 0;
out:
	if (wrote)
		unlink(a->out);
	free(where);
	free(file_oid);
	transfer_row_clear(&last);
	sb_free(&doc);
	session_close(&ses);
	free(sumpath);
	return rc;
}

int
cli_export(const cli_opts *o, int argc, char **argv)
{
	const char *format = format_arg(argc, argv);
	export_args a;

	if (format != NULL && strcmp(format, "csv") == 0)
		return cli_export_csv(o, argc, argv);
	if (!parse_args(argc, argv, &a)) {
		fputs(EXPORT_USAGE
		    "  --format odm   CDISC ODM 1.3.2: every change with its audit record\n"
		    "                 (Transactional, Archival); --snapshot: current values only\n"
		    "  --transfer     the changes since the site's last transfer, for the\n"
		    "                 coordinating centre: FILE and its checksum FILE.b2\n"
		    "  --identifiers  include the fields that identify the patient\n"
		    "  --site CODE    at the centre: the slice of site CODE, as the site would\n"
		    "                 export it\n"
		    "  --out FILE     write FILE (a new file) and its checksum FILE.b2;\n"
		    "                 without it, standard output\n"
		    "  --check FILE   check any ODM file: the schema and crf's rules ODM-02..08\n",
		    stderr);
		return 2;
	}
	if (a.check != NULL)
		return export_check(a.check);
	if (a.transfer)
		return export_transfer(o, &a);
	return export_odm(o, &a);
}
