#!/bin/sh
# Form entry: keying a form, ranges, branching, missing codes, logs,
# complete forms and reasons for change, history, drafts, Chinese labels.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"

if ! setup_site || ! add_account "$NURSE" data-entry "$NURSE_NAME" "$NURSE_PW"; then
	not_ok "form: a site to enter data into, and a research nurse to enter it"
	exit 1
fi

LOGIN="$NURSE<Enter>$NURSE_PW<Enter>"
# From the subject list: the first subject's casebook, then its screening
# demographics (third form of the first event).
DM="<Enter>
<Right><Right><Enter>"
# The adverse event log is the first column of the last casebook line.
AE_NEW="<Enter>
<PgDn><PgDn><PgDn><Home><C-n>"

# ---- Demographics: fill in and save, with the calculated BSA and BMI.
script dm <<EOF
$LOGIN
<C-n>a
$DM
:dump $T/dm0.txt
ZXM<Enter>
H123<Enter>
1990-05-01<Enter>
F<Enter>
1<Enter>
2026-11-20<Enter>
170<Enter>
65<Enter>
:dump $T/dm1.txt
N<Enter>
N<Enter>
N<Enter>
1<Enter>
2<Enter>
<C-s>
:dump $T/dm2.txt
<Enter>
:dump $T/dm3.txt
<C-x>
<C-x>
q
EOF
expect_eq "dm: exit 0" 0 "$rc"
screen_match "dm: header names subject, event and form" \
	'^TJ01-0001 · Screening / baseline · Demographics and baseline status|^TJ01-0001 · Demographics and baseline status' "$T/dm0.txt"
screen_match "dm: new form is not started and saved" '○ not started · saved$' "$T/dm0.txt"
screen_match "dm: section title" '^── Identification' "$T/dm0.txt"
screen_match "dm: first field current" '^▸ Patient initials' "$T/dm0.txt"
screen_match "dm: unit and range beside the field" '^ \*Weight .*kg 30–200' "$T/dm0.txt"
screen_match "dm: help of the current field" '^First letter of family name' "$T/dm0.txt"
screen_no_match "dm: hidden fields not shown" 'childbearing|Other ethnic' "$T/dm0.txt"
screen_match "dm: BSA calculated as typed" '^  Body surface area \(Mosteller\) +1\.75 +m²' "$T/dm1.txt"
screen_match "dm: BMI calculated" '^  Body mass index +22\.5 ' "$T/dm1.txt"
screen_match "dm: choice shown as code and label" '^ \*Sex +F Female' "$T/dm1.txt"
screen_match "dm: show-if field appears (sex F)" 'Woman of childbearing' "$T/dm1.txt"
screen_match "dm: unsaved changes in the header" 'unsaved changes$' "$T/dm1.txt"
screen_match "dm: checks listed on save" 'not evaluable: Date of birth must be before the consent date' "$T/dm2.txt"
screen_match "dm: saved message" '^Saved$' "$T/dm3.txt"
screen_match "dm: now incomplete and saved" '◐ incomplete · saved$' "$T/dm3.txt"
expect_eq "dm: items stored" \
	"bmi=22.5 brthdat=1990-05-01 bsa=1.75 cbp=N ethnic=HAN fertpres=N hctci=2 height=170.0 hospno=H123 initials=ZXM kps=100 sex=F smoke=NEVER vsdat=2026-11-20 weight=65.0" \
	"$(sql "SELECT group_concat(field || '=' || value, ' ') FROM (SELECT field, value FROM item ORDER BY field)")"
expect_eq "dm: instance incomplete, version 1, form version 1" "1|1|1" \
	"$(sql "SELECT status, version, form_version FROM form_instance WHERE form = 'dm'")"
expect_eq "dm: one audit row per item created" 15 \
	"$(sql "SELECT count(*) FROM audit WHERE form = 'dm' AND action = 'create'")"

