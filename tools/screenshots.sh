#!/bin/sh
# Regenerate the text screenshots and the key table of docs/user-guide.md.
#
#   make crf
#   tools/screenshots.sh OUTDIR                      # shots into OUTDIR
#   tools/screenshots.sh OUTDIR docs/user-guide.md   # and paste them in
#
# Runs the real program headless (CRF_SCRIPT, see tests/tui/README.md) on
# a new site in a temporary folder, at 80x24, with a fixed clock and time
# zone, and writes every screen it dumps into OUTDIR as NN-name.txt.  The
# key table (OUTDIR/keys.md) is made from KEY_ACTIONS in
# include/crf/keys.h, the table the program itself uses, and the roles
# that may use each key from the permission table (src/core/perm.c).
#
# With a guide file: every fenced block that follows a line
# "<!-- screen NN-name -->" is replaced by OUTDIR/NN-name.txt, and the
# lines between "<!-- keys -->" and "<!-- /keys -->" by the key table.
#
# The same crf and forms give the same files.  CRF_BIN names another
# binary (default ./crf, else build/crf); CC the C compiler (default cc).
# Takes about half a minute: one shot waits out the database's busy timeout.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 OUTDIR [GUIDE.md]" >&2
	exit 2
fi
TOP=$(cd "$(dirname "$0")/.." && pwd)
GUIDE=
if [ $# -eq 2 ]; then
	[ -f "$2" ] || { echo "$0: no file $2" >&2; exit 1; }
	GUIDE=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
fi
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
if [ -z "${CRF_BIN:-}" ]; then
	CRF_BIN=$TOP/crf
	[ -x "$CRF_BIN" ] || CRF_BIN=$TOP/build/crf
fi
[ -x "$CRF_BIN" ] || { echo "$0: no crf binary: run make crf first" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "$0: needs sqlite3" >&2; exit 1; }

W=$(mktemp -d "${TMPDIR:-/tmp}/crf-shots.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
cd "$W"
rm -f "$OUT"/[0-9][0-9]-*.txt "$OUT/keys.md"

# ---- The key table, from the program's own KEY_ACTIONS ----------------------------
cat > keys_md.c <<'CEOF'
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include "crf/keys.h"
#include "crf/perm.h"

/* The roles that may use a key: "everyone" (no permission needed),
 * "every role" or a list: "data-entry, investigator". */
static void
who(perm_action needs, char *buf, size_t n)
{
	int all = 1;

	buf[0] = '\0';
	if (needs == PERM_ANYONE) {
		snprintf(buf, n, "everyone");
		return;
	}
	for (int r = ROLE_NONE + 1; r < ROLE_COUNT; r++)
		if (perm_allows((crf_role)r, needs)) {
			if (buf[0])
				strncat(buf, ", ", n - strlen(buf) - 1);
			strncat(buf, role_name((crf_role)r), n - strlen(buf) - 1);
		} else {
			all = 0;
		}
	if (all)
		snprintf(buf, n, "every role");
}

static void
where(unsigned s, char *buf, size_t n)
{
	static const struct { unsigned bit; const char *name; } w[] = {
		{ KC_LOGIN, "set-up, sign-in" }, { KC_LIST, "subject list" },
		{ KC_CASEBOOK, "casebook" }, { KC_FORM, "form" },
		{ KC_VIEW, "help and history pages" }, { KC_DIALOG, "questions" },
		{ KC_QUERIES, "query list" }, { KC_ELIGIBILITY, "eligibility" },
		{ KC_DUE, "visits due" },
	};

	buf[0] = '\0';
	if (s == 0 || s == KC_ALL) {
		snprintf(buf, n, "everywhere");
		return;
	}
	if (s == (KC_ALL & ~KC_DIALOG)) {
		snprintf(buf, n, "every screen, not in a question");
		return;
	}
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
		if (s & w[i].bit) {
			if (buf[0])
				strncat(buf, ", ", n - strlen(buf) - 1);
			strncat(buf, w[i].name, n - strlen(buf) - 1);
		}
}

/* One row.  Keys without a function key are named at the end of the
 * help text, in brackets: "Next field or line (Tab, Down)". */
static void
row(const char *name, int f, int c, unsigned ctx, perm_action needs, const char *help)
{
	char fk[8] = "", ck[16] = "", other[64] = "", text[256], wh[128], roles[128];
	char *p;
	size_t n;

	if (f)
		snprintf(fk, sizeof fk, "F%d", f);
	if (c)
		snprintf(ck, sizeof ck, "^%c", c);
	snprintf(text, sizeof text, "%s", help);
	n = strlen(text);
	if (f == 0 && n && text[n - 1] == ')' && (p = strrchr(text, '(')) != NULL) {
		char keys[64], own[16], *k, *save = NULL;

		snprintf(keys, sizeof keys, "%.*s", (int)(n - (size_t)(p - text) - 2), p + 1);
		while (p > text && p[-1] == ' ')
			p--;
		*p = '\0';
		/* Leave out the Ctrl key, which has its own column. */
		snprintf(own, sizeof own, "Ctrl-%c", c);
		for (k = strtok_r(keys, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
			while (*k == ' ')
				k++;
			if (c && strcmp(k, own) == 0)
				continue;
			if (other[0])
				strncat(other, ", ", sizeof other - strlen(other) - 1);
			strncat(other, k, sizeof other - strlen(other) - 1);
		}
	}
	where(ctx, wh, sizeof wh);
	who(needs, roles, sizeof roles);
	printf("| %s | %s | %s | %s | %s | %s | %s |\n", name, fk, ck, other, wh, roles, text);
}

int
main(void)
{
	puts("| action | function key | Ctrl key | other keys | where | roles | what it does |");
	puts("|---|---|---|---|---|---|---|");
#define ROW(a, name, f, c, ctx, needs, bar, help) row(name, f, c, ctx, needs, help);
	KEY_ACTIONS(ROW)
	return 0;
}
CEOF
"${CC:-cc}" -I"$TOP/include" -o keys_md keys_md.c "$TOP/src/core/perm.c"
./keys_md > "$OUT/keys.md"

# ---- The site ---------------------------------------------------------------------------
# The shipped config.ini with the study's forms and a database beside it.
# crf runs in this folder with -c config.ini, so the screens show short
# paths (config.ini, ./site.db).
sed -e 's|^path = .*|path = site.db|' -e "s|^dir = .*|dir = $TOP/forms|" \
	"$TOP/config.ini" > config.ini

TZ=Asia/Shanghai LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm COLUMNS=80 LINES=24
CRF_NOW=2026-11-25T08:00:00Z
export TZ LANG LC_ALL TERM COLUMNS LINES CRF_NOW
unset NO_COLOR CRF_CONFIG CRF_SCRIPT ESCDELAY 2>/dev/null || true

# run NAME [EXIT]: the keys on stdin, as one session of crf, which must end
# with EXIT (default 0).  Sessions leave crf properly: input that just
# ends counts as a dropped line and keeps drafts.
run() {
	cat > "$W/$1.keys"
	rc=0
	CRF_SCRIPT="$W/$1.keys" "$CRF_BIN" -c config.ini > "$W/$1.out" 2>&1 || rc=$?
	check_end "$1" "$rc" "${2:-0}"
}
check_end() {
	if [ "$2" -ne "$3" ]; then
		echo "$0: session $1 ended with $2" >&2
		cat "$W/$1.out" >&2
		exit 1
	fi
}

# bg NAME: a session fed through a FIFO, for what happens while it waits
# (another session saves, the database is busy).  Give it keys with feed,
# end it with bg_end NAME.
bg() {
	mkfifo "$W/$1.fifo"
	CRF_SCRIPT="$W/$1.fifo" "$CRF_BIN" -c config.ini > "$W/$1.out" 2>&1 &
	bgpid=$!
	exec 3<>"$W/$1.fifo"
}
feed() { cat >&3; }
bg_end() {
	exec 3>&-
	rc=0
	wait "$bgpid" || rc=$?
	check_end "$1" "$rc" 0
}
# wait_for FILE: until a :dump has written it (at most a minute).
wait_for() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt 60 ]; do sleep 1; i=$((i + 1)); done
	[ -s "$1" ] || { echo "$0: no $1" >&2; exit 1; }
}

D=$OUT
PW=Correct-Horse-9
# The research nurse Li Na keys the data; the administrator Zhang Wei sets
# up the site and makes her account (an administrator enters no data).
LOGIN="li.na<Tab>$PW<Enter>"

# ---- First start, sign-in, adding subjects ----------------------------------
run setup <<EOF
:dump $D/01-first-start.txt
c
zhang.wei
:dump $D/02-setup-login.txt
<Enter>
Zhang Wei<Enter>
short<Enter>
:dump $D/03-setup-password.txt
$PW<Enter>
$PW<Enter>
:dump $D/04-signin-created.txt
<C-x>
EOF
printf '%s\n' "$PW" | "$CRF_BIN" -c config.ini user add li.na --role data-entry --name "Li Na" \
	> "$W/user.out" 2>&1 || { cat "$W/user.out" >&2; exit 1; }
printf 'Monitor-Pass-22\n' | "$CRF_BIN" -c config.ini user add chen.jie --role monitor \
	--name "Chen Jie" > "$W/user.out" 2>&1 || { cat "$W/user.out" >&2; exit 1; }

run subjects <<EOF
li.na<Tab>Correct-Hor
:dump $D/05-signin.txt
<Enter>
:dump $D/06-signin-wrong.txt
$PW<Enter>
:dump $D/07-list-empty.txt
<C-n>
:dump $D/08-dialog-new-subject.txt
a
:dump $D/09-list-added.txt
<F6>a
<C-n>a
<C-x>
:dump $D/10-dialog-quit.txt
q
EOF

# ---- The casebook and the informed consent form -------------------------------
run consent <<EOF
$LOGIN
<Enter>
:dump $D/11-casebook-new.txt
<Enter>
:dump $D/12-form-new.txt
Y<Enter>
:dump $D/13-form-branch-shown.txt
20261120<Enter>
0930<Enter>
V2.0 2026-09-15<Enter>
2026-09-10<Enter>
Y<Enter>
<Enter>
:dump $D/14-dialog-choice-list.txt
3
:dump $D/15-form-last-field.txt
<C-t>
:dump $D/16-form-complete.txt
<C-x>
:dump $D/17-casebook-one-complete.txt
<C-x>q
EOF

# ---- Demographics: formats, ranges, missing codes, checks, branching --------
run demographics <<EOF
$LOGIN
<Enter>
<Right><Right><Enter>
zxm<Enter>
:dump $D/18-form-refused-pattern.txt
<C-u>ZXM<Enter>
H123<Enter>
1990-05-01<Enter>
F<Enter>
H<Enter>
20NOV2026<Enter>
170<Enter>
250<Enter>
:dump $D/19-form-hard-range.txt
<C-u>125<Enter>
:dump $D/20-dialog-soft-range.txt
k
:dump $D/21-form-soft-flagged.txt
<C-t>
:dump $D/22-form-not-complete.txt
N<Enter>
<C-o>
:dump $D/23-dialog-missing.txt
<Enter>
N<Enter>
6<Enter>
2<Enter>
<C-s>
:dump $D/24-dialog-checks.txt
<Enter>
:dump $D/25-form-saved.txt
<Up><Up><Up><Up><Up><Up><Up><Up><Up>
M<Enter>
:dump $D/26-dialog-hidden.txt
u
<C-t>
:dump $D/27-dialog-soft-check.txt
c
:dump $D/28-form-complete.txt
<PgUp><PgUp><PgUp><Down>
H1234<Enter>
<C-s>
:dump $D/29-dialog-reason.txt
Wrong digit copied from the chart<Enter>
<Enter>
:dump $D/30-form-saved-complete.txt
<Up><C-y>
:dump $D/31-history.txt
<Enter>
H12345<Enter>
<C-x>
:dump $D/32-dialog-unsaved.txt
d
:dump $D/33-casebook-screening.txt
<C-x><C-x>q
EOF

# ---- Logs: an adverse event with a partial date ---------------------------------
run logs <<EOF
$LOGIN
<Enter>
<PgDn><PgDn><PgDn><Home>
:dump $D/34-casebook-logs.txt
<C-n>
:dump $D/35-form-log-new.txt
Headache<Enter>
2026-10<Enter>
Y<Enter>
2<Enter>
:dump $D/36-form-log-partial-date.txt
<C-s>
<Enter>
<C-x>
<Enter>
:dump $D/37-dialog-log-entries.txt
<Esc><C-x>
<C-g>
:dump $D/40-help-list.txt
<Esc><Enter><Enter>
<C-g>
:dump $D/41-help-form.txt
<PgDn>
:dump $D/42-help-form-more.txt
<Esc><C-x><C-x>q
EOF

# ---- A dropped connection keeps a draft ---------------------------------------
# From the subject list: the second subject's demographics.
DM2="<Down><Enter>
<Right><Right><Enter>"
run hangup 1 <<EOF
$LOGIN
$DM2
WL<Enter>
H555<Enter>
:dump $D/43-form-before-hangup.txt
:hangup
EOF

run draft <<EOF
$LOGIN
$DM2
:dump $D/44-dialog-kept-entries.txt
r
:dump $D/45-form-restored.txt
<C-s>
<Enter>
<C-x><C-x>q
EOF

# ---- Two sessions, one form: the second save is refused -------------------------
bg first
feed <<EOF
$LOGIN
$DM2
<Down>
H777<Enter>
:dump $W/first0.txt
EOF
wait_for "$W/first0.txt"
run second <<EOF
$LOGIN
$DM2
<Down>
H888<Enter>
<C-s>
<Enter>
<C-x><C-x>q
EOF
feed <<EOF
<C-s>
:dump $D/46-dialog-conflict.txt
r
:dump $D/47-dialog-kept-stale.txt
c
:dump $D/48-dialog-compare.txt
<Enter>
r
:dump $D/49-form-reopened.txt
<C-s>
<Enter>
<C-x><C-x>q
EOF
bg_end first

# ---- The database is busy -----------------------------------------------------------
bg busy
feed <<EOF
$LOGIN
$DM2
<Down>
H999<Enter>
:dump $W/busy0.txt
EOF
wait_for "$W/busy0.txt"
# Another program holds the write lock for longer than crf waits (5 s),
# both for the save and for keeping the draft.
(echo 'BEGIN IMMEDIATE;'; sleep 15; echo 'COMMIT;') | sqlite3 site.db &
lockpid=$!
sleep 1
feed <<EOF
<C-s>
:dump $D/50-form-busy.txt
EOF
wait_for "$D/50-form-busy.txt"
wait "$lockpid"
feed <<EOF
<C-s>
<Enter>
<C-x><C-x>q
EOF
bg_end busy

# ---- Day 0, target dates, the list with search and filter ------------------------
# The infusion date of the second subject (the save lists the form's
# checks; Esc closes the list).
run day0 <<EOF
$LOGIN
<Down><Enter>
<Down><Down><Down><Down><Enter>
2026-09-01<Enter>
<C-s>
<Esc><C-x>
:dump $D/52-casebook-dates.txt
<C-x><C-x>q
EOF

run list <<EOF
$LOGIN
:dump $D/53-list.txt
2
:dump $D/54-list-search.txt
<BS><C-v>
:dump $D/55-dialog-filter.txt
3
:dump $D/56-list-filter-empty.txt
<C-v>1
<C-x>q
EOF

# ---- An ASCII terminal without colour ------------------------------------------------
(
	LC_ALL=C LANG=C NO_COLOR=1
	export LC_ALL LANG NO_COLOR
	run ascii <<EOF
$LOGIN
:dump $D/57-ascii-list.txt
<Enter>
:dump $D/58-ascii-casebook.txt
<Right><Right><Enter>
:dump $D/59-ascii-form.txt
<C-x><C-x><C-x>q
EOF
)

# ---- A monitor: the same form, read-only ------------------------------------------
run monitor <<EOF
chen.jie<Tab>Monitor-Pass-22<Enter>
<Enter><Enter>
N
:dump $D/61-form-read-only.txt
<C-x><C-x><C-x>q
EOF

# ---- Verification, a signature, a lock, the audit trail -------------------------------
printf 'Investigator-Pw-1\n' | "$CRF_BIN" -c config.ini user add wang.jun --role investigator \
	--name "Wang Jun" > "$W/user.out" 2>&1 || { cat "$W/user.out" >&2; exit 1; }
printf 'Manager-Pass-33\n' | "$CRF_BIN" -c config.ini user add zhao.min --role data-manager \
	--name "Zhao Min" > "$W/user.out" 2>&1 || { cat "$W/user.out" >&2; exit 1; }
run verify <<EOF
chen.jie<Tab>Monitor-Pass-22<Enter>
<Enter>
<C-d>
:dump $D/80-verify-ask.txt
v
<C-x><C-x>q
EOF
run sign <<EOF
wang.jun<Tab>Investigator-Pw-1<Enter>
<Enter>
<C-r>f
wang.jun<Enter>Investigator-Pw-1
:dump $D/82-sign-dialog.txt
<Enter>
:dump $D/83-casebook-signed.txt
<Enter>
:dump $D/84-form-signed.txt
<C-x><C-x><C-x>q
EOF
run lock <<EOF
zhao.min<Tab>Manager-Pass-33<Enter>
<Enter>
<C-k>
:dump $D/85-lock-menu.txt
1
<C-x><C-x>q
EOF
run locked <<EOF
$LOGIN
<Enter><Enter>
N
:dump $D/86-form-locked.txt
<C-x><C-x><C-x>q
EOF
run trail <<EOF
zhao.min<Tab>Manager-Pass-33<Enter>
<Enter>
<C-y>f
<PgDn>
:dump $D/88-trail.txt
<Esc>
<C-k>3
Consent form version corrected on the source<Enter>
<C-x><C-x>q
EOF

# ---- Queries: the monitor raises one, the research nurse answers, the monitor closes ---
WEIGHT="<Down><Down><Down><Down><Down><Down><Down>"
run query_raise <<EOF
chen.jie<Tab>Monitor-Pass-22<Enter>
<Enter>
<Right><Right><Enter>
$WEIGHT
<C-q>
:dump $D/70-dialog-query-new.txt
Weight 125 kg: please check against the clinic scale record<Enter>
:dump $D/71-form-query-open.txt
<C-x>
:dump $D/72-casebook-query.txt
<C-x>
<C-q>
:dump $D/73-query-list.txt
<C-v>
:dump $D/74-dialog-query-filter.txt
<Esc><C-x><C-x>q
EOF
run query_answer <<EOF
$LOGIN
<Enter>
<Right><Right><Enter>
$WEIGHT
:dump $D/75-form-query-nurse.txt
<C-q>
:dump $D/76-dialog-query-answer.txt
a
Clinic scale record says 125 kg; the value is right<Enter>
:dump $D/77-dialog-query-answered.txt
<Esc><C-x><C-x><C-x>q
EOF
run query_close <<EOF
chen.jie<Tab>Monitor-Pass-22<Enter>
<Enter>
<Right><Right><Enter>
$WEIGHT
<C-q>
:dump $D/78-dialog-query-close.txt
c
Confirmed against the clinic scale record<Enter>
<Esc><C-x><C-x><C-x>q
EOF

# ---- Accounts: the administrator's screen, a reset password at sign-in -----------------
run users <<EOF
zhang.wei<Tab>$PW<Enter>
<C-u>
:dump $D/90-users.txt
a
sun.li<Enter>
Sun Li<Enter>
:dump $D/91-users-role.txt
2
Investigator-Pw-2<Enter>
Investigator-Pw-2<Enter>
<Enter>
:dump $D/92-users-menu.txt
2
Temporary-Pass-7<Enter>
Temporary-Pass-7<Enter>
:dump $D/93-users-reset.txt
<C-x><C-x>q
EOF
run password_reset <<EOF
sun.li<Tab>Temporary-Pass-7<Enter>
:dump $D/94-password-reset.txt
Sun-Li-Own-Pass-8<Enter>
Sun-Li-Own-Pass-8<Enter>
<C-x>q
EOF

# ---- Charts: daily counts after day 0 of the second subject --------------------------
# Days 1 to 11 (day 0 is 2026-09-01), keyed in the cbc log: a platelet
# transfusion on day 1, platelets at or above 20 from day 3.  Only the log
# changes: the later pictures of the lists are the same without it.
cbc_entry() {   # DATE NEUTROPHILS PLATELETS TRANSFUSED (Y or N)
	printf '<C-n>%s<Enter><Enter>%s<Enter>%s<Enter><Enter><Enter>%s<Enter>\n<C-s>\n<Esc><C-x>\n' \
		"$1" "$2" "$3" "$4"
}
{
	printf '%s\n<Down><Enter>\n<PgDn><PgDn><PgDn><End>\n' "$LOGIN"
	cbc_entry 2026-09-02 0.1 10 Y
	cbc_entry 2026-09-03 0.2 8 N
	cbc_entry 2026-09-04 0.3 22 N
	cbc_entry 2026-09-05 0.6 25 N
	cbc_entry 2026-09-06 0.9 31 N
	cbc_entry 2026-09-07 1.4 35 N
	cbc_entry 2026-09-08 2.0 38 N
	cbc_entry 2026-09-09 2.5 44 N
	cbc_entry 2026-09-10 2.8 52 N
	cbc_entry 2026-09-11 3.1 60 N
	cbc_entry 2026-09-12 3.0 71 N
	printf '<C-a>3\n:dump %s/95-charts-platelets.txt\n<C-x><C-x><C-x>q\n' "$D"
} | run charts

# ---- Another date format in config.ini --------------------------------------------------
sed 's|^date_format = .*|date_format = DD/MM/YYYY|' config.ini > config.tmp
mv config.tmp config.ini
run ddmm <<EOF
$LOGIN
<Enter>
<Right><Right><Enter>
:dump $D/60-form-date-format.txt
<C-x><C-x><C-x>q
EOF

# ---- A subject's status, eligibility and enrolment, the schedule, the due list ---------
# Last, on a clock that only moves on: a fourth subject screened with an EDSS
# of 2.5 (keys as in tests/tui/lifecycle.sh), refused, corrected, enrolled;
# the third a screen failure; then the visits after day 0.
sed 's|^date_format = .*|date_format = YYYY-MM-DD|' config.ini > config.tmp
mv config.tmp config.ini
INV="wang.jun<Tab>Investigator-Pw-1<Enter>"
run elig_data <<EOF
$LOGIN
<C-n>a
<Enter><Enter>
Y<Enter>2026-11-20<Enter><Enter>V2.0 2026-09-15<Enter>
<C-t>
<C-x>
<Right><Right><Enter>
LHM<Enter>H4321<Enter>1980-05-17<Enter>F<Enter>
<C-s><Enter>
<C-x>
<Right><Right><Enter>
2026-11-21<Enter>
<Down><Down><Down><Down><Down>3<Enter>1<Enter>
<Down><Down><Down><Down><Down><Down><Down>2.5<Enter>
<C-s><Enter>
<C-x><C-x><C-x>q
EOF
run elig_answers <<EOF
$INV
<End><Enter>
<Right><Enter>
Y<Enter>Y<Enter>Y<Enter>Y<Enter>Y<Enter>REL<Enter>N<Enter>Y<Enter>Y<Enter>LFT<Enter>
N<Enter>N<Enter>N<Enter>N<Enter>N<Enter>N<Enter>N<Enter>N<Enter>
Y<Enter>2026-11-22<Enter>Wang Jun<Enter>
<C-t>c
<C-x><C-x><C-x>q
EOF
run elig_refused <<EOF
$INV
<End><C-e>
:dump $D/62-status-menu.txt
1
<Down><Down>
:dump $D/63-eligibility.txt
<C-e>
:dump $D/64-eligibility-refused.txt
<Esc><C-x><C-x>q
EOF
run elig_fix <<EOF
$LOGIN
<End><Enter>
<Right><Right><Right><Right><Enter>
<Down><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down>
4.0<Enter>
<C-s>
EDSS re-scored from the neurologist's source sheet<Enter>
<Enter>
<C-x><C-x><C-x>q
EOF
run enrol <<EOF
$INV
<End><C-e>1
<Down><Down>
<C-e>
<Enter>
:dump $D/65-enrol-confirm.txt
e
:dump $D/66-eligibility-enrolled.txt
<C-x><C-x>q
EOF
run screen_fail <<EOF
$INV
<End><Up><C-e>2
<Enter>
MS not confirmed by a neurologist (I2)
:dump $D/67-screen-failure-reason.txt
<Enter>
r
:dump $D/79-list-status.txt
<C-x>q
EOF
CRF_NOW=2027-03-20T02:00:00Z
export CRF_NOW
run visits <<EOF
$LOGIN
<End><Enter>
<Down><Down><Down><Down><Enter>
2026-12-10<Enter>
<C-s><Enter>
<C-x>
<Down><Down><Enter>
2027-01-22<Enter>
<C-s><Enter>
<C-x>
:dump $D/68-casebook-visits.txt
<C-x><C-w>
:dump $D/69-due.txt
<C-x><C-x>q
EOF

# ---- Into the guide ---------------------------------------------------------------------
if [ -n "$GUIDE" ]; then
	awk -v out="$OUT" '
	function paste(file,   line, n) {
		n = 0
		while ((getline line < file) > 0) { print line; n++ }
		close(file)
		if (n == 0) { print "screenshots.sh: nothing in " file > "/dev/stderr"; bad = 1 }
	}
	skip == 1 { if ($0 == "```") { print; skip = 0 }; next }
	skip == 2 { if ($0 == "<!-- /keys -->") { print; skip = 0 }; next }
	want { want = 0; if ($0 == "```") { print; paste(out "/" shot ".txt"); skip = 1; next } }
	/^<!-- screen [0-9][0-9]-[a-z0-9-]* -->$/ { print; shot = $3; want = 1; next }
	$0 == "<!-- keys -->" { print; paste(out "/keys.md"); skip = 2; next }
	{ print }
	END { exit bad }
	' "$GUIDE" > "$W/guide.md"
	cat "$W/guide.md" > "$GUIDE"
	echo "$GUIDE: screens and key table pasted from $OUT"
fi
