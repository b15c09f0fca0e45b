#!/bin/sh
# A subject's life in the study on screen (src/tui/scr_eligibility.c,
# scr_due.c, the subject list and the casebook): the screening data keyed
# through the real form screens, a screening EDSS of 2.5 refused at
# enrolment with the eligibility screen saying why, a research nurse who
# has no Enrol, the EDSS corrected and the investigator's confirmation,
# enrolment with the study number TJ01-E001 in the list and the casebook,
# a screen failure that needs a reason (and a date in the future refused
# in plain words), a visit done after its window shown late, and the
# coordinator's list of overdue visits.  The clock (CRF_NOW) moves on
# between the sessions.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"

export CRF_NOW=2026-03-01T02:00:00Z
if ! setup_site || ! add_account "$NURSE" data-entry "$NURSE_NAME" "$NURSE_PW" ||
    ! add_account "$INV" investigator "$INV_NAME" "$INV_PW"; then
	not_ok "lifecycle: a site with a research nurse and an investigator"
	exit 1
fi
NLOGIN="$NURSE<Tab>$NURSE_PW<Enter>"
ILOGIN="$INV<Tab>$INV_PW<Enter>"
keybar() { tail -n 1 "$1"; }
item() {
	sql "SELECT i.value FROM item i JOIN form_instance f ON f.id = i.instance_id
	  WHERE f.form = '$1' AND i.field = '$2'"
}

# ---- 2026-03-01: the research nurse adds two subjects and keys the few
# screening items eligibility is judged from: consent (complete), date of
# birth and sex, and the EDSS examination with an EDSS of 2.5.  On the
# EDSS form the cursor moves from field to field with Down.
script nurse <<EOF
$NLOGIN
<C-n>a
<C-n>a
<Home><Enter>
<Enter>
Y<Enter>2026-02-20<Enter><Enter>V1.0<Enter>
<C-t>
<C-x>
<Right><Right><Enter>
ZXM<Enter>H123<Enter>1980-05-17<Enter>F<Enter>
<C-s><Enter>
<C-x>
<Right><Right><Enter>
2026-02-21<Enter>
<Down><Down><Down><Down><Down>3<Enter>1<Enter>
<Down><Down><Down><Down><Down><Down><Down>2.5<Enter>
<C-s><Enter>
<C-x>
:dump $T/n-book.txt
<C-e>
:dump $T/n-menu.txt
<Enter>
:dump $T/n-elig.txt
<C-e>
:dump $T/n-enrol.txt
<C-x><C-x><C-x>q
EOF
expect_eq "nurse: exit 0" 0 "$rc"
expect_eq "data: consent, demographics and EDSS saved" "2026-02-20|1980-05-17|F|2026-02-21|2.5|3|1" \
	"$(item ic icdat)|$(item dm brthdat)|$(item dm sex)|$(item edss edsdat)|$(item edss edss)|$(item edss fspyr)|$(item edss fscer)"
expect_match "nurse: the casebook's key bar has Status" '^\^G Help \^Y History \^N New \^Q Query \^E Status ' \
	"$(keybar "$T/n-book.txt")"
screen_match "casebook: the screening visit is done (consent dated)" '^scr +done ' "$T/n-book.txt"
screen_match "casebook: the events before day 0 in order, not done" '^mob +not done +Mobilisation' "$T/n-book.txt"
screen_match "casebook: then collection" '^aph +not done ' "$T/n-book.txt"
screen_match "casebook: then conditioning" '^con +not done ' "$T/n-book.txt"
screen_match "casebook: status with its date" '^TJ01-0001 +○ screening 2026-03-01 +Day 0 not entered' "$T/n-book.txt"
screen_no_match "nurse: no Enrol in the status menu" 'Enrol' "$T/n-menu.txt"
screen_match "nurse: the status menu offers the criteria" '1 Eligibility criteria' "$T/n-menu.txt"
screen_match "nurse: says why nothing else" \
	'^A research nurse cannot enrol subjects; research nurses enter data' "$T/n-menu.txt"
screen_match "nurse: the eligibility screen" '^crf TJ01 Eligibility TJ01-0001 ' "$T/n-elig.txt"
expect_eq "nurse: no Enrol on the eligibility screen's key bar" '^G Help ^X Back' \
	"$(keybar "$T/n-elig.txt")"
screen_match "nurse: ^E is refused, saying why" '^A research nurse cannot enrol subjects' "$T/n-enrol.txt"

