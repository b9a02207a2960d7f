#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the desk's browser tests.
set -euo pipefail
if command -v chromium >/dev/null; then exit 0; fi
[[ $(id -u) == 0 ]] || { echo "chromium: install it (sudo apt-get install -y chromium) for the browser tests" >&2; exit 1; }
echo "chromium: installing Debian's chromium for the browser tests" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
