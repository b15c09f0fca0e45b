/*
 * odm_check.c - crf's semantic checks of an ODM 1.3.2 document (odm.h):
 * what the XML Schema cannot see.  Any producer's file, read with
 * libxml2's tree parser (no network, no entity expansion).
 *
 * The checks run in three passes over the tree:
 *  1. the root (ODM-02);
 *  2. the definitions: every Study's MeasurementUnits and
 *     MetaDataVersions (each kind of Def in a set of its own, Include
 *     followed), the AdminData's Users, Locations and SignatureDefs, and
 *     every ID in the document; duplicates and the metadata rules
 *     (ODM-05, ODM-08);
 *  3. the clinical data, depth first, each element with its effective
 *     TransactionType and AuditRecord (inherited as ODM 2.9 and 3.1.4.1.2
 *     say), its entity key (subject | event[repeat] | form[repeat] |
 *     group[repeat] | item) and the Def it resolves to (ODM-03 ... ODM-08).
 * Every problem becomes an issue with the element's line.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "crf/odm.h"
#include "crf/util.h"
#include "crf/xmlrt.h"
#include "odm_impl.h"

/* One MetaDataVersion: its Defs by OID (values: the Def's node). */
typedef struct mdv {
	const char *study;
	const char *oid;
	xmlNodePtr node;
	odm_set events, forms, groups, items, lists, conditions, methods;
	odm_set protocol;       /* StudyEventOIDs of the Protocol */
	odm_set codes;          /* "<CodeListOID>\x1f<CodedValue>" */
	odm_set *units;         /* the Study's MeasurementUnits */
	struct mdv *include;
} mdv;

typedef struct study {
	const char *oid;
	odm_set units;
} study;

typedef struct chk {
	odm_report *r;
	char **pool;            /* strings from libxml2, freed at the end */
	size_t npool, poolcap;
	bool snapshot, transactional, archival, has_prior;
	bool created_ok;
	time_t created;
	study **studies;
	size_t nstudies, scap;
	mdv **mdvs;
	size_t nmdvs, mcap;
	odm_set users, locations, sigdefs;
	odm_set ids;            /* every ID: its node */
	odm_set exists;         /* Transactional: entities in existence */
	odm_set seen;           /* Snapshot: values sent */
	odm_set order_ar, order_sig;    /* entity: index into times */
	time_t *times;
	size_t ntimes, tcap;
} chk;

/* ---- Small helpers ---------------------------------------------------------- */

static const char *
keep(chk *c, xmlChar *s)
{
	if (s == NULL)
		return NULL;
	xgrow(&c->pool, sizeof *c->pool, &c->poolcap, c->npool);
	c->pool[c->npool++] = (char *)s;
	return (const char *)s;
}

/* The attribute (no namespace), or NULL. */
static const char *
attr(chk *c, xmlNodePtr n, const char *name)
{
	return keep(c, xmlGetNoNsProp(n, BAD_CAST name));
}

/* The element's text, trimmed (borrowed from the pool). */
static const char *
text(chk *c, xmlNodePtr n)
{
	char *s = (char *)xmlNodeGetContent(n);

	if (s == NULL)
		return "";
	keep(c, (xmlChar *)s);
	return str_trim(s);
}

static bool
is_odm(xmlNodePtr n)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    xmlStrcmp(n->ns->href, BAD_CAST ODM_NS) == 0;
}

static bool
is_el(xmlNodePtr n, const char *name)
{
	return is_odm(n) && xmlStrcmp(n->name, BAD_CAST name) == 0;
}

static const char *
nm(xmlNodePtr n)
{
	return (const char *)n->name;
}

static xmlNodePtr
child(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr k = n != NULL ? n->children : NULL; k != NULL; k = k->next)
		if (is_el(k, name))
			return k;
	return NULL;
}

static int
line(xmlNodePtr n)
{
	long l = n != NULL ? xmlGetLineNo(n) : 0;

	return l > 0 && l < 2147483647L ? (int)l : 0;
}

