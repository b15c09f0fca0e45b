/* expr.c - parser, type checker and evaluator of the expression language. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crf/expr.h"
#include "crf/outcome.h"
#include "crf/util.h"

/* Deepest tree accepted; evaluation recurses once per level. */
#define EXPR_MAX_DEPTH 200
/* Most arguments of one call. */
#define EXPR_MAX_ARGS 1000

enum node_kind {
	N_LIT,      /* constant value */
	N_REF,      /* field reference */
	N_NEG,      /* unary minus */
	N_NOT,
	N_AND,
	N_OR,
	N_CMP,      /* op: cmp_op */
	N_ARITH,    /* op: arith_op */
	N_CALL,     /* op: index into fn_table */
	N_AGG       /* op: index into fn_table; aggregate or candidate */
};

enum arith_op { A_ADD, A_SUB, A_MUL, A_DIV, A_MOD };
enum cmp_op { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE };

enum fn_id {
	F_TODAY, F_DATE, F_TIME, F_DAYS, F_MONTHS, F_YEARS, F_AGE, F_ADDDAYS,
	F_ADDMONTHS, F_ADDYEARS,
	F_YEAR, F_MONTH, F_DAY, F_ROUND, F_FLOOR, F_CEIL, F_MIN, F_MAX, F_ABS,
	F_SQRT, F_POW, F_IF, F_BLANK, F_CODE, F_COALESCE, F_IN, F_HAS, F_LEN,
	F_NUMBER, F_COUNT, F_SUM, F_FIRST, F_LAST, F_EDSS
};

#define ARGS_MANY (-1)

static const struct fn_info {
	const char *name;
	enum fn_id id;
	int min_args;
	int max_args;       /* ARGS_MANY: no limit */
} fn_table[] = {
	{ "today", F_TODAY, 0, 0 },
	{ "date", F_DATE, 1, 1 },
	{ "time", F_TIME, 1, 1 },
	{ "days", F_DAYS, 2, 2 },
	{ "months", F_MONTHS, 2, 2 },
	{ "years", F_YEARS, 2, 2 },
	{ "age", F_AGE, 2, 2 },
	{ "adddays", F_ADDDAYS, 2, 2 },
	{ "addmonths", F_ADDMONTHS, 2, 2 },
	{ "addyears", F_ADDYEARS, 2, 2 },
	{ "year", F_YEAR, 1, 1 },
	{ "month", F_MONTH, 1, 1 },
	{ "day", F_DAY, 1, 1 },
	{ "round", F_ROUND, 1, 2 },
	{ "floor", F_FLOOR, 1, 1 },
	{ "ceil", F_CEIL, 1, 1 },
	{ "min", F_MIN, 2, ARGS_MANY },
	{ "max", F_MAX, 2, ARGS_MANY },
	{ "abs", F_ABS, 1, 1 },
	{ "edss", F_EDSS, 8, 8 },
	{ "sqrt", F_SQRT, 1, 1 },
	{ "pow", F_POW, 2, 2 },
	{ "if", F_IF, 3, 3 },
	{ "blank", F_BLANK, 1, 1 },
	{ "isblank", F_BLANK, 1, 1 },
	{ "code", F_CODE, 1, 1 },
	{ "coalesce", F_COALESCE, 2, ARGS_MANY },
	{ "in", F_IN, 2, ARGS_MANY },
	{ "has", F_HAS, 2, 2 },
	{ "len", F_LEN, 1, 1 },
	{ "number", F_NUMBER, 1, 1 },
	{ "count", F_COUNT, 1, 2 },
	{ "sum", F_SUM, 1, 2 },
	{ "first", F_FIRST, 1, 2 },
	{ "last", F_LAST, 1, 2 },
};

#define FN_COUNT (sizeof fn_table / sizeof fn_table[0])

typedef struct enode {
	unsigned char kind;     /* node_kind */
	unsigned char op;       /* arith_op, cmp_op or fn_table index */
	unsigned short nargs;   /* number of children */
	int col;                /* column reported in messages (operator, name) */
	int scol;               /* column where the subexpression starts */
	int kid;                /* first child, -1 if none */
	int next;               /* next sibling, -1 at the end */
	int ref;                /* N_REF: index into refs */
	int owner;              /* N_REF: aggregate node iterating it, or -1 */
	int depth;              /* height of the subtree */
	crf_value lit;          /* N_LIT */
} enode;

struct expr {
	char *src;
	enode *nodes;
	size_t nnodes, ncap;
	int root;
	expr_ref *refs;
	size_t nrefs, rcap;
	char **strs;            /* text literals, owned */
	size_t nstrs, scap;
};

/* ---------------------------------------------------------------- lexer */

enum tok_kind {
	T_EOF, T_NUM, T_STR, T_NAME, T_LP, T_RP, T_COMMA,
	T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PCT,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE,
	T_AND, T_OR, T_NOT, T_TRUE, T_FALSE, T_MISSING
};

typedef struct parser {
	expr *e;
	crf_err *err;
	bool failed;
	int nest;               /* recursion depth of the parser */
	const char *p;          /* next character to lex */
	/* current token */
	int tok;
	const char *tstart;
	size_t tlen;
	int tcol;
	double tnum;
	char *tstr;             /* T_STR (unescaped) and T_NAME (lower case), owned */
} parser;

static const char *const keywords[] = { "and", "or", "not", "true", "false", "missing" };
static const int keyword_tok[] = { T_AND, T_OR, T_NOT, T_TRUE, T_FALSE, T_MISSING };

/* 1-based column of position s: characters, not bytes. */
static int
col_at(const parser *P, const char *s)
{
	int col = 1;

	for (const char *q = P->e->src; q < s; q++) {
		if (((unsigned char)*q & 0xC0) != 0x80)
			col++;
	}
	return col;
}

static void
fail(parser *P, int col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
fail(parser *P, int col, const char *fmt, ...)
{
	char msg[CRF_ERR_MAX];
	va_list ap;

	if (P->failed)
		return;
	P->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	crf_fail(P->err, CRF_EEXPR, "column %d: %s", col, msg);
}

/* ASCII only, whatever the locale. */
static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool
is_name_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
is_name_char(int c)
{
	return is_name_start(c) || is_digit(c);
}

static int
keyword_of(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++) {
		if (strlen(keywords[i]) == n && strncasecmp(s, keywords[i], n) == 0)
			return (int)i;
	}
	return -1;
}

/* Decimal number without the C library, so no locale applies. */
static double
lex_number_value(const char *s, size_t n)
{
	double mant = 0, scale = 1;
	bool frac = false;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			frac = true;
			continue;
		}
		mant = mant * 10 + (s[i] - '0');
		if (frac)
			scale *= 10;
	}
	return mant / scale;
}

static void
lex_string(parser *P)
{
	const char *q = P->p + 1;
	strbuf sb = { 0 };

	for (;;) {
		if (*q == '\0') {
			sb_free(&sb);
			fail(P, P->tcol, "unterminated string");
			P->tok = T_EOF;
			return;
		}
		if (*q == '"')
			break;
		if (*q == '\\') {
			if (q[1] != '"' && q[1] != '\\') {
				sb_free(&sb);
				if (q[1] == '\0')
					fail(P, P->tcol, "unterminated string");
				else
					fail(P, col_at(P, q), "unknown escape '\\%c' in text: only \\\" and \\\\ are allowed",
					    q[1]);
				P->tok = T_EOF;
				return;
			}
			q++;
		}
		sb_addn(&sb, q, 1);
		q++;
	}
	P->tok = T_STR;
	P->tstr = sb_steal(&sb);
	P->p = q + 1;
}

