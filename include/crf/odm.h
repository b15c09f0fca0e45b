/*
 * odm.h - CDISC ODM 1.3.2: the site's study, accounts and data as one
 * ODM document; its validation against the official XML Schema; and
 * crf's own semantic checks of any ODM file (rules ODM-02 ... ODM-08 of
 * the project's standards, which the schema cannot check).
 *
 * The mapping (OIDs, item groups, data types, missing-data codes,
 * identifiers, signatures, audit records) is documented for people in
 * docs/exchange.md; the OID scheme is also the contract of the
 * odm_oid_*() functions below, which the import of a later version uses
 * to find its way back from an OID to the study's definitions.
 *
 * The writer uses libxml2's xmlTextWriter; the checker reads with
 * libxml2's tree parser (network access off: XML_PARSE_NONET); the
 * schema check is libxml2's xmlSchema with the network off as well.  No
 * curses, no hand-rolled XML.
 */
#ifndef CRF_ODM_H
#define CRF_ODM_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "crf/formdef.h"
#include "crf/status.h"
#include "crf/store.h"
#include "crf/util.h"

/* The ODM namespace (the same for every 1.3.x) and the version written. */
#define ODM_NS "http://www.cdisc.org/ns/odm/v1.3"
#define ODM_VERSION "1.3.2"
/* The schema file crf validates against, in schema/odm132/. */
#define ODM_SCHEMA_FILE "ODM1-3-2.xsd"

/* ---- OIDs ---------------------------------------------------------------
 *
 * Every OID is derived from the identifiers in the form definitions, so
 * that the same study gives the same OIDs in every export (ODM-08).
 * Study ids are lower case ([a-z][a-z0-9_]*), so upper-casing them keeps
 * them apart, and crf's own definitions take a "CRF." part that no id can
 * produce.  Each function returns an owned string.
 */

/* The event of the subject-level logs ("" in the store): "SE.CRF.LOGS". */
#define ODM_LOGS_EVENT_OID "SE.CRF.LOGS"
/* crf's own code lists. */
#define ODM_CL_YESNO "CL.CRF.NY"            /* yes/no fields: Y, N */
#define ODM_CL_MISSING "CL.CRF.MISSING"     /* the study's missing-data codes */
#define ODM_CL_FORMSTATUS "CL.CRF.FORMSTATUS" /* form status annotations */
#define ODM_CL_FLAGTYPE "CL.CRF.FLAGTYPE"   /* MISSING, STATUS */

/*
 * crf's record of a subject's life-cycle state (lifecycle.h) in standard
 * ODM: one more event, not repeating, with one form of three items, which
 * every enrolment, screen failure, withdrawal, completion or death
 * changes.  A subject still in screening has none of it.  The reason of a
 * change is its AuditRecord's ReasonForChange.
 */
#define ODM_SUBJECT_EVENT_OID "SE.CRF.SUBJECT"
#define ODM_SUBJECT_FORM_OID "F.CRF.SUBJECT"
#define ODM_SUBJECT_GROUP_OID "IG.CRF.SUBJECT"
#define ODM_CL_SUBJECTSTATUS "CL.CRF.SUBJECTSTATUS"  /* the stored state names */

/* The items of that form, each kept by one kind of audit row. */
typedef struct odm_subject_item {
	const char *oid;        /* "IT.CRF.SUBJECT.STATUS" */
	const char *action;     /* its audit rows: "subject-status" */
	const char *column;     /* its column of the subject table: "status" */
	const char *name;       /* ItemDef Name and the labels */
	const char *sas;
	const char *en, *zh;
	bool is_date;           /* date; otherwise text */
	int length;             /* text: the longest value */
} odm_subject_item;

#define ODM_SUBJECT_NITEMS 3
extern const odm_subject_item odm_subject_items[ODM_SUBJECT_NITEMS];

/* The item of an OID or an audit action, or NULL. */
const odm_subject_item *odm_subject_item_by_oid(const char *oid);
const odm_subject_item *odm_subject_item_by_action(const char *action);

/* "MDV.<version>" from study.ini's version: "MDV.1". */
char *odm_oid_mdv(int metadata_version);
/* "SE.SCR" for event "scr"; ODM_LOGS_EVENT_OID for "" (the logs). */
char *odm_oid_event(const char *event);
/* "F.DM" for form "dm". */
char *odm_oid_form(const char *form);
/* "IG.DM": one item group per form, holding all its fields. */
char *odm_oid_group(const char *form);
/* "IT.DM.WEIGHT" for field "weight" of form "dm". */
char *odm_oid_item(const char *form, const char *field);
/* "CL.SEX" for the study's choice list "sex". */
char *odm_oid_list(const char *list);
/* "USR.wang.fang" for the account (or other audit user) "wang.fang". */
char *odm_oid_user(const char *login);
/* "LOC.TJ01" for the site "TJ01". */
char *odm_oid_location(const char *site_code);
/* The ID of the annotation that carries a missing-data code:
 * "AN.MISSING.UNK". */
