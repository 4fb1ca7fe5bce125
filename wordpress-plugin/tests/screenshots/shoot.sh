#!/usr/bin/env bash
# Renders the plugin's screens (tests/screenshots/render.php: the real aftercare, a stand-in
# WooCommerce REST API, the plugin's real handlers and templates) and photographs them with
# headless Chromium into docs/screenshots/. Needs chromium, php, WordPress's admin stylesheets
# (Debian's wordpress package) and a built aftercare (AFTERCARE_BIN or target/debug/aftercare).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
out="$repo/docs/screenshots"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

php "$here/render.php" "$work"
shoot() { # name width height
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
    --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$work/profile-$1" \
    --allow-file-access-from-files --screenshot="$out/$1.png" --window-size="$2,$3" "file://$work/$1.html" 2>/dev/null
}
shoot order 1280 3560
shoot returns 1280 860
shoot tracking 1280 1200
shoot settings 1280 1560
shoot returns-queue 1440 900
echo "screenshots in $out"
