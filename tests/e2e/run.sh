#!/usr/bin/env bash
# End-to-end suite: builds the desktop app with the Tauri CLI (debug, no
# bundle, so the binary serves the built UI), then drives it in a real window
# under Xvfb through tauri-driver and WebKitWebDriver, inside a private D-Bus
# session with a notification server that records what it gets
# (tests/e2e/session.sh). Screenshots and driver logs go to test-artifacts/e2e/.
# Expects what ./test.sh installs: the WebKit driver, Xvfb, tauri-driver,
# ui/node_modules, and the `guichet` command line already built.
set -euo pipefail
cd "$(dirname "$0")/../.."

target="${CARGO_TARGET_DIR:-$PWD/target}"
echo "== building the desktop app for the end-to-end suite (tauri build --debug --no-bundle)"
ui/node_modules/.bin/tauri build --debug --no-bundle --ci
cargo build --locked -q -p guichet-cli

export GUICHET_APP="$target/debug/guichet-desktop"
export GUICHET_CLI="$target/debug/guichet"
export PATH="$HOME/.cargo/bin:$PATH"
rm -rf test-artifacts/e2e
mkdir -p test-artifacts/e2e

echo "== end-to-end flows in a real window (Xvfb, tauri-driver, WebKitWebDriver)"
exec dbus-run-session -- tests/e2e/session.sh "$@"
