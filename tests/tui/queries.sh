#!/bin/sh
# Queries (discrepancy notes, include/crf/query.h) on screen: a monitor
# raises one on a field, the research nurse answers it, the monitor closes
# and reopens it; the marks and counts of the form, the casebook and the
# subject list; the list of queries and its filters; what a nurse may not
# do; automatic queries for soft values with [monitoring] auto_queries.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"

MON=li.jie
MON_NAME="Li Jie"
MON_PW=Monitor-Password-3
if ! setup_site || ! add_account "$NURSE" data-entry "$NURSE_NAME" "$NURSE_PW" ||
    ! add_account "$MON" monitor "$MON_NAME" "$MON_PW"; then
	not_ok "queries: a site, a research nurse and a monitor"
	exit 1
fi
NURSE_IN="$NURSE<Enter>$NURSE_PW<Enter>"
MON_IN="$MON<Enter>$MON_PW<Enter>"
# From the subject list: the first subject's demographics (third form of
# the first event).
DM="<Enter>
<Right><Right><Enter>"
WEIGHT="<Down><Down><Down><Down><Down><Down><Down>"
HEIGHT="<Down><Down><Down><Down><Down><Down>"
qstate() { sql "SELECT state FROM data_query WHERE id = $1"; }

# ---- The nurse keys demographics; a nurse cannot raise a query.
script nurse1 <<EOF
$NURSE_IN
<C-n>a
$DM
ZXM<Enter>
H123<Enter>
1990-05-01<Enter>
F<Enter>
1<Enter>
2026-11-20<Enter>
170<Enter>
65<Enter>
<C-s>
<Enter>
<Up>
<C-q>
:dump $T/nurse1.txt
<C-x>
<C-x>
q
EOF
expect_eq "nurse: exit 0" 0 "$rc"
screen_match "nurse cannot raise: says who raises queries" \
	'^No queries on Weight; queries are raised by monitors and data managers' "$T/nurse1.txt"
screen_no_match "nurse cannot raise: no question asked" 'New query' "$T/nurse1.txt"
expect_eq "nurse cannot raise: no query in the database" 0 "$(sql 'SELECT count(*) FROM data_query')"

# ---- The monitor: not on a form never saved; then on the weight.
script raise <<EOF
$MON_IN
<Enter>
<Enter>
<C-q>
:dump $T/raise0.txt
<C-x>
<Right><Right><Enter>
$WEIGHT
<C-q>
:dump $T/raise1.txt
<Enter>
:dump $T/raise2.txt
<Esc>
:dump $T/raise3.txt
<C-q>
Please check the weight against the source<Enter>
:dump $T/raise5.txt
<C-x>
:dump $T/raise6.txt
<C-x>
:dump $T/raise7.txt
<C-x>
q
EOF
expect_eq "raise: exit 0" 0 "$rc"
screen_match "raise: not on a form never saved" \
	'^A query can only be raised on a saved form: this form has never been saved' "$T/raise0.txt"
screen_match "raise: asks for the text" 'New query: Weight' "$T/raise1.txt"
screen_match "raise: the text is required" 'Query \(required\):' "$T/raise2.txt"
screen_no_match "raise: Esc raises nothing" 'raised on' "$T/raise3.txt"
screen_match "raise: said on the message line" '^Query #1 raised on Weight' "$T/raise5.txt"
screen_match "raise: open mark beside the value" '^▸\*Weight +\? 65\.0 ' "$T/raise5.txt"
screen_match "raise: no mark on other fields" '^ \*Height +170\.0 ' "$T/raise5.txt"
screen_match "raise: the header counts it" '1 open query · ◐ incomplete · read-only$' "$T/raise5.txt"
screen_match "raise: the casebook marks the form" 'ic○ ie○ dm◐\?1 mh○' "$T/raise6.txt"
screen_match "raise: the casebook says it in words" '^dm Demographics and baseline status: incomplete, 1 open query' "$T/raise6.txt"
screen_match "raise: the subject list has a Queries column" 'Next visit due +Queries$' "$T/raise7.txt"
screen_match "raise: the subject list counts it" '^TJ01-0001 +○ screening 2026-11-25 +scr +— +\?1$' "$T/raise7.txt"
expect_eq "raise: stored open, on the weight, by the monitor" "open|weight|li.jie|0|scr|1|dm|1" \
	"$(sql "SELECT state, field, raised_by, automatic, event, event_repeat, form, form_repeat FROM data_query")"