static void issue(chk *c, xmlNodePtr n, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void warn(chk *c, xmlNodePtr n, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
report(chk *c, xmlNodePtr n, bool warning, const char *rule, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof msg, fmt, ap);
	odm_report_add(c->r, line(n), warning, rule, "%s", msg);
}

static void
issue(chk *c, xmlNodePtr n, const char *rule, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(c, n, false, rule, fmt, ap);
	va_end(ap);
}

static void
warn(chk *c, xmlNodePtr n, const char *rule, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(c, n, true, rule, fmt, ap);
	va_end(ap);
}

/* Add a Def to set; a second one with the same OID is an ODM-08 error. */
static void
add_def(chk *c, odm_set *set, xmlNodePtr n, const char *oid, const char *where)
{
	bool found;
	const void *prev;

	if (oid == NULL)
		return;
	prev = odm_set_get(set, oid, &found);
	if (found) {
		issue(c, n, "ODM-08", "%s OID=\"%s\" is defined twice in %s (first at line %d)",
		    nm(n), oid, where, line((xmlNodePtr)prev));
		return;
	}
	odm_set_add(set, oid, n);
}

/* Look a Def up in an MDV and the ones it includes. */
static xmlNodePtr
def_get(const mdv *m, size_t off, const char *oid)
{
	for (int depth = 0; m != NULL && depth < 16 && oid != NULL; depth++, m = m->include) {
		const odm_set *set = (const odm_set *)((const char *)m + off);
		bool found;
		const void *v = odm_set_get(set, oid, &found);
		if (found)
			return (xmlNodePtr)v;
	}
	return NULL;
}

#define DEF(m, field, oid) def_get((m), offsetof(mdv, field), (oid))

static bool
has_code(const mdv *m, const char *list, const char *value)
{
	char *key = xasprintf("%s\x1f%s", list, value);
	bool found = false;

	for (int depth = 0; m != NULL && depth < 16 && !found; depth++, m = m->include)
		odm_set_get(&m->codes, key, &found);
	free(key);
	return found;
}

/* A datetime with its time; an issue when it is not one. */
static bool
stamp_of(chk *c, xmlNodePtr holder, time_t *t, bool *has_tz)
{
	xmlNodePtr d = child(holder, "DateTimeStamp");
	const char *s = d != NULL ? text(c, d) : NULL;

	if (s == NULL || !odm_parse_datetime(s, t, has_tz))
		return false;
	return true;
}

/* ---- Pass 1: the root ---------------------------------------------------------- */

static void
check_root(chk *c, xmlNodePtr root)
{
	const char *ver = attr(c, root, "ODMVersion");
	const char *type = attr(c, root, "FileType");
	const char *oid = attr(c, root, "FileOID");
	const char *cdt = attr(c, root, "CreationDateTime");
	const char *asof = attr(c, root, "AsOfDateTime");
	const char *arch = attr(c, root, "Archival");
	const char *prior = attr(c, root, "PriorFileOID");
	bool tz;

	if (ver == NULL || strcmp(ver, ODM_VERSION) != 0)
		issue(c, root, "ODM-02", "ODM: ODMVersion is %s%s%s, not \"" ODM_VERSION "\"",
		    ver ? "\"" : "", ver ? ver : "missing", ver ? "\"" : "");
	if (type == NULL || (strcmp(type, "Snapshot") != 0 && strcmp(type, "Transactional") != 0))
		issue(c, root, "ODM-02", "ODM: FileType must be Snapshot or Transactional");
	c->snapshot = type != NULL && strcmp(type, "Snapshot") == 0;
	c->transactional = type != NULL && strcmp(type, "Transactional") == 0;
	c->archival = arch != NULL && strcmp(arch, "Yes") == 0;
	c->has_prior = prior != NULL;
	if (str_blank(oid))
		issue(c, root, "ODM-02", "ODM: FileOID is missing");
	if (oid != NULL && prior != NULL && strcmp(oid, prior) == 0)
		issue(c, root, "ODM-02", "ODM: PriorFileOID is the file's own FileOID");
	if (c->archival && !c->transactional)
		issue(c, root, "ODM-02", "ODM: Archival=\"Yes\" needs FileType=\"Transactional\"");
	c->created_ok = cdt != NULL && odm_parse_datetime(cdt, &c->created, &tz);
	if (!c->created_ok)
		issue(c, root, "ODM-02", "ODM: CreationDateTime is %s", cdt != NULL ?
		    "not a complete datetime" : "missing");
	if (asof != NULL && c->created_ok) {
		time_t t;
		if (!odm_parse_datetime(asof, &t, &tz))
			issue(c, root, "ODM-02", "ODM: AsOfDateTime \"%s\" is not a complete datetime",
			    asof);
		else if (t > c->created)
			issue(c, root, "ODM-02", "ODM: AsOfDateTime %s is later than "
			    "CreationDateTime %s", asof, cdt);
	}
}

/* ---- Pass 2: definitions --------------------------------------------------------- */

static mdv *
find_mdv(const chk *c, const char *study_oid, const char *oid)
{
	for (size_t i = 0; i < c->nmdvs; i++)
		if (str_eq(c->mdvs[i]->study, study_oid) && str_eq(c->mdvs[i]->oid, oid))
			return c->mdvs[i];
	return NULL;
}

static void
collect_mdv(chk *c, study *s, xmlNodePtr n)
{
	mdv *m = xcalloc(1, sizeof *m);
	char where[256];

	m->study = s->oid;
	m->oid = attr(c, n, "OID");
	m->node = n;
	m->units = &s->units;
	if (find_mdv(c, m->study, m->oid) != NULL)
		issue(c, n, "ODM-08", "MetaDataVersion OID=\"%s\" is defined twice in Study \"%s\"",
		    m->oid ? m->oid : "", s->oid ? s->oid : "");
	xgrow(&c->mdvs, sizeof *c->mdvs, &c->mcap, c->nmdvs);
	c->mdvs[c->nmdvs++] = m;
	snprintf(where, sizeof where, "MetaDataVersion \"%s\"", m->oid ? m->oid : "");
	for (xmlNodePtr k = n->children; k != NULL; k = k->next) {
		if (!is_odm(k))
			continue;
		if (is_el(k, "StudyEventDef"))
			add_def(c, &m->events, k, attr(c, k, "OID"), where);
		else if (is_el(k, "FormDef"))
			add_def(c, &m->forms, k, attr(c, k, "OID"), where);
		else if (is_el(k, "ItemGroupDef"))
			add_def(c, &m->groups, k, attr(c, k, "OID"), where);
		else if (is_el(k, "ItemDef"))
			add_def(c, &m->items, k, attr(c, k, "OID"), where);
		else if (is_el(k, "ConditionDef"))
			add_def(c, &m->conditions, k, attr(c, k, "OID"), where);
		else if (is_el(k, "MethodDef"))
			add_def(c, &m->methods, k, attr(c, k, "OID"), where);
		else if (is_el(k, "CodeList")) {
			const char *oid = attr(c, k, "OID");
			add_def(c, &m->lists, k, oid, where);
			for (xmlNodePtr i = k->children; oid != NULL && i != NULL; i = i->next) {
				if (is_el(i, "CodeListItem") || is_el(i, "EnumeratedItem")) {
					const char *v = attr(c, i, "CodedValue");
					char *key = xasprintf("%s\x1f%s", oid, v ? v : "");
					if (!odm_set_add(&m->codes, key, i))
						issue(c, i, "ODM-08", "%s CodedValue=\"%s\" appears twice in "
						    "CodeList \"%s\"", nm(i), v ? v : "", oid);
					free(key);
				}
			}
		} else if (is_el(k, "Protocol")) {
			for (xmlNodePtr r = k->children; r != NULL; r = r->next)
				if (is_el(r, "StudyEventRef")) {
					const char *oid = attr(c, r, "StudyEventOID");
					if (oid != NULL)
						odm_set_add(&m->protocol, oid, r);
				}
		}
	}
}

static void
collect_admin(chk *c, xmlNodePtr a)
{
	for (xmlNodePtr k = a->children; k != NULL; k = k->next) {
		if (is_el(k, "User"))
			add_def(c, &c->users, k, attr(c, k, "OID"), "AdminData");
		else if (is_el(k, "Location"))
			add_def(c, &c->locations, k, attr(c, k, "OID"), "AdminData");
		else if (is_el(k, "SignatureDef"))
			add_def(c, &c->sigdefs, k, attr(c, k, "OID"), "AdminData");
	}
}

/* Every ID attribute of the document (ODM's are all called ID). */
static void
collect_ids(chk *c, xmlNodePtr n)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is_odm(n)) {
			const char *id = attr(c, n, "ID");
			bool found;
			const void *prev;

			if (id != NULL) {
				prev = odm_set_get(&c->ids, id, &found);
				if (found)
					issue(c, n, "ODM-05", "%s ID=\"%s\" is used twice (first by %s at "
					    "line %d)", nm(n), id, nm((xmlNodePtr)prev), line((xmlNodePtr)prev));
				else
					odm_set_add(&c->ids, id, n);
			}
		}
		collect_ids(c, n->children);
	}
}

