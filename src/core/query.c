/*
 * query.c - queries on data and their messages (query.h), on the site
 * database's own connection (store_impl.h).
 *
 * Tables (schema version 4, see the migrations in store.c):
 *   data_query     one row per query: where it points, its state, who
 *                  raised it and when, when it last moved.  Never deleted
 *                  (trigger); only state and updated_at change.
 *   query_message  one row per step (raise, answer, close, reopen): who,
 *                  when, the text.  Never changed or deleted (triggers).
 * A query's state is always the outcome of its last message: raise and
 * reopen give open, answer gives answered, close gives closed.  Each step
 * writes its message, the new state and an audit row in one transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crf/date.h"
#include "crf/query.h"
#include "crf/util.h"
#include "store_impl.h"

enum query_sql {
	QY_INST,
	QY_PUT,
	QY_MSG_PUT,
	QY_SET,
	QY_GET,
	QY_LIST,
	QY_MSGS,
	QY_OPEN_AUTO,
	QY_COUNTS,
	QY_VERIFY_STATE,
	QY_VERIFY_TRAIL,
	QY_COUNT
};
_Static_assert((int)QY_COUNT <= (int)STORE_SLOTS_LIFECYCLE - (int)STORE_SLOTS_QUERY,
    "query.c has too many statements");

/* A query with its subject key, first and last message, message count. */
#define QUERY_COLS "q.id, s.key, q.subject_id, q.event, q.event_repeat," \
	" q.form, q.form_repeat, q.field, q.state, q.automatic, q.raised_by," \
	" q.raised_at, q.updated_at," \
	" (SELECT text FROM query_message WHERE query_id = q.id AND n = 1)," \
	" (SELECT text FROM query_message WHERE query_id = q.id" \
	"  ORDER BY n DESC LIMIT 1)," \
	" (SELECT user FROM query_message WHERE query_id = q.id" \
	"  ORDER BY n DESC LIMIT 1)," \
	" (SELECT count(*) FROM query_message WHERE query_id = q.id)" \
	" FROM data_query AS q JOIN subject AS s ON s.id = q.subject_id"

