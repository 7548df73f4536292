#!/usr/bin/env bash
# Runs every test of Guichet. Installs what it needs on Debian/Ubuntu
# (a C compiler for the bundled SQLite), then runs the whole workspace's
# tests: domain, store (real SQLite files, two writer processes, kill -9
# during import) and the `guichet` command line.
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v cc >/dev/null 2>&1 || ! command -v pkg-config >/dev/null 2>&1; then
    echo "== installing build tools (gcc, pkg-config)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential pkg-config >/dev/null
fi
command -v cargo >/dev/null 2>&1 || { echo "error: cargo not found; install Rust from rustup.rs first" >&2; exit 1; }

echo "== building and running all tests"
cargo test --workspace --locked --all-targets --no-fail-fast