static void
collect(chk *c, xmlNodePtr root)
{
	for (xmlNodePtr k = root->children; k != NULL; k = k->next) {
		if (is_el(k, "Study")) {
			study *s = xcalloc(1, sizeof *s);
			xmlNodePtr bd = child(k, "BasicDefinitions");

			s->oid = attr(c, k, "OID");
			for (size_t i = 0; i < c->nstudies; i++)
				if (str_eq(c->studies[i]->oid, s->oid))
					issue(c, k, "ODM-08", "Study OID=\"%s\" appears twice", s->oid ?
					    s->oid : "");
			xgrow(&c->studies, sizeof *c->studies, &c->scap, c->nstudies);
			c->studies[c->nstudies++] = s;
			for (xmlNodePtr u = bd != NULL ? bd->children : NULL; u != NULL; u = u->next)
				if (is_el(u, "MeasurementUnit"))
					add_def(c, &s->units, u, attr(c, u, "OID"), "BasicDefinitions");
			for (xmlNodePtr m = k->children; m != NULL; m = m->next)
				if (is_el(m, "MetaDataVersion"))
					collect_mdv(c, s, m);
		} else if (is_el(k, "AdminData")) {
			collect_admin(c, k);
		}
	}
	/* Includes, once every MetaDataVersion is known. */
	for (size_t i = 0; i < c->nmdvs; i++) {
		xmlNodePtr inc = child(c->mdvs[i]->node, "Include");
		const char *so, *mo;

		if (inc == NULL)
			continue;
		so = attr(c, inc, "StudyOID");
		mo = attr(c, inc, "MetaDataVersionOID");
		c->mdvs[i]->include = find_mdv(c, so, mo);
		if (c->mdvs[i]->include == NULL)
			issue(c, inc, "ODM-05", "Include StudyOID=\"%s\" MetaDataVersionOID=\"%s\": no "
			    "such MetaDataVersion in this file", so ? so : "", mo ? mo : "");
	}
	collect_ids(c, root);
}

/* ---- Pass 2b: metadata rules ---------------------------------------------------------- */

/* Refs named ref under parent: each resolves in set (by attribute key),
 * no OID and no OrderNumber twice. */
static void
check_refs(chk *c, const mdv *m, xmlNodePtr parent, const char *ref, const char *key,
    size_t off, const char *what)
{
	odm_set oids = { 0 }, orders = { 0 };

	for (xmlNodePtr r = parent->children; r != NULL; r = r->next) {
		const char *oid, *ord;

		if (!is_el(r, ref))
			continue;
		oid = attr(c, r, key);
		ord = attr(c, r, "OrderNumber");
		if (oid != NULL && def_get(m, off, oid) == NULL)
			issue(c, r, "ODM-05", "%s %s=\"%s\": no %s with this OID in "
			    "MetaDataVersion \"%s\"", ref, key, oid, what, m->oid ? m->oid : "");
		if (oid != NULL && !odm_set_add(&oids, oid, r))
			issue(c, r, "ODM-08", "%s %s=\"%s\" appears twice in %s", ref, key, oid,
			    nm(parent));
		if (ord != NULL && !odm_set_add(&orders, ord, r))
			issue(c, r, "ODM-08", "%s OrderNumber=\"%s\" appears twice in %s", ref, ord,
			    nm(parent));
		if (str_eq(ref, "ItemRef")) {
			const char *mo = attr(c, r, "MethodOID");
			const char *co = attr(c, r, "CollectionExceptionConditionOID");
			if (mo != NULL && DEF(m, methods, mo) == NULL)
				issue(c, r, "ODM-05", "ItemRef MethodOID=\"%s\": no MethodDef with this OID",
				    mo);
			if (co != NULL && DEF(m, conditions, co) == NULL)
				issue(c, r, "ODM-05", "ItemRef CollectionExceptionConditionOID=\"%s\": no "
				    "ConditionDef with this OID", co);
		}
	}
	odm_set_free(&oids);
	odm_set_free(&orders);
}

static void
check_unit_ref(chk *c, const mdv *m, xmlNodePtr ref)
{
	const char *oid = attr(c, ref, "MeasurementUnitOID");
	bool found = false;

	if (oid != NULL && m->units != NULL)
		odm_set_get(m->units, oid, &found);
	if (oid != NULL && !found)
		issue(c, ref, "ODM-05", "MeasurementUnitRef MeasurementUnitOID=\"%s\": no "
		    "MeasurementUnit with this OID in the Study's BasicDefinitions", oid);
}

