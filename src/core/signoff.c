/*
 * signoff.c - electronic signatures, locks and source data verification
 * (signoff.h), on the site database's own connection (store_impl.h).
 *
 * Tables (schema version 4, see the migrations in store.c):
 *   signature     one row per signature; never updated or deleted
 *                 (triggers).  audit_seq is the seq of its "sign" row.
 *   record_lock   one row per lock; unlocking fills unlocked_by/at and
 *                 the reason, the row stays.  A lock is in force while
 *                 unlocked_at IS NULL.
 *   form_instance.sdv_by / sdv_at   the verification mark of a form.
 *
 * The content hash of a signature is BLAKE2b-256 over the encoding
 * "crf-sign-1", the subject key, then for every item of the scope in
 * (event, event repeat, form, form repeat, field) order: the seven texts
 * event, event repeat, form, form repeat, field, value, missing code,
 * each as "N" for NULL or "<length>:<bytes>", separated by ";".  Item
 * rows only: form status, verification and locks are not content.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crf/signoff.h"
#include "crf/util.h"
#include "store_impl.h"

enum signoff_sql {
	SG_CONTENT,
	SG_NOT_COMPLETE,
	SG_COUNT_FORMS,
	SG_FULL_NAME,
	SG_SIGN_PUT,
	SG_SIGN_LIST,
	SG_LOCK_EXACT,
	SG_LOCK_COVER,
	SG_LOCK_PUT,
	SG_LOCK_END,
	SG_LOCK_LIST,
	SG_SDV_SET,
	SG_VERIFY_SDV,
	SG_VERIFY_LOCKS,
	SG_VERIFY_SIGNATURES,
	SG_COUNT
};
_Static_assert((int)SG_COUNT <= (int)STORE_SLOTS_QUERY - (int)STORE_SLOTS_SIGNOFF,
    "signoff.c has too many statements");

/* ?1 subject id, ?2 event (NULL: any), ?3 event repeat, ?4 form (NULL:
 * any), ?5 form repeat: the form instances of a scope. */
#define SCOPE_MATCH "f.subject_id = ?1" \
	" AND (?2 IS NULL OR (f.event = ?2 AND f.event_repeat = ?3))" \
	" AND (?4 IS NULL OR (f.form = ?4 AND f.form_repeat = ?5))"
/* The same on the columns of a lock or signature row. */
#define TARGET_EXACT "subject_id = ?1 AND scope = ?6" \
	" AND event IS ?2 AND event_repeat IS ?3 AND form IS ?4" \
	" AND form_repeat IS ?5"
#define LOCK_COLS "id, scope, event, event_repeat, form, form_repeat," \
	" locked_by, locked_at"

