#!/bin/sh
# crf audit verify / show: the hash chain on a site database filled the way a
# site fills it (crf init, crf user add, a headless data-entry session), then
# tampered with in the sqlite3 shell.
. "$(dirname "$0")/../lib.sh"

make_config
C="-c $T/config.ini"
DB="$T/site.db"
sql() { sqlite3 "$DB" "$1"; }

"$CRF_BIN" $C init >/dev/null 2>&1
add_nurse

# A research nurse adds the first subject and keys part of its demographics.
enter_demographics "$T/config.ini"
if [ "$(sql "SELECT value FROM item WHERE field = 'weight'")" != 65.0 ]; then
	not_ok "audit: a subject with a saved weight to check"
	sed 's/^/#   /' "$T/ui.txt"
	exit 1
fi
rows=$(sql "SELECT count(*) FROM audit")
wseq=$(sql "SELECT seq FROM audit WHERE field = 'weight'")

# ---- An untouched trail.
out=$("$CRF_BIN" $C audit verify 2>&1); rc=$?
expect_eq "verify: exit 0" 0 "$rc"
expect_eq "verify: the summary, last" \
	"audit verify: $rows rows, chain intact, current values agree with the trail, 0 clock anomalies" \
	"$(printf '%s\n' "$out" | tail -n 1)"
head="$rows:$(sql "SELECT hash FROM audit WHERE seq = $rows")"
expect_match "verify: the head of the chain, to note elsewhere" \
	"^audit verify: head of the chain \(note it; check it later with --head\): $head\$" "$out"
out=$("$CRF_BIN" $C audit verify --head "$head" 2>&1); rc=$?
expect_eq "verify --head: the noted head is there: exit 0" 0 "$rc"
out=$("$CRF_BIN" $C audit verify --head "$rows:$(sql "SELECT hash FROM audit WHERE seq = 1")" 2>&1); rc=$?
expect_eq "verify --head: another hash: exit 1" 1 "$rc"
expect_eq "verify --head: another hash: says the trail was rewritten" \
	"audit verify: row $rows (seq $rows) is not the head noted earlier: its hash differs, so the trail up to it was rewritten" \
	"$(printf '%s\n' "$out" | head -n 1)"
out=$("$CRF_BIN" $C audit verify --head "$rows:xyz" 2>&1); rc=$?
expect_eq "verify --head: not SEQ:HASH: usage, exit 2" 2 "$rc"
expect_eq "verify: every row chained" 0 \
	"$(sql "SELECT count(*) FROM audit WHERE hash IS NULL OR length(hash) <> 64")"
expect_eq "verify: schema version 6" 6 "$(sql 'PRAGMA user_version')"

# ---- The subject's trail.
out=$("$CRF_BIN" $C audit show --subject TJ01-0001 2>&1); rc=$?
expect_eq "show: exit 0" 0 "$rc"
expect_match "show: heading names subject, site and row count" \
	"^Audit trail of subject TJ01-0001 at site TJ01 \(Tianjin Medical University General Hospital\): $(sql "SELECT count(*) FROM audit WHERE subject = 'TJ01-0001'") rows\$" "$out"
expect_match "show: says what the times are" '^Times are UTC, each with the local offset' "$out"
expect_match "show: the subject's creation" \
	'^ +[0-9]+  2026-11-25T08:00:00Z \+08:00  wang\.fang \(Wang Fang\)  subject  TJ01-0001: \(blank\) -> screening$' "$out"
expect_match "show: the weight, with seq, time, offset, user, action, where and change" \
	"^  +$wseq  2026-11-25T08:00:00Z \+08:00  wang\.fang \(Wang Fang\)  create  scr/1 dm/1 weight: \(blank\) -> 65\.0\$" "$out"
expect_match "show: the status row" 'status  scr/1 dm/1: \(blank\) -> incomplete$' "$out"
expect_no_match "show: no account rows" 'user-create|login' "$out"
expect_eq "show: in seq order" \
	"$(sql "SELECT group_concat(seq, ' ') FROM (SELECT seq FROM audit WHERE subject = 'TJ01-0001' ORDER BY seq)")" \
	"$(printf '%s\n' "$out" | sed -n 's/^[ !] *\([0-9][0-9]*\)  2026.*/\1/p' | tr '\n' ' ' | sed 's/ $//')"
