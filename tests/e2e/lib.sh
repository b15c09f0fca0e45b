# Helpers for the end-to-end tests: the real binary in a real terminal
# (tmux), driven with send-keys and read with capture-pane.  Waiting is by
# polling for text on the screen, never by bare sleeps.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tui/lib.sh"

TMUX_SOCK="crf-e2e-$$"
tmx() { tmux -L "$TMUX_SOCK" -f /dev/null "$@"; }
cleanup_tmux() { tmx kill-server 2>/dev/null; rm -rf "$T"; }
trap cleanup_tmux EXIT

# start_crf [COLS ROWS]: crf in a new detached tmux session of that size,
# with TERM=screen, which is what tmux emulates (E2E_TERM overrides).
start_crf() {
	tmx new-session -d -s crf -x "${1:-80}" -y "${2:-24}" \
		"cd '$T' && env -u COLUMNS -u LINES TERM=${E2E_TERM:-screen} LANG=$LANG LC_ALL=$LC_ALL TZ=$TZ CRF_NOW=$CRF_NOW '$CRF_BIN' -c '$T/config.ini'; echo crf-exited-\$?; sleep 30"
}

# stop_crf: end the session (SIGHUP to crf) and wait until it is gone.
stop_crf() {
	tmx kill-session -t crf 2>/dev/null
	i=0
	while [ $i -lt 100 ] && tmx has-session -t crf 2>/dev/null; do
		i=$((i + 1)); sleep 0.05
	done
}

screen_text() { tmx capture-pane -p -t crf; }

# wait_for PATTERN [SECONDS]: poll the screen until a line matches.
wait_for() {
	limit=$(( ${2:-10} * 20 ))
	i=0
	while [ $i -lt $limit ]; do
		if screen_text | grep -Eq -- "$1"; then
			return 0
		fi
		i=$((i + 1))
		sleep 0.05
	done
	return 1
}

# expect_screen NAME PATTERN [SECONDS]
expect_screen() {
	if wait_for "$2" "${3:-10}"; then ok "$1"; else
		not_ok "$1"; echo "#   waited for: $2"; screen_text | sed 's/^/#   | /'; fi
}

keys() { tmx send-keys -t crf "$@"; }
type_text() { tmx send-keys -t crf -l "$1"; }

# Sessions by name, each a crf of its own in the same folder.
s_start() {
	tmx new-session -d -s "$1" -x 80 -y 24 \
		"cd '$T' && env -u COLUMNS -u LINES TERM=${E2E_TERM:-screen} LANG=$LANG LC_ALL=$LC_ALL TZ=$TZ CRF_NOW=$CRF_NOW '$CRF_BIN' -c '$T/config.ini'; echo crf-exited-\$?; sleep 30"
}
s_text() { tmx capture-pane -p -t "$1"; }
s_keys() { s=$1; shift; tmx send-keys -t "$s" "$@"; }
s_type() { tmx send-keys -t "$1" -l "$2"; }
# s_wait SESSION PATTERN [SECONDS]: poll the screen until a line matches.
s_wait() {
	limit=$(( ${3:-10} * 20 ))
	i=0
	while [ $i -lt $limit ]; do
		if s_text "$1" | grep -Eq -- "$2"; then
			return 0
		fi
		i=$((i + 1))
		sleep 0.05
	done
	return 1
}
# s_expect SESSION NAME PATTERN [SECONDS]
s_expect() {
	if s_wait "$1" "$3" "${4:-10}"; then ok "$2"; else
		not_ok "$2"; echo "#   waited for: $3"; s_text "$1" | sed 's/^/#   | /'; fi
}
s_signin() {
	s_expect "$1" "$1: sign-in screen" "User name"
	s_type "$1" "$2"; s_keys "$1" Tab; s_type "$1" "$3"; s_keys "$1" Enter
	s_expect "$1" "$1: subject list" "crf TJ01 Subjects"
}
