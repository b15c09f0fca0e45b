/*
 * central.c - the coordinating centre: central mode and the import of the
 * sites' transfer files (central.h).  The file is read with libxml2's
 * tree parser, network off; OIDs are resolved back to the study with the
 * odm_oid_*() functions; every change goes through bound statements in
 * one write transaction, with the centre's audit rows beside it
 * (invariant 12 of store.c holds after an import).
 */
#include <limits.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crf/audit.h"
#include "crf/central.h"
#include "crf/date.h"
#include "crf/lifecycle.h"
#include "crf/odm.h"
#include "crf/util.h"
#include "crf/validate.h"
#include "crf/xmlrt.h"
#include "store_impl.h"

/* ---- Central mode ------------------------------------------------------- */

/* Run sql (no rows) with its n text parameters ?1..?n, given after n
 * (a NULL binds SQL NULL). */
static int
exec_text(store *st, const char *sql, int n, ...)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	va_list ap;

	va_start(ap, n);
	for (int i = 1; rc == SQLITE_OK && i <= n; i++)
		rc = bind_text(s, i, va_arg(ap, const char *));
	va_end(ap);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/* store_collect() over sql, with its np text parameters ?1..?np given
 * after np. */
static crf_status
collect_sql(store *st, const char *sql, size_t size, void (*fill)(sqlite3_stmt *, void *),
    void (*release)(void *, size_t), void **rows, size_t *n, crf_err *err, int np, ...)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	crf_status cs;
	va_list ap;

	va_start(ap, np);
	for (int i = 1; rc == SQLITE_OK && i <= np; i++)
		rc = bind_text(s, i, va_arg(ap, const char *));
	va_end(ap);
	cs = store_collect(st, s, rc, size, fill, release, rows, n, err);
	sqlite3_finalize(s);
	return cs;
}

crf_status
store_is_central(store *st, bool *central, crf_err *err)
{
	char *mode;
	bool found;
	int rc = store_query_text(st, "SELECT mode FROM site", NULL, &mode, &found);

	*central = found && str_eq(mode, "central");
	free(mode);
	return rc == SQLITE_OK ? CRF_OK : store_fail(st, rc, err);
}

crf_status
store_make_central(store *st, crf_err *err)
{
	audit_entry a = { .action = "central-mode", .new_value = "central" };
	char *n = NULL;
	bool found;
	crf_status cs;
	int rc;

	if ((cs = store_begin_write(st, err)) != CRF_OK)
		return cs;
	rc = store_query_text(st, "SELECT count(*) FROM subject", NULL, &n, &found);
	if (rc == SQLITE_OK && found && !str_eq(n, "0")) {
		free(n);
		store_rollback(st);
		return crf_fail(err, CRF_EINVAL, "the database holds subjects already: only a "
		    "new database can become a central one");
	}
	free(n);
	if (rc == SQLITE_OK)
		rc = exec_text(st, "UPDATE site SET mode = 'central'", 0);
	if (rc == SQLITE_OK)
		rc = audit_put(st, &a);
	if (rc != SQLITE_OK) {
		cs = store_fail(st, rc, err);
		store_rollback(st);
		return cs;
	}
	return store_commit(st, err);
}

/* ---- Reading the file ---------------------------------------------------- */

static bool
is_el(const xmlNode *n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, name) == 0;
}

static xmlNode *
child(const xmlNode *n, const char *name)
{
	for (xmlNode *c = n != NULL ? n->children : NULL; c != NULL; c = c->next)
		if (is_el(c, name))
			return c;
	return NULL;
}

/* An attribute as an owned string, or NULL. */
static char *
prop(const xmlNode *n, const char *name)
{
	xmlChar *v = n != NULL ? xmlGetProp(n, BAD_CAST name) : NULL;
	char *out = v != NULL ? xstrdup((const char *)v) : NULL;

	xmlFree(v);
	return out;
}

/* The text of an element as an owned string ("" when empty), or NULL. */
static char *
text_of(const xmlNode *n)
{
	xmlChar *v = n != NULL ? xmlNodeGetContent(n) : NULL;
	char *out = n != NULL ? xstrdup(v != NULL ? (const char *)v : "") : NULL;

	xmlFree(v);
	return out;
}

/* ---- Applying it ------------------------------------------------------------ */

typedef struct imp {
	store *st;
	const study_def *sd;
	crf_err *err;
	crf_status cs;
	import_result *res;
	const char *site;
	const char *file_oid;
	/* The AuditRecord of the transaction being applied. */
	char *rec_id, *user, *ts, *edit_point, *reason;
	char *central_reason;   /* the reason of the centre's audit rows */
	char *state_kept;       /* the subject whose state the centre kept (a
	                           conflict): its date and number are not
	                           applied either */
} imp;

static bool bad(imp *m, crf_status cs, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fail the import (the first failure is kept); always false. */
static bool
bad(imp *m, crf_status cs, const char *fmt, ...)
{
	va_list ap;

	if (m->cs == CRF_OK) {
		m->cs = cs;
		va_start(ap, fmt);
		vsnprintf(m->err->msg, sizeof m->err->msg, fmt, ap);
		va_end(ap);
	}
	return false;
}

static bool
db_bad(imp *m, int rc)
{
	if (m->cs == CRF_OK)
		m->cs = store_fail(m->st, rc, m->err);
	return false;
}

static const event_def *
event_of(const study_def *sd, const char *oid, bool *logs)
{
	*logs = str_eq(oid, ODM_LOGS_EVENT_OID);
	for (size_t i = 0; !*logs && i < sd->nevents; i++) {
		char *o = odm_oid_event(sd->events[i].id);
		bool hit = str_eq(o, oid);

		free(o);
		if (hit)
			return &sd->events[i];
	}
	return NULL;
}

static const form_def *
form_of(const study_def *sd, const char *oid)
{
	for (size_t i = 0; i < sd->nforms; i++) {
		char *o = odm_oid_form(sd->forms[i].id);
		bool hit = str_eq(o, oid);

		free(o);
		if (hit)
			return &sd->forms[i];
	}
	return NULL;
}

static const field_def *
field_of(const form_def *fd, const char *oid)
{
	for (size_t i = 0; i < fd->nfields; i++) {
		char *o = odm_oid_item(fd->id, fd->fields[i].id);
		bool hit = str_eq(o, oid);

		free(o);
		if (hit)
			return &fd->fields[i];
	}
	return NULL;
}

static const char *
missing_of(const study_def *sd, const char *annotation_id)
{
	for (size_t i = 0; annotation_id != NULL && i < sd->nmissing; i++) {
		char *id = odm_id_missing(sd->missing[i].code);
		bool hit = str_eq(id, annotation_id);

		free(id);
		if (hit)
			return sd->missing[i].code;
	}
	return NULL;
}

/* A positive integer repeat key; def when the attribute is absent. */
static bool
repeat_key(imp *m, const xmlNode *n, const char *attr, int def, int *out)
{
	char *v = prop(n, attr), *end;
	long k;

	*out = def;
	if (v == NULL)
		return true;
	k = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || k < 1 || k > 100000) {
		bad(m, CRF_EINVAL, "line %d: %s=\"%s\" is not a repeat number", n->line, attr, v);
		free(v);
		return false;
	}
	free(v);
	*out = (int)k;
	return true;
}

