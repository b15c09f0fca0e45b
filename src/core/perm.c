/* perm.c - the permission matrix: which role may do which action. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "crf/perm.h"

/*
 * Who may do what.  One row per role, one column per action of
 * PERM_ACTIONS (named below); YES allows, no refuses.  Read across a row
 * for everything a role may do, down a column for everyone who may do one
 * thing.  docs/roles.md shows the same matrix, and tests/unit/test_perm.c
 * checks every cell against its own copy: change all three together.
 *
 *   view      see subjects, casebooks, forms and history
 *   enter     add subjects, visits and log entries; enter and change values
 *   complete  mark a form complete
 *   sign      sign a form as investigator
 *   verify    source data verification (SDV) of a form
 *   raiseq    raise a query on a value
 *   answq     answer a query
 *   closeq    close or reopen a query
 *   lock      lock a form or subject; unlock: undo it (with a reason)
 *   export    export data (ODM)
 *   users     add, retire and review accounts
 *   enrol     enrol a screened subject (the investigator's eligibility decision)
 *   sfail     record a screen failure, with its reason
 *   withdr    withdraw an enrolled subject, with the reason
 *   endst     record that an enrolled subject completed the study
 *   death     record a subject's death
 */
#define PERM_MATRIX(ROW) \
/*      role                view enter complete sign verify raiseq answq closeq lock unlock export users enrol sfail withdr endst death */ \
	ROW(ROLE_DATA_ENTRY,    YES, YES,  YES,     no,  no,    no,    YES,  no,    no,  no,    no,    no,   no,   no,   no,    YES,  YES ) \
	ROW(ROLE_INVESTIGATOR,  YES, YES,  YES,     YES, no,    no,    YES,  no,    no,  no,    no,    no,   YES,  YES,  YES,   YES,  YES ) \
	ROW(ROLE_MONITOR,       YES, no,   no,      no,  YES,   YES,   no,   YES,   no,  no,    no,    no,   no,   no,   no,    no,   no  ) \
	ROW(ROLE_DATA_MANAGER,  YES, no,   no,      no,  no,    YES,   no,   YES,   YES, YES,   YES,   no,   no,   no,   no,    no,   no  ) \
	ROW(ROLE_ADMIN,         YES, no,   no,      no,  no,    no,    no,   no,    no,  no,    no,    YES,  no,   no,   no,    no,   no  )

#define YES true
#define no false
/* Seventeen named columns: a row with one too few or too many does not
 * compile, and each value lands on the action it is written under. */
#define MATRIX_ROW(r, view, enter, complete, sign, verify, raiseq, answq, closeq, lock, \
	    unlock, export, users, enrol, sfail, withdr, endst, death) \
	[r] = { [PERM_VIEW] = view, [PERM_ENTER] = enter, [PERM_COMPLETE] = complete, \
		[PERM_SIGN] = sign, [PERM_VERIFY] = verify, [PERM_RAISE_QUERY] = raiseq, \
		[PERM_ANSWER_QUERY] = answq, [PERM_CLOSE_QUERY] = closeq, [PERM_LOCK] = lock, \
		[PERM_UNLOCK] = unlock, [PERM_EXPORT] = export, [PERM_MANAGE_USERS] = users, \
		[PERM_ENROL] = enrol, [PERM_SCREEN_FAIL] = sfail, [PERM_WITHDRAW] = withdr, \
		[PERM_END_STUDY] = endst, [PERM_RECORD_DEATH] = death },

_Static_assert(PERM_COUNT == 17, "PERM_MATRIX has one column per action: add the new one");

/* ROLE_NONE's row stays all false. */
static const bool matrix[ROLE_COUNT][PERM_COUNT] = {
	PERM_MATRIX(MATRIX_ROW)
};

#undef MATRIX_ROW
#undef YES
#undef no

static const struct {
	const char *name, *title, *one, *duties;
} roles[ROLE_COUNT] = {
	[ROLE_NONE] = { "", "Not signed in", "nobody", "" },
#define ROLE_ROW(r, name, title, one, duties) [r] = { name, title, one, duties },
	PERM_ROLES(ROLE_ROW)
#undef ROLE_ROW
};

static const struct {
	const char *name, *phrase;
} actions[PERM_COUNT] = {
#define ACTION_ROW(p, name, phrase) [p] = { name, phrase },
	PERM_ACTIONS(ACTION_ROW)
#undef ACTION_ROW
};

static bool
role_valid(crf_role role)
{
	return role > ROLE_NONE && role < ROLE_COUNT;
}

static bool
action_valid(perm_action act)
{
	return act >= 0 && act < PERM_COUNT;
}

crf_role
role_from_name(const char *name)
{
	if (name == NULL)
		return ROLE_NONE;
	for (int r = ROLE_NONE + 1; r < ROLE_COUNT; r++)
		if (strcmp(name, roles[r].name) == 0)
			return (crf_role)r;
	return ROLE_NONE;
}

const char *
role_name(crf_role role)
{
	return role_valid(role) ? roles[role].name : "";
}

const char *
role_title(crf_role role)
{
	return role_valid(role) ? roles[role].title : roles[ROLE_NONE].title;
}

const char *
role_duties(crf_role role)
{
	return role_valid(role) ? roles[role].duties : "";
}

bool
perm_allows(crf_role role, perm_action act)
{
	if (act == PERM_ANYONE)
		return true;
	return role_valid(role) && action_valid(act) && matrix[role][act];
}

const char *
perm_action_name(perm_action act)
{
	if (act == PERM_ANYONE)
		return "anyone";
	return action_valid(act) ? actions[act].name : "";
}

const char *
perm_action_phrase(perm_action act)
{
	return action_valid(act) ? actions[act].phrase : "";
}

bool
perm_explain(crf_role role, perm_action act, char *buf, size_t size)
{
	bool ok = perm_allows(role, act);
	const char *what = action_valid(act) ? actions[act].phrase : "do it";

	if (size == 0)
		return ok;
	if (!role_valid(role))
		snprintf(buf, size, ok ? "Anyone may %s" :
		    "Sign in first: nobody may %s before signing in", what);
	else if (ok)
		snprintf(buf, size, "%s may %s", roles[role].one, what);
	else
		snprintf(buf, size, "%s cannot %s; %s", roles[role].one, what, roles[role].duties);
	buf[0] = (char)toupper((unsigned char)buf[0]);
	return ok;
}
