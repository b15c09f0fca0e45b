# Helpers for the in-process screen tests (sourced after ../lib.sh).
make_config
mkdir -p "$T/data"
sed -i 's|^path = .*|path = data/site.db|' "$T/config.ini"
DB="$T/data/site.db"

# run_script FILE: run crf headless on the key script FILE; sets $rc and
# leaves stdout+stderr in $T/out.txt.
run_script() {
	CRF_SCRIPT="$1" timeout 60 "$CRF_BIN" -c "$T/config.ini" >"$T/out.txt" 2>&1
	rc=$?
}

# script NAME: write stdin to $T/NAME.keys and run it.
script() {
	cat > "$T/$1.keys"
	run_script "$T/$1.keys"
}

# screen_match NAME PATTERN FILE: a dumped screen has a line matching PATTERN.
screen_match() { expect_match "$1" "$2" "$(cat "$3" 2>/dev/null)"; }
screen_no_match() { expect_no_match "$1" "$2" "$(cat "$3" 2>/dev/null)"; }

# sql QUERY: one value from the site database.
sql() { sqlite3 -cmd ".timeout 5000" "$DB" "$1"; }

# The first administrator that setup_site creates (other tests sign in as it).
ADMIN=admin
ADMIN_NAME="Ada Admin"
ADMIN_PW=Correct-Horse-9

# setup_site: on a fresh site, create the site database and the first
# administrator through the set-up screen, then leave.  Call it once, first,
# in a test file that needs a site (hashing a password takes a moment).
# Returns 1, with a "#" note, if no account was made.
setup_site() {
	rm -f "$DB" "$DB-wal" "$DB-shm"
	script setup_site <<KEYS
c
$ADMIN<Enter>
$ADMIN_NAME<Enter>
$ADMIN_PW<Enter>
$ADMIN_PW<Enter>
<C-x>
KEYS
	if [ "$(sql "SELECT count(*) FROM account WHERE login = '$ADMIN'" 2>/dev/null)" != 1 ]; then
		echo "# setup_site: the set-up screen made no administrator (exit $rc)"
		sed 's/^/#   /' "$T/out.txt"
		return 1
	fi
}

# A research nurse (role data-entry), the one who keys the data in the
# tests: add_account "$NURSE" data-entry "$NURSE_NAME" "$NURSE_PW".
NURSE=wang.fang
NURSE_NAME="Wang Fang"
NURSE_PW=Nurse-Password-1

# An investigator (role investigator), who signs and enrols.
INV=zhang.wei
INV_NAME="Zhang Wei"
INV_PW=Investigator-Pw-1

# add_account LOGIN ROLE "FULL NAME" PASSWORD: an account made the way a
# site makes one, with crf user add.  Returns 1, with a "#" note, if not.
add_account() {
	if ! printf '%s\n' "$4" | "$CRF_BIN" -c "$T/config.ini" user add "$1" --role "$2" \
	    --name "$3" >"$T/add_account.txt" 2>&1; then
		echo "# add_account: crf user add $1 --role $2 failed"
		sed 's/^/#   /' "$T/add_account.txt"
		return 1
	fi
}

# consent_keys [DUMP]: the nurse's keys of signed_consent (below): a new
# subject, its consent form completed, the initials keyed on the
# demographics and saved; the casebook then dumped to DUMP when given.
consent_keys() {
	cat <<KEYS
$NURSE<Tab>$NURSE_PW<Enter>
<C-n>a
<Enter>
<Enter>
Y<Enter>2026-11-20<Enter><Enter>V1.0<Enter>
<C-t>
<C-f><C-f>ZXM<Enter>
<C-s><Enter>
<C-x>
KEYS
	[ -n "$1" ] && echo ":dump $1"
	echo "<C-x><C-x>q"
}

# signed_consent: on a new site with a nurse and an investigator, the nurse
# adds a subject, completes its consent form and keys the patient's
# initials (a field flagged identifier = yes) on the demographics; the
# investigator signs the consent form.  Returns 1, with a "#" note, if any
# of it did not happen.
signed_consent() {
	if ! setup_site || ! add_account "$NURSE" data-entry "$NURSE_NAME" "$NURSE_PW" ||
	    ! add_account "$INV" investigator "$INV_NAME" "$INV_PW"; then
		return 1
	fi
	consent_keys > "$T/nurse.keys"
	run_script "$T/nurse.keys"
	script sign <<KEYS
$INV<Tab>$INV_PW<Enter>
<Enter>
<C-r>f
$INV<Tab>$INV_PW<Enter>
<C-x><C-x>q
KEYS
	if [ "$(sql "SELECT count(*) FROM item i JOIN form_instance f ON f.id = i.instance_id
	    WHERE f.form = 'dm' AND i.field = 'initials' AND i.value = 'ZXM'")" != 1 ] ||
	    [ "$(sql 'SELECT count(*) FROM signature')" != 1 ]; then
		echo "# signed_consent: no subject with initials and a signed consent form"
		sed 's/^/#   /' "$T/out.txt"
		return 1
	fi
}
