#!/bin/sh
# crf export --format odm and crf export --check: a site made the way a site
# makes one (crf init, crf user add, headless data entry and a signature on
# screen), exported as Transactional and Snapshot ODM 1.3.2; every file
# passes xmllint against the vendored schema, offline, and crf's own checks;
# each export is in the audit trail; identifiers stay out unless asked for;
# the broken samples in tests/fixtures/odm fail xmllint and/or crf's check.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tui/lib.sh"

SCHEMA="$TOP/schema/odm132/ODM1-3-2.xsd"
SAMPLES="$TOP/tests/fixtures/odm"
C="-c $T/config.ini"
xlint() { xmllint --nonet --noout --schema "$SCHEMA" "$1" >"$T/xmllint.txt" 2>&1; }

# The nurse completes the informed consent and starts the demographics
# with the patient's initials; the investigator signs the consent form.
if ! signed_consent; then
	not_ok "export: a subject with initials and a signed consent form"
	exit 1
fi

# libxml2 (with ICU and libstdc++) is loaded only when XML is read or
# written, never by the full-screen program (docs/benchmarks.md).  (The
# sanitizers' runtime brings libstdc++ of its own, so it is not asked.)
expect_eq "crf does not link libxml2: it loads it for export, check and import" "" \
	"$(ldd "$CRF_BIN" | grep -e libxml2 -e libicu)"

# ---- The default: Transactional, Archival.
out=$("$CRF_BIN" $C export --format odm --out "$T/full.xml" 2>&1); rc=$?
expect_eq "transactional: exit 0" 0 "$rc"
expect_match "transactional: says what it wrote and that it passed the checks" \
	"^crf: $T/full.xml: ODM 1\.3\.2 transactional, 1 subject, 2 form instances, [0-9]+ values, 1 signature; valid against the schema and crf's checks\$" "$out"
expect_match "transactional: says an identifying value was left out" \
	'^crf: 1 identifying value left out \(--identifiers includes them\)$' "$out"
xlint "$T/full.xml"; rc=$?
expect_eq "transactional: xmllint --nonet --schema ODM1-3-2.xsd: exit 0" 0 "$rc"
[ "$rc" = 0 ] || sed 's/^/#   /' "$T/xmllint.txt" | head -20
full=$(cat "$T/full.xml")
expect_match "transactional: the root" \
	'FileType="Transactional" Granularity="SingleSite" Archival="Yes" FileOID="crf/NCT06228781/TJ01/transactional/20261125T080000Z" CreationDateTime="2026-11-25T16:00:00\+08:00"' "$full"
expect_match "transactional: the subject inserted, with its audit record" \
	'<SubjectData SubjectKey="TJ01-0001" TransactionType="Insert">' "$full"
expect_match "transactional: audit records name the account, the site, local time and offset" \
	'<UserRef UserOID="USR.wang.fang"/>' "$full"
expect_match "transactional: the consent date, typed" \
	'<ItemDataDate ItemOID="IT.IC.ICDAT" TransactionType="Insert">2026-11-20</ItemDataDate>' "$full"
expect_match "transactional: the signature, by the investigator, with its meaning" \
	'<SignatureRef SignatureOID="SD.FORM"/>' "$full"
expect_match "transactional: the signer is a User with a full name" '<FullName>Zhang Wei</FullName>' "$full"
expect_no_match "transactional: no Upsert" 'Upsert' "$full"
expect_no_match "transactional: the initials are left out" '>ZXM<' "$full"
expect_match "transactional: the initials' ItemDef is still there" '<ItemDef OID="IT.DM.INITIALS"' "$full"
expect_eq "transactional: the export is in the audit trail" "odm transactional|$T/full.xml|" \
	"$(sql "SELECT new_value, reason, subject FROM audit WHERE action = 'export'")"