static const char *const signoff_sql[SG_COUNT] = {
	[SG_CONTENT] = "SELECT f.event, f.event_repeat, f.form, f.form_repeat,"
	    " i.field, i.value, i.missing FROM item AS i"
	    " JOIN form_instance AS f ON f.id = i.instance_id WHERE " SCOPE_MATCH
	    " ORDER BY f.event, f.event_repeat, f.form, f.form_repeat, i.field",
	[SG_NOT_COMPLETE] = "SELECT f.event, f.event_repeat, f.form,"
	    " f.form_repeat FROM form_instance AS f WHERE " SCOPE_MATCH
	    " AND f.status <> 2 ORDER BY f.event, f.event_repeat, f.form,"
	    " f.form_repeat LIMIT 1",
	[SG_COUNT_FORMS] = "SELECT count(*) FROM form_instance AS f WHERE "
	    SCOPE_MATCH,
	[SG_FULL_NAME] = "SELECT full_name FROM account WHERE login = ?1",
	[SG_SIGN_PUT] = "INSERT INTO signature (subject_id, scope, event,"
	    " event_repeat, form, form_repeat, login, full_name, meaning,"
	    " signed_at, tz_offset, content_hash, audit_seq)"
	    " VALUES (?1, ?6, ?2, ?3, ?4, ?5, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	[SG_SIGN_LIST] = "SELECT id, scope, event, event_repeat, form,"
	    " form_repeat, login, full_name, meaning, signed_at, tz_offset,"
	    " content_hash FROM signature WHERE subject_id = ?1 ORDER BY id",
	[SG_LOCK_EXACT] = "SELECT id FROM record_lock WHERE " TARGET_EXACT
	    " AND unlocked_at IS NULL",
	[SG_LOCK_COVER] = "SELECT " LOCK_COLS " FROM record_lock"
	    " WHERE subject_id = ?1 AND unlocked_at IS NULL"
	    " AND (scope = 'casebook'"
	    " OR (scope = 'event' AND event = ?2 AND event_repeat = ?3)"
	    " OR (scope = 'form' AND event = ?2 AND event_repeat = ?3"
	    " AND form = ?4 AND form_repeat = ?5)) ORDER BY id LIMIT 1",
	[SG_LOCK_PUT] = "INSERT INTO record_lock (subject_id, scope, event,"
	    " event_repeat, form, form_repeat, locked_by, locked_at)"
	    " VALUES (?1, ?6, ?2, ?3, ?4, ?5, ?7, ?8)",
	[SG_LOCK_END] = "UPDATE record_lock SET unlocked_by = ?2,"
	    " unlocked_at = ?3, unlock_reason = ?4 WHERE id = ?1",
	[SG_LOCK_LIST] = "SELECT " LOCK_COLS " FROM record_lock"
	    " WHERE subject_id = ?1 AND unlocked_at IS NULL ORDER BY id",
	[SG_SDV_SET] = "UPDATE form_instance SET sdv_by = ?2, sdv_at = ?3"
	    " WHERE id = ?1",
	/* Marks that differ from the latest sdv / sdv-clear row of their form. */
	[SG_VERIFY_SDV] = "SELECT s.key, f.event, f.event_repeat, f.form,"
	    " f.form_repeat, f.sdv_by, a.seq, a.action, a.user"
	    " FROM form_instance AS f JOIN subject AS s ON s.id = f.subject_id"
	    " LEFT JOIN audit AS a ON a.seq = (SELECT max(b.seq) FROM audit AS b"
	    " WHERE b.subject = s.key AND b.event = f.event"
	    " AND b.event_repeat = f.event_repeat AND b.form = f.form"
	    " AND b.form_repeat = f.form_repeat AND b.action IN ('sdv', 'sdv-clear'))"
	    " WHERE (f.sdv_by IS NOT NULL) <> (a.action IS 'sdv')"
	    " OR f.sdv_by IS NOT a.user AND f.sdv_by IS NOT NULL"
	    " ORDER BY 1, 2, 3, 4, 5",
	/* Targets whose locks in force differ from their latest lock / unlock
	 * row. */
	[SG_VERIFY_LOCKS] = "WITH t (subject, event, er, form, fr) AS ("
	    " SELECT s.key, l.event, l.event_repeat, l.form, l.form_repeat"
	    " FROM record_lock AS l JOIN subject AS s ON s.id = l.subject_id"
	    " UNION SELECT subject, event, event_repeat, form, form_repeat"
	    " FROM audit WHERE action IN ('lock', 'unlock')),"
	    " v AS (SELECT t.*, (SELECT count(*) FROM record_lock AS l"
	    " JOIN subject AS s ON s.id = l.subject_id WHERE s.key = t.subject"
	    " AND l.event IS t.event AND l.event_repeat IS t.er"
	    " AND l.form IS t.form AND l.form_repeat IS t.fr"
	    " AND l.unlocked_at IS NULL) AS active,"
	    " (SELECT seq FROM audit AS a WHERE a.action IN ('lock', 'unlock')"
	    " AND a.subject = t.subject AND a.event IS t.event"
	    " AND a.event_repeat IS t.er AND a.form IS t.form"
	    " AND a.form_repeat IS t.fr ORDER BY seq DESC LIMIT 1) AS seq FROM t)"
	    " SELECT v.subject, v.event, v.er, v.form, v.fr, v.active, v.seq,"
	    " (SELECT action FROM audit WHERE seq = v.seq) FROM v"
	    " WHERE v.active > 1 OR (v.active = 1) <>"
	    " ((SELECT action FROM audit WHERE seq = v.seq) IS 'lock')"
	    " ORDER BY 1, 2, 3, 4, 5",
	/* Signatures without their "sign" row, and "sign" rows without their
	 * signature. */
	[SG_VERIFY_SIGNATURES] = "SELECT g.id, s.key, g.audit_seq FROM signature AS g"
	    " JOIN subject AS s ON s.id = g.subject_id"
	    " LEFT JOIN audit AS a ON a.seq = g.audit_seq AND a.action = 'sign'"
	    " AND a.user = g.login AND a.new_value = g.content_hash"
	    " AND a.reason = g.meaning AND a.subject = s.key"
	    " AND a.ts_utc = g.signed_at WHERE a.seq IS NULL"
	    " UNION ALL SELECT NULL, a.subject, a.seq FROM audit AS a"
	    " WHERE a.action = 'sign' AND NOT EXISTS (SELECT 1 FROM signature AS g"
	    " WHERE g.audit_seq = a.seq)",
};

static int
sg_stmt(store *st, enum signoff_sql id, sqlite3_stmt **out)
{
	return store_stmt_sql(st, STORE_SLOTS_SIGNOFF + (int)id, signoff_sql[id],
	    out);
}

