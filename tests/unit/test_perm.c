/* test_perm.c - roles and the permission matrix: every cell as expected,
 * role names both ways, unknown roles refused, plain refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "crf/perm.h"

/*
 * The matrix crf must have, written out here on its own: a change to the
 * table in src/core/perm.c fails this test until it is made here too (and
 * in docs/roles.md).  Columns by action name, rows by role name: 'x'
 * allows, '.' refuses.
 */
static const char *const columns[] = {
	"view", "enter", "complete", "sign", "verify", "raise-query", "answer-query",
	"close-query", "lock", "unlock", "export", "manage-users", "enrol", "screen-fail",
	"withdraw", "end-study", "record-death",
};
#define NCOLUMNS (sizeof columns / sizeof columns[0])

static const struct {
	const char *role;
	const char *cells;          /* one per column above; blanks between */
} expected[] = {
	/*                 view enter complete sign verify raise answer close lock unlock export users enrol sfail withdr endst death */
	{ "data-entry",   " x    x     x       .    .      .     x      .     .    .      .      .     .     .     .      x     x   " },
	{ "investigator", " x    x     x       x    .      .     x      .     .    .      .      .     x     x     x      x     x   " },
	{ "monitor",      " x    .     .       .    x      x     .      x     .    .      .      .     .     .     .      .     .   " },
	{ "data-manager", " x    .     .       .    .      x     .      x     x    x      x      .     .     .     .      .     .   " },
	{ "admin",        " x    .     .       .    .      .     .      .     .    .      .      x     .     .     .      .     .   " },
};
#define NEXPECTED (sizeof expected / sizeof expected[0])

static perm_action
action_named(const char *name)
{
	for (int p = 0; p < PERM_COUNT; p++)
		if (strcmp(perm_action_name((perm_action)p), name) == 0)
			return (perm_action)p;
	fail_msg("no action is named %s", name);
	return PERM_ANYONE;
}

static void
test_every_cell(void **state)
{
	(void)state;
	/* The test names every action and every role, once. */
	assert_int_equal(NCOLUMNS, PERM_COUNT);
	assert_int_equal(NEXPECTED, ROLE_COUNT - 1);
	for (size_t c = 0; c < NCOLUMNS; c++)
		for (size_t d = c + 1; d < NCOLUMNS; d++)
			assert_int_not_equal(action_named(columns[c]), action_named(columns[d]));
	for (size_t i = 0; i < NEXPECTED; i++) {
		crf_role r = role_from_name(expected[i].role);

		char cells[NCOLUMNS + 1];
		size_t n = 0;

		assert_int_not_equal(r, ROLE_NONE);
		for (const char *p = expected[i].cells; *p; p++)
			if (*p != ' ' && n++ < NCOLUMNS)
				cells[n - 1] = *p;
		assert_int_equal(n, NCOLUMNS);
		for (size_t c = 0; c < NCOLUMNS; c++) {
			bool want = cells[c] == 'x';

			assert_true(cells[c] == 'x' || cells[c] == '.');

			if (perm_allows(r, action_named(columns[c])) != want)
				fail_msg("%s / %s: perm_allows gives %s, expected %s", expected[i].role,
				    columns[c], want ? "no" : "yes", want ? "yes" : "no");
		}
	}
}

static void
test_gcp_rules(void **state)
{
	(void)state;
	/* What the matrix is for, said once more in words. */
	assert_false(perm_allows(ROLE_MONITOR, PERM_ENTER));       /* monitors never change data */
	assert_false(perm_allows(ROLE_ADMIN, PERM_ENTER));         /* nor do administrators */
	assert_false(perm_allows(ROLE_ADMIN, PERM_COMPLETE));
	assert_false(perm_allows(ROLE_DATA_MANAGER, PERM_ENTER));
	assert_false(perm_allows(ROLE_DATA_ENTRY, PERM_SIGN));     /* only investigators sign */
	assert_true(perm_allows(ROLE_INVESTIGATOR, PERM_SIGN));
	for (int r = ROLE_NONE + 1; r < ROLE_COUNT; r++) {
		assert_true(perm_allows((crf_role)r, PERM_VIEW));
		/* Nobody both enters data and verifies it. */
		assert_false(perm_allows((crf_role)r, PERM_ENTER) &&
		    perm_allows((crf_role)r, PERM_VERIFY));
		/* Only administrators manage accounts. */
		assert_int_equal(perm_allows((crf_role)r, PERM_MANAGE_USERS), r == ROLE_ADMIN);
	}
}

static void
test_nobody_and_anyone(void **state)
{
	(void)state;
	for (int p = 0; p < PERM_COUNT; p++) {
		assert_false(perm_allows(ROLE_NONE, (perm_action)p));
		assert_false(perm_allows((crf_role)ROLE_COUNT, (perm_action)p));
		assert_false(perm_allows((crf_role)-1, (perm_action)p));
	}
	for (int r = ROLE_NONE; r <= ROLE_COUNT; r++) {
		assert_true(perm_allows((crf_role)r, PERM_ANYONE));
		assert_false(perm_allows((crf_role)r, PERM_COUNT));
		assert_false(perm_allows((crf_role)r, (perm_action)-2));
	}
}

