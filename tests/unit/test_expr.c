/* test_expr.c - the expression language: syntax, types, missing values,
 * functions, aggregates over a log, and value formatting. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crf/expr.h"
#include "crf/util.h"
#include "crf/value.h"

/* ------------------------------------------------------------ fake env */

/* A field of the form being filled in, or of another non-repeating form;
 * looked up by the reference as written ("x", "dm.a"). */
typedef struct var {
	const char *name;
	val_type type;
	crf_value v;
} var;

static var vars[64];
static int nvars;

/* The repeating form "aph" (fields dose, dat, ok, kind) and the empty
 * repeating form "ae" (field grade). */
typedef struct row {
	crf_value dose, dat, ok, kind;
} row;

static row rows[8];
static int nrows;
static int bad_instance;   /* get() called with an instance it should not be */

static crf_date
ymd(int y, int m, int d)
{
	crf_date r = { y, m, d };

	return r;
}

static crf_value
coded(const char *code)
{
	crf_value v = val_missing();

	v.missing_code = code;
	return v;
}

static void
put(const char *name, val_type type, crf_value v)
{
	for (int i = 0; i < nvars; i++) {
		if (strcmp(vars[i].name, name) == 0) {
			vars[i].type = type;
			vars[i].v = v;
			return;
		}
	}
	assert_true(nvars < (int)(sizeof vars / sizeof vars[0]));
	vars[nvars].name = name;
	vars[nvars].type = type;
	vars[nvars].v = v;
	nvars++;
}

static int
setup(void **state)
{
	(void)state;
	nvars = 0;
	bad_instance = 0;
	put("x", VAL_NUM, val_num(21));
	put("y", VAL_NUM, val_num(2));
	put("h", VAL_NUM, val_num(170));
	put("w", VAL_NUM, val_num(70));
	put("bl", VAL_NUM, val_missing());
	put("unk", VAL_NUM, coded("UNK"));
	put("sex", VAL_TEXT, val_text("F"));
	put("sbl", VAL_TEXT, val_missing());
	put("flag", VAL_BOOL, val_bool(true));
	put("dob", VAL_DATE, val_date(ymd(1990, 6, 15)));
	put("pdob", VAL_DATE, val_date(ymd(1990, 6, 0)));
	put("dbl", VAL_DATE, val_missing());
	put("visdat", VAL_DATE, val_date(ymd(2024, 1, 10)));
	put("t1", VAL_TIME, val_time(8 * 60 + 15));
	put("t2", VAL_TIME, val_time(14 * 60 + 30));
	put("m", VAL_TEXT, val_text("HSV|CMV|EBV"));
	put("m1", VAL_TEXT, val_text("HSV"));
	put("m0", VAL_TEXT, val_text(""));
	put("mbl", VAL_TEXT, val_missing());
	put("dtxt", VAL_TEXT, val_text("2024-03-07"));
	put("ptxt", VAL_TEXT, val_text("2024-03"));
	put("badtxt", VAL_TEXT, val_text("2024-02-30"));
	put("ttxt", VAL_TEXT, val_text("0730"));
	put("ntxt", VAL_TEXT, val_text(" 12.5 "));
	put("u", VAL_ANY, val_text("abc"));
	put("dm.a", VAL_NUM, val_num(5));
	put("dm.b", VAL_NUM, val_num(3));
	put("dm.weight", VAL_NUM, val_num(70));

	nrows = 3;
	rows[0] = (row){ val_num(10), val_date(ymd(2024, 1, 5)), val_bool(true), val_text("A") };
	rows[1] = (row){ coded("ND"), val_date(ymd(2024, 1, 10)), val_bool(false), val_text("B") };
	rows[2] = (row){ val_num(30), val_date(ymd(2024, 1, 20)), val_bool(true), val_text("A") };
	return 0;
}

static bool
is_log_form(const char *form)
{
	return form != NULL && (strcmp(form, "aph") == 0 || strcmp(form, "ae") == 0);
}

static val_type
log_field_type(const char *field)
{
	if (field == NULL)
		return VAL_ANY;
	if (strcmp(field, "dose") == 0 || strcmp(field, "grade") == 0)
		return VAL_NUM;
	if (strcmp(field, "dat") == 0)
		return VAL_DATE;
	if (strcmp(field, "ok") == 0)
		return VAL_BOOL;
	if (strcmp(field, "kind") == 0)
		return VAL_TEXT;
	return VAL_ANY;
}

static void
fake_get(void *ctx, const expr_ref *ref, int instance, crf_value *out)
{
	(void)ctx;
	*out = val_missing();
	if (instance >= 0) {
		const row *r;

		if (!ref->per_instance || !is_log_form(ref->form) || instance >= nrows ||
		    strcmp(ref->form, "aph") != 0) {
			bad_instance++;
			return;
		}
		r = &rows[instance];
		if (strcmp(ref->field, "dose") == 0)
			*out = r->dose;
		else if (strcmp(ref->field, "dat") == 0)
			*out = r->dat;
		else if (strcmp(ref->field, "ok") == 0)
			*out = r->ok;
		else if (strcmp(ref->field, "kind") == 0)
			*out = r->kind;
		return;
	}
	for (int i = 0; i < nvars; i++) {
		if (strcmp(vars[i].name, ref->text) == 0) {
			*out = vars[i].v;
			return;
		}
	}
}

static int
fake_ninstances(void *ctx, const expr_ref *log_ref)
{
	(void)ctx;
	if (log_ref->form != NULL && strcmp(log_ref->form, "aph") == 0)
		return nrows;
	return 0;
}

static const expr_env env = {
	NULL, fake_get, fake_ninstances, { 2026, 1, 15 }
};

static void
bind_all(expr *e)
{
	for (size_t i = 0; i < expr_nrefs(e); i++) {
		const expr_ref *r = expr_ref_const(e, i);
		val_type t = VAL_ANY;

		if (is_log_form(r->form)) {
			expr_bind(e, i, (void *)r, log_field_type(r->field), true);
			continue;
		}
		for (int k = 0; k < nvars; k++) {
			if (strcmp(vars[k].name, r->text) == 0)
				t = vars[k].type;
		}
		expr_bind(e, i, (void *)r, t, false);
	}
}

/* Parse, bind and type-check src; fails the test on any error. */
static expr *
compile(const char *src, val_type *type, int line)
{
	crf_err err = { "" };
	expr *e = NULL;
	val_type t = VAL_MISSING;

	if (expr_parse(src, &e, &err) != CRF_OK)
		fail_msg("line %d: parse of [%s] failed: %s", line, src, err.msg);
	assert_non_null(e);
	bind_all(e);
	if (expr_typecheck(e, &t, &err) != CRF_OK)
		fail_msg("line %d: type check of [%s] failed: %s", line, src, err.msg);
	if (type != NULL)
		*type = t;
	return e;
}

