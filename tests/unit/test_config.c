/* test_config.c - config.ini: defaults, resolution, every kind of error. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crf/config.h"
#include "crf/util.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/crf-config.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char *p = path_join(dir, "config.ini");

	(void)state;
	unlink(p);
	free(p);
	rmdir(dir);
	return 0;
}

static char *
write_config(const char *text)
{
	char *p = path_join(dir, "config.ini");
	FILE *fp = fopen(p, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return p;
}

static const char minimal[] =
    "[site]\ncode = TJ01\nname = Tianjin\n[database]\npath = data/site.db\n";

static void
test_minimal_with_defaults(void **state)
{
	char *p = write_config(minimal);
	crf_config c;
	crf_err e;
	char *want;

	(void)state;
	assert_int_equal(config_load(p, &c, &e), CRF_OK);
	assert_string_equal(c.site_code, "TJ01");
	assert_string_equal(c.site_name, "Tianjin");
	want = xasprintf("%s/data/site.db", dir);
	assert_string_equal(c.db_path, want);       /* relative to the file */
	free(want);
	want = xasprintf("%s/forms", dir);
	assert_string_equal(c.forms_dir, want);
	free(want);
	assert_int_equal(c.lang, LANG_EN);
	assert_string_equal(c.date_format, "YYYY-MM-DD");
	assert_int_equal(c.idle_lock_minutes, 10);
	assert_int_equal(c.failed_login_limit, 5);
	assert_int_equal(c.password_min_length, 10);
	assert_int_equal(c.password_max_age_days, 180);
	config_free(&c);
	free(p);
}

static void
test_full(void **state)
{
	char *p = write_config("[site]\ncode = BJ2\nname = \"Site; two\"\n"
	    "[database]\npath = /var/lib/crf/bj2.db\n[forms]\ndir = /opt/forms\n"
	    "[display]\nlanguage = zh\ndate_format = DD/MM/YYYY\n"
	    "[security]\nidle_lock_minutes = 5\nfailed_login_limit = 3\n"
	    "password_min_length = 12\npassword_max_age_days = 0\n");
	crf_config c;
	crf_err e;

	(void)state;
	assert_int_equal(config_load(p, &c, &e), CRF_OK);
	assert_string_equal(c.site_name, "Site; two");
	assert_string_equal(c.db_path, "/var/lib/crf/bj2.db");
	assert_string_equal(c.forms_dir, "/opt/forms");
	assert_int_equal(c.lang, LANG_ZH);
	assert_string_equal(c.date_format, "DD/MM/YYYY");
	assert_int_equal(c.idle_lock_minutes, 5);
	assert_int_equal(c.password_max_age_days, 0);
	config_free(&c);
	free(p);
}

static void
expect_error(const char *text, const char *needle)
{
	char *p = write_config(text);
	crf_config c;
	crf_err e;

	assert_int_equal(config_load(p, &c, &e), CRF_ECONFIG);
	if (strstr(e.msg, needle) == NULL)
		fail_msg("'%s' not in: %s", needle, e.msg);
	assert_non_null(strstr(e.msg, "config.ini:"));
	assert_null(c.site_code);
	free(p);
}

static void
test_errors(void **state)
{
	(void)state;
	expect_error("[site]\nname = X\n[database]\npath = a.db\n", "[site] code: is required");
	expect_error("[site]\ncode = tj01\nname = X\n[database]\npath = a.db\n",
	    "config.ini:2: [site] code: must be 2 to 8 upper-case");
	expect_error("[site]\ncode = TJ01\nname = X\n", "[database] path: is required");
}

static void
test_unknown_and_bad_values(void **state)
{
	char buf[512];

	(void)state;
	snprintf(buf, sizeof buf, "%s[display]\nlanguage = fr\n", minimal);
	expect_error(buf, "[display] language: must be en or zh, not 'fr'");
	snprintf(buf, sizeof buf, "%s[display]\ndate_format = D/M/Y\n", minimal);
	expect_error(buf, "date_format: must be");
	snprintf(buf, sizeof buf, "%s[security]\nidle_lock_minutes = 0\n", minimal);
	expect_error(buf, "config.ini:7: [security] idle_lock_minutes: must be between 1 and 240");
	snprintf(buf, sizeof buf, "%s[security]\nfailed_login_limit = five\n", minimal);
	expect_error(buf, "failed_login_limit: must be a whole number");
	snprintf(buf, sizeof buf, "%s[display]\ncolour = yes\n", minimal);
	expect_error(buf, "config.ini:7: [display] colour: unknown key");
	snprintf(buf, sizeof buf, "%s[network]\nport = 1\n", minimal);
	expect_error(buf, "config.ini:6: unknown section [network]");
	snprintf(buf, sizeof buf, "%s[site]\ncode = X2\n", minimal);
	expect_error(buf, "appears twice");
	snprintf(buf, sizeof buf, "%sthis is not ini\n", minimal);
	expect_error(buf, "expected 'key = value'");
}

static void
test_missing_file(void **state)
{
	crf_config c;
	crf_err e;

	(void)state;
	assert_int_equal(config_load("/nonexistent/config.ini", &c, &e), CRF_EIO);
	assert_non_null(strstr(e.msg, "cannot read"));
}

static void
test_locate(void **state)
{
	char *p;

	(void)state;
	p = config_locate("given.ini");
	assert_string_equal(p, "given.ini");
	free(p);
	setenv("CRF_CONFIG", "/env/config.ini", 1);
	p = config_locate(NULL);
	assert_string_equal(p, "/env/config.ini");
	free(p);
	unsetenv("CRF_CONFIG");
	p = config_locate(NULL);
	assert_true(strcmp(p, "config.ini") == 0 || strcmp(p, "/etc/crf/config.ini") == 0);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_with_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_unknown_and_bad_values),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_locate),
	};
	return cmocka_run_group_tests_name("config", tests, setup, teardown);
}
