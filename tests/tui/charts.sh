#!/bin/sh
# The charts of a subject (src/tui/scr_charts.c) and the study report on
# screen (src/tui/scr_report.c).  A research nurse keys the screening EDSS,
# the infusion date (day 0) and a follow-up EDSS through the real forms,
# then eleven daily blood counts through the cbc log; the chart screen draws
# EDSS, neutrophils and platelets with their thresholds, and its captions
# give the engraftment days the evaluator computes from those counts.  At
# 80x24 and wider, in UTF-8 and in plain ASCII.  The report screen shows
# report_write()'s text, every section on an empty site, and the
# Kaplan-Meier curve once a subject is enrolled.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"

if ! setup_site || ! add_account "$NURSE" data-entry "$NURSE_NAME" "$NURSE_PW"; then
	not_ok "charts: a site and a research nurse"
	exit 1
fi
LOGIN="$NURSE<Tab>$NURSE_PW<Enter>"
# The EDSS step, from the examination date (the field after it is current):
# rater, blinded, reason, the seven functional systems, cerebellar X,
# walking unrestricted, assistance, ambulation score, EDSS.
TO_EDSS="<Down><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down>"
# The widest line of dumped screens, in columns.
widest() { cat "$@" | LC_ALL=C.UTF-8 wc -L; }
# Characters outside printable ASCII in dumped screens.
non_ascii() { cat "$@" | LC_ALL=C grep -c '[^ -~]'; }

# ---- The report on an empty site: every section says so.
script empty <<EOF
$LOGIN
<C-a>
:dump $T/r-top.txt
<PgDn>
:dump $T/r-next.txt
<End>
:dump $T/r-end.txt
<Home>
:dump $T/r-home.txt
:resize 80 60
:dump $T/r-all.txt
:resize 80 24
<C-x>
<C-g>
:dump $T/help.txt
<Esc>
:dump $T/list.txt
<C-x>q
EOF
expect_eq "empty: exit 0" 0 "$rc"
screen_match "report: its own screen" '^crf TJ01 Study report ' "$T/r-top.txt"
screen_match "report: the report's first line" '^Study report: NCT06228781$' "$T/r-top.txt"
screen_match "report: says which lines are shown" '^Lines 1-20 of [0-9]+ +Up/Down, PgUp/PgDn, Home/End scroll$' \
	"$T/r-top.txt"
screen_match "report: PgDn scrolls" '^Lines ([2-9]|[1-9][0-9]+)-[0-9]+ of ' "$T/r-next.txt"
screen_match "report: End shows the last section" '^7\. Kaplan-Meier estimate of MS activity-free survival$' \
	"$T/r-end.txt"
screen_match "report: Home goes back" '^Study report: NCT06228781$' "$T/r-home.txt"
expect_eq "report: 80x24" 24 "$(wc -l < "$T/r-top.txt")"
expect_eq "report: no line longer than 80" 80 \
	"$(widest "$T/r-top.txt" "$T/r-next.txt" "$T/r-end.txt" | awk '{ print ($1 <= 80) ? 80 : $1 }')"
"$CRF_BIN" -c "$T/config.ini" report > "$T/report.txt" 2>&1
n_lines=$(wc -l < "$T/report.txt")
expect_eq "report: on a tall screen, exactly the text of crf report" "$(cat "$T/report.txt")" \
	"$(sed -n "2,$((n_lines + 1))p" "$T/r-all.txt")"
for s in "1. Enrolment" "2. Visits" "3. Completeness per form" "4. Adverse events by CTCAE grade" \
    "5. Engraftment" "6. MS activity-free survival per subject" \
    "7. Kaplan-Meier estimate of MS activity-free survival"; do
	screen_match "report: section $s" "^$s\$" "$T/r-all.txt"
done
expect_eq "report: every section says no subject is enrolled" 7 \
	"$(grep -c '^  No subject is enrolled yet\.$' "$T/r-all.txt")"
screen_match "list: the help names the report key" 'F2/\^A +The study report' "$T/help.txt"
screen_match "list: back from the report" '^crf TJ01 Subjects ' "$T/list.txt"