/* name, form.name or event.form.name; folded to lower case. */
static void
lex_name(parser *P)
{
	const char *q = P->p;
	int parts = 1, kw;

	for (;;) {
		const char *part = q;

		while (is_name_char((unsigned char)*q))
			q++;
		kw = keyword_of(part, (size_t)(q - part));
		if (kw >= 0 && (parts > 1 || *q == '.')) {
			fail(P, col_at(P, part), "'%s' is a reserved word and cannot be a name",
			    keywords[kw]);
			P->tok = T_EOF;
			return;
		}
		if (*q != '.')
			break;
		if (!is_name_start((unsigned char)q[1])) {
			fail(P, col_at(P, q + 1), "a name must follow '.'");
			P->tok = T_EOF;
			return;
		}
		if (++parts > 3) {
			const char *t = q;

			while (is_name_char((unsigned char)*t) || *t == '.')
				t++;
			fail(P, P->tcol, "too many dots in '%.*s': write field, form.field or event.form.field",
			    t - P->p > 60 ? 60 : (int)(t - P->p), P->p);
			P->tok = T_EOF;
			return;
		}
		q++;
	}
	P->tlen = (size_t)(q - P->p);
	if (parts == 1 && (kw = keyword_of(P->p, P->tlen)) >= 0) {
		P->tok = keyword_tok[kw];
	} else {
		P->tok = T_NAME;
		P->tstr = str_lower(xstrndup(P->p, P->tlen));
	}
	P->p = q;
}

static void
next(parser *P)
{
	const char *q;
	int c;

	free(P->tstr);
	P->tstr = NULL;
	if (P->failed) {
		P->tok = T_EOF;
		return;
	}
	while (is_space((unsigned char)*P->p))
		P->p++;
	q = P->p;
	P->tstart = q;
	P->tcol = col_at(P, q);
	P->tlen = 1;
	c = (unsigned char)*q;
	if (c == '\0') {
		P->tok = T_EOF;
		P->tlen = 0;
		return;
	}
	if (is_digit(c) || (c == '.' && is_digit((unsigned char)q[1]))) {
		while (is_digit((unsigned char)*q))
			q++;
		if (*q == '.') {
			q++;
			while (is_digit((unsigned char)*q))
				q++;
		}
		if (is_name_char((unsigned char)*q) || *q == '.') {
			while (is_name_char((unsigned char)*q) || *q == '.')
				q++;
			fail(P, P->tcol, "invalid number '%.*s'", q - P->p > 40 ? 40 : (int)(q - P->p), P->p);
			P->tok = T_EOF;
			return;
		}
		P->tok = T_NUM;
		P->tlen = (size_t)(q - P->p);
		P->tnum = lex_number_value(P->p, P->tlen);
		P->p = q;
		return;
	}
	if (c == '"') {
		lex_string(P);
		P->tlen = (size_t)(P->p - P->tstart);
		return;
	}
	if (is_name_start(c)) {
		lex_name(P);
		return;
	}
	P->p++;
	switch (c) {
	case '(': P->tok = T_LP; return;
	case ')': P->tok = T_RP; return;
	case ',': P->tok = T_COMMA; return;
	case '+': P->tok = T_PLUS; return;
	case '-': P->tok = T_MINUS; return;
	case '*': P->tok = T_STAR; return;
	case '/': P->tok = T_SLASH; return;
	case '%': P->tok = T_PCT; return;
	case '=':
		P->tok = T_EQ;
		if (*P->p == '=')
			P->p++;
		break;
	case '<':
		P->tok = T_LT;
		if (*P->p == '=') {
			P->tok = T_LE;
			P->p++;
		} else if (*P->p == '>') {
			P->tok = T_NE;
			P->p++;
		}
		break;
	case '>':
		P->tok = T_GT;
		if (*P->p == '=') {
			P->tok = T_GE;
			P->p++;
		}
		break;
	case '!':
		if (*P->p == '=') {
			P->tok = T_NE;
			P->p++;
			break;
		}
		fail(P, P->tcol, "unexpected '!': write 'not' for negation or '<>' for not equal");
		P->tok = T_EOF;
		return;
	case '&':
		fail(P, P->tcol, "'&' is not supported: expressions cannot join text");
		P->tok = T_EOF;
		return;
	default: {
		/* show a whole UTF-8 character */
		int n = 1;

		while (((unsigned char)q[n] & 0xC0) == 0x80 && n < 4)
			n++;
		fail(P, P->tcol, "unexpected character '%.*s'", n, q);
		P->tok = T_EOF;
		return;
	}
	}
	P->tlen = (size_t)(P->p - P->tstart);
}

static void
fail_unexpected(parser *P)
{
	if (P->tok == T_EOF)
		fail(P, P->tcol, "unexpected end of expression");
	else
		fail(P, P->tcol, "unexpected '%.*s'", P->tlen > 40 ? 40 : (int)P->tlen, P->tstart);
}

/* --------------------------------------------------------------- parser */

static int
new_node(parser *P, int kind, int col, int scol)
{
	expr *e = P->e;
	enode *n;

	xgrow(&e->nodes, sizeof *e->nodes, &e->ncap, e->nnodes);
	n = &e->nodes[e->nnodes];
	memset(n, 0, sizeof *n);
	n->kind = (unsigned char)kind;
	n->col = col;
	n->scol = scol;
	n->kid = -1;
	n->next = -1;
	n->ref = -1;
	n->owner = -1;
	n->depth = 1;
	return (int)e->nnodes++;
}

/* Attach the list of children starting at first (linked by next). */
static bool
set_kids(parser *P, int n, int first)
{
	enode *nodes = P->e->nodes;
	int depth = 0, count = 0;

	nodes[n].kid = first;
	for (int k = first; k >= 0; k = nodes[k].next) {
		if (nodes[k].depth > depth)
			depth = nodes[k].depth;
		count++;
	}
	nodes[n].nargs = (unsigned short)count;
	nodes[n].depth = depth + 1;
	if (nodes[n].depth > EXPR_MAX_DEPTH) {
		fail(P, nodes[n].col, "the expression is too deeply nested or too long");
		return false;
	}
	return true;
}

static int
binary(parser *P, int kind, int op, int col, int l, int r)
{
	int n = new_node(P, kind, col, P->e->nodes[l].scol);

	P->e->nodes[n].op = (unsigned char)op;
	P->e->nodes[l].next = r;
	P->e->nodes[r].next = -1;
	return set_kids(P, n, l) ? n : -1;
}

static char *
keep_string(expr *e, char *s)
{
	xgrow(&e->strs, sizeof *e->strs, &e->scap, e->nstrs);
	e->strs[e->nstrs++] = s;
	return s;
}

static int parse_or(parser *P);

/* A reference; the token is the current T_NAME. */
static int
parse_ref(parser *P)
{
	expr *e = P->e;
	expr_ref *r;
	char *parts[3] = { NULL, NULL, NULL };
	int nparts = 0, n;
	char *s = P->tstr, *dot;

	xgrow(&e->refs, sizeof *e->refs, &e->rcap, e->nrefs);
	r = &e->refs[e->nrefs];
	memset(r, 0, sizeof *r);
	r->text = xstrdup(s);
	while ((dot = strchr(s, '.')) != NULL) {
		parts[nparts++] = xstrndup(s, (size_t)(dot - s));
		s = dot + 1;
	}
	parts[nparts++] = xstrdup(s);
	if (nparts == 3) {
		r->event = parts[0];
		r->form = parts[1];
		r->field = parts[2];
	} else if (nparts == 2) {
		r->form = parts[0];
		r->field = parts[1];
	} else {
		r->field = parts[0];
	}
	r->col = P->tcol;
	r->type = VAL_ANY;
	n = new_node(P, N_REF, P->tcol, P->tcol);
	e->nodes[n].ref = (int)e->nrefs++;
	next(P);
	return n;
}

static const struct fn_info *
find_fn(const char *name, int *index)
{
	for (size_t i = 0; i < FN_COUNT; i++) {
		if (strcmp(fn_table[i].name, name) == 0) {
			*index = (int)i;
			return &fn_table[i];
		}
	}
	return NULL;
}