/* Keep one of the site's audit records. */
static bool
keep_site_record(imp *m, const char *action, const char *subject, const form_key *k,
    const char *field, const char *value, const char *missing)
{
	static const char sql[] =
		"INSERT INTO site_audit (site_code, file_oid, record_id, user, ts, edit_point,"
		" action, subject, event, event_repeat, form, form_repeat, field, value,"
		" missing, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
		" ?13, ?14, ?15, ?16)";
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(m->st->db, sql, -1, &s, NULL);

	if (rc == SQLITE_OK &&
	    ((rc = bind_text(s, 1, m->site)) != SQLITE_OK ||
	    (rc = bind_text(s, 2, m->file_oid)) != SQLITE_OK ||
	    (rc = bind_text(s, 3, m->rec_id)) != SQLITE_OK ||
	    (rc = bind_text(s, 4, m->user)) != SQLITE_OK ||
	    (rc = bind_text(s, 5, m->ts)) != SQLITE_OK ||
	    (rc = bind_text(s, 6, m->edit_point)) != SQLITE_OK ||
	    (rc = bind_text(s, 7, action)) != SQLITE_OK ||
	    (rc = bind_text(s, 8, subject)) != SQLITE_OK ||
	    (rc = bind_text(s, 13, field)) != SQLITE_OK ||
	    (rc = bind_text(s, 14, value)) != SQLITE_OK ||
	    (rc = bind_text(s, 15, missing)) != SQLITE_OK ||
	    (rc = bind_text(s, 16, m->reason)) != SQLITE_OK))
		goto out;
	if (rc == SQLITE_OK && k != NULL &&
	    ((rc = bind_text(s, 9, k->event)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(s, 10, k->event_repeat)) != SQLITE_OK ||
	    (rc = bind_text(s, 11, k->form)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(s, 12, k->form_repeat)) != SQLITE_OK))
		goto out;
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_DONE)
		rc = SQLITE_OK;
out:
	sqlite3_finalize(s);
	if (rc != SQLITE_OK)
		return db_bad(m, rc);
	m->res->records++;
	return true;
}

/* The centre's audit row of a change the import made. */
static bool
central_audit(imp *m, const char *action, const char *subject, const form_key *k,
    const char *field, const char *ov, const char *om, const char *nv, const char *nm)
{
	audit_entry a = { .action = action, .subject = subject, .key = k, .field = field,
	    .old_value = ov, .old_missing = om, .new_value = nv, .new_missing = nm,
	    .reason = m->central_reason };
	int rc = audit_put(m->st, &a);

	return rc == SQLITE_OK || db_bad(m, rc);
}

/* The subject id of key (0 when there is none). */
static bool
subject_id(imp *m, const char *key, long long *id)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(m->st->db, "SELECT id FROM subject WHERE key = ?1", -1,
	    &s, NULL);

	*id = 0;
	if (rc == SQLITE_OK && (rc = bind_text(s, 1, key)) == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			*id = sqlite3_column_int64(s, 0);
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK || db_bad(m, rc);
}

/* The site's time as the UTC text the store keeps ("...Z"). */
static bool
utc_of(imp *m, const char *ts, char *utc, size_t n)
{
	char off[16];
	time_t t;
	bool tz;

	if (ts == NULL || !odm_parse_datetime(ts, &t, &tz))
		return bad(m, CRF_EINVAL, "audit record %s: no valid DateTimeStamp",
		    m->rec_id != NULL ? m->rec_id : "(no ID)");
	clock_stamp(t, utc, n, off, sizeof off);
	return true;
}

/* The form instance of k, created (incomplete, audited) when create is
 * true and there is none; *id 0 when there is none. */
static bool
instance(imp *m, const char *subject, const form_key *k, const form_def *fd, bool create,
    long long *id, int *status)
{
	inst_state in = { 0 };
	int rc = inst_get(m->st, k, &in);
	sqlite3_stmt *s = NULL;

	*id = in.id;
	*status = in.status;
	inst_clear(&in);
	if (rc != SQLITE_OK)
		return db_bad(m, rc);
	if (*id != 0 || !create)
		return true;
	rc = sqlite3_prepare_v2(m->st->db, "INSERT INTO form_instance (subject_id, event,"
	    " event_repeat, form, form_repeat, status, version, form_version, created_at,"
	    " updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?8, ?8, ?9)",
	    -1, &s, NULL);
	if (rc == SQLITE_OK && (rc = bind_form_key(s, k, NULL)) == SQLITE_OK &&
	    (rc = sqlite3_bind_int(s, 6, FORM_INCOMPLETE)) == SQLITE_OK &&
	    (rc = sqlite3_bind_int(s, 7, fd->version)) == SQLITE_OK &&
	    (rc = bind_text(s, 8, m->st->now_utc)) == SQLITE_OK &&
	    (rc = bind_text(s, 9, m->st->user)) == SQLITE_OK &&
	    (rc = sqlite3_step(s)) == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(s);
	if (rc != SQLITE_OK)
		return db_bad(m, rc);
	*id = sqlite3_last_insert_rowid(m->st->db);
	*status = FORM_INCOMPLETE;
	m->res->instances++;
	return central_audit(m, "status", subject, k, NULL, NULL, NULL,
	    form_status_name(FORM_INCOMPLETE), NULL);
}

static bool
touch(imp *m, long long id, int status)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(m->st->db, "UPDATE form_instance SET status = ?2,"
	    " version = version + 1, updated_at = ?3, updated_by = ?4 WHERE id = ?1", -1,
	    &s, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_bind_int64(s, 1, id)) == SQLITE_OK &&
	    (rc = sqlite3_bind_int(s, 2, status)) == SQLITE_OK &&
	    (rc = bind_text(s, 3, m->st->now_utc)) == SQLITE_OK &&
	    (rc = bind_text(s, 4, m->st->user)) == SQLITE_OK &&
	    (rc = sqlite3_step(s)) == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(s);
	return rc == SQLITE_OK || db_bad(m, rc);
}

/* Two optional texts equal (NULL equals NULL). */
static bool
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The value and code of a field: at the centre (instance id), or the
 * site's latest before this change (site_audit). */
static bool
current_item(imp *m, long long inst, const char *field, char **v, char **c)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*v = *c = NULL;
	if (inst == 0)
		return true;
	rc = sqlite3_prepare_v2(m->st->db, "SELECT value, missing FROM item WHERE"
	    " instance_id = ?1 AND field = ?2", -1, &s, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_bind_int64(s, 1, inst)) == SQLITE_OK &&
	    (rc = bind_text(s, 2, field)) == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*v = col_text(s, 0);
			*c = col_text(s, 1);
		}
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK || db_bad(m, rc);
}

