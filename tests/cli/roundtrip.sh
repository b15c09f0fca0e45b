#!/bin/sh
# Round trips between a site and the coordinating centre: a site's data,
# made the way a site makes them (accounts, headless data entry, a
# correction, a signature), reach a central database by a transfer file and
# by the site's archival ODM export; the centre's export of that site's
# slice (crf export --site) carries the same clinical data as the site's own
# export, byte for byte, and passes xmllint; the slice imported into another
# empty central database exports the same again.  --site is refused where it
# makes no sense.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tui/lib.sh"

SCHEMA="$TOP/schema/odm132/ODM1-3-2.xsd"
C="-c $T/config.ini"
xlint() { xmllint --nonet --noout --schema "$SCHEMA" "$1" >"$T/xmllint.txt" 2>&1; }
# clinical FILE: the ClinicalData element of an ODM file.
clinical() { sed -n '/<ClinicalData /,/<\/ClinicalData>/p' "$1"; }
# unsigned FILE: the ClinicalData without its Signature elements.
unsigned() { clinical "$1" | sed '/<Signature>/,/<\/Signature>/d'; }
# centre NAME: a central database NAME.db with its own config NAME.ini.
centre() {
	sed -e 's/^code = TJ01/code = CENTRE/' -e "s|^path = .*|path = $1.db|" \
		-e 's/^name = .*/name = Coordinating centre/' "$T/config.ini" > "$T/$1.ini"
	"$CRF_BIN" -c "$T/$1.ini" init --central >/dev/null 2>&1
}

# The nurse completes a consent form and starts the demographics with the
# initials; the investigator signs the consent (signed_consent); a second
# subject's consent is completed, then corrected with a reason, and the
# subject is recorded as a screen failure.
if ! signed_consent; then
	not_ok "roundtrip: a subject with initials and a signed consent form"
	exit 1
fi
script dm <<EOF
$NURSE<Enter>$NURSE_PW<Enter>
<C-n>a
<Enter>
<Enter>
Y<Enter>2026-11-21<Enter><Enter>V1.0<Enter>
<C-t>
<C-x>
<Right><Right><Enter>
LMN<Enter>
H456<Enter>
1985-02-03<Enter>
M<Enter>
1<Enter>
2026-11-21<Enter>
175<Enter>
70<Enter>
<C-s>
<Enter>
<C-x>
<C-x>
q
EOF
script fix <<EOF
$NURSE<Enter>$NURSE_PW<Enter>
<Down><Enter>
<Enter>
<Enter><Enter><Enter>
<C-u>V1.1<Enter>
<C-s>
wrong version keyed<Enter>
<C-x>
<C-x>
q
EOF
# The investigator records the second subject as a screen failure.
script fail <<EOF
$INV<Tab>$INV_PW<Enter>
<Down>
<C-e>2
<Enter>
EDSS below the inclusion range<Enter>
r
<C-x><C-x>q
EOF
if [ "$(sql "SELECT status || '|' || status_reason FROM subject WHERE key = 'TJ01-0002'")" != \
    "screen_failure|EDSS below the inclusion range" ]; then
	not_ok "roundtrip: a screen failure"
	sed 's/^/#   /' "$T/out.txt" | tail -30
	exit 1
fi
if [ "$(sql 'SELECT count(*) FROM signature')" != 1 ] || [ "$(sql "SELECT count(*)
    FROM audit WHERE action = 'update' AND field = 'icver' AND new_value = 'V1.1'
    AND reason = 'wrong version keyed'")" != 1 ]; then
	not_ok "roundtrip: two subjects, a signature and a correction"
	sed 's/^/#   /' "$T/out.txt" | tail -30
	exit 1
fi

# ---- What the site sends: its archival export, its snapshot, a transfer.
"$CRF_BIN" $C export --format odm --identifiers --out "$T/site.xml" >/dev/null 2>&1
"$CRF_BIN" $C export --format odm --snapshot --identifiers --out "$T/site-snap.xml" >/dev/null 2>&1
"$CRF_BIN" $C export --transfer --identifiers --out "$T/t1.xml" >/dev/null 2>&1
expect_eq "the site's exports and their checksum files" "site-snap.xml site-snap.xml.b2 site.xml site.xml.b2 t1.xml t1.xml.b2" \
	"$(cd "$T" && ls site*.xml* t1.xml* | tr '\n' ' ' | sed 's/ $//')"