expect_eq "raise: its message" "1|raise|li.jie|Please check the weight against the source" \
	"$(sql "SELECT n, action, user, text FROM query_message")"
expect_eq "raise: audited" "query-raise|li.jie|weight||open|Please check the weight against the source" \
	"$(sql "SELECT action, user, field, coalesce(old_value, ''), new_value, reason FROM audit WHERE action LIKE 'query-%'")"

# ---- The nurse answers.
script answer <<EOF
$NURSE_IN
$DM
$WEIGHT
<C-q>
:dump $T/answer0.txt
a
:dump $T/answer1.txt
Source says 65 kg; the value is right<Enter>
:dump $T/answer2.txt
<Esc>
:dump $T/answer3.txt
<Down><Up>
:dump $T/answer4.txt
<C-x>
<C-x>
q
EOF
expect_eq "answer: exit 0" 0 "$rc"
screen_match "answer: the dialog names the query and the field" 'Query #1: Weight' "$T/answer0.txt"
screen_match "answer: where it is" 'TJ01-0001 · Screening / baseline · Demographics and baseline status' "$T/answer0.txt"
screen_match "answer: its state and who raised it" '\? open · raised 2026-11-25 16:00 by li\.jie · 0 days ago' "$T/answer0.txt"
screen_match "answer: the thread" 'Li Jie \(li\.jie\) raised the query:' "$T/answer0.txt"
screen_match "answer: the text" 'Please check the weight against the source' "$T/answer0.txt"
screen_match "answer: how to change the value" 'To change the value: edit the field, save with a reason, then answer' "$T/answer0.txt"
screen_match "answer: a nurse may answer, not close or raise" '│ \[A\]nswer  \[B\]ack +│' "$T/answer0.txt"
screen_match "answer: asks for the answer" 'Answer query #1' "$T/answer1.txt"
screen_match "answer: the answer in the thread" 'Wang Fang \(wang\.fang\) answered:' "$T/answer2.txt"
screen_match "answer: said on the message line" '^Query #1 answered\. To change the value, edit the field' "$T/answer2.txt"
screen_match "answer: answered mark" '^▸\*Weight +\+ 65\.0 ' "$T/answer3.txt"
screen_match "answer: the header counts it" '1 answered query · ◐ incomplete · saved$' "$T/answer3.txt"
screen_match "answer: the message line on the field says how to see it" \
	'^Weight: 1 answered query; \^Q \(F11\) shows it$' "$T/answer4.txt"
expect_eq "answer: stored answered" answered "$(qstate 1)"
expect_eq "answer: its message" "2|answer|wang.fang|Source says 65 kg; the value is right" \
	"$(sql "SELECT n, action, user, text FROM query_message WHERE n = 2")"

