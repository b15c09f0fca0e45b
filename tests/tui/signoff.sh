#!/bin/sh
# Signatures, locks, source data verification and the audit trail on
# screen (src/tui/scr_signoff.c): an investigator signs (user ID and
# password at the first signature of a session, the password alone after),
# a change shows "CHANGED SINCE SIGNED", a monitor verifies and a change
# clears it, a data manager locks a form (a nurse's edit is refused, also
# in a session that had the form open) and unlocks it with a reason, and
# the casebook shows the audit trail in words.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"

MON=chen.jie
MON_NAME="Chen Jie"
MON_PW=Monitor-Pass-22
DMGR=zhao.min
DMGR_NAME="Zhao Min"
DMGR_PW=Manager-Pass-33
if ! setup_site || ! add_account "$NURSE" data-entry "$NURSE_NAME" "$NURSE_PW" ||
    ! add_account "$INV" investigator "$INV_NAME" "$INV_PW" ||
    ! add_account "$MON" monitor "$MON_NAME" "$MON_PW" ||
    ! add_account "$DMGR" data-manager "$DMGR_NAME" "$DMGR_PW"; then
	not_ok "signoff: a site with a nurse, an investigator, a monitor and a data manager"
	exit 1
fi

# The times of the tests: CRF_NOW 2026-11-25T08:00:00Z, TZ Asia/Shanghai.
WHEN='2026-11-25 16:00 \+08:00'
# The key bar is the last line of a dumped screen.
keybar() { tail -n 1 "$1"; }
icver() {
	sql "SELECT i.value FROM item i JOIN form_instance f ON f.id = i.instance_id
	  WHERE f.form = 'ic' AND i.field = 'icver'"
}

# ---- The nurse completes the informed consent and saves demographics
# incomplete.
consent_keys "$T/n-book.txt" > "$T/nurse.keys"
run_script "$T/nurse.keys"
expect_eq "nurse: exit 0" 0 "$rc"
expect_eq "nurse: ic complete, dm incomplete" "dm|1
ic|2" "$(sql "SELECT form, status FROM form_instance ORDER BY form")"
screen_no_match "nurse: no review line while nothing is signed, locked or verified" \
	'Marks after a form' "$T/n-book.txt"
expect_eq "nurse: the nurse's casebook offers no Sign, Verify or Lock" \
	'^G Help ^Y History ^N New ^Q Query ^E Status ^A Charts ^X Back' "$(keybar "$T/n-book.txt")"

# ---- The monitor verifies before anyone signs; an incomplete form is refused.
script verify <<EOF
$MON<Tab>$MON_PW<Enter>
<Enter>
:dump $T/v-book.txt
<Right><Right>
<C-d>v
:dump $T/v-incomplete.txt
<Left><Left>
<C-d>
:dump $T/v-ask.txt
v
:dump $T/v-done.txt
<Enter>
:dump $T/v-form.txt
<C-d>v
:dump $T/v-again.txt
<C-x><C-x><C-x>q
EOF
expect_eq "verify: the monitor's casebook offers Verify" \
	'^G Help ^Y History ^Q Query ^E Status ^D Verify ^A Charts ^X Back' "$(keybar "$T/v-book.txt")"
screen_match "verify: an incomplete form is refused in plain words" \
	'^Not verified: only a complete form can be verified: this one is incomplete$' "$T/v-incomplete.txt"
screen_match "verify: asks first" 'compared with the source documents' "$T/v-ask.txt"
screen_match "verify: done" '^Source data verified: form ic Informed consent' "$T/v-done.txt"
screen_match "verify: V after the form's status" '^scr .* ic●V ie○ dm◐' "$T/v-done.txt"
screen_match "verify: the detail line" '^ic Informed consent: complete, verified · ' "$T/v-done.txt"
screen_match "verify: the review line" '^Source data verified$' "$T/v-done.txt"
screen_match "verify: the form header" "^Verified by chen\.jie $WHEN\$" "$T/v-form.txt"
screen_match "verify: twice is refused" '^Not verified: this form was verified already' "$T/v-again.txt"
expect_eq "verify: stored" "chen.jie|2026-11-25T08:00:00Z" \
	"$(sql "SELECT sdv_by, sdv_at FROM form_instance WHERE form = 'ic'")"

