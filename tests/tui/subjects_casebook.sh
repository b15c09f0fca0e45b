#!/bin/sh
# The subject list (add, search, filter) and the casebook of one subject.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"

setup_site || exit 1
add_account "$NURSE" data-entry "$NURSE_NAME" "$NURSE_PW" || exit 1
LOGIN="$NURSE<Tab>$NURSE_PW<Enter>"

# ---- Adding subjects -------------------------------------------------------
cat > "$T/add.keys" <<EOF
$LOGIN
:dump $T/empty.txt
<C-n>
:dump $T/ask.txt
a
<F6>a
:dump $T/two.txt
<C-n><Esc>
<C-x>
:dump $T/quit.txt
q
EOF
run_script "$T/add.keys"
expect_eq "add: exit 0" 0 "$rc"
screen_match "list: empty at first" 'No subjects yet' "$T/empty.txt"
screen_match "add: asks first" 'Add a new subject at site TJ01\?' "$T/ask.txt"
screen_match "add: the number is not typed" '\[A\]dd subject +\[C\]ancel' "$T/ask.txt"
screen_match "list: TJ01-0001" '^TJ01-0001 +○ screening 2026-11-25 +— +—$' "$T/two.txt"
screen_match "list: TJ01-0002" '^TJ01-0002 +○ screening' "$T/two.txt"
screen_match "list: counts" '2 of 2 subjects' "$T/two.txt"
screen_match "add: says which" 'Subject TJ01-0002 added' "$T/two.txt"
screen_match "quit: asks" 'Quit crf\?' "$T/quit.txt"
expect_eq "add: two subjects in the database, Esc added none" "TJ01-0001|wang.fang
TJ01-0002|wang.fang" "$(sql 'SELECT key, created_by FROM subject ORDER BY key')"

# Data for TJ01-0002, as the form screen would have saved it: enrolled,
# screening partly done, infused on 2026-09-01 (day 0), one unscheduled
# visit, two adverse events and one medication.  Today is 2026-11-25.
put_form() {
	sql "INSERT INTO form_instance (subject_id, event, event_repeat, form, form_repeat,
	  status, version, form_version, created_at, updated_at, updated_by)
	  SELECT id, '$2', $3, '$4', $5, $6, 1, 1, '2026-09-01T00:00:00Z',
	  '2026-09-01T00:00:00Z', 'admin' FROM subject WHERE key = '$1'"
}
put_item() {
	sql "INSERT INTO item (instance_id, field, value) SELECT fi.id, '$4', '$5'
	  FROM form_instance fi JOIN subject s ON s.id = fi.subject_id
	  WHERE s.key = '$1' AND fi.event = '$2' AND fi.form = '$3' AND fi.form_repeat = 1"
}
put_form TJ01-0002 scr 1 ic 1 2
put_form TJ01-0002 scr 1 dm 1 1
put_form TJ01-0002 d0 1 inf 1 1
put_item TJ01-0002 d0 inf infdat 2026-09-01
put_form TJ01-0002 uns 1 fu 1 1
put_form TJ01-0002 '' 0 ae 1 2
put_item TJ01-0002 '' ae aeterm Headache
put_form TJ01-0002 '' 0 ae 2 1
put_form TJ01-0002 '' 0 cm 1 2
sql "UPDATE subject SET status = 'enrolled' WHERE key = 'TJ01-0002'"

# ---- Search and filter ------------------------------------------------------
cat > "$T/find.keys" <<EOF
$LOGIN
:dump $T/list.txt
2
:dump $T/search.txt
<BS>
:dump $T/erased.txt
<C-v>
:dump $T/pick.txt
3
:dump $T/enrolled.txt
<F9>2
:dump $T/screening.txt
<C-v>1
:dump $T/all.txt
<C-x>q
EOF
run_script "$T/find.keys"
screen_match "list: current event and next visit" \
	'^TJ01-0002 +● enrolled +d0 +fu30 2026-10-01 OVERDUE$' "$T/list.txt"
screen_match "search: query shown" '^Search: 2 ' "$T/search.txt"
screen_match "search: keeps TJ01-0002" '^TJ01-0002 ' "$T/search.txt"
screen_no_match "search: drops TJ01-0001" '^TJ01-0001 ' "$T/search.txt"
screen_match "search: count" '1 of 2 subjects' "$T/search.txt"
screen_match "search: BS erases" '^TJ01-0001 ' "$T/erased.txt"
screen_match "filter: offers every status" 'screen failure' "$T/pick.txt"
screen_match "filter: enrolled shown" 'Status: enrolled' "$T/enrolled.txt"
screen_match "filter: enrolled keeps TJ01-0002" '^TJ01-0002 ' "$T/enrolled.txt"
screen_no_match "filter: enrolled drops TJ01-0001" '^TJ01-0001 ' "$T/enrolled.txt"
screen_match "filter: screening keeps TJ01-0001" '^TJ01-0001 ' "$T/screening.txt"
screen_no_match "filter: screening drops TJ01-0002" '^TJ01-0002 ' "$T/screening.txt"
screen_match "filter: all again" '2 of 2 subjects' "$T/all.txt"

# ---- Casebook ------------------------------------------------------------------
cat > "$T/book.keys" <<EOF
$LOGIN
0002<Enter>
:dump $T/book.txt
<Down><Down><Down><Down>
:dump $T/d0.txt
<PgDn>
:dump $T/logs.txt
<Enter>
:dump $T/aepick.txt
<Esc><C-n>
:dump $T/aenew.txt
Fatigue<Enter><C-s><C-l><C-x>
:dump $T/back.txt
:resize 100 30
:dump $T/wide.txt
:resize 80 24
:dump $T/narrow.txt
<C-x>
:dump $T/listback.txt
<Enter><Up><Up><C-n>
:dump $T/unsnew.txt
EOF
run_script "$T/book.keys"
expect_eq "casebook: exit 0" 0 "$rc"
screen_match "casebook: title" '^crf TJ01 Casebook TJ01-0002 ' "$T/book.txt"
screen_match "casebook: day 0 and next visit" \
	'● enrolled +Day 0 2026-09-01 +Next visit fu30 2026-10-01 OVERDUE' "$T/book.txt"