static void
fail_arg_count(parser *P, int col, const struct fn_info *f)
{
	if (f->max_args == ARGS_MANY)
		fail(P, col, "%s() takes %d or more arguments", f->name, f->min_args);
	else if (f->min_args == f->max_args && f->min_args == 0)
		fail(P, col, "%s() takes no arguments", f->name);
	else if (f->min_args == f->max_args)
		fail(P, col, "%s() takes %d argument%s", f->name, f->min_args,
		    f->min_args == 1 ? "" : "s");
	else
		fail(P, col, "%s() takes %d or %d arguments", f->name, f->min_args, f->max_args);
}

/* Mark references to the aggregated form inside the arguments of agg. */
static void
mark_per_instance(parser *P, int agg, int from, const char *form)
{
	expr *e = P->e;

	for (int i = from; i < agg; i++) {
		enode *n = &e->nodes[i];

		if (n->kind != N_REF || n->owner >= 0)
			continue;
		if (e->refs[n->ref].form != NULL && strcmp(e->refs[n->ref].form, form) == 0) {
			n->owner = agg;
			e->refs[n->ref].per_instance = true;
		}
	}
}

/* date("...") and time("...") of a constant: check and fold now. */
static int
fold_constant(parser *P, enum fn_id id, int col, int arg)
{
	enode *a = &P->e->nodes[arg];
	const char *s = a->lit.u.s;
	crf_date d;
	int minutes;

	if (id == F_DATE) {
		if (!date_parse_iso(s, true, &d)) {
			fail(P, a->col, "invalid date \"%s\"", s);
			return -1;
		}
		a->lit = val_date(d);
	} else {
		if (!time_parse(s, &minutes)) {
			fail(P, a->col, "invalid time \"%s\"", s);
			return -1;
		}
		a->lit = val_time(minutes);
	}
	a->col = col;
	a->scol = col;
	return arg;
}

/* A function call; the current token is '(' after the name. */
static int
parse_call(parser *P, const char *name, int col)
{
	expr *e = P->e;
	const struct fn_info *f;
	int fi, n, first = -1, last = -1, nargs = 0, from;
	bool agg = false;

	f = find_fn(name, &fi);
	if (f == NULL) {
		fail(P, col, "unknown function '%s'", name);
		return -1;
	}
	next(P);
	from = (int)e->nnodes;
	if (P->tok != T_RP) {
		for (;;) {
			int a = parse_or(P);

			if (a < 0)
				return -1;
			if (last >= 0)
				e->nodes[last].next = a;
			else
				first = a;
			last = a;
			if (++nargs > EXPR_MAX_ARGS) {
				fail(P, col, "too many arguments to %s()", f->name);
				return -1;
			}
			if (P->tok != T_COMMA)
				break;
			next(P);
		}
	}
	if (P->tok != T_RP) {
		if (P->tok == T_EOF && !P->failed)
			fail(P, P->tcol, "missing ')' to close %s(", f->name);
		else
			fail_unexpected(P);
		return -1;
	}
	next(P);

	switch (f->id) {
	case F_COUNT:
	case F_SUM:
	case F_FIRST:
	case F_LAST:
		if (nargs < 1 || nargs > 2) {
			fail_arg_count(P, col, f);
			return -1;
		}
		if (e->nodes[first].kind != N_REF) {
			fail(P, e->nodes[first].scol, "%s() needs %s", f->name,
			    f->id == F_COUNT ? "a repeating form or a field of one"
			    : "a field of a repeating form");
			return -1;
		}
		agg = true;
		break;
	case F_MIN:
	case F_MAX:
		if (nargs >= 1 && nargs <= 2 && e->nodes[first].kind == N_REF &&
		    e->refs[e->nodes[first].ref].form != NULL) {
			agg = true;
		} else if (nargs < 2) {
			fail(P, col, "%s() takes 2 or more values, or one field of a repeating form",
			    f->name);
			return -1;
		}
		break;
	default:
		if (nargs < f->min_args || (f->max_args != ARGS_MANY && nargs > f->max_args)) {
			fail_arg_count(P, col, f);
			return -1;
		}
		break;
	}

	if ((f->id == F_DATE || f->id == F_TIME) && e->nodes[first].kind == N_LIT &&
	    e->nodes[first].lit.type == VAL_TEXT)
		return fold_constant(P, f->id, col, first);

	n = new_node(P, agg ? N_AGG : N_CALL, col, col);
	e->nodes[n].op = (unsigned char)fi;
	if (!set_kids(P, n, first))
		return -1;
	if (agg) {
		expr_ref *r = &e->refs[e->nodes[first].ref];

		if (r->form == NULL) {
			/* count(aph): the whole form */
			r->form = r->field;
			r->field = NULL;
		}
		mark_per_instance(P, n, from, r->form);
	}
	return n;
}

static int
parse_primary(parser *P)
{
	expr *e = P->e;
	int n, col = P->tcol;

	switch (P->tok) {
	case T_NUM:
		n = new_node(P, N_LIT, col, col);
		e->nodes[n].lit = val_num(P->tnum);
		next(P);
		return n;
	case T_STR:
		n = new_node(P, N_LIT, col, col);
		e->nodes[n].lit = val_text(keep_string(e, P->tstr));
		P->tstr = NULL;
		next(P);
		return n;
	case T_TRUE:
	case T_FALSE:
		n = new_node(P, N_LIT, col, col);
		e->nodes[n].lit = val_bool(P->tok == T_TRUE);
		next(P);
		return n;
	case T_MISSING:
		n = new_node(P, N_LIT, col, col);
		e->nodes[n].lit = val_missing();
		next(P);
		return n;
	case T_LP: {
		int open = col;

		next(P);
		n = parse_or(P);
		if (n < 0)
			return -1;
		if (P->tok != T_RP) {
			if (P->tok == T_EOF && !P->failed)
				fail(P, P->tcol, "missing ')' to close the '(' at column %d", open);
			else
				fail_unexpected(P);
			return -1;
		}
		e->nodes[n].scol = open;
		next(P);
		return n;
	}
	case T_NAME:
		if (P->p[strspn(P->p, " \t\r\n\f\v")] == '(') {
			char *name = P->tstr;

			P->tstr = NULL;
			if (strchr(name, '.') != NULL) {
				fail(P, col, "unknown function '%s'", name);
				free(name);
				return -1;
			}
			next(P);
			n = parse_call(P, name, col);
			free(name);
			return n;
		}
		return parse_ref(P);
	default:
		fail_unexpected(P);
		return -1;
	}
}

static int
parse_unary(parser *P)
{
	int col = P->tcol, n, k;

	if (P->tok != T_MINUS)
		return parse_primary(P);
	if (++P->nest > EXPR_MAX_DEPTH) {
		fail(P, col, "the expression is too deeply nested");
		return -1;
	}
	next(P);
	k = parse_unary(P);
	P->nest--;
	if (k < 0)
		return -1;
	n = new_node(P, N_NEG, col, col);
	return set_kids(P, n, k) ? n : -1;
}

static int
parse_mul(parser *P)
{
	int l = parse_unary(P);

	while (l >= 0 && (P->tok == T_STAR || P->tok == T_SLASH || P->tok == T_PCT)) {
		int op = P->tok == T_STAR ? A_MUL : P->tok == T_SLASH ? A_DIV : A_MOD;
		int col = P->tcol, r;

		next(P);
		if ((r = parse_unary(P)) < 0)
			return -1;
		l = binary(P, N_ARITH, op, col, l, r);
	}
	return l;
}

static int
parse_add(parser *P)
{
	int l = parse_mul(P);

	while (l >= 0 && (P->tok == T_PLUS || P->tok == T_MINUS)) {
		int op = P->tok == T_PLUS ? A_ADD : A_SUB;
		int col = P->tcol, r;

		next(P);
		if ((r = parse_mul(P)) < 0)
			return -1;
		l = binary(P, N_ARITH, op, col, l, r);
	}
	return l;
}

