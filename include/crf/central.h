/*
 * central.h - the coordinating centre's database: a crf database in
 * central mode (site.mode 'central') into which the sites' transfer files
 * (transfer.h) are applied with `crf import`.
 *
 * An import is one transaction: all of a file or nothing.  It is
 * idempotent (a FileOID applied before changes nothing), in order (the
 * file's PriorFileOID must be the last file applied from its site), and
 * never overwrites a value changed at the centre: when the centre's value
 * is not the one the site's change replaces, the change is recorded as a
 * conflict instead.  The sites' audit records are kept, with their users
 * and times, in site_audit; the centre's own audit trail (audit.h) gets
 * the rows of what the import changed, so it stays the centre's chain and
 * store_audit_verify() still holds.  See docs/exchange.md, "Site to
 * centre".
 */
#ifndef CRF_CENTRAL_H
#define CRF_CENTRAL_H

#include <stdbool.h>
#include <stddef.h>

#include "crf/formdef.h"
#include "crf/status.h"
#include "crf/store.h"

/* Turn a new, empty database into a central one, audited ("central-mode").
 * CRF_EINVAL if it holds subjects already. */
crf_status store_make_central(store *st, crf_err *err);

/* Whether the database is in central mode (*central). */
crf_status store_is_central(store *st, bool *central, crf_err *err);

/* What an import did. */
typedef struct import_result {
	char file_oid[256];
	char site[64];          /* the site code of the file */
	bool already;           /* the file was applied before: nothing changed */
	size_t records;         /* the site's audit records kept */
	size_t subjects;        /* subjects created */
	size_t instances;       /* form instances created */
	size_t values;          /* values written */
	size_t statuses;        /* form statuses set */
	size_t conflicts;       /* changes not applied: recorded as conflicts */
} import_result;

/*
 * Apply the transfer file xml (len bytes; name and checksum, the file's
 * BLAKE2b-256 in hex, are recorded) to the central database st for the
 * study sd, in one transaction.  The caller has checked the checksum,
 * the schema and odm_check() (odm.h).  Refused, with nothing changed and
 * a message in err naming what is wrong: CRF_EDENIED when st is not
 * central; CRF_EINVAL for a file that is not a transfer (not
 * Transactional, no site), of another study or metadata version, with an
 * OID the study does not have, a subject key of another site, a value
 * that is not one of its field's (hard range, type, missing-data code),
 * an Insert of what exists or a change of what does not; CRF_ECONFLICT
 * when its PriorFileOID is not the last file applied from its site (the
 * message names the file missing).  A FileOID applied before gives
 * CRF_OK with res->already set and changes nothing (CRF_ECONFLICT if the
 * checksum differs: another file under the same FileOID).
 */
crf_status central_import(store *st, const study_def *sd, const char *xml,
    size_t len, const char *name, const char *checksum, import_result *res,
    crf_err *err);

/* One recorded conflict. */
typedef struct import_conflict {
	char *site;
	char *subject;
	char *event;
	int event_repeat;
	char *form;
	int form_repeat;
	char *field;
	char *central_value, *central_missing;  /* at the centre, kept */
	char *site_value, *site_missing;        /* the site's change, not applied */
	char *file_oid;
	char *record_id;                        /* the site's AuditRecord ID */
	char *found_at;
} import_conflict;

/* Every conflict recorded, oldest first (rows owned by the caller, freed
 * with import_conflicts_free()). */
crf_status central_conflicts(store *st, import_conflict **rows, size_t *n,
    crf_err *err);
/* Free n rows of central_conflicts() and the array (NULL is fine). */
void import_conflicts_free(import_conflict *rows, size_t n);

#endif