# ---- The monitor closes it, then reopens it.
script close <<EOF
$MON_IN
$DM
$WEIGHT
<C-q>
:dump $T/close0.txt
c
Confirmed against the source<Enter>
:dump $T/close1.txt
<Esc>
:dump $T/close2.txt
<C-q>
o
<Enter>
:dump $T/close3.txt
Weight differs from the nursing chart<Enter>
<Esc>
:dump $T/close4.txt
<C-x>
<C-x>
q
EOF
expect_eq "close: exit 0" 0 "$rc"
screen_match "close: the monitor may close or reopen" '\[C\]lose  re\[O\]pen  \[N\]ew query  \[B\]ack' "$T/close0.txt"
screen_match "close: the answer is shown" 'Source says 65 kg; the value is right' "$T/close0.txt"
screen_match "close: said" '^Query #1 closed' "$T/close1.txt"
screen_match "close: no mark" '^▸\*Weight +65\.0 ' "$T/close2.txt"
screen_match "close: no count in the header" 'Demographics.* ◐ incomplete · read-only$' "$T/close2.txt"
screen_no_match "close: no count in the header (words)" 'open query|answered query' "$T/close2.txt"
screen_match "reopen: a text is required" 'What is still wrong \(required\):' "$T/close3.txt"
screen_match "reopen: open mark again" '^▸\*Weight +\? 65\.0 ' "$T/close4.txt"
expect_eq "reopen: stored open" open "$(qstate 1)"
expect_eq "close and reopen: the thread" "raise|answer|close|reopen" \
	"$(sql "SELECT group_concat(action, '|') FROM (SELECT action FROM query_message WHERE query_id = 1 ORDER BY n)")"
expect_eq "close and reopen: audited with old and new state" "query-close|answered|closed|Confirmed against the source
query-reopen|closed|open|Weight differs from the nursing chart" \
	"$(sql "SELECT action, old_value, new_value, reason FROM audit WHERE action IN ('query-close', 'query-reopen') ORDER BY seq")"

# A second query, on the height, closed at once; a nurse is not offered
# to close or reopen.
script second <<EOF
$MON_IN
$DM
$HEIGHT
<C-q>
Height in cm, not inches?<Enter>
<C-q>
c
<Enter>
<Esc>
<C-x>
<C-x>
<C-x>
q
EOF
expect_eq "second: raised and closed" "2|height|closed" "$(sql "SELECT id, field, state FROM data_query WHERE id = 2")"
script nurse2 <<EOF
$NURSE_IN
$DM
$HEIGHT
<C-q>
:dump $T/nurse2.txt
<Esc>
<C-x>
<C-x>
q
EOF
screen_match "nurse: a closed query is only read" '│ \[B\]ack +│' "$T/nurse2.txt"
screen_no_match "nurse: nothing else is offered" '\[A\]nswer|\[C\]lose|re\[O\]pen|\[N\]ew' "$T/nurse2.txt"

