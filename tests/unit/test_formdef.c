/* test_formdef.c - loading form definitions, and every check of
 * `crf forms check`, on tests/fixtures/study and broken copies of it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crf/formdef.h"
#include "crf/util.h"

#define FIXTURE "tests/fixtures/study"

static void
write_file(const char *dir, const char *name, const char *text)
{
	char *path = path_join(dir, name);
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	free(path);
}

/* A temporary copy of the fixture study. */
static char *
copy_fixture(void)
{
	char tmpl[] = "/tmp/crf-formdef.XXXXXX";
	char *dir = xstrdup(mkdtemp(tmpl));
	DIR *dp = opendir(FIXTURE);
	struct dirent *de;

	assert_non_null(dp);
	while ((de = readdir(dp)) != NULL) {
		char *src, *text;
		if (de->d_name[0] == '.')
			continue;
		src = path_join(FIXTURE, de->d_name);
		text = file_read_all(src, NULL);
		assert_non_null(text);
		write_file(dir, de->d_name, text);
		free(text);
		free(src);
	}
	closedir(dp);
	return dir;
}

static void
remove_dir(char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *de;

	while ((de = readdir(dp)) != NULL) {
		char *p;
		if (de->d_name[0] == '.')
			continue;
		p = path_join(dir, de->d_name);
		unlink(p);
		free(p);
	}
	closedir(dp);
	rmdir(dir);
	free(dir);
}

static void
append_file(const char *dir, const char *name, const char *text)
{
	char *path = path_join(dir, name);
	FILE *fp = fopen(path, "a");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	free(path);
}

/* Count the lines of a file (the line number of text appended next is
 * this plus one). */
static int
line_count(const char *dir, const char *name)
{
	char *path = path_join(dir, name);
	char *text = file_read_all(path, NULL);
	int n = 0;

	for (char *p = text; *p; p++)
		if (*p == '\n')
			n++;
	free(text);
	free(path);
	return n;
}

/* Load dir, expect failure with a diagnostic in file `name` at `line`
 * (0: any line) containing `needle`. */
static void
expect_diag(const char *dir, const char *name, int line, const char *needle)
{
	formdef_diags d = {0};
	study_def *sd = NULL;
	bool found = false;

	assert_int_equal(formdef_load(dir, &sd, &d), CRF_EDEF);
	assert_null(sd);
	for (size_t i = 0; i < d.n; i++) {
		if (str_ends(d.items[i].file, name) && (line == 0 || d.items[i].line == line) &&
		    strstr(d.items[i].msg, needle))
			found = true;
	}
	if (!found) {
		for (size_t i = 0; i < d.n; i++)
			print_message("  got %s:%d: %s\n", d.items[i].file, d.items[i].line,
			    d.items[i].msg);
		fail_msg("no diagnostic %s:%d containing '%s'", name, line, needle);
	}
	formdef_diags_free(&d);
}