const char *
signoff_scope_name(signoff_scope scope)
{
	switch (scope) {
	case SCOPE_FORM: return "form";
	case SCOPE_EVENT: return "event";
	case SCOPE_CASEBOOK: return "casebook";
	}
	return "form";
}

static bool
scope_from_name(const char *name, signoff_scope *out)
{
	for (int i = SCOPE_FORM; i <= SCOPE_CASEBOOK; i++)
		if (str_eq(name, signoff_scope_name((signoff_scope)i))) {
			*out = (signoff_scope)i;
			return true;
		}
	return false;
}

const char *
signoff_meaning(signoff_scope scope)
{
	switch (scope) {
	case SCOPE_FORM: return "I approve the data of this form";
	case SCOPE_EVENT: return "I approve the data of this visit";
	case SCOPE_CASEBOOK: return "I approve the data of this casebook";
	}
	return "I approve the data of this form";
}

signoff_target
signoff_target_of(const form_key *key, signoff_scope scope)
{
	signoff_target t = { .scope = scope, .subject_id = key->subject_id };

	if (scope != SCOPE_CASEBOOK) {
		t.event = key->event;
		t.event_repeat = key->event_repeat;
	}
	if (scope == SCOPE_FORM) {
		t.form = key->form;
		t.form_repeat = key->form_repeat;
	}
	return t;
}

static crf_status
target_check(const signoff_target *t, crf_err *err)
{
	if (t == NULL || t->subject_id <= 0)
		return crf_fail(err, CRF_EINVAL, "no subject was named");
	if (t->scope != SCOPE_FORM && t->scope != SCOPE_EVENT &&
	    t->scope != SCOPE_CASEBOOK)
		return crf_fail(err, CRF_EINVAL, "unknown scope");
	if (t->scope != SCOPE_CASEBOOK && (t->event == NULL || t->event_repeat < 0))
		return crf_fail(err, CRF_EINVAL, "no event was named");
	if (t->scope == SCOPE_FORM && (str_blank(t->form) || t->form_repeat < 1))
		return crf_fail(err, CRF_EINVAL, "no form was named");
	return CRF_OK;
}

/* Bind ?1..?5 to the target (NULL where the scope does not reach) and,
 * with_scope, ?6 to its scope name. */
static int
bind_target(sqlite3_stmt *s, const signoff_target *t, bool with_scope)
{
	int rc = sqlite3_bind_int64(s, 1, t->subject_id);

	if (rc == SQLITE_OK && t->scope != SCOPE_CASEBOOK) {
		rc = bind_text(s, 2, t->event);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int(s, 3, t->event_repeat);
	}
	if (rc == SQLITE_OK && t->scope == SCOPE_FORM) {
		rc = bind_text(s, 4, t->form);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int(s, 5, t->form_repeat);
	}
	if (rc == SQLITE_OK && with_scope)
		rc = bind_text(s, 6, signoff_scope_name(t->scope));
	return rc;
}

/* The audit key of a target: a form key (form NULL for an event), or
 * NULL for the casebook. */
static const form_key *
target_audit_key(const signoff_target *t, form_key *k)
{
	if (t->scope == SCOPE_CASEBOOK)
		return NULL;
	k->subject_id = t->subject_id;
	k->event = t->event;
	k->event_repeat = t->event_repeat;
	k->form = t->scope == SCOPE_FORM ? t->form : NULL;
	k->form_repeat = t->scope == SCOPE_FORM ? t->form_repeat : 0;
	return k;
}

/* One text of the content encoding. */
static void
hash_text(crypto_generichash_state *h, const unsigned char *p, int len)
{
	char pre[24];

	if (p == NULL) {
		crypto_generichash_update(h, (const unsigned char *)"N;", 2);
		return;
	}
	snprintf(pre, sizeof pre, "%d:", len);
	crypto_generichash_update(h, (const unsigned char *)pre, strlen(pre));
	crypto_generichash_update(h, p, (unsigned long long)len);
	crypto_generichash_update(h, (const unsigned char *)";", 1);
}

/* The content hash of t, read in the caller's transaction. */
static int
content_hash(store *st, const signoff_target *t, char hex[65])
{
	unsigned char out[32];
	crypto_generichash_state h;
	sqlite3_stmt *s;
	char *key = NULL;
	int rc;

	if (sodium_init() < 0)
		return SQLITE_ERROR;
	rc = subject_key(st, t->subject_id, &key);
	if (rc != SQLITE_OK)
		return rc;
	crypto_generichash_init(&h, NULL, 0, sizeof out);
	crypto_generichash_update(&h, (const unsigned char *)"crf-sign-1;", 11);
	hash_text(&h, (const unsigned char *)key, key ? (int)strlen(key) : 0);
	free(key);
	rc = sg_stmt(st, SG_CONTENT, &s);
	if (rc == SQLITE_OK)
		rc = bind_target(s, t, false);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (int i = 0; i < 7; i++)
			hash_text(&h, sqlite3_column_text(s, i),
			    sqlite3_column_bytes(s, i));
		rc = SQLITE_OK;
	}
	store_reset(s);
	if (rc != SQLITE_DONE)
		return rc;
	crypto_generichash_final(&h, out, sizeof out);
	sodium_bin2hex(hex, 65, out, sizeof out);
	return SQLITE_OK;
}