static int
cmp_op_of(int tok)
{
	switch (tok) {
	case T_EQ: return C_EQ;
	case T_NE: return C_NE;
	case T_LT: return C_LT;
	case T_LE: return C_LE;
	case T_GT: return C_GT;
	case T_GE: return C_GE;
	default: return -1;
	}
}

static int
parse_cmp(parser *P)
{
	int l = parse_add(P), op, col, r;

	if (l < 0 || (op = cmp_op_of(P->tok)) < 0)
		return l;
	col = P->tcol;
	next(P);
	if ((r = parse_add(P)) < 0)
		return -1;
	if (cmp_op_of(P->tok) >= 0) {
		fail(P, P->tcol, "comparisons cannot be chained: join them with 'and'");
		return -1;
	}
	return binary(P, N_CMP, op, col, l, r);
}

static int
parse_not(parser *P)
{
	int col = P->tcol, n, k;

	if (P->tok != T_NOT)
		return parse_cmp(P);
	if (++P->nest > EXPR_MAX_DEPTH) {
		fail(P, col, "the expression is too deeply nested");
		return -1;
	}
	next(P);
	k = parse_not(P);
	P->nest--;
	if (k < 0)
		return -1;
	n = new_node(P, N_NOT, col, col);
	return set_kids(P, n, k) ? n : -1;
}

static int
parse_and(parser *P)
{
	int l = parse_not(P);

	while (l >= 0 && P->tok == T_AND) {
		int col = P->tcol, r;

		next(P);
		if ((r = parse_not(P)) < 0)
			return -1;
		l = binary(P, N_AND, 0, col, l, r);
	}
	return l;
}

static int
parse_or(parser *P)
{
	int l, col = P->tcol;

	if (++P->nest > EXPR_MAX_DEPTH) {
		fail(P, col, "the expression is too deeply nested");
		return -1;
	}
	l = parse_and(P);
	while (l >= 0 && P->tok == T_OR) {
		int ocol = P->tcol, r;

		next(P);
		if ((r = parse_and(P)) < 0) {
			l = -1;
			break;
		}
		l = binary(P, N_OR, 0, ocol, l, r);
	}
	P->nest--;
	return l;
}

static void
free_ref_strings(expr_ref *r)
{
	free((char *)r->event);
	free((char *)r->form);
	free((char *)r->field);
	free((char *)r->text);
}

/* One reference per distinct name and scope, in the order first met. */
static void
merge_refs(expr *e)
{
	size_t nout = 0;
	int *map = xmalloc((e->nrefs ? e->nrefs : 1) * sizeof *map);

	for (size_t i = 0; i < e->nrefs; i++) {
		expr_ref *r = &e->refs[i];
		size_t j;

		for (j = 0; j < nout; j++) {
			expr_ref *o = &e->refs[j];

			if (str_eq(o->event, r->event) && str_eq(o->form, r->form) &&
			    str_eq(o->field, r->field) && o->per_instance == r->per_instance)
				break;
		}
		map[i] = (int)j;
		if (j < nout) {
			free_ref_strings(r);
		} else {
			if (j != i)
				e->refs[j] = *r;
			nout++;
		}
	}
	e->nrefs = nout;
	for (size_t i = 0; i < e->nnodes; i++) {
		if (e->nodes[i].kind == N_REF)
			e->nodes[i].ref = map[e->nodes[i].ref];
	}
	free(map);
}

crf_status
expr_parse(const char *src, expr **out, crf_err *err)
{
	parser P;
	expr *e;

	*out = NULL;
	e = xcalloc(1, sizeof *e);
	e->src = xstrdup(src != NULL ? src : "");
	e->root = -1;
	memset(&P, 0, sizeof P);
	P.e = e;
	P.err = err;
	P.p = e->src;
	next(&P);
	if (P.tok == T_EOF && !P.failed) {
		fail(&P, P.tcol, "empty expression");
	} else if (!P.failed) {
		e->root = parse_or(&P);
		if (e->root >= 0 && P.tok != T_EOF)
			fail_unexpected(&P);
	}
	free(P.tstr);
	if (P.failed) {
		expr_free(e);
		return CRF_EEXPR;
	}
	merge_refs(e);
	*out = e;
	return CRF_OK;
}

void
expr_free(expr *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->nrefs; i++)
		free_ref_strings(&e->refs[i]);
	for (size_t i = 0; i < e->nstrs; i++)
		free(e->strs[i]);
	free(e->strs);
	free(e->refs);
	free(e->nodes);
	free(e->src);
	free(e);
}

const char *
expr_source(const expr *e)
{
	return e->src;
}

size_t
expr_nrefs(const expr *e)
{
	return e->nrefs;
}

expr_ref *
expr_ref_at(expr *e, size_t i)
{
	return i < e->nrefs ? &e->refs[i] : NULL;
}

const expr_ref *
expr_ref_const(const expr *e, size_t i)
{
	return i < e->nrefs ? &e->refs[i] : NULL;
}

void
expr_bind(expr *e, size_t i, void *binding, val_type type, bool is_log)
{
	if (i >= e->nrefs)
		return;
	e->refs[i].binding = binding;
	e->refs[i].type = type;
	e->refs[i].is_log = is_log;
}

/* ---------------------------------------------------------- type check */

typedef struct checker {
	expr *e;
	crf_err *err;
} checker;

/* "a number", "text", "a date": for messages. */
static const char *
a_type(val_type t)
{
	switch (t) {
	case VAL_MISSING: return "missing";
	case VAL_BOOL: return "a yes/no value";
	case VAL_NUM: return "a number";
	case VAL_TEXT: return "text";
	case VAL_DATE: return "a date";
	case VAL_TIME: return "a time";
	case VAL_ANY: return "a value";
	}
	return "a value";
}

/* Unknown until run time: missing fits anywhere statically. */
static bool
is_open(val_type t)
{
	return t == VAL_ANY || t == VAL_MISSING;
}

static bool
fits(val_type t, val_type want)
{
	return t == want || is_open(t);
}

static const char *
fn_name(const enode *n)
{
	return fn_table[n->op].name;
}

static enum fn_id
fn_id_of(const enode *n)
{
	return fn_table[n->op].id;
}

static int
kid_at(const expr *e, int n, int i)
{
	int k = e->nodes[n].kid;

	while (k >= 0 && i-- > 0)
		k = e->nodes[k].next;
	return k;
}

/* Common type of two values that may stand in the same place. */
static bool
unify(val_type a, val_type b, val_type *out)
{
	if (a == b)
		*out = a;
	else if (a == VAL_MISSING)
		*out = b;
	else if (b == VAL_MISSING)
		*out = a;
	else if (a == VAL_ANY || b == VAL_ANY)
		*out = VAL_ANY;
	else
		return false;
	return true;
}

/* "Y"/"N" text literal, for comparisons with a yes/no value. */
static bool
is_yn_literal(const enode *n)
{
	return n->kind == N_LIT && n->lit.type == VAL_TEXT &&
	    (str_ieq(n->lit.u.s, "Y") || str_ieq(n->lit.u.s, "N"));
}

static bool tc(checker *C, int n, val_type *out);

