/*
 * perm.h - roles and what each may do: the one permission table of crf.
 *
 * Every account has one role (the `role` of its row in the site
 * database, one of the shell names below).  The screens decide what a
 * person may do with perm_allows(); the store's own checks and the shell
 * commands are to ask it too, so that crf keeps no other list of who may
 * do what.
 *
 * The matrix itself is the table PERM_MATRIX in src/core/perm.c, written
 * out as roles by actions; docs/roles.md shows it to people, and
 * tests/unit/test_perm.c checks every cell against its own copy, so that
 * a change to it must be made on purpose in all three.
 *
 * Good Clinical Practice defaults: the site's research nurse enters the
 * data; the investigator also signs it; the sponsor's monitor (CRA)
 * verifies it against the source documents and raises queries but never
 * changes it; the data manager handles queries, locks, unlocks and
 * exports; the administrator manages accounts and enters no clinical
 * data.  "enter" covers adding a subject, entering or changing values and
 * missing-data codes, and adding log entries and visits.
 *
 * No curses, no SQLite: the unit tests and every tier use it as it is.
 */
#ifndef CRF_PERM_H
#define CRF_PERM_H

#include <stdbool.h>
#include <stddef.h>

/*
 * X(role, shell name, title, a person of the role, what the role does)
 * The shell name is what `crf user add --role` takes and the database
 * stores; the title is shown to people; the last two make refusals:
 * "A monitor cannot enter data; monitors verify and raise queries".
 */
#define PERM_ROLES(X) \
	X(ROLE_DATA_ENTRY,   "data-entry",   "Research nurse (data entry)", \
	  "a research nurse", "research nurses enter data and answer queries") \
	X(ROLE_INVESTIGATOR, "investigator", "Investigator", \
	  "an investigator",  "investigators enter data and sign forms") \
	X(ROLE_MONITOR,      "monitor",      "Monitor (CRA)", \
	  "a monitor",        "monitors verify and raise queries") \
	X(ROLE_DATA_MANAGER, "data-manager", "Data manager", \
	  "a data manager",   "data managers query, lock and export") \
	X(ROLE_ADMIN,        "admin",        "Administrator", \
	  "an administrator", "administrators manage user accounts")

typedef enum crf_role {
	ROLE_NONE = 0,          /* nobody signed in, or an unknown role: may do nothing */
#define PERM_ROLE_ENUM(r, name, title, one, duties) r,
	PERM_ROLES(PERM_ROLE_ENUM)
#undef PERM_ROLE_ENUM
	ROLE_COUNT
} crf_role;

/*
 * X(action, name, what it is, as a verb phrase)
 * The phrase completes "A monitor cannot ..." and "An investigator may ...".
 */
#define PERM_ACTIONS(X) \
	X(PERM_VIEW,          "view",          "view data") \
	X(PERM_ENTER,         "enter",         "enter data") \
	X(PERM_COMPLETE,      "complete",      "mark forms complete") \
	X(PERM_SIGN,          "sign",          "sign forms") \
	X(PERM_VERIFY,        "verify",        "verify data against the source (SDV)") \
	X(PERM_RAISE_QUERY,   "raise-query",   "raise queries") \
	X(PERM_ANSWER_QUERY,  "answer-query",  "answer queries") \
	X(PERM_CLOSE_QUERY,   "close-query",   "close or reopen queries") \
	X(PERM_LOCK,          "lock",          "lock forms") \
	X(PERM_UNLOCK,        "unlock",        "unlock forms") \
	X(PERM_EXPORT,        "export",        "export data") \
	X(PERM_MANAGE_USERS,  "manage-users",  "manage user accounts") \
	X(PERM_ENROL,         "enrol",         "enrol subjects") \
	X(PERM_SCREEN_FAIL,   "screen-fail",   "record screen failures") \
	X(PERM_WITHDRAW,      "withdraw",      "withdraw subjects from the study") \
	X(PERM_END_STUDY,     "end-study",     "record that a subject completed the study") \
	X(PERM_RECORD_DEATH,  "record-death",  "record a subject's death")

typedef enum perm_action {
	/* Needs no permission: help, moving about, leaving a screen, signing
	 * in.  Allowed to every role, and before anyone signs in. */
	PERM_ANYONE = -1,
#define PERM_ACTION_ENUM(p, name, phrase) p,
	PERM_ACTIONS(PERM_ACTION_ENUM)
#undef PERM_ACTION_ENUM
	PERM_COUNT
} perm_action;

/* The role of a shell name ("monitor"); ROLE_NONE for NULL or any other
 * text (names are exact: "Monitor" is not one). */
crf_role role_from_name(const char *name);

/* "monitor"; "" for ROLE_NONE or a value out of range. */
const char *role_name(crf_role role);

/* "Monitor (CRA)"; "Not signed in" for ROLE_NONE or out of range. */
const char *role_title(crf_role role);

/* "monitors verify and raise queries"; "" for ROLE_NONE or out of range. */
const char *role_duties(crf_role role);

/* May a person of this role do it?  PERM_ANYONE: always.  ROLE_NONE, a
 * role or an action out of range: never. */
bool perm_allows(crf_role role, perm_action act);

/* "enter"; "anyone" for PERM_ANYONE; "" out of range. */
const char *perm_action_name(perm_action act);

/* "enter data"; "" for PERM_ANYONE or out of range. */
const char *perm_action_phrase(perm_action act);

/*
 * The plain sentence for a person: when refused, "A monitor cannot enter
 * data; monitors verify and raise queries"; when allowed, "A monitor may
 * raise queries"; nobody signed in: "Sign in first: nobody may enter data
 * before signing in".  Into buf (always NUL-terminated); returns
 * perm_allows(role, act).
 */
bool perm_explain(crf_role role, perm_action act, char *buf, size_t size);

#endif
