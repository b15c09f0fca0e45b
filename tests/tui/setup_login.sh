#!/bin/sh
# First start (set-up screen) and signing in.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"

PW=Secret-Pass-42
rm -rf "$T/data"

# Quit at the question: nothing is made.
script quit <<EOF
:dump $T/quit.txt
q
EOF
expect_eq "set-up: quit exits 0" 0 "$rc"
screen_match "set-up: shows the site code" 'Site code +TJ01' "$T/quit.txt"
screen_match "set-up: shows the site name" 'Site name +Tianjin Medical University General Hospital' "$T/quit.txt"
screen_match "set-up: shows the database path" "Database +$T/data/site.db" "$T/quit.txt"
screen_match "set-up: asks to create" '\[C\]reate site database +\[Q\]uit' "$T/quit.txt"
expect_eq "set-up: quit makes no database" no "$([ -e "$DB" ] && echo yes || echo no)"
expect_eq "set-up: nothing printed" "" "$(cat "$T/out.txt")"

# Create the database (its folder is missing), then leave at the first
# question about the administrator.
cat > "$T/create.keys" <<EOF
c
:dump $T/create1.txt
<Esc>
:dump $T/create2.txt
<C-x>
EOF
run_script "$T/create.keys"
expect_eq "create: exit 0" 0 "$rc"
screen_match "create: asks the administrator's login" 'Login:' "$T/create1.txt"
screen_match "create: says the database was made" 'Created the site database' "$T/create1.txt"
screen_match "create: Esc leaves no administrator" 'No administrator yet' "$T/create2.txt"
expect_eq "create: database made" "TJ01" "$(sql 'SELECT code FROM site')"
expect_eq "create: folder mode 0750" 750 "$(stat -c %a "$T/data")"
expect_eq "create: no account yet" 0 "$(sql 'SELECT count(*) FROM account')"

# Next start: the database exists without users, so set-up again.
cat > "$T/admin.keys" <<EOF
:dump $T/admin0.txt
c
Ad min<Enter>
:dump $T/admin1.txt
admin<Enter>
Ada Admin<Enter>
short<Enter>
:dump $T/admin2.txt
$PW<Enter>
Other-Pass-42<Enter>
:dump $T/admin3.txt
$PW<Enter>
$PW<Enter>
:dump $T/login0.txt
admin<Tab>wrong-password<Enter>
:dump $T/login1.txt
<S-Tab><C-u>admin<Enter>$PW<Enter>
:dump $T/list.txt
<C-x>
:dump $T/quitask.txt
q
EOF
run_script "$T/admin.keys"
expect_eq "admin: exit 0" 0 "$rc"
screen_match "admin: existing database, no user" 'exists but has no user account' "$T/admin0.txt"
screen_match "admin: bad login refused" 'A login has 2 to 32 characters' "$T/admin1.txt"
screen_match "admin: short password refused" 'at least 10 characters' "$T/admin2.txt"
screen_match "admin: passwords must match" 'The two passwords differ' "$T/admin3.txt"
screen_no_match "admin: password never shown" "$PW|short|Other-Pass" "$T/admin3.txt"
screen_match "admin: then the login screen" 'crf TJ01 Sign in' "$T/login0.txt"
screen_match "admin: says it was created" 'Administrator admin created' "$T/login0.txt"
expect_eq "admin: one account, an administrator" "admin|Ada Admin|admin|1" \
	"$(sql 'SELECT login, full_name, role, active FROM account')"
expect_match "admin: argon2id hash" '^\$argon2id\$' "$(sql 'SELECT pw_hash FROM account')"
expect_eq "admin: no password in the file" 0 "$(cat "$DB" "$DB-wal" 2>/dev/null | grep -c "$PW")"
expect_eq "admin: creation audited" 1 "$(sql "SELECT count(*) FROM audit WHERE action = 'user-create'")"

screen_match "login: wrong password refused" 'The user name or password is wrong' "$T/login1.txt"
screen_match "login: still the login screen" 'crf TJ01 Sign in' "$T/login1.txt"
screen_match "login: user name kept" 'User name +admin' "$T/login1.txt"
screen_no_match "login: password cleared" 'Password +\*' "$T/login1.txt"
screen_match "login: then the subject list" '^crf TJ01 Subjects +Ada Admin$' "$T/list.txt"
screen_match "login: list header" 'Subject ID +Study no\. +Status +Current event +Next visit due' "$T/list.txt"
screen_match "quit: asks first" 'Quit crf\?' "$T/quitask.txt"
expect_eq "login: both attempts audited" "login-failed
login" "$(sql "SELECT action FROM audit WHERE action LIKE 'login%' ORDER BY seq")"

# Esc on the login screen leaves; the database is not touched.
printf '<Esc>\n' > "$T/esc.keys"
run_script "$T/esc.keys"
expect_eq "login: Esc leaves" 0 "$rc"
expect_eq "login: nothing printed" "" "$(cat "$T/out.txt")"

# ASCII terminal and resizing on the login screen.
cat > "$T/small.keys" <<EOF
:resize 100 30
:dump $T/wide.txt
:resize 80 24
:dump $T/narrow.txt
<C-x>
EOF
LC_ALL=C run_script "$T/small.keys"
screen_match "login: 100x30" 'Password' "$T/wide.txt"
expect_eq "login: 100x30 rows" 30 "$(wc -l < "$T/wide.txt")"
expect_eq "login: 80x24 rows" 24 "$(wc -l < "$T/narrow.txt")"
screen_match "login: key bar" '\^X Back' "$T/narrow.txt"