# ---- The list of the site's queries and its filters.
script list <<EOF
$MON_IN
<C-q>
:dump $T/list0.txt
<C-v>
:dump $T/list1.txt
1
:dump $T/list2.txt
4
:dump $T/list3.txt
<C-v>15
:dump $T/list4.txt
<C-v>13
:dump $T/list5.txt
<C-v>2
0002<Enter>
:dump $T/list6.txt
<C-v>4
:dump $T/list7.txt
<C-x>
<Enter>
<C-q>
:dump $T/list8.txt
<C-v>3
<Up>
<Enter>
:dump $T/list9.txt
f
:dump $T/list10.txt
<C-x>
:dump $T/list11.txt
<C-x>
<C-x>
<C-x>
q
EOF
expect_eq "list: exit 0" 0 "$rc"
screen_match "list: the site in the title" '^crf TJ01 Queries · all subjects · Tianjin' "$T/list0.txt"
screen_match "list: filters and counts" '^State: not closed   Subject: all   Age: any   1 of 2 queries' "$T/list0.txt"
screen_match "list: columns" '^No\. +Subject +Where +State +Days +Raised by +Last message' "$T/list0.txt"
screen_match "list: the open query" '^#1 +TJ01-0001 +scr dm Weight +\? open +0 +li\.jie +Weight differs' "$T/list0.txt"
screen_no_match "list: not the closed one" '^#2 ' "$T/list0.txt"
screen_match "list: the selected one in words" '^#1 TJ01-0001 · Screening / baseline · Demographics and baseline status · Weight' "$T/list0.txt"
screen_match "list: its messages" '^4 messages; the last by li\.jie on 2026-11-25 16:00: Weight differs' "$T/list0.txt"
screen_match "filter: a small menu" '1 State: not closed' "$T/list1.txt"
screen_match "filter: the states" 'answered: waiting for whoever raised it' "$T/list2.txt"
screen_match "filter: closed" '^State: closed .* 1 of 2 queries' "$T/list3.txt"
screen_match "filter: closed shows the closed one" '^#2 +TJ01-0001 +scr dm Height +closed' "$T/list3.txt"
screen_no_match "filter: closed hides the open one" '^#1 ' "$T/list3.txt"
screen_match "filter: all" '^State: all .* 2 of 2 queries' "$T/list4.txt"
screen_match "filter: answered: none" 'No query matches the filters' "$T/list5.txt"
screen_match "filter: subject" 'Subject: 0002' "$T/list6.txt"
screen_match "filter: subject: none" 'No query matches the filters' "$T/list6.txt"
screen_match "filter: everything again" '^State: all   Subject: all   Age: any   2 of 2 queries' "$T/list7.txt"
screen_match "casebook: the subject's queries" '^crf TJ01 Queries · TJ01-0001' "$T/list8.txt"
screen_no_match "casebook: no subject filter there" 'Subject: all' "$T/list8.txt"
screen_match "list: Enter opens the query, with its form offered" '\[F\]orm' "$T/list9.txt"
screen_match "list: the form opens on the query's field" '^▸\*Height +170\.0' "$T/list10.txt"
screen_match "list: back from the form to the list" '^crf TJ01 Queries · TJ01-0001' "$T/list11.txt"

# Age: two weeks later both queries are 15 days old.
cat > "$T/age.keys" <<EOF
$MON_IN
<C-q>
<C-v>3
10<Enter>
:dump $T/age0.txt
<C-v>3
20<Enter>
:dump $T/age1.txt
<C-v>3
x<Enter>
:dump $T/age2.txt
<C-x>
<C-x>
q
EOF
CRF_NOW=2026-12-10T08:00:00Z run_script "$T/age.keys"
screen_match "age: 10 days or more" '^State: not closed   Subject: all   Age: 10 days or more   1 of 2' "$T/age0.txt"
screen_match "age: days shown" '^#1 .* \? open +15 +li\.jie' "$T/age0.txt"
screen_match "age: 20 days or more: none" 'No query matches the filters' "$T/age1.txt"
screen_match "age: a number is required" '^Type a number of days' "$T/age2.txt"

# ---- Automatic queries.  Off (the default): a soft value raises none.
script autooff <<EOF
$NURSE_IN
$DM
$WEIGHT
<C-u>130<Enter>
k
<C-s>
<Enter>
<C-x>
<C-x>
q
EOF
expect_eq "auto off: the soft value saved" "130.0|1" "$(sql "SELECT value, flags FROM item WHERE field = 'weight'")"
expect_eq "auto off: no automatic query" 0 "$(sql 'SELECT count(*) FROM data_query WHERE automatic = 1')"

# On: a new subject, a soft-range height and a soft check that fails.
printf '[monitoring]\nauto_queries = yes\n' >> "$T/config.ini"
script autoon <<EOF
$NURSE_IN
<C-n>a
<Down>
$DM
ZXM<Enter>
H124<Enter>
1980-01-01<Enter>
M<Enter>
1<Enter>
2026-11-20<Enter>
200<Enter>
k
70<Enter>
N<Enter>
N<Enter>
1<Enter>
6<Enter>
2<Enter>
<C-s>
:dump $T/auto0.txt
<Enter>
:dump $T/auto1.txt
<Up><Up><Up><Up><Up><Up>
<C-q>
:dump $T/auto2.txt
<Esc>
<C-x>
<C-x>
q
EOF
expect_eq "auto on: exit 0" 0 "$rc"
expect_eq "auto on: two automatic queries, raised by crf" "height|crf|open
kps|crf|open" \
	"$(sql "SELECT field, raised_by, state FROM data_query WHERE automatic = 1 ORDER BY field")"
