/*
 * keys.h - every action of the full-screen program and the keys that
 * trigger it.
 *
 * One table (KEY_ACTIONS below) is the single source of truth: the
 * dispatcher maps keys to actions through it, the bottom key bar and the
 * help screen are generated from it, and test scripts name keys with the
 * names keys_parse_name() understands.  Every action has a function key
 * and a control-key alternative, since function keys are often lost on
 * thin clients and serial lines.
 */
#ifndef CRF_KEYS_H
#define CRF_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include "crf/perm.h"

/* Screens, as a bit mask: where an action is offered. */
enum {
	KC_LIST = 1 << 0,      /* subject list */
	KC_CASEBOOK = 1 << 1,  /* one subject's events and forms */
	KC_FORM = 1 << 2,      /* form entry */
	KC_VIEW = 1 << 3,      /* help, history and other read-only pages */
	KC_DIALOG = 1 << 4,    /* questions and prompts */
	KC_LOGIN = 1 << 5,     /* set-up and login */
	KC_QUERIES = 1 << 6,   /* the list of queries */
	KC_ELIGIBILITY = 1 << 7, /* one subject's eligibility criteria */
	KC_DUE = 1 << 8,       /* the visits due this week or overdue */
	KC_ALL = 0x1ff
};

#define CTRL_KEY(c) ((c) & 0x1f)

/*
 * X(action, name, fkey, ctrl, screens, needs, bar label, help text)
 * fkey is the function key number (0: none), ctrl the control letter
 * (0: none).  needs is the permission (perm.h) the signed-in person's role
 * must have: the key bar and the help show the key only then, and the
 * program refuses it otherwise, saying why.  PERM_ANYONE: moving about,
 * help and leaving, which every role (and the sign-in screen) has.
 * Order is the order of the key bar and help screen: the most needed first,
 * Back last; an empty bar label keeps a key off the bar (it is in the
 * help), so that every role's bar fits 80 columns.
 */
#define KEY_ACTIONS(X) \
	X(ACT_HELP,      "help",      1,  'G', KC_ALL & ~KC_DIALOG, PERM_ANYONE, "Help", \
	  "Show every key of the program (this page)") \
	X(ACT_SAVE,      "save",      2,  'S', KC_FORM, PERM_ENTER, "Save", \
	  "Save the form as it is (incomplete is allowed)") \
	X(ACT_COMPLETE,  "complete",  3,  'T', KC_FORM, PERM_COMPLETE, "Complete", \
	  "Save and mark the form complete (required fields and hard checks must pass)") \
	X(ACT_MISSING,   "missing",   4,  'O', KC_FORM, PERM_ENTER, "Missing", \
	  "Give the current field a missing-data code (UNK, ND, NA) instead of a value") \
	X(ACT_HISTORY,   "history",   5,  'Y', KC_FORM | KC_CASEBOOK, PERM_VIEW, "History", \
	  "Audit trail: of the current field (form); of a form, a visit or the whole subject (casebook)") \
	X(ACT_NEW,       "new",       6,  'N', KC_LIST | KC_CASEBOOK, PERM_ENTER, "New", \
	  "Add a subject (subject list) or a log entry (casebook)") \
	X(ACT_QUERY,     "query",     11, 'Q', KC_FORM | KC_CASEBOOK | KC_LIST, PERM_VIEW, "Query", \
	  "Queries: of the current field (form), of the subject (casebook), of the site (subject list)") \
	X(ACT_STATUS,    "status",    3,  'E', KC_LIST | KC_CASEBOOK, PERM_VIEW, "Status", \
	  "The subject's status: enrol, screen failure, withdrawal, end of study, death (as your role may); its eligibility") \
	X(ACT_ENROL,     "enrol",     3,  'E', KC_ELIGIBILITY, PERM_ENROL, "Enrol", \
	  "Enrol the subject when the criteria allow it: crf gives the study number (investigator)") \
	X(ACT_SIGN,      "sign",      12, 'R', KC_FORM | KC_CASEBOOK, PERM_SIGN, "Sign", \
	  "Sign this form, its visit or the whole casebook with your password (investigator)") \
	X(ACT_VERIFY,    "verify",    9,  'D', KC_FORM | KC_CASEBOOK, PERM_VERIFY, "Verify", \
	  "Mark the form source-data verified against the source documents (monitor)") \
	X(ACT_LOCK,      "lock",      4,  'K', KC_CASEBOOK, PERM_LOCK, "Lock", \
	  "Lock or unlock a form, a visit or the whole casebook (data manager)") \
	X(ACT_CHARTS,    "charts",    2,  'A', KC_CASEBOOK, PERM_VIEW, "Charts", \
	  "The subject's charts: EDSS over time, neutrophil and platelet recovery after day 0") \
	X(ACT_PRINT,     "print",     8,  'P', KC_CASEBOOK, PERM_EXPORT, "Print", \
	  "Print the subject's casebook (text or HTML) into the printouts folder beside the database; audited") \
	X(ACT_REPORT,    "report",    2,  'A', KC_LIST, PERM_VIEW, "", \
	  "The study report: enrolment, visits, completeness, adverse events, engraftment, Kaplan-Meier") \
	X(ACT_FILTER,    "filter",    9,  'V', KC_LIST | KC_QUERIES | KC_DUE, PERM_VIEW, "Filter", \
	  "Show only subjects of one status (subject list); queries by state, subject or age (query list); how many days ahead (due list)") \
	X(ACT_DUE,       "due",       5,  'W', KC_LIST, PERM_VIEW, "Due", \
	  "Visits overdue or due within 7 days, of every subject in screening or enrolled") \
	X(ACT_USERS,     "users",     7,  'U', KC_LIST, PERM_MANAGE_USERS, "Users", \
	  "Manage accounts: add, change role, reset password, unlock, retire (administrator)") \
	X(ACT_PASSWORD,  "password",  8,  'P', KC_LIST, PERM_VIEW, "Password", \
	  "Change your own password") \
	X(ACT_BACK,      "back",      10, 'X', KC_ALL & ~KC_DIALOG, PERM_ANYONE, "Back", \
	  "Leave this screen (asks first if there are unsaved entries); quit from the subject list") \
	X(ACT_PREV_FORM, "prev-form", 7,  'B', KC_FORM, PERM_VIEW, "", \
	  "Go to the previous form of the event") \
	X(ACT_NEXT_FORM, "next-form", 8,  'F', KC_FORM, PERM_VIEW, "", \
	  "Go to the next form of the event") \
	X(ACT_REDRAW,    "redraw",    0,  'L', 0, PERM_ANYONE, "Redraw", \
	  "Redraw the whole screen") \
	X(ACT_NEXT,      "next",      0,  0,   KC_FORM | KC_LIST | KC_CASEBOOK | KC_DIALOG | KC_LOGIN | KC_QUERIES | \
	  KC_ELIGIBILITY | KC_DUE, PERM_ANYONE, "", \
	  "Next field or line (Tab, Down)") \
	X(ACT_PREV,      "prev",      0,  0,   KC_FORM | KC_LIST | KC_CASEBOOK | KC_DIALOG | KC_LOGIN | KC_QUERIES | \
	  KC_ELIGIBILITY | KC_DUE, PERM_ANYONE, "", \
	  "Previous field or line (Shift-Tab, Up)") \
	X(ACT_PAGE_DOWN, "page-down", 0,  0,   KC_FORM | KC_LIST | KC_CASEBOOK | KC_VIEW | KC_QUERIES | \
	  KC_ELIGIBILITY | KC_DUE, PERM_ANYONE, "", \
	  "Next page (PgDn)") \
	X(ACT_PAGE_UP,   "page-up",   0,  0,   KC_FORM | KC_LIST | KC_CASEBOOK | KC_VIEW | KC_QUERIES | \
	  KC_ELIGIBILITY | KC_DUE, PERM_ANYONE, "", \
	  "Previous page (PgUp)") \
	X(ACT_ENTER,     "enter",     0,  0,   KC_ALL, PERM_ANYONE, "", \
	  "Accept the field and go on; open the selected line (Enter)") \
	X(ACT_CANCEL,    "cancel",    0,  'C', KC_ALL, PERM_ANYONE, "", \
	  "Cancel the question or the edit in progress (Esc, Ctrl-C)")