# ---- The investigator: a wrong password, a visit with an incomplete form,
# then a signature with user ID and password, then one with the password.
script sign <<EOF
$INV<Tab>$INV_PW<Enter>
<Enter>
:dump $T/s-book.txt
<C-r>
:dump $T/s-ask.txt
f
:dump $T/s-dialog.txt
$INV<Enter>Wrong-Password-9<Enter>
:dump $T/s-wrong.txt
<C-r>v
$INV<Enter>$INV_PW<Enter>
:dump $T/s-visit.txt
<C-r>f
:dump $T/s-dialog2.txt
$INV<Tab>$INV_PW<Enter>
:dump $T/s-signed.txt
<Enter>
:dump $T/s-form.txt
<C-r>f
:dump $T/s-dialog3.txt
$INV_PW<Enter>
:dump $T/s-signed2.txt
<C-x><C-x><C-x>q
EOF
expect_eq "sign: exit 0" 0 "$rc"
expect_eq "sign: the investigator's casebook offers Sign" \
	'^G Help ^Y History ^N New ^Q Query ^E Status ^R Sign ^A Charts ^X Back' "$(keybar "$T/s-book.txt")"
screen_match "sign: asks what to sign" 'this \[F\]orm +this \[V\]isit +the whole \[C\]asebook' "$T/s-ask.txt"
screen_match "sign dialog: what is covered" 'Signing +form ic Informed consent of visit scr' "$T/s-dialog.txt"
screen_match "sign dialog: the meaning" 'Meaning +I approve the data of this form' "$T/s-dialog.txt"
screen_match "sign dialog: the printed name" 'Name +Zhang Wei' "$T/s-dialog.txt"
screen_match "sign dialog: the date and time to be recorded" "Date +$WHEN" "$T/s-dialog.txt"
screen_match "sign dialog: first signature of the session asks the user ID" 'User ID' "$T/s-dialog.txt"
screen_match "sign dialog: and the password" '│ Password' "$T/s-dialog.txt"
screen_match "sign dialog: says what the password means" 'handwritten signature' "$T/s-dialog.txt"
screen_match "sign: a wrong password is refused" '^Not signed: the password is wrong$' "$T/s-wrong.txt"
screen_match "sign: a visit with an incomplete form is refused, naming it" \
	'^Not signed: only complete forms can be signed: dm \(scr\) is not complete' "$T/s-visit.txt"
screen_match "sign: the ID is asked again until a signature succeeds" 'User ID' "$T/s-dialog2.txt"
screen_match "sign: signed, said on the message line" \
	"^Signed by Zhang Wei $WHEN — I approve the data of this form\$" "$T/s-signed.txt"
screen_match "casebook: S after the form's status" '^scr .* ic●S ie○ dm◐' "$T/s-signed.txt"
screen_match "casebook: the detail line says verified and signed" \
	'^ic Informed consent: complete, verified, signed' "$T/s-signed.txt"
screen_match "casebook: the signature in full under it" \
	"^Signed by Zhang Wei $WHEN — I approve the data of this form\$" "$T/s-signed.txt"
screen_match "form: the signature under the header" \
	"^Signed by Zhang Wei $WHEN — I approve the data of this form\$" "$T/s-form.txt"
screen_no_match "form: the second signature of the session asks no user ID" 'User ID' "$T/s-dialog3.txt"
screen_match "form: the password alone" '│ Password' "$T/s-dialog3.txt"
screen_match "form: signed again" '^Signed by Zhang Wei' "$T/s-signed2.txt"
expect_eq "sign: two signatures stored, with the printed name and meaning" \
	"form|scr|ic|zhang.wei|Zhang Wei|I approve the data of this form|2026-11-25T08:00:00Z|+08:00
