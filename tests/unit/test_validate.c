/* test_validate.c - field input, ranges, missing codes, values, display. */
#include <math.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crf/validate.h"

static char canon[4096];
static crf_err err;

/* Run validate_input, leaving its results in canon and err. */
static crf_status
run(const field_def *f, const char *input, const char *fmt)
{
	memset(canon, 'x', sizeof canon - 1);
	canon[sizeof canon - 1] = '\0';
	strcpy(err.msg, "(none)");
	return validate_input(f, input, fmt, canon, sizeof canon, &err);
}

#define ACCEPT(f, in, fmt, want) do { \
	assert_int_equal(run(f, in, fmt), CRF_OK); \
	assert_string_equal(canon, want); \
} while (0)

#define REFUSE(f, in, fmt, st, want) do { \
	assert_int_equal(run(f, in, fmt), st); \
	assert_string_equal(err.msg, want); \
	assert_string_equal(canon, ""); \
} while (0)

static field_def
mkfield(field_type t, const char *label, const char *unit)
{
	field_def f;

	memset(&f, 0, sizeof f);
	f.id = "f";
	f.type = t;
	f.label.text[LANG_EN] = (char *)label;
	f.unit = (char *)unit;
	f.decimals = -1;
	return f;
}

static choice_item sex_items[] = {
	{ "M", { { "Male", "男" } } },
	{ "F", { { "Female", "女" } } },
	{ "U", { { "Unknown", NULL } } },
};
static choice_list sex_list = { "sex", sex_items, 3, "dm.ini", 1 };

static choice_item inf_items[] = {
	{ "HSV", { { "Herpes simplex", "单纯疱疹" } } },
	{ "CMV", { { "Cytomegalovirus", NULL } } },
	{ "EBV", { { "Epstein-Barr virus", NULL } } },
	{ "BK", { { NULL, NULL } } },
};
static choice_list inf_list = { "inf", inf_items, 4, "ae.ini", 1 };

static choice_item num_items[] = {
	{ "0", { { "No", NULL } } },
	{ "1", { { "Yes", NULL } } },
};
static choice_list num_list = { "yn01", num_items, 2, "x.ini", 1 };

static void
test_integer(void **state)
{
	field_def f = mkfield(FT_INTEGER, "Heart rate", "bpm");

	(void)state;
	ACCEPT(&f, "140", NULL, "140");
	ACCEPT(&f, "  -12 ", NULL, "-12");
	ACCEPT(&f, "08", NULL, "8");
	ACCEPT(&f, "+5", NULL, "5");
	ACCEPT(&f, "-0", NULL, "0");
	ACCEPT(&f, "", NULL, "");
	ACCEPT(&f, "   ", NULL, "");
	ACCEPT(&f, NULL, NULL, "");
	REFUSE(&f, "1.0", NULL, CRF_EINVAL, "Enter a whole number");
	REFUSE(&f, "12a", NULL, CRF_EINVAL, "Enter a whole number");
	REFUSE(&f, "0x10", NULL, CRF_EINVAL, "Enter a whole number");
	REFUSE(&f, "1 000", NULL, CRF_EINVAL, "Enter a whole number");
	REFUSE(&f, "99999999999999999999999", NULL, CRF_EINVAL,
	    "Enter a whole number");
}

static void
test_hard_range(void **state)
{
	field_def f = mkfield(FT_INTEGER, "Weight", "kg");
	field_def age = mkfield(FT_INTEGER, "Age", NULL);

	(void)state;
	f.hard = (numrange){ true, true, 30, 200 };
	ACCEPT(&f, "30", NULL, "30");
	ACCEPT(&f, "200", NULL, "200");
	REFUSE(&f, "29", NULL, CRF_ERANGE, "Weight must be between 30 and 200 kg");
	REFUSE(&f, "201", NULL, CRF_ERANGE, "Weight must be between 30 and 200 kg");

	f.hard = (numrange){ true, false, 0, 0 };
	ACCEPT(&f, "100000", NULL, "100000");
	REFUSE(&f, "-1", NULL, CRF_ERANGE, "Weight must be at least 0 kg");

	age.hard = (numrange){ false, true, 0, 120 };
	ACCEPT(&age, "-5", NULL, "-5");
	REFUSE(&age, "121", NULL, CRF_ERANGE, "Age must be at most 120");

	f.type = FT_DECIMAL;
	f.decimals = 2;
	f.hard = (numrange){ true, true, 0.5, 2.25 };
	REFUSE(&f, "2.26", NULL, CRF_ERANGE,
	    "Weight must be between 0.5 and 2.25 kg");
	ACCEPT(&f, "2.254", NULL, "2.25");
	/* the range applies to the rounded value */
	REFUSE(&f, "2.255", NULL, CRF_ERANGE,
	    "Weight must be between 0.5 and 2.25 kg");
}