static const char *const query_sql[QY_COUNT] = {
	[QY_INST] = "SELECT id FROM form_instance WHERE subject_id = ?1"
	    " AND event = ?2 AND event_repeat = ?3 AND form = ?4"
	    " AND form_repeat = ?5",
	[QY_PUT] = "INSERT INTO data_query (subject_id, event, event_repeat,"
	    " form, form_repeat, field, state, automatic, raised_by, raised_at,"
	    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7, ?8, ?9, ?9)",
	[QY_MSG_PUT] = "INSERT INTO query_message (query_id, n, action, user, at,"
	    " tz_offset, text) VALUES (?1, (SELECT 1 + count(*) FROM query_message"
	    " WHERE query_id = ?1), ?2, ?3, ?4, ?5, ?6)",
	[QY_SET] = "UPDATE data_query SET state = ?2, updated_at = ?3 WHERE id = ?1",
	[QY_GET] = "SELECT " QUERY_COLS " WHERE q.id = ?1",
	[QY_LIST] = "SELECT " QUERY_COLS
	    " WHERE (?1 IS NULL OR s.key = ?1)"
	    " AND (?2 IS NULL OR (q.event = ?2 AND q.event_repeat = ?3))"
	    " AND (?4 IS NULL OR (q.form = ?4 AND q.form_repeat = ?5))"
	    " AND (?6 IS NULL OR q.field = ?6)"
	    " AND (?7 = 0 OR (?7 >> (CASE q.state WHEN 'open' THEN 0"
	    "  WHEN 'answered' THEN 1 ELSE 2 END)) & 1)"
	    " AND (?8 IS NULL OR q.raised_at <= ?8)"
	    " ORDER BY s.key, q.event, q.event_repeat, q.form, q.form_repeat,"
	    " q.field, q.id",
	[QY_MSGS] = "SELECT m.action, m.user, (SELECT full_name FROM account"
	    " WHERE login = m.user), m.at, m.tz_offset, m.text"
	    " FROM query_message AS m WHERE m.query_id = ?1 ORDER BY m.n",
	[QY_OPEN_AUTO] = "SELECT 1 FROM data_query WHERE subject_id = ?1"
	    " AND event = ?2 AND event_repeat = ?3 AND form = ?4"
	    " AND form_repeat = ?5 AND field IS ?6 AND automatic = 1"
	    " AND state <> 'closed'",
	[QY_COUNTS] = "SELECT subject_id, sum(state = 'open'),"
	    " sum(state = 'answered') FROM data_query WHERE state <> 'closed'"
	    " GROUP BY subject_id ORDER BY subject_id",
	/* Queries whose state is not the outcome of their last message. */
	[QY_VERIFY_STATE] = "SELECT q.id, q.state, m.action FROM data_query AS q"
	    " LEFT JOIN query_message AS m ON m.query_id = q.id AND m.n ="
	    " (SELECT max(n) FROM query_message WHERE query_id = q.id)"
	    " WHERE m.action IS NULL OR q.state <> CASE m.action"
	    " WHEN 'answer' THEN 'answered' WHEN 'close' THEN 'closed'"
	    " ELSE 'open' END ORDER BY q.id",
	/* Places (subject, event, form, field) where the messages and the
	 * query-* rows of the trail do not agree in number. */
	[QY_VERIFY_TRAIL] = "WITH m (subject, event, er, form, fr, field, n) AS ("
	    " SELECT s.key, q.event, q.event_repeat, q.form, q.form_repeat, q.field,"
	    " count(*) FROM query_message AS g JOIN data_query AS q"
	    " ON q.id = g.query_id JOIN subject AS s ON s.id = q.subject_id"
	    " GROUP BY 1, 2, 3, 4, 5, 6),"
	    " a (subject, event, er, form, fr, field, n) AS ("
	    " SELECT subject, event, event_repeat, form, form_repeat, field,"
	    " count(*) FROM audit WHERE action IN ('query-raise', 'query-answer',"
	    " 'query-close', 'query-reopen') GROUP BY 1, 2, 3, 4, 5, 6)"
	    " SELECT m.subject, m.event, m.er, m.form, m.fr, m.field, m.n,"
	    " ifnull(a.n, 0) FROM m LEFT JOIN a ON a.subject = m.subject"
	    " AND a.event = m.event AND a.er = m.er AND a.form = m.form"
	    " AND a.fr = m.fr AND a.field IS m.field WHERE a.n IS NOT m.n"
	    " UNION ALL SELECT a.subject, a.event, a.er, a.form, a.fr, a.field, 0,"
	    " a.n FROM a WHERE NOT EXISTS (SELECT 1 FROM m WHERE m.subject ="
	    " a.subject AND m.event = a.event AND m.er = a.er AND m.form = a.form"
	    " AND m.fr = a.fr AND m.field IS a.field) ORDER BY 1, 2, 3, 4, 5, 6",
};

static int
qy_stmt(store *st, enum query_sql id, sqlite3_stmt **out)
{
	return store_stmt_sql(st, STORE_SLOTS_QUERY + (int)id, query_sql[id], out);
}

const char *
query_state_name(query_state s)
{
	switch (s) {
	case QUERY_OPEN: return "open";
	case QUERY_ANSWERED: return "answered";
	case QUERY_CLOSED: return "closed";
	}
	return "open";
}

bool
query_state_from_name(const char *name, query_state *out)
{
	for (int i = QUERY_OPEN; i <= QUERY_CLOSED; i++)
		if (str_eq(name, query_state_name((query_state)i))) {
			*out = (query_state)i;
			return true;
		}
	return false;
}

/* ---- Rows ------------------------------------------------------------------ */