form|scr|ic|zhang.wei|Zhang Wei|I approve the data of this form|2026-11-25T08:00:00Z|+08:00" \
	"$(sql "SELECT scope, event, form, login, full_name, meaning, signed_at, tz_offset FROM signature ORDER BY id")"
expect_eq "sign: audited, and the wrong password too" "sign-failed
sign
sign" "$(sql "SELECT action FROM audit WHERE action LIKE 'sign%' ORDER BY seq")"
expect_eq "sign: the failed visit signature wrote nothing" 0 \
	"$(sql "SELECT count(*) FROM signature WHERE scope = 'event'")"

# ---- The nurse changes the version with a reason: changed since signed, and
# the verification is cleared.
script change <<EOF
$NURSE<Tab>$NURSE_PW<Enter>
<Enter><Enter>
<Down><Down><Down>
<C-u>V1.1<Enter>
<C-s>
typo in the transcription<Enter>
<Enter>
:dump $T/c-form.txt
<C-x>
:dump $T/c-book.txt
<C-x><C-x>q
EOF
expect_eq "change: saved" "V1.1" "$(icver)"
screen_match "change: the form says so" "^CHANGED SINCE SIGNED by Zhang Wei $WHEN\$" "$T/c-form.txt"
screen_match "change: ! in the casebook" '^scr .* ic●! ie○' "$T/c-book.txt"
screen_match "change: the detail line" '^ic Informed consent: complete, CHANGED SINCE SIGNED' "$T/c-book.txt"
screen_match "change: the review line" "^CHANGED SINCE SIGNED by Zhang Wei $WHEN" "$T/c-book.txt"

expect_eq "change: the verification is cleared" "|" \
	"$(sql "SELECT coalesce(sdv_by, ''), coalesce(sdv_at, '') FROM form_instance WHERE form = 'ic'")"
expect_eq "change: the clearing audited with the reason" "sdv-clear|typo in the transcription" \
	"$(sql "SELECT action, reason FROM audit WHERE action = 'sdv-clear'")"
screen_no_match "change: no longer shown verified" 'Verified by' "$T/c-form.txt"

# ---- The investigator signs the change (a new session: user ID and
# password again).
script resign <<EOF
$INV<Tab>$INV_PW<Enter>
<Enter>
<C-r>f
:dump $T/r-dialog.txt
$INV<Enter>$INV_PW<Enter>
:dump $T/r-book.txt
<C-x><C-x>q
EOF
screen_match "re-sign: a new session asks the user ID again" 'User ID' "$T/r-dialog.txt"
screen_match "re-sign: signed again, the change is covered" '^scr .* ic●S ie○' "$T/r-book.txt"
screen_match "re-sign: the latest signature shown" \
	"^Signed by Zhang Wei $WHEN — I approve the data of this form\$" "$T/r-book.txt"
expect_eq "re-sign: three signatures, two superseded" 3 "$(sql 'SELECT count(*) FROM signature')"

# ---- The data manager locks the form while the nurse has it open with a
# change: her save is refused, and so is every edit after.
wait_dump() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	sleep 0.2
}
mkfifo "$T/open.fifo"
CRF_SCRIPT="$T/open.fifo" timeout 60 "$CRF_BIN" -c "$T/config.ini" >"$T/open-out.txt" 2>&1 &
pid=$!
exec 3<>"$T/open.fifo"
cat >&3 <<EOF
$NURSE<Tab>$NURSE_PW<Enter>
<Enter><Enter>
<Down><Down><Down>
<C-u>V1.2<Enter>
:dump $T/l-open.txt
EOF
wait_dump "$T/l-open.txt"
script lock <<EOF
$DMGR<Tab>$DMGR_PW<Enter>
<Enter>
:dump $T/l-book.txt
<C-k>
:dump $T/l-menu.txt
1
:dump $T/l-locked.txt
<C-x><C-x>q
EOF
cat >&3 <<EOF
<C-s>
:dump $T/l-save.txt
<C-x>
:dump $T/l-left.txt
<Enter>
:dump $T/l-reopen.txt
X
:dump $T/l-typed.txt
<C-s>
:dump $T/l-save2.txt
<C-o>
:dump $T/l-missing.txt
<C-x><C-x><C-x>q
EOF
exec 3>&-
wait $pid
expect_eq "lock: the data manager's casebook offers Lock" \
	'^G Help ^Y History ^Q Query ^E Status ^K Lock ^A Charts ^P Print ^X Back' "$(keybar "$T/l-book.txt")"