static void
test_soft_range(void **state)
{
	field_def f = mkfield(FT_INTEGER, "Weight", "kg");

	(void)state;
	f.hard = (numrange){ true, true, 30, 200 };
	f.soft = (numrange){ true, true, 40, 120 };
	ACCEPT(&f, "120", NULL, "120");
	assert_int_equal(run(&f, "150", NULL), CRF_ESOFT);
	assert_string_equal(canon, "150");
	assert_string_equal(err.msg, "Weight 150 kg is outside the expected "
	    "range 40–120 kg: confirm to keep it");
	/* hard wins over soft */
	REFUSE(&f, "250", NULL, CRF_ERANGE, "Weight must be between 30 and 200 kg");

	f.soft = (numrange){ true, false, 40, 0 };
	assert_int_equal(run(&f, "35", NULL), CRF_ESOFT);
	assert_string_equal(canon, "35");
	assert_string_equal(err.msg, "Weight 35 kg is below the expected "
	    "minimum of 40 kg: confirm to keep it");

	f.type = FT_DECIMAL;
	f.decimals = 1;
	f.soft = (numrange){ false, true, 0, 120.5 };
	assert_int_equal(run(&f, "150,25", NULL), CRF_ESOFT);
	assert_string_equal(canon, "150.3");
	assert_string_equal(err.msg, "Weight 150.3 kg is above the expected "
	    "maximum of 120.5 kg: confirm to keep it");
}

static void
test_validate_range(void **state)
{
	field_def f = mkfield(FT_CALC, "BMI", "kg/m2");

	(void)state;
	f.result = FT_DECIMAL;
	f.decimals = 1;
	f.hard = (numrange){ true, true, 10, 80 };
	f.soft = (numrange){ true, true, 15, 50 };
	strcpy(err.msg, "(none)");
	assert_int_equal(validate_range(&f, 22.4, &err), CRF_OK);
	assert_string_equal(err.msg, "(none)");
	assert_int_equal(validate_range(&f, 9.99, &err), CRF_ERANGE);
	assert_string_equal(err.msg, "BMI must be between 10 and 80 kg/m2");
	assert_int_equal(validate_range(&f, 55.25, &err), CRF_ESOFT);
	assert_string_equal(err.msg, "BMI 55.25 kg/m2 is outside the expected "
	    "range 15–50 kg/m2: confirm to keep it");
	assert_int_equal(validate_range(&f, NAN, &err), CRF_ERANGE);
	assert_int_equal(validate_range(&f, 100, NULL), CRF_ERANGE);
}

