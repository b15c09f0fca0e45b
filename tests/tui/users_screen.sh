#!/bin/sh
# The administrator's accounts screen (^U on the subject list) and password
# changes: adding an account, changing a role, resetting a password (the
# person must change it at the next sign-in), unlocking after a lockout,
# retiring; ^P changes one's own password; an expired password
# (password_max_age_days) must be changed at sign-in.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"

setup_site || exit 1
add_account "$NURSE" data-entry "$NURSE_NAME" "$NURSE_PW" || exit 1
MON=chen.jie
MON_NAME="Chen Jie"
MON_PW=Monitor-Pass-22
TEMP_PW=Temporary-Pass-7
NEW_PW=Nurse-New-Pass-8
OWN_PW=Nurse-Own-Pass-9

keybar() { tail -n 1 "$1"; }
# The message line: the second line from the bottom of a dumped screen.
msgline() { tail -n 2 "$1" | head -n 1; }
# One column of an account.
acct() { sql "SELECT $2 FROM account WHERE login = '$1'"; }
# Audit rows of an action about an account (field = the login).
audits() { sql "SELECT count(*) FROM audit WHERE action = '$1' AND field = '$2'"; }

# ---- The administrator adds a monitor through the screen -------------------------
script add <<EOF
$ADMIN<Tab>$ADMIN_PW<Enter>
:dump $T/a-list.txt
<C-u>
:dump $T/a-users.txt
<Down>
:dump $T/a-nurse.txt
<Up><Enter>
:dump $T/a-own.txt
a
Bad Login<Enter>
:dump $T/a-badlogin.txt
$NURSE<Enter>
:dump $T/a-taken.txt
$MON<Enter>
<Enter>
:dump $T/a-noname.txt
$MON_NAME<Enter>
:dump $T/a-roles.txt
3
short<Enter>
:dump $T/a-short.txt
$MON_PW<Enter>
Other-Password-1<Enter>
:dump $T/a-differ.txt
$MON_PW<Enter>
$MON_PW<Enter>
:dump $T/a-added.txt
<C-x>
:dump $T/a-back.txt
<C-x>q
EOF
expect_eq "add: exit 0" 0 "$rc"
expect_eq "add: nothing printed" "" "$(cat "$T/out.txt")"
expect_match "add: the administrator's list offers ^U Users and ^P Password" \
	'\^U Users .*\^P Password' "$(keybar "$T/a-list.txt")"
screen_match "add: ^U opens the accounts screen" '^crf TJ01 User accounts +Ada Admin$' "$T/a-users.txt"
screen_match "add: the column headings" '^Login +Full name +Role +State +Password set$' "$T/a-users.txt"
screen_match "add: the administrator's own line" '^admin +Ada Admin +Administrator +active +2026-11-25$' "$T/a-users.txt"
screen_match "add: the nurse's line, role title shortened" \
	'^wang\.fang +Wang Fang +Research nurse +active +2026-11-25$' "$T/a-users.txt"
screen_match "add: the line that adds an account" '^\+ Add an account$' "$T/a-users.txt"
screen_match "add: how many accounts and how to use it" '^2 accounts: 2 active, 0 locked, 0 retired +Enter: change one +A: add one' "$T/a-users.txt"
expect_eq "add: the accounts screen's key bar" '^G Help ^X Back' "$(keybar "$T/a-users.txt")"
screen_match "add: the selected account's whole role on the last line" \
	'^Research nurse \(data entry\): research nurses enter data and answer queries$' "$T/a-nurse.txt"
expect_match "add: one's own account is not changed here" '^This is your own account: \^P on the subject list' \
	"$(msgline "$T/a-own.txt")"
expect_match "add: a login with a blank and capitals is refused" \
	"^A login has 2 to 32 characters: lower-case letters, digits" "$(msgline "$T/a-badlogin.txt")"
expect_match "add: a login ever used is refused" \
	'^The login wang\.fang is taken \(logins are never reused\): choose another$' "$(msgline "$T/a-taken.txt")"