crf_status
store_content_hash(store *st, const signoff_target *t, char hex[65],
    crf_err *err)
{
	crf_status cs = target_check(t, err);
	int rc;

	if (cs != CRF_OK)
		return cs;
	if ((cs = store_begin_read(st, err)) != CRF_OK)
		return cs;
	rc = content_hash(st, t, hex);
	if (rc != SQLITE_OK) {
		cs = store_fail(st, rc, err);
		store_rollback(st);
		return cs;
	}
	return store_commit(st, err);
}

/* ---- Signatures --------------------------------------------------------- */

bool
store_signed_before(const store *st)
{
	return st->signed_once;
}

/* Every saved form of the scope complete, and at least one. */
static crf_status
sign_ready(store *st, const signoff_target *t, crf_err *err)
{
	sqlite3_stmt *s;
	long long n = 0;
	int rc = sg_stmt(st, SG_COUNT_FORMS, &s);

	if (rc == SQLITE_OK)
		rc = bind_target(s, t, false);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		n = sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	}
	store_reset(s);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, err);
	if (n == 0)
		return crf_fail(err, CRF_EINVAL, "there is nothing to sign: no form "
		    "of this %s has been saved", t->scope == SCOPE_FORM ? "form" :
		    t->scope == SCOPE_EVENT ? "visit" : "casebook");
	rc = sg_stmt(st, SG_NOT_COMPLETE, &s);
	if (rc == SQLITE_OK)
		rc = bind_target(s, t, false);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *ev = (const char *)sqlite3_column_text(s, 0);
		crf_status cs = crf_fail(err, CRF_EINVAL, "only complete forms can be "
		    "signed: %s (%s) is not complete",
		    (const char *)sqlite3_column_text(s, 2),
		    ev != NULL && *ev ? ev : "logs");
		store_reset(s);
		return cs;
	}
	store_reset(s);
	return rc == SQLITE_DONE ? CRF_OK : store_fail(st, rc, err);
}

static void
signature_from_row(sqlite3_stmt *s, void *row)
{
	signature_row *r = row;

	r->id = sqlite3_column_int64(s, 0);
	if (!scope_from_name((const char *)sqlite3_column_text(s, 1), &r->scope))
		r->scope = SCOPE_FORM;
	r->event = col_text(s, 2);
	r->event_repeat = sqlite3_column_int(s, 3);
	r->form = col_text(s, 4);
	r->form_repeat = sqlite3_column_int(s, 5);
	r->login = col_text(s, 6);
	r->full_name = col_text(s, 7);
	r->meaning = col_text(s, 8);
	r->signed_at = col_text(s, 9);
	r->tz_offset = col_text(s, 10);
	r->content_hash = col_text(s, 11);
}

void
signature_row_clear(signature_row *r)
{
	free(r->event);
	free(r->form);
	free(r->login);
	free(r->full_name);
	free(r->meaning);
	free(r->signed_at);
	free(r->tz_offset);
	free(r->content_hash);
	memset(r, 0, sizeof *r);
}

void
signature_rows_free(signature_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		signature_row_clear(&rows[i]);
	free(rows);
}

