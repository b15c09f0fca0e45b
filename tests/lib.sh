# Shared helpers for the shell test tiers (sourced).  Each assertion prints
# "ok N - name" or "not ok N - name" (TAP-like); tests/run.sh counts them.
: "${CRF_BIN:=$(cd "$(dirname "$0")/../.." && pwd)/build/crf}"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/crf-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
export HOME="$T"
n=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1"; printf '#   expected: %s\n#   actual:   %s\n' "$2" "$3"; fi
}
# expect_match NAME PATTERN TEXT  (grep -E pattern, any line)
expect_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then ok "$1"; else
		not_ok "$1"; printf '#   no line matches: %s\n' "$2"; printf '%s\n' "$3" | sed 's/^/#   | /' | head -20; fi
}
expect_no_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		not_ok "$1"; printf '#   unexpected: %s\n' "$2"; printf '%s\n' "$3" | sed 's/^/#   | /' | head -20; else ok "$1"; fi
}

# A site config in $T pointing at the real study forms.
make_config() {
	cat > "$T/config.ini" <<CFG
[site]
code = TJ01
name = Tianjin Medical University General Hospital
[database]
path = site.db
[forms]
dir = $TOP/forms
[display]
language = en
date_format = YYYY-MM-DD
[security]
idle_lock_minutes = 10
failed_login_limit = 5
password_min_length = 10
CFG
}

# add_nurse [CONFIG]: the research nurse wang.fang (role data-entry, password
# Nurse-Password-1) added with crf user add to the site of CONFIG (default
# $T/config.ini).
add_nurse() {
	printf 'Nurse-Password-1\n' | "$CRF_BIN" -c "${1:-$T/config.ini}" user add wang.fang \
		--role data-entry --name "Wang Fang" >/dev/null 2>&1
}

# enter_demographics CONFIG [WEIGHT [INITIALS HOSPNO BIRTH SEX DATE HEIGHT]]:
# the nurse signs in headless, adds a subject and keys part of its
# demographics (weight 65, ZXM, H123, 1990-05-01, F, 2026-11-20, 170 unless
# given), saved incomplete; the screen goes to $T/ui.txt.
enter_demographics() {
	cat > "$T/dm.keys" <<KEYS
wang.fang<Enter>Nurse-Password-1<Enter>
<C-n>a
<Enter>
<Right><Right><Enter>
${3:-ZXM}<Enter>
${4:-H123}<Enter>
${5:-1990-05-01}<Enter>
${6:-F}<Enter>
1<Enter>
${7:-2026-11-20}<Enter>
${8:-170}<Enter>
${2:-65}<Enter>
<C-s>
<Enter>
<C-x>
<C-x>
q
KEYS
	CRF_SCRIPT="$T/dm.keys" timeout 60 "$CRF_BIN" -c "$1" >"$T/ui.txt" 2>&1
}