# ---- The investigator answers every criterion (the subject looks
# eligible to them) but does not confirm yet, and saves the form.
script answers <<EOF
$ILOGIN
<Enter>
<Right><Enter>
Y<Enter>Y<Enter>Y<Enter>Y<Enter>Y<Enter>REL<Enter>N<Enter>Y<Enter>Y<Enter>LFT<Enter>
N<Enter>N<Enter>N<Enter>N<Enter>N<Enter>N<Enter>N<Enter>N<Enter>
<C-s><Enter>
<C-x>
<C-e>
:dump $T/i-menu.txt
1
:dump $T/i-elig.txt
<Down><Down>
:dump $T/i-i3.txt
<C-e>
:dump $T/i-refused.txt
<Esc>
:dump $T/i-refused-msg.txt
<End>
:dump $T/i-end.txt
<C-x><C-x><C-x>q
EOF
expect_eq "answers: exit 0" 0 "$rc"
expect_eq "answers: the eligibility form saved, not confirmed" "1||Y|N" \
	"$(sql "SELECT status FROM form_instance WHERE form = 'ie'")|$(item ie elig)|$(item ie inc3)|$(item ie exc8)"
screen_match "investigator: the status menu offers Enrol" '1 Enrol: check eligibility' "$T/i-menu.txt"
screen_match "investigator: and screen failure" '2 Screen failure' "$T/i-menu.txt"
screen_match "eligibility: the subject, its status, the form" \
	'^TJ01-0001 +○ screening 2026-03-01 +Form ie: incomplete +Confirmed: No$' "$T/i-elig.txt"
screen_match "eligibility: column heads" '^Criterion +Answer +Data +Value +Verdict$' "$T/i-elig.txt"
screen_match "eligibility: I1 met from the age at consent" \
	'^I1\. Age 18 to 60 years +Yes +Yes +45 years +met$' "$T/i-elig.txt"
screen_match "eligibility: I3 NOT MET by the data, 2.5" \
	'^I3\. EDSS score 3\.0 to 6\.0 \(inclusive\) +Yes +No +2\.5 +NOT MET$' "$T/i-elig.txt"
screen_match "eligibility: I4 from the functional scores" '^I4\. .* Yes +Yes +3 +met$' "$T/i-elig.txt"
screen_match "eligibility: inclusion first, exclusion after" '^E1\. .* No +does not apply$' "$T/i-elig.txt"
expect_eq "eligibility: inclusion before exclusion" "I1 I2 I3 I4 I5 I6 I7 E1 E2 E3 E4 E5 E6 E7 E8" \
	"$(sed -n '4,18p' "$T/i-elig.txt" | grep -Eo '^[IE][0-9]\.' | tr -d . | tr '\n' ' ' | sed 's/ $//')"
screen_match "eligibility: the summary" \
	'^Cannot be enrolled: 1 criterion not met, form incomplete, not confirmed$' "$T/i-elig.txt"
expect_eq "eligibility: fits 80x24" 24 "$(wc -l < "$T/i-elig.txt")"
expect_eq "investigator: Enrol on the eligibility screen's key bar" '^G Help ^E Enrol ^X Back' \
	"$(keybar "$T/i-elig.txt")"
screen_match "eligibility: the selected criterion in words" \
	'^NOT MET: the data say it is not met \(2\.5\)$' "$T/i-i3.txt"
screen_match "enrol refused: names I3 and the value" \
	'I3\. EDSS score 3\.0 to 6\.0 \(inclusive\): the data say it is not met \(2\.5\)' "$T/i-refused.txt"
screen_match "enrol refused: and the missing confirmation" \
	'the investigator has not confirmed eligibility' "$T/i-refused.txt"
screen_match "enrol refused: on the message line too" '^Not enrolled: ' "$T/i-refused-msg.txt"
screen_match "eligibility: scrolls to the last criterion" '^E8\. ' "$T/i-end.txt"
expect_eq "enrol refused: still screening, no study number" "screening|" \
	"$(sql "SELECT status, study_no FROM subject WHERE key = 'TJ01-0001'")"

# ---- 2026-03-05: the EDSS is corrected to 4.0 (a change of saved data:
# with a reason), then the investigator opens the eligibility form from
# the eligibility screen, confirms, and enrols.
export CRF_NOW=2026-03-05T02:00:00Z
script correct <<EOF
$NLOGIN
<Enter>
<Right><Right><Right><Right><Enter>
<Down><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down>
4.0<Enter>
<C-s>
EDSS re-scored from the neurologist's source sheet<Enter>
<Enter>
<C-x><C-x><C-x>q
EOF
expect_eq "correct: EDSS 4.0 saved" "4.0" "$(item edss edss)"