/* Evaluate src and compare the result's type and text. */
static void
expect_val(const char *src, val_type type, const char *text, int line)
{
	expr *e = compile(src, NULL, line);
	crf_value v;
	char buf[128];

	memset(&v, 0xA5, sizeof v);
	expr_eval(e, &env, &v);
	val_format(&v, -1, buf, sizeof buf);
	if (v.type != type || strcmp(buf, text) != 0)
		fail_msg("line %d: [%s] gave %s \"%s\", expected %s \"%s\"", line, src,
		    val_type_name(v.type), buf, val_type_name(type), text);
	if (bad_instance)
		fail_msg("line %d: [%s]: get() called with a wrong instance", line, src);
	expr_free(e);
}

#define NUM(src, text)  expect_val(src, VAL_NUM, text, __LINE__)
#define TXT(src, text)  expect_val(src, VAL_TEXT, text, __LINE__)
#define DATE(src, text) expect_val(src, VAL_DATE, text, __LINE__)
#define TIME(src, text) expect_val(src, VAL_TIME, text, __LINE__)
#define YES(src)        expect_val(src, VAL_BOOL, "Y", __LINE__)
#define NO(src)         expect_val(src, VAL_BOOL, "N", __LINE__)
#define MISS(src)       expect_val(src, VAL_MISSING, "", __LINE__)
#define MISSC(src, c)   expect_val(src, VAL_MISSING, c, __LINE__)

static void
expect_parse_error(const char *src, const char *msg, int line)
{
	crf_err err = { "" };
	expr *e = (expr *)&err;
	crf_status st = expr_parse(src, &e, &err);

	if (st != CRF_EEXPR || e != NULL || strcmp(err.msg, msg) != 0)
		fail_msg("line %d: [%s] gave status %d, error \"%s\"; expected \"%s\"", line, src,
		    (int)st, err.msg, msg);
}

static void
expect_type_error(const char *src, const char *msg, int line)
{
	crf_err err = { "" };
	expr *e = NULL;
	val_type t;

	if (expr_parse(src, &e, &err) != CRF_OK)
		fail_msg("line %d: parse of [%s] failed: %s", line, src, err.msg);
	bind_all(e);
	if (expr_typecheck(e, &t, &err) != CRF_EEXPR || strcmp(err.msg, msg) != 0)
		fail_msg("line %d: [%s] gave \"%s\"; expected \"%s\"", line, src, err.msg, msg);
	expr_free(e);
}

static void
expect_type(const char *src, val_type want, int line)
{
	val_type t;
	expr *e = compile(src, &t, line);

	if (t != want)
		fail_msg("line %d: [%s] has type %s, expected %s", line, src, val_type_name(t),
		    val_type_name(want));
	expr_free(e);
}

#define PERR(src, msg)  expect_parse_error(src, msg, __LINE__)
#define TERR(src, msg)  expect_type_error(src, msg, __LINE__)
#define STYPE(src, t)   expect_type(src, t, __LINE__)

/* --------------------------------------------------------------- tests */

static void
test_literals(void **state)
{
	(void)state;
	NUM("123", "123");
	NUM("4.5", "4.5");
	NUM(".5", "0.5");
	NUM("0.25", "0.25");
	NUM("007", "7");
	NUM("  42  ", "42");
	NUM("1.", "1");
	TXT("\"abc\"", "abc");
	TXT("\"a\\\"b\\\\c\"", "a\"b\\c");
	TXT("\"日本語\"", "日本語");
	TXT("\"\"", "");
	TXT("\"a, b (c)\"", "a, b (c)");
	YES("true");
	YES("TRUE");
	NO("False");
	MISS("missing");
	MISS("Missing");
	DATE("date(\"2024-03-07\")", "2024-03-07");
	DATE("date(\"2024-03\")", "2024-03");
	DATE("DATE(\"2024\")", "2024");
	DATE("date( \"2024-03-07\" )", "2024-03-07");
	TIME("time(\"14:30\")", "14:30");
	TIME("time(\"0905\")", "09:05");
}

static void
test_arithmetic(void **state)
{
	(void)state;
	NUM("1 + 2 * 3", "7");
	NUM("(1 + 2) * 3", "9");
	NUM("10 - 4 - 3", "3");
	NUM("2 * -3", "-6");
	NUM("-2 * 3", "-6");
	NUM("- -3", "3");
	NUM("-(2 + 3)", "-5");
	NUM("-2 + 5", "3");
	NUM("7 % 3", "1");
	NUM("-7 % 3", "-1");
	NUM("7.5 % 2", "1.5");
	NUM("1 / 4", "0.25");
	NUM("10 / 4 * 2", "5");
	NUM("100 / 10 / 5", "2");
	NUM("2 + 3 * 4 - 5 / 5", "13");
	NUM("2 * 3 % 4", "2");
	NUM("1 - 1", "0");
	NUM("0 * -1", "0");
	NUM("1 / 3", "0.3333333333");
	NUM("x * 2", "42");
	NUM("x - y * 10", "1");
	NUM("(x + y) / y", "11.5");
	NUM("((((x))))", "21");
	NUM("1+2*3", "7");
	/* impossible arithmetic is missing */
	MISS("1 / 0");
	MISS("1 % 0");
	MISS("0 / 0");
	MISS("x / (y - y)");
	MISS("pow(10, 400)");
}