# ---- A hard-range value is refused; nothing is stored.
script hard <<EOF
$LOGIN
$DM
<Down><Down><Down><Down><Down><Down><Down>
:dump $T/hard0.txt
250<Enter>
:dump $T/hard1.txt
<Esc>
:dump $T/hard2.txt
<C-x>
:dump $T/hard3.txt
<C-x>
<C-x>
q
EOF
screen_match "hard: weight is current" '^▸\*Weight +65\.0' "$T/hard0.txt"
screen_match "hard: refused with the range" '^Weight must be between 30 and 200 kg' "$T/hard1.txt"
screen_match "hard: stays on the field with what was typed" '^▸\*Weight +250 ' "$T/hard1.txt"
screen_match "hard: Esc puts the value back" '^▸\*Weight +65\.0' "$T/hard2.txt"
screen_match "hard: leaving asks nothing (no change)" 'crf TJ01 Casebook' "$T/hard3.txt"
expect_eq "hard: nothing stored" "65.0|1" \
	"$(sql "SELECT value, (SELECT version FROM form_instance WHERE form = 'dm') FROM item WHERE field = 'weight'")"

# ---- A soft-range value is kept after confirmation and flagged.
script soft <<EOF
$LOGIN
$DM
<Down><Down><Down><Down><Down><Down><Down>
130<Enter>
:dump $T/soft0.txt
k
:dump $T/soft1.txt
<C-s>
<Enter>
:dump $T/soft2.txt
<C-x>
<C-x>
q
EOF
screen_match "soft: asks to confirm" 'outside the expected range' "$T/soft0.txt"
screen_match "soft: keep or change" '\[K\]eep it +\[C\]hange it' "$T/soft0.txt"
screen_match "soft: flagged on screen" '^ \*Weight +130\.0 +kg ! confirmed outside 40–120' "$T/soft1.txt"
screen_match "soft: BSA updated" 'Body surface area \(Mosteller\) +2\.48' "$T/soft1.txt"
screen_match "soft: calculation outside its range flagged" 'Body mass index +45\.0 +kg/m² ! outside 16–35' "$T/soft1.txt"
screen_match "soft: saved" '^Saved$' "$T/soft2.txt"
expect_eq "soft: stored with flags=1" "130.0|1" "$(sql "SELECT value, flags FROM item WHERE field = 'weight'")"
expect_eq "soft: BSA stored" "2.48" "$(sql "SELECT value FROM item WHERE field = 'bsa'")"

# ---- Branching: a field appears, is saved, then its question hides it.
script branch <<EOF
$LOGIN
$DM
<Down><Down><Down><Down>
O<Enter>
:dump $T/branch0.txt
Zhuang<Enter>
<C-s>
<Enter>
<Up><Up>
H<Enter>
:dump $T/branch1.txt
u
:dump $T/branch2.txt
<Down><Up>
H<Enter>
c
:dump $T/branch3.txt
<C-s>
<Enter>
<C-x>
<C-x>
q
EOF
screen_match "branch: other ethnic group appears" '^▸\*Other ethnic group, specify' "$T/branch0.txt"
screen_match "branch: asks before clearing" 'Other ethnic group, specify is now hidden; its value' "$T/branch1.txt"
screen_match "branch: clear or undo" '\[C\]lear it +\[U\]ndo my change' "$T/branch1.txt"
screen_match "branch: undo puts the choice back" '^▸\*Ethnic group +OTHER Other' "$T/branch2.txt"
screen_match "branch: undo keeps the field" 'Other ethnic group, specify +Zhuang' "$T/branch2.txt"
screen_no_match "branch: cleared field hidden" 'Other ethnic group' "$T/branch3.txt"
screen_match "branch: new choice kept" 'Ethnic group +HAN Han' "$T/branch3.txt"
expect_eq "branch: cleared item gone, choice stored" "0|HAN" \
	"$(sql "SELECT count(*) FROM item WHERE field = 'ethoth'")|$(sql "SELECT value FROM item WHERE field = 'ethnic'")"
expect_eq "branch: the clearing is audited" "Zhuang|" \
	"$(sql "SELECT old_value, new_value FROM audit WHERE field = 'ethoth' AND action = 'clear'")"

