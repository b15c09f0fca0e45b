/*
 * formdef.c - study.ini and the form files into immutable definitions.
 *
 * Loading runs in three passes, so that every problem of every file is
 * reported in one run of `crf forms check`:
 *   1. read study.ini: study keys, missing codes, constants, lists, events;
 *   2. read each form file: form keys, sections, fields, checks, lists;
 *   3. resolve: choice lists, event forms, logs, the anchor, export names,
 *      then parse, bind and type-check every expression, and order the
 *      calculations (reporting cycles); last the outcome settings among
 *      the constants and the [outcomes] references (resolve_outcomes).
 * Arrays that others point into (forms, fields, events, lists, constants)
 * are sized before any pointer to their elements is taken.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "crf/date.h"
#include "crf/formdef.h"
#include "crf/ini.h"
#include "crf/outcome.h"
#include "crf/util.h"

#define ID_MAX 32
#define CODE_MAX 20

static const char *const lang_codes[LANG_COUNT] = { "en", "zh" };

static const char *const type_names[FT_COUNT] = {
	"text", "memo", "integer", "decimal", "date", "partialdate", "time",
	"yesno", "choice", "multichoice", "calc", "info"
};

int
lang_from_code(const char *code)
{
	for (int i = 0; i < LANG_COUNT; i++)
		if (code && strcmp(code, lang_codes[i]) == 0)
			return i;
	return -1;
}

const char *
lang_code(crf_lang lang)
{
	return (unsigned)lang < LANG_COUNT ? lang_codes[lang] : "en";
}

const char *
i18n_get(const i18n *t, crf_lang lang)
{
	if ((unsigned)lang < LANG_COUNT && t->text[lang] && *t->text[lang])
		return t->text[lang];
	return t->text[LANG_EN] ? t->text[LANG_EN] : "";
}

const char *
field_type_name(field_type t)
{
	return (unsigned)t < FT_COUNT ? type_names[t] : "?";
}

void
formdef_diags_free(formdef_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->items[i].file);
		free(d->items[i].msg);
	}
	free(d->items);
	memset(d, 0, sizeof *d);
}

/* ---- Loading context ----------------------------------------------------- */

typedef struct loader {
	study_def *sd;
	formdef_diags *diags;
	size_t nlists_cap;
	ini_doc *docs;          /* one per form file, kept until resolved */
	ini_doc study_doc;
	/* Per-expression context while binding. */
	const form_def *cur_form;
	const char *cur_file;
	int cur_line;
	const char *cur_key;
} loader;

static void
diag_add(formdef_diags *d, const char *file, int line, const char *msg)
{
	xgrow(&d->items, sizeof *d->items, &d->cap, d->n);
	d->items[d->n].file = xstrdup(file);
	d->items[d->n].line = line;
	d->items[d->n].msg = xstrdup(msg);
	d->n++;
}

static void
ini_diag_cb(void *ctx, const char *file, int line, const char *msg)
{
	diag_add(ctx, file, line, msg);
}