static void
test_comparison(void **state)
{
	(void)state;
	YES("1 < 2");
	NO("2 < 1");
	YES("2 <= 2");
	NO("3 <= 2");
	YES("3 > 2");
	NO("2 > 2");
	YES("2 >= 2");
	NO("2 >= 3");
	YES("2 = 2");
	YES("2 == 2");
	NO("2 = 3");
	YES("2 <> 3");
	YES("2 != 3");
	NO("2 != 2");
	NO("2 <> 2");
	YES("0.1 + 0.2 = 0.3");
	YES("x = 21");
	YES("x > y");
	/* text: byte-wise */
	YES("\"abc\" = \"abc\"");
	NO("\"abc\" = \"ABC\"");
	YES("\"abc\" < \"abd\"");
	YES("\"B\" > \"A\"");
	YES("\"\" < \"a\"");
	YES("sex = \"F\"");
	YES("sex <> \"M\"");
	/* dates at the precision both know */
	YES("date(\"2024-03-07\") < date(\"2024-03-08\")");
	NO("date(\"2024-03-07\") > date(\"2024-03-08\")");
	YES("date(\"2024-03\") = date(\"2024-03-07\")");
	NO("date(\"2024-03\") < date(\"2024-03-07\")");
	NO("date(\"2024-03\") > date(\"2024-03-31\")");
	YES("date(\"2024-03\") <= date(\"2024-03-31\")");
	NO("date(\"2024-03\") <> date(\"2024-03-07\")");
	YES("date(\"2024\") < date(\"2025-01-01\")");
	YES("date(\"2024\") = date(\"2024-12-31\")");
	YES("date(\"2024-02\") < date(\"2024-03-01\")");
	YES("dob < visdat");
	YES("pdob = date(\"1990-06-30\")");
	/* times */
	YES("time(\"08:00\") < time(\"14:30\")");
	YES("time(\"0800\") = time(\"08:00\")");
	YES("t1 < t2");
	/* yes/no: = and <>, also against "Y" and "N" */
	YES("true = true");
	YES("true <> false");
	NO("true = false");
	YES("flag = \"Y\"");
	NO("flag = \"N\"");
	YES("flag <> \"N\"");
	YES("\"y\" = flag");
	YES("flag = true");
	/* different types only known at run time: missing */
	MISS("u = 1");
	MISS("u < 1");
	YES("u = \"abc\"");
}

static void
test_logic_precedence(void **state)
{
	(void)state;
	YES("not 1 = 2");
	YES("true or false and false");
	NO("(true or false) and false");
	YES("not true or true");
	NO("not (true or true)");
	YES("not not true");
	YES("NOT false");
	YES("1 < 2 and 2 < 3");
	YES("1 + 1 = 2 and not 2 * 2 = 5");
	YES("false or 1 = 1");
	YES("x > 20 AND sex = \"F\" Or false");
	NO("x > 20 and (sex = \"M\" or false)");
	/* the right operand is not needed */
	NO("false and 1 / 0 = 1");
	YES("true or 1 / 0 = 1");
}

static void
test_kleene(void **state)
{
	(void)state;
	YES("true and true");
	NO("true and false");
	MISS("true and missing");
	NO("false and true");
	NO("false and false");
	NO("false and missing");
	MISS("missing and true");
	NO("missing and false");
	MISS("missing and missing");

	YES("true or true");
	YES("true or false");
	YES("true or missing");
	YES("false or true");
	NO("false or false");
	MISS("false or missing");
	YES("missing or true");
	MISS("missing or false");
	MISS("missing or missing");

	MISS("not missing");
	NO("not true");
	YES("not false");

	/* with a blank field */
	NO("bl > 1 and false");
	MISS("bl > 1 and true");
	YES("bl > 1 or true");
	MISS("bl > 1 or false");
	MISS("not bl > 1");
	NO("false and bl > 1");
	YES("true or bl > 1");
}

static void
test_missing_propagation(void **state)
{
	(void)state;
	MISS("bl + 1");
	MISS("1 + bl");
	MISS("unk * 2");
	MISS("-bl");
	MISS("bl = bl");
	MISS("unk < 3");
	MISS("bl = 0");
	MISS("bl <> 0");
	MISS("missing + 1");
	MISS("sbl = \"\"");
	MISS("dbl < today()");
	MISS("dbl + 1");
	MISS("round(bl)");
	MISS("round(x, bl)");
	MISS("sqrt(bl)");
	MISS("year(dbl)");
	MISS("if(bl > 1, 1, 2)");
	MISS("abs(unk)");
	MISS("min(1, bl)");
	MISS("max(bl, 2)");
	MISS("days(dob, dbl)");
	MISS("age(dbl, today())");
	MISS("len(sbl)");
	MISS("has(mbl, \"HSV\")");
	MISS("has(m, sbl)");
	MISS("in(bl, 1, 2)");
	MISS("number(sbl)");
	MISS("date(sbl)");
	MISS("pow(bl, 2)");
	/* a code travels with the value itself, not through arithmetic */
	MISSC("unk", "UNK");
	MISSC("if(true, unk, 1)", "UNK");
	MISS("unk + 1");
	MISS("coalesce(unk, bl)");
	MISSC("(unk)", "UNK");
}

static void
test_date_arithmetic(void **state)
{
	(void)state;
	DATE("date(\"2024-02-28\") + 1", "2024-02-29");
	DATE("1 + date(\"2024-02-28\")", "2024-02-29");
	DATE("date(\"2023-02-28\") + 1", "2023-03-01");
	DATE("date(\"2100-02-28\") + 1", "2100-03-01");
	DATE("date(\"2024-03-01\") - 1", "2024-02-29");
	DATE("date(\"2024-12-31\") + 1", "2025-01-01");
	DATE("date(\"2024-03-01\") + 1.9", "2024-03-02");
	DATE("date(\"2024-03-01\") - 30", "2024-01-31");
	DATE("dob + 365", "1991-06-15");
	NUM("date(\"2024-03-01\") - date(\"2024-01-01\")", "60");
	NUM("date(\"2024-01-01\") - date(\"2024-03-01\")", "-60");
	NUM("date(\"2023-03-01\") - date(\"2023-01-01\")", "59");
	NUM("visdat - dob", "12262");
	/* partial dates cannot move */
	MISS("date(\"2024-03\") + 1");
	MISS("1 + date(\"2024\")");
	MISS("date(\"2024-03\") - 1");
	MISS("date(\"2024-03\") - date(\"2024-01-01\")");
	MISS("date(\"2024-03-01\") - date(\"2024\")");
	MISS("pdob + 1");
	MISS("date(\"9999-12-31\") + 1");
	/* times */
	NUM("time(\"14:30\") - time(\"08:15\")", "375");
	NUM("t2 - t1", "375");
	NUM("time(\"08:00\") - time(\"09:30\")", "-90");
}