static void
check_itemdef(chk *c, const mdv *m, xmlNodePtr d)
{
	const char *oid = attr(c, d, "OID");
	const char *dt = attr(c, d, "DataType");
	const char *len = attr(c, d, "Length");
	const char *sig = attr(c, d, "SignificantDigits");
	xmlNodePtr clr = child(d, "CodeListRef");

	if (oid == NULL)
		oid = "";
	if (dt != NULL && (strcmp(dt, "text") == 0 || strcmp(dt, "string") == 0) && len == NULL)
		issue(c, d, "ODM-08", "ItemDef \"%s\" of DataType %s has no Length", oid, dt);
	if (dt != NULL && strcmp(dt, "float") == 0 && (len == NULL) != (sig == NULL))
		issue(c, d, "ODM-08", "ItemDef \"%s\" of DataType float gives %s without %s: "
		    "Length and SignificantDigits go together", oid, len ? "Length" :
		    "SignificantDigits", len ? "SignificantDigits" : "Length");
	for (xmlNodePtr k = d->children; k != NULL; k = k->next) {
		if (is_el(k, "MeasurementUnitRef")) {
			check_unit_ref(c, m, k);
		} else if (is_el(k, "RangeCheck")) {
			const char *cmp = attr(c, k, "Comparator");
			size_t nvals = 0;

			for (xmlNodePtr v = k->children; v != NULL; v = v->next) {
				if (is_el(v, "CheckValue"))
					nvals++;
				else if (is_el(v, "MeasurementUnitRef"))
					check_unit_ref(c, m, v);
			}
			if (cmp != NULL && strcmp(cmp, "IN") != 0 && strcmp(cmp, "NOTIN") != 0 &&
			    nvals > 1)
				issue(c, k, "ODM-08", "RangeCheck Comparator=\"%s\" of ItemDef \"%s\" has "
				    "%zu CheckValues: a range check is one-sided, a range needs two", cmp,
				    oid, nvals);
		}
	}
	if (clr != NULL) {
		const char *cl = attr(c, clr, "CodeListOID");
		xmlNodePtr list = DEF(m, lists, cl);

		if (cl != NULL && list == NULL) {
			issue(c, clr, "ODM-05", "CodeListRef CodeListOID=\"%s\" of ItemDef \"%s\": no "
			    "CodeList with this OID in MetaDataVersion \"%s\"", cl, oid,
			    m->oid ? m->oid : "");
		} else if (list != NULL) {
			const char *ldt = attr(c, list, "DataType");
			if (dt != NULL && ldt != NULL && strcmp(dt, ldt) != 0)
				issue(c, clr, "ODM-08", "ItemDef \"%s\" is %s but its CodeList \"%s\" is %s: "
				    "they must be the same DataType", oid, dt, cl, ldt);
		}
	}
}

static void
check_metadata(chk *c)
{
	for (size_t i = 0; i < c->nmdvs; i++) {
		mdv *m = c->mdvs[i];

		for (xmlNodePtr k = m->node->children; k != NULL; k = k->next) {
			if (is_el(k, "Protocol"))
				check_refs(c, m, k, "StudyEventRef", "StudyEventOID", offsetof(mdv, events),
				    "StudyEventDef");
			else if (is_el(k, "StudyEventDef"))
				check_refs(c, m, k, "FormRef", "FormOID", offsetof(mdv, forms), "FormDef");
			else if (is_el(k, "FormDef"))
				check_refs(c, m, k, "ItemGroupRef", "ItemGroupOID", offsetof(mdv, groups),
				    "ItemGroupDef");
			else if (is_el(k, "ItemGroupDef"))
				check_refs(c, m, k, "ItemRef", "ItemOID", offsetof(mdv, items), "ItemDef");
			else if (is_el(k, "ItemDef"))
				check_itemdef(c, m, k);
		}
	}
}

static void
check_admin(chk *c, xmlNodePtr root)
{
	for (xmlNodePtr a = root->children; a != NULL; a = a->next) {
		if (!is_el(a, "AdminData"))
			continue;
		for (xmlNodePtr k = a->children; k != NULL; k = k->next) {
			for (xmlNodePtr r = k->children; r != NULL; r = r->next) {
				if (is_el(r, "LocationRef")) {
					const char *oid = attr(c, r, "LocationOID");
					bool found;
					odm_set_get(&c->locations, oid ? oid : "", &found);
					if (!found)
						issue(c, r, "ODM-05", "LocationRef LocationOID=\"%s\" of %s: no "
						    "Location with this OID in the AdminData", oid ? oid : "",
						    nm(k));
				} else if (is_el(r, "MetaDataVersionRef")) {
					const char *so = attr(c, r, "StudyOID");
					const char *mo = attr(c, r, "MetaDataVersionOID");
					if (find_mdv(c, so, mo) == NULL)
						issue(c, r, "ODM-05", "MetaDataVersionRef StudyOID=\"%s\" "
						    "MetaDataVersionOID=\"%s\": no such MetaDataVersion in this "
						    "file", so ? so : "", mo ? mo : "");
				}
			}
		}
	}
}

/* ---- Pass 3: clinical data ---------------------------------------------------------------- */

/* What an element inherits from its parent. */
typedef struct level {
	const mdv *m;
	const char *tt;         /* effective TransactionType, or NULL */
	xmlNodePtr ar;          /* the AuditRecord that applies, or NULL */
	const char *key;        /* entity key */
	xmlNodePtr def;         /* the parent's Def (NULL when unresolved) */
} level;

/* Check one AuditRecord (or Signature) where it stands: its refs, its
 * time (with an offset for AuditRecords) not after CreationDateTime. */
static void
check_stamped(chk *c, xmlNodePtr n)
{
	xmlNodePtr u = child(n, "UserRef"), l = child(n, "LocationRef");
	xmlNodePtr s = child(n, "SignatureRef"), d = child(n, "DateTimeStamp");
	time_t t;
	bool tz;

	if (u != NULL) {
		const char *oid = attr(c, u, "UserOID");
		bool found;
		odm_set_get(&c->users, oid ? oid : "", &found);
		if (!found)
			issue(c, u, "ODM-05", "UserRef UserOID=\"%s\" of %s: no User with this OID in "
			    "the AdminData", oid ? oid : "", nm(n));
	}
	if (l != NULL) {
		const char *oid = attr(c, l, "LocationOID");
		bool found;
		odm_set_get(&c->locations, oid ? oid : "", &found);
		if (!found)
			issue(c, l, "ODM-05", "LocationRef LocationOID=\"%s\" of %s: no Location with "
			    "this OID in the AdminData", oid ? oid : "", nm(n));
	}
	if (s != NULL) {
		const char *oid = attr(c, s, "SignatureOID");
		bool found;
		odm_set_get(&c->sigdefs, oid ? oid : "", &found);
		if (!found)
			issue(c, s, "ODM-05", "SignatureRef SignatureOID=\"%s\": no SignatureDef with "
			    "this OID in the AdminData", oid ? oid : "");
	}
	if (d == NULL)
		return;
	if (!stamp_of(c, n, &t, &tz)) {
		issue(c, d, "ODM-03", "DateTimeStamp \"%s\" of %s is not a complete datetime",
		    text(c, d), nm(n));
		return;
	}
	if (is_el(n, "AuditRecord") && !tz)
		issue(c, d, "ODM-03", "DateTimeStamp \"%s\" of AuditRecord has no UTC offset "
		    "(+hh:mm or Z)", text(c, d));
	if (c->created_ok && t > c->created)
		issue(c, d, "ODM-06", "DateTimeStamp \"%s\" of %s is later than the file's "
		    "CreationDateTime", text(c, d), nm(n));
}

