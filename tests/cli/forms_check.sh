#!/bin/sh
# crf forms check: the trial's forms pass; broken copies give FILE:LINE and exit 1.
. "$(dirname "$0")/../lib.sh"

out=$("$CRF_BIN" forms check "$TOP/forms" 2>&1); rc=$?
expect_eq "trial forms: exit 0" 0 "$rc"
expect_match "trial forms: summary line" '^forms check: [0-9]+ forms, [0-9]+ fields, [0-9]+ events, [0-9]+ logs: no problems$' "$out"

cp -r "$TOP/forms" "$T/bad"
printf '[field broken]\ntype = number\nlabel = Broken\n' >> "$T/bad/dm.ini"
line=$(grep -n '^type = number$' "$T/bad/dm.ini" | cut -d: -f1)
out=$("$CRF_BIN" forms check "$T/bad" 2>&1); rc=$?
expect_eq "deliberate error: exit 1" 1 "$rc"
expect_match "deliberate error: FILE:LINE: message" "^$T/bad/dm.ini:$line: unknown type 'number'" "$out"
expect_match "deliberate error: count" '^forms check: 1 problem in ' "$out"

printf '[field broken2]\ntype = integer\nlable = Oops\n' >> "$T/bad/dm.ini"
out=$("$CRF_BIN" forms check "$T/bad" 2>&1)
expect_match "several problems all reported" '^forms check: 3 problems in ' "$out"

out=$("$CRF_BIN" forms check /nonexistent 2>&1); rc=$?
expect_eq "missing folder: exit 1" 1 "$rc"
expect_match "missing folder: says so" 'cannot open the forms folder' "$out"

out=$("$CRF_BIN" forms 2>&1); rc=$?
expect_eq "usage error: exit 2" 2 "$rc"

# The configured folder is used when DIR is left out.
make_config
out=$(cd "$T" && "$CRF_BIN" forms check 2>&1); rc=$?
expect_eq "configured folder: exit 0" 0 "$rc"

# crf refuses to start on broken definitions, and says why.
sed -i "s|^dir = .*|dir = $T/bad|" "$T/config.ini"
out=$(cd "$T" && "$CRF_BIN" 2>&1 </dev/null); rc=$?
expect_eq "refuses to start on bad forms: exit 1" 1 "$rc"
expect_match "refuses to start: names the problem" "dm.ini:$line: unknown type" "$out"
expect_match "refuses to start: says why" 'cannot start' "$out"