static void
test_date_functions(void **state)
{
	(void)state;
	DATE("today()", "2026-01-15");
	DATE("TODAY( )", "2026-01-15");
	NO("today() > date(\"2026-01\")");
	YES("today() = date(\"2026\")");
	DATE("date(dtxt)", "2024-03-07");
	DATE("date(ptxt)", "2024-03");
	MISS("date(badtxt)");
	MISS("date(sex)");
	TIME("time(ttxt)", "07:30");
	MISS("time(sex)");

	NUM("days(date(\"2024-01-01\"), date(\"2024-03-01\"))", "60");
	NUM("days(date(\"2024-03-01\"), date(\"2024-01-01\"))", "-60");
	MISS("days(date(\"2024-01\"), date(\"2024-03-01\"))");
	NUM("months(date(\"2024-01-31\"), date(\"2024-02-29\"))", "0");
	NUM("months(date(\"2024-01-31\"), date(\"2024-03-01\"))", "1");
	NUM("months(date(\"2023-12-15\"), date(\"2024-01-15\"))", "1");
	MISS("months(date(\"2023-12\"), date(\"2024-01-15\"))");
	NUM("years(date(\"2000-02-29\"), date(\"2001-02-28\"))", "0");
	NUM("years(date(\"2000-02-29\"), date(\"2001-03-01\"))", "1");
	NUM("years(date(\"2000-02-29\"), date(\"2004-02-29\"))", "4");
	NUM("age(dob, date(\"2024-06-14\"))", "33");
	NUM("age(dob, date(\"2024-06-15\"))", "34");
	NUM("age(dob, today())", "35");
	MISS("age(pdob, today())");

	DATE("adddays(date(\"2024-02-28\"), 2)", "2024-03-01");
	DATE("adddays(date(\"2024-03-01\"), -1)", "2024-02-29");
	DATE("adddays(dob, 0)", "1990-06-15");
	MISS("adddays(date(\"2024-02\"), 2)");
	DATE("addmonths(date(\"2024-01-31\"), 1)", "2024-02-29");
	DATE("addmonths(date(\"2024-03-31\"), -1)", "2024-02-29");
	DATE("addmonths(date(\"2023-11-15\"), 3)", "2024-02-15");
	DATE("addyears(date(\"2024-02-29\"), 1)", "2025-02-28");
	DATE("addyears(date(\"2021-05-20\"), -5)", "2016-05-20");
	MISS("addyears(date(\"2024\"), 1)");
	MISS("addyears(date(\"0001-01-01\"), -1)");

	/* edss(): the EDSS step of the functional systems (visual, brainstem,
	 * pyramidal, cerebellar, sensory, bowel/bladder, cerebral) and the
	 * ambulation score, by outcome.h's evaluator. */
	NUM("edss(0, 0, 0, 0, 0, 0, 0, 0)", "0");
	NUM("edss(0, 0, 3, 1, 0, 0, 0, 0)", "3");
	NUM("edss(6, 0, 0, 0, 0, 0, 0, 0)", "4");
	NUM("edss(0, 0, 1, 0, 0, 0, 0, 5)", "6");
	NUM("edss(0, 0, 2, 2, 0, 0, 0, 0)", "2.5");
	MISS("edss(0, 0, 7, 0, 0, 0, 0, 0)");
	MISS("edss(0, 0, 1.5, 0, 0, 0, 0, 0)");

	NUM("year(date(\"2024-03-07\"))", "2024");
	NUM("month(date(\"2024-03-07\"))", "3");
	NUM("day(date(\"2024-03-07\"))", "7");
	NUM("year(date(\"2024\"))", "2024");
	MISS("month(date(\"2024\"))");
	NUM("month(date(\"2024-03\"))", "3");
	MISS("day(date(\"2024-03\"))");
	NUM("month(pdob)", "6");
	MISS("day(pdob)");
}

static void
test_math_functions(void **state)
{
	(void)state;
	NUM("round(2.5)", "3");
	NUM("round(-2.5)", "-3");
	NUM("round(2.4)", "2");
	NUM("round(-2.4)", "-2");
	NUM("round(-0.4)", "0");
	NUM("round(0.5)", "1");
	NUM("round(2.675, 2)", "2.68");
	NUM("round(1.005, 2)", "1.01");
	NUM("round(-1.005, 2)", "-1.01");
	NUM("round(0.125, 2)", "0.13");
	NUM("round(1234.5678, 1)", "1234.6");
	NUM("round(1234.5678, 0)", "1235");
	NUM("round(1234.5678, -2)", "1200");
	NUM("round(1250, -2)", "1300");
	NUM("round(x / 4, 1)", "5.3");
	MISS("round(1, 20)");
	NUM("floor(2.7)", "2");
	NUM("floor(-2.2)", "-3");
	NUM("ceil(2.2)", "3");
	NUM("ceil(-2.7)", "-2");
	NUM("abs(-3.5)", "3.5");
	NUM("abs(3)", "3");
	NUM("sqrt(16)", "4");
	NUM("sqrt(2)", "1.414213562");
	NUM("sqrt(0)", "0");
	MISS("sqrt(-1)");
	NUM("pow(2, 10)", "1024");
	NUM("pow(4, 0.5)", "2");
	NUM("pow(2, -1)", "0.5");
	MISS("pow(-8, 1 / 3)");
	NUM("min(3, 1, 2)", "1");
	NUM("max(3, 1, 2)", "3");
	NUM("min(-1, -5)", "-5");
	NUM("max(x, y)", "21");
	DATE("max(date(\"2024-01-01\"), date(\"2024-03-01\"))", "2024-03-01");
	DATE("min(dob, today())", "1990-06-15");
	TIME("max(t1, t2, time(\"09:00\"))", "14:30");
	/* BSA (Mosteller) and BMI */
	NUM("round(sqrt(h * w / 3600), 2)", "1.82");
	put("h", VAL_NUM, val_num(180));
	put("w", VAL_NUM, val_num(80));
	NUM("round(sqrt(h * w / 3600), 2)", "2");
	put("h", VAL_NUM, val_num(165.5));
	put("w", VAL_NUM, val_num(58.2));
	NUM("round(sqrt(h * w / 3600), 2)", "1.64");
	put("h", VAL_NUM, val_num(152));
	put("w", VAL_NUM, val_num(45.3));
	NUM("round(sqrt(h * w / 3600), 2)", "1.38");
	put("h", VAL_NUM, val_num(170));
	put("w", VAL_NUM, val_num(70));
	NUM("round(w / pow(h / 100, 2), 1)", "24.2");
	put("w", VAL_NUM, val_missing());
	MISS("round(sqrt(h * w / 3600), 2)");
}

