#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the desk's browser tests,
# with a CJK font: without one a fresh machine renders the desk's Chinese
# as empty boxes, and the screenshots and the 中文 tests show nothing.
set -euo pipefail
have_font() { [[ -d /usr/share/fonts/opentype/noto ]] && ls /usr/share/fonts/opentype/noto | grep -q CJK; }
if command -v chromium >/dev/null && have_font; then exit 0; fi
[[ $(id -u) == 0 ]] || { echo "chromium: install it (sudo apt-get install -y chromium fonts-noto-cjk) for the browser tests" >&2; exit 1; }
echo "chromium: installing Debian's chromium and fonts-noto-cjk for the browser tests" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 chromium fonts-noto-cjk >&2