/* A time per entity, kept in c->times; set's value is its index + 1. */
static void
check_order(chk *c, odm_set *set, const char *key, xmlNodePtr stamped, const char *what)
{
	time_t t;
	bool tz, found;
	const void *v;

	if (!stamp_of(c, stamped, &t, &tz))
		return;
	v = odm_set_get(set, key, &found);
	if (found) {
		size_t i = (size_t)(uintptr_t)v - 1;
		if (t < c->times[i])
			issue(c, stamped, "ODM-06", "%s of %s is dated %s, earlier than the one before "
			    "it for the same data: they must be in ascending DateTimeStamp order",
			    what, key, text(c, child(stamped, "DateTimeStamp")));
		else
			c->times[i] = t;
		return;
	}
	xgrow(&c->times, sizeof *c->times, &c->tcap, c->ntimes);
	c->times[c->ntimes++] = t;
	odm_set_add(set, key, (const void *)(uintptr_t)c->ntimes);
}

/* A list (AuditRecords, Signatures) in ascending DateTimeStamp order. */
static void
check_list(chk *c, xmlNodePtr list, const char *item)
{
	time_t last = 0, t;
	bool any = false, tz;

	for (xmlNodePtr k = list->children; k != NULL; k = k->next) {
		if (!is_el(k, item))
			continue;
		if (attr(c, k, "ID") == NULL)
			issue(c, k, "ODM-05", "%s in %s has no ID: nothing can refer to it", item, nm(list));
		check_stamped(c, k);
		if (!stamp_of(c, k, &t, &tz))
			continue;
		if (any && t < last)
			issue(c, k, "ODM-06", "%s ID=\"%s\" is dated %s, earlier than the %s before it "
			    "in %s: they must be in ascending DateTimeStamp order", item,
			    attr(c, k, "ID") ? attr(c, k, "ID") : "", text(c, child(k, "DateTimeStamp")),
			    item, nm(list));
		last = t;
		any = true;
	}
}

/* Remove an entity and (unless it is a value, which has none) everything
 * under it from the existing ones. */
static void
remove_entity(chk *c, const char *key, bool leaf)
{
	size_t kl = strlen(key), n = 0, cap = 0;
	char **under = NULL;

	odm_set_del(&c->exists, key);
	if (leaf)
		return;
	for (size_t i = 0; i < c->exists.cap; i++) {
		const char *k = c->exists.keys[i];
		if (k != NULL && strncmp(k, key, kl) == 0 && k[kl] == '|') {
			xgrow(&under, sizeof *under, &cap, n);
			under[n++] = xstrdup(k);
		}
	}
	for (size_t i = 0; i < n; i++) {
		odm_set_del(&c->exists, under[i]);
		free(under[i]);
	}
	free(under);
}

/*
 * What every data element goes through: its TransactionType, its
 * AuditRecord (own, AuditRecordID, or inherited), and the existence of
 * its entity in a Transactional file.  Returns the effective
 * TransactionType; *ar the AuditRecord that applies.
 */
static const char *
transaction(chk *c, xmlNodePtr n, const level *up, const char *key, xmlNodePtr own_ar,
    xmlNodePtr *ar, bool top)
{
	const char *tt = attr(c, n, "TransactionType");
	const char *eff = tt != NULL ? tt : up->tt;

	*ar = own_ar != NULL ? own_ar : up->ar;
	if (c->snapshot) {
		if (tt != NULL && strcmp(tt, "Insert") != 0)
			issue(c, n, "ODM-04", "%s TransactionType=\"%s\" in a Snapshot file: a Snapshot "
			    "allows only Insert", nm(n), tt);
		if (own_ar != NULL)
			issue(c, own_ar, "ODM-04", "AuditRecord in a Snapshot file (of %s): a Snapshot "
			    "carries no audit records", nm(n));
		return eff;
	}
	if (!c->transactional)
		return eff;
	if (top && tt == NULL)
		issue(c, n, "ODM-03", "%s has no TransactionType: the top-level data element of a "
		    "Transactional file must state it", nm(n));
	if (tt != NULL && strcmp(tt, "Upsert") == 0 && c->archival)
		issue(c, n, "ODM-03", "%s TransactionType=\"Upsert\" in an Archival file", nm(n));
	if (tt != NULL && *ar == NULL)
		issue(c, n, "ODM-03", "%s TransactionType=\"%s\" has no AuditRecord (its own, an "
		    "ancestor's or by AuditRecordID)", nm(n), tt);
	if (eff != NULL && *ar != NULL && strcmp(eff, "Context") != 0)
		check_order(c, &c->order_ar, key, *ar, "AuditRecord");
	if (eff != NULL && !c->has_prior) {
		bool exists;

		odm_set_get(&c->exists, key, &exists);
		if (strcmp(eff, "Insert") == 0) {
			if (exists)
				issue(c, n, "ODM-03", "%s %s is inserted but exists already (an Insert "
				    "needs a new entity; a change is an Update)", nm(n), key);
			else
				odm_set_add(&c->exists, key, n);
		} else if (strcmp(eff, "Upsert") == 0) {
			odm_set_add(&c->exists, key, n);
		} else if (!exists) {
			issue(c, n, "ODM-03", "%s %s has TransactionType %s but does not exist: no "
			    "Insert came before it", nm(n), key, eff);
			if (strcmp(eff, "Remove") != 0)
				odm_set_add(&c->exists, key, n);
		} else if (strcmp(eff, "Remove") == 0) {
			remove_entity(c, key, strncmp(nm(n), "ItemData", 8) == 0);
		}
	}
	return eff;
}

/* The Signature child of a data element: its refs, and its order among
 * the signatures of the same entity. */
static void
signature_of(chk *c, xmlNodePtr n, const char *key)
{
	xmlNodePtr s = child(n, "Signature");

	if (s == NULL)
		return;
	check_stamped(c, s);
	check_order(c, &c->order_sig, key, s, "Signature");
}