static bool
tc_fail(checker *C, int col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool
tc_fail(checker *C, int col, const char *fmt, ...)
{
	char msg[CRF_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	crf_fail(C->err, CRF_EEXPR, "column %d: %s", col, msg);
	return false;
}

/* Argument i of call n must have type want. */
static bool
tc_arg(checker *C, int n, int i, val_type want, val_type *got)
{
	const enode *call = &C->e->nodes[n];
	int k = kid_at(C->e, n, i);

	if (!tc(C, k, got))
		return false;
	if (fits(*got, want))
		return true;
	if (call->nargs == 1)
		return tc_fail(C, C->e->nodes[k].scol, "%s() needs %s, not %s",
		    fn_name(call), a_type(want), a_type(*got));
	return tc_fail(C, C->e->nodes[k].scol, "argument %d of %s() must be %s, not %s",
	    i + 1, fn_name(call), a_type(want), a_type(*got));
}

/* The comparison rules, for `=`... and in(). */
static bool
tc_compare(checker *C, int col, int op, int l, int r, val_type lt, val_type rt)
{
	const enode *ln = &C->e->nodes[l], *rn = &C->e->nodes[r];
	bool ordering = op != C_EQ && op != C_NE;

	if ((ln->kind == N_LIT && lt == VAL_MISSING) || (rn->kind == N_LIT && rt == VAL_MISSING))
		return tc_fail(C, col, "a comparison with missing is always missing: use blank()");
	if ((lt == VAL_BOOL && rt == VAL_TEXT) || (lt == VAL_TEXT && rt == VAL_BOOL)) {
		const enode *tn = lt == VAL_TEXT ? ln : rn;

		if (ordering)
			return tc_fail(C, col, "yes/no values can only be compared with = or <>");
		if (tn->kind == N_LIT && !is_yn_literal(tn))
			return tc_fail(C, col, "a yes/no value compares only with \"Y\" or \"N\"");
		return true;
	}
	if (!is_open(lt) && !is_open(rt) && lt != rt)
		return tc_fail(C, col, "cannot compare %s and %s", a_type(lt), a_type(rt));
	if (ordering && (lt == VAL_BOOL || rt == VAL_BOOL))
		return tc_fail(C, col, "yes/no values can only be compared with = or <>");
	return true;
}

static bool
tc_arith(checker *C, const enode *nd, val_type l, val_type r, val_type *out)
{
	static const char *const verb[] = { "add", "subtract", "multiply", "divide", "divide" };
	val_type L = l == VAL_MISSING ? VAL_ANY : l, R = r == VAL_MISSING ? VAL_ANY : r;

	switch (nd->op) {
	case A_ADD:
		if (fits(L, VAL_NUM) && fits(R, VAL_NUM))
			*out = L == VAL_ANY || R == VAL_ANY ? VAL_ANY : VAL_NUM;
		else if ((L == VAL_DATE && fits(R, VAL_NUM)) || (fits(L, VAL_NUM) && R == VAL_DATE))
			*out = VAL_DATE;
		else
			break;
		return true;
	case A_SUB:
		if (L == VAL_ANY && R == VAL_ANY)
			*out = VAL_ANY;
		else if (fits(L, VAL_NUM) && R == VAL_NUM)
			*out = L == VAL_ANY ? VAL_ANY : VAL_NUM;
		else if (L == VAL_NUM && R == VAL_ANY)
			*out = VAL_NUM;
		else if (fits(L, VAL_DATE) && R == VAL_DATE)
			*out = VAL_NUM;
		else if (L == VAL_DATE && R == VAL_NUM)
			*out = VAL_DATE;
		else if (L == VAL_DATE && R == VAL_ANY)
			*out = VAL_ANY;
		else if ((L == VAL_TIME && fits(R, VAL_TIME)) || (L == VAL_ANY && R == VAL_TIME))
			*out = VAL_NUM;
		else
			return tc_fail(C, nd->col, "cannot subtract %s from %s", a_type(r), a_type(l));
		return true;
	default:
		if (fits(L, VAL_NUM) && fits(R, VAL_NUM)) {
			*out = VAL_NUM;
			return true;
		}
		break;
	}
	if (nd->op == A_MOD)
		return tc_fail(C, nd->col, "cannot take the remainder of %s and %s", a_type(l), a_type(r));
	return tc_fail(C, nd->col, "cannot %s %s and %s", verb[nd->op], a_type(l), a_type(r));
}

/* Values that min() and max() can order. */
static bool
orderable(val_type t)
{
	return t == VAL_NUM || t == VAL_DATE || t == VAL_TIME || is_open(t);
}

/* min/max candidate over a form that is not a log: scalar. */
static bool
agg_is_scalar(const expr *e, const enode *nd)
{
	const enode *a = &e->nodes[nd->kid];

	return nd->nargs == 2 && (fn_id_of(nd) == F_MIN || fn_id_of(nd) == F_MAX) &&
	    !e->refs[a->ref].is_log;
}

static bool
tc_list(checker *C, int n, const char *what, val_type *out)
{
	const enode *nd = &C->e->nodes[n];
	val_type acc = VAL_MISSING, t;

	for (int k = nd->kid; k >= 0; k = C->e->nodes[k].next) {
		if (!tc(C, k, &t))
			return false;
		if (!unify(acc, t, &acc))
			return tc_fail(C, nd->col, "%s() %s have different types (%s and %s)",
			    fn_name(nd), what, val_type_name(acc), val_type_name(t));
	}
	*out = acc;
	return true;
}

static bool
tc_minmax(checker *C, int n, val_type *out)
{
	const enode *nd = &C->e->nodes[n];

	if (!tc_list(C, n, "values", out))
		return false;
	if (!orderable(*out))
		return tc_fail(C, nd->col, "%s() needs numbers, dates or times, not %s",
		    fn_name(nd), a_type(*out));
	return true;
}

static bool
tc_agg(checker *C, int n, val_type *out)
{
	const enode *nd = &C->e->nodes[n];
	const expr_ref *r = &C->e->refs[C->e->nodes[nd->kid].ref];
	enum fn_id id = fn_id_of(nd);
	int filter = C->e->nodes[nd->kid].next;
	val_type ft, t = r->type;

	if (agg_is_scalar(C->e, nd))
		return tc_minmax(C, n, out);
	if (!r->is_log) {
		if (id == F_COUNT)
			return tc_fail(C, nd->col, "count() needs a repeating form or a field of one");
		return tc_fail(C, nd->col, "%s() needs a field of a repeating form", fn_name(nd));
	}
	if (r->field == NULL && id != F_COUNT)
		return tc_fail(C, nd->col, "%s() needs a field of a repeating form, not the whole form '%s'",
		    fn_name(nd), r->form);
	if (filter >= 0) {
		if (!tc(C, filter, &ft))
			return false;
		if (!fits(ft, VAL_BOOL))
			return tc_fail(C, C->e->nodes[filter].scol,
			    "the condition of %s() must be yes/no, not %s", fn_name(nd), a_type(ft));
	}
	switch (id) {
	case F_COUNT:
		*out = VAL_NUM;
		return true;
	case F_SUM:
		if (!fits(t, VAL_NUM))
			return tc_fail(C, nd->col, "sum() needs a number field, not %s", a_type(t));
		*out = VAL_NUM;
		return true;
	case F_MIN:
	case F_MAX:
		if (!orderable(t))
			return tc_fail(C, nd->col, "%s() needs numbers, dates or times, not %s",
			    fn_name(nd), a_type(t));
		*out = t == VAL_MISSING ? VAL_ANY : t;
		return true;
	default:
		*out = t == VAL_MISSING ? VAL_ANY : t;
		return true;
	}
}

static bool
tc_call(checker *C, int n, val_type *out)
{
	const enode *nd = &C->e->nodes[n];
	val_type t, u;

	switch (fn_id_of(nd)) {
	case F_TODAY:
		*out = VAL_DATE;
		return true;
	case F_DATE:
		*out = VAL_DATE;
		return tc_arg(C, n, 0, VAL_TEXT, &t);
	case F_TIME:
		*out = VAL_TIME;
		return tc_arg(C, n, 0, VAL_TEXT, &t);
	case F_DAYS:
	case F_MONTHS:
	case F_YEARS:
	case F_AGE:
		*out = VAL_NUM;
		return tc_arg(C, n, 0, VAL_DATE, &t) && tc_arg(C, n, 1, VAL_DATE, &t);
	case F_ADDDAYS:
	case F_ADDMONTHS:
	case F_ADDYEARS:
		*out = VAL_DATE;
		return tc_arg(C, n, 0, VAL_DATE, &t) && tc_arg(C, n, 1, VAL_NUM, &t);
	case F_YEAR:
	case F_MONTH:
	case F_DAY:
		*out = VAL_NUM;
		return tc_arg(C, n, 0, VAL_DATE, &t);
	case F_ROUND:
	case F_FLOOR:
	case F_CEIL:
	case F_ABS:
	case F_SQRT:
	case F_POW:
	case F_EDSS:
		*out = VAL_NUM;
		for (int i = 0; i < nd->nargs; i++) {
			if (!tc_arg(C, n, i, VAL_NUM, &t))
				return false;
		}
		return true;
	case F_MIN:
	case F_MAX:
		return tc_minmax(C, n, out);
	case F_IF: {
		int c = kid_at(C->e, n, 0), a = kid_at(C->e, n, 1), b = kid_at(C->e, n, 2);

		if (!tc(C, c, &t))
			return false;
		if (!fits(t, VAL_BOOL))
			return tc_fail(C, C->e->nodes[c].scol,
			    "the condition of if() must be yes/no, not %s", a_type(t));
		if (!tc(C, a, &t) || !tc(C, b, &u))
			return false;
		if (!unify(t, u, out))
			return tc_fail(C, nd->col, "if() branches have different types (%s and %s)",
			    val_type_name(t), val_type_name(u));
		return true;
	}
	case F_BLANK:
		*out = VAL_BOOL;
		return tc(C, nd->kid, &t);
	case F_CODE:
		*out = VAL_TEXT;
		return tc(C, nd->kid, &t);
	case F_COALESCE:
		return tc_list(C, n, "values", out);
	case F_IN: {
		int x = nd->kid;

		*out = VAL_BOOL;
		if (!tc(C, x, &t))
			return false;
		for (int k = C->e->nodes[x].next; k >= 0; k = C->e->nodes[k].next) {
			if (!tc(C, k, &u))
				return false;
			if (C->e->nodes[k].kind == N_LIT && u == VAL_MISSING)
				continue;
			if (!tc_compare(C, C->e->nodes[k].scol, C_EQ, x, k, t, u))
				return false;
		}
		return true;
	}
	case F_HAS:
		*out = VAL_BOOL;
		return tc_arg(C, n, 0, VAL_TEXT, &t) && tc_arg(C, n, 1, VAL_TEXT, &t);
	case F_LEN:
		*out = VAL_NUM;
		return tc_arg(C, n, 0, VAL_TEXT, &t);
	case F_NUMBER:
		*out = VAL_NUM;
		if (!tc(C, nd->kid, &t))
			return false;
		if (!fits(t, VAL_TEXT) && t != VAL_NUM)
			return tc_fail(C, C->e->nodes[nd->kid].scol, "number() needs text, not %s",
			    a_type(t));
		return true;
	default:
		return tc_fail(C, nd->col, "%s() needs a field of a repeating form", fn_name(nd));
	}
}

static bool
tc(checker *C, int n, val_type *out)
{
	const enode *nd = &C->e->nodes[n];
	val_type l, r;

	switch (nd->kind) {
	case N_LIT:
		*out = nd->lit.type;
		return true;
	case N_REF:
		*out = C->e->refs[nd->ref].type;
		return true;
	case N_NEG:
		if (!tc(C, nd->kid, &l))
			return false;
		if (!fits(l, VAL_NUM))
			return tc_fail(C, nd->col, "cannot negate %s", a_type(l));
		*out = VAL_NUM;
		return true;
	case N_NOT:
		if (!tc(C, nd->kid, &l))
			return false;
		if (!fits(l, VAL_BOOL))
			return tc_fail(C, nd->col, "'not' needs a yes/no value, not %s", a_type(l));
		*out = VAL_BOOL;
		return true;
	case N_AND:
	case N_OR:
		if (!tc(C, nd->kid, &l) || !tc(C, C->e->nodes[nd->kid].next, &r))
			return false;
		if (!fits(l, VAL_BOOL) || !fits(r, VAL_BOOL))
			return tc_fail(C, nd->col, "'%s' needs yes/no values, not %s",
			    nd->kind == N_AND ? "and" : "or", a_type(fits(l, VAL_BOOL) ? r : l));
		*out = VAL_BOOL;
		return true;
	case N_CMP:
		if (!tc(C, nd->kid, &l) || !tc(C, C->e->nodes[nd->kid].next, &r))
			return false;
		*out = VAL_BOOL;
		return tc_compare(C, nd->col, nd->op, nd->kid, C->e->nodes[nd->kid].next, l, r);
	case N_ARITH:
		if (!tc(C, nd->kid, &l) || !tc(C, C->e->nodes[nd->kid].next, &r))
			return false;
		return tc_arith(C, nd, l, r, out);
	case N_CALL:
		return tc_call(C, n, out);
	case N_AGG:
		return tc_agg(C, n, out);
	}
	return tc_fail(C, nd->col, "internal error: unknown node");
}

crf_status
expr_typecheck(expr *e, val_type *result, crf_err *err)
{
	checker C = { e, err };
	val_type t;

	if (!tc(&C, e->root, &t))
		return CRF_EEXPR;
	if (result != NULL)
		*result = t;
	return CRF_OK;
}

/* ----------------------------------------------------------- evaluation */

/* The instance each running aggregate is at, innermost first. */
typedef struct scope {
	int agg;
	int instance;
	const struct scope *up;
} scope;

static crf_value ev(const expr *e, int n, const expr_env *env, const scope *sc);
static crf_value eval_edss(const expr *e, int k, const expr_env *env,
    const scope *sc);

static crf_value
num_result(double x)
{
	if (!isfinite(x))
		return val_missing();
	return val_num(x == 0 ? 0.0 : x);
}

static bool
is_complete(const crf_value *v)
{
	return v->type == VAL_DATE && date_precision(v->u.d) == DATE_DAY;
}

static crf_value
date_result(crf_date d, double days)
{
	double t = trunc(days);
	crf_date r;

	if (t > 4000000 || t < -4000000)
		return val_missing();
	r = date_add_days(d, (long)t);
	return r.y == 0 ? val_missing() : val_date(r);
}

static crf_value
eval_arith(int op, crf_value a, crf_value b)
{
	if (a.type == VAL_NUM && b.type == VAL_NUM) {
		switch (op) {
		case A_ADD: return num_result(a.u.n + b.u.n);
		case A_SUB: return num_result(a.u.n - b.u.n);
		case A_MUL: return num_result(a.u.n * b.u.n);
		case A_DIV: return b.u.n == 0 ? val_missing() : num_result(a.u.n / b.u.n);
		default: return b.u.n == 0 ? val_missing() : num_result(fmod(a.u.n, b.u.n));
		}
	}
	if (op == A_ADD && a.type == VAL_DATE && b.type == VAL_NUM && is_complete(&a))
		return date_result(a.u.d, b.u.n);
	if (op == A_ADD && a.type == VAL_NUM && b.type == VAL_DATE && is_complete(&b))
		return date_result(b.u.d, a.u.n);
	if (op == A_SUB && a.type == VAL_DATE && b.type == VAL_NUM && is_complete(&a))
		return date_result(a.u.d, -b.u.n);
	if (op == A_SUB && is_complete(&a) && is_complete(&b))
		return val_num((double)date_diff_days(b.u.d, a.u.d));
	if (op == A_SUB && a.type == VAL_TIME && b.type == VAL_TIME)
		return val_num(a.u.minutes - b.u.minutes);
	return val_missing();
}

/* Text "Y"/"N" as a yes/no value. */
static bool
text_as_bool(const crf_value *v, bool *b)
{
	if (v->type != VAL_TEXT || v->u.s == NULL)
		return false;
	if (str_ieq(v->u.s, "Y"))
		*b = true;
	else if (str_ieq(v->u.s, "N"))
		*b = false;
	else
		return false;
	return true;
}

/* Order of a and b: -1, 0, 1; 2 when they cannot be compared; 3 when
 * they can only be told equal or not (yes/no values). */
static int
compare(const crf_value *a, const crf_value *b)
{
	bool x, y;

	if (a->type == VAL_BOOL || b->type == VAL_BOOL) {
		if (a->type == VAL_BOOL)
			x = a->u.b;
		else if (!text_as_bool(a, &x))
			return 2;
		if (b->type == VAL_BOOL)
			y = b->u.b;
		else if (!text_as_bool(b, &y))
			return 2;
		return x == y ? 0 : 3;
	}
	if (a->type != b->type)
		return 2;
	switch (a->type) {
	case VAL_NUM: {
		double tol = 1e-9 * fmax(1.0, fmax(fabs(a->u.n), fabs(b->u.n)));

		if (fabs(a->u.n - b->u.n) <= tol)
			return 0;
		return a->u.n < b->u.n ? -1 : 1;
	}
	case VAL_TEXT: {
		int c = strcmp(a->u.s != NULL ? a->u.s : "", b->u.s != NULL ? b->u.s : "");

		return c < 0 ? -1 : c > 0;
	}
	case VAL_DATE:
		if (a->u.d.y == 0 || b->u.d.y == 0)
			return 2;
		return date_cmp(a->u.d, b->u.d);
	case VAL_TIME:
		return a->u.minutes < b->u.minutes ? -1 : a->u.minutes > b->u.minutes;
	default:
		return 2;
	}
}

/* Truth of `a op b`: 1, 0 or -1 when missing. */
static int
compare_op(int op, const crf_value *a, const crf_value *b)
{
	int c = compare(a, b);

	if (c == 2)
		return -1;
	if (c == 3) {
		if (op == C_EQ)
			return 0;
		if (op == C_NE)
			return 1;
		return -1;
	}
	switch (op) {
	case C_EQ: return c == 0;
	case C_NE: return c != 0;
	case C_LT: return c < 0;
	case C_LE: return c <= 0;
	case C_GT: return c > 0;
	default: return c >= 0;
	}
}

static crf_value
truth_value(int t)
{
	return t < 0 ? val_missing() : val_bool(t == 1);
}

static crf_value
eval_ref(const expr *e, const enode *nd, const expr_env *env, const scope *sc)
{
	const expr_ref *r = &e->refs[nd->ref];
	crf_value v = val_missing();
	int instance = -1;

	if (r->field == NULL || env == NULL || env->get == NULL)
		return v;
	for (; sc != NULL && nd->owner >= 0; sc = sc->up) {
		if (sc->agg == nd->owner) {
			instance = sc->instance;
			break;
		}
	}
	env->get(env->ctx, r, instance, &v);
	switch (v.type) {
	case VAL_NUM:
		if (!isfinite(v.u.n))
			return val_missing();
		break;
	case VAL_DATE:
		if (v.u.d.y == 0)
			return val_missing();
		break;
	case VAL_TEXT:
		if (v.u.s == NULL)
			return val_missing();
		break;
	case VAL_ANY:
		return val_missing();
	default:
		break;
	}
	return v;
}

static crf_value
eval_round(double x, double n)
{
	if (!(n >= -15 && n <= 15))
		return val_missing();
	return num_result(val_round(x, (int)trunc(n)));
}

static size_t
utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	}
	return n;
}

