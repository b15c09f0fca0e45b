/*
 * formdef.h - the study's definitions: events, forms, fields, choice
 * lists and checks, loaded from forms/study.ini and forms/<form>.ini.
 *
 * The file syntax is documented for data managers in docs/forms.md.
 * Definitions are immutable after formdef_load(): every expression is
 * parsed, bound and type-checked once, at load, and every reference is
 * resolved to a pointer.  Screens and the record module only read them.
 */
#ifndef CRF_FORMDEF_H
#define CRF_FORMDEF_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "crf/expr.h"
#include "crf/status.h"

/* Label languages.  A text missing in a language falls back to English. */
typedef enum crf_lang {
	LANG_EN = 0,
	LANG_ZH = 1,
	LANG_COUNT
} crf_lang;

/* "en" -> LANG_EN, "zh" -> LANG_ZH; -1 for anything else. */
int lang_from_code(const char *code);
const char *lang_code(crf_lang lang);

typedef struct i18n {
	char *text[LANG_COUNT];    /* owned; NULL when not given */
} i18n;

/* The text in lang, else English, else "" (never NULL). */
const char *i18n_get(const i18n *t, crf_lang lang);

typedef enum field_type {
	FT_TEXT, FT_MEMO, FT_INTEGER, FT_DECIMAL, FT_DATE, FT_PDATE, FT_TIME,
	FT_YESNO, FT_CHOICE, FT_MULTI, FT_CALC, FT_INFO,
	FT_COUNT
} field_type;

/* Name as written in form files ("partialdate", "multichoice", ...). */
const char *field_type_name(field_type t);

typedef struct choice_item {
	char *code;                /* as written, case kept: "M", "BEAM_ATG" */
	i18n label;
} choice_item;

typedef struct choice_list {
	char *name;
	choice_item *items;
	size_t nitems;
	const char *file;
	int line;
} choice_list;

/* A missing-data code declared in study.ini [missing]: "UNK", "ND", "NA". */
typedef struct missing_code {
	char *code;
	i18n label;
} missing_code;

typedef struct numrange {
	bool has_min, has_max;
	double min, max;
} numrange;

struct form_def;

/* An eligibility criterion answered by the investigator (a yesno field
 * with `criterion = ...`; see docs/forms.md and eligibility.h). */
typedef enum field_criterion {
	CRITERION_NONE = 0,
	CRITERION_INCLUSION,       /* Yes: the criterion is met */
	CRITERION_EXCLUSION,       /* Yes: the exclusion applies */
	CRITERION_CONFIRMATION     /* Yes: the investigator confirms eligibility */
} field_criterion;

typedef struct field_def {
	char *id;                  /* lower case, unique in its form */
	field_type type;
	val_type value_type;       /* what the field yields in expressions */
	i18n label;
	i18n help;
	i18n text;                 /* FT_INFO: the descriptive text */
	char *unit;
	char *export_name;         /* CDASH-style, upper case, <= 8 chars */
	int decimals;              /* FT_DECIMAL / numeric calc; -1 = as typed */
	int maxlen;                /* FT_TEXT/FT_MEMO characters; 0 = default */
	numrange hard;             /* outside: rejected */
	numrange soft;             /* outside: accepted after confirmation */
	bool required;
	bool identifier;           /* directly identifies the patient */
	char *pattern;             /* POSIX extended regex, or NULL */
	regex_t pattern_re;
	i18n pattern_help;
	const choice_list *choices;  /* FT_CHOICE / FT_MULTI */
	unsigned missing_mask;     /* bit i: study missing code i allowed */
	expr *show_if;             /* NULL = always shown */
	expr *calc;                /* FT_CALC */
	field_type result;         /* FT_CALC: type of the result
	                              (FT_INTEGER, FT_DECIMAL, FT_DATE, FT_TEXT, FT_YESNO, FT_TIME) */
	int since;                 /* form version that added it (1 = first) */
	int retired;               /* form version from which it is no longer
	                              entered; 0 = current */
	field_criterion criterion; /* eligibility: what the answer is */
	const struct field_def *derived;   /* criterion: the calc (yesno) that
	                              derives it from entered data, or NULL */
	const struct field_def *evidence;  /* criterion: the value shown as its
	                              source (age, EDSS ...), or NULL */
	size_t section;            /* index into form->sections */
	size_t index;              /* index into form->fields */
	struct form_def *form;
	const char *file;
	int line;
} field_def;

typedef struct section_def {
	char *id;
	i18n title;
	size_t first;              /* first field index */
	size_t count;              /* number of fields */
} section_def;

typedef enum check_level { CHECK_HARD, CHECK_SOFT } check_level;

typedef struct check_def {
	char *id;
	expr *when;                /* NULL = always applies */
	expr *assert;              /* must be true */
	i18n message;
	check_level level;
	const field_def *field;    /* where the message belongs */
	const char *file;
	int line;
} check_def;

typedef struct form_def {
	char *id;                  /* from the file name: forms/dm.ini -> "dm" */
	i18n title;
	i18n help;
	int version;
	char *domain;              /* CDISC domain, two letters, or NULL */
	bool is_log;               /* a subject-level repeating log */
	field_def *fields;
	size_t nfields;
	section_def *sections;
	size_t nsections;
	check_def *checks;
	size_t nchecks;
	size_t *calc_order;        /* calc field indexes in evaluation order */
	size_t ncalc;
	char *file;                /* path as loaded */
} form_def;