# ---- A log entry: partial date, a missing-data code, refused complete,
# then complete, a reason for change and the field's history.
script ae <<EOF
$LOGIN
$AE_NEW
:dump $T/ae0.txt
<C-o>
:dump $T/ae1.txt
Headache<Enter>
2026-03<Enter>
Y<Enter>
:dump $T/ae2.txt
<C-t>
:dump $T/ae3.txt
1<Enter>
N<Enter>
N<Enter>
N<Enter>
N<Enter>
2<Enter>
<C-o>
:dump $T/ae4.txt
<Enter>
:dump $T/ae5.txt
<C-t>
:dump $T/ae6.txt
<C-x>
<C-x>
q
EOF
screen_match "ae: log entry number in the header" '^TJ01-0001 · Adverse event #1' "$T/ae0.txt"
screen_match "ae: no missing code for the term" 'takes no missing-data code' "$T/ae1.txt"
screen_match "ae: partial date shown" '^ \*Start date +2026-03 ' "$T/ae2.txt"
screen_match "ae: ongoing hides the end date" 'Ongoing\? +Yes' "$T/ae2.txt"
screen_no_match "ae: end date hidden" 'End date' "$T/ae2.txt"
screen_match "ae: complete refused, names the field" '^Not complete: CTCAE grade \(worst\) is required' "$T/ae3.txt"
screen_match "ae: refused complete goes to the field" '^▸\*CTCAE grade' "$T/ae3.txt"
screen_match "ae: missing codes of the field" 'NA Not applicable' "$T/ae4.txt"
screen_match "ae: code shown instead of a value" 'Special interest category .*NA Not applicable' "$T/ae5.txt"
screen_match "ae: complete" '● complete · saved$' "$T/ae6.txt"
screen_match "ae: complete message" '^Saved and marked complete' "$T/ae6.txt"
expect_eq "ae: instance 1 of the log, complete" "|0|1|2" \
	"$(sql "SELECT event, event_repeat, form_repeat, status FROM form_instance WHERE form = 'ae'")"
expect_eq "ae: partial date stored" "2026-03" "$(sql "SELECT value FROM item WHERE field = 'aestdat'")"
expect_eq "ae: missing code stored" "|NA" "$(sql "SELECT value, missing FROM item WHERE field = 'aesi'")"
expect_eq "ae: phase calculated" "Screening" "$(sql "SELECT value FROM item WHERE field = 'aephase'")"

# A change to the complete form needs a reason; blank is refused, Esc saves nothing.
script reason <<EOF
$LOGIN
<Enter>
<PgDn><PgDn><PgDn><Home><Enter>
:dump $T/reason0.txt
<Enter>
<C-u>Migraine<Enter>
<C-s>
:dump $T/reason1.txt
<Esc>
:dump $T/reason2.txt
<C-s>
<Enter>
:dump $T/reason3.txt
transcription error<Enter>
<Enter>
:dump $T/reason4.txt
<Up>
<C-y>
:dump $T/reason5.txt
<Enter>
<C-x>
<C-x>
q
EOF
screen_match "reason: log entries listed" '#1 ' "$T/reason0.txt"
screen_match "reason: asked for" 'Reason for change' "$T/reason1.txt"
screen_match "reason: Esc saves nothing" '^Not saved: a reason for change is required' "$T/reason2.txt"
screen_match "reason: blank is asked again" 'Reason \(required\):' "$T/reason3.txt"
screen_match "reason: saved, still complete" '● complete · saved$' "$T/reason4.txt"
expect_eq "reason: stored with the change" "Headache|Migraine|transcription error" \
	"$(sql "SELECT old_value, new_value, reason FROM audit WHERE field = 'aeterm' AND action = 'update'")"
screen_match "history: title names the field" 'History: Adverse event \(verbatim term\)' "$T/reason5.txt"
screen_match "history: local time with the offset, user and full name" \
	'2026-11-25 16:00:00 \+08:00  wang\.fang \(Wang Fang\)' "$T/reason5.txt"