/* Write the signature of t inside the transaction. */
static crf_status
sign_body(store *st, const signoff_target *t, signature_row *out, crf_err *err)
{
	char hex[65], *subject = NULL, *full_name = NULL;
	const char *meaning = signoff_meaning(t->scope);
	form_key k;
	sqlite3_stmt *s;
	long long seq;
	crf_status cs;
	int rc;

	if ((cs = sign_ready(st, t, err)) != CRF_OK)
		return cs;
	rc = content_hash(st, t, hex);
	if (rc == SQLITE_OK)
		rc = subject_key(st, t->subject_id, &subject);
	if (rc == SQLITE_OK)
		rc = sg_stmt(st, SG_FULL_NAME, &s);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 1, st->user);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		full_name = col_text(s, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	}
	store_reset(s);
	if (rc == SQLITE_OK && full_name == NULL) {
		free(subject);
		return crf_fail(err, CRF_EDENIED, "%s has no account here and cannot "
		    "sign", st->user);
	}
	if (rc == SQLITE_OK) {
		audit_entry a = { .action = "sign", .subject = subject,
		    .key = target_audit_key(t, &k), .new_value = hex,
		    .reason = meaning };
		rc = audit_put(st, &a);
	}
	seq = sqlite3_last_insert_rowid(st->db);
	if (rc == SQLITE_OK)
		rc = sg_stmt(st, SG_SIGN_PUT, &s);
	if (rc == SQLITE_OK)
		rc = bind_target(s, t, true);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 7, st->user);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 8, full_name);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 9, meaning);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 10, st->now_utc);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 11, st->now_off);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 12, hex);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 13, seq);
	if (rc == SQLITE_OK)
		rc = store_run(s);
	else
		store_reset(s);
	if (rc == SQLITE_OK && out != NULL) {
		memset(out, 0, sizeof *out);
		out->id = sqlite3_last_insert_rowid(st->db);
		out->scope = t->scope;
		out->event = t->scope != SCOPE_CASEBOOK ? xstrdup(t->event) : NULL;
		out->event_repeat = t->scope != SCOPE_CASEBOOK ? t->event_repeat : 0;
		out->form = t->scope == SCOPE_FORM ? xstrdup(t->form) : NULL;
		out->form_repeat = t->scope == SCOPE_FORM ? t->form_repeat : 0;
		out->login = xstrdup(st->user);
		out->full_name = full_name;
		full_name = NULL;
		out->meaning = xstrdup(meaning);
		out->signed_at = xstrdup(st->now_utc);
		out->tz_offset = xstrdup(st->now_off);
		out->content_hash = xstrdup(hex);
	}
	free(full_name);
	free(subject);
	return rc == SQLITE_OK ? CRF_OK : store_fail(st, rc, err);
}

crf_status
store_sign(store *st, const signoff_target *t, const char *login,
    const char *password, signature_row *out, crf_err *err)
{
	crf_status cs;

	if (out != NULL)
		memset(out, 0, sizeof *out);
	if ((cs = target_check(t, err)) != CRF_OK)
		return cs;
	if ((cs = store_may(st, PERM_SIGN, err)) != CRF_OK)
		return cs;
	if ((cs = store_check_password(st, login, password, "sign-failed",
	    err)) != CRF_OK)
		return cs;
	if ((cs = store_begin_write(st, err)) != CRF_OK)
		return cs;
	cs = sign_body(st, t, out, err);
	if (cs == CRF_OK)
		cs = store_commit(st, err);
	else
		store_rollback(st);
	if (cs == CRF_OK)
		st->signed_once = true;
	else if (out != NULL)
		signature_row_clear(out);
	return cs;
}

static bool
same_target(const signature_row *a, const signature_row *b)
{
	return a->scope == b->scope && str_eq(a->event, b->event) &&
	    a->event_repeat == b->event_repeat && str_eq(a->form, b->form) &&
	    a->form_repeat == b->form_repeat;
}

static void
signatures_release(void *rows, size_t n)
{
	signature_rows_free(rows, n);
}

crf_status
store_list_signatures(store *st, long long subject_id, signature_row **rows,
    size_t *n, crf_err *err)
{
	signature_row *v;
	size_t cnt;
	sqlite3_stmt *s;
	crf_status cs;
	int rc;

	*rows = NULL;
	*n = 0;
	if ((cs = store_begin_read(st, err)) != CRF_OK)
		return cs;
	rc = sg_stmt(st, SG_SIGN_LIST, &s);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 1, subject_id);
	cs = store_collect(st, s, rc, sizeof *v, signature_from_row, signatures_release,
	    (void **)&v, &cnt, err);
	if (cs != CRF_OK) {
		store_rollback(st);
		return cs;
	}
	rc = SQLITE_OK;
	for (size_t i = 0; rc == SQLITE_OK && i < cnt; i++) {
		signoff_target t = { .scope = v[i].scope, .subject_id = subject_id,
		    .event = v[i].event, .event_repeat = v[i].event_repeat,
		    .form = v[i].form, .form_repeat = v[i].form_repeat };
		char hex[65];

		for (size_t j = i + 1; j < cnt; j++)
			if (same_target(&v[i], &v[j]))
				v[i].superseded = true;
		rc = content_hash(st, &t, hex);
		if (rc == SQLITE_OK)
			v[i].changed = !str_eq(hex, v[i].content_hash);
	}
	if (rc != SQLITE_OK) {
		cs = store_fail(st, rc, err);
		store_rollback(st);
		signature_rows_free(v, cnt);
		return cs;
	}
	if ((cs = store_commit(st, err)) != CRF_OK) {
		signature_rows_free(v, cnt);
		return cs;
	}
	*rows = v;
	*n = cnt;
	return CRF_OK;
}

