/*
 * redcap.c - the study as a REDCap data dictionary, and crf expressions as
 * REDCap logic (redcap.h).
 *
 * Design notes.
 *
 * Variable names.  REDCap names a field once in the whole project, in
 * lower case; crf names it by form (dm.weight) and exports it by its
 * export name (WEIGHT), unique within the form only.  A field's REDCap
 * variable is its export name in lower case, prefixed with the form id
 * ("vs_vsdat") when another form has the same export name; descriptive
 * text (info fields, which have no export name) is FORM_FIELD.  Names
 * REDCap keeps for itself (record_id, FORM_complete, redcap_*) are never
 * given out, and a name still taken gets _2, _3 ... so every variable is
 * unique and the same study always gives the same names.
 *
 * Expressions.  The expression module keeps its tree to itself, so the
 * translator reads the source text again with a small parser of the same
 * grammar (docs/forms.md "Expressions"); the definitions were checked at
 * load, so anything this parser does not understand is simply reported
 * as not translatable.  Only what REDCap says the same way is translated:
 * the missing-value rules of crf (a blank operand makes a comparison
 * missing, a missing `show` hides) match REDCap's for comparisons joined
 * with and/or, which is what branching logic is.  `not` is pushed down
 * into the comparisons (REDCap logic has no negation operator).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crf/csv_export.h"
#include "crf/redcap.h"
#include "crf/util.h"

/* ---- Variable names ------------------------------------------------------ */

typedef struct names {
	const study_def *sd;
	char ***var;            /* [form][field] */
	signed char **calc;     /* [form][field]: -1 not yet known, 0 REDCap cannot
	                           compute it, 1 it can, 2 being worked out */
} names;

static size_t
form_index(const study_def *sd, const form_def *fd)
{
	return (size_t)(fd - sd->forms);
}

/* The field's name before uniqueness: lower-case export name, or
 * FORM_FIELD for descriptive text. */
static char *
base_name(const field_def *f)
{
	if (f->export_name == NULL)
		return xasprintf("%s_%s", f->form->id, f->id);
	return str_lower(xstrdup(f->export_name));
}

typedef struct name_set {
	char **s;
	size_t n, cap;
} name_set;

static bool
set_has(const name_set *ns, const char *s)
{
	for (size_t i = 0; i < ns->n; i++)
		if (strcmp(ns->s[i], s) == 0)
			return true;
	return false;
}

static void
set_add(name_set *ns, char *s)
{
	xgrow(&ns->s, sizeof *ns->s, &ns->cap, ns->n);
	ns->s[ns->n++] = s;
}

static names *
names_new(const study_def *sd)
{
	names *nm = xcalloc(1, sizeof *nm);
	name_set taken = { 0 };

	nm->sd = sd;
	nm->var = xcalloc(sd->nforms ? sd->nforms : 1, sizeof *nm->var);
	nm->calc = xcalloc(sd->nforms ? sd->nforms : 1, sizeof *nm->calc);
	set_add(&taken, xstrdup("record_id"));
	for (size_t i = 0; i < sd->nforms; i++)
		set_add(&taken, xasprintf("%s_complete", sd->forms[i].id));
	for (size_t i = 0; i < sd->nforms; i++) {
		const form_def *fd = &sd->forms[i];

		nm->var[i] = xcalloc(fd->nfields ? fd->nfields : 1, sizeof **nm->var);
		nm->calc[i] = xcalloc(fd->nfields ? fd->nfields : 1, sizeof **nm->calc);
		for (size_t j = 0; j < fd->nfields; j++) {
			const field_def *f = &fd->fields[j];
			char *base = base_name(f), *name;
			bool shared = false;

			nm->calc[i][j] = -1;
			/* Does another form export a field under the same name? */
			for (size_t k = 0; k < sd->nforms && !shared && f->export_name; k++) {
				if (k == i)
					continue;
				for (size_t m = 0; m < sd->forms[k].nfields; m++)
					if (str_eq(sd->forms[k].fields[m].export_name, f->export_name)) {
						shared = true;
						break;
					}
			}
			if (shared || str_starts(base, "redcap_") || set_has(&taken, base)) {
				name = xasprintf("%s_%s", fd->id, base);
				free(base);
			} else {
				name = base;
			}
			for (int n = 2; set_has(&taken, name); n++) {
				char *alt = xasprintf("%s_%d", name, n);

				if (!set_has(&taken, alt)) {
					free(name);
					name = alt;
					break;
				}
				free(alt);
			}
			nm->var[i][j] = xstrdup(name);
			set_add(&taken, name);
		}
	}
	for (size_t i = 0; i < taken.n; i++)
		free(taken.s[i]);
	free(taken.s);
	return nm;
}

static void
names_free(names *nm)
{
	if (nm == NULL)
		return;
	for (size_t i = 0; i < nm->sd->nforms; i++) {
		for (size_t j = 0; j < nm->sd->forms[i].nfields; j++)
			free(nm->var[i][j]);
		free(nm->var[i]);
		free(nm->calc[i]);
	}
	free(nm->var);
	free(nm->calc);
	free(nm);
}

static const char *
var_of(const names *nm, const field_def *f)
{
	return nm->var[form_index(nm->sd, f->form)][f->index];
}

/* The type a field's values have: a calc's result type. */
static field_type
value_kind(const field_def *f)
{
	return f->type == FT_CALC ? f->result : f->type;
}

/* ---- A parser of the expression language ------------------------------- */

enum rtok {
	T_EOF, T_NUM, T_STR, T_NAME, T_LP, T_RP, T_COMMA, T_PLUS, T_MINUS, T_STAR,
	T_SLASH, T_PCT, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_AND, T_OR, T_NOT,
	T_TRUE, T_FALSE, T_MISSING, T_BAD
};

