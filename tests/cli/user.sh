#!/bin/sh
# crf user add / list: accounts from the shell, passwords on standard input.
. "$(dirname "$0")/../lib.sh"

make_config
sed -i 's|^path = .*|path = site.db|' "$T/config.ini"
C="-c $T/config.ini"
"$CRF_BIN" $C init >/dev/null 2>&1

out=$(printf 'Nurse-Password-1\n' | "$CRF_BIN" $C user add wang.fang --role data-entry --name "Wang Fang" 2>&1); rc=$?
expect_eq "add: exit 0" 0 "$rc"
expect_match "add: says so" '^added wang.fang \(Wang Fang\), role data-entry$' "$out"
expect_eq "add: stored with its role" "wang.fang|Wang Fang|data-entry|1" \
	"$(sqlite3 "$T/site.db" "SELECT login, full_name, role, active FROM account")"
expect_match "add: only a hash is stored" '^\$argon2id\$' "$(sqlite3 "$T/site.db" "SELECT pw_hash FROM account")"
expect_eq "add: audited" "user-create|wang.fang|data-entry" \
	"$(sqlite3 "$T/site.db" "SELECT action, field, new_value FROM audit WHERE action = 'user-create'")"

out=$(printf 'Another-Password-2\n' | "$CRF_BIN" $C user add wang.fang --role monitor --name "Someone Else" 2>&1); rc=$?
expect_eq "login reused: refused" 1 "$rc"
expect_match "login reused: says why" 'never reused' "$out"
out=$(printf 'short\n' | "$CRF_BIN" $C user add li.na --role investigator --name "Li Na" 2>&1); rc=$?
expect_eq "short password: refused" 1 "$rc"
expect_match "short password: says the minimum" 'at least 10 characters' "$out"
out=$(printf 'Investigator-3\n' | "$CRF_BIN" $C user add li.na --role boss --name "Li Na" 2>&1); rc=$?
expect_eq "unknown role: refused" 1 "$rc"
expect_match "unknown role: lists the roles" 'data-entry, investigator, monitor, data-manager or admin' "$out"
out=$(printf 'Investigator-3\n' | "$CRF_BIN" $C user add "Li Na" --role investigator --name "Li Na" 2>&1); rc=$?
expect_eq "bad login: refused" 1 "$rc"
out=$("$CRF_BIN" $C user add li.na --role investigator 2>&1); rc=$?
expect_eq "missing --name: usage" 2 "$rc"
printf 'Investigator-3\n' | "$CRF_BIN" $C user add li.na --role investigator --name "Li Na" >/dev/null 2>&1

out=$("$CRF_BIN" $C user list 2>&1); rc=$?
expect_eq "list: exit 0" 0 "$rc"
expect_match "list: heading" '^LOGIN +ROLE +STATE' "$out"
expect_match "list: both accounts" '^li.na +investigator +active .*Li Na$' "$out"
expect_match "list: both accounts (2)" '^wang.fang +data-entry +active .*Wang Fang$' "$out"

# The new account signs in to the full-screen program.
cat > "$T/signin.keys" <<KEYS
wang.fang<Tab>Nurse-Password-1<Enter>
:dump $T/list.txt
<C-x>q
KEYS
CRF_SCRIPT="$T/signin.keys" "$CRF_BIN" $C >/dev/null 2>&1
expect_match "sign-in: the new account reaches the subject list" 'Subjects +Wang Fang' "$(cat "$T/list.txt")"
expect_eq "sign-in: audited under the account" "wang.fang" \
	"$(sqlite3 "$T/site.db" "SELECT user FROM audit WHERE action = 'login'")"

