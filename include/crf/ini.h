/*
 * ini.h - INI files read with iniparser, plus what iniparser cannot tell.
 *
 * iniparser gives the values (quotes, comments, continuation lines) but
 * no line numbers, keeps only the last of two equal keys or sections,
 * drops sections whose name contains ':', fails on lines over 1022 bytes
 * and prints its errors unless given a callback.  ini_read() runs
 * iniparser with an error callback and also scans the file itself, so
 * that every section and key has its line, its name as written and its
 * place in file order, and every such pitfall is reported as
 * "file:line: message" through the caller's diagnostic function.
 */
#ifndef CRF_INI_H
#define CRF_INI_H

#include <stdbool.h>
#include <stddef.h>

#include "crf/status.h"

/* Longest line iniparser 4.1 accepts, not counting the line end. */
#define INI_MAX_LINE 1022

/* Receives one problem; line 0 means the whole file. */
typedef void (*ini_diag_fn)(void *ctx, const char *file, int line,
    const char *msg);

typedef struct ini_key {
	char *name;          /* lower case, as iniparser looks it up */
	char *raw;           /* as written (case kept) */
	const char *value;   /* from iniparser; owned by the document */
	int line;
} ini_key;

typedef struct ini_sec {
	char *name;          /* lower case, blanks trimmed */
	char *raw;
	int line;
	ini_key *keys;       /* file order */
	size_t nkeys;
	size_t kcap;
} ini_sec;

typedef struct ini_doc {
	char *path;
	ini_sec *secs;       /* file order; duplicates already reported */
	size_t nsecs;
	size_t scap;
	void *dict;          /* iniparser dictionary */
} ini_doc;

/*
 * Read path.  Problems are reported through diag.  Returns CRF_OK when
 * the document can be used (duplicates and other scanned problems are
 * reported but leave the first occurrence usable), CRF_EDEF when
 * iniparser could not load it (syntax error, line too long), CRF_EIO
 * when it cannot be read.  ini_free() is safe after any return.
 */
crf_status ini_read(const char *path, ini_doc *doc, ini_diag_fn diag,
    void *ctx);

void ini_free(ini_doc *doc);

/* Section by lower-case name, or NULL. */
ini_sec *ini_section(const ini_doc *doc, const char *name);
/* Key of a section by lower-case name, or NULL. */
ini_key *ini_sec_key(const ini_sec *sec, const char *name);
/* Value of a key, or NULL when absent. */
const char *ini_sec_get(const ini_sec *sec, const char *name);

#endif