# ---- Snapshot.
out=$("$CRF_BIN" $C export --format odm --snapshot --out "$T/snap.xml" 2>&1); rc=$?
expect_eq "snapshot: exit 0" 0 "$rc"
xlint "$T/snap.xml"; rc=$?
expect_eq "snapshot: xmllint --nonet --schema ODM1-3-2.xsd: exit 0" 0 "$rc"
snap=$(cat "$T/snap.xml")
expect_match "snapshot: FileType Snapshot" 'FileType="Snapshot"' "$snap"
expect_no_match "snapshot: no audit record, no transaction type" 'AuditRecord|TransactionType' "$snap"
expect_match "snapshot: the signature in force, at the form it covers" '<SignatureRef SignatureOID="SD.FORM"/>' "$snap"
expect_no_match "snapshot: the initials are left out" '>ZXM<' "$snap"
expect_eq "snapshot: audited" "odm snapshot|$T/snap.xml" \
	"$(sql "SELECT new_value, reason FROM audit WHERE action = 'export' ORDER BY seq DESC LIMIT 1")"

# ---- Standard output; the same database and clock give the same file.
"$CRF_BIN" $C export --format odm --snapshot >"$T/stdout.xml" 2>"$T/err.txt"; rc=$?
expect_eq "stdout: exit 0" 0 "$rc"
if cmp -s "$T/snap.xml" "$T/stdout.xml"; then ok "stdout: the same bytes as the file"; else
	not_ok "stdout: the same bytes as the file"; fi
expect_eq "stdout: audited as stdout" "odm snapshot|stdout" \
	"$(sql "SELECT new_value, reason FROM audit WHERE action = 'export' ORDER BY seq DESC LIMIT 1")"

# ---- Identifiers only when asked for, and the audit row says so.  (Run
# without USER and LOGNAME, as from cron: the audit row still names the
# operating-system account.)
env -u USER -u LOGNAME "$CRF_BIN" $C export --format odm --snapshot --identifiers \
	--out "$T/ident.xml" 2>/dev/null; rc=$?
expect_eq "--identifiers: exit 0" 0 "$rc"
expect_match "--identifiers: the initials are in" \
	'<ItemDataString ItemOID="IT.DM.INITIALS">ZXM</ItemDataString>' "$(cat "$T/ident.xml")"
expect_eq "--identifiers: audited as such" "odm snapshot, with identifiers" \
	"$(sql "SELECT new_value FROM audit WHERE action = 'export' ORDER BY seq DESC LIMIT 1")"
expect_eq "without USER: the account from the password database" "$(id -un)" \
	"$(sql "SELECT user FROM audit WHERE action = 'export' ORDER BY seq DESC LIMIT 1")"
exports=$(sql "SELECT count(*) FROM audit WHERE action = 'export'")
expect_eq "four exports, four audit rows" 4 "$exports"

# ---- Refusals.
out=$("$CRF_BIN" $C export --format odm --out "$T/full.xml" 2>&1); rc=$?
expect_eq "an existing file: exit 1" 1 "$rc"
expect_match "an existing file: never replaced" 'exists already' "$out"
expect_eq "an existing file: nothing audited" "$exports" \
	"$(sql "SELECT count(*) FROM audit WHERE action = 'export'")"
out=$("$CRF_BIN" $C export --format odm --out "$T/no/such/dir/x.xml" 2>&1); rc=$?
expect_eq "a folder that is not there: exit 1" 1 "$rc"
out=$(CRF_ODM_SCHEMA="$T/none.xsd" "$CRF_BIN" $C export --format odm --out "$T/x.xml" 2>&1); rc=$?
expect_eq "no schema: exit 1" 1 "$rc"
expect_match "no schema: says so" 'ODM schema .* is not found' "$out"
[ ! -e "$T/x.xml" ] && ok "no schema: no file" || not_ok "no schema: no file"
out=$("$CRF_BIN" $C export --format odm --snapshot --snapshot 2>&1); rc=$?
expect_eq "an option twice: usage, exit 2" 2 "$rc"
out=$("$CRF_BIN" $C export --format xml 2>&1); rc=$?
expect_eq "an unknown format: usage, exit 2" 2 "$rc"
expect_match "usage names the ODM export" '^usage: crf export --format odm \[--snapshot\] \[--identifiers\] \[--site CODE\]' "$out"
out=$("$CRF_BIN" --help)
expect_match "--help lists crf export" 'crf export --format odm' "$out"
expect_match "--help lists crf export --check" 'crf export --check FILE' "$out"