expect_eq "auto on: the soft value in words" \
	"Height 200.0 cm is outside the expected range 145–195 cm: please confirm it against the source document." \
	"$(sql "SELECT text FROM query_message m JOIN data_query q ON q.id = m.query_id WHERE q.field = 'height' AND q.automatic = 1")"
expect_eq "auto on: the soft check in words" \
	"Soft check failed: Karnofsky below 70: confirm fitness for transplant. Please confirm against the source document." \
	"$(sql "SELECT text FROM query_message m JOIN data_query q ON q.id = m.query_id WHERE q.field = 'kps'")"
expect_eq "auto on: on the second subject's form" "TJ01-0002|scr|dm" \
	"$(sql "SELECT DISTINCT s.key, q.event, q.form FROM data_query q JOIN subject s ON s.id = q.subject_id WHERE automatic = 1")"
screen_match "auto on: the header counts them" '2 open queries · ◐ incomplete · saved$' "$T/auto1.txt"
screen_match "auto on: marks beside the values" '^ \*Height +\? 200\.0 ' "$T/auto1.txt"
screen_match "auto on: the dialog says crf raised it" 'raised .* by crf itself \(a soft value\)' "$T/auto2.txt"
# The monitor closes the soft check's query; a later save that changes
# another field raises it again only if the check fails anew.
script autoclose <<EOF
$MON_IN
<C-q>
<Down><Down>
:dump $T/auto3.txt
<Enter>
c
<Enter>
<Esc>
<C-x>
<C-x>
q
EOF
screen_match "auto on: in the list" '^#4 +TJ01-0002 +scr dm Karnofsky.* +\? open +0 +crf +Soft check failed' "$T/auto3.txt"
expect_eq "auto on: a monitor closes crf's query" closed "$(qstate 4)"
script autoagain <<EOF
$NURSE_IN
<Down>
$DM
<Down>
H125<Enter>
<C-s>
<Enter>
<C-x>
<C-x>
q
EOF
expect_eq "auto on: the change saved" H125 "$(sql "SELECT value FROM item WHERE field = 'hospno' AND value = 'H125'")"
expect_eq "auto on: a check still failing is not raised again" "3|open
4|closed" "$(sql "SELECT id, state FROM data_query WHERE automatic = 1 ORDER BY id")"

# ---- ASCII terminal: the marks and the list in plain characters.
cat > "$T/ascii.keys" <<EOF
$MON_IN
$DM
:dump $T/ascii0.txt
<C-x>
:dump $T/ascii1.txt
<C-x>
<C-q>
:dump $T/ascii2.txt
<Enter>
:dump $T/ascii3.txt
<Esc>
<C-x>
<C-x>
q
EOF
(export LC_ALL=C LANG=C NO_COLOR=1; run_script "$T/ascii.keys")
screen_match "ascii: header" '1 open query - \[/\] incomplete - read-only$' "$T/ascii0.txt"
screen_match "ascii: mark" '^ \*Weight +\? 130\.0 ' "$T/ascii0.txt"
screen_match "ascii: casebook mark" 'dm\[/\]\?1' "$T/ascii1.txt"
screen_match "ascii: legend" '\[ \] not started  \?n open queries  \+n answered$' "$T/ascii1.txt"
screen_match "ascii: list" '^#1 +TJ01-0001 +scr dm Weight +\? open' "$T/ascii2.txt"
screen_match "ascii: dialog box" '\+- Query #1: Weight -+\+' "$T/ascii3.txt"
screen_match "ascii: dialog text" 'TJ01-0001 - Screening / baseline - Demographics' "$T/ascii3.txt"