(cd "$T" && b2sum -l 256 -c --quiet site.xml.b2); rc=$?
expect_eq "an export's FILE.b2 checks with b2sum -l 256 -c" 0 "$rc"

# ---- --site where it makes no sense.
out=$("$CRF_BIN" $C export --format odm --site TJ01 2>&1); rc=$?
expect_eq "--site on a site's own database: exit 1" 1 "$rc"
expect_match "--site on a site's own database: says so" "this is site TJ01's own database" "$out"
out=$("$CRF_BIN" $C export --format odm --site 'tj-01!' 2>&1); rc=$?
expect_eq "--site with no site code: usage, exit 2" 2 "$rc"
out=$("$CRF_BIN" $C export --transfer --site TJ01 --out "$T/x.xml" 2>&1); rc=$?
expect_eq "--site with --transfer: usage, exit 2" 2 "$rc"

# ---- Centre A: the transfer; then the slice of TJ01.
centre ca
out=$("$CRF_BIN" -c "$T/ca.ini" export --format odm --site TJ01 2>&1); rc=$?
expect_eq "--site of a site the centre has nothing of: exit 1" 1 "$rc"
expect_match "--site of a site the centre has nothing of: says so" "the centre has nothing of site TJ01" "$out"
"$CRF_BIN" -c "$T/ca.ini" import "$T/t1.xml" >"$T/imp.txt" 2>&1 || sed 's/^/#   /' "$T/imp.txt"
out=$("$CRF_BIN" -c "$T/ca.ini" export --format odm --site TJ01 --identifiers --out "$T/ca.xml" 2>&1); rc=$?
expect_eq "slice, transactional: exit 0" 0 "$rc"
expect_match "slice, transactional: says whose it is" \
	"^crf: $T/ca.xml: ODM 1\.3\.2 transactional of site TJ01, 2 subjects, [0-9]+ form instances, [0-9]+ values, 1 signature; valid" "$out"
xlint "$T/ca.xml"; rc=$?
expect_eq "slice, transactional: xmllint --nonet --schema: exit 0" 0 "$rc"
[ "$rc" = 0 ] || sed 's/^/#   /' "$T/xmllint.txt" | head
expect_eq "slice, transactional: the site's clinical data with its audit records, byte for byte" \
	"$(clinical "$T/site.xml")" "$(clinical "$T/ca.xml")"
ca=$(cat "$T/ca.xml")
expect_match "slice: the FileOID names the centre and the site" \
	'FileOID="crf/NCT06228781/CENTRE/TJ01/transactional/20261125T080000Z"' "$ca"
expect_match "slice: the site as the Location, with its name" \
	'<Location OID="LOC.TJ01" Name="Tianjin Medical University General Hospital" LocationType="Site">' "$ca"
expect_match "slice: the signer with the printed name the site gave" '<FullName>Zhang Wei</FullName>' "$ca"
expect_match "slice: the correction's reason, from the site's record" \
	'<ReasonForChange>wrong version keyed</ReasonForChange>' "$ca"
out=$("$CRF_BIN" -c "$T/ca.ini" export --format odm --snapshot --site TJ01 --identifiers --out "$T/ca-snap.xml" 2>&1); rc=$?
expect_eq "slice, snapshot: exit 0" 0 "$rc"
xlint "$T/ca-snap.xml"; rc=$?
expect_eq "slice, snapshot: xmllint: exit 0" 0 "$rc"
expect_match "the site's snapshot has the signature in force" '<SignatureRef SignatureOID="SD.FORM"/>' "$(cat "$T/site-snap.xml")"
expect_eq "slice, snapshot: the site's current values and statuses, byte for byte" \
	"$(unsigned "$T/site-snap.xml")" "$(unsigned "$T/ca-snap.xml")"
