#!/usr/bin/env bash
# Builds and launches Guichet's desktop app on the embedded SQLite default
# (your data directory: ~/.local/share/guichet on Linux). Installs what it
# needs on Debian/Ubuntu first.
#   ./run.sh                  the desktop app
#   ./run.sh --demo           the app, with a demo firm loaded first (2,000
#                             French and German tickets; also from Settings)
#   ./run.sh cli <args>       the `guichet` command line, e.g. ./run.sh cli ticket list
set -euo pipefail
cd "$(dirname "$0")"
target="${CARGO_TARGET_DIR:-$PWD/target}"

if [ "${1:-}" = cli ]; then
    shift
    command -v cc >/dev/null 2>&1 || scripts/install-deps.sh run
    cargo build --release --locked -q -p guichet-cli
    exec "$target/release/guichet" "$@"
fi

scripts/install-deps.sh run
(cd ui && npm ci --no-audit --no-fund --loglevel=error)
echo "== building the desktop app (release; the first build takes several minutes)"
ui/node_modules/.bin/tauri build --no-bundle --ci

if [ "${1:-}" = --demo ]; then
    export GUICHET_DEMO=2000
fi
exec "$target/release/guichet-desktop"
