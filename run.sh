#!/usr/bin/env bash
# Runs Guichet on the embedded SQLite default. For now Guichet is its
# command line; the desktop app replaces this entry point when it lands.
#   ./run.sh                 initialise your data directory if needed, show your open tickets
#   ./run.sh demo            load a demo firm (French and German tickets)
#   ./run.sh ticket new --title "Délai de réponse" --category admin/court-deadline --due 2027-03-31
#   ./run.sh --help          every command
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v cc >/dev/null 2>&1; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential pkg-config >/dev/null
fi

cargo build --release --locked -q -p guichet-cli
bin="${CARGO_TARGET_DIR:-target}/release/guichet"
if [ $# -eq 0 ]; then
    "$bin" init >/dev/null
    "$bin" status
    echo
    echo "Open tickets:"
    "$bin" ticket list --view open
    echo
    echo "Try: ./run.sh demo   |   ./run.sh ticket new --title \"...\"   |   ./run.sh --help"
else
    exec "$bin" "$@"
fi