enum rkind {
	R_NUM, R_STR, R_BOOL, R_MISSING, R_REF, R_CALL, R_NEG, R_NOT, R_AND, R_OR,
	R_CMP, R_ARITH
};

/* Comparison and arithmetic operators: the token that wrote them. */
typedef struct rnode {
	enum rkind kind;
	enum rtok op;              /* R_CMP, R_ARITH */
	bool b;                    /* R_BOOL */
	char *text;                /* R_NUM lexeme, R_STR value, R_REF / R_CALL name */
	struct rnode **kids;
	size_t nkids, cap;
} rnode;

typedef struct rparser {
	const char *p;
	enum rtok tok;
	char *tstr;                /* T_NUM, T_STR, T_NAME text (owned) */
	bool failed;
	int depth;
} rparser;

static void
rnode_free(rnode *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		rnode_free(n->kids[i]);
	free(n->kids);
	free(n->text);
	free(n);
}

static rnode *
rnode_new(enum rkind kind, char *text)
{
	rnode *n = xcalloc(1, sizeof *n);

	n->kind = kind;
	n->text = text;
	return n;
}

static void
rnode_add(rnode *n, rnode *kid)
{
	xgrow(&n->kids, sizeof *n->kids, &n->cap, n->nkids);
	n->kids[n->nkids++] = kid;
}

static bool
is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    (c >= '0' && c <= '9');
}

static void
rnext(rparser *P)
{
	const char *q;
	static const struct { const char *w; enum rtok t; } kw[] = {
		{ "and", T_AND }, { "or", T_OR }, { "not", T_NOT }, { "true", T_TRUE },
		{ "false", T_FALSE }, { "missing", T_MISSING },
	};

	free(P->tstr);
	P->tstr = NULL;
	while (*P->p == ' ' || *P->p == '\t' || *P->p == '\n' || *P->p == '\r')
		P->p++;
	q = P->p;
	if (*q == '\0') {
		P->tok = T_EOF;
		return;
	}
	if ((*q >= '0' && *q <= '9') || (*q == '.' && q[1] >= '0' && q[1] <= '9')) {
		while ((*q >= '0' && *q <= '9') || *q == '.')
			q++;
		P->tok = T_NUM;
		P->tstr = xstrndup(P->p, (size_t)(q - P->p));
		P->p = q;
		return;
	}
	if (*q == '"') {
		strbuf sb = { 0 };

		for (q++; *q != '"'; q++) {
			if (*q == '\0') {
				sb_free(&sb);
				P->tok = T_BAD;
				return;
			}
			if (*q == '\\' && (q[1] == '"' || q[1] == '\\'))
				q++;
			sb_addn(&sb, q, 1);
		}
		P->tok = T_STR;
		P->tstr = sb_steal(&sb);
		P->p = q + 1;
		return;
	}
	if (is_name_char((unsigned char)*q)) {
		while (is_name_char((unsigned char)*q) || *q == '.')
			q++;
		P->tstr = str_lower(xstrndup(P->p, (size_t)(q - P->p)));
		P->p = q;
		P->tok = T_NAME;
		for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
			if (strcmp(P->tstr, kw[i].w) == 0)
				P->tok = kw[i].t;
		return;
	}
	P->p++;
	switch (*q) {
	case '(': P->tok = T_LP; return;
	case ')': P->tok = T_RP; return;
	case ',': P->tok = T_COMMA; return;
	case '+': P->tok = T_PLUS; return;
	case '-': P->tok = T_MINUS; return;
	case '*': P->tok = T_STAR; return;
	case '/': P->tok = T_SLASH; return;
	case '%': P->tok = T_PCT; return;
	case '=':
		if (*P->p == '=')
			P->p++;
		P->tok = T_EQ;
		return;
	case '!':
		if (*P->p == '=') {
			P->p++;
			P->tok = T_NE;
			return;
		}
		break;
	case '<':
		if (*P->p == '=') {
			P->p++;
			P->tok = T_LE;
		} else if (*P->p == '>') {
			P->p++;
			P->tok = T_NE;
		} else {
			P->tok = T_LT;
		}
		return;
	case '>':
		if (*P->p == '=') {
			P->p++;
			P->tok = T_GE;
		} else {
			P->tok = T_GT;
		}
		return;
	default:
		break;
	}
	P->tok = T_BAD;
}

static rnode *parse_or(rparser *P);

static rnode *
fail_parse(rparser *P, rnode *n)
{
	P->failed = true;
	rnode_free(n);
	return NULL;
}

static rnode *
parse_primary(rparser *P)
{
	rnode *n;

	if (++P->depth > 400)
		return fail_parse(P, NULL);
	switch (P->tok) {
	case T_NUM:
		n = rnode_new(R_NUM, P->tstr);
		P->tstr = NULL;
		rnext(P);
		break;
	case T_STR:
		n = rnode_new(R_STR, P->tstr);
		P->tstr = NULL;
		rnext(P);
		break;
	case T_TRUE:
	case T_FALSE:
		n = rnode_new(R_BOOL, NULL);
		n->b = P->tok == T_TRUE;
		rnext(P);
		break;
	case T_MISSING:
		n = rnode_new(R_MISSING, NULL);
		rnext(P);
		break;
	case T_LP:
		rnext(P);
		n = parse_or(P);
		if (n == NULL || P->tok != T_RP)
			return fail_parse(P, n);
		rnext(P);
		break;
	case T_NAME: {
		char *name = P->tstr;

		P->tstr = NULL;
		rnext(P);
		if (P->tok != T_LP) {
			n = rnode_new(R_REF, name);
			break;
		}
		n = rnode_new(R_CALL, name);
		rnext(P);
		if (P->tok != T_RP) {
			for (;;) {
				rnode *a = parse_or(P);

				if (a == NULL)
					return fail_parse(P, n);
				rnode_add(n, a);
				if (P->tok != T_COMMA)
					break;
				rnext(P);
			}
		}
		if (P->tok != T_RP)
			return fail_parse(P, n);
		rnext(P);
		break;
	}
	case T_MINUS: {
		rnode *k;

		rnext(P);
		if ((k = parse_primary(P)) == NULL)
			return NULL;
		n = rnode_new(R_NEG, NULL);
		rnode_add(n, k);
		break;
	}
	default:
		return fail_parse(P, NULL);
	}
	P->depth--;
	return n;
}