# ---- A relative --out: the audit trail names the file wherever it was run.
(cd "$T" && "$CRF_BIN" -c "$T/config.ini" export --format odm --snapshot --out rel.xml 2>/dev/null); rc=$?
expect_eq "relative --out: exit 0" 0 "$rc"
expect_eq "relative --out: the audit row has the absolute path" "$(cd "$T" && pwd -P)/rel.xml" \
	"$(sql "SELECT reason FROM audit WHERE action = 'export' ORDER BY seq DESC LIMIT 1")"

# ---- crf export --check: crf's own files pass.
out=$("$CRF_BIN" export --check "$T/full.xml" 2>&1); rc=$?
expect_eq "check the transactional file: exit 0" 0 "$rc"
expect_eq "check the transactional file: says it is valid" \
	"$T/full.xml: valid ODM 1.3.2: passes the schema and crf's checks ODM-02 to ODM-08" "$out"
out=$("$CRF_BIN" export --check "$T/nothing.xml" 2>&1); rc=$?
expect_eq "check a missing file: exit 1" 1 "$rc"
expect_match "check a missing file: says so" "cannot read $T/nothing.xml" "$out"

# ---- The samples: good.xml passes both; each broken one fails xmllint
# (exit 3, or 1 when it is not XML at all) and/or crf's check (exit 1),
# naming the rule and the line.
xlint "$SAMPLES/good.xml"; rc=$?
expect_eq "sample good.xml: xmllint exit 0" 0 "$rc"
out=$("$CRF_BIN" export --check "$SAMPLES/good.xml" 2>&1); rc=$?
expect_eq "sample good.xml: crf check exit 0" 0 "$rc"
# name, xmllint's exit, crf's message
while IFS='|' read -r name xrc msg; do
	[ -n "$name" ] || continue
	xlint "$SAMPLES/$name"; rc=$?
	expect_eq "sample $name: xmllint exit $xrc" "$xrc" "$rc"
	out=$("$CRF_BIN" export --check "$SAMPLES/$name" 2>&1); rc=$?
	expect_eq "sample $name: crf check exit 1" 1 "$rc"
	expect_match "sample $name: crf names the problem" "^$SAMPLES/$name:[0-9]+: $msg" "$out"
done <<EOF
xsd-bad-integer.xml|3|XSD: Element 'ItemDataInteger': 'seventy-two' is not a valid value
xsd-bad-order.xml|3|XSD: Element 'AuditRecord': This element is not expected
xsd-bad-datetime.xml|3|XSD: Element 'DateTimeStamp': '2026-11-25T09:00\+08:00' is not a valid value
xml-truncated.xml|1|XML: Premature end of data
semantic-unresolved-oid.xml|0|ODM-05: ItemDataString ItemOID="IT.VS.POSITION": no ItemDef
semantic-unknown-user.xml|0|ODM-05: UserRef UserOID="USR.ghost" of AuditRecord: no User
semantic-snapshot-update.xml|0|ODM-04: ItemDataInteger TransactionType="Update" in a Snapshot file
semantic-repeat-key.xml|0|ODM-06: FormData has FormRepeatKey="1" but FormDef "F.VS" is not repeating
semantic-audit-order.xml|0|ODM-06: AuditRecord of X01-0001\|SE.V1\|F.VS\|IG.VS\|IT.VS.PULSE is dated 2026-11-25T08:30:00\+08:00, earlier
semantic-untyped.xml|0|ODM-07: untyped ItemData ItemOID="IT.VS.PULSE"
semantic-hard-range.xml|0|ODM-08: ItemDataInteger 300 of IT.VS.PULSE fails its Hard RangeCheck
EOF

# Every file crf wrote leaves the trail intact.
out=$("$CRF_BIN" $C audit verify 2>&1); rc=$?
expect_eq "audit verify after the exports: exit 0" 0 "$rc"
