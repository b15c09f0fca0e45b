#!/bin/sh
# Printing a casebook from the screen: a data manager prints it as HTML and
# as text into "printouts" beside the database; the copy is audited; a
# research nurse, who may not export, is refused and nothing is written.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"

DMGR=zhao.min
DMGR_PW=Manager-Pass-33
if ! setup_site || ! add_account "$NURSE" data-entry "$NURSE_NAME" "$NURSE_PW" ||
    ! add_account "$DMGR" data-manager "Zhao Min" "$DMGR_PW"; then
	not_ok "print: a site with a nurse and a data manager"
	exit 1
fi
OUT="$T/data/printouts"

# The nurse keys the informed consent, then cannot print.
script nurse <<EOF
$NURSE<Tab>$NURSE_PW<Enter>
<C-n>a
<Enter><Enter>
Y<Enter>2026-11-20<Enter><Enter>V1.0<Enter>
<C-t>
<C-x>
:dump $T/n-book.txt
<C-p>
:dump $T/n-print.txt
<C-x><C-x>q
EOF
expect_eq "nurse: exit 0" 0 "$rc"
screen_no_match "nurse: no Print on the casebook's key bar" '\^P Print' "$T/n-book.txt"
screen_match "nurse: ^P refused with the reason" 'cannot export data' "$T/n-print.txt"
expect_eq "nurse: nothing printed" "" "$(ls "$OUT" 2>/dev/null)"

# The data manager prints HTML, then text.
script dm <<EOF
$DMGR<Tab>$DMGR_PW<Enter>
<Enter>
:dump $T/d-book.txt
<C-p>
:dump $T/d-ask.txt
h
:dump $T/d-html.txt
<F8>
t
:dump $T/d-text.txt
<C-x>q
EOF
expect_eq "data manager: exit 0" 0 "$rc"
screen_match "data manager: Print on the key bar" '\^P Print' "$T/d-book.txt"
screen_match "data manager: asks text or HTML" 'Print the casebook of TJ01-0001 as' "$T/d-ask.txt"
# The message names the file (cut at the screen's edge).
screen_match "data manager: says where the HTML went" "^Printed to $OUT/casebook-TJ01-0001-" "$T/d-html.txt"
screen_match "data manager: F8 prints the text" "^Printed to $OUT/casebook-TJ01-0001-" "$T/d-text.txt"
html="$OUT/casebook-TJ01-0001-20261125T080000Z.html"
txt="$OUT/casebook-TJ01-0001-20261125T080000Z.txt"
expect_match "html: the subject's casebook" 'TJ01-0001' "$(cat "$html" 2>/dev/null)"
expect_match "html: the consent's value" 'V1\.0' "$(cat "$html" 2>/dev/null)"
expect_match "text: the informed consent form" 'Informed consent' "$(cat "$txt" 2>/dev/null)"
expect_eq "audit: both copies recorded" "print html|print text" \
	"$(sql "SELECT group_concat(new_value, '|') FROM (SELECT new_value FROM audit
	    WHERE action = 'export' AND user = '$DMGR' AND subject = 'TJ01-0001' ORDER BY seq)")"