# ---- No day 0 yet: the charts say so instead of drawing an empty frame.
script nodata <<EOF
$LOGIN
<C-n>a
<Enter>
:dump $T/book0.txt
<C-a>
:dump $T/none.txt
<Tab>
:dump $T/none-anc.txt
<C-x>
:dump $T/book-back.txt
<C-x><C-x>q
EOF
expect_eq "nodata: exit 0" 0 "$rc"
screen_match "casebook: the key bar offers Charts" '\^A Charts \^X Back$' "$T/book0.txt"
screen_match "charts: own screen" '^crf TJ01 Charts TJ01-0001 ' "$T/none.txt"
screen_match "charts: the charts by number, the current one in brackets" \
	'^\[1 EDSS\] +2 Neutrophils +3 Platelets' "$T/none.txt"
screen_match "charts: day 0 not entered" 'Day 0 not entered$' "$T/none.txt"
screen_match "charts: no day 0, said in words" '^Day 0 \(the infusion date\) is not entered yet' "$T/none.txt"
screen_no_match "charts: no empty frame" '┤|└' "$T/none.txt"
screen_match "charts: Tab shows the next" '^ 1 EDSS +\[2 Neutrophils\]' "$T/none-anc.txt"
screen_match "charts: back to the casebook" '^crf TJ01 Casebook TJ01-0001 ' "$T/book-back.txt"