/* Does the '|'-separated list contain code? */
static bool
multi_has(const char *list, const char *code)
{
	size_t clen = strlen(code);

	while (*list != '\0') {
		const char *end = strchr(list, '|');
		const char *b = list, *t;

		if (end == NULL)
			end = list + strlen(list);
		t = end;
		while (b < t && *b == ' ')
			b++;
		while (t > b && t[-1] == ' ')
			t--;
		if ((size_t)(t - b) == clen && memcmp(b, code, clen) == 0)
			return true;
		list = *end == '|' ? end + 1 : end;
	}
	return false;
}

/* Scalar min/max: every argument present and of one orderable type. */
static crf_value
eval_minmax(const expr *e, const enode *nd, const expr_env *env, const scope *sc)
{
	bool want_max = fn_id_of(nd) == F_MAX;
	crf_value best = val_missing();

	for (int k = nd->kid; k >= 0; k = e->nodes[k].next) {
		crf_value v = ev(e, k, env, sc);
		int c;

		if (v.type != VAL_NUM && v.type != VAL_DATE && v.type != VAL_TIME)
			return val_missing();
		if (best.type == VAL_MISSING) {
			best = v;
			continue;
		}
		c = compare(&v, &best);
		if (c == 2)
			return val_missing();
		if ((want_max && c > 0) || (!want_max && c < 0))
			best = v;
	}
	return best;
}

