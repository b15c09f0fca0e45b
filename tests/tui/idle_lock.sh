#!/bin/sh
# The idle lock: after idle_lock_minutes without a key the screen shows no
# study data, unsaved entries are kept as a draft, and only the signed-in
# person's password opens it again; work goes on where it was.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"

if ! setup_site || ! add_account "$NURSE" data-entry "$NURSE_NAME" "$NURSE_PW"; then
	not_ok "idle lock: a site and a nurse's account"
	exit 1
fi
sed -i 's/^idle_lock_minutes = .*/idle_lock_minutes = 1/' "$T/config.ini"

# One :tick is 5 seconds without a key: 12 of them are a minute.
ticks() { i=0; while [ $i -lt "$1" ]; do echo ":tick"; i=$((i + 1)); done; }
{
	echo "$NURSE<Enter>$NURSE_PW<Enter>"
	echo "<C-n>a"
	echo "<Enter>"
	echo "<Right><Right><Enter>"
	echo "ZXM<Enter>"
	ticks 11
	echo ":dump $T/before.txt"
	ticks 1
	echo ":dump $T/locked.txt"
	echo "wrong-password<Enter>"
	echo ":dump $T/wrong.txt"
	echo "$NURSE_PW<Enter>"
	echo ":dump $T/unlocked.txt"
	echo "<C-s>"
	echo ":dump $T/saved.txt"
	echo "<Enter>"
	echo "<C-x>"
	echo "<C-x>"
	echo "q"
} > "$T/lock.keys"
run_script "$T/lock.keys"
expect_eq "idle lock: exit 0" 0 "$rc"
screen_match "idle lock: 55 seconds idle, still open" 'Demographics' "$T/before.txt"
screen_match "idle lock: locked after a minute" 'Screen locked' "$T/locked.txt"
screen_match "idle lock: asks the signed-in person" "Screen locked: $NURSE" "$T/locked.txt"
screen_match "idle lock: says why and how to sign out" 'Locked after 1 minute without a key. Esc signs out' "$T/locked.txt"
screen_no_match "idle lock: no study data on the locked screen" 'Demographics|ZXM|TJ01-0001' "$T/locked.txt"
screen_match "idle lock: a wrong password keeps it locked" 'The password is wrong' "$T/wrong.txt"
screen_no_match "idle lock: still no data after a wrong password" 'ZXM' "$T/wrong.txt"
screen_match "idle lock: unlocked, the form as it was" 'Patient initials \(pinyin\) +ZXM' "$T/unlocked.txt"
screen_match "idle lock: entries still unsaved" 'unsaved changes' "$T/unlocked.txt"
expect_eq "idle lock: saved after unlocking" "ZXM" "$(sql "SELECT value FROM item WHERE field = 'initials'")"
expect_eq "idle lock: the kept draft is gone once saved" 0 "$(sql "SELECT count(*) FROM draft")"
expect_eq "idle lock: the wrong password is in the audit trail" 1 \
	"$(sql "SELECT count(*) FROM audit WHERE action = 'login-failed' AND user = '$NURSE'")"

# Esc at the lock signs out; the unsaved entries stay as a draft.
{
	echo "$NURSE<Enter>$NURSE_PW<Enter>"
	echo "<Enter>"
	echo "<Right><Right><Enter>"
	echo "ABC<Enter>"
	ticks 12
	echo "<Esc>"
} > "$T/signout.keys"
run_script "$T/signout.keys"
expect_eq "sign out at the lock: exit 0" 0 "$rc"
expect_eq "sign out at the lock: entries kept as a draft" "initials=ABC" \
	"$(sql "SELECT group_concat(field || '=' || value) FROM draft_item")"
expect_eq "sign out at the lock: nothing saved as data" "ZXM" "$(sql "SELECT value FROM item WHERE field = 'initials'")"
