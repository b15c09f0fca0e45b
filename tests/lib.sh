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
