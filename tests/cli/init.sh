#!/bin/sh
# crf init, --help, --version, and configuration errors.
. "$(dirname "$0")/../lib.sh"

out=$("$CRF_BIN" --version); rc=$?
expect_eq "--version exit 0" 0 "$rc"
expect_match "--version prints the version" '^crf [0-9]+\.[0-9]+\.[0-9]+$' "$out"
out=$("$CRF_BIN" --help)
expect_match "--help lists forms check" 'crf forms check' "$out"
expect_match "--help lists init" 'crf init' "$out"
out=$("$CRF_BIN" --bogus 2>&1); rc=$?
expect_eq "unknown option: exit 2" 2 "$rc"

make_config
mkdir -p "$T/data"
sed -i 's|^path = .*|path = data/site.db|' "$T/config.ini"
out=$("$CRF_BIN" -c "$T/config.ini" init 2>&1); rc=$?
expect_eq "init: exit 0" 0 "$rc"
expect_match "init: says what it made" "created $T/data/site.db for site TJ01" "$out"
expect_eq "init: schema version" 6 "$(sqlite3 "$T/data/site.db" 'PRAGMA user_version')"
expect_eq "init: site recorded" "TJ01" "$(sqlite3 "$T/data/site.db" 'SELECT code FROM site')"
expect_eq "init: WAL" "wal" "$(sqlite3 "$T/data/site.db" 'PRAGMA journal_mode')"

before=$(sha256sum "$T/data/site.db" | cut -d' ' -f1)
out=$("$CRF_BIN" -c "$T/config.ini" init 2>&1); rc=$?
expect_eq "init again: refused" 1 "$rc"
expect_match "init again: says it exists" 'exists' "$out"
expect_eq "init again: file untouched" "$before" "$(sha256sum "$T/data/site.db" | cut -d' ' -f1)"

# CRF_CONFIG is honoured.
rm -f "$T/data/site.db"*
out=$(CRF_CONFIG="$T/config.ini" "$CRF_BIN" init 2>&1); rc=$?
expect_eq "init via CRF_CONFIG" 0 "$rc"

# Configuration errors name file, line, section and key.
printf '[site]\ncode = tj\nname = X\n[database]\npath = x.db\n[display]\nlanguage = fr\n' > "$T/bad.ini"
out=$("$CRF_BIN" -c "$T/bad.ini" init 2>&1); rc=$?
expect_eq "bad config: exit 1" 1 "$rc"
expect_match "bad config: code" "$T/bad.ini:2: \[site\] code: must be 2 to 8" "$out"
expect_match "bad config: language" "$T/bad.ini:7: \[display\] language: must be en or zh" "$out"
out=$("$CRF_BIN" -c "$T/none.ini" init 2>&1); rc=$?
expect_eq "missing config: exit 1" 1 "$rc"
expect_match "missing config: says so" 'no usable configuration' "$out"

# A new site's folder is made with the database (as on a fresh clone,
# where config.ini names data/site.db).
sed -i 's|^path = .*|path = new/site/site.db|' "$T/config.ini"
out=$("$CRF_BIN" -c "$T/config.ini" init 2>&1); rc=$?
expect_eq "init: missing folders are made" 0 "$rc"
expect_eq "init: the folder is private to the site" 750 "$(stat -c %a "$T/new/site")"
sed -i 's|^path = .*|path = /proc/crf-no/site.db|' "$T/config.ini"
out=$("$CRF_BIN" -c "$T/config.ini" init 2>&1); rc=$?
expect_eq "init: a folder that cannot be made: exit 1" 1 "$rc"
expect_match "init: says which folder" 'cannot create the folder /proc/crf-no' "$out"
