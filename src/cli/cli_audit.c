/* cli_audit.c - crf audit verify | show: check and print the audit trail. */
#include <stdlib.h>
#include <string.h>

#include "crf/audit.h"
#include "crf/clicommon.h"
#include "crf/store.h"
#include "crf/util.h"

#define AUDIT_USAGE \
	"usage: crf audit verify [--strict] [--head SEQ:HASH]\n" \
	"       crf audit show --subject ID [--form EVENT/FORM]\n"

/* The command line, read before the database is opened. */
typedef struct audit_args {
	bool verify;            /* verify; otherwise show */
	bool strict;            /* verify: clock anomalies fail too */
	bool has_head;          /* verify: --head given */
	audit_head head;
	const char *subject;    /* show */
	const char *form_arg;   /* show: "EVENT/FORM" as given */
	char *event;            /* ... split */
	char *form;
} audit_args;

/* Split "EVENT/FORM" (EVENT may be empty: the subject-level logs). */
static bool
parse_form(const char *arg, char **event, char **form)
{
	const char *slash = strchr(arg, '/');

	if (slash == NULL || slash[1] == '\0' || strchr(slash + 1, '/') != NULL)
		return false;
	*event = xstrndup(arg, (size_t)(slash - arg));
	*form = xstrdup(slash + 1);
	return true;
}

static bool
parse_args(int argc, char **argv, audit_args *a)
{
	memset(a, 0, sizeof *a);
	if (argc < 1)
		return false;
	if (strcmp(argv[0], "verify") == 0) {
		a->verify = true;
		for (int i = 1; i < argc; i++) {
			if (strcmp(argv[i], "--strict") == 0) {
				a->strict = true;
			} else if (strcmp(argv[i], "--head") == 0 && i + 1 < argc &&
			    !a->has_head && audit_head_parse(argv[i + 1], &a->head)) {
				a->has_head = true;
				i++;
			} else {
				return false;
			}
		}
		return true;
	}
	if (strcmp(argv[0], "show") != 0)
		return false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--subject") == 0 && i + 1 < argc && a->subject == NULL)
			a->subject = argv[++i];
		else if (strcmp(argv[i], "--form") == 0 && i + 1 < argc && a->form_arg == NULL)
			a->form_arg = argv[++i];
		else
			return false;
	}
	if (a->subject == NULL)
		return false;
	return a->form_arg == NULL || parse_form(a->form_arg, &a->event, &a->form);
}