screen_match "casebook: screening forms with status" '^scr .* ic● ie○ dm◐ mh○ edss○' "$T/book.txt"
screen_match "casebook: target date and window" '^fu30 +overdue +Follow-up day 30 +2026-10-01 ±7 +fu○ lab○ imm○$' "$T/book.txt"
screen_match "casebook: unscheduled visit" '^uns#1 .* fu◐ edss○ mri○ lab○$' "$T/book.txt"
screen_match "casebook: last event fits" '^eos +End of study +eos○$' "$T/book.txt"
screen_match "casebook: logs with counts" '^logs +ae 2 +cm 1 +rel 0 +dmt 0 +aph 0 +cdl 0 +cbc 0$' "$T/book.txt"
screen_match "casebook: legend" '● complete +◐ incomplete +○ not started' "$T/book.txt"
screen_match "casebook: selected item in words" '^ic Informed consent: complete' "$T/book.txt"
expect_eq "casebook: 80x24" 24 "$(wc -l < "$T/book.txt")"
screen_match "casebook: key bar still there" '^\^G Help ' "$T/book.txt"
screen_match "casebook: Down moves between events" '^inf .*: incomplete · on 2026-09-01' "$T/d0.txt"
screen_match "casebook: log in words" '^ae Adverse event: 2 entries, 1 incomplete · Enter lists them, \^N adds one$' "$T/logs.txt"
screen_match "log: entries by first value" '#1 Headache' "$T/aepick.txt"
screen_match "log: incomplete entry" '#2 \(incomplete\)' "$T/aepick.txt"
screen_match "log: new entry offered" 'New entry' "$T/aepick.txt"
screen_match "log: ^N opens a new entry" 'Adverse event #3' "$T/aenew.txt"
screen_match "casebook: refreshed on return" '^logs +ae 3 ' "$T/back.txt"
expect_eq "log: third entry saved" 3 "$(sql "SELECT count(*) FROM form_instance WHERE form = 'ae'")"
screen_match "uns: ^N opens the next visit" 'Unscheduled visit' "$T/unsnew.txt"
expect_eq "casebook: 100x30" 30 "$(wc -l < "$T/wide.txt")"
screen_match "casebook: 100x30 column heads" '^Event +State +Title +Target +Forms$' "$T/wide.txt"
screen_match "casebook: 100x30 last event" '^eos ' "$T/wide.txt"
screen_match "casebook: 100x30 logs" '^logs +ae 3 ' "$T/wide.txt"
expect_eq "casebook: back to 80x24" 24 "$(wc -l < "$T/narrow.txt")"
screen_match "casebook: 80x24 last event" '^eos ' "$T/narrow.txt"
screen_match "casebook: 80x24 logs" '^logs +ae 3 ' "$T/narrow.txt"
screen_match "list: back from the casebook" '^crf TJ01 Subjects ' "$T/listback.txt"

# ---- ASCII terminal without colour -------------------------------------------------
cat > "$T/ascii.keys" <<EOF
$LOGIN
:dump $T/alist.txt
<Down><Enter>
:dump $T/abook.txt
<C-x><C-x>q
EOF
LC_ALL=C LANG=C NO_COLOR=1 run_script "$T/ascii.keys"
expect_eq "ascii: exit 0" 0 "$rc"
screen_match "ascii: status mark" '^TJ01-0002 +\* enrolled' "$T/alist.txt"
screen_match "ascii: no visit due as -" '^TJ01-0001 +o screening 2026-11-25 +- +-$' "$T/alist.txt"
screen_match "ascii: form marks" 'ic\[x\] ie\[ \] dm\[/\]' "$T/abook.txt"
screen_match "ascii: legend" '\[x\] complete +\[/\] incomplete +\[ \] not started' "$T/abook.txt"
screen_match "ascii: target date (the window is on the detail line: the row is too narrow)" \
	'^fu30 +overdue +Follow-up .* 2026-10-01 +fu\[ \] lab\[ \] imm\[ \]$' "$T/abook.txt"
screen_match "ascii: last event fits" '^eos ' "$T/abook.txt"
screen_match "ascii: logs" '^logs +ae 3 ' "$T/abook.txt"
expect_eq "ascii: no UTF-8 on the screen" 0 "$(cat "$T/alist.txt" "$T/abook.txt" | LC_ALL=C grep -c '[^ -~]')"
expect_eq "nothing printed" "" "$(cat "$T/out.txt")"

# ---- The list is read again when a screen above it closes ---------------------
cat > "$T/resume.keys" <<EOF2
$LOGIN
:dump $T/before.txt
<Enter><Enter>
Y<Enter><C-s><C-l><C-x>
:dump $T/saved.txt
<C-x>
:dump $T/resumed.txt
<C-x>q
EOF2
run_script "$T/resume.keys"
screen_match "resume: nothing saved yet for TJ01-0001" '^TJ01-0001 +○ screening 2026-11-25 +— +—$' "$T/before.txt"
screen_match "resume: casebook shows the saved form" '^scr .* ic◐ ' "$T/saved.txt"
screen_match "resume: list shows the new current event" \
	'^TJ01-0001 +○ screening 2026-11-25 +scr +—$' "$T/resumed.txt"
