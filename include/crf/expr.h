/*
 * expr.h - the one expression language of crf.
 *
 * The same language serves `show` (branching), `check` (cross-field
 * checks), `calc` (calculated fields) and, in later modules, eligibility
 * and derived outcomes.  The syntax and the missing-value rules are
 * documented for form writers in docs/forms.md ("Expressions").
 *
 * Life of an expression:
 *   expr_parse()      text -> tree; syntax errors with the column.
 *   expr_nrefs()/expr_ref() and expr_bind()
 *                     the caller (formdef) resolves every field reference
 *                     it names and tells the expression the value type
 *                     and an opaque pointer for each.
 *   expr_typecheck()  static types: "date + text" is an error at load.
 *   expr_eval()       many times; never allocates.
 *   expr_free()
 *
 * References.  A name is `field`, `form.field` or `event.form.field`
 * (lower-case identifiers).  `count(log)` names a whole repeating form.
 * Inside an aggregate - count, sum, min, max, first, last, with one
 * argument naming a field of a repeating form, and an optional second
 * argument that filters instances - references to that repeating form's
 * fields are evaluated per instance; every other reference is evaluated
 * in the enclosing scope.  expr_ref.per_instance marks the references
 * that an aggregate iterates.
 */
#ifndef CRF_EXPR_H
#define CRF_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#include "crf/status.h"
#include "crf/value.h"

typedef struct expr expr;

/* One name the expression refers to, in the order first met. */
typedef struct expr_ref {
	const char *event;     /* NULL unless written event.form.field */
	const char *form;      /* NULL when written as a bare field name */
	const char *field;     /* NULL for count(form): a whole-form reference */
	const char *text;      /* the reference as written, for messages */
	int col;               /* 1-based column in the source text */
	bool per_instance;     /* inside an aggregate over this ref's form */
	/* Set by expr_bind(): */
	void *binding;         /* caller's pointer (e.g. a field_def) */
	val_type type;         /* value type the reference yields */
	bool is_log;           /* the referenced form is a repeating log */
} expr_ref;

/* Parse src.  On error returns CRF_EEXPR with "column N: message" in err
 * and sets *out to NULL.  Names are case-folded to lower case. */
crf_status expr_parse(const char *src, expr **out, crf_err *err);

void expr_free(expr *e);

/* The source text as given to expr_parse (owned by e). */
const char *expr_source(const expr *e);

size_t expr_nrefs(const expr *e);
/* Reference i (0-based); the pointer stays valid until expr_free. */
expr_ref *expr_ref_at(expr *e, size_t i);
const expr_ref *expr_ref_const(const expr *e, size_t i);

/* Record what reference i resolves to. */
void expr_bind(expr *e, size_t i, void *binding, val_type type, bool is_log);

/* Check the types of a fully bound expression.  *result receives the
 * expression's static type (VAL_ANY when only known at run time).
 * On error CRF_EEXPR with a message such as
 * "column 7: cannot add a date and text". */
crf_status expr_typecheck(expr *e, val_type *result, crf_err *err);

/*
 * Evaluation environment.  get() fetches the value of a bound reference;
 * `instance` is -1 in the outer scope and the 0-based instance number of
 * the repeating form while an aggregate iterates over it.  ninstances()
 * tells how many instances a repeating form has.  today is the date
 * today() returns.
 */
typedef struct expr_env {
	void *ctx;
	void (*get)(void *ctx, const expr_ref *ref, int instance, crf_value *out);
	int (*ninstances)(void *ctx, const expr_ref *log_ref);
	crf_date today;
} expr_env;

/* Evaluate e.  Never fails: errors at run time (division by zero, wrong
 * types reaching a function) give a missing value. */
void expr_eval(const expr *e, const expr_env *env, crf_value *out);

/* Three-valued truth of a value: 1 true, 0 false, -1 missing/not boolean. */
int expr_truth(const crf_value *v);

#endif