static bool
site_item(imp *m, const char *subject, const form_key *k, const char *field, char **v,
    char **c)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(m->st->db, "SELECT value, missing FROM site_audit WHERE"
	    " site_code = ?1 AND subject = ?2 AND event = ?3 AND event_repeat = ?4 AND"
	    " form = ?5 AND form_repeat = ?6 AND field = ?7 AND action IN ('Insert',"
	    " 'Update', 'Remove') ORDER BY id DESC LIMIT 1", -1, &s, NULL);

	*v = *c = NULL;
	if (rc == SQLITE_OK && (rc = bind_text(s, 1, m->site)) == SQLITE_OK &&
	    (rc = bind_text(s, 2, subject)) == SQLITE_OK &&
	    (rc = bind_text(s, 3, k->event)) == SQLITE_OK &&
	    (rc = sqlite3_bind_int(s, 4, k->event_repeat)) == SQLITE_OK &&
	    (rc = bind_text(s, 5, k->form)) == SQLITE_OK &&
	    (rc = sqlite3_bind_int(s, 6, k->form_repeat)) == SQLITE_OK &&
	    (rc = bind_text(s, 7, field)) == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*v = col_text(s, 0);
			*c = col_text(s, 1);
		}
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK || db_bad(m, rc);
}

static bool
record_conflict(imp *m, const char *subject, const form_key *k, const char *field,
    const char *cv, const char *cm, const char *sv, const char *sm)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(m->st->db, "INSERT INTO import_conflict (site_code,"
	    " subject, event, event_repeat, form, form_repeat, field, central_value,"
	    " central_missing, site_value, site_missing, file_oid, record_id, found_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)", -1, &s,
	    NULL);

	if (rc == SQLITE_OK && (rc = bind_text(s, 1, m->site)) == SQLITE_OK &&
	    (rc = bind_text(s, 2, subject)) == SQLITE_OK &&
	    (rc = bind_text(s, 3, k->event)) == SQLITE_OK &&
	    (rc = sqlite3_bind_int(s, 4, k->event_repeat)) == SQLITE_OK &&
	    (rc = bind_text(s, 5, k->form)) == SQLITE_OK &&
	    (rc = sqlite3_bind_int(s, 6, k->form_repeat)) == SQLITE_OK &&
	    (rc = bind_text(s, 7, field)) == SQLITE_OK &&
	    (rc = bind_text(s, 8, cv)) == SQLITE_OK &&
	    (rc = bind_text(s, 9, cm)) == SQLITE_OK &&
	    (rc = bind_text(s, 10, sv)) == SQLITE_OK &&
	    (rc = bind_text(s, 11, sm)) == SQLITE_OK &&
	    (rc = bind_text(s, 12, m->file_oid)) == SQLITE_OK &&
	    (rc = bind_text(s, 13, m->rec_id)) == SQLITE_OK &&
	    (rc = bind_text(s, 14, m->st->now_utc)) == SQLITE_OK &&
	    (rc = sqlite3_step(s)) == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(s);
	if (rc != SQLITE_OK)
		return db_bad(m, rc);
	m->res->conflicts++;
	return true;
}

/* One ItemData of a form instance. */
static bool
apply_item(imp *m, const char *subject, const form_key *k, const form_def *fd,
    const xmlNode *n)
{
	char *oid = prop(n, "ItemOID"), *tt = prop(n, "TransactionType");
	char *an = prop(n, "AnnotationID"), *isnull = prop(n, "IsNull"), *txt = NULL;
	char *cv = NULL, *cm = NULL, *pv = NULL, *pm = NULL;
	char canon[4096];
	const char *value = NULL, *missing = NULL;
	const field_def *f = oid != NULL ? field_of(fd, oid) : NULL;
	long long inst;
	int status, flags = 0;
	bool ok = false;
	crf_err e;

	if (f == NULL) {
		bad(m, CRF_EINVAL, "line %d: ItemOID \"%s\" is not a field of form %s in this "
		    "study", n->line, oid != NULL ? oid : "", fd->id);
		goto out;
	}
	if (!str_eq(tt, "Insert") && !str_eq(tt, "Update") && !str_eq(tt, "Remove")) {
		bad(m, CRF_EINVAL, "line %d: %s: TransactionType \"%s\" is not one a transfer "
		    "has", n->line, oid, tt != NULL ? tt : "");
		goto out;
	}
	if (an != NULL && (missing = missing_of(m->sd, an)) == NULL) {
		bad(m, CRF_EINVAL, "line %d: %s: AnnotationID \"%s\" is not a missing-data code "
		    "of the study", n->line, oid, an);
		goto out;
	}
	if (missing != NULL && validate_missing(m->sd, f, missing, &e) != CRF_OK) {
		bad(m, CRF_EINVAL, "line %d: %s: %s", n->line, oid, e.msg);
		goto out;
	}
	if (str_eq(tt, "Remove")) {
		missing = NULL;
	} else if (!is_el(n, "ItemDataAny") || !str_eq(isnull, "Yes")) {
		size_t l;
		crf_status vs;

		txt = text_of(n);
		l = strlen(txt);
		if (f->type == FT_TIME && l == 8 && strcmp(txt + 5, ":00") == 0)
			txt[5] = '\0';
		/* A calculated value is the site's result: kept as it came. */
		if (f->type == FT_CALC) {
			vs = l > 0 && l < sizeof canon ? CRF_OK : CRF_EINVAL;
			snprintf(canon, sizeof canon, "%s", txt);
			snprintf(e.msg, sizeof e.msg, "not a calculated value crf keeps");
		} else {
			vs = validate_input(f, txt, NULL, canon, sizeof canon, &e);
		}
		if (vs == CRF_ESOFT) {
			flags = ITEM_SOFT_OK;
		} else if (vs != CRF_OK || canon[0] == '\0') {
			bad(m, CRF_EINVAL, "line %d: subject %s, %s: '%s' is refused: %s", n->line,
			    subject, oid, txt, vs != CRF_OK ? e.msg : "no value");
			goto out;
		}
		value = canon;
	} else if (missing == NULL) {
		bad(m, CRF_EINVAL, "line %d: %s: IsNull without a missing-data code", n->line,
		    oid);
		goto out;
	}
	if (!instance(m, subject, k, fd, false, &inst, &status) ||
	    !current_item(m, inst, f->id, &cv, &cm) ||
	    !site_item(m, subject, k, f->id, &pv, &pm) ||
	    !keep_site_record(m, tt, subject, k, f->id, value, missing))
		goto out;
	if (!same(cv, pv) || !same(cm, pm)) {
		/* Changed at the centre since the site's value came: keep it. */
		ok = same(cv, value) && same(cm, missing) ? true :
		    record_conflict(m, subject, k, f->id, cv, cm, value, missing);
		goto out;
	}
	if (same(cv, value) && same(cm, missing)) {
		ok = true;
		goto out;
	}
	if (!instance(m, subject, k, fd, true, &inst, &status))
		goto out;
	{
		sqlite3_stmt *s = NULL;
		bool clear = value == NULL && missing == NULL;
		int rc = sqlite3_prepare_v2(m->st->db, clear ?
		    "DELETE FROM item WHERE instance_id = ?1 AND field = ?2" :
		    "INSERT OR REPLACE INTO item (instance_id, field, value, missing, flags)"
		    " VALUES (?1, ?2, ?3, ?4, ?5)", -1, &s, NULL);

		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(s, 1, inst);
		if (rc == SQLITE_OK)
			rc = bind_text(s, 2, f->id);
		if (rc == SQLITE_OK && !clear && (rc = bind_text(s, 3, value)) == SQLITE_OK &&
		    (rc = bind_text(s, 4, missing)) == SQLITE_OK)
			rc = sqlite3_bind_int(s, 5, flags);
		if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_DONE)
			rc = SQLITE_OK;
		sqlite3_finalize(s);
		if (rc != SQLITE_OK) {
			db_bad(m, rc);
			goto out;
		}
		if (!central_audit(m, cv == NULL && cm == NULL ? "create" : clear ? "clear" :
		    "update", subject, k, f->id, cv, cm, value, missing) ||
		    !touch(m, inst, status))
			goto out;
	}
	m->res->values++;
	ok = true;
