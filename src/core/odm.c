/*
 * odm.c - the site as one CDISC ODM 1.3.2 document (odm.h): metadata
 * from the form definitions, admin data from the accounts and the site,
 * clinical data from the store (current values, or every change of the
 * audit trail); and the XML Schema check.  The semantic checks are in
 * odm_check.c.
 *
 * THE MAPPING (docs/exchange.md says the same for people)
 *
 *  study.ini              Study OID = study id; GlobalVariables; one
 *                         MetaDataVersion "MDV.<version>"
 *  event                  StudyEventDef "SE.<EVENT>": Scheduled, or
 *                         Unscheduled and Repeating when `repeating`
 *  the logs               one StudyEventDef ODM_LOGS_EVENT_OID, Type
 *                         Common, not repeating, whose FormDefs repeat
 *  form                   FormDef "F.<FORM>" with one ItemGroupDef
 *                         "IG.<FORM>" holding every field in form order
 *                         (sections are layout: they change without
 *                         changing an OID)
 *  field                  ItemDef "IT.<FORM>.<FIELD>"; info fields have
 *                         no data and no ItemDef
 *  choice list            CodeList "CL.<LIST>" (integer when every code is
 *                         a whole number, text otherwise)
 *  unit                   MeasurementUnit "MU.<unit in ASCII>"
 *  account, site          User "USR.<login>", Location "LOC.<site>"
 *  signature meaning      SignatureDef "SD.FORM", "SD.EVENT", "SD.CASEBOOK"
 *  missing-data code      the value's element is ItemDataAny IsNull="Yes"
 *                         with AnnotationID "AN.MISSING.<CODE>", an
 *                         Annotation whose Flag carries the code from
 *                         code list ODM_CL_MISSING
 *  form status            an Annotation (SeqNum 1) of the FormData whose
 *                         Flag carries the status from ODM_CL_FORMSTATUS
 *  audit row              Transactional: one SubjectData per row, in seq
 *                         order, with the row's AuditRecord "AR.<seq>"
 *                         (inherited by everything inside); containers
 *                         that exist already are sent as Context
 *
 * Everything is read into memory first (users, subjects, the trail or
 * the current values), so that the AdminData can name every user that
 * the clinical data refers to, then written in one pass.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlwriter.h>

#include "crf/central.h"
#include "crf/date.h"
#include "crf/lifecycle.h"
#include "crf/odm.h"
#include "crf/signoff.h"
#include "crf/util.h"
#include "crf/version.h"
#include "crf/xmlrt.h"
#include "odm_impl.h"

/* Text lengths crf enforces at entry (validate.c TEXT_MAXLEN and
 * MEMO_MAXLEN): the ODM Length of a text or memo field without its own. */
#define ODM_TEXT_LENGTH 200
#define ODM_MEMO_LENGTH 2000

/* ---- A set of strings ------------------------------------------------- */

static size_t
set_hash(const char *s)
{
	size_t h = 1469598103934665603ULL & (size_t)-1;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= (size_t)1099511628211ULL;
	}
	return h;
}

static size_t
set_slot(const odm_set *s, const char *key)
{
	size_t i = set_hash(key) & (s->cap - 1);

	while (s->keys[i] != NULL && strcmp(s->keys[i], key) != 0)
		i = (i + 1) & (s->cap - 1);
	return i;
}

const void *
odm_set_get(const odm_set *s, const char *key, bool *found)
{
	size_t i;

	if (found != NULL)
		*found = false;
	if (s->cap == 0)
		return NULL;
	i = set_slot(s, key);
	if (s->keys[i] == NULL)
		return NULL;
	if (found != NULL)
		*found = true;
	return s->vals[i];
}

static void
set_grow(odm_set *s)
{
	odm_set t = { 0 };

	t.cap = s->cap ? s->cap * 2 : 64;
	t.keys = xcalloc(t.cap, sizeof *t.keys);
	t.vals = xcalloc(t.cap, sizeof *t.vals);
	for (size_t i = 0; i < s->cap; i++) {
		if (s->keys[i] != NULL) {
			size_t j = set_slot(&t, s->keys[i]);
			t.keys[j] = s->keys[i];
			t.vals[j] = s->vals[i];
			t.n++;
		}
	}
	free(s->keys);
	free(s->vals);
	*s = t;
}

bool
odm_set_add(odm_set *s, const char *key, const void *val)
{
	size_t i;

	if ((s->n + 1) * 2 > s->cap)
		set_grow(s);
	i = set_slot(s, key);
	if (s->keys[i] != NULL)
		return false;
	s->keys[i] = xstrdup(key);
	s->vals[i] = val;
	s->n++;
	return true;
}

bool
odm_set_del(odm_set *s, const char *key)
{
	size_t i, j;

	if (s->cap == 0)
		return false;
	i = set_slot(s, key);
	if (s->keys[i] == NULL)
		return false;
	free(s->keys[i]);
	s->keys[i] = NULL;
	s->n--;
	/* Put back the entries of the same run (linear probing). */
	for (j = (i + 1) & (s->cap - 1); s->keys[j] != NULL; j = (j + 1) & (s->cap - 1)) {
		char *k = s->keys[j];
		const void *v = s->vals[j];
		size_t to;

		s->keys[j] = NULL;
		to = set_slot(s, k);
		s->keys[to] = k;
		s->vals[to] = v;
	}
	return true;
}

void
odm_set_free(odm_set *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->keys[i]);
	free(s->keys);
	free(s->vals);
	memset(s, 0, sizeof *s);
}

/* ---- Times -------------------------------------------------------------- */

static bool
digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static long long
days_from_civil(int y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

bool
odm_parse_datetime(const char *s, time_t *t, bool *has_tz)
{
	int y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;
	const char *p;

	if (s == NULL || strlen(s) < 19 || !digits(s, 4, &y) || s[4] != '-' ||
	    !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d) ||
	    s[10] != 'T' || !digits(s + 11, 2, &h) || s[13] != ':' ||
	    !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &se))
		return false;
	if (!date_valid_ymd(y, mo, d) || h > 23 || mi > 59 || se > 60)
		return false;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
	}
	*has_tz = false;
	if (*p == 'Z') {
		*has_tz = true;
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) ||
		    oh > 23 || om > 59)
			return false;
		*has_tz = true;
		p += 6;
	}
	if (*p != '\0')
		return false;
	*t = (time_t)(days_from_civil(y, mo, d) * 86400LL + h * 3600LL + mi * 60LL + se -
	    sign * (oh * 3600LL + om * 60LL));
	return true;
}

/* "+08:00" -> 28800; false unless exactly [+-]HH:MM. */
static bool
parse_offset(const char *off, long *secs)
{
	int h, m;

	if (off == NULL || strlen(off) != 6 || (off[0] != '+' && off[0] != '-') ||
	    !digits(off + 1, 2, &h) || off[3] != ':' || !digits(off + 4, 2, &m) ||
	    h > 23 || m > 59)
		return false;
	*secs = (off[0] == '-' ? -1L : 1L) * (h * 3600L + m * 60L);
	return true;
}

/* The local clock reading with its offset, ODM's DateTimeStamp form:
 * "2026-11-25T08:00:00Z" at "+08:00" -> "2026-11-25T16:00:00+08:00".
 * Without a usable offset the UTC time with "Z".  false when ts_utc is
 * not a stored UTC time. */
