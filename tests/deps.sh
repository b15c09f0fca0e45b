#!/bin/sh
# Install the Debian packages crf needs, if any is missing.
# Uses apt-get directly as root, sudo otherwise; if neither can work, says
# which packages to install and fails.
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "crf: installing build dependencies:$missing"
if [ "$(id -u)" = 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "crf: cannot install packages (not root and no sudo). Please run:" >&2
	echo "    apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -q $missing; then
	$SUDO apt-get update -q && $SUDO apt-get install -y -q $missing || {
		echo "crf: apt-get could not install:$missing" >&2
		exit 1
	}
fi