expect_match "add: a blank full name is refused" "^Enter the person's full name$" "$(msgline "$T/a-noname.txt")"
for r in '1 Research nurse \(data entry\)' '2 Investigator' '3 Monitor \(CRA\)' '4 Data manager' '5 Administrator'; do
	screen_match "add: the role list offers $r" "$r" "$T/a-roles.txt"
done
expect_match "add: a short password is refused" '^The password must have at least 10 characters$' \
	"$(msgline "$T/a-short.txt")"
expect_match "add: two different passwords are refused" '^The two passwords differ' "$(msgline "$T/a-differ.txt")"
screen_no_match "add: the password never shows" "$MON_PW|Other-Password|short" "$T/a-differ.txt"
expect_match "add: says it was added" '^Account chen\.jie \(Chen Jie\) added: Monitor \(CRA\)$' \
	"$(msgline "$T/a-added.txt")"
screen_match "add: the new account is in the list, selected" '^chen\.jie +Chen Jie +Monitor \(CRA\) +active +2026-11-25$' "$T/a-added.txt"
screen_match "add: its role's duties on the last line" '^Monitor \(CRA\): monitors verify and raise queries$' "$T/a-added.txt"
screen_match "add: ^X goes back to the subject list" '^crf TJ01 Subjects' "$T/a-back.txt"
expect_eq "add: the account in the database" "chen.jie|Chen Jie|monitor|1|0|0" \
	"$(sql "SELECT login, full_name, role, active, locked, must_change FROM account WHERE login = '$MON'")"
expect_match "add: only an argon2id hash is kept" '^\$argon2id\$' "$(acct "$MON" pw_hash)"
expect_eq "add: audited, by the administrator" "admin|monitor" \
	"$(sql "SELECT user, new_value FROM audit WHERE action = 'user-create' AND field = '$MON'")"
expect_eq "add: nothing else was made" 3 "$(sql 'SELECT count(*) FROM account')"

# ---- The new account signs in ------------------------------------------------------
script mon <<EOF
$MON<Tab>$MON_PW<Enter>
:dump $T/m-list.txt
<C-x>q
EOF
screen_match "new account: signs in to the subject list" '^crf TJ01 Subjects +Chen Jie$' "$T/m-list.txt"
expect_no_match "new account: a monitor has no ^U Users" 'Users' "$(keybar "$T/m-list.txt")"
expect_eq "new account: the sign-in is audited" 1 "$(sql "SELECT count(*) FROM audit WHERE action = 'login' AND user = '$MON'")"

# ---- A role change and a password reset -----------------------------------------------
script change <<EOF
$ADMIN<Tab>$ADMIN_PW<Enter>
<C-u><Down>
<Enter>
:dump $T/c-menu.txt
1
:dump $T/c-roles.txt
4
:dump $T/c-role.txt
<Down><Enter>
2
$TEMP_PW<Enter>
$TEMP_PW<Enter>
:dump $T/c-reset.txt
<C-x><C-x>q
EOF
expect_eq "change: exit 0" 0 "$rc"
screen_match "change: Enter offers the role" '1 Change the role' "$T/c-menu.txt"
screen_match "change: Enter offers a password reset" '2 Reset the password' "$T/c-menu.txt"
screen_match "change: Enter offers retiring" '3 Retire' "$T/c-menu.txt"
screen_no_match "change: no unlock for an account that is not locked" 'Unlock' "$T/c-menu.txt"
screen_match "change: the role list starts on the present role" 'New role of chen\.jie' "$T/c-roles.txt"
expect_match "change: says the new and the old role" \
	'^chen\.jie is now Data manager \(was Monitor \(CRA\)\), from the next sign-in$' "$(msgline "$T/c-role.txt")"
screen_match "change: the list shows the new role" '^chen\.jie +Chen Jie +Data manager +active' "$T/c-role.txt"
expect_eq "change: the role in the database" data-manager "$(acct "$MON" role)"
expect_eq "change: audited with the old and new role" "admin|monitor|data-manager" \
	"$(sql "SELECT user, old_value, new_value FROM audit WHERE action = 'role-change' AND field = '$MON'")"