typedef enum action {
	ACT_NONE = 0,
#define KEYS_ENUM(a, name, f, c, ctx, needs, bar, help) a,
	KEY_ACTIONS(KEYS_ENUM)
#undef KEYS_ENUM
	ACT_COUNT
} action;

typedef struct key_binding {
	action act;
	const char *name;
	int fkey;
	int ctrl;
	unsigned screens;
	perm_action needs;     /* what the role must be allowed */
	const char *bar;
	const char *help;
} key_binding;

/* The table, in key-bar order; n receives its length. */
const key_binding *keys_table(size_t *n);
const key_binding *keys_binding(action a);

/*
 * A key as the program reads it: is_key tells a curses KEY_* code from a
 * character.  Returns the action it triggers on screen `ctx`, or ACT_NONE
 * for an ordinary character (to be typed into a field).
 */
action keys_action(bool is_key, wint_t ch, unsigned ctx);

/* The permission an action needs.  PERM_ANYONE for ACT_NONE: what an
 * ordinary character needs (typing into a field) is the screen's to say. */
perm_action keys_needs(action a);

/* May a person of this role use the binding?  (Where it is offered is
 * kb->screens.) */
bool keys_allowed(const key_binding *kb, crf_role role);

/* "F2" and "^S" for a binding: into buf, e.g. "F2/^S". */
void keys_describe(const key_binding *kb, char *buf, size_t size);

/*
 * Parse one key name of a test script: "<Tab>", "<S-Tab>", "<Enter>",
 * "<Esc>", "<Up>", "<Down>", "<Left>", "<Right>", "<Home>", "<End>",
 * "<PgUp>", "<PgDn>", "<BS>", "<Del>", "<Space>", "<F1>".."<F12>",
 * "<C-a>".."<C-z>".  Returns the number of bytes consumed (0 if s does
 * not start with a key name) and sets *is_key and *ch as the program would
 * read them.
 */
size_t keys_parse_name(const char *s, bool *is_key, wint_t *ch);

#endif