static void
test_good_study_loads(void **state)
{
	formdef_diags d = {0};
	study_def *sd = NULL;
	const form_def *dm, *inf, *aph;
	const field_def *f;

	(void)state;
	if (formdef_load(FIXTURE, &sd, &d) != CRF_OK) {
		for (size_t i = 0; i < d.n; i++)
			print_message("%s:%d: %s\n", d.items[i].file, d.items[i].line, d.items[i].msg);
		fail();
	}
	assert_int_equal(d.n, 0);
	assert_string_equal(sd->id, "TEST.STUDY");
	assert_string_equal(i18n_get(&sd->name, LANG_ZH), "测试研究");
	assert_int_equal(sd->metadata_version, 2);
	assert_int_equal(sd->nforms, 6);
	assert_int_equal(sd->nevents, 4);
	assert_int_equal(sd->nlogs, 2);
	assert_string_equal(sd->logs[0]->id, "aph");
	assert_string_equal(sd->events[0].id, "scr");
	assert_string_equal(sd->events[2].id, "fu30");
	assert_true(sd->events[2].has_day);
	assert_int_equal(sd->events[2].day, 30);
	assert_int_equal(sd->events[2].win_before, 7);
	assert_int_equal(sd->events[2].win_after, 7);
	assert_true(sd->events[3].repeating);
	assert_string_equal(sd->anchor_field->id, "infdat");
	assert_int_equal(sd->nmissing, 3);
	assert_string_equal(sd->missing[0].code, "UNK");
	assert_int_equal(sd->nconstants, 4);
	assert_int_equal(sd->constants[0].value.type, VAL_NUM);
	assert_int_equal(sd->constants[2].value.type, VAL_DATE);
	assert_int_equal(sd->constants[3].value.type, VAL_BOOL);

	dm = study_form(sd, "dm");
	assert_non_null(dm);
	assert_int_equal(dm->version, 2);
	assert_string_equal(dm->domain, "DM");
	assert_int_equal(dm->nsections, 2);
	assert_string_equal(dm->sections[1].id, "body");
	assert_int_equal(dm->sections[0].count, 3);
	f = form_field(dm, "sex");
	assert_non_null(f->choices);
	assert_string_equal(f->choices->items[0].code, "M");
	assert_string_equal(i18n_get(&f->choices->items[1].label, LANG_ZH), "女");
	assert_string_equal(f->export_name, "SEX");
	f = form_field(dm, "weight");
	assert_true(f->hard.has_min && f->hard.min == 30 && f->hard.max == 200);
	assert_true(f->soft.has_min && f->soft.min == 40);
	assert_int_equal(f->decimals, 1);
	assert_int_equal(f->missing_mask, 0x3);  /* UNK and ND */
	f = form_field(dm, "bsa");
	assert_int_equal(f->type, FT_CALC);
	assert_int_equal(f->result, FT_DECIMAL);
	assert_int_equal(f->value_type, VAL_NUM);
	assert_non_null(f->calc);
	f = form_field(dm, "pregnant");
	assert_non_null(f->show_if);
	f = form_field(dm, "bmi");
	assert_int_equal(f->since, 2);
	f = form_field(dm, "initials");
	assert_non_null(f->pattern);
	assert_int_equal(f->maxlen, 3);
	assert_int_equal(form_field(dm, "onset")->type, FT_PDATE);
	assert_int_equal(form_field(dm, "info1")->type, FT_INFO);
	assert_int_equal(form_field(dm, "infusion_day")->result, FT_INTEGER);
	assert_int_equal(dm->nchecks, 2);
	assert_int_equal(dm->checks[1].level, CHECK_SOFT);
	assert_ptr_equal(dm->checks[1].field, form_field(dm, "bmi"));
	assert_int_equal(dm->ncalc, 3);

	inf = study_form(sd, "inf");
	f = form_field(inf, "sessions");
	{
		const expr_ref *r = expr_ref_const(f->calc, 0);
		const ref_target *t = r->binding;
		assert_int_equal(t->kind, REF_LOG);
		assert_ptr_equal(t->form, study_form(sd, "aph"));
	}
	/* vs is in three events: scr.dm.bsa names its event explicitly. */
	f = form_field(study_form(sd, "vs"), "bsa_copy");
	{
		const ref_target *t = expr_ref_const(f->calc, 0)->binding;
		assert_ptr_equal(t->event, study_event(sd, "scr"));
		assert_ptr_equal(t->field, form_field(dm, "bsa"));
		assert_int_equal(f->value_type, VAL_NUM);   /* inferred through bsa */
	}
	aph = study_form(sd, "aph");
	assert_true(aph->is_log);
	f = form_field(aph, "cumyield");
	{
		/* aph.yield and aph.aphdat are per instance; the bare aphdat is not. */
		const expr_ref *r0 = expr_ref_const(f->calc, 0);
		bool saw_outer = false;
		assert_true(r0->per_instance);
		for (size_t i = 0; i < expr_nrefs(f->calc); i++) {
			const expr_ref *r = expr_ref_const(f->calc, i);
			const ref_target *t = r->binding;
			if (!r->per_instance) {
				saw_outer = true;
				assert_true(t->same_instance);
			}
		}
		assert_true(saw_outer);
	}
	assert_int_equal(study_field_count(sd), 29);
	assert_int_equal(study_missing_index(sd, "nd"), 1);
	formdef_free(sd);
	formdef_diags_free(&d);
}

/* One broken variant per test: text appended to a file of the fixture. */
static void
broken(const char *file, const char *text, int line_offset, const char *needle)
{
	char *dir = copy_fixture();
	int line = line_count(dir, file) + line_offset;

	append_file(dir, file, text);
	expect_diag(dir, file, line_offset ? line : 0, needle);
	remove_dir(dir);
}

static void
test_unknown_key(void **state)
{
	(void)state;
	broken("vs.ini", "[field pulse]\ntype = integer\nlable = Pulse\n", 3, "unknown key 'lable'");
}

static void
test_bad_type(void **state)
{
	(void)state;
	broken("vs.ini", "[field pulse]\ntype = number\nlabel = Pulse\n", 2, "unknown type 'number'");
}