expect_match "change: says the password was reset" \
	'^New password set for wang\.fang, who must change it at the next sign-in$' "$(msgline "$T/c-reset.txt")"
screen_match "change: the list says the nurse must change it" '^wang\.fang +Wang Fang +Research nurse +must change password' "$T/c-reset.txt"
expect_eq "change: the reset is flagged in the database" 1 "$(acct "$NURSE" must_change)"
expect_eq "change: the reset is audited without any value" "admin||" \
	"$(sql "SELECT user, old_value, new_value FROM audit WHERE action = 'password-reset' AND field = '$NURSE'")"
expect_eq "change: no password in the database file" 0 "$(cat "$DB" "$DB-wal" 2>/dev/null | grep -c "$TEMP_PW")"

# ---- The nurse must change the reset password at sign-in ---------------------------------
script forced_esc <<EOF
$NURSE<Tab>$NURSE_PW<Enter>
:dump $T/f-old.txt
$TEMP_PW<Enter>
:dump $T/f-ask.txt
<Esc>
:dump $T/f-esc.txt
<Esc>
EOF
expect_eq "forced: exit 0" 0 "$rc"
expect_match "forced: the old password no longer works" '^The user name or password is wrong$' "$(msgline "$T/f-old.txt")"
screen_match "forced: asks a new password" 'Password reset' "$T/f-ask.txt"
screen_match "forced: the new password prompt" 'New password:' "$T/f-ask.txt"
expect_match "forced: says why" '^Your password was reset by an administrator: choose a new one$' "$(msgline "$T/f-ask.txt")"
screen_no_match "forced: no subject list before the change" 'Subjects' "$T/f-ask.txt"
screen_match "forced: Esc stays on the sign-in screen" '^crf TJ01 Sign in' "$T/f-esc.txt"
expect_match "forced: Esc signs out, saying why" '^Signed out: your password was not changed' "$(msgline "$T/f-esc.txt")"
expect_eq "forced: still to be changed" 1 "$(acct "$NURSE" must_change)"

script forced <<EOF
$NURSE<Tab>$TEMP_PW<Enter>
$TEMP_PW<Enter>
:dump $T/f-same.txt
short<Enter>
:dump $T/f-short.txt
$NEW_PW<Enter>
$NEW_PW<Enter>
:dump $T/f-done.txt
<C-x>q
EOF
expect_eq "forced change: exit 0" 0 "$rc"
expect_match "forced change: the old password is refused as the new one" \
	'^The new password must differ from the old one$' "$(msgline "$T/f-same.txt")"
expect_match "forced change: a short one is refused" '^The password must have at least 10 characters$' \
	"$(msgline "$T/f-short.txt")"
screen_match "forced change: then the subject list" '^crf TJ01 Subjects +Wang Fang$' "$T/f-done.txt"
expect_match "forced change: says it is set" '^Your new password is set; use it from now on$' "$(msgline "$T/f-done.txt")"
expect_eq "forced change: no longer to be changed" 0 "$(acct "$NURSE" must_change)"
expect_eq "forced change: audited under the nurse, without values" "wang.fang||" \
	"$(sql "SELECT user, old_value, new_value FROM audit WHERE action = 'password-change' AND field = '$NURSE'")"

script forced_after <<EOF
$NURSE<Tab>$NEW_PW<Enter>
:dump $T/f-after.txt
<C-x>q
EOF
screen_match "forced change: the new password signs in at once" '^crf TJ01 Subjects +Wang Fang$' "$T/f-after.txt"
screen_no_match "forced change: not asked again" 'New password' "$T/f-after.txt"

# ---- A research nurse may not manage accounts -------------------------------------------
script nurse <<EOF
$NURSE<Tab>$NEW_PW<Enter>
:dump $T/n-list.txt
<C-u>
:dump $T/n-users.txt
<F7>
:dump $T/n-f7.txt
<C-x>q
EOF
expect_eq "nurse: exit 0" 0 "$rc"
expect_no_match "nurse: no ^U Users in the key bar" 'Users' "$(keybar "$T/n-list.txt")"
expect_match "nurse: ^P Password in the key bar" '\^P Password' "$(keybar "$T/n-list.txt")"
expect_match "nurse: ^U refused with the reason" \
	'^A research nurse cannot manage user accounts; research nurses enter data' \
	"$(msgline "$T/n-users.txt")"