# Wrong passwords lock the account at failed_login_limit; an administrator
# unlocks it from the shell.
sed -i 's/^failed_login_limit = .*/failed_login_limit = 3/' "$T/config.ini"
cat > "$T/wrong.keys" <<KEYS
li.na<Tab>wrong-1<Enter>
wrong-2<Enter>
:dump $T/wrong2.txt
wrong-3<Enter>
:dump $T/locked.txt
Investigator-3<Enter>
:dump $T/still.txt
<Esc>
KEYS
CRF_SCRIPT="$T/wrong.keys" "$CRF_BIN" $C >/dev/null 2>&1
expect_match "lockout: a wrong password says only that" 'The user name or password is wrong' "$(cat "$T/wrong2.txt")"
expect_match "lockout: the third wrong password locks" 'The account li.na is locked after 3 wrong passwords' "$(cat "$T/locked.txt")"
expect_match "lockout: the right password is refused while locked" 'is locked' "$(cat "$T/still.txt")"
expect_no_match "lockout: no subject list while locked" 'Subjects' "$(cat "$T/still.txt")"
expect_eq "lockout: audited once" 1 "$(sqlite3 "$T/site.db" "SELECT count(*) FROM audit WHERE action = 'lockout' AND field = 'li.na'")"
expect_match "lockout: shown in the list" '^li.na +investigator +locked ' "$("$CRF_BIN" $C user list)"
out=$("$CRF_BIN" $C user unlock li.na 2>&1); rc=$?
expect_eq "unlock: exit 0" 0 "$rc"
expect_eq "unlock: audited" 1 "$(sqlite3 "$T/site.db" "SELECT count(*) FROM audit WHERE action = 'user-unlock' AND field = 'li.na'")"
out=$("$CRF_BIN" $C user unlock nobody 2>&1); rc=$?
expect_eq "unlock an unknown login: exit 1" 1 "$rc"
cat > "$T/right.keys" <<KEYS
li.na<Tab>Investigator-3<Enter>
:dump $T/in.txt
<C-x>q
KEYS
CRF_SCRIPT="$T/right.keys" "$CRF_BIN" $C >/dev/null 2>&1
expect_match "unlock: signs in again" 'Subjects +Li Na' "$(cat "$T/in.txt")"
expect_eq "unlock: the count starts again" 0 "$(sqlite3 "$T/site.db" "SELECT failed_logins FROM account WHERE login = 'li.na'")"

# An administrator changes a role, resets a password, retires an account.
out=$("$CRF_BIN" $C user set-role li.na data-manager 2>&1); rc=$?
expect_eq "set-role: exit 0" 0 "$rc"
expect_eq "set-role: stored" "data-manager" "$(sqlite3 "$T/site.db" "SELECT role FROM account WHERE login = 'li.na'")"
expect_eq "set-role: audited old and new" "role-change|investigator|data-manager" \
	"$(sqlite3 "$T/site.db" "SELECT action, old_value, new_value FROM audit WHERE action = 'role-change'")"
out=$("$CRF_BIN" $C user set-role li.na boss 2>&1); rc=$?
expect_eq "set-role to an unknown role: refused" 1 "$rc"
before=$(sqlite3 "$T/site.db" "SELECT pw_hash FROM account WHERE login = 'li.na'")
out=$(printf 'Fresh-Password-4\n' | "$CRF_BIN" $C user reset-password li.na 2>&1); rc=$?
expect_eq "reset-password: exit 0" 0 "$rc"
after=$(sqlite3 "$T/site.db" "SELECT pw_hash FROM account WHERE login = 'li.na'")
if [ "$before" != "$after" ] && [ "${after#\$argon2id\$}" != "$after" ]; then
	ok "reset-password: a new argon2id hash"; else not_ok "reset-password: a new argon2id hash"; fi
expect_eq "reset-password: audited without the password" "password-reset||" \
	"$(sqlite3 "$T/site.db" "SELECT action, coalesce(old_value, ''), coalesce(new_value, '') FROM audit WHERE action = 'password-reset'")"
out=$(printf 'short\n' | "$CRF_BIN" $C user reset-password li.na 2>&1); rc=$?
expect_eq "reset-password: too short refused" 1 "$rc"
out=$("$CRF_BIN" $C user retire li.na 2>&1); rc=$?
expect_eq "retire: exit 0" 0 "$rc"
expect_match "retire: shown in the list" '^li.na +data-manager +retired ' "$("$CRF_BIN" $C user list)"
cat > "$T/retired.keys" <<KEYS
li.na<Tab>Fresh-Password-4<Enter>
:dump $T/retired.txt
<Esc>
KEYS
CRF_SCRIPT="$T/retired.keys" "$CRF_BIN" $C >/dev/null 2>&1
expect_match "retire: cannot sign in" 'The account li.na is retired' "$(cat "$T/retired.txt")"
out=$(printf 'Other-Password-5\n' | "$CRF_BIN" $C user add li.na --role monitor --name "Somebody" 2>&1); rc=$?
expect_eq "retire: the login is never given again" 1 "$rc"
out=$("$CRF_BIN" $C user retire nobody 2>&1); rc=$?
expect_eq "retire an unknown login: exit 1" 1 "$rc"