screen_match "history: creation" 'entered: \(blank\) -> Headache' "$T/reason5.txt"
screen_match "history: change with its reason" 'changed: Headache -> Migraine +reason:' "$T/reason5.txt"
screen_match "history: the reason itself" 'transcription error' "$T/reason5.txt"

# A second log entry gets the next number.
# Enter on a blank choice opens its list; a pick is accepted at once.
script ae2 <<EOF
$LOGIN
$AE_NEW
:dump $T/ae2-0.txt
Fever<Enter>
<Enter>
<Enter>
<Enter>
:dump $T/ae2-1.txt
3
:dump $T/ae2-2.txt
<Left>
:dump $T/ae2-3.txt
<C-s>
<Enter>
<C-x>
<C-x>
q
EOF
screen_match "ae2: second entry" 'Adverse event #2' "$T/ae2-0.txt"
screen_match "ae2: Enter opens the list" '3 3 Grade 3 - severe' "$T/ae2-1.txt"
screen_match "ae2: picked and accepted" '^ \*CTCAE grade \(worst\) +3 Grade 3 - severe' "$T/ae2-2.txt"
screen_match "ae2: on to the next field" '^▸\*Serious\?' "$T/ae2-2.txt"
screen_match "ae2: Left cycles a yes/no" '^▸\*Serious\? +Yes' "$T/ae2-3.txt"
expect_eq "ae2: stored as repeat 2" "2|Fever" \
	"$(sql "SELECT f.form_repeat, i.value FROM item i JOIN form_instance f ON f.id = i.instance_id WHERE i.field = 'aeterm' AND f.form_repeat = 2")"

# ---- Hang-up keeps a draft; the next open offers it back.
script hang <<EOF
$LOGIN
$DM
<Down>
H999<Enter>
:hangup
EOF
expect_eq "hangup: exit 1" 1 "$rc"
expect_eq "hangup: draft kept with its base version" "wang.fang|4" \
	"$(sql "SELECT user, base_version FROM draft WHERE form = 'dm'")"
expect_eq "hangup: draft holds the entry" "H999" \
	"$(sql "SELECT value FROM draft_item WHERE form = 'dm' AND field = 'hospno'")"
expect_eq "hangup: nothing saved" "H123" "$(sql "SELECT value FROM item WHERE field = 'hospno'")"
script restore <<EOF
$LOGIN
$DM
:dump $T/restore0.txt
r
:dump $T/restore1.txt
<C-s>
<Enter>
:dump $T/restore2.txt
<C-x>
<C-x>
q
EOF
screen_match "draft: offered with its time" 'Unsaved entries from 2026-11-25 16:00 were kept' "$T/restore0.txt"
screen_match "draft: restore or discard" '\[R\]estore them +\[D\]iscard them' "$T/restore0.txt"
screen_match "draft: restored on screen" 'Hospital record number +H999' "$T/restore1.txt"
screen_match "draft: restored is unsaved" 'unsaved changes$' "$T/restore1.txt"
expect_eq "draft: saved, then dropped" "H999|0" \
	"$(sql "SELECT value FROM item WHERE field = 'hospno'")|$(sql 'SELECT count(*) FROM draft')"

# ---- Leaving with unsaved changes asks; Discard keeps nothing.
script discard <<EOF
$LOGIN
$DM
<Down>
H555<Enter>
<C-x>
:dump $T/discard0.txt
d
:dump $T/discard1.txt
<C-x>
q
EOF
screen_match "leave: asks" '\[S\]ave +\[D\]iscard +s\[T\]ay' "$T/discard0.txt"
screen_match "leave: back in the casebook" 'crf TJ01 Casebook' "$T/discard1.txt"
expect_eq "leave: discarded" "H999" "$(sql "SELECT value FROM item WHERE field = 'hospno'")"