static void
test_decimal(void **state)
{
	field_def f = mkfield(FT_DECIMAL, "Weight", "kg");

	(void)state;
	f.decimals = 1;
	ACCEPT(&f, "72.45", NULL, "72.5");
	ACCEPT(&f, "72.44999", NULL, "72.4");
	ACCEPT(&f, "72", NULL, "72.0");
	ACCEPT(&f, "72.", NULL, "72.0");
	ACCEPT(&f, ".5", NULL, "0.5");
	ACCEPT(&f, "-1.25", NULL, "-1.3");
	ACCEPT(&f, "72,5", NULL, "72.5");
	ACCEPT(&f, "99.95", NULL, "100.0");
	ACCEPT(&f, "-0.04", NULL, "0.0");
	ACCEPT(&f, "+007.25", NULL, "7.3");
	ACCEPT(&f, "", NULL, "");
	f.decimals = 2;
	ACCEPT(&f, "1.8", NULL, "1.80");
	ACCEPT(&f, "1.005", NULL, "1.01");
	ACCEPT(&f, "2.675", NULL, "2.68");
	ACCEPT(&f, "0.005", NULL, "0.01");
	ACCEPT(&f, "-2.675", NULL, "-2.68");
	f.decimals = 0;
	ACCEPT(&f, "9.5", NULL, "10");
	ACCEPT(&f, "0.5", NULL, "1");
	ACCEPT(&f, "-0.4", NULL, "0");
	ACCEPT(&f, "999.5", NULL, "1000");
	f.decimals = -1;
	ACCEPT(&f, "72.50", NULL, "72.5");
	ACCEPT(&f, "007.000", NULL, "7");
	ACCEPT(&f, "0.125", NULL, "0.125");
	ACCEPT(&f, "-.5", NULL, "-0.5");

	REFUSE(&f, "abc", NULL, CRF_EINVAL, "Enter a number");
	REFUSE(&f, "1.2.3", NULL, CRF_EINVAL, "Enter a number");
	REFUSE(&f, "1,2,3", NULL, CRF_EINVAL, "Enter a number");
	REFUSE(&f, "1,000.5", NULL, CRF_EINVAL, "Enter a number");
	REFUSE(&f, "1e5", NULL, CRF_EINVAL, "Enter a number");
	REFUSE(&f, "-", NULL, CRF_EINVAL, "Enter a number");
	REFUSE(&f, "72 kg", NULL, CRF_EINVAL, "Enter a number");
	REFUSE(&f, "nan", NULL, CRF_EINVAL, "Enter a number");
}

static void
test_date(void **state)
{
	field_def f = mkfield(FT_DATE, "Visit date", NULL);

	(void)state;
	ACCEPT(&f, "2026-03-07", NULL, "2026-03-07");
	ACCEPT(&f, " 20260307 ", NULL, "2026-03-07");
	ACCEPT(&f, "07MAR2026", NULL, "2026-03-07");
	ACCEPT(&f, "07mar2026", NULL, "2026-03-07");
	ACCEPT(&f, "2024-02-29", NULL, "2024-02-29");
	ACCEPT(&f, "07/03/2026", "DD/MM/YYYY", "2026-03-07");
	ACCEPT(&f, "03/07/2026", "MM/DD/YYYY", "2026-03-07");
	ACCEPT(&f, "2026-03-07", "DD/MM/YYYY", "2026-03-07");
	ACCEPT(&f, "1900-01-01", NULL, "1900-01-01");
	ACCEPT(&f, "2100-12-31", NULL, "2100-12-31");
	ACCEPT(&f, "", NULL, "");

	REFUSE(&f, "2023-02-29", NULL, CRF_EINVAL, "2023-02-29 is not a real date");
	REFUSE(&f, "2023-02-30", NULL, CRF_EINVAL, "2023-02-30 is not a real date");
	REFUSE(&f, "20230431", NULL, CRF_EINVAL, "20230431 is not a real date");
	REFUSE(&f, "31FEB2026", NULL, CRF_EINVAL, "31FEB2026 is not a real date");
	REFUSE(&f, "30/02/2023", "DD/MM/YYYY", CRF_EINVAL,
	    "30/02/2023 is not a real date");
	REFUSE(&f, "tomorrow", NULL, CRF_EINVAL, "Enter a date as YYYY-MM-DD");
	REFUSE(&f, "2023-13-01", NULL, CRF_EINVAL, "Enter a date as YYYY-MM-DD");
	REFUSE(&f, "2023-01-32", NULL, CRF_EINVAL, "Enter a date as YYYY-MM-DD");
	REFUSE(&f, "tomorrow", "DD/MM/YYYY", CRF_EINVAL,
	    "Enter a date as DD/MM/YYYY or YYYY-MM-DD");
	REFUSE(&f, "tomorrow", "YYYY-MM-DD", CRF_EINVAL,
	    "Enter a date as YYYY-MM-DD");
	REFUSE(&f, "2026-03", NULL, CRF_EINVAL, "Enter a date as YYYY-MM-DD");
	REFUSE(&f, "1899-12-31", NULL, CRF_EINVAL,
	    "Years before 1900 or after 2100 are not accepted");
	REFUSE(&f, "2101-01-01", NULL, CRF_EINVAL,
	    "Years before 1900 or after 2100 are not accepted");
}