screen_match "nurse: still the subject list" '^crf TJ01 Subjects' "$T/n-users.txt"
expect_match "nurse: F7 refused too" '^A research nurse cannot manage user accounts' "$(msgline "$T/n-f7.txt")"

# ---- ^P: changing one's own password -----------------------------------------------------
script own_wrong <<EOF
$NURSE<Tab>$NEW_PW<Enter>
<C-p>
:dump $T/o-ask.txt
wrong-password<Enter>
$OWN_PW<Enter>
$OWN_PW<Enter>
:dump $T/o-wrong.txt
<C-x>q
EOF
expect_eq "own password: exit 0" 0 "$rc"
screen_match "own password: asks the current one" 'Current password:' "$T/o-ask.txt"
screen_match "own password: in a box of its own" 'Change your password' "$T/o-ask.txt"
expect_match "own password: a wrong current one is refused" '^Your password was not changed: the password is wrong$' \
	"$(msgline "$T/o-wrong.txt")"
expect_eq "own password: the wrong one counts towards the lockout" 1 "$(acct "$NURSE" failed_logins)"
expect_eq "own password: the wrong one is audited" 1 "$(audits password-change-failed "$NURSE")"
expect_eq "own password: the wrong one changed nothing" 1 "$(audits password-change "$NURSE")"
script own <<EOF
$NURSE<Tab>$NEW_PW<Enter>
<F8>
$NEW_PW<Enter>
$OWN_PW<Enter>
$OWN_PW<Enter>
:dump $T/o-done.txt
<C-x>q
EOF
expect_eq "own password: exit 0 (F8)" 0 "$rc"
expect_match "own password: changed with F8" '^Your password is changed; use the new one from now on$' \
	"$(msgline "$T/o-done.txt")"
expect_eq "own password: audited" 2 "$(audits password-change "$NURSE")"
expect_eq "own password: the count of wrong ones starts again" 0 "$(acct "$NURSE" failed_logins)"
script own_after <<EOF
$NURSE<Tab>$OWN_PW<Enter>
:dump $T/o-after.txt
<C-x>q
EOF
screen_match "own password: the new one signs in" '^crf TJ01 Subjects +Wang Fang$' "$T/o-after.txt"

# ---- Unlocking an account locked by wrong passwords ------------------------------------
script lockout <<EOF
$MON<Tab>wrong-1<Enter>
wrong-2<Enter>
wrong-3<Enter>
wrong-4<Enter>
wrong-5<Enter>
$MON_PW<Enter>
:dump $T/l-locked.txt
<Esc>
EOF
expect_eq "lockout: the account is locked" 1 "$(acct "$MON" locked)"
expect_match "lockout: even the right password is refused" '^The account chen\.jie is locked' "$(msgline "$T/l-locked.txt")"
script unlock <<EOF
$ADMIN<Tab>$ADMIN_PW<Enter>
<C-u><Down>
:dump $T/l-list.txt
<Enter>
:dump $T/l-menu.txt
1
:dump $T/l-unlocked.txt
<C-x><C-x>q
EOF
expect_eq "unlock: exit 0" 0 "$rc"
screen_match "unlock: the list says LOCKED" '^chen\.jie +Chen Jie +Data manager +LOCKED' "$T/l-list.txt"
screen_match "unlock: the count of locked accounts" '3 accounts: 2 active, 1 locked, 0 retired' "$T/l-list.txt"
screen_match "unlock: the last line says how" '^chen\.jie is locked after 5 wrong passwords: Enter, then Unlock$' "$T/l-list.txt"
screen_match "unlock: offered first" '1 Unlock' "$T/l-menu.txt"
expect_match "unlock: says so" '^chen\.jie is unlocked and can sign in again$' "$(msgline "$T/l-unlocked.txt")"
screen_match "unlock: the list says active" '^chen\.jie +Chen Jie +Data manager +active' "$T/l-unlocked.txt"
expect_eq "unlock: unlocked in the database" "0|0" "$(sql "SELECT locked, failed_logins FROM account WHERE login = '$MON'")"
expect_eq "unlock: audited" 1 "$(audits user-unlock "$MON")"
script mon_again <<EOF
$MON<Tab>$MON_PW<Enter>
:dump $T/l-signin.txt
<C-x>q
EOF
screen_match "unlock: the data manager signs in again" '^crf TJ01 Subjects +Chen Jie$' "$T/l-signin.txt"