/* Annotation children: their Flags' code lists and values. */
static void
annotations_of(chk *c, const mdv *m, xmlNodePtr n)
{
	for (xmlNodePtr a = n->children; a != NULL; a = a->next) {
		if (!is_el(a, "Annotation"))
			continue;
		if (c->snapshot) {
			const char *tt = attr(c, a, "TransactionType");
			if (tt != NULL && strcmp(tt, "Insert") != 0)
				issue(c, a, "ODM-04", "Annotation TransactionType=\"%s\" in a Snapshot "
				    "file", tt);
		}
		for (xmlNodePtr f = a->children; f != NULL; f = f->next) {
			if (!is_el(f, "Flag"))
				continue;
			for (xmlNodePtr v = f->children; v != NULL; v = v->next) {
				const char *cl, *val;
				if (!is_el(v, "FlagValue") && !is_el(v, "FlagType"))
					continue;
				cl = attr(c, v, "CodeListOID");
				val = text(c, v);
				if (m == NULL || cl == NULL)
					continue;
				if (DEF(m, lists, cl) == NULL)
					issue(c, v, "ODM-05", "%s CodeListOID=\"%s\": no CodeList with this "
					    "OID in MetaDataVersion \"%s\"", nm(v), cl, m->oid ? m->oid : "");
				else if (!has_code(m, cl, val))
					issue(c, v, "ODM-07", "%s \"%s\" is not a CodedValue of CodeList \"%s\"",
					    nm(v), val, cl);
			}
		}
	}
}

/* The repeat key of a data element against its Def's Repeating. */
static void
repeat_key(chk *c, xmlNodePtr n, xmlNodePtr def, const char *keyattr, const char *rk)
{
	const char *rep;

	if (def == NULL)
		return;
	rep = attr(c, def, "Repeating");
	if (rep != NULL && strcmp(rep, "Yes") == 0 && rk == NULL)
		issue(c, n, "ODM-06", "%s has no %s but %s \"%s\" is Repeating=\"Yes\"", nm(n),
		    keyattr, nm(def), attr(c, def, "OID"));
	else if ((rep == NULL || strcmp(rep, "Yes") != 0) && rk != NULL)
		issue(c, n, "ODM-06", "%s has %s=\"%s\" but %s \"%s\" is not repeating", nm(n),
		    keyattr, rk, nm(def), attr(c, def, "OID"));
}

/* Does the parent Def have a Ref (name, attribute) to oid? */
static bool
has_ref(chk *c, xmlNodePtr def, const char *ref, const char *key, const char *oid)
{
	for (xmlNodePtr r = def->children; r != NULL; r = r->next)
		if (is_el(r, ref) && str_eq(attr(c, r, key), oid))
			return true;
	return false;
}

/* The IDREF attribute of a typed value, to an element named want. */
static xmlNodePtr
idref(chk *c, xmlNodePtr n, const char *attrname, const char *want)
{
	const char *id = attr(c, n, attrname);
	bool found;
	xmlNodePtr t;

	if (id == NULL)
		return NULL;
	t = (xmlNodePtr)odm_set_get(&c->ids, id, &found);
	if (!found) {
		issue(c, n, "ODM-05", "%s %s=\"%s\": no element has this ID", nm(n), attrname, id);
		return NULL;
	}
	if (!is_el(t, want)) {
		issue(c, n, "ODM-05", "%s %s=\"%s\" refers to %s at line %d, not to %s", nm(n),
		    attrname, id, nm(t), line(t), want);
		return NULL;
	}
	return t;
}

/* A numeric value against one Hard RangeCheck; false when it fails. */
static bool
range_ok(chk *c, xmlNodePtr rc, double v)
{
	const char *cmp = attr(c, rc, "Comparator");
	bool in = false;
	size_t n = 0;

	if (cmp == NULL)
		return true;
	for (xmlNodePtr k = rc->children; k != NULL; k = k->next) {
		double cv;
		if (!is_el(k, "CheckValue") || !parse_double(text(c, k), &cv))
			continue;
		n++;
		if (strcmp(cmp, "IN") == 0 || strcmp(cmp, "NOTIN") == 0) {
			in = in || v == cv;
			continue;
		}
		if ((strcmp(cmp, "LT") == 0 && !(v < cv)) || (strcmp(cmp, "LE") == 0 && !(v <= cv)) ||
		    (strcmp(cmp, "GT") == 0 && !(v > cv)) || (strcmp(cmp, "GE") == 0 && !(v >= cv)) ||
		    (strcmp(cmp, "EQ") == 0 && !(v == cv)) || (strcmp(cmp, "NE") == 0 && !(v != cv)))
			return false;
	}
	if (n > 0 && strcmp(cmp, "IN") == 0)
		return in;
	if (n > 0 && strcmp(cmp, "NOTIN") == 0)
		return !in;
	return true;
}

/* Does typed element name suit DataType dt?  ItemDataString: text or
 * string; ItemDataX: DataType x (case aside); ItemDataAny: anything. */
static bool
type_fits(const char *name, const char *dt)
{
	const char *x = name + strlen("ItemData");

	if (strcmp(x, "Any") == 0)
		return true;
	if (strcmp(x, "String") == 0)
		return strcmp(dt, "text") == 0 || strcmp(dt, "string") == 0;
	return str_ieq(x, dt);
}