expect_match "the slice export is in the centre's audit trail" "odm transactional, site TJ01, with identifiers" \
	"$(sqlite3 "$T/ca.db" "SELECT new_value FROM audit WHERE action = 'export'")"

"$CRF_BIN" $C export --format csv --identifiers --out "$T/csv-site" >/dev/null 2>&1
"$CRF_BIN" -c "$T/ca.ini" export --format csv --identifiers --site TJ01 --out "$T/csv-ca" >/dev/null 2>&1
expect_eq "CSV: the site's files and the centre's slice are the same" "" \
	"$(diff -r "$T/csv-site" "$T/csv-ca" 2>&1)"
expect_eq "CSV: and not empty" 2 "$(grep -c '^TJ01-000' "$T/csv-ca/ic.csv")"

# ---- Centre B: the site's archival export instead of its transfers.
centre cb
out=$("$CRF_BIN" -c "$T/cb.ini" import "$T/site.xml" 2>&1); rc=$?
expect_eq "an archival export into an empty centre: exit 0" 0 "$rc"
expect_match "an archival export into an empty centre: says so" "imported crf/NCT06228781/TJ01/transactional/20261125T080000Z from site TJ01: 2 subjects" "$out"
"$CRF_BIN" -c "$T/cb.ini" export --format odm --site TJ01 --identifiers --out "$T/cb.xml" >/dev/null 2>&1
expect_eq "export, import, export again: the same clinical data" \
	"$(clinical "$T/site.xml")" "$(clinical "$T/cb.xml")"
out=$("$CRF_BIN" -c "$T/cb.ini" import "$T/t1.xml" 2>&1); rc=$?
expect_eq "the site's first transfer after its archival file: exit 1" 1 "$rc"
expect_match "the site's first transfer after its archival file: named" "site TJ01's first transfer, but crf/NCT06228781/TJ01/transactional/20261125T080000Z from the site was imported already" "$out"

# ---- Centre C: the slice that centre A exported.
centre cc
out=$("$CRF_BIN" -c "$T/cc.ini" import "$T/ca.xml" 2>&1); rc=$?
expect_eq "a centre's slice into another centre: exit 0" 0 "$rc"
"$CRF_BIN" -c "$T/cc.ini" export --format odm --site TJ01 --identifiers --out "$T/cc.xml" >/dev/null 2>&1
expect_eq "centre to centre: the same clinical data again" \
	"$(clinical "$T/ca.xml")" "$(clinical "$T/cc.xml")"
vals() {
	sqlite3 "$1" "SELECT s.key, f.event, f.form, f.form_repeat, i.field, coalesce(i.value, ''),
	    coalesce(i.missing, ''), f.status FROM item i JOIN form_instance f ON f.id = i.instance_id
	    JOIN subject s ON s.id = f.subject_id ORDER BY 1, 2, 3, 4, 5"
}
subjects() { sqlite3 "$1" "SELECT key, status, coalesce(status_date, ''), coalesce(status_reason, ''),
    coalesce(study_no, '') FROM subject ORDER BY key"; }
expect_eq "every centre holds the site's subjects with their states and reasons" \
	"$(subjects "$DB")|$(subjects "$DB")|$(subjects "$DB")" \
	"$(subjects "$T/ca.db")|$(subjects "$T/cb.db")|$(subjects "$T/cc.db")"
expect_match "the slice carries the screen failure as crf's subject record" \
	'<ItemDataString ItemOID="IT.CRF.SUBJECT.STATUS" TransactionType="Insert">screen_failure</ItemDataString>' "$ca"
expect_eq "every centre holds the site's values and statuses" \
	"$(vals "$DB")|$(vals "$DB")|$(vals "$DB")" "$(vals "$T/ca.db")|$(vals "$T/cb.db")|$(vals "$T/cc.db")"
for c in ca cb cc; do
	"$CRF_BIN" -c "$T/$c.ini" audit verify >/dev/null 2>&1; rc=$?
	expect_eq "centre $c: the audit trail verifies" 0 "$rc"
done