# ---- Retiring an account ------------------------------------------------------------------
script retire_keep <<EOF
$ADMIN<Tab>$ADMIN_PW<Enter>
<C-u><Down>
<Enter>3
:dump $T/r-ask.txt
<Enter>
:dump $T/r-kept.txt
<C-x><C-x>q
EOF
expect_eq "retire: exit 0 (kept)" 0 "$rc"
expect_eq "retire: still active after Enter" 1 "$(acct "$MON" active)"
expect_eq "retire: nothing audited" 0 "$(audits user-retire "$MON")"
script retire <<EOF
$ADMIN<Tab>$ADMIN_PW<Enter>
<C-u><Down>
<Enter>3
r
:dump $T/r-done.txt
<Enter>
:dump $T/r-again.txt
<C-x><C-x>q
EOF
expect_eq "retire: exit 0" 0 "$rc"
screen_match "retire: asks first" 'Retire chen\.jie \(Chen Jie\)\?' "$T/r-ask.txt"
expect_match "retire: says logins are never reused" 'Logins are never reused' "$(tr -d '\n│' < "$T/r-ask.txt" | tr -s ' ')"
expect_match "retire: Enter keeps the account" '^chen\.jie was not retired$' "$(msgline "$T/r-kept.txt")"
expect_match "retire: R retires" '^chen\.jie is retired: it can no longer sign in$' "$(msgline "$T/r-done.txt")"
screen_match "retire: the list says retired" '^chen\.jie +Chen Jie +Data manager +retired' "$T/r-done.txt"
expect_match "retire: nothing more to do to a retired account" '^chen\.jie is retired: it cannot sign in, and its login is never reused$' \
	"$(msgline "$T/r-again.txt")"
expect_eq "retire: retired in the database" 0 "$(acct "$MON" active)"
expect_eq "retire: audited" 1 "$(audits user-retire "$MON")"
script mon_retired <<EOF
$MON<Tab>$MON_PW<Enter>
:dump $T/r-signin.txt
<Esc>
EOF
expect_match "retire: the account cannot sign in" '^The account chen\.jie is retired and cannot sign in$' "$(msgline "$T/r-signin.txt")"
screen_match "retire: still the sign-in screen" '^crf TJ01 Sign in' "$T/r-signin.txt"

