/*
** NOTES ON THE DESIGN OF THE RECORD
**
** A record is one form instance held in memory while a screen shows it.
** It owns the canonical text of every field and nothing else: all
** knowledge of types, ranges and expressions comes from the form
** definition, and all persistence is the store's business.
**
** Invariants:
**
**   1. value[i] is never NULL: "" is blank.  A field holds a value or a
**      missing-data code, never both (record_set clears the code,
**      record_set_missing clears the value).
**
**   2. After every public call that changes a value, the calculated
**      fields and the visibility flags are up to date (record_refresh).
**      Readers never see a stale calculation.
**
**   3. A hidden field reads as missing in expressions, whatever it holds.
**      Its value is kept until the screen asks the person and calls
**      record_clear(), so hiding never silently destroys data.
**
**   4. Values of other forms come from the casebook (saved data).  When a
**      reference names the record's own instance, the record's live values
**      are used instead, so a form never checks itself against a stale
**      copy.  Calculated fields of other instances are computed afresh from
**      their inputs, never taken from storage, since a later instance of a
**      log can change them (a run of engraftment days).
**
**   5. orig[i] is what the database held when the record was loaded or
**      last saved; record_changes() is the difference, nothing more.
**
** Life of a record, with the function that moves it (status values are
** those of store.h; the trust-layer issue adds VERIFIED/SIGNED/LOCKED):
**
**              record_new(data = none)          record_new(data)
**                       |                              |
**                       v                              v
**     +-------------- CLEAN <-------- record_saved ---- DIRTY
**     |                   \                             ^
**     |                    +--- record_set / _missing --+
**     |                         / record_clear
**     +--> record_free
**
** Whether the saved status may be FORM_COMPLETE is record_can_complete():
** every shown required field answered, no hard check failing.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crf/record.h"
#include "crf/util.h"
#include "crf/validate.h"

/* ---- Casebook ----------------------------------------------------------------- */

typedef struct cb_inst {
	char *event;
	int erep;
	const form_def *form;
	int frep;
	char **value;      /* per field index; NULL = blank */
	char **missing;
} cb_inst;

struct casebook {
	const study_def *sd;
	cb_inst *inst;
	size_t n, cap;
	crf_date today;
};

static cb_inst *
cb_find(const casebook *cb, const char *event, int erep, const form_def *fd, int frep)
{
	if (cb == NULL)
		return NULL;
	for (size_t i = 0; i < cb->n; i++) {
		cb_inst *in = &cb->inst[i];
		if (in->form == fd && in->erep == erep && in->frep == frep &&
		    strcmp(in->event, event) == 0)
			return in;
	}
	return NULL;
}

casebook *
casebook_new(const study_def *sd, const subject_item *items, size_t n, crf_date today)
{
	casebook *cb = xcalloc(1, sizeof *cb);

	cb->sd = sd;
	cb->today = today;
	for (size_t i = 0; i < n; i++) {
		const subject_item *it = &items[i];
		const form_def *fd = study_form(sd, it->form);
		const field_def *f = fd ? form_field(fd, it->field) : NULL;
		cb_inst *in;

		if (f == NULL)
			continue;
		in = cb_find(cb, it->event, it->event_repeat, fd, it->form_repeat);
		if (in == NULL) {
			xgrow(&cb->inst, sizeof *cb->inst, &cb->cap, cb->n);
			in = &cb->inst[cb->n++];
			in->event = xstrdup(it->event);
			in->erep = it->event_repeat;
			in->form = fd;
			in->frep = it->form_repeat;
			in->value = xcalloc(fd->nfields, sizeof *in->value);
			in->missing = xcalloc(fd->nfields, sizeof *in->missing);
		}
		free(in->value[f->index]);
		free(in->missing[f->index]);
		in->value[f->index] = it->value && *it->value ? xstrdup(it->value) : NULL;
		in->missing[f->index] = it->missing ? xstrdup(it->missing) : NULL;
	}
	return cb;
}

void
casebook_free(casebook *cb)
{
	if (cb == NULL)
		return;
	for (size_t i = 0; i < cb->n; i++) {
		cb_inst *in = &cb->inst[i];
		for (size_t j = 0; j < in->form->nfields; j++) {
			free(in->value[j]);
			free(in->missing[j]);
		}
		free(in->value);
		free(in->missing);
		free(in->event);
	}
	free(cb->inst);
	free(cb);
}

