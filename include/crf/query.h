/*
 * query.h - queries (discrepancy notes): a question about one value,
 * or about a whole form, between the people who check the data and the
 * site that entered it.
 *
 * The life of a query:
 *
 *              raise (monitor, data manager; or crf itself for a
 *                |    soft value when auto_queries is on)
 *                v
 *      +----->  OPEN  ---- answer (research nurse, investigator) ---+
 *      |         |                                                  |
 *      |         | close (the raiser or a data manager)             v
 *      |         v                                              ANSWERED
 *      |       CLOSED <---- close (the raiser or a data manager) ---+
 *      |         |                                                  |
 *      +---------+------- reopen, with a text (the same people) ----+
 *
 * Who may move a query is the permission table (perm.h: raise, answer,
 * close queries); closing and reopening are further kept to the person
 * who raised the query or a data manager (any monitor or data manager
 * for the automatic ones).  Every step adds a message (who, when, text)
 * and an audit row ("query-raise", "query-answer", "query-close",
 * "query-reopen": old and new state, the text as reason) in the same
 * transaction.  Queries and their messages are never changed or deleted.
 * Answering may go with a change of the value: that is an ordinary save
 * of the form, with its reason for change.
 */
#ifndef CRF_QUERY_H
#define CRF_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "crf/status.h"
#include "crf/store.h"

typedef enum query_state {
	QUERY_OPEN = 0,
	QUERY_ANSWERED = 1,
	QUERY_CLOSED = 2
} query_state;

/* "open", "answered", "closed" (as stored). */
const char *query_state_name(query_state s);
/* The state of a name; false when it is none of them. */
bool query_state_from_name(const char *name, query_state *out);

/* The login that raises automatic queries. */
#define QUERY_AUTO_USER "crf"

typedef struct query_row {
	long long id;
	char *subject;         /* subject key */
	long long subject_id;
	char *event;
	int event_repeat;
	char *form;
	int form_repeat;
	char *field;           /* NULL: about the whole form */
	query_state state;
	bool automatic;
	char *raised_by;
	char *raised_at;       /* UTC ISO 8601 */
	char *updated_at;      /* last message */
	char *text;            /* the raising text */
	char *last_text;       /* the latest message's text */
	char *last_by;         /* and who wrote it */
	int nmessages;
} query_row;

typedef struct query_message {
	char *action;          /* "raise", "answer", "close", "reopen" */
	char *user;
	char *full_name;       /* NULL when unknown (crf's own) */
	char *at;              /* UTC ISO 8601 */
	char *tz_offset;
	char *text;
} query_message;

/* Raise a query on field (NULL: the whole form) of a saved form instance
 * (PERM_RAISE_QUERY; text required).  *id (may be NULL) receives its
 * number.  CRF_ENOENT if the form was never saved, CRF_ELOCKED if it is
 * locked. */
crf_status store_raise_query(store *st, const form_key *key, const char *field,
    const char *text, long long *id, crf_err *err);

/* open -> answered (PERM_ANSWER_QUERY; text required). */
crf_status store_answer_query(store *st, long long id, const char *text,
    crf_err *err);

/* open or answered -> closed (PERM_CLOSE_QUERY, the raiser or a data
 * manager; text may be NULL). */
crf_status store_close_query(store *st, long long id, const char *text,
    crf_err *err);

/* answered or closed -> open (PERM_CLOSE_QUERY, the raiser or a data
 * manager; text required: what is still wrong). */
crf_status store_reopen_query(store *st, long long id, const char *text,
    crf_err *err);

/* Which queries to list; zero/NULL members do not filter. */
typedef struct query_filter {
	const char *subject;   /* subject key, exactly */
	const char *event;     /* with subject: one event ... */
	int event_repeat;
	const char *form;      /* ... or one form instance */
	int form_repeat;
	const char *field;     /* with form: one field */
	unsigned states;       /* bit (1 << state) per state wanted; 0: all */
	int min_age_days;      /* raised at least this many days ago */
} query_filter;

/* Queries matching f (NULL: all), by subject, event, form, field, id. */
crf_status store_list_queries(store *st, const query_filter *f,
    query_row **rows, size_t *n, crf_err *err);
void query_rows_free(query_row *rows, size_t n);

/* One query by number; CRF_ENOENT when there is none. */
crf_status store_get_query(store *st, long long id, query_row *out,
    crf_err *err);
void query_row_clear(query_row *q);

/* The messages of a query, oldest first. */
crf_status store_query_messages(store *st, long long id,
    query_message **rows, size_t *n, crf_err *err);
void query_messages_free(query_message *rows, size_t n);

/* Queries not yet closed (open or answered) per subject id: *counts has
 * one entry per subject with any, sorted by subject id. */
typedef struct query_count {
	long long subject_id;
	int open;              /* waiting for the site */
	int answered;          /* waiting for the raiser */
} query_count;
crf_status store_count_queries(store *st, query_count **counts, size_t *n,
    crf_err *err);

/* May the signed-in person close or reopen q?  (the raiser, a data
 * manager, any monitor or data manager for automatic ones; always true
 * outside a signed-in session). */
bool store_may_settle_query(const store *st, const query_row *q);

#endif