static void
test_partialdate(void **state)
{
	field_def f = mkfield(FT_PDATE, "Diagnosis date", NULL);

	(void)state;
	ACCEPT(&f, "2026-03", NULL, "2026-03");
	ACCEPT(&f, "202603", NULL, "2026-03");
	ACCEPT(&f, "2026", NULL, "2026");
	ACCEPT(&f, "2026-03-07", NULL, "2026-03-07");
	ACCEPT(&f, "03/2026", "DD/MM/YYYY", "2026-03");
	REFUSE(&f, "2026-13", NULL, CRF_EINVAL,
	    "Enter a date as YYYY-MM-DD, YYYY-MM or YYYY");
	REFUSE(&f, "March", "DD/MM/YYYY", CRF_EINVAL,
	    "Enter a date as DD/MM/YYYY, YYYY-MM-DD, YYYY-MM or YYYY");
	REFUSE(&f, "2023-02-29", NULL, CRF_EINVAL, "2023-02-29 is not a real date");
	REFUSE(&f, "1850", NULL, CRF_EINVAL,
	    "Years before 1900 or after 2100 are not accepted");
}

static void
test_time(void **state)
{
	field_def f = mkfield(FT_TIME, "Time of dose", NULL);

	(void)state;
	ACCEPT(&f, "14:05", NULL, "14:05");
	ACCEPT(&f, "1405", NULL, "14:05");
	ACCEPT(&f, "9:30", NULL, "09:30");
	ACCEPT(&f, "00:00", NULL, "00:00");
	REFUSE(&f, "25:00", NULL, CRF_EINVAL, "Enter a time as HH:MM (24-hour)");
	REFUSE(&f, "2pm", NULL, CRF_EINVAL, "Enter a time as HH:MM (24-hour)");
	REFUSE(&f, "12:60", NULL, CRF_EINVAL, "Enter a time as HH:MM (24-hour)");
}

static void
test_yesno(void **state)
{
	field_def f = mkfield(FT_YESNO, "Pregnant", NULL);

	(void)state;
	ACCEPT(&f, "Y", NULL, "Y");
	ACCEPT(&f, "y", NULL, "Y");
	ACCEPT(&f, "Yes", NULL, "Y");
	ACCEPT(&f, "n", NULL, "N");
	ACCEPT(&f, "NO", NULL, "N");
	ACCEPT(&f, "是", NULL, "Y");
	ACCEPT(&f, " 否 ", NULL, "N");
	REFUSE(&f, "1", NULL, CRF_EINVAL, "Enter Y (yes) or N (no)");
	REFUSE(&f, "0", NULL, CRF_EINVAL, "Enter Y (yes) or N (no)");
	REFUSE(&f, "maybe", NULL, CRF_EINVAL, "Enter Y (yes) or N (no)");
}

static void
test_choice(void **state)
{
	field_def f = mkfield(FT_CHOICE, "Sex", NULL);

	(void)state;
	f.choices = &sex_list;
	ACCEPT(&f, "F", NULL, "F");
	ACCEPT(&f, "f", NULL, "F");
	ACCEPT(&f, "2", NULL, "F");
	ACCEPT(&f, " 3 ", NULL, "U");
	ACCEPT(&f, "", NULL, "");
	REFUSE(&f, "0", NULL, CRF_EINVAL, "Choose 1-3 or a code of the list");
	REFUSE(&f, "4", NULL, CRF_EINVAL, "Choose 1-3 or a code of the list");
	REFUSE(&f, "X", NULL, CRF_EINVAL, "Choose 1-3 or a code of the list");
	REFUSE(&f, "Female", NULL, CRF_EINVAL, "Choose 1-3 or a code of the list");
	REFUSE(&f, "M F", NULL, CRF_EINVAL, "Choose 1-3 or a code of the list");

	/* a code that is a number wins over the item number */
	f.choices = &num_list;
	ACCEPT(&f, "1", NULL, "1");
	ACCEPT(&f, "0", NULL, "0");
	ACCEPT(&f, "2", NULL, "1");
}