static void
test_other_functions(void **state)
{
	(void)state;
	NUM("if(true, 1, 2)", "1");
	NUM("if(false, 1, 2)", "2");
	MISS("if(missing, 1, 2)");
	NUM("if(1 < 2, 10, 1 / 0)", "10");
	TXT("if(sex = \"F\", \"woman\", \"man\")", "woman");
	NUM("if(true, 5, missing)", "5");
	MISS("if(false, 5, missing)");
	NUM("If(x > 20, if(x > 30, 3, 2), 1)", "2");

	YES("blank(bl)");
	YES("blank(unk)");
	NO("blank(x)");
	YES("isblank(missing)");
	NO("blank(\"\")");
	YES("blank(1 / 0)");
	NO("ISBLANK(sex)");
	YES("blank(dbl)");

	TXT("code(unk)", "UNK");
	TXT("code(bl)", "");
	MISS("code(x)");
	YES("code(unk) = \"UNK\"");
	NO("code(bl) = \"UNK\"");

	NUM("coalesce(bl, unk, 3, 4)", "3");
	NUM("coalesce(x, 1)", "21");
	MISS("coalesce(bl, missing)");
	DATE("coalesce(dbl, today())", "2026-01-15");

	YES("in(x, 1, 21, 3)");
	NO("in(x, 1, 2)");
	YES("in(sex, \"M\", \"F\")");
	NO("in(sex, \"m\", \"f\")");
	MISS("in(bl, 1, 2)");
	MISS("in(x, 1, bl)");
	YES("in(x, bl, 21)");
	YES("in(date(\"2024-03\"), date(\"2024-01-01\"), date(\"2024-03-07\"))");
	YES("in(flag, \"Y\")");

	YES("has(m, \"CMV\")");
	YES("has(m, \"HSV\")");
	YES("has(m, \"EBV\")");
	NO("has(m, \"CM\")");
	NO("has(m, \"cmv\")");
	NO("has(m, \"HSV|CMV\")");
	NO("has(m, \"\")");
	YES("has(m1, \"HSV\")");
	NO("has(m0, \"HSV\")");
	MISS("has(mbl, \"HSV\")");

	NUM("len(\"abc\")", "3");
	NUM("len(\"日本語\")", "3");
	NUM("len(\"é\")", "1");
	NUM("len(\"\")", "0");
	NUM("len(sex)", "1");

	NUM("number(\"12.5\")", "12.5");
	NUM("number(ntxt) * 2", "25");
	NUM("number(\" -3 \")", "-3");
	MISS("number(\"abc\")");
	MISS("number(\"12abc\")");
	MISS("number(\"\")");
	NUM("number(x)", "21");
}

static void
test_aggregates(void **state)
{
	(void)state;
	NUM("count(aph)", "3");
	NUM("COUNT(APH)", "3");
	NUM("count(aph.dose)", "2");
	NUM("sum(aph.dose)", "40");
	NUM("min(aph.dose)", "10");
	NUM("max(aph.dose)", "30");
	NUM("first(aph.dose)", "10");
	NUM("last(aph.dose)", "30");
	DATE("min(aph.dat)", "2024-01-05");
	DATE("max(aph.dat)", "2024-01-20");
	TXT("first(aph.kind)", "A");
	TXT("last(aph.kind)", "A");
	YES("first(aph.ok)");

	/* with a filter */
	NUM("count(aph, aph.ok)", "2");
	NUM("count(aph, aph.kind = \"B\")", "1");
	NUM("count(aph.dose, aph.kind = \"B\")", "0");
	NUM("sum(aph.dose, aph.dat <= visdat)", "10");
	NUM("sum(aph.dose, aph.dat > visdat)", "30");
	NUM("sum(aph.dose, aph.dose > 100)", "0");
	MISS("min(aph.dose, aph.kind = \"B\")");
	MISSC("first(aph.dose, aph.kind = \"B\")", "ND");
	MISSC("first(aph.dose, not aph.ok)", "ND");
	MISSC("last(aph.dose, aph.dat < date(\"2024-01-15\"))", "ND");
	NUM("first(aph.dose, aph.dat > date(\"2024-01-12\"))", "30");
	NUM("count(aph, aph.dose > x)", "1");
	NUM("max(aph.dose, aph.kind = \"A\" and aph.dat < visdat)", "10");
	TXT("last(aph.kind, aph.dose < 20)", "A");

	/* an empty log */
	NUM("count(ae)", "0");
	NUM("count(ae.grade)", "0");
	NUM("sum(ae.grade)", "0");
	MISS("min(ae.grade)");
	MISS("max(ae.grade)");
	MISS("first(ae.grade)");
	MISS("last(ae.grade)");

	/* aggregates inside aggregates, and in larger expressions */
	NUM("sum(aph.dose, aph.dose >= max(aph.dose))", "30");
	NUM("count(aph, aph.dat > min(aph.dat))", "2");
	NUM("sum(aph.dose) / count(aph.dose)", "20");
	YES("count(ae) = 0 and count(aph) > 2");
	NUM("if(count(aph) > 0, max(aph.dose), 0)", "30");

	/* min/max of two fields of a form that is not a log: plain min/max */
	NUM("min(dm.a, dm.b)", "3");
	NUM("max(dm.a, dm.b)", "5");

	nrows = 0;
	NUM("sum(aph.dose)", "0");
	NUM("count(aph)", "0");
	MISS("max(aph.dat)");
}

/* last() gives the last instance's value even when it is missing; a value
 * of the wrong type reaching sum() makes it missing. */
static void
test_aggregate_last_missing(void **state)
{
	(void)state;
	nrows = 2;
	MISSC("last(aph.dose)", "ND");
	NUM("sum(aph.dose)", "10");
	rows[1].dose = val_text("oops");
	MISS("sum(aph.dose)");
}

