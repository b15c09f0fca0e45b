#!/bin/sh
# End to end, in real terminals (tmux 80x24): the idle lock and a login
# lockout, at the same time in two sessions on one site database.  A
# research nurse leaves a form with an unsaved entry; after a minute
# without a key her screen hides every study detail and asks for her
# password, and her work is there again after it.  Meanwhile a monitor
# mistypes the password until the account locks; the right password is
# then refused too, until `crf user unlock`.  The idle lock needs a real
# minute: the test waits for it by polling the screen.
. "$(dirname "$0")/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	not_ok "tmux is installed (make check installs it)"
	exit 1
fi
MON=zhou.min
MON_PW=Monitor-Password-7
if ! setup_site || ! add_account "$NURSE" data-entry "$NURSE_NAME" "$NURSE_PW" ||
    ! add_account "$MON" monitor "Zhou Min" "$MON_PW"; then
	not_ok "access: a site with a nurse and a monitor"
	exit 1
fi
sed -i 's/^idle_lock_minutes = .*/idle_lock_minutes = 1/; s/^failed_login_limit = .*/failed_login_limit = 3/' \
	"$T/config.ini"

# ---- The nurse: a new subject, an entry typed and not saved.
s_start nurse
s_signin nurse "$NURSE" "$NURSE_PW"
s_keys nurse C-n
s_expect nurse "nurse: asked to add a subject" '\[A\]dd'
s_keys nurse a
s_expect nurse "nurse: the subject is added" 'Subject TJ01-0001 added'
s_keys nurse Enter
s_expect nurse "nurse: the casebook of the new subject" 'Casebook TJ01-0001'
s_keys nurse Right Right Enter
s_expect nurse "nurse: demographics open" 'Demographics'
s_type nurse "ZXM"; s_keys nurse Enter
s_expect nurse "nurse: the entry, unsaved" 'unsaved'
started=$(date +%s)

# ---- The monitor: three wrong passwords lock the account.
s_start mon
s_expect mon "lockout: sign-in screen" "User name"
# After a wrong password the user name stays and the password is asked
# again.
wrong() { s_type mon "not-the-password-$1"; s_keys mon Enter; }
s_type mon "$MON"; s_keys mon Tab
wrong 1
s_expect mon "lockout: the first wrong password" 'user name or password is wrong'
wrong 2
s_expect mon "lockout: the second" 'user name or password is wrong'
wrong 3
s_expect mon "lockout: the third locks the account" "account $MON is locked after 3 wrong passwords"
s_type mon "$MON_PW"; s_keys mon Enter
s_expect mon "lockout: even the right password is refused" "account $MON is locked"
expect_eq "lockout: in the audit trail" "login-failed,login-failed,login-failed,lockout,login-failed" \
	"$(sql "SELECT group_concat(action) FROM (SELECT action FROM audit WHERE field = '$MON'
	    AND action IN ('login', 'login-failed', 'lockout') ORDER BY seq)")"
out=$("$CRF_BIN" -c "$T/config.ini" user unlock "$MON" 2>&1)
expect_eq "lockout: crf user unlock" 0 "$?"
s_type mon "$MON_PW"; s_keys mon Enter
s_expect mon "lockout: unlocked, the monitor signs in" "crf TJ01 Subjects"

# ---- Leaving ends the session, audited.
s_keys mon C-x
s_expect mon "logout: asks before quitting" '\[Q\]uit'
s_keys mon q
s_expect mon "logout: crf ends" 'crf-exited-0'
expect_eq "logout: in the audit trail" 1 \
	"$(sql "SELECT count(*) FROM audit WHERE action = 'logout' AND field = '$MON'")"

# ---- Back to the nurse: a minute after her last key, the lock.
s_expect nurse "idle lock: the screen locks after a minute" "Screen locked: $NURSE" 90
waited=$(( $(date +%s) - started ))
if [ "$waited" -ge 40 ]; then ok "idle lock: not before most of the minute had passed"
else not_ok "idle lock: locked after only $waited seconds"; fi
if s_text nurse | grep -Eq 'Demographics|ZXM|TJ01-0001'; then
	not_ok "idle lock: no study data on the locked screen"; s_text nurse | sed 's/^/#   | /'
else
	ok "idle lock: no study data on the locked screen"
fi
expect_eq "idle lock: the unsaved entry is kept as a draft" "initials=ZXM" \
	"$(sql "SELECT group_concat(field || '=' || value) FROM draft_item")"
s_type nurse "wrong-password"; s_keys nurse Enter
s_expect nurse "idle lock: a wrong password keeps it locked" 'The password is wrong'
s_type nurse "$NURSE_PW"; s_keys nurse Enter
s_expect nurse "idle lock: unlocked, the form as it was" 'Patient initials \(pinyin\) +ZXM'
s_keys nurse C-s
s_expect nurse "idle lock: saved after unlocking" 'The form is saved'
expect_eq "idle lock: the value is data now" "ZXM" "$(sql "SELECT value FROM item WHERE field = 'initials'")"

tmx kill-server 2>/dev/null
