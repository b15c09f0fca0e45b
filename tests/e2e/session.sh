#!/bin/sh
# End to end: the real binary in a real terminal (tmux 80x24), as a nurse
# would use it: first start, sign-in, a subject, demographics with its
# calculations, ranges, branching, partial dates, missing codes, a log
# entry, a reason for change, field history, resize, Chinese labels, a
# draft kept when the terminal dies, and two sessions on one database.
. "$(dirname "$0")/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	not_ok "tmux is installed (make check installs it)"
	exit 1
fi
PW=Correct-Horse-9

# The nurse keys the data: the administrator made at first start enters
# none (docs/roles.md).
signin() {
	expect_screen "$1: sign-in screen" "User name"
	type_text "$NURSE"; keys Tab; type_text "$NURSE_PW"; keys Enter
	expect_screen "$1: subject list" "crf TJ01 Subjects"
}

# ---- First start: the set-up screen, then the first administrator.
start_crf 80 24
expect_screen "first start: the set-up screen" '\[C\]reate site database'
expect_screen "first start: site from config.ini" 'Site code +TJ01'
keys c
expect_screen "first start: asks for the administrator's login" 'Login:'
type_text admin; keys Enter
expect_screen "first start: full name" 'Full name:'
type_text "Li Wei"; keys Enter
expect_screen "first start: password" 'Password:'
type_text "short"; keys Enter
expect_screen "first start: a short password is refused" 'at least 10'
keys Enter
expect_screen "first start: asked again" 'Password:'
type_text "$PW"; keys Enter
expect_screen "first start: password twice" 'Password again:'
type_text "$PW"; keys Enter
expect_screen "first start: then the sign-in screen" 'Administrator admin created'
expect_eq "first start: one administrator" "admin|admin" "$(sql "SELECT login, role FROM account")"
add_account "$NURSE" data-entry "$NURSE_NAME" "$NURSE_PW" || not_ok "first start: a nurse's account"
signin "first start"
expect_no_match "first start: no password in the database" "$PW" "$(strings "$DB")"

# ---- A subject.
keys C-n
expect_screen "add subject: asks first" 'Add'
keys Enter
expect_screen "add subject: allocated number shown" 'TJ01-0001'
expect_eq "add subject: in the database" "TJ01-0001|screening" "$(sql "SELECT key, status FROM subject")"

# ---- Demographics, keyed with calculated BSA.
keys Enter
expect_screen "casebook: opens" 'Casebook TJ01-0001'
expect_screen "casebook: logs line" '^logs +ae 0'
keys Right Right Enter
expect_screen "demographics: opens" 'Demographics'
for v in ZXM H123 1990-05-01 F 1 2026-11-20 170; do
	type_text "$v"; keys Enter
done
# A hard-range weight is refused at the field.
type_text 250; keys Enter
expect_screen "hard range: refused with the range" 'Weight must be between 30 and 200 kg'
keys C-u; type_text 65; keys Enter
expect_screen "calculated: BSA shown as typed" 'Body surface area \(Mosteller\) +1\.75'
expect_screen "show if: childbearing question appears for a woman" 'Woman of childbearing'
for v in N N N 1 2; do
	type_text "$v"; keys Enter
done
keys C-s
expect_screen "save: checks listed" 'not evaluable'
keys Enter
expect_screen "save: saved" '^Saved$'
expect_eq "save: BSA stored" "1.75" "$(sql "SELECT value FROM item WHERE field = 'bsa'")"
expect_eq "save: hard-range value never stored" "65.0" "$(sql "SELECT value FROM item WHERE field = 'weight'")"

# Each step below reopens demographics, so the cursor starts on the first
# field: Down moves field by field (calculated fields are skipped).
reopen() {
	keys C-x
	wait_for '\[S\]ave' 1 && keys s && { wait_for 'Checks|not evaluable' 3 && keys Enter; }
	expect_screen "$1: back in the casebook" 'Casebook TJ01-0001'
	keys Enter
	expect_screen "$1: demographics reopened" '^▸ Patient initials'
}
down() { i=0; while [ $i -lt "$1" ]; do keys Down; i=$((i + 1)); done; }

