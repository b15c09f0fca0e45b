#!/bin/sh
# The same program on every terminal type a site uses: it draws, reads
# keys (arrows, function keys, Ctrl keys) and leaves the terminal clean.
. "$(dirname "$0")/lib.sh"

if ! setup_site || ! add_account "$NURSE" data-entry "$NURSE_NAME" "$NURSE_PW"; then
	not_ok "terminals: a site to sign in to"
	exit 1
fi
for term in xterm xterm-256color screen tmux linux vt100; do
	E2E_TERM=$term start_crf 80 24
	expect_screen "$term: sign-in screen" 'User name'
	type_text "$ADMIN"; keys Tab; type_text "$ADMIN_PW"; keys Enter
	expect_screen "$term: subject list" 'Subjects'
	# tmux sends function keys as its own terminal does (ESC O P); the
	# Linux console's differ (ESC [ [ A), so only Ctrl-G is tried there.
	if [ "$term" != linux ]; then
		keys F1
		expect_screen "$term: F1 opens the help" 'Keys of this screen'
		keys Escape
	fi
	keys C-g
	expect_screen "$term: Ctrl-G opens the help too" 'Keys of this screen'
	keys Escape
	keys C-x
	expect_screen "$term: Ctrl-X asks before quitting" '\[Q\]uit'
	keys q
	expect_screen "$term: the program ends cleanly" 'crf-exited-0'
	stop_crf
done

# Monochrome: NO_COLOR and an ASCII locale still show every status.
tmx new-session -d -s crf -x 80 -y 24 \
	"cd '$T' && env -u COLUMNS -u LINES NO_COLOR=1 TERM=vt100 LANG=C LC_ALL=C '$CRF_BIN' -c '$T/config.ini'; sleep 30"
expect_screen "ascii: sign-in screen" 'User name'
type_text "$NURSE"; keys Tab; type_text "$NURSE_PW"; keys Enter
expect_screen "ascii: subject list" 'Subjects'
keys C-n; keys Enter
expect_screen "ascii: status mark and word" 'TJ01-0001 +\S+ screening'
keys Enter
expect_screen "ascii: casebook glyphs in ASCII" 'ic\[ \]'
keys Right Right Enter
expect_screen "ascii: demographics" 'Demographics'
expect_screen "ascii: units spelled in ASCII" 'kg/m2'
if screen_text | LC_ALL=C grep -q '[^ -~]'; then
	not_ok "ascii: nothing but ASCII on the screen"
else
	ok "ascii: nothing but ASCII on the screen"
fi
