/*
 * status.h - the status codes every crf module returns, and their messages.
 *
 * Functions that can fail return crf_status.  CRF_OK is zero so that
 * "if (rc) ..." reads naturally.  Detail meant for a person (which field,
 * which line of which file) travels separately in a caller-supplied
 * crf_err buffer; the enum only says what kind of failure it was.
 */
#ifndef CRF_STATUS_H
#define CRF_STATUS_H

#include <stddef.h>

#define CRF_STATUS_LIST(X) \
	X(CRF_OK,          "success") \
	X(CRF_ENOMEM,      "out of memory") \
	X(CRF_EIO,         "input/output error") \
	X(CRF_ENOENT,      "not found") \
	X(CRF_EEXIST,      "already exists") \
	X(CRF_EINVAL,      "invalid value") \
	X(CRF_ECONFIG,     "configuration error") \
	X(CRF_EDEF,        "form definition error") \
	X(CRF_EEXPR,       "expression error") \
	X(CRF_ERANGE,      "value outside the allowed range") \
	X(CRF_ESOFT,       "value outside the expected range: confirm it") \
	X(CRF_EDB,         "database error") \
	X(CRF_EBUSY,       "the database is busy") \
	X(CRF_EREADONLY,   "the database is read-only") \
	X(CRF_EFULL,       "the disk is full") \
	X(CRF_ESCHEMA,     "the database was made by a newer crf") \
	X(CRF_ECONFLICT,   "changed by someone else since it was opened") \
	X(CRF_EDENIED,     "not allowed") \
	X(CRF_ELOCKED,     "locked: read-only until a data manager unlocks it") \
	X(CRF_EUSAGE,      "usage error")

typedef enum crf_status {
#define CRF_STATUS_ENUM(name, msg) name,
	CRF_STATUS_LIST(CRF_STATUS_ENUM)
#undef CRF_STATUS_ENUM
	CRF_STATUS_COUNT
} crf_status;

/* A message for a person: "file:line: what went wrong", or a field's
 * plain-language validation message.  Always NUL-terminated. */
#define CRF_ERR_MAX 2048
typedef struct crf_err {
	char msg[CRF_ERR_MAX];
} crf_err;

/* The fixed English phrase for a status code; never NULL. */
const char *crf_status_str(crf_status st);

/* Format a message into err (printf-style) and return st; err may be NULL,
 * in which case only st is returned. */
crf_status crf_fail(crf_err *err, crf_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