/* Does a target (scope, event, form) cover the form instance key? */
static bool
covers(signoff_scope scope, const char *event, int event_repeat,
    const char *form, int form_repeat, const form_key *key)
{
	switch (scope) {
	case SCOPE_CASEBOOK:
		return true;
	case SCOPE_EVENT:
		return str_eq(event, key->event) && event_repeat == key->event_repeat;
	case SCOPE_FORM:
		return str_eq(event, key->event) && event_repeat == key->event_repeat &&
		    str_eq(form, key->form) && form_repeat == key->form_repeat;
	}
	return false;
}

bool
signature_covers(const signature_row *sig, const form_key *key)
{
	return covers(sig->scope, sig->event, sig->event_repeat, sig->form,
	    sig->form_repeat, key);
}

/* ---- Locks --------------------------------------------------------------- */

static void
lock_from_row(sqlite3_stmt *s, void *row)
{
	lock_row *r = row;

	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(s, 0);
	if (!scope_from_name((const char *)sqlite3_column_text(s, 1), &r->scope))
		r->scope = SCOPE_FORM;
	r->event = col_text(s, 2);
	r->event_repeat = sqlite3_column_int(s, 3);
	r->form = col_text(s, 4);
	r->form_repeat = sqlite3_column_int(s, 5);
	r->locked_by = col_text(s, 6);
	r->locked_at = col_text(s, 7);
}

void
lock_row_clear(lock_row *r)
{
	free(r->event);
	free(r->form);
	free(r->locked_by);
	free(r->locked_at);
	memset(r, 0, sizeof *r);
}

void
lock_rows_free(lock_row *rows, size_t n)
{
	for (size_t i = 0; rows != NULL && i < n; i++)
		lock_row_clear(&rows[i]);
	free(rows);
}

bool
lock_covers(const lock_row *lk, const form_key *key)
{
	return covers(lk->scope, lk->event, lk->event_repeat, lk->form,
	    lk->form_repeat, key);
}

/* The id of the lock in force on exactly t (0: none). */
static int
lock_exact(store *st, const signoff_target *t, long long *id)
{
	sqlite3_stmt *s;
	int rc = sg_stmt(st, SG_LOCK_EXACT, &s);

	*id = 0;
	if (rc == SQLITE_OK)
		rc = bind_target(s, t, true);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	}
	store_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The lock covering key, read in the caller's transaction. */
static int
lock_cover(store *st, const form_key *key, bool *locked, lock_row *by)
{
	sqlite3_stmt *s;
	int rc = sg_stmt(st, SG_LOCK_COVER, &s);

	*locked = false;
	if (rc == SQLITE_OK)
		rc = bind_form_key(s, key, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		*locked = true;
		if (by != NULL)
			lock_from_row(s, by);
		rc = SQLITE_OK;
	}
	store_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static const char *
scope_words(signoff_scope scope)
{
	switch (scope) {
	case SCOPE_FORM: return "this form";
	case SCOPE_EVENT: return "this visit";
	case SCOPE_CASEBOOK: return "this casebook";
	}
	return "this form";
}

crf_status
signoff_check_unlocked(store *st, const form_key *key, crf_err *err)
{
	lock_row by;
	bool locked;
	crf_status cs;
	int rc = lock_cover(st, key, &locked, &by);

	if (rc != SQLITE_OK)
		return store_fail(st, rc, err);
	if (!locked)
		return CRF_OK;
	cs = crf_fail(err, CRF_ELOCKED, "%s is locked (by %s, %s): nothing can be "
	    "changed until a data manager unlocks it", by.scope == SCOPE_FORM ?
	    "this form" : by.scope == SCOPE_EVENT ? "this visit" :
	    "this casebook", by.locked_by, by.locked_at);
	lock_row_clear(&by);
	return cs;
}

crf_status
store_form_locked(store *st, const form_key *key, bool *locked, lock_row *by,
    crf_err *err)
{
	crf_status cs;
	int rc;

	*locked = false;
	if (by != NULL)
		memset(by, 0, sizeof *by);
	if ((cs = store_begin_read(st, err)) != CRF_OK)
		return cs;
	rc = lock_cover(st, key, locked, by);
	if (rc != SQLITE_OK) {
		cs = store_fail(st, rc, err);
		store_rollback(st);
		return cs;
	}
	return store_commit(st, err);
}

crf_status
store_lock(store *st, const signoff_target *t, crf_err *err)
{
	char *subject = NULL;
	form_key k;
	sqlite3_stmt *s;
	long long id;
	crf_status cs;
	int rc;

	if ((cs = target_check(t, err)) != CRF_OK)
		return cs;
	if ((cs = store_may(st, PERM_LOCK, err)) != CRF_OK)
		return cs;
	if ((cs = store_begin_write(st, err)) != CRF_OK)
		return cs;
	rc = subject_key(st, t->subject_id, &subject);
	if (rc == SQLITE_OK && subject == NULL) {
		store_rollback(st);
		return crf_fail(err, CRF_ENOENT, "there is no subject with id %lld",
		    t->subject_id);
	}
	if (rc == SQLITE_OK)
		rc = lock_exact(st, t, &id);
	if (rc == SQLITE_OK && id != 0) {
		store_rollback(st);
		free(subject);
		return crf_fail(err, CRF_EEXIST, "%s is locked already",
		    scope_words(t->scope));
	}
	if (rc == SQLITE_OK)
		rc = sg_stmt(st, SG_LOCK_PUT, &s);
	if (rc == SQLITE_OK)
		rc = bind_target(s, t, true);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 7, st->user);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 8, st->now_utc);
	if (rc == SQLITE_OK)
		rc = store_run(s);
	else
		store_reset(s);
	if (rc == SQLITE_OK) {
		audit_entry a = { .action = "lock", .subject = subject,
		    .key = target_audit_key(t, &k),
		    .new_value = signoff_scope_name(t->scope) };
		rc = audit_put(st, &a);
	}
	free(subject);
	if (rc != SQLITE_OK) {
		cs = store_fail(st, rc, err);
		store_rollback(st);
		return cs;
	}
	return store_commit(st, err);
}

