#!/bin/sh
# End to end, in a real terminal (tmux 80x24): an investigator signs a form
# with user ID and password (then with the password alone, by F12), the
# casebook and the form show the signature; a data manager locks the form
# and a research nurse's edit is refused with who locked it and when.
. "$(dirname "$0")/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	not_ok "tmux is installed (make check installs it)"
	exit 1
fi
INV=zhang.wei
INV_PW=Investigator-Pw-1
DMGR=zhao.min
DMGR_PW=Manager-Pass-33
if ! setup_site || ! add_account "$NURSE" data-entry "$NURSE_NAME" "$NURSE_PW" ||
    ! add_account "$INV" investigator "Zhang Wei" "$INV_PW" ||
    ! add_account "$DMGR" data-manager "Zhao Min" "$DMGR_PW"; then
	not_ok "signoff: a site with a nurse, an investigator and a data manager"
	exit 1
fi
WHEN='2026-11-25 16:00 \+08:00'

# The nurse's informed consent, keyed headless (tests/tui): complete.
script nurse <<EOF
$NURSE<Tab>$NURSE_PW<Enter>
<C-n>a
<Enter><Enter>
Y<Enter>2026-11-20<Enter><Enter>V1.0<Enter>
<C-t>
<C-x><C-x><C-x>q
EOF
expect_eq "data: the informed consent is complete" "2" \
	"$(sql "SELECT status FROM form_instance WHERE form = 'ic'")"

signin() {
	expect_screen "$1: sign-in screen" "User name"
	type_text "$2"; keys Tab; type_text "$3"; keys Enter
	expect_screen "$1: subject list" "crf TJ01 Subjects"
}
leave() {
	keys C-x
	wait_for '\[Q\]uit' 2 || keys C-x
	wait_for '\[Q\]uit' 2 || keys C-x
	wait_for '\[Q\]uit' 2 && keys q
	expect_screen "$1: crf ends" 'crf-exited-0'
	stop_crf
}

# ---- The investigator signs from the casebook, then from the form.
start_crf 80 24
signin "sign" "$INV" "$INV_PW"
keys Enter
expect_screen "sign: the casebook" 'Casebook TJ01-0001'
keys C-r
expect_screen "sign: asks what to sign" 'this \[F\]orm +this \[V\]isit'
keys f
expect_screen "sign: the meaning" 'Meaning +I approve the data of this form'
expect_screen "sign: the printed name" 'Name +Zhang Wei'
expect_screen "sign: the date and time" "Date +$WHEN"
expect_screen "sign: the user ID first" 'User ID'
type_text "$INV"; keys Enter
type_text "$INV_PW"; keys Enter
expect_screen "sign: the signature under the casebook" \
	"^Signed by Zhang Wei $WHEN — I approve the data of this form"
expect_screen "sign: S after the form's mark" 'ic●S'
expect_eq "sign: stored with the printed name" "form|ic|Zhang Wei|I approve the data of this form" \
	"$(sql "SELECT scope, form, full_name, meaning FROM signature")"
keys Enter
expect_screen "sign: the form shows the signature" "^Signed by Zhang Wei $WHEN"
keys F12
expect_screen "F12: asks what to sign" 'this \[F\]orm'
keys f
expect_screen "F12: the password" '│ Password'
if screen_text | grep -q 'User ID'; then
	not_ok "F12: the second signature asks the password alone"
	screen_text | sed 's/^/#   | /'
else
	ok "F12: the second signature asks the password alone"
fi
type_text "$INV_PW"; keys Enter
expect_screen "F12: signed" "^Signed by Zhang Wei $WHEN — I approve"
i=0
while [ $i -lt 40 ] && [ "$(sql 'SELECT count(*) FROM signature')" != 2 ]; do
	i=$((i + 1)); sleep 0.05
done
expect_eq "F12: two signatures" 2 "$(sql 'SELECT count(*) FROM signature')"
leave "sign"

# ---- The data manager locks the form.
start_crf 80 24
signin "lock" "$DMGR" "$DMGR_PW"
keys Enter
expect_screen "lock: the casebook" 'Casebook TJ01-0001'
keys C-k
expect_screen "lock: the menu" '1 Lock this form ic Informed consent'
keys 1
expect_screen "lock: locked" '^Locked: form ic Informed consent'
expect_screen "lock: L after the form's mark" 'ic●L'
expect_eq "lock: stored" "form|ic|zhao.min" \
	"$(sql "SELECT scope, form, locked_by FROM record_lock WHERE unlocked_at IS NULL")"
leave "lock"

# ---- The nurse cannot change it.
start_crf 80 24
signin "locked form" "$NURSE" "$NURSE_PW"
keys Enter
expect_screen "locked form: the casebook says locked" 'complete, signed, locked'
keys Enter
expect_screen "locked form: the header says locked" '● complete · locked$'
expect_screen "locked form: who locked it and when" "^Locked by zhao\\.min $WHEN \\(this form\\)"
type_text N
expect_screen "locked form: typing is refused, naming who and when" \
	"^Locked by zhao\\.min $WHEN: no changes until it is unlocked"
expect_screen "locked form: the value is unchanged" '^▸\*Has the patient personally +Yes'
keys C-s
expect_screen "locked form: saving is refused too" 'no changes until it is unlocked'
expect_eq "locked form: nothing changed" "Y|1" \
	"$(sql "SELECT i.value, f.version FROM item i JOIN form_instance f ON f.id = i.instance_id WHERE f.form = 'ic' AND i.field = 'icyn'")"
leave "locked form"