static void
test_range_min_over_max(void **state)
{
	(void)state;
	broken("vs.ini", "[field pulse]\ntype = integer\nlabel = Pulse\nrange = 200..30\n", 4,
	    "minimum is greater than the maximum");
}

static void
test_soft_outside_hard(void **state)
{
	(void)state;
	broken("vs.ini", "[field pulse]\ntype = integer\nlabel = Pulse\nrange = 30..200\n"
	    "soft = 20..100\n", 5, "soft range starts below the hard range");
}

static void
test_unknown_field_ref(void **state)
{
	(void)state;
	broken("vs.ini", "[field x]\ntype = calc\nlabel = X\ncalc = temp + nosuch\n", 4,
	    "has no field 'nosuch'");
}

static void
test_unknown_form_ref(void **state)
{
	(void)state;
	broken("vs.ini", "[field x]\ntype = calc\nlabel = X\ncalc = lab.hb\n", 4,
	    "unknown form 'lab'");
}

static void
test_unknown_event_ref(void **state)
{
	(void)state;
	broken("vs.ini", "[field x]\ntype = calc\nlabel = X\ncalc = m99.dm.weight\n", 4,
	    "unknown event 'm99'");
}

static void
test_ambiguous_form_ref(void **state)
{
	(void)state;
	broken("inf.ini", "[field x]\ntype = calc\nlabel = X\ncalc = vs.temp\n", 4,
	    "form 'vs' is in 3 events");
}

static void
test_log_field_outside_aggregate(void **state)
{
	(void)state;
	broken("inf.ini", "[field x]\ntype = calc\nlabel = X\ncalc = aph.yield\n", 4,
	    "use it through an aggregate");
}

static void
test_calc_cycle(void **state)
{
	(void)state;
	broken("vs.ini", "[field a]\ntype = calc\nlabel = A\ncalc = b + 1\n"
	    "[field b]\ntype = calc\nlabel = B\ncalc = a + 1\n", 0, "calculation cycle: a -> b -> a");
}

static void
test_cross_form_cycle(void **state)
{
	char *dir = copy_fixture();

	(void)state;

	append_file(dir, "inf.ini", "[field p]\ntype = calc\nlabel = P\ncalc = scr.dm.q\n");
	append_file(dir, "dm.ini", "[field q]\ntype = calc\nlabel = Q\ncalc = d0.inf.p\n");
	expect_diag(dir, ".ini", 0, "calculation cycle");
	remove_dir(dir);
}

static void
test_type_error(void **state)
{
	(void)state;
	broken("vs.ini", "[field x]\ntype = calc\nlabel = X\ncalc = vsdat + \"a\"\n", 4, "calc:");
}

static void
test_show_not_boolean(void **state)
{
	(void)state;
	broken("vs.ini", "[field x]\ntype = integer\nlabel = X\nshow = temp + 1\n", 4,
	    "yes/no");
}

static void
test_parse_error(void **state)
{
	(void)state;
	broken("vs.ini", "[field x]\ntype = calc\nlabel = X\ncalc = (temp + 1\n", 4, "calc: column");
}

static void
test_choice_code_twice(void **state)
{
	(void)state;
	broken("fu.ini", "CMV = Again\n", 1, "appears twice");
}

static void
test_unknown_list(void **state)
{
	(void)state;
	broken("vs.ini", "[field x]\ntype = choice\nlabel = X\nchoices = colours\n", 4,
	    "unknown choice list 'colours'");
}

static void
test_duplicate_key(void **state)
{
	(void)state;
	broken("vs.ini", "[field x]\ntype = integer\nlabel = X\nlabel = Y\n", 4,
	    "key 'label' appears twice");
}

static void
test_duplicate_section(void **state)
{
	(void)state;
	broken("vs.ini", "[field temp]\ntype = integer\nlabel = Again\n", 1,
	    "section [field temp] appears twice");
}

static void
test_colon_in_section(void **state)
{
	(void)state;
	broken("vs.ini", "[field bp:sys]\ntype = integer\nlabel = BP\n", 1, "contains ':'");
}

static void
test_long_line(void **state)
{
	strbuf sb = {0};

	(void)state;
	sb_add(&sb, "[field x]\ntype = text\nhelp = ");
	for (int i = 0; i < 1100; i++)
		sb_add(&sb, "x");
	sb_add(&sb, "\nlabel = X\n");
	broken("vs.ini", sb.s, 3, "at most 1022");
	sb_free(&sb);
}

static void
test_semicolon_in_value(void **state)
{
	(void)state;
	broken("vs.ini", "[field x]\ntype = text\nlabel = Dose;route\n", 3, "starts a comment");
}