typedef struct event_def {
	char *id;
	i18n title;
	bool has_day;              /* a target day relative to the anchor */
	int day;                   /* target day (anchor = day 0) */
	int win_before, win_after; /* allowed days before / after target */
	bool repeating;            /* e.g. unscheduled visits */
	const struct form_def *visit_form;    /* visit_date: the form and date */
	const struct field_def *visit_field;  /* field of the day it was done */
	form_def **forms;          /* in casebook order */
	size_t nforms;
	size_t order;              /* schedule order, from 0 */
	const char *file;
	int line;
} event_def;

typedef struct constant_def {
	char *name;
	crf_value value;           /* number, text (owned), date, yes/no */
} constant_def;

/*
 * What an expression reference resolved to: the `binding` of every
 * expr_ref in the study's expressions points at one of these.
 */
typedef enum ref_kind {
	REF_FIELD,      /* a field of some form instance */
	REF_LOG,        /* a whole repeating log, as in count(ae) */
	REF_CONST       /* a study constant, study.NAME */
} ref_kind;

typedef struct ref_target {
	ref_kind kind;
	/* REF_FIELD: which instance holds the field.
	 *   same_instance   the instance being evaluated (bare names, and
	 *                   fields of a log inside its own form);
	 *   event != NULL   form `form` in that event (latest instance of a
	 *                   repeating event);
	 *   otherwise       form `form` in the event being evaluated, or,
	 *                   for logs, the instance an aggregate iterates. */
	bool same_instance;
	const struct event_def *event;
	const struct form_def *form;
	const struct field_def *field;     /* NULL for REF_LOG */
	const struct constant_def *constant;
} ref_target;

/* A field of a form named as FORM.FIELD ("cbc.anc"), in any event. */
typedef struct field_ref {
	const form_def *form;      /* NULL when not given */
	const field_def *field;
} field_ref;

/* Several fields, each FORM.FIELD, for one input (last_contact). */
typedef struct field_refs {
	field_ref *refs;           /* owned */
	size_t n;
} field_refs;

/*
 * study.ini [outcomes]: which form fields feed the derived values and
 * endpoints (derive.h, outcome.h) and the report's safety listing.  Every
 * reference was checked at load: the form and field exist and have a
 * suitable type, and the keys of one group (the daily counts, EDSS,
 * relapse, MRI, death, adverse events) name fields of one form.  A key
 * that is not given leaves its field_ref's form NULL.  The keys and what
 * each needs are in docs/forms.md.
 */
typedef struct outcome_map {
	bool present;              /* the section was given */
	/* Daily blood counts, one form instance per calendar day. */
	field_ref cbc_date, anc, platelets, platelet_transfusion;
	/* EDSS: every instance of the form, in any event; the baseline is
	 * the instance in edss_baseline_event. */
	field_ref edss_date, edss;
	const event_def *edss_baseline_event;
	/* Relapse episodes. */
	field_ref relapse_onset, relapse_hours, relapse_fever, relapse_objective,
	    relapse_adjudicated;
	/* MRI scans. */
	field_ref mri_date, mri_gd, mri_new_t2, mri_enlarging_t2, mri_spinal_new,
	    mri_rebaseline;
	/* Death, the investigator's attribution, end of follow-up. */
	field_ref death_date, death_trm, end_date;
	field_refs last_visit;     /* follow-up visits: their dates */
	field_refs last_contact;   /* dates the subject was known alive */
	field_refs rescue_start;   /* start of a new MS therapy */
	/* Adverse events, for the report. */
	field_ref ae_term, ae_grade, ae_serious, ae_onset;
	const char *file;          /* study.ini, and the section's line */
	int line;
} outcome_map;

typedef struct study_def {
	char *id;                  /* study OID, "NCT06228781" */
	i18n name;
	char *protocol;
	int metadata_version;
	/* Day 0: the event, form and field that hold the anchor date. */
	const event_def *anchor_event;
	const form_def *anchor_form;
	const field_def *anchor_field;
	event_def *events;
	size_t nevents;
	form_def *forms;           /* every form, in file-name order */
	size_t nforms;
	form_def **logs;           /* repeating logs, in casebook order */
	size_t nlogs;
	choice_list *lists;
	size_t nlists;
	missing_code *missing;
	size_t nmissing;
	constant_def *constants;
	size_t nconstants;
	char **files;              /* every file read; `file` members point here */
	size_t nfiles, filecap;
	ref_target **refs;         /* every binding made, for freeing */
	size_t nrefs, refcap;
	outcome_map outcomes;      /* study.ini [outcomes] */
	char *dir;
} study_def;

/* One problem found while loading, "file:line: message". */
typedef struct formdef_diag {
	char *file;
	int line;                  /* 0 when the problem is the whole file */
	char *msg;
} formdef_diag;

typedef struct formdef_diags {
	formdef_diag *items;
	size_t n, cap;
} formdef_diags;

void formdef_diags_free(formdef_diags *d);

/*
 * Load study.ini and every other *.ini in dir.  Every problem found is
 * appended to diags (all of them, not just the first); if there is any,
 * returns CRF_EDEF and *out is NULL.  On success *out owns everything.
 */
crf_status formdef_load(const char *dir, study_def **out, formdef_diags *diags);

void formdef_free(study_def *sd);

/* Look-ups by id (NULL when absent). */
const form_def *study_form(const study_def *sd, const char *id);
const event_def *study_event(const study_def *sd, const char *id);
const field_def *form_field(const form_def *fd, const char *id);
const choice_item *choice_find(const choice_list *cl, const char *code);
/* Index of a study missing code, or -1. */
int study_missing_index(const study_def *sd, const char *code);

/* Totals for the summary line of `crf forms check`. */
size_t study_field_count(const study_def *sd);

#endif
