#!/bin/sh
# Roles on screen (include/crf/perm.h): each role sees only the keys of
# what it may do, and the screens refuse the rest with the reason.  A
# research nurse enters data; a monitor and an administrator only read it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"

setup_site || exit 1
MON=chen.jie
MON_NAME="Chen Jie"
MON_PW=Monitor-Pass-22
add_account "$NURSE" data-entry "$NURSE_NAME" "$NURSE_PW" || exit 1
add_account "$MON" monitor "$MON_NAME" "$MON_PW" || exit 1
expect_eq "accounts: one of each role, made by crf user add" "admin|admin
chen.jie|monitor
wang.fang|data-entry" "$(sql 'SELECT login, role FROM account ORDER BY login')"

# The key bar is the last line of a dumped screen.
keybar() { tail -n 1 "$1"; }
# What was saved: the consent question of TJ01-0001's informed consent.
icyn() {
	sql "SELECT f.version || '|' || f.status || '|' || f.updated_by || '|' || i.value
	  FROM item i JOIN form_instance f ON f.id = i.instance_id
	  WHERE f.form = 'ic' AND i.field = 'icyn'"
}
# Changes made in the data by an account (sign-ins left out).
changes_by() { sql "SELECT count(*) FROM audit WHERE user = '$1' AND action NOT LIKE 'log%'"; }

# ---- The research nurse adds a subject and saves a form -------------------------
script nurse <<EOF
$NURSE<Tab>$NURSE_PW<Enter>
:dump $T/n-list.txt
<C-g>
:dump $T/n-help1.txt
<PgDn>
:dump $T/n-help2.txt
<Esc>
<C-n>a
:dump $T/n-added.txt
<Enter>
:dump $T/n-book.txt
<Enter>
Y<Enter>
:dump $T/n-form.txt
<C-s>
<Enter>
:dump $T/n-saved.txt
<C-x><C-x><C-x>q
EOF
expect_eq "nurse: exit 0" 0 "$rc"
expect_eq "nurse: list key bar offers New and Password, not Users" \
	'^G Help ^N New ^Q Query ^E Status ^V Filter ^W Due ^P Password ^X Back' "$(keybar "$T/n-list.txt")"
screen_match "nurse: the empty list says ^N adds one" 'No subjects yet\. \^N \(F6\) adds the first one\.' "$T/n-list.txt"
screen_match "nurse: subject added" 'Subject TJ01-0001 added' "$T/n-added.txt"
expect_eq "nurse: the subject is in the database, made by the nurse" "TJ01-0001|wang.fang" \
	"$(sql 'SELECT key, created_by FROM subject')"
expect_eq "nurse: casebook key bar offers New, not Sign, Verify or Lock" \
	'^G Help ^Y History ^N New ^Q Query ^E Status ^A Charts ^X Back' "$(keybar "$T/n-book.txt")"
expect_eq "nurse: form key bar offers Save, Complete and Missing" \
	'^G Help ^S Save ^T Complete ^O Missing ^Y History ^Q Query ^X Back' "$(keybar "$T/n-form.txt")"
screen_match "nurse: typing enters the value" '^ \*Has the patient personally +Yes' "$T/n-form.txt"
screen_match "nurse: form saved" '◐ incomplete · saved$' "$T/n-saved.txt"
expect_eq "nurse: the value is in the database" "1|1|wang.fang|Y" "$(icyn)"
# The same two pages of help as the monitor's below, with every key.
cat "$T/n-help1.txt" "$T/n-help2.txt" > "$T/n-help.txt"
for k in 'F6/\^N +Add a subject' 'F2/\^S +Save the form' 'F3/\^T +Save and mark' 'F4/\^O +Give the current'; do
	screen_match "nurse: help lists $k" "$k" "$T/n-help.txt"
done
screen_match "nurse: help names the role" 'Signed in as Wang Fang, Research nurse \(data entry\)' "$T/n-help1.txt"
screen_no_match "nurse: help does not say read-only" 'read-only' "$T/n-help.txt"

