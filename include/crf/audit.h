/*
 * audit.h - the audit trail's hash chain, its verification and its text.
 *
 * Nothing here touches the database: the store (store.c) reads and writes
 * the rows and feeds them to these functions, so that writing a row,
 * chaining the rows of an old database and verifying the trail all use
 * the one definition of a row's canonical bytes below.
 *
 * THE CANONICAL ENCODING OF AN AUDIT ROW (format "crf-audit-1")
 *
 * A row's hash is BLAKE2b with a 32-byte output and no key (libsodium
 * crypto_generichash), written as 64 lower-case hexadecimal digits, of the
 * concatenation of these 19 fields, in this order:
 *
 *     1  the text "crf-audit-1" (the format of the encoding)
 *     2  the previous row's hash column exactly as stored (the row with the
 *        next lower seq); NULL for the first row of the trail
 *     3  seq            4  ts_utc         5  tz_offset      6  user
 *     7  action         8  subject        9  event         10  event_repeat
 *    11  form          12  form_repeat   13  field         14  old_value
 *    15  old_missing   16  new_value     17  new_missing   18  reason
 *    19  clock_back
 *
 * Each field is encoded as either
 *
 *     NULL:  the one byte 0x00
 *     text:  the byte 0x01, the length of the text in bytes as an 8-byte
 *            big-endian unsigned integer, then the text's bytes (UTF-8,
 *            exactly as stored, no terminating NUL)
 *
 * so NULL and the empty text ("\x01" and eight zero bytes) differ, and no
 * two different rows have the same bytes.  Integer columns (seq, the two
 * repeat numbers, clock_back) are encoded as the text of their decimal
 * value, as SQLite renders them: "-" for negatives, no "+", no leading
 * zeros ("0", "1", "57").  The hash column itself is not encoded.
 */
#ifndef CRF_AUDIT_H
#define CRF_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

/* The format tag, first field of every encoding. */
#define AUDIT_FORMAT "crf-audit-1"
/* Hex digits of a hash, without the NUL. */
#define AUDIT_HASH_HEX 64

/* The columns of a row in their canonical order (fields 3 to 19). */
typedef enum audit_col {
	AUDIT_SEQ,
	AUDIT_TS_UTC,
	AUDIT_TZ_OFFSET,
	AUDIT_USER,
	AUDIT_ACTION,
	AUDIT_SUBJECT,
	AUDIT_EVENT,
	AUDIT_EVENT_REPEAT,
	AUDIT_FORM,
	AUDIT_FORM_REPEAT,
	AUDIT_FIELD,
	AUDIT_OLD_VALUE,
	AUDIT_OLD_MISSING,
	AUDIT_NEW_VALUE,
	AUDIT_NEW_MISSING,
	AUDIT_REASON,
	AUDIT_CLOCK_BACK,
	AUDIT_NCOLS
} audit_col;

/* One column's value: s == NULL is SQL NULL; otherwise len bytes at s
 * (not necessarily NUL-terminated). */
typedef struct audit_text {
	const char *s;
	size_t len;
} audit_text;

/* A NUL-terminated string (or NULL) as an audit_text. */
audit_text audit_str(const char *s);

/* The hash of a row: prev is the previous row's stored hash (s NULL for
 * the first row), cols the row's columns.  out receives 64 hex digits and
 * a NUL. */
void audit_hash(audit_text prev, const audit_text cols[AUDIT_NCOLS],
    char out[AUDIT_HASH_HEX + 1]);

/* True when a row stamped ts_utc was written with the clock set earlier
 * than the previous row's prev_ts (the clock went back).  Either NULL:
 * false.  Stamps are "YYYY-MM-DDTHH:MM:SSZ", which sort as text. */
bool audit_clock_went_back(audit_text prev_ts, audit_text ts_utc);

/* ---- Verification ------------------------------------------------------- */