static rnode *
binary(enum rkind kind, enum rtok op, rnode *l, rnode *r)
{
	rnode *n = rnode_new(kind, NULL);

	n->op = op;
	rnode_add(n, l);
	rnode_add(n, r);
	return n;
}

static rnode *
parse_mul(rparser *P)
{
	rnode *l = parse_primary(P);

	while (l != NULL && (P->tok == T_STAR || P->tok == T_SLASH || P->tok == T_PCT)) {
		enum rtok op = P->tok;
		rnode *r;

		rnext(P);
		if ((r = parse_primary(P)) == NULL)
			return fail_parse(P, l);
		l = binary(R_ARITH, op, l, r);
	}
	return l;
}

static rnode *
parse_add(rparser *P)
{
	rnode *l = parse_mul(P);

	while (l != NULL && (P->tok == T_PLUS || P->tok == T_MINUS)) {
		enum rtok op = P->tok;
		rnode *r;

		rnext(P);
		if ((r = parse_mul(P)) == NULL)
			return fail_parse(P, l);
		l = binary(R_ARITH, op, l, r);
	}
	return l;
}

static bool
is_cmp(enum rtok t)
{
	return t == T_EQ || t == T_NE || t == T_LT || t == T_LE || t == T_GT || t == T_GE;
}

static rnode *
parse_cmp(rparser *P)
{
	rnode *l = parse_add(P), *r;
	enum rtok op;

	if (l == NULL || !is_cmp(P->tok))
		return l;
	op = P->tok;
	rnext(P);
	if ((r = parse_add(P)) == NULL)
		return fail_parse(P, l);
	return binary(R_CMP, op, l, r);
}

static rnode *
parse_not(rparser *P)
{
	rnode *k, *n;

	if (P->tok != T_NOT)
		return parse_cmp(P);
	if (++P->depth > 400)
		return fail_parse(P, NULL);
	rnext(P);
	if ((k = parse_not(P)) == NULL)
		return NULL;
	P->depth--;
	n = rnode_new(R_NOT, NULL);
	rnode_add(n, k);
	return n;
}

static rnode *
parse_and(rparser *P)
{
	rnode *l = parse_not(P);

	while (l != NULL && P->tok == T_AND) {
		rnode *r;

		rnext(P);
		if ((r = parse_not(P)) == NULL)
			return fail_parse(P, l);
		l = binary(R_AND, T_AND, l, r);
	}
	return l;
}

static rnode *
parse_or(rparser *P)
{
	rnode *l = parse_and(P);

	while (l != NULL && P->tok == T_OR) {
		rnode *r;

		rnext(P);
		if ((r = parse_and(P)) == NULL)
			return fail_parse(P, l);
		l = binary(R_OR, T_OR, l, r);
	}
	return l;
}

/* The tree of src, or NULL when it cannot be read. */
static rnode *
rparse(const char *src)
{
	rparser P = { .p = src };
	rnode *n;

	rnext(&P);
	n = parse_or(&P);
	if (n != NULL && (P.failed || P.tok != T_EOF)) {
		rnode_free(n);
		n = NULL;
	}
	free(P.tstr);
	return n;
}

/* ---- Translation ------------------------------------------------------------ */

typedef struct tctx {
	names *nm;
	const form_def *fd;        /* the form the expression belongs to */
	crf_err *why;
	bool failed;
} tctx;

