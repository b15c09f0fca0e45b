#!/bin/sh
# crf export --transfer: a site's changes since its last transfer, for the
# coordinating centre, as a Transactional ODM file chained by PriorFileOID
# with a BLAKE2b-256 checksum file beside it; each transfer recorded in
# transfer_out and in the audit trail; nothing new, nothing written.
. "$(dirname "$0")/../lib.sh"

make_config
C="-c $T/config.ini"
DB="$T/site.db"
SCHEMA="$TOP/schema/odm132/ODM1-3-2.xsd"
sql() { sqlite3 "$DB" "$1"; }
xlint() { xmllint --nonet --noout --schema "$SCHEMA" "$1" >"$T/xmllint.txt" 2>&1; }

"$CRF_BIN" $C init >/dev/null 2>&1
add_nurse


# ---- Nothing to transfer on a new site.
out=$("$CRF_BIN" $C export --transfer --out "$T/t0.xml" 2>&1); rc=$?
expect_eq "empty site: exit 0" 0 "$rc"
expect_eq "empty site: says so" "crf: no changes to transfer yet; nothing written" "$out"
expect_eq "empty site: no file" "no" "$([ -e "$T/t0.xml" ] || [ -e "$T/t0.xml.b2" ] && echo yes || echo no)"

enter_demographics "$T/config.ini" 65
if [ "$(sql "SELECT count(*) FROM item WHERE field = 'weight' AND value = '65.0'")" != 1 ]; then
	not_ok "transfer: a subject with a saved weight"
	sed 's/^/#   /' "$T/ui.txt"
	exit 1
fi

# ---- Usage.
out=$("$CRF_BIN" $C export --transfer 2>&1); rc=$?
expect_eq "--transfer without --out: usage, exit 2" 2 "$rc"
out=$("$CRF_BIN" $C export --transfer --snapshot --out "$T/x.xml" 2>&1); rc=$?
expect_eq "--transfer --snapshot: usage, exit 2" 2 "$rc"

# ---- The first transfer.
last=$(sql "SELECT max(seq) FROM audit")
out=$("$CRF_BIN" $C export --transfer --out "$T/t1.xml" 2>&1); rc=$?
expect_eq "first transfer: exit 0" 0 "$rc"
oid1=$(sql "SELECT file_oid FROM transfer_out")
expect_match "first transfer: its FileOID" \
	'^crf/NCT06228781/TJ01/transfer/1/[0-9]{8}T[0-9]{6}Z$' "$oid1"
expect_match "first transfer: says what it wrote" \
	"^crf: $T/t1.xml: transfer $oid1, audit rows 1 to [0-9]+, [0-9]+ changes; valid against the schema and crf's checks\$" "$out"
expect_match "first transfer: the first of the site" "^crf: the site's first transfer \(no PriorFileOID\)\$" "$out"
xlint "$T/t1.xml"; rc=$?
expect_eq "first transfer: xmllint --nonet --schema: exit 0" 0 "$rc"
t1=$(cat "$T/t1.xml")
expect_match "first transfer: Transactional, not Archival" \
	"FileType=\"Transactional\" Granularity=\"SingleSite\" FileOID=\"$oid1\"" "$t1"
expect_no_match "first transfer: no Archival" 'Archival=' "$t1"
expect_no_match "first transfer: no PriorFileOID" 'PriorFileOID=' "$t1"
expect_match "first transfer: the subject inserted" \
	'<SubjectData SubjectKey="TJ01-0001" TransactionType="Insert">' "$t1"
expect_match "first transfer: the weight" '>65.0<' "$t1"
sum=$(b2sum -l 256 "$T/t1.xml" | cut -d' ' -f1)
expect_eq "first transfer: FILE.b2 in sha256sum's format" "$sum  t1.xml" "$(cat "$T/t1.xml.b2")"
(cd "$T" && b2sum -l 256 -c t1.xml.b2 >/dev/null 2>&1); rc=$?
expect_eq "first transfer: b2sum -l 256 -c FILE.b2: exit 0" 0 "$rc"
expect_eq "first transfer: recorded" "|1|$sum" \
	"$(sql "SELECT prior_file_oid, first_seq, checksum FROM transfer_out")"