static void
test_references(void **state)
{
	crf_err err;
	expr *e;
	const expr_ref *r;

	(void)state;
	assert_int_equal(expr_parse("Weight + DM.Height + scr.dm.weight + weight", &e, &err), CRF_OK);
	assert_string_equal(expr_source(e), "Weight + DM.Height + scr.dm.weight + weight");
	assert_int_equal(expr_nrefs(e), 3);
	r = expr_ref_const(e, 0);
	assert_null(r->event);
	assert_null(r->form);
	assert_string_equal(r->field, "weight");
	assert_string_equal(r->text, "weight");
	assert_int_equal(r->col, 1);
	assert_false(r->per_instance);
	assert_int_equal(r->type, VAL_ANY);
	r = expr_ref_const(e, 1);
	assert_null(r->event);
	assert_string_equal(r->form, "dm");
	assert_string_equal(r->field, "height");
	assert_string_equal(r->text, "dm.height");
	assert_int_equal(r->col, 10);
	r = expr_ref_const(e, 2);
	assert_string_equal(r->event, "scr");
	assert_string_equal(r->form, "dm");
	assert_string_equal(r->field, "weight");
	assert_string_equal(r->text, "scr.dm.weight");
	assert_int_equal(r->col, 22);
	assert_null(expr_ref_const(e, 3));
	assert_null(expr_ref_at(e, 3));
	expr_bind(e, 1, &err, VAL_NUM, false);
	assert_ptr_equal(expr_ref_at(e, 1)->binding, &err);
	assert_int_equal(expr_ref_at(e, 1)->type, VAL_NUM);
	expr_free(e);

	/* per-instance references of an aggregate */
	assert_int_equal(expr_parse("count(aph.dose, aph.ok and x > 1) + aph.dose", &e, &err), CRF_OK);
	assert_int_equal(expr_nrefs(e), 4);
	assert_string_equal(expr_ref_const(e, 0)->text, "aph.dose");
	assert_true(expr_ref_const(e, 0)->per_instance);
	assert_string_equal(expr_ref_const(e, 1)->text, "aph.ok");
	assert_true(expr_ref_const(e, 1)->per_instance);
	assert_string_equal(expr_ref_const(e, 2)->text, "x");
	assert_false(expr_ref_const(e, 2)->per_instance);
	assert_string_equal(expr_ref_const(e, 3)->text, "aph.dose");
	assert_false(expr_ref_const(e, 3)->per_instance);
	expr_free(e);

	/* count(form): a whole-form reference */
	assert_int_equal(expr_parse("count(aph) + count(aph)", &e, &err), CRF_OK);
	assert_int_equal(expr_nrefs(e), 1);
	r = expr_ref_const(e, 0);
	assert_string_equal(r->form, "aph");
	assert_null(r->field);
	assert_string_equal(r->text, "aph");
	assert_true(r->per_instance);
	assert_int_equal(r->col, 7);
	expr_free(e);

	/* a bare name inside an aggregate is the enclosing form's field */
	assert_int_equal(expr_parse("sum(aph.cd34, aph.aphdat <= aphdat)", &e, &err), CRF_OK);
	assert_int_equal(expr_nrefs(e), 3);
	assert_true(expr_ref_const(e, 0)->per_instance);
	assert_true(expr_ref_const(e, 1)->per_instance);
	assert_string_equal(expr_ref_const(e, 2)->text, "aphdat");
	assert_false(expr_ref_const(e, 2)->per_instance);
	expr_free(e);

	/* other forms inside an aggregate are not iterated */
	assert_int_equal(expr_parse("count(aph, aph.dat > dm.icdat)", &e, &err), CRF_OK);
	assert_int_equal(expr_nrefs(e), 3);
	assert_false(expr_ref_const(e, 2)->per_instance);
	expr_free(e);

	/* no references at all */
	assert_int_equal(expr_parse("1 + 2", &e, &err), CRF_OK);
	assert_int_equal(expr_nrefs(e), 0);
	expr_free(e);
	expr_free(NULL);
}

static void
test_parse_errors(void **state)
{
	char deep[1024];
	crf_err err;
	expr *e;

	(void)state;
	PERR("1 + )", "column 5: unexpected ')'");
	PERR(")", "column 1: unexpected ')'");
	PERR("1 2", "column 3: unexpected '2'");
	PERR("x = = 1", "column 5: unexpected '='");
	PERR("foo(1)", "column 1: unknown function 'foo'");
	PERR("x + Foo(1)", "column 5: unknown function 'foo'");
	PERR("a.b(1)", "column 1: unknown function 'a.b'");
	PERR("round(1, 2, 3)", "column 1: round() takes 1 or 2 arguments");
	PERR("x + round()", "column 5: round() takes 1 or 2 arguments");
	PERR("today(1)", "column 1: today() takes no arguments");
	PERR("if(a, b)", "column 1: if() takes 3 arguments");
	PERR("year()", "column 1: year() takes 1 argument");
	PERR("coalesce(1)", "column 1: coalesce() takes 2 or more arguments");
	PERR("min(1)", "column 1: min() takes 2 or more values, or one field of a repeating form");
	PERR("max(x)", "column 1: max() takes 2 or more values, or one field of a repeating form");
	PERR("sum(1 + 2)", "column 5: sum() needs a field of a repeating form");
	PERR("count(3)", "column 7: count() needs a repeating form or a field of one");
	PERR("sum(aph.a, aph.b, 1)", "column 1: sum() takes 1 or 2 arguments");
	PERR("count()", "column 1: count() takes 1 or 2 arguments");
	PERR("x = \"abc", "column 5: unterminated string");
	PERR("\"abc\\", "column 1: unterminated string");
	PERR("\"a\\n\"", "column 3: unknown escape '\\n' in text: only \\\" and \\\\ are allowed");
	PERR("date(\"2023-02-30\")", "column 6: invalid date \"2023-02-30\"");
	PERR("x > date(\"2024-13\")", "column 10: invalid date \"2024-13\"");
	PERR("date(\"07/03/2024\")", "column 6: invalid date \"07/03/2024\"");
	PERR("time(\"25:00\")", "column 6: invalid time \"25:00\"");
	PERR("", "column 1: empty expression");
	PERR("   ", "column 4: empty expression");
	PERR("1 +", "column 4: unexpected end of expression");
	PERR("not", "column 4: unexpected end of expression");
	PERR("(1 + 2", "column 7: missing ')' to close the '(' at column 1");
	PERR("round(1", "column 8: missing ')' to close round(");
	PERR("round(,1)", "column 7: unexpected ','");
	PERR("a < b < c", "column 7: comparisons cannot be chained: join them with 'and'");
	PERR("a & b", "column 3: '&' is not supported: expressions cannot join text");
	PERR("ae.not > 1", "column 4: 'not' is a reserved word and cannot be a name");
	PERR("true.x", "column 1: 'true' is a reserved word and cannot be a name");
	PERR("a.b.c.d", "column 1: too many dots in 'a.b.c.d': write field, form.field or event.form.field");
	PERR("a.1", "column 3: a name must follow '.'");
	PERR("a..b", "column 3: a name must follow '.'");
	PERR("12abc", "column 1: invalid number '12abc'");
	PERR("1.2.3", "column 1: invalid number '1.2.3'");
	PERR("x $ 1", "column 3: unexpected character '$'");
	PERR("x ≠ 1", "column 3: unexpected character '≠'");
	PERR("\"日本\" = )", "column 8: unexpected ')'");
	PERR("! x", "column 1: unexpected '!': write 'not' for negation or '<>' for not equal");

	/* nesting is bounded, so evaluation cannot exhaust the stack */
	memset(deep, 0, sizeof deep);
	memset(deep, '(', 300);
	deep[300] = '1';
	memset(deep + 301, ')', 300);
	assert_int_equal(expr_parse(deep, &e, &err), CRF_EEXPR);
	assert_null(e);
	assert_non_null(strstr(err.msg, "too deeply nested"));
	memset(deep, 0, sizeof deep);
	for (int i = 0; i < 300; i++)
		strcat(deep, "1+");
	strcat(deep, "1");
	assert_int_equal(expr_parse(deep, &e, &err), CRF_EEXPR);
	assert_non_null(strstr(err.msg, "too deeply nested"));
	memset(deep, 0, sizeof deep);
	for (int i = 0; i < 300; i++)
		strcat(deep, "-");
	strcat(deep, "1");
	assert_int_equal(expr_parse(deep, &e, &err), CRF_EEXPR);
	assert_non_null(strstr(err.msg, "too deeply nested"));
	/* but ordinary depth is fine */
	memset(deep, 0, sizeof deep);
	for (int i = 0; i < 50; i++)
		strcat(deep, "(1+");
	strcat(deep, "1");
	for (int i = 0; i < 50; i++)
		strcat(deep, ")");
	NUM(deep, "51");

	/* a NULL error buffer is allowed */
	assert_int_equal(expr_parse("1 +", &e, NULL), CRF_EEXPR);
	assert_null(e);
}

