#!/bin/sh
# crf init --central and crf import: two sites' transfer files, made the way
# sites make them (crf init, crf user add, headless data entry, crf export
# --transfer), merged into one central database with nothing lost or
# duplicated; the same file twice changes nothing; out of order, a damaged,
# a truncated, a hand-edited and another study's file are refused and the
# central database is unchanged; a value changed at the centre is kept and
# the site's change listed as a conflict.
. "$(dirname "$0")/../lib.sh"

make_config
# make_site CODE DB: a config for another database.
make_site() {
	sed -e "s/^code = TJ01/code = $1/" -e "s/^path = site.db/path = $2/" \
		"$T/config.ini" > "$T/$1.ini"
}
make_site BJ02 bj02.db
make_site CENTRE central.db
TJ="-c $T/config.ini"
BJ="-c $T/BJ02.ini"
CEN="-c $T/CENTRE.ini"
sqlc() { sqlite3 "$T/central.db" "$1"; }

for c in config BJ02; do
	"$CRF_BIN" -c "$T/$c.ini" init >/dev/null 2>&1
	add_nurse "$T/$c.ini"
done

# values DB SITE: every value of the site's subjects, one line each.
values() {
	sqlite3 "$1" "SELECT s.key, f.event, f.event_repeat, f.form, f.form_repeat, i.field,
	    coalesce(i.value, ''), coalesce(i.missing, ''), f.status
	    FROM item i JOIN form_instance f ON f.id = i.instance_id
	    JOIN subject s ON s.id = f.subject_id WHERE s.key LIKE '$2-%'
	    ORDER BY 1, 2, 3, 4, 5, 6"
}
state() {
	sqlc "SELECT count(*) FROM subject; SELECT count(*) FROM item; SELECT count(*) FROM audit;
	    SELECT count(*) FROM site_audit; SELECT count(*) FROM transfer_in"
}

enter_demographics "$T/config.ini" 65
"$CRF_BIN" $TJ export --transfer --identifiers --out "$T/tj1.xml" >/dev/null 2>&1
enter_demographics "$T/config.ini" 72
"$CRF_BIN" $TJ export --transfer --identifiers --out "$T/tj2.xml" >/dev/null 2>&1
enter_demographics "$T/BJ02.ini" 80
"$CRF_BIN" $BJ export --transfer --identifiers --out "$T/bj1.xml" >/dev/null 2>&1
if [ ! -f "$T/tj2.xml.b2" ] || [ ! -f "$T/bj1.xml.b2" ]; then
	not_ok "import: transfer files of two sites"
	sed 's/^/#   /' "$T/ui.txt"
	exit 1
fi

# ---- Central mode.
out=$("$CRF_BIN" $CEN init --central 2>&1); rc=$?
expect_eq "init --central: exit 0" 0 "$rc"
expect_match "init --central: says so" "^created $T/central.db, the central database of CENTRE" "$out"
expect_eq "init --central: the site row's mode" central "$(sqlc 'SELECT mode FROM site')"
out=$("$CRF_BIN" $TJ import "$T/bj1.xml" 2>&1); rc=$?
expect_eq "import into a site database: exit 1" 1 "$rc"
expect_match "import into a site database: says so" 'this is a site database' "$out"

# ---- Out of order: the second file first.
before=$(state)
out=$("$CRF_BIN" $CEN import "$T/tj2.xml" 2>&1); rc=$?
expect_eq "out of order: exit 1" 1 "$rc"
oid1=$(sqlite3 "$T/site.db" "SELECT file_oid FROM transfer_out WHERE prior_file_oid IS NULL")
expect_match "out of order: names the missing file" "follows $oid1, which has not been imported" "$out"
expect_eq "out of order: nothing changed" "$before" "$(state)"

# ---- A damaged file: the checksum.
cp "$T/tj1.xml" "$T/bad.xml"; cp "$T/tj1.xml.b2" "$T/bad.xml.b2"
sed -i 's/>65.0</>66.0</' "$T/bad.xml"
out=$("$CRF_BIN" $CEN import "$T/bad.xml" 2>&1); rc=$?
expect_eq "changed on the way: exit 1" 1 "$rc"
expect_match "changed on the way: the checksum says so" "bad.xml does not match its checksum" "$out"
rm -f "$T/bad.xml.b2"
out=$("$CRF_BIN" $CEN import "$T/bad.xml" 2>&1); rc=$?
expect_eq "no checksum file: exit 1" 1 "$rc"
expect_match "no checksum file: says so" "bad.xml.b2 is missing" "$out"

# ---- Truncated (with a checksum made for it): not XML.
head -c 3000 "$T/tj1.xml" > "$T/trunc.xml"
(cd "$T" && b2sum -l 256 trunc.xml > trunc.xml.b2)
out=$("$CRF_BIN" $CEN import "$T/trunc.xml" 2>&1); rc=$?
expect_eq "truncated: exit 1" 1 "$rc"
expect_match "truncated: the XML problem, nothing imported" "nothing imported" "$out"
expect_eq "truncated: nothing changed" "$before" "$(state)"