t1last=$(sql "SELECT last_seq FROM transfer_out")
expect_eq "first transfer: up to the last data row" "yes" \
	"$([ "$t1last" -ge 1 ] && [ "$t1last" -le "$last" ] && echo yes || echo no)"
expect_eq "first transfer: in the audit trail" "odm transfer|$T/t1.xml" \
	"$(sql "SELECT new_value, reason FROM audit WHERE action = 'export'")"
out=$("$CRF_BIN" $C export --check "$T/t1.xml" 2>&1); rc=$?
expect_eq "first transfer: crf export --check: exit 0" 0 "$rc"

# ---- Nothing new since: nothing written.
out=$("$CRF_BIN" $C export --transfer --out "$T/t2.xml" 2>&1); rc=$?
expect_eq "no changes: exit 0" 0 "$rc"
expect_eq "no changes: says so" \
	"crf: no changes since the last transfer ($oid1, audit rows up to $t1last); nothing written" "$out"
expect_eq "no changes: no file" "no" "$([ -e "$T/t2.xml" ] || [ -e "$T/t2.xml.b2" ] && echo yes || echo no)"
expect_eq "no changes: not recorded" 1 "$(sql "SELECT count(*) FROM transfer_out")"

# ---- A second subject: the next transfer carries only it, after the first.
enter_demographics "$T/config.ini" 72
out=$("$CRF_BIN" $C export --transfer --out "$T/t2.xml" 2>&1); rc=$?
expect_eq "second transfer: exit 0" 0 "$rc"
oid2=$(sql "SELECT file_oid FROM transfer_out WHERE prior_file_oid IS NOT NULL")
expect_match "second transfer: its FileOID starts after the first" \
	"^crf/NCT06228781/TJ01/transfer/$((t1last + 1))/" "$oid2"
expect_match "second transfer: follows the first" "^crf: it follows $oid1 \(PriorFileOID\)\$" "$out"
xlint "$T/t2.xml"; rc=$?
expect_eq "second transfer: xmllint --nonet --schema: exit 0" 0 "$rc"
t2=$(cat "$T/t2.xml")
expect_match "second transfer: PriorFileOID" "FileOID=\"$oid2\" CreationDateTime=\"[^\"]+\" PriorFileOID=\"$oid1\"" "$t2"
expect_match "second transfer: the new subject inserted" \
	'<SubjectData SubjectKey="TJ01-0002" TransactionType="Insert">' "$t2"
expect_no_match "second transfer: nothing of the first subject" 'SubjectKey="TJ01-0001"' "$t2"
expect_match "second transfer: the new weight" '>72.0<' "$t2"
expect_no_match "second transfer: not the old one" '>65.0<' "$t2"
expect_eq "second transfer: the rows follow on" "$((t1last + 1))" \
	"$(sql "SELECT first_seq FROM transfer_out WHERE file_oid = '$oid2'")"
(cd "$T" && b2sum -l 256 -c t2.xml.b2 >/dev/null 2>&1); rc=$?
expect_eq "second transfer: its checksum checks" 0 "$rc"
out=$("$CRF_BIN" $C export --check "$T/t2.xml" 2>&1); rc=$?
expect_eq "second transfer: crf export --check: exit 0" 0 "$rc"

# ---- Never over an earlier file; the record is append-only.
out=$("$CRF_BIN" $C export --transfer --out "$T/t1.xml" 2>&1); rc=$?
expect_eq "an existing file: exit 1" 1 "$rc"
expect_match "an existing file: says so" "^crf: $T/t1.xml exists already" "$out"
out=$(sql "DELETE FROM transfer_out" 2>&1)
expect_match "transfer_out: rows cannot be deleted" 'transfers are append-only' "$out"
out=$("$CRF_BIN" $C audit verify 2>&1); rc=$?
expect_eq "the audit trail still verifies" 0 "$rc"