static void
test_type_errors(void **state)
{
	(void)state;
	TERR("dob + \"x\"", "column 5: cannot add a date and text");
	TERR("if(flag, 1, \"one\")", "column 1: if() branches have different types (number and text)");
	TERR("sum(dm.a)", "column 1: sum() needs a field of a repeating form");
	TERR("x + sum(dm.a)", "column 5: sum() needs a field of a repeating form");
	TERR("count(dm)", "column 1: count() needs a repeating form or a field of one");
	TERR("min(dm.a)", "column 1: min() needs a field of a repeating form");
	TERR("sum(aph.kind)", "column 1: sum() needs a number field, not text");
	TERR("sum(aph)", "column 1: sum() needs a field of a repeating form, not the whole form 'aph'");
	TERR("count(aph, aph.dose)", "column 12: the condition of count() must be yes/no, not a number");
	TERR("max(aph.kind)", "column 1: max() needs numbers, dates or times, not text");
	TERR("x = \"x\"", "column 3: cannot compare a number and text");
	TERR("dob < x", "column 5: cannot compare a date and a number");
	TERR("t1 = dob", "column 4: cannot compare a time and a date");
	TERR("flag < true", "column 6: yes/no values can only be compared with = or <>");
	TERR("flag >= \"Y\"", "column 6: yes/no values can only be compared with = or <>");
	TERR("flag = \"yes\"", "column 6: a yes/no value compares only with \"Y\" or \"N\"");
	TERR("flag = 1", "column 6: cannot compare a yes/no value and a number");
	TERR("x = missing", "column 3: a comparison with missing is always missing: use blank()");
	TERR("not x", "column 1: 'not' needs a yes/no value, not a number");
	TERR("x and flag", "column 3: 'and' needs yes/no values, not a number");
	TERR("flag or sex", "column 6: 'or' needs yes/no values, not text");
	TERR("-dob", "column 1: cannot negate a date");
	TERR("sex - dob", "column 5: cannot subtract a date from text");
	TERR("x - dob", "column 3: cannot subtract a date from a number");
	TERR("t1 - x", "column 4: cannot subtract a number from a time");
	TERR("dob * 2", "column 5: cannot multiply a date and a number");
	TERR("x / sex", "column 3: cannot divide a number and text");
	TERR("x % sex", "column 3: cannot take the remainder of a number and text");
	TERR("t1 + t1", "column 4: cannot add a time and a time");
	TERR("dob + dob", "column 5: cannot add a date and a date");
	TERR("flag + 1", "column 6: cannot add a yes/no value and a number");
	TERR("days(dob, 3)", "column 11: argument 2 of days() must be a date, not a number");
	TERR("adddays(dob, dob)", "column 14: argument 2 of adddays() must be a number, not a date");
	TERR("year(\"x\")", "column 6: year() needs a date, not text");
	TERR("date(x)", "column 6: date() needs text, not a number");
	TERR("len(x)", "column 5: len() needs text, not a number");
	TERR("has(x, \"A\")", "column 5: argument 1 of has() must be text, not a number");
	TERR("round(x, \"a\")", "column 10: argument 2 of round() must be a number, not text");
	TERR("sqrt(dob)", "column 6: sqrt() needs a number, not a date");
	TERR("number(dob)", "column 8: number() needs text, not a date");
	TERR("coalesce(x, sex)", "column 1: coalesce() values have different types (number and text)");
	TERR("min(x, dob)", "column 1: min() values have different types (number and date)");
	TERR("max(sex, \"a\")", "column 1: max() needs numbers, dates or times, not text");
	TERR("if(x, 1, 2)", "column 4: the condition of if() must be yes/no, not a number");
	TERR("in(x, 1, \"a\")", "column 10: cannot compare a number and text");
	TERR("1 + (dob + \"x\")", "column 10: cannot add a date and text");

	/* accepted */
	STYPE("aph.dose > 1", VAL_BOOL);   /* a log field outside an aggregate: caller's business */
	STYPE("flag = \"Y\"", VAL_BOOL);
	STYPE("flag <> sex", VAL_BOOL);
	STYPE("x + missing", VAL_ANY);
	STYPE("dob + 1", VAL_DATE);
	STYPE("1 + dob", VAL_DATE);
	STYPE("dob - 1", VAL_DATE);
	STYPE("dob - dob", VAL_NUM);
	STYPE("t1 - t1", VAL_NUM);
	STYPE("u + 1", VAL_ANY);
	STYPE("u - dob", VAL_NUM);
	STYPE("u * 2", VAL_NUM);
	STYPE("u + dob", VAL_DATE);
	STYPE("-u", VAL_NUM);
	STYPE("u", VAL_ANY);
	STYPE("if(flag, missing, 1)", VAL_NUM);
	STYPE("if(flag, u, 1)", VAL_ANY);
	STYPE("if(u, 1, 2)", VAL_NUM);
	STYPE("coalesce(missing, dob)", VAL_DATE);
	STYPE("count(aph)", VAL_NUM);
	STYPE("sum(aph.dose, aph.ok)", VAL_NUM);
	STYPE("first(aph.dat)", VAL_DATE);
	STYPE("last(aph.kind)", VAL_TEXT);
	STYPE("min(aph.dat)", VAL_DATE);
	STYPE("min(dm.a, dm.b)", VAL_NUM);
	STYPE("max(t1, t2)", VAL_TIME);
	STYPE("x > 1", VAL_BOOL);
	STYPE("code(x)", VAL_TEXT);
	STYPE("blank(x)", VAL_BOOL);
	STYPE("\"a\"", VAL_TEXT);
	STYPE("missing", VAL_MISSING);
	STYPE("today()", VAL_DATE);
	STYPE("date(sex)", VAL_DATE);
	STYPE("time(\"10:00\")", VAL_TIME);
	STYPE("in(x, 1, missing)", VAL_BOOL);
	STYPE("number(ntxt)", VAL_NUM);
}