void
query_row_clear(query_row *q)
{
	if (q == NULL)
		return;
	free(q->subject);
	free(q->event);
	free(q->form);
	free(q->field);
	free(q->raised_by);
	free(q->raised_at);
	free(q->updated_at);
	free(q->text);
	free(q->last_text);
	free(q->last_by);
	memset(q, 0, sizeof *q);
}

void
query_rows_free(query_row *rows, size_t n)
{
	for (size_t i = 0; rows != NULL && i < n; i++)
		query_row_clear(&rows[i]);
	free(rows);
}

static void
query_rows_release(void *rows, size_t n)
{
	query_rows_free(rows, n);
}

static void
query_from_row(sqlite3_stmt *s, void *row)
{
	query_row *q = row;

	memset(q, 0, sizeof *q);
	q->id = sqlite3_column_int64(s, 0);
	q->subject = col_text(s, 1);
	q->subject_id = sqlite3_column_int64(s, 2);
	q->event = col_text(s, 3);
	q->event_repeat = sqlite3_column_int(s, 4);
	q->form = col_text(s, 5);
	q->form_repeat = sqlite3_column_int(s, 6);
	q->field = col_text(s, 7);
	if (!query_state_from_name((const char *)sqlite3_column_text(s, 8),
	    &q->state))
		q->state = QUERY_OPEN;
	q->automatic = sqlite3_column_int(s, 9) != 0;
	q->raised_by = col_text(s, 10);
	q->raised_at = col_text(s, 11);
	q->updated_at = col_text(s, 12);
	q->text = col_text(s, 13);
	q->last_text = col_text(s, 14);
	q->last_by = col_text(s, 15);
	q->nmessages = sqlite3_column_int(s, 16);
}

void
query_messages_free(query_message *rows, size_t n)
{
	for (size_t i = 0; rows != NULL && i < n; i++) {
		free(rows[i].action);
		free(rows[i].user);
		free(rows[i].full_name);
		free(rows[i].at);
		free(rows[i].tz_offset);
		free(rows[i].text);
	}
	free(rows);
}

/* ---- Writing ---------------------------------------------------------------- */

/* Add message (action, text) to query id as the store's user. */
static int
message_put(store *st, long long id, const char *action, const char *text)
{
	sqlite3_stmt *s;
	int rc = qy_stmt(st, QY_MSG_PUT, &s);

	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 1, id);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 2, action);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 3, st->user);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 4, st->now_utc);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 5, st->now_off);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 6, str_blank(text) ? NULL : text);
	if (rc == SQLITE_OK)
		return store_run(s);
	store_reset(s);
	return rc;
}

/* Insert a new open query with its first message and audit row. */
static int
query_insert(store *st, const form_key *key, const char *subject,
    const char *field, const char *text, bool automatic, long long *id)
{
	sqlite3_stmt *s;
	int rc = qy_stmt(st, QY_PUT, &s);

	if (rc == SQLITE_OK)
		rc = bind_form_key(s, key, NULL);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 6, str_blank(field) ? NULL : field);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(s, 7, automatic ? 1 : 0);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 8, st->user);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 9, st->now_utc);
	if (rc == SQLITE_OK)
		rc = store_run(s);
	else
		store_reset(s);
	if (rc == SQLITE_OK)
		*id = sqlite3_last_insert_rowid(st->db);
	if (rc == SQLITE_OK)
		rc = message_put(st, *id, "raise", text);
	if (rc == SQLITE_OK) {
		audit_entry a = { .action = "query-raise", .subject = subject,
		    .key = key, .field = str_blank(field) ? NULL : field,
		    .new_value = "open", .reason = text };
		rc = audit_put(st, &a);
	}
	return rc;
}

