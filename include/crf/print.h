/*
 * print.h - the printed casebook of one subject: a human-readable copy of
 * everything the site database holds about it (21 CFR 11.10(b), Annex 11
 * §8; standards.md REG-16, REG-20).
 *
 * The copy has, for every saved form of every event and log, in the
 * order of the schedule: each value with its label, shown as on screen
 * (choice labels, yes/no, dates in the site's format) with its unit, a
 * missing-data code with its meaning, a soft-range value marked as
 * confirmed, and a mark (a dagger) on every value changed after it was
 * first entered; the form's status, source data verification and locks;
 * the manifestation of every signature that covers it (printed name,
 * login, date and time with the UTC offset, meaning, and "changed since
 * signed" when the signed data changed afterwards); its queries that are
 * not closed, with their messages; and its audit trail (who, when with
 * the offset, what, old -> new, reason).  The subject's own record, its
 * casebook signatures and locks and its subject-level trail come first.
 * Stored data that the current form definitions no longer describe are
 * printed too, raw, in a section of their own: nothing is left out.
 *
 * Two formats: plain text that fits 80 columns, and one self-contained
 * HTML file (inline CSS, no script, nothing fetched from elsewhere; a page
 * break before each event when printed).  Everything read from the
 * database is escaped for its format: control characters are shown as
 * \xNN, and in HTML every character with a meaning in markup is an entity.
 *
 * The copy is one consistent moment: if the subject changes while it is
 * being read (another session saves), it is read again.
 *
 * Every copy that leaves crf is recorded in the audit trail with
 * store_note_export() ("print text" or "print html", where it went, the
 * subject) before it is written out; print_casebook() alone writes only
 * into memory and notes nothing, the other functions do both.  No curses:
 * a screen calls print_casebook_file() and shows the path it returns.
 */
#ifndef CRF_PRINT_H
#define CRF_PRINT_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "crf/formdef.h"
#include "crf/status.h"
#include "crf/store.h"
#include "crf/util.h"

typedef enum print_format {
	PRINT_TEXT = 0,
	PRINT_HTML = 1
} print_format;

/* Columns of the text format. */
#define PRINT_WIDTH 80

typedef struct print_opts {
	crf_lang lang;             /* labels and choice texts */
	const char *date_fmt;      /* dates of values (config.ini date_format);
	                              NULL: ISO */
	bool ascii;                /* text: plain ASCII only (each other
	                              character by its stand-in or '?') */
	const char *printed_by;    /* who prints (a login), shown on the copy;
	                              NULL: not shown */
} print_opts;

/* What store_note_export() records for a copy: "print text", "print html". */
const char *print_what(print_format fmt);

/* "txt" or "html". */
const char *print_extension(print_format fmt);

/*
 * Append the casebook of subject (its key, "TJ01-0001") to out, as text
 * (lines of at most PRINT_WIDTH columns, each ending in a newline) or as
 * one HTML document.  Nothing is noted in the audit trail: the caller
 * must call store_note_export() (print_what(fmt)) before the copy leaves
 * the program.  CRF_ENOENT when there is no such subject; CRF_EBUSY when
 * the subject kept changing while it was read; a store error when the
 * database cannot be read (out may then hold part of the copy).
 */
crf_status print_casebook(store *st, const study_def *sd, const char *subject,
    print_format fmt, const print_opts *o, strbuf *out, crf_err *err);

/*
 * The casebook written to the stream fp (standard output): made in
 * memory, noted in the audit trail (where: how the copy is named there,
 * "standard output"), then written.  Nothing is written when the note
 * fails (a signed-in role without the export permission: CRF_EDENIED).
 * CRF_EIO when the stream fails.
 */
crf_status print_casebook_stream(store *st, const study_def *sd,
    const char *subject, print_format fmt, const print_opts *o, FILE *fp,
    const char *where, crf_err *err);

/*
 * The casebook written to a file: path (replaced if it exists, unless it
 * is an SQLite database, such as the site database: CRF_EEXIST), or, when
 * path is NULL, a new file in folder dir (NULL: the current folder) named
 * by print_file_name() (with "-2", "-3"... before the extension when that
 * name is taken).  The copy is written to a temporary file beside it,
 * synced, noted in the audit trail with the file's path, then renamed to
 * its name; on any failure no file is left.  *written (may be NULL)
 * receives the path of the file (owned).  Mode 0600: the copy holds
 * patient data.
 */
crf_status print_casebook_file(store *st, const study_def *sd,
    const char *subject, print_format fmt, const print_opts *o,
    const char *path, const char *dir, char **written, crf_err *err);

/* The default file name of a copy printed at when (UTC):
 * "casebook-TJ01-0001-20261125T080000Z.html" (owned).  Characters of the
 * subject key other than letters, digits, '-' and '_' become '_'. */
char *print_file_name(const char *subject, print_format fmt, time_t when);

#endif