screen_match "lock: menu, lock this form" '1 Lock this form ic Informed consent' "$T/l-menu.txt"
screen_match "lock: menu, this visit" '2 Lock this visit scr Screening / baseline' "$T/l-menu.txt"
screen_match "lock: menu, the whole casebook" '3 Lock the whole casebook of TJ01-0001' "$T/l-menu.txt"
screen_match "lock: done" '^Locked: form ic Informed consent of visit scr' "$T/l-locked.txt"
screen_match "lock: L after the form's status" '^scr .* ic●L ie○' "$T/l-locked.txt"
screen_match "lock: the detail line" '^ic Informed consent: complete, signed, locked' "$T/l-locked.txt"
expect_eq "lock: stored" "form|scr|ic|zhao.min|" \
	"$(sql "SELECT scope, event, form, locked_by, coalesce(unlocked_at, '') FROM record_lock")"
screen_match "lock: the open form's save is refused, naming who and when" \
	"^Locked by zhao\.min $WHEN: no changes until it is unlocked\$" "$T/l-save.txt"
expect_eq "lock: nothing saved" "V1.1" "$(icver)"
expect_eq "lock: what was typed is kept as a draft for after the unlock" "V1.2" \
	"$(sql "SELECT value FROM draft_item WHERE form = 'ic' AND field = 'icver'")"
screen_match "lock: leaving asks nothing (the entries are kept)" '^crf TJ01 Casebook' "$T/l-left.txt"
screen_no_match "lock: the draft is not offered while locked" 'Kept entries' "$T/l-reopen.txt"
screen_match "lock: the form says locked" '· Informed consent +● complete · locked$' "$T/l-reopen.txt"
screen_match "lock: and by whom" "^Locked by zhao\.min $WHEN \(this form\)" "$T/l-reopen.txt"
screen_match "lock: typing is refused with the message" \
	"^Locked by zhao\.min $WHEN: no changes until it is unlocked\$" "$T/l-typed.txt"
screen_match "lock: typing changes nothing" '^▸\*Has the patient personally +Yes$' "$T/l-typed.txt"
screen_no_match "lock: nothing unsaved" 'unsaved changes' "$T/l-typed.txt"
screen_match "lock: ^S refused" "^Locked by zhao\.min" "$T/l-save2.txt"
screen_match "lock: ^O refused" "^Locked by zhao\.min" "$T/l-missing.txt"
screen_no_match "lock: no missing-data list" 'Missing:' "$T/l-missing.txt"
expect_eq "lock: still nothing saved" "V1.1" "$(icver)"

# ---- Unlock with a reason: the form is editable again.
script unlock <<EOF
$DMGR<Tab>$DMGR_PW<Enter>
<Enter>
<C-k>
:dump $T/u-menu.txt
3
:dump $T/u-reason.txt
<Enter>
:dump $T/u-blank.txt
source document corrected<Enter>
:dump $T/u-done.txt
<C-x><C-x>q
EOF
screen_match "unlock: offered with who and when" "3 Unlock form ic \(locked by zhao\.min $WHEN\)" "$T/u-menu.txt"
screen_no_match "unlock: the locked form is not offered for locking again" 'Lock this form' "$T/u-menu.txt"
screen_match "unlock: asks the reason" 'Reason for unlocking' "$T/u-reason.txt"
screen_match "unlock: a blank reason is asked again" 'Reason \(required\):' "$T/u-blank.txt"
screen_match "unlock: done" '^Unlocked: form ic Informed consent' "$T/u-done.txt"
expect_eq "unlock: stored with who and why" "zhao.min|source document corrected" \
	"$(sql "SELECT unlocked_by, unlock_reason FROM record_lock")"