# ---- The monitor: no New or Save keys, refusals, read-only forms -----------------
script monitor <<EOF
$MON<Tab>$MON_PW<Enter>
:dump $T/m-list.txt
<C-n>
:dump $T/m-new.txt
<F6>
:dump $T/m-f6.txt
<C-g>
:dump $T/m-help1.txt
<PgDn>
:dump $T/m-help2.txt
<PgDn>
:dump $T/m-help3.txt
<Esc>
<Enter>
:dump $T/m-book.txt
<PgDn><PgDn><PgDn><Home>
<C-n>
:dump $T/m-book-new.txt
<Enter>
:dump $T/m-log.txt
<PgUp><PgUp><PgUp><Home>
<Enter>
:dump $T/m-form.txt
N
:dump $T/m-typed.txt
<C-u><BS><Space>
:dump $T/m-erase.txt
<C-s>
:dump $T/m-save.txt
<C-t>
:dump $T/m-complete.txt
<C-o>
:dump $T/m-missing.txt
<Enter>
:dump $T/m-moved.txt
2026-11-20
:dump $T/m-date.txt
<Enter>
:dump $T/m-moved2.txt
<C-x>
:dump $T/m-left.txt
<C-x>
<C-x>q
EOF
expect_eq "monitor: exit 0" 0 "$rc"
expect_eq "monitor: list key bar without New or Users" \
	'^G Help ^Q Query ^E Status ^V Filter ^W Due ^P Password ^X Back' "$(keybar "$T/m-list.txt")"
screen_match "monitor: ^N on the list says why not" \
	'^A monitor cannot enter data; monitors verify and raise queries$' "$T/m-new.txt"
screen_match "monitor: F6 too" '^A monitor cannot enter data; monitors verify and raise queries$' "$T/m-f6.txt"
screen_no_match "monitor: no question about a new subject" 'Add a new subject' "$T/m-new.txt"
expect_eq "monitor: no subject added" 1 "$(sql 'SELECT count(*) FROM subject')"
screen_match "monitor: help names the role" 'Signed in as Chen Jie, Monitor \(CRA\): monitors verify and raise' "$T/m-help1.txt"
screen_match "monitor: help lists Filter" 'F9/\^V +Show only subjects' "$T/m-help1.txt"
cat "$T/m-help1.txt" "$T/m-help2.txt" "$T/m-help3.txt" > "$T/m-help.txt"
screen_no_match "monitor: help leaves out New, Save, Complete, Missing" \
	'F6/\^N|F2/\^S|F3/\^T|F4/\^O' "$T/m-help.txt"
screen_match "monitor: help says forms are read-only" 'Forms are read-only for your role' "$T/m-help.txt"
expect_eq "monitor: casebook key bar without New, with Verify" \
	'^G Help ^Y History ^Q Query ^E Status ^D Verify ^A Charts ^X Back' "$(keybar "$T/m-book.txt")"
screen_match "monitor: ^N on the logs line says why not" \
	'^A monitor cannot enter data; monitors verify and raise queries$' "$T/m-book-new.txt"
screen_no_match "monitor: the logs line offers no ^N" '\^N adds one' "$T/m-book-new.txt"
screen_match "monitor: an empty log is said, not offered" 'ae Adverse event has no entries yet' "$T/m-log.txt"
screen_no_match "monitor: no new log entry offered" 'New entry' "$T/m-log.txt"
expect_eq "monitor: no log entry made" 0 "$(sql "SELECT count(*) FROM form_instance WHERE form = 'ae'")"
screen_match "monitor: the form shows the saved value" '^▸\*Has the patient personally +Yes' "$T/m-form.txt"
screen_match "monitor: the form says read-only" '◐ incomplete · read-only$' "$T/m-form.txt"
expect_eq "monitor: form key bar without Save, Complete, Missing, with Verify" \
	'^G Help ^Y History ^Q Query ^D Verify ^X Back' "$(keybar "$T/m-form.txt")"
screen_match "monitor: typing is refused with the reason" \
	'^This form is read-only: monitors verify and raise queries$' "$T/m-typed.txt"
screen_match "monitor: typing changes nothing" '^▸\*Has the patient personally +Yes' "$T/m-typed.txt"
screen_match "monitor: erasing changes nothing" '^▸\*Has the patient personally +Yes' "$T/m-erase.txt"
screen_no_match "monitor: nothing unsaved" 'unsaved changes' "$T/m-erase.txt"
screen_match "monitor: ^S refused" '^A monitor cannot enter data; monitors verify and raise queries$' "$T/m-save.txt"
screen_match "monitor: ^T refused" \
	'^A monitor cannot mark forms complete; monitors verify and raise queries$' "$T/m-complete.txt"
