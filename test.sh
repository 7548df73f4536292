#!/usr/bin/env bash
# Runs every test of Guichet. On Debian/Ubuntu it installs what it needs
# (a C compiler, the GTK/WebKit libraries Tauri builds against, the WebKit
# WebDriver, Xvfb, tauri-driver, the UI's npm packages), then runs:
#   1. the UI's unit tests (vitest) and its type check,
#   2. the whole Rust workspace: domain, store (real SQLite files, two writer
#      processes, kill -9 during import), the `guichet` command line, the
#      desktop shell (including the check that ui/src/lib/bindings.ts is fresh),
#      shared mode against a real PostgreSQL (DATABASE_URL, or a private
#      server started here) and the keychain against a real Secret Service,
#   3. the end-to-end flows of the real app in a real window (tests/e2e).
set -euo pipefail
cd "$(dirname "$0")"

scripts/install-deps.sh test
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v tauri-driver >/dev/null 2>&1; then
    echo "== installing tauri-driver"
    cargo install tauri-driver --locked -q
fi

status=0
# The UI's production build is made once, by the Tauri CLI in tests/e2e/run.sh.
echo "== UI: npm packages, type check, unit tests"
(cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run check && npm test) || status=1

# Shared mode is tested against a real PostgreSQL: the one DATABASE_URL
# names, else a private server started here (and stopped at the end).
if [ -z "${DATABASE_URL:-}" ]; then
    pgdir="${TMPDIR:-/tmp}/guichet-test-pg-$$"
    echo "== starting a private PostgreSQL in $pgdir"
    DATABASE_URL=$(scripts/test-postgres.sh start "$pgdir")
    export DATABASE_URL
    trap 'scripts/test-postgres.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
fi

echo "== Rust: all tests of the workspace (in a D-Bus session with an unlocked keyring)"
dbus-run-session -- scripts/with-keyring.sh \
    cargo test --workspace --locked --all-targets --no-fail-fast || status=1

echo "== end to end"
tests/e2e/run.sh || status=1

if [ $status -ne 0 ]; then echo "== FAILED (see above)"; fi
exit $status