static bool
local_stamp(const char *ts_utc, const char *off, char *buf, size_t n)
{
	time_t t;
	long secs;
	struct tm tm;

	if (!clock_parse(ts_utc, &t))
		return false;
	if (!parse_offset(off, &secs)) {
		secs = 0;
		off = "Z";
	}
	t += secs;
	if (gmtime_r(&t, &tm) == NULL || strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		return false;
	str_copy(buf + strlen(buf), off, n - strlen(buf));
	return true;
}

/* ---- OIDs --------------------------------------------------------------- */

static char *
upper_dup(const char *s)
{
	char *u = xstrdup(s);

	for (char *p = u; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return u;
}

/* prefix followed by s upper-cased (owned): "F." and "dm" give "F.DM". */
static char *
oid_upper(const char *prefix, const char *s)
{
	char *u = upper_dup(s), *oid = xasprintf("%s%s", prefix, u);

	free(u);
	return oid;
}

char *
odm_oid_mdv(int metadata_version)
{
	return xasprintf("MDV.%d", metadata_version);
}

char *
odm_oid_event(const char *event)
{
	if (event == NULL || *event == '\0')
		return xstrdup(ODM_LOGS_EVENT_OID);
	return oid_upper("SE.", event);
}

char *
odm_oid_form(const char *form)
{
	return oid_upper("F.", form);
}

char *
odm_oid_group(const char *form)
{
	return oid_upper("IG.", form);
}

char *
odm_oid_item(const char *form, const char *field)
{
	char *uf = upper_dup(form), *ui = upper_dup(field);
	char *oid = xasprintf("IT.%s.%s", uf, ui);

	free(uf);
	free(ui);
	return oid;
}

char *
odm_oid_list(const char *list)
{
	return oid_upper("CL.", list);
}

char *
odm_oid_user(const char *login)
{
	return xasprintf("USR.%s", login != NULL && *login ? login : "unknown");
}

char *
odm_oid_location(const char *site_code)
{
	return xasprintf("LOC.%s", site_code);
}

char *
odm_id_missing(const char *code)
{
	return xasprintf("AN.MISSING.%s", code);
}

char *
odm_id_audit(long long seq)
{
	return xasprintf("AR.%lld", seq);
}

const odm_subject_item odm_subject_items[ODM_SUBJECT_NITEMS] = {
	{ "IT.CRF.SUBJECT.STATUS", "subject-status", "status", "Subject status", "SUBJSTAT",
	    "Subject status (screening, enrolled, screen failure, withdrawn, completed, died)",
	    "受试者状态（筛选、入组、筛选失败、退出、完成、死亡）", false, 14 },
	{ "IT.CRF.SUBJECT.DATE", "status-date", "status_date", "Date of the status",
	    "SUBJSTDT", "Date the status took effect", "状态生效日期", true, 0 },
	{ "IT.CRF.SUBJECT.STUDYNO", "study-number", "study_no", "Study number", "STUDYNO",
	    "Study number given at enrolment", "入组时给予的研究编号", false, 24 },
};

const odm_subject_item *
odm_subject_item_by_oid(const char *oid)
{
	for (size_t i = 0; i < ODM_SUBJECT_NITEMS; i++)
		if (str_eq(oid, odm_subject_items[i].oid))
			return &odm_subject_items[i];
	return NULL;
}

const odm_subject_item *
odm_subject_item_by_action(const char *action)
{
	for (size_t i = 0; i < ODM_SUBJECT_NITEMS; i++)
		if (str_eq(action, odm_subject_items[i].action))
			return &odm_subject_items[i];
	return NULL;
}

char *
odm_slice_file_oid(const char *study, const char *centre, const char *site,
    odm_kind kind, time_t now)
{
	char utc[32];
	struct tm tm;

	if (gmtime_r(&now, &tm) == NULL || strftime(utc, sizeof utc, "%Y%m%dT%H%M%SZ", &tm) == 0)
		str_copy(utc, "0", sizeof utc);
	return xasprintf("crf/%s/%s%s%s/%s/%s", study, centre, site != NULL ? "/" : "",
	    site != NULL ? site : "", kind == ODM_SNAPSHOT ? "snapshot" : "transactional", utc);
}

char *
odm_file_oid(const char *study, const char *site, odm_kind kind, time_t now)
{
	return odm_slice_file_oid(study, site, NULL, kind, now);
}

/* ---- Field types ---------------------------------------------------------- */

/* What a field's values are: the calc result for calculated fields. */
static field_type
value_type(const field_def *f)
{
	field_type t = f->type == FT_CALC ? f->result : f->type;

	switch (t) {
	case FT_TEXT: case FT_MEMO: case FT_INTEGER: case FT_DECIMAL: case FT_DATE:
	case FT_PDATE: case FT_TIME: case FT_YESNO: case FT_CHOICE: case FT_MULTI:
		return t;
	default:
		return FT_TEXT;
	}
}

/* "-12", "0", "7": a whole number as a code list of integers needs it. */
static bool
canonical_integer(const char *s)
{
	bool neg = *s == '-';
	size_t n;

	if (neg)
		s++;
	n = strlen(s);
	if (n == 0 || n > 18 || (s[0] == '0' && (n > 1 || neg)))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* A choice list whose every code is a whole number is an integer code
 * list (CTCAE grades 1-5), any other a text one. */
static bool
list_is_integer(const choice_list *cl)
{
	if (cl->nitems == 0)
		return false;
	for (size_t i = 0; i < cl->nitems; i++)
		if (!canonical_integer(cl->items[i].code))
			return false;
	return true;
}

static const char *
odm_datatype(const field_def *f)
{
	switch (value_type(f)) {
	case FT_INTEGER: return "integer";
	case FT_DECIMAL: return "float";
	case FT_DATE: return "date";
	case FT_PDATE: return "partialDate";
	case FT_TIME: return "time";
	case FT_CHOICE:
		return f->choices != NULL && list_is_integer(f->choices) ? "integer" : "text";
	default: return "text";
	}
}

/* The typed ItemData element of a field's values. */
static const char *
odm_element(const field_def *f)
{
	const char *dt = odm_datatype(f);

	if (strcmp(dt, "integer") == 0)
		return "ItemDataInteger";
	if (strcmp(dt, "float") == 0)
		return "ItemDataFloat";
	if (strcmp(dt, "date") == 0)
		return "ItemDataDate";
	if (strcmp(dt, "partialDate") == 0)
		return "ItemDataPartialDate";
	if (strcmp(dt, "time") == 0)
		return "ItemDataTime";
	return "ItemDataString";
}

/* ---- The writer ------------------------------------------------------------ */

/* A signature meaning and its SignatureDef OID. */
typedef struct sigdef {
	signoff_scope scope;
	char *meaning;
	char *oid;
} sigdef;

/* A measurement unit and its OID. */
typedef struct unitdef {
	const char *unit;       /* borrowed from the field definitions */
	char *oid;
} unitdef;

/* A lock seen in the trail (EditPoint DBAudit for later changes). */
typedef struct lock_seen {
	size_t subject;
	const char *event;      /* NULL: casebook */
	int event_repeat;
	const char *form;       /* NULL: the whole event */
	int form_repeat;
} lock_seen;

/* One row of the merged trail. */
typedef struct trail_row {
	const audit_row *r;
	size_t subject;         /* index into the subjects */
	signed char db_audit;   /* EditPoint DBAudit: 1 yes, 0 no, -1 as the
	                           locks of the trail say (a site's own trail) */
} trail_row;

/* A form instance with its values (Snapshot). */
typedef struct snap_item {
	const field_def *f;
	const char *value;
	const char *missing;
} snap_item;

typedef struct snap_inst {
	const event_def *ev;    /* NULL: the logs */
	int event_repeat;
	const form_def *fd;
	int form_repeat;
	bool has_status;
	form_status status;
	snap_item *items;
	size_t nitems, cap;
	const signature_row *form_sig;
	const signature_row *event_sig;  /* on the first instance of its event */
} snap_inst;

/* Everything read for one subject. */
typedef struct subj_data {
	subject_row row;
	/* Snapshot */
	form_row *forms;
	size_t nforms;
	subject_item *items;
	size_t nitems;
	signature_row *sigs;
	size_t nsigs;
	snap_inst *insts;
	size_t ninsts, icap;
	const signature_row *casebook_sig;
	/* Transactional */
	audit_row *trail;
	size_t ntrail;
	signed char *db_audit;  /* a slice: each row's EditPoint (trail_row) */
	bool later;             /* has rows above opts.through_seq, left out */
} subj_data;

typedef struct ctx {
	store *st;
	const study_def *sd;
	const odm_opts *o;
	time_t now;
	odm_summary *sum;
	crf_err *err;
	crf_status cs;          /* the first failure */
	xmlTextWriterPtr w;
	bool bad;               /* an xmlTextWriter call failed */
	bool mute;              /* a transfer: replaying rows already sent,
	                           which only mark what exists */
	char *loc;              /* LOC.<site> */
	char *mdv;              /* MDV.<n> */
	user_row *users;
	size_t nusers;
	const char *slice;      /* opts.site: the site whose slice this is */
	site_admin_row *admin;  /* a slice: the site's admin data */
	size_t nadmin;
	char **extra;           /* audit users that are not accounts */
	size_t nextra, extracap;
	sigdef *sigdefs;
	size_t nsigdefs, sigcap;
	unitdef *units;
	size_t nunits, unitcap;
	subj_data *subjects;
	size_t nsubjects;
	trail_row *trail;
	size_t ntrail;
	lock_seen *locks;
	size_t nlocks, lockcap;
	odm_set exists;         /* Transactional: instances inserted so far */
} ctx;

static crf_status
fail(ctx *c, crf_status cs, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static crf_status
fail(ctx *c, crf_status cs, const char *fmt, ...)
{
	va_list ap;

	if (c->cs == CRF_OK) {
		c->cs = cs;
		if (c->err != NULL) {
			va_start(ap, fmt);
			vsnprintf(c->err->msg, sizeof c->err->msg, fmt, ap);
			va_end(ap);
		}
	}
	return c->cs;
}

static void
xs(ctx *c, const char *name)
{
	if (!c->mute && xmlTextWriterStartElement(c->w, BAD_CAST name) < 0)
		c->bad = true;
}

static void
xe(ctx *c)
{
	if (!c->mute && xmlTextWriterEndElement(c->w) < 0)
		c->bad = true;
}

static void
xa(ctx *c, const char *name, const char *value)
{
	if (value != NULL && !c->mute && xmlTextWriterWriteAttribute(c->w, BAD_CAST name,
	    BAD_CAST value) < 0)
		c->bad = true;
}

static void xaf(ctx *c, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
xaf(ctx *c, const char *name, const char *fmt, ...)
{
	char buf[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	xa(c, name, buf);
}

static void
xt(ctx *c, const char *text)
{
	if (!c->mute && xmlTextWriterWriteString(c->w, BAD_CAST text) < 0)
		c->bad = true;
}

/* <name>text</name> */
static void
xel(ctx *c, const char *name, const char *text)
{
	xs(c, name);
	xt(c, text);
	xe(c);
}

/* An empty element with one attribute: <UserRef UserOID="..."/>. */
static void
xref(ctx *c, const char *name, const char *attr, const char *value)
{
	xs(c, name);
	xa(c, attr, value);
	xe(c);
}

/* <parent><TranslatedText xml:lang="en">..</TranslatedText>(zh)</parent>;
 * fallback when there is no English text.  Nothing when neither. */
static void
translated(ctx *c, const char *parent, const i18n *t, const char *fallback)
{
	const char *en = t != NULL ? t->text[LANG_EN] : NULL;
	const char *zh = t != NULL ? t->text[LANG_ZH] : NULL;

	if (str_blank(en))
		en = fallback;
	if (str_blank(en) && str_blank(zh))
		return;
	xs(c, parent);
	if (!str_blank(en)) {
		xs(c, "TranslatedText");
		xa(c, "xml:lang", "en");
		xt(c, en);
		xe(c);
	}
	if (!str_blank(zh)) {
		xs(c, "TranslatedText");
		xa(c, "xml:lang", "zh");
		xt(c, zh);
		xe(c);
	}
	xe(c);
}

/* ---- Numbers -------------------------------------------------------------- */

/* The shortest plain decimal text (no exponent) that reads back as v. */
static void
fmt_decimal(double v, char *buf, size_t n)
{
	for (int p = 0; p <= 17; p++) {
		snprintf(buf, n, "%.*f", p, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

/* Digits before the decimal point of |v| (at least 1). */
static int
int_digits(double v)
{
	char buf[64];

	snprintf(buf, sizeof buf, "%.0f", floor(fabs(v)));
	return (int)strlen(buf);
}

/* ---- Units ---------------------------------------------------------------- */

/* "×10⁹/L" -> "x109_L", "%" -> "pct", "µg/kg" -> "ug_kg": ASCII letters,
 * digits and '.', with '_' for anything else. */
static char *
unit_ascii(const char *unit)
{
	strbuf sb = { 0 };
	const char *p = unit;

	while (*p) {
		unsigned long cp;
		int len = utf8_next(p, &cp);
		const char *a;

		if (len <= 0) {
			sb_add(&sb, "_");
			p++;
			continue;
		}
		if (cp < 128 && (isalnum((int)cp) || cp == '.'))
			sb_addn(&sb, p, 1);
		else if (cp == '%')
			sb_add(&sb, "pct");
		else if ((a = ascii_fallback(cp)) != NULL && isalnum((unsigned char)a[0]))
			sb_add(&sb, a);
		else
			sb_add(&sb, "_");
		p += len;
	}
	return sb_steal(&sb);
}

static const char *
unit_oid(ctx *c, const char *unit)
{
	for (size_t i = 0; i < c->nunits; i++)
		if (strcmp(c->units[i].unit, unit) == 0)
			return c->units[i].oid;
	return NULL;
}

/* Every unit of the study, in form and field order, each with an OID
 * ("MU.kg"); two units that read the same in ASCII get ".2", ".3"... */
static void
collect_units(ctx *c)
{
	for (size_t i = 0; i < c->sd->nforms; i++) {
		const form_def *fd = &c->sd->forms[i];

		for (size_t j = 0; j < fd->nfields; j++) {
			const char *u = fd->fields[j].unit;
			char *a, *oid;
			int k = 1;

			if (str_blank(u) || fd->fields[j].type == FT_INFO || unit_oid(c, u) != NULL)
				continue;
			a = unit_ascii(u);
			oid = xasprintf("MU.%s", a);
			for (;;) {
				bool taken = false;
				for (size_t m = 0; m < c->nunits; m++)
					taken = taken || strcmp(c->units[m].oid, oid) == 0;
				if (!taken)
					break;
				free(oid);
				oid = xasprintf("MU.%s.%d", a, ++k);
			}
			free(a);
			xgrow(&c->units, sizeof *c->units, &c->unitcap, c->nunits);
			c->units[c->nunits].unit = u;
			c->units[c->nunits].oid = oid;
			c->nunits++;
		}
	}
}

/* ---- Signature meanings and users ------------------------------------------ */

static const char *
scope_upper(signoff_scope s)
{
	switch (s) {
	case SCOPE_FORM: return "FORM";
	case SCOPE_EVENT: return "EVENT";
	default: return "CASEBOOK";
	}
}

/* The SignatureDef OID of (scope, meaning), adding it when new: the
 * meanings crf uses now are "SD.<SCOPE>"; another meaning found in the
 * data (an older wording) gets "SD.<SCOPE>.2", ".3"... */
static const sigdef *
sigdef_put(ctx *c, signoff_scope scope, const char *meaning, char *oid)
{
	xgrow(&c->sigdefs, sizeof *c->sigdefs, &c->sigcap, c->nsigdefs);
	c->sigdefs[c->nsigdefs].scope = scope;
	c->sigdefs[c->nsigdefs].meaning = xstrdup(meaning);
	c->sigdefs[c->nsigdefs].oid = oid;
	return &c->sigdefs[c->nsigdefs++];
}

static const char *
sigdef_oid(ctx *c, signoff_scope scope, const char *meaning)
{
	int same_scope = 0;

	if (meaning == NULL)
		meaning = signoff_meaning(scope);
	for (size_t i = 0; i < c->nsigdefs; i++) {
		if (c->sigdefs[i].scope != scope)
			continue;
		same_scope++;
		if (strcmp(c->sigdefs[i].meaning, meaning) == 0)
			return c->sigdefs[i].oid;
	}
	return sigdef_put(c, scope, meaning, same_scope == 0 ?
	    xasprintf("SD.%s", scope_upper(scope)) :
	    xasprintf("SD.%s.%d", scope_upper(scope), same_scope + 1))->oid;
}

/* The scope of a SignatureDef OID crf wrote ("SD.FORM", "SD.EVENT.2"...),
 * or -1. */
static int
sigdef_scope(const char *oid)
{
	for (int sc = SCOPE_FORM; sc <= SCOPE_CASEBOOK; sc++) {
		size_t l = strlen(scope_upper((signoff_scope)sc));

		if (str_starts(oid, "SD.") && strncmp(oid + 3, scope_upper((signoff_scope)sc), l) == 0 &&
		    (oid[3 + l] == '\0' || oid[3 + l] == '.'))
			return sc;
	}
	return -1;
}

/* The meaning of SignatureDef oid (scope: of the record that names it):
 * the site's own, which a slice has registered, else crf's own for
 * "SD.<SCOPE>"; an OID the site never defined is registered with itself
 * as its meaning, so that it still resolves. */
static const char *
sigdef_meaning(ctx *c, signoff_scope scope, const char *oid)
{
	char *own = xasprintf("SD.%s", scope_upper(scope));
	bool is_own = str_eq(oid, own);

	free(own);
	for (size_t i = 0; i < c->nsigdefs; i++)
		if (str_eq(c->sigdefs[i].oid, oid))
			return c->sigdefs[i].meaning;
	return sigdef_put(c, scope, is_own ? signoff_meaning(scope) : oid,
	    xstrdup(oid))->meaning;
}

/* A slice: the site's signature meanings, crf's three first in the order
 * a site registers them, then the site's others. */
static void
slice_sigdefs(ctx *c)
{
	for (int sc = SCOPE_FORM; sc <= SCOPE_CASEBOOK; sc++) {
		char *oid = xasprintf("SD.%s", scope_upper((signoff_scope)sc));
		const char *meaning = signoff_meaning((signoff_scope)sc);

		for (size_t i = 0; i < c->nadmin; i++)
			if (str_eq(c->admin[i].kind, "signature") && str_eq(c->admin[i].oid, oid) &&
			    !str_blank(c->admin[i].name))
				meaning = c->admin[i].name;
		sigdef_put(c, (signoff_scope)sc, meaning, oid);
	}
	for (size_t i = 0; i < c->nadmin; i++) {
		const site_admin_row *a = &c->admin[i];
		int sc = sigdef_scope(a->oid);
		bool have = false;

		if (!str_eq(a->kind, "signature") || sc < 0)
			continue;
		for (size_t j = 0; j < c->nsigdefs; j++)
			have = have || str_eq(c->sigdefs[j].oid, a->oid);
		if (!have)
			sigdef_put(c, (signoff_scope)sc, !str_blank(a->name) ? a->name : a->oid,
			    xstrdup(a->oid));
	}
}

/* Note a user named by the clinical data; users without an account (the
 * operating-system account of a command, crf itself) get a User too. */
static void
note_user(ctx *c, const char *login)
{
	if (str_blank(login))
		login = "unknown";
	for (size_t i = 0; i < c->nusers; i++)
		if (strcmp(c->users[i].login, login) == 0)
			return;
	for (size_t i = 0; i < c->nadmin; i++)
		if (str_eq(c->admin[i].kind, "user") && str_eq(c->admin[i].oid, login))
			return;
	for (size_t i = 0; i < c->nextra; i++)
		if (strcmp(c->extra[i], login) == 0)
			return;
	xgrow(&c->extra, sizeof *c->extra, &c->extracap, c->nextra);
	c->extra[c->nextra++] = xstrdup(login);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- Resolving stored keys against the definitions ------------------------- */

static bool
event_has_form(const event_def *ev, const form_def *fd)
{
	for (size_t i = 0; i < ev->nforms; i++)
		if (ev->forms[i] == fd)
			return true;
	return false;
}

static bool
is_log(const study_def *sd, const form_def *fd)
{
	for (size_t i = 0; i < sd->nlogs; i++)
		if (sd->logs[i] == fd)
			return true;
	return false;
}

/* The event and form of a stored form instance, checked: the event has
 * the form (or it is a log, event ""), repeat numbers only where the
 * definitions repeat.  where names it in messages. */
static bool
resolve_instance(ctx *c, const char *where, const char *event, int er,
    const char *form, int fr, const event_def **ev_out, const form_def **fd_out)
{
	const form_def *fd = form != NULL ? study_form(c->sd, form) : NULL;
	const event_def *ev = NULL;

	if (fd == NULL) {
		fail(c, CRF_EDEF, "%s: form '%s' is not in the form definitions; an ODM "
		    "file cannot hold its data", where, form != NULL ? form : "");
		return false;
	}
	if (event == NULL || *event == '\0') {
		if (!is_log(c->sd, fd)) {
			fail(c, CRF_EDEF, "%s: form '%s' is stored as a log but is not one "
			    "of study.ini's logs", where, form);
			return false;
		}
		if (fr < 1) {
			fail(c, CRF_EDEF, "%s: log '%s' has repeat %d", where, form, fr);
			return false;
		}
	} else {
		ev = study_event(c->sd, event);
		if (ev == NULL) {
			fail(c, CRF_EDEF, "%s: event '%s' is not in study.ini; an ODM file "
			    "cannot hold its data", where, event);
			return false;
		}
		if (!event_has_form(ev, fd)) {
			fail(c, CRF_EDEF, "%s: event '%s' has no form '%s' in study.ini",
			    where, event, form);
			return false;
		}
		if (er < 1 || (!ev->repeating && er != 1)) {
			fail(c, CRF_EDEF, "%s: event '%s' has repeat %d but is %s", where,
			    event, er, ev->repeating ? "numbered from 1" : "not repeating");
			return false;
		}
		if (fr != 1) {
			fail(c, CRF_EDEF, "%s: form '%s' of event '%s' has repeat %d but "
			    "repeats only as a log", where, form, event, fr);
			return false;
		}
	}
	*ev_out = ev;
	*fd_out = fd;
	return true;
}

static const field_def *
resolve_field(ctx *c, const char *where, const form_def *fd, const char *field)
{
	const field_def *f = field != NULL ? form_field(fd, field) : NULL;

	if (f == NULL || f->type == FT_INFO) {
		fail(c, CRF_EDEF, "%s: field '%s' of form '%s' is not in the form "
		    "definitions; an ODM file cannot hold its value", where,
		    field != NULL ? field : "", fd->id);
		return NULL;
	}
	return f;
}

static bool
check_missing(ctx *c, const char *where, const char *code)
{
	if (code != NULL && study_missing_index(c->sd, code) < 0) {
		fail(c, CRF_EDEF, "%s: missing-data code '%s' is not declared in "
		    "study.ini [missing]", where, code);
		return false;
	}
	return true;
}

/* ---- Metadata --------------------------------------------------------------- */

static void
write_rangecheck(ctx *c, const char *cmp, const char *level, double v)
{
	char num[64];

	fmt_decimal(v, num, sizeof num);
	xs(c, "RangeCheck");
	xa(c, "Comparator", cmp);
	xa(c, "SoftHard", level);
	xel(c, "CheckValue", num);
	xe(c);
}

static void
write_ranges(ctx *c, const numrange *r, const char *level)
{
	if (r->has_min)
		write_rangecheck(c, "GE", level, r->min);
	if (r->has_max)
		write_rangecheck(c, "LE", level, r->max);
}

/* The widest bound of a field's ranges, for Length; false without both
 * bounds of one range. */
static bool
range_extent(const field_def *f, double *lo, double *hi)
{
	const numrange *r = f->hard.has_min && f->hard.has_max ? &f->hard :
	    f->soft.has_min && f->soft.has_max ? &f->soft : NULL;

	if (r == NULL)
		return false;
	*lo = r->min;
	*hi = r->max;
	return true;
}

static void
write_itemdef(ctx *c, const form_def *fd, const field_def *f)
{
	char *oid = odm_oid_item(fd->id, f->id);
	field_type t = value_type(f);
	const char *dt = odm_datatype(f);
	strbuf comment = { 0 };
	double lo, hi;

	xs(c, "ItemDef");
	xa(c, "OID", oid);
	xa(c, "Name", f->export_name != NULL ? f->export_name : f->id);
	xa(c, "DataType", dt);
	if (strcmp(dt, "text") == 0) {
		size_t len = 0;

		if (t == FT_YESNO) {
			len = 1;
		} else if (t == FT_CHOICE || t == FT_MULTI) {
			size_t sum = 0;
			for (size_t i = 0; f->choices != NULL && i < f->choices->nitems; i++) {
				size_t l = strlen(f->choices->items[i].code);
				len = l > len ? l : len;
				sum += l + (i > 0);
			}
			if (t == FT_MULTI)
				len = sum;
		} else {
			len = f->maxlen > 0 ? (size_t)f->maxlen :
			    t == FT_MEMO ? ODM_MEMO_LENGTH : ODM_TEXT_LENGTH;
		}
		xaf(c, "Length", "%zu", len > 0 ? len : 1);
	} else if (strcmp(dt, "integer") == 0) {
		if (t == FT_CHOICE && f->choices != NULL) {
			size_t len = 1;
			for (size_t i = 0; i < f->choices->nitems; i++)
				if (strlen(f->choices->items[i].code) > len)
					len = strlen(f->choices->items[i].code);
			xaf(c, "Length", "%zu", len);
		} else if (range_extent(f, &lo, &hi)) {
			int d = int_digits(fabs(lo) > fabs(hi) ? lo : hi);
			xaf(c, "Length", "%d", d + (lo < 0 ? 1 : 0));
		}
	} else if (strcmp(dt, "float") == 0) {
		if (f->decimals >= 0 && range_extent(f, &lo, &hi)) {
			int d = int_digits(fabs(lo) > fabs(hi) ? lo : hi);
			xaf(c, "Length", "%d", d + f->decimals);
			xaf(c, "SignificantDigits", "%d", f->decimals);
		}
	}
	if (f->export_name != NULL)
		xa(c, "SASFieldName", f->export_name);
	if (f->type == FT_CALC)
		xa(c, "Origin", "Derived");
	if (f->identifier)
		sb_add(&comment, "Identifies the patient: its values are left out of "
		    "exports unless asked for (crf export --identifiers).");
	if (t == FT_MULTI && f->choices != NULL)
		sb_addf(&comment, "%sSeveral codes of list %s, joined by '|'.",
		    comment.len ? " " : "", f->choices->name);
	if (t == FT_TIME)
		sb_addf(&comment, "%sEntered to the minute (HH:MM:00).", comment.len ? " " : "");
	if (f->retired > 0)
		sb_addf(&comment, "%sNo longer entered from form version %d.",
		    comment.len ? " " : "", f->retired);
	if (comment.len)
		xa(c, "Comment", comment.s);
	sb_free(&comment);
	translated(c, "Description", &f->help, NULL);
	translated(c, "Question", &f->label, f->id);
	if (!str_blank(f->unit))
		xref(c, "MeasurementUnitRef", "MeasurementUnitOID", unit_oid(c, f->unit));
	if (t == FT_INTEGER || t == FT_DECIMAL) {
		write_ranges(c, &f->hard, "Hard");
		write_ranges(c, &f->soft, "Soft");
	}
	if (t == FT_CHOICE && f->choices != NULL) {
		char *cl = odm_oid_list(f->choices->name);
		xref(c, "CodeListRef", "CodeListOID", cl);
		free(cl);
	} else if (t == FT_YESNO) {
		xref(c, "CodeListRef", "CodeListOID", ODM_CL_YESNO);
	}
	xe(c);
	free(oid);
}

static void
write_codelist_item(ctx *c, const char *code, const char *en, const char *zh)
{
	i18n t = { { (char *)en, (char *)zh } };

	xs(c, "CodeListItem");
	xa(c, "CodedValue", code);
	translated(c, "Decode", &t, code);
	xe(c);
}

static void
write_codelists(ctx *c)
{
	const study_def *sd = c->sd;

	for (size_t i = 0; i < sd->nlists; i++) {
		const choice_list *cl = &sd->lists[i];
		char *oid = odm_oid_list(cl->name);

		if (cl->nitems == 0) {
			free(oid);
			continue;
		}
		xs(c, "CodeList");
		xa(c, "OID", oid);
		xa(c, "Name", cl->name);
		xa(c, "DataType", list_is_integer(cl) ? "integer" : "text");
		for (size_t j = 0; j < cl->nitems; j++)
			write_codelist_item(c, cl->items[j].code, cl->items[j].label.text[LANG_EN],
			    cl->items[j].label.text[LANG_ZH]);
		xe(c);
		free(oid);
	}
	xs(c, "CodeList");
	xa(c, "OID", ODM_CL_YESNO);
	xa(c, "Name", "yes/no");
	xa(c, "DataType", "text");
	write_codelist_item(c, "Y", "Yes", "是");
	write_codelist_item(c, "N", "No", "否");
	xe(c);
	if (sd->nmissing > 0) {
		xs(c, "CodeList");
		xa(c, "OID", ODM_CL_MISSING);
		xa(c, "Name", "missing-data codes");
		xa(c, "DataType", "text");
		for (size_t j = 0; j < sd->nmissing; j++)
			write_codelist_item(c, sd->missing[j].code, sd->missing[j].label.text[LANG_EN],
			    sd->missing[j].label.text[LANG_ZH]);
		xe(c);
	}
	xs(c, "CodeList");
	xa(c, "OID", ODM_CL_FORMSTATUS);
	xa(c, "Name", "form status");
	xa(c, "DataType", "text");
	write_codelist_item(c, form_status_name(FORM_INCOMPLETE), "Incomplete", "未完成");
	write_codelist_item(c, form_status_name(FORM_COMPLETE), "Complete", "已完成");
	xe(c);
	xs(c, "CodeList");
	xa(c, "OID", ODM_CL_SUBJECTSTATUS);
	xa(c, "Name", "subject status");
	xa(c, "DataType", "text");
	for (int st = 0; st < SUBJ_STATE_COUNT; st++)
		write_codelist_item(c, subject_state_name((subject_state)st),
		    subject_state_title((subject_state)st), NULL);
	xe(c);
	xs(c, "CodeList");
	xa(c, "OID", ODM_CL_FLAGTYPE);
	xa(c, "Name", "crf annotation flags");
	xa(c, "DataType", "text");
	write_codelist_item(c, "MISSING", "Missing-data code", "缺失数据代码");
	write_codelist_item(c, "STATUS", "Form status", "表单状态");
	xe(c);
}

/* A Ref element of the metadata: <EL ATTR="oid" OrderNumber="order"
 * Mandatory="Yes|No"/>. */
static void
write_ref(ctx *c, const char *el, const char *attr, const char *oid, size_t order,
    bool mandatory)
{
	xs(c, el);
	xa(c, attr, oid);
	xaf(c, "OrderNumber", "%zu", order);
	xa(c, "Mandatory", mandatory ? "Yes" : "No");
	xe(c);
}

static void
write_event_def(ctx *c, const event_def *ev)
{
	char *oid = odm_oid_event(ev->id);

	xs(c, "StudyEventDef");
	xa(c, "OID", oid);
	xa(c, "Name", !str_blank(ev->title.text[LANG_EN]) ? ev->title.text[LANG_EN] : ev->id);
	xa(c, "Repeating", ev->repeating ? "Yes" : "No");
	xa(c, "Type", ev->repeating ? "Unscheduled" : "Scheduled");
	translated(c, "Description", &ev->title, ev->id);
	for (size_t i = 0; i < ev->nforms; i++) {
		char *f = odm_oid_form(ev->forms[i]->id);
		write_ref(c, "FormRef", "FormOID", f, i + 1, true);
		free(f);
	}
	if (ev->has_day) {
		xs(c, "Alias");
		xa(c, "Context", "crf:day");
		xaf(c, "Name", "%d", ev->day);
		xe(c);
		if (ev->win_before || ev->win_after) {
			xs(c, "Alias");
			xa(c, "Context", "crf:window");
			xaf(c, "Name", "-%d..%d", ev->win_before, ev->win_after);
			xe(c);
		}
	}
	xe(c);
	free(oid);
}

/* The definitions of crf's subject-status record (odm.h). */
static void
write_subject_event_def(ctx *c)
{
	i18n t = { { (char *)"Subject status: enrolment, screen failure, withdrawal, "
	    "completion, death", (char *)"受试者状态：入组、筛选失败、退出、完成、死亡" } };

	xs(c, "StudyEventDef");
	xa(c, "OID", ODM_SUBJECT_EVENT_OID);
	xa(c, "Name", "Subject status");
	xa(c, "Repeating", "No");
	xa(c, "Type", "Common");
	translated(c, "Description", &t, NULL);
	write_ref(c, "FormRef", "FormOID", ODM_SUBJECT_FORM_OID, 1, true);
	xe(c);
}

static void
write_subject_form_def(ctx *c)
{
	xs(c, "FormDef");
	xa(c, "OID", ODM_SUBJECT_FORM_OID);
	xa(c, "Name", "Subject status");
	xa(c, "Repeating", "No");
	write_ref(c, "ItemGroupRef", "ItemGroupOID", ODM_SUBJECT_GROUP_OID, 1, true);
	xe(c);
}

static void
write_subject_group_def(ctx *c)
{
	xs(c, "ItemGroupDef");
	xa(c, "OID", ODM_SUBJECT_GROUP_OID);
	xa(c, "Name", "subject status");
	xa(c, "Repeating", "No");
	xa(c, "SASDatasetName", "SUBJSTAT");
	for (size_t i = 0; i < ODM_SUBJECT_NITEMS; i++) {
		write_ref(c, "ItemRef", "ItemOID", odm_subject_items[i].oid, i + 1, i == 0);
	}
	xe(c);
}

static void
write_subject_itemdefs(ctx *c)
{
	for (size_t i = 0; i < ODM_SUBJECT_NITEMS; i++) {
		const odm_subject_item *it = &odm_subject_items[i];
		i18n q = { { (char *)it->en, (char *)it->zh } };

		xs(c, "ItemDef");
		xa(c, "OID", it->oid);
		xa(c, "Name", it->name);
		xa(c, "DataType", it->is_date ? "date" : "text");
		if (!it->is_date)
			xaf(c, "Length", "%d", it->length);
		xa(c, "SASFieldName", it->sas);
		translated(c, "Question", &q, NULL);
		if (i == 0) {
			xs(c, "CodeListRef");
			xa(c, "CodeListOID", ODM_CL_SUBJECTSTATUS);
			xe(c);
		}
		xe(c);
	}
}

static void
write_metadata(ctx *c)
{
	const study_def *sd = c->sd;
	size_t order = 1;

	xs(c, "MetaDataVersion");
	xa(c, "OID", c->mdv);
	{
		char *name = xasprintf("%s metadata version %d", sd->id, sd->metadata_version);
		xa(c, "Name", name);
		free(name);
	}
	xs(c, "Protocol");
	for (size_t i = 0; i < sd->nevents; i++) {
		char *oid = odm_oid_event(sd->events[i].id);
		write_ref(c, "StudyEventRef", "StudyEventOID", oid, order++, false);
		free(oid);
	}
	if (sd->nlogs > 0) {
		write_ref(c, "StudyEventRef", "StudyEventOID", ODM_LOGS_EVENT_OID, order++, false);
	}
	write_ref(c, "StudyEventRef", "StudyEventOID", ODM_SUBJECT_EVENT_OID, order++, false);
	xe(c);
	for (size_t i = 0; i < sd->nevents; i++)
		write_event_def(c, &sd->events[i]);
	if (sd->nlogs > 0) {
		i18n t = { { (char *)"Logs (adverse events, medications and other "
		    "subject-level records)", (char *)"日志（不良事件、用药等受试者级记录）" } };
		xs(c, "StudyEventDef");
		xa(c, "OID", ODM_LOGS_EVENT_OID);
		xa(c, "Name", "Logs");
		xa(c, "Repeating", "No");
		xa(c, "Type", "Common");
		translated(c, "Description", &t, NULL);
		for (size_t i = 0; i < sd->nlogs; i++) {
			char *f = odm_oid_form(sd->logs[i]->id);
			write_ref(c, "FormRef", "FormOID", f, i + 1, false);
			free(f);
		}
		xe(c);
	}
	write_subject_event_def(c);
	for (size_t i = 0; i < sd->nforms; i++) {
		const form_def *fd = &sd->forms[i];
		char *oid = odm_oid_form(fd->id), *ig = odm_oid_group(fd->id);

		xs(c, "FormDef");
		xa(c, "OID", oid);
		xa(c, "Name", !str_blank(fd->title.text[LANG_EN]) ? fd->title.text[LANG_EN] : fd->id);
		xa(c, "Repeating", is_log(sd, fd) ? "Yes" : "No");
		translated(c, "Description", &fd->title, fd->id);
		write_ref(c, "ItemGroupRef", "ItemGroupOID", ig, 1, true);
		xs(c, "Alias");
		xa(c, "Context", "crf:version");
		xaf(c, "Name", "%d", fd->version);
		xe(c);
		xe(c);
		free(oid);
		free(ig);
	}
	write_subject_form_def(c);
	for (size_t i = 0; i < sd->nforms; i++) {
		const form_def *fd = &sd->forms[i];
		char *ig = odm_oid_group(fd->id), *sas = upper_dup(fd->id);
		size_t n = 0;

		xs(c, "ItemGroupDef");
		xa(c, "OID", ig);
		xa(c, "Name", fd->id);
		xa(c, "Repeating", "No");
		if (strlen(sas) <= 8)
			xa(c, "SASDatasetName", sas);
		if (!str_blank(fd->domain))
			xa(c, "Domain", fd->domain);
		for (size_t j = 0; j < fd->nfields; j++) {
			const field_def *f = &fd->fields[j];
			char *it;

			if (f->type == FT_INFO)
				continue;
			it = odm_oid_item(fd->id, f->id);
			write_ref(c, "ItemRef", "ItemOID", it, ++n, f->required);
			free(it);
		}
		xe(c);
		free(ig);
		free(sas);
	}
	write_subject_group_def(c);
	for (size_t i = 0; i < sd->nforms; i++)
		for (size_t j = 0; j < sd->forms[i].nfields; j++)
			if (sd->forms[i].fields[j].type != FT_INFO)
				write_itemdef(c, &sd->forms[i], &sd->forms[i].fields[j]);
	write_subject_itemdefs(c);
	write_codelists(c);
	xe(c);
}

static void
write_study(ctx *c)
{
	const study_def *sd = c->sd;
	const char *name = i18n_get(&sd->name, LANG_EN);

	xs(c, "Study");
	xa(c, "OID", sd->id);
	xs(c, "GlobalVariables");
	xel(c, "StudyName", !str_blank(name) ? name : sd->id);
	xel(c, "StudyDescription", !str_blank(name) ? name : sd->id);
	xel(c, "ProtocolName", !str_blank(sd->protocol) ? sd->protocol : sd->id);
	xe(c);
	if (c->nunits > 0) {
		xs(c, "BasicDefinitions");
		for (size_t i = 0; i < c->nunits; i++) {
			xs(c, "MeasurementUnit");
			xa(c, "OID", c->units[i].oid);
			xa(c, "Name", c->units[i].unit);
			xs(c, "Symbol");
			xel(c, "TranslatedText", c->units[i].unit);
			xe(c);
			xe(c);
		}
		xe(c);
	}
	write_metadata(c);
	xe(c);
}

/* ---- Admin data ----------------------------------------------------------------- */

static const char *
user_type(const char *role)
{
	if (str_eq(role, "investigator"))
		return "Investigator";
	if (str_eq(role, "monitor"))
		return "Sponsor";
	return "Other";
}

/* The name of the site the file is of. */
static const char *
location_name(const ctx *c)
{
	if (c->slice != NULL) {
		for (size_t i = 0; i < c->nadmin; i++)
			if (str_eq(c->admin[i].kind, "location") && !str_blank(c->admin[i].name))
				return c->admin[i].name;
		return c->slice;
	}
	return !str_blank(store_site_name(c->st)) ? store_site_name(c->st) :
	    store_site_code(c->st);
}

static void
write_admin(ctx *c)
{
	char eff[11] = "";

	xs(c, "AdminData");
	xa(c, "StudyOID", c->sd->id);
	for (size_t i = 0; i < c->nusers; i++) {
		const user_row *u = &c->users[i];
		char *oid = odm_oid_user(u->login);

		xs(c, "User");
		xa(c, "OID", oid);
		xa(c, "UserType", user_type(u->role));
		xel(c, "LoginName", u->login);
		if (!str_blank(u->full_name))
			xel(c, "FullName", u->full_name);
		xref(c, "LocationRef", "LocationOID", c->loc);
		xe(c);
		free(oid);
		/* The site's MetaDataVersion took effect with its first account. */
		if (u->created_at != NULL && strlen(u->created_at) >= 10 &&
		    (eff[0] == '\0' || strncmp(u->created_at, eff, 10) < 0))
			str_copy(eff, u->created_at, sizeof eff);
	}
	/* A slice: the site's users, as its latest file named them. */
	for (size_t i = 0; i < c->nadmin; i++) {
		const site_admin_row *a = &c->admin[i];
		static const char *const types[] = { "Sponsor", "Investigator", "Lab", "Other" };
		const char *type = "Other";
		char *oid;

		if (!str_eq(a->kind, "user"))
			continue;
		for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
			if (str_eq(a->detail, types[t]))
				type = types[t];
		oid = odm_oid_user(a->oid);
		xs(c, "User");
		xa(c, "OID", oid);
		xa(c, "UserType", type);
		xel(c, "LoginName", a->oid);
		if (!str_blank(a->name))
			xel(c, "FullName", a->name);
		xref(c, "LocationRef", "LocationOID", c->loc);
		xe(c);
		free(oid);
	}
	if (c->nextra > 1)
		qsort(c->extra, c->nextra, sizeof *c->extra, cmp_str);
	for (size_t i = 0; i < c->nextra; i++) {
		char *oid = odm_oid_user(c->extra[i]);

		xs(c, "User");
		xa(c, "OID", oid);
		xa(c, "UserType", "Other");
		xel(c, "LoginName", c->extra[i]);
		xe(c);
		free(oid);
	}
	for (size_t i = 0; i < c->nadmin; i++)
		if (str_eq(c->admin[i].kind, "location") && c->admin[i].detail != NULL &&
		    strlen(c->admin[i].detail) == 10)
			str_copy(eff, c->admin[i].detail, sizeof eff);
	if (eff[0] == '\0') {
		struct tm tm;
		if (gmtime_r(&c->now, &tm) == NULL || strftime(eff, sizeof eff, "%Y-%m-%d", &tm) == 0)
			str_copy(eff, "1970-01-01", sizeof eff);
	}
	xs(c, "Location");
	xa(c, "OID", c->loc);
	xa(c, "Name", location_name(c));
	xa(c, "LocationType", "Site");
	xs(c, "MetaDataVersionRef");
	xa(c, "StudyOID", c->sd->id);
	xa(c, "MetaDataVersionOID", c->mdv);
	xa(c, "EffectiveDate", eff);
	xe(c);
	xe(c);
	for (size_t i = 0; i < c->nsigdefs; i++) {
		xs(c, "SignatureDef");
		xa(c, "OID", c->sigdefs[i].oid);
		xa(c, "Methodology", "Electronic");
		xel(c, "Meaning", c->sigdefs[i].meaning);
		xel(c, "LegalReason", "Electronic signature under 21 CFR Part 11 (user ID and "
		    "password), the legally binding equivalent of the signer's handwritten "
		    "signature");
		xe(c);
	}
	xe(c);
}

/* ---- Clinical data: shared pieces --------------------------------------------------- */

static void
write_signature(ctx *c, const char *login, const char *sd_oid, const char *ts_utc,
    const char *off)
{
	char stamp[48], *user = odm_oid_user(login);

	if (!local_stamp(ts_utc, off, stamp, sizeof stamp)) {
		fail(c, CRF_EDB, "a signature by %s has no valid time (%s)", login,
		    ts_utc != NULL ? ts_utc : "none");
		free(user);
		return;
	}
	xs(c, "Signature");
	xref(c, "UserRef", "UserOID", user);
	xref(c, "LocationRef", "LocationOID", c->loc);
	xref(c, "SignatureRef", "SignatureOID", sd_oid);
	xel(c, "DateTimeStamp", stamp);
	xe(c);
	c->sum->signatures++;
	free(user);
}

/* The status annotation of a FormData. */
static void
write_status(ctx *c, const char *status)
{
	xs(c, "Annotation");
	xa(c, "SeqNum", "1");
	xs(c, "Flag");
	xs(c, "FlagValue");
	xa(c, "CodeListOID", ODM_CL_FORMSTATUS);
	xt(c, status);
	xe(c);
	xs(c, "FlagType");
	xa(c, "CodeListOID", ODM_CL_FLAGTYPE);
	xt(c, "STATUS");
	xe(c);
	xe(c);
	xe(c);
}

/* One value: typed by the field, or ItemDataAny for a missing-data code
 * (IsNull) and a removal.  tt NULL: no TransactionType (Snapshot). */
static void
write_value(ctx *c, const form_def *fd, const field_def *f, const char *value,
    const char *missing, const char *tt)
{
	char *oid = odm_oid_item(fd->id, f->id);
	char *an = missing != NULL ? odm_id_missing(missing) : NULL;

	if (value != NULL) {
		xs(c, odm_element(f));
		xa(c, "ItemOID", oid);
		xa(c, "TransactionType", tt);
		xa(c, "AnnotationID", an);
		if (value_type(f) == FT_TIME && strlen(value) == 5) {
			char t[16];
			snprintf(t, sizeof t, "%s:00", value);
			xt(c, t);
		} else {
			xt(c, value);
		}
		xe(c);
	} else {
		xs(c, "ItemDataAny");
		xa(c, "ItemOID", oid);
		xa(c, "TransactionType", tt);
		if (an != NULL) {
			xa(c, "IsNull", "Yes");
			xa(c, "AnnotationID", an);
		}
		xe(c);
	}
	c->sum->values++;
	free(oid);
	free(an);
}

/* A value of crf's subject-status record; NULL: removed. */
static void
write_subject_value(ctx *c, const odm_subject_item *it, const char *value, const char *tt)
{
	xs(c, value != NULL ? it->is_date ? "ItemDataDate" : "ItemDataString" : "ItemDataAny");
	xa(c, "ItemOID", it->oid);
	xa(c, "TransactionType", tt);
	if (value != NULL)
		xt(c, value);
	xe(c);
	c->sum->values++;
}

/* The subject table's value of one item of the record. */
static const char *
subject_value(const subject_row *r, const odm_subject_item *it)
{
	return str_eq(it->column, "status") ? r->status : str_eq(it->column, "status_date") ?
	    r->status_date : str_eq(it->column, "study_no") ? r->study_no : NULL;
}

/* The Annotations that the missing-data codes refer to. */
static void
write_missing_annotations(ctx *c)
{
	const study_def *sd = c->sd;

	if (sd->nmissing == 0)
		return;
	xs(c, "Annotations");
	for (size_t i = 0; i < sd->nmissing; i++) {
		char *id = odm_id_missing(sd->missing[i].code);
		const char *label = i18n_get(&sd->missing[i].label, LANG_EN);

		xs(c, "Annotation");
		xaf(c, "SeqNum", "%zu", i + 1);
		xa(c, "ID", id);
		if (!str_blank(label))
			xel(c, "Comment", label);
		xs(c, "Flag");
		xs(c, "FlagValue");
		xa(c, "CodeListOID", ODM_CL_MISSING);
		xt(c, sd->missing[i].code);
		xe(c);
		xs(c, "FlagType");
		xa(c, "CodeListOID", ODM_CL_FLAGTYPE);
		xt(c, "MISSING");
		xe(c);
		xe(c);
		xe(c);
		free(id);
	}
	xe(c);
}

static bool
skip_identifier(ctx *c, const field_def *f)
{
	if (f->identifier && !c->o->identifiers) {
		c->sum->identifiers++;
		return true;
	}
	return false;
}

/* Position of an event in the casebook order: the schedule, then the logs. */
static size_t
event_rank(const ctx *c, const event_def *ev)
{
	return ev != NULL ? ev->order : c->sd->nevents;
}

/* Position of a form in its event (or among the logs). */
static size_t
form_rank(const ctx *c, const event_def *ev, const form_def *fd)
{
	if (ev == NULL) {
		for (size_t i = 0; i < c->sd->nlogs; i++)
			if (c->sd->logs[i] == fd)
				return i;
	} else {
		for (size_t i = 0; i < ev->nforms; i++)
			if (ev->forms[i] == fd)
				return i;
	}
	return (size_t)-1;
}

/* ---- Snapshot ------------------------------------------------------------------------ */

static ctx *sort_ctx;   /* for the qsort comparisons below */

static int
cmp_inst(const void *a, const void *b)
{
	const snap_inst *x = a, *y = b;
	size_t ex = event_rank(sort_ctx, x->ev), ey = event_rank(sort_ctx, y->ev);
	size_t fx, fy;

	if (ex != ey)
		return ex < ey ? -1 : 1;
	if (x->event_repeat != y->event_repeat)
		return x->event_repeat < y->event_repeat ? -1 : 1;
	fx = form_rank(sort_ctx, x->ev, x->fd);
	fy = form_rank(sort_ctx, y->ev, y->fd);
	if (fx != fy)
		return fx < fy ? -1 : 1;
	return (x->form_repeat > y->form_repeat) - (x->form_repeat < y->form_repeat);
}

static int
cmp_item(const void *a, const void *b)
{
	const snap_item *x = a, *y = b;

	return (x->f->index > y->f->index) - (x->f->index < y->f->index);
}

/* The instance of (event, er, form, fr) in s, added when new. */
static snap_inst *
snap_find(subj_data *s, const event_def *ev, int er, const form_def *fd, int fr)
{
	for (size_t i = 0; i < s->ninsts; i++) {
		snap_inst *in = &s->insts[i];
		if (in->ev == ev && in->event_repeat == er && in->fd == fd && in->form_repeat == fr)
			return in;
	}
	xgrow(&s->insts, sizeof *s->insts, &s->icap, s->ninsts);
	memset(&s->insts[s->ninsts], 0, sizeof s->insts[0]);
	s->insts[s->ninsts].ev = ev;
	s->insts[s->ninsts].event_repeat = er;
	s->insts[s->ninsts].fd = fd;
	s->insts[s->ninsts].form_repeat = fr;
	return &s->insts[s->ninsts++];
}

static char *
inst_where(const subj_data *s, const char *event, int er, const char *form, int fr)
{
	char *w = audit_where_text(event, er, form, fr, NULL);
	char *out = xasprintf("%s %s", s->row.key, w);

	free(w);
	return out;
}

/* Read one subject's current data and arrange it in casebook order. */
static bool
snap_load(ctx *c, subj_data *s)
{
	crf_err e;

	if (store_list_forms(c->st, s->row.id, &s->forms, &s->nforms, &e) != CRF_OK ||
	    store_load_subject_items(c->st, s->row.id, &s->items, &s->nitems, &e) != CRF_OK ||
	    store_list_signatures(c->st, s->row.id, &s->sigs, &s->nsigs, &e) != CRF_OK) {
		fail(c, CRF_EDB, "%s", e.msg);
		return false;
	}
	for (size_t i = 0; i < s->nforms; i++) {
		const form_row *r = &s->forms[i];
		char *where = inst_where(s, r->event, r->event_repeat, r->form, r->form_repeat);
		const event_def *ev;
		const form_def *fd;
		bool ok = resolve_instance(c, where, r->event, r->event_repeat, r->form,
		    r->form_repeat, &ev, &fd);
		free(where);
		if (!ok)
			return false;
		if (r->status != FORM_NOT_STARTED) {
			snap_inst *in = snap_find(s, ev, r->event_repeat, fd, r->form_repeat);
			in->has_status = true;
			in->status = r->status;
		}
	}
	for (size_t i = 0; i < s->nitems; i++) {
		const subject_item *it = &s->items[i];
		char *where = inst_where(s, it->event, it->event_repeat, it->form, it->form_repeat);
		const event_def *ev;
		const form_def *fd;
		const field_def *f;
		snap_inst *in;
		bool ok = resolve_instance(c, where, it->event, it->event_repeat, it->form,
		    it->form_repeat, &ev, &fd) &&
		    (f = resolve_field(c, where, fd, it->field)) != NULL &&
		    check_missing(c, where, it->missing);

		free(where);
		if (!ok)
			return false;
		if (it->value == NULL && it->missing == NULL)
			continue;
		in = snap_find(s, ev, it->event_repeat, fd, it->form_repeat);
		if (skip_identifier(c, f))
			continue;
		xgrow(&in->items, sizeof *in->items, &in->cap, in->nitems);
		in->items[in->nitems].f = f;
		in->items[in->nitems].value = it->value;
		in->items[in->nitems].missing = it->missing;
		in->nitems++;
	}
	/* Signatures in force: the latest of each target, not changed since. */
	for (size_t i = 0; i < s->nsigs; i++) {
		const signature_row *g = &s->sigs[i];

		if (g->superseded || g->changed)
			continue;
		sigdef_oid(c, g->scope, g->meaning);
		note_user(c, g->login);
		if (g->scope == SCOPE_CASEBOOK) {
			s->casebook_sig = g;
			continue;
		}
		for (size_t j = 0; j < s->ninsts; j++) {
			snap_inst *in = &s->insts[j];
			const char *ev = in->ev != NULL ? in->ev->id : "";

			if (!str_eq(ev, g->event != NULL ? g->event : "") ||
			    in->event_repeat != g->event_repeat)
				continue;
			if (g->scope == SCOPE_FORM && str_eq(in->fd->id, g->form) &&
			    in->form_repeat == g->form_repeat)
				in->form_sig = g;
		}
	}
	sort_ctx = c;
	if (s->ninsts > 1)
		qsort(s->insts, s->ninsts, sizeof *s->insts, cmp_inst);
	for (size_t j = 0; j < s->ninsts; j++)
		if (s->insts[j].nitems > 1)
			qsort(s->insts[j].items, s->insts[j].nitems, sizeof *s->insts[j].items,
			    cmp_item);
	/* Event signatures go on the first instance of their event. */
	for (size_t i = 0; i < s->nsigs; i++) {
		const signature_row *g = &s->sigs[i];

		if (g->superseded || g->changed || g->scope != SCOPE_EVENT)
			continue;
		for (size_t j = 0; j < s->ninsts; j++) {
			snap_inst *in = &s->insts[j];
			if (str_eq(in->ev != NULL ? in->ev->id : "", g->event != NULL ? g->event : "") &&
			    in->event_repeat == g->event_repeat) {
				in->event_sig = g;
				break;
			}
		}
	}
	return true;
}

static void
write_sig_row(ctx *c, const signature_row *g)
{
	write_signature(c, g->login, sigdef_oid(c, g->scope, g->meaning), g->signed_at,
	    g->tz_offset);
}

static void
write_snapshot_subject(ctx *c, const subj_data *s)
{
	xs(c, "SubjectData");
	xa(c, "SubjectKey", s->row.key);
	if (s->casebook_sig != NULL)
		write_sig_row(c, s->casebook_sig);
	xref(c, "SiteRef", "LocationOID", c->loc);
	for (size_t i = 0; i < s->ninsts; ) {
		const snap_inst *first = &s->insts[i];
		char *se = odm_oid_event(first->ev != NULL ? first->ev->id : "");

		xs(c, "StudyEventData");
		xa(c, "StudyEventOID", se);
		if (first->ev != NULL && first->ev->repeating)
			xaf(c, "StudyEventRepeatKey", "%d", first->event_repeat);
		if (first->event_sig != NULL)
			write_sig_row(c, first->event_sig);
		for (; i < s->ninsts && s->insts[i].ev == first->ev &&
		    s->insts[i].event_repeat == first->event_repeat; i++) {
			const snap_inst *in = &s->insts[i];
			char *fo = odm_oid_form(in->fd->id), *ig = odm_oid_group(in->fd->id);

			xs(c, "FormData");
			xa(c, "FormOID", fo);
			if (in->ev == NULL)
				xaf(c, "FormRepeatKey", "%d", in->form_repeat);
			if (in->form_sig != NULL)
				write_sig_row(c, in->form_sig);
			if (in->has_status)
				write_status(c, form_status_name(in->status));
			if (in->nitems > 0) {
				xs(c, "ItemGroupData");
				xa(c, "ItemGroupOID", ig);
				for (size_t j = 0; j < in->nitems; j++)
					write_value(c, in->fd, in->items[j].f, in->items[j].value,
					    in->items[j].missing, NULL);
				xe(c);
			}
			xe(c);
			c->sum->instances++;
			free(fo);
			free(ig);
		}
		xe(c);
		free(se);
	}
	/* The subject's state, once it has left screening. */
	if (!str_eq(s->row.status, subject_state_name(SUBJ_SCREENING)) ||
	    s->row.status_date != NULL || s->row.study_no != NULL) {
		xs(c, "StudyEventData");
		xa(c, "StudyEventOID", ODM_SUBJECT_EVENT_OID);
		xs(c, "FormData");
		xa(c, "FormOID", ODM_SUBJECT_FORM_OID);
		xs(c, "ItemGroupData");
		xa(c, "ItemGroupOID", ODM_SUBJECT_GROUP_OID);
		for (size_t i = 0; i < ODM_SUBJECT_NITEMS; i++)
			if (subject_value(&s->row, &odm_subject_items[i]) != NULL)
				write_subject_value(c, &odm_subject_items[i],
				    subject_value(&s->row, &odm_subject_items[i]), NULL);
		xe(c);
		xe(c);
		xe(c);
		c->sum->instances++;
	}
	xe(c);
}

/* ---- Transactional ---------------------------------------------------------------------- */

static int
cmp_trail(const void *a, const void *b)
{
	const trail_row *x = a, *y = b;

	return (x->r->seq > y->r->seq) - (x->r->seq < y->r->seq);
}

static bool
is_item_action(const char *a)
{
	return str_eq(a, "create") || str_eq(a, "update") || str_eq(a, "clear");
}

/* Rows that become transactions: a subject's creation, its values, its
 * forms' status, its signatures, its life-cycle state. */
static bool
is_exported(const audit_row *r)
{
	return str_eq(r->action, "subject") || is_item_action(r->action) ||
	    str_eq(r->action, "status") || str_eq(r->action, "sign") ||
	    odm_subject_item_by_action(r->action) != NULL;
}

static char *
row_where(const audit_row *r)
{
	char *w = audit_where_text(r->event, r->event_repeat, r->form, r->form_repeat,
	    r->field);
	char *out = xasprintf("audit row %lld (%s %s)", r->seq, r->subject, w);

	free(w);
	return out;
}

/* The action of the site's trail that a site record stands for. */
static const char *
record_action(const char *action)
{
	static const char *const map[][2] = {
		{ "subject", "subject" }, { "Insert", "create" }, { "Update", "update" },
		{ "Remove", "clear" }, { "status", "status" }, { "sign", "sign" },
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (str_eq(action, map[i][0]))
			return map[i][1];
	return NULL;
}

/* A slice: the subject's trail rebuilt from the site's records at the
 * centre, each as the audit row the site's own trail has (its seq from
 * the AuditRecord ID, its time and offset from the DateTimeStamp, the
 * previous value of a value's record from the record before it), with
 * the EditPoint the site gave. */
static bool
slice_history(ctx *c, subj_data *s)
{
	site_record *rec = NULL;
	size_t n = 0;
	crf_err e;

	if (central_site_records(c->st, c->slice, s->row.key, &rec, &n, &e) != CRF_OK) {
		fail(c, CRF_EDB, "%s", e.msg);
		return false;
	}
	s->trail = xcalloc(n ? n : 1, sizeof *s->trail);
	s->db_audit = xcalloc(n ? n : 1, sizeof *s->db_audit);
	for (size_t i = 0; i < n; i++) {
		const site_record *sr = &rec[i];
		audit_row *r = &s->trail[s->ntrail];
		const char *action = record_action(sr->action);

		/* A value of the subject's state: no event, the subject table's
		 * column as the field. */
		for (size_t j = 0; sr->event == NULL && j < ODM_SUBJECT_NITEMS; j++)
			if (str_eq(sr->field, odm_subject_items[j].column) &&
			    is_item_action(action != NULL ? action : ""))
				action = odm_subject_items[j].action;
		const char *num = sr->record_id != NULL && str_starts(sr->record_id, "AR.") ?
		    sr->record_id + 3 : "";
		char *end = NULL, utc[32];
		long long seq = strtoll(num, &end, 10);
		const char *off;
		time_t t;
		bool has_tz;
		struct tm tm;

		if (action == NULL || *num == '\0' || *end != '\0' || seq <= 0 ||
		    !odm_parse_datetime(sr->ts, &t, &has_tz) || gmtime_r(&t, &tm) == NULL ||
		    strftime(utc, sizeof utc, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
			fail(c, CRF_EDB, "site %s, subject %s: the record %s (%s, %s) is not one "
			    "crf wrote", c->slice, s->row.key, sr->record_id != NULL ?
			    sr->record_id : "without an ID", sr->action, sr->ts != NULL ? sr->ts :
			    "no time");
			site_records_free(rec, n);
			return false;
		}
		off = has_tz ? sr->ts + strlen(sr->ts) - (sr->ts[strlen(sr->ts) - 1] == 'Z' ?
		    1 : 6) : "Z";
		r->seq = seq;
		r->ts_utc = xstrdup(utc);
		r->tz_offset = xstrdup(off);
		r->user = xstrdup(sr->user);
		r->action = xstrdup(action);
		r->subject = xstrdup(s->row.key);
		r->event = sr->event != NULL ? xstrdup(sr->event) : NULL;
		r->event_repeat = sr->event_repeat;
		r->form = sr->form != NULL ? xstrdup(sr->form) : NULL;
		r->form_repeat = sr->form_repeat;
		r->field = sr->field != NULL && odm_subject_item_by_action(action) == NULL ?
		    xstrdup(sr->field) : NULL;
		if (str_eq(action, "sign")) {
			signoff_scope scope = r->event == NULL ? SCOPE_CASEBOOK :
			    r->form == NULL ? SCOPE_EVENT : SCOPE_FORM;
			r->reason = xstrdup(sigdef_meaning(c, scope, sr->value != NULL ? sr->value :
			    ""));
		} else {
			r->reason = sr->reason != NULL ? xstrdup(sr->reason) : NULL;
			r->new_value = sr->value != NULL ? xstrdup(sr->value) : NULL;
			r->new_missing = sr->missing != NULL ? xstrdup(sr->missing) : NULL;
		}
		if (is_item_action(action) && !str_eq(action, "create")) {
			/* What the change replaced: the record before it of the value
			 * (an Update or Remove always replaces something). */
			const audit_row *prev = NULL;

			for (size_t j = s->ntrail; j-- > 0;) {
				const audit_row *p = &s->trail[j];
				if (is_item_action(p->action) && str_eq(p->event, r->event) &&
				    p->event_repeat == r->event_repeat && str_eq(p->form, r->form) &&
				    p->form_repeat == r->form_repeat && str_eq(p->field, r->field)) {
					prev = p;
					break;
				}
			}
			r->old_value = xstrdup(prev != NULL && prev->new_value != NULL ?
			    prev->new_value : "");
			r->old_missing = prev != NULL && prev->new_missing != NULL ?
			    xstrdup(prev->new_missing) : NULL;
		}
		s->db_audit[s->ntrail] = str_eq(sr->edit_point, "DBAudit");
		s->ntrail++;
	}
	site_records_free(rec, n);
	return true;
}

/* Read every subject's trail, merge the rows in seq order, and check that
 * each exported one fits the definitions. */
static bool
trail_load(ctx *c)
{
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < c->nsubjects; i++) {
		subj_data *s = &c->subjects[i];
		crf_err e;
		crf_status cs = CRF_OK;

		if (c->slice != NULL) {
			if (!slice_history(c, s))
				return false;
		} else {
			cs = store_subject_history(c->st, s->row.key, NULL, NULL, &s->trail,
			    &s->ntrail, &e);
		}
		if (cs == CRF_ENOENT)
			continue;
		if (cs != CRF_OK) {
			fail(c, CRF_EDB, "%s", e.msg);
			return false;
		}
		for (size_t j = 0; j < s->ntrail; j++) {
			const audit_row *r = &s->trail[j];

			if (!is_exported(r) && !str_eq(r->action, "lock"))
				continue;
			if (c->o->through_seq > 0 && r->seq > c->o->through_seq) {
				s->later = true;
				continue;
			}
			xgrow(&c->trail, sizeof *c->trail, &cap, n);
			c->trail[n].r = r;
			c->trail[n].subject = i;
			c->trail[n].db_audit = s->db_audit != NULL ? s->db_audit[j] : -1;
			n++;
		}
	}
	c->ntrail = n;
	if (c->ntrail > 1)
		qsort(c->trail, c->ntrail, sizeof *c->trail, cmp_trail);
	for (size_t i = 0; i < c->ntrail; i++) {
		const audit_row *r = c->trail[i].r;
		char *where;
		const event_def *ev;
		const form_def *fd;
		bool ok = true;

		if (str_eq(r->action, "lock") || str_eq(r->action, "subject"))
			continue;
		if (odm_subject_item_by_action(r->action) != NULL) {
			note_user(c, r->user);
			continue;
		}
		where = row_where(r);
		if (str_eq(r->action, "sign")) {
			signoff_scope scope = r->event == NULL ? SCOPE_CASEBOOK :
			    r->form == NULL ? SCOPE_EVENT : SCOPE_FORM;
			if (scope == SCOPE_FORM)
				ok = resolve_instance(c, where, r->event, r->event_repeat, r->form,
				    r->form_repeat, &ev, &fd);
			else if (scope == SCOPE_EVENT && *r->event != '\0' &&
			    study_event(c->sd, r->event) == NULL)
				ok = fail(c, CRF_EDEF, "%s: event '%s' is not in study.ini", where,
				    r->event) == CRF_OK;
			sigdef_oid(c, scope, r->reason);
		} else {
			ok = resolve_instance(c, where, r->event, r->event_repeat, r->form,
			    r->form_repeat, &ev, &fd);
			if (ok && is_item_action(r->action))
				ok = resolve_field(c, where, fd, r->field) != NULL &&
				    check_missing(c, where, r->new_missing) &&
				    check_missing(c, where, r->old_missing);
		}
		free(where);
		if (!ok)
			return false;
		note_user(c, r->user);
	}
	for (size_t i = 0; i < c->ntrail; i++)
		if (str_eq(c->trail[i].r->action, "subject"))
			note_user(c, c->trail[i].r->user);
	return true;
}

/* Was the form instance of r locked at some time before r?  Changes made
 * after a lock (and the unlock it needs) are ODM EditPoint DBAudit. */
static bool
after_lock(const ctx *c, size_t subject, const audit_row *r)
{
	for (size_t i = 0; i < c->nlocks; i++) {
		const lock_seen *l = &c->locks[i];

		if (l->subject != subject)
			continue;
		if (l->event == NULL)
			return true;
		if (!str_eq(l->event, r->event) || l->event_repeat != r->event_repeat)
			continue;
		if (l->form == NULL || (str_eq(l->form, r->form) &&
		    l->form_repeat == r->form_repeat))
			return true;
	}
	return false;
}

static void
write_audit_record(ctx *c, const audit_row *r, bool db_audit)
{
	char stamp[48], *id = odm_id_audit(r->seq), *user = odm_oid_user(r->user);

	if (!local_stamp(r->ts_utc, r->tz_offset, stamp, sizeof stamp)) {
		fail(c, CRF_EDB, "audit row %lld has no valid time (%s)", r->seq,
		    r->ts_utc != NULL ? r->ts_utc : "none");
	} else {
		xs(c, "AuditRecord");
		xa(c, "EditPoint", db_audit ? "DBAudit" : "Monitoring");
		xa(c, "ID", id);
		xref(c, "UserRef", "UserOID", user);
		xref(c, "LocationRef", "LocationOID", c->loc);
		xel(c, "DateTimeStamp", stamp);
		if (!str_blank(r->reason) && !str_eq(r->action, "sign"))
			xel(c, "ReasonForChange", r->reason);
		xe(c);
	}
	free(id);
	free(user);
}

/* Open SubjectData, the AuditRecord of r, and (for a new subject) SiteRef. */
static void
open_subject(ctx *c, const subj_data *s, const audit_row *r, bool db_audit)
{
	char *key = xasprintf("S\x1f%s", s->row.key);
	bool is_new = odm_set_add(&c->exists, key, NULL);

	xs(c, "SubjectData");
	xa(c, "SubjectKey", s->row.key);
	xa(c, "TransactionType", is_new ? "Insert" : "Context");
	write_audit_record(c, r, db_audit);
	if (is_new)
		xref(c, "SiteRef", "LocationOID", c->loc);
	free(key);
	c->sum->transactions++;
}

/* Open StudyEventData of r's event instance: Insert when new. */
static void
open_event(ctx *c, const subj_data *s, const audit_row *r, const event_def *ev)
{
	char *key = xasprintf("S\x1f%s\x1f" "E\x1f%s\x1f%d", s->row.key, r->event != NULL ?
	    r->event : "", r->event_repeat);
	char *se = odm_oid_event(r->event);
	bool is_new = odm_set_add(&c->exists, key, NULL);

	xs(c, "StudyEventData");
	xa(c, "StudyEventOID", se);
	if (ev != NULL && ev->repeating)
		xaf(c, "StudyEventRepeatKey", "%d", r->event_repeat);
	xa(c, "TransactionType", is_new ? "Insert" : "Context");
	free(se);
	free(key);
}

/* Open FormData of r's form instance: Insert when new, else tt. */
static bool
open_form(ctx *c, const subj_data *s, const audit_row *r, const event_def *ev,
    const form_def *fd, const char *tt)
{
	char *key = xasprintf("S\x1f%s\x1f" "E\x1f%s\x1f%d\x1f" "F\x1f%s\x1f%d", s->row.key,
	    r->event != NULL ? r->event : "", r->event_repeat, fd->id, r->form_repeat);
	char *fo = odm_oid_form(fd->id);
	bool is_new = odm_set_add(&c->exists, key, NULL);

	xs(c, "FormData");
	xa(c, "FormOID", fo);
	if (ev == NULL)
		xaf(c, "FormRepeatKey", "%d", r->form_repeat);
	xa(c, "TransactionType", is_new ? "Insert" : tt);
	if (is_new)
		c->sum->instances++;
	free(fo);
	free(key);
	return is_new;
}

static void
write_item_transaction(ctx *c, size_t si, const audit_row *r, bool db_audit)
{
	const subj_data *s = &c->subjects[si];
	const event_def *ev = NULL;
	const form_def *fd = NULL;
	const field_def *f;
	const char *tt;
	char *ig, *gkey;
	bool group_new;

	if (!resolve_instance(c, "audit row", r->event, r->event_repeat, r->form,
	    r->form_repeat, &ev, &fd) || (f = resolve_field(c, "audit row", fd, r->field)) == NULL)
		return;
	if (skip_identifier(c, f))
		return;
	if (r->old_value == NULL && r->old_missing == NULL)
		tt = "Insert";
	else if (r->new_value == NULL && r->new_missing == NULL)
		tt = "Remove";
	else
		tt = "Update";
	open_subject(c, s, r, db_audit);
	open_event(c, s, r, ev);
	open_form(c, s, r, ev, fd, "Context");
	ig = odm_oid_group(fd->id);
	gkey = xasprintf("S\x1f%s\x1f" "E\x1f%s\x1f%d\x1f" "F\x1f%s\x1f%d\x1f" "G", s->row.key,
	    r->event != NULL ? r->event : "", r->event_repeat, fd->id, r->form_repeat);
	group_new = odm_set_add(&c->exists, gkey, NULL);
	free(gkey);
	xs(c, "ItemGroupData");
	xa(c, "ItemGroupOID", ig);
	xa(c, "TransactionType", group_new ? "Insert" : "Context");
	if (str_eq(tt, "Remove"))
		write_value(c, fd, f, NULL, NULL, tt);
	else
		write_value(c, fd, f, r->new_value, r->new_missing, tt);
	xe(c);
	xe(c);
	xe(c);
	xe(c);
	free(ig);
}

static void
write_status_transaction(ctx *c, size_t si, const audit_row *r, bool db_audit)
{
	const subj_data *s = &c->subjects[si];
	const event_def *ev = NULL;
	const form_def *fd = NULL;

	if (!resolve_instance(c, "audit row", r->event, r->event_repeat, r->form,
	    r->form_repeat, &ev, &fd))
		return;
	if (r->new_value == NULL || (strcmp(r->new_value, form_status_name(FORM_INCOMPLETE)) != 0 &&
	    strcmp(r->new_value, form_status_name(FORM_COMPLETE)) != 0)) {
		fail(c, CRF_EDB, "audit row %lld: form status '%s' is not one crf writes", r->seq,
		    r->new_value != NULL ? r->new_value : "(none)");
		return;
	}
	open_subject(c, s, r, db_audit);
	open_event(c, s, r, ev);
	open_form(c, s, r, ev, fd, "Update");
	write_status(c, r->new_value);
	xe(c);
	xe(c);
	xe(c);
}

static void
write_sign_transaction(ctx *c, size_t si, const audit_row *r, bool db_audit)
{
	const subj_data *s = &c->subjects[si];
	signoff_scope scope = r->event == NULL ? SCOPE_CASEBOOK :
	    r->form == NULL ? SCOPE_EVENT : SCOPE_FORM;
	const char *sd_oid = sigdef_oid(c, scope, r->reason);
	const event_def *ev = NULL;
	const form_def *fd = NULL;

	if (scope == SCOPE_FORM && !resolve_instance(c, "audit row", r->event,
	    r->event_repeat, r->form, r->form_repeat, &ev, &fd))
		return;
	if (scope == SCOPE_EVENT && *r->event != '\0')
		ev = study_event(c->sd, r->event);
	open_subject(c, s, r, db_audit);
	if (scope == SCOPE_CASEBOOK) {
		write_signature(c, r->user, sd_oid, r->ts_utc, r->tz_offset);
	} else {
		open_event(c, s, r, ev);
		if (scope == SCOPE_EVENT) {
			write_signature(c, r->user, sd_oid, r->ts_utc, r->tz_offset);
		} else {
			open_form(c, s, r, ev, fd, "Context");
			write_signature(c, r->user, sd_oid, r->ts_utc, r->tz_offset);
			xe(c);
		}
		xe(c);
	}
	xe(c);
}

/* A change of the subject's life-cycle state: one item of crf's subject
 * record (odm.h), inserted the first time, updated after. */
static void
write_subject_transaction(ctx *c, size_t si, const audit_row *r,
    const odm_subject_item *it, bool db_audit)
{
	const subj_data *s = &c->subjects[si];
	char *ek = xasprintf("S\x1f%s\x1f" "E\x1f" ODM_SUBJECT_EVENT_OID, s->row.key);
	char *ik = xasprintf("%s\x1f" "I\x1f%s", ek, it->oid);
	bool rec_new, item_new;
	const char *tt;

	open_subject(c, s, r, db_audit);
	rec_new = odm_set_add(&c->exists, ek, NULL);
	item_new = odm_set_add(&c->exists, ik, NULL);
	tt = rec_new ? "Insert" : "Context";
	xs(c, "StudyEventData");
	xa(c, "StudyEventOID", ODM_SUBJECT_EVENT_OID);
	xa(c, "TransactionType", tt);
	xs(c, "FormData");
	xa(c, "FormOID", ODM_SUBJECT_FORM_OID);
	xa(c, "TransactionType", tt);
	xs(c, "ItemGroupData");
	xa(c, "ItemGroupOID", ODM_SUBJECT_GROUP_OID);
	xa(c, "TransactionType", tt);
	write_subject_value(c, it, r->new_value, item_new ? "Insert" : r->new_value != NULL ?
	    "Update" : "Remove");
	xe(c);
	xe(c);
	xe(c);
	xe(c);
	if (rec_new)
		c->sum->instances++;
	free(ek);
	free(ik);
}

/* One row of the trail: a lock noted, or its transaction written.  A
 * site's own change after a lock is EditPoint DBAudit; a slice has the
 * EditPoint the site gave. */
static void
write_trail_row(ctx *c, const trail_row *t)
{
	const audit_row *r = t->r;
	size_t si = t->subject;
	bool db_audit = t->db_audit >= 0 ? t->db_audit == 1 :
	    !str_eq(r->action, "sign") && after_lock(c, si, r);

	if (str_eq(r->action, "lock")) {
		xgrow(&c->locks, sizeof *c->locks, &c->lockcap, c->nlocks);
		c->locks[c->nlocks].subject = si;
		c->locks[c->nlocks].event = r->event;
		c->locks[c->nlocks].event_repeat = r->event_repeat;
		c->locks[c->nlocks].form = r->form;
		c->locks[c->nlocks].form_repeat = r->form_repeat;
		c->nlocks++;
	} else if (str_eq(r->action, "subject")) {
		char *key = xasprintf("S\x1f%s", c->subjects[si].row.key);
		bool known;

		odm_set_get(&c->exists, key, &known);
		free(key);
		if (!known) {
			open_subject(c, &c->subjects[si], r, t->db_audit == 1);
			xe(c);
		}
	} else if (is_item_action(r->action)) {
		write_item_transaction(c, si, r, db_audit);
	} else if (str_eq(r->action, "status")) {
		write_status_transaction(c, si, r, db_audit);
	} else if (str_eq(r->action, "sign")) {
		write_sign_transaction(c, si, r, db_audit);
	} else if (odm_subject_item_by_action(r->action) != NULL) {
		write_subject_transaction(c, si, r, odm_subject_item_by_action(r->action), db_audit);
	}
}

static void
write_transactions(ctx *c)
{
	for (size_t i = 0; i < c->ntrail && c->cs == CRF_OK; i++) {
		const audit_row *r = c->trail[i].r;
		odm_summary before = *c->sum;

		/* A row sent before (transfer): replayed silently, so that what it
		 * inserted exists and what follows is an Update or Context. */
		c->mute = r->seq <= c->o->since_seq;
		write_trail_row(c, &c->trail[i]);
		if (c->mute) {
			*c->sum = before;
		} else if (c->sum->transactions > before.transactions) {
			if (c->sum->first_seq == 0)
				c->sum->first_seq = r->seq;
			c->sum->last_seq = r->seq;
		}
		c->mute = false;
	}
	/* A subject without any exported row (an old database) still exists. */
	for (size_t i = 0; i < c->nsubjects && c->cs == CRF_OK; i++) {
		char *key = xasprintf("S\x1f%s", c->subjects[i].row.key);
		bool known;

		odm_set_get(&c->exists, key, &known);
		free(key);
		if (!known && !c->subjects[i].later)
			fail(c, CRF_EDB, "subject %s has no audit row of its creation: the "
			    "trail is incomplete (crf audit verify)", c->subjects[i].row.key);
	}
}

/* ---- The document ------------------------------------------------------------------------ */

static void
ctx_free(ctx *c)
{
	user_rows_free(c->users, c->nusers);
	for (size_t i = 0; i < c->nextra; i++)
		free(c->extra[i]);
	free(c->extra);
	for (size_t i = 0; i < c->nsigdefs; i++) {
		free(c->sigdefs[i].meaning);
		free(c->sigdefs[i].oid);
	}
	free(c->sigdefs);
	for (size_t i = 0; i < c->nunits; i++)
		free(c->units[i].oid);
	free(c->units);
	for (size_t i = 0; i < c->nsubjects; i++) {
		subj_data *s = &c->subjects[i];

		subject_row_clear(&s->row);
		form_rows_free(s->forms, s->nforms);
		subject_items_free(s->items, s->nitems);
		signature_rows_free(s->sigs, s->nsigs);
		for (size_t j = 0; j < s->ninsts; j++)
			free(s->insts[j].items);
		free(s->insts);
		audit_rows_free(s->trail, s->ntrail);
		free(s->db_audit);
	}
	free(c->subjects);
	free(c->trail);
	free(c->locks);
	odm_set_free(&c->exists);
	site_admin_rows_free(c->admin, c->nadmin);
	free(c->loc);
	free(c->mdv);
}

/* Read what the document needs from the store. */
static bool
load(ctx *c)
{
	subject_row *rows = NULL;
	size_t n = 0;
	crf_err e;

	if (c->slice != NULL ? central_site_admin(c->st, c->slice, &c->admin, &c->nadmin,
	    &e) != CRF_OK : store_list_users(c->st, &c->users, &c->nusers, &e) != CRF_OK) {
		fail(c, CRF_EDB, "%s", e.msg);
		return false;
	}
	if (store_list_subjects(c->st, &rows, &n, &e) != CRF_OK) {
		fail(c, CRF_EDB, "%s", e.msg);
		return false;
	}
	c->subjects = xcalloc(n ? n : 1, sizeof *c->subjects);
	{
		char *prefix = c->slice != NULL ? xasprintf("%s-", c->slice) : NULL;

		/* A slice: the subjects whose key is the site's. */
		for (size_t i = 0; i < n; i++) {
			if (prefix == NULL || str_starts(rows[i].key, prefix))
				c->subjects[c->nsubjects++].row = rows[i];
			else
				subject_row_clear(&rows[i]);
		}
		free(prefix);
	}
	free(rows);
	if (c->slice != NULL) {
		slice_sigdefs(c);
	} else {
		for (int s = SCOPE_FORM; s <= SCOPE_CASEBOOK; s++)
			sigdef_oid(c, (signoff_scope)s, NULL);
	}
	collect_units(c);
	if (c->o->kind == ODM_SNAPSHOT) {
		for (size_t i = 0; i < c->nsubjects; i++)
			if (!snap_load(c, &c->subjects[i]))
				return false;
		return true;
	}
	return trail_load(c);
}

static void
write_document(ctx *c)
{
	char utc[32], off[16], created[48], *file_oid;
	char *desc;

	clock_stamp(c->now, utc, sizeof utc, off, sizeof off);
	if (!local_stamp(utc, off, created, sizeof created)) {
		fail(c, CRF_EINVAL, "the clock gives no usable time");
		return;
	}
	file_oid = c->o->file_oid != NULL ? xstrdup(c->o->file_oid) :
	    odm_slice_file_oid(c->sd->id, store_site_code(c->st), c->slice, c->o->kind,
	    c->now);
	if (xmlTextWriterStartDocument(c->w, NULL, "UTF-8", NULL) < 0)
		c->bad = true;
	xs(c, "ODM");
	xa(c, "xmlns", ODM_NS);
	if (c->slice != NULL)
		desc = xasprintf("%s, site %s as held at %s: %s", c->sd->id, c->slice,
		    store_site_code(c->st), c->o->kind == ODM_SNAPSHOT ?
		    "the centre's current data of the site's subjects (snapshot)" :
		    "every change the site sent, with the site's audit record (transactional, "
		    "archival)");
	else
		desc = xasprintf("%s, site %s: %s", c->sd->id, store_site_code(c->st),
		    c->o->kind == ODM_SNAPSHOT ? "current data (snapshot)" : c->o->transfer ?
		    "the changes since its last transfer, with their audit records (transfer)" :
		    "every change with its audit record (transactional, archival)");
	xa(c, "Description", desc);
	free(desc);
	xa(c, "FileType", c->o->kind == ODM_SNAPSHOT ? "Snapshot" : "Transactional");
	xa(c, "Granularity", "SingleSite");
	if (c->o->kind == ODM_TRANSACTIONAL && !c->o->transfer)
		xa(c, "Archival", "Yes");
	xa(c, "FileOID", file_oid);
	xa(c, "CreationDateTime", created);
	xa(c, "PriorFileOID", c->o->prior_file_oid);
	xa(c, "AsOfDateTime", created);
	xa(c, "ODMVersion", ODM_VERSION);
	xa(c, "Originator", !str_blank(store_site_name(c->st)) ? store_site_name(c->st) :
	    store_site_code(c->st));
	xa(c, "SourceSystem", "crf");
	xa(c, "SourceSystemVersion", CRF_VERSION);
	free(file_oid);
	write_study(c);
	write_admin(c);
	xs(c, "ClinicalData");
	xa(c, "StudyOID", c->sd->id);
	xa(c, "MetaDataVersionOID", c->mdv);
	if (c->o->kind == ODM_SNAPSHOT) {
		for (size_t i = 0; i < c->nsubjects; i++)
			write_snapshot_subject(c, &c->subjects[i]);
	} else {
		write_transactions(c);
	}
	c->sum->subjects = c->nsubjects;
	write_missing_annotations(c);
	xe(c);
	xe(c);
	if (xmlTextWriterEndDocument(c->w) < 0)
		c->bad = true;
}

crf_status
odm_export(store *st, const study_def *sd, const odm_opts *o, strbuf *out,
    odm_summary *sum, crf_err *err)
{
	odm_summary dummy;
	ctx c = { 0 };
	xmlBufferPtr buf;

	if (xml_runtime(err) != CRF_OK)
		return CRF_EIO;
	if (sum == NULL)
		sum = &dummy;
	memset(sum, 0, sizeof *sum);
	c.st = st;
	c.sd = sd;
	c.o = o;
	c.sum = sum;
	c.err = err;
	c.now = o->now != 0 ? o->now : clock_now();
	if (o->site != NULL) {
		bool central = false, known = false;
		crf_status cs;

		if ((cs = store_is_central(st, &central, err)) != CRF_OK)
			return cs;
		if (!central)
			return crf_fail(err, CRF_EINVAL, "this is site %s's own database: a site's "
			    "slice is exported from the central database, into which the sites' "
			    "transfers are imported", store_site_code(st));
		if (o->transfer)
			return crf_fail(err, CRF_EINVAL, "a site's slice is not a transfer");
		if ((cs = central_site_known(st, o->site, &known, err)) != CRF_OK)
			return cs;
		if (!known)
			return crf_fail(err, CRF_ENOENT, "the centre has nothing of site %s: no "
			    "file from it was imported", o->site);
		c.slice = o->site;
	}
	c.loc = odm_oid_location(c.slice != NULL ? c.slice : store_site_code(st));
	c.mdv = odm_oid_mdv(sd->metadata_version);
	/* Everything is read first, as of one instant, while others save. */
	{
		crf_status hs = store_hold_snapshot(st, err);
		bool loaded;

		if (hs != CRF_OK) {
			ctx_free(&c);
			return hs;
		}
		loaded = load(&c);
		store_release_snapshot(st);
		if (!loaded) {
			ctx_free(&c);
			return c.cs;
		}
	}
	if ((buf = xmlBufferCreate()) == NULL ||
	    (c.w = xmlNewTextWriterMemory(buf, 0)) == NULL) {
		xmlBufferFree(buf);
		ctx_free(&c);
		return crf_fail(err, CRF_ENOMEM, "not enough memory to write the ODM file");
	}
	xmlTextWriterSetIndent(c.w, 1);
	xmlTextWriterSetIndentString(c.w, BAD_CAST "  ");
	write_document(&c);
	xmlFreeTextWriter(c.w);
	if (c.cs == CRF_OK && c.bad)
		fail(&c, CRF_EIO, "libxml2 could not write the ODM document");
	if (c.cs == CRF_OK)
		sb_addn(out, (const char *)xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
	xmlBufferFree(buf);
	ctx_free(&c);
	return c.cs;
}

/* ---- Reports ---------------------------------------------------------------------------- */

void
odm_report_clear(odm_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->items[i].msg);
	free(r->items);
	memset(r, 0, sizeof *r);
}

void
odm_report_add(odm_report *r, int line, bool warning, const char *rule,
    const char *fmt, ...)
{
	va_list ap;
	odm_issue *is;

	xgrow(&r->items, sizeof *r->items, &r->cap, r->n);
	is = &r->items[r->n++];
	memset(is, 0, sizeof *is);
	is->line = line;
	is->warning = warning;
	str_copy(is->rule, rule, sizeof is->rule);
	va_start(ap, fmt);
	{
		va_list aq;
		int len;
		va_copy(aq, ap);
		len = vsnprintf(NULL, 0, fmt, aq);
		va_end(aq);
		is->msg = xmalloc((size_t)(len > 0 ? len : 0) + 1);
		vsnprintf(is->msg, (size_t)(len > 0 ? len : 0) + 1, fmt, ap);
	}
	va_end(ap);
	if (warning)
		r->warnings++;
	else
		r->errors++;
}

/* ---- The schema ---------------------------------------------------------------------------- */

static bool
is_file(const char *path)
{
	struct stat sb;

	return path != NULL && stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

char *
odm_schema_find(void)
{
	const char *env = getenv("CRF_ODM_SCHEMA");
	const char *rel = "schema/odm132/" ODM_SCHEMA_FILE;
	char exe[4096];
	ssize_t n;
	char *p;

	if (!str_blank(env))
		return is_file(env) ? xstrdup(env) : NULL;
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		char *dir, *up;
		exe[n] = '\0';
		dir = path_dirname(exe);
		p = path_join(dir, rel);
		if (is_file(p)) {
			free(dir);
			return p;
		}
		free(p);
		up = path_join(dir, "..");
		p = path_join(up, rel);
		free(up);
		free(dir);
		if (is_file(p))
			return p;
		free(p);
	}
	if (is_file(rel))
		return xstrdup(rel);
	p = xstrdup("/usr/share/crf/" "schema/odm132/" ODM_SCHEMA_FILE);
	if (is_file(p))
		return p;
	free(p);
	return NULL;
}

/* Where libxml2's structured errors go. */
typedef struct err_sink {
	odm_report *r;
	const char *rule;
	bool warnings;          /* also keep warnings */
} err_sink;

/* A libxml2 message, one line, with the ODM namespace left out of element
 * names ("Element 'ItemDataInteger': ..."). */
static void
sink_add(err_sink *s, int line, bool warning, const char *msg)
{
	strbuf sb = { 0 };
	const char *ns = "{" ODM_NS "}";
	const char *p = msg != NULL ? msg : "unknown error";

	while (*p) {
		if (strncmp(p, ns, strlen(ns)) == 0) {
			p += strlen(ns);
			continue;
		}
		if (*p != '\n' && *p != '\r')
			sb_addn(&sb, p, 1);
		else if (p[1] != '\0')
			sb_add(&sb, " ");
		p++;
	}
	odm_report_add(s->r, line, warning, s->rule, "%s", sb.s != NULL ? sb.s : "");
	sb_free(&sb);
}

#if LIBXML_VERSION >= 21200
static void
sink_error(void *ud, const xmlError *e)
#else
static void
sink_error(void *ud, xmlErrorPtr e)
#endif
{
	err_sink *s = ud;
	bool warning = e->level == XML_ERR_WARNING;

	if (warning && !s->warnings)
		return;
	sink_add(s, e->line, warning, e->message);
}

crf_status
odm_validate(const char *xml, size_t len, const char *name, const char *schema_path,
    odm_report *r, crf_err *err)
{
	xmlExternalEntityLoader old;
	xmlSchemaParserCtxtPtr pc;
	xmlSchemaValidCtxtPtr vc;
	xmlSchemaPtr schema;
	xmlDocPtr doc;
	odm_report sr = { 0 };
	err_sink ps = { &sr, "XSD", false }, ds = { r, "XML", false }, vs = { r, "XSD", false };
	size_t before = r->errors;
	int rc;

	if (xml_runtime(err) != CRF_OK)
		return CRF_EIO;
	if (!is_file(schema_path))
		return crf_fail(err, CRF_EIO, "the ODM schema %s is not there", schema_path != NULL ?
		    schema_path : "(not found)");
	/* Only local files: the imports of ODM1-3-2.xsd sit next to it. */
	old = xmlGetExternalEntityLoader();
	xmlSetExternalEntityLoader(xmlNoNetExternalEntityLoader);
	pc = xmlSchemaNewParserCtxt(schema_path);
	schema = NULL;
	if (pc != NULL) {
		xmlSchemaSetParserStructuredErrors(pc, sink_error, &ps);
		schema = xmlSchemaParse(pc);
		xmlSchemaFreeParserCtxt(pc);
	}
	xmlSetExternalEntityLoader(old);
	if (schema == NULL) {
		crf_status cs = crf_fail(err, CRF_EIO, "the ODM schema %s could not be read: %s",
		    schema_path, sr.n > 0 ? sr.items[0].msg : "libxml2 gave no reason");
		odm_report_clear(&sr);
		return cs;
	}
	odm_report_clear(&sr);
	xmlSetStructuredErrorFunc(&ds, sink_error);
	doc = xmlReadMemory(xml, (int)len, name, NULL, XML_PARSE_NONET | XML_PARSE_BIG_LINES);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (doc == NULL) {
		if (r->errors == before)
			odm_report_add(r, 0, false, "XML", "the file is not well-formed XML");
		xmlSchemaFree(schema);
		return CRF_OK;
	}
	vc = xmlSchemaNewValidCtxt(schema);
	if (vc == NULL) {
		xmlFreeDoc(doc);
		xmlSchemaFree(schema);
		return crf_fail(err, CRF_ENOMEM, "not enough memory to validate");
	}
	xmlSchemaSetValidStructuredErrors(vc, sink_error, &vs);
	rc = xmlSchemaValidateDoc(vc, doc);
	xmlSchemaFreeValidCtxt(vc);
	xmlFreeDoc(doc);
	xmlSchemaFree(schema);
	if (rc < 0)
		return crf_fail(err, CRF_EIO, "libxml2 could not validate %s (internal error %d)",
		    name, rc);
	if (rc > 0 && r->errors == before)
		odm_report_add(r, 0, false, "XSD", "the document does not follow the schema");
	return CRF_OK;
}

crf_status
odm_export_checked(store *st, const study_def *sd, const odm_opts *o,
    const char *schema_path, strbuf *out, odm_summary *sum, odm_report *r,
    crf_err *err)
{
	strbuf doc = { 0 };
	odm_report local = { 0 };
	odm_report *rep = r != NULL ? r : &local;
	size_t before = rep->errors;
	crf_status cs;

	cs = odm_export(st, sd, o, &doc, sum, err);
	if (cs == CRF_OK)
		cs = odm_validate(doc.s, doc.len, "export", schema_path, rep, err);
	if (cs == CRF_OK)
		cs = odm_check(doc.s, doc.len, "export", rep, err);
	if (cs == CRF_OK && rep->errors > before) {
		strbuf msg = { 0 };
		size_t shown = 0;

		sb_addf(&msg, "the ODM document crf made fails %zu check%s, so it was not "
		    "written:", rep->errors - before, rep->errors - before == 1 ? "" : "s");
		for (size_t i = 0; i < rep->n && shown < 5; i++) {
			if (rep->items[i].warning)
				continue;
			sb_addf(&msg, "\n  line %d: %s: %s", rep->items[i].line, rep->items[i].rule,
			    rep->items[i].msg);
			shown++;
		}
		cs = crf_fail(err, CRF_EINVAL, "%s", msg.s);
		sb_free(&msg);
	}
	if (cs == CRF_OK)
		sb_addn(out, doc.s != NULL ? doc.s : "", doc.len);
	sb_free(&doc);
	odm_report_clear(&local);
	return cs;
}