char *odm_id_missing(const char *code);
/* The ID of the AuditRecord of audit row seq: "AR.57". */
char *odm_id_audit(long long seq);

/*
 * An ODM datetime ("2026-11-25T16:00:00+08:00", "...Z", or without an
 * offset; a fraction of a second is ignored) as seconds since 1970 UTC in
 * *t, an offset-less time taken as UTC; *has_tz says whether it gave an
 * offset.  false when s is not a complete, real datetime.
 */
bool odm_parse_datetime(const char *s, time_t *t, bool *has_tz);

/* ---- Writing ---------------------------------------------------------- */

typedef enum odm_kind {
	ODM_TRANSACTIONAL = 0,  /* FileType Transactional, Archival Yes: every
	                           change of the trail with its AuditRecord */
	ODM_SNAPSHOT = 1        /* FileType Snapshot: current values only */
} odm_kind;

typedef struct odm_opts {
	odm_kind kind;
	bool identifiers;           /* write the data of fields flagged
	                               `identifier = yes` (left out otherwise) */
	time_t now;                 /* CreationDateTime and AsOfDateTime;
	                               0: clock_now() */
	const char *file_oid;       /* NULL: odm_file_oid() */
	const char *prior_file_oid; /* PriorFileOID of a series, or NULL */
	bool transfer;              /* Transactional: a site-to-centre transfer,
	                               one file of an incremental series, so
	                               not Archival (docs/exchange.md) */
	long long since_seq;        /* Transactional: write only the audit rows
	                               with a seq above this (the rows up to it
	                               only tell what exists already); 0: all */
	long long through_seq;      /* Transactional: leave out the rows with a
	                               seq above this (0: none left out): a
	                               transfer stops at the last row committed
	                               when it started, so that a row saved
	                               meanwhile is never skipped for good */
	const char *site;           /* a central database (central.h): write
	                               the slice of this site's subjects as the
	                               site would, with its Location, users and
	                               signature meanings; Transactional from
	                               the site's own records (site_audit),
	                               Snapshot from the centre's current data;
	                               NULL: the whole database */
} odm_opts;

/* What went into a document. */
typedef struct odm_summary {
	size_t subjects;
	size_t instances;       /* form instances */
	size_t values;          /* ItemData elements (values, codes, removals) */
	size_t transactions;    /* Transactional: SubjectData transactions */
	size_t signatures;
	size_t identifiers;     /* identifier values (or changes) left out */
	long long first_seq;    /* Transactional: the seq of the first and last
	                           audit row written as a transaction (0, 0:
	                           none) */
	long long last_seq;
} odm_summary;

/* The FileOID crf gives a file: "crf/<study>/<site>/<kind>/<UTC time>",
 * e.g. "crf/NCT06228781/TJ01/snapshot/20261125T080000Z" (owned).  The
 * slice of a site exported by a centre puts the centre first:
 * "crf/<study>/<centre>/<site>/<kind>/<UTC time>" (site not NULL). */
char *odm_file_oid(const char *study, const char *site, odm_kind kind,
    time_t now);
char *odm_slice_file_oid(const char *study, const char *centre, const char *site,
    odm_kind kind, time_t now);

/*
 * Write one ODM 1.3.2 document of the site's study (the metadata of sd,
 * every event, form, item, unit, range and code list), its admin data
 * (the accounts, the site as a Location, a SignatureDef per signature
 * meaning) and its clinical data, as o says, into out (appended, UTF-8).
 * The same database, options and time give the same bytes.  Only reads
 * the store.  With o->site (a central database only; not with transfer):
 * only that site's subjects, CRF_EINVAL on a site's own database,
 * CRF_ENOENT when the centre has nothing of that site.  Fails with CRF_EDEF when stored data cannot be expressed
 * in the metadata (a value of a field or form the definitions do not
 * have, a repeat of a non-repeating event, an undeclared missing code),
 * with CRF_EDB when the store cannot be read; err says which.  The
 * document is not validated here: see odm_export_checked().
 */