# ---- Previous and next form of the event; a time; the casebook follows.
script nav <<EOF
$LOGIN
$DM
<C-b>
:dump $T/nav0.txt
<C-b>
Y<Enter>
2026-11-01<Enter>
0930<Enter>
:dump $T/nav1.txt
<C-f>
:dump $T/nav2.txt
s
<Enter>
:dump $T/nav3.txt
<C-f>
:dump $T/nav4.txt
<C-f>
<PgDn><PgDn><PgDn><PgDn>
:dump $T/nav5.txt
line one<C-j>line two<Up><End>!<Enter>
:dump $T/nav6.txt
<C-x>
s
<Enter>
<C-x>
q
EOF
screen_match "nav: previous form" 'Eligibility' "$T/nav0.txt"
screen_match "nav: time as typed, shown as HH:MM" '^ *Time of signature +09:30 ' "$T/nav1.txt"
screen_match "nav: unsaved changes asked about first" '\[S\]ave +\[D\]iscard +s\[T\]ay' "$T/nav2.txt"
screen_match "nav: saved, then the next form" '^TJ01-0001 · .*Eligibility' "$T/nav3.txt"
expect_eq "nav: consent stored" "2026-11-01|09:30" \
	"$(sql "SELECT value FROM item WHERE field = 'icdat'")|$(sql "SELECT value FROM item WHERE field = 'ictim'")"
screen_match "nav: age calculated from the consent form" '^  Age at consent +36 +years' "$T/nav4.txt"
screen_match "nav: memo is the last field" '^▸ Other relevant' "$T/nav5.txt"
screen_match "nav: memo shows its lines" '^▸ Other relevant medical +line one!$' "$T/nav6.txt"
screen_match "nav: memo second line on the next row" '^  history \(condition, year, +line two$' "$T/nav6.txt"
expect_eq "nav: memo stored with its newline (Up edits the first line)" "line one!|line two" \
	"$(sql "SELECT replace(value, char(10), '|') FROM item WHERE field = 'comorb'")"

# ---- Chinese labels, measured in display columns.
sed -i 's/^language = .*/language = zh/' "$T/config.ini"
script zh <<EOF
$LOGIN
$DM
:dump $T/zh0.txt
<C-x>
<C-x>
q
EOF
sed -i 's/^language = .*/language = en/' "$T/config.ini"
screen_match "zh: form title in Chinese" '人口学资料及基线状态' "$T/zh0.txt"
screen_match "zh: section title in Chinese" '^── 身份信息' "$T/zh0.txt"
screen_match "zh: label and value" '^▸ 患者姓名缩写（拼音） +ZXM' "$T/zh0.txt"
col_of() { # display column where $2 starts on the line of $1 matching $3
	line=$(grep -m1 -- "$3" "$1")
	printf '%s' "${line%%"$2"*}" | wc -L
}
expect_eq "zh: value column after a wide label" 32 "$(col_of "$T/zh0.txt" ZXM '患者姓名缩写')"
expect_eq "zh: same column on the next row" 32 "$(col_of "$T/zh0.txt" H999 '住院号')"
expect_eq "zh: same column for a number" 32 "$(col_of "$T/zh0.txt" 130.0 '^ \*体重 ')"

# ---- ASCII and a wide screen.
cat > "$T/ascii.keys" <<EOF
$LOGIN
$DM
:dump $T/ascii0.txt
:resize 120 30
:dump $T/wide0.txt
<C-x>
<C-x>
q
EOF
(export LC_ALL=C LANG=C NO_COLOR=1; run_script "$T/ascii.keys")
screen_match "ascii: section rule" '^-- Identification --' "$T/ascii0.txt"
screen_match "ascii: range with a hyphen" 'Height +170\.0 +cm 120-220$' "$T/ascii0.txt"
screen_match "ascii: flag" 'Weight +130\.0 +kg ! confirmed outside 40-120$' "$T/ascii0.txt"
screen_match "ascii: status glyph as in the casebook" '\[/\] incomplete - saved$' "$T/ascii0.txt"
screen_match "wide: label on one row" '^ \*Woman of childbearing potential\? +No$' "$T/wide0.txt"
screen_match "wide: range and flag both shown" 'kg 30-200 ! confirmed outside 40-120$' "$T/wide0.txt"
screen_match "wide: event in the header" '^TJ01-0001 - Screening / baseline - Demographics' "$T/wide0.txt"

