/* test_util.c - strict number parsing, UTF-8 widths, ASCII stand-ins, paths. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "crf/util.h"

static void
test_parse_numbers(void **state)
{
	long l;
	double d;

	(void)state;
	assert_true(parse_long("08", &l));
	assert_int_equal(l, 8);                 /* never octal */
	assert_true(parse_long(" -12 ", &l));
	assert_int_equal(l, -12);
	assert_false(parse_long("0x10", &l));
	assert_false(parse_long("12a", &l));
	assert_false(parse_long("", &l));
	assert_false(parse_long("99999999999999999999999", &l));
	assert_true(parse_double("72.5", &d));
	assert_true(d == 72.5);
	assert_true(parse_double(".5", &d));
	assert_false(parse_double("1e3", &d));
	assert_false(parse_double("nan", &d));
	assert_false(parse_double("1.2.3", &d));
	assert_false(parse_double("-", &d));
}

static void
test_utf8(void **state)
{
	unsigned long cp;

	(void)state;
	assert_int_equal(utf8_width("abc"), 3);
	assert_int_equal(utf8_width("身高"), 4);
	assert_true(utf8_valid("中文 é"));
	assert_false(utf8_valid("\xc3("));
	assert_false(utf8_valid("\xed\xa0\x80"));   /* a surrogate */
	assert_int_equal(utf8_next("²", &cp), 2);
	assert_int_equal(cp, 0xb2);
	assert_int_equal(utf8_next("中", &cp), 3);
	assert_int_equal(utf8_next("", &cp), 0);
}

static void
test_ascii_fallback(void **state)
{
	(void)state;
	assert_string_equal(ascii_fallback(0xb2), "2");     /* m² */
	assert_string_equal(ascii_fallback(0xd7), "x");     /* ×10⁹/L */
	assert_string_equal(ascii_fallback(0x2079), "9");
	assert_string_equal(ascii_fallback(0x2265), ">=");
	assert_string_equal(ascii_fallback(0x2013), "-");
	assert_null(ascii_fallback(0x4e2d));                /* 中: no stand-in */
}

static void
test_paths(void **state)
{
	char *p;

	(void)state;
	p = path_dirname("/etc/crf/config.ini");
	assert_string_equal(p, "/etc/crf");
	free(p);
	p = path_dirname("config.ini");
	assert_string_equal(p, ".");
	free(p);
	p = path_join("/srv/site", "data/site.db");
	assert_string_equal(p, "/srv/site/data/site.db");
	free(p);
	p = path_join("/srv/site", "/abs/site.db");
	assert_string_equal(p, "/abs/site.db");
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_numbers),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_ascii_fallback),
		cmocka_unit_test(test_paths),
	};

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		return 1;
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
