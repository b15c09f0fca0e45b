#!/bin/sh
# crf print: a subject's casebook through the real binary, as text on standard
# output and as an HTML file, each copy noted in the audit trail.
. "$(dirname "$0")/../lib.sh"

make_config
C="-c $T/config.ini"
DB="$T/site.db"
sql() { sqlite3 "$DB" "$1"; }

"$CRF_BIN" $C init >/dev/null 2>&1
add_nurse

# A research nurse adds the first subject and keys part of its demographics
# (as in audit.sh).
enter_demographics "$T/config.ini"
if [ "$(sql "SELECT value FROM item WHERE field = 'weight'")" != 65.0 ]; then
	not_ok "print: a subject with a saved weight to print"
	sed 's/^/#   /' "$T/ui.txt"
	exit 1
fi
wseq=$(sql "SELECT seq FROM audit WHERE field = 'weight'")
rows=$(sql "SELECT count(*) FROM audit WHERE subject = 'TJ01-0001'")

# ---- Text on standard output.
out=$("$CRF_BIN" $C print --subject TJ01-0001 2>&1); rc=$?
expect_eq "text: exit 0" 0 "$rc"
expect_eq "text: the title" "Casebook of subject TJ01-0001" "$(printf '%s\n' "$out" | sed -n 2p)"
expect_match "text: the site" '^  Site        TJ01 Tianjin Medical University General Hospital$' "$out"
expect_match "text: every saved form and audit row counted" \
	"^  Contents    1 saved form, $rows audit rows\$" "$out"
expect_match "text: the event" '^Screening / baseline \(scr\)$' "$out"
expect_match "text: the form with its key" '^Demographics and baseline status \(dm\) +scr/1 dm/1$' "$out"
expect_match "text: its status, time with offset" \
	'^  Status      incomplete, version 1, saved 2026-11-25 16:00:00 \+08:00 by$' "$out"
expect_match "text: ... and who, wrapped" '^              wang\.fang \(Wang Fang\)$' "$out"
expect_match "text: a value with its unit" '^  Weight                      65\.0 kg$' "$out"
expect_match "text: a choice with its label" '^  Sex                         F Female$' "$out"
expect_match "text: not signed" '^  Signature   not signed$' "$out"
expect_match "text: the weight's audit row" \
	"^ +$wseq  2026-11-25 16:00:00 \\+08:00  wang\\.fang \\(Wang Fang\\)\$" "$out"
expect_match "text: old -> new" '^          create weight: \(blank\) -> 65\.0$' "$out"
expect_eq "text: no line wider than 80 columns" "" \
	"$(printf '%s\n' "$out" | while IFS= read -r l; do
		[ "$(printf '%s' "$l" | wc -L)" -gt 80 ] && printf '%s\n' "$l"; done)"
expect_eq "text: the copy is in the audit trail" 1 \
	"$(sql "SELECT count(*) FROM audit WHERE action = 'export' AND new_value = 'print text'
		AND reason = 'standard output' AND subject = 'TJ01-0001'")"
out=$("$CRF_BIN" $C audit verify 2>&1); rc=$?
expect_eq "text: the trail still verifies" 0 "$rc"

# ---- HTML into a file.
out=$("$CRF_BIN" $C print --subject TJ01-0001 --html --out "$T/f.html" 2>&1); rc=$?
expect_eq "html: exit 0" 0 "$rc"
expect_match "html: says where" "^print: the casebook of TJ01-0001 is in $T/f.html \\(HTML\\)" "$out"
expect_eq "html: a document" "<!DOCTYPE html>" "$(head -n 1 "$T/f.html")"
expect_no_match "html: no script" '<script' "$(cat "$T/f.html")"
expect_no_match "html: nothing fetched from elsewhere" '(src|href)=|@import|url\(' "$(cat "$T/f.html")"
expect_match "html: the weight" '<tr><th>Weight</th><td>65\.0 kg</td></tr>' "$(cat "$T/f.html")"
if command -v xmllint >/dev/null 2>&1; then
	expect_eq "html: xmllint --html finds nothing wrong" "" \
		"$(xmllint --html --noout --nonet "$T/f.html" 2>&1)"
	expect_eq "html: well-formed XML as well" "" "$(xmllint --noout --nonet "$T/f.html" 2>&1)"
fi
expect_eq "html: the copy is in the audit trail, with its file" 1 \
	"$(sql "SELECT count(*) FROM audit WHERE action = 'export' AND new_value = 'print html'
		AND reason = '$T/f.html' AND subject = 'TJ01-0001'")"
expect_eq "html: only the copy, no temporary file" "f.html" "$(cd "$T" && ls f.html*)"

# ---- Bad input.
out=$("$CRF_BIN" $C print --subject TJ01-0099 2>&1); rc=$?
expect_eq "unknown subject: exit 1" 1 "$rc"
expect_eq "unknown subject: says so" "crf: there is no subject TJ01-0099" "$out"
out=$("$CRF_BIN" $C print --subject TJ01-0001 --out "$T/no/such/folder/f.txt" 2>&1); rc=$?
expect_eq "missing folder: exit 1" 1 "$rc"
expect_match "missing folder: says so" "^crf: cannot write $T/no/such/folder/f\\.txt: " "$out"
out=$("$CRF_BIN" $C print --subject TJ01-0001 --out "$DB" 2>&1); rc=$?
expect_eq "over the site database: exit 1" 1 "$rc"
expect_match "over the site database: refused" 'is a database: a printed copy never replaces one' "$out"
out=$("$CRF_BIN" $C audit verify 2>&1); rc=$?
expect_eq "over the site database: the database is intact" 0 "$rc"
out=$("$CRF_BIN" $C print 2>&1); rc=$?
expect_eq "without --subject: usage, exit 2" 2 "$rc"
expect_match "without --subject: prints the usage" '^usage: crf print --subject ID' "$out"
out=$("$CRF_BIN" $C print --subject TJ01-0001 --pdf 2>&1); rc=$?
expect_eq "unknown option: usage, exit 2" 2 "$rc"
expect_eq "refused copies are not in the audit trail" 2 \
	"$(sql "SELECT count(*) FROM audit WHERE action = 'export'")"
out=$("$CRF_BIN" --help)
expect_match "--help lists print" 'crf print --subject ID' "$out"