size_t
casebook_log_count(const casebook *cb, const form_def *log)
{
	size_t n = 0;

	if (cb == NULL)
		return 0;
	for (size_t i = 0; i < cb->n; i++)
		if (cb->inst[i].form == log)
			n++;
	return n;
}

int
casebook_event_latest(const casebook *cb, const char *event)
{
	int latest = 0;

	if (cb == NULL)
		return 0;
	for (size_t i = 0; i < cb->n; i++)
		if (strcmp(cb->inst[i].event, event) == 0 && cb->inst[i].erep > latest)
			latest = cb->inst[i].erep;
	return latest;
}

const char *
casebook_value(const casebook *cb, const char *event, int event_repeat,
    const form_def *fd, int form_repeat, const field_def *f)
{
	cb_inst *in = cb_find(cb, event, event_repeat, fd, form_repeat);

	return in ? in->value[f->index] : NULL;
}

/* The i-th saved instance of a log in repeat order. */
static cb_inst *
cb_log_nth(const casebook *cb, const form_def *log, size_t nth)
{
	cb_inst *best = NULL;
	int floor_rep = 0;

	/* Instances are few; select the nth smallest repeat number. */
	for (size_t k = 0; k <= nth; k++) {
		best = NULL;
		for (size_t i = 0; cb && i < cb->n; i++) {
			cb_inst *in = &cb->inst[i];
			if (in->form == log && in->frep > floor_rep &&
			    (best == NULL || in->frep < best->frep))
				best = in;
		}
		if (best == NULL)
			return NULL;
		floor_rep = best->frep;
	}
	return best;
}

/* ---- Record ------------------------------------------------------------------------ */

struct record {
	const study_def *sd;
	const form_def *fd;
	casebook *cb;
	char *event;
	int erep, frep;
	form_status status;
	int version, form_version;
	char **value;            /* current; never NULL */
	char **missing;          /* current code or NULL */
	int *flags;
	char **orig_value;       /* as loaded; NULL = absent */
	char **orig_missing;
	int *orig_flags;
	bool *visible;
	item_change *changes;
	size_t nchanges;
	int depth;               /* recursion guard for cross-instance calcs */
};

/* Where an expression is evaluated: the record itself, or a saved
 * instance (for calculated fields of other instances). */
typedef struct eval_ctx {
	record *r;
	const cb_inst *inst;     /* NULL: the record */
	const char *event;
	int erep;
} eval_ctx;

static void eval_field_in(eval_ctx *ctx, const field_def *f, crf_value *out);

static bool
is_record_instance(const record *r, const char *event, int erep, const form_def *fd, int frep)
{
	return fd == r->fd && erep == r->erep && frep == r->frep && strcmp(event, r->event) == 0;
}

/* Value of field f in the instance ctx describes. */
static void
value_in(eval_ctx *ctx, const field_def *f, crf_value *out)
{
	if (ctx->inst == NULL) {
		record *r = ctx->r;
		if (!r->visible[f->index]) {
			*out = val_missing();
			return;
		}
		validate_to_value(f, r->value[f->index], r->missing[f->index], out);
		return;
	}
	if (f->type == FT_CALC && f->calc) {
		eval_field_in(ctx, f, out);
		return;
	}
	validate_to_value(f, ctx->inst->value[f->index] ? ctx->inst->value[f->index] : "",
	    ctx->inst->missing[f->index], out);
}

static void ctx_get(void *vctx, const expr_ref *ref, int instance, crf_value *out);
static int ctx_ninstances(void *vctx, const expr_ref *ref);

static void
eval_in(eval_ctx *ctx, const expr *e, crf_value *out)
{
	expr_env env = {
		.ctx = ctx,
		.get = ctx_get,
		.ninstances = ctx_ninstances,
		.today = ctx->r->cb ? ctx->r->cb->today : clock_today(),
	};

	expr_eval(e, &env, out);
}

/* Compute calculated field f in ctx's instance. */
static void
eval_field_in(eval_ctx *ctx, const field_def *f, crf_value *out)
{
	record *r = ctx->r;

	if (r->depth > 32) {   /* cycles are refused at load; this is a fuse */
		*out = val_missing();
		return;
	}
	r->depth++;
	eval_in(ctx, f->calc, out);
	r->depth--;
}