out:
	free(oid);
	free(tt);
	free(an);
	free(isnull);
	free(txt);
	free(cv);
	free(cm);
	free(pv);
	free(pm);
	return ok;
}

/* The status annotation of a FormData, or NULL (owned). */
static char *
status_of(const xmlNode *form)
{
	for (xmlNode *a = form->children; a != NULL; a = a->next) {
		xmlNode *fv;
		char *cl;
		bool hit;

		if (!is_el(a, "Annotation"))
			continue;
		fv = child(child(a, "Flag"), "FlagValue");
		cl = prop(fv, "CodeListOID");
		hit = str_eq(cl, ODM_CL_FORMSTATUS);
		free(cl);
		if (hit)
			return text_of(fv);
	}
	return NULL;
}

/* The site's latest status of a form instance before this change (owned;
 * NULL: none yet). */
static bool
site_status(imp *m, const char *subject, const form_key *k, char **status)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(m->st->db, "SELECT value FROM site_audit WHERE"
	    " site_code = ?1 AND subject = ?2 AND event = ?3 AND event_repeat = ?4 AND"
	    " form = ?5 AND form_repeat = ?6 AND action = 'status' ORDER BY id DESC LIMIT 1",
	    -1, &s, NULL);

	*status = NULL;
	if (rc == SQLITE_OK && (rc = bind_text(s, 1, m->site)) == SQLITE_OK &&
	    (rc = bind_text(s, 2, subject)) == SQLITE_OK &&
	    (rc = bind_text(s, 3, k->event)) == SQLITE_OK &&
	    (rc = sqlite3_bind_int(s, 4, k->event_repeat)) == SQLITE_OK &&
	    (rc = bind_text(s, 5, k->form)) == SQLITE_OK &&
	    (rc = sqlite3_bind_int(s, 6, k->form_repeat)) == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			*status = col_text(s, 0);
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK || db_bad(m, rc);
}

/* A form status of the site.  As for values, the centre's status is
 * compared with the one the site's change replaces (the site's previous
 * status; before the first, incomplete, in which an import creates an
 * instance): when they differ the status was changed at the centre, and
 * is kept, the site's change recorded as a conflict (field ""). */
static bool
apply_status(imp *m, const char *subject, const form_key *k, const form_def *fd,
    const char *status)
{
	form_status to;
	long long inst;
	int cur;
	char *prev = NULL;
	bool centre_changed;

	if (str_eq(status, form_status_name(FORM_COMPLETE)))
		to = FORM_COMPLETE;
	else if (str_eq(status, form_status_name(FORM_INCOMPLETE)))
		to = FORM_INCOMPLETE;
	else
		return bad(m, CRF_EINVAL, "subject %s, form %s: status \"%s\" is not one crf "
		    "knows", subject, fd->id, status);
	if (!site_status(m, subject, k, &prev) ||
	    !keep_site_record(m, "status", subject, k, NULL, status, NULL) ||
	    !instance(m, subject, k, fd, true, &inst, &cur)) {
		free(prev);
		return false;
	}
	centre_changed = !str_eq(form_status_name((form_status)cur), prev != NULL ? prev :
	    form_status_name(FORM_INCOMPLETE));
	free(prev);
	if (cur == (int)to)
		return true;
	if (centre_changed)
		return record_conflict(m, subject, k, "", form_status_name((form_status)cur), NULL,
		    status, NULL);
	if (!central_audit(m, "status", subject, k, NULL, form_status_name((form_status)cur),
	    NULL, status, NULL) || !touch(m, inst, (int)to))
		return false;
	m->res->statuses++;
	return true;
}

/* Signatures below n: the site's records (the signature is the site's). */
static bool
keep_signatures(imp *m, const xmlNode *n, const char *subject, const form_key *k)
{
	for (xmlNode *g = n->children; g != NULL; g = g->next) {
		char *sd_oid;
		bool ok;

		if (!is_el(g, "Signature"))
			continue;
		sd_oid = prop(child(g, "SignatureRef"), "SignatureOID");
		ok = keep_site_record(m, "sign", subject, k, NULL, sd_oid, NULL);
		free(sd_oid);
		if (!ok)
			return false;
	}
	return true;
}

static bool
apply_form(imp *m, const char *subject, long long sid, const char *event, int er,
    bool logs, const xmlNode *n)
{
	char *oid = prop(n, "FormOID"), *status = NULL;
	const form_def *fd = oid != NULL ? form_of(m->sd, oid) : NULL;
	form_key k = { sid, event, er, NULL, 1 };
	bool ok = false;

	if (fd == NULL) {
		bad(m, CRF_EINVAL, "line %d: FormOID \"%s\" is not a form of this study",
		    n->line, oid != NULL ? oid : "");
		goto out;
	}
	if (!repeat_key(m, n, "FormRepeatKey", 1, &k.form_repeat))
		goto out;
	if (logs != fd->is_log) {
		bad(m, CRF_EINVAL, "line %d: form %s is %s", n->line, oid, fd->is_log ?
		    "a subject-level log, not a form of an event" : "not a subject-level log");
		goto out;
	}
	k.form = fd->id;
	for (xmlNode *g = n->children; g != NULL; g = g->next) {
		if (!is_el(g, "ItemGroupData"))
			continue;
		for (xmlNode *it = g->children; it != NULL; it = it->next)
			if (it->type == XML_ELEMENT_NODE &&
			    strncmp((const char *)it->name, "ItemData", 8) == 0 &&
			    !apply_item(m, subject, &k, fd, it))
				goto out;
	}
	status = status_of(n);
	if (status != NULL && !apply_status(m, subject, &k, fd, status))
		goto out;
	ok = keep_signatures(m, n, subject, &k);
out:
	free(oid);
	free(status);
	return ok;
}