static void
test_role_names(void **state)
{
	static const struct {
		crf_role role;
		const char *name, *title;
	} want[] = {
		{ ROLE_DATA_ENTRY, "data-entry", "Research nurse (data entry)" },
		{ ROLE_INVESTIGATOR, "investigator", "Investigator" },
		{ ROLE_MONITOR, "monitor", "Monitor (CRA)" },
		{ ROLE_DATA_MANAGER, "data-manager", "Data manager" },
		{ ROLE_ADMIN, "admin", "Administrator" },
	};

	(void)state;
	assert_int_equal(sizeof want / sizeof want[0], ROLE_COUNT - 1);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		assert_string_equal(role_name(want[i].role), want[i].name);
		assert_string_equal(role_title(want[i].role), want[i].title);
		assert_int_equal(role_from_name(want[i].name), want[i].role);
		assert_true(strlen(role_duties(want[i].role)) > 0);
	}
	for (int r = ROLE_NONE + 1; r < ROLE_COUNT; r++)
		assert_int_equal(role_from_name(role_name((crf_role)r)), r);
	for (int p = 0; p < PERM_COUNT; p++) {
		assert_true(strlen(perm_action_name((perm_action)p)) > 0);
		assert_true(strlen(perm_action_phrase((perm_action)p)) > 0);
	}
	assert_string_equal(perm_action_name(PERM_ANYONE), "anyone");
	assert_string_equal(perm_action_name(PERM_COUNT), "");
	assert_string_equal(perm_action_phrase(PERM_ANYONE), "");
}

static void
test_unknown_roles(void **state)
{
	static const char *const bad[] = {
		"", "boss", "Monitor", "ADMIN", "monitor ", " admin", "data_entry", "dataentry",
		"data-entry-2", "nurse", "cra", "none", "anyone", "view",
	};

	(void)state;
	assert_int_equal(role_from_name(NULL), ROLE_NONE);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (role_from_name(bad[i]) != ROLE_NONE)
			fail_msg("'%s' was taken for a role", bad[i]);
	assert_string_equal(role_name(ROLE_NONE), "");
	assert_string_equal(role_name((crf_role)ROLE_COUNT), "");
	assert_string_equal(role_name((crf_role)-1), "");
	assert_string_equal(role_title(ROLE_NONE), "Not signed in");
	assert_string_equal(role_title((crf_role)99), "Not signed in");
	assert_string_equal(role_duties(ROLE_NONE), "");
}

static void
test_explain(void **state)
{
	char buf[160], tiny[8];

	(void)state;
	assert_false(perm_explain(ROLE_MONITOR, PERM_ENTER, buf, sizeof buf));
	assert_string_equal(buf, "A monitor cannot enter data; monitors verify and raise queries");
	assert_false(perm_explain(ROLE_ADMIN, PERM_ENTER, buf, sizeof buf));
	assert_string_equal(buf, "An administrator cannot enter data; administrators manage user accounts");
	assert_false(perm_explain(ROLE_DATA_ENTRY, PERM_SIGN, buf, sizeof buf));
	assert_string_equal(buf, "A research nurse cannot sign forms; research nurses enter data and "
	    "answer queries");
	assert_true(perm_explain(ROLE_MONITOR, PERM_RAISE_QUERY, buf, sizeof buf));
	assert_string_equal(buf, "A monitor may raise queries");
	assert_true(perm_explain(ROLE_INVESTIGATOR, PERM_SIGN, buf, sizeof buf));
	assert_string_equal(buf, "An investigator may sign forms");
	assert_false(perm_explain(ROLE_NONE, PERM_VIEW, buf, sizeof buf));
	assert_string_equal(buf, "Sign in first: nobody may view data before signing in");

	/* The refusals the screens give fit the 80-column message line. */
	for (int r = ROLE_NONE + 1; r < ROLE_COUNT; r++) {
		static const perm_action on_screen[] = { PERM_ENTER, PERM_COMPLETE };

		for (size_t k = 0; k < 2; k++) {
			bool ok = perm_explain((crf_role)r, on_screen[k], buf, sizeof buf);

			assert_int_equal(ok, perm_allows((crf_role)r, on_screen[k]));
			if (strlen(buf) > 80)
				fail_msg("too long for the message line: %s", buf);
		}
	}
	/* Cut short, still a string; nothing written into no room. */
	perm_explain(ROLE_MONITOR, PERM_ENTER, tiny, sizeof tiny);
	assert_string_equal(tiny, "A monit");
	tiny[0] = 'Z';
	assert_false(perm_explain(ROLE_MONITOR, PERM_ENTER, tiny, 0));
	assert_int_equal(tiny[0], 'Z');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_cell),
		cmocka_unit_test(test_gcp_rules),
		cmocka_unit_test(test_nobody_and_anyone),
		cmocka_unit_test(test_role_names),
		cmocka_unit_test(test_unknown_roles),
		cmocka_unit_test(test_explain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