crf_status
store_raise_query(store *st, const form_key *key, const char *field,
    const char *text, long long *id, crf_err *err)
{
	char *subject = NULL;
	sqlite3_stmt *s;
	long long qid = 0;
	bool saved = false;
	crf_status cs;
	int rc;

	if (id != NULL)
		*id = 0;
	if (key == NULL || key->event == NULL || str_blank(key->form))
		return crf_fail(err, CRF_EINVAL, "no form was named");
	if (str_blank(text))
		return crf_fail(err, CRF_EINVAL, "a query needs a text: what should "
		    "the site check?");
	if ((cs = store_may(st, PERM_RAISE_QUERY, err)) != CRF_OK)
		return cs;
	if ((cs = store_begin_write(st, err)) != CRF_OK)
		return cs;
	rc = subject_key(st, key->subject_id, &subject);
	if (rc == SQLITE_OK)
		rc = qy_stmt(st, QY_INST, &s);
	if (rc == SQLITE_OK)
		rc = bind_form_key(s, key, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		saved = true;
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	}
	store_reset(s);
	if (rc == SQLITE_OK && !saved) {
		store_rollback(st);
		free(subject);
		return crf_fail(err, CRF_ENOENT, "a query can only be raised on a "
		    "saved form: this one has never been saved");
	}
	if (rc == SQLITE_OK && (cs = signoff_check_unlocked(st, key, err)) != CRF_OK) {
		store_rollback(st);
		free(subject);
		return cs;
	}
	if (rc == SQLITE_OK)
		rc = query_insert(st, key, subject, field, text, false, &qid);
	free(subject);
	if (rc != SQLITE_OK) {
		cs = store_fail(st, rc, err);
		store_rollback(st);
		return cs;
	}
	cs = store_commit(st, err);
	if (cs == CRF_OK && id != NULL)
		*id = qid;
	return cs;
}

int
query_raise_auto(store *st, const form_key *key, const char *subject,
    const char *field, const char *text)
{
	sqlite3_stmt *s;
	bool open = false;
	long long id;
	char *saved;
	int rc = qy_stmt(st, QY_OPEN_AUTO, &s);

	if (rc == SQLITE_OK)
		rc = bind_form_key(s, key, NULL);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 6, str_blank(field) ? NULL : field);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		open = true;
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	}
	store_reset(s);
	if (rc != SQLITE_OK || open)
		return rc;
	saved = st->user;
	st->user = (char *)QUERY_AUTO_USER;
	rc = query_insert(st, key, subject, field, text, true, &id);
	st->user = saved;
	return rc;
}

/* Read query id inside the caller's transaction; *found false if none. */
static int
query_read(store *st, long long id, query_row *q, bool *found)
{
	sqlite3_stmt *s;
	int rc = qy_stmt(st, QY_GET, &s);

	*found = false;
	memset(q, 0, sizeof *q);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 1, id);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		query_from_row(s, q);
		*found = true;
		rc = SQLITE_OK;
	}
	store_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

bool
store_may_settle_query(const store *st, const query_row *q)
{
	if (!st->enforce)
		return true;
	if (!perm_allows(st->role, PERM_CLOSE_QUERY))
		return false;
	return st->role == ROLE_DATA_MANAGER || q->automatic ||
	    str_eq(q->raised_by, st->user);
}

/* One step of a query's life: from one of the states in `from` (bit per
 * state) to `to`, needing perm (and, settle, the raiser or a data
 * manager), with a message. */