# ---- A reset while the person is away: the new password is asked at the screen lock ----
AWAY_PW=Nurse-Away-Pass-10
sed -i 's/^idle_lock_minutes = .*/idle_lock_minutes = 1/' "$T/config.ini"
# The nurse's session runs in the background, fed through a FIFO; the
# administrator resets her password from another session meanwhile.
wait_for() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
}
mkfifo "$T/away.fifo"
CRF_SCRIPT="$T/away.fifo" timeout 60 "$CRF_BIN" -c "$T/config.ini" > "$T/away.out" 2>&1 &
away=$!
exec 3<>"$T/away.fifo"
printf '%s\n' "$NURSE<Tab>$OWN_PW<Enter>" ":dump $T/w-in.txt" >&3
wait_for "$T/w-in.txt"
script reset_away <<EOF
$ADMIN<Tab>$ADMIN_PW<Enter>
<C-u><End><Up>
<Enter>2
$TEMP_PW<Enter>
$TEMP_PW<Enter>
<C-x><C-x>q
EOF
expect_eq "away: the password was reset meanwhile" 1 "$(acct "$NURSE" must_change)"
{
	i=0; while [ $i -lt 12 ]; do echo ":tick"; i=$((i + 1)); done
	echo ":dump $T/w-locked.txt"
	echo "$OWN_PW<Enter>"
	echo ":dump $T/w-old.txt"
	echo "$TEMP_PW<Enter>"
	echo ":dump $T/w-ask.txt"
	echo "$AWAY_PW<Enter>"
	echo "$AWAY_PW<Enter>"
	echo ":dump $T/w-done.txt"
	echo "<C-x>q"
} >&3
exec 3>&-
wait "$away"
expect_eq "away: exit 0" 0 "$?"
screen_match "away: signed in before" '^crf TJ01 Subjects +Wang Fang$' "$T/w-in.txt"
screen_match "away: locked after a minute" 'Screen locked: wang\.fang' "$T/w-locked.txt"
screen_match "away: the old password no longer opens it" '^The password is wrong$' "$T/w-old.txt"
screen_match "away: the reset one asks a new password" 'Password reset' "$T/w-ask.txt"
expect_match "away: says why" '^Your password was reset by an administrator: choose a new one$' "$(msgline "$T/w-ask.txt")"
screen_no_match "away: no study data while asking" 'Subjects|Search:' "$T/w-ask.txt"
screen_match "away: then back where she was" '^crf TJ01 Subjects +Wang Fang$' "$T/w-done.txt"
expect_match "away: says it is set" '^Your new password is set; use it from now on$' "$(msgline "$T/w-done.txt")"
expect_eq "away: changed, no longer to be changed" 0 "$(acct "$NURSE" must_change)"
expect_eq "away: the change is audited" 3 "$(audits password-change "$NURSE")"
sed -i 's/^idle_lock_minutes = .*/idle_lock_minutes = 10/' "$T/config.ini"

# ---- Password expiry ------------------------------------------------------------------------
# Passwords older than 30 days must be changed; the clock moves 31 days on.
printf 'password_max_age_days = 30\n' >> "$T/config.ini"
saved_now=$CRF_NOW
export CRF_NOW=2026-12-26T08:00:00Z
script expired <<EOF
$NURSE<Tab>$AWAY_PW<Enter>
:dump $T/e-ask.txt
$NEW_PW<Enter>
$NEW_PW<Enter>
:dump $T/e-done.txt
<C-x>q
EOF
expect_eq "expiry: exit 0" 0 "$rc"
expect_match "expiry: says why" '^Your password has expired \(older than 30 days\): choose a new one$' \
	"$(msgline "$T/e-ask.txt")"
screen_match "expiry: in a box about it" 'Password expired' "$T/e-ask.txt"
screen_match "expiry: then the subject list" '^crf TJ01 Subjects +Wang Fang$' "$T/e-done.txt"
expect_eq "expiry: the password's age starts again" "2026-12-26T08:00:00Z|0" \
	"$(sql "SELECT pw_changed_at, must_change FROM account WHERE login = '$NURSE'")"
# The administrator's own password has expired too; the list says whose.
script expired_admin <<EOF
$ADMIN<Tab>$ADMIN_PW<Enter>
Admin-New-Pass-5<Enter>
Admin-New-Pass-5<Enter>
<C-u>
:dump $T/e-users.txt
<C-x><C-x>q
EOF
screen_match "expiry: the administrator's list shows the new password date" \
	'^wang\.fang +Wang Fang +Research nurse +active +2026-12-26$' "$T/e-users.txt"
screen_match "expiry: and the administrator's own" '^admin +Ada Admin +Administrator +active +2026-12-26$' "$T/e-users.txt"
export CRF_NOW=2027-02-01T08:00:00Z
script expired_list <<EOF
$ADMIN<Tab>Admin-New-Pass-5<Enter>
Admin-Newer-Pass-6<Enter>
Admin-Newer-Pass-6<Enter>
<C-u>
:dump $T/e-old.txt
<C-x><C-x>q
EOF
screen_match "expiry: an old password shows as expired in the list" \
	'^wang\.fang +Wang Fang +Research nurse +password expired +2026-12-26$' "$T/e-old.txt"
export CRF_NOW=$saved_now