/* ---- A subject's life-cycle state (odm.h, SE.CRF.SUBJECT) ---- */

/* The site's latest value of item it of subject key before this change
 * (owned; NULL: none). */
static bool
site_state(imp *m, const char *key, const odm_subject_item *it, char **v)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(m->st->db, "SELECT value FROM site_audit WHERE"
	    " site_code = ?1 AND subject = ?2 AND event IS NULL AND field = ?3 AND action IN"
	    " ('Insert', 'Update', 'Remove') ORDER BY id DESC LIMIT 1", -1, &s, NULL);

	*v = NULL;
	if (rc == SQLITE_OK && (rc = bind_text(s, 1, m->site)) == SQLITE_OK &&
	    (rc = bind_text(s, 2, key)) == SQLITE_OK &&
	    (rc = bind_text(s, 3, it->column)) == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			*v = col_text(s, 0);
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK || db_bad(m, rc);
}

/* The centre's value of item it of subject sid (owned; NULL: none). */
static bool
centre_state(imp *m, long long sid, const odm_subject_item *it, char **v)
{
	char *sql = xasprintf("SELECT %s FROM subject WHERE id = ?1", it->column);
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(m->st->db, sql, -1, &s, NULL);

	free(sql);
	*v = NULL;
	if (rc == SQLITE_OK && (rc = sqlite3_bind_int64(s, 1, sid)) == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			*v = col_text(s, 0);
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK || db_bad(m, rc);
}

/* Is value one that item it of subject key can have? */
static bool
state_value_ok(imp *m, const char *key, const odm_subject_item *it, const char *value,
    int line)
{
	subject_state st;
	crf_date d;
	char *prefix;
	bool ok;

	if (value == NULL)
		return str_eq(it->column, "status") ? bad(m, CRF_EINVAL, "line %d: subject %s: "
		    "its status cannot be removed", line, key) : true;
	if (str_eq(it->column, "status"))
		ok = subject_state_from_name(value, &st);
	else if (it->is_date)
		ok = date_parse_iso(value, false, &d);
	else {
		prefix = xasprintf("%s-", m->site);
		ok = str_starts(value, prefix) && strlen(value) <= (size_t)it->length;
		free(prefix);
	}
	return ok ? true : bad(m, CRF_EINVAL, "line %d: subject %s, %s: '%s' is refused: not "
	    "a %s", line, key, it->oid, value, str_eq(it->column, "status") ? "subject status" :
	    it->is_date ? "complete date" : "study number of the site");
}

/* One item of the subject's state.  As for a value, the centre's value is
 * compared with the one the site's change replaces (none before the
 * first; screening for the status): a state the centre changed is kept
 * and the site's change recorded as a conflict (event "", form "", field
 * the subject table's column), and so are the date and study number of
 * that change. */
static bool
apply_state_item(imp *m, const char *key, long long sid, const xmlNode *n)
{
	char *oid = prop(n, "ItemOID"), *tt = prop(n, "TransactionType"), *txt = NULL;
	char *cur = NULL, *prev = NULL;
	const odm_subject_item *it = odm_subject_item_by_oid(oid);
	const char *dflt, *value = NULL;
	form_key none = { sid, "", 0, "", 0 };
	bool ok = false, is_status;

	if (it == NULL) {
		bad(m, CRF_EINVAL, "line %d: ItemOID \"%s\" is not an item of crf's subject "
		    "status", n->line, oid != NULL ? oid : "");
		goto out;
	}
	if (!str_eq(tt, "Insert") && !str_eq(tt, "Update") && !str_eq(tt, "Remove")) {
		bad(m, CRF_EINVAL, "line %d: %s: TransactionType \"%s\" is not one a transfer "
		    "has", n->line, oid, tt != NULL ? tt : "");
		goto out;
	}
	is_status = str_eq(it->column, "status");
	if (!str_eq(tt, "Remove"))
		value = txt = text_of(n);
	if (!state_value_ok(m, key, it, value, n->line) ||
	    !site_state(m, key, it, &prev) || !centre_state(m, sid, it, &cur) ||
	    !keep_site_record(m, tt, key, NULL, it->column, value, NULL))
		goto out;
	dflt = is_status ? subject_state_name(SUBJ_SCREENING) : NULL;
	if (is_status) {
		free(m->state_kept);
		m->state_kept = NULL;
	}
	if (same(cur, value)) {
		ok = true;
	} else if (!same(cur, prev != NULL ? prev : dflt) ||
	    (!is_status && str_eq(m->state_kept, key))) {
		ok = record_conflict(m, key, &none, it->column, cur, NULL, value, NULL);
		if (ok && is_status)
			m->state_kept = xstrdup(key);
	} else {
		char *sql = xasprintf("UPDATE subject SET %s = ?2%s WHERE id = ?1", it->column,
		    is_status ? ", status_reason = ?3" : "");
		sqlite3_stmt *s = NULL;
		int rc = sqlite3_prepare_v2(m->st->db, sql, -1, &s, NULL);

		free(sql);
		if (rc == SQLITE_OK && (rc = sqlite3_bind_int64(s, 1, sid)) == SQLITE_OK &&
		    (rc = bind_text(s, 2, value)) == SQLITE_OK && is_status)
			rc = bind_text(s, 3, str_blank(m->reason) ? NULL : m->reason);
		if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_DONE)
			rc = SQLITE_OK;
		sqlite3_finalize(s);
		if (rc != SQLITE_OK) {
			if ((rc & 0xff) == SQLITE_CONSTRAINT)
				bad(m, CRF_EINVAL, "line %d: subject %s: the study number %s is another "
				    "subject's at the centre", n->line, key, value);
			else
				db_bad(m, rc);
			goto out;
		}
		ok = central_audit(m, it->action, key, NULL, NULL, cur, NULL, value, NULL);
		if (ok)
			m->res->values++;
	}
out:
	free(oid);
	free(tt);
	free(txt);
	free(cur);
	free(prev);
	return ok;
}

/* The StudyEventData of crf's subject status: its one form and group. */
static bool
apply_state(imp *m, const char *key, long long sid, const xmlNode *ev)
{
	for (xmlNode *fm = ev->children; fm != NULL; fm = fm->next) {
		char *fo;
		bool right;

		if (!is_el(fm, "FormData"))
			continue;
		fo = prop(fm, "FormOID");
		right = str_eq(fo, ODM_SUBJECT_FORM_OID);
		free(fo);
		if (!right)
			return bad(m, CRF_EINVAL, "line %d: %s holds only form %s", fm->line,
			    ODM_SUBJECT_EVENT_OID, ODM_SUBJECT_FORM_OID);
		for (xmlNode *g = fm->children; g != NULL; g = g->next) {
			if (!is_el(g, "ItemGroupData"))
				continue;
			for (xmlNode *it = g->children; it != NULL; it = it->next)
				if (it->type == XML_ELEMENT_NODE &&
				    strncmp((const char *)it->name, "ItemData", 8) == 0 &&
				    !apply_state_item(m, key, sid, it))
					return false;
		}
	}
	return true;
}