/* A field of another instance, addressed by event/form/repeat. */
static void
value_at(record *r, const char *event, int erep, const form_def *fd, int frep,
    const field_def *f, crf_value *out)
{
	eval_ctx sub = { .r = r, .event = event, .erep = erep };

	if (is_record_instance(r, event, erep, fd, frep)) {
		sub.inst = NULL;
		value_in(&sub, f, out);
		return;
	}
	sub.inst = cb_find(r->cb, event, erep, fd, frep);
	if (sub.inst == NULL) {
		*out = val_missing();
		return;
	}
	value_in(&sub, f, out);
}

/* Instances of a log in order: saved ones, with the record standing in
 * for its own (or appended when it is new). */
static size_t
log_count(const record *r, const form_def *log)
{
	size_t n = casebook_log_count(r->cb, log);

	if (r->fd == log && !cb_find(r->cb, "", 0, log, r->frep))
		n++;
	return n;
}

static void
log_value(record *r, const form_def *log, size_t nth, const field_def *f, crf_value *out)
{
	size_t saved = casebook_log_count(r->cb, log);
	cb_inst *in;

	if (nth >= saved) {
		/* The record itself, new and not yet saved. */
		value_at(r, "", 0, log, r->frep, f, out);
		return;
	}
	in = cb_log_nth(r->cb, log, nth);
	if (in == NULL) {
		*out = val_missing();
		return;
	}
	value_at(r, "", 0, log, in->frep, f, out);
}

static void
ctx_get(void *vctx, const expr_ref *ref, int instance, crf_value *out)
{
	eval_ctx *ctx = vctx;
	const ref_target *t = ref->binding;
	const char *event;
	int erep;

	*out = val_missing();
	if (t == NULL)
		return;
	switch (t->kind) {
	case REF_CONST:
		*out = t->constant->value;
		return;
	case REF_LOG:
		return;
	case REF_FIELD:
		break;
	}
	if (ref->per_instance) {
		if (instance >= 0)
			log_value(ctx->r, t->form, (size_t)instance, t->field, out);
		return;
	}
	if (t->same_instance) {
		value_in(ctx, t->field, out);
		return;
	}
	if (t->event) {
		event = t->event->id;
		erep = t->event->repeating ? casebook_event_latest(ctx->r->cb, event) : 1;
		if (strcmp(event, ctx->event) == 0 && t->event->repeating)
			erep = ctx->erep;
		if (erep == 0)
			erep = 1;
	} else {
		event = ctx->event;
		erep = ctx->erep;
	}
	value_at(ctx->r, event, erep, t->form, 1, t->field, out);
}

static int
ctx_ninstances(void *vctx, const expr_ref *ref)
{
	eval_ctx *ctx = vctx;
	const ref_target *t = ref->binding;

	return t ? (int)log_count(ctx->r, t->form) : 0;
}

/* Canonical text of a calculated value, per the field's result type. */
static void
calc_text(const field_def *f, const crf_value *v, char *buf, size_t size)
{
	buf[0] = '\0';
	switch (v->type) {
	case VAL_MISSING:
	case VAL_ANY:
		return;
	case VAL_NUM:
		if (f->result == FT_INTEGER)
			val_format(v, 0, buf, size);
		else
			val_format(v, f->decimals, buf, size);
		return;
	case VAL_BOOL:
		str_copy(buf, v->u.b ? "Y" : "N", size);
		return;
	default:
		val_format(v, -1, buf, size);
		return;
	}
}

static void
set_text(char **slot, const char *text)
{
	if (strcmp(*slot, text) != 0) {
		free(*slot);
		*slot = xstrdup(text);
	}
}

static void
refresh_visibility(record *r)
{
	eval_ctx ctx = { .r = r, .event = r->event, .erep = r->erep };

	for (size_t i = 0; i < r->fd->nfields; i++) {
		const field_def *f = &r->fd->fields[i];
		crf_value v;
		bool vis = true;

		/* Retired fields stay visible only on instances saved before. */
		if (f->retired && r->form_version >= f->retired)
			vis = false;
		if (vis && f->show_if) {
			eval_in(&ctx, f->show_if, &v);
			vis = expr_truth(&v) == 1;
		}
		r->visible[i] = vis;
	}
}

static void
refresh_calcs(record *r)
{
	eval_ctx ctx = { .r = r, .event = r->event, .erep = r->erep };
	char buf[128];

	for (size_t k = 0; k < r->fd->ncalc; k++) {
		const field_def *f = &r->fd->fields[r->fd->calc_order[k]];
		crf_value v;

		eval_in(&ctx, f->calc, &v);
		calc_text(f, &v, buf, sizeof buf);
		set_text(&r->value[f->index], buf);
	}
}