# ---- Someone else saves while the form is open: the entries become a
# draft, and reopening shows both.
wait_dump() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	sleep 0.2
}
mkfifo "$T/conflict.fifo"
CRF_SCRIPT="$T/conflict.fifo" timeout 60 "$CRF_BIN" -c "$T/config.ini" >"$T/out.txt" 2>&1 &
pid=$!
exec 3<>"$T/conflict.fifo"
cat >&3 <<EOF
$LOGIN
$DM
<Down>
H777<Enter>
:dump $T/conflict0.txt
EOF
wait_dump "$T/conflict0.txt"
sql "UPDATE form_instance SET version = version + 1, updated_by = 'nurse2' WHERE form = 'dm'"
cat >&3 <<EOF
<C-s>
:dump $T/conflict1.txt
s
:dump $T/conflict2.txt
<C-x>
<C-x>
q
EOF
exec 3>&-
wait $pid
screen_match "conflict: says so plainly" 'Someone else saved this form since you opened it' "$T/conflict1.txt"
screen_match "conflict: offers to reopen" '\[R\]eopen now +\[S\]tay' "$T/conflict1.txt"
screen_match "conflict: message line" '^Not saved: changed by someone else; your entries are kept as a draft' "$T/conflict2.txt"
expect_eq "conflict: nothing saved" "H999" "$(sql "SELECT value FROM item WHERE field = 'hospno'")"
expect_eq "conflict: draft kept" "H777" "$(sql "SELECT value FROM draft_item WHERE field = 'hospno'")"
script reopen <<EOF
$LOGIN
$DM
:dump $T/reopen0.txt
c
:dump $T/reopen1.txt
<Enter>
r
<C-s>
<Enter>
<C-x>
<C-x>
q
EOF
screen_match "reopen: the draft is older than the form" 'saved again after that' "$T/reopen0.txt"
screen_match "reopen: compare offered" '\[C\]ompare' "$T/reopen0.txt"
screen_match "reopen: both values shown" 'saved: H999' "$T/reopen1.txt"
screen_match "reopen: kept value shown" 'kept: +H777' "$T/reopen1.txt"
expect_eq "reopen: restored and saved, draft gone" "H777|0" \
	"$(sql "SELECT value FROM item WHERE field = 'hospno'")|$(sql 'SELECT count(*) FROM draft')"

# Two sessions add a log entry at once: the second becomes the next entry.
rm -f "$T/conflict.fifo"
mkfifo "$T/conflict.fifo"
CRF_SCRIPT="$T/conflict.fifo" timeout 60 "$CRF_BIN" -c "$T/config.ini" >"$T/out.txt" 2>&1 &
pid=$!
exec 3<>"$T/conflict.fifo"
cat >&3 <<EOF
$LOGIN
$AE_NEW
Rash<Enter>
:dump $T/renum0.txt
EOF
wait_dump "$T/renum0.txt"
sql "INSERT INTO form_instance (subject_id, event, event_repeat, form, form_repeat, status,
	version, form_version, created_at, updated_at, updated_by)
	VALUES (1, '', 0, 'ae', 3, 1, 1, 1, '2026-11-25T08:00:00Z', '2026-11-25T08:00:00Z', 'nurse2')"
cat >&3 <<EOF
<C-s>
<Enter>
:dump $T/renum1.txt
<C-x>
<C-x>
q
EOF
exec 3>&-
wait $pid
screen_match "renumber: was entry 3" 'Adverse event #3' "$T/renum0.txt"
screen_match "renumber: saved as the next entry" '^Saved as entry #4: someone else added #3 meanwhile' "$T/renum1.txt"
screen_match "renumber: header follows" 'Adverse event #4' "$T/renum1.txt"
expect_eq "renumber: stored as entry 4" "4|Rash" \
	"$(sql "SELECT f.form_repeat, i.value FROM item i JOIN form_instance f ON f.id = i.instance_id WHERE i.field = 'aeterm' AND i.value = 'Rash'")"