script enrol <<EOF
$ILOGIN
<Enter>
<C-e>1
:dump $T/e-before.txt
<End><Enter>
:dump $T/e-form.txt
<Down>Y<Enter>2026-03-05<Enter>$INV_NAME<Enter>
<C-t>
:dump $T/e-form-complete.txt
<C-x>
:dump $T/e-eligible.txt
<C-e>
:dump $T/e-date.txt
<Enter>
:dump $T/e-confirm.txt
e
:dump $T/e-enrolled.txt
<C-x>
:dump $T/e-book.txt
<C-x>
:dump $T/e-list.txt
<C-x>q
EOF
expect_eq "enrol: exit 0" 0 "$rc"
screen_match "corrected: I3 met with 4.0" '^I3\. .* Yes +Yes +4\.0 +met$' "$T/e-before.txt"
screen_match "corrected: still not confirmed" '^Cannot be enrolled: form incomplete, not confirmed$' "$T/e-before.txt"
screen_match "Enter opens the eligibility form" 'Eligibility +◐ incomplete' "$T/e-form.txt"
screen_match "on the selected criterion" '^▸\*E8\. Unable to give written' "$T/e-form.txt"
screen_match "the investigator confirms: the form complete" '● complete · saved' "$T/e-form-complete.txt"
screen_match "eligible" \
	'^Eligible: all inclusion met, no exclusion applies, confirmed by the investigator$' \
	"$T/e-eligible.txt"
screen_match "enrol: asks the date, today by default" 'Date \(YYYY-MM-DD\): 2026-03-05' "$T/e-date.txt"
screen_match "enrol: asks to confirm" 'Enrol TJ01-0001 on 2026-03-05\?' "$T/e-confirm.txt"
screen_match "enrol: the study number given" \
	'^TJ01-0001 enrolled on 2026-03-05: study number TJ01-E001$' "$T/e-enrolled.txt"
screen_match "eligibility: the study number and status" \
	'^TJ01-0001  TJ01-E001  ● enrolled 2026-03-05 ' "$T/e-enrolled.txt"
expect_eq "enrol: stored" "enrolled|TJ01-E001|2026-03-05" \
	"$(sql "SELECT status, study_no, status_date FROM subject WHERE key = 'TJ01-0001'")"