static crf_value
eval_agg(const expr *e, int n, const expr_env *env, const scope *sc)
{
	const enode *nd = &e->nodes[n];
	int arg = nd->kid, filter = e->nodes[arg].next;
	const expr_ref *r = &e->refs[e->nodes[arg].ref];
	enum fn_id id = fn_id_of(nd);
	crf_value acc = val_missing(), v;
	double sum = 0;
	long count = 0;
	int ninst;

	if (agg_is_scalar(e, nd))
		return eval_minmax(e, nd, env, sc);
	ninst = env != NULL && env->ninstances != NULL ? env->ninstances(env->ctx, r) : 0;
	for (int i = 0; i < ninst; i++) {
		scope here = { n, i, sc };

		if (filter >= 0) {
			v = ev(e, filter, env, &here);
			if (expr_truth(&v) != 1)
				continue;
		}
		if (r->field == NULL) {
			count++;
			continue;
		}
		v = ev(e, arg, env, &here);
		switch (id) {
		case F_COUNT:
			if (v.type != VAL_MISSING)
				count++;
			break;
		case F_SUM:
			if (v.type == VAL_NUM)
				sum += v.u.n;
			else if (v.type != VAL_MISSING)
				return val_missing();
			break;
		case F_MIN:
		case F_MAX: {
			int c;

			if (v.type == VAL_MISSING)
				break;
			if (v.type != VAL_NUM && v.type != VAL_DATE && v.type != VAL_TIME)
				return val_missing();
			if (acc.type == VAL_MISSING) {
				acc = v;
				break;
			}
			c = compare(&v, &acc);
			if (c == 2)
				return val_missing();
			if ((id == F_MAX && c > 0) || (id == F_MIN && c < 0))
				acc = v;
			break;
		}
		case F_FIRST:
			return v;
		default:
			acc = v;
			break;
		}
	}
	switch (id) {
	case F_COUNT:
		return val_num((double)count);
	case F_SUM:
		return r->field == NULL ? val_missing() : num_result(sum);
	default:
		return r->field == NULL ? val_missing() : acc;
	}
}

