#!/bin/sh
# crf backup / crf restore through the real binary: a backup of a site with
# data, checked; the site changes; restore --replace brings back the backup
# (the database before kept aside) and crf audit verify passes on it; damaged
# backups and databases in use are refused.
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
	not_ok "backup: a subject with a saved weight to back up"
	sed 's/^/#   /' "$T/ui.txt"
	exit 1
fi
rows=$(sql "SELECT count(*) FROM audit")
head="$rows:$(sql "SELECT hash FROM audit WHERE seq = $rows")"

# ---- A backup.
mkdir "$T/usb"
out=$("$CRF_BIN" $C backup "$T/usb/b1.db" 2>&1); rc=$?
expect_eq "backup: exit 0" 0 "$rc"
expect_eq "backup: the summary, last" \
	"backup of site TJ01: $rows audit rows, chain intact, head $head" \
	"$(printf '%s\n' "$out" | tail -n 1)"
expect_match "backup: where it went" "^backup: $T/usb/b1\\.db written, [0-9]+ bytes" "$out"
expect_eq "backup: the copy holds the trail" "$head" \
	"$(sqlite3 "$T/usb/b1.db" "SELECT seq || ':' || hash FROM audit ORDER BY seq DESC LIMIT 1")"
expect_eq "backup: one file, nothing beside it" "b1.db" "$(ls "$T/usb")"
expect_eq "backup: noted in the site's trail" "$T/usb/b1.db" \
	"$(sql "SELECT reason FROM audit WHERE action = 'export' AND new_value = 'backup'")"
out=$("$CRF_BIN" $C audit verify 2>&1); rc=$?
expect_eq "backup: the site still verifies" 0 "$rc"

out=$("$CRF_BIN" $C backup "$T/usb/b1.db" 2>&1); rc=$?
expect_eq "backup over a file: exit 1" 1 "$rc"
expect_eq "backup over a file: refused" \
	"crf: $T/usb/b1.db already exists: a backup never replaces a file; give a new name" "$out"
out=$("$CRF_BIN" $C backup "$T/nowhere/b.db" 2>&1); rc=$?
expect_eq "backup into a missing folder: exit 1" 1 "$rc"
expect_match "backup into a missing folder: says so" 'the folder .*/nowhere does not exist' "$out"

out=$("$CRF_BIN" $C backup --check "$T/usb/b1.db" 2>&1); rc=$?
expect_eq "check: exit 0" 0 "$rc"
expect_match "check: the backup's site and trail" \
	"^backup check of $T/usb/b1\\.db: a backup of site TJ01 \\(Tianjin Medical University General Hospital\\), [0-9]+ bytes, intact; $rows audit rows, chain intact, head $head\$" "$out"

# ---- The site goes on: an account added after the backup.
printf 'Monitor-Password-3\n' | "$CRF_BIN" $C user add zhao.lei --role monitor \
	--name "Zhao Lei" >/dev/null 2>&1
after=$(sql "SELECT count(*) FROM audit")

# ---- Restore.
out=$("$CRF_BIN" $C restore "$T/usb/b1.db" 2>&1); rc=$?
expect_eq "restore over a database without --replace: exit 1" 1 "$rc"
expect_match "restore without --replace: says how" 'exists: crf restore --replace keeps it aside' "$out"

# A session (here the sqlite3 shell, having read the file) holds it open.
mkfifo "$T/in" "$T/out"
sqlite3 "$DB" <"$T/in" >"$T/out" 2>&1 &
shell=$!
exec 3>"$T/in" 4<"$T/out"
echo "SELECT count(*) FROM audit;" >&3
read -r seen <&4
expect_eq "in use: the other session has read the database" "$after" "$seen"
out=$("$CRF_BIN" $C restore --replace "$T/usb/b1.db" 2>&1); rc=$?
expect_eq "restore while in use: exit 1" 1 "$rc"
expect_match "restore while in use: says to stop the sessions" \
	'is in use: a crf session \(or another program\) has it open; stop every session' "$out"
echo ".quit" >&3
exec 3>&- 4<&-
wait "$shell"
expect_eq "restore while in use: nothing changed" "$after" "$(sql "SELECT count(*) FROM audit")"
expect_eq "restore while in use: nothing kept aside" "" "$(cd "$T" && ls | grep before-restore)"

out=$("$CRF_BIN" $C restore "$T/usb/b1.db" --replace 2>&1); rc=$?
expect_eq "restore --replace: exit 0" 0 "$rc"
aside="$T/site.db.before-restore-20261125T080000Z"
expect_match "restore: the backup checked first" \
	"^restore: checked $T/usb/b1\\.db: a backup of site TJ01 .*; $rows audit rows, chain intact, head $head\$" "$out"