static void
test_eval_edges(void **state)
{
	crf_err err;
	expr *e;
	crf_value v;
	expr_env none = { NULL, NULL, NULL, { 0, 0, 0 } };

	(void)state;
	/* no environment: references are missing, today() is missing */
	assert_int_equal(expr_parse("x + 1", &e, &err), CRF_OK);
	expr_eval(e, &none, &v);
	assert_int_equal(v.type, VAL_MISSING);
	expr_eval(e, NULL, &v);
	assert_int_equal(v.type, VAL_MISSING);
	expr_free(e);
	assert_int_equal(expr_parse("today()", &e, &err), CRF_OK);
	expr_eval(e, &none, &v);
	assert_int_equal(v.type, VAL_MISSING);
	expr_free(e);
	assert_int_equal(expr_parse("count(aph)", &e, &err), CRF_OK);
	expr_eval(e, &none, &v);
	assert_int_equal(v.type, VAL_NUM);
	assert_true(v.u.n == 0);
	expr_free(e);

	/* evaluation is repeatable and the expression is not changed */
	e = compile("sum(aph.dose, aph.ok) + x", NULL, __LINE__);
	for (int i = 0; i < 3; i++) {
		expr_eval(e, &env, &v);
		assert_int_equal(v.type, VAL_NUM);
		assert_true(v.u.n == 61);
	}
	expr_free(e);

	/* truth */
	v = val_bool(true);
	assert_int_equal(expr_truth(&v), 1);
	v = val_bool(false);
	assert_int_equal(expr_truth(&v), 0);
	v = val_missing();
	assert_int_equal(expr_truth(&v), -1);
	v = val_num(1);
	assert_int_equal(expr_truth(&v), -1);
	v = val_text("Y");
	assert_int_equal(expr_truth(&v), -1);
	assert_int_equal(expr_truth(NULL), -1);
}

static const char *
fmt(crf_value v, int decimals)
{
	static char buf[64];

	return val_format(&v, decimals, buf, sizeof buf);
}

static void
test_value_format(void **state)
{
	char small[4];
	crf_value v;

	(void)state;
	assert_string_equal(fmt(val_num(12), -1), "12");
	assert_string_equal(fmt(val_num(12.5), -1), "12.5");
	assert_string_equal(fmt(val_num(-0.25), -1), "-0.25");
	assert_string_equal(fmt(val_num(-0.0), -1), "0");
	assert_string_equal(fmt(val_num(0.1 + 0.2), -1), "0.3");
	assert_string_equal(fmt(val_num(1.0 / 3), -1), "0.3333333333");
	assert_string_equal(fmt(val_num(2.0 / 3), -1), "0.6666666667");
	assert_string_equal(fmt(val_num(1200), -1), "1200");
	assert_string_equal(fmt(val_num(1e15), -1), "1000000000000000");
	assert_string_equal(fmt(val_num(123456789012.0), -1), "123456789000");
	assert_string_equal(fmt(val_num(0.000125), -1), "0.000125");
	assert_string_equal(fmt(val_num(-1e-12), -1), "-1e-12");
	assert_string_equal(fmt(val_num(NAN), -1), "");
	assert_string_equal(fmt(val_num(72.5), 1), "72.5");
	assert_string_equal(fmt(val_num(72.5), 2), "72.50");
	assert_string_equal(fmt(val_num(72.5), 0), "73");
	assert_string_equal(fmt(val_num(2.675), 2), "2.68");
	assert_string_equal(fmt(val_num(0.125), 2), "0.13");
	assert_string_equal(fmt(val_num(-0.001), 2), "0.00");
	assert_string_equal(fmt(val_num(-1.5), 0), "-2");
	assert_string_equal(fmt(val_bool(true), -1), "Y");
	assert_string_equal(fmt(val_bool(false), 2), "N");
	assert_string_equal(fmt(val_text("héllo"), -1), "héllo");
	assert_string_equal(fmt(val_date(ymd(2024, 3, 7)), -1), "2024-03-07");
	assert_string_equal(fmt(val_date(ymd(2024, 3, 0)), -1), "2024-03");
	assert_string_equal(fmt(val_date(ymd(2024, 0, 0)), -1), "2024");
	assert_string_equal(fmt(val_time(485), -1), "08:05");
	assert_string_equal(fmt(val_missing(), -1), "");
	assert_string_equal(fmt(coded("UNK"), -1), "UNK");
	v.type = VAL_ANY;
	v.missing_code = NULL;
	assert_string_equal(fmt(v, -1), "");
	/* truncation */
	assert_ptr_equal(val_format(&(crf_value){ .type = VAL_TEXT, .u.s = "abcdef" }, -1, small,
	    sizeof small), small);
	assert_string_equal(small, "abc");

	assert_string_equal(val_type_name(VAL_MISSING), "missing");
	assert_string_equal(val_type_name(VAL_BOOL), "yes/no");
	assert_string_equal(val_type_name(VAL_NUM), "number");
	assert_string_equal(val_type_name(VAL_TEXT), "text");
	assert_string_equal(val_type_name(VAL_DATE), "date");
	assert_string_equal(val_type_name(VAL_TIME), "time");
	assert_string_equal(val_type_name(VAL_ANY), "any");

	assert_true(val_round(2.5, 0) == 3);
	assert_true(val_round(-2.5, 0) == -3);
	assert_true(val_round(1.005, 2) == 1.01);
	assert_true(val_round(1250, -2) == 1300);
	assert_true(isnan(val_round(1, 16)));
	assert_true(isnan(val_round(INFINITY, 0)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_literals, setup),
		cmocka_unit_test_setup(test_arithmetic, setup),
		cmocka_unit_test_setup(test_comparison, setup),
		cmocka_unit_test_setup(test_logic_precedence, setup),
		cmocka_unit_test_setup(test_kleene, setup),
		cmocka_unit_test_setup(test_missing_propagation, setup),
		cmocka_unit_test_setup(test_date_arithmetic, setup),
		cmocka_unit_test_setup(test_date_functions, setup),
		cmocka_unit_test_setup(test_math_functions, setup),
		cmocka_unit_test_setup(test_other_functions, setup),
		cmocka_unit_test_setup(test_aggregates, setup),
		cmocka_unit_test_setup(test_aggregate_last_missing, setup),
		cmocka_unit_test_setup(test_references, setup),
		cmocka_unit_test_setup(test_parse_errors, setup),
		cmocka_unit_test_setup(test_type_errors, setup),
		cmocka_unit_test_setup(test_eval_edges, setup),
		cmocka_unit_test_setup(test_value_format, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