typedef enum audit_issue_kind {
	AUDIT_ROW_CHANGED,     /* its hash does not match its contents */
	AUDIT_ROW_INSERTED,    /* a row without a hash */
	AUDIT_ROW_MISSING,     /* a seq gap, or rows cut off the end */
	AUDIT_ITEM_DIFFERS,    /* an item's value is not the trail's */
	AUDIT_FORM_DIFFERS,    /* a form's status is not the trail's */
	AUDIT_UNPROTECTED,     /* an append-only trigger is gone or changed */
	AUDIT_REVIEW_DIFFERS,  /* a signature, lock, verification mark or query
	                        * is not what the trail says */
	AUDIT_HEAD_DIFFERS     /* the head noted earlier is not in the trail */
} audit_issue_kind;

/* A problem found by verification.  row is the 1-based position in the
 * trail (seq order) and seq the row's seq number, for the row kinds; for
 * items and forms seq is the audit row compared with (0 if none) and row
 * is 0; both are 0 for a trigger.  text names the row, item or trigger,
 * without a "crf:" prefix. */
typedef struct audit_issue {
	audit_issue_kind kind;
	long long row;
	long long seq;
	char *text;
} audit_issue;

/* A row whose time is earlier than the latest time seen before it (a
 * warning). */
typedef struct audit_clock {
	long long row;
	long long seq;
	char *ts_utc;
	char *tz_offset;
	char *prev_ts;      /* the latest ts_utc seen before this row */
	char *user;
} audit_clock;

typedef struct audit_report {
	long long rows;                 /* rows in the trail */
	long long last_seq;             /* seq of the last row, 0 if none */
	char head[AUDIT_HASH_HEX + 1];  /* its stored hash ("" if none) */
	audit_issue *issues;            /* the chain's problems (its first
	                                   bad row, a head that differs),
	                                   then every item and form problem,
	                                   then the triggers' */
	size_t nissues;
	audit_clock *clocks;            /* clock anomalies in seq order */
	size_t nclocks;
} audit_report;

void audit_report_clear(audit_report *r);

/* Add an issue (text formatted printf-style). */
void audit_report_add(audit_report *r, audit_issue_kind kind, long long row,
    long long seq, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A head of the chain noted earlier ("SEQ:HASH", as verification prints
 * it), to check that the trail up to it was not rewritten since. */
typedef struct audit_head {
	long long seq;
	char hash[AUDIT_HASH_HEX + 1];
} audit_head;

/* Parse "57:<64 hex digits>" (upper-case digits are accepted); false if
 * s is not of that form. */
bool audit_head_parse(const char *s, audit_head *out);

/*
 * The chain check.  Feed every row in seq order to audit_chain_row(), then
 * call audit_chain_end() with the highest seq the database ever issued
 * (SQLite's AUTOINCREMENT counter).  The first problem of the chain goes
 * into the report (later rows are no longer checked, only counted); every
 * row whose clock_back flag is set is listed as a clock anomaly.  With a
 * head (may be NULL), the row of its seq must be there with its hash.
 */
typedef struct audit_chain {
	audit_report *report;
	const audit_head *head;
	bool head_seen;
	bool broken;        /* a problem was reported */
	char *prev_hash;    /* the previous row's stored hash, or NULL */
	char *prev_ts;
} audit_chain;

void audit_chain_init(audit_chain *c, audit_report *report,
    const audit_head *head);
void audit_chain_row(audit_chain *c, const audit_text cols[AUDIT_NCOLS],
    audit_text hash);
void audit_chain_end(audit_chain *c, long long sequence);
void audit_chain_free(audit_chain *c);

/* ---- Text for people -------------------------------------------------- */

/* A value as shown in reports (owned): the value; a missing-data code in
 * brackets, "[UNK]"; both, "80 [UNK]"; "(blank)" when there is neither.
 * Control characters are escaped as by audit_printable(). */
char *audit_value_text(const char *value, const char *missing);

/* Where a row or item is (owned): "scr/1 dm/1 weight" (event and form
 * with their repeat numbers, then the field); a subject-level log has no
 * event, "ae/2 aeterm".  NULL parts are left out. */
char *audit_where_text(const char *event, int event_repeat, const char *form,
    int form_repeat, const char *field);

/* A copy of s (owned; "" for NULL) with control characters written as
 * \n, \t or \xNN and backslashes doubled, so that text read from the
 * database cannot move the cursor or change a terminal's settings. */
char *audit_printable(const char *s);

#endif
