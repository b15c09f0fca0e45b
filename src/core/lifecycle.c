/*
 * lifecycle.c - a subject's life in the study (lifecycle.h), on the site
 * database's connection (store_impl.h).  The subject table keeps the
 * current state, study number, status date and reason; the audit trail
 * keeps every move ("subject-status", "status-date", "study-number").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crf/date.h"
#include "crf/lifecycle.h"
#include "crf/util.h"
#include "store_impl.h"

enum lifecycle_sql {
	LC_GET,
	LC_NEXT_NO,
	LC_SET,
	LC_VERIFY,
	LC_COUNT
};
_Static_assert((int)LC_COUNT <= (int)STORE_SLOTS - (int)STORE_SLOTS_LIFECYCLE,
    "lifecycle.c has too many statements");

/* The latest audit row of subject s among the given actions. */
#define LATEST(ACTIONS) "(SELECT max(a.seq) FROM audit AS a" \
	" WHERE a.subject = s.key AND a.action IN " ACTIONS ")"

static const char *const lifecycle_sql[LC_COUNT] = {
	[LC_GET] = "SELECT key, status, substr(created_at, 1, 10) FROM subject"
	    " WHERE id = ?1",
	/* The next study number: one more than the highest given (they are
	 * never reused; the subject rows are never deleted). */
	[LC_NEXT_NO] = "INSERT INTO counter (name, value) VALUES ('study', 1)"
	    " ON CONFLICT (name) DO UPDATE SET value = value + 1"
	    " RETURNING value",
	[LC_SET] = "UPDATE subject SET status = ?2, status_date = ?3,"
	    " status_reason = ?4, study_no = coalesce(?5, study_no) WHERE id = ?1",
	/* Subjects whose state, study number or status date differ from the
	 * latest rows of the trail ("subject" gives the first state). */
	[LC_VERIFY] = "SELECT s.key, s.status, st.new_value, st.seq,"
	    " s.study_no, sn.new_value, s.status_date, sd.new_value"
	    " FROM subject AS s"
	    " LEFT JOIN audit AS st ON st.seq = " LATEST("('subject', 'subject-status')")
	    " LEFT JOIN audit AS sn ON sn.seq = " LATEST("('study-number')")
	    " LEFT JOIN audit AS sd ON sd.seq = " LATEST("('status-date')")
	    " WHERE st.seq IS NULL OR s.status IS NOT st.new_value"
	    " OR s.study_no IS NOT sn.new_value OR s.status_date IS NOT sd.new_value"
	    " ORDER BY s.key",
};

static int
lc_stmt(store *st, enum lifecycle_sql id, sqlite3_stmt **out)
{
	return store_stmt_sql(st, STORE_SLOTS_LIFECYCLE + (int)id,
	    lifecycle_sql[id], out);
}

/* Every state of a subject: the one list of them (lifecycle.h), in the
 * order of the enum. */
static const struct {
	const char *name;       /* as stored */
	const char *title;      /* for people, opening a line */
	const char *word;       /* for people, within a line */
	const char *glyph;      /* one column, UTF-8 */
	const char *ascii;      /* the glyph in ASCII */
	bool active;            /* follows the schedule: visits fall due */
} states[SUBJ_STATE_COUNT] = {
	[SUBJ_SCREENING] = { "screening", "Screening", "screening", "○", "o", true },
	[SUBJ_ENROLLED] = { "enrolled", "Enrolled", "enrolled", "●", "*", true },
	[SUBJ_SCREEN_FAILURE] = { "screen_failure", "Screen failure", "screen failure",
	    "✗", "x", false },
	[SUBJ_WITHDRAWN] = { "withdrawn", "Withdrawn", "withdrawn", "⊘", "/", false },
	[SUBJ_COMPLETED] = { "completed", "Completed", "completed", "✓", "+", false },
	[SUBJ_DIED] = { "died", "Died", "died", "†", "#", false },
};

static const struct {
	const char *title;
	perm_action perm;
	subject_state from, to;
	bool reason;
} changes[SUBJECT_CHANGE_COUNT] = {
	[SUBJECT_ENROL] = { "Enrol", PERM_ENROL, SUBJ_SCREENING, SUBJ_ENROLLED, false },
	[SUBJECT_SCREEN_FAIL] = { "Screen failure", PERM_SCREEN_FAIL, SUBJ_SCREENING,
	    SUBJ_SCREEN_FAILURE, true },
	[SUBJECT_WITHDRAW] = { "Withdraw", PERM_WITHDRAW, SUBJ_ENROLLED, SUBJ_WITHDRAWN,
	    true },
	[SUBJECT_COMPLETE] = { "Completed the study", PERM_END_STUDY, SUBJ_ENROLLED,
	    SUBJ_COMPLETED, false },
	[SUBJECT_DEATH] = { "Death", PERM_RECORD_DEATH, SUBJ_ENROLLED, SUBJ_DIED, true },
};