static void
check_value(chk *c, xmlNodePtr n, const level *up, bool untyped)
{
	const char *oid = attr(c, n, "ItemOID");
	const char *isnull = attr(c, n, "IsNull");
	const char *mu = attr(c, n, "MeasurementUnitOID");
	xmlNodePtr def = up->m != NULL ? DEF(up->m, items, oid) : NULL;
	xmlNodePtr own_ar = idref(c, n, "AuditRecordID", "AuditRecord");
	xmlNodePtr sig = idref(c, n, "SignatureID", "Signature");
	char *key = xasprintf("%s|%s", up->key, oid ? oid : "");
	const char *tt, *value = untyped ? attr(c, n, "Value") : text(c, n);
	xmlNodePtr ar;
	bool seen;

	idref(c, n, "AnnotationID", "Annotation");
	if (own_ar != NULL && (own_ar->parent == NULL || !is_el(own_ar->parent, "AuditRecords")))
		issue(c, n, "ODM-05", "%s AuditRecordID=\"%s\" refers to an AuditRecord that is not "
		    "in an AuditRecords list", nm(n), attr(c, n, "AuditRecordID"));
	if (sig != NULL)
		check_order(c, &c->order_sig, key, sig, "Signature");
	if (up->m != NULL && oid != NULL && def == NULL)
		issue(c, n, "ODM-05", "%s ItemOID=\"%s\": no ItemDef with this OID in "
		    "MetaDataVersion \"%s\"", nm(n), oid, up->m->oid ? up->m->oid : "");
	else if (def != NULL && up->def != NULL && !has_ref(c, up->def, "ItemRef", "ItemOID", oid))
		issue(c, n, "ODM-05", "%s ItemOID=\"%s\" is not an item of ItemGroupDef \"%s\"",
		    nm(n), oid, attr(c, up->def, "OID"));
	if (mu != NULL && up->m != NULL) {
		bool found = false;
		if (up->m->units != NULL)
			odm_set_get(up->m->units, mu, &found);
		if (!found)
			issue(c, n, "ODM-05", "%s MeasurementUnitOID=\"%s\": no MeasurementUnit with "
			    "this OID", nm(n), mu);
	}
	tt = transaction(c, n, up, key, own_ar, &ar, false);
	if (c->snapshot) {
		odm_set_get(&c->seen, key, &seen);
		if (seen)
			issue(c, n, "ODM-04", "%s %s appears twice in a Snapshot file: a Snapshot has "
			    "one value per item", nm(n), key);
		else
			odm_set_add(&c->seen, key, n);
	}
	if (c->transactional && tt != NULL && ar != NULL &&
	    (strcmp(tt, "Update") == 0 || strcmp(tt, "Remove") == 0) &&
	    child(ar, "ReasonForChange") == NULL)
		warn(c, n, "ODM-03", "%s %s: a change (%s) without a ReasonForChange", nm(n), key, tt);
	if (value == NULL)
		value = "";
	if (def != NULL && !untyped) {
		const char *dt = attr(c, def, "DataType");
		xmlNodePtr clr = child(def, "CodeListRef");
		bool empty = isnull != NULL || *value == '\0' ||
		    (tt != NULL && strcmp(tt, "Remove") == 0);

		if (dt != NULL && !type_fits(nm(n), dt))
			issue(c, n, "ODM-07", "%s for ItemDef \"%s\" of DataType %s: the element must "
			    "match the DataType (or be ItemDataAny)", nm(n), oid, dt);
		if (clr != NULL && !empty && strcmp(nm(n), "ItemDataAny") != 0) {
			const char *cl = attr(c, clr, "CodeListOID");
			if (cl != NULL && DEF(up->m, lists, cl) != NULL && !has_code(up->m, cl, value))
				issue(c, n, "ODM-07", "%s \"%s\" of %s is not a CodedValue of CodeList "
				    "\"%s\"", nm(n), value, oid, cl);
		}
		if (!empty && (strcmp(nm(n), "ItemDataInteger") == 0 ||
		    strcmp(nm(n), "ItemDataFloat") == 0)) {
			double v;
			if (parse_double(value, &v)) {
				for (xmlNodePtr rc = def->children; rc != NULL; rc = rc->next)
					if (is_el(rc, "RangeCheck") && str_eq(attr(c, rc, "SoftHard"), "Hard") &&
					    !range_ok(c, rc, v))
						issue(c, n, "ODM-08", "%s %s of %s fails its Hard RangeCheck "
						    "(line %d)", nm(n), value, oid, line(rc));
			}
		}
	}
	free(key);
}

static void data_element(chk *c, xmlNodePtr n, const level *up, int depth);

/* SubjectData, StudyEventData, FormData, ItemGroupData. */
static void
data_element(chk *c, xmlNodePtr n, const level *up, int depth)
{
	static const struct {
		const char *el, *oid_attr, *rk_attr, *def_kind, *ref, *ref_attr;
		size_t off;
	} lv[] = {
		{ "SubjectData", "SubjectKey", NULL, NULL, NULL, NULL, 0 },
		{ "StudyEventData", "StudyEventOID", "StudyEventRepeatKey", "StudyEventDef", NULL,
		  NULL, offsetof(mdv, events) },
		{ "FormData", "FormOID", "FormRepeatKey", "FormDef", "FormRef", "FormOID",
		  offsetof(mdv, forms) },
		{ "ItemGroupData", "ItemGroupOID", "ItemGroupRepeatKey", "ItemGroupDef",
		  "ItemGroupRef", "ItemGroupOID", offsetof(mdv, groups) },
	};
	const char *id = attr(c, n, lv[depth].oid_attr);
	const char *rk = lv[depth].rk_attr != NULL ? attr(c, n, lv[depth].rk_attr) : NULL;
	xmlNodePtr def = NULL, ar;
	level me = *up;
	char *key;

	if (id == NULL)
		id = "";
	key = up->key[0] == '\0' ? xstrdup(id) : rk != NULL ?
	    xasprintf("%s|%s[%s]", up->key, id, rk) : xasprintf("%s|%s", up->key, id);
	if (depth > 0 && up->m != NULL) {
		def = def_get(up->m, lv[depth].off, id);
		if (def == NULL) {
			issue(c, n, "ODM-05", "%s %s=\"%s\": no %s with this OID in MetaDataVersion "
			    "\"%s\"", nm(n), lv[depth].oid_attr, id, lv[depth].def_kind,
			    up->m->oid ? up->m->oid : "");
		} else if (depth == 1) {
			bool found;
			odm_set_get(&up->m->protocol, id, &found);
			if (!found)
				issue(c, n, "ODM-05", "StudyEventData StudyEventOID=\"%s\" is not in the "
				    "Protocol of MetaDataVersion \"%s\"", id, up->m->oid ? up->m->oid : "");
		} else if (up->def != NULL && !has_ref(c, up->def, lv[depth].ref, lv[depth].ref_attr,
		    id)) {
			issue(c, n, "ODM-05", "%s %s=\"%s\" is not a %s of %s \"%s\"", nm(n),
			    lv[depth].oid_attr, id, lv[depth].ref, nm(up->def), attr(c, up->def, "OID"));
		}
		repeat_key(c, n, def, lv[depth].rk_attr, rk);
	}
	me.tt = transaction(c, n, up, key, child(n, "AuditRecord"), &ar, depth == 0);
	me.ar = ar;
	me.key = key;
	me.def = def;
	if (child(n, "AuditRecord") != NULL)
		check_stamped(c, child(n, "AuditRecord"));
	signature_of(c, n, key);
	annotations_of(c, up->m, n);
	for (xmlNodePtr k = n->children; k != NULL; k = k->next) {
		if (depth == 0 && is_el(k, "SiteRef")) {
			const char *oid = attr(c, k, "LocationOID");
			bool found;
			odm_set_get(&c->locations, oid ? oid : "", &found);
			if (!found)
				issue(c, k, "ODM-05", "SiteRef LocationOID=\"%s\": no Location with this "
				    "OID in the AdminData", oid ? oid : "");
		} else if (depth == 0 && is_el(k, "InvestigatorRef")) {
			const char *oid = attr(c, k, "UserOID");
			bool found;
			odm_set_get(&c->users, oid ? oid : "", &found);
			if (!found)
				issue(c, k, "ODM-05", "InvestigatorRef UserOID=\"%s\": no User with this OID "
				    "in the AdminData", oid ? oid : "");
		} else if (depth < 3 && is_el(k, lv[depth + 1].el)) {
			data_element(c, k, &me, depth + 1);
		} else if (depth == 3 && is_el(k, "ItemData")) {
			issue(c, k, "ODM-07", "untyped ItemData ItemOID=\"%s\": crf reads and writes "
			    "typed ItemData[TYPE] only (the schema does not check untyped values)",
			    attr(c, k, "ItemOID") ? attr(c, k, "ItemOID") : "");
			check_value(c, k, &me, true);
		} else if (depth == 3 && is_odm(k) && strncmp(nm(k), "ItemData", 8) == 0) {
			check_value(c, k, &me, false);
		}
	}
	free(key);
}