crf_status odm_export(store *st, const study_def *sd, const odm_opts *o,
    strbuf *out, odm_summary *sum, crf_err *err);

/* ---- Checking ----------------------------------------------------------- */

/* One problem found in a document.  line is the line in the file (0 when
 * unknown); rule is "XML" (not well-formed), "XSD" (the schema), or the
 * project rule ("ODM-02" ... "ODM-08"); a warning does not fail the file. */
typedef struct odm_issue {
	int line;
	bool warning;
	char rule[8];
	char *msg;              /* owned; names the element */
} odm_issue;

typedef struct odm_report {
	odm_issue *items;
	size_t n, cap;
	size_t errors, warnings;
} odm_report;

/* Free every issue; r is empty (and reusable) afterwards. */
void odm_report_clear(odm_report *r);

/* Add a problem (msg formatted printf-style). */
void odm_report_add(odm_report *r, int line, bool warning, const char *rule,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Where the schema is: $CRF_ODM_SCHEMA (the path of ODM1-3-2.xsd) when
 * set; else schema/odm132/ODM1-3-2.xsd next to the running program, in
 * the folder above it (build/crf) or under the current folder; else
 * /usr/share/crf/schema/odm132/.  Returns an owned path of a file that
 * exists, or NULL.
 */
char *odm_schema_find(void);

/*
 * Validate the document xml (len bytes; name is used in messages)
 * against the XML Schema at schema_path, with network access off.  Every
 * problem is added to r (rule "XML" or "XSD", with its line).  Returns
 * CRF_OK when the validation ran (the document is valid when it added no
 * error), CRF_EIO when the schema could not be read or compiled (err).
 */
crf_status odm_validate(const char *xml, size_t len, const char *name,
    const char *schema_path, odm_report *r, crf_err *err);

/*
 * crf's semantic checks of an ODM document (any producer), the rules the
 * schema cannot check, each problem added to r with its line:
 *   ODM-02  root: ODMVersion 1.3.2, FileType, FileOID, CreationDateTime,
 *           AsOfDateTime not later, Archival only with Transactional;
 *   ODM-03  Transactional: a TransactionType on each top-level
 *           SubjectData, an AuditRecord for every transaction (its own,
 *           an ancestor's or AuditRecordID), DateTimeStamps with a UTC
 *           offset, no Upsert in an Archival file, and (without a
 *           PriorFileOID) Insert only of what does not exist yet and
 *           Update/Remove/Context only of what does; an Update or Remove
 *           of a value without a ReasonForChange is a warning;
 *   ODM-04  Snapshot: no TransactionType but Insert, no AuditRecord, no
 *           value twice;
 *   ODM-05  every OID resolves: ClinicalData to its Study and
 *           MetaDataVersion; events, forms, item groups and items to
 *           their Defs and to the Refs of their parent Def; every Ref,
 *           CodeListRef, MeasurementUnitRef and Flag code list in the
 *           metadata; UserRef, LocationRef, SignatureRef, SiteRef and
 *           InvestigatorRef in the AdminData; AuditRecordID, SignatureID
 *           and AnnotationID to an element of that kind;
 *   ODM-06  repeat keys exactly where the Def says Repeating="Yes";
 *           AuditRecords and Signatures of one entity (and within an
 *           AuditRecords or Signatures list) in ascending DateTimeStamp,
 *           none later than CreationDateTime;
 *   ODM-07  typed ItemData only, each element matching its ItemDef's
 *           DataType (ItemDataAny excepted), coded values in their code
 *           list;
 *   ODM-08  OIDs unique per kind in a MetaDataVersion and in AdminData;
 *           no OID or OrderNumber twice among the Refs of one Def; Length
 *           for text, Length and SignificantDigits together for float; a
 *           CodeList's DataType equal to its items'; one-sided
 *           RangeChecks; no value outside a Hard RangeCheck.
 * A document that is not well-formed gets one "XML" issue.  Returns
 * CRF_OK when the checks ran (the document passes when no error was
 * added).
 */
crf_status odm_check(const char *xml, size_t len, const char *name,
    odm_report *r, crf_err *err);

/*
 * odm_export(), then odm_validate() against schema_path and odm_check()
 * of the result: *out receives the document only when it is valid and
 * passes every check.  Otherwise returns CRF_EINVAL with the first
 * problems in err (and all of them in r, which may be NULL).
 */
crf_status odm_export_checked(store *st, const study_def *sd,
    const odm_opts *o, const char *schema_path, strbuf *out,
    odm_summary *sum, odm_report *r, crf_err *err);

#endif