# A soft-range weight is kept only after confirmation.
reopen "soft range"
down 7
expect_screen "soft range: on the weight" '^▸\*Weight'
type_text 130; keys Enter
expect_screen "soft range: asks to confirm" '\[K\]eep it'
keys k
expect_screen "soft range: flagged beside the field" '! confirmed outside 40–120'

# Branching: sex M hides the childbearing question, which held a value.
reopen "show if"
down 3
expect_screen "show if: on sex" '^▸\*Sex'
type_text M; keys Enter
expect_screen "show if: hiding a value asks first" '\[C\]lear it'
keys c
wait_for '^▸\*Ethnic' 3
if screen_text | grep -q 'Woman of childbearing'; then
	not_ok "show if: the hidden question is not shown"
else
	ok "show if: the hidden question is not shown"
fi

# Mark complete: refused while a required field is blank (the cursor is
# sent there), then allowed; a soft check asks first.
keys C-t
expect_screen "complete: refused, naming the required field" 'Not complete: .*contraception'
type_text Y; keys Enter
keys C-t
wait_for '\[C\]omplete anyway' 2 && keys c
wait_for 'Checks' 1 && keys Enter
expect_screen "complete: marked complete" '● complete'
expect_eq "complete: stored complete" "2" "$(sql "SELECT status FROM form_instance WHERE form = 'dm'")"
reopen "reason for change"
down 1
expect_screen "reason for change: on the hospital number" '^▸ Hospital record number'
type_text H124; keys Enter
keys C-s
expect_screen "reason for change: asked on a complete form" 'Reason for change'
type_text "Transcription error, source page 2"; keys Enter
wait_for 'Checks|not evaluable' 3 && keys Enter
expect_screen "reason for change: saved" 'Saved'
expect_eq "reason for change: in the audit trail" "H123|H124|Transcription error, source page 2" \
	"$(sql "SELECT old_value, new_value, reason FROM audit WHERE field = 'hospno' AND action = 'update'")"

# Field history of the current field.
keys Up
expect_screen "history: on the hospital number" '^▸ Hospital record number'
keys C-y
expect_screen "history: the change with its reason" 'H123 -> H124 +reason:'
expect_screen "history: the reason itself" 'Transcription error, source page 2'
expect_screen "history: old and new values" 'H123'
keys Enter

# Resize: the form uses the room, and comes back at 80x24.
tmx resize-window -t crf -x 100 -y 30
expect_screen "resize: wider screen used" '.{85,}'
tmx resize-window -t crf -x 80 -y 24
expect_screen "resize: back at 80x24" 'Demographics'
if [ "$(screen_text | wc -L)" -le 80 ]; then
	ok "resize: nothing wider than 80 columns"; else not_ok "resize: nothing wider than 80 columns"; fi

# ---- Medical history: a partial date.
keys C-f
expect_screen "next form: MS history" 'MS history'
expect_screen "next form: on the onset date" '^▸.*first MS symptom'
type_text 2019-03; keys Enter
expect_screen "partial date: kept at its precision" '2019-03 '
keys C-s
wait_for 'Checks|not evaluable' 3 && keys Enter
expect_screen "partial date: saved" 'Saved'
expect_eq "partial date: stored as typed" "2019-03" "$(sql "SELECT value FROM item WHERE field = 'onsetdat'")"
keys C-x
expect_screen "back in the casebook" 'Casebook TJ01-0001'

# ---- A log entry: an adverse event, with a missing-data code.
keys PgDn PgDn PgDn Home C-n
expect_screen "log entry: new adverse event" 'Adverse event #1'
type_text "Headache"; keys Enter
type_text 2026-03; keys Enter
type_text N; keys Enter
expect_screen "missing code: on the end date" '^▸.*End date'
keys C-o
expect_screen "missing code: the allowed codes" 'Unknown'
keys Enter
expect_screen "missing code: shown instead of a value" 'UNK Unknown'
keys C-s
wait_for 'Checks' 3 && keys Enter
expect_screen "log entry: saved" 'Saved'
expect_eq "log entry: stored with its partial date" "2026-03" \
	"$(sql "SELECT value FROM item JOIN form_instance f ON f.id = instance_id WHERE f.form = 'ae' AND field = 'aestdat'")"