script edit <<EOF
$NURSE<Tab>$NURSE_PW<Enter>
<Enter><Enter>
:dump $T/e-offer.txt
r
<C-s>
after the unlock<Enter>
<Enter>
:dump $T/e-saved.txt
<C-x><C-x><C-x>q
EOF
screen_match "unlock: the entries kept at the lock are offered back" \
	'Unsaved entries from 2026-11-25 16:00 were kept' "$T/e-offer.txt"
expect_eq "unlock: restored and saved" "V1.2|0" "$(icver)|$(sql 'SELECT count(*) FROM draft')"
screen_match "unlock: saved" '^Saved \(still complete\)$' "$T/e-saved.txt"

# ---- The audit trail in the casebook, in words.
script trail <<EOF
$DMGR<Tab>$DMGR_PW<Enter>
<Enter>
<C-y>
:dump $T/t-ask.txt
f
:dump $T/t-form1.txt
<PgDn>
:dump $T/t-form2.txt
<PgDn>
:dump $T/t-form3.txt
<Esc>
<C-y>s
:dump $T/t-subject.txt
<Esc>
<C-x><C-x>q
EOF
cat "$T/t-form1.txt" "$T/t-form2.txt" "$T/t-form3.txt" > "$T/t-form.txt"
screen_match "trail: this form, this visit or the whole subject" \
	'this \[F\]orm +this \[V\]isit +whole \[S\]ubject' "$T/t-ask.txt"
screen_match "trail: titled" 'Audit trail: ic of scr, TJ01-0001' "$T/t-form1.txt"
screen_match "trail: local time with the offset, user and full name" \
	'2026-11-25 16:00:00 \+08:00  wang\.fang \(Wang Fang\)' "$T/t-form.txt"
screen_match "trail: an entry" 'entered scr/1 ic/1 icver: \(blank\) -> V1\.0' "$T/t-form.txt"
screen_match "trail: a change with its reason" \
	'changed scr/1 ic/1 icver: V1\.0 -> V1\.1  reason: typo in the' "$T/t-form.txt"
screen_match "trail: a signature" 'zhang\.wei \(Zhang Wei\)' "$T/t-form.txt"
screen_match "trail: signed, with its meaning" 'signed: I approve the data of this form · scr/1 ic/1' "$T/t-form.txt"
screen_match "trail: source data verified" 'source data verified · scr/1 ic/1' "$T/t-form.txt"
screen_match "trail: verification cleared" 'verification cleared by a change · scr/1 ic/1  reason:' "$T/t-form.txt"
screen_match "trail: locked" 'locked · scr/1 ic/1' "$T/t-form.txt"
screen_match "trail: unlocked with the reason" 'unlocked: source document corrected · scr/1 ic/1' "$T/t-form.txt"
screen_no_match "trail: the form's trail leaves out other forms" 'dm/1' "$T/t-form.txt"
screen_match "trail: the whole subject" 'Audit trail: TJ01-0001' "$T/t-subject.txt"
screen_match "trail: the subject's creation" 'subject added' "$T/t-subject.txt"

# ---- The form's own field history is worded the same way.
script history <<EOF
$NURSE<Tab>$NURSE_PW<Enter>
<Enter><Enter>
<Down><Down><Down>
<C-y>
:dump $T/h-field.txt
<Esc>
<C-x><C-x><C-x>q
EOF
screen_match "field history: time, user, full name" \
	'2026-11-25 16:00:00 \+08:00  wang\.fang \(Wang Fang\)' "$T/h-field.txt"
screen_match "field history: old -> new with the reason" \
	'changed: V1\.1 -> V1\.2  reason: after the unlock' "$T/h-field.txt"

