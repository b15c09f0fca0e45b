/*
 * csv_export.h - the CSV export for statisticians: the site's data as one
 * CSV file per form (or one long file), a data dictionary, the missing-data
 * codes, a REDCap data dictionary (redcap.h) and a generated R script that
 * reads them all with types, labels and factor levels.
 *
 * Every file is UTF-8 without a byte-order mark, with RFC 4180 quoting
 * (a field holding a comma, a double quote, CR or LF is put in double
 * quotes, a double quote inside doubled) and CRLF after every record.
 * Values are the canonical stored text of validate.h: ISO dates
 * ("2026-03-07"), partial dates ("2026-03"), decimals with a point,
 * multichoice codes joined by '|'.  A blank is an empty field; a
 * missing-data code is never put in the value column but in the field's
 * companion column NAME_MISS.  The layout of every file is in docs/csv.md.
 *
 * No curses; the store is only read, except for the one audit row of the
 * export itself (store_note_export).
 */
#ifndef CRF_CSV_EXPORT_H
#define CRF_CSV_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "crf/formdef.h"
#include "crf/status.h"
#include "crf/store.h"
#include "crf/util.h"

/* The files other than the per-form ones (FORM.csv).  Their names hold a
 * '-' or a capital letter, so no form id (a lower-case identifier) can
 * take them. */
#define CSV_LONG_FILE     "items-long.csv"
#define CSV_DICT_FILE     "data-dictionary.csv"
#define CSV_MISSING_FILE  "missing-codes.csv"
#define CSV_REDCAP_FILE   "redcap-dictionary.csv"
#define CSV_R_FILE        "read_crf.R"

/* The suffix of a field's missing-data code column: WEIGHT -> WEIGHT_MISS. */
#define CSV_MISS_SUFFIX   "_MISS"

typedef struct csv_opts {
	bool long_format;   /* items-long.csv (one row per item) instead of
	                       one wide file per form */
	bool identifiers;   /* include fields flagged `identifier = yes` */
	bool force;         /* write into a folder that is not empty,
	                       replacing crf's own files there */
	const char *site;   /* NULL: every subject of the database; else, in
	                       the central database only, the subjects of
	                       this site (keys "<site>-..."), exactly as the
	                       site's own export writes them */
} csv_opts;

typedef struct csv_summary {
	char *dir;          /* the folder, as an absolute path (owned) */
	size_t files;       /* files written */
	size_t forms;       /* form files written (0 in the long format) */
	size_t subjects;
	size_t instances;   /* form instances exported */
	size_t values;      /* values and missing-data codes written */
	size_t identifiers; /* identifier fields left out */
	size_t skipped;     /* stored values of forms, events or fields that
	                       the definitions no longer have: not exported */
} csv_summary;

/*
 * Export the site's data and the study's dictionaries into folder dir:
 * one FORM.csv per form of the study (or CSV_LONG_FILE with
 * o->long_format), CSV_DICT_FILE, CSV_MISSING_FILE, CSV_REDCAP_FILE and
 * CSV_R_FILE.  dir is created (with its parents) when missing; an
 * existing dir must be an empty folder unless o->force.  Every file is
 * first written under a temporary name in dir; only when all are written
 * is the export noted in the audit trail (store_note_export "csv", the
 * folder's absolute path) and the files renamed into place, so a failure
 * (a full disk, a refused permission) leaves no partial export behind and
 * nothing in the trail.  Needs PERM_EXPORT in a signed-in session (the
 * shell has every right).
 *
 * The column `site` holds the subject's site: the database's own code at
 * a site, the code of the subject's key ("TJ01-0007": TJ01) in the
 * central database (central.h).  With o->site, only that site's subjects
 * are exported, from the central database; the data files are then the
 * same, byte for byte, as those of the site's own export (for the same
 * data and options), and the audit row says "csv, site CODE".  o->site is
 * checked before anything is written: it must look like a site code
 * (config_site_code_ok), the database must be central, and the site must
 * be known there (a subject of it, or a transfer file imported from it).
 *
 * Returns CRF_OK and fills *out (free it with csv_summary_clear), or:
 * CRF_EEXIST (dir is not empty), CRF_EINVAL (dir is not a folder; o->site
 * is not a site code, or the database is not central), CRF_ENOENT (no
 * such site in the central database), CRF_EFULL (the disk is full),
 * CRF_EIO (cannot create or write), CRF_EDEF (a column name would be used
 * twice), CRF_EDENIED, or a store error; err says which file and why.
 */
crf_status csv_export(store *st, const study_def *sd, const char *dir,
    const csv_opts *o, csv_summary *out, crf_err *err);

/* Free what *s owns (its dir) and zero it. */
void csv_summary_clear(csv_summary *s);

/* Append s (NULL = "") to sb as one CSV field, quoted when RFC 4180 needs
 * it: when s holds a comma, a double quote, CR or LF. */
void csv_quote(strbuf *sb, const char *s);

#endif