expect_no_match "show: no clock mark" '^!' "$out"
out=$("$CRF_BIN" $C audit show --subject TJ01-0001 --form scr/dm 2>&1); rc=$?
expect_eq "show --form: exit 0" 0 "$rc"
expect_no_match "show --form: only that form" ' subject  ' "$out"
expect_match "show --form: the form's rows" 'create  scr/1 dm/1 weight' "$out"
out=$("$CRF_BIN" $C audit show --subject TJ01-0001 --form scr/cbc 2>&1)
expect_match "show --form: a form without rows" ': 0 rows$' "$out"
out=$("$CRF_BIN" $C audit show --subject TJ01-0099 2>&1); rc=$?
expect_eq "show: unknown subject: exit 1" 1 "$rc"
expect_match "show: unknown subject: says so" '^crf: there is no subject TJ01-0099$' "$out"
out=$("$CRF_BIN" $C audit show 2>&1); rc=$?
expect_eq "show without --subject: usage, exit 2" 2 "$rc"
out=$("$CRF_BIN" $C audit show --subject TJ01-0001 --form dm 2>&1); rc=$?
expect_eq "show --form without EVENT/: usage, exit 2" 2 "$rc"
out=$("$CRF_BIN" $C audit verify --bogus 2>&1); rc=$?
expect_eq "verify --bogus: usage, exit 2" 2 "$rc"
expect_match "verify --bogus: prints the usage" '^usage: crf audit verify \[--strict\] \[--head SEQ:HASH\]' "$out"
out=$("$CRF_BIN" --help)
expect_match "--help lists audit verify" 'crf audit verify' "$out"

# Every tampering below starts again from this copy.
cp "$DB" "$T/clean.db"
restore() { rm -f "$DB-wal" "$DB-shm"; cp "$T/clean.db" "$DB"; }

# ---- A row changed in the sqlite3 shell: the trigger first has to go.
out=$(sql "UPDATE audit SET new_value = '80.0' WHERE seq = $wseq" 2>&1)
expect_match "tamper: the trigger refuses a plain UPDATE" 'the audit trail cannot be changed' "$out"
sql "DROP TRIGGER audit_no_update; UPDATE audit SET new_value = '80.0' WHERE seq = $wseq"
out=$("$CRF_BIN" $C audit verify 2>&1); rc=$?
expect_eq "changed row: exit 1" 1 "$rc"
expect_eq "changed row: the first problem names the row" \
	"audit verify: row $wseq (seq $wseq) was changed outside crf: its hash does not match" \
	"$(printf '%s\n' "$out" | head -n 1)"
expect_match "changed row: the stored item no longer agrees either" \
	"^audit verify: item TJ01-0001 scr/1 dm/1 weight = 65\.0 but the audit trail says 80\.0 \(seq $wseq\)\$" "$out"
expect_match "changed row: the dropped trigger is reported" \
	'^audit verify: the trigger audit_no_update is missing: the audit trail is not protected against changes$' "$out"
expect_eq "changed row: summary, last" \
	"audit verify: $rows rows, chain broken, 1 current value disagrees with the trail, 0 clock anomalies, append-only triggers missing or changed" \
	"$(printf '%s\n' "$out" | tail -n 1)"
expect_no_match "changed row: no head printed" 'head of the chain' "$out"

# ---- An item changed behind crf's back: no audit row at all.
restore
sql "UPDATE item SET value = '80.0' WHERE field = 'weight'"
out=$("$CRF_BIN" $C audit verify 2>&1); rc=$?
expect_eq "changed item: exit 1" 1 "$rc"
expect_eq "changed item: named, with the trail's value" \
	"audit verify: item TJ01-0001 scr/1 dm/1 weight = 80.0 but the audit trail says 65.0 (seq $wseq)" \
	"$(printf '%s\n' "$out" | head -n 1)"
expect_match "changed item: the chain itself is intact" "^audit verify: $rows rows, chain intact, 1 current value disagrees with the trail" "$out"

# ---- A row deleted: the gap names it.
restore
sql "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 5"
out=$("$CRF_BIN" $C audit verify 2>&1); rc=$?
expect_eq "deleted row: exit 1" 1 "$rc"
expect_eq "deleted row: named" \
	"audit verify: row 5 (seq 5) is missing (seq gap: seq 4 is followed by seq 6): rows were deleted outside crf" \
	"$(printf '%s\n' "$out" | head -n 1)"

