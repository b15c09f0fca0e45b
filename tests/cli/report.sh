#!/bin/sh
# crf report: the study report from the shell.  An empty site prints every
# section, each saying there is nobody yet; a site with one screening
# subject (keyed in a headless session, as audit.sh does) counts it.  The
# numbers of a site with enrolled subjects are checked in
# tests/unit/test_report.c.
. "$(dirname "$0")/../lib.sh"

make_config
C="-c $T/config.ini"

out=$("$CRF_BIN" --help)
expect_match "--help lists report" '^  crf report \[--width N\] \[--ascii\]$' "$out"

out=$("$CRF_BIN" $C report 2>&1); rc=$?
expect_eq "no database yet: exit 1" 1 "$rc"
expect_match "no database yet: says so" '^crf: ' "$out"

"$CRF_BIN" $C init >/dev/null 2>&1
out=$("$CRF_BIN" $C report 2>&1); rc=$?
expect_eq "empty site: exit 0" 0 "$rc"
expect_eq "empty site: the study first" "Study report: NCT06228781" "$(printf '%s\n' "$out" | head -n 1)"
expect_match "empty site: site and today (CRF_NOW)" \
	'^Site TJ01 \(Tianjin Medical University General Hospital\), 2026-11-25$' "$out"
expect_eq "empty site: the seven sections, in order" \
	"1. Enrolment|2. Visits|3. Completeness per form|4. Adverse events by CTCAE grade|5. Engraftment|6. MS activity-free survival per subject|7. Kaplan-Meier estimate of MS activity-free survival" \
	"$(printf '%s\n' "$out" | grep -E '^[0-9]\. ' | tr '\n' '|' | sed 's/|$//')"
expect_eq "empty site: every section says nobody is enrolled" 7 \
	"$(printf '%s\n' "$out" | grep -c '^  No subject is enrolled yet\.$')"
expect_match "empty site: nobody screened" '^  No subject has been screened yet\.$' "$out"
expect_match "empty site: no form saved" '^  No form has been saved yet\.$' "$out"
expect_match "empty site: no adverse event" '^  No adverse event has been recorded yet\.$' "$out"
expect_eq "empty site: no line wider than 80" "" \
	"$(printf '%s\n' "$out" | awk 'length($0) > 80')"

out=$("$CRF_BIN" $C report --width 60 --ascii 2>&1); rc=$?
expect_eq "--width 60 --ascii: exit 0" 0 "$rc"
expect_eq "--width 60: the study's name wrapped at 60" \
	"Autologous haematopoietic stem cell transplantation for" \
	"$(printf '%s\n' "$out" | sed -n 2p)"
expect_eq "--ascii: plain ASCII only" "" "$(printf '%s\n' "$out" | LC_ALL=C grep -n '[^ -~]')"

out=$("$CRF_BIN" $C report --width 20 2>&1); rc=$?
expect_eq "--width 20: usage, exit 2" 2 "$rc"
expect_match "--width 20: says the range" '--width N  columns, 60 to 250' "$out"
out=$("$CRF_BIN" $C report --bogus 2>&1); rc=$?
expect_eq "--bogus: usage, exit 2" 2 "$rc"
expect_match "--bogus: prints the usage" '^usage: crf report \[--width N\] \[--ascii\]$' "$out"

# A research nurse adds the first subject and keys part of its demographics.
add_nurse
enter_demographics "$T/config.ini"
if [ "$(sqlite3 "$T/site.db" "SELECT count(*) FROM subject")" != 1 ]; then
	not_ok "report: a screening subject to count"
	sed 's/^/#   /' "$T/ui.txt"
	exit 1
fi
out=$("$CRF_BIN" $C report 2>&1); rc=$?
expect_eq "one screening subject: exit 0" 0 "$rc"
expect_match "one screening subject: counted" \
	'^  Screened 1: in screening 1, screen failures 0, enrolled 0\.$' "$out"
expect_eq "one screening subject: still nobody enrolled, in every section" 7 \
	"$(printf '%s\n' "$out" | grep -c '^  No subject is enrolled yet\.$')"
expect_match "one screening subject: its saved form counted" \
	'^  dm +Demographics and baseline status +1 +0 +0%$' "$out"