# ---- A hand-edited weight outside its hard range.
sed 's/>65.0</>999.0</' "$T/tj1.xml" > "$T/range.xml"
(cd "$T" && b2sum -l 256 range.xml > range.xml.b2)
out=$("$CRF_BIN" $CEN import "$T/range.xml" 2>&1); rc=$?
expect_eq "outside the hard range: exit 1" 1 "$rc"
expect_match "outside the hard range: named" "IT.DM.WEIGHT" "$out"
expect_eq "outside the hard range: nothing changed" "$before" "$(state)"

# ---- Another study.
sed 's/StudyOID="NCT06228781"/StudyOID="NCT00000001"/g; s/Study OID="NCT06228781"/Study OID="NCT00000001"/' \
	"$T/tj1.xml" > "$T/study.xml"
(cd "$T" && b2sum -l 256 study.xml > study.xml.b2)
out=$("$CRF_BIN" $CEN import "$T/study.xml" 2>&1); rc=$?
expect_eq "another study: exit 1" 1 "$rc"
expect_match "another study: named" "NCT00000001" "$out"
expect_eq "another study: nothing changed" "$before" "$(state)"

# ---- Another metadata version, an unknown OID.
sed 's/MetaDataVersion OID="MDV.1"/MetaDataVersion OID="MDV.7"/; s/MetaDataVersionOID="MDV.1"/MetaDataVersionOID="MDV.7"/g' \
	"$T/tj1.xml" > "$T/mdv.xml"
(cd "$T" && b2sum -l 256 mdv.xml > mdv.xml.b2)
out=$("$CRF_BIN" $CEN import "$T/mdv.xml" 2>&1); rc=$?
expect_eq "another metadata version: exit 1" 1 "$rc"
expect_match "another metadata version: named" "metadata version MDV.7, this centre's forms are MDV.1" "$out"
sed 's/ItemOID="IT.DM.WEIGHT"/ItemOID="IT.DM.MASS"/' "$T/tj1.xml" > "$T/oid.xml"
(cd "$T" && b2sum -l 256 oid.xml > oid.xml.b2)
out=$("$CRF_BIN" $CEN import "$T/oid.xml" 2>&1); rc=$?
expect_eq "an unknown OID: exit 1" 1 "$rc"
expect_match "an unknown OID: named" "IT.DM.MASS" "$out"
expect_eq "refused files: nothing changed" "$before" "$(state)"

# ---- In order, both sites.
out=$("$CRF_BIN" $CEN import "$T/tj1.xml" 2>&1); rc=$?
expect_eq "TJ01 first file: exit 0" 0 "$rc"
expect_match "TJ01 first file: says what it did" \
	"^$T/tj1.xml: imported $oid1 from site TJ01: 1 subject, [0-9]+ form instances?, [0-9]+ values" "$out"
out=$("$CRF_BIN" $CEN import "$T/bj1.xml" 2>&1); rc=$?
expect_eq "BJ02 first file: exit 0" 0 "$rc"
out=$("$CRF_BIN" $CEN import "$T/tj2.xml" 2>&1); rc=$?
expect_eq "TJ01 second file: exit 0" 0 "$rc"
expect_eq "TJ01: the same values at the centre as at the site" \
	"$(values "$T/site.db" TJ01)" "$(values "$T/central.db" TJ01)"
expect_eq "BJ02: the same values at the centre as at the site" \
	"$(values "$T/bj02.db" BJ02)" "$(values "$T/central.db" BJ02)"
expect_eq "three subjects, none twice" "BJ02-0001 TJ01-0001 TJ01-0002" \
	"$(sqlc "SELECT group_concat(key, ' ') FROM (SELECT key FROM subject ORDER BY key)")"
expect_eq "the sites' audit records kept with their users" "wang.fang" \
	"$(sqlc "SELECT group_concat(DISTINCT user) FROM site_audit")"
expect_eq "the site's item records, one per site audit row" \
	"$(sqlite3 "$T/site.db" "SELECT count(*) FROM audit WHERE action IN ('create', 'update', 'clear')")" \
	"$(sqlc "SELECT count(*) FROM site_audit WHERE site_code = 'TJ01' AND action IN ('Insert', 'Update', 'Remove')")"
expect_eq "the imports in the centre's audit trail" 3 "$(sqlc "SELECT count(*) FROM audit WHERE action = 'import'")"
out=$("$CRF_BIN" $CEN audit verify 2>&1); rc=$?
expect_eq "the centre's audit trail verifies" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out" | sed 's/^/#   /' | head

# ---- The same file twice.
before=$(state)
out=$("$CRF_BIN" $CEN import "$T/tj1.xml" 2>&1); rc=$?
expect_eq "again: exit 0" 0 "$rc"
expect_eq "again: says so" "$T/tj1.xml: $oid1 already imported, nothing changed" "$out"
expect_eq "again: nothing changed" "$before" "$(state)"