expect_match "restore: the database before kept aside" "^restore: the database before is kept as $aside\$" "$out"
expect_match "restore: restored, the restore noted" \
	"^restore: $T/site\\.db restored; the audit trail notes the restore: $((rows + 1)) audit rows, chain intact" "$out"
out=$("$CRF_BIN" $C audit verify 2>&1); rc=$?
expect_eq "restored: crf audit verify passes" 0 "$rc"
out=$("$CRF_BIN" $C audit verify --head "$head" 2>&1); rc=$?
expect_eq "restored: the backup's head is in the trail, unchanged" 0 "$rc"
expect_eq "restored: the restore is the last row" \
	"restore|$aside|$T/usb/b1.db" \
	"$(sql "SELECT action || '|' || old_value || '|' || new_value FROM audit ORDER BY seq DESC LIMIT 1")"
expect_eq "restored: the data of the backup" 65.0 "$(sql "SELECT value FROM item WHERE field = 'weight'")"
out=$("$CRF_BIN" $C user list 2>&1)
expect_no_match "restored: the account added after the backup is not there" 'zhao\.lei' "$out"
expect_eq "kept aside: the database as it was" "$after" \
	"$(sqlite3 "$aside" "SELECT count(*) FROM audit")"
expect_eq "kept aside: the account added after the backup" 1 \
	"$(sqlite3 "$aside" "SELECT count(*) FROM account WHERE login = 'zhao.lei'")"
expect_eq "restore: no temporary file left" "" "$(cd "$T" && ls | grep -e '\.restore-' -e '\.tmp-')"

# ---- A damaged backup is refused; the database is not touched.
cp "$T/usb/b1.db" "$T/bad.db"
dd if=/dev/zero of="$T/bad.db" bs=4096 seek=3 count=6 conv=notrunc 2>/dev/null
before=$(sql "SELECT seq || ':' || hash FROM audit ORDER BY seq DESC LIMIT 1")
out=$("$CRF_BIN" $C restore --replace "$T/bad.db" 2>&1); rc=$?
expect_eq "damaged backup: exit 1" 1 "$rc"
expect_match "damaged backup: says so" "^crf: $T/bad\\.db is damaged: SQLite" "$out"
expect_eq "damaged backup: the database untouched" "$before" \
	"$(sql "SELECT seq || ':' || hash FROM audit ORDER BY seq DESC LIMIT 1")"
out=$("$CRF_BIN" $C backup --check "$T/bad.db" 2>&1); rc=$?
expect_eq "damaged backup: check exit 1" 1 "$rc"
printf 'not a database\n' > "$T/text.db"
out=$("$CRF_BIN" $C restore --replace "$T/text.db" 2>&1); rc=$?
expect_eq "not a backup: exit 1" 1 "$rc"
expect_eq "not a backup: says so" "crf: $T/text.db is not a crf backup (not an SQLite database)" "$out"

# ---- Restoring where there is no database yet.
rm -f "$DB" "$DB-wal" "$DB-shm"
out=$("$CRF_BIN" $C restore "$T/usb/b1.db" 2>&1); rc=$?
expect_eq "restore into no database: exit 0" 0 "$rc"
expect_match "restore into no database: nothing kept aside" '^restore: there was no database before$' "$out"
out=$("$CRF_BIN" $C audit verify --head "$head" 2>&1); rc=$?
expect_eq "restore into no database: verifies" 0 "$rc"

# ---- Usage.
out=$("$CRF_BIN" $C backup 2>&1); rc=$?
expect_eq "backup without a file: usage, exit 2" 2 "$rc"
expect_match "backup without a file: prints the usage" '^usage: crf backup FILE' "$out"
out=$("$CRF_BIN" $C backup a.db b.db 2>&1); rc=$?
expect_eq "backup with two files: usage, exit 2" 2 "$rc"
out=$("$CRF_BIN" $C restore 2>&1); rc=$?
expect_eq "restore without a file: usage, exit 2" 2 "$rc"
out=$("$CRF_BIN" $C restore --force "$T/usb/b1.db" 2>&1); rc=$?
expect_eq "restore --force: usage, exit 2" 2 "$rc"
out=$("$CRF_BIN" --help)
expect_match "--help lists backup" 'crf backup FILE' "$out"
expect_match "--help lists restore" 'crf restore FILE \[--replace\]' "$out"