# ---- The screening EDSS (4.0, 2026-04-20), day 0 (2026-05-20): the EDSS
# chart draws, the counts chart says there is no count yet.
script day0 <<EOF
$LOGIN
<Enter>
<Right><Right><Right><Right><Enter>
2026-04-20<Enter>
$TO_EDSS
4.0<Enter>
<C-s>
<Enter><C-x>
<Down><Down><Down><Down><Enter>
2026-05-20<Enter>
<C-s>
<Enter><C-x>
<C-a>
:dump $T/d0-edss.txt
n
:dump $T/d0-anc.txt
<C-x><C-x><C-x>q
EOF
expect_eq "day0: exit 0" 0 "$rc"
expect_eq "day0: screening EDSS and infusion date saved" "scr|edss|edsdat|2026-04-20
scr|edss|edss|4.0
d0|inf|infdat|2026-05-20" \
	"$(sql "SELECT f.event, f.form, i.field, i.value FROM item i JOIN form_instance f ON f.id = i.instance_id
	  WHERE i.field IN ('edsdat', 'edss', 'infdat') ORDER BY f.id, i.field")"
screen_match "day0: the chart header gives day 0" 'Day 0 2026-05-20$' "$T/d0-edss.txt"
screen_match "day0: the baseline on the EDSS axis" '^4\.0 ┤●' "$T/d0-edss.txt"
screen_match "day0: caption: no confirmed progression" '^No confirmed progression\.$' "$T/d0-edss.txt"
screen_match "day0: caption: baseline and the progression level" \
	'^Baseline EDSS 4\.0 \(screening\); an increase to 5\.0 counts towards progression\.$' "$T/d0-edss.txt"
screen_match "day0: a letter picks a chart" '^ 1 EDSS +\[2 Neutrophils\]' "$T/d0-anc.txt"
screen_match "day0: no count yet, said in words" '^No neutrophil count after day 0 yet\.$' "$T/d0-anc.txt"
screen_no_match "day0: no empty frame" '┤|└' "$T/d0-anc.txt"

# ---- The month 6 EDSS (5.0, 2026-11-20, day 184) and eleven daily counts,
# days 1 to 11.  Neutrophils 0.1 0.2 0.3, then 0.6 and up: engraftment day 4.
# Platelets at or above 20 from day 3, but transfused on day 1: the first
# run with no transfusion in the 7 days before starts on day 9.
cbc_entry() {   # DATE ANC PLATELETS TRANSFUSED (Y or N)
	printf '<C-n>%s<Enter><Enter>%s<Enter>%s<Enter><Enter><Enter>%s<Enter>\n<C-s>\n<Enter><C-x>\n' \
		"$1" "$2" "$3" "$4"
}
{
	cat <<EOF
$LOGIN
<Enter>
<Down><Down><Down><Down><Down><Down><Down><Down><Right><Enter>
2026-11-20<Enter>
$TO_EDSS
5.0<Enter>
<C-s>
<Enter><C-x>
<PgDn><End>
EOF
	cbc_entry 2026-05-21 0.1 10 Y
	cbc_entry 2026-05-22 0.2 8 N
	cbc_entry 2026-05-23 0.3 22 N
	cbc_entry 2026-05-24 0.6 25 N
	cbc_entry 2026-05-25 0.9 31 N
	cbc_entry 2026-05-26 1.4 35 N
	cbc_entry 2026-05-27 2.0 38 N
	cbc_entry 2026-05-28 2.5 44 N
	cbc_entry 2026-05-29 2.8 52 N
	cbc_entry 2026-05-30 3.1 60 N
	cbc_entry 2026-05-31 3.0 71 N
	cat <<EOF
:dump $T/book.txt
<C-a>
:dump $T/edss.txt
<Tab>
:dump $T/anc.txt
<Tab>
:dump $T/plt.txt
<Tab>
:dump $T/wrap.txt
<Left>
:dump $T/left.txt
:resize 120 40
:dump $T/wide.txt
:resize 80 24
<C-x><C-x><C-x>q
EOF
} > "$T/counts.keys"
run_script "$T/counts.keys"
expect_eq "counts: exit 0" 0 "$rc"
expect_eq "counts: the follow-up EDSS saved at month 6" "m6|2026-11-20|5.0" \
	"$(sql "SELECT f.event, group_concat(i.value, '|') FROM item i JOIN form_instance f ON f.id = i.instance_id
	  WHERE f.form = 'edss' AND f.event = 'm6' AND i.field IN ('edsdat', 'edss') GROUP BY f.id ORDER BY i.field")"
expect_eq "counts: eleven entries of the cbc log, one transfused" "11|1" \
	"$(sql "SELECT count(*), sum(i.value = 'Y') FROM form_instance f JOIN item i ON i.instance_id = f.id
	  WHERE f.form = 'cbc' AND i.field = 'plttx'")"
screen_match "counts: the casebook counts them" '^logs .* cbc 11$' "$T/book.txt"

screen_match "edss: title" '^EDSS$' "$T/edss.txt"
screen_match "edss: the progression level drawn and labelled" '^5\.0 ┤═+' "$T/edss.txt"
screen_match "edss: the baseline labelled" '^4\.0 ┤●' "$T/edss.txt"
screen_match "edss: the x axis" '^    └─+┬' "$T/edss.txt"
screen_match "edss: the axis labels run from before day 0" '^ +-20 +0 +20 ' "$T/edss.txt"
screen_match "edss: the legend" '^● EDSS +┄┄ baseline 4\.0 +══ progression at 5\.0$' "$T/edss.txt"
screen_match "edss: caption: the increase awaits confirmation" \
	'^No confirmed progression: the increase to 5\.0 on day \+184 awaits confirmation' "$T/edss.txt"
screen_match "edss: caption: when it can be confirmed" '\(an assessment on day \+352 or later\)\.$' "$T/edss.txt"
screen_match "edss: caption: the baseline" '^Baseline EDSS 4\.0 \(screening\); an increase to 5\.0 counts' "$T/edss.txt"

screen_match "anc: title" '^Neutrophils \(×10⁹/L\) after day 0$' "$T/anc.txt"
screen_match "anc: the engraftment threshold drawn and labelled" '^0\.5 ┤┄+' "$T/anc.txt"
screen_match "anc: days on the x axis" '^ +0 +1 +2 +3 +4 +5 ' "$T/anc.txt"
screen_match "anc: the legend" '^● neutrophils +┄┄ engraftment 0\.5$' "$T/anc.txt"
screen_match "anc: caption: the engraftment day from the counts" \
	'^Neutrophil engraftment day \+4: the first of 3 days in a row at or above 0\.5\.$' "$T/anc.txt"

screen_match "plt: title" '^Platelets \(×10⁹/L\) after day 0$' "$T/plt.txt"
screen_match "plt: the engraftment threshold drawn" '^ 20 ┤┄+' "$T/plt.txt"
screen_match "plt: the transfusion marked T" '^    │ +T ' "$T/plt.txt"
screen_match "plt: the legend" '^● platelets +T platelet transfusion +┄┄ engraftment 20$' "$T/plt.txt"
screen_match "plt: caption: the day the transfusion pushed" \
	'^Platelet engraftment day \+9 \(transfusion on day \+1 inside the 7-day window: the$' "$T/plt.txt"
screen_match "plt: caption: from when the counts were up" \
	'^counts were at or above 20 from day \+3\)\. 1 platelet transfusion from day 0 on,$' "$T/plt.txt"
screen_match "charts: Tab after the last goes round" '^\[1 EDSS\]' "$T/wrap.txt"
screen_match "charts: Left goes back" '\[3 Platelets\]' "$T/left.txt"
for f in edss anc plt; do
	expect_eq "$f: 80x24" 24 "$(wc -l < "$T/$f.txt")"
	expect_eq "$f: no line longer than 80" 80 "$(widest "$T/$f.txt" | awk '{ print ($1 <= 80) ? 80 : $1 }')"
	screen_match "$f: the key bar" '^\^G Help \^X Back$' "$T/$f.txt"
done
expect_eq "wide: 120x40" 40 "$(wc -l < "$T/wide.txt")"
screen_match "wide: the chart uses the width" '^ 20 ┤.{100,}' "$T/wide.txt"
screen_match "wide: the caption on one line" \
	'^Platelet engraftment day \+9 \(transfusion on day \+1 inside the 7-day window: the counts were at or above 20 from day \+3\)\.$' \
	"$T/wide.txt"
expect_eq "nothing printed" "" "$(cat "$T/out.txt")"

# ---- A terminal that is not UTF-8: plain ASCII only.
script ascii <<EOF
$LOGIN
<Enter>
<C-a>
:dump $T/a-edss.txt
2
:dump $T/a-anc.txt
3
:dump $T/a-plt.txt
<C-x><C-x>
<C-a>
<End>
:dump $T/a-report.txt
<C-x><C-x>q
EOF
LC_ALL=C LANG=C NO_COLOR=1 run_script "$T/ascii.keys"
expect_eq "ascii: exit 0" 0 "$rc"
expect_eq "ascii: no UTF-8 on the chart or report screens" 0 \
	"$(non_ascii "$T/a-edss.txt" "$T/a-anc.txt" "$T/a-plt.txt" "$T/a-report.txt")"
screen_match "ascii: EDSS axis and progression level" '^5\.0 \+=+' "$T/a-edss.txt"
screen_match "ascii: EDSS legend" '^o EDSS +\.\. baseline 4\.0 +== progression at 5\.0$' "$T/a-edss.txt"
screen_match "ascii: x axis" '^    \+-+\+' "$T/a-edss.txt"
screen_match "ascii: neutrophil title" '^Neutrophils \(x10\^9/L\) after day 0$' "$T/a-anc.txt"
screen_match "ascii: neutrophil threshold" '^0\.5 \+\.+' "$T/a-anc.txt"
screen_match "ascii: neutrophil caption" '^Neutrophil engraftment day \+4' "$T/a-anc.txt"
screen_match "ascii: transfusion mark" '^    \| +T ' "$T/a-plt.txt"
screen_match "ascii: platelet caption" '^Platelet engraftment day \+9 ' "$T/a-plt.txt"
expect_eq "nothing printed (ascii)" "" "$(cat "$T/out.txt")"

# ---- Once the subject is enrolled (the lifecycle has its own tests), the
# report gives the same engraftment days and draws the Kaplan-Meier curve.
sql "UPDATE subject SET status = 'enrolled', study_no = '01', status_date = '2026-05-01'
  WHERE key = 'TJ01-0001'"
script km <<EOF
$LOGIN
<C-a>
:resize 80 200
:dump $T/km.txt
:resize 80 24
<End>
:dump $T/km-end.txt
<C-x><C-x>q
EOF
expect_eq "km: exit 0" 0 "$rc"
screen_match "km: the engraftment days of the charts" '^  TJ01-0001 +2026-05-20 +day 4 +day 9 ' "$T/km.txt"
screen_match "km: the estimate's table" '^  1 year +365 ' "$T/km.txt"
screen_match "km: the curve's y axis" '^  1\.00 ┤' "$T/km-end.txt"
screen_match "km: the curve's legend" 'MS activity-free survival +\+ censored' "$T/km-end.txt"
expect_eq "km: no line longer than 80" 80 "$(widest "$T/km-end.txt" | awk '{ print ($1 <= 80) ? 80 : $1 }')"
