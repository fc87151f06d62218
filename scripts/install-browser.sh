#!/usr/bin/env bash
# Debian's Chromium and a CJK font for the widget's browser tests. Playwright's own
# browser download cannot work offline, so Playwright drives this one.
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy"; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "==> installing chromium and fonts-wqy-zenhei (apt-get)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-wqy-zenhei fontconfig >/dev/null