static void
err(loader *L, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
err(loader *L, const char *file, int line, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	diag_add(L->diags, file, line, buf);
}

/* A copy of path that lives as long as the definitions. */
static const char *
intern_path(study_def *sd, const char *path)
{
	for (size_t i = 0; i < sd->nfiles; i++)
		if (strcmp(sd->files[i], path) == 0)
			return sd->files[i];
	xgrow(&sd->files, sizeof *sd->files, &sd->filecap, sd->nfiles);
	sd->files[sd->nfiles] = xstrdup(path);
	return sd->files[sd->nfiles++];
}

/* ---- Small parsers -------------------------------------------------------- */

static bool
valid_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > ID_MAX || !islower((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static bool
valid_code(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.+/-", s[i]))
			return false;
	return true;
}

static bool
valid_export(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 8 || !isupper((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isupper((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

/* yes/no value; returns -1 when it is neither. */
static int
parse_yesno(const char *v)
{
	if (str_ieq(v, "yes") || str_ieq(v, "true") || str_ieq(v, "y"))
		return 1;
	if (str_ieq(v, "no") || str_ieq(v, "false") || str_ieq(v, "n"))
		return 0;
	return -1;
}

static bool
parse_int_key(loader *L, const ini_doc *doc, const ini_key *k, long lo,
    long hi, int *out)
{
	long v;

	if (!parse_long(k->value, &v) || v < lo || v > hi) {
		err(L, doc->path, k->line, "'%s' must be a whole number from %ld to %ld, not '%s'",
		    k->raw, lo, hi, k->value);
		return false;
	}
	*out = (int)v;
	return true;
}

/* "MIN..MAX" with either end optional. */
static bool
parse_range(const char *v, numrange *r)
{
	const char *dots = strstr(v, "..");
	char *lo, *hi;
	bool good = true;

	memset(r, 0, sizeof *r);
	if (dots == NULL)
		return false;
	lo = str_trim(xstrndup(v, (size_t)(dots - v)));
	hi = str_trim(xstrdup(dots + 2));
	if (*lo) {
		r->has_min = parse_double(lo, &r->min);
		good = good && r->has_min;
	}
	if (*hi) {
		r->has_max = parse_double(hi, &r->max);
		good = good && r->has_max;
	}
	if (!*lo && !*hi)
		good = false;
	free(lo);
	free(hi);
	return good;
}

/* Split "a, b ,c" into trimmed lower-case items. */
static char **
split_list(const char *v, size_t *n, bool lower)
{
	char **items = NULL;
	size_t cap = 0;
	char *copy = xstrdup(v), *save = NULL;

	*n = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		str_trim(tok);
		if (*tok == '\0')
			continue;
		xgrow(&items, sizeof *items, &cap, *n);
		items[(*n)++] = lower ? str_lower(xstrdup(tok)) : xstrdup(tok);
	}
	free(copy);
	return items;
}

static void
free_list(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

/* Is key `name` (lower case) base[.lang] with base in keys[]?  Sets
 * *lang to the language index (LANG_EN without suffix) and *base_i. */
static bool
key_known(const char *name, const char *const *keys, const char *const *i18n_keys,
    int *lang, const char **base_out)
{
	const char *dot = strrchr(name, '.');

	*lang = LANG_EN;
	for (size_t i = 0; keys[i]; i++)
		if (strcmp(name, keys[i]) == 0) {
			*base_out = keys[i];
			return true;
		}
	if (dot == NULL)
		return false;
	if (lang_from_code(dot + 1) < 0)
		return false;
	for (size_t i = 0; i18n_keys[i]; i++)
		if (strlen(i18n_keys[i]) == (size_t)(dot - name) &&
		    strncmp(name, i18n_keys[i], (size_t)(dot - name)) == 0) {
			*lang = lang_from_code(dot + 1);
			*base_out = i18n_keys[i];
			return true;
		}
	return false;
}

/* Report keys of sec that are not allowed. */
static void
check_keys(loader *L, const ini_doc *doc, const ini_sec *sec,
    const char *const *keys, const char *const *i18n_keys)
{
	for (size_t i = 0; i < sec->nkeys; i++) {
		int lang;
		const char *base;

		if (!key_known(sec->keys[i].name, keys, i18n_keys, &lang, &base))
			err(L, doc->path, sec->keys[i].line, "unknown key '%s' in [%s]",
			    sec->keys[i].raw, sec->raw);
	}
}

/* Fill an i18n from key base and base.LANG of sec. */
static void
read_i18n(const ini_sec *sec, const char *base, i18n *t)
{
	char name[64];

	for (int l = 0; l < LANG_COUNT; l++) {
		const char *v;
		if (l == LANG_EN)
			snprintf(name, sizeof name, "%s", base);
		else
			snprintf(name, sizeof name, "%s.%s", base, lang_codes[l]);
		v = ini_sec_get(sec, name);
		if (v && *v)
			t->text[l] = xstrdup(v);
	}
}

static void
i18n_free(i18n *t)
{
	for (int l = 0; l < LANG_COUNT; l++)
		free(t->text[l]);
}

/* ---- Lists, missing codes, constants ------------------------------------- */

static void
read_list(loader *L, const ini_doc *doc, const ini_sec *sec, const char *name)
{
	study_def *sd = L->sd;
	choice_list *cl;

	if (!valid_id(name)) {
		err(L, doc->path, sec->line, "list name '%s' must be a lower-case identifier", name);
		return;
	}
	for (size_t i = 0; i < sd->nlists; i++)
		if (strcmp(sd->lists[i].name, name) == 0) {
			err(L, doc->path, sec->line, "list '%s' is defined twice (also in %s:%d)",
			    name, sd->lists[i].file, sd->lists[i].line);
			return;
		}
	xgrow(&sd->lists, sizeof *sd->lists, &L->nlists_cap, sd->nlists);
	cl = &sd->lists[sd->nlists++];
	memset(cl, 0, sizeof *cl);
	cl->name = xstrdup(name);
	cl->file = intern_path(sd, doc->path);
	cl->line = sec->line;
	cl->items = xcalloc(sec->nkeys, sizeof *cl->items);
	for (size_t i = 0; i < sec->nkeys; i++) {
		const ini_key *k = &sec->keys[i];
		const char *dot = strrchr(k->raw, '.');
		int lang = dot ? lang_from_code(dot + 1) : -1;
		char *code = lang >= 0 ? xstrndup(k->raw, (size_t)(dot - k->raw)) : xstrdup(k->raw);
		choice_item *it = NULL;

		for (size_t j = 0; j < cl->nitems; j++)
			if (str_ieq(cl->items[j].code, code))
				it = &cl->items[j];
		if (lang < 0) {
			if (!valid_code(code)) {
				err(L, doc->path, k->line, "choice code '%s' must be 1-%d letters, "
				    "digits or _ . + / -", code, CODE_MAX);
			} else if (it) {
				err(L, doc->path, k->line, "choice code '%s' is used twice in list '%s'",
				    code, name);
			} else if (str_blank(k->value)) {
				err(L, doc->path, k->line, "choice code '%s' needs a label", code);
			} else {
				it = &cl->items[cl->nitems++];
				it->code = code;
				it->label.text[LANG_EN] = xstrdup(k->value);
				code = NULL;
			}
		} else if (it == NULL) {
			err(L, doc->path, k->line, "'%s' translates code '%s', which is not "
			    "(yet) in list '%s': write the code first", k->raw, code, name);
		} else if (lang != LANG_EN) {
			free(it->label.text[lang]);
			it->label.text[lang] = xstrdup(k->value);
		}
		free(code);
	}
	if (cl->nitems == 0)
		err(L, doc->path, sec->line, "list '%s' has no choices", name);
}

static void
read_missing(loader *L, const ini_doc *doc, const ini_sec *sec)
{
	study_def *sd = L->sd;

	sd->missing = xcalloc(sec->nkeys, sizeof *sd->missing);
	for (size_t i = 0; i < sec->nkeys; i++) {
		const ini_key *k = &sec->keys[i];
		const char *dot = strrchr(k->raw, '.');
		int lang = dot ? lang_from_code(dot + 1) : -1;
		char *code = lang >= 0 ? xstrndup(k->raw, (size_t)(dot - k->raw)) : xstrdup(k->raw);
		missing_code *mc = NULL;

		for (size_t j = 0; j < sd->nmissing; j++)
			if (str_ieq(sd->missing[j].code, code))
				mc = &sd->missing[j];
		if (lang < 0) {
			bool good = strlen(code) >= 1 && strlen(code) <= 8;
			for (const char *p = code; *p; p++)
				if (!isupper((unsigned char)*p) && !isdigit((unsigned char)*p))
					good = false;
			if (!good)
				err(L, doc->path, k->line, "missing-data code '%s' must be 1-8 "
				    "upper-case letters or digits", code);
			else if (sd->nmissing >= 32)
				err(L, doc->path, k->line, "at most 32 missing-data codes");
			else if (!mc) {
				mc = &sd->missing[sd->nmissing++];
				mc->code = code;
				mc->label.text[LANG_EN] = xstrdup(k->value);
				code = NULL;
			}
		} else if (mc == NULL) {
			err(L, doc->path, k->line, "'%s' translates unknown code '%s'", k->raw, code);
		} else if (lang != LANG_EN) {
			mc->label.text[lang] = xstrdup(k->value);
		}
		free(code);
	}
}

static void
read_constants(loader *L, const ini_doc *doc, const ini_sec *sec)
{
	study_def *sd = L->sd;

	sd->constants = xcalloc(sec->nkeys, sizeof *sd->constants);
	for (size_t i = 0; i < sec->nkeys; i++) {
		const ini_key *k = &sec->keys[i];
		constant_def *c;
		double n;
		crf_date d;
		int yn;

		if (!valid_id(k->name)) {
			err(L, doc->path, k->line, "constant name '%s' must be a lower-case identifier",
			    k->raw);
			continue;
		}
		c = &sd->constants[sd->nconstants++];
		c->name = xstrdup(k->name);
		if (parse_double(k->value, &n))
			c->value = val_num(n);
		else if (date_parse_iso(k->value, true, &d))
			c->value = val_date(d);
		else if ((yn = parse_yesno(k->value)) >= 0)
			c->value = val_bool(yn == 1);
		else
			c->value = val_text(xstrdup(k->value));
	}
}

/* ---- study.ini -------------------------------------------------------------- */

static const char *const study_keys[] = { "id", "name", "protocol", "version", "anchor", "logs", NULL };
static const char *const study_i18n[] = { "name", NULL };
static const char *const event_keys[] = { "title", "forms", "day", "window", "repeating",
	"visit_date", NULL };
static const char *const event_i18n[] = { "title", NULL };

/* Pending per-event form lists, resolved once the forms are loaded. */
typedef struct event_pending {
	char **forms;
	size_t nforms;
	int line;
	const char *visit_date;    /* FORM.FIELD */
	int visit_date_line;
} event_pending;

static void
read_study(loader *L, const char *dir, event_pending **pend)
{
	study_def *sd = L->sd;
	ini_doc *doc = &L->study_doc;
	char *path = path_join(dir, "study.ini");
	ini_sec *st;
	size_t nevents = 0;

	ini_read(path, doc, ini_diag_cb, L->diags);
	free(path);
	if (doc->dict == NULL) {
		*pend = xcalloc(1, sizeof **pend);
		sd->events = xcalloc(1, sizeof *sd->events);
		return;
	}

	for (size_t i = 0; i < doc->nsecs; i++)
		if (str_starts(doc->secs[i].name, "event "))
			nevents++;
	sd->events = xcalloc(nevents ? nevents : 1, sizeof *sd->events);
	*pend = xcalloc(nevents ? nevents : 1, sizeof **pend);

	st = ini_section(doc, "study");
	if (st == NULL && doc->dict)
		err(L, doc->path, 0, "missing the [study] section");

	for (size_t i = 0; i < doc->nsecs; i++) {
		ini_sec *sec = &doc->secs[i];

		if (strcmp(sec->name, "study") == 0) {
			const char *v;
			check_keys(L, doc, sec, study_keys, study_i18n);
			v = ini_sec_get(sec, "id");
			if (str_blank(v))
				err(L, doc->path, sec->line, "[study] needs an id (the study OID)");
			else
				sd->id = xstrdup(v);
			read_i18n(sec, "name", &sd->name);
			if (sd->name.text[LANG_EN] == NULL)
				err(L, doc->path, sec->line, "[study] needs a name");
			sd->protocol = xstrdup(ini_sec_get(sec, "protocol"));
			sd->metadata_version = 1;
			if (ini_sec_key(sec, "version"))
				parse_int_key(L, doc, ini_sec_key(sec, "version"), 1, 100000,
				    &sd->metadata_version);
		} else if (strcmp(sec->name, "missing") == 0) {
			read_missing(L, doc, sec);
		} else if (strcmp(sec->name, "constants") == 0) {
			read_constants(L, doc, sec);
		} else if (strcmp(sec->name, "outcomes") == 0) {
			/* Read once the forms are known: resolve_outcomes(). */
		} else if (str_starts(sec->name, "list ")) {
			read_list(L, doc, sec, str_trim(sec->name + 5));
		} else if (str_starts(sec->name, "event ")) {
			event_def *ev = &sd->events[sd->nevents];
			event_pending *pe = &(*pend)[sd->nevents];
			const char *id = sec->name + 6;
			const ini_key *k;

			while (*id == ' ')
				id++;
			check_keys(L, doc, sec, event_keys, event_i18n);
			if (!valid_id(id)) {
				err(L, doc->path, sec->line, "event id '%s' must be a lower-case "
				    "identifier (letter first, at most %d characters)", id, ID_MAX);
				continue;
			}
			if (strcmp(id, "study") == 0) {
				err(L, doc->path, sec->line, "'study' is reserved for study constants");
				continue;
			}
			sd->nevents++;
			ev->id = xstrdup(id);
			ev->order = sd->nevents - 1;
			ev->file = intern_path(sd, doc->path);
			ev->line = sec->line;
			read_i18n(sec, "title", &ev->title);
			if (ev->title.text[LANG_EN] == NULL)
				err(L, doc->path, sec->line, "event '%s' needs a title", id);
			if ((k = ini_sec_key(sec, "day")) != NULL) {
				ev->has_day = parse_int_key(L, doc, k, -3650, 36500, &ev->day);
			}
			if ((k = ini_sec_key(sec, "window")) != NULL) {
				numrange r;
				if (!ev->has_day)
					err(L, doc->path, k->line, "'window' needs a 'day' in the same event");
				if (!parse_range(k->value, &r) || !r.has_min || !r.has_max ||
				    r.min != floor(r.min) || r.max != floor(r.max) || r.min > 0 || r.max < 0)
					err(L, doc->path, k->line, "'window' must be -BEFORE..AFTER in whole "
					    "days around the target, such as -7..7, not '%s'", k->value);
				else {
					ev->win_before = (int)-r.min;
					ev->win_after = (int)r.max;
				}
			}
			if ((k = ini_sec_key(sec, "repeating")) != NULL) {
				int yn = parse_yesno(k->value);
				if (yn < 0)
					err(L, doc->path, k->line, "'repeating' must be yes or no");
				ev->repeating = yn == 1;
			}
			if ((k = ini_sec_key(sec, "visit_date")) != NULL) {
				pe->visit_date = k->value;
				pe->visit_date_line = k->line;
			}
			if ((k = ini_sec_key(sec, "forms")) != NULL)
				pe->forms = split_list(k->value, &pe->nforms, true);
			if (pe->nforms == 0)
				err(L, doc->path, sec->line, "event '%s' lists no forms", id);
			pe->line = k ? k->line : sec->line;
		} else {
			err(L, doc->path, sec->line, "unknown section [%s] in study.ini (known: study, "
			    "missing, constants, list NAME, event ID, outcomes)", sec->raw);
		}
	}
	if (sd->nevents == 0 && doc->dict)
		err(L, doc->path, 0, "the study has no [event ...] sections");
	for (size_t i = 0; i < sd->nevents; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(sd->events[i].id, sd->events[j].id) == 0)
				err(L, doc->path, sd->events[i].line, "event '%s' is defined twice",
				    sd->events[i].id);
}

/* ---- Form files ------------------------------------------------------------- */

static const char *const form_keys[] = { "title", "version", "domain", "help", NULL };
static const char *const form_i18n[] = { "title", "help", NULL };
static const char *const section_keys[] = { "title", NULL };
static const char *const section_i18n[] = { "title", NULL };
static const char *const field_keys[] = {
	"type", "label", "text", "help", "unit", "decimals", "length", "range", "soft",
	"required", "pattern", "pattern_help", "choices", "missing", "show", "calc",
	"result", "export", "identifier", "since", "retired", "criterion", "derived",
	"evidence", NULL
};
static const char *const field_i18n[] = { "label", "text", "help", "pattern_help", NULL };
static const char *const check_keys_list[] = { "field", "assert", "when", "message", "level", NULL };
static const char *const check_i18n[] = { "message", NULL };

/* Raw expression sources, parsed in the resolve pass. */
typedef struct field_pending {
	const char *choices;      /* list name */
	int choices_line;
	const char *missing;
	int missing_line;
	const char *show, *calc;
	int show_line, calc_line;
	int result_line;
	bool result_given;
	bool decimals_given;
	const char *derived, *evidence;   /* eligibility: field ids */
	int derived_line, evidence_line;
} field_pending;

typedef struct check_pending {
	const char *field, *assert, *when;
	int field_line, assert_line, when_line;
} check_pending;

typedef struct form_pending {
	field_pending *fields;
	check_pending *checks;
	int form_line;
} form_pending;

static field_type
type_from_name(const char *v)
{
	for (int t = 0; t < FT_COUNT; t++)
		if (str_ieq(v, type_names[t]))
			return (field_type)t;
	return FT_COUNT;
}

static void
read_field(loader *L, const ini_doc *doc, const ini_sec *sec, const char *id,
    form_def *fd, field_def *f, field_pending *fp)
{
	const ini_key *k;
	const char *v;
	int yn;

	check_keys(L, doc, sec, field_keys, field_i18n);
	f->id = xstrdup(id);
	f->form = fd;
	f->file = intern_path(L->sd, doc->path);
	f->line = sec->line;
	f->decimals = -1;
	f->since = 1;
	f->index = (size_t)(f - fd->fields);

	k = ini_sec_key(sec, "type");
	if (k == NULL) {
		err(L, doc->path, sec->line, "field '%s' needs a type", id);
		f->type = FT_TEXT;
	} else if ((f->type = type_from_name(k->value)) == FT_COUNT) {
		err(L, doc->path, k->line, "unknown type '%s' (use text, memo, integer, decimal, "
		    "date, partialdate, time, yesno, choice, multichoice, calc or info)", k->value);
		f->type = FT_TEXT;
	}
	read_i18n(sec, "label", &f->label);
	read_i18n(sec, "help", &f->help);
	read_i18n(sec, "text", &f->text);
	read_i18n(sec, "pattern_help", &f->pattern_help);
	if (f->type == FT_INFO) {
		if (f->text.text[LANG_EN] == NULL)
			err(L, doc->path, sec->line, "info field '%s' needs a text", id);
	} else if (f->label.text[LANG_EN] == NULL) {
		err(L, doc->path, sec->line, "field '%s' needs a label", id);
	}
	f->unit = xstrdup(ini_sec_get(sec, "unit"));

	if ((k = ini_sec_key(sec, "decimals")) != NULL) {
		fp->decimals_given = true;
		if (f->type != FT_DECIMAL && f->type != FT_CALC)
			err(L, doc->path, k->line, "'decimals' applies to decimal and calc fields");
		parse_int_key(L, doc, k, 0, 6, &f->decimals);
	} else if (f->type == FT_DECIMAL) {
		err(L, doc->path, sec->line, "decimal field '%s' needs 'decimals' (0 to 6)", id);
	}
	if ((k = ini_sec_key(sec, "length")) != NULL) {
		if (f->type != FT_TEXT && f->type != FT_MEMO)
			err(L, doc->path, k->line, "'length' applies to text and memo fields");
		parse_int_key(L, doc, k, 1, 100000, &f->maxlen);
	}
	for (int which = 0; which < 2; which++) {
		const char *key = which ? "soft" : "range";
		numrange *r = which ? &f->soft : &f->hard;

		if ((k = ini_sec_key(sec, key)) == NULL)
			continue;
		if (f->type != FT_INTEGER && f->type != FT_DECIMAL && f->type != FT_CALC)
			err(L, doc->path, k->line, "'%s' applies to integer, decimal and calc fields", key);
		else if (!parse_range(k->value, r))
			err(L, doc->path, k->line, "'%s' must be MIN..MAX (either may be left out), "
			    "not '%s'", key, k->value);
		else if (r->has_min && r->has_max && r->min > r->max)
			err(L, doc->path, k->line, "%s %s: the minimum is greater than the maximum",
			    key, k->value);
	}
	if (f->soft.has_min && f->hard.has_min && f->soft.min < f->hard.min)
		err(L, doc->path, ini_sec_key(sec, "soft")->line,
		    "the soft range starts below the hard range");
	if (f->soft.has_max && f->hard.has_max && f->soft.max > f->hard.max)
		err(L, doc->path, ini_sec_key(sec, "soft")->line,
		    "the soft range ends above the hard range");

	if ((k = ini_sec_key(sec, "required")) != NULL) {
		if ((yn = parse_yesno(k->value)) < 0)
			err(L, doc->path, k->line, "'required' must be yes or no, not '%s'", k->value);
		f->required = yn == 1;
		if (f->required && (f->type == FT_CALC || f->type == FT_INFO))
			err(L, doc->path, k->line, "a %s field cannot be required",
			    type_names[f->type]);
	}
	if ((k = ini_sec_key(sec, "identifier")) != NULL) {
		if ((yn = parse_yesno(k->value)) < 0)
			err(L, doc->path, k->line, "'identifier' must be yes or no, not '%s'", k->value);
		f->identifier = yn == 1;
	}
	if ((k = ini_sec_key(sec, "pattern")) != NULL) {
		int rc;
		if (f->type != FT_TEXT)
			err(L, doc->path, k->line, "'pattern' applies to text fields");
		f->pattern = xstrdup(k->value);
		rc = regcomp(&f->pattern_re, f->pattern, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			char msg[256];
			regerror(rc, &f->pattern_re, msg, sizeof msg);
			err(L, doc->path, k->line, "bad pattern '%s': %s", f->pattern, msg);
			free(f->pattern);
			f->pattern = NULL;
		}
	}
	if ((k = ini_sec_key(sec, "choices")) != NULL) {
		if (f->type != FT_CHOICE && f->type != FT_MULTI)
			err(L, doc->path, k->line, "'choices' applies to choice and multichoice fields");
		fp->choices = k->value;
		fp->choices_line = k->line;
	} else if (f->type == FT_CHOICE || f->type == FT_MULTI) {
		err(L, doc->path, sec->line, "%s field '%s' needs 'choices' (a list name)",
		    type_names[f->type], id);
	}
	if ((k = ini_sec_key(sec, "missing")) != NULL) {
		if (f->type == FT_CALC || f->type == FT_INFO)
			err(L, doc->path, k->line, "'missing' applies to fields that are entered");
		fp->missing = k->value;
		fp->missing_line = k->line;
	}
	if ((k = ini_sec_key(sec, "show")) != NULL) {
		fp->show = k->value;
		fp->show_line = k->line;
	}
	if ((k = ini_sec_key(sec, "calc")) != NULL) {
		if (f->type != FT_CALC)
			err(L, doc->path, k->line, "'calc' applies to calc fields (type = calc)");
		fp->calc = k->value;
		fp->calc_line = k->line;
	} else if (f->type == FT_CALC) {
		err(L, doc->path, sec->line, "calc field '%s' needs a 'calc' expression", id);
	}
	f->result = FT_DECIMAL;
	if ((k = ini_sec_key(sec, "result")) != NULL) {
		field_type t = type_from_name(k->value);
		fp->result_given = true;
		fp->result_line = k->line;
		if (f->type != FT_CALC)
			err(L, doc->path, k->line, "'result' applies to calc fields");
		else if (t != FT_INTEGER && t != FT_DECIMAL && t != FT_DATE && t != FT_TEXT &&
		    t != FT_YESNO && t != FT_TIME)
			err(L, doc->path, k->line, "'result' must be integer, decimal, date, text, "
			    "yesno or time, not '%s'", k->value);
		else
			f->result = t;
	}
	if ((k = ini_sec_key(sec, "criterion")) != NULL) {
		if (str_ieq(k->value, "inclusion"))
			f->criterion = CRITERION_INCLUSION;
		else if (str_ieq(k->value, "exclusion"))
			f->criterion = CRITERION_EXCLUSION;
		else if (str_ieq(k->value, "confirmation"))
			f->criterion = CRITERION_CONFIRMATION;
		else
			err(L, doc->path, k->line, "'criterion' must be inclusion, exclusion or "
			    "confirmation, not '%s'", k->value);
		if (f->type != FT_YESNO)
			err(L, doc->path, k->line, "'criterion' applies to yesno fields (the "
			    "investigator's answer)");
	}
	for (int which = 0; which < 2; which++) {
		const char *key = which ? "evidence" : "derived";

		if ((k = ini_sec_key(sec, key)) == NULL)
			continue;
		if (f->criterion == CRITERION_NONE || f->criterion == CRITERION_CONFIRMATION)
			err(L, doc->path, k->line, "'%s' applies to inclusion and exclusion "
			    "criteria", key);
		if (which) {
			fp->evidence = k->value;
			fp->evidence_line = k->line;
		} else {
			fp->derived = k->value;
			fp->derived_line = k->line;
		}
	}
	v = ini_sec_get(sec, "export");
	if (v) {
		if (!valid_export(v))
			err(L, doc->path, ini_sec_key(sec, "export")->line, "export name '%s' must be "
			    "upper case, start with a letter and have at most 8 letters, digits or _", v);
		f->export_name = xstrdup(v);
	} else if (f->type != FT_INFO) {
		char *up = xstrdup(id);
		for (char *p = up; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		if (!valid_export(up))
			err(L, doc->path, sec->line, "field '%s' needs an 'export' name: its id is "
			    "too long to serve as one (at most 8 characters)", id);
		f->export_name = up;
	}
	if ((k = ini_sec_key(sec, "since")) != NULL)
		parse_int_key(L, doc, k, 1, 100000, &f->since);
	if ((k = ini_sec_key(sec, "retired")) != NULL)
		parse_int_key(L, doc, k, 1, 100000, &f->retired);
	if (f->since > fd->version)
		err(L, doc->path, ini_sec_key(sec, "since")->line, "field '%s' is since version %d, "
		    "but the form is version %d", id, f->since, fd->version);
	if (f->retired && f->retired <= f->since)
		err(L, doc->path, ini_sec_key(sec, "retired")->line,
		    "field '%s' is retired before it was added", id);
	if (f->retired > fd->version)
		err(L, doc->path, ini_sec_key(sec, "retired")->line, "field '%s' is retired in "
		    "version %d, but the form is version %d", id, f->retired, fd->version);
}

static void
read_form(loader *L, const char *path, const char *id, form_def *fd, ini_doc *doc,
    form_pending *pend)
{
	size_t nfields = 0, nsections = 0, nchecks = 0;
	const ini_sec *fs;

	fd->id = xstrdup(id);
	fd->file = xstrdup(path);
	fd->version = 1;
	ini_read(path, doc, ini_diag_cb, L->diags);
	if (doc->dict == NULL)
		return;

	for (size_t i = 0; i < doc->nsecs; i++) {
		const char *n = doc->secs[i].name;
		if (str_starts(n, "field "))
			nfields++;
		else if (str_starts(n, "section "))
			nsections++;
		else if (str_starts(n, "check "))
			nchecks++;
	}
	fd->fields = xcalloc(nfields ? nfields : 1, sizeof *fd->fields);
	fd->sections = xcalloc(nsections + 1, sizeof *fd->sections);
	fd->checks = xcalloc(nchecks ? nchecks : 1, sizeof *fd->checks);
	pend->fields = xcalloc(nfields ? nfields : 1, sizeof *pend->fields);
	pend->checks = xcalloc(nchecks ? nchecks : 1, sizeof *pend->checks);

	fs = ini_section(doc, "form");
	if (fs == NULL) {
		if (doc->dict)
			err(L, path, 0, "missing the [form] section");
	} else {
		const ini_key *k;
		pend->form_line = fs->line;
		check_keys(L, doc, fs, form_keys, form_i18n);
		read_i18n(fs, "title", &fd->title);
		read_i18n(fs, "help", &fd->help);
		if (fd->title.text[LANG_EN] == NULL)
			err(L, path, fs->line, "[form] needs a title");
		if ((k = ini_sec_key(fs, "version")) != NULL)
			parse_int_key(L, doc, k, 1, 100000, &fd->version);
		if ((k = ini_sec_key(fs, "domain")) != NULL) {
			const char *v = k->value;
			if (strlen(v) != 2 || !isupper((unsigned char)v[0]) || !isupper((unsigned char)v[1]))
				err(L, path, k->line, "'domain' must be a two-letter CDISC domain such "
				    "as DM or AE, not '%s'", v);
			fd->domain = xstrdup(v);
		}
	}

	/* An untitled first group holds fields that come before any section. */
	fd->sections[0].id = xstrdup("");
	fd->nsections = 1;
	for (size_t i = 0; i < doc->nsecs; i++) {
		const ini_sec *sec = &doc->secs[i];
		const char *n = sec->name;
		const char *sid = strchr(n, ' ');

		if (sid)
			while (*sid == ' ')
				sid++;
		if (strcmp(n, "form") == 0)
			continue;
		if (str_starts(n, "list ")) {
			read_list(L, doc, sec, sid);
		} else if (str_starts(n, "section ")) {
			section_def *s;
			check_keys(L, doc, sec, section_keys, section_i18n);
			if (!valid_id(sid)) {
				err(L, path, sec->line, "section id '%s' must be a lower-case identifier", sid);
				continue;
			}
			if (fd->nsections == 1 && fd->sections[0].count == 0)
				s = &fd->sections[0];  /* nothing before it: reuse the slot */
			else
				s = &fd->sections[fd->nsections++];
			free(s->id);
			s->id = xstrdup(sid);
			s->first = fd->nfields;
			read_i18n(sec, "title", &s->title);
			if (s->title.text[LANG_EN] == NULL)
				err(L, path, sec->line, "section '%s' needs a title", sid);
		} else if (str_starts(n, "field ")) {
			field_def *f;
			if (!valid_id(sid)) {
				err(L, path, sec->line, "field id '%s' must be a lower-case identifier "
				    "(letter first, at most %d characters)", sid, ID_MAX);
				continue;
			}
			if (strcmp(sid, "study") == 0) {
				err(L, path, sec->line, "'study' is reserved for study constants");
				continue;
			}
			f = &fd->fields[fd->nfields];
			f->section = fd->nsections - 1;
			read_field(L, doc, sec, sid, fd, f, &pend->fields[fd->nfields]);
			fd->nfields++;
			fd->sections[fd->nsections - 1].count++;
		} else if (str_starts(n, "check ")) {
			check_def *c = &fd->checks[fd->nchecks];
			check_pending *cp = &pend->checks[fd->nchecks];
			const ini_key *k;

			check_keys(L, doc, sec, check_keys_list, check_i18n);
			if (!valid_id(sid)) {
				err(L, path, sec->line, "check id '%s' must be a lower-case identifier", sid);
				continue;
			}
			fd->nchecks++;
			c->id = xstrdup(sid);
			c->file = intern_path(L->sd, doc->path);
			c->line = sec->line;
			read_i18n(sec, "message", &c->message);
			if (c->message.text[LANG_EN] == NULL)
				err(L, path, sec->line, "check '%s' needs a message", sid);
			c->level = CHECK_HARD;
			if ((k = ini_sec_key(sec, "level")) != NULL) {
				if (str_ieq(k->value, "soft"))
					c->level = CHECK_SOFT;
				else if (!str_ieq(k->value, "hard"))
					err(L, path, k->line, "'level' must be hard or soft, not '%s'", k->value);
			}
			if ((k = ini_sec_key(sec, "field")) != NULL) {
				cp->field = k->value;
				cp->field_line = k->line;
			} else {
				err(L, path, sec->line, "check '%s' needs a 'field' for its message", sid);
			}
			if ((k = ini_sec_key(sec, "assert")) != NULL) {
				cp->assert = k->value;
				cp->assert_line = k->line;
			} else {
				err(L, path, sec->line, "check '%s' needs an 'assert' expression", sid);
			}
			if ((k = ini_sec_key(sec, "when")) != NULL) {
				cp->when = k->value;
				cp->when_line = k->line;
			}
		} else {
			err(L, path, sec->line, "unknown section [%s] (known: form, section ID, "
			    "field ID, check ID, list NAME)", sec->raw);
		}
	}
	/* Sections declared but empty keep their place; drop an empty untitled lead. */
	if (fd->nsections > 1 && fd->sections[0].count == 0 && fd->sections[0].id[0] == '\0') {
		free(fd->sections[0].id);
		memmove(&fd->sections[0], &fd->sections[1], (fd->nsections - 1) * sizeof *fd->sections);
		fd->nsections--;
		for (size_t i = 0; i < fd->nfields; i++)
			fd->fields[i].section--;
	}
	if (fd->nfields == 0 && doc->dict)
		err(L, path, 0, "form '%s' has no fields", id);
}

/* ---- Resolve: references ------------------------------------------------------ */

static const event_def *
find_event(const study_def *sd, const char *id)
{
	for (size_t i = 0; i < sd->nevents; i++)
		if (strcmp(sd->events[i].id, id) == 0)
			return &sd->events[i];
	return NULL;
}

const event_def *
study_event(const study_def *sd, const char *id)
{
	return find_event(sd, id);
}

const form_def *
study_form(const study_def *sd, const char *id)
{
	for (size_t i = 0; i < sd->nforms; i++)
		if (strcmp(sd->forms[i].id, id) == 0)
			return &sd->forms[i];
	return NULL;
}

const field_def *
form_field(const form_def *fd, const char *id)
{
	for (size_t i = 0; i < fd->nfields; i++)
		if (strcmp(fd->fields[i].id, id) == 0)
			return &fd->fields[i];
	return NULL;
}

const choice_item *
choice_find(const choice_list *cl, const char *code)
{
	for (size_t i = 0; i < cl->nitems; i++)
		if (str_ieq(cl->items[i].code, code))
			return &cl->items[i];
	return NULL;
}

int
study_missing_index(const study_def *sd, const char *code)
{
	for (size_t i = 0; i < sd->nmissing; i++)
		if (str_ieq(sd->missing[i].code, code))
			return (int)i;
	return -1;
}

size_t
study_field_count(const study_def *sd)
{
	size_t n = 0;

	for (size_t i = 0; i < sd->nforms; i++)
		n += sd->forms[i].nfields;
	return n;
}

static bool
event_has_form(const event_def *ev, const form_def *fd)
{
	for (size_t i = 0; i < ev->nforms; i++)
		if (ev->forms[i] == fd)
			return true;
	return false;
}

static const choice_list *
find_list(const study_def *sd, const char *name)
{
	for (size_t i = 0; i < sd->nlists; i++)
		if (strcmp(sd->lists[i].name, name) == 0)
			return &sd->lists[i];
	return NULL;
}

static ref_target *
new_target(study_def *sd)
{
	ref_target *t = xcalloc(1, sizeof *t);

	xgrow(&sd->refs, sizeof *sd->refs, &sd->refcap, sd->nrefs);
	sd->refs[sd->nrefs++] = t;
	return t;
}

/* Every event holding form fd, counted. */
static size_t
events_holding(const study_def *sd, const form_def *fd, const event_def **only)
{
	size_t n = 0;

	for (size_t i = 0; i < sd->nevents; i++)
		if (event_has_form(&sd->events[i], fd)) {
			if (only)
				*only = &sd->events[i];
			n++;
		}
	return n;
}

/* Resolve one reference of an expression of form `self`. */
static bool
bind_ref(loader *L, expr *e, size_t i, const form_def *self)
{
	study_def *sd = L->sd;
	expr_ref *r = expr_ref_at(e, i);
	const form_def *tf = self;
	const event_def *ev = NULL;
	const field_def *f;
	ref_target *t;

	/* study.NAME */
	if (r->form && !r->event && strcmp(r->form, "study") == 0) {
		for (size_t c = 0; c < sd->nconstants; c++)
			if (strcmp(sd->constants[c].name, r->field) == 0) {
				t = new_target(sd);
				t->kind = REF_CONST;
				t->constant = &sd->constants[c];
				expr_bind(e, i, t, t->constant->value.type, false);
				return true;
			}
		err(L, L->cur_file, L->cur_line, "%s: no constant '%s' in study.ini [constants]",
		    L->cur_key, r->field);
		return false;
	}
	if (r->event) {
		ev = find_event(sd, r->event);
		if (ev == NULL) {
			err(L, L->cur_file, L->cur_line, "%s: '%s' refers to unknown event '%s'",
			    L->cur_key, r->text, r->event);
			return false;
		}
	}
	if (r->form) {
		tf = study_form(sd, r->form);
		if (tf == NULL) {
			err(L, L->cur_file, L->cur_line, "%s: '%s' refers to unknown form '%s'",
			    L->cur_key, r->text, r->form);
			return false;
		}
	}
	if (ev && !event_has_form(ev, tf)) {
		err(L, L->cur_file, L->cur_line, "%s: '%s': event '%s' does not hold form '%s'",
		    L->cur_key, r->text, ev->id, tf->id);
		return false;
	}
	t = new_target(sd);
	t->form = tf;
	t->event = ev;
	if (r->field == NULL) {
		/* count(log): a whole form. */
		if (!tf->is_log) {
			err(L, L->cur_file, L->cur_line, "%s: '%s' is not a repeating log: only logs "
			    "can be counted", L->cur_key, r->text);
			return false;
		}
		t->kind = REF_LOG;
		expr_bind(e, i, t, VAL_NUM, true);
		return true;
	}
	f = form_field(tf, r->field);
	if (f == NULL) {
		err(L, L->cur_file, L->cur_line, "%s: '%s': form '%s' has no field '%s'",
		    L->cur_key, r->text, tf->id, r->field);
		return false;
	}
	if (f->type == FT_INFO) {
		err(L, L->cur_file, L->cur_line, "%s: '%s' is descriptive text, not a value",
		    L->cur_key, r->text);
		return false;
	}
	t->kind = REF_FIELD;
	t->field = f;
	if (tf == self && !ev && !r->per_instance) {
		t->same_instance = true;
	} else if (tf->is_log) {
		if (!r->per_instance) {
			err(L, L->cur_file, L->cur_line, "%s: '%s' is a field of the repeating log '%s': "
			    "use it through an aggregate such as sum(%s.%s) or last(%s.%s)",
			    L->cur_key, r->text, tf->id, tf->id, f->id, tf->id, f->id);
			return false;
		}
	} else if (!ev) {
		/* form.field: the same event when every event of self holds it,
		 * else the only event that holds it. */
		const event_def *only = NULL;
		size_t nself = self->is_log ? 0 : events_holding(sd, self, NULL);
		size_t nboth = 0;
		size_t nt = events_holding(sd, tf, &only);

		for (size_t k = 0; k < sd->nevents; k++)
			if (event_has_form(&sd->events[k], self) && event_has_form(&sd->events[k], tf))
				nboth++;
		if (nself > 0 && nboth == nself) {
			/* resolved per event at run time */
		} else if (nt == 1) {
			t->event = only;
		} else if (nt == 0) {
			err(L, L->cur_file, L->cur_line, "%s: '%s': form '%s' is in no event",
			    L->cur_key, r->text, tf->id);
			return false;
		} else {
			err(L, L->cur_file, L->cur_line, "%s: '%s': form '%s' is in %zu events; "
			    "write EVENT.%s.%s to say which", L->cur_key, r->text, tf->id, nt,
			    tf->id, f->id);
			return false;
		}
	}
	expr_bind(e, i, t, f->value_type, tf->is_log);
	return true;
}

/* Parse and bind src; NULL (with a diagnostic) on any problem. */
static expr *
compile(loader *L, const form_def *self, const char *src, const char *file, int line,
    const char *key)
{
	expr *e = NULL;
	crf_err ce;
	bool good = true;

	if (str_blank(src)) {
		err(L, file, line, "%s: the expression is empty", key);
		return NULL;
	}
	if (expr_parse(src, &e, &ce) != CRF_OK) {
		err(L, file, line, "%s: %s", key, ce.msg);
		return NULL;
	}
	L->cur_file = file;
	L->cur_line = line;
	L->cur_key = key;
	for (size_t i = 0; i < expr_nrefs(e); i++)
		if (!bind_ref(L, e, i, self))
			good = false;
	if (!good) {
		expr_free(e);
		return NULL;
	}
	return e;
}

static val_type
value_type_of(field_type t, field_type result)
{
	switch (t) {
	case FT_INTEGER: case FT_DECIMAL: return VAL_NUM;
	case FT_DATE: case FT_PDATE: return VAL_DATE;
	case FT_TIME: return VAL_TIME;
	case FT_INFO: return VAL_MISSING;
	case FT_CALC: return result == FT_CALC ? VAL_ANY : value_type_of(result, FT_CALC);
	default: return VAL_TEXT;
	}
}

/* Type-check e, expecting `want` (VAL_ANY: anything). */
static bool
typecheck(loader *L, expr *e, val_type want, const char *file, int line, const char *key,
    val_type *got)
{
	crf_err ce;
	val_type t;

	/* Refresh the types of calc fields, known only after inference. */
	for (size_t i = 0; i < expr_nrefs(e); i++) {
		expr_ref *r = expr_ref_at(e, i);
		const ref_target *tg = r->binding;
		if (tg && tg->kind == REF_FIELD)
			r->type = tg->field->value_type;
	}
	if (expr_typecheck(e, &t, &ce) != CRF_OK) {
		err(L, file, line, "%s: %s", key, ce.msg);
		return false;
	}
	if (got)
		*got = t;
	if (want != VAL_ANY && t != VAL_ANY && t != VAL_MISSING && t != want) {
		err(L, file, line, "%s: the expression gives %s, but %s is needed",
		    key, val_type_name(t), val_type_name(want));
		return false;
	}
	return true;
}

/* Calculation cycles: depth-first over calc fields, across forms. */
enum { WHITE, GREY, BLACK };

typedef struct cyc {
	loader *L;
	const field_def **stack;
	size_t depth, cap;
	unsigned char **color;   /* per form, per field */
	bool found;
} cyc;

static size_t
form_index(const study_def *sd, const form_def *fd)
{
	return (size_t)(fd - sd->forms);
}

static void
cycle_visit(cyc *c, const field_def *f)
{
	study_def *sd = c->L->sd;
	unsigned char *col = &c->color[form_index(sd, f->form)][f->index];

	if (*col == BLACK)
		return;
	if (*col == GREY) {
		strbuf sb = {0};
		size_t start = c->depth;
		while (start > 0 && c->stack[start - 1] != f)
			start--;
		if (start > 0)
			start--;
		for (size_t i = start; i < c->depth; i++) {
			if (c->stack[i]->form != f->form)
				sb_addf(&sb, "%s.", c->stack[i]->form->id);
			sb_addf(&sb, "%s -> ", c->stack[i]->id);
		}
		sb_add(&sb, f->id);
		err(c->L, f->file, f->line, "calculation cycle: %s", sb.s);
		sb_free(&sb);
		c->found = true;
		return;
	}
	*col = GREY;
	xgrow(&c->stack, sizeof *c->stack, &c->cap, c->depth);
	c->stack[c->depth++] = f;
	if (f->calc) {
		for (size_t i = 0; i < expr_nrefs(f->calc); i++) {
			const ref_target *t = expr_ref_const(f->calc, i)->binding;
			if (t && t->kind == REF_FIELD && t->field->type == FT_CALC && t->field->calc)
				cycle_visit(c, t->field);
		}
	}
	c->depth--;
	*col = BLACK;
}

/* Order a form's calc fields so that each comes after the calcs of the
 * same form it uses. */
static void
order_calcs(form_def *fd)
{
	unsigned char *done = xcalloc(fd->nfields, 1);
	size_t n = 0;
	bool progress = true;

	fd->calc_order = xcalloc(fd->nfields ? fd->nfields : 1, sizeof *fd->calc_order);
	while (progress) {
		progress = false;
		for (size_t i = 0; i < fd->nfields; i++) {
			field_def *f = &fd->fields[i];
			bool ready = true;
			if (f->type != FT_CALC || done[i] || f->calc == NULL)
				continue;
			for (size_t r = 0; r < expr_nrefs(f->calc); r++) {
				const ref_target *t = expr_ref_const(f->calc, r)->binding;
				if (t && t->kind == REF_FIELD && t->field->form == fd &&
				    t->field->type == FT_CALC && t->field != f && !done[t->field->index] &&
				    t->field->calc)
					ready = false;
			}
			if (ready) {
				done[i] = 1;
				fd->calc_order[n++] = i;
				progress = true;
			}
		}
	}
	fd->ncalc = n;
	free(done);
}

static void
resolve(loader *L, event_pending *epend, form_pending *fpend, char **log_ids, size_t nlogs,
    const char *anchor, int anchor_line)
{
	study_def *sd = L->sd;
	const char *spath = L->study_doc.path;

	/* Logs first: binding needs is_log. */
	sd->logs = xcalloc(nlogs ? nlogs : 1, sizeof *sd->logs);
	for (size_t i = 0; i < nlogs; i++) {
		form_def *fd = (form_def *)study_form(sd, log_ids[i]);
		if (fd == NULL) {
			err(L, spath, anchor_line, "logs: unknown form '%s' (no %s.ini)", log_ids[i],
			    log_ids[i]);
			continue;
		}
		if (fd->is_log) {
			err(L, spath, anchor_line, "logs: '%s' is listed twice", log_ids[i]);
			continue;
		}
		fd->is_log = true;
		sd->logs[sd->nlogs++] = fd;
	}
	/* Event forms. */
	for (size_t i = 0; i < sd->nevents; i++) {
		event_def *ev = &sd->events[i];
		event_pending *pe = &epend[i];
		ev->forms = xcalloc(pe->nforms ? pe->nforms : 1, sizeof *ev->forms);
		for (size_t j = 0; j < pe->nforms; j++) {
			form_def *fd = (form_def *)study_form(sd, pe->forms[j]);
			if (fd == NULL) {
				err(L, spath, pe->line, "event '%s' lists unknown form '%s' (no %s.ini)",
				    ev->id, pe->forms[j], pe->forms[j]);
				continue;
			}
			if (fd->is_log) {
				err(L, spath, pe->line, "event '%s' lists '%s', which is a repeating log",
				    ev->id, fd->id);
				continue;
			}
			if (event_has_form(ev, fd)) {
				err(L, spath, pe->line, "event '%s' lists '%s' twice", ev->id, fd->id);
				continue;
			}
			ev->forms[ev->nforms++] = fd;
		}
		if (pe->visit_date != NULL) {
			char *copy = str_trim(str_lower(xstrdup(pe->visit_date)));
			char *dot = strchr(copy, '.');
			const form_def *vf = NULL;

			if (dot != NULL) {
				*dot = '\0';
				vf = study_form(sd, copy);
			}
			if (vf == NULL || !event_has_form(ev, vf))
				err(L, spath, pe->visit_date_line, "event '%s': visit_date must be "
				    "FORM.FIELD of a form of the event, not '%s'", ev->id,
				    pe->visit_date);
			else if ((ev->visit_field = form_field(vf, dot + 1)) == NULL ||
			    ev->visit_field->type != FT_DATE)
				err(L, spath, pe->visit_date_line, "event '%s': visit_date: '%s' is "
				    "not a date field of form '%s'", ev->id, dot + 1, vf->id);
			else
				ev->visit_form = vf;
			free(copy);
		}
	}
	for (size_t i = 0; i < sd->nforms; i++) {
		form_def *fd = &sd->forms[i];
		if (!fd->is_log && events_holding(sd, fd, NULL) == 0)
			err(L, fd->file, fpend[i].form_line, "form '%s' is in no event and not a log: "
			    "add it to an event's forms or to logs in study.ini", fd->id);
	}
	/* Anchor. */
	if (anchor) {
		size_t n;
		char **parts = NULL;
		char *copy = xstrdup(anchor);
		for (char *p = copy; *p; p++)
			if (*p == '.')
				*p = ',';
		parts = split_list(copy, &n, true);
		free(copy);
		if (n != 3) {
			err(L, spath, anchor_line, "anchor must be EVENT.FORM.FIELD, not '%s'", anchor);
		} else {
			const event_def *ev = find_event(sd, parts[0]);
			const form_def *fd = study_form(sd, parts[1]);
			const field_def *f = fd ? form_field(fd, parts[2]) : NULL;
			if (!ev || !fd || !f)
				err(L, spath, anchor_line, "anchor '%s': no such %s", anchor,
				    !ev ? "event" : !fd ? "form" : "field");
			else if (!event_has_form(ev, fd))
				err(L, spath, anchor_line, "anchor '%s': event '%s' does not hold form '%s'",
				    anchor, ev->id, fd->id);
			else if (f->type != FT_DATE)
				err(L, spath, anchor_line, "anchor '%s' must be a date field", anchor);
			else {
				sd->anchor_event = ev;
				sd->anchor_form = fd;
				sd->anchor_field = f;
			}
		}
		free_list(parts, n);
	}

	/* Per field: lists, missing codes, export names, value types. */
	for (size_t i = 0; i < sd->nforms; i++) {
		form_def *fd = &sd->forms[i];
		for (size_t j = 0; j < fd->nfields; j++) {
			field_def *f = &fd->fields[j];
			field_pending *fp = &fpend[i].fields[j];

			if (fp->choices) {
				f->choices = find_list(sd, fp->choices);
				if (f->choices == NULL)
					err(L, fd->file, fp->choices_line, "unknown choice list '%s'",
					    fp->choices);
			}
			if (fp->missing) {
				size_t n;
				char **codes = split_list(fp->missing, &n, false);
				for (size_t c = 0; c < n; c++) {
					int mi = study_missing_index(sd, codes[c]);
					if (mi < 0)
						err(L, fd->file, fp->missing_line, "missing-data code '%s' is "
						    "not declared in study.ini [missing]", codes[c]);
					else
						f->missing_mask |= 1u << mi;
				}
				free_list(codes, n);
			}
			for (size_t k = 0; k < j; k++)
				if (f->export_name && fd->fields[k].export_name &&
				    strcmp(f->export_name, fd->fields[k].export_name) == 0)
					err(L, fd->file, f->line, "export name %s is already used by field "
					    "'%s' (line %d)", f->export_name, fd->fields[k].id, fd->fields[k].line);
			f->value_type = value_type_of(f->type, fp->result_given ? f->result : FT_CALC);
		}
	}

	/* Expressions: parse and bind. */
	for (size_t i = 0; i < sd->nforms; i++) {
		form_def *fd = &sd->forms[i];
		for (size_t j = 0; j < fd->nfields; j++) {
			field_def *f = &fd->fields[j];
			field_pending *fp = &fpend[i].fields[j];
			if (fp->show)
				f->show_if = compile(L, fd, fp->show, fd->file, fp->show_line, "show");
			if (fp->calc && f->type == FT_CALC)
				f->calc = compile(L, fd, fp->calc, fd->file, fp->calc_line, "calc");
			if (fp->derived) {
				char *id = str_trim(str_lower(xstrdup(fp->derived)));
				f->derived = form_field(fd, id);
				if (f->derived == NULL)
					err(L, fd->file, fp->derived_line, "derived: form '%s' has no "
					    "field '%s'", fd->id, id);
				else if (f->derived->type != FT_CALC || f->derived->result != FT_YESNO)
					err(L, fd->file, fp->derived_line, "derived: '%s' must be a "
					    "calc field with result = yesno", id);
				free(id);
			}
			if (fp->evidence) {
				char *id = str_trim(str_lower(xstrdup(fp->evidence)));
				f->evidence = form_field(fd, id);
				if (f->evidence == NULL)
					err(L, fd->file, fp->evidence_line, "evidence: form '%s' has "
					    "no field '%s'", fd->id, id);
				free(id);
			}
		}
		for (size_t j = 0; j < fd->nchecks; j++) {
			check_def *c = &fd->checks[j];
			check_pending *cp = &fpend[i].checks[j];
			if (cp->field) {
				char *id = str_lower(xstrdup(cp->field));
				str_trim(id);
				c->field = form_field(fd, id);
				if (c->field == NULL)
					err(L, fd->file, cp->field_line, "check '%s': form '%s' has no "
					    "field '%s'", c->id, fd->id, id);
				free(id);
			}
			if (cp->assert)
				c->assert = compile(L, fd, cp->assert, fd->file, cp->assert_line, "assert");
			if (cp->when)
				c->when = compile(L, fd, cp->when, fd->file, cp->when_line, "when");
		}
	}

	/* Cycles, before types: inference must not chase a circle. */
	{
		cyc c = { .L = L };
		c.color = xcalloc(sd->nforms ? sd->nforms : 1, sizeof *c.color);
		for (size_t i = 0; i < sd->nforms; i++)
			c.color[i] = xcalloc(sd->forms[i].nfields + 1, 1);
		for (size_t i = 0; i < sd->nforms; i++)
			for (size_t j = 0; j < sd->forms[i].nfields; j++)
				if (sd->forms[i].fields[j].calc)
					cycle_visit(&c, &sd->forms[i].fields[j]);
		for (size_t i = 0; i < sd->nforms; i++)
			free(c.color[i]);
		free(c.color);
		free(c.stack);
		if (c.found)
			return;
	}

	/* Infer calc result types until nothing changes (dependencies first). */
	for (int pass = 0; pass < 8; pass++) {
		bool changed = false;
		for (size_t i = 0; i < sd->nforms; i++) {
			form_def *fd = &sd->forms[i];
			for (size_t j = 0; j < fd->nfields; j++) {
				field_def *f = &fd->fields[j];
				crf_err ce;
				val_type t;
				if (!f->calc || fpend[i].fields[j].result_given || f->value_type != VAL_ANY)
					continue;
				for (size_t r = 0; r < expr_nrefs(f->calc); r++) {
					expr_ref *er = expr_ref_at(f->calc, r);
					const ref_target *tg = er->binding;
					if (tg && tg->kind == REF_FIELD)
						er->type = tg->field->value_type;
				}
				if (expr_typecheck(f->calc, &t, &ce) != CRF_OK || t == VAL_ANY)
					continue;
				switch (t) {
				case VAL_NUM: f->result = f->decimals == 0 ? FT_INTEGER : FT_DECIMAL; break;
				case VAL_DATE: f->result = FT_DATE; break;
				case VAL_BOOL: f->result = FT_YESNO; break;
				case VAL_TIME: f->result = FT_TIME; break;
				default: f->result = FT_TEXT; break;
				}
				f->value_type = value_type_of(FT_CALC, f->result);
				changed = true;
			}
		}
		if (!changed)
			break;
	}

	/* Type-check everything. */
	for (size_t i = 0; i < sd->nforms; i++) {
		form_def *fd = &sd->forms[i];
		for (size_t j = 0; j < fd->nfields; j++) {
			field_def *f = &fd->fields[j];
			field_pending *fp = &fpend[i].fields[j];
			val_type got;
			if (f->show_if)
				typecheck(L, f->show_if, VAL_BOOL, fd->file, fp->show_line, "show", NULL);
			if (f->calc && typecheck(L, f->calc, VAL_ANY, fd->file, fp->calc_line, "calc", &got)) {
				bool fits = true;
				switch (f->result) {
				case FT_INTEGER: case FT_DECIMAL: fits = got == VAL_NUM; break;
				case FT_DATE: fits = got == VAL_DATE; break;
				case FT_YESNO: fits = got == VAL_BOOL || got == VAL_TEXT; break;
				case FT_TIME: fits = got == VAL_TIME; break;
				default: break;
				}
				if (!fits && got != VAL_ANY && got != VAL_MISSING)
					err(L, fd->file, fp->calc_line, "calc: the expression gives %s, but "
					    "result is %s", val_type_name(got), field_type_name(f->result));
				if (f->value_type == VAL_ANY)
					err(L, fd->file, fp->calc_line, "calc: the type of the result cannot "
					    "be worked out: add 'result ='");
			}
		}
		for (size_t j = 0; j < fd->nchecks; j++) {
			check_def *c = &fd->checks[j];
			check_pending *cp = &fpend[i].checks[j];
			if (c->assert)
				typecheck(L, c->assert, VAL_BOOL, fd->file, cp->assert_line, "assert", NULL);
			if (c->when)
				typecheck(L, c->when, VAL_BOOL, fd->file, cp->when_line, "when", NULL);
		}
		order_calcs(fd);
	}
}

/* ---- [outcomes]: the fields that feed the derived values ------------------ */

/* What a referenced field must hold. */
typedef enum oref_kind {
	OK_DATE,       /* a complete date */
	OK_PDATE,      /* a date, partial dates allowed */
	OK_NUMBER,     /* integer or decimal */
	OK_YESNO,
	OK_EDSS,       /* a choice coded in EDSS steps, or a decimal */
	OK_TEXT,       /* text, memo or choice: shown as entered */
	OK_GRADE,      /* an integer, or a choice coded 1..5 (CTCAE grade) */
	OK_EVENT       /* not a field: an event id */
} oref_kind;

/* Keys of one group name fields of one form: the group's first key's. */
typedef enum ogroup { OG_NONE, OG_CBC, OG_EDSS, OG_REL, OG_MRI, OG_DEATH, OG_AE } ogroup;

/* need: 1 always, 0 optional, 2 needed once any key of its group is given. */
static const struct outcome_key {
	const char *name;
	oref_kind kind;
	ogroup group;
	int need;
	bool list;
	size_t off;
} outcome_keys[] = {
#define OM(m) offsetof(outcome_map, m)
	{ "cbc_date",             OK_DATE,   OG_CBC,   1, false, OM(cbc_date) },
	{ "anc",                  OK_NUMBER, OG_CBC,   1, false, OM(anc) },
	{ "platelets",            OK_NUMBER, OG_CBC,   1, false, OM(platelets) },
	{ "platelet_transfusion", OK_YESNO,  OG_CBC,   1, false, OM(platelet_transfusion) },
	{ "edss_date",            OK_DATE,   OG_EDSS,  1, false, OM(edss_date) },
	{ "edss",                 OK_EDSS,   OG_EDSS,  1, false, OM(edss) },
	{ "edss_baseline_event",  OK_EVENT,  OG_NONE,  1, false, 0 },
	{ "relapse_onset",        OK_DATE,   OG_REL,   1, false, OM(relapse_onset) },
	{ "relapse_hours",        OK_NUMBER, OG_REL,   1, false, OM(relapse_hours) },
	{ "relapse_fever",        OK_YESNO,  OG_REL,   1, false, OM(relapse_fever) },
	{ "relapse_objective",    OK_YESNO,  OG_REL,   1, false, OM(relapse_objective) },
	{ "relapse_adjudicated",  OK_YESNO,  OG_REL,   0, false, OM(relapse_adjudicated) },
	{ "mri_date",             OK_DATE,   OG_MRI,   1, false, OM(mri_date) },
	{ "mri_gd",               OK_NUMBER, OG_MRI,   1, false, OM(mri_gd) },
	{ "mri_new_t2",           OK_NUMBER, OG_MRI,   1, false, OM(mri_new_t2) },
	{ "mri_enlarging_t2",     OK_NUMBER, OG_MRI,   1, false, OM(mri_enlarging_t2) },
	{ "mri_spinal_new",       OK_NUMBER, OG_MRI,   0, false, OM(mri_spinal_new) },
	{ "mri_rebaseline",       OK_YESNO,  OG_MRI,   0, false, OM(mri_rebaseline) },
	{ "death_date",           OK_DATE,   OG_DEATH, 1, false, OM(death_date) },
	{ "death_trm",            OK_YESNO,  OG_DEATH, 0, false, OM(death_trm) },
	{ "end_date",             OK_DATE,   OG_NONE,  0, false, OM(end_date) },
	{ "last_visit",           OK_DATE,   OG_NONE,  1, true,  OM(last_visit) },
	{ "last_contact",         OK_DATE,   OG_NONE,  0, true,  OM(last_contact) },
	{ "rescue_start",         OK_PDATE,  OG_NONE,  0, true,  OM(rescue_start) },
	{ "ae_term",              OK_TEXT,   OG_AE,    2, false, OM(ae_term) },
	{ "ae_grade",             OK_GRADE,  OG_AE,    2, false, OM(ae_grade) },
	{ "ae_serious",           OK_YESNO,  OG_AE,    2, false, OM(ae_serious) },
	{ "ae_onset",             OK_PDATE,  OG_AE,    2, false, OM(ae_onset) },
#undef OM
};
#define NOUTCOME_KEYS (sizeof outcome_keys / sizeof outcome_keys[0])

/* The type a field's values have, calculated fields by their result. */
static field_type
held_type(const field_def *f)
{
	if (f->type != FT_CALC)
		return f->type;
	switch (f->value_type) {
	case VAL_DATE: return FT_DATE;
	case VAL_NUM: return FT_DECIMAL;
	case VAL_BOOL: return FT_YESNO;
	case VAL_TIME: return FT_TIME;
	default: return FT_TEXT;
	}
}

/* Does f suit kind k?  *want describes what would. */
static bool
field_suits(const field_def *f, oref_kind k, const char **want)
{
	field_type t = held_type(f);
	const choice_list *cl = f->choices;

	switch (k) {
	case OK_DATE:
		*want = "a date field";
		return t == FT_DATE;
	case OK_PDATE:
		*want = "a date or partialdate field";
		return t == FT_DATE || t == FT_PDATE;
	case OK_NUMBER:
		*want = "an integer or decimal field";
		return t == FT_INTEGER || t == FT_DECIMAL;
	case OK_YESNO:
		*want = "a yesno field";
		return t == FT_YESNO;
	case OK_EDSS:
		*want = "a decimal field or a choice field coded in EDSS steps (0, 1.0 ... 10)";
		if (t == FT_DECIMAL)
			return true;
		if (t != FT_CHOICE || cl == NULL)
			return false;
		for (size_t i = 0; i < cl->nitems; i++) {
			int tenths;
			if (!edss_parse(cl->items[i].code, &tenths))
				return false;
		}
		return true;
	case OK_TEXT:
		*want = "a text, memo or choice field";
		return t == FT_TEXT || t == FT_MEMO || t == FT_CHOICE;
	case OK_GRADE:
		*want = "an integer field or a choice field coded 1 to 5";
		if (t == FT_INTEGER)
			return true;
		if (t != FT_CHOICE || cl == NULL)
			return false;
		for (size_t i = 0; i < cl->nitems; i++) {
			long g;
			if (!parse_long(cl->items[i].code, &g) || g < 1 || g > 5)
				return false;
		}
		return true;
	case OK_EVENT:
		break;
	}
	*want = "?";
	return false;
}

/* Resolve one FORM.FIELD of key `key` (text src at line) into *out. */
static bool
outcome_ref(loader *L, const char *file, int line, const char *key, const char *src,
    oref_kind kind, field_ref *out)
{
	char *copy = str_trim(str_lower(xstrdup(src)));
	char *dot = strchr(copy, '.');
	const form_def *fd;
	const field_def *f;
	const char *want;
	bool ok = false;

	if (dot == NULL || strchr(dot + 1, '.') != NULL) {
		err(L, file, line, "[outcomes] %s: must be FORM.FIELD, not '%s'", key, src);
		goto out;
	}
	*dot = '\0';
	if ((fd = study_form(L->sd, copy)) == NULL) {
		err(L, file, line, "[outcomes] %s: no form '%s' (no %s.ini)", key, copy, copy);
		goto out;
	}
	if ((f = form_field(fd, dot + 1)) == NULL) {
		err(L, file, line, "[outcomes] %s: form '%s' has no field '%s'", key, copy, dot + 1);
		goto out;
	}
	if (!field_suits(f, kind, &want)) {
		err(L, file, line, "[outcomes] %s: '%s.%s' is a %s field; it must be %s", key,
		    fd->id, f->id, field_type_name(f->type), want);
		goto out;
	}
	out->form = fd;
	out->field = f;
	ok = true;
out:
	free(copy);
	return ok;
}

/* Every constant that is an outcome setting (outcome.h) must be valid. */
static void
check_outcome_constants(loader *L)
{
	const ini_sec *sec = ini_section(&L->study_doc, "constants");

	for (size_t i = 0; sec != NULL && i < L->sd->nconstants; i++) {
		const constant_def *c = &L->sd->constants[i];
		const ini_key *k = ini_sec_key(sec, c->name);
		outcome_settings os;
		crf_err e;

		outcome_settings_default(&os);
		if (outcome_settings_set(&os, c->name, &c->value, &e) == CRF_ECONFIG)
			err(L, L->study_doc.path, k ? k->line : sec->line, "[constants] %s", e.msg);
	}
}

static void
resolve_outcomes(loader *L)
{
	study_def *sd = L->sd;
	outcome_map *om = &sd->outcomes;
	const ini_sec *sec = ini_section(&L->study_doc, "outcomes");
	const char *file = L->study_doc.path;
	const form_def *lead[OG_AE + 1] = { NULL };
	const char *lead_key[OG_AE + 1] = { NULL };
	bool given[OG_AE + 1] = { false };
	const ini_key *baseline = NULL;

	check_outcome_constants(L);
	if (sec == NULL)
		return;
	om->present = true;
	om->file = intern_path(sd, file);
	om->line = sec->line;
	for (size_t i = 0; i < sec->nkeys; i++) {
		const ini_key *k = &sec->keys[i];
		const struct outcome_key *ok = NULL;
		char *base = (char *)om;

		for (size_t j = 0; j < NOUTCOME_KEYS; j++)
			if (strcmp(outcome_keys[j].name, k->name) == 0)
				ok = &outcome_keys[j];
		if (ok == NULL) {
			err(L, file, k->line, "[outcomes] %s: unknown key", k->raw);
			continue;
		}
		given[ok->group] = true;
		if (ok->kind == OK_EVENT) {
			baseline = k;
		} else if (ok->list) {
			field_refs *fr = (field_refs *)(base + ok->off);
			size_t n;
			char **parts = split_list(k->value, &n, true);

			if (n == 0)
				err(L, file, k->line, "[outcomes] %s: needs one or more FORM.FIELD",
				    k->raw);
			fr->refs = xcalloc(n ? n : 1, sizeof *fr->refs);
			for (size_t p = 0; p < n; p++)
				if (outcome_ref(L, file, k->line, k->name, parts[p], ok->kind,
				    &fr->refs[fr->n]))
					fr->n++;
			free_list(parts, n);
		} else {
			field_ref *r = (field_ref *)(base + ok->off);

			if (!outcome_ref(L, file, k->line, k->name, k->value, ok->kind, r))
				continue;
			if (ok->group == OG_NONE)
				continue;
			if (lead[ok->group] == NULL) {
				lead[ok->group] = r->form;
				lead_key[ok->group] = ok->name;
			} else if (lead[ok->group] != r->form) {
				err(L, file, k->line, "[outcomes] %s: must be a field of form '%s', "
				    "as %s is, not of '%s'", k->name, lead[ok->group]->id,
				    lead_key[ok->group], r->form->id);
				r->form = NULL;
				r->field = NULL;
			}
		}
	}
	for (size_t j = 0; j < NOUTCOME_KEYS; j++) {
		const struct outcome_key *ok = &outcome_keys[j];

		if ((ok->need == 1 || (ok->need == 2 && given[ok->group])) &&
		    ini_sec_key(sec, ok->name) == NULL)
			err(L, file, sec->line, "[outcomes] %s: missing (the section's keys are in "
			    "docs/forms.md)", ok->name);
	}
	if (baseline != NULL) {
		char *id = str_trim(str_lower(xstrdup(baseline->value)));
		const event_def *ev = find_event(sd, id);

		if (ev == NULL)
			err(L, file, baseline->line, "[outcomes] edss_baseline_event: no event '%s'",
			    id);
		else if (om->edss.form != NULL && !event_has_form(ev, om->edss.form))
			err(L, file, baseline->line, "[outcomes] edss_baseline_event: event '%s' "
			    "does not hold form '%s'", ev->id, om->edss.form->id);
		else
			om->edss_baseline_event = ev;
		free(id);
	}
}

/* ---- Entry points ------------------------------------------------------------ */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

crf_status
formdef_load(const char *dir, study_def **out, formdef_diags *diags)
{
	loader L = { .diags = diags };
	study_def *sd = xcalloc(1, sizeof *sd);
	event_pending *epend = NULL;
	form_pending *fpend = NULL;
	char **names = NULL, **log_ids = NULL, *anchor = NULL;
	size_t nnames = 0, ncap = 0, nlogs = 0;
	int anchor_line = 0;
	size_t ndiag0 = diags->n;
	DIR *dp;
	struct dirent *de;
	ini_sec *st;

	*out = NULL;
	L.sd = sd;
	sd->dir = xstrdup(dir);
	dp = opendir(dir);
	if (dp == NULL) {
		err(&L, dir, 0, "cannot open the forms folder: %s", strerror(errno));
		formdef_free(sd);
		return CRF_EDEF;
	}
	while ((de = readdir(dp)) != NULL) {
		if (!str_ends(de->d_name, ".ini") || strcmp(de->d_name, "study.ini") == 0 ||
		    de->d_name[0] == '.')
			continue;
		xgrow(&names, sizeof *names, &ncap, nnames);
		names[nnames++] = xstrdup(de->d_name);
	}
	closedir(dp);
	qsort(names, nnames, sizeof *names, cmp_str);

	read_study(&L, dir, &epend);
	st = ini_section(&L.study_doc, "study");
	if (st) {
		const ini_key *k = ini_sec_key(st, "logs");
		if (k)
			log_ids = split_list(k->value, &nlogs, true);
		k = ini_sec_key(st, "anchor");
		if (k) {
			anchor = xstrdup(k->value);
			anchor_line = k->line;
		} else {
			err(&L, L.study_doc.path, st->line, "[study] needs an anchor: the "
			    "EVENT.FORM.FIELD of day 0");
		}
		if (k == NULL)
			anchor_line = st->line;
		if (anchor_line == 0)
			anchor_line = st->line;
	}

	sd->forms = xcalloc(nnames ? nnames : 1, sizeof *sd->forms);
	fpend = xcalloc(nnames ? nnames : 1, sizeof *fpend);
	L.docs = xcalloc(nnames ? nnames : 1, sizeof *L.docs);
	for (size_t i = 0; i < nnames; i++) {
		char *id = xstrndup(names[i], strlen(names[i]) - 4);
		char *path = path_join(dir, names[i]);
		str_lower(id);
		if (!valid_id(id) || strcmp(id, "study") == 0) {
			err(&L, path, 0, "form file name '%s' must be a lower-case identifier "
			    "followed by .ini", names[i]);
		} else {
			read_form(&L, path, id, &sd->forms[sd->nforms], &L.docs[sd->nforms],
			    &fpend[sd->nforms]);
			sd->nforms++;
		}
		free(id);
		free(path);
	}
	if (L.study_doc.dict && sd->nforms == 0)
		err(&L, dir, 0, "no form files (*.ini besides study.ini) in the folder");

	if (diags->n == ndiag0 || L.study_doc.dict) {
		resolve(&L, epend, fpend, log_ids, nlogs, anchor, anchor_line);
		resolve_outcomes(&L);
	}

	for (size_t i = 0; i < sd->nevents; i++)
		free_list(epend[i].forms, epend[i].nforms);
	free(epend);
	for (size_t i = 0; i < sd->nforms; i++) {
		free(fpend[i].fields);
		free(fpend[i].checks);
		ini_free(&L.docs[i]);
	}
	free(fpend);
	free(L.docs);
	free_list(names, nnames);
	free_list(log_ids, nlogs);
	free(anchor);

	ini_free(&L.study_doc);

	if (diags->n > ndiag0) {
		formdef_free(sd);
		return CRF_EDEF;
	}
	*out = sd;
	return CRF_OK;
}

void
formdef_free(study_def *sd)
{
	if (sd == NULL)
		return;
	for (size_t i = 0; i < sd->nforms; i++) {
		form_def *fd = &sd->forms[i];
		for (size_t j = 0; j < fd->nfields; j++) {
			field_def *f = &fd->fields[j];
			free(f->id);
			i18n_free(&f->label);
			i18n_free(&f->help);
			i18n_free(&f->text);
			i18n_free(&f->pattern_help);
			free(f->unit);
			free(f->export_name);
			if (f->pattern) {
				regfree(&f->pattern_re);
				free(f->pattern);
			}
			expr_free(f->show_if);
			expr_free(f->calc);
		}
		for (size_t j = 0; j < fd->nsections; j++) {
			free(fd->sections[j].id);
			i18n_free(&fd->sections[j].title);
		}
		for (size_t j = 0; j < fd->nchecks; j++) {
			free(fd->checks[j].id);
			expr_free(fd->checks[j].when);
			expr_free(fd->checks[j].assert);
			i18n_free(&fd->checks[j].message);
		}
		free(fd->fields);
		free(fd->sections);
		free(fd->checks);
		free(fd->calc_order);
		free(fd->id);
		free(fd->file);
		free(fd->domain);
		i18n_free(&fd->title);
		i18n_free(&fd->help);
	}
	free(sd->forms);
	for (size_t i = 0; i < sd->nevents; i++) {
		free(sd->events[i].id);
		i18n_free(&sd->events[i].title);
		free(sd->events[i].forms);
	}
	free(sd->events);
	free(sd->logs);
	for (size_t i = 0; i < sd->nlists; i++) {
		for (size_t j = 0; j < sd->lists[i].nitems; j++) {
			free(sd->lists[i].items[j].code);
			i18n_free(&sd->lists[i].items[j].label);
		}
		free(sd->lists[i].items);
		free(sd->lists[i].name);
	}
	free(sd->lists);
	for (size_t i = 0; i < sd->nmissing; i++) {
		free(sd->missing[i].code);
		i18n_free(&sd->missing[i].label);
	}
	free(sd->missing);
	for (size_t i = 0; i < sd->nconstants; i++) {
		free(sd->constants[i].name);
		if (sd->constants[i].value.type == VAL_TEXT)
			free((char *)sd->constants[i].value.u.s);
	}
	free(sd->constants);
	free(sd->outcomes.last_visit.refs);
	free(sd->outcomes.last_contact.refs);
	free(sd->outcomes.rescue_start.refs);
	for (size_t i = 0; i < sd->nrefs; i++)
		free(sd->refs[i]);
	free(sd->refs);
	for (size_t i = 0; i < sd->nfiles; i++)
		free(sd->files[i]);
	free(sd->files);
	i18n_free(&sd->name);
	free(sd->id);
	free(sd->protocol);
	free(sd->dir);
	free(sd);
}
