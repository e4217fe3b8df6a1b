#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (tests/web) when it is missing.
# Playwright drives this system browser (its own browser download cannot be used here).
# Idempotent: does nothing when /usr/bin/chromium exists. Needs root (or sudo) for apt-get.
set -u
BROWSER=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ -x "$BROWSER" ]; then
  exit 0
fi
echo "installing Debian's chromium for the browser tests" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null || true
if [ ! -x "$BROWSER" ]; then
  echo "chromium could not be installed: the browser tests will fail" >&2
fi
exit 0
