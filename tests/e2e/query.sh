#!/bin/sh
# End to end: a query between two people in two terminals (tmux 80x24) on
# one site database.  The monitor raises it on a value the research nurse
# saved; the nurse, whose form is open all along, sees the mark appear
# without pressing a key, and answers; the monitor sees the answer come
# in the same way, and closes the query.  The database holds the three
# messages.
. "$(dirname "$0")/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	not_ok "tmux is installed (make check installs it)"
	exit 1
fi
MON=li.jie
MON_NAME="Li Jie"
MON_PW=Monitor-Password-3

if ! setup_site || ! add_account "$NURSE" data-entry "$NURSE_NAME" "$NURSE_PW" ||
    ! add_account "$MON" monitor "$MON_NAME" "$MON_PW"; then
	not_ok "query: a site, a research nurse and a monitor"
	exit 1
fi

# ---- The nurse keys and saves demographics, and keeps the form open.
s_start nurse
s_signin nurse "$NURSE" "$NURSE_PW"
s_keys nurse C-n
s_expect nurse "nurse: asked to add a subject" '\[A\]dd subject'
s_keys nurse a
s_expect nurse "nurse: subject added" 'Subject TJ01-0001 added'
s_keys nurse Enter
s_expect nurse "nurse: casebook" 'Casebook TJ01-0001'
s_keys nurse Right Right Enter
s_expect nurse "nurse: demographics" '^▸ Patient initials'
for v in ZXM H123 1990-05-01 F 1 2026-11-20 170 65; do
	s_type nurse "$v"; s_keys nurse Enter
done
s_expect nurse "nurse: on to the next field" '^▸\*Woman of childbearing'
s_keys nurse C-s
s_expect nurse "nurse: checks listed on saving" 'not evaluable'
s_keys nurse Enter
s_expect nurse "nurse: saved" '◐ incomplete · saved$'

# ---- The monitor, in a second terminal, raises a query on the weight.
s_start mon
s_signin mon "$MON" "$MON_PW"
s_keys mon Enter
s_expect mon "monitor: casebook" 'Casebook TJ01-0001'
s_keys mon Right Right Enter
s_expect mon "monitor: demographics, read-only" 'read-only$'
s_keys mon Down Down Down Down Down Down Down
s_expect mon "monitor: on the weight" '^▸\*Weight +65\.0'
s_keys mon C-q
s_expect mon "monitor: asked for the query" 'New query: Weight'
s_type mon "Weight 65 kg: please check against the clinic scale record"
s_keys mon Enter
s_expect mon "monitor: raised" '^Query #1 raised on Weight'
s_expect mon "monitor: the open mark" '^▸\*Weight +\? 65\.0'

# ---- The nurse's open form shows it by itself; she answers.
s_expect nurse "nurse: the mark appears without a key" '^ \*Weight +\? 65\.0' 15
s_expect nurse "nurse: the header counts it" '1 open query · ◐ incomplete · saved$'
s_keys nurse Up
s_expect nurse "nurse: on the weight" '^▸\*Weight +\? 65\.0'
s_expect nurse "nurse: the message line says how to see it" '^Weight: 1 open query; \^Q \(F11\) shows it'
s_keys nurse C-q
s_expect nurse "nurse: the query" 'Query #1: Weight'
s_expect nurse "nurse: its text" 'please check against the clinic scale'
s_expect nurse "nurse: may answer" '\[A\]nswer  \[B\]ack'
s_keys nurse a
s_expect nurse "nurse: asked for the answer" 'Answer query #1'
s_type nurse "Clinic scale record says 65 kg; value is right"
s_keys nurse Enter
s_expect nurse "nurse: the answer in the thread" 'Wang Fang \(wang\.fang\) answered:'
s_keys nurse Escape
s_expect nurse "nurse: the answered mark" '^▸\*Weight +\+ 65\.0'

# ---- The monitor sees the answer come in, and closes the query.
s_expect mon "monitor: the answered mark appears without a key" '^▸\*Weight +\+ 65\.0' 15
s_keys mon C-q
s_expect mon "monitor: the answer" 'Clinic scale record says 65 kg'
s_expect mon "monitor: may close" '\[C\]lose  re\[O\]pen'
s_keys mon c
s_expect mon "monitor: asked for a note" 'Close query #1'
s_type mon "Confirmed against the clinic scale record"
s_keys mon Enter
s_expect mon "monitor: closed" '^Query #1 closed'
s_keys mon Escape
s_expect mon "monitor: no mark now" '^▸\*Weight +65\.0'
s_expect nurse "nurse: the mark goes by itself" '^▸\*Weight +65\.0' 15

expect_eq "database: the three messages, in order" \
"1|raise|li.jie|Weight 65 kg: please check against the clinic scale record
2|answer|wang.fang|Clinic scale record says 65 kg; value is right
3|close|li.jie|Confirmed against the clinic scale record" \
	"$(sql "SELECT n, action, user, text FROM query_message WHERE query_id = 1 ORDER BY n")"
expect_eq "database: the query is closed" "closed|weight|li.jie" \
	"$(sql "SELECT state, field, raised_by FROM data_query WHERE id = 1")"
expect_eq "database: each step audited" "query-raise|li.jie
query-answer|wang.fang
query-close|li.jie" \
	"$(sql "SELECT action, user FROM audit WHERE action LIKE 'query-%' ORDER BY seq")"

# Both leave: nothing unsaved anywhere.
for s in mon nurse; do
	s_keys "$s" C-x
	s_expect "$s" "$s: back in the casebook" 'Casebook TJ01-0001'
	s_keys "$s" C-x
	s_expect "$s" "$s: the subject list" 'crf TJ01 Subjects'
	s_keys "$s" C-x
	s_expect "$s" "$s: asked to quit" 'Quit crf\?'
	s_keys "$s" q
	s_expect "$s" "$s: crf ended" 'crf-exited-0'
done