static crf_status
query_step(store *st, long long id, unsigned from, query_state to,
    const char *action, perm_action perm, bool settle, const char *text,
    crf_err *err)
{
	char audit_action[32];
	query_row q;
	sqlite3_stmt *s;
	form_key key;
	bool found;
	crf_status cs;
	int rc;

	if ((cs = store_may(st, perm, err)) != CRF_OK)
		return cs;
	if ((cs = store_begin_write(st, err)) != CRF_OK)
		return cs;
	rc = query_read(st, id, &q, &found);
	if (rc != SQLITE_OK) {
		cs = store_fail(st, rc, err);
		goto fail;
	}
	if (!found) {
		cs = crf_fail(err, CRF_ENOENT, "there is no query %lld", id);
		goto fail;
	}
	if (!(from & (1u << q.state))) {
		cs = crf_fail(err, CRF_EINVAL, "query %lld is %s: it cannot be %s",
		    id, query_state_name(q.state), to == QUERY_ANSWERED ? "answered" :
		    to == QUERY_CLOSED ? "closed" : "reopened");
		goto fail;
	}
	if (settle && !store_may_settle_query(st, &q)) {
		cs = crf_fail(err, CRF_EDENIED, "only %s, who raised query %lld, or a "
		    "data manager can %s it", q.raised_by, id,
		    to == QUERY_CLOSED ? "close" : "reopen");
		goto fail;
	}
	key = (form_key){ q.subject_id, q.event, q.event_repeat, q.form,
	    q.form_repeat };
	if (to != QUERY_CLOSED &&
	    (cs = signoff_check_unlocked(st, &key, err)) != CRF_OK)
		goto fail;
	rc = message_put(st, id, action, text);
	if (rc == SQLITE_OK)
		rc = qy_stmt(st, QY_SET, &s);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 1, id);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 2, query_state_name(to));
	if (rc == SQLITE_OK)
		rc = bind_text(s, 3, st->now_utc);
	if (rc == SQLITE_OK)
		rc = store_run(s);
	else
		store_reset(s);
	if (rc == SQLITE_OK) {
		audit_entry a = { .action = audit_action, .subject = q.subject,
		    .key = &key, .field = q.field,
		    .old_value = query_state_name(q.state),
		    .new_value = query_state_name(to), .reason = text };
		snprintf(audit_action, sizeof audit_action, "query-%s", action);
		rc = audit_put(st, &a);
	}
	if (rc != SQLITE_OK) {
		cs = store_fail(st, rc, err);
		goto fail;
	}
	query_row_clear(&q);
	return store_commit(st, err);
fail:
	store_rollback(st);
	query_row_clear(&q);
	return cs;
}

crf_status
store_answer_query(store *st, long long id, const char *text, crf_err *err)
{
	if (str_blank(text))
		return crf_fail(err, CRF_EINVAL, "an answer needs a text");
	return query_step(st, id, 1u << QUERY_OPEN, QUERY_ANSWERED, "answer",
	    PERM_ANSWER_QUERY, false, text, err);
}

crf_status
store_close_query(store *st, long long id, const char *text, crf_err *err)
{
	return query_step(st, id, 1u << QUERY_OPEN | 1u << QUERY_ANSWERED,
	    QUERY_CLOSED, "close", PERM_CLOSE_QUERY, true, text, err);
}

crf_status
store_reopen_query(store *st, long long id, const char *text, crf_err *err)
{
	if (str_blank(text))
		return crf_fail(err, CRF_EINVAL, "reopening needs a text: what is "
		    "still wrong?");
	return query_step(st, id, 1u << QUERY_ANSWERED | 1u << QUERY_CLOSED,
	    QUERY_OPEN, "reopen", PERM_CLOSE_QUERY, true, text, err);
}

/* ---- Reading ------------------------------------------------------------------ */

crf_status
store_get_query(store *st, long long id, query_row *out, crf_err *err)
{
	bool found;
	int rc = query_read(st, id, out, &found);

	if (rc != SQLITE_OK)
		return store_fail(st, rc, err);
	if (!found)
		return crf_fail(err, CRF_ENOENT, "there is no query %lld", id);
	return CRF_OK;
}