static bool
cannot(tctx *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Record the first reason a translation fails; returns false. */
static bool
cannot(tctx *t, const char *fmt, ...)
{
	va_list ap;

	if (!t->failed && t->why != NULL) {
		va_start(ap, fmt);
		vsnprintf(t->why->msg, sizeof t->why->msg, fmt, ap);
		va_end(ap);
	}
	t->failed = true;
	return false;
}

static bool translate_calc(names *nm, const field_def *f, strbuf *out, crf_err *why);

/* Can REDCap compute calc field f (then it is a calc field there too)? */
static bool
calc_ok(names *nm, const field_def *f)
{
	signed char *c = &nm->calc[form_index(nm->sd, f->form)][f->index];

	if (*c == 2)
		return false;
	if (*c < 0) {
		strbuf tmp = { 0 };
		crf_err why;

		*c = 2;
		*c = translate_calc(nm, f, &tmp, &why) ? 1 : 0;
		sb_free(&tmp);
	}
	return *c == 1;
}

/* A study constant named by a reference "study.NAME", or NULL. */
static const constant_def *
ref_constant(const tctx *t, const rnode *n)
{
	const study_def *sd = t->nm->sd;

	if (n->kind != R_REF || !str_starts(n->text, "study.") || strchr(n->text + 6, '.'))
		return NULL;
	for (size_t i = 0; i < sd->nconstants; i++)
		if (strcmp(sd->constants[i].name, n->text + 6) == 0)
			return &sd->constants[i];
	return NULL;
}

/* The field a reference names, if REDCap can refer to it as [variable]. */
static const field_def *
ref_field(tctx *t, const rnode *n)
{
	const study_def *sd = t->nm->sd;
	const char *dot = strchr(n->text, '.');
	const form_def *tf = t->fd;
	const field_def *f;

	if (dot != NULL && strchr(dot + 1, '.') != NULL) {
		cannot(t, "refers to another event: %s", n->text);
		return NULL;
	}
	if (dot != NULL) {
		char *form = xstrndup(n->text, (size_t)(dot - n->text));

		tf = study_form(sd, form);
		free(form);
		if (tf == NULL) {
			cannot(t, "unknown name %s", n->text);
			return NULL;
		}
		if (tf->is_log && tf != t->fd) {
			cannot(t, "refers to the repeating log %s", tf->id);
			return NULL;
		}
		if (t->fd->is_log && tf != t->fd) {
			cannot(t, "a repeating log refers to a form of a visit: %s", n->text);
			return NULL;
		}
	}
	f = form_field(tf, dot != NULL ? dot + 1 : n->text);
	if (f == NULL || f->type == FT_INFO) {
		cannot(t, "unknown name %s", n->text);
		return NULL;
	}
	if (f->type == FT_CALC && !calc_ok(t->nm, f)) {
		cannot(t, "refers to %s, a calculation REDCap cannot do", n->text);
		return NULL;
	}
	return f;
}

/* A number as REDCap reads it (".5" -> "0.5"). */
static void
add_number(strbuf *out, const char *lexeme)
{
	if (lexeme[0] == '.')
		sb_add(out, "0");
	sb_add(out, lexeme);
}

/* A text in quotes: single, or double when it holds a single quote. */
static bool
add_text(tctx *t, strbuf *out, const char *s)
{
	if (strchr(s, '\'') == NULL) {
		sb_addf(out, "'%s'", s);
		return true;
	}
	if (strchr(s, '"') == NULL) {
		sb_addf(out, "\"%s\"", s);
		return true;
	}
	return cannot(t, "a text holds both kinds of quote");
}

static bool
add_constant(tctx *t, strbuf *out, const constant_def *c)
{
	char buf[64];

	switch (c->value.type) {
	case VAL_NUM:
		snprintf(buf, sizeof buf, "%.15g", c->value.u.n);
		sb_add(out, buf);
		return true;
	case VAL_TEXT:
		return add_text(t, out, c->value.u.s != NULL ? c->value.u.s : "");
	default:
		return cannot(t, "study.%s is not a number or a text", c->name);
	}
}

/* Precedence of what emit_val wrote: 1 a sum, 2 a product, 3 an atom. */
enum { P_ADD = 1, P_MUL = 2, P_ATOM = 3 };

static bool emit_val(tctx *t, const rnode *n, strbuf *out, int *prec);
static bool emit_bool(tctx *t, const rnode *n, bool neg, strbuf *out, int *top);

/* Append what emit_val writes for n, in parentheses when its precedence
 * is below min. */
static bool
emit_wrapped(tctx *t, const rnode *n, int min, strbuf *out)
{
	strbuf sb = { 0 };
	int prec = P_ATOM;
	bool ok = emit_val(t, n, &sb, &prec);

	if (ok) {
		if (prec < min)
			sb_addf(out, "(%s)", sb.s);
		else
			sb_add(out, sb.s);
	}
	sb_free(&sb);
	return ok;
}

/* A date operand of days(): a date field, today() or a whole date. */
static bool
emit_date(tctx *t, const rnode *n, strbuf *out)
{
	if (n->kind == R_CALL && strcmp(n->text, "today") == 0 && n->nkids == 0) {
		sb_add(out, "'today'");
		return true;
	}
	if (n->kind == R_CALL && strcmp(n->text, "date") == 0 && n->nkids == 1 &&
	    n->kids[0]->kind == R_STR && strlen(n->kids[0]->text) == 10) {
		sb_addf(out, "'%s'", n->kids[0]->text);
		return true;
	}
	if (n->kind == R_REF && ref_constant(t, n) == NULL) {
		const field_def *f = ref_field(t, n);

		if (f == NULL)
			return false;
		if (value_kind(f) != FT_DATE)
			return cannot(t, "days() of %s, which is not a date", n->text);
		sb_addf(out, "[%s]", var_of(t->nm, f));
		return true;
	}
	return cannot(t, "days() of a computed date");
}

static bool
emit_call(tctx *t, const rnode *n, strbuf *out, int *prec)
{
	const char *fn = n->text;
	size_t na = n->nkids;

	*prec = P_ATOM;
	if ((strcmp(fn, "round") == 0 && (na == 1 || na == 2)) ||
	    (strcmp(fn, "abs") == 0 && na == 1) || (strcmp(fn, "sqrt") == 0 && na == 1)) {
		sb_addf(out, "%s(", fn);
		if (!emit_wrapped(t, n->kids[0], P_ADD, out))
			return false;
		if (strcmp(fn, "round") == 0) {
			sb_add(out, ", ");
			if (na == 1)
				sb_add(out, "0");
			else if (!emit_wrapped(t, n->kids[1], P_ADD, out))
				return false;
		}
		sb_add(out, ")");
		return true;
	}
	if (strcmp(fn, "pow") == 0 && na == 2) {
		sb_add(out, "(");
		if (!emit_wrapped(t, n->kids[0], P_ADD, out))
			return false;
		sb_add(out, ")^(");
		if (!emit_wrapped(t, n->kids[1], P_ADD, out))
			return false;
		sb_add(out, ")");
		return true;
	}
	if ((strcmp(fn, "min") == 0 || strcmp(fn, "max") == 0) && na >= 2 &&
	    !(na == 2 && n->kids[0]->kind == R_REF && strchr(n->kids[0]->text, '.') &&
	    ref_constant(t, n->kids[0]) == NULL)) {
		sb_addf(out, "%s(", fn);
		for (size_t i = 0; i < na; i++) {
			if (i > 0)
				sb_add(out, ", ");
			if (!emit_wrapped(t, n->kids[i], P_ADD, out))
				return false;
		}
		sb_add(out, ")");
		return true;
	}
	if (strcmp(fn, "if") == 0 && na == 3) {
		int top;

		sb_add(out, "if(");
		if (!emit_bool(t, n->kids[0], false, out, &top))
			return false;
		sb_add(out, ", ");
		if (!emit_wrapped(t, n->kids[1], P_ADD, out))
			return false;
		sb_add(out, ", ");
		if (!emit_wrapped(t, n->kids[2], P_ADD, out))
			return false;
		sb_add(out, ")");
		return true;
	}
	if (strcmp(fn, "days") == 0 && na == 2) {
		sb_add(out, "datediff(");
		if (!emit_date(t, n->kids[0], out))
			return false;
		sb_add(out, ", ");
		if (!emit_date(t, n->kids[1], out))
			return false;
		sb_add(out, ", 'd', true)");
		return true;
	}
	if (strcmp(fn, "number") == 0 && na == 1)
		return emit_val(t, n->kids[0], out, prec);
	if (strcmp(fn, "count") == 0 || strcmp(fn, "sum") == 0 || strcmp(fn, "first") == 0 ||
	    strcmp(fn, "last") == 0 || strcmp(fn, "min") == 0 || strcmp(fn, "max") == 0)
		return cannot(t, "%s() over the instances of a repeating log", fn);
	return cannot(t, "%s() has no REDCap equivalent", fn);
}

/* A value: number, text, field, constant, arithmetic or a function. */
static bool
emit_val(tctx *t, const rnode *n, strbuf *out, int *prec)
{
	const constant_def *c;
	const field_def *f;

	*prec = P_ATOM;
	switch (n->kind) {
	case R_NUM:
		add_number(out, n->text);
		return true;
	case R_STR:
		return add_text(t, out, n->text);
	case R_REF:
		if ((c = ref_constant(t, n)) != NULL)
			return add_constant(t, out, c);
		if ((f = ref_field(t, n)) == NULL)
			return false;
		switch (value_kind(f)) {
		case FT_DATE: case FT_PDATE: case FT_TIME:
			return cannot(t, "uses the date or time %s other than in days()", n->text);
		case FT_MULTI:
			return cannot(t, "uses the multichoice %s other than in has()", n->text);
		default:
			break;
		}
		sb_addf(out, "[%s]", var_of(t->nm, f));
		return true;
	case R_NEG:
		sb_add(out, "(-");
		if (!emit_wrapped(t, n->kids[0], P_ATOM, out))
			return false;
		sb_add(out, ")");
		return true;
	case R_ARITH: {
		int p = n->op == T_PLUS || n->op == T_MINUS ? P_ADD : P_MUL;
		bool strict = n->op == T_MINUS || n->op == T_SLASH;

		if (n->op == T_PCT)
			return cannot(t, "the remainder %% has no REDCap equivalent");
		if (!emit_wrapped(t, n->kids[0], p, out))
			return false;
		sb_addf(out, " %s ", n->op == T_PLUS ? "+" : n->op == T_MINUS ? "-" :
		    n->op == T_STAR ? "*" : "/");
		if (!emit_wrapped(t, n->kids[1], strict ? p + 1 : p, out))
			return false;
		*prec = p;
		return true;
	}
	case R_CALL:
		return emit_call(t, n, out, prec);
	case R_BOOL:
		return cannot(t, "true and false have no REDCap equivalent");
	case R_MISSING:
		return cannot(t, "'missing' has no REDCap equivalent");
	default:
		return cannot(t, "a condition where REDCap needs a value");
	}
}

static const char *
cmp_text(enum rtok op, bool neg)
{
	switch (op) {
	case T_EQ: return neg ? "<>" : "=";
	case T_NE: return neg ? "=" : "<>";
	case T_LT: return neg ? ">=" : "<";
	case T_LE: return neg ? ">" : "<=";
	case T_GT: return neg ? "<=" : ">";
	default:   return neg ? "<" : ">=";
	}
}

/* One side of a comparison; other is the field on the other side, if
 * any, so that "Y"/"N" against a yes/no field becomes '1'/'0'. */
static bool
emit_operand(tctx *t, const rnode *n, const field_def *other, strbuf *out)
{
	if (n->kind == R_STR && other != NULL && value_kind(other) == FT_YESNO) {
		if (strcmp(n->text, "Y") == 0 || strcmp(n->text, "N") == 0) {
			sb_addf(out, "'%s'", n->text[0] == 'Y' ? "1" : "0");
			return true;
		}
		return cannot(t, "compares yes/no %s with \"%s\"", other->id, n->text);
	}
	return emit_wrapped(t, n, P_ADD, out);
}

/* The field a comparison operand names (without complaint), or NULL. */
static const field_def *
operand_field(tctx *t, const rnode *n)
{
	tctx quiet = { t->nm, t->fd, NULL, false };

	if (n->kind != R_REF || ref_constant(t, n) != NULL)
		return NULL;
	return ref_field(&quiet, n);
}

static bool
emit_cmp(tctx *t, const rnode *n, bool neg, strbuf *out)
{
	const field_def *l = operand_field(t, n->kids[0]);
	const field_def *r = operand_field(t, n->kids[1]);

	if (!emit_operand(t, n->kids[0], r, out))
		return false;
	sb_addf(out, " %s ", cmp_text(n->op, neg));
	return emit_operand(t, n->kids[1], l, out);
}

/* blank(x), has(m, "C"), in(x, a, b ...): conditions of one field. */
static bool
emit_bool_call(tctx *t, const rnode *n, bool neg, strbuf *out, int *top)
{
	const field_def *f;

	if ((strcmp(n->text, "blank") == 0 || strcmp(n->text, "isblank") == 0) &&
	    n->nkids == 1 && n->kids[0]->kind == R_REF) {
		if ((f = ref_field(t, n->kids[0])) == NULL)
			return false;
		if (f->type == FT_MULTI)
			return cannot(t, "blank() of the multichoice %s", f->id);
		sb_addf(out, "[%s] %s ''", var_of(t->nm, f), neg ? "<>" : "=");
		return true;
	}
	if (strcmp(n->text, "has") == 0 && n->nkids == 2 && n->kids[0]->kind == R_REF &&
	    n->kids[1]->kind == R_STR) {
		if ((f = ref_field(t, n->kids[0])) == NULL)
			return false;
		if (f->type != FT_MULTI || f->choices == NULL ||
		    choice_find(f->choices, n->kids[1]->text) == NULL)
			return cannot(t, "has() of %s", n->kids[0]->text);
		sb_addf(out, "[%s(%s)] = '%s'", var_of(t->nm, f), n->kids[1]->text, neg ? "0" : "1");
		return true;
	}
	if (strcmp(n->text, "in") == 0 && n->nkids >= 2) {
		const field_def *x = operand_field(t, n->kids[0]);

		if (n->nkids > 2)
			*top = neg ? 1 : 2;
		for (size_t i = 1; i < n->nkids; i++) {
			if (i > 1)
				sb_add(out, neg ? " and " : " or ");
			if (!emit_operand(t, n->kids[0], NULL, out))
				return false;
			sb_addf(out, " %s ", neg ? "<>" : "=");
			if (!emit_operand(t, n->kids[i], x, out))
				return false;
		}
		return true;
	}
	return cannot(t, "%s() as a condition has no REDCap equivalent", n->text);
}

/*
 * A condition; neg: its negation.  *top tells how it is joined at the
 * top: 0 not joined, 1 with and, 2 with or (for the caller's brackets).
 */
static bool
emit_bool(tctx *t, const rnode *n, bool neg, strbuf *out, int *top)
{
	*top = 0;
	switch (n->kind) {
	case R_NOT:
		return emit_bool(t, n->kids[0], !neg, out, top);
	case R_AND:
	case R_OR: {
		int me = (n->kind == R_AND) != neg ? 1 : 2;

		for (size_t i = 0; i < 2; i++) {
			strbuf sb = { 0 };
			int kt;
			bool ok = emit_bool(t, n->kids[i], neg, &sb, &kt);

			if (ok) {
				if (i > 0)
					sb_add(out, me == 1 ? " and " : " or ");
				if (kt != 0 && kt != me)
					sb_addf(out, "(%s)", sb.s);
				else
					sb_add(out, sb.s);
			}
			sb_free(&sb);
			if (!ok)
				return false;
		}
		*top = me;
		return true;
	}
	case R_CMP:
		return emit_cmp(t, n, neg, out);
	case R_CALL:
		return emit_bool_call(t, n, neg, out, top);
	case R_REF: {
		const field_def *f;

		if (ref_constant(t, n) != NULL)
			return cannot(t, "a constant as a condition");
		if ((f = ref_field(t, n)) == NULL)
			return false;
		if (f->type != FT_CALC || f->result != FT_YESNO)
			return cannot(t, "%s as a condition", n->text);
		sb_addf(out, "[%s] = %s", var_of(t->nm, f), neg ? "0" : "1");
		return true;
	}
	default:
		return cannot(t, "this condition has no REDCap equivalent");
	}
}

/* Translate src of form fd with the names nm. */
static bool
translate(names *nm, const form_def *fd, const char *src, redcap_kind kind,
    strbuf *out, crf_err *why)
{
	tctx t = { nm, fd, why, false };
	rnode *n = rparse(src);
	strbuf sb = { 0 };
	bool ok;
	int k;

	if (n == NULL) {
		if (why != NULL)
			str_copy(why->msg, "the expression could not be read", sizeof why->msg);
		return false;
	}
	if (kind == REDCAP_LOGIC)
		ok = emit_bool(&t, n, false, &sb, &k);
	else
		ok = emit_val(&t, n, &sb, &k);
	if (ok)
		sb_add(out, sb.s);
	sb_free(&sb);
	rnode_free(n);
	return ok;
}

/* The REDCap equation of calc field f: numbers as they are, yes/no as
 * if(condition, 1, 0); other results REDCap's calc fields cannot hold. */
static bool
translate_calc(names *nm, const field_def *f, strbuf *out, crf_err *why)
{
	strbuf sb = { 0 };
	bool ok;

	if (f->calc == NULL)
		return false;
	switch (f->result) {
	case FT_INTEGER:
	case FT_DECIMAL:
		return translate(nm, f->form, expr_source(f->calc), REDCAP_NUMBER, out, why);
	case FT_YESNO:
		ok = translate(nm, f->form, expr_source(f->calc), REDCAP_LOGIC, &sb, why);
		if (ok)
			sb_addf(out, "if(%s, 1, 0)", sb.s);
		sb_free(&sb);
		return ok;
	default:
		if (why != NULL)
			snprintf(why->msg, sizeof why->msg, "it gives %s; REDCap calculations give numbers",
			    f->result == FT_DATE ? "a date" : f->result == FT_TIME ? "a time" : "text");
		return false;
	}
}

bool
redcap_translate(const study_def *sd, const form_def *fd, const char *src,
    redcap_kind kind, strbuf *out, crf_err *why)
{
	names *nm = names_new(sd);
	bool ok = translate(nm, fd, src, kind, out, why);

	names_free(nm);
	return ok;
}

/* ---- The dictionary ---------------------------------------------------------- */

static const char *const redcap_columns[] = {
	"Variable / Field Name", "Form Name", "Section Header", "Field Type",
	"Field Label", "Choices, Calculations, OR Slider Labels", "Field Note",
	"Text Validation Type OR Show Slider Number", "Text Validation Min",
	"Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
	"Required Field?", "Custom Alignment", "Question Number (surveys only)",
	"Matrix Group Name", "Matrix Ranking?", "Field Annotation",
};
enum { RC_NCOLS = sizeof redcap_columns / sizeof redcap_columns[0] };
enum {
	RC_VAR, RC_FORM, RC_SECTION, RC_TYPE, RC_LABEL, RC_CHOICES, RC_NOTE,
	RC_VALID, RC_MIN, RC_MAX, RC_IDENT, RC_BRANCH, RC_REQUIRED, RC_ALIGN,
	RC_QNUM, RC_MATRIX, RC_RANK, RC_ANNOT
};

typedef struct rc_row {
	strbuf col[RC_NCOLS];
} rc_row;

static void
row_write(rc_row *r, strbuf *out)
{
	for (int i = 0; i < RC_NCOLS; i++) {
		if (i > 0)
			sb_add(out, ",");
		csv_quote(out, r->col[i].s);
		sb_free(&r->col[i]);
	}
	sb_add(out, "\r\n");
}

/* A label for a REDCap choice list, which '|' would cut. */
static void
add_choice_label(strbuf *sb, const char *label)
{
	for (const char *p = label; *p; p++)
		sb_addn(sb, *p == '|' ? "/" : p, 1);
}

static void
add_number_text(strbuf *sb, double v)
{
	char buf[64];

	snprintf(buf, sizeof buf, "%.15g", v);
	sb_add(sb, buf);
}

/* Append "; " (when sb is not empty) then the formatted text. */
static void
note(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
note(strbuf *sb, const char *fmt, ...)
{
	va_list ap, aq;
	char *buf;
	int len;

	va_start(ap, fmt);
	va_copy(aq, ap);
	len = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	buf = xmalloc(len > 0 ? (size_t)len + 1 : 1);
	vsnprintf(buf, len > 0 ? (size_t)len + 1 : 1, fmt, ap);
	va_end(ap);
	if (sb->len > 0)
		sb_add(sb, "; ");
	sb_add(sb, buf);
	free(buf);
}

static void
field_row(names *nm, const field_def *f, bool section_start, strbuf *out)
{
	const study_def *sd = nm->sd;
	const form_def *fd = f->form;
	rc_row r = { 0 };
	strbuf tags = { 0 }, text = { 0 };
	const char *zh = f->label.text[LANG_ZH];
	crf_err why;
	bool numeric = false, data = true;

	sb_add(&r.col[RC_VAR], var_of(nm, f));
	sb_add(&r.col[RC_FORM], fd->id);
	if (section_start) {
		const section_def *s = &fd->sections[f->section];

		sb_add(&r.col[RC_SECTION], i18n_get(&s->title, LANG_EN));
	}
	sb_add(&r.col[RC_LABEL], i18n_get(&f->label, LANG_EN));
	switch (f->type) {
	case FT_TEXT:
		sb_add(&r.col[RC_TYPE], "text");
		break;
	case FT_MEMO:
		sb_add(&r.col[RC_TYPE], "notes");
		break;
	case FT_INTEGER:
		sb_add(&r.col[RC_TYPE], "text");
		sb_add(&r.col[RC_VALID], "integer");
		numeric = true;
		break;
	case FT_DECIMAL:
		sb_add(&r.col[RC_TYPE], "text");
		sb_add(&r.col[RC_VALID], "number");
		numeric = true;
		if (f->decimals >= 0)
			note(&text, "%d decimal%s", f->decimals, f->decimals == 1 ? "" : "s");
		break;
	case FT_DATE:
		sb_add(&r.col[RC_TYPE], "text");
		sb_add(&r.col[RC_VALID], "date_ymd");
		break;
	case FT_PDATE:
		sb_add(&r.col[RC_TYPE], "text");
		note(&text, "partial date: YYYY, YYYY-MM or YYYY-MM-DD");
		break;
	case FT_TIME:
		sb_add(&r.col[RC_TYPE], "text");
		sb_add(&r.col[RC_VALID], "time");
		break;
	case FT_YESNO:
		sb_add(&r.col[RC_TYPE], "yesno");
		note(&text, "crf stores Y/N, REDCap 1/0");
		break;
	case FT_CHOICE:
	case FT_MULTI:
		sb_add(&r.col[RC_TYPE], f->type == FT_MULTI ? "checkbox" :
		    f->choices != NULL && f->choices->nitems > 8 ? "dropdown" : "radio");
		for (size_t i = 0; f->choices != NULL && i < f->choices->nitems; i++) {
			const choice_item *c = &f->choices->items[i];

			if (i > 0)
				sb_add(&r.col[RC_CHOICES], " | ");
			sb_addf(&r.col[RC_CHOICES], "%s, ", c->code);
			add_choice_label(&r.col[RC_CHOICES], i18n_get(&c->label, LANG_EN));
		}
		break;
	case FT_CALC: {
		strbuf eq = { 0 };

		if (translate_calc(nm, f, &eq, &why)) {
			sb_add(&r.col[RC_TYPE], "calc");
			sb_add(&r.col[RC_CHOICES], eq.s);
			if (f->result == FT_YESNO)
				note(&text, "1 = Yes, 0 = No");
			else if (f->decimals >= 0)
				note(&text, "%d decimal%s", f->decimals, f->decimals == 1 ? "" : "s");
		} else {
			sb_add(&r.col[RC_TYPE], "descriptive");
			note(&text, "crf calculation, not translated (%s): %s", why.msg,
			    expr_source(f->calc));
			data = false;
		}
		sb_free(&eq);
		break;
	}
	case FT_INFO:
	default:
		sb_add(&r.col[RC_TYPE], "descriptive");
		sb_clear(&r.col[RC_LABEL]);
		sb_add(&r.col[RC_LABEL], i18n_get(&f->text, LANG_EN));
		zh = f->text.text[LANG_ZH];
		data = false;
		break;
	}
	/* Field note: the unit, then the help text. */
	if (f->unit != NULL)
		sb_add(&r.col[RC_NOTE], f->unit);
	if (f->help.text[LANG_EN] != NULL) {
		if (r.col[RC_NOTE].len > 0)
			sb_add(&r.col[RC_NOTE], ". ");
		sb_add(&r.col[RC_NOTE], f->help.text[LANG_EN]);
	}
	if (numeric && f->hard.has_min)
		add_number_text(&r.col[RC_MIN], f->hard.min);
	if (numeric && f->hard.has_max)
		add_number_text(&r.col[RC_MAX], f->hard.max);
	if (f->identifier)
		sb_add(&r.col[RC_IDENT], "y");
	if (f->required && data && f->type != FT_CALC)
		sb_add(&r.col[RC_REQUIRED], "y");
	if (f->show_if != NULL) {
		strbuf logic = { 0 };

		if (translate(nm, fd, expr_source(f->show_if), REDCAP_LOGIC, &logic, &why))
			sb_add(&r.col[RC_BRANCH], logic.s);
		else
			note(&text, "crf show, not translated (%s): %s", why.msg,
			    expr_source(f->show_if));
		sb_free(&logic);
	}
	/* Annotation: action tags, then notes for the person rebuilding. */
	if (data && f->type != FT_CALC) {
		if (f->missing_mask == 0 && sd->nmissing > 0) {
			sb_add(&tags, "@NOMISSING");
		} else if (f->missing_mask != 0) {
			strbuf codes = { 0 };

			for (size_t i = 0; i < sd->nmissing; i++)
				if (f->missing_mask & (1u << i))
					sb_addf(&codes, "%s%s", codes.len ? ", " : "", sd->missing[i].code);
			note(&text, "missing-data codes allowed: %s", codes.s);
			sb_free(&codes);
		}
	}
	if ((f->type == FT_TEXT || f->type == FT_MEMO) && f->maxlen > 0)
		sb_addf(&tags, "%s@CHARLIMIT=%d", tags.len ? " " : "", f->maxlen);
	if (numeric && (f->soft.has_min || f->soft.has_max)) {
		strbuf rng = { 0 };

		if (f->soft.has_min)
			add_number_text(&rng, f->soft.min);
		sb_add(&rng, "..");
		if (f->soft.has_max)
			add_number_text(&rng, f->soft.max);
		note(&text, "expected range %s (outside it crf asks to confirm)", rng.s);
		sb_free(&rng);
	}
	if (f->pattern != NULL)
		note(&text, "must match %s%s%s%s", f->pattern,
		    f->pattern_help.text[LANG_EN] ? " (" : "",
		    f->pattern_help.text[LANG_EN] ? f->pattern_help.text[LANG_EN] : "",
		    f->pattern_help.text[LANG_EN] ? ")" : "");
	if (f->retired > 0)
		note(&text, "retired from form version %d", f->retired);
	if (zh != NULL)
		note(&text, "zh: %s", zh);
	note(&text, "crf %s.%s%s%s", fd->id, f->id, f->export_name ? " " : "",
	    f->export_name ? f->export_name : "");
	sb_add(&r.col[RC_ANNOT], tags.len ? tags.s : "");
	if (tags.len > 0)
		sb_add(&r.col[RC_ANNOT], " ");
	sb_add(&r.col[RC_ANNOT], text.s);
	sb_free(&tags);
	sb_free(&text);
	row_write(&r, out);
}

static bool
seen(const form_def *const *order, size_t n, const form_def *fd)
{
	for (size_t i = 0; i < n; i++)
		if (order[i] == fd)
			return true;
	return false;
}

void
redcap_write_dictionary(const study_def *sd, strbuf *out)
{
	names *nm = names_new(sd);
	const form_def **order = xcalloc(sd->nforms ? sd->nforms : 1, sizeof *order);
	size_t n = 0;
	rc_row r = { 0 };

	/* Casebook order: the events' forms in schedule order, the logs, then
	 * any form in neither. */
	for (size_t i = 0; i < sd->nevents; i++)
		for (size_t j = 0; j < sd->events[i].nforms; j++)
			if (!seen(order, n, sd->events[i].forms[j]))
				order[n++] = sd->events[i].forms[j];
	for (size_t i = 0; i < sd->nlogs; i++)
		if (!seen(order, n, sd->logs[i]))
			order[n++] = sd->logs[i];
	for (size_t i = 0; i < sd->nforms; i++)
		if (!seen(order, n, &sd->forms[i]))
			order[n++] = &sd->forms[i];

	for (int i = 0; i < RC_NCOLS; i++) {
		if (i > 0)
			sb_add(out, ",");
		csv_quote(out, redcap_columns[i]);
	}
	sb_add(out, "\r\n");
	if (n > 0) {
		sb_add(&r.col[RC_VAR], "record_id");
		sb_add(&r.col[RC_FORM], order[0]->id);
		sb_add(&r.col[RC_TYPE], "text");
		sb_add(&r.col[RC_LABEL], "Subject (screening number)");
		sb_add(&r.col[RC_ANNOT], "crf subject key, such as TJ01-0001");
		row_write(&r, out);
	}
	for (size_t i = 0; i < n; i++) {
		const form_def *fd = order[i];

		for (size_t j = 0; j < fd->nfields; j++) {
			const field_def *f = &fd->fields[j];
			bool start = fd->nsections > 0 && fd->sections[f->section].first == j &&
			    fd->sections[f->section].title.text[LANG_EN] != NULL;

			field_row(nm, f, start, out);
		}
	}
	free(order);
	names_free(nm);
}