screen_match "monitor: ^O refused" '^A monitor cannot enter data; monitors verify' "$T/m-missing.txt"
screen_no_match "monitor: no missing-data list" 'Missing:' "$T/m-missing.txt"
screen_match "monitor: Enter moves to the next field" '^▸\*Date the informed consent' "$T/m-moved.txt"
screen_match "monitor: a typed date is refused too" '^This form is read-only' "$T/m-date.txt"
screen_match "monitor: the date stays blank" '^▸\*Date the informed consent +YYYY-MM-DD$' "$T/m-date.txt"
screen_match "monitor: Enter goes on" '^▸ Time of signature' "$T/m-moved2.txt"
screen_match "monitor: leaves without a question" '^crf TJ01 Casebook TJ01-0001' "$T/m-left.txt"
expect_eq "monitor: the saved form is untouched" "1|1|wang.fang|Y" "$(icyn)"
expect_eq "monitor: nothing else stored for the form" 1 \
	"$(sql "SELECT count(*) FROM item i JOIN form_instance f ON f.id = i.instance_id WHERE f.form = 'ic'")"
expect_eq "monitor: no change in the audit trail" 0 "$(changes_by "$MON")"

# Hang-up in a read-only form keeps no draft.
script monitor_hangup <<EOF
$MON<Tab>$MON_PW<Enter>
<Enter><Enter>
N<Enter>
:hangup
EOF
expect_eq "monitor hang-up: exit 1" 1 "$rc"
expect_eq "monitor hang-up: no draft" 0 "$(sql 'SELECT count(*) FROM draft')"
expect_eq "monitor hang-up: the form is untouched" "1|1|wang.fang|Y" "$(icyn)"

# ---- The administrator manages accounts and enters no clinical data ---------------
script admin <<EOF
$ADMIN<Tab>$ADMIN_PW<Enter>
:dump $T/a-list.txt
<C-n>
:dump $T/a-new.txt
<Enter><Enter>
:dump $T/a-form.txt
N
:dump $T/a-typed.txt
<C-s>
:dump $T/a-save.txt
<C-x><C-x><C-x>q
EOF
expect_eq "admin: exit 0" 0 "$rc"
expect_eq "admin: list key bar without New, with Users" \
	'^G Help ^Q Query ^E Status ^V Filter ^W Due ^U Users ^P Password ^X Back' "$(keybar "$T/a-list.txt")"
screen_match "admin: ^N refused with the reason" \
	'^An administrator cannot enter data; administrators manage user accounts$' "$T/a-new.txt"
expect_eq "admin: no subject added" 1 "$(sql 'SELECT count(*) FROM subject')"
screen_match "admin: the form is read-only" '· read-only$' "$T/a-form.txt"
screen_match "admin: typing refused" \
	'^This form is read-only: administrators manage user accounts$' "$T/a-typed.txt"
screen_match "admin: ^S refused" '^An administrator cannot enter data' "$T/a-save.txt"
expect_eq "admin: the saved form is untouched" "1|1|wang.fang|Y" "$(icyn)"
expect_eq "admin: no change in the audit trail" 0 \
	"$(sql "SELECT count(*) FROM audit WHERE user = '$ADMIN' AND action NOT LIKE 'log%' AND action NOT LIKE 'user-%'")"

# ---- An account whose role crf does not know cannot sign in --------------------------
add_account odd.role data-entry "Odd Role" Odd-Role-Pass-3 || exit 1
sql "UPDATE account SET role = 'boss' WHERE login = 'odd.role'"
expect_eq "unknown role: the row was changed outside crf" boss \
	"$(sql "SELECT role FROM account WHERE login = 'odd.role'")"
script odd <<EOF
odd.role<Tab>Odd-Role-Pass-3<Enter>
:dump $T/odd.txt
<Esc>
EOF
screen_match "unknown role: refused with the reason" \
	'^Cannot sign in: the account has no known role \(boss\); ask the site administrator' "$T/odd.txt"
screen_match "unknown role: still the sign-in screen" '^crf TJ01 Sign in' "$T/odd.txt"