static crf_value
eval_call(const expr *e, int n, const expr_env *env, const scope *sc)
{
	const enode *nd = &e->nodes[n];
	crf_value a = val_missing(), b = val_missing();
	enum fn_id id = fn_id_of(nd);
	int k1 = nd->kid, k2 = k1 >= 0 ? e->nodes[k1].next : -1;
	crf_date d;
	int minutes;

	/* Functions that look at missing arguments themselves. */
	switch (id) {
	case F_TODAY:
		if (env == NULL || !date_valid_ymd(env->today.y, env->today.m, env->today.d))
			return val_missing();
		return val_date(env->today);
	case F_IF: {
		crf_value c = ev(e, k1, env, sc);
		int t = expr_truth(&c);

		if (t < 0)
			return val_missing();
		return ev(e, t ? k2 : e->nodes[k2].next, env, sc);
	}
	case F_BLANK:
		a = ev(e, k1, env, sc);
		return val_bool(a.type == VAL_MISSING);
	case F_CODE:
		a = ev(e, k1, env, sc);
		if (a.type != VAL_MISSING)
			return val_missing();
		return val_text(a.missing_code != NULL ? a.missing_code : "");
	case F_COALESCE:
		for (int k = k1; k >= 0; k = e->nodes[k].next) {
			a = ev(e, k, env, sc);
			if (a.type != VAL_MISSING)
				return a;
		}
		return val_missing();
	case F_IN: {
		bool unknown = false;

		a = ev(e, k1, env, sc);
		if (a.type == VAL_MISSING)
			return val_missing();
		for (int k = k2; k >= 0; k = e->nodes[k].next) {
			int t;

			b = ev(e, k, env, sc);
			t = b.type == VAL_MISSING ? -1 : compare_op(C_EQ, &a, &b);
			if (t == 1)
				return val_bool(true);
			if (t < 0)
				unknown = true;
		}
		return unknown ? val_missing() : val_bool(false);
	}
	case F_MIN:
	case F_MAX:
		return eval_minmax(e, nd, env, sc);
	case F_EDSS:
		return eval_edss(e, k1, env, sc);
	default:
		break;
	}

	a = ev(e, k1, env, sc);
	if (a.type == VAL_MISSING)
		return val_missing();
	if (k2 >= 0) {
		b = ev(e, k2, env, sc);
		if (b.type == VAL_MISSING)
			return val_missing();
	}
	switch (id) {
	case F_DATE:
		if (a.type == VAL_DATE)
			return a;
		if (a.type != VAL_TEXT || !date_parse_iso(a.u.s, true, &d))
			return val_missing();
		return val_date(d);
	case F_TIME:
		if (a.type == VAL_TIME)
			return a;
		if (a.type != VAL_TEXT || !time_parse(a.u.s, &minutes))
			return val_missing();
		return val_time(minutes);
	case F_DAYS:
	case F_MONTHS:
	case F_YEARS:
	case F_AGE:
		if (!is_complete(&a) || !is_complete(&b))
			return val_missing();
		if (id == F_DAYS)
			return val_num((double)date_diff_days(a.u.d, b.u.d));
		if (id == F_MONTHS)
			return val_num((double)date_diff_months(a.u.d, b.u.d));
		return val_num((double)date_diff_years(a.u.d, b.u.d));
	case F_ADDDAYS:
		if (!is_complete(&a) || b.type != VAL_NUM)
			return val_missing();
		return date_result(a.u.d, b.u.n);
	case F_ADDMONTHS:
	case F_ADDYEARS: {
		/* Calendar months; a day past the new month's end becomes its
		 * last day (2024-01-31 + 1 month = 2024-02-29). */
		long months, total;
		crf_date moved;

		if (!is_complete(&a) || b.type != VAL_NUM || fabs(b.u.n) > 120000)
			return val_missing();
		months = (long)b.u.n * (id == F_ADDYEARS ? 12 : 1);
		total = (long)a.u.d.y * 12 + (a.u.d.m - 1) + months;
		if (total < 12 || total >= 10000L * 12)
			return val_missing();
		moved.y = (int)(total / 12);
		moved.m = (int)(total % 12) + 1;
		moved.d = a.u.d.d;
		while (moved.d > 28 && !date_valid_ymd(moved.y, moved.m, moved.d))
			moved.d--;
		return val_date(moved);
	}
	case F_YEAR:
	case F_MONTH:
	case F_DAY: {
		int part;

		if (a.type != VAL_DATE)
			return val_missing();
		part = id == F_YEAR ? a.u.d.y : id == F_MONTH ? a.u.d.m : a.u.d.d;
		return part == 0 ? val_missing() : val_num(part);
	}
	case F_HAS:
		if (a.type != VAL_TEXT || b.type != VAL_TEXT)
			return val_missing();
		return val_bool(multi_has(a.u.s, b.u.s));
	case F_LEN:
		if (a.type != VAL_TEXT)
			return val_missing();
		return val_num((double)utf8_length(a.u.s));
	case F_NUMBER: {
		double x;

		if (a.type == VAL_NUM)
			return a;
		if (a.type != VAL_TEXT || !parse_double(a.u.s, &x))
			return val_missing();
		return num_result(x);
	}
	default:
		break;
	}
	/* numeric functions */
	if (a.type != VAL_NUM || (k2 >= 0 && b.type != VAL_NUM))
		return val_missing();
	switch (id) {
	case F_ROUND:
		return eval_round(a.u.n, k2 >= 0 ? b.u.n : 0);
	case F_FLOOR:
		return num_result(floor(a.u.n));
	case F_CEIL:
		return num_result(ceil(a.u.n));
	case F_ABS:
		return num_result(fabs(a.u.n));
	case F_SQRT:
		return a.u.n < 0 ? val_missing() : num_result(sqrt(a.u.n));
	case F_POW:
		return num_result(pow(a.u.n, b.u.n));
	default:
		return val_missing();
	}
}

/* edss(visual, brainstem, pyramidal, cerebellar, sensory, bowel,
 * cerebral, ambulation): the EDSS step the scores imply, by the one
 * evaluator of outcome.h (Neurostatus rules); missing when a score is
 * missing or out of range. */
static crf_value
eval_edss(const expr *e, int k, const expr_env *env, const scope *sc)
{
	int v[8], tenths;
	edss_fs fs;

	for (int i = 0; i < 8 && k >= 0; i++, k = e->nodes[k].next) {
		crf_value a = ev(e, k, env, sc);

		if (a.type != VAL_NUM || a.u.n != floor(a.u.n) || fabs(a.u.n) > 100)
			return val_missing();
		v[i] = (int)a.u.n;
	}
	fs = (edss_fs){ v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7] };
	if (edss_from_fs(&fs, NULL, &tenths, NULL) != CRF_OK)
		return val_missing();
	return val_num(tenths / 10.0);
}

static crf_value
ev(const expr *e, int n, const expr_env *env, const scope *sc)
{
	const enode *nd = &e->nodes[n];
	crf_value a, b;
	int l, r;

	switch (nd->kind) {
	case N_LIT:
		return nd->lit;
	case N_REF:
		return eval_ref(e, nd, env, sc);
	case N_NEG:
		a = ev(e, nd->kid, env, sc);
		return a.type == VAL_NUM ? num_result(-a.u.n) : val_missing();
	case N_NOT:
		a = ev(e, nd->kid, env, sc);
		l = expr_truth(&a);
		return l < 0 ? val_missing() : val_bool(!l);
	case N_AND:
		a = ev(e, nd->kid, env, sc);
		if ((l = expr_truth(&a)) == 0)
			return val_bool(false);
		b = ev(e, e->nodes[nd->kid].next, env, sc);
		if ((r = expr_truth(&b)) == 0)
			return val_bool(false);
		return l == 1 && r == 1 ? val_bool(true) : val_missing();
	case N_OR:
		a = ev(e, nd->kid, env, sc);
		if ((l = expr_truth(&a)) == 1)
			return val_bool(true);
		b = ev(e, e->nodes[nd->kid].next, env, sc);
		if ((r = expr_truth(&b)) == 1)
			return val_bool(true);
		return l == 0 && r == 0 ? val_bool(false) : val_missing();
	case N_CMP:
		a = ev(e, nd->kid, env, sc);
		if (a.type == VAL_MISSING)
			return val_missing();
		b = ev(e, e->nodes[nd->kid].next, env, sc);
		if (b.type == VAL_MISSING)
			return val_missing();
		return truth_value(compare_op(nd->op, &a, &b));
	case N_ARITH:
		a = ev(e, nd->kid, env, sc);
		if (a.type == VAL_MISSING)
			return val_missing();
		b = ev(e, e->nodes[nd->kid].next, env, sc);
		return eval_arith(nd->op, a, b);
	case N_CALL:
		return eval_call(e, n, env, sc);
	case N_AGG:
		return eval_agg(e, n, env, sc);
	}
	return val_missing();
}

void
expr_eval(const expr *e, const expr_env *env, crf_value *out)
{
	if (e == NULL || e->root < 0) {
		*out = val_missing();
		return;
	}
	*out = ev(e, e->root, env, NULL);
}

int
expr_truth(const crf_value *v)
{
	if (v == NULL || v->type != VAL_BOOL)
		return -1;
	return v->u.b ? 1 : 0;
}