static int
audit_verify(store *st, const audit_args *a)
{
	audit_report r;
	bool chain_ok = true, guarded = true;
	size_t nvalues = 0;
	crf_err e;
	int rc;

	if (store_audit_verify(st, a->has_head ? &a->head : NULL, &r, &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
		return 1;
	}
	for (size_t i = 0; i < r.nclocks; i++) {
		const audit_clock *k = &r.clocks[i];
		char *user = audit_printable(k->user);
		char *ts = audit_printable(k->ts_utc);
		char *off = audit_printable(k->tz_offset);
		char *prev = audit_printable(k->prev_ts);

		printf("audit verify: warning: row %lld (seq %lld) by %s is dated "
		    "%s (%s), earlier than the latest time before it (%s): the computer's "
		    "clock was set back\n", k->row, k->seq, user, ts, off, prev);
		free(user);
		free(ts);
		free(off);
		free(prev);
	}
	for (size_t i = 0; i < r.nissues; i++) {
		const audit_issue *is = &r.issues[i];

		printf("audit verify: %s\n", is->text);
		if (is->kind == AUDIT_ITEM_DIFFERS || is->kind == AUDIT_FORM_DIFFERS ||
		    is->kind == AUDIT_REVIEW_DIFFERS)
			nvalues++;
		else if (is->kind == AUDIT_UNPROTECTED)
			guarded = false;
		else
			chain_ok = false;
	}
	if (chain_ok && r.rows > 0)
		printf("audit verify: head of the chain (note it; check it later with "
		    "--head): %lld:%s\n", r.last_seq, r.head);
	printf("audit verify: %lld row%s, %s, ", r.rows, r.rows == 1 ? "" : "s",
	    chain_ok ? "chain intact" : "chain broken");
	if (nvalues == 0)
		printf("current values agree with the trail, ");
	else
		printf("%zu current value%s with the trail, ", nvalues,
		    nvalues == 1 ? " disagrees" : "s disagree");
	printf("%zu clock anomal%s%s\n", r.nclocks, r.nclocks == 1 ? "y" : "ies",
	    guarded ? "" : ", append-only triggers missing or changed");
	rc = r.nissues > 0 || (a->strict && r.nclocks > 0) ? 1 : 0;
	audit_report_clear(&r);
	return rc;
}

static void
show_row(const audit_row *r)
{
	char *where = audit_where_text(r->event, r->event_repeat, r->form,
	    r->form_repeat, r->field);
	char *old = audit_value_text(r->old_value, r->old_missing);
	char *new = audit_value_text(r->new_value, r->new_missing);
	char *user = audit_printable(r->user);
	char *name = r->user_name != NULL ? audit_printable(r->user_name) : NULL;
	char *action = audit_printable(r->action);
	char *ts = audit_printable(r->ts_utc);
	char *off = audit_printable(r->tz_offset);
	char *subject = audit_printable(r->subject);

	printf("%c %6lld  %s %s  %s%s%s%s  %s  %s: %s -> %s", r->clock_back ? '!' : ' ',
	    r->seq, ts, off, user, name != NULL ? " (" : "",
	    name != NULL ? name : "", name != NULL ? ")" : "", action,
	    *where != '\0' ? where : subject, old, new);
	if (r->reason != NULL) {
		char *reason = audit_printable(r->reason);

		printf("  reason: %s", reason);
		free(reason);
	}
	putchar('\n');
	free(where);
	free(old);
	free(new);
	free(user);
	free(name);
	free(action);
	free(ts);
	free(off);
	free(subject);
}

static int
audit_show(store *st, const audit_args *a)
{
	audit_row *rows = NULL;
	size_t n = 0;
	bool anomalies = false;
	crf_err e;
	char *p;

	if (store_subject_history(st, a->subject, a->event, a->form, &rows, &n,
	    &e) != CRF_OK) {
		fprintf(stderr, "crf: %s\n", e.msg);
		return 1;
	}
	p = audit_printable(a->subject);
	printf("Audit trail of subject %s", p);
	free(p);
	if (a->form_arg != NULL) {
		p = audit_printable(a->form_arg);
		printf(", form %s", p);
		free(p);
	}
	printf(" at site %s (%s): %zu row%s\n", store_site_code(st), store_site_name(st),
	    n, n == 1 ? "" : "s");
	printf("Times are UTC, each with the local offset of the computer at that moment;\n"
	    "SEQ is the order of the trail. [CODE] is a missing-data code.\n\n");
	printf("     SEQ  TIME (UTC)           OFFSET  USER  ACTION  WHERE: OLD -> NEW  REASON\n");
	for (size_t i = 0; i < n; i++) {
		show_row(&rows[i]);
		anomalies = anomalies || rows[i].clock_back;
	}
	if (anomalies)
		printf("\n! written with the computer's clock set back: its time is earlier "
		    "than the latest\n  time already in the site's trail (seq order)\n");
	audit_rows_free(rows, n);
	return 0;
}

int
cli_audit(const cli_opts *o, int argc, char **argv)
{
	audit_args a;
	crf_config cfg;
	store *st = NULL;
	crf_err e;
	int rc = 1;

	if (!parse_args(argc, argv, &a)) {
		fputs(AUDIT_USAGE, stderr);
		free(a.event);
		free(a.form);
		return 2;
	}
	if (cli_load_config(o, &cfg) == 0) {
		if (store_open(cfg.db_path, &st, &e) != CRF_OK)
			fprintf(stderr, "crf: %s\n", e.msg);
		else if (a.verify)
			rc = audit_verify(st, &a);
		else
			rc = audit_show(st, &a);
		store_close(st);
		config_free(&cfg);
	}
	free(a.event);
	free(a.form);
	return rc;
}
