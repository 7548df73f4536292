#!/usr/bin/env bash
# The desktop app's benchmark (docs/BENCHMARKS.md): builds the release app,
# fills a store with 100,000 demo tickets (kept in /var/tmp between runs),
# and measures start-up, list updates and memory in a real window under Xvfb.
#   scripts/bench-desktop.sh              100,000 tickets
#   GUICHET_BENCH_TICKETS=10000 scripts/bench-desktop.sh
# Needs what ./test.sh installs (WebKit driver, Xvfb, tauri-driver, npm packages).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
tickets="${GUICHET_BENCH_TICKETS:-100000}"

ui/node_modules/.bin/tauri build --no-bundle --ci
cargo build --release --locked -q -p guichet-cli

root="/var/tmp/guichet-bench-desktop-$tickets"
if [ ! -f "$root/data/guichet.sqlite3" ]; then
    rm -rf "$root"
    echo "== filling a store with $tickets demo tickets (once)"
    USER=bench "$target/release/guichet" --data-dir "$root/data" init --login bench
    "$target/release/guichet" --data-dir "$root/data" demo --tickets "$tickets" --events 8
fi

# Bring the store up to this build's schema and statistics first, so that a
# one-time migration is not counted as start-up.
"$target/release/guichet" --data-dir "$root/data" status >/dev/null

export GUICHET_APP="$target/release/guichet-desktop" GUICHET_BENCH_DATA="$root/data"
export PATH="$HOME/.cargo/bin:$PATH" USER=bench
exec dbus-run-session -- xvfb-run -a -s "-screen 0 1400x900x24" node tests/bench/desktop.mjs