static void
record_refresh(record *r)
{
	/* Visibility can depend on calculations and the reverse: settle. */
	refresh_visibility(r);
	refresh_calcs(r);
	refresh_visibility(r);
}

record *
record_new(const study_def *sd, const form_def *fd, const char *event, int event_repeat,
    int form_repeat, const form_data *data, casebook *cb)
{
	record *r = xcalloc(1, sizeof *r);
	size_t n = fd->nfields ? fd->nfields : 1;

	r->sd = sd;
	r->fd = fd;
	r->cb = cb;
	r->event = xstrdup(event);
	r->erep = event_repeat;
	r->frep = form_repeat;
	r->value = xcalloc(n, sizeof *r->value);
	r->missing = xcalloc(n, sizeof *r->missing);
	r->flags = xcalloc(n, sizeof *r->flags);
	r->orig_value = xcalloc(n, sizeof *r->orig_value);
	r->orig_missing = xcalloc(n, sizeof *r->orig_missing);
	r->orig_flags = xcalloc(n, sizeof *r->orig_flags);
	r->visible = xcalloc(n, sizeof *r->visible);
	r->changes = xcalloc(n, sizeof *r->changes);
	r->form_version = fd->version;
	for (size_t i = 0; i < fd->nfields; i++)
		r->value[i] = xstrdup("");
	if (data) {
		r->status = data->status;
		r->version = data->version;
		if (data->version > 0)
			r->form_version = data->form_version;
		for (size_t k = 0; k < data->nitems; k++) {
			const item_value *it = &data->items[k];
			const field_def *f = form_field(fd, it->field);
			if (f == NULL)
				continue;   /* a field no definition knows: kept in the database */
			set_text(&r->value[f->index], it->value ? it->value : "");
			r->missing[f->index] = xstrdup(it->missing);
			r->flags[f->index] = it->flags;
			r->orig_value[f->index] = xstrdup(it->value ? it->value : "");
			r->orig_missing[f->index] = xstrdup(it->missing);
			r->orig_flags[f->index] = it->flags;
		}
	}
	record_refresh(r);
	return r;
}

void
record_free(record *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->fd->nfields; i++) {
		free(r->value[i]);
		free(r->missing[i]);
		free(r->orig_value[i]);
		free(r->orig_missing[i]);
	}
	free(r->value);
	free(r->missing);
	free(r->flags);
	free(r->orig_value);
	free(r->orig_missing);
	free(r->orig_flags);
	free(r->visible);
	free(r->changes);
	free(r->event);
	free(r);
}

const form_def *record_form(const record *r) { return r->fd; }
form_status record_status(const record *r) { return r->status; }
int record_version(const record *r) { return r->version; }
int record_form_version(const record *r) { return r->form_version; }
const char *record_value(const record *r, size_t i) { return r->value[i]; }
const char *record_missing(const record *r, size_t i) { return r->missing[i]; }
int record_flags(const record *r, size_t i) { return r->flags[i]; }
bool record_visible(const record *r, size_t i) { return r->visible[i]; }

void
record_get_value(const record *r, size_t i, crf_value *out)
{
	eval_ctx ctx = { .r = (record *)r, .event = r->event, .erep = r->erep };

	value_in(&ctx, &r->fd->fields[i], out);
}

crf_status
record_set(record *r, size_t i, const char *input, const char *date_fmt, bool confirm_soft,
    crf_err *err)
{
	const field_def *f = &r->fd->fields[i];
	char canon[4096];
	crf_status rc;
	int flags = 0;

	rc = validate_input(f, input, date_fmt, canon, sizeof canon, err);
	if (rc == CRF_ESOFT) {
		if (!confirm_soft)
			return CRF_ESOFT;
		flags = ITEM_SOFT_OK;
	} else if (rc != CRF_OK) {
		return rc;
	}
	set_text(&r->value[i], canon);
	free(r->missing[i]);
	r->missing[i] = NULL;
	r->flags[i] = canon[0] ? flags : 0;
	record_refresh(r);
	return CRF_OK;
}

crf_status
record_set_missing(record *r, size_t i, const char *code, crf_err *err)
{
	const field_def *f = &r->fd->fields[i];
	crf_status rc = validate_missing(r->sd, f, code, err);
	int mi;

	if (rc != CRF_OK)
		return rc;
	mi = study_missing_index(r->sd, code);
	set_text(&r->value[i], "");
	free(r->missing[i]);
	r->missing[i] = xstrdup(r->sd->missing[mi].code);
	r->flags[i] = 0;
	record_refresh(r);
	return CRF_OK;
}