# ---- ASCII and no colour: the marks and lines still read.
cat > "$T/ascii.keys" <<EOF
$INV<Tab>$INV_PW<Enter>
<Enter>
:dump $T/a-book.txt
<Enter>
:dump $T/a-form.txt
<C-x><C-x><C-x>q
EOF
(export LC_ALL=C LANG=C NO_COLOR=1; run_script "$T/ascii.keys")
screen_match "ascii: the mark after the glyph" '^scr .* ic\[x\]! ie\[ \]' "$T/a-book.txt"
screen_match "ascii: the review line" "^CHANGED SINCE SIGNED by Zhang Wei $WHEN" "$T/a-book.txt"
screen_match "ascii: the form header" "^CHANGED SINCE SIGNED by Zhang Wei $WHEN" "$T/a-form.txt"
expect_eq "ascii: nothing wider than 80 columns" 80 \
	"$(cat "$T/a-book.txt" "$T/a-form.txt" | awk '{ if (length > m) m = length } END { print (m <= 80) ? 80 : m }')"

# ---- The logs line: an entry of a log is picked, then signed or locked.
script ae <<EOF2
$NURSE<Tab>$NURSE_PW<Enter>
<Enter>
<PgDn><PgDn><PgDn><Home><C-n>
Headache<Enter>
2026-11-22<Enter>
Y<Enter>
<C-t>
1<Enter>
N<Enter>
N<Enter>
N<Enter>
N<Enter>
2<Enter>
<C-o>
<Enter>
<C-t>
<C-x><C-x><C-x>q
EOF2
expect_eq "logs: an adverse event, complete" "|0|1|2" \
	"$(sql "SELECT event, event_repeat, form_repeat, status FROM form_instance WHERE form = 'ae'")"
script logs <<EOF2
$INV<Tab>$INV_PW<Enter>
<Enter>
<PgDn><PgDn><PgDn><Home>
<C-r>
:dump $T/g-ask.txt
e
:dump $T/g-pick.txt
<Enter>
:dump $T/g-dialog.txt
$INV<Enter>$INV_PW<Enter>
:dump $T/g-signed.txt
<C-x><C-x>q
EOF2
screen_match "logs: sign an entry or the whole casebook" '\[E\]ntry of the log +the whole \[C\]asebook' "$T/g-ask.txt"
screen_match "logs: which entry" '1 #1 complete' "$T/g-pick.txt"
screen_match "logs: the entry in the dialog" 'Signing +entry #1 of the log ae Adverse event' "$T/g-dialog.txt"
screen_match "logs: signed" "^Signed by Zhang Wei $WHEN — I approve the data of this form\$" "$T/g-signed.txt"
expect_eq "logs: the entry's signature" "form||0|ae|1" \
	"$(sql "SELECT scope, event, event_repeat, form, form_repeat FROM signature WHERE form = 'ae'")"
script logslock <<EOF2
$DMGR<Tab>$DMGR_PW<Enter>
<Enter>
<PgDn><PgDn><PgDn><Home>
<C-k>
:dump $T/k-menu.txt
1
<Enter>
:dump $T/k-locked.txt
<C-y>
:dump $T/k-ask.txt
l
:dump $T/k-trail.txt
<Esc>
<C-x><C-x>q
EOF2
screen_match "logs: lock an entry" '1 Lock an entry of the log ae Adverse event' "$T/k-menu.txt"
screen_match "logs: locked" '^Locked: entry #1 of the log ae Adverse event' "$T/k-locked.txt"
expect_eq "logs: the entry's lock" "form||0|ae|1" \
	"$(sql "SELECT scope, event, event_repeat, form, form_repeat FROM record_lock WHERE form = 'ae'")"
screen_match "logs: the trail of this log or the subject" 'this \[L\]og +whole \[S\]ubject' "$T/k-ask.txt"
screen_match "logs: the log's trail" 'Audit trail: log ae of TJ01-0001' "$T/k-trail.txt"
screen_match "logs: its entry" 'entered ae/1 aeterm: \(blank\) -> Headache' "$T/k-trail.txt"
screen_no_match "logs: no other form in the log's trail" 'ic/1' "$T/k-trail.txt"