static void
test_undeclared_missing_code(void **state)
{
	(void)state;
	broken("vs.ini", "[field x]\ntype = integer\nlabel = X\nmissing = NK\n", 4,
	    "'NK' is not declared");
}

static void
test_export_name(void **state)
{
	(void)state;
	broken("vs.ini", "[field x]\ntype = integer\nlabel = X\nexport = toolongname\n", 4,
	    "export name");
	broken("vs.ini", "[field x]\ntype = integer\nlabel = X\nexport = TEMP\n", 1,
	    "export name TEMP is already used");
}

static void
test_event_unknown_form(void **state)
{
	(void)state;
	broken("study.ini", "[event m3]\ntitle = Month 3\nforms = vs, qol\nday = 91\n", 3,
	    "unknown form 'qol'");
}

static void
test_form_in_no_event(void **state)
{
	char *dir = copy_fixture();

	(void)state;

	write_file(dir, "orphan.ini", "[form]\ntitle = Orphan\n[field a]\ntype = text\nlabel = A\n");
	expect_diag(dir, "orphan.ini", 1, "in no event");
	remove_dir(dir);
}

static void
test_syntax_error(void **state)
{
	(void)state;
	broken("vs.ini", "[field x]\nthis line has no equals sign\n", 2, "expected 'key = value'");
}

static void
test_decimal_needs_decimals(void **state)
{
	(void)state;
	broken("vs.ini", "[field x]\ntype = decimal\nlabel = X\n", 1, "needs 'decimals'");
}

static void
test_octal_looking_number_is_decimal(void **state)
{
	char *dir = copy_fixture();
	formdef_diags d = {0};
	study_def *sd = NULL;

	(void)state;
	append_file(dir, "vs.ini", "[field x]\ntype = decimal\nlabel = X\ndecimals = 1\n"
	    "range = 08..099\n");
	assert_int_equal(formdef_load(dir, &sd, &d), CRF_OK);
	assert_true(form_field(study_form(sd, "vs"), "x")->hard.max == 99);
	assert_true(form_field(study_form(sd, "vs"), "x")->hard.min == 8);
	formdef_free(sd);
	formdef_diags_free(&d);
	remove_dir(dir);
}

static void
test_all_problems_reported(void **state)
{
	char *dir = copy_fixture();
	formdef_diags d = {0};
	study_def *sd = NULL;

	(void)state;
	append_file(dir, "vs.ini", "[field a]\ntype = number\nlabel = A\n");
	append_file(dir, "fu.ini", "[field b]\ntype = integer\nlable = B\n");
	assert_int_equal(formdef_load(dir, &sd, &d), CRF_EDEF);
	assert_true(d.n >= 3);   /* both files, not just the first problem */
	formdef_diags_free(&d);
	remove_dir(dir);
}

static void
test_missing_folder(void **state)
{
	formdef_diags d = {0};
	study_def *sd = NULL;

	(void)state;
	assert_int_equal(formdef_load("/nonexistent/forms", &sd, &d), CRF_EDEF);
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.items[0].msg, "cannot open"));
	formdef_diags_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_study_loads),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_bad_type),
		cmocka_unit_test(test_range_min_over_max),
		cmocka_unit_test(test_soft_outside_hard),
		cmocka_unit_test(test_unknown_field_ref),
		cmocka_unit_test(test_unknown_form_ref),
		cmocka_unit_test(test_unknown_event_ref),
		cmocka_unit_test(test_ambiguous_form_ref),
		cmocka_unit_test(test_log_field_outside_aggregate),
		cmocka_unit_test(test_calc_cycle),
		cmocka_unit_test(test_cross_form_cycle),
		cmocka_unit_test(test_type_error),
		cmocka_unit_test(test_show_not_boolean),
		cmocka_unit_test(test_parse_error),
		cmocka_unit_test(test_choice_code_twice),
		cmocka_unit_test(test_unknown_list),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_duplicate_section),
		cmocka_unit_test(test_colon_in_section),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_semicolon_in_value),
		cmocka_unit_test(test_undeclared_missing_code),
		cmocka_unit_test(test_export_name),
		cmocka_unit_test(test_event_unknown_form),
		cmocka_unit_test(test_form_in_no_event),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_decimal_needs_decimals),
		cmocka_unit_test(test_octal_looking_number_is_decimal),
		cmocka_unit_test(test_all_problems_reported),
		cmocka_unit_test(test_missing_folder),
	};
	return cmocka_run_group_tests_name("formdef", tests, NULL, NULL);
}