crf_status
store_unlock(store *st, const signoff_target *t, const char *reason,
    crf_err *err)
{
	char *subject = NULL;
	form_key k;
	sqlite3_stmt *s;
	long long id = 0;
	crf_status cs;
	int rc;

	if ((cs = target_check(t, err)) != CRF_OK)
		return cs;
	if ((cs = store_may(st, PERM_UNLOCK, err)) != CRF_OK)
		return cs;
	if (str_blank(reason))
		return crf_fail(err, CRF_EINVAL, "unlocking needs a reason");
	if ((cs = store_begin_write(st, err)) != CRF_OK)
		return cs;
	rc = subject_key(st, t->subject_id, &subject);
	if (rc == SQLITE_OK)
		rc = lock_exact(st, t, &id);
	if (rc == SQLITE_OK && id == 0) {
		store_rollback(st);
		free(subject);
		return crf_fail(err, CRF_ENOENT, "%s is not locked%s",
		    scope_words(t->scope), t->scope == SCOPE_CASEBOOK ? "" :
		    " by a lock of its own (a visit or casebook lock is unlocked "
		    "there)");
	}
	if (rc == SQLITE_OK)
		rc = sg_stmt(st, SG_LOCK_END, &s);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 1, id);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 2, st->user);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 3, st->now_utc);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 4, reason);
	if (rc == SQLITE_OK)
		rc = store_run(s);
	else
		store_reset(s);
	if (rc == SQLITE_OK) {
		audit_entry a = { .action = "unlock", .subject = subject,
		    .key = target_audit_key(t, &k),
		    .old_value = signoff_scope_name(t->scope), .reason = reason };
		rc = audit_put(st, &a);
	}
	free(subject);
	if (rc != SQLITE_OK) {
		cs = store_fail(st, rc, err);
		store_rollback(st);
		return cs;
	}
	return store_commit(st, err);
}

static void
locks_release(void *rows, size_t n)
{
	lock_rows_free(rows, n);
}

crf_status
store_list_locks(store *st, long long subject_id, lock_row **rows, size_t *n,
    crf_err *err)
{
	sqlite3_stmt *s;
	int rc = sg_stmt(st, SG_LOCK_LIST, &s);

	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 1, subject_id);
	return store_collect(st, s, rc, sizeof **rows, lock_from_row, locks_release,
	    (void **)rows, n, err);
}

/* ---- Source data verification --------------------------------------------- */

static int
sdv_set(store *st, long long instance_id, const char *by, const char *at)
{
	sqlite3_stmt *s;
	int rc = sg_stmt(st, SG_SDV_SET, &s);

	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 1, instance_id);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 2, by);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 3, at);
	if (rc == SQLITE_OK)
		return store_run(s);
	store_reset(s);
	return rc;
}