static void
check_clinical(chk *c, xmlNodePtr root)
{
	for (xmlNodePtr cd = root->children; cd != NULL; cd = cd->next) {
		const char *so, *mo;
		level top = { 0 };

		if (!is_el(cd, "ClinicalData"))
			continue;
		so = attr(c, cd, "StudyOID");
		mo = attr(c, cd, "MetaDataVersionOID");
		top.m = find_mdv(c, so, mo);
		top.key = "";
		if (top.m == NULL)
			issue(c, cd, "ODM-05", "ClinicalData StudyOID=\"%s\" MetaDataVersionOID=\"%s\": "
			    "no such Study and MetaDataVersion in this file", so ? so : "", mo ? mo : "");
		for (xmlNodePtr k = cd->children; k != NULL; k = k->next) {
			if (is_el(k, "SubjectData")) {
				data_element(c, k, &top, 0);
			} else if (is_el(k, "AuditRecords")) {
				if (c->snapshot)
					issue(c, k, "ODM-04", "AuditRecords in a Snapshot file: a Snapshot "
					    "carries no audit records");
				check_list(c, k, "AuditRecord");
			} else if (is_el(k, "Signatures")) {
				check_list(c, k, "Signature");
			} else if (is_el(k, "Annotations")) {
				annotations_of(c, top.m, k);
			}
		}
	}
}

/* ---- The entry point ------------------------------------------------------------------------ */

typedef struct parse_sink {
	odm_report *r;
} parse_sink;

#if LIBXML_VERSION >= 21200
static void
parse_error(void *ud, const xmlError *e)
#else
static void
parse_error(void *ud, xmlErrorPtr e)
#endif
{
	parse_sink *s = ud;
	char msg[512];
	size_t n;

	if (e->level == XML_ERR_WARNING)
		return;
	str_copy(msg, e->message != NULL ? e->message : "not well-formed", sizeof msg);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	odm_report_add(s->r, e->line, false, "XML", "%s", msg);
}

static void
chk_free(chk *c)
{
	for (size_t i = 0; i < c->npool; i++)
		xmlFree(c->pool[i]);
	free(c->pool);
	for (size_t i = 0; i < c->nstudies; i++) {
		odm_set_free(&c->studies[i]->units);
		free(c->studies[i]);
	}
	free(c->studies);
	for (size_t i = 0; i < c->nmdvs; i++) {
		mdv *m = c->mdvs[i];
		odm_set_free(&m->events);
		odm_set_free(&m->forms);
		odm_set_free(&m->groups);
		odm_set_free(&m->items);
		odm_set_free(&m->lists);
		odm_set_free(&m->conditions);
		odm_set_free(&m->methods);
		odm_set_free(&m->protocol);
		odm_set_free(&m->codes);
		free(m);
	}
	free(c->mdvs);
	odm_set_free(&c->users);
	odm_set_free(&c->locations);
	odm_set_free(&c->sigdefs);
	odm_set_free(&c->ids);
	odm_set_free(&c->exists);
	odm_set_free(&c->seen);
	odm_set_free(&c->order_ar);
	odm_set_free(&c->order_sig);
	free(c->times);
}

crf_status
odm_check(const char *xml, size_t len, const char *name, odm_report *r, crf_err *err)
{
	parse_sink ps = { r };
	chk c = { 0 };
	xmlDocPtr doc;
	xmlNodePtr root;
	size_t before = r->errors;

	if (xml_runtime(err) != CRF_OK)
		return CRF_EIO;
	if (len > 2147483647u) {
		odm_report_add(r, 0, false, "XML", "the file is too large (over 2 GiB)");
		return CRF_OK;
	}
	xmlSetStructuredErrorFunc(&ps, parse_error);
	doc = xmlReadMemory(xml, (int)len, name, NULL, XML_PARSE_NONET | XML_PARSE_BIG_LINES);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (doc == NULL) {
		if (r->errors == before)
			odm_report_add(r, 0, false, "XML", "the file is not well-formed XML");
		return CRF_OK;
	}
	c.r = r;
	root = xmlDocGetRootElement(doc);
	if (!is_el(root, "ODM")) {
		odm_report_add(r, line(root), false, "ODM-02", "the root element is %s, not ODM in "
		    "the namespace " ODM_NS, root != NULL ? nm(root) : "missing");
		xmlFreeDoc(doc);
		return CRF_OK;
	}
	check_root(&c, root);
	collect(&c, root);
	check_metadata(&c);
	check_admin(&c, root);
	check_clinical(&c, root);
	chk_free(&c);
	xmlFreeDoc(doc);
	return CRF_OK;
}