/* One SubjectData: one transaction of the site's trail. */
static bool
apply_subject(imp *m, const xmlNode *n)
{
	char *key = prop(n, "SubjectKey"), *tt = prop(n, "TransactionType");
	xmlNode *ar = child(n, "AuditRecord");
	char *prefix = xasprintf("%s-", m->site);
	long long sid;
	bool ok = false;

	free(m->rec_id);
	free(m->user);
	free(m->ts);
	free(m->edit_point);
	free(m->reason);
	free(m->central_reason);
	m->rec_id = prop(ar, "ID");
	m->edit_point = prop(ar, "EditPoint");
	m->user = prop(child(ar, "UserRef"), "UserOID");
	m->ts = text_of(child(ar, "DateTimeStamp"));
	m->reason = text_of(child(ar, "ReasonForChange"));
	m->central_reason = xasprintf("import of %s: %s's record %s", m->file_oid, m->site,
	    m->rec_id != NULL ? m->rec_id : "");
	if (m->user != NULL && strncmp(m->user, "USR.", 4) == 0)
		memmove(m->user, m->user + 4, strlen(m->user + 4) + 1);
	if (key == NULL || strncmp(key, prefix, strlen(prefix)) != 0) {
		bad(m, CRF_EINVAL, "line %d: subject \"%s\" is not a subject of site %s",
		    n->line, key != NULL ? key : "", m->site);
		goto out;
	}
	if (ar == NULL || m->rec_id == NULL || m->user == NULL || m->ts == NULL) {
		bad(m, CRF_EINVAL, "line %d: subject %s: a transaction without its complete "
		    "AuditRecord", n->line, key);
		goto out;
	}
	if (!subject_id(m, key, &sid))
		goto out;
	if (str_eq(tt, "Insert")) {
		char utc[32];

		if (sid != 0) {
			bad(m, CRF_EINVAL, "line %d: subject %s is inserted but is at the centre "
			    "already", n->line, key);
			goto out;
		}
		if (!utc_of(m, m->ts, utc, sizeof utc))
			goto out;
		{
			int rc = exec_text(m->st, "INSERT INTO subject (key, status, created_at,"
			    " created_by) VALUES (?1, 'screening', ?2, ?3)", 3, key, utc, m->user);

			if (rc != SQLITE_OK) {
				db_bad(m, rc);
				goto out;
			}
		}
		sid = sqlite3_last_insert_rowid(m->st->db);
		m->res->subjects++;
		if (!keep_site_record(m, "subject", key, NULL, NULL, NULL, NULL) ||
		    !central_audit(m, "subject", key, NULL, NULL, NULL, NULL, subject_state_name(SUBJ_SCREENING), NULL))
			goto out;
	} else if (sid == 0) {
		bad(m, CRF_EINVAL, "line %d: subject %s is not at the centre: a transfer of "
		    "site %s before this one was not imported", n->line, key, m->site);
		goto out;
	}
	if (!keep_signatures(m, n, key, NULL))
		goto out;
	for (xmlNode *ev = n->children; ev != NULL; ev = ev->next) {
		char *eo;
		const event_def *ed;
		bool logs;
		int er;
		form_key ek;

		if (!is_el(ev, "StudyEventData"))
			continue;
		eo = prop(ev, "StudyEventOID");
		if (str_eq(eo, ODM_SUBJECT_EVENT_OID)) {
			free(eo);
			if (!apply_state(m, key, sid, ev))
				goto out;
			continue;
		}
		ed = eo != NULL ? event_of(m->sd, eo, &logs) : NULL;
		if (ed == NULL && !logs) {
			bad(m, CRF_EINVAL, "line %d: StudyEventOID \"%s\" is not an event of this "
			    "study", ev->line, eo != NULL ? eo : "");
			free(eo);
			goto out;
		}
		free(eo);
		if (!repeat_key(m, ev, "StudyEventRepeatKey", logs ? 0 : 1, &er))
			goto out;
		ek = (form_key){ sid, logs ? "" : ed->id, er, NULL, 0 };
		if (!keep_signatures(m, ev, key, &ek))
			goto out;
		for (xmlNode *fm = ev->children; fm != NULL; fm = fm->next)
			if (is_el(fm, "FormData") && !apply_form(m, key, sid, ek.event, er, logs, fm))
				goto out;
	}
	ok = true;
out:
	free(key);
	free(tt);
	free(prefix);
	return ok;
}

/* Keep one piece of the site's admin data (site_admin), replacing what an
 * earlier file gave. */
static bool
admin_put(imp *m, const char *kind, const char *oid, const char *name,
    const char *detail)
{
	int rc;

	if (oid == NULL || *oid == '\0')
		return true;
	rc = exec_text(m->st, "INSERT INTO site_admin (site_code, kind, oid, name, detail,"
	    " file_oid) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (site_code, kind, oid)"
	    " DO UPDATE SET name = excluded.name, detail = excluded.detail,"
	    " file_oid = excluded.file_oid", 6, m->site, kind, oid, name, detail, m->file_oid);
	return rc == SQLITE_OK || db_bad(m, rc);
}

/* The AdminData of the file: the site's Location, Users and SignatureDefs. */
static bool
keep_admin(imp *m, const xmlNode *admin)
{
	bool ok = true;

	for (xmlNode *n = admin != NULL ? admin->children : NULL; ok && n != NULL;
	    n = n->next) {
		char *oid = prop(n, "OID"), *name = NULL, *detail = NULL, *login = NULL;

		if (is_el(n, "Location")) {
			char *want = odm_oid_location(m->site);

			if (str_eq(oid, want)) {
				name = prop(n, "Name");
				detail = prop(child(n, "MetaDataVersionRef"), "EffectiveDate");
				ok = admin_put(m, "location", m->site, name, detail);
			}
			free(want);
		} else if (is_el(n, "User")) {
			xmlNode *ln = child(n, "LoginName"), *fn = child(n, "FullName");

			login = ln != NULL ? text_of(ln) : oid != NULL &&
			    strncmp(oid, "USR.", 4) == 0 ? xstrdup(oid + 4) : NULL;
			name = fn != NULL ? text_of(fn) : NULL;
			detail = prop(n, "UserType");
			ok = admin_put(m, "user", login, name, detail);
		} else if (is_el(n, "SignatureDef")) {
			name = text_of(child(n, "Meaning"));
			ok = admin_put(m, "signature", oid, name, NULL);
		}
		free(oid);
		free(name);
		free(detail);
		free(login);
	}
	return ok;
}