static bool
state_valid(subject_state s)
{
	return (int)s >= 0 && s < SUBJ_STATE_COUNT;
}

static bool
change_valid(subject_change c)
{
	return (int)c >= 0 && c < SUBJECT_CHANGE_COUNT;
}

const char *
subject_state_name(subject_state s)
{
	return state_valid(s) ? states[s].name : "";
}

const char *
subject_state_title(subject_state s)
{
	return state_valid(s) ? states[s].title : "Unknown";
}

const char *
subject_state_word(subject_state s)
{
	return state_valid(s) ? states[s].word : "";
}

const char *
subject_state_glyph(subject_state s, bool utf8)
{
	if (!state_valid(s))
		return "?";
	return utf8 ? states[s].glyph : states[s].ascii;
}

bool
subject_state_from_name(const char *name, subject_state *out)
{
	for (int i = 0; i < SUBJ_STATE_COUNT; i++)
		if (str_eq(name, states[i].name)) {
			*out = (subject_state)i;
			return true;
		}
	return false;
}

const char *
subject_status_word(const char *status)
{
	subject_state s;

	if (subject_state_from_name(status, &s))
		return states[s].word;
	return status ? status : "";
}

const char *
subject_status_glyph(const char *status, bool utf8)
{
	subject_state s;

	if (!subject_state_from_name(status, &s))
		return "?";
	return subject_state_glyph(s, utf8);
}

bool
subject_status_active(const char *status)
{
	subject_state s;

	return subject_state_from_name(status, &s) && states[s].active;
}

const char *
subject_change_title(subject_change c)
{
	return change_valid(c) ? changes[c].title : "";
}

perm_action
subject_change_perm(subject_change c)
{
	return change_valid(c) ? changes[c].perm : PERM_MANAGE_USERS;
}

subject_state
subject_change_target(subject_change c)
{
	return change_valid(c) ? changes[c].to : SUBJ_SCREENING;
}

bool
subject_change_allowed(subject_change c, subject_state from)
{
	return change_valid(c) && changes[c].from == from;
}

bool
subject_change_needs_reason(subject_change c)
{
	return change_valid(c) && changes[c].reason;
}

/* "2027-03-01" as a complete date that is not after today and not before
 * `earliest` (a date text, may be NULL). */
static crf_status
check_date(const char *date, const char *earliest, crf_err *err)
{
	crf_date d, today = clock_today(), first;

	if (str_blank(date) || !date_parse_iso(date, false, &d) ||
	    date_precision(d) != DATE_DAY)
		return crf_fail(err, CRF_EINVAL, "the date must be a whole date "
		    "(YYYY-MM-DD), not '%s'", date ? date : "");
	if (date_cmp(d, today) > 0)
		return crf_fail(err, CRF_EINVAL, "the date %s is in the future", date);
	if (earliest != NULL && date_parse_iso(earliest, false, &first) &&
	    date_cmp(d, first) < 0)
		return crf_fail(err, CRF_EINVAL, "the date %s is before the subject's "
		    "screening began (%s)", date, earliest);
	return CRF_OK;
}