crf_status
store_mark_verified(store *st, const form_key *key, crf_err *err)
{
	inst_state in;
	char *subject = NULL;
	crf_status cs;
	int rc;

	if (key == NULL || key->event == NULL || str_blank(key->form))
		return crf_fail(err, CRF_EINVAL, "no form was named");
	if ((cs = store_may(st, PERM_VERIFY, err)) != CRF_OK)
		return cs;
	if ((cs = store_begin_write(st, err)) != CRF_OK)
		return cs;
	rc = inst_get(st, key, &in);
	if (rc == SQLITE_OK)
		rc = subject_key(st, key->subject_id, &subject);
	if (rc != SQLITE_OK) {
		cs = store_fail(st, rc, err);
		goto fail;
	}
	if (in.id == 0 || in.status != FORM_COMPLETE) {
		cs = crf_fail(err, CRF_EINVAL, "only a complete form can be verified: "
		    "this one is %s", form_status_name((form_status)in.status));
		goto fail;
	}
	if (in.sdv_by != NULL) {
		cs = crf_fail(err, CRF_EEXIST, "this form was verified already (by %s, "
		    "%s)", in.sdv_by, in.sdv_at);
		goto fail;
	}
	if ((cs = signoff_check_unlocked(st, key, err)) != CRF_OK)
		goto fail;
	rc = sdv_set(st, in.id, st->user, st->now_utc);
	if (rc == SQLITE_OK) {
		audit_entry a = { .action = "sdv", .subject = subject, .key = key,
		    .new_value = "verified" };
		rc = audit_put(st, &a);
	}
	if (rc != SQLITE_OK) {
		cs = store_fail(st, rc, err);
		goto fail;
	}
	inst_clear(&in);
	free(subject);
	return store_commit(st, err);
fail:
	store_rollback(st);
	inst_clear(&in);
	free(subject);
	return cs;
}

int
signoff_sdv_changed(store *st, const inst_state *in, const form_key *key,
    const char *subject, const char *reason)
{
	int rc = sdv_set(st, in->id, NULL, NULL);

	if (rc == SQLITE_OK) {
		audit_entry a = { .action = "sdv-clear", .subject = subject,
		    .key = key, .old_value = "verified",
		    .reason = str_blank(reason) ? "changed after verification" :
		    reason };
		rc = audit_put(st, &a);
	}
	return rc;
}

/* ---- Verification ------------------------------------------------------------ */

/* "TJ01-0001 scr/1 dm/1" for the first five columns of a row (event and
 * form may be NULL). */
static char *
target_where(sqlite3_stmt *s)
{
	const char *ev = (const char *)sqlite3_column_text(s, 1);
	const char *fm = (const char *)sqlite3_column_text(s, 3);

	if (ev == NULL)
		return xasprintf("%s (casebook)", sqlite3_column_text(s, 0));
	if (fm == NULL)
		return xasprintf("%s %s/%d (visit)", sqlite3_column_text(s, 0),
		    *ev ? ev : "logs", sqlite3_column_int(s, 2));
	return xasprintf("%s %s/%d %s/%d", sqlite3_column_text(s, 0),
	    *ev ? ev : "logs", sqlite3_column_int(s, 2), fm,
	    sqlite3_column_int(s, 4));
}

int
signoff_verify(store *st, audit_report *out)
{
	sqlite3_stmt *s;
	int rc = sg_stmt(st, SG_VERIFY_SDV, &s);

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		char *where = target_where(s);
		const char *by = (const char *)sqlite3_column_text(s, 5);

		audit_report_add(out, AUDIT_REVIEW_DIFFERS, 0,
		    sqlite3_column_int64(s, 6), "form %s is %s but the audit trail "
		    "says %s", where, by ? "marked source-data verified" :
		    "not marked verified", sqlite3_column_type(s, 6) == SQLITE_NULL ?
		    "nothing of it" : str_eq((const char *)sqlite3_column_text(s, 7),
		    "sdv") ? "it was verified" : "its verification was cleared");
		free(where);
		rc = SQLITE_OK;
	}
	store_reset(s);
	if (rc != SQLITE_DONE)
		return rc;
	rc = sg_stmt(st, SG_VERIFY_LOCKS, &s);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		char *where = target_where(s);
		int active = sqlite3_column_int(s, 5);

		audit_report_add(out, AUDIT_REVIEW_DIFFERS, 0,
		    sqlite3_column_int64(s, 6), "%s has %d lock%s in force but the "
		    "audit trail says it is %s", where, active, active == 1 ? "" : "s",
		    str_eq((const char *)sqlite3_column_text(s, 7), "lock") ?
		    "locked once" : "not locked");
		free(where);
		rc = SQLITE_OK;
	}
	store_reset(s);
	if (rc != SQLITE_DONE)
		return rc;
	rc = sg_stmt(st, SG_VERIFY_SIGNATURES, &s);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (sqlite3_column_type(s, 0) != SQLITE_NULL)
			audit_report_add(out, AUDIT_REVIEW_DIFFERS, 0,
			    sqlite3_column_int64(s, 2), "signature %lld of %s does not "
			    "match its audit row (seq %lld): it was changed outside crf",
			    sqlite3_column_int64(s, 0), sqlite3_column_text(s, 1),
			    sqlite3_column_int64(s, 2));
		else
			audit_report_add(out, AUDIT_REVIEW_DIFFERS, 0,
			    sqlite3_column_int64(s, 2), "the signature of %s recorded in "
			    "the audit trail (seq %lld) is gone", sqlite3_column_text(s, 1),
			    sqlite3_column_int64(s, 2));
		rc = SQLITE_OK;
	}
	store_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}
