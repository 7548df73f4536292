#!/usr/bin/env bash
# Installs, on Debian/Ubuntu, the system packages Guichet builds against:
#   scripts/install-deps.sh run    what building and running the desktop app needs
#   scripts/install-deps.sh test   that, plus the WebKit WebDriver, Xvfb, D-Bus, gnome-keyring and
#                                  PostgreSQL's server programs for the tests
# Only the missing ones are installed; nothing is downloaded if all are there.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

packages=(build-essential pkg-config libwebkit2gtk-4.1-dev libayatana-appindicator3-dev
    librsvg2-dev libxdo-dev libssl-dev)
if [ "${1:-run}" = test ]; then
    # PostgreSQL's server programs: the shared-mode tests run against
    # DATABASE_URL or a private server started from them, and the restart
    # test always restarts a private server of its own.
    packages+=(webkit2gtk-driver xvfb xauth dbus python3-dbusmock gnome-keyring postgresql-client postgresql)
fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing system packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v cargo >/dev/null 2>&1 || { echo "error: cargo not found; install Rust from https://rustup.rs first" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "error: npm not found; install Node.js 20 first" >&2; exit 1; }