crf_status
store_list_queries(store *st, const query_filter *f, query_row **rows,
    size_t *n, crf_err *err)
{
	query_filter none = { 0 };
	char before[32], off[16];
	sqlite3_stmt *s;
	int rc = qy_stmt(st, QY_LIST, &s);

	if (f == NULL)
		f = &none;
	if (rc == SQLITE_OK)
		rc = bind_text(s, 1, f->subject);
	if (rc == SQLITE_OK && f->subject != NULL && f->event != NULL) {
		rc = bind_text(s, 2, f->event);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int(s, 3, f->event_repeat);
		if (rc == SQLITE_OK && f->form != NULL) {
			rc = bind_text(s, 4, f->form);
			if (rc == SQLITE_OK)
				rc = sqlite3_bind_int(s, 5, f->form_repeat);
			if (rc == SQLITE_OK && f->field != NULL)
				rc = bind_text(s, 6, f->field);
		}
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(s, 7, (int)(f->states & 7u));
	if (rc == SQLITE_OK && f->min_age_days > 0) {
		clock_stamp(clock_now() - (time_t)f->min_age_days * 86400, before,
		    sizeof before, off, sizeof off);
		rc = bind_text(s, 8, before);
	}
	return store_collect(st, s, rc, sizeof **rows, query_from_row,
	    query_rows_release, (void **)rows, n, err);
}

static void
message_from_row(sqlite3_stmt *s, void *row)
{
	query_message *m = row;

	m->action = col_text(s, 0);
	m->user = col_text(s, 1);
	m->full_name = col_text(s, 2);
	m->at = col_text(s, 3);
	m->tz_offset = col_text(s, 4);
	m->text = col_text(s, 5);
}

static void
messages_release(void *rows, size_t n)
{
	query_messages_free(rows, n);
}

crf_status
store_query_messages(store *st, long long id, query_message **rows, size_t *n,
    crf_err *err)
{
	sqlite3_stmt *s;
	int rc = qy_stmt(st, QY_MSGS, &s);

	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 1, id);
	return store_collect(st, s, rc, sizeof **rows, message_from_row,
	    messages_release, (void **)rows, n, err);
}

static void
count_from_row(sqlite3_stmt *s, void *row)
{
	query_count *c = row;

	c->subject_id = sqlite3_column_int64(s, 0);
	c->open = sqlite3_column_int(s, 1);
	c->answered = sqlite3_column_int(s, 2);
}

static void
counts_release(void *rows, size_t n)
{
	(void)n;
	free(rows);
}

crf_status
store_count_queries(store *st, query_count **counts, size_t *n, crf_err *err)
{
	sqlite3_stmt *s;
	int rc = qy_stmt(st, QY_COUNTS, &s);

	return store_collect(st, s, rc, sizeof **counts, count_from_row,
	    counts_release, (void **)counts, n, err);
}

/* ---- Verification ------------------------------------------------------------ */

int
query_verify(store *st, audit_report *out)
{
	sqlite3_stmt *s;
	int rc = qy_stmt(st, QY_VERIFY_STATE, &s);

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *last = (const char *)sqlite3_column_text(s, 2);

		audit_report_add(out, AUDIT_REVIEW_DIFFERS, 0, 0, "query %lld is %s "
		    "but %s", sqlite3_column_int64(s, 0), sqlite3_column_text(s, 1),
		    last == NULL ? "it has no messages" : "its last message says "
		    "otherwise: it was changed outside crf");
		rc = SQLITE_OK;
	}
	store_reset(s);
	if (rc != SQLITE_DONE)
		return rc;
	rc = qy_stmt(st, QY_VERIFY_TRAIL, &s);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *ev = (const char *)sqlite3_column_text(s, 1);
		const char *field = (const char *)sqlite3_column_text(s, 5);

		audit_report_add(out, AUDIT_REVIEW_DIFFERS, 0, 0, "the queries on %s "
		    "%s/%d %s/%d%s%s have %d message%s but the audit trail records "
		    "%d", sqlite3_column_text(s, 0), ev && *ev ? ev : "logs",
		    sqlite3_column_int(s, 2), sqlite3_column_text(s, 3),
		    sqlite3_column_int(s, 4), field ? " " : "", field ? field : "",
		    sqlite3_column_int(s, 6), sqlite3_column_int(s, 6) == 1 ? "" : "s",
		    sqlite3_column_int(s, 7));
		rc = SQLITE_OK;
	}
	store_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}