static void
test_multichoice(void **state)
{
	field_def f = mkfield(FT_MULTI, "Infections", NULL);

	(void)state;
	f.choices = &inf_list;
	ACCEPT(&f, "cmv, hsv", NULL, "HSV|CMV");
	ACCEPT(&f, "4|1 2", NULL, "HSV|CMV|BK");
	ACCEPT(&f, "1,hsv,HSV", NULL, "HSV");
	ACCEPT(&f, "cmv CMV", NULL, "CMV");
	ACCEPT(&f, "EBV", NULL, "EBV");
	ACCEPT(&f, "bk ,, ebv||", NULL, "EBV|BK");
	ACCEPT(&f, "", NULL, "");
	ACCEPT(&f, " , | ", NULL, "");
	REFUSE(&f, "CMV,XYZ", NULL, CRF_EINVAL,
	    "XYZ is not in the list: choose 1-4 or codes of the list");
	REFUSE(&f, "5", NULL, CRF_EINVAL,
	    "5 is not in the list: choose 1-4 or codes of the list");
}

static void
test_text(void **state)
{
	field_def f = mkfield(FT_TEXT, "Comment", NULL);
	char longtxt[300];

	(void)state;
	ACCEPT(&f, "  hello world  ", NULL, "hello world");
	ACCEPT(&f, "中文", NULL, "中文");
	f.maxlen = 2;
	ACCEPT(&f, "中文", NULL, "中文");
	ACCEPT(&f, "ab", NULL, "ab");
	REFUSE(&f, "中文字", NULL, CRF_EINVAL, "At most 2 characters");
	REFUSE(&f, "abc", NULL, CRF_EINVAL, "At most 2 characters");
	f.maxlen = 0;
	memset(longtxt, 'a', 200);
	longtxt[200] = '\0';
	ACCEPT(&f, longtxt, NULL, longtxt);
	strcat(longtxt, "a");
	REFUSE(&f, longtxt, NULL, CRF_EINVAL, "At most 200 characters");

	REFUSE(&f, "a\tb", NULL, CRF_EINVAL,
	    "Tabs and control characters are not allowed");
	REFUSE(&f, "a\x01z", NULL, CRF_EINVAL,
	    "Tabs and control characters are not allowed");
	REFUSE(&f, "a\nb", NULL, CRF_EINVAL,
	    "Tabs and control characters are not allowed");
	REFUSE(&f, "a\x7f", NULL, CRF_EINVAL,
	    "Tabs and control characters are not allowed");
	REFUSE(&f, "a\xc2\x85z", NULL, CRF_EINVAL,
	    "Tabs and control characters are not allowed");
	REFUSE(&f, "caf\xc3", NULL, CRF_EINVAL, "Not valid UTF-8 text");
	REFUSE(&f, "\xff\xfe", NULL, CRF_EINVAL, "Not valid UTF-8 text");
	REFUSE(&f, "\xc0\xaf", NULL, CRF_EINVAL, "Not valid UTF-8 text");
	REFUSE(&f, "\xed\xa0\x80", NULL, CRF_EINVAL, "Not valid UTF-8 text");
}

static void
test_pattern(void **state)
{
	field_def f = mkfield(FT_TEXT, "Hospital number", NULL);

	(void)state;
	f.pattern = "^[A-Z]{2}[0-9]{4}$";
	assert_int_equal(regcomp(&f.pattern_re, f.pattern,
	    REG_EXTENDED | REG_NOSUB), 0);
	ACCEPT(&f, " AB1234 ", NULL, "AB1234");
	ACCEPT(&f, "", NULL, "");
	REFUSE(&f, "ab1234", NULL, CRF_EINVAL,
	    "Does not match the required pattern ^[A-Z]{2}[0-9]{4}$");
	f.pattern_help.text[LANG_EN] = "two letters then four digits";
	f.pattern_help.text[LANG_ZH] = "两个字母加四个数字";
	REFUSE(&f, "AB12345", NULL, CRF_EINVAL,
	    "Does not match: two letters then four digits");
	regfree(&f.pattern_re);
}

static void
test_memo(void **state)
{
	field_def f = mkfield(FT_MEMO, "Narrative", NULL);
	static char longtxt[2100];

	(void)state;
	ACCEPT(&f, "line one\nline two", NULL, "line one\nline two");
	ACCEPT(&f, "line one\r\nline two\r\n", NULL, "line one\nline two");
	ACCEPT(&f, "\n  text \n\n", NULL, "text");
	REFUSE(&f, "a\tb", NULL, CRF_EINVAL,
	    "Tabs and control characters are not allowed");
	REFUSE(&f, "a\rb", NULL, CRF_EINVAL,
	    "Tabs and control characters are not allowed");
	memset(longtxt, 'a', 2000);
	longtxt[2000] = '\0';
	ACCEPT(&f, longtxt, NULL, longtxt);
	strcat(longtxt, "b");
	REFUSE(&f, longtxt, NULL, CRF_EINVAL, "At most 2000 characters");
	f.maxlen = 3;
	ACCEPT(&f, "a\nb", NULL, "a\nb");
	REFUSE(&f, "a\r\nbc", NULL, CRF_EINVAL, "At most 3 characters");
}

