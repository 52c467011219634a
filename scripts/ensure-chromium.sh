#!/usr/bin/env bash
# The browser tests drive Debian's chromium (browsers cannot be downloaded from the npm registry
# here). Installs it when it is missing and this user may: root, or sudo without a password.
set -euo pipefail
browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$browser" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "No browser at $browser: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH." >&2
  exit 1
fi
echo "Installing Debian's chromium for the browser tests..."
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get install -y -qq chromium >/dev/null 2>&1 || {
  "${as_root[@]}" apt-get update -qq && "${as_root[@]}" apt-get install -y -qq chromium >/dev/null
}
