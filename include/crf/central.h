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
 * store_audit_verify() still holds.  The site's admin data (its name, its
 * users and signature meanings) are kept in site_admin, so that one site's
 * slice of the centre can be exported as the site would export it (odm.h,
 * opts.site).  See docs/exchange.md, "Site to centre".
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
 * study sd, in one transaction.  A complete Transactional file of one
 * site (the site's archival export, or its slice exported by another
 * centre) is applied the same way; having no PriorFileOID, it can only be
 * the first file from its site.  The site's admin data (its Location,
 * Users and SignatureDefs) replace what site_admin held.  The caller has
 * checked the checksum,
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

/* ---- A site's slice of the centre -------------------------------------
 *
 * What the centre keeps of each site, read back for the export of one
 * site's slice (odm.h, opts.site): the site's records as they came, and
 * its admin data as its latest file gave them.
 */

/* One of a site's audit records as the centre keeps it (site_audit). */
typedef struct site_record {
	char *record_id;        /* the site's AuditRecord ID: "AR.57" */
	char *user;             /* the site's login */
	char *ts;               /* the site's DateTimeStamp, with its offset */
	char *edit_point;       /* "Monitoring", "DBAudit", or NULL */
	char *action;           /* "subject", "Insert", "Update", "Remove",
	                           "status" or "sign" */
	char *subject;
	char *event;            /* NULL: a subject or casebook record; "": the
	                           subject-level logs */
	int event_repeat;
	char *form;             /* NULL: no form (a visit's signature) */
	int form_repeat;
	char *field;            /* the field of a value's record */
	char *value;            /* the new value; the status of "status"; the
	                           SignatureDef OID of "sign" */
	char *missing;          /* the new missing-data code */
	char *reason;           /* ReasonForChange */
} site_record;

/* Every record of site `site` about subject `subject`, in the order they
 * were applied (rows owned by the caller, freed with site_records_free()).
 * Only reads. */
crf_status central_site_records(store *st, const char *site, const char *subject,
    site_record **rows, size_t *n, crf_err *err);
/* Free n rows of central_site_records() and the array (NULL is fine). */
void site_records_free(site_record *rows, size_t n);

/* One piece of a site's admin data, as its latest file gave it:
 *   kind "location":  oid the site code, name the site's name, detail the
 *                     EffectiveDate of its MetaDataVersionRef;
 *   kind "user":      oid the login, name the full name (NULL: none),
 *                     detail the UserType;
 *   kind "signature": oid the SignatureDef OID, name its Meaning. */
typedef struct site_admin_row {
	char *kind;
	char *oid;
	char *name;
	char *detail;
} site_admin_row;

/* The admin data of site `site` (kind, then oid order; rows owned by the
 * caller, freed with site_admin_rows_free()).  Only reads. */
crf_status central_site_admin(store *st, const char *site, site_admin_row **rows,
    size_t *n, crf_err *err);
/* Free n rows of central_site_admin() and the array (NULL is fine). */
void site_admin_rows_free(site_admin_row *rows, size_t n);

/* Whether a file from site `site` was applied to the centre (*known). */
crf_status central_site_known(store *st, const char *site, bool *known,
    crf_err *err);

/* One file applied at the centre (table transfer_in). */
typedef struct import_row {
	char *file_oid;
	char *site;
	char *prior_file_oid;   /* NULL: the site's first file */
	char *checksum;
	char *imported_at;      /* UTC ISO 8601 */
	char *imported_by;
	long long changes;      /* subjects, values and statuses changed */
	long long conflicts;
} import_row;

/* Every file applied, by site code, then in the order they were applied
 * (rows owned by the caller, freed with import_rows_free()).  CRF_EDENIED
 * on a site's database.  Only reads. */
crf_status central_imports(store *st, import_row **rows, size_t *n, crf_err *err);
/* Free n rows of central_imports() and the array (NULL is fine). */
void import_rows_free(import_row *rows, size_t n);

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
/* One conflict as a line for the data manager (owned), e.g.
 * "site BJ02, subject BJ02-0001, scr/1 dm/1 weight: centre 81.0, site 82.0
 * (file crf/..., record AR.18)"; a form status's conflict (field "") says
 * "scr/1 dm/1 form status". */
char *import_conflict_text(const import_conflict *c);

/* Free n rows of central_conflicts() and the array (NULL is fine). */
void import_conflicts_free(import_conflict *rows, size_t n);

#endif