static bool
check_root(imp *m, xmlNode *root, char **file_oid, char **prior, char **site,
    xmlNode **clinical)
{
	char *ft = prop(root, "FileType"), *study, *mdv, *want;
	xmlNode *loc = child(child(root, "AdminData"), "Location");
	bool ok = false;

	*file_oid = prop(root, "FileOID");
	*prior = prop(root, "PriorFileOID");
	*site = NULL;
	*clinical = child(root, "ClinicalData");
	if (!is_el(root, "ODM") || !str_eq(ft, "Transactional") || *file_oid == NULL) {
		free(ft);
		return bad(m, CRF_EINVAL, "not a transfer file: a Transactional ODM file with a "
		    "FileOID is needed");
	}
	free(ft);
	{
		char *lo = prop(loc, "OID");

		if (lo == NULL || strncmp(lo, "LOC.", 4) != 0 || lo[4] == '\0' ||
		    strlen(lo + 4) >= sizeof m->res->site) {
			free(lo);
			return bad(m, CRF_EINVAL, "not a transfer file: no site (AdminData "
			    "Location)");
		}
		*site = xstrdup(lo + 4);
		free(lo);
	}
	if (*clinical == NULL)
		return bad(m, CRF_EINVAL, "not a transfer file: no ClinicalData");
	study = prop(*clinical, "StudyOID");
	mdv = prop(*clinical, "MetaDataVersionOID");
	want = odm_oid_mdv(m->sd->metadata_version);
	if (!str_eq(study, m->sd->id))
		bad(m, CRF_EINVAL, "the file is of study %s, this centre's study is %s",
		    study != NULL ? study : "(none)", m->sd->id);
	else if (!str_eq(mdv, want))
		bad(m, CRF_EINVAL, "the file is of metadata version %s, this centre's forms are "
		    "%s", mdv != NULL ? mdv : "(none)", want);
	else
		ok = true;
	free(study);
	free(mdv);
	free(want);
	return ok;
}

crf_status
central_import(store *st, const study_def *sd, const char *xml, size_t len,
    const char *name, const char *checksum, import_result *res, crf_err *err)
{
	imp m = { .st = st, .sd = sd, .err = err, .res = res };
	char *file_oid = NULL, *prior = NULL, *site = NULL, *had = NULL, *last = NULL;
	xmlNode *clinical = NULL;
	xmlDoc *doc;
	bool central, found;
	crf_status cs;
	int rc;

	memset(res, 0, sizeof *res);
	if ((cs = store_is_central(st, &central, err)) != CRF_OK)
		return cs;
	if (!central)
		return crf_fail(err, CRF_EDENIED, "this is a site database: transfers are "
		    "imported into a central one (crf init --central)");
	if (len > INT_MAX)
		return crf_fail(err, CRF_EINVAL, "%s is too large for a transfer file", name);
	if (xml_runtime(err) != CRF_OK)
		return CRF_EIO;
	doc = xmlReadMemory(xml, (int)len, name, NULL, XML_PARSE_NONET | XML_PARSE_BIG_LINES |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL)
		return crf_fail(err, CRF_EINVAL, "%s is not a well-formed XML file", name);
	if (!check_root(&m, xmlDocGetRootElement(doc), &file_oid, &prior, &site, &clinical))
		goto done;
	snprintf(res->file_oid, sizeof res->file_oid, "%s", file_oid);
	snprintf(res->site, sizeof res->site, "%s", site);
	m.site = site;
	m.file_oid = file_oid;
	if ((cs = store_begin_write(st, err)) != CRF_OK) {
		m.cs = cs;
		goto done;
	}
	rc = store_query_text(st, "SELECT checksum FROM transfer_in WHERE file_oid = ?1", file_oid,
	    &had, &found);
	if (rc == SQLITE_OK && found) {
		if (str_eq(had, checksum))
			res->already = true;
		else
			bad(&m, CRF_ECONFLICT, "another file with FileOID %s was imported before: "
			    "this one differs from it", file_oid);
		goto rollback;
	}
	if (rc == SQLITE_OK)
		rc = store_query_text(st, "SELECT file_oid FROM transfer_in WHERE site_code = ?1"
		    " ORDER BY rowid DESC LIMIT 1", site, &last, &found);
	if (rc != SQLITE_OK) {
		db_bad(&m, rc);
		goto rollback;
	}
	if (!same(prior, last)) {
		if (prior == NULL)
			bad(&m, CRF_ECONFLICT, "%s is site %s's first transfer, but %s from the "
			    "site was imported already", file_oid, site, last);
		else
			bad(&m, CRF_ECONFLICT, "%s follows %s, which has not been imported (the "
			    "last from site %s is %s): import that file first", file_oid, prior,
			    site, last != NULL ? last : "none");
		goto rollback;
	}
	if (!keep_admin(&m, child(xmlDocGetRootElement(doc), "AdminData")))
		goto rollback;
	for (xmlNode *n = clinical->children; n != NULL; n = n->next)
		if (is_el(n, "SubjectData") && !apply_subject(&m, n))
			goto rollback;
	{
		char changes[32], conflicts[32];
		audit_entry a = { .action = "import", .new_value = file_oid, .field = site,
		    .reason = name };

		snprintf(changes, sizeof changes, "%zu", res->values + res->statuses +
		    res->subjects);
		snprintf(conflicts, sizeof conflicts, "%zu", res->conflicts);
		rc = exec_text(st, "INSERT INTO transfer_in (file_oid, site_code, prior_file_oid,"
		    " checksum, imported_at, imported_by, changes, conflicts) VALUES (?1, ?2, ?3,"
		    " ?4, ?5, ?6, ?7, ?8)", 8, file_oid, site, prior, checksum, st->now_utc,
		    st->user, changes, conflicts);
		if (rc == SQLITE_OK)
			rc = audit_put(st, &a);
		if (rc != SQLITE_OK) {
			db_bad(&m, rc);
			goto rollback;
		}
	}
	if ((cs = store_commit(st, err)) != CRF_OK)
		m.cs = cs;
	goto done;
rollback:
	store_rollback(st);
	if (m.cs != CRF_OK) {
		res->subjects = res->instances = res->values = res->statuses = 0;
		res->records = res->conflicts = 0;
	}
done:
	xmlFreeDoc(doc);
	free(file_oid);
	free(prior);
	free(site);
	free(had);
	free(last);
	free(m.rec_id);
	free(m.user);
	free(m.ts);
	free(m.edit_point);
	free(m.reason);
	free(m.central_reason);
	free(m.state_kept);
	return m.cs;
}

/* ---- Conflicts ---------------------------------------------------------- */