static void
test_no_input(void **state)
{
	field_def calc = mkfield(FT_CALC, "BMI", "kg/m2");
	field_def info = mkfield(FT_INFO, NULL, NULL);

	(void)state;
	calc.result = FT_DECIMAL;
	REFUSE(&calc, "22.5", NULL, CRF_EINVAL, "This field is calculated");
	REFUSE(&calc, "", NULL, CRF_EINVAL, "This field is calculated");
	REFUSE(&info, "x", NULL, CRF_EINVAL, "This is descriptive text");
}

static void
test_small_buffer(void **state)
{
	field_def f = mkfield(FT_TEXT, "Comment", NULL);
	char small[4];
	crf_err e;

	(void)state;
	assert_int_equal(validate_input(&f, "abc", NULL, small, sizeof small, &e),
	    CRF_OK);
	assert_string_equal(small, "abc");
	assert_int_equal(validate_input(&f, "abcd", NULL, small, sizeof small, &e),
	    CRF_EINVAL);
	assert_string_equal(small, "");
	/* err may be NULL */
	assert_int_equal(validate_input(&f, "a\tb", NULL, small, sizeof small,
	    NULL), CRF_EINVAL);
}

static void
test_missing(void **state)
{
	missing_code codes[] = {
		{ "UNK", { { "Unknown", NULL } } },
		{ "ND", { { "Not done", NULL } } },
		{ "NA", { { "Not applicable", NULL } } },
	};
	study_def sd;
	field_def f = mkfield(FT_DECIMAL, "Weight", "kg");

	(void)state;
	memset(&sd, 0, sizeof sd);
	sd.missing = codes;
	sd.nmissing = 3;

	f.missing_mask = 1u << 1;
	assert_int_equal(validate_missing(&sd, &f, "ND", &err), CRF_OK);
	assert_int_equal(validate_missing(&sd, &f, "nd", &err), CRF_OK);
	assert_int_equal(validate_missing(&sd, &f, "UNK", &err), CRF_EINVAL);
	assert_string_equal(err.msg, "UNK is not allowed for Weight (allowed: ND)");
	assert_int_equal(validate_missing(&sd, &f, "XX", &err), CRF_EINVAL);
	assert_string_equal(err.msg, "XX is not allowed for Weight (allowed: ND)");

	f.missing_mask = (1u << 0) | (1u << 2);
	assert_int_equal(validate_missing(&sd, &f, "unk", &err), CRF_OK);
	assert_int_equal(validate_missing(&sd, &f, "NA", &err), CRF_OK);
	assert_int_equal(validate_missing(&sd, &f, "ND", &err), CRF_EINVAL);
	assert_string_equal(err.msg,
	    "ND is not allowed for Weight (allowed: UNK, NA)");

	f.missing_mask = 0;
	assert_int_equal(validate_missing(&sd, &f, "UNK", &err), CRF_EINVAL);
	assert_string_equal(err.msg,
	    "UNK is not allowed for Weight (no missing-data codes are allowed)");

	/* a bit past the study's codes allows nothing */
	f.missing_mask = 1u << 3;
	assert_int_equal(validate_missing(&sd, &f, "UNK", &err), CRF_EINVAL);
	assert_string_equal(err.msg,
	    "UNK is not allowed for Weight (no missing-data codes are allowed)");
}

