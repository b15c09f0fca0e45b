#!/bin/sh
# make bench: numbers for docs/benchmarks.md.
#   - the model: forms load, recalculation per key, save latency (bench_core);
#   - start-up to the first screen, over 20 runs (headless, :quit at once);
#   - bytes written to the terminal for the thin-client budget, measured on
#     the real binary in tmux with pipe-pane: typing one character, moving
#     to the next field, opening a form at 80x24;
#   - resident memory of a session showing a form.
B=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
export TZ=Asia/Shanghai LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm
export CRF_BIN="$top/$B/crf"
T=$(mktemp -d /tmp/crf-bench.XXXXXX)
SOCK="crf-bench-$$"
tmx() { tmux -L "$SOCK" -f /dev/null "$@"; }
trap 'tmx kill-server 2>/dev/null; rm -rf "$T"' EXIT

echo "== model (bench_core, forms/)"
"$B/bench_core" forms

# A site with an administrator and one subject, made headless.
cat > "$T/config.ini" <<CFG
[site]
code = TJ01
name = Bench site
[database]
path = site.db
[forms]
dir = $top/forms
CFG
cat > "$T/setup.keys" <<'KEYS'
c
admin<Enter>
Bench Admin<Enter>
Bench-Password-1<Enter>
Bench-Password-1<Enter>
<Esc>
KEYS
CRF_SCRIPT="$T/setup.keys" "$CRF_BIN" -c "$T/config.ini" >/dev/null 2>&1
printf 'Nurse-Password-1\n' | "$CRF_BIN" -c "$T/config.ini" user add nurse --role data-entry \
	--name "Bench Nurse" >/dev/null
cat > "$T/subject.keys" <<'KEYS'
nurse<Tab>Nurse-Password-1<Enter>
<C-n><Enter>
<C-x>q
KEYS
CRF_SCRIPT="$T/subject.keys" "$CRF_BIN" -c "$T/config.ini" >/dev/null 2>&1
printf ':quit\n' > "$T/quit.keys"

echo "== start-up to the sign-in screen (20 runs, headless)"
i=0; all=""
while [ $i -lt 20 ]; do
	t0=$(date +%s%N)
	CRF_SCRIPT="$T/quit.keys" "$CRF_BIN" -c "$T/config.ini" >/dev/null 2>&1
	t1=$(date +%s%N)
	all="$all $(( (t1 - t0) / 1000 ))"
	i=$((i + 1))
done
echo "$all" | tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{v[NR]=$1} END {printf "start-up                                 median %8.1f ms   max %8.1f ms   (n=%d)\n", v[int((NR+1)/2)]/1000, v[NR]/1000, NR}'

echo "== bytes to the terminal (tmux 80x24, TERM=xterm)"
tmx new-session -d -s b -x 80 -y 24 "cd '$T' && '$CRF_BIN' -c '$T/config.ini'; sleep 30"
tmx pipe-pane -o -t b "cat > '$T/tty.out'"
wait_for() {
	n=0
	while [ $n -lt 200 ]; do
		tmx capture-pane -p -t b | grep -Eq -- "$1" && return 0
		n=$((n + 1)); sleep 0.05
	done
	echo "bench: timed out waiting for: $1" >&2
	return 1
}
settle() { sleep 0.3; }
bytes() { wc -c < "$T/tty.out" | tr -d ' '; }
wait_for "User name" || exit 1
tmx send-keys -t b -l nurse; tmx send-keys -t b Tab; tmx send-keys -t b -l Nurse-Password-1; tmx send-keys -t b Enter
wait_for "TJ01-0001" || exit 1
tmx send-keys -t b Enter
wait_for "Casebook" || exit 1
tmx send-keys -t b Right Right
settle
b0=$(bytes)
tmx send-keys -t b Enter
wait_for "Demographics" || exit 1
settle
b1=$(bytes)
echo "open a form (demographics)                $((b1 - b0)) bytes   (budget 4096)"
tmx send-keys -t b -l Z
wait_for "Z" || exit 1
settle
b2=$(bytes)
echo "first character in a form                $((b2 - b1)) bytes   (header turns to unsaved)"
tmx send-keys -t b -l X
settle
b3=$(bytes)
echo "type one character in a field             $((b3 - b2)) bytes   (budget 32)"
tmx send-keys -t b -l M
settle
b4=$(bytes)
echo "type one more character                   $((b4 - b3)) bytes   (budget 32)"
tmx send-keys -t b Tab
settle
b5=$(bytes)
echo "move to the next field (Tab)              $((b5 - b4)) bytes   (budget 128)"
tmx send-keys -t b -l 1
settle
b6=$(bytes)
echo "first character in the next field         $((b6 - b5)) bytes   (help line changes)"
tmx send-keys -t b -l 2
settle
b7=$(bytes)
echo "next character                            $((b7 - b6)) bytes   (budget 32)"

pid=$(pgrep -f "$CRF_BIN -c $T/config.ini" | head -1)
if [ -n "$pid" ]; then
	rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
	hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
	echo "== memory with a form open: resident ${rss} KiB (peak ${hwm} KiB; budget 16384 KiB)"
fi