static void
conflict_from_row(sqlite3_stmt *s, void *out)
{
	import_conflict *c = out;

	c->site = col_text(s, 0);
	c->subject = col_text(s, 1);
	c->event = col_text(s, 2);
	c->event_repeat = sqlite3_column_int(s, 3);
	c->form = col_text(s, 4);
	c->form_repeat = sqlite3_column_int(s, 5);
	c->field = col_text(s, 6);
	c->central_value = col_text(s, 7);
	c->central_missing = col_text(s, 8);
	c->site_value = col_text(s, 9);
	c->site_missing = col_text(s, 10);
	c->file_oid = col_text(s, 11);
	c->record_id = col_text(s, 12);
	c->found_at = col_text(s, 13);
}

static void
conflicts_release(void *rows, size_t n)
{
	import_conflicts_free(rows, n);
}

crf_status
central_conflicts(store *st, import_conflict **rows, size_t *n, crf_err *err)
{
	return collect_sql(st, "SELECT site_code, subject, event, event_repeat, form,"
	    " form_repeat, field, central_value, central_missing, site_value, site_missing,"
	    " file_oid, record_id, found_at FROM import_conflict ORDER BY id", sizeof **rows,
	    conflict_from_row, conflicts_release, (void **)rows, n, err, 0);
}

char *
import_conflict_text(const import_conflict *c)
{
	bool status = c->field == NULL || c->field[0] == '\0';
	/* The subject's own state has no event and no form. */
	bool subject = str_blank(c->event) && str_blank(c->form);
	char *place = subject ? xasprintf("subject %s", str_eq(c->field, "status_date") ?
	    "status date" : str_eq(c->field, "study_no") ? "study number" : "status") :
	    audit_where_text(c->event, c->event_repeat, c->form, c->form_repeat,
	    status ? NULL : c->field);
	char *cv = audit_value_text(c->central_value, c->central_missing);
	char *sv = audit_value_text(c->site_value, c->site_missing);
	char *out = xasprintf("site %s, subject %s, %s%s: centre %s, site %s (file %s, record "
	    "%s)", c->site, c->subject, place, status && !subject ? " form status" : "", cv, sv,
	    c->file_oid, c->record_id);

	free(place);
	free(cv);
	free(sv);
	return out;
}

void
import_conflicts_free(import_conflict *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		import_conflict *c = &rows[i];

		free(c->site);
		free(c->subject);
		free(c->event);
		free(c->form);
		free(c->field);
		free(c->central_value);
		free(c->central_missing);
		free(c->site_value);
		free(c->site_missing);
		free(c->file_oid);
		free(c->record_id);
		free(c->found_at);
	}
	free(rows);
}

/* ---- The files applied ---------------------------------------------------- */

static void
import_from_row(sqlite3_stmt *s, void *out)
{
	import_row *r = out;

	r->file_oid = col_text(s, 0);
	r->site = col_text(s, 1);
	r->prior_file_oid = col_text(s, 2);
	r->checksum = col_text(s, 3);
	r->imported_at = col_text(s, 4);
	r->imported_by = col_text(s, 5);
	r->changes = sqlite3_column_int64(s, 6);
	r->conflicts = sqlite3_column_int64(s, 7);
}

static void
imports_release(void *rows, size_t n)
{
	import_rows_free(rows, n);
}

crf_status
central_imports(store *st, import_row **rows, size_t *n, crf_err *err)
{
	bool central;
	crf_status cs;

	*rows = NULL;
	*n = 0;
	if ((cs = store_is_central(st, &central, err)) != CRF_OK)
		return cs;
	if (!central)
		return crf_fail(err, CRF_EDENIED, "this is a site database: the files applied "
		    "are listed in the central one");
	return collect_sql(st, "SELECT file_oid, site_code, prior_file_oid, checksum,"
	    " imported_at, imported_by, changes, conflicts FROM transfer_in"
	    " ORDER BY site_code, rowid", sizeof **rows, import_from_row, imports_release,
	    (void **)rows, n, err, 0);
}

void
import_rows_free(import_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].file_oid);
		free(rows[i].site);
		free(rows[i].prior_file_oid);
		free(rows[i].checksum);
		free(rows[i].imported_at);
		free(rows[i].imported_by);
	}
	free(rows);
}

/* ---- A site's slice ------------------------------------------------------ */

static void
record_from_row(sqlite3_stmt *s, void *out)
{
	site_record *r = out;

	r->record_id = col_text(s, 0);
	r->user = col_text(s, 1);
	r->ts = col_text(s, 2);
	r->edit_point = col_text(s, 3);
	r->action = col_text(s, 4);
	r->subject = col_text(s, 5);
	r->event = col_text(s, 6);
	r->event_repeat = sqlite3_column_int(s, 7);
	r->form = col_text(s, 8);
	r->form_repeat = sqlite3_column_int(s, 9);
	r->field = col_text(s, 10);
	r->value = col_text(s, 11);
	r->missing = col_text(s, 12);
	r->reason = col_text(s, 13);
}

static void
records_release(void *rows, size_t n)
{
	site_records_free(rows, n);
}

crf_status
central_site_records(store *st, const char *site, const char *subject,
    site_record **rows, size_t *n, crf_err *err)
{
	return collect_sql(st, "SELECT record_id, user, ts, edit_point, action, subject, event,"
	    " event_repeat, form, form_repeat, field, value, missing, reason FROM site_audit"
	    " WHERE site_code = ?1 AND subject = ?2 ORDER BY id", sizeof **rows,
	    record_from_row, records_release, (void **)rows, n, err, 2, site, subject);
}

void
site_records_free(site_record *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		site_record *r = &rows[i];

		free(r->record_id);
		free(r->user);
		free(r->ts);
		free(r->edit_point);
		free(r->action);
		free(r->subject);
		free(r->event);
		free(r->form);
		free(r->field);
		free(r->value);
		free(r->missing);
		free(r->reason);
	}
	free(rows);
}

static void
admin_from_row(sqlite3_stmt *s, void *out)
{
	site_admin_row *r = out;

	r->kind = col_text(s, 0);
	r->oid = col_text(s, 1);
	r->name = col_text(s, 2);
	r->detail = col_text(s, 3);
}

static void
admin_release(void *rows, size_t n)
{
	site_admin_rows_free(rows, n);
}

crf_status
central_site_admin(store *st, const char *site, site_admin_row **rows, size_t *n,
    crf_err *err)
{
	return collect_sql(st, "SELECT kind, oid, name, detail FROM site_admin WHERE"
	    " site_code = ?1 ORDER BY kind, oid", sizeof **rows, admin_from_row, admin_release,
	    (void **)rows, n, err, 1, site);
}

void
site_admin_rows_free(site_admin_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].kind);
		free(rows[i].oid);
		free(rows[i].name);
		free(rows[i].detail);
	}
	free(rows);
}

crf_status
central_site_known(store *st, const char *site, bool *known, crf_err *err)
{
	char *one = NULL;
	int rc = store_query_text(st, "SELECT 1 FROM transfer_in WHERE site_code = ?1 LIMIT 1",
	    site, &one, known);

	free(one);
	return rc == SQLITE_OK ? CRF_OK : store_fail(st, rc, err);
}