void
record_clear(record *r, size_t i)
{
	set_text(&r->value[i], "");
	free(r->missing[i]);
	r->missing[i] = NULL;
	r->flags[i] = 0;
	record_refresh(r);
}

void
record_restore(record *r, size_t i, const char *value, const char *missing, int flags)
{
	set_text(&r->value[i], value ? value : "");
	free(r->missing[i]);
	r->missing[i] = xstrdup(missing);
	r->flags[i] = flags;
	record_refresh(r);
}

bool
record_hidden_with_value(const record *r, size_t i)
{
	const field_def *f = &r->fd->fields[i];

	return !r->visible[i] && f->type != FT_CALC && (r->value[i][0] || r->missing[i]);
}

bool
record_needs_answer(const record *r, size_t i)
{
	const field_def *f = &r->fd->fields[i];

	if (!f->required || !r->visible[i])
		return false;
	/* A field added after this instance was saved is not required of it. */
	if (r->version > 0 && r->form_version < f->since)
		return false;
	return r->value[i][0] == '\0' && r->missing[i] == NULL;
}

check_outcome
record_check(const record *r, size_t j)
{
	const check_def *c = &r->fd->checks[j];
	eval_ctx ctx = { .r = (record *)r, .event = r->event, .erep = r->erep };
	crf_value v;
	int t;

	if (c->field && !r->visible[c->field->index])
		return CHECK_SKIPPED;
	if (c->when) {
		eval_in(&ctx, c->when, &v);
		t = expr_truth(&v);
		if (t == 0)
			return CHECK_SKIPPED;
		if (t < 0)
			return CHECK_NOT_EVALUABLE;
	}
	eval_in(&ctx, c->assert, &v);
	t = expr_truth(&v);
	return t < 0 ? CHECK_NOT_EVALUABLE : t ? CHECK_PASS : CHECK_FAIL;
}

bool
record_can_complete(const record *r, crf_err *err)
{
	for (size_t i = 0; i < r->fd->nfields; i++)
		if (record_needs_answer(r, i)) {
			crf_fail(err, CRF_EINVAL, "%s is required",
			    i18n_get(&r->fd->fields[i].label, LANG_EN));
			return false;
		}
	for (size_t j = 0; j < r->fd->nchecks; j++)
		if (r->fd->checks[j].level == CHECK_HARD && record_check(r, j) == CHECK_FAIL) {
			crf_fail(err, CRF_EINVAL, "%s",
			    i18n_get(&r->fd->checks[j].message, LANG_EN));
			return false;
		}
	return true;
}

static bool
field_changed(const record *r, size_t i)
{
	const char *ov = r->orig_value[i] ? r->orig_value[i] : "";

	return strcmp(ov, r->value[i]) != 0 || !str_eq(r->orig_missing[i], r->missing[i]) ||
	    r->orig_flags[i] != r->flags[i];
}

bool
record_dirty(const record *r)
{
	/* Calculations follow other data; only what a person entered makes
	 * the form unsaved (record_changes still carries new calculations). */
	for (size_t i = 0; i < r->fd->nfields; i++)
		if (r->fd->fields[i].type != FT_CALC && field_changed(r, i))
			return true;
	return false;
}

const item_change *
record_changes(record *r, size_t *n)
{
	r->nchanges = 0;
	for (size_t i = 0; i < r->fd->nfields; i++) {
		item_change *c;
		if (r->fd->fields[i].type == FT_INFO || !field_changed(r, i))
			continue;
		c = &r->changes[r->nchanges++];
		c->field = r->fd->fields[i].id;
		c->value = r->value[i][0] ? r->value[i] : NULL;
		c->missing = r->missing[i];
		c->flags = r->flags[i];
	}
	*n = r->nchanges;
	return r->changes;
}

void
record_saved(record *r, form_status status, int new_version)
{
	for (size_t i = 0; i < r->fd->nfields; i++) {
		free(r->orig_value[i]);
		free(r->orig_missing[i]);
		r->orig_value[i] = xstrdup(r->value[i]);
		r->orig_missing[i] = xstrdup(r->missing[i]);
		r->orig_flags[i] = r->flags[i];
	}
	r->status = status;
	r->version = new_version;
	r->form_version = r->fd->version;
}