static void
test_to_value(void **state)
{
	field_def f = mkfield(FT_INTEGER, "Age", NULL);
	crf_value v;

	(void)state;
	validate_to_value(&f, "42", NULL, &v);
	assert_int_equal(v.type, VAL_NUM);
	assert_true(v.u.n == 42);
	validate_to_value(&f, "", NULL, &v);
	assert_int_equal(v.type, VAL_MISSING);
	assert_null(v.missing_code);
	validate_to_value(&f, NULL, NULL, &v);
	assert_int_equal(v.type, VAL_MISSING);
	validate_to_value(&f, "", "UNK", &v);
	assert_int_equal(v.type, VAL_MISSING);
	assert_string_equal(v.missing_code, "UNK");
	validate_to_value(&f, "4x", NULL, &v);
	assert_int_equal(v.type, VAL_MISSING);
	assert_null(v.missing_code);

	f.type = FT_DECIMAL;
	validate_to_value(&f, "72.5", NULL, &v);
	assert_int_equal(v.type, VAL_NUM);
	assert_true(v.u.n == 72.5);

	f.type = FT_DATE;
	validate_to_value(&f, "2026-03-07", NULL, &v);
	assert_int_equal(v.type, VAL_DATE);
	assert_int_equal(v.u.d.y, 2026);
	assert_int_equal(v.u.d.m, 3);
	assert_int_equal(v.u.d.d, 7);
	validate_to_value(&f, "07/03/2026", NULL, &v);
	assert_int_equal(v.type, VAL_MISSING);

	f.type = FT_PDATE;
	validate_to_value(&f, "2026-03", NULL, &v);
	assert_int_equal(v.type, VAL_DATE);
	assert_int_equal(v.u.d.y, 2026);
	assert_int_equal(v.u.d.m, 3);
	assert_int_equal(v.u.d.d, 0);
	validate_to_value(&f, "2026", NULL, &v);
	assert_int_equal(v.type, VAL_DATE);
	assert_int_equal(v.u.d.m, 0);

	f.type = FT_TIME;
	validate_to_value(&f, "14:05", NULL, &v);
	assert_int_equal(v.type, VAL_TIME);
	assert_int_equal(v.u.minutes, 14 * 60 + 5);

	f.type = FT_YESNO;
	validate_to_value(&f, "Y", NULL, &v);
	assert_int_equal(v.type, VAL_TEXT);
	assert_string_equal(v.u.s, "Y");
	validate_to_value(&f, "maybe", NULL, &v);
	assert_int_equal(v.type, VAL_MISSING);

	f.type = FT_CHOICE;
	f.choices = &sex_list;
	validate_to_value(&f, "F", NULL, &v);
	assert_int_equal(v.type, VAL_TEXT);
	assert_string_equal(v.u.s, "F");

	f.type = FT_MULTI;
	f.choices = &inf_list;
	{
		const char *stored = "HSV|CMV";

		validate_to_value(&f, stored, NULL, &v);
		assert_int_equal(v.type, VAL_TEXT);
		assert_ptr_equal(v.u.s, stored);
	}

	f.type = FT_TEXT;
	validate_to_value(&f, "hello", NULL, &v);
	assert_int_equal(v.type, VAL_TEXT);
	assert_string_equal(v.u.s, "hello");
	validate_to_value(&f, "hello", "ND", &v);
	assert_int_equal(v.type, VAL_MISSING);
	assert_string_equal(v.missing_code, "ND");

	f.type = FT_CALC;
	f.result = FT_DECIMAL;
	validate_to_value(&f, "22.9", NULL, &v);
	assert_int_equal(v.type, VAL_NUM);
	assert_true(v.u.n == 22.9);
	f.result = FT_INTEGER;
	validate_to_value(&f, "3", NULL, &v);
	assert_int_equal(v.type, VAL_NUM);
	f.result = FT_DATE;
	validate_to_value(&f, "2026-04-01", NULL, &v);
	assert_int_equal(v.type, VAL_DATE);
	assert_int_equal(v.u.d.m, 4);
	f.result = FT_TIME;
	validate_to_value(&f, "08:00", NULL, &v);
	assert_int_equal(v.type, VAL_TIME);
	assert_int_equal(v.u.minutes, 480);
	f.result = FT_YESNO;
	validate_to_value(&f, "N", NULL, &v);
	assert_int_equal(v.type, VAL_TEXT);
	assert_string_equal(v.u.s, "N");
	f.result = FT_TEXT;
	validate_to_value(&f, "high", NULL, &v);
	assert_int_equal(v.type, VAL_TEXT);
	assert_string_equal(v.u.s, "high");

	f.type = FT_INFO;
	validate_to_value(&f, "x", NULL, &v);
	assert_int_equal(v.type, VAL_MISSING);
}