expect_eq "enrol: audited" "subject-status|screening|enrolled
status-date||2026-03-05
study-number||TJ01-E001" \
	"$(sql "SELECT action, coalesce(old_value, ''), new_value FROM audit
	  WHERE subject = 'TJ01-0001' AND action IN ('subject-status', 'status-date', 'study-number')
	  ORDER BY seq")"
screen_match "casebook: the study number and the status with its date" \
	'^TJ01-0001  TJ01-E001  ● enrolled 2026-03-05' "$T/e-book.txt"
screen_match "list: the study number and the status with its date" \
	'^TJ01-0001 +TJ01-E001 +● enrolled 2026-03-05 ' "$T/e-list.txt"
screen_match "list: the column heads" '^Subject ID +Study no\. +Status +.*Next visit due +Queries$' "$T/e-list.txt"

# ---- A screen failure needs a reason; a date in the future is refused by
# the store, in plain words.
script fail <<EOF
$ILOGIN
<Down>
<C-e>
:dump $T/f-menu.txt
2
<C-u>2026-03-09<Enter>
<Enter>
:dump $T/f-required.txt
Consent withdrawn before mobilisation<Enter>
r
:dump $T/f-future.txt
<C-e>2
<Enter>
<Enter>
:dump $T/f-required2.txt
Consent withdrawn before mobilisation<Enter>
:dump $T/f-confirm.txt
r
:dump $T/f-done.txt
<C-e>
:dump $T/f-after.txt
<Esc><Enter>
:dump $T/f-book.txt
<C-x><C-x>q
EOF
expect_eq "fail: exit 0" 0 "$rc"
screen_match "screen failure: offered for a subject in screening" '2 Screen failure' "$T/f-menu.txt"
screen_match "screen failure: a blank reason is asked again" 'Reason \(required\):' "$T/f-required.txt"
screen_match "screen failure: a date in the future is refused in plain words" \
	'^Not changed: the date 2026-03-09 is in the future$' "$T/f-future.txt"
screen_match "screen failure: asks to confirm, with the reason" \
	'Record a screen failure of TJ01-0002 on 2026-03-05\?' "$T/f-confirm.txt"
screen_match "screen failure: done" '^TJ01-0002 is a screen failure on 2026-03-05$' "$T/f-done.txt"
screen_match "list: the screen failure with its date" '^TJ01-0002 +✗ screen failure 2026-03-05 ' "$T/f-done.txt"
expect_eq "screen failure: stored with its reason" \
	"screen_failure|2026-03-05|Consent withdrawn before mobilisation" \
	"$(sql "SELECT status, status_date, status_reason FROM subject WHERE key = 'TJ01-0002'")"
screen_match "screen failure: nothing more to change" \
	'^The status of a subject who is screen failure does not change any more$' "$T/f-after.txt"
screen_match "casebook: the reason on the first line" \
	'^TJ01-0002  ✗ screen failure 2026-03-05: Consent withdrawn before mobilisation$' \
	"$T/f-book.txt"

# ---- 2026-05-25: the infusion on 2026-04-01 (day 0) and the day-30 visit
# on 2026-05-20, twelve days after its window (2026-04-24 to 2026-05-08).
export CRF_NOW=2026-05-25T02:00:00Z
script visits <<EOF
$NLOGIN
<Enter>
<Down><Down><Down><Down><Enter>
2026-04-01<Enter>
<C-s><Enter>
<C-x>
<Down><Down><Enter>
2026-05-20<Enter>
<C-s><Enter>
<C-x>
:dump $T/v-book.txt
<C-x><C-x>q
EOF
expect_eq "visits: day 0 and the day-30 visit saved" "2026-04-01|2026-05-20" "$(item inf infdat)|$(item fu fudat)"
screen_match "casebook: day 0" 'Day 0 2026-04-01' "$T/v-book.txt"
screen_match "casebook: day 0 done on its day" '^d0 +done ' "$T/v-book.txt"
screen_match "casebook: the day-30 visit late, with its target and window" \
	'^fu30 +late 12 d +Follow-up day 30 +2026-05-01 ±7 +fu◐' "$T/v-book.txt"
screen_match "casebook: the month-3 visit not yet due" '^m3 +not yet +Follow-up month 3 +2026-07-01 ±14 ' "$T/v-book.txt"
screen_match "casebook: the detail line says how late" \
	'^fu Follow-up visit: incomplete · done 2026-05-20, LATE: 12 days after its window' "$T/v-book.txt"
expect_eq "casebook: 80x24" 24 "$(wc -l < "$T/v-book.txt")"

# ---- 2026-07-20: the month-3 visit (window 2026-06-17 to 2026-07-15) is
# overdue; the coordinator's list shows it, and Enter opens the casebook.
export CRF_NOW=2026-07-20T02:00:00Z
script due <<EOF
$NLOGIN
:dump $T/d-list.txt
<C-w>
:dump $T/d-due.txt
<C-v><C-u>90<Enter>
:dump $T/d-90.txt
<Enter>
:dump $T/d-book.txt
<C-x><C-x><C-x>q
EOF
expect_eq "due: exit 0" 0 "$rc"
expect_eq "list: the nurse's key bar has Status and Due" \
	'^G Help ^N New ^Q Query ^E Status ^V Filter ^W Due ^P Password ^X Back' "$(keybar "$T/d-list.txt")"
screen_match "list: the next visit overdue" '^TJ01-0001 .* m3 2026-07-01 OVERDUE' "$T/d-list.txt"
screen_match "due: the screen" '^crf TJ01 Visits due ' "$T/d-due.txt"
screen_match "due: what it lists" '^Overdue, or due by 2026-07-27 \(7 days\) +1 visit \(1 overdue\) of 1 subject$' "$T/d-due.txt"
screen_match "due: column heads" '^Subject +Study no\. +Visit +Target +Window +State$' "$T/d-due.txt"
screen_match "due: the overdue visit" \
	'^TJ01-0001 +TJ01-E001 +m3 Follow-up month 3 +2026-07-01 +±14 +overdue 5 d$' "$T/d-due.txt"
screen_no_match "due: not the screen failure" 'TJ01-0002' "$T/d-due.txt"
screen_match "due: the window in words" '^TJ01-0001 m3 · target 2026-07-01, window 2026-06-17 to 2026-07-15$' "$T/d-due.txt"
screen_match "due: 90 days ahead adds the month-6 visit, sorted by date" \
	'^TJ01-0001 +TJ01-E001 +m6 Follow-up month 6 +2026-09-30 +±14 +not yet$' "$T/d-90.txt"
expect_eq "due: sorted by target date" "m3 m6" \
	"$(grep -Eo '^TJ01-0001 +TJ01-E001 +m[0-9]+' "$T/d-90.txt" | awk '{print $3}' | tr '\n' ' ' | sed 's/ $//')"
screen_match "due: Enter opens the casebook" '^crf TJ01 Casebook TJ01-0001 ' "$T/d-book.txt"
screen_match "casebook: the overdue visit" '^m3 +overdue ' "$T/d-book.txt"

# ---- The same screens on an ASCII terminal without colour.
cat > "$T/ascii.keys" <<EOF
$NLOGIN
:dump $T/a-list.txt
<C-w>
:dump $T/a-due.txt
<Enter>
:dump $T/a-book.txt
<C-e>
:dump $T/a-menu.txt
3
:dump $T/a-elig.txt
<C-x><C-x><C-x><C-x>q
EOF
LC_ALL=C LANG=C NO_COLOR=1 run_script "$T/ascii.keys"
expect_eq "ascii: exit 0" 0 "$rc"
screen_match "ascii: the list" '^TJ01-0001 +TJ01-E001 +\* enrolled 2026-03-05 ' "$T/a-list.txt"
screen_match "ascii: the due list" '^TJ01-0001 +TJ01-E001 +m3 Follow-up month 3 +2026-07-01 +\+-14 +overdue 5 d$' "$T/a-due.txt"
screen_match "ascii: the casebook" '^fu30 +late 12 d ' "$T/a-book.txt"
screen_match "nurse, enrolled subject: completion offered" '1 Completed the study' "$T/a-menu.txt"
screen_match "nurse, enrolled subject: death offered" '2 Death' "$T/a-menu.txt"
screen_match "nurse, enrolled subject: the criteria" '3 Eligibility criteria' "$T/a-menu.txt"
screen_no_match "nurse, enrolled subject: no withdrawal (investigator)" 'Withdraw' "$T/a-menu.txt"
screen_match "ascii: the eligibility screen" '^I3\. .* Yes +Yes +4\.0 +met$' "$T/a-elig.txt"
screen_match "ascii: a criterion without data" '^I2\. .* Yes +met$' "$T/a-elig.txt"
expect_eq "ascii: no UTF-8 on the screens" 0 \
	"$(cat "$T/a-list.txt" "$T/a-due.txt" "$T/a-book.txt" "$T/a-elig.txt" | LC_ALL=C grep -c '[^ -~]')"
for f in a-list a-due a-book a-elig d-due; do
	expect_eq "80x24: $f" 24 "$(wc -l < "$T/$f.txt")"
done
# ---- The investigator withdraws the subject: nothing is due any more.
script withdraw <<EOF
$ILOGIN
<Enter>
<C-e>
:dump $T/w-menu.txt
1
<Enter>
Moved abroad<Enter>
:dump $T/w-confirm.txt
w
:dump $T/w-book.txt
<C-x><C-w>
:dump $T/w-due.txt
<C-x><C-x>q
EOF
expect_eq "withdraw: exit 0" 0 "$rc"
screen_match "withdraw: offered to the investigator" '1 Withdraw from the study' "$T/w-menu.txt"
screen_match "withdraw: completion and death too" '3 Death' "$T/w-menu.txt"
screen_match "withdraw: asks to confirm, with the reason" \
	'Withdraw TJ01-0001 on 2026-07-20\? Reason for' "$T/w-confirm.txt"
screen_match "withdraw: done" '^TJ01-0001 withdrawn on 2026-07-20$' "$T/w-book.txt"
screen_match "withdraw: the casebook's first line" \
	'^TJ01-0001  TJ01-E001  ⊘ withdrawn 2026-07-20: Moved abroad   Day 0 2026-04-01$' "$T/w-book.txt"
screen_match "withdraw: the late visit stays flagged" '^fu30 +late 12 d ' "$T/w-book.txt"
screen_match "withdraw: no visit overdue any more" '^m3 +Follow-up month 3 ' "$T/w-book.txt"
screen_match "withdraw: the due list is empty" 'No visit is overdue or due in these days' "$T/w-due.txt"
expect_eq "withdraw: stored" "withdrawn|2026-07-20|Moved abroad|TJ01-E001" \
	"$(sql "SELECT status, status_date, status_reason, study_no FROM subject WHERE key = 'TJ01-0001'")"

expect_eq "nothing printed" "" "$(cat "$T/out.txt")"
expect_eq "audit trail intact" 0 "$("$CRF_BIN" -c "$T/config.ini" audit verify >/dev/null 2>&1; echo $?)"