# ---- A conflict: the centre corrects a weight, then the site changes it.
# (the centre's change is made straight in the database here: the centre's
# own data entry is not this test's business)
sqlc "UPDATE item SET value = '81.0' WHERE field = 'weight' AND instance_id IN
    (SELECT f.id FROM form_instance f JOIN subject s ON s.id = f.subject_id WHERE s.key = 'BJ02-0001')"
# The site's nurse corrects the weight from 80.0 to 82.0 and TJ01's nurse
# the second subject's from 72.0 to 73.0 (no change at the centre there).
edit_weight() {
	cat > "$T/fix.keys" <<KEYS
wang.fang<Enter>Nurse-Password-1<Enter>
$2<Enter>
<Right><Right><Enter>
<Enter><Enter><Enter><Enter><Enter><Enter><Enter>
<C-u>$3<Enter>
<C-s>
<Enter>
<C-x>
<C-x>
q
KEYS
	CRF_SCRIPT="$T/fix.keys" timeout 60 "$CRF_BIN" $1 >"$T/ui.txt" 2>&1
}
edit_weight "$BJ" "" 82
edit_weight "$TJ" "<Down>" 73
expect_eq "the sites' corrections saved" "82.0 73.0" \
	"$(sqlite3 "$T/bj02.db" "SELECT value FROM item WHERE field = 'weight'") $(sqlite3 "$T/site.db" "SELECT value FROM item WHERE field = 'weight' AND value <> '65.0'")"
"$CRF_BIN" $BJ export --transfer --identifiers --out "$T/bj2.xml" >/dev/null 2>&1
"$CRF_BIN" $TJ export --transfer --identifiers --out "$T/tj3.xml" >/dev/null 2>&1
out=$("$CRF_BIN" $CEN import "$T/bj2.xml" 2>&1); rc=$?
expect_eq "conflict: the import goes through: exit 0" 0 "$rc"
expect_match "conflict: says so" "bj2.xml: 1 conflict: changed at the centre, the centre's value was kept" "$out"
expect_eq "conflict: the centre's value kept" 81.0 \
	"$(sqlc "SELECT value FROM item WHERE field = 'weight' AND instance_id IN (SELECT f.id FROM form_instance f JOIN subject s ON s.id = f.subject_id WHERE s.key = 'BJ02-0001')")"
oidb2=$(sqlite3 "$T/bj02.db" "SELECT file_oid FROM transfer_out WHERE prior_file_oid IS NOT NULL")
out=$("$CRF_BIN" $CEN import --conflicts 2>&1); rc=$?
expect_eq "import --conflicts: exit 0" 0 "$rc"
expect_match "import --conflicts: site, subject, item, both values, the file" \
	"^site BJ02, subject BJ02-0001, scr/1 dm/1 weight: centre 81\.0, site 82\.0 \(file $oidb2, record AR\.[0-9]+\)\$" "$out"
out=$("$CRF_BIN" $CEN import "$T/tj3.xml" 2>&1); rc=$?
expect_eq "no conflict: the correction applied" "73.0" \
	"$(sqlc "SELECT value FROM item WHERE field = 'weight' AND instance_id IN (SELECT f.id FROM form_instance f JOIN subject s ON s.id = f.subject_id WHERE s.key = 'TJ01-0002')")"
expect_eq "TJ01 after the correction: the same values at the centre as at the site" \
	"$(values "$T/site.db" TJ01)" "$(values "$T/central.db" TJ01)"
out=$("$CRF_BIN" $CEN import --conflicts 2>&1)
expect_match "import --conflicts: still the one" "^1 conflict: the centre's values were kept\$" "$out"

# ---- The files applied, by site, and what each site sends next.
out=$("$CRF_BIN" $CEN import --list 2>&1); rc=$?
expect_eq "import --list: exit 0" 0 "$rc"
sent=$(sqlite3 "$T/site.db" "SELECT '  ' || file_oid FROM transfer_out ORDER BY rowid" | tr '\n' '|')
last=$(sqlite3 "$T/site.db" "SELECT file_oid FROM transfer_out ORDER BY rowid DESC LIMIT 1")
tj=$(printf '%s\n' "$out" | sed -n '/^site TJ01$/,/^  next:/p')
expect_eq "import --list: every file TJ01 sent, in order, then the one it must send next" \
	"site TJ01|${sent}  next: a file whose PriorFileOID is $last" \
	"$(printf '%s\n' "$tj" | sed 's/  imported .*//' | tr '\n' '|' | sed 's/|$//')"
expect_match "import --list: when, by whom, what it changed" \
	"^  $oid1  imported 2026-11-25T08:00:00Z by [a-z._]+: [0-9]+ changes, 0 conflicts\$" "$tj"
expect_match "import --list: the count" "^[0-9]+ files from 2 sites\$" "$out"
expect_match "import --list: BJ02's conflict counted" "BJ02/transfer/.* 1 conflict\$" "$out"
out=$("$CRF_BIN" $TJ import --list 2>&1); rc=$?
expect_eq "import --list on a site database: exit 1" 1 "$rc"
expect_match "import --list on a site database: says so" "this is a site database" "$out"
