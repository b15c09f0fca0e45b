#!/bin/sh
# End to end, in a real terminal (tmux 80x24): an investigator asks to
# enrol a screened subject whose screening EDSS is 2.5 and is refused, the
# eligibility screen naming I3 and the value; once the EDSS is corrected
# to 4.0 the same screen says eligible and F3 enrols the subject with the
# study number TJ01-E001, shown in the casebook and the subject list.
# The screening data are keyed headless through the form screens
# (tests/tui), as in tests/tui/lifecycle.sh.
. "$(dirname "$0")/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	not_ok "tmux is installed (make check installs it)"
	exit 1
fi
INV=zhang.wei
INV_PW=Investigator-Pw-1
CRF_NOW=2026-03-01T02:00:00Z
export CRF_NOW
if ! setup_site || ! add_account "$NURSE" data-entry "$NURSE_NAME" "$NURSE_PW" ||
    ! add_account "$INV" investigator "Zhang Wei" "$INV_PW"; then
	not_ok "enrol: a site with a nurse and an investigator"
	exit 1
fi
item() {
	sql "SELECT i.value FROM item i JOIN form_instance f ON f.id = i.instance_id
	  WHERE f.form = '$1' AND i.field = '$2'"
}

# ---- Headless: consent, date of birth and sex, an EDSS of 2.5, and the
# investigator's eligibility form, complete and confirmed.
script nurse <<EOF
$NURSE<Tab>$NURSE_PW<Enter>
<C-n>a
<Enter>
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
<C-x><C-x><C-x>q
EOF
script answers <<EOF
$INV<Tab>$INV_PW<Enter>
<Enter>
<Right><Enter>
Y<Enter>Y<Enter>Y<Enter>Y<Enter>Y<Enter>REL<Enter>N<Enter>Y<Enter>Y<Enter>LFT<Enter>
N<Enter>N<Enter>N<Enter>N<Enter>N<Enter>N<Enter>N<Enter>N<Enter>
Y<Enter>2026-02-22<Enter>Zhang Wei<Enter>
<C-t>c
<C-x><C-x><C-x>q
EOF
expect_eq "data: EDSS 2.5, the eligibility form complete and confirmed" "2.5|2|Y" \
	"$(item edss edss)|$(sql "SELECT status FROM form_instance WHERE form = 'ie'")|$(item ie elig)"

leave() {
	keys C-x
	wait_for '\[Q\]uit' 2 || keys C-x
	wait_for '\[Q\]uit' 2 || keys C-x
	wait_for '\[Q\]uit' 2 && keys q
	expect_screen "$1: crf ends" 'crf-exited-0'
	stop_crf
}

# ---- The refusal.
start_crf 80 24
expect_screen "refusal: sign-in screen" "User name"
type_text "$INV"; keys Tab; type_text "$INV_PW"; keys Enter
expect_screen "refusal: subject list" "crf TJ01 Subjects"
keys Enter
expect_screen "refusal: the casebook" 'Casebook TJ01-0001'
keys C-e
expect_screen "refusal: the status menu offers Enrol" '1 Enrol: check eligibility'
keys Enter
expect_screen "refusal: the eligibility screen" '^crf TJ01 Eligibility TJ01-0001'
expect_screen "refusal: I3 not met by the data (2.5)" \
	'^I3\. EDSS score 3\.0 to 6\.0 \(inclusive\) +Yes +No +2\.5 +NOT MET'
expect_screen "refusal: the summary" '^Cannot be enrolled: 1 criterion not met$'
keys F3
expect_screen "refusal: Enrol is refused, naming the criterion and the value" \
	'I3\. EDSS score 3\.0 to 6\.0 \(inclusive\): the data say it is not met \(2\.5\)'
keys Escape
expect_screen "refusal: on the message line" '^Not enrolled: I3\. EDSS score'
expect_eq "refusal: still in screening" "screening|" \
	"$(sql "SELECT status, study_no FROM subject WHERE key = 'TJ01-0001'")"
leave "refusal"

# ---- The EDSS is corrected (headless, with a reason for the change).
script correct <<EOF
$NURSE<Tab>$NURSE_PW<Enter>
<Enter>
<Right><Right><Right><Right><Enter>
<Down><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down>
4.0<Enter>
<C-s>
EDSS re-scored from the neurologist's source sheet<Enter>
<Enter>
<C-x><C-x><C-x>q
EOF
expect_eq "data: EDSS corrected to 4.0" "4.0" "$(item edss edss)"

# ---- The enrolment.
start_crf 80 24
expect_screen "enrol: sign-in screen" "User name"
type_text "$INV"; keys Tab; type_text "$INV_PW"; keys Enter
expect_screen "enrol: subject list" "crf TJ01 Subjects"
keys C-e
expect_screen "enrol: the status menu from the subject list" '1 Enrol: check eligibility'
keys 1
expect_screen "enrol: I3 met with 4.0" '^I3\. .* Yes +Yes +4\.0 +met'
expect_screen "enrol: eligible" '^Eligible: all inclusion met, no exclusion applies, confirmed by the investigator$'
keys F3
expect_screen "enrol: the date, today by default" 'Date \(YYYY-MM-DD\): 2026-03-01'
keys Enter
expect_screen "enrol: asks to confirm" 'Enrol TJ01-0001 on 2026-03-01\?'
keys e
expect_screen "enrol: the study number" '^TJ01-0001 enrolled on 2026-03-01: study number TJ01-E001$'
expect_eq "enrol: stored" "enrolled|TJ01-E001|2026-03-01" \
	"$(sql "SELECT status, study_no, status_date FROM subject WHERE key = 'TJ01-0001'")"
keys C-x
expect_screen "enrol: the list shows the study number" '^TJ01-0001 +TJ01-E001 +● enrolled 2026-03-01'
keys Enter
expect_screen "enrol: the casebook too" '^TJ01-0001  TJ01-E001  ● enrolled 2026-03-01'
leave "enrol"