expect_eq "missing code: stored apart from the value" "UNK|" \
	"$(sql "SELECT missing, coalesce(value, '') FROM item JOIN form_instance f ON f.id = instance_id WHERE f.form = 'ae' AND field = 'aeendat'")"

# ---- A draft survives the terminal being killed.
keys C-x
wait_for '\[S\]ave' 1 && keys d
expect_screen "draft: back in the casebook" 'Casebook TJ01-0001'
keys PgUp PgUp PgUp Home Right Right Enter
expect_screen "draft: demographics again" '^▸ Patient initials'
type_text ABC; keys Enter
expect_screen "draft: unsaved entry on screen" 'unsaved changes'
stop_crf
i=0
while [ $i -lt 100 ] && [ "$(sql "SELECT count(*) FROM draft")" != 1 ]; do i=$((i + 1)); sleep 0.05; done
expect_eq "draft: kept when the terminal died" 1 "$(sql "SELECT count(*) FROM draft")"
expect_eq "draft: holds only what was changed" "initials=ABC" \
	"$(sql "SELECT group_concat(field || '=' || value) FROM draft_item")"
expect_eq "draft: nothing saved as data" "ZXM" "$(sql "SELECT value FROM item WHERE field = 'initials'")"
start_crf 80 24
signin "draft"
keys Enter
expect_screen "draft: casebook" 'Casebook'
keys Right Right Enter
expect_screen "draft: offered back" '\[R\]estore them'
keys r
expect_screen "draft: restored" 'Patient initials \(pinyin\) +ABC'
keys C-x
wait_for '\[S\]ave' 2 && keys d
stop_crf

# ---- Chinese labels in the right columns.
sed -i 's/^language = en/language = zh/' "$T/config.ini"
start_crf 80 24
signin "zh"
keys Enter; keys Right Right Enter
expect_screen "zh: form title in Chinese" '人口学'
expect_screen "zh: a Chinese label with its value" '身高 +170\.0'
col=$(screen_text | grep -E '身高 +170' | head -1 | sed 's/170\.0.*//' | wc -L)
expect_eq "zh: the value starts in its column, wide characters counted" 32 "$col"
stop_crf
sed -i 's/^language = zh/language = en/' "$T/config.ini"

# ---- Two sessions on one database: the list of one shows the other's
# new subject without a key being pressed.
tmx new-session -d -s one -x 80 -y 24 "cd '$T' && env -u COLUMNS -u LINES TERM=screen LANG=$LANG LC_ALL=$LC_ALL TZ=$TZ '$CRF_BIN' -c '$T/config.ini'"
tmx new-session -d -s two -x 80 -y 24 "cd '$T' && env -u COLUMNS -u LINES TERM=screen LANG=$LANG LC_ALL=$LC_ALL TZ=$TZ '$CRF_BIN' -c '$T/config.ini'"
for s in one two; do
	i=0; while [ $i -lt 100 ] && ! tmx capture-pane -p -t $s | grep -q 'User name'; do i=$((i + 1)); sleep 0.05; done
	tmx send-keys -t $s -l "$NURSE"; tmx send-keys -t $s Tab; tmx send-keys -t $s -l "$NURSE_PW"; tmx send-keys -t $s Enter
done
i=0; while [ $i -lt 100 ] && ! tmx capture-pane -p -t two | grep -q 'Subjects'; do i=$((i + 1)); sleep 0.05; done
tmx send-keys -t two C-n; sleep 0.2; tmx send-keys -t two Enter
i=0; while [ $i -lt 200 ] && ! tmx capture-pane -p -t one | grep -q 'TJ01-0002'; do i=$((i + 1)); sleep 0.05; done
if tmx capture-pane -p -t one | grep -q 'TJ01-0002'; then ok "two sessions: the other's new subject shows"; else
	not_ok "two sessions: the other's new subject shows"; tmx capture-pane -p -t one | sed 's/^/#   | /'; fi