# ---- A row inserted: it has no hash.
restore
sql "INSERT INTO audit (ts_utc, tz_offset, user, action, subject, event, event_repeat, form,
	form_repeat, field, old_value, new_value, reason) VALUES ('2026-11-25T08:00:00Z', '+08:00',
	'wang.fang', 'update', 'TJ01-0001', 'scr', 1, 'dm', 1, 'weight', '65.0', '65.0', 'typo')"
out=$("$CRF_BIN" $C audit verify 2>&1); rc=$?
expect_eq "inserted row: exit 1" 1 "$rc"
expect_eq "inserted row: named" \
	"audit verify: row $((rows + 1)) (seq $((rows + 1))) was inserted outside crf: it has no hash" \
	"$(printf '%s\n' "$out" | head -n 1)"

# ---- A flag set in the shell shows in the report, and breaks the chain.
restore
sql "DROP TRIGGER audit_no_update; UPDATE audit SET clock_back = 1 WHERE seq = $wseq"
out=$("$CRF_BIN" $C audit show --subject TJ01-0001 2>&1)
expect_match "show: a clock-anomaly row is marked" "^! +$wseq  2026-11-25T08:00:00Z" "$out"
expect_match "show: the mark is explained" "^! written with the computer's clock set back" "$out"
out=$("$CRF_BIN" $C audit verify 2>&1); rc=$?
expect_eq "flag set in the shell: exit 1" 1 "$rc"

# ---- A laptop whose clock was set back a day: a warning, not a failure.
restore
printf 'Monitor-Password-2\n' | CRF_NOW=2026-11-24T08:00:00Z "$CRF_BIN" $C user add zhao.lei \
	--role monitor --name "Zhao Lei" >/dev/null 2>&1
out=$("$CRF_BIN" $C audit verify 2>&1); rc=$?
expect_eq "clock set back: exit 0" 0 "$rc"
who=$(sql "SELECT user FROM audit WHERE seq = $((rows + 1))")
expect_eq "clock set back: the warning names the row" \
	"audit verify: warning: row $((rows + 1)) (seq $((rows + 1))) by $who is dated 2026-11-24T08:00:00Z (+08:00), earlier than the latest time before it (2026-11-25T08:00:00Z): the computer's clock was set back" \
	"$(printf '%s\n' "$out" | head -n 1)"
expect_match "clock set back: counted" "^audit verify: $((rows + 1)) rows, chain intact, current values agree with the trail, 1 clock anomaly\$" "$out"
expect_eq "clock set back: flagged in the file" "$((rows + 1))" "$(sql "SELECT group_concat(seq) FROM audit WHERE clock_back = 1")"
out=$("$CRF_BIN" $C audit verify --strict 2>&1); rc=$?
expect_eq "clock set back: --strict fails" 1 "$rc"

# ---- A version-1 file (the same rows without the two columns) is chained
# when it is opened.
restore
sql "DROP TABLE site_admin; DROP TABLE transfer_out; DROP TABLE transfer_in; DROP TABLE site_audit;
	DROP TABLE import_conflict; DROP TABLE query_message; DROP TABLE data_query; DROP TABLE record_lock;
	DROP TABLE signature; DROP INDEX subject_by_study_no;
	ALTER TABLE subject DROP COLUMN study_no; ALTER TABLE subject DROP COLUMN status_date;
	ALTER TABLE subject DROP COLUMN status_reason; ALTER TABLE form_instance DROP COLUMN sdv_by;
	ALTER TABLE form_instance DROP COLUMN sdv_at; ALTER TABLE account DROP COLUMN pw_changed_at;
	ALTER TABLE account DROP COLUMN must_change;
	DROP INDEX audit_by_time; ALTER TABLE audit DROP COLUMN hash;
	ALTER TABLE audit DROP COLUMN clock_back; ALTER TABLE account DROP COLUMN failed_logins;
	ALTER TABLE account DROP COLUMN locked; PRAGMA user_version = 1"
out=$("$CRF_BIN" $C audit verify 2>&1); rc=$?
expect_eq "version 1 file: verifies after the upgrade" 0 "$rc"
expect_eq "version 1 file: upgraded" 6 "$(sql 'PRAGMA user_version')"
expect_eq "version 1 file: the same chain as crf wrote" \
	"$(sqlite3 "$T/clean.db" "SELECT group_concat(hash) FROM audit")" \
	"$(sql "SELECT group_concat(hash) FROM audit")"