static void
test_display(void **state)
{
	field_def f = mkfield(FT_CHOICE, "Sex", NULL);
	char buf[128];

	(void)state;
	f.choices = &sex_list;
	validate_display(&f, "F", NULL, LANG_EN, buf, sizeof buf);
	assert_string_equal(buf, "F Female");
	validate_display(&f, "F", NULL, LANG_ZH, buf, sizeof buf);
	assert_string_equal(buf, "F 女");
	validate_display(&f, "U", NULL, LANG_ZH, buf, sizeof buf);
	assert_string_equal(buf, "U Unknown");
	validate_display(&f, "Q", NULL, LANG_EN, buf, sizeof buf);
	assert_string_equal(buf, "Q");
	validate_display(&f, "", NULL, LANG_EN, buf, sizeof buf);
	assert_string_equal(buf, "");
	validate_display(&f, NULL, NULL, LANG_EN, buf, sizeof buf);
	assert_string_equal(buf, "");

	f.type = FT_MULTI;
	f.choices = &inf_list;
	validate_display(&f, "HSV|CMV", NULL, LANG_EN, buf, sizeof buf);
	assert_string_equal(buf, "Herpes simplex, Cytomegalovirus");
	validate_display(&f, "HSV|CMV", NULL, LANG_ZH, buf, sizeof buf);
	assert_string_equal(buf, "单纯疱疹, Cytomegalovirus");
	validate_display(&f, "EBV|BK", NULL, LANG_EN, buf, sizeof buf);
	assert_string_equal(buf, "Epstein-Barr virus, BK");

	f.type = FT_YESNO;
	validate_display(&f, "Y", NULL, LANG_EN, buf, sizeof buf);
	assert_string_equal(buf, "Yes");
	validate_display(&f, "N", NULL, LANG_EN, buf, sizeof buf);
	assert_string_equal(buf, "No");
	validate_display(&f, "Y", NULL, LANG_ZH, buf, sizeof buf);
	assert_string_equal(buf, "是");
	validate_display(&f, "N", NULL, LANG_ZH, buf, sizeof buf);
	assert_string_equal(buf, "否");

	f.type = FT_DATE;
	validate_display(&f, "2026-03-07", "DD/MM/YYYY", LANG_EN, buf, sizeof buf);
	assert_string_equal(buf, "07/03/2026");
	validate_display(&f, "2026-03-07", NULL, LANG_EN, buf, sizeof buf);
	assert_string_equal(buf, "2026-03-07");
	f.type = FT_PDATE;
	validate_display(&f, "2026-03", "DD/MM/YYYY", LANG_EN, buf, sizeof buf);
	assert_string_equal(buf, "03/2026");

	f.type = FT_DECIMAL;
	validate_display(&f, "1.80", NULL, LANG_EN, buf, sizeof buf);
	assert_string_equal(buf, "1.80");
	f.type = FT_TIME;
	validate_display(&f, "14:05", NULL, LANG_EN, buf, sizeof buf);
	assert_string_equal(buf, "14:05");

	f.type = FT_CALC;
	f.result = FT_DATE;
	validate_display(&f, "2026-04-01", "MM/DD/YYYY", LANG_EN, buf, sizeof buf);
	assert_string_equal(buf, "04/01/2026");
	f.result = FT_YESNO;
	validate_display(&f, "Y", NULL, LANG_EN, buf, sizeof buf);
	assert_string_equal(buf, "Yes");

	/* a short buffer never cuts a character in half */
	f.type = FT_TEXT;
	validate_display(&f, "ab中文", NULL, LANG_EN, buf, 6);
	assert_string_equal(buf, "ab中");
	validate_display(&f, "ab中文", NULL, LANG_EN, buf, 5);
	assert_string_equal(buf, "ab");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integer),
		cmocka_unit_test(test_hard_range),
		cmocka_unit_test(test_soft_range),
		cmocka_unit_test(test_validate_range),
		cmocka_unit_test(test_decimal),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_partialdate),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_yesno),
		cmocka_unit_test(test_choice),
		cmocka_unit_test(test_multichoice),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_pattern),
		cmocka_unit_test(test_memo),
		cmocka_unit_test(test_no_input),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_to_value),
		cmocka_unit_test(test_display),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