crf_status
store_change_subject(store *st, long long subject_id, subject_change what,
    const char *date, const char *reason, char **study_no, crf_err *err)
{
	char *key = NULL, *status = NULL, *created = NULL, *number = NULL;
	subject_state from;
	sqlite3_stmt *s;
	crf_status cs;
	int rc;

	if (study_no != NULL)
		*study_no = NULL;
	if (!change_valid(what))
		return crf_fail(err, CRF_EINVAL, "unknown change of a subject's state");
	if ((cs = store_may(st, changes[what].perm, err)) != CRF_OK)
		return cs;
	if (changes[what].reason && str_blank(reason))
		return crf_fail(err, CRF_EINVAL, "%s needs a reason",
		    what == SUBJECT_DEATH ? "recording a death" :
		    what == SUBJECT_WITHDRAW ? "a withdrawal" : "a screen failure");
	if ((cs = store_begin_write(st, err)) != CRF_OK)
		return cs;
	rc = lc_stmt(st, LC_GET, &s);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 1, subject_id);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		key = col_text(s, 0);
		status = col_text(s, 1);
		created = col_text(s, 2);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	}
	store_reset(s);
	if (rc != SQLITE_OK) {
		cs = store_fail(st, rc, err);
		goto out;
	}
	if (key == NULL) {
		cs = crf_fail(err, CRF_ENOENT, "there is no subject with id %lld",
		    subject_id);
		goto out;
	}
	if (!subject_state_from_name(status, &from))
		from = SUBJ_STATE_COUNT;
	if (!subject_change_allowed(what, from)) {
		cs = crf_fail(err, CRF_EINVAL, "%s is %s: %s is not possible now",
		    key, state_valid(from) ? states[from].title : status,
		    what == SUBJECT_ENROL ? "enrolment" :
		    what == SUBJECT_SCREEN_FAIL ? "a screen failure" :
		    what == SUBJECT_WITHDRAW ? "withdrawal" :
		    what == SUBJECT_COMPLETE ? "completion" : "recording a death");
		goto out;
	}
	if ((cs = check_date(date, created, err)) != CRF_OK)
		goto out;
	if (what == SUBJECT_ENROL) {
		rc = lc_stmt(st, LC_NEXT_NO, &s);
		if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
			number = xasprintf("%s-E%03lld", st->site_code,
			    sqlite3_column_int64(s, 0));
			rc = sqlite3_step(s);
		}
		store_reset(s);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	if (rc == SQLITE_OK)
		rc = lc_stmt(st, LC_SET, &s);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 1, subject_id);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 2, states[changes[what].to].name);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 3, date);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 4, str_blank(reason) ? NULL : reason);
	if (rc == SQLITE_OK)
		rc = bind_text(s, 5, number);
	if (rc == SQLITE_OK)
		rc = store_run(s);
	else
		store_reset(s);
	if (rc == SQLITE_OK) {
		audit_entry a = { .action = "subject-status", .subject = key,
		    .old_value = status, .new_value = states[changes[what].to].name,
		    .reason = reason };
		rc = audit_put(st, &a);
	}
	if (rc == SQLITE_OK) {
		audit_entry a = { .action = "status-date", .subject = key,
		    .new_value = date };
		rc = audit_put(st, &a);
	}
	if (rc == SQLITE_OK && number != NULL) {
		audit_entry a = { .action = "study-number", .subject = key,
		    .new_value = number };
		rc = audit_put(st, &a);
	}
	if (rc != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_CONSTRAINT)
			cs = crf_fail(err, CRF_EEXIST, "the study number %s is taken",
			    number);
		else
			cs = store_fail(st, rc, err);
		goto out;
	}
	cs = store_commit(st, err);
	if (cs == CRF_OK && study_no != NULL) {
		*study_no = number;
		number = NULL;
	}
	free(key);
	free(status);
	free(created);
	free(number);
	return cs;
out:
	store_rollback(st);
	free(key);
	free(status);
	free(created);
	free(number);
	return cs;
}

int
lifecycle_verify(store *st, audit_report *out)
{
	sqlite3_stmt *s;
	int rc = lc_stmt(st, LC_VERIFY, &s);

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(s, 0);
		const char *status = (const char *)sqlite3_column_text(s, 1);
		const char *said = (const char *)sqlite3_column_text(s, 2);
		const char *no = (const char *)sqlite3_column_text(s, 4);
		const char *said_no = (const char *)sqlite3_column_text(s, 5);
		const char *date = (const char *)sqlite3_column_text(s, 6);
		const char *said_date = (const char *)sqlite3_column_text(s, 7);
		long long seq = sqlite3_column_int64(s, 3);

		if (sqlite3_column_type(s, 3) == SQLITE_NULL)
			audit_report_add(out, AUDIT_REVIEW_DIFFERS, 0, 0, "subject %s is "
			    "%s but the audit trail has no record of it", key, status);
		else if (!str_eq(status, said))
			audit_report_add(out, AUDIT_REVIEW_DIFFERS, 0, seq, "subject %s "
			    "is %s but the audit trail says %s (seq %lld)", key, status,
			    said, seq);
		if (!str_eq(no, said_no))
			audit_report_add(out, AUDIT_REVIEW_DIFFERS, 0, 0, "subject %s has "
			    "study number %s but the audit trail says %s", key,
			    no ? no : "(none)", said_no ? said_no : "(none)");
		if (!str_eq(date, said_date))
			audit_report_add(out, AUDIT_REVIEW_DIFFERS, 0, 0, "subject %s has "
			    "status date %s but the audit trail says %s", key,
			    date ? date : "(none)", said_date ? said_date : "(none)");
		rc = SQLITE_OK;
	}
	store_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}
